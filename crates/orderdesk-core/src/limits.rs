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
/// How deep an edit may make an order's stored JSON (the flat layout) nest. Far below the
/// 127 levels `serde_json` reads, so the order in the other version (a level or two deeper)
/// and on a server still reads; an order imported deeper keeps its depth but gets no deeper.
pub const MAX_ORDER_DEPTH: usize = 64;
/// Reasons in one discount policy.
pub const MAX_POLICY_REASONS: usize = 100;

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
/// Bytes of one whole list read from a server, all its pages together: as much as a catalog
/// snapshot file may hold.
pub const MAX_LIST_BYTES: usize = MAX_CATALOG_BYTES;
/// How long reading one list from a server may take, all its pages together: a server that
/// answers every page slowly is stopped here.
pub const MAX_LIST_DURATION: std::time::Duration = std::time::Duration::from_secs(15 * 60);
/// The longest wait a server's `Retry-After` is taken for; a longer one (years, or more than
/// a date can hold) is read as this.
pub const MAX_RETRY_AFTER: std::time::Duration = std::time::Duration::from_secs(60 * 60);
/// The longest an access token is used before a new one is fetched, whatever lifetime
/// (`expires_in`) the token endpoint gave it.
pub const MAX_TOKEN_LIFETIME: std::time::Duration = std::time::Duration::from_secs(60 * 60);
/// How deep JSON may nest. `serde_json` refuses deeper text; values built in memory (a
/// JSON Patch applied by a server) are checked against the same bound.
pub const MAX_JSON_DEPTH: usize = 128;

/// Whether `text` is longer than [`MAX_TEXT_CHARS`] characters (counted only when its bytes
/// are over the cap: fewer bytes are fewer characters).
pub fn text_too_long(text: &str) -> bool {
    text.len() > MAX_TEXT_CHARS && text.chars().count() > MAX_TEXT_CHARS
}

/// The JSON pointer (under `path`) of the first string in `value` longer than
/// [`MAX_TEXT_CHARS`], walked with an explicit stack.
pub fn long_text_in(value: &serde_json::Value, path: &str) -> Option<String> {
    use serde_json::Value;
    let mut stack: Vec<(String, &Value)> = vec![(path.to_owned(), value)];
    while let Some((at, v)) = stack.pop() {
        match v {
            Value::String(s) if text_too_long(s) => return Some(at),
            Value::Array(items) => {
                stack.extend(items.iter().enumerate().map(|(i, x)| (format!("{at}/{i}"), x)))
            }
            Value::Object(m) => stack.extend(m.iter().map(|(k, x)| (format!("{at}/{k}"), x))),
            _ => {}
        }
    }
    None
}

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
