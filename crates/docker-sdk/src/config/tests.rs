//! Environment resolution against a fake environment and a temporary config
//! directory, in the order the docker CLI and docker-py resolve.

use std::path::Path;

use super::*;
use crate::version::ApiVersion;

/// A temporary `~/.docker` with contexts written on demand.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn docker(&self) -> std::path::PathBuf {
        self.dir.path().join(".docker")
    }

    fn write(&self, relative: &str, contents: &str) {
        let path = self.docker().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }

    fn context(&self, name: &str, host: &str, skip_verify: bool, tls_files: &[&str]) {
        let id = super::context::tests_support::id(name);
        let meta = serde_json::json!({
            "Name": name,
            "Metadata": {},
            "Endpoints": { "docker": { "Host": host, "SkipTLSVerify": skip_verify } }
        });
        self.write(&format!("contexts/meta/{id}/meta.json"), &meta.to_string());
        for file in tls_files {
            self.write(&format!("contexts/tls/{id}/docker/{file}"), "pem");
        }
    }

    fn env(&self, vars: &[(&str, &str)]) -> Environment {
        let home = self.dir.path().to_str().unwrap().to_owned();
        vars.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .chain([("HOME".to_owned(), home)])
            .collect()
    }
}

fn tcp(host: &str, port: u16, tls: bool) -> DockerHost {
    DockerHost::Tcp {
        host: host.into(),
        port,
        tls,
        path: String::new(),
    }
}

#[test]
fn nothing_set_means_the_local_socket() {
    let home = Home::new();
    let config = EnvConfig::resolve(&home.env(&[])).unwrap();
    assert_eq!(config, EnvConfig::default());
}

#[test]
fn docker_host_and_tls_variables() {
    let home = Home::new();
    let certs = home.dir.path().join("certs");
    let certs_str = certs.to_str().unwrap();
    let default_certs = home.docker();

    type Case<'a> = (Vec<(&'a str, &'a str)>, DockerHost, Option<TlsConfig>);
    // (environment, expected host, expected TLS)
    let cases: Vec<Case> = vec![
        (
            vec![("DOCKER_HOST", "tcp://10.0.0.2:2375")],
            tcp("10.0.0.2", 2375, false),
            None,
        ),
        (vec![("DOCKER_HOST", "")], DockerHost::default(), None),
        (
            vec![("DOCKER_HOST", "unix:///tmp/d.sock")],
            DockerHost::Unix("/tmp/d.sock".into()),
            None,
        ),
        (
            vec![
                ("DOCKER_HOST", "tcp://10.0.0.2"),
                ("DOCKER_TLS_VERIFY", "1"),
                ("DOCKER_CERT_PATH", certs_str),
            ],
            tcp("10.0.0.2", 2376, true),
            Some(TlsConfig::new().ca_cert(certs.join("ca.pem"))),
        ),
        // Any value but the empty string turns verification on, "0" too.
        (
            vec![("DOCKER_HOST", "tcp://h:1"), ("DOCKER_TLS_VERIFY", "0")],
            tcp("h", 1, true),
            Some(TlsConfig::new().ca_cert(default_certs.join("ca.pem"))),
        ),
        // A cert path alone means TLS without verification.
        (
            vec![
                ("DOCKER_HOST", "tcp://h:1"),
                ("DOCKER_TLS_VERIFY", ""),
                ("DOCKER_CERT_PATH", certs_str),
            ],
            tcp("h", 1, true),
            Some(TlsConfig::new().verify(false)),
        ),
        // TLS variables do not apply to a socket.
        (
            vec![("DOCKER_HOST", "unix:///s"), ("DOCKER_TLS_VERIFY", "1")],
            DockerHost::Unix("/s".into()),
            None,
        ),
        (
            vec![("DOCKER_HOST", "https://h")],
            tcp("h", 2376, true),
            Some(TlsConfig::new()),
        ),
        // DOCKER_TLS (the CLI's --tls): TLS, unverified, files from the config dir.
        (
            vec![("DOCKER_HOST", "tcp://h:1"), ("DOCKER_TLS", "1")],
            tcp("h", 1, true),
            Some(TlsConfig::new().verify(false)),
        ),
    ];
    for (vars, host, tls) in cases {
        let config = EnvConfig::resolve(&home.env(&vars)).unwrap();
        assert_eq!((config.host, config.tls), (host, tls), "{vars:?}");
    }
}

#[test]
fn client_certificates_are_used_when_present() {
    let home = Home::new();
    let certs = home.dir.path().join("certs");
    for file in ["ca.pem", "cert.pem", "key.pem"] {
        std::fs::create_dir_all(&certs).unwrap();
        std::fs::write(certs.join(file), "pem").unwrap();
    }
    let env = home.env(&[
        ("DOCKER_HOST", "tcp://h:2376"),
        ("DOCKER_TLS_VERIFY", "1"),
        ("DOCKER_CERT_PATH", certs.to_str().unwrap()),
    ]);
    let tls = EnvConfig::resolve(&env).unwrap().tls.unwrap();
    assert_eq!(
        tls,
        TlsConfig::new()
            .ca_cert(certs.join("ca.pem"))
            .client_cert(certs.join("cert.pem"), certs.join("key.pem"))
    );
}

#[test]
fn contexts_in_the_clis_order() {
    let home = Home::new();
    home.context(
        "remote",
        "tcp://10.1.1.1:2376",
        false,
        &["ca.pem", "cert.pem", "key.pem"],
    );
    home.context("insecure", "tcp://10.2.2.2:2376", true, &["ca.pem"]);
    home.context("plain", "tcp://10.3.3.3:2375", false, &[]);
    home.context("ssh", "ssh://me@box", false, &[]);
    home.write("config.json", r#"{"currentContext": "plain", "auths": {}}"#);
    let tls_dir = |name: &str| {
        home.docker()
            .join("contexts/tls")
            .join(super::context::tests_support::id(name))
            .join("docker")
    };

    // currentContext of config.json
    let config = EnvConfig::resolve(&home.env(&[])).unwrap();
    assert_eq!(
        (config.host, config.tls, config.context.as_deref()),
        (tcp("10.3.3.3", 2375, false), None, Some("plain"))
    );

    // DOCKER_CONTEXT beats currentContext
    let config = EnvConfig::resolve(&home.env(&[("DOCKER_CONTEXT", "remote")])).unwrap();
    assert_eq!(config.host, tcp("10.1.1.1", 2376, true));
    let remote = tls_dir("remote");
    assert_eq!(
        config.tls,
        Some(
            TlsConfig::new()
                .ca_cert(remote.join("ca.pem"))
                .client_cert(remote.join("cert.pem"), remote.join("key.pem"))
        )
    );

    // SkipTLSVerify
    let config = EnvConfig::resolve(&home.env(&[("DOCKER_CONTEXT", "insecure")])).unwrap();
    assert_eq!(
        config.tls,
        Some(
            TlsConfig::new()
                .verify(false)
                .ca_cert(tls_dir("insecure").join("ca.pem"))
        )
    );

    // ssh endpoints
    let config = EnvConfig::resolve(&home.env(&[("DOCKER_CONTEXT", "ssh")])).unwrap();
    assert_eq!(
        config.host,
        DockerHost::Ssh {
            user: Some("me".into()),
            host: "box".into(),
            port: None
        }
    );

    // DOCKER_HOST beats any context
    let config =
        EnvConfig::resolve(&home.env(&[("DOCKER_HOST", "tcp://h:1"), ("DOCKER_CONTEXT", "remote")])).unwrap();
    assert_eq!((config.host, config.context), (tcp("h", 1, false), None));

    // "default" is the local engine
    let config = EnvConfig::resolve(&home.env(&[("DOCKER_CONTEXT", "default")])).unwrap();
    assert_eq!(config.host, DockerHost::default());

    // DOCKER_CONFIG moves the whole directory
    let elsewhere = tempfile::tempdir().unwrap();
    let env = home.env(&[("DOCKER_CONFIG", elsewhere.path().to_str().unwrap())]);
    assert_eq!(EnvConfig::resolve(&env).unwrap().host, DockerHost::default());
}

#[test]
fn broken_context_settings_are_errors_or_ignored_as_the_cli_does() {
    let home = Home::new();
    let error = EnvConfig::resolve(&home.env(&[("DOCKER_CONTEXT", "nope")]))
        .unwrap_err()
        .to_string();
    assert!(error.contains("context \"nope\" not found"), "{error}");

    let id = super::context::tests_support::id("bad");
    home.write(&format!("contexts/meta/{id}/meta.json"), "{not json");
    let error = EnvConfig::resolve(&home.env(&[("DOCKER_CONTEXT", "bad")]))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("context \"bad\"") && error.contains("is not valid"),
        "{error}"
    );

    home.context("badhost", "udp://x", false, &[]);
    let error = EnvConfig::resolve(&home.env(&[("DOCKER_CONTEXT", "badhost")]))
        .unwrap_err()
        .to_string();
    assert!(error.contains("unknown scheme"), "{error}");

    // An unreadable config.json is ignored, as the CLI only warns about it.
    home.write("config.json", "not json at all");
    assert_eq!(
        EnvConfig::resolve(&home.env(&[])).unwrap().host,
        DockerHost::default()
    );
}

#[test]
fn api_version_variable() {
    let home = Home::new();
    let config = EnvConfig::resolve(&home.env(&[("DOCKER_API_VERSION", "1.41")])).unwrap();
    assert_eq!(
        config.version,
        Some(VersionChoice::Pinned(ApiVersion::new(1, 41)))
    );
    let error = EnvConfig::resolve(&home.env(&[("DOCKER_API_VERSION", "latest")])).unwrap_err();
    assert!(matches!(error, crate::Error::InvalidVersion { .. }), "{error:?}");
    let error = EnvConfig::resolve(&home.env(&[("DOCKER_HOST", "tcp://")])).unwrap_err();
    assert!(matches!(error, crate::Error::Config { .. }), "{error:?}");
}

#[test]
fn tls_from_an_empty_dir_verifies_against_the_named_ca() {
    let tls = tls_from_dir(Path::new("/nowhere"), true);
    assert_eq!(tls, TlsConfig::new().ca_cert("/nowhere/ca.pem"));
}
