//! Credential helpers: `docker-credential-<name> get`, the programs the
//! docker CLI and docker-py ask for credentials kept outside `config.json`
//! (a keychain, a cloud's token service).
//!
//! The protocol: the server URL on stdin, `{"ServerURL", "Username",
//! "Secret"}` on stdout; a `Username` of `<token>` makes the secret an
//! identity token; an exit status of 1 with `credentials not found in
//! native keychain` means none.
//!
//! The helper runs under tokio (`tokio::process`), so waiting for it blocks
//! no thread. It gets a time limit: past it, the helper is killed and
//! reaped before the error returns, so no zombie is left. A call dropped
//! before it ends kills the helper too (`kill_on_drop`; tokio reaps it in
//! the background). Processes the helper itself started are its own
//! business.

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;

use super::AuthConfig;
use crate::error::{Error, Result};
use crate::secret::Secret;

/// How long a helper may take to answer before it is killed.
pub const DEFAULT_HELPER_TIMEOUT: Duration = Duration::from_secs(30);

/// What the helpers' programs are called, before the helper's name.
const PROGRAM_PREFIX: &str = "docker-credential-";

/// The `Username` meaning that the secret is an identity token.
const TOKEN_USERNAME: &str = "<token>";

/// What helpers say, with exit status 1, when they hold nothing for a
/// server.
const NOT_FOUND: &str = "credentials not found in native keychain";

/// The most read from a helper's stdout or stderr: credentials are small,
/// and a helper gone wild must not fill the memory.
const MAX_OUTPUT: u64 = 64 * 1024;

/// The most of a failing helper's message quoted in an error.
const MAX_MESSAGE_CHARS: usize = 200;

/// A credential helper, `docker-credential-<name>`, found in `PATH`.
///
/// Its environment is this process's, with `env` (docker-py's
/// `credstore_env`) on top; a `PATH` there is also where the program is
/// looked for. `Debug` shows the names of those variables, not their
/// values.
///
/// ```no_run
/// # async fn example() -> docker_sdk::Result<()> {
/// use std::time::Duration;
/// use docker_sdk::auth::CredentialHelper;
///
/// let helper = CredentialHelper::new("pass").timeout(Duration::from_secs(5));
/// if let Some(credentials) = helper.get("https://index.docker.io/v1/").await? {
///     println!("logged in as {:?}", credentials.username);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct CredentialHelper {
    name: String,
    env: HashMap<String, String>,
    timeout: Duration,
}

impl CredentialHelper {
    /// The helper `docker-credential-<name>`, such as `pass`,
    /// `secretservice`, `osxkeychain`, `desktop` or `ecr-login`.
    pub fn new(name: impl Into<String>) -> Self {
        CredentialHelper {
            name: name.into(),
            env: HashMap::new(),
            timeout: DEFAULT_HELPER_TIMEOUT,
        }
    }

    /// Variables to set in the helper's environment (docker-py's
    /// `credstore_env`), over this process's.
    pub fn env(mut self, env: &HashMap<String, String>) -> Self {
        self.env.extend(env.iter().map(|(k, v)| (k.clone(), v.clone())));
        self
    }

    /// How long the helper may take (default [`DEFAULT_HELPER_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The program run: `docker-credential-<name>`.
    pub fn program(&self) -> String {
        format!("{PROGRAM_PREFIX}{}", self.name)
    }

    /// The credentials the helper holds for `server_url` (`None` when it
    /// holds none), with `server_url` as their server address.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] naming the helper when its name is not one, it is
    /// not in `PATH`, it exits with another error, prints nothing or
    /// something that is not credentials, or does not answer within the
    /// timeout (it is then killed). The message quotes a failing helper's
    /// own explanation, never what it printed on success.
    pub async fn get(&self, server_url: &str) -> Result<Option<AuthConfig>> {
        let program = self.program();
        if !is_helper_name(&self.name) {
            return Err(Error::config(format!(
                "{:?} is not a credential helper name",
                self.name
            )));
        }
        let output = self.run(&program, server_url).await?;
        if !output.status.success() {
            return failure(&program, &output);
        }
        let credentials = parse_credentials(&program, &output.stdout)?;
        Ok(credentials.map(|(username, secret)| {
            let mut auth = AuthConfig {
                server_address: Some(server_url.to_owned()),
                ..AuthConfig::default()
            };
            if username == TOKEN_USERNAME {
                auth.identity_token = Some(secret);
            } else {
                auth.username = Some(username).filter(|u| !u.is_empty());
                auth.password = Some(secret).filter(|s| !s.expose().is_empty());
            }
            auth
        }))
    }

    /// Runs `<program> get` with `input` on stdin, within the timeout.
    async fn run(&self, program: &str, input: &str) -> Result<Output> {
        let mut child = Command::new(program)
            .arg("get")
            .envs(&self.env)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| match e.kind() {
                // A script whose interpreter is missing fails the same way
                // as a missing program: tell them apart.
                io::ErrorKind::NotFound if !self.is_in_path(program) => Error::config(format!(
                    "credential helper {program} is not installed or not in PATH"
                )),
                _ => Error::config(format!("cannot run credential helper {program}: {e}")),
            })?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let exchange = async {
            let write = async {
                if let Some(mut stdin) = stdin {
                    // A helper may exit without reading: the broken pipe that
                    // follows is not the error to report, its status is.
                    let _ = stdin.write_all(input.as_bytes()).await;
                }
            };
            let ((), stdout, stderr) = tokio::join!(write, read_bounded(stdout), read_bounded(stderr));
            let status = child.wait().await?;
            io::Result::Ok(Output {
                status,
                stdout: stdout?,
                stderr: stderr?,
            })
        };
        match tokio::time::timeout(self.timeout, exchange).await {
            Ok(Ok(output)) => Ok(output),
            Ok(Err(e)) => {
                let _ = child.kill().await;
                Err(Error::config(format!(
                    "could not talk to credential helper {program}: {e}"
                )))
            }
            Err(_) => {
                // `kill` also waits, so the helper is reaped here.
                let _ = child.kill().await;
                Err(Error::config(format!(
                    "credential helper {program} did not answer within {:?} and was stopped",
                    self.timeout
                )))
            }
        }
    }
}

impl CredentialHelper {
    /// Whether `program` is a file in the `PATH` it is looked for in: the
    /// helper's own `PATH` if its environment sets one, as for the lookup.
    fn is_in_path(&self, program: &str) -> bool {
        let path = self
            .env
            .get("PATH")
            .cloned()
            .or_else(|| std::env::var("PATH").ok())
            .unwrap_or_default();
        std::env::split_paths(&path).any(|dir| dir.join(program).is_file())
    }
}

impl fmt::Debug for CredentialHelper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `credstore_env` may hold a cloud's keys: names only.
        let mut names: Vec<&str> = self.env.keys().map(String::as_str).collect();
        names.sort_unstable();
        f.debug_struct("CredentialHelper")
            .field("name", &self.name)
            .field("env", &names)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Whether `name` can follow `docker-credential-` without naming a path.
pub(crate) fn is_helper_name(name: &str) -> bool {
    !name.is_empty() && !name.contains(['/', '\\', '\0'])
}

struct Output {
    status: std::process::ExitStatus,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

async fn read_bounded(pipe: Option<impl AsyncRead + Unpin>) -> io::Result<Vec<u8>> {
    let mut buffer = Vec::new();
    if let Some(pipe) = pipe {
        // Past the bound the pipe is dropped: the helper's next write fails
        // instead of blocking.
        pipe.take(MAX_OUTPUT).read_to_end(&mut buffer).await?;
    }
    Ok(buffer)
}

/// A helper that exited with an error: no credentials if it says so, else
/// an error quoting the start of its message.
fn failure(program: &str, output: &Output) -> Result<Option<AuthConfig>> {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if stdout.contains(NOT_FOUND) || stderr.contains(NOT_FOUND) {
        return Ok(None);
    }
    // JSON is the helper's answer, not its explanation: it may hold the
    // secret, so it is never quoted.
    let is_json = |text: &str| serde_json::from_str::<serde_json::Value>(text).is_ok();
    let message = [stdout.trim(), stderr.trim()]
        .into_iter()
        .map(|text| text.lines().next().unwrap_or_default())
        .find(|line| !line.is_empty() && !is_json(line))
        .map(|line| {
            let line: String = line
                .chars()
                .filter(|c| !c.is_control())
                .take(MAX_MESSAGE_CHARS)
                .collect();
            format!(": {line}")
        })
        .unwrap_or_default();
    let how = match output.status.code() {
        Some(code) => format!("exited with status {code}"),
        None => "was killed by a signal".to_owned(),
    };
    Err(Error::config(format!(
        "credential helper {program} get {how}{message}"
    )))
}

/// `{"Username": …, "Secret": …}`; both empty means none (as some helpers
/// answer for a server they do not know). Errors never quote the output,
/// which may hold the secret.
fn parse_credentials(program: &str, stdout: &[u8]) -> Result<Option<(String, Secret)>> {
    if stdout.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::config(format!(
            "credential helper {program} exited successfully but printed nothing"
        )));
    }
    let garbage = || {
        Error::config(format!(
            "credential helper {program} printed something that is not credentials \
             (JSON with string Username and Secret; {} bytes)",
            stdout.len()
        ))
    };
    let value: serde_json::Value = serde_json::from_slice(stdout).map_err(|_| garbage())?;
    let field = |name: &str| {
        value
            .get(name)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    let (Some(username), Some(secret)) = (field("Username"), field("Secret")) else {
        return Err(garbage());
    };
    if username.is_empty() && secret.is_empty() {
        return Ok(None);
    }
    Ok(Some((username, Secret::from(secret))))
}

/// Fake helpers for tests: shell scripts in a directory to put first on
/// `PATH`.
#[cfg(all(test, unix))]
pub(crate) mod fixtures {
    use std::collections::HashMap;
    use std::os::unix::fs::PermissionsExt;
    use std::path::{Path, PathBuf};
    use std::sync::OnceLock;

    /// The secret every answering fake helper gives, to look for in
    /// formatted output.
    pub(crate) const SECRET: &str = "hunter2-izayoi";

    const SCRIPTS: &[(&str, &str)] = &[
        // Echoes the server it was asked about, and FAKE_USER.
        (
            "answers",
            r#"server=$(cat)
printf '{"ServerURL":"%s","Username":"%s","Secret":"hunter2-izayoi"}\n' "$server" "${FAKE_USER:-sakuya}""#,
        ),
        (
            "token",
            r#"cat >/dev/null
echo '{"ServerURL":"x","Username":"<token>","Secret":"hunter2-izayoi"}'"#,
        ),
        (
            "notfound",
            "cat >/dev/null\necho 'credentials not found in native keychain'\nexit 1",
        ),
        (
            "blank",
            r#"cat >/dev/null
echo '{"ServerURL":"","Username":"","Secret":""}'"#,
        ),
        ("fails", "echo 'the keyring is locked' >&2\nexit 3"),
        ("garbage", "echo 'Username=sakuya Secret=hunter2-izayoi'"),
        ("jsonstring", r#"echo '"hunter2-izayoi"'"#),
        (
            "nosecret",
            r#"echo '{"Username":"sakuya","Secret":["hunter2-izayoi"]}'"#,
        ),
        ("silent", "cat >/dev/null"),
        ("signalled", "kill -9 $$"),
        ("noisy", "yes this-is-not-json"),
        // Records its pid in FAKE_PIDFILE, then never answers.
        ("hangs", "echo $$ > \"$FAKE_PIDFILE\"\nexec sleep 60"),
    ];

    /// The directory of fake helpers, written once per test process (so no
    /// test writes a program while another starts one, which could fail
    /// with "text file busy"), in the target directory rather than a fresh
    /// temporary one each run.
    pub(crate) fn dir() -> &'static Path {
        static DIR: OnceLock<PathBuf> = OnceLock::new();
        DIR.get_or_init(|| {
            let exe = std::env::current_exe().expect("test executable");
            let dir = exe
                .parent()
                .expect("test executable's directory")
                .join("docker-sdk-fake-credential-helpers");
            std::fs::create_dir_all(&dir).expect("helpers directory");
            for (name, body) in SCRIPTS {
                let path = dir.join(format!("docker-credential-{name}"));
                // Written beside, then renamed: a concurrent test run keeps
                // executing the old file.
                let temporary = dir.join(format!(".{name}.{}", std::process::id()));
                std::fs::write(&temporary, format!("#!/bin/sh\n{body}\n")).expect("helper script");
                std::fs::set_permissions(&temporary, std::fs::Permissions::from_mode(0o755))
                    .expect("helper mode");
                std::fs::rename(&temporary, &path).expect("helper in place");
            }
            dir
        })
    }

    /// `credstore_env` putting the fake helpers first on `PATH`, plus
    /// `extra`.
    pub(crate) fn env(extra: &[(&str, &str)]) -> HashMap<String, String> {
        let path = std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".to_owned());
        let mut env: HashMap<String, String> = extra
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        env.insert("PATH".to_owned(), format!("{}:{path}", dir().display()));
        env
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::time::Instant;

    use super::fixtures::{SECRET, env};
    use super::*;

    fn expect_config_error(case: &str, result: Result<Option<AuthConfig>>, needle: &str) -> String {
        match result {
            Err(Error::Config { message }) => {
                assert!(message.contains(needle), "{case}: {message:?} lacks {needle:?}");
                assert!(!message.contains(SECRET), "{case}: {message:?} shows the secret");
                message
            }
            other => panic!("{case}: expected a config error, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn helpers_that_answer_give_credentials() {
        type Vars<'a> = &'a [(&'a str, &'a str)];
        // (helper, credstore_env, server, answer)
        let cases: &[(&str, Vars, &str, AuthConfig)] = &[
            (
                "answers",
                &[],
                "https://index.docker.io/v1/",
                AuthConfig {
                    username: Some("sakuya".into()),
                    password: Some(SECRET.into()),
                    server_address: Some("https://index.docker.io/v1/".into()),
                    ..AuthConfig::default()
                },
            ),
            // credstore_env reaches the helper.
            (
                "answers",
                &[("FAKE_USER", "reimu")],
                "localhost:5000",
                AuthConfig {
                    username: Some("reimu".into()),
                    password: Some(SECRET.into()),
                    server_address: Some("localhost:5000".into()),
                    ..AuthConfig::default()
                },
            ),
            (
                "token",
                &[],
                "registry.example.com",
                AuthConfig {
                    identity_token: Some(SECRET.into()),
                    server_address: Some("registry.example.com".into()),
                    ..AuthConfig::default()
                },
            ),
        ];
        for (name, extra, server, expected) in cases {
            let helper = CredentialHelper::new(*name).env(&env(extra));
            let got = helper.get(server).await.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(got.as_ref(), Some(expected), "{name}");
            let shown = format!("{got:?} {helper:?}");
            assert!(!shown.contains(SECRET), "{name}: {shown}");
        }
    }

    #[tokio::test]
    async fn helpers_without_credentials_give_none() {
        for name in ["notfound", "blank"] {
            let got = CredentialHelper::new(name).env(&env(&[])).get("quay.io").await;
            assert_eq!(got.ok(), Some(None), "{name}");
        }
    }

    #[tokio::test]
    async fn failing_helpers_are_config_errors_naming_them() {
        let cases = [
            (
                "fails",
                "docker-credential-fails get exited with status 3: the keyring is locked",
            ),
            (
                "garbage",
                "docker-credential-garbage printed something that is not credentials",
            ),
            (
                "jsonstring",
                "docker-credential-jsonstring printed something that is not credentials",
            ),
            (
                "nosecret",
                "docker-credential-nosecret printed something that is not credentials",
            ),
            (
                "silent",
                "docker-credential-silent exited successfully but printed nothing",
            ),
            (
                "signalled",
                "docker-credential-signalled get was killed by a signal",
            ),
            ("noisy", "docker-credential-noisy"),
            (
                "absent",
                "docker-credential-absent is not installed or not in PATH",
            ),
            ("../answers", "is not a credential helper name"),
            ("", "is not a credential helper name"),
        ];
        for (name, needle) in cases {
            let helper = CredentialHelper::new(name)
                .env(&env(&[]))
                .timeout(Duration::from_secs(10));
            expect_config_error(name, helper.get("quay.io").await, needle);
        }
    }

    #[tokio::test]
    async fn a_helper_that_hangs_is_killed_after_the_timeout() {
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("pid");
        let helper = CredentialHelper::new("hangs")
            .env(&env(&[("FAKE_PIDFILE", pidfile.to_str().unwrap())]))
            .timeout(Duration::from_secs(1));
        let started = Instant::now();
        let message = expect_config_error("hangs", helper.get("quay.io").await, "did not answer within 1s");
        assert!(message.contains("docker-credential-hangs"), "{message}");
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
        // Killed and reaped: no process, not even a zombie, is left.
        // (On a machine slow enough, it was killed before it wrote its pid.)
        if let Ok(pid) = std::fs::read_to_string(&pidfile)
            && cfg!(target_os = "linux")
        {
            let proc = std::path::PathBuf::from(format!("/proc/{}", pid.trim()));
            assert!(!proc.exists(), "helper {} is still there", pid.trim());
        }
    }

    #[test]
    fn debug_shows_variable_names_only() {
        let helper = CredentialHelper::new("ecr-login").env(&HashMap::from([(
            "AWS_SECRET_ACCESS_KEY".to_owned(),
            SECRET.to_owned(),
        )]));
        let shown = format!("{helper:?}");
        assert!(shown.contains("AWS_SECRET_ACCESS_KEY"), "{shown}");
        assert!(!shown.contains(SECRET), "{shown}");
        assert_eq!(helper.program(), "docker-credential-ecr-login");
    }
}
