//! docker-py's container keyword arguments, given a Rust shape and turned
//! into the engine's models.
//!
//! Each Python shape a keyword accepts has a Rust input type here, built
//! with `From` (so `3333`, `("127.0.0.1", 5353)`, `"on-failure:5"`,
//! `[("A", "1")]`, `vec!["A=1"]` and `HashMap`s all work). The container
//! builder hands them to this module's `pub(crate)` converters, which check
//! everything the engine would refuse and return
//! [`Error::InvalidArgument`](crate::Error::InvalidArgument), named by the
//! docker-py keyword, before any request is sent. Nothing here talks to an
//! engine.
//!
//! | keyword | input | converter | output |
//! |---|---|---|---|
//! | `ports` | [`ContainerPort`], [`HostPort`] | `port_bindings` | exposed ports and `PortBindings` |
//! | `mem_limit`, `shm_size`, … | [`ByteSize`] | `parse_bytes`, `parse_swap_bytes` | bytes |
//! | `volumes` | [`VolumeSpec`], [`VolumeBind`] | `volume_binds` | `Binds` and `Volumes` paths |
//! | `mounts` | [`MountSpec`] | `mounts` | `Vec<Mount>` |
//! | `environment` | [`EnvVar`] | `environment` | `Env` |
//! | `labels` | [`Label`] | `labels` | `Labels` |
//! | `extra_hosts` | [`ExtraHost`] | `extra_hosts` | `ExtraHosts` |
//! | `sysctls` | [`Sysctl`] | `sysctls` | `Sysctls` |
//! | `tmpfs` | [`TmpfsMount`] | `tmpfs` | `Tmpfs` |
//! | `devices` | [`Device`] | `devices` | `Devices` |
//! | `device_cgroup_rules` | strings | `device_cgroup_rules` | `DeviceCgroupRules` |
//! | `blkio_weight_device` | [`WeightDevice`] | `blkio_weight_devices` | `BlkioWeightDevice` |
//! | `device_read_bps`, … | [`DeviceRate`] | `throttle_devices` | `BlkioDevice*` |
//! | `device_requests` | [`DeviceRequest`] | `device_requests` | `DeviceRequests` |
//! | `command`, `entrypoint` | [`Command`] | `command`, `entrypoint` | `Cmd`, `Entrypoint` |
//! | `healthcheck` | [`Healthcheck`] | `healthcheck` | `Healthcheck` |
//! | `restart_policy` | [`RestartPolicy`] | `restart_policy` | `RestartPolicy` |
//! | `ulimits` | [`Ulimit`] | `ulimits` | `Ulimits` |
//! | `log_config` | [`LogConfig`] | `log_config` | `LogConfig` |
//!
//! ```
//! use docker_sdk::convert::{ByteSize, ContainerPort, HostPort, RestartPolicy};
//!
//! let ports: Vec<(ContainerPort, HostPort)> = vec![
//!     ("2222/tcp".into(), 3333.into()),
//!     (8080.into(), HostPort::Random),
//!     ("53/udp".into(), ("127.0.0.1", 5353).into()),
//!     ("1111/tcp".into(), vec![1234, 4567].into()),
//! ];
//! assert_eq!(ports.len(), 4);
//! let memory: ByteSize = "128m".into();
//! let restart: RestartPolicy = "on-failure:5".parse()?;
//! # let _ = (memory, restart);
//! # Ok::<(), docker_sdk::Error>(())
//! ```

mod binds;
mod bytes;
mod command;
mod devices;
mod env;
mod health;
mod ports;
mod resources;
mod values;

pub use binds::{DriverConfig, MountKind, MountSpec, VolumeBind, VolumeSpec};
pub use bytes::ByteSize;
pub use command::Command;
pub use devices::{Device, DeviceRate, DeviceRequest, WeightDevice};
pub use env::{EnvValue, EnvVar, ExtraHost, Label, Sysctl, TextValue, TmpfsMount};
pub use health::Healthcheck;
pub use ports::{ContainerPort, HostPort};
pub use resources::{LogConfig, RestartPolicy, Ulimit};
pub(crate) use values::{nanoseconds, parse_enum};

#[cfg(test)]
pub(crate) use binds::MODE_WORDS;
pub(crate) use binds::{mounts, volume_binds};
pub(crate) use bytes::{parse_bytes, parse_swap_bytes};
pub(crate) use command::{command, entrypoint};
pub(crate) use devices::{
    blkio_weight_devices, device_cgroup_rules, device_requests, devices, throttle_devices,
};
pub(crate) use env::{environment, extra_hosts, labels, sysctls, tmpfs};
pub(crate) use health::healthcheck;
pub(crate) use ports::port_bindings;
pub(crate) use resources::{log_config, restart_policy, ulimits};

#[cfg(test)]
mod test_support;
