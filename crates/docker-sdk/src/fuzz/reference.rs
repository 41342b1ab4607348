//! Image references: `ImageReference::parse` and `Display`, and docker-py's
//! `parse_repository_tag` and `resolve_repository_name`.

use std::net::{Ipv4Addr, Ipv6Addr};

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use super::{Refusal, check_refusal, ensure, text_of};
use crate::reference::{ImageReference, parse_repository_tag, resolve_repository_name};

#[derive(Clone, Debug)]
enum Input {
    /// Any text.
    Text(String),
    /// A reference assembled from valid parts.
    Parts(Parts),
}

#[derive(Clone, Debug)]
struct Parts {
    registry: Option<String>,
    /// Path components.
    path: Vec<String>,
    tag: Option<String>,
    digest: Option<String>,
}

/// A registry that can only be read as a host.
fn registry() -> impl Strategy<Value = String> {
    let label = "[a-zA-Z0-9]([a-zA-Z0-9-]{0,4}[a-zA-Z0-9])?";
    let port = prop::option::of(0u32..100_000).prop_map(|p| p.map(|p| format!(":{p}")).unwrap_or_default());
    prop_oneof![
        (prop::collection::vec(label, 2..4), port.clone())
            .prop_map(|(labels, port)| format!("{}{port}", labels.join("."))),
        (label, 0u32..100_000).prop_map(|(label, port)| format!("{label}:{port}")),
        "[A-Z][a-zA-Z0-9]{0,5}",
        port.clone().prop_map(|port| format!("localhost{port}")),
        (any::<u32>(), port.clone()).prop_map(|(ip, port)| format!("{}{port}", Ipv4Addr::from(ip))),
        // Written as eight groups: `Display` writes IPv4-mapped addresses
        // with dots, which the grammar does not take.
        (any::<u128>(), port).prop_map(|(ip, port)| {
            let groups: Vec<String> = Ipv6Addr::from(ip)
                .segments()
                .iter()
                .map(|g| format!("{g:x}"))
                .collect();
            format!("[{}]{port}", groups.join(":"))
        }),
        prop::sample::select(vec!["docker.io", "index.docker.io", "registry-1.docker.io"])
            .prop_map(str::to_owned),
    ]
}

/// A path component of the grammar: runs of `[a-z0-9]` joined by `.`, `_`,
/// `__` or dashes.
fn component() -> impl Strategy<Value = String> {
    let separator = prop::sample::select(vec![".", "_", "__", "-", "--", "---"]);
    (
        "[a-z0-9]{1,4}",
        prop::collection::vec((separator, "[a-z0-9]{1,4}"), 0..3),
    )
        .prop_map(|(first, rest)| {
            let mut component = first;
            for (separator, run) in rest {
                component.push_str(separator);
                component.push_str(&run);
            }
            component
        })
}

fn parts() -> impl Strategy<Value = Parts> {
    let tag = prop_oneof![
        "[A-Za-z0-9_][A-Za-z0-9_.-]{0,12}",
        "[A-Za-z0-9_][A-Za-z0-9_.-]{127}",
    ];
    let digest = prop_oneof![
        "[0-9a-f]{64}".prop_map(|hex| format!("sha256:{hex}")),
        "[0-9a-f]{96}".prop_map(|hex| format!("sha384:{hex}")),
        "[0-9a-f]{128}".prop_map(|hex| format!("sha512:{hex}")),
    ];
    (
        prop::option::of(registry()),
        prop::collection::vec(component(), 1..4),
        prop::option::of(tag),
        prop::option::of(digest),
    )
        .prop_map(|(registry, mut path, tag, digest)| {
            // Without a registry, a first component that looks like a host
            // would be read as one: such a name needs its registry.
            if registry.is_none() && path.len() > 1 && (path[0].contains('.') || path[0] == "localhost") {
                path[0] = path[0].replace('.', "_");
            }
            Parts {
                registry,
                path,
                tag,
                digest,
            }
        })
}

fn strategy() -> impl Strategy<Value = Input> {
    prop_oneof![
        text_of("abcAB019:/@._-[]", 30).prop_map(Input::Text),
        // Near-valid: the pieces of a valid reference, glued with noise.
        (parts(), text_of(":/@.-_A", 3), 0usize..200).prop_map(|(parts, noise, at)| {
            let mut text = write(&parts);
            let at = (0..=at.min(text.len()))
                .rev()
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(0);
            text.insert_str(at, &noise);
            Input::Text(text)
        }),
        parts().prop_map(Input::Parts),
    ]
}

fn write(parts: &Parts) -> String {
    let mut text = String::new();
    if let Some(registry) = &parts.registry {
        text.push_str(registry);
        text.push('/');
    }
    text.push_str(&parts.path.join("/"));
    if let Some(tag) = &parts.tag {
        text.push(':');
        text.push_str(tag);
    }
    if let Some(digest) = &parts.digest {
        text.push('@');
        text.push_str(digest);
    }
    text
}

const HUB_NAMES: [&str; 3] = ["docker.io", "index.docker.io", "registry-1.docker.io"];

fn property(input: Input) -> Result<(), TestCaseError> {
    match input {
        Input::Text(text) => {
            // docker-py's splitters take anything.
            let _ = parse_repository_tag(&text);
            if let Err(error) = resolve_repository_name(&text) {
                check_refusal(&error, Refusal::InvalidRepository)?;
            }
            match ImageReference::parse(&text) {
                Ok(reference) => {
                    let shown = reference.to_string();
                    let again = ImageReference::parse(&shown);
                    ensure!(
                        again.as_ref().ok() == Some(&reference),
                        "{text:?} parsed to {reference:?}, displayed as {shown:?}, which parses to {again:?}"
                    );
                }
                Err(error) => check_refusal(&error, Refusal::InvalidRepository)?,
            }
        }
        Input::Parts(parts) => {
            let text = write(&parts);
            let reference = ImageReference::parse(&text)
                .map_err(|e| TestCaseError::fail(format!("{text:?} refused: {e}")))?;
            let on_hub = parts.registry.as_deref().is_none_or(|r| HUB_NAMES.contains(&r));
            let registry = if on_hub {
                "docker.io"
            } else {
                parts.registry.as_deref().unwrap_or_default()
            };
            let path = parts.path.join("/");
            ensure!(
                reference.registry() == registry
                    && reference.repository() == path
                    && reference.tag() == parts.tag.as_deref()
                    && reference.digest() == parts.digest.as_deref(),
                "{text:?} parsed to {reference:?}"
            );
            // Display leaves Docker Hub out unless it is needed.
            if parts.registry.is_none() || !on_hub {
                ensure!(reference.to_string() == text, "{text:?} displays as {reference}");
            }
            // docker-py's splitters agree with the parser on valid names.
            let before_digest = text.split('@').next().unwrap_or_default();
            let name = parts.tag.as_ref().map_or(before_digest, |tag| {
                &before_digest[..before_digest.len() - tag.len() - 1]
            });
            let split = parse_repository_tag(&text);
            let expected = match (&parts.tag, &parts.digest) {
                (_, Some(digest)) => (before_digest, Some(digest.as_str())),
                (Some(tag), None) => (name, Some(tag.as_str())),
                (None, None) => (name, None),
            };
            ensure!(
                split == expected,
                "parse_repository_tag({text:?}) is {split:?}, not {expected:?}"
            );
            let resolved = resolve_repository_name(name)
                .map_err(|e| TestCaseError::fail(format!("resolve_repository_name({name:?}): {e}")))?;
            ensure!(
                resolved == (registry.to_owned(), path.clone()),
                "resolve_repository_name({name:?}) is {resolved:?}"
            );
            let again = ImageReference::parse(&reference.to_string());
            ensure!(
                again.as_ref().ok() == Some(&reference),
                "{reference} does not parse back: {again:?}"
            );
        }
    }
    Ok(())
}

#[test]
fn run() {
    super::run("reference", strategy(), property);
}
