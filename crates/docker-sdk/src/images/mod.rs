//! Images: the collection (`client.images()`) and its objects.
//!
//! Listing, inspecting, tagging, removing, saving and loading are here;
//! pulling and pushing (with registry credentials) in `registry`, building
//! in `build`, and the decoded progress of pulls, pushes, builds and loads
//! in [`progress`].

mod build;
pub mod progress;
mod registry;

use std::collections::HashMap;

use crate::DockerClient;
use crate::api::types;
use crate::containers::ArchiveStream;
use crate::error::{Error, Result};
use crate::filters::Filters;
pub use build::{Build, BuildStream, Built};
pub use progress::{ProgressMessage, ProgressStream};
pub(crate) use registry::auth_header;
pub use registry::{Pull, Push, RegistryData};

/// Images on the engine (docker-py's `client.images`).
#[derive(Clone, Debug)]
pub struct Images {
    client: DockerClient,
}

/// An image, as the engine last described it (docker-py's `Image`).
#[derive(Clone, Debug)]
pub struct Image {
    client: DockerClient,
    attrs: Box<types::ImageInspect>,
}

/// What [`Images::prune`] removed.
#[derive(Clone, Debug, Default)]
pub struct PrunedImages {
    /// What was untagged and deleted, as the engine lists it.
    pub deleted: Vec<types::ImageDeleteResponseItem>,
    /// Bytes freed.
    pub space_reclaimed: i64,
}

impl Images {
    pub(crate) fn new(client: DockerClient) -> Self {
        Images { client }
    }

    /// The client this collection belongs to.
    pub fn client(&self) -> &DockerClient {
        &self.client
    }

    /// An image by name, tag, digest or id.
    ///
    /// # Errors
    ///
    /// [`Error::ImageNotFound`] when there is no such image.
    pub async fn get(&self, name: &str) -> Result<Image> {
        let inspect = self
            .client
            .call("images.get", |api| api.image_inspect().name(name).send())
            .await
            .map_err(image_not_found)?;
        Ok(Image {
            client: self.client.clone(),
            attrs: Box::new(inspect),
        })
    }

    /// Lists images (`docker images`); see [`ListImages`].
    ///
    /// ```no_run
    /// # async fn example(docker: docker_sdk::DockerClient) -> docker_sdk::Result<()> {
    /// for image in docker.images().list().name("busybox").send().await? {
    ///     println!("{} {:?}", image.short_id(), image.tags());
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn list(&self) -> ListImages {
        ListImages {
            client: self.client.clone(),
            name: None,
            all: false,
            filters: Filters::new(),
        }
    }

    /// Removes an image (or a tag of it): docker-py's `remove`. Returns what
    /// was untagged and deleted.
    ///
    /// # Errors
    ///
    /// [`Error::ImageNotFound`]; [`Error::Conflict`] when a container uses
    /// it (without `force`) or it has several tags and is named by id.
    pub async fn remove(
        &self,
        image: &str,
        force: bool,
        noprune: bool,
    ) -> Result<Vec<types::ImageDeleteResponseItem>> {
        self.client
            .call("images.remove", |api| {
                api.image_delete()
                    .name(image)
                    .force(force)
                    .noprune(noprune)
                    .send()
            })
            .await
            .map_err(image_not_found)
    }

    /// Removes unused images: dangling ones, or all unused with the filter
    /// `dangling=false` (`docker image prune [-a]`).
    ///
    /// # Errors
    ///
    /// The engine's refusal, such as a prune already running (409).
    pub async fn prune(&self, filters: impl Into<Filters>) -> Result<PrunedImages> {
        let filters = filters.into().to_query();
        let pruned = self
            .client
            .call("images.prune", |api| {
                let mut request = api.image_prune();
                if let Some(filters) = filters {
                    request = request.filters(filters);
                }
                request.send()
            })
            .await?;
        Ok(PrunedImages {
            deleted: pruned.images_deleted.unwrap_or_default(),
            space_reclaimed: pruned.space_reclaimed.unwrap_or_default(),
        })
    }

    /// Searches Docker Hub (through the engine) for images.
    ///
    /// # Errors
    ///
    /// The engine's error when the index cannot be reached.
    pub async fn search(
        &self,
        term: &str,
        limit: Option<i64>,
    ) -> Result<Vec<types::ImageSearchResponseItem>> {
        self.client
            .call("images.search", |api| {
                let mut request = api.image_search().term(term);
                if let Some(limit) = limit {
                    request = request.limit(limit);
                }
                request.send()
            })
            .await
    }

    /// Loads images from a tar archive (as made by [`Image::save`] or
    /// `docker save`), streamed from the body; returns the loaded images
    /// (docker-py's `load`).
    ///
    /// ```no_run
    /// # async fn example(docker: docker_sdk::DockerClient) -> Result<(), Box<dyn std::error::Error>> {
    /// let archive = tokio::fs::File::open("busybox.tar").await?;
    /// let loaded = docker.images().load(archive).await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Stream`] when the engine refuses the archive.
    pub async fn load(&self, archive: impl Into<reqwest::Body>) -> Result<Vec<Image>> {
        let client = &self.client;
        let api = client.api().await?;
        let operation = "images.load";
        let request = api.client.image_load().quiet(true).body(archive.into());
        let response = client
            .respond_within(operation, Some(api.version), None, request.send())
            .await?;
        // The engine's load messages have the shape of build messages.
        let messages: Vec<types::BuildInfo> = ProgressStream::new(
            response.into_inner().into_inner(),
            operation,
            client.host().to_string(),
        )
        .collect_all()
        .await?;
        let mut images = Vec::new();
        for message in messages {
            let Some(text) = message.stream.as_deref() else {
                continue;
            };
            let loaded = text
                .trim()
                .strip_prefix("Loaded image ID: ")
                .or_else(|| text.trim().strip_prefix("Loaded image: "));
            if let Some(name) = loaded {
                images.push(self.get(name).await?);
            }
        }
        Ok(images)
    }
}

/// A 404 about an image is `ImageNotFound` whatever its wording.
fn image_not_found(error: Error) -> Error {
    match error {
        Error::NotFound { explanation } => Error::ImageNotFound { explanation },
        other => other,
    }
}

/// The engine refuses a malformed reference with a 400 or (20.10) a 500;
/// either is docker-py's `InvalidRepository`.
fn invalid_reference(error: Error, name: &str) -> Error {
    match error {
        Error::Api { explanation, .. } if explanation.contains("invalid reference format") => {
            Error::InvalidRepository {
                name: name.to_owned(),
                reason: explanation,
            }
        }
        other => other,
    }
}

/// Options of [`Images::list`], as docker-py names them.
#[derive(Debug)]
#[must_use = "nothing is sent until `send`"]
pub struct ListImages {
    client: DockerClient,
    name: Option<String>,
    all: bool,
    filters: Filters,
}

impl ListImages {
    /// Only images of this repository (`busybox`, `busybox:1.36`,
    /// `localhost:5000/app`).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Include intermediate images.
    pub fn all(mut self, all: bool) -> Self {
        self.all = all;
        self
    }

    /// Only images matching these filters (`dangling`, `label`, `before`,
    /// `since`, `reference`).
    pub fn filters(mut self, filters: impl Into<Filters>) -> Self {
        self.filters = self.filters.merge(filters.into());
        self
    }

    /// Lists; each image is inspected, as docker-py does.
    ///
    /// # Errors
    ///
    /// The engine's refusal of a filter; an image removed in between is
    /// skipped.
    pub async fn send(self) -> Result<Vec<Image>> {
        let mut filters = self.filters;
        if let Some(name) = self.name {
            filters = filters.add("reference", name);
        }
        let filters = filters.to_query();
        let summaries = self
            .client
            .call("images.list", |api| {
                let mut request = api.image_list().all(self.all);
                if let Some(filters) = filters {
                    request = request.filters(filters);
                }
                request.send()
            })
            .await?;
        let images = Images::new(self.client.clone());
        let mut listed = Vec::with_capacity(summaries.len());
        for summary in summaries {
            match images.get(&summary.id).await {
                Ok(image) => listed.push(image),
                Err(Error::ImageNotFound { .. }) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(listed)
    }
}

impl Image {
    /// What the engine said about the image.
    pub fn attrs(&self) -> &types::ImageInspect {
        &self.attrs
    }

    /// The image's id (`sha256:…`).
    pub fn id(&self) -> &str {
        self.attrs.id.as_deref().unwrap_or_default()
    }

    /// The id as docker-py shortens it: `sha256:` and 12 hex digits.
    pub fn short_id(&self) -> &str {
        let id = self.id();
        let keep = if id.starts_with("sha256:") { 19 } else { 12 };
        id.get(..keep).unwrap_or(id)
    }

    /// The image's labels.
    pub fn labels(&self) -> HashMap<String, String> {
        let labels = self.attrs.config.as_ref().and_then(|c| c.labels.clone());
        labels.unwrap_or_default()
    }

    /// The image's tags (`repo:tag`), without the `<none>:<none>` of an
    /// untagged image.
    pub fn tags(&self) -> Vec<String> {
        let tags = self.attrs.repo_tags.clone().unwrap_or_default();
        tags.into_iter().filter(|t| t != "<none>:<none>").collect()
    }

    /// Fetches the image's attributes again.
    ///
    /// # Errors
    ///
    /// [`Error::ImageNotFound`] once it is gone.
    pub async fn reload(&mut self) -> Result<()> {
        let id = self.id().to_owned();
        *self = Images::new(self.client.clone()).get(&id).await?;
        Ok(())
    }

    /// The image's layers and the instructions that made them.
    ///
    /// # Errors
    ///
    /// [`Error::ImageNotFound`] once it is gone.
    pub async fn history(&self) -> Result<Vec<types::ImageHistoryResponseItem>> {
        let id = self.id();
        self.client
            .call("images.history", |api| api.image_history().name(id).send())
            .await
            .map_err(image_not_found)
    }

    /// Tags the image (`docker tag`): `tag` defaults to `latest` in the
    /// engine.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRepository`] for a repository the engine refuses.
    pub async fn tag(&self, repository: &str, tag: Option<&str>) -> Result<()> {
        let id = self.id();
        self.client
            .call("images.tag", |api| {
                let mut request = api.image_tag().name(id).repo(repository);
                if let Some(tag) = tag {
                    request = request.tag(tag);
                }
                request.send()
            })
            .await
            .map_err(|error| invalid_reference(error, repository))
    }

    /// The image as a tar archive (`docker save`), streamed; the archive
    /// names the image by its id (docker-py's `save()`).
    ///
    /// ```no_run
    /// # async fn example(image: docker_sdk::images::Image) -> docker_sdk::Result<()> {
    /// let mut file = tokio::fs::File::create("image.tar").await.ok().unwrap();
    /// tokio::io::copy(&mut image.save().await?.into_reader(), &mut file).await.ok();
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::ImageNotFound`] once it is gone.
    pub async fn save(&self) -> Result<ArchiveStream> {
        self.save_as(self.id().to_owned()).await
    }

    /// As [`Image::save`], with a tag kept in the archive so that loading
    /// it tags the image again (docker-py's `named`): the given tag, or the
    /// first one.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for a tag the image does not have, or an
    /// image without tags; [`Error::ImageNotFound`] once it is gone.
    pub async fn save_named(&self, tag: Option<&str>) -> Result<ArchiveStream> {
        let tags = self.tags();
        let name = match tag {
            None => tags.first().cloned(),
            Some(tag) => tags.iter().find(|t| *t == tag).cloned(),
        };
        let name = name.ok_or_else(|| {
            Error::invalid_argument(
                "named",
                format!("{tag:?} is not one of the image's tags {tags:?}"),
            )
        })?;
        self.save_as(name).await
    }

    async fn save_as(&self, name: String) -> Result<ArchiveStream> {
        let client = &self.client;
        let api = client.api().await?;
        let operation = "images.save";
        let response = client
            .respond(
                operation,
                Some(api.version),
                api.client.image_get().name(&name).send(),
            )
            .await
            .map_err(image_not_found)?;
        Ok(ArchiveStream::from_body(
            response.into_inner(),
            operation,
            client.host().to_string(),
        ))
    }
}
