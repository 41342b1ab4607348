//! Files in and out of a container as tar archives, streamed both ways.

use std::pin::Pin;
use std::task::{Context, Poll};

use base64::Engine as _;
use bytes::Bytes;
use futures::Stream;

use super::Container;
use crate::error::{Call, Error, Result};
use crate::stream::io_stream;

/// A tar archive as it arrives from the engine, chunk by chunk; never held
/// whole. Dropping it closes the connection.
#[must_use = "streams do nothing unless polled"]
pub struct ArchiveStream {
    body: Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>,
    operation: &'static str,
    host: String,
}

impl std::fmt::Debug for ArchiveStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArchiveStream")
            .field("operation", &self.operation)
            .finish_non_exhaustive()
    }
}

impl ArchiveStream {
    pub(crate) fn from_body(
        body: docker_engine_api::ByteStream,
        operation: &'static str,
        host: String,
    ) -> Self {
        ArchiveStream {
            body: Box::pin(io_stream(body)),
            operation,
            host,
        }
    }

    /// The archive as an [`AsyncRead`](tokio::io::AsyncRead), to unpack or
    /// copy it with tokio's I/O tools.
    pub fn into_reader(self) -> impl tokio::io::AsyncRead + Send {
        tokio_util::io::StreamReader::new(self.body)
    }
}

impl Stream for ArchiveStream {
    type Item = Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        match std::task::ready!(this.body.as_mut().poll_next(cx)) {
            Some(Ok(chunk)) => Poll::Ready(Some(Ok(chunk))),
            Some(Err(error)) => Poll::Ready(Some(Err(Call {
                host: &this.host,
                operation: this.operation,
            }
            .io(&error)))),
            None => Poll::Ready(None),
        }
    }
}

/// What the engine says of a path in a container (the
/// `X-Docker-Container-Path-Stat` header of [`Container::get_archive`]).
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct PathStat {
    /// The file's base name.
    pub name: String,
    /// Its size in bytes.
    pub size: i64,
    /// Its mode bits, in Go's `os.FileMode` encoding (type bits included).
    pub mode: u32,
    /// When it was last modified (RFC 3339).
    pub mtime: String,
    /// Where it points, for a symbolic link.
    #[serde(rename = "linkTarget", default)]
    pub link_target: String,
}

impl PathStat {
    fn from_header(value: &[u8]) -> Result<Self> {
        let undecodable = |reason: String| Error::Decode {
            operation: "containers.get_archive",
            message: format!("the X-Docker-Container-Path-Stat header {reason}"),
        };
        let json = base64::engine::general_purpose::STANDARD
            .decode(value)
            .map_err(|e| undecodable(format!("is not base64: {e}")))?;
        serde_json::from_slice(&json).map_err(|e| undecodable(format!("is not a path stat: {e}")))
    }
}

impl Container {
    /// A file or directory of the container as a tar archive, streamed, and
    /// what the engine says of the path (docker-py's `get_archive`).
    ///
    /// ```no_run
    /// # async fn example(container: docker_sdk::Container) -> docker_sdk::Result<()> {
    /// use futures::TryStreamExt;
    ///
    /// let (archive, stat) = container.get_archive("/etc/hostname").await?;
    /// let bytes = archive.try_fold(0, |n, chunk| async move { Ok(n + chunk.len()) }).await?;
    /// println!("{} is {} bytes, {bytes} as tar", stat.name, stat.size);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when the container or the path does not exist.
    pub async fn get_archive(&self, path: &str) -> Result<(ArchiveStream, PathStat)> {
        let client = &self.client;
        let api = client.api().await?;
        let operation = "containers.get_archive";
        let response = client
            .respond(
                operation,
                Some(api.version),
                api.client.container_archive().id(self.id()).path(path).send(),
            )
            .await?;
        let stat = response
            .headers()
            .get("x-docker-container-path-stat")
            .ok_or_else(|| Error::Decode {
                operation,
                message: "the engine sent no X-Docker-Container-Path-Stat header".to_owned(),
            })
            .and_then(|value| PathStat::from_header(value.as_bytes()))?;
        let archive = ArchiveStream::from_body(response.into_inner(), operation, client.host().to_string());
        Ok((archive, stat))
    }

    /// Unpacks a tar archive into a directory of the container (docker-py's
    /// `put_archive`). The body is streamed: give a file, a stream or bytes
    /// (anything [`reqwest::Body`] is made from), and the client's timeout
    /// covers the whole upload.
    ///
    /// ```no_run
    /// # async fn example(container: docker_sdk::Container) -> Result<(), Box<dyn std::error::Error>> {
    /// let tar = tokio::fs::File::open("context.tar").await?;
    /// container.put_archive("/srv", tar).await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when the container or the directory does not
    /// exist; the engine's refusal of a read-only path or a bad archive.
    pub async fn put_archive(&self, path: &str, archive: impl Into<reqwest::Body>) -> Result<()> {
        let id = self.id();
        let body = archive.into();
        self.client
            .call("containers.put_archive", |api| {
                api.put_container_archive().id(id).path(path).body(body).send()
            })
            .await
    }

    /// The container's whole filesystem as a tar archive, streamed (`docker
    /// export`).
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when the container is gone.
    pub async fn export(&self) -> Result<ArchiveStream> {
        let client = &self.client;
        let api = client.api().await?;
        let operation = "containers.export";
        let response = client
            .respond(
                operation,
                Some(api.version),
                api.client.container_export().id(self.id()).send(),
            )
            .await?;
        Ok(ArchiveStream::from_body(
            response.into_inner(),
            operation,
            client.host().to_string(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_stat_header_decodes() {
        let json =
            br#"{"name":"hostname","size":13,"mode":420,"mtime":"2026-11-24T15:00:00Z","linkTarget":""}"#;
        let header = base64::engine::general_purpose::STANDARD.encode(json);
        let stat = PathStat::from_header(header.as_bytes()).unwrap();
        assert_eq!(stat.name, "hostname");
        assert_eq!(stat.size, 13);
        assert_eq!(stat.mode, 0o644);
    }

    #[test]
    fn bad_path_stat_headers_are_decode_errors() {
        for header in [&b"%%%"[..], b"bm90IGpzb24=", b""] {
            let error = PathStat::from_header(header).unwrap_err();
            assert!(matches!(error, Error::Decode { .. }), "{error:?}");
        }
    }
}
