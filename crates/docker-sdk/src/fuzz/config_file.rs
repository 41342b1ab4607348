//! `config.json` and the legacy `.dockercfg`: `ConfigFile::parse`, and
//! the lookups made on what it read.

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Map, Value, json};

use super::{Refusal, check_refusal, ensure, text_of};
use crate::Secret;
use crate::auth::ConfigFile;

/// In every generated password: no error message may show it.
const PASSWORD: &str = "Pa55w0rd";

#[derive(Clone, Debug)]
enum Input {
    /// Any text.
    Text(String),
    /// A JSON document with the file's keys, holding values of any type.
    Json(Value),
    /// Credentials for registries, written as the CLI writes them.
    Logins(Vec<Login>, bool),
}

#[derive(Clone, Debug)]
struct Login {
    registry: String,
    user: String,
    password: String,
}

fn registry_key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("https://index.docker.io/v1/".to_owned()),
        Just("docker.io".to_owned()),
        "[a-z]{1,6}(\\.[a-z]{1,3})?(:[0-9]{2,4})?",
        "https?://[a-z]{1,6}\\.[a-z]{2}(/v[12]/)?",
    ]
}

fn password() -> impl Strategy<Value = String> {
    // `:` may be in a password; NULs at its ends are trimmed by design.
    "[a-zA-Z0-9:!=+/ ]{0,6}".prop_map(|p| format!("{p}{PASSWORD}"))
}

/// Any JSON value, small: a wrong type wherever the file has a value.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        text_of("ab:=+/", 8).prop_map(Value::from),
        password().prop_map(|p| Value::from(STANDARD.encode(format!("user:{p}")))),
    ];
    leaf.prop_recursive(2, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::from),
            prop::collection::btree_map("[a-z]{1,4}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// An `auths` entry, with good and bad fields.
fn entry() -> impl Strategy<Value = Value> {
    let auth = prop_oneof![
        (text_of("abc:", 6), password())
            .prop_map(|(user, p)| Value::from(STANDARD.encode(format!("{user}:{p}")))),
        password().prop_map(|p| Value::from(STANDARD.encode(p))),
        password().prop_map(|p| Value::from(
            STANDARD
                .encode(format!("user:{p}"))
                .trim_end_matches('=')
                .to_owned()
        )),
        prop::collection::vec(any::<u8>(), 0..12).prop_map(|b| Value::from(STANDARD.encode(b))),
        text_of("QWERTYuiop=+/ ", 12).prop_map(Value::from),
        any_json(),
    ];
    let field = |value: BoxedStrategy<Value>| prop::option::of(value);
    (
        field(auth.boxed()),
        field(prop_oneof![text_of("ab", 4).prop_map(Value::from), any_json()].boxed()),
        field(prop_oneof![password().prop_map(Value::from), any_json()].boxed()),
        field(any_json().boxed()),
    )
        .prop_map(|(auth, username, password, token)| {
            let mut entry = Map::new();
            for (key, value) in [
                ("auth", auth),
                ("username", username),
                ("password", password),
                ("identitytoken", token),
            ] {
                if let Some(value) = value {
                    entry.insert(key.to_owned(), value);
                }
            }
            Value::Object(entry)
        })
}

fn document() -> impl Strategy<Value = Value> {
    let auths = prop_oneof![
        4 => prop::collection::btree_map(registry_key(), prop_oneof![4 => entry(), 1 => any_json()], 0..3)
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        1 => any_json(),
    ];
    let helper = prop_oneof![
        prop::sample::select(vec!["desktop", "", "../evil", "a\\b", "pass"]).prop_map(Value::from),
        any_json(),
    ];
    let helpers = prop_oneof![
        prop::collection::btree_map(registry_key(), helper.clone(), 0..3)
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        any_json(),
    ];
    let proxies = prop_oneof![
        prop::collection::btree_map(
            prop::sample::select(vec!["default", "tcp://docker:2376"]),
            prop_oneof![
                (any_json(), any_json()).prop_map(|(http, no)| json!({"httpProxy": http, "noProxy": no})),
                any_json(),
            ],
            0..2
        )
        .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        any_json(),
    ];
    let keyed = (
        prop::option::of(auths),
        prop::option::of(helper),
        prop::option::of(helpers),
        prop::option::of(proxies),
    )
        .prop_map(|(auths, store, helpers, proxies)| {
            let mut top = Map::new();
            for (key, value) in [
                ("auths", auths),
                ("credsStore", store),
                ("credHelpers", helpers),
                ("proxies", proxies),
            ] {
                if let Some(value) = value {
                    top.insert(key.to_owned(), value);
                }
            }
            Value::Object(top)
        });
    // The legacy flat format: registries at the top.
    let flat = prop::collection::btree_map(registry_key(), entry(), 0..3)
        .prop_map(|m| Value::Object(m.into_iter().collect()));
    prop_oneof![4 => keyed, 1 => flat, 1 => any_json()]
}

fn strategy() -> impl Strategy<Value = Input> {
    let login =
        (registry_key(), "[a-zA-Z0-9_.@-]{1,8}", password()).prop_map(|(registry, user, password)| Login {
            registry,
            user,
            password,
        });
    prop_oneof![
        text_of("{}[]\":,auths=\n email", 40).prop_map(Input::Text),
        (password(), text_of("=\n ", 3)).prop_map(|(p, noise)| {
            let auth = STANDARD.encode(format!("me:{p}"));
            Input::Text(format!("auth = {auth}{noise}\nemail{noise}= me@example.com\n"))
        }),
        document().prop_map(Input::Json),
        (prop::collection::vec(login, 1..4), any::<bool>())
            .prop_map(|(logins, legacy)| Input::Logins(logins, legacy)),
    ]
}

/// Parses `text`; a refusal must be a config error that shows no password.
fn parse(text: &str) -> Result<Option<ConfigFile>, TestCaseError> {
    match ConfigFile::parse(text, Path::new("/home/me/.docker/config.json")) {
        Ok(config) => Ok(Some(config)),
        Err(error) => {
            check_refusal(&error, Refusal::Config)?;
            let message = error.to_string();
            ensure!(
                !message.contains(PASSWORD),
                "the message shows a password: {message}"
            );
            Ok(None)
        }
    }
}

fn property(input: Input) -> Result<(), TestCaseError> {
    match input {
        Input::Text(text) => {
            if let Some(config) = parse(&text)? {
                lookups(&config);
            }
        }
        Input::Json(document) => {
            for text in [
                document.to_string(),
                serde_json::to_string_pretty(&document).unwrap_or_default(),
            ] {
                if let Some(config) = parse(&text)? {
                    lookups(&config);
                    ensure!(
                        !format!("{config:?}").contains(PASSWORD),
                        "Debug shows a password: {config:?}"
                    );
                }
            }
        }
        Input::Logins(logins, legacy) => {
            if legacy {
                // `.dockercfg` in text: Docker Hub's credentials only.
                let login = &logins[0];
                let auth = STANDARD.encode(format!("{}:{}", login.user, login.password));
                let text = format!("auth = {auth}\nemail = me@example.com\n");
                let config = parse(&text)?.ok_or_else(|| TestCaseError::fail(format!("{text:?} refused")))?;
                let entry = config.auth_entry("docker.io");
                ensure!(
                    entry.is_some_and(|e| e.username.as_deref() == Some(login.user.as_str())
                        && e.password.as_ref().map(Secret::expose) == Some(login.password.as_str())),
                    "{text:?} gave {entry:?}"
                );
                return Ok(());
            }
            let auths: Map<String, Value> = logins
                .iter()
                .map(|l| {
                    let auth = STANDARD.encode(format!("{}:{}", l.user, l.password));
                    (l.registry.clone(), json!({ "auth": auth }))
                })
                .collect();
            let text = json!({ "auths": auths }).to_string();
            let config = parse(&text)?.ok_or_else(|| TestCaseError::fail(format!("{text:?} refused")))?;
            // A later login for the same key replaces the earlier one.
            let last: BTreeMap<&str, &Login> = logins.iter().map(|l| (l.registry.as_str(), l)).collect();
            for (registry, login) in last {
                let entry = config.auths().get(registry);
                ensure!(
                    entry.is_some_and(|e| e.username.as_deref() == Some(login.user.as_str())
                        && e.password.as_ref().map(Secret::expose) == Some(login.password.as_str())),
                    "{login:?} read back as {entry:?}"
                );
                ensure!(
                    config.auth_entry(registry).is_some(),
                    "no entry found for {registry:?} in {text}"
                );
            }
        }
    }
    Ok(())
}

/// The lookups made on a file read: they take any registry.
fn lookups(config: &ConfigFile) {
    for registry in [
        "",
        "docker.io",
        "https://index.docker.io/v1/",
        "localhost:5000",
        "a/b",
        "://",
    ] {
        let _ = config.auth_entry(registry);
        let _ = config.credential_store(registry);
    }
    let _ = config.proxy_environment(Some("tcp://docker:2376"));
}

#[test]
fn run() {
    super::run("config_file", strategy(), property);
}
