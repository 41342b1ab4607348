//! One `reqwest::Client` per `DockerClient`, dialling the engine the way its
//! address says: a unix socket, TCP, TLS over TCP (rustls), or an `ssh`
//! process running `docker system dial-stdio`, which a private unix socket
//! fronts so that reqwest's own unix-socket support carries that too.

mod ssh;

use docker_engine_api::transport::UNIX_SOCKET_HOST;

use crate::config::DockerHost;
use crate::error::{Error, Result};
use crate::tls::TlsConfig;

pub(crate) use ssh::SshTunnel;

/// A way to the engine.
pub(crate) struct Transport {
    pub http: reqwest::Client,
    /// Scheme, host and path prefix of every request, without a version.
    pub base: String,
    /// Keeps the ssh socket alive as long as the client.
    pub tunnel: Option<SshTunnel>,
}

pub(crate) fn connect(host: &DockerHost, tls: Option<&TlsConfig>, user_agent: &str) -> Result<Transport> {
    let builder = docker_engine_api::transport::client_builder().user_agent(user_agent);
    let build = |builder: reqwest::ClientBuilder| {
        builder.build().map_err(|e| Error::Transport {
            host: host.to_string(),
            message: e.to_string(),
        })
    };
    match host {
        DockerHost::Unix(path) => Ok(Transport {
            http: build(builder.unix_socket(path.as_path()))?,
            base: UNIX_SOCKET_HOST.to_owned(),
            tunnel: None,
        }),
        DockerHost::Tcp {
            host: name,
            port,
            tls: by_scheme,
            path,
        } => {
            let authority = if name.contains(':') {
                format!("[{name}]:{port}")
            } else {
                format!("{name}:{port}")
            };
            let tls = tls.cloned().or_else(|| by_scheme.then(TlsConfig::new));
            let (scheme, builder) = match tls {
                Some(tls) => ("https", builder.tls_backend_preconfigured(tls.to_rustls()?)),
                None => ("http", builder),
            };
            Ok(Transport {
                http: build(builder)?,
                base: format!("{scheme}://{authority}{path}"),
                tunnel: None,
            })
        }
        DockerHost::Ssh {
            user,
            host: name,
            port,
        } => {
            let tunnel = SshTunnel::start(user.as_deref(), name, *port)?;
            Ok(Transport {
                http: build(builder.unix_socket(tunnel.socket()))?,
                base: UNIX_SOCKET_HOST.to_owned(),
                tunnel: Some(tunnel),
            })
        }
    }
}
