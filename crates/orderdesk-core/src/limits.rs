//! Every size Orderdesk accepts from outside, in one place. Orders, catalogs, requests and
//! answers come from files and servers Orderdesk does not control; each dimension that could
//! make it run out of stack, memory or time has a named maximum here, and every edge that takes
//! such input (file commands, import, editing, the reference server, the client reading
//! answers) checks against these constants and answers with a clear error: a finding with its
//! code, a `{code, message}` error, or a TMF error body.
//!
//! The values are far above what an agent's order or a real catalog needs (a 1,000-item order,
//! a bundle of bundles three levels deep, a 24-month term) and low enough that the worst input
//! within them is cheap to read, check and price.

/// Items in one order, bundled children included.
pub const MAX_ITEMS: usize = 10_000;
/// Installed products of one customer an inventory holds (a cache, a server's answer).
pub const MAX_INVENTORY_PRODUCTS: usize = 5_000;
/// How deep bundles nest: a top-level item is at depth 1, its children at 2, ...
pub const MAX_BUNDLE_DEPTH: usize = 16;
/// Items directly in one bundle.
pub const MAX_CHILDREN: usize = 1_000;
/// Characteristics of one item's product.
pub const MAX_CHARACTERISTICS: usize = 200;
/// Prices of one item (`itemPrice`).
pub const MAX_PRICES: usize = 50;
/// Alterations (discounts, surcharges) of one price.
pub const MAX_ALTERATIONS: usize = 50;
/// Periods of a price schedule: a hundred years by the month. A term beyond it cannot be
/// priced period by period.
pub const MAX_PERIODS: u32 = 1_200;
/// The quantity of one item.
pub const MAX_QUANTITY: u64 = 1_000_000;
/// Characters of one text member (a note, a name, a characteristic value).
pub const MAX_TEXT_CHARS: usize = 10_000;
/// Characters of an identifier (an item id, an offering id, a party id).
pub const MAX_ID_CHARS: usize = 256;

/// Bytes of one order document or request body (a 10,000-item order is about 5 MB).
pub const MAX_ORDER_BYTES: usize = 16 * 1024 * 1024;
/// Bytes of one catalog snapshot file (100,000 offerings are about 220 MB).
pub const MAX_CATALOG_BYTES: usize = 1024 * 1024 * 1024;
/// Bytes of one page of a list a server answers.
pub const MAX_PAGE_BYTES: usize = 64 * 1024 * 1024;
/// Entries in one page of a list, asked for or served.
pub const MAX_PAGE_SIZE: usize = 1_000;
/// Entries a list answers when the request does not say.
pub const DEFAULT_PAGE_SIZE: usize = 100;
/// Pages read in one pull of a list: a server that never ends a list is stopped here.
pub const MAX_PAGES: usize = 10_000;
/// How deep JSON may nest. `serde_json` refuses deeper text; values built in memory (a
/// JSON Patch applied by a server) are checked against the same bound.
pub const MAX_JSON_DEPTH: usize = 128;

/// The nesting depth of a JSON value (a scalar is 0, `[]` and `{}` are 1), counted without
/// recursion and without going further than `MAX_JSON_DEPTH + 1`.
pub fn json_depth(value: &serde_json::Value) -> usize {
    json_depth_capped(value, MAX_JSON_DEPTH)
}

/// [`json_depth`] with another cap: any depth past `cap` is `cap + 1`.
pub fn json_depth_capped(value: &serde_json::Value, cap: usize) -> usize {
    use serde_json::Value;
    let mut deepest = 0usize;
    let mut stack: Vec<(&Value, usize)> = vec![(value, 0)];
    while let Some((v, depth)) = stack.pop() {
        let children: Box<dyn Iterator<Item = &Value>> = match v {
            Value::Array(items) => Box::new(items.iter()),
            Value::Object(members) => Box::new(members.values()),
            _ => continue,
        };
        let here = depth.saturating_add(1);
        deepest = deepest.max(here);
        if here > cap {
            return here;
        }
        stack.extend(children.map(|c| (c, here)));
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn depth_is_counted_without_recursion() {
        assert_eq!(json_depth(&json!(1)), 0);
        assert_eq!(json_depth(&json!([])), 1);
        assert_eq!(json_depth(&json!({"a": [{"b": 1}]})), 3);
        let mut deep = json!(0);
        for _ in 0..10_000 {
            deep = serde_json::Value::Array(vec![deep]);
        }
        assert_eq!(json_depth(&deep), MAX_JSON_DEPTH + 1);
        std::mem::forget(deep);
    }
}
