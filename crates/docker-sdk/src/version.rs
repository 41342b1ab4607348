//! API versions: parsing, the range this SDK speaks, and negotiation.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// An Engine API version, such as `1.41`.
///
/// ```
/// use docker_sdk::ApiVersion;
///
/// let version: ApiVersion = "1.41".parse()?;
/// assert_eq!(version, ApiVersion::new(1, 41));
/// assert!(version < ApiVersion::LATEST);
/// # Ok::<(), docker_sdk::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ApiVersion {
    major: u16,
    minor: u16,
}

/// The minor version build.rs chose, as a number (a const context cannot
/// call `str::parse`).
const fn parse_minor(text: &str) -> u16 {
    let bytes = text.as_bytes();
    let mut value = 0u16;
    let mut i = 0;
    while i < bytes.len() {
        value = value * 10 + (bytes[i] - b'0') as u16;
        i += 1;
    }
    value
}

/// A keyword this build of the SDK cannot send: its models are those of an
/// API version older than the one that added it.
#[cfg_attr(api_1_45, allow(dead_code))] // every such keyword is known from 1.45 on
pub(crate) fn needs_newer_build(argument: &str, what: &str, minor: u16) -> Error {
    Error::invalid_argument(
        argument,
        format!(
            "{what} needs API 1.{minor}, and this build of docker-sdk has the models of {}; \
             enable its v1_{minor} feature (or a newer one)",
            ApiVersion::LATEST
        ),
    )
}

impl ApiVersion {
    /// The oldest version this SDK has bindings for.
    pub const MINIMUM: ApiVersion = ApiVersion::new(1, 41);

    /// The version the SDK is built against (its `v1_NN` feature): the
    /// newest it speaks.
    pub const LATEST: ApiVersion = ApiVersion::new(1, parse_minor(env!("DOCKER_SDK_API_MINOR")));

    /// `major.minor`.
    pub const fn new(major: u16, minor: u16) -> Self {
        Self { major, minor }
    }

    /// The major version.
    pub const fn major(self) -> u16 {
        self.major
    }

    /// The minor version.
    pub const fn minor(self) -> u16 {
        self.minor
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl FromStr for ApiVersion {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let invalid = || Error::InvalidVersion {
            message: format!("{s:?} is not an API version; expected MAJOR.MINOR, such as \"1.41\""),
        };
        let (major, minor) = s.trim().split_once('.').ok_or_else(invalid)?;
        let number = |part: &str| {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid());
            }
            part.parse::<u16>().map_err(|_| invalid())
        };
        Ok(Self::new(number(major)?, number(minor)?))
    }
}

/// Which API version a client speaks: one it was told, or the newest both
/// it and the engine know, negotiated on first use (docker-py's `"auto"`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum VersionChoice {
    /// Ask the engine (once, lazily) and speak `min(engine, LATEST)`.
    #[default]
    Auto,
    /// Speak this version, without asking.
    Pinned(ApiVersion),
}

impl FromStr for VersionChoice {
    type Err = Error;

    /// `"auto"` or a version such as `"1.41"`, as docker-py takes them.
    fn from_str(s: &str) -> Result<Self> {
        if s.trim().eq_ignore_ascii_case("auto") {
            return Ok(VersionChoice::Auto);
        }
        let version: ApiVersion = s.parse()?;
        check_supported(version)?;
        Ok(VersionChoice::Pinned(version))
    }
}

/// Whether this SDK can speak `version` at all.
pub(crate) fn check_supported(version: ApiVersion) -> Result<()> {
    if version < ApiVersion::MINIMUM || version > ApiVersion::LATEST {
        return Err(Error::InvalidVersion {
            message: format!(
                "API version {version} is outside what this SDK speaks ({} to {})",
                ApiVersion::MINIMUM,
                ApiVersion::LATEST
            ),
        });
    }
    Ok(())
}

/// The version to speak with an engine whose `/_ping` announced `engine`:
/// the newer of the two never wins, the older one does, as the Go client
/// negotiates. An engine that announces nothing is taken at its word of
/// old and spoken to at [`ApiVersion::MINIMUM`].
pub(crate) fn negotiate(engine: Option<ApiVersion>) -> Result<ApiVersion> {
    let Some(engine) = engine else {
        return Ok(ApiVersion::MINIMUM);
    };
    if engine < ApiVersion::MINIMUM {
        return Err(Error::InvalidVersion {
            message: format!(
                "the engine speaks API {engine}, older than the oldest this SDK supports ({}); \
                 upgrade the engine",
                ApiVersion::MINIMUM
            ),
        });
    }
    Ok(engine.min(ApiVersion::LATEST))
}

/// The error for a call that needs `needed` while `in_use` is spoken
/// (docker-py's `minimum_version`).
pub(crate) fn too_old(what: &str, needed: ApiVersion, in_use: ApiVersion) -> Error {
    Error::InvalidVersion {
        message: format!("{what} is not available for API version < {needed} (this client speaks {in_use})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_major_minor() {
        let cases: &[(&str, Option<(u16, u16)>)] = &[
            ("1.41", Some((1, 41))),
            (" 1.55 ", Some((1, 55))),
            ("1.4", Some((1, 4))),
            ("1", None),
            ("1.", None),
            (".41", None),
            ("1.41.0", None),
            ("v1.41", None),
            ("1.-1", None),
            ("1.+1", None),
            ("one.two", None),
            ("", None),
            ("1.99999", None),
        ];
        for (input, expected) in cases {
            let parsed = input.parse::<ApiVersion>().ok().map(|v| (v.major(), v.minor()));
            assert_eq!(parsed, *expected, "{input:?}");
        }
    }

    #[test]
    fn orders_numerically() {
        assert!(ApiVersion::new(1, 9) < ApiVersion::new(1, 41));
        assert!(ApiVersion::new(2, 0) > ApiVersion::new(1, 55));
    }

    #[test]
    fn choice_is_auto_or_a_supported_version() {
        assert_eq!("auto".parse::<VersionChoice>().unwrap(), VersionChoice::Auto);
        assert_eq!("AUTO".parse::<VersionChoice>().unwrap(), VersionChoice::Auto);
        assert_eq!(
            "1.41".parse::<VersionChoice>().unwrap(),
            VersionChoice::Pinned(ApiVersion::new(1, 41))
        );
        let too_new = "1.99".parse::<VersionChoice>().unwrap_err();
        let range = format!("outside what this SDK speaks (1.41 to {})", ApiVersion::LATEST);
        assert!(too_new.to_string().contains(&range), "{too_new}");
        assert!(matches!(
            "1.24".parse::<VersionChoice>(),
            Err(Error::InvalidVersion { .. })
        ));
    }

    #[test]
    fn negotiation_goes_down_never_up() {
        type MajorMinor = Option<(u16, u16)>;
        // The newest this build speaks: 1.55 by default, 1.41 on v1_41 alone.
        let latest = (ApiVersion::LATEST.major(), ApiVersion::LATEST.minor());
        let cases: &[(MajorMinor, MajorMinor)] = &[
            (Some((1, 41)), Some((1, 41))),
            (Some((1, 47)), Some((1, 47).min(latest))),
            (Some(latest), Some(latest)),
            (Some((1, 60)), Some(latest)),
            (Some((2, 0)), Some(latest)),
            (Some((1, 40)), None),
            (None, Some((1, 41))),
        ];
        for (engine, expected) in cases {
            let engine = engine.map(|(a, b)| ApiVersion::new(a, b));
            let got = negotiate(engine).ok().map(|v| (v.major(), v.minor()));
            assert_eq!(got, *expected, "{engine:?}");
        }
    }

    #[test]
    fn latest_is_the_version_of_the_module_built_against() {
        assert_eq!(ApiVersion::LATEST.to_string(), crate::api::Client::API_VERSION);
    }
}
