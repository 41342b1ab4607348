//! A container's output: stdout and stderr multiplexed on one stream, or the
//! raw bytes of a TTY.
//!
//! Without a TTY the engine frames what a container writes: an 8-byte header
//! (the stream, 0 stdin, 1 stdout, 2 stderr; three bytes of padding; the
//! payload's length as a big-endian `u32`) then the payload. Logs, attach and
//! exec all use it. Stream 3 is the engine's own: an error it met once the
//! stream had started (logs it could not read, say), which ends the stream.
//! The decoder here hands out each payload as a slice of the
//! chunk it arrived in, so nothing is copied and a frame larger than a chunk
//! is never buffered whole: a frame split across chunks comes out as several
//! pieces of the same stream.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Buf, Bytes};
use futures::Stream;

use crate::error::{Error, Result};

/// One piece of a container's output (docker-py's `demux` tells stdout from
/// stderr the same way).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogOutput {
    /// Written to stdin and echoed back (attach with stdin).
    StdIn(Bytes),
    /// Written to stdout.
    StdOut(Bytes),
    /// Written to stderr.
    StdErr(Bytes),
    /// Written to the container's TTY: stdout and stderr are one stream.
    Console(Bytes),
}

impl LogOutput {
    /// The bytes, whichever stream they came from.
    pub fn as_bytes(&self) -> &Bytes {
        match self {
            LogOutput::StdIn(b) | LogOutput::StdOut(b) | LogOutput::StdErr(b) | LogOutput::Console(b) => b,
        }
    }

    /// The bytes, whichever stream they came from.
    pub fn into_bytes(self) -> Bytes {
        match self {
            LogOutput::StdIn(b) | LogOutput::StdOut(b) | LogOutput::StdErr(b) | LogOutput::Console(b) => b,
        }
    }
}

/// A container's output split by stream: what [`LogStream::demux`] gathers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Demuxed {
    /// Everything written to stdout (and, for a TTY, everything).
    pub stdout: Vec<u8>,
    /// Everything written to stderr; always empty for a TTY.
    pub stderr: Vec<u8>,
}

const HEADER: usize = 8;

/// moby's `stdcopy.Systemerr`: a frame holding an error of the engine.
const ENGINE_ERROR: u8 = 3;

/// The most of an engine error's text kept.
const MAX_ENGINE_ERROR: usize = 64 * 1024;

/// The framing state between chunks.
#[derive(Debug, Default)]
pub(crate) struct Demuxer {
    header: [u8; HEADER],
    /// Bytes of `header` filled so far.
    filled: usize,
    /// The stream of the frame being read, and what is left of its payload.
    frame: Option<(u8, usize)>,
    /// The text of an engine error frame, as it arrives.
    engine_error: Vec<u8>,
}

/// Why a multiplexed stream could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FrameError {
    UnknownStream(u8),
    Truncated {
        header: usize,
        payload_left: usize,
    },
    /// The engine's own error, sent in the stream.
    Engine(String),
}

impl std::fmt::Display for FrameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FrameError::UnknownStream(id) => write!(
                f,
                "a frame header names stream {id}, not stdin (0), stdout (1), stderr (2) \
                 or an engine error (3); is this a TTY's output read as multiplexed?"
            ),
            FrameError::Engine(message) => write!(f, "the engine reported an error: {message}"),
            FrameError::Truncated {
                header,
                payload_left: 0,
            } => {
                write!(f, "the stream ended inside a frame header ({header} of 8 bytes)")
            }
            FrameError::Truncated { payload_left, .. } => {
                write!(
                    f,
                    "the stream ended {payload_left} bytes before the end of a frame"
                )
            }
        }
    }
}

impl Demuxer {
    /// Decodes a chunk, appending its payload pieces to `out`. Zero-length
    /// frames yield nothing.
    pub(crate) fn feed(
        &mut self,
        mut chunk: Bytes,
        out: &mut VecDeque<LogOutput>,
    ) -> std::result::Result<(), FrameError> {
        while chunk.has_remaining() {
            match self.frame {
                Some((stream, left)) => {
                    let take = left.min(chunk.len());
                    let piece = chunk.split_to(take);
                    self.frame = (left > take).then_some((stream, left - take));
                    match stream {
                        0 => out.push_back(LogOutput::StdIn(piece)),
                        1 => out.push_back(LogOutput::StdOut(piece)),
                        2 => out.push_back(LogOutput::StdErr(piece)),
                        _ => {
                            let room = MAX_ENGINE_ERROR.saturating_sub(self.engine_error.len());
                            self.engine_error
                                .extend_from_slice(&piece[..piece.len().min(room)]);
                            if self.frame.is_none() {
                                return Err(self.engine_error());
                            }
                        }
                    }
                }
                None => {
                    let take = (HEADER - self.filled).min(chunk.len());
                    self.header[self.filled..self.filled + take].copy_from_slice(&chunk[..take]);
                    chunk.advance(take);
                    self.filled += take;
                    if self.filled == HEADER {
                        self.filled = 0;
                        let stream = self.header[0];
                        if stream > ENGINE_ERROR {
                            return Err(FrameError::UnknownStream(stream));
                        }
                        let [_, _, _, _, a, b, c, d] = self.header;
                        let len = u32::from_be_bytes([a, b, c, d]) as usize;
                        self.frame = (len > 0).then_some((stream, len));
                        if stream == ENGINE_ERROR && len == 0 {
                            return Err(self.engine_error());
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Checks that the stream did not end inside a frame.
    pub(crate) fn finish(&self) -> std::result::Result<(), FrameError> {
        match (self.filled, self.frame) {
            // Cut short, the engine's error still says more than the cut.
            (_, Some((ENGINE_ERROR, _))) => Err(self.engine_error()),
            (0, None) => Ok(()),
            (header, frame) => Err(FrameError::Truncated {
                header,
                payload_left: frame.map_or(0, |(_, left)| left),
            }),
        }
    }

    fn engine_error(&self) -> FrameError {
        let text = String::from_utf8_lossy(&self.engine_error);
        match text.trim() {
            "" => FrameError::Engine("(no message)".to_owned()),
            text => FrameError::Engine(text.to_owned()),
        }
    }
}

type ByteSource = Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>;

/// What a stream must confirm once its source has ended cleanly; see
/// [`LogStream::with_end_check`].
pub(crate) type EndCheck = Pin<Box<dyn Future<Output = Result<()>> + Send>>;

/// A container's output as it arrives: logs, attach, exec. Dropping it
/// closes the connection.
///
/// ```no_run
/// # async fn example(container: docker_sdk::Container) -> docker_sdk::Result<()> {
/// use futures::TryStreamExt;
/// use docker_sdk::stream::LogOutput;
///
/// let mut logs = container.logs().follow(true).stream().await?;
/// while let Some(piece) = logs.try_next().await? {
///     match piece {
///         LogOutput::StdErr(bytes) => eprint!("{}", String::from_utf8_lossy(&bytes)),
///         other => print!("{}", String::from_utf8_lossy(other.as_bytes())),
///     }
/// }
/// # Ok(())
/// # }
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct LogStream {
    source: ByteSource,
    /// `None` for a TTY's raw output.
    demuxer: Option<Demuxer>,
    ready: VecDeque<LogOutput>,
    operation: &'static str,
    host: String,
    done: bool,
    /// A decoding error, given once the pieces decoded before it are out.
    failed: Option<Error>,
    /// Run when the source ends without an error; its error, if any, is the
    /// stream's last item.
    end_check: Option<EndCheck>,
}

impl std::fmt::Debug for LogStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogStream")
            .field("operation", &self.operation)
            .field("multiplexed", &self.demuxer.is_some())
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl LogStream {
    /// Output of a container without a TTY, framed by stream; `tty` says
    /// the bytes are raw.
    pub(crate) fn new<S>(source: S, tty: bool, operation: &'static str, host: String) -> Self
    where
        S: Stream<Item = std::io::Result<Bytes>> + Send + 'static,
    {
        LogStream {
            source: Box::pin(source),
            demuxer: (!tty).then(Demuxer::default),
            ready: VecDeque::new(),
            operation,
            host,
            done: false,
            failed: None,
            end_check: None,
        }
    }

    /// Confirms a clean end with `check` before reporting it. A hijacked
    /// attach has no end marker of its own: the engine closing it because
    /// the container stopped and the engine dying look the same, so the
    /// attach asks the engine afterwards.
    pub(crate) fn with_end_check(mut self, check: EndCheck) -> Self {
        self.end_check = Some(check);
        self
    }

    /// Reads everything and keeps stdout and stderr apart (docker-py's
    /// `demux=True`). A TTY's output is all stdout.
    ///
    /// # Errors
    ///
    /// A broken connection or a corrupt frame.
    pub async fn demux(self) -> Result<Demuxed> {
        use futures::TryStreamExt;
        self.try_fold(Demuxed::default(), |mut all, piece| async move {
            match piece {
                LogOutput::StdErr(b) => all.stderr.extend_from_slice(&b),
                other => all.stdout.extend_from_slice(other.as_bytes()),
            }
            Ok(all)
        })
        .await
    }

    /// Reads everything, stdout and stderr interleaved as they were written
    /// (docker-py's default).
    ///
    /// # Errors
    ///
    /// A broken connection or a corrupt frame.
    pub async fn concat(self) -> Result<Vec<u8>> {
        use futures::TryStreamExt;
        self.try_fold(Vec::new(), |mut all, piece| async move {
            all.extend_from_slice(piece.as_bytes());
            Ok(all)
        })
        .await
    }

    fn fail(&mut self, error: &FrameError) {
        self.done = true;
        self.end_check = None;
        self.failed = Some(match error {
            FrameError::Engine(message) => Error::Stream {
                operation: self.operation,
                message: message.clone(),
            },
            _ => Error::Decode {
                operation: self.operation,
                message: error.to_string(),
            },
        });
    }
}

impl Stream for LogStream {
    type Item = Result<LogOutput>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(piece) = this.ready.pop_front() {
                return Poll::Ready(Some(Ok(piece)));
            }
            if this.done {
                if let Some(check) = this.end_check.as_mut() {
                    let outcome = std::task::ready!(check.as_mut().poll(cx));
                    this.end_check = None;
                    if let Err(error) = outcome {
                        return Poll::Ready(Some(Err(error)));
                    }
                }
                return Poll::Ready(this.failed.take().map(Err));
            }
            match std::task::ready!(this.source.as_mut().poll_next(cx)) {
                Some(Ok(chunk)) => match &mut this.demuxer {
                    None if chunk.is_empty() => {}
                    None => return Poll::Ready(Some(Ok(LogOutput::Console(chunk)))),
                    Some(demuxer) => {
                        if let Err(error) = demuxer.feed(chunk, &mut this.ready) {
                            this.fail(&error);
                        }
                    }
                },
                Some(Err(error)) => {
                    this.done = true;
                    this.end_check = None;
                    let error = crate::error::Call {
                        host: &this.host,
                        operation: this.operation,
                    }
                    .io(&error);
                    return Poll::Ready(Some(Err(error)));
                }
                None => {
                    this.done = true;
                    if let Some(Err(error)) = this.demuxer.as_ref().map(Demuxer::finish) {
                        this.fail(&error);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;

    fn frame(stream: u8, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![stream, 0, 0, 0];
        out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
        out.extend_from_slice(payload);
        out
    }

    /// Decodes `input` cut into the given chunks; merges adjacent pieces of
    /// one stream so that results compare whatever the cuts.
    fn decode(chunks: &[&[u8]]) -> std::result::Result<Vec<(u8, Vec<u8>)>, FrameError> {
        let mut demuxer = Demuxer::default();
        let mut out = VecDeque::new();
        for chunk in chunks {
            demuxer.feed(Bytes::copy_from_slice(chunk), &mut out)?;
        }
        demuxer.finish()?;
        let mut merged: Vec<(u8, Vec<u8>)> = Vec::new();
        for piece in out {
            let id = match &piece {
                LogOutput::StdIn(_) => 0,
                LogOutput::StdOut(_) => 1,
                LogOutput::StdErr(_) => 2,
                LogOutput::Console(_) => 9,
            };
            match merged.last_mut() {
                Some((last, bytes)) if *last == id => bytes.extend_from_slice(piece.as_bytes()),
                _ => merged.push((id, piece.as_bytes().to_vec())),
            }
        }
        Ok(merged)
    }

    #[test]
    fn frames_survive_a_cut_at_every_offset() {
        let mut input = frame(1, b"hello\n");
        input.extend(frame(2, b"oops\n"));
        input.extend(frame(1, b""));
        input.extend(frame(1, b"bye\n"));
        input.extend(frame(0, b"in"));
        let expected = vec![
            (1, b"hello\n".to_vec()),
            (2, b"oops\n".to_vec()),
            (1, b"bye\n".to_vec()),
            (0, b"in".to_vec()),
        ];
        for at in 0..=input.len() {
            assert_eq!(
                decode(&[&input[..at], &input[at..]]).unwrap(),
                expected,
                "cut at {at}"
            );
        }
        for a in 0..=input.len() {
            for b in a..=input.len() {
                let chunks = [&input[..a], &input[a..b], &input[b..]];
                assert_eq!(decode(&chunks).unwrap(), expected, "cuts at {a} and {b}");
            }
        }
        let bytewise: Vec<&[u8]> = input.chunks(1).collect();
        assert_eq!(decode(&bytewise).unwrap(), expected);
    }

    #[test]
    fn bad_framing_is_an_error() {
        let cases: Vec<(Vec<u8>, FrameError)> = vec![
            (
                vec![1, 0, 0],
                FrameError::Truncated {
                    header: 3,
                    payload_left: 0,
                },
            ),
            (
                frame(1, b"abc")[..9].to_vec(),
                FrameError::Truncated {
                    header: 0,
                    payload_left: 2,
                },
            ),
            (frame(3, b"abc"), FrameError::Engine("abc".to_owned())),
            (frame(4, b"abc"), FrameError::UnknownStream(4)),
            (b"plain tty text".to_vec(), FrameError::UnknownStream(b'p')),
            (
                {
                    let mut v = frame(1, b"ok");
                    v.extend_from_slice(&[2, 0, 0, 0, 0, 0, 1]);
                    v
                },
                FrameError::Truncated {
                    header: 7,
                    payload_left: 0,
                },
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(decode(&[&input]), Err(expected.clone()), "{input:?}");
        }
    }

    #[test]
    fn empty_input_is_an_empty_stream() {
        assert_eq!(decode(&[]).unwrap(), vec![]);
        assert_eq!(decode(&[b""]).unwrap(), vec![]);
        assert_eq!(decode(&[&frame(2, b"")]).unwrap(), vec![]);
    }

    #[test]
    fn a_large_frame_is_not_buffered() {
        let payload = vec![7u8; 100_000];
        let input = frame(1, &payload);
        let mut demuxer = Demuxer::default();
        let mut out = VecDeque::new();
        for chunk in input.chunks(4096) {
            demuxer.feed(Bytes::copy_from_slice(chunk), &mut out).unwrap();
            assert!(out.iter().all(|p| p.as_bytes().len() <= 4096));
        }
        demuxer.finish().unwrap();
        assert_eq!(
            out.iter().map(|p| p.as_bytes().len()).sum::<usize>(),
            payload.len()
        );
    }

    fn stream_of(chunks: Vec<std::io::Result<Bytes>>, tty: bool) -> LogStream {
        LogStream::new(futures::stream::iter(chunks), tty, "logs", "test".into())
    }

    #[tokio::test]
    async fn demux_and_concat_gather_the_streams() {
        let mut input = frame(1, b"out1 ");
        input.extend(frame(2, b"err1 "));
        input.extend(frame(1, b"out2"));
        let chunks = || {
            input
                .chunks(5)
                .map(|c| Ok(Bytes::copy_from_slice(c)))
                .collect::<Vec<_>>()
        };
        let demuxed = stream_of(chunks(), false).demux().await.unwrap();
        assert_eq!(demuxed.stdout, b"out1 out2");
        assert_eq!(demuxed.stderr, b"err1 ");
        assert_eq!(
            stream_of(chunks(), false).concat().await.unwrap(),
            b"out1 err1 out2"
        );
    }

    #[tokio::test]
    async fn tty_output_passes_through() {
        let chunks = vec![
            Ok(Bytes::from_static(b"\x01raw")),
            Ok(Bytes::new()),
            Ok(Bytes::from_static(b" text")),
        ];
        let demuxed = stream_of(chunks, true).demux().await.unwrap();
        assert_eq!(demuxed.stdout, b"\x01raw text");
        assert!(demuxed.stderr.is_empty());
    }

    #[tokio::test]
    async fn a_corrupt_frame_ends_the_stream_with_a_typed_error() {
        let mut input = frame(1, b"fine");
        input.extend(frame(7, b"bad"));
        input.extend(frame(1, b"never"));
        let items: Vec<_> = stream_of(vec![Ok(Bytes::from(input))], false).collect().await;
        assert_eq!(items.len(), 2);
        assert_eq!(
            items[0].as_ref().unwrap(),
            &LogOutput::StdOut(Bytes::from_static(b"fine"))
        );
        match &items[1] {
            Err(Error::Decode {
                operation: "logs",
                message,
            }) => assert!(message.contains("stream 7")),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn a_broken_connection_is_a_transport_error() {
        let chunks = vec![
            Ok(Bytes::from(frame(1, b"x"))),
            Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset")),
        ];
        let items: Vec<_> = stream_of(chunks, false).collect().await;
        assert!(matches!(items[1], Err(Error::Transport { .. })), "{items:?}");
        assert_eq!(items.len(), 2);
    }
}
