//! The v4 ↔ v5 differences the server needs at its boundary. Orders and cancellations are
//! stored in TMF622 v4 shape; a v5 request is brought to v4 on the way in and every v5
//! answer is rendered from v4 on the way out, so both versions see the same orders.
//!
//! Differences handled: `orderDate` (v4) ↔ `creationDate` (v5); v4 `RelatedParty`
//! (`id`, `name`, `@referredType`, `role`) ↔ v5 `RelatedPartyRefOrPartyRoleRef`
//! (`role` + `partyOrPartyRole`); the `@type` discriminator that v5 makes explicit.
//! Unknown fields pass through untouched in both directions.

use serde_json::{Map, Value};

/// API version of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// TMF622/TMF620 v4.
    V4,
    /// TMF622/TMF620 v5.
    V5,
}

impl Version {
    /// Parses the path segment (`v4`, `v5`).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "v4" => Some(Version::V4),
            "v5" => Some(Version::V5),
            _ => None,
        }
    }

    /// The path segment.
    pub fn segment(self) -> &'static str {
        match self {
            Version::V4 => "v4",
            Version::V5 => "v5",
        }
    }
}

fn rename(obj: &mut Map<String, Value>, from: &str, to: &str) {
    if let Some(v) = obj.remove(from) {
        obj.entry(to.to_owned()).or_insert(v);
    }
}

/// A v5 `ProductOrder` (request or stored form) to v4.
pub fn order_v5_to_v4(mut v: Value) -> Value {
    if let Some(obj) = v.as_object_mut() {
        rename(obj, "creationDate", "orderDate");
        if let Some(Value::Array(parties)) = obj.get_mut("relatedParty") {
            for p in parties.iter_mut() {
                party_v5_to_v4(p);
            }
        }
    }
    v
}

/// A stored (v4) `ProductOrder` to v5.
pub fn order_v4_to_v5(mut v: Value) -> Value {
    if let Some(obj) = v.as_object_mut() {
        rename(obj, "orderDate", "creationDate");
        if let Some(Value::Array(parties)) = obj.get_mut("relatedParty") {
            for p in parties.iter_mut() {
                party_v4_to_v5(p);
            }
        }
        obj.entry("@type").or_insert_with(|| Value::String("ProductOrder".into()));
    }
    v
}

fn party_v5_to_v4(p: &mut Value) {
    let Some(obj) = p.as_object_mut() else { return };
    let Some(Value::Object(inner)) = obj.remove("partyOrPartyRole") else {
        return;
    };
    for (k, val) in inner {
        if k == "@type" {
            continue;
        }
        obj.entry(k).or_insert(val);
    }
    if obj.get("@type").and_then(Value::as_str) == Some("RelatedPartyRefOrPartyRoleRef") {
        obj.remove("@type");
    }
}

fn party_v4_to_v5(p: &mut Value) {
    let Some(obj) = p.as_object_mut() else { return };
    if obj.contains_key("partyOrPartyRole") {
        return;
    }
    let mut inner = Map::new();
    for key in ["id", "href", "name", "@referredType", "@baseType", "@schemaLocation"] {
        if let Some(v) = obj.remove(key) {
            inner.insert(key.to_owned(), v);
        }
    }
    inner.insert("@type".into(), Value::String("PartyRef".into()));
    obj.insert("partyOrPartyRole".into(), Value::Object(inner));
    obj.insert("@type".into(), Value::String("RelatedPartyRefOrPartyRoleRef".into()));
}

/// A stored `CancelProductOrder` to the version's shape.
pub fn cancel_out(mut v: Value, version: Version) -> Value {
    if version == Version::V5 {
        if let Some(obj) = v.as_object_mut() {
            obj.entry("@type").or_insert_with(|| Value::String("CancelProductOrder".into()));
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trip_keeps_everything() {
        let v4 = json!({"id":"1","orderDate":"2024-01-01T00:00:00Z","x-extra":{"a":1},
            "relatedParty":[{"id":"p","name":"Jean","role":"customer","@referredType":"Individual"}]});
        let v5 = order_v4_to_v5(v4.clone());
        assert_eq!(v5["creationDate"], "2024-01-01T00:00:00Z");
        assert_eq!(v5["relatedParty"][0]["partyOrPartyRole"]["id"], "p");
        assert_eq!(v5["relatedParty"][0]["role"], "customer");
        let mut back = order_v5_to_v4(v5);
        if let Some(o) = back.as_object_mut() {
            o.remove("@type");
        }
        let mut want = v4;
        want["relatedParty"][0]["@type"] = json!(null);
        if let Some(p) = want["relatedParty"][0].as_object_mut() {
            p.remove("@type");
        }
        assert_eq!(back["relatedParty"], want["relatedParty"]);
        assert_eq!(back["orderDate"], want["orderDate"]);
        assert_eq!(back["x-extra"], want["x-extra"]);
    }
}
