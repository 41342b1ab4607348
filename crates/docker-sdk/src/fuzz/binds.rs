//! `volumes` and `mounts`: `Binds` strings (`"/host:/data:ro,z"`), map
//! pairs, and `MountSpec::parse_mount_string`.

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use super::{Refusal, check_refusal, ensure, text_of};
use crate::convert::{MODE_WORDS, MountKind, MountSpec, VolumeBind, VolumeSpec, mounts, volume_binds};

#[derive(Clone, Debug)]
enum Input {
    /// Any `Binds` string, also read as a mount string.
    Spec(String),
    /// A map pair, from near-valid parts.
    Pair {
        source: String,
        target: String,
        mode: String,
        propagation: Option<String>,
    },
    /// A mount string from valid parts: source, target, `ro`/`rw`.
    Mount {
        source: Option<Source>,
        target: String,
        mode: Option<&'static str>,
    },
}

#[derive(Clone, Debug)]
enum Source {
    Path(String),
    Drive(char, String),
    Volume(String),
}

impl Source {
    fn text(&self) -> String {
        match self {
            Source::Path(path) | Source::Volume(path) => path.clone(),
            Source::Drive(letter, rest) => format!("{letter}:\\{rest}"),
        }
    }
}

/// `/a/b.c`: an absolute path of a few short components.
fn absolute_path() -> impl Strategy<Value = String> {
    prop::collection::vec("[a-z0-9._-]{1,6}", 1..4).prop_map(|parts| format!("/{}", parts.join("/")))
}

fn volume_name() -> impl Strategy<Value = String> {
    // Two letters at least: a one-letter name before `:/` is a drive.
    "[a-zA-Z0-9][a-zA-Z0-9_.-]{1,10}"
}

fn mode() -> impl Strategy<Value = String> {
    // Every word the parser takes, and a few it must refuse.
    let words = MODE_WORDS.iter().copied().chain(["", "RO", "r", "bogus"]);
    let word = prop::sample::select(words.collect::<Vec<_>>());
    prop::collection::vec(word, 1..4).prop_map(|words| words.join(","))
}

fn strategy() -> impl Strategy<Value = Input> {
    let source = prop_oneof![
        absolute_path().prop_map(Source::Path),
        ("[a-zA-Z]", "[a-z0-9]{1,6}(\\\\[a-z0-9]{1,6}){0,2}")
            .prop_map(|(letter, rest)| Source::Drive(letter.chars().next().unwrap_or('C'), rest)),
        volume_name().prop_map(Source::Volume),
    ];
    let near_valid = prop_oneof![
        absolute_path(),
        volume_name(),
        Just("C:\\data".to_owned()),
        Just(String::new()),
        text_of("/:\\abcCxyz.", 12),
    ];
    let spec = prop_oneof![
        text_of("/:\\,abcCrwoZz.", 24),
        (near_valid.clone(), near_valid.clone(), prop::option::of(mode())).prop_map(
            |(a, b, mode)| match mode {
                Some(mode) => format!("{a}:{b}:{mode}"),
                None => format!("{a}:{b}"),
            }
        ),
    ];
    prop_oneof![
        spec.prop_map(Input::Spec),
        (
            near_valid.clone(),
            near_valid,
            mode(),
            prop::option::of(prop::sample::select(vec!["rshared", "private", "", "sideways"]))
        )
            .prop_map(|(source, target, mode, propagation)| Input::Pair {
                source,
                target,
                mode,
                propagation: propagation.map(str::to_owned),
            }),
        (
            prop::option::of(source),
            absolute_path(),
            prop::option::of(prop::sample::select(vec!["ro", "rw"]))
        )
            .prop_map(|(source, target, mode)| Input::Mount { source, target, mode }),
    ]
}

fn property(input: Input) -> Result<(), TestCaseError> {
    match input {
        Input::Spec(spec) => {
            match volume_binds(&[VolumeSpec::from(spec.as_str())]) {
                Ok(converted) => {
                    ensure!(
                        converted.binds == [spec.clone()],
                        "{spec:?} was not kept as it is"
                    );
                    let path = &converted.container_paths[0];
                    ensure!(
                        path.starts_with(['/', '\\']) || path.as_bytes().get(1) == Some(&b':'),
                        "{spec:?}: container path {path:?} is not absolute"
                    );
                }
                Err(error) => check_refusal(&error, Refusal::InvalidArgument("volumes"))?,
            }
            match MountSpec::parse_mount_string(&spec) {
                Ok(mount) => {
                    // Whatever parses converts, or is refused as a mount.
                    if let Err(error) = mounts(&[mount]) {
                        check_refusal(&error, Refusal::InvalidArgument("mounts"))?;
                    }
                }
                Err(error) => check_refusal(&error, Refusal::InvalidArgument("mounts"))?,
            }
            Ok(())
        }
        Input::Pair {
            source,
            target,
            mode,
            propagation,
        } => {
            let mut bind = VolumeBind::new(target.clone()).mode(mode);
            if let Some(propagation) = propagation {
                bind = bind.propagation(propagation);
            }
            let pair = VolumeSpec::from((source.clone(), bind));
            match volume_binds(std::slice::from_ref(&pair)) {
                Ok(converted) => {
                    ensure!(
                        converted.container_paths == [target.clone()],
                        "{pair:?}: wrong container path"
                    );
                    // The `Binds` string made of the pair reads back, in the
                    // list form, to the same container path. Except for a
                    // one-letter volume: `c:/data:rw` reads as drive `c:`,
                    // as docker-py's `ntpath.splitdrive` reads it.
                    if source.len() == 1 && source.as_bytes()[0].is_ascii_alphabetic() {
                        return Ok(());
                    }
                    let spec = VolumeSpec::from(converted.binds[0].as_str());
                    match volume_binds(&[spec]) {
                        Ok(again) => ensure!(
                            again.container_paths == [target.clone()],
                            "{pair:?} became {:?}, which reads back as {:?}",
                            converted.binds[0],
                            again.container_paths
                        ),
                        Err(error) => {
                            return Err(TestCaseError::fail(format!(
                                "{pair:?} became {:?}, which is refused: {error}",
                                converted.binds[0]
                            )));
                        }
                    }
                }
                Err(error) => check_refusal(&error, Refusal::InvalidArgument("volumes"))?,
            }
            Ok(())
        }
        Input::Mount { source, target, mode } => {
            let text = match (&source, mode) {
                (None, _) => target.clone(),
                (Some(source), None) => format!("{}:{target}", source.text()),
                (Some(source), Some(mode)) => format!("{}:{target}:{mode}", source.text()),
            };
            let expected = match &source {
                None => MountSpec::new(target.clone()),
                Some(source) => {
                    let kind = match source {
                        Source::Volume(_) => MountKind::Volume,
                        _ => MountKind::Bind,
                    };
                    MountSpec::new(target.clone())
                        .source(source.text())
                        .kind(kind)
                        .read_only(mode == Some("ro"))
                }
            };
            let parsed = MountSpec::parse_mount_string(&text)
                .map_err(|e| TestCaseError::fail(format!("{text:?} refused: {e}")))?;
            ensure!(
                parsed == expected,
                "{text:?} parsed to {parsed:?}, expected {expected:?}"
            );
            let converted = mounts(&[parsed]).map_err(|e| TestCaseError::fail(format!("{text:?}: {e}")))?;
            ensure!(
                converted[0].target.as_deref() == Some(target.as_str())
                    && converted[0].source == source.as_ref().map(Source::text),
                "{text:?} converted to {:?}",
                converted[0]
            );
            Ok(())
        }
    }
}

#[test]
fn run() {
    super::run("binds", strategy(), property);
}
