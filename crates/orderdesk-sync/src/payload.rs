//! What goes into the outbox and onto the wire: create requests (the strict create payload of
//! `orderdesk-wire` in the server's version, stamped with the client order id), cancel
//! requests, amendments.

use orderdesk_wire::external_id::{stamp_client_order_id, CLIENT_ORDER_ID_PREFIX};
use orderdesk_wire::{Converted, Finding, Version};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// A new client order id (also the outbox idempotency key).
pub fn new_client_order_id() -> String {
    format!("{CLIENT_ORDER_ID_PREFIX}{}", uuid::Uuid::new_v4().simple())
}

/// What is sent to create an order.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateRequest {
    /// The request body in the server's version: exactly what its create schema allows (and
    /// the order's own vendor extensions), no server-owned member, our client order id stamped.
    pub body: Value,
    /// The key the order can be found by on the server if the answer is lost: our client
    /// order id, or in v4 the partner's own `externalId`, which is kept (see
    /// `orderdesk_wire::external_id`).
    pub lookup_key: String,
    /// What the server's version cannot carry (`convert.not_carried` warnings).
    pub findings: Vec<Finding>,
}

/// The create request for an order (a draft's JSON, or a payload queued earlier) in `target`,
/// the server's version. `source` is the version the order is written in (`None`: detected).
pub fn create_request(
    order: Value,
    source: Option<Version>,
    target: Version,
    client_order_id: &str,
) -> CreateRequest {
    let Converted { mut value, findings } = orderdesk_wire::create_payload(order, source, target);
    let lookup_key = match value.as_object_mut() {
        Some(m) => stamp_client_order_id(m, target, client_order_id),
        None => client_order_id.to_owned(),
    };
    CreateRequest { body: value, lookup_key, findings }
}

/// An amendment as queued: the merge patch and the values the patched members had when the
/// agent made the change, to detect a conflicting remote change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Amendment {
    pub patch: Value,
    /// Patched top-level member → its value when the agent edited (`null` when absent).
    pub base: Map<String, Value>,
}

impl Amendment {
    /// An amendment of `order` (its last known payload) by `patch`.
    pub fn new(order: &Value, patch: Value) -> Amendment {
        let base = patch
            .as_object()
            .map(|p| {
                p.keys()
                    .map(|k| (k.clone(), order.get(k).cloned().unwrap_or(Value::Null)))
                    .collect()
            })
            .unwrap_or_default();
        Amendment { patch, base }
    }

    /// Members changed on the server since the agent's edit (and not to the agent's value).
    pub fn conflicts(&self, remote: &Value) -> Vec<String> {
        self.base
            .iter()
            .filter(|(key, base)| {
                let now = remote.get(key.as_str()).unwrap_or(&Value::Null);
                now != *base && Some(now) != self.patch.get(key.as_str())
            })
            .map(|(key, _)| key.clone())
            .collect()
    }
}

/// A cancellation request body for the order with server id `order_id`.
pub fn cancel_payload(
    order_id: &str,
    href: Option<&str>,
    reason: &str,
    requested_date: Option<&str>,
) -> Value {
    let mut order_ref = Map::new();
    order_ref.insert("id".into(), json!(order_id));
    order_ref.insert("@type".into(), json!("ProductOrderRef"));
    order_ref.insert("@referredType".into(), json!("ProductOrder"));
    if let Some(href) = href {
        order_ref.insert("href".into(), Value::String(href.to_owned()));
    }
    let mut body = Map::new();
    body.insert("@type".into(), json!("CancelProductOrder"));
    body.insert("productOrder".into(), Value::Object(order_ref));
    body.insert("cancellationReason".into(), json!(reason));
    if let Some(date) = requested_date {
        body.insert("requestedCancellationDate".into(), Value::String(date.to_owned()));
    }
    Value::Object(body)
}

/// Offering ids a TMF622 order refers to, at any item depth.
pub fn offering_ids(order: &Value) -> Vec<String> {
    orderdesk_wire::items::offering_ids(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OURS: &str = "od-0123456789abcdef0123456789abcdef";

    #[test]
    fn create_requests_carry_only_what_the_create_schema_allows() {
        let v4 = create_request(
            json!({"id": "old", "state": "x", "expectedCompletionDate": "2026-01-01T00:00:00Z",
                   "productOrderItem": [{"id": "1", "action": "add", "state": "completed"}]}),
            Some(Version::V4),
            Version::V4,
            OURS,
        );
        assert_eq!(
            v4.body,
            json!({"productOrderItem": [{"id": "1", "action": "add"}], "externalId": OURS})
        );
        assert_eq!(v4.lookup_key, OURS);
        let v5 = create_request(
            json!({"externalId": [{"id": "PO-7", "owner": "crm"}],
                   "creationDate": "2026-01-01T00:00:00Z", "productOrderItem": []}),
            Some(Version::V5),
            Version::V5,
            OURS,
        );
        let ids: Vec<String> =
            orderdesk_wire::external_id::external_ids(&v5.body).into_iter().map(|x| x.id).collect();
        assert_eq!(ids, vec![OURS, "PO-7"]);
        assert!(v5.body.get("creationDate").is_none());
        assert_eq!(v5.lookup_key, OURS);
    }

    #[test]
    fn a_partner_reference_is_kept_and_is_the_lookup_key() {
        let v4 = create_request(
            json!({"externalId": "PO-456", "productOrderItem": [{"id": "1", "action": "add"}]}),
            None,
            Version::V4,
            OURS,
        );
        assert_eq!(v4.body["externalId"], "PO-456");
        assert_eq!(v4.lookup_key, "PO-456");
        // Sent to a v5 server, both are carried: ours to find it by, the partner's kept.
        let v5 = create_request(v4.body, Some(Version::V4), Version::V5, OURS);
        assert_eq!(v5.lookup_key, OURS);
        assert!(orderdesk_wire::external_id::carries_external_id(&v5.body, "PO-456"));
    }

    #[test]
    fn amendment_conflicts() {
        let order = json!({"description": "a", "priority": "1"});
        let a = Amendment::new(&order, json!({"description": "mine"}));
        assert!(a.conflicts(&order).is_empty());
        assert!(a.conflicts(&json!({"description": "mine"})).is_empty());
        assert_eq!(a.conflicts(&json!({"description": "theirs"})), vec!["description"]);
        assert!(a.conflicts(&json!({"description": "a", "priority": "2"})).is_empty());
    }

    #[test]
    fn offering_ids_at_any_depth() {
        let order = json!({"productOrderItem": [
            {"productOffering": {"id": "a"}, "productOrderItem": [{"productOffering": {"id": "b"}}]},
            {"productOffering": {"id": "a"}}
        ]});
        assert_eq!(offering_ids(&order), vec!["a", "b"]);
    }
}
