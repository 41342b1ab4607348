//! Where to connect and how: resolved from the environment and the docker
//! CLI's configuration, exactly in the CLI's order.
//!
//! 1. `DOCKER_HOST`, when set and not empty, with TLS from
//!    `DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH`;
//! 2. else the context named by `DOCKER_CONTEXT`, else the `currentContext`
//!    of `config.json` (in `DOCKER_CONFIG`, else `~/.docker`), unless it is
//!    `default`: its endpoint and TLS material;
//! 3. else the local socket.
//!
//! `DOCKER_API_VERSION`, when set, pins the API version.

mod context;
mod host;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use host::{DEFAULT_TCP_PORT, DEFAULT_TLS_PORT, DEFAULT_UNIX_SOCKET, DockerHost};

use crate::error::Result;
use crate::tls::TlsConfig;
use crate::version::VersionChoice;

/// A set of environment variables to resolve from: the process's own, or a
/// map given by the caller (docker-py's `environment=`).
#[derive(Clone, Debug, Default)]
pub struct Environment {
    vars: HashMap<String, String>,
}

impl Environment {
    /// The process's environment.
    pub fn from_process() -> Self {
        Self {
            vars: std::env::vars().collect(),
        }
    }

    /// The value of `name`, treating an empty value as unset.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }

    pub(crate) fn home(&self) -> Option<PathBuf> {
        self.get("HOME").map(PathBuf::from).or_else(std::env::home_dir)
    }

    /// The directory holding `config.json` and `contexts/`.
    pub(crate) fn config_dir(&self) -> Option<PathBuf> {
        self.get("DOCKER_CONFIG")
            .map(PathBuf::from)
            .or_else(|| self.home().map(|h| h.join(".docker")))
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Environment {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(vars: I) -> Self {
        Self {
            vars: vars.into_iter().map(|(k, v)| (k.into(), v.into())).collect(),
        }
    }
}

/// What the environment says about connecting.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EnvConfig {
    /// The engine's address.
    pub host: DockerHost,
    /// TLS settings, when TLS is wanted.
    pub tls: Option<TlsConfig>,
    /// The API version, when `DOCKER_API_VERSION` pins one.
    pub version: Option<VersionChoice>,
    /// The context the address came from, if any.
    pub context: Option<String>,
}

impl EnvConfig {
    /// Resolves the configuration from `env` and the files it points to.
    ///
    /// # Errors
    ///
    /// A malformed `DOCKER_HOST` or `DOCKER_API_VERSION`, or a context that is
    /// named but missing or unreadable, as [`crate::Error::Config`] or
    /// [`crate::Error::InvalidVersion`].
    pub fn resolve(env: &Environment) -> Result<Self> {
        let version = env.get("DOCKER_API_VERSION").map(str::parse).transpose()?;
        let env_tls = tls_from_env(env);

        if let Some(address) = env.get("DOCKER_HOST") {
            let host = DockerHost::parse(address, env_tls.is_some())?;
            let tls = tls_for(&host, env_tls);
            return Ok(EnvConfig {
                host,
                tls,
                version,
                context: None,
            });
        }

        if let Some(config_dir) = env.config_dir() {
            let name = match env.get("DOCKER_CONTEXT") {
                Some(name) => Some(name.to_owned()),
                None => context::current_context_name(&config_dir),
            };
            if let Some(name) = name.filter(|n| n != context::DEFAULT_CONTEXT) {
                let endpoint = context::load(&config_dir, &name)?;
                let tls = endpoint.tls.or_else(|| tls_for(&endpoint.host, env_tls));
                return Ok(EnvConfig {
                    host: endpoint.host,
                    tls,
                    version,
                    context: Some(name),
                });
            }
        }
        Ok(EnvConfig {
            host: DockerHost::default(),
            tls: None,
            version,
            context: None,
        })
    }
}

/// TLS from the environment. TLS is on when `DOCKER_TLS_VERIFY` or `DOCKER_TLS`
/// is set to anything but the empty string (the CLI's rule, `"0"` included),
/// or when `DOCKER_CERT_PATH` is set (docker-py's rule, kept for its users);
/// the certificate is verified only under `DOCKER_TLS_VERIFY`. The files are
/// `ca.pem`, `cert.pem` and `key.pem` in `DOCKER_CERT_PATH`, else in the
/// config directory (`DOCKER_CONFIG`, else `~/.docker`), as for the CLI.
/// A client certificate is presented when its files exist (one missing of
/// the pair is an error naming it, when the client is built).
fn tls_from_env(env: &Environment) -> Option<TlsConfig> {
    let verify = env.get("DOCKER_TLS_VERIFY").is_some();
    let cert_path = env.get("DOCKER_CERT_PATH").map(PathBuf::from);
    if cert_path.is_none() && !verify && env.get("DOCKER_TLS").is_none() {
        return None;
    }
    let dir = cert_path.or_else(|| env.config_dir()).unwrap_or_default();
    Some(tls_from_dir(&dir, verify))
}

/// TLS from a directory of `ca.pem`, `cert.pem` and `key.pem`; each is used
/// when present.
pub(crate) fn tls_from_dir(dir: &Path, verify: bool) -> TlsConfig {
    let mut tls = TlsConfig::new().verify(verify);
    let ca = dir.join("ca.pem");
    if ca.exists() || verify {
        tls = tls.ca_cert(ca);
    }
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    if cert.exists() || key.exists() {
        tls = tls.client_cert(cert, key);
    }
    tls
}

/// TLS only means something for TCP.
fn tls_for(host: &DockerHost, tls: Option<TlsConfig>) -> Option<TlsConfig> {
    match host {
        DockerHost::Tcp { tls: by_scheme, .. } => tls.or_else(|| by_scheme.then(TlsConfig::new)),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
