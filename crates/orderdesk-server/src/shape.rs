//! The v4 ↔ v5 differences the server needs at its boundary. Orders and cancellations are
//! stored in TMF622 v4 shape; a v5 request is brought to v4 on the way in and every v5
//! answer is rendered from v4 on the way out, so both versions see the same orders.
//!
//! The mapping itself (`orderDate` ↔ `creationDate`, related parties, external ids, typed
//! characteristics, `@type`s, …) is `orderdesk_wire::convert`'s; this module only picks the
//! direction for a request. Unknown fields pass through untouched in both directions.

use serde_json::Value;

/// API version of a request: `orderdesk-wire`'s.
pub use orderdesk_wire::Version;

/// A v5 `ProductOrder` (request or stored form) to v4.
pub fn order_v5_to_v4(v: Value) -> Value {
    orderdesk_wire::convert::order_v5_to_v4(v)
}

/// A stored (v4) `ProductOrder` to v5.
pub fn order_v4_to_v5(v: Value) -> Value {
    orderdesk_wire::convert::order_v4_to_v5(v)
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
    fn order_dates_follow_the_version() {
        let v4 = json!({"id":"1","orderDate":"2024-01-01T00:00:00Z","x-extra":{"a":1}});
        let v5 = order_v4_to_v5(v4.clone());
        assert_eq!(v5["creationDate"], "2024-01-01T00:00:00Z");
        assert!(v5.get("orderDate").is_none());
        assert_eq!(v5["@type"], "ProductOrder");
        let back = order_v5_to_v4(v5);
        assert_eq!(back["orderDate"], v4["orderDate"]);
        assert_eq!(back["x-extra"], v4["x-extra"]);
        assert_eq!(Version::from_segment("v5"), Some(Version::V5));
        assert_eq!(Version::from_segment("v3"), None);
    }
}
