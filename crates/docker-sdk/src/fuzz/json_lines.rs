//! Newline-delimited JSON: `json_lines::decode` (events, stats) and the
//! progress streams of pulls built on it, fed any chunking.

use bytes::Bytes;
use futures::executor::block_on;
use futures::stream::{self, StreamExt};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Value, json};

use super::{chunked, ensure};
use crate::api::types;
use crate::error::Error;
use crate::images::progress::{ProgressMessage, ProgressStream};
use crate::stream::json_lines::decode;

#[derive(Clone, Debug)]
enum Input {
    /// Documents, written one a line with this line end and blank lines
    /// between some, then cut into chunks.
    Documents {
        documents: Vec<Value>,
        crlf: bool,
        blank: Vec<bool>,
        final_newline: bool,
        cuts: Vec<usize>,
    },
    /// Pull progress messages; `Some` ones report a failure.
    Progress(Vec<Option<String>>, Vec<usize>),
    /// Any bytes, cut two different ways.
    Bytes(Vec<u8>, Vec<usize>, Vec<usize>),
}

/// JSON with what tends to break line splitting: escaped newlines, long
/// and non-ASCII strings, nesting.
fn document() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<String>().prop_map(Value::from),
        "[a\n\r{}\\\\\" é]{0,12}".prop_map(Value::from),
    ];
    let value = leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(any::<String>(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    // The engine streams objects.
    prop::collection::btree_map("[a-z\n]{0,5}", value, 0..4)
        .prop_map(|m| Value::Object(m.into_iter().collect()))
}

fn strategy() -> impl Strategy<Value = Input> {
    let cuts = || prop::collection::vec(any::<usize>(), 0..12);
    prop_oneof![
        (
            prop::collection::vec(document(), 0..6),
            any::<bool>(),
            prop::collection::vec(any::<bool>(), 6),
            any::<bool>(),
            cuts()
        )
            .prop_map(|(documents, crlf, blank, final_newline, cuts)| Input::Documents {
                documents,
                crlf,
                blank,
                final_newline,
                cuts,
            }),
        (
            prop::collection::vec(prop::option::weighted(0.2, ".{0,10}"), 0..6),
            cuts()
        )
            .prop_map(|(messages, cuts)| Input::Progress(messages, cuts)),
        (
            prop_oneof![
                prop::collection::vec(any::<u8>(), 0..64),
                "[{}\":a1\n ]{0,40}".prop_map(String::into_bytes),
            ],
            cuts(),
            cuts()
        )
            .prop_map(|(bytes, a, b)| Input::Bytes(bytes, a, b)),
    ]
}

/// The items of a progress stream of these chunks: `id` of each message,
/// or the message of the failure that ends it.
fn progress<T: ProgressMessage>(
    chunks: &[Vec<u8>],
    id: impl Fn(&T) -> Option<String>,
) -> Vec<Result<Option<String>, String>> {
    let chunks: Vec<reqwest::Result<Bytes>> = chunks.iter().map(|c| Ok(Bytes::copy_from_slice(c))).collect();
    let stream = ProgressStream::<T>::new(stream::iter(chunks), "pull", "fuzz".into());
    block_on(stream.collect::<Vec<_>>())
        .into_iter()
        .map(|item| match item {
            Ok(message) => Ok(id(&message)),
            Err(Error::Stream { message, .. }) => Err(message),
            // Well-formed lines never fail to decode: proptest reports the panic.
            Err(other) => panic!("not a stream failure: {other:?}"),
        })
        .collect()
}

/// The items `decode` gives for these chunks, errors as their messages.
fn decoded(chunks: &[Vec<u8>]) -> Vec<Result<Value, String>> {
    let chunks: Vec<reqwest::Result<Bytes>> = chunks.iter().map(|c| Ok(Bytes::copy_from_slice(c))).collect();
    let items =
        block_on(decode::<Value, _>(stream::iter(chunks), "events", "fuzz".into()).collect::<Vec<_>>());
    items
        .into_iter()
        .map(|item| item.map_err(|e| e.to_string()))
        .collect()
}

fn property(input: Input) -> Result<(), TestCaseError> {
    match input {
        Input::Documents {
            documents,
            crlf,
            blank,
            final_newline,
            cuts,
        } => {
            let end = if crlf { "\r\n" } else { "\n" };
            let mut text = String::new();
            for (i, document) in documents.iter().enumerate() {
                if i > 0 {
                    text.push_str(end);
                }
                if blank[i] {
                    text.push_str(" \t");
                    text.push_str(end);
                }
                text.push_str(&document.to_string());
            }
            if final_newline {
                text.push_str(end);
            }
            let chunks = chunked(text.as_bytes(), &cuts);
            let items = decoded(&chunks);
            let expected: Vec<Result<Value, String>> = documents.into_iter().map(Ok).collect();
            ensure!(items == expected, "{text:?} in chunks {chunks:?} gave {items:?}");
        }
        Input::Progress(messages, cuts) => {
            let lines: Vec<String> = messages
                .iter()
                .enumerate()
                .map(|(i, failure)| match failure {
                    None => json!({
                        "status": "Downloading",
                        "id": format!("layer{i}"),
                        "progressDetail": {"current": i, "total": 100},
                    }),
                    Some(message) => json!({"error": message, "errorDetail": {"message": message}}),
                })
                .map(|value| format!("{value}\n"))
                .collect();
            let chunks = chunked(lines.concat().as_bytes(), &cuts);
            // Every message up to the first failure, which ends the stream
            // with the engine's message (or, when it sent none, a word
            // that it failed).
            let failure = messages.iter().position(Option::is_some);
            let oks = failure.unwrap_or(messages.len());
            let ids: Vec<Option<String>> = (0..oks).map(|i| Some(format!("layer{i}"))).collect();
            let pulled = progress::<types::CreateImageInfo>(&chunks, |info| info.id.clone());
            let pushed = progress::<types::PushImageInfo>(&chunks, |_| None);
            for (items, expected_ids) in [(pulled, ids), (pushed, vec![None; oks])] {
                let (ok, failed) = items.split_at(items.len().min(oks));
                ensure!(
                    ok.to_vec() == expected_ids.into_iter().map(Ok).collect::<Vec<_>>(),
                    "{messages:?} gave {items:?}"
                );
                match (failure, failed) {
                    (None, []) => {}
                    (Some(at), [Err(message)]) => {
                        let sent = messages[at].as_deref().unwrap_or_default();
                        ensure!(
                            !message.trim().is_empty() && (sent.trim().is_empty() || message == sent),
                            "{messages:?}: failure {message:?}"
                        );
                    }
                    _ => return Err(TestCaseError::fail(format!("{messages:?} gave {items:?}"))),
                }
            }
        }
        Input::Bytes(bytes, a, b) => {
            let first = decoded(&chunked(&bytes, &a));
            let second = decoded(&chunked(&bytes, &b));
            ensure!(
                first == second,
                "{bytes:?}: one chunking gave {first:?}, another {second:?}"
            );
            // Only the last item may be an error, and it says what failed.
            for (i, item) in first.iter().enumerate() {
                if let Err(message) = item {
                    ensure!(i == first.len() - 1, "{bytes:?}: items after an error: {first:?}");
                    ensure!(
                        !message.trim().is_empty(),
                        "{bytes:?}: an error without a message"
                    );
                }
            }
        }
    }
    Ok(())
}

#[test]
fn run() {
    super::run("json_lines", strategy(), property);
}
