//! `healthcheck`: docker-py's `types.Healthcheck`.

use std::time::Duration;

use crate::api::types;
use crate::convert::Command;
use crate::error::{Error, Result};

const ARGUMENT: &str = "healthcheck";

/// A container's health check (docker-py's `types.Healthcheck`).
///
/// The test is a string, run by the container's shell (`["CMD-SHELL",
/// test]`), or a list: `[]` to inherit the image's check, `["NONE"]` to
/// disable it, `["CMD", program, args…]` or `["CMD-SHELL", command]`.
/// Durations are 0 (inherit) or at least 1 ms. `start_interval` needs API
/// 1.44.
///
/// ```
/// use std::time::Duration;
/// use docker_sdk::convert::Healthcheck;
///
/// let check = Healthcheck::new("curl -f http://localhost/ || exit 1")
///     .interval(Duration::from_secs(30))
///     .timeout(Duration::from_secs(5))
///     .retries(3)
///     .start_period(Duration::from_secs(10));
/// let disabled = Healthcheck::new(["NONE"]);
/// # let _ = (check, disabled);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Healthcheck {
    test: Option<Command>,
    interval: Option<Duration>,
    timeout: Option<Duration>,
    retries: Option<i64>,
    start_period: Option<Duration>,
    start_interval: Option<Duration>,
}

impl Healthcheck {
    /// A check that runs `test`.
    pub fn new(test: impl Into<Command>) -> Self {
        Healthcheck {
            test: Some(test.into()),
            ..Self::default()
        }
    }

    /// The time between checks.
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = Some(interval);
        self
    }

    /// How long a check may run before it counts as failed.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// How many failures in a row make the container unhealthy (0 to
    /// inherit).
    pub fn retries(mut self, retries: i64) -> Self {
        self.retries = Some(retries);
        self
    }

    /// How long the container has to start before failures count.
    pub fn start_period(mut self, start_period: Duration) -> Self {
        self.start_period = Some(start_period);
        self
    }

    /// The time between checks during the start period (API 1.44).
    pub fn start_interval(mut self, start_interval: Duration) -> Self {
        self.start_interval = Some(start_interval);
        self
    }
}

/// docker-py's `healthcheck={"test": "true"}`: a check of that test.
impl From<&str> for Healthcheck {
    fn from(test: &str) -> Self {
        Healthcheck::new(test)
    }
}

/// `Config.Healthcheck`, durations in nanoseconds; what is not set is left
/// out, for the image's value.
pub(crate) fn healthcheck(check: &Healthcheck) -> Result<types::HealthConfig> {
    let test = check.test.as_ref().map(test).transpose()?;
    if let Some(retries) = check.retries
        && retries < 0
    {
        return Err(Error::invalid_argument(
            ARGUMENT,
            format!("retries {retries} is negative; use 0 (inherit) or more"),
        ));
    }
    #[cfg(not(api_1_44))]
    if check.start_interval.is_some() {
        return Err(crate::version::needs_newer_build(ARGUMENT, "start_interval", 44));
    }
    Ok(types::HealthConfig {
        test,
        interval: nanoseconds("interval", check.interval)?,
        timeout: nanoseconds("timeout", check.timeout)?,
        retries: check.retries,
        start_period: nanoseconds("start_period", check.start_period)?,
        #[cfg(api_1_44)]
        start_interval: nanoseconds("start_interval", check.start_interval)?,
    })
}

fn test(test: &Command) -> Result<Vec<String>> {
    let args = match test {
        Command::Shell(line) if line.is_empty() => {
            return Err(Error::invalid_argument(
                ARGUMENT,
                "test is an empty command; give a shell command, or [] to inherit the image's check",
            ));
        }
        Command::Shell(line) => return Ok(vec!["CMD-SHELL".to_owned(), line.clone()]),
        Command::Args(args) => args,
    };
    let invalid = |why: &str| Error::invalid_argument(ARGUMENT, format!("test {args:?} {why}"));
    match args.first().map(String::as_str) {
        None => {}
        Some("NONE") if args.len() > 1 => return Err(invalid("has arguments after \"NONE\"")),
        Some("NONE") => {}
        Some("CMD") if args.len() < 2 => return Err(invalid("has no program after \"CMD\"")),
        Some("CMD-SHELL") if args.len() != 2 => {
            return Err(invalid("needs exactly one command after \"CMD-SHELL\""));
        }
        Some("CMD" | "CMD-SHELL") => {}
        Some(_) => {
            return Err(invalid(
                "does not start with \"NONE\", \"CMD\" or \"CMD-SHELL\"; \
                 pass a string to run it in the shell",
            ));
        }
    }
    Ok(args.clone())
}

fn nanoseconds(field: &str, duration: Option<Duration>) -> Result<Option<i64>> {
    let Some(duration) = duration else {
        return Ok(None);
    };
    if !duration.is_zero() && duration < Duration::from_millis(1) {
        return Err(Error::invalid_argument(
            ARGUMENT,
            format!("{field} {duration:?} is less than 1ms; use 0 (inherit) or at least 1ms"),
        ));
    }
    i64::try_from(duration.as_nanos()).map(Some).map_err(|_| {
        Error::invalid_argument(
            ARGUMENT,
            format!("{field} {duration:?} is too long: at most {} ns", i64::MAX),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::test_support::assert_invalid;

    #[test]
    fn health_configs() {
        let secs = Duration::from_secs;
        #[cfg_attr(not(api_1_44), allow(unused_mut))]
        let mut cases: Vec<(Healthcheck, serde_json::Value)> = vec![
            ("true".into(), serde_json::json!({"Test": ["CMD-SHELL", "true"]})),
            (
                Healthcheck::new("curl -f http://localhost/ || exit 1"),
                serde_json::json!({"Test": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"]}),
            ),
            (Healthcheck::new(["NONE"]), serde_json::json!({"Test": ["NONE"]})),
            (
                Healthcheck::new(Vec::<String>::new()),
                serde_json::json!({"Test": []}),
            ),
            (
                Healthcheck::new(["CMD", "pg_isready", "-U", "postgres"]),
                serde_json::json!({"Test": ["CMD", "pg_isready", "-U", "postgres"]}),
            ),
            (
                Healthcheck::new(["CMD-SHELL", "exit 0"]),
                serde_json::json!({"Test": ["CMD-SHELL", "exit 0"]}),
            ),
            (
                Healthcheck::new("true")
                    .interval(secs(30))
                    .timeout(secs(5))
                    .retries(3)
                    .start_period(secs(10)),
                serde_json::json!({
                    "Test": ["CMD-SHELL", "true"],
                    "Interval": 30_000_000_000_i64,
                    "Timeout": 5_000_000_000_i64,
                    "Retries": 3,
                    "StartPeriod": 10_000_000_000_i64,
                }),
            ),
            (
                Healthcheck::new("true").interval(Duration::ZERO).retries(0),
                serde_json::json!({"Test": ["CMD-SHELL", "true"], "Interval": 0, "Retries": 0}),
            ),
            (
                Healthcheck::new("true").timeout(Duration::from_millis(1)),
                serde_json::json!({"Test": ["CMD-SHELL", "true"], "Timeout": 1_000_000}),
            ),
            (
                Healthcheck::default().interval(secs(1)),
                serde_json::json!({"Interval": 1_000_000_000}),
            ),
        ];
        #[cfg(api_1_44)]
        cases.push((
            Healthcheck::new("true").start_interval(Duration::from_millis(500)),
            serde_json::json!({"Test": ["CMD-SHELL", "true"], "StartInterval": 500_000_000}),
        ));
        for (input, expected) in cases {
            let got = healthcheck(&input)
                .ok()
                .and_then(|h| serde_json::to_value(h).ok());
            assert_eq!(got, Some(expected), "{input:?}");
        }
    }

    #[cfg(not(api_1_44))]
    #[test]
    fn a_start_interval_needs_a_newer_build() {
        let error = healthcheck(&Healthcheck::new("true").start_interval(Duration::from_secs(1)))
            .expect_err("older models have no start interval");
        assert!(error.to_string().contains("needs API 1.44"), "{error}");
    }

    #[test]
    fn bad_health_checks() {
        let cases: Vec<(Healthcheck, &str)> = vec![
            (
                Healthcheck::new(["ls"]),
                "does not start with \"NONE\", \"CMD\" or \"CMD-SHELL\"",
            ),
            (Healthcheck::new(["cmd", "ls"]), "does not start with"),
            (Healthcheck::new([""]), "does not start with"),
            (Healthcheck::new(["NONE", "x"]), "arguments after \"NONE\""),
            (Healthcheck::new(["CMD"]), "no program after \"CMD\""),
            (Healthcheck::new(["CMD-SHELL"]), "exactly one command"),
            (Healthcheck::new(["CMD-SHELL", "a", "b"]), "exactly one command"),
            (Healthcheck::new(""), "empty command"),
            (Healthcheck::new("true").retries(-1), "retries -1 is negative"),
            (
                Healthcheck::new("true").interval(Duration::from_micros(999)),
                "interval 999µs is less than 1ms",
            ),
            (
                Healthcheck::new("true").timeout(Duration::from_nanos(1)),
                "timeout 1ns is less than 1ms",
            ),
            (
                Healthcheck::new("true").start_period(Duration::from_micros(1)),
                "start_period",
            ),
            (
                Healthcheck::new("true").start_interval(Duration::from_nanos(10)),
                "start_interval",
            ),
            (Healthcheck::new("true").interval(Duration::MAX), "too long"),
            (
                Healthcheck::new("true").timeout(Duration::from_secs(10_000_000_000)),
                "too long",
            ),
        ];
        for (input, needle) in cases {
            assert_invalid(&format!("{input:?}"), healthcheck(&input), "healthcheck", needle);
        }
    }
}
