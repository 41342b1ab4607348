//! Faults: what a caller sees when the engine dies, stalls or goes away in
//! the middle of a call, and that the same client works again once an engine
//! answers.
//!
//! The daemons here are throwaway `dockerd`s, killed with SIGKILL as a crash
//! would, mid-stream: a followed log, an attach, a build, a pull. Every test
//! bounds each wait with [`PATIENCE`], so a client that hangs fails the test
//! instead of stalling the run, and checks that what arrived before the
//! fault was delivered whole and in order before the error.

use std::os::unix::net::UnixListener;
use std::path::Path;
use std::time::{Duration, Instant};

use docker_sdk::{DockerClient, Error};
use docker_sdk_tests::busybox_context;
use docker_sdk_tests::daemon::{DaemonOptions, ThrowawayDaemon};
use docker_sdk_tests::registry::LocalRegistry;
use futures::{Stream, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// The client's timeout in these tests: what a user would set.
const TIMEOUT: Duration = Duration::from_millis(800);

/// How long any one step may take before the test calls it a hang.
const PATIENCE: Duration = Duration::from_secs(20);

/// The busybox image, built inside each throwaway daemon.
const BUSYBOX: &str = "fault-busybox:latest";

fn client_for(url: &str) -> Result<DockerClient, Error> {
    DockerClient::builder().base_url(url).timeout(TIMEOUT).build()
}

/// A throwaway daemon with the busybox image, and a client on it.
async fn daemon_with_busybox()
-> Result<(ThrowawayDaemon, DockerClient), Box<dyn std::error::Error + Send + Sync>> {
    let daemon = tokio::task::spawn_blocking(|| ThrowawayDaemon::start(DaemonOptions::default())).await??;
    let client = client_for(&daemon.unix_url())?;
    client
        .images()
        .build_tar(busybox_context()?)
        .tag(BUSYBOX)
        .forcerm(true)
        .timeout(PATIENCE)
        .send()
        .await?;
    Ok((daemon, client))
}

/// The next item, or a failed test if it does not come within [`PATIENCE`].
async fn next_within<S: Stream + Unpin>(stream: &mut S, what: &str) -> Option<S::Item> {
    match tokio::time::timeout(PATIENCE, stream.next()).await {
        Ok(item) => item,
        Err(_) => panic!("{what}: the stream hung for {PATIENCE:?} after the daemon died"),
    }
}

/// Reads `stream` until `enough` says the call is well under way, so that
/// the fault comes in its middle; fails if the stream ends first.
async fn read_until<S, T>(
    stream: &mut S,
    what: &str,
    mut enough: impl FnMut(T) -> bool,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>>
where
    S: Stream<Item = Result<T, Error>> + Unpin,
{
    loop {
        match next_within(stream, what).await {
            Some(item) => {
                if enough(item?) {
                    return Ok(());
                }
            }
            None => return Err(format!("the {what} ended before the daemon was killed").into()),
        }
    }
}

/// Reads a stream to its end after a fault: the items still delivered, and
/// the error it must end with.
async fn drain_to_error<S, T>(stream: &mut S, what: &str) -> (Vec<T>, Error)
where
    S: Stream<Item = Result<T, Error>> + Unpin,
{
    let mut items = Vec::new();
    loop {
        match next_within(stream, what).await {
            Some(Ok(item)) => items.push(item),
            Some(Err(error)) => return (items, error),
            None => panic!(
                "{what}: the stream ended cleanly after the daemon was killed; a caller would take a crash for a finished stream"
            ),
        }
    }
}

fn assert_transport(error: &Error, what: &str) {
    assert!(
        matches!(error, Error::Transport { .. }),
        "{what}: expected a transport error, got {error:?}"
    );
}

/// Kills the daemon under `stream`, which must then end in a transport
/// error; gives what it still delivered before that.
async fn kill_mid_stream<S, T>(
    daemon: &mut ThrowawayDaemon,
    stream: &mut S,
    what: &str,
) -> Result<Vec<T>, Box<dyn std::error::Error + Send + Sync>>
where
    S: Stream<Item = Result<T, Error>> + Unpin,
{
    tokio::task::block_in_place(|| daemon.kill())?;
    let (rest, error) = drain_to_error(stream, what).await;
    assert_transport(&error, what);
    Ok(rest)
}

/// Starts the daemon again; the client that saw the fault must work.
async fn restart_and_recover(daemon: &mut ThrowawayDaemon, client: &DockerClient) -> TestResult {
    tokio::task::block_in_place(|| daemon.restart())?;
    assert_recovers(client).await
}

/// The client that saw the fault works again.
async fn assert_recovers(client: &DockerClient) -> TestResult {
    client.ping().await?;
    client.containers().list().all(true).send().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_daemon_killed_mid_followed_logs() -> TestResult {
    let (mut daemon, client) = daemon_with_busybox().await?;
    let container = client
        .containers()
        .run(BUSYBOX)
        .command([
            "sh",
            "-c",
            "trap 'exit 0' TERM; i=0; while true; do echo line $i; i=$((i+1)); sleep 0.05; done",
        ])
        .detach()
        .await?;
    let mut logs = container.logs().follow(true).stdout(true).stream().await?;
    let mut text = Vec::new();
    read_until(&mut logs, "logs", |piece| {
        text.extend_from_slice(piece.as_bytes());
        text.iter().filter(|b| **b == b'\n').count() >= 5
    })
    .await?;

    let rest = kill_mid_stream(&mut daemon, &mut logs, "logs").await?;
    for piece in rest {
        text.extend_from_slice(piece.as_bytes());
    }
    // Every line that arrived is there, in order, none lost or torn.
    let text = String::from_utf8(text)?;
    for (n, line) in text.lines().enumerate() {
        assert_eq!(line, format!("line {n}"), "log line {n} of:\n{text}");
    }

    restart_and_recover(&mut daemon, &client).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_daemon_killed_mid_attach() -> TestResult {
    let (mut daemon, client) = daemon_with_busybox().await?;
    let container = client
        .containers()
        .run(BUSYBOX)
        .command([
            "sh",
            "-c",
            "trap 'exit 0' TERM; while true; do echo tick; sleep 0.05; done",
        ])
        .detach()
        .await?;
    let mut attached = container.attach().stream().await?;
    let mut text = Vec::new();
    read_until(&mut attached, "attach", |piece| {
        text.extend_from_slice(piece.as_bytes());
        text.ends_with(b"tick\ntick\n")
    })
    .await?;

    let rest = kill_mid_stream(&mut daemon, &mut attached, "attach").await?;
    for piece in rest {
        text.extend_from_slice(piece.as_bytes());
    }
    let text = String::from_utf8(text)?;
    assert!(
        text.lines().all(|line| line == "tick"),
        "torn or foreign output before the fault:\n{text}"
    );

    restart_and_recover(&mut daemon, &client).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_daemon_killed_mid_build() -> TestResult {
    let (mut daemon, client) = daemon_with_busybox().await?;
    let dockerfile = format!("FROM {BUSYBOX}\nRUN trap 'exit 1' TERM; echo started; sleep 30 & wait\n");
    let mut build = client
        .images()
        .build_dockerfile(dockerfile)
        .forcerm(true)
        .stream()
        .await?
        .progress;
    let mut log = String::new();
    read_until(&mut build, "build", |message| {
        log.push_str(message.stream.as_deref().unwrap_or_default());
        log.contains("started")
    })
    .await?;

    kill_mid_stream(&mut daemon, &mut build, "build").await?;

    restart_and_recover(&mut daemon, &client).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_daemon_killed_mid_pull() -> TestResult {
    let (mut daemon, client) = daemon_with_busybox().await?;
    let registry = tokio::task::spawn_blocking(|| LocalRegistry::start(None)).await??;

    // A 16 MiB layer of noise, pushed straight to the registry, then pulled
    // through a proxy that trickles it out at 1 MiB/s: the pull is surely
    // under way when the daemon dies.
    let pushed = format!("{}/fault-pull:1", registry.address());
    client
        .images()
        .build_dockerfile(format!(
            "FROM {BUSYBOX}\nRUN head -c 16777216 /dev/urandom > /noise\n"
        ))
        .tag(&pushed)
        .forcerm(true)
        .timeout(PATIENCE)
        .send()
        .await?;
    client.images().push(&pushed).send().await?;
    client.images().remove(&pushed, false, false).await?;
    let proxy = trickle_proxy(registry.port, 1 << 20).await?;

    let mut pull = client
        .images()
        .pull(format!("127.0.0.1:{proxy}/fault-pull"))
        .tag("1")
        .stream()
        .await?;
    read_until(&mut pull, "pull", |message| {
        message.status.as_deref() == Some("Downloading")
    })
    .await?;

    kill_mid_stream(&mut daemon, &mut pull, "pull").await?;

    restart_and_recover(&mut daemon, &client).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_daemon_stopped_between_two_calls() -> TestResult {
    let mut daemon =
        tokio::task::spawn_blocking(|| ThrowawayDaemon::start(DaemonOptions::default())).await??;
    let client = client_for(&daemon.unix_url())?;
    client.ping().await?;

    tokio::task::block_in_place(|| daemon.stop());
    let started = Instant::now();
    let error = client
        .ping()
        .await
        .err()
        .ok_or("a ping to a stopped daemon succeeded")?;
    assert_transport(&error, "ping after stop");
    assert!(
        started.elapsed() < TIMEOUT,
        "a refused connection should fail at once, not after the timeout"
    );
    let message = error.to_string();
    assert!(
        message.contains(&daemon.unix_url()),
        "the error names the engine: {message}"
    );

    restart_and_recover(&mut daemon, &client).await
}

/// A socket that accepts connections and never says a word, then one that
/// answers half a response: each call ends in [`Error::Timeout`] at the
/// client's timeout. Once the path leads to a real engine, the same client
/// works.
#[tokio::test]
async fn a_socket_that_never_answers() -> TestResult {
    let dir = tempfile::tempdir()?;
    let socket = dir.path().join("silent.sock");
    let client = client_for(&format!("unix://{}", socket.display()))?;

    let silent = Listener::start(&socket, Silence::Total)?;
    for (call, outcome) in [
        ("ping", client.ping().await.map(drop)),
        ("list", client.containers().list().send().await.map(drop)),
    ] {
        assert_times_out(call, outcome);
    }
    drop(silent);

    let half = Listener::start(&socket, Silence::AfterHeaders)?;
    let started = Instant::now();
    let outcome = client.containers().list().send().await.map(drop);
    assert_times_out("list, half answered", outcome);
    assert!(started.elapsed() < TIMEOUT * 4, "took {:?}", started.elapsed());
    drop(half);

    std::os::unix::fs::symlink(docker_sdk_tests::engine_socket(), &socket)?;
    assert_recovers(&client).await
}

fn assert_times_out(call: &str, outcome: Result<(), Error>) {
    match outcome {
        Err(Error::Timeout { after, .. }) => assert_eq!(after, TIMEOUT, "{call}"),
        other => panic!("{call}: expected a timeout after {TIMEOUT:?}, got {other:?}"),
    }
}

/// How a [`Listener`] fails to answer.
#[derive(Clone, Copy)]
enum Silence {
    /// Accepts, reads, never writes.
    Total,
    /// Sends a response head promising a body it never sends.
    AfterHeaders,
}

/// A unix socket that holds every connection open without answering
/// properly; dropping it closes them and removes the socket.
struct Listener {
    path: std::path::PathBuf,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Listener {
    fn start(path: &Path, silence: Silence) -> std::io::Result<Self> {
        let listener = UnixListener::bind(path)?;
        listener.set_nonblocking(true)?;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopping = stop.clone();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            while !stopping.load(std::sync::atomic::Ordering::Relaxed) {
                match listener.accept() {
                    Ok((mut stream, _)) => {
                        if let Silence::AfterHeaders = silence {
                            use std::io::{Read, Write};
                            let mut request = [0_u8; 4096];
                            let _ = stream.read(&mut request);
                            let _ = stream.write_all(
                                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nApi-Version: 1.41\r\nContent-Length: 1000\r\n\r\n[",
                            );
                        }
                        held.push(stream);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Ok(Listener {
            path: path.to_owned(),
            stop,
        })
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A TCP proxy on a free 127.0.0.1 port to `upstream_port`, passing answers
/// back at about `bytes_per_second`.
async fn trickle_proxy(upstream_port: u16, bytes_per_second: usize) -> std::io::Result<u16> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    tokio::spawn(async move {
        while let Ok((downstream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let upstream = tokio::net::TcpStream::connect(("127.0.0.1", upstream_port)).await?;
                let (mut down_read, mut down_write) = downstream.into_split();
                let (mut up_read, mut up_write) = upstream.into_split();
                tokio::spawn(async move { tokio::io::copy(&mut down_read, &mut up_write).await });
                let mut buffer = vec![0_u8; 16 * 1024];
                let pause = Duration::from_secs_f64(buffer.len() as f64 / bytes_per_second as f64);
                loop {
                    let n = up_read.read(&mut buffer).await?;
                    if n == 0 {
                        return down_write.shutdown().await;
                    }
                    down_write.write_all(&buffer[..n]).await?;
                    tokio::time::sleep(pause).await;
                }
            });
        }
    });
    Ok(port)
}
