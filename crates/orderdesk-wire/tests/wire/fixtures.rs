//! The example orders under `assets/orders/` read, convert and check as documented.

use orderdesk_wire::{detect_version, parse_order_value, Version};

use crate::common::{fixture, fixture_names};

#[test]
fn every_fixture_round_trips_and_detects_its_version() {
    let names = fixture_names();
    assert!(names.len() >= 4, "fixtures missing: {names:?}");
    for name in &names {
        let v = fixture(name);
        let expected = if name.contains(".v5.") { Version::V5 } else { Version::V4 };
        assert_eq!(detect_version(&v), Some(expected), "{name}: detected version");
        let order = parse_order_value(v.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(order.to_value(expected), v, "{name}: read/write changed the payload");
    }
}

#[test]
fn tmf25_v4_and_v5_fixtures_are_conversions_of_each_other() {
    let v4 = fixture("tmf25-bundle.v4.json");
    let v5 = fixture("tmf25-bundle.v5.json");
    let from_v4 = parse_order_value(v4.clone()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(from_v4.to_value(Version::V5), v5);
    let from_v5 = parse_order_value(v5).unwrap_or_else(|e| panic!("{e}"));
    crate::common::contained_except_types(&v4, &from_v5.to_value(Version::V4), "")
        .unwrap_or_else(|e| panic!("v5 fixture does not carry the v4 one: {e}"));
}

#[test]
fn tmf25_bundle_has_the_user_guide_content() {
    let v4 = fixture("tmf25-bundle.v4.json");
    let order = parse_order_value(v4).unwrap_or_else(|e| panic!("{e}")).to_v4();
    let items = order.product_order_item.clone().unwrap_or_default();
    let offerings: Vec<String> = items
        .iter()
        .filter_map(|i| i.product_offering.as_ref().and_then(|o| o.id.clone()))
        .collect();
    assert_eq!(offerings, ["14277", "14305", "14344", "14354"]);
    let rels = items[0].product_order_item_relationship.clone().unwrap_or_default();
    assert!(rels.iter().all(|r| r.relationship_type.as_deref() == Some("bundles")));
    let tariff = &items[2];
    let price = tariff.item_price.clone().unwrap_or_default();
    let amount =
        price[0].price.as_ref().and_then(|p| p.tax_included_amount.as_ref()).and_then(|m| m.value);
    assert_eq!(amount.map(|d| d.to_string()), Some("20.00".to_owned()));
    let alt = price[0].price_alteration.clone().unwrap_or_default();
    assert_eq!(alt[0].name.as_deref(), Some("WelcomeDiscount"));
    assert_eq!(alt[0].application_duration, Some(3));
    let term = tariff.item_term.clone().unwrap_or_default();
    assert_eq!(
        term[0].duration.as_ref().and_then(|d| d.amount).map(|d| d.to_string()),
        Some("12".into())
    );
    let fee = items[1].item_price.clone().unwrap_or_default();
    let fee =
        fee[0].price.as_ref().and_then(|p| p.tax_included_amount.as_ref()).and_then(|m| m.value);
    assert_eq!(fee.map(|d| d.to_string()), Some("0.99".to_owned()));
}
