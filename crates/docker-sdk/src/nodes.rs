//! Swarm nodes: the collection (`client.nodes()`) and its objects, with
//! docker-py's `NodeCollection` and `Node` methods. Only a manager answers.

use std::collections::HashMap;

use crate::DockerClient;
use crate::api::types;
use crate::convert::{self, Label};
use crate::error::{Error, Result};
use crate::filters::Filters;
use crate::swarm::NodeRole;

/// Swarm nodes (docker-py's `client.nodes`).
#[derive(Clone, Debug)]
pub struct Nodes {
    client: DockerClient,
}

/// A swarm node (docker-py's `Node`): its attributes as the engine last
/// described them.
#[derive(Clone, Debug)]
pub struct Node {
    client: DockerClient,
    attrs: types::Node,
}

/// Whether the scheduler may place tasks on a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Availability {
    /// New tasks may be placed.
    Active,
    /// No new tasks; running ones stay.
    Pause,
    /// No tasks: running ones are moved elsewhere.
    Drain,
}

impl Nodes {
    pub(crate) fn new(client: DockerClient) -> Self {
        Self { client }
    }

    /// The client this collection belongs to.
    pub fn client(&self) -> &DockerClient {
        &self.client
    }

    /// A node by id or hostname.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when the swarm has no such node; [`Error::Api`]
    /// (503) when the engine is not a manager.
    pub async fn get(&self, id_or_name: &str) -> Result<Node> {
        let attrs = self
            .client
            .call("nodes.get", |api| api.node_inspect().id(id_or_name).send())
            .await?;
        Ok(Node {
            client: self.client.clone(),
            attrs,
        })
    }

    /// Lists the swarm's nodes, those matching `filters` if any (`id`,
    /// `name`, `membership`, `role`, `label`, `node.label`).
    ///
    /// ```no_run
    /// # async fn example(docker: docker_sdk::DockerClient) -> docker_sdk::Result<()> {
    /// let managers = docker.nodes().list([("role", "manager")]).await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Api`] (503) when the engine is not a manager.
    pub async fn list(&self, filters: impl Into<Filters>) -> Result<Vec<Node>> {
        let filters = filters.into().to_query();
        let nodes = self
            .client
            .call("nodes.list", |api| {
                let mut request = api.node_list();
                if let Some(filters) = filters {
                    request = request.filters(filters);
                }
                request.send()
            })
            .await?;
        let wrap = |attrs| Node {
            client: self.client.clone(),
            attrs,
        };
        Ok(nodes.into_iter().map(wrap).collect())
    }
}

impl Node {
    /// The client this node belongs to.
    pub fn client(&self) -> &DockerClient {
        &self.client
    }

    /// The node's attributes, as the engine last described them.
    pub fn attrs(&self) -> &types::Node {
        &self.attrs
    }

    /// The node's id.
    pub fn id(&self) -> &str {
        self.attrs.id.as_deref().unwrap_or_default()
    }

    /// The id's first 12 characters.
    pub fn short_id(&self) -> &str {
        let id = self.id();
        id.get(..12).unwrap_or(id)
    }

    /// The node's hostname, as it reported it.
    pub fn hostname(&self) -> Option<&str> {
        let description = self.attrs.description.as_ref()?;
        description.hostname.as_deref()
    }

    /// The node's role.
    pub fn role(&self) -> Option<NodeRole> {
        let role = self.attrs.spec.as_ref()?.role.as_ref()?;
        match role.to_string().as_str() {
            "manager" => Some(NodeRole::Manager),
            "worker" => Some(NodeRole::Worker),
            _ => None,
        }
    }

    /// The node's availability.
    pub fn availability(&self) -> Option<Availability> {
        let availability = self.attrs.spec.as_ref()?.availability.as_ref()?;
        match availability.to_string().as_str() {
            "active" => Some(Availability::Active),
            "pause" => Some(Availability::Pause),
            "drain" => Some(Availability::Drain),
            _ => None,
        }
    }

    /// The node's state (`ready`, `down`, `disconnected`, `unknown`).
    pub fn state(&self) -> Option<String> {
        let status = self.attrs.status.as_ref()?;
        status.state.as_ref().map(ToString::to_string)
    }

    /// The address the node reported.
    pub fn addr(&self) -> Option<&str> {
        self.attrs.status.as_ref()?.addr.as_deref()
    }

    /// The version an update must name (docker-py's `version`).
    pub fn version(&self) -> u64 {
        let version = self.attrs.version.as_ref();
        version.and_then(|v| v.index).unwrap_or_default()
    }

    /// Fetches the node's attributes again.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when the node has left the swarm.
    pub async fn reload(&mut self) -> Result<()> {
        let fresh = self.client.nodes().get(self.id()).await?;
        self.attrs = fresh.attrs;
        Ok(())
    }

    /// Changes the node's role, availability, name or labels; see
    /// [`UpdateNode`].
    ///
    /// docker-py sends the given spec whole; here the node's current spec
    /// (as last described) is kept and only what is set changes, as `docker
    /// node update` does.
    ///
    /// ```no_run
    /// # async fn example(mut node: docker_sdk::nodes::Node) -> docker_sdk::Result<()> {
    /// use docker_sdk::nodes::Availability;
    ///
    /// node.update().availability(Availability::Drain).labels([("zone", "b")]).send().await?;
    /// node.reload().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn update(&self) -> UpdateNode<'_> {
        UpdateNode {
            node: self,
            role: None,
            availability: None,
            name: None,
            labels: None,
        }
    }

    /// Removes the node from the swarm; `force` removes one that has not
    /// left (a node that is down).
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when it is gone; the engine's refusal to remove a
    /// node that is up without `force`.
    pub async fn remove(&self, force: bool) -> Result<()> {
        self.client
            .call("nodes.remove", |api| {
                api.node_delete().id(self.id()).force(force).send()
            })
            .await
    }
}

/// Options of [`Node::update`].
#[derive(Debug)]
#[must_use = "nothing is sent until `send`"]
pub struct UpdateNode<'a> {
    node: &'a Node,
    role: Option<NodeRole>,
    availability: Option<Availability>,
    name: Option<String>,
    labels: Option<Vec<Label>>,
}

impl UpdateNode<'_> {
    /// Promote to manager or demote to worker.
    pub fn role(mut self, role: NodeRole) -> Self {
        self.role = Some(role);
        self
    }

    /// Whether tasks may be placed on the node.
    pub fn availability(mut self, availability: Availability) -> Self {
        self.availability = Some(availability);
        self
    }

    /// The node's name in the swarm.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The node's labels, replacing the ones it has.
    pub fn labels<I, L>(mut self, labels: I) -> Self
    where
        I: IntoIterator<Item = L>,
        L: Into<Label>,
    {
        self.labels = Some(labels.into_iter().map(Into::into).collect());
        self
    }

    /// Sends the change, naming the node's version as last described.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for an empty label key (nothing is sent);
    /// the engine's refusal when the node changed since it was described
    /// (reload and try again), or when demoting the last manager.
    pub async fn send(self) -> Result<()> {
        let node = self.node;
        let mut spec = node.attrs.spec.clone().unwrap_or_default();
        if let Some(role) = self.role {
            let role = match role {
                NodeRole::Manager => "manager",
                NodeRole::Worker => "worker",
            };
            spec.role = Some(convert::parse_enum("role", role, &["manager", "worker"])?);
        }
        if let Some(availability) = self.availability {
            let availability = match availability {
                Availability::Active => "active",
                Availability::Pause => "pause",
                Availability::Drain => "drain",
            };
            let accepted = ["active", "pause", "drain"];
            spec.availability = Some(convert::parse_enum("availability", availability, &accepted)?);
        }
        if let Some(name) = self.name {
            spec.name = Some(name);
        }
        if let Some(labels) = self.labels {
            let labels: HashMap<String, String> = convert::labels(&labels)?;
            spec.labels = Some(labels);
        }
        let version = i64::try_from(node.version()).map_err(|_| Error::Decode {
            operation: "nodes.update",
            message: format!("node version {} is out of range", node.version()),
        })?;
        node.client
            .call("nodes.update", |api| {
                api.node_update().id(node.id()).version(version).body(spec).send()
            })
            .await
    }
}
