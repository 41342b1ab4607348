//! Engine plugins: the collection (`client.plugins()`) and its objects,
//! with docker-py's `PluginCollection` and `Plugin` methods.
//!
//! Installing, upgrading and pushing talk to a registry: their progress is
//! a stream, as for images, and a failure inside it ends the stream with
//! [`Error::Stream`].

use std::path::Path;

use crate::DockerClient;
use crate::api::types;
use crate::auth::AuthConfig;
use crate::error::{Error, Result};
use crate::filters::Filters;
use crate::images::ProgressStream;
use crate::reference::ImageReference;

/// Engine plugins (docker-py's `client.plugins`).
#[derive(Clone, Debug)]
pub struct Plugins {
    client: DockerClient,
}

/// A plugin (docker-py's `Plugin`): its attributes as the engine last
/// described them.
#[derive(Clone, Debug)]
pub struct Plugin {
    client: DockerClient,
    attrs: types::Plugin,
}

/// A plugin install's or upgrade's progress: the engine's pull messages.
pub type PluginProgress = ProgressStream<types::CreateImageInfo>;

/// A plugin push's progress: the engine's push messages, the last of which
/// carries the pushed digest in its `aux`.
pub type PluginPushProgress = ProgressStream<types::PushImageInfo>;

impl Plugins {
    pub(crate) fn new(client: DockerClient) -> Self {
        Self { client }
    }

    /// The client this collection belongs to.
    pub fn client(&self) -> &DockerClient {
        &self.client
    }

    /// A plugin by name (`vieux/sshfs:latest`) or id.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when no such plugin is installed.
    pub async fn get(&self, name: &str) -> Result<Plugin> {
        let attrs = self
            .client
            .call("plugins.get", |api| api.plugin_inspect().name(name).send())
            .await?;
        Ok(Plugin {
            client: self.client.clone(),
            attrs,
        })
    }

    /// The installed plugins, those matching `filters` if any (`capability`,
    /// `enabled`).
    ///
    /// # Errors
    ///
    /// The engine's refusal (bad filters are a 400).
    pub async fn list(&self, filters: impl Into<Filters>) -> Result<Vec<Plugin>> {
        let filters = filters.into().to_query();
        let listed = self
            .client
            .call("plugins.list", |api| {
                let mut request = api.plugin_list();
                if let Some(filters) = filters {
                    request = request.filters(filters);
                }
                request.send()
            })
            .await?;
        let wrap = |attrs| Plugin {
            client: self.client.clone(),
            attrs,
        };
        Ok(listed.into_iter().map(wrap).collect())
    }

    /// Creates a plugin from a directory holding its `config.json` and its
    /// `rootfs/` (`docker plugin create`); it is installed disabled.
    ///
    /// docker-py's `gzip` option is left out: the engine reads the archive
    /// as plain tar and refuses a gzipped one ("invalid tar header").
    ///
    /// ```no_run
    /// # async fn example(docker: docker_sdk::DockerClient) -> docker_sdk::Result<()> {
    /// let plugin = docker.plugins().create("example/volumes:1.0", "./plugin-dir").await?;
    /// plugin.enable(0).await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] when the directory has no `config.json`
    /// (nothing is sent); [`Error::Conflict`] when the name is taken; the
    /// engine's refusal of a bad configuration.
    pub async fn create(&self, name: &str, plugin_data_dir: impl AsRef<Path>) -> Result<Plugin> {
        let dir = plugin_data_dir.as_ref().to_owned();
        if !dir.join("config.json").is_file() {
            return Err(Error::invalid_argument(
                "plugin_data_dir",
                format!("{} holds no config.json", dir.display()),
            ));
        }
        let archive = tokio::task::spawn_blocking(move || tar_dir(&dir))
            .await
            .map_err(|e| Error::invalid_argument("plugin_data_dir", e.to_string()))??;
        self.client
            .call("plugins.create", |api| {
                api.plugin_create().name(name).body(archive).send()
            })
            .await?;
        self.get(name).await
    }

    /// Pulls and installs a plugin, granting the privileges it asks for, as
    /// docker-py's `install` does; `local_name` names it here.
    ///
    /// ```no_run
    /// # async fn example(docker: docker_sdk::DockerClient) -> docker_sdk::Result<()> {
    /// let plugin = docker.plugins().install("registry.example:5000/sshfs:1.0", None).send().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn install(&self, remote_name: impl Into<String>, local_name: Option<&str>) -> Install {
        Install {
            client: self.client.clone(),
            remote: remote_name.into(),
            local_name: local_name.map(str::to_owned),
            auth_config: None,
        }
    }
}

/// Writes `dir` as a tar archive.
fn tar_dir(dir: &Path) -> Result<Vec<u8>> {
    let failed = |e: std::io::Error| {
        Error::invalid_argument(
            "plugin_data_dir",
            format!("cannot archive {}: {e}", dir.display()),
        )
    };
    let mut builder = tar::Builder::new(Vec::new());
    builder.follow_symlinks(false);
    builder.append_dir_all(".", dir).map_err(failed)?;
    builder.into_inner().map_err(failed)
}

/// Options of [`Plugins::install`].
#[derive(Debug)]
#[must_use = "nothing is sent until `send` or `stream`"]
pub struct Install {
    client: DockerClient,
    remote: String,
    local_name: Option<String>,
    auth_config: Option<AuthConfig>,
}

impl Install {
    /// Credentials for the registry, instead of the ones the client finds.
    pub fn auth_config(mut self, auth: AuthConfig) -> Self {
        self.auth_config = Some(auth);
        self
    }

    /// Asks the plugin's privileges, grants them, and starts the pull.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRepository`] for a malformed name (nothing sent);
    /// the registry's refusal, as the engine reports it. A failure after
    /// the start ends the stream with [`Error::Stream`].
    pub async fn stream(self) -> Result<PluginProgress> {
        let header = registry_header(&self.client, &self.remote, self.auth_config.as_ref()).await?;
        let privileges = self
            .client
            .call("plugins.privileges", |api| {
                api.get_plugin_privileges().remote(&self.remote).send()
            })
            .await?;
        let client = &self.client;
        let api = client.api().await?;
        let mut request = api
            .client
            .plugin_pull()
            .remote(&self.remote)
            .x_registry_auth(header)
            .body(privileges);
        if let Some(name) = &self.local_name {
            request = request.name(name);
        }
        let operation = "plugins.install";
        let response = client
            .respond_within(operation, Some(api.version), None, request.send())
            .await?;
        Ok(ProgressStream::new(
            response.into_inner().into_inner(),
            operation,
            client.host().to_string(),
        ))
    }

    /// Installs to the end; returns the installed plugin.
    ///
    /// # Errors
    ///
    /// As for [`Install::stream`].
    pub async fn send(self) -> Result<Plugin> {
        let client = self.client.clone();
        let name = self.local_name.clone().unwrap_or_else(|| self.remote.clone());
        self.stream().await?.collect_all().await?;
        client.plugins().get(&name).await
    }
}

/// The credentials header for a plugin reference's registry.
async fn registry_header(
    client: &DockerClient,
    reference: &str,
    explicit: Option<&AuthConfig>,
) -> Result<String> {
    let reference = ImageReference::parse(reference)?;
    crate::images::auth_header(client, reference.registry_key(), explicit).await
}

impl Plugin {
    /// The client this plugin belongs to.
    pub fn client(&self) -> &DockerClient {
        &self.client
    }

    /// The plugin's attributes, as the engine last described them.
    pub fn attrs(&self) -> &types::Plugin {
        &self.attrs
    }

    /// The plugin's id.
    pub fn id(&self) -> &str {
        self.attrs.id.as_deref().unwrap_or_default()
    }

    /// The id's first 12 characters.
    pub fn short_id(&self) -> &str {
        let id = self.id();
        id.get(..12).unwrap_or(id)
    }

    /// The plugin's name, with its tag.
    pub fn name(&self) -> &str {
        &self.attrs.name
    }

    /// Whether the plugin is enabled, as last described.
    pub fn enabled(&self) -> bool {
        self.attrs.enabled
    }

    /// The plugin's settings (docker-py's `settings`).
    pub fn settings(&self) -> &types::PluginSettings {
        &self.attrs.settings
    }

    /// Fetches the plugin's attributes again.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when it has been removed.
    pub async fn reload(&mut self) -> Result<()> {
        let fresh = self.client.plugins().get(self.name()).await?;
        self.attrs = fresh.attrs;
        Ok(())
    }

    /// Changes settings: environment variables and settable mounts,
    /// devices and args, as `key=value` (docker-py's `configure(options)`).
    ///
    /// # Errors
    ///
    /// The engine's refusal of an unknown or unsettable key, or of any
    /// change while the plugin is enabled.
    pub async fn configure<I, K, V>(&self, options: I) -> Result<()>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let settings: Vec<String> = options
            .into_iter()
            .map(|(k, v)| format!("{}={}", k.into(), v.into()))
            .collect();
        self.client
            .call("plugins.configure", |api| {
                api.plugin_set().name(self.name()).body(settings).send()
            })
            .await
    }

    /// Enables the plugin, waiting up to `timeout_seconds` for it to start
    /// (`0`: the engine's default).
    ///
    /// # Errors
    ///
    /// The engine's refusal (already enabled, or the plugin failed to
    /// start).
    pub async fn enable(&self, timeout_seconds: i64) -> Result<()> {
        self.client
            .call_within("plugins.enable", None, |api| {
                api.plugin_enable()
                    .name(self.name())
                    .timeout(timeout_seconds)
                    .send()
            })
            .await
    }

    /// Disables the plugin; `force` even while something uses it.
    ///
    /// # Errors
    ///
    /// The engine's refusal (already disabled, or in use).
    pub async fn disable(&self, force: bool) -> Result<()> {
        self.client
            .call("plugins.disable", |api| {
                api.plugin_disable().name(self.name()).force(force).send()
            })
            .await
    }

    /// Removes the plugin; `force` removes an enabled one.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when it is gone; the engine's refusal to remove
    /// an enabled plugin without `force`.
    pub async fn remove(&self, force: bool) -> Result<()> {
        self.client
            .call("plugins.remove", |api| {
                api.plugin_delete().name(self.name()).force(force).send()
            })
            .await?;
        Ok(())
    }

    /// Pushes the plugin to its registry (its name says which).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRepository`] for a name that is not a reference;
    /// a failure after the start ends the stream with [`Error::Stream`].
    pub async fn push(&self) -> Result<PluginPushProgress> {
        let header = registry_header(&self.client, self.name(), None).await?;
        let client = &self.client;
        let api = client.api().await?;
        let request = api.client.plugin_push().name(self.name()).x_registry_auth(header);
        let operation = "plugins.push";
        let response = client
            .respond_within(operation, Some(api.version), None, request.send())
            .await?;
        Ok(ProgressStream::new(
            response.into_inner().into_inner(),
            operation,
            client.host().to_string(),
        ))
    }

    /// Replaces the plugin with `remote` (by default, its own name, newly
    /// pulled), granting the privileges it asks for; the plugin must be
    /// disabled.
    ///
    /// # Errors
    ///
    /// As for [`Plugins::install`].
    pub async fn upgrade(&self, remote: Option<&str>) -> Result<PluginProgress> {
        let remote = remote.unwrap_or(self.name()).to_owned();
        let header = registry_header(&self.client, &remote, None).await?;
        let privileges = self
            .client
            .call("plugins.privileges", |api| {
                api.get_plugin_privileges().remote(&remote).send()
            })
            .await?;
        let client = &self.client;
        let api = client.api().await?;
        let request = api
            .client
            .plugin_upgrade()
            .name(self.name())
            .remote(&remote)
            .x_registry_auth(header)
            .body(privileges);
        let operation = "plugins.upgrade";
        let response = client
            .respond_within(operation, Some(api.version), None, request.send())
            .await?;
        Ok(ProgressStream::new(
            response.into_inner().into_inner(),
            operation,
            client.host().to_string(),
        ))
    }
}
