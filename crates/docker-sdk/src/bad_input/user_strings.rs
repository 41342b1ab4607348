//! Strings a user types: ports, sizes, volumes, mounts, environment,
//! devices, policies, commands, image references and `DOCKER_HOST`.
//!
//! Values are rendered compactly: a port binding as `key>ip|port`, a list
//! as its items joined by `;`.

use std::time::Duration;

use super::Outcome as O;
use super::Report;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE;

use crate::auth::{AuthConfig, ConfigFile, encode_auth_header};
use crate::config::{DockerHost, EnvConfig, Environment};
use crate::convert::{
    self, ByteSize, Command, ContainerPort, Device, DeviceRate, EnvVar, ExtraHost, Healthcheck, HostPort,
    LogConfig, MountSpec, RestartPolicy, TmpfsMount, Ulimit, VolumeBind, VolumeSpec, WeightDevice,
};
use crate::error::{Error, Result};
use crate::reference::{
    ImageReference, normalise_registry, parse_repository_tag, registry_key, resolve_repository_name,
};
use crate::version::{ApiVersion, VersionChoice};

/// A conversion to run, for tables whose rows call different converters.
type Convert = Box<dyn Fn() -> Result<String>>;

fn render_ports(ports: &[(ContainerPort, HostPort)]) -> Result<String> {
    let converted = convert::port_bindings(ports)?;
    Ok(converted
        .exposed_ports
        .iter()
        .map(|key| {
            let bound = converted
                .bindings
                .get(key)
                .cloned()
                .flatten()
                .unwrap_or_default()
                .into_iter()
                .map(|b| {
                    format!(
                        "{}|{}",
                        b.host_ip.unwrap_or_default(),
                        b.host_port.unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>();
            format!("{key}>{}", bound.join(","))
        })
        .collect::<Vec<_>>()
        .join(" "))
}

fn port_cases() -> Vec<(ContainerPort, HostPort, O)> {
    use HostPort::Random;
    let many = |hosts: Vec<HostPort>| HostPort::Many(hosts);
    vec![
        ("80".into(), Random, O::Ok("80/tcp>|")),
        ("80/udp".into(), 8080.into(), O::Ok("80/udp>|8080")),
        ("80/SCTP".into(), Random, O::Ok("80/sctp>|")),
        ("80/Tcp".into(), Random, O::Ok("80/tcp>|")),
        ("1-3".into(), Random, O::Ok("1/tcp>| 2/tcp>| 3/tcp>|")),
        ("1".into(), Random, O::Ok("1/tcp>|")),
        ("65535/udp".into(), Random, O::Ok("65535/udp>|")),
        ("0080".into(), 80.into(), O::Ok("80/tcp>|80")),
        (
            "8000-8001".into(),
            "9000-9001".into(),
            O::Ok("8000/tcp>|9000 8001/tcp>|9001"),
        ),
        (80.into(), ("::1", 80).into(), O::Ok("80/tcp>::1|80")),
        (80.into(), ("[::1]", 80).into(), O::Ok("80/tcp>::1|80")),
        (80.into(), ("[2001:db8::1]",).into(), O::Ok("80/tcp>2001:db8::1|")),
        (
            80.into(),
            ("::ffff:127.0.0.1", 80).into(),
            O::Ok("80/tcp>::ffff:127.0.0.1|80"),
        ),
        (80.into(), "0".into(), O::Ok("80/tcp>|0")),
        (80.into(), "00080".into(), O::Ok("80/tcp>|80")),
        (
            80.into(),
            ("127.0.0.1", "8000-8010").into(),
            O::Ok("80/tcp>127.0.0.1|8000-8010"),
        ),
        (
            "80-81".into(),
            ("10.0.0.1", "0").into(),
            O::Ok("80/tcp>10.0.0.1|0 81/tcp>10.0.0.1|0"),
        ),
        ("53/udp".into(), vec![53, 5353].into(), O::Ok("53/udp>|53,|5353")),
        (
            80.into(),
            many(vec![("127.0.0.1", 80).into(), ("::1", 80).into()]),
            O::Ok("80/tcp>127.0.0.1|80,::1|80"),
        ),
        (80.into(), ("", "").into(), O::Ok("80/tcp>|")),
        (80.into(), ("0.0.0.0",).into(), O::Ok("80/tcp>0.0.0.0|")),
        (80.into(), ("::",).into(), O::Ok("80/tcp>::|")),
        ("1000-1000".into(), "2000-2000".into(), O::Ok("1000/tcp>|2000")),
        (80.into(), "0-0".into(), O::Ok("80/tcp>|0")),
        ("80-81".into(), "0-0".into(), O::Ok("80/tcp>|0 81/tcp>|0")),
        (80.into(), ("",).into(), O::Ok("80/tcp>|")),
        (
            80.into(),
            many(vec![Random, 8080.into()]),
            O::Ok("80/tcp>|,|8080"),
        ),
        (
            "80-82/udp".into(),
            "8000-8002".into(),
            O::Ok("80/udp>|8000 81/udp>|8001 82/udp>|8002"),
        ),
        // The container side.
        (
            "abc".into(),
            Random,
            O::Invalid("ports", r#"container port "abc" is not a port number"#),
        ),
        (
            "70000".into(),
            Random,
            O::Invalid("ports", "70000 is more than 65535"),
        ),
        (
            "65536/udp".into(),
            Random,
            O::Invalid("ports", "65536 is more than 65535"),
        ),
        (
            "99999999999999999999".into(),
            Random,
            O::Invalid("ports", "is out of range"),
        ),
        ("1-2:3".into(), Random, O::Invalid("ports", "has a host part")),
        (":80".into(), Random, O::Invalid("ports", "has a host part")),
        (
            "[::1]:80:80".into(),
            Random,
            O::Invalid("ports", "has a host part"),
        ),
        (
            "80/tcp ".into(),
            Random,
            O::Invalid("ports", r#"unknown protocol "tcp ""#),
        ),
        (
            "80/icmp".into(),
            Random,
            O::Invalid("ports", r#"unknown protocol "icmp""#),
        ),
        (
            "80//tcp".into(),
            Random,
            O::Invalid("ports", r#"unknown protocol "/tcp""#),
        ),
        ("80/".into(), Random, O::Invalid("ports", "empty protocol")),
        ("/udp".into(), Random, O::Invalid("ports", "has no port number")),
        ("".into(), Random, O::Invalid("ports", "has no port number")),
        ("0".into(), Random, O::Invalid("ports", "is 0")),
        ("00".into(), Random, O::Invalid("ports", "is 0")),
        ("0-0".into(), Random, O::Invalid("ports", "is 0")),
        (
            "5-1".into(),
            Random,
            O::Invalid("ports", "ends (1) before it starts (5)"),
        ),
        (
            "1--2".into(),
            Random,
            O::Invalid("ports", r#""-2" is not a number"#),
        ),
        ("1-".into(), Random, O::Invalid("ports", r#""" is not a number"#)),
        ("-".into(), Random, O::Invalid("ports", "not a number")),
        (
            "8O".into(),
            Random,
            O::Invalid("ports", r#""8O" is not a number"#),
        ),
        ("80\n".into(), Random, O::Invalid("ports", "not a number")),
        ("٨٠".into(), Random, O::Invalid("ports", "not a number")),
        ("1.5".into(), Random, O::Invalid("ports", "not a number")),
        ("0x50".into(), Random, O::Invalid("ports", "not a number")),
        (
            "1-65536".into(),
            Random,
            O::Invalid("ports", "65536 is more than 65535"),
        ),
        // The host side.
        (
            80.into(),
            "abc".into(),
            O::Invalid("ports", r#"host port "abc" is not a port number"#),
        ),
        (
            80.into(),
            "70000".into(),
            O::Invalid("ports", "70000 is more than 65535"),
        ),
        (
            80.into(),
            "9-8".into(),
            O::Invalid("ports", "ends (8) before it starts (9)"),
        ),
        (80.into(), " 80".into(), O::Invalid("ports", "not a number")),
        (80.into(), "80/tcp".into(), O::Invalid("ports", "not a number")),
        (80.into(), ":80".into(), O::Invalid("ports", "not a number")),
        (
            80.into(),
            ("127.0.0.1", "-").into(),
            O::Invalid("ports", "not a number"),
        ),
        (
            80.into(),
            ("localhost",).into(),
            O::Invalid("ports", r#"host address "localhost" is not an IP address"#),
        ),
        (
            80.into(),
            ("1.2.3", 80).into(),
            O::Invalid("ports", "is not an IP address"),
        ),
        (
            80.into(),
            ("256.0.0.1", 80).into(),
            O::Invalid("ports", "is not an IP address"),
        ),
        (
            80.into(),
            (" 127.0.0.1", 80).into(),
            O::Invalid("ports", "is not an IP address"),
        ),
        (
            80.into(),
            ("127.0.0.1:80", 80).into(),
            O::Invalid("ports", "is not an IP address"),
        ),
        (
            80.into(),
            ("[127.0.0.1]", 80).into(),
            O::Ok("80/tcp>127.0.0.1|80"),
        ),
        (
            80.into(),
            ("[::1", 80).into(),
            O::Invalid("ports", "unbalanced bracket"),
        ),
        (
            80.into(),
            ("::1]", 80).into(),
            O::Invalid("ports", "unbalanced bracket"),
        ),
        (
            80.into(),
            ("[", 80).into(),
            O::Invalid("ports", "unbalanced bracket"),
        ),
        (
            80.into(),
            ("]", 80).into(),
            O::Invalid("ports", "unbalanced bracket"),
        ),
        (
            80.into(),
            ("[[::1]]", 80).into(),
            O::Invalid("ports", "is not an IP address"),
        ),
        (
            80.into(),
            (":::1", 80).into(),
            O::Invalid("ports", "is not an IP address"),
        ),
        (
            80.into(),
            ("[::1]:80",).into(),
            O::Invalid("ports", "unbalanced bracket"),
        ),
        // Ranges of unequal length.
        (
            "1000-1002".into(),
            8000.into(),
            O::Invalid("ports", r#"are 3 ports but host ports "8000" are 1"#),
        ),
        (
            "1000-1001".into(),
            "8000-8002".into(),
            O::Invalid("ports", "same length"),
        ),
        (
            "1-2".into(),
            ("::1", "3-3").into(),
            O::Invalid("ports", r#"host ports "3" are 1"#),
        ),
        (
            "1-2".into(),
            many(vec!["3-4".into(), "5".into()]),
            O::Invalid("ports", "same length"),
        ),
        (
            80.into(),
            many(vec![many(vec![])]),
            O::Invalid("ports", "holds another list"),
        ),
    ]
}

fn run_ports(report: &mut Report) {
    for (index, (container, host, want)) in port_cases().into_iter().enumerate() {
        let input = (container.clone(), host.clone());
        report.run(index, &input, want, || render_ports(&[(container, host)]));
    }
}

fn byte_cases() -> Vec<(ByteSize, O)> {
    vec![
        ("".into(), O::Ok("0")),
        ("0".into(), O::Ok("0")),
        ("1".into(), O::Ok("1")),
        ("1b".into(), O::Ok("1")),
        ("1B".into(), O::Ok("1")),
        ("1k".into(), O::Ok("1024")),
        ("1K".into(), O::Ok("1024")),
        ("1kb".into(), O::Ok("1024")),
        ("1kB".into(), O::Ok("1024")),
        ("2m".into(), O::Ok("2097152")),
        ("128MB".into(), O::Ok("134217728")),
        ("1g".into(), O::Ok("1073741824")),
        ("1Gb".into(), O::Ok("1073741824")),
        ("007".into(), O::Ok("7")),
        ("9223372036854775807".into(), O::Ok("9223372036854775807")),
        ("9007199254740991k".into(), O::Ok("9223372036854774784")),
        ("8589934591g".into(), O::Ok("9223372035781033984")),
        (ByteSize::Bytes(0), O::Ok("0")),
        (ByteSize::Bytes(i64::MAX), O::Ok("9223372036854775807")),
        (
            "12x".into(),
            O::Invalid(
                "mem_limit",
                r#""12x" has unknown unit "x"; use a number of bytes"#,
            ),
        ),
        ("1t".into(), O::Invalid("mem_limit", r#"unknown unit "t""#)),
        ("1tb".into(), O::Invalid("mem_limit", r#"unknown unit "tb""#)),
        ("1mib".into(), O::Invalid("mem_limit", r#"unknown unit "mib""#)),
        ("1e".into(), O::Invalid("mem_limit", r#"unknown unit "e""#)),
        ("1e9".into(), O::Invalid("mem_limit", "not a whole number")),
        (
            "1.5.5g".into(),
            O::Invalid("mem_limit", r#"not a whole number of bytes or units ("1.5.5")"#),
        ),
        ("1.5g".into(), O::Invalid("mem_limit", "not a whole number")),
        ("0.5".into(), O::Invalid("mem_limit", "not a whole number")),
        (".5k".into(), O::Invalid("mem_limit", "not a whole number")),
        ("1,024".into(), O::Invalid("mem_limit", "not a whole number")),
        ("1 k".into(), O::Invalid("mem_limit", "not a whole number")),
        (" ".into(), O::Invalid("mem_limit", "not a whole number")),
        ("\t1m".into(), O::Invalid("mem_limit", "not a whole number")),
        ("1m\n".into(), O::Invalid("mem_limit", "not a whole number")),
        ("0x10".into(), O::Invalid("mem_limit", "not a whole number")),
        ("1k1".into(), O::Invalid("mem_limit", "not a whole number")),
        ("k".into(), O::Invalid("mem_limit", "no number before its unit")),
        ("KB".into(), O::Invalid("mem_limit", "no number before its unit")),
        ("-1".into(), O::Invalid("mem_limit", "is negative")),
        ("-512m".into(), O::Invalid("mem_limit", "is negative")),
        ("--1".into(), O::Invalid("mem_limit", "not a whole number")),
        ("+1".into(), O::Invalid("mem_limit", "not a whole number")),
        ("١".into(), O::Invalid("mem_limit", "not a whole number")),
        ("½g".into(), O::Invalid("mem_limit", "not a whole number")),
        (
            "9223372036854775808".into(),
            O::Invalid("mem_limit", "is too large: at most 9223372036854775807 bytes"),
        ),
        (
            "9007199254740992k".into(),
            O::Invalid("mem_limit", "is too large"),
        ),
        ("8589934592g".into(), O::Invalid("mem_limit", "is too large")),
        (
            "18446744073709551616".into(),
            O::Invalid("mem_limit", "is too large"),
        ),
        (ByteSize::Bytes(-1), O::Invalid("mem_limit", "-1 is negative")),
        (
            ByteSize::Bytes(i64::MIN),
            O::Invalid("mem_limit", "-9223372036854775808 is negative"),
        ),
    ]
}

/// `memswap_limit`: -1 is no limit, any other negative size is refused.
fn swap_cases() -> Vec<(ByteSize, O)> {
    vec![
        ("-1".into(), O::Ok("-1")),
        (ByteSize::Bytes(-1), O::Ok("-1")),
        ("1g".into(), O::Ok("1073741824")),
        ("".into(), O::Ok("0")),
        ("-2".into(), O::Invalid("memswap_limit", "is negative")),
        (
            ByteSize::Bytes(-2),
            O::Invalid(
                "memswap_limit",
                "-2 is negative; use a number of bytes or a number followed by b, k, m or g, or -1 for no limit",
            ),
        ),
        ("-1m".into(), O::Invalid("memswap_limit", "is negative")),
        ("-1 ".into(), O::Invalid("memswap_limit", "not a whole number")),
    ]
}

fn render_volumes(volumes: &[VolumeSpec]) -> Result<String> {
    let converted = convert::volume_binds(volumes)?;
    Ok(format!(
        "{} => {}",
        converted.binds.join(";"),
        converted.container_paths.join(";")
    ))
}

fn volume_cases() -> Vec<(VolumeSpec, O)> {
    let bind = |source: &str, bind: VolumeBind| VolumeSpec::from((source, bind));
    vec![
        ("/data".into(), O::Ok("/data => /data")),
        ("/host:/data".into(), O::Ok("/host:/data => /data")),
        ("/host:/data:ro".into(), O::Ok("/host:/data:ro => /data")),
        ("vol:/data:rw".into(), O::Ok("vol:/data:rw => /data")),
        ("vol:/data:ro,z".into(), O::Ok("vol:/data:ro,z => /data")),
        ("/h:/c:Z".into(), O::Ok("/h:/c:Z => /c")),
        ("/h:/c:nocopy".into(), O::Ok("/h:/c:nocopy => /c")),
        ("/h:/c:ro,rslave".into(), O::Ok("/h:/c:ro,rslave => /c")),
        ("/h:/c:cached".into(), O::Ok("/h:/c:cached => /c")),
        (
            "/with space:/in container".into(),
            O::Ok("/with space:/in container => /in container"),
        ),
        (r"C:\data:/data".into(), O::Ok(r"C:\data:/data => /data")),
        (
            r"C:\data:D:\data:ro".into(),
            O::Ok(r"C:\data:D:\data:ro => D:\data"),
        ),
        (
            r"\\.\pipe\docker_engine:\\.\pipe\docker_engine".into(),
            O::Ok(r"\\.\pipe\docker_engine:\\.\pipe\docker_engine => \\.\pipe\docker_engine"),
        ),
        ("".into(), O::Invalid("volumes", "has an empty part")),
        (":".into(), O::Invalid("volumes", "has an empty part")),
        ("/h:".into(), O::Invalid("volumes", "has an empty part")),
        (":/c".into(), O::Invalid("volumes", "has an empty part")),
        ("/h:/c:".into(), O::Invalid("volumes", "has an empty part")),
        ("/h::/c".into(), O::Invalid("volumes", "has an empty part")),
        (
            "data".into(),
            O::Invalid("volumes", r#"container path "data" is not absolute"#),
        ),
        (
            "vol:data".into(),
            O::Invalid("volumes", r#"container path "data" is not absolute"#),
        ),
        ("/h:./c".into(), O::Invalid("volumes", "is not absolute")),
        ("/h:~/c".into(), O::Invalid("volumes", "is not absolute")),
        (
            "/h:/c:xx".into(),
            O::Invalid("volumes", r#"mode "xx" has unknown option "xx""#),
        ),
        ("/h:/c:RO".into(), O::Invalid("volumes", r#"unknown option "RO""#)),
        ("/h:/c:ro,".into(), O::Invalid("volumes", r#"unknown option """#)),
        (
            "/h:/c:ro rw".into(),
            O::Invalid("volumes", r#"unknown option "ro rw""#),
        ),
        (
            "/h:/c:ro,rw".into(),
            O::Invalid("volumes", "gives more than one rw or ro"),
        ),
        ("/h:/c:z,Z".into(), O::Invalid("volumes", "more than one z or Z")),
        (
            "/h:/c:shared,slave".into(),
            O::Invalid("volumes", "more than one propagation"),
        ),
        (
            "/h:/c:cached,delegated".into(),
            O::Invalid("volumes", "more than one consistent, cached or delegated"),
        ),
        (
            "/h:/c:nocopy,nocopy".into(),
            O::Invalid("volumes", "more than one nocopy"),
        ),
        ("/h:/c:ro:z".into(), O::Invalid("volumes", "has 4 parts")),
        ("/a:/b:/c:ro".into(), O::Invalid("volumes", "has 4 parts")),
        (
            "data:ro".into(),
            O::Invalid("volumes", r#"has a mode ("ro") but no host path or volume name"#),
        ),
        (
            "/c:rw".into(),
            O::Invalid("volumes", "no host path or volume name"),
        ),
        (bind("/h", VolumeBind::new("/c")), O::Ok("/h:/c:rw => /c")),
        (
            bind("/h", VolumeBind::new("/c").read_only(true)),
            O::Ok("/h:/c:ro => /c"),
        ),
        (
            bind("vol", VolumeBind::new("/c").propagation("rshared")),
            O::Ok("vol:/c:rw,rshared => /c"),
        ),
        (bind(r"C:\h", VolumeBind::new("/c")), O::Ok(r"C:\h:/c:rw => /c")),
        (
            bind("", VolumeBind::new("/c")),
            O::Invalid("volumes", "the host path or volume name is empty"),
        ),
        (
            bind("/h:x", VolumeBind::new("/c")),
            O::Invalid("volumes", "contains \":\" (only a Windows drive may)"),
        ),
        (
            bind("/h", VolumeBind::new("/c:ro")),
            O::Invalid("volumes", "give a mode with VolumeBind::mode"),
        ),
        (
            bind("/h", VolumeBind::new("c")),
            O::Invalid("volumes", "is not absolute"),
        ),
        (
            bind("/h", VolumeBind::new("")),
            O::Invalid("volumes", r#"container path "" is not absolute"#),
        ),
        (
            bind("/h", VolumeBind::new("/c").mode("rx")),
            O::Invalid("volumes", r#"unknown option "rx""#),
        ),
        (
            bind("/h", VolumeBind::new("/c").mode("")),
            O::Invalid("volumes", r#"unknown option """#),
        ),
        (
            bind("/h", VolumeBind::new("/c").propagation("bogus")),
            O::Invalid("volumes", r#"unknown propagation "bogus""#),
        ),
        (
            bind("/h", VolumeBind::new("/c").mode("ro,shared").propagation("slave")),
            O::Invalid("volumes", "more than one propagation"),
        ),
    ]
}

fn render_mount(text: &str) -> Result<String> {
    let spec = MountSpec::parse_mount_string(text)?;
    let mount = convert::mounts(&[spec])?.remove(0);
    Ok(format!(
        "{} {} {} {}",
        mount.type_.map(|t| t.to_string()).unwrap_or_default(),
        mount.source.unwrap_or_default(),
        mount.target.unwrap_or_default(),
        if mount.read_only == Some(true) { "ro" } else { "rw" }
    ))
}

fn mount_string_cases() -> Vec<(&'static str, O)> {
    vec![
        ("/data", O::Ok("volume  /data rw")),
        ("vol:/data", O::Ok("volume vol /data rw")),
        ("/host:/data", O::Ok("bind /host /data rw")),
        ("/host:/data:ro", O::Ok("bind /host /data ro")),
        ("vol:/data:rw", O::Ok("volume vol /data rw")),
        (r"C:\host:C:\data", O::Ok(r"bind C:\host C:\data rw")),
        ("", O::Invalid("mounts", "has an empty part")),
        ("vol:", O::Invalid("mounts", "has an empty part")),
        (":/data", O::Invalid("mounts", "has an empty part")),
        (
            "vol:/data:z",
            O::Invalid("mounts", "has a mode other than ro or rw"),
        ),
        (
            "vol:/data:RO",
            O::Invalid("mounts", "has a mode other than ro or rw"),
        ),
        ("ab:/b:ro:x", O::Invalid("mounts", "has more than 3 parts")),
        // A one-letter source before a path is a Windows drive.
        (
            "a:/b:ro:x",
            O::Invalid("mounts", "has a mode other than ro or rw"),
        ),
        (
            "data",
            O::Invalid("mounts", r#"container path "data" is not absolute"#),
        ),
        ("vol:data", O::Invalid("mounts", "is not absolute")),
    ]
}

fn environment_cases() -> Vec<(Vec<EnvVar>, O)> {
    vec![
        (vec!["A=1".into()], O::Ok("A=1")),
        (vec!["A".into()], O::Ok("A")),
        (vec!["A=".into()], O::Ok("A=")),
        (vec!["A==1".into()], O::Ok("A==1")),
        (vec!["A=1 2".into(), "B=ü".into()], O::Ok("A=1 2;B=ü")),
        (vec![("A", "1").into()], O::Ok("A=1")),
        (vec![("A", "").into()], O::Ok("A=")),
        (vec![("A", None::<&str>).into()], O::Ok("A")),
        (vec![("A", 3).into(), ("B", 4u16).into()], O::Ok("A=3;B=4")),
        (vec![("A", "x=y").into()], O::Ok("A=x=y")),
        (vec![("A", "line\nbreak").into()], O::Ok("A=line\nbreak")),
        (
            vec!["".into()],
            O::Invalid("environment", r#"entry "" has no variable name"#),
        ),
        (
            vec!["=1".into()],
            O::Invalid("environment", r#"entry "=1" has no variable name"#),
        ),
        (
            vec!["=".into()],
            O::Invalid("environment", "has no variable name"),
        ),
        (
            vec!["A=1".into(), "=x".into()],
            O::Invalid("environment", r#"entry "=x""#),
        ),
        (
            vec![("", "1").into()],
            O::Invalid("environment", "a variable has an empty name"),
        ),
        (
            vec![("", None::<&str>).into()],
            O::Invalid("environment", "empty name"),
        ),
        (
            vec![("A=B", "1").into()],
            O::Invalid("environment", r#"variable name "A=B" contains "=""#),
        ),
        (
            vec![("=", "1").into()],
            O::Invalid("environment", "contains \"=\""),
        ),
    ]
}

fn extra_host_cases() -> Vec<(Vec<ExtraHost>, O)> {
    vec![
        (vec!["web:10.0.0.2".into()], O::Ok("web:10.0.0.2")),
        (vec!["web:::1".into()], O::Ok("web:::1")),
        (vec!["web:[::1]".into()], O::Ok("web:[::1]")),
        (vec!["web:host-gateway".into()], O::Ok("web:host-gateway")),
        (
            vec![("b", "10.0.0.2").into(), ("a", "::1").into()],
            O::Ok("a:::1;b:10.0.0.2"),
        ),
        (
            vec!["web".into()],
            O::Invalid("extra_hosts", r#"entry "web" is not "host:ip""#),
        ),
        (
            vec!["web=10.0.0.2".into()],
            O::Invalid("extra_hosts", r#"is not "host:ip""#),
        ),
        (
            vec!["web:".into()],
            O::Invalid("extra_hosts", "the address is empty"),
        ),
        (
            vec![":10.0.0.2".into()],
            O::Invalid("extra_hosts", "the host name is empty"),
        ),
        (
            vec!["web:example.com".into()],
            O::Invalid("extra_hosts", "is not an IP address"),
        ),
        (
            vec!["web:10.0.0.256".into()],
            O::Invalid("extra_hosts", "is not an IP address"),
        ),
        (
            vec!["web: 10.0.0.2".into()],
            O::Invalid("extra_hosts", "is not an IP address"),
        ),
        (
            vec!["my web:10.0.0.2".into()],
            O::Invalid("extra_hosts", "contains \":\" or a space"),
        ),
        (
            vec![("a:b", "10.0.0.2").into()],
            O::Invalid("extra_hosts", "contains \":\" or a space"),
        ),
        (
            vec![("web", "").into()],
            O::Invalid("extra_hosts", "the address is empty"),
        ),
        (
            vec![("web", "[::1").into()],
            O::Invalid("extra_hosts", "is not an IP address"),
        ),
    ]
}

fn small_map_cases() -> Vec<(&'static str, Convert, O)> {
    fn sorted(map: std::collections::HashMap<String, String>) -> String {
        let mut pairs: Vec<String> = map.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
        pairs.sort();
        pairs.join(";")
    }
    let labels =
        |labels: Vec<convert::Label>| -> Convert { Box::new(move || convert::labels(&labels).map(sorted)) };
    let sysctls = |sysctls: Vec<convert::Sysctl>| -> Convert {
        Box::new(move || convert::sysctls(&sysctls).map(sorted))
    };
    let tmpfs =
        |mounts: Vec<TmpfsMount>| -> Convert { Box::new(move || convert::tmpfs(&mounts).map(sorted)) };
    vec![
        ("label key", labels(vec!["a".into()]), O::Ok("a=")),
        (
            "label pair",
            labels(vec![("a", "1").into(), ("a", "2").into()]),
            O::Ok("a=2"),
        ),
        (
            "label empty key",
            labels(vec!["".into()]),
            O::Invalid("labels", "a label has an empty key"),
        ),
        (
            "label empty pair",
            labels(vec![("", "v").into()]),
            O::Invalid("labels", r#"empty key (value "v")"#),
        ),
        (
            "sysctl",
            sysctls(vec![("net.core.somaxconn", 1024).into()]),
            O::Ok("net.core.somaxconn=1024"),
        ),
        (
            "sysctl empty",
            sysctls(vec![("", "1").into()]),
            O::Invalid("sysctls", r#"name "" is empty or has spaces"#),
        ),
        (
            "sysctl space",
            sysctls(vec![("net.core somaxconn", "1").into()]),
            O::Invalid("sysctls", "is empty or has spaces"),
        ),
        ("tmpfs path", tmpfs(vec!["/run".into()]), O::Ok("/run=")),
        (
            "tmpfs options",
            tmpfs(vec!["/run:rw,size=64m".into()]),
            O::Ok("/run=rw,size=64m"),
        ),
        (
            "tmpfs pair",
            tmpfs(vec![("/run", "noexec").into()]),
            O::Ok("/run=noexec"),
        ),
        (
            "tmpfs relative",
            tmpfs(vec!["run".into()]),
            O::Invalid("tmpfs", r#"path "run" is not an absolute path"#),
        ),
        (
            "tmpfs empty",
            tmpfs(vec!["".into()]),
            O::Invalid("tmpfs", r#"path """#),
        ),
        (
            "tmpfs colon",
            tmpfs(vec![":size=1m".into()]),
            O::Invalid("tmpfs", "is not an absolute path"),
        ),
    ]
}

fn device_cases() -> Vec<(Device, O)> {
    vec![
        ("/dev/sda".into(), O::Ok("/dev/sda:/dev/sda:rwm")),
        ("/dev/sda:/dev/xvda".into(), O::Ok("/dev/sda:/dev/xvda:rwm")),
        ("/dev/sda:/dev/xvda:r".into(), O::Ok("/dev/sda:/dev/xvda:r")),
        ("/dev/sda:/dev/xvda:mwr".into(), O::Ok("/dev/sda:/dev/xvda:mwr")),
        ("".into(), O::Invalid("devices", "the host path is empty")),
        (
            ":/dev/xvda".into(),
            O::Invalid("devices", "the host path is empty"),
        ),
        (
            "/dev/sda:".into(),
            O::Invalid("devices", "the container path is empty"),
        ),
        (
            "/dev/sda:/dev/xvda:".into(),
            O::Invalid("devices", "the permissions are not some of r, w and m"),
        ),
        (
            "/dev/sda:/dev/xvda:rwx".into(),
            O::Invalid("devices", "the permissions are not some of r, w and m"),
        ),
        (
            "/dev/sda:/dev/xvda:rr".into(),
            O::Invalid("devices", "each at most once"),
        ),
        (
            "/dev/sda:/dev/xvda:RWM".into(),
            O::Invalid("devices", "not some of r, w and m"),
        ),
        ("/a:/b:rw:x".into(), O::Invalid("devices", "has 4 parts")),
        (
            Device::new("/dev/sda", "/dev/xvda", "rw"),
            O::Ok("/dev/sda:/dev/xvda:rw"),
        ),
        (
            Device::new("", "/dev/xvda", "rw"),
            O::Invalid("devices", "the host path is empty"),
        ),
        (
            Device::new("/dev/sda", "/dev/xvda", ""),
            O::Invalid("devices", "not some of r, w and m"),
        ),
    ]
}

fn cgroup_rule_cases() -> Vec<(&'static str, O)> {
    vec![
        ("c 1:3 mr", O::Ok("c 1:3 mr")),
        ("a *:* rwm", O::Ok("a *:* rwm")),
        ("b 8:* r", O::Ok("b 8:* r")),
        (
            "",
            O::Invalid(
                "device_cgroup_rules",
                r#""" is not "type major:minor permissions""#,
            ),
        ),
        (
            "c 1:3",
            O::Invalid("device_cgroup_rules", "is not \"type major:minor permissions\""),
        ),
        (
            "x 1:3 r",
            O::Invalid("device_cgroup_rules", "use a type of a, b or c"),
        ),
        ("c 1 r", O::Invalid("device_cgroup_rules", "is not")),
        ("c a:3 r", O::Invalid("device_cgroup_rules", "is not")),
        ("c 1:3 rwmr", O::Invalid("device_cgroup_rules", "is not")),
        ("c 1:3 x", O::Invalid("device_cgroup_rules", "is not")),
        ("c  1:3 r", O::Invalid("device_cgroup_rules", "is not")),
        ("c 1:3 r ", O::Invalid("device_cgroup_rules", "is not")),
        ("c -1:3 r", O::Invalid("device_cgroup_rules", "is not")),
    ]
}

fn restart_policy_cases() -> Vec<(&'static str, O)> {
    vec![
        ("no", O::Ok("no")),
        ("", O::Ok("no")),
        ("always", O::Ok("always")),
        ("unless-stopped", O::Ok("unless-stopped")),
        ("on-failure", O::Ok("on-failure")),
        ("on-failure:5", O::Ok("on-failure:5")),
        ("on-failure:0", O::Ok("on-failure")),
        ("on-failure:4294967295", O::Ok("on-failure:4294967295")),
        (
            "on-failure:4294967296",
            O::Invalid(
                "restart_policy",
                "maximum retry count 4294967296 is not between 0 and 4294967295",
            ),
        ),
        (
            "on-failure:99999999999999999999",
            O::Invalid("restart_policy", "is not between 0 and 4294967295"),
        ),
        (
            "on-failure:-1",
            O::Invalid("restart_policy", "has a maximum retry count that is not a number"),
        ),
        ("on-failure:", O::Invalid("restart_policy", "not a number")),
        ("on-failure:x", O::Invalid("restart_policy", "not a number")),
        ("on-failure:1:2", O::Invalid("restart_policy", "not a number")),
        (
            "always:3",
            O::Invalid("restart_policy", r#"only goes with "on-failure", not "always""#),
        ),
        (
            "no:1",
            O::Invalid("restart_policy", "only goes with \"on-failure\""),
        ),
        (
            "Always",
            O::Invalid("restart_policy", r#"unknown policy "Always""#),
        ),
        (
            "on_failure",
            O::Invalid("restart_policy", r#"unknown policy "on_failure""#),
        ),
        (
            "sometimes:3",
            O::Invalid("restart_policy", r#"unknown policy "sometimes""#),
        ),
        (" always", O::Invalid("restart_policy", "unknown policy")),
    ]
}

fn ulimit_cases() -> Vec<(&'static str, O)> {
    vec![
        ("nofile=1024", O::Ok("nofile 1024 1024")),
        ("nofile=1024:2048", O::Ok("nofile 1024 2048")),
        ("core=-1", O::Ok("core -1 -1")),
        ("memlock=1:-1", O::Ok("memlock 1 -1")),
        (
            "nofile",
            O::Invalid("ulimits", r#""nofile" is not "name=soft[:hard]""#),
        ),
        ("nofile=", O::Invalid("ulimits", "is not \"name=soft[:hard]\"")),
        ("nofile=1024:", O::Invalid("ulimits", "is not")),
        ("nofile=:1024", O::Invalid("ulimits", "is not")),
        ("nofile=1k", O::Invalid("ulimits", "is not")),
        ("nofile=1:2:3", O::Invalid("ulimits", "is not")),
        ("=1024", O::Invalid("ulimits", r#""": unknown name"#)),
        (
            "files=1024",
            O::Invalid("ulimits", r#""files": unknown name; use one of core"#),
        ),
        ("NOFILE=1", O::Invalid("ulimits", "unknown name")),
        (
            "nofile=2048:1024",
            O::Invalid("ulimits", "soft limit 2048 is above hard limit 1024"),
        ),
        (
            "nofile=-1:1024",
            O::Invalid("ulimits", "soft limit -1 is above hard limit 1024"),
        ),
        ("nofile=-2", O::Invalid("ulimits", "are negative")),
    ]
}

fn log_config_cases() -> Vec<(LogConfig, O)> {
    vec![
        ("json-file".into(), O::Ok("json-file")),
        ("loki".into(), O::Ok("loki")),
        (
            "".into(),
            O::Invalid("log_config", r#"log driver "" is not a driver name"#),
        ),
        (
            "json file".into(),
            O::Invalid("log_config", "is not a driver name"),
        ),
        (
            "json-file\n".into(),
            O::Invalid("log_config", "is not a driver name"),
        ),
        (
            LogConfig::new("local").config("", "1"),
            O::Invalid("log_config", r#"an option has an empty key (value "1")"#),
        ),
    ]
}

fn command_cases() -> Vec<(&'static str, O)> {
    vec![
        ("", O::Ok("[]")),
        ("   ", O::Ok("[]")),
        ("echo hi", O::Ok(r#"["echo", "hi"]"#)),
        ("sh -c 'echo $HOME'", O::Ok(r#"["sh", "-c", "echo $HOME"]"#)),
        (r#"echo "a \"b\" c""#, O::Ok(r#"["echo", "a \"b\" c"]"#)),
        (r#"echo "a\nb""#, O::Ok(r#"["echo", "a\\nb"]"#)),
        (r"echo a\ b", O::Ok(r#"["echo", "a b"]"#)),
        ("echo '' x", O::Ok(r#"["echo", "", "x"]"#)),
        (
            "echo # not a comment",
            O::Ok(r##"["echo", "#", "not", "a", "comment"]"##),
        ),
        ("a\tb\nc\rd", O::Ok(r#"["a", "b", "c", "d"]"#)),
        ("a\\\nb", O::Ok(r#"["a\nb"]"#)),
        ("'a'\"b\"c", O::Ok(r#"["abc"]"#)),
        ("\"\"", O::Ok(r#"[""]"#)),
        ("'\\'", O::Ok(r#"["\\"]"#)),
        (
            "echo 'unclosed",
            O::Invalid("command", r#""echo 'unclosed" has no closing quotation"#),
        ),
        (
            r#"echo "unclosed"#,
            O::Invalid("command", "has no closing quotation"),
        ),
        (
            r#"echo "ends in \"#,
            O::Invalid("command", "has no closing quotation"),
        ),
        (r"echo \", O::Invalid("command", "ends with a lone backslash")),
        (
            "'",
            O::Invalid(
                "command",
                "has no closing quotation; close every quote, or pass the arguments as a list",
            ),
        ),
    ]
}

fn healthcheck_cases() -> Vec<(Healthcheck, O)> {
    let args = |args: &[&str]| Healthcheck::new(args.to_vec());
    vec![
        (
            "curl -f localhost".into(),
            O::Ok(r#"["CMD-SHELL", "curl -f localhost"]"#),
        ),
        (args(&[]), O::Ok("[]")),
        (args(&["NONE"]), O::Ok(r#"["NONE"]"#)),
        (args(&["CMD", "true"]), O::Ok(r#"["CMD", "true"]"#)),
        ("".into(), O::Invalid("healthcheck", "test is an empty command")),
        (
            args(&["NONE", "x"]),
            O::Invalid("healthcheck", r#"has arguments after "NONE""#),
        ),
        (
            args(&["CMD"]),
            O::Invalid("healthcheck", r#"has no program after "CMD""#),
        ),
        (
            args(&["CMD-SHELL"]),
            O::Invalid("healthcheck", r#"needs exactly one command after "CMD-SHELL""#),
        ),
        (
            args(&["CMD-SHELL", "a", "b"]),
            O::Invalid("healthcheck", "needs exactly one command"),
        ),
        (
            args(&["curl", "-f"]),
            O::Invalid(
                "healthcheck",
                r#"does not start with "NONE", "CMD" or "CMD-SHELL""#,
            ),
        ),
        (
            args(&["cmd", "true"]),
            O::Invalid("healthcheck", "does not start with"),
        ),
        ("true".into(), O::Ok(r#"["CMD-SHELL", "true"]"#)),
        (
            Healthcheck::new("true").retries(-1),
            O::Invalid("healthcheck", "retries -1 is negative"),
        ),
        (
            Healthcheck::new("true").interval(Duration::from_micros(10)),
            O::Invalid("healthcheck", "interval 10µs is less than 1ms"),
        ),
        (
            Healthcheck::new("true").timeout(Duration::from_nanos(1)),
            O::Invalid("healthcheck", "timeout 1ns is less than 1ms"),
        ),
        (
            Healthcheck::new("true").start_period(Duration::MAX),
            O::Invalid("healthcheck", "start_period"),
        ),
    ]
}

fn render_reference(reference: &ImageReference) -> String {
    format!(
        "{}|{}|{}|{}",
        reference.registry(),
        reference.repository(),
        reference.tag().unwrap_or("-"),
        reference.digest().unwrap_or("-")
    )
}

const SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

fn reference_cases() -> Vec<(String, O)> {
    let digest = |name: &str, hex: &str| format!("{name}@sha256:{hex}");
    let mut cases: Vec<(String, O)> = [
        ("busybox", O::Ok("docker.io|busybox|-|-")),
        ("busybox:latest", O::Ok("docker.io|busybox|latest|-")),
        ("library/busybox", O::Ok("docker.io|library/busybox|-|-")),
        ("docker.io/busybox", O::Ok("docker.io|busybox|-|-")),
        ("index.docker.io/user/app:v1", O::Ok("docker.io|user/app|v1|-")),
        ("localhost/app", O::Ok("localhost|app|-|-")),
        ("localhost:5000/app:1.0", O::Ok("localhost:5000|app|1.0|-")),
        // A port without a path: the CLI reads it as a name and a tag.
        ("localhost:5000", O::Ok("docker.io|localhost|5000|-")),
        (
            "registry.example.com:443",
            O::Ok("docker.io|registry.example.com|443|-"),
        ),
        ("[::1]:5000/app", O::Ok("[::1]:5000|app|-|-")),
        ("[::1]/app", O::Ok("[::1]|app|-|-")),
        ("10.0.0.1:5000/a/b/c", O::Ok("10.0.0.1:5000|a/b/c|-|-")),
        ("Example.com/app", O::Ok("Example.com|app|-|-")),
        ("UPPER/app", O::Ok("UPPER|app|-|-")),
        ("a__b", O::Ok("docker.io|a__b|-|-")),
        ("a---b", O::Ok("docker.io|a---b|-|-")),
        ("a.b/c", O::Ok("a.b|c|-|-")),
        ("app:_tag", O::Ok("docker.io|app|_tag|-")),
        ("app:v1.0-rc_1", O::Ok("docker.io|app|v1.0-rc_1|-")),
        ("app:TAG", O::Ok("docker.io|app|TAG|-")),
        ("", O::Repository("the reference is empty")),
        (
            "Busybox",
            O::Repository(r#"repository name "Busybox" must be lowercase"#),
        ),
        ("user/App", O::Repository("must be lowercase")),
        ("localhost:5000/App", O::Repository("must be lowercase")),
        (
            "https://registry.example.com/app",
            O::Repository("cannot contain a scheme"),
        ),
        ("app:", O::Repository("the tag after ':' is empty")),
        ("app:.tag", O::Repository(r#"tag ".tag" may only hold letters"#)),
        ("app:-tag", O::Repository("cannot start with '.' or '-'")),
        (
            "app:ta/g",
            O::Repository(r#"registry "app:ta" is not a host name"#),
        ),
        ("app:t@g", O::Repository("digest")),
        (
            "app:tag:again",
            O::Repository(r#"path component "app:tag" must be"#),
        ),
        ("app:ünicode", O::Repository("may only hold letters")),
        ("/app", O::Repository("has an empty path component")),
        ("app/", O::Repository("has an empty path component")),
        ("a//b", O::Repository("has an empty path component")),
        (
            "a..b",
            O::Repository(r#"path component "a..b" must be lowercase letters and digits"#),
        ),
        ("a___b", O::Repository("path component")),
        ("-app", O::Repository("path component")),
        ("app-", O::Repository("path component")),
        ("a.-b", O::Repository("path component")),
        ("app name", O::Repository("path component")),
        ("app\n", O::Repository("path component")),
        (
            "-registry.com/app",
            O::Repository(r#"registry "-registry.com" is not a host name"#),
        ),
        ("registry.com-/app", O::Repository("is not a host name")),
        ("reg..com/app", O::Repository("is not a host name")),
        ("localhost:/app", O::Repository("is not a host name")),
        ("localhost:port/app", O::Repository("is not a host name")),
        ("localhost:50 00/app", O::Repository("is not a host name")),
        ("[::1/app", O::Repository(r#"registry "[::1" is not a host name"#)),
        ("[]:5000/app", O::Repository("is not a host name")),
        ("[::1]x/app", O::Repository("is not a host name")),
        ("[::g]/app", O::Repository("is not a host name")),
        ("app@", O::Repository(r#"digest "" is not algorithm:hex"#)),
        ("app@sha256", O::Repository("is not algorithm:hex")),
        ("app@sha256:", O::Repository("is not algorithm:hex")),
        (
            "app@md5:d41d8cd98f00b204e9800998ecf8427e",
            O::Repository(r#"digest algorithm "md5" is not supported"#),
        ),
        ("app@sha256:xyz", O::Repository("is not algorithm:hex")),
        ("localhost:5000/", O::Repository("the repository name is empty")),
        ("docker.io/", O::Repository("the repository name is empty")),
        (":tag", O::Repository("the repository name is empty")),
        ("@sha256:abc", O::Repository("the repository name is empty")),
        (
            "app@SHA256:e3b0c44298fc1c149afbf4c8996fb924",
            O::Repository(r#"digest algorithm "SHA256" is not supported"#),
        ),
        (
            "app@sha256:e3b0c44298fc1c149afbf4c8996fb924:tag",
            O::Repository("is not algorithm:hex"),
        ),
    ]
    .into_iter()
    .map(|(input, outcome)| (input.to_owned(), outcome))
    .collect();
    cases.extend([
        (
            digest("app", SHA256),
            O::Ok("docker.io|app|-|sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ),
        (
            format!("app:v1@sha256:{SHA256}"),
            O::Ok("docker.io|app|v1|sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ),
        (
            digest("app", &SHA256[..63]),
            O::Repository("a sha256 digest has 64 hexadecimal digits, not 63"),
        ),
        (
            digest("app", &format!("{SHA256}0")),
            O::Repository("has 64 hexadecimal digits, not 65"),
        ),
        (
            digest("app", &SHA256[..32]),
            O::Repository("has 64 hexadecimal digits, not 32"),
        ),
        (
            digest("app", &SHA256[..31]),
            O::Repository("is not algorithm:hex"),
        ),
        (
            digest("app", &SHA256.to_uppercase()),
            O::Repository("must be lowercase"),
        ),
        (
            digest("app", &SHA256.replace('e', "g")),
            O::Repository("is not algorithm:hex"),
        ),
        (
            format!("app@sha512:{SHA256}"),
            O::Repository("a sha512 digest has 128 hexadecimal digits, not 64"),
        ),
        (
            format!("app@sha256:{SHA256}@sha256:{SHA256}"),
            O::Repository("is not algorithm:hex"),
        ),
        (
            SHA256.to_owned(),
            O::Repository("is an image ID, not a repository name"),
        ),
        // Read as the CLI reads it: a repository `sha256` and a tag.
        (format!("sha256:{SHA256}"), O::Ok("")),
        ("a".repeat(247), O::Ok("")),
        (
            "a".repeat(248),
            O::Repository("repository name must not be more than 255 characters"),
        ),
        (format!("u/{}", "a".repeat(253)), O::Ok("")),
        (
            format!("u/{}", "a".repeat(254)),
            O::Repository("must not be more than 255 characters"),
        ),
        (format!("app:{}", "t".repeat(128)), O::Ok("")),
        (
            format!("app:{}", "t".repeat(129)),
            O::Repository("tag must not be more than 128 characters (it has 129)"),
        ),
    ]);
    cases
}

fn run_references(report: &mut Report) {
    for (index, (input, want)) in reference_cases().into_iter().enumerate() {
        // Long names are checked for acceptance, not rendered in full.
        let want_rendered = matches!(want, O::Ok(rendered) if !rendered.is_empty());
        let want = match want {
            O::Ok("") => O::Ok("accepted"),
            other => other,
        };
        report.run(index, &input, want, || {
            let reference = ImageReference::parse(&input)?;
            Ok(if want_rendered {
                render_reference(&reference)
            } else {
                "accepted".to_owned()
            })
        });
    }
}

fn docker_host_cases() -> Vec<(&'static str, O)> {
    vec![
        ("", O::Ok("unix:///var/run/docker.sock")),
        ("   ", O::Ok("unix:///var/run/docker.sock")),
        ("unix://", O::Ok("unix:///var/run/docker.sock")),
        ("unix:///run/docker.sock", O::Ok("unix:///run/docker.sock")),
        (
            "unix:///path with spaces/docker.sock",
            O::Ok("unix:///path with spaces/docker.sock"),
        ),
        ("http+unix:///run/docker.sock", O::Ok("unix:///run/docker.sock")),
        ("tcp://10.0.0.2:2375", O::Ok("tcp://10.0.0.2:2375")),
        ("tcp://10.0.0.2", O::Ok("tcp://10.0.0.2:2375")),
        ("TCP://10.0.0.2", O::Ok("tcp://10.0.0.2:2375")),
        ("10.0.0.2:2376", O::Ok("tcp://10.0.0.2:2376")),
        ("localhost", O::Ok("tcp://localhost:2375")),
        ("tcp://:2375", O::Ok("tcp://127.0.0.1:2375")),
        ("tcp://[::1]:2375", O::Ok("tcp://[::1]:2375")),
        ("tcp://[::1]", O::Ok("tcp://[::1]:2375")),
        ("https://[fe80::1]", O::Ok("https://[fe80::1]:2376")),
        ("http://host:80/", O::Ok("tcp://host:80")),
        ("tcp://host:2375/proxy/", O::Ok("tcp://host:2375/proxy")),
        ("ssh://me@host:2222", O::Ok("ssh://me@host:2222")),
        ("ssh://host/", O::Ok("ssh://host")),
        ("ssh://[::1]:22", O::Ok("ssh://[::1]:22")),
        (
            "tcp://",
            O::Config(r#"invalid Docker host "tcp://": no host and port"#),
        ),
        ("tcp://:", O::Config(r#""" is not a port (1 to 65535)"#)),
        ("tcp://host:", O::Config(r#""" is not a port"#)),
        ("tcp://host:0", O::Config(r#""0" is not a port"#)),
        ("tcp://host:65536", O::Config(r#""65536" is not a port"#)),
        ("tcp://host:-1", O::Config(r#""-1" is not a port"#)),
        ("tcp://host:+80", O::Config(r#""+80" is not a port"#)),
        ("tcp://host:2375 x", O::Config("is not a port")),
        ("tcp://host:port", O::Config(r#""port" is not a port"#)),
        (
            "tcp://::1:2375",
            O::Config("put an IPv6 address in brackets, as in tcp://[::1]:2375"),
        ),
        ("::1", O::Config("put an IPv6 address in brackets")),
        ("tcp://[::1:2375", O::Config("an IPv6 address without its ']'")),
        ("tcp://[::1]2375", O::Config("after ']' comes ':' and the port")),
        ("tcp://[]:2375", O::Config("brackets hold an IPv6 address")),
        ("tcp://[host]:2375", O::Config("brackets hold an IPv6 address")),
        ("tcp://my host:2375", O::Config("the host name contains spaces")),
        ("tcp://host:2375/my path", O::Config("the path contains spaces")),
        (
            "tcp://host:2375?tls=1",
            O::Config("an address takes no query, fragment or parameters"),
        ),
        ("tcp://host:2375;x", O::Config("no query, fragment or parameters")),
        (
            "tcp://user@host:2375",
            O::Config("a TCP address takes no user or password"),
        ),
        (
            "udp://host:2375",
            O::Config(r#"unknown scheme "udp"; use unix://, tcp://, http://, https:// or ssh://"#),
        ),
        ("ftp://host", O::Config(r#"unknown scheme "ftp""#)),
        ("://host", O::Config("the scheme may hold only letters and '+'")),
        ("tcp2://host", O::Config("the scheme may hold only letters")),
        ("npipe:////./pipe/docker_engine", O::Config("Windows named pipe")),
        ("fd://", O::Config("a client cannot dial it")),
        ("ssh://", O::Config("no host")),
        ("ssh://me@", O::Config("no host")),
        ("ssh://@host", O::Config("an empty user name")),
        ("ssh://host/path", O::Config("an ssh:// address takes no path")),
        (
            "ssh://-oProxyCommand=touch:22",
            O::Config("may not start with '-'"),
        ),
        ("ssh://-l@host", O::Config("may not start with '-'")),
        ("ssh://host:ssh", O::Config(r#""ssh" is not a port"#)),
        ("unix://relative.sock", O::Ok("unix://relative.sock")),
        ("tcp://host:2375//", O::Ok("tcp://host:2375")),
        ("tcp://host:02375", O::Ok("tcp://host:2375")),
        ("tcp://[::1]:0", O::Config(r#""0" is not a port"#)),
        ("tcp://[::1]:", O::Config(r#""" is not a port"#)),
        ("tcp://host:2375#x", O::Config("no query, fragment or parameters")),
        ("ssh://me@host:22/", O::Ok("ssh://me@host:22")),
    ]
}

/// Addresses with a password: refused, and the password never shown.
fn docker_host_secret_cases() -> Vec<(&'static str, O)> {
    vec![
        ("tcp://me:hunter2@host:2375", O::Config("no user or password")),
        ("https://me:hunter2@host", O::Config("no user or password")),
        (
            "ssh://me:hunter2@host",
            O::Config("put no password in the address"),
        ),
        ("me:hunter2@host:2375", O::Config("no user or password")),
        ("me:hunter2@host", O::Config("no user or password")),
    ]
}

fn block_device_cases() -> Vec<(&'static str, Convert, O)> {
    let weight = |path: &'static str, weight: u16| -> Convert {
        Box::new(move || {
            let item = convert::blkio_weight_devices(&[WeightDevice::new(path, weight)])?.remove(0);
            Ok(format!(
                "{}={}",
                item.path.unwrap_or_default(),
                item.weight.unwrap_or_default()
            ))
        })
    };
    let rate = |path: &'static str, rate: i64| -> Convert {
        Box::new(move || {
            let item =
                convert::throttle_devices("device_read_bps", &[DeviceRate::new(path, rate)])?.remove(0);
            Ok(format!(
                "{}={}",
                item.path.unwrap_or_default(),
                item.rate.unwrap_or_default()
            ))
        })
    };
    vec![
        ("weight 300", weight("/dev/sda", 300), O::Ok("/dev/sda=300")),
        ("weight 0", weight("/dev/sda", 0), O::Ok("/dev/sda=0")),
        ("weight 10", weight("/dev/sda", 10), O::Ok("/dev/sda=10")),
        ("weight 1000", weight("/dev/sda", 1000), O::Ok("/dev/sda=1000")),
        (
            "weight 9",
            weight("/dev/sda", 9),
            O::Invalid(
                "blkio_weight_device",
                r#"weight 9 of "/dev/sda" is not between 10 and 1000 (or 0 for the default)"#,
            ),
        ),
        (
            "weight 1001",
            weight("/dev/sda", 1001),
            O::Invalid("blkio_weight_device", "is not between 10 and 1000"),
        ),
        (
            "weight, relative path",
            weight("sda", 300),
            O::Invalid(
                "blkio_weight_device",
                r#"device path "sda" is not an absolute path"#,
            ),
        ),
        (
            "weight, empty path",
            weight("", 300),
            O::Invalid("blkio_weight_device", r#"device path "" is not an absolute path"#),
        ),
        ("rate 0", rate("/dev/sda", 0), O::Ok("/dev/sda=0")),
        (
            "rate max",
            rate("/dev/sda", i64::MAX),
            O::Ok("/dev/sda=9223372036854775807"),
        ),
        (
            "rate -1",
            rate("/dev/sda", -1),
            O::Invalid(
                "device_read_bps",
                r#"rate -1 of "/dev/sda" is negative; use 0 or more"#,
            ),
        ),
        (
            "rate, relative path",
            rate("dev/sda", 1),
            O::Invalid("device_read_bps", "is not an absolute path"),
        ),
    ]
}

/// The JSON an `X-Registry-Auth` header carries, checked to be URL-safe
/// base64 as the engine decodes it.
fn render_auth_header(auth: &AuthConfig) -> Result<String> {
    let header = encode_auth_header(auth);
    if header.contains(['+', '/']) {
        return Ok(format!("not URL-safe: {header}"));
    }
    let json = URL_SAFE
        .decode(&header)
        .map_err(|e| Error::invalid_argument("header", e.to_string()))?;
    Ok(String::from_utf8_lossy(&json).into_owned())
}

fn auth_header_cases() -> Vec<(&'static str, AuthConfig, O)> {
    let token = AuthConfig {
        identity_token: Some("tok".into()),
        ..AuthConfig::default()
    };
    let empty = AuthConfig::new("", "");
    vec![
        (
            "user and password",
            AuthConfig::new("me", "pw"),
            O::Ok(r#"{"password":"pw","username":"me"}"#),
        ),
        (
            "quotes and escapes",
            AuthConfig::new("me", "a\"b\\c\nd"),
            O::Ok(r#"{"password":"a\"b\\c\nd","username":"me"}"#),
        ),
        (
            "unicode",
            AuthConfig::new("я", "пароль☃"),
            O::Ok(r#"{"password":"пароль☃","username":"я"}"#),
        ),
        (
            "bytes that need URL-safe base64",
            AuthConfig::new("??>", "~~~"),
            O::Ok(r#"{"password":"~~~","username":"??>"}"#),
        ),
        ("empty strings are left out", empty, O::Ok("{}")),
        ("nothing at all", AuthConfig::default(), O::Ok("{}")),
        ("an identity token", token, O::Ok(r#"{"identitytoken":"tok"}"#)),
    ]
}

/// A `config.json` entry, read and sent on as the header.
fn config_to_header_cases() -> Vec<(&'static str, O)> {
    vec![
        (
            r#"{"auths":{"reg":{"auth":"bWU6cDp3"}}}"#,
            O::Ok(r#"{"password":"p:w","serveraddress":"reg","username":"me"}"#),
        ),
        (
            r#"{"auths":{"reg":{"auth":"bWU6"}}}"#,
            O::Ok(r#"{"serveraddress":"reg","username":"me"}"#),
        ),
        (
            r#"{"auths":{"reg":{"identitytoken":"t","email":""}}}"#,
            O::Ok(r#"{"identitytoken":"t","serveraddress":"reg"}"#),
        ),
        (
            r#"{"auths":{"reg":{"username":"u","password":"p","email":"e@x"}}}"#,
            O::Ok(r#"{"email":"e@x","password":"p","serveraddress":"reg","username":"u"}"#),
        ),
    ]
}

fn registry_name_cases() -> Vec<(&'static str, &'static str, O)> {
    vec![
        ("resolve", "image", O::Ok("docker.io image")),
        ("resolve", "index.docker.io/image", O::Ok("docker.io image")),
        (
            "resolve",
            "registry-1.docker.io/user/image",
            O::Ok("docker.io user/image"),
        ),
        (
            "resolve",
            "hostname:5000/user/image",
            O::Ok("hostname:5000 user/image"),
        ),
        ("resolve", "localhost/image", O::Ok("localhost image")),
        ("resolve", "[::1]:5000/image", O::Ok("[::1]:5000 image")),
        (
            "resolve",
            "https://registry.example.com/image",
            O::Repository("a repository name cannot contain a scheme (such as https://)"),
        ),
        (
            "resolve",
            "-registry.com/image",
            O::Repository("the registry cannot begin or end with a hyphen"),
        ),
        (
            "resolve",
            "registry.com-/image",
            O::Repository("cannot begin or end with a hyphen"),
        ),
        ("normalise", "https://index.docker.io/v1/", O::Ok("docker.io")),
        (
            "normalise",
            "http://my.registry.net/v1/",
            O::Ok("my.registry.net"),
        ),
        ("normalise", "localhost:5000/v2/", O::Ok("localhost:5000")),
        ("normalise", "", O::Ok("docker.io")),
        ("normalise", "https://", O::Ok("docker.io")),
        ("normalise", "/v1/", O::Ok("docker.io")),
        ("key", "docker.io", O::Ok("https://index.docker.io/v1/")),
        ("key", "", O::Ok("https://index.docker.io/v1/")),
        ("key", "https://localhost:5000/v2/", O::Ok("localhost:5000")),
        ("split", "app:v1", O::Ok("app v1")),
        ("split", "localhost:5000/app", O::Ok("localhost:5000/app -")),
        ("split", "localhost:5000/app:v1", O::Ok("localhost:5000/app v1")),
        ("split", "app@sha256:abc", O::Ok("app sha256:abc")),
        ("split", "a:b:c", O::Ok("a:b c")),
        ("split", "", O::Ok(" -")),
        ("split", ":", O::Ok(" ")),
    ]
}

fn registry_name(function: &str, input: &str) -> Result<String> {
    Ok(match function {
        "resolve" => {
            let (registry, rest) = resolve_repository_name(input)?;
            format!("{registry} {rest}")
        }
        "normalise" => normalise_registry(input),
        "key" => registry_key(input),
        _ => {
            let (repository, tag) = parse_repository_tag(input);
            format!("{repository} {}", tag.unwrap_or("-"))
        }
    })
}

/// The environment the docker CLI reads, in a config directory holding
/// nothing (so no context of this machine's steps in).
fn environment_config_cases() -> Vec<(&'static [(&'static str, &'static str)], O)> {
    vec![
        (&[], O::Ok("unix:///var/run/docker.sock auto")),
        (&[("DOCKER_HOST", "")], O::Ok("unix:///var/run/docker.sock auto")),
        (&[("DOCKER_HOST", "tcp://h:2375")], O::Ok("tcp://h:2375 auto")),
        (
            &[("DOCKER_HOST", "tcp://h"), ("DOCKER_TLS_VERIFY", "1")],
            O::Ok("https://h:2376 auto"),
        ),
        (
            &[("DOCKER_HOST", "tcp://h"), ("DOCKER_CONTEXT", "nowhere")],
            O::Ok("tcp://h:2375 auto"),
        ),
        (
            &[("DOCKER_API_VERSION", "1.41")],
            O::Ok("unix:///var/run/docker.sock 1.41"),
        ),
        (
            &[("DOCKER_API_VERSION", "auto")],
            O::Ok("unix:///var/run/docker.sock auto"),
        ),
        (
            &[("DOCKER_HOST", "tcp://h:0")],
            O::Config(r#"invalid Docker host "tcp://h:0": "0" is not a port"#),
        ),
        (
            &[("DOCKER_HOST", "tcp://u:hunter2@h")],
            O::Config("a TCP address takes no user or password"),
        ),
        (
            &[("DOCKER_API_VERSION", "latest")],
            O::Version(r#""latest" is not an API version"#),
        ),
        (
            &[("DOCKER_API_VERSION", "1.4l")],
            O::Version("is not an API version"),
        ),
        (
            &[("DOCKER_CONTEXT", "nowhere")],
            O::Config(r#"context "nowhere" not found"#),
        ),
    ]
}

fn resolve_environment(vars: &[(&str, &str)]) -> Result<String> {
    let dir = tempfile::tempdir().map_err(|e| Error::config(e.to_string()))?;
    let mut all = vec![("DOCKER_CONFIG".to_owned(), dir.path().display().to_string())];
    all.extend(vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    let config = EnvConfig::resolve(&all.into_iter().collect::<Environment>())?;
    let version = match config.version {
        None | Some(VersionChoice::Auto) => "auto".to_owned(),
        Some(VersionChoice::Pinned(version)) => version.to_string(),
    };
    Ok(format!("{} {version}", config.host))
}

fn api_version_cases() -> Vec<(&'static str, O)> {
    vec![
        ("1.41", O::Ok("1.41")),
        (" 1.41 ", O::Ok("1.41")),
        ("auto", O::Ok("auto")),
        ("AUTO", O::Ok("auto")),
        (
            "",
            O::Version(r#""" is not an API version; expected MAJOR.MINOR"#),
        ),
        ("1", O::Version("is not an API version")),
        ("1.", O::Version("is not an API version")),
        (".41", O::Version("is not an API version")),
        ("1.41.0", O::Version("is not an API version")),
        ("v1.41", O::Version("is not an API version")),
        ("1.+41", O::Version("is not an API version")),
        ("1.99999", O::Version("is not an API version")),
        (
            "1.40",
            O::Version("API version 1.40 is outside what this SDK speaks (1.41 to"),
        ),
        ("2.0", O::Version("is outside what this SDK speaks")),
        ("1.999", O::Version("is outside what this SDK speaks")),
    ]
}

pub(super) fn case_count() -> usize {
    port_cases().len()
        + byte_cases().len()
        + swap_cases().len()
        + volume_cases().len()
        + mount_string_cases().len()
        + environment_cases().len()
        + extra_host_cases().len()
        + small_map_cases().len()
        + device_cases().len()
        + cgroup_rule_cases().len()
        + restart_policy_cases().len()
        + ulimit_cases().len()
        + log_config_cases().len()
        + command_cases().len()
        + healthcheck_cases().len()
        + reference_cases().len()
        + docker_host_cases().len()
        + docker_host_secret_cases().len()
        + api_version_cases().len()
        + block_device_cases().len()
        + auth_header_cases().len()
        + config_to_header_cases().len()
        + registry_name_cases().len()
        + environment_config_cases().len()
}

#[test]
fn ports() {
    let mut report = Report::new("ports");
    run_ports(&mut report);
    report.finish();
}

#[test]
fn byte_sizes() {
    let mut report = Report::new("mem_limit");
    for (index, (input, want)) in byte_cases().into_iter().enumerate() {
        report.run(index, &input, want, || {
            convert::parse_bytes("mem_limit", &input).map(|n| n.to_string())
        });
    }
    report.finish();
    let mut report = Report::new("memswap_limit");
    for (index, (input, want)) in swap_cases().into_iter().enumerate() {
        report.run(index, &input, want, || {
            convert::parse_swap_bytes("memswap_limit", &input).map(|n| n.to_string())
        });
    }
    report.finish();
}

#[test]
fn volumes_and_mounts() {
    let mut report = Report::new("volumes");
    for (index, (input, want)) in volume_cases().into_iter().enumerate() {
        report.run(index, &input, want, || {
            render_volumes(std::slice::from_ref(&input))
        });
    }
    report.finish();
    let mut report = Report::new("mount strings");
    for (index, (input, want)) in mount_string_cases().into_iter().enumerate() {
        report.run(index, &input, want, || render_mount(input));
    }
    report.finish();
}

#[test]
fn environment_hosts_labels_sysctls_tmpfs() {
    let mut report = Report::new("environment");
    for (index, (input, want)) in environment_cases().into_iter().enumerate() {
        report.run(index, &input, want, || {
            convert::environment(&input).map(|e| e.join(";"))
        });
    }
    report.finish();
    let mut report = Report::new("extra_hosts");
    for (index, (input, want)) in extra_host_cases().into_iter().enumerate() {
        report.run(index, &input, want, || {
            convert::extra_hosts(&input).map(|e| e.join(";"))
        });
    }
    report.finish();
    let mut report = Report::new("labels, sysctls, tmpfs");
    for (index, (name, convert, want)) in small_map_cases().into_iter().enumerate() {
        report.run(index, &name, want, convert);
    }
    report.finish();
}

#[test]
fn devices_and_cgroup_rules() {
    let mut report = Report::new("devices");
    for (index, (input, want)) in device_cases().into_iter().enumerate() {
        report.run(index, &input, want, || {
            let mapping = convert::devices(std::slice::from_ref(&input))?.remove(0);
            Ok(format!(
                "{}:{}:{}",
                mapping.path_on_host.unwrap_or_default(),
                mapping.path_in_container.unwrap_or_default(),
                mapping.cgroup_permissions.unwrap_or_default()
            ))
        });
    }
    report.finish();
    let mut report = Report::new("device_cgroup_rules");
    for (index, (input, want)) in cgroup_rule_cases().into_iter().enumerate() {
        report.run(index, &input, want, || {
            convert::device_cgroup_rules(&[input.to_owned()]).map(|r| r.join(";"))
        });
    }
    report.finish();
}

#[test]
fn policies_limits_and_log_drivers() {
    let mut report = Report::new("restart_policy");
    for (index, (input, want)) in restart_policy_cases().into_iter().enumerate() {
        report.run(index, &input, want, || {
            input.parse::<RestartPolicy>().map(|p| p.to_string())
        });
    }
    report.finish();
    let mut report = Report::new("ulimits");
    for (index, (input, want)) in ulimit_cases().into_iter().enumerate() {
        report.run(index, &input, want, || {
            let limit = convert::ulimits(&[Ulimit::parse(input)?])?.remove(0);
            Ok(format!(
                "{} {} {}",
                limit.name.unwrap_or_default(),
                limit.soft.unwrap_or_default(),
                limit.hard.unwrap_or_default()
            ))
        });
    }
    report.finish();
    let mut report = Report::new("log_config");
    for (index, (input, want)) in log_config_cases().into_iter().enumerate() {
        report.run(index, &input, want, || {
            convert::log_config(&input).map(|c| c.type_.map(|t| t.to_string()).unwrap_or_default())
        });
    }
    report.finish();
}

#[test]
fn commands_and_health_checks() {
    let mut report = Report::new("command");
    for (index, (input, want)) in command_cases().into_iter().enumerate() {
        report.run(index, &input, want, || {
            convert::command("command", &Command::from(input)).map(|words| format!("{words:?}"))
        });
    }
    report.finish();
    let mut report = Report::new("healthcheck");
    for (index, (input, want)) in healthcheck_cases().into_iter().enumerate() {
        report.run(index, &input, want, || {
            convert::healthcheck(&input).map(|h| format!("{:?}", h.test.unwrap_or_default()))
        });
    }
    report.finish();
}

#[test]
fn image_references() {
    let mut report = Report::new("image references");
    run_references(&mut report);
    report.finish();
}

#[test]
fn docker_hosts() {
    let mut report = Report::new("DOCKER_HOST");
    for (index, (input, want)) in docker_host_cases().into_iter().enumerate() {
        report.run(index, &input, want, || {
            DockerHost::parse(input, false).map(|h| h.to_string())
        });
    }
    report.finish();
    let mut report = Report::new("DOCKER_HOST with a password").never_showing("hunter2");
    for (index, (input, want)) in docker_host_secret_cases().into_iter().enumerate() {
        report.run(index, &input, want, || {
            DockerHost::parse(input, false).map(|h| h.to_string())
        });
    }
    report.finish();
}

#[test]
fn api_versions() {
    let mut report = Report::new("DOCKER_API_VERSION");
    for (index, (input, want)) in api_version_cases().into_iter().enumerate() {
        report.run(index, &input, want, || {
            input.parse::<VersionChoice>().map(|choice| match choice {
                VersionChoice::Auto => "auto".to_owned(),
                VersionChoice::Pinned(version) => version.to_string(),
            })
        });
    }
    report.finish();
    // The newest version this build speaks is accepted as it is.
    let latest = ApiVersion::LATEST.to_string();
    assert_eq!(
        latest.parse::<VersionChoice>().ok(),
        Some(VersionChoice::Pinned(ApiVersion::LATEST))
    );
}

#[test]
fn block_devices() {
    let mut report = Report::new("blkio devices");
    for (index, (name, convert, want)) in block_device_cases().into_iter().enumerate() {
        report.run(index, &name, want, convert);
    }
    report.finish();
}

#[test]
fn registries_and_credentials() {
    let mut report = Report::new("X-Registry-Auth");
    for (index, (name, auth, want)) in auth_header_cases().into_iter().enumerate() {
        report.run(index, &name, want, || render_auth_header(&auth));
    }
    report.finish();
    let mut report = Report::new("config.json to X-Registry-Auth");
    for (index, (text, want)) in config_to_header_cases().into_iter().enumerate() {
        report.run(index, &text, want, || {
            let config = ConfigFile::parse(text, std::path::Path::new("config.json"))?;
            let auth = config.auth_entry("reg").cloned().unwrap_or_default();
            render_auth_header(&auth)
        });
    }
    report.finish();
    let mut report = Report::new("registry names");
    for (index, (function, input, want)) in registry_name_cases().into_iter().enumerate() {
        report.run(index, &(function, input), want, || registry_name(function, input));
    }
    report.finish();
}

#[test]
fn environments() {
    let mut report = Report::new("environment variables").never_showing("hunter2");
    for (index, (vars, want)) in environment_config_cases().into_iter().enumerate() {
        report.run(index, &vars, want, || resolve_environment(vars));
    }
    report.finish();
}
