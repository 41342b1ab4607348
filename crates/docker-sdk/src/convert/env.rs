//! `environment`, `labels`, `extra_hosts`, `sysctls` and `tmpfs`: each a
//! map or a list of strings in docker-py.

use std::collections::HashMap;
use std::net::IpAddr;

use crate::error::{Error, Result};

/// A value docker-py would turn into text with `str()`: a string or a
/// number.
///
/// ```
/// use docker_sdk::convert::TextValue;
///
/// assert_eq!(TextValue::from(1024).as_str(), "1024");
/// assert_eq!(TextValue::from("0").as_str(), "0");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextValue(String);

impl TextValue {
    /// The value as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A variable's value, or none (`None` in docker-py: the bare name, which
/// passes the variable through from the engine's environment when it is
/// set there, and otherwise sets nothing).
///
/// ```
/// use docker_sdk::convert::EnvValue;
///
/// assert_eq!(EnvValue::from("1"), EnvValue::from(Some("1")));
/// assert_eq!(EnvValue::from(None::<&str>).as_deref(), None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvValue(Option<String>);

impl EnvValue {
    /// The value, if there is one.
    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

macro_rules! text_values {
    ($($t:ty),*) => {$(
        impl From<$t> for TextValue {
            fn from(value: $t) -> Self {
                TextValue(value.to_string())
            }
        }
        impl From<$t> for EnvValue {
            fn from(value: $t) -> Self {
                EnvValue(Some(value.to_string()))
            }
        }
        impl From<Option<$t>> for EnvValue {
            fn from(value: Option<$t>) -> Self {
                EnvValue(value.map(|v| v.to_string()))
            }
        }
    )*};
}

text_values!(&str, String, &String, i64, i32, u64, u32, u16);

/// One environment variable: a `(name, value)` pair of docker-py's map
/// (the value may be `None`), or a `"NAME=value"` string of its list.
///
/// ```
/// use std::collections::HashMap;
/// use docker_sdk::convert::EnvVar;
///
/// let from_pairs: Vec<EnvVar> = [("A", "1"), ("B", "2")].into_iter().map(Into::into).collect();
/// let from_list: Vec<EnvVar> = vec!["A=1", "B=2"].into_iter().map(Into::into).collect();
/// let from_map: Vec<EnvVar> = HashMap::from([("A", Some("1")), ("PATH", None)]).into_iter().map(Into::into).collect();
/// assert_eq!(from_pairs[0], EnvVar::Var("A".into(), Some("1".into())));
/// assert_eq!(from_list[0], EnvVar::Entry("A=1".into()));
/// # let _ = from_map;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnvVar {
    /// A name and its value, or the bare name (`None`).
    Var(String, Option<String>),
    /// `"NAME=value"` (or `"NAME"`), sent as it is.
    Entry(String),
}

impl From<&str> for EnvVar {
    fn from(entry: &str) -> Self {
        EnvVar::Entry(entry.to_owned())
    }
}

impl From<String> for EnvVar {
    fn from(entry: String) -> Self {
        EnvVar::Entry(entry)
    }
}

impl From<&String> for EnvVar {
    fn from(entry: &String) -> Self {
        EnvVar::Entry(entry.clone())
    }
}

impl<K: Into<String>, V: Into<EnvValue>> From<(K, V)> for EnvVar {
    fn from((name, value): (K, V)) -> Self {
        EnvVar::Var(name.into(), value.into().0)
    }
}

/// A label: a `(key, value)` pair of docker-py's map, or a key of its list,
/// whose value is `""` (docker-py does not split `"key=value"` strings: the
/// whole string is the key).
///
/// ```
/// use docker_sdk::convert::Label;
///
/// let labels: Vec<Label> = vec![("env", "prod").into(), "managed".into()];
/// assert_eq!(labels[1], Label::Key("managed".into()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Label {
    /// A key and its value.
    Pair(String, String),
    /// A key with an empty value.
    Key(String),
}

impl From<&str> for Label {
    fn from(key: &str) -> Self {
        Label::Key(key.to_owned())
    }
}

impl From<String> for Label {
    fn from(key: String) -> Self {
        Label::Key(key)
    }
}

impl From<&String> for Label {
    fn from(key: &String) -> Self {
        Label::Key(key.clone())
    }
}

impl<K: Into<String>, V: Into<String>> From<(K, V)> for Label {
    fn from((key, value): (K, V)) -> Self {
        Label::Pair(key.into(), value.into())
    }
}

/// An `/etc/hosts` entry: a `(host, ip)` pair of docker-py's map, or a
/// `"host:ip"` string of its list.
///
/// ```
/// use docker_sdk::convert::ExtraHost;
///
/// let hosts: Vec<ExtraHost> = vec![("db", "10.0.0.2").into(), "cache:10.0.0.3".into()];
/// assert_eq!(hosts[0], ExtraHost::Pair("db".into(), "10.0.0.2".into()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExtraHost {
    /// A host name and its address.
    Pair(String, String),
    /// `"host:ip"`.
    Entry(String),
}

impl From<&str> for ExtraHost {
    fn from(entry: &str) -> Self {
        ExtraHost::Entry(entry.to_owned())
    }
}

impl From<String> for ExtraHost {
    fn from(entry: String) -> Self {
        ExtraHost::Entry(entry)
    }
}

impl<K: Into<String>, V: Into<String>> From<(K, V)> for ExtraHost {
    fn from((host, ip): (K, V)) -> Self {
        ExtraHost::Pair(host.into(), ip.into())
    }
}

/// A kernel parameter: a `(name, value)` pair of docker-py's `sysctls`
/// map; numbers become text, as docker-py's `str(v)`.
///
/// ```
/// use docker_sdk::convert::Sysctl;
///
/// let sysctls: Vec<Sysctl> = vec![("net.core.somaxconn", 1024).into(), ("net.ipv4.tcp_syncookies", "0").into()];
/// assert_eq!(sysctls[0], Sysctl::new("net.core.somaxconn", "1024"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sysctl {
    name: String,
    value: String,
}

impl Sysctl {
    /// The parameter `name` set to `value`.
    pub fn new(name: impl Into<String>, value: impl Into<TextValue>) -> Self {
        Sysctl {
            name: name.into(),
            value: value.into().0,
        }
    }
}

impl<K: Into<String>, V: Into<TextValue>> From<(K, V)> for Sysctl {
    fn from((name, value): (K, V)) -> Self {
        Sysctl::new(name, value)
    }
}

/// A tmpfs mount: a `(path, options)` pair of docker-py's map, or a
/// `"path:options"` (or `"path"`) string of its list.
///
/// ```
/// use docker_sdk::convert::TmpfsMount;
///
/// let mounts: Vec<TmpfsMount> = vec!["/tmp".into(), "/mnt:size=3G,uid=100".into(), ("/run", "").into()];
/// assert_eq!(mounts[2], TmpfsMount::Pair("/run".into(), "".into()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TmpfsMount {
    /// A path and its mount options (`""` for none).
    Pair(String, String),
    /// `"path"` or `"path:options"`.
    Entry(String),
}

impl From<&str> for TmpfsMount {
    fn from(entry: &str) -> Self {
        TmpfsMount::Entry(entry.to_owned())
    }
}

impl From<String> for TmpfsMount {
    fn from(entry: String) -> Self {
        TmpfsMount::Entry(entry)
    }
}

impl<K: Into<String>, V: Into<String>> From<(K, V)> for TmpfsMount {
    fn from((path, options): (K, V)) -> Self {
        TmpfsMount::Pair(path.into(), options.into())
    }
}

/// `Env`: `"NAME=value"` for a pair, the bare name for `None` (docker-py's
/// `format_environment`); list entries are kept, in order.
pub(crate) fn environment(vars: &[EnvVar]) -> Result<Vec<String>> {
    let invalid = |why: String| Error::invalid_argument("environment", why);
    vars.iter()
        .map(|var| match var {
            EnvVar::Var(name, _) if name.is_empty() => Err(invalid(format!(
                "a variable has an empty name (value {:?}); name every variable",
                var_value(var)
            ))),
            EnvVar::Var(name, _) if name.contains('=') => Err(invalid(format!(
                "variable name {name:?} contains \"=\"; give the name and the value apart, \
                 or pass \"NAME=value\" strings as a list"
            ))),
            EnvVar::Var(name, None) => Ok(name.clone()),
            EnvVar::Var(name, Some(value)) => Ok(format!("{name}={value}")),
            EnvVar::Entry(entry) if entry.is_empty() || entry.starts_with('=') => Err(invalid(format!(
                "entry {entry:?} has no variable name; use \"NAME=value\" or \"NAME\""
            ))),
            EnvVar::Entry(entry) => Ok(entry.clone()),
        })
        .collect()
}

fn var_value(var: &EnvVar) -> Option<&str> {
    match var {
        EnvVar::Var(_, value) => value.as_deref(),
        EnvVar::Entry(_) => None,
    }
}

/// `Labels`: pairs, and keys with an empty value; a later key wins.
pub(crate) fn labels(labels: &[Label]) -> Result<HashMap<String, String>> {
    labels
        .iter()
        .map(|label| {
            let (key, value) = match label {
                Label::Pair(key, value) => (key, value.as_str()),
                Label::Key(key) => (key, ""),
            };
            if key.is_empty() {
                return Err(Error::invalid_argument(
                    "labels",
                    format!("a label has an empty key (value {value:?}); give every label a key"),
                ));
            }
            Ok((key.clone(), value.to_owned()))
        })
        .collect()
}

/// `ExtraHosts`: `"host:ip"` each. Pairs alone (docker-py's map) are sorted,
/// as docker-py's `format_extra_hosts` sorts them; a list keeps its order.
pub(crate) fn extra_hosts(hosts: &[ExtraHost]) -> Result<Vec<String>> {
    let mut entries = hosts
        .iter()
        .map(|host| match host {
            ExtraHost::Pair(name, ip) => check_extra_host(name, ip, None),
            ExtraHost::Entry(entry) => match entry.split_once(':') {
                Some((name, ip)) => check_extra_host(name, ip, Some(entry)),
                None => Err(Error::invalid_argument(
                    "extra_hosts",
                    format!("entry {entry:?} is not \"host:ip\""),
                )),
            },
        })
        .collect::<Result<Vec<_>>>()?;
    if hosts.iter().all(|h| matches!(h, ExtraHost::Pair(..))) {
        entries.sort();
    }
    Ok(entries)
}

fn check_extra_host(name: &str, ip: &str, entry: Option<&str>) -> Result<String> {
    let shown = entry.map_or_else(|| format!("{name:?} => {ip:?}"), |e| format!("entry {e:?}"));
    let invalid = |why: &str| Error::invalid_argument("extra_hosts", format!("{shown}: {why}"));
    if name.is_empty() {
        return Err(invalid("the host name is empty"));
    }
    if name.contains(':') || name.chars().any(char::is_whitespace) {
        return Err(invalid("the host name contains \":\" or a space"));
    }
    let bare = ip
        .strip_prefix('[')
        .and_then(|i| i.strip_suffix(']'))
        .unwrap_or(ip);
    if ip.is_empty() {
        return Err(invalid(
            "the address is empty; use an IP address or \"host-gateway\"",
        ));
    }
    if ip != "host-gateway" && bare.parse::<IpAddr>().is_err() {
        return Err(invalid(
            "the address is not an IP address; use an IP address or \"host-gateway\"",
        ));
    }
    Ok(format!("{name}:{ip}"))
}

/// `Sysctls`: a later name wins.
pub(crate) fn sysctls(sysctls: &[Sysctl]) -> Result<HashMap<String, String>> {
    sysctls
        .iter()
        .map(|Sysctl { name, value }| {
            if name.is_empty() || name.chars().any(char::is_whitespace) {
                return Err(Error::invalid_argument(
                    "sysctls",
                    format!(
                        "name {name:?} is empty or has spaces; use a name such as \"net.core.somaxconn\""
                    ),
                ));
            }
            Ok((name.clone(), value.clone()))
        })
        .collect()
}

/// `Tmpfs`: path to mount options (`""` for none), as docker-py's
/// `convert_tmpfs_mounts`; a later path wins.
pub(crate) fn tmpfs(mounts: &[TmpfsMount]) -> Result<HashMap<String, String>> {
    mounts
        .iter()
        .map(|mount| {
            let (path, options) = match mount {
                TmpfsMount::Pair(path, options) => (path.as_str(), options.as_str()),
                TmpfsMount::Entry(entry) => entry.split_once(':').unwrap_or((entry, "")),
            };
            if !path.starts_with('/') {
                return Err(Error::invalid_argument(
                    "tmpfs",
                    format!(
                        "path {path:?} is not an absolute path in the container; use one such as \"/run\""
                    ),
                ));
            }
            Ok((path.to_owned(), options.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::test_support::assert_invalid;

    type Pairs = &'static [(&'static str, &'static str)];

    fn owned(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn map(items: &[(&str, &str)]) -> HashMap<String, String> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn environment_as_docker_py_formats_it() {
        let cases: Vec<(Vec<EnvVar>, &[&str])> = vec![
            (vec![("FOO", "BAR").into()], &["FOO=BAR"]),
            (
                vec![("FOO", None::<&str>).into(), ("BAR", "").into()],
                &["FOO", "BAR="],
            ),
            (
                vec![("N", 1).into(), ("BIG", 5_000_000_000_i64).into()],
                &["N=1", "BIG=5000000000"],
            ),
            (vec![("ARTIST_NAME", "송지은").into()], &["ARTIST_NAME=송지은"]),
            (vec![("A", "x=y").into()], &["A=x=y"]),
            (vec![("A", Some(String::from("1"))).into()], &["A=1"]),
            (vec!["A=1".into(), "B".into(), "C=".into()], &["A=1", "B", "C="]),
            (vec![String::from("X=1").into()], &["X=1"]),
            (vec![], &[]),
        ];
        for (input, expected) in cases {
            assert_eq!(environment(&input).ok(), Some(owned(expected)), "{input:?}");
        }
        let bad: Vec<(EnvVar, &str)> = vec![
            (("", "1").into(), "empty name"),
            (("A=B", "1").into(), r#"variable name "A=B" contains "=""#),
            (("=", None::<&str>).into(), "contains"),
            ("".into(), "has no variable name"),
            ("=1".into(), r#"entry "=1" has no variable name"#),
        ];
        for (input, needle) in bad {
            assert_invalid(
                &format!("{input:?}"),
                environment(std::slice::from_ref(&input)),
                "environment",
                needle,
            );
        }
    }

    #[test]
    fn labels_as_docker_py_makes_them() {
        let cases: Vec<(Vec<Label>, Pairs)> = vec![
            (
                vec![("foo", "1").into(), ("bar", "2").into()],
                &[("foo", "1"), ("bar", "2")],
            ),
            (vec!["foo".into(), "bar".into()], &[("foo", ""), ("bar", "")]),
            // docker-py keeps a list item whole: the key is "a=b".
            (vec!["a=b".into()], &[("a=b", "")]),
            (vec![("k", "1").into(), ("k", "2").into()], &[("k", "2")]),
            (vec![("k", "").into()], &[("k", "")]),
            (vec![], &[]),
        ];
        for (input, expected) in cases {
            assert_eq!(labels(&input).ok(), Some(map(expected)), "{input:?}");
        }
        assert_invalid("empty key", labels(&["".into()]), "labels", "empty key");
        assert_invalid(
            "empty pair key",
            labels(&[("", "v").into()]),
            "labels",
            r#"(value "v")"#,
        );
    }

    #[test]
    fn extra_hosts_as_docker_py_formats_them() {
        let cases: Vec<(Vec<ExtraHost>, &[&str])> = vec![
            (vec![("foo", "1.2.3.4").into()], &["foo:1.2.3.4"]),
            (
                vec![("web", "10.0.0.2").into(), ("db", "10.0.0.3").into()],
                &["db:10.0.0.3", "web:10.0.0.2"],
            ),
            (vec![("v6", "::1").into()], &["v6:::1"]),
            (vec![("v6", "[::1]").into()], &["v6:[::1]"]),
            (vec![("gw", "host-gateway").into()], &["gw:host-gateway"]),
            (
                vec!["web:10.0.0.2".into(), "db:10.0.0.3".into()],
                &["web:10.0.0.2", "db:10.0.0.3"],
            ),
            (vec!["v6:2001:db8::1".into()], &["v6:2001:db8::1"]),
            (vec![], &[]),
        ];
        for (input, expected) in cases {
            assert_eq!(extra_hosts(&input).ok(), Some(owned(expected)), "{input:?}");
        }
        let bad: Vec<(ExtraHost, &str)> = vec![
            (("", "1.2.3.4").into(), "host name is empty"),
            (("a b", "1.2.3.4").into(), "contains"),
            (("foo", "").into(), "address is empty"),
            (("foo", "example.com").into(), "not an IP address"),
            (("foo", "1.2.3").into(), "not an IP address"),
            ("foo".into(), r#"entry "foo" is not "host:ip""#),
            ("foo:".into(), "address is empty"),
            (":1.2.3.4".into(), "host name is empty"),
            ("foo=1.2.3.4".into(), "is not \"host:ip\""),
        ];
        for (input, needle) in bad {
            assert_invalid(
                &format!("{input:?}"),
                extra_hosts(std::slice::from_ref(&input)),
                "extra_hosts",
                needle,
            );
        }
    }

    #[test]
    fn sysctls_become_text() {
        let input: Vec<Sysctl> = vec![
            ("net.core.somaxconn", 1024).into(),
            ("net.ipv4.tcp_syncookies", "0").into(),
            Sysctl::new("kernel.msgmax", String::from("65536")),
        ];
        let expected = map(&[
            ("net.core.somaxconn", "1024"),
            ("net.ipv4.tcp_syncookies", "0"),
            ("kernel.msgmax", "65536"),
        ]);
        assert_eq!(sysctls(&input).ok(), Some(expected));
        assert_invalid(
            "empty",
            sysctls(&[("", "1").into()]),
            "sysctls",
            "is empty or has spaces",
        );
        assert_invalid(
            "space",
            sysctls(&[("net core", "1").into()]),
            "sysctls",
            "\"net core\"",
        );
    }

    #[test]
    fn tmpfs_as_docker_py_converts_it() {
        let cases: Vec<(Vec<TmpfsMount>, Pairs)> = vec![
            (
                vec!["/tmp".into(), "/mnt:size=3G,uid=100".into()],
                &[("/tmp", ""), ("/mnt", "size=3G,uid=100")],
            ),
            (
                vec![("/tmp", "").into(), ("/mnt", "size=3G,uid=100").into()],
                &[("/tmp", ""), ("/mnt", "size=3G,uid=100")],
            ),
            (vec!["/blah:".into()], &[("/blah", "")]),
            (vec!["/a:b:c".into()], &[("/a", "b:c")]),
            (
                vec![String::from("/run:rw,noexec").into()],
                &[("/run", "rw,noexec")],
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(tmpfs(&input).ok(), Some(map(expected)), "{input:?}");
        }
        let bad: Vec<(TmpfsMount, &str)> = vec![
            ("".into(), r#"path "" is not an absolute path"#),
            ("tmp".into(), "not an absolute path"),
            (":size=1m".into(), "not an absolute path"),
            (("run", "").into(), "not an absolute path"),
        ];
        for (input, needle) in bad {
            assert_invalid(
                &format!("{input:?}"),
                tmpfs(std::slice::from_ref(&input)),
                "tmpfs",
                needle,
            );
        }
    }
}
