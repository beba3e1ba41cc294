//! Structural findings on a TMF622 order payload (either version).
//!
//! These checks look only at the JSON: they need no catalog. The core adds catalog and pricing
//! checks with the same [`Finding`] type. Reading never fails on what is reported here; a payload
//! with error findings is readable but should not be submitted as it is.
//!
//! Codes: `order.not_object`, `order.no_items`, `order.state_missing`, `type.unexpected`,
//! `field.wrong_type`, `field.bool_as_string`, `field.number_as_string`, `date.invalid`,
//! `item.id_missing`, `item.id_duplicate`, `item.action_missing`, `item.action_unknown`,
//! `item.quantity_invalid`, `item.relationship_dangling`, `characteristic.name_missing`,
//! `characteristic.type_mismatch`, `money.value_invalid`, `money.unit_invalid`,
//! `money.unit_mismatch`.

use std::collections::{BTreeMap, HashSet};

use serde_json::{Map, Value};

use crate::field::{decimal_from_text, json_kind};
use crate::finding::{json_pointer, Finding};
use crate::WireDateTime;

/// Item actions TMF622 defines.
pub const ITEM_ACTIONS: &[&str] = &["add", "modify", "delete", "noChange"];

const DATE_MEMBERS: &[&str] = &[
    "orderDate",
    "creationDate",
    "cancellationDate",
    "completionDate",
    "expectedCompletionDate",
    "requestedCompletionDate",
    "requestedStartDate",
    "startDate",
    "terminationDate",
    "date",
    "startDateTime",
    "endDateTime",
];

const BOOL_MEMBERS: &[&str] = &["isBundle", "isCustomerVisible"];

/// Reports structural problems of an order payload, each with a JSON pointer.
pub fn findings(order: &Value) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(obj) = order.as_object() else {
        out.push(Finding::error(
            "order.not_object",
            "",
            format!("a product order must be a JSON object, found {}", json_kind(order)),
        ));
        return out;
    };
    check_type(obj, "", &["ProductOrder"], &mut out);
    if obj.contains_key("id") && !obj.contains_key("state") {
        out.push(Finding::warning(
            "order.state_missing",
            "",
            "the order has an id but no state; it is read as 'acknowledged'",
        ));
    }
    if let Some(p) = obj.get("priority") {
        match p {
            Value::String(_) => {}
            Value::Number(_) => out.push(Finding::warning(
                "field.wrong_type",
                "/priority",
                "priority should be a string (\"0\".. \"4\"); a number was read as its text",
            )),
            other => out.push(Finding::warning(
                "field.wrong_type",
                "/priority",
                format!("priority should be a string, found {}", json_kind(other)),
            )),
        }
    }
    check_dates(obj, "", &mut out);
    let mut ids = HashSet::new();
    match obj.get("productOrderItem") {
        Some(Value::Array(items)) if !items.is_empty() => {
            collect_ids(items, &mut ids);
            let mut seen = HashSet::new();
            check_items(items, "/productOrderItem", &ids, &mut seen, &mut out);
        }
        Some(Value::Array(_)) | None => out.push(Finding::error(
            "order.no_items",
            "/productOrderItem",
            "an order needs at least one productOrderItem",
        )),
        Some(other) => out.push(Finding::error(
            "field.wrong_type",
            "/productOrderItem",
            format!("productOrderItem must be an array, found {}", json_kind(other)),
        )),
    }
    let mut units = Vec::new();
    collect_money(order, "", &mut units, &mut out);
    check_units(&units, &mut out);
    out
}

fn check_type(obj: &Map<String, Value>, path: &str, expected: &[&str], out: &mut Vec<Finding>) {
    let Some(t) = obj.get("@type") else { return };
    let Some(t) = t.as_str() else {
        out.push(Finding::warning(
            "field.wrong_type",
            json_pointer(path, "@type"),
            format!("@type should be a string, found {}", json_kind(t)),
        ));
        return;
    };
    if !expected.contains(&t) {
        out.push(Finding::warning(
            "type.unexpected",
            json_pointer(path, "@type"),
            format!(
                "@type '{t}' is not the expected '{}'; read as {}",
                expected.join("' or '"),
                expected[0]
            ),
        ));
    }
}

fn check_dates(obj: &Map<String, Value>, path: &str, out: &mut Vec<Finding>) {
    for key in DATE_MEMBERS {
        match obj.get(*key) {
            Some(Value::String(s)) => {
                if WireDateTime::from_text(s.as_str()).parse().is_none() {
                    out.push(Finding::warning(
                        "date.invalid",
                        json_pointer(path, key),
                        format!("'{s}' is not an RFC 3339 date-time"),
                    ));
                }
            }
            Some(Value::Null) | None => {}
            Some(other) => out.push(Finding::warning(
                "field.wrong_type",
                json_pointer(path, key),
                format!("{key} should be a date-time string, found {}", json_kind(other)),
            )),
        }
    }
}

fn collect_ids<'a>(items: &'a [Value], ids: &mut HashSet<&'a str>) {
    for item in items {
        if let Some(id) = item.get("id").and_then(Value::as_str) {
            ids.insert(id);
        }
        if let Some(Value::Array(children)) = item.get("productOrderItem") {
            collect_ids(children, ids);
        }
    }
}

fn check_items<'a>(
    items: &'a [Value],
    path: &str,
    ids: &HashSet<&str>,
    seen: &mut HashSet<&'a str>,
    out: &mut Vec<Finding>,
) {
    for (i, item) in items.iter().enumerate() {
        let ipath = json_pointer(path, i);
        let Some(obj) = item.as_object() else {
            out.push(Finding::error(
                "field.wrong_type",
                ipath,
                format!("an order item must be an object, found {}", json_kind(item)),
            ));
            continue;
        };
        check_type(obj, &ipath, &["ProductOrderItem"], out);
        match obj.get("id") {
            Some(Value::String(id)) if !id.is_empty() => {
                if !seen.insert(id.as_str()) {
                    out.push(Finding::error(
                        "item.id_duplicate",
                        json_pointer(&ipath, "id"),
                        format!("item id '{id}' is used more than once"),
                    ));
                }
            }
            Some(Value::Number(n)) => out.push(Finding::warning(
                "field.wrong_type",
                json_pointer(&ipath, "id"),
                format!("item id should be a string; the number {n} was read as text"),
            )),
            _ => out.push(Finding::error(
                "item.id_missing",
                json_pointer(&ipath, "id"),
                "every order item needs a non-empty string id",
            )),
        }
        match obj.get("action") {
            Some(Value::String(a)) if ITEM_ACTIONS.contains(&a.as_str()) => {}
            Some(Value::String(a)) => out.push(Finding::error(
                "item.action_unknown",
                json_pointer(&ipath, "action"),
                format!("action '{a}' is not one of {}", ITEM_ACTIONS.join(", ")),
            )),
            Some(other) => out.push(Finding::error(
                "item.action_unknown",
                json_pointer(&ipath, "action"),
                format!("action must be a string, found {}", json_kind(other)),
            )),
            None => out.push(Finding::error(
                "item.action_missing",
                json_pointer(&ipath, "action"),
                "every order item needs an action (add, modify, delete, noChange)",
            )),
        }
        if let Some(q) = obj.get("quantity") {
            check_quantity(q, &json_pointer(&ipath, "quantity"), out);
        }
        if let Some(Value::Array(rels)) = obj.get("productOrderItemRelationship") {
            for (j, rel) in rels.iter().enumerate() {
                let rpath = json_pointer(&json_pointer(&ipath, "productOrderItemRelationship"), j);
                match rel.get("id").and_then(Value::as_str) {
                    Some(target) if ids.contains(target) => {}
                    Some(target) => out.push(Finding::error(
                        "item.relationship_dangling",
                        json_pointer(&rpath, "id"),
                        format!(
                            "relationship points to item '{target}', which is not in the order"
                        ),
                    )),
                    None => out.push(Finding::error(
                        "item.relationship_dangling",
                        json_pointer(&rpath, "id"),
                        "relationship has no target item id",
                    )),
                }
            }
        }
        if let Some(product) = obj.get("product").and_then(Value::as_object) {
            check_product(product, &json_pointer(&ipath, "product"), out);
        }
        if let Some(Value::Array(children)) = obj.get("productOrderItem") {
            check_items(children, &json_pointer(&ipath, "productOrderItem"), ids, seen, out);
        }
    }
}

fn check_quantity(q: &Value, path: &str, out: &mut Vec<Finding>) {
    match q {
        Value::Number(n) => match n.as_i64() {
            Some(x) if x >= 1 => {}
            _ => out.push(Finding::error(
                "item.quantity_invalid",
                path,
                format!("quantity must be a whole number of at least 1, found {n}"),
            )),
        },
        Value::String(s) => match s.trim().parse::<i64>() {
            Ok(x) if x >= 1 => out.push(Finding::warning(
                "field.number_as_string",
                path,
                format!("quantity should be a number; \"{s}\" was read as {x}"),
            )),
            _ => out.push(Finding::error(
                "item.quantity_invalid",
                path,
                format!("quantity must be a whole number of at least 1, found \"{s}\""),
            )),
        },
        other => out.push(Finding::error(
            "item.quantity_invalid",
            path,
            format!("quantity must be a number, found {}", json_kind(other)),
        )),
    }
}

fn check_product(product: &Map<String, Value>, path: &str, out: &mut Vec<Finding>) {
    check_type(product, path, &["Product", "ProductRef", "ProductRefOrValue"], out);
    check_dates(product, path, out);
    for key in BOOL_MEMBERS {
        if let Some(v) = product.get(*key) {
            check_bool(v, &json_pointer(path, key), out);
        }
    }
    if let Some(Value::Array(chars)) = product.get("productCharacteristic") {
        for (i, c) in chars.iter().enumerate() {
            check_characteristic(
                c,
                &json_pointer(&json_pointer(path, "productCharacteristic"), i),
                out,
            );
        }
    }
    if let Some(Value::Array(children)) = product.get("product") {
        for (i, c) in children.iter().enumerate() {
            if let Some(child) = c.as_object() {
                check_product(child, &json_pointer(&json_pointer(path, "product"), i), out);
            }
        }
    }
}

fn check_bool(v: &Value, path: &str, out: &mut Vec<Finding>) {
    match v {
        Value::Bool(_) | Value::Null => {}
        Value::String(s) if matches!(s.trim().to_ascii_lowercase().as_str(), "true" | "false") => {
            out.push(Finding::warning(
                "field.bool_as_string",
                path,
                format!("boolean sent as the string \"{s}\"; read as a boolean"),
            ))
        }
        other => out.push(Finding::warning(
            "field.wrong_type",
            path,
            format!("expected a boolean, found {}", json_kind(other)),
        )),
    }
}

fn check_characteristic(c: &Value, path: &str, out: &mut Vec<Finding>) {
    let Some(obj) = c.as_object() else {
        out.push(Finding::error(
            "field.wrong_type",
            path,
            format!("a characteristic must be an object, found {}", json_kind(c)),
        ));
        return;
    };
    match obj.get("name").and_then(Value::as_str) {
        Some(n) if !n.is_empty() => {}
        _ => out.push(Finding::error(
            "characteristic.name_missing",
            json_pointer(path, "name"),
            "a characteristic needs a name",
        )),
    }
    let (Some(t), Some(value)) = (obj.get("@type").and_then(Value::as_str), obj.get("value"))
    else {
        return;
    };
    let fits = match t {
        "StringCharacteristic" => value.is_string(),
        "NumberCharacteristic" | "FloatCharacteristic" => value.is_number(),
        "IntegerCharacteristic" => value.as_i64().is_some(),
        "BooleanCharacteristic" => value.is_boolean(),
        "ObjectCharacteristic" => value.is_object(),
        t if t.ends_with("ArrayCharacteristic") => value.is_array(),
        _ => true,
    };
    if !fits {
        out.push(Finding::warning(
            "characteristic.type_mismatch",
            json_pointer(path, "value"),
            format!("@type is {t} but the value is {}", json_kind(value)),
        ));
    }
}

/// Collects every `Money` (`{unit, value}` under `dutyFreeAmount`/`taxIncludedAmount`/`price`).
fn collect_money(v: &Value, path: &str, units: &mut Vec<(String, String)>, out: &mut Vec<Finding>) {
    match v {
        Value::Object(obj) => {
            for (k, child) in obj {
                let cpath = json_pointer(path, k);
                if matches!(k.as_str(), "dutyFreeAmount" | "taxIncludedAmount") {
                    if let Some(m) = child.as_object() {
                        check_money(m, &cpath, units, out);
                        continue;
                    }
                }
                collect_money(child, &cpath, units, out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                collect_money(child, &json_pointer(path, i), units, out);
            }
        }
        _ => {}
    }
}

fn check_money(
    m: &Map<String, Value>,
    path: &str,
    units: &mut Vec<(String, String)>,
    out: &mut Vec<Finding>,
) {
    match m.get("value") {
        Some(Value::Number(n)) if decimal_from_text(n.as_str()).is_some() => {}
        Some(Value::String(s)) if decimal_from_text(s).is_some() => out.push(Finding::warning(
            "field.number_as_string",
            json_pointer(path, "value"),
            format!("amount sent as the string \"{s}\"; read as a number"),
        )),
        Some(other) => out.push(Finding::error(
            "money.value_invalid",
            json_pointer(path, "value"),
            format!("amount must be a decimal number, found {other}"),
        )),
        None => {}
    }
    if let Some(u) = m.get("unit") {
        match u.as_str() {
            Some(code) if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) => {
                units.push((code.to_owned(), json_pointer(path, "unit")));
            }
            _ => out.push(Finding::warning(
                "money.unit_invalid",
                json_pointer(path, "unit"),
                format!("currency {u} is not an ISO 4217 code"),
            )),
        }
    }
}

/// Flags currency units that disagree with the order's most common unit ("EUT" next to "EUR").
fn check_units(units: &[(String, String)], out: &mut Vec<Finding>) {
    // Most frequent unit; on a tie the one seen first.
    let mut counts: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (i, (u, _)) in units.iter().enumerate() {
        let e = counts.entry(u.as_str()).or_insert((0, i));
        e.0 += 1;
    }
    let Some((main, _)) =
        counts.iter().max_by(|a, b| a.1 .0.cmp(&b.1 .0).then(b.1 .1.cmp(&a.1 .1)))
    else {
        return;
    };
    for (u, path) in units {
        if u != main {
            out.push(Finding::warning(
                "money.unit_mismatch",
                path,
                format!("currency {u} differs from the order's currency {main}"),
            ));
        }
    }
}
