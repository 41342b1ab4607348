//! Property fuzzing of the crate's parsers, on stable Rust, with proptest.
//!
//! Every parser that reads text a user wrote, a file on disk or bytes the
//! engine sent has a target here, one `#[test]` each (`fuzz::<target>::run`):
//!
//! | target | parsers |
//! |---|---|
//! | `ports` | container ports and host bindings (`convert/ports.rs`) |
//! | `bytes` | sizes such as `"128m"` (`convert/bytes.rs`) |
//! | `binds` | volume binds and mount strings (`convert/binds.rs`) |
//! | `env` | environment, labels, extra hosts, sysctls, tmpfs (`convert/env.rs`) |
//! | `docker_host` | `DOCKER_HOST` (`config/host.rs`) |
//! | `reference` | image references and `repo:tag` (`reference.rs`) |
//! | `config_file` | `config.json` and `.dockercfg` (`auth/config_file.rs`) |
//! | `dockerignore` | `.dockerignore` reading and matching (`build_context/dockerignore.rs`) |
//! | `multiplex` | the stdout/stderr framing and `LogStream` (`stream/multiplex.rs`) |
//! | `json_lines` | newline-delimited JSON streams (`stream/json_lines.rs`) |
//! | `error_body` | engine error bodies (`error.rs`) |
//!
//! Each target checks that its parsers never panic, on arbitrary input and
//! on near-valid input built from the grammar's pieces (where bugs hide),
//! that what they refuse is a typed error that says why, and the
//! round trips the parsers promise (formatting then parsing gives the
//! value back; any chunking of a stream decodes the same).
//!
//! A target runs batches of cases, each batch with a fresh random seed,
//! until its time budget is spent, then prints
//! `fuzz <target>: <cases> cases in <secs> s, 0 failures`. A failure
//! panics with the shrunk input and the seed that found it. The budget is
//! `DOCKER_SDK_FUZZ_SECONDS` per target, by default a couple of seconds so
//! that a plain `cargo test` exercises every target; the long runs are
//! `cargo xtask fuzz --minutes N [--target NAME]`, in release mode. Set
//! `DOCKER_SDK_FUZZ_SEED` to replay a reported seed.
//!
//! A case that takes longer than [`SLOW_CASE`] fails too, so that a
//! parser going quadratic or hanging on some input is shrunk and reported
//! like a panic.

mod binds;
mod bytes;
mod config_file;
mod docker_host;
mod dockerignore;
mod env;
mod error_body;
mod json_lines;
mod multiplex;
mod ports;
mod reference;

use std::fmt::Debug;
use std::hash::{BuildHasher, RandomState};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestError, TestRunner};

use crate::error::Error;

/// A target's budget when `DOCKER_SDK_FUZZ_SECONDS` is not set: short, so
/// that `cargo test` (and CI) runs every target briefly.
const DEFAULT_BUDGET: Duration = Duration::from_secs(2);

/// A single case slower than this is a failure: no input these parsers
/// read should take seconds, even in a debug build.
const SLOW_CASE: Duration = Duration::from_secs(5);

/// Fuzzes `property` with inputs from `strategy` until the target's budget
/// is spent; panics with the shrunk input on the first failure.
pub(crate) fn run<S>(target: &str, strategy: S, property: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S: Strategy,
    S::Value: Debug,
{
    let budget = std::env::var("DOCKER_SDK_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map_or(DEFAULT_BUDGET, Duration::from_secs_f64);
    let replay = std::env::var("DOCKER_SDK_FUZZ_SEED")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok());
    let timed = |input: S::Value| {
        let start = Instant::now();
        property(input)?;
        let took = start.elapsed();
        if took > SLOW_CASE {
            return Err(TestCaseError::fail(format!(
                "one case took {took:.1?}, more than {SLOW_CASE:?}"
            )));
        }
        Ok(())
    };

    let start = Instant::now();
    let mut cases: u64 = 0;
    // Batches grow while they are quick, so that the budget is checked
    // often for slow properties and seldom for fast ones.
    let mut batch: u32 = 32;
    loop {
        let seed = replay.unwrap_or_else(|| RandomState::new().hash_one(cases));
        let config = Config {
            cases: batch,
            failure_persistence: None,
            rng_seed: RngSeed::Fixed(seed),
            ..Config::default()
        };
        let batch_start = Instant::now();
        match TestRunner::new(config).run(&strategy, timed) {
            Ok(()) => cases += u64::from(batch),
            Err(TestError::Fail(why, input)) => panic!(
                "fuzz {target}: failed after {cases} cases (replay with DOCKER_SDK_FUZZ_SEED={seed}): \
                 {why}\nminimal failing input: {input:#?}"
            ),
            Err(TestError::Abort(why)) => panic!("fuzz {target}: aborted (seed {seed}): {why}"),
        }
        if replay.is_some() || start.elapsed() >= budget {
            break;
        }
        if batch_start.elapsed() < Duration::from_millis(200) {
            batch = (batch * 2).min(1 << 14);
        }
    }
    println!(
        "fuzz {target}: {cases} cases in {:.1} s, 0 failures",
        start.elapsed().as_secs_f64()
    );
}

/// Fails the case unless `condition` holds; the message says what broke.
macro_rules! ensure {
    ($condition:expr, $($message:tt)+) => {
        if !$condition {
            return Err(proptest::test_runner::TestCaseError::fail(format!($($message)+)));
        }
    };
}
pub(crate) use ensure;

/// Which typed error a refusal must be.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Refusal {
    /// [`Error::InvalidArgument`] naming this docker-py argument.
    InvalidArgument(&'static str),
    /// [`Error::Config`].
    Config,
    /// [`Error::InvalidRepository`].
    InvalidRepository,
}

/// Checks that `error` is the refusal expected and says what is wrong.
pub(crate) fn check_refusal(error: &Error, expected: Refusal) -> Result<(), TestCaseError> {
    let reason = match (expected, error) {
        (Refusal::InvalidArgument(want), Error::InvalidArgument { argument, reason }) => {
            ensure!(
                argument == want,
                "refusal names argument {argument:?}, not {want:?}: {error}"
            );
            reason
        }
        (Refusal::Config, Error::Config { message }) => message,
        (Refusal::InvalidRepository, Error::InvalidRepository { reason, .. }) => reason,
        _ => {
            return Err(TestCaseError::fail(format!(
                "expected {expected:?}, got {error:?}"
            )));
        }
    };
    ensure!(!reason.trim().is_empty(), "refusal without a reason: {error:?}");
    Ok(())
}

/// Text from a few characters that matter to the grammar under test,
/// mixed with any character: random Unicode alone seldom reaches a parser's
/// interesting branches.
pub(crate) fn text_of(alphabet: &'static str, max_len: usize) -> impl Strategy<Value = String> {
    let chars: Vec<char> = alphabet.chars().collect();
    prop::collection::vec(
        prop_oneof![
            8 => prop::sample::select(chars),
            1 => any::<char>(),
        ],
        0..=max_len,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

/// Cuts `bytes` at the given points (taken modulo its length, in order):
/// how a stream of them might arrive.
pub(crate) fn chunked(bytes: &[u8], cuts: &[usize]) -> Vec<Vec<u8>> {
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    points.sort_unstable();
    let mut chunks = Vec::with_capacity(points.len() + 1);
    let mut from = 0;
    for point in points {
        chunks.push(bytes[from..point].to_vec());
        from = point;
    }
    chunks.push(bytes[from..].to_vec());
    chunks
}
