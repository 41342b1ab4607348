//! Swarm mode: making the engine a swarm manager or worker, and the
//! swarm's own settings (docker-py's `client.swarm`).
//!
//! docker-py's `Swarm` caches the swarm's attributes and `version`; here
//! [`Swarm::inspect`] fetches them when they are wanted, and
//! [`Swarm::update`] reads the current version itself, so no stale copy can
//! make an update fail.

use std::collections::HashMap;
use std::time::Duration;

use crate::DockerClient;
use crate::api::types;
use crate::convert::{self, Label};
use crate::error::{Error, Result};
use crate::secret::Secret;

/// The swarm the engine belongs to (docker-py's `client.swarm`).
#[derive(Clone, Debug)]
pub struct Swarm {
    client: DockerClient,
}

/// docker-py's default for a new swarm's listen address.
const DEFAULT_LISTEN_ADDR: &str = "0.0.0.0:2377";

impl Swarm {
    pub(crate) fn new(client: DockerClient) -> Self {
        Self { client }
    }

    /// The client this swarm handle belongs to.
    pub fn client(&self) -> &DockerClient {
        &self.client
    }

    /// The swarm's attributes (docker-py's `attrs` after `reload`): its
    /// id, spec, version and join tokens. Only a manager can answer.
    ///
    /// # Errors
    ///
    /// [`Error::Api`] (503) when the engine is not a swarm manager.
    pub async fn inspect(&self) -> Result<types::Swarm> {
        self.client
            .call("swarm.inspect", |api| api.swarm_inspect().send())
            .await
    }

    /// The swarm's version, which an update must name (docker-py's
    /// `version`).
    ///
    /// # Errors
    ///
    /// As [`Swarm::inspect`].
    pub async fn version(&self) -> Result<u64> {
        let swarm = self.inspect().await?;
        Ok(swarm.version.and_then(|v| v.index).unwrap_or_default())
    }

    /// Makes the engine the first manager of a new swarm (`docker swarm
    /// init`); see [`InitSwarm`].
    ///
    /// ```no_run
    /// # async fn example(docker: docker_sdk::DockerClient) -> docker_sdk::Result<()> {
    /// let node_id = docker
    ///     .swarm()
    ///     .init()
    ///     .advertise_addr("eth0")
    ///     .listen_addr("0.0.0.0:5000")
    ///     .spec(|spec| spec.snapshot_interval(5000).log_entries_for_slow_followers(1200))
    ///     .send()
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn init(&self) -> InitSwarm {
        InitSwarm {
            client: self.client.clone(),
            advertise_addr: None,
            listen_addr: None,
            force_new_cluster: false,
            default_addr_pool: Vec::new(),
            subnet_size: None,
            data_path_addr: None,
            data_path_port: None,
            spec: SwarmSpecOptions::default(),
        }
    }

    /// Joins a swarm through one of its managers (`docker swarm join`).
    ///
    /// ```no_run
    /// # async fn example(docker: docker_sdk::DockerClient, token: String) -> docker_sdk::Result<()> {
    /// docker.swarm().join(["10.0.0.1:2377"], token).advertise_addr("10.0.0.2").send().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn join<I, S>(&self, remote_addrs: I, join_token: impl Into<String>) -> JoinSwarm
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        JoinSwarm {
            client: self.client.clone(),
            remote_addrs: remote_addrs.into_iter().map(Into::into).collect(),
            join_token: Secret::from(join_token.into()),
            listen_addr: None,
            advertise_addr: None,
            data_path_addr: None,
        }
    }

    /// Leaves the swarm; a manager must `force` it.
    ///
    /// # Errors
    ///
    /// [`Error::Api`] (503) when the engine is not in a swarm, or is a
    /// manager and `force` is not set.
    pub async fn leave(&self, force: bool) -> Result<()> {
        self.client
            .call("swarm.leave", |api| api.swarm_leave().force(force).send())
            .await
    }

    /// The key that unlocks an autolocked manager (docker-py's
    /// `get_unlock_key`); `None` when autolock is off.
    ///
    /// # Errors
    ///
    /// [`Error::Api`] (503) when the engine is not a swarm manager.
    pub async fn unlock_key(&self) -> Result<Option<Secret>> {
        let response = self
            .client
            .call("swarm.unlock_key", |api| api.swarm_unlockkey().send())
            .await?;
        Ok(response.unlock_key.filter(|k| !k.is_empty()).map(Secret::from))
    }

    /// Unlocks a locked manager after a restart.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for an empty key (nothing is sent);
    /// the engine's refusal of a wrong key.
    pub async fn unlock(&self, key: &Secret) -> Result<()> {
        if key.expose().is_empty() {
            return Err(Error::invalid_argument("key", "the unlock key is empty"));
        }
        let body = types::SwarmUnlockRequest {
            unlock_key: Some(key.expose().to_owned()),
        };
        self.client
            .call("swarm.unlock", |api| api.swarm_unlock().body(body).send())
            .await
    }

    /// Changes the swarm's settings (`docker swarm update`); see
    /// [`UpdateSwarm`].
    ///
    /// Unlike docker-py, which sends a whole new spec made of the given
    /// options and resets the rest, the current spec is read and only what
    /// is set here changes, as `docker swarm update` does.
    ///
    /// ```no_run
    /// # async fn example(docker: docker_sdk::DockerClient) -> docker_sdk::Result<()> {
    /// docker.swarm().update().rotate_worker_token(true).spec(|s| s.task_history_retention_limit(3)).send().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn update(&self) -> UpdateSwarm {
        UpdateSwarm {
            client: self.client.clone(),
            rotate_worker_token: false,
            rotate_manager_token: false,
            rotate_manager_unlock_key: false,
            spec: SwarmSpecOptions::default(),
        }
    }

    /// The token a new node joins with, as a worker or a manager.
    ///
    /// # Errors
    ///
    /// As [`Swarm::inspect`].
    pub async fn join_token(&self, role: NodeRole) -> Result<Secret> {
        let tokens = self.inspect().await?.join_tokens.unwrap_or_default();
        let token = match role {
            NodeRole::Worker => tokens.worker,
            NodeRole::Manager => tokens.manager,
        };
        token.map(Secret::from).ok_or_else(|| Error::Decode {
            operation: "swarm.inspect",
            message: "the engine's answer has no join token".to_owned(),
        })
    }
}

/// A node's role in a swarm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeRole {
    /// Runs tasks.
    Worker,
    /// Runs tasks and manages the swarm.
    Manager,
}

/// The swarm's settings that `init` and `update` take (docker-py's
/// `create_swarm_spec` keywords). Only what is set is sent.
#[derive(Clone, Debug, Default)]
pub struct SwarmSpecOptions {
    name: Option<String>,
    labels: Vec<Label>,
    task_history_retention_limit: Option<i64>,
    snapshot_interval: Option<u64>,
    keep_old_snapshots: Option<u64>,
    log_entries_for_slow_followers: Option<u64>,
    heartbeat_tick: Option<i64>,
    election_tick: Option<i64>,
    dispatcher_heartbeat_period: Option<Duration>,
    node_cert_expiry: Option<Duration>,
    external_cas: Option<Vec<ExternalCa>>,
    signing_ca_cert: Option<String>,
    signing_ca_key: Option<Secret>,
    ca_force_rotate: Option<u64>,
    autolock_managers: Option<bool>,
    log_driver: Option<convert::DriverConfig>,
}

impl SwarmSpecOptions {
    /// The swarm's name (the engine's default: `default`).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Labels: a map, or names (labels with an empty value).
    pub fn labels<I, L>(mut self, labels: I) -> Self
    where
        I: IntoIterator<Item = L>,
        L: Into<Label>,
    {
        self.labels.extend(labels.into_iter().map(Into::into));
        self
    }

    /// How many finished tasks to keep per service slot.
    pub fn task_history_retention_limit(mut self, limit: i64) -> Self {
        self.task_history_retention_limit = Some(limit);
        self
    }

    /// Raft log entries between snapshots.
    pub fn snapshot_interval(mut self, entries: u64) -> Self {
        self.snapshot_interval = Some(entries);
        self
    }

    /// Snapshots kept besides the current one.
    pub fn keep_old_snapshots(mut self, snapshots: u64) -> Self {
        self.keep_old_snapshots = Some(snapshots);
        self
    }

    /// Log entries kept after a snapshot for followers that lag.
    pub fn log_entries_for_slow_followers(mut self, entries: u64) -> Self {
        self.log_entries_for_slow_followers = Some(entries);
        self
    }

    /// Raft ticks between heartbeats.
    pub fn heartbeat_tick(mut self, ticks: i64) -> Self {
        self.heartbeat_tick = Some(ticks);
        self
    }

    /// Raft ticks without a leader before an election.
    pub fn election_tick(mut self, ticks: i64) -> Self {
        self.election_tick = Some(ticks);
        self
    }

    /// How often agents report to the dispatcher.
    pub fn dispatcher_heartbeat_period(mut self, period: Duration) -> Self {
        self.dispatcher_heartbeat_period = Some(period);
        self
    }

    /// How long node certificates are valid.
    pub fn node_cert_expiry(mut self, expiry: Duration) -> Self {
        self.node_cert_expiry = Some(expiry);
        self
    }

    /// Adds an external CA that signs node certificates (docker-py's
    /// `external_cas`).
    pub fn external_ca(mut self, ca: ExternalCa) -> Self {
        self.external_cas.get_or_insert_with(Vec::new).push(ca);
        self
    }

    /// The CA certificate (PEM) that signs node certificates.
    pub fn signing_ca_cert(mut self, pem: impl Into<String>) -> Self {
        self.signing_ca_cert = Some(pem.into());
        self
    }

    /// The key (PEM) of [`signing_ca_cert`](Self::signing_ca_cert); it never
    /// appears in `Debug` output.
    pub fn signing_ca_key(mut self, pem: impl Into<String>) -> Self {
        self.signing_ca_key = Some(Secret::from(pem.into()));
        self
    }

    /// A counter: raising it makes the swarm rotate its CA.
    pub fn ca_force_rotate(mut self, counter: u64) -> Self {
        self.ca_force_rotate = Some(counter);
        self
    }

    /// Lock managers' data with a key that must be given after a restart.
    pub fn autolock_managers(mut self, autolock: bool) -> Self {
        self.autolock_managers = Some(autolock);
        self
    }

    /// The default log driver of tasks.
    pub fn log_driver(mut self, driver: convert::DriverConfig) -> Self {
        self.log_driver = Some(driver);
        self
    }

    /// Writes what is set into `spec`, leaving the rest as it is.
    fn apply(self, spec: &mut types::SwarmSpec) -> Result<()> {
        if let Some(name) = self.name {
            spec.name = Some(name);
        }
        if !self.labels.is_empty() {
            spec.labels = Some(convert::labels(&self.labels)?);
        }
        if let Some(limit) = self.task_history_retention_limit {
            let orchestration = spec.orchestration.get_or_insert_with(Default::default);
            orchestration.task_history_retention_limit = Some(limit);
        }
        let raft = [
            self.snapshot_interval,
            self.keep_old_snapshots,
            self.log_entries_for_slow_followers,
        ];
        if raft.iter().any(Option::is_some) || self.heartbeat_tick.or(self.election_tick).is_some() {
            let settings = spec.raft.get_or_insert_with(Default::default);
            settings.snapshot_interval = self.snapshot_interval.or(settings.snapshot_interval);
            settings.keep_old_snapshots = self.keep_old_snapshots.or(settings.keep_old_snapshots);
            settings.log_entries_for_slow_followers = self
                .log_entries_for_slow_followers
                .or(settings.log_entries_for_slow_followers);
            settings.heartbeat_tick = self.heartbeat_tick.or(settings.heartbeat_tick);
            settings.election_tick = self.election_tick.or(settings.election_tick);
        }
        if let Some(period) = self.dispatcher_heartbeat_period {
            let dispatcher = spec.dispatcher.get_or_insert_with(Default::default);
            dispatcher.heartbeat_period = Some(convert::nanoseconds("dispatcher_heartbeat_period", period)?);
        }
        let ca_given = self.node_cert_expiry.is_some()
            || self.external_cas.is_some()
            || self.signing_ca_cert.is_some()
            || self.signing_ca_key.is_some()
            || self.ca_force_rotate.is_some();
        if ca_given {
            let ca = spec.ca_config.get_or_insert_with(Default::default);
            if let Some(expiry) = self.node_cert_expiry {
                ca.node_cert_expiry = Some(convert::nanoseconds("node_cert_expiry", expiry)?);
            }
            if let Some(cas) = self.external_cas {
                let cas = cas.into_iter().map(ExternalCa::into_model);
                ca.external_c_as = Some(cas.collect::<Result<_>>()?);
            }
            ca.signing_ca_cert = self.signing_ca_cert.or(ca.signing_ca_cert.take());
            if let Some(key) = self.signing_ca_key {
                ca.signing_ca_key = Some(key.expose().to_owned());
            }
            ca.force_rotate = self.ca_force_rotate.or(ca.force_rotate);
        }
        if let Some(autolock) = self.autolock_managers {
            let encryption = spec.encryption_config.get_or_insert_with(Default::default);
            encryption.auto_lock_managers = Some(autolock);
        }
        if let Some(driver) = self.log_driver {
            let (name, options) = driver.into_parts();
            let defaults = spec.task_defaults.get_or_insert_with(Default::default);
            defaults.log_driver = Some(types::SwarmSpecTaskDefaultsLogDriver {
                name: Some(name),
                options: (!options.is_empty()).then_some(options),
            });
        }
        Ok(())
    }
}

/// An external certificate authority (docker-py's `SwarmExternalCA`).
#[derive(Clone, Debug)]
pub struct ExternalCa {
    url: String,
    protocol: Option<String>,
    options: HashMap<String, String>,
    ca_cert: Option<String>,
}

impl ExternalCa {
    /// The CA's signing endpoint.
    pub fn new(url: impl Into<String>) -> Self {
        ExternalCa {
            url: url.into(),
            protocol: None,
            options: HashMap::new(),
            ca_cert: None,
        }
    }

    /// The protocol to speak (the engine knows `cfssl`).
    pub fn protocol(mut self, protocol: impl Into<String>) -> Self {
        self.protocol = Some(protocol.into());
        self
    }

    /// A protocol-specific option.
    pub fn option(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.insert(key.into(), value.into());
        self
    }

    /// The root CA certificate (PEM) this CA issues from.
    pub fn ca_cert(mut self, pem: impl Into<String>) -> Self {
        self.ca_cert = Some(pem.into());
        self
    }

    fn into_model(self) -> Result<types::SwarmSpecCaConfigExternalCAsItem> {
        let protocol = match self.protocol.as_deref() {
            None => None,
            Some(protocol) => Some(convert::parse_enum("external_ca protocol", protocol, &["cfssl"])?),
        };
        Ok(types::SwarmSpecCaConfigExternalCAsItem {
            url: Some(self.url),
            protocol: protocol.unwrap_or_default(),
            options: (!self.options.is_empty()).then_some(self.options),
            ca_cert: self.ca_cert,
        })
    }
}

/// Options of [`Swarm::init`], as docker-py names them.
#[derive(Debug)]
#[must_use = "nothing is sent until `send`"]
pub struct InitSwarm {
    client: DockerClient,
    advertise_addr: Option<String>,
    listen_addr: Option<String>,
    force_new_cluster: bool,
    default_addr_pool: Vec<String>,
    subnet_size: Option<u32>,
    data_path_addr: Option<String>,
    data_path_port: Option<u32>,
    spec: SwarmSpecOptions,
}

impl InitSwarm {
    /// The address other nodes reach this one at: `192.168.1.1:4567`, or an
    /// interface and port, `eth0:4567` (the port defaults to the listen
    /// address's).
    pub fn advertise_addr(mut self, addr: impl Into<String>) -> Self {
        self.advertise_addr = Some(addr.into());
        self
    }

    /// Where managers listen to each other (docker-py's default:
    /// `0.0.0.0:2377`).
    pub fn listen_addr(mut self, addr: impl Into<String>) -> Self {
        self.listen_addr = Some(addr.into());
        self
    }

    /// Start a new single-manager swarm from this node's state (disaster
    /// recovery).
    pub fn force_new_cluster(mut self, force: bool) -> Self {
        self.force_new_cluster = force;
        self
    }

    /// Address pools that overlay networks get their subnets from, in CIDR
    /// notation.
    pub fn default_addr_pool<I, S>(mut self, pools: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.default_addr_pool.extend(pools.into_iter().map(Into::into));
        self
    }

    /// The prefix length of each subnet taken from the pools.
    pub fn subnet_size(mut self, size: u32) -> Self {
        self.subnet_size = Some(size);
        self
    }

    /// The address data traffic between containers uses.
    pub fn data_path_addr(mut self, addr: impl Into<String>) -> Self {
        self.data_path_addr = Some(addr.into());
        self
    }

    /// The UDP port of that data traffic (VXLAN; the engine's default 4789).
    pub fn data_path_port(mut self, port: u32) -> Self {
        self.data_path_port = Some(port);
        self
    }

    /// The swarm's settings.
    pub fn spec(mut self, options: impl FnOnce(SwarmSpecOptions) -> SwarmSpecOptions) -> Self {
        self.spec = options(self.spec);
        self
    }

    /// Creates the swarm; returns this node's id.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for a bad setting (nothing is sent);
    /// [`Error::Api`] (503) when the engine is already in a swarm, or (400)
    /// when it cannot pick an address to advertise.
    pub async fn send(self) -> Result<String> {
        let mut spec = types::SwarmSpec::default();
        self.spec.apply(&mut spec)?;
        let pools = self.default_addr_pool;
        let body = types::SwarmInitRequest {
            listen_addr: Some(self.listen_addr.unwrap_or_else(|| DEFAULT_LISTEN_ADDR.to_owned())),
            advertise_addr: self.advertise_addr,
            data_path_addr: self.data_path_addr,
            data_path_port: self.data_path_port,
            default_addr_pool: (!pools.is_empty()).then_some(pools),
            force_new_cluster: Some(self.force_new_cluster),
            subnet_size: self.subnet_size,
            spec: Some(spec),
        };
        self.client
            .call("swarm.init", |api| api.swarm_init().body(body).send())
            .await
    }
}

/// Options of [`Swarm::join`], as docker-py names them.
#[derive(Debug)]
#[must_use = "nothing is sent until `send`"]
pub struct JoinSwarm {
    client: DockerClient,
    remote_addrs: Vec<String>,
    join_token: Secret,
    listen_addr: Option<String>,
    advertise_addr: Option<String>,
    data_path_addr: Option<String>,
}

impl JoinSwarm {
    /// Where this node listens if it becomes a manager (docker-py's default:
    /// `0.0.0.0:2377`).
    pub fn listen_addr(mut self, addr: impl Into<String>) -> Self {
        self.listen_addr = Some(addr.into());
        self
    }

    /// The address other nodes reach this one at.
    pub fn advertise_addr(mut self, addr: impl Into<String>) -> Self {
        self.advertise_addr = Some(addr.into());
        self
    }

    /// The address data traffic between containers uses.
    pub fn data_path_addr(mut self, addr: impl Into<String>) -> Self {
        self.data_path_addr = Some(addr.into());
        self
    }

    /// Joins.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] without a manager address or token
    /// (nothing is sent); [`Error::Api`] (503) when the engine is already in
    /// a swarm, or the manager refuses the token.
    pub async fn send(self) -> Result<()> {
        if self.remote_addrs.is_empty() {
            return Err(Error::invalid_argument(
                "remote_addrs",
                "name at least one manager",
            ));
        }
        if self.join_token.expose().is_empty() {
            return Err(Error::invalid_argument("join_token", "the join token is empty"));
        }
        let body = types::SwarmJoinRequest {
            listen_addr: self.listen_addr.unwrap_or_else(|| DEFAULT_LISTEN_ADDR.to_owned()),
            advertise_addr: self.advertise_addr,
            data_path_addr: self.data_path_addr,
            remote_addrs: Some(self.remote_addrs),
            join_token: self.join_token.expose().to_owned(),
        };
        self.client
            .call("swarm.join", |api| api.swarm_join().body(body).send())
            .await
    }
}

/// Options of [`Swarm::update`], as docker-py names them.
#[derive(Debug)]
#[must_use = "nothing is sent until `send`"]
pub struct UpdateSwarm {
    client: DockerClient,
    rotate_worker_token: bool,
    rotate_manager_token: bool,
    rotate_manager_unlock_key: bool,
    spec: SwarmSpecOptions,
}

impl UpdateSwarm {
    /// Replace the token workers join with.
    pub fn rotate_worker_token(mut self, rotate: bool) -> Self {
        self.rotate_worker_token = rotate;
        self
    }

    /// Replace the token managers join with.
    pub fn rotate_manager_token(mut self, rotate: bool) -> Self {
        self.rotate_manager_token = rotate;
        self
    }

    /// Replace the autolock unlock key.
    pub fn rotate_manager_unlock_key(mut self, rotate: bool) -> Self {
        self.rotate_manager_unlock_key = rotate;
        self
    }

    /// The settings to change.
    pub fn spec(mut self, options: impl FnOnce(SwarmSpecOptions) -> SwarmSpecOptions) -> Self {
        self.spec = options(self.spec);
        self
    }

    /// Reads the swarm's current spec and version, applies the changes and
    /// sends them.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for a bad setting (nothing is sent);
    /// [`Error::Api`] (503) when the engine is not a manager; the engine's
    /// refusal when another update came in between (the version is stale).
    pub async fn send(self) -> Result<()> {
        let current = Swarm::new(self.client.clone()).inspect().await?;
        let version = current.version.and_then(|v| v.index).unwrap_or_default();
        let mut spec = current.spec.unwrap_or_default();
        self.spec.apply(&mut spec)?;
        let version = i64::try_from(version).map_err(|_| Error::Decode {
            operation: "swarm.inspect",
            message: format!("swarm version {version} is out of range"),
        })?;
        self.client
            .call("swarm.update", |api| {
                api.swarm_update()
                    .version(version)
                    .rotate_worker_token(self.rotate_worker_token)
                    .rotate_manager_token(self.rotate_manager_token)
                    .rotate_manager_unlock_key(self.rotate_manager_unlock_key)
                    .body(spec)
                    .send()
            })
            .await
    }
}
