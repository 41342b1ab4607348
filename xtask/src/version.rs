//! Engine API versions, as they name swagger files and modules.

use std::fmt;
use std::str::FromStr;

use anyhow::{Context, Result};
use serde::Deserialize;

/// An Engine API version such as `1.41`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct ApiVersion {
    pub major: u32,
    pub minor: u32,
}

impl ApiVersion {
    /// The module (and cargo feature) of this version: `v1_41`.
    pub fn module(self) -> String {
        format!("v{}_{}", self.major, self.minor)
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl FromStr for ApiVersion {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> Result<Self> {
        let s = s.strip_prefix('v').unwrap_or(s);
        let (major, minor) = s
            .split_once('.')
            .with_context(|| format!("{s:?} is not MAJOR.MINOR"))?;
        Ok(Self {
            major: major
                .parse()
                .with_context(|| format!("{s:?}: bad major version"))?,
            minor: minor
                .parse()
                .with_context(|| format!("{s:?}: bad minor version"))?,
        })
    }
}

impl TryFrom<String> for ApiVersion {
    type Error = anyhow::Error;

    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}
