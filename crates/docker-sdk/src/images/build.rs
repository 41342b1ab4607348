//! Building images (`docker build`, the classic builder) with docker-py's
//! parameters. A directory's context is tarred by
//! [`build_context`](crate::build_context) with the engine's `.dockerignore`
//! rules and streamed to the engine while it is walked.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use futures::TryStreamExt;

use super::{Image, Images, ProgressStream};
use crate::DockerClient;
use crate::api::types;
use crate::build_context::{BuildContext, ContextOptions, ContextStats};
use crate::convert::{self, ByteSize, ExtraHost};
use crate::error::{BuildError, Error, Result};

/// Where a build's context comes from.
#[derive(Debug)]
enum Source {
    /// A directory, tarred here (docker-py's `path`).
    Directory(PathBuf),
    /// A Dockerfile alone, with an empty context (docker-py's `fileobj`).
    Dockerfile(String),
    /// A tar archive made by the caller, maybe gzipped (docker-py's
    /// `custom_context`).
    Tar(reqwest::Body),
    /// A URL the engine fetches: a Git repository, a tarball or a
    /// Dockerfile (docker-py's `path` when it is a URL).
    Remote(String),
}

/// A finished build: the image and every message of its log.
#[derive(Debug)]
pub struct Built {
    /// The image built.
    pub image: Image,
    /// The build's log, message by message.
    pub log: Vec<types::BuildInfo>,
}

impl Images {
    /// Builds an image from a directory (docker-py's `build(path=…)`); see
    /// [`Build`] for the options.
    ///
    /// ```no_run
    /// # async fn example(docker: docker_sdk::DockerClient) -> docker_sdk::Result<()> {
    /// let built = docker
    ///     .images()
    ///     .build("./app")
    ///     .tag("app:dev")
    ///     .buildargs([("VERSION", "1.2")])
    ///     .labels([("team", "infra")])
    ///     .send()
    ///     .await?;
    /// for message in &built.log {
    ///     print!("{}", message.stream.as_deref().unwrap_or_default());
    /// }
    /// println!("built {}", built.image.id());
    /// # Ok(())
    /// # }
    /// ```
    pub fn build(&self, path: impl Into<PathBuf>) -> Build {
        Build::new(self.client.clone(), Source::Directory(path.into()))
    }

    /// Builds from a Dockerfile's text alone, with an empty context
    /// (docker-py's `fileobj`).
    pub fn build_dockerfile(&self, dockerfile: impl Into<String>) -> Build {
        Build::new(self.client.clone(), Source::Dockerfile(dockerfile.into()))
    }

    /// Builds from a context tar made by the caller, plain or gzipped
    /// (docker-py's `custom_context`); it is streamed as given.
    pub fn build_tar(&self, context: impl Into<reqwest::Body>) -> Build {
        Build::new(self.client.clone(), Source::Tar(context.into()))
    }

    /// Builds from a URL the engine fetches itself: a Git repository, a
    /// tarball or a Dockerfile (docker-py's `path` given a URL).
    pub fn build_remote(&self, url: impl Into<String>) -> Build {
        Build::new(self.client.clone(), Source::Remote(url.into()))
    }
}

/// Options of a build, as docker-py names them.
#[derive(Debug)]
#[must_use = "nothing is sent until `send` or `stream`"]
pub struct Build {
    client: DockerClient,
    source: Source,
    tag: Option<String>,
    quiet: bool,
    nocache: bool,
    rm: bool,
    forcerm: bool,
    pull: bool,
    dockerfile: Option<PathBuf>,
    buildargs: BTreeMap<String, String>,
    labels: BTreeMap<String, String>,
    cache_from: Vec<String>,
    target: Option<String>,
    network_mode: Option<String>,
    squash: bool,
    extra_hosts: Vec<ExtraHost>,
    platform: Option<String>,
    shmsize: Option<ByteSize>,
    memory: Option<ByteSize>,
    memswap: Option<ByteSize>,
    cpushares: Option<i64>,
    cpusetcpus: Option<String>,
    gzip: bool,
    use_config_proxy: bool,
    timeout: Option<Duration>,
}

/// A build under way: its progress, and what was sent.
#[derive(Debug)]
pub struct BuildStream {
    /// The build's messages as the engine sends them; a failed step ends it
    /// with [`Error::Stream`].
    pub progress: ProgressStream<types::BuildInfo>,
    /// Entries and bytes of the context tar made here (none for a tar,
    /// a Dockerfile or a URL given by the caller).
    pub context: Option<ContextStats>,
}

impl Build {
    fn new(client: DockerClient, source: Source) -> Self {
        Build {
            client,
            source,
            tag: None,
            quiet: false,
            nocache: false,
            rm: false,
            forcerm: false,
            pull: false,
            dockerfile: None,
            buildargs: BTreeMap::new(),
            labels: BTreeMap::new(),
            cache_from: Vec::new(),
            target: None,
            network_mode: None,
            squash: false,
            extra_hosts: Vec::new(),
            platform: None,
            shmsize: None,
            memory: None,
            memswap: None,
            cpushares: None,
            cpusetcpus: None,
            gzip: false,
            use_config_proxy: true,
            timeout: None,
        }
    }

    /// The tag of the image (`name:tag`).
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tag = Some(tag.into());
        self
    }

    /// Only the image id in the log.
    pub fn quiet(mut self, quiet: bool) -> Self {
        self.quiet = quiet;
        self
    }

    /// Do not use the build cache.
    pub fn nocache(mut self, nocache: bool) -> Self {
        self.nocache = nocache;
        self
    }

    /// Remove intermediate containers after a successful build (docker-py
    /// keeps its old default, off).
    pub fn rm(mut self, rm: bool) -> Self {
        self.rm = rm;
        self
    }

    /// Always remove intermediate containers, even after a failure.
    pub fn forcerm(mut self, forcerm: bool) -> Self {
        self.forcerm = forcerm;
        self
    }

    /// Pull newer base images.
    pub fn pull(mut self, pull: bool) -> Self {
        self.pull = pull;
        self
    }

    /// The Dockerfile: a path relative to the context, or anywhere else
    /// (it is then added to the context under a generated name, as
    /// docker-py does).
    pub fn dockerfile(mut self, dockerfile: impl Into<PathBuf>) -> Self {
        self.dockerfile = Some(dockerfile.into());
        self
    }

    /// Build-time variables (`ARG`s).
    pub fn buildargs<I, K, V>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        self.buildargs
            .extend(args.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// Labels of the image.
    pub fn labels<I, K, V>(mut self, labels: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        self.labels
            .extend(labels.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// Images to use as cache sources.
    pub fn cache_from<I, S>(mut self, images: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.cache_from.extend(images.into_iter().map(Into::into));
        self
    }

    /// The stage to build, in a multi-stage Dockerfile.
    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    /// The network of `RUN` steps (`bridge`, `host`, `none`, a network).
    pub fn network_mode(mut self, mode: impl Into<String>) -> Self {
        self.network_mode = Some(mode.into());
        self
    }

    /// Squash the new layers into one (experimental engines).
    pub fn squash(mut self, squash: bool) -> Self {
        self.squash = squash;
        self
    }

    /// An `/etc/hosts` entry for `RUN` steps: `("db", "10.0.0.2")`.
    pub fn extra_host(mut self, host: impl Into<ExtraHost>) -> Self {
        self.extra_hosts.push(host.into());
        self
    }

    /// The platform to build for (`linux/arm64`).
    pub fn platform(mut self, platform: impl Into<String>) -> Self {
        self.platform = Some(platform.into());
        self
    }

    /// Size of `/dev/shm` in `RUN` steps.
    pub fn shmsize(mut self, size: impl Into<ByteSize>) -> Self {
        self.shmsize = Some(size.into());
        self
    }

    /// docker-py's `container_limits["memory"]`.
    pub fn memory(mut self, limit: impl Into<ByteSize>) -> Self {
        self.memory = Some(limit.into());
        self
    }

    /// docker-py's `container_limits["memswap"]`; -1 for unlimited swap.
    pub fn memswap(mut self, limit: impl Into<ByteSize>) -> Self {
        self.memswap = Some(limit.into());
        self
    }

    /// docker-py's `container_limits["cpushares"]`.
    pub fn cpushares(mut self, shares: i64) -> Self {
        self.cpushares = Some(shares);
        self
    }

    /// docker-py's `container_limits["cpusetcpus"]`.
    pub fn cpusetcpus(mut self, cpus: impl Into<String>) -> Self {
        self.cpusetcpus = Some(cpus.into());
        self
    }

    /// Gzip the context made from a directory.
    pub fn gzip(mut self, gzip: bool) -> Self {
        self.gzip = gzip;
        self
    }

    /// Pass `config.json`'s proxies as build arguments (docker-py's
    /// `use_config_proxy`, on by default); explicit `buildargs` win.
    pub fn use_config_proxy(mut self, use_it: bool) -> Self {
        self.use_config_proxy = use_it;
        self
    }

    /// How long to wait for the engine to start answering, upload
    /// included (default: the client's timeout).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Starts the build; its log arrives as the engine writes it.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for a bad option, a missing Dockerfile or
    /// a bad `.dockerignore` pattern, before anything is sent; the engine's
    /// refusal; a credential helper's failure.
    pub async fn stream(mut self) -> Result<BuildStream> {
        let size = |argument: &str, value: &Option<ByteSize>| {
            value
                .as_ref()
                .map(|v| convert::parse_bytes(argument, v))
                .transpose()
        };
        let shmsize = size("shmsize", &self.shmsize)?;
        let memory = size("container_limits", &self.memory)?;
        let memswap = self
            .memswap
            .as_ref()
            .map(|v| convert::parse_swap_bytes("container_limits", v))
            .transpose()?;
        let extra_hosts = convert::extra_hosts(&self.extra_hosts)?;
        let environment = self.client.environment().clone();
        let credstore_env = self.client.credstore_env().clone();
        if self.use_config_proxy
            && let Ok(config) = crate::auth::ConfigFile::load(&environment, None)
        {
            for entry in config.proxy_environment(None) {
                if let Some((key, value)) = entry.split_once('=') {
                    self.buildargs
                        .entry(key.to_owned())
                        .or_insert_with(|| value.to_owned());
                }
            }
        }
        let registries = crate::auth::registry_config(&environment, None, &credstore_env).await?;

        let (body, dockerfile, stats, remote) = self.body()?;
        let client = &self.client;
        let api = client.api().await?;
        let operation = "images.build";
        let mut request = api
            .client
            .image_build()
            .content_type(types::ImageBuildContentType::ApplicationXTar)
            .q(self.quiet)
            .nocache(self.nocache)
            .rm(self.rm)
            .forcerm(self.forcerm)
            .squash(self.squash)
            .body(body);
        if self.pull {
            request = request.pull("1");
        }
        if let Some(tag) = &self.tag {
            request = request.t(tag.clone());
        }
        if let Some(dockerfile) = dockerfile {
            request = request.dockerfile(dockerfile);
        }
        if let Some(remote) = remote {
            request = request.remote(remote);
        }
        if !self.buildargs.is_empty() {
            request = request.buildargs(json(&self.buildargs));
        }
        if !self.labels.is_empty() {
            request = request.labels(json(&self.labels));
        }
        if !self.cache_from.is_empty() {
            request = request.cachefrom(json(&self.cache_from));
        }
        if let Some(target) = &self.target {
            request = request.target(target.clone());
        }
        if let Some(mode) = &self.network_mode {
            request = request.networkmode(mode.clone());
        }
        if !extra_hosts.is_empty() {
            request = request.extrahosts(extra_hosts);
        }
        if let Some(platform) = &self.platform {
            request = request.platform(platform.clone());
        }
        if let Some(shmsize) = shmsize {
            request = request.shmsize(shmsize);
        }
        if let Some(memory) = memory {
            request = request.memory(memory);
        }
        if let Some(memswap) = memswap {
            request = request.memswap(memswap);
        }
        if let Some(shares) = self.cpushares {
            request = request.cpushares(shares);
        }
        if let Some(cpus) = &self.cpusetcpus {
            request = request.cpusetcpus(cpus.clone());
        }
        if !registries.is_empty() {
            request = request.x_registry_config(crate::auth::encode_registry_config(&registries));
        }
        let timeout = Some(self.timeout.unwrap_or(client.timeout()));
        let response = client
            .respond_within(operation, Some(api.version), timeout, request.send())
            .await?;
        Ok(BuildStream {
            progress: ProgressStream::new(
                response.into_inner().into_inner(),
                operation,
                client.host().to_string(),
            ),
            context: stats,
        })
    }

    /// The request body, the Dockerfile name to send, the context's
    /// counters, and the remote URL.
    #[allow(clippy::type_complexity)]
    fn body(
        &mut self,
    ) -> Result<(
        reqwest::Body,
        Option<String>,
        Option<ContextStats>,
        Option<String>,
    )> {
        let source = std::mem::replace(&mut self.source, Source::Remote(String::new()));
        let dockerfile_arg = || self.dockerfile.as_ref().map(|d| d.to_string_lossy().into_owned());
        match source {
            Source::Directory(dir) => {
                let mut options = ContextOptions::new().gzip(self.gzip);
                if let Some(dockerfile) = &self.dockerfile {
                    options = options.dockerfile(dockerfile.clone());
                }
                let context = BuildContext::new(&dir, &options)?;
                let dockerfile = context.dockerfile().to_owned();
                let stream = context.stream()?;
                let stats = stream.stats();
                Ok((
                    reqwest::Body::wrap_stream(stream),
                    Some(dockerfile),
                    Some(stats),
                    None,
                ))
            }
            Source::Dockerfile(text) => {
                let tar = dockerfile_only(text.as_bytes())?;
                Ok((reqwest::Body::from(tar), None, None, None))
            }
            Source::Tar(body) => Ok((body, dockerfile_arg(), None, None)),
            Source::Remote(url) => Ok((reqwest::Body::from(Vec::new()), dockerfile_arg(), None, Some(url))),
        }
    }

    /// Builds to the end: docker-py's `build`, which returns the image and
    /// the log.
    ///
    /// # Errors
    ///
    /// [`Error::Build`] when a step fails, with the engine's reason and the
    /// log up to it; otherwise as for [`Build::stream`].
    pub async fn send(self) -> Result<Built> {
        let client = self.client.clone();
        let mut build = self.stream().await?;
        let mut log = Vec::new();
        let mut image_id = None;
        loop {
            match build.progress.try_next().await {
                Ok(Some(message)) => {
                    if let Some(id) = message.aux.as_ref().and_then(|aux| aux.id.clone()) {
                        image_id = Some(id);
                    }
                    if let Some(id) = message.stream.as_deref().and_then(successfully_built) {
                        image_id = image_id.or(Some(id.to_owned()));
                    }
                    log.push(message);
                }
                Ok(None) => break,
                Err(Error::Stream { message, .. }) => {
                    let build_log = log.iter().filter_map(|m| serde_json::to_value(m).ok()).collect();
                    return Err(Error::Build(Box::new(BuildError {
                        reason: message,
                        build_log,
                    })));
                }
                Err(error) => return Err(error),
            }
        }
        let Some(id) = image_id else {
            return Err(Error::Build(Box::new(BuildError {
                reason: "the build log names no image".to_owned(),
                build_log: log.iter().filter_map(|m| serde_json::to_value(m).ok()).collect(),
            })));
        };
        let image = client.images().get(&id).await?;
        Ok(Built { image, log })
    }
}

/// The id in the classic builder's last line, `Successfully built <id>`.
fn successfully_built(line: &str) -> Option<&str> {
    line.trim().strip_prefix("Successfully built ").map(str::trim)
}

/// A JSON query value (`buildargs`, `labels`, `cachefrom`): maps and lists
/// of strings, which always serialise.
fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// The context of docker-py's `fileobj`: a tar holding just the Dockerfile
/// (mode 0644, owner 0:0, mtime 0, as `mkbuildcontext` makes it).
fn dockerfile_only(dockerfile: &[u8]) -> Result<Vec<u8>> {
    let mut tar = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(dockerfile.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(0);
    header.set_entry_type(tar::EntryType::Regular);
    let archived = tar
        .append_data(&mut header, "Dockerfile", dockerfile)
        .and_then(|()| tar.into_inner());
    archived.map_err(|e| Error::invalid_argument("fileobj", format!("cannot archive the Dockerfile: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_classic_builders_last_line_names_the_image() {
        let cases = [
            ("Successfully built 0123456789ab\n", Some("0123456789ab")),
            (" Successfully built abc ", Some("abc")),
            ("Step 1/2 : FROM scratch\n", None),
            ("", None),
        ];
        for (line, expected) in cases {
            assert_eq!(successfully_built(line), expected, "{line:?}");
        }
    }
}
