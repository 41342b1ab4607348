//! Networks and volumes through `docker-sdk`, against the real engine:
//! create with docker-py's options, get, list, connect and disconnect,
//! remove, and the typed errors of missing and in-use objects. Prunes run on
//! a throwaway daemon. Each test labels and names what it makes and removes
//! it, even when it fails.

use docker_sdk::networks::{IpamConfig, IpamPool};
use docker_sdk::{DockerClient, Environment, Error, Filters};
use docker_sdk_tests::daemon::{DaemonOptions, ThrowawayDaemon};
use docker_sdk_tests::{Cleanup, TEST_IMAGE, TEST_LABEL, docker, ensure_test_image, raw_client, unique_name};

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

fn label(test: &str) -> [(&'static str, &str); 1] {
    [(TEST_LABEL, test)]
}

#[tokio::test]
async fn networks_with_ipam_connect_and_disconnect_containers() -> TestResult {
    ensure_test_image(&raw_client()).await?;
    let docker = docker();
    let cleanup = Cleanup::new();
    let name = unique_name("net");
    // A subnet from the benchmarking range, unlikely to clash with another.
    let octet = std::process::id() % 200 + 20;
    let subnet = format!("198.18.{octet}.0/24");
    let network = docker
        .networks()
        .create(&name)
        .driver("bridge")
        .options([("com.docker.network.bridge.enable_icc", "true")])
        .ipam(
            IpamConfig::new().pool(
                IpamPool::new()
                    .subnet(&subnet)
                    .ip_range(format!("198.18.{octet}.128/25"))
                    .gateway(format!("198.18.{octet}.1"))
                    .aux_address("reserved", format!("198.18.{octet}.2")),
            ),
        )
        .internal(true)
        .attachable(true)
        .labels(label("networks"))
        .send()
        .await;
    let network = match network {
        Ok(network) => network,
        // Another run took the subnet: the engine says so plainly.
        Err(Error::Api {
            status: 403,
            explanation,
        }) if explanation.contains("overlap") => {
            eprintln!("skipping: {explanation}");
            return Ok(());
        }
        Err(error) => return Err(error.into()),
    };
    cleanup.network(network.id());
    assert_eq!(network.name(), Some(name.as_str()));
    assert!(network.attrs().internal);
    let ipam = network.attrs().ipam.clone().ok_or("ipam")?;
    let pool = ipam
        .config
        .unwrap_or_default()
        .into_iter()
        .next()
        .ok_or("a pool")?;
    assert_eq!(pool.subnet.as_deref(), Some(subnet.as_str()));
    let aux = pool.auxiliary_addresses.unwrap_or_default();
    assert_eq!(aux.get("reserved"), Some(&format!("198.18.{octet}.2")));

    let taken = docker
        .networks()
        .create(&name)
        .check_duplicate(true)
        .labels(label("networks"))
        .send()
        .await;
    if let Ok(duplicate) = &taken {
        // A facade built on API ≥ 1.47 models cannot ask a 1.41 engine to
        // check; the engine then makes a second network of the same name.
        cleanup.network(duplicate.id());
    }

    let container = docker
        .containers()
        .run(TEST_IMAGE)
        .name(unique_name("net-member"))
        .labels(label("networks"))
        .command(["sleep", "60"])
        .detach()
        .await?;
    cleanup.container(container.id());
    let address = format!("198.18.{octet}.200");
    network
        .connect(container.id())
        .aliases(["shop", "web"])
        .ipv4_address(&address)
        .send()
        .await?;
    let mut network = docker.networks().get(network.id()).verbose(true).await?;
    assert_eq!(network.container_ids(), vec![container.id().to_owned()]);
    let members = network.containers().await?;
    assert_eq!(members[0].id(), container.id());
    let inspect = docker.containers().get(container.id()).await?;
    let attrs = match inspect.attrs() {
        docker_sdk::ContainerAttrs::Inspect(inspect) => inspect.clone(),
        other => return Err(format!("expected an inspect, got {other:?}").into()),
    };
    let endpoints = attrs
        .network_settings
        .and_then(|s| s.networks)
        .unwrap_or_default();
    let endpoint = endpoints.get(&name).ok_or("the container is on the network")?;
    assert_eq!(endpoint.ip_address.as_deref(), Some(address.as_str()));
    let aliases = endpoint.aliases.clone().unwrap_or_default();
    assert!(aliases.contains(&"shop".to_owned()), "{aliases:?}");

    let twice = network.connect(container.id()).send().await;
    assert!(twice.is_err(), "connecting twice is refused: {twice:?}");
    let in_use = network.remove().await;
    assert!(
        matches!(
            in_use,
            Err(Error::Conflict { .. } | Error::Api { status: 403, .. })
        ),
        "{in_use:?}"
    );
    network.disconnect(container.id(), true).await?;
    network.reload().await?;
    assert!(network.container_ids().is_empty());
    let not_member = network.disconnect(container.id(), false).await;
    assert!(not_member.is_err(), "{not_member:?}");

    let listed = docker.networks().list().names([name.as_str()]).send().await?;
    assert!(listed.iter().any(|n| n.id() == network.id()), "listed by name");
    let by_id = docker
        .networks()
        .list()
        .ids([network.id()])
        .greedy(true)
        .send()
        .await?;
    assert_eq!(by_id.len(), 1);
    let labelled = docker
        .networks()
        .list()
        .filters(
            Filters::new()
                .add("label", format!("{TEST_LABEL}=networks"))
                .add("type", "custom"),
        )
        .send()
        .await?;
    assert!(labelled.iter().any(|n| n.id() == network.id()));

    network.remove().await?;
    let gone = docker.networks().get(network.id()).await;
    assert!(matches!(gone, Err(Error::NotFound { .. })), "{gone:?}");
    let again = network.remove().await;
    assert!(matches!(again, Err(Error::NotFound { .. })), "{again:?}");
    let missing = network.connect(container.id()).send().await;
    assert!(matches!(missing, Err(Error::NotFound { .. })), "{missing:?}");
    let bad_label = docker.networks().create("x").labels([("", "v")]).send().await;
    assert!(
        matches!(bad_label, Err(Error::InvalidArgument { .. })),
        "{bad_label:?}"
    );
    Ok(())
}

#[tokio::test]
async fn volumes_create_get_list_and_remove() -> TestResult {
    ensure_test_image(&raw_client()).await?;
    let docker = docker();
    let cleanup = Cleanup::new();
    let name = unique_name("vol");
    let volume = docker
        .volumes()
        .create()
        .name(&name)
        .driver("local")
        .driver_opts([("type", "tmpfs"), ("device", "tmpfs"), ("o", "size=1m")])
        .labels(label("volumes"))
        .send()
        .await?;
    cleanup.volume(volume.name());
    assert_eq!(volume.name(), name);
    assert_eq!(volume.id(), name);
    assert_eq!(
        volume.labels().get(TEST_LABEL).map(String::as_str),
        Some("volumes")
    );
    let options = volume.attrs().options.clone().unwrap_or_default();
    assert_eq!(options.get("type").map(String::as_str), Some("tmpfs"));

    let anonymous = docker.volumes().create().labels(label("volumes")).send().await?;
    cleanup.volume(anonymous.name());
    assert_eq!(anonymous.name().len(), 64, "the engine names it");

    let mut fetched = docker.volumes().get(&name).await?;
    fetched.reload().await?;
    assert_eq!(fetched.attrs().mountpoint, volume.attrs().mountpoint);
    let listed = docker
        .volumes()
        .list([("label", format!("{TEST_LABEL}=volumes"))])
        .await?;
    let names: Vec<&str> = listed.iter().map(|v| v.name()).collect();
    assert!(
        names.contains(&name.as_str()) && names.contains(&anonymous.name()),
        "{names:?}"
    );
    let by_name = docker.volumes().list([("name", name.as_str())]).await?;
    assert_eq!(by_name.len(), 1);

    let container = docker
        .containers()
        .create(TEST_IMAGE)
        .name(unique_name("vol-user"))
        .labels(label("volumes"))
        .volumes([format!("{name}:/data")])
        .command("true")
        .send()
        .await?;
    cleanup.container(container.id());
    let in_use = volume.remove(false).await;
    assert!(matches!(in_use, Err(Error::Conflict { .. })), "{in_use:?}");
    container.remove().force(true).send().await?;

    volume.remove(false).await?;
    anonymous.remove(true).await?;
    let gone = docker.volumes().get(&name).await;
    assert!(matches!(gone, Err(Error::NotFound { .. })), "{gone:?}");
    let again = volume.remove(false).await;
    assert!(matches!(again, Err(Error::NotFound { .. })), "{again:?}");
    let bad_filter = docker.volumes().list([("no-such-filter", "x")]).await;
    assert!(
        matches!(bad_filter, Err(Error::Api { status: 400, .. })),
        "{bad_filter:?}"
    );
    Ok(())
}

#[tokio::test]
async fn prunes_remove_unused_networks_and_volumes_on_a_throwaway_daemon() -> TestResult {
    let daemon = tokio::task::spawn_blocking(|| ThrowawayDaemon::start(DaemonOptions::default())).await??;
    let environment: Environment = [("DOCKER_HOST", daemon.unix_url())].into_iter().collect();
    let docker = DockerClient::builder().from_environment(environment).build()?;
    let kept = docker
        .networks()
        .create("kept")
        .labels([("keep", "yes")])
        .send()
        .await?;
    let unused = docker.networks().create("unused").send().await?;
    let pruned = docker.networks().prune([("label!", "keep=yes")]).await?;
    assert_eq!(pruned, vec!["unused".to_owned()]);
    assert!(docker.networks().get(kept.id()).await.is_ok());
    assert!(docker.networks().get(unused.id()).await.is_err());

    let anonymous = docker.volumes().create().send().await?;
    let pruned = docker.volumes().prune(Filters::new()).await?;
    assert_eq!(pruned.deleted, vec![anonymous.name().to_owned()]);
    Ok(())
}
