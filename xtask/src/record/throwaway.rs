//! What is recorded on the throwaway daemon (see `daemon`): unfiltered
//! lists and the default networks, registry pushes, pulls and logins,
//! prunes, plugins, a configuration reload (the `daemon` event), and a
//! one-node swarm with services, tasks, secrets, configs and an overlay
//! network. Everything there goes with the daemon.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use super::Run;
use super::corpus::Corpus;
use super::daemon::{NODE_ADDR, REGISTRY, Throwaway};
use super::http::{Engine, Request};
use super::ops::{self, str_at};
use super::scrub::{BASE64_PLACEHOLDER, Boundary, Scrubber, same_shape};

/// The test plugin's sources (a static volume-driver stub and its config).
pub const PLUGIN_DIR: &str = "tests/support/plugin";

/// The secret's data; it must never appear in the corpus (the engine does
/// not return it, and the scrubber would replace it if it did).
const SECRET: &str = "corpus secret value";
/// `X-Registry-Auth` for an anonymous registry: base64 of `{}`.
const NO_AUTH: &str = "e30=";

pub fn record(run: &Run, api: &str, corpus: &mut Corpus, scrubber: &mut Scrubber) -> Result<()> {
    let daemon = Throwaway::start(&run.work.join("t"), &run.tag)?;
    let scratch = run.work.join("throwaway");
    std::fs::create_dir_all(&scratch)?;
    let engine = Engine::new("throwaway daemon", &daemon.socket, api, &scratch);
    let mut scene = Scene {
        run,
        engine: &engine,
        corpus,
    };
    let info = engine.send_ok(&Request::get("/info"))?.json()?;
    let id = str_at(&info, "/ID")?;
    scrubber.whole(&id, &same_shape(&id, 'B'));

    let since = ops::unix_now()?.saturating_sub(1);
    scene.local_networks()?;
    let image = scene.registry()?;
    scene.prunes()?;
    scene.plugins()?;
    daemon.reload()?;
    scene.daemon_events(since)?;
    let until = ops::unix_now()? + 1;
    let events = Request::get("/events")
        .query("since", since)
        .query("until", until);
    scene.corpus.record_lines(&engine, "events-unfiltered", events)?;

    scene.swarm(&image, scrubber)?;
    drop(daemon);
    Ok(())
}

struct Scene<'a> {
    run: &'a Run,
    engine: &'a Engine,
    corpus: &'a mut Corpus,
}

impl Scene<'_> {
    fn record(&mut self, name: &str, request: Request) -> Result<Value> {
        self.corpus.record(self.engine, name, request)
    }

    fn record_error(&mut self, name: &str, request: Request, status: u16) -> Result<()> {
        self.corpus.record_error(self.engine, name, request, status)
    }

    fn spec(&self, image: &str, cmd: &[&str]) -> Value {
        json!({ "Image": image, "Cmd": cmd, "Labels": self.run.labels() })
    }

    /// The `daemon` event of the reload that [`Throwaway::reload`] asked
    /// for: the only event type nothing else here causes. dockerd reloads
    /// on a signal, in the background, so the event is waited for.
    fn daemon_events(&mut self, since: u64) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(10);
        let events = || -> Result<Request> {
            Ok(Request::get("/events")
                .query("since", since)
                .query("until", ops::unix_now()? + 1)
                .filters(json!({ "type": ["daemon"] })))
        };
        while self.engine.send_ok(&events()?)?.json_lines()?.is_empty() {
            if Instant::now() > deadline {
                bail!("the throwaway daemon sent no `daemon` event within 10 s of a SIGHUP");
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        self.corpus
            .record_lines(self.engine, "events-daemon", events()?)?;
        Ok(())
    }

    /// Loads the busybox image saved from the machine engine; the default
    /// networks, the bridge with a container on it; every network.
    fn local_networks(&mut self) -> Result<()> {
        let run = self.run;
        let load = Request::post("/images/load")
            .query("quiet", 0)
            .file(&run.work.join("busybox.tar"), "application/x-tar");
        self.corpus
            .record_lines(self.engine, "image-load-progress", load)?;
        let name = run.name("bridged");
        ops::create_container(self.engine, &name, &self.spec(&run.image, &["sleep", "3600"]))?;
        ops::start(self.engine, &name)?;
        for network in ["bridge", "host", "none"] {
            self.record(
                &format!("network-inspect-{network}"),
                Request::get(format!("/networks/{network}")),
            )?;
        }
        self.record("networks-list-unfiltered", Request::get("/networks"))?;
        Ok(())
    }

    /// Builds an image of two layers, pushes it to the local registry,
    /// removes it and pulls it back (one layer already there, one
    /// downloaded); distribution inspect, a login, a missing image.
    /// Returns the pushed reference, which the swarm's services run.
    fn registry(&mut self) -> Result<String> {
        let (run, engine) = (self.run, self.engine);
        let local = format!("{}/layered:latest", run.prefix);
        let dockerfile = format!(
            "FROM {}\nRUN echo layered > /layered\nENV LAYERED=1\nCMD [\"sleep\", \"3600\"]\n",
            run.image
        );
        let context = ops::dockerfile_context(&run.work, "layered", &dockerfile)?;
        ops::build(engine, self.corpus, None, &context, &local, &run.labels())?;
        let repository = format!("{REGISTRY}/{}/layered", run.prefix);
        let remote = format!("{repository}:v1");
        let tag = Request::post(format!("/images/{local}/tag"))
            .query("repo", &repository)
            .query("tag", "v1");
        engine.send_ok(&tag)?;
        let push = Request::post(format!("/images/{repository}/push"))
            .query("tag", "v1")
            .header("X-Registry-Auth", NO_AUTH);
        self.corpus.record_lines(engine, "image-push-progress", push)?;
        self.record(
            "distribution-inspect",
            Request::get(format!("/distribution/{remote}/json")),
        )?;
        let login = json!({ "username": "corpus", "password": "corpus", "serveraddress": REGISTRY });
        self.record("auth-login", Request::post("/auth").json(login))?;

        for reference in [&remote, &local] {
            engine.send_ok(&Request::delete(format!("/images/{reference}")))?;
        }
        let pull = Request::post("/images/create")
            .query("fromImage", &repository)
            .query("tag", "v1")
            .header("X-Registry-Auth", NO_AUTH);
        self.corpus.record_lines(engine, "image-pull-progress", pull)?;
        let missing = Request::post("/images/create")
            .query("fromImage", format!("{REGISTRY}/{}/missing", run.prefix))
            .query("tag", "v1")
            .header("X-Registry-Auth", NO_AUTH);
        self.record_error("image-pull-not-found", missing, 404)?;

        self.record("images-list-unfiltered", Request::get("/images/json"))?;
        Ok(remote)
    }

    /// Something for each prune to remove: a stopped container, an unused
    /// network and volume, a dangling image; then every image, intermediate
    /// ones included.
    fn prunes(&mut self) -> Result<()> {
        let (run, engine) = (self.run, self.engine);
        let labels = run.labels();
        ops::create_container(engine, &run.name("prunable"), &self.spec(&run.image, &["true"]))?;
        let network = json!({ "Name": run.name("prunable"), "Labels": labels });
        engine.send_ok(&Request::post("/networks/create").json(network))?;
        let volume = json!({ "Name": run.name("prunable"), "Labels": labels });
        engine.send_ok(&Request::post("/volumes/create").json(volume))?;
        let tag = format!("{}/prunable:latest", run.prefix);
        for n in 1..=2 {
            let dockerfile = format!("FROM {}\nLABEL prunable={n}\n", run.image);
            let context = ops::dockerfile_context(&run.work, &format!("prunable-{n}"), &dockerfile)?;
            ops::build(engine, self.corpus, None, &context, &tag, &labels)?;
        }

        self.record("containers-prune", Request::post("/containers/prune"))?;
        self.record("networks-prune", Request::post("/networks/prune"))?;
        self.record("volumes-prune", Request::post("/volumes/prune"))?;
        let dangling = Request::post("/images/prune").filters(json!({ "dangling": ["true"] }));
        self.record("images-prune", dangling)?;
        self.record("build-prune", Request::post("/build/prune"))?;
        // The builds' intermediate images (`<none>`, with children) stay.
        self.record("images-list-all", Request::get("/images/json").query("all", 1))?;
        Ok(())
    }

    /// The test plugin: created (disabled), pushed, its privileges, removed
    /// and pulled back under another name, enabled; lists and errors.
    fn plugins(&mut self) -> Result<()> {
        let (run, engine) = (self.run, self.engine);
        let archive = plugin_archive(&run.root.join(PLUGIN_DIR), &run.work.join("plugin"))?;
        let remote = format!("{REGISTRY}/{}/plugin:v1", run.prefix);
        let create = Request::post("/plugins/create")
            .query("name", &remote)
            .file(&archive, "application/x-tar");
        engine.send_ok(&create)?;
        self.record("plugins-list-disabled", Request::get("/plugins"))?;
        self.record(
            "plugin-inspect-disabled",
            Request::get(format!("/plugins/{remote}/json")),
        )?;
        let push = Request::post(format!("/plugins/{remote}/push")).header("X-Registry-Auth", NO_AUTH);
        self.corpus.record_lines(engine, "plugin-push-progress", push)?;
        let privileges = self.record(
            "plugin-privileges",
            Request::get("/plugins/privileges").query("remote", &remote),
        )?;
        engine.send_ok(&Request::delete(format!("/plugins/{remote}")))?;

        let name = format!("{}-plugin:latest", run.prefix);
        let pull = Request::post("/plugins/pull")
            .query("remote", &remote)
            .query("name", &name)
            .header("X-Registry-Auth", NO_AUTH)
            .json(privileges);
        self.corpus.record_lines(engine, "plugin-pull-progress", pull)?;
        engine.send_ok(&Request::post(format!("/plugins/{name}/enable")).query("timeout", 30))?;
        self.record("plugins-list", Request::get("/plugins"))?;
        let filters = json!({ "capability": ["volumedriver"], "enabled": ["true"] });
        self.record("plugins-list-filtered", Request::get("/plugins").filters(filters))?;
        self.record("plugin-inspect", Request::get(format!("/plugins/{name}/json")))?;
        self.record_error(
            "plugin-not-found",
            Request::get(format!("/plugins/{}-missing:latest/json", run.prefix)),
            404,
        )?;
        self.record_error(
            "plugin-enable-enabled",
            Request::post(format!("/plugins/{name}/enable")).query("timeout", 30),
            409,
        )?;
        self.record_error(
            "plugin-remove-enabled",
            Request::delete(format!("/plugins/{name}")),
            409,
        )?;
        // A running plugin would outlive the daemon (see `daemon`).
        let disable = Request::post(format!("/plugins/{name}/disable")).query("force", 1);
        engine.send_ok(&disable.timeout(Duration::from_secs(60)))?;
        Ok(())
    }

    /// A one-node swarm, autolocked, advertising in the namespace: the
    /// swarm, its node, a secret, a config, an overlay network, a replicated
    /// and a global service and their tasks; an update; errors; events.
    fn swarm(&mut self, image: &str, scrubber: &mut Scrubber) -> Result<()> {
        let (run, engine) = (self.run, self.engine);
        let since = ops::unix_now()?.saturating_sub(1);
        let second = 1_000_000_000_u64;
        let init = json!({
            "ListenAddr": format!("{NODE_ADDR}:2377"),
            "AdvertiseAddr": format!("{NODE_ADDR}:2377"),
            "DefaultAddrPool": ["198.19.128.0/17"],
            "SubnetSize": 24,
            "Spec": {
                "Labels": run.labels(),
                "Orchestration": { "TaskHistoryRetentionLimit": 5 },
                "Dispatcher": { "HeartbeatPeriod": 5 * second },
                "CAConfig": { "NodeCertExpiry": 2160 * 3600 * second },
                "EncryptionConfig": { "AutoLockManagers": true },
            },
        });
        let init = Request::post("/swarm/init")
            .json(init)
            .timeout(Duration::from_secs(60));
        self.record("swarm-init", init.clone())?;
        self.record("swarm-inspect", Request::get("/swarm"))?;
        self.record("swarm-unlockkey", Request::get("/swarm/unlockkey"))?;
        self.record_error("swarm-init-conflict", init, 503)?;

        let nodes = self.record("nodes-list", Request::get("/nodes"))?;
        let node = str_at(&nodes, "/0/ID")?;
        self.record("node-inspect", Request::get(format!("/nodes/{node}")))?;
        self.record_error("node-not-found", Request::get("/nodes/missing"), 404)?;

        let secret = self.secret_and_config(scrubber)?;
        let overlay = json!({
            "Name": run.name("overlay"), "Driver": "overlay", "Attachable": true,
            "CheckDuplicate": true, "Labels": run.labels(),
            "IPAM": { "Driver": "default", "Config": [{ "Subnet": "198.19.240.0/24", "Gateway": "198.19.240.1" }] },
        });
        let overlay = self.record(
            "network-create-overlay",
            Request::post("/networks/create").json(overlay),
        )?;
        let overlay = str_at(&overlay, "/Id")?;

        let (web, agent) = self.services(image, &secret, &overlay)?;
        self.tasks(&web)?;
        self.service_update(&web)?;

        self.record(
            "network-inspect-overlay",
            Request::get(format!("/networks/{overlay}")),
        )?;
        let verbose = Request::get(format!("/networks/{overlay}"))
            .query("verbose", "true")
            .query("scope", "swarm");
        self.record("network-inspect-overlay-verbose", verbose)?;
        self.record("network-inspect-ingress", Request::get("/networks/ingress"))?;
        self.record("networks-list-swarm", Request::get("/networks"))?;
        self.record("system-info-swarm", Request::get("/info"))?;
        self.record("system-df-throwaway", Request::get("/system/df"))?;

        let until = ops::unix_now()? + 1;
        let events = Request::get("/events")
            .query("since", since)
            .query("until", until)
            .filters(json!({ "scope": ["swarm"] }));
        self.corpus.record_lines(engine, "events-swarm", events)?;
        engine.send_ok(&Request::delete(format!("/services/{agent}")))?;
        Ok(())
    }

    /// A secret and a config, each created, inspected and listed; returns
    /// `(secret id, secret name, config id, config name)`.
    fn secret_and_config(&mut self, scrubber: &mut Scrubber) -> Result<[String; 4]> {
        let run = self.run;
        let data = base64(SECRET.as_bytes());
        scrubber.literal(SECRET, "scrubbed", Boundary::Anywhere);
        scrubber.literal(&data, BASE64_PLACEHOLDER, Boundary::Anywhere);
        let secret_name = run.name("secret");
        let secret = json!({ "Name": secret_name, "Labels": run.labels(), "Data": data });
        let created = self.record(
            "secret-create",
            Request::post("/secrets/create").json(secret.clone()),
        )?;
        let secret_id = str_at(&created, "/ID")?;
        self.record("secret-inspect", Request::get(format!("/secrets/{secret_id}")))?;
        self.record("secrets-list", Request::get("/secrets"))?;
        self.record_error(
            "secret-create-conflict",
            Request::post("/secrets/create").json(secret),
            409,
        )?;
        self.record_error("secret-not-found", Request::get("/secrets/missing"), 404)?;

        let config_name = run.name("config");
        let config = json!({
            "Name": config_name, "Labels": run.labels(),
            "Data": base64(b"listen = 80\n"),
            "Templating": { "Name": "golang" },
        });
        let created = self.record("config-create", Request::post("/configs/create").json(config))?;
        let config_id = str_at(&created, "/ID")?;
        self.record("config-inspect", Request::get(format!("/configs/{config_id}")))?;
        self.record("configs-list", Request::get("/configs"))?;
        Ok([secret_id, secret_name, config_id, config_name])
    }

    /// A replicated service (ingress port, overlay network, volume and tmpfs
    /// mounts, the secret and the config, update and rollback configs) and a
    /// global one (host-mode port, bind mount); both listed and inspected.
    fn services(&mut self, image: &str, secret: &[String; 4], overlay: &str) -> Result<(String, String)> {
        let run = self.run;
        let [secret_id, secret_name, config_id, config_name] = secret;
        let second = 1_000_000_000_u64;
        let file = |name: &str| json!({ "Name": name, "UID": "0", "GID": "0", "Mode": 0o444 });
        let web = json!({
            "Name": run.name("web"),
            "Labels": run.labels(),
            "TaskTemplate": {
                "ContainerSpec": {
                    "Image": image,
                    "Command": ["httpd", "-f", "-p", "80"],
                    "Labels": run.labels(),
                    "Env": ["CORPUS=1"],
                    "Mounts": [
                        { "Type": "volume", "Source": run.name("service-data"), "Target": "/data",
                          "VolumeOptions": { "Labels": run.labels() } },
                        { "Type": "tmpfs", "Target": "/scratch", "TmpfsOptions": { "SizeBytes": 1_048_576 } },
                    ],
                    "Secrets": [{ "File": file("corpus-secret"), "SecretID": secret_id, "SecretName": secret_name }],
                    "Configs": [{ "File": file("/etc/corpus.conf"), "ConfigID": config_id, "ConfigName": config_name }],
                    "StopGracePeriod": second,
                },
                "Resources": { "Limits": { "MemoryBytes": 67_108_864 } },
                "RestartPolicy": { "Condition": "on-failure", "Delay": second, "MaxAttempts": 3 },
                "Placement": { "Constraints": ["node.role==manager"] },
                "Networks": [{ "Target": overlay, "Aliases": ["web"] }],
            },
            "Mode": { "Replicated": { "Replicas": 2 } },
            "UpdateConfig": {
                "Parallelism": 1, "Delay": second, "FailureAction": "rollback",
                "Monitor": 5 * second, "MaxFailureRatio": 0.5, "Order": "start-first",
            },
            "RollbackConfig": { "Parallelism": 1, "Order": "stop-first" },
            "EndpointSpec": { "Mode": "vip", "Ports": [
                { "Protocol": "tcp", "TargetPort": 80, "PublishedPort": 8080, "PublishMode": "ingress" },
            ]},
        });
        let create = |spec: &Value| {
            Request::post("/services/create")
                .header("X-Registry-Auth", NO_AUTH)
                .json(spec.clone())
        };
        let created = self.record("service-create", create(&web))?;
        let web_id = str_at(&created, "/ID")?;
        // Only the name again: the same port would be refused first (400).
        let same_name = json!({
            "Name": run.name("web"),
            "TaskTemplate": { "ContainerSpec": { "Image": image, "Command": ["sleep", "3600"] } },
        });
        self.record_error("service-create-conflict", create(&same_name), 409)?;

        let bind = run.work.join("service-bind");
        std::fs::create_dir_all(&bind)?;
        let agent = json!({
            "Name": run.name("agent"),
            "Labels": run.labels(),
            "TaskTemplate": { "ContainerSpec": {
                "Image": image,
                "Command": ["sleep", "3600"],
                "Mounts": [{ "Type": "bind", "Source": bind, "Target": "/host", "ReadOnly": true }],
            }},
            "Mode": { "Global": {} },
            "EndpointSpec": { "Ports": [
                { "Protocol": "udp", "TargetPort": 53, "PublishedPort": 5353, "PublishMode": "host" },
            ]},
        });
        let created = self.record("service-create-global", create(&agent))?;
        let agent_id = str_at(&created, "/ID")?;

        for (id, state) in [(&web_id, 2), (&agent_id, 1)] {
            self.wait_for_tasks(id, state)?;
        }
        self.record("services-list", Request::get("/services"))?;
        self.record(
            "services-list-status",
            Request::get("/services").query("status", "true"),
        )?;
        self.record("service-inspect", Request::get(format!("/services/{web_id}")))?;
        self.record(
            "service-inspect-global",
            Request::get(format!("/services/{agent_id}")),
        )?;
        let defaults = Request::get(format!("/services/{web_id}")).query("insertDefaults", "true");
        self.record("service-inspect-defaults", defaults)?;
        self.record_error("service-not-found", Request::get("/services/missing"), 404)?;
        Ok((web_id, agent_id))
    }

    /// Waits until `count` tasks of a service run.
    fn wait_for_tasks(&self, service: &str, count: usize) -> Result<()> {
        let filters = json!({ "service": [service], "desired-state": ["running"] });
        let engine = self.engine;
        ops::wait_until(
            &format!("{count} running tasks of {service}"),
            Duration::from_secs(90),
            || {
                let tasks = engine
                    .send_ok(&Request::get("/tasks").filters(filters.clone()))?
                    .json()?;
                let running = tasks
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|task| task.pointer("/Status/State").and_then(Value::as_str) == Some("running"))
                    .count();
                Ok(running >= count)
            },
        )
    }

    fn tasks(&mut self, web: &str) -> Result<()> {
        self.record("tasks-list", Request::get("/tasks"))?;
        let filters = json!({ "service": [web], "desired-state": ["running"] });
        let tasks = self.record("tasks-list-filtered", Request::get("/tasks").filters(filters))?;
        let task = str_at(&tasks, "/0/ID")?;
        self.record("task-inspect", Request::get(format!("/tasks/{task}")))?;
        self.record_error("task-not-found", Request::get("/tasks/missing"), 404)?;
        Ok(())
    }

    /// Scales the replicated service down and changes its environment,
    /// then inspects it mid-update (`PreviousSpec`, `UpdateStatus`).
    fn service_update(&mut self, web: &str) -> Result<()> {
        let service = self
            .engine
            .send_ok(&Request::get(format!("/services/{web}")))?
            .json()?;
        let version = service
            .pointer("/Version/Index")
            .and_then(Value::as_u64)
            .context("the service has no version")?;
        let mut spec = service.get("Spec").cloned().context("the service has no spec")?;
        spec["Mode"] = json!({ "Replicated": { "Replicas": 1 } });
        spec["TaskTemplate"]["ContainerSpec"]["Env"] = json!(["CORPUS=2"]);
        let update = Request::post(format!("/services/{web}/update"))
            .query("version", version)
            .header("X-Registry-Auth", NO_AUTH)
            .json(spec);
        self.record("service-update", update)?;
        std::thread::sleep(Duration::from_secs(2));
        self.record(
            "service-inspect-updated",
            Request::get(format!("/services/{web}")),
        )?;
        Ok(())
    }
}

/// The test plugin as `/plugins/create` wants it: a tar of `config.json`
/// and `rootfs/` with the stub compiled static (the rootfs has no libc).
fn plugin_archive(sources: &Path, dir: &Path) -> Result<std::path::PathBuf> {
    let plugin = dir.join("plugin");
    std::fs::create_dir_all(plugin.join("rootfs"))?;
    std::fs::copy(sources.join("config.json"), plugin.join("config.json"))
        .with_context(|| format!("copying {}/config.json", sources.display()))?;
    let status = Command::new("cc")
        .args(["-static", "-O2", "-o"])
        .arg(plugin.join("rootfs/stub"))
        .arg(sources.join("stub.c"))
        .status()
        .context("cannot run cc")?;
    if !status.success() {
        bail!("compiling the plugin stub failed ({status}); static libc is needed");
    }
    ops::tar(&plugin, &dir.join("plugin.tar"))
}

/// Standard base64 with padding (secrets' and configs' `Data`).
fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let bytes = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = u32::from(bytes[0]) << 16 | u32::from(bytes[1]) << 8 | u32::from(bytes[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_pads() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"{}"), "e30=");
    }
}
