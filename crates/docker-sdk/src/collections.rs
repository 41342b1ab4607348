//! The handles `DockerClient` gives out for the kinds of object whose
//! methods are still to come (networks and volumes, the swarm family,
//! plugins). Each holds a clone of the client. Containers and images have a
//! module of their own.

use crate::DockerClient;

macro_rules! collection {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug)]
        pub struct $name {
            #[allow(dead_code)]
            pub(crate) client: DockerClient,
        }

        impl $name {
            pub(crate) fn new(client: DockerClient) -> Self {
                Self { client }
            }

            /// The client this collection belongs to.
            pub fn client(&self) -> &DockerClient {
                &self.client
            }
        }
    };
}

collection!(
    /// Networks on the engine (docker-py's `client.networks`).
    Networks
);
collection!(
    /// Volumes on the engine (docker-py's `client.volumes`).
    Volumes
);
collection!(
    /// The swarm the engine belongs to (docker-py's `client.swarm`).
    Swarm
);
collection!(
    /// Swarm services (docker-py's `client.services`).
    Services
);
collection!(
    /// Swarm nodes (docker-py's `client.nodes`).
    Nodes
);
collection!(
    /// Swarm secrets (docker-py's `client.secrets`).
    Secrets
);
collection!(
    /// Swarm configs (docker-py's `client.configs`).
    Configs
);
collection!(
    /// Engine plugins (docker-py's `client.plugins`).
    Plugins
);
