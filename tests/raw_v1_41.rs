//! The raw v1.41 client against the real engine: every response decodes into
//! the generated models, streams come back whole, errors come back typed.

use std::time::{SystemTime, UNIX_EPOCH};

use docker_engine_api::v1_41::types;
use docker_engine_api::{ClientInfo, Error, reqwest};
use docker_sdk_tests::{
    Cleanup, TEST_IMAGE, ensure_test_image, label_filter, raw_client, read_to_end, test_labels, unique_name,
};

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[tokio::test]
async fn ping_answers_ok_under_the_version_prefix() -> TestResult {
    let client = raw_client();
    assert_eq!(client.baseurl(), "http://localhost/v1.41");
    let response = client.system_ping().send().await?;
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    let api_version = response
        .headers()
        .get("api-version")
        .and_then(|v| v.to_str().ok());
    assert_eq!(api_version, Some("1.41"));
    assert_eq!(read_to_end(response.into_inner()).await?, b"OK");
    Ok(())
}

#[tokio::test]
async fn version_info_and_df_decode() -> TestResult {
    let client = raw_client();
    let version = client.system_version().send().await?.into_inner();
    assert_eq!(version.api_version.as_deref(), Some("1.41"));
    assert!(version.version.is_some_and(|v| !v.is_empty()));

    let info = client.system_info().send().await?.into_inner();
    assert!(info.id.is_some_and(|id| !id.is_empty()));
    assert!(info.ncpu.is_some_and(|n| n >= 1));

    let df = client.system_data_usage().send().await?.into_inner();
    assert!(df.layers_size.is_some());
    Ok(())
}

#[tokio::test]
async fn images_list_and_inspect_decode() -> TestResult {
    let client = raw_client();
    let image_id = ensure_test_image(&client).await?;
    let images = client.image_list().all(true).send().await?.into_inner();
    let ours = images
        .iter()
        .find(|i| i.id == image_id)
        .ok_or("the test image is not listed")?;
    assert!(
        ours.repo_tags
            .as_ref()
            .is_some_and(|tags| tags.iter().any(|t| t == TEST_IMAGE))
    );

    let inspected = client.image_inspect().name(TEST_IMAGE).send().await?.into_inner();
    assert_eq!(inspected.id.as_deref(), Some(image_id.as_str()));
    let history = client.image_history().name(TEST_IMAGE).send().await?.into_inner();
    assert!(!history.is_empty());
    Ok(())
}

#[tokio::test]
async fn networks_and_volumes_list_and_inspect_decode() -> TestResult {
    let test = "networks_and_volumes";
    let client = raw_client();
    let cleanup = Cleanup::new();

    let network_name = unique_name("raw-net");
    let created = client
        .network_create()
        .body(
            types::NetworkCreateRequest::builder()
                .name(network_name.clone())
                .labels(test_labels(test))
                .check_duplicate(true),
        )
        .send()
        .await?
        .into_inner();
    let network_id = created.id.ok_or("network create returned no id")?;
    cleanup.network(&network_id);

    let volume_name = unique_name("raw-vol");
    let volume = client
        .volume_create()
        .body(
            types::VolumeCreateOptions::builder()
                .name(volume_name.clone())
                .labels(test_labels(test)),
        )
        .send()
        .await?
        .into_inner();
    cleanup.volume(&volume.name);
    assert_eq!(volume.name, volume_name);

    let networks = client.network_list().send().await?.into_inner();
    assert!(networks.iter().any(|n| n.name.as_deref() == Some("bridge")));
    let ours = client
        .network_list()
        .filters(label_filter(test))
        .send()
        .await?
        .into_inner();
    assert!(ours.iter().any(|n| n.id.as_deref() == Some(network_id.as_str())));
    let bridge = client.network_inspect().id("bridge").send().await?.into_inner();
    assert_eq!(bridge.driver.as_deref(), Some("bridge"));
    let inspected = client
        .network_inspect()
        .id(&network_id)
        .send()
        .await?
        .into_inner();
    assert_eq!(inspected.name.as_deref(), Some(network_name.as_str()));

    let volumes = client
        .volume_list()
        .filters(label_filter(test))
        .send()
        .await?
        .into_inner();
    assert!(volumes.volumes.iter().flatten().any(|v| v.name == volume_name));
    let inspected = client
        .volume_inspect()
        .name(&volume_name)
        .send()
        .await?
        .into_inner();
    assert_eq!(
        inspected
            .labels
            .and_then(|l| l.get("docker-sdk-test").cloned())
            .as_deref(),
        Some(test)
    );
    Ok(())
}

#[tokio::test]
async fn container_lifecycle_from_the_busybox_image() -> TestResult {
    let test = "container_lifecycle";
    let client = raw_client();
    let cleanup = Cleanup::new();
    ensure_test_image(&client).await?;
    let since = now_secs();

    let name = unique_name("raw-life");
    let created = client
        .container_create()
        .name(&name)
        .body(
            types::ContainerCreateBody::builder()
                .image(TEST_IMAGE.to_owned())
                .cmd(vec![
                    "sh".into(),
                    "-c".into(),
                    "echo out; echo err >&2; echo data > /tmp/file; exit 3".into(),
                ])
                .labels(test_labels(test)),
        )
        .send()
        .await?
        .into_inner();
    cleanup.container(&created.id);

    let listed = client
        .container_list()
        .all(true)
        .filters(label_filter(test))
        .send()
        .await?
        .into_inner();
    assert!(
        listed
            .iter()
            .any(|c| c.id.as_deref() == Some(created.id.as_str()))
    );

    client.container_start().id(&created.id).send().await?;
    let waited = client.container_wait().id(&created.id).send().await?.into_inner();
    assert_eq!(waited.status_code, 3);

    let inspected = client
        .container_inspect()
        .id(&created.id)
        .send()
        .await?
        .into_inner();
    let state = inspected.state.ok_or("inspect has no state")?;
    assert_eq!(state.exit_code, Some(3));
    assert_eq!(inspected.name.as_deref(), Some(format!("/{name}").as_str()));

    // Logs of a non-tty container are multiplexed frames: 8-byte headers
    // (stream id, 3 zero bytes, big-endian length) and their payload.
    let logs = client
        .container_logs()
        .id(&created.id)
        .stdout(true)
        .stderr(true)
        .send()
        .await?;
    let logs = read_to_end(logs.into_inner()).await?;
    let mut frames = Vec::new();
    let mut rest = logs.as_slice();
    while rest.len() >= 8 {
        let len = u32::from_be_bytes([rest[4], rest[5], rest[6], rest[7]]) as usize;
        frames.push((rest[0], rest[8..8 + len].to_vec()));
        rest = &rest[8 + len..];
    }
    assert!(rest.is_empty(), "trailing bytes after the last frame");
    frames.sort();
    assert_eq!(frames, vec![(1, b"out\n".to_vec()), (2, b"err\n".to_vec())]);

    let archive = client
        .container_archive()
        .id(&created.id)
        .path("/tmp/file")
        .send()
        .await?;
    let stat = archive.headers().get("x-docker-container-path-stat").cloned();
    assert!(
        stat.is_some(),
        "the archive response carries the path stat header"
    );
    let archive = read_to_end(archive.into_inner()).await?;
    let mut tar = tar::Archive::new(archive.as_slice());
    let mut entries = tar.entries()?;
    let mut entry = entries.next().ok_or("the archive is empty")??;
    assert_eq!(entry.path()?.to_str(), Some("file"));
    let mut contents = String::new();
    std::io::Read::read_to_string(&mut entry, &mut contents)?;
    assert_eq!(contents, "data\n");

    client.container_delete().id(&created.id).send().await?;
    let gone = client.container_inspect().id(&created.id).send().await;
    match gone {
        Err(Error::ErrorResponse(e)) => {
            assert_eq!(e.status(), reqwest::StatusCode::NOT_FOUND);
            assert!(e.message.contains("No such container"), "{}", e.message);
        }
        other => panic!("inspect after remove: {other:?}"),
    }

    // The events of that life, bounded by since/until so the stream ends.
    let events = client
        .system_events()
        .since(since.to_string())
        .until((now_secs() + 1).to_string())
        .filters(serde_json::json!({ "container": [created.id] }).to_string())
        .send()
        .await?;
    let events = read_to_end(events.into_inner()).await?;
    let actions: Vec<String> = events
        .split(|b| *b == b'\n')
        .filter(|line| !line.is_empty())
        .map(serde_json::from_slice::<types::EventMessage>)
        .map(|event| event.map(|e| e.action.unwrap_or_default()))
        .collect::<Result<_, _>>()?;
    for expected in ["create", "start", "die", "destroy"] {
        assert!(
            actions.iter().any(|a| a == expected),
            "no {expected} event in {actions:?}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_missing_container_is_a_typed_not_found() -> TestResult {
    let client = raw_client();
    let error = client
        .container_inspect()
        .id(unique_name("missing"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(reqwest::StatusCode::NOT_FOUND));
    let Error::ErrorResponse(body) = error else {
        panic!("not an ErrorResponse: {error:?}")
    };
    assert!(body.message.starts_with("No such container"), "{}", body.message);
    Ok(())
}

#[tokio::test]
async fn exec_with_stdin_round_trips_through_the_hijack() -> TestResult {
    use docker_engine_api::hijack;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let test = "exec_hijack";
    let client = raw_client();
    let cleanup = Cleanup::new();
    ensure_test_image(&client).await?;
    let created = client
        .container_create()
        .body(
            types::ContainerCreateBody::builder()
                .image(TEST_IMAGE.to_owned())
                .cmd(vec!["sleep".into(), "60".into()])
                .labels(test_labels(test)),
        )
        .send()
        .await?
        .into_inner();
    cleanup.container(&created.id);
    client.container_start().id(&created.id).send().await?;

    let exec = client
        .container_exec()
        .id(&created.id)
        .body(
            types::ExecConfig::builder()
                .cmd(vec!["cat".into()])
                .attach_stdin(true)
                .attach_stdout(true)
                .tty(true),
        )
        .send()
        .await?
        .into_inner();
    let start = types::ExecStartConfig::builder().detach(false).tty(true);
    let start = types::ExecStartConfig::try_from(start)?;
    let mut connection = hijack::exec_start::<_, types::ErrorResponse>(&client, &exec.id, &start).await?;
    // `cat` on a tty echoes its input; end it with ^D.
    connection.write_all(b"hello\n\x04").await?;
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    while !String::from_utf8_lossy(&seen).contains("hello") {
        let n = tokio::time::timeout(std::time::Duration::from_secs(10), connection.read(&mut buf)).await??;
        if n == 0 {
            break;
        }
        seen.extend_from_slice(&buf[..n]);
    }
    assert!(String::from_utf8_lossy(&seen).contains("hello"), "{seen:?}");
    Ok(())
}
