//! Creating and running containers with docker-py's keyword arguments.
//!
//! [`Containers::create`](super::Containers::create) and
//! [`Containers::run`](super::Containers::run) share one builder,
//! [`ContainerBuilder`], whose methods are docker-py's keywords; only what
//! happens at the end differs. Every value is checked when the request is
//! built, before anything is sent, and a bad one is an
//! [`Error::InvalidArgument`] naming its keyword.

use std::collections::HashMap;
use std::time::Duration;

use super::{Container, Containers};
use crate::DockerClient;
use crate::api::types;
use crate::convert::{
    self, ByteSize, Command, ContainerPort, Device, DeviceRate, DeviceRequest, EnvVar, ExtraHost,
    Healthcheck, HostPort, Label, LogConfig, MountSpec, RestartPolicy, Sysctl, TmpfsMount, Ulimit,
    VolumeSpec, WeightDevice,
};
use crate::error::{ContainerError, Error, Result};
use crate::version::ApiVersion;

/// Marks a [`ContainerBuilder`] made by [`Containers::create`].
#[derive(Debug, Default)]
pub struct Create;

/// Marks a [`ContainerBuilder`] made by [`Containers::run`], with its own
/// options.
#[derive(Debug)]
pub struct Run {
    remove: bool,
    stdout: bool,
    stderr: bool,
}

/// A container to create ([`Containers::create`]) or run
/// ([`Containers::run`]), with docker-py's keyword arguments as methods.
///
/// ```no_run
/// # async fn example(docker: docker_sdk::DockerClient) -> docker_sdk::Result<()> {
/// use docker_sdk::convert::{HostPort, VolumeBind};
///
/// let web = docker
///     .containers()
///     .run("nginx:alpine")
///     .name("web")
///     .port("80/tcp", ("127.0.0.1", 8080))
///     .port(443, HostPort::Random)
///     .volume("/srv/www", VolumeBind::new("/usr/share/nginx/html").read_only(true))
///     .environment([("TZ", "UTC")])
///     .mem_limit("128m")
///     .restart_policy("on-failure:3")
///     .detach()
///     .await?;
/// println!("started {}", web.short_id());
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
#[must_use = "nothing is sent until `send` (or, for run, `detach`)"]
pub struct ContainerBuilder<M> {
    client: DockerClient,
    options: Options,
    mode: M,
}

/// Everything a builder gathers, as the user gave it; checked and converted
/// in [`Options::body`].
#[derive(Debug, Default)]
struct Options {
    image: String,
    name: Option<String>,
    platform: Option<String>,
    command: Option<Command>,
    entrypoint: Option<Command>,
    environment: Vec<EnvVar>,
    labels: Vec<Label>,
    ports: Vec<(ContainerPort, HostPort)>,
    volumes: Vec<VolumeSpec>,
    mounts: Vec<MountSpec>,
    healthcheck: Option<Healthcheck>,
    strings: Strings,
    flags: Flags,
    numbers: Numbers,
    sizes: Sizes,
    lists: Lists,
    devices: Vec<Device>,
    device_requests: Vec<DeviceRequest>,
    blkio_weight_device: Vec<WeightDevice>,
    device_read_bps: Vec<DeviceRate>,
    device_read_iops: Vec<DeviceRate>,
    device_write_bps: Vec<DeviceRate>,
    device_write_iops: Vec<DeviceRate>,
    extra_hosts: Vec<ExtraHost>,
    sysctls: Vec<Sysctl>,
    tmpfs: Vec<TmpfsMount>,
    ulimits: Vec<Ulimit>,
    restart_policy: Option<RestartPolicy>,
    log_config: Option<LogConfig>,
    links: Vec<(String, Option<String>)>,
    storage_opt: HashMap<String, String>,
    network: Option<String>,
    networking_config: HashMap<String, types::EndpointSettings>,
    network_driver_opt: HashMap<String, String>,
    stop_timeout: Option<Duration>,
    detach: bool,
    /// Whether to add `config.json`'s proxies to the environment (docker-py's
    /// `use_config_proxy`, on unless turned off).
    no_config_proxy: bool,
    /// Values refused as they were given, reported when the body is built
    /// so that the builder's methods chain.
    deferred: Vec<Error>,
}

/// Declares the builder's setters for options of one kind, each with
/// docker-py's keyword as its name: `field => "doc"`.
macro_rules! setters {
    (strings: $($name:ident => $doc:literal),* $(,)?) => {$(
        #[doc = $doc]
        pub fn $name(mut self, value: impl Into<String>) -> Self {
            self.options.strings.$name = Some(value.into());
            self
        }
    )*};
    (flags: $($name:ident => $doc:literal),* $(,)?) => {$(
        #[doc = $doc]
        pub fn $name(mut self, value: bool) -> Self {
            self.options.flags.$name = Some(value);
            self
        }
    )*};
    (numbers: $($name:ident => $doc:literal),* $(,)?) => {$(
        #[doc = $doc]
        pub fn $name(mut self, value: i64) -> Self {
            self.options.numbers.$name = Some(value);
            self
        }
    )*};
    (sizes: $($name:ident => $doc:literal),* $(,)?) => {$(
        #[doc = $doc]
        ///
        /// A number of bytes, or a string with a unit: `"512k"`, `"128m"`, `"1g"`.
        pub fn $name(mut self, value: impl Into<ByteSize>) -> Self {
            self.options.sizes.$name = Some(value.into());
            self
        }
    )*};
    (lists: $($name:ident => $doc:literal),* $(,)?) => {$(
        #[doc = $doc]
        pub fn $name<I, S>(mut self, values: I) -> Self
        where
            I: IntoIterator<Item = S>,
            S: Into<String>,
        {
            self.options.lists.$name.extend(values.into_iter().map(Into::into));
            self
        }
    )*};
}

/// Declares a struct of optional fields of one type, for [`setters!`].
macro_rules! fields {
    ($struct:ident: $ty:ty { $($name:ident),* $(,)? }) => {
        #[derive(Debug, Default)]
        struct $struct {
            $($name: $ty,)*
        }
    };
}

fields!(Strings: Option<String> {
    hostname, domainname, user, working_dir, mac_address, stop_signal, cgroup_parent, cgroupns,
    cpuset_cpus, cpuset_mems, ipc_mode, isolation, network_mode, pid_mode, runtime, userns_mode,
    uts_mode, volume_driver,
});
fields!(Flags: Option<bool> {
    tty, stdin_open, network_disabled, auto_remove, init, oom_kill_disable, privileged,
    publish_all_ports, read_only,
});
fields!(Numbers: Option<i64> {
    blkio_weight, cpu_count, cpu_percent, cpu_period, cpu_quota, cpu_rt_period, cpu_rt_runtime,
    cpu_shares, nano_cpus, mem_swappiness, oom_score_adj, pids_limit,
});
fields!(Sizes: Option<ByteSize> { mem_limit, mem_reservation, memswap_limit, shm_size });
fields!(Lists: Vec<String> {
    cap_add, cap_drop, device_cgroup_rules, dns, dns_opt, dns_search, group_add, security_opt,
    volumes_from,
});

impl Containers {
    /// A container to create, not started (`docker create`); see
    /// [`ContainerBuilder`] for its options.
    ///
    /// ```no_run
    /// # async fn example(docker: docker_sdk::DockerClient) -> docker_sdk::Result<()> {
    /// let job = docker.containers().create("busybox").command("echo hello").send().await?;
    /// job.start().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn create(&self, image: impl Into<String>) -> ContainerBuilder<Create> {
        ContainerBuilder::new(self.client.clone(), image.into(), Create)
    }

    /// A container to run (`docker run`): created, started, and (unless
    /// [`detach`](ContainerBuilder::detach)ed) waited for, its output
    /// returned, with docker-py's `run` semantics; see [`ContainerBuilder`].
    ///
    /// ```no_run
    /// # async fn example(docker: docker_sdk::DockerClient) -> docker_sdk::Result<()> {
    /// let output = docker.containers().run("busybox").command("echo hello").remove(true).send().await?;
    /// assert_eq!(output, b"hello\n");
    /// # Ok(())
    /// # }
    /// ```
    pub fn run(&self, image: impl Into<String>) -> ContainerBuilder<Run> {
        let run = Run {
            remove: false,
            stdout: true,
            stderr: false,
        };
        ContainerBuilder::new(self.client.clone(), image.into(), run)
    }
}

impl<M> ContainerBuilder<M> {
    fn new(client: DockerClient, image: String, mode: M) -> Self {
        ContainerBuilder {
            client,
            options: Options {
                image,
                ..Options::default()
            },
            mode,
        }
    }

    /// The container's name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.options.name = Some(name.into());
        self
    }

    /// The platform of the image (`"linux/arm64"`).
    pub fn platform(mut self, platform: impl Into<String>) -> Self {
        self.options.platform = Some(platform.into());
        self
    }

    /// The command: a string (split as a shell would) or a list.
    pub fn command(mut self, command: impl Into<Command>) -> Self {
        self.options.command = Some(command.into());
        self
    }

    /// The entrypoint: a string (split as a shell would) or a list; `""`
    /// resets the image's.
    pub fn entrypoint(mut self, entrypoint: impl Into<Command>) -> Self {
        self.options.entrypoint = Some(entrypoint.into());
        self
    }

    /// Environment variables: a map (`[("TZ", "UTC")]`) or `KEY=value`
    /// strings; adds to those given before.
    pub fn environment<I, E>(mut self, variables: I) -> Self
    where
        I: IntoIterator<Item = E>,
        E: Into<EnvVar>,
    {
        self.options
            .environment
            .extend(variables.into_iter().map(Into::into));
        self
    }

    /// Labels: a map, or names (labels with an empty value).
    pub fn labels<I, L>(mut self, labels: I) -> Self
    where
        I: IntoIterator<Item = L>,
        L: Into<Label>,
    {
        self.options.labels.extend(labels.into_iter().map(Into::into));
        self
    }

    /// Publishes a container port (`80`, `"80/tcp"`, `"53/udp"`,
    /// `"8000-8002"`) on the host: docker-py's `ports={container: host}`
    /// one entry at a time. The host side is a port, `HostPort::Random`,
    /// `(address, port)`, `(address,)` or a list of those.
    pub fn port(mut self, container: impl Into<ContainerPort>, host: impl Into<HostPort>) -> Self {
        self.options.ports.push((container.into(), host.into()));
        self
    }

    /// Publishes several ports ([`ContainerBuilder::port`] for each).
    pub fn ports<I, C, H>(mut self, ports: I) -> Self
    where
        I: IntoIterator<Item = (C, H)>,
        C: Into<ContainerPort>,
        H: Into<HostPort>,
    {
        let ports = ports.into_iter().map(|(c, h)| (c.into(), h.into()));
        self.options.ports.extend(ports);
        self
    }

    /// Binds a host path or a named volume: docker-py's
    /// `volumes={host: {"bind": …, "mode": …}}` one entry at a time. The
    /// binding is the container path (read-write), or a
    /// [`VolumeBind`](crate::convert::VolumeBind) with its mode.
    pub fn volume(mut self, host: impl Into<String>, bind: impl Into<convert::VolumeBind>) -> Self {
        self.options
            .volumes
            .push(VolumeSpec::from((host.into(), bind.into())));
        self
    }

    /// Volumes in docker-py's list form: `"/host:/container:ro"` strings.
    pub fn volumes<I, V>(mut self, volumes: I) -> Self
    where
        I: IntoIterator<Item = V>,
        V: Into<VolumeSpec>,
    {
        self.options.volumes.extend(volumes.into_iter().map(Into::into));
        self
    }

    /// A mount (docker-py's `mounts`, `types.Mount`).
    pub fn mount(mut self, mount: impl Into<MountSpec>) -> Self {
        self.options.mounts.push(mount.into());
        self
    }

    /// The health check.
    pub fn healthcheck(mut self, healthcheck: impl Into<Healthcheck>) -> Self {
        self.options.healthcheck = Some(healthcheck.into());
        self
    }

    /// Devices: `"/dev/sda:/dev/xvda:rwm"`.
    pub fn devices<I, D>(mut self, devices: I) -> Self
    where
        I: IntoIterator<Item = D>,
        D: Into<Device>,
    {
        self.options.devices.extend(devices.into_iter().map(Into::into));
        self
    }

    /// A device request (GPUs): docker-py's `device_requests`.
    pub fn device_request(mut self, request: DeviceRequest) -> Self {
        self.options.device_requests.push(request);
        self
    }

    /// Block IO weight per device.
    pub fn blkio_weight_device(mut self, device: impl Into<WeightDevice>) -> Self {
        self.options.blkio_weight_device.push(device.into());
        self
    }

    /// Read rate limit of a device, bytes per second.
    pub fn device_read_bps(mut self, rate: impl Into<DeviceRate>) -> Self {
        self.options.device_read_bps.push(rate.into());
        self
    }

    /// Read rate limit of a device, operations per second.
    pub fn device_read_iops(mut self, rate: impl Into<DeviceRate>) -> Self {
        self.options.device_read_iops.push(rate.into());
        self
    }

    /// Write rate limit of a device, bytes per second.
    pub fn device_write_bps(mut self, rate: impl Into<DeviceRate>) -> Self {
        self.options.device_write_bps.push(rate.into());
        self
    }

    /// Write rate limit of a device, operations per second.
    pub fn device_write_iops(mut self, rate: impl Into<DeviceRate>) -> Self {
        self.options.device_write_iops.push(rate.into());
        self
    }

    /// Extra `/etc/hosts` entries: `[("db", "10.0.0.2")]` or `"db:10.0.0.2"`.
    pub fn extra_hosts<I, H>(mut self, hosts: I) -> Self
    where
        I: IntoIterator<Item = H>,
        H: Into<ExtraHost>,
    {
        self.options.extra_hosts.extend(hosts.into_iter().map(Into::into));
        self
    }

    /// Kernel parameters: `[("net.core.somaxconn", "1024")]`.
    pub fn sysctls<I, S>(mut self, sysctls: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<Sysctl>,
    {
        self.options.sysctls.extend(sysctls.into_iter().map(Into::into));
        self
    }

    /// tmpfs mounts: `[("/run", "size=64m")]` or `"/run:size=64m"`.
    pub fn tmpfs<I, T>(mut self, mounts: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: Into<TmpfsMount>,
    {
        self.options.tmpfs.extend(mounts.into_iter().map(Into::into));
        self
    }

    /// A resource limit (`nofile`, …).
    pub fn ulimit(mut self, ulimit: Ulimit) -> Self {
        self.options.ulimits.push(ulimit);
        self
    }

    /// When to restart: `"always"`, `"unless-stopped"`, `"on-failure:5"`
    /// or a [`RestartPolicy`].
    pub fn restart_policy<P>(mut self, policy: P) -> Self
    where
        P: TryInto<RestartPolicy>,
        P::Error: Into<Error>,
    {
        match policy.try_into() {
            Ok(policy) => self.options.restart_policy = Some(policy),
            Err(error) => self.options.deferred.push(error.into()),
        }
        self
    }

    /// The logging driver and its options.
    pub fn log_config(mut self, config: LogConfig) -> Self {
        self.options.log_config = Some(config);
        self
    }

    /// Links to another container, under an alias or its own name.
    pub fn link(mut self, container: impl Into<String>, alias: Option<&str>) -> Self {
        self.options
            .links
            .push((container.into(), alias.map(str::to_owned)));
        self
    }

    /// Storage driver options, such as `("size", "120G")`.
    pub fn storage_opt(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.storage_opt.insert(key.into(), value.into());
        self
    }

    /// The network to connect the container to when it is created (not
    /// with `network_mode`).
    pub fn network(mut self, network: impl Into<String>) -> Self {
        self.options.network = Some(network.into());
        self
    }

    /// Endpoint settings (aliases, addresses, links) per network; its
    /// network must be the one given to [`ContainerBuilder::network`].
    pub fn networking_config(
        mut self,
        network: impl Into<String>,
        endpoint: types::EndpointSettings,
    ) -> Self {
        self.options.networking_config.insert(network.into(), endpoint);
        self
    }

    /// Options of the network's driver for this endpoint.
    pub fn network_driver_opt(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.network_driver_opt.insert(key.into(), value.into());
        self
    }

    /// Add the proxies of `config.json` (`proxies.default`) to the
    /// container's environment, behind its own variables: docker-py's
    /// `use_config_proxy`, on by default.
    pub fn use_config_proxy(mut self, use_it: bool) -> Self {
        self.options.no_config_proxy = !use_it;
        self
    }

    /// How long `stop` waits before killing, whole seconds.
    pub fn stop_timeout(mut self, timeout: Duration) -> Self {
        self.options.stop_timeout = Some(timeout);
        self
    }

    setters!(strings:
        hostname => "The container's host name.",
        domainname => "The container's domain name.",
        user => "The user to run as (`name`, `uid`, `uid:gid`).",
        working_dir => "The working directory of the command.",
        mac_address => "The MAC address of the container's network endpoint (API 1.44 and later).",
        stop_signal => "The signal that stops the container, such as `SIGINT`.",
        cgroup_parent => "The cgroup under which the container's cgroup is made.",
        cgroupns => "The cgroup namespace: `private` or `host`.",
        cpuset_cpus => "The CPUs the container may use (`0-3`, `0,1`).",
        cpuset_mems => "The memory nodes the container may use (`0-3`, `0,1`).",
        ipc_mode => "The IPC namespace: `none`, `private`, `shareable`, `host`, `container:<id>`.",
        isolation => "The isolation technology (Windows): `default`, `process`, `hyperv`.",
        network_mode => "The network mode: `bridge`, `host`, `none`, `container:<id>` or a network's name.",
        pid_mode => "The PID namespace: `host` or `container:<id>`.",
        runtime => "The runtime to run the container with.",
        userns_mode => "The user namespace mode: `host`.",
        uts_mode => "The UTS namespace: `host`.",
        volume_driver => "The driver of the container's volumes.",
    );

    setters!(flags:
        tty => "Allocate a TTY.",
        stdin_open => "Keep stdin open (`docker run -i`).",
        network_disabled => "Disable networking.",
        auto_remove => "Remove the container when it exits (by the engine).",
        init => "Run an init process that forwards signals and reaps processes.",
        oom_kill_disable => "Do not kill the container when it runs out of memory.",
        privileged => "Give the container extended privileges.",
        publish_all_ports => "Publish every exposed port on a random host port.",
        read_only => "Mount the root filesystem read-only.",
    );

    setters!(numbers:
        blkio_weight => "Block IO weight, 10 to 1000.",
        cpu_count => "Usable CPUs (Windows).",
        cpu_percent => "Usable percentage of the CPUs (Windows).",
        cpu_period => "Length of a CPU period, microseconds.",
        cpu_quota => "CPU time the container may use per period, microseconds.",
        cpu_rt_period => "Real-time CPU period, microseconds.",
        cpu_rt_runtime => "Real-time CPU runtime, microseconds.",
        cpu_shares => "Relative CPU weight.",
        nano_cpus => "CPU quota in billionths of a CPU.",
        mem_swappiness => "Memory swappiness, 0 to 100.",
        oom_score_adj => "OOM score adjustment, -1000 to 1000.",
        pids_limit => "Most processes in the container; -1 for no limit.",
    );

    setters!(sizes:
        mem_limit => "Memory limit.",
        mem_reservation => "Memory soft limit.",
        memswap_limit => "Memory plus swap limit; -1 for unlimited swap.",
        shm_size => "Size of `/dev/shm`.",
    );

    setters!(lists:
        cap_add => "Kernel capabilities to add (`NET_ADMIN`).",
        cap_drop => "Kernel capabilities to drop.",
        device_cgroup_rules => "Device cgroup rules (`c 1:3 mr`).",
        dns => "DNS servers.",
        dns_opt => "DNS options.",
        dns_search => "DNS search domains.",
        group_add => "Additional groups of the container's user.",
        security_opt => "Security options (`seccomp=unconfined`, `no-new-privileges`).",
        volumes_from => "Containers whose volumes to mount (`name`, `name:ro`).",
    );

    /// Creates the container; its attributes are inspected afresh.
    async fn create_container(&mut self) -> Result<Container> {
        if let Some(error) = self.options.deferred.drain(..).next() {
            return Err(error);
        }
        // Every value is checked before anything is sent, negotiation too.
        let mut body = self.options.body()?;
        if !self.options.no_config_proxy {
            self.add_config_proxies(&mut body);
        }
        let api = if self.options.strings.mac_address.is_some() {
            // Before 1.44 the engine reads the MAC address from a field the
            // newest models no longer have.
            self.client
                .api_at_least(ApiVersion::new(1, 44), "mac_address")
                .await?
        } else {
            self.client.api().await?
        };
        let name = self.options.name.clone();
        let platform = self.options.platform.clone();
        let created = self
            .client
            .call_with(api, "containers.create", |api| {
                let mut request = api.container_create().body(body);
                if let Some(name) = name {
                    request = request.name(name);
                }
                if let Some(platform) = platform {
                    request = request.platform(platform);
                }
                request.send()
            })
            .await?;
        self.client.containers().get(&created.id).await
    }
}

impl<M> ContainerBuilder<M> {
    /// docker-py reads `config.json` once per client and ignores a file it
    /// cannot read for proxies; so does this (the registry calls report it).
    fn add_config_proxies(&self, body: &mut types::ContainerCreateBody) {
        let config = match crate::auth::ConfigFile::load(self.client.environment(), None) {
            Ok(config) => config,
            Err(error) => {
                tracing::debug!(%error, "no proxies from config.json");
                return;
            }
        };
        let proxies = config.proxy_config(None);
        if proxies.is_empty() {
            return;
        }
        let env = proxies.inject_into(body.env.as_deref().unwrap_or_default());
        body.env = Some(env);
    }
}

impl ContainerBuilder<Create> {
    /// Creates the container.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for a bad option (nothing sent);
    /// [`Error::ImageNotFound`] for a missing image; [`Error::Conflict`]
    /// for a name in use.
    pub async fn send(mut self) -> Result<Container> {
        self.create_container().await
    }
}

impl ContainerBuilder<Run> {
    /// Remove the container once it has exited (docker-py's `remove`).
    /// With [`ContainerBuilder::detach`], the engine removes it
    /// (`auto_remove`).
    pub fn remove(mut self, remove: bool) -> Self {
        self.mode.remove = remove;
        self
    }

    /// Return what the container wrote to stdout (default: yes).
    pub fn stdout(mut self, stdout: bool) -> Self {
        self.mode.stdout = stdout;
        self
    }

    /// Return what the container wrote to stderr (default: no).
    pub fn stderr(mut self, stderr: bool) -> Self {
        self.mode.stderr = stderr;
        self
    }

    /// Creates and starts the container and returns it at once (docker-py's
    /// `detach=True`).
    ///
    /// # Errors
    ///
    /// As for [`ContainerBuilder::send`]; a container that fails to start is
    /// removed again when `remove` was asked.
    pub async fn detach(mut self) -> Result<Container> {
        self.options.detach = true;
        if self.mode.remove {
            self.options.flags.auto_remove = Some(true);
        }
        self.create_and_start().await
    }

    /// Creates and starts the container, waits for it to exit and returns
    /// its output: stdout, and stderr when asked, as written (docker-py's
    /// `run`). A missing image is pulled first, as `docker run` does.
    ///
    /// # Errors
    ///
    /// [`Error::Container`] when it exits with a non-zero status, holding
    /// the status, command, image and what it wrote to stderr;
    /// [`Error::InvalidArgument`] for a bad option (nothing sent);
    /// [`Error::ImageNotFound`] for an image neither here nor in its
    /// registry.
    pub async fn send(mut self) -> Result<Vec<u8>> {
        let container = self.create_and_start().await?;
        let outcome = self.collect(&container).await;
        if self.mode.remove {
            // Whatever happened, the container was made for this call.
            let removed = container.remove().force(true).v(true).send().await;
            if let (Ok(_), Err(error)) = (&outcome, removed)
                && !matches!(error, Error::NotFound { .. })
            {
                return Err(error);
            }
        }
        outcome
    }

    async fn create_and_start(&mut self) -> Result<Container> {
        let container = match self.create_container().await {
            // docker-py's run pulls a missing image, then tries again.
            Err(Error::ImageNotFound { .. }) => {
                let mut pull = self.client.images().pull(self.options.image.clone());
                if let Some(platform) = &self.options.platform {
                    pull = pull.platform(platform.clone());
                }
                pull.send().await?;
                self.create_container().await?
            }
            other => other?,
        };
        if let Err(error) = container.start().await {
            if self.mode.remove {
                let _ = container.remove().force(true).v(true).send().await;
            }
            return Err(error);
        }
        Ok(container)
    }

    /// Waits for the exit and returns the output, for the log drivers that
    /// can be read back.
    async fn collect(&self, container: &Container) -> Result<Vec<u8>> {
        let run = &self.mode;
        let readable =
            log_driver(container).is_none_or(|d| matches!(d.as_str(), "json-file" | "journald" | "local"));
        let read_output = readable && (run.stdout || run.stderr);
        let auto_removed = self.options.flags.auto_remove == Some(true);
        let output = || container.logs().stdout(run.stdout).stderr(run.stderr);
        // An auto-removed container is gone once it has exited: follow its
        // output while it runs, as docker-py does. Any other is read after
        // its exit, when the engine has written every line: a follow that
        // starts after a quick exit can miss the last ones (seen here).
        let followed = if read_output && auto_removed {
            Some(output().follow(true).stream().await?.concat().await?)
        } else {
            None
        };
        let exit = container.wait().send().await?;
        let collected = match followed {
            Some(collected) => collected,
            None if read_output => output().send().await?,
            None => Vec::new(),
        };
        if exit.status_code == 0 {
            return Ok(collected);
        }
        let stderr = if readable && !auto_removed {
            let logs = container.logs().stdout(false).stderr(true).send().await;
            String::from_utf8_lossy(&logs.unwrap_or_default()).into_owned()
        } else {
            String::new()
        };
        Err(Error::Container(Box::new(ContainerError {
            container: container.id().to_owned(),
            exit_status: exit.status_code,
            command: self.options.command_text(),
            image: self.options.image.clone(),
            stderr,
        })))
    }
}

fn log_driver(container: &Container) -> Option<String> {
    let super::ContainerAttrs::Inspect(inspect) = container.attrs() else {
        return None;
    };
    let config = inspect.host_config.as_ref()?.log_config.as_ref()?;
    config.type_.as_ref().map(ToString::to_string)
}

impl Options {
    /// The command as docker-py's `ContainerError` shows it.
    fn command_text(&self) -> String {
        match &self.command {
            Some(Command::Shell(line)) => line.clone(),
            Some(Command::Args(args)) => args.join(" "),
            None => String::new(),
        }
    }

    /// Checks and converts every option into the engine's create body.
    fn body(&self) -> Result<types::ContainerCreateBody> {
        if self.network.is_some() && self.strings.network_mode.is_some() {
            return Err(Error::invalid_argument(
                "network",
                "network and network_mode cannot be used together",
            ));
        }
        if !self.networking_config.is_empty() {
            let network = self.network.as_deref().ok_or_else(|| {
                Error::invalid_argument("networking_config", "it needs `network` to say which network")
            })?;
            if let Some(other) = self.networking_config.keys().find(|k| k.as_str() != network) {
                return Err(Error::invalid_argument(
                    "networking_config",
                    format!("it names network {other:?}, but the container joins {network:?}"),
                ));
            }
        }

        let ports = convert::port_bindings(&self.ports)?;
        let binds = convert::volume_binds(&self.volumes)?;
        let size = |argument: &str, value: &Option<ByteSize>| {
            value
                .as_ref()
                .map(|v| convert::parse_bytes(argument, v))
                .transpose()
        };
        let memory = size("mem_limit", &self.sizes.mem_limit)?;
        let memory_swap = self
            .sizes
            .memswap_limit
            .as_ref()
            .map(|v| convert::parse_swap_bytes("memswap_limit", v))
            .transpose()?;

        let host_config = types::HostConfig {
            auto_remove: self.flags.auto_remove,
            binds: non_empty(binds.binds),
            blkio_device_read_bps: non_empty(convert::throttle_devices(
                "device_read_bps",
                &self.device_read_bps,
            )?),
            blkio_device_read_i_ops: non_empty(convert::throttle_devices(
                "device_read_iops",
                &self.device_read_iops,
            )?),
            blkio_device_write_bps: non_empty(convert::throttle_devices(
                "device_write_bps",
                &self.device_write_bps,
            )?),
            blkio_device_write_i_ops: non_empty(convert::throttle_devices(
                "device_write_iops",
                &self.device_write_iops,
            )?),
            blkio_weight: self.numbers.blkio_weight,
            blkio_weight_device: non_empty(convert::blkio_weight_devices(&self.blkio_weight_device)?),
            cap_add: non_empty(self.lists.cap_add.clone()),
            cap_drop: non_empty(self.lists.cap_drop.clone()),
            cgroup_parent: self.strings.cgroup_parent.clone(),
            cgroupns_mode: self
                .strings
                .cgroupns
                .as_deref()
                .map(|mode| convert::parse_enum("cgroupns", mode, &["private", "host"]))
                .transpose()?,
            cpu_count: self.numbers.cpu_count,
            cpu_percent: self.numbers.cpu_percent,
            cpu_period: self.numbers.cpu_period,
            cpu_quota: self.numbers.cpu_quota,
            cpu_realtime_period: self.numbers.cpu_rt_period,
            cpu_realtime_runtime: self.numbers.cpu_rt_runtime,
            cpu_shares: self.numbers.cpu_shares,
            cpuset_cpus: self.strings.cpuset_cpus.clone(),
            cpuset_mems: self.strings.cpuset_mems.clone(),
            device_cgroup_rules: non_empty(convert::device_cgroup_rules(&self.lists.device_cgroup_rules)?),
            device_requests: non_empty(convert::device_requests(&self.device_requests)?),
            devices: non_empty(convert::devices(&self.devices)?),
            dns: non_empty(self.lists.dns.clone()),
            dns_options: non_empty(self.lists.dns_opt.clone()),
            dns_search: non_empty(self.lists.dns_search.clone()),
            extra_hosts: non_empty(convert::extra_hosts(&self.extra_hosts)?),
            group_add: non_empty(self.lists.group_add.clone()),
            init: self.flags.init,
            ipc_mode: self.strings.ipc_mode.clone(),
            isolation: self
                .strings
                .isolation
                .as_deref()
                .map(|mode| convert::parse_enum("isolation", mode, &["default", "process", "hyperv"]))
                .transpose()?,
            links: non_empty(
                self.links
                    .iter()
                    .map(|(name, alias)| format!("{name}:{}", alias.as_deref().unwrap_or(name)))
                    .collect(),
            ),
            log_config: self.log_config.as_ref().map(convert::log_config).transpose()?,
            memory: memory.unwrap_or(0),
            memory_reservation: size("mem_reservation", &self.sizes.mem_reservation)?,
            memory_swap,
            memory_swappiness: self.numbers.mem_swappiness,
            mounts: non_empty(convert::mounts(&self.mounts)?),
            nano_cpus: self.numbers.nano_cpus,
            network_mode: self.strings.network_mode.clone().or_else(|| self.network.clone()),
            oom_kill_disable: self.flags.oom_kill_disable,
            oom_score_adj: self.numbers.oom_score_adj,
            pid_mode: self.strings.pid_mode.clone(),
            pids_limit: self.numbers.pids_limit,
            port_bindings: (!ports.bindings.is_empty()).then(|| types::PortMap(ports.bindings.clone())),
            privileged: self.flags.privileged,
            publish_all_ports: self.flags.publish_all_ports,
            readonly_rootfs: self.flags.read_only,
            restart_policy: self.restart_policy.as_ref().map(convert::restart_policy),
            runtime: self.strings.runtime.clone(),
            security_opt: non_empty(self.lists.security_opt.clone()),
            shm_size: size("shm_size", &self.sizes.shm_size)?,
            storage_opt: (!self.storage_opt.is_empty()).then(|| self.storage_opt.clone()),
            sysctls: non_empty_map(convert::sysctls(&self.sysctls)?),
            tmpfs: non_empty_map(convert::tmpfs(&self.tmpfs)?),
            ulimits: non_empty(convert::ulimits(&self.ulimits)?),
            userns_mode: self.strings.userns_mode.clone(),
            uts_mode: self.strings.uts_mode.clone(),
            volume_driver: self.strings.volume_driver.clone(),
            volumes_from: non_empty(self.lists.volumes_from.clone()),
            ..Default::default()
        };

        let networking_config = self.network.as_ref().map(|network| {
            let mut endpoint = self.networking_config.get(network).cloned().unwrap_or_default();
            if !self.network_driver_opt.is_empty() {
                endpoint.driver_opts = Some(self.network_driver_opt.clone());
            }
            if let Some(mac) = &self.strings.mac_address {
                endpoint.mac_address = Some(mac.clone());
            }
            types::NetworkingConfig {
                endpoints_config: Some(HashMap::from([(network.clone(), endpoint)])),
            }
        });
        let (attach_stdout, attach_stderr) = (!self.detach, !self.detach);
        let stdin_open = self.flags.stdin_open.unwrap_or(false);
        let volumes = binds.container_paths;
        Ok(types::ContainerCreateBody {
            image: Some(self.image.clone()),
            cmd: self
                .command
                .as_ref()
                .map(|c| convert::command("command", c))
                .transpose()?,
            entrypoint: self.entrypoint.as_ref().map(convert::entrypoint).transpose()?,
            env: non_empty(convert::environment(&self.environment)?),
            labels: non_empty_map(convert::labels(&self.labels)?),
            exposed_ports: (!ports.exposed_ports.is_empty()).then(|| {
                ports
                    .exposed_ports
                    .iter()
                    .map(|p| (p.clone(), Default::default()))
                    .collect()
            }),
            volumes: (!volumes.is_empty())
                .then(|| volumes.into_iter().map(|p| (p, Default::default())).collect()),
            healthcheck: self.healthcheck.as_ref().map(convert::healthcheck).transpose()?,
            hostname: self.strings.hostname.clone(),
            domainname: self.strings.domainname.clone(),
            user: self.strings.user.clone(),
            working_dir: self.strings.working_dir.clone(),
            stop_signal: self.strings.stop_signal.clone(),
            stop_timeout: self
                .stop_timeout
                .map(|t| i64::try_from(t.as_secs()).unwrap_or(i64::MAX)),
            network_disabled: self.flags.network_disabled,
            tty: self.flags.tty.unwrap_or(false),
            open_stdin: stdin_open,
            stdin_once: stdin_open && !self.detach,
            attach_stdin: stdin_open && !self.detach,
            attach_stdout,
            attach_stderr,
            host_config: Some(host_config),
            networking_config,
            ..Default::default()
        })
    }
}

fn non_empty<T>(items: Vec<T>) -> Option<Vec<T>> {
    (!items.is_empty()).then_some(items)
}

fn non_empty_map(map: HashMap<String, String>) -> Option<HashMap<String, String>> {
    (!map.is_empty()).then_some(map)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::convert::VolumeBind;

    fn create() -> ContainerBuilder<Create> {
        let client = DockerClient::builder()
            .base_url("unix:///nonexistent/docker.sock")
            .build()
            .expect("a client needs no engine to be built");
        client.containers().create("busybox")
    }

    fn body(builder: ContainerBuilder<Create>) -> Value {
        let body = builder.options.body().expect("a valid body");
        serde_json::to_value(body).expect("bodies serialise")
    }

    #[test]
    fn keywords_land_where_docker_py_puts_them() {
        type Case = (
            &'static str,
            fn(ContainerBuilder<Create>) -> ContainerBuilder<Create>,
            Value,
        );
        let cases: Vec<Case> = vec![
            (
                "/Cmd",
                |b| b.command("echo 'hello world'"),
                json!(["echo", "hello world"]),
            ),
            (
                "/Cmd",
                |b| b.command(["sh", "-c", "exit 1"]),
                json!(["sh", "-c", "exit 1"]),
            ),
            ("/Entrypoint", |b| b.entrypoint(""), json!([""])),
            (
                "/Env",
                |b| b.environment([("A", "1")]).environment(["B=2"]),
                json!(["A=1", "B=2"]),
            ),
            ("/Labels", |b| b.labels(["flag"]), json!({ "flag": "" })),
            (
                "/ExposedPorts",
                |b| b.port(80, 8080).port("53/udp", HostPort::Random),
                json!({ "80/tcp": {}, "53/udp": {} }),
            ),
            (
                "/HostConfig/PortBindings/80~1tcp",
                |b| b.port(80, ("127.0.0.1", 8080)),
                json!([{ "HostIp": "127.0.0.1", "HostPort": "8080" }]),
            ),
            (
                "/HostConfig/PortBindings/80~1tcp",
                |b| b.port(80, HostPort::Random),
                json!([{ "HostIp": "", "HostPort": "" }]),
            ),
            (
                "/HostConfig/Binds",
                |b| b.volume("/srv", "/data"),
                json!(["/srv:/data:rw"]),
            ),
            (
                "/HostConfig/Binds",
                |b| b.volume("cache", VolumeBind::new("/c").read_only(true)),
                json!(["cache:/c:ro"]),
            ),
            (
                "/Volumes",
                |b| b.volumes(["/srv:/data:ro"]),
                json!({ "/data": {} }),
            ),
            ("/HostConfig/Memory", |b| b.mem_limit("128m"), json!(134_217_728)),
            ("/HostConfig/Memory", |b| b, json!(0)),
            ("/HostConfig/MemorySwap", |b| b.memswap_limit(-1), json!(-1)),
            ("/HostConfig/ShmSize", |b| b.shm_size("1g"), json!(1_073_741_824)),
            (
                "/HostConfig/RestartPolicy",
                |b| b.restart_policy("on-failure:3"),
                json!({ "Name": "on-failure", "MaximumRetryCount": 3 }),
            ),
            (
                "/HostConfig/Devices/0",
                |b| b.devices(["/dev/sda:/dev/xvda:r"]),
                json!({ "PathOnHost": "/dev/sda", "PathInContainer": "/dev/xvda", "CgroupPermissions": "r" }),
            ),
            (
                "/HostConfig/ExtraHosts",
                |b| b.extra_hosts([("db", "10.0.0.2")]),
                json!(["db:10.0.0.2"]),
            ),
            (
                "/HostConfig/Links",
                |b| b.link("db", Some("database")).link("cache", None),
                json!(["db:database", "cache:cache"]),
            ),
            (
                "/HostConfig/CapAdd",
                |b| b.cap_add(["NET_ADMIN"]),
                json!(["NET_ADMIN"]),
            ),
            ("/HostConfig/ReadonlyRootfs", |b| b.read_only(true), json!(true)),
            ("/HostConfig/CgroupnsMode", |b| b.cgroupns("host"), json!("host")),
            (
                "/HostConfig/NetworkMode",
                |b| b.network("backend"),
                json!("backend"),
            ),
            (
                "/NetworkingConfig/EndpointsConfig/backend/Aliases",
                |b| {
                    let endpoint = types::EndpointSettings {
                        aliases: Some(vec!["api".into()]),
                        ..Default::default()
                    };
                    b.network("backend").networking_config("backend", endpoint)
                },
                json!(["api"]),
            ),
            (
                "/StopTimeout",
                |b| b.stop_timeout(Duration::from_secs(3)),
                json!(3),
            ),
            (
                "/Healthcheck/Test",
                |b| b.healthcheck("true"),
                json!(["CMD-SHELL", "true"]),
            ),
        ];
        for (pointer, build, expected) in cases {
            let body = body(build(create()));
            assert_eq!(body.pointer(pointer), Some(&expected), "{pointer} in {body}");
        }
    }

    #[test]
    fn attach_flags_follow_detach_and_stdin_open() {
        let attached = body(create().stdin_open(true));
        assert_eq!(
            (
                &attached["AttachStdin"],
                &attached["AttachStdout"],
                &attached["OpenStdin"],
                &attached["StdinOnce"]
            ),
            (&json!(true), &json!(true), &json!(true), &json!(true))
        );
        let mut detached = create().stdin_open(true);
        detached.options.detach = true;
        let detached = body(detached);
        assert_eq!(
            (
                &detached["AttachStdin"],
                &detached["AttachStdout"],
                &detached["OpenStdin"],
                &detached["StdinOnce"]
            ),
            (&json!(false), &json!(false), &json!(true), &json!(false))
        );
    }

    #[test]
    fn config_proxies_go_before_the_containers_own_variables() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let config =
            r#"{"proxies": {"default": {"httpProxy": "http://proxy:3128", "noProxy": "localhost"}}}"#;
        std::fs::write(dir.path().join("config.json"), config).expect("config.json written");
        let environment: crate::Environment = [
            ("DOCKER_HOST", "unix:///nonexistent/docker.sock".to_owned()),
            ("DOCKER_CONFIG", dir.path().display().to_string()),
        ]
        .into_iter()
        .collect();
        let client = DockerClient::builder()
            .from_environment(environment)
            .build()
            .expect("a client");
        let builder = client
            .containers()
            .create("busybox")
            .environment(["http_proxy=mine"]);
        let mut body = builder.options.body().expect("a body");
        builder.add_config_proxies(&mut body);
        let env = body.env.unwrap_or_default();
        assert!(
            env.contains(&"HTTP_PROXY=http://proxy:3128".to_owned()),
            "{env:?}"
        );
        assert!(env.contains(&"no_proxy=localhost".to_owned()), "{env:?}");
        assert_eq!(
            env.last().map(String::as_str),
            Some("http_proxy=mine"),
            "its own come last and win"
        );
    }

    #[test]
    fn contradictory_network_options_are_refused() {
        type Case = (
            &'static str,
            fn(ContainerBuilder<Create>) -> ContainerBuilder<Create>,
        );
        let cases: Vec<Case> = vec![
            ("network", |b| b.network("a").network_mode("host")),
            ("networking_config", |b| {
                b.networking_config("a", Default::default())
            }),
            ("networking_config", |b| {
                b.network("a").networking_config("b", Default::default())
            }),
            ("cgroupns", |b| b.cgroupns("shared")),
            ("isolation", |b| b.isolation("vm")),
        ];
        for (argument, build) in cases {
            match build(create()).options.body() {
                Err(Error::InvalidArgument { argument: named, .. }) => assert_eq!(named, argument),
                other => panic!("{argument}: {other:?}"),
            }
        }
    }
}
