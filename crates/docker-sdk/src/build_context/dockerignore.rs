//! `.dockerignore` files, read and matched as the Docker CLI and engine do.
//!
//! Reading follows BuildKit's `ignorefile.ReadAll`; matching follows moby's
//! `patternmatcher` (`New`, `MatchesOrParentMatches`), down to how each
//! pattern is compiled. No glob crate is used because none reproduces those
//! rules: `globset` and `glob` differ on `**` (moby's `**` also matches a
//! name's tail, `**file` matches `dir/myfile`), on `[!a]` (not a negation in
//! Go), on escapes, and on what a pattern like `dir/**` matches; moby's
//! patterns are not even Go's `filepath.Match` patterns, since moby turns
//! each into a Go regular expression (see [`goregex`](super::goregex)).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use regex_automata::hybrid::dfa::DFA;
use regex_automata::meta::Regex;
use regex_automata::nfa::thompson;
use regex_automata::{Anchored, Input};

use super::goregex;

/// A `.dockerignore`: its patterns, in order, compiled.
///
/// A path is excluded when the last pattern that matches it, or matches
/// one of its parent directories, is not an exception (`!`). Patterns are
/// read as the CLI reads the file:
///
/// - a UTF-8 byte order mark at the start is dropped;
/// - a line whose first character is `#` is a comment (` # x`, with a space
///   first, is a pattern);
/// - spaces around a line are trimmed, blank lines skipped;
/// - a leading `!` makes an exception (spaces after it are trimmed too);
/// - the rest is cleaned like Go's `filepath.Clean` (`./a`, `a/`, `a//b`,
///   `a/../b` become `a`, `a`, `a/b`, `b`), then a leading `/` is dropped;
/// - `*` matches any run of characters but `/`, `?` one character but `/`,
///   `[a-z]`/`[^a-z]` a class, `\` escapes, and `**` any number of
///   directories (`**/x`, `a/**/x`, `a/**`).
///
/// ```
/// use docker_sdk::build_context::Dockerignore;
///
/// let ignore = Dockerignore::parse(b"# build output\nnode_modules\n*.log\n!keep.log\n")?;
/// assert!(ignore.is_excluded("node_modules/left-pad/index.js"));
/// assert!(ignore.is_excluded("debug.log"));
/// assert!(!ignore.is_excluded("keep.log"));
/// assert!(!ignore.is_excluded("logs/debug.log"), "* does not cross /");
/// # Ok::<(), docker_sdk::build_context::DockerignoreError>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Dockerignore {
    /// The patterns in order.
    rules: Vec<Rule>,
    /// Each distinct cleaned pattern once: a path's match against a pattern
    /// depends on its text only, so 5,000 copies of one line cost one match.
    patterns: Vec<Pattern>,
}

/// One line of the file: which pattern, and whether it is an exception.
#[derive(Clone, Copy, Debug)]
struct Rule {
    pattern: usize,
    /// An exception (`!pattern`), which re-includes what it matches.
    exception: bool,
}

/// A `.dockerignore` pattern that the engine would refuse: the CLI stops
/// the build with "syntax error in pattern".
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: invalid pattern {pattern:?}: {reason}")]
pub struct DockerignoreError {
    /// The 1-based line of the file (or position in the list of patterns).
    pub line: usize,
    /// The line as written, trimmed.
    pub pattern: String,
    /// What is wrong with it.
    pub reason: String,
}

impl From<DockerignoreError> for crate::Error {
    fn from(error: DockerignoreError) -> Self {
        crate::Error::invalid_argument("dockerignore", error.to_string())
    }
}

/// One compiled pattern.
#[derive(Clone, Debug)]
struct Pattern {
    /// The cleaned pattern, without its `!`: what moby matches against.
    text: String,
    matcher: Matcher,
}

/// How moby matches a pattern: plain comparisons when the pattern allows,
/// a regular expression otherwise. The comparisons are not shortcuts with
/// the regular expression's meaning: `**x` as a suffix also matches `yx`.
#[derive(Clone, Debug)]
enum Matcher {
    Exact,
    /// `dir/**` and `dir**`: the text before the `**`.
    Prefix(String),
    /// `**/dir` and `**dir`: the text after the `**`.
    Suffix(String),
    Regex(Arc<Compiled>),
}

#[derive(Debug)]
struct Compiled {
    /// moby's regular expression, in Go syntax.
    source: String,
    regex: Regex,
    /// Built on first need: a lazy DFA to tell whether a directory's
    /// contents could match (`None` if it cannot be built).
    prefix_dfa: OnceLock<Option<DFA>>,
}

impl Dockerignore {
    /// An empty `.dockerignore`, which excludes nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the contents of a `.dockerignore` file.
    ///
    /// Bytes that are not UTF-8 are read as Go reads them: each as U+FFFD.
    pub fn parse(contents: &[u8]) -> Result<Self, DockerignoreError> {
        let contents = contents.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(contents);
        let text = go_lossy(contents);
        // Go's line scanner: lines end at `\n`, a `\r` before it is dropped,
        // and there is no empty last line after a final newline.
        let mut lines: Vec<&str> = text.split('\n').collect();
        if lines.last() == Some(&"") {
            lines.pop();
        }
        Self::from_lines(
            lines
                .into_iter()
                .map(|line| line.strip_suffix('\r').unwrap_or(line)),
        )
    }

    /// Takes the patterns as lines of a `.dockerignore` file: comments and
    /// blank lines are skipped, and each pattern is cleaned as in a file.
    pub fn from_lines<I, S>(lines: I) -> Result<Self, DockerignoreError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        // Identical patterns (5,000 copies of one line, say) share one
        // compiled regular expression.
        let mut regexes: HashMap<String, Arc<Compiled>> = HashMap::new();
        let mut slots: HashMap<String, usize> = HashMap::new();
        let mut ignore = Dockerignore::default();
        for (index, line) in lines.into_iter().enumerate() {
            let line = line.as_ref();
            let Some(cleaned) = read_line(line) else {
                continue;
            };
            let error = |reason: String| DockerignoreError {
                line: index + 1,
                pattern: line.trim().to_owned(),
                reason,
            };
            let (exception, text) = match cleaned.strip_prefix('!') {
                Some("") => return Err(error("a lone \"!\" is not a pattern".to_owned())),
                Some(rest) => (true, rest),
                None => (false, cleaned.as_str()),
            };
            let pattern = match slots.get(text) {
                Some(&slot) => slot,
                None => {
                    let compiled = Pattern::new(text, &mut regexes).map_err(error)?;
                    ignore.patterns.push(compiled);
                    slots.insert(text.to_owned(), ignore.patterns.len() - 1);
                    ignore.patterns.len() - 1
                }
            };
            ignore.rules.push(Rule { pattern, exception });
        }
        Ok(ignore)
    }

    /// Whether there are no patterns.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The cleaned patterns, in order, exceptions with their `!`: what the
    /// CLI would send to the engine.
    pub fn patterns(&self) -> Vec<String> {
        self.rules
            .iter()
            .map(|rule| {
                let text = &self.patterns[rule.pattern].text;
                if rule.exception {
                    format!("!{text}")
                } else {
                    text.clone()
                }
            })
            .collect()
    }

    /// Whether `path` (relative to the context, `/`-separated) is excluded:
    /// the last pattern matching it or one of its parent directories is not
    /// an exception. The context itself (`.`) is never excluded.
    pub fn is_excluded(&self, path: &str) -> bool {
        let path = go_clean(path);
        if path == "." {
            return false;
        }
        let mut state = self.root_state();
        let mut end = 0;
        // Each parent directory, shortest first, as the walk would see them.
        while let Some(slash) = path[end..].find('/').map(|i| end + i) {
            if slash > 0 {
                state = self.dir_state(&path[..slash], &state);
            }
            end = slash + 1;
        }
        self.excludes(self.last_match(&path, &state))
    }

    /// What no directory matches: the context itself.
    pub(crate) fn root_state(&self) -> DirState {
        DirState(vec![false; self.patterns.len()])
    }

    /// For each pattern, whether it matches directory `dir` or one of its
    /// parents (`parent` is the same for `dir`'s parent directory).
    pub(crate) fn dir_state(&self, dir: &str, parent: &DirState) -> DirState {
        DirState(
            self.patterns
                .iter()
                .zip(&parent.0)
                .map(|(pattern, &matched)| matched || pattern.matches(dir))
                .collect(),
        )
    }

    /// The last rule whose pattern matches `path` or one of its parents: it
    /// alone decides (moby skips a pattern that could not change the
    /// outcome, so the outcome is the last match's). Scanning backwards
    /// stops at the first match.
    pub(crate) fn last_match(&self, path: &str, parent: &DirState) -> Option<usize> {
        // 0: not tried yet, 1: no match, 2: match.
        let mut memo = vec![0u8; self.patterns.len()];
        (0..self.rules.len()).rev().find(|&i| {
            let slot = self.rules[i].pattern;
            if parent.0.get(slot).copied().unwrap_or(false) {
                return true;
            }
            if memo[slot] == 0 {
                memo[slot] = if self.patterns[slot].matches(path) { 2 } else { 1 };
            }
            memo[slot] == 2
        })
    }

    /// Whether the deciding rule excludes.
    pub(crate) fn excludes(&self, last_match: Option<usize>) -> bool {
        last_match.is_some_and(|i| !self.rules[i].exception)
    }

    /// Whether an exception after rule `after` could match something inside
    /// directory `dir`. Only then must an excluded directory be walked:
    /// every rule up to `after` is overruled by `after`, which matches `dir`
    /// and so everything in it.
    pub(crate) fn may_reinclude_under(&self, dir: &str, after: usize) -> bool {
        let prefix = format!("{dir}/");
        let mut tried = vec![false; self.patterns.len()];
        self.rules.iter().skip(after + 1).any(|rule| {
            let slot = rule.pattern;
            if !rule.exception || std::mem::replace(&mut tried[slot], true) {
                return false;
            }
            self.patterns[slot].may_match_under(&prefix)
        })
    }
}

/// For a directory, which patterns match it or one of its parents; what
/// its contents inherit.
#[derive(Clone, Debug)]
pub(crate) struct DirState(Vec<bool>);

/// One line as BuildKit's `ReadAll` leaves it, then as moby's `New` takes
/// it; `None` for comments and blank lines.
fn read_line(line: &str) -> Option<String> {
    if line.starts_with('#') {
        return None;
    }
    let line = line.trim();
    if line.is_empty() {
        return None;
    }
    let (exception, rest) = match line.strip_prefix('!') {
        Some(rest) => (true, rest.trim()),
        None => (false, line),
    };
    let mut pattern = String::new();
    if !rest.is_empty() {
        pattern = go_clean(rest);
        if pattern.len() > 1 && pattern.starts_with('/') {
            pattern.remove(0);
        }
    }
    if exception {
        pattern.insert(0, '!');
    }
    // `New` trims and cleans once more: `!/` becomes `!`, an error.
    Some(go_clean(pattern.trim()))
}

impl Pattern {
    fn new(text: &str, cache: &mut HashMap<String, Arc<Compiled>>) -> Result<Self, String> {
        check_glob_syntax(text)?;
        let (kind, source) = translate(text);
        let matcher = match kind {
            Kind::Exact => Matcher::Exact,
            Kind::Prefix => Matcher::Prefix(text[..text.len() - 2].to_owned()),
            Kind::Suffix => Matcher::Suffix(text[2..].to_owned()),
            Kind::Regex => {
                let compiled = match cache.get(&source) {
                    Some(compiled) => compiled.clone(),
                    None => {
                        let compiled = Arc::new(Compiled::new(source)?);
                        cache.insert(compiled.source.clone(), compiled.clone());
                        compiled
                    }
                };
                Matcher::Regex(compiled)
            }
        };
        Ok(Pattern {
            text: text.to_owned(),
            matcher,
        })
    }

    fn matches(&self, path: &str) -> bool {
        match &self.matcher {
            Matcher::Exact => path == self.text,
            Matcher::Prefix(prefix) => path.starts_with(prefix.as_str()),
            Matcher::Suffix(suffix) => {
                path.ends_with(suffix.as_str()) || suffix.strip_prefix('/').is_some_and(|s| path == s)
            }
            Matcher::Regex(compiled) => compiled.regex.is_match(path),
        }
    }

    /// Whether some path starting with `prefix` (a directory and `/`) could
    /// match. `true` when unsure: that only costs walking the directory.
    fn may_match_under(&self, prefix: &str) -> bool {
        match &self.matcher {
            Matcher::Exact => self.text.starts_with(prefix),
            Matcher::Prefix(start) => start.starts_with(prefix) || prefix.starts_with(start.as_str()),
            Matcher::Suffix(_) => true,
            Matcher::Regex(compiled) => compiled.may_match_after(prefix),
        }
    }
}

impl Compiled {
    fn new(source: String) -> Result<Self, String> {
        let hir = goregex::parse(&source)?;
        let regex = Regex::builder()
            .build_from_hir(&hir)
            .map_err(|e| format!("cannot compile {source}: {e}"))?;
        Ok(Compiled {
            source,
            regex,
            prefix_dfa: OnceLock::new(),
        })
    }

    /// Runs `prefix` through a lazy DFA: if it reaches the dead state, no
    /// text starting with `prefix` can match. A lazy DFA only builds the
    /// states it visits, so this is linear in `prefix`, whatever the pattern.
    fn may_match_after(&self, prefix: &str) -> bool {
        let dfa = self.prefix_dfa.get_or_init(|| {
            let hir = goregex::parse(&self.source).ok()?;
            let nfa = thompson::Compiler::new().build_from_hir(&hir).ok()?;
            DFA::builder().build_from_nfa(nfa).ok()
        });
        let Some(dfa) = dfa else {
            return true;
        };
        let mut cache = dfa.create_cache();
        let input = Input::new(prefix).anchored(Anchored::Yes);
        let Ok(mut state) = dfa.start_state_forward(&mut cache, &input) else {
            return true;
        };
        for &byte in prefix.as_bytes() {
            state = match dfa.next_state(&mut cache, state, byte) {
                Ok(next) => next,
                Err(_) => return true,
            };
            if state.is_dead() {
                return false;
            }
            if state.is_quit() {
                return true;
            }
        }
        true
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Exact,
    Prefix,
    Suffix,
    Regex,
}

/// moby's compilation of a (cleaned, valid) pattern: how it is matched, and
/// its regular expression in Go syntax, used for [`Kind::Regex`] only.
fn translate(pattern: &str) -> (Kind, String) {
    let chars: Vec<char> = pattern.chars().collect();
    let mut regex = String::from("^");
    let mut kind = Kind::Exact;
    let mut pos = 0;
    let mut token = 0;
    while pos < chars.len() {
        let c = chars[pos];
        pos += 1;
        match c {
            '*' if chars.get(pos) == Some(&'*') => {
                pos += 1;
                // `**/` is `**`.
                if chars.get(pos) == Some(&'/') {
                    pos += 1;
                }
                if pos == chars.len() {
                    // A trailing `**` matches everything below.
                    if kind == Kind::Exact {
                        kind = Kind::Prefix;
                    } else {
                        regex.push_str(".*");
                        kind = Kind::Regex;
                    }
                } else {
                    // Any number of directories, none included.
                    regex.push_str("(.*/)?");
                    kind = Kind::Regex;
                }
                if token == 0 {
                    kind = Kind::Suffix;
                }
            }
            '*' => {
                regex.push_str("[^/]*");
                kind = Kind::Regex;
            }
            '?' => {
                regex.push_str("[^/]");
                kind = Kind::Regex;
            }
            '.' | '+' | '(' | ')' | '|' | '{' | '}' | '$' => {
                regex.push('\\');
                regex.push(c);
            }
            '\\' => match chars.get(pos) {
                Some(&next) => {
                    pos += 1;
                    regex.push('\\');
                    regex.push(next);
                    kind = Kind::Regex;
                }
                None => regex.push('\\'),
            },
            '[' | ']' => {
                regex.push(c);
                kind = Kind::Regex;
            }
            _ => regex.push(c),
        }
        token += 1;
    }
    if kind == Kind::Regex {
        regex.push('$');
    }
    (kind, regex)
}

/// The syntax check moby makes with `filepath.Match(pattern, ".")`: Go
/// reports a bad pattern for an unclosed or empty `[…]`, a bad range, or a
/// trailing `\`, in any part of the pattern.
fn check_glob_syntax(pattern: &str) -> Result<(), String> {
    let mut rest = pattern.as_bytes();
    while !rest.is_empty() {
        // Go splits the pattern at each `*` outside brackets.
        while let [b'*', tail @ ..] = rest {
            rest = tail;
        }
        let mut in_class = false;
        let mut end = 0;
        while end < rest.len() {
            match rest[end] {
                b'\\' if end + 1 < rest.len() => end += 1,
                b'[' => in_class = true,
                b']' => in_class = false,
                b'*' if !in_class => break,
                _ => {}
            }
            end += 1;
        }
        check_chunk(&rest[..end])?;
        rest = &rest[end..];
    }
    Ok(())
}

fn check_chunk(mut chunk: &[u8]) -> Result<(), String> {
    while let [first, tail @ ..] = chunk {
        chunk = tail;
        match first {
            b'[' => {
                if let [b'^', tail @ ..] = chunk {
                    chunk = tail;
                }
                let mut ranges = 0;
                loop {
                    if let [b']', tail @ ..] = chunk
                        && ranges > 0
                    {
                        chunk = tail;
                        break;
                    }
                    chunk = class_char(chunk)?;
                    if let [b'-', tail @ ..] = chunk {
                        chunk = class_char(tail)?;
                    }
                    ranges += 1;
                }
            }
            b'\\' => match chunk {
                [] => return Err("trailing backslash".to_owned()),
                [_, tail @ ..] => chunk = tail,
            },
            _ => {}
        }
    }
    Ok(())
}

/// One character of a `[…]` class, as Go's `getEsc` reads it: `-` and `]`
/// need a `\`, and the class must go on after it.
fn class_char(chunk: &[u8]) -> Result<&[u8], String> {
    let chunk = match chunk {
        [] => return Err("unclosed [".to_owned()),
        [b'-' | b']', ..] => return Err("bad character class: \"-\" or \"]\" needs a \\".to_owned()),
        [b'\\', tail @ ..] => tail,
        _ => chunk,
    };
    let width = match chunk.first() {
        None => return Err("unclosed [".to_owned()),
        Some(&b) if b < 0x80 => 1,
        Some(&b) if b >= 0xF0 => 4,
        Some(&b) if b >= 0xE0 => 3,
        Some(_) => 2,
    };
    match chunk.get(width..) {
        Some(rest) if !rest.is_empty() => Ok(rest),
        _ => Err("unclosed [".to_owned()),
    }
}

/// Go's `filepath.Clean` on a `/`-separated path: the shortest equivalent
/// path, by lexical processing only.
pub(crate) fn go_clean(path: &str) -> String {
    if path.is_empty() {
        return ".".to_owned();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    // Leading `..` of a relative path cannot be removed.
    let mut kept_dotdots = 0;
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.len() > kept_dotdots {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                    kept_dotdots += 1;
                }
            }
            _ => parts.push(part),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    }
}

/// Bytes as Go's regular expressions and scanners see them: each byte that
/// is not part of valid UTF-8 is U+FFFD.
pub(crate) fn go_lossy(bytes: &[u8]) -> Cow<'_, str> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Cow::Borrowed(text);
    }
    let mut text = String::with_capacity(bytes.len() + 8);
    let mut rest = bytes;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(valid) => {
                text.push_str(valid);
                break;
            }
            Err(error) => {
                let (valid, after) = rest.split_at(error.valid_up_to());
                // `valid_up_to` marks valid UTF-8, so this cannot fail.
                text.push_str(std::str::from_utf8(valid).unwrap_or_default());
                text.push(char::REPLACEMENT_CHARACTER);
                rest = &after[1..];
            }
        }
    }
    Cow::Owned(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excluded(patterns: &[&str], path: &str) -> bool {
        let ignore = Dockerignore::from_lines(patterns).unwrap_or_else(|e| panic!("{patterns:?}: {e}"));
        ignore.is_excluded(path)
    }

    #[test]
    fn one_pattern_against_one_path() {
        // (pattern, path, excluded?) — the meanings of moby's patternmatcher
        // tables (`TestMatches`, `TestMatch`), matched with parent
        // directories as `MatchesOrParentMatches` does.
        let cases: &[(&str, &str, bool)] = &[
            ("**", "file", true),
            ("**", "file/", true),
            ("**/", "file", true),
            ("**", "/", true),
            ("**", "dir/file", true),
            ("**/**", "dir/file", true),
            ("dir/**", "dir/file", true),
            ("dir/**", "dir/dir2/file", true),
            ("dir/**", "dir", false),
            ("**/dir", "dir", true),
            ("**/dir", "dir/file", true),
            ("**/dir2/*", "dir/dir2/file", true),
            ("**/dir2/**", "dir/dir2/dir3/file", true),
            ("**file", "file", true),
            ("**file", "dir/file", true),
            ("**file", "dir/dir/file", true),
            // `**file` is a suffix match in moby: any name ending in "file".
            ("**file", "dir/myfile", true),
            ("**/file", "dir/dir/file", true),
            ("**/file*", "dir/dir/file.txt", true),
            ("**/file*txt", "dir/dir/file.txt", true),
            ("**/file*.txt*", "dir/dir/file.txt", true),
            ("**/**/*.txt", "dir/dir/file.txt", true),
            ("**/**/*.txt2", "dir/dir/file.txt", false),
            ("**/*.txt", "file.txt", true),
            ("**/**/*.txt", "file.txt", true),
            ("a**/*.txt", "a/file.txt", true),
            ("a**/*.txt", "a/dir/dir/file.txt", true),
            ("a/*.txt", "a/dir/file.txt", false),
            ("a/*.txt", "a/file.txt", true),
            ("a/*.txt**", "a/file.txt", true),
            ("a[b-d]e", "ae", false),
            ("a[b-d]e", "ace", true),
            ("a[^b-d]e", "aze", true),
            ("a[^b-d]e", "ace", false),
            (".*", ".foo", true),
            (".*", "foo", false),
            ("abc.def", "abcdef", false),
            ("abc.def", "abc.def", true),
            ("abc?def", "abcZdef", true),
            ("abc?def", "abcdef", false),
            ("a\\\\", "a\\", true),
            ("a\\*b", "a*b", true),
            ("a\\*b", "ab", false),
            ("**/foo/bar", "foo/bar", true),
            ("**/foo/bar", "dir/dir2/foo/bar", true),
            ("abc/**", "abc", false),
            ("abc/**", "abc/def/ghi", true),
            ("**/.foo", ".foo", true),
            ("**/.foo", "bar.foo", false),
            ("a(b)c/def", "a(b)c/def", true),
            ("a.|)$(}+{bc", "a.|)$(}+{bc", true),
            (
                "dist/*.whl",
                "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
                true,
            ),
            ("abc", "abc", true),
            ("*", "abc", true),
            ("*c", "abc", true),
            ("a*", "a", true),
            ("a*", "ab/c", true),
            ("a*/b", "abc/b", true),
            ("a*/b", "a/c/b", false),
            ("a*b*c*d*e*/f", "axbxcxdxexxx/f", true),
            ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false),
            ("a*b?c*x", "abxbbxdbxebxczzx", true),
            ("a*b?c*x", "abxbbxdbxebxczzy", false),
            ("ab[^e-g]", "abc", true),
            ("a?b", "a☺b", true),
            ("a???b", "a☺b", false),
            ("[a-ζ]*", "α", true),
            ("*[a-ζ]", "A", false),
            ("a?b", "a/b", false),
            ("a*b", "a/b", false),
            ("[\\]a]", "]", true),
            ("[x\\-]", "-", true),
            ("[\\-x]", "a", false),
            ("*x", "xxx", true),
            // `[!a]` is not a negation: `!` and `a`.
            ("[!a]", "!", true),
            ("[!a]", "b", false),
            // Leading `/` and `./`, trailing `/`, `..`: cleaned away.
            ("/a.py", "a.py", true),
            ("./a.py", "a.py", true),
            ("a.py/", "a.py", true),
            ("foo/whoops/../a.py", "foo/a.py", true),
            ("/../b.py", "b.py", true),
            // A relative `..` stays, and then matches nothing in the context.
            ("../a.py", "a.py", false),
            // A directory pattern covers everything below it.
            ("docs", "docs/sub/README.md", true),
            ("docs/", "docs/README.md", true),
            // Case matters (docker-py lowercases; the engine does not).
            ("README", "readme", false),
            // moby's translation leaves `^` as an anchor, so this pattern
            // matches `x.py`; with no other wildcard, `^` is literal.
            ("^*.py", "x.py", true),
            ("a^b", "a^b", true),
            // `\d` reaches Go's regexp as a digit class.
            ("file\\d", "file7", true),
            ("file\\d", "filed", false),
            // A `*` in brackets ends the class in moby's regexp.
            ("[*]", "]", true),
            ("[*]", "*", false),
        ];
        for (pattern, path, expected) in cases {
            assert_eq!(excluded(&[pattern], path), *expected, "{pattern:?} on {path:?}");
        }
    }

    #[test]
    fn pattern_lists_last_match_wins() {
        let cases: &[(&[&str], &str, bool)] = &[
            (&["!fileutils.go", "*.go"], "fileutils.go", true),
            (&["*.go", "!fileutils.go"], "fileutils.go", false),
            (&["docs", "!docs/README.md"], "docs/README.md", false),
            (&["docs/", "!docs/README.md"], "docs/README.md", false),
            (&["docs/*", "!docs/README.md"], "docs/README.md", false),
            (&["docs", "!docs/README.md"], "docs/other.md", true),
            (&["**", "!util/docker/web"], "util/docker/web/foo", false),
            (
                &["**", "!util/docker/web", "util/docker/web/foo"],
                "util/docker/web/foo",
                true,
            ),
            (&["**", "!dist/*.whl"], "dist/a-1.0-py3-none-any.whl", false),
            (
                &["*.md", "!README*.md", "README-secret.md"],
                "README-secret.md",
                true,
            ),
            (
                &["*.md", "!README*.md", "README-secret.md"],
                "README-bis.md",
                false,
            ),
            // A later pattern matching a parent overrides an earlier
            // exception for the file itself.
            (&["a", "!a/b", "a"], "a/b", true),
            (&["*", "!*/b.py"], "a/b.py", false),
            (&[], "anything", false),
            (&["# just a comment", ""], "anything", false),
        ];
        for (patterns, path, expected) in cases {
            assert_eq!(excluded(patterns, path), *expected, "{patterns:?} on {path:?}");
        }
        // The context itself is never excluded.
        assert!(!excluded(&["*", "**"], "."));
    }

    #[test]
    fn reading_a_file() {
        // The meaning of BuildKit's ignorefile test, plus comments, BOM,
        // CRLF and the second cleaning of `New`.
        let contents = "\u{feff}test1\r\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n  # not one\n! /inverted/abs/path\n./dot/slash\n**/\n";
        let ignore = Dockerignore::parse(contents.as_bytes()).expect("valid");
        assert_eq!(
            ignore.patterns(),
            [
                "test1",
                "test2",
                "a/file/here",
                "lastfile",
                "# not one",
                "!inverted/abs/path",
                "dot/slash",
                "**",
            ]
        );
        assert!(Dockerignore::parse(b"").expect("valid").is_empty());
        // Not UTF-8: read as Go reads it, not refused.
        let odd = Dockerignore::parse(b"caf\xe9\n").expect("valid");
        assert!(odd.is_excluded("caf\u{fffd}"));
    }

    #[test]
    fn invalid_patterns_name_line_and_pattern() {
        let cases: &[(&[&str], usize, &str)] = &[
            (&["["], 1, "["),
            (&["ok", "a["], 2, "a["),
            (&["[^"], 1, "[^"),
            (&["[^bc"], 1, "[^bc"),
            (&["[]a]"], 1, "[]a]"),
            (&["[-]"], 1, "[-]"),
            (&["[x-]"], 1, "[x-]"),
            (&["[-x]"], 1, "[-x]"),
            (&["[a-b-c]"], 1, "[a-b-c]"),
            (&["\\"], 1, "\\"),
            (&["x", "# c", "!"], 3, "!"),
            (&["!  "], 1, "!"),
            (&["!/"], 1, "!/"),
            // Valid glob syntax, refused by Go's regexp (moby fails the
            // build when it first uses the pattern; this fails up front).
            (&["[Local-Only]/"], 1, "[Local-Only]/"),
            (&["x\\e"], 1, "x\\e"),
            (&["[[:nope:]]"], 1, "[[:nope:]]"),
        ];
        for (lines, line, pattern) in cases {
            let error = Dockerignore::from_lines(*lines).expect_err(pattern);
            assert_eq!((error.line, error.pattern.as_str()), (*line, *pattern), "{error}");
        }
        let error = Dockerignore::parse(b"fine\n  bad[  \n").expect_err("bad");
        assert_eq!(error.to_string(), "line 2: invalid pattern \"bad[\": unclosed [");
        let error: crate::Error = error.into();
        assert!(
            matches!(error, crate::Error::InvalidArgument { ref argument, .. } if argument == "dockerignore")
        );
    }

    #[test]
    fn compiled_forms_match_moby() {
        // (pattern, kind, Go regexp): moby's `compileTests`.
        let cases: &[(&str, Kind, &str)] = &[
            ("*", Kind::Regex, "^[^/]*$"),
            ("file*", Kind::Regex, "^file[^/]*$"),
            ("*file", Kind::Regex, "^[^/]*file$"),
            ("a*/b", Kind::Regex, "^a[^/]*/b$"),
            ("**", Kind::Suffix, ""),
            ("**/**", Kind::Regex, "^(.*/)?.*$"),
            ("dir/**", Kind::Prefix, ""),
            ("**/dir", Kind::Suffix, ""),
            ("**/dir2/*", Kind::Regex, "^(.*/)?dir2/[^/]*$"),
            ("**/dir2/**", Kind::Regex, "^(.*/)?dir2/.*$"),
            ("**file", Kind::Suffix, ""),
            ("**/file*txt", Kind::Regex, "^(.*/)?file[^/]*txt$"),
            ("**/**/*.txt", Kind::Regex, "^(.*/)?(.*/)?[^/]*\\.txt$"),
            ("a[b-d]e", Kind::Regex, "^a[b-d]e$"),
            (".*", Kind::Regex, "^\\.[^/]*$"),
            ("abc.def", Kind::Exact, ""),
            ("abc?def", Kind::Regex, "^abc[^/]def$"),
            ("**/foo/bar", Kind::Suffix, ""),
            ("a(b)c/def", Kind::Exact, ""),
            ("a.|)$(}+{bc", Kind::Exact, ""),
        ];
        for (pattern, kind, regex) in cases {
            let (got_kind, got_regex) = translate(pattern);
            assert_eq!(got_kind, *kind, "{pattern}");
            if *kind == Kind::Regex {
                assert_eq!(got_regex, *regex, "{pattern}");
            }
        }
    }

    #[test]
    fn go_clean_cases() {
        let cases = [
            ("", "."),
            (".", "."),
            ("/", "/"),
            ("a/", "a"),
            ("./a", "a"),
            ("a//b", "a/b"),
            ("a/./b/", "a/b"),
            ("a/../b", "b"),
            ("a/..", "."),
            ("../a", "../a"),
            ("../../a/../b", "../../b"),
            ("/../a", "/a"),
            ("/..", "/"),
            ("!/", "!"),
        ];
        for (path, clean) in cases {
            assert_eq!(go_clean(path), clean, "{path:?}");
        }
    }

    #[test]
    fn what_may_be_reincluded_under_a_directory() {
        // (patterns, excluded directory, must it be walked?)
        let cases: &[(&[&str], &str, bool)] = &[
            (&["foo"], "foo", false),
            (&["foo", "!foo/bar/a.py"], "foo", true),
            (&["foo", "!foo/*.py"], "foo", true),
            (&["foo", "!bar/*.py"], "foo", false),
            (&["foo", "!fo*/x"], "foo", true),
            (&["foo", "!**/keep"], "foo", true),
            (&["foo", "!foobar"], "foo", false),
            (&["foo", "!foo/**"], "foo", true),
            (&["foo", "!foo/sub/**"], "foo", true),
            (&["foo", "!bar/**"], "foo", false),
            // An exception before the excluding pattern cannot win.
            (&["!foo/a.py", "foo"], "foo", false),
            (&["a/b", "!a/b/[cd]"], "a/b", true),
            (&["a/b", "!a/c/[cd]"], "a/b", false),
        ];
        for (patterns, dir, expected) in cases {
            let ignore = Dockerignore::from_lines(*patterns).expect("valid");
            let last = ignore.last_match(dir, &ignore.root_state());
            assert!(ignore.excludes(last), "{patterns:?} exclude {dir}");
            let Some(last) = last else { continue };
            assert_eq!(
                ignore.may_reinclude_under(dir, last),
                *expected,
                "{patterns:?} under {dir}"
            );
        }
    }

    #[test]
    fn pathological_patterns_stay_linear() {
        // A backtracking matcher takes exponential time on these; each is
        // compiled once (identical lines share it) and matched in linear
        // time.
        let mut lines = vec!["**/**/**/**/*"; 5000];
        lines.push("**/**/**/**/x");
        lines.push("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b");
        let ignore = Dockerignore::from_lines(&lines).expect("valid");
        let long = format!("{}/y", "a/".repeat(1000));
        assert_eq!(long.len(), 2002);
        let not_b = "a".repeat(2000);
        for _ in 0..20 {
            assert!(ignore.is_excluded(&long));
            assert!(ignore.is_excluded(&not_b));
        }
        let only =
            Dockerignore::from_lines(["**/**/**/**/x", "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b"]).expect("valid");
        assert!(!only.is_excluded(&format!("{}y", "a/".repeat(1000))));
        assert!(!only.is_excluded(&not_b));
        assert!(only.is_excluded(&format!("{}x", "a/".repeat(1000))));
    }
}
