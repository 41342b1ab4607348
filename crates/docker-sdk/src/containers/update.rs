//! Changing a container's resources and restart policy while it lives
//! (`docker update`).

use super::Container;
use crate::api::types;
use crate::convert::{self, ByteSize, RestartPolicy};
use crate::error::{Error, Result};

impl Container {
    /// Changes the container's limits and restart policy: docker-py's
    /// `update`. Only what is set is changed.
    ///
    /// ```no_run
    /// # async fn example(container: docker_sdk::Container) -> docker_sdk::Result<()> {
    /// let warnings = container.update().mem_limit("256m").memswap_limit(-1).cpu_shares(512).send().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn update(&self) -> Update<'_> {
        Update {
            container: self,
            body: types::ContainerUpdateBody::default(),
            mem_limit: None,
            mem_reservation: None,
            memswap_limit: None,
            deferred: None,
        }
    }
}

/// Options of [`Container::update`], as docker-py names them.
#[derive(Debug)]
#[must_use = "nothing is sent until `send`"]
pub struct Update<'c> {
    container: &'c Container,
    body: types::ContainerUpdateBody,
    mem_limit: Option<ByteSize>,
    mem_reservation: Option<ByteSize>,
    memswap_limit: Option<ByteSize>,
    deferred: Option<Error>,
}

impl Update<'_> {
    /// Block IO weight, 10 to 1000.
    pub fn blkio_weight(mut self, weight: i64) -> Self {
        self.body.blkio_weight = Some(weight);
        self
    }

    /// Length of a CPU period, microseconds.
    pub fn cpu_period(mut self, period: i64) -> Self {
        self.body.cpu_period = Some(period);
        self
    }

    /// CPU time the container may use per period, microseconds.
    pub fn cpu_quota(mut self, quota: i64) -> Self {
        self.body.cpu_quota = Some(quota);
        self
    }

    /// Relative CPU weight.
    pub fn cpu_shares(mut self, shares: i64) -> Self {
        self.body.cpu_shares = Some(shares);
        self
    }

    /// The CPUs the container may use (`0-3`, `0,1`).
    pub fn cpuset_cpus(mut self, cpus: impl Into<String>) -> Self {
        self.body.cpuset_cpus = Some(cpus.into());
        self
    }

    /// The memory nodes the container may use.
    pub fn cpuset_mems(mut self, mems: impl Into<String>) -> Self {
        self.body.cpuset_mems = Some(mems.into());
        self
    }

    /// Memory limit: bytes, or `"128m"`, `"1g"`, ….
    pub fn mem_limit(mut self, limit: impl Into<ByteSize>) -> Self {
        self.mem_limit = Some(limit.into());
        self
    }

    /// Memory soft limit.
    pub fn mem_reservation(mut self, reservation: impl Into<ByteSize>) -> Self {
        self.mem_reservation = Some(reservation.into());
        self
    }

    /// Memory plus swap limit; -1 for unlimited swap.
    pub fn memswap_limit(mut self, limit: impl Into<ByteSize>) -> Self {
        self.memswap_limit = Some(limit.into());
        self
    }

    /// Most processes in the container; -1 for no limit.
    pub fn pids_limit(mut self, limit: i64) -> Self {
        self.body.pids_limit = Some(limit);
        self
    }

    /// When to restart: `"always"`, `"on-failure:5"`, … or a
    /// [`RestartPolicy`].
    pub fn restart_policy<P>(mut self, policy: P) -> Self
    where
        P: TryInto<RestartPolicy>,
        P::Error: Into<Error>,
    {
        match policy.try_into() {
            Ok(policy) => self.body.restart_policy = Some(convert::restart_policy(&policy)),
            Err(error) => self.deferred = self.deferred.or(Some(error.into())),
        }
        self
    }

    /// Updates; returns the engine's warnings.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for a bad size or policy (nothing sent);
    /// the engine's refusal of a limit it cannot apply.
    pub async fn send(mut self) -> Result<Vec<String>> {
        if let Some(error) = self.deferred {
            return Err(error);
        }
        if let Some(limit) = &self.mem_limit {
            self.body.memory = convert::parse_bytes("mem_limit", limit)?;
        }
        if let Some(reservation) = &self.mem_reservation {
            self.body.memory_reservation = Some(convert::parse_bytes("mem_reservation", reservation)?);
        }
        if let Some(limit) = &self.memswap_limit {
            self.body.memory_swap = Some(convert::parse_swap_bytes("memswap_limit", limit)?);
        }
        let id = self.container.id();
        let body = self.body;
        let response = self
            .container
            .client
            .call("containers.update", |api| {
                api.container_update().id(id).body(body).send()
            })
            .await?;
        Ok(response.warnings.unwrap_or_default())
    }
}
