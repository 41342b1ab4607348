//! The escape hatch for calls that switch protocols.
//!
//! `POST /containers/{id}/attach` and `POST /exec/{id}/start` answer with the
//! container's output; with stdin they need the connection itself, both
//! directions, which the engine hands over when the request asks to upgrade
//! (`Connection: Upgrade`, `Upgrade: tcp`) and it answers `101`. The generated
//! builders cannot ask for that (progenitor generates one success response per
//! operation, and the plain output stream is the one generated), so this
//! module sends those few requests itself, through the same `reqwest::Client`
//! and base URL (version prefix included) as the generated client.

use progenitor_client::{ClientInfo, Error, ResponseValue};
use reqwest::header::{CONNECTION, CONTENT_TYPE, HeaderValue, UPGRADE};

/// A hijacked connection: read the container's output from it, write its
/// stdin to it. It implements tokio's `AsyncRead` and `AsyncWrite`.
pub type Upgraded = reqwest::Upgraded;

/// Query parameters of an upgraded attach, as the engine names them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttachParams {
    /// Stream the output (rather than only replay logs).
    pub stream: bool,
    /// Replay the output written so far before streaming.
    pub logs: bool,
    /// Attach stdin.
    pub stdin: bool,
    /// Attach stdout.
    pub stdout: bool,
    /// Attach stderr.
    pub stderr: bool,
    /// Override the key sequence that detaches, such as `ctrl-p,ctrl-q`.
    pub detach_keys: Option<String>,
}

impl AttachParams {
    fn query(&self) -> Vec<(&'static str, String)> {
        let mut query = vec![
            ("stream", self.stream.to_string()),
            ("logs", self.logs.to_string()),
            ("stdin", self.stdin.to_string()),
            ("stdout", self.stdout.to_string()),
            ("stderr", self.stderr.to_string()),
        ];
        if let Some(keys) = &self.detach_keys {
            query.push(("detachKeys", keys.clone()));
        }
        query
    }
}

/// Attaches to a container over an upgraded connection.
///
/// # Errors
///
/// The engine's error (`404` for a missing container, `409` for one that is
/// not running, …) as [`Error::ErrorResponse`] with its decoded body, or a
/// transport error.
///
/// # Cancel safety
///
/// Dropping the future before it resolves closes the connection; the
/// container is unaffected.
pub async fn container_attach<C, E>(client: &C, id: &str, params: &AttachParams) -> Result<Upgraded, Error<E>>
where
    C: ClientInfo<()>,
    E: serde::de::DeserializeOwned,
{
    let url = format!("{}/containers/{}/attach", client.baseurl(), encode(id));
    let request = client.client().post(url).query(&params.query());
    upgrade(request).await
}

/// Starts an exec instance over an upgraded connection. `config` is the
/// version's `types::ExecStartConfig` (with `Detach: false`).
///
/// # Errors
///
/// As for [`container_attach`].
///
/// # Cancel safety
///
/// As for [`container_attach`]; the exec process goes on if it has started.
pub async fn exec_start<C, E>(
    client: &C,
    id: &str,
    config: &impl serde::Serialize,
) -> Result<Upgraded, Error<E>>
where
    C: ClientInfo<()>,
    E: serde::de::DeserializeOwned,
{
    let url = format!("{}/exec/{}/start", client.baseurl(), encode(id));
    let request = client
        .client()
        .post(url)
        .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
        .json(config);
    upgrade(request).await
}

async fn upgrade<E>(request: reqwest::RequestBuilder) -> Result<Upgraded, Error<E>>
where
    E: serde::de::DeserializeOwned,
{
    let response = request
        .header(CONNECTION, HeaderValue::from_static("Upgrade"))
        .header(UPGRADE, HeaderValue::from_static("tcp"))
        .send()
        .await
        .map_err(Error::CommunicationError)?;
    let status = response.status();
    if status == reqwest::StatusCode::SWITCHING_PROTOCOLS {
        return response.upgrade().await.map_err(Error::InvalidUpgrade);
    }
    if status.is_client_error() || status.is_server_error() {
        return Err(Error::ErrorResponse(
            ResponseValue::from_response(response).await?,
        ));
    }
    Err(Error::UnexpectedResponse(response))
}

/// Percent-encodes one path segment, as the generated client does.
fn encode(segment: &str) -> String {
    progenitor_client::encode_path(segment)
}
