//! External identifiers: the keys other systems (a partner's purchase order, Orderdesk's own
//! client order id) give an order.
//!
//! v4 has room for one: `externalId` is a string. v5 has a list of `ExternalIdentifier`s, each
//! with an owner and a type. Orderdesk identifies its own submissions with a client order id:
//! in v5 it is added to the list (owner [`CLIENT_ORDER_ID_OWNER`]), next to whatever the order
//! already carries; in v4 it fills `externalId` only when the order has none of its own, so a
//! partner's reference is never replaced. The key a submission can be found by afterwards
//! ([`delivery_key`]) is whichever of the two was sent.

use serde_json::{json, Map, Value};

use crate::parties::text;
use crate::Version;

/// The owner written into a v5 `ExternalIdentifier` that carries our client order id.
pub const CLIENT_ORDER_ID_OWNER: &str = "orderdesk";
/// The `externalIdentifierType` of our client order id.
pub const CLIENT_ORDER_ID_TYPE: &str = "clientOrderId";
/// The prefix of every client order id: `od-` and a UUID's 32 hex digits.
pub const CLIENT_ORDER_ID_PREFIX: &str = "od-";

/// One external identifier, from either version.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExternalId {
    /// The identifier.
    pub id: String,
    /// Who gave it (v5 `owner`).
    pub owner: Option<String>,
    /// What kind of identifier it is (v5 `externalIdentifierType`).
    pub kind: Option<String>,
}

impl ExternalId {
    /// One of our client order ids.
    pub fn is_client_order_id(&self) -> bool {
        match &self.owner {
            Some(owner) => {
                owner == CLIENT_ORDER_ID_OWNER
                    && self.kind.as_deref().is_none_or(|k| k == CLIENT_ORDER_ID_TYPE)
            }
            None => looks_like_client_order_id(&self.id),
        }
    }
}

/// `od-` followed by 32 hex digits: the form of our client order ids.
fn looks_like_client_order_id(id: &str) -> bool {
    id.strip_prefix(CLIENT_ORDER_ID_PREFIX)
        .is_some_and(|rest| rest.len() == 32 && rest.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Every external identifier an order carries: v4's string (or number), v5's list, and the
/// full list a v5 → v4 conversion keeps beside v4's string.
pub fn external_ids(order: &Value) -> Vec<ExternalId> {
    let mut out = Vec::new();
    let mut push = |x: ExternalId| {
        if !x.id.is_empty() && !out.contains(&x) {
            out.push(x);
        }
    };
    for key in ["externalId", "externalIdentifier"] {
        match order.get(key) {
            Some(Value::Array(list)) => {
                for x in list {
                    match x {
                        Value::Object(o) => push(ExternalId {
                            id: text(o.get("id")).unwrap_or_default(),
                            owner: text(o.get("owner")),
                            kind: text(o.get("externalIdentifierType")),
                        }),
                        other => push(ExternalId {
                            id: text(Some(other)).unwrap_or_default(),
                            ..Default::default()
                        }),
                    }
                }
            }
            Some(other) => {
                push(ExternalId { id: text(Some(other)).unwrap_or_default(), ..Default::default() })
            }
            None => {}
        }
    }
    // v4's string and the kept list name the same first identifier twice: keep the richer one.
    let mut unique: Vec<ExternalId> = Vec::with_capacity(out.len());
    for x in out {
        match unique.iter_mut().find(|u| u.id == x.id) {
            Some(u) => {
                if u.owner.is_none() {
                    *u = x;
                }
            }
            None => unique.push(x),
        }
    }
    unique
}

/// The order carries `id` among its external identifiers.
pub fn carries_external_id(order: &Value, id: &str) -> bool {
    external_ids(order).iter().any(|x| x.id == id)
}

/// The order's first external identifier that is not ours (a partner's reference).
pub fn partner_reference(order: &Value) -> Option<String> {
    external_ids(order).into_iter().find(|x| !x.is_client_order_id()).map(|x| x.id)
}

/// Our client order id in an order, if it carries one.
pub fn client_order_id(order: &Value) -> Option<String> {
    external_ids(order).into_iter().find(ExternalId::is_client_order_id).map(|x| x.id)
}

/// Writes our client order id into an order in the shape of `version` and returns the key
/// the order can be found by afterwards ([`delivery_key`] of the result).
///
/// - v5: our `ExternalIdentifier` first in the list (an older one of ours is replaced), every
///   other identifier kept.
/// - v4: `externalId` is set to the client order id unless the order carries a reference of
///   its own (a partner's purchase-order number), which is kept.
pub fn stamp_client_order_id(
    order: &mut Map<String, Value>,
    version: Version,
    client_order_id: &str,
) -> String {
    match version {
        Version::V4 => {
            let own = match order.get("externalId") {
                Some(v) => {
                    text(Some(v)).filter(|t| !t.is_empty() && !looks_like_client_order_id(t))
                }
                None => None,
            };
            match own {
                Some(partner) => {
                    // A number written as text: v4's schema wants a string.
                    order.insert("externalId".into(), Value::String(partner.clone()));
                    partner
                }
                None => {
                    order.insert("externalId".into(), Value::String(client_order_id.to_owned()));
                    client_order_id.to_owned()
                }
            }
        }
        Version::V5 => {
            let ours = json!({
                "id": client_order_id,
                "owner": CLIENT_ORDER_ID_OWNER,
                "externalIdentifierType": CLIENT_ORDER_ID_TYPE,
                "@type": "ExternalIdentifier",
            });
            let mut list = vec![ours];
            match order.shift_remove("externalId") {
                Some(Value::Array(existing)) => {
                    // Any earlier client order id of ours goes, whether it kept its owner (v5)
                    // or came back from v4 as a bare identifier.
                    list.extend(existing.into_iter().filter(|x| {
                        let read = ExternalId {
                            id: text(x.get("id")).unwrap_or_default(),
                            owner: text(x.get("owner")),
                            kind: text(x.get("externalIdentifierType")),
                        };
                        !(read.is_client_order_id() || read.id == client_order_id)
                    }));
                }
                Some(other) => {
                    if let Some(id) = text(Some(&other)).filter(|t| !t.is_empty()) {
                        list.push(json!({"id": id, "@type": "ExternalIdentifier"}));
                    }
                }
                None => {}
            }
            order.insert("externalId".into(), Value::Array(list));
            client_order_id.to_owned()
        }
    }
}

/// The key a sent order can be looked up by: our client order id when the order carries it,
/// else its (v4) external id.
pub fn delivery_key(sent: &Value) -> Option<String> {
    client_order_id(sent).or_else(|| external_ids(sent).into_iter().next().map(|x| x.id))
}

/// The list filter that asks a server for orders carrying `id`, in `version`'s member name.
pub fn external_id_filter(version: Version) -> &'static str {
    match version {
        Version::V4 => "externalId",
        Version::V5 => "externalId.id",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OURS: &str = "od-0123456789abcdef0123456789abcdef";

    #[test]
    fn v4_keeps_a_partner_reference() {
        let mut order = Map::new();
        order.insert("externalId".into(), json!("PO-456"));
        assert_eq!(stamp_client_order_id(&mut order, Version::V4, OURS), "PO-456");
        assert_eq!(order["externalId"], "PO-456");
        let mut order = Map::new();
        assert_eq!(stamp_client_order_id(&mut order, Version::V4, OURS), OURS);
        assert_eq!(order["externalId"], OURS);
        // An earlier client order id of ours is replaced by the new one.
        let mut order = Map::new();
        order.insert("externalId".into(), json!("od-ffffffffffffffffffffffffffffffff"));
        assert_eq!(stamp_client_order_id(&mut order, Version::V4, OURS), OURS);
    }

    #[test]
    fn v5_keeps_every_identifier_and_ours_first() {
        let mut order = Map::new();
        order.insert(
            "externalId".into(),
            json!([{"id": "PO-7", "owner": "crm", "@type": "ExternalIdentifier"},
                   {"id": "od-old", "owner": CLIENT_ORDER_ID_OWNER,
                    "externalIdentifierType": CLIENT_ORDER_ID_TYPE}]),
        );
        assert_eq!(stamp_client_order_id(&mut order, Version::V5, OURS), OURS);
        let v = Value::Object(order);
        let ids: Vec<String> = external_ids(&v).into_iter().map(|x| x.id).collect();
        assert_eq!(ids, [OURS, "PO-7"]);
        assert_eq!(client_order_id(&v).as_deref(), Some(OURS));
        assert_eq!(partner_reference(&v).as_deref(), Some("PO-7"));
        assert_eq!(delivery_key(&v).as_deref(), Some(OURS));
        // Our id that went through v4 (a bare identifier) is not repeated.
        let mut order = Map::new();
        order.insert("externalId".into(), json!([{"id": OURS, "@type": "ExternalIdentifier"}]));
        stamp_client_order_id(&mut order, Version::V5, OURS);
        assert_eq!(order["externalId"].as_array().map(Vec::len), Some(1));
        // A v4 string moved into v5 joins the list.
        let mut order = Map::new();
        order.insert("externalId".into(), json!("PO-1"));
        stamp_client_order_id(&mut order, Version::V5, OURS);
        assert!(carries_external_id(&Value::Object(order), "PO-1"));
    }

    #[test]
    fn external_ids_in_both_versions() {
        let ids = |v: Value| external_ids(&v).into_iter().map(|x| x.id).collect::<Vec<_>>();
        assert_eq!(ids(json!({"externalId": "A-1"})), ["A-1"]);
        assert_eq!(ids(json!({"externalId": 12345})), ["12345"]);
        assert_eq!(
            ids(json!({"externalId": [{"id": "x", "owner": "o"}, {"id": "y"}]})),
            ["x", "y"]
        );
        assert!(ids(json!({})).is_empty());
    }

    #[test]
    fn delivery_key_is_what_was_sent() {
        assert_eq!(delivery_key(&json!({"externalId": "PO-456"})).as_deref(), Some("PO-456"));
        assert_eq!(delivery_key(&json!({"externalId": 12345})).as_deref(), Some("12345"));
        assert_eq!(delivery_key(&json!({})), None);
    }
}
