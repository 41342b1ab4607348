//! Small conversions that several keywords share: a duration in the
//! engine's nanoseconds, a word from a fixed vocabulary.

use std::time::Duration;

use crate::error::{Error, Result};

/// A duration as the engine's nanoseconds, or `InvalidArgument` naming
/// `argument` when it does not fit an `i64` (292 years).
pub(crate) fn nanoseconds(argument: &str, duration: Duration) -> Result<i64> {
    i64::try_from(duration.as_nanos()).map_err(|_| {
        Error::invalid_argument(
            argument,
            format!("{duration:?} is too long: at most {} ns", i64::MAX),
        )
    })
}

/// One of a generated enum's values, by its wire name, checked against the
/// words the SDK knows: the generated enums keep unknown words (an engine
/// may send new ones), so they cannot be what refuses a typo.
pub(crate) fn parse_enum<T: serde::de::DeserializeOwned>(
    argument: &str,
    value: &str,
    accepted: &[&str],
) -> Result<T> {
    let refuse = || {
        Error::invalid_argument(
            argument,
            format!("{value:?} is not one of {}", accepted.join(", ")),
        )
    };
    if !accepted.contains(&value) {
        return Err(refuse());
    }
    serde_json::from_value(serde_json::Value::String(value.to_owned())).map_err(|_| refuse())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types;

    #[test]
    fn durations_become_nanoseconds() {
        let cases: &[(Duration, Option<i64>)] = &[
            (Duration::ZERO, Some(0)),
            (Duration::from_nanos(1), Some(1)),
            (Duration::from_secs(10), Some(10_000_000_000)),
            (Duration::from_secs(90 * 24 * 3600), Some(7_776_000_000_000_000)),
            (Duration::from_nanos(i64::MAX as u64), Some(i64::MAX)),
            (Duration::from_nanos(i64::MAX as u64 + 1), None),
            (Duration::MAX, None),
        ];
        for (duration, expected) in cases {
            match (nanoseconds("delay", *duration), expected) {
                (Ok(nanos), Some(expected)) => assert_eq!(nanos, *expected, "{duration:?}"),
                (Err(Error::InvalidArgument { argument, reason }), None) => {
                    assert_eq!(argument, "delay");
                    assert!(reason.contains("too long"), "{reason}");
                }
                (other, _) => panic!("{duration:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn only_known_words_are_taken() {
        let accepted = &["on-failure", "any", "none"];
        let condition: types::TaskSpecRestartPolicyCondition =
            parse_enum("condition", "on-failure", accepted).expect("a known word");
        assert_eq!(condition.to_string(), "on-failure");
        for bad in ["", "always", "ON-FAILURE", "on-failure "] {
            let error = parse_enum::<types::TaskSpecRestartPolicyCondition>("condition", bad, accepted)
                .expect_err(bad);
            assert!(
                matches!(&error, Error::InvalidArgument { argument, reason }
                    if argument == "condition" && reason.contains("on-failure, any, none")),
                "{bad:?}: {error:?}"
            );
        }
    }
}
