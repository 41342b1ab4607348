//! `docker-sdk-bench OP key=value…`: one benchmark operation through the
//! SDK, printing one JSON line (the contract of the shared bench's README).
//!
//! The clock starts after the client is built (no request is sent before it)
//! and stops once the last byte is consumed.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use docker_sdk::stream::LogOutput;
use docker_sdk::{DockerClient, Filters};
use futures::{StreamExt, TryStreamExt};
use serde_json::{Value, json};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

// One process, one workload: the SDK's docs recommend a current-thread
// runtime for programs that read one big stream at a time (logs, archives),
// where a multi-thread runtime wakes another thread for every chunk.
#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let op = args.next().unwrap_or_default();
    let params: HashMap<String, String> = args
        .filter_map(|a| a.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())))
        .collect();
    let mut line = json!({ "client": "ours", "version": env!("CARGO_PKG_VERSION"), "workload": op });
    let outcome = run(&op, &params).await;
    let ok = outcome.is_ok();
    match outcome {
        Ok(fields) => merge(&mut line, fields),
        Err(error) => merge(&mut line, json!({ "error": error.to_string() })),
    }
    line["ok"] = json!(ok);
    println!("{line}");
    if ok {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}

fn merge(line: &mut Value, fields: Value) {
    if let (Some(line), Value::Object(fields)) = (line.as_object_mut(), fields) {
        line.extend(fields);
    }
}

fn param<T: std::str::FromStr>(
    params: &HashMap<String, String>,
    key: &str,
    default: T,
) -> Result<T, BoxError> {
    match params.get(key) {
        None => Ok(default),
        Some(value) => value.parse().map_err(|_| format!("bad {key}={value}").into()),
    }
}

async fn run(op: &str, params: &HashMap<String, String>) -> Result<Value, BoxError> {
    let socket = params.get("sock").map_or("/var/run/docker.sock", String::as_str);
    let mut builder = DockerClient::builder().base_url(format!("unix://{socket}"));
    if let Some(api) = params.get("api") {
        builder = builder.version(api);
    }
    let docker = builder.build()?;
    match op {
        "ping" => {
            ping(
                &docker,
                param(params, "n", 2000)?,
                param(params, "concurrency", 1)?,
            )
            .await
        }
        "list" => {
            let label = params.get("label").ok_or("list needs label=key=value")?;
            list(&docker, param(params, "n", 50)?, label).await
        }
        "lifecycle" => {
            let image = params.get("image").map_or("busybox:latest", String::as_str);
            lifecycle(&docker, param(params, "n", 20)?, image).await
        }
        "logs" => logs(&docker, params.get("id").ok_or("logs needs id=…")?).await,
        "archive" => {
            let id = params.get("id").ok_or("archive needs id=…")?;
            let path = params.get("path").ok_or("archive needs path=…")?;
            archive(&docker, id, path).await
        }
        "build" => {
            let context = params.get("context").ok_or("build needs context=DIR")?;
            let tag = params.get("tag").ok_or("build needs tag=…")?;
            build(&docker, context, tag).await
        }
        other => Err(format!("op {other:?} is not implemented").into()),
    }
}

async fn ping(docker: &DockerClient, n: usize, concurrency: usize) -> Result<Value, BoxError> {
    let started = Instant::now();
    let mut pings = futures::stream::iter(0..n)
        .map(|_| docker.ping())
        .buffer_unordered(concurrency.max(1));
    while let Some(pong) = pings.next().await {
        pong?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    Ok(json!({ "n": n, "concurrency": concurrency, "elapsed_s": elapsed, "req_per_s": n as f64 / elapsed }))
}

async fn list(docker: &DockerClient, n: usize, label: &str) -> Result<Value, BoxError> {
    let started = Instant::now();
    let mut calls: Vec<Duration> = Vec::with_capacity(n);
    let mut count = 0;
    for _ in 0..n {
        let call = Instant::now();
        let listed = docker
            .containers()
            .list()
            .all(true)
            .filters(Filters::new().add("label", label))
            .sparse(true)
            .send()
            .await?;
        calls.push(call.elapsed());
        count = listed.len();
    }
    let elapsed = started.elapsed().as_secs_f64();
    Ok(json!({ "n": n, "elapsed_s": elapsed, "count": count, "median_ms": median_ms(calls) }))
}

fn median_ms(mut samples: Vec<Duration>) -> f64 {
    samples.sort();
    samples
        .get(samples.len() / 2)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

async fn lifecycle(docker: &DockerClient, n: usize, image: &str) -> Result<Value, BoxError> {
    let started = Instant::now();
    let mut cycles = Vec::with_capacity(n);
    for _ in 0..n {
        let cycle = Instant::now();
        let container = docker
            .containers()
            .create(image)
            .command(["true"])
            .labels([("bench", "1")])
            .send()
            .await?;
        container.start().await?;
        container.wait().send().await?;
        container.remove().send().await?;
        cycles.push(cycle.elapsed());
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cycles_ms: Vec<f64> = cycles.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    Ok(json!({ "n": n, "elapsed_s": elapsed, "median_ms": median_ms(cycles), "cycles_ms": cycles_ms }))
}

async fn logs(docker: &DockerClient, id: &str) -> Result<Value, BoxError> {
    let started = Instant::now();
    let container = docker.containers().get(id).await?;
    let mut output = container.logs().stream().await?;
    let (mut stdout, mut stderr) = (0usize, 0usize);
    while let Some(piece) = output.try_next().await? {
        match piece {
            LogOutput::StdErr(bytes) => stderr += bytes.len(),
            other => stdout += other.as_bytes().len(),
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let payload = stdout + stderr;
    Ok(json!({
        "elapsed_s": elapsed,
        "payload_bytes": payload,
        "stdout_bytes": stdout,
        "stderr_bytes": stderr,
        "demuxed": true,
        "mib_per_s": payload as f64 / (1024.0 * 1024.0) / elapsed,
    }))
}

async fn archive(docker: &DockerClient, id: &str, path: &str) -> Result<Value, BoxError> {
    let started = Instant::now();
    let container = docker.containers().get(id).await?;
    let (archive, _stat) = container.get_archive(path).await?;
    let bytes = archive
        .try_fold(0usize, |n, chunk| async move { Ok(n + chunk.len()) })
        .await?;
    let elapsed = started.elapsed().as_secs_f64();
    Ok(
        json!({ "elapsed_s": elapsed, "bytes": bytes, "mib_per_s": bytes as f64 / (1024.0 * 1024.0) / elapsed }),
    )
}

async fn build(docker: &DockerClient, context: &str, tag: &str) -> Result<Value, BoxError> {
    let started = Instant::now();
    let mut build = docker
        .images()
        .build(context)
        .tag(tag)
        .labels([("bench", "1")])
        .rm(true)
        .stream()
        .await?;
    let mut image_id = None;
    while let Some(message) = build.progress.try_next().await? {
        if let Some(id) = message.aux.and_then(|aux| aux.id) {
            image_id = Some(id);
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let stats = build.context.ok_or("a directory build reports its context")?;
    Ok(json!({
        "elapsed_s": elapsed,
        "image_id": image_id,
        "tar_bytes": stats.tar_bytes(),
        "context_entries": stats.entries(),
    }))
}
