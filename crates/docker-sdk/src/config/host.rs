//! Where the engine listens: `DOCKER_HOST` and `base_url` strings.

use std::fmt;
use std::path::PathBuf;

use crate::error::{Error, Result};

/// The engine's socket when nothing else is said.
pub const DEFAULT_UNIX_SOCKET: &str = "/var/run/docker.sock";

/// The port of an engine on plain TCP when none is given.
pub const DEFAULT_TCP_PORT: u16 = 2375;

/// The port of an engine on TLS when none is given.
pub const DEFAULT_TLS_PORT: u16 = 2376;

/// An engine's address, parsed.
///
/// Strings are read as docker-py and the docker CLI read them:
///
/// | input | means |
/// |---|---|
/// | empty, `unix://` | [`DEFAULT_UNIX_SOCKET`] |
/// | `unix:///run/docker.sock`, `http+unix://…` | that socket |
/// | `tcp://10.0.0.2:2375`, `http://…` | plain TCP |
/// | `https://10.0.0.2` | TLS, port 2376 |
/// | `tcp://10.0.0.2` | port 2375 (2376 with TLS) |
/// | `tcp://:2375` | 127.0.0.1 |
/// | `10.0.0.2:2375`, `tcp://[::1]:2375` | TCP, IPv6 in brackets |
/// | `tcp://host:2375/proxy/` | TCP, requests under `/proxy` |
/// | `ssh://me@host:2222` | the engine of `host`, through `ssh` |
///
/// ```
/// use docker_sdk::DockerHost;
///
/// let host: DockerHost = "tcp://:2375".parse()?;
/// assert_eq!(host.to_string(), "tcp://127.0.0.1:2375");
/// # Ok::<(), docker_sdk::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DockerHost {
    /// A unix socket.
    Unix(PathBuf),
    /// TCP, plain or with TLS.
    Tcp {
        /// Host name or address (IPv6 without brackets).
        host: String,
        /// Port.
        port: u16,
        /// Whether TLS is spoken: an `https://` scheme, or TLS asked for
        /// when parsing (so `tcp://` with `DOCKER_TLS_VERIFY`).
        tls: bool,
        /// A path prefix for every request, without a trailing `/`.
        path: String,
    },
    /// An engine reached through `ssh … docker system dial-stdio`.
    Ssh {
        /// The login name, if given.
        user: Option<String>,
        /// The host.
        host: String,
        /// The port, if given (ssh's default otherwise).
        port: Option<u16>,
    },
}

impl Default for DockerHost {
    fn default() -> Self {
        DockerHost::Unix(PathBuf::from(DEFAULT_UNIX_SOCKET))
    }
}

impl std::str::FromStr for DockerHost {
    type Err = Error;

    fn from_str(address: &str) -> Result<Self> {
        parse(address, false)
    }
}

impl DockerHost {
    /// Parses `address`; `tls` says that TLS is wanted (so a missing TCP port
    /// is 2376, not 2375).
    ///
    /// # Errors
    ///
    /// [`Error::Config`] naming the address and what is wrong with it.
    pub fn parse(address: &str, tls: bool) -> Result<Self> {
        parse(address, tls)
    }

    /// Whether this address asks for TLS by its scheme (`https://`).
    pub fn wants_tls(&self) -> bool {
        matches!(self, DockerHost::Tcp { tls: true, .. })
    }
}

impl fmt::Display for DockerHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DockerHost::Unix(path) => write!(f, "unix://{}", path.display()),
            DockerHost::Tcp {
                host,
                port,
                tls,
                path,
            } => {
                let scheme = if *tls { "https" } else { "tcp" };
                if host.contains(':') {
                    write!(f, "{scheme}://[{host}]:{port}{path}")
                } else {
                    write!(f, "{scheme}://{host}:{port}{path}")
                }
            }
            DockerHost::Ssh { user, host, port } => {
                write!(f, "ssh://")?;
                if let Some(user) = user {
                    write!(f, "{user}@")?;
                }
                // An IPv6 address in brackets, or its last group would read
                // as the port.
                if host.contains(':') {
                    write!(f, "[{host}]")?;
                } else {
                    write!(f, "{host}")?;
                }
                if let Some(port) = port {
                    write!(f, ":{port}")?;
                }
                Ok(())
            }
        }
    }
}

fn invalid(address: &str, why: &str) -> Error {
    Error::config(format!("invalid Docker host {:?}: {why}", redact(address)))
}

/// The address with any password in it replaced, fit for a message.
fn redact(address: &str) -> String {
    // Wherever a `user:password@` stands (the address may have no scheme,
    // or a malformed one: `me:secret@host`, `1tcp://me:secret@host`), each
    // `/`-separated part hides what lies between its first `:` and its last `@`.
    address
        .split('/')
        .map(|part| match part.rsplit_once('@') {
            Some((userinfo, host)) => match userinfo.split_once(':') {
                Some((user, _)) => format!("{user}:***@{host}"),
                None => part.to_owned(),
            },
            None => part.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn parse(address: &str, tls: bool) -> Result<DockerHost> {
    let trimmed = address.trim();
    if trimmed.is_empty() || trimmed == "unix://" {
        return Ok(DockerHost::default());
    }
    let (scheme, rest) = match trimmed.split_once("://") {
        Some((scheme, rest))
            if !scheme.is_empty() && scheme.bytes().all(|b| b.is_ascii_alphabetic() || b == b'+') =>
        {
            (scheme.to_ascii_lowercase(), rest)
        }
        Some(_) => return Err(invalid(address, "the scheme may hold only letters and '+'")),
        // No scheme: `host:port` or `host`, as docker-py and the CLI take it.
        None => ("tcp".to_owned(), trimmed),
    };
    if rest.contains(['?', '#']) || rest.contains(';') {
        return Err(invalid(
            address,
            "an address takes no query, fragment or parameters",
        ));
    }
    match scheme.as_str() {
        // No path is the default socket, as `unix://` is.
        "unix" | "http+unix" if rest.is_empty() => Ok(DockerHost::default()),
        "unix" | "http+unix" => Ok(DockerHost::Unix(PathBuf::from(rest))),
        "tcp" => tcp(address, rest, tls),
        "http" => tcp(address, rest, false),
        "https" => tcp(address, rest, true),
        "ssh" => ssh(address, rest),
        "npipe" => Err(invalid(
            address,
            "npipe:// is a Windows named pipe, which this platform does not have",
        )),
        "fd" => Err(invalid(
            address,
            "fd:// is for a daemon started by systemd; a client cannot dial it",
        )),
        other => Err(invalid(
            address,
            &format!("unknown scheme {other:?}; use unix://, tcp://, http://, https:// or ssh://"),
        )),
    }
}

fn tcp(address: &str, rest: &str, tls: bool) -> Result<DockerHost> {
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    if authority.is_empty() {
        return Err(invalid(address, "no host and port"));
    }
    if authority.contains('@') {
        return Err(invalid(address, "a TCP address takes no user or password"));
    }
    let (host, port) = host_and_port(address, authority)?;
    let port = match port {
        Some(port) => port,
        None if tls => DEFAULT_TLS_PORT,
        None => DEFAULT_TCP_PORT,
    };
    let host = if host.is_empty() {
        "127.0.0.1".to_owned()
    } else {
        host
    };
    let path = path.trim_end_matches('/').to_owned();
    if path.contains(char::is_whitespace) {
        return Err(invalid(address, "the path contains spaces"));
    }
    Ok(DockerHost::Tcp {
        host,
        port,
        tls,
        path,
    })
}

fn ssh(address: &str, rest: &str) -> Result<DockerHost> {
    let authority = match rest.split_once('/') {
        Some((authority, "")) => authority,
        Some(_) => return Err(invalid(address, "an ssh:// address takes no path")),
        None => rest,
    };
    let (user, host_port) = match authority.rsplit_once('@') {
        Some((user, _)) if user.contains(':') => {
            return Err(invalid(
                address,
                "put no password in the address; ssh asks for it or uses a key",
            ));
        }
        Some(("", _)) => return Err(invalid(address, "an empty user name")),
        Some((user, host_port)) => (Some(user.to_owned()), host_port),
        None => (None, authority),
    };
    let (host, port) = host_and_port(address, host_port)?;
    if host.is_empty() {
        return Err(invalid(address, "no host"));
    }
    if host.starts_with('-') || user.as_deref().is_some_and(|u| u.starts_with('-')) {
        return Err(invalid(address, "a host or user may not start with '-'"));
    }
    Ok(DockerHost::Ssh { user, host, port })
}

/// `host`, `host:port`, `[v6]` or `[v6]:port`; the host may be empty.
fn host_and_port(address: &str, authority: &str) -> Result<(String, Option<u16>)> {
    let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        let (host, after) = bracketed
            .split_once(']')
            .ok_or_else(|| invalid(address, "an IPv6 address without its ']'"))?;
        if host.is_empty() || !host.contains(':') {
            return Err(invalid(address, "brackets hold an IPv6 address"));
        }
        match after {
            "" => (host, None),
            _ => match after.strip_prefix(':') {
                Some(port) => (host, Some(port)),
                None => return Err(invalid(address, "after ']' comes ':' and the port")),
            },
        }
    } else {
        match authority.matches(':').count() {
            0 => (authority, None),
            1 => authority
                .split_once(':')
                .map(|(h, p)| (h, Some(p)))
                .unwrap_or((authority, None)),
            _ => {
                return Err(invalid(
                    address,
                    "put an IPv6 address in brackets, as in tcp://[::1]:2375",
                ));
            }
        }
    };
    if host.contains(|c: char| c.is_whitespace() || c == '/') {
        return Err(invalid(address, "the host name contains spaces"));
    }
    let port = match port {
        None => None,
        // Digits only: `u16::from_str` would also take a sign ("+80").
        Some(port) => match port
            .parse::<u16>()
            .ok()
            .filter(|_| port.bytes().all(|b| b.is_ascii_digit()))
        {
            Some(0) | None => {
                return Err(invalid(address, &format!("{port:?} is not a port (1 to 65535)")));
            }
            Some(port) => Some(port),
        },
    };
    Ok((host.to_owned(), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tcp(host: &str, port: u16, tls: bool, path: &str) -> DockerHost {
        DockerHost::Tcp {
            host: host.into(),
            port,
            tls,
            path: path.into(),
        }
    }

    fn unix(path: &str) -> DockerHost {
        DockerHost::Unix(path.into())
    }

    /// docker-py's ParseHostTest cases (their meaning), plus the CLI's
    /// default ports, which this SDK keeps.
    #[test]
    fn parses_like_docker_py_and_the_cli() {
        let cases: Vec<(&str, bool, DockerHost)> = vec![
            ("", false, unix(DEFAULT_UNIX_SOCKET)),
            ("   ", false, unix(DEFAULT_UNIX_SOCKET)),
            ("unix://", false, unix(DEFAULT_UNIX_SOCKET)),
            // Found by fuzzing: this was an empty socket path.
            ("http+unix://", false, unix(DEFAULT_UNIX_SOCKET)),
            ("unix:///var/run/docker.sock", false, unix("/var/run/docker.sock")),
            ("unix://relative/docker.sock", false, unix("relative/docker.sock")),
            ("http+unix:///tmp/d.sock", false, unix("/tmp/d.sock")),
            ("unix:///tmp/with space.sock", false, unix("/tmp/with space.sock")),
            ("0.0.0.1:5555", false, tcp("0.0.0.1", 5555, false, "")),
            ("tcp://127.0.0.1:2375", false, tcp("127.0.0.1", 2375, false, "")),
            ("tcp://localhost", false, tcp("localhost", 2375, false, "")),
            ("tcp://localhost", true, tcp("localhost", 2376, true, "")),
            ("tcp://:7777", false, tcp("127.0.0.1", 7777, false, "")),
            ("tcp://:2375", false, tcp("127.0.0.1", 2375, false, "")),
            ("http://:7777", false, tcp("127.0.0.1", 7777, false, "")),
            ("https://kokia.jp:2375", false, tcp("kokia.jp", 2375, true, "")),
            ("https://kokia.jp", false, tcp("kokia.jp", 2376, true, "")),
            (
                "somehost.net:80/service/swarm",
                false,
                tcp("somehost.net", 80, false, "/service/swarm"),
            ),
            (
                "tcp://host:2375/proxy/",
                false,
                tcp("host", 2375, false, "/proxy"),
            ),
            ("[fd12::82d1]:2375", false, tcp("fd12::82d1", 2375, false, "")),
            (
                "tcp://[fd12::82d1]:2375/docker",
                false,
                tcp("fd12::82d1", 2375, false, "/docker"),
            ),
            ("tcp://[::1]:2375", false, tcp("::1", 2375, false, "")),
            ("https://[fd12::82d1]", false, tcp("fd12::82d1", 2376, true, "")),
            ("TCP://host:1", false, tcp("host", 1, false, "")),
            (" tcp://host:2375 ", false, tcp("host", 2375, false, "")),
            (
                "ssh://host",
                false,
                DockerHost::Ssh {
                    user: None,
                    host: "host".into(),
                    port: None,
                },
            ),
            (
                "ssh://me@host:2222",
                false,
                DockerHost::Ssh {
                    user: Some("me".into()),
                    host: "host".into(),
                    port: Some(2222),
                },
            ),
            (
                "ssh://me@host/",
                false,
                DockerHost::Ssh {
                    user: Some("me".into()),
                    host: "host".into(),
                    port: None,
                },
            ),
        ];
        for (input, tls, expected) in cases {
            assert_eq!(DockerHost::parse(input, tls).unwrap(), expected, "{input:?}");
        }
    }

    #[test]
    fn malformed_addresses_are_config_errors_naming_them() {
        let cases: &[(&str, &str)] = &[
            ("tcp://", "no host and port"),
            ("tcp:///path", "no host and port"),
            ("udp://127.0.0.1", "unknown scheme \"udp\""),
            ("foo+bar://x", "unknown scheme"),
            ("tcp-x://host:1", "scheme may hold only letters"),
            ("npipe:////./pipe/docker_engine", "Windows named pipe"),
            ("fd://", "systemd"),
            ("tcp://host:port", "\"port\" is not a port"),
            ("tcp://host:0", "\"0\" is not a port"),
            ("tcp://host:70000", "\"70000\" is not a port"),
            ("tcp://host:", "\"\" is not a port"),
            ("tcp://::1:2375", "brackets"),
            ("tcp://[::1:2375", "without its ']'"),
            ("tcp://[::1]x", "after ']'"),
            ("tcp://[]:1", "brackets hold an IPv6"),
            ("tcp://user:pw@host:2375", "no user or password"),
            ("tcp://host:2375?x=1", "no query"),
            ("tcp://host:2375#frag", "no query"),
            ("tcp://my host:2375", "spaces"),
            ("tcp://host:2375/my path", "spaces"),
            ("ssh://me:secret@host", "no password"),
            ("ssh://host/path", "no path"),
            ("ssh://@host", "empty user"),
            ("ssh://-oProxyCommand=x", "may not start with '-'"),
            ("ssh://", "no host"),
        ];
        for (input, expected) in cases {
            let error = DockerHost::parse(input, false).unwrap_err();
            let message = error.to_string();
            assert!(matches!(error, Error::Config { .. }), "{input:?}: {error:?}");
            assert!(message.contains(expected), "{input:?}: {message}");
            assert!(
                message.contains(&format!("{:?}", redact(input))),
                "{input:?}: {message}"
            );
            assert!(
                !message.contains("secret") && !message.contains(":pw@"),
                "{message}"
            );
        }
    }

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(redact("ssh://me:secret@host"), "ssh://me:***@host");
        assert_eq!(redact("tcp://u:p@h:1/x"), "tcp://u:***@h:1/x");
        assert_eq!(redact("tcp://h:1"), "tcp://h:1");
        // Found by fuzzing: without a scheme, or with a malformed one, the
        // password was shown.
        assert_eq!(redact("me:Pa55w0rd@a"), "me:***@a");
        assert_eq!(redact("me:Pa55w0rd@a://"), "me:***@a://");
        assert_eq!(redact("1tcp://me:Pa55w0rd@a"), "1tcp://me:***@a");
        assert_eq!(redact("tcp://me:p@ss@h/a@b"), "tcp://me:***@h/a@b");
        for address in ["me:Pa55w0rd@a", "me:Pa55w0rd@a://", "1tcp://me:Pa55w0rd@a"] {
            let error = parse(address, false).unwrap_err().to_string();
            assert!(!error.contains("Pa55w0rd"), "{error}");
        }
    }

    #[test]
    fn displays_canonically() {
        let cases: &[(&str, &str)] = &[
            ("", "unix:///var/run/docker.sock"),
            ("tcp://:2375", "tcp://127.0.0.1:2375"),
            ("https://h", "https://h:2376"),
            ("tcp://[::1]:2375/x/", "tcp://[::1]:2375/x"),
            ("ssh://me@h:22", "ssh://me@h:22"),
            // Found by fuzzing: an IPv6 host lost its brackets, and the
            // address shown did not parse.
            ("ssh://[::3ee]", "ssh://[::3ee]"),
            ("ssh://me@[::1]:22", "ssh://me@[::1]:22"),
        ];
        for (input, expected) in cases {
            let host = DockerHost::parse(input, false).unwrap();
            assert_eq!(host.to_string(), *expected);
            assert_eq!(
                DockerHost::parse(expected, false).unwrap(),
                host,
                "{expected} parses back"
            );
        }
    }
}
