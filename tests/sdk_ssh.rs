//! The `ssh://` transport against a private `sshd` on 127.0.0.1, whose
//! `docker system dial-stdio` reaches this machine's engine.
//!
//! The SDK runs `ssh` as the docker CLI does; this test puts a wrapper named
//! `ssh` first on PATH that adds a config file with the test's key and known
//! hosts, so the user's own `~/.ssh` is neither needed nor touched. That is
//! why this test has a binary of its own: PATH is process-wide.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use docker_sdk::{DockerClient, Error};
use docker_sdk_tests::daemon::free_port;

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

struct Sshd {
    child: Child,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run(program: &str, args: &[&str]) -> TestResult {
    let out = Command::new(program).args(args).output()?;
    if !out.status.success() {
        return Err(format!("{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    Ok(())
}

fn start_sshd(dir: &Path, port: u16) -> Result<Sshd, Box<dyn std::error::Error + Send + Sync>> {
    let p = |f: &str| dir.join(f).display().to_string();
    run(
        "ssh-keygen",
        &["-q", "-t", "ed25519", "-N", "", "-f", &p("host_key")],
    )?;
    run(
        "ssh-keygen",
        &["-q", "-t", "ed25519", "-N", "", "-f", &p("client_key")],
    )?;
    std::fs::copy(dir.join("client_key.pub"), dir.join("authorized_keys"))?;
    std::fs::write(
        dir.join("sshd_config"),
        format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nAuthorizedKeysFile {}\nPidFile {}\n\
             PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n\
             PermitRootLogin prohibit-password\n",
            p("host_key"),
            p("authorized_keys"),
            p("sshd.pid"),
        ),
    )?;
    // sshd's privilege separation directory.
    std::fs::create_dir_all("/run/sshd")?;
    let child = Command::new("/usr/sbin/sshd")
        .args(["-D", "-e", "-f", &p("sshd_config")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join("sshd.log"))?)
        .spawn()
        .map_err(|e| format!("cannot run /usr/sbin/sshd (apt-get install openssh-server): {e}"))?;
    let sshd = Sshd { child };
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if started.elapsed() > Duration::from_secs(10) {
            let log = std::fs::read_to_string(dir.join("sshd.log")).unwrap_or_default();
            return Err(format!("sshd did not listen: {log}").into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }

    // `ssh` on PATH, with the test's identity and known hosts.
    std::fs::write(
        dir.join("ssh_config"),
        format!(
            "Host *\n  IdentityFile {}\n  IdentitiesOnly yes\n  UserKnownHostsFile {}\n  StrictHostKeyChecking accept-new\n",
            p("client_key"),
            p("known_hosts"),
        ),
    )?;
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin)?;
    let wrapper = bin.join("ssh");
    std::fs::write(
        &wrapper,
        format!("#!/bin/sh\nexec /usr/bin/ssh -F {} \"$@\"\n", p("ssh_config")),
    )?;
    run("chmod", &["+x", &wrapper.display().to_string()])?;
    Ok(sshd)
}

#[test]
fn ssh_transport_reaches_the_engine_through_dial_stdio() -> TestResult {
    let dir = tempfile::tempdir()?;
    let port = free_port()?;
    let _sshd = start_sshd(dir.path(), port)?;
    let path = format!(
        "{}:{}",
        dir.path().join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // SAFETY: this test binary holds this one test, and no other thread
    // reads the environment while it is changed.
    unsafe { std::env::set_var("PATH", path) };

    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let docker = DockerClient::builder()
            .base_url(format!("ssh://root@127.0.0.1:{port}"))
            .build()?;
        let ping = docker.ping().await?;
        assert!(ping.api_version.is_some());
        let version = docker.version().await?;
        assert!(version.api_version.is_some());
        // Several calls over pooled and new connections.
        for _ in 0..3 {
            assert!(docker.info().await?.id.is_some());
        }

        // Nothing listens there: a transport error, not a hang.
        let dead = free_port()?;
        let docker = DockerClient::builder()
            .base_url(format!("ssh://root@127.0.0.1:{dead}"))
            .timeout(Duration::from_secs(20))
            .build()?;
        let started = Instant::now();
        let error = docker.version().await.unwrap_err();
        assert!(matches!(error, Error::Transport { .. }), "{error:?}");
        assert!(started.elapsed() < Duration::from_secs(20));
        Ok(())
    })
}
