//! Swarm services: the collection (`client.services()`) and its objects,
//! with docker-py's `ServiceCollection` and `Service` methods, and the
//! service types of `docker.types` ([`spec`]).
//!
//! A service is created and updated through one builder,
//! [`ServiceBuilder`], whose methods are docker-py's keywords. An update
//! starts from the service's current spec and changes only what is set, as
//! docker-py's `Service.update` does.

mod spec;

use std::collections::HashMap;
use std::time::Duration;

pub use spec::{
    EndpointSpec, FileReference, GenericResource, NanoCpus, Placement, PortConfig, Resources, ServiceMode,
    ServiceRestartPolicy, UpdateConfig,
};

use crate::DockerClient;
use crate::api::types;
use crate::convert::{self, Command, DriverConfig, EnvVar, Healthcheck, Label, MountSpec};
use crate::error::{Error, Result};
use crate::filters::Filters;
use crate::stream::LogStream;
use crate::system::EventTime;

/// Swarm services (docker-py's `client.services`).
#[derive(Clone, Debug)]
pub struct Services {
    client: DockerClient,
}

/// A swarm service (docker-py's `Service`): its attributes as the engine
/// last described them.
#[derive(Clone, Debug)]
pub struct Service {
    client: DockerClient,
    attrs: types::Service,
}

impl Services {
    pub(crate) fn new(client: DockerClient) -> Self {
        Self { client }
    }

    /// The client this collection belongs to.
    pub fn client(&self) -> &DockerClient {
        &self.client
    }

    /// A service to create from `image` (`docker service create`); see
    /// [`ServiceBuilder`] for docker-py's keywords.
    ///
    /// ```no_run
    /// # async fn example(docker: docker_sdk::DockerClient) -> docker_sdk::Result<()> {
    /// use std::time::Duration;
    /// use docker_sdk::services::{EndpointSpec, ServiceMode, UpdateConfig};
    ///
    /// let web = docker
    ///     .services()
    ///     .create("nginx:alpine")
    ///     .name("web")
    ///     .mode(ServiceMode::Replicated(3))
    ///     .endpoint_spec(EndpointSpec::new().port(8080, 80))
    ///     .update_config(UpdateConfig::new().parallelism(1).delay(Duration::from_secs(5)))
    ///     .constraints(["node.role == worker"])
    ///     .send()
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn create(&self, image: impl Into<String>) -> ServiceBuilder<Create> {
        let options = ServiceOptions {
            image: Some(image.into()),
            ..ServiceOptions::default()
        };
        ServiceBuilder {
            client: self.client.clone(),
            options,
            target: Create,
        }
    }

    /// A service by id or name.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when there is no such service.
    pub async fn get(&self, id_or_name: &str) -> Result<Service> {
        self.get_with_defaults(id_or_name, false).await
    }

    /// A service by id or name, with the engine's defaults filled into its
    /// spec (docker-py's `insert_defaults=True`).
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when there is no such service.
    pub async fn get_with_defaults(&self, id_or_name: &str, insert_defaults: bool) -> Result<Service> {
        let attrs = self
            .client
            .call("services.get", |api| {
                api.service_inspect()
                    .id(id_or_name)
                    .insert_defaults(insert_defaults)
                    .send()
            })
            .await?;
        Ok(Service {
            client: self.client.clone(),
            attrs,
        })
    }

    /// Lists services, those matching `filters` if any (`id`, `name`,
    /// `label`, `mode`); with `status`, each says how many tasks run.
    ///
    /// # Errors
    ///
    /// [`Error::Api`] (503) when the engine is not a swarm manager.
    pub async fn list(&self, filters: impl Into<Filters>, status: bool) -> Result<Vec<Service>> {
        let filters = filters.into().to_query();
        let listed = self
            .client
            .call("services.list", |api| {
                let mut request = api.service_list().status(status);
                if let Some(filters) = filters {
                    request = request.filters(filters);
                }
                request.send()
            })
            .await?;
        let wrap = |attrs| Service {
            client: self.client.clone(),
            attrs,
        };
        Ok(listed.into_iter().map(wrap).collect())
    }
}

impl Service {
    /// The client this service belongs to.
    pub fn client(&self) -> &DockerClient {
        &self.client
    }

    /// The service's attributes, as the engine last described them.
    pub fn attrs(&self) -> &types::Service {
        &self.attrs
    }

    /// The service's id.
    pub fn id(&self) -> &str {
        self.attrs.id.as_deref().unwrap_or_default()
    }

    /// The id's first 12 characters.
    pub fn short_id(&self) -> &str {
        let id = self.id();
        id.get(..12).unwrap_or(id)
    }

    /// The service's name.
    pub fn name(&self) -> Option<&str> {
        self.attrs.spec.as_ref()?.name.as_deref()
    }

    /// The version an update must name (docker-py's `version`).
    pub fn version(&self) -> u64 {
        let version = self.attrs.version.as_ref();
        version.and_then(|v| v.index).unwrap_or_default()
    }

    /// The replicas of a replicated service, as last described.
    pub fn replicas(&self) -> Option<i64> {
        let mode = self.attrs.spec.as_ref()?.mode.as_ref()?;
        mode.replicated.as_ref()?.replicas
    }

    /// Fetches the service's attributes again.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when the service has been removed.
    pub async fn reload(&mut self) -> Result<()> {
        let fresh = self.client.services().get(self.id()).await?;
        self.attrs = fresh.attrs;
        Ok(())
    }

    /// The service's tasks, those matching `filters` if any (`id`, `name`,
    /// `node`, `label`, `desired-state`).
    ///
    /// # Errors
    ///
    /// [`Error::Api`] (503) when the engine is not a swarm manager.
    pub async fn tasks(&self, filters: impl Into<Filters>) -> Result<Vec<types::Task>> {
        let filters = filters.into().add("service", self.id()).to_json();
        self.client
            .call("services.tasks", |api| api.task_list().filters(filters).send())
            .await
    }

    /// The logs of the service's tasks; see [`ServiceLogs`].
    pub fn logs(&self) -> ServiceLogs<'_> {
        ServiceLogs {
            service: self,
            details: false,
            follow: false,
            stdout: true,
            stderr: true,
            since: None,
            timestamps: false,
            tail: None,
        }
    }

    /// Changes the service; see [`ServiceBuilder`]. Only what is set
    /// changes; the rest of the spec stays as last described.
    ///
    /// ```no_run
    /// # async fn example(mut web: docker_sdk::services::Service) -> docker_sdk::Result<()> {
    /// web.update().image("nginx:1.27").env(["MODE=blue"]).send().await?;
    /// web.reload().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn update(&self) -> ServiceBuilder<Update<'_>> {
        ServiceBuilder {
            client: self.client.clone(),
            options: ServiceOptions::default(),
            target: Update {
                service: self,
                force_update: false,
            },
        }
    }

    /// Restarts every task although nothing changed (docker-py's
    /// `force_update`).
    ///
    /// # Errors
    ///
    /// As for [`Service::update`].
    pub async fn force_update(&self) -> Result<()> {
        let mut update = self.update();
        update.target.force_update = true;
        update.send().await
    }

    /// Sets the number of replicas (docker-py's `scale`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for a service that is not replicated
    /// (nothing is sent); as for [`Service::update`].
    pub async fn scale(&self, replicas: u64) -> Result<()> {
        if self.replicas().is_none() {
            return Err(Error::invalid_argument(
                "replicas",
                "only a replicated service can be scaled",
            ));
        }
        self.update().mode(ServiceMode::Replicated(replicas)).send().await
    }

    /// Stops and removes the service.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when it is gone.
    pub async fn remove(&self) -> Result<()> {
        self.client
            .call("services.remove", |api| api.service_delete().id(self.id()).send())
            .await
    }
}

/// Options of [`Service::logs`], as docker-py names them. Only services
/// whose log driver can be read back (`json-file`, `journald`, `local`)
/// have logs.
#[derive(Debug)]
#[must_use = "nothing is sent until `stream`"]
pub struct ServiceLogs<'s> {
    service: &'s Service,
    details: bool,
    follow: bool,
    stdout: bool,
    stderr: bool,
    since: Option<EventTime>,
    timestamps: bool,
    tail: Option<usize>,
}

impl ServiceLogs<'_> {
    /// Add the extra attributes the log driver keeps.
    pub fn details(mut self, details: bool) -> Self {
        self.details = details;
        self
    }

    /// Keep streaming new output.
    pub fn follow(mut self, follow: bool) -> Self {
        self.follow = follow;
        self
    }

    /// Include standard output (on by default).
    pub fn stdout(mut self, stdout: bool) -> Self {
        self.stdout = stdout;
        self
    }

    /// Include standard error (on by default).
    pub fn stderr(mut self, stderr: bool) -> Self {
        self.stderr = stderr;
        self
    }

    /// Only output after this time.
    pub fn since(mut self, time: impl Into<EventTime>) -> Self {
        self.since = Some(time.into());
        self
    }

    /// Prefix each line with its time.
    pub fn timestamps(mut self, timestamps: bool) -> Self {
        self.timestamps = timestamps;
        self
    }

    /// Only the last `lines` lines of each task.
    pub fn tail(mut self, lines: usize) -> Self {
        self.tail = Some(lines);
        self
    }

    /// Streams the logs, demultiplexed (or raw when the service has a TTY).
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when the service is gone; the engine's refusal
    /// for a log driver that cannot be read back.
    pub async fn stream(self) -> Result<LogStream> {
        let service = self.service;
        let spec = service.attrs.spec.as_ref();
        let task = spec.and_then(|s| s.task_template.as_ref());
        let tty = task
            .and_then(|t| t.container_spec.as_ref())
            .and_then(|c| c.tty)
            .unwrap_or(false);
        crate::containers::output_stream(&service.client, "services.logs", tty, |api| {
            let mut request = api
                .service_logs()
                .id(service.id())
                .details(self.details)
                .follow(self.follow)
                .stdout(self.stdout)
                .stderr(self.stderr)
                .timestamps(self.timestamps)
                .tail(self.tail.map_or_else(|| "all".to_owned(), |n| n.to_string()));
            if let Some(EventTime(since)) = self.since {
                request = request.since(since);
            }
            request.send()
        })
        .await
    }
}

/// [`ServiceBuilder`] making a new service.
#[derive(Debug)]
pub struct Create;

/// [`ServiceBuilder`] changing a service.
#[derive(Debug)]
pub struct Update<'s> {
    service: &'s Service,
    force_update: bool,
}

/// A service's spec as docker-py's keywords: for
/// [`Services::create`] and [`Service::update`].
#[derive(Debug)]
#[must_use = "nothing is sent until `send`"]
pub struct ServiceBuilder<T> {
    client: DockerClient,
    options: ServiceOptions,
    target: T,
}

/// What a builder has been given; `None` (or empty) is "not set".
#[derive(Debug, Default)]
struct ServiceOptions {
    // The service.
    name: Option<String>,
    labels: Option<Vec<Label>>,
    mode: Option<ServiceMode>,
    update_config: Option<UpdateConfig>,
    rollback_config: Option<UpdateConfig>,
    endpoint_spec: Option<EndpointSpec>,
    // The task template.
    networks: Option<Vec<String>>,
    resources: Option<Resources>,
    restart_policy: Option<ServiceRestartPolicy>,
    constraints: Option<Vec<String>>,
    preferences: Option<Vec<String>>,
    platforms: Option<Vec<(String, String)>>,
    maxreplicas: Option<u64>,
    log_driver: Option<DriverConfig>,
    // The container spec.
    image: Option<String>,
    command: Option<Command>,
    args: Option<Vec<String>>,
    env: Option<Vec<EnvVar>>,
    container_labels: Option<Vec<Label>>,
    mounts: Option<Vec<MountSpec>>,
    hostname: Option<String>,
    workdir: Option<String>,
    user: Option<String>,
    groups: Option<Vec<String>>,
    tty: Option<bool>,
    open_stdin: Option<bool>,
    read_only: Option<bool>,
    init: Option<bool>,
    stop_signal: Option<String>,
    stop_grace_period: Option<Duration>,
    healthcheck: Option<Healthcheck>,
    hosts: Option<Vec<(String, String)>>,
    dns_config: Option<types::TaskSpecContainerSpecDnsConfig>,
    secrets: Option<Vec<FileReference>>,
    configs: Option<Vec<FileReference>>,
    privileges: Option<types::TaskSpecContainerSpecPrivileges>,
    cap_add: Option<Vec<String>>,
    cap_drop: Option<Vec<String>>,
    sysctls: Option<HashMap<String, String>>,
    isolation: Option<String>,
}

/// Setters that store a value as given.
macro_rules! setters {
    ($($name:ident: $ty:ty => $doc:literal),* $(,)?) => {$(
        #[doc = $doc]
        pub fn $name(mut self, value: impl Into<$ty>) -> Self {
            self.options.$name = Some(value.into());
            self
        }
    )*};
}

/// Setters that take a list of strings.
macro_rules! list_setters {
    ($($name:ident => $doc:literal),* $(,)?) => {$(
        #[doc = $doc]
        pub fn $name<I, S>(mut self, values: I) -> Self
        where
            I: IntoIterator<Item = S>,
            S: Into<String>,
        {
            self.options.$name = Some(values.into_iter().map(Into::into).collect());
            self
        }
    )*};
}

impl<T> ServiceBuilder<T> {
    setters! {
        name: String => "The service's name.",
        mode: ServiceMode => "Replicated (how many) or global, or a job.",
        update_config: UpdateConfig => "How updates roll out.",
        rollback_config: UpdateConfig => "How rollbacks roll out.",
        endpoint_spec: EndpointSpec => "How the service is reached: resolution mode and published ports.",
        resources: Resources => "CPU and memory limits and reservations of each task.",
        restart_policy: ServiceRestartPolicy => "When tasks are restarted.",
        log_driver: DriverConfig => "The tasks' log driver and its options (docker-py's `log_driver` and `log_driver_options`).",
        image: String => "The image the tasks run.",
        command: Command => "The command, replacing the image's entrypoint: a list, or a string split as a shell would.",
        hostname: String => "The containers' hostname.",
        workdir: String => "The working directory of the command.",
        user: String => "The user the command runs as.",
        tty: bool => "Allocate a pseudo-TTY.",
        open_stdin: bool => "Keep stdin open.",
        read_only: bool => "Mount the root filesystem read-only.",
        init: bool => "Run an init process that reaps zombies.",
        stop_signal: String => "The signal that stops the containers.",
        stop_grace_period: Duration => "How long a container may take to stop before it is killed.",
        healthcheck: Healthcheck => "The containers' health check.",
        isolation: String => "Isolation technology (Windows only): `default`, `process` or `hyperv`.",
    }

    list_setters! {
        networks => "Networks (names or ids) to attach the tasks to.",
        constraints => "Placement constraints, `node.role == worker`.",
        preferences => "Placement preferences: node labels to spread tasks over.",
        args => "Arguments to the command.",
        groups => "Additional groups of the command's user.",
        cap_add => "Kernel capabilities to add.",
        cap_drop => "Kernel capabilities to drop.",
    }

    /// The service's labels: a map, or names.
    pub fn labels<I, L>(mut self, labels: I) -> Self
    where
        I: IntoIterator<Item = L>,
        L: Into<Label>,
    {
        self.options.labels = Some(labels.into_iter().map(Into::into).collect());
        self
    }

    /// The containers' labels (docker-py's `container_labels`).
    pub fn container_labels<I, L>(mut self, labels: I) -> Self
    where
        I: IntoIterator<Item = L>,
        L: Into<Label>,
    {
        self.options.container_labels = Some(labels.into_iter().map(Into::into).collect());
        self
    }

    /// Environment variables: a map or `KEY=value` strings.
    pub fn env<I, E>(mut self, variables: I) -> Self
    where
        I: IntoIterator<Item = E>,
        E: Into<EnvVar>,
    {
        self.options.env = Some(variables.into_iter().map(Into::into).collect());
        self
    }

    /// Mounts: [`MountSpec`]s, or docker-py's `source:target:mode` strings
    /// through [`MountSpec::parse_mount_string`].
    pub fn mounts<I>(mut self, mounts: I) -> Self
    where
        I: IntoIterator<Item = MountSpec>,
    {
        self.options.mounts = Some(mounts.into_iter().collect());
        self
    }

    /// Platforms the tasks can run on, `(architecture, os)`.
    pub fn platforms<I, A, O>(mut self, platforms: I) -> Self
    where
        I: IntoIterator<Item = (A, O)>,
        A: Into<String>,
        O: Into<String>,
    {
        let platforms = platforms.into_iter().map(|(a, o)| (a.into(), o.into()));
        self.options.platforms = Some(platforms.collect());
        self
    }

    /// At most this many tasks per node.
    pub fn maxreplicas(mut self, max: u64) -> Self {
        self.options.maxreplicas = Some(max);
        self
    }

    /// Host names and addresses for the containers' `/etc/hosts`
    /// (docker-py's `hosts` map, `{hostname: ip}`).
    pub fn hosts<I, H, A>(mut self, hosts: I) -> Self
    where
        I: IntoIterator<Item = (H, A)>,
        H: Into<String>,
        A: Into<String>,
    {
        let hosts = hosts.into_iter().map(|(h, a)| (h.into(), a.into()));
        self.options.hosts = Some(hosts.collect());
        self
    }

    /// The resolver's name servers, search domains and options (docker-py's
    /// `DNSConfig`).
    pub fn dns_config<N, S, O>(mut self, nameservers: N, search: S, options: O) -> Self
    where
        N: IntoIterator<Item = String>,
        S: IntoIterator<Item = String>,
        O: IntoIterator<Item = String>,
    {
        let list = |values: Vec<String>| (!values.is_empty()).then_some(values);
        self.options.dns_config = Some(types::TaskSpecContainerSpecDnsConfig {
            nameservers: list(nameservers.into_iter().collect()),
            search: list(search.into_iter().collect()),
            options: list(options.into_iter().collect()),
        });
        self
    }

    /// Secrets the containers get as files.
    pub fn secrets<I: IntoIterator<Item = FileReference>>(mut self, secrets: I) -> Self {
        self.options.secrets = Some(secrets.into_iter().collect());
        self
    }

    /// Configs the containers get as files.
    pub fn configs<I: IntoIterator<Item = FileReference>>(mut self, configs: I) -> Self {
        self.options.configs = Some(configs.into_iter().collect());
        self
    }

    /// Security options (docker-py's `Privileges`: credential spec,
    /// SELinux context), as the engine's model.
    pub fn privileges(mut self, privileges: types::TaskSpecContainerSpecPrivileges) -> Self {
        self.options.privileges = Some(privileges);
        self
    }

    /// Kernel parameters.
    pub fn sysctls<I, K, V>(mut self, sysctls: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let sysctls = sysctls.into_iter().map(|(k, v)| (k.into(), v.into()));
        self.options.sysctls = Some(sysctls.collect());
        self
    }

    /// The credentials header for the image's registry, found as for a
    /// pull: the managers hand it to the nodes that pull the image.
    async fn auth_header(&self) -> Result<Option<String>> {
        let Some(image) = self.options.image.as_deref() else {
            return Ok(None);
        };
        let reference = crate::reference::ImageReference::parse(image)?;
        let header = crate::images::auth_header(&self.client, reference.registry_key(), None).await?;
        Ok(Some(header))
    }
}

impl ServiceOptions {
    /// Writes what is set into `spec`, leaving the rest as it is.
    fn apply(self, spec: &mut types::ServiceSpec) -> Result<()> {
        let list = |values: Vec<String>| (!values.is_empty()).then_some(values);
        if let Some(name) = self.name {
            spec.name = Some(name);
        }
        if let Some(labels) = self.labels {
            spec.labels = Some(convert::labels(&labels)?);
        }
        if let Some(mode) = self.mode {
            spec.mode = Some(mode.into_model()?);
        }
        if let Some(config) = self.update_config {
            spec.update_config = Some(config.into_update_model()?);
        }
        if let Some(config) = self.rollback_config {
            spec.rollback_config = Some(config.into_rollback_model()?);
        }
        if let Some(endpoint) = self.endpoint_spec {
            spec.endpoint_spec = Some(endpoint.into_model()?);
        }

        let task = spec.task_template.get_or_insert_with(Default::default);
        if let Some(networks) = self.networks {
            let attach = |target| types::NetworkAttachmentConfig {
                target: Some(target),
                ..Default::default()
            };
            task.networks = list(networks).map(|n| n.into_iter().map(attach).collect());
        }
        if let Some(resources) = self.resources {
            task.resources = Some(resources.into_model()?);
        }
        if let Some(policy) = self.restart_policy {
            task.restart_policy = Some(policy.into_model()?);
        }
        let placement_given = self.constraints.is_some()
            || self.preferences.is_some()
            || self.platforms.is_some()
            || self.maxreplicas.is_some();
        if placement_given {
            let mut placement = Placement::new();
            for constraint in self.constraints.unwrap_or_default() {
                placement = placement.constraint(constraint);
            }
            for preference in self.preferences.unwrap_or_default() {
                placement = placement.preference(preference);
            }
            for (architecture, os) in self.platforms.unwrap_or_default() {
                placement = placement.platform(architecture, os);
            }
            if let Some(max) = self.maxreplicas {
                placement = placement.max_replicas(max);
            }
            task.placement = Some(placement.into_model()?);
        }
        if let Some(driver) = self.log_driver {
            let (name, options) = driver.into_parts();
            task.log_driver = Some(types::TaskSpecLogDriver {
                name: Some(name),
                options: (!options.is_empty()).then_some(options),
            });
        }

        let container = task.container_spec.get_or_insert_with(Default::default);
        if let Some(image) = self.image {
            if image.is_empty() {
                return Err(Error::invalid_argument("image", "an image is required"));
            }
            container.image = Some(image);
        }
        if let Some(command) = self.command {
            container.command = list(convert::command("command", &command)?);
        }
        if let Some(args) = self.args {
            container.args = list(args);
        }
        if let Some(env) = self.env {
            container.env = list(convert::environment(&env)?);
        }
        if let Some(labels) = self.container_labels {
            container.labels = Some(convert::labels(&labels)?);
        }
        if let Some(mounts) = self.mounts {
            container.mounts = Some(convert::mounts(&mounts)?);
        }
        if let Some(hostname) = self.hostname {
            container.hostname = Some(hostname);
        }
        if let Some(workdir) = self.workdir {
            container.dir = Some(workdir);
        }
        if let Some(user) = self.user {
            container.user = Some(user);
        }
        if let Some(groups) = self.groups {
            container.groups = list(groups);
        }
        container.tty = self.tty.or(container.tty);
        container.open_stdin = self.open_stdin.or(container.open_stdin);
        container.read_only = self.read_only.or(container.read_only);
        container.init = self.init.or(container.init);
        if let Some(signal) = self.stop_signal {
            container.stop_signal = Some(signal);
        }
        if let Some(period) = self.stop_grace_period {
            container.stop_grace_period = Some(convert::nanoseconds("stop_grace_period", period)?);
        }
        if let Some(check) = self.healthcheck {
            container.health_check = Some(convert::healthcheck(&check)?);
        }
        if let Some(hosts) = self.hosts {
            // The swarm's format is the hosts file's: address first.
            let lines = hosts
                .into_iter()
                .map(|(host, address)| format!("{address} {host}"));
            container.hosts = list(lines.collect());
        }
        if let Some(dns) = self.dns_config {
            container.dns_config = Some(dns);
        }
        if let Some(secrets) = self.secrets {
            let secrets = secrets.into_iter().map(FileReference::into_secret_model);
            container.secrets = Some(secrets.collect::<Result<_>>()?);
        }
        if let Some(configs) = self.configs {
            let configs = configs.into_iter().map(FileReference::into_config_model);
            container.configs = Some(configs.collect::<Result<_>>()?);
        }
        if let Some(privileges) = self.privileges {
            container.privileges = Some(privileges);
        }
        if let Some(caps) = self.cap_add {
            container.capability_add = list(caps);
        }
        if let Some(caps) = self.cap_drop {
            container.capability_drop = list(caps);
        }
        if let Some(sysctls) = self.sysctls {
            container.sysctls = Some(sysctls);
        }
        if let Some(isolation) = self.isolation {
            let accepted = ["default", "process", "hyperv"];
            container.isolation = Some(convert::parse_enum("isolation", &isolation, &accepted)?);
        }
        Ok(())
    }
}

impl ServiceBuilder<Create> {
    /// Creates the service.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for a bad keyword value (nothing is sent);
    /// [`Error::Conflict`] when the name is taken; [`Error::Api`] (503) when
    /// the engine is not a swarm manager.
    pub async fn send(self) -> Result<Service> {
        let auth = self.auth_header().await?;
        let mut spec = types::ServiceSpec::default();
        self.options.apply(&mut spec)?;
        let created = self
            .client
            .call("services.create", |api| {
                let mut request = api.service_create().body(spec);
                if let Some(auth) = auth {
                    request = request.x_registry_auth(auth);
                }
                request.send()
            })
            .await?;
        let id = created.id.ok_or_else(|| Error::Decode {
            operation: "services.create",
            message: "the engine's answer names no service id".to_owned(),
        })?;
        self.client.services().get(&id).await
    }
}

impl ServiceBuilder<Update<'_>> {
    /// Sends the change, naming the service's version as last described.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for a bad keyword value (nothing is sent);
    /// the engine's refusal when the service changed since it was described
    /// ("update out of sequence": reload and try again).
    pub async fn send(self) -> Result<()> {
        let auth = self.auth_header().await?;
        let service = self.target.service;
        let mut spec = service.attrs.spec.clone().unwrap_or_default();
        self.options.apply(&mut spec)?;
        if self.target.force_update {
            let task = spec.task_template.get_or_insert_with(Default::default);
            task.force_update = Some(task.force_update.unwrap_or(0).wrapping_add(1));
        }
        let version = i64::try_from(service.version()).map_err(|_| Error::Decode {
            operation: "services.update",
            message: format!("service version {} is out of range", service.version()),
        })?;
        self.client
            .call("services.update", |api| {
                let mut request = api.service_update().id(service.id()).version(version).body(spec);
                if let Some(auth) = auth {
                    request = request.x_registry_auth(auth);
                }
                request.send()
            })
            .await?;
        Ok(())
    }
}
