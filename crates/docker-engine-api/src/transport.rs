//! Reaching the engine: the `reqwest` clients and base URLs the generated
//! clients are built on.
//!
//! Every version module's `Client` sends its requests to
//! `{base_url}/{operation path}`; the base URL carries the version prefix
//! (`http://localhost/v1.41`), so one `reqwest::Client` (one connection pool,
//! one transport) serves every call of a module, hijacks included.

use std::path::Path;
use std::time::Duration;

/// How long dialling the engine may take before the call fails.
///
/// There is no overall request timeout: logs, events and attach streams are
/// meant to stay open for as long as the caller reads them.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Host part of the URL of requests sent over a unix socket. The engine
/// ignores it; `localhost` is what the docker CLI sends too.
pub const UNIX_SOCKET_HOST: &str = "http://localhost";

/// A `reqwest` client whose every connection dials the unix socket at `path`.
///
/// # Errors
///
/// Fails when `reqwest` cannot build a client (no TLS or DNS is involved, so
/// in practice only when the system is out of resources).
///
/// # Example
///
/// ```no_run
/// let http = docker_engine_api::transport::unix_socket_client("/var/run/docker.sock")?;
/// # Ok::<(), reqwest::Error>(())
/// ```
pub fn unix_socket_client(path: impl AsRef<Path>) -> reqwest::Result<reqwest::Client> {
    client_builder().unix_socket(path.as_ref()).build()
}

/// A `reqwest` client for an engine listening on plain TCP (`http://host:port`).
///
/// # Errors
///
/// As for [`unix_socket_client`].
pub fn tcp_client() -> reqwest::Result<reqwest::Client> {
    client_builder().build()
}

/// A `reqwest` client builder set up for the engine: [`CONNECT_TIMEOUT`] and
/// no proxy. With the `rustls` feature it also carries a TLS configuration
/// that trusts no certificate (give it your own with
/// `tls_backend_preconfigured` to speak TLS): reqwest's rustls backend needs
/// a crypto provider before it builds any client, TLS or not, and this one
/// brings its own (ring), so no process-wide default has to be installed.
pub fn client_builder() -> reqwest::ClientBuilder {
    let builder = reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .no_proxy();
    #[cfg(feature = "rustls")]
    let builder = builder.tls_backend_preconfigured(tls_trusting_nothing());
    builder
}

/// A rustls configuration (ring provider) that trusts no certificate.
#[cfg(feature = "rustls")]
#[cfg_attr(docsrs, doc(cfg(feature = "rustls")))]
pub fn tls_trusting_nothing() -> rustls::ClientConfig {
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let roots = rustls::RootCertStore::empty();
    match rustls::ClientConfig::builder_with_provider(provider).with_safe_default_protocol_versions() {
        Ok(builder) => builder.with_root_certificates(roots).with_no_client_auth(),
        // ring supports the default protocol versions; should that ever
        // change, the process default provider is the fallback.
        Err(_) => rustls::ClientConfig::builder()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    }
}

/// The base URL of a version module's client: `host` (such as
/// `http://localhost` or `http://127.0.0.1:2375`, without a trailing slash)
/// followed by the version prefix.
///
/// ```
/// assert_eq!(
///     docker_engine_api::transport::versioned_base_url("http://127.0.0.1:2375/", "1.41"),
///     "http://127.0.0.1:2375/v1.41",
/// );
/// ```
pub fn versioned_base_url(host: &str, version: &str) -> String {
    format!("{}/v{version}", host.trim_end_matches('/'))
}
