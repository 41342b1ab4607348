//! `devices`, `device_cgroup_rules`, the block-IO device lists
//! (`blkio_weight_device`, `device_read_bps`, …) and `device_requests`.

use std::collections::HashMap;

use crate::api::types;
use crate::error::{Error, Result};

/// A host device to give the container: docker-py's
/// `"/dev/sda:/dev/xvda:rwm"` string (the container path defaults to the
/// host path, the permissions to `rwm`), or its dict form.
///
/// ```
/// use docker_sdk::convert::Device;
///
/// let devices: Vec<Device> = vec!["/dev/sda:/dev/xvda:rwm".into(), "/dev/sdc".into(), Device::new("/dev/sdb", "/dev/xvdb", "r")];
/// assert_eq!(devices[1], Device::Spec("/dev/sdc".into()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Device {
    /// `"host[:container[:permissions]]"`.
    Spec(String),
    /// The parts apart (docker-py's `{"PathOnHost": …, "PathInContainer":
    /// …, "CgroupPermissions": …}`).
    Mapping {
        /// The device on the host.
        path_on_host: String,
        /// Where it appears in the container.
        path_in_container: String,
        /// Some of `r`, `w` and `m`.
        cgroup_permissions: String,
    },
}

impl Device {
    /// The host's device `path_on_host` at `path_in_container`, with
    /// permissions made of `r` (read), `w` (write) and `m` (mknod).
    pub fn new(
        path_on_host: impl Into<String>,
        path_in_container: impl Into<String>,
        cgroup_permissions: impl Into<String>,
    ) -> Self {
        Device::Mapping {
            path_on_host: path_on_host.into(),
            path_in_container: path_in_container.into(),
            cgroup_permissions: cgroup_permissions.into(),
        }
    }
}

impl From<&str> for Device {
    fn from(spec: &str) -> Self {
        Device::Spec(spec.to_owned())
    }
}

impl From<String> for Device {
    fn from(spec: String) -> Self {
        Device::Spec(spec)
    }
}

impl From<types::DeviceMapping> for Device {
    fn from(mapping: types::DeviceMapping) -> Self {
        Device::new(
            mapping.path_on_host.unwrap_or_default(),
            mapping.path_in_container.unwrap_or_default(),
            mapping.cgroup_permissions.unwrap_or_default(),
        )
    }
}

/// `Devices`, as docker-py's `parse_devices` reads them.
pub(crate) fn devices(devices: &[Device]) -> Result<Vec<types::DeviceMapping>> {
    devices.iter().map(device).collect()
}

fn device(device: &Device) -> Result<types::DeviceMapping> {
    let (host, container, permissions, shown) = match device {
        Device::Spec(spec) => {
            let parts: Vec<&str> = spec.split(':').collect();
            let (host, container, permissions) = match parts[..] {
                [host] => (host, host, "rwm"),
                [host, container] => (host, container, "rwm"),
                [host, container, permissions] => (host, container, permissions),
                _ => {
                    return Err(Error::invalid_argument(
                        "devices",
                        format!(
                            "{spec:?} has {} parts; use \"/dev/host[:/dev/container[:rwm]]\"",
                            parts.len()
                        ),
                    ));
                }
            };
            (host, container, permissions, format!("{spec:?}"))
        }
        Device::Mapping {
            path_on_host,
            path_in_container,
            cgroup_permissions,
        } => (
            path_on_host.as_str(),
            path_in_container.as_str(),
            cgroup_permissions.as_str(),
            format!("{path_on_host:?} => {path_in_container:?} ({cgroup_permissions:?})"),
        ),
    };
    let invalid = |why: &str| Error::invalid_argument("devices", format!("{shown}: {why}"));
    if host.is_empty() {
        return Err(invalid("the host path is empty"));
    }
    if container.is_empty() {
        return Err(invalid("the container path is empty"));
    }
    if !valid_permissions(permissions) {
        return Err(invalid(
            "the permissions are not some of r, w and m, each at most once (such as \"rwm\" or \"r\")",
        ));
    }
    Ok(types::DeviceMapping {
        path_on_host: Some(host.to_owned()),
        path_in_container: Some(container.to_owned()),
        cgroup_permissions: Some(permissions.to_owned()),
    })
}

/// Some of r, w and m, once each, in any order.
fn valid_permissions(permissions: &str) -> bool {
    let mut seen = [false; 3];
    !permissions.is_empty()
        && permissions.chars().all(|c| {
            let Some(i) = "rwm".find(c) else { return false };
            !std::mem::replace(&mut seen[i], true)
        })
}

/// `DeviceCgroupRules`: each `"type major:minor permissions"`, as the
/// docker CLI checks them: type `a`, `b` or `c`, numbers or `*`, some of
/// r, w and m (such as `"c 1:3 mr"`).
pub(crate) fn device_cgroup_rules(rules: &[String]) -> Result<Vec<String>> {
    rules
        .iter()
        .map(|rule| {
            if valid_cgroup_rule(rule) {
                Ok(rule.clone())
            } else {
                Err(Error::invalid_argument(
                    "device_cgroup_rules",
                    format!(
                        "{rule:?} is not \"type major:minor permissions\"; use a type of a, b or c, \
                         numbers or * and some of r, w and m, such as \"c 1:3 mr\""
                    ),
                ))
            }
        })
        .collect()
}

fn valid_cgroup_rule(rule: &str) -> bool {
    let number = |n: &str| n == "*" || (!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    let parts: Vec<&str> = rule.split(' ').collect();
    let [kind, numbers, permissions] = parts[..] else {
        return false;
    };
    let Some((major, minor)) = numbers.split_once(':') else {
        return false;
    };
    matches!(kind, "a" | "b" | "c")
        && number(major)
        && number(minor)
        && (1..=3).contains(&permissions.len())
        && permissions.chars().all(|c| "rwm".contains(c))
}

/// A block device's relative IO weight: an item of docker-py's
/// `blkio_weight_device` (`{"Path": "/dev/sda", "Weight": 300}`).
///
/// ```
/// use docker_sdk::convert::WeightDevice;
///
/// let devices: Vec<WeightDevice> = vec![("/dev/sda", 300).into()];
/// assert_eq!(devices[0], WeightDevice::new("/dev/sda", 300));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WeightDevice {
    path: String,
    weight: u16,
}

impl WeightDevice {
    /// `path` with `weight`, 10 to 1000 (or 0 for the default).
    pub fn new(path: impl Into<String>, weight: u16) -> Self {
        WeightDevice {
            path: path.into(),
            weight,
        }
    }
}

impl<P: Into<String>> From<(P, u16)> for WeightDevice {
    fn from((path, weight): (P, u16)) -> Self {
        WeightDevice::new(path, weight)
    }
}

/// A block device's rate limit: an item of docker-py's `device_read_bps`,
/// `device_write_bps` (bytes per second), `device_read_iops` or
/// `device_write_iops` (operations per second), `{"Path": …, "Rate": …}`.
///
/// ```
/// use docker_sdk::convert::DeviceRate;
///
/// let limits: Vec<DeviceRate> = vec![("/dev/sda", 1_048_576).into()];
/// assert_eq!(limits[0], DeviceRate::new("/dev/sda", 1_048_576));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceRate {
    path: String,
    rate: i64,
}

impl DeviceRate {
    /// `path` limited to `rate` (0 for no limit).
    pub fn new(path: impl Into<String>, rate: i64) -> Self {
        DeviceRate {
            path: path.into(),
            rate,
        }
    }
}

impl<P: Into<String>> From<(P, i64)> for DeviceRate {
    fn from((path, rate): (P, i64)) -> Self {
        DeviceRate::new(path, rate)
    }
}

/// `BlkioWeightDevice`.
pub(crate) fn blkio_weight_devices(
    devices: &[WeightDevice],
) -> Result<Vec<types::HostConfigBlkioWeightDeviceItem>> {
    devices
        .iter()
        .map(|WeightDevice { path, weight }| {
            check_device_path("blkio_weight_device", path)?;
            if *weight != 0 && !(10..=1000).contains(weight) {
                return Err(Error::invalid_argument(
                    "blkio_weight_device",
                    format!("weight {weight} of {path:?} is not between 10 and 1000 (or 0 for the default)"),
                ));
            }
            Ok(types::HostConfigBlkioWeightDeviceItem {
                path: Some(path.clone()),
                weight: Some(i64::from(*weight)),
            })
        })
        .collect()
}

/// `BlkioDeviceReadBps` and the like; `argument` is the docker-py keyword
/// (`device_read_bps`, `device_write_bps`, `device_read_iops`,
/// `device_write_iops`).
pub(crate) fn throttle_devices(argument: &str, devices: &[DeviceRate]) -> Result<Vec<types::ThrottleDevice>> {
    devices
        .iter()
        .map(|DeviceRate { path, rate }| {
            check_device_path(argument, path)?;
            if *rate < 0 {
                return Err(Error::invalid_argument(
                    argument,
                    format!("rate {rate} of {path:?} is negative; use 0 or more"),
                ));
            }
            Ok(types::ThrottleDevice {
                path: Some(path.clone()),
                rate: Some(*rate),
            })
        })
        .collect()
}

fn check_device_path(argument: &str, path: &str) -> Result<()> {
    if path.starts_with('/') {
        Ok(())
    } else {
        Err(Error::invalid_argument(
            argument,
            format!("device path {path:?} is not an absolute path; use one such as \"/dev/sda\""),
        ))
    }
}

/// A request for devices from a driver, such as GPUs (docker-py's
/// `types.DeviceRequest`).
///
/// ```
/// use docker_sdk::convert::DeviceRequest;
///
/// // All GPUs (`--gpus all`).
/// let all = DeviceRequest::new().driver("nvidia").count(-1).capabilities([["gpu"]]);
/// // Two GPUs by id, with options.
/// let some = DeviceRequest::new().device_ids(["0", "GPU-3a23c669"]).option("key", "value");
/// # let _ = (all, some);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeviceRequest {
    driver: String,
    count: i64,
    device_ids: Vec<String>,
    capabilities: Vec<Vec<String>>,
    options: Vec<(String, String)>,
}

impl DeviceRequest {
    /// A request with no driver, count, ids, capabilities or options.
    pub fn new() -> Self {
        Self::default()
    }

    /// The driver to ask, such as `"nvidia"`.
    pub fn driver(mut self, driver: impl Into<String>) -> Self {
        self.driver = driver.into();
        self
    }

    /// How many devices, or -1 for all of them; not with
    /// [`device_ids`](Self::device_ids).
    pub fn count(mut self, count: i64) -> Self {
        self.count = count;
        self
    }

    /// The devices, by id.
    pub fn device_ids<I: IntoIterator<Item = S>, S: Into<String>>(mut self, ids: I) -> Self {
        self.device_ids = ids.into_iter().map(Into::into).collect();
        self
    }

    /// Capabilities: any one of the inner lists, all of whose
    /// capabilities the device must have (`[["gpu", "utility"]]`).
    pub fn capabilities<I, J, S>(mut self, capabilities: I) -> Self
    where
        I: IntoIterator<Item = J>,
        J: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.capabilities = capabilities
            .into_iter()
            .map(|all| all.into_iter().map(Into::into).collect())
            .collect();
        self
    }

    /// A driver-specific option.
    pub fn option(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.push((key.into(), value.into()));
        self
    }
}

/// `DeviceRequests`, with every field present as docker-py sends them
/// (`""`, `0`, `[]`, `{}` when not set).
pub(crate) fn device_requests(requests: &[DeviceRequest]) -> Result<Vec<types::DeviceRequest>> {
    requests.iter().map(device_request).collect()
}

fn device_request(request: &DeviceRequest) -> Result<types::DeviceRequest> {
    let invalid = |why: String| Error::invalid_argument("device_requests", why);
    if request.count < -1 {
        return Err(invalid(format!(
            "count {} is negative; use a number of devices, or -1 for all",
            request.count
        )));
    }
    if request.count != 0 && !request.device_ids.is_empty() {
        return Err(invalid(format!(
            "both count {} and device ids {:?} are set; use one or the other",
            request.count, request.device_ids
        )));
    }
    if let Some(id) = request.device_ids.iter().find(|id| id.is_empty()) {
        return Err(invalid(format!("device id {id:?} is empty")));
    }
    for all in &request.capabilities {
        if all.is_empty() || all.iter().any(String::is_empty) {
            return Err(invalid(format!(
                "capabilities {:?} hold an empty list or name; use lists such as [[\"gpu\"]]",
                request.capabilities
            )));
        }
    }
    if let Some((key, _)) = request.options.iter().find(|(key, _)| key.is_empty()) {
        return Err(invalid(format!("option {key:?} has an empty key")));
    }
    Ok(types::DeviceRequest {
        driver: Some(request.driver.clone()),
        count: Some(request.count),
        device_i_ds: Some(request.device_ids.clone()),
        capabilities: Some(request.capabilities.clone()),
        options: Some(request.options.iter().cloned().collect::<HashMap<_, _>>()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::test_support::assert_invalid;

    #[test]
    fn devices_as_docker_py_parses_them() {
        let cases: Vec<(Device, (&str, &str, &str))> = vec![
            ("/dev/sda:/dev/xvda:rwm".into(), ("/dev/sda", "/dev/xvda", "rwm")),
            ("/dev/sdb:/dev/xvdb".into(), ("/dev/sdb", "/dev/xvdb", "rwm")),
            ("/dev/sdc".into(), ("/dev/sdc", "/dev/sdc", "rwm")),
            ("/dev/sda1:/dev/mnt1:r".into(), ("/dev/sda1", "/dev/mnt1", "r")),
            ("/dev/sda1:/dev/mnt1:rw".into(), ("/dev/sda1", "/dev/mnt1", "rw")),
            (
                "/dev/fuse:/dev/fuse:mrw".into(),
                ("/dev/fuse", "/dev/fuse", "mrw"),
            ),
            ("/dev/null:/dev/null:m".into(), ("/dev/null", "/dev/null", "m")),
            (String::from("/dev/kvm").into(), ("/dev/kvm", "/dev/kvm", "rwm")),
            (
                Device::new("/dev/sda2", "/dev/mnt2", "r"),
                ("/dev/sda2", "/dev/mnt2", "r"),
            ),
            (
                types::DeviceMapping {
                    path_on_host: Some("/dev/sda1".into()),
                    path_in_container: Some("/dev/mnt1".into()),
                    cgroup_permissions: Some("r".into()),
                }
                .into(),
                ("/dev/sda1", "/dev/mnt1", "r"),
            ),
        ];
        for (input, (host, container, permissions)) in cases {
            let got = devices(std::slice::from_ref(&input)).map(|mut d| d.remove(0));
            let Ok(got) = got else {
                panic!("{input:?}: {got:?}")
            };
            assert_eq!(got.path_on_host.as_deref(), Some(host), "{input:?}");
            assert_eq!(got.path_in_container.as_deref(), Some(container), "{input:?}");
            assert_eq!(got.cgroup_permissions.as_deref(), Some(permissions), "{input:?}");
        }
    }

    #[test]
    fn bad_devices() {
        let cases: Vec<(Device, &str)> = vec![
            ("/dev/sda:/dev/xvda:rwm:x".into(), "has 4 parts"),
            ("a:b:c:d:e".into(), "has 5 parts"),
            ("".into(), "host path is empty"),
            (":/dev/xvda".into(), "host path is empty"),
            ("/dev/sda:".into(), "container path is empty"),
            ("/dev/sda::rw".into(), "container path is empty"),
            (
                "/dev/sda:/dev/xvda:".into(),
                "permissions are not some of r, w and m",
            ),
            ("/dev/sda:/dev/xvda:x".into(), "permissions"),
            ("/dev/sda:/dev/xvda:rwx".into(), "permissions"),
            ("/dev/sda:/dev/xvda:rr".into(), "each at most once"),
            ("/dev/sda:/dev/xvda:RWM".into(), "permissions"),
            ("/dev/sda:/dev/xvda:rwmr".into(), "permissions"),
            (Device::new("/dev/sda", "/dev/xvda", ""), "permissions"),
            (Device::new("", "/dev/xvda", "r"), "host path is empty"),
            (types::DeviceMapping::default().into(), "host path is empty"),
        ];
        for (input, needle) in cases {
            assert_invalid(
                &format!("{input:?}"),
                devices(std::slice::from_ref(&input)),
                "devices",
                needle,
            );
        }
    }

    #[test]
    fn cgroup_rules() {
        let good = ["c 1:3 mr", "a *:* rwm", "b 8:0 r", "c 10:200 rwm", "c *:1 w"];
        let rules: Vec<String> = good.iter().map(|s| s.to_string()).collect();
        assert_eq!(device_cgroup_rules(&rules).ok(), Some(rules));
        let bad = [
            "",
            "c",
            "c 1:3",
            "x 1:3 r",
            "c 1:3 rwx",
            "c 1:3 rwmr",
            "c 1 r",
            "c a:3 r",
            "c 1:3  r",
            "c 1:3 r ",
            "c :3 r",
        ];
        for rule in bad {
            assert_invalid(
                rule,
                device_cgroup_rules(&[rule.to_owned()]),
                "device_cgroup_rules",
                "is not \"type major:minor permissions\"",
            );
        }
    }

    #[test]
    fn blkio_device_lists() {
        let weights = blkio_weight_devices(&[
            ("/dev/sda", 300).into(),
            ("/dev/sdb", 0).into(),
            ("/dev/sdc", 10).into(),
        ]);
        let weights: Vec<(String, i64)> = weights
            .unwrap_or_default()
            .into_iter()
            .map(|w| (w.path.unwrap_or_default(), w.weight.unwrap_or_default()))
            .collect();
        assert_eq!(
            weights,
            vec![
                ("/dev/sda".into(), 300),
                ("/dev/sdb".into(), 0),
                ("/dev/sdc".into(), 10)
            ]
        );
        let bad_weights: Vec<(WeightDevice, &str)> = vec![
            (
                ("/dev/sda", 3).into(),
                "weight 3 of \"/dev/sda\" is not between 10 and 1000",
            ),
            (("/dev/sda", 1001).into(), "not between 10 and 1000"),
            (
                ("foo", 300).into(),
                r#"device path "foo" is not an absolute path"#,
            ),
            (("", 300).into(), "not an absolute path"),
        ];
        for (input, needle) in bad_weights {
            assert_invalid(
                &format!("{input:?}"),
                blkio_weight_devices(std::slice::from_ref(&input)),
                "blkio_weight_device",
                needle,
            );
        }

        let rates = throttle_devices(
            "device_read_bps",
            &[("/dev/sda", 1000).into(), ("/dev/sdb", 0).into()],
        );
        let rates: Vec<(String, i64)> = rates
            .unwrap_or_default()
            .into_iter()
            .map(|r| (r.path.unwrap_or_default(), r.rate.unwrap_or_default()))
            .collect();
        assert_eq!(rates, vec![("/dev/sda".into(), 1000), ("/dev/sdb".into(), 0)]);
        let bad_rates: Vec<(&str, DeviceRate, &str)> = vec![
            (
                "device_read_bps",
                ("/dev/sda", -1).into(),
                "rate -1 of \"/dev/sda\" is negative",
            ),
            ("device_write_bps", ("sda", 1).into(), "not an absolute path"),
            ("device_read_iops", ("", 1).into(), "not an absolute path"),
            ("device_write_iops", ("/dev/sda", i64::MIN).into(), "is negative"),
        ];
        for (argument, input, needle) in bad_rates {
            assert_invalid(
                &format!("{input:?}"),
                throttle_devices(argument, std::slice::from_ref(&input)),
                argument,
                needle,
            );
        }
    }

    #[test]
    fn device_requests_as_docker_py_fills_them() {
        // docker-py's test_create_container_with_device_requests.
        let requests = vec![
            DeviceRequest::new().device_ids(["0", "GPU-3a23c669-1f69-c64e-cf85-44e9b07e7a2a"]),
            DeviceRequest::new()
                .driver("nvidia")
                .count(-1)
                .capabilities([["gpu", "utility"]])
                .option("key", "value"),
        ];
        let got = serde_json::to_value(device_requests(&requests).ok()).ok();
        let expected = serde_json::json!([
            {
                "Driver": "",
                "Count": 0,
                "DeviceIDs": ["0", "GPU-3a23c669-1f69-c64e-cf85-44e9b07e7a2a"],
                "Capabilities": [],
                "Options": {}
            },
            {
                "Driver": "nvidia",
                "Count": -1,
                "DeviceIDs": [],
                "Capabilities": [["gpu", "utility"]],
                "Options": {"key": "value"}
            }
        ]);
        assert_eq!(got, Some(expected));

        let bad: Vec<(DeviceRequest, &str)> = vec![
            (DeviceRequest::new().count(-2), "count -2 is negative"),
            (
                DeviceRequest::new().count(1).device_ids(["0"]),
                "use one or the other",
            ),
            (DeviceRequest::new().count(-1).device_ids(["0"]), "both count -1"),
            (DeviceRequest::new().device_ids([""]), "device id \"\" is empty"),
            (
                DeviceRequest::new().capabilities([Vec::<String>::new()]),
                "empty list or name",
            ),
            (
                DeviceRequest::new().capabilities([["gpu", ""]]),
                "empty list or name",
            ),
            (DeviceRequest::new().option("", "v"), "empty key"),
        ];
        for (input, needle) in bad {
            assert_invalid(
                &format!("{input:?}"),
                device_requests(std::slice::from_ref(&input)),
                "device_requests",
                needle,
            );
        }
    }
}
