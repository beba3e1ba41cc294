//! Structure: what makes an order readable and sendable whatever the catalog says. Order-level
//! members (class name, dates, priority, parties, money outside item prices) and, per item, its
//! id, action, quantity, relationships, product, characteristics and dates.
//!
//! Every walk here is iterative or bounded by the order's item list: nesting comes from
//! outside and must not decide how deep the stack goes.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::catalog::decimal;
use crate::codes::{
    finding, BUNDLE_CYCLE, BUNDLE_MULTIPLE_PARENTS, CHARACTERISTIC_NAME_MISSING,
    CHARACTERISTIC_TYPE_MISMATCH, DATE_INVALID, FIELD_LENIENT, ITEM_ACTION_MISSING,
    ITEM_ACTION_UNKNOWN, ITEM_ID_MISSING, ITEM_PRODUCT_MISSING, ITEM_QUANTITY, MONEY_UNIT_INVALID,
    PARTY_UNIDENTIFIED, PRICE_INVALID, RELATIONSHIP_DANGLING, TYPE_UNEXPECTED,
};
use crate::codes::{LIMIT_CHARACTERISTICS, LIMIT_PRICES, LIMIT_QUANTITY, LIMIT_TEXT};
use crate::finding::Finding;
use crate::limits;
use crate::model::{Item, Order, BUNDLES};

/// Item actions TMF622 defines.
pub const ITEM_ACTIONS: &[&str] = &["add", "modify", "delete", "noChange"];

/// Boolean members of a product.
const BOOL_MEMBERS: &[&str] = &["isBundle", "isCustomerVisible"];

/// The JSON type of a value, for messages.
pub(super) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn at(base: &str, segment: impl std::fmt::Display) -> String {
    orderdesk_wire::json_pointer(base, segment)
}

/// `@type` spelled otherwise than the expected class names.
fn check_type(obj: &Map<String, Value>, path: &str, expected: &[&str], out: &mut Vec<Finding>) {
    let Some(Value::String(t)) = obj.get("@type") else { return };
    if !expected.contains(&t.as_str()) {
        out.push(finding(
            TYPE_UNEXPECTED,
            at(path, "@type"),
            format!(
                "@type '{t}' is not '{}'; read as {}",
                expected.join("' or '"),
                expected.first().copied().unwrap_or_default()
            ),
        ));
    }
}

fn check_dates(obj: &Map<String, Value>, path: &str, out: &mut Vec<Finding>) {
    for key in orderdesk_wire::DATE_TIME_MEMBERS {
        if let Some(Value::String(s)) = obj.get(*key) {
            if orderdesk_wire::parse_date_input(s).is_none() {
                out.push(finding(
                    DATE_INVALID,
                    at(path, key),
                    format!("'{s}' is not a date (an RFC 3339 date-time or YYYY-MM-DD)"),
                ));
            }
        }
    }
}

/// Order-level members.
pub(super) fn order_level(order: &Order, out: &mut Vec<Finding>) {
    let f = &order.fields;
    check_type(f, "", &["ProductOrder"], out);
    if let Some(Value::Number(n)) = f.get("priority") {
        out.push(finding(
            FIELD_LENIENT,
            "/priority",
            format!("priority should be a string (\"0\" to \"4\"); the number {n} is read as text"),
        ));
    }
    check_dates(f, "", out);
    long_texts(f.iter().filter(|(k, _)| k.as_str() != "productOrderItem"), "", out);
    parties(f.get("relatedParty"), "", out);
    money_members(
        f.iter()
            .filter(|(k, _)| k.as_str() != "itemPrice" && k.as_str() != "productOrderItem")
            .map(|(k, v)| (at("", k), v))
            .collect(),
        out,
    );
}

/// Every related party can be told apart (an id, or at least a name), whatever its shape.
fn parties(list: Option<&Value>, path: &str, out: &mut Vec<Finding>) {
    let Some(Value::Array(list)) = list else { return };
    for (i, entry) in list.iter().enumerate() {
        let party = orderdesk_wire::parties::read_party(entry);
        if party.shape.is_some() && !party.is_identified() {
            out.push(finding(
                PARTY_UNIDENTIFIED,
                at(&at(path, "relatedParty"), i),
                "a related party needs an id (or at least a name)",
            ));
        }
    }
}

/// Money under the given members (other than the item prices `money.rs` checks): amounts
/// readable, currencies ISO 4217. Walked with an explicit stack.
fn money_members(mut stack: Vec<(String, &Value)>, out: &mut Vec<Finding>) {
    while let Some((p, v)) = stack.pop() {
        match v {
            Value::Object(m) => {
                for (k, child) in m {
                    let cp = at(&p, k);
                    match (k.as_str(), child) {
                        ("dutyFreeAmount" | "taxIncludedAmount", Value::Object(money)) => {
                            check_money(money, &cp, out);
                        }
                        _ => stack.push((cp, child)),
                    }
                }
            }
            Value::Array(items) => {
                stack.extend(items.iter().enumerate().map(|(i, x)| (at(&p, i), x)));
            }
            _ => {}
        }
    }
}

fn check_money(m: &Map<String, Value>, path: &str, out: &mut Vec<Finding>) {
    match m.get("value") {
        Some(v @ Value::Number(_)) if decimal(v).is_some() => {}
        Some(v @ Value::String(s)) if decimal(v).is_some() => out.push(finding(
            FIELD_LENIENT,
            at(path, "value"),
            format!("amount sent as the string \"{s}\"; read as a number"),
        )),
        Some(other) => out.push(finding(
            PRICE_INVALID,
            at(path, "value"),
            format!("an amount must be a decimal number, found {}", kind(other)),
        )),
        None => {}
    }
    if let Some(u) = m.get("unit") {
        let iso =
            u.as_str().is_some_and(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()));
        if !iso {
            out.push(finding(
                MONEY_UNIT_INVALID,
                at(path, "unit"),
                format!("currency {u} is not an ISO 4217 code"),
            ));
        }
    }
}

/// One item's own structure. `ids` maps every item id to the path of its first use,
/// `parent_of` every bundled item to its parent.
pub(super) fn item(
    item: &Item,
    path: &str,
    ids: &HashMap<&str, usize>,
    parent_of: &HashMap<&str, &str>,
    out: &mut Vec<Finding>,
) {
    check_type(&item.fields, path, &["ProductOrderItem"], out);
    if item.id.trim().is_empty() {
        out.push(finding(ITEM_ID_MISSING, at(path, "id"), "every item needs a non-empty id"));
    } else if item.id.chars().count() > limits::MAX_ID_CHARS {
        out.push(finding(
            LIMIT_TEXT,
            at(path, "id"),
            format!("an item id is at most {} characters", limits::MAX_ID_CHARS),
        ));
    }
    long_texts(item.fields.iter(), path, out);
    sizes(item, path, out);
    match (item.quantity(), item.fields.get("quantity")) {
        (Err(q), _) => out.push(finding(
            ITEM_QUANTITY,
            at(path, "quantity"),
            format!("quantity must be a whole number of at least 1, found {q}"),
        )),
        (Ok(q), _) if q > limits::MAX_QUANTITY => out.push(finding(
            LIMIT_QUANTITY,
            at(path, "quantity"),
            format!("a quantity of {q} is more than {} for one item", limits::MAX_QUANTITY),
        )),
        (Ok(q), Some(Value::String(s))) => out.push(finding(
            FIELD_LENIENT,
            at(path, "quantity"),
            format!("quantity should be a number; \"{s}\" is read as {q}"),
        )),
        _ => {}
    }
    match item.fields.get("action") {
        None | Some(Value::Null) => out.push(finding(
            ITEM_ACTION_MISSING,
            at(path, "action"),
            "the item has no action (add, modify, delete or noChange)",
        )),
        Some(Value::String(a)) if ITEM_ACTIONS.contains(&a.as_str()) => {
            if a != "add" && item.product_id().is_none() {
                out.push(finding(
                    ITEM_PRODUCT_MISSING,
                    format!("{path}/product/id"),
                    format!("action {a} needs the id of an existing product"),
                ));
            }
        }
        Some(other) => out.push(finding(
            ITEM_ACTION_UNKNOWN,
            at(path, "action"),
            format!("unknown action {other}; expected add, modify, delete or noChange"),
        )),
    }
    relationships(item, path, ids, parent_of, out);
    if let Some(Value::Object(product)) = item.fields.get("product") {
        product_structure(product, &at(path, "product"), out);
    }
}

/// Texts longer than [`limits::MAX_TEXT_CHARS`] among `members` and everything inside them
/// (walked with an explicit stack).
fn long_texts<'a>(
    members: impl Iterator<Item = (&'a String, &'a Value)>,
    path: &str,
    out: &mut Vec<Finding>,
) {
    let mut stack: Vec<(String, &Value)> = members.map(|(k, v)| (at(path, k), v)).collect();
    while let Some((p, v)) = stack.pop() {
        match v {
            Value::String(s) if limits::text_too_long(s) => {
                out.push(finding(
                    LIMIT_TEXT,
                    p,
                    format!("a text is at most {} characters", limits::MAX_TEXT_CHARS),
                ));
            }
            Value::Array(items) => {
                stack.extend(items.iter().enumerate().map(|(i, x)| (at(&p, i), x)))
            }
            Value::Object(m) => stack.extend(m.iter().map(|(k, x)| (at(&p, k), x))),
            _ => {}
        }
    }
}

/// How many characteristics, prices and alterations one item carries.
fn sizes(item: &Item, path: &str, out: &mut Vec<Finding>) {
    let chars = item.characteristics().len();
    if chars > limits::MAX_CHARACTERISTICS {
        out.push(finding(
            LIMIT_CHARACTERISTICS,
            format!("{path}/product/productCharacteristic"),
            format!(
                "the item has {chars} characteristics; at most {} are accepted",
                limits::MAX_CHARACTERISTICS
            ),
        ));
    }
    let Some(Value::Array(prices)) = item.fields.get("itemPrice") else { return };
    if prices.len() > limits::MAX_PRICES {
        out.push(finding(
            LIMIT_PRICES,
            at(path, "itemPrice"),
            format!(
                "the item has {} prices; at most {} are accepted",
                prices.len(),
                limits::MAX_PRICES
            ),
        ));
    }
    for (p, price) in prices.iter().enumerate() {
        if let Some(Value::Array(alts)) = price.get("priceAlteration") {
            if alts.len() > limits::MAX_ALTERATIONS {
                out.push(finding(
                    LIMIT_PRICES,
                    format!("{path}/itemPrice/{p}/priceAlteration"),
                    format!(
                        "the price has {} alterations; at most {} are accepted",
                        alts.len(),
                        limits::MAX_ALTERATIONS
                    ),
                ));
            }
        }
    }
}

fn relationships(
    item: &Item,
    path: &str,
    ids: &HashMap<&str, usize>,
    parent_of: &HashMap<&str, &str>,
    out: &mut Vec<Finding>,
) {
    for (r, rel) in item.relationships.iter().enumerate() {
        // New relationships sit after the `bundles` links of the children in the flat export.
        let rel_at = rel.origin.clone().unwrap_or_else(|| {
            format!("{path}/productOrderItemRelationship/{}", item.children.len().saturating_add(r))
        });
        if !ids.contains_key(rel.target.as_str()) {
            out.push(finding(
                RELATIONSHIP_DANGLING,
                format!("{rel_at}/id"),
                format!(
                    "{} relationship points to item {:?}, which is not in the order",
                    rel.kind, rel.target
                ),
            ));
            continue;
        }
        if rel.kind.eq_ignore_ascii_case(BUNDLES) {
            // Import keeps a `bundles` link as a relationship only when it could not become a
            // tree edge: it closes a cycle (target is this item or one of its ancestors), or
            // the target already has a parent. The walk up is bounded by the item count.
            let mut cursor = Some(item.id.as_str());
            let mut cycle = false;
            let mut steps = 0usize;
            while let Some(c) = cursor {
                if c == rel.target {
                    cycle = true;
                    break;
                }
                steps = steps.saturating_add(1);
                if steps > parent_of.len() {
                    break;
                }
                cursor = parent_of.get(c).copied();
            }
            if cycle {
                out.push(finding(
                    BUNDLE_CYCLE,
                    format!("{rel_at}/id"),
                    format!(
                        "item {:?} bundles {:?}, which contains it: bundles form a cycle",
                        item.id, rel.target
                    ),
                ));
            } else {
                out.push(finding(
                    BUNDLE_MULTIPLE_PARENTS,
                    format!("{rel_at}/id"),
                    format!("item {:?} is already bundled by another item", rel.target),
                ));
            }
        }
    }
}

/// A product value: class name, dates, booleans, characteristics, parties, money, and the
/// products it contains (walked with an explicit stack).
fn product_structure(product: &Map<String, Value>, path: &str, out: &mut Vec<Finding>) {
    let mut stack: Vec<(String, &Map<String, Value>)> = vec![(path.to_owned(), product)];
    while let Some((path, p)) = stack.pop() {
        check_type(p, &path, &["Product", "ProductRef", "ProductRefOrValue"], out);
        check_dates(p, &path, out);
        for key in BOOL_MEMBERS {
            if let Some(Value::String(s)) = p.get(*key) {
                if matches!(s.trim().to_ascii_lowercase().as_str(), "true" | "false") {
                    out.push(finding(
                        FIELD_LENIENT,
                        at(&path, key),
                        format!("boolean sent as the string \"{s}\"; read as a boolean"),
                    ));
                }
            }
        }
        if let Some(Value::Array(chars)) = p.get("productCharacteristic") {
            let base = at(&path, "productCharacteristic");
            for (i, c) in chars.iter().enumerate() {
                if let Some(c) = c.as_object() {
                    characteristic(c, &at(&base, i), out);
                }
            }
        }
        parties(p.get("relatedParty"), &path, out);
        if let Some(prices) = p.get("productPrice") {
            money_members(vec![(at(&path, "productPrice"), prices)], out);
        }
        if let Some(Value::Array(children)) = p.get("product") {
            let base = at(&path, "product");
            stack.extend(
                children
                    .iter()
                    .enumerate()
                    .filter_map(|(i, c)| Some((at(&base, i), c.as_object()?))),
            );
        }
    }
}

fn characteristic(c: &Map<String, Value>, path: &str, out: &mut Vec<Finding>) {
    match c.get("name") {
        Some(Value::String(n)) if !n.trim().is_empty() => {}
        _ => out.push(finding(
            CHARACTERISTIC_NAME_MISSING,
            at(path, "name"),
            "a characteristic needs a name",
        )),
    }
    let (Some(Value::String(t)), Some(value)) = (c.get("@type"), c.get("value")) else {
        return;
    };
    let fits = match t.as_str() {
        "StringCharacteristic" => value.is_string(),
        "NumberCharacteristic" | "FloatCharacteristic" => value.is_number(),
        "IntegerCharacteristic" => value.as_i64().is_some(),
        "BooleanCharacteristic" => value.is_boolean(),
        "ObjectCharacteristic" => value.is_object(),
        t if t.ends_with("ArrayCharacteristic") => value.is_array(),
        _ => true,
    };
    if !fits {
        out.push(finding(
            CHARACTERISTIC_TYPE_MISMATCH,
            at(path, "value"),
            format!("@type is {t} but the value is {}", kind(value)),
        ));
    }
}
