//! `cargo xtask test`: what CI runs, and what a contributor runs before
//! pushing. Each step stops the run when it fails.

use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::{Context, Result, bail};

pub fn run(root: &Path) -> Result<ExitCode> {
    step("prepare the engine (busybox-static, dockerd)", || {
        command(root, "bash", &[".ci/prepare-engine"])
    })?;
    step("generated code is up to date", || {
        match crate::codegen(root, true, None)? {
            code if code == ExitCode::SUCCESS => Ok(()),
            _ => bail!("run `cargo xtask codegen` and commit the result"),
        }
    })?;
    step("formatting", || {
        command(root, "cargo", &["fmt", "--all", "--check"])
    })?;
    step("clippy", || {
        command(
            root,
            "cargo",
            &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"],
        )
    })?;
    step("the facade on API 1.41 alone: clippy, unit tests", || {
        let args = [
            "clippy",
            "-p",
            "docker-sdk",
            "--no-default-features",
            "--features",
            "v1_41",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ];
        command(root, "cargo", &args)?;
        // Its unit tests too: several expect what only newer models write.
        let args = [
            "test",
            "-p",
            "docker-sdk",
            "--no-default-features",
            "--features",
            "v1_41",
            "--lib",
        ];
        command(root, "cargo", &args)
    })?;
    let before = crate::leftovers::Snapshot::take()?;
    step("tests, with every API version", || {
        command(root, "cargo", &["test", "--workspace", "--all-features"])
    })?;
    step("the tests left nothing behind", || {
        before.check(&crate::leftovers::Snapshot::take()?)
    })?;
    Ok(ExitCode::SUCCESS)
}

fn step(name: &str, run: impl FnOnce() -> Result<()>) -> Result<()> {
    eprintln!("==> {name}");
    let started = Instant::now();
    run().with_context(|| format!("step failed: {name}"))?;
    eprintln!("    ({name}: {:.0} s)", started.elapsed().as_secs_f64());
    Ok(())
}

fn command(root: &Path, program: &str, args: &[&str]) -> Result<()> {
    let status = Command::new(program)
        .args(args)
        .current_dir(root)
        .status()
        .with_context(|| format!("could not run {program}"))?;
    if !status.success() {
        bail!("`{program} {}` failed ({status})", args.join(" "));
    }
    Ok(())
}
