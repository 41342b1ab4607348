//! Talks to the local engine through the raw v1.41 bindings: what engine is
//! this, and what does it hold?
//!
//! ```text
//! cargo run -p docker-engine-api --features v1_41 --example raw_quickstart
//! ```
//!
//! The socket is `DOCKER_HOST` when that is a `unix://` URL, else
//! `/var/run/docker.sock`.

use docker_engine_api::v1_41::Client;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let socket = std::env::var("DOCKER_HOST")
        .ok()
        .and_then(|host| host.strip_prefix("unix://").map(str::to_owned))
        .unwrap_or_else(|| "/var/run/docker.sock".to_owned());
    let client = Client::connect_unix(&socket)?;

    let version = client.system_version().send().await?.into_inner();
    println!(
        "engine {} (API {}) on {}/{}, reached at {socket}",
        version.version.unwrap_or_default(),
        version.api_version.unwrap_or_default(),
        version.os.unwrap_or_default(),
        version.arch.unwrap_or_default(),
    );

    let containers = client.container_list().all(true).send().await?.into_inner();
    println!("{} containers", containers.len());
    for container in &containers {
        let names = container.names.as_deref().unwrap_or_default().join(", ");
        let state = container.state.as_deref().unwrap_or("?");
        println!(
            "  {names}  {state}  {}",
            container.image.as_deref().unwrap_or_default()
        );
    }

    let images = client.image_list().send().await?.into_inner();
    println!("{} images", images.len());
    for image in &images {
        let tags = image.repo_tags.as_deref().unwrap_or_default().join(", ");
        println!("  {}  {tags}  {} bytes", &image.id, image.size);
    }

    let networks = client.network_list().send().await?.into_inner();
    let volumes = client.volume_list().send().await?.into_inner();
    println!(
        "{} networks, {} volumes",
        networks.len(),
        volumes.volumes.map_or(0, |v| v.len())
    );
    Ok(())
}
