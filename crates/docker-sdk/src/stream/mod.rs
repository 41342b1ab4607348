//! Decoding what the engine streams.

pub mod json_lines;
pub mod multiplex;

pub use multiplex::{Demuxed, LogOutput, LogStream};

use bytes::Bytes;
use futures::{Stream, TryStreamExt};

/// A response body as the stream type shared with hijacked connections.
pub(crate) fn io_stream(
    body: docker_engine_api::ByteStream,
) -> impl Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    body.into_inner().map_err(std::io::Error::other)
}
