//! Containers: the collection (`client.containers()`) and its objects.
//!
//! The collection creates, runs, finds and prunes containers; a
//! [`Container`] is one of them, with docker-py's methods. Each concern has
//! its module: the lifecycle calls, logs and attach, exec, archives, stats.

mod archive;
mod create;
mod exec;
mod lifecycle;
mod logs;
mod stats;
mod update;

use std::collections::HashMap;

use crate::DockerClient;
use crate::api::types;
use crate::error::{Error, Result};
use crate::filters::Filters;

pub use archive::{ArchiveStream, PathStat};
pub use create::{ContainerBuilder, Create, Run};
pub use exec::{Exec, ExecOutput, ExecRun, ExecSocket};
pub use lifecycle::{Commit, FilesystemChange, Remove, Signal, Stop, Wait};
pub(crate) use logs::output_stream;
pub use logs::{Attach, AttachSocket, Logs};
pub use stats::{Stats, StatsSample, StatsStream};
pub use update::Update;

/// Containers on the engine (docker-py's `client.containers`).
#[derive(Clone, Debug)]
pub struct Containers {
    client: DockerClient,
}

/// A container: its attributes as the engine last described them, and its
/// identity (docker-py's `Container`).
#[derive(Clone, Debug)]
pub struct Container {
    client: DockerClient,
    attrs: ContainerAttrs,
}

/// What the engine said about a container: the full inspect, or the short
/// summary of a list (docker-py's `sparse=True`).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ContainerAttrs {
    /// `GET /containers/{id}/json`.
    Inspect(Box<types::ContainerInspectResponse>),
    /// One entry of `GET /containers/json`.
    Summary(Box<types::ContainerSummary>),
}

impl Containers {
    pub(crate) fn new(client: DockerClient) -> Self {
        Self { client }
    }

    /// The client this collection belongs to.
    pub fn client(&self) -> &DockerClient {
        &self.client
    }

    /// A container by id or name.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when there is no such container.
    pub async fn get(&self, id_or_name: &str) -> Result<Container> {
        let inspect = self
            .client
            .call("containers.get", |api| {
                api.container_inspect().id(id_or_name).send()
            })
            .await?;
        Ok(Container::from_inspect(self.client.clone(), inspect))
    }

    /// Removes stopped containers (`docker container prune`), those matching
    /// `filters` if any (`until`, `label`).
    ///
    /// # Errors
    ///
    /// The engine's refusal, such as a prune already running (409).
    pub async fn prune(&self, filters: impl Into<Filters>) -> Result<Pruned> {
        let filters = filters.into().to_query();
        let pruned = self
            .client
            .call("containers.prune", |api| {
                let mut request = api.container_prune();
                if let Some(filters) = filters {
                    request = request.filters(filters);
                }
                request.send()
            })
            .await?;
        Ok(Pruned {
            deleted: pruned.containers_deleted.unwrap_or_default(),
            space_reclaimed: pruned.space_reclaimed.unwrap_or_default(),
        })
    }

    /// Lists containers (`docker ps`): running ones unless `all`.
    ///
    /// ```no_run
    /// # async fn example(docker: docker_sdk::DockerClient) -> docker_sdk::Result<()> {
    /// let web = docker.containers().list().all(true).filters([("label", "app=web")]).sparse(true).send().await?;
    /// for container in web {
    ///     println!("{} {:?}", container.short_id(), container.name());
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn list(&self) -> ListContainers {
        ListContainers {
            client: self.client.clone(),
            all: false,
            limit: None,
            filters: Filters::new(),
            sparse: false,
            ignore_removed: false,
        }
    }
}

/// Options of [`Containers::list`], as docker-py names them.
#[derive(Debug)]
#[must_use = "nothing is sent until `send`"]
pub struct ListContainers {
    client: DockerClient,
    all: bool,
    limit: Option<i64>,
    filters: Filters,
    sparse: bool,
    ignore_removed: bool,
}

impl ListContainers {
    /// Include stopped containers.
    pub fn all(mut self, all: bool) -> Self {
        self.all = all;
        self
    }

    /// Only containers created after this one (id or name).
    pub fn since(mut self, container: impl Into<String>) -> Self {
        self.filters = self.filters.add("since", container.into());
        self
    }

    /// Only containers created before this one (id or name).
    pub fn before(mut self, container: impl Into<String>) -> Self {
        self.filters = self.filters.add("before", container.into());
        self
    }

    /// At most this many, newest first (also stopped ones).
    pub fn limit(mut self, limit: i64) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Only containers matching these filters.
    pub fn filters(mut self, filters: impl Into<Filters>) -> Self {
        self.filters = self.filters.merge(filters.into());
        self
    }

    /// Keep the list's summaries instead of inspecting each container: one
    /// request in all, fewer attributes.
    pub fn sparse(mut self, sparse: bool) -> Self {
        self.sparse = sparse;
        self
    }

    /// Skip containers removed between the list and their inspection
    /// (without `sparse`), instead of failing with `NotFound`.
    pub fn ignore_removed(mut self, ignore: bool) -> Self {
        self.ignore_removed = ignore;
        self
    }

    /// Lists.
    ///
    /// # Errors
    ///
    /// The engine's refusal (bad filters are a 400), a transport error, or a
    /// container removed before it was inspected (unless `ignore_removed`).
    pub async fn send(self) -> Result<Vec<Container>> {
        let client = &self.client;
        let filters = self.filters.to_query();
        let summaries = client
            .call("containers.list", |api| {
                let mut request = api.container_list().all(self.all);
                if let Some(limit) = self.limit {
                    request = request.limit(limit);
                }
                if let Some(filters) = filters {
                    request = request.filters(filters);
                }
                request.send()
            })
            .await?;
        if self.sparse {
            let wrap = |summary| Container {
                client: client.clone(),
                attrs: ContainerAttrs::Summary(Box::new(summary)),
            };
            return Ok(summaries.into_iter().map(wrap).collect());
        }
        let containers = Containers::new(client.clone());
        let mut listed = Vec::with_capacity(summaries.len());
        for id in summaries.into_iter().filter_map(|s| s.id) {
            match containers.get(&id).await {
                Ok(container) => listed.push(container),
                Err(Error::NotFound { .. }) if self.ignore_removed => {}
                Err(error) => return Err(error),
            }
        }
        Ok(listed)
    }
}

/// What [`Containers::prune`] removed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    /// The ids of the removed containers.
    pub deleted: Vec<String>,
    /// Bytes freed.
    pub space_reclaimed: i64,
}

impl Container {
    pub(crate) fn from_inspect(client: DockerClient, inspect: types::ContainerInspectResponse) -> Self {
        Container {
            client,
            attrs: ContainerAttrs::Inspect(Box::new(inspect)),
        }
    }

    /// The client this container belongs to.
    pub fn client(&self) -> &DockerClient {
        &self.client
    }

    /// The full inspect, fetched now when the container came from a sparse
    /// list. Later calls keep using the attributes as they were.
    async fn inspected(&self) -> Result<std::borrow::Cow<'_, types::ContainerInspectResponse>> {
        match &self.attrs {
            ContainerAttrs::Inspect(inspect) => Ok(std::borrow::Cow::Borrowed(inspect)),
            ContainerAttrs::Summary(_) => {
                let id = self.id();
                let inspect = self
                    .client
                    .call("containers.get", |api| api.container_inspect().id(id).send())
                    .await?;
                Ok(std::borrow::Cow::Owned(inspect))
            }
        }
    }

    /// Whether the container has a TTY, whose output is raw rather than
    /// multiplexed.
    async fn has_tty(&self) -> Result<bool> {
        let inspect = self.inspected().await?;
        Ok(inspect.config.as_ref().is_some_and(|c| c.tty))
    }

    /// The id of the container's image.
    pub fn image_id(&self) -> Option<&str> {
        match &self.attrs {
            ContainerAttrs::Inspect(inspect) => inspect.image.as_deref(),
            ContainerAttrs::Summary(summary) => summary.image_id.as_deref(),
        }
    }

    /// The container's image (docker-py's `image`), fetched now.
    ///
    /// # Errors
    ///
    /// [`Error::ImageNotFound`] when the image has been removed since.
    pub async fn image(&self) -> Result<crate::images::Image> {
        let id = self.image_id().ok_or_else(|| Error::Decode {
            operation: "containers.image",
            message: "the engine named no image for this container".to_owned(),
        })?;
        self.client.images().get(id).await
    }

    /// The container's status, as `docker ps` says it: `created`,
    /// `running`, `paused`, `restarting`, `removing`, `exited` or `dead`.
    pub fn status(&self) -> Option<String> {
        match &self.attrs {
            ContainerAttrs::Inspect(inspect) => inspect
                .state
                .as_ref()
                .and_then(|s| s.status.as_ref())
                .map(ToString::to_string),
            ContainerAttrs::Summary(summary) => summary.state.as_ref().map(ToString::to_string),
        }
    }

    /// The health check's verdict (`starting`, `healthy`, `unhealthy`), or
    /// `unknown` when the container has no health check (docker-py's
    /// `health`).
    pub fn health(&self) -> String {
        let status = match &self.attrs {
            ContainerAttrs::Inspect(inspect) => inspect
                .state
                .as_ref()
                .and_then(|s| s.health.as_ref())
                .and_then(|h| h.status.as_ref())
                .map(ToString::to_string),
            #[cfg(api_1_52)]
            ContainerAttrs::Summary(summary) => summary
                .health
                .as_ref()
                .and_then(|h| h.status.as_ref())
                .map(ToString::to_string),
            // Lists said nothing of health before 1.52.
            #[cfg(not(api_1_52))]
            ContainerAttrs::Summary(_) => None,
        };
        match status.as_deref() {
            None | Some("none") => "unknown".to_owned(),
            Some(status) => status.to_owned(),
        }
    }

    /// The published ports: container port (`80/tcp`) to the host
    /// addresses bound to it (docker-py's `ports`). Empty for a sparse list
    /// entry; [`Container::reload`] first.
    pub fn ports(&self) -> HashMap<String, Vec<types::PortBinding>> {
        let ContainerAttrs::Inspect(inspect) = &self.attrs else {
            return HashMap::new();
        };
        let ports = inspect.network_settings.as_ref().and_then(|n| n.ports.clone());
        ports
            .map(|ports| {
                ports
                    .0
                    .into_iter()
                    .map(|(k, v)| (k, v.unwrap_or_default()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// What the engine said about the container when it was fetched.
    pub fn attrs(&self) -> &ContainerAttrs {
        &self.attrs
    }

    /// The container's full id.
    pub fn id(&self) -> &str {
        match &self.attrs {
            ContainerAttrs::Inspect(inspect) => inspect.id.as_deref().unwrap_or_default(),
            ContainerAttrs::Summary(summary) => summary.id.as_deref().unwrap_or_default(),
        }
    }

    /// The first 12 characters of the id, as `docker ps` shows it.
    pub fn short_id(&self) -> &str {
        let id = self.id();
        id.get(..12).unwrap_or(id)
    }

    /// The container's name, without the leading `/`.
    pub fn name(&self) -> Option<&str> {
        let name = match &self.attrs {
            ContainerAttrs::Inspect(inspect) => inspect.name.as_deref(),
            ContainerAttrs::Summary(summary) => {
                summary.names.as_ref().and_then(|n| n.first()).map(String::as_str)
            }
        };
        name.map(|n| n.trim_start_matches('/'))
    }

    /// The container's labels.
    pub fn labels(&self) -> HashMap<String, String> {
        let labels = match &self.attrs {
            ContainerAttrs::Inspect(inspect) => inspect.config.as_ref().and_then(|c| c.labels.clone()),
            ContainerAttrs::Summary(summary) => summary.labels.clone(),
        };
        labels.unwrap_or_default()
    }

    /// Fetches the container's attributes again (a full inspect).
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] once the container is gone.
    pub async fn reload(&mut self) -> Result<()> {
        let id = self.id().to_owned();
        *self = Containers::new(self.client.clone()).get(&id).await?;
        Ok(())
    }
}
