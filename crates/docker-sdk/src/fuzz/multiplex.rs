//! The stdout/stderr framing of logs, attach and exec: `Demuxer` and
//! `LogStream`, fed any chunking of framed and of arbitrary bytes.

use std::collections::VecDeque;

use bytes::Bytes;
use futures::executor::block_on;
use futures::stream::{self, StreamExt};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use super::{chunked, ensure};
use crate::error::Error;
use crate::stream::LogOutput;
use crate::stream::multiplex::{Demuxer, LogStream};

#[derive(Clone, Debug)]
enum Input {
    /// Frames (stream id, payload), cut into chunks at these points, and
    /// maybe truncated at the last one.
    Frames(Vec<(u8, Vec<u8>)>, Vec<usize>, bool),
    /// Any bytes, cut two different ways.
    Bytes(Vec<u8>, Vec<usize>, Vec<usize>),
}

fn strategy() -> impl Strategy<Value = Input> {
    let payload = prop_oneof![
        2 => Just(Vec::new()),
        5 => prop::collection::vec(any::<u8>(), 0..24),
        1 => prop::collection::vec(any::<u8>(), 0..3000),
    ];
    let cuts = || prop::collection::vec(any::<usize>(), 0..12);
    prop_oneof![
        (
            prop::collection::vec((0u8..3, payload), 0..8),
            cuts(),
            prop::bool::weighted(0.2)
        )
            .prop_map(|(frames, cuts, truncate)| Input::Frames(frames, cuts, truncate)),
        (
            prop_oneof![
                prop::collection::vec(any::<u8>(), 0..64),
                // Mostly headers of streams 0 to 3, to get past the first.
                prop::collection::vec(prop_oneof![0u8..4, Just(0u8), any::<u8>()], 0..64),
            ],
            cuts(),
            cuts()
        )
            .prop_map(|(bytes, a, b)| Input::Bytes(bytes, a, b)),
    ]
}

fn serialise(frames: &[(u8, Vec<u8>)]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for (stream, payload) in frames {
        bytes.extend([*stream, 0, 0, 0]);
        bytes.extend(u32::try_from(payload.len()).unwrap_or(u32::MAX).to_be_bytes());
        bytes.extend(payload);
    }
    bytes
}

/// The pieces decoded from `chunks`, adjacent pieces of one stream merged
/// (where a chunk ends is no part of the meaning), or the framing error.
fn demux(chunks: &[Vec<u8>]) -> Result<Vec<(u8, Vec<u8>)>, String> {
    let mut demuxer = Demuxer::default();
    let mut out = VecDeque::new();
    let mut outcome = Ok(());
    for chunk in chunks {
        outcome = demuxer.feed(Bytes::copy_from_slice(chunk), &mut out);
        if outcome.is_err() {
            break;
        }
    }
    let outcome = outcome.and_then(|()| demuxer.finish());
    let mut merged: Vec<(u8, Vec<u8>)> = Vec::new();
    for piece in out {
        let id = match &piece {
            LogOutput::StdIn(_) => 0,
            LogOutput::StdOut(_) => 1,
            LogOutput::StdErr(_) => 2,
            LogOutput::Console(_) => 3,
        };
        match merged.last_mut() {
            Some((last, bytes)) if *last == id => bytes.extend_from_slice(piece.as_bytes()),
            _ => merged.push((id, piece.as_bytes().to_vec())),
        }
    }
    match outcome {
        Ok(()) => Ok(merged),
        Err(error) => Err(error.to_string()),
    }
}

fn log_stream(chunks: &[Vec<u8>]) -> LogStream {
    let chunks: Vec<std::io::Result<Bytes>> = chunks.iter().map(|c| Ok(Bytes::copy_from_slice(c))).collect();
    LogStream::new(stream::iter(chunks), false, "logs", "fuzz".into())
}

fn property(input: Input) -> Result<(), TestCaseError> {
    match input {
        Input::Frames(frames, cuts, truncate) => {
            let mut bytes = serialise(&frames);
            let mut expected: Vec<(u8, Vec<u8>)> = Vec::new();
            for (stream, payload) in frames.iter().filter(|(_, p)| !p.is_empty()) {
                match expected.last_mut() {
                    Some((last, bytes)) if last == stream => bytes.extend_from_slice(payload),
                    _ => expected.push((*stream, payload.clone())),
                }
            }
            if truncate && !bytes.is_empty() {
                let at = cuts.last().copied().unwrap_or(0) % bytes.len();
                bytes.truncate(at);
                // Cut short, the same pieces come out up to the cut, then an
                // error unless the cut fell between frames.
                let boundaries: Vec<usize> = frames
                    .iter()
                    .scan(0, |end, (_, p)| {
                        *end += 8 + p.len();
                        Some(*end)
                    })
                    .collect();
                let result = demux(&chunked(&bytes, &cuts));
                ensure!(
                    result.is_ok() == (at == 0 || boundaries.contains(&at)),
                    "{frames:?} cut at {at} gave {result:?}"
                );
                return Ok(());
            }
            let chunks = chunked(&bytes, &cuts);
            let got = demux(&chunks);
            ensure!(
                got.as_ref() == Ok(&expected),
                "{frames:?} in chunks {chunks:?} gave {got:?}"
            );

            let demuxed = block_on(log_stream(&chunks).demux())
                .map_err(|e| TestCaseError::fail(format!("{frames:?}: LogStream failed: {e}")))?;
            let stream_bytes = |ids: &[u8]| -> Vec<u8> {
                frames
                    .iter()
                    .filter(|(s, _)| ids.contains(s))
                    .flat_map(|(_, p)| p.clone())
                    .collect()
            };
            ensure!(
                demuxed.stdout == stream_bytes(&[0, 1]) && demuxed.stderr == stream_bytes(&[2]),
                "{frames:?} in chunks {chunks:?} demuxed to {demuxed:?}"
            );
        }
        Input::Bytes(bytes, a, b) => {
            // Whatever the bytes, the chunking changes nothing.
            let first = demux(&chunked(&bytes, &a));
            let second = demux(&chunked(&bytes, &b));
            ensure!(
                first == second,
                "{bytes:?}: one chunking gave {first:?}, another {second:?}"
            );
            if let Err(message) = &first {
                ensure!(
                    !message.trim().is_empty(),
                    "{bytes:?}: an error without a message"
                );
            }
            // A stream ends with its pieces then, if the framing is wrong,
            // one typed error.
            let items: Vec<_> = block_on(log_stream(&chunked(&bytes, &a)).collect::<Vec<_>>());
            let errors: Vec<usize> = items
                .iter()
                .enumerate()
                .filter(|(_, i)| i.is_err())
                .map(|(n, _)| n)
                .collect();
            match (&first, errors.as_slice()) {
                (Ok(_), []) => {}
                (Err(_), [last]) if *last == items.len() - 1 => {
                    // Broken framing is a decode error; a frame on stream 3
                    // is the engine's own error message.
                    ensure!(
                        matches!(
                            &items[*last],
                            Err(Error::Decode { message, .. } | Error::Stream { message, .. })
                                if !message.trim().is_empty()
                        ),
                        "{bytes:?}: the stream ended with {:?}",
                        items[*last]
                    );
                }
                _ => {
                    return Err(TestCaseError::fail(format!(
                        "{bytes:?}: the demuxer gave {first:?}, the stream {items:?}"
                    )));
                }
            }
        }
    }
    Ok(())
}

#[test]
fn run() {
    super::run("multiplex", strategy(), property);
}
