//! Deterministic scrubbing of recorded responses.
//!
//! Every rule replaces a value by another of the same JSON type (a string by
//! a string), and never adds or drops an element, so a scrubbed response
//! decodes exactly as the original did. Replacements are fixed strings, or
//! keep the original's shape (its length and separators), so two runs on
//! the same machine scrub alike. See the module docs of `record` for the
//! list of what is scrubbed.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// A PEM block in place of a certificate (swarm `TrustRoot`, CA certs).
pub const PEM_PLACEHOLDER: &str =
    "-----BEGIN CERTIFICATE-----\nc2NydWJiZWQgYnkgY2FyZ28geHRhc2sgcmVjb3Jk\n-----END CERTIFICATE-----\n";

/// Base64 in place of DER data (`CertIssuerSubject`, `CertIssuerPublicKey`).
pub const BASE64_PLACEHOLDER: &str = "c2NydWJiZWQ=";

/// How the characters around a literal must look for it to match: a value
/// found inside a longer one (an address inside another, a pid that is the
/// start of a longer number) is left alone.
#[derive(Clone, Copy, Debug)]
pub enum Boundary {
    /// An IPv4 address: no digit or dot either side.
    Ipv4,
    /// An IPv6 address: no hex digit or colon either side.
    Ipv6,
    /// A name ending in a number: no alphanumeric before, no digit after.
    Name,
    /// Anywhere.
    Anywhere,
}

impl Boundary {
    fn allows(self, before: Option<char>, after: Option<char>) -> bool {
        let free = |c: Option<char>, taken: &dyn Fn(char) -> bool| c.is_none_or(|c| !taken(c));
        match self {
            Boundary::Ipv4 => {
                let taken = |c: char| c.is_ascii_digit() || c == '.';
                free(before, &taken) && free(after, &taken)
            }
            Boundary::Ipv6 => {
                let taken = |c: char| c.is_ascii_hexdigit() || c == ':';
                free(before, &taken) && free(after, &taken)
            }
            Boundary::Name => {
                free(before, &|c| c.is_ascii_alphanumeric()) && free(after, &|c| c.is_ascii_digit())
            }
            Boundary::Anywhere => true,
        }
    }
}

#[derive(Clone, Debug)]
struct Literal {
    from: String,
    to: String,
    boundary: Boundary,
}

/// The scrubbing rules of one recording: fixed rules by key and by value
/// shape, and the host's own values, registered as they are learnt.
#[derive(Clone, Debug, Default)]
pub struct Scrubber {
    /// Strings replaced only when they are the whole value (the hostname,
    /// which is short enough to occur inside unrelated identifiers).
    whole: BTreeMap<String, String>,
    /// Substrings replaced wherever they occur within their boundary.
    literals: Vec<Literal>,
}

impl Scrubber {
    /// Replaces `from` wherever a string value (or object key) is exactly
    /// it. The first rule for a value stays (both daemons share the trust
    /// key, hence the ID, of `/etc/docker/key.json`).
    pub fn whole(&mut self, from: &str, to: &str) {
        if !from.is_empty() {
            self.whole.entry(from.to_owned()).or_insert_with(|| to.to_owned());
        }
    }

    /// Replaces `from` inside any string value or object key.
    pub fn literal(&mut self, from: &str, to: &str, boundary: Boundary) {
        if from.is_empty() || self.literals.iter().any(|l| l.from == from) {
            return;
        }
        self.literals.push(Literal {
            from: from.to_owned(),
            to: to.to_owned(),
            boundary,
        });
        // Longest first: a literal that contains another is replaced whole.
        self.literals.sort_by_key(|l| std::cmp::Reverse(l.from.len()));
    }

    /// Scrubs a document in place.
    pub fn scrub(&self, value: &mut Value) {
        self.scrub_in(None, value);
    }

    fn scrub_in(&self, key: Option<&str>, value: &mut Value) {
        if let Some(replacement) = key.and_then(|k| keyed(k, value)) {
            *value = replacement;
            return;
        }
        match value {
            Value::String(text) => *text = self.scrub_string(key, text),
            Value::Array(items) => items.iter_mut().for_each(|item| self.scrub_in(key, item)),
            Value::Object(map) => {
                let entries = std::mem::take(map);
                let mut scrubbed = Map::new();
                for (name, mut item) in entries {
                    self.scrub_in(Some(&name), &mut item);
                    scrubbed.insert(self.scrub_string(None, &name), item);
                }
                *map = scrubbed;
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }

    fn scrub_string(&self, key: Option<&str>, text: &str) -> String {
        if let Some(masked) = mask_swarm_secret(key, text) {
            return masked;
        }
        if let Some(to) = self.whole.get(text) {
            return to.clone();
        }
        let mut text = text.to_owned();
        for literal in &self.literals {
            if text.contains(&literal.from) {
                text = replace_bounded(&text, literal);
            }
        }
        text
    }
}

/// Values scrubbed by their key alone: certificates and keys of the swarm's
/// CA, and proxy settings (which may name internal hosts).
fn keyed(key: &str, value: &Value) -> Option<Value> {
    let text = value.as_str().filter(|s| !s.is_empty())?;
    let replacement = match key {
        "TrustRoot" | "SigningCACert" | "CACert" => PEM_PLACEHOLDER,
        "SigningCAKey" => "-----BEGIN EC PRIVATE KEY-----\nc2NydWJiZWQ=\n-----END EC PRIVATE KEY-----\n",
        "CertIssuerSubject" | "CertIssuerPublicKey" => BASE64_PLACEHOLDER,
        "HttpProxy" | "HttpsProxy" => "http://proxy.invalid:3128",
        "NoProxy" => "scrubbed.invalid",
        _ => return None,
    };
    (text != replacement).then(|| Value::String(replacement.to_owned()))
}

/// Swarm join tokens (`SWMTKN-1-<CA hash>-<secret>`) and unlock keys
/// (`SWMKEY-1-<secret>`), wherever they occur: the same shape, with the
/// hash as zeros and the secret filled with a letter naming its role.
fn mask_swarm_secret(key: Option<&str>, text: &str) -> Option<String> {
    if let Some(rest) = text.strip_prefix("SWMTKN-1-") {
        let (hash, secret) = rest.split_once('-')?;
        let fill = match key {
            Some("Worker") => 'w',
            Some("Manager") => 'm',
            _ => 'x',
        };
        return Some(format!(
            "SWMTKN-1-{}-{}",
            same_shape(hash, '0'),
            same_shape(secret, fill)
        ));
    }
    // The key is base64: its `+` and `/` are secret too.
    let secret = text.strip_prefix("SWMKEY-1-")?;
    let masked: String = secret.chars().map(|c| if c == '=' { c } else { 'k' }).collect();
    Some(format!("SWMKEY-1-{masked}"))
}

/// `text` with every ASCII letter and digit replaced by `fill`; separators
/// and the length stay.
pub fn same_shape(text: &str, fill: char) -> String {
    text.chars()
        .map(|c| if c.is_ascii_alphanumeric() { fill } else { c })
        .collect()
}

fn replace_bounded(text: &str, literal: &Literal) -> String {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (start, _) in text.match_indices(&literal.from) {
        if start < copied {
            continue;
        }
        let end = start + literal.from.len();
        let before = text[..start].chars().next_back();
        let after = text[end..].chars().next();
        if literal.boundary.allows(before, after) {
            out.push_str(&text[copied..start]);
            out.push_str(&literal.to);
            copied = end;
        }
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn literals_respect_their_boundaries() {
        let mut scrubber = Scrubber::default();
        scrubber.literal("192.0.2.2", "203.0.113.10", Boundary::Ipv4);
        scrubber.literal("docker-sdk-corpus-12", "docker-sdk-corpus-0", Boundary::Name);
        scrubber.whole("vm", "docker-sdk-host");
        let mut doc = json!({
            "Addr": "192.0.2.2:2377",
            "Other": "192.0.2.25",
            "Name": "vm",
            "Id": "vmx",
            "docker-sdk-corpus-12-web": ["/docker-sdk-corpus-12-web", "docker-sdk-corpus-123"],
        });
        scrubber.scrub(&mut doc);
        assert_eq!(
            doc,
            json!({
                "Addr": "203.0.113.10:2377",
                "Other": "192.0.2.25",
                "Name": "docker-sdk-host",
                "Id": "vmx",
                "docker-sdk-corpus-0-web": ["/docker-sdk-corpus-0-web", "docker-sdk-corpus-123"],
            })
        );
    }

    #[test]
    fn swarm_secrets_keep_their_shape() {
        let mut doc = json!({
            "JoinTokens": {"Worker": "SWMTKN-1-ab12-cd34", "Manager": "SWMTKN-1-ab12-ef56"},
            "UnlockKey": "SWMKEY-1-Zz9/+",
            "TLSInfo": {"TrustRoot": "-----BEGIN CERTIFICATE-----\nMII\n", "CertIssuerSubject": ""},
        });
        Scrubber::default().scrub(&mut doc);
        assert_eq!(
            doc,
            json!({
                "JoinTokens": {"Worker": "SWMTKN-1-0000-wwww", "Manager": "SWMTKN-1-0000-mmmm"},
                "UnlockKey": "SWMKEY-1-kkkkk",
                "TLSInfo": {"TrustRoot": PEM_PLACEHOLDER, "CertIssuerSubject": ""},
            })
        );
    }
}
