//! `command` and `entrypoint`: a list of arguments, or a string split as
//! docker-py splits it, with Python's `shlex.split`.

use crate::error::{Error, Result};

/// A command: a string, split into arguments as a POSIX shell would (with
/// Python's `shlex.split` rules, as docker-py), or the arguments themselves.
///
/// ```
/// use docker_sdk::convert::Command;
///
/// let shell: Command = "echo 'hello world'".into();
/// let args: Command = ["echo", "hello world"].into();
/// assert_eq!(args, Command::Args(vec!["echo".into(), "hello world".into()]));
/// # let _ = shell;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// A string, split into arguments like a shell line.
    Shell(String),
    /// The arguments, as they are.
    Args(Vec<String>),
}

impl From<&str> for Command {
    fn from(line: &str) -> Self {
        Command::Shell(line.to_owned())
    }
}

impl From<String> for Command {
    fn from(line: String) -> Self {
        Command::Shell(line)
    }
}

impl From<&String> for Command {
    fn from(line: &String) -> Self {
        Command::Shell(line.clone())
    }
}

impl From<Vec<String>> for Command {
    fn from(args: Vec<String>) -> Self {
        Command::Args(args)
    }
}

impl From<Vec<&str>> for Command {
    fn from(args: Vec<&str>) -> Self {
        Command::Args(args.into_iter().map(str::to_owned).collect())
    }
}

impl From<&[&str]> for Command {
    fn from(args: &[&str]) -> Self {
        Command::Args(args.iter().map(|a| (*a).to_owned()).collect())
    }
}

impl<const N: usize> From<[&str; N]> for Command {
    fn from(args: [&str; N]) -> Self {
        Command::Args(args.into_iter().map(str::to_owned).collect())
    }
}

impl<const N: usize> From<[String; N]> for Command {
    fn from(args: [String; N]) -> Self {
        Command::Args(args.into())
    }
}

/// `Cmd`: a string is split (`""` gives no arguments, the image's command),
/// a list is kept as it is.
pub(crate) fn command(argument: &str, value: &Command) -> Result<Vec<String>> {
    match value {
        Command::Shell(line) => split_command(argument, line),
        Command::Args(args) => Ok(args.clone()),
    }
}

/// `Entrypoint`: as [`command`], except that a string with no arguments
/// (`""`) resets the image's entrypoint. docker-py sends `[]` for it; this
/// sends `[""]`, as the docker CLI's `--entrypoint ""` does, which the
/// engine reads the same way.
pub(crate) fn entrypoint(value: &Command) -> Result<Vec<String>> {
    let args = command("entrypoint", value)?;
    if args.is_empty() && matches!(value, Command::Shell(_)) {
        return Ok(vec![String::new()]);
    }
    Ok(args)
}

/// Splits `line` as Python's `shlex.split(line)` does (POSIX mode, no
/// comments): whitespace is space, tab, CR and LF; `'…'` is literal; in
/// `"…"` a backslash escapes only `"` and `\`; outside quotes a backslash
/// escapes any character; `''` is an empty argument.
///
/// Not the `shlex` crate: it reads `#` as a comment, drops backslash-newline
/// and escapes `$` and `` ` `` inside double quotes, all of which
/// Python keeps.
pub(crate) fn split_command(argument: &str, line: &str) -> Result<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Between,
        Word,
        Single,
        Double,
    }
    let mut words = Vec::new();
    // A quote starts a word even if it ends empty, so `''` is a word.
    let mut word = String::new();
    let mut state = State::Between;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match state {
            State::Between | State::Word => match c {
                ' ' | '\t' | '\r' | '\n' => {
                    if state == State::Word {
                        words.push(std::mem::take(&mut word));
                    }
                    state = State::Between;
                }
                '\'' => state = State::Single,
                '"' => state = State::Double,
                '\\' => {
                    let Some(next) = chars.next() else {
                        return Err(unfinished(argument, line, "ends with a lone backslash"));
                    };
                    word.push(next);
                    state = State::Word;
                }
                _ => {
                    word.push(c);
                    state = State::Word;
                }
            },
            State::Single => match c {
                '\'' => state = State::Word,
                _ => word.push(c),
            },
            State::Double => match c {
                '"' => state = State::Word,
                '\\' => {
                    let Some(next) = chars.next() else {
                        return Err(unfinished(argument, line, "has no closing quotation"));
                    };
                    // Only the quote and the backslash itself are escaped.
                    if next != '"' && next != '\\' {
                        word.push('\\');
                    }
                    word.push(next);
                }
                _ => word.push(c),
            },
        }
    }
    match state {
        State::Single | State::Double => Err(unfinished(argument, line, "has no closing quotation")),
        State::Word => {
            words.push(word);
            Ok(words)
        }
        State::Between => Ok(words),
    }
}

fn unfinished(argument: &str, line: &str, why: &str) -> Error {
    Error::invalid_argument(
        argument,
        format!("{line:?} {why}; close every quote, or pass the arguments as a list"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::test_support::assert_invalid;

    #[test]
    fn splits_as_python_shlex() {
        let cases: &[(&str, &[&str])] = &[
            ("", &[]),
            ("   ", &[]),
            ("ls", &["ls"]),
            ("echo hello world", &["echo", "hello", "world"]),
            ("echo μμ", &["echo", "μμ"]),
            ("  spaced   out  ", &["spaced", "out"]),
            ("a\tb\nc\rd", &["a", "b", "c", "d"]),
            ("echo 'hello world'", &["echo", "hello world"]),
            (r#"echo "hello world""#, &["echo", "hello world"]),
            (r#"sh -c "echo $HOME""#, &["sh", "-c", "echo $HOME"]),
            ("sh -c 'echo \"$HOME\"'", &["sh", "-c", "echo \"$HOME\""]),
            (r#"a"b c"d"#, &["ab cd"]),
            ("a'b c'd", &["ab cd"]),
            ("''", &[""]),
            (r#""""#, &[""]),
            ("a '' b", &["a", "", "b"]),
            (r"a\ b", &["a b"]),
            (r"\'", &["'"]),
            (r"\\", &["\\"]),
            (r#""a\"b""#, &["a\"b"]),
            (r#""a\\b""#, &["a\\b"]),
            (r#""a\$b""#, &["a\\$b"]),
            (r#""a\nb""#, &["a\\nb"]),
            (r"'a\b'", &["a\\b"]),
            (r"a\nb", &["anb"]),
            ("echo #1", &["echo", "#1"]),
            ("#!/bin/sh", &["#!/bin/sh"]),
            ("a\\\nb", &["a\nb"]),
            ("cowsay entry", &["cowsay", "entry"]),
            ("echo 'it''s'", &["echo", "its"]),
            ("x=1 y=\"2 3\"", &["x=1", "y=2 3"]),
        ];
        for (line, expected) in cases {
            let got = split_command("command", line);
            assert_eq!(
                got.ok(),
                Some(expected.iter().map(|s| s.to_string()).collect()),
                "{line:?}"
            );
        }
    }

    #[test]
    fn agrees_with_the_shlex_crate_where_python_does() {
        // Lines without `#`, CR, backslash-newline or escapes in double
        // quotes other than `\"` and `\\`.
        let lines = [
            "echo hello world",
            "sh -c 'echo \"$HOME\"'",
            r#"a"b c"d 'e f'"#,
            r"a\ b \\c",
            r#""a\"b" "c\\d""#,
            "a '' b",
        ];
        for line in lines {
            assert_eq!(
                split_command("command", line).ok(),
                shlex::split(line),
                "{line:?}"
            );
        }
    }

    #[test]
    fn unbalanced_quotes() {
        let cases: &[(&str, &str)] = &[
            ("echo 'oops", "has no closing quotation"),
            (r#"echo "oops"#, "has no closing quotation"),
            (r#"echo "oops\""#, "has no closing quotation"),
            (r#"echo "a\"#, "has no closing quotation"),
            ("echo oops\\", "ends with a lone backslash"),
            ("'", "has no closing quotation"),
        ];
        for (line, needle) in cases {
            assert_invalid(line, command("command", &Command::from(*line)), "command", needle);
            assert_invalid(line, entrypoint(&Command::from(*line)), "entrypoint", needle);
        }
    }

    #[test]
    fn command_and_entrypoint() {
        let cases: &[(Command, &[&str], &[&str])] = &[
            (
                "echo hello world".into(),
                &["echo", "hello", "world"],
                &["echo", "hello", "world"],
            ),
            ("/bin/sh".into(), &["/bin/sh"], &["/bin/sh"]),
            // "" is no command (the image's), and a reset entrypoint.
            ("".into(), &[], &[""]),
            (" ".into(), &[], &[""]),
            (Command::Args(vec![]), &[], &[]),
            (vec!["echo", "a b"].into(), &["echo", "a b"], &["echo", "a b"]),
            (
                ["sh", "-c", "exit 1"].into(),
                &["sh", "-c", "exit 1"],
                &["sh", "-c", "exit 1"],
            ),
            (vec![String::from("'kept'")].into(), &["'kept'"], &["'kept'"]),
            ([String::from("x")].into(), &["x"], &["x"]),
            (Command::from(&["a", "b"][..]), &["a", "b"], &["a", "b"]),
        ];
        for (input, cmd, entry) in cases {
            let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
            assert_eq!(command("command", input).ok(), Some(owned(cmd)), "{input:?}");
            assert_eq!(entrypoint(input).ok(), Some(owned(entry)), "{input:?}");
        }
    }
}
