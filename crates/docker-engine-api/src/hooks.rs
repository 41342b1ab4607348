//! Cross-cutting request handling, hung on progenitor's `ClientHooks` (the
//! `impl` for each version's `Client` is in `lib.rs`).

/// `/_ping` is sent without the version prefix, as the docker CLI sends it:
/// the engine refuses a prefix above its own version on every path, `/_ping`
/// included, and ping is how a client learns that version.
pub(crate) fn unversion_ping(request: &mut reqwest::Request, operation_id: &str, version: &str) {
    if operation_id != "system_ping" && operation_id != "system_ping_head" {
        return;
    }
    let url = request.url_mut();
    let versioned = format!("/v{version}/_ping");
    if let Some(base) = url.path().strip_suffix(&versioned) {
        let path = format!("{base}/_ping");
        url.set_path(&path);
    }
}

/// The generated code sends an `api-version` header naming the module's
/// version. A client may speak an older version through a newer module (the
/// version prefix of its base URL, as negotiated): make the header say the
/// version the path says, and say none on an unversioned path.
pub(crate) fn align_version_header(request: &mut reqwest::Request) {
    let spoken = request.url().path_segments().and_then(|mut segments| {
        segments
            .find(|s| is_version_segment(s))
            .map(|s| s[1..].to_owned())
    });
    let value = spoken.and_then(|v| reqwest::header::HeaderValue::from_str(&v).ok());
    let headers = request.headers_mut();
    match value {
        Some(value) => {
            headers.insert(API_VERSION, value);
        }
        None => {
            headers.remove(API_VERSION);
        }
    }
}

const API_VERSION: &str = "api-version";

/// The most read of an error answer's body: a proxy's error page may be big.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// An error answer whose body is not the engine's `{"message": …}` (a
/// proxy's HTML page, plain text, nothing at all) would fail to decode as
/// the generated `ErrorResponse`, and its status would be lost in a
/// decoding error. Its body becomes `{"message": …}` with the text it held,
/// trimmed, or else the status's reason, so the error keeps both.
pub(crate) async fn error_body_as_json(
    mut response: reqwest::Response,
) -> reqwest::Result<reqwest::Response> {
    let status = response.status();
    if !status.is_client_error() && !status.is_server_error() {
        return Ok(response);
    }
    let version = response.version();
    let mut headers = response.headers().clone();
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = MAX_ERROR_BODY.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= MAX_ERROR_BODY {
            break;
        }
    }
    if !is_error_json(&body) {
        let text = String::from_utf8_lossy(&body);
        let message = match text.trim() {
            "" => status.canonical_reason().unwrap_or("no message"),
            text => text,
        };
        body = serde_json::json!({ "message": message }).to_string().into_bytes();
        headers.insert(
            reqwest::header::CONTENT_TYPE,
            reqwest::header::HeaderValue::from_static("application/json"),
        );
    }
    // The body is whole and plain now.
    for stale in [
        reqwest::header::CONTENT_LENGTH,
        reqwest::header::TRANSFER_ENCODING,
        reqwest::header::CONTENT_ENCODING,
    ] {
        headers.remove(stale);
    }
    let mut rebuilt = http::Response::new(reqwest::Body::from(body));
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    Ok(reqwest::Response::from(rebuilt))
}

/// Whether `body` is the engine's error JSON, which the generated client
/// decodes itself.
fn is_error_json(body: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct EngineError {
        #[allow(dead_code)]
        message: String,
    }
    serde_json::from_slice::<EngineError>(body).is_ok()
}

/// `v1.41`, say.
fn is_version_segment(segment: &str) -> bool {
    segment
        .strip_prefix('v')
        .and_then(|v| v.split_once('.'))
        .is_some_and(|(major, minor)| {
            !major.is_empty()
                && !minor.is_empty()
                && major.bytes().all(|b| b.is_ascii_digit())
                && minor.bytes().all(|b| b.is_ascii_digit())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ping(url: &str, operation_id: &str) -> String {
        let mut request = reqwest::Request::new(reqwest::Method::GET, url.parse().unwrap());
        unversion_ping(&mut request, operation_id, "1.44");
        request.url().to_string()
    }

    #[test]
    fn ping_drops_the_version_prefix() {
        assert_eq!(
            ping("http://localhost/v1.44/_ping", "system_ping"),
            "http://localhost/_ping"
        );
        assert_eq!(
            ping("http://h:2375/proxy/v1.44/_ping", "system_ping_head"),
            "http://h:2375/proxy/_ping"
        );
    }

    #[test]
    fn the_header_says_the_version_the_path_says() {
        let header = |url: &str| {
            let mut request = reqwest::Request::new(reqwest::Method::GET, url.parse().unwrap());
            request
                .headers_mut()
                .insert("api-version", reqwest::header::HeaderValue::from_static("1.55"));
            align_version_header(&mut request);
            request
                .headers()
                .get("api-version")
                .map(|v| v.to_str().unwrap().to_owned())
        };
        assert_eq!(header("http://localhost/v1.41/info").as_deref(), Some("1.41"));
        assert_eq!(
            header("http://h:2375/proxy/v1.44/containers/json").as_deref(),
            Some("1.44")
        );
        assert_eq!(header("http://localhost/_ping"), None);
        assert_eq!(header("http://localhost/volumes/v1.2x"), None);
    }

    #[test]
    fn other_operations_keep_it() {
        assert_eq!(
            ping("http://localhost/v1.44/info", "system_info"),
            "http://localhost/v1.44/info"
        );
    }
}
