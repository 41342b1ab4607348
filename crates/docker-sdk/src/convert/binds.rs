//! `volumes` (docker-py's `convert_volume_binds` and
//! `_host_volume_from_bind`) and `mounts` (its `types.Mount`, with
//! `Mount.parse_mount_string`).

use std::collections::HashMap;

use crate::api::types;
use crate::convert::{ByteSize, parse_bytes};
use crate::error::{Error, Result};

/// Where a host path or volume goes in the container, and how: a value of
/// docker-py's `volumes` map (`{"bind": "/data", "mode": "ro"}`, or just
/// `"/data"`, which is read-write).
///
/// The mode is options separated by commas: `rw` or `ro`, `z` or `Z`
/// (SELinux labels), `nocopy`, `consistent`, `cached` or `delegated`, and
/// a propagation (`shared`, `slave`, `private`, `rshared`, `rslave`,
/// `rprivate`).
///
/// ```
/// use docker_sdk::convert::VolumeBind;
///
/// let read_only = VolumeBind::new("/data").read_only(true);
/// let labelled = VolumeBind::new("/data").mode("ro,z");
/// let plain: VolumeBind = "/data".into();
/// # let _ = (read_only, labelled, plain);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VolumeBind {
    bind: String,
    mode: String,
    propagation: Option<String>,
}

impl VolumeBind {
    /// At `bind` in the container, read-write.
    pub fn new(bind: impl Into<String>) -> Self {
        VolumeBind {
            bind: bind.into(),
            mode: "rw".to_owned(),
            propagation: None,
        }
    }

    /// The mode, such as `"ro"` or `"rw,z"` (docker-py's `"mode"`).
    pub fn mode(mut self, mode: impl Into<String>) -> Self {
        self.mode = mode.into();
        self
    }

    /// Read-only or read-write (docker-py's `"ro"`).
    pub fn read_only(self, read_only: bool) -> Self {
        self.mode(if read_only { "ro" } else { "rw" })
    }

    /// Mount propagation, added to the mode (docker-py's `"propagation"`):
    /// `shared`, `slave`, `private`, `rshared`, `rslave` or `rprivate`.
    pub fn propagation(mut self, propagation: impl Into<String>) -> Self {
        self.propagation = Some(propagation.into());
        self
    }
}

impl From<&str> for VolumeBind {
    fn from(bind: &str) -> Self {
        VolumeBind::new(bind)
    }
}

impl From<String> for VolumeBind {
    fn from(bind: String) -> Self {
        VolumeBind::new(bind)
    }
}

impl From<&String> for VolumeBind {
    fn from(bind: &String) -> Self {
        VolumeBind::new(bind.clone())
    }
}

/// One of docker-py's `volumes`: a `(host path or volume name, bind)` pair
/// of its map, or a `"source:/container[:mode]"` string of its list (or
/// `"/container"` for an anonymous volume).
///
/// Windows paths with a drive (`"C:\\data:D:\\data:rw"`) are read as such:
/// a one-letter name followed by `\` or `/` is a drive, as docker-py's
/// `ntpath.splitdrive` reads it.
///
/// ```
/// use std::collections::HashMap;
/// use docker_sdk::convert::{VolumeBind, VolumeSpec};
///
/// let list: Vec<VolumeSpec> = vec!["/var/www:/mnt/vol1:ro".into(), "volumename:/mnt/vol3".into()];
/// let map: Vec<VolumeSpec> = vec![("/home/user1", VolumeBind::new("/mnt/vol2").read_only(true)).into()];
/// let compact: Vec<VolumeSpec> = HashMap::from([("/mnt/vol1", "/data")]).into_iter().map(Into::into).collect();
/// # let _ = (list, map, compact);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VolumeSpec {
    /// A host path or volume name, and where and how it is bound.
    Bind {
        /// The host path or volume name.
        source: String,
        /// Where and how.
        bind: VolumeBind,
    },
    /// A `Binds` string, sent as it is.
    Spec(String),
}

impl From<&str> for VolumeSpec {
    fn from(spec: &str) -> Self {
        VolumeSpec::Spec(spec.to_owned())
    }
}

impl From<String> for VolumeSpec {
    fn from(spec: String) -> Self {
        VolumeSpec::Spec(spec)
    }
}

impl From<&String> for VolumeSpec {
    fn from(spec: &String) -> Self {
        VolumeSpec::Spec(spec.clone())
    }
}

impl<S: Into<String>, B: Into<VolumeBind>> From<(S, B)> for VolumeSpec {
    fn from((source, bind): (S, B)) -> Self {
        VolumeSpec::Bind {
            source: source.into(),
            bind: bind.into(),
        }
    }
}

/// `volumes`, converted: `HostConfig.Binds`, and the container paths
/// (`Config.Volumes` keys), in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct VolumeBinds {
    /// `"source:/container:mode"` (list entries as given).
    pub(crate) binds: Vec<String>,
    /// Where each is mounted in the container.
    pub(crate) container_paths: Vec<String>,
}

const ARGUMENT: &str = "volumes";

/// The words a bind's mode may be made of, comma-separated.
pub(crate) const MODE_WORDS: &[&str] = &[
    "rw",
    "ro",
    "z",
    "Z",
    "nocopy",
    "consistent",
    "cached",
    "delegated",
    "shared",
    "slave",
    "private",
    "rshared",
    "rslave",
    "rprivate",
];

const PROPAGATIONS: &[&str] = &["shared", "slave", "private", "rshared", "rslave", "rprivate"];

/// docker-py's `volumes`: map pairs become `"source:bind:mode"`, list
/// strings are kept as they are; each is checked as the engine would.
pub(crate) fn volume_binds(volumes: &[VolumeSpec]) -> Result<VolumeBinds> {
    let mut result = VolumeBinds::default();
    for volume in volumes {
        let (bind, path) = match volume {
            VolumeSpec::Bind { source, bind } => map_bind(source, bind)?,
            VolumeSpec::Spec(spec) => (spec.clone(), spec_target(spec)?),
        };
        result.binds.push(bind);
        result.container_paths.push(path);
    }
    Ok(result)
}

fn map_bind(source: &str, bind: &VolumeBind) -> Result<(String, String)> {
    let shown = format!("{source:?} => {:?}", bind.bind);
    let invalid = |why: String| Error::invalid_argument(ARGUMENT, format!("{shown}: {why}"));
    if source.is_empty() {
        return Err(invalid("the host path or volume name is empty".into()));
    }
    if split_fields(source).len() != 1 {
        return Err(invalid(
            "the host path or volume name contains \":\" (only a Windows drive may)".into(),
        ));
    }
    if split_fields(&bind.bind).len() != 1 {
        return Err(invalid(
            "the container path contains \":\"; give a mode with VolumeBind::mode, \
             or use the \"/host:/container:mode\" list form"
                .into(),
        ));
    }
    check_target(&bind.bind).map_err(invalid)?;
    let mut mode = bind.mode.clone();
    if let Some(propagation) = &bind.propagation {
        if !PROPAGATIONS.contains(&propagation.as_str()) {
            return Err(invalid(format!(
                "unknown propagation {propagation:?}; use one of {}",
                PROPAGATIONS.join(", ")
            )));
        }
        // docker-py appends it to the mode.
        if !mode.is_empty() {
            mode.push(',');
        }
        mode.push_str(propagation);
    }
    check_mode(&mode).map_err(invalid)?;
    Ok((format!("{source}:{}:{mode}", bind.bind), bind.bind.clone()))
}

/// The container path of a `Binds` string, checking the whole string.
fn spec_target(spec: &str) -> Result<String> {
    let invalid = |why: String| Error::invalid_argument(ARGUMENT, format!("{spec:?}: {why}"));
    let fields = split_fields(spec);
    if fields.iter().any(String::is_empty) {
        return Err(invalid(
            "has an empty part; use \"/host:/container[:mode]\", \"volume:/container[:mode]\" or \"/container\"".into(),
        ));
    }
    let target = match &fields[..] {
        [target] => target,
        [_, second] if check_mode(second).is_ok() => {
            return Err(invalid(format!(
                "has a mode ({second:?}) but no host path or volume name; \
                 use \"/host:/container:{second}\", or \"/container\" alone"
            )));
        }
        [_, target] => target,
        [_, target, mode] => {
            check_mode(mode).map_err(invalid)?;
            target
        }
        _ => {
            return Err(invalid(format!(
                "has {} parts; use \"/host:/container[:mode]\"",
                fields.len()
            )));
        }
    };
    check_target(target).map_err(invalid)?;
    Ok(target.clone())
}

/// Splits on `:`, keeping a drive letter with its path (`C:\…`, `C:/…`).
fn split_fields(spec: &str) -> Vec<String> {
    let raw: Vec<&str> = spec.split(':').collect();
    let mut fields = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let is_drive = raw[i].len() == 1
            && raw[i].as_bytes()[0].is_ascii_alphabetic()
            && raw.get(i + 1).is_some_and(|next| next.starts_with(['\\', '/']));
        if is_drive {
            fields.push(format!("{}:{}", raw[i], raw[i + 1]));
            i += 2;
        } else {
            fields.push(raw[i].to_owned());
            i += 1;
        }
    }
    fields
}

/// The engine wants absolute container paths (`/…`, or on Windows `C:\…`
/// or `\\.\pipe\…`).
fn check_target(target: &str) -> std::result::Result<(), String> {
    let bytes = target.as_bytes();
    let windows_drive = bytes.len() >= 3
        && bytes[0].is_ascii_alphabetic()
        && bytes[1] == b':'
        && matches!(bytes[2], b'\\' | b'/');
    if target.starts_with(['/', '\\']) || windows_drive {
        Ok(())
    } else {
        Err(format!(
            "container path {target:?} is not absolute; use one such as \"/data\""
        ))
    }
}

fn check_mode(mode: &str) -> std::result::Result<(), String> {
    let accepted = || format!("use options from {}, separated by commas", MODE_WORDS.join(", "));
    let words: Vec<&str> = mode.split(',').collect();
    if let Some(bad) = words.iter().find(|w| !MODE_WORDS.contains(w)) {
        return Err(format!(
            "mode {mode:?} has unknown option {bad:?}; {}",
            accepted()
        ));
    }
    let groups: &[(&[&str], &str)] = &[
        (&["rw", "ro"], "rw or ro"),
        (&["z", "Z"], "z or Z"),
        (&["nocopy"], "nocopy"),
        (
            &["consistent", "cached", "delegated"],
            "consistent, cached or delegated",
        ),
        (PROPAGATIONS, "propagation"),
    ];
    for (group, name) in groups {
        if words.iter().filter(|w| group.contains(w)).count() > 1 {
            return Err(format!(
                "mode {mode:?} gives more than one {name}; give at most one"
            ));
        }
    }
    Ok(())
}

/// What a [`MountSpec`] mounts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MountKind {
    /// A volume, by name (or a new anonymous one).
    #[default]
    Volume,
    /// A host path.
    Bind,
    /// A tmpfs.
    Tmpfs,
    /// A Windows named pipe.
    Npipe,
}

impl MountKind {
    fn name(self) -> &'static str {
        match self {
            MountKind::Volume => "volume",
            MountKind::Bind => "bind",
            MountKind::Tmpfs => "tmpfs",
            MountKind::Npipe => "npipe",
        }
    }
}

/// A volume driver and its options (docker-py's `types.DriverConfig`).
///
/// ```
/// use docker_sdk::convert::DriverConfig;
///
/// let config = DriverConfig::new("local").option("type", "nfs").option("o", "addr=10.0.0.1");
/// # let _ = config;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DriverConfig {
    name: String,
    options: Vec<(String, String)>,
}

impl DriverConfig {
    /// The driver `name`, with no options.
    pub fn new(name: impl Into<String>) -> Self {
        DriverConfig {
            name: name.into(),
            options: Vec::new(),
        }
    }

    /// A driver option.
    pub fn option(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.push((key.into(), value.into()));
        self
    }

    /// The driver's name and its options (a later option wins over an
    /// earlier one of the same key).
    pub(crate) fn into_parts(self) -> (String, HashMap<String, String>) {
        (self.name, self.options.into_iter().collect())
    }
}

/// A mount (docker-py's `types.Mount`): a target in the container, a
/// source, a kind, and options that go with the kind.
///
/// ```
/// use docker_sdk::convert::MountSpec;
///
/// let data = MountSpec::volume("data", "/var/lib/data").no_copy(true).label("team", "web");
/// let config = MountSpec::bind("/etc/app", "/etc/app").read_only(true).propagation("rslave");
/// let scratch = MountSpec::tmpfs("/scratch").tmpfs_size("64m").tmpfs_mode(0o1777);
/// let parsed = MountSpec::parse_mount_string("/foo/bar:/baz:ro")?;
/// assert_eq!(parsed, MountSpec::bind("/foo/bar", "/baz").read_only(true));
/// # let _ = (data, config, scratch);
/// # Ok::<(), docker_sdk::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MountSpec {
    target: String,
    source: Option<String>,
    kind: MountKind,
    read_only: bool,
    consistency: Option<String>,
    propagation: Option<String>,
    no_copy: bool,
    labels: Vec<(String, String)>,
    driver_config: Option<DriverConfig>,
    subpath: Option<String>,
    tmpfs_size: Option<ByteSize>,
    tmpfs_mode: Option<u32>,
}

impl MountSpec {
    /// A new anonymous volume at `target` (docker-py's default kind).
    pub fn new(target: impl Into<String>) -> Self {
        MountSpec {
            target: target.into(),
            ..Self::default()
        }
    }

    /// The volume named `source` at `target`.
    pub fn volume(source: impl Into<String>, target: impl Into<String>) -> Self {
        Self::new(target).source(source)
    }

    /// The host path `source` at `target`.
    pub fn bind(source: impl Into<String>, target: impl Into<String>) -> Self {
        Self::new(target).source(source).kind(MountKind::Bind)
    }

    /// A tmpfs at `target`.
    pub fn tmpfs(target: impl Into<String>) -> Self {
        Self::new(target).kind(MountKind::Tmpfs)
    }

    /// The Windows named pipe `source` at `target`.
    pub fn npipe(source: impl Into<String>, target: impl Into<String>) -> Self {
        Self::new(target).source(source).kind(MountKind::Npipe)
    }

    /// The source: a volume name, host path or pipe.
    pub fn source(mut self, source: impl Into<String>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// The kind of mount.
    pub fn kind(mut self, kind: MountKind) -> Self {
        self.kind = kind;
        self
    }

    /// Read-only.
    pub fn read_only(mut self, read_only: bool) -> Self {
        self.read_only = read_only;
        self
    }

    /// `default`, `consistent`, `cached` or `delegated` (Docker Desktop).
    pub fn consistency(mut self, consistency: impl Into<String>) -> Self {
        self.consistency = Some(consistency.into());
        self
    }

    /// Bind propagation: `private`, `rprivate`, `shared`, `rshared`,
    /// `slave` or `rslave` (bind mounts only).
    pub fn propagation(mut self, propagation: impl Into<String>) -> Self {
        self.propagation = Some(propagation.into());
        self
    }

    /// Do not copy the target's content into a new volume (volumes only).
    pub fn no_copy(mut self, no_copy: bool) -> Self {
        self.no_copy = no_copy;
        self
    }

    /// A label of the volume (volumes only).
    pub fn label(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.push((key.into(), value.into()));
        self
    }

    /// The volume's driver (volumes only).
    pub fn driver_config(mut self, driver_config: DriverConfig) -> Self {
        self.driver_config = Some(driver_config);
        self
    }

    /// A path inside the volume to mount instead of its root (volumes
    /// only; API 1.45).
    pub fn subpath(mut self, subpath: impl Into<String>) -> Self {
        self.subpath = Some(subpath.into());
        self
    }

    /// The tmpfs's size (tmpfs only), such as `"64m"`.
    pub fn tmpfs_size(mut self, size: impl Into<ByteSize>) -> Self {
        self.tmpfs_size = Some(size.into());
        self
    }

    /// The tmpfs's permissions (tmpfs only), such as `0o1777`.
    pub fn tmpfs_mode(mut self, mode: u32) -> Self {
        self.tmpfs_mode = Some(mode);
        self
    }

    /// docker-py's `Mount.parse_mount_string`: `"target"` (an anonymous
    /// volume), `"source:target"` or `"source:target:ro"` (or `:rw`). A
    /// source that is an absolute path (`/…`, or a Windows drive) makes a
    /// bind mount; any other is a volume name.
    ///
    /// Unlike docker-py, which reads any third part but `rw` as read-only,
    /// a third part other than `ro` or `rw` is refused.
    pub fn parse_mount_string(text: &str) -> Result<Self> {
        let invalid = |why: &str| {
            Error::invalid_argument(
                "mounts",
                format!("{text:?} {why}; use \"target\", \"source:target\" or \"source:target:ro\""),
            )
        };
        let fields = split_fields(text);
        if fields.iter().any(String::is_empty) {
            return Err(invalid("has an empty part"));
        }
        let (source, target, read_only) = match &fields[..] {
            [target] => return Ok(MountSpec::new(target.clone())),
            [source, target] => (source, target, false),
            [source, target, mode] if mode == "ro" || mode == "rw" => (source, target, mode == "ro"),
            [_, _, _] => return Err(invalid("has a mode other than ro or rw")),
            _ => return Err(invalid("has more than 3 parts")),
        };
        let kind = if check_target(source).is_ok() {
            MountKind::Bind
        } else {
            MountKind::Volume
        };
        Ok(MountSpec::new(target.clone())
            .source(source.clone())
            .kind(kind)
            .read_only(read_only))
    }
}

/// `HostConfig.Mounts`.
pub(crate) fn mounts(mounts: &[MountSpec]) -> Result<Vec<types::Mount>> {
    mounts.iter().map(mount).collect()
}

fn mount(spec: &MountSpec) -> Result<types::Mount> {
    let kind = spec.kind.name();
    let invalid =
        |why: String| Error::invalid_argument("mounts", format!("{kind} mount at {:?}: {why}", spec.target));
    if spec.target.is_empty() {
        return Err(invalid("the target is empty".into()));
    }
    check_target(&spec.target).map_err(invalid)?;
    // Options that do not go with the kind, as docker-py refuses them.
    let given: [(&str, bool); 8] = [
        ("propagation", spec.propagation.is_some()),
        ("no_copy", spec.no_copy),
        ("labels", !spec.labels.is_empty()),
        ("driver_config", spec.driver_config.is_some()),
        ("subpath", spec.subpath.is_some()),
        ("tmpfs_size", spec.tmpfs_size.is_some()),
        ("tmpfs_mode", spec.tmpfs_mode.is_some()),
        ("source", spec.source.is_some()),
    ];
    let allowed: &[&str] = match spec.kind {
        MountKind::Bind => &["propagation", "source"],
        MountKind::Volume => &["no_copy", "labels", "driver_config", "subpath", "source"],
        MountKind::Tmpfs => &["tmpfs_size", "tmpfs_mode"],
        MountKind::Npipe => &["source"],
    };
    let incompatible: Vec<&str> = given
        .iter()
        .filter(|(name, set)| *set && !allowed.contains(name))
        .map(|(name, _)| *name)
        .collect();
    if !incompatible.is_empty() {
        let verb = if incompatible.len() == 1 { "does" } else { "do" };
        return Err(invalid(format!(
            "{} {verb} not go with a {kind} mount",
            incompatible.join(", ")
        )));
    }
    let source = spec.source.as_deref();
    if matches!(spec.kind, MountKind::Bind | MountKind::Npipe) && source.is_none_or(str::is_empty) {
        return Err(invalid("a source is needed".into()));
    }
    if spec.kind == MountKind::Volume && source == Some("") {
        return Err(invalid(
            "the volume name is empty; leave the source out for an anonymous volume".into(),
        ));
    }
    if let Some(consistency) = &spec.consistency
        && !["default", "consistent", "cached", "delegated"].contains(&consistency.as_str())
    {
        return Err(invalid(format!(
            "unknown consistency {consistency:?}; use default, consistent, cached or delegated"
        )));
    }
    let bind_options = spec
        .propagation
        .as_deref()
        .map(|p| {
            let unknown = || {
                invalid(format!(
                    "unknown propagation {p:?}; use one of {}",
                    PROPAGATIONS.join(", ")
                ))
            };
            // The generated enum keeps any word (engines may send new
            // ones), so it is not what refuses a typo.
            if !PROPAGATIONS.contains(&p) {
                return Err(unknown());
            }
            p.parse::<types::MountBindOptionsPropagation>()
                .map(|propagation| types::MountBindOptions {
                    propagation: Some(propagation),
                    ..Default::default()
                })
                .map_err(|_| unknown())
        })
        .transpose()?;
    let volume_options = if spec.no_copy
        || !spec.labels.is_empty()
        || spec.driver_config.is_some()
        || spec.subpath.is_some()
    {
        if spec.labels.iter().any(|(key, _)| key.is_empty()) {
            return Err(invalid("a label has an empty key".into()));
        }
        if spec.driver_config.as_ref().is_some_and(|d| d.name.is_empty()) {
            return Err(invalid("the driver name is empty".into()));
        }
        #[cfg(not(api_1_45))]
        if spec.subpath.is_some() {
            return Err(crate::version::needs_newer_build(
                "mounts",
                "a volume subpath",
                45,
            ));
        }
        Some(types::MountVolumeOptions {
            no_copy: spec.no_copy,
            labels: (!spec.labels.is_empty()).then(|| spec.labels.iter().cloned().collect::<HashMap<_, _>>()),
            driver_config: spec
                .driver_config
                .as_ref()
                .map(|d| types::MountVolumeOptionsDriverConfig {
                    name: Some(d.name.clone()),
                    options: (!d.options.is_empty())
                        .then(|| d.options.iter().cloned().collect::<HashMap<_, _>>()),
                }),
            #[cfg(api_1_45)]
            subpath: spec.subpath.clone(),
        })
    } else {
        None
    };
    let tmpfs_options = if spec.tmpfs_size.is_some() || spec.tmpfs_mode.is_some() {
        let size_bytes = spec
            .tmpfs_size
            .as_ref()
            .map(|size| parse_bytes("mounts", size))
            .transpose()?;
        if let Some(mode) = spec.tmpfs_mode
            && mode > 0o7777
        {
            return Err(invalid(format!(
                "tmpfs_mode {mode:#o} is not a permission mode (at most 0o7777)"
            )));
        }
        Some(types::MountTmpfsOptions {
            size_bytes,
            mode: spec.tmpfs_mode.map(i64::from),
            #[cfg(api_1_46)]
            options: None,
        })
    } else {
        None
    };
    let type_ = match spec.kind {
        MountKind::Volume => types::MountType::Volume,
        MountKind::Bind => types::MountType::Bind,
        MountKind::Tmpfs => types::MountType::Tmpfs,
        MountKind::Npipe => types::MountType::Npipe,
    };
    Ok(types::Mount {
        target: Some(spec.target.clone()),
        source: spec.source.clone(),
        type_: Some(type_),
        read_only: Some(spec.read_only),
        consistency: spec.consistency.clone(),
        bind_options,
        volume_options,
        tmpfs_options,
        #[cfg(api_1_48)]
        image_options: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::test_support::assert_invalid;

    #[test]
    fn volumes_as_docker_py_converts_them() {
        // (input, Binds entry, container path)
        let cases: Vec<(VolumeSpec, &str, &str)> = vec![
            // convert_volume_binds: complete, compact and no-mode dicts.
            (
                ("/mnt/vol1", VolumeBind::new("/data").mode("ro")).into(),
                "/mnt/vol1:/data:ro",
                "/data",
            ),
            (("/mnt/vol1", "/data").into(), "/mnt/vol1:/data:rw", "/data"),
            (
                ("/mnt/vol1", VolumeBind::new("/data")).into(),
                "/mnt/vol1:/data:rw",
                "/data",
            ),
            (
                ("/mnt/지연", "/unicode/박").into(),
                "/mnt/지연:/unicode/박:rw",
                "/unicode/박",
            ),
            (
                ("name", VolumeBind::new("/mnt").read_only(false)).into(),
                "name:/mnt:rw",
                "/mnt",
            ),
            (
                ("name", VolumeBind::new("/mnt").read_only(true)).into(),
                "name:/mnt:ro",
                "/mnt",
            ),
            (
                ("/host", VolumeBind::new("/c").mode("ro").propagation("rshared")).into(),
                "/host:/c:ro,rshared",
                "/c",
            ),
            (
                ("/host", VolumeBind::new("/c").mode("rw,z")).into(),
                "/host:/c:rw,z",
                "/c",
            ),
            (
                ("/host", VolumeBind::new("/c").mode("Z")).into(),
                "/host:/c:Z",
                "/c",
            ),
            (
                ("/host", VolumeBind::new("/c").mode("ro,cached")).into(),
                "/host:/c:ro,cached",
                "/c",
            ),
            (
                ("vol", VolumeBind::new("/c").mode("nocopy")).into(),
                "vol:/c:nocopy",
                "/c",
            ),
            (
                ("/h", VolumeBind::new("/c").mode("rw,delegated,rprivate,z,nocopy")).into(),
                "/h:/c:rw,delegated,rprivate,z,nocopy",
                "/c",
            ),
            ((String::from("/a"), String::from("/b")).into(), "/a:/b:rw", "/b"),
            (
                ("C:\\data", "C:\\data").into(),
                "C:\\data:C:\\data:rw",
                "C:\\data",
            ),
            // List strings pass through; _host_volume_from_bind finds the path.
            ("/a:/a:ro".into(), "/a:/a:ro", "/a"),
            ("/b:/c:z".into(), "/b:/c:z", "/c"),
            (
                "/home/user1/:/mnt/vol2".into(),
                "/home/user1/:/mnt/vol2",
                "/mnt/vol2",
            ),
            (
                "/var/www:/mnt/vol1:ro".into(),
                "/var/www:/mnt/vol1:ro",
                "/mnt/vol1",
            ),
            (
                "volumename:/mnt/vol3r".into(),
                "volumename:/mnt/vol3r",
                "/mnt/vol3r",
            ),
            (
                "/volumewithnohostpath".into(),
                "/volumewithnohostpath",
                "/volumewithnohostpath",
            ),
            (
                "C:\\windows\\path:D:\\hello\\world:rw".into(),
                "C:\\windows\\path:D:\\hello\\world:rw",
                "D:\\hello\\world",
            ),
            ("C:/foo/bar:/baz".into(), "C:/foo/bar:/baz", "/baz"),
            ("/src:/dst:rw,z".into(), "/src:/dst:rw,z", "/dst"),
            ("/src:/dst:ro,rslave".into(), "/src:/dst:ro,rslave", "/dst"),
            ("/src:/dst:shared".into(), "/src:/dst:shared", "/dst"),
            (
                "\\\\.\\pipe\\docker_engine:\\\\.\\pipe\\docker_engine".into(),
                "\\\\.\\pipe\\docker_engine:\\\\.\\pipe\\docker_engine",
                "\\\\.\\pipe\\docker_engine",
            ),
            (String::from("/x:/y").into(), "/x:/y", "/y"),
        ];
        for (input, bind, path) in cases {
            let got = volume_binds(std::slice::from_ref(&input));
            let expected = VolumeBinds {
                binds: vec![bind.to_owned()],
                container_paths: vec![path.to_owned()],
            };
            assert_eq!(got.ok(), Some(expected), "{input:?}");
        }
        assert_eq!(volume_binds(&[]).ok(), Some(VolumeBinds::default()));
    }

    #[test]
    fn bad_volumes() {
        let cases: Vec<(VolumeSpec, &str)> = vec![
            (
                ("/host", VolumeBind::new("/c").mode("xx")).into(),
                r#"mode "xx" has unknown option "xx""#,
            ),
            (
                ("/host", VolumeBind::new("/c").mode("ro,rw")).into(),
                "more than one rw or ro",
            ),
            (
                ("/host", VolumeBind::new("/c").mode("ro,ro")).into(),
                "more than one rw or ro",
            ),
            (
                ("/host", VolumeBind::new("/c").mode("z,Z")).into(),
                "more than one z or Z",
            ),
            (
                ("/host", VolumeBind::new("/c").mode("cached,delegated")).into(),
                "more than one consistent",
            ),
            (
                ("/host", VolumeBind::new("/c").mode("shared,slave")).into(),
                "more than one propagation",
            ),
            (
                ("/host", VolumeBind::new("/c").mode("nocopy,nocopy")).into(),
                "more than one nocopy",
            ),
            (
                ("/host", VolumeBind::new("/c").mode("")).into(),
                r#"unknown option """#,
            ),
            (
                ("/host", VolumeBind::new("/c").mode("ro,")).into(),
                r#"unknown option """#,
            ),
            (
                ("/host", VolumeBind::new("/c").mode("RO")).into(),
                r#"unknown option "RO""#,
            ),
            (
                ("/host", VolumeBind::new("/c").mode("ro rw")).into(),
                "unknown option",
            ),
            (
                ("/host", VolumeBind::new("/c").propagation("sideways")).into(),
                r#"unknown propagation "sideways""#,
            ),
            (
                (
                    "/host",
                    VolumeBind::new("/c").mode("shared").propagation("rshared"),
                )
                    .into(),
                "more than one propagation",
            ),
            (
                ("/host", "relative").into(),
                r#"container path "relative" is not absolute"#,
            ),
            (("/host", "").into(), "is not absolute"),
            (("", "/c").into(), "host path or volume name is empty"),
            (("a:b", "/c").into(), "contains \":\""),
            ("/a:/b:xyz".into(), r#"unknown option "xyz""#),
            ("/a:/b:ro,rw".into(), "more than one rw or ro"),
            ("/a:/b:ro:z".into(), "has 4 parts"),
            ("a:b:c:d:e".into(), "has 5 parts"),
            ("".into(), "empty part"),
            ("/a::ro".into(), "empty part"),
            (":/b".into(), "empty part"),
            ("/a:".into(), "empty part"),
            (
                "/anothervolumewithnohostpath:ro".into(),
                "has a mode (\"ro\") but no host path",
            ),
            ("/data:z".into(), "no host path"),
            ("data".into(), r#"container path "data" is not absolute"#),
            ("vol:data".into(), "is not absolute"),
            ("vol:data:ro".into(), "is not absolute"),
        ];
        for (input, needle) in cases {
            assert_invalid(
                &format!("{input:?}"),
                volume_binds(std::slice::from_ref(&input)),
                "volumes",
                needle,
            );
        }
    }

    #[test]
    fn parse_mount_strings() {
        let cases: &[(&str, MountSpec)] = &[
            (
                "/foo/bar:/baz:ro",
                MountSpec::bind("/foo/bar", "/baz").read_only(true),
            ),
            ("/foo/bar:/baz:rw", MountSpec::bind("/foo/bar", "/baz")),
            ("/foo/bar:/baz", MountSpec::bind("/foo/bar", "/baz")),
            ("foo/bar", MountSpec::new("foo/bar")),
            ("/data", MountSpec::new("/data")),
            ("foobar:/baz", MountSpec::volume("foobar", "/baz")),
            (
                "foobar:/baz:ro",
                MountSpec::volume("foobar", "/baz").read_only(true),
            ),
            ("C:/foo/bar:/baz", MountSpec::bind("C:/foo/bar", "/baz")),
            (
                "C:\\foo:C:\\bar:ro",
                MountSpec::bind("C:\\foo", "C:\\bar").read_only(true),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(
                MountSpec::parse_mount_string(text).ok().as_ref(),
                Some(expected),
                "{text:?}"
            );
        }
        let bad: &[(&str, &str)] = &[
            ("foo:bar:baz:rw", "has more than 3 parts"),
            ("/a:/b:z", "a mode other than ro or rw"),
            ("/a:/b:RO", "a mode other than ro or rw"),
            ("", "empty part"),
            (":/b", "empty part"),
            ("/a:", "empty part"),
        ];
        for (text, needle) in bad {
            assert_invalid(text, MountSpec::parse_mount_string(text), "mounts", needle);
        }
    }

    #[test]
    fn mounts_as_docker_py_builds_them() {
        #[cfg_attr(not(api_1_45), allow(unused_mut))]
        let mut cases: Vec<(MountSpec, serde_json::Value)> = vec![
            (
                MountSpec::volume("data", "/data"),
                serde_json::json!({"Target": "/data", "Source": "data", "Type": "volume", "ReadOnly": false}),
            ),
            (
                MountSpec::new("/anon"),
                serde_json::json!({"Target": "/anon", "Type": "volume", "ReadOnly": false}),
            ),
            (
                MountSpec::bind("/foo/bar", "/baz").read_only(true),
                serde_json::json!({"Target": "/baz", "Source": "/foo/bar", "Type": "bind", "ReadOnly": true}),
            ),
            (
                MountSpec::bind("/src", "/dst")
                    .propagation("rslave")
                    .consistency("cached"),
                serde_json::json!({
                    "Target": "/dst", "Source": "/src", "Type": "bind", "ReadOnly": false,
                    "Consistency": "cached",
                    "BindOptions": bind_options_with_propagation("rslave"),
                }),
            ),
            (
                MountSpec::volume("data", "/data")
                    .no_copy(true)
                    .label("team", "web")
                    .driver_config(DriverConfig::new("local").option("type", "tmpfs")),
                serde_json::json!({
                    "Target": "/data", "Source": "data", "Type": "volume", "ReadOnly": false,
                    "VolumeOptions": {
                        "NoCopy": true, "Labels": {"team": "web"},
                        "DriverConfig": {"Name": "local", "Options": {"type": "tmpfs"}}
                    }
                }),
            ),
            (
                MountSpec::volume("data", "/data").driver_config(DriverConfig::new("local")),
                serde_json::json!({
                    "Target": "/data", "Source": "data", "Type": "volume", "ReadOnly": false,
                    "VolumeOptions": {"NoCopy": false, "DriverConfig": {"Name": "local"}}
                }),
            ),
            (
                MountSpec::tmpfs("/scratch").tmpfs_size("64m").tmpfs_mode(0o1777),
                serde_json::json!({
                    "Target": "/scratch", "Type": "tmpfs", "ReadOnly": false,
                    "TmpfsOptions": {"SizeBytes": 67_108_864, "Mode": 1023}
                }),
            ),
            (
                MountSpec::tmpfs("/scratch").tmpfs_size(1024),
                serde_json::json!({
                    "Target": "/scratch", "Type": "tmpfs", "ReadOnly": false,
                    "TmpfsOptions": {"SizeBytes": 1024}
                }),
            ),
            (
                MountSpec::npipe("\\\\.\\pipe\\docker_engine", "\\\\.\\pipe\\docker_engine"),
                serde_json::json!({
                    "Target": "\\\\.\\pipe\\docker_engine", "Source": "\\\\.\\pipe\\docker_engine",
                    "Type": "npipe", "ReadOnly": false
                }),
            ),
            (
                MountSpec::new("/x").consistency("default"),
                serde_json::json!({"Target": "/x", "Type": "volume", "ReadOnly": false, "Consistency": "default"}),
            ),
        ];
        #[cfg(api_1_45)]
        cases.push((
            MountSpec::volume("data", "/data").subpath("sub"),
            serde_json::json!({
                "Target": "/data", "Source": "data", "Type": "volume", "ReadOnly": false,
                "VolumeOptions": {"NoCopy": false, "Subpath": "sub"}
            }),
        ));
        for (input, expected) in cases {
            let got = mounts(std::slice::from_ref(&input))
                .ok()
                .and_then(|m| serde_json::to_value(m).ok());
            assert_eq!(got, Some(serde_json::json!([expected])), "{input:?}");
        }
    }

    /// `BindOptions` as this build's model writes it: the booleans API 1.44
    /// added are always written.
    fn bind_options_with_propagation(propagation: &str) -> serde_json::Value {
        #[cfg_attr(not(api_1_44), allow(unused_mut))]
        let mut options = serde_json::json!({ "Propagation": propagation, "NonRecursive": false });
        #[cfg(api_1_44)]
        for added in [
            "CreateMountpoint",
            "ReadOnlyForceRecursive",
            "ReadOnlyNonRecursive",
        ] {
            options[added] = false.into();
        }
        options
    }

    #[cfg(not(api_1_45))]
    #[test]
    fn a_subpath_needs_a_newer_build() {
        let error = mounts(&[MountSpec::volume("data", "/data").subpath("sub")])
            .expect_err("1.41 models have no subpath");
        assert!(error.to_string().contains("needs API 1.45"), "{error}");
    }

    #[test]
    fn bad_mounts() {
        let cases: Vec<(MountSpec, &str)> = vec![
            (MountSpec::new(""), "the target is empty"),
            (
                MountSpec::new("foo/bar"),
                r#"container path "foo/bar" is not absolute"#,
            ),
            (
                MountSpec::bind("/a", "/b").no_copy(true),
                "no_copy does not go with a bind mount",
            ),
            (
                MountSpec::bind("/a", "/b").label("k", "v"),
                "labels does not go with a bind mount",
            ),
            (
                MountSpec::bind("/a", "/b").tmpfs_size("1m").tmpfs_mode(0o700),
                "tmpfs_size, tmpfs_mode do not go",
            ),
            (
                MountSpec::bind("/a", "/b").subpath("x"),
                "subpath does not go with a bind mount",
            ),
            (
                MountSpec::bind("/a", "/b").driver_config(DriverConfig::new("local")),
                "driver_config does not go",
            ),
            (
                MountSpec::volume("v", "/b").propagation("rshared"),
                "propagation does not go with a volume mount",
            ),
            (
                MountSpec::volume("v", "/b").tmpfs_size(1),
                "tmpfs_size does not go with a volume mount",
            ),
            (
                MountSpec::tmpfs("/t").source("x"),
                "source does not go with a tmpfs mount",
            ),
            (
                MountSpec::tmpfs("/t").no_copy(true),
                "no_copy does not go with a tmpfs mount",
            ),
            (
                MountSpec::tmpfs("/t").propagation("shared"),
                "propagation does not go",
            ),
            (
                MountSpec::npipe("p", "/t").label("a", "b"),
                "labels does not go with a npipe mount",
            ),
            (MountSpec::new("/b").kind(MountKind::Bind), "a source is needed"),
            (MountSpec::bind("", "/b"), "a source is needed"),
            (MountSpec::new("/b").kind(MountKind::Npipe), "a source is needed"),
            (MountSpec::volume("", "/b"), "volume name is empty"),
            (
                MountSpec::bind("/a", "/b").propagation("sideways"),
                r#"unknown propagation "sideways""#,
            ),
            (
                MountSpec::bind("/a", "/b").consistency("eventual"),
                r#"unknown consistency "eventual""#,
            ),
            (MountSpec::tmpfs("/t").tmpfs_size("1.5g"), "not a whole number"),
            (MountSpec::tmpfs("/t").tmpfs_size(-1), "is negative"),
            (
                MountSpec::tmpfs("/t").tmpfs_mode(0o10000),
                "tmpfs_mode 0o10000 is not a permission mode",
            ),
            (
                MountSpec::volume("v", "/b").label("", "x"),
                "label has an empty key",
            ),
            (
                MountSpec::volume("v", "/b").driver_config(DriverConfig::new("")),
                "driver name is empty",
            ),
        ];
        for (input, needle) in cases {
            assert_invalid(
                &format!("{input:?}"),
                mounts(std::slice::from_ref(&input)),
                "mounts",
                needle,
            );
        }
    }
}
