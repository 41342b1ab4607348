//! Networks: the collection (`client.networks()`) and its objects, with
//! docker-py's `NetworkCollection` and `Network` methods.

use std::collections::HashMap;
use std::future::{Future, IntoFuture};
use std::pin::Pin;

use crate::DockerClient;
use crate::api::types;
use crate::containers::Container;
use crate::convert::{self, Label};
use crate::error::{Error, Result};
use crate::filters::Filters;

/// What the engine says about a network when asked for it alone: with the
/// containers attached (`NetworkInspect` from 1.52, `Network` before).
#[cfg(api_1_52)]
pub type NetworkAttrs = types::NetworkInspect;
/// What the engine says about a network when asked for it alone: with the
/// containers attached (`NetworkInspect` from 1.52, `Network` before).
#[cfg(not(api_1_52))]
pub type NetworkAttrs = types::Network;

/// Networks on the engine (docker-py's `client.networks`).
#[derive(Clone, Debug)]
pub struct Networks {
    client: DockerClient,
}

/// A network (docker-py's `Network`): its attributes as the engine last
/// described them.
#[derive(Clone, Debug)]
pub struct Network {
    client: DockerClient,
    attrs: NetworkAttrs,
}

impl Networks {
    pub(crate) fn new(client: DockerClient) -> Self {
        Self { client }
    }

    /// The client this collection belongs to.
    pub fn client(&self) -> &DockerClient {
        &self.client
    }

    /// A network to create (`docker network create`); see
    /// [`CreateNetwork`] for its options.
    ///
    /// ```no_run
    /// # async fn example(docker: docker_sdk::DockerClient) -> docker_sdk::Result<()> {
    /// use docker_sdk::networks::{IpamConfig, IpamPool};
    ///
    /// let pool = IpamPool::new().subnet("192.168.52.0/24").gateway("192.168.52.254");
    /// let network = docker
    ///     .networks()
    ///     .create("backend")
    ///     .driver("bridge")
    ///     .ipam(IpamConfig::new().pool(pool))
    ///     .labels([("app", "shop")])
    ///     .send()
    ///     .await?;
    /// println!("{}", network.short_id());
    /// # Ok(())
    /// # }
    /// ```
    pub fn create(&self, name: impl Into<String>) -> CreateNetwork {
        CreateNetwork {
            client: self.client.clone(),
            name: name.into(),
            driver: None,
            options: HashMap::new(),
            ipam: None,
            check_duplicate: None,
            internal: None,
            labels: Vec::new(),
            enable_ipv6: None,
            attachable: None,
            scope: None,
            ingress: None,
        }
    }

    /// A network by id or name; await it, or set docker-py's `verbose` and
    /// `scope` first.
    ///
    /// ```no_run
    /// # async fn example(docker: docker_sdk::DockerClient) -> docker_sdk::Result<()> {
    /// let bridge = docker.networks().get("bridge").await?;
    /// let overlay = docker.networks().get("ingress").verbose(true).scope("swarm").await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when there is no such network.
    pub fn get(&self, id_or_name: impl Into<String>) -> GetNetwork {
        GetNetwork {
            client: self.client.clone(),
            id: id_or_name.into(),
            verbose: None,
            scope: None,
        }
    }

    /// Lists networks (`docker network ls`).
    ///
    /// ```no_run
    /// # async fn example(docker: docker_sdk::DockerClient) -> docker_sdk::Result<()> {
    /// let custom = docker.networks().list().filters([("type", "custom")]).send().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn list(&self) -> ListNetworks {
        ListNetworks {
            client: self.client.clone(),
            filters: Filters::new(),
            greedy: false,
        }
    }

    /// Removes networks no container uses (`docker network prune`), those
    /// matching `filters` if any (`until`, `label`).
    ///
    /// # Errors
    ///
    /// The engine's refusal, such as a prune already running (409).
    pub async fn prune(&self, filters: impl Into<Filters>) -> Result<Vec<String>> {
        let filters = filters.into().to_query();
        let pruned = self
            .client
            .call("networks.prune", |api| {
                let mut request = api.network_prune();
                if let Some(filters) = filters {
                    request = request.filters(filters);
                }
                request.send()
            })
            .await?;
        Ok(pruned.networks_deleted.unwrap_or_default())
    }
}

/// IP address management for a new network (docker-py's `IPAMConfig`).
#[derive(Clone, Debug, Default)]
pub struct IpamConfig {
    driver: Option<String>,
    pools: Vec<IpamPool>,
    options: HashMap<String, String>,
}

impl IpamConfig {
    /// The `default` IPAM driver with no pools.
    pub fn new() -> Self {
        Self::default()
    }

    /// The IPAM driver (docker-py's default: `default`).
    pub fn driver(mut self, driver: impl Into<String>) -> Self {
        self.driver = Some(driver.into());
        self
    }

    /// Adds an address pool (docker-py's `pool_configs`).
    pub fn pool(mut self, pool: IpamPool) -> Self {
        self.pools.push(pool);
        self
    }

    /// A driver option.
    pub fn option(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.insert(key.into(), value.into());
        self
    }

    fn into_model(self) -> types::Ipam {
        types::Ipam {
            driver: self.driver.unwrap_or_else(|| "default".to_owned()),
            config: Some(self.pools.into_iter().map(IpamPool::into_model).collect()),
            options: (!self.options.is_empty()).then_some(self.options),
        }
    }
}

/// One address pool of an [`IpamConfig`] (docker-py's `IPAMPool`).
#[derive(Clone, Debug, Default)]
pub struct IpamPool {
    subnet: Option<String>,
    ip_range: Option<String>,
    gateway: Option<String>,
    aux_addresses: HashMap<String, String>,
}

impl IpamPool {
    /// An empty pool: the driver picks.
    pub fn new() -> Self {
        Self::default()
    }

    /// The subnet, in CIDR notation.
    pub fn subnet(mut self, subnet: impl Into<String>) -> Self {
        self.subnet = Some(subnet.into());
        self
    }

    /// The range endpoints get their addresses from, in CIDR notation
    /// (docker-py's `iprange`).
    pub fn ip_range(mut self, range: impl Into<String>) -> Self {
        self.ip_range = Some(range.into());
        self
    }

    /// The gateway's address.
    pub fn gateway(mut self, gateway: impl Into<String>) -> Self {
        self.gateway = Some(gateway.into());
        self
    }

    /// An address the driver must not hand out, by name.
    pub fn aux_address(mut self, name: impl Into<String>, address: impl Into<String>) -> Self {
        self.aux_addresses.insert(name.into(), address.into());
        self
    }

    fn into_model(self) -> types::IpamConfig {
        types::IpamConfig {
            subnet: self.subnet,
            ip_range: self.ip_range,
            gateway: self.gateway,
            auxiliary_addresses: (!self.aux_addresses.is_empty()).then_some(self.aux_addresses),
            ..Default::default()
        }
    }
}

/// Options of [`Networks::create`], as docker-py names them.
#[derive(Debug)]
#[must_use = "nothing is sent until `send`"]
pub struct CreateNetwork {
    client: DockerClient,
    name: String,
    driver: Option<String>,
    options: HashMap<String, String>,
    ipam: Option<IpamConfig>,
    #[cfg_attr(api_1_47, allow(dead_code))]
    check_duplicate: Option<bool>,
    internal: Option<bool>,
    labels: Vec<Label>,
    enable_ipv6: Option<bool>,
    attachable: Option<bool>,
    scope: Option<String>,
    ingress: Option<bool>,
}

impl CreateNetwork {
    /// The network driver (`bridge`, `overlay`, …; the engine's default is
    /// `bridge`).
    pub fn driver(mut self, driver: impl Into<String>) -> Self {
        self.driver = Some(driver.into());
        self
    }

    /// Driver options.
    pub fn options<I, K, V>(mut self, options: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let options = options.into_iter().map(|(k, v)| (k.into(), v.into()));
        self.options.extend(options);
        self
    }

    /// A custom IP scheme.
    pub fn ipam(mut self, ipam: IpamConfig) -> Self {
        self.ipam = Some(ipam);
        self
    }

    /// Ask the engine to refuse a name already taken. Engines from API 1.44
    /// always do and ignore it; the models of API 1.47 and later have no
    /// such field, so a facade built on them does not send it.
    pub fn check_duplicate(mut self, check: bool) -> Self {
        self.check_duplicate = Some(check);
        self
    }

    /// No access to the outside.
    pub fn internal(mut self, internal: bool) -> Self {
        self.internal = Some(internal);
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

    /// IPv6 on the network.
    pub fn enable_ipv6(mut self, enable: bool) -> Self {
        self.enable_ipv6 = Some(enable);
        self
    }

    /// For a swarm-scoped network: plain containers may attach to it too.
    pub fn attachable(mut self, attachable: bool) -> Self {
        self.attachable = Some(attachable);
        self
    }

    /// The network's scope: `local`, `global` or `swarm`.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// The swarm's routing-mesh network.
    pub fn ingress(mut self, ingress: bool) -> Self {
        self.ingress = Some(ingress);
        self
    }

    fn body(self) -> Result<types::builder::NetworkCreateRequest> {
        let labels = convert::labels(&self.labels)?;
        #[cfg_attr(api_1_47, allow(unused_mut))]
        let mut body = types::NetworkCreateRequest::builder()
            .name(self.name)
            .driver(self.driver.unwrap_or_else(|| "bridge".to_owned()))
            .options((!self.options.is_empty()).then_some(self.options))
            .ipam(self.ipam.map(IpamConfig::into_model))
            .internal(self.internal)
            .labels((!labels.is_empty()).then_some(labels))
            .enable_i_pv6(self.enable_ipv6)
            .attachable(self.attachable)
            .scope(self.scope)
            .ingress(self.ingress);
        // Gone from the models in 1.47; engines from 1.44 always check.
        #[cfg(not(api_1_47))]
        {
            body = body.check_duplicate(self.check_duplicate);
        }
        Ok(body)
    }

    /// Creates the network.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for an empty label key, before anything is
    /// sent; [`Error::Conflict`] when the name is taken; the engine's
    /// refusal of a bad option (a subnet that overlaps another network's).
    pub async fn send(self) -> Result<Network> {
        let client = self.client.clone();
        let body = self.body()?;
        let created = client
            .call("networks.create", |api| api.network_create().body(body).send())
            .await?;
        // Optional in the models before 1.47, required from then on.
        #[allow(clippy::useless_conversion)]
        let id: Option<String> = created.id.into();
        let id = id.ok_or_else(|| Error::Decode {
            operation: "networks.create",
            message: "the engine's answer names no network id".to_owned(),
        })?;
        client.networks().get(id).await
    }
}

/// Options of [`Networks::get`]; await it to fetch the network.
#[derive(Debug)]
#[must_use = "nothing is sent until it is awaited"]
pub struct GetNetwork {
    client: DockerClient,
    id: String,
    verbose: Option<bool>,
    scope: Option<String>,
}

impl GetNetwork {
    /// In swarm mode, also describe the network's services across the
    /// cluster.
    pub fn verbose(mut self, verbose: bool) -> Self {
        self.verbose = Some(verbose);
        self
    }

    /// Only a network of this scope: `swarm`, `global` or `local`.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// Fetches the network.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when there is no such network (in that scope).
    pub async fn send(self) -> Result<Network> {
        let attrs = self
            .client
            .call("networks.get", |api| {
                let mut request = api.network_inspect().id(&self.id);
                if let Some(verbose) = self.verbose {
                    request = request.verbose(verbose);
                }
                if let Some(scope) = &self.scope {
                    request = request.scope(scope);
                }
                request.send()
            })
            .await?;
        Ok(Network {
            client: self.client,
            attrs,
        })
    }
}

impl IntoFuture for GetNetwork {
    type Output = Result<Network>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<Network>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// Options of [`Networks::list`], as docker-py names them.
#[derive(Debug)]
#[must_use = "nothing is sent until `send`"]
pub struct ListNetworks {
    client: DockerClient,
    filters: Filters,
    greedy: bool,
}

impl ListNetworks {
    /// Only networks with one of these names.
    pub fn names<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        for name in names {
            self.filters = self.filters.add("name", name.into());
        }
        self
    }

    /// Only networks with one of these ids.
    pub fn ids<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        for id in ids {
            self.filters = self.filters.add("id", id.into());
        }
        self
    }

    /// Only networks matching these filters (`driver`, `label`,
    /// `type=custom|builtin`, `scope`, `dangling`).
    pub fn filters(mut self, filters: impl Into<Filters>) -> Self {
        self.filters = self.filters.merge(filters.into());
        self
    }

    /// Inspect each network too, for its containers: one more request per
    /// network.
    pub fn greedy(mut self, greedy: bool) -> Self {
        self.greedy = greedy;
        self
    }

    /// Lists.
    ///
    /// # Errors
    ///
    /// The engine's refusal (bad filters are a 400), or, with `greedy`, a
    /// network removed before it was inspected.
    pub async fn send(self) -> Result<Vec<Network>> {
        let filters = self.filters.to_query();
        let listed = self
            .client
            .call("networks.list", |api| {
                let mut request = api.network_list();
                if let Some(filters) = filters {
                    request = request.filters(filters);
                }
                request.send()
            })
            .await?;
        let mut networks = Vec::with_capacity(listed.len());
        for summary in listed {
            let attrs = from_summary(summary)?;
            let network = Network {
                client: self.client.clone(),
                attrs,
            };
            networks.push(match self.greedy {
                true => self.client.networks().get(network.id()).await?,
                false => network,
            });
        }
        Ok(networks)
    }
}

/// A list entry as a network's attributes. From 1.52 the list and the
/// inspect have types of their own; the inspect's fields are a superset
/// (its extras optional), so the entry converts through its JSON.
#[cfg(api_1_52)]
fn from_summary(summary: types::NetworkSummary) -> Result<NetworkAttrs> {
    let decode = |e: serde_json::Error| Error::Decode {
        operation: "networks.list",
        message: e.to_string(),
    };
    serde_json::from_value(serde_json::to_value(summary).map_err(decode)?).map_err(decode)
}

#[cfg(not(api_1_52))]
fn from_summary(summary: types::Network) -> Result<NetworkAttrs> {
    Ok(summary)
}

impl Network {
    /// The client this network belongs to.
    pub fn client(&self) -> &DockerClient {
        &self.client
    }

    /// The network's attributes, as the engine last described them.
    pub fn attrs(&self) -> &NetworkAttrs {
        &self.attrs
    }

    /// The network's id.
    pub fn id(&self) -> &str {
        self.attrs.id.as_deref().unwrap_or_default()
    }

    /// The id's first 12 characters.
    pub fn short_id(&self) -> &str {
        let id = self.id();
        id.get(..12).unwrap_or(id)
    }

    /// The network's name.
    pub fn name(&self) -> Option<&str> {
        self.attrs.name.as_deref()
    }

    /// The ids of the containers attached, as last described (empty for a
    /// network that came from a list without `greedy`).
    pub fn container_ids(&self) -> Vec<String> {
        let containers = self.attrs.containers.as_ref();
        containers
            .map(|c| c.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// The containers attached (docker-py's `containers`), each fetched now.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when one was removed since the network was
    /// described.
    pub async fn containers(&self) -> Result<Vec<Container>> {
        let mut containers = Vec::new();
        for id in self.container_ids() {
            containers.push(self.client.containers().get(&id).await?);
        }
        Ok(containers)
    }

    /// Fetches the network's attributes again.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when the network has been removed.
    pub async fn reload(&mut self) -> Result<()> {
        let fresh = self.client.networks().get(self.id()).await?;
        self.attrs = fresh.attrs;
        Ok(())
    }

    /// Attaches a container (id or name); see [`Connect`] for docker-py's
    /// options.
    ///
    /// ```no_run
    /// # async fn example(network: docker_sdk::networks::Network) -> docker_sdk::Result<()> {
    /// network.connect("web").aliases(["shop"]).ipv4_address("192.168.52.10").send().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn connect(&self, container: impl Into<String>) -> Connect<'_> {
        Connect {
            network: self,
            container: container.into(),
            endpoint: types::EndpointSettings::default(),
            ipam: types::EndpointIpamConfig::default(),
        }
    }

    /// Detaches a container (id or name); `force` detaches it even when the
    /// engine would refuse (a container on a swarm network that is gone).
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] for an unknown container; the engine's refusal
    /// when the container is not attached.
    pub async fn disconnect(&self, container: impl Into<String>, force: bool) -> Result<()> {
        let container = container.into();
        let body = types::NetworkDisconnectRequest::builder()
            .container(container)
            .force(force);
        self.client
            .call("networks.disconnect", |api| {
                api.network_disconnect().id(self.id()).body(body).send()
            })
            .await
    }

    /// Removes the network.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when it is gone; [`Error::Conflict`] or
    /// [`Error::Api`] (403) when containers still use it.
    pub async fn remove(&self) -> Result<()> {
        self.client
            .call("networks.remove", |api| api.network_delete().id(self.id()).send())
            .await
    }
}

/// Options of [`Network::connect`], as docker-py names them.
#[derive(Debug)]
#[must_use = "nothing is sent until `send`"]
pub struct Connect<'a> {
    network: &'a Network,
    container: String,
    endpoint: types::EndpointSettings,
    ipam: types::EndpointIpamConfig,
}

impl Connect<'_> {
    /// Names by which the container is reachable on this network.
    pub fn aliases<I, S>(mut self, aliases: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let aliases = aliases.into_iter().map(Into::into);
        self.endpoint.aliases.get_or_insert_with(Vec::new).extend(aliases);
        self
    }

    /// Legacy links to other containers, `name` or `name:alias`.
    pub fn links<I, S>(mut self, links: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let links = links.into_iter().map(Into::into);
        self.endpoint.links.get_or_insert_with(Vec::new).extend(links);
        self
    }

    /// The container's IPv4 address on the network.
    pub fn ipv4_address(mut self, address: impl Into<String>) -> Self {
        self.ipam.i_pv4_address = Some(address.into());
        self
    }

    /// The container's IPv6 address on the network.
    pub fn ipv6_address(mut self, address: impl Into<String>) -> Self {
        self.ipam.i_pv6_address = Some(address.into());
        self
    }

    /// Link-local addresses (IPv4 or IPv6).
    pub fn link_local_ips<I, S>(mut self, addresses: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let addresses = addresses.into_iter().map(Into::into);
        self.ipam
            .link_local_i_ps
            .get_or_insert_with(Vec::new)
            .extend(addresses);
        self
    }

    /// Options for the network driver.
    pub fn driver_opt(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let options = self.endpoint.driver_opts.get_or_insert_with(HashMap::new);
        options.insert(key.into(), value.into());
        self
    }

    /// Attaches the container.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] for an unknown container or network; the
    /// engine's refusal (an address outside the network's subnet, a
    /// container already attached).
    pub async fn send(mut self) -> Result<()> {
        let ipam = std::mem::take(&mut self.ipam);
        let has_ipam =
            ipam.i_pv4_address.is_some() || ipam.i_pv6_address.is_some() || ipam.link_local_i_ps.is_some();
        if has_ipam {
            self.endpoint.ipam_config = Some(ipam);
        }
        let body = types::NetworkConnectRequest::builder()
            .container(self.container)
            .endpoint_config(self.endpoint);
        let network = self.network;
        network
            .client
            .call("networks.connect", |api| {
                api.network_connect().id(network.id()).body(body).send()
            })
            .await
    }
}
