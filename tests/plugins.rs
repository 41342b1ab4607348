//! Plugins through `docker-sdk`, on a throwaway daemon (plugins are
//! daemon-wide): create from a local rootfs, enable, configure, disable,
//! push to and install from a local registry, upgrade, remove. The plugin is
//! the stub of `tests/support/plugin`: a static binary that listens on the
//! socket its config names, so the engine can enable it.

use std::path::Path;
use std::process::Command;

use docker_sdk::{DockerClient, Environment, Error, Filters};
use docker_sdk_tests::daemon::{DaemonOptions, ThrowawayDaemon};
use docker_sdk_tests::registry::LocalRegistry;

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// Lays out a plugin directory (`config.json`, `rootfs/stub`) under `dir`;
/// `variant` makes its content differ, as the engine refuses content it
/// already has.
fn plugin_dir(
    dir: &Path,
    variant: &str,
) -> Result<std::path::PathBuf, Box<dyn std::error::Error + Send + Sync>> {
    let support = Path::new(env!("CARGO_MANIFEST_DIR")).join("support/plugin");
    let plugin = dir.join(variant);
    std::fs::create_dir_all(plugin.join("rootfs"))?;
    std::fs::copy(support.join("config.json"), plugin.join("config.json"))?;
    std::fs::write(plugin.join("rootfs/version"), variant)?;
    let built = Command::new("cc")
        .args(["-static", "-O2", "-o"])
        .arg(plugin.join("rootfs/stub"))
        .arg(support.join("stub.c"))
        .output()?;
    if !built.status.success() {
        return Err(format!("cc: {}", String::from_utf8_lossy(&built.stderr)).into());
    }
    Ok(plugin)
}

#[tokio::test]
async fn plugins_from_a_rootfs_through_a_local_registry() -> TestResult {
    let daemon = tokio::task::spawn_blocking(|| ThrowawayDaemon::start(DaemonOptions::default())).await??;
    let registry = LocalRegistry::start(None)?;
    let environment: Environment = [("DOCKER_HOST", daemon.unix_url())].into_iter().collect();
    let docker = DockerClient::builder().from_environment(environment).build()?;
    let dir = tempfile::tempdir()?;
    let remote = format!("{}/docker-sdk-test/stub", registry.address());

    let missing_config = docker.plugins().create("x", dir.path()).await;
    assert!(
        matches!(missing_config, Err(Error::InvalidArgument { .. })),
        "{missing_config:?}"
    );

    let v1 = plugin_dir(dir.path(), "v1")?;
    let plugin = docker.plugins().create(&format!("{remote}:v1"), &v1).await?;
    assert_eq!(plugin.name(), format!("{remote}:v1"));
    assert!(!plugin.enabled());
    let taken = docker.plugins().create(&format!("{remote}:v1"), &v1).await;
    assert!(matches!(taken, Err(Error::Conflict { .. })), "{taken:?}");
    let v2 = plugin_dir(dir.path(), "v2")?;
    let second = docker.plugins().create(&format!("{remote}:v2"), &v2).await?;

    // Settings change only while disabled.
    plugin.configure([("DEBUG", "1")]).await?;
    let mut plugin = docker.plugins().get(plugin.name()).await?;
    let env = plugin.settings().env.clone().unwrap_or_default();
    assert!(env.contains(&"DEBUG=1".to_owned()), "{env:?}");
    let unknown = plugin.configure([("NOPE", "1")]).await;
    assert!(unknown.is_err(), "{unknown:?}");

    plugin.enable(30).await?;
    plugin.reload().await?;
    assert!(plugin.enabled());
    let enabled = docker.plugins().list([("enabled", "true")]).await?;
    assert_eq!(enabled.len(), 1);
    let while_enabled = plugin.remove(false).await;
    assert!(
        while_enabled.is_err(),
        "an enabled plugin stays: {while_enabled:?}"
    );
    plugin.disable(false).await?;
    plugin.reload().await?;
    assert!(!plugin.enabled());

    // Push both, remove both, install v1 back under a local name, upgrade it to v2.
    let pushed = plugin.push().await?.collect_all().await?;
    let digest = pushed
        .iter()
        .find_map(|m| m.aux.as_ref().and_then(|aux| aux.digest.clone()));
    assert!(
        digest.is_some_and(|d| d.starts_with("sha256:")),
        "the last message names the pushed digest: {pushed:?}"
    );
    second.push().await?.collect_all().await?;
    plugin.remove(false).await?;
    second.remove(true).await?;
    assert!(docker.plugins().list(Filters::new()).await?.is_empty());
    let gone = docker.plugins().get(plugin.name()).await;
    assert!(matches!(gone, Err(Error::NotFound { .. })), "{gone:?}");

    let installed = docker
        .plugins()
        .install(format!("{remote}:v1"), Some("stub:v1"))
        .send()
        .await?;
    assert_eq!(installed.name(), "stub:v1");
    let progress = installed
        .upgrade(Some(&format!("{remote}:v2")))
        .await?
        .collect_all()
        .await?;
    assert!(!progress.is_empty());
    let mut upgraded = docker.plugins().get("stub:v1").await?;
    upgraded.reload().await?;
    assert_eq!(
        upgraded.attrs().plugin_reference.as_deref(),
        Some(format!("{remote}:v2").as_str())
    );
    upgraded.enable(30).await?;
    upgraded.remove(true).await?;

    let no_registry = docker
        .plugins()
        .install("127.0.0.1:9/nothing/here:v1", None)
        .send()
        .await;
    assert!(no_registry.is_err(), "{no_registry:?}");
    Ok(())
}
