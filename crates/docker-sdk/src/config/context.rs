//! Docker CLI contexts: `contexts/meta/<sha256 of name>/meta.json` and their
//! TLS material under `contexts/tls/<sha256 of name>/docker/`.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::{DockerHost, tls_from_dir};
use crate::error::{Error, Result};
use crate::tls::TlsConfig;

/// The context that means "the local engine, or DOCKER_HOST".
pub(crate) const DEFAULT_CONTEXT: &str = "default";

/// The docker endpoint of a context.
#[derive(Debug)]
pub(crate) struct Endpoint {
    pub host: DockerHost,
    pub tls: Option<TlsConfig>,
}

#[derive(Deserialize)]
struct Meta {
    #[serde(rename = "Endpoints", default)]
    endpoints: std::collections::HashMap<String, MetaEndpoint>,
}

#[derive(Deserialize)]
struct MetaEndpoint {
    #[serde(rename = "Host", default)]
    host: Option<String>,
    #[serde(rename = "SkipTLSVerify", default)]
    skip_tls_verify: bool,
}

/// `currentContext` of `config.json`, if the file says one. A missing or
/// unreadable file means no context, as for the CLI, which only warns.
pub(crate) fn current_context_name(config_dir: &Path) -> Option<String> {
    let path = config_dir.join("config.json");
    let text = std::fs::read_to_string(&path).ok()?;
    match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(config) => config
            .get("currentContext")?
            .as_str()
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        Err(e) => {
            tracing::warn!("ignoring {}: not valid JSON ({e})", path.display());
            None
        }
    }
}

fn context_id(name: &str) -> String {
    let digest = Sha256::digest(name.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Loads the docker endpoint of context `name`.
pub(crate) fn load(config_dir: &Path, name: &str) -> Result<Endpoint> {
    let id = context_id(name);
    let meta_path = config_dir
        .join("contexts")
        .join("meta")
        .join(&id)
        .join("meta.json");
    let text = std::fs::read_to_string(&meta_path).map_err(|e| {
        Error::config(format!(
            "context {name:?} not found ({}: {e}); list contexts with `docker context ls`",
            meta_path.display()
        ))
    })?;
    let meta: Meta = serde_json::from_str(&text).map_err(|e| {
        Error::config(format!(
            "context {name:?}: {} is not valid: {e}",
            meta_path.display()
        ))
    })?;
    let endpoint = meta.endpoints.get("docker").ok_or_else(|| {
        Error::config(format!(
            "context {name:?} has no docker endpoint ({})",
            meta_path.display()
        ))
    })?;
    let address = endpoint.host.as_deref().unwrap_or_default();
    let tls_dir: PathBuf = config_dir.join("contexts").join("tls").join(&id).join("docker");
    let has_tls_material = ["ca.pem", "cert.pem", "key.pem"]
        .iter()
        .any(|f| tls_dir.join(f).exists());
    let host = DockerHost::parse(address, has_tls_material)
        .map_err(|e| Error::config(format!("context {name:?}: {e}")))?;
    let tls = match &host {
        // As the CLI: TLS files, an https:// host or SkipTLSVerify mean TLS.
        DockerHost::Tcp { .. } if has_tls_material || host.wants_tls() || endpoint.skip_tls_verify => {
            Some(tls_from_dir(&tls_dir, !endpoint.skip_tls_verify))
        }
        _ => None,
    };
    Ok(Endpoint { host, tls })
}

#[cfg(test)]
pub(crate) mod tests_support {
    pub(crate) fn id(name: &str) -> String {
        super::context_id(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_ids_are_sha256_of_the_name() {
        assert_eq!(
            context_id("default"),
            "37a8eec1ce19687d132fe29051dca629d164e2c4958ba141d5f4133a33f0688f"
        );
    }
}
