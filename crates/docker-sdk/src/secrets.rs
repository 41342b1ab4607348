//! Swarm secrets and configs: the collections (`client.secrets()`,
//! `client.configs()`) and their objects, with docker-py's methods.
//!
//! The two are one idea with two uses: named data that services mount as
//! files, kept encrypted by the swarm (secrets) or not (configs). Both are
//! created from bytes (base64 on the wire) and never read back: the engine
//! does not return a secret's data, and this SDK never prints it.

use std::collections::HashMap;
use std::fmt;

use base64::Engine as _;

use crate::DockerClient;
use crate::api::types;
use crate::convert::{self, DriverConfig, Label};
use crate::error::{Error, Result};
use crate::filters::Filters;

/// Swarm secrets (docker-py's `client.secrets`).
#[derive(Clone, Debug)]
pub struct Secrets {
    client: DockerClient,
}

/// Swarm configs (docker-py's `client.configs`).
#[derive(Clone, Debug)]
pub struct Configs {
    client: DockerClient,
}

/// A swarm secret (docker-py's `Secret`). Not to be confused with
/// [`crate::Secret`], a password or token kept out of `Debug`.
#[derive(Clone, Debug)]
pub struct Secret {
    client: DockerClient,
    attrs: types::Secret,
}

/// A swarm config (docker-py's `Config`).
#[derive(Clone, Debug)]
pub struct Config {
    client: DockerClient,
    attrs: types::Config,
}

/// What secrets and configs are made of; see [`Secrets::create`] and
/// [`Configs::create`].
#[must_use = "nothing is sent until `send`"]
pub struct CreateData<K> {
    client: DockerClient,
    name: String,
    data: Vec<u8>,
    labels: Vec<Label>,
    driver: Option<DriverConfig>,
    templating: Option<DriverConfig>,
    kind: K,
}

/// The kind of [`CreateData`] that makes a secret.
#[derive(Debug)]
pub struct OfSecret;
/// The kind of [`CreateData`] that makes a config.
#[derive(Debug)]
pub struct OfConfig;

impl<K: fmt::Debug> fmt::Debug for CreateData<K> {
    /// Says how much data there is, never what it is.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateData")
            .field("kind", &self.kind)
            .field("name", &self.name)
            .field("data", &format_args!("<{} bytes>", self.data.len()))
            .field("labels", &self.labels)
            .field("driver", &self.driver)
            .field("templating", &self.templating)
            .finish()
    }
}

impl<K> CreateData<K> {
    fn new(client: DockerClient, name: String, data: Vec<u8>, kind: K) -> Self {
        CreateData {
            client,
            name,
            data,
            labels: Vec::new(),
            driver: None,
            templating: None,
            kind,
        }
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

    /// A templating driver (`golang`): the data is a template the swarm
    /// fills in for each task.
    pub fn templating(mut self, driver: DriverConfig) -> Self {
        self.templating = Some(driver);
        self
    }

    /// What every kind's spec has, checked and in the engine's shape.
    fn common(&self) -> Result<Common> {
        if self.name.is_empty() {
            return Err(Error::invalid_argument("name", "a name is required"));
        }
        let labels = convert::labels(&self.labels)?;
        Ok(Common {
            name: self.name.clone(),
            data: base64::engine::general_purpose::STANDARD.encode(&self.data),
            labels: (!labels.is_empty()).then_some(labels),
            templating: self.templating.clone().map(driver_model),
        })
    }
}

/// The fields secret and config specs share.
struct Common {
    name: String,
    /// Base64, as the engine takes it.
    data: String,
    labels: Option<HashMap<String, String>>,
    templating: Option<types::Driver>,
}

fn driver_model(driver: DriverConfig) -> types::Driver {
    let (name, options) = driver.into_parts();
    types::Driver {
        name,
        options: (!options.is_empty()).then_some(options),
    }
}

impl CreateData<OfSecret> {
    /// A secret store driver other than the swarm's own (docker-py's
    /// `driver`).
    pub fn driver(mut self, driver: DriverConfig) -> Self {
        self.driver = Some(driver);
        self
    }

    /// Creates the secret.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for an empty name or label key (nothing is
    /// sent); [`Error::Conflict`] when the name is taken; [`Error::Api`]
    /// (503) when the engine is not a swarm manager.
    pub async fn send(self) -> Result<Secret> {
        let common = self.common()?;
        let body = types::SecretSpec {
            name: Some(common.name),
            data: Some(common.data),
            labels: common.labels,
            templating: common.templating,
            driver: self.driver.map(driver_model),
        };
        let created = self
            .client
            .call("secrets.create", |api| api.secret_create().body(body).send())
            .await?;
        self.client.secrets().get(&created.id).await
    }
}

impl CreateData<OfConfig> {
    /// Creates the config.
    ///
    /// # Errors
    ///
    /// As for a secret.
    pub async fn send(self) -> Result<Config> {
        let common = self.common()?;
        let body = types::ConfigSpec {
            name: Some(common.name),
            data: Some(common.data),
            labels: common.labels,
            templating: common.templating,
        };
        let created = self
            .client
            .call("configs.create", |api| api.config_create().body(body).send())
            .await?;
        self.client.configs().get(&created.id).await
    }
}

impl Secrets {
    pub(crate) fn new(client: DockerClient) -> Self {
        Self { client }
    }

    /// The client this collection belongs to.
    pub fn client(&self) -> &DockerClient {
        &self.client
    }

    /// A secret to create from `data`.
    ///
    /// ```no_run
    /// # async fn example(docker: docker_sdk::DockerClient) -> docker_sdk::Result<()> {
    /// let secret = docker.secrets().create("db-password", b"hunter2").labels([("app", "shop")]).send().await?;
    /// println!("{}", secret.id());
    /// # Ok(())
    /// # }
    /// ```
    pub fn create(&self, name: impl Into<String>, data: impl Into<Vec<u8>>) -> CreateData<OfSecret> {
        CreateData::new(self.client.clone(), name.into(), data.into(), OfSecret)
    }

    /// A secret by id or name.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when there is no such secret.
    pub async fn get(&self, id_or_name: &str) -> Result<Secret> {
        let attrs = self
            .client
            .call("secrets.get", |api| api.secret_inspect().id(id_or_name).send())
            .await?;
        Ok(Secret {
            client: self.client.clone(),
            attrs,
        })
    }

    /// Lists secrets, those matching `filters` if any (`id`, `name`,
    /// `label`, `names`).
    ///
    /// # Errors
    ///
    /// [`Error::Api`] (503) when the engine is not a swarm manager.
    pub async fn list(&self, filters: impl Into<Filters>) -> Result<Vec<Secret>> {
        let filters = filters.into().to_query();
        let listed = self
            .client
            .call("secrets.list", |api| {
                let mut request = api.secret_list();
                if let Some(filters) = filters {
                    request = request.filters(filters);
                }
                request.send()
            })
            .await?;
        let wrap = |attrs| Secret {
            client: self.client.clone(),
            attrs,
        };
        Ok(listed.into_iter().map(wrap).collect())
    }
}

impl Configs {
    pub(crate) fn new(client: DockerClient) -> Self {
        Self { client }
    }

    /// The client this collection belongs to.
    pub fn client(&self) -> &DockerClient {
        &self.client
    }

    /// A config to create from `data`.
    ///
    /// ```no_run
    /// # async fn example(docker: docker_sdk::DockerClient) -> docker_sdk::Result<()> {
    /// let config = docker.configs().create("nginx.conf", "events {}\n").send().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn create(&self, name: impl Into<String>, data: impl Into<Vec<u8>>) -> CreateData<OfConfig> {
        CreateData::new(self.client.clone(), name.into(), data.into(), OfConfig)
    }

    /// A config by id or name.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when there is no such config.
    pub async fn get(&self, id_or_name: &str) -> Result<Config> {
        let attrs = self
            .client
            .call("configs.get", |api| api.config_inspect().id(id_or_name).send())
            .await?;
        Ok(Config {
            client: self.client.clone(),
            attrs,
        })
    }

    /// Lists configs, those matching `filters` if any (`id`, `name`,
    /// `label`, `names`).
    ///
    /// # Errors
    ///
    /// [`Error::Api`] (503) when the engine is not a swarm manager.
    pub async fn list(&self, filters: impl Into<Filters>) -> Result<Vec<Config>> {
        let filters = filters.into().to_query();
        let listed = self
            .client
            .call("configs.list", |api| {
                let mut request = api.config_list();
                if let Some(filters) = filters {
                    request = request.filters(filters);
                }
                request.send()
            })
            .await?;
        let wrap = |attrs| Config {
            client: self.client.clone(),
            attrs,
        };
        Ok(listed.into_iter().map(wrap).collect())
    }
}

/// The accessors and calls secrets and configs share.
macro_rules! data_object {
    ($object:ident, $attrs:ty, $collection:ident, $remove:literal, $delete:ident) => {
        impl $object {
            /// The client this object belongs to.
            pub fn client(&self) -> &DockerClient {
                &self.client
            }

            /// Its attributes, as the engine last described them (never
            /// the data).
            pub fn attrs(&self) -> &$attrs {
                &self.attrs
            }

            /// Its id.
            pub fn id(&self) -> &str {
                self.attrs.id.as_deref().unwrap_or_default()
            }

            /// The id's first 12 characters.
            pub fn short_id(&self) -> &str {
                let id = self.id();
                id.get(..12).unwrap_or(id)
            }

            /// Its name.
            pub fn name(&self) -> Option<&str> {
                self.attrs.spec.as_ref()?.name.as_deref()
            }

            /// Its labels.
            pub fn labels(&self) -> HashMap<String, String> {
                let spec = self.attrs.spec.as_ref();
                spec.and_then(|s| s.labels.clone()).unwrap_or_default()
            }

            /// Fetches its attributes again.
            ///
            /// # Errors
            ///
            /// [`Error::NotFound`] when it has been removed.
            pub async fn reload(&mut self) -> Result<()> {
                let fresh = self.client.$collection().get(self.id()).await?;
                self.attrs = fresh.attrs;
                Ok(())
            }

            /// Removes it.
            ///
            /// # Errors
            ///
            /// [`Error::NotFound`] when it is gone; the engine's refusal
            /// while a service uses it.
            pub async fn remove(&self) -> Result<()> {
                self.client
                    .call($remove, |api| api.$delete().id(self.id()).send())
                    .await
            }
        }
    };
}

data_object!(Secret, types::Secret, secrets, "secrets.remove", secret_delete);
data_object!(Config, types::Config, configs, "configs.remove", config_delete);
