//! `ports`: docker-py's `{container_port: host_port}` map, read as its
//! `convert_port_bindings` reads it, with ranges expanded as the docker
//! CLI's `nat.ParsePortSpec` expands them.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::net::IpAddr;

use crate::api::types;
use crate::error::{Error, Result};

const ARGUMENT: &str = "ports";

/// A port inside the container: a key of docker-py's `ports` map.
///
/// A number (`80`), or text: `"80"`, `"80/udp"`, `"53/sctp"`, or a range
/// `"1000-1002/tcp"`, which stands for each port in it. The protocol is tcp
/// unless given, and one of tcp, udp or sctp.
///
/// ```
/// use docker_sdk::convert::ContainerPort;
///
/// let ports: [ContainerPort; 4] = [80.into(), "53/udp".into(), "1000-1002/tcp".into(), (2222, "udp").into()];
/// assert_eq!(ports[3], ContainerPort::from("2222/udp"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ContainerPort(String);

impl ContainerPort {
    /// The port as given, such as `"80/udp"`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<u16> for ContainerPort {
    fn from(port: u16) -> Self {
        ContainerPort(port.to_string())
    }
}

impl From<&str> for ContainerPort {
    fn from(port: &str) -> Self {
        ContainerPort(port.to_owned())
    }
}

impl From<String> for ContainerPort {
    fn from(port: String) -> Self {
        ContainerPort(port)
    }
}

impl From<&String> for ContainerPort {
    fn from(port: &String) -> Self {
        ContainerPort(port.clone())
    }
}

/// A port and its protocol, as docker-py's `create_container(ports=[(2222, "udp")])`.
impl From<(u16, &str)> for ContainerPort {
    fn from((port, protocol): (u16, &str)) -> Self {
        ContainerPort(format!("{port}/{protocol}"))
    }
}

impl fmt::Display for ContainerPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a container port is published on the host: a value of docker-py's
/// `ports` map.
///
/// | docker-py | Rust |
/// |---|---|
/// | `None` | `HostPort::Random` |
/// | `3333`, `"3333"` | `3333.into()`, `"3333".into()` |
/// | `"8000-8010"` (any free port of the range) | `"8000-8010".into()` |
/// | `("127.0.0.1", 5353)` | `("127.0.0.1", 5353).into()` |
/// | `("127.0.0.1",)` (random port on that address) | `("127.0.0.1",).into()` |
/// | `[1234, 4567]` | `vec![1234, 4567].into()` |
///
/// A host port of 0 or `""` is a random one. Host addresses are IPv4 or
/// IPv6 addresses, IPv6 with or without brackets.
///
/// ```
/// use docker_sdk::convert::HostPort;
///
/// let random = HostPort::Random;
/// let port: HostPort = 3333.into();
/// let address: HostPort = ("::1", 5353).into();
/// let several: HostPort = vec![("127.0.0.1",).into(), HostPort::from(4567)].into();
/// assert_eq!(address, HostPort::IpPort("::1".into(), "5353".into()));
/// # let _ = (random, port, several);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostPort {
    /// Any free port, on every address (`None`).
    Random,
    /// A port, a range of ports (`"8000-8010"`), or `""`/`"0"` for any.
    Port(String),
    /// Any free port on this address (`("127.0.0.1",)`).
    Ip(String),
    /// This address and port or range (`("127.0.0.1", 5353)`).
    IpPort(String, String),
    /// Several bindings of the same container port (a list).
    Many(Vec<HostPort>),
}

impl From<u16> for HostPort {
    fn from(port: u16) -> Self {
        HostPort::Port(port.to_string())
    }
}

impl From<&str> for HostPort {
    fn from(port: &str) -> Self {
        HostPort::Port(port.to_owned())
    }
}

impl From<String> for HostPort {
    fn from(port: String) -> Self {
        HostPort::Port(port)
    }
}

impl From<Option<u16>> for HostPort {
    fn from(port: Option<u16>) -> Self {
        port.map_or(HostPort::Random, HostPort::from)
    }
}

impl From<(u16,)> for HostPort {
    fn from((port,): (u16,)) -> Self {
        HostPort::from(port)
    }
}

impl From<(&str,)> for HostPort {
    fn from((ip,): (&str,)) -> Self {
        HostPort::Ip(ip.to_owned())
    }
}

impl From<(String,)> for HostPort {
    fn from((ip,): (String,)) -> Self {
        HostPort::Ip(ip)
    }
}

impl From<(&str, u16)> for HostPort {
    fn from((ip, port): (&str, u16)) -> Self {
        HostPort::IpPort(ip.to_owned(), port.to_string())
    }
}

impl From<(String, u16)> for HostPort {
    fn from((ip, port): (String, u16)) -> Self {
        HostPort::IpPort(ip, port.to_string())
    }
}

impl From<(&str, &str)> for HostPort {
    fn from((ip, port): (&str, &str)) -> Self {
        HostPort::IpPort(ip.to_owned(), port.to_owned())
    }
}

impl From<(String, String)> for HostPort {
    fn from((ip, port): (String, String)) -> Self {
        HostPort::IpPort(ip, port)
    }
}

impl From<(&str, Option<u16>)> for HostPort {
    fn from((ip, port): (&str, Option<u16>)) -> Self {
        match port {
            Some(port) => HostPort::from((ip, port)),
            None => HostPort::Ip(ip.to_owned()),
        }
    }
}

impl<T: Into<HostPort>> From<Vec<T>> for HostPort {
    fn from(bindings: Vec<T>) -> Self {
        HostPort::Many(bindings.into_iter().map(Into::into).collect())
    }
}

impl<T: Into<HostPort>, const N: usize> From<[T; N]> for HostPort {
    fn from(bindings: [T; N]) -> Self {
        HostPort::Many(bindings.into_iter().map(Into::into).collect())
    }
}

/// `ports`, converted: the ports to expose (`Config.ExposedPorts` keys,
/// such as `"80/tcp"`, sorted by port) and `HostConfig.PortBindings`.
#[derive(Clone, Debug, Default)]
pub(crate) struct PortBindings {
    /// `"<port>/<protocol>"`, once each.
    pub(crate) exposed_ports: Vec<String>,
    /// The bindings of each exposed port, with `HostIp` and `HostPort` set
    /// as docker-py sets them (`""` for any).
    pub(crate) bindings: HashMap<String, Option<Vec<types::PortBinding>>>,
}

/// docker-py's `ports` map, as a list of its entries.
///
/// A container port given twice (`80` and `"80/tcp"`) gets the bindings of
/// both, as the docker CLI's `-p` does.
pub(crate) fn port_bindings(ports: &[(ContainerPort, HostPort)]) -> Result<PortBindings> {
    let mut all: BTreeMap<(u16, Protocol), Vec<types::PortBinding>> = BTreeMap::new();
    for (container, host) in ports {
        let key = parse_container_port(container.as_str())?;
        let mut flat = Vec::new();
        flatten(host, &mut flat, false)?;
        let count = key.len();
        let mut bindings: Vec<Vec<types::PortBinding>> = vec![Vec::new(); count];
        for (ip, range) in flat {
            let ip = parse_host_ip(ip)?;
            let range = parse_host_port(range)?;
            if let Some((start, end)) = range
                && count > 1
                && (start, end) != (0, 0)
                && usize::from(end - start) + 1 != count
            {
                return Err(Error::invalid_argument(
                    ARGUMENT,
                    format!(
                        "container ports {:?} are {count} ports but host ports {:?} are {}; \
                         give a host range of the same length, one port for one container port, or none",
                        container.as_str(),
                        format_range(start, end),
                        end - start + 1
                    ),
                ));
            }
            for (i, slot) in bindings.iter_mut().enumerate() {
                let host_port = match range {
                    None => String::new(),
                    Some((start, end)) if count == 1 => format_range(start, end),
                    // 0 is any free port, for each port of a range too.
                    Some((0, 0)) => "0".to_owned(),
                    // Equal lengths: one to one, as `nat.ParsePortSpec` pairs them.
                    Some((start, _)) => (usize::from(start) + i).to_string(),
                };
                slot.push(types::PortBinding {
                    host_ip: Some(ip.clone()),
                    host_port: Some(host_port),
                });
            }
        }
        for (port, bound) in (key.start..=key.end).zip(bindings) {
            all.entry((port, key.protocol)).or_default().extend(bound);
        }
    }
    let mut result = PortBindings::default();
    for ((port, protocol), bound) in all {
        let key = format!("{port}/{protocol}");
        result.exposed_ports.push(key.clone());
        result.bindings.insert(key, Some(bound));
    }
    Ok(result)
}

/// docker-py's `create_container(ports=[...])`: the ports to expose,
/// without publishing them, as `"<port>/<protocol>"` keys.
// Services (`EndpointSpec`) publish ports without binding them; they will use it.
#[allow(dead_code)]
pub(crate) fn exposed_ports(ports: &[ContainerPort]) -> Result<Vec<String>> {
    let mut all = std::collections::BTreeSet::new();
    for port in ports {
        let key = parse_container_port(port.as_str())?;
        all.extend((key.start..=key.end).map(|p| (p, key.protocol)));
    }
    Ok(all
        .into_iter()
        .map(|(p, protocol)| format!("{p}/{protocol}"))
        .collect())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Protocol {
    Tcp,
    Udp,
    Sctp,
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Sctp => "sctp",
        })
    }
}

struct PortKey {
    start: u16,
    end: u16,
    protocol: Protocol,
}

impl PortKey {
    fn len(&self) -> usize {
        usize::from(self.end - self.start) + 1
    }
}

const CONTAINER_FORMS: &str = r#"use a port such as 80, "80/udp" or "1000-1002/tcp""#;

fn parse_container_port(text: &str) -> Result<PortKey> {
    let invalid = |why: String| {
        Error::invalid_argument(
            ARGUMENT,
            format!("container port {text:?} {why}; {CONTAINER_FORMS}"),
        )
    };
    if text.contains(':') {
        return Err(invalid(
            "has a host part: the host address and port go in the value (HostPort), not the key".into(),
        ));
    }
    let (ports, protocol) = match text.split_once('/') {
        Some((ports, protocol)) => (ports, Some(protocol)),
        None => (text, None),
    };
    let protocol = match protocol.map(str::to_ascii_lowercase).as_deref() {
        None | Some("tcp") => Protocol::Tcp,
        Some("udp") => Protocol::Udp,
        Some("sctp") => Protocol::Sctp,
        Some("") => {
            return Err(invalid(
                "has an empty protocol after \"/\" (tcp, udp or sctp)".into(),
            ));
        }
        Some(other) => {
            return Err(invalid(format!(
                "has unknown protocol {other:?} (tcp, udp or sctp)"
            )));
        }
    };
    if ports.is_empty() {
        return Err(invalid("has no port number".into()));
    }
    let (start, end) = parse_range(ports).map_err(invalid)?;
    if start == 0 {
        return Err(invalid("is 0: container ports are 1 to 65535".into()));
    }
    Ok(PortKey { start, end, protocol })
}

/// `"80"` or `"8000-8010"` as (start, end); the message says what is wrong.
fn parse_range(text: &str) -> std::result::Result<(u16, u16), String> {
    let (start, end) = match text.split_once('-') {
        Some((start, end)) => (start, Some(end)),
        None => (text, None),
    };
    let start = parse_number(start)?;
    let Some(end) = end else {
        return Ok((start, start));
    };
    let end = parse_number(end)?;
    if end < start {
        return Err(format!("is a range that ends ({end}) before it starts ({start})"));
    }
    Ok((start, end))
}

fn parse_number(text: &str) -> std::result::Result<u16, String> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "is not a port number or range ({text:?} is not a number)"
        ));
    }
    text.parse::<u16>()
        .map_err(|_| format!("is out of range ({text} is more than 65535)"))
}

fn format_range(start: u16, end: u16) -> String {
    if start == end {
        start.to_string()
    } else {
        format!("{start}-{end}")
    }
}

/// Every (address, port) binding of a value; lists may not nest.
fn flatten<'a>(host: &'a HostPort, out: &mut Vec<(&'a str, &'a str)>, nested: bool) -> Result<()> {
    match host {
        HostPort::Random => out.push(("", "")),
        HostPort::Port(port) => out.push(("", port)),
        HostPort::Ip(ip) => out.push((ip, "")),
        HostPort::IpPort(ip, port) => out.push((ip, port)),
        HostPort::Many(_) if nested => {
            return Err(Error::invalid_argument(
                ARGUMENT,
                "a list of host bindings holds another list; list the bindings in one list",
            ));
        }
        HostPort::Many(all) => {
            for one in all {
                flatten(one, out, true)?;
            }
        }
    }
    Ok(())
}

/// The address as the engine takes it: without brackets, `""` for all.
fn parse_host_ip(text: &str) -> Result<String> {
    let bare = match (text.strip_prefix('['), text.strip_suffix(']')) {
        (Some(_), Some(_)) if text.len() >= 2 => &text[1..text.len() - 1],
        (None, None) => text,
        _ => {
            return Err(Error::invalid_argument(
                ARGUMENT,
                format!(
                    "host address {text:?} has an unbalanced bracket; write an IPv6 address as \"::1\" or \"[::1]\""
                ),
            ));
        }
    };
    if bare.is_empty() && bare.len() == text.len() {
        return Ok(String::new());
    }
    bare.parse::<IpAddr>().map(|_| bare.to_owned()).map_err(|_| {
        Error::invalid_argument(
            ARGUMENT,
            format!("host address {text:?} is not an IP address; use an IPv4 or IPv6 address, such as \"127.0.0.1\" or \"::1\""),
        )
    })
}

/// `None` for any port; else the port or range.
fn parse_host_port(text: &str) -> Result<Option<(u16, u16)>> {
    if text.is_empty() {
        return Ok(None);
    }
    parse_range(text).map(Some).map_err(|why| {
        Error::invalid_argument(
            ARGUMENT,
            format!(
                "host port {text:?} {why}; use a port such as 8080, a range such as \"8000-8010\", \
                 or 0 or None for any free port"
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::test_support::assert_invalid;

    type Expected = &'static [(&'static str, &'static [(&'static str, &'static str)])];

    fn convert(ports: Vec<(ContainerPort, HostPort)>) -> Vec<(String, Vec<(String, String)>)> {
        let result = match port_bindings(&ports) {
            Ok(result) => result,
            Err(e) => panic!("{ports:?}: {e}"),
        };
        let mut keys: Vec<&String> = result.bindings.keys().collect();
        keys.sort();
        let mut exposed = result.exposed_ports.clone();
        exposed.sort();
        assert_eq!(
            keys,
            exposed.iter().collect::<Vec<_>>(),
            "exposed ports are the binding keys"
        );
        result
            .exposed_ports
            .iter()
            .map(|key| {
                let bound = result.bindings[key].clone().unwrap_or_default();
                let bound = bound
                    .into_iter()
                    .map(|b| (b.host_ip.unwrap_or_default(), b.host_port.unwrap_or_default()))
                    .collect();
                (key.clone(), bound)
            })
            .collect()
    }

    fn owned(expected: Expected) -> Vec<(String, Vec<(String, String)>)> {
        expected
            .iter()
            .map(|(key, bound)| {
                let bound = bound
                    .iter()
                    .map(|(ip, port)| (ip.to_string(), port.to_string()))
                    .collect();
                (key.to_string(), bound)
            })
            .collect()
    }

    #[test]
    fn bindings_as_docker_py_and_the_cli_make_them() {
        let cases: Vec<(Vec<(ContainerPort, HostPort)>, Expected)> = vec![
            (
                vec![("2222/tcp".into(), 3333.into())],
                &[("2222/tcp", &[("", "3333")])],
            ),
            (
                vec![(8080.into(), HostPort::Random)],
                &[("8080/tcp", &[("", "")])],
            ),
            (
                vec![("53/udp".into(), ("127.0.0.1", 5353).into())],
                &[("53/udp", &[("127.0.0.1", "5353")])],
            ),
            (
                vec![("1111/tcp".into(), vec![1234, 4567].into())],
                &[("1111/tcp", &[("", "1234"), ("", "4567")])],
            ),
            (
                vec![("9000".into(), ("127.0.0.1",).into())],
                &[("9000/tcp", &[("127.0.0.1", "")])],
            ),
            // docker-py's test_create_container_with_port_binds.
            (
                vec![
                    (1111.into(), None.into()),
                    (2222.into(), 2222.into()),
                    ("3333/udp".into(), (3333,).into()),
                    (4444.into(), ("127.0.0.1",).into()),
                    (5555.into(), ("127.0.0.1", 5555).into()),
                    (6666.into(), vec![("127.0.0.1",), ("192.168.0.1",)].into()),
                ],
                &[
                    ("1111/tcp", &[("", "")]),
                    ("2222/tcp", &[("", "2222")]),
                    ("3333/udp", &[("", "3333")]),
                    ("4444/tcp", &[("127.0.0.1", "")]),
                    ("5555/tcp", &[("127.0.0.1", "5555")]),
                    ("6666/tcp", &[("127.0.0.1", ""), ("192.168.0.1", "")]),
                ],
            ),
            // docker-py's models test: {1111: 4567, 2222: None}.
            (
                vec![(1111.into(), 4567.into()), (2222.into(), HostPort::Random)],
                &[("1111/tcp", &[("", "4567")]), ("2222/tcp", &[("", "")])],
            ),
            (vec![("80/UDP".into(), 80.into())], &[("80/udp", &[("", "80")])]),
            (vec![("53/sctp".into(), 53.into())], &[("53/sctp", &[("", "53")])]),
            (
                vec![((2222, "udp").into(), 2222.into())],
                &[("2222/udp", &[("", "2222")])],
            ),
            (
                vec![("1000-1002/tcp".into(), HostPort::Random)],
                &[
                    ("1000/tcp", &[("", "")]),
                    ("1001/tcp", &[("", "")]),
                    ("1002/tcp", &[("", "")]),
                ],
            ),
            // "1000-1001:2000-2001" in the CLI's form: paired one to one.
            (
                vec![("2000-2001".into(), "1000-1001".into())],
                &[("2000/tcp", &[("", "1000")]), ("2001/tcp", &[("", "1001")])],
            ),
            (
                vec![("2000-2001/udp".into(), ("127.0.0.1", "1000-1001").into())],
                &[
                    ("2000/udp", &[("127.0.0.1", "1000")]),
                    ("2001/udp", &[("127.0.0.1", "1001")]),
                ],
            ),
            (
                vec![("2000-2001".into(), ("127.0.0.1",).into())],
                &[
                    ("2000/tcp", &[("127.0.0.1", "")]),
                    ("2001/tcp", &[("127.0.0.1", "")]),
                ],
            ),
            // One container port and a host range: any free port of the range.
            (
                vec![("2000".into(), "1000-1001".into())],
                &[("2000/tcp", &[("", "1000-1001")])],
            ),
            (
                vec![(80.into(), "8000-8000".into())],
                &[("80/tcp", &[("", "8000")])],
            ),
            (
                vec![("8080-8080".into(), 9090.into())],
                &[("8080/tcp", &[("", "9090")])],
            ),
            (
                vec![(80.into(), ("::1", 8080).into())],
                &[("80/tcp", &[("::1", "8080")])],
            ),
            (
                vec![(80.into(), ("[::1]", 8080).into())],
                &[("80/tcp", &[("::1", "8080")])],
            ),
            (
                vec![(2000.into(), ("2001:abcd:ef00::2", "1000").into())],
                &[("2000/tcp", &[("2001:abcd:ef00::2", "1000")])],
            ),
            (
                vec![(2000.into(), ("[2001:abcd:ef00::2]", "1000").into())],
                &[("2000/tcp", &[("2001:abcd:ef00::2", "1000")])],
            ),
            (
                vec![(80.into(), ("0.0.0.0", 8080).into())],
                &[("80/tcp", &[("0.0.0.0", "8080")])],
            ),
            (
                vec![(80.into(), ("", 8080).into())],
                &[("80/tcp", &[("", "8080")])],
            ),
            (vec![(80.into(), 0.into())], &[("80/tcp", &[("", "0")])]),
            (
                vec![("80-81".into(), 0.into())],
                &[("80/tcp", &[("", "0")]), ("81/tcp", &[("", "0")])],
            ),
            (vec![(80.into(), "".into())], &[("80/tcp", &[("", "")])]),
            (vec![(80.into(), "0080".into())], &[("80/tcp", &[("", "80")])]),
            (
                vec![(80.into(), ("127.0.0.1", "").into())],
                &[("80/tcp", &[("127.0.0.1", "")])],
            ),
            (
                vec![(80.into(), ("127.0.0.1", None).into())],
                &[("80/tcp", &[("127.0.0.1", "")])],
            ),
            (vec![(80.into(), HostPort::Many(vec![]))], &[("80/tcp", &[])]),
            (
                vec![(65535.into(), 65535.into())],
                &[("65535/tcp", &[("", "65535")])],
            ),
            // Same port twice: both bindings, as build_port_bindings and the CLI.
            (
                vec![
                    (1000.into(), ("127.0.0.1", 1000).into()),
                    ("1000/tcp".into(), ("127.0.0.1", 2000).into()),
                ],
                &[("1000/tcp", &[("127.0.0.1", "1000"), ("127.0.0.1", "2000")])],
            ),
            (
                vec![
                    ("1000-1001".into(), ("127.0.0.1", "1000-1001").into()),
                    ("1000-1001".into(), ("127.0.0.1", "2000-2001").into()),
                ],
                &[
                    ("1000/tcp", &[("127.0.0.1", "1000"), ("127.0.0.1", "2000")]),
                    ("1001/tcp", &[("127.0.0.1", "1001"), ("127.0.0.1", "2001")]),
                ],
            ),
            // tcp and udp of one port are two keys; sorted by port.
            (
                vec![
                    ("53/udp".into(), 53.into()),
                    (53.into(), 53.into()),
                    (22.into(), 2222.into()),
                ],
                &[
                    ("22/tcp", &[("", "2222")]),
                    ("53/tcp", &[("", "53")]),
                    ("53/udp", &[("", "53")]),
                ],
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(convert(input.clone()), owned(expected), "{input:?}");
        }
    }

    #[test]
    fn bad_ports() {
        let cases: Vec<(ContainerPort, HostPort, &str)> = vec![
            (
                "abc".into(),
                HostPort::Random,
                r#"container port "abc" is not a port number"#,
            ),
            (
                "70000".into(),
                HostPort::Random,
                "is out of range (70000 is more than 65535)",
            ),
            ("1-70000".into(), HostPort::Random, "out of range"),
            ("1-2:3".into(), HostPort::Random, "has a host part"),
            ("8080:80".into(), HostPort::Random, "not the key"),
            ("127.0.0.1:8080:80".into(), HostPort::Random, "has a host part"),
            ("80/xyz".into(), HostPort::Random, r#"unknown protocol "xyz""#),
            (
                "80/tcp/udp".into(),
                HostPort::Random,
                r#"unknown protocol "tcp/udp""#,
            ),
            ("80/".into(), HostPort::Random, "empty protocol"),
            ("/tcp".into(), HostPort::Random, "has no port number"),
            ("".into(), HostPort::Random, "has no port number"),
            (0.into(), HostPort::Random, "container ports are 1 to 65535"),
            ("0/udp".into(), HostPort::Random, "is 0"),
            ("0-5".into(), HostPort::Random, "is 0"),
            ("10-5".into(), HostPort::Random, "ends (5) before it starts (10)"),
            ("-80".into(), HostPort::Random, "not a number"),
            ("80-".into(), HostPort::Random, "not a number"),
            ("1-2-3".into(), HostPort::Random, "not a number"),
            (" 80".into(), HostPort::Random, "not a number"),
            ("+80".into(), HostPort::Random, "not a number"),
            ("８０".into(), HostPort::Random, "not a number"),
            (80.into(), "abc".into(), r#"host port "abc" is not a port number"#),
            (80.into(), "70000".into(), "out of range"),
            (80.into(), "10-5".into(), "ends (5) before it starts (10)"),
            (80.into(), "1-2-3".into(), "not a number"),
            (80.into(), "-1".into(), "not a number"),
            (80.into(), "+80".into(), "not a number"),
            (80.into(), "80 ".into(), "not a number"),
            (80.into(), "127.0.0.1:80".into(), "not a number"),
            (
                80.into(),
                ("localhost", 80).into(),
                r#"host address "localhost" is not an IP address"#,
            ),
            (80.into(), ("300.1.1.1", 80).into(), "not an IP address"),
            (80.into(), ("fe80::1%eth0", 80).into(), "not an IP address"),
            (80.into(), ("[::1", 80).into(), "unbalanced bracket"),
            (80.into(), ("::1]", 80).into(), "unbalanced bracket"),
            (80.into(), ("[]", 80).into(), "not an IP address"),
            (80.into(), ("127.0.0.1", "x").into(), "not a port number"),
            (
                "1000-1002".into(),
                8000.into(),
                "are 3 ports but host ports \"8000\" are 1",
            ),
            (
                "2000-2002".into(),
                "1000-1010".into(),
                "are 3 ports but host ports \"1000-1010\" are 11",
            ),
            (
                "1000-1001".into(),
                ("127.0.0.1", "1000-1002").into(),
                "same length",
            ),
            (
                80.into(),
                HostPort::Many(vec![HostPort::Many(vec![8080.into()])]),
                "holds another list",
            ),
        ];
        for (container, host, needle) in cases {
            let case = format!("{container:?} => {host:?}");
            let result = port_bindings(&[(container, host)]);
            assert_invalid(&case, result, "ports", needle);
        }
    }

    #[test]
    fn exposed_ports_of_a_list() {
        let cases: Vec<(Vec<ContainerPort>, &[&str])> = vec![
            // docker-py's test_create_container_with_ports: [1111, (2222, 'udp'), (3333,)].
            (
                vec![1111.into(), (2222, "udp").into(), 3333.into()],
                &["1111/tcp", "2222/udp", "3333/tcp"],
            ),
            (vec!["1000-1001/udp".into()], &["1000/udp", "1001/udp"]),
            (vec![80.into(), "80/tcp".into()], &["80/tcp"]),
            (vec![], &[]),
        ];
        for (input, expected) in cases {
            assert_eq!(
                exposed_ports(&input).ok(),
                Some(expected.iter().map(|s| s.to_string()).collect())
            );
        }
        assert_invalid("x", exposed_ports(&["x".into()]), "ports", "not a port number");
        assert_invalid("0", exposed_ports(&[0.into()]), "ports", "is 0");
    }
}
