//! Order items as a list, whatever the nesting: TMF622 writes bundles flat (items linked by
//! `bundles` relationships) or nested (`productOrderItem` inside an item). Nesting comes from
//! outside, so the walk is iterative: no input decides how deep the stack goes.

use serde_json::{Map, Value};

/// Every item object of an order, nested ones included, parents before their children, in
/// document order. Entries that are not objects are skipped.
pub fn all_items(order: &Value) -> Vec<&Map<String, Value>> {
    let mut out = Vec::new();
    let mut stack: Vec<std::slice::Iter<'_, Value>> = Vec::new();
    if let Some(Value::Array(items)) = order.get("productOrderItem") {
        stack.push(items.iter());
    }
    while let Some(top) = stack.last_mut() {
        match top.next() {
            Some(Value::Object(item)) => {
                out.push(item);
                if let Some(Value::Array(children)) = item.get("productOrderItem") {
                    stack.push(children.iter());
                }
            }
            Some(_) => {}
            None => {
                stack.pop();
            }
        }
    }
    out
}

/// The distinct offering ids an order refers to, in the order of first use.
pub fn offering_ids(order: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in all_items(order) {
        if let Some(id) =
            item.get("productOffering").and_then(|o| o.get("id")).and_then(Value::as_str)
        {
            if !out.iter().any(|x| x == id) {
                out.push(id.to_owned());
            }
        }
    }
    out
}

/// What identifies a submission's content: each item's id, action and offering, sorted.
fn fingerprint(order: &Value) -> Vec<(String, String, String)> {
    let text = |v: Option<&Value>| crate::parties::text(v).unwrap_or_default();
    let mut out: Vec<(String, String, String)> = all_items(order)
        .into_iter()
        .map(|item| {
            (
                text(item.get("id")),
                text(item.get("action")),
                text(item.get("productOffering").and_then(|o| o.get("id"))),
            )
        })
        .collect();
    out.sort();
    out
}

/// An order a server holds is the one that was sent: the same items (ids, actions, offerings).
/// Used before adopting an order found by a key that is not ours alone (a partner's reference
/// may name earlier orders too).
pub fn same_submission(sent: &Value, found: &Value) -> bool {
    fingerprint(sent) == fingerprint(found)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn nested_and_flat_items_in_document_order() {
        let order = json!({"productOrderItem": [
            {"id": "1", "productOffering": {"id": "a"},
             "productOrderItem": [{"id": "2", "productOffering": {"id": "b"}}]},
            7,
            {"id": "3", "productOffering": {"id": "a"}}]});
        let ids: Vec<&str> =
            all_items(&order).iter().filter_map(|i| i.get("id")?.as_str()).collect();
        assert_eq!(ids, ["1", "2", "3"]);
        assert_eq!(offering_ids(&order), ["a", "b"]);
    }

    #[test]
    fn a_deep_chain_does_not_overflow() {
        // serde_json's parser stops at 128 levels, but a value can be built deeper in memory.
        let mut order = json!({"id": "leaf"});
        for i in 0..100_000 {
            let mut m = Map::new();
            m.insert("id".into(), Value::String(i.to_string()));
            m.insert("productOrderItem".into(), Value::Array(vec![order]));
            order = Value::Object(m);
        }
        let mut root = Map::new();
        root.insert("productOrderItem".into(), Value::Array(vec![order]));
        let order = Value::Object(root);
        assert_eq!(all_items(&order).len(), 100_001);
        // Dropping a value this deep recurses inside serde_json; leave it to the process.
        std::mem::forget(order);
    }

    #[test]
    fn same_submission_compares_items() {
        let sent = json!({"externalId": "PO-1", "productOrderItem": [
            {"id": "1", "action": "add", "productOffering": {"id": "a"}}]});
        let same = json!({"id": "srv-9", "state": "acknowledged", "productOrderItem": [
            {"id": "1", "action": "add", "productOffering": {"id": "a"}, "state": "acknowledged"}]});
        let other = json!({"productOrderItem": [
            {"id": "1", "action": "add", "productOffering": {"id": "b"}}]});
        assert!(same_submission(&sent, &same));
        assert!(!same_submission(&sent, &other));
    }
}
