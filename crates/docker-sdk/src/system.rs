//! Calls about the engine itself: `version`, `info`, `df`, `events`, `login`.

use std::path::PathBuf;
use std::pin::Pin;
use std::time::{SystemTime, UNIX_EPOCH};

use futures::Stream;

use crate::DockerClient;
use crate::api::types;
use crate::auth::AuthConfig;
use crate::error::{Error, Result};
use crate::filters::Filters;
use crate::reference::normalise_registry;
use crate::secret::Secret;
use crate::stream::json_lines;

/// The registry docker-py logs in to when none is named.
pub const DEFAULT_REGISTRY: &str = "docker.io";

impl DockerClient {
    /// The engine's version and the API versions it speaks (`docker version`).
    ///
    /// # Errors
    ///
    /// When the engine cannot be reached or answers with an error.
    pub async fn version(&self) -> Result<types::SystemVersion> {
        self.call("version", |api| api.system_version().send()).await
    }

    /// System-wide information (`docker info`).
    ///
    /// # Errors
    ///
    /// When the engine cannot be reached or answers with an error.
    pub async fn info(&self) -> Result<types::SystemInfo> {
        self.call("info", |api| api.system_info().send()).await
    }

    /// Disk usage of images, containers, volumes and the build cache
    /// (`docker system df`).
    ///
    /// # Errors
    ///
    /// When the engine cannot be reached or answers with an error.
    pub async fn df(&self) -> Result<types::SystemDataUsageResponse> {
        self.call("df", |api| api.system_data_usage().send()).await
    }

    /// Disk usage of only these kinds of object (`container`, `image`,
    /// `volume`, `build-cache`), which API 1.42 added.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidVersion`], before any request, when the client speaks
    /// an older API; else as [`DockerClient::df`].
    #[cfg(api_1_42)]
    pub async fn df_of(
        &self,
        kinds: impl IntoIterator<Item = types::SystemDataUsageTypeItem>,
    ) -> Result<types::SystemDataUsageResponse> {
        let api = self
            .api_at_least(crate::ApiVersion::new(1, 42), "df of chosen object types")
            .await?;
        let kinds: Vec<_> = kinds.into_iter().collect();
        self.call_with(api, "df", |client| client.system_data_usage().type_(kinds).send())
            .await
    }

    /// The engine's events, as a stream (`docker events`).
    ///
    /// ```no_run
    /// use std::time::{Duration, SystemTime};
    /// use futures::StreamExt;
    ///
    /// # async fn example(docker: docker_sdk::DockerClient) -> docker_sdk::Result<()> {
    /// let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    /// let mut events = docker
    ///     .events()
    ///     .since(hour_ago)
    ///     .until(SystemTime::now())
    ///     .filters([("type", "container")])
    ///     .send()
    ///     .await?;
    /// while let Some(event) = events.next().await {
    ///     let event = event?;
    ///     println!("{:?} {:?}", event.type_, event.action);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn events(&self) -> EventsBuilder {
        EventsBuilder {
            client: self.clone(),
            since: None,
            until: None,
            filters: Filters::new(),
        }
    }

    /// Logs in to a registry (`docker login`): docker-py's `login`.
    ///
    /// ```no_run
    /// # async fn example(docker: docker_sdk::DockerClient) -> docker_sdk::Result<()> {
    /// docker.login("me").password("s3cret").registry("127.0.0.1:5000").send().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn login(&self, username: impl Into<String>) -> LoginBuilder {
        LoginBuilder {
            client: self.clone(),
            username: username.into(),
            password: None,
            email: None,
            registry: None,
            reauth: false,
            dockercfg_path: None,
        }
    }
}

/// A point in time for `events`: a `SystemTime`, or Unix seconds. Sent as
/// whole seconds, as docker-py sends them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventTime(pub(crate) i64);

impl From<SystemTime> for EventTime {
    fn from(time: SystemTime) -> Self {
        let seconds = match time.duration_since(UNIX_EPOCH) {
            Ok(after) => after.as_secs() as i64,
            Err(before) => -(before.duration().as_secs() as i64),
        };
        EventTime(seconds)
    }
}

impl From<i64> for EventTime {
    fn from(seconds: i64) -> Self {
        EventTime(seconds)
    }
}

impl From<u64> for EventTime {
    fn from(seconds: u64) -> Self {
        EventTime(i64::try_from(seconds).unwrap_or(i64::MAX))
    }
}

/// A stream of decoded events. Dropping it closes the connection.
pub type EventStream = Pin<Box<dyn Stream<Item = Result<types::EventMessage>> + Send>>;

/// Options of [`DockerClient::events`].
#[derive(Debug)]
#[must_use = "nothing is sent until `send`"]
pub struct EventsBuilder {
    client: DockerClient,
    since: Option<EventTime>,
    until: Option<EventTime>,
    filters: Filters,
}

impl EventsBuilder {
    /// Events from this time on (past events are replayed).
    pub fn since(mut self, time: impl Into<EventTime>) -> Self {
        self.since = Some(time.into());
        self
    }

    /// Events up to this time; the stream ends there.
    pub fn until(mut self, time: impl Into<EventTime>) -> Self {
        self.until = Some(time.into());
        self
    }

    /// Only events matching these filters (`type`, `container`, `event`,
    /// `label`, …).
    pub fn filters(mut self, filters: impl Into<Filters>) -> Self {
        self.filters = filters.into();
        self
    }

    /// Starts the stream.
    ///
    /// # Errors
    ///
    /// When the engine cannot be reached, refuses the filters, or does not
    /// start answering within the client's timeout. Errors while streaming
    /// (a broken connection, an undecodable event) are items of the stream,
    /// which then ends.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future or the stream closes the connection; no event is
    /// lost that was not yet received.
    pub async fn send(self) -> Result<EventStream> {
        let client = &self.client;
        let api = client.api().await?;
        let operation = "events";
        let mut request = api.client.system_events();
        if let Some(EventTime(since)) = self.since {
            request = request.since(since.to_string());
        }
        if let Some(EventTime(until)) = self.until {
            request = request.until(until.to_string());
        }
        if let Some(filters) = self.filters.to_query() {
            request = request.filters(filters);
        }
        let response = client
            .respond(operation, Some(api.version), request.send())
            .await?;
        Ok(Box::pin(json_lines::decode(
            response.into_inner().into_inner(),
            operation,
            client.host().to_string(),
        )))
    }
}

/// The outcome of [`LoginBuilder::send`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Login {
    /// The engine checked the credentials with the registry.
    Authenticated {
        /// The engine's status, such as `Login Succeeded`.
        status: String,
        /// A token to use instead of the password, when the registry gives
        /// one.
        identity_token: Option<Secret>,
    },
    /// This client (or the config file) already holds credentials of this
    /// user for this registry, and `reauth` was not asked: nothing was sent,
    /// as in docker-py.
    AlreadyLoggedIn,
}

/// Options of [`DockerClient::login`]. The password never appears in its
/// `Debug` output, nor in any error.
#[derive(Debug)]
#[must_use = "nothing is sent until `send`"]
pub struct LoginBuilder {
    client: DockerClient,
    username: String,
    password: Option<Secret>,
    email: Option<String>,
    registry: Option<String>,
    reauth: bool,
    dockercfg_path: Option<PathBuf>,
}

impl LoginBuilder {
    /// The password (or a token).
    pub fn password(mut self, password: impl Into<Secret>) -> Self {
        self.password = Some(password.into());
        self
    }

    /// An e-mail address: accepted for docker-py's sake, not sent (the
    /// Engine API no longer carries it).
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// The registry (default: Docker Hub).
    pub fn registry(mut self, registry: impl Into<String>) -> Self {
        self.registry = Some(registry.into());
        self
    }

    /// Log in again even if credentials for this user are already known.
    pub fn reauth(mut self, reauth: bool) -> Self {
        self.reauth = reauth;
        self
    }

    /// A `config.json` to consult for existing credentials instead of the
    /// default one.
    pub fn dockercfg_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.dockercfg_path = Some(path.into());
        self
    }

    /// Logs in.
    ///
    /// # Errors
    ///
    /// The registry's refusal as the engine reports it (an [`Error::Api`],
    /// typically 401 or 500, whose message never holds the password), or a
    /// transport error.
    pub async fn send(self) -> Result<Login> {
        let registry_key = normalise_registry(self.registry.as_deref().unwrap_or(DEFAULT_REGISTRY));
        if !self.reauth && self.known_user(&registry_key) {
            return Ok(Login::AlreadyLoggedIn);
        }
        let mut config = types::AuthConfig::builder().username(self.username.clone());
        if let Some(password) = &self.password {
            config = config.password(password.expose().to_owned());
        }
        if let Some(registry) = &self.registry {
            config = config.serveraddress(registry.clone());
        }
        let config = types::AuthConfig::try_from(config)
            .map_err(|e| Error::invalid_argument("login", e.to_string()))?;
        let response = self
            .client
            .call("login", |api| api.system_auth().body(config).send())
            .await?;
        let identity_token = response
            .identity_token
            .filter(|t| !t.is_empty())
            .map(Secret::from);
        let credentials = AuthConfig {
            username: Some(self.username.clone()),
            password: self.password.clone(),
            email: self.email.clone(),
            server_address: self.registry.clone(),
            identity_token: identity_token.clone(),
            registry_token: None,
        };
        self.client.remember_login(&registry_key, credentials);
        Ok(Login::Authenticated {
            status: response.status,
            identity_token,
        })
    }

    fn known_user(&self, registry_key: &str) -> bool {
        let remembered = self.client.remembered_login(registry_key);
        if remembered.and_then(|c| c.username).as_deref() == Some(self.username.as_str()) {
            return true;
        }
        let Some(path) = &self.dockercfg_path else {
            return false;
        };
        // The file can only spare a login: one that cannot be read means
        // asking the engine, which checks the credentials anyway.
        let config = crate::auth::ConfigFile::from_path(path).ok();
        let user = config
            .as_ref()
            .and_then(|config| config.auth_entry(registry_key))
            .and_then(|auth| auth.username.as_deref());
        user == Some(self.username.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_keys_normalise_like_docker_py() {
        let cases = [
            ("docker.io", "docker.io"),
            ("https://index.docker.io/v1/", "docker.io"),
            ("index.docker.io", "docker.io"),
            ("localhost:5000", "localhost:5000"),
            ("http://127.0.0.1:5000/v2/", "127.0.0.1:5000"),
            ("registry.example.com/team", "registry.example.com"),
        ];
        for (input, expected) in cases {
            assert_eq!(normalise_registry(input), expected, "{input}");
        }
    }

    #[test]
    fn event_times_are_whole_seconds() {
        assert_eq!(
            EventTime::from(UNIX_EPOCH + std::time::Duration::from_millis(1_356_048_000_900)),
            EventTime(1356048000)
        );
        assert_eq!(EventTime::from(1356047990_i64), EventTime(1356047990));
    }
}
