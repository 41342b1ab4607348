//! `restart_policy`, `ulimits` and `log_config`.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use crate::api::types;
use crate::error::{Error, Result};

/// When the engine restarts the container.
///
/// Parsed from the docker CLI's `--restart` text (`"no"`, `"always"`,
/// `"unless-stopped"`, `"on-failure"`, `"on-failure:5"`), or from the
/// parts of docker-py's dict with [`RestartPolicy::from_parts`].
///
/// ```
/// use docker_sdk::convert::RestartPolicy;
///
/// let policy: RestartPolicy = "on-failure:5".parse()?;
/// assert_eq!(policy, RestartPolicy::OnFailure { maximum_retry_count: 5 });
/// // docker-py's {"Name": "on-failure", "MaximumRetryCount": 5}
/// assert_eq!(RestartPolicy::from_parts("on-failure", 5)?, policy);
/// # Ok::<(), docker_sdk::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RestartPolicy {
    /// Never (the default).
    No,
    /// Always, also after the engine restarts.
    Always,
    /// Always, unless the container was stopped by hand.
    UnlessStopped,
    /// When it exits with a non-zero status, at most
    /// `maximum_retry_count` times (0 for no limit).
    OnFailure {
        /// The most restarts; 0 for no limit.
        maximum_retry_count: u32,
    },
}

const POLICIES: &str = r#"use "no", "always", "unless-stopped", "on-failure" or "on-failure:N""#;

impl RestartPolicy {
    /// docker-py's dict, `{"Name": name, "MaximumRetryCount": count}`: a
    /// count only goes with `on-failure` (0 is no count); `""` is `no`.
    pub fn from_parts(name: &str, maximum_retry_count: i64) -> Result<Self> {
        let invalid = |why: String| Error::invalid_argument("restart_policy", why);
        let policy = match name {
            "" | "no" => RestartPolicy::No,
            "always" => RestartPolicy::Always,
            "unless-stopped" => RestartPolicy::UnlessStopped,
            "on-failure" => {
                let count = u32::try_from(maximum_retry_count).map_err(|_| {
                    invalid(format!(
                        "maximum retry count {maximum_retry_count} is not between 0 and {}",
                        u32::MAX
                    ))
                })?;
                return Ok(RestartPolicy::OnFailure {
                    maximum_retry_count: count,
                });
            }
            other => return Err(invalid(format!("unknown policy {other:?}; {POLICIES}"))),
        };
        if maximum_retry_count != 0 {
            return Err(invalid(format!(
                "a maximum retry count ({maximum_retry_count}) only goes with \"on-failure\", not {name:?}"
            )));
        }
        Ok(policy)
    }

    /// The policy's name, as the engine spells it.
    pub fn name(&self) -> &'static str {
        match self {
            RestartPolicy::No => "no",
            RestartPolicy::Always => "always",
            RestartPolicy::UnlessStopped => "unless-stopped",
            RestartPolicy::OnFailure { .. } => "on-failure",
        }
    }
}

/// `"always"`, `"on-failure:5"`, …: the builders take a string where they
/// take a policy, and report a bad one when the request is built.
impl TryFrom<&str> for RestartPolicy {
    type Error = Error;

    fn try_from(text: &str) -> Result<Self> {
        text.parse()
    }
}

impl TryFrom<String> for RestartPolicy {
    type Error = Error;

    fn try_from(text: String) -> Result<Self> {
        text.parse()
    }
}

impl FromStr for RestartPolicy {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        let Some((name, count)) = text.split_once(':') else {
            return RestartPolicy::from_parts(text, 0);
        };
        if !count.is_empty() && count.bytes().all(|b| b.is_ascii_digit()) {
            let count = count.parse::<i64>().unwrap_or(i64::MAX);
            match name {
                "on-failure" => RestartPolicy::from_parts(name, count),
                _ => {
                    // Names the policy first, if that is what is wrong.
                    RestartPolicy::from_parts(name, 0)?;
                    RestartPolicy::from_parts(name, count.max(1))
                }
            }
        } else {
            Err(Error::invalid_argument(
                "restart_policy",
                format!("{text:?} has a maximum retry count that is not a number; {POLICIES}"),
            ))
        }
    }
}

impl fmt::Display for RestartPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RestartPolicy::OnFailure {
                maximum_retry_count: n @ 1..,
            } => write!(f, "on-failure:{n}"),
            _ => f.write_str(self.name()),
        }
    }
}

/// `HostConfig.RestartPolicy`.
pub(crate) fn restart_policy(policy: &RestartPolicy) -> types::RestartPolicy {
    let (name, count) = match *policy {
        RestartPolicy::No => (types::RestartPolicyName::No, None),
        RestartPolicy::Always => (types::RestartPolicyName::Always, None),
        RestartPolicy::UnlessStopped => (types::RestartPolicyName::UnlessStopped, None),
        RestartPolicy::OnFailure { maximum_retry_count } => (
            types::RestartPolicyName::OnFailure,
            Some(i64::from(maximum_retry_count)),
        ),
    };
    types::RestartPolicy {
        name: Some(name),
        maximum_retry_count: count,
    }
}

/// A resource limit (docker-py's `types.Ulimit`): a name from
/// `/etc/security/limits.conf` (`nofile`, `nproc`, `core`, …), a soft
/// and a hard limit; -1 is no limit.
///
/// ```
/// use docker_sdk::convert::Ulimit;
///
/// let nofile = Ulimit::new("nofile", 1024, 2048);
/// // The docker CLI's `--ulimit` text; the hard limit defaults to the soft.
/// assert_eq!(Ulimit::parse("nofile=1024:2048")?, nofile);
/// # Ok::<(), docker_sdk::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ulimit {
    name: String,
    soft: i64,
    hard: i64,
}

/// The names the engine knows (go-units' `ulimitNameMapping`).
const ULIMIT_NAMES: &[&str] = &[
    "core",
    "cpu",
    "data",
    "fsize",
    "locks",
    "memlock",
    "msgqueue",
    "nice",
    "nofile",
    "nproc",
    "rss",
    "rtprio",
    "rttime",
    "sigpending",
    "stack",
];

impl Ulimit {
    /// `name` limited to `soft`, and at most `hard`.
    pub fn new(name: impl Into<String>, soft: i64, hard: i64) -> Self {
        Ulimit {
            name: name.into(),
            soft,
            hard,
        }
    }

    /// `"name=soft[:hard]"`, as the docker CLI's `--ulimit`.
    pub fn parse(text: &str) -> Result<Self> {
        let invalid = || {
            Error::invalid_argument(
                "ulimits",
                format!("{text:?} is not \"name=soft[:hard]\", such as \"nofile=1024:2048\""),
            )
        };
        let (name, limits) = text.split_once('=').ok_or_else(invalid)?;
        let number = |n: &str| n.parse::<i64>().map_err(|_| invalid());
        let (soft, hard) = match limits.split_once(':') {
            Some((soft, hard)) => (number(soft)?, number(hard)?),
            None => (number(limits)?, number(limits)?),
        };
        Ok(Ulimit::new(name, soft, hard))
    }
}

/// `HostConfig.Ulimits`.
pub(crate) fn ulimits(limits: &[Ulimit]) -> Result<Vec<types::HostConfigUlimitsItem>> {
    let mut seen = std::collections::HashSet::new();
    limits
        .iter()
        .map(|Ulimit { name, soft, hard }| {
            let invalid = |why: String| Error::invalid_argument("ulimits", format!("{name:?}: {why}"));
            if !ULIMIT_NAMES.contains(&name.as_str()) {
                return Err(invalid(format!(
                    "unknown name; use one of {}",
                    ULIMIT_NAMES.join(", ")
                )));
            }
            if !seen.insert(name.as_str()) {
                return Err(invalid("given twice; give each limit once".into()));
            }
            if *soft < -1 || *hard < -1 {
                return Err(invalid(format!(
                    "limits {soft}:{hard} are negative; use 0 or more, or -1 for no limit"
                )));
            }
            // -1 is no limit: above every number.
            let rank = |n: i64| if n == -1 { i128::MAX } else { i128::from(n) };
            if rank(*soft) > rank(*hard) {
                return Err(invalid(format!(
                    "soft limit {soft} is above hard limit {hard}; the soft limit must be at most the hard"
                )));
            }
            Ok(types::HostConfigUlimitsItem {
                name: Some(name.clone()),
                soft: Some(*soft),
                hard: Some(*hard),
            })
        })
        .collect()
}

/// Where the container's logs go (docker-py's `types.LogConfig`): a
/// driver and its options.
///
/// Any driver name goes, as in docker-py: the engine's own (`json-file`,
/// `local`, `syslog`, `journald`, `gelf`, `fluentd`, `awslogs`, `splunk`,
/// `etwlogs`, `none`) and those of logging plugins (`loki`); the engine
/// refuses a name it does not know, with its own message. Only an empty
/// name, or one with white space, is refused before anything is sent.
///
/// ```
/// use docker_sdk::convert::LogConfig;
///
/// let config = LogConfig::new("json-file").config("max-size", "1g").config("labels", "production_status,geo");
/// # let _ = config;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogConfig {
    driver: String,
    config: Vec<(String, String)>,
}

impl LogConfig {
    /// Logs through `driver`, with no options.
    pub fn new(driver: impl Into<String>) -> Self {
        LogConfig {
            driver: driver.into(),
            config: Vec::new(),
        }
    }

    /// A driver option, such as `("max-size", "10m")`.
    pub fn config(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.config.push((key.into(), value.into()));
        self
    }
}

impl From<&str> for LogConfig {
    fn from(driver: &str) -> Self {
        LogConfig::new(driver)
    }
}

/// `HostConfig.LogConfig`; `Config` is `{}` when no option is given, as
/// docker-py sends it.
pub(crate) fn log_config(config: &LogConfig) -> Result<types::HostConfigLogConfig> {
    let name = config.driver.as_str();
    let refuse = || {
        Error::invalid_argument(
            "log_config",
            format!(
                "log driver {name:?} is not a driver name; use json-file, local, syslog, journald, \
                 gelf, fluentd, awslogs, splunk, etwlogs, none or a logging plugin's name"
            ),
        )
    };
    if name.is_empty() || name.contains(char::is_whitespace) {
        return Err(refuse());
    }
    // Names the model does not list (plugins) are kept as they are.
    let driver = name
        .parse::<types::HostConfigLogConfigType>()
        .map_err(|_| refuse())?;
    if let Some((_, value)) = config.config.iter().find(|(key, _)| key.is_empty()) {
        return Err(Error::invalid_argument(
            "log_config",
            format!("an option has an empty key (value {value:?})"),
        ));
    }
    Ok(types::HostConfigLogConfig {
        type_: Some(driver),
        config: Some(config.config.iter().cloned().collect::<HashMap<_, _>>()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::test_support::assert_invalid;

    #[test]
    fn restart_policies() {
        let cases: &[(&str, RestartPolicy, serde_json::Value)] = &[
            ("no", RestartPolicy::No, serde_json::json!({"Name": "no"})),
            ("", RestartPolicy::No, serde_json::json!({"Name": "no"})),
            (
                "always",
                RestartPolicy::Always,
                serde_json::json!({"Name": "always"}),
            ),
            (
                "unless-stopped",
                RestartPolicy::UnlessStopped,
                serde_json::json!({"Name": "unless-stopped"}),
            ),
            (
                "on-failure",
                RestartPolicy::OnFailure {
                    maximum_retry_count: 0,
                },
                serde_json::json!({"Name": "on-failure", "MaximumRetryCount": 0}),
            ),
            (
                "on-failure:5",
                RestartPolicy::OnFailure {
                    maximum_retry_count: 5,
                },
                serde_json::json!({"Name": "on-failure", "MaximumRetryCount": 5}),
            ),
            (
                "on-failure:0",
                RestartPolicy::OnFailure {
                    maximum_retry_count: 0,
                },
                serde_json::json!({"Name": "on-failure", "MaximumRetryCount": 0}),
            ),
        ];
        for (text, policy, json) in cases {
            let parsed = text.parse::<RestartPolicy>().ok();
            assert_eq!(parsed, Some(*policy), "{text:?}");
            assert_eq!(
                serde_json::to_value(restart_policy(policy)).ok().as_ref(),
                Some(json),
                "{text:?}"
            );
            // The text it prints parses back to it.
            assert_eq!(policy.to_string().parse::<RestartPolicy>().ok(), Some(*policy));
        }
        // docker-py's dict shape.
        let parts: &[(&str, i64, RestartPolicy)] = &[
            ("always", 0, RestartPolicy::Always),
            ("no", 0, RestartPolicy::No),
            (
                "on-failure",
                5,
                RestartPolicy::OnFailure {
                    maximum_retry_count: 5,
                },
            ),
        ];
        for (name, count, policy) in parts {
            assert_eq!(RestartPolicy::from_parts(name, *count).ok(), Some(*policy));
        }
    }

    #[test]
    fn bad_restart_policies() {
        let texts: &[(&str, &str)] = &[
            ("sometimes", r#"unknown policy "sometimes""#),
            ("Always", r#"unknown policy "Always""#),
            ("on-failure:", "not a number"),
            ("on-failure:-1", "not a number"),
            ("on-failure:x", "not a number"),
            ("on-failure:1:2", "not a number"),
            ("on-failure:99999999999", "not between 0 and"),
            ("always:3", r#"only goes with "on-failure", not "always""#),
            ("no:1", "only goes with"),
            ("bogus:1", "unknown policy"),
            (" always", "unknown policy"),
        ];
        for (text, needle) in texts {
            assert_invalid(text, text.parse::<RestartPolicy>(), "restart_policy", needle);
        }
        let parts: &[(&str, i64, &str)] = &[
            ("on-failure", -1, "not between 0 and"),
            ("always", 3, "only goes with"),
            ("unless-stopped", -1, "only goes with"),
            ("restart", 0, "unknown policy"),
        ];
        for (name, count, needle) in parts {
            assert_invalid(
                name,
                RestartPolicy::from_parts(name, *count),
                "restart_policy",
                needle,
            );
        }
    }

    #[test]
    fn ulimit_items() {
        let cases: Vec<(Ulimit, (&str, i64, i64))> = vec![
            (Ulimit::new("nofile", 1024, 2048), ("nofile", 1024, 2048)),
            (Ulimit::new("nofile", 8096, 8096 * 4), ("nofile", 8096, 32384)),
            (Ulimit::new("nproc", 0, 0), ("nproc", 0, 0)),
            (Ulimit::new("memlock", -1, -1), ("memlock", -1, -1)),
            (Ulimit::new("core", 0, -1), ("core", 0, -1)),
            (
                Ulimit::parse("nofile=1024:2048").unwrap_or_else(|e| panic!("{e}")),
                ("nofile", 1024, 2048),
            ),
            (
                Ulimit::parse("nproc=512").unwrap_or_else(|e| panic!("{e}")),
                ("nproc", 512, 512),
            ),
        ];
        for (input, (name, soft, hard)) in cases {
            let got = ulimits(std::slice::from_ref(&input)).map(|mut u| u.remove(0));
            let Ok(got) = got else {
                panic!("{input:?}: {got:?}")
            };
            assert_eq!(
                (got.name.as_deref(), got.soft, got.hard),
                (Some(name), Some(soft), Some(hard))
            );
        }
        let bad: Vec<(Vec<Ulimit>, &str)> = vec![
            (vec![Ulimit::new("", 1, 1)], "unknown name"),
            (
                vec![Ulimit::new("hello", 1, 1)],
                r#""hello": unknown name; use one of core, cpu"#,
            ),
            (vec![Ulimit::new("NOFILE", 1, 1)], "unknown name"),
            (
                vec![Ulimit::new("nofile", 2048, 1024)],
                "soft limit 2048 is above hard limit 1024",
            ),
            (vec![Ulimit::new("nofile", -1, 1024)], "is above hard limit"),
            (vec![Ulimit::new("nofile", -2, 1024)], "are negative"),
            (vec![Ulimit::new("nofile", 1, -5)], "are negative"),
            (
                vec![Ulimit::new("nofile", 1, 2), Ulimit::new("nofile", 1, 2)],
                "given twice",
            ),
        ];
        for (input, needle) in bad {
            assert_invalid(&format!("{input:?}"), ulimits(&input), "ulimits", needle);
        }
        for text in [
            "nofile",
            "nofile=",
            "nofile=a",
            "nofile=1:b",
            "=1",
            "nofile=1:2:3",
        ] {
            let parsed = Ulimit::parse(text).and_then(|u| ulimits(&[u]));
            assert_invalid(text, parsed, "ulimits", "");
        }
    }

    #[test]
    fn log_configs() {
        let cases: Vec<(LogConfig, serde_json::Value)> = vec![
            (
                "json-file".into(),
                serde_json::json!({"Type": "json-file", "Config": {}}),
            ),
            (
                LogConfig::new("syslog").config("key1", "val1"),
                serde_json::json!({"Type": "syslog", "Config": {"key1": "val1"}}),
            ),
            (
                LogConfig::new("json-file")
                    .config("max-size", "1g")
                    .config("labels", "production_status,geo"),
                serde_json::json!({"Type": "json-file", "Config": {"max-size": "1g", "labels": "production_status,geo"}}),
            ),
            ("none".into(), serde_json::json!({"Type": "none", "Config": {}})),
            ("local".into(), serde_json::json!({"Type": "local", "Config": {}})),
            (
                "journald".into(),
                serde_json::json!({"Type": "journald", "Config": {}}),
            ),
            // A logging plugin's driver, which no swagger lists.
            (
                LogConfig::new("loki").config("loki-url", "http://127.0.0.1:3100"),
                serde_json::json!({"Type": "loki", "Config": {"loki-url": "http://127.0.0.1:3100"}}),
            ),
        ];
        for (input, expected) in cases {
            let got = log_config(&input).ok().and_then(|c| serde_json::to_value(c).ok());
            assert_eq!(got, Some(expected), "{input:?}");
        }
        let bad: Vec<(LogConfig, &str)> = vec![
            ("".into(), r#"log driver """#),
            ("json file".into(), r#"log driver "json file""#),
            (" ".into(), "is not a driver name"),
            (LogConfig::new("json-file").config("", "1"), "empty key"),
        ];
        for (input, needle) in bad {
            assert_invalid(&format!("{input:?}"), log_config(&input), "log_config", needle);
        }
    }
}
