//! Helpers shared by the integration tests.

use std::path::PathBuf;

use orderdesk_store::{DraftRow, NewDraft, Store, Version};
use serde_json::json;

/// A temporary directory with a database path inside it.
pub struct TempDb {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

pub fn temp_db() -> TempDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("orderdesk.db");
    TempDb { dir, path }
}

/// A small TMF622 v4 ProductOrder.
pub fn order_json(customer: &str, note: &str, colour: &str, amount: &str) -> String {
    let amount: serde_json::Value = serde_json::from_str(amount).expect("amount literal");
    json!({
        "@type": "ProductOrder",
        "externalId": "EXT-1",
        "note": [{"text": note}],
        "relatedParty": [{"id": "c-1", "name": customer, "role": "Customer", "@referredType": "Individual"}],
        "orderTotalPrice": [{"priceType": "recurring", "price": {"taxIncludedAmount": {"unit": "EUR", "value": amount}}}],
        "productOrderItem": [{
            "id": "1", "action": "add", "quantity": 1,
            "productOffering": {"id": "po-fibre", "name": "Fibre 1000", "href": "http://example.invalid/po-fibre"},
            "product": {"productCharacteristic": [{"name": "colour", "value": colour}]}
        }]
    })
    .to_string()
}

pub fn new_draft(body: String) -> NewDraft {
    NewDraft {
        body,
        tmf_version: Version::V4,
        catalog_version: Some("2026.11".into()),
        actor: "agent-7".into(),
        summary: None,
    }
}

pub fn create(store: &mut Store, customer: &str) -> DraftRow {
    store
        .create_draft(new_draft(order_json(customer, "call first", "teal", "19.99")))
        .expect("create draft")
}
