//! The part of Go's `regexp` syntax that moby's pattern translation can
//! produce, parsed with Go's rules into a `regex-syntax` HIR.
//!
//! moby turns a `.dockerignore` pattern into a Go regular expression and
//! lets Go's parser read it. Characters that are literal in a glob but not
//! escaped by that translation (`[`, `]`, `^`, and anything after a `\`)
//! then take their Go meaning: `\d` is a digit class, `[[:alpha:]]` a POSIX
//! class, `^` an anchor, and a `*` inside brackets closes the class early.
//! The Rust `regex` syntax differs exactly there (nested classes, set
//! operators, Unicode-aware `\d`, no octal escapes), so the string is not
//! handed to it: this parser reads it as Go does and builds the HIR
//! directly, which `regex-automata` compiles to a linear-time matcher.
//!
//! Flags are Go's `regexp.Compile` defaults (`Perl`): `^`/`$` match at the
//! ends of the text only, `.` does not match `\n`, negated classes do.

use regex_syntax::hir::{Class, ClassUnicode, ClassUnicodeRange, Dot, Hir, HirKind, Look, Repetition};

/// Go's largest counted repetition.
const MAX_REPEAT: u32 = 1000;

/// Parses `re` (Go syntax) into a HIR, or says why Go would refuse it.
pub(super) fn parse(re: &str) -> Result<Hir, String> {
    let mut parser = Parser { rest: re };
    let hir = parser.alternation()?;
    match parser.rest.chars().next() {
        None => Ok(hir),
        Some(_) => Err(format!("unexpected ): `{re}`")),
    }
}

struct Parser<'a> {
    rest: &'a str,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.rest.chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.rest = &self.rest[c.len_utf8()..];
        Some(c)
    }

    fn alternation(&mut self) -> Result<Hir, String> {
        let mut branches = vec![self.concatenation()?];
        while self.peek() == Some('|') {
            self.bump();
            branches.push(self.concatenation()?);
        }
        Ok(Hir::alternation(branches))
    }

    fn concatenation(&mut self) -> Result<Hir, String> {
        let mut items: Vec<Hir> = Vec::new();
        // Go refuses a repetition of a repetition (`a**`).
        let mut last_was_repeat = false;
        while let Some(c) = self.peek() {
            let mut repeated = false;
            match c {
                '|' | ')' => break,
                '(' => {
                    self.bump();
                    if self.peek() == Some('?') {
                        return Err("flags and named groups are not supported".into());
                    }
                    let inner = self.alternation()?;
                    if self.bump() != Some(')') {
                        return Err("missing closing )".into());
                    }
                    items.push(inner);
                }
                '*' | '+' | '?' => {
                    self.bump();
                    let (min, max) = match c {
                        '*' => (0, None),
                        '+' => (1, None),
                        _ => (0, Some(1)),
                    };
                    self.repeat(&mut items, last_was_repeat, min, max, c)?;
                    repeated = true;
                }
                '{' => match counted_repeat(self.rest) {
                    Some((min, max, len)) => {
                        let text = &self.rest[..len];
                        if min > MAX_REPEAT || max.is_some_and(|m| m > MAX_REPEAT || m < min) {
                            return Err(format!("invalid repeat count: `{text}`"));
                        }
                        self.rest = &self.rest[len..];
                        self.repeat(&mut items, last_was_repeat, min, max, '{')?;
                        repeated = true;
                    }
                    None => {
                        self.bump();
                        items.push(literal('{'));
                    }
                },
                '^' => {
                    self.bump();
                    items.push(Hir::look(Look::Start));
                }
                '$' => {
                    self.bump();
                    items.push(Hir::look(Look::End));
                }
                '.' => {
                    self.bump();
                    items.push(Hir::dot(Dot::AnyCharExceptLF));
                }
                '[' => items.push(self.class()?),
                '\\' => {
                    if let Some(quoted) = self.escape_outside_class(&mut items)? {
                        items.push(quoted);
                    }
                }
                _ => {
                    self.bump();
                    items.push(literal(c));
                }
            }
            last_was_repeat = repeated;
        }
        Ok(Hir::concat(items))
    }

    fn repeat(
        &mut self,
        items: &mut Vec<Hir>,
        last_was_repeat: bool,
        min: u32,
        max: Option<u32>,
        op: char,
    ) -> Result<(), String> {
        let mut greedy = true;
        if self.peek() == Some('?') {
            self.bump();
            greedy = false;
        }
        if last_was_repeat {
            return Err(format!("invalid nested repetition operator `{op}`"));
        }
        let Some(sub) = items.pop() else {
            return Err(format!("missing argument to repetition operator `{op}`"));
        };
        items.push(Hir::repetition(Repetition {
            min,
            max,
            greedy,
            sub: Box::new(sub),
        }));
        Ok(())
    }

    /// A `\` outside brackets: an assertion, `\Q…\E`, a class, or one
    /// character. `\Q…\E` pushes its literals itself and returns nothing.
    fn escape_outside_class(&mut self, items: &mut Vec<Hir>) -> Result<Option<Hir>, String> {
        let after = &self.rest[1..];
        let assertion = match after.chars().next() {
            Some('A') => Some(Hir::look(Look::Start)),
            Some('z') => Some(Hir::look(Look::End)),
            Some('b') => Some(Hir::look(Look::WordAscii)),
            Some('B') => Some(Hir::look(Look::WordAsciiNegate)),
            Some('C') => return Err("invalid escape sequence: `\\C`".into()),
            Some('Q') => {
                // Everything up to `\E` (or the end) is literal, the `$`
                // that ends moby's translation included.
                let quoted = &after[1..];
                let (text, rest) = match quoted.find("\\E") {
                    Some(end) => (&quoted[..end], &quoted[end + 2..]),
                    None => (quoted, ""),
                };
                items.extend(text.chars().map(literal));
                self.rest = rest;
                return Ok(None);
            }
            _ => None,
        };
        if let Some(hir) = assertion {
            self.rest = &after[1..];
            return Ok(Some(hir));
        }
        if let Some(class) = self.unicode_class()? {
            return Ok(Some(Hir::class(Class::Unicode(class))));
        }
        if let Some(class) = self.perl_class() {
            return Ok(Some(Hir::class(Class::Unicode(class))));
        }
        let c = self.escaped_char()?;
        Ok(Some(char_or_fail(c)))
    }

    /// `[…]`, with Go's rules: `]` first is literal, `-` anywhere, `[:name:]`
    /// POSIX classes, `\p{…}`, `\d` and friends, escapes; `[` is literal.
    fn class(&mut self) -> Result<Hir, String> {
        let whole = self.rest;
        self.bump();
        let mut negated = false;
        if self.peek() == Some('^') {
            self.bump();
            negated = true;
        }
        let mut class = ClassUnicode::empty();
        let mut first = true;
        loop {
            match self.peek() {
                None => return Err(format!("missing closing ]: `{whole}`")),
                Some(']') if !first => {
                    self.bump();
                    break;
                }
                _ => {}
            }
            first = false;
            if self.rest.len() > 2
                && self.rest.starts_with("[:")
                && let Some(named) = self.posix_class()?
            {
                class.union(&named);
                continue;
            }
            if let Some(unicode) = self.unicode_class()? {
                class.union(&unicode);
                continue;
            }
            if let Some(perl) = self.perl_class() {
                class.union(&perl);
                continue;
            }
            let range_text = self.rest;
            let lo = self.class_char(whole)?;
            let mut hi = lo;
            let bytes = self.rest.as_bytes();
            if bytes.len() >= 2 && bytes[0] == b'-' && bytes[1] != b']' {
                self.bump();
                hi = self.class_char(whole)?;
                if hi < lo {
                    let used = range_text.len() - self.rest.len();
                    return Err(format!(
                        "invalid character class range: `{}`",
                        &range_text[..used]
                    ));
                }
            }
            class.union(&code_point_range(lo, hi));
        }
        if negated {
            class.negate();
        }
        Ok(Hir::class(Class::Unicode(class)))
    }

    fn class_char(&mut self, whole: &str) -> Result<u32, String> {
        match self.peek() {
            None => Err(format!("missing closing ]: `{whole}`")),
            Some('\\') => self.escaped_char(),
            Some(c) => {
                self.bump();
                Ok(u32::from(c))
            }
        }
    }

    /// `[:alpha:]`, `[:^digit:]`, … (ASCII, as in Go). `None` when there is
    /// no closing `:]`: the `[` is then an ordinary character.
    fn posix_class(&mut self) -> Result<Option<ClassUnicode>, String> {
        let Some(end) = self.rest[2..].find(":]") else {
            return Ok(None);
        };
        let name = &self.rest[..end + 4];
        let inner = &name[2..name.len() - 2];
        let (negated, inner) = match inner.strip_prefix('^') {
            Some(rest) => (true, rest),
            None => (false, inner),
        };
        let ranges: &[(char, char)] = match inner {
            "alnum" => &[('0', '9'), ('A', 'Z'), ('a', 'z')],
            "alpha" => &[('A', 'Z'), ('a', 'z')],
            "ascii" => &[('\0', '\x7f')],
            "blank" => &[('\t', '\t'), (' ', ' ')],
            "cntrl" => &[('\0', '\x1f'), ('\x7f', '\x7f')],
            "digit" => &[('0', '9')],
            "graph" => &[('!', '~')],
            "lower" => &[('a', 'z')],
            "print" => &[(' ', '~')],
            "punct" => &[('!', '/'), (':', '@'), ('[', '`'), ('{', '~')],
            "space" => &[('\t', '\r'), (' ', ' ')],
            "upper" => &[('A', 'Z')],
            "word" => &[('0', '9'), ('A', 'Z'), ('a', 'z'), ('_', '_')],
            "xdigit" => &[('0', '9'), ('A', 'F'), ('a', 'f')],
            _ => return Err(format!("invalid character class range: `{name}`")),
        };
        self.rest = &self.rest[name.len()..];
        Ok(Some(ascii_class(ranges, negated)))
    }

    /// `\d \D \s \S \w \W`, ASCII-only as in Go.
    fn perl_class(&mut self) -> Option<ClassUnicode> {
        let mut chars = self.rest.chars();
        if chars.next() != Some('\\') {
            return None;
        }
        let (ranges, negated): (&[(char, char)], bool) = match chars.next()? {
            'd' => (&[('0', '9')], false),
            'D' => (&[('0', '9')], true),
            's' => (&[('\t', '\n'), ('\x0c', '\r'), (' ', ' ')], false),
            'S' => (&[('\t', '\n'), ('\x0c', '\r'), (' ', ' ')], true),
            'w' => (&[('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')], false),
            'W' => (&[('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')], true),
            _ => return None,
        };
        self.rest = &self.rest[2..];
        Some(ascii_class(ranges, negated))
    }

    /// `\pL`, `\p{Greek}`, `\P{…}`, `\p{^…}`. The names are looked up in
    /// `regex-syntax`'s Unicode tables, which know Go's category and script
    /// names (and a few more aliases than Go does).
    fn unicode_class(&mut self) -> Result<Option<ClassUnicode>, String> {
        let mut chars = self.rest.chars();
        if chars.next() != Some('\\') {
            return Ok(None);
        }
        let mut negated = match chars.next() {
            Some('p') => false,
            Some('P') => true,
            _ => return Ok(None),
        };
        let after = &self.rest[2..];
        let (sequence_len, mut name) = match after.chars().next() {
            None => return Err("invalid character class range: `\\p`".into()),
            Some('{') => match after.find('}') {
                Some(end) => (2 + end + 1, &after[1..end]),
                None => return Err(format!("invalid character class range: `{}`", self.rest)),
            },
            Some(c) => (2 + c.len_utf8(), &after[..c.len_utf8()]),
        };
        let sequence = &self.rest[..sequence_len];
        if let Some(rest) = name.strip_prefix('^') {
            negated = !negated;
            name = rest;
        }
        let known = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ' ' || c == '-');
        let class = known
            .then(|| unicode_table(name))
            .flatten()
            .ok_or_else(|| format!("invalid character class range: `{sequence}`"))?;
        let mut class = class;
        if negated {
            class.negate();
        }
        self.rest = &self.rest[sequence_len..];
        Ok(Some(class))
    }

    /// One escaped character (`\.`, `\n`, `\x41`, `\101`, …), by Go's rules.
    fn escaped_char(&mut self) -> Result<u32, String> {
        let start = self.rest;
        self.bump();
        let Some(c) = self.bump() else {
            return Err("trailing backslash at end of expression".into());
        };
        let invalid = |rest: &str| {
            let used = start.len() - rest.len();
            format!("invalid escape sequence: `{}`", &start[..used])
        };
        match c {
            '1'..='7' if !self.peek().is_some_and(|d| ('0'..='7').contains(&d)) => Err(invalid(self.rest)),
            '0'..='7' => {
                // Up to three octal digits in all.
                let mut value = c as u32 - '0' as u32;
                for _ in 1..3 {
                    match self.peek() {
                        Some(d @ '0'..='7') => {
                            self.bump();
                            value = value * 8 + (d as u32 - '0' as u32);
                        }
                        _ => break,
                    }
                }
                Ok(value)
            }
            'x' => self.hex_escape().ok_or_else(|| invalid(self.rest)),
            'a' => Ok(0x07),
            'f' => Ok(0x0c),
            'n' => Ok(u32::from('\n')),
            'r' => Ok(u32::from('\r')),
            't' => Ok(u32::from('\t')),
            'v' => Ok(0x0b),
            c if c.is_ascii() && !c.is_ascii_alphanumeric() => Ok(u32::from(c)),
            _ => Err(invalid(self.rest)),
        }
    }

    /// After `\x`: two hex digits, or one or more in braces.
    fn hex_escape(&mut self) -> Option<u32> {
        if self.peek()? == '{' {
            self.bump();
            let mut value: u32 = 0;
            let mut digits = 0;
            loop {
                let c = self.bump()?;
                if c == '}' {
                    break;
                }
                value = value.checked_mul(16)? + c.to_digit(16)?;
                if value > 0x10FFFF {
                    return None;
                }
                digits += 1;
            }
            return (digits > 0).then_some(value);
        }
        let high = self.bump()?.to_digit(16);
        let low = self.bump()?.to_digit(16);
        Some(high? * 16 + low?)
    }
}

/// `{n}`, `{n,}` or `{n,m}` at the start of `s`: (min, max, length).
/// Numbers too large for Go come back as `u32::MAX` so the caller refuses
/// them; anything else is not a repetition and `{` is then a literal.
fn counted_repeat(s: &str) -> Option<(u32, Option<u32>, usize)> {
    let bytes = s.as_bytes();
    let mut i = 1;
    let number = |i: &mut usize| -> Option<u32> {
        let start = *i;
        while *i < bytes.len() && bytes[*i].is_ascii_digit() {
            *i += 1;
        }
        let digits = &s[start..*i];
        // Go refuses leading zeros: `{01}` is literal text.
        if digits.is_empty() || (digits.len() > 1 && digits.starts_with('0')) {
            return None;
        }
        Some(digits.parse::<u32>().unwrap_or(u32::MAX))
    };
    let min = number(&mut i)?;
    let max = match bytes.get(i)? {
        b',' => {
            i += 1;
            if bytes.get(i)? == &b'}' {
                None
            } else {
                Some(number(&mut i)?)
            }
        }
        _ => Some(min),
    };
    (bytes.get(i)? == &b'}').then_some((min, max, i + 1))
}

fn literal(c: char) -> Hir {
    let mut buf = [0; 4];
    Hir::literal(c.encode_utf8(&mut buf).as_bytes())
}

/// A code point from an escape; surrogates (which Go accepts but no UTF-8
/// text contains) never match.
fn char_or_fail(code: u32) -> Hir {
    char::from_u32(code).map_or_else(Hir::fail, literal)
}

/// The characters `lo..=hi`, leaving out surrogates.
fn code_point_range(lo: u32, hi: u32) -> ClassUnicode {
    let pieces = [(lo, hi.min(0xD7FF)), (lo.max(0xE000), hi)];
    ClassUnicode::new(pieces.into_iter().filter_map(|(a, b)| {
        let (a, b) = (char::from_u32(a)?, char::from_u32(b)?);
        (a <= b).then(|| ClassUnicodeRange::new(a, b))
    }))
}

fn ascii_class(ranges: &[(char, char)], negated: bool) -> ClassUnicode {
    let mut class = ClassUnicode::new(ranges.iter().map(|&(a, b)| ClassUnicodeRange::new(a, b)));
    if negated {
        class.negate();
    }
    class
}

/// A Unicode category or script by name, from `regex-syntax`'s tables.
fn unicode_table(name: &str) -> Option<ClassUnicode> {
    // Go's special names, which `regex-syntax` spells differently.
    match name.to_ascii_lowercase().replace(['_', ' ', '-'], "").as_str() {
        "any" => return Some(ClassUnicode::new([ClassUnicodeRange::new('\0', char::MAX)])),
        "ascii" => return Some(ascii_class(&[('\0', '\x7f')], false)),
        _ => {}
    }
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(&format!("\\p{{{name}}}"))
        .ok()?;
    match hir.into_kind() {
        HirKind::Class(Class::Unicode(class)) => Some(class),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use regex_automata::meta::Regex;

    use super::*;

    fn matches(re: &str, haystack: &str) -> bool {
        let hir = parse(re).unwrap_or_else(|e| panic!("{re}: {e}"));
        let regex = Regex::builder().build_from_hir(&hir).expect("compiles");
        regex.is_match(haystack)
    }

    #[test]
    fn go_semantics_where_rust_syntax_differs() {
        // (regex in Go syntax, haystack, does Go's regexp match?)
        let cases: &[(&str, &str, bool)] = &[
            // `[` inside a class is literal in Go, a nested class in Rust.
            (r"^[[^/]*]$", "[^]", true),
            (r"^[[^/]*]$", "]", true),
            (r"^[[^/]*]$", "a]", false),
            // `&&`, `--` and `~~` are not set operations in Go.
            (r"^[a&&b]$", "&", true),
            (r"^[a~~b]$", "~", true),
            (r"^[+--]$", ",", true),
            // Perl classes are ASCII-only in Go.
            (r"^\d$", "7", true),
            (r"^\d$", "٣", false),
            (r"^\w$", "é", false),
            // POSIX classes.
            (r"^[[:alpha:]]$", "q", true),
            (r"^[[:^alpha:]]$", "q", false),
            (r"^[[:alpha:]]$", ":", false),
            // Octal and hexadecimal escapes.
            (r"^\101$", "A", true),
            (r"^\x41$", "A", true),
            (r"^\x{263a}$", "☺", true),
            // Escaped punctuation is itself; `\<` is not a word boundary.
            (r"^\<\>$", "<>", true),
            (r"^\_$", "_", true),
            // `\Q…` runs to the end when there is no `\E`.
            (r"^\Qa.b$", "a.b$", true),
            (r"^\Qa.b\E$", "a.b", true),
            // `^` is an anchor wherever it is.
            (r"^a^b$", "a^b", false),
            (r"^^[^/]*\.py$", "x.py", true),
            // A `{` that is not a repetition is literal.
            (r"^a{b$", "a{b", true),
            (r"^a{2}$", "aa", true),
            // Negated classes match a newline; `.` does not.
            (r"^[^/]$", "\n", true),
            (r"^.$", "\n", false),
            (r"^\p{Greek}$", "λ", true),
            (r"^\PL$", "1", true),
            // Go lets `^` be repeated.
            (r"^^*a$", "a", true),
            (r"^[\p{^Greek}]$", "λ", false),
        ];
        for (re, haystack, expected) in cases {
            assert_eq!(matches(re, haystack), *expected, "{re} on {haystack:?}");
        }
    }

    #[test]
    fn what_go_refuses() {
        let cases: &[(&str, &str)] = &[
            (r"^[z-a]$", "invalid character class range"),
            (r"^\e$", "invalid escape"),
            (r"^\1$", "invalid escape"),
            (r"^\é$", "invalid escape"),
            (r"^\C$", "invalid escape"),
            (r"^[[:nope:]]$", "invalid character class range"),
            (r"^\p{Nope}$", "invalid character class range"),
            (r"^[a$", "missing closing ]"),
            (r"^a**$", "nested repetition"),
            (r"*a", "missing argument"),
            (r"a{1001}", "invalid repeat count"),
            (r"(a", "missing closing )"),
            (r"a)", "unexpected )"),
            (r"\x{110000}", "invalid escape"),
            (r"\xZ1", "invalid escape"),
        ];
        for (re, reason) in cases {
            match parse(re) {
                Ok(_) => panic!("{re} parsed"),
                Err(e) => assert!(e.contains(reason), "{re}: {e}"),
            }
        }
    }
}
