//! The recorded responses, and how they are written: one file each, named
//! after the response, holding the request's method, path and query, the
//! status, the API version and the body (or the JSON lines of a stream).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use super::http::{Engine, Request};
use super::scrub::Scrubber;

/// What a response carried.
enum Payload {
    /// One JSON document.
    Body(Value),
    /// A stream of JSON documents, one a line.
    Lines(Vec<Value>),
}

/// The responses recorded so far, by file name.
pub struct Corpus {
    api: String,
    entries: BTreeMap<String, Value>,
}

impl Corpus {
    pub fn new(api: &str) -> Self {
        Corpus {
            api: api.to_owned(),
            entries: BTreeMap::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    fn add(&mut self, name: &str, request: &Request, status: u16, payload: Payload) -> Result<()> {
        if self.entries.contains_key(name) {
            bail!("two responses are named {name:?}");
        }
        let mut entry = json!({
            "method": request.method,
            "path": request.path,
            "query": request.readable_query(),
            "status": status,
            "api": self.api,
        });
        match payload {
            Payload::Body(body) => entry["body"] = body,
            Payload::Lines(lines) => entry["lines"] = Value::Array(lines),
        }
        eprintln!("  recorded {name} ({} → {status})", request.describe());
        self.entries.insert(name.to_owned(), entry);
        Ok(())
    }

    /// Sends a request that must succeed with a JSON body; records and
    /// returns the body.
    pub fn record(&mut self, engine: &Engine, name: &str, request: Request) -> Result<Value> {
        let response = engine.send_ok(&request)?;
        let body = response
            .json()
            .with_context(|| format!("{}: {}", engine.name, request.describe()))?;
        self.add(name, &request, response.status, Payload::Body(body.clone()))?;
        Ok(body)
    }

    /// Sends a request that must fail with `status`, and records the
    /// engine's error body.
    pub fn record_error(&mut self, engine: &Engine, name: &str, request: Request, status: u16) -> Result<()> {
        let response = engine.send(&request)?;
        if response.status != status {
            bail!(
                "{}: {} answered {} where {status} was expected: {}",
                engine.name,
                request.describe(),
                response.status,
                response.text().trim()
            );
        }
        let body = response
            .json()
            .with_context(|| format!("{}: {}", engine.name, request.describe()))?;
        self.add(name, &request, response.status, Payload::Body(body))
    }

    /// Sends a request whose body is a finite stream of JSON lines (a build,
    /// a pull, events with `until`); records and returns the lines.
    pub fn record_lines(&mut self, engine: &Engine, name: &str, request: Request) -> Result<Vec<Value>> {
        let response = engine.send_ok(&request)?;
        let lines = response
            .json_lines()
            .with_context(|| format!("{}: {}", engine.name, request.describe()))?;
        self.add(name, &request, response.status, Payload::Lines(lines.clone()))?;
        Ok(lines)
    }

    /// Records the first `max_lines` lines of an endless stream.
    pub fn record_stream(
        &mut self,
        engine: &Engine,
        name: &str,
        request: Request,
        max_lines: usize,
    ) -> Result<Vec<Value>> {
        let (status, lines) = engine.stream_lines(&request, max_lines)?;
        if !(200..300).contains(&status) || lines.is_empty() {
            bail!(
                "{}: {} answered {status} with {} lines",
                engine.name,
                request.describe(),
                lines.len()
            );
        }
        self.add(name, &request, status, Payload::Lines(lines.clone()))?;
        Ok(lines)
    }

    /// Scrubs every response and writes `<out>/v<api>/<name>.json`,
    /// replacing what a previous recording left there. The files are
    /// written beside it first, so a failure leaves the old corpus whole.
    pub fn write(self, out: &Path, scrubber: &Scrubber) -> Result<PathBuf> {
        let dir = out.join(format!("v{}", self.api));
        let staging = out.join(format!(".v{}.partial", self.api));
        let _ = std::fs::remove_dir_all(&staging);
        std::fs::create_dir_all(&staging).with_context(|| format!("creating {}", staging.display()))?;
        for (name, mut entry) in self.entries {
            scrubber.scrub(&mut entry);
            let mut text = serde_json::to_string_pretty(&entry)?;
            text.push('\n');
            let path = staging.join(format!("{name}.json"));
            std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        }
        if dir.exists() {
            std::fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
        }
        std::fs::rename(&staging, &dir).with_context(|| format!("renaming {}", staging.display()))?;
        Ok(dir)
    }
}
