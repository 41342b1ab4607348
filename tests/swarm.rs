//! The swarm family through `docker-sdk`, on a real multi-node swarm: three
//! throwaway `dockerd`s, each in a network namespace of its own, never the
//! machine's engine. One manager inits the swarm, two workers join, one is
//! promoted; then services, nodes, tasks, secrets and configs are driven
//! through their lifecycles, and the swarm itself is updated and left.

use std::collections::HashSet;
use std::future::Future;
use std::time::{Duration, Instant};

use docker_sdk::api::types;
use docker_sdk::nodes::Availability;
use docker_sdk::services::{FileReference, ServiceMode, ServiceRestartPolicy, UpdateConfig};
use docker_sdk::swarm::NodeRole;
use docker_sdk::{DockerClient, Environment, Error};
use docker_sdk_tests::cluster::Cluster;
use docker_sdk_tests::{TEST_IMAGE, TEST_LABEL, ensure_test_image, unique_name};

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A client of one cluster node.
fn client_of(socket: &std::path::Path) -> Result<DockerClient, Error> {
    let environment: Environment = [("DOCKER_HOST", format!("unix://{}", socket.display()))]
        .into_iter()
        .collect();
    DockerClient::builder().from_environment(environment).build()
}

/// Polls `check` until it says yes, or fails naming `what`.
async fn eventually<F, Fut>(what: &str, limit: Duration, mut check: F) -> TestResult
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<bool, BoxError>>,
{
    let started = Instant::now();
    loop {
        if check().await? {
            return Ok(());
        }
        if started.elapsed() > limit {
            return Err(format!("{what}: not so after {limit:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// The running tasks of a service, by node id.
async fn running_tasks(service: &docker_sdk::Service) -> Result<Vec<types::Task>, BoxError> {
    let tasks = service.tasks([("desired-state", "running")]).await?;
    Ok(tasks
        .into_iter()
        .filter(|t| {
            let state = t.status.as_ref().and_then(|s| s.state.as_ref());
            state.is_some_and(|s| s.to_string() == "running")
        })
        .collect())
}

fn nodes_of(tasks: &[types::Task]) -> HashSet<String> {
    tasks.iter().filter_map(|t| t.node_id.clone()).collect()
}

#[test]
fn a_three_node_swarm_runs_scales_drains_and_rolls_a_service() -> TestResult {
    // In a debug build this scenario needs more than a test thread's 2 MiB
    // of stack (since string enums hold a `String`; not yet traced to one
    // call), so it runs on a thread with a main thread's 8 MiB.
    std::thread::Builder::new()
        .name("swarm".into())
        .stack_size(8 << 20)
        .spawn(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?
                .block_on(three_node_swarm())
        })?
        .join()
        .map_err(|_| "the swarm scenario panicked")?
}

async fn three_node_swarm() -> TestResult {
    let started = Instant::now();
    let cluster = tokio::task::spawn_blocking(|| Cluster::start(3)).await??;
    let clients: Vec<DockerClient> = cluster
        .nodes
        .iter()
        .map(|n| client_of(&n.daemon.socket))
        .collect::<Result<_, _>>()?;
    // No registry: every node builds the test image itself.
    for node in &cluster.nodes {
        ensure_test_image(&docker_engine_api::v1_41::Client::connect_unix(
            &node.daemon.socket,
        )?)
        .await?;
    }
    eprintln!("cluster up and seeded in {:?}", started.elapsed());

    // Init on the first node, join the other two as workers.
    let manager = &clients[0];
    let manager_addr = &cluster.nodes[0].addr;
    let not_in_swarm = manager.swarm().inspect().await;
    assert!(
        matches!(not_in_swarm, Err(Error::Api { status: 503, .. })),
        "{not_in_swarm:?}"
    );
    let manager_id = manager
        .swarm()
        .init()
        .advertise_addr(manager_addr.as_str())
        .listen_addr(format!("{manager_addr}:2377"))
        .spec(|spec| {
            spec.name("default")
                .labels([(TEST_LABEL, "swarm")])
                .task_history_retention_limit(2)
                .snapshot_interval(5000)
                .dispatcher_heartbeat_period(Duration::from_secs(2))
        })
        .send()
        .await?;
    let again = manager
        .swarm()
        .init()
        .advertise_addr(manager_addr.as_str())
        .send()
        .await;
    assert!(matches!(again, Err(Error::Api { status: 503, .. })), "{again:?}");
    let swarm = manager.swarm().inspect().await?;
    let spec = swarm.spec.clone().unwrap_or_default();
    assert_eq!(
        spec.orchestration.and_then(|o| o.task_history_retention_limit),
        Some(2)
    );
    assert_eq!(
        spec.dispatcher.and_then(|d| d.heartbeat_period),
        Some(2_000_000_000)
    );
    let worker_token = manager.swarm().join_token(NodeRole::Worker).await?;
    assert!(
        !format!("{worker_token:?}").contains(worker_token.expose()),
        "tokens stay out of Debug"
    );

    let bad_token = clients[1]
        .swarm()
        .join([format!("{manager_addr}:2377")], "SWMTKN-1-not-a-token")
        .advertise_addr(cluster.nodes[1].addr.as_str())
        .send()
        .await;
    assert!(bad_token.is_err(), "a made-up token is refused: {bad_token:?}");
    for (client, node) in clients[1..].iter().zip(&cluster.nodes[1..]) {
        client
            .swarm()
            .join([format!("{manager_addr}:2377")], worker_token.expose())
            .advertise_addr(node.addr.as_str())
            .listen_addr(format!("{}:2377", node.addr))
            .send()
            .await?;
    }
    let mut node_ids = Vec::new();
    for client in &clients {
        let info = client.info().await?;
        node_ids.push(info.swarm.map(|s| s.node_id).unwrap_or_default());
    }
    assert_eq!(node_ids[0], manager_id);
    eventually("three ready nodes", Duration::from_secs(60), || async {
        let nodes = manager.nodes().list(docker_sdk::Filters::new()).await?;
        Ok(nodes.len() == 3 && nodes.iter().all(|n| n.state().as_deref() == Some("ready")))
    })
    .await?;
    let workers = manager.nodes().list([("role", "worker")]).await?;
    assert_eq!(workers.len(), 2);
    let missing = manager.nodes().get("no-such-node").await;
    assert!(matches!(missing, Err(Error::NotFound { .. })), "{missing:?}");

    // Promote the third node, and label it.
    let third = manager.nodes().get(&node_ids[2]).await?;
    third
        .update()
        .role(NodeRole::Manager)
        .labels([("zone", "c")])
        .send()
        .await?;
    // A promoted node's object changes again as it becomes a reachable
    // manager; an update in between would be out of sequence.
    eventually(
        "the third node a reachable manager",
        Duration::from_secs(60),
        || async {
            let node = manager.nodes().get(&node_ids[2]).await?;
            let reachability = node
                .attrs()
                .manager_status
                .as_ref()
                .and_then(|m| m.reachability.as_ref())
                .map(ToString::to_string);
            Ok(reachability.as_deref() == Some("reachable"))
        },
    )
    .await?;
    let third = manager.nodes().get(&node_ids[2]).await?;
    assert_eq!(third.role(), Some(NodeRole::Manager));
    let labels = third
        .attrs()
        .spec
        .as_ref()
        .and_then(|s| s.labels.clone())
        .unwrap_or_default();
    assert_eq!(labels.get("zone").map(String::as_str), Some("c"));
    third.update().name("third").send().await?;
    let stale = third.update().name("stale").send().await;
    assert!(
        stale.is_err(),
        "an update naming an old version is refused: {stale:?}"
    );
    eventually("two managers reachable", Duration::from_secs(60), || async {
        let managers = manager.nodes().list([("role", "manager")]).await?;
        Ok(managers.len() == 2
            && managers.iter().all(|m| {
                let status = m.attrs().manager_status.as_ref();
                let reachability = status.and_then(|s| s.reachability.as_ref());
                reachability.is_some_and(|r| r.to_string() == "reachable")
            }))
    })
    .await?;
    eprintln!("swarm of three formed in {:?}", started.elapsed());

    // A replicated service of six tasks spreads over the three nodes.
    let name = unique_name("swarm-web");
    let service = manager
        .services()
        .create(TEST_IMAGE)
        .name(&name)
        .labels([(TEST_LABEL, "swarm")])
        .command(["sleep", "3600"])
        .mode(ServiceMode::Replicated(6))
        .restart_policy(ServiceRestartPolicy::new("any").delay(Duration::from_millis(100)))
        .update_config(UpdateConfig::new().parallelism(2).order("stop-first"))
        .stop_grace_period(Duration::from_secs(1))
        .env([("VERSION", "1")])
        .send()
        .await?;
    assert_eq!(service.name(), Some(name.as_str()));
    assert_eq!(service.replicas(), Some(6));
    let taken = manager.services().create(TEST_IMAGE).name(&name).send().await;
    assert!(matches!(taken, Err(Error::Conflict { .. })), "{taken:?}");
    let bad = manager
        .services()
        .create(TEST_IMAGE)
        .update_config(UpdateConfig::new().order("sideways"))
        .send()
        .await;
    assert!(matches!(bad, Err(Error::InvalidArgument { .. })), "{bad:?}");
    eventually(
        "six tasks running on three nodes",
        Duration::from_secs(120),
        || async {
            let tasks = running_tasks(&service).await?;
            Ok(tasks.len() == 6 && nodes_of(&tasks).len() == 3)
        },
    )
    .await?;
    eprintln!("six tasks on three nodes after {:?}", started.elapsed());

    // Draining a worker moves its tasks to the other two.
    let drained = manager.nodes().get(&node_ids[1]).await?;
    drained.update().availability(Availability::Drain).send().await?;
    eventually(
        "tasks rescheduled off the drained node",
        Duration::from_secs(120),
        || async {
            let tasks = running_tasks(&service).await?;
            let nodes = nodes_of(&tasks);
            Ok(tasks.len() == 6 && !nodes.contains(&node_ids[1]) && nodes.len() == 2)
        },
    )
    .await?;
    let drained = manager.nodes().get(&node_ids[1]).await?;
    assert_eq!(drained.availability(), Some(Availability::Drain));
    drained.update().availability(Availability::Active).send().await?;

    // Scale to one and back to six.
    let mut service = manager.services().get(&name).await?;
    service.scale(1).await?;
    eventually("one task", Duration::from_secs(60), || async {
        Ok(running_tasks(&service).await?.len() == 1)
    })
    .await?;
    service.reload().await?;
    assert_eq!(service.replicas(), Some(1));
    service.scale(6).await?;
    eventually("six tasks again", Duration::from_secs(120), || async {
        Ok(running_tasks(&service).await?.len() == 6)
    })
    .await?;

    // A rolling update, two tasks at a time.
    service.reload().await?;
    let before = service.version();
    service.update().env([("VERSION", "2")]).send().await?;
    let stale = service.update().env([("VERSION", "3")]).send().await;
    assert!(
        stale.is_err(),
        "an update naming an old version is refused: {stale:?}"
    );
    eventually("the update rolled out", Duration::from_secs(180), || async {
        let fresh = manager.services().get(&name).await?;
        let state = fresh
            .attrs()
            .update_status
            .as_ref()
            .and_then(|u| u.state.as_ref());
        let completed = state.is_some_and(|s| s.to_string() == "completed");
        let tasks = running_tasks(&fresh).await?;
        let updated = tasks.iter().all(|t| {
            let spec = t.spec.as_ref().and_then(|s| s.container_spec.as_ref());
            let env = spec.and_then(|c| c.env.clone()).unwrap_or_default();
            env.contains(&"VERSION=2".to_owned())
        });
        Ok(completed && tasks.len() == 6 && updated)
    })
    .await?;
    service.reload().await?;
    assert!(service.version() > before);
    service.force_update().await?;
    service.reload().await?;
    let force = service
        .attrs()
        .spec
        .as_ref()
        .and_then(|s| s.task_template.as_ref())
        .and_then(|t| t.force_update);
    assert_eq!(force, Some(1));
    eprintln!("scaled, drained and rolled by {:?}", started.elapsed());
    service.remove().await?;
    let gone = manager.services().get(&name).await;
    assert!(matches!(gone, Err(Error::NotFound { .. })), "{gone:?}");

    secrets_configs_and_logs(manager).await?;
    swarm_updates_and_autolock(manager).await?;

    // Leave: workers first; the last manager must force it.
    clients[1].swarm().leave(false).await?;
    let refused = manager.swarm().leave(false).await;
    assert!(
        matches!(refused, Err(Error::Api { status: 503, .. })),
        "{refused:?}"
    );
    manager.swarm().leave(true).await?;
    clients[2].swarm().leave(true).await?;
    eprintln!("whole swarm test: {:?}", started.elapsed());
    Ok(())
}

/// Secrets and configs, mounted into a service whose logs show them.
async fn secrets_configs_and_logs(manager: &DockerClient) -> TestResult {
    let secret_name = unique_name("swarm-secret");
    let secret = manager
        .secrets()
        .create(&secret_name, b"s3cret-data".to_vec())
        .labels([(TEST_LABEL, "swarm")])
        .send()
        .await?;
    assert_eq!(secret.name(), Some(secret_name.as_str()));
    let builder_debug = format!("{:?}", manager.secrets().create("x", b"hidden-bytes".to_vec()));
    assert!(!builder_debug.contains("hidden-bytes"), "{builder_debug}");
    assert!(
        secret
            .attrs()
            .spec
            .as_ref()
            .and_then(|s| s.data.as_ref())
            .is_none()
    );
    let taken = manager
        .secrets()
        .create(&secret_name, b"other".to_vec())
        .send()
        .await;
    assert!(matches!(taken, Err(Error::Conflict { .. })), "{taken:?}");
    let listed = manager.secrets().list([("name", secret_name.as_str())]).await?;
    assert_eq!(listed.len(), 1);
    let missing = manager.secrets().get("no-such-secret").await;
    assert!(matches!(missing, Err(Error::NotFound { .. })), "{missing:?}");

    let config_name = unique_name("swarm-config");
    let mut config = manager
        .configs()
        .create(&config_name, "setting = on\n")
        .labels([(TEST_LABEL, "swarm")])
        .send()
        .await?;
    config.reload().await?;
    assert_eq!(config.labels().get(TEST_LABEL).map(String::as_str), Some("swarm"));
    assert_eq!(
        manager
            .configs()
            .list([("name", config_name.as_str())])
            .await?
            .len(),
        1
    );

    let name = unique_name("swarm-files");
    let service = manager
        .services()
        .create(TEST_IMAGE)
        .name(&name)
        .command([
            "sh",
            "-c",
            "cat /run/secrets/pw /etc/app.conf; echo to-stderr >&2; sleep 3600",
        ])
        .secrets([FileReference::new(secret.id(), &secret_name).filename("pw")])
        .configs([FileReference::new(config.id(), &config_name).filename("/etc/app.conf")])
        .constraints(["node.role == manager"])
        .send()
        .await?;
    let in_use = secret.remove().await;
    assert!(in_use.is_err(), "a secret in use stays: {in_use:?}");
    let waiting = Instant::now();
    let logs = loop {
        let logs = service.logs().stream().await?.demux().await?;
        if String::from_utf8_lossy(&logs.stdout).contains("setting = on") {
            break logs;
        }
        if waiting.elapsed() > Duration::from_secs(90) {
            return Err(format!("the service's logs never showed the files: {logs:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let stdout = String::from_utf8_lossy(&logs.stdout);
    assert!(stdout.contains("s3cret-data"), "{stdout}");
    assert!(
        String::from_utf8_lossy(&logs.stderr).contains("to-stderr"),
        "stderr is demuxed apart"
    );
    service.remove().await?;
    eventually("the secret can go", Duration::from_secs(60), || async {
        Ok(secret.remove().await.is_ok())
    })
    .await?;
    config.remove().await?;
    let gone = manager.configs().get(config.id()).await;
    assert!(matches!(gone, Err(Error::NotFound { .. })), "{gone:?}");
    Ok(())
}

/// Token rotation, spec changes that keep the rest, and autolock.
async fn swarm_updates_and_autolock(manager: &DockerClient) -> TestResult {
    let swarm = manager.swarm();
    let before = swarm.join_token(NodeRole::Worker).await?;
    let version = swarm.version().await?;
    swarm
        .update()
        .rotate_worker_token(true)
        .spec(|s| s.snapshot_interval(6000))
        .send()
        .await?;
    let after = swarm.join_token(NodeRole::Worker).await?;
    assert_ne!(before.expose(), after.expose(), "the worker token rotated");
    assert!(swarm.version().await? > version);
    let spec = swarm.inspect().await?.spec.unwrap_or_default();
    assert_eq!(spec.raft.and_then(|r| r.snapshot_interval), Some(6000));
    let kept = spec.orchestration.and_then(|o| o.task_history_retention_limit);
    assert_eq!(kept, Some(2), "what was not set is kept");

    assert!(swarm.unlock_key().await?.is_none(), "no key before autolock");
    swarm.update().spec(|s| s.autolock_managers(true)).send().await?;
    let key = swarm.unlock_key().await?.ok_or("autolock gives a key")?;
    assert!(key.expose().starts_with("SWMKEY-"), "an unlock key");
    assert!(!format!("{key:?}").contains(key.expose()));
    let empty = swarm.unlock(&docker_sdk::Secret::from("")).await;
    assert!(matches!(empty, Err(Error::InvalidArgument { .. })), "{empty:?}");
    swarm.update().spec(|s| s.autolock_managers(false)).send().await?;
    Ok(())
}
