//! Request validation for `ProductOrder` creation, after the official schema of the request's
//! version ([`crate::schema`], 400) has accepted the body: first the rules the schemas do not
//! express (400, checked on the v4 form every request is normalised to: at least one item,
//! item ids present and unique across the whole item tree, positive quantities, complete item
//! relationships, named characteristics and identified parties whatever shape v5 chose), then
//! the catalog rules (422: unknown or unorderable offerings, missing or disallowed
//! characteristic values, bundle cardinality), which are `orderdesk-core`'s validation. Every
//! problem names the field it is about as a JSON pointer.

use std::collections::HashSet;

use serde_json::Value;

use crate::catalog::Catalog;
use crate::error::ApiError;

/// One validation problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Stable code, e.g. `offering.unknown`.
    pub code: String,
    /// JSON path of the offending field.
    pub field: String,
    /// Human-readable explanation.
    pub message: String,
}

impl Problem {
    fn new(code: &'static str, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { code: code.to_owned(), field: field.into(), message: message.into() }
    }
}

/// The error for a list of problems: the first gives the code, the message names each field
/// (`total` counts the problems found, of which `problems` are the ones spelled out).
pub(crate) fn err_from(
    problems: &[Problem],
    total: usize,
    make: fn(String, String) -> ApiError,
) -> Result<(), ApiError> {
    let Some(first) = problems.first() else {
        return Ok(());
    };
    let mut message = problems
        .iter()
        .map(|p| {
            if p.field.is_empty() {
                p.message.clone()
            } else {
                format!("{}: {}", p.field, p.message)
            }
        })
        .collect::<Vec<_>>()
        .join("; ");
    if total > problems.len() {
        message.push_str(&format!(" (and {} more)", total - problems.len()));
    }
    Err(make(first.code.clone(), message))
}

/// `productOrderItem[0].product` → `/productOrderItem/0/product` (RFC 6901), the form the
/// core's findings use, so clients see one path syntax.
fn to_pointer(path: &str) -> String {
    if path == "$" {
        return String::new();
    }
    let mut out = String::with_capacity(path.len() + 1);
    for seg in path.split('.') {
        for (i, part) in seg.split('[').enumerate() {
            let part = if i > 0 { part.trim_end_matches(']') } else { part };
            out.push('/');
            out.push_str(&part.replace('~', "~0").replace('/', "~1"));
        }
    }
    out
}

/// Checks the rules beyond the schema on a creation request (v4 form). `Err` is a 400 TMF Error.
pub fn check_shape(order: &Value) -> Result<(), ApiError> {
    let problems = shape_problems(order);
    err_from(&problems, problems.len(), ApiError::bad_request)
}

/// Checks catalog references. `Err` is a 422 TMF Error.
pub fn check_catalog(order: &Value, catalog: &Catalog) -> Result<(), ApiError> {
    let problems = catalog_problems(order, catalog);
    err_from(&problems, problems.len(), ApiError::unprocessable)
}

fn is_datetime(v: &Value) -> bool {
    v.as_str().is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok())
}

/// Problems beyond the schema of a creation request (v4 form).
pub fn shape_problems(order: &Value) -> Vec<Problem> {
    let mut out = Vec::new();
    let Some(obj) = order.as_object() else {
        out.push(Problem::new("body.notObject", "", "the request body must be a JSON object"));
        return out;
    };
    // Server-computed in v4 (not part of `ProductOrder_Create`), yet stored and filtered on.
    if let Some(v) = obj.get("expectedCompletionDate") {
        if !is_datetime(v) {
            out.push(Problem::new(
                "field.type",
                "expectedCompletionDate",
                "must be an RFC 3339 date-time string",
            ));
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
    let items = match obj.get("productOrderItem") {
        None => {
            out.push(Problem::new(
                "field.missing",
                "productOrderItem",
                "is required and must hold at least one item",
            ));
            out.iter_mut().for_each(|p| p.field = to_pointer(&p.field));
            return out;
        }
        Some(Value::Array(items)) if !items.is_empty() => items,
        Some(_) => {
            out.push(Problem::new(
                "field.type",
                "productOrderItem",
                "must be a non-empty array of order items",
            ));
            out.iter_mut().for_each(|p| p.field = to_pointer(&p.field));
            return out;
        }
    };
    let mut seen = HashSet::new();
    check_items(items, "productOrderItem", &mut seen, &mut out);
    for p in &mut out {
        p.field = to_pointer(&p.field);
    }
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
        if let Some(q) = it.get("quantity") {
            if q.as_u64().is_none_or(|n| n < 1) {
                out.push(Problem::new(
                    "field.type",
                    format!("{here}.quantity"),
                    "must be a positive integer",
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

/// Catalog findings of a creation request whose shape is valid, from `orderdesk-core`'s
/// validation (the one place the business rules live). Only errors count; warnings (an
/// unknown characteristic, a child outside its bundle's list) do not refuse an order.
pub fn catalog_problems(order: &Value, catalog: &Catalog) -> Vec<Problem> {
    let core_order = match orderdesk_core::Order::from_json(order.clone()) {
        Ok(o) => o,
        Err(e) => return vec![Problem::new("order.shape", "$", e.to_string())],
    };
    let options = orderdesk_core::ValidateOptions { now: Some(chrono::Utc::now()) };
    let mut problems: Vec<Problem> =
        orderdesk_core::validate(&core_order, Some(catalog.rules()), options)
            .into_iter()
            .filter(|f| f.severity == orderdesk_core::Severity::Error)
            .map(|f| Problem { code: f.code, field: f.path, message: f.message })
            .collect();
    // An unknown offering explains the other findings (a bundle missing that child), so it
    // leads and gives the error its code.
    problems.sort_by_key(|p| p.code != "offering.unknown");
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn codes(ps: &[Problem]) -> Vec<&str> {
        ps.iter().map(|p| p.code.as_str()).collect()
    }

    #[test]
    fn shape_checks_name_fields() {
        assert_eq!(codes(&shape_problems(&json!([]))), ["body.notObject"]);
        let ps = shape_problems(&json!({}));
        assert_eq!(ps[0].field, "/productOrderItem");
        let ps = shape_problems(
            &json!({"productOrderItem":[{"id":"1","action":"add","quantity":0},{"action":"add"}]}),
        );
        let fields: Vec<&str> = ps.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["/productOrderItem/0/quantity", "/productOrderItem/1/id"]);
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
        // The tariff plan (1..1) is missing; coverage options are optional (0..1).
        assert_eq!(codes(&catalog_problems(&bad, &cat)), ["bundle.cardinality"]);
        let unknown =
            json!({"productOrderItem":[{"id":"1","action":"add","productOffering":{"id":"nope"}}]});
        let ps = catalog_problems(&unknown, &cat);
        assert_eq!(codes(&ps), ["offering.unknown"]);
        assert_eq!(ps[0].field, "/productOrderItem/0/productOffering/id");
        Ok(())
    }
}
