//! Telling v4 from v5 by shape when a payload does not say.

use serde_json::Value;

use crate::Version;

/// Detects the TMF622 version of an order payload from its shape.
///
/// Signals, strongest first: a `@schemaLocation` naming v4 or v5; then a vote of shape signals:
/// a version suffix on `@type` (`ProductOrder_V4`),
/// `creationDate` (v5) vs `orderDate` (v4), `externalId` array (v5) vs string (v4), related
/// parties wrapped in `partyOrPartyRole` (v5) vs flat (v4), typed characteristics (v5),
/// `requestedInitialState` (v5), channels wrapped in `channel` (v5), v5 reference member names
/// (`quoteItemId`, `itemId`, `orderId`). Returns `None` when nothing points either way (the
/// payload is valid in both shapes) or the votes tie.
pub fn detect_version(v: &Value) -> Option<Version> {
    let obj = v.as_object()?;
    if let Some(loc) = obj.get("@schemaLocation").and_then(Value::as_str) {
        let l = loc.to_ascii_lowercase();
        if l.contains("/v5") || l.contains("v5.") || l.contains("5.0.0") {
            return Some(Version::V5);
        }
        if l.contains("/v4") || l.contains("v4.") || l.contains("4.0.0") {
            return Some(Version::V4);
        }
    }
    let (mut v4, mut v5) = (0u32, 0u32);
    // Some servers spell the class with a version suffix (`ProductOrder_V4`).
    if let Some(t) = obj.get("@type").and_then(Value::as_str) {
        let t = t.to_ascii_lowercase();
        if t.ends_with("v4") {
            v4 = v4.saturating_add(2);
        } else if t.ends_with("v5") {
            v5 = v5.saturating_add(2);
        }
    }
    if obj.contains_key("creationDate") {
        v5 = v5.saturating_add(2);
    }
    if obj.contains_key("orderDate") {
        v4 = v4.saturating_add(2);
    }
    match obj.get("externalId") {
        Some(Value::Array(_)) => v5 = v5.saturating_add(2),
        Some(Value::String(_)) => v4 = v4.saturating_add(2),
        _ => {}
    }
    if obj.contains_key("requestedInitialState")
        || obj.contains_key("productOrderMilestone")
        || obj.contains_key("productOrderJeopardyAlert")
        || obj.contains_key("productOrderErrorMessage")
    {
        v5 = v5.saturating_add(1);
    }
    vote_parties(obj.get("relatedParty"), &mut v4, &mut v5);
    if let Some(Value::Array(chs)) = obj.get("channel") {
        for c in chs {
            if c.get("channel").is_some() {
                v5 = v5.saturating_add(1);
            } else if c.get("id").is_some() {
                v4 = v4.saturating_add(1);
            }
        }
    }
    if let Some(Value::Array(items)) = obj.get("productOrderItem") {
        for item in items {
            vote_item(item, &mut v4, &mut v5);
        }
    }
    match v4.cmp(&v5) {
        std::cmp::Ordering::Greater => Some(Version::V4),
        std::cmp::Ordering::Less => Some(Version::V5),
        std::cmp::Ordering::Equal => None,
    }
}

fn vote_parties(parties: Option<&Value>, v4: &mut u32, v5: &mut u32) {
    if let Some(Value::Array(ps)) = parties {
        for p in ps {
            if p.get("partyOrPartyRole").is_some() {
                *v5 = v5.saturating_add(1);
            } else if p.get("id").is_some() {
                *v4 = v4.saturating_add(1);
            }
        }
    }
}

fn vote_item(item: &Value, v4: &mut u32, v5: &mut u32) {
    if let Some(q) = item.get("quoteItem") {
        if q.get("quoteItemId").is_some() {
            *v5 = v5.saturating_add(1);
        } else if q.get("id").is_some() {
            *v4 = v4.saturating_add(1);
        }
    }
    if let Some(q) = item.get("productOfferingQualificationItem") {
        if q.get("itemId").is_some() {
            *v5 = v5.saturating_add(1);
        } else if q.get("id").is_some() {
            *v4 = v4.saturating_add(1);
        }
    }
    if let Some(product) = item.get("product") {
        if let Some(Value::Array(chars)) = product.get("productCharacteristic") {
            for c in chars {
                match c.get("@type").and_then(Value::as_str) {
                    Some(t) if t.ends_with("Characteristic") && t != "Characteristic" => {
                        *v5 = v5.saturating_add(1)
                    }
                    _ => {}
                }
            }
        }
        if let Some(Value::Array(rel)) = product.get("productOrderItem") {
            for r in rel {
                if r.get("orderId").is_some() {
                    *v5 = v5.saturating_add(1);
                } else if r.get("productOrderId").is_some() {
                    *v4 = v4.saturating_add(1);
                }
            }
        }
        vote_parties(product.get("relatedParty"), v4, v5);
    }
    if let Some(Value::Array(children)) = item.get("productOrderItem") {
        for c in children {
            vote_item(c, v4, v5);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn schema_location_wins_over_shape() {
        let v =
            json!({"@schemaLocation": "https://x/tmf622/v5/ProductOrder.json", "orderDate": "x"});
        assert_eq!(detect_version(&v), Some(Version::V5));
    }

    #[test]
    fn shape_signals_vote() {
        assert_eq!(detect_version(&json!({"creationDate": "x"})), Some(Version::V5));
        assert_eq!(detect_version(&json!({"externalId": "a"})), Some(Version::V4));
        assert_eq!(detect_version(&json!({"@type": "ProductOrder_V4"})), Some(Version::V4));
        let typed = json!({"productOrderItem": [{"product": {"productCharacteristic": [
            {"name": "a", "value": "b", "@type": "StringCharacteristic"}]}}]});
        assert_eq!(detect_version(&typed), Some(Version::V5));
        let party =
            json!({"relatedParty": [{"role": "customer", "partyOrPartyRole": {"id": "1"}}]});
        assert_eq!(detect_version(&party), Some(Version::V5));
    }

    #[test]
    fn ambiguous_or_not_an_object_is_none() {
        assert_eq!(
            detect_version(&json!({"productOrderItem": [{"id": "1", "action": "add"}]})),
            None
        );
        assert_eq!(detect_version(&json!({"orderDate": "x", "creationDate": "y"})), None);
        assert_eq!(detect_version(&json!([1])), None);
    }
}
