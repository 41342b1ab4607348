//! The engine's error answers: `explanation_from_body` on any body, and
//! the typed error made of a status and that explanation.

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::json;

use super::{ensure, text_of};
use crate::error::{Error, explanation_from_body};

#[derive(Clone, Debug)]
enum Input {
    /// Any body, with any status.
    Body(Vec<u8>, u16),
    /// The engine's `{"message": …}`, maybe with other fields.
    Message(String, bool, u16),
}

fn strategy() -> impl Strategy<Value = Input> {
    let status = prop_oneof![Just(404u16), Just(409), Just(400), Just(500), 100u16..600];
    let body = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..64),
        text_of("{}\":message 1\n\t<html>", 40).prop_map(String::into_bytes),
        // Near the engine's shape, with wrong types and broken syntax.
        (
            prop::sample::select(vec![
                "\"x\"",
                "1",
                "null",
                "[]",
                "{}",
                "\"\"",
                "\" \"",
                "\"No such image: a\""
            ]),
            prop::sample::select(vec!["", "}", ",\"message\":\"y\"}", ",}", "}\n\n"]),
        )
            .prop_map(|(value, tail)| format!("{{\"message\":{value}{tail}").into_bytes()),
    ];
    prop_oneof![
        (body, status.clone()).prop_map(|(body, status)| Input::Body(body, status)),
        (
            prop_oneof![
                any::<String>(),
                text_of(" \nNo such image: repository does not exist", 30)
            ],
            any::<bool>(),
            status
        )
            .prop_map(|(message, extra, status)| Input::Message(message, extra, status)),
    ]
}

/// What the client makes of an error answer: the body's explanation, else
/// the status's reason.
fn error_of(status: u16, body: &[u8]) -> Result<Error, TestCaseError> {
    let explanation = explanation_from_body(body);
    if let Some(explanation) = &explanation {
        ensure!(
            !explanation.trim().is_empty(),
            "{:?} gave a blank explanation {explanation:?}",
            String::from_utf8_lossy(body)
        );
    }
    let error = Error::from_status(status, explanation.unwrap_or_else(|| "no message".to_owned()));
    ensure!(error.status() == Some(status), "{status} became {error:?}");
    ensure!(
        error.explanation().is_some_and(|e| !e.trim().is_empty()),
        "{error:?} explains nothing"
    );
    Ok(error)
}

fn property(input: Input) -> Result<(), TestCaseError> {
    match input {
        Input::Body(body, status) => {
            error_of(status, &body)?;
        }
        Input::Message(message, extra, status) => {
            let body = if extra {
                json!({"message": message, "detail": {"code": 7}})
            } else {
                json!({"message": message})
            };
            // The generated client hands the message over as it is.
            let direct = Error::from_status(status, message.clone());
            ensure!(
                direct.explanation().is_some_and(|e| !e.trim().is_empty()),
                "{message:?} with {status} explains nothing: {direct:?}"
            );
            let error = error_of(status, body.to_string().as_bytes())?;
            if !message.trim().is_empty() {
                ensure!(
                    error.explanation() == Some(message.as_str()),
                    "{body} explained as {:?}",
                    error.explanation()
                );
            }
        }
    }
    Ok(())
}

#[test]
fn run() {
    super::run("error_body", strategy(), property);
}
