//! Request validation for `ProductOrder` creation: first the shape (400, the schema of the
//! version, checked on the v4 form every request is normalised to), then the catalog
//! references (422: unknown or unsellable offerings, missing or disallowed characteristic
//! values, bundle cardinality). Every problem names the field it is about.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::catalog::Catalog;
use crate::error::ApiError;

/// One validation problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Stable code, e.g. `offering.unknown`.
    pub code: &'static str,
    /// JSON path of the offending field.
    pub field: String,
    /// Human-readable explanation.
    pub message: String,
}

impl Problem {
    fn new(code: &'static str, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { code, field: field.into(), message: message.into() }
    }
}

const ACTIONS: [&str; 4] = ["add", "modify", "delete", "noChange"];

fn err_from(problems: &[Problem], make: fn(String, String) -> ApiError) -> Result<(), ApiError> {
    let Some(first) = problems.first() else {
        return Ok(());
    };
    let message = problems
        .iter()
        .map(|p| format!("{}: {}", p.field, p.message))
        .collect::<Vec<_>>()
        .join("; ");
    Err(make(first.code.to_owned(), message))
}

/// Checks the shape of a creation request (v4 form). `Err` is a 400 TMF Error.
pub fn check_shape(order: &Value) -> Result<(), ApiError> {
    let problems = shape_problems(order);
    err_from(&problems, ApiError::bad_request)
}

/// Checks catalog references. `Err` is a 422 TMF Error.
pub fn check_catalog(order: &Value, catalog: &Catalog) -> Result<(), ApiError> {
    let problems = catalog_problems(order, catalog);
    err_from(&problems, ApiError::unprocessable)
}

fn is_datetime(v: &Value) -> bool {
    v.as_str().is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok())
}

/// Shape problems of a creation request.
pub fn shape_problems(order: &Value) -> Vec<Problem> {
    let mut out = Vec::new();
    let Some(obj) = order.as_object() else {
        out.push(Problem::new("body.notObject", "$", "the request body must be a JSON object"));
        return out;
    };
    for key in ["requestedCompletionDate", "requestedStartDate", "expectedCompletionDate"] {
        if let Some(v) = obj.get(key) {
            if !is_datetime(v) {
                out.push(Problem::new("field.type", key, "must be an RFC 3339 date-time string"));
            }
        }
    }
    for key in ["description", "category", "priority", "notificationContact"] {
        if let Some(v) = obj.get(key) {
            if !v.is_string() {
                out.push(Problem::new("field.type", key, "must be a string"));
            }
        }
    }
    for key in ["note", "relatedParty", "channel", "orderTotalPrice", "payment", "agreement"] {
        if let Some(v) = obj.get(key) {
            match v.as_array() {
                Some(items) if items.iter().all(Value::is_object) => {}
                _ => out.push(Problem::new("field.type", key, "must be an array of objects")),
            }
        }
    }
    if let Some(parties) = obj.get("relatedParty").and_then(Value::as_array) {
        for (i, p) in parties.iter().enumerate() {
            if !(p.get("id").is_some_and(Value::is_string)
                || p.get("name").is_some_and(Value::is_string))
            {
                out.push(Problem::new(
                    "field.missing",
                    format!("relatedParty[{i}].id"),
                    "a related party needs an id (or a name)",
                ));
            }
        }
    }
    if let Some(b) = obj.get("billingAccount") {
        if !b.is_object() {
            out.push(Problem::new("field.type", "billingAccount", "must be an object"));
        }
    }
    let items = match obj.get("productOrderItem") {
        None => {
            out.push(Problem::new(
                "field.missing",
                "productOrderItem",
                "is required and must hold at least one item",
            ));
            return out;
        }
        Some(Value::Array(items)) if !items.is_empty() => items,
        Some(_) => {
            out.push(Problem::new(
                "field.type",
                "productOrderItem",
                "must be a non-empty array of order items",
            ));
            return out;
        }
    };
    let mut seen = HashSet::new();
    check_items(items, "productOrderItem", &mut seen, &mut out);
    out
}

fn check_items(items: &[Value], at: &str, seen: &mut HashSet<String>, out: &mut Vec<Problem>) {
    for (i, item) in items.iter().enumerate() {
        let here = format!("{at}[{i}]");
        let Some(it) = item.as_object() else {
            out.push(Problem::new("field.type", here, "an order item must be an object"));
            continue;
        };
        match it.get("id").and_then(Value::as_str) {
            Some(id) if !id.is_empty() => {
                if !seen.insert(id.to_owned()) {
                    out.push(Problem::new(
                        "item.duplicateId",
                        format!("{here}.id"),
                        format!("item id '{id}' is used more than once"),
                    ));
                }
            }
            _ => out.push(Problem::new(
                "field.missing",
                format!("{here}.id"),
                "is required (a non-empty string)",
            )),
        }
        match it.get("action").and_then(Value::as_str) {
            Some(a) if ACTIONS.contains(&a) => {}
            Some(a) => out.push(Problem::new(
                "field.value",
                format!("{here}.action"),
                format!("'{a}' is not one of add, modify, delete, noChange"),
            )),
            None => out.push(Problem::new(
                "field.missing",
                format!("{here}.action"),
                "is required (add, modify, delete or noChange)",
            )),
        }
        if let Some(q) = it.get("quantity") {
            if q.as_u64().is_none_or(|n| n < 1) {
                out.push(Problem::new(
                    "field.type",
                    format!("{here}.quantity"),
                    "must be a positive integer",
                ));
            }
        }
        if let Some(po) = it.get("productOffering") {
            if !po.get("id").is_some_and(Value::is_string) {
                out.push(Problem::new(
                    "field.missing",
                    format!("{here}.productOffering.id"),
                    "a product offering reference needs a string id",
                ));
            }
        }
        if let Some(p) = it.get("product") {
            if !p.is_object() {
                out.push(Problem::new(
                    "field.type",
                    format!("{here}.product"),
                    "must be an object",
                ));
            } else if let Some(chars) = p.get("productCharacteristic") {
                match chars.as_array() {
                    Some(list) => {
                        for (j, c) in list.iter().enumerate() {
                            if !c.get("name").is_some_and(Value::is_string) {
                                out.push(Problem::new(
                                    "field.missing",
                                    format!("{here}.product.productCharacteristic[{j}].name"),
                                    "a characteristic needs a name",
                                ));
                            }
                        }
                    }
                    None => out.push(Problem::new(
                        "field.type",
                        format!("{here}.product.productCharacteristic"),
                        "must be an array",
                    )),
                }
            }
        }
        if let Some(rels) = it.get("productOrderItemRelationship") {
            let ok = rels.as_array().is_some_and(|l| {
                l.iter().all(|r| {
                    r.get("id").is_some_and(Value::is_string)
                        && r.get("relationshipType").is_some_and(Value::is_string)
                })
            });
            if !ok {
                out.push(Problem::new(
                    "field.type",
                    format!("{here}.productOrderItemRelationship"),
                    "must be an array of {id, relationshipType}",
                ));
            }
        }
        if let Some(nested) = it.get("productOrderItem") {
            match nested.as_array() {
                Some(list) => check_items(list, &format!("{here}.productOrderItem"), seen, out),
                None => out.push(Problem::new(
                    "field.type",
                    format!("{here}.productOrderItem"),
                    "must be an array",
                )),
            }
        }
    }
}

/// Flattens nested items (v5 style) with their JSON paths.
fn flatten<'a>(items: &'a [Value], at: &str, out: &mut Vec<(String, &'a Value)>) {
    for (i, it) in items.iter().enumerate() {
        let here = format!("{at}[{i}]");
        if let Some(nested) = it.get("productOrderItem").and_then(Value::as_array) {
            flatten(nested, &format!("{here}.productOrderItem"), out);
        }
        out.push((here, it));
    }
}

fn offering_id(item: &Value) -> Option<&str> {
    item.get("productOffering")?.get("id")?.as_str()
}

fn char_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("value").and_then(char_text),
        other => Some(other.to_string()),
    }
}

/// Catalog problems of a creation request whose shape is valid.
pub fn catalog_problems(order: &Value, catalog: &Catalog) -> Vec<Problem> {
    let mut out = Vec::new();
    let Some(items) = order.get("productOrderItem").and_then(Value::as_array) else {
        return out;
    };
    let mut flat = Vec::new();
    flatten(items, "productOrderItem", &mut flat);
    let by_id: HashMap<&str, (&str, &Value)> = flat
        .iter()
        .filter_map(|(p, it)| Some((it.get("id")?.as_str()?, (p.as_str(), *it))))
        .collect();
    // Unknown offerings first: with one of them, the other checks would only add noise.
    for (here, item) in &flat {
        if let Some(oid) = offering_id(item) {
            if catalog.offering(oid).is_none() {
                out.push(Problem::new(
                    "offering.unknown",
                    format!("{here}.productOffering.id"),
                    format!("product offering '{oid}' is not in the catalog"),
                ));
            }
        }
    }
    if !out.is_empty() {
        return out;
    }
    for (here, item) in &flat {
        let Some(oid) = offering_id(item) else {
            continue;
        };
        let action = item.get("action").and_then(Value::as_str).unwrap_or("add");
        let Some(rules) = catalog.offering(oid) else {
            continue;
        };
        if action != "add" {
            continue;
        }
        if !rules.sellable {
            out.push(Problem::new(
                "offering.notSellable",
                format!("{here}.productOffering.id"),
                format!("product offering '{oid}' ({}) cannot be ordered", rules.name),
            ));
        }
        let given: Vec<(usize, String, Option<String>)> = item
            .get("product")
            .and_then(|p| p.get("productCharacteristic"))
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .enumerate()
                    .filter_map(|(j, c)| {
                        Some((
                            j,
                            c.get("name")?.as_str()?.to_owned(),
                            c.get("value").and_then(char_text),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        for rule in &rules.characteristics {
            let values: Vec<&(usize, String, Option<String>)> =
                given.iter().filter(|(_, n, _)| n == &rule.name).collect();
            if rule.required
                && !values.iter().any(|(_, _, v)| v.as_deref().is_some_and(|s| !s.is_empty()))
            {
                out.push(Problem::new(
                    "characteristic.missing",
                    format!("{here}.product.productCharacteristic"),
                    format!(
                        "required characteristic '{}' of offering '{oid}' ({}) has no value",
                        rule.name, rules.name
                    ),
                ));
            }
            if !rule.allowed.is_empty() {
                for (j, _, v) in values {
                    if let Some(v) = v {
                        if !rule.allowed.contains(v) {
                            out.push(Problem::new(
                                "characteristic.value",
                                format!("{here}.product.productCharacteristic[{j}].value"),
                                format!(
                                    "'{v}' is not an allowed value of '{}' (allowed: {})",
                                    rule.name,
                                    rule.allowed.join(", ")
                                ),
                            ));
                        }
                    }
                }
            }
        }
        if rules.children.is_empty() {
            continue;
        }
        // Children: items this bundle item points to, items pointing back at it, and
        // items nested inside it.
        let my_id = item.get("id").and_then(Value::as_str).unwrap_or_default();
        let mut child_ids: Vec<&str> = item
            .get("productOrderItemRelationship")
            .and_then(Value::as_array)
            .map(|l| l.iter().filter_map(|r| r.get("id")?.as_str()).collect())
            .unwrap_or_default();
        for (_, other) in &flat {
            let points_back =
                other.get("productOrderItemRelationship").and_then(Value::as_array).is_some_and(
                    |l| l.iter().any(|r| r.get("id").and_then(Value::as_str) == Some(my_id)),
                );
            if points_back {
                if let Some(id) = other.get("id").and_then(Value::as_str) {
                    child_ids.push(id);
                }
            }
        }
        if let Some(nested) = item.get("productOrderItem").and_then(Value::as_array) {
            child_ids.extend(nested.iter().filter_map(|n| n.get("id")?.as_str()));
        }
        child_ids.sort_unstable();
        child_ids.dedup();
        let mut counts: HashMap<&str, u64> = HashMap::new();
        for cid in &child_ids {
            let Some((cpath, child)) = by_id.get(cid) else {
                out.push(Problem::new(
                    "item.relationship",
                    format!("{here}.productOrderItemRelationship"),
                    format!("related item '{cid}' is not in the order"),
                ));
                continue;
            };
            let Some(coid) = offering_id(child) else { continue };
            if rules.children.iter().any(|c| c.offering_id == coid) {
                *counts.entry(coid).or_default() +=
                    child.get("quantity").and_then(Value::as_u64).unwrap_or(1);
            } else if catalog
                .offering(coid)
                .is_some_and(|r| r.children.iter().any(|c| c.offering_id == oid))
            {
                // The related item is this item's own parent bundle.
            } else {
                out.push(Problem::new(
                    "bundle.child",
                    format!("{cpath}.productOffering.id"),
                    format!("offering '{coid}' is not part of bundle '{oid}' ({})", rules.name),
                ));
            }
        }
        for child in &rules.children {
            let n = counts.get(child.offering_id.as_str()).copied().unwrap_or(0);
            if n < child.min || n > child.max {
                let name =
                    catalog.offering(&child.offering_id).map(|r| r.name.as_str()).unwrap_or("");
                let max = if child.max == u64::MAX {
                    "unbounded".to_owned()
                } else {
                    child.max.to_string()
                };
                out.push(Problem::new(
                    "bundle.cardinality",
                    format!("{here}.productOrderItemRelationship"),
                    format!(
                        "bundle '{oid}' ({}) needs {}..{max} of offering '{}' ({name}), the order has {n}",
                        rules.name, child.min, child.offering_id
                    ),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn codes(ps: &[Problem]) -> Vec<&'static str> {
        ps.iter().map(|p| p.code).collect()
    }

    #[test]
    fn shape_checks_name_fields() {
        assert_eq!(codes(&shape_problems(&json!([]))), ["body.notObject"]);
        let ps = shape_problems(&json!({}));
        assert_eq!(ps[0].field, "productOrderItem");
        let ps = shape_problems(
            &json!({"productOrderItem":[{"id":"1","action":"buy","quantity":0},{"action":"add"}]}),
        );
        let fields: Vec<&str> = ps.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "productOrderItem[0].action",
                "productOrderItem[0].quantity",
                "productOrderItem[1].id"
            ]
        );
        assert!(shape_problems(&json!({"productOrderItem":[{"id":"123","action":"add"}],
            "relatedParty":[{"id":"456-dd-df45","@referredType":"Individual"}]}))
        .is_empty());
    }

    #[test]
    fn catalog_checks() -> Result<(), crate::error::ServerError> {
        let cat = Catalog::demo()?;
        let guide = json!({"productOrderItem":[
            {"id":"100","action":"add","productOffering":{"id":"14277"},
             "productOrderItemRelationship":[{"id":"110","relationshipType":"bundles"},{"id":"120","relationshipType":"bundles"},{"id":"130","relationshipType":"bundles"}]},
            {"id":"110","action":"add","productOffering":{"id":"14305"},"product":{"productCharacteristic":[{"name":"TEL_MSISDN","value":"415 279 7439"}]}},
            {"id":"120","action":"add","productOffering":{"id":"14344"}},
            {"id":"130","action":"add","productOffering":{"id":"14354"},"product":{"productCharacteristic":[{"name":"CoverageOptions","value":"National"}]}}]});
        assert_eq!(catalog_problems(&guide, &cat), vec![]);
        let mut bad = guide.clone();
        bad["productOrderItem"][1]["product"]["productCharacteristic"] = json!([]);
        bad["productOrderItem"][3]["product"]["productCharacteristic"][0]["value"] = json!("Mars");
        assert_eq!(
            codes(&catalog_problems(&bad, &cat)),
            ["characteristic.missing", "characteristic.value"]
        );
        let mut bad = guide.clone();
        bad["productOrderItem"][0]["productOrderItemRelationship"] =
            json!([{"id":"110","relationshipType":"bundles"}]);
        assert_eq!(
            codes(&catalog_problems(&bad, &cat)),
            ["bundle.cardinality", "bundle.cardinality"]
        );
        let unknown =
            json!({"productOrderItem":[{"id":"1","action":"add","productOffering":{"id":"nope"}}]});
        let ps = catalog_problems(&unknown, &cat);
        assert_eq!(codes(&ps), ["offering.unknown"]);
        assert_eq!(ps[0].field, "productOrderItem[0].productOffering.id");
        Ok(())
    }
}
