//! Every payload we emit validates against the official JSON schema of its version.
//!
//! Translation done here (test code only):
//! - Swagger 2.0 (v4): the schema is `{definitions: <file's definitions>, allOf: [{$ref: ...}]}`,
//!   validated as draft 4.
//! - OAS 3.0 (v5): the schema is `{components: {schemas: <file's schemas>}, allOf: [{$ref: ...}]}`,
//!   validated as draft 4, with two OAS keywords translated: `nullable: true` adds `"null"` to
//!   `type`; a `oneOf` that carries a `discriminator` becomes `anyOf` (OAS picks the branch by
//!   `@type`, plain JSON Schema would reject a payload matching several open-ended branches),
//!   and `discriminator` itself is dropped.

use orderdesk_wire::{parse_order_value, Version};
use serde_json::{json, Map, Value};

use crate::common::{fixture, fixture_names, read_spec, read_yaml_spec};

fn translate_oas(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if m.remove("discriminator").is_some() {
                if let Some(one_of) = m.remove("oneOf") {
                    m.insert("anyOf".into(), one_of);
                }
            }
            if m.get("nullable") == Some(&Value::Bool(true)) {
                m.remove("nullable");
                if let Some(Value::String(t)) = m.get("type").cloned() {
                    m.insert("type".into(), json!([t, "null"]));
                }
            }
            m.values_mut().for_each(translate_oas);
        }
        Value::Array(items) => items.iter_mut().for_each(translate_oas),
        _ => {}
    }
}

fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(schema)
        .unwrap_or_else(|e| panic!("schema does not compile: {e}"))
}

pub fn v4_validator(definition: &str) -> jsonschema::Validator {
    let swagger: Value =
        serde_json::from_str(&read_spec("TMF622-ProductOrdering-v4.0.0.swagger.json"))
            .unwrap_or_else(|e| panic!("{e}"));
    let defs = swagger.get("definitions").cloned().unwrap_or_else(|| Value::Object(Map::new()));
    validator(&json!({
        "definitions": defs,
        "allOf": [{"$ref": format!("#/definitions/{definition}")}]
    }))
}

pub fn v5_validator(schema_name: &str) -> jsonschema::Validator {
    let spec = read_yaml_spec("TMF622-ProductOrdering-v5.0.0.oas.yaml");
    let mut schemas =
        spec.pointer("/components/schemas").cloned().unwrap_or_else(|| Value::Object(Map::new()));
    translate_oas(&mut schemas);
    validator(&json!({
        "components": {"schemas": schemas},
        "allOf": [{"$ref": format!("#/components/schemas/{schema_name}")}]
    }))
}

pub fn errors(v: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    v.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

/// Every fixture, in both versions, as we would emit it.
fn emitted() -> Vec<(String, Version, Value)> {
    let mut out = Vec::new();
    for name in fixture_names() {
        let order = parse_order_value(fixture(&name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        for version in [Version::V4, Version::V5] {
            out.push((name.clone(), version, order.to_value(version)));
        }
    }
    out
}

#[test]
fn emitted_v4_orders_validate_against_the_v4_swagger() {
    let v = v4_validator("ProductOrder");
    let mut n = 0;
    for (name, version, payload) in emitted().into_iter().filter(|(_, v, _)| *v == Version::V4) {
        if name.starts_with("tolerant") {
            continue; // kept oddities on purpose (same-version output is lossless)
        }
        let errs = errors(&v, &payload);
        assert!(errs.is_empty(), "{name} as {version}: {errs:#?}");
        n += 1;
    }
    assert!(n >= 3);
    // The validator is not vacuous: an order without items fails.
    assert!(!errors(&v, &json!({"id": "1"})).is_empty());
}

#[test]
fn emitted_v5_orders_validate_against_the_v5_oas() {
    let v = v5_validator("ProductOrder");
    let mut n = 0;
    for (name, version, payload) in emitted().into_iter().filter(|(_, v, _)| *v == Version::V5) {
        let errs = errors(&v, &payload);
        assert!(errs.is_empty(), "{name} as {version}: {errs:#?}");
        n += 1;
    }
    assert!(n >= 4);
    // Not vacuous: a v5 order without @type fails.
    assert!(!errors(&v, &json!({"productOrderItem": []})).is_empty());
}

#[test]
fn emitted_v5_create_payloads_validate_against_product_order_fvo() {
    let v = v5_validator("ProductOrder_FVO");
    for name in ["tmf25-bundle.v4.json", "tmf25-vendor-extensions.v4.json"] {
        let order = parse_order_value(fixture(name)).unwrap_or_else(|e| panic!("{e}"));
        let mut payload = order.to_value(Version::V5);
        // A create payload carries no server-side members.
        if let Some(m) = payload.as_object_mut() {
            m.remove("creationDate");
        }
        let errs = errors(&v, &payload);
        assert!(errs.is_empty(), "{name} as v5 FVO: {errs:#?}");
    }
}
