//! `DockerClient`: one connection to one engine, shared by every collection.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use docker_engine_api::ResponseValue;
use docker_engine_api::transport::versioned_base_url;
use tokio::sync::OnceCell;
use tracing::Instrument;

use crate::api::{self, types};
use crate::auth::AuthConfig;
use crate::config::{DockerHost, EnvConfig, Environment};
use crate::containers::Containers;
use crate::error::{Call, Error, Result};
use crate::images::Images;
use crate::networks::Networks;
use crate::nodes::Nodes;
use crate::plugins::Plugins;
use crate::secrets::{Configs, Secrets};
use crate::services::Services;
use crate::swarm::Swarm;
use crate::tls::TlsConfig;
use crate::transport::{self, SshTunnel};
use crate::version::{self, ApiVersion, VersionChoice};
use crate::volumes::Volumes;

/// The generated client's error.
pub(crate) type RawError = docker_engine_api::Error<types::ErrorResponse>;

/// docker-py's default timeout for a call.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The `User-Agent` the SDK sends unless told otherwise.
pub const DEFAULT_USER_AGENT: &str = concat!("docker-sdk-rust/", env!("CARGO_PKG_VERSION"));

/// A client for one Docker engine.
///
/// Cheap to clone (clones share one connection pool and one negotiated API
/// version) and safe to share between tasks.
///
/// ```no_run
/// # async fn example() -> docker_sdk::Result<()> {
/// let docker = docker_sdk::DockerClient::from_env()?;
/// let info = docker.info().await?;
/// println!("{} containers", info.containers.unwrap_or_default());
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct DockerClient {
    inner: Arc<Inner>,
}

struct Inner {
    host: DockerHost,
    http: reqwest::Client,
    base: String,
    version: VersionChoice,
    timeout: Duration,
    credstore_env: HashMap<String, String>,
    /// Where `config.json` (registry credentials, proxies) is looked for.
    environment: Environment,
    api: OnceCell<Api>,
    /// Registries logged in to through this client, by normalised key.
    logins: Mutex<HashMap<String, AuthConfig>>,
    _tunnel: Option<SshTunnel>,
}

/// The generated client of the version in use.
pub(crate) struct Api {
    pub version: ApiVersion,
    pub client: api::Client,
}

impl std::fmt::Debug for DockerClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DockerClient")
            .field("host", &self.inner.host.to_string())
            .field("version", &self.inner.version)
            .field("api_version", &self.inner.api.get().map(|api| api.version))
            .field("timeout", &self.inner.timeout)
            .finish_non_exhaustive()
    }
}

impl DockerClient {
    /// A client configured as the docker CLI would be, from `DOCKER_HOST`,
    /// `DOCKER_TLS_VERIFY`, `DOCKER_CERT_PATH`, `DOCKER_API_VERSION`,
    /// `DOCKER_CONFIG`, `DOCKER_CONTEXT` and the current context of
    /// `config.json`; the API version is negotiated unless pinned.
    ///
    /// No request is sent until the first call.
    ///
    /// # Errors
    ///
    /// A malformed setting ([`Error::Config`], [`Error::InvalidVersion`]), or
    /// TLS material that cannot be read ([`Error::Tls`]).
    pub fn from_env() -> Result<Self> {
        Self::builder()
            .from_environment(Environment::from_process())
            .build()
    }

    /// A builder, starting from the local socket and `auto` negotiation.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use docker_sdk::DockerClient;
    ///
    /// let docker = DockerClient::builder()
    ///     .base_url("tcp://10.0.0.2:2376")
    ///     .tls(docker_sdk::TlsConfig::new().ca_cert("ca.pem"))
    ///     .version("1.41")
    ///     .timeout(Duration::from_secs(30))
    ///     .build()?;
    /// # Ok::<(), docker_sdk::Error>(())
    /// ```
    pub fn builder() -> DockerClientBuilder {
        DockerClientBuilder::default()
    }

    /// The engine's address.
    pub fn host(&self) -> &DockerHost {
        &self.inner.host
    }

    /// The timeout of each call.
    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// Environment variables given to credential helpers (docker-py's
    /// `credstore_env`).
    pub fn credstore_env(&self) -> &HashMap<String, String> {
        &self.inner.credstore_env
    }

    /// The environment `config.json` is found from (`DOCKER_CONFIG`,
    /// `HOME`): the one given to the builder, or the process's.
    pub(crate) fn environment(&self) -> &Environment {
        &self.inner.environment
    }

    /// The API version spoken, negotiating it first if needed.
    ///
    /// # Errors
    ///
    /// When the engine cannot be reached for negotiation, or speaks an API
    /// older than [`ApiVersion::MINIMUM`].
    pub async fn api_version(&self) -> Result<ApiVersion> {
        Ok(self.api().await?.version)
    }

    /// Containers on the engine.
    pub fn containers(&self) -> Containers {
        Containers::new(self.clone())
    }
    /// Images on the engine.
    pub fn images(&self) -> Images {
        Images::new(self.clone())
    }
    /// Networks on the engine.
    pub fn networks(&self) -> Networks {
        Networks::new(self.clone())
    }
    /// Volumes on the engine.
    pub fn volumes(&self) -> Volumes {
        Volumes::new(self.clone())
    }
    /// The swarm this engine is part of.
    pub fn swarm(&self) -> Swarm {
        Swarm::new(self.clone())
    }
    /// Swarm services.
    pub fn services(&self) -> Services {
        Services::new(self.clone())
    }
    /// Swarm nodes.
    pub fn nodes(&self) -> Nodes {
        Nodes::new(self.clone())
    }
    /// Swarm secrets.
    pub fn secrets(&self) -> Secrets {
        Secrets::new(self.clone())
    }
    /// Swarm configs.
    pub fn configs(&self) -> Configs {
        Configs::new(self.clone())
    }
    /// Engine plugins.
    pub fn plugins(&self) -> Plugins {
        Plugins::new(self.clone())
    }

    /// The generated client, for the negotiated (or pinned) version.
    pub(crate) async fn api(&self) -> Result<&Api> {
        self.inner.api.get_or_try_init(|| self.connect_api()).await
    }

    /// The generated client, if the version in use is at least `needed`
    /// (docker-py's `minimum_version`); else `InvalidVersion`, before any
    /// request is sent.
    pub(crate) async fn api_at_least(&self, needed: ApiVersion, what: &str) -> Result<&Api> {
        let api = self.api().await?;
        if api.version < needed {
            return Err(version::too_old(what, needed, api.version));
        }
        Ok(api)
    }

    async fn connect_api(&self) -> Result<Api> {
        let version = match self.inner.version {
            VersionChoice::Pinned(version) => version,
            VersionChoice::Auto => version::negotiate(self.ping().await?.api_version)?,
        };
        let base = versioned_base_url(&self.inner.base, &version.to_string());
        Ok(Api {
            version,
            client: api::Client::new_with_client(&base, self.inner.http.clone()),
        })
    }

    /// Keeps a successful login's credentials for this client's later
    /// pulls and pushes, as docker-py does.
    pub(crate) fn remember_login(&self, registry_key: &str, credentials: AuthConfig) {
        self.inner
            .logins
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(registry_key.to_owned(), credentials);
    }

    /// The credentials of a login through this client to `registry` (any
    /// spelling of it).
    pub(crate) fn remembered_login(&self, registry: &str) -> Option<AuthConfig> {
        let key = crate::reference::normalise_registry(registry);
        let logins = self.inner.logins.lock().unwrap_or_else(|e| e.into_inner());
        logins.get(&key).cloned()
    }

    /// Runs one generated call within the client's timeout, in a tracing span
    /// named after its operation, and maps its error.
    pub(crate) async fn call<'a, T, F, Fut>(&'a self, operation: &'static str, send: F) -> Result<T>
    where
        F: FnOnce(&'a api::Client) -> Fut,
        Fut: Future<Output = std::result::Result<ResponseValue<T>, RawError>>,
    {
        let api = self.api().await?;
        self.call_with(api, operation, send).await
    }

    /// As [`Self::call`], with an `Api` already in hand.
    pub(crate) async fn call_with<'a, T, F, Fut>(
        &self,
        api: &'a Api,
        operation: &'static str,
        send: F,
    ) -> Result<T>
    where
        F: FnOnce(&'a api::Client) -> Fut,
        Fut: Future<Output = std::result::Result<ResponseValue<T>, RawError>>,
    {
        let response = self
            .respond(operation, Some(api.version), send(&api.client))
            .await?;
        Ok(response.into_inner())
    }

    /// Sends one generated request within the client's timeout, in a tracing
    /// span named after its operation, and maps its error. The response, its
    /// headers and any body stream are the caller's: the timeout covers only
    /// the wait for the engine to start answering.
    pub(crate) async fn respond<T, Fut>(
        &self,
        operation: &'static str,
        version: Option<ApiVersion>,
        send: Fut,
    ) -> Result<ResponseValue<T>>
    where
        Fut: Future<Output = std::result::Result<ResponseValue<T>, RawError>>,
    {
        self.respond_within(operation, version, Some(self.inner.timeout), send)
            .await
    }

    /// As [`Self::call`], with the caller's timeout instead of the client's:
    /// `None` waits as long as the engine takes (docker-py's `wait()`).
    pub(crate) async fn call_within<'a, T, F, Fut>(
        &'a self,
        operation: &'static str,
        timeout: Option<Duration>,
        send: F,
    ) -> Result<T>
    where
        F: FnOnce(&'a api::Client) -> Fut,
        Fut: Future<Output = std::result::Result<ResponseValue<T>, RawError>>,
    {
        let api = self.api().await?;
        let response = self
            .respond_within(operation, Some(api.version), timeout, send(&api.client))
            .await?;
        Ok(response.into_inner())
    }

    /// As [`Self::call`] for a call whose `304 Not Modified` means "already
    /// so" (starting a started container, stopping a stopped one), which
    /// docker-py treats as success.
    pub(crate) async fn call_idempotent<'a, F, Fut>(
        &'a self,
        operation: &'static str,
        timeout: Option<Duration>,
        send: F,
    ) -> Result<()>
    where
        F: FnOnce(&'a api::Client) -> Fut,
        Fut: Future<Output = std::result::Result<ResponseValue<()>, RawError>>,
    {
        let api = self.api().await?;
        let send = send(&api.client);
        let tolerant = async move {
            match send.await {
                Err(docker_engine_api::Error::UnexpectedResponse(response))
                    if response.status() == reqwest::StatusCode::NOT_MODIFIED =>
                {
                    Ok(ResponseValue::new(
                        (),
                        response.status(),
                        response.headers().clone(),
                    ))
                }
                other => other,
            }
        };
        self.respond_within(operation, Some(api.version), timeout, tolerant)
            .await?;
        Ok(())
    }

    /// [`Self::respond`] with the caller's timeout (`None`: none at all).
    pub(crate) async fn respond_within<T, Fut>(
        &self,
        operation: &'static str,
        version: Option<ApiVersion>,
        timeout: Option<Duration>,
        send: Fut,
    ) -> Result<T>
    where
        Fut: Future<Output = std::result::Result<T, RawError>>,
    {
        let span = tracing::debug_span!("docker", operation, api_version = tracing::field::Empty);
        if let Some(version) = version {
            span.record("api_version", tracing::field::display(version));
        }
        let outcome = match timeout {
            Some(after) => tokio::time::timeout(after, send.instrument(span))
                .await
                .map_err(|_elapsed| Error::Timeout { operation, after })?,
            None => send.instrument(span).await,
        };
        match outcome {
            Ok(response) => Ok(response),
            Err(error) => {
                let host = self.inner.host.to_string();
                Err(Call {
                    host: &host,
                    operation,
                }
                .error(error)
                .await)
            }
        }
    }

    /// Pings the engine: `GET /_ping`, which every engine answers whatever
    /// the version, and which says the API version it speaks.
    ///
    /// # Errors
    ///
    /// When the engine cannot be reached or answers with an error.
    pub async fn ping(&self) -> Result<Ping> {
        // Unversioned whatever the module: the raw crate's hook strips the prefix.
        let probe = api::Client::new_with_client(
            &versioned_base_url(&self.inner.base, &ApiVersion::LATEST.to_string()),
            self.inner.http.clone(),
        );
        let response = self.respond("ping", None, probe.system_ping().send()).await?;
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        Ok(Ping {
            api_version: header("api-version").and_then(|v| v.parse().ok()),
            os_type: header("ostype"),
            experimental: header("docker-experimental").is_some_and(|v| v == "true"),
            builder_version: header("builder-version"),
        })
    }
}

/// What `/_ping` says about the engine.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Ping {
    /// The newest API version the engine speaks.
    pub api_version: Option<ApiVersion>,
    /// `linux` or `windows`.
    pub os_type: Option<String>,
    /// Whether experimental features are on.
    pub experimental: bool,
    /// The default builder (`1` legacy, `2` BuildKit).
    pub builder_version: Option<String>,
}

/// Settings for a [`DockerClient`], with docker-py's parameters.
///
/// Setters never fail; the first bad value is reported by
/// [`DockerClientBuilder::build`].
#[derive(Debug, Default)]
pub struct DockerClientBuilder {
    host: Option<String>,
    env: Option<EnvConfig>,
    environment: Option<Environment>,
    version: Option<VersionChoice>,
    timeout: Option<Duration>,
    tls: Option<TlsConfig>,
    user_agent: Option<String>,
    credstore_env: HashMap<String, String>,
    error: Option<Error>,
}

impl DockerClientBuilder {
    /// The engine's address (docker-py's `base_url`), such as
    /// `unix:///var/run/docker.sock`, `tcp://127.0.0.1:2375` or
    /// `ssh://me@host`. See [`DockerHost`] for every form.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.host = Some(url.into());
        self
    }

    /// Starts from what `environment` says (as [`DockerClient::from_env`]
    /// reads the process's): docker-py's `environment=`.
    pub fn from_environment(mut self, environment: Environment) -> Self {
        match EnvConfig::resolve(&environment) {
            Ok(config) => self.env = Some(config),
            Err(error) => self.error = self.error.or(Some(error)),
        }
        self.environment = Some(environment);
        self
    }

    /// `"auto"` (the default) to negotiate, or a version such as `"1.41"`.
    pub fn version(mut self, version: &str) -> Self {
        match version.parse() {
            Ok(version) => self.version = Some(version),
            Err(error) => self.error = self.error.or(Some(error)),
        }
        self
    }

    /// Speak exactly this API version.
    pub fn api_version(mut self, version: ApiVersion) -> Self {
        match version::check_supported(version) {
            Ok(()) => self.version = Some(VersionChoice::Pinned(version)),
            Err(error) => self.error = self.error.or(Some(error)),
        }
        self
    }

    /// How long each call may take (default 60 s). Streams (logs, events,
    /// attach) are bound by it only until the engine starts answering.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Speak TLS with these settings (docker-py's `tls=TLSConfig(...)`).
    pub fn tls(mut self, tls: TlsConfig) -> Self {
        self.tls = Some(tls);
        self
    }

    /// The `User-Agent` header (default [`DEFAULT_USER_AGENT`]).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Environment variables for credential helpers.
    pub fn credstore_env<K: Into<String>, V: Into<String>>(
        mut self,
        env: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.credstore_env = env.into_iter().map(|(k, v)| (k.into(), v.into())).collect();
        self
    }

    /// Builds the client. No request is sent.
    ///
    /// # Errors
    ///
    /// The first invalid setting, or TLS material that cannot be loaded.
    pub fn build(self) -> Result<DockerClient> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let env = self.env.unwrap_or_default();
        let explicit_tls = self.tls.is_some();
        let tls = self.tls.or(env.tls);
        let host = match &self.host {
            Some(url) => DockerHost::parse(url, explicit_tls)?,
            None => env.host,
        };
        // The transport applies TLS to TCP only.
        let user_agent = self.user_agent.unwrap_or_else(|| DEFAULT_USER_AGENT.to_owned());
        let transport = transport::connect(&host, tls.as_ref(), &user_agent)?;
        Ok(DockerClient {
            inner: Arc::new(Inner {
                host,
                http: transport.http,
                base: transport.base,
                version: self.version.or(env.version).unwrap_or_default(),
                timeout: self.timeout.unwrap_or(DEFAULT_TIMEOUT),
                credstore_env: self.credstore_env,
                environment: self.environment.unwrap_or_else(Environment::from_process),
                api: OnceCell::new(),
                logins: Mutex::new(HashMap::new()),
                _tunnel: transport.tunnel,
            }),
        })
    }
}
