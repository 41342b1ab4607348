//! What is recorded on the machine's engine: system, images, containers in
//! every state the SDK reports, execs, networks, volumes, events, errors.
//!
//! The engine is shared (tests may run on it at the same time), so every
//! list is filtered by the run's label, and [`Cleanup`] removes what the
//! run made however the recording ends.

use std::time::Duration;

use anyhow::{Context, Result};
use serde_json::{Value, json};

use super::corpus::Corpus;
use super::http::{Engine, Request};
use super::ops::{self, str_at};
use super::scrub::{Scrubber, same_shape};
use super::{LABEL, RUN_LABEL, Run};

/// The subnet of the network with a custom IPAM configuration: in the
/// benchmarking range, above the /24s the tests' throwaway daemons take.
const IPAM_SUBNET: &str = "198.18.254.0/24";

/// Records everything of this module's docs; the busybox image is also
/// saved to `<work>/busybox.tar` for the throwaway daemon.
pub fn record(run: &Run, engine: &Engine, corpus: &mut Corpus, scrubber: &mut Scrubber) -> Result<()> {
    sweep_interrupted_runs(engine)?;
    let _cleanup = Cleanup {
        engine: engine.clone(),
        run_label: run.run_label(),
    };
    let since = ops::unix_now()?.saturating_sub(1);
    let mut scene = Scene { run, engine, corpus };
    scene.system(scrubber)?;
    let images = scene.images()?;
    let networks = scene.networks()?;
    let volumes = scene.volumes()?;
    scene.containers()?;
    scene.container_details()?;
    scene.execs()?;
    scene.container_errors()?;
    scene.lists(&networks)?;
    scene.image_changes(&images)?;
    scene.events(since, &networks, &volumes)?;
    scene
        .corpus
        .record(engine, "system-df", Request::get("/system/df"))?;
    Ok(())
}

/// Removes what earlier runs left: a run stopped by a signal never drops its
/// [`Cleanup`]. A run is over when no process has its pid (the end of its
/// prefix) any more.
fn sweep_interrupted_runs(engine: &Engine) -> Result<()> {
    let filters = json!({ "label": [format!("{LABEL}=1")] });
    let mut runs = std::collections::BTreeSet::new();
    for (path, pointer, all) in [
        ("/containers/json", "", true),
        ("/images/json", "", true),
        ("/networks", "", false),
        ("/volumes", "/Volumes", false),
    ] {
        let mut request = Request::get(path).filters(filters.clone());
        if all {
            request = request.query("all", 1);
        }
        let listed = engine.send_ok(&request)?.json()?;
        for item in listed
            .pointer(pointer)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let labels = item.get("Labels");
            if let Some(run) = labels.and_then(|l| l.get(RUN_LABEL)).and_then(Value::as_str) {
                runs.insert(run.to_owned());
            }
        }
    }
    for prefix in runs {
        let pid = prefix
            .strip_prefix(&format!("{LABEL}-"))
            .and_then(|p| p.parse::<u32>().ok());
        let Some(pid) = pid else { continue };
        if std::path::Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        eprintln!("removing what an interrupted run ({prefix}) left");
        drop(Cleanup {
            engine: engine.clone(),
            run_label: format!("{RUN_LABEL}={prefix}"),
        });
    }
    Ok(())
}

/// Removes every container, image, network and volume labelled with the
/// run's label, when dropped: after the recording, or after a failure.
struct Cleanup {
    engine: Engine,
    run_label: String,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let filters = json!({ "label": [self.run_label] });
        let left = [
            self.remove_containers(&filters),
            self.remove_images(&filters),
            self.remove_each("/networks", "", "Id", &filters, false),
            self.remove_each("/volumes", "/Volumes", "Name", &filters, true),
        ];
        for error in left.into_iter().filter_map(Result::err) {
            eprintln!("cleanup on the main engine: {error:#}");
        }
    }
}

impl Cleanup {
    fn list(&self, path: &str, pointer: &str, filters: &Value, all: bool) -> Result<Vec<Value>> {
        let mut request = Request::get(path).filters(filters.clone());
        if all {
            request = request.query("all", 1);
        }
        let listed = self.engine.send_ok(&request)?.json()?;
        Ok(listed
            .pointer(pointer)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default())
    }

    /// Force-removes the run's containers and their anonymous volumes;
    /// paused ones are unpaused first, as a paused process cannot be killed.
    fn remove_containers(&self, filters: &Value) -> Result<()> {
        for container in self.list("/containers/json", "", filters, true)? {
            let id = str_at(&container, "/Id")?;
            if container.get("State").and_then(Value::as_str) == Some("paused") {
                let _ = self
                    .engine
                    .send(&Request::post(format!("/containers/{id}/unpause")));
            }
            let remove = Request::delete(format!("/containers/{id}"))
                .query("force", 1)
                .query("v", 1);
            self.engine.send_ok(&remove)?;
        }
        Ok(())
    }

    /// Removes the run's images, children before parents (newest first),
    /// and says which are left.
    fn remove_images(&self, filters: &Value) -> Result<()> {
        let mut images = self.list("/images/json", "", filters, true)?;
        images.sort_by_key(|image| std::cmp::Reverse(image.get("Created").and_then(Value::as_i64)));
        for image in &images {
            let id = str_at(image, "/Id")?;
            let _ = self
                .engine
                .send(&Request::delete(format!("/images/{id}")).query("force", 1));
        }
        let left = self.list("/images/json", "", filters, true)?;
        anyhow::ensure!(left.is_empty(), "images left: {left:?}");
        Ok(())
    }

    /// Removes each listed network or volume (`force` only volumes have).
    fn remove_each(&self, path: &str, pointer: &str, key: &str, filters: &Value, force: bool) -> Result<()> {
        for item in self.list(path, pointer, filters, false)? {
            let id = str_at(&item, &format!("/{key}"))?;
            let mut remove = Request::delete(format!("{path}/{id}"));
            if force {
                remove = remove.query("force", 1);
            }
            self.engine.send_ok(&remove)?;
        }
        Ok(())
    }
}

/// The images a run builds.
struct Images {
    busybox: String,
    dangling: String,
}

/// The networks a run makes, by role.
struct Networks {
    ipam: String,
    internal: String,
    attachable: String,
    temporary: String,
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

    /// A container spec: the busybox image, a command, the run's labels.
    fn spec(&self, cmd: &[&str], extra: Value) -> Value {
        let base = json!({ "Image": self.run.image, "Cmd": cmd, "Labels": self.run.labels() });
        ops::merge(base, extra)
    }

    /// `/version` and `/info`; learns the daemon's ID to scrub.
    fn system(&mut self, scrubber: &mut Scrubber) -> Result<()> {
        self.record("system-version", Request::get("/version"))?;
        let info = self.record("system-info", Request::get("/info"))?;
        let id = str_at(&info, "/ID")?;
        scrubber.whole(&id, &same_shape(&id, 'A'));
        Ok(())
    }

    /// The busybox image, a two-version image of several steps (the first
    /// version left dangling), a failing build; inspects and histories.
    fn images(&mut self) -> Result<Images> {
        let (run, engine) = (self.run, self.engine);
        let labels = run.labels();
        let context = ops::busybox_context(&run.work)?;
        let busybox = ops::build(
            engine,
            self.corpus,
            Some("image-build-progress"),
            &context,
            &run.image,
            &labels,
        )?;
        let saved = engine.send_ok(&Request::get(format!("/images/{}/get", run.image)))?;
        std::fs::write(run.work.join("busybox.tar"), &saved.body).context("saving the busybox image")?;

        let variant = format!("{}/variant:latest", run.prefix);
        let dockerfile = |n: u32| {
            format!(
                "FROM {}\nENV CORPUS=1\nRUN echo variant > /variant\nWORKDIR /srv\nLABEL variant={n}\nCMD [\"sleep\", \"3600\"]\n",
                run.image
            )
        };
        let first = ops::dockerfile_context(&run.work, "variant-1", &dockerfile(1))?;
        let dangling = ops::build(
            engine,
            self.corpus,
            Some("image-build-progress-steps"),
            &first,
            &variant,
            &labels,
        )?;
        let second = ops::dockerfile_context(&run.work, "variant-2", &dockerfile(2))?;
        ops::build(engine, self.corpus, None, &second, &variant, &labels)?;

        let failing = format!("FROM {}\nRUN echo failing; exit 3\n", run.image);
        let failing = ops::dockerfile_context(&run.work, "failing", &failing)?;
        let request = Request::post("/build")
            .query("t", format!("{}/failing:latest", run.prefix))
            .query("labels", &labels)
            .query("rm", 1)
            .query("forcerm", 1)
            .file(&failing, "application/x-tar");
        self.corpus.record_lines(engine, "image-build-error", request)?;

        self.record(
            "image-inspect",
            Request::get(format!("/images/{}/json", run.image)),
        )?;
        self.record(
            "image-inspect-steps",
            Request::get(format!("/images/{variant}/json")),
        )?;
        self.record(
            "image-inspect-dangling",
            Request::get(format!("/images/{dangling}/json")),
        )?;
        self.record(
            "image-history",
            Request::get(format!("/images/{}/history", run.image)),
        )?;
        self.record(
            "image-history-steps",
            Request::get(format!("/images/{variant}/history")),
        )?;
        self.record_error(
            "image-inspect-not-found",
            Request::get(format!("/images/{}/missing:latest/json", run.prefix)),
            404,
        )?;
        Ok(Images { busybox, dangling })
    }

    /// A network with a custom IPAM configuration, an internal one and an
    /// attachable one (inspected once containers are attached), a temporary
    /// one for events; a duplicate name and an unknown network.
    fn networks(&mut self) -> Result<Networks> {
        let run = self.run;
        let create = |extra: Value| {
            let base = json!({ "CheckDuplicate": true, "Driver": "bridge", "Labels": run.labels() });
            Request::post("/networks/create").json(ops::merge(base, extra))
        };
        let ipam = create(json!({
            "Name": run.name("ipam"),
            "IPAM": {
                "Driver": "default",
                "Config": [{
                    "Subnet": IPAM_SUBNET,
                    "IPRange": "198.18.254.128/25",
                    "Gateway": "198.18.254.1",
                    "AuxiliaryAddresses": { "reserved": "198.18.254.2" },
                }],
                "Options": {},
            },
            "Options": { "com.docker.network.driver.mtu": "1400" },
        }));
        let ipam = str_at(&self.record("network-create", ipam.clone())?, "/Id")?;
        self.record_error(
            "network-create-conflict",
            create(json!({ "Name": run.name("ipam") })),
            409,
        )?;
        let internal = create(json!({ "Name": run.name("internal"), "Internal": true }));
        let internal = str_at(&self.engine.send_ok(&internal)?.json()?, "/Id")?;
        let attachable = create(json!({
            "Name": run.name("attachable"),
            "Attachable": true,
            "Options": { "com.docker.network.bridge.enable_icc": "false" },
        }));
        let attachable = str_at(&self.engine.send_ok(&attachable)?.json()?, "/Id")?;
        let temporary = create(json!({ "Name": run.name("temporary") }));
        let temporary = str_at(&self.engine.send_ok(&temporary)?.json()?, "/Id")?;
        self.record_error(
            "network-not-found",
            Request::get(format!("/networks/{}", run.name("missing"))),
            404,
        )?;
        Ok(Networks {
            ipam,
            internal,
            attachable,
            temporary,
        })
    }

    /// Volumes: plain, with driver options, one never used, and one created
    /// and removed (for the events). Returns their names.
    fn volumes(&mut self) -> Result<Vec<String>> {
        let run = self.run;
        let create = |name: &str, extra: Value| {
            let base = json!({ "Name": run.name(name), "Driver": "local", "Labels": run.labels() });
            Request::post("/volumes/create").json(ops::merge(base, extra))
        };
        self.record("volume-create", create("data", json!({})))?;
        let options = json!({ "DriverOpts": { "type": "tmpfs", "device": "tmpfs", "o": "size=1m" } });
        self.record("volume-create-options", create("tmpfs", options))?;
        self.engine.send_ok(&create("unused", json!({})))?;
        self.engine.send_ok(&create("temporary", json!({})))?;
        self.engine
            .send_ok(&Request::delete(format!("/volumes/{}", run.name("temporary"))))?;
        Ok(["data", "tmpfs", "unused", "temporary"]
            .iter()
            .map(|name| run.name(name))
            .collect())
    }

    /// Containers in each state and shape the SDK reports, each inspected.
    fn containers(&mut self) -> Result<()> {
        let run = self.run;
        let engine = self.engine;
        let sleep = ["sleep", "3600"];

        let running = self.spec(&sleep, json!({ "Env": ["CORPUS=1"], "WorkingDir": "/tmp" }));
        self.record(
            "container-create",
            ops::create_request(&run.name("running"), &running),
        )?;
        ops::start(engine, &run.name("running"))?;

        ops::create_container(engine, &run.name("created"), &self.spec(&sleep, json!({})))?;

        let exited = self.spec(&["sh", "-c", "echo bye; exit 3"], json!({}));
        ops::create_container(engine, &run.name("exited"), &exited)?;
        ops::start(engine, &run.name("exited"))?;
        let wait = Request::post(format!("/containers/{}/wait", run.name("exited")));
        self.record("container-wait", wait)?;

        ops::create_container(engine, &run.name("paused"), &self.spec(&sleep, json!({})))?;
        ops::start(engine, &run.name("paused"))?;
        engine.send_ok(&Request::post(format!(
            "/containers/{}/pause",
            run.name("paused")
        )))?;

        self.ports()?;
        self.health()?;
        self.mounts()?;
        self.restarts()?;

        let labels = self.spec(
            &sleep,
            json!({
                "Labels": {
                    "com.example.vendor": "ACME",
                    "com.example.empty": "",
                    "com.example.unicode": "ünïcödé ✓",
                    "com.example.json": "{\"a\":[1,2]}",
                },
                "Hostname": "corpus-labels",
                "Domainname": "example.test",
                "StopSignal": "SIGINT",
                "StopTimeout": 5,
            }),
        );
        ops::create_container(engine, &run.name("labels"), &labels)?;
        ops::start(engine, &run.name("labels"))?;

        // A limit the kernel may not support: the engine answers with warnings.
        let warned = self.spec(&sleep, json!({ "HostConfig": { "OomKillDisable": true } }));
        self.record(
            "container-create-warnings",
            ops::create_request(&run.name("warned"), &warned),
        )?;

        // One created, run and removed, for the events.
        ops::create_container(engine, &run.name("temporary"), &self.spec(&["true"], json!({})))?;
        ops::start(engine, &run.name("temporary"))?;
        engine.send_ok(&Request::post(format!(
            "/containers/{}/wait",
            run.name("temporary")
        )))?;
        engine.send_ok(&Request::delete(format!("/containers/{}", run.name("temporary"))))?;

        for (suffix, name) in [
            ("running", "container-inspect-running"),
            ("created", "container-inspect-created"),
            ("exited", "container-inspect-exited"),
            ("paused", "container-inspect-paused"),
            ("labels", "container-inspect-labels"),
        ] {
            self.record(
                name,
                Request::get(format!("/containers/{}/json", run.name(suffix))),
            )?;
        }
        let sized = Request::get(format!("/containers/{}/json", run.name("running"))).query("size", 1);
        self.record("container-inspect-size", sized)?;
        Ok(())
    }

    /// Published ports, TCP and UDP, on 127.0.0.1 at ports the engine picks.
    fn ports(&mut self) -> Result<()> {
        let name = self.run.name("ports");
        let spec = self.spec(
            &["httpd", "-f", "-p", "80"],
            json!({
                "ExposedPorts": { "80/tcp": {}, "53/udp": {} },
                "HostConfig": { "PortBindings": {
                    "80/tcp": [{ "HostIp": "127.0.0.1", "HostPort": "" }],
                    "53/udp": [{ "HostIp": "127.0.0.1", "HostPort": "" }],
                }},
            }),
        );
        ops::create_container(self.engine, &name, &spec)?;
        ops::start(self.engine, &name)?;
        self.record(
            "container-inspect-ports",
            Request::get(format!("/containers/{name}/json")),
        )?;
        Ok(())
    }

    /// Healthchecks: one passing, one failing, one whose first check is an
    /// hour away (still `starting`).
    fn health(&mut self) -> Result<()> {
        let second = 1_000_000_000_u64;
        let cases = [
            ("healthy", json!(["CMD", "true"]), second, 3, "healthy"),
            (
                "unhealthy",
                json!(["CMD-SHELL", "echo failing; exit 1"]),
                second,
                1,
                "unhealthy",
            ),
            ("starting", json!(["CMD", "true"]), 3600 * second, 3, "starting"),
        ];
        for (suffix, test, interval, retries, status) in cases {
            let name = self.run.name(suffix);
            let healthcheck = json!({
                "Test": test, "Interval": interval, "Timeout": second,
                "Retries": retries, "StartPeriod": interval,
            });
            let spec = self.spec(&["sleep", "3600"], json!({ "Healthcheck": healthcheck }));
            ops::create_container(self.engine, &name, &spec)?;
            ops::start(self.engine, &name)?;
            ops::wait_for_container(self.engine, &name, status, Duration::from_secs(30), |c| {
                c.pointer("/State/Health/Status").and_then(Value::as_str) == Some(status)
            })?;
            let record = format!("container-inspect-health-{suffix}");
            self.record(&record, Request::get(format!("/containers/{name}/json")))?;
        }
        Ok(())
    }

    /// Bind (read-only, and by `Binds`), named volume, tmpfs volume, tmpfs
    /// mount, `Tmpfs` and an anonymous volume.
    fn mounts(&mut self) -> Result<()> {
        let run = self.run;
        let bind = run.work.join("bind");
        let binds = run.work.join("binds");
        std::fs::create_dir_all(&bind)?;
        std::fs::create_dir_all(&binds)?;
        let name = run.name("mounts");
        let spec = self.spec(
            &["sleep", "3600"],
            json!({
                "Volumes": { "/anonymous": {} },
                "HostConfig": {
                    "Binds": [format!("{}:/srv/binds:rw", binds.display())],
                    "Mounts": [
                        { "Type": "bind", "Source": bind, "Target": "/srv/bind", "ReadOnly": true,
                          "BindOptions": { "Propagation": "rprivate" } },
                        { "Type": "volume", "Source": run.name("data"), "Target": "/data",
                          "VolumeOptions": { "NoCopy": true } },
                        { "Type": "volume", "Source": run.name("tmpfs"), "Target": "/tmpfs-volume" },
                        { "Type": "tmpfs", "Target": "/scratch",
                          "TmpfsOptions": { "SizeBytes": 1_048_576, "Mode": 0o1777 } },
                    ],
                    "Tmpfs": { "/run/cache": "rw,size=65536k" },
                },
            }),
        );
        ops::create_container(self.engine, &name, &spec)?;
        ops::start(self.engine, &name)?;
        self.record(
            "container-inspect-mounts",
            Request::get(format!("/containers/{name}/json")),
        )?;
        Ok(())
    }

    /// A restart policy on a running container, and one that keeps
    /// restarting a failing command.
    fn restarts(&mut self) -> Result<()> {
        let (run, engine) = (self.run, self.engine);
        let policy = |name: &str| json!({ "HostConfig": { "RestartPolicy": { "Name": name } } });
        let name = run.name("restart");
        ops::create_container(
            engine,
            &name,
            &self.spec(&["sleep", "3600"], policy("unless-stopped")),
        )?;
        ops::start(engine, &name)?;
        self.record(
            "container-inspect-restart-policy",
            Request::get(format!("/containers/{name}/json")),
        )?;

        let name = run.name("restarting");
        ops::create_container(
            engine,
            &name,
            &self.spec(&["sh", "-c", "exit 1"], policy("always")),
        )?;
        ops::start(engine, &name)?;
        ops::wait_for_container(engine, &name, "restarting", Duration::from_secs(30), |c| {
            c.pointer("/State/Restarting") == Some(&Value::Bool(true))
                && c.get("RestartCount").and_then(Value::as_u64) >= Some(2)
        })?;
        self.record(
            "container-inspect-restarting",
            Request::get(format!("/containers/{name}/json")),
        )?;
        Ok(())
    }

    /// A container on three networks (static address and aliases on the
    /// first, two connected later), one network connected and disconnected
    /// again (for the events); top, changes, stats, update.
    fn container_details(&mut self) -> Result<()> {
        let (run, engine) = (self.run, self.engine);
        let name = run.name("networks");
        let spec = self.spec(
            &["sleep", "3600"],
            json!({
                "HostConfig": { "NetworkMode": run.name("ipam") },
                "NetworkingConfig": { "EndpointsConfig": { run.name("ipam"): {
                    "IPAMConfig": { "IPv4Address": "198.18.254.200" },
                    "Aliases": ["db"],
                }}},
            }),
        );
        ops::create_container(engine, &name, &spec)?;
        ops::start(engine, &name)?;
        for (network, alias) in [
            ("internal", "internal-db"),
            ("attachable", "attached"),
            ("temporary", "t"),
        ] {
            let connect = json!({ "Container": name, "EndpointConfig": { "Aliases": [alias] } });
            engine
                .send_ok(&Request::post(format!("/networks/{}/connect", run.name(network))).json(connect))?;
        }
        let disconnect = json!({ "Container": name, "Force": false });
        engine.send_ok(
            &Request::post(format!("/networks/{}/disconnect", run.name("temporary"))).json(disconnect),
        )?;
        engine.send_ok(&Request::delete(format!("/networks/{}", run.name("temporary"))))?;
        self.record(
            "container-inspect-networks",
            Request::get(format!("/containers/{name}/json")),
        )?;

        let running = run.name("running");
        self.record(
            "container-top",
            Request::get(format!("/containers/{running}/top")),
        )?;
        let ps_args = Request::get(format!("/containers/{running}/top")).query("ps_args", "aux");
        self.record("container-top-ps-args", ps_args)?;

        let change = [
            "sh",
            "-c",
            "echo hi > /tmp/added && rm /bin/vi && mkdir -p /srv/new",
        ];
        let exec = ops::exec_detached(engine, &running, &change)?;
        ops::wait_for_exec(engine, &exec)?;
        self.record(
            "container-changes",
            Request::get(format!("/containers/{running}/changes")),
        )?;

        let stats = |id: &str| Request::get(format!("/containers/{id}/stats"));
        self.record("container-stats", stats(&running).query("stream", "false"))?;
        let one_shot = stats(&running).query("stream", "false").query("one-shot", "true");
        self.record("container-stats-one-shot", one_shot)?;
        self.record(
            "container-stats-stopped",
            stats(&run.name("exited")).query("stream", "false"),
        )?;
        let streamed = stats(&running)
            .query("stream", "true")
            .timeout(Duration::from_secs(30));
        self.corpus
            .record_stream(engine, "container-stats-stream", streamed, 3)?;

        let update = json!({
            "RestartPolicy": { "Name": "on-failure", "MaximumRetryCount": 3 },
            "CpuShares": 512,
            "Memory": 67_108_864,
            "MemorySwap": 134_217_728,
        });
        let update = Request::post(format!("/containers/{}/update", run.name("restart"))).json(update);
        self.record("container-update", update)?;
        Ok(())
    }

    /// An exec still running, one finished with a status; their creation.
    fn execs(&mut self) -> Result<()> {
        let (run, engine) = (self.run, self.engine);
        let running = run.name("running");
        let create = json!({
            "Cmd": ["sleep", "300"], "AttachStdout": false, "AttachStderr": false,
            "Env": ["EXEC=1"], "WorkingDir": "/tmp",
        });
        let created = self.record(
            "exec-create",
            Request::post(format!("/containers/{running}/exec")).json(create),
        )?;
        let id = str_at(&created, "/Id")?;
        ops::start_exec(engine, &id)?;
        ops::wait_until("a running exec", Duration::from_secs(10), || {
            let exec = engine
                .send_ok(&Request::get(format!("/exec/{id}/json")))?
                .json()?;
            Ok(exec.get("Running") == Some(&Value::Bool(true)))
        })?;
        self.record("exec-inspect-running", Request::get(format!("/exec/{id}/json")))?;

        let finished = ops::exec_detached(engine, &running, &["sh", "-c", "exit 7"])?;
        ops::wait_for_exec(engine, &finished)?;
        self.record(
            "exec-inspect-finished",
            Request::get(format!("/exec/{finished}/json")),
        )?;
        Ok(())
    }

    /// Error bodies: not found, conflicts, bad parameters.
    fn container_errors(&mut self) -> Result<()> {
        let run = self.run;
        let container = |suffix: &str, tail: &str| format!("/containers/{}{tail}", run.name(suffix));
        self.record_error(
            "container-not-found",
            Request::get(container("missing", "/json")),
            404,
        )?;
        self.record_error(
            "container-remove-running",
            Request::delete(container("running", "")),
            409,
        )?;
        let spec = self.spec(&["true"], json!({}));
        self.record_error(
            "container-create-name-conflict",
            ops::create_request(&run.name("running"), &spec),
            409,
        )?;
        let bad = self.spec(
            &["true"],
            json!({ "HostConfig": { "RestartPolicy": { "Name": "bogus" } } }),
        );
        self.record_error(
            "container-create-bad-parameter",
            ops::create_request(&run.name("bogus"), &bad),
            400,
        )?;
        let filter = Request::get("/containers/json").filters(json!({ "bogus": ["x"] }));
        self.record_error("containers-list-bad-filter", filter, 400)?;
        let exec = Request::post(container("exited", "/exec")).json(json!({ "Cmd": ["true"] }));
        self.record_error("exec-create-not-running", exec, 409)?;
        self.record_error(
            "container-kill-not-running",
            Request::post(container("exited", "/kill")),
            409,
        )?;
        self.record_error(
            "container-pause-paused",
            Request::post(container("paused", "/pause")),
            409,
        )?;
        Ok(())
    }

    /// Lists, filtered to the run's resources; networks and volumes
    /// inspected now that containers use them.
    fn lists(&mut self, networks: &Networks) -> Result<()> {
        let run = self.run;
        let mine = run.label_filter();
        let containers = || Request::get("/containers/json").filters(mine.clone());
        self.record("containers-list", containers().query("all", 1))?;
        self.record("containers-list-running", containers())?;
        self.record(
            "containers-list-size",
            containers().query("all", 1).query("size", 1),
        )?;
        let exited = json!({ "label": [run.run_label()], "status": ["exited"] });
        self.record(
            "containers-list-exited",
            Request::get("/containers/json").query("all", 1).filters(exited),
        )?;

        let images = || Request::get("/images/json").filters(mine.clone());
        self.record("images-list", images())?;
        let dangling = json!({ "label": [run.run_label()], "dangling": ["true"] });
        self.record(
            "images-list-dangling",
            Request::get("/images/json").filters(dangling),
        )?;
        let reference = json!({ "reference": [format!("{}/*", run.prefix)] });
        let reference = Request::get("/images/json")
            .query("digests", 1)
            .filters(reference);
        self.record("images-list-reference", reference)?;

        self.record("networks-list", Request::get("/networks").filters(mine.clone()))?;
        for (id, name) in [
            (&networks.ipam, "network-inspect-ipam"),
            (&networks.internal, "network-inspect-internal"),
            (&networks.attachable, "network-inspect-attachable"),
        ] {
            self.record(name, Request::get(format!("/networks/{id}")))?;
        }
        self.record_error(
            "network-remove-in-use",
            Request::delete(format!("/networks/{}", networks.ipam)),
            403,
        )?;

        self.record("volumes-list", Request::get("/volumes").filters(mine.clone()))?;
        let dangling = json!({ "label": [run.run_label()], "dangling": ["true"] });
        self.record(
            "volumes-list-dangling",
            Request::get("/volumes").filters(dangling),
        )?;
        self.record(
            "volume-inspect",
            Request::get(format!("/volumes/{}", run.name("data"))),
        )?;
        self.record(
            "volume-inspect-options",
            Request::get(format!("/volumes/{}", run.name("tmpfs"))),
        )?;
        self.record_error(
            "volume-not-found",
            Request::get(format!("/volumes/{}", run.name("missing"))),
            404,
        )?;
        self.record_error(
            "volume-remove-in-use",
            Request::delete(format!("/volumes/{}", run.name("data"))),
            409,
        )?;
        Ok(())
    }

    /// Commit, tag, untag, delete, and a delete the engine refuses.
    fn image_changes(&mut self, images: &Images) -> Result<()> {
        let (run, engine) = (self.run, self.engine);
        let committed = format!("{}/committed", run.prefix);
        let commit = Request::post("/commit")
            .query("container", run.name("running"))
            .query("repo", &committed)
            .query("tag", "v1")
            .query("comment", "recorded by cargo xtask record")
            .query("author", "docker-sdk")
            .query("changes", "ENV COMMITTED=1");
        self.record("image-commit", commit)?;
        self.record(
            "image-inspect-committed",
            Request::get(format!("/images/{committed}:v1/json")),
        )?;

        let tagged = format!("{}/tagged", run.prefix);
        let tag = Request::post(format!("/images/{}/tag", run.image))
            .query("repo", &tagged)
            .query("tag", "extra");
        engine.send_ok(&tag)?;
        self.record(
            "image-delete-untag",
            Request::delete(format!("/images/{tagged}:extra")),
        )?;
        self.record("image-delete", Request::delete(format!("/images/{committed}:v1")))?;
        self.record(
            "image-delete-dangling",
            Request::delete(format!("/images/{}", images.dangling)),
        )?;
        self.record_error(
            "image-delete-conflict",
            Request::delete(format!("/images/{}", images.busybox)),
            409,
        )?;
        Ok(())
    }

    /// The run's events, one response per kind of object: containers and
    /// images by the run's label, networks and volumes by name (their
    /// events carry no labels).
    fn events(&mut self, since: u64, networks: &Networks, volumes: &[String]) -> Result<()> {
        let until = ops::unix_now()? + 1;
        let events = |filters: Value| {
            Request::get("/events")
                .query("since", since)
                .query("until", until)
                .filters(filters)
        };
        let label = format!("{RUN_LABEL}={}", self.run.prefix);
        let cases = [
            (
                "events-containers",
                json!({ "type": ["container"], "label": [label] }),
            ),
            ("events-images", json!({ "type": ["image"], "label": [label] })),
            (
                "events-networks",
                json!({ "type": ["network"], "network": [
                    networks.ipam, networks.internal, networks.attachable, networks.temporary,
                ]}),
            ),
            ("events-volumes", json!({ "type": ["volume"], "volume": volumes })),
        ];
        for (name, filters) in cases {
            let lines = self.corpus.record_lines(self.engine, name, events(filters))?;
            anyhow::ensure!(!lines.is_empty(), "{name}: no events");
        }
        Ok(())
    }
}
