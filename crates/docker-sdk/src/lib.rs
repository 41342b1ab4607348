//! A Docker Engine client with the semantics of the Docker SDK for Python
//! (docker-py), typed and async.
//!
//! ```no_run
//! # async fn example() -> docker_sdk::Result<()> {
//! use docker_sdk::DockerClient;
//!
//! // DOCKER_HOST, TLS variables and contexts, as the docker CLI reads them.
//! let docker = DockerClient::from_env()?;
//! let version = docker.version().await?;
//! println!("engine {:?}, API {}", version.version, docker.api_version().await?);
//! # Ok(())
//! # }
//! ```
//!
//! The client negotiates the API version with the engine on its first call
//! (or speaks the one it is given), and every call goes through the
//! generated bindings of [`docker_engine_api`]: [`raw`] gives them, with the
//! models ([`api::types`]) the facade returns.

//!
//! # Streams and runtimes
//!
//! A response body travels from the task that owns the connection to the
//! task that reads it, chunk by chunk. On a multi-thread runtime each chunk
//! can wake another worker thread, which costs more than decoding it: reading
//! one container's 25 MB of logs went at 44 MiB/s on a multi-thread runtime
//! and 98 MiB/s on a `current_thread` one, on the same 2-core machine. A
//! program that mostly reads one big stream at a time (logs, exports,
//! archives) does best on `#[tokio::main(flavor = "current_thread")]`, or
//! with the stream read on a runtime of its own; many concurrent calls gain
//! from the multi-thread runtime.

#![warn(missing_docs)]
// Literals of generated models end in `..Default::default()` even where
// they name every field: which fields exist depends on the API version
// feature the crate is built with.
#![allow(clippy::needless_update)]

pub mod auth;
#[cfg(test)]
mod bad_input;
pub mod build_context;
mod client;
pub mod config;
pub mod containers;
pub mod convert;
mod error;
mod filters;
#[cfg(test)]
mod fuzz;
pub mod images;
pub mod networks;
pub mod nodes;
pub mod plugins;
pub mod reference;
mod secret;
pub mod secrets;
pub mod services;
pub mod stream;
pub mod swarm;
mod system;
mod tls;
mod transport;
mod version;
pub mod volumes;

/// The generated bindings the facade is built on: the client and models
/// ([`api::types`]) of the API version chosen by this crate's `v1_NN`
/// feature (the newest enabled; by default 1.55).
pub mod api {
    include!(concat!(env!("OUT_DIR"), "/api.rs"));
}

pub use client::{DEFAULT_TIMEOUT, DEFAULT_USER_AGENT, DockerClient, DockerClientBuilder, Ping};
pub use config::{DockerHost, EnvConfig, Environment};
pub use containers::{Container, ContainerAttrs, Containers};
pub use docker_engine_api as raw;
pub use error::{BuildError, ContainerError, Error, Result};
pub use filters::{FilterValue, Filters};
pub use images::{Image, Images};
pub use networks::{Network, Networks};
pub use nodes::{Node, Nodes};
pub use plugins::{Plugin, Plugins};
pub use secret::Secret;
pub use secrets::{Configs, Secrets};
pub use services::{Service, Services};
pub use swarm::Swarm;
pub use system::{EventStream, EventTime, EventsBuilder, Login, LoginBuilder};
pub use tls::TlsConfig;
pub use version::{ApiVersion, VersionChoice};
pub use volumes::{Volume, Volumes};
