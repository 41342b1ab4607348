//! `cargo xtask fuzz --minutes N [--target NAME]`: the docker-sdk crate's
//! property fuzzing (`crates/docker-sdk/src/fuzz/`), each target for N
//! minutes, in release mode, then a table of what ran.
//!
//! The tests are built with `cargo test --release --no-run`, then their
//! binary is run directly (as `cargo test … fuzz:: -- --nocapture
//! --test-threads=2` would run it) so that a target that hangs can be
//! killed when the run is far past its time: a hang is a failure too.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// By default the targets run two at a time, as CI's machines have two
/// cores; `--threads` runs more at once, each then with less of a core.
const THREADS: u32 = 2;

/// The features the fuzz tests are built with: the oldest API, the
/// smallest build; the parsers do not depend on the version.
const CARGO_ARGS: [&str; 7] = [
    "test",
    "-p",
    "docker-sdk",
    "--release",
    "--no-default-features",
    "--features",
    "v1_41",
];

const USAGE: &str = "cargo xtask fuzz --minutes N [--target NAME] [--threads N]";

/// One target's line of the summary.
#[derive(Debug, Default)]
struct Outcome {
    cases: Option<u64>,
    seconds: Option<f64>,
    failed: bool,
    done: bool,
}

pub(crate) fn run(root: &Path, args: &[String]) -> Result<ExitCode> {
    let mut minutes: Option<f64> = None;
    let mut only: Option<String> = None;
    let mut threads = THREADS;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--minutes" => {
                let value = iter.next().context("--minutes takes a number")?;
                minutes = Some(
                    value
                        .parse::<f64>()
                        .ok()
                        .filter(|m| m.is_finite() && *m > 0.0)
                        .with_context(|| format!("--minutes {value:?} is not a positive number"))?,
                );
            }
            "--threads" => {
                let value = iter.next().context("--threads takes a number")?;
                threads = value
                    .parse::<u32>()
                    .ok()
                    .filter(|n| *n > 0)
                    .with_context(|| format!("--threads {value:?} is not a positive whole number"))?;
            }
            "--target" => only = Some(iter.next().context("--target takes a target's name")?.clone()),
            _ => bail!("unknown argument {arg:?}\nusage: {USAGE}"),
        }
    }
    let minutes = minutes.with_context(|| format!("--minutes is needed\nusage: {USAGE}"))?;
    let seconds = minutes * 60.0;

    let binary = build(root)?;
    let crate_dir = root.join("crates/docker-sdk");
    let mut targets = list_targets(&binary, &crate_dir)?;
    if let Some(only) = &only {
        if !targets.contains(only) {
            bail!("no fuzz target {only:?}; the targets are {}", targets.join(", "));
        }
        targets = vec![only.clone()];
    }
    let filter = match &only {
        Some(name) => format!("fuzz::{name}::"),
        None => "fuzz::".to_owned(),
    };

    // Past its time by a quarter, and at least a minute, the run is hung.
    let rounds = (targets.len() as u32).div_ceil(threads);
    let expected = Duration::from_secs_f64(seconds * f64::from(rounds));
    let deadline = expected + (expected / 4).max(Duration::from_secs(60));
    eprintln!(
        "fuzzing {} target(s) for {minutes} min each, {threads} at a time (about {:.1} min)",
        targets.len(),
        expected.as_secs_f64() / 60.0
    );

    let mut child = Command::new(&binary)
        .args([
            filter.as_str(),
            "--nocapture",
            "--test-threads",
            &threads.to_string(),
        ])
        .current_dir(&crate_dir)
        .env("DOCKER_SDK_FUZZ_SECONDS", seconds.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("running {}", binary.display()))?;
    let (sender, lines) = mpsc::channel();
    let readers = [
        echo_lines(child.stdout.take(), false, sender.clone()),
        echo_lines(child.stderr.take(), true, sender),
    ];

    let start = Instant::now();
    let mut outcomes: Vec<(String, Outcome)> =
        targets.iter().map(|t| (t.clone(), Outcome::default())).collect();
    let mut hung = false;
    loop {
        let left = deadline.saturating_sub(start.elapsed());
        match lines.recv_timeout(left) {
            Ok(line) => record(&line, &mut outcomes),
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                hung = true;
                eprintln!(
                    "fuzzing is still running {} s past its time: killing it",
                    (deadline - expected).as_secs()
                );
                child.kill().context("killing the fuzz tests")?;
                break;
            }
        }
    }
    let status = child.wait().context("waiting for the fuzz tests")?;
    for reader in readers {
        let _ = reader.join();
    }

    print_summary(&outcomes, hung);
    let all_passed = outcomes.iter().all(|(_, o)| o.done && !o.failed);
    Ok(if status.success() && all_passed && !hung {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Builds the tests in release mode; returns the test binary.
fn build(root: &Path) -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args(CARGO_ARGS)
        .args(["--lib", "--no-run", "--message-format=json-render-diagnostics"])
        .current_dir(root)
        .stderr(Stdio::inherit())
        .output()
        .context("running cargo test --no-run")?;
    if !output.status.success() {
        bail!("building the fuzz tests failed");
    }
    // The last artifact with an executable is the lib's test binary.
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-artifact")
        .filter_map(|message| message["executable"].as_str().map(PathBuf::from))
        .next_back()
        .context("cargo built no test binary")
}

/// The fuzz targets the binary has: `fuzz::<target>::run`.
fn list_targets(binary: &Path, crate_dir: &Path) -> Result<Vec<String>> {
    let output = Command::new(binary)
        .args(["fuzz::", "--list", "--format", "terse"])
        .current_dir(crate_dir)
        .output()
        .context("listing the fuzz targets")?;
    let targets: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.strip_suffix(": test"))
        .filter_map(|test| test.strip_prefix("fuzz::")?.strip_suffix("::run"))
        .map(str::to_owned)
        .collect();
    if targets.is_empty() {
        bail!("the docker-sdk tests have no fuzz targets");
    }
    Ok(targets)
}

/// Copies a pipe to our stdout or stderr as it comes, and sends each line.
fn echo_lines(
    pipe: Option<impl Read + Send + 'static>,
    to_stderr: bool,
    sender: mpsc::Sender<String>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let Some(pipe) = pipe else { return };
        for line in BufReader::new(pipe).lines().map_while(std::io::Result::ok) {
            if to_stderr {
                let _ = writeln!(std::io::stderr(), "{line}");
            } else {
                let _ = writeln!(std::io::stdout(), "{line}");
            }
            if sender.send(line).is_err() {
                return;
            }
        }
    })
}

/// Reads a target's report, `fuzz <target>: <cases> cases in <secs> s,
/// 0 failures`, its failure, `fuzz <target>: failed after <cases> cases`,
/// and libtest's `test fuzz::<target>::run ... ok|FAILED`.
fn record(line: &str, outcomes: &mut [(String, Outcome)]) {
    if let Some(rest) = line.strip_prefix("fuzz ")
        && let Some((target, report)) = rest.split_once(": ")
        && let Some(outcome) = outcome_of(outcomes, target)
    {
        let words: Vec<&str> = report.split_whitespace().collect();
        match words.as_slice() {
            [cases, "cases", "in", secs, "s,", ..] => {
                outcome.cases = cases.parse().ok();
                outcome.seconds = secs.parse().ok();
            }
            ["failed", "after", cases, "cases", ..] => {
                outcome.cases = cases.parse().ok();
                outcome.failed = true;
            }
            _ => {}
        }
    } else if let Some(rest) = line.strip_prefix("test fuzz::")
        && let Some((target, result)) = rest.split_once("::run ... ")
        && let Some(outcome) = outcome_of(outcomes, target)
    {
        outcome.done = true;
        outcome.failed |= result.trim() != "ok";
    }
}

fn outcome_of<'a>(outcomes: &'a mut [(String, Outcome)], target: &str) -> Option<&'a mut Outcome> {
    outcomes.iter_mut().find(|(t, _)| t == target).map(|(_, o)| o)
}

fn print_summary(outcomes: &[(String, Outcome)], hung: bool) {
    let width = outcomes
        .iter()
        .map(|(t, _)| t.len())
        .max()
        .unwrap_or(0)
        .max("target".len());
    println!();
    println!(
        "{:<width$}  {:>12}  {:>8}  failures",
        "target", "cases", "seconds"
    );
    for (target, outcome) in outcomes {
        let cases = outcome.cases.map_or("-".to_owned(), |c| c.to_string());
        let seconds = outcome.seconds.map_or("-".to_owned(), |s| format!("{s:.1}"));
        let failures = match (outcome.done, outcome.failed) {
            (_, true) => "1",
            (true, false) => "0",
            (false, false) if hung => "hung",
            (false, false) => "no report",
        };
        println!("{target:<width$}  {cases:>12}  {seconds:>8}  {failures}");
    }
}
