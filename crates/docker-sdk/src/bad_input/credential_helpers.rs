//! Credential helpers that misbehave: fail, print garbage or nothing, hang,
//! flood their output, or are not there at all.
//!
//! Each case is a tiny shell script installed as `docker-credential-<name>`
//! in a directory put first on the helper's `PATH`.

use std::collections::HashMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use super::Outcome as O;
use super::Report;
use crate::auth::{AuthConfig, CredentialHelper};

/// A secret that no error message may show.
const SECRET: &str = "S3CRET-of-the-helper";

/// Short, so the cases that hang are quick.
const HANG_TIMEOUT: Duration = Duration::from_millis(300);

/// Long enough for a busy machine to start a shell.
const TIMEOUT: Duration = Duration::from_secs(20);

struct Case {
    /// The script's body, after `#!/bin/sh`; `SECRET` is replaced.
    script: &'static str,
    timeout: Duration,
    want: O,
}

fn case(script: &'static str, want: O) -> Case {
    Case {
        script,
        timeout: TIMEOUT,
        want,
    }
}

fn hanging(script: &'static str, want: O) -> Case {
    Case {
        script,
        timeout: HANG_TIMEOUT,
        want,
    }
}

fn cases() -> Vec<Case> {
    let not_credentials = "printed something that is not credentials (JSON with string Username and Secret";
    vec![
        case(
            r#"echo '{"ServerURL":"x","Username":"me","Secret":"SECRET"}'"#,
            O::Ok("me:S3CRET-of-the-helper"),
        ),
        case(
            r#"echo '{"Username":"<token>","Secret":"tok"}'"#,
            O::Ok("token tok"),
        ),
        case(r#"echo '{"Username":"","Secret":""}'"#, O::Ok("none")),
        case(r#"echo '{"Username":"me","Secret":""}'"#, O::Ok("me:")),
        case(
            "echo 'credentials not found in native keychain'; exit 1",
            O::Ok("none"),
        ),
        case(
            "echo 'credentials not found in native keychain' >&2; exit 1",
            O::Ok("none"),
        ),
        case(
            r#"printf '\n  {"Username" : "me",\n "Secret":"pw"}  \n\n'"#,
            O::Ok("me:pw"),
        ),
        // The server URL arrives on stdin.
        case(
            r#"read url; printf '{"Username":"%s","Secret":"x"}' "$url""#,
            O::Ok("https://index.docker.io/v1/:x"),
        ),
        // Answers without reading its input: the broken pipe is no error.
        case(
            r#"exec 0<&-; echo '{"Username":"me","Secret":"pw"}'"#,
            O::Ok("me:pw"),
        ),
        case(
            "echo 'something broke'; exit 1",
            O::Config("credential helper docker-credential-case9 get exited with status 1: something broke"),
        ),
        case("exit 3", O::Config("get exited with status 3")),
        case("echo boom >&2; exit 2", O::Config("exited with status 2: boom")),
        case(
            "echo 'first line'; echo 'second line'; exit 1",
            O::Config("exited with status 1: first line"),
        ),
        case(
            "printf 'x%.0s' $(seq 1 1000); exit 1",
            O::Config(
                ": xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            ),
        ),
        case(
            "printf 'bad \\033[31mred\\033[0m'; exit 1",
            O::Config("exited with status 1: bad [31mred[0m"),
        ),
        case("kill -9 $$", O::Config("get was killed by a signal")),
        case(
            "echo hello",
            O::Config(
                "printed something that is not credentials (JSON with string Username and Secret; 6 bytes)",
            ),
        ),
        case(
            "exit 0",
            O::Config("credential helper docker-credential-case17 exited successfully but printed nothing"),
        ),
        case(
            "printf '  \\n\\t\\n'",
            O::Config("exited successfully but printed nothing"),
        ),
        case(r#"echo '{"Username":"me"}'"#, O::Config(not_credentials)),
        case(r#"echo '{"Secret":"SECRET"}'"#, O::Config(not_credentials)),
        case(
            r#"echo '{"Username":"me","Secret":42}'"#,
            O::Config(not_credentials),
        ),
        case(
            r#"echo '{"Username":null,"Secret":"SECRET"}'"#,
            O::Config(not_credentials),
        ),
        case("echo '[]'", O::Config(not_credentials)),
        case("echo 'null'", O::Config(not_credentials)),
        case("echo 'password=SECRET'", O::Config(not_credentials)),
        case(
            r#"printf '{"Username":"me","Secret":"SECRET'"#,
            O::Config(not_credentials),
        ),
        case(
            r#"echo '{"Username":"me","Secret":"SECRET"}{"Username":"me","Secret":"SECRET"}'"#,
            O::Config(not_credentials),
        ),
        case(
            "printf '\\377\\376'",
            O::Config("not credentials (JSON with string Username and Secret; 2 bytes)"),
        ),
        // A helper that answers and then fails: its answer is not quoted.
        case(
            r#"echo '{"Username":"me","Secret":"SECRET"}'; exit 1"#,
            O::Config("get exited with status 1"),
        ),
        case(
            r#"echo '{"Username":"me","Secret":"SECRET"}' >&2; exit 1"#,
            O::Config("get exited with status 1"),
        ),
        case(
            r#"echo '{"Username":"me","Secret":"SECRET"}'; echo 'then it broke'; exit 1"#,
            O::Config("get exited with status 1"),
        ),
        case(
            r#"echo '{"Secret":"SECRET"}'; echo 'store locked' >&2; exit 1"#,
            O::Config("exited with status 1: store locked"),
        ),
        // Floods its output: read up to a bound, then cut off.
        case("exec yes", O::Config("get was killed by a signal: y")),
        hanging(
            "exec sleep 10",
            O::Config("did not answer within 300ms and was stopped"),
        ),
        hanging(
            r#"echo '{"Username":"me","Secret":"SECRET"}'; exec sleep 10"#,
            O::Config("did not answer within 300ms"),
        ),
        hanging("while :; do :; done", O::Config("did not answer within 300ms")),
        // The input ends: reading past it is no hang.
        case(
            "read url; read more; exit 0",
            O::Config("exited successfully but printed nothing"),
        ),
        // A child that keeps stdout open outlives the helper.
        hanging(
            r#"sleep 3 & echo '{"Username":"me","Secret":"pw"}'"#,
            O::Config("did not answer within 300ms"),
        ),
    ]
}

/// Helpers that are not scripts that run.
fn special_cases() -> Vec<(&'static str, O)> {
    vec![
        (
            "missing",
            O::Config("credential helper docker-credential-missing is not installed or not in PATH"),
        ),
        (
            "not-executable",
            O::Config("cannot run credential helper docker-credential-not-executable: Permission denied"),
        ),
        (
            "bad-interpreter",
            O::Config(
                "cannot run credential helper docker-credential-bad-interpreter: No such file or directory",
            ),
        ),
        (
            "../escape",
            O::Config(r#""../escape" is not a credential helper name"#),
        ),
        ("", O::Config(r#""" is not a credential helper name"#)),
        ("a\\b", O::Config("is not a credential helper name")),
    ]
}

pub(super) fn case_count() -> usize {
    cases().len() + special_cases().len()
}

fn render(auth: Option<AuthConfig>) -> String {
    match auth {
        None => "none".to_owned(),
        Some(AuthConfig {
            identity_token: Some(token),
            ..
        }) => format!("token {}", token.expose()),
        Some(auth) => format!(
            "{}:{}",
            auth.username.unwrap_or_default(),
            auth.password.as_ref().map(|p| p.expose()).unwrap_or_default()
        ),
    }
}

fn install(dir: &Path, name: &str, body: &str, mode: u32) {
    let path = dir.join(format!("docker-credential-{name}"));
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("helper script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("helper mode");
}

#[tokio::test]
async fn misbehaving_helpers() {
    let dir = tempfile::tempdir().expect("helpers directory");
    let cases = cases();
    // Every script is written before any runs: a helper started while a
    // script is open for writing could fail with "text file busy".
    for (index, case) in cases.iter().enumerate() {
        install(
            dir.path(),
            &format!("case{index}"),
            &case.script.replace("SECRET", SECRET),
            0o755,
        );
    }
    install(dir.path(), "not-executable", "exit 0", 0o644);
    let interpreter = dir.path().join("docker-credential-bad-interpreter");
    std::fs::write(&interpreter, "#!/nonexistent/sh\nexit 0\n").expect("helper script");
    std::fs::set_permissions(&interpreter, std::fs::Permissions::from_mode(0o755)).expect("helper mode");
    let path = std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".to_owned());
    let env = HashMap::from([("PATH".to_owned(), format!("{}:{path}", dir.path().display()))]);

    let mut report = Report::new("credential helpers").never_showing(SECRET);
    for (index, case) in cases.iter().enumerate() {
        let helper = CredentialHelper::new(format!("case{index}"))
            .env(&env)
            .timeout(case.timeout);
        let got = helper.get("https://index.docker.io/v1/").await.map(render);
        report.check(index, &case.script, case.want, got);
    }
    for (index, (name, want)) in special_cases().into_iter().enumerate() {
        let helper = CredentialHelper::new(name).env(&env).timeout(TIMEOUT);
        let got = helper.get("https://index.docker.io/v1/").await.map(render);
        report.check(index, &name, want, got);
    }
    report.finish();
}
