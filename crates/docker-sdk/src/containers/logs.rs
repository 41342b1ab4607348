//! A container's output: its logs, and attaching to it (with stdin over a
//! hijacked connection).

use tokio::io::WriteHalf;

use docker_engine_api::{ByteStream, ResponseValue};

use super::Container;
use crate::DockerClient;
use crate::api::types;
use crate::client::RawError;
use crate::error::{Error, Result};
use crate::stream::multiplex::EndCheck;
use crate::stream::{Demuxed, LogStream, io_stream};
use crate::system::EventTime;

impl Container {
    /// The container's logs (`docker logs`): stdout and stderr unless told
    /// otherwise, collected or streamed.
    ///
    /// ```no_run
    /// # async fn example(container: docker_sdk::Container) -> docker_sdk::Result<()> {
    /// let last = container.logs().tail(10).timestamps(true).send().await?;
    /// print!("{}", String::from_utf8_lossy(&last));
    /// let both = container.logs().stream().await?.demux().await?;
    /// assert!(both.stderr.len() <= last.len() || true);
    /// # Ok(())
    /// # }
    /// ```
    pub fn logs(&self) -> Logs<'_> {
        Logs {
            container: self,
            stdout: true,
            stderr: true,
            timestamps: false,
            tail: None,
            since: None,
            until: None,
            follow: false,
        }
    }

    /// Attaches to the container's output, from now on (and what it wrote
    /// before, with `logs`), until it stops.
    pub fn attach(&self) -> Attach<'_> {
        Attach {
            container: self,
            stdout: true,
            stderr: true,
            logs: false,
            stdin: false,
            detach_keys: None,
        }
    }
}

/// Options of [`Container::logs`], as docker-py names them.
#[derive(Debug)]
#[must_use = "nothing is sent until `send` or `stream`"]
pub struct Logs<'c> {
    container: &'c Container,
    stdout: bool,
    stderr: bool,
    timestamps: bool,
    tail: Option<usize>,
    since: Option<EventTime>,
    until: Option<EventTime>,
    follow: bool,
}

impl Logs<'_> {
    /// Include stdout (default: yes).
    pub fn stdout(mut self, stdout: bool) -> Self {
        self.stdout = stdout;
        self
    }

    /// Include stderr (default: yes).
    pub fn stderr(mut self, stderr: bool) -> Self {
        self.stderr = stderr;
        self
    }

    /// Prefix each line with its RFC 3339 time.
    pub fn timestamps(mut self, timestamps: bool) -> Self {
        self.timestamps = timestamps;
        self
    }

    /// Only the last `lines` lines (default: all).
    pub fn tail(mut self, lines: usize) -> Self {
        self.tail = Some(lines);
        self
    }

    /// Only what was written from this time on.
    pub fn since(mut self, time: impl Into<EventTime>) -> Self {
        self.since = Some(time.into());
        self
    }

    /// Only what was written before this time.
    pub fn until(mut self, time: impl Into<EventTime>) -> Self {
        self.until = Some(time.into());
        self
    }

    /// Keep streaming what the container writes until it stops.
    pub fn follow(mut self, follow: bool) -> Self {
        self.follow = follow;
        self
    }

    /// Streams the logs, demultiplexed (or raw for a TTY), as they are read.
    ///
    /// # Errors
    ///
    /// [`crate::Error::NotFound`] when the container is gone; the engine's
    /// refusal for a logging driver that cannot be read back.
    pub async fn stream(self) -> Result<LogStream> {
        let container = self.container;
        let tty = container.has_tty().await?;
        output_stream(&container.client, "containers.logs", tty, |api| {
            let mut request = api
                .container_logs()
                .id(container.id())
                .stdout(self.stdout)
                .stderr(self.stderr)
                .timestamps(self.timestamps)
                .follow(self.follow)
                .tail(self.tail.map_or_else(|| "all".to_owned(), |n| n.to_string()));
            if let Some(EventTime(since)) = self.since {
                request = request.since(since);
            }
            if let Some(EventTime(until)) = self.until {
                request = request.until(until);
            }
            request.send()
        })
        .await
    }

    /// Reads the logs whole, stdout and stderr interleaved as written
    /// (docker-py's `logs()`). With `follow`, this waits for the container
    /// to stop.
    ///
    /// # Errors
    ///
    /// As for [`Logs::stream`], and a connection broken while reading.
    pub async fn send(self) -> Result<Vec<u8>> {
        self.stream().await?.concat().await
    }
}

/// Options of [`Container::attach`], as docker-py names them.
#[derive(Debug)]
#[must_use = "nothing is sent until `send`, `stream` or `socket`"]
pub struct Attach<'c> {
    container: &'c Container,
    stdout: bool,
    stderr: bool,
    logs: bool,
    stdin: bool,
    detach_keys: Option<String>,
}

impl Attach<'_> {
    /// Include stdout (default: yes).
    pub fn stdout(mut self, stdout: bool) -> Self {
        self.stdout = stdout;
        self
    }

    /// Include stderr (default: yes).
    pub fn stderr(mut self, stderr: bool) -> Self {
        self.stderr = stderr;
        self
    }

    /// Replay what the container wrote before attaching.
    pub fn logs(mut self, logs: bool) -> Self {
        self.logs = logs;
        self
    }

    /// Attach stdin too ([`Attach::socket`] only; the container must have
    /// been created with `stdin_open`).
    pub fn stdin(mut self, stdin: bool) -> Self {
        self.stdin = stdin;
        self
    }

    /// The key sequence that detaches, such as `"ctrl-p,ctrl-q"`.
    pub fn detach_keys(mut self, keys: impl Into<String>) -> Self {
        self.detach_keys = Some(keys.into());
        self
    }

    /// Streams the output until the container stops.
    ///
    /// # Errors
    ///
    /// [`crate::Error::NotFound`] when the container is gone.
    pub async fn stream(self) -> Result<LogStream> {
        let container = self.container;
        let tty = container.has_tty().await?;
        let operation = "containers.attach";
        let output = output_stream(&container.client, operation, tty, |api| {
            let mut request = api
                .container_attach()
                .id(container.id())
                .stream(true)
                .logs(self.logs)
                .stdout(self.stdout)
                .stderr(self.stderr);
            if let Some(keys) = self.detach_keys {
                request = request.detach_keys(keys);
            }
            request.send()
        })
        .await?;
        Ok(output.with_end_check(container_stopped(container, operation)))
    }

    /// Reads everything the container writes until it stops, stdout and
    /// stderr kept apart (docker-py's `attach(demux=True)`).
    ///
    /// # Errors
    ///
    /// As for [`Attach::stream`].
    pub async fn send(self) -> Result<Demuxed> {
        self.stream().await?.demux().await
    }

    /// Attaches over a hijacked connection: the container's output to read,
    /// and (with `stdin`) its input to write. Shutting the input down
    /// (`AsyncWriteExt::shutdown`) closes the container's stdin.
    ///
    /// ```no_run
    /// # async fn example(container: docker_sdk::Container) -> docker_sdk::Result<()> {
    /// use tokio::io::AsyncWriteExt;
    ///
    /// let mut attached = container.attach().stdin(true).socket().await?;
    /// attached.input.write_all(b"hello\n").await.ok();
    /// attached.input.shutdown().await.ok();
    /// let output = attached.output.demux().await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As for [`Attach::stream`], and [`crate::Error::Transport`] when the
    /// engine does not switch protocols.
    pub async fn socket(self) -> Result<AttachSocket> {
        let container = self.container;
        let client = &container.client;
        let tty = container.has_tty().await?;
        let api = client.api().await?;
        let params = docker_engine_api::hijack::AttachParams {
            stream: true,
            logs: self.logs,
            stdin: self.stdin,
            stdout: self.stdout,
            stderr: self.stderr,
            detach_keys: self.detach_keys,
        };
        let operation = "containers.attach_socket";
        let host = client.host().to_string();
        let attach = docker_engine_api::hijack::container_attach(&api.client, container.id(), &params);
        let upgraded = client
            .respond_within(operation, Some(api.version), Some(client.timeout()), attach)
            .await?;
        let (mut output, input) = split(upgraded, tty, operation, host);
        // With stdin attached, the user may detach (`detach_keys`), and the
        // container then rightly outlives the connection.
        if !self.stdin {
            output = output.with_end_check(container_stopped(container, operation));
        }
        Ok(AttachSocket { output, input })
    }
}

/// Confirms that an attach ended because the container stopped (or was
/// removed), not because the engine went away: at the end of an attach,
/// waiting for `not-running` answers at once, or fails with the reason the
/// engine cannot be reached.
fn container_stopped(container: &Container, operation: &'static str) -> EndCheck {
    let client = container.client.clone();
    let id = container.id().to_owned();
    Box::pin(async move {
        let waited = client
            .call(operation, |api| {
                api.container_wait()
                    .id(&id)
                    .condition(types::ContainerWaitCondition::NotRunning)
                    .send()
            })
            .await;
        match waited {
            Ok(_) | Err(Error::NotFound { .. }) => Ok(()),
            Err(Error::Timeout { after, .. }) => Err(Error::Transport {
                host: client.host().to_string(),
                message: format!(
                    "the engine closed the attach connection, and the container was still running {after:?} later"
                ),
            }),
            Err(error) => Err(error),
        }
    })
}

/// Sends one request whose answer is a container's output (logs, attach,
/// exec) and streams it: demultiplexed, or raw for a TTY.
pub(crate) async fn output_stream<'a, F, Fut>(
    client: &'a DockerClient,
    operation: &'static str,
    tty: bool,
    send: F,
) -> Result<LogStream>
where
    F: FnOnce(&'a crate::api::Client) -> Fut,
    Fut: Future<Output = std::result::Result<ResponseValue<ByteStream>, RawError>>,
{
    let api = client.api().await?;
    let response = client
        .respond(operation, Some(api.version), send(&api.client))
        .await?;
    Ok(LogStream::new(
        io_stream(response.into_inner()),
        tty,
        operation,
        client.host().to_string(),
    ))
}

/// A hijacked connection's two directions: what the container writes, and
/// its stdin.
pub(crate) fn split(
    upgraded: docker_engine_api::hijack::Upgraded,
    tty: bool,
    operation: &'static str,
    host: String,
) -> (LogStream, WriteHalf<docker_engine_api::hijack::Upgraded>) {
    let (read, write) = tokio::io::split(upgraded);
    let output = tokio_util::io::ReaderStream::new(read);
    (LogStream::new(output, tty, operation, host), write)
}

/// An attached container ([`Attach::socket`]).
#[derive(Debug)]
pub struct AttachSocket {
    /// What the container writes, demultiplexed unless it has a TTY.
    pub output: LogStream,
    /// The container's stdin; shut it down to send end-of-file.
    pub input: WriteHalf<docker_engine_api::hijack::Upgraded>,
}
