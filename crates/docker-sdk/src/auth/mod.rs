//! Registry credentials, found as docker-py finds them: in `config.json` (or
//! the legacy `.dockercfg`), through credential helpers, and sent to the
//! engine in the `X-Registry-Auth` and `X-Registry-Config` headers.
//!
//! For one registry ([`resolve_auth`], docker-py's `resolve_authconfig`):
//!
//! 1. the helper configured for it (`credHelpers`, else `credsStore`) is
//!    asked, with [`INDEX_URL`] for Docker Hub and the host otherwise;
//! 2. when there is none, or it holds nothing for the registry, the
//!    `auths` entry naming the same host is used;
//! 3. else there are no credentials, and the engine goes anonymously.
//!
//! ```no_run
//! # async fn example() -> docker_sdk::Result<()> {
//! use std::collections::HashMap;
//! use docker_sdk::Environment;
//! use docker_sdk::auth::{encode_auth_header, resolve_auth};
//! use docker_sdk::reference::ImageReference;
//!
//! let image = ImageReference::parse("registry.example.com/team/app:1.0")?;
//! let env = Environment::from_process();
//! if let Some(auth) = resolve_auth(&env, None, &HashMap::new(), image.registry()).await? {
//!     let header = encode_auth_header(&auth); // X-Registry-Auth
//!     # let _ = header;
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Reading the configuration file is blocking file I/O of a small file, done
//! in place; helpers run as child processes under tokio.

mod config_file;
mod credential_helper;
mod header;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::Duration;

pub use config_file::{ConfigFile, ProxyConfig, find_config_file};
pub use credential_helper::{CredentialHelper, DEFAULT_HELPER_TIMEOUT};
pub use header::{AUTH_HEADER, CONFIG_HEADER, encode_auth_header, encode_registry_config};

use crate::config::Environment;
use crate::error::Result;
pub use crate::reference::{INDEX_NAME, INDEX_URL};
use crate::reference::{normalise_registry, registry_key};
use crate::secret::Secret;

/// Credentials for one registry, as the engine takes them.
///
/// `Debug` shows the password and tokens as `<redacted>`; only
/// [`encode_auth_header`] puts them in clear.
///
/// ```
/// use docker_sdk::auth::AuthConfig;
///
/// let auth = AuthConfig::new("sakuya", "izayoi");
/// assert!(!format!("{auth:?}").contains("izayoi"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuthConfig {
    /// The user name.
    pub username: Option<String>,
    /// The password (or a personal access token).
    pub password: Option<Secret>,
    /// An e-mail address, kept for old registries.
    pub email: Option<String>,
    /// The registry these credentials are for, as its key was written.
    pub server_address: Option<String>,
    /// A token the registry gave at login, used instead of the password.
    pub identity_token: Option<Secret>,
    /// A bearer token for the registry itself.
    pub registry_token: Option<Secret>,
}

impl AuthConfig {
    /// A user name and password.
    pub fn new(username: impl Into<String>, password: impl Into<Secret>) -> Self {
        AuthConfig {
            username: Some(username.into()),
            password: Some(password.into()),
            ..AuthConfig::default()
        }
    }

    /// Whether these hold anything to authenticate with: a user name, a
    /// password or a token (an entry of `auths` can be `{}`).
    pub fn has_credentials(&self) -> bool {
        let set = |value: Option<&str>| value.is_some_and(|v| !v.is_empty());
        set(self.username.as_deref())
            || set(self.password.as_ref().map(Secret::expose))
            || set(self.identity_token.as_ref().map(Secret::expose))
            || set(self.registry_token.as_ref().map(Secret::expose))
    }
}

/// The credentials for `registry` (a host, `host:port`, a URL such as
/// `https://index.docker.io/v1/`, or `""` for Docker Hub), from the config
/// file [`find_config_file`] finds and the helpers it names, which run
/// with `credstore_env` in their environment and [`DEFAULT_HELPER_TIMEOUT`].
/// `None` when nothing is known for it.
///
/// # Errors
///
/// [`crate::Error::Config`] when the config file is unreadable or
/// malformed, or a helper fails (see [`CredentialHelper::get`]).
pub async fn resolve_auth(
    env: &Environment,
    dockercfg_path: Option<&Path>,
    credstore_env: &HashMap<String, String>,
    registry: &str,
) -> Result<Option<AuthConfig>> {
    let config = ConfigFile::load(env, dockercfg_path)?;
    resolve_in(&config, registry, credstore_env, DEFAULT_HELPER_TIMEOUT).await
}

/// The credentials of every registry the config file knows, for a build's
/// `X-Registry-Config`, as docker-py's `_set_auth_headers` gathers them
/// (see [`registry_config_in`]).
///
/// # Errors
///
/// As [`resolve_auth`].
pub async fn registry_config(
    env: &Environment,
    dockercfg_path: Option<&Path>,
    credstore_env: &HashMap<String, String>,
) -> Result<BTreeMap<String, AuthConfig>> {
    let config = ConfigFile::load(env, dockercfg_path)?;
    registry_config_in(&config, credstore_env, DEFAULT_HELPER_TIMEOUT).await
}

/// [`resolve_auth`] on a loaded config file, with helpers given `timeout`.
///
/// # Errors
///
/// [`crate::Error::Config`] when a helper fails.
pub async fn resolve_in(
    config: &ConfigFile,
    registry: &str,
    credstore_env: &HashMap<String, String>,
    timeout: Duration,
) -> Result<Option<AuthConfig>> {
    if let Some(store) = config.credential_store(registry) {
        let key = registry_key(registry);
        let helper = CredentialHelper::new(store).env(credstore_env).timeout(timeout);
        if let Some(auth) = helper.get(&key).await? {
            return Ok(Some(auth));
        }
    }
    Ok(config
        .auth_entry(registry)
        .filter(|auth| auth.has_credentials())
        .cloned())
}

/// [`registry_config`] on a loaded config file, with helpers given
/// `timeout`:
///
/// * every `auths` entry, under its key as written: from `credsStore` when
///   one is set and holds it (the CLI writes empty entries beside a store),
///   else the entry itself;
/// * every `credHelpers` registry, from its helper only: it wins over the
///   store and `auths` (an entry it holds nothing for is left out, where
///   docker-py sends `null`);
/// * entries from helpers also under their bare host, and Docker Hub's also
///   under [`INDEX_URL`] (docker-py's fix for its issue 1683);
/// * registries without credentials left out.
///
/// # Errors
///
/// [`crate::Error::Config`] when a helper fails.
pub async fn registry_config_in(
    config: &ConfigFile,
    credstore_env: &HashMap<String, String>,
    timeout: Duration,
) -> Result<BTreeMap<String, AuthConfig>> {
    let helper = |name: &str| CredentialHelper::new(name).env(credstore_env).timeout(timeout);
    let mut all = BTreeMap::new();
    for (key, entry) in config.auths() {
        // Registries with their own helper are asked below, and only it.
        if config.cred_helpers().contains_key(key) {
            continue;
        }
        if let Some(store) = config.creds_store()
            && let Some(auth) = helper(store).get(key).await?
        {
            all.insert(host_of(key).to_owned(), auth.clone());
            all.insert(key.clone(), auth);
            continue;
        }
        if entry.has_credentials() {
            all.insert(key.clone(), entry.clone());
        }
    }
    for (key, name) in config.cred_helpers() {
        if let Some(auth) = helper(name).get(key).await? {
            all.insert(host_of(key).to_owned(), auth.clone());
            all.insert(key.clone(), auth);
        }
    }
    // docker-py issue 1683: the engine looks Docker Hub up by its URL only.
    if !all.contains_key(INDEX_URL) {
        let hub = all
            .get(INDEX_NAME)
            .or_else(|| {
                all.iter()
                    .find(|(key, _)| normalise_registry(key) == INDEX_NAME)
                    .map(|(_, auth)| auth)
            })
            .cloned();
        if let Some(hub) = hub {
            all.insert(INDEX_URL.to_owned(), hub);
        }
    }
    Ok(all)
}

/// docker-py's `convert_to_hostname`: the key without scheme or path, Docker
/// Hub's names left as they are.
fn host_of(key: &str) -> &str {
    let without_scheme = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    without_scheme.split('/').next().unwrap_or_default()
}

#[cfg(all(test, unix))]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;

    use super::credential_helper::fixtures::{SECRET, env as helper_env};
    use super::*;
    use crate::error::Error;

    const TIMEOUT: Duration = Duration::from_secs(10);

    fn config(text: &str) -> ConfigFile {
        ConfigFile::parse(text, Path::new("/cfg/config.json")).unwrap()
    }

    fn auth_b64(user: &str, password: &str) -> String {
        STANDARD.encode(format!("{user}:{password}"))
    }

    /// `user/password/token@server`, `-` for none.
    fn short(auth: Option<&AuthConfig>) -> String {
        let Some(auth) = auth else {
            return "none".to_owned();
        };
        let secret = |s: &Option<Secret>| s.as_ref().map_or("-".to_owned(), |s| s.expose().to_owned());
        format!(
            "{}/{}/{}@{}",
            auth.username.as_deref().unwrap_or("-"),
            secret(&auth.password),
            secret(&auth.identity_token),
            auth.server_address.as_deref().unwrap_or("-"),
        )
    }

    #[tokio::test]
    async fn registries_resolve_through_helpers_then_auths() {
        let index = auth_b64("indexuser", "indexpass");
        let private = auth_b64("privateuser", "privatepass");
        let auths = format!(
            r#""auths": {{"https://index.docker.io/v1/": {{"auth": "{index}"}}, "my.registry.net": {{"auth": "{private}"}}, "empty.io": {{}}}}"#
        );
        let answer = |server: &str| format!("sakuya/{SECRET}/-@{server}");
        let token = |server: &str| format!("-/-/{SECRET}@{server}");
        let cases: Vec<(&str, String, &str, String)> = vec![
            // No helpers: the auths entry.
            (
                "auths only",
                format!("{{{auths}}}"),
                "",
                "indexuser/indexpass/-@https://index.docker.io/v1/".into(),
            ),
            (
                "auths only",
                format!("{{{auths}}}"),
                "https://my.registry.net/v1/",
                "privateuser/privatepass/-@my.registry.net".into(),
            ),
            ("auths only", format!("{{{auths}}}"), "other.io", "none".into()),
            (
                "an empty entry is no credentials",
                format!("{{{auths}}}"),
                "empty.io",
                "none".into(),
            ),
            // A store that answers wins, asked with the index URL for Docker Hub and the host otherwise.
            (
                "store",
                format!(r#"{{{auths}, "credsStore": "answers"}}"#),
                "docker.io",
                answer(INDEX_URL),
            ),
            (
                "store",
                format!(r#"{{{auths}, "credsStore": "answers"}}"#),
                "index.docker.io",
                answer(INDEX_URL),
            ),
            (
                "store",
                format!(r#"{{{auths}, "credsStore": "answers"}}"#),
                "http://localhost:5000/v2/",
                answer("localhost:5000"),
            ),
            // A store without credentials falls back to auths (docker-py's
            // test_resolve_auth_with_empty_credstore_and_auth_dict).
            (
                "store without credentials",
                format!(r#"{{{auths}, "credsStore": "notfound"}}"#),
                "",
                "indexuser/indexpass/-@https://index.docker.io/v1/".into(),
            ),
            (
                "store without credentials",
                format!(r#"{{{auths}, "credsStore": "blank"}}"#),
                "other.io",
                "none".into(),
            ),
            // A registry's helper comes before the store.
            (
                "helper",
                format!(r#"{{{auths}, "credsStore": "notfound", "credHelpers": {{"quay.io": "token"}}}}"#),
                "quay.io",
                token("quay.io"),
            ),
            (
                "helper",
                format!(r#"{{{auths}, "credsStore": "notfound", "credHelpers": {{"quay.io": "token"}}}}"#),
                "my.registry.net",
                "privateuser/privatepass/-@my.registry.net".into(),
            ),
            (
                "helper for Docker Hub",
                r#"{"credHelpers": {"https://index.docker.io/v1/": "token"}}"#.into(),
                "",
                token(INDEX_URL),
            ),
        ];
        let credstore_env = helper_env(&[]);
        for (case, text, registry, expected) in cases {
            let found = resolve_in(&config(&text), registry, &credstore_env, TIMEOUT)
                .await
                .unwrap_or_else(|e| panic!("{case} {registry:?}: {e}"));
            assert_eq!(short(found.as_ref()), expected, "{case} {registry:?}");
            assert!(!format!("{found:?}").contains(SECRET), "{case}");
        }
    }

    #[tokio::test]
    async fn helper_failures_are_errors_not_anonymous_pulls() {
        let cases = [
            (r#"{"credsStore": "fails"}"#, "exited with status 3"),
            (
                r#"{"credsStore": "absent"}"#,
                "docker-credential-absent is not installed",
            ),
            (r#"{"credHelpers": {"docker.io": "garbage"}}"#, "not credentials"),
        ];
        for (text, needle) in cases {
            match resolve_in(&config(text), "docker.io", &helper_env(&[]), TIMEOUT).await {
                Err(Error::Config { message }) => {
                    assert!(message.contains(needle), "{text}: {message}");
                    assert!(!message.contains(SECRET), "{text}: {message}");
                }
                other => panic!("{text}: expected a config error, got {other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn resolve_auth_reads_the_config_the_environment_names() {
        let home = tempfile::tempdir().unwrap();
        let docker_dir = home.path().join(".docker");
        std::fs::create_dir_all(&docker_dir).unwrap();
        std::fs::write(
            docker_dir.join("config.json"),
            format!(r#"{{"auths": {{"localhost:5000": {{"auth": "{}"}}}}, "credHelpers": {{"quay.io": "answers"}}}}"#, auth_b64("me", "pw")),
        )
        .unwrap();
        let explicit = home.path().join("explicit.json");
        std::fs::write(
            &explicit,
            format!(
                r#"{{"auths": {{"localhost:5000": {{"auth": "{}"}}}}}}"#,
                auth_b64("other", "pw")
            ),
        )
        .unwrap();
        let env: Environment = [("HOME", home.path().display().to_string())]
            .into_iter()
            .collect();
        let credstore_env = helper_env(&[("FAKE_USER", "reimu")]);

        let cases: Vec<(Option<&Path>, &str, String)> = vec![
            (None, "localhost:5000", "me/pw/-@localhost:5000".into()),
            (None, "quay.io", format!("reimu/{SECRET}/-@quay.io")),
            (None, "docker.io", "none".into()),
            (
                Some(&explicit),
                "localhost:5000",
                "other/pw/-@localhost:5000".into(),
            ),
        ];
        for (dockercfg_path, registry, expected) in cases {
            let found = resolve_auth(&env, dockercfg_path, &credstore_env, registry)
                .await
                .unwrap();
            assert_eq!(short(found.as_ref()), expected, "{dockercfg_path:?} {registry}");
        }

        std::fs::write(docker_dir.join("config.json"), "{not json").unwrap();
        match resolve_auth(&env, None, &credstore_env, "docker.io").await {
            Err(Error::Config { message }) => assert!(message.contains("config.json"), "{message}"),
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    /// docker-py's `get_all_credentials` tests, with helpers instead of its
    /// in-memory store.
    #[tokio::test]
    async fn registry_configs_gather_every_registry() {
        let reimu = auth_b64("reimu", "hakurei");
        let answer = |server: &str| format!("sakuya/{SECRET}/-@{server}");
        type Entries<'a> = Vec<(&'a str, String)>;
        // (case, config.json, X-Registry-Config entries)
        let cases: Vec<(&str, String, Entries)> = vec![
            ("nothing", "{}".into(), vec![]),
            (
                "auths as written; empty entries left out; Docker Hub under its URL too",
                format!(r#"{{"auths": {{"docker.io": {{"auth": "{reimu}"}}, "registry1.io": {{"auth": "{reimu}"}}, "empty.io": {{}}}}}}"#),
                vec![
                    ("docker.io", "reimu/hakurei/-@docker.io".into()),
                    (INDEX_URL, "reimu/hakurei/-@docker.io".into()),
                    ("registry1.io", "reimu/hakurei/-@registry1.io".into()),
                ],
            ),
            (
                "the store holds the credentials of auths keys, also under their host",
                r#"{"auths": {"https://gensokyo.jp/v2": {}, "https://index.docker.io/v1/": {}}, "credsStore": "answers"}"#.into(),
                vec![
                    ("gensokyo.jp", answer("https://gensokyo.jp/v2")),
                    ("https://gensokyo.jp/v2", answer("https://gensokyo.jp/v2")),
                    (INDEX_URL, answer(INDEX_URL)),
                    ("index.docker.io", answer(INDEX_URL)),
                ],
            ),
            (
                "an entry the store lacks stays",
                format!(r#"{{"auths": {{"registry2.io": {{"auth": "{reimu}"}}}}, "credsStore": "notfound"}}"#),
                vec![("registry2.io", "reimu/hakurei/-@registry2.io".into())],
            ),
            (
                "helpers override; one without credentials is left out",
                format!(
                    r#"{{"auths": {{"registry1.io": {{"auth": "{reimu}"}}, "registry3.io": {{"auth": "{reimu}"}}}}, "credHelpers": {{"registry1.io": "token", "registry3.io": "notfound", "https://default.com/v2": "answers"}}}}"#
                ),
                vec![
                    ("default.com", answer("https://default.com/v2")),
                    ("https://default.com/v2", answer("https://default.com/v2")),
                    ("registry1.io", format!("-/-/{SECRET}@registry1.io")),
                ],
            ),
        ];
        let credstore_env = helper_env(&[]);
        for (case, text, expected) in cases {
            let all = registry_config_in(&config(&text), &credstore_env, TIMEOUT)
                .await
                .unwrap_or_else(|e| panic!("{case}: {e}"));
            let got: Vec<(&str, String)> = all.iter().map(|(k, a)| (k.as_str(), short(Some(a)))).collect();
            let mut expected = expected;
            expected.sort();
            assert_eq!(got, expected, "{case}");
        }
        match registry_config_in(
            &config(r#"{"credHelpers": {"r.io": "fails"}}"#),
            &credstore_env,
            TIMEOUT,
        )
        .await
        {
            Err(Error::Config { message }) => {
                assert!(message.contains("docker-credential-fails"), "{message}")
            }
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn registry_config_reads_the_config_the_environment_names() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("config.json"),
            format!(
                r#"{{"auths": {{"https://index.docker.io/v1/": {{"auth": "{}"}}}}}}"#,
                auth_b64("u", "p")
            ),
        )
        .unwrap();
        let env: Environment = [
            ("DOCKER_CONFIG", dir.path().display().to_string()),
            ("HOME", "/nonexistent".into()),
        ]
        .into_iter()
        .collect();
        let all = registry_config(&env, None, &HashMap::new()).await.unwrap();
        assert_eq!(all.keys().collect::<Vec<_>>(), [INDEX_URL]);
        let header = encode_registry_config(&all);
        let decoded: serde_json::Value =
            serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE.decode(header).unwrap())
                .unwrap();
        assert_eq!(
            decoded,
            serde_json::json!({INDEX_URL: {"username": "u", "password": "p", "serveraddress": INDEX_URL}})
        );
    }

    #[test]
    fn auth_configs_never_show_secrets() {
        let auth = AuthConfig {
            username: Some("sakuya".into()),
            password: Some(Secret::from(SECRET)),
            email: None,
            server_address: Some(INDEX_URL.into()),
            identity_token: Some(Secret::from(format!("{SECRET}-token"))),
            registry_token: Some(Secret::from(format!("{SECRET}-registry"))),
        };
        let shown = format!("{auth:?} {auth:#?}");
        assert!(!shown.contains(SECRET), "{shown}");
        assert!(
            shown.contains("sakuya") && shown.contains("<redacted>"),
            "{shown}"
        );
    }

    #[test]
    fn credentials_are_a_user_a_password_or_a_token() {
        let cases = [
            (AuthConfig::default(), false),
            (
                AuthConfig {
                    email: Some("a@b".into()),
                    server_address: Some("r.io".into()),
                    ..AuthConfig::default()
                },
                false,
            ),
            (
                AuthConfig {
                    username: Some(String::new()),
                    password: Some(Secret::from("")),
                    ..AuthConfig::default()
                },
                false,
            ),
            (AuthConfig::new("u", ""), true),
            (
                AuthConfig {
                    identity_token: Some(Secret::from("t")),
                    ..AuthConfig::default()
                },
                true,
            ),
            (
                AuthConfig {
                    registry_token: Some(Secret::from("t")),
                    ..AuthConfig::default()
                },
                true,
            ),
        ];
        for (auth, expected) in cases {
            assert_eq!(auth.has_credentials(), expected, "{auth:?}");
        }
    }
}
