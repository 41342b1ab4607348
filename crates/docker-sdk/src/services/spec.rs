//! docker-py's service types (`docker.types`: `ServiceMode`,
//! `EndpointSpec`, `RestartPolicy`, `UpdateConfig`, `Resources`,
//! `Placement`, `SecretReference`, …) with a Rust shape: each is a small
//! builder that checks what the engine would refuse and becomes a
//! generated model, or an [`Error::InvalidArgument`] naming the keyword,
//! before anything is sent.

use std::time::Duration;

use crate::api::types;
use crate::convert::{self, ByteSize};
use crate::error::{Error, Result};

/// How a service's tasks are scheduled (docker-py's `ServiceMode`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServiceMode {
    /// A number of tasks spread over the nodes.
    Replicated(u64),
    /// One task on every node that qualifies.
    Global,
    /// A job run to completion `total_completions` times, at most
    /// `max_concurrent` at once (API 1.41).
    ReplicatedJob {
        /// At most this many tasks at once.
        max_concurrent: u64,
        /// Runs to complete in all.
        total_completions: u64,
    },
    /// A job run once on every node that qualifies (API 1.41).
    GlobalJob,
}

impl ServiceMode {
    /// docker-py's `ServiceMode(mode, replicas)`: `replicated` (one replica
    /// unless given), `global`, `replicated-job`, `global-job`.
    ///
    /// ```
    /// use docker_sdk::services::ServiceMode;
    ///
    /// assert_eq!(ServiceMode::parse("replicated", Some(3))?, ServiceMode::Replicated(3));
    /// assert_eq!(ServiceMode::parse("global", None)?, ServiceMode::Global);
    /// assert!(ServiceMode::parse("global", Some(3)).is_err());
    /// # Ok::<(), docker_sdk::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for another mode, or replicas with a
    /// mode that has none.
    pub fn parse(mode: &str, replicas: Option<u64>) -> Result<Self> {
        let refuse = |reason: String| Error::invalid_argument("mode", reason);
        match (mode, replicas) {
            ("replicated", replicas) => Ok(ServiceMode::Replicated(replicas.unwrap_or(1))),
            ("replicated-job", replicas) => Ok(ServiceMode::ReplicatedJob {
                max_concurrent: 1,
                total_completions: replicas.unwrap_or(1),
            }),
            ("global" | "global-job", Some(_)) => Err(refuse(format!(
                "replicas can only be used with a replicated mode, not {mode:?}"
            ))),
            ("global", None) => Ok(ServiceMode::Global),
            ("global-job", None) => Ok(ServiceMode::GlobalJob),
            (other, _) => Err(refuse(format!(
                "{other:?} is not one of replicated, global, replicated-job, global-job"
            ))),
        }
    }

    /// The replicas of a replicated service.
    pub fn replicas(&self) -> Option<u64> {
        match self {
            ServiceMode::Replicated(replicas) => Some(*replicas),
            _ => None,
        }
    }

    pub(crate) fn into_model(self) -> Result<types::ServiceSpecMode> {
        let count = |argument: &str, n: u64| {
            i64::try_from(n).map_err(|_| Error::invalid_argument(argument, format!("{n} is too large")))
        };
        let mut mode = types::ServiceSpecMode::default();
        match self {
            ServiceMode::Replicated(replicas) => {
                mode.replicated = Some(types::ServiceSpecModeReplicated {
                    replicas: Some(count("replicas", replicas)?),
                });
            }
            ServiceMode::Global => mode.global = Some(Default::default()),
            ServiceMode::ReplicatedJob {
                max_concurrent,
                total_completions,
            } => {
                mode.replicated_job = Some(types::ServiceSpecModeReplicatedJob {
                    max_concurrent: count("max_concurrent", max_concurrent)?,
                    total_completions: Some(count("total_completions", total_completions)?),
                });
            }
            ServiceMode::GlobalJob => mode.global_job = Some(Default::default()),
        }
        Ok(mode)
    }
}

/// One published port of an [`EndpointSpec`]: docker-py's port tuple
/// `(target_port, protocol, publish_mode)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortConfig {
    target: u32,
    protocol: String,
    publish_mode: Option<String>,
}

impl PortConfig {
    /// The port inside the containers, over TCP.
    pub fn new(target: u32) -> Self {
        PortConfig {
            target,
            protocol: "tcp".to_owned(),
            publish_mode: None,
        }
    }

    /// `tcp` (the default), `udp` or `sctp`.
    pub fn protocol(mut self, protocol: impl Into<String>) -> Self {
        self.protocol = protocol.into();
        self
    }

    /// `ingress` (the routing mesh, the engine's default) or `host` (the
    /// port of the node that runs the task).
    pub fn publish_mode(mut self, mode: impl Into<String>) -> Self {
        self.publish_mode = Some(mode.into());
        self
    }
}

impl From<u32> for PortConfig {
    fn from(target: u32) -> Self {
        PortConfig::new(target)
    }
}

impl From<(u32, &str)> for PortConfig {
    fn from((target, protocol): (u32, &str)) -> Self {
        PortConfig::new(target).protocol(protocol)
    }
}

impl From<(u32, &str, &str)> for PortConfig {
    fn from((target, protocol, mode): (u32, &str, &str)) -> Self {
        PortConfig::new(target).protocol(protocol).publish_mode(mode)
    }
}

/// How a service is reached (docker-py's `EndpointSpec`): a resolution
/// mode and published ports, `{published: target}` or `{published: (target,
/// protocol, mode)}`.
///
/// ```
/// use docker_sdk::services::EndpointSpec;
///
/// let endpoint = EndpointSpec::new().port(8080, 80).port(5353, (53, "udp")).port(9000, (9000, "tcp", "host"));
/// # let _ = endpoint;
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EndpointSpec {
    mode: Option<String>,
    ports: Vec<(u32, PortConfig)>,
}

impl EndpointSpec {
    /// No published ports, virtual-IP resolution.
    pub fn new() -> Self {
        Self::default()
    }

    /// `vip` (a virtual IP, the default) or `dnsrr` (DNS round robin; no
    /// published ports with it).
    pub fn mode(mut self, mode: impl Into<String>) -> Self {
        self.mode = Some(mode.into());
        self
    }

    /// Publishes `target` on port `published` of the swarm (`0`: the swarm
    /// picks one).
    pub fn port(mut self, published: u32, target: impl Into<PortConfig>) -> Self {
        self.ports.push((published, target.into()));
        self
    }

    pub(crate) fn into_model(self) -> Result<types::EndpointSpec> {
        const ARGUMENT: &str = "endpoint_spec";
        let mode = match self.mode.as_deref() {
            None => None,
            Some(mode) => Some(convert::parse_enum(ARGUMENT, mode, &["vip", "dnsrr"])?),
        };
        if self.mode.as_deref() == Some("dnsrr") && !self.ports.is_empty() {
            return Err(Error::invalid_argument(
                ARGUMENT,
                "ports can only be published with the vip mode, not dnsrr",
            ));
        }
        let mut ports = Vec::with_capacity(self.ports.len());
        for (published, config) in self.ports {
            if published > 65535 {
                return Err(Error::invalid_argument(
                    ARGUMENT,
                    format!("published port {published} is not in 0-65535"),
                ));
            }
            if !(1..=65535).contains(&config.target) {
                return Err(Error::invalid_argument(
                    ARGUMENT,
                    format!("target port {} is not in 1-65535", config.target),
                ));
            }
            let protocol = convert::parse_enum(ARGUMENT, &config.protocol, &["tcp", "udp", "sctp"])?;
            let publish_mode = match config.publish_mode.as_deref() {
                None => None,
                Some(mode) => Some(convert::parse_enum(ARGUMENT, mode, &["ingress", "host"])?),
            };
            let mut port = types::EndpointPortConfig {
                protocol: Some(protocol),
                published_port: (published != 0).then_some(i64::from(published)),
                target_port: Some(i64::from(config.target)),
                ..Default::default()
            };
            if let Some(publish_mode) = publish_mode {
                port.publish_mode = publish_mode;
            }
            ports.push(port);
        }
        let mut spec = types::EndpointSpec {
            ports: (!ports.is_empty()).then_some(ports),
            ..Default::default()
        };
        if let Some(mode) = mode {
            spec.mode = mode;
        }
        Ok(spec)
    }
}

/// When the swarm restarts a service's tasks (docker-py's
/// `types.RestartPolicy`).
///
/// ```
/// use std::time::Duration;
/// use docker_sdk::services::ServiceRestartPolicy;
///
/// let policy = ServiceRestartPolicy::new("on-failure").delay(Duration::from_secs(5)).max_attempts(3);
/// # let _ = policy;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceRestartPolicy {
    condition: String,
    delay: Duration,
    max_attempts: u64,
    window: Duration,
}

impl ServiceRestartPolicy {
    /// Restart on `none`, `on-failure` or `any` exit.
    pub fn new(condition: impl Into<String>) -> Self {
        ServiceRestartPolicy {
            condition: condition.into(),
            delay: Duration::ZERO,
            max_attempts: 0,
            window: Duration::ZERO,
        }
    }

    /// The wait between restarts.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Give up after this many restarts (`0`: never).
    pub fn max_attempts(mut self, attempts: u64) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// The window restarts are counted in (`0`: unbounded).
    pub fn window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    pub(crate) fn into_model(self) -> Result<types::TaskSpecRestartPolicy> {
        const ARGUMENT: &str = "restart_policy";
        let accepted = ["none", "on-failure", "any"];
        let max_attempts = i64::try_from(self.max_attempts).map_err(|_| {
            Error::invalid_argument(
                ARGUMENT,
                format!("max_attempts {} is too large", self.max_attempts),
            )
        })?;
        Ok(types::TaskSpecRestartPolicy {
            condition: Some(convert::parse_enum(ARGUMENT, &self.condition, &accepted)?),
            delay: Some(convert::nanoseconds(ARGUMENT, self.delay)?),
            max_attempts,
            window: convert::nanoseconds(ARGUMENT, self.window)?,
        })
    }
}

/// How an update (or a rollback) of a service proceeds (docker-py's
/// `UpdateConfig` and `RollbackConfig`).
///
/// ```
/// use std::time::Duration;
/// use docker_sdk::services::UpdateConfig;
///
/// let rolling = UpdateConfig::new().parallelism(2).delay(Duration::from_secs(1)).order("start-first");
/// # let _ = rolling;
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UpdateConfig {
    parallelism: u64,
    delay: Option<Duration>,
    failure_action: Option<String>,
    monitor: Option<Duration>,
    max_failure_ratio: Option<f64>,
    order: Option<String>,
}

impl UpdateConfig {
    /// All tasks at once, no delay, `continue` on failure.
    pub fn new() -> Self {
        Self::default()
    }

    /// Tasks updated at once (`0`: all).
    pub fn parallelism(mut self, tasks: u64) -> Self {
        self.parallelism = tasks;
        self
    }

    /// The wait between batches.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    /// `continue`, `pause` or `rollback` (for a rollback: `continue` or
    /// `pause`) when a task fails.
    pub fn failure_action(mut self, action: impl Into<String>) -> Self {
        self.failure_action = Some(action.into());
        self
    }

    /// How long each updated task is watched for failure.
    pub fn monitor(mut self, monitor: Duration) -> Self {
        self.monitor = Some(monitor);
        self
    }

    /// The share of tasks (0 to 1) that may fail before the failure action.
    pub fn max_failure_ratio(mut self, ratio: f64) -> Self {
        self.max_failure_ratio = Some(ratio);
        self
    }

    /// `stop-first` (the default) or `start-first`.
    pub fn order(mut self, order: impl Into<String>) -> Self {
        self.order = Some(order.into());
        self
    }

    /// The parts both configs have, checked.
    fn checked(&self, argument: &str) -> Result<(i64, Option<i64>, Option<i64>, f64)> {
        let parallelism = i64::try_from(self.parallelism).map_err(|_| {
            Error::invalid_argument(argument, format!("parallelism {} is too large", self.parallelism))
        })?;
        let ratio = self.max_failure_ratio.unwrap_or(0.0);
        if !(0.0..=1.0).contains(&ratio) {
            return Err(Error::invalid_argument(
                argument,
                format!("max_failure_ratio {ratio} is not between 0 and 1"),
            ));
        }
        let delay = self
            .delay
            .map(|d| convert::nanoseconds(argument, d))
            .transpose()?;
        let monitor = self
            .monitor
            .map(|d| convert::nanoseconds(argument, d))
            .transpose()?;
        Ok((parallelism, delay, monitor, ratio))
    }

    pub(crate) fn into_update_model(self) -> Result<types::ServiceSpecUpdateConfig> {
        const ARGUMENT: &str = "update_config";
        let (parallelism, delay, monitor, ratio) = self.checked(ARGUMENT)?;
        let actions = ["continue", "pause", "rollback"];
        let orders = ["stop-first", "start-first"];
        Ok(types::ServiceSpecUpdateConfig {
            parallelism: Some(parallelism),
            delay,
            monitor,
            max_failure_ratio: ratio,
            failure_action: self
                .failure_action
                .map(|a| convert::parse_enum(ARGUMENT, &a, &actions))
                .transpose()?,
            order: self
                .order
                .map(|o| convert::parse_enum(ARGUMENT, &o, &orders))
                .transpose()?,
        })
    }

    pub(crate) fn into_rollback_model(self) -> Result<types::ServiceSpecRollbackConfig> {
        const ARGUMENT: &str = "rollback_config";
        let (parallelism, delay, monitor, ratio) = self.checked(ARGUMENT)?;
        let actions = ["continue", "pause"];
        let orders = ["stop-first", "start-first"];
        Ok(types::ServiceSpecRollbackConfig {
            parallelism: Some(parallelism),
            delay,
            monitor,
            max_failure_ratio: ratio,
            failure_action: self
                .failure_action
                .map(|a| convert::parse_enum(ARGUMENT, &a, &actions))
                .transpose()?,
            order: self
                .order
                .map(|o| convert::parse_enum(ARGUMENT, &o, &orders))
                .transpose()?,
        })
    }
}

/// CPUs in the engine's unit, billionths of a CPU (docker-py's
/// `cpu_limit`/`cpu_reservation` take that number). From an integer it is
/// that number; [`NanoCpus::cpus`] takes CPUs, as `docker service create
/// --limit-cpu 1.5` does.
///
/// ```
/// use docker_sdk::services::NanoCpus;
///
/// assert_eq!(NanoCpus::cpus(1.5)?.get(), 1_500_000_000);
/// assert_eq!(NanoCpus::from(250_000_000).get(), 250_000_000);
/// assert!(NanoCpus::cpus(-1.0).is_err());
/// # Ok::<(), docker_sdk::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NanoCpus(i64);

impl NanoCpus {
    /// A number of CPUs, fractions allowed.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for a negative, infinite, NaN or too
    /// large number.
    pub fn cpus(cpus: f64) -> Result<Self> {
        let nanos = (cpus * 1e9).round();
        if !nanos.is_finite() || nanos < 0.0 || nanos >= i64::MAX as f64 {
            return Err(Error::invalid_argument(
                "cpus",
                format!("{cpus} is not a number of CPUs from 0 up"),
            ));
        }
        // In range and whole: the cast is exact.
        Ok(NanoCpus(nanos as i64))
    }

    /// The number, in billionths of a CPU.
    pub fn get(self) -> i64 {
        self.0
    }
}

impl From<i64> for NanoCpus {
    fn from(nanos: i64) -> Self {
        NanoCpus(nanos)
    }
}

/// What each task may use and is guaranteed (docker-py's `Resources`).
///
/// ```
/// use docker_sdk::services::{NanoCpus, Resources};
///
/// let resources = Resources::new().cpu_limit(NanoCpus::cpus(0.5)?).mem_limit("128m").mem_reservation("64m");
/// # let _ = resources;
/// # Ok::<(), docker_sdk::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resources {
    cpu_limit: Option<NanoCpus>,
    mem_limit: Option<ByteSize>,
    cpu_reservation: Option<NanoCpus>,
    mem_reservation: Option<ByteSize>,
    generic_resources: Vec<(String, GenericResource)>,
}

/// A node-level resource a task reserves: a count, or a named one (a GPU
/// by its id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GenericResource {
    /// So many units.
    Discrete(i64),
    /// One resource by name.
    Named(String),
}

impl Resources {
    /// No limits, no reservations.
    pub fn new() -> Self {
        Self::default()
    }

    /// At most this much CPU.
    pub fn cpu_limit(mut self, cpus: impl Into<NanoCpus>) -> Self {
        self.cpu_limit = Some(cpus.into());
        self
    }

    /// At most this much memory: bytes, or `"128m"`.
    pub fn mem_limit(mut self, bytes: impl Into<ByteSize>) -> Self {
        self.mem_limit = Some(bytes.into());
        self
    }

    /// This much CPU set aside.
    pub fn cpu_reservation(mut self, cpus: impl Into<NanoCpus>) -> Self {
        self.cpu_reservation = Some(cpus.into());
        self
    }

    /// This much memory set aside.
    pub fn mem_reservation(mut self, bytes: impl Into<ByteSize>) -> Self {
        self.mem_reservation = Some(bytes.into());
        self
    }

    /// A generic resource to reserve (docker-py's `generic_resources`).
    pub fn generic_resource(mut self, kind: impl Into<String>, resource: GenericResource) -> Self {
        self.generic_resources.push((kind.into(), resource));
        self
    }

    pub(crate) fn into_model(self) -> Result<types::TaskSpecResources> {
        let cpus = |argument: &str, cpus: Option<NanoCpus>| match cpus {
            Some(NanoCpus(n)) if n < 0 => Err(Error::invalid_argument(
                argument,
                format!("{n} nanoCPUs is negative"),
            )),
            other => Ok(other.map(NanoCpus::get)),
        };
        let bytes = |argument: &str, size: Option<ByteSize>| {
            size.map(|s| convert::parse_bytes(argument, &s)).transpose()
        };
        let limits = types::Limit {
            nano_cp_us: cpus("cpu_limit", self.cpu_limit)?,
            memory_bytes: bytes("mem_limit", self.mem_limit)?,
            ..Default::default()
        };
        let generic: Vec<types::GenericResourcesItem> = self
            .generic_resources
            .into_iter()
            .map(|(kind, resource)| match resource {
                GenericResource::Discrete(value) => types::GenericResourcesItem {
                    discrete_resource_spec: Some(types::GenericResourcesItemDiscreteResourceSpec {
                        kind: Some(kind),
                        value: Some(value),
                    }),
                    ..Default::default()
                },
                GenericResource::Named(value) => types::GenericResourcesItem {
                    named_resource_spec: Some(types::GenericResourcesItemNamedResourceSpec {
                        kind: Some(kind),
                        value: Some(value),
                    }),
                    ..Default::default()
                },
            })
            .collect();
        let reservations = types::ResourceObject {
            nano_cp_us: cpus("cpu_reservation", self.cpu_reservation)?,
            memory_bytes: bytes("mem_reservation", self.mem_reservation)?,
            generic_resources: (!generic.is_empty()).then_some(types::GenericResources(generic)),
        };
        Ok(types::TaskSpecResources {
            limits: Some(limits),
            reservations: Some(reservations),
            ..Default::default()
        })
    }
}

/// A secret or config a service's containers get as a file (docker-py's
/// `SecretReference` and `ConfigReference`).
///
/// ```
/// use docker_sdk::services::FileReference;
///
/// let password = FileReference::new("k7n2…", "db-password").filename("db.txt").mode(0o400);
/// # let _ = password;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileReference {
    id: String,
    name: String,
    filename: Option<String>,
    uid: String,
    gid: String,
    mode: u32,
}

impl FileReference {
    /// The secret or config with this id and name, as a file named after
    /// it, owned by root, mode 0444.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        FileReference {
            id: id.into(),
            name: name.into(),
            filename: None,
            uid: "0".to_owned(),
            gid: "0".to_owned(),
            mode: 0o444,
        }
    }

    /// The file's name (under `/run/secrets/` for a secret; a path for a
    /// config).
    pub fn filename(mut self, filename: impl Into<String>) -> Self {
        self.filename = Some(filename.into());
        self
    }

    /// The file's owner.
    pub fn uid(mut self, uid: impl Into<String>) -> Self {
        self.uid = uid.into();
        self
    }

    /// The file's group.
    pub fn gid(mut self, gid: impl Into<String>) -> Self {
        self.gid = gid.into();
        self
    }

    /// The file's mode.
    pub fn mode(mut self, mode: u32) -> Self {
        self.mode = mode;
        self
    }

    fn checked(&self, argument: &str) -> Result<()> {
        if self.id.is_empty() || self.name.is_empty() {
            return Err(Error::invalid_argument(
                argument,
                "a reference needs an id and a name",
            ));
        }
        if self.mode > 0o7777 {
            return Err(Error::invalid_argument(
                argument,
                format!("mode {:o} is not a file mode", self.mode),
            ));
        }
        Ok(())
    }

    pub(crate) fn into_secret_model(self) -> Result<types::TaskSpecContainerSpecSecretsItem> {
        self.checked("secrets")?;
        Ok(types::TaskSpecContainerSpecSecretsItem {
            file: Some(types::TaskSpecContainerSpecSecretsItemFile {
                name: Some(self.filename.unwrap_or_else(|| self.name.clone())),
                uid: Some(self.uid),
                gid: Some(self.gid),
                mode: Some(self.mode),
            }),
            secret_id: Some(self.id),
            secret_name: Some(self.name),
        })
    }

    pub(crate) fn into_config_model(self) -> Result<types::TaskSpecContainerSpecConfigsItem> {
        self.checked("configs")?;
        Ok(types::TaskSpecContainerSpecConfigsItem {
            file: Some(types::TaskSpecContainerSpecConfigsItemFile {
                name: Some(self.filename.unwrap_or_else(|| self.name.clone())),
                uid: Some(self.uid),
                gid: Some(self.gid),
                mode: Some(self.mode),
            }),
            config_id: Some(self.id),
            config_name: Some(self.name),
            ..Default::default()
        })
    }
}

/// Where the scheduler may put tasks (docker-py's `Placement`).
///
/// ```
/// use docker_sdk::services::Placement;
///
/// let placement = Placement::new()
///     .constraint("node.role == worker")
///     .preference("node.labels.zone")
///     .platform("x86_64", "linux")
///     .max_replicas(2);
/// # let _ = placement;
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Placement {
    constraints: Vec<String>,
    preferences: Vec<String>,
    platforms: Vec<(String, String)>,
    max_replicas: Option<u64>,
}

impl Placement {
    /// Anywhere.
    pub fn new() -> Self {
        Self::default()
    }

    /// A constraint, `node.role == manager` or `node.labels.zone != b`.
    pub fn constraint(mut self, constraint: impl Into<String>) -> Self {
        self.constraints.push(constraint.into());
        self
    }

    /// Spread tasks evenly over the values of this node label (docker-py's
    /// `PlacementPreference('spread', descriptor)`, the only strategy).
    pub fn preference(mut self, spread_descriptor: impl Into<String>) -> Self {
        self.preferences.push(spread_descriptor.into());
        self
    }

    /// A platform the tasks can run on, `(architecture, os)`.
    pub fn platform(mut self, architecture: impl Into<String>, os: impl Into<String>) -> Self {
        self.platforms.push((architecture.into(), os.into()));
        self
    }

    /// At most this many tasks per node (docker-py's `maxreplicas`).
    pub fn max_replicas(mut self, max: u64) -> Self {
        self.max_replicas = Some(max);
        self
    }

    pub(crate) fn into_model(self) -> Result<types::TaskSpecPlacement> {
        if let Some(empty) = self.constraints.iter().find(|c| c.trim().is_empty()) {
            return Err(Error::invalid_argument(
                "constraints",
                format!("{empty:?} is not a constraint"),
            ));
        }
        let max_replicas = match self.max_replicas {
            None => 0,
            Some(max) => i64::try_from(max)
                .map_err(|_| Error::invalid_argument("maxreplicas", format!("{max} is too large")))?,
        };
        let preferences =
            self.preferences
                .into_iter()
                .map(|descriptor| types::TaskSpecPlacementPreferencesItem {
                    spread: Some(types::TaskSpecPlacementPreferencesItemSpread {
                        spread_descriptor: Some(descriptor),
                    }),
                });
        let platforms = self
            .platforms
            .into_iter()
            .map(|(architecture, os)| types::Platform {
                architecture: Some(architecture),
                os: Some(os),
            });
        let preferences: Vec<_> = preferences.collect();
        let platforms: Vec<_> = platforms.collect();
        Ok(types::TaskSpecPlacement {
            constraints: (!self.constraints.is_empty()).then_some(self.constraints),
            preferences: (!preferences.is_empty()).then_some(preferences),
            platforms: (!platforms.is_empty()).then_some(platforms),
            max_replicas,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn refused<T: std::fmt::Debug>(result: Result<T>, argument: &str, says: &str) {
        match result {
            Err(Error::InvalidArgument { argument: a, reason }) => {
                assert_eq!(a, argument, "{reason}");
                assert!(reason.contains(says), "{reason:?} does not say {says:?}");
            }
            other => panic!("expected InvalidArgument({argument}), got {other:?}"),
        }
    }

    fn wire<T: serde::Serialize>(model: T) -> Value {
        serde_json::to_value(model).expect("models serialise")
    }

    #[test]
    fn port_shorthand_as_docker_py_converts_it() {
        let cases: Vec<(EndpointSpec, Value)> = vec![
            (
                EndpointSpec::new().port(8080, 80),
                json!([{ "Protocol": "tcp", "PublishedPort": 8080, "TargetPort": 80, "PublishMode": "ingress" }]),
            ),
            (
                EndpointSpec::new().port(5353, (53, "udp")),
                json!([{ "Protocol": "udp", "PublishedPort": 5353, "TargetPort": 53, "PublishMode": "ingress" }]),
            ),
            (
                EndpointSpec::new().port(9000, (9000, "tcp", "host")),
                json!([{ "Protocol": "tcp", "PublishedPort": 9000, "TargetPort": 9000, "PublishMode": "host" }]),
            ),
            (
                EndpointSpec::new().port(0, 80),
                json!([{ "Protocol": "tcp", "TargetPort": 80, "PublishMode": "ingress" }]),
            ),
            (
                EndpointSpec::new().port(1, (2, "sctp")).port(65535, 65535),
                json!([
                    { "Protocol": "sctp", "PublishedPort": 1, "TargetPort": 2, "PublishMode": "ingress" },
                    { "Protocol": "tcp", "PublishedPort": 65535, "TargetPort": 65535, "PublishMode": "ingress" }
                ]),
            ),
        ];
        for (spec, ports) in cases {
            let model = wire(spec.clone().into_model().expect("valid"));
            assert_eq!(model["Ports"], ports, "{spec:?}");
            assert_eq!(model["Mode"], "vip", "{spec:?}");
        }
        let dnsrr = wire(EndpointSpec::new().mode("dnsrr").into_model().expect("valid"));
        assert_eq!(dnsrr, json!({ "Mode": "dnsrr" }));
    }

    #[test]
    fn bad_ports_are_refused() {
        let cases: Vec<(EndpointSpec, &str)> = vec![
            (EndpointSpec::new().port(70000, 80), "published port 70000"),
            (EndpointSpec::new().port(80, 0), "target port 0"),
            (EndpointSpec::new().port(80, 65536), "target port 65536"),
            (
                EndpointSpec::new().port(80, (80, "icmp")),
                "\"icmp\" is not one of tcp, udp, sctp",
            ),
            (EndpointSpec::new().port(80, (80, "TCP")), "\"TCP\" is not one of"),
            (
                EndpointSpec::new().port(80, (80, "tcp", "mesh")),
                "\"mesh\" is not one of ingress, host",
            ),
            (EndpointSpec::new().mode("rr"), "\"rr\" is not one of vip, dnsrr"),
            (
                EndpointSpec::new().mode("dnsrr").port(80, 80),
                "only be published with the vip mode",
            ),
        ];
        for (spec, says) in cases {
            refused(spec.into_model(), "endpoint_spec", says);
        }
    }

    #[test]
    fn service_modes() {
        let cases: Vec<(&str, Option<u64>, Value)> = vec![
            ("replicated", None, json!({ "Replicated": { "Replicas": 1 } })),
            ("replicated", Some(6), json!({ "Replicated": { "Replicas": 6 } })),
            ("replicated", Some(0), json!({ "Replicated": { "Replicas": 0 } })),
            ("global", None, json!({ "Global": {} })),
            ("global-job", None, json!({ "GlobalJob": {} })),
            (
                "replicated-job",
                Some(4),
                json!({ "ReplicatedJob": { "MaxConcurrent": 1, "TotalCompletions": 4 } }),
            ),
        ];
        for (mode, replicas, expected) in cases {
            let parsed = ServiceMode::parse(mode, replicas).expect(mode);
            assert_eq!(wire(parsed.into_model().expect(mode)), expected, "{mode}");
        }
        refused(
            ServiceMode::parse("global", Some(2)),
            "mode",
            "replicas can only be used",
        );
        refused(
            ServiceMode::parse("Replicated", None),
            "mode",
            "\"Replicated\" is not one of",
        );
        refused(ServiceMode::parse("", None), "mode", "is not one of");
        refused(
            ServiceMode::Replicated(u64::MAX).into_model(),
            "replicas",
            "too large",
        );
    }

    #[test]
    fn restart_policies() {
        let policy = ServiceRestartPolicy::new("on-failure")
            .delay(Duration::from_secs(5))
            .max_attempts(3)
            .window(Duration::from_secs(60));
        assert_eq!(
            wire(policy.into_model().expect("valid")),
            json!({ "Condition": "on-failure", "Delay": 5_000_000_000_i64, "MaxAttempts": 3, "Window": 60_000_000_000_i64 })
        );
        assert_eq!(
            wire(ServiceRestartPolicy::new("none").into_model().expect("valid")),
            json!({ "Condition": "none", "Delay": 0, "MaxAttempts": 0, "Window": 0 })
        );
        let bad: Vec<(ServiceRestartPolicy, &str)> = vec![
            (
                ServiceRestartPolicy::new("always"),
                "\"always\" is not one of none, on-failure, any",
            ),
            (ServiceRestartPolicy::new("on-failure:3"), "is not one of"),
            (ServiceRestartPolicy::new("any").delay(Duration::MAX), "too long"),
            (ServiceRestartPolicy::new("any").window(Duration::MAX), "too long"),
            (
                ServiceRestartPolicy::new("any").max_attempts(u64::MAX),
                "max_attempts",
            ),
        ];
        for (policy, says) in bad {
            refused(policy.into_model(), "restart_policy", says);
        }
    }

    #[test]
    fn update_and_rollback_configs() {
        let update = UpdateConfig::new()
            .parallelism(2)
            .delay(Duration::from_millis(1500))
            .failure_action("rollback")
            .monitor(Duration::from_secs(10))
            .max_failure_ratio(0.25)
            .order("start-first");
        assert_eq!(
            wire(update.clone().into_update_model().expect("valid")),
            json!({
                "Parallelism": 2, "Delay": 1_500_000_000_i64, "FailureAction": "rollback",
                "Monitor": 10_000_000_000_i64, "MaxFailureRatio": 0.25, "Order": "start-first"
            })
        );
        refused(
            update.clone().into_rollback_model(),
            "rollback_config",
            "\"rollback\" is not one of continue, pause",
        );
        assert_eq!(
            wire(UpdateConfig::new().into_update_model().expect("valid")),
            json!({ "Parallelism": 0, "MaxFailureRatio": 0.0 })
        );
        let bad: Vec<(UpdateConfig, &str)> = vec![
            (
                UpdateConfig::new().max_failure_ratio(1.5),
                "max_failure_ratio 1.5 is not between 0 and 1",
            ),
            (
                UpdateConfig::new().max_failure_ratio(-0.1),
                "is not between 0 and 1",
            ),
            (
                UpdateConfig::new().max_failure_ratio(f64::NAN),
                "is not between 0 and 1",
            ),
            (
                UpdateConfig::new().order("start_first"),
                "\"start_first\" is not one of stop-first, start-first",
            ),
            (
                UpdateConfig::new().failure_action("stop"),
                "\"stop\" is not one of continue, pause, rollback",
            ),
            (UpdateConfig::new().delay(Duration::MAX), "too long"),
            (UpdateConfig::new().monitor(Duration::MAX), "too long"),
            (UpdateConfig::new().parallelism(u64::MAX), "parallelism"),
        ];
        for (config, says) in bad {
            refused(config.into_update_model(), "update_config", says);
        }
    }

    #[test]
    fn nano_cpus_and_resources() {
        let cpus: &[(f64, Option<i64>)] = &[
            (0.0, Some(0)),
            (0.5, Some(500_000_000)),
            (1.5, Some(1_500_000_000)),
            (2.0, Some(2_000_000_000)),
            (0.000_000_001, Some(1)),
            (-0.5, None),
            (f64::NAN, None),
            (f64::INFINITY, None),
            (1e12, None),
        ];
        for (given, expected) in cpus {
            match (NanoCpus::cpus(*given), expected) {
                (Ok(n), Some(expected)) => assert_eq!(n.get(), *expected, "{given}"),
                (Err(Error::InvalidArgument { argument, .. }), None) => assert_eq!(argument, "cpus"),
                (other, _) => panic!("{given}: {other:?}"),
            }
        }
        let resources = Resources::new()
            .cpu_limit(NanoCpus::cpus(0.5).expect("valid"))
            .mem_limit("128m")
            .cpu_reservation(250_000_000)
            .mem_reservation(64 * 1024 * 1024)
            .generic_resource("gpu", GenericResource::Discrete(2))
            .generic_resource("ssd", GenericResource::Named("disk0".into()));
        let model = wire(resources.into_model().expect("valid"));
        assert_eq!(model["Limits"]["NanoCPUs"], 500_000_000);
        assert_eq!(model["Limits"]["MemoryBytes"], 134_217_728);
        assert_eq!(model["Reservations"]["NanoCPUs"], 250_000_000);
        assert_eq!(model["Reservations"]["MemoryBytes"], 67_108_864);
        assert_eq!(
            model["Reservations"]["GenericResources"],
            json!([
                { "DiscreteResourceSpec": { "Kind": "gpu", "Value": 2 } },
                { "NamedResourceSpec": { "Kind": "ssd", "Value": "disk0" } }
            ])
        );
        refused(Resources::new().mem_limit("12x").into_model(), "mem_limit", "12x");
        refused(
            Resources::new().cpu_limit(-1).into_model(),
            "cpu_limit",
            "negative",
        );
        refused(
            Resources::new().mem_reservation("1.5.3m").into_model(),
            "mem_reservation",
            "1.5.3m",
        );
    }

    #[test]
    fn file_references_default_as_docker_py_does() {
        let secret = wire(
            FileReference::new("id1", "db")
                .into_secret_model()
                .expect("valid"),
        );
        assert_eq!(
            secret,
            json!({ "SecretID": "id1", "SecretName": "db", "File": { "Name": "db", "UID": "0", "GID": "0", "Mode": 292 } })
        );
        let config = FileReference::new("id2", "conf")
            .filename("/etc/app.conf")
            .uid("33")
            .mode(0o440);
        assert_eq!(
            wire(config.into_config_model().expect("valid")),
            json!({ "ConfigID": "id2", "ConfigName": "conf", "File": { "Name": "/etc/app.conf", "UID": "33", "GID": "0", "Mode": 288 } })
        );
        refused(
            FileReference::new("", "db").into_secret_model(),
            "secrets",
            "id and a name",
        );
        refused(
            FileReference::new("id", "").into_config_model(),
            "configs",
            "id and a name",
        );
        refused(
            FileReference::new("id", "db").mode(0o17777).into_secret_model(),
            "secrets",
            "not a file mode",
        );
    }

    #[test]
    fn placement() {
        let placement = Placement::new()
            .constraint("node.role == worker")
            .preference("node.labels.zone")
            .platform("x86_64", "linux")
            .max_replicas(2);
        assert_eq!(
            wire(placement.into_model().expect("valid")),
            json!({
                "Constraints": ["node.role == worker"],
                "Preferences": [{ "Spread": { "SpreadDescriptor": "node.labels.zone" } }],
                "Platforms": [{ "Architecture": "x86_64", "OS": "linux" }],
                "MaxReplicas": 2
            })
        );
        assert_eq!(
            wire(Placement::new().into_model().expect("valid")),
            json!({ "MaxReplicas": 0 })
        );
        refused(
            Placement::new().constraint(" ").into_model(),
            "constraints",
            "not a constraint",
        );
        refused(
            Placement::new().max_replicas(u64::MAX).into_model(),
            "maxreplicas",
            "too large",
        );
    }
}
