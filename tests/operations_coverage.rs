//! No endpoint is silently dropped: every operation of every swagger in
//! `spec/` has a builder in the generated client of its version.
//!
//! The generated code names each operation in the `OperationInfo` of its
//! builder's `send`, as the swagger's operationId in snake case.

use std::collections::BTreeSet;
use std::path::Path;

/// Operations a version module deliberately leaves out, with the reason.
/// The goal is to keep this empty.
const EXCLUDED: &[(&str, &str)] = &[];

fn snake_case(id: &str) -> String {
    let mut out = String::new();
    for (i, c) in id.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

#[test]
fn every_swagger_operation_is_generated() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut versions = 0;
    for entry in std::fs::read_dir(root.join("spec")).unwrap() {
        let path = entry.unwrap().path();
        let Some(version) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix('v'))
            .and_then(|n| n.strip_suffix(".yaml"))
            .map(str::to_owned)
        else {
            continue;
        };
        versions += 1;
        let swagger: serde_yaml::Value =
            serde_yaml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let mut operations = BTreeSet::new();
        for (_, item) in swagger["paths"].as_mapping().unwrap() {
            for (_, operation) in item.as_mapping().unwrap() {
                operations.insert(operation["operationId"].as_str().unwrap().to_owned());
            }
        }

        let module = format!("v{}.rs", version.replace('.', "_"));
        let generated =
            std::fs::read_to_string(root.join("crates/docker-engine-api/src").join(&module)).unwrap();
        let missing: Vec<_> = operations
            .iter()
            .filter(|id| !EXCLUDED.iter().any(|(excluded, _)| excluded == id))
            .filter(|id| !generated.contains(&format!("operation_id: \"{}\"", snake_case(id))))
            .collect();
        assert!(
            missing.is_empty(),
            "v{version}: operations missing from {module}: {missing:?}"
        );
        let expected = if version == "1.41" { 106 } else { 0 };
        if expected > 0 {
            assert_eq!(
                operations.len(),
                expected,
                "v{version} has {} operations",
                operations.len()
            );
        }
    }
    assert_eq!(versions, 15, "spec/ holds v1.41 … v1.55");
}

#[test]
fn snake_case_matches_progenitor() {
    assert_eq!(snake_case("ContainerList"), "container_list");
    assert_eq!(snake_case("SystemPingHead"), "system_ping_head");
}
