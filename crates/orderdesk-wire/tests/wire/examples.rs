//! Every example payload in the official specs reads and writes back to the same JSON value.

use orderdesk_wire::{convert, detect_version, parse_order_as, v4, v5, Version};
use serde_json::Value;

use crate::common::{read_json, read_spec, read_yaml_spec, tmf_dir};

/// Collects objects that are orders or cancellations anywhere inside an example.
fn collect<'a>(v: &'a Value, orders: &mut Vec<&'a Value>, cancels: &mut Vec<&'a Value>) {
    match v {
        Value::Object(m) => {
            let t = m.get("@type").and_then(Value::as_str);
            if t == Some("CancelProductOrder") {
                cancels.push(v);
            } else if t == Some("ProductOrder") || m.contains_key("productOrderItem") {
                orders.push(v);
            }
            for child in m.values() {
                collect(child, orders, cancels);
            }
        }
        Value::Array(items) => items.iter().for_each(|x| collect(x, orders, cancels)),
        _ => {}
    }
}

fn check_order_round_trip(example: &Value, version: Version, label: &str) {
    let order = parse_order_as(example.clone(), version)
        .unwrap_or_else(|e| panic!("{label}: not readable: {e}"));
    assert_eq!(&order.to_value(version), example, "{label}: read/write changed the payload");
    // Through text as well: the exact number text must survive serialisation.
    let text = serde_json::to_string(&order).unwrap_or_else(|e| panic!("{label}: {e}"));
    let again: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{label}: {e}"));
    assert_eq!(&again, example, "{label}: text round trip changed the payload");
}

#[test]
fn v5_oas_examples_round_trip() {
    let spec = read_yaml_spec("TMF622-ProductOrdering-v5.0.0.oas.yaml");
    let examples = spec
        .pointer("/components/examples")
        .and_then(Value::as_object)
        .unwrap_or_else(|| panic!("v5 OAS has no components/examples"));
    let (mut orders, mut cancels) = (Vec::new(), Vec::new());
    for (name, ex) in examples {
        if let Some(value) = ex.get("value") {
            let before = orders.len() + cancels.len();
            collect(value, &mut orders, &mut cancels);
            let _ = (name, before);
        }
    }
    for (i, o) in orders.iter().enumerate() {
        check_order_round_trip(o, Version::V5, &format!("v5 order example {i}"));
        // v5 → v4 → v5 keeps everything.
        let parsed = v5::ProductOrder::from_value((*o).clone()).unwrap_or_default();
        let back = convert::v4_to_v5(&convert::v5_to_v4(&parsed));
        assert_eq!(back, parsed, "v5 order example {i}: v5→v4→v5 changed the order");
        assert_eq!(back.to_value(), parsed.to_canonical_value(), "v5 example {i}: JSON changed");
        if o.get("creationDate").is_some() || o.get("externalId").is_some_and(Value::is_array) {
            assert_eq!(detect_version(o), Some(Version::V5), "v5 order example {i} detection");
        }
    }
    for (i, c) in cancels.iter().enumerate() {
        let parsed = v5::CancelProductOrder::from_value((*c).clone())
            .unwrap_or_else(|e| panic!("v5 cancel example {i}: {e}"));
        assert_eq!(&parsed.to_value(), *c, "v5 cancel example {i}");
        let back = convert::cancel_v4_to_v5(&convert::cancel_v5_to_v4(&parsed));
        assert_eq!(back.to_value(), parsed.to_canonical_value(), "v5 cancel example {i}: v5→v4→v5");
    }
    eprintln!("v5 OAS: {} order examples, {} cancellation examples", orders.len(), cancels.len());
    assert!(orders.len() >= 10, "expected the v5 OAS order examples, found {}", orders.len());
    assert!(!cancels.is_empty(), "expected v5 OAS cancellation examples");
}

#[test]
fn v4_swagger_and_ctk_examples_round_trip() {
    // The v4 swagger carries no `example`/`x-examples`; count them anyway so a future copy with
    // examples is exercised.
    let swagger: Value =
        serde_json::from_str(&read_spec("TMF622-ProductOrdering-v4.0.0.swagger.json"))
            .unwrap_or_else(|e| panic!("v4 swagger: {e}"));
    let mut payloads: Vec<(String, Value)> = Vec::new();
    find_examples(&swagger, "swagger", &mut payloads);

    let ctk = tmf_dir().join("ctk-tmf622-v4");
    payloads.push((
        "ProductOrder.example.json".into(),
        read_json(&ctk.join("ProductOrder.example.json")),
    ));
    let config = read_json(&ctk.join("config.json"));
    if let Some(p) = config.pointer("/payloads/ProductOrder/POST/payload") {
        payloads.push(("config.json payload".into(), p.clone()));
    }
    let collection =
        read_json(&ctk.join("TMF622-ProductOrdering-v4.0.0.testkit.postman_collection.json"));
    let mut bodies = Vec::new();
    postman_bodies(&collection, &mut bodies);
    for (i, raw) in bodies.iter().enumerate() {
        if let Ok(v) = serde_json::from_str::<Value>(raw) {
            payloads.push((format!("postman body {i}"), v));
        }
    }
    eprintln!("v4: {} example payloads (swagger + CTK)", payloads.len());
    assert!(payloads.len() >= 3, "expected the CTK payloads, found {}", payloads.len());
    for (label, p) in &payloads {
        check_order_round_trip(p, Version::V4, label);
        let parsed = v4::ProductOrder::from_value(p.clone()).unwrap_or_default();
        let v5 = convert::v4_to_v5(&parsed);
        let back = convert::v5_to_v4(&v5);
        crate::common::contained_except_types(p, &back.to_value(), "")
            .unwrap_or_else(|e| panic!("{label}: v4→v5→v4 lost data: {e}"));
    }
}

fn find_examples(v: &Value, path: &str, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let p = format!("{path}/{k}");
                if (k == "example" || k == "x-examples") && child.get("productOrderItem").is_some()
                {
                    out.push((p.clone(), child.clone()));
                }
                find_examples(child, &p, out);
            }
        }
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                find_examples(x, &format!("{path}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn postman_bodies(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(raw) = m.get("body").and_then(|b| b.get("raw")).and_then(Value::as_str) {
                out.push(raw.to_owned());
            }
            m.values().for_each(|x| postman_bodies(x, out));
        }
        Value::Array(items) => items.iter().for_each(|x| postman_bodies(x, out)),
        _ => {}
    }
}
