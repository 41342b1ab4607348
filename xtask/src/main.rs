//! Maintenance tasks for the workspace:
//!
//! - `cargo xtask codegen [--check]` regenerates the raw bindings;
//! - `cargo xtask test` prepares the machine and runs every check and test,
//!   as CI does;
//! - `cargo xtask record` records real engine responses into
//!   `tests/fixtures/corpus/`;
//! - `cargo xtask fuzz --minutes N` runs the docker-sdk crate's property
//!   fuzzing, N minutes a target.

mod fuzz;
mod generate;
mod leftovers;
mod numbers;
mod open_enums;
mod patch;
mod policy;
mod record;
mod redact;
mod swagger2;
mod test;
mod version;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use crate::version::ApiVersion;

const USAGE: &str = "\
usage: cargo xtask codegen [--check] [--version 1.41]
       cargo xtask test
       cargo xtask record [--out DIR] [--socket PATH]
       cargo xtask fuzz --minutes N [--target NAME]

  codegen            regenerate crates/docker-engine-api/src/v*.rs from spec/
  codegen --check    fail, naming the files, when the checked-in code is stale
  --version X.Y      only this API version
  test               prepare the engine, then run every check and test (CI)
  record             record real engine responses into tests/fixtures/corpus/v<API>/
  --out DIR          the corpus directory (default tests/fixtures/corpus)
  --socket PATH      the engine (default /var/run/docker.sock)
  fuzz               fuzz docker-sdk's parsers (release build), then a table
  --minutes N        each target's time
  --target NAME      only this target (ports, reference, multiplex, …)";

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<ExitCode> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut check = false;
    let mut only = None;
    let mut iter = args.iter();
    match iter.next().map(String::as_str) {
        Some("codegen") => {}
        Some("test") if args.len() == 1 => return test::run(&workspace_root()),
        Some("record") => return record::run(&workspace_root(), &args[1..]),
        Some("fuzz") => return fuzz::run(&workspace_root(), &args[1..]),
        _ => bail!("{USAGE}"),
    }
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--version" => only = Some(iter.next().context(USAGE)?.parse::<ApiVersion>()?),
            _ => bail!("unknown argument {arg:?}\n{USAGE}"),
        }
    }
    codegen(&workspace_root(), check, only)
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The API versions that have a swagger file in `spec/`.
fn spec_versions(spec: &Path) -> Result<Vec<ApiVersion>> {
    let mut versions = Vec::new();
    for entry in std::fs::read_dir(spec).with_context(|| format!("reading {}", spec.display()))? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if let Some(v) = name.strip_prefix('v').and_then(|n| n.strip_suffix(".yaml")) {
            versions.push(v.parse()?);
        }
    }
    versions.sort();
    Ok(versions)
}

pub(crate) fn codegen(root: &Path, check: bool, only: Option<ApiVersion>) -> Result<ExitCode> {
    let spec = root.join("spec");
    let out_dir = root.join("crates/docker-engine-api/src");
    let patches = patch::load(root, &spec.join("patches"))?;
    let versions = spec_versions(&spec)?;
    check_crate_knows(root, &versions)?;

    let mut stale = Vec::new();
    let mut kept_unsigned = numbers::Used::new();
    for version in versions.into_iter().filter(|v| only.is_none_or(|o| o == *v)) {
        let (source, used) = generate_version(&spec, &patches, version)?;
        kept_unsigned.extend(used);
        let path = out_dir.join(format!("{}.rs", version.module()));
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current == source {
            continue;
        }
        if check {
            stale.push(path.strip_prefix(root).unwrap_or(&path).display().to_string());
        } else {
            std::fs::write(&path, source).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
    }
    if only.is_none() {
        numbers::check_all_used(&kept_unsigned)?;
    }
    if !stale.is_empty() {
        eprintln!("stale generated files (run `cargo xtask codegen`):");
        for file in &stale {
            eprintln!("  {file}");
        }
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// One version's module source, and the audited unsigned fields it kept.
fn generate_version(
    spec: &Path,
    patches: &[patch::Patch],
    version: ApiVersion,
) -> Result<(String, numbers::Used)> {
    let file = spec.join(format!("v{version}.yaml"));
    let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
    let mut swagger: serde_json::Value =
        serde_yaml::from_str(&text).with_context(|| format!("parsing {}", file.display()))?;
    patch::apply(patches, version, &mut swagger)?;
    let mut openapi = swagger2::convert(&swagger).with_context(|| format!("converting v{version}"))?;
    policy::apply(&mut openapi);
    let kept_unsigned = numbers::apply(&mut openapi).with_context(|| format!("v{version}"))?;
    let openapi: openapiv3::OpenAPI = serde_json::from_value(openapi)
        .with_context(|| format!("v{version}: the converted document is not valid OpenAPI 3.0"))?;
    Ok((generate::module_source(&openapi, version)?, kept_unsigned))
}

/// A new swagger in `spec/` also needs a cargo feature and a module line;
/// say which, rather than generating a file nothing compiles.
fn check_crate_knows(root: &Path, versions: &[ApiVersion]) -> Result<()> {
    let manifest = std::fs::read_to_string(root.join("crates/docker-engine-api/Cargo.toml"))?;
    let lib = std::fs::read_to_string(root.join("crates/docker-engine-api/src/lib.rs"))?;
    let mut missing = Vec::new();
    for version in versions {
        let module = version.module();
        if !manifest
            .lines()
            .any(|l| l.trim_start().starts_with(&format!("{module} =")))
        {
            missing.push(format!(
                "feature `{module} = []` in crates/docker-engine-api/Cargo.toml"
            ));
        }
        if !lib.contains(&format!("pub mod {module};")) {
            missing.push(format!(
                "`pub mod {module};` (behind its feature) in crates/docker-engine-api/src/lib.rs"
            ));
        }
    }
    if !missing.is_empty() {
        bail!(
            "spec/ has versions the crate does not declare; add:\n  {}",
            missing.join("\n  ")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic() {
        let root = workspace_root();
        let spec = root.join("spec");
        let patches = patch::load(&root, &spec.join("patches")).unwrap();
        let version = "1.41".parse().unwrap();
        let (first, _) = generate_version(&spec, &patches, version).unwrap();
        let (second, _) = generate_version(&spec, &patches, version).unwrap();
        assert!(first == second, "two generations of v1.41 differ");
    }
}
