//! Containers: the collection (`client.containers()`) and its objects.
//!
//! This module starts with listing and getting; running, creating and every
//! container method arrive with the containers issue.

use std::collections::HashMap;

use crate::DockerClient;
use crate::api::types;
use crate::error::{Error, Result};
use crate::filters::Filters;

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
        Ok(Container {
            client: self.client.clone(),
            attrs: ContainerAttrs::Inspect(Box::new(inspect)),
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

impl Container {
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
