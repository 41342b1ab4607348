//! Resource usage: one sample, or a decoded stream of them.

use std::pin::Pin;

use futures::Stream;

use super::Container;
#[cfg(api_1_48)]
use crate::api::types;
use crate::error::Result;
use crate::stream::json_lines;

/// One resource-usage sample. Before 1.48 the swagger had no model for it:
/// the sample is then the engine's JSON as it came.
#[cfg(api_1_48)]
pub type StatsSample = types::ContainerStatsResponse;
/// One resource-usage sample. Before 1.48 the swagger had no model for it:
/// the sample is then the engine's JSON as it came.
#[cfg(not(api_1_48))]
pub type StatsSample = serde_json::Value;

/// A stream of resource-usage samples, one a second. Dropping it closes the
/// connection.
pub type StatsStream = Pin<Box<dyn Stream<Item = Result<StatsSample>> + Send>>;

impl Container {
    /// The container's resource usage (`docker stats`).
    ///
    /// ```no_run
    /// # async fn example(container: docker_sdk::Container) -> docker_sdk::Result<()> {
    /// use futures::TryStreamExt;
    ///
    /// let now = container.stats().one_shot(true).send().await?;
    /// let mut samples = container.stats().stream().await?;
    /// while let Some(sample) = samples.try_next().await? {
    ///     println!("{:?}", sample.memory_stats.and_then(|m| m.usage));
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn stats(&self) -> Stats<'_> {
        Stats {
            container: self,
            one_shot: false,
        }
    }
}

/// Options of [`Container::stats`].
#[derive(Debug)]
#[must_use = "nothing is sent until `send` or `stream`"]
pub struct Stats<'c> {
    container: &'c Container,
    one_shot: bool,
}

impl Stats<'_> {
    /// Answer at once, without the second sample that CPU percentages are
    /// computed from (`precpu_stats` is then empty).
    pub fn one_shot(mut self, one_shot: bool) -> Self {
        self.one_shot = one_shot;
        self
    }

    /// One sample.
    ///
    /// # Errors
    ///
    /// [`crate::Error::NotFound`] when the container is gone.
    pub async fn send(self) -> Result<StatsSample> {
        use futures::TryStreamExt;
        let mut samples = self.request(false).await?;
        samples.try_next().await?.ok_or_else(|| crate::Error::Decode {
            operation: "containers.stats",
            message: "the engine closed the stream before sending a sample".to_owned(),
        })
    }

    /// A sample a second until dropped (or the container is removed).
    ///
    /// # Errors
    ///
    /// As for [`Stats::send`].
    pub async fn stream(self) -> Result<StatsStream> {
        self.request(true).await
    }

    async fn request(self, stream: bool) -> Result<StatsStream> {
        let client = &self.container.client;
        let api = client.api().await?;
        let operation = "containers.stats";
        let mut request = api
            .client
            .container_stats()
            .id(self.container.id())
            .stream(stream);
        if self.one_shot {
            request = request.one_shot(true);
        }
        let response = client
            .respond(operation, Some(api.version), request.send())
            .await?;
        Ok(Box::pin(json_lines::decode(
            response.into_inner().into_inner(),
            operation,
            client.host().to_string(),
        )))
    }
}
