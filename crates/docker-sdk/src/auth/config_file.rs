//! `config.json` and the legacy `.dockercfg`: where they are, and what they
//! say about credentials and proxies.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde_json::{Map, Value};

use super::AuthConfig;
use crate::config::Environment;
use crate::error::{Error, Result};
use crate::reference::{INDEX_URL, normalise_registry, registry_key};
use crate::secret::Secret;

/// The file's name in the configuration directory.
const CONFIG_FILE_NAME: &str = "config.json";

/// The legacy file's name in the home directory.
const LEGACY_FILE_NAME: &str = ".dockercfg";

/// Keys the docker CLI writes at the top of `config.json`. A file without
/// any of them whose every value is an object is the legacy flat format, a
/// map of registries to credentials (`.dockercfg` in JSON).
const CLI_KEYS: [&str; 27] = [
    "auths",
    "HttpHeaders",
    "psFormat",
    "imagesFormat",
    "networksFormat",
    "pluginsFormat",
    "volumesFormat",
    "statsFormat",
    "detachKeys",
    "credsStore",
    "credHelpers",
    "serviceInspectFormat",
    "servicesFormat",
    "tasksFormat",
    "secretFormat",
    "configFormat",
    "nodesFormat",
    "pruneFilters",
    "proxies",
    "currentContext",
    "cliPluginsExtraDirs",
    "plugins",
    "aliases",
    "features",
    "experimental",
    "kubernetes",
    "stackOrchestrator",
];

/// Base64 as the CLI writes `auth` (standard alphabet), read whether or not
/// the padding is there.
const AUTH_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The file docker-py would read, in its order: `dockercfg_path`, then
/// `config.json` in the configuration directory (`DOCKER_CONFIG`, else
/// `~/.docker`), then the legacy `.dockercfg` beside that directory when it
/// is a `.docker` directory (`~/.dockercfg`). The first that is a file
/// wins; none is `None`.
///
/// Unlike docker-py, a `DOCKER_CONFIG` directory without `config.json` does
/// not fall back to `~/.docker/config.json`: `DOCKER_CONFIG` replaces the
/// directory, as it does for the docker CLI.
pub fn find_config_file(env: &Environment, dockercfg_path: Option<&Path>) -> Option<PathBuf> {
    candidates(dockercfg_path, env.config_dir().as_deref())
        .into_iter()
        .find(|path| path.is_file())
}

/// The paths [`find_config_file`] tries, in order.
fn candidates(dockercfg_path: Option<&Path>, config_dir: Option<&Path>) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = dockercfg_path.map(Path::to_path_buf).into_iter().collect();
    if let Some(dir) = config_dir {
        paths.push(dir.join(CONFIG_FILE_NAME));
        // `~/.dockercfg` sits beside `~/.docker`; a DOCKER_CONFIG directory
        // of another name says nothing of where the home directory is.
        if dir.file_name().is_some_and(|name| name == ".docker")
            && let Some(home) = dir.parent()
        {
            paths.push(home.join(LEGACY_FILE_NAME));
        }
    }
    paths
}

/// What a docker configuration file says about registries: credentials
/// (`auths`), credential helpers (`credsStore`, `credHelpers`) and proxies.
///
/// The rules, those of the docker CLI where docker-py is more lenient (it
/// silently reads a broken file as empty, which turns a typo into anonymous
/// pulls):
///
/// * no file, or an empty one (as the CLI allows), holds nothing;
/// * a file that is neither JSON nor the legacy `auth = …` / `email = …`
///   text, whose top is not a JSON object, or whose known keys hold the
///   wrong types, is an [`Error::Config`] naming the file and the key;
/// * an `auth` that is not base64 of `user:password` (the password may hold
///   `:`) is an error too, as in the CLI and docker-py; `""` means none;
/// * entries are objects; unknown keys in them are ignored, and one holding
///   no credentials (`{}`, as the CLI writes beside a `credsStore`) gives
///   none;
/// * an entry's server address is its key (the file's `serveraddress` is
///   ignored, as both clients do).
///
/// Errors never quote a credential.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfigFile {
    path: Option<PathBuf>,
    auths: BTreeMap<String, AuthConfig>,
    creds_store: Option<String>,
    cred_helpers: BTreeMap<String, String>,
    proxies: BTreeMap<String, ProxyConfig>,
}

impl ConfigFile {
    /// Reads the file [`find_config_file`] finds; none found holds nothing.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when the file found cannot be read or is malformed.
    pub fn load(env: &Environment, dockercfg_path: Option<&Path>) -> Result<Self> {
        match find_config_file(env, dockercfg_path) {
            Some(path) => Self::from_path(&path),
            None => Ok(Self::default()),
        }
    }

    /// Reads `path`, as `config.json` or as a legacy `.dockercfg` (JSON or
    /// text), whatever its name.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when the file cannot be read (a missing one
    /// included) or is malformed.
    pub fn from_path(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::config(format!("cannot read docker config file {}: {e}", path.display())))?;
        Self::parse(&text, path)
    }

    /// Parses `text`, the content of the file at `path` (named in errors).
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when the text is malformed.
    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        let error = |what: String| Error::config(format!("docker config file {}: {what}", path.display()));
        let mut config = parse_text(text.trim_start_matches('\u{feff}')).map_err(error)?;
        config.path = Some(path.to_path_buf());
        Ok(config)
    }

    /// The file this was read from, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The credentials of `auths`, by their keys as written (registry hosts
    /// or URLs), entries without credentials included.
    pub fn auths(&self) -> &BTreeMap<String, AuthConfig> {
        &self.auths
    }

    /// `credsStore`: the helper holding every registry's credentials, if
    /// set (`docker-credential-<name>`).
    pub fn creds_store(&self) -> Option<&str> {
        self.creds_store.as_deref()
    }

    /// `credHelpers`: helpers for single registries, by registry key.
    pub fn cred_helpers(&self) -> &BTreeMap<String, String> {
        &self.cred_helpers
    }

    /// `proxies`, by engine address (or `default`).
    pub fn proxies(&self) -> &BTreeMap<String, ProxyConfig> {
        &self.proxies
    }

    /// Whether the file names no credentials and no helper (docker-py's
    /// `AuthConfig.is_empty`).
    pub fn is_empty(&self) -> bool {
        self.auths.is_empty() && self.creds_store.is_none() && self.cred_helpers.is_empty()
    }

    /// The helper to ask for `registry`'s credentials (docker-py's
    /// `get_credential_store`): its `credHelpers` entry, else `credsStore`.
    /// Keys match as registries do (`https://index.docker.io/v1/` is Docker
    /// Hub, schemes and paths are ignored), an exact key first.
    pub fn credential_store(&self, registry: &str) -> Option<&str> {
        let host = normalise_registry(registry);
        let key = registry_key(&host);
        self.cred_helpers
            .get(&key)
            .or_else(|| self.cred_helpers.get(&host))
            .or_else(|| {
                self.cred_helpers
                    .iter()
                    .find(|(name, _)| normalise_registry(name) == host)
                    .map(|(_, helper)| helper)
            })
            .or(self.creds_store.as_ref())
            .map(String::as_str)
    }

    /// The `auths` entry for `registry`, matched as docker-py does: the key
    /// equal to the registry's host first, then any key naming the same
    /// host (`https://index.docker.io/v1/` ↔ `docker.io`,
    /// `http://my.registry.net/v1/` ↔ `my.registry.net`).
    pub fn auth_entry(&self, registry: &str) -> Option<&AuthConfig> {
        let host = normalise_registry(registry);
        self.auths.get(&host).or_else(|| {
            self.auths
                .iter()
                .find(|(key, _)| normalise_registry(key) == host)
                .map(|(_, entry)| entry)
        })
    }

    /// The proxies for the engine at `host` (its address as given to the
    /// client): `proxies[host]` if the file has it, else
    /// `proxies.default`, else none (docker-py's `use_config_proxy`).
    pub fn proxy_config(&self, host: Option<&str>) -> ProxyConfig {
        host.and_then(|host| self.proxies.get(host))
            .or_else(|| self.proxies.get("default"))
            .cloned()
            .unwrap_or_default()
    }

    /// The `KEY=value` environment entries of [`ConfigFile::proxy_config`],
    /// as [`ProxyConfig::environment`] gives them.
    pub fn proxy_environment(&self, host: Option<&str>) -> Vec<String> {
        self.proxy_config(host).environment()
    }
}

/// One engine's proxies from `config.json`'s `proxies`.
///
/// `Debug` hides any `user:password@` in the URLs.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ProxyConfig {
    /// `httpProxy`.
    pub http: Option<String>,
    /// `httpsProxy`.
    pub https: Option<String>,
    /// `ftpProxy`.
    pub ftp: Option<String>,
    /// `noProxy`.
    pub no_proxy: Option<String>,
}

impl ProxyConfig {
    /// Whether no proxy is set.
    pub fn is_empty(&self) -> bool {
        self.entries().next().is_none()
    }

    /// The environment entries that set these proxies in a container or a
    /// build, as docker-py's `ProxyConfig.get_environment` gives them: each
    /// set value under its lowercase and uppercase name, in the order
    /// `http_proxy`, `HTTP_PROXY`, `https_proxy`, `HTTPS_PROXY`, `ftp_proxy`,
    /// `FTP_PROXY`, `no_proxy`, `NO_PROXY`.
    pub fn environment(&self) -> Vec<String> {
        self.entries()
            .flat_map(|(name, value)| {
                [
                    format!("{name}={value}"),
                    format!("{}={value}", name.to_ascii_uppercase()),
                ]
            })
            .collect()
    }

    /// `environment` with these proxies' entries in front, so that its own
    /// entries win (docker-py's `inject_proxy_environment`).
    pub fn inject_into(&self, environment: &[String]) -> Vec<String> {
        let mut all = self.environment();
        all.extend(environment.iter().cloned());
        all
    }

    fn entries(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("http_proxy", &self.http),
            ("https_proxy", &self.https),
            ("ftp_proxy", &self.ftp),
            ("no_proxy", &self.no_proxy),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.as_deref().filter(|v| !v.is_empty()).map(|v| (name, v)))
    }
}

impl fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hidden = |value: &Option<String>| value.as_deref().map(without_user_info);
        f.debug_struct("ProxyConfig")
            .field("http", &hidden(&self.http))
            .field("https", &hidden(&self.https))
            .field("ftp", &hidden(&self.ftp))
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

/// A proxy URL with its `user:password@` replaced, since proxies often
/// carry credentials.
fn without_user_info(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, url),
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return url.to_owned();
    };
    let hidden = format!("<redacted>@{}", &rest[at + 1..]);
    match scheme {
        Some(scheme) => format!("{scheme}://{hidden}"),
        None => hidden,
    }
}

/// The file's content, read as JSON, else as the legacy text format.
fn parse_text(text: &str) -> std::result::Result<ConfigFile, String> {
    if text.trim().is_empty() {
        return Ok(ConfigFile::default());
    }
    let value: Value = match serde_json::from_str(text) {
        Ok(value) => value,
        // serde_json's syntax errors give a position, never the text.
        Err(_) if looks_like_legacy_text(text) => return parse_legacy_text(text),
        Err(e) => return Err(format!("is neither JSON ({e}) nor the legacy `auth = …` format")),
    };
    let Value::Object(top) = value else {
        return Err("is not a JSON object".to_owned());
    };
    let is_flat =
        !top.keys().any(|key| CLI_KEYS.contains(&key.as_str())) && top.values().all(Value::is_object);
    if is_flat {
        return Ok(ConfigFile {
            auths: parse_auths(&top, "")?,
            ..ConfigFile::default()
        });
    }
    let mut config = ConfigFile::default();
    match top.get("auths") {
        None | Some(Value::Null) => {}
        Some(Value::Object(auths)) => config.auths = parse_auths(auths, "auths")?,
        Some(_) => return Err("`auths` is not an object".to_owned()),
    }
    match top.get("credsStore") {
        None | Some(Value::Null) => {}
        Some(Value::String(name)) if name.is_empty() => {}
        Some(Value::String(name)) => config.creds_store = Some(helper_name(name, "credsStore")?),
        Some(_) => return Err("`credsStore` is not a string".to_owned()),
    }
    match top.get("credHelpers") {
        None | Some(Value::Null) => {}
        Some(Value::Object(helpers)) => {
            for (registry, helper) in helpers {
                let place = format!("credHelpers[{registry:?}]");
                match helper {
                    Value::String(name) if name.is_empty() => {}
                    Value::String(name) => {
                        config
                            .cred_helpers
                            .insert(registry.clone(), helper_name(name, &place)?);
                    }
                    _ => return Err(format!("`{place}` is not a string")),
                }
            }
        }
        Some(_) => return Err("`credHelpers` is not an object".to_owned()),
    }
    match top.get("proxies") {
        None | Some(Value::Null) => {}
        Some(Value::Object(proxies)) => {
            for (host, proxy) in proxies {
                let place = format!("proxies[{host:?}]");
                let Value::Object(proxy) = proxy else {
                    return Err(format!("`{place}` is not an object"));
                };
                let field = |name: &str| string_field(proxy, name, &place);
                config.proxies.insert(
                    host.clone(),
                    ProxyConfig {
                        http: field("httpProxy")?,
                        https: field("httpsProxy")?,
                        ftp: field("ftpProxy")?,
                        no_proxy: field("noProxy")?,
                    },
                );
            }
        }
        Some(_) => return Err("`proxies` is not an object".to_owned()),
    }
    Ok(config)
}

/// A helper's name, which becomes part of a program name: a path in it
/// would run something else.
fn helper_name(name: &str, place: &str) -> std::result::Result<String, String> {
    if super::credential_helper::is_helper_name(name) {
        Ok(name.to_owned())
    } else {
        Err(format!("`{place}` ({name:?}) is not a credential helper name"))
    }
}

/// `auths` (or a legacy flat file): registry → entry.
fn parse_auths(
    entries: &Map<String, Value>,
    section: &str,
) -> std::result::Result<BTreeMap<String, AuthConfig>, String> {
    let mut auths = BTreeMap::new();
    for (registry, entry) in entries {
        let place = if section.is_empty() {
            format!("[{registry:?}]")
        } else {
            format!("{section}[{registry:?}]")
        };
        let Value::Object(entry) = entry else {
            return Err(format!("`{place}` is not an object"));
        };
        auths.insert(registry.clone(), parse_entry(registry, entry, &place)?);
    }
    Ok(auths)
}

/// One registry's entry, with the CLI's reading: `auth` (base64 of
/// `user:password`) wins over `username` and `password`.
fn parse_entry(
    registry: &str,
    entry: &Map<String, Value>,
    place: &str,
) -> std::result::Result<AuthConfig, String> {
    let field = |name: &str| string_field(entry, name, place);
    let mut username = field("username")?;
    let mut password = field("password")?;
    // Only its type matters: the key is the server address.
    field("serveraddress")?;
    if let Some(auth) = field("auth")? {
        let (user, pass) = decode_auth(&auth).map_err(|what| format!("`{place}.auth` {what}"))?;
        username = Some(user);
        password = Some(pass).filter(|p| !p.is_empty());
    }
    Ok(AuthConfig {
        username,
        password: password.map(Secret::from),
        email: field("email")?,
        server_address: Some(registry.to_owned()),
        identity_token: field("identitytoken")?.map(Secret::from),
        registry_token: field("registrytoken")?.map(Secret::from),
    })
}

/// A string field: missing, `null` and `""` are none; another type is an
/// error that names the field but never its value.
fn string_field(
    object: &Map<String, Value>,
    name: &str,
    place: &str,
) -> std::result::Result<Option<String>, String> {
    match object.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone()).filter(|t| !t.is_empty())),
        Some(_) => Err(format!("`{place}.{name}` is not a string")),
    }
}

/// `auth`: base64 of `user:password`, split at the first `:` (a password
/// may hold more). Errors say what is wrong, never what was there.
fn decode_auth(auth: &str) -> std::result::Result<(String, String), String> {
    let bytes = AUTH_BASE64
        .decode(auth.trim())
        .map_err(|_| "is not base64".to_owned())?;
    let text = String::from_utf8(bytes).map_err(|_| "does not decode to UTF-8 text".to_owned())?;
    let (user, password) = text
        .split_once(':')
        .ok_or_else(|| "does not decode to user:password (it has no ':')".to_owned())?;
    if user.is_empty() {
        return Err("decodes to an empty user name".to_owned());
    }
    // The CLI trims NULs that some writers left after the password.
    Ok((user.to_owned(), password.trim_matches('\0').to_owned()))
}

/// Whether text that is not JSON is the legacy `.dockercfg` format, whose
/// first line is `auth = <base64>`.
fn looks_like_legacy_text(text: &str) -> bool {
    text.lines()
        .find(|line| !line.trim().is_empty())
        .and_then(|line| line.split_once('='))
        .is_some_and(|(key, _)| key.trim() == "auth")
}

/// The legacy text format: `auth = <base64>` then `email = <address>`, for
/// Docker Hub. Spaces around the `=` are optional (base64 holds `=`, but
/// never in a key).
fn parse_legacy_text(text: &str) -> std::result::Result<ConfigFile, String> {
    let mut lines = text.lines().map(str::trim).filter(|line| !line.is_empty());
    let mut value = |key: &str| {
        lines
            .next()
            .and_then(|line| line.split_once('='))
            .filter(|(found, _)| found.trim() == key)
            .map(|(_, value)| value.trim().to_owned())
            .ok_or_else(|| format!("is in the legacy format but has no `{key} = …` line where expected"))
    };
    let auth = value("auth")?;
    let email = value("email")?;
    let (username, password) = decode_auth(&auth).map_err(|what| format!("`auth` {what}"))?;
    let entry = AuthConfig {
        username: Some(username),
        password: Some(password).filter(|p| !p.is_empty()).map(Secret::from),
        email: Some(email).filter(|e| !e.is_empty()),
        server_address: Some(INDEX_URL.to_owned()),
        identity_token: None,
        registry_token: None,
    };
    Ok(ConfigFile {
        auths: BTreeMap::from([(INDEX_URL.to_owned(), entry)]),
        ..ConfigFile::default()
    })
}

#[cfg(test)]
mod tests {
    use base64::engine::general_purpose::STANDARD;

    use super::*;

    /// A password that must never show in any message.
    const PASSWORD: &str = "izayoi-hunter2";

    fn b64(text: &[u8]) -> String {
        STANDARD.encode(text)
    }

    fn parse(text: &str) -> Result<ConfigFile> {
        ConfigFile::parse(text, Path::new("/cfg/config.json"))
    }

    /// One line per fact, to compare whole files in a table.
    fn summary(config: &ConfigFile) -> Vec<String> {
        let show =
            |secret: &Option<Secret>| secret.as_ref().map_or("-".to_owned(), |s| s.expose().to_owned());
        let mut lines: Vec<String> = config
            .auths()
            .iter()
            .map(|(key, auth)| {
                format!(
                    "auth {key} user={} pass={} email={} server={} token={} rtoken={}",
                    auth.username.as_deref().unwrap_or("-"),
                    show(&auth.password),
                    auth.email.as_deref().unwrap_or("-"),
                    auth.server_address.as_deref().unwrap_or("-"),
                    show(&auth.identity_token),
                    show(&auth.registry_token),
                )
            })
            .collect();
        lines.extend(config.creds_store().map(|s| format!("store {s}")));
        lines.extend(
            config
                .cred_helpers()
                .iter()
                .map(|(r, h)| format!("helper {r}={h}")),
        );
        lines.extend(
            config
                .proxies()
                .iter()
                .map(|(host, proxy)| format!("proxy {host} {}", proxy.environment().join(" "))),
        );
        lines
    }

    #[test]
    fn config_files_read_as_the_cli_and_docker_py_read_them() {
        let sakuya = b64(format!("sakuya:{PASSWORD}").as_bytes());
        let cases: Vec<(&str, String, Vec<&str>)> = vec![
            ("empty file", String::new(), vec![]),
            ("blank lines", "\n  \n".into(), vec![]),
            ("empty object", "{}".into(), vec![]),
            (
                "modern auths with auth and email",
                format!(r#"{{"auths": {{"https://index.docker.io/v1/": {{"auth": "{sakuya}", "email": "sakuya@scarlet.net"}}}}}}"#),
                vec!["auth https://index.docker.io/v1/ user=sakuya pass=izayoi-hunter2 email=sakuya@scarlet.net server=https://index.docker.io/v1/ token=- rtoken=-"],
            ),
            (
                "a password holding colons",
                format!(r#"{{"auths": {{"r.io": {{"auth": "{}"}}}}}}"#, b64(b"sakuya:iza:yo:i")),
                vec!["auth r.io user=sakuya pass=iza:yo:i email=- server=r.io token=- rtoken=-"],
            ),
            (
                "UTF-8 user and password",
                format!(r#"{{"auths": {{"r.io": {{"auth": "{}"}}}}}}"#, b64("sakuyaæ:izayoiæ".as_bytes())),
                vec!["auth r.io user=sakuyaæ pass=izayoiæ email=- server=r.io token=- rtoken=-"],
            ),
            (
                "auth without padding",
                format!(r#"{{"auths": {{"r.io": {{"auth": "{}"}}}}}}"#, b64(b"ab:c").trim_end_matches('=')),
                vec!["auth r.io user=ab pass=c email=- server=r.io token=- rtoken=-"],
            ),
            (
                "NULs after the password are trimmed",
                format!(r#"{{"auths": {{"r.io": {{"auth": "{}"}}}}}}"#, b64(b"ab:cd\0\0")),
                vec!["auth r.io user=ab pass=cd email=- server=r.io token=- rtoken=-"],
            ),
            (
                "username and password fields",
                r#"{"auths": {"r.io": {"username": "reimu", "password": "hakurei"}}}"#.into(),
                vec!["auth r.io user=reimu pass=hakurei email=- server=r.io token=- rtoken=-"],
            ),
            (
                "auth wins over the fields",
                format!(r#"{{"auths": {{"r.io": {{"auth": "{sakuya}", "username": "reimu", "password": "x"}}}}}}"#),
                vec!["auth r.io user=sakuya pass=izayoi-hunter2 email=- server=r.io token=- rtoken=-"],
            ),
            (
                "identity token beside an auth without password",
                format!(
                    r#"{{"auths": {{"scarlet.net": {{"auth": "{}", "identitytoken": "1ce1cebb-503e"}}}}}}"#,
                    b64(b"sakuya:")
                ),
                vec!["auth scarlet.net user=sakuya pass=- email=- server=scarlet.net token=1ce1cebb-503e rtoken=-"],
            ),
            (
                "registry token",
                r#"{"auths": {"r.io": {"registrytoken": "bearer-1"}}}"#.into(),
                vec!["auth r.io user=- pass=- email=- server=r.io token=- rtoken=bearer-1"],
            ),
            (
                "serveraddress is the key, whatever the file says",
                r#"{"auths": {"r.io": {"username": "u", "serveraddress": "elsewhere.io"}}}"#.into(),
                vec!["auth r.io user=u pass=- email=- server=r.io token=- rtoken=-"],
            ),
            (
                "an empty entry, as beside a credsStore",
                r#"{"auths": {"https://index.docker.io/v1/": {}}, "credsStore": "desktop"}"#.into(),
                vec![
                    "auth https://index.docker.io/v1/ user=- pass=- email=- server=https://index.docker.io/v1/ token=- rtoken=-",
                    "store desktop",
                ],
            ),
            (
                "unknown keys in an entry are ignored",
                r#"{"auths": {"scarlet.net": {"sakuya": "izayoi"}}}"#.into(),
                vec!["auth scarlet.net user=- pass=- email=- server=scarlet.net token=- rtoken=-"],
            ),
            (
                "empty and null fields are none",
                r#"{"auths": {"r.io": {"auth": "", "email": null, "username": ""}}}"#.into(),
                vec!["auth r.io user=- pass=- email=- server=r.io token=- rtoken=-"],
            ),
            ("null sections", r#"{"auths": null, "credsStore": null, "credHelpers": null, "proxies": null}"#.into(), vec![]),
            ("an empty credsStore is none", r#"{"credsStore": ""}"#.into(), vec![]),
            ("CLI settings only", r#"{"detachKeys": "ctrl-q, ctrl-u, ctrl-i", "currentContext": "x"}"#.into(), vec![]),
            (
                "CLI object settings are not registries",
                r#"{"HttpHeaders": {"Name": "Spike"}, "aliases": {"builder": "buildx"}}"#.into(),
                vec![],
            ),
            (
                "helpers",
                r#"{"credsStore": "secretservice", "credHelpers": {"registry1.io": "truesecret", "https://index.docker.io/v1/": "powerlock"}}"#.into(),
                vec![
                    "store secretservice",
                    "helper https://index.docker.io/v1/=powerlock",
                    "helper registry1.io=truesecret",
                ],
            ),
            (
                "proxies",
                r#"{"proxies": {"default": {"httpProxy": "http://p:3128", "noProxy": "localhost", "allProxy": "x"}, "tcp://h:2376": {"httpsProxy": "https://q"}}}"#.into(),
                vec![
                    "proxy default http_proxy=http://p:3128 HTTP_PROXY=http://p:3128 no_proxy=localhost NO_PROXY=localhost",
                    "proxy tcp://h:2376 https_proxy=https://q HTTPS_PROXY=https://q",
                ],
            ),
            (
                "legacy flat JSON (.dockercfg)",
                format!(r#"{{"https://your.private.registry.io": {{"auth": "{sakuya}", "email": "sakuya@scarlet.net"}}}}"#),
                vec!["auth https://your.private.registry.io user=sakuya pass=izayoi-hunter2 email=sakuya@scarlet.net server=https://your.private.registry.io token=- rtoken=-"],
            ),
            (
                "legacy text format",
                format!("auth = {sakuya}\nemail = sakuya@scarlet.net"),
                vec!["auth https://index.docker.io/v1/ user=sakuya pass=izayoi-hunter2 email=sakuya@scarlet.net server=https://index.docker.io/v1/ token=- rtoken=-"],
            ),
            (
                "legacy text with CRLF and a final newline",
                format!("auth = {sakuya}\r\nemail = \r\n"),
                vec!["auth https://index.docker.io/v1/ user=sakuya pass=izayoi-hunter2 email=- server=https://index.docker.io/v1/ token=- rtoken=-"],
            ),
            (
                "a byte-order mark",
                "\u{feff}{\"credsStore\": \"pass\"}".into(),
                vec!["store pass"],
            ),
        ];
        for (case, text, expected) in cases {
            let config = parse(&text).unwrap_or_else(|e| panic!("{case}: {e}"));
            assert_eq!(summary(&config), expected, "{case}");
            assert_eq!(config.path(), Some(Path::new("/cfg/config.json")), "{case}");
            assert!(
                !format!("{config:?}").contains(PASSWORD),
                "{case}: Debug shows the password"
            );
        }
    }

    #[test]
    fn malformed_config_files_are_config_errors_naming_file_and_key() {
        let no_colon = b64(format!("sakuya{PASSWORD}").as_bytes());
        let cases: Vec<(&str, String, &str)> = vec![
            ("not JSON", "sakuya izayoi".into(), "is neither JSON"),
            ("truncated JSON", r#"{"auths": {"#.into(), "is neither JSON"),
            ("a JSON list", "[1, 2]".into(), "is not a JSON object"),
            ("a JSON string", r#""auths""#.into(), "is not a JSON object"),
            (
                "auths a list",
                r#"{"auths": []}"#.into(),
                "`auths` is not an object",
            ),
            (
                "an entry a string",
                r#"{"auths": {"r.io": "x"}}"#.into(),
                r#"`auths["r.io"]` is not an object"#,
            ),
            (
                "auth a number",
                r#"{"auths": {"r.io": {"auth": 5}}}"#.into(),
                r#"`auths["r.io"].auth` is not a string"#,
            ),
            (
                "username a boolean",
                r#"{"auths": {"r.io": {"username": true}}}"#.into(),
                ".username` is not a string",
            ),
            (
                "password a list",
                r#"{"auths": {"r.io": {"password": ["x"]}}}"#.into(),
                ".password` is not a string",
            ),
            (
                "identitytoken an object",
                r#"{"auths": {"r.io": {"identitytoken": {}}}}"#.into(),
                ".identitytoken` is not a string",
            ),
            (
                "email a number",
                r#"{"auths": {"r.io": {"email": 1}}}"#.into(),
                ".email` is not a string",
            ),
            (
                "serveraddress a number",
                r#"{"auths": {"r.io": {"serveraddress": 1}}}"#.into(),
                ".serveraddress` is not a string",
            ),
            (
                "auth not base64",
                r#"{"auths": {"r.io": {"auth": "!!!not base64!!!"}}}"#.into(),
                ".auth` is not base64",
            ),
            (
                "auth without a colon",
                format!(r#"{{"auths": {{"r.io": {{"auth": "{no_colon}"}}}}}}"#),
                "has no ':'",
            ),
            (
                "auth with an empty user",
                format!(
                    r#"{{"auths": {{"r.io": {{"auth": "{}"}}}}}}"#,
                    b64(format!(":{PASSWORD}").as_bytes())
                ),
                "empty user name",
            ),
            (
                "auth not UTF-8",
                format!(r#"{{"auths": {{"r.io": {{"auth": "{}"}}}}}}"#, b64(b"\xff\xfe:x")),
                "UTF-8",
            ),
            (
                "credsStore a number",
                r#"{"credsStore": 5}"#.into(),
                "`credsStore` is not a string",
            ),
            (
                "credsStore a path",
                r#"{"credsStore": "../../bin/sh"}"#.into(),
                "is not a credential helper name",
            ),
            (
                "credHelpers a list",
                r#"{"credHelpers": ["pass"]}"#.into(),
                "`credHelpers` is not an object",
            ),
            (
                "a credHelper a number",
                r#"{"credHelpers": {"r.io": 1}}"#.into(),
                r#"`credHelpers["r.io"]` is not a string"#,
            ),
            (
                "a credHelper a path",
                r#"{"credHelpers": {"r.io": "/bin/sh"}}"#.into(),
                "is not a credential helper name",
            ),
            (
                "proxies a string",
                r#"{"proxies": "http://p"}"#.into(),
                "`proxies` is not an object",
            ),
            (
                "a proxy a number",
                r#"{"proxies": {"default": 1}}"#.into(),
                r#"`proxies["default"]` is not an object"#,
            ),
            (
                "httpProxy a number",
                r#"{"proxies": {"default": {"httpProxy": 1}}}"#.into(),
                ".httpProxy` is not a string",
            ),
            (
                "legacy flat JSON, bad auth",
                r#"{"r.io": {"auth": "%%%"}}"#.into(),
                r#"`["r.io"].auth` is not base64"#,
            ),
            (
                "legacy text without email",
                format!("auth = {no_colon}"),
                "no `email = …` line",
            ),
            (
                "legacy text, bad auth",
                "auth = %%%\nemail = a@b".into(),
                "`auth` is not base64",
            ),
            (
                "legacy text, no colon",
                format!("auth = {no_colon}\nemail = a@b"),
                "has no ':'",
            ),
        ];
        for (case, text, needle) in cases {
            match parse(&text) {
                Err(Error::Config { message }) => {
                    assert!(message.contains("/cfg/config.json"), "{case}: {message}");
                    assert!(message.contains(needle), "{case}: {message:?} lacks {needle:?}");
                    assert!(!message.contains(PASSWORD), "{case}: {message}");
                    assert!(!message.contains(&no_colon), "{case}: {message}");
                }
                other => panic!("{case}: expected a config error, got {other:?}"),
            }
        }
    }

    #[test]
    fn config_files_are_found_in_docker_py_order() {
        let root = tempfile::tempdir().unwrap();
        let dir = |name: &str| {
            let path = root.path().join(name);
            std::fs::create_dir_all(&path).unwrap();
            path
        };
        let file = |path: PathBuf| {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "{}").unwrap();
            path
        };
        let full_home = dir("full");
        let modern = file(full_home.join(".docker/config.json"));
        let legacy_in_full = file(full_home.join(".dockercfg"));
        let legacy_home = dir("legacy");
        let legacy = file(legacy_home.join(".dockercfg"));
        let empty_home = dir("empty");
        let docker_config = dir("elsewhere");
        let in_docker_config = file(docker_config.join("config.json"));
        let bare_docker_config = dir("bare");
        let explicit = file(root.path().join("my-config-file.json"));
        let missing = root.path().join("missing.json");
        let home = |path: &Path| ("HOME".to_owned(), path.display().to_string());
        let docker = |path: &Path| ("DOCKER_CONFIG".to_owned(), path.display().to_string());

        type Vars = Vec<(String, String)>;
        // (case, environment, dockercfg_path, file found)
        let cases: Vec<(&str, Vars, Option<&Path>, Option<&Path>)> = vec![
            (
                "explicit",
                vec![home(&full_home)],
                Some(&explicit),
                Some(&explicit),
            ),
            (
                "explicit missing",
                vec![home(&full_home)],
                Some(&missing),
                Some(&modern),
            ),
            (
                "explicit a directory",
                vec![home(&full_home)],
                Some(root.path()),
                Some(&modern),
            ),
            (
                "DOCKER_CONFIG",
                vec![home(&full_home), docker(&docker_config)],
                None,
                Some(&in_docker_config),
            ),
            (
                "HOME: config.json before .dockercfg",
                vec![home(&full_home)],
                None,
                Some(&modern),
            ),
            (
                "HOME: legacy .dockercfg",
                vec![home(&legacy_home)],
                None,
                Some(&legacy),
            ),
            ("nothing", vec![home(&empty_home)], None, None),
            // DOCKER_CONFIG replaces ~/.docker, as for the CLI.
            (
                "DOCKER_CONFIG without config.json",
                vec![home(&full_home), docker(&bare_docker_config)],
                None,
                None,
            ),
            (
                "DOCKER_CONFIG a .docker directory",
                vec![home(&empty_home), docker(&full_home.join(".docker"))],
                None,
                Some(&modern),
            ),
        ];
        for (case, vars, dockercfg_path, expected) in cases {
            let env: Environment = vars.into_iter().collect();
            assert_eq!(
                find_config_file(&env, dockercfg_path).as_deref(),
                expected,
                "{case}"
            );
        }
        let _ = legacy_in_full;
    }

    #[test]
    fn loading_reads_the_file_found_or_nothing() {
        let home = tempfile::tempdir().unwrap();
        let env: Environment = [("HOME", home.path().display().to_string())]
            .into_iter()
            .collect();
        assert_eq!(ConfigFile::load(&env, None).unwrap(), ConfigFile::default());

        let legacy = home.path().join(".dockercfg");
        std::fs::write(
            &legacy,
            format!("auth = {}\nemail = sakuya@scarlet.net", b64(b"sakuya:izayoi")),
        )
        .unwrap();
        let config = ConfigFile::load(&env, None).unwrap();
        assert_eq!(config.path(), Some(legacy.as_path()));
        assert_eq!(
            config.auth_entry("docker.io").and_then(|a| a.username.as_deref()),
            Some("sakuya")
        );

        std::fs::write(&legacy, "{\"auths\": 3}").unwrap();
        match ConfigFile::load(&env, None) {
            Err(Error::Config { message }) => assert!(message.contains(".dockercfg"), "{message}"),
            other => panic!("expected a config error, got {other:?}"),
        }
        match ConfigFile::from_path(&home.path().join("none.json")) {
            Err(Error::Config { message }) => assert!(message.contains("cannot read"), "{message}"),
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    /// docker-py's `ResolveAuthTest`, on the `auths` part.
    #[test]
    fn registries_match_auths_entries_as_docker_py_matches_them() {
        let user = |name: &str| b64(format!("{name}:").as_bytes());
        let config = parse(&format!(
            r#"{{"auths": {{
                "https://index.docker.io/v1/": {{"auth": "{}"}},
                "my.registry.net": {{"auth": "{}"}},
                "http://legacy.registry.url/v1/": {{"auth": "{}"}}
            }}}}"#,
            user("indexuser"),
            user("privateuser"),
            user("legacyauth"),
        ))
        .unwrap();
        let cases = [
            ("my.registry.net", Some("privateuser")),
            ("my.registry.net/v1/", Some("privateuser")),
            ("http://my.registry.net", Some("privateuser")),
            ("http://my.registry.net/", Some("privateuser")),
            ("https://my.registry.net", Some("privateuser")),
            ("https://my.registry.net/v1/", Some("privateuser")),
            ("http://my.registry.net/v1/", Some("privateuser")),
            ("http://index.docker.io", Some("indexuser")),
            ("", Some("indexuser")),
            ("docker.io", Some("indexuser")),
            ("index.docker.io", Some("indexuser")),
            ("registry-1.docker.io", Some("indexuser")),
            ("legacy.registry.url", Some("legacyauth")),
            ("does.not.exist", None),
            ("my.registry.net:5000", None),
        ];
        for (registry, expected) in cases {
            let found = config.auth_entry(registry).and_then(|a| a.username.as_deref());
            assert_eq!(found, expected, "{registry:?}");
        }
        // The registry of an image, as docker-py's resolve_repository_name gives it.
        let images = [
            ("image", Some("indexuser")),
            ("username/image", Some("indexuser")),
            ("docker.io/username/image", Some("indexuser")),
            ("index.docker.io/username/image", Some("indexuser")),
            ("my.registry.net/image", Some("privateuser")),
            ("other.registry.net/image", None),
        ];
        for (image, expected) in images {
            let registry = crate::reference::ImageReference::parse(image).unwrap();
            let found = config
                .auth_entry(registry.registry())
                .and_then(|a| a.username.as_deref());
            assert_eq!(found, expected, "{image}");
        }
    }

    /// What login checks before asking the engine: the user the file holds
    /// for the registry.
    #[test]
    fn login_finds_the_user_of_a_registry() {
        let config = parse(&format!(
            r#"{{"auths": {{"https://index.docker.io/v1/": {{"auth": "{}"}}, "localhost:5000": {{"username": "me"}}}}}}"#,
            b64(b"sakuya:izayoi")
        ))
        .unwrap();
        let cases = [
            ("docker.io", Some("sakuya")),
            ("localhost:5000", Some("me")),
            ("http://localhost:5000/v2/", Some("me")),
            ("other:1", None),
        ];
        for (registry, expected) in cases {
            let user = config.auth_entry(registry).and_then(|a| a.username.as_deref());
            assert_eq!(user, expected, "{registry}");
        }
    }

    /// docker-py's `get_credential_store` tests.
    #[test]
    fn registries_pick_their_helper_then_the_store() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            (
                r#"{"credHelpers": {"registry1.io": "truesecret", "registry2.io": "powerlock"}, "credsStore": "blackbox"}"#,
                "registry1.io",
                Some("truesecret"),
            ),
            (
                r#"{"credHelpers": {"registry1.io": "truesecret", "registry2.io": "powerlock"}, "credsStore": "blackbox"}"#,
                "registry2.io",
                Some("powerlock"),
            ),
            (
                r#"{"credHelpers": {"registry1.io": "truesecret", "registry2.io": "powerlock"}, "credsStore": "blackbox"}"#,
                "registry3.io",
                Some("blackbox"),
            ),
            (
                r#"{"credHelpers": {"registry1.io": "truesecret"}}"#,
                "registry1.io",
                Some("truesecret"),
            ),
            (
                r#"{"credHelpers": {"registry1.io": "truesecret"}}"#,
                "registry3.io",
                None,
            ),
            (
                r#"{"credHelpers": {"https://index.docker.io/v1/": "powerlock"}, "credsStore": "truesecret"}"#,
                "",
                Some("powerlock"),
            ),
            (
                r#"{"credHelpers": {"https://index.docker.io/v1/": "powerlock"}, "credsStore": "truesecret"}"#,
                "docker.io",
                Some("powerlock"),
            ),
            (
                r#"{"credHelpers": {"https://index.docker.io/v1/": "powerlock"}, "credsStore": "truesecret"}"#,
                "images.io",
                Some("truesecret"),
            ),
            (
                r#"{"credHelpers": {"https://gensokyo.jp/v2": "g"}}"#,
                "gensokyo.jp",
                Some("g"),
            ),
            (
                r#"{"credHelpers": {"gensokyo.jp": "g"}}"#,
                "https://gensokyo.jp/v2/",
                Some("g"),
            ),
            (r#"{"credsStore": "desktop"}"#, "localhost:5000", Some("desktop")),
            (r#"{}"#, "localhost:5000", None),
        ];
        for (text, registry, expected) in cases {
            let config = parse(text).unwrap();
            assert_eq!(
                config.credential_store(registry),
                *expected,
                "{text} {registry:?}"
            );
        }
    }

    #[test]
    fn proxies_become_environment_entries_as_docker_py_makes_them() {
        let full = ProxyConfig {
            http: Some("http://test:80".into()),
            https: Some("https://test:443".into()),
            ftp: Some("ftp://user:password@host:23".into()),
            no_proxy: Some("localhost,.localdomain".into()),
        };
        let cases: Vec<(ProxyConfig, Vec<&str>)> = vec![
            (ProxyConfig::default(), vec![]),
            (
                full.clone(),
                vec![
                    "http_proxy=http://test:80",
                    "HTTP_PROXY=http://test:80",
                    "https_proxy=https://test:443",
                    "HTTPS_PROXY=https://test:443",
                    "ftp_proxy=ftp://user:password@host:23",
                    "FTP_PROXY=ftp://user:password@host:23",
                    "no_proxy=localhost,.localdomain",
                    "NO_PROXY=localhost,.localdomain",
                ],
            ),
            (
                ProxyConfig {
                    https: Some("https://p".into()),
                    http: Some(String::new()),
                    ..ProxyConfig::default()
                },
                vec!["https_proxy=https://p", "HTTPS_PROXY=https://p"],
            ),
        ];
        for (proxy, expected) in cases {
            assert_eq!(proxy.environment(), expected, "{proxy:?}");
            assert_eq!(proxy.is_empty(), expected.is_empty(), "{proxy:?}");
        }
        let given = vec!["FOO=BAR".to_owned(), "HTTP_PROXY=mine".to_owned()];
        let injected = full.inject_into(&given);
        assert_eq!(injected.len(), 10);
        assert_eq!(&injected[8..], &given[..]);
        assert_eq!(ProxyConfig::default().inject_into(&given), given);

        let shown = format!("{full:?}");
        assert!(!shown.contains("password"), "{shown}");
        assert!(shown.contains("ftp://<redacted>@host:23"), "{shown}");
    }

    #[test]
    fn the_engines_own_proxies_come_before_the_default() {
        let config = parse(
            r#"{"proxies": {"default": {"httpProxy": "http://d"}, "unix:///var/run/docker.sock": {"httpProxy": "http://s"}}}"#,
        )
        .unwrap();
        let cases = [
            (
                Some("unix:///var/run/docker.sock"),
                vec!["http_proxy=http://s", "HTTP_PROXY=http://s"],
            ),
            (
                Some("tcp://other:2375"),
                vec!["http_proxy=http://d", "HTTP_PROXY=http://d"],
            ),
            (None, vec!["http_proxy=http://d", "HTTP_PROXY=http://d"]),
        ];
        for (host, expected) in cases {
            assert_eq!(config.proxy_environment(host), expected, "{host:?}");
        }
        assert!(parse("{}").unwrap().proxy_environment(None).is_empty());
    }

    #[test]
    fn user_info_is_hidden_in_proxy_urls() {
        let cases = [
            ("http://u:p@proxy:3128/x", "http://<redacted>@proxy:3128/x"),
            ("u:p@proxy:3128", "<redacted>@proxy:3128"),
            ("http://proxy:3128", "http://proxy:3128"),
            ("http://proxy/a@b", "http://proxy/a@b"),
        ];
        for (url, expected) in cases {
            assert_eq!(without_user_info(url), expected, "{url}");
        }
    }
}
