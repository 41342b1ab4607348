//! The lenient decoding policy, applied to every converted document.
//!
//! Docker's swagger describes what the engine means to send; the engine's Go
//! encoder sends what its structs hold. A nil slice or map is encoded as
//! `null`, also where the swagger says `x-nullable: false` or `required`. A
//! generated model that rejects `null` for a list would make a whole response
//! undecodable over an empty list, so every array- or map-typed property is
//! made nullable here, once, for every version. The generated field is then an
//! `Option`, and `null` and absent both decode as `None`.
//!
//! Strings stay strings. Timestamps (`format: date-time`) are kept as the text
//! the engine wrote: Go writes RFC 3339 with nanoseconds, and a zero time as
//! `0001-01-01T00:00:00Z`; a date type would re-encode them differently, and
//! most of the swagger's timestamps carry no format anyway, so typing the few
//! that do would make them the odd ones out. Validation keywords (`pattern`,
//! lengths, ranges, item counts) are not enforced on the client: the engine
//! checks what it is sent and answers with its own message; enforced here
//! they would turn an id or a `-1` sentinel the engine sends into a decode
//! error (typify makes a `minimum: 0` integer unsigned), and a pattern would
//! cost a regex engine in every build.
//!
//! A definition the swagger marks `x-nullable` as a whole (`ContainerState`,
//! `Health`, …) would become a newtype around an `Option`; instead the
//! definition stays a plain struct and the properties that refer to it say
//! nullable, so users meet `Option<ContainerState>` once, not twice.
//!
//! An object property with no properties at all (`Mode.Global`) says
//! something by being there; it is made nullable too, so that `Some({})`
//! is written and read back instead of an empty map that is skipped.
//!
//! Numbers have their own pass, `numbers`: signed integers are 64-bit,
//! unsigned ones only where the engine's Go type is, integer enums are open.
//!
//! What the policies cannot cover (a required field the engine leaves out, a
//! field the swagger types wrongly) is fixed by an evidence-backed patch in
//! `spec/patches/`.

use serde_json::{Map, Value, json};

/// Applies the policy to an OpenAPI 3.0 document (as JSON).
pub fn apply(openapi: &mut Value) {
    let Some(schemas) = openapi
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
    else {
        return;
    };
    let refs_where = |keep: fn(&Value) -> bool| -> Vec<String> {
        schemas
            .iter()
            .filter(|(_, schema)| keep(schema))
            .map(|(name, _)| format!("#/components/schemas/{name}"))
            .collect()
    };
    let collection_refs = refs_where(is_collection);
    let mut nullable_refs = refs_where(|schema| schema.get("nullable") == Some(&json!(true)));
    nullable_refs.extend(collection_refs.iter().cloned());
    let policy = Policy {
        nullable_refs: &nullable_refs,
    };
    if let Some(Value::Object(schemas)) = openapi.pointer_mut("/components/schemas") {
        for schema in schemas.values_mut() {
            if let Some(map) = schema.as_object_mut() {
                map.remove("nullable");
            }
            policy.visit(schema);
        }
    }
    if let Some(Value::Object(paths)) = openapi.get_mut("paths") {
        for item in paths.values_mut() {
            policy.visit(item);
        }
    }
}

/// Schema keywords that only validate; see the module docs.
const VALIDATION_KEYWORDS: &[&str] = &[
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minItems",
    "maxItems",
];

struct Policy<'a> {
    /// `$ref`s to definitions that are arrays or maps, or nullable as a whole.
    nullable_refs: &'a [String],
}

impl Policy<'_> {
    fn visit(&self, value: &mut Value) {
        match value {
            Value::Object(map) => {
                if map.get("format").and_then(Value::as_str) == Some("date-time") {
                    map.remove("format");
                }
                // Validation is the engine's job: a length or range here
                // would make typify reject (or re-type) what the engine sends.
                for constraint in VALIDATION_KEYWORDS {
                    map.remove(*constraint);
                }
                if let Some(Value::Object(properties)) = map.get_mut("properties") {
                    for property in properties.values_mut() {
                        self.make_nullable_if_collection(property);
                    }
                }
                for (key, child) in map.iter_mut() {
                    // Enum and default values are data, not schemas.
                    if key != "enum" && key != "default" {
                        self.visit(child);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.visit(v)),
            _ => {}
        }
    }

    fn make_nullable_if_collection(&self, property: &mut Value) {
        let Some(map) = property.as_object_mut() else {
            return;
        };
        if let Some(target) = map.get("$ref").and_then(Value::as_str) {
            if self.nullable_refs.iter().any(|r| r == target) {
                // OpenAPI 3.0 ignores siblings of `$ref`; wrap it to say nullable.
                let reference = map.remove("$ref").unwrap_or_default();
                map.insert("allOf".into(), json!([{ "$ref": reference }]));
                map.insert("nullable".into(), json!(true));
            }
        } else if is_collection_map(map) || is_marker_object(map) {
            map.insert("nullable".into(), json!(true));
        }
    }
}

/// An object with no properties at all, whose presence is the whole
/// message: a service's `Mode: {"Global": {}}`. Left required, the field
/// would be a map skipped when empty, and a global service could neither be
/// sent nor read back; nullable, `Some` of an empty map is written as `{}`.
fn is_marker_object(schema: &Map<String, Value>) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("object")
        && !schema.contains_key("properties")
        && !schema.contains_key("additionalProperties")
        && !schema.contains_key("allOf")
        && !schema.contains_key("$ref")
}

fn is_collection(schema: &Value) -> bool {
    schema.as_object().is_some_and(is_collection_map)
}

/// An array, or a map (an object with `additionalProperties` and no fixed
/// properties).
fn is_collection_map(schema: &Map<String, Value>) -> bool {
    match schema.get("type").and_then(Value::as_str) {
        Some("array") => true,
        Some("object") | None => {
            schema
                .get("additionalProperties")
                .is_some_and(|a| a != &json!(false))
                && !schema.contains_key("properties")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_and_patterned_strings_stay_plain_strings() {
        let mut doc = json!({ "paths": { "/containers/create": { "post": { "parameters": [
            { "name": "name", "in": "query", "schema": { "type": "string", "pattern": "^/?[a-z]+$", "maxLength": 64 } }
        ] } } }, "components": { "schemas": {
            "Health": { "type": "object", "properties": {
                "Start": { "type": "string", "format": "date-time" },
                "Containers": { "type": "integer", "format": "int64", "minimum": 0 }
            } }
        } } });
        apply(&mut doc);
        assert_eq!(
            doc["components"]["schemas"]["Health"]["properties"]["Start"],
            json!({ "type": "string" })
        );
        let parameter = &doc["paths"]["/containers/create"]["post"]["parameters"][0];
        assert_eq!(parameter["schema"], json!({ "type": "string" }));
    }

    #[test]
    fn marker_objects_keep_their_presence() {
        let mut doc = json!({ "components": { "schemas": {
            "ServiceSpecMode": { "type": "object", "properties": {
                "Global": { "type": "object" },
                "Replicated": { "type": "object", "properties": { "Replicas": { "type": "integer" } } }
            } }
        } } });
        apply(&mut doc);
        let mode = &doc["components"]["schemas"]["ServiceSpecMode"]["properties"];
        assert_eq!(mode["Global"]["nullable"], json!(true));
        assert_eq!(mode["Replicated"].get("nullable"), None);
    }

    #[test]
    fn lists_and_maps_accept_null() {
        let mut doc = json!({ "components": { "schemas": {
            "Image": { "type": "object", "properties": {
                "RepoTags": { "type": "array", "items": { "type": "string" } },
                "Labels": { "type": "object", "additionalProperties": { "type": "string" } },
                "Ports": { "$ref": "#/components/schemas/PortMap" },
                "Id": { "type": "string" }
            } },
            "PortMap": { "type": "object", "additionalProperties": { "type": "string" } },
            "Container": { "type": "object", "properties": {
                "State": { "$ref": "#/components/schemas/State" }
            } },
            "State": { "type": "object", "nullable": true, "properties": {
                "Running": { "type": "boolean" }
            } }
        } } });
        apply(&mut doc);
        let image = &doc["components"]["schemas"]["Image"]["properties"];
        assert_eq!(image["RepoTags"]["nullable"], json!(true));
        assert_eq!(image["Labels"]["nullable"], json!(true));
        assert_eq!(
            image["Ports"],
            json!({ "allOf": [{ "$ref": "#/components/schemas/PortMap" }], "nullable": true })
        );
        assert_eq!(image["Id"].get("nullable"), None);
        let schemas = &doc["components"]["schemas"];
        assert_eq!(schemas["State"].get("nullable"), None);
        assert_eq!(
            schemas["Container"]["properties"]["State"]["nullable"],
            json!(true)
        );
    }
}
