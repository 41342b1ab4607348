//! Secrets: passwords, tokens, keys. They never reach `Debug`, `Display`,
//! logs or error messages.

use std::fmt;
use std::path::Path;

use base64::Engine;

/// A password, token or key. Formatting it, by `Debug` or `Display`, shows
/// `<redacted>`; [`Secret::expose`] gives the text to the one place that
/// must send it.
///
/// ```
/// let password = docker_sdk::Secret::from("hunter2");
/// assert_eq!(format!("{password:?} {password}"), "<redacted> <redacted>");
/// assert_eq!(password.expose(), "hunter2");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The secret's text.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<String> for Secret {
    fn from(text: String) -> Self {
        Secret(text)
    }
}

impl From<&str> for Secret {
    fn from(text: &str) -> Self {
        Secret(text.to_owned())
    }
}

/// The user a `config.json` holds credentials of for `registry_key` (in its
/// `auths`, as `username` or in the base64 `auth`), if any. Unreadable files
/// hold none.
pub(crate) fn config_file_user(path: &Path, registry_key: &str) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let config: serde_json::Value = serde_json::from_str(&text).ok()?;
    let auths = config.get("auths")?.as_object()?;
    let entry = auths
        .iter()
        .find(|(key, _)| crate::system::normalise_registry(key) == registry_key)
        .map(|(_, entry)| entry)?;
    if let Some(user) = entry.get("username").and_then(|u| u.as_str()) {
        return Some(user.to_owned());
    }
    let auth = entry.get("auth")?.as_str()?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(auth.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    decoded.split_once(':').map(|(user, _)| user.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_files_name_their_users() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        let auth = base64::engine::general_purpose::STANDARD.encode("sakuya:izayoi");
        std::fs::write(
            &path,
            format!(r#"{{"auths": {{"https://index.docker.io/v1/": {{"auth": "{auth}"}}, "localhost:5000": {{"username": "me"}}}}}}"#),
        )
        .unwrap();
        assert_eq!(config_file_user(&path, "docker.io").as_deref(), Some("sakuya"));
        assert_eq!(config_file_user(&path, "localhost:5000").as_deref(), Some("me"));
        assert_eq!(config_file_user(&path, "other:1"), None);
        std::fs::write(&path, "not json").unwrap();
        assert_eq!(config_file_user(&path, "docker.io"), None);
    }
}
