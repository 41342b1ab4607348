//! Images through `docker-sdk`, against the real engine and a private
//! registry: inspect, list, tag, history, save and load, remove; pull and
//! push with and without credentials; builds. Each test names what it makes
//! uniquely and removes it, even when it fails.

use std::io::Read;

use docker_sdk::auth::AuthConfig;
use docker_sdk::{DockerClient, Error};
use docker_sdk_tests::cluster::Cluster;
use docker_sdk_tests::daemon::TestCertificates;
use docker_sdk_tests::registry::{LocalRegistry, RegistryOptions};
use docker_sdk_tests::{
    Cleanup, TEST_IMAGE, TEST_IMAGE_LABEL, docker, ensure_test_image, raw_client, unique_name,
};
use futures::TryStreamExt;

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

async fn setup() -> Result<(DockerClient, Cleanup), Box<dyn std::error::Error + Send + Sync>> {
    ensure_test_image(&raw_client()).await?;
    Ok((docker(), Cleanup::new()))
}

/// A tag of the test image only this test uses.
fn unique_tag(test: &str) -> String {
    format!("docker-sdk-test/{}:t", unique_name(test))
}

#[tokio::test]
async fn get_list_tag_history_and_remove() -> TestResult {
    let (docker, cleanup) = setup().await?;
    let image = docker.images().get(TEST_IMAGE).await?;
    assert!(image.id().starts_with("sha256:"));
    assert_eq!(image.short_id().len(), 19);
    assert!(image.tags().contains(&TEST_IMAGE.to_owned()));
    assert_eq!(
        image.labels().get(TEST_IMAGE_LABEL).map(String::as_str),
        Some("1")
    );

    let listed = docker
        .images()
        .list()
        .name("docker-sdk-test/busybox")
        .send()
        .await?;
    assert!(listed.iter().any(|i| i.id() == image.id()));

    let tag = unique_tag("tag");
    let (repository, version) = tag.split_once(':').ok_or("a tag has a colon")?;
    image.tag(repository, Some(version)).await?;
    cleanup.image(&tag);
    let mut tagged = docker.images().get(&tag).await?;
    assert_eq!(tagged.id(), image.id());
    tagged.reload().await?;
    assert!(tagged.tags().contains(&tag));

    let history = tagged.history().await?;
    assert!(!history.is_empty());

    let bad = image.tag("Not/Valid", None).await;
    assert!(matches!(bad, Err(Error::InvalidRepository { .. })), "{bad:?}");

    let removed = docker.images().remove(&tag, false, false).await?;
    assert!(
        removed
            .iter()
            .any(|r| r.untagged.as_deref() == Some(tag.as_str())),
        "{removed:?}"
    );
    let gone = docker.images().get(&tag).await;
    assert!(matches!(gone, Err(Error::ImageNotFound { .. })), "{gone:?}");
    let again = docker.images().remove(&tag, false, false).await;
    assert!(matches!(again, Err(Error::ImageNotFound { .. })), "{again:?}");
    Ok(())
}

#[tokio::test]
async fn save_then_load_round_trips_a_tag() -> TestResult {
    let (docker, cleanup) = setup().await?;
    let tag = unique_tag("save");
    let (repository, version) = tag.split_once(':').ok_or("a tag has a colon")?;
    let image = docker.images().get(TEST_IMAGE).await?;
    image.tag(repository, Some(version)).await?;
    cleanup.image(&tag);
    let image = docker.images().get(&tag).await?;

    let dir = tempfile::tempdir()?;
    let path = dir.path().join("image.tar");
    let mut file = tokio::fs::File::create(&path).await?;
    tokio::io::copy(&mut image.save_named(Some(&tag)).await?.into_reader(), &mut file).await?;
    drop(file);
    let mut manifest = String::new();
    let mut archive = tar::Archive::new(std::fs::File::open(&path)?);
    for entry in archive.entries()? {
        let mut entry = entry?;
        if entry.path()?.to_str() == Some("manifest.json") {
            entry.read_to_string(&mut manifest)?;
        }
    }
    assert!(manifest.contains(&tag), "the archive names the tag: {manifest}");
    let unknown = image.save_named(Some("not/a-tag:of-this")).await;
    assert!(
        matches!(unknown, Err(Error::InvalidArgument { .. })),
        "{unknown:?}"
    );

    docker.images().remove(&tag, false, false).await?;
    let loaded = docker.images().load(tokio::fs::File::open(&path).await?).await?;
    assert_eq!(loaded.len(), 1);
    assert_eq!(loaded[0].id(), image.id());
    assert!(docker.images().get(&tag).await.is_ok(), "loading tagged it again");

    let garbage = docker.images().load(b"this is not a tar archive".to_vec()).await;
    assert!(garbage.is_err(), "{garbage:?}");
    Ok(())
}

/// The test image, tagged into `registry` under a name only this test uses.
async fn tagged_for(
    docker: &DockerClient,
    cleanup: &Cleanup,
    registry: &LocalRegistry,
    test: &str,
) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let repository = format!("{}/docker-sdk-test/{}", registry.address(), unique_name(test));
    docker
        .images()
        .get(TEST_IMAGE)
        .await?
        .tag(&repository, Some("v1"))
        .await?;
    let name = format!("{repository}:v1");
    cleanup.image(&name);
    Ok(name)
}

#[tokio::test]
async fn push_then_pull_through_a_private_registry() -> TestResult {
    let (docker, cleanup) = setup().await?;
    let registry = tokio::task::spawn_blocking(|| LocalRegistry::start(None)).await??;
    let name = tagged_for(&docker, &cleanup, &registry, "push").await?;
    let original = docker.images().get(&name).await?;

    let mut progress = docker.images().push(&name).stream().await?;
    let mut statuses = Vec::new();
    while let Some(message) = progress.try_next().await? {
        statuses.extend(message.status);
    }
    assert!(
        statuses.iter().any(|s| s.contains("digest: sha256:")),
        "{statuses:?}"
    );

    let data = docker.images().get_registry_data(&name, None).await?;
    assert!(data.id().starts_with("sha256:"), "{}", data.id());
    assert!(data.has_platform("linux")?);
    assert!(!data.has_platform("windows")?);
    assert!(data.has_platform("not/a/valid/platform").is_err());

    docker.images().remove(&name, false, false).await?;
    let (repository, _) = name.rsplit_once(':').ok_or("a tag")?;
    let pulled = docker.images().pull(repository).tag("v1").send().await?;
    assert_eq!(pulled.id(), original.id());
    let by_name = docker.images().pull(&name).send().await?;
    assert_eq!(by_name.id(), original.id());
    let digest = data.id().to_owned();
    docker.images().remove(&name, false, false).await?;
    let by_digest = docker
        .images()
        .pull(format!("{repository}@{digest}"))
        .send()
        .await?;
    assert_eq!(by_digest.id(), original.id());
    cleanup.image(format!("{repository}@{digest}"));

    let missing = docker
        .images()
        .pull(format!("{}/docker-sdk-test/never-pushed", registry.address()))
        .send()
        .await;
    assert!(matches!(missing, Err(Error::ImageNotFound { .. })), "{missing:?}");
    let malformed = docker.images().pull("Not Valid").send().await;
    assert!(
        matches!(malformed, Err(Error::InvalidRepository { .. })),
        "{malformed:?}"
    );
    Ok(())
}

#[tokio::test]
async fn credentials_from_auth_config_login_and_config_json() -> TestResult {
    let (_, cleanup) = setup().await?;
    let registry =
        tokio::task::spawn_blocking(|| LocalRegistry::start(Some(("tester", "s3cret:pass")))).await??;
    let config_dir = tempfile::tempdir()?;
    let environment = |config: &std::path::Path| -> docker_sdk::Environment {
        [
            (
                "DOCKER_HOST",
                format!("unix://{}", docker_sdk_tests::engine_socket().display()),
            ),
            ("DOCKER_CONFIG", config.display().to_string()),
            ("HOME", config.display().to_string()),
        ]
        .into_iter()
        .collect()
    };
    // No credentials anywhere: the registry refuses the push.
    let docker = DockerClient::builder()
        .from_environment(environment(config_dir.path()))
        .build()?;
    let name = tagged_for(&docker, &cleanup, &registry, "auth").await?;
    let refused = docker.images().push(&name).send().await;
    assert!(matches!(refused, Err(Error::Stream { .. })), "{refused:?}");
    let no_data = docker.images().get_registry_data(&name, None).await;
    assert!(no_data.is_err(), "{no_data:?}");

    // An explicit auth_config.
    let auth = AuthConfig::new("tester", "s3cret:pass");
    assert!(!format!("{auth:?}").contains("s3cret"));
    docker.images().push(&name).auth_config(auth).send().await?;

    // config.json's base64 `auth`, as `docker login` writes it.
    let encoded = base64_encode("tester:s3cret:pass");
    let config = serde_json::json!({ "auths": { registry.address(): { "auth": encoded } } });
    std::fs::write(config_dir.path().join("config.json"), config.to_string())?;
    let from_file = DockerClient::builder()
        .from_environment(environment(config_dir.path()))
        .build()?;
    docker.images().remove(&name, false, false).await?;
    let pulled = from_file.images().pull(&name).send().await?;
    assert!(pulled.tags().contains(&name));

    // The registry's data needs the credentials too (config.json has them
    // by now).
    let data = docker
        .images()
        .get_registry_data(&name, Some(&AuthConfig::new("tester", "s3cret:pass")))
        .await?;
    assert!(data.id().starts_with("sha256:"));

    // A login through the client serves its later pushes.
    std::fs::remove_file(config_dir.path().join("config.json"))?;
    let logged_in = DockerClient::builder()
        .from_environment(environment(config_dir.path()))
        .build()?;
    let login = logged_in
        .login("tester")
        .password("s3cret:pass")
        .registry(registry.address())
        .send()
        .await?;
    assert!(
        matches!(login, docker_sdk::Login::Authenticated { .. }),
        "{login:?}"
    );
    logged_in.images().push(&name).send().await?;

    // A credential helper named by credHelpers, found on the PATH given in
    // credstore_env.
    let helpers = tempfile::tempdir()?;
    let helper = helpers.path().join("docker-credential-sdktest");
    std::fs::write(
        &helper,
        "#!/bin/sh\nread url\nprintf '{\"ServerURL\":\"%s\",\"Username\":\"tester\",\"Secret\":\"s3cret:pass\"}' \"$url\"\n",
    )?;
    std::fs::set_permissions(&helper, std::os::unix::fs::PermissionsExt::from_mode(0o755))?;
    let config = serde_json::json!({ "credHelpers": { registry.address(): "sdktest" } });
    std::fs::write(config_dir.path().join("config.json"), config.to_string())?;
    let path = format!(
        "{}:{}",
        helpers.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let with_helper = DockerClient::builder()
        .from_environment(environment(config_dir.path()))
        .credstore_env([("PATH", path)])
        .build()?;
    with_helper.images().push(&name).send().await?;

    // A wrong password in the file is the registry's refusal, and the
    // password is in no error message.
    let wrong =
        serde_json::json!({ "auths": { registry.address(): { "auth": base64_encode("tester:wrong-pw") } } });
    std::fs::write(config_dir.path().join("config.json"), wrong.to_string())?;
    let refused = from_file.images().push(&name).send().await;
    let message = format!("{refused:?}");
    assert!(refused.is_err() && !message.contains("wrong-pw"), "{message}");
    Ok(())
}

/// Over TLS with basic auth, the registry is trusted only through the CA
/// the daemon finds in `/etc/docker/certs.d`. The registry listens on a
/// cluster node's own address (inside its network namespace), not on
/// 127.0.0.0/8, which daemons treat as insecure and would not verify.
#[tokio::test]
async fn a_tls_registry_with_basic_auth_trusted_through_its_ca() -> TestResult {
    let cluster = tokio::task::spawn_blocking(|| Cluster::start(1)).await??;
    let node = cluster.nodes.first().ok_or("one node")?;
    ensure_test_image(&docker_engine_api::v1_41::Client::connect_unix(
        &node.daemon.socket,
    )?)
    .await?;
    let certificates_dir = tempfile::tempdir()?;
    let certificates =
        TestCertificates::make_for(certificates_dir.path(), "registry", &format!("IP:{}", node.addr))?;
    let options = RegistryOptions {
        credentials: Some(("tester".into(), "s3cret:pass".into())),
        tls: Some(certificates.server.clone()),
        netns: Some((node.netns.clone(), node.addr.clone())),
    };
    let registry = tokio::task::spawn_blocking(move || LocalRegistry::start_with(options)).await??;
    let environment: docker_sdk::Environment =
        [("DOCKER_HOST", node.daemon.unix_url())].into_iter().collect();
    let docker = DockerClient::builder().from_environment(environment).build()?;
    let repository = format!("{}/docker-sdk-test/tls", registry.address());
    let name = format!("{repository}:v1");
    let original = docker.images().get(TEST_IMAGE).await?;
    original.tag(&repository, Some("v1")).await?;
    let auth = || AuthConfig::new("tester", "s3cret:pass");

    // Before the CA is trusted, the daemon refuses the registry's certificate.
    let untrusted = docker.images().push(&name).auth_config(auth()).send().await;
    let message = format!("{untrusted:?}");
    assert!(untrusted.is_err() && message.contains("certificate"), "{message}");

    let _trust = registry.trust_ca()?;
    let wrong = docker
        .images()
        .push(&name)
        .auth_config(AuthConfig::new("tester", "wrong-pw"))
        .send()
        .await;
    let message = format!("{wrong:?}");
    assert!(
        wrong.is_err() && message.contains("unauthorized") && !message.contains("wrong-pw"),
        "{message}"
    );
    docker.images().push(&name).auth_config(auth()).send().await?;
    let data = docker.images().get_registry_data(&name, Some(&auth())).await?;

    docker.images().remove(&name, false, false).await?;
    let pulled = docker.images().pull(&name).auth_config(auth()).send().await?;
    assert_eq!(pulled.id(), original.id());
    docker.images().remove(&name, false, false).await?;
    let by_digest = format!("{repository}@{}", data.id());
    let pulled = docker
        .images()
        .pull(&by_digest)
        .auth_config(auth())
        .send()
        .await?;
    assert_eq!(pulled.id(), original.id());
    Ok(())
}

fn base64_encode(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}

#[tokio::test]
async fn run_pulls_a_missing_image_first() -> TestResult {
    let (docker, cleanup) = setup().await?;
    let registry = tokio::task::spawn_blocking(|| LocalRegistry::start(None)).await??;
    let name = tagged_for(&docker, &cleanup, &registry, "run-pull").await?;
    docker.images().push(&name).send().await?;
    docker.images().remove(&name, false, false).await?;

    let output = docker
        .containers()
        .run(&name)
        .labels(docker_sdk_tests::test_labels("run-pull"))
        .command("echo pulled")
        .remove(true)
        .send()
        .await?;
    assert_eq!(output, b"pulled\n");
    assert!(docker.images().get(&name).await.is_ok());

    let missing = format!("{}/docker-sdk-test/never-pushed:v1", registry.address());
    let outcome = docker.containers().run(missing).command("true").send().await;
    assert!(matches!(outcome, Err(Error::ImageNotFound { .. })), "{outcome:?}");
    Ok(())
}

#[tokio::test]
async fn prune_removes_dangling_images_on_a_throwaway_daemon() -> TestResult {
    use docker_sdk_tests::daemon::{DaemonOptions, ThrowawayDaemon};
    let daemon = tokio::task::spawn_blocking(|| ThrowawayDaemon::start(DaemonOptions::default())).await??;
    ensure_test_image(&docker_engine_api::v1_41::Client::connect_unix(&daemon.socket)?).await?;
    let environment: docker_sdk::Environment = [("DOCKER_HOST", daemon.unix_url())].into_iter().collect();
    let docker = DockerClient::builder().from_environment(environment).build()?;

    let container = docker
        .containers()
        .create(TEST_IMAGE)
        .command("true")
        .send()
        .await?;
    let dangling = container.commit().send().await?;
    container.remove().send().await?;
    let pruned = docker.images().prune(docker_sdk::Filters::new()).await?;
    let deleted: Vec<_> = pruned
        .deleted
        .iter()
        .filter_map(|d| d.deleted.as_deref())
        .collect();
    assert!(deleted.contains(&dangling.as_str()), "{deleted:?}");
    assert!(
        docker.images().get(TEST_IMAGE).await.is_ok(),
        "a tagged image stays"
    );
    Ok(())
}

/// Writes `files` (path, contents) under `dir`.
fn write_tree(dir: &std::path::Path, files: &[(&str, &str)]) -> std::io::Result<()> {
    for (path, contents) in files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, contents)?;
    }
    Ok(())
}

#[tokio::test]
async fn build_a_directory_with_dockerignore_buildargs_and_labels() -> TestResult {
    let (docker, cleanup) = setup().await?;
    let context = tempfile::tempdir()?;
    let dockerfile = format!(
        "FROM {TEST_IMAGE}\nARG GREETING\nCOPY . /ctx/\nRUN echo \"$GREETING\" > /greeting\n\
         RUN grep -c example /etc/hosts > /hosts\nCMD [\"sh\"]\n"
    );
    write_tree(
        context.path(),
        &[
            ("Dockerfile", dockerfile.as_str()),
            (
                ".dockerignore",
                "# comments are skipped\nignored\n*.key\n!important.key\nDockerfile\n",
            ),
            ("keep.txt", "kept"),
            ("sub/deep/keep.txt", "kept too"),
            ("ignored/a.txt", "left out"),
            ("secret.key", "left out"),
            ("important.key", "kept by the exception"),
        ],
    )?;
    let tag = unique_tag("build");
    let built = docker
        .images()
        .build(context.path())
        .forcerm(true)
        .tag(&tag)
        .buildargs([("GREETING", "hello from buildargs")])
        .extra_host(("one.example", "10.0.0.1"))
        .extra_host("two.example:10.0.0.2")
        .labels([("docker-sdk-test", "build")])
        .rm(true)
        .send()
        .await?;
    cleanup.image(&tag);
    assert!(built.image.tags().contains(&tag));
    assert_eq!(
        built.image.labels().get("docker-sdk-test").map(String::as_str),
        Some("build")
    );
    assert!(
        built
            .log
            .iter()
            .any(|m| m.stream.as_deref().is_some_and(|s| s.contains("Step 1/")))
    );

    let listing = docker
        .containers()
        .run(&tag)
        .command("sh -c 'cat /greeting /hosts; cd /ctx && find . -type f | sort'")
        .remove(true)
        .send()
        .await?;
    let listing = String::from_utf8(listing)?;
    assert_eq!(
        listing,
        "hello from buildargs\n2\n./.dockerignore\n./important.key\n./keep.txt\n./sub/deep/keep.txt\n",
        "the engine drops the Dockerfile (ignored) and keeps .dockerignore"
    );
    Ok(())
}

#[tokio::test]
async fn a_failing_step_is_a_build_error_with_the_log() -> TestResult {
    let (docker, cleanup) = setup().await?;
    let dockerfile = format!("FROM {TEST_IMAGE}\nRUN echo before\nRUN sh -c 'echo broken >&2; exit 7'\n");
    let failed = docker
        .images()
        .build_dockerfile(dockerfile)
        .rm(true)
        .forcerm(true)
        .send()
        .await;
    let Err(Error::Build(error)) = failed else {
        return Err(format!("expected a BuildError, got {failed:?}").into());
    };
    assert!(
        error.reason.contains("returned a non-zero code: 7"),
        "{}",
        error.reason
    );
    let log = serde_json::to_string(&error.build_log)?;
    assert!(log.contains("before"), "{log}");
    // The step that worked left an image, untagged; the log names it
    // (` ---> ID`), after the base image's own line.
    let base = docker.images().get(TEST_IMAGE).await?;
    for message in &error.build_log {
        let text = message.get("stream").and_then(|s| s.as_str()).unwrap_or_default();
        if let Some(id) = text.trim().strip_prefix("---> ")
            && id.len() == 12
            && !base.id().trim_start_matches("sha256:").starts_with(id)
        {
            cleanup.image(id);
        }
    }
    Ok(())
}

#[tokio::test]
async fn build_from_a_dockerfile_outside_the_context_and_from_a_tar() -> TestResult {
    let (docker, cleanup) = setup().await?;
    let context = tempfile::tempdir()?;
    let elsewhere = tempfile::tempdir()?;
    write_tree(context.path(), &[("data.txt", "context data")])?;
    let outside = elsewhere.path().join("Dockerfile.outside");
    std::fs::write(&outside, format!("FROM {TEST_IMAGE}\nCOPY data.txt /data.txt\n"))?;
    let tag = unique_tag("outside");
    let built = docker
        .images()
        .build(context.path())
        .forcerm(true)
        .dockerfile(&outside)
        .tag(&tag)
        .send()
        .await?;
    cleanup.image(&tag);
    let data = docker
        .containers()
        .run(&tag)
        .command("cat /data.txt")
        .remove(true)
        .send()
        .await?;
    assert_eq!(data, b"context data");
    let listing = docker
        .containers()
        .run(built.image.id())
        .command("ls -a /")
        .remove(true)
        .send()
        .await?;
    assert!(
        !String::from_utf8_lossy(&listing).contains(".dockerfile"),
        "the generated name stays out"
    );

    let mut tar = tar::Builder::new(Vec::new());
    let text = format!("FROM {TEST_IMAGE}\nLABEL from-tar=yes\n");
    let mut header = tar::Header::new_gnu();
    header.set_size(text.len() as u64);
    header.set_mode(0o644);
    tar.append_data(&mut header, "Dockerfile", text.as_bytes())?;
    let tag = unique_tag("tar");
    let from_tar = docker
        .images()
        .build_tar(tar.into_inner()?)
        .forcerm(true)
        .tag(&tag)
        .send()
        .await?;
    cleanup.image(&tag);
    assert_eq!(
        from_tar.image.labels().get("from-tar").map(String::as_str),
        Some("yes")
    );

    let bad = tempfile::tempdir()?;
    write_tree(
        bad.path(),
        &[("Dockerfile", "FROM scratch\n"), (".dockerignore", "[unclosed\n")],
    )?;
    let refused = docker.images().build(bad.path()).forcerm(true).send().await;
    assert!(
        matches!(&refused, Err(Error::InvalidArgument { argument, .. }) if argument == "dockerignore"),
        "{refused:?}"
    );
    let missing = docker
        .images()
        .build(bad.path())
        .forcerm(true)
        .dockerfile("nope/Dockerfile")
        .send()
        .await;
    assert!(
        matches!(missing, Err(Error::InvalidArgument { .. })),
        "{missing:?}"
    );
    Ok(())
}

#[tokio::test]
async fn build_a_gzipped_context_to_a_target_stage() -> TestResult {
    let (docker, cleanup) = setup().await?;
    let context = tempfile::tempdir()?;
    let dockerfile = format!(
        "FROM {TEST_IMAGE} AS first\nRUN echo first > /stage\nFROM {TEST_IMAGE} AS second\nRUN echo second > /stage\n"
    );
    write_tree(context.path(), &[("Dockerfile", dockerfile.as_str())])?;
    let tag = unique_tag("target");
    docker
        .images()
        .build(context.path())
        .forcerm(true)
        .gzip(true)
        .target("first")
        .tag(&tag)
        .send()
        .await?;
    cleanup.image(&tag);
    let stage = docker
        .containers()
        .run(&tag)
        .command("cat /stage")
        .remove(true)
        .send()
        .await?;
    assert_eq!(stage, b"first\n");
    Ok(())
}

/// The files of `image` under `/ctx`, with symlinks marked, one per line.
async fn context_listing(
    docker: &DockerClient,
    image: &str,
) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let listing = docker
        .containers()
        .run(image)
        .command([
            "sh",
            "-c",
            "cd /ctx && find . | sort && find . -type l | sed 's/^/link /' | sort",
        ])
        .remove(true)
        .send()
        .await?;
    Ok(String::from_utf8(listing)?)
}

#[tokio::test]
async fn a_tricky_context_reaches_the_engine_as_the_docker_cli_sends_it() -> TestResult {
    let (docker, cleanup) = setup().await?;
    let context = tempfile::tempdir()?;
    let dockerfile = format!("FROM {TEST_IMAGE}\nCOPY . /ctx/\n");
    write_tree(
        context.path(),
        &[
            ("Dockerfile", dockerfile.as_str()),
            (
                ".dockerignore",
                "# tricky\n*.md\ndir/**\n!dir/nested/keep me.txt\n!dir/nested/deeper\n/top/ignored\n./also-ignored\n",
            ),
            ("with space.txt", "s"),
            ("ünïcödé ✓.txt", "u"),
            ("README.md", "ignored"),
            ("sub/notes.md", "ignored too"),
            ("dir/nested/keep me.txt", "kept by an exception"),
            ("dir/nested/skip.txt", "excluded"),
            ("dir/nested/deeper/x.txt", "kept with its directory"),
            ("dir/other/y.txt", "excluded"),
            ("top/ignored/z.txt", "excluded"),
            ("top/kept.txt", "kept"),
            ("also-ignored", "excluded"),
        ],
    )?;
    std::os::unix::fs::symlink("with space.txt", context.path().join("link to space"))?;
    std::os::unix::fs::symlink("does-not-exist", context.path().join("dangling link"))?;

    let ours = unique_tag("tricky-ours");
    docker
        .images()
        .build(context.path())
        .forcerm(true)
        .tag(&ours)
        .send()
        .await?;
    cleanup.image(&ours);

    let cli = unique_tag("tricky-cli");
    let host = format!("unix://{}", docker_sdk_tests::engine_socket().display());
    let context_path = context.path().to_path_buf();
    let cli_tag = cli.clone();
    let status = tokio::task::spawn_blocking(move || {
        std::process::Command::new("docker")
            .args(["build", "-q", "-t", &cli_tag])
            .arg(&context_path)
            .env("DOCKER_HOST", host)
            .env("DOCKER_BUILDKIT", "0")
            .output()
    })
    .await??;
    cleanup.image(&cli);
    assert!(
        status.status.success(),
        "docker build: {}",
        String::from_utf8_lossy(&status.stderr)
    );

    let ours = context_listing(&docker, &ours).await?;
    let theirs = context_listing(&docker, &cli).await?;
    assert_eq!(ours, theirs);
    for expected in [
        "./with space.txt",
        "./ünïcödé ✓.txt",
        "./dir/nested/keep me.txt",
        "./dir/nested/deeper/x.txt",
        "link ./link to space",
    ] {
        assert!(
            ours.lines().any(|l| l == expected),
            "{expected} missing from\n{ours}"
        );
    }
    for absent in [
        "./README.md",
        "./dir/nested/skip.txt",
        "./dir/other",
        "./top/ignored",
        "./also-ignored",
    ] {
        assert!(
            !ours.lines().any(|l| l == absent),
            "{absent} should be left out:\n{ours}"
        );
    }
    Ok(())
}
