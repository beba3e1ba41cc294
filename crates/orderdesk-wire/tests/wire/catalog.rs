//! TMF620 v5 OAS examples read through the tolerant catalog types and write back unchanged.

use orderdesk_wire::catalog::{
    CatalogSnapshot, Category, ProductOffering, ProductOfferingPrice, ProductSpecification,
};
use serde_json::{json, Value};

use crate::common::read_yaml_spec;

fn collect(v: &Value, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(m) => {
            if let Some(t) = m.get("@type").and_then(Value::as_str) {
                if matches!(
                    t,
                    "ProductOffering"
                        | "ProductOfferingPrice"
                        | "ProductSpecification"
                        | "Category"
                ) {
                    out.push((t.to_owned(), v.clone()));
                }
            }
            m.values().for_each(|c| collect(c, out));
        }
        Value::Array(items) => items.iter().for_each(|c| collect(c, out)),
        _ => {}
    }
}

#[test]
fn tmf620_v5_examples_round_trip_through_catalog_types() {
    let spec = read_yaml_spec("TMF620-ProductCatalog-v5.0.0.oas.yaml");
    let mut found = Vec::new();
    if let Some(examples) = spec.pointer("/components/examples").and_then(Value::as_object) {
        for ex in examples.values() {
            if let Some(v) = ex.get("value") {
                collect(v, &mut found);
            }
        }
    }
    let mut snapshot = json!({"productOffering": [], "productOfferingPrice": [], "productSpecification": [], "category": []});
    for (i, (kind, v)) in found.iter().enumerate() {
        let back = match kind.as_str() {
            "ProductOffering" => ProductOffering::from_value(v.clone()).map(|x| x.to_value()),
            "ProductOfferingPrice" => {
                ProductOfferingPrice::from_value(v.clone()).map(|x| x.to_value())
            }
            "ProductSpecification" => {
                ProductSpecification::from_value(v.clone()).map(|x| x.to_value())
            }
            _ => Category::from_value(v.clone()).map(|x| x.to_value()),
        }
        .unwrap_or_else(|e| panic!("{kind} example {i}: {e}"));
        assert_eq!(&back, v, "{kind} example {i} changed");
        let key = match kind.as_str() {
            "ProductOffering" => "productOffering",
            "ProductOfferingPrice" => "productOfferingPrice",
            "ProductSpecification" => "productSpecification",
            _ => "category",
        };
        if let Some(list) = snapshot.get_mut(key).and_then(Value::as_array_mut) {
            list.push(v.clone());
        }
    }
    let counts: Vec<usize> =
        ["productOffering", "productOfferingPrice", "productSpecification", "category"]
            .iter()
            .map(|k| snapshot[k].as_array().map_or(0, Vec::len))
            .collect();
    eprintln!("TMF620 v5 examples: offerings, prices, specifications, categories = {counts:?}");
    assert!(counts.iter().all(|n| *n > 0), "expected examples of every kind: {counts:?}");
    let snap = CatalogSnapshot::from_value(snapshot.clone()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(snap.to_value(), snapshot);
    assert_eq!(snap.offerings().len(), counts[0]);
    // Something modelled is actually read (not everything parked in `extra`).
    assert!(snap.offerings().iter().any(|o| o.name.is_some() && o.lifecycle_status.is_some()));
    assert!(snap.prices().iter().any(|p| p.price.as_ref().and_then(|m| m.value).is_some()));
}
