//! Which engine is this, and what does it hold? Connects as the docker CLI
//! would (DOCKER_HOST, TLS variables, contexts), negotiates the API version,
//! and looks around.
//!
//! ```text
//! cargo run -p docker-sdk --example quickstart
//! ```

use docker_sdk::DockerClient;

#[tokio::main]
async fn main() -> docker_sdk::Result<()> {
    let docker = DockerClient::from_env()?;
    let version = docker.version().await?;
    println!(
        "engine {} at {}, speaking API {} (this SDK speaks up to {})",
        version.version.as_deref().unwrap_or("?"),
        docker.host(),
        docker.api_version().await?,
        docker_sdk::ApiVersion::LATEST,
    );

    let info = docker.info().await?;
    println!(
        "{} containers ({} running), {} images, storage driver {}",
        info.containers.unwrap_or_default(),
        info.containers_running.unwrap_or_default(),
        info.images.unwrap_or_default(),
        info.driver.as_deref().unwrap_or("?"),
    );

    for container in docker.containers().list().all(true).sparse(true).send().await? {
        println!("  {}  {}", container.short_id(), container.name().unwrap_or("?"));
    }
    Ok(())
}
