//! Starting, stopping, signalling, waiting for, renaming, committing and
//! removing a container.

use std::time::Duration;

use super::Container;
use crate::api::types;
use crate::error::{Error, Result};

/// A signal, by name (`"SIGTERM"`, `"TERM"`) or number (`15`), as `docker
/// kill --signal` takes it.
///
/// ```
/// use docker_sdk::containers::Signal;
///
/// assert_eq!(Signal::from("SIGHUP").as_str(), "SIGHUP");
/// assert_eq!(Signal::from(9).as_str(), "9");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signal(String);

impl Signal {
    /// The signal as the engine is sent it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn checked(self, argument: &str) -> Result<String> {
        let valid = !self.0.is_empty() && self.0.chars().all(|c| c.is_ascii_alphanumeric() || c == '+');
        if valid {
            Ok(self.0)
        } else {
            Err(Error::invalid_argument(
                argument,
                format!(
                    "{:?} is not a signal; give a name such as SIGTERM or a number such as 15",
                    self.0
                ),
            ))
        }
    }
}

impl From<&str> for Signal {
    fn from(name: &str) -> Self {
        Signal(name.to_owned())
    }
}

impl From<String> for Signal {
    fn from(name: String) -> Self {
        Signal(name)
    }
}

impl From<i32> for Signal {
    fn from(number: i32) -> Self {
        Signal(number.to_string())
    }
}

impl Container {
    /// Starts the container. Starting a running container succeeds, as in
    /// docker-py.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when it is gone; the engine's error when the
    /// process cannot start (a missing command, say).
    pub async fn start(&self) -> Result<()> {
        let id = self.id();
        self.client
            .call_idempotent("containers.start", Some(self.client.timeout()), |api| {
                api.container_start().id(id).send()
            })
            .await
    }

    /// Stops the container: SIGTERM (or its stop signal), then SIGKILL
    /// after a grace period (`docker stop`). Stopping a stopped container
    /// succeeds.
    ///
    /// ```no_run
    /// # async fn example(container: docker_sdk::Container) -> docker_sdk::Result<()> {
    /// container.stop().timeout(std::time::Duration::from_secs(2)).send().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn stop(&self) -> Stop<'_> {
        Stop {
            container: self,
            timeout: None,
            signal: None,
            restart: false,
        }
    }

    /// Restarts the container, stopping it as [`Container::stop`] does.
    pub fn restart(&self) -> Stop<'_> {
        Stop {
            container: self,
            timeout: None,
            signal: None,
            restart: true,
        }
    }

    /// Sends the container's main process a signal: SIGKILL without one.
    ///
    /// ```no_run
    /// # async fn example(container: docker_sdk::Container) -> docker_sdk::Result<()> {
    /// container.kill(Some("SIGHUP".into())).await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for an empty or malformed signal (nothing
    /// sent); [`Error::Conflict`] when the container is not running.
    pub async fn kill(&self, signal: Option<Signal>) -> Result<()> {
        let signal = signal.map(|s| s.checked("signal")).transpose()?;
        let id = self.id();
        self.client
            .call("containers.kill", |api| {
                let mut request = api.container_kill().id(id);
                if let Some(signal) = signal {
                    request = request.signal(signal);
                }
                request.send()
            })
            .await
    }

    /// Freezes every process of the container.
    ///
    /// # Errors
    ///
    /// [`Error::Conflict`] when it is not running or already paused.
    pub async fn pause(&self) -> Result<()> {
        let id = self.id();
        self.client
            .call("containers.pause", |api| api.container_pause().id(id).send())
            .await
    }

    /// Thaws a paused container.
    ///
    /// # Errors
    ///
    /// [`Error::Conflict`] when it is not paused.
    pub async fn unpause(&self) -> Result<()> {
        let id = self.id();
        self.client
            .call("containers.unpause", |api| api.container_unpause().id(id).send())
            .await
    }

    /// Removes the container; see [`Remove`] for docker-py's `v`, `link` and
    /// `force`.
    pub fn remove(&self) -> Remove<'_> {
        Remove {
            container: self,
            v: false,
            link: false,
            force: false,
        }
    }

    /// Gives the container a new name.
    ///
    /// # Errors
    ///
    /// [`Error::Conflict`] when the name is taken.
    pub async fn rename(&self, name: &str) -> Result<()> {
        let id = self.id();
        self.client
            .call("containers.rename", |api| {
                api.container_rename().id(id).name(name).send()
            })
            .await
    }

    /// Resizes the container's TTY.
    ///
    /// # Errors
    ///
    /// The engine's refusal, such as a container without a TTY.
    pub async fn resize(&self, height: u16, width: u16) -> Result<()> {
        let id = self.id();
        self.client
            .call("containers.resize", |api| {
                api.container_resize()
                    .id(id)
                    .h(i64::from(height))
                    .w(i64::from(width))
                    .send()
            })
            .await
    }

    /// Waits until the container stops (or meets `condition`), with no
    /// time limit unless one is set: docker-py's `wait`.
    ///
    /// ```no_run
    /// # async fn example(container: docker_sdk::Container) -> docker_sdk::Result<()> {
    /// use docker_sdk::api::types::ContainerWaitCondition;
    ///
    /// let exit = container.wait().condition(ContainerWaitCondition::NextExit).send().await?;
    /// println!("exited with {}", exit.status_code);
    /// # Ok(())
    /// # }
    /// ```
    pub fn wait(&self) -> Wait<'_> {
        Wait {
            container: self,
            timeout: None,
            condition: None,
        }
    }

    /// The processes running in the container (`docker top`), with `ps`
    /// options such as `"aux"`.
    ///
    /// # Errors
    ///
    /// [`Error::Conflict`] when it is not running.
    pub async fn top(&self, ps_args: Option<&str>) -> Result<types::ContainerTopResponse> {
        let id = self.id();
        self.client
            .call("containers.top", |api| {
                let mut request = api.container_top().id(id);
                if let Some(args) = ps_args {
                    request = request.ps_args(args);
                }
                request.send()
            })
            .await
    }

    /// What changed in the container's filesystem since it was created
    /// (`docker diff`).
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when it is gone.
    pub async fn diff(&self) -> Result<Vec<FilesystemChange>> {
        let id = self.id();
        self.client
            .call("containers.diff", |api| api.container_changes().id(id).send())
            .await
    }

    /// Makes an image of the container (`docker commit`); see [`Commit`].
    pub fn commit(&self) -> Commit<'_> {
        Commit {
            container: self,
            repository: None,
            tag: None,
            message: None,
            author: None,
            pause: true,
            changes: Vec::new(),
            conf: None,
        }
    }
}

/// One change of [`Container::diff`] (the model was renamed in 1.43).
#[cfg(api_1_43)]
pub type FilesystemChange = types::FilesystemChange;
/// One change of [`Container::diff`] (the model was renamed in 1.43).
#[cfg(not(api_1_43))]
pub type FilesystemChange = types::ContainerChangeResponseItem;

/// Options of [`Container::stop`] and [`Container::restart`].
#[derive(Debug)]
#[must_use = "nothing is sent until `send`"]
pub struct Stop<'c> {
    container: &'c Container,
    timeout: Option<Duration>,
    signal: Option<Signal>,
    restart: bool,
}

impl Stop<'_> {
    /// How long to wait after the stop signal before SIGKILL (whole
    /// seconds; docker-py's `timeout`). Default: the container's own
    /// (10 s unless it was created with `stop_timeout`).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The signal to stop with instead of the container's stop signal (API
    /// 1.42 and later).
    #[cfg(api_1_42)]
    pub fn signal(mut self, signal: impl Into<Signal>) -> Self {
        self.signal = Some(signal.into());
        self
    }

    /// Stops (or restarts).
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when the container is gone; [`Error::InvalidVersion`]
    /// for a signal on an engine older than 1.42.
    pub async fn send(self) -> Result<()> {
        let client = &self.container.client;
        let signal = self.signal.map(|s| s.checked("signal")).transpose()?;
        if signal.is_some() {
            client
                .api_at_least(crate::ApiVersion::new(1, 42), "a stop signal")
                .await?;
        }
        let seconds = self
            .timeout
            .map(|t| i64::try_from(t.as_secs()).unwrap_or(i64::MAX));
        // The engine answers once the container is down: wait for the grace
        // period on top of the usual timeout, as docker-py does.
        let grace = self.timeout.unwrap_or(Duration::from_secs(10));
        let within = Some(client.timeout().saturating_add(grace));
        let id = self.container.id();
        if self.restart {
            client
                .call_within("containers.restart", within, |api| {
                    let mut request = api.container_restart().id(id);
                    if let Some(t) = seconds {
                        request = request.t(t);
                    }
                    #[cfg(api_1_42)]
                    if let Some(signal) = signal {
                        request = request.signal(signal);
                    }
                    request.send()
                })
                .await
        } else {
            client
                .call_idempotent("containers.stop", within, |api| {
                    let mut request = api.container_stop().id(id);
                    if let Some(t) = seconds {
                        request = request.t(t);
                    }
                    #[cfg(api_1_42)]
                    if let Some(signal) = signal {
                        request = request.signal(signal);
                    }
                    request.send()
                })
                .await
        }
    }
}

/// Options of [`Container::remove`].
#[derive(Debug)]
#[must_use = "nothing is sent until `send`"]
pub struct Remove<'c> {
    container: &'c Container,
    v: bool,
    link: bool,
    force: bool,
}

impl Remove<'_> {
    /// Also remove the container's anonymous volumes.
    pub fn v(mut self, v: bool) -> Self {
        self.v = v;
        self
    }

    /// Remove a link rather than the container: the container's name is then
    /// the link's.
    pub fn link(mut self, link: bool) -> Self {
        self.link = link;
        self
    }

    /// Kill a running container first.
    pub fn force(mut self, force: bool) -> Self {
        self.force = force;
        self
    }

    /// Removes.
    ///
    /// # Errors
    ///
    /// [`Error::Conflict`] for a running container without `force`;
    /// [`Error::NotFound`] when it is already gone.
    pub async fn send(self) -> Result<()> {
        let id = self.container.id();
        self.container
            .client
            .call("containers.remove", |api| {
                api.container_delete()
                    .id(id)
                    .v(self.v)
                    .link(self.link)
                    .force(self.force)
                    .send()
            })
            .await
    }
}

/// Options of [`Container::wait`].
#[derive(Debug)]
#[must_use = "nothing is sent until `send`"]
pub struct Wait<'c> {
    container: &'c Container,
    timeout: Option<Duration>,
    condition: Option<types::ContainerWaitCondition>,
}

impl Wait<'_> {
    /// Give up after this long with [`Error::Timeout`]; the container is
    /// unaffected.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// What to wait for: `not-running` (the default), `next-exit` or
    /// `removed`.
    pub fn condition(mut self, condition: types::ContainerWaitCondition) -> Self {
        self.condition = Some(condition);
        self
    }

    /// Waits.
    ///
    /// # Errors
    ///
    /// [`Error::Timeout`] when the timeout passes first; [`Error::NotFound`]
    /// when the container is gone.
    pub async fn send(self) -> Result<types::ContainerWaitResponse> {
        let id = self.container.id();
        self.container
            .client
            .call_within("containers.wait", self.timeout, |api| {
                let mut request = api.container_wait().id(id);
                if let Some(condition) = self.condition {
                    request = request.condition(condition);
                }
                request.send()
            })
            .await
    }
}

/// Options of [`Container::commit`], as docker-py names them.
#[derive(Debug)]
#[must_use = "nothing is sent until `send`"]
pub struct Commit<'c> {
    container: &'c Container,
    repository: Option<String>,
    tag: Option<String>,
    message: Option<String>,
    author: Option<String>,
    pause: bool,
    changes: Vec<String>,
    conf: Option<types::ContainerConfig>,
}

impl Commit<'_> {
    /// The new image's repository.
    pub fn repository(mut self, repository: impl Into<String>) -> Self {
        self.repository = Some(repository.into());
        self
    }

    /// The new image's tag.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tag = Some(tag.into());
        self
    }

    /// The commit message.
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// The author, such as `"Jane <jane@example.com>"`.
    pub fn author(mut self, author: impl Into<String>) -> Self {
        self.author = Some(author.into());
        self
    }

    /// Pause the container while committing (the default).
    pub fn pause(mut self, pause: bool) -> Self {
        self.pause = pause;
        self
    }

    /// A Dockerfile instruction to apply, such as `"ENV DEBUG=1"`; call again
    /// for more.
    pub fn change(mut self, change: impl Into<String>) -> Self {
        self.changes.push(change.into());
        self
    }

    /// The image's configuration (docker-py's `conf`).
    pub fn conf(mut self, conf: types::ContainerConfig) -> Self {
        self.conf = Some(conf);
        self
    }

    /// Commits; returns the new image's id.
    ///
    /// # Errors
    ///
    /// The engine's refusal: a bad change instruction, a bad repository.
    pub async fn send(self) -> Result<String> {
        let id = self.container.id();
        // The engine joins repeated `changes` with newlines; one joined
        // value means the same and fits the generated single parameter.
        let changes = (!self.changes.is_empty()).then(|| self.changes.join("\n"));
        let created = self
            .container
            .client
            .call("containers.commit", |api| {
                let mut request = api
                    .image_commit()
                    .container(id)
                    .pause(self.pause)
                    .body(self.conf.unwrap_or_default());
                if let Some(repository) = self.repository {
                    request = request.repo(repository);
                }
                if let Some(tag) = self.tag {
                    request = request.tag(tag);
                }
                if let Some(message) = self.message {
                    request = request.comment(message);
                }
                if let Some(author) = self.author {
                    request = request.author(author);
                }
                if let Some(changes) = changes {
                    request = request.changes(changes);
                }
                request.send()
            })
            .await?;
        Ok(created.id)
    }
}
