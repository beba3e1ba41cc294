//! A copy of an order: the same items, customer and characteristics; the values that name one
//! line, card or device, the server's members and the external identifiers left out.

use orderdesk_core::copy::duplicate;
use orderdesk_core::formats::must_be_unique;
use serde_json::json;

#[test]
fn unique_values_are_the_telecom_numbers() {
    for name in ["TEL_MSISDN", "PORTED_MSISDN", "SIM_ICCID", "DEVICE_IMEI", "imei"] {
        assert!(must_be_unique(name), "{name} names one line, card or device");
    }
    for name in ["TARIFF", "DATA_ALLOWANCE", "colour", ""] {
        assert!(!must_be_unique(name), "{name} may repeat");
    }
}

#[test]
fn a_copy_keeps_items_customer_and_characteristics_but_not_unique_values() {
    let original = super::order(json!({
        "id": "SRV-1", "href": "https://example.com/productOrder/SRV-1", "state": "completed",
        "externalId": "PO-77", "orderDate": "2026-01-01T00:00:00Z",
        "relatedParty": [{"id": "CUST-1", "role": "Customer", "@referredType": "Customer"}],
        "productOrderItem": [
            {"id": "1", "action": "add", "quantity": 1, "state": "completed",
             "productOffering": {"id": "bundle"},
             "productOrderItemRelationship": [{"id": "2", "relationshipType": "bundles"}]},
            {"id": "2", "action": "add", "quantity": 1, "productOffering": {"id": "mobile"},
             "product": {"productCharacteristic": [
                 {"name": "TEL_MSISDN", "value": "+491701234567"},
                 {"name": "SIM_ICCID", "value": "8949000000000000001"},
                 {"name": "DATA_ALLOWANCE", "value": "10"}]}}
        ]
    }));
    let (copy, cleared) = duplicate(&original);
    assert_eq!(cleared, vec!["TEL_MSISDN".to_owned(), "SIM_ICCID".to_owned()]);
    for gone in ["id", "href", "state", "externalId", "orderDate"] {
        assert!(!copy.fields.contains_key(gone), "the copy carries the original's {gone}");
    }
    assert_eq!(copy.fields.get("relatedParty"), original.fields.get("relatedParty"));
    assert_eq!(copy.item_count(), original.item_count());
    let bundle = &copy.items[0];
    assert!(!bundle.fields.contains_key("state"));
    let line = &bundle.children[0];
    assert_eq!(line.offering_id(), Some("mobile"));
    assert_eq!(line.characteristics(), &[json!({"name": "DATA_ALLOWANCE", "value": "10"})]);
    // The original is untouched.
    assert_eq!(original.items[0].children[0].characteristics().len(), 3);
}
