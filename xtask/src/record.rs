//! `cargo xtask record [--out DIR] [--socket PATH]`: records real engine
//! responses into `tests/fixtures/corpus/v<API>/`, one file per response,
//! for tests that decode what engines actually send rather than what the
//! swagger promises.
//!
//! Each file is one JSON object: `method`, `path` (without the version
//! prefix), `query` (`key=value&…`, not percent-encoded), `status`, `api`
//! (the engine's `ApiVersion`, which every request used) and either `body`
//! (the JSON document) or, for JSON-lines streams (events, streamed stats,
//! build, load, push and pull progress), `lines` (the documents in order).
//! Object keys are written sorted (serde_json's map); JSON does not order
//! them, and no engine response depends on an order.
//!
//! What is recorded where:
//!
//! - on the machine's engine (`--socket`, `/var/run/docker.sock` by
//!   default): system, images, containers in many states, execs, networks,
//!   volumes, events and errors. Everything made there is named
//!   `docker-sdk-corpus-<pid>-…` (images `docker-sdk-corpus-<pid>/…`),
//!   labelled `docker-sdk-corpus=1` and `docker-sdk-corpus.run=<that
//!   prefix>`, and removed at the end by a guard that also runs when a step
//!   fails; lists are filtered by that label, so other users' resources
//!   stay out of the corpus.
//! - on a throwaway `dockerd` in a network namespace of its own, with a
//!   local registry (see `daemon`): prunes, registry pulls and pushes,
//!   plugins, swarm, unfiltered lists and default networks. It is stopped
//!   and its namespace and directory are removed at the end.
//!
//! Nothing is pulled from Docker Hub: images are built `FROM scratch` with
//! `/bin/busybox`, and the throwaway daemon has no route out.
//!
//! Scrubbed, deterministically and with types and array lengths kept:
//!
//! - the hostname, where a string is exactly it (`Name` of `/info`, nodes'
//!   `Hostname`) → `docker-sdk-host`;
//! - the kernel version, wherever it occurs → `6.1.0-scrubbed`;
//! - the machine's own addresses (interfaces that are not bridges or veths,
//!   outside 198.18.0.0/15) → 203.0.113.x and 2001:db8::x;
//! - the daemons' `ID`s (trust-key fingerprints) → the same shape of `A`s
//!   (machine engine) or `B`s (throwaway daemon; both share
//!   `/etc/docker/key.json` on this machine, hence one ID);
//! - swarm join tokens and unlock keys → the same shape, hash as zeros,
//!   secret as `w`, `m` or `k`;
//! - certificates and keys of the swarm CA (`TrustRoot`, `CACert`,
//!   `SigningCACert`, `SigningCAKey`) → a placeholder PEM block;
//!   `CertIssuerSubject` and `CertIssuerPublicKey` → placeholder base64;
//! - proxy settings (`HttpProxy`, `HttpsProxy`, `NoProxy`) when set;
//! - the secret's data, plain and base64, should it appear anywhere;
//! - the run's pid in names and in the throwaway directory
//!   (`/tmp/dsr<pid>`) → `docker-sdk-corpus-0`, `dsr0`.
//!
//! Ids, digests, timestamps, sizes and the engine's version stay: they are
//! what a decoder must handle, and reveal nothing about the machine.

mod corpus;
mod daemon;
pub(crate) mod http;
mod main_engine;
mod ops;
mod scrub;
mod throwaway;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use self::corpus::Corpus;
use self::http::Engine;
use self::scrub::{Boundary, Scrubber};

/// Every resource of a run carries this label, with value `1`.
pub const LABEL: &str = "docker-sdk-corpus";
/// And this one, naming the run (its prefix), which the cleanup selects by.
pub const RUN_LABEL: &str = "docker-sdk-corpus.run";

const USAGE: &str = "usage: cargo xtask record [--out DIR] [--socket PATH]";

/// One recording: its names and its scratch directory.
pub struct Run {
    /// `docker-sdk-corpus-<pid>`: the start of every name it gives.
    pub prefix: String,
    /// `dsr<pid>`: the throwaway daemon's namespaces (short: interface and
    /// namespace names, and socket paths under its directory, are limited).
    pub tag: String,
    /// `/tmp/dsr<pid>`: scratch files, bind-mount sources, the throwaway
    /// daemon's directory.
    pub work: PathBuf,
    /// The workspace root (for `tests/support/plugin`).
    pub root: PathBuf,
    /// The busybox image both engines run, `<prefix>/busybox:latest`.
    pub image: String,
}

impl Run {
    fn new(root: &Path) -> Self {
        let pid = std::process::id();
        let prefix = format!("{LABEL}-{pid}");
        Run {
            image: format!("{prefix}/busybox:latest"),
            tag: format!("dsr{pid}"),
            work: PathBuf::from(format!("/tmp/dsr{pid}")),
            root: root.to_owned(),
            prefix,
        }
    }

    /// `<prefix>-<suffix>`: a container, network or volume name.
    pub fn name(&self, suffix: &str) -> String {
        format!("{}-{suffix}", self.prefix)
    }

    /// The labels every resource gets.
    pub fn labels(&self) -> Value {
        json!({ LABEL: "1", RUN_LABEL: self.prefix })
    }

    /// `label=docker-sdk-corpus.run=<prefix>`, to select this run's resources.
    pub fn run_label(&self) -> String {
        format!("{RUN_LABEL}={}", self.prefix)
    }

    /// `filters` selecting this run's resources.
    pub fn label_filter(&self) -> Value {
        json!({ "label": [self.run_label()] })
    }
}

/// Removes the run's scratch directory when dropped (after the throwaway
/// daemon, which lives in it, has gone).
struct WorkDir(PathBuf);

impl Drop for WorkDir {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_dir_all(&self.0) {
            eprintln!("record: could not remove {}: {e}", self.0.display());
        }
    }
}

pub fn run(root: &Path, args: &[String]) -> Result<ExitCode> {
    let mut out = root.join("tests/fixtures/corpus");
    let mut socket = PathBuf::from("/var/run/docker.sock");
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--out" => out = PathBuf::from(iter.next().context(USAGE)?),
            "--socket" => socket = PathBuf::from(iter.next().context(USAGE)?),
            _ => bail!("unknown argument {arg:?}\n{USAGE}"),
        }
    }
    let started = Instant::now();
    check_tools(root)?;
    daemon::sweep_interrupted();
    let run = Run::new(root);
    std::fs::create_dir_all(&run.work).with_context(|| format!("creating {}", run.work.display()))?;
    let _work = WorkDir(run.work.clone());
    let scratch = run.work.join("main");
    std::fs::create_dir_all(&scratch)?;

    let api = Engine::discover_api(&socket, &scratch)?;
    eprintln!("recording API {api} from {}", socket.display());
    let engine = Engine::new("main engine", &socket, &api, &scratch);
    let mut corpus = Corpus::new(&api);
    let mut scrubber = host_scrubber(&run)?;

    main_engine::record(&run, &engine, &mut corpus, &mut scrubber).context("on the main engine")?;
    throwaway::record(&run, &api, &mut corpus, &mut scrubber).context("on the throwaway daemon")?;

    let count = corpus.len();
    let dir = corpus.write(&out, &scrubber)?;
    eprintln!(
        "wrote {count} responses to {} in {:.0} s",
        dir.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

/// Fails early, naming what is missing, rather than halfway through.
fn check_tools(root: &Path) -> Result<()> {
    for tool in ["curl", "tar", "ip", "nsenter", "dockerd", "docker-registry", "cc"] {
        let found = Command::new("sh")
            .arg("-c")
            .arg(format!("command -v {tool}"))
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            bail!("`{tool}` is needed (as root: .ci/prepare-engine, apt-get install docker-registry)");
        }
    }
    if !Path::new(ops::BUSYBOX).exists() {
        bail!("{} is needed (apt-get install busybox-static)", ops::BUSYBOX);
    }
    let plugin = root.join(throwaway::PLUGIN_DIR);
    if !plugin.join("config.json").exists() {
        bail!("the test plugin is missing: {}", plugin.display());
    }
    Ok(())
}

/// The scrubbing rules known before anything is recorded: the machine's
/// hostname, kernel and addresses, and the run's pid.
fn host_scrubber(run: &Run) -> Result<Scrubber> {
    let mut scrubber = Scrubber::default();
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname")?;
    scrubber.whole(hostname.trim(), "docker-sdk-host");
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")?;
    scrubber.literal(kernel.trim(), "6.1.0-scrubbed", Boundary::Anywhere);
    let (v4, v6) = host_addresses()?;
    for (index, address) in v4.iter().enumerate() {
        scrubber.literal(address, &format!("203.0.113.{}", 10 + index), Boundary::Ipv4);
    }
    for (index, address) in v6.iter().enumerate() {
        scrubber.literal(address, &format!("2001:db8::{:x}", 0x10 + index), Boundary::Ipv6);
    }
    scrubber.literal(&run.prefix, &format!("{LABEL}-0"), Boundary::Name);
    scrubber.literal(&run.tag, "dsr0", Boundary::Name);
    Ok(scrubber)
}

/// The machine's own IPv4 and IPv6 addresses: those of interfaces that are
/// neither loopback nor the bridges and veths engines make, outside the
/// benchmarking range the tests use.
fn host_addresses() -> Result<(Vec<String>, Vec<String>)> {
    let output = Command::new("ip").args(["-j", "-d", "addr", "show"]).output()?;
    let links: Vec<Value> = serde_json::from_slice(&output.stdout).context("parsing `ip -j addr`")?;
    let (mut v4, mut v6) = (Vec::new(), Vec::new());
    for link in &links {
        let kind = link.pointer("/linkinfo/info_kind").and_then(Value::as_str);
        let loopback = link.get("link_type").and_then(Value::as_str) == Some("loopback");
        if loopback || matches!(kind, Some("bridge" | "veth" | "vxlan")) {
            continue;
        }
        for info in link
            .get("addr_info")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(local) = info.get("local").and_then(Value::as_str) else {
                continue;
            };
            match info.get("family").and_then(Value::as_str) {
                Some("inet") if !local.starts_with("198.18.") && !local.starts_with("198.19.") => {
                    v4.push(local.to_owned())
                }
                Some("inet6") => v6.push(local.to_owned()),
                _ => {}
            }
        }
    }
    Ok((v4, v6))
}
