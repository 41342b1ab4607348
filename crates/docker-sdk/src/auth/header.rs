//! The headers that carry credentials to the engine: `X-Registry-Auth` (one
//! registry's, for pull, push, plugins and services) and
//! `X-Registry-Config` (every registry's, for build).
//!
//! Both are JSON in URL-safe base64 with its `=` padding, as the engine
//! decodes them (Go's `base64.URLEncoding`) and as docker-py
//! (`base64.urlsafe_b64encode`) and the CLI encode them.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE;
use serde_json::{Map, Value};

use super::AuthConfig;

/// The name of the header carrying one registry's credentials.
pub const AUTH_HEADER: &str = "X-Registry-Auth";

/// The name of the header carrying every registry's credentials, for builds.
pub const CONFIG_HEADER: &str = "X-Registry-Config";

/// `X-Registry-Auth`: the credentials as the engine's `AuthConfig` JSON
/// (`username`, `password`, `email`, `serveraddress`, `identitytoken`,
/// `registrytoken`, each left out when empty, as the CLI's `omitempty`
/// does), in URL-safe base64.
///
/// ```
/// use docker_sdk::auth::{AuthConfig, encode_auth_header};
///
/// let auth = AuthConfig::new("sakuya", "izayoi");
/// assert_eq!(encode_auth_header(&auth), "eyJwYXNzd29yZCI6Iml6YXlvaSIsInVzZXJuYW1lIjoic2FrdXlhIn0=");
/// ```
pub fn encode_auth_header(auth: &AuthConfig) -> String {
    encode(&Value::Object(auth_json(auth)))
}

/// `X-Registry-Config`: a map of registry keys to credentials, each as in
/// [`encode_auth_header`], in URL-safe base64. See
/// [`registry_config`](super::registry_config) for the map docker-py sends.
pub fn encode_registry_config(configs: &BTreeMap<String, AuthConfig>) -> String {
    let map: Map<String, Value> = configs
        .iter()
        .map(|(registry, auth)| (registry.clone(), Value::Object(auth_json(auth))))
        .collect();
    encode(&Value::Object(map))
}

fn encode(value: &Value) -> String {
    URL_SAFE.encode(value.to_string())
}

/// The engine's `AuthConfig` JSON: the only place secrets are exposed.
fn auth_json(auth: &AuthConfig) -> Map<String, Value> {
    let fields = [
        ("username", auth.username.as_deref()),
        ("password", auth.password.as_ref().map(|s| s.expose())),
        ("email", auth.email.as_deref()),
        ("serveraddress", auth.server_address.as_deref()),
        ("identitytoken", auth.identity_token.as_ref().map(|s| s.expose())),
        ("registrytoken", auth.registry_token.as_ref().map(|s| s.expose())),
    ];
    fields
        .into_iter()
        .filter_map(|(key, value)| {
            value
                .filter(|v| !v.is_empty())
                .map(|v| (key.to_owned(), Value::String(v.to_owned())))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use base64::engine::general_purpose::STANDARD;

    use super::*;
    use crate::secret::Secret;

    fn decode(header: &str) -> Value {
        let bytes = URL_SAFE.decode(header).unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    fn full() -> AuthConfig {
        AuthConfig {
            username: Some("sakuya".into()),
            password: Some(Secret::from("izayoi")),
            email: Some("sakuya@scarlet.net".into()),
            server_address: Some("https://index.docker.io/v1/".into()),
            identity_token: Some(Secret::from("1ce1cebb-503e")),
            registry_token: Some(Secret::from("rt")),
        }
    }

    #[test]
    fn auth_headers_decode_to_the_engines_json() {
        let cases: Vec<(&str, AuthConfig, Value)> = vec![
            ("empty", AuthConfig::default(), serde_json::json!({})),
            (
                "user and password",
                AuthConfig::new("sakuya", "izayoi"),
                serde_json::json!({"username": "sakuya", "password": "izayoi"}),
            ),
            (
                "every field",
                full(),
                serde_json::json!({
                    "username": "sakuya",
                    "password": "izayoi",
                    "email": "sakuya@scarlet.net",
                    "serveraddress": "https://index.docker.io/v1/",
                    "identitytoken": "1ce1cebb-503e",
                    "registrytoken": "rt",
                }),
            ),
            (
                "empty strings are left out",
                AuthConfig {
                    username: Some(String::new()),
                    password: Some(Secret::from("")),
                    email: Some(String::new()),
                    identity_token: Some(Secret::from("tok")),
                    ..AuthConfig::default()
                },
                serde_json::json!({"identitytoken": "tok"}),
            ),
            (
                "unicode",
                AuthConfig::new("sakuyaæ", "izayoiæ"),
                serde_json::json!({"username": "sakuyaæ", "password": "izayoiæ"}),
            ),
        ];
        for (case, auth, expected) in cases {
            assert_eq!(decode(&encode_auth_header(&auth)), expected, "{case}");
        }
    }

    #[test]
    fn headers_use_the_url_safe_alphabet_with_padding() {
        // docker-py's regression test 803: this password makes `/` in
        // standard base64.
        let cases = [
            AuthConfig::new("root", "GR?XGR?XGR?XGR?X"),
            AuthConfig::new("a", ">>>???>>>"),
            AuthConfig::new("u", "~~~~~~"),
        ];
        for auth in cases {
            let header = encode_auth_header(&auth);
            let json = Value::Object(auth_json(&auth)).to_string();
            let standard = STANDARD.encode(&json);
            assert!(standard.contains(['+', '/']), "{standard} tests nothing");
            assert!(!header.contains(['+', '/']), "{header}");
            assert_eq!(header, standard.replace('+', "-").replace('/', "_"));
            assert_eq!(header.len() % 4, 0, "padding is kept: {header}");
        }
        // `{"username":"a"}` is 16 bytes: base64 needs padding.
        let padded = encode_auth_header(&AuthConfig {
            username: Some("a".into()),
            ..AuthConfig::default()
        });
        assert!(padded.ends_with('='), "{padded}");
    }

    #[test]
    fn registry_configs_map_every_registry() {
        let configs = BTreeMap::from([
            (
                "https://index.docker.io/v1/".to_owned(),
                AuthConfig::new("sakuya", "izayoi"),
            ),
            (
                "localhost:5000".to_owned(),
                AuthConfig {
                    identity_token: Some(Secret::from("tok")),
                    server_address: Some("localhost:5000".into()),
                    ..AuthConfig::default()
                },
            ),
        ]);
        let expected = serde_json::json!({
            "https://index.docker.io/v1/": {"username": "sakuya", "password": "izayoi"},
            "localhost:5000": {"identitytoken": "tok", "serveraddress": "localhost:5000"},
        });
        assert_eq!(decode(&encode_registry_config(&configs)), expected);
        assert_eq!(
            decode(&encode_registry_config(&BTreeMap::new())),
            serde_json::json!({})
        );
    }
}
