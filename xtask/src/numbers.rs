//! The number policy: every generated integer takes any integer the engine's
//! encoder can write for that field.
//!
//! Go writes a number as its struct field holds it. The engine uses `-1` for
//! "unlimited" or "not computed" in signed fields (`MemorySwap`, `PidsLimit`,
//! an image list's `SharedSize` and `Containers`, a volume's `UsageData`),
//! and the full unsigned range in unsigned ones: a cgroup limit of `max`
//! can come as 18446744073709551615. So:
//!
//! - **Signed integers are 64-bit.** No format, `int64`, and also `int` and
//!   `int32`, become `i64`: Go's `int` is 64 bits on every platform the
//!   engine runs on, and typify would make `format: int` an `i32`
//!   (`ServiceInfo.LocalLBIndex`). A `minimum: 0` does not make a field
//!   unsigned either; the lenient policy drops validation keywords.
//! - **Unsigned integers stay unsigned only where the engine's Go type is
//!   unsigned too.** Then no `-1` can come (Go's encoder writes a `uint64` as
//!   0 to 2^64-1) and the whole range fits. [`AUDITED_UNSIGNED`] lists every
//!   such field of every swagger with the Go type it was checked against, in
//!   moby at `spec/SOURCE_COMMIT`. An unsigned format the list does not name
//!   stops generation until someone checks it, so a future swagger cannot
//!   bring in a `u64` that refuses a sentinel unnoticed.
//! - **Integer enums are open.** `ChangeType` lists 0, 1 and 2; a closed
//!   enum would refuse a fourth kind of change in a whole `diff` answer, as a
//!   closed string enum refuses a new state. The listed values stay in the
//!   field's documentation.

use std::collections::BTreeSet;

use anyhow::{Result, bail};
use serde_json::{Map, Value};

/// Integers the swagger declares unsigned and the engine holds unsigned;
/// above each entry, the Go type and the file of moby that declares it.
///
/// `owner` is the swagger definition (or `METHOD /path` for a schema written
/// inside an operation); each field is its path below the owner, by property
/// names, with `[]` for an array's items and `{}` for a map's values
/// (empty for the owner itself).
pub const AUDITED_UNSIGNED: &[Audited] = &[
    // container.ChangeType uint8 (api/types/container/change_type.go)
    Audited {
        owner: "ChangeType",
        fields: &[""],
    },
    // container.ChangeType uint8 (api/types/container/change_type.go)
    Audited {
        owner: "GET /containers/{id}/changes",
        fields: &["[].Kind"],
    },
    // container.PortSummary uint16 (api/types/container/port_summary.go)
    Audited {
        owner: "Port",
        fields: &["PrivatePort", "PublicPort"],
    },
    // container.PortSummary uint16 (api/types/container/port_summary.go)
    Audited {
        owner: "PortSummary",
        fields: &["PrivatePort", "PublicPort"],
    },
    // plugin.ConfigUser uint32 (api/types/plugin/plugin.go)
    Audited {
        owner: "Plugin",
        fields: &["Config.User.UID", "Config.User.GID"],
    },
    // swarm.Version uint64 (api/types/swarm/common.go)
    Audited {
        owner: "ObjectVersion",
        fields: &["Index"],
    },
    // swarm.RaftConfig and swarm.CAConfig uint64 (api/types/swarm/swarm.go)
    Audited {
        owner: "SwarmSpec",
        fields: &[
            "Raft.SnapshotInterval",
            "Raft.KeepOldSnapshots",
            "Raft.LogEntriesForSlowFollowers",
            "CAConfig.ForceRotate",
        ],
    },
    // swarm.ClusterInfo uint32 (api/types/swarm/swarm.go)
    Audited {
        owner: "ClusterInfo",
        fields: &["DataPathPort", "SubnetSize"],
    },
    // swarm.InitRequest uint32 (api/types/swarm/swarm.go)
    Audited {
        owner: "POST /swarm/init",
        fields: &["DataPathPort", "SubnetSize"],
    },
    // os.FileMode, a uint32 (api/types/swarm/secret.go, config.go)
    Audited {
        owner: "TaskSpec",
        fields: &[
            "ContainerSpec.Secrets.[].File.Mode",
            "ContainerSpec.Configs.[].File.Mode",
        ],
    },
    // swarm.TaskSpec uint64 (api/types/swarm/task.go)
    Audited {
        owner: "TaskSpec",
        fields: &["ForceUpdate"],
    },
    // swarm.ServiceStatus uint64 (api/types/swarm/service.go)
    Audited {
        owner: "Service",
        fields: &[
            "ServiceStatus.RunningTasks",
            "ServiceStatus.DesiredTasks",
            "ServiceStatus.CompletedTasks",
        ],
    },
    // container.StatsResponse uint32 (api/types/container/stats.go)
    Audited {
        owner: "ContainerStatsResponse",
        fields: &["num_procs"],
    },
    // container.BlkioStatEntry uint64 (api/types/container/stats.go)
    Audited {
        owner: "ContainerBlkioStatEntry",
        fields: &["major", "minor", "value"],
    },
    // container.CPUStats uint64, uint32 (api/types/container/stats.go)
    Audited {
        owner: "ContainerCPUStats",
        fields: &["system_cpu_usage", "online_cpus"],
    },
    // container.CPUUsage uint64 (api/types/container/stats.go)
    Audited {
        owner: "ContainerCPUUsage",
        fields: &[
            "total_usage",
            "percpu_usage.[]",
            "usage_in_kernelmode",
            "usage_in_usermode",
        ],
    },
    // container.PidsStats uint64 (api/types/container/stats.go)
    Audited {
        owner: "ContainerPidsStats",
        fields: &["current", "limit"],
    },
    // container.ThrottlingData uint64 (api/types/container/stats.go)
    Audited {
        owner: "ContainerThrottlingData",
        fields: &["periods", "throttled_periods", "throttled_time"],
    },
    // container.MemoryStats uint64 (api/types/container/stats.go)
    Audited {
        owner: "ContainerMemoryStats",
        fields: &[
            "usage",
            "max_usage",
            "stats.{}",
            "failcnt",
            "limit",
            "commitbytes",
            "commitpeakbytes",
            "privateworkingset",
        ],
    },
    // container.NetworkStats uint64 (api/types/container/stats.go)
    Audited {
        owner: "ContainerNetworkStats",
        fields: &[
            "rx_bytes",
            "rx_packets",
            "rx_errors",
            "rx_dropped",
            "tx_bytes",
            "tx_packets",
            "tx_errors",
            "tx_dropped",
        ],
    },
    // container.StorageStats uint64 (api/types/container/stats.go)
    Audited {
        owner: "ContainerStorageStats",
        fields: &[
            "read_count_normalized",
            "read_size_bytes",
            "write_count_normalized",
            "write_size_bytes",
        ],
    },
    // network.SubnetStatus uint64 (api/types/network/subnet_status.go)
    Audited {
        owner: "SubnetStatus",
        fields: &["IPsInUse", "DynamicIPsAvailable"],
    },
];

/// Fields of one owner whose Go type was checked to be unsigned.
pub struct Audited {
    pub owner: &'static str,
    pub fields: &'static [&'static str],
}

/// Which audited fields a document used, as (owner, field).
pub type Used = BTreeSet<(&'static str, &'static str)>;

/// Applies the number policy to an OpenAPI 3.0 document (as JSON), and
/// returns the audited fields it kept unsigned.
pub fn apply(openapi: &mut Value) -> Result<Used> {
    let mut walk = Walk::default();
    if let Some(Value::Object(schemas)) = openapi.pointer_mut("/components/schemas") {
        for (name, schema) in schemas.iter_mut() {
            walk.visit(schema, name, &mut Vec::new());
        }
    }
    if let Some(Value::Object(paths)) = openapi.get_mut("paths") {
        for (path, item) in paths.iter_mut() {
            let Value::Object(operations) = item else { continue };
            for (method, operation) in operations.iter_mut() {
                let owner = format!("{} {path}", method.to_uppercase());
                walk.visit(operation, &owner, &mut Vec::new());
            }
        }
    }
    if !walk.unaudited.is_empty() {
        bail!(
            "integers the swagger declares unsigned, with no check that the engine holds them \
             unsigned:\n  {}\nfind each field's Go type in moby (spec/SOURCE_COMMIT); if it is \
             unsigned, add it to AUDITED_UNSIGNED in xtask/src/numbers.rs, and if it is signed, \
             patch the swagger (spec/patches/) to say int64",
            walk.unaudited.join("\n  ")
        );
    }
    Ok(walk.used)
}

/// Fails when an audited field is in no swagger any more: the list says
/// what generation relies on, nothing else.
pub fn check_all_used(used: &Used) -> Result<()> {
    let stale: Vec<String> = audited_fields()
        .filter(|key| !used.contains(key))
        .map(|(owner, field)| format!("{owner} {field}"))
        .collect();
    if !stale.is_empty() {
        bail!(
            "AUDITED_UNSIGNED in xtask/src/numbers.rs names fields no swagger has: {}",
            stale.join(", ")
        );
    }
    Ok(())
}

#[derive(Default)]
struct Walk {
    used: Used,
    unaudited: Vec<String>,
}

impl Walk {
    /// Visits a schema (or any object holding schemas) owned by `owner`,
    /// `field` being the property path that led to it.
    fn visit(&mut self, value: &mut Value, owner: &str, field: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if map.get("type").and_then(Value::as_str) == Some("integer") {
                    self.integer(map, owner, &field.join("."));
                }
                for (key, child) in map.iter_mut() {
                    match key.as_str() {
                        // Data, not schemas.
                        "enum" | "default" | "example" | "x-go-type" => {}
                        "properties" => {
                            if let Value::Object(properties) = child {
                                for (name, property) in properties.iter_mut() {
                                    field.push(name.clone());
                                    self.visit(property, owner, field);
                                    field.pop();
                                }
                            }
                        }
                        "items" | "additionalProperties" => {
                            field.push(if key == "items" { "[]" } else { "{}" }.into());
                            self.visit(child, owner, field);
                            field.pop();
                        }
                        _ => self.visit(child, owner, field),
                    }
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.visit(item, owner, field);
                }
            }
            _ => {}
        }
    }

    fn integer(&mut self, schema: &mut Map<String, Value>, owner: &str, field: &str) {
        // An integer enum names meanings, not the only values that can come.
        schema.remove("enum");
        let format = schema.get("format").and_then(Value::as_str).map(str::to_owned);
        match format.as_deref() {
            None | Some("int64") => {}
            Some("int" | "int32" | "int16" | "int8") => {
                schema.insert("format".into(), "int64".into());
            }
            Some(unsigned) => match audited(owner, field) {
                Some(key) => {
                    self.used.insert(key);
                }
                None => self
                    .unaudited
                    .push(format!("{owner} {field} (format {unsigned})")),
            },
        }
    }
}

/// Every audited field, as (owner, field).
fn audited_fields() -> impl Iterator<Item = (&'static str, &'static str)> {
    AUDITED_UNSIGNED
        .iter()
        .flat_map(|audited| audited.fields.iter().map(move |field| (audited.owner, *field)))
}

fn audited(owner: &str, field: &str) -> Option<(&'static str, &'static str)> {
    audited_fields().find(|&(o, f)| o == owner && f == field)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn signed_integers_are_64_bit() {
        let mut doc = json!({ "components": { "schemas": { "ServiceInfo": {
            "type": "object",
            "properties": {
                "LocalLBIndex": { "type": "integer", "format": "int" },
                "Small": { "type": "integer", "format": "int32" },
                "Plain": { "type": "integer" }
            }
        } } } });
        apply(&mut doc).expect("no unsigned integers");
        let properties = &doc["components"]["schemas"]["ServiceInfo"]["properties"];
        assert_eq!(properties["LocalLBIndex"]["format"], "int64");
        assert_eq!(properties["Small"]["format"], "int64");
        assert_eq!(properties["Plain"].get("format"), None);
    }

    #[test]
    fn integer_enums_are_open() {
        let mut doc = json!({ "components": { "schemas": { "ChangeType": {
            "type": "integer", "format": "uint8", "enum": [0, 1, 2],
            "description": "- `0`: Modified"
        } } } });
        let used = apply(&mut doc).expect("ChangeType is audited");
        let change_type = &doc["components"]["schemas"]["ChangeType"];
        assert_eq!(change_type.get("enum"), None);
        assert_eq!(change_type["format"], "uint8");
        assert!(used.contains(&("ChangeType", "")));
    }

    #[test]
    fn audited_unsigned_integers_stay_unsigned_wherever_they_are() {
        let mut doc = json!({
            "components": { "schemas": { "ContainerMemoryStats": { "type": "object", "properties": {
                "usage": { "type": "integer", "format": "uint64" },
                "stats": { "type": "object", "additionalProperties": { "type": "integer", "format": "uint64" } }
            } } } },
            "paths": { "/containers/{id}/changes": { "get": { "responses": { "200": {
                "content": { "application/json": { "schema": { "type": "array", "items": {
                    "type": "object",
                    "properties": { "Kind": { "type": "integer", "format": "uint8", "enum": [0, 1, 2] } }
                } } } }
            } } } } }
        });
        let used = apply(&mut doc).expect("all audited");
        assert_eq!(
            used.into_iter().collect::<Vec<_>>(),
            [
                ("ContainerMemoryStats", "stats.{}"),
                ("ContainerMemoryStats", "usage"),
                ("GET /containers/{id}/changes", "[].Kind"),
            ]
        );
        let memory = &doc["components"]["schemas"]["ContainerMemoryStats"]["properties"];
        assert_eq!(memory["usage"]["format"], "uint64");
    }

    #[test]
    fn an_unchecked_unsigned_integer_stops_generation() {
        let mut doc = json!({ "components": { "schemas": { "HostConfig": { "type": "object", "properties": {
            "MemorySwap": { "type": "integer", "format": "uint64" }
        } } } } });
        let error = apply(&mut doc)
            .expect_err("MemorySwap is not audited")
            .to_string();
        assert!(error.contains("HostConfig MemorySwap (format uint64)"), "{error}");
        assert!(error.contains("AUDITED_UNSIGNED"), "{error}");
    }

    #[test]
    fn a_field_no_swagger_has_is_a_stale_entry() {
        let error = check_all_used(&Used::new())
            .expect_err("nothing used")
            .to_string();
        assert!(error.contains("ObjectVersion Index"), "{error}");
    }
}
