//! Sizes (`mem_limit`, `memswap_limit`, `shm_size`, `kernel_memory`,
//! `mem_reservation`, a tmpfs mount's size), read as docker-py's
//! `parse_bytes` reads them.

use crate::error::{Error, Result};

/// A size in bytes: a number, or text such as `"128m"`.
///
/// Text is a whole number followed by an optional unit, `b`, `k`, `m` or `g`
/// (powers of 1024, any case, with an optional `b` after `k`, `m` or `g`,
/// as in `"128mb"`); a plain number is bytes and `""` is 0, as in docker-py.
/// Fractions (`"1.5g"`), negative sizes, spaces and other units are
/// refused.
///
/// ```
/// use docker_sdk::convert::ByteSize;
///
/// let sizes: [ByteSize; 3] = [1_073_741_824.into(), "1g".into(), "1GB".into()];
/// assert_eq!(sizes[1], ByteSize::Text("1g".into()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ByteSize {
    /// A number of bytes.
    Bytes(i64),
    /// A number with an optional unit, such as `"512m"`.
    Text(String),
}

impl From<i64> for ByteSize {
    fn from(bytes: i64) -> Self {
        ByteSize::Bytes(bytes)
    }
}

impl From<i32> for ByteSize {
    fn from(bytes: i32) -> Self {
        ByteSize::Bytes(bytes.into())
    }
}

impl From<u32> for ByteSize {
    fn from(bytes: u32) -> Self {
        ByteSize::Bytes(bytes.into())
    }
}

impl From<&str> for ByteSize {
    fn from(text: &str) -> Self {
        ByteSize::Text(text.to_owned())
    }
}

impl From<String> for ByteSize {
    fn from(text: String) -> Self {
        ByteSize::Text(text)
    }
}

impl From<&String> for ByteSize {
    fn from(text: &String) -> Self {
        ByteSize::Text(text.clone())
    }
}

const ACCEPTED: &str = "use a number of bytes or a number followed by b, k, m or g";

/// The size in bytes, or an `InvalidArgument` named `argument`.
pub(crate) fn parse_bytes(argument: &str, value: &ByteSize) -> Result<i64> {
    match value {
        ByteSize::Bytes(bytes) if *bytes < 0 => Err(Error::invalid_argument(
            argument,
            format!("{bytes} is negative; {ACCEPTED}"),
        )),
        ByteSize::Bytes(bytes) => Ok(*bytes),
        ByteSize::Text(text) => parse_text(argument, text),
    }
}

/// As [`parse_bytes`], and `-1` (or `"-1"`) for no limit, which the engine
/// takes for `memswap_limit`.
pub(crate) fn parse_swap_bytes(argument: &str, value: &ByteSize) -> Result<i64> {
    match value {
        ByteSize::Bytes(-1) => Ok(-1),
        ByteSize::Text(text) if text == "-1" => Ok(-1),
        ByteSize::Bytes(bytes) if *bytes < 0 => Err(Error::invalid_argument(
            argument,
            format!("{bytes} is negative; {ACCEPTED}, or -1 for no limit"),
        )),
        _ => parse_bytes(argument, value),
    }
}

fn parse_text(argument: &str, text: &str) -> Result<i64> {
    let invalid = |why: String| Error::invalid_argument(argument, format!("{text:?} {why}; {ACCEPTED}"));
    if text.is_empty() {
        // docker-py reads an empty string as 0.
        return Ok(0);
    }
    // The unit is the trailing letters: none or `b` for bytes, `k`, `m`, `g`
    // with an optional `b` ("128mb").
    let (digits, unit) = text.split_at(text.trim_end_matches(|c: char| c.is_ascii_alphabetic()).len());
    let multiplier: i64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1 << 10,
        "m" | "mb" => 1 << 20,
        "g" | "gb" => 1 << 30,
        _ => return Err(invalid(format!("has unknown unit {unit:?}"))),
    };
    if digits.is_empty() {
        return Err(invalid("has no number before its unit".into()));
    }
    if digits.len() > 1 && digits.starts_with('-') && digits[1..].bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid("is negative".into()));
    }
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(format!(
            "is not a whole number of bytes or units ({digits:?})"
        )));
    }
    digits
        .parse::<i64>()
        .ok()
        .and_then(|n| n.checked_mul(multiplier))
        .ok_or_else(|| invalid(format!("is too large: at most {} bytes", i64::MAX)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::test_support::assert_invalid;

    #[test]
    fn sizes_as_docker_py_reads_them() {
        let cases: &[(ByteSize, i64)] = &[
            (ByteSize::Bytes(0), 0),
            (ByteSize::Bytes(123), 123),
            (67_108_864.into(), 67_108_864),
            (4_000_000_000_u32.into(), 4_000_000_000),
            (i64::MAX.into(), i64::MAX),
            ("".into(), 0),
            ("0".into(), 0),
            ("123".into(), 123),
            ("007".into(), 7),
            ("12b".into(), 12),
            ("12B".into(), 12),
            ("1k".into(), 1024),
            ("1K".into(), 1024),
            ("1kb".into(), 1024),
            ("1KB".into(), 1024),
            ("512m".into(), 536_870_912),
            ("512M".into(), 536_870_912),
            ("512MB".into(), 536_870_912),
            ("512mb".into(), 536_870_912),
            ("512Mb".into(), 536_870_912),
            ("64M".into(), 67_108_864),
            ("1g".into(), 1 << 30),
            ("1G".into(), 1 << 30),
            ("1gb".into(), 1 << 30),
            ("8589934591g".into(), 8_589_934_591 << 30),
            ("0g".into(), 0),
            (String::from("2k").into(), 2048),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_bytes("mem_limit", input).ok(), Some(*expected), "{input:?}");
        }
    }

    #[test]
    fn bad_sizes() {
        let cases: &[(ByteSize, &str)] = &[
            ("12x".into(), r#""12x" has unknown unit "x""#),
            ("512L".into(), r#"unknown unit "L""#),
            ("512MK".into(), r#"unknown unit "MK""#),
            ("1.5g".into(), "not a whole number"),
            ("1.5".into(), "not a whole number"),
            ("1.5.5g".into(), "not a whole number"),
            ("127.0.0.1K".into(), "not a whole number"),
            ("g".into(), "no number before its unit"),
            ("b".into(), "no number before its unit"),
            ("mb".into(), "no number before its unit"),
            (" 12m".into(), "not a whole number"),
            ("12m ".into(), "not a whole number"),
            ("12 m".into(), "not a whole number"),
            ("+12".into(), "not a whole number"),
            ("-12m".into(), "is negative"),
            ("-1".into(), "is negative"),
            ("1_000".into(), "not a whole number"),
            ("12bb".into(), r#"unknown unit "bb""#),
            ("12kib".into(), r#"unknown unit "kib""#),
            ("1e3".into(), "not a whole number"),
            ("١٢".into(), "not a whole number"),
            ("9223372036854775808".into(), "too large"),
            ("8589934592g".into(), "too large"),
            ("99999999999999999999k".into(), "too large"),
            (ByteSize::Bytes(-1), "-1 is negative"),
            (ByteSize::Bytes(i64::MIN), "is negative"),
        ];
        for (input, needle) in cases {
            assert_invalid(
                &format!("{input:?}"),
                parse_bytes("shm_size", input),
                "shm_size",
                needle,
            );
        }
        // The message says what is accepted.
        assert_invalid(
            "12x",
            parse_bytes("mem_limit", &"12x".into()),
            "mem_limit",
            r#""12x" has unknown unit "x"; use a number of bytes or a number followed by b, k, m or g"#,
        );
    }

    #[test]
    fn swap_takes_minus_one_for_no_limit() {
        let good: &[(ByteSize, i64)] = &[
            (ByteSize::Bytes(-1), -1),
            ("-1".into(), -1),
            ("1g".into(), 1 << 30),
            (0.into(), 0),
        ];
        for (input, expected) in good {
            assert_eq!(
                parse_swap_bytes("memswap_limit", input).ok(),
                Some(*expected),
                "{input:?}"
            );
        }
        let bad: &[(ByteSize, &str)] = &[
            (ByteSize::Bytes(-2), "-1 for no limit"),
            ("-2".into(), "is negative"),
            ("-1m".into(), "is negative"),
            ("x".into(), "unknown unit"),
        ];
        for (input, needle) in bad {
            assert_invalid(
                &format!("{input:?}"),
                parse_swap_bytes("memswap_limit", input),
                "memswap_limit",
                needle,
            );
        }
    }
}
