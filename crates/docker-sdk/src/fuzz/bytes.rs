//! Sizes: `parse_bytes` and `parse_swap_bytes` on numbers and on text such
//! as `"128m"`.

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use super::{Refusal, check_refusal, ensure, text_of};
use crate::convert::{ByteSize, parse_bytes, parse_swap_bytes};

const ARGUMENT: &str = "mem_limit";

#[derive(Clone, Debug)]
enum Input {
    /// Any size, number or text.
    Any(ByteSize),
    /// A number, written with zeros in front, then a unit in some case.
    Unit { number: u64, zeros: usize, unit: String },
}

fn strategy() -> impl Strategy<Value = Input> {
    let units = ["", "b", "k", "kb", "m", "mb", "g", "gb"];
    let unit = (prop::sample::select(units.to_vec()), any::<u8>()).prop_map(|(unit, case)| {
        // Each letter upper or lower case, by a bit of `case`.
        unit.chars()
            .enumerate()
            .map(|(i, c)| {
                if case >> i & 1 == 1 {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            })
            .collect::<String>()
    });
    let number = prop_oneof![
        0u64..5000,
        any::<u64>(),
        (0u32..64).prop_map(|shift| 1u64 << shift)
    ];
    prop_oneof![
        any::<i64>().prop_map(|n| Input::Any(ByteSize::Bytes(n))),
        prop_oneof![Just(-1i64), Just(i64::MIN), Just(i64::MAX)].prop_map(|n| Input::Any(ByteSize::Bytes(n))),
        text_of("0123456789kmgbKMGB-+. _e", 24).prop_map(|t| Input::Any(ByteSize::Text(t))),
        (number, 0usize..3, unit).prop_map(|(number, zeros, unit)| Input::Unit { number, zeros, unit }),
    ]
}

fn property(input: Input) -> Result<(), TestCaseError> {
    match input {
        Input::Any(size) => {
            for (result, swap) in [
                (parse_bytes(ARGUMENT, &size), false),
                (parse_swap_bytes(ARGUMENT, &size), true),
            ] {
                match result {
                    Ok(bytes) => ensure!(
                        bytes >= 0 || (swap && bytes == -1),
                        "{size:?} parsed to {bytes} (swap: {swap})"
                    ),
                    Err(error) => check_refusal(&error, Refusal::InvalidArgument(ARGUMENT))?,
                }
            }
            if let ByteSize::Bytes(n) = size {
                ensure!(
                    parse_bytes(ARGUMENT, &size).ok() == (n >= 0).then_some(n),
                    "{n} is a size exactly when it is not negative"
                );
            }
            Ok(())
        }
        Input::Unit { number, zeros, unit } => {
            let text = format!("{}{number}{unit}", "0".repeat(zeros));
            let multiplier: u64 = match unit.to_ascii_lowercase().as_str() {
                "" | "b" => 1,
                "k" | "kb" => 1 << 10,
                "m" | "mb" => 1 << 20,
                _ => 1 << 30,
            };
            let expected = number.checked_mul(multiplier).and_then(|n| i64::try_from(n).ok());
            match (parse_bytes(ARGUMENT, &ByteSize::Text(text.clone())), expected) {
                (Ok(bytes), Some(expected)) => {
                    ensure!(
                        bytes == expected,
                        "{text:?} parsed to {bytes}, expected {expected}"
                    )
                }
                (Err(error), None) => check_refusal(&error, Refusal::InvalidArgument(ARGUMENT))?,
                (got, expected) => {
                    return Err(TestCaseError::fail(format!(
                        "{text:?} gave {got:?}, expected {expected:?}"
                    )));
                }
            }
            Ok(())
        }
    }
}

#[test]
fn run() {
    super::run("bytes", strategy(), property);
}
