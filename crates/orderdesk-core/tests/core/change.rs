//! Change orders on what a customer has: the operations, the inventory checks, "was → will
//! be", the monthly total before → after, and the official TMF622 schemas of both versions on
//! what such an order sends.

use orderdesk_core::change::{change_totals, changes};
use orderdesk_core::{
    apply, validate_with_inventory, Catalog, Inventory, Op, Order, PricingOptions, ValidateOptions,
};
use orderdesk_wire::Version;
use serde_json::{json, Value};

fn demo_catalog() -> Catalog {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/catalog/demo.json");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("demo catalog: {e}"));
    Catalog::from_json(&super::json(&text)).unwrap_or_else(|e| panic!("demo catalog: {e}"))
}

fn product(
    id: &str,
    offering: &str,
    customer: &str,
    status: &str,
    children: &[&str],
    fee: &str,
) -> Value {
    json!({"id": id, "name": format!("product {id}"), "status": status,
        "productOffering": {"id": offering},
        "relatedParty": [{"id": customer, "role": "Customer", "@referredType": "Customer"}],
        "productCharacteristic": [{"name": "TEL_MSISDN", "value": "415 279 7439"}],
        "productRelationship": children.iter().map(|c| json!({"relationshipType": "bundles", "product": {"id": c}})).collect::<Vec<_>>(),
        "productPrice": [{"priceType": "recurring", "recurringChargePeriod": "month",
            "price": {"taxIncludedAmount": {"unit": "EUR", "value": super::json(fee)}}}]})
}

/// Ada's TMF25 bundle: a mobile line and a tariff plan (20 EUR a month); and Bob's line.
fn inventory() -> Inventory {
    let list = [
        product("P1", "14277", "C1", "active", &["P2", "P3"], "0"),
        product("P2", "14305", "C1", "active", &[], "0"),
        product("P3", "14344", "C1", "active", &[], "20"),
        product("P9", "14305", "C2", "active", &[], "0"),
        product("P8", "14305", "C1", "suspended", &[], "0"),
    ];
    Inventory::from_json(list.iter())
}

fn draft_for(customer: &str) -> Order {
    let mut o = Order::default();
    o.fields.insert(
        "relatedParty".into(),
        json!([{"id": customer, "name": "Ada", "role": "Customer", "@referredType": "Customer"}]),
    );
    o
}

fn op(o: &Order, op: Op, catalog: &Catalog) -> Order {
    apply(o, &op, Some(catalog)).unwrap_or_else(|e| panic!("{op:?}: {e}"))
}

#[test]
fn change_plan_and_add_option_make_one_bundle_change() {
    let catalog = demo_catalog();
    let inv = inventory();
    let get = |id: &str| inv.get(id).cloned().unwrap_or_default();
    let o = op(
        &draft_for("C1"),
        Op::ChangePlan { product: get("P3"), bundle: Some(get("P1")), offering_id: "20006".into() },
        &catalog,
    );
    let o = op(&o, Op::AddOption { bundle: get("P1"), offering_id: "14354".into() }, &catalog);
    // One modify item for the bundle holds the delete, the new plan and the option.
    assert_eq!(o.items.len(), 1);
    let bundle = &o.items[0];
    assert_eq!((bundle.action(), bundle.product_id()), (Some("modify"), Some("P1")));
    let actions: Vec<_> = bundle.children.iter().map(|c| c.action().unwrap_or_default()).collect();
    assert_eq!(actions, ["delete", "add", "add"]);
    assert_eq!(bundle.children[1].relationships[0].target, bundle.children[0].id);
    // Coverage needs its characteristic: set it like any item's.
    let coverage = bundle.children[2].id.clone();
    let o = op(
        &o,
        Op::SetCharacteristic {
            item: coverage,
            name: "CoverageOptions".into(),
            value: json!("National"),
            value_type: None,
        },
        &catalog,
    );
    for version in Version::ALL {
        let f = validate_with_inventory(
            &o,
            Some(&catalog),
            Some(&inv),
            ValidateOptions { version: Some(version), ..Default::default() },
        );
        assert!(f.iter().all(|x| !x.is_error()), "{version}: {}", super::pretty(&f));
    }
    let rows = changes(&o, &inv, Some(&catalog));
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(
        (rows[1].was.as_str(), rows[1].will_be.as_deref()),
        ("product P3", Some("Mobile M"))
    );
    let totals = change_totals(&o, &inv, Some(&catalog), PricingOptions::default());
    assert_eq!(totals.len(), 1);
    let t = &totals[0];
    assert_eq!(
        (t.currency.as_str(), t.monthly_now.to_string(), t.monthly_after.to_string()),
        ("EUR", "20".into(), "14.99".into())
    );
    // The same product cannot be changed twice in one order.
    assert!(
        apply(&o, &Op::ModifyProduct { product: get("P3"), bundle: None }, Some(&catalog)).is_err()
    );
}

#[test]
fn inventory_checks_name_the_item() {
    let catalog = demo_catalog();
    let inv = inventory();
    let mut o = draft_for("C1");
    for (i, pid) in ["P9", "P8", "NOPE", "P2"].iter().enumerate() {
        o.items.push(orderdesk_core::Item::new(
            (i + 1).to_string(),
            serde_json::from_value(json!({"action": "delete", "product": {"id": pid},
                "productOffering": {"id": "14305"}}))
            .unwrap_or_default(),
        ));
    }
    let f = validate_with_inventory(&o, Some(&catalog), Some(&inv), ValidateOptions::default());
    let got: Vec<(&str, &str)> =
        f.iter().filter(|x| x.is_error()).map(|x| (x.code.as_str(), x.path.as_str())).collect();
    assert_eq!(
        got,
        [
            ("product.other_customer", "/productOrderItem/0/product/id"),
            ("product.not_active", "/productOrderItem/1/product/id"),
            ("product.unknown", "/productOrderItem/2/product/id"),
        ]
    );
    // Without an inventory, nothing is said about installed products.
    let f = validate_with_inventory(&o, Some(&catalog), None, ValidateOptions::default());
    assert!(f.iter().all(|x| !x.code.starts_with("product.")));
}

#[test]
fn disconnect_takes_the_children_along_and_lowers_the_total() {
    let catalog = demo_catalog();
    let inv = inventory();
    let products: Vec<_> = inv.with_descendants("P1").into_iter().map(|(p, _)| p.clone()).collect();
    let o = op(&draft_for("C1"), Op::Disconnect { products, bundle: None }, &catalog);
    assert_eq!(o.item_count(), 3);
    assert!(o.items[0].children.iter().all(|c| c.action() == Some("delete")));
    let json = o.to_json(orderdesk_core::Layout::Flat);
    assert_eq!(json["productOrderItem"].as_array().map(Vec::len), Some(3));
    let t = change_totals(&o, &inv, Some(&catalog), PricingOptions::default());
    assert_eq!(
        (t[0].monthly_now.to_string(), t[0].monthly_after.to_string()),
        ("20".into(), "0".into())
    );
    let f = validate_with_inventory(
        &o,
        Some(&catalog),
        Some(&inv),
        ValidateOptions { version: Some(Version::V5), ..Default::default() },
    );
    assert!(f.iter().all(|x| !x.is_error()), "{}", super::pretty(&f));
    let rows = changes(&o, &inv, Some(&catalog));
    assert!(rows.iter().all(|r| r.action == "delete" && r.will_be.is_none()));
}

#[test]
fn modify_carries_the_installed_characteristics() {
    let catalog = demo_catalog();
    let inv = inventory();
    let o = op(
        &draft_for("C1"),
        Op::ModifyProduct { product: inv.get("P2").cloned().unwrap_or_default(), bundle: None },
        &catalog,
    );
    let id = o.items[0].id.clone();
    let o = op(
        &o,
        Op::SetCharacteristic {
            item: id,
            name: "TEL_MSISDN".into(),
            value: json!("415 000 0000"),
            value_type: None,
        },
        &catalog,
    );
    let rows = changes(&o, &inv, Some(&catalog));
    assert_eq!(
        rows[0].characteristics,
        [("TEL_MSISDN".into(), "415 279 7439".into(), "415 000 0000".into())]
    );
    // The op survives a round trip through JSON, as stored revisions keep it.
    let stored = serde_json::to_value(Op::ModifyProduct {
        product: inv.get("P2").cloned().unwrap_or_default(),
        bundle: None,
    })
    .unwrap_or_default();
    assert_eq!(stored["op"], "modifyProduct");
    assert!(serde_json::from_value::<Op>(stored).is_ok());
}
