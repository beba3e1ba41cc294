//! The editor's recheck computes only the items an edit changed, and always answers what
//! validating and pricing the whole order answers.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use orderdesk_core::{
    apply, validate_and_price, Catalog, Op, Order, PricingOptions, Recheck, ValidateOptions,
};
use orderdesk_wire::Version;
use serde_json::json;

use super::{catalog, json, order, TMF25};

fn options(now: Option<DateTime<Utc>>) -> ValidateOptions<'static> {
    ValidateOptions { now, version: Some(Version::V4), policy: None }
}

fn both(recheck: &mut Recheck, order: &Order, catalog: &Arc<Catalog>, v: ValidateOptions<'_>) {
    let p = PricingOptions::default();
    let again = recheck.validate_and_price(order, Some(catalog), v, p);
    assert_eq!(again, validate_and_price(order, Some(catalog), v, p));
}

fn edit(order: &Order, op: Op, catalog: &Catalog) -> Order {
    apply(order, &op, Some(catalog)).unwrap_or_else(|e| panic!("{op:?}: {e}"))
}

fn ids(order: &Order) -> Vec<String> {
    let mut ids = Vec::new();
    order.walk(|item, _, _| ids.push(item.id.clone()));
    ids
}

#[test]
fn an_edit_of_one_item_computes_that_item_and_what_depends_on_it() {
    let catalog = Arc::new(catalog());
    let now = DateTime::from_timestamp(1_767_225_600, 0);
    let mut o = order(json(TMF25));
    let mut recheck = Recheck::new();
    both(&mut recheck, &o, &catalog, options(now));
    let count = ids(&o).len();
    assert_eq!(recheck.computed(), count, "the first order is computed whole");
    both(&mut recheck, &o, &catalog, options(now));
    assert_eq!(recheck.computed(), 0, "an unchanged order computes nothing");

    // A quantity: that item only.
    let last = ids(&o).pop().unwrap_or_default();
    o = edit(&o, Op::SetQuantity { item: last.clone(), quantity: 3 }, &catalog);
    both(&mut recheck, &o, &catalog, options(now));
    assert_eq!(recheck.computed(), 1);

    // A child's action: the child and its bundle (the bundle counts its children).
    let mut parent_child = None;
    o.walk(|item, parent, _| {
        if let (Some(p), None) = (parent, &parent_child) {
            parent_child = Some((p.id.clone(), item.id.clone()));
        }
    });
    let (_, child) = parent_child.unwrap_or_else(|| panic!("the fixture has a bundle"));
    o = edit(
        &o,
        Op::SetAction {
            item: child,
            action: orderdesk_core::Action::Delete,
            product_id: Some("PRD-1".into()),
        },
        &catalog,
    );
    both(&mut recheck, &o, &catalog, options(now));
    assert_eq!(recheck.computed(), 2);

    // An order-level member: no item.
    o = edit(&o, Op::SetNotes { notes: vec![json!({"text": "call first"})] }, &catalog);
    both(&mut recheck, &o, &catalog, options(now));
    assert_eq!(recheck.computed(), 0);

    // Another catalog (another `Arc`): every item.
    let other = Arc::new((*catalog).clone());
    both(&mut recheck, &o, &other, options(now));
    assert_eq!(recheck.computed(), count);
}

#[test]
fn the_clock_is_read_again_for_kept_items() {
    // An offering that can be ordered until noon on 1 January 2026.
    let catalog = Arc::new(
        Catalog::from_json(&json!({
            "productOffering": [{ "id": "P", "name": "Line", "lifecycleStatus": "Launched",
                "validFor": { "startDateTime": "2020-01-01T00:00:00Z", "endDateTime": "2026-01-01T12:00:00Z" } }]
        }))
        .unwrap_or_else(|e| panic!("{e}")),
    );
    let o = edit(&Order::default(), Op::NewDraft, &catalog);
    let o = edit(
        &o,
        Op::AddOffering { offering_id: "P".into(), parent: None, quantity: None },
        &catalog,
    );
    let mut recheck = Recheck::new();
    let before = DateTime::from_timestamp(1_767_225_600, 0); // midnight
    let after = DateTime::from_timestamp(1_767_300_000, 0); // 20:40
    both(&mut recheck, &o, &catalog, options(before));
    let p = PricingOptions::default();
    let late = recheck.validate_and_price(&o, Some(&catalog), options(after), p);
    assert_eq!(recheck.computed(), 0, "the item was kept");
    assert!(
        late.findings.iter().any(|f| f.code == "offering.not_orderable"),
        "{:?}",
        late.findings
    );
}

/// Inputs for the fuzz harness, which asserts after every edit that the recheck answers what
/// the whole order's validation and pricing answer: each fixture order, then a stream of
/// choices from a fixed seed (the same inputs on every run).
#[test]
fn random_edits_recheck_as_the_whole_order() {
    let catalog = catalog();
    let orders = [
        TMF25,
        include_str!("../../../../assets/orders/tmf25-bundle.v5.json"),
        include_str!("../../../../assets/orders/tolerant-oddities.v4.json"),
        include_str!("../../../../assets/orders/tmf25-vendor-extensions.v4.json"),
    ];
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for round in 0..200 {
        let doc = orders[round % orders.len()];
        let choices: Vec<u8> = (0..512).map(|_| (next() >> 24) as u8).collect();
        let mut input = doc.as_bytes().to_vec();
        input.push(0);
        input.extend(choices);
        orderdesk_core::fuzzing::order_pipeline(&input, &catalog);
    }
}

#[test]
fn a_relationship_is_checked_again_when_its_target_goes() {
    let catalog = Arc::new(catalog());
    let now = DateTime::from_timestamp(1_767_225_600, 0);
    let doc = |target_id: &str| {
        order(json!({
            "productOrderItem": [
                { "id": "A", "action": "add", "productOffering": { "id": "14344" },
                  "productOrderItemRelationship": [ { "id": "B", "relationshipType": "reliesOn" } ] },
                { "id": target_id, "action": "add", "productOffering": { "id": "14344" } }
            ]
        }))
    };
    let mut recheck = Recheck::new();
    both(&mut recheck, &doc("B"), &catalog, options(now));
    // Only the second item changed, but the first one's relationship now points nowhere.
    let o = doc("C");
    let p = PricingOptions::default();
    let after = recheck.validate_and_price(&o, Some(&catalog), options(now), p);
    assert_eq!(recheck.computed(), 2);
    assert!(
        after.findings.iter().any(|f| f.code == "relationship.dangling"),
        "{:?}",
        after.findings
    );
    assert_eq!(after, validate_and_price(&o, Some(&catalog), options(now), p));
}
