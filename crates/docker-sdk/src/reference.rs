//! Image references, `[registry/]repository[:tag][@digest]`, split and
//! checked as the docker CLI's reference grammar (`distribution/reference`)
//! does, and the registry each one lives in, as docker-py resolves it to
//! find credentials.
//!
//! The registry is the first path component when it can only be a host: it
//! is `localhost`, or holds a `.` or a `:` (a port), or has an uppercase
//! letter (repository paths are lowercase, so the engine reads such a
//! component as a host too). Anything else is a repository on Docker Hub,
//! whose names `docker.io`, `index.docker.io` and `registry-1.docker.io`
//! all stand for [`INDEX_NAME`].
//!
//! ```
//! use docker_sdk::reference::ImageReference;
//!
//! let image: ImageReference = "localhost:5000/team/app:v1".parse()?;
//! assert_eq!(image.registry(), "localhost:5000");
//! assert_eq!(image.repository(), "team/app");
//! assert_eq!(image.tag(), Some("v1"));
//! assert_eq!(image.to_string(), "localhost:5000/team/app:v1");
//!
//! let hub = ImageReference::parse("index.docker.io/library/ubuntu")?;
//! assert_eq!(hub.registry(), "docker.io");
//! assert_eq!(hub.registry_key(), "https://index.docker.io/v1/");
//! # Ok::<(), docker_sdk::Error>(())
//! ```

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// Docker Hub's registry name, as docker-py and the CLI call it.
pub const INDEX_NAME: &str = "docker.io";

/// The key of Docker Hub's credentials in `config.json` and in credential
/// helpers (the old index's URL, which every docker client still uses).
pub const INDEX_URL: &str = "https://index.docker.io/v1/";

/// Names of Docker Hub's registry that mean [`INDEX_NAME`].
const HUB_ALIASES: [&str; 3] = [INDEX_NAME, "index.docker.io", "registry-1.docker.io"];

/// The longest repository path the grammar allows, `library/` included.
const MAX_PATH_LENGTH: usize = 255;

/// The longest tag the grammar allows.
const MAX_TAG_LENGTH: usize = 128;

/// A parsed image reference: where the image lives, its repository, and the
/// tag and digest it was named with.
///
/// Parsing checks what the engine would refuse: lowercase path components
/// joined by `.`, `_`, `__` or dashes; a host of DNS labels, an IPv4
/// address or a bracketed IPv6 address, with an optional port; a tag of
/// at most 128 letters, digits, `_`, `.` and `-` (not starting with `.` or
/// `-`); a digest `algorithm:hex` with a sha256 (64 hex digits), sha384
/// (96) or sha512 (128) checksum in lowercase. A 64-digit hexadecimal
/// string alone is an image ID, not a reference.
///
/// A name with both a tag and a digest keeps both, as the engine accepts
/// (it pulls by the digest).
///
/// `Display` writes the reference back in its short form, which parses to
/// the same value: Docker Hub is left out unless the repository's first
/// component would read as a host.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ImageReference {
    registry: String,
    repository: String,
    tag: Option<String>,
    digest: Option<String>,
}

impl ImageReference {
    /// Parses `reference`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRepository`] naming the reference and what is wrong
    /// with it.
    pub fn parse(reference: &str) -> Result<Self> {
        let invalid = |reason: String| Error::InvalidRepository {
            name: reference.to_owned(),
            reason,
        };
        check_whole(reference).map_err(invalid)?;

        // A digest comes last and nothing before it holds an `@`.
        let (rest, digest) = match reference.split_once('@') {
            Some((rest, digest)) => (rest, Some(digest)),
            None => (reference, None),
        };
        let (name, tag) = split_tag(rest);
        let (domain, path) = split_domain(name);

        if let Some(domain) = domain {
            check_domain(domain).map_err(invalid)?;
        }
        let registry = domain.map_or(INDEX_NAME, hub_alias);
        check_path(path, registry == INDEX_NAME).map_err(invalid)?;
        if let Some(tag) = tag {
            check_tag(tag).map_err(invalid)?;
        }
        if let Some(digest) = digest {
            check_digest(digest).map_err(invalid)?;
        }
        Ok(ImageReference {
            registry: registry.to_owned(),
            repository: path.to_owned(),
            tag: tag.map(str::to_owned),
            digest: digest.map(str::to_owned),
        })
    }

    /// The registry's host, with its port if one was given: `docker.io` for
    /// Docker Hub, whichever of its names was written.
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The repository within the registry, as written: `ubuntu`,
    /// `library/ubuntu` and `team/app` (Docker Hub's `library/` is neither
    /// added nor removed).
    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// The tag, if one was given (the engine takes `latest` when neither a
    /// tag nor a digest is).
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The digest, such as `sha256:…`, if one was given.
    pub fn digest(&self) -> Option<&str> {
        self.digest.as_deref()
    }

    /// Whether the image lives on Docker Hub.
    pub fn is_docker_hub(&self) -> bool {
        self.registry == INDEX_NAME
    }

    /// The name without tag or digest, in the short form `Display` uses:
    /// what the engine takes as `fromImage` or an image name.
    pub fn name(&self) -> String {
        if self.is_docker_hub() && !hub_path_needs_registry(&self.repository) {
            self.repository.clone()
        } else {
            format!("{}/{}", self.registry, self.repository)
        }
    }

    /// The key of this registry's credentials in `config.json` and
    /// credential helpers: [`INDEX_URL`] for Docker Hub, else the host (and
    /// port).
    pub fn registry_key(&self) -> &str {
        if self.is_docker_hub() {
            INDEX_URL
        } else {
            &self.registry
        }
    }
}

impl FromStr for ImageReference {
    type Err = Error;

    fn from_str(reference: &str) -> Result<Self> {
        ImageReference::parse(reference)
    }
}

impl fmt::Display for ImageReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

/// docker-py's `parse_repository_tag`: splits `name` into the repository and
/// the tag or digest, without checking either. A digest wins over a tag
/// (`repo:tag@sha256:…` gives `repo:tag` and the digest, as in docker-py);
/// a `:` followed by a `/` is a registry's port, not a tag.
///
/// ```
/// use docker_sdk::reference::parse_repository_tag;
///
/// assert_eq!(parse_repository_tag("localhost:5000/app"), ("localhost:5000/app", None));
/// assert_eq!(parse_repository_tag("app:v1"), ("app", Some("v1")));
/// ```
pub fn parse_repository_tag(name: &str) -> (&str, Option<&str>) {
    if let Some((repository, digest)) = name.rsplit_once('@') {
        return (repository, Some(digest));
    }
    match name.rsplit_once(':') {
        Some((repository, tag)) if !tag.contains('/') => (repository, Some(tag)),
        _ => (name, None),
    }
}

/// docker-py's `resolve_repository_name`: the registry `name` lives in
/// (normalised as [`normalise_registry`] does) and the rest of the name.
/// Only the registry part is checked; [`ImageReference::parse`] checks it
/// all.
///
/// ```
/// use docker_sdk::reference::resolve_repository_name;
///
/// assert_eq!(resolve_repository_name("index.docker.io/image")?, ("docker.io".into(), "image".into()));
/// assert_eq!(resolve_repository_name("hostname:5000/user/image")?, ("hostname:5000".into(), "user/image".into()));
/// # Ok::<(), docker_sdk::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::InvalidRepository`] for a name with a scheme (`https://…`) or a
/// registry starting or ending with a hyphen.
pub fn resolve_repository_name(name: &str) -> Result<(String, String)> {
    let invalid = |reason: &str| Error::InvalidRepository {
        name: name.to_owned(),
        reason: reason.to_owned(),
    };
    if name.contains("://") {
        return Err(invalid(
            "a repository name cannot contain a scheme (such as https://)",
        ));
    }
    match split_domain(name) {
        (Some(domain), _) if domain.starts_with('-') || domain.ends_with('-') => {
            Err(invalid("the registry cannot begin or end with a hyphen"))
        }
        (Some(domain), rest) => Ok((normalise_registry(domain), rest.to_owned())),
        (None, rest) => Ok((INDEX_NAME.to_owned(), rest.to_owned())),
    }
}

/// A registry as written by a user or as a `config.json` key, reduced to the
/// host (and port) it names, as docker-py's `resolve_index_name` does: no
/// scheme, nothing from the first `/` on, and Docker Hub's names (or none)
/// as [`INDEX_NAME`].
///
/// ```
/// use docker_sdk::reference::normalise_registry;
///
/// assert_eq!(normalise_registry("https://index.docker.io/v1/"), "docker.io");
/// assert_eq!(normalise_registry("http://my.registry.net/v1/"), "my.registry.net");
/// ```
pub fn normalise_registry(registry: &str) -> String {
    let without_scheme = registry
        .strip_prefix("https://")
        .or_else(|| registry.strip_prefix("http://"))
        .unwrap_or(registry);
    let host = without_scheme.split('/').next().unwrap_or_default();
    if host.is_empty() {
        return INDEX_NAME.to_owned();
    }
    hub_alias(host).to_owned()
}

/// The key of `registry`'s credentials in `config.json` and credential
/// helpers: [`INDEX_URL`] for Docker Hub (or no registry), else the
/// normalised host.
///
/// ```
/// use docker_sdk::reference::registry_key;
///
/// assert_eq!(registry_key("docker.io"), "https://index.docker.io/v1/");
/// assert_eq!(registry_key("https://localhost:5000/v2/"), "localhost:5000");
/// ```
pub fn registry_key(registry: &str) -> String {
    match normalise_registry(registry) {
        host if host == INDEX_NAME => INDEX_URL.to_owned(),
        host => host,
    }
}

/// Docker Hub's other names as [`INDEX_NAME`]; any other host as it is.
fn hub_alias(host: &str) -> &str {
    if HUB_ALIASES.contains(&host) {
        INDEX_NAME
    } else {
        host
    }
}

/// Checks that need the whole reference.
fn check_whole(reference: &str) -> Result<(), String> {
    if reference.is_empty() {
        return Err("the reference is empty".to_owned());
    }
    if reference.contains("://") {
        return Err("a repository name cannot contain a scheme (such as https://)".to_owned());
    }
    if is_image_id(reference) {
        return Err("a 64-character hexadecimal string is an image ID, not a repository name".to_owned());
    }
    Ok(())
}

/// Splits `name:tag` at the last `:` after the last `/` (a `:` before a `/`
/// is a registry's port).
fn split_tag(name: &str) -> (&str, Option<&str>) {
    let last_component = name.rfind('/').map_or(0, |slash| slash + 1);
    match name[last_component..].rfind(':') {
        Some(colon) => {
            let colon = last_component + colon;
            (&name[..colon], Some(&name[colon + 1..]))
        }
        None => (name, None),
    }
}

/// Splits off the registry, as the CLI's `splitDockerDomain` decides: the
/// first component is a host when it is `localhost`, holds a `.` or a `:`,
/// or is not lowercase.
fn split_domain(name: &str) -> (Option<&str>, &str) {
    match name.split_once('/') {
        Some((first, rest))
            if first == "localhost"
                || first.contains(['.', ':'])
                || first.bytes().any(|b| b.is_ascii_uppercase()) =>
        {
            (Some(first), rest)
        }
        _ => (None, name),
    }
}

/// Whether a Docker Hub path must be written after `docker.io/` to read
/// back as one: its first component would otherwise be taken for a host,
/// or the whole for an image ID.
fn hub_path_needs_registry(path: &str) -> bool {
    matches!(split_domain(path), (Some(_), _)) || is_image_id(path)
}

/// 64 lowercase hexadecimal digits: an image ID.
fn is_image_id(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// `host[:port]`: DNS labels (letters, digits, inner dashes) joined by dots,
/// or an IPv6 address in brackets; a port is digits.
fn check_domain(domain: &str) -> Result<(), String> {
    let bad = || {
        Err(format!(
            "registry {domain:?} is not a host name, IPv4 address or [IPv6] address with an optional :port"
        ))
    };
    let port = if let Some(inner) = domain.strip_prefix('[') {
        let Some((address, after)) = inner.split_once(']') else {
            return bad();
        };
        if address.is_empty() || !address.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
            return bad();
        }
        if after.is_empty() {
            None
        } else {
            match after.strip_prefix(':') {
                Some(port) => Some(port),
                None => return bad(),
            }
        }
    } else {
        let (host, port) = match domain.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (domain, None),
        };
        if !host.split('.').all(is_domain_label) {
            return bad();
        }
        port
    };
    match port {
        Some(port) if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) => bad(),
        _ => Ok(()),
    }
}

fn is_domain_label(label: &str) -> bool {
    let bytes = label.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && bytes.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        }
        _ => false,
    }
}

/// Path components: lowercase letters and digits, joined within a component
/// by one `.`, one or two `_`, or any number of `-`.
fn check_path(path: &str, on_docker_hub: bool) -> Result<(), String> {
    if path.is_empty() {
        return Err("the repository name is empty".to_owned());
    }
    if path.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(format!("repository name {path:?} must be lowercase"));
    }
    for component in path.split('/') {
        if component.is_empty() {
            return Err(format!("repository name {path:?} has an empty path component"));
        }
        if !is_path_component(component) {
            return Err(format!(
                "path component {component:?} must be lowercase letters and digits, \
                 joined by one '.', one or two '_', or dashes"
            ));
        }
    }
    // Docker Hub stores one-component names under `library/`, and the limit
    // counts it.
    let length = if on_docker_hub && !path.contains('/') {
        path.len() + "library/".len()
    } else {
        path.len()
    };
    if length > MAX_PATH_LENGTH {
        return Err(format!(
            "repository name must not be more than {MAX_PATH_LENGTH} characters"
        ));
    }
    Ok(())
}

fn is_path_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let mut i = 0;
    loop {
        // A run of letters and digits…
        let start = i;
        while i < bytes.len() && alnum(bytes[i]) {
            i += 1;
        }
        if i == start {
            return false;
        }
        if i == bytes.len() {
            return true;
        }
        // …then a separator before the next run.
        let separator_start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        match &component[separator_start..i] {
            "." | "_" | "__" => {}
            dashes if dashes.bytes().all(|b| b == b'-') => {}
            _ => return false,
        }
    }
}

/// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
fn check_tag(tag: &str) -> Result<(), String> {
    if tag.is_empty() {
        return Err("the tag after ':' is empty".to_owned());
    }
    if tag.len() > MAX_TAG_LENGTH {
        return Err(format!(
            "tag must not be more than {MAX_TAG_LENGTH} characters (it has {})",
            tag.len()
        ));
    }
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let bytes = tag.as_bytes();
    if !word(bytes[0]) || !bytes.iter().all(|&b| word(b) || b == b'.' || b == b'-') {
        return Err(format!(
            "tag {tag:?} may only hold letters, digits, '_', '.' and '-', and cannot start with '.' or '-'"
        ));
    }
    Ok(())
}

/// `algorithm:hex`, as the grammar and the engine's digest package check
/// it: a known algorithm and a lowercase checksum of its length.
fn check_digest(digest: &str) -> Result<(), String> {
    let bad_format = || {
        Err(format!(
            "digest {digest:?} is not algorithm:hex (such as sha256: and 64 hexadecimal digits)"
        ))
    };
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return bad_format();
    };
    let algorithm_ok = !algorithm.is_empty()
        && algorithm.split(['-', '_', '+', '.']).all(|part| {
            let mut bytes = part.bytes();
            bytes.next().is_some_and(|b| b.is_ascii_alphabetic()) && bytes.all(|b| b.is_ascii_alphanumeric())
        });
    if !algorithm_ok || hex.len() < 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return bad_format();
    }
    let expected = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => {
            return Err(format!(
                "digest algorithm {algorithm:?} is not supported (sha256, sha384 or sha512)"
            ));
        }
    };
    if hex.len() != expected {
        return Err(format!(
            "a {algorithm} digest has {expected} hexadecimal digits, not {}",
            hex.len()
        ));
    }
    if hex.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(format!(
            "the digest's hexadecimal digits must be lowercase: {digest:?}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const FF: &str = "sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

    /// (input, registry, repository, tag, digest)
    type Good = (
        String,
        &'static str,
        String,
        Option<&'static str>,
        Option<&'static str>,
    );

    fn good(
        input: impl Into<String>,
        registry: &'static str,
        repository: impl Into<String>,
        tag: Option<&'static str>,
        digest: Option<&'static str>,
    ) -> Good {
        (input.into(), registry, repository.into(), tag, digest)
    }

    #[test]
    fn references_parse_as_the_grammar_and_docker_py_split_them() {
        let long_tag: &'static str = "t".repeat(128).leak();
        let cases = vec![
            // docker-py's parse_repository_tag cases.
            good("root", INDEX_NAME, "root", None, None),
            good("root:tag", INDEX_NAME, "root", Some("tag"), None),
            good("user/repo", INDEX_NAME, "user/repo", None, None),
            good("user/repo:tag", INDEX_NAME, "user/repo", Some("tag"), None),
            good("url:5000/repo", "url:5000", "repo", None, None),
            good("url:5000/repo:tag", "url:5000", "repo", Some("tag"), None),
            good(format!("root@{SHA}"), INDEX_NAME, "root", None, Some(SHA)),
            good(
                format!("url:5000/repo@{SHA}"),
                "url:5000",
                "repo",
                None,
                Some(SHA),
            ),
            // docker-py's resolve_repository_name cases.
            good("image.valid", INDEX_NAME, "image.valid", None, None),
            good("docker.io/image", INDEX_NAME, "image", None, None),
            good("index.docker.io/image", INDEX_NAME, "image", None, None),
            good(
                "registry-1.docker.io/library/ubuntu",
                INDEX_NAME,
                "library/ubuntu",
                None,
                None,
            ),
            good("my.registry.net/image", "my.registry.net", "image", None, None),
            good(
                "my.registry.net:5000/image",
                "my.registry.net:5000",
                "image",
                None,
                None,
            ),
            good(
                "my.registry.net/username/image",
                "my.registry.net",
                "username/image",
                None,
                None,
            ),
            good("hostname:5000/image", "hostname:5000", "image", None, None),
            good(
                "hostname:5000/username/image",
                "hostname:5000",
                "username/image",
                None,
                None,
            ),
            good("localhost/image", "localhost", "image", None, None),
            good(
                "localhost/username/image",
                "localhost",
                "username/image",
                None,
                None,
            ),
            // A port is not a tag; both, and a digest, together.
            good("localhost:5000/app", "localhost:5000", "app", None, None),
            good(
                format!("localhost:5000/app:v1@{SHA}"),
                "localhost:5000",
                "app",
                Some("v1"),
                Some(SHA),
            ),
            // distribution's reference tests.
            good("test_com", INDEX_NAME, "test_com", None, None),
            good("test.com:tag", INDEX_NAME, "test.com", Some("tag"), None),
            good("test.com:5000", INDEX_NAME, "test.com", Some("5000"), None),
            good("test.com/repo:tag", "test.com", "repo", Some("tag"), None),
            good(
                format!("test:5000/repo@{FF}"),
                "test:5000",
                "repo",
                None,
                Some(FF),
            ),
            good(
                format!("test:5000/repo:tag@{FF}"),
                "test:5000",
                "repo",
                Some("tag"),
                Some(FF),
            ),
            good(
                "lowercase:Uppercase",
                INDEX_NAME,
                "lowercase",
                Some("Uppercase"),
                None,
            ),
            good(
                "sub-dom1.foo.com/bar/baz/quux",
                "sub-dom1.foo.com",
                "bar/baz/quux",
                None,
                None,
            ),
            good(
                "sub-dom1.foo.com/bar/baz/quux:some-long-tag",
                "sub-dom1.foo.com",
                "bar/baz/quux",
                Some("some-long-tag"),
                None,
            ),
            good(
                "b.gcr.io/test.example.com/my-app:test.example.com",
                "b.gcr.io",
                "test.example.com/my-app",
                Some("test.example.com"),
                None,
            ),
            good(
                "xn--n3h.com/myimage:xn--n3h.com",
                "xn--n3h.com",
                "myimage",
                Some("xn--n3h.com"),
                None,
            ),
            good("foo_bar.com:8080", INDEX_NAME, "foo_bar.com", Some("8080"), None),
            good(
                "foo/foo_bar.com:8080",
                INDEX_NAME,
                "foo/foo_bar.com",
                Some("8080"),
                None,
            ),
            good("192.168.1.1", INDEX_NAME, "192.168.1.1", None, None),
            good("192.168.1.1:5000", INDEX_NAME, "192.168.1.1", Some("5000"), None),
            good("192.168.1.1/repo", "192.168.1.1", "repo", None, None),
            good(
                "192.168.1.1:5000/repo:5050",
                "192.168.1.1:5000",
                "repo",
                Some("5050"),
                None,
            ),
            good("[2001:db8::1]/repo", "[2001:db8::1]", "repo", None, None),
            good(
                "[2001:db8:1:2:3:4:5:6]/repo:tag",
                "[2001:db8:1:2:3:4:5:6]",
                "repo",
                Some("tag"),
                None,
            ),
            good(
                "[2001:db8::1]:5000/repo",
                "[2001:db8::1]:5000",
                "repo",
                None,
                None,
            ),
            good(
                format!("[::1]:5000/repo:tag@{FF}"),
                "[::1]:5000",
                "repo",
                Some("tag"),
                Some(FF),
            ),
            good(
                format!("example.com/{}:tag", "a".repeat(255)),
                "example.com",
                "a".repeat(255),
                Some("tag"),
                None,
            ),
            good(
                format!("{}a:tag-puts-this-over-max", "a/".repeat(127)),
                INDEX_NAME,
                format!("{}a", "a/".repeat(127)),
                Some("tag-puts-this-over-max"),
                None,
            ),
            // distribution's normalisation tests: separators and hosts.
            good(
                "docker-rules/docker",
                INDEX_NAME,
                "docker-rules/docker",
                None,
                None,
            ),
            good(
                "docker---rules/docker",
                INDEX_NAME,
                "docker---rules/docker",
                None,
                None,
            ),
            good("dock__er/docker", INDEX_NAME, "dock__er/docker", None, None),
            good("d/docker", INDEX_NAME, "d/docker", None, None),
            good(
                "LOCALDOMAIN/library/debian",
                "LOCALDOMAIN",
                "library/debian",
                None,
                None,
            ),
            good("Docker/docker", "Docker", "docker", None, None),
            good(
                "docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
                INDEX_NAME,
                "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
                None,
                None,
            ),
            good(
                "[fc00:1:2:3:4:5:6:7]:5000/library/debian",
                "[fc00:1:2:3:4:5:6:7]:5000",
                "library/debian",
                None,
                None,
            ),
            // `localhost` alone is a repository on Docker Hub, `:5000` its tag.
            good("localhost", INDEX_NAME, "localhost", None, None),
            good("localhost:5000", INDEX_NAME, "localhost", Some("5000"), None),
            // Tags: up to 128 word characters, dots and dashes.
            good(format!("app:{long_tag}"), INDEX_NAME, "app", Some(long_tag), None),
            good("app:_private", INDEX_NAME, "app", Some("_private"), None),
            good("app:1.0-RC_2", INDEX_NAME, "app", Some("1.0-RC_2"), None),
            // sha384 and sha512 are known to the engine.
            good(
                "app@sha512:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
                INDEX_NAME,
                "app",
                None,
                Some(
                    "sha512:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
                ),
            ),
        ];
        for (input, registry, repository, tag, digest) in &cases {
            let parsed = ImageReference::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(parsed.registry(), *registry, "{input}: registry");
            assert_eq!(parsed.repository(), repository, "{input}: repository");
            assert_eq!(parsed.tag(), *tag, "{input}: tag");
            assert_eq!(parsed.digest(), *digest, "{input}: digest");
            // Display writes a reference that parses back to the same value.
            let shown = parsed.to_string();
            assert_eq!(
                ImageReference::parse(&shown).ok().as_ref(),
                Some(&parsed),
                "{input} → {shown}"
            );
        }
    }

    #[test]
    fn bad_references_are_invalid_repositories() {
        let hex64 = "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a";
        let cases: Vec<(String, &str)> = vec![
            (String::new(), "empty"),
            (":justtag".into(), "repository name is empty"),
            (format!("@{FF}"), "repository name is empty"),
            ("https://github.com/docker/docker".into(), "scheme"),
            (hex64.into(), "image ID"),
            ("Uppercase:tag".into(), "lowercase"),
            ("test:5000/Uppercase/lowercase:tag".into(), "lowercase"),
            ("docker/Docker".into(), "lowercase"),
            ("docker.io/docker/Docker".into(), "lowercase"),
            (format!("domain/{}:tag", "a".repeat(256)), "255"),
            (format!("{}:tag", "a".repeat(248)), "255"),
            ("aa/asdf$$^/aa".into(), "path component"),
            ("-docker".into(), "path component"),
            ("-docker/docker".into(), "path component"),
            ("docker-/docker".into(), "path component"),
            ("____/____".into(), "path component"),
            ("_docker/_docker".into(), "path component"),
            ("dock..er/docker".into(), "registry"),
            ("dock_.er/docker".into(), "registry"),
            ("dock-.er/docker".into(), "registry"),
            ("dock___er/docker".into(), "path component"),
            ("docker/".into(), "empty path component"),
            ("docker///docker".into(), "empty path component"),
            ("localhost:5000//app".into(), "empty path component"),
            ("localhost:5000/".into(), "empty"),
            ("-docker.io/docker/docker".into(), "registry"),
            ("-gecko.com/image".into(), "registry"),
            ("gecko-.com/image".into(), "registry"),
            ("my..registry.net/image".into(), "registry"),
            ("localhost:/app".into(), "registry"),
            ("localhost:50a0/app".into(), "registry"),
            ("fc00::1:5000/debian".into(), "registry"),
            ("[fc00::1]".into(), "path component"),
            ("[fc00::1]:5000".into(), "path component"),
            ("[2001:db8::1]:tag".into(), "path component"),
            ("[fe80::1%eth0]:5000/debian".into(), "registry"),
            ("[2001:db8:3:4::192.0.2.33]:5000/debian".into(), "registry"),
            ("[]:5000/debian".into(), "registry"),
            ("[::1]x/debian".into(), "registry"),
            ("app:".into(), "tag after ':' is empty"),
            (format!("app:{}", "t".repeat(129)), "128"),
            ("app:-dash".into(), "tag"),
            ("app:.dot".into(), "tag"),
            ("app:a+b".into(), "tag"),
            ("app@".into(), "not algorithm:hex"),
            ("app@sha256".into(), "not algorithm:hex"),
            (
                "repo@sha256:ffffffffffffffffffffffffffffffffff".into(),
                "64 hexadecimal digits, not 34",
            ),
            (format!("repo{FF}f").replacen("sha256", "@sha256", 1), "not 65"),
            ("repo@sha256:abc".into(), "not algorithm:hex"),
            (
                format!("validname@invaliddigest:{}", "f".repeat(64)),
                "not supported",
            ),
            (format!("validname@md5:{}", "f".repeat(32)), "not supported"),
            (format!("validname@sha256:{}", "F".repeat(64)), "lowercase"),
            (
                format!("validname@sha256:{}", "g".repeat(64)),
                "not algorithm:hex",
            ),
            (format!("validname@1sha:{}", "f".repeat(64)), "not algorithm:hex"),
            (format!("a@b@{FF}"), "not algorithm:hex"),
            ("app:v1:v2".into(), "path component"),
            ("app name".into(), "path component"),
        ];
        for (input, needle) in &cases {
            match ImageReference::parse(input) {
                Err(Error::InvalidRepository { name, reason }) => {
                    assert_eq!(&name, input);
                    assert!(reason.contains(needle), "{input}: {reason:?} lacks {needle:?}");
                }
                other => panic!("{input}: expected an invalid repository, got {other:?}"),
            }
        }
    }

    #[test]
    fn short_forms_leave_docker_hub_out_unless_needed() {
        let cases = [
            ("ubuntu", "ubuntu", "ubuntu"),
            (
                "docker.io/library/ubuntu:22.04",
                "library/ubuntu:22.04",
                "library/ubuntu",
            ),
            ("index.docker.io/user/app", "user/app", "user/app"),
            (
                "docker.io/foo.bar/baz",
                "docker.io/foo.bar/baz",
                "docker.io/foo.bar/baz",
            ),
            (
                "docker.io/localhost/baz",
                "docker.io/localhost/baz",
                "docker.io/localhost/baz",
            ),
            ("docker.io/localhost", "localhost", "localhost"),
            (
                "localhost:5000/app:v1",
                "localhost:5000/app:v1",
                "localhost:5000/app",
            ),
            ("[::1]:5000/app", "[::1]:5000/app", "[::1]:5000/app"),
        ];
        for (input, shown, name) in cases {
            let parsed = ImageReference::parse(input).unwrap();
            assert_eq!(parsed.to_string(), shown, "{input}");
            assert_eq!(parsed.name(), name, "{input}");
        }
    }

    #[test]
    fn registry_keys_are_the_index_url_for_docker_hub() {
        let cases = [
            ("ubuntu", INDEX_URL, true),
            ("docker.io/library/ubuntu", INDEX_URL, true),
            ("registry-1.docker.io/user/app", INDEX_URL, true),
            ("localhost:5000/app", "localhost:5000", false),
            ("quay.io/org/app:1", "quay.io", false),
            ("[::1]:5000/app", "[::1]:5000", false),
        ];
        for (input, key, hub) in cases {
            let parsed: ImageReference = input.parse().unwrap();
            assert_eq!(parsed.registry_key(), key, "{input}");
            assert_eq!(parsed.is_docker_hub(), hub, "{input}");
        }
    }

    #[test]
    fn parse_repository_tag_splits_as_docker_py() {
        let sha = SHA;
        let cases: Vec<(String, (String, Option<String>))> = vec![
            ("root".into(), ("root".into(), None)),
            ("root:tag".into(), ("root".into(), Some("tag".into()))),
            ("user/repo".into(), ("user/repo".into(), None)),
            ("user/repo:tag".into(), ("user/repo".into(), Some("tag".into()))),
            ("url:5000/repo".into(), ("url:5000/repo".into(), None)),
            (
                "url:5000/repo:tag".into(),
                ("url:5000/repo".into(), Some("tag".into())),
            ),
            (format!("root@{sha}"), ("root".into(), Some(sha.into()))),
            (
                format!("url:5000/repo@{sha}"),
                ("url:5000/repo".into(), Some(sha.into())),
            ),
            (format!("repo:tag@{sha}"), ("repo:tag".into(), Some(sha.into()))),
        ];
        for (input, (repository, tag)) in &cases {
            assert_eq!(
                parse_repository_tag(input),
                (repository.as_str(), tag.as_deref()),
                "{input}"
            );
        }
    }

    #[test]
    fn repository_names_resolve_as_docker_py() {
        let cases = [
            ("image", Ok(("docker.io", "image"))),
            ("image.valid", Ok(("docker.io", "image.valid"))),
            ("username/image", Ok(("docker.io", "username/image"))),
            ("docker.io/image", Ok(("docker.io", "image"))),
            ("index.docker.io/image", Ok(("docker.io", "image"))),
            ("my.registry.net/image", Ok(("my.registry.net", "image"))),
            (
                "my.registry.net:5000/image",
                Ok(("my.registry.net:5000", "image")),
            ),
            (
                "my.registry.net/username/image",
                Ok(("my.registry.net", "username/image")),
            ),
            ("hostname:5000/image", Ok(("hostname:5000", "image"))),
            (
                "hostname:5000/username/image",
                Ok(("hostname:5000", "username/image")),
            ),
            ("localhost/image", Ok(("localhost", "image"))),
            ("localhost/username/image", Ok(("localhost", "username/image"))),
            ("-gecko.com/image", Err("hyphen")),
            ("gecko.com-/image", Err("hyphen")),
            ("https://gecko.com/image", Err("scheme")),
        ];
        for (input, expected) in cases {
            match (resolve_repository_name(input), expected) {
                (Ok((registry, rest)), Ok((want_registry, want_rest))) => {
                    assert_eq!(
                        (registry.as_str(), rest.as_str()),
                        (want_registry, want_rest),
                        "{input}"
                    );
                }
                (Err(Error::InvalidRepository { reason, .. }), Err(needle)) => {
                    assert!(reason.contains(needle), "{input}: {reason}");
                }
                (got, _) => panic!("{input}: unexpected {got:?}"),
            }
        }
    }

    #[test]
    fn registries_normalise_like_docker_py() {
        let cases = [
            ("", "docker.io", INDEX_URL),
            ("docker.io", "docker.io", INDEX_URL),
            ("https://index.docker.io/v1/", "docker.io", INDEX_URL),
            ("index.docker.io", "docker.io", INDEX_URL),
            ("http://index.docker.io", "docker.io", INDEX_URL),
            ("registry-1.docker.io", "docker.io", INDEX_URL),
            ("localhost:5000", "localhost:5000", "localhost:5000"),
            ("http://127.0.0.1:5000/v2/", "127.0.0.1:5000", "127.0.0.1:5000"),
            (
                "registry.example.com/team",
                "registry.example.com",
                "registry.example.com",
            ),
            ("my.registry.net/v1/", "my.registry.net", "my.registry.net"),
            ("https://my.registry.net", "my.registry.net", "my.registry.net"),
        ];
        for (input, host, key) in cases {
            assert_eq!(normalise_registry(input), host, "{input}");
            assert_eq!(registry_key(input), key, "{input}");
        }
    }
}
