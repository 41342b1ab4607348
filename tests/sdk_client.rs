//! The `docker-sdk` client against real engines: the machine's engine over
//! its unix socket and over TCP, and a throwaway daemon over TLS.

use std::time::{Duration, SystemTime};

use docker_engine_api::v1_41::types as raw_types;
use docker_sdk::api::types::SystemDataUsageTypeItem;
use docker_sdk::{ApiVersion, DockerClient, Environment, Error, Login, TlsConfig};
use docker_sdk_tests::daemon::{DaemonOptions, TestCertificates, ThrowawayDaemon};
use docker_sdk_tests::{Cleanup, TEST_IMAGE, engine_socket, ensure_test_image, raw_client, test_labels};
use futures::StreamExt;

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

fn local_engine() -> Environment {
    [("DOCKER_HOST", format!("unix://{}", engine_socket().display()))]
        .into_iter()
        .collect()
}

fn client() -> DockerClient {
    DockerClient::builder()
        .from_environment(local_engine())
        .build()
        .expect("a client for the local engine")
}

#[tokio::test]
async fn system_calls_over_the_unix_socket() -> TestResult {
    let docker = client();
    let ping = docker.ping().await?;
    let engine_api = ping.api_version.ok_or("ping names no API version")?;
    let version = docker.version().await?;
    assert_eq!(
        version.api_version.as_deref(),
        Some(engine_api.to_string().as_str())
    );
    let info = docker.info().await?;
    assert!(info.id.is_some_and(|id| !id.is_empty()));
    docker.df().await?;
    Ok(())
}

#[tokio::test]
async fn auto_negotiates_down_to_the_engines_version() -> TestResult {
    let docker = client();
    let engine = docker.ping().await?.api_version.ok_or("no API version")?;
    assert_eq!(
        ApiVersion::LATEST,
        ApiVersion::new(1, 55),
        "the crate is built for the newest version"
    );
    let spoken = docker.api_version().await?;
    assert_eq!(spoken, engine.min(ApiVersion::LATEST));
    // On this machine's engine (20.10) that is 1.41.
    if engine == ApiVersion::new(1, 41) {
        assert_eq!(spoken, ApiVersion::new(1, 41));
    }
    Ok(())
}

#[tokio::test]
async fn a_pinned_version_newer_than_the_engine_is_a_readable_error() -> TestResult {
    let docker = client();
    let engine = docker.ping().await?.api_version.ok_or("no API version")?;
    if engine >= ApiVersion::LATEST {
        return Ok(()); // nothing is too new for this engine
    }
    let pinned = DockerClient::builder()
        .from_environment(local_engine())
        .version("1.55")
        .build()?;
    let error = pinned.version().await.unwrap_err();
    assert_eq!(error.status(), Some(400), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("client version 1.55 is too new"), "{message}");
    Ok(())
}

#[tokio::test]
async fn a_call_newer_than_the_version_fails_before_any_request() -> TestResult {
    // Nothing listens here: an error other than InvalidVersion would mean a
    // request was attempted.
    let nowhere = DockerClient::builder()
        .base_url("unix:///nonexistent/docker.sock")
        .version("1.41")
        .build()?;
    let error = nowhere.df_of([SystemDataUsageTypeItem::Image]).await.unwrap_err();
    match error {
        Error::InvalidVersion { message } => {
            assert!(
                message.contains("not available for API version < 1.42"),
                "{message}"
            );
        }
        other => panic!("expected InvalidVersion, got {other:?}"),
    }
    let unpinned = DockerClient::builder()
        .base_url("unix:///nonexistent/docker.sock")
        .build()?;
    let error = unpinned
        .df_of([SystemDataUsageTypeItem::Image])
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert!(
        error.to_string().contains("is the Docker daemon running"),
        "{error}"
    );
    Ok(())
}

#[tokio::test]
async fn events_between_since_and_until_decode() -> TestResult {
    let raw = raw_client();
    let cleanup = Cleanup::new();
    ensure_test_image(&raw).await?;
    let since = SystemTime::now() - Duration::from_secs(1);
    let created = raw
        .container_create()
        .body(
            raw_types::ContainerCreateBody::builder()
                .image(TEST_IMAGE.to_owned())
                .cmd(vec!["true".into()])
                .labels(test_labels("sdk_events")),
        )
        .send()
        .await?
        .into_inner();
    cleanup.container(&created.id);
    raw.container_start().id(&created.id).send().await?;
    raw.container_wait().id(&created.id).send().await?;
    raw.container_delete().id(&created.id).send().await?;

    let docker = client();
    let mut events = docker
        .events()
        .since(since)
        .until(SystemTime::now() + Duration::from_secs(1))
        .filters([("container", created.id.as_str())])
        .send()
        .await?;
    let mut actions = Vec::new();
    while let Some(event) = events.next().await {
        let event = event?;
        assert_eq!(
            event.actor.and_then(|a| a.id).as_deref(),
            Some(created.id.as_str())
        );
        actions.push(event.action.unwrap_or_default());
    }
    for expected in ["create", "start", "die", "destroy"] {
        assert!(
            actions.iter().any(|a| a == expected),
            "no {expected} in {actions:?}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_failed_login_never_shows_the_password() -> TestResult {
    let docker = client();
    let password = "hunter2-do-not-print";
    let builder = docker.login("someone").password(password).registry("127.0.0.1:9");
    assert!(!format!("{builder:?}").contains(password));
    let error = builder.send().await.unwrap_err();
    assert!(error.status().is_some_and(|s| s >= 400), "{error:?}");
    assert!(!error.to_string().contains(password), "{error}");
    assert!(!format!("{error:?}").contains(password), "{error:?}");

    let dir = tempfile::tempdir()?;
    let config = dir.path().join("config.json");
    std::fs::write(&config, r#"{"auths": {"127.0.0.1:9": {"username": "someone"}}}"#)?;
    let cached = docker
        .login("someone")
        .password(password)
        .registry("127.0.0.1:9")
        .dockercfg_path(&config);
    assert_eq!(cached.send().await?, Login::AlreadyLoggedIn);
    Ok(())
}

/// A TCP port forwarded to the local engine's socket, so that plain TCP is
/// tested without a second daemon.
async fn tcp_to_local_engine() -> Result<u16, Box<dyn std::error::Error + Send + Sync>> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            tokio::spawn(async move {
                if let Ok(mut unix) = tokio::net::UnixStream::connect(engine_socket()).await {
                    let _ = tokio::io::copy_bidirectional(&mut tcp, &mut unix).await;
                }
            });
        }
    });
    Ok(port)
}

#[tokio::test]
async fn plain_tcp() -> TestResult {
    let port = tcp_to_local_engine().await?;
    for address in [
        format!("tcp://127.0.0.1:{port}"),
        format!("http://127.0.0.1:{port}"),
        format!("127.0.0.1:{port}"),
    ] {
        let docker = DockerClient::builder().base_url(address.as_str()).build()?;
        let version = docker.version().await?;
        assert!(version.api_version.is_some(), "{address}");
    }
    Ok(())
}

#[tokio::test]
async fn tls_with_client_certificates_against_a_throwaway_daemon() -> TestResult {
    let scratch = tempfile::tempdir()?;
    let certs = TestCertificates::make(scratch.path(), "good")?;
    let daemon = tokio::task::spawn_blocking({
        let tls = certs.server.clone();
        move || {
            ThrowawayDaemon::start(DaemonOptions {
                tcp: true,
                tls: Some(tls),
                ..DaemonOptions::default()
            })
        }
    })
    .await??;
    let port = daemon.tcp_port.ok_or("the daemon has no TCP port")?;
    let client_dir = &certs.client_dir;

    // From the environment, as the docker CLI would be configured.
    let env: Environment = [
        ("DOCKER_HOST", format!("tcp://localhost:{port}")),
        ("DOCKER_TLS_VERIFY", "1".to_owned()),
        ("DOCKER_CERT_PATH", client_dir.display().to_string()),
    ]
    .into_iter()
    .collect();
    let docker = DockerClient::builder().from_environment(env).build()?;
    assert!(docker.version().await?.api_version.is_some());

    // The same with a TlsConfig.
    let tls = TlsConfig::new()
        .ca_cert(client_dir.join("ca.pem"))
        .client_cert(client_dir.join("cert.pem"), client_dir.join("key.pem"));
    let docker = DockerClient::builder()
        .base_url(format!("tcp://localhost:{port}"))
        .tls(tls.clone())
        .build()?;
    assert!(docker.info().await?.id.is_some());

    // A CA that did not sign the daemon's certificate: a TLS error.
    let other = TestCertificates::make(scratch.path(), "other")?;
    let wrong_ca = TlsConfig::new()
        .ca_cert(&other.ca)
        .client_cert(client_dir.join("cert.pem"), client_dir.join("key.pem"));
    let docker = DockerClient::builder()
        .base_url(format!("tcp://localhost:{port}"))
        .tls(wrong_ca)
        .build()?;
    let error = docker.version().await.unwrap_err();
    assert!(
        matches!(error, Error::Tls { .. }),
        "expected a TLS error, got {error:?}"
    );

    // No client certificate: the daemon refuses the handshake.
    let anonymous = TlsConfig::new().ca_cert(client_dir.join("ca.pem"));
    let docker = DockerClient::builder()
        .base_url(format!("tcp://localhost:{port}"))
        .tls(anonymous)
        .build()?;
    let error = docker.version().await.unwrap_err();
    assert!(
        matches!(error, Error::Tls { .. } | Error::Transport { .. }),
        "{error:?}"
    );

    // The certificate names `localhost`, not 127.0.0.1: refused unless the
    // hostname check is off (docker-py's assert_hostname=False).
    let by_address = DockerClient::builder()
        .base_url(format!("tcp://127.0.0.1:{port}"))
        .tls(tls.clone())
        .build()?;
    let error = by_address.version().await.unwrap_err();
    assert!(matches!(error, Error::Tls { .. }), "{error:?}");
    let lenient = DockerClient::builder()
        .base_url(format!("tcp://127.0.0.1:{port}"))
        .tls(tls.assert_hostname(false))
        .build()?;
    assert!(lenient.version().await?.api_version.is_some());
    drop(daemon);
    Ok(())
}
