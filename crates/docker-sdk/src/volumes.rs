//! Volumes: the collection (`client.volumes()`) and its objects, with
//! docker-py's `VolumeCollection` and `Volume` methods.

use std::collections::HashMap;

use crate::DockerClient;
use crate::api::types;
use crate::convert::{self, Label};
use crate::error::Result;
use crate::filters::Filters;

/// The body of `POST /volumes/create`, renamed in 1.52.
#[cfg(api_1_52)]
type CreateBody = types::VolumeCreateRequest;
#[cfg(not(api_1_52))]
type CreateBody = types::VolumeCreateOptions;

/// Volumes on the engine (docker-py's `client.volumes`).
#[derive(Clone, Debug)]
pub struct Volumes {
    client: DockerClient,
}

/// A volume (docker-py's `Volume`): its attributes as the engine last
/// described them.
#[derive(Clone, Debug)]
pub struct Volume {
    client: DockerClient,
    attrs: types::Volume,
}

/// What [`Volumes::prune`] removed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PrunedVolumes {
    /// The names of the removed volumes.
    pub deleted: Vec<String>,
    /// Bytes freed.
    pub space_reclaimed: i64,
}

impl Volumes {
    pub(crate) fn new(client: DockerClient) -> Self {
        Self { client }
    }

    /// The client this collection belongs to.
    pub fn client(&self) -> &DockerClient {
        &self.client
    }

    /// A volume to create (`docker volume create`); with no name the engine
    /// makes one up.
    ///
    /// ```no_run
    /// # async fn example(docker: docker_sdk::DockerClient) -> docker_sdk::Result<()> {
    /// let volume = docker
    ///     .volumes()
    ///     .create()
    ///     .name("foobar")
    ///     .driver("local")
    ///     .driver_opts([("type", "tmpfs"), ("device", "tmpfs")])
    ///     .labels([("key", "value")])
    ///     .send()
    ///     .await?;
    /// assert_eq!(volume.name(), "foobar");
    /// # Ok(())
    /// # }
    /// ```
    pub fn create(&self) -> CreateVolume {
        CreateVolume {
            client: self.client.clone(),
            name: None,
            driver: None,
            driver_opts: HashMap::new(),
            labels: Vec::new(),
        }
    }

    /// A volume by name.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`](crate::Error::NotFound) when there is no such
    /// volume.
    pub async fn get(&self, name: &str) -> Result<Volume> {
        let attrs = self
            .client
            .call("volumes.get", |api| api.volume_inspect().name(name).send())
            .await?;
        Ok(Volume {
            client: self.client.clone(),
            attrs,
        })
    }

    /// Lists volumes (`docker volume ls`), those matching `filters` if any
    /// (`name`, `driver`, `label`, `dangling`).
    ///
    /// # Errors
    ///
    /// The engine's refusal (bad filters are a 400).
    pub async fn list(&self, filters: impl Into<Filters>) -> Result<Vec<Volume>> {
        let filters = filters.into().to_query();
        let listed = self
            .client
            .call("volumes.list", |api| {
                let mut request = api.volume_list();
                if let Some(filters) = filters {
                    request = request.filters(filters);
                }
                request.send()
            })
            .await?;
        let volumes = listed.volumes.unwrap_or_default().into_iter();
        let wrap = |attrs| Volume {
            client: self.client.clone(),
            attrs,
        };
        Ok(volumes.map(wrap).collect())
    }

    /// Removes volumes no container uses (`docker volume prune`), those
    /// matching `filters` if any (`label`; from API 1.42 `all=true` for
    /// named volumes too, which are otherwise kept).
    ///
    /// # Errors
    ///
    /// The engine's refusal, such as a prune already running (409).
    pub async fn prune(&self, filters: impl Into<Filters>) -> Result<PrunedVolumes> {
        let filters = filters.into().to_query();
        let pruned = self
            .client
            .call("volumes.prune", |api| {
                let mut request = api.volume_prune();
                if let Some(filters) = filters {
                    request = request.filters(filters);
                }
                request.send()
            })
            .await?;
        Ok(PrunedVolumes {
            deleted: pruned.volumes_deleted.unwrap_or_default(),
            space_reclaimed: pruned.space_reclaimed.unwrap_or_default(),
        })
    }
}

/// Options of [`Volumes::create`], as docker-py names them.
#[derive(Debug)]
#[must_use = "nothing is sent until `send`"]
pub struct CreateVolume {
    client: DockerClient,
    name: Option<String>,
    driver: Option<String>,
    driver_opts: HashMap<String, String>,
    labels: Vec<Label>,
}

impl CreateVolume {
    /// The volume's name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The volume driver (the engine's default: `local`).
    pub fn driver(mut self, driver: impl Into<String>) -> Self {
        self.driver = Some(driver.into());
        self
    }

    /// Driver options.
    pub fn driver_opts<I, K, V>(mut self, options: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let options = options.into_iter().map(|(k, v)| (k.into(), v.into()));
        self.driver_opts.extend(options);
        self
    }

    /// Labels: a map, or names (labels with an empty value).
    pub fn labels<I, L>(mut self, labels: I) -> Self
    where
        I: IntoIterator<Item = L>,
        L: Into<Label>,
    {
        self.labels.extend(labels.into_iter().map(Into::into));
        self
    }

    /// Creates the volume. Creating a volume whose name exists (same
    /// driver) returns that volume, as the engine does.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for an
    /// empty label key, before anything is sent; the engine's refusal (an
    /// unknown driver, a name taken by another driver's volume).
    pub async fn send(self) -> Result<Volume> {
        let labels = convert::labels(&self.labels)?;
        let body = CreateBody {
            name: self.name,
            driver: self.driver.unwrap_or_else(|| "local".to_owned()),
            driver_opts: (!self.driver_opts.is_empty()).then_some(self.driver_opts),
            labels: (!labels.is_empty()).then_some(labels),
            ..Default::default()
        };
        let attrs = self
            .client
            .call("volumes.create", |api| api.volume_create().body(body).send())
            .await?;
        Ok(Volume {
            client: self.client,
            attrs,
        })
    }
}

impl Volume {
    /// The client this volume belongs to.
    pub fn client(&self) -> &DockerClient {
        &self.client
    }

    /// The volume's attributes, as the engine last described them.
    pub fn attrs(&self) -> &types::Volume {
        &self.attrs
    }

    /// The volume's name, which is also its id (docker-py's `id` and
    /// `name`).
    pub fn name(&self) -> &str {
        &self.attrs.name
    }

    /// The volume's id: its name.
    pub fn id(&self) -> &str {
        self.name()
    }

    /// The volume's labels.
    pub fn labels(&self) -> HashMap<String, String> {
        self.attrs.labels.clone().unwrap_or_default()
    }

    /// Fetches the volume's attributes again.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`](crate::Error::NotFound) when it has been removed.
    pub async fn reload(&mut self) -> Result<()> {
        let fresh = self.client.volumes().get(self.name()).await?;
        self.attrs = fresh.attrs;
        Ok(())
    }

    /// Removes the volume; `force` also when the engine would refuse (a
    /// volume of a driver that is gone).
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`](crate::Error::NotFound) when it is gone;
    /// [`Error::Conflict`](crate::Error::Conflict) while a container uses
    /// it.
    pub async fn remove(&self, force: bool) -> Result<()> {
        self.client
            .call("volumes.remove", |api| {
                api.volume_delete().name(self.name()).force(force).send()
            })
            .await
    }
}
