//! What goes into the outbox: create payloads stamped with the client order id, cancel
//! requests, amendments; and the conversion to the server's version at send time.

use orderdesk_wire::Version;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// The owner written into a v5 `ExternalIdentifier`, so our id is told apart from others.
pub const EXTERNAL_ID_OWNER: &str = "orderdesk";
/// The `externalIdentifierType` of the client order id.
pub const EXTERNAL_ID_TYPE: &str = "clientOrderId";

/// Members the server assigns; a draft imported from a server may carry them.
const SERVER_ASSIGNED: [&str; 7] = [
    "id",
    "href",
    "state",
    "completionDate",
    "cancellationDate",
    "cancellationReason",
    "orderDate",
];

/// A new client order id (also the outbox idempotency key).
pub fn new_client_order_id() -> String {
    format!("od-{}", uuid::Uuid::new_v4().simple())
}

/// Writes `client_order_id` as the order's external id: v4's string; in v5 an
/// `ExternalIdentifier` with our owner and type, first in the list, other identifiers kept.
pub fn set_external_id(order: &mut Map<String, Value>, version: Version, client_order_id: &str) {
    match version {
        Version::V4 => {
            order.insert("externalId".into(), Value::String(client_order_id.to_owned()));
        }
        Version::V5 => {
            let ours = json!({
                "id": client_order_id,
                "owner": EXTERNAL_ID_OWNER,
                "externalIdentifierType": EXTERNAL_ID_TYPE,
                "@type": "ExternalIdentifier",
            });
            let mut list = vec![ours];
            if let Some(Value::Array(existing)) = order.remove("externalId") {
                list.extend(existing.into_iter().filter(|x| {
                    x.get("owner").and_then(Value::as_str) != Some(EXTERNAL_ID_OWNER)
                        || x.get("externalIdentifierType").and_then(Value::as_str)
                            != Some(EXTERNAL_ID_TYPE)
                }));
            }
            order.insert("externalId".into(), Value::Array(list));
        }
    }
}

/// The create payload for a draft body: server-assigned members removed, the client order
/// id set. Returns `None` when the body is not a JSON object.
pub fn create_payload(draft_body: &str, version: Version, client_order_id: &str) -> Option<Value> {
    let Ok(Value::Object(mut order)) = serde_json::from_str::<Value>(draft_body) else {
        return None;
    };
    for key in SERVER_ASSIGNED {
        order.shift_remove(key);
    }
    set_external_id(&mut order, version, client_order_id);
    Some(Value::Object(order))
}

/// The payload in the server's version (converted by `orderdesk-wire` when it differs), with
/// the client order id written the way that version spells it.
pub fn for_version(payload: Value, target: Version, client_order_id: &str) -> Value {
    let source = orderdesk_wire::detect_version(&payload).unwrap_or(target);
    let converted = match (source, target) {
        (Version::V4, Version::V5) => orderdesk_wire::convert::order_v4_to_v5(payload),
        (Version::V5, Version::V4) => orderdesk_wire::convert::order_v5_to_v4(payload),
        _ => payload,
    };
    match converted {
        Value::Object(mut order) => {
            set_external_id(&mut order, target, client_order_id);
            Value::Object(order)
        }
        other => other,
    }
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
    let mut order_ref =
        json!({ "id": order_id, "@type": "ProductOrderRef", "@referredType": "ProductOrder" });
    if let Some(href) = href {
        order_ref["href"] = Value::String(href.to_owned());
    }
    let mut body = json!({
        "@type": "CancelProductOrder",
        "productOrder": order_ref,
        "cancellationReason": reason,
    });
    if let Some(date) = requested_date {
        body["requestedCancellationDate"] = Value::String(date.to_owned());
    }
    body
}

/// Offering ids a TMF622 order refers to, at any item depth.
pub fn offering_ids(order: &Value) -> Vec<String> {
    fn walk(items: Option<&Value>, out: &mut Vec<String>) {
        let Some(Value::Array(items)) = items else { return };
        for item in items {
            if let Some(id) =
                item.get("productOffering").and_then(|o| o.get("id")).and_then(Value::as_str)
            {
                if !out.iter().any(|x| x == id) {
                    out.push(id.to_owned());
                }
            }
            walk(item.get("productOrderItem"), out);
        }
    }
    let mut out = Vec::new();
    walk(order.get("productOrderItem"), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_payload_stamps_the_client_order_id() {
        let v4 =
            create_payload(r#"{"id":"old","state":"x","externalId":"PO"}"#, Version::V4, "od-1")
                .unwrap();
        assert_eq!(v4, json!({"externalId": "od-1"}));
        let v5 = create_payload(
            r#"{"externalId":[{"id":"PO-7","owner":"crm"}],"creationDate":"2026-01-01T00:00:00Z"}"#,
            Version::V5,
            "od-2",
        )
        .unwrap();
        let ids = orderdesk_client::external_ids(&v5);
        assert_eq!(ids, vec!["od-2", "PO-7"]);
        assert_eq!(v5["externalId"][0]["owner"], EXTERNAL_ID_OWNER);
        assert!(create_payload("[1]", Version::V4, "x").is_none());
    }

    #[test]
    fn conversion_keeps_our_id_first() {
        let v5 = create_payload(r#"{"productOrderItem":[]}"#, Version::V5, "od-3").unwrap();
        let v4 = for_version(v5, Version::V4, "od-3");
        assert_eq!(v4["externalId"], "od-3");
        let back = for_version(v4, Version::V5, "od-3");
        assert_eq!(back["externalId"][0]["id"], "od-3");
        assert_eq!(back["externalId"][0]["externalIdentifierType"], EXTERNAL_ID_TYPE);
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
