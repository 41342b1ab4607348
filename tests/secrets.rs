//! Secrets never show: no password, token or key appears in the `Debug` of
//! any public type that holds one (the raw models, their builders and the
//! request builders of every API version, and the facade's types), nor in
//! an error message or a log line of a real login that fails.

use std::fmt::Debug;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use serde::de::DeserializeOwned;
use serde_json::json;

use docker_sdk::Error;
use docker_sdk::auth::AuthConfig;
use docker_sdk_tests::registry::LocalRegistry;

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// The secret planted everywhere; the tests look for it, and for its
/// base64 forms, in everything that is printed.
const SECRET: &str = "Hunter2-s3cr3t";

/// The ways a secret can leak: as itself, or base64-encoded inside a
/// `user:password` pair or an `X-Registry-Auth` header.
fn leaks(text: &str) -> Option<&'static str> {
    let engines = [
        base64::engine::general_purpose::STANDARD,
        base64::engine::general_purpose::URL_SAFE,
    ];
    if text.contains(SECRET) {
        return Some("the secret itself");
    }
    let in_pair = engines
        .iter()
        .any(|e| text.contains(&e.encode(format!("user:{SECRET}"))));
    let in_json = engines
        .iter()
        .any(|e| text.contains(e.encode(SECRET).trim_end_matches('=')));
    match (in_pair, in_json) {
        (true, _) => Some("base64 of user:secret"),
        (_, true) => Some("the secret in base64"),
        _ => None,
    }
}

fn assert_hidden(what: &str, text: &str) {
    if let Some(how) = leaks(text) {
        panic!("{what} shows {how}:\n{text}");
    }
}

/// The `Debug` of a `T` decoded from `json`, checked to hide the secret
/// and to show `visible` (so the check is not passing on an empty print).
fn debug_of<T: DeserializeOwned + Debug>(what: &str, json: serde_json::Value, visible: &str) -> T {
    let value: T = serde_json::from_value(json).unwrap_or_else(|e| panic!("{what}: {e}"));
    let text = format!("{value:?}");
    assert_hidden(what, &text);
    assert!(
        text.contains("<redacted>"),
        "{what} marks nothing redacted:\n{text}"
    );
    assert!(text.contains(visible), "{what} hides {visible:?} too:\n{text}");
    value
}

fn debug_hides(what: &str, value: &impl Debug) {
    let text = format!("{value:?}");
    assert_hidden(what, &text);
    assert!(
        text.contains("<redacted>"),
        "{what} marks nothing redacted:\n{text}"
    );
}

/// One test per API version: every model, model builder and request
/// builder that holds a secret.
macro_rules! raw_version {
    ($test:ident, $module:ident, $auth_response:ident) => {
        #[test]
        fn $test() {
            use docker_engine_api::$module::{Client, types};

            let auth: types::AuthConfig = debug_of(
                "AuthConfig",
                json!({ "username": "user", "password": SECRET, "serveraddress": "registry.test" }),
                "registry.test",
            );
            debug_hides("builder::AuthConfig", &types::builder::AuthConfig::from(auth.clone()));
            debug_of::<types::$auth_response>(
                stringify!($auth_response),
                json!({ "Status": "Login Succeeded", "IdentityToken": SECRET }),
                "Login Succeeded",
            );
            let join: types::SwarmJoinRequest = debug_of(
                "SwarmJoinRequest",
                json!({ "JoinToken": SECRET, "ListenAddr": "0.0.0.0:2377", "RemoteAddrs": ["10.0.0.1:2377"] }),
                "10.0.0.1:2377",
            );
            let unlock: types::SwarmUnlockRequest =
                debug_of("SwarmUnlockRequest", json!({ "UnlockKey": SECRET }), "SwarmUnlockRequest");
            debug_of::<types::UnlockKeyResponse>("UnlockKeyResponse", json!({ "UnlockKey": SECRET }), "UnlockKey");
            let tokens: types::JoinTokens =
                debug_of("JoinTokens", json!({ "Worker": SECRET, "Manager": SECRET }), "JoinTokens");
            debug_hides("builder::JoinTokens", &types::builder::JoinTokens::from(tokens));
            let spec: types::SecretSpec =
                debug_of("SecretSpec", json!({ "Name": "db-password", "Data": SECRET }), "db-password");
            debug_hides("builder::SecretSpec", &types::builder::SecretSpec::from(spec.clone()));
            debug_of::<types::SwarmSpecCaConfig>(
                "SwarmSpecCaConfig",
                json!({ "SigningCACert": "a certificate", "SigningCAKey": SECRET }),
                "a certificate",
            );

            let client = Client::connect_http("http://localhost").expect("a client");
            debug_hides("system_auth", &client.system_auth().body(auth));
            debug_hides("swarm_join", &client.swarm_join().body(join));
            debug_hides("swarm_unlock", &client.swarm_unlock().body(unlock));
            debug_hides("secret_create", &client.secret_create().body(spec));
            debug_hides("image_create", &client.image_create().x_registry_auth(SECRET));
            debug_hides("image_push", &client.image_push().name("app").x_registry_auth(SECRET));
            debug_hides("image_build", &client.image_build().x_registry_config(SECRET));
            debug_hides("plugin_pull", &client.plugin_pull().x_registry_auth(SECRET));
            debug_hides("service_create", &client.service_create().x_registry_auth(SECRET));
        }
    };
}

raw_version!(raw_v1_41, v1_41, SystemAuthResponse);
raw_version!(raw_v1_42, v1_42, SystemAuthResponse);
raw_version!(raw_v1_43, v1_43, SystemAuthResponse);
raw_version!(raw_v1_44, v1_44, SystemAuthResponse);
raw_version!(raw_v1_45, v1_45, SystemAuthResponse);
raw_version!(raw_v1_46, v1_46, SystemAuthResponse);
raw_version!(raw_v1_47, v1_47, SystemAuthResponse);
raw_version!(raw_v1_48, v1_48, SystemAuthResponse);
raw_version!(raw_v1_49, v1_49, SystemAuthResponse);
raw_version!(raw_v1_50, v1_50, SystemAuthResponse);
raw_version!(raw_v1_51, v1_51, SystemAuthResponse);
raw_version!(raw_v1_52, v1_52, AuthResponse);
raw_version!(raw_v1_53, v1_53, AuthResponse);
raw_version!(raw_v1_54, v1_54, AuthResponse);
raw_version!(raw_v1_55, v1_55, AuthResponse);

#[test]
fn facade_types_hide_secrets() -> TestResult {
    let mut auth = AuthConfig::new("user", SECRET);
    auth.identity_token = Some(SECRET.into());
    auth.registry_token = Some(SECRET.into());
    debug_hides("AuthConfig", &auth);

    // A config file with the secret in `auth`, in `identitytoken`, and in
    // a proxy setting; parsed, then printed.
    let pair = base64::engine::general_purpose::STANDARD.encode(format!("user:{SECRET}"));
    let config = json!({
        "auths": {
            "registry.test": { "auth": pair },
            "other.test": { "identitytoken": SECRET },
        },
        "proxies": { "default": { "httpProxy": format!("http://user:{SECRET}@proxy.test:3128") } },
    });
    let file = docker_sdk::auth::ConfigFile::parse(&config.to_string(), Path::new("config.json"))?;
    debug_hides("ConfigFile", &file);

    let secret = docker_sdk::Secret::from(SECRET);
    assert_eq!(format!("{secret:?} {secret}"), "<redacted> <redacted>");
    Ok(())
}

#[test]
fn config_file_errors_hide_secrets() {
    // `auth` whose decoded text has no colon, or is not base64 at all: the
    // outcome, an error or a file, shows neither.
    let no_colon = base64::engine::general_purpose::STANDARD.encode(SECRET);
    for auth in [no_colon, format!("{SECRET}!!"), format!("user:{SECRET}")] {
        let config = json!({ "auths": { "registry.test": { "auth": auth } } });
        match docker_sdk::auth::ConfigFile::parse(&config.to_string(), Path::new("config.json")) {
            Ok(file) => assert_hidden("ConfigFile", &format!("{file:?}")),
            Err(error) => assert_hidden("the error", &format!("{error} {error:?}")),
        }
    }
}

/// Everything written to the tracing subscriber, at every level.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_failed_login_and_push_log_no_secret() -> TestResult {
    let registry =
        tokio::task::spawn_blocking(|| LocalRegistry::start(Some(("user", "the-right-one")))).await??;
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let docker = docker_sdk_tests::docker();
    let login = docker
        .login("user")
        .password(SECRET)
        .registry(registry.address())
        .send()
        .await;
    let error = login.err().ok_or("a wrong password was accepted")?;
    assert!(
        matches!(
            error,
            Error::Api { status: 401, .. } | Error::Api { status: 500, .. }
        ),
        "{error:?}"
    );
    assert_hidden("the login error's Display", &error.to_string());
    assert_hidden("the login error's Debug", &format!("{error:?}"));

    let push = docker
        .images()
        .push(format!("{}/never-built", registry.address()))
        .auth_config(AuthConfig::new("user", SECRET))
        .send()
        .await;
    if let Err(error) = push {
        assert_hidden("the push error", &format!("{error} {error:?}"));
    }

    let log = String::from_utf8_lossy(&captured.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned();
    assert!(
        log.contains("docker"),
        "the subscriber saw none of the client's spans:\n{log}"
    );
    assert_hidden("the trace log", &log);
    Ok(())
}
