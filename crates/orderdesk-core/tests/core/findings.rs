//! The one findings function on documents: sample orders, oddities read leniently, structure
//! errors located by pointer, every party shape, the official schema, and the code table.

use orderdesk_core::codes::{self, Class, CODES};
use orderdesk_core::{validate_json, Finding, Severity, ValidateOptions};
use orderdesk_wire::Version;
use serde_json::{json, Value};

fn sample(name: &str) -> Value {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/orders").join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    super::json(&text)
}

/// The findings `orderdesk check` reports: the version from the document's shape.
fn findings(doc: &Value) -> Vec<Finding> {
    let version = orderdesk_wire::detect_version(doc).unwrap_or(Version::V4);
    validate_json(doc, None, ValidateOptions { version: Some(version), ..Default::default() })
}

fn located(f: &[Finding]) -> Vec<(String, String)> {
    f.iter().map(|x| (x.code.clone(), x.path.clone())).collect()
}

#[test]
fn clean_samples_have_no_findings() {
    for name in ["tmf25-bundle.v4.json", "tmf25-bundle.v5.json", "tmf25-vendor-extensions.v4.json"]
    {
        let f = findings(&sample(name));
        assert!(f.is_empty(), "{name}: unexpected findings {}", super::pretty(&f));
    }
}

#[test]
fn oddities_are_read_leniently_and_named() {
    let f = findings(&sample("tolerant-oddities.v4.json"));
    assert!(f.iter().all(|x| x.severity == Severity::Warning), "{}", super::pretty(&f));
    let got = located(&f);
    for (code, path) in [
        ("type.unexpected", "/productOrderItem/0/@type"),
        ("field.lenient", "/priority"),
        ("field.lenient", "/productOrderItem/0/quantity"),
        ("field.lenient", "/productOrderItem/0/product/isBundle"),
        ("price.currency_mismatch", "/productOrderItem/0/itemPrice/1/price"),
    ] {
        assert!(got.contains(&(code.into(), path.into())), "missing {code} at {path}: {got:?}");
    }
}

#[test]
fn structure_errors_are_located_by_pointer() {
    let bad = json!({"productOrderItem": [
        {"id": "1", "action": "add", "quantity": 0,
         "productOrderItemRelationship": [{"id": "9", "relationshipType": "bundles"}]},
        {"id": "1", "action": "explode"},
        {"action": "add"}]});
    let got = located(&findings(&bad));
    for (code, path) in [
        ("item.quantity", "/productOrderItem/0/quantity"),
        ("relationship.dangling", "/productOrderItem/0/productOrderItemRelationship/0/id"),
        ("item.duplicate_id", "/productOrderItem/1/id"),
        ("item.action_unknown", "/productOrderItem/1/action"),
        ("item.id_missing", "/productOrderItem/2/id"),
    ] {
        assert!(got.contains(&(code.into(), path.into())), "missing {code} at {path}: {got:?}");
    }
    // The schema agrees on these places and adds nothing there: one problem, one finding.
    assert!(
        !got.iter().any(|(c, p)| c.starts_with("schema.")
            && (p.ends_with("/quantity") || p.ends_with("/action") || p.ends_with("/2/id"))),
        "{got:?}"
    );
    assert_eq!(located(&findings(&json!([1]))), [("order.not_object".into(), String::new())]);
    assert_eq!(
        located(&findings(&json!({"productOrderItem": {"id": "1"}}))),
        [("order.items_invalid".into(), "/productOrderItem".into())]
    );
    assert_eq!(
        located(&findings(&json!({"productOrderItem": []}))),
        [("order.no_items".into(), "/productOrderItem".into())]
    );
}

#[test]
fn every_party_shape_is_understood() {
    let item = json!([{"id": "1", "action": "add", "@type": "ProductOrderItem"}]);
    let role = json!({"role": "Customer", "@type": "RelatedPartyRefOrPartyRoleRef",
        "partyOrPartyRole": {"id": "CR-1", "name": "Ada", "partyId": "P-9",
                             "@type": "PartyRoleRef", "@referredType": "CustomerAccount"}});
    let party_ref = json!({"role": "Customer", "@type": "RelatedPartyRefOrPartyRoleRef",
        "partyOrPartyRole": {"id": "C-1", "@type": "PartyRef", "@referredType": "Individual"}});
    let flat = json!({"id": "C-1", "role": "Customer", "@referredType": "Individual"});
    for (version, party) in [(Version::V5, &role), (Version::V5, &party_ref), (Version::V4, &flat)]
    {
        let order =
            json!({"@type": "ProductOrder", "productOrderItem": item, "relatedParty": [party]});
        let f = validate_json(
            &order,
            None,
            ValidateOptions { version: Some(version), ..Default::default() },
        );
        assert!(f.is_empty(), "{version} {party}: {}", super::pretty(&f));
    }
    let nobody = json!({"@type": "ProductOrder", "productOrderItem": item,
        "relatedParty": [{"role": "Customer", "@type": "RelatedPartyRefOrPartyRoleRef",
                          "partyOrPartyRole": {"@type": "PartyRoleRef"}}]});
    let got = located(&findings(&nobody));
    assert!(got.contains(&("party.unidentified".into(), "/relatedParty/0".into())), "{got:?}");
}

#[test]
fn the_official_schema_names_what_the_rules_do_not() {
    // A note that is not a list: no rule of ours names it, the v4 create schema does.
    let order = json!({"note": "call first", "productOrderItem": [{"id": "1", "action": "add"}]});
    let got = located(&findings(&order));
    assert_eq!(got, [("schema.type".into(), "/note".into())]);
    // Paths point into the order as imported, also for nested items.
    let nested = json!({"productOrderItem": [{"id": "1", "action": "add",
        "productOrderItem": [{"id": "2", "action": "add", "itemTerm": "12 months"}]}]});
    let got = located(&findings(&nested));
    assert_eq!(
        got,
        [("schema.type".into(), "/productOrderItem/0/productOrderItem/0/itemTerm".into())]
    );
    // Server-owned members are not sent, so they are no finding.
    let owned = json!({"id": "9", "state": "completed", "expectedCompletionDate": "2024-01-01T00:00:00Z",
        "productOrderItem": [{"id": "1", "action": "add", "state": "completed"}]});
    assert!(findings(&owned).is_empty());
}

#[test]
fn dates_characteristics_and_currencies() {
    let order = json!({"requestedStartDate": "next Tuesday",
        "productOrderItem": [{"id": "1", "action": "add",
            "@type": "ProductOrderItem",
            "product": {"productCharacteristic": [
                {"name": "n", "value": 5, "@type": "StringCharacteristic"},
                {"value": "x"}]},
            "itemTotalPrice": [{"priceType": "recurring",
                "price": {"taxIncludedAmount": {"unit": "euro", "value": 1}}}]}]});
    let got = located(&findings(&order));
    for (code, path) in [
        ("date.invalid", "/requestedStartDate"),
        (
            "characteristic.type_mismatch",
            "/productOrderItem/0/product/productCharacteristic/0/value",
        ),
        ("characteristic.name_missing", "/productOrderItem/0/product/productCharacteristic/1/name"),
    ] {
        assert!(got.contains(&(code.into(), path.into())), "missing {code} at {path}: {got:?}");
    }
}

#[test]
fn the_code_table_is_the_documentation() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/findings.md");
    let text = codes::markdown();
    if std::env::var_os("ORDERDESK_WRITE_DOCS").is_some() {
        std::fs::write(&path, &text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == text,
        "docs/findings.md is stale; run ORDERDESK_WRITE_DOCS=1 cargo test -p orderdesk-core"
    );
    for c in CODES {
        assert_eq!(c.severity == Severity::Error, c.class != Class::Advice, "{}", c.code);
    }
}
