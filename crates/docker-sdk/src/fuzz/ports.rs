//! `ports`: container ports (`"1000-1002/udp"`) and host bindings, as
//! `port_bindings` reads them.

use std::net::{Ipv4Addr, Ipv6Addr};

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use super::{Refusal, check_refusal, ensure, text_of};
use crate::convert::{ContainerPort, HostPort, port_bindings};

#[derive(Clone, Debug)]
enum Input {
    /// Any container port and host binding texts.
    Any(Vec<(String, HostPort)>),
    /// A binding assembled from valid parts, with its expected result.
    Valid(Binding),
}

/// A container port (range) and how it is published, from valid parts.
#[derive(Clone, Debug)]
struct Binding {
    start: u16,
    end: u16,
    /// `None` writes no protocol, which is tcp.
    protocol: Option<&'static str>,
    /// The address as written (maybe bracketed) and as the engine gets it.
    ip: Option<(String, String)>,
    host: HostPorts,
}

#[derive(Clone, Debug)]
enum HostPorts {
    Any,
    /// `0`: any free port, for each container port.
    Zero,
    /// A host range as long as the container range, from this port.
    From(u16),
}

fn strategy() -> impl Strategy<Value = Input> {
    prop_oneof![
        prop::collection::vec((container_text(), host_port()), 1..4).prop_map(Input::Any),
        binding().prop_map(Input::Valid),
    ]
}

/// Near-valid container ports: numbers (sometimes out of range or with
/// zeros in front), ranges, protocols good and bad, and stray characters.
fn container_text() -> impl Strategy<Value = String> {
    let number = prop_oneof![
        (0u32..70_000).prop_map(|n| n.to_string()),
        Just("0080".to_owned()),
        Just(String::new()),
        text_of("0123456789", 7),
    ];
    let protocol = prop::sample::select(vec![
        "", "/tcp", "/udp", "/sctp", "/UDP", "/", "/icmp", "/tcp/udp",
    ]);
    prop_oneof![
        4 => (number.clone(), prop::option::of(number), protocol).prop_map(|(start, end, protocol)| match end {
            Some(end) => format!("{start}-{end}{protocol}"),
            None => format!("{start}{protocol}"),
        }),
        1 => text_of("0123456789-/:tcpudsc ", 16),
    ]
}

fn ip_text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "",
            "127.0.0.1",
            "0.0.0.0",
            "::1",
            "[::1]",
            "[::1",
            "::1]",
            "[]",
            "[",
            "256.0.0.1",
            "localhost",
            "fe80::1%eth0",
            "[127.0.0.1]",
            " 127.0.0.1",
        ])
        .prop_map(str::to_owned),
        text_of("0123456789abcdef.:[]", 12),
    ]
}

fn host_port() -> impl Strategy<Value = HostPort> {
    let leaf = prop_oneof![
        Just(HostPort::Random),
        container_text().prop_map(HostPort::Port),
        ip_text().prop_map(HostPort::Ip),
        (ip_text(), container_text()).prop_map(|(ip, port)| HostPort::IpPort(ip, port)),
    ];
    // Lists of lists are refused, but must be refused cleanly.
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop::collection::vec(inner, 0..4).prop_map(HostPort::Many)
    })
}

fn binding() -> impl Strategy<Value = Binding> {
    let range = (1u16..=u16::MAX).prop_flat_map(|start| {
        let longest = (u16::MAX - start).min(20);
        (Just(start), 0..=longest).prop_map(|(start, extra)| (start, start + extra))
    });
    let protocol = prop::sample::select(vec![None, Some("tcp"), Some("udp"), Some("sctp")]);
    let ip = prop_oneof![
        Just(None),
        any::<u32>().prop_map(|n| {
            let ip = Ipv4Addr::from(n).to_string();
            Some((ip.clone(), ip))
        }),
        (any::<u128>(), any::<bool>()).prop_map(|(n, bracketed)| {
            let ip = Ipv6Addr::from(n).to_string();
            let written = if bracketed { format!("[{ip}]") } else { ip.clone() };
            Some((written, ip))
        }),
    ];
    (range, protocol, ip, 0u8..3, 1u16..=u16::MAX).prop_map(|((start, end), protocol, ip, host, from)| {
        let host = match host {
            0 => HostPorts::Any,
            1 => HostPorts::Zero,
            // Shifted down so that the host range fits below 65536.
            _ => HostPorts::From(from.min(u16::MAX - (end - start))),
        };
        Binding {
            start,
            end,
            protocol,
            ip,
            host,
        }
    })
}

fn property(input: Input) -> Result<(), TestCaseError> {
    match input {
        Input::Any(ports) => {
            let ports: Vec<(ContainerPort, HostPort)> = ports
                .into_iter()
                .map(|(c, h)| (ContainerPort::from(c), h))
                .collect();
            match port_bindings(&ports) {
                Ok(result) => {
                    let mut keys: Vec<&String> = result.bindings.keys().collect();
                    keys.sort();
                    let mut exposed: Vec<&String> = result.exposed_ports.iter().collect();
                    exposed.sort();
                    ensure!(
                        keys == exposed,
                        "bindings {keys:?} are not the exposed ports {exposed:?}"
                    );
                    for key in &result.exposed_ports {
                        let (port, protocol) = key.split_once('/').unwrap_or_default();
                        ensure!(
                            port.parse::<u16>().is_ok_and(|p| p > 0)
                                && ["tcp", "udp", "sctp"].contains(&protocol),
                            "exposed port {key:?} is not <port>/<protocol>"
                        );
                    }
                    Ok(())
                }
                Err(error) => check_refusal(&error, Refusal::InvalidArgument("ports")),
            }
        }
        Input::Valid(binding) => round_trip(&binding),
    }
}

/// The binding, written as a user would, converts to exactly what the
/// parts say.
fn round_trip(binding: &Binding) -> Result<(), TestCaseError> {
    let Binding {
        start,
        end,
        protocol,
        ip,
        host,
    } = binding;
    let ports = if start == end {
        start.to_string()
    } else {
        format!("{start}-{end}")
    };
    let container = match protocol {
        Some(protocol) => format!("{ports}/{protocol}"),
        None => ports,
    };
    let host_ports = match host {
        HostPorts::Any => String::new(),
        HostPorts::Zero => "0".to_owned(),
        HostPorts::From(from) if start == end => from.to_string(),
        HostPorts::From(from) => format!("{from}-{}", from + (end - start)),
    };
    let value = match ip {
        Some((written, _)) => HostPort::IpPort(written.clone(), host_ports),
        None => HostPort::Port(host_ports),
    };
    let converted = port_bindings(&[(ContainerPort::from(container.as_str()), value.clone())])
        .map_err(|e| TestCaseError::fail(format!("{container:?} => {value:?} refused: {e}")))?;

    let protocol = protocol.unwrap_or("tcp");
    let expected_keys: Vec<String> = (*start..=*end).map(|p| format!("{p}/{protocol}")).collect();
    ensure!(
        converted.exposed_ports == expected_keys,
        "{container:?}: exposed {:?}, expected {expected_keys:?}",
        converted.exposed_ports
    );
    for (i, key) in expected_keys.iter().enumerate() {
        let expected_port = match host {
            HostPorts::Any => String::new(),
            HostPorts::Zero => "0".to_owned(),
            HostPorts::From(from) => (usize::from(*from) + i).to_string(),
        };
        let expected_ip = ip.as_ref().map_or("", |(_, bare)| bare.as_str());
        let bound = converted.bindings.get(key).cloned().flatten().unwrap_or_default();
        ensure!(
            bound.len() == 1
                && bound[0].host_ip.as_deref() == Some(expected_ip)
                && bound[0].host_port.as_deref() == Some(expected_port.as_str()),
            "{container:?} => {value:?}: {key} bound to {bound:?}, expected {expected_ip:?} port {expected_port:?}"
        );
    }
    Ok(())
}

#[test]
fn run() {
    super::run("ports", strategy(), property);
}
