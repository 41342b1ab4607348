//! Containers through `docker-sdk`, against the real engine: run and create
//! with docker-py's keywords, every container method, and the streams
//! (logs, attach, exec, stats, archives). Each test labels and names what
//! it makes and removes it, even when it fails.

use std::io::{Read, Write};
use std::time::Duration;

use docker_sdk::api::types::ContainerWaitCondition;
use docker_sdk::convert::{HostPort, VolumeBind};
use docker_sdk::stream::LogOutput;
use docker_sdk::{Container, DockerClient, Environment, Error};
use docker_sdk_tests::daemon::{DaemonOptions, ThrowawayDaemon};
use docker_sdk_tests::{
    Cleanup, TEST_IMAGE, docker, ensure_test_image, raw_client, test_labels, unique_name,
};
use futures::{StreamExt, TryStreamExt};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

async fn setup() -> Result<(DockerClient, Cleanup), Box<dyn std::error::Error + Send + Sync>> {
    ensure_test_image(&raw_client()).await?;
    Ok((docker(), Cleanup::new()))
}

/// A detached container running `command`, labelled for `test`.
async fn running(
    docker: &DockerClient,
    cleanup: &Cleanup,
    test: &str,
    command: &[&str],
) -> Result<Container, Error> {
    let container = docker
        .containers()
        .run(TEST_IMAGE)
        .name(unique_name(test))
        .labels(test_labels(test))
        .command(command.to_vec())
        .detach()
        .await?;
    cleanup.container(container.id());
    Ok(container)
}

#[tokio::test]
async fn run_with_ports_and_a_bind_mount_then_inspect() -> TestResult {
    let (docker, cleanup) = setup().await?;
    let dir = tempfile::tempdir()?;
    std::fs::write(dir.path().join("hello.txt"), "from the host\n")?;
    let host_dir = dir.path().to_str().ok_or("temp dir is not UTF-8")?;
    let mut container = docker
        .containers()
        .run(TEST_IMAGE)
        .name(unique_name("ports"))
        .labels(test_labels("ports"))
        .command(["sleep", "60"])
        .port("80/tcp", ("127.0.0.1",))
        .port(8080, HostPort::Random)
        .port("53/udp", vec![HostPort::Random, HostPort::Random])
        .volume(host_dir, VolumeBind::new("/data").read_only(true))
        .environment([("GREETING", "hi")])
        .mem_limit("64m")
        .detach()
        .await?;
    cleanup.container(container.id());

    let docker_sdk::ContainerAttrs::Inspect(inspect) = container.attrs() else {
        return Err("run should inspect the container".into());
    };
    let host_config = inspect.host_config.as_ref().ok_or("no HostConfig")?;
    assert_eq!(host_config.memory, 64 * 1024 * 1024);
    assert_eq!(
        host_config.binds.as_deref(),
        Some(&[format!("{host_dir}:/data:ro")][..])
    );
    let bindings = host_config.port_bindings.as_ref().ok_or("no PortBindings")?;
    let web = bindings
        .get("80/tcp")
        .cloned()
        .flatten()
        .ok_or("80/tcp not bound")?;
    assert_eq!(web[0].host_ip.as_deref(), Some("127.0.0.1"));
    assert_eq!(
        bindings.get("53/udp").cloned().flatten().map(|b| b.len()),
        Some(2)
    );
    let env = inspect
        .config
        .as_ref()
        .and_then(|c| c.env.clone())
        .unwrap_or_default();
    assert!(env.contains(&"GREETING=hi".to_owned()), "{env:?}");

    container.reload().await?; // ports are published once it has started
    let ports = container.ports();
    let published = ports
        .get("80/tcp")
        .and_then(|b| b.first())
        .ok_or("80/tcp not published")?;
    let host_port: u16 = published.host_port.as_deref().unwrap_or_default().parse()?;
    assert!(host_port > 0);
    assert!(ports.contains_key("8080/tcp"));

    let read = container.exec_run("cat /data/hello.txt").send().await?;
    assert_eq!((read.exit_code, read.output), (0, b"from the host\n".to_vec()));
    let write = container.exec_run("touch /data/nope").demux().await?;
    assert_ne!(write.exit_code, 0, "the bind is read-only");
    assert!(String::from_utf8_lossy(&write.output.stderr).contains("Read-only"));
    Ok(())
}

#[tokio::test]
async fn run_returns_output_and_fails_with_container_error() -> TestResult {
    let (docker, cleanup) = setup().await?;
    let labels = test_labels("run-output");
    let run = || {
        docker
            .containers()
            .run(TEST_IMAGE)
            .labels(labels.clone())
            .remove(true)
    };

    let stdout = run().command("sh -c 'echo out; echo err >&2'").send().await?;
    assert_eq!(stdout, b"out\n");
    let both = run()
        .command(["sh", "-c", "echo out; sleep 0.1; echo err >&2"])
        .stderr(true)
        .send()
        .await?;
    assert_eq!(both, b"out\nerr\n");
    let neither = run().command("echo quiet").stdout(false).send().await?;
    assert!(neither.is_empty());

    let failure = run().command(["sh", "-c", "echo boom >&2; exit 3"]).send().await;
    let Err(Error::Container(error)) = failure else {
        return Err(format!("expected a ContainerError, got {failure:?}").into());
    };
    cleanup.container(&error.container);
    assert_eq!(error.exit_status, 3);
    assert_eq!(error.stderr, "boom\n");
    assert_eq!(error.image, TEST_IMAGE);
    assert!(error.command.contains("exit 3"), "{}", error.command);
    assert!(error.to_string().contains("returned non-zero exit status 3"));

    // `remove` removed every one of them, the failed one too.
    let left = docker
        .containers()
        .list()
        .all(true)
        .filters([("label", "docker-sdk-test=run-output")])
        .send()
        .await?;
    assert!(
        left.is_empty(),
        "left behind: {:?}",
        left.iter().map(|c| c.id()).collect::<Vec<_>>()
    );

    // Without `remove` the container stays, as in docker-py.
    let kept = docker
        .containers()
        .run(TEST_IMAGE)
        .name(unique_name("run-kept"))
        .labels(test_labels("run-kept"))
        .command("true")
        .send()
        .await?;
    assert!(kept.is_empty());
    let kept = docker
        .containers()
        .list()
        .all(true)
        .filters([("label", "docker-sdk-test=run-kept")])
        .send()
        .await?;
    for container in &kept {
        cleanup.container(container.id());
    }
    assert!(!kept.is_empty());
    Ok(())
}

#[tokio::test]
async fn a_missing_image_is_image_not_found() -> TestResult {
    let docker = docker();
    let outcome = docker
        .containers()
        .create("docker-sdk-test/no-such-image:never")
        .labels(test_labels("missing-image"))
        .send()
        .await;
    assert!(matches!(outcome, Err(Error::ImageNotFound { .. })), "{outcome:?}");
    Ok(())
}

#[tokio::test]
async fn logs_are_demultiplexed_exactly() -> TestResult {
    let (docker, cleanup) = setup().await?;
    let script = "i=0; while [ $i -lt 3000 ]; do echo \"out $i\"; echo \"err $i\" >&2; i=$((i+1)); done; \
                  printf 'bin\\000\\001\\177'";
    let container = running(&docker, &cleanup, "logs", &["sh", "-c", script]).await?;
    container.wait().send().await?;

    let mut stdout: Vec<u8> = (0..3000)
        .flat_map(|i| format!("out {i}\n").into_bytes())
        .collect();
    // The json-file driver stores lines as JSON strings: bytes that are not
    // UTF-8 come back as U+FFFD, so the binary tail here is valid UTF-8.
    // Exec output is not stored, and round-trips any byte (see the exec test).
    stdout.extend_from_slice(b"bin\x00\x01\x7f");
    let stderr: Vec<u8> = (0..3000)
        .flat_map(|i| format!("err {i}\n").into_bytes())
        .collect();

    let demuxed = container.logs().stream().await?.demux().await?;
    assert_eq!(demuxed.stdout, stdout);
    assert_eq!(demuxed.stderr, stderr);

    let only_err = container.logs().stdout(false).send().await?;
    assert_eq!(only_err, stderr);
    // `tail` counts lines of both streams, before stdout is left out.
    let last = container.logs().tail(10).send().await?;
    assert!(last.windows(6).any(|w| w == b"bin\x00\x01\x7f"), "{last:?}");
    assert!(
        last.iter().filter(|b| **b == b'\n').count() <= 10,
        "tail(10) gave more"
    );
    // (stdout and stderr are separate pipes: their lines interleave in the
    // log in no fixed order, so only stderr's own order is checked.)
    let stamped = container.logs().stdout(false).timestamps(true).send().await?;
    let stamped = String::from_utf8(stamped)?;
    let last_line = stamped.lines().last().unwrap_or_default();
    assert!(
        last_line.ends_with("Z err 2999") && last_line.starts_with("20"),
        "{stamped}"
    );

    // The stream form keeps each piece's origin.
    let mut pieces = container.logs().stream().await?;
    let (mut seen_stdout, mut seen_stderr) = (false, false);
    while let Some(piece) = pieces.try_next().await? {
        seen_stdout |= matches!(piece, LogOutput::StdOut(_));
        seen_stderr |= matches!(piece, LogOutput::StdErr(_));
    }
    assert!(seen_stdout && seen_stderr);
    Ok(())
}

#[tokio::test]
async fn a_tty_containers_output_is_raw_and_resizable() -> TestResult {
    let (docker, cleanup) = setup().await?;
    let container = docker
        .containers()
        .run(TEST_IMAGE)
        .name(unique_name("tty"))
        .labels(test_labels("tty"))
        .tty(true)
        .command(["sh", "-c", "echo tty-out; echo tty-err >&2; sleep 30"])
        .detach()
        .await?;
    cleanup.container(container.id());
    container.resize(40, 120).await?;
    let mut logs = container.logs().follow(true).stream().await?;
    let mut seen = Vec::new();
    while !seen.ends_with(b"tty-err\r\n") {
        let piece = tokio::time::timeout(Duration::from_secs(20), logs.try_next())
            .await??
            .ok_or("the log ended early")?;
        assert!(matches!(piece, LogOutput::Console(_)), "{piece:?}");
        seen.extend_from_slice(piece.as_bytes());
    }
    assert_eq!(seen, b"tty-out\r\ntty-err\r\n");
    drop(logs);
    container.kill(None).await?;
    Ok(())
}

#[tokio::test]
async fn exec_runs_with_exit_codes_and_demux() -> TestResult {
    let (docker, cleanup) = setup().await?;
    let container = running(&docker, &cleanup, "exec", &["sleep", "60"]).await?;

    let result = container
        .exec_run(["sh", "-c", "echo o; echo e >&2; echo $WHO in $PWD; exit 5"])
        .environment(["WHO=me"])
        .workdir("/tmp")
        .demux()
        .await?;
    assert_eq!(result.exit_code, 5);
    assert_eq!(result.output.stdout, b"o\nme in /tmp\n");
    assert_eq!(result.output.stderr, b"e\n");

    let binary = container
        .exec_run(["sh", "-c", "printf 'b\\000\\377\\n'; printf '\\376' >&2"])
        .demux()
        .await?;
    assert_eq!(binary.output.stdout, b"b\x00\xff\n");
    assert_eq!(binary.output.stderr, b"\xfe");

    let tty = container
        .exec_run("sh -c 'echo over tty'")
        .tty(true)
        .send()
        .await?;
    assert_eq!((tty.exit_code, tty.output), (0, b"over tty\r\n".to_vec()));

    let user = container.exec_run("id -u").user("1234").send().await?;
    assert_eq!(user.output, b"1234\n");

    let (exec, output) = container
        .exec_run("sh -c 'echo streamed; exit 2'")
        .stream()
        .await?;
    assert_eq!(output.concat().await?, b"streamed\n");
    assert_eq!(exec.exit_code().await?, 2);

    let detached = container.exec_run("sleep 0.2").detach().await?;
    assert!(!detached.id().is_empty());

    let bad = container.exec_run("sh -c 'unbalanced").send().await;
    assert!(
        matches!(&bad, Err(Error::InvalidArgument { argument, .. }) if argument == "cmd"),
        "{bad:?}"
    );
    Ok(())
}

#[tokio::test]
async fn exec_stdin_round_trips_through_the_hijacked_connection() -> TestResult {
    let (docker, cleanup) = setup().await?;
    let container = running(&docker, &cleanup, "exec-stdin", &["sleep", "60"]).await?;
    let data: Vec<u8> = (0..1_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();

    let socket = container
        .exec_run(["cat"])
        .stdin(true)
        .stderr(false)
        .socket()
        .await?;
    let mut input = socket.input;
    let sent = data.clone();
    // Write while reading: cat echoes as it goes, and pipes are small.
    let writer = tokio::spawn(async move {
        input.write_all(&sent).await?;
        input.shutdown().await
    });
    let echoed = tokio::time::timeout(Duration::from_secs(60), socket.output.concat()).await??;
    writer.await??;
    assert_eq!(echoed.len(), data.len());
    assert!(echoed == data, "the echo differs from what was sent");
    assert_eq!(socket.exec.exit_code().await?, 0);
    Ok(())
}

#[tokio::test]
async fn attach_streams_and_attach_socket_writes_stdin() -> TestResult {
    let (docker, cleanup) = setup().await?;
    let container = docker
        .containers()
        .create(TEST_IMAGE)
        .name(unique_name("attach"))
        .labels(test_labels("attach"))
        .stdin_open(true)
        .command(["sh", "-c", "read line; echo \"got $line\"; echo done >&2"])
        .send()
        .await?;
    cleanup.container(container.id());
    let mut attached = container.attach().stdin(true).socket().await?;
    container.start().await?;
    attached.input.write_all(b"hello\n").await?;
    attached.input.flush().await?;
    let output = tokio::time::timeout(Duration::from_secs(30), attached.output.demux()).await??;
    assert_eq!(output.stdout, b"got hello\n");
    assert_eq!(output.stderr, b"done\n");

    let late = running(
        &docker,
        &cleanup,
        "attach-late",
        &["sh", "-c", "sleep 1; echo late; echo oops >&2"],
    )
    .await?;
    let seen = tokio::time::timeout(Duration::from_secs(30), late.attach().send()).await??;
    assert_eq!(seen.stdout, b"late\n");
    assert_eq!(seen.stderr, b"oops\n");
    Ok(())
}

/// Deterministic pseudo-random bytes, so a corrupted copy cannot pass.
fn pattern(len: usize) -> impl Iterator<Item = u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len).map(move |_| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 32) as u8
    })
}

#[tokio::test]
async fn put_then_get_archive_round_trips_100_mib() -> TestResult {
    const SIZE: usize = 100 * 1024 * 1024;
    let (docker, cleanup) = setup().await?;
    let container = running(&docker, &cleanup, "archive", &["sleep", "120"]).await?;

    let dir = tempfile::tempdir()?;
    let original = dir.path().join("big.bin");
    let mut hasher = Sha256::new();
    {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&original)?);
        let bytes: Vec<u8> = pattern(SIZE).collect();
        hasher.update(&bytes);
        file.write_all(&bytes)?;
        file.flush()?;
    }
    let expected = hasher.finalize();
    let tar_path = dir.path().join("upload.tar");
    {
        let mut tar = tar::Builder::new(std::fs::File::create(&tar_path)?);
        tar.append_path_with_name(&original, "big.bin")?;
        tar.finish()?;
    }
    container
        .put_archive("/tmp", tokio::fs::File::open(&tar_path).await?)
        .await?;

    let (archive, stat) = container.get_archive("/tmp/big.bin").await?;
    assert_eq!(stat.name, "big.bin");
    assert_eq!(stat.size, SIZE as i64);
    let download = dir.path().join("download.tar");
    let mut out = tokio::fs::File::create(&download).await?;
    let mut reader = archive.into_reader();
    tokio::io::copy(&mut reader, &mut out).await?;
    out.flush().await?;

    let mut tar = tar::Archive::new(std::fs::File::open(&download)?);
    let mut entry = tar.entries()?.next().ok_or("empty archive")??;
    assert_eq!(entry.path()?.to_str(), Some("big.bin"));
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 1 << 16];
    loop {
        let n = entry.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    assert_eq!(hasher.finalize(), expected);

    let missing = container.get_archive("/tmp/not-there").await;
    assert!(matches!(missing, Err(Error::NotFound { .. })), "{missing:?}");
    Ok(())
}

#[tokio::test]
async fn stats_stream_stops_cleanly_after_three_samples() -> TestResult {
    let (docker, cleanup) = setup().await?;
    let container = running(&docker, &cleanup, "stats", &["sleep", "60"]).await?;
    let one = container.stats().one_shot(true).send().await?;
    assert!(one.memory_stats.is_some());
    let samples = container.stats().stream().await?;
    let three: Vec<_> = tokio::time::timeout(Duration::from_secs(30), samples.take(3).collect()).await?;
    assert_eq!(three.len(), 3);
    for sample in three {
        let sample = sample?;
        assert!(sample.read.is_some());
    }
    Ok(())
}

#[tokio::test]
async fn wait_with_a_condition_and_a_timeout() -> TestResult {
    let (docker, cleanup) = setup().await?;
    let created = docker
        .containers()
        .create(TEST_IMAGE)
        .name(unique_name("wait"))
        .labels(test_labels("wait"))
        .command(["sh", "-c", "sleep 0.5; exit 7"])
        .send()
        .await?;
    cleanup.container(created.id());
    let waiter = created.clone();
    let next_exit = tokio::spawn(async move {
        waiter
            .wait()
            .condition(ContainerWaitCondition::NextExit)
            .send()
            .await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    created.start().await?;
    let exit = tokio::time::timeout(Duration::from_secs(30), next_exit).await???;
    assert_eq!(exit.status_code, 7);

    let sleeper = running(&docker, &cleanup, "wait-removed", &["sleep", "60"]).await?;
    let timed_out = sleeper.wait().timeout(Duration::from_millis(300)).send().await;
    assert!(matches!(timed_out, Err(Error::Timeout { .. })), "{timed_out:?}");
    let waiter = sleeper.clone();
    let removed = tokio::spawn(async move {
        waiter
            .wait()
            .condition(ContainerWaitCondition::Removed)
            .send()
            .await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    sleeper.remove().force(true).send().await?;
    let exit = tokio::time::timeout(Duration::from_secs(30), removed).await???;
    assert_eq!(exit.status_code, 137);
    Ok(())
}

#[tokio::test]
async fn kill_with_a_signal_name_or_number() -> TestResult {
    let (docker, cleanup) = setup().await?;
    let script = "trap 'exit 42' HUP; trap 'exit 43' USR1; while true; do sleep 0.1; done";
    let hup = running(&docker, &cleanup, "kill", &["sh", "-c", script]).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    hup.kill(Some("SIGHUP".into())).await?;
    assert_eq!(hup.wait().send().await?.status_code, 42);

    let usr1 = running(&docker, &cleanup, "kill", &["sh", "-c", script]).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    usr1.kill(Some(10.into())).await?;
    assert_eq!(usr1.wait().send().await?.status_code, 43);

    let not_running = usr1.kill(None).await;
    assert!(
        matches!(not_running, Err(Error::Conflict { .. })),
        "{not_running:?}"
    );
    let bad = usr1.kill(Some("".into())).await;
    assert!(
        matches!(&bad, Err(Error::InvalidArgument { argument, .. }) if argument == "signal"),
        "{bad:?}"
    );
    Ok(())
}

#[tokio::test]
async fn lifecycle_methods() -> TestResult {
    let (docker, cleanup) = setup().await?;
    let mut container = docker
        .containers()
        .create(TEST_IMAGE)
        .name(unique_name("lifecycle"))
        .labels(test_labels("lifecycle"))
        .command(["sh", "-c", "touch /tmp/made-here; sleep 60"])
        .stop_signal("SIGKILL")
        .send()
        .await?;
    cleanup.container(container.id());
    assert_eq!(container.status().as_deref(), Some("created"));
    assert!(container.image().await?.tags().contains(&TEST_IMAGE.to_owned()));
    assert_eq!(container.health(), "unknown");

    container.start().await?;
    container.start().await?; // already started: success, as in docker-py
    container.pause().await?;
    container.reload().await?;
    assert_eq!(container.status().as_deref(), Some("paused"));
    container.unpause().await?;

    let top = container.top(None).await?;
    assert!(top.titles.unwrap_or_default().iter().any(|t| t == "PID"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let diff = container.diff().await?;
    assert!(
        diff.iter().any(|change| change.path == "/tmp/made-here"),
        "{diff:?}"
    );

    let renamed = unique_name("lifecycle-renamed");
    container.rename(&renamed).await?;
    container.reload().await?;
    assert_eq!(container.name(), Some(renamed.as_str()));

    let image = container
        .commit()
        .repository("docker-sdk-test/committed")
        .tag(unique_name("tag"))
        .message("a test commit")
        .change("ENV COMMITTED=1")
        .send()
        .await?;
    cleanup.image(&image);
    assert!(image.starts_with("sha256:"));

    let exported = container.export().await?;
    let bytes: usize = exported
        .map_ok(|chunk| chunk.len())
        .try_fold(0, |n, len| async move { Ok(n + len) })
        .await?;
    assert!(bytes > 1024 * 1024, "an export holds busybox: {bytes} bytes");

    let warnings = container
        .update()
        .mem_limit("128m")
        .memswap_limit(-1)
        .cpu_shares(512)
        .restart_policy("on-failure:2")
        .send()
        .await?;
    container.reload().await?;
    let docker_sdk::ContainerAttrs::Inspect(inspect) = container.attrs() else {
        return Err("reload inspects".into());
    };
    let host_config = inspect.host_config.as_ref().ok_or("no HostConfig")?;
    assert_eq!(host_config.memory, 128 * 1024 * 1024, "{warnings:?}");
    assert_eq!(host_config.cpu_shares, Some(512));
    let restart = host_config.restart_policy.as_ref().ok_or("no restart policy")?;
    assert_eq!(restart.maximum_retry_count, Some(2));
    let bad = container.update().mem_limit("lots").send().await;
    assert!(
        matches!(&bad, Err(Error::InvalidArgument { argument, .. }) if argument == "mem_limit"),
        "{bad:?}"
    );

    container.restart().timeout(Duration::from_secs(1)).send().await?;
    container.reload().await?;
    assert_eq!(container.status().as_deref(), Some("running"));
    container.stop().timeout(Duration::from_secs(1)).send().await?;
    container.stop().send().await?; // already stopped: success
    container.reload().await?;
    assert_eq!(container.status().as_deref(), Some("exited"));

    container.remove().v(true).send().await?;
    let gone = docker.containers().get(container.id()).await;
    assert!(matches!(gone, Err(Error::NotFound { .. })), "{gone:?}");
    Ok(())
}

#[tokio::test]
async fn bad_arguments_fail_before_anything_is_sent() -> TestResult {
    // Nothing listens there: any request would be a transport error.
    let environment: Environment = [("DOCKER_HOST", "unix:///nonexistent/docker.sock")]
        .into_iter()
        .collect();
    let docker = DockerClient::builder()
        .from_environment(environment)
        .version("1.41")
        .build()?;
    let containers = docker.containers();
    let cases: Vec<(
        &str,
        docker_sdk::containers::ContainerBuilder<docker_sdk::containers::Create>,
    )> = vec![
        ("mem_limit", containers.create(TEST_IMAGE).mem_limit("1.5g")),
        ("shm_size", containers.create(TEST_IMAGE).shm_size("12x")),
        ("ports", containers.create(TEST_IMAGE).port("70000", 80)),
        (
            "ports",
            containers.create(TEST_IMAGE).port("abc", HostPort::Random),
        ),
        (
            "volumes",
            containers
                .create(TEST_IMAGE)
                .volume("/srv", VolumeBind::new("/data").mode("rx")),
        ),
        (
            "volumes",
            containers.create(TEST_IMAGE).volume("/srv", "/data:ro"),
        ),
        (
            "volumes",
            containers.create(TEST_IMAGE).volumes(["/srv:/data:rx"]),
        ),
        ("command", containers.create(TEST_IMAGE).command("sh -c 'oops")),
        (
            "restart_policy",
            containers.create(TEST_IMAGE).restart_policy("sometimes"),
        ),
        (
            "network",
            containers.create(TEST_IMAGE).network("a").network_mode("host"),
        ),
    ];
    for (argument, builder) in cases {
        match builder.send().await {
            Err(Error::InvalidArgument {
                argument: named,
                reason,
            }) => {
                assert_eq!(named, argument, "{reason}");
            }
            other => return Err(format!("{argument}: expected InvalidArgument, got {other:?}").into()),
        }
    }
    Ok(())
}

#[tokio::test]
async fn list_filters_and_prune_on_a_throwaway_daemon() -> TestResult {
    let daemon = tokio::task::spawn_blocking(|| ThrowawayDaemon::start(DaemonOptions::default())).await??;
    let raw = docker_engine_api::v1_41::Client::connect_unix(&daemon.socket)?;
    ensure_test_image(&raw).await?;
    let environment: Environment = [("DOCKER_HOST", daemon.unix_url())].into_iter().collect();
    let docker = DockerClient::builder().from_environment(environment).build()?;
    let containers = docker.containers();

    let mut made = Vec::new();
    for i in 0..3 {
        let container = containers
            .run(TEST_IMAGE)
            .name(format!("prune-{i}"))
            .labels([("group", if i < 2 { "a" } else { "b" })])
            .command("true")
            .detach()
            .await?;
        container.wait().send().await?;
        made.push(container);
    }
    let running = containers.list().send().await?;
    assert!(running.is_empty());
    let all = containers.list().all(true).send().await?;
    assert_eq!(all.len(), 3);
    let group_a = containers
        .list()
        .all(true)
        .filters([("label", "group=a")])
        .sparse(true)
        .send()
        .await?;
    assert_eq!(group_a.len(), 2);
    let newest = containers.list().limit(1).send().await?;
    assert_eq!(newest.first().map(Container::id), Some(made[2].id()));
    let since = containers.list().all(true).since(made[0].id()).send().await?;
    assert_eq!(since.len(), 2);
    let before = containers.list().all(true).before(made[2].id()).send().await?;
    assert_eq!(before.len(), 2);

    let pruned = containers.prune([("label", "group=a")]).await?;
    assert_eq!(pruned.deleted.len(), 2);
    let pruned = containers.prune(docker_sdk::Filters::new()).await?;
    assert_eq!(pruned.deleted, vec![made[2].id().to_owned()]);
    assert!(containers.list().all(true).send().await?.is_empty());
    Ok(())
}
