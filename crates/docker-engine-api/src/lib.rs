//! Raw bindings to the Docker Engine API, generated from Docker's own
//! swagger files, one module per API version.
//!
//! Each module (`v1_41` … `v1_55`) sits behind the cargo feature of the same
//! name and holds a [progenitor] client: a `Client` with one builder method per
//! engine operation (`container_list`, `image_build`, `exec_start`, …), and
//! `types` with the engine's models. Every request goes to the module's
//! version prefix (`/v1.41/containers/json`), so pinning a feature pins the
//! API version spoken on the wire. The `latest` feature (on by default)
//! enables the newest module.
//!
//! Most users want the `docker-sdk` crate, which builds on this one with
//! docker-py's semantics. Reach for this crate for an exact binding of one
//! API version.
//!
//! # Connecting
//!
//! ```no_run
//! # #[cfg(feature = "v1_41")]
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use docker_engine_api::v1_41::Client;
//!
//! let client = Client::connect_unix("/var/run/docker.sock")?;
//! let containers = client.container_list().all(true).send().await?.into_inner();
//! for container in containers {
//!     println!("{:?} {:?}", container.id, container.names);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # What is generated, and how
//!
//! `cargo xtask codegen` converts `spec/v1.XX.yaml` (Swagger 2.0) to OpenAPI
//! 3.0, applies the patches in `spec/patches/`, and runs progenitor. The
//! generated files are never edited by hand. Bodies that are not one JSON
//! document — logs, attach and exec output, archives, exports, image tarballs
//! and the newline-delimited JSON of pulls, pushes, builds, loads, events and
//! stats — are returned as a [`ByteStream`] for the caller to decode as it
//! arrives. Attach and exec with stdin need the connection itself: the
//! [`hijack`] module upgrades it, through the same transport.
//!
//! # Decoding policy
//!
//! The engine's encoder writes `null` for an empty list or map, including
//! where the swagger promises an array or marks the field required. Every
//! array- and map-typed field is therefore an `Option`, and `null` and absent
//! both decode as `None`.
//!
//! Engines grow enum values the swagger of their API version never listed
//! (a container state `"stopping"`, a new health status or event type), and
//! other engines speaking the API send their own. Every string enum has a
//! last variant `Other(String)` that keeps such a value as it was sent: it
//! prints, parses and serialises back to the same text, so one unexpected
//! value never makes a whole answer undecodable.
//!
//! ```
//! # #[cfg(feature = "latest")] {
//! use docker_engine_api::latest::types::ContainerStateStatus;
//!
//! let state: ContainerStateStatus = serde_json::from_str(r#""stopping""#)?;
//! assert_eq!(state, ContainerStateStatus::Other("stopping".into()));
//! assert_eq!(serde_json::to_string(&state)?, r#""stopping""#);
//! # }
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! Numbers take every value the engine's encoder can write for them. Signed
//! integers are `i64` (the engine's `-1` for "unlimited" or "not computed"
//! fits, and Go's `int` is 64 bits), whatever narrower format the swagger
//! gives. An integer is unsigned only where the engine's Go type is unsigned
//! too, checked field by field against moby's source, so no sentinel can be
//! negative there and a cgroup's `max` (18446744073709551615) fits. Integer
//! enums (a change's kind) take values they do not list.
//!
//! ```
//! # #[cfg(feature = "latest")] {
//! use docker_engine_api::latest::types::{ContainerPidsStats, FilesystemChange};
//!
//! let pids: ContainerPidsStats =
//!     serde_json::from_str(r#"{"current": 3, "limit": 18446744073709551615}"#)?;
//! assert_eq!(pids.limit, Some(u64::MAX));
//! let change: FilesystemChange = serde_json::from_str(r#"{"Kind": 7, "Path": "/tmp"}"#)?;
//! assert_eq!(*change.kind, 7);
//! # }
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! Timestamps stay the text the engine wrote, and the swagger's validation
//! keywords are left to the engine. Other places where a real engine
//! disagrees with the swagger are fixed by patches in `spec/patches/`, each
//! naming the recorded response that proves it; `tests/corpus_decode.rs`
//! decodes every recorded response of `tests/fixtures/corpus/` with every
//! version module and fails on any field lost on the way.
//!
//! [progenitor]: https://github.com/oxidecomputer/progenitor

#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

pub mod hijack;
mod hooks;
pub mod transport;

pub use progenitor_client::{ByteStream, ClientInfo, Error, ResponseValue};

pub use reqwest;
/// The newest version module, under a name that does not change between
/// releases: what `docker-sdk` builds against.
#[cfg(feature = "latest")]
#[cfg_attr(docsrs, doc(cfg(feature = "latest")))]
pub use v1_55 as latest;

/// Constructors that dial the engine with no overall timeout (progenitor's
/// `Client::new` sets a 15 s one, which would cut every stream short).
macro_rules! connect_impl {
    ($module:ident, $version:literal) => {
        impl $module::Client {
            /// The API version this module speaks, as in its path prefix.
            pub const API_VERSION: &'static str = $version;

            /// A client for the engine listening on the unix socket at `path`.
            ///
            /// # Errors
            ///
            /// When `reqwest` cannot build its client.
            pub fn connect_unix(path: impl AsRef<std::path::Path>) -> reqwest::Result<Self> {
                let http = transport::unix_socket_client(path)?;
                let base = transport::versioned_base_url(transport::UNIX_SOCKET_HOST, Self::API_VERSION);
                Ok(Self::new_with_client(&base, http))
            }

            /// A client for an engine listening on plain TCP; `host` is
            /// `http://HOST:PORT`.
            ///
            /// # Errors
            ///
            /// When `reqwest` cannot build its client.
            pub fn connect_http(host: &str) -> reqwest::Result<Self> {
                let http = transport::tcp_client()?;
                Ok(Self::new_with_client(
                    &transport::versioned_base_url(host, Self::API_VERSION),
                    http,
                ))
            }
        }

        // Takes precedence over the generated no-op hooks for `&Client`.
        impl progenitor_client::ClientHooks<()> for $module::Client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                info: &progenitor_client::OperationInfo,
            ) -> Result<(), progenitor_client::Error<E>> {
                hooks::unversion_ping(request, info.operation_id, Self::API_VERSION);
                hooks::align_version_header(request);
                Ok(())
            }

            async fn exec(
                &self,
                request: reqwest::Request,
                _info: &progenitor_client::OperationInfo,
            ) -> reqwest::Result<reqwest::Response> {
                let response = progenitor_client::ClientInfo::client(self)
                    .execute(request)
                    .await?;
                hooks::error_body_as_json(response).await
            }
        }
    };
}
#[allow(unused_imports)]
use connect_impl;

#[cfg(feature = "v1_41")]
#[cfg_attr(docsrs, doc(cfg(feature = "v1_41")))]
#[rustfmt::skip] // generated, formatted by prettyplease
pub mod v1_41;
#[cfg(feature = "v1_41")]
connect_impl!(v1_41, "1.41");

#[cfg(feature = "v1_42")]
#[cfg_attr(docsrs, doc(cfg(feature = "v1_42")))]
#[rustfmt::skip] // generated, formatted by prettyplease
pub mod v1_42;
#[cfg(feature = "v1_42")]
connect_impl!(v1_42, "1.42");

#[cfg(feature = "v1_43")]
#[cfg_attr(docsrs, doc(cfg(feature = "v1_43")))]
#[rustfmt::skip] // generated, formatted by prettyplease
pub mod v1_43;
#[cfg(feature = "v1_43")]
connect_impl!(v1_43, "1.43");

#[cfg(feature = "v1_44")]
#[cfg_attr(docsrs, doc(cfg(feature = "v1_44")))]
#[rustfmt::skip] // generated, formatted by prettyplease
pub mod v1_44;
#[cfg(feature = "v1_44")]
connect_impl!(v1_44, "1.44");

#[cfg(feature = "v1_45")]
#[cfg_attr(docsrs, doc(cfg(feature = "v1_45")))]
#[rustfmt::skip] // generated, formatted by prettyplease
pub mod v1_45;
#[cfg(feature = "v1_45")]
connect_impl!(v1_45, "1.45");

#[cfg(feature = "v1_46")]
#[cfg_attr(docsrs, doc(cfg(feature = "v1_46")))]
#[rustfmt::skip] // generated, formatted by prettyplease
pub mod v1_46;
#[cfg(feature = "v1_46")]
connect_impl!(v1_46, "1.46");

#[cfg(feature = "v1_47")]
#[cfg_attr(docsrs, doc(cfg(feature = "v1_47")))]
#[rustfmt::skip] // generated, formatted by prettyplease
pub mod v1_47;
#[cfg(feature = "v1_47")]
connect_impl!(v1_47, "1.47");

#[cfg(feature = "v1_48")]
#[cfg_attr(docsrs, doc(cfg(feature = "v1_48")))]
#[rustfmt::skip] // generated, formatted by prettyplease
pub mod v1_48;
#[cfg(feature = "v1_48")]
connect_impl!(v1_48, "1.48");

#[cfg(feature = "v1_49")]
#[cfg_attr(docsrs, doc(cfg(feature = "v1_49")))]
#[rustfmt::skip] // generated, formatted by prettyplease
pub mod v1_49;
#[cfg(feature = "v1_49")]
connect_impl!(v1_49, "1.49");

#[cfg(feature = "v1_50")]
#[cfg_attr(docsrs, doc(cfg(feature = "v1_50")))]
#[rustfmt::skip] // generated, formatted by prettyplease
pub mod v1_50;
#[cfg(feature = "v1_50")]
connect_impl!(v1_50, "1.50");

#[cfg(feature = "v1_51")]
#[cfg_attr(docsrs, doc(cfg(feature = "v1_51")))]
#[rustfmt::skip] // generated, formatted by prettyplease
pub mod v1_51;
#[cfg(feature = "v1_51")]
connect_impl!(v1_51, "1.51");

#[cfg(feature = "v1_52")]
#[cfg_attr(docsrs, doc(cfg(feature = "v1_52")))]
#[rustfmt::skip] // generated, formatted by prettyplease
pub mod v1_52;
#[cfg(feature = "v1_52")]
connect_impl!(v1_52, "1.52");

#[cfg(feature = "v1_53")]
#[cfg_attr(docsrs, doc(cfg(feature = "v1_53")))]
#[rustfmt::skip] // generated, formatted by prettyplease
pub mod v1_53;
#[cfg(feature = "v1_53")]
connect_impl!(v1_53, "1.53");

#[cfg(feature = "v1_54")]
#[cfg_attr(docsrs, doc(cfg(feature = "v1_54")))]
#[rustfmt::skip] // generated, formatted by prettyplease
pub mod v1_54;
#[cfg(feature = "v1_54")]
connect_impl!(v1_54, "1.54");

#[cfg(feature = "v1_55")]
#[cfg_attr(docsrs, doc(cfg(feature = "v1_55")))]
#[rustfmt::skip] // generated, formatted by prettyplease
pub mod v1_55;
#[cfg(feature = "v1_55")]
connect_impl!(v1_55, "1.55");
