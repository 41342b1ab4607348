//! What the engine tests share: the engine to talk to, unique labelled names,
//! a cleanup guard that removes what a test made even when it panics, and the
//! busybox test image, built from Debian's `busybox-static` through the
//! engine's build endpoint (nothing is ever pulled).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

pub mod cluster;
pub mod daemon;
pub mod registry;

use docker_engine_api::v1_41::{self, types};
use futures::TryStreamExt;

/// Label on everything the tests create, so a leftover can be traced and swept.
pub const TEST_LABEL: &str = "docker-sdk-test";

/// The busybox image every engine test runs. It stays between runs (it is
/// built once per machine) and carries its own label, not [`TEST_LABEL`].
pub const TEST_IMAGE: &str = "docker-sdk-test/busybox:latest";

/// Label of the test image.
pub const TEST_IMAGE_LABEL: &str = "docker-sdk-test-image";

/// Where the busybox binary comes from (Debian's `busybox-static`).
pub const BUSYBOX: &str = "/bin/busybox";

pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The socket of the engine under test: `DOCKER_HOST` when it names a unix
/// socket, else the default one.
pub fn engine_socket() -> PathBuf {
    std::env::var("DOCKER_HOST")
        .ok()
        .and_then(|host| host.strip_prefix("unix://").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("/var/run/docker.sock"))
}

/// A raw v1.41 client on the engine under test.
pub fn raw_client() -> v1_41::Client {
    v1_41::Client::connect_unix(engine_socket()).expect("a reqwest client for the engine socket")
}

/// A name no other test (in this or another process) uses: `prefix-PID-N-TIME`.
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{prefix}-{}-{n}-{nanos:x}", std::process::id())
}

/// The labels to put on a test resource: [`TEST_LABEL`] with the test's name.
pub fn test_labels(test: &str) -> HashMap<String, String> {
    HashMap::from([(TEST_LABEL.to_owned(), test.to_owned())])
}

/// `filters` selecting the resources a test labelled with [`test_labels`].
pub fn label_filter(test: &str) -> String {
    serde_json::json!({ "label": [format!("{TEST_LABEL}={test}")] }).to_string()
}

#[derive(Debug)]
enum Resource {
    Container(String),
    Image(String),
    Network(String),
    Volume(String),
}

/// Removes, when dropped, every resource registered with it, even when the
/// test panicked. Removal runs on a runtime of its own, so a guard may be
/// dropped inside or outside an async test.
#[derive(Debug, Default)]
pub struct Cleanup {
    resources: Mutex<Vec<Resource>>,
}

impl Cleanup {
    /// An empty guard.
    pub fn new() -> Self {
        Self::default()
    }

    /// Removes this container (forcibly, with its anonymous volumes).
    pub fn container(&self, id: impl Into<String>) {
        self.push(Resource::Container(id.into()));
    }

    /// Removes this image (forcibly).
    pub fn image(&self, name: impl Into<String>) {
        self.push(Resource::Image(name.into()));
    }

    /// Removes this network.
    pub fn network(&self, id: impl Into<String>) {
        self.push(Resource::Network(id.into()));
    }

    /// Removes this volume.
    pub fn volume(&self, name: impl Into<String>) {
        self.push(Resource::Volume(name.into()));
    }

    fn push(&self, resource: Resource) {
        self.resources
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(resource);
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let mut resources = std::mem::take(&mut *self.resources.lock().unwrap_or_else(|e| e.into_inner()));
        if resources.is_empty() {
            return;
        }
        // Containers go before the images and networks they use.
        resources.reverse();
        let removal = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async move {
                let client = raw_client();
                for resource in &resources {
                    let outcome = match resource {
                        Resource::Container(id) => client
                            .container_delete()
                            .id(id)
                            .force(true)
                            .v(true)
                            .send()
                            .await
                            .map(drop),
                        Resource::Image(name) => client
                            .image_delete()
                            .name(name)
                            .force(true)
                            .send()
                            .await
                            .map(drop),
                        Resource::Network(id) => client.network_delete().id(id).send().await.map(drop),
                        Resource::Volume(name) => client
                            .volume_delete()
                            .name(name)
                            .force(true)
                            .send()
                            .await
                            .map(drop),
                    };
                    match outcome {
                        Ok(()) => {}
                        Err(e) if e.status() == Some(reqwest::StatusCode::NOT_FOUND) => {}
                        Err(e) => eprintln!("cleanup: could not remove {resource:?}: {e}"),
                    }
                }
            });
            Ok::<(), std::io::Error>(())
        });
        match removal.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("cleanup: no runtime to remove test resources: {e}"),
            Err(_) => eprintln!("cleanup: the removal thread panicked"),
        }
    }
}

use docker_engine_api::reqwest;

/// Makes sure [`TEST_IMAGE`] exists, building it if needed; returns its id.
///
/// The image is `FROM scratch` with `/bin/busybox`, a link per applet, and
/// `/tmp`; its context tar is made here and sent to `POST /build`.
pub async fn ensure_test_image(client: &v1_41::Client) -> Result<String, BoxError> {
    static BUILD: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let _one_build_at_a_time = BUILD.lock().await;
    if let Ok(image) = client.image_inspect().name(TEST_IMAGE).send().await {
        return Ok(image.into_inner().id.unwrap_or_default());
    }
    let context = busybox_context()?;
    let response = client
        .image_build()
        .t(TEST_IMAGE)
        .rm(true)
        .forcerm(true)
        .labels(serde_json::json!({ TEST_IMAGE_LABEL: "1" }).to_string())
        .content_type(types::ImageBuildContentType::ApplicationXTar)
        .body(context)
        .send()
        .await?;
    let log = read_to_end(response.into_inner()).await?;
    let image_id = build_result(&log)?;
    Ok(image_id)
}

/// The id of the image a build log ends with, or the error it reports.
pub fn build_result(log: &[u8]) -> Result<String, BoxError> {
    let mut image_id = None;
    for line in log.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        let message: serde_json::Value = serde_json::from_slice(line)?;
        if let Some(error) = message.get("error") {
            return Err(format!("build failed: {error}").into());
        }
        if let Some(id) = message.pointer("/aux/ID").and_then(|v| v.as_str()) {
            image_id = Some(id.to_owned());
        }
    }
    image_id.ok_or_else(|| "the build log names no image".into())
}

/// Reads a byte stream to its end.
pub async fn read_to_end(stream: docker_engine_api::ByteStream) -> Result<Vec<u8>, BoxError> {
    let chunks: Vec<bytes::Bytes> = stream.into_inner().try_collect().await?;
    Ok(chunks.concat())
}

/// The build context of the test image, as a tar archive.
pub fn busybox_context() -> Result<Vec<u8>, BoxError> {
    let busybox = std::fs::read(BUSYBOX).map_err(|e| {
        format!("{BUSYBOX}: {e} (install Debian's busybox-static: apt-get install busybox-static)")
    })?;
    let applets = std::process::Command::new(BUSYBOX).arg("--list").output()?;
    let applets = String::from_utf8(applets.stdout)?;

    let mut tar = tar::Builder::new(Vec::new());
    let dockerfile = "FROM scratch\nCOPY rootfs /\nENV PATH=/bin\nCMD [\"sh\"]\n";
    append_file(&mut tar, "Dockerfile", dockerfile.as_bytes(), 0o644)?;
    append_dir(&mut tar, "rootfs/tmp", 0o1777)?;
    append_dir(&mut tar, "rootfs/bin", 0o755)?;
    append_file(&mut tar, "rootfs/bin/busybox", &busybox, 0o755)?;
    for applet in applets
        .lines()
        .map(str::trim)
        .filter(|a| !a.is_empty() && *a != "busybox")
    {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Symlink);
        header.set_mode(0o777);
        header.set_size(0);
        tar.append_link(&mut header, format!("rootfs/bin/{applet}"), "busybox")?;
    }
    Ok(tar.into_inner()?)
}

fn append_file(tar: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8], mode: u32) -> std::io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(data.len() as u64);
    header.set_mode(mode);
    header.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut header, path, data)
}

fn append_dir(tar: &mut tar::Builder<Vec<u8>>, path: &str, mode: u32) -> std::io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(0);
    header.set_mode(mode);
    header.set_entry_type(tar::EntryType::Directory);
    tar.append_data(&mut header, path, std::io::empty())
}

/// A `docker-sdk` client on the engine under test (API negotiated).
pub fn docker() -> docker_sdk::DockerClient {
    let host = format!("unix://{}", engine_socket().display());
    let environment: docker_sdk::Environment = [("DOCKER_HOST", host)].into_iter().collect();
    docker_sdk::DockerClient::builder()
        .from_environment(environment)
        .build()
        .expect("a docker-sdk client for the engine socket")
}
