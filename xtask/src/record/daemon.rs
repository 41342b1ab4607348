//! A throwaway `dockerd`, with a local registry beside it, for what changes
//! daemon-wide state (swarm, plugins, prunes) or needs a registry (pulls,
//! pushes, plugin privileges).
//!
//! Both run in a network namespace of their own: the daemon's default bridge
//! (198.18.253.1/24), the interfaces a swarm makes (`docker_gwbridge`, the
//! ingress sandbox) and the registry's port then exist only there, never
//! beside the machine engine's or another test daemon's, and vanish with
//! the namespace. The daemon has its own socket, data root, exec root,
//! pidfile, config file and containerd namespaces, all under one directory,
//! `--iptables=false` and `--ip-masq=false`, as `spec/evidence/record-plugins.sh`
//! and the tests' throwaway daemons have. Dropping it stops both processes
//! and removes the namespace and the directory.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use super::http::{Engine, Request};

/// The namespace's own address, which a swarm advertises.
pub const NODE_ADDR: &str = "198.18.252.2";

/// Where the registry listens, inside the namespace (the daemon trusts
/// 127.0.0.0/8 over plain HTTP by default).
pub const REGISTRY: &str = "127.0.0.1:5000";

/// A running throwaway daemon and registry.
pub struct Throwaway {
    dir: PathBuf,
    netns: String,
    dockerd: Option<Child>,
    registry: Option<Child>,
    pub socket: PathBuf,
}

impl Throwaway {
    /// Starts the namespace, the registry and the daemon, under `dir`
    /// (which must be short: plugin sockets live under the exec root, and
    /// unix socket paths have 108 bytes). `tag` names the namespace and the
    /// containerd namespaces.
    pub fn start(dir: &Path, tag: &str) -> Result<Self> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let mut daemon = Throwaway {
            dir: dir.to_owned(),
            netns: tag.to_owned(),
            dockerd: None,
            registry: None,
            socket: dir.join("docker.sock"),
        };
        daemon.make_namespace()?;
        daemon.registry = Some(daemon.spawn_registry()?);
        daemon.dockerd = Some(daemon.spawn_dockerd(tag)?);
        daemon.wait_until_ready(Duration::from_secs(60))?;
        Ok(daemon)
    }

    /// The namespace, with loopback and an interface addressed in the
    /// benchmarking range (198.18.0.0/15), which no outside network uses:
    /// one end of a veth pair whose other end is in the namespace too (this
    /// kernel has no `dummy` links), so nothing connects it to the host.
    fn make_namespace(&self) -> Result<()> {
        run("ip", &["netns", "add", &self.netns])?;
        let n = self.netns.as_str();
        run("ip", &["-n", n, "link", "set", "lo", "up"])?;
        run(
            "ip",
            &[
                "-n", n, "link", "add", "eth0", "type", "veth", "peer", "name", "eth1",
            ],
        )?;
        run("ip", &["-n", n, "link", "set", "eth1", "up"])?;
        run(
            "ip",
            &["-n", n, "addr", "add", &format!("{NODE_ADDR}/24"), "dev", "eth0"],
        )?;
        // No default route: anything the daemon tries to reach outside
        // (a registry on the internet) fails at once instead of hanging.
        run("ip", &["-n", n, "link", "set", "eth0", "up"])
    }

    /// A command that runs inside the namespace. Only the network namespace
    /// is entered: `ip netns exec` would remount /sys, and dockerd then
    /// finds no devices cgroup.
    fn in_netns(&self, program: &str) -> Command {
        let mut command = Command::new("nsenter");
        command
            .arg(format!("--net=/var/run/netns/{}", self.netns))
            .arg(program);
        command
    }

    fn spawn_registry(&self) -> Result<Child> {
        let config = self.dir.join("registry.yml");
        let storage = self.dir.join("registry");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: {REGISTRY}\n",
                storage.display()
            ),
        )?;
        let log = std::fs::File::create(self.dir.join("registry.log"))?;
        self.in_netns("docker-registry")
            .arg("serve")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("cannot run docker-registry (apt-get install docker-registry)")
    }

    fn spawn_dockerd(&self, tag: &str) -> Result<Child> {
        let config = self.dir.join("daemon.json");
        // Its own config file: the machine's daemon.json sets data-root,
        // which would clash with --data-root.
        std::fs::write(&config, "{}")?;
        let log = std::fs::File::create(self.dir.join("dockerd.log"))?;
        let path = |name: &str| self.dir.join(name).display().to_string();
        self.in_netns("dockerd")
            .arg(format!("--config-file={}", config.display()))
            .arg(format!("--data-root={}", path("d")))
            .arg(format!("--exec-root={}", path("x")))
            .arg(format!("--pidfile={}", path("docker.pid")))
            .arg(format!("--host=unix://{}", self.socket.display()))
            .args(["--bip=198.18.253.1/24", "--iptables=false", "--ip-masq=false"])
            .arg("--default-address-pool=base=198.19.0.0/17,size=24")
            .arg(format!("--containerd-namespace={tag}"))
            .arg(format!("--containerd-plugins-namespace={tag}-plugins"))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("cannot run dockerd")
    }

    /// Makes dockerd reload its configuration file (SIGHUP), which it
    /// reports as a `daemon` event with the action `reload`.
    pub fn reload(&self) -> Result<()> {
        let dockerd = self.dockerd.as_ref().context("dockerd is not running")?;
        // nsenter execs dockerd (no --fork): the child is dockerd itself.
        run("kill", &["-HUP", &dockerd.id().to_string()])
    }

    fn wait_until_ready(&mut self, limit: Duration) -> Result<()> {
        let started = Instant::now();
        let probe = Engine::new("throwaway daemon", &self.socket, "", &self.dir);
        while started.elapsed() < limit {
            if let Some(dockerd) = self.dockerd.as_mut()
                && let Some(status) = dockerd.try_wait()?
            {
                bail!("dockerd exited ({status}); log:\n{}", self.log_tail());
            }
            let ping = Request::get("/_ping").timeout(Duration::from_secs(2));
            if probe.send(&ping).is_ok_and(|r| r.body == b"OK") {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        bail!(
            "dockerd did not answer within {limit:?}; log:\n{}",
            self.log_tail()
        )
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.dir.join("dockerd.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

impl Drop for Throwaway {
    fn drop(&mut self) {
        if let Some(dockerd) = self.dockerd.take() {
            // Leaving the swarm first stops its tasks while the daemon can.
            let engine = Engine::new("throwaway daemon", &self.socket, "", &self.dir);
            let _ = engine.send(&Request::post("/swarm/leave").query("force", 1));
            disable_plugins(&engine);
            stop(dockerd, Duration::from_secs(30));
        }
        kill_leftover_shims(&[self.netns.clone(), format!("{}-plugins", self.netns)]);
        if let Some(registry) = self.registry.take() {
            stop(registry, Duration::from_secs(5));
        }
        unmount_under(&self.dir);
        if let Err(e) = run("ip", &["netns", "del", &self.netns]) {
            eprintln!("throwaway daemon: {e:#}");
        }
        if let Err(e) = std::fs::remove_dir_all(&self.dir) {
            eprintln!("throwaway daemon: could not remove {}: {e}", self.dir.display());
        }
    }
}

/// Removes what the throwaway daemon of an interrupted run left (a run
/// killed by a signal never drops its [`Throwaway`]): for each
/// `/tmp/dsr<pid>` whose pid no process has any more, the processes naming
/// that directory or its containerd namespaces (dockerd, its containerd,
/// the registry, shims and what they run), then its mounts, namespace and
/// directory.
pub fn sweep_interrupted() {
    let Ok(entries) = std::fs::read_dir("/tmp") else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix("dsr").and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        eprintln!("removing the throwaway daemon an interrupted run left ({name})");
        let dir = format!("/tmp/{name}/");
        let namespaces = [name.clone(), format!("{name}-plugins")];
        kill_leftover_shims(&namespaces);
        for (process, _, cmdline) in processes() {
            if cmdline.iter().any(|arg| arg.contains(&dir)) {
                let _ = Command::new("kill")
                    .arg("-KILL")
                    .arg(process.to_string())
                    .status();
            }
        }
        std::thread::sleep(Duration::from_millis(500));
        unmount_under(&entry.path());
        let _ = run("ip", &["netns", "del", &name]);
        if let Err(e) = std::fs::remove_dir_all(entry.path()) {
            eprintln!("could not remove {}: {e}", entry.path().display());
        }
    }
}

/// Disables every enabled plugin: a plugin runs under a containerd shim,
/// which outlives the daemon (and its containerd) unless stopped first.
fn disable_plugins(engine: &Engine) {
    let Ok(plugins) = engine.send(&Request::get("/plugins")).and_then(|r| r.json()) else {
        return;
    };
    for plugin in plugins.as_array().into_iter().flatten() {
        let enabled = plugin.get("Enabled").and_then(serde_json::Value::as_bool) == Some(true);
        if let (true, Some(id)) = (enabled, plugin.get("Id").and_then(serde_json::Value::as_str)) {
            let disable = Request::post(format!("/plugins/{id}/disable")).query("force", 1);
            if let Err(e) = engine.send(&disable) {
                eprintln!("throwaway daemon: disabling plugin {id}: {e:#}");
            }
        }
    }
}

/// Kills what still runs in the daemon's containerd namespaces after it
/// stopped (a shim and its process), found by the shim's `-namespace`
/// argument: processes this run started, by pid, children first.
fn kill_leftover_shims(namespaces: &[String]) {
    let processes = processes();
    for (pid, _, cmdline) in &processes {
        let mut args = cmdline.iter();
        let is_shim = args.next().is_some_and(|a| a.contains("containerd-shim"));
        let ours = cmdline
            .windows(2)
            .any(|w| w[0] == "-namespace" && namespaces.contains(&w[1]));
        if !(is_shim && ours) {
            continue;
        }
        for (child, parent, _) in &processes {
            if parent == pid {
                let _ = Command::new("kill").arg("-KILL").arg(child.to_string()).status();
            }
        }
        let _ = Command::new("kill").arg("-KILL").arg(pid.to_string()).status();
        eprintln!("throwaway daemon: killed a leftover containerd shim ({pid})");
    }
}

/// Every process: its pid, its parent's pid and its command line.
fn processes() -> Vec<(u32, u32, Vec<String>)> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let (Ok(stat), Ok(cmdline)) = (
            std::fs::read_to_string(entry.path().join("stat")),
            std::fs::read(entry.path().join("cmdline")),
        ) else {
            continue;
        };
        // `pid (comm) state ppid …`: comm may hold spaces, so split after it.
        let parent = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        let args = cmdline
            .split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        found.push((pid, parent, args));
    }
    found
}

/// SIGTERM (dockerd then stops its containerd and unmounts), SIGKILL after
/// `grace`.
fn stop(mut child: Child, grace: Duration) {
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Lazily unmounts whatever a killed daemon left mounted under `dir`
/// (deepest first), so that the directory can be removed.
fn unmount_under(dir: &Path) {
    let Ok(mountinfo) = std::fs::read_to_string("/proc/self/mountinfo") else {
        return;
    };
    let mut points: Vec<&str> = mountinfo
        .lines()
        .filter_map(|line| line.split(' ').nth(4))
        .filter(|point| Path::new(point).starts_with(dir))
        .collect();
    points.sort_by_key(|p| std::cmp::Reverse(p.len()));
    for point in points {
        let _ = Command::new("umount").arg("-l").arg(point).status();
    }
}

/// Runs a command that must succeed.
pub fn run(program: &str, args: &[&str]) -> Result<()> {
    let output = Command::new(program)
        .args(args)
        .output()
        .with_context(|| format!("cannot run {program}"))?;
    if !output.status.success() {
        bail!(
            "{program} {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}
