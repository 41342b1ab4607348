//! Swagger 2.0 → OpenAPI 3.0, just as far as Docker's Engine API needs it.
//!
//! The conversion works on `serde_json::Value`s; the caller deserialises the
//! result into [`openapiv3::OpenAPI`], the type progenitor reads, so any shape
//! the `openapiv3` crate does not accept fails loudly before generation.
//!
//! Besides the mechanical mapping (definitions, `$ref`s, parameters, request
//! bodies, media types, `x-nullable`), progenitor imposes a few rules that the
//! swagger breaks; each is handled by one function below whose comment says
//! what progenitor needs and what the generated client does as a result.

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value, json};

/// Media type of a body or response that is decoded as one JSON document.
const JSON: &str = "application/json";
/// Media type under which progenitor accepts a raw request body.
const OCTET_STREAM: &str = "application/octet-stream";

/// Converts one Swagger 2.0 document into an OpenAPI 3.0 document, still as
/// JSON so that the decoding policy can run over it before it is typed.
pub fn convert(swagger: &Value) -> Result<Value> {
    let root = swagger.as_object().context("swagger document is not a map")?;
    if root.get("swagger").and_then(Value::as_str) != Some("2.0") {
        bail!("not a Swagger 2.0 document");
    }
    let global_consumes = string_list(root.get("consumes"));
    let global_produces = string_list(root.get("produces"));

    let mut schemas = Map::new();
    if let Some(definitions) = root.get("definitions").and_then(Value::as_object) {
        for (name, schema) in definitions {
            schemas.insert(name.clone(), convert_schema(schema));
        }
    }

    let mut paths = Map::new();
    for (path, item) in root
        .get("paths")
        .and_then(Value::as_object)
        .context("swagger document has no paths")?
    {
        let item = item
            .as_object()
            .with_context(|| format!("path {path} is not a map"))?;
        let mut out = Map::new();
        for (method, operation) in item {
            if method == "parameters" {
                bail!("path-level parameters on {path} are not supported");
            }
            let media = MediaDefaults {
                consumes: &global_consumes,
                produces: &global_produces,
            };
            let converted = convert_operation(operation, &media)
                .with_context(|| format!("{} {path}", method.to_uppercase()))?;
            out.insert(method.clone(), converted);
        }
        paths.insert(path.clone(), Value::Object(out));
    }

    let mut info = root
        .get("info")
        .cloned()
        .context("swagger document has no info")?;
    strip_extensions(&mut info);
    let tags = root.get("tags").cloned().unwrap_or_else(|| json!([]));

    let mut openapi = json!({
        "openapi": "3.0.3",
        "info": info,
        "tags": tags,
        "paths": paths,
        "components": { "schemas": schemas },
    });
    mark_code_blocks_as_text(&mut openapi);
    Ok(openapi)
}

/// Descriptions become doc comments, and rustdoc compiles every fenced block
/// without a language as a Rust doctest. The swagger's blocks are JSON, Go and
/// shell samples: fence them as `text`.
fn mark_code_blocks_as_text(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                match child {
                    Value::String(text) if key == "description" => {
                        *text = fence_as_text(text);
                    }
                    _ => mark_code_blocks_as_text(child),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mark_code_blocks_as_text),
        _ => {}
    }
}

fn fence_as_text(markdown: &str) -> String {
    let mut in_fence = false;
    let mut in_indented = false;
    let mut previous_blank = true;
    let mut out: Vec<String> = Vec::new();
    for line in markdown.split('\n') {
        let trimmed = line.trim_start();
        let blank = trimmed.is_empty();
        if in_indented && !blank && !line.starts_with("    ") {
            out.push("```".to_owned());
            in_indented = false;
        }
        if let Some(info) = trimmed.strip_prefix("```") {
            if !in_fence && info.trim().is_empty() {
                let indent = &line[..line.len() - trimmed.len()];
                out.push(format!("{indent}```text"));
                in_fence = true;
                previous_blank = false;
                continue;
            }
            in_fence = !in_fence;
        } else if !in_fence && !in_indented && previous_blank && line.starts_with("    ") && !blank {
            // An indented block is a code block, and a doctest, too.
            out.push("```text".to_owned());
            in_indented = true;
        }
        out.push(if in_indented {
            line.strip_prefix("    ").unwrap_or(line).to_owned()
        } else {
            line.to_owned()
        });
        previous_blank = blank;
    }
    if in_indented {
        // Keep a trailing blank line outside the block.
        let trailing_blank = out.last().is_some_and(|l| l.trim().is_empty());
        let blank = if trailing_blank { out.pop() } else { None };
        out.push("```".to_owned());
        out.extend(blank);
    }
    out.join("\n")
}

struct MediaDefaults<'a> {
    consumes: &'a [String],
    produces: &'a [String],
}

fn convert_operation(operation: &Value, defaults: &MediaDefaults<'_>) -> Result<Value> {
    let op = operation.as_object().context("operation is not a map")?;
    let consumes = op.get("consumes").map(|v| string_list(Some(v)));
    let consumes = consumes.as_deref().unwrap_or(defaults.consumes);
    let produces = op.get("produces").map(|v| string_list(Some(v)));
    let produces = produces.as_deref().unwrap_or(defaults.produces);

    let mut out = Map::new();
    for key in ["operationId", "summary", "description", "tags", "deprecated"] {
        if let Some(value) = op.get(key) {
            out.insert(key.to_owned(), value.clone());
        }
    }

    let mut parameters = Vec::new();
    for parameter in op
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let location = parameter.get("in").and_then(Value::as_str).unwrap_or_default();
        match location {
            "body" => {
                out.insert("requestBody".into(), request_body(parameter, consumes)?);
            }
            "query" | "path" | "header" => parameters.push(convert_parameter(parameter)?),
            other => bail!("parameter location {other:?} is not supported"),
        }
    }
    if !parameters.is_empty() {
        out.insert("parameters".into(), Value::Array(parameters));
    }

    let responses = op
        .get("responses")
        .and_then(Value::as_object)
        .context("operation has no responses")?;
    out.insert("responses".into(), convert_responses(responses, produces)?);
    Ok(Value::Object(out))
}

/// A non-body parameter: its type moves under `schema`.
fn convert_parameter(parameter: &Value) -> Result<Value> {
    let p = parameter.as_object().context("parameter is not a map")?;
    let name = p
        .get("name")
        .and_then(Value::as_str)
        .context("parameter without a name")?;
    let location = p.get("in").and_then(Value::as_str).unwrap_or_default();

    let mut schema = Map::new();
    for key in [
        "type", "format", "items", "enum", "default", "pattern", "minimum", "maximum",
    ] {
        if let Some(value) = p.get(key) {
            schema.insert(key.to_owned(), value.clone());
        }
    }
    let is_array = schema.get("type").and_then(Value::as_str) == Some("array");

    let mut out = Map::new();
    out.insert("name".into(), json!(name));
    out.insert("in".into(), json!(location));
    if let Some(description) = p.get("description") {
        out.insert("description".into(), description.clone());
    }
    let required = location == "path" || p.get("required").and_then(Value::as_bool) == Some(true);
    out.insert("required".into(), json!(required));
    if is_array && location == "query" {
        // The engine reads array parameters as repeated keys (`r.Form[name]`),
        // whatever `collectionFormat` the swagger states (csv by default).
        out.insert("style".into(), json!("form"));
        out.insert("explode".into(), json!(true));
    }
    out.insert("schema".into(), convert_schema(&Value::Object(schema)));
    Ok(Value::Object(out))
}

/// A `body` parameter becomes a `requestBody` with exactly one media type.
///
/// progenitor takes one media type per body, and only a few: JSON, and raw
/// bodies as `application/octet-stream` with schema `string`/`binary`. So a
/// JSON schema goes out as JSON, and anything else (tar archives, import
/// sources) as a raw body; the real content type is set per request.
fn request_body(parameter: &Value, consumes: &[String]) -> Result<Value> {
    let schema = parameter
        .get("schema")
        .context("body parameter without a schema")?;
    let raw = is_binary(schema) || !consumes.iter().any(|c| c == JSON);
    let (media_type, schema) = if raw {
        (OCTET_STREAM, json!({ "type": "string", "format": "binary" }))
    } else {
        (JSON, convert_schema(schema))
    };
    let mut out = Map::new();
    if let Some(description) = parameter.get("description") {
        out.insert("description".into(), description.clone());
    }
    let required = parameter
        .get("required")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    out.insert("required".into(), json!(required));
    out.insert("content".into(), json!({ media_type: { "schema": schema } }));
    Ok(Value::Object(out))
}

/// Responses, narrowed to what progenitor can generate:
///
/// - error responses (4xx/5xx) are always JSON (`ErrorResponse`), whatever the
///   operation produces, so every error decodes to the engine's message;
/// - a success body is JSON when the operation produces JSON, otherwise a raw
///   byte stream (logs, archives, exports, multiplexed and JSON-lines streams);
/// - progenitor allows one success type per operation: where the swagger
///   documents both a protocol switch (101) and a plain stream (200), the
///   plain stream is generated and the raw crate's hijack module carries the
///   upgrade; a bodiless 2xx beside a typed 2xx is dropped;
/// - any 4xx or 5xx not listed is an `ErrorResponse` too.
fn convert_responses(responses: &Map<String, Value>, produces: &[String]) -> Result<Value> {
    let success_media = produces.first().map(String::as_str).unwrap_or(JSON);
    let streams = !produces.iter().any(|p| p == JSON) || success_media != JSON;

    let mut out = Map::new();
    for (code, response) in responses {
        let status: u16 = code.parse().with_context(|| format!("response code {code}"))?;
        let r = response.as_object().context("response is not a map")?;
        let description = r.get("description").cloned().unwrap_or_else(|| json!(""));
        let mut converted = Map::new();
        converted.insert("description".into(), description);

        let schema = r.get("schema");
        if status >= 400 {
            let schema = schema.map(convert_schema).unwrap_or_else(|| json!({}));
            converted.insert("content".into(), json!({ JSON: { "schema": schema } }));
        } else if (200..300).contains(&status) {
            let body_is_stream = streams || schema.is_some_and(is_binary);
            if body_is_stream && (schema.is_some() || produces_body(produces)) {
                let media = if success_media == JSON {
                    OCTET_STREAM
                } else {
                    success_media
                };
                converted.insert(
                    "content".into(),
                    json!({ media: { "schema": { "type": "string", "format": "binary" } } }),
                );
            } else if let Some(schema) = schema {
                converted.insert(
                    "content".into(),
                    json!({ JSON: { "schema": convert_schema(schema) } }),
                );
            }
        }
        out.insert(code.clone(), Value::Object(converted));
    }

    // The engine reports every failure as an `ErrorResponse`, under statuses
    // the swagger does not always list (a version too new for the engine is
    // a 400 on any path: spec/evidence/v1.41-version-too-new.http). Catch-all
    // ranges make every such answer a typed error with the engine's message.
    for range in ["4XX", "5XX"] {
        out.insert(
            range.into(),
            json!({
                "description": "An error the engine reports with its message.",
                "content": { JSON: { "schema": { "$ref": "#/components/schemas/ErrorResponse" } } },
            }),
        );
    }

    let has = |code: &str| out.contains_key(code);
    if has("101") && has("200") {
        out.remove("101");
    }
    let typed_success = out
        .iter()
        .any(|(code, r)| code.starts_with('2') && r.get("content").is_some());
    if typed_success {
        out.retain(|code, r| !code.starts_with('2') || r.get("content").is_some());
    }
    Ok(Value::Object(out))
}

/// Whether an operation that documents no response schema still sends a body
/// worth keeping: archives, exports and multiplexed streams do.
fn produces_body(produces: &[String]) -> bool {
    produces.iter().any(|p| p != JSON && p != "text/plain")
}

fn is_binary(schema: &Value) -> bool {
    let ty = schema.get("type").and_then(Value::as_str);
    ty == Some("file")
        || (ty == Some("string") && schema.get("format").and_then(Value::as_str) == Some("binary"))
}

/// A Swagger 2.0 schema as an OpenAPI 3.0 schema: `$ref`s point into
/// `components/schemas`, `x-nullable` becomes `nullable`, `type: file` a
/// binary string, and other vendor extensions are dropped.
pub fn convert_schema(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, value) in map {
                match key.as_str() {
                    "$ref" => {
                        let target = value.as_str().unwrap_or_default();
                        let target = target.replace("#/definitions/", "#/components/schemas/");
                        out.insert(key.clone(), json!(target));
                    }
                    "x-nullable" => {
                        if value.as_bool() == Some(true) {
                            out.insert("nullable".into(), json!(true));
                        }
                    }
                    "type" if value == "file" => {
                        out.insert("type".into(), json!("string"));
                        out.insert("format".into(), json!("binary"));
                    }
                    // Examples are documentation; some are of the wrong type.
                    "example" | "examples" => {}
                    _ if key.starts_with("x-") => {}
                    // Inside `properties` (and the like) keys are names, not keywords.
                    "properties" | "definitions" => {
                        let inner = value
                            .as_object()
                            .map(|m| m.iter().map(|(k, v)| (k.clone(), convert_schema(v))).collect())
                            .unwrap_or_default();
                        out.insert(key.clone(), Value::Object(inner));
                    }
                    "default" | "enum" => {
                        out.insert(key.clone(), value.clone());
                    }
                    _ => {
                        out.insert(key.clone(), convert_schema(value));
                    }
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(convert_schema).collect()),
        other => other.clone(),
    }
}

fn strip_extensions(value: &mut Value) {
    if let Value::Object(map) = value {
        map.retain(|k, _| !k.starts_with("x-"));
    }
}

fn string_list(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untagged_code_blocks_become_text() {
        let markdown = "Example:\n\n```\n{\"a\": 1}\n```\n\n```go\nx := 1\n```\n";
        assert_eq!(
            fence_as_text(markdown),
            "Example:\n\n```text\n{\"a\": 1}\n```\n\n```go\nx := 1\n```\n"
        );
    }

    #[test]
    fn indented_blocks_become_text() {
        let markdown = "For example:\n\n    IP_address canonical_hostname\n\nMore.";
        assert_eq!(
            fence_as_text(markdown),
            "For example:\n\n```text\nIP_address canonical_hostname\n\n```\nMore."
        );
    }

    #[test]
    fn refs_point_into_components() {
        let schema = json!({ "$ref": "#/definitions/Port", "x-nullable": true });
        assert_eq!(
            convert_schema(&schema),
            json!({ "$ref": "#/components/schemas/Port", "nullable": true })
        );
    }

    #[test]
    fn property_names_are_not_keywords() {
        let schema = json!({ "type": "object", "properties": { "example": { "type": "string" } } });
        assert_eq!(convert_schema(&schema), schema);
    }

    #[test]
    fn tar_bodies_become_raw_bodies() {
        let body = json!({ "name": "ctx", "in": "body", "schema": { "type": "string", "format": "binary" } });
        let converted = request_body(&body, &["application/x-tar".into()]).unwrap();
        assert_eq!(
            converted["content"],
            json!({ OCTET_STREAM: { "schema": { "type": "string", "format": "binary" } } })
        );
    }

    #[test]
    fn errors_are_json_even_for_streams() {
        let responses = json!({
            "200": { "description": "logs", "schema": { "type": "string", "format": "binary" } },
            "404": { "description": "no such container", "schema": { "$ref": "#/definitions/ErrorResponse" } }
        });
        let out = convert_responses(
            responses.as_object().unwrap(),
            &["application/vnd.docker.raw-stream".into()],
        )
        .unwrap();
        assert!(out["200"]["content"]["application/vnd.docker.raw-stream"].is_object());
        assert!(out["404"]["content"][JSON].is_object());
    }

    #[test]
    fn attach_keeps_the_plain_stream() {
        let responses = json!({ "101": { "description": "hijack" }, "200": { "description": "stream" } });
        let out = convert_responses(
            responses.as_object().unwrap(),
            &["application/vnd.docker.raw-stream".into()],
        )
        .unwrap();
        assert!(out.get("101").is_none());
        assert!(out["200"]["content"].is_object());
    }
}
