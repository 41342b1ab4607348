//! Throwaway `dockerd`s for tests that change daemon-wide state or need a
//! daemon listening on TCP: each with its own socket, data root, exec root,
//! pidfile and containerd namespace, all under one temporary directory that
//! is removed with the daemon.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{BoxError, unique_name};

/// TLS files for a daemon listening with `--tlsverify`.
#[derive(Clone, Debug)]
pub struct DaemonTls {
    /// CA that signed the server and client certificates.
    pub ca: PathBuf,
    /// The server's certificate and key.
    pub cert: PathBuf,
    /// The server's key.
    pub key: PathBuf,
}

/// How to start a throwaway daemon.
#[derive(Clone, Debug, Default)]
pub struct DaemonOptions {
    /// Also listen on 127.0.0.1 (a free port), with TLS when given.
    pub tcp: bool,
    /// TLS for the TCP listener.
    pub tls: Option<DaemonTls>,
    /// Run inside this network namespace (made by the caller, as
    /// [`crate::cluster::Cluster`] does), with the default bridge of its
    /// own there, instead of on a bridge of the host's.
    pub netns: Option<String>,
}

/// A running throwaway daemon; dropping it stops the daemon and removes
/// everything it wrote.
#[derive(Debug)]
pub struct ThrowawayDaemon {
    dir: PathBuf,
    child: Option<Child>,
    /// How it was started, so that it can be started again.
    args: Vec<String>,
    netns: Option<String>,
    /// Its unix socket.
    pub socket: PathBuf,
    /// Its TCP port, when it listens on TCP.
    pub tcp_port: Option<u16>,
    /// Dropped after the daemon has stopped (fields drop after `drop`).
    _bridge: Option<BridgeGuard>,
}

/// Deletes the daemon's bridge.
#[derive(Debug)]
struct BridgeGuard(String);

impl Drop for BridgeGuard {
    fn drop(&mut self) {
        if let Err(e) = ip(&["link", "del", &self.0]) {
            eprintln!("throwaway dockerd: {e}");
        }
    }
}

pub(crate) fn ip(args: &[&str]) -> Result<(), BoxError> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run ip: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )
        .into());
    }
    Ok(())
}

/// A small stable hash, for names of at most 15 bytes.
pub(crate) fn fnv(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

impl ThrowawayDaemon {
    /// Starts a daemon and waits until it answers on its socket.
    pub fn start(options: DaemonOptions) -> Result<Self, BoxError> {
        let name = unique_name("dsd");
        // Unix socket paths are short (108 bytes): keep the directory shallow.
        let dir = PathBuf::from("/tmp").join(&name);
        std::fs::create_dir_all(&dir)?;
        let config = dir.join("daemon.json");
        std::fs::write(&config, "{}")?;
        let socket = dir.join("docker.sock");

        // Never `--bridge=none`: dockerd then deletes `docker0`, the machine
        // engine's bridge. Each throwaway daemon on the host gets a bridge of
        // its own, addressed in the benchmarking range (198.18.0.0/15), which
        // no outside network uses; one in a namespace of its own makes its
        // default bridge there.
        let bridge_guard = match options.netns {
            Some(_) => None,
            None => {
                let bridge = format!("dsd{:08x}", fnv(&name));
                let octet = (fnv(&name) % 250) + 2;
                ip(&["link", "add", &bridge, "type", "bridge"])?;
                let guard = BridgeGuard(bridge.clone());
                ip(&["addr", "add", &format!("198.18.{octet}.1/24"), "dev", &bridge])?;
                ip(&["link", "set", &bridge, "up"])?;
                Some(guard)
            }
        };

        let mut args: Vec<String> = vec![
            format!("--config-file={}", config.display()),
            format!("--data-root={}", dir.join("data").display()),
            format!("--exec-root={}", dir.join("exec").display()),
            format!("--pidfile={}", dir.join("docker.pid").display()),
            format!("--host=unix://{}", socket.display()),
            "--iptables=false".into(),
            "--ip-masq=false".into(),
            format!("--containerd-namespace={name}"),
            format!("--containerd-plugins-namespace={name}-plugins"),
        ];
        if let Some(bridge) = &bridge_guard {
            args.push(format!("--bridge={}", bridge.0));
        }
        let tcp_port = if options.tcp { Some(free_port()?) } else { None };
        if let Some(port) = tcp_port {
            args.push(format!("--host=tcp://127.0.0.1:{port}"));
            if let Some(tls) = &options.tls {
                args.push("--tlsverify".into());
                args.push(format!("--tlscacert={}", tls.ca.display()));
                args.push(format!("--tlscert={}", tls.cert.display()));
                args.push(format!("--tlskey={}", tls.key.display()));
            }
        }
        let mut daemon = ThrowawayDaemon {
            dir,
            child: None,
            args,
            netns: options.netns,
            socket,
            tcp_port,
            _bridge: bridge_guard,
        };
        daemon.spawn()?;
        Ok(daemon)
    }

    /// Runs dockerd with the daemon's arguments and waits until it answers.
    fn spawn(&mut self) -> Result<(), BoxError> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("dockerd.log"))?;
        // `ip netns exec` would remount /sys, and dockerd then finds no
        // devices cgroup; entering only the network namespace works.
        let mut command = match &self.netns {
            Some(netns) => {
                let mut nsenter = Command::new("nsenter");
                nsenter
                    .arg(format!("--net=/var/run/netns/{netns}"))
                    .arg("dockerd");
                nsenter
            }
            None => Command::new("dockerd"),
        };
        let child = command
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot run dockerd: {e}"))?;
        self.child = Some(child);
        self.wait_until_ready(Duration::from_secs(60))
    }

    /// Kills the daemon outright (SIGKILL), as a crash would: connections
    /// break mid-answer and its socket stops answering. Its containers are
    /// left to the next start, which cleans them up.
    pub fn kill(&mut self) -> Result<(), BoxError> {
        if let Some(mut child) = self.child.take() {
            child.kill()?;
            child.wait()?;
        }
        // Its containerd dies with it (a parent-death signal), but not at
        // once; a new dockerd would wait on the old one's socket.
        let containerd = self.dir.join("exec/containerd/containerd.pid");
        if let Ok(pid) = std::fs::read_to_string(&containerd) {
            let alive = Path::new("/proc").join(pid.trim());
            let deadline = Instant::now() + Duration::from_secs(20);
            while alive.exists() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        Ok(())
    }

    /// Stops the daemon the polite way (SIGTERM), waiting until it is gone.
    pub fn stop(&mut self) {
        if let Some(child) = self.child.take() {
            terminate(child);
        }
    }

    /// Starts the daemon again after [`Self::kill`] or [`Self::stop`], on
    /// the same socket and data root.
    pub fn restart(&mut self) -> Result<(), BoxError> {
        self.kill()?;
        // A killed dockerd leaves its pidfile and socket behind; the new one
        // refuses to start over a live-looking pidfile only if the pid runs.
        let _ = std::fs::remove_file(&self.socket);
        self.spawn()
    }

    /// `unix://…` of its socket, for `DOCKER_HOST` or `base_url`.
    pub fn unix_url(&self) -> String {
        format!("unix://{}", self.socket.display())
    }

    /// Its directory (certificates made for it may live there too).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn wait_until_ready(&mut self, limit: Duration) -> Result<(), BoxError> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Some(status) = self.child.as_mut().map(Child::try_wait).transpose()?.flatten() {
                return Err(format!("dockerd exited ({status}); log:\n{}", self.log_tail()).into());
            }
            let pong = Command::new("curl")
                .args(["-sf", "--max-time", "2", "--unix-socket"])
                .arg(&self.socket)
                .arg("http://localhost/_ping")
                .output();
            if pong.is_ok_and(|o| o.status.success() && o.stdout == b"OK") {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Err(format!(
            "dockerd did not answer within {limit:?}; log:\n{}",
            self.log_tail()
        )
        .into())
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.dir.join("dockerd.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

impl Drop for ThrowawayDaemon {
    fn drop(&mut self) {
        if self.child.is_none() && self.socket.exists() {
            // Killed and never restarted: start it once more, so that it
            // stops the containers the killed one left running.
            if let Err(e) = self.spawn() {
                eprintln!("throwaway dockerd: could not restart it to clean up: {e}");
            }
        }
        self.stop();
        sweep(&self.dir);
        if let Err(e) = std::fs::remove_dir_all(&self.dir) {
            eprintln!("throwaway dockerd: could not remove {}: {e}", self.dir.display());
        }
    }
}

/// What a daemon that could not stop cleanly leaves under `dir`: container
/// shims (killed) and mounts (detached, deepest first).
fn sweep(dir: &Path) {
    let dir = dir.to_string_lossy().into_owned();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let command = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            if String::from_utf8_lossy(&command).contains(&dir) {
                let _ = Command::new("kill").arg("-KILL").arg(entry.file_name()).status();
            }
        }
    }
    let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap_or_default();
    let mut points: Vec<&str> = mounts
        .lines()
        .filter_map(|line| line.split_whitespace().nth(1))
        .filter(|point| point.starts_with(&dir))
        .collect();
    points.sort_unstable_by_key(|point| std::cmp::Reverse(point.len()));
    for point in points {
        let _ = Command::new("umount").args(["-l", point]).status();
    }
}

/// SIGTERM lets dockerd stop its containers and unmount; SIGKILL only if it
/// will not within 20 s.
fn terminate(mut child: Child) {
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// A TCP port nothing listens on right now.
pub fn free_port() -> std::io::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// A test CA with a server certificate for the name `localhost` only (so
/// that dialling 127.0.0.1 exercises the hostname check), and a client
/// certificate, made with `openssl` in `dir`.
#[derive(Clone, Debug)]
pub struct TestCertificates {
    /// The CA certificate.
    pub ca: PathBuf,
    /// Server certificate and key.
    pub server: DaemonTls,
    /// Directory holding `ca.pem`, `cert.pem` and `key.pem` for the client,
    /// laid out as `DOCKER_CERT_PATH` expects.
    pub client_dir: PathBuf,
}

impl TestCertificates {
    /// Makes a CA, a server and a client certificate under `dir`.
    pub fn make(dir: &Path, name: &str) -> Result<Self, BoxError> {
        Self::make_for(dir, name, "DNS:localhost")
    }

    /// As [`TestCertificates::make`], with the server certificate for
    /// `subject_alt_name` (`DNS:host` or `IP:198.19.0.10`) instead.
    pub fn make_for(dir: &Path, name: &str, subject_alt_name: &str) -> Result<Self, BoxError> {
        let dir = dir.join(name);
        let client_dir = dir.join("client");
        std::fs::create_dir_all(&client_dir)?;
        let p = |file: &str| dir.join(file);
        let openssl = |args: &[&str]| -> Result<(), BoxError> {
            let out = Command::new("openssl").args(args).current_dir(&dir).output()?;
            if !out.status.success() {
                return Err(format!("openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr)).into());
            }
            Ok(())
        };
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            &format!("/CN={name} CA"),
            "-keyout",
            "ca-key.pem",
            "-out",
            "ca.pem",
        ])?;
        std::fs::write(
            p("server.ext"),
            format!("subjectAltName={subject_alt_name}\nextendedKeyUsage=serverAuth\n"),
        )?;
        std::fs::write(p("client.ext"), "extendedKeyUsage=clientAuth\n")?;
        for (who, subject) in [("server", "/CN=localhost"), ("client", "/CN=client")] {
            openssl(&[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-subj",
                subject,
                "-keyout",
                &format!("{who}-key.pem"),
                "-out",
                &format!("{who}.csr"),
            ])?;
            openssl(&[
                "x509",
                "-req",
                "-in",
                &format!("{who}.csr"),
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca-key.pem",
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                &format!("{who}.ext"),
                "-out",
                &format!("{who}.pem"),
            ])?;
        }
        std::fs::copy(p("ca.pem"), client_dir.join("ca.pem"))?;
        std::fs::copy(p("client.pem"), client_dir.join("cert.pem"))?;
        std::fs::copy(p("client-key.pem"), client_dir.join("key.pem"))?;
        Ok(TestCertificates {
            ca: p("ca.pem"),
            server: DaemonTls {
                ca: p("ca.pem"),
                cert: p("server.pem"),
                key: p("server-key.pem"),
            },
            client_dir,
        })
    }
}
