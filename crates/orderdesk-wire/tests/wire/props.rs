//! Property tests: arbitrary orders survive v4→v5→v4 and v5→v4→v5.

use orderdesk_wire::{convert, v4, v5};
use proptest::prelude::*;
use serde_json::{json, Map, Number, Value};

use crate::common::contained_except_types;

fn decimal() -> impl Strategy<Value = Value> {
    (0i64..1_000_000, 0u32..6).prop_map(|(n, scale)| {
        let s = rust_decimal::Decimal::new(n, scale).to_string();
        s.parse::<Number>().map(Value::Number).unwrap_or(Value::Null)
    })
}

fn ident() -> impl Strategy<Value = String> {
    "[a-z0-9]{1,8}"
}

fn characteristic() -> impl Strategy<Value = Value> {
    let value = prop_oneof![
        "[A-Za-z ]{0,10}".prop_map(Value::from),
        decimal(),
        any::<i32>().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        ("[a-z]{1,5}", decimal()).prop_map(|(k, v)| json!({ k: v })),
        prop::collection::vec("[a-z]{1,5}", 0..3).prop_map(|v| json!(v)),
    ];
    (ident(), value, any::<bool>()).prop_map(|(name, value, declare)| {
        let mut m = Map::new();
        m.insert("name".into(), Value::from(name));
        if declare {
            let vt = match &value {
                Value::String(_) => "string",
                Value::Number(_) => "number",
                Value::Bool(_) => "boolean",
                Value::Object(_) => "object",
                _ => "array",
            };
            m.insert("valueType".into(), Value::from(vt));
        }
        m.insert("value".into(), value);
        Value::Object(m)
    })
}

fn money() -> impl Strategy<Value = Value> {
    (prop::sample::select(vec!["EUR", "USD", "GBP"]), decimal())
        .prop_map(|(u, v)| json!({"unit": u, "value": v}))
}

fn order_price() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(vec!["recurring", "oneTime", "usage"]),
        money(),
        prop::collection::vec((decimal(), 1i64..12, ident()), 0..3),
    )
        .prop_map(|(pt, m, alts)| {
            let alts: Vec<Value> = alts
                .into_iter()
                .map(|(pct, dur, name)| {
                    json!({"name": name, "priceType": pt, "applicationDuration": dur,
                           "price": {"percentage": pct}})
                })
                .collect();
            let mut p = json!({"priceType": pt, "price": {"taxIncludedAmount": m}});
            if !alts.is_empty() {
                p["priceAlteration"] = Value::Array(alts);
            }
            p
        })
}

fn extra() -> impl Strategy<Value = Option<(String, Value)>> {
    prop::option::of(("x-[a-z]{1,6}", prop_oneof![decimal(), "[a-z]{0,6}".prop_map(Value::from)]))
}

fn item(id: usize) -> impl Strategy<Value = Value> {
    (
        prop::collection::vec(characteristic(), 0..4),
        prop::collection::vec(order_price(), 0..3),
        1i64..5,
        ident(),
        extra(),
        any::<bool>(),
    )
        .prop_map(move |(chars, prices, qty, offering, x, with_quote)| {
            let mut it = json!({
                "id": id.to_string(), "action": "add", "quantity": qty,
                "productOffering": {"id": offering},
                "product": {"productCharacteristic": chars, "isBundle": false}
            });
            if !prices.is_empty() {
                it["itemPrice"] = Value::Array(prices);
            }
            if with_quote {
                it["quoteItem"] = json!({"id": "qi-1", "quoteId": "q-1"});
            }
            if let (Some((k, v)), Some(m)) = (x, it.as_object_mut()) {
                m.insert(k, v);
            }
            it
        })
}

/// A v4 order: items (the first bundling the others), parties, external id, extras.
fn v4_order() -> impl Strategy<Value = Value> {
    (1usize..4)
        .prop_flat_map(|n| {
            let items: Vec<_> = (1..=n).map(item).collect();
            (
                items,
                prop::collection::vec((ident(), "[A-Z][a-z]{1,8}", prop::sample::select(vec!["customer", "seller"])), 0..3),
                prop::option::of(ident()),
                extra(),
                any::<bool>(),
            )
        })
        .prop_map(|(mut items, parties, ext, x, dated)| {
            let n = items.len();
            if n > 1 {
                let rels: Vec<Value> =
                    (2..=n).map(|i| json!({"id": i.to_string(), "relationshipType": "bundles"})).collect();
                items[0]["productOrderItemRelationship"] = Value::Array(rels);
            }
            let mut o = json!({ "productOrderItem": items });
            let parties: Vec<Value> = parties
                .into_iter()
                .map(|(id, name, role)| json!({"id": id, "name": name, "role": role, "@referredType": "Individual"}))
                .collect();
            if !parties.is_empty() {
                o["relatedParty"] = Value::Array(parties);
            }
            if let Some(e) = ext {
                o["externalId"] = Value::from(e);
            }
            if dated {
                o["orderDate"] = Value::from("2024-05-02T08:13:59.506Z");
            }
            if let (Some((k, v)), Some(m)) = (x, o.as_object_mut()) {
                m.insert(k, v);
            }
            o
        })
}

static V4_SCHEMA: std::sync::LazyLock<jsonschema::Validator> =
    std::sync::LazyLock::new(|| crate::schema::v4_validator("ProductOrder"));
static V5_SCHEMA: std::sync::LazyLock<jsonschema::Validator> =
    std::sync::LazyLock::new(|| crate::schema::v5_validator("ProductOrder"));

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn generated_orders_validate_in_both_versions(o in v4_order()) {
        let order = v4::ProductOrder::from_value(o).unwrap_or_default();
        let errs = crate::schema::errors(&V4_SCHEMA, &order.to_value());
        prop_assert!(errs.is_empty(), "v4: {:?}", errs);
        let v5 = convert::v4_to_v5(&order).to_value();
        let errs = crate::schema::errors(&V5_SCHEMA, &v5);
        prop_assert!(errs.is_empty(), "v5: {:?}\n{}", errs, v5);
    }

    #[test]
    fn v4_to_v5_to_v4_loses_nothing(o in v4_order()) {
        let order = v4::ProductOrder::from_value(o.clone()).unwrap_or_default();
        prop_assert_eq!(order.to_value(), o.clone());
        // Streaming serialisation writes what `to_value` builds, in the same member order.
        let text = serde_json::to_string(&order).unwrap_or_default();
        prop_assert_eq!(&text, &serde_json::to_string(&o).unwrap_or_default());
        let back = convert::v5_to_v4(&convert::v4_to_v5(&order));
        let r = contained_except_types(&o, &back.to_value(), "");
        prop_assert!(r.is_ok(), "{:?}", r);
    }

    #[test]
    fn v5_to_v4_to_v5_is_exact(o in v4_order(), owners in prop::collection::vec(("[a-z]{1,5}", "[a-z]{1,5}"), 0..3)) {
        let mut v5 = convert::v4_to_v5(&v4::ProductOrder::from_value(o).unwrap_or_default());
        // v5-only content: several external identifiers with owners, a requested initial state.
        if !owners.is_empty() {
            v5.external_id = Some(owners.into_iter().map(|(id, owner)| v5::ExternalIdentifier {
                id: Some(id), owner: Some(owner), at_type: Some("ExternalIdentifier".into()),
                ..Default::default()
            }).collect());
        }
        v5.requested_initial_state = Some("draft".into());
        let v5 = v5::ProductOrder::from_value(v5.to_value()).unwrap_or_default();
        let back = convert::v4_to_v5(&convert::v5_to_v4(&v5));
        prop_assert_eq!(&back, &v5);
        let text = serde_json::to_string(&back).unwrap_or_default();
        prop_assert_eq!(&text, &serde_json::to_string(&back.to_value()).unwrap_or_default());
        prop_assert_eq!(back.to_value(), v5.to_value());
    }
}
