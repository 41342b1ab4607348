//! The context tar as a stream of chunks, written by a thread of its own
//! through a bounded channel.

use std::io::{self, Write};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures::Stream;
use tokio::sync::mpsc;

use super::{BuildContext, archive};
use crate::error::{Error, Result};

/// The size of the chunks a [`ContextStream`] yields (the last one may be
/// shorter).
pub const CHUNK_SIZE: usize = 64 * 1024;

/// How many chunks may wait in a [`ContextStream`]'s channel. With the
/// chunk being filled and the one being handed over, the stream never holds
/// more than `(CHANNEL_CAPACITY + 2) * CHUNK_SIZE` bytes of tar, whatever
/// the size of the context.
pub const CHANNEL_CAPACITY: usize = 4;

/// A build context's tar, chunk by chunk, made while the directory is
/// walked; never held whole.
///
/// A thread of its own walks the context and writes the tar into a channel
/// of [`CHANNEL_CAPACITY`] chunks of [`CHUNK_SIZE`] bytes; it waits while
/// the channel is full, so memory stays bounded when the engine reads
/// slowly. Dropping the stream stops the thread at its next chunk or entry.
///
/// A problem met during the walk (a file that vanished or cannot be read)
/// ends the stream with an [`io::Error`] naming the file. The stream is
/// `Send + 'static`, ready for `reqwest::Body::wrap_stream`.
#[must_use = "streams do nothing unless polled"]
#[derive(Debug)]
pub struct ContextStream {
    chunks: mpsc::Receiver<io::Result<Bytes>>,
    stats: ContextStats,
    dockerfile: String,
    gzip: bool,
}

impl ContextStream {
    pub(super) fn start(context: BuildContext) -> Result<Self> {
        let (sender, chunks) = mpsc::channel(CHANNEL_CAPACITY);
        let stats = ContextStats::default();
        let counters = stats.0.clone();
        let dockerfile = context.dockerfile.clone();
        let gzip = context.gzip;
        std::thread::Builder::new()
            .name("build-context".to_owned())
            .spawn(move || write_chunks(&context, sender, &counters))
            .map_err(|e| {
                Error::invalid_argument("path", format!("cannot start the thread that reads it: {e}"))
            })?;
        Ok(ContextStream {
            chunks,
            stats,
            dockerfile,
            gzip,
        })
    }

    /// The Dockerfile's name in the archive: what the engine must be told
    /// (the build's `dockerfile` parameter).
    pub fn dockerfile(&self) -> &str {
        &self.dockerfile
    }

    /// Whether the archive is gzipped: docker-py then sends it with
    /// `Content-Encoding: gzip` (and `Content-Type: application/tar`, as
    /// always).
    pub fn is_gzip(&self) -> bool {
        self.gzip
    }

    /// Counters of what was written, to read during or after the upload.
    pub fn stats(&self) -> ContextStats {
        self.stats.clone()
    }
}

impl Stream for ContextStream {
    type Item = io::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.chunks.poll_recv(cx)
    }
}

/// The writer thread: the tar, then what is left in the last chunk, or the
/// error that stopped it.
fn write_chunks(context: &BuildContext, sender: mpsc::Sender<io::Result<Bytes>>, counters: &Counters) {
    let watcher = sender.clone();
    // Marks the end however the thread ends, before the last sender (the
    // watcher, declared before it) is dropped: the stream ends after it.
    let _finished = Finished(counters);
    let chunks = Chunks {
        buffer: BytesMut::with_capacity(CHUNK_SIZE),
        sender,
    };
    let write = || archive::write(context, chunks, counters, &|| watcher.is_closed());
    // A panic must not look like the end of a complete archive.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(write))
        .unwrap_or_else(|_| Err(io::Error::other("the build context writer failed unexpectedly")));
    match result {
        // The receiver may be gone already; nobody is left to tell.
        Ok(mut chunks) => drop(chunks.send()),
        Err(error) => {
            if !watcher.is_closed() {
                drop(watcher.blocking_send(Err(error)));
            }
        }
    }
}

/// Cuts what is written into chunks and sends each when full, waiting while
/// the channel is full.
struct Chunks {
    buffer: BytesMut,
    sender: mpsc::Sender<io::Result<Bytes>>,
}

impl Chunks {
    fn send(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = self.buffer.split().freeze();
        self.buffer.reserve(CHUNK_SIZE);
        self.sender
            .blocking_send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the build context stream was dropped"))
    }
}

impl Write for Chunks {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let room = CHUNK_SIZE - self.buffer.len();
        let taken = room.min(data.len());
        self.buffer.extend_from_slice(&data[..taken]);
        if self.buffer.len() == CHUNK_SIZE {
            self.send()?;
        }
        Ok(taken)
    }

    /// Sends nothing: a chunk goes when full, or at the end.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// How much of a context was written: entries, bytes of tar, bytes sent.
///
/// The counts grow while the stream is read and are final once it has
/// ended (or [`ContextStats::is_finished`] says so).
#[derive(Clone, Debug, Default)]
pub struct ContextStats(Arc<Counters>);

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub entries: AtomicU64,
    pub tar_bytes: AtomicU64,
    pub stream_bytes: AtomicU64,
    pub finished: AtomicBool,
}

impl ContextStats {
    /// Entries written to the tar (directories, files, links, and the
    /// generated files).
    pub fn entries(&self) -> u64 {
        self.0.entries.load(Ordering::Relaxed)
    }

    /// Bytes of tar written, before any compression.
    pub fn tar_bytes(&self) -> u64 {
        self.0.tar_bytes.load(Ordering::Relaxed)
    }

    /// Bytes handed to the stream (the tar's size, or the gzip's).
    pub fn stream_bytes(&self) -> u64 {
        self.0.stream_bytes.load(Ordering::Relaxed)
    }

    /// Whether the writer is done: it finished, failed, or saw the stream
    /// dropped.
    pub fn is_finished(&self) -> bool {
        self.0.finished.load(Ordering::Acquire)
    }

    pub(super) fn counters(&self) -> &Counters {
        &self.0
    }
}

struct Finished<'c>(&'c Counters);

impl Drop for Finished<'_> {
    fn drop(&mut self) {
        self.0.finished.store(true, Ordering::Release);
    }
}
