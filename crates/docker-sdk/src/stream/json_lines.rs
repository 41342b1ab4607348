//! Newline-delimited JSON, decoded as it arrives: events, and (later) the
//! progress of pulls, pushes, builds and loads.
//!
//! A document may be split across reads anywhere, several may arrive in one
//! read, and blank lines are skipped. A line longer than [`MAX_LINE`] is an
//! error rather than a reason to buffer without bound.

use std::collections::VecDeque;

use bytes::{Buf, Bytes, BytesMut};
use futures::{Stream, StreamExt};
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

/// The longest line (one JSON document) accepted.
pub const MAX_LINE: usize = 16 * 1024 * 1024;

/// Splits bytes into lines, across chunk boundaries.
#[derive(Debug, Default)]
pub(crate) struct LineSplitter {
    pending: BytesMut,
}

impl LineSplitter {
    /// Feeds a chunk; returns the complete lines it ends (without `\n`).
    pub(crate) fn push(&mut self, chunk: &[u8]) -> std::result::Result<Vec<Bytes>, usize> {
        let mut lines = Vec::new();
        let mut rest = chunk;
        while let Some(at) = rest.iter().position(|b| *b == b'\n') {
            self.pending.extend_from_slice(&rest[..at]);
            rest = &rest[at + 1..];
            let line = self.pending.split().freeze();
            if !line.iter().all(u8::is_ascii_whitespace) {
                lines.push(line);
            }
        }
        self.pending.extend_from_slice(rest);
        if self.pending.len() > MAX_LINE {
            return Err(self.pending.len());
        }
        Ok(lines)
    }

    /// What is left once the stream has ended: a last line without `\n`.
    pub(crate) fn finish(&mut self) -> Option<Bytes> {
        let line = self.pending.split().freeze();
        (!line.iter().all(u8::is_ascii_whitespace)).then_some(line)
    }
}

/// Decodes a byte stream of JSON lines into `T`s. The first error ends the
/// stream.
pub(crate) fn decode<T, S>(bytes: S, operation: &'static str, host: String) -> impl Stream<Item = Result<T>>
where
    T: DeserializeOwned,
    S: Stream<Item = reqwest::Result<Bytes>> + Unpin,
{
    struct State<S> {
        bytes: S,
        splitter: LineSplitter,
        ready: VecDeque<Bytes>,
        finished: bool,
        host: String,
    }
    let state = State {
        bytes,
        splitter: LineSplitter::default(),
        ready: VecDeque::new(),
        finished: false,
        host,
    };
    futures::stream::unfold(state, move |mut state| async move {
        loop {
            if let Some(line) = state.ready.pop_front() {
                let item = serde_json::from_slice::<T>(line.chunk()).map_err(|e| Error::Decode {
                    operation,
                    message: format!("{e} in line {:?}", excerpt(&line)),
                });
                if item.is_err() {
                    state.finished = true;
                    state.ready.clear();
                }
                return Some((item, state));
            }
            if state.finished {
                return None;
            }
            match state.bytes.next().await {
                Some(Ok(chunk)) => match state.splitter.push(&chunk) {
                    Ok(lines) => state.ready.extend(lines),
                    Err(len) => {
                        state.finished = true;
                        let message = format!("a line of more than {MAX_LINE} bytes ({len} so far)");
                        return Some((Err(Error::Decode { operation, message }), state));
                    }
                },
                Some(Err(e)) => {
                    state.finished = true;
                    let error = crate::error::Call {
                        host: &state.host,
                        operation,
                    }
                    .transport(&e);
                    return Some((Err(error), state));
                }
                None => {
                    state.finished = true;
                    state.ready.extend(state.splitter.finish());
                }
            }
        }
    })
}

/// The start of a line, for an error message: a bad line may be megabytes.
fn excerpt(line: &[u8]) -> String {
    const SHOWN: usize = 200;
    let text = String::from_utf8_lossy(&line[..line.len().min(SHOWN)]);
    if line.len() > SHOWN {
        format!("{text}…")
    } else {
        text.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_everywhere(input: &[u8]) -> Vec<Vec<Bytes>> {
        (0..=input.len())
            .map(|at| {
                let mut splitter = LineSplitter::default();
                let mut lines = splitter.push(&input[..at]).unwrap();
                lines.extend(splitter.push(&input[at..]).unwrap());
                lines.extend(splitter.finish());
                lines
            })
            .collect()
    }

    #[test]
    fn lines_survive_any_split() {
        let input = b"{\"a\":1}\n\n{\"b\":\"x\\ny\"}\r\n{\"c\":3}";
        for lines in split_everywhere(input) {
            let lines: Vec<&[u8]> = lines.iter().map(|l| l.as_ref()).collect();
            assert_eq!(
                lines,
                vec![&b"{\"a\":1}"[..], b"{\"b\":\"x\\ny\"}\r", b"{\"c\":3}"]
            );
        }
    }

    #[tokio::test]
    async fn decodes_documents_and_stops_at_garbage() {
        let chunks: Vec<reqwest::Result<Bytes>> = vec![
            Ok(Bytes::from_static(b"{\"n\":1}\n{\"n\"")),
            Ok(Bytes::from_static(b":2}\nnot json\n{\"n\":3}\n")),
        ];
        let stream = decode::<serde_json::Value, _>(futures::stream::iter(chunks), "events", "test".into());
        let items: Vec<_> = stream.collect().await;
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].as_ref().unwrap()["n"], 1);
        assert_eq!(items[1].as_ref().unwrap()["n"], 2);
        let error = items[2].as_ref().unwrap_err().to_string();
        assert!(error.contains("events") && error.contains("not json"), "{error}");
    }

    #[test]
    fn refuses_endless_lines() {
        let mut splitter = LineSplitter::default();
        let chunk = vec![b'x'; 1024 * 1024];
        let mut result = Ok(Vec::new());
        for _ in 0..=16 {
            result = splitter.push(&chunk);
            if result.is_err() {
                break;
            }
        }
        assert!(result.is_err());
    }
}
