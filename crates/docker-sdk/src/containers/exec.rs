//! Running a command in a running container (`docker exec`).

use tokio::io::WriteHalf;

use super::Container;
use super::logs::{output_stream, split};
use crate::DockerClient;
use crate::api::types;
use crate::convert::{self, Command, EnvVar};
use crate::error::{Error, Result};
use crate::stream::{Demuxed, LogStream};

impl Container {
    /// Runs a command in the container: docker-py's `exec_run`. A string
    /// command is split as a shell would (`"sh -c 'echo hi'"`).
    ///
    /// ```no_run
    /// # async fn example(container: docker_sdk::Container) -> docker_sdk::Result<()> {
    /// let result = container.exec_run("cat /etc/hostname").user("root").send().await?;
    /// assert_eq!(result.exit_code, 0);
    /// print!("{}", String::from_utf8_lossy(&result.output));
    /// # Ok(())
    /// # }
    /// ```
    pub fn exec_run(&self, cmd: impl Into<Command>) -> ExecRun<'_> {
        ExecRun {
            container: self,
            cmd: cmd.into(),
            stdout: true,
            stderr: true,
            stdin: false,
            tty: false,
            privileged: false,
            user: None,
            environment: Vec::new(),
            workdir: None,
            detach_keys: None,
        }
    }
}

/// Options of [`Container::exec_run`], as docker-py names them.
#[derive(Debug)]
#[must_use = "nothing is sent until `send`, `demux`, `stream`, `socket` or `detach`"]
pub struct ExecRun<'c> {
    container: &'c Container,
    cmd: Command,
    stdout: bool,
    stderr: bool,
    stdin: bool,
    tty: bool,
    privileged: bool,
    user: Option<String>,
    environment: Vec<EnvVar>,
    workdir: Option<String>,
    detach_keys: Option<String>,
}

/// A finished exec: its exit code and output (docker-py's `ExecResult`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecOutput<T = Vec<u8>> {
    /// The command's exit code.
    pub exit_code: i64,
    /// Its output: stdout and stderr interleaved (`send`), or apart
    /// ([`Demuxed`], from `demux`).
    pub output: T,
}

impl ExecRun<'_> {
    /// Attach stdout (default: yes).
    pub fn stdout(mut self, stdout: bool) -> Self {
        self.stdout = stdout;
        self
    }

    /// Attach stderr (default: yes).
    pub fn stderr(mut self, stderr: bool) -> Self {
        self.stderr = stderr;
        self
    }

    /// Attach stdin ([`ExecRun::socket`] writes to it).
    pub fn stdin(mut self, stdin: bool) -> Self {
        self.stdin = stdin;
        self
    }

    /// Allocate a TTY: output is then raw, stdout and stderr one stream.
    pub fn tty(mut self, tty: bool) -> Self {
        self.tty = tty;
        self
    }

    /// Run with extended privileges.
    pub fn privileged(mut self, privileged: bool) -> Self {
        self.privileged = privileged;
        self
    }

    /// Run as this user (`name`, `uid`, `uid:gid`).
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.user = Some(user.into());
        self
    }

    /// Environment variables: a map (`[("KEY", "value")]`) or `KEY=value`
    /// strings; adds to those given before.
    pub fn environment<I, E>(mut self, variables: I) -> Self
    where
        I: IntoIterator<Item = E>,
        E: Into<EnvVar>,
    {
        self.environment.extend(variables.into_iter().map(Into::into));
        self
    }

    /// The working directory.
    pub fn workdir(mut self, workdir: impl Into<String>) -> Self {
        self.workdir = Some(workdir.into());
        self
    }

    /// The key sequence that detaches from the exec.
    pub fn detach_keys(mut self, keys: impl Into<String>) -> Self {
        self.detach_keys = Some(keys.into());
        self
    }

    /// Creates the exec instance.
    async fn create(&self) -> Result<Exec> {
        let cmd = convert::command("cmd", &self.cmd)?;
        if cmd.is_empty() {
            return Err(Error::invalid_argument("cmd", "the command is empty"));
        }
        let env = convert::environment(&self.environment)?;
        let config = types::ExecConfig {
            attach_stdin: Some(self.stdin),
            attach_stdout: Some(self.stdout),
            attach_stderr: Some(self.stderr),
            cmd: Some(cmd),
            env: (!env.is_empty()).then_some(env),
            privileged: self.privileged,
            tty: Some(self.tty),
            user: self.user.clone(),
            working_dir: self.workdir.clone(),
            detach_keys: self.detach_keys.clone(),
            ..Default::default()
        };
        let id = self.container.id();
        let created = self
            .container
            .client
            .call("containers.exec_create", |api| {
                api.container_exec().id(id).body(config).send()
            })
            .await?;
        Ok(Exec {
            client: self.container.client.clone(),
            id: created.id,
        })
    }

    /// Starts the exec and streams its output as it comes.
    ///
    /// # Errors
    ///
    /// [`Error::Conflict`] when the container is not running; a bad command
    /// is an [`Error::InvalidArgument`] before anything is sent.
    pub async fn stream(self) -> Result<(Exec, LogStream)> {
        let exec = self.create().await?;
        let start = types::ExecStartConfig {
            detach: Some(false),
            tty: Some(self.tty),
            ..Default::default()
        };
        let output = output_stream(&exec.client, "containers.exec_start", self.tty, |api| {
            api.exec_start().id(&exec.id).body(start).send()
        })
        .await?;
        Ok((exec, output))
    }

    /// Runs the command to its end; returns its exit code and its output,
    /// stdout and stderr interleaved as written.
    ///
    /// # Errors
    ///
    /// As for [`ExecRun::stream`], and a connection broken while reading.
    pub async fn send(self) -> Result<ExecOutput> {
        let (exec, output) = self.stream().await?;
        let output = output.concat().await?;
        let exit_code = exec.exit_code().await?;
        Ok(ExecOutput { exit_code, output })
    }

    /// As [`ExecRun::send`], with stdout and stderr apart (docker-py's
    /// `demux=True`).
    ///
    /// # Errors
    ///
    /// As for [`ExecRun::send`].
    pub async fn demux(self) -> Result<ExecOutput<Demuxed>> {
        let (exec, output) = self.stream().await?;
        let output = output.demux().await?;
        let exit_code = exec.exit_code().await?;
        Ok(ExecOutput { exit_code, output })
    }

    /// Starts the exec in the background; its output is not collected.
    ///
    /// # Errors
    ///
    /// As for [`ExecRun::stream`].
    pub async fn detach(self) -> Result<Exec> {
        let exec = self.create().await?;
        let start = types::ExecStartConfig {
            detach: Some(true),
            tty: Some(self.tty),
            ..Default::default()
        };
        exec.client
            .call("containers.exec_start", |api| {
                api.exec_start().id(&exec.id).body(start).send()
            })
            .await?;
        Ok(exec)
    }

    /// Starts the exec over a hijacked connection: its output to read and
    /// its stdin to write (with [`ExecRun::stdin`]).
    ///
    /// ```no_run
    /// # async fn example(container: docker_sdk::Container) -> docker_sdk::Result<()> {
    /// use tokio::io::AsyncWriteExt;
    ///
    /// let mut cat = container.exec_run(["cat"]).stdin(true).socket().await?;
    /// cat.input.write_all(b"round trip").await.ok();
    /// cat.input.shutdown().await.ok();
    /// let echoed = cat.output.concat().await?;
    /// assert_eq!(echoed, b"round trip");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As for [`ExecRun::stream`].
    pub async fn socket(self) -> Result<ExecSocket> {
        let exec = self.create().await?;
        let client = &exec.client;
        let api = client.api().await?;
        let start = types::ExecStartConfig {
            detach: Some(false),
            tty: Some(self.tty),
            ..Default::default()
        };
        let operation = "containers.exec_socket";
        let upgrade = docker_engine_api::hijack::exec_start(&api.client, &exec.id, &start);
        let upgraded = client
            .respond_within(operation, Some(api.version), Some(client.timeout()), upgrade)
            .await?;
        let (output, input) = split(upgraded, self.tty, operation, client.host().to_string());
        Ok(ExecSocket { exec, output, input })
    }
}

/// An exec instance, by id.
#[derive(Clone, Debug)]
pub struct Exec {
    client: DockerClient,
    id: String,
}

impl Exec {
    /// The exec instance's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// What the engine says of it now: running, exit code, process.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] once it is gone (with its container).
    pub async fn inspect(&self) -> Result<types::ExecInspectResponse> {
        self.client
            .call("exec.inspect", |api| api.exec_inspect().id(&self.id).send())
            .await
    }

    /// Its exit code, once it has finished.
    ///
    /// # Errors
    ///
    /// As for [`Exec::inspect`]; [`Error::Decode`] when the engine reports
    /// no exit code (it is still running).
    pub async fn exit_code(&self) -> Result<i64> {
        let inspect = self.inspect().await?;
        inspect.exit_code.ok_or_else(|| Error::Decode {
            operation: "exec.inspect",
            message: format!("exec {} has no exit code yet: it is still running", self.id),
        })
    }

    /// Resizes its TTY.
    ///
    /// # Errors
    ///
    /// The engine's refusal, such as an exec without a TTY.
    pub async fn resize(&self, height: u16, width: u16) -> Result<()> {
        self.client
            .call("exec.resize", |api| {
                api.exec_resize()
                    .id(&self.id)
                    .h(i64::from(height))
                    .w(i64::from(width))
                    .send()
            })
            .await
    }
}

/// An exec attached over a hijacked connection ([`ExecRun::socket`]).
#[derive(Debug)]
pub struct ExecSocket {
    /// The exec instance, for its exit code once the output has ended.
    pub exec: Exec,
    /// What the command writes, demultiplexed unless it has a TTY.
    pub output: LogStream,
    /// The command's stdin; shut it down to send end-of-file.
    pub input: WriteHalf<docker_engine_api::hijack::Upgraded>,
}
