//! What the test suite must not leave behind: containers, images, networks
//! and volumes on the engine, and throwaway daemons, registries, network
//! namespaces and mounts on the machine.
//!
//! `cargo xtask test` takes a [`Snapshot`] before the tests and another
//! after; anything in the second that was not in the first is a leftover,
//! and the run fails naming it. The engine is read over its socket with
//! curl, so that xtask does not build the client it tests.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::record::http::{Engine, Request};

/// The image the tests build once per machine and keep.
const KEPT_IMAGE: &str = "docker-sdk-test/busybox:latest";

/// Everything a test could leave, by kind.
#[derive(Debug, Default)]
pub struct Snapshot {
    things: BTreeSet<(&'static str, String)>,
}

impl Snapshot {
    /// Reads the engine and the machine.
    pub fn take() -> Result<Self> {
        let mut snapshot = Snapshot::default();
        for container in engine("/containers/json?all=1")? {
            let name = container["Names"][0].as_str().unwrap_or_default();
            snapshot.add("container", format!("{} {name}", short(&container["Id"])));
        }
        let images = engine("/images/json?all=1")?;
        let kept = kept_images(&images);
        for image in &images {
            if !kept.contains(image["Id"].as_str().unwrap_or_default()) {
                let tags = tags(image);
                snapshot.add("image", format!("{} {}", short(&image["Id"]), tags.join(",")));
            }
        }
        for network in engine("/networks")? {
            let name = network["Name"].as_str().unwrap_or_default();
            snapshot.add("network", format!("{} {name}", short(&network["Id"])));
        }
        let volumes = engine_value("/volumes")?;
        for volume in volumes["Volumes"].as_array().into_iter().flatten() {
            snapshot.add("volume", volume["Name"].as_str().unwrap_or_default().to_owned());
        }
        for process in processes()? {
            snapshot.add("process", process);
        }
        for netns in lines("ip", &["netns", "list"])? {
            let name = netns.split_whitespace().next().unwrap_or_default().to_owned();
            snapshot.add("network namespace", name);
        }
        for mount in std::fs::read_to_string("/proc/self/mounts")?.lines() {
            let point = mount.split_whitespace().nth(1).unwrap_or_default();
            if point.starts_with("/tmp/") {
                snapshot.add("mount", point.to_owned());
            }
        }
        for entry in std::fs::read_dir(std::env::temp_dir())? {
            let name = entry?.file_name().to_string_lossy().into_owned();
            if name.starts_with("dsd-") || name.starts_with("docker-sdk-registry-") {
                snapshot.add("directory", format!("/tmp/{name}"));
            }
        }
        Ok(snapshot)
    }

    fn add(&mut self, kind: &'static str, what: String) {
        self.things.insert((kind, what));
    }

    /// Fails naming everything in `after` that is not in `self`.
    pub fn check(&self, after: &Snapshot) -> Result<()> {
        let left: Vec<String> = after
            .things
            .difference(&self.things)
            .map(|(kind, what)| format!("  {kind}: {what}"))
            .collect();
        if left.is_empty() {
            return Ok(());
        }
        bail!(
            "the tests left {} things behind (every test must remove what it makes, even when it fails):\n{}",
            left.len(),
            left.join("\n")
        )
    }
}

/// Processes the test harness starts: throwaway `dockerd`s (their data
/// roots are `/tmp/dsd-*`), registries and the stub plugin.
fn processes() -> Result<Vec<String>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc")? {
        let entry = entry?;
        let Ok(command) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let command = String::from_utf8_lossy(&command).replace('\0', " ");
        let ours = (command.starts_with("dockerd ") && command.contains("/tmp/dsd-"))
            || (command.starts_with("docker-registry ") && command.contains("docker-sdk-registry-"))
            || command.trim_end() == "/stub";
        if ours {
            found.push(format!(
                "{} {}",
                entry.file_name().to_string_lossy(),
                command.trim_end()
            ));
        }
    }
    Ok(found)
}

fn engine_socket() -> PathBuf {
    std::env::var("DOCKER_HOST")
        .ok()
        .and_then(|host| host.strip_prefix("unix://").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("/var/run/docker.sock"))
}

fn engine_value(path: &str) -> Result<Value> {
    // GETs only: the scratch directory, where request bodies go, stays unused.
    let engine = Engine::new("the engine", &engine_socket(), "1.41", &std::env::temp_dir());
    let request = Request::get(path).timeout(Duration::from_secs(30));
    engine.send_ok(&request)?.json()
}

/// The ids of the kept test image and of the images it was built on. Each
/// step of a build leaves an image that the next step's names as its
/// parent; on a fresh machine the tests build them all, and they stay.
fn kept_images(images: &[Value]) -> BTreeSet<&str> {
    let parent_of = |id: &str| {
        images
            .iter()
            .find(|image| image["Id"].as_str() == Some(id))
            .and_then(|image| image["ParentId"].as_str())
            .filter(|parent| !parent.is_empty())
    };
    let mut kept = BTreeSet::new();
    let mut next = images
        .iter()
        .find(|image| tags(image).contains(&KEPT_IMAGE))
        .and_then(|image| image["Id"].as_str());
    while let Some(id) = next {
        if !kept.insert(id) {
            break;
        }
        next = parent_of(id);
    }
    kept
}

fn tags(image: &Value) -> Vec<&str> {
    image["RepoTags"]
        .as_array()
        .map(|tags| tags.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn engine(path: &str) -> Result<Vec<Value>> {
    match engine_value(path)? {
        Value::Array(items) => Ok(items),
        other => bail!("GET {path}: expected a list, got {other}"),
    }
}

fn lines(program: &str, args: &[&str]) -> Result<Vec<String>> {
    let output = Command::new(program)
        .args(args)
        .output()
        .with_context(|| format!("could not run {program}"))?;
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect())
}

fn short(id: &Value) -> String {
    let id = id.as_str().unwrap_or_default();
    let id = id.strip_prefix("sha256:").unwrap_or(id);
    id.chars().take(12).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_kept_image_keeps_the_images_it_was_built_on_and_nothing_else() {
        let images = [
            json!({ "Id": "sha256:label", "ParentId": "sha256:cmd", "RepoTags": [KEPT_IMAGE] }),
            json!({ "Id": "sha256:cmd", "ParentId": "sha256:copy", "RepoTags": null }),
            json!({ "Id": "sha256:copy", "ParentId": "", "RepoTags": null }),
            json!({ "Id": "sha256:left", "ParentId": "sha256:copy", "RepoTags": ["<none>:<none>"] }),
        ];
        let kept: Vec<&str> = kept_images(&images).into_iter().collect();
        assert_eq!(kept, ["sha256:cmd", "sha256:copy", "sha256:label"]);
    }

    #[test]
    fn without_the_kept_image_nothing_is_kept() {
        let images = [json!({ "Id": "sha256:a", "ParentId": "", "RepoTags": ["x:1"] })];
        assert!(kept_images(&images).is_empty());
    }
}
