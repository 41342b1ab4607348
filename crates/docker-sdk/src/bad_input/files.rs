//! Files the SDK reads: `config.json` (and the legacy `.dockercfg`),
//! `.dockerignore`, and the Docker CLI's context metadata.

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use sha2::{Digest, Sha256};

use super::Outcome as O;
use super::Report;
use crate::auth::ConfigFile;
use crate::build_context::{BuildContext, ContextOptions, Dockerignore};
use crate::config::{EnvConfig, Environment};
use crate::error::{Error, Result};
use crate::tls::TlsConfig;

/// A password that no error message may show.
const SECRET: &str = "hunter2-s3cret";

fn b64(text: &[u8]) -> String {
    STANDARD.encode(text)
}

/// Each registry as `key:user:password`, then the helpers.
fn render_config(config: &ConfigFile) -> String {
    let mut out: Vec<String> = config
        .auths()
        .iter()
        .map(|(key, auth)| {
            format!(
                "{key}:{}:{}",
                auth.username.as_deref().unwrap_or_default(),
                auth.password.as_ref().map(|p| p.expose()).unwrap_or_default()
            )
        })
        .collect();
    if let Some(store) = config.creds_store() {
        out.push(format!("store={store}"));
    }
    for (registry, helper) in config.cred_helpers() {
        out.push(format!("helper {registry}={helper}"));
    }
    out.join(";")
}

fn config_cases() -> Vec<(String, O)> {
    let entry = |fields: &str| format!(r#"{{"auths":{{"reg":{{{fields}}}}}}}"#);
    let auth = |decoded: &[u8]| entry(&format!(r#""auth":"{}""#, b64(decoded)));
    let user_secret = format!("me:{SECRET}");
    vec![
        (String::new(), O::Ok("")),
        (" \n\t".into(), O::Ok("")),
        ("{}".into(), O::Ok("")),
        (r#"{"auths":{}}"#.into(), O::Ok("")),
        (r#"{"auths":null}"#.into(), O::Ok("")),
        (auth(user_secret.as_bytes()), O::Ok("reg:me:hunter2-s3cret")),
        (auth(b"me:pass:with:colons"), O::Ok("reg:me:pass:with:colons")),
        (auth(b"me:"), O::Ok("reg:me:")),
        (auth(b"me:pw\0\0"), O::Ok("reg:me:pw")),
        (
            entry(&format!(r#""auth":"{}""#, STANDARD_NO_PAD.encode("me:pw1"))),
            O::Ok("reg:me:pw1"),
        ),
        (
            entry(&format!(r#""auth":" {} ""#, b64(b"me:pw"))),
            O::Ok("reg:me:pw"),
        ),
        (
            entry(&format!(
                r#""auth":"{}","username":"other","password":"x""#,
                b64(b"me:pw")
            )),
            O::Ok("reg:me:pw"),
        ),
        (entry(r#""username":"u","password":"p""#), O::Ok("reg:u:p")),
        (entry(""), O::Ok("reg::")),
        (entry(r#""auth":"""#), O::Ok("reg::")),
        (entry(r#""auth":null"#), O::Ok("reg::")),
        (
            entry(r#""email":"me@example.com","serveraddress":"reg""#),
            O::Ok("reg::"),
        ),
        (format!("\u{feff}{}", auth(b"me:pw")), O::Ok("reg:me:pw")),
        (
            format!(
                r#"{{"https://index.docker.io/v1/":{{"auth":"{}","email":"e"}}}}"#,
                b64(b"me:pw")
            ),
            O::Ok("https://index.docker.io/v1/:me:pw"),
        ),
        (
            format!("auth = {}\nemail = me@example.com\n", b64(b"me:pw")),
            O::Ok("https://index.docker.io/v1/:me:pw"),
        ),
        (
            format!("auth={}\nemail=\n", b64(b"me:pw")),
            O::Ok("https://index.docker.io/v1/:me:pw"),
        ),
        (r#"{"credsStore":"desktop"}"#.into(), O::Ok("store=desktop")),
        (r#"{"credsStore":""}"#.into(), O::Ok("")),
        (
            r#"{"credHelpers":{"gcr.io":"gcloud"}}"#.into(),
            O::Ok("helper gcr.io=gcloud"),
        ),
        (
            r#"{"psFormat":"table","proxies":{"default":{"httpProxy":"http://p:3128"}}}"#.into(),
            O::Ok(""),
        ),
        // Not JSON, not the legacy format.
        (
            "not json".into(),
            O::Config(
                "docker config file /cfg/config.json: is neither JSON (expected ident at line 1 column 2) nor the legacy `auth = …` format",
            ),
        ),
        (
            "{".into(),
            O::Config("is neither JSON (EOF while parsing an object"),
        ),
        (
            r#"{"auths":{},}"#.into(),
            O::Config("is neither JSON (trailing comma"),
        ),
        (
            format!("{} trailing", auth(b"me:pw")),
            O::Config("is neither JSON (trailing characters"),
        ),
        ("<html></html>".into(), O::Config("is neither JSON")),
        (
            entry(&format!(r#""password":"{SECRET}\q""#)),
            O::Config("is neither JSON (invalid escape"),
        ),
        (
            entry(&format!("\"password\":\"{SECRET}\u{1}\"")),
            O::Config("is neither JSON (control character"),
        ),
        // JSON of the wrong shape.
        ("[]".into(), O::Config("is not a JSON object")),
        ("null".into(), O::Config("is not a JSON object")),
        ("42".into(), O::Config("is not a JSON object")),
        (r#""auths""#.into(), O::Config("is not a JSON object")),
        (r#"{"auths":[]}"#.into(), O::Config("`auths` is not an object")),
        (r#"{"auths":"x"}"#.into(), O::Config("`auths` is not an object")),
        (
            r#"{"auths":{"reg":"x"}}"#.into(),
            O::Config(r#"`auths["reg"]` is not an object"#),
        ),
        (
            r#"{"auths":{"reg":null}}"#.into(),
            O::Config(r#"`auths["reg"]` is not an object"#),
        ),
        (
            r#"{"reg":{"auth":1}}"#.into(),
            O::Config(r#"`["reg"].auth` is not a string"#),
        ),
        (
            entry(r#""auth":42"#),
            O::Config(r#"`auths["reg"].auth` is not a string"#),
        ),
        (
            entry(r#""username":["a"]"#),
            O::Config(r#"`auths["reg"].username` is not a string"#),
        ),
        (
            entry(&format!(r#""password":["{SECRET}"]"#)),
            O::Config(r#"`auths["reg"].password` is not a string"#),
        ),
        (
            entry(&format!(r#""password":{{"value":"{SECRET}"}}"#)),
            O::Config(".password` is not a string"),
        ),
        (entry(r#""email":1"#), O::Config(".email` is not a string")),
        (
            entry(r#""identitytoken":true"#),
            O::Config(".identitytoken` is not a string"),
        ),
        (
            entry(r#""registrytoken":1.5"#),
            O::Config(".registrytoken` is not a string"),
        ),
        (
            entry(r#""serveraddress":{}"#),
            O::Config(".serveraddress` is not a string"),
        ),
        // `auth` that is not base64 of user:password.
        (
            entry(r#""auth":"!!!""#),
            O::Config(r#"`auths["reg"].auth` is not base64"#),
        ),
        (
            entry(&format!(r#""auth":"{user_secret}""#)),
            O::Config(".auth` is not base64"),
        ),
        (
            entry(&format!(
                r#""auth":"{}""#,
                b64(user_secret.as_bytes()).replace('=', "==")
            )),
            O::Config(".auth` is not base64"),
        ),
        (entry(r#""auth":"bWU6cHc*""#), O::Config(".auth` is not base64")),
        (entry(r#""auth":"bWU6cHc-""#), O::Config(".auth` is not base64")),
        (
            auth(format!("me{SECRET}").as_bytes()),
            O::Config(".auth` does not decode to user:password (it has no ':')"),
        ),
        (
            auth(b"me"),
            O::Config(".auth` does not decode to user:password (it has no ':')"),
        ),
        (
            auth(format!(":{SECRET}").as_bytes()),
            O::Config(".auth` decodes to an empty user name"),
        ),
        (
            auth(b"me:\xff\xfe"),
            O::Config(".auth` does not decode to UTF-8 text"),
        ),
        // Helpers whose names would be paths.
        (
            r#"{"credsStore":1}"#.into(),
            O::Config("`credsStore` is not a string"),
        ),
        (
            r#"{"credsStore":"../../bin/sh"}"#.into(),
            O::Config(r#"`credsStore` ("../../bin/sh") is not a credential helper name"#),
        ),
        (
            r#"{"credsStore":"a\\b"}"#.into(),
            O::Config("is not a credential helper name"),
        ),
        (
            r#"{"credHelpers":[]}"#.into(),
            O::Config("`credHelpers` is not an object"),
        ),
        (
            r#"{"credHelpers":{"gcr.io":1}}"#.into(),
            O::Config(r#"`credHelpers["gcr.io"]` is not a string"#),
        ),
        (
            r#"{"credHelpers":{"gcr.io":"/usr/bin/x"}}"#.into(),
            O::Config("is not a credential helper name"),
        ),
        (
            r#"{"proxies":[]}"#.into(),
            O::Config("`proxies` is not an object"),
        ),
        (
            r#"{"proxies":{"default":"x"}}"#.into(),
            O::Config(r#"`proxies["default"]` is not an object"#),
        ),
        (
            r#"{"proxies":{"default":{"httpProxy":1}}}"#.into(),
            O::Config(r#"`proxies["default"].httpProxy` is not a string"#),
        ),
        // The legacy text format, broken.
        (
            "auth = !!!\nemail = me@example.com".into(),
            O::Config("`auth` is not base64"),
        ),
        (
            format!("auth = {}", b64(b"me:pw")),
            O::Config("is in the legacy format but has no `email = …` line where expected"),
        ),
        (
            format!("auth = {}\nmail = x", b64(b"me:pw")),
            O::Config("has no `email = …` line"),
        ),
        (
            format!("auth = {}\nemail = x", b64(format!("me{SECRET}").as_bytes())),
            O::Config("`auth` does not decode to user:password"),
        ),
    ]
}

fn dockerignore_cases() -> Vec<(String, &'static str, O)> {
    let excluded = O::Ok("excluded");
    let included = O::Ok("included");
    let mut cases: Vec<(String, &'static str, O)> = [
        // moby's patternmatcher cases.
        ("**", "file", excluded),
        ("**/", "file", excluded),
        ("**/", "dir/file", excluded),
        ("**/**", "dir/file", excluded),
        ("dir/**", "dir/file", excluded),
        ("dir/**", "dir/dir2/file", excluded),
        ("**/dir", "dir", excluded),
        ("**/dir", "dir/file", excluded),
        ("**/dir2/*", "dir/dir2/file", excluded),
        ("**/dir2/**", "dir/dir2/dir3/file", excluded),
        ("**file", "file", excluded),
        ("**file", "dir/file", excluded),
        ("**/file", "dir/dir/file", excluded),
        ("**/file*", "dir/dir/file", excluded),
        ("**/file*txt", "dir/dir/file.txt", excluded),
        ("**/file*.txt", "dir/dir/file.txt", excluded),
        ("**/**/*.txt", "dir/dir/file.txt", excluded),
        ("**/**/*.txt2", "dir/dir/file.txt", included),
        ("**/*.txt", "file.txt", excluded),
        ("**/**/*.txt", "file.txt", excluded),
        ("a**/*.txt", "a/file.txt", excluded),
        ("a**/*.txt", "a/dir/file.txt", excluded),
        ("a**/*.txt", "a/dir/dir/file.txt", excluded),
        ("a/*.txt", "a/dir/file.txt", included),
        ("a/*.txt", "a/file.txt", excluded),
        ("a/*.txt**", "a/file.txt", excluded),
        ("a[b-d]e", "ae", included),
        ("a[b-d]e", "ace", excluded),
        ("a[b-d]e", "aae", included),
        ("a[^b-d]e", "aze", excluded),
        (".*", ".foo", excluded),
        (".*", "foo", included),
        ("abc.def", "abcdef", included),
        ("abc.def", "abc.def", excluded),
        ("abc.def", "abcZdef", included),
        ("abc?def", "abcZdef", excluded),
        ("abc?def", "abcdef", included),
        ("a\\\\", "a\\", excluded),
        ("**/foo/bar", "foo/bar", excluded),
        ("**/foo/bar", "dir/foo/bar", excluded),
        ("**/foo/bar", "dir/dir2/foo/bar", excluded),
        ("abc/**", "abc", included),
        ("abc/**", "abc/def", excluded),
        ("abc/**", "abc/def/ghi", excluded),
        ("**/.foo", ".foo", excluded),
        ("**/.foo", "bar.foo", included),
        ("a(b)c/def", "a(b)c/def", excluded),
        ("a(b)c/def", "a(b)c/xyz", included),
        ("a.|)$(}+{bc", "a.|)$(}+{bc", excluded),
        (
            "dist/*.whl",
            "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
            excluded,
        ),
        ("*", "a/b", excluded),
        ("a/b", "a/b/c", excluded),
        ("a", "ab", included),
        ("?", "ab", included),
        ("??", "ab", excluded),
        ("a/*/c", "a/b/c", excluded),
        ("a/*/c", "a/b/d/c", included),
        ("\\*", "*", excluded),
        ("\\*", "a", included),
        ("a\\?", "a?", excluded),
        ("a\\?", "ab", included),
        ("[!a]", "!", excluded),
        ("[!a]", "b", included),
        // `*` does not cross a `/`: only the top directory's files match.
        ("*.md", "docs/README.md", included),
        ("*.md", "README.md", excluded),
        ("*.md\n!README.md", "README.md", included),
        ("**/*.md\n!**/README.md", "docs/README.md", included),
        ("build\n!build/keep", "build/keep", included),
        ("build\n!build/keep", "build/drop", excluded),
        ("é*", "été", excluded),
        ("[é]", "é", excluded),
        // After a `\\` or inside brackets a character takes its meaning in
        // the Go regular expression moby builds: `\\d` is a digit.
        ("\\d", "5", excluded),
        ("\\d", "d", included),
        ("[[:digit:]]", "5", excluded),
        ("[[:digit:]]", "d", included),
        ("\\pL", "é", excluded),
        ("a{2}", "a{2}", excluded),
        ("a{2}", "aa", included),
        ("a+", "aa", included),
        ("\\C", "x", O::Invalid("dockerignore", "invalid escape sequence")),
        (
            "[[:nope:]]",
            "x",
            O::Invalid("dockerignore", "invalid character class range"),
        ),
        // Lines as a file holds them.
        ("# a comment\n", "# a comment", included),
        (" #x", "#x", excluded),
        ("*\n!keep", "keep", included),
        ("*\n!keep", "drop", excluded),
        ("*.go\n!main.go\nmain.go", "main.go", excluded),
        ("/abs", "abs", excluded),
        ("./a", "a", excluded),
        ("a/../b", "b", excluded),
        ("dir/", "dir/file", excluded),
        ("  spaced  \r\n", "spaced", excluded),
        ("\u{feff}bom", "bom", excluded),
        ("\n\n\n", "anything", included),
        // Go's Match takes it, but the regular expression moby compiles
        // from it fails, so every match would: refused up front.
        (
            "[z-a]",
            "m",
            O::Invalid("dockerignore", "invalid character class range"),
        ),
        ("*", "", included),
        // Patterns moby refuses ("syntax error in pattern").
        (
            "[",
            "x",
            O::Invalid("dockerignore", r#"line 1: invalid pattern "[": unclosed ["#),
        ),
        ("a[", "x", O::Invalid("dockerignore", "unclosed [")),
        ("[a", "x", O::Invalid("dockerignore", "unclosed [")),
        ("[\\", "x", O::Invalid("dockerignore", "unclosed [")),
        ("*[", "x", O::Invalid("dockerignore", "unclosed [")),
        (
            "**/[",
            "x",
            O::Invalid("dockerignore", r#"invalid pattern "**/[""#),
        ),
        ("[]", "x", O::Invalid("dockerignore", "bad character class")),
        ("[^]", "x", O::Invalid("dockerignore", "bad character class")),
        ("[a-]", "x", O::Invalid("dockerignore", "bad character class")),
        ("[-a]", "x", O::Invalid("dockerignore", "bad character class")),
        ("\\", "x", O::Invalid("dockerignore", "trailing backslash")),
        ("a\\", "x", O::Invalid("dockerignore", "trailing backslash")),
        (
            "ok/*\nfine\n[",
            "x",
            O::Invalid("dockerignore", r#"line 3: invalid pattern "[""#),
        ),
        (
            "\n\n  [  \n",
            "x",
            O::Invalid("dockerignore", r#"line 3: invalid pattern "[""#),
        ),
        ("# [\n[", "x", O::Invalid("dockerignore", "line 2:")),
        (
            "!",
            "x",
            O::Invalid("dockerignore", r#"a lone "!" is not a pattern"#),
        ),
        ("!/", "x", O::Invalid("dockerignore", "a lone \"!\"")),
        ("! ", "x", O::Invalid("dockerignore", "a lone \"!\"")),
        ("!a[", "x", O::Invalid("dockerignore", "unclosed [")),
        // Pathological patterns stay fast (checked below) and right.
        ("**/**/**/*", "a/b/c/d/e/f/g/h/i/j", excluded),
        ("**/**/**/**/**/**/**/**/x", "a/b/c/d/e/f/g/h/i/y", included),
        (
            "a*a*a*a*a*a*a*a*a*a*b",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            included,
        ),
        (
            "*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?!",
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            included,
        ),
    ]
    .into_iter()
    .map(|(patterns, path, want)| (patterns.to_owned(), path, want))
    .collect();
    let distinct: String = (0..5000).map(|i| format!("dir{i}/**\n")).collect();
    cases.push((distinct.clone(), "dir4999/x", excluded));
    cases.push((distinct, "dir5000/x", included));
    cases.push(("node_modules\n".repeat(10_000), "node_modules/a/b", excluded));
    cases.push((format!("{}!keep\n", "*\n".repeat(10_000)), "keep", included));
    cases.push((
        format!("{}[\n", "ok\n".repeat(9_999)),
        "x",
        O::Invalid("dockerignore", "line 10000:"),
    ));
    cases.push(("a/".repeat(2000), "a", included));
    cases.push((format!("{}\n", "*".repeat(10_000)), "deep/path/file", excluded));
    cases
}

/// The meta.json of context `c`, in a fresh config directory, read as
/// `DOCKER_CONTEXT=c` reads it.
fn resolve_context(config_json: Option<&str>, context: Option<&str>, meta: Option<&str>) -> Result<String> {
    let dir = tempfile::tempdir().map_err(|e| Error::config(e.to_string()))?;
    if let Some(meta) = meta {
        let id: String = Sha256::digest(b"c").iter().fold(String::new(), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        });
        let meta_dir = dir.path().join("contexts").join("meta").join(id);
        std::fs::create_dir_all(&meta_dir).map_err(|e| Error::config(e.to_string()))?;
        std::fs::write(meta_dir.join("meta.json"), meta).map_err(|e| Error::config(e.to_string()))?;
    }
    if let Some(config_json) = config_json {
        std::fs::write(dir.path().join("config.json"), config_json)
            .map_err(|e| Error::config(e.to_string()))?;
    }
    let mut vars = vec![("DOCKER_CONFIG", dir.path().display().to_string())];
    if let Some(context) = context {
        vars.push(("DOCKER_CONTEXT", context.to_owned()));
    }
    let config = EnvConfig::resolve(&vars.into_iter().collect::<Environment>())?;
    Ok(config.host.to_string())
}

type ContextCase = (
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
    O,
);

fn context_cases() -> Vec<ContextCase> {
    let docker = |endpoint: &'static str| -> Option<&'static str> { Some(endpoint) };
    let unix = O::Ok("unix:///var/run/docker.sock");
    vec![
        (
            None,
            Some("c"),
            docker(r#"{"Name":"c","Endpoints":{"docker":{"Host":"tcp://10.0.0.2:2375"}}}"#),
            O::Ok("tcp://10.0.0.2:2375"),
        ),
        (
            None,
            Some("c"),
            docker(r#"{"Endpoints":{"docker":{"Host":"tcp://[::1]:2375"}}}"#),
            O::Ok("tcp://[::1]:2375"),
        ),
        (
            None,
            Some("c"),
            docker(r#"{"Endpoints":{"docker":{"Host":"unix:///run/other.sock"}}}"#),
            O::Ok("unix:///run/other.sock"),
        ),
        (None, Some("c"), docker(r#"{"Endpoints":{"docker":{}}}"#), unix),
        (
            None,
            Some("c"),
            docker(r#"{"Endpoints":{"docker":{"Host":null}}}"#),
            unix,
        ),
        (
            None,
            Some("c"),
            docker(r#"{"Endpoints":{"docker":{"Host":""}}}"#),
            unix,
        ),
        (
            None,
            Some("c"),
            docker(r#"{"Endpoints":{"docker":{"Host":"tcp://h:2375","Extra":[1,2]}},"Metadata":{"x":1}}"#),
            O::Ok("tcp://h:2375"),
        ),
        (None, Some("default"), None, unix),
        (
            Some(r#"{"currentContext":"c"}"#),
            None,
            docker(r#"{"Endpoints":{"docker":{"Host":"tcp://h:1"}}}"#),
            O::Ok("tcp://h:1"),
        ),
        // A config.json the CLI would only warn about names no context.
        (Some("not json"), None, None, unix),
        (Some(r#"{"currentContext":42}"#), None, None, unix),
        (Some(r#"{"currentContext":""}"#), None, None, unix),
        (Some(""), None, None, unix),
        (None, Some("c"), None, O::Config(r#"context "c" not found"#)),
        (
            Some(r#"{"currentContext":"c"}"#),
            None,
            None,
            O::Config("list contexts with `docker context ls`"),
        ),
        (
            None,
            Some("c"),
            docker(r#"{"Endpoints":{}}"#),
            O::Config(r#"context "c" has no docker endpoint"#),
        ),
        (None, Some("c"), docker("{}"), O::Config("has no docker endpoint")),
        (
            None,
            Some("c"),
            docker(r#"{"Endpoints":{"kubernetes":{"Host":"x"}}}"#),
            O::Config("has no docker endpoint"),
        ),
        (
            None,
            Some("c"),
            docker(""),
            O::Config("is not valid: EOF while parsing"),
        ),
        (
            None,
            Some("c"),
            docker("not json"),
            O::Config("is not valid: expected ident"),
        ),
        // serde reads a struct from an array too: an empty one has no endpoint.
        (None, Some("c"), docker("[]"), O::Config("has no docker endpoint")),
        (
            None,
            Some("c"),
            docker(r#"{"Endpoints":[]}"#),
            O::Config("is not valid: invalid type: sequence, expected a map"),
        ),
        (
            None,
            Some("c"),
            docker(r#"{"Endpoints":null}"#),
            O::Config("is not valid"),
        ),
        (
            None,
            Some("c"),
            docker(r#"{"Endpoints":{"docker":"tcp://h"}}"#),
            O::Config("is not valid: invalid type: string"),
        ),
        (
            None,
            Some("c"),
            docker(r#"{"Endpoints":{"docker":{"Host":42}}}"#),
            O::Config("is not valid: invalid type: integer `42`, expected a string"),
        ),
        (
            None,
            Some("c"),
            docker(r#"{"Endpoints":{"docker":{"Host":"tcp://h","SkipTLSVerify":"yes"}}}"#),
            O::Config("expected a boolean"),
        ),
        (
            None,
            Some("c"),
            docker(r#"{"Endpoints":{"docker":{"Host":"udp://h"}}}"#),
            O::Config(r#"context "c": invalid Docker host "udp://h": unknown scheme"#),
        ),
        (
            None,
            Some("c"),
            docker(r#"{"Endpoints":{"docker":{"Host":"tcp://h:99999"}}}"#),
            O::Config(r#"context "c": invalid Docker host "tcp://h:99999": "99999" is not a port"#),
        ),
        (
            None,
            Some("c"),
            docker(r#"{"Endpoints":{"docker":{"Host":"tcp://me:hunter2-s3cret@h"}}}"#),
            O::Config("a TCP address takes no user or password"),
        ),
    ]
}

/// A build context directory: its files (a name ending in `/` is a
/// directory), the options, and the path given (relative to it).
struct BuildCase {
    files: Files,
    path: &'static str,
    dockerfile: Option<&'static str>,
    exclude: Option<&'static [&'static str]>,
    want: O,
}

type Files = &'static [(&'static str, &'static [u8])];

fn build_case(
    files: Files,
    path: &'static str,
    dockerfile: Option<&'static str>,
    exclude: Option<&'static [&'static str]>,
    want: O,
) -> BuildCase {
    BuildCase {
        files,
        path,
        dockerfile,
        exclude,
        want,
    }
}

fn build_context_cases() -> Vec<BuildCase> {
    let case = build_case;
    let dockerfile: Files = &[("Dockerfile", b"FROM scratch\n")];
    vec![
        case(dockerfile, ".", None, None, O::Ok("Dockerfile: Dockerfile")),
        case(
            &[("dockerfile", b"FROM scratch")],
            ".",
            None,
            None,
            O::Ok("dockerfile: dockerfile"),
        ),
        case(
            &[("Dockerfile", b""), (".dockerignore", b"*\n"), ("a", b"")],
            ".",
            None,
            None,
            O::Ok("Dockerfile: .dockerignore,Dockerfile"),
        ),
        case(
            &[
                ("Dockerfile", b""),
                (".dockerignore", b"\xff\xfe\n# comment\n"),
                ("a", b""),
            ],
            ".",
            None,
            None,
            O::Ok("Dockerfile: .dockerignore,Dockerfile,a"),
        ),
        case(
            &[("Dockerfile", b""), (".dockerignore", b"ok\n[\n")],
            ".",
            None,
            None,
            O::Invalid("dockerignore", r#"line 2: invalid pattern "[": unclosed ["#),
        ),
        case(
            &[("Dockerfile", b""), (".dockerignore/", b"")],
            ".",
            None,
            None,
            O::Invalid("path", ".dockerignore: Is a directory"),
        ),
        case(
            dockerfile,
            ".",
            None,
            Some(&["a", "!"]),
            O::Invalid("dockerignore", r#"line 2: invalid pattern "!": a lone "!""#),
        ),
        case(
            &[("a", b"")],
            ".",
            None,
            None,
            O::Invalid("dockerfile", "no Dockerfile in"),
        ),
        case(
            &[("Dockerfile/", b"")],
            ".",
            None,
            None,
            O::Invalid("dockerfile", "no Dockerfile in"),
        ),
        case(
            dockerfile,
            ".",
            Some("missing"),
            None,
            O::Invalid("dockerfile", "missing is not a file in the context"),
        ),
        case(
            &[("Dockerfile", b""), ("sub/", b"")],
            ".",
            Some("sub"),
            None,
            O::Invalid("dockerfile", "sub is not a file in the context"),
        ),
        case(
            &[("sub/Dockerfile.dev", b"FROM scratch")],
            ".",
            Some("sub/../sub/./Dockerfile.dev"),
            None,
            O::Ok("sub/Dockerfile.dev: sub,sub/Dockerfile.dev"),
        ),
        case(
            dockerfile,
            ".",
            Some("."),
            None,
            O::Invalid("dockerfile", "cannot read"),
        ),
        case(
            &[("ctx/a", b""), ("Dockerfile.outside", b"FROM scratch")],
            "ctx",
            Some("../Dockerfile.outside"),
            None,
            O::Ok("(outside): a"),
        ),
        case(
            &[("ctx/a", b"")],
            "ctx",
            Some("../nope"),
            None,
            O::Invalid("dockerfile", "cannot read"),
        ),
        case(
            dockerfile,
            "Dockerfile",
            None,
            None,
            O::Invalid("path", "is not a directory"),
        ),
        case(
            dockerfile,
            "missing",
            None,
            None,
            O::Invalid("path", "cannot read"),
        ),
    ]
}

fn build_context(case: &BuildCase) -> Result<String> {
    let dir = tempfile::tempdir().map_err(|e| Error::config(e.to_string()))?;
    for (name, contents) in case.files {
        let path = dir.path().join(name);
        let made = match name.strip_suffix('/') {
            Some(_) => std::fs::create_dir_all(&path),
            None => std::fs::create_dir_all(path.parent().unwrap_or(dir.path()))
                .and_then(|()| std::fs::write(&path, contents)),
        };
        made.map_err(|e| Error::config(e.to_string()))?;
    }
    let mut options = ContextOptions::new();
    if let Some(dockerfile) = case.dockerfile {
        options = options.dockerfile(dockerfile);
    }
    if let Some(exclude) = case.exclude {
        options = options.exclude(exclude.iter().copied());
    }
    let context = BuildContext::new(dir.path().join(case.path), &options)?;
    let name = if context.dockerfile().starts_with(".dockerfile.") {
        "(outside)"
    } else {
        context.dockerfile()
    };
    let paths: Vec<String> = context
        .included_paths()?
        .into_iter()
        .map(|p| p.display().to_string())
        .collect();
    Ok(format!("{name}: {}", paths.join(",")))
}

/// Config files on disk: `(DOCKER_CONFIG holds, dockercfg_path given)`,
/// each a file's bytes, `Some(b"/")` for a directory in its place.
type LoadCase = (Option<&'static [u8]>, Option<&'static [u8]>, O);

fn config_load_cases() -> Vec<LoadCase> {
    let directory: Option<&'static [u8]> = Some(b"/");
    vec![
        (None, None, O::Ok("")),
        (Some(b""), None, O::Ok("")),
        (
            Some(br#"{"auths":{"reg":{"auth":"bWU6cHc="}}}"#),
            None,
            O::Ok("reg:me:pw"),
        ),
        (Some(b"{}"), Some(br#"{"auths":{"given":{}}}"#), O::Ok("given::")),
        (Some(b"garbage"), None, O::Config("config.json: is neither JSON")),
        (
            None,
            Some(b"auth = !!\nemail = x"),
            O::Config("given.json: `auth` is not base64"),
        ),
        (
            Some(b"{\"auths\":{\"r\xff\":{}}}"),
            None,
            O::Config("cannot read docker config file"),
        ),
        (Some(b"\xef\xbb\xbf{}"), None, O::Ok("")),
        // A directory where the file would be is no file: skipped.
        (directory, None, O::Ok("")),
        (None, directory, O::Ok("")),
    ]
}

fn load_config(in_config_dir: Option<&[u8]>, given: Option<&[u8]>) -> Result<String> {
    let home = tempfile::tempdir().map_err(|e| Error::config(e.to_string()))?;
    let config_dir = home.path().join("config");
    let write = |path: &Path, contents: &[u8]| {
        let made = if contents == b"/" {
            std::fs::create_dir_all(path)
        } else {
            std::fs::write(path, contents)
        };
        made.map_err(|e| Error::config(e.to_string()))
    };
    std::fs::create_dir_all(&config_dir).map_err(|e| Error::config(e.to_string()))?;
    if let Some(contents) = in_config_dir {
        write(&config_dir.join("config.json"), contents)?;
    }
    let given_path = home.path().join("given.json");
    if let Some(contents) = given {
        write(&given_path, contents)?;
    }
    let env: Environment = [
        ("HOME", home.path().display().to_string()),
        ("DOCKER_CONFIG", config_dir.display().to_string()),
    ]
    .into_iter()
    .collect();
    let config = ConfigFile::load(&env, given.map(|_| given_path.as_path()))?;
    Ok(render_config(&config))
}

/// A self-signed certificate and its key, made for these tests only.
const CERT: &str = "-----BEGIN CERTIFICATE-----
MIIBijCCATGgAwIBAgIUNJ4K3mS2r01v3XojCRt+tEWko/swCgYIKoZIzj0EAwIw
GjEYMBYGA1UEAwwPZG9ja2VyLXNkayB0ZXN0MCAXDTI2MTEyNTAwNTc1NVoYDzIx
MjYxMTAxMDA1NzU1WjAaMRgwFgYDVQQDDA9kb2NrZXItc2RrIHRlc3QwWTATBgcq
hkjOPQIBBggqhkjOPQMBBwNCAAQAF+tWvSJcxCysP9Hxdie8BltuwMN5MYQ1eo8H
6UBBdrNuG+nRygSvQvLe/rJiJJbnpnV+zhDhOe8dxopamJ8Oo1MwUTAdBgNVHQ4E
FgQUB/DzZmJFuzhNOMbXFZTEIdgPS90wHwYDVR0jBBgwFoAUB/DzZmJFuzhNOMbX
FZTEIdgPS90wDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiAs5iyO
iGEICp5dte7s3E10zYdIBMu+e+DYlMchxwINewIgOqmGTQGFoVocGf0OT24mxOw+
YBunV0in2ac9DOlNMVA=
-----END CERTIFICATE-----
";

const KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgFqraR1tBdNFb26EX
ZqSdTmWw3o3LR4bGCkI7r/oa4GChRANCAAQAF+tWvSJcxCysP9Hxdie8BltuwMN5
MYQ1eo8H6UBBdrNuG+nRygSvQvLe/rJiJJbnpnV+zhDhOe8dxopamJ8O
-----END PRIVATE KEY-----
";

/// A key of another pair.
const OTHER_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgpxAH2MUiBRpF8r70
0pXwDu0VbT/v/5re58Y1SklZVOShRANCAAQx3ZHt9NVPbsMPaSgq11vqvts7iH7M
Mqmzehzf+2F3DazYPOyuVYYCrFWz4OEcmco45s2vNJlpZxVzO3IsHkJ/
-----END PRIVATE KEY-----
";

/// `ca.pem`, `cert.pem` and `key.pem` (each absent when `None`, a
/// directory when `"/"`), and whether the engine's certificate is verified.
struct TlsCase {
    ca: Option<&'static str>,
    cert: Option<&'static str>,
    key: Option<&'static str>,
    verify: bool,
    want: O,
}

fn tls_cases() -> Vec<TlsCase> {
    let case = |ca, cert, key, verify, want| TlsCase {
        ca,
        cert,
        key,
        verify,
        want,
    };
    let garbled = "-----BEGIN CERTIFICATE-----\n!!!! not base64 !!!!\n-----END CERTIFICATE-----\n";
    let not_der = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    let unterminated = "-----BEGIN CERTIFICATE-----\nMIIBijCCATGgAwIBAgIU\n";
    vec![
        case(Some(CERT), None, None, true, O::Ok("ready")),
        case(Some(CERT), Some(CERT), Some(KEY), true, O::Ok("ready")),
        case(None, Some(CERT), Some(KEY), false, O::Ok("ready")),
        case(None, None, None, false, O::Ok("ready")),
        case(
            Some(&"x"[..0]),
            None,
            None,
            true,
            O::Tls("ca.pem holds no certificate"),
        ),
        case(
            Some("hello\n"),
            None,
            None,
            true,
            O::Tls("ca.pem holds no certificate"),
        ),
        case(Some(KEY), None, None, true, O::Tls("ca.pem holds no certificate")),
        case(
            Some(garbled),
            None,
            None,
            true,
            O::Tls("ca.pem is not a PEM certificate file"),
        ),
        case(
            Some(unterminated),
            None,
            None,
            true,
            O::Tls("ca.pem is not a PEM certificate file"),
        ),
        case(
            Some(not_der),
            None,
            None,
            true,
            O::Tls("no usable CA certificate in"),
        ),
        case(Some("/"), None, None, true, O::Tls("ca.pem: Is a directory")),
        case(
            Some(CERT),
            Some(CERT),
            None,
            true,
            O::Tls("no usable private key in"),
        ),
        case(
            Some(CERT),
            Some(CERT),
            Some(""),
            true,
            O::Tls("no usable private key in"),
        ),
        case(
            Some(CERT),
            Some(CERT),
            Some(CERT),
            true,
            O::Tls("no usable private key in"),
        ),
        case(
            Some(CERT),
            Some(CERT),
            Some(OTHER_KEY),
            true,
            O::Tls("does not fit its key"),
        ),
        case(
            Some(CERT),
            Some(KEY),
            Some(KEY),
            true,
            O::Tls("cert.pem holds no certificate"),
        ),
        case(
            Some(CERT),
            Some(garbled),
            Some(KEY),
            true,
            O::Tls("cert.pem is not a PEM certificate file"),
        ),
    ]
}

fn tls_config(case: &TlsCase) -> Result<String> {
    let dir = tempfile::tempdir().map_err(|e| Error::config(e.to_string()))?;
    let place = |name: &str, contents: Option<&str>| -> Result<std::path::PathBuf> {
        let path = dir.path().join(name);
        let made = match contents {
            None => Ok(()),
            Some("/") => std::fs::create_dir(&path),
            Some(text) => std::fs::write(&path, text),
        };
        made.map_err(|e| Error::config(e.to_string()))?;
        Ok(path)
    };
    let mut tls = TlsConfig::new().verify(case.verify);
    let ca = place("ca.pem", case.ca)?;
    if case.ca.is_some() {
        tls = tls.ca_cert(ca);
    }
    let (cert, key) = (place("cert.pem", case.cert)?, place("key.pem", case.key)?);
    if case.cert.is_some() {
        tls = tls.client_cert(cert, key);
    }
    tls.to_rustls().map(|_| "ready".to_owned())
}

pub(super) fn case_count() -> usize {
    config_cases().len()
        + config_load_cases().len()
        + dockerignore_cases().len()
        + context_cases().len()
        + build_context_cases().len()
        + tls_cases().len()
}

#[test]
fn config_files() {
    let mut report = Report::new("config.json").never_showing(SECRET);
    for (index, (text, want)) in config_cases().into_iter().enumerate() {
        report.run(index, &text, want, || {
            ConfigFile::parse(&text, Path::new("/cfg/config.json")).map(|c| render_config(&c))
        });
    }
    report.finish();
}

#[test]
fn dockerignore_files() {
    let mut report = Report::new(".dockerignore");
    for (index, (contents, path, want)) in dockerignore_cases().into_iter().enumerate() {
        // Long generated files are named by their length.
        let shown = if contents.len() > 200 {
            format!(
                "{} bytes, {} lines; path {path:?}",
                contents.len(),
                contents.lines().count()
            )
        } else {
            format!("{contents:?}; path {path:?}")
        };
        let started = Instant::now();
        report.run(index, &shown, want, || {
            let ignore = Dockerignore::parse(contents.as_bytes())?;
            Ok(if ignore.is_excluded(path) {
                "excluded"
            } else {
                "included"
            }
            .to_owned())
        });
        // Generous for a debug build on a busy machine; a backtracking
        // matcher takes minutes on these.
        let took = started.elapsed();
        if took > Duration::from_secs(5) {
            report.check(index, &shown, O::Ok("fast"), Ok(format!("took {took:?}")));
        }
    }
    report.finish();
}

#[test]
fn context_metadata() {
    let mut report = Report::new("contexts").never_showing(SECRET);
    for (index, (config_json, context, meta, want)) in context_cases().into_iter().enumerate() {
        let input = (config_json, context, meta);
        report.run(index, &input, want, || {
            resolve_context(config_json, context, meta)
        });
    }
    report.finish();
}

#[test]
fn build_contexts() {
    let mut report = Report::new("build contexts");
    for (index, case) in build_context_cases().iter().enumerate() {
        let input = (case.files, case.path, case.dockerfile, case.exclude);
        report.run(index, &input, case.want, || build_context(case));
    }
    report.finish();
}

#[test]
fn config_files_on_disk() {
    let mut report = Report::new("config files on disk");
    for (index, (in_config_dir, given, want)) in config_load_cases().into_iter().enumerate() {
        let input = (
            in_config_dir.map(<[u8]>::escape_ascii).map(|e| e.to_string()),
            given.map(<[u8]>::escape_ascii).map(|e| e.to_string()),
        );
        report.run(index, &input, want, || load_config(in_config_dir, given));
    }
    report.finish();
}

#[test]
fn tls_files() {
    let mut report = Report::new("TLS files");
    for (index, case) in tls_cases().iter().enumerate() {
        let input = (case.ca, case.cert, case.key, case.verify);
        report.run(index, &input, case.want, || tls_config(case));
    }
    report.finish();
}
