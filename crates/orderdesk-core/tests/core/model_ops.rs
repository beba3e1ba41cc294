//! Import/export and composition operations.

use orderdesk_core::{apply, Action, CoreError, Layout, Op, Order};
use serde_json::{json, Value};

use super::{catalog, json, order, TMF25};

fn ok(order: &Order, op: Op) -> Order {
    match apply(order, &op, Some(&catalog())) {
        Ok(o) => o,
        Err(e) => panic!("{op:?} failed: {e}"),
    }
}

#[test]
fn flat_import_builds_the_bundle_tree() {
    let o = order(json(TMF25));
    assert_eq!(o.items.len(), 1);
    let bundle = &o.items[0];
    assert_eq!(bundle.id, "100");
    let children: Vec<&str> = bundle.children.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(children, ["110", "120", "130"]);
    assert_eq!(bundle.children[1].relationships[0].kind, "reliesOn");
    assert_eq!(o.item_count(), 4);
}

#[test]
fn flat_export_round_trips_losslessly() {
    let input = json(TMF25);
    let exported = order(input.clone()).to_json(Layout::Flat);
    assert_eq!(exported, input);
    // Vendor fields and exact number text survive.
    assert_eq!(exported["x-vendorTrace"]["score"].to_string(), "0.1000");
    assert_eq!(exported["productOrderItem"][1]["x-vendorItemFlag"], true);
}

#[test]
fn nested_and_flat_give_the_same_tree() {
    let flat = order(json(TMF25));
    let nested_json = flat.to_json(Layout::Nested);
    assert_eq!(nested_json["productOrderItem"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        nested_json["productOrderItem"][0]["productOrderItem"].as_array().map(Vec::len),
        Some(3)
    );
    let nested = order(nested_json);
    assert_eq!(nested.without_origins(), flat.without_origins());
    assert_eq!(
        nested.without_origins().to_json(Layout::Flat),
        flat.without_origins().to_json(Layout::Flat)
    );
}

#[test]
fn import_refuses_what_is_not_an_order() {
    assert!(matches!(Order::from_json(json!([])), Err(CoreError::Import { .. })));
    assert!(matches!(
        Order::from_json(json!({ "productOrderItem": {} })),
        Err(CoreError::Import { .. })
    ));
    let err = Order::from_json(json!({ "productOrderItem": [1] }));
    assert!(
        matches!(err, Err(CoreError::Import { ref path, .. }) if path == "/productOrderItem/0")
    );
}

#[test]
fn add_bundle_offering_adds_required_children() {
    let o = ok(
        &Order::default(),
        Op::AddOffering { offering_id: "14277".into(), parent: None, quantity: None },
    );
    let ids: Vec<&str> = o.items[0].children.iter().filter_map(|c| c.offering_id()).collect();
    // Mobile (min 1), Tariff (min 1), Coverage (min 0, default 1).
    assert_eq!(ids, ["14305", "14344", "14354"]);
    assert_eq!(o.items[0].id, "1");
    let child_ids: Vec<&str> = o.items[0].children.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(child_ids, ["2", "3", "4"]);
    assert_eq!(o.items[0].children[0].specification_id(), Some("14307"));
    // Ids continue after the largest numeric id already used.
    let imported = order(json(TMF25));
    let more = ok(
        &imported,
        Op::AddOffering {
            offering_id: "14354".into(),
            parent: Some("100".into()),
            quantity: Some(2),
        },
    );
    let last = more.items[0].children.last().map(|c| (c.id.clone(), c.fields["quantity"].clone()));
    assert_eq!(last, Some(("131".to_string(), json!(2))));
    assert_eq!(
        apply(
            &imported,
            &Op::AddOffering { offering_id: "nope".into(), parent: None, quantity: None },
            Some(&catalog())
        ),
        Err(CoreError::UnknownOffering("nope".into()))
    );
}

#[test]
fn remove_and_move_items() {
    let o = order(json(TMF25));
    let removed = ok(&o, Op::RemoveItem { item: "110".into() });
    assert_eq!(removed.item_count(), 3);
    // Relationships to the removed item go with it.
    assert!(removed.items[0].children.iter().all(|c| c.relationships.is_empty()));
    let removed_all = ok(&o, Op::RemoveItem { item: "100".into() });
    assert_eq!(removed_all.item_count(), 0);

    let moved = ok(&o, Op::MoveItem { item: "130".into(), parent: None, index: Some(0) });
    assert_eq!(moved.items[0].id, "130");
    assert_eq!(moved.items[1].children.len(), 2);
    // Out to the top level and back into the bundle, at a position.
    let back =
        ok(&moved, Op::MoveItem { item: "130".into(), parent: Some("100".into()), index: Some(1) });
    let ids: Vec<&str> = back.items[0].children.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["110", "130", "120"]);
    // A tariff plan is not a bundle: nothing moves under it.
    assert_eq!(
        apply(
            &o,
            &Op::MoveItem { item: "130".into(), parent: Some("120".into()), index: None },
            Some(&catalog())
        ),
        Err(CoreError::NotABundle { item: "130".into(), parent: "120".into() })
    );
    // Without the catalog, an item with children counts as a bundle, a leaf does not.
    assert!(apply(
        &moved,
        &Op::MoveItem { item: "130".into(), parent: Some("100".into()), index: None },
        None
    )
    .is_ok());
    assert!(matches!(
        apply(
            &o,
            &Op::MoveItem { item: "130".into(), parent: Some("110".into()), index: None },
            None
        ),
        Err(CoreError::NotABundle { .. })
    ));
    // Nor under itself.
    assert_eq!(
        apply(
            &o,
            &Op::MoveItem { item: "100".into(), parent: Some("100".into()), index: None },
            None
        ),
        Err(CoreError::MoveIntoItself { item: "100".into(), parent: "100".into() })
    );
    assert_eq!(
        apply(
            &o,
            &Op::MoveItem { item: "100".into(), parent: Some("120".into()), index: None },
            None
        ),
        Err(CoreError::MoveIntoItself { item: "100".into(), parent: "120".into() })
    );
    assert!(matches!(
        apply(&o, &Op::MoveItem { item: "130".into(), parent: None, index: Some(5) }, None),
        Err(CoreError::OutOfRange { .. })
    ));
    assert_eq!(
        apply(&o, &Op::RemoveItem { item: "x".into() }, None),
        Err(CoreError::UnknownItem("x".into()))
    );
    // The input is never changed.
    assert_eq!(o, order(json(TMF25)));
}

#[test]
fn quantity_action_and_characteristics() {
    let o = order(json(TMF25));
    let q = ok(&o, Op::SetQuantity { item: "130".into(), quantity: 2 });
    assert_eq!(q.items[0].children[2].quantity(), Ok(2));
    assert!(apply(&o, &Op::SetQuantity { item: "130".into(), quantity: 0 }, None).is_err());

    assert_eq!(
        apply(
            &o,
            &Op::SetAction { item: "110".into(), action: Action::Modify, product_id: None },
            None
        ),
        Err(CoreError::ProductIdRequired { item: "110".into(), action: "modify".into() })
    );
    let m = ok(
        &o,
        Op::SetAction {
            item: "110".into(),
            action: Action::Modify,
            product_id: Some("P-9".into()),
        },
    );
    assert_eq!(m.items[0].children[0].action(), Some("modify"));
    assert_eq!(m.items[0].children[0].product_id(), Some("P-9"));

    let c = ok(
        &o,
        Op::SetCharacteristic {
            item: "130".into(),
            name: "CoverageOptions".into(),
            value: json!("International"),
            value_type: None,
        },
    );
    let chars = c.items[0].children[2].characteristics();
    assert_eq!(chars.len(), 1);
    assert_eq!(chars[0]["value"], "International");
    // The characteristic's other fields (id, @type) are kept.
    assert_eq!(chars[0]["id"], "Char7");
    let added = ok(
        &c,
        Op::SetCharacteristic {
            item: "120".into(),
            name: "DATA_GB".into(),
            value: json!(10),
            value_type: Some("integer".into()),
        },
    );
    assert_eq!(
        added.items[0].children[1].characteristics()[0],
        json!({ "name": "DATA_GB", "valueType": "integer", "value": 10 })
    );
    let cleared =
        ok(&added, Op::ClearCharacteristic { item: "120".into(), name: "DATA_GB".into() });
    assert!(cleared.items[0].children[1].characteristics().is_empty());
}

#[test]
fn relationships_and_alterations() {
    let o = order(json(TMF25));
    let r = ok(
        &o,
        Op::AddRelationship { item: "130".into(), target: "120".into(), kind: "dependsOn".into() },
    );
    assert_eq!(r.items[0].children[2].relationships.len(), 2);
    let back = ok(
        &r,
        Op::RemoveRelationship {
            item: "130".into(),
            target: "120".into(),
            kind: "dependsOn".into(),
        },
    );
    assert_eq!(back, o);
    assert!(apply(
        &o,
        &Op::AddRelationship { item: "130".into(), target: "999".into(), kind: "reliesOn".into() },
        None
    )
    .is_err());
    assert!(apply(
        &o,
        &Op::AddRelationship { item: "130".into(), target: "120".into(), kind: "bundles".into() },
        None
    )
    .is_err());

    let extra = json!({ "name": "Loyalty", "priceType": "recurring", "priority": 2, "price": { "percentage": 10 } });
    let a = ok(&o, Op::AddPriceAlteration { item: "120".into(), price: 0, alteration: extra });
    assert_eq!(
        a.items[0].children[1].fields["itemPrice"][0]["priceAlteration"].as_array().map(Vec::len),
        Some(2)
    );
    let bad = json!({ "name": "x", "priceType": "recurring", "price": { "percentage": 150 } });
    assert!(matches!(
        apply(
            &o,
            &Op::EditPriceAlteration { item: "120".into(), price: 0, index: 0, alteration: bad },
            None
        ),
        Err(CoreError::InvalidValue { .. })
    ));
    let e = ok(
        &a,
        Op::EditPriceAlteration {
            item: "120".into(),
            price: 0,
            index: 1,
            alteration: json!({ "name": "Loyalty", "priceType": "recurring", "price": { "percentage": 5 } }),
        },
    );
    assert_eq!(
        e.items[0].children[1].fields["itemPrice"][0]["priceAlteration"][1]["price"]["percentage"],
        json!(5)
    );
    let removed = ok(&e, Op::RemovePriceAlteration { item: "120".into(), price: 0, index: 1 });
    assert_eq!(removed, o);
    assert!(matches!(
        apply(&o, &Op::RemovePriceAlteration { item: "110".into(), price: 3, index: 0 }, None),
        Err(CoreError::OutOfRange { .. })
    ));
}

#[test]
fn order_level_fields() {
    let o = order(json(TMF25));
    let c = ok(
        &o,
        Op::SetCustomer {
            party: json!({ "id": "C-2", "name": "Ana", "@referredType": "Individual" }),
        },
    );
    let parties = c.fields["relatedParty"].as_array().cloned().unwrap_or_default();
    assert_eq!(parties.len(), 1);
    assert_eq!(parties[0]["role"], "Customer");
    assert_eq!(parties[0]["id"], "C-2");
    let b = ok(&c, Op::SetBillingAccount { account: Some(json!({ "id": "1513" })) });
    assert_eq!(b.fields["billingAccount"]["id"], "1513");
    let ch = ok(&b, Op::SetChannel { channel: Some(json!({ "id": "1", "name": "Shop" })) });
    assert_eq!(ch.fields["channel"][0]["name"], "Shop");
    let n = ok(&ch, Op::SetNotes { notes: vec![json!({ "text": "call before delivery" })] });
    assert_eq!(n.fields["note"][0]["text"], "call before delivery");
    let start =
        chrono::DateTime::parse_from_rfc3339("2026-12-01T09:00:00Z").ok().map(|d| d.to_utc());
    let d = ok(&n, Op::SetRequestedDates { start, completion: None });
    assert_eq!(d.fields["requestedStartDate"], "2026-12-01T09:00:00.000Z");
    assert!(!d.fields.contains_key("requestedCompletionDate"));
    let cleared = ok(&d, Op::SetBillingAccount { account: None });
    assert!(!cleared.fields.contains_key("billingAccount"));
    // `null` clears too: an op is stored as JSON, where `Some(null)` and `None` are one value.
    let null = ok(&d, Op::SetBillingAccount { account: Some(Value::Null) });
    assert!(!null.fields.contains_key("billingAccount"));
    let null = ok(&d, Op::SetChannel { channel: Some(Value::Null) });
    assert!(!null.fields.contains_key("channel"));
    assert_eq!(ok(&d, Op::NewDraft), Order::default());
}

#[test]
fn ops_serialise_as_tagged_json() {
    let op = Op::SetQuantity { item: "2".into(), quantity: 3 };
    let v = serde_json::to_value(&op).unwrap_or(Value::Null);
    assert_eq!(v, json!({ "op": "setQuantity", "item": "2", "quantity": 3 }));
    let back: Result<Op, _> = serde_json::from_value(
        json!({ "op": "addOffering", "offeringId": "14277", "parent": null, "quantity": null }),
    );
    assert!(matches!(back, Ok(Op::AddOffering { ref offering_id, .. }) if offering_id == "14277"));
}

#[test]
fn undo_is_replaying_fewer_ops() {
    let ops = [
        Op::AddOffering { offering_id: "14277".into(), parent: None, quantity: None },
        Op::SetCharacteristic {
            item: "2".into(),
            name: "TEL_MSISDN".into(),
            value: json!("0612"),
            value_type: None,
        },
        Op::RemoveItem { item: "4".into() },
    ];
    let mut history = vec![Order::default()];
    for op in &ops {
        let next = ok(history.last().unwrap_or(&Order::default()), op.clone());
        history.push(next);
    }
    assert_eq!(history[3].item_count(), 3);
    assert_eq!(history[2].item_count(), 4); // "undo" the removal
}

#[test]
fn export_in_either_version_keeps_vendor_fields() {
    use orderdesk_wire::Version;
    let o = order(json(TMF25));
    for version in [Version::V4, Version::V5] {
        let converted = o.to_version(Layout::Flat, None, version);
        // Only what the target has no room for is named (the fixture's characteristic ids are
        // v5's alone).
        assert!(
            converted.findings.iter().all(|f| f.code == "convert.not_carried" && !f.is_error()),
            "{version}: {:?}",
            converted.findings
        );
        let out = converted.value;
        assert_eq!(out["x-vendorTrace"]["score"].to_string(), "0.1000", "{version}");
        assert_eq!(out["productOrderItem"][1]["x-vendorItemFlag"], true, "{version}");
        // Re-importing the converted order gives the same tree.
        let again = order(out);
        assert_eq!(again.item_count(), 4);
        assert_eq!(again.items[0].children.len(), 3);
    }
}
