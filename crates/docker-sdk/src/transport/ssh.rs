//! `ssh://` engines, reached as the docker CLI reaches them: by running
//! `ssh [-l user] [-p port] -- host docker system dial-stdio` and speaking
//! HTTP over its stdin and stdout. Each connection reqwest opens to a
//! private unix socket (in a directory only this user can read) gets its own
//! `ssh` process.

use std::io::Read;
use std::os::unix::fs::DirBuilderExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use crate::error::{Error, Result};

/// A private unix socket whose every connection is an `ssh` session to the
/// engine's host. Dropping it stops accepting and removes the socket.
#[derive(Debug)]
pub(crate) struct SshTunnel {
    dir: PathBuf,
    socket: PathBuf,
    stop: Arc<AtomicBool>,
}

impl SshTunnel {
    pub(crate) fn start(user: Option<&str>, host: &str, port: Option<u16>) -> Result<Self> {
        let address = format!(
            "ssh://{}{host}",
            user.map(|u| format!("{u}@")).unwrap_or_default()
        );
        let fail = |message: String| Error::Transport {
            host: address.clone(),
            message,
        };
        let ssh =
            which("ssh").ok_or_else(|| fail("no `ssh` client on PATH; install openssh-client".into()))?;

        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "docker-sdk-ssh-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&dir)
            .map_err(|e| fail(format!("cannot create {}: {e}", dir.display())))?;
        let socket = dir.join("engine.sock");
        let listener = UnixListener::bind(&socket)
            .map_err(|e| fail(format!("cannot listen on {}: {e}", socket.display())))?;

        let mut args: Vec<String> = vec![
            "-o".into(),
            "ConnectTimeout=30".into(),
            "-o".into(),
            "BatchMode=yes".into(),
            "-T".into(),
        ];
        if let Some(user) = user {
            args.extend(["-l".into(), user.to_owned()]);
        }
        if let Some(port) = port {
            args.extend(["-p".into(), port.to_string()]);
        }
        args.extend([
            "--".into(),
            host.to_owned(),
            "docker".into(),
            "system".into(),
            "dial-stdio".into(),
        ]);

        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::Builder::new()
            .name("docker-sdk-ssh".into())
            .spawn(move || {
                for connection in listener.incoming() {
                    if stopped.load(Ordering::Acquire) {
                        break;
                    }
                    match connection {
                        Ok(connection) => relay(connection, &ssh, &args),
                        Err(e) => tracing::warn!("ssh tunnel: accept failed: {e}"),
                    }
                }
            })
            .map_err(|e| fail(format!("cannot start the ssh relay: {e}")))?;
        Ok(Self { dir, socket, stop })
    }

    pub(crate) fn socket(&self) -> &Path {
        &self.socket
    }
}

impl Drop for SshTunnel {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        // Wake the accept loop so that it sees the flag.
        let _ = UnixStream::connect(&self.socket);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Copies one connection to and from a new `ssh` process, each direction on
/// a thread of its own; both end when either side closes.
fn relay(connection: UnixStream, ssh: &Path, args: &[String]) {
    let child = Command::new(ssh)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => {
            tracing::warn!("ssh tunnel: cannot run {}: {e}", ssh.display());
            return;
        }
    };
    let (Some(mut stdin), Some(mut stdout), Some(mut stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return;
    };
    let Ok(mut to_engine) = connection.try_clone() else {
        return;
    };
    let mut from_engine = connection;
    let _ = std::thread::Builder::new()
        .name("docker-sdk-ssh-up".into())
        .spawn(move || {
            pump(&mut to_engine, &mut stdin);
            // Closing ssh's stdin ends dial-stdio's input half.
        });
    // ssh's stderr is drained as it comes: a full pipe would stall ssh.
    let complaints = std::thread::Builder::new()
        .name("docker-sdk-ssh-err".into())
        .spawn(move || {
            let mut message = String::new();
            let _ = stderr.read_to_string(&mut message);
            message
        });
    let _ = std::thread::Builder::new()
        .name("docker-sdk-ssh-down".into())
        .spawn(move || {
            pump(&mut stdout, &mut from_engine);
            let _ = from_engine.shutdown(std::net::Shutdown::Both);
            let status = child.wait();
            let message = complaints
                .ok()
                .and_then(|reader| reader.join().ok())
                .unwrap_or_default();
            match status {
                Ok(status) if !status.success() => {
                    tracing::warn!("ssh exited with {status}: {}", message.trim());
                }
                _ => {}
            }
        });
}

/// Copies until end of input or an error. Not `std::io::copy`: on Linux it
/// splices a socket into a pipe, holding the pipe's lock while it waits for
/// the socket, so `ssh` could never read what was already written.
fn pump(from: &mut impl Read, to: &mut impl std::io::Write) {
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        match from.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if to.write_all(&buffer[..n]).and_then(|()| to.flush()).is_err() {
                    return;
                }
            }
        }
    }
}

fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}
