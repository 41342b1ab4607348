//! Helpers for the converters' table tests.

use std::fmt::Debug;

use crate::error::{Error, Result};

/// Asserts that `result` is an `InvalidArgument` for `argument` whose reason
/// contains `needle`; `case` names the table row in the failure message.
#[track_caller]
pub(crate) fn assert_invalid<T: Debug>(case: &str, result: Result<T>, argument: &str, needle: &str) {
    match result {
        Err(Error::InvalidArgument {
            argument: got,
            reason,
        }) => {
            assert_eq!(got, argument, "{case}: wrong argument name (reason: {reason})");
            assert!(
                reason.contains(needle),
                "{case}: reason {reason:?} does not contain {needle:?}"
            );
        }
        other => panic!("{case}: expected invalid {argument}, got {other:?}"),
    }
}
