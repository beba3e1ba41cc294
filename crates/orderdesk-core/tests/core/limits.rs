//! Hostile sizes: every one gets a clear error or finding, none overflows the stack, allocates
//! without bound or takes long.

use orderdesk_core::limits::{MAX_BUNDLE_DEPTH, MAX_ITEMS, MAX_ORDER_DEPTH, MAX_PERIODS};
use orderdesk_core::{
    apply, price, validate_json, Catalog, CoreError, ErrorCode, Layout, Op, Order, PricingOptions,
    ValidateOptions,
};
use serde_json::{json, Map, Value};

fn codes(doc: &Value) -> Vec<String> {
    validate_json(doc, None, ValidateOptions::default()).into_iter().map(|f| f.code).collect()
}

/// `n` flat items, each bundling the next (the shape of the report: 30,000 items).
fn chain(n: usize) -> Value {
    let items: Vec<Value> = (0..n)
        .map(|i| {
            let mut item = json!({"id": i.to_string(), "action": "add"});
            if i + 1 < n {
                item["productOrderItemRelationship"] =
                    json!([{"id": (i + 1).to_string(), "relationshipType": "bundles"}]);
            }
            item
        })
        .collect();
    json!({ "productOrderItem": items })
}

#[test]
fn thirty_thousand_chained_items_are_refused_by_count() {
    let found = codes(&chain(30_000));
    assert_eq!(found, ["limit.items"]);
    match Order::from_json(chain(30_000)) {
        Err(e @ CoreError::Limit { .. }) => assert_eq!(e.code(), "limit.items"),
        other => panic!("expected a limit error, got {other:?}"),
    }
}

#[test]
fn a_chain_within_the_item_limit_is_refused_by_depth() {
    assert_eq!(codes(&chain(MAX_ITEMS)), ["limit.depth"]);
    assert!(codes(&chain(MAX_BUNDLE_DEPTH)).iter().all(|c| !c.starts_with("limit.")));
    assert_eq!(codes(&chain(MAX_BUNDLE_DEPTH + 1)), ["limit.depth"]);
}

#[test]
fn nested_items_deeper_than_the_limit_are_refused() {
    let mut item = json!({"id": "leaf", "action": "add"});
    for i in 0..MAX_BUNDLE_DEPTH {
        item = json!({"id": i.to_string(), "action": "add", "productOrderItem": [item]});
    }
    let found = codes(&json!({ "productOrderItem": [item] }));
    assert_eq!(found, ["limit.depth"]);
}

#[test]
fn a_term_of_four_billion_months_is_priced_for_the_limit_and_said_so() {
    let order = Order::from_json(json!({"productOrderItem": [{"id": "1", "action": "add",
        "itemTerm": [{"duration": {"amount": 4_294_967_295_u64, "units": "month"}}],
        "itemPrice": [{"priceType": "recurring", "recurringChargePeriod": "month",
            "price": {"taxIncludedAmount": {"unit": "EUR", "value": 1}}}]}]}))
    .unwrap_or_else(|e| panic!("{e}"));
    let quote = price(&order, None, PricingOptions::default());
    assert!(quote.findings.iter().any(|f| f.code == "limit.periods"), "{:?}", quote.findings);
    let eur = &quote.currencies[0];
    assert_eq!(eur.schedule.len(), MAX_PERIODS as usize);
}

#[test]
fn amounts_beyond_the_decimal_type_are_named() {
    let order = Order::from_json(json!({"productOrderItem": [{"id": "1", "action": "add",
        "quantity": 1_000_000,
        "itemPrice": [{"priceType": "oneTime",
            "price": {"taxIncludedAmount": {"unit": "EUR", "value": 79_228_162_514_264_337_593_543_950_u128}}}]}]}))
    .unwrap_or_else(|e| panic!("{e}"));
    let quote = price(&order, None, PricingOptions::default());
    assert!(quote.findings.iter().any(|f| f.code == "price.overflow"), "{:?}", quote.findings);
}

fn catalog(offerings: Vec<Value>) -> Catalog {
    Catalog::from_json(&json!({ "productOffering": offerings })).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_bundle_lower_limit_of_four_billion_stops_at_the_item_limit() {
    let cat = catalog(vec![
        json!({"id": "B", "isBundle": true, "bundledProductOffering": [{"id": "C",
            "bundledProductOfferingOption": {"numberRelOfferLowerLimit": 4_294_967_295_u64}}]}),
        json!({"id": "C"}),
    ]);
    let op = Op::AddOffering { offering_id: "B".into(), parent: None, quantity: None };
    match apply(&Order::default(), &op, Some(&cat)) {
        Err(e) => assert_eq!(e.code(), "limit.items", "{e}"),
        Ok(o) => panic!("added {} items", o.item_count()),
    }
}

#[test]
fn a_catalog_bundle_chain_stops_at_the_depth_limit() {
    let offerings: Vec<Value> = (0..10_000)
        .map(|i| {
            json!({"id": format!("O{i}"), "isBundle": true, "bundledProductOffering": [{
                "id": format!("O{}", i + 1),
                "bundledProductOfferingOption": {"numberRelOfferLowerLimit": 1}}]})
        })
        .collect();
    let cat = catalog(offerings);
    let op = Op::AddOffering { offering_id: "O0".into(), parent: None, quantity: None };
    match apply(&Order::default(), &op, Some(&cat)) {
        Err(e) => assert_eq!(e.code(), "limit.depth", "{e}"),
        Ok(_) => panic!("a 10,000-level bundle was added"),
    }
}

#[test]
fn a_move_that_would_nest_too_deep_is_refused() {
    // Two chains of half the limit plus one: moving one under the other's leaf is too deep.
    let half = MAX_BUNDLE_DEPTH / 2 + 1;
    let mut items: Vec<Value> = Vec::new();
    for chain in ["a", "b"] {
        for i in 0..half {
            let mut item = json!({"id": format!("{chain}{i}"), "action": "add",
                "product": {"isBundle": true}});
            if i + 1 < half {
                item["productOrderItemRelationship"] =
                    json!([{"id": format!("{chain}{}", i + 1), "relationshipType": "bundles"}]);
            }
            items.push(item);
        }
    }
    let order =
        Order::from_json(json!({ "productOrderItem": items })).unwrap_or_else(|e| panic!("{e}"));
    // Under the last bundle of chain a (the one above its leaf): half - 1 + half levels.
    let last_bundle = format!("a{}", half - 2);
    let op = Op::MoveItem { item: "b0".into(), parent: Some(last_bundle), index: None };
    match apply(&order, &op, None) {
        Err(e) => assert_eq!(e.code(), "limit.depth", "{e}"),
        Ok(_) => panic!("moved into a {}-level bundle", 2 * half),
    }
}

#[test]
fn quantities_and_texts_have_limits() {
    let long = "x".repeat(orderdesk_core::limits::MAX_TEXT_CHARS + 1);
    let mut fields = Map::new();
    fields.insert("description".into(), Value::String(long));
    let found = codes(&json!({"description": fields["description"],
        "productOrderItem": [{"id": "1", "action": "add", "quantity": 1_000_000_000_u64}]}));
    assert!(found.contains(&"limit.text".to_owned()), "{found:?}");
    assert!(found.contains(&"limit.quantity".to_owned()), "{found:?}");
    let op = Op::SetQuantity { item: "1".into(), quantity: u64::MAX };
    let order = Order::from_json(json!({"productOrderItem": [{"id": "1", "action": "add"}]}))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(apply(&order, &op, None).err().map(|e| e.code()), Some("limit.quantity"));
}

#[test]
fn an_edit_never_brings_a_text_past_the_limit() {
    let order = Order::from_json(json!({"productOrderItem": [{"id": "1", "action": "add"}]}))
        .unwrap_or_else(|e| panic!("{e}"));
    let max = orderdesk_core::limits::MAX_TEXT_CHARS;
    let set = |text: String| Op::SetCharacteristic {
        item: "1".into(),
        name: "TEL_MSISDN".into(),
        value: Value::String(text),
        value_type: None,
    };
    let err = apply(&order, &set("4".repeat(1024 * 1024)), None).err();
    assert_eq!(err.as_ref().map(|e| e.code()), Some("limit.text"));
    assert_eq!(err.map(|e| e.to_string()), Some(format!("value is longer than {max} characters")));
    // At the limit, counted in characters (each of these is two bytes).
    assert!(apply(&order, &set("\u{e9}".repeat(max)), None).is_ok());
    let notes = Op::SetNotes { notes: vec![json!({"text": "x".repeat(max + 1)})] };
    assert_eq!(apply(&order, &notes, None).err().map(|e| e.code()), Some("limit.text"));
}

/// `value` wrapped in `levels` one-member objects.
fn nested(levels: usize, mut value: Value) -> Value {
    for _ in 0..levels {
        value = json!({ "x": value });
    }
    value
}

#[test]
fn an_edit_never_nests_the_saved_order_deeper_than_the_limit() {
    let order = Order::from_json(json!({"productOrderItem": [{"id": "1", "action": "add"}]}))
        .unwrap_or_else(|e| panic!("{e}"));
    // A characteristic value sits 6 levels into the saved order (order, items, item, product,
    // characteristics, characteristic).
    let fits = MAX_ORDER_DEPTH - 6;
    for (levels, allowed) in [(fits, true), (fits + 1, false), (200, false)] {
        let op = Op::SetCharacteristic {
            item: "1".into(),
            name: "deep".into(),
            value: nested(levels, json!(1)),
            value_type: None,
        };
        match apply(&order, &op, None) {
            Ok(next) => {
                assert!(allowed, "a value {levels} levels deep was set");
                assert_eq!(next.flat_json_depth(), MAX_ORDER_DEPTH);
                let saved = serde_json::to_string(&next.to_json(Layout::Flat)).unwrap_or_default();
                assert!(serde_json::from_str::<Value>(&saved).is_ok());
            }
            Err(e) => {
                assert!(!allowed, "a value {levels} levels deep was refused: {e}");
                assert_eq!(e.code(), "core.invalid_value");
            }
        }
    }
}

#[test]
fn an_order_imported_deeper_than_the_edit_limit_stays_editable() {
    let deep = nested(MAX_ORDER_DEPTH + 20, json!("leaf"));
    let order = Order::from_json(json!({"x-deep": deep, "productOrderItem": [{"id": "1"}]}))
        .unwrap_or_else(|e| panic!("{e}"));
    let op = Op::SetQuantity { item: "1".into(), quantity: 2 };
    assert!(apply(&order, &op, None).is_ok());
    let deeper = Op::SetNotes { notes: vec![nested(MAX_ORDER_DEPTH + 30, json!(1))] };
    assert!(apply(&order, &deeper, None).is_err());
}
