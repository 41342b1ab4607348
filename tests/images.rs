//! Images through `docker-sdk`, against the real engine and a private
//! registry: inspect, list, tag, history, save and load, remove; pull and
//! push with and without credentials; builds. Each test names what it makes
//! uniquely and removes it, even when it fails.

use std::io::Read;

use docker_sdk::{DockerClient, Error};
use docker_sdk_tests::{
    Cleanup, TEST_IMAGE, TEST_IMAGE_LABEL, docker, ensure_test_image, raw_client, unique_name,
};

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
