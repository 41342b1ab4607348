//! `DOCKER_HOST` and `base_url`: `DockerHost::parse` and its `Display`.

use std::net::{Ipv4Addr, Ipv6Addr};

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use super::{Refusal, check_refusal, ensure, text_of};
use crate::config::DockerHost;

/// Put in every generated password: no message may show it.
const PASSWORD: &str = "Pa55w0rd";

#[derive(Clone, Debug)]
enum Input {
    /// Any address, with or without TLS asked for.
    Text(String, bool),
    /// An address built from valid parts, which displays and parses back.
    Host(DockerHost),
}

fn host_name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9-]{0,8}(\\.[a-z0-9]{1,5}){0,2}",
        any::<u32>().prop_map(|n| Ipv4Addr::from(n).to_string()),
        any::<u128>().prop_map(|n| Ipv6Addr::from(n).to_string()),
    ]
}

/// Addresses assembled from the grammar's pieces, some of them wrong.
fn address() -> impl Strategy<Value = String> {
    let scheme = prop::sample::select(vec![
        "",
        "unix://",
        "http+unix://",
        "tcp://",
        "http://",
        "https://",
        "ssh://",
        "TCP://",
        "npipe://",
        "fd://",
        "ftp://",
        "1tcp://",
        "://",
    ]);
    let user = prop::sample::select(vec!["", "me@", "@", "-me@", "me:Pa55w0rd@", ":Pa55w0rd@"]);
    let host = prop_oneof![
        host_name(),
        host_name().prop_map(|h| format!("[{h}]")),
        prop::sample::select(vec!["", "[", "[]", "[::1", "::1]", "-host", "a b", "localhost"])
            .prop_map(str::to_owned),
    ];
    let port = prop_oneof![
        Just(String::new()),
        (0u32..70_000).prop_map(|p| format!(":{p}")),
        prop::sample::select(vec![":", ":x", ": 1", ":-1"]).prop_map(str::to_owned),
    ];
    let path = prop::sample::select(vec![
        "", "/", "/proxy", "/a/b/", "//", "/a b", "?q=1", "#f", ";p", "/x?y",
    ]);
    (scheme, user, host, port, path)
        .prop_map(|(scheme, user, host, port, path)| format!("{scheme}{user}{host}{port}{path}"))
}

fn valid_host() -> impl Strategy<Value = DockerHost> {
    let path = prop::collection::vec("[a-z0-9._-]{1,5}", 0..3)
        .prop_map(|parts| parts.iter().map(|p| format!("/{p}")).collect::<String>());
    prop_oneof![
        "/[a-z0-9._/-]{1,20}".prop_map(|p| DockerHost::Unix(p.into())),
        (host_name(), 1u16..=u16::MAX, any::<bool>(), path).prop_map(|(host, port, tls, path)| {
            DockerHost::Tcp {
                host,
                port,
                tls,
                path,
            }
        }),
        (
            prop::option::of("[a-z_][a-z0-9_.-]{0,8}"),
            host_name(),
            prop::option::of(1u16..=u16::MAX)
        )
            .prop_map(|(user, host, port)| DockerHost::Ssh { user, host, port }),
    ]
}

fn strategy() -> impl Strategy<Value = Input> {
    prop_oneof![
        (text_of("unixtcphs+:/@[]0123456789.-? #;", 30), any::<bool>())
            .prop_map(|(t, tls)| Input::Text(t, tls)),
        (address(), any::<bool>()).prop_map(|(t, tls)| Input::Text(t, tls)),
        valid_host().prop_map(Input::Host),
    ]
}

fn property(input: Input) -> Result<(), TestCaseError> {
    match input {
        Input::Text(address, tls) => match DockerHost::parse(&address, tls) {
            Ok(host) => {
                // What parses displays as an address that parses to it.
                let shown = host.to_string();
                let again = DockerHost::parse(&shown, false);
                ensure!(
                    again.as_ref().ok() == Some(&host),
                    "{address:?} parsed to {host:?}, displayed as {shown:?}, which parses to {again:?}"
                );
            }
            Err(error) => {
                check_refusal(&error, Refusal::Config)?;
                ensure!(
                    !error.to_string().contains(PASSWORD),
                    "the message shows the password: {error}"
                );
            }
        },
        Input::Host(host) => {
            let shown = host.to_string();
            let again = DockerHost::parse(&shown, false);
            ensure!(
                again.as_ref().ok() == Some(&host),
                "{host:?} displays as {shown:?}, which parses to {again:?}"
            );
        }
    }
    Ok(())
}

#[test]
fn run() {
    super::run("docker_host", strategy(), property);
}
