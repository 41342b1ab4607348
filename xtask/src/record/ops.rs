//! Steps both engines' scenes share: build contexts, image builds,
//! containers, polling, and reading values out of engine responses.

use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use super::corpus::Corpus;
use super::http::{Engine, Request};

/// Where the busybox binary of the test image comes from (Debian's
/// `busybox-static`, as the tests' image).
pub const BUSYBOX: &str = "/bin/busybox";

/// The string at a JSON pointer of an engine response.
pub fn str_at(value: &Value, pointer: &str) -> Result<String> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .with_context(|| format!("no string at {pointer} in {:.300}", value.to_string()))
}

/// Seconds since the epoch, for `since` and `until`.
pub fn unix_now() -> Result<u64> {
    Ok(SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs())
}

/// Polls `probe` every 200 ms until it says yes, for at most `limit`.
pub fn wait_until(what: &str, limit: Duration, mut probe: impl FnMut() -> Result<bool>) -> Result<()> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if probe()? {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    bail!("timed out after {limit:?} waiting for {what}")
}

/// The context of the busybox image, as a tar in `dir`: `FROM scratch`,
/// `/bin/busybox` with a link per applet, and `/tmp`, as the tests' image.
/// Made with `tar`, since xtask has no tar library.
pub fn busybox_context(dir: &Path) -> Result<PathBuf> {
    let context = dir.join("busybox-context");
    let bin = context.join("rootfs/bin");
    std::fs::create_dir_all(&bin)?;
    let tmp = context.join("rootfs/tmp");
    std::fs::create_dir_all(&tmp)?;
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o1777))?;
    std::fs::copy(BUSYBOX, bin.join("busybox"))
        .with_context(|| format!("{BUSYBOX} (apt-get install busybox-static)"))?;
    let applets = Command::new(BUSYBOX).arg("--list").output()?;
    for applet in String::from_utf8(applets.stdout)?.lines().map(str::trim) {
        if !applet.is_empty() && applet != "busybox" {
            symlink("busybox", bin.join(applet))?;
        }
    }
    let dockerfile = "FROM scratch\nCOPY rootfs /\nENV PATH=/bin\nCMD [\"sh\"]\n";
    std::fs::write(context.join("Dockerfile"), dockerfile)?;
    tar(&context, &dir.join("busybox-context.tar"))
}

/// A context holding only a Dockerfile.
pub fn dockerfile_context(dir: &Path, name: &str, dockerfile: &str) -> Result<PathBuf> {
    let context = dir.join(name);
    std::fs::create_dir_all(&context)?;
    std::fs::write(context.join("Dockerfile"), dockerfile)?;
    tar(&context, &dir.join(format!("{name}.tar")))
}

/// Archives a directory's contents.
pub fn tar(dir: &Path, archive: &Path) -> Result<PathBuf> {
    let status = Command::new("tar")
        .arg("-C")
        .arg(dir)
        .arg("-cf")
        .arg(archive)
        .arg(".")
        .status()
        .context("cannot run tar")?;
    if !status.success() {
        bail!("tar of {} failed ({status})", dir.display());
    }
    Ok(archive.to_owned())
}

/// `POST /build` with the classic builder, removing intermediate
/// containers; records the progress under `record` when given. Returns
/// the new image's id.
pub fn build(
    engine: &Engine,
    corpus: &mut Corpus,
    record: Option<&str>,
    context: &Path,
    tag: &str,
    labels: &Value,
) -> Result<String> {
    let request = Request::post("/build")
        .query("t", tag)
        .query("labels", labels)
        .query("rm", 1)
        .query("forcerm", 1)
        .file(context, "application/x-tar")
        .timeout(Duration::from_secs(300));
    let lines = match record {
        Some(name) => corpus.record_lines(engine, name, request)?,
        None => engine.send_ok(&request)?.json_lines()?,
    };
    build_result(&lines).with_context(|| format!("{}: building {tag}", engine.name))
}

/// The image id a build log ends with, or the error it reports.
pub fn build_result(lines: &[Value]) -> Result<String> {
    let mut id = None;
    for line in lines {
        if let Some(error) = line.get("error") {
            bail!("build failed: {error}");
        }
        if let Some(aux) = line.pointer("/aux/ID").and_then(Value::as_str) {
            id = Some(aux.to_owned());
        }
    }
    id.context("the build log names no image")
}

/// `POST /containers/create?name=…`; returns the create response.
pub fn create_container(engine: &Engine, name: &str, spec: &Value) -> Result<Value> {
    engine
        .send_ok(&create_request(name, spec))?
        .json()
        .with_context(|| format!("creating container {name}"))
}

pub fn create_request(name: &str, spec: &Value) -> Request {
    Request::post("/containers/create")
        .query("name", name)
        .json(spec.clone())
}

pub fn start(engine: &Engine, container: &str) -> Result<()> {
    engine.send_ok(&Request::post(format!("/containers/{container}/start")))?;
    Ok(())
}

pub fn inspect(engine: &Engine, container: &str) -> Result<Value> {
    engine
        .send_ok(&Request::get(format!("/containers/{container}/json")))?
        .json()
}

/// Waits until a container's inspect satisfies `ready`.
pub fn wait_for_container(
    engine: &Engine,
    container: &str,
    what: &str,
    limit: Duration,
    ready: impl Fn(&Value) -> bool,
) -> Result<()> {
    wait_until(&format!("{container}: {what}"), limit, || {
        Ok(ready(&inspect(engine, container)?))
    })
}

/// Starts an exec detached; returns its id.
pub fn exec_detached(engine: &Engine, container: &str, cmd: &[&str]) -> Result<String> {
    let created = engine
        .send_ok(&Request::post(format!("/containers/{container}/exec")).json(json!({ "Cmd": cmd })))?
        .json()?;
    let id = str_at(&created, "/Id")?;
    start_exec(engine, &id)?;
    Ok(id)
}

pub fn start_exec(engine: &Engine, id: &str) -> Result<()> {
    let request = Request::post(format!("/exec/{id}/start")).json(json!({ "Detach": true, "Tty": false }));
    engine.send_ok(&request)?;
    Ok(())
}

/// Waits until an exec has finished.
pub fn wait_for_exec(engine: &Engine, id: &str) -> Result<()> {
    wait_until(&format!("exec {id} to finish"), Duration::from_secs(30), || {
        let exec = engine
            .send_ok(&Request::get(format!("/exec/{id}/json")))?
            .json()?;
        Ok(exec.get("Running") == Some(&Value::Bool(false)))
    })
}

/// `a` with `b`'s members added, recursively for objects.
pub fn merge(mut a: Value, b: Value) -> Value {
    match (&mut a, b) {
        (Value::Object(into), Value::Object(from)) => {
            for (key, value) in from {
                let merged = match into.remove(&key) {
                    Some(existing) => merge(existing, value),
                    None => value,
                };
                into.insert(key, merged);
            }
            a
        }
        (_, b) => b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_adds_members_recursively() {
        let merged = merge(
            json!({"Image": "a", "HostConfig": {"Init": true}}),
            json!({"HostConfig": {"Tmpfs": {"/x": ""}}}),
        );
        assert_eq!(
            merged,
            json!({"Image": "a", "HostConfig": {"Init": true, "Tmpfs": {"/x": ""}}})
        );
    }

    #[test]
    fn a_build_log_names_its_image_or_its_error() {
        let ok = [json!({"stream": "Step 1/1"}), json!({"aux": {"ID": "sha256:1"}})];
        assert_eq!(build_result(&ok).unwrap(), "sha256:1");
        let failed = [json!({"error": "boom", "errorDetail": {"message": "boom"}})];
        assert!(build_result(&failed).is_err());
    }
}
