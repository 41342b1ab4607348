//! Load: one client shared by 64 tasks making over 20,000 mixed calls (list,
//! inspect, create and remove) on the real engine, with no error, and with
//! no file descriptors or memory left growing afterwards.
//!
//! The calls run in three rounds: a warm-up that fills the connection pool
//! and the allocator's arenas, then two equal rounds. What a leak would
//! show is growth from one equal round to the next, so that is what the
//! test bounds; the figures are printed for the record. This is the only
//! test in its binary, so the process's descriptors are the client's.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use docker_sdk::{Container, DockerClient};
use docker_sdk_tests::{
    Cleanup, TEST_IMAGE, TEST_LABEL, docker, ensure_test_image, raw_client, test_labels, unique_name,
};

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

const TASKS: usize = 64;
const TEST: &str = "load";

/// Descriptors a round may leave beyond the last one (the pool can hold a
/// connection more or less as tasks finish at different times).
const FD_SLACK: usize = 8;
/// Memory a round may add beyond the last one.
const RSS_SLACK: u64 = 16 << 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_tasks_share_one_client_for_20000_calls() -> TestResult {
    ensure_test_image(&raw_client()).await?;
    let docker = docker();
    // This run's own label: a failed round drops its tasks mid-create, and
    // the sweep below must find what they made.
    let run = unique_name(TEST);
    let outcome = load(&docker, &run).await;
    let swept = sweep(&docker, &run).await;
    outcome?;
    swept
}

async fn load(docker: &DockerClient, run: &str) -> TestResult {
    let cleanup = Cleanup::new();
    // Containers to inspect, so inspects hit real objects.
    let mut targets = Vec::new();
    for _ in 0..4 {
        let container = docker
            .containers()
            .create(TEST_IMAGE)
            .name(unique_name(TEST))
            .labels(test_labels(run))
            .send()
            .await?;
        cleanup.container(container.id());
        targets.push(container.id().to_owned());
    }
    let targets = Arc::new(targets);

    let warm = round(docker, run, &targets, 2_000).await?;
    let (fds_warm, rss_warm) = (open_fds()?, rss()?);
    let first = round(docker, run, &targets, 9_000).await?;
    let (fds_first, rss_first) = (open_fds()?, rss()?);
    let second = round(docker, run, &targets, 9_000).await?;
    let (fds_second, rss_second) = (open_fds()?, rss()?);

    println!(
        "calls: {} (creates {}); fds {fds_warm} -> {fds_first} -> {fds_second}; RSS {} -> {} -> {} KiB",
        warm.calls + first.calls + second.calls,
        warm.creates + first.creates + second.creates,
        rss_warm >> 10,
        rss_first >> 10,
        rss_second >> 10,
    );
    assert!(warm.calls + first.calls + second.calls >= 20_000);
    assert!(
        fds_second <= fds_first + FD_SLACK && fds_first <= fds_warm + FD_SLACK,
        "descriptors keep growing: {fds_warm} -> {fds_first} -> {fds_second}"
    );
    assert!(
        rss_second <= rss_first + RSS_SLACK,
        "memory keeps growing: {rss_first} -> {rss_second} bytes"
    );
    // Every container a round made, it removed: only the targets are left.
    let labelled = labelled(docker, run).await?;
    assert_eq!(
        labelled.len(),
        targets.len(),
        "containers of the load left behind"
    );
    Ok(())
}

async fn labelled(docker: &DockerClient, run: &str) -> Result<Vec<Container>, docker_sdk::Error> {
    docker
        .containers()
        .list()
        .all(true)
        .sparse(true)
        .filters([("label", format!("{TEST_LABEL}={run}").as_str())])
        .send()
        .await
}

/// Removes whatever carries this run's label.
async fn sweep(docker: &DockerClient, run: &str) -> TestResult {
    for container in labelled(docker, run).await? {
        container.remove().force(true).send().await?;
    }
    Ok(())
}

/// What a round did.
struct Round {
    calls: usize,
    creates: usize,
}

/// `operations` operations spread over [`TASKS`] tasks sharing `docker`:
/// per 50, one create with its remove (two calls), 16 lists and 33
/// inspects.
async fn round(
    docker: &DockerClient,
    run: &str,
    targets: &Arc<Vec<String>>,
    operations: usize,
) -> Result<Round, docker_sdk::Error> {
    let next = Arc::new(AtomicUsize::new(0));
    let calls = Arc::new(AtomicUsize::new(0));
    let creates = Arc::new(AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..TASKS {
        let (docker, targets, run) = (docker.clone(), targets.clone(), run.to_owned());
        let (next, calls, creates) = (next.clone(), calls.clone(), creates.clone());
        tasks.spawn(async move {
            loop {
                let operation = next.fetch_add(1, Ordering::Relaxed);
                if operation >= operations {
                    return Ok::<_, docker_sdk::Error>(());
                }
                match operation % 50 {
                    0 => {
                        let container: Container = docker
                            .containers()
                            .create(TEST_IMAGE)
                            .name(unique_name(TEST))
                            .labels(test_labels(&run))
                            .send()
                            .await?;
                        container.remove().force(true).send().await?;
                        calls.fetch_add(2, Ordering::Relaxed);
                        creates.fetch_add(1, Ordering::Relaxed);
                    }
                    n if n % 3 == 0 => {
                        docker.containers().list().all(true).sparse(true).send().await?;
                        calls.fetch_add(1, Ordering::Relaxed);
                    }
                    n => {
                        docker.containers().get(&targets[n % targets.len()]).await?;
                        calls.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        });
    }
    while let Some(outcome) = tasks.join_next().await {
        outcome.map_err(|e| docker_sdk::Error::Stream {
            operation: "load task",
            message: e.to_string(),
        })??;
    }
    Ok(Round {
        calls: calls.load(Ordering::Relaxed),
        creates: creates.load(Ordering::Relaxed),
    })
}

fn open_fds() -> std::io::Result<usize> {
    Ok(std::fs::read_dir("/proc/self/fd")?.count())
}

fn rss() -> Result<u64, Box<dyn std::error::Error + Send + Sync>> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let kib = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .ok_or("no VmRSS in /proc/self/status")?;
    Ok(kib.parse::<u64>()? << 10)
}
