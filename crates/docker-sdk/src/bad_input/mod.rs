//! The bad-input corpus: table-driven cases for every parser and decoder
//! that sees data from a user, a file or the engine.
//!
//! Each case names its input and the exact outcome docker-py or moby give
//! for it: the value parsed (rendered as text, so one table type fits every
//! parser), or the kind of error with a piece of its message that says what
//! was wrong. A runner checks every case of a table, panics included, and
//! reports all mismatches at once, so one broken parser does not hide the
//! others.
//!
//! | family | inputs |
//! |---|---|
//! | [`user_strings`] | ports, byte sizes, volumes, mounts, environment, devices, policies, commands, health checks, image references, registry names, `X-Registry-Auth`, `DOCKER_HOST` and the other variables the CLI reads |
//! | [`files`] | `config.json` (as text and on disk), `.dockerignore`, build context directories, context metadata, TLS certificates and keys |
//! | [`credential_helpers`] | helpers that fail, print garbage or nothing, hang, flood, or cannot start |
//! | [`engine_data`] | multiplexed frames, JSON-lines progress, error bodies and statuses, HTTP answers that are not the API's |
//!
//! Where the SDK deliberately differs from docker-py (fractions of a size
//! are refused, a mount mode other than `ro`/`rw` is an error), the case
//! says what the SDK does, and the module it tests says why.

mod credential_helpers;
mod engine_data;
mod files;
mod user_strings;

use std::fmt::Debug;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::error::{Error, Result};

/// What a case expects.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Outcome {
    /// Success, with the value rendered as the family renders it.
    Ok(&'static str),
    /// `InvalidArgument` for this argument, with this in its message.
    Invalid(&'static str, &'static str),
    /// `InvalidRepository`, with this in its message.
    Repository(&'static str),
    /// `Config`, with this in its message.
    Config(&'static str),
    /// `Tls`, with this in its message.
    Tls(&'static str),
    /// `Decode`, with this in its message.
    Decode(&'static str),
    /// `Stream`, with this in its message.
    Stream(&'static str),
    /// `Transport`, with this in its message.
    Transport(&'static str),
    /// `Api` with this status, with this in its message.
    Api(u16, &'static str),
    /// `NotFound`, with this in its message.
    NotFound(&'static str),
    /// `ImageNotFound`, with this in its message.
    ImageNotFound(&'static str),
    /// `Conflict`, with this in its message.
    Conflict(&'static str),
    /// `InvalidVersion`, with this in its message.
    Version(&'static str),
}

/// The variant of an error, with its argument for `InvalidArgument`: what an
/// [`Outcome`] is compared with, besides the message.
fn kind(error: &Error) -> String {
    match error {
        Error::InvalidArgument { argument, .. } => format!("Invalid({argument})"),
        Error::InvalidRepository { .. } => "Repository".into(),
        Error::Config { .. } => "Config".into(),
        Error::Tls { .. } => "Tls".into(),
        Error::Decode { .. } => "Decode".into(),
        Error::Stream { .. } => "Stream".into(),
        Error::Transport { .. } => "Transport".into(),
        Error::Api { status, .. } => format!("Api({status})"),
        Error::NotFound { .. } => "NotFound".into(),
        Error::ImageNotFound { .. } => "ImageNotFound".into(),
        Error::Conflict { .. } => "Conflict".into(),
        Error::InvalidVersion { .. } => "Version".into(),
        other => format!("{other:?}"),
    }
}

impl Outcome {
    /// The error kind and message piece expected, or `None` for success.
    fn error(self) -> Option<(String, &'static str)> {
        Some(match self {
            Outcome::Ok(_) => return None,
            Outcome::Invalid(argument, needle) => (format!("Invalid({argument})"), needle),
            Outcome::Repository(needle) => ("Repository".into(), needle),
            Outcome::Config(needle) => ("Config".into(), needle),
            Outcome::Tls(needle) => ("Tls".into(), needle),
            Outcome::Decode(needle) => ("Decode".into(), needle),
            Outcome::Stream(needle) => ("Stream".into(), needle),
            Outcome::Transport(needle) => ("Transport".into(), needle),
            Outcome::Api(status, needle) => (format!("Api({status})"), needle),
            Outcome::NotFound(needle) => ("NotFound".into(), needle),
            Outcome::ImageNotFound(needle) => ("ImageNotFound".into(), needle),
            Outcome::Conflict(needle) => ("Conflict".into(), needle),
            Outcome::Version(needle) => ("Version".into(), needle),
        })
    }
}

/// The mismatches of one table, reported together when it is done.
pub(crate) struct Report {
    table: &'static str,
    /// Text that no error message may hold (passwords, tokens).
    secrets: Vec<String>,
    mismatches: Vec<String>,
}

impl Report {
    pub(crate) fn new(table: &'static str) -> Self {
        Report {
            table,
            secrets: Vec::new(),
            mismatches: Vec::new(),
        }
    }

    /// Also fails any case whose error message holds `secret`.
    pub(crate) fn never_showing(mut self, secret: impl Into<String>) -> Self {
        self.secrets.push(secret.into());
        self
    }

    /// Runs one case: a panic is a mismatch like any other.
    pub(crate) fn run(
        &mut self,
        index: usize,
        input: &dyn Debug,
        want: Outcome,
        parse: impl FnOnce() -> Result<String>,
    ) {
        match catch_unwind(AssertUnwindSafe(parse)) {
            Ok(got) => self.check(index, input, want, got),
            Err(panic) => {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default();
                self.mismatch(index, input, want, format!("a panic: {message}"));
            }
        }
    }

    /// Checks an outcome already computed (by async code, say).
    pub(crate) fn check(&mut self, index: usize, input: &dyn Debug, want: Outcome, got: Result<String>) {
        match (&got, want.error()) {
            (Ok(value), None) => {
                if let Outcome::Ok(expected) = want
                    && value != expected
                {
                    self.mismatch(index, input, want, format!("Ok({value:?})"));
                }
            }
            (Err(error), Some((expected_kind, needle))) => {
                let message = error.to_string();
                let got_kind = kind(error);
                if got_kind != expected_kind || !message.contains(needle) {
                    self.mismatch(index, input, want, format!("{got_kind}: {message}"));
                } else if let Some(secret) = self.secrets.iter().find(|s| message.contains(s.as_str())) {
                    let shown = format!("a message showing the secret {secret:?}: {message}");
                    self.mismatch(index, input, want, shown);
                }
            }
            (Ok(value), Some(_)) => self.mismatch(index, input, want, format!("Ok({value:?})")),
            (Err(error), None) => {
                let shown = format!("{}: {error}", kind(error));
                self.mismatch(index, input, want, shown);
            }
        }
    }

    fn mismatch(&mut self, index: usize, input: &dyn Debug, want: Outcome, got: String) {
        self.mismatches.push(format!(
            "  #{index} {input:?}\n    expected {want:?}\n    got      {got}"
        ));
    }

    /// Panics with every mismatch of the table, if there was one.
    #[track_caller]
    pub(crate) fn finish(self) {
        assert!(
            self.mismatches.is_empty(),
            "{}: {} mismatched case(s):\n{}",
            self.table,
            self.mismatches.len(),
            self.mismatches.join("\n")
        );
    }
}

#[test]
fn corpus_has_at_least_500_cases() {
    let families = [
        ("user strings", user_strings::case_count()),
        ("files", files::case_count()),
        ("credential helpers", credential_helpers::case_count()),
        ("engine data", engine_data::case_count()),
    ];
    let total: usize = families.iter().map(|(_, count)| count).sum();
    println!("{families:?}: {total} cases");
    assert!(total >= 500, "the corpus has {total} cases: {families:?}");
}
