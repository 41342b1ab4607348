//! Pulling and pushing, with registry credentials resolved as docker-py
//! resolves them: an explicit `auth_config`, else what this client logged
//! in with, else `config.json` (its `auths`, `credHelpers` and
//! `credsStore`).

use futures::TryStreamExt;

use super::{Image, Images, ProgressStream, image_not_found, invalid_reference};
use crate::DockerClient;
use crate::api::types;
use crate::auth::AuthConfig;
use crate::error::{Error, Result};
use crate::reference::{ImageReference, parse_repository_tag};

impl Images {
    /// Pulls an image (`docker pull`): docker-py's `pull`. The tag comes
    /// from the name (`busybox:1.36`), from [`Pull::tag`], or is `latest`.
    ///
    /// ```no_run
    /// # async fn example(docker: docker_sdk::DockerClient) -> docker_sdk::Result<()> {
    /// let image = docker.images().pull("localhost:5000/app").tag("v1").send().await?;
    /// println!("pulled {}", image.id());
    /// # Ok(())
    /// # }
    /// ```
    pub fn pull(&self, repository: impl Into<String>) -> Pull {
        Pull {
            client: self.client.clone(),
            repository: repository.into(),
            tag: None,
            all_tags: false,
            platform: None,
            auth_config: None,
        }
    }

    /// Pushes an image or a repository (`docker push`): docker-py's `push`.
    ///
    /// ```no_run
    /// # async fn example(docker: docker_sdk::DockerClient) -> docker_sdk::Result<()> {
    /// use futures::TryStreamExt;
    ///
    /// let mut progress = docker.images().push("localhost:5000/app").tag("v1").stream().await?;
    /// while let Some(message) = progress.try_next().await? {
    ///     println!("{:?} {:?}", message.status, message.progress_detail);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn push(&self, repository: impl Into<String>) -> Push {
        Push {
            client: self.client.clone(),
            repository: repository.into(),
            tag: None,
            auth_config: None,
        }
    }

    /// What the image's registry says of it, without pulling it:
    /// docker-py's `get_registry_data` (`GET /distribution/{name}/json`),
    /// with the credentials a pull would use, or `auth_config`'s.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRepository`] for a malformed name (nothing sent);
    /// the engine's error when the registry cannot be reached or refuses.
    pub async fn get_registry_data(
        &self,
        name: &str,
        auth_config: Option<&AuthConfig>,
    ) -> Result<RegistryData> {
        let reference = ImageReference::parse(name)?;
        let header = auth_header(&self.client, reference.registry_key(), auth_config).await?;
        let inspect = self
            .client
            .call("images.get_registry_data", |api| {
                api.distribution_inspect()
                    .name(name)
                    .x_registry_auth(header)
                    .send()
            })
            .await
            .map_err(image_not_found)?;
        Ok(RegistryData {
            image_name: reference.to_string(),
            attrs: inspect,
        })
    }
}

/// The credentials header for `registry`, as docker-py's
/// `get_config_header` finds them (the engine wants one on every push, so
/// an empty one stands for none).
pub(crate) async fn auth_header(
    client: &DockerClient,
    registry: &str,
    explicit: Option<&AuthConfig>,
) -> Result<String> {
    let resolved = match explicit {
        Some(config) => Some(config.clone()),
        None => match client.remembered_login(registry) {
            Some(config) => Some(config),
            None => {
                crate::auth::resolve_auth(client.environment(), None, client.credstore_env(), registry)
                    .await?
            }
        },
    };
    Ok(crate::auth::encode_auth_header(
        resolved.as_ref().unwrap_or(&AuthConfig::default()),
    ))
}

/// Options of [`Images::pull`], as docker-py names them.
#[derive(Debug)]
#[must_use = "nothing is sent until `send` or `stream`"]
pub struct Pull {
    client: DockerClient,
    repository: String,
    tag: Option<String>,
    all_tags: bool,
    platform: Option<String>,
    auth_config: Option<AuthConfig>,
}

impl Pull {
    /// The tag (or `sha256:…` digest) to pull, if the name has none.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tag = Some(tag.into());
        self
    }

    /// Pull every tag of the repository ([`Pull::send_all_tags`]).
    pub fn all_tags(mut self, all_tags: bool) -> Self {
        self.all_tags = all_tags;
        self
    }

    /// The platform to pull (`linux/arm64`).
    pub fn platform(mut self, platform: impl Into<String>) -> Self {
        self.platform = Some(platform.into());
        self
    }

    /// Credentials for this pull, instead of the ones the client finds.
    pub fn auth_config(mut self, auth: AuthConfig) -> Self {
        self.auth_config = Some(auth);
        self
    }

    /// The repository and tag to ask for: docker-py's split of the name.
    fn target(&self) -> Result<(String, Option<String>)> {
        ImageReference::parse(&self.repository)?;
        let (repository, tag) = parse_repository_tag(&self.repository);
        let tag = match (self.all_tags, &self.tag, tag) {
            (true, _, _) => None,
            (false, Some(tag), _) => Some(tag.clone()),
            (false, None, Some(tag)) => Some(tag.to_owned()),
            (false, None, None) => Some("latest".to_owned()),
        };
        Ok((repository.to_owned(), tag))
    }

    /// Starts the pull; its progress arrives as the engine reports it.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRepository`] for a malformed name (nothing sent);
    /// [`Error::ImageNotFound`] when the registry has no such image; a
    /// credential helper's failure. A failure after the start ends the
    /// stream with [`Error::Stream`].
    pub async fn stream(self) -> Result<ProgressStream<types::CreateImageInfo>> {
        let (repository, tag) = self.target()?;
        let registry = ImageReference::parse(&repository)?.registry_key().to_owned();
        let header = auth_header(&self.client, &registry, self.auth_config.as_ref()).await?;
        let client = &self.client;
        let api = client.api().await?;
        let operation = "images.pull";
        let mut request = api
            .client
            .image_create()
            .from_image(repository)
            .x_registry_auth(header)
            .body(Vec::new());
        if let Some(tag) = tag {
            request = request.tag(tag);
        }
        if let Some(platform) = self.platform {
            request = request.platform(platform);
        }
        let response = client
            .respond(operation, Some(api.version), request.send())
            .await
            .map_err(image_not_found)?;
        Ok(ProgressStream::new(
            response.into_inner().into_inner(),
            operation,
            client.host().to_string(),
        ))
    }

    /// Pulls to the end and returns the image (docker-py's `pull`).
    ///
    /// # Errors
    ///
    /// As for [`Pull::stream`].
    pub async fn send(self) -> Result<Image> {
        let (repository, tag) = self.target()?;
        let client = self.client.clone();
        self.stream().await?.try_for_each(|_| async { Ok(()) }).await?;
        let name = match tag {
            Some(tag) if tag.starts_with("sha256:") => format!("{repository}@{tag}"),
            Some(tag) => format!("{repository}:{tag}"),
            None => repository,
        };
        client.images().get(&name).await
    }

    /// Pulls every tag of the repository and returns the images (docker-py's
    /// `pull(all_tags=True)`).
    ///
    /// # Errors
    ///
    /// As for [`Pull::stream`].
    pub async fn send_all_tags(mut self) -> Result<Vec<Image>> {
        self.all_tags = true;
        let (repository, _) = self.target()?;
        let client = self.client.clone();
        self.stream().await?.try_for_each(|_| async { Ok(()) }).await?;
        client.images().list().name(repository).send().await
    }
}

/// Options of [`Images::push`], as docker-py names them.
#[derive(Debug)]
#[must_use = "nothing is sent until `send` or `stream`"]
pub struct Push {
    client: DockerClient,
    repository: String,
    tag: Option<String>,
    auth_config: Option<AuthConfig>,
}

impl Push {
    /// The tag to push, if the name has none (without one, every tag).
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tag = Some(tag.into());
        self
    }

    /// Credentials for this push, instead of the ones the client finds.
    pub fn auth_config(mut self, auth: AuthConfig) -> Self {
        self.auth_config = Some(auth);
        self
    }

    /// Starts the push; its progress arrives as the engine reports it.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRepository`] for a malformed name (nothing sent);
    /// [`Error::ImageNotFound`] for an image not here. A failure after the
    /// start (a refused login, say) ends the stream with [`Error::Stream`].
    pub async fn stream(self) -> Result<ProgressStream<types::PushImageInfo>> {
        ImageReference::parse(&self.repository)?;
        let (repository, name_tag) = parse_repository_tag(&self.repository);
        let tag = self.tag.clone().or(name_tag.map(str::to_owned));
        let registry = ImageReference::parse(repository)?.registry_key().to_owned();
        let header = auth_header(&self.client, &registry, self.auth_config.as_ref()).await?;
        let client = &self.client;
        let api = client.api().await?;
        let operation = "images.push";
        let mut request = api.client.image_push().name(repository).x_registry_auth(header);
        if let Some(tag) = tag {
            request = request.tag(tag);
        }
        let response = client
            .respond(operation, Some(api.version), request.send())
            .await
            .map_err(|error| invalid_reference(image_not_found(error), repository))?;
        Ok(ProgressStream::new(
            response.into_inner().into_inner(),
            operation,
            client.host().to_string(),
        ))
    }

    /// Pushes to the end; returns the progress messages.
    ///
    /// # Errors
    ///
    /// As for [`Push::stream`].
    pub async fn send(self) -> Result<Vec<types::PushImageInfo>> {
        self.stream().await?.collect_all().await
    }
}

/// What a registry says of an image ([`Images::get_registry_data`]).
#[derive(Clone, Debug)]
pub struct RegistryData {
    image_name: String,
    attrs: types::DistributionInspect,
}

impl RegistryData {
    /// The image's name, as asked.
    pub fn image_name(&self) -> &str {
        &self.image_name
    }

    /// The registry's answer.
    pub fn attrs(&self) -> &types::DistributionInspect {
        &self.attrs
    }

    /// The digest of the image's manifest (docker-py's `id`).
    pub fn id(&self) -> &str {
        self.attrs.descriptor.digest.as_deref().unwrap_or_default()
    }

    /// Whether the image is available for `platform` (`os[/arch[/variant]]`,
    /// such as `linux/amd64`): docker-py's `has_platform`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for a platform that is not
    /// `os[/arch[/variant]]`.
    pub fn has_platform(&self, platform: &str) -> Result<bool> {
        let parts: Vec<&str> = platform.split('/').collect();
        if parts.is_empty() || parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
            return Err(Error::invalid_argument(
                "platform",
                format!("{platform:?} is not os[/arch[/variant]], such as linux/amd64"),
            ));
        }
        let platforms = self.attrs.platforms.as_deref().unwrap_or_default();
        Ok(platforms.iter().any(|p| {
            let matches = |wanted: Option<&&str>, have: &Option<String>| {
                wanted.is_none_or(|w| have.as_deref().is_some_and(|h| h.eq_ignore_ascii_case(w)))
            };
            matches(parts.first(), &p.os)
                && matches(parts.get(1), &p.architecture)
                && matches(parts.get(2), &p.variant)
        }))
    }
}
