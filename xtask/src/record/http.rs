//! Requests to an engine's unix socket through `curl --unix-socket`.
//!
//! xtask has no HTTP client among its dependencies and the recorder needs
//! very little: one request at a time, the status and the body bytes exactly
//! as the engine sent them (curl only undoes the chunked transfer encoding).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde_json::Value;

/// One engine, reached on its unix socket, always at one API version.
#[derive(Clone, Debug)]
pub struct Engine {
    /// A short name for messages ("main engine", "throwaway daemon").
    pub name: &'static str,
    socket: PathBuf,
    api: String,
    /// Where JSON request bodies are staged for curl.
    scratch: PathBuf,
}

/// What a request sends as its body.
#[derive(Clone, Debug)]
pub enum Body {
    Json(Value),
    /// A file, sent as is with this content type (tar archives).
    File(PathBuf, &'static str),
}

/// One request; the path is the API path without the version prefix.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: &'static str,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Option<Body>,
    pub headers: Vec<(String, String)>,
    pub timeout: Duration,
}

/// A response: its status and body bytes.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Request {
    fn new(method: &'static str, path: impl Into<String>) -> Self {
        Request {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
            headers: Vec::new(),
            timeout: Duration::from_secs(120),
        }
    }

    pub fn get(path: impl Into<String>) -> Self {
        Self::new("GET", path)
    }

    pub fn post(path: impl Into<String>) -> Self {
        Self::new("POST", path)
    }

    pub fn delete(path: impl Into<String>) -> Self {
        Self::new("DELETE", path)
    }

    pub fn query(mut self, key: &str, value: impl ToString) -> Self {
        self.query.push((key.to_owned(), value.to_string()));
        self
    }

    /// `filters=` as the engine wants it: a JSON object of string arrays.
    pub fn filters(self, filters: Value) -> Self {
        self.query("filters", filters)
    }

    pub fn json(mut self, body: Value) -> Self {
        self.body = Some(Body::Json(body));
        self
    }

    pub fn file(mut self, path: &Path, content_type: &'static str) -> Self {
        self.body = Some(Body::File(path.to_owned(), content_type));
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The query as a reader wants to see it: `key=value&…`, not
    /// percent-encoded (what the corpus stores).
    pub fn readable_query(&self) -> String {
        join_query(&self.query, |s| s.to_owned())
    }

    fn encoded_query(&self) -> String {
        join_query(&self.query, percent_encode)
    }

    /// `METHOD /path?query`, for messages.
    pub fn describe(&self) -> String {
        match self.query.is_empty() {
            true => format!("{} {}", self.method, self.path),
            false => format!("{} {}?{}", self.method, self.path, self.readable_query()),
        }
    }
}

fn join_query(query: &[(String, String)], encode: impl Fn(&str) -> String) -> String {
    query
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

impl Response {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as one JSON document.
    pub fn json(&self) -> Result<Value> {
        serde_json::from_slice(&self.body).with_context(|| {
            format!(
                "status {}: the body is not JSON: {:.300}",
                self.status,
                self.text()
            )
        })
    }

    /// The body as JSON lines (streams such as events, builds and pulls).
    pub fn json_lines(&self) -> Result<Vec<Value>> {
        parse_lines(&self.body)
    }
}

/// Parses a body of JSON documents, one a line; blank lines are skipped.
pub fn parse_lines(body: &[u8]) -> Result<Vec<Value>> {
    body.split(|b| *b == b'\n')
        .filter(|line| !line.iter().all(u8::is_ascii_whitespace))
        .map(|line| {
            serde_json::from_slice(line)
                .with_context(|| format!("not a JSON line: {:.300}", String::from_utf8_lossy(line)))
        })
        .collect()
}

impl Engine {
    pub fn new(name: &'static str, socket: &Path, api: &str, scratch: &Path) -> Self {
        Engine {
            name,
            socket: socket.to_owned(),
            api: api.to_owned(),
            scratch: scratch.to_owned(),
        }
    }

    /// Asks `/version` (unversioned) for the engine's API version.
    pub fn discover_api(socket: &Path, scratch: &Path) -> Result<String> {
        let probe = Engine::new("engine", socket, "", scratch);
        let version = probe.send_ok(&Request::get("/version"))?.json()?;
        let api = version
            .get("ApiVersion")
            .and_then(Value::as_str)
            .context("/version has no ApiVersion")?;
        Ok(api.to_owned())
    }

    fn url(&self, request: &Request) -> String {
        let prefix = match self.api.is_empty() {
            true => String::new(),
            false => format!("/v{}", self.api),
        };
        let mut url = format!("http://localhost{prefix}{}", request.path);
        if !request.query.is_empty() {
            url.push('?');
            url.push_str(&request.encoded_query());
        }
        url
    }

    /// The curl command for a request, without its output options.
    fn curl(&self, request: &Request) -> Result<Command> {
        let mut curl = Command::new("curl");
        curl.arg("-sS")
            .arg("--unix-socket")
            .arg(&self.socket)
            .args(["-X", request.method])
            .arg("--max-time")
            .arg(request.timeout.as_secs().to_string());
        for (name, value) in &request.headers {
            curl.arg("-H").arg(format!("{name}: {value}"));
        }
        match &request.body {
            None => {}
            Some(Body::Json(value)) => {
                let path = self.scratch.join("request.json");
                std::fs::write(&path, value.to_string())
                    .with_context(|| format!("writing {}", path.display()))?;
                curl.args(["-H", "Content-Type: application/json", "--data-binary"])
                    .arg(format!("@{}", path.display()));
            }
            Some(Body::File(path, content_type)) => {
                curl.arg("-H")
                    .arg(format!("Content-Type: {content_type}"))
                    .arg("--data-binary")
                    .arg(format!("@{}", path.display()));
            }
        }
        curl.arg(self.url(request));
        Ok(curl)
    }

    /// Sends a request and reads the whole response, whatever its status.
    pub fn send(&self, request: &Request) -> Result<Response> {
        // curl writes the body, then the status's three digits.
        let output = self
            .curl(request)?
            .args(["-w", "%{http_code}"])
            .output()
            .context("cannot run curl")?;
        if !output.status.success() {
            bail!(
                "{}: {} failed: {}",
                self.name,
                request.describe(),
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        let mut body = output.stdout;
        let status = body.split_off(body.len().saturating_sub(3));
        let status = std::str::from_utf8(&status)
            .ok()
            .and_then(|status| status.parse().ok())
            .with_context(|| format!("{}: {}: no HTTP status", self.name, request.describe()))?;
        Ok(Response { status, body })
    }

    /// Sends a request that must succeed (2xx).
    pub fn send_ok(&self, request: &Request) -> Result<Response> {
        let response = self.send(request)?;
        if !response.is_success() {
            bail!(
                "{}: {} answered {}: {}",
                self.name,
                request.describe(),
                response.status,
                response.text().trim()
            );
        }
        Ok(response)
    }

    /// Reads at most `max_lines` JSON lines of an endless stream (such as
    /// streamed stats), then hangs up.
    pub fn stream_lines(&self, request: &Request, max_lines: usize) -> Result<(u16, Vec<Value>)> {
        let mut child = self
            .curl(request)?
            .args(["-N", "-i"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot run curl")?;
        let stdout = child.stdout.take().context("curl has no stdout")?;
        let read = read_stream(BufReader::new(stdout), max_lines);
        let _ = child.kill();
        let _ = child.wait();
        let (status, body) = read.with_context(|| format!("{}: {}", self.name, request.describe()))?;
        Ok((status, parse_lines(&body)?))
    }
}

/// Reads `curl -i` output: the status line and headers (after any `100
/// Continue`), then at most `max_lines` lines of body.
fn read_stream(mut reader: impl BufRead, max_lines: usize) -> Result<(u16, Vec<u8>)> {
    let mut status = None;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            bail!("the stream ended before its headers did");
        }
        let trimmed = line.trim_end();
        if let Some(rest) = trimmed.strip_prefix("HTTP/") {
            let code = rest
                .split_whitespace()
                .nth(1)
                .context("a status line without a code")?;
            status = Some(code.parse::<u16>()?);
        } else if trimmed.is_empty() && status.is_some_and(|s| s >= 200) {
            break;
        }
    }
    let mut body = Vec::new();
    let mut lines = 0;
    while lines < max_lines {
        let mut raw = Vec::new();
        if reader.read_until(b'\n', &mut raw)? == 0 {
            break;
        }
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        body.extend_from_slice(&raw);
        lines += 1;
    }
    Ok((status.context("no status line")?, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_encoded_on_the_wire_and_readable_in_the_corpus() {
        let request = Request::get("/containers/json")
            .query("all", 1)
            .filters(serde_json::json!({"label": ["a=b"]}));
        assert_eq!(request.readable_query(), r#"all=1&filters={"label":["a=b"]}"#);
        assert_eq!(
            request.encoded_query(),
            "all=1&filters=%7B%22label%22%3A%5B%22a%3Db%22%5D%7D"
        );
    }

    #[test]
    fn a_stream_is_read_after_its_headers() {
        let raw = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nA: b\r\n\r\n{\"a\":1}\n\n{\"a\":2}\n{\"a\":3}\n";
        let (status, body) = read_stream(&raw[..], 2).unwrap();
        assert_eq!(status, 200);
        assert_eq!(parse_lines(&body).unwrap().len(), 2);
    }
}
