//! `.dockerignore`: reading a file, matching paths, and the walk's
//! shortcut of not descending into excluded directories.

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use super::{ensure, text_of};
use crate::build_context::Dockerignore;

#[derive(Clone, Debug)]
enum Input {
    /// Any file, and paths to match against it.
    File(Vec<u8>, Vec<String>),
    /// Globs of the full syntax (`**`, classes, escapes, exceptions), and a
    /// path to check the walk's pruning on.
    Globs(Vec<String>, String),
    /// Patterns of literals, `*` and `?` only, and a path: compared with a
    /// plain reference matcher.
    Simple(Vec<(bool, Vec<String>)>, Vec<String>),
}

/// A clean relative path: a few components from a small alphabet, so
/// that patterns and paths meet.
fn path() -> impl Strategy<Value = String> {
    components().prop_map(|parts| parts.join("/"))
}

/// The components of a clean path, as the walk gives them: no `.`, `..`.
fn components() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec("[ab.]{1,3}", 1..5).prop_filter("clean paths only", |parts| {
        parts.iter().all(|p| p != "." && p != "..")
    })
}

/// A glob line, from the pieces that make the matcher work hard.
fn glob() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "a",
        "b",
        ".",
        "/",
        "*",
        "**",
        "**/",
        "?",
        "[ab]",
        "[^a]",
        "[a-c]",
        "\\*",
        "\\",
        "[",
        "]",
        "[]",
        "[\\]]",
        "[!a]",
        "..",
        "./",
        "!",
        " ",
        "#",
        "\\d",
        "[[:alpha:]]",
        "é",
        "(",
        "|",
        "$",
        "^",
        "{",
        "+",
    ]);
    prop::collection::vec(piece, 1..8).prop_map(|pieces| pieces.concat())
}

fn strategy() -> impl Strategy<Value = Input> {
    let file = prop_oneof![
        prop::collection::vec(glob(), 0..6).prop_map(|lines| lines.join("\n").into_bytes()),
        text_of("ab*?[]^!-\\/.#\n\r ", 40).prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 0..40),
        // A byte order mark, CRLF line ends, and bytes that are not UTF-8.
        (prop::collection::vec(glob(), 0..4), any::<bool>()).prop_map(|(lines, bom)| {
            let mut bytes = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
            bytes.extend(lines.join("\r\n").into_bytes());
            bytes.extend(b"\n\xFF\xFEa*\n");
            bytes
        }),
    ];
    let simple_component = prop::collection::vec(prop::sample::select(vec!['a', 'b', '.', '*', '?']), 1..4)
        .prop_map(|chars| chars.into_iter().collect::<String>())
        // `**` is not for the reference matcher.
        .prop_filter("clean components without **", |c| {
            c != "." && c != ".." && !c.contains("**")
        });
    let simple_pattern = (
        prop::bool::weighted(0.3),
        prop::collection::vec(simple_component, 1..4),
    );
    prop_oneof![
        (
            file,
            prop::collection::vec(prop_oneof![path(), text_of("ab/.", 12)], 1..4)
        )
            .prop_map(|(file, paths)| Input::File(file, paths)),
        (prop::collection::vec(glob(), 1..6), path()).prop_map(|(globs, path)| Input::Globs(globs, path)),
        (prop::collection::vec(simple_pattern, 1..5), components())
            .prop_map(|(patterns, path)| Input::Simple(patterns, path)),
    ]
}

fn property(input: Input) -> Result<(), TestCaseError> {
    match input {
        Input::File(bytes, paths) => match Dockerignore::parse(&bytes) {
            Ok(ignore) => {
                for path in paths {
                    let _ = ignore.is_excluded(&path);
                }
            }
            Err(error) => ensure!(
                error.line >= 1 && !error.reason.trim().is_empty(),
                "a refusal that does not say where or why: {error:?}"
            ),
        },
        Input::Globs(globs, path) => {
            let Ok(ignore) = Dockerignore::from_lines(&globs) else {
                return Ok(());
            };
            pruning_is_sound(&ignore, &path)?;
        }
        Input::Simple(patterns, path) => {
            let lines: Vec<String> = patterns
                .iter()
                .map(|(exception, parts)| format!("{}{}", if *exception { "!" } else { "" }, parts.join("/")))
                .collect();
            let ignore = Dockerignore::from_lines(&lines)
                .map_err(|e| TestCaseError::fail(format!("{lines:?} refused: {e}")))?;
            let path_text = path.join("/");
            let expected = reference_excluded(&patterns, &path);
            let got = ignore.is_excluded(&path_text);
            ensure!(
                got == expected,
                "{lines:?} on {path_text:?}: excluded {got}, the reference says {expected}"
            );
            pruning_is_sound(&ignore, &path_text)?;
        }
    }
    Ok(())
}

/// The walk does not descend into an excluded directory unless an
/// exception after its deciding rule could match inside it: so what it
/// skips must all be excluded.
fn pruning_is_sound(ignore: &Dockerignore, path: &str) -> Result<(), TestCaseError> {
    let excluded = ignore.is_excluded(path);
    let mut state = ignore.root_state();
    let mut end = 0;
    while let Some(slash) = path[end..].find('/').map(|i| end + i) {
        let dir = &path[..slash];
        let last = ignore.last_match(dir, &state);
        if let Some(rule) = last
            && ignore.excludes(last)
            && !ignore.may_reinclude_under(dir, rule)
        {
            ensure!(
                excluded,
                "the walk skips {dir:?} (rule {rule} of {:?}), but {path:?} in it is not excluded",
                ignore.patterns()
            );
            return Ok(());
        }
        state = ignore.dir_state(dir, &state);
        end = slash + 1;
    }
    Ok(())
}

/// moby's rule, written plainly: the last pattern that matches the path or
/// one of its parent directories decides. A pattern without `**` matches a
/// path of as many components, each matching its glob.
fn reference_excluded(patterns: &[(bool, Vec<String>)], path: &[String]) -> bool {
    let mut excluded = false;
    for (exception, parts) in patterns {
        let matches = (1..=path.len()).any(|n| {
            parts.len() == n
                && parts
                    .iter()
                    .zip(&path[..n])
                    .all(|(glob, name)| glob_matches(glob.as_bytes(), name.as_bytes()))
        });
        if matches {
            excluded = !exception;
        }
    }
    excluded
}

/// `*` any run, `?` any one character, anything else itself (names hold
/// no `/` here).
fn glob_matches(glob: &[u8], name: &[u8]) -> bool {
    match (glob.split_first(), name.split_first()) {
        (None, _) => name.is_empty(),
        (Some((b'*', rest)), _) => (0..=name.len()).any(|skip| glob_matches(rest, &name[skip..])),
        (Some(_), None) => false,
        (Some((b'?', rest)), Some((_, name_rest))) => glob_matches(rest, name_rest),
        (Some((g, rest)), Some((n, name_rest))) => g == n && glob_matches(rest, name_rest),
    }
}

#[test]
fn run() {
    super::run("dockerignore", strategy(), property);
}
