//! The SDK's one error type, with the meanings of docker-py's exceptions.

use std::time::Duration;

use crate::api::types;

/// What can go wrong talking to a Docker engine.
///
/// The variants carry docker-py's meanings: [`Error::NotFound`] and
/// [`Error::ImageNotFound`] for a 404, [`Error::Conflict`] for a 409,
/// [`Error::Api`] for any other error the engine reports, and client-side
/// errors ([`Error::InvalidArgument`], [`Error::InvalidVersion`], …) that are
/// raised before any request is sent.
///
/// ```
/// use docker_sdk::Error;
///
/// let error = Error::NotFound { explanation: "No such container: web".into() };
/// assert_eq!(error.status(), Some(404));
/// assert!(error.is_client_error());
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The engine has no such object (404).
    #[error("not found: {explanation}")]
    NotFound {
        /// The engine's message.
        explanation: String,
    },

    /// The engine has no such image, or the registry refused to say (404).
    #[error("image not found: {explanation}")]
    ImageNotFound {
        /// The engine's message.
        explanation: String,
    },

    /// The object is in a state that forbids the request, or the name is
    /// taken (409).
    #[error("conflict: {explanation}")]
    Conflict {
        /// The engine's message.
        explanation: String,
    },

    /// Any other error the engine reported.
    #[error("the engine answered {status}: {explanation}")]
    Api {
        /// The HTTP status of the answer.
        status: u16,
        /// The engine's message, or the body it sent when that was not JSON.
        explanation: String,
    },

    /// The call needs a newer API version than the one in use; no request
    /// was sent. Also: a version string that is not `MAJOR.MINOR`, or a
    /// version outside what this SDK speaks.
    #[error("{message}")]
    InvalidVersion {
        /// What was asked, and what is available.
        message: String,
    },

    /// An argument's value is not valid; no request was sent.
    #[error("invalid {argument}: {reason}")]
    InvalidArgument {
        /// The argument, by its docker-py name (`ports`, `mem_limit`, …).
        argument: String,
        /// What is wrong with it.
        reason: String,
    },

    /// A repository or image reference that cannot be parsed.
    #[error("invalid repository {name:?}: {reason}")]
    InvalidRepository {
        /// The reference as given.
        name: String,
        /// What is wrong with it.
        reason: String,
    },

    /// The connection settings are not usable: a malformed `DOCKER_HOST`,
    /// an unreadable context or config file.
    #[error("{message}")]
    Config {
        /// What is wrong, and where it came from.
        message: String,
    },

    /// TLS could not be set up or the engine's certificate was refused.
    #[error("TLS: {message}")]
    Tls {
        /// What failed.
        message: String,
    },

    /// The engine could not be reached, or the connection broke.
    #[error("could not talk to the engine at {host}: {message}")]
    Transport {
        /// The engine's address, as configured.
        host: String,
        /// What failed, including the underlying cause.
        message: String,
    },

    /// The engine did not answer within the client's timeout.
    #[error(
        "the engine did not answer {operation} within {after:?}; raise the client's timeout if it is busy"
    )]
    Timeout {
        /// The operation that timed out.
        operation: &'static str,
        /// The timeout in force.
        after: Duration,
    },

    /// The engine's answer could not be decoded.
    #[error("could not decode the engine's answer to {operation}: {message}")]
    Decode {
        /// The operation whose answer it was.
        operation: &'static str,
        /// What did not decode.
        message: String,
    },

    /// The engine reported a failure in the middle of a streamed answer: a
    /// pull, push or load that went wrong after it had started, or logs it
    /// could not go on reading.
    #[error("{operation} failed: {message}")]
    Stream {
        /// The operation whose stream it was.
        operation: &'static str,
        /// The engine's message.
        message: String,
    },

    /// A container run without `detach` exited with a non-zero status.
    #[error(transparent)]
    Container(Box<ContainerError>),

    /// An image build failed.
    #[error(transparent)]
    Build(Box<BuildError>),
}

/// A container that exited with a non-zero status (docker-py's
/// `ContainerError`).
#[derive(Debug, thiserror::Error)]
#[error("command {command:?} in image {image:?} returned non-zero exit status {exit_status}: {stderr}")]
pub struct ContainerError {
    /// The container's id.
    pub container: String,
    /// Its exit status.
    pub exit_status: i64,
    /// The command it ran.
    pub command: String,
    /// The image it ran.
    pub image: String,
    /// What it wrote to stderr.
    pub stderr: String,
}

/// A failed image build (docker-py's `BuildError`).
#[derive(Debug, thiserror::Error)]
#[error("build failed: {reason}")]
pub struct BuildError {
    /// The engine's reason.
    pub reason: String,
    /// Every message of the build log, up to the failure.
    pub build_log: Vec<serde_json::Value>,
}

impl From<std::convert::Infallible> for Error {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

/// The SDK's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The HTTP status the engine answered with, for errors it reported.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::NotFound { .. } | Error::ImageNotFound { .. } => Some(404),
            Error::Conflict { .. } => Some(409),
            Error::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// A 4xx answer: the request was wrong (docker-py's `is_client_error`).
    pub fn is_client_error(&self) -> bool {
        self.status().is_some_and(|s| (400..500).contains(&s))
    }

    /// A 5xx answer: the engine failed (docker-py's `is_server_error`).
    pub fn is_server_error(&self) -> bool {
        self.status().is_some_and(|s| (500..600).contains(&s))
    }

    /// The engine's own message, for errors it reported.
    pub fn explanation(&self) -> Option<&str> {
        match self {
            Error::NotFound { explanation }
            | Error::ImageNotFound { explanation }
            | Error::Conflict { explanation }
            | Error::Api { explanation, .. } => Some(explanation),
            Error::Stream { message, .. } => Some(message),
            _ => None,
        }
    }

    pub(crate) fn invalid_argument(argument: &str, reason: impl Into<String>) -> Self {
        Error::InvalidArgument {
            argument: argument.to_owned(),
            reason: reason.into(),
        }
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Error::Config {
            message: message.into(),
        }
    }

    /// An error status and the engine's message, as docker-py classifies
    /// them: a 404 that speaks of an image is `ImageNotFound`.
    pub(crate) fn from_status(status: u16, explanation: String) -> Self {
        // `{"message": ""}` explains nothing; an error should still say what.
        let explanation = if explanation.trim().is_empty() {
            format!("the engine answered {status} with no message")
        } else {
            explanation
        };
        match status {
            404 if is_about_an_image(&explanation) => Error::ImageNotFound { explanation },
            404 => Error::NotFound { explanation },
            409 => Error::Conflict { explanation },
            _ => Error::Api { status, explanation },
        }
    }
}

fn is_about_an_image(explanation: &str) -> bool {
    let lower = explanation.to_ascii_lowercase();
    lower.contains("no such image")
        || lower.contains("not found: does not exist or no pull access")
        || lower.contains("repository does not exist")
        || lower.contains("was found but does not match the specified platform")
}

/// Where a failed call was going, to say so in its error.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Call<'a> {
    pub host: &'a str,
    pub operation: &'static str,
}

/// Most the SDK reads of an error body that is not the engine's JSON.
const MAX_ERROR_BODY: usize = 64 * 1024;

impl Call<'_> {
    /// Turns the generated client's error into ours.
    pub(crate) async fn error(self, error: docker_engine_api::Error<types::ErrorResponse>) -> Error {
        use docker_engine_api::Error as Raw;
        match error {
            Raw::ErrorResponse(response) => {
                let status = response.status().as_u16();
                Error::from_status(status, response.into_inner().message)
            }
            Raw::UnexpectedResponse(response) => self.unexpected(response).await,
            Raw::CommunicationError(e) | Raw::ResponseBodyError(e) | Raw::InvalidUpgrade(e) => {
                self.transport(&e)
            }
            Raw::InvalidResponsePayload(body, e) => Error::Decode {
                operation: self.operation,
                message: format!("{e}{}", not_json(&body)),
            },
            Raw::InvalidRequest(message) => Error::invalid_argument(self.operation, message),
            Raw::Custom(message) => Error::Transport {
                host: self.host.to_owned(),
                message,
            },
        }
    }

    pub(crate) fn transport(self, error: &reqwest::Error) -> Error {
        if error.is_timeout() {
            // No request timeout is set on reqwest; only dialling has one.
            let after = docker_engine_api::transport::CONNECT_TIMEOUT;
            return Error::Timeout {
                operation: self.operation,
                after,
            };
        }
        let mut message = error.to_string();
        let mut source = std::error::Error::source(error);
        let mut tls = None;
        while let Some(cause) = source {
            message.push_str(": ");
            message.push_str(&cause.to_string());
            if tls.is_none() {
                tls = rustls_error(cause).map(ToString::to_string);
            }
            source = cause.source();
        }
        if let Some(reason) = tls {
            return Error::Tls {
                message: format!(
                    "handshake with {} failed: {reason} (check the CA, client certificate and host name)",
                    self.host
                ),
            };
        }
        if error.is_connect() {
            message.push_str(" (is the Docker daemon running, and is DOCKER_HOST right?)");
        }
        Error::Transport {
            host: self.host.to_owned(),
            message,
        }
    }

    /// A broken stream: reqwest's errors keep their diagnosis when wrapped in
    /// `io::Error` to share a stream type with hijacked connections.
    pub(crate) fn io(self, error: &std::io::Error) -> Error {
        if let Some(inner) = error.get_ref().and_then(|e| e.downcast_ref::<reqwest::Error>()) {
            return self.transport(inner);
        }
        Error::Transport {
            host: self.host.to_owned(),
            message: format!("{} broke off: {error}", self.operation),
        }
    }

    /// A status the generated client did not expect (a 3xx, say): classify it
    /// by its status and whatever message the body holds.
    async fn unexpected(self, response: reqwest::Response) -> Error {
        let status = response.status();
        let body = read_bounded(response, MAX_ERROR_BODY).await;
        let explanation = explanation_from_body(&body)
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("no message").to_owned());
        if status.is_client_error() || status.is_server_error() {
            Error::from_status(status.as_u16(), explanation)
        } else {
            Error::Api {
                status: status.as_u16(),
                explanation,
            }
        }
    }
}

/// A rustls error, directly or inside `io::Error`s (whose `source` skips
/// the error they wrap, so they are unwrapped by hand).
fn rustls_error<'e>(mut cause: &'e (dyn std::error::Error + 'static)) -> Option<&'e rustls::Error> {
    loop {
        if let Some(tls) = cause.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        cause = cause.downcast_ref::<std::io::Error>()?.get_ref()?;
    }
}

/// What an answer that does not decode was, when it was no JSON at all (a
/// proxy's page, say): its start, or that it was empty. What looks like
/// JSON, even cut short, is left to the decoder's message, which says
/// where, and is never quoted: it may hold a container's command line or
/// environment.
fn not_json(body: &[u8]) -> String {
    const SHOWN: usize = 200;
    let start = body.iter().find(|b| !b.is_ascii_whitespace());
    match start {
        None => return " (the answer was empty)".to_owned(),
        Some(b'{' | b'[' | b'"') => return String::new(),
        Some(_) if serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok() => return String::new(),
        Some(_) => {}
    }
    let text = String::from_utf8_lossy(&body[..body.len().min(SHOWN)]);
    let more = if body.len() > SHOWN { "…" } else { "" };
    format!(" (the answer is not JSON: {:?}{more})", text.trim())
}

/// The engine's `{"message": ...}`, else the body's text, else nothing.
pub(crate) fn explanation_from_body(body: &[u8]) -> Option<String> {
    if let Ok(error) = serde_json::from_slice::<types::ErrorResponse>(body) {
        // A blank message is no explanation: the caller falls back on the status.
        return Some(error.message).filter(|message| !message.trim().is_empty());
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

async fn read_bounded(mut response: reqwest::Response, limit: usize) -> Vec<u8> {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = limit.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= limit {
            break;
        }
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_docker_py_classes() {
        let cases: &[(u16, &str, &str)] = &[
            (404, "No such container: web", "NotFound"),
            (404, "No such image: busybox:nope", "ImageNotFound"),
            (
                404,
                "pull access denied for nope, repository does not exist",
                "ImageNotFound",
            ),
            (404, "network web not found", "NotFound"),
            (
                409,
                "Conflict. The container name \"/web\" is already in use",
                "Conflict",
            ),
            (400, "client version 1.55 is too new", "Api"),
            (500, "driver failed", "Api"),
        ];
        for (status, message, expected) in cases {
            let error = Error::from_status(*status, (*message).to_owned());
            let class = match &error {
                Error::NotFound { .. } => "NotFound",
                Error::ImageNotFound { .. } => "ImageNotFound",
                Error::Conflict { .. } => "Conflict",
                Error::Api { .. } => "Api",
                _ => "other",
            };
            assert_eq!(class, *expected, "{status} {message}");
            assert_eq!(error.status(), Some(*status));
            assert_eq!(error.explanation(), Some(*message));
        }
    }

    #[test]
    fn client_and_server_errors() {
        let client = Error::from_status(400, "bad".into());
        assert!(client.is_client_error() && !client.is_server_error());
        let server = Error::from_status(503, "down".into());
        assert!(server.is_server_error() && !server.is_client_error());
        let local = Error::invalid_argument("ports", "bad port");
        assert!(!local.is_client_error() && !local.is_server_error());
        assert_eq!(local.to_string(), "invalid ports: bad port");
    }

    #[test]
    fn explanations_from_any_body() {
        assert_eq!(
            explanation_from_body(br#"{"message":"boom"}"#).as_deref(),
            Some("boom")
        );
        assert_eq!(
            explanation_from_body(b"<html>502 Bad Gateway</html>\n").as_deref(),
            Some("<html>502 Bad Gateway</html>")
        );
        assert_eq!(explanation_from_body(b"  \n"), None);
        assert_eq!(
            explanation_from_body(br#"{"msg":1}"#).as_deref(),
            Some(r#"{"msg":1}"#)
        );
        // Found by fuzzing: a blank message was an empty explanation.
        assert_eq!(explanation_from_body(br#"{"message":""}"#), None);
        assert_eq!(explanation_from_body(br#"{"message":" \n"}"#), None);
    }

    #[test]
    fn a_blank_message_still_explains() {
        let error = Error::from_status(404, String::new());
        assert!(matches!(error, Error::NotFound { .. }));
        assert_eq!(
            error.explanation(),
            Some("the engine answered 404 with no message")
        );
    }

    #[test]
    fn container_error_reads_like_docker_py() {
        let error = Error::Container(Box::new(ContainerError {
            container: "abc".into(),
            exit_status: 3,
            command: "false".into(),
            image: "busybox".into(),
            stderr: "oops".into(),
        }));
        assert_eq!(
            error.to_string(),
            "command \"false\" in image \"busybox\" returned non-zero exit status 3: oops"
        );
    }
}
