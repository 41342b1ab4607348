//! The newline-delimited JSON progress of pulls, pushes, builds and loads,
//! decoded as it arrives into the engine's own models.
//!
//! A message may be split across reads anywhere; the decoding is that of
//! [`crate::stream::json_lines`]. A message that carries an error (the
//! engine's `errorDetail`) ends the stream with [`Error::Stream`], so a
//! failed pull is an error and never a quiet end.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures::Stream;
use serde::de::DeserializeOwned;

use crate::api::types;
use crate::error::{Error, Result};
use crate::stream::json_lines;

/// A progress message that may report a failure.
pub trait ProgressMessage: DeserializeOwned + Send + 'static {
    /// The failure this message reports, if any.
    fn failure(&self) -> Option<String>;
}

fn detail(detail: Option<&types::ErrorDetail>) -> Option<String> {
    let detail = detail?;
    // A blank message is no message: the failure must still say something.
    let message = detail.message.clone().filter(|m| !m.trim().is_empty());
    Some(message.unwrap_or_else(|| match detail.code {
        Some(code) => format!("the engine reported error code {code} with no message"),
        None => "the engine reported an error with no message".to_owned(),
    }))
}

// Up to 1.51 the models also have the older `error` string, which a
// message may carry without `errorDetail` (older engines): a failure all
// the same. From 1.52 on they have `errorDetail` only.

impl ProgressMessage for types::CreateImageInfo {
    #[cfg(not(api_1_52))]
    fn failure(&self) -> Option<String> {
        detail(self.error_detail.as_ref()).or_else(|| self.error.clone())
    }

    #[cfg(api_1_52)]
    fn failure(&self) -> Option<String> {
        detail(self.error_detail.as_ref())
    }
}

impl ProgressMessage for types::PushImageInfo {
    // Before 1.48 the model has the older `error` string only.
    #[cfg(not(api_1_48))]
    fn failure(&self) -> Option<String> {
        let error = self.error.as_ref()?;
        Some(if error.trim().is_empty() {
            "the engine reported an error with no message".to_owned()
        } else {
            error.clone()
        })
    }

    #[cfg(all(api_1_48, not(api_1_52)))]
    fn failure(&self) -> Option<String> {
        detail(self.error_detail.as_ref()).or_else(|| self.error.clone())
    }

    #[cfg(api_1_52)]
    fn failure(&self) -> Option<String> {
        detail(self.error_detail.as_ref())
    }
}

impl ProgressMessage for types::BuildInfo {
    #[cfg(not(api_1_52))]
    fn failure(&self) -> Option<String> {
        detail(self.error_detail.as_ref()).or_else(|| self.error.clone())
    }

    #[cfg(api_1_52)]
    fn failure(&self) -> Option<String> {
        detail(self.error_detail.as_ref())
    }
}

/// Progress messages as the engine sends them. Dropping the stream closes
/// the connection (the engine goes on with a pull, but not with a build).
#[must_use = "streams do nothing unless polled"]
pub struct ProgressStream<T> {
    messages: Pin<Box<dyn Stream<Item = Result<T>> + Send>>,
    operation: &'static str,
    done: bool,
}

impl<T> std::fmt::Debug for ProgressStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProgressStream")
            .field("operation", &self.operation)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<T: ProgressMessage> ProgressStream<T> {
    pub(crate) fn new<S>(bytes: S, operation: &'static str, host: String) -> Self
    where
        S: Stream<Item = reqwest::Result<bytes::Bytes>> + Unpin + Send + 'static,
    {
        ProgressStream {
            messages: Box::pin(json_lines::decode(bytes, operation, host)),
            operation,
            done: false,
        }
    }

    /// Reads to the end; returns every message.
    ///
    /// # Errors
    ///
    /// The first failure reported, or a broken connection.
    pub async fn collect_all(self) -> Result<Vec<T>> {
        use futures::TryStreamExt;
        self.try_collect().await
    }
}

impl<T: ProgressMessage> Stream for ProgressStream<T> {
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        match std::task::ready!(this.messages.as_mut().poll_next(cx)) {
            Some(Ok(message)) => match message.failure() {
                Some(message) => {
                    this.done = true;
                    Poll::Ready(Some(Err(Error::Stream {
                        operation: this.operation,
                        message,
                    })))
                }
                None => Poll::Ready(Some(Ok(message))),
            },
            Some(Err(error)) => {
                this.done = true;
                Poll::Ready(Some(Err(error)))
            }
            None => {
                this.done = true;
                Poll::Ready(None)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use futures::StreamExt;

    use super::*;

    fn progress(chunks: &[&'static [u8]]) -> ProgressStream<types::CreateImageInfo> {
        let chunks: Vec<reqwest::Result<Bytes>> = chunks.iter().map(|c| Ok(Bytes::from_static(c))).collect();
        ProgressStream::new(futures::stream::iter(chunks), "images.pull", "test".into())
    }

    #[tokio::test]
    async fn messages_decode_across_any_split() {
        let input: &[u8] = b"{\"status\":\"Pulling fs layer\",\"id\":\"a1\"}\n\
            {\"status\":\"Downloading\",\"progressDetail\":{\"current\":10,\"total\":20},\"id\":\"a1\"}\n\
            {\"status\":\"Status: Downloaded newer image\"}\n";
        for at in 0..=input.len() {
            let (head, tail) = input.split_at(at);
            let leaked: &'static [u8] = Box::leak(head.to_vec().into_boxed_slice());
            let rest: &'static [u8] = Box::leak(tail.to_vec().into_boxed_slice());
            let messages = progress(&[leaked, rest]).collect_all().await.unwrap();
            assert_eq!(messages.len(), 3, "split at {at}");
            let detail = messages[1].progress_detail.as_ref().unwrap();
            assert_eq!((detail.current, detail.total), (Some(10), Some(20)));
        }
    }

    #[tokio::test]
    async fn an_error_message_mid_stream_is_a_typed_error_and_the_end() {
        let items: Vec<_> = progress(&[
            b"{\"status\":\"Pulling\"}\n",
            b"{\"errorDetail\":{\"message\":\"manifest unknown\"},\"error\":\"manifest unknown\"}\n",
            b"{\"status\":\"never seen\"}\n",
        ])
        .collect()
        .await;
        assert_eq!(items.len(), 2);
        match &items[1] {
            Err(Error::Stream { operation, message }) => {
                assert_eq!(
                    (*operation, message.as_str()),
                    ("images.pull", "manifest unknown")
                );
            }
            other => panic!("{other:?}"),
        }
    }

    /// Found by fuzzing: a blank error message made a failure that said
    /// nothing.
    #[test]
    fn a_failure_without_a_message_still_says_so() {
        let pull: types::CreateImageInfo =
            serde_json::from_str(r#"{"error":"","errorDetail":{"message":""}}"#).unwrap();
        assert_eq!(
            pull.failure().as_deref(),
            Some("the engine reported an error with no message")
        );
        let push: types::PushImageInfo =
            serde_json::from_str(r#"{"error":" ","errorDetail":{"message":" "}}"#).unwrap();
        assert!(push.failure().is_some_and(|m| !m.trim().is_empty()));
    }

    #[tokio::test]
    async fn a_garbage_line_is_a_decode_error() {
        let items: Vec<_> = progress(&[b"{\"status\":\"ok\"}\n<html>oops</html>\n"])
            .collect()
            .await;
        assert!(matches!(items[1], Err(Error::Decode { .. })), "{items:?}");
    }
}
