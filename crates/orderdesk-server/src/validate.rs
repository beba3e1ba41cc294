//! The rules beyond the official schema for a `ProductOrder` creation (and the result of a
//! PATCH), after the schema of the request's version ([`crate::schema`], 400) has accepted the
//! body: `orderdesk-core`'s validation, the one list of order checks the client runs too. An
//! error of class structure is a `400 Bad Request`, an error of class catalog (unknown or
//! unorderable offerings, missing or disallowed characteristic values, bundle cardinality) a
//! `422 Unprocessable Entity`; warnings never refuse an order. Every problem names the field it
//! is about as a JSON pointer.

use orderdesk_core::codes::{class_of, Class};
use orderdesk_core::{Finding, Inventory, ValidateOptions};
use serde_json::Value;

use crate::catalog::Catalog;
use crate::error::ApiError;
use crate::limits::{deeper_than, json_len_within, MAX_ORDER_BYTES, MAX_ORDER_DEPTH};

/// At most this many problems are spelled out in one error message.
const MAX_REPORTED: usize = 5;

/// One validation problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Stable code, e.g. `offering.unknown`.
    pub code: String,
    /// JSON pointer of the offending field.
    pub field: String,
    /// Human-readable explanation.
    pub message: String,
}

impl From<Finding> for Problem {
    fn from(f: Finding) -> Self {
        Problem { code: f.code, field: f.path, message: f.message }
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
        message.push_str(&format!(" (and {} more)", total.saturating_sub(problems.len())));
    }
    Err(make(first.code.clone(), message))
}

/// The error findings of an order against the catalog, as the core reports them.
fn errors(order: &Value, catalog: &Catalog, inventory: Option<&Inventory>) -> Vec<Finding> {
    let options = ValidateOptions { now: Some(chrono::Utc::now()), version: None, policy: None };
    orderdesk_core::validate_json_with_inventory(order, Some(catalog.rules()), inventory, options)
        .into_iter()
        .filter(Finding::is_error)
        .collect()
}

/// Problems of one class, an unknown offering first (it explains the others, such as a bundle
/// missing that child).
fn problems_of(findings: &[Finding], class: Class) -> Vec<Problem> {
    let mut out: Vec<Problem> =
        findings.iter().filter(|f| class_of(f) == class).cloned().map(Problem::from).collect();
    out.sort_by_key(|p| p.code != orderdesk_core::codes::OFFERING_UNKNOWN);
    out
}

fn refuse(problems: &[Problem], make: fn(String, String) -> ApiError) -> Result<(), ApiError> {
    let shown = problems.get(..problems.len().min(MAX_REPORTED)).unwrap_or(problems);
    err_from(shown, problems.len(), make)
}

/// Checks that a document is one the server can store, list and read back: at most
/// [`MAX_ORDER_DEPTH`] levels deep and [`MAX_ORDER_BYTES`] long (422 otherwise). Runs before
/// the schema and the core's checks, which walk the document.
pub fn check_bounds(doc: &Value) -> Result<(), ApiError> {
    if deeper_than(doc, MAX_ORDER_DEPTH) {
        return Err(ApiError::unprocessable(
            "order.tooDeep",
            format!("the order nests deeper than {MAX_ORDER_DEPTH} levels"),
        ));
    }
    if json_len_within(doc, MAX_ORDER_BYTES).is_none() {
        return Err(ApiError::unprocessable(
            "order.tooLarge",
            format!("the order is larger than {MAX_ORDER_BYTES} bytes as JSON"),
        ));
    }
    Ok(())
}

/// Checks an order the schema accepted: structure errors are a 400, then catalog errors a 422.
pub fn check_order(order: &Value, catalog: &Catalog) -> Result<(), ApiError> {
    check_order_in(order, catalog, None)
}

/// [`check_order`] with the inventory checks: a `modify`, `delete` or `noChange` item whose
/// product does not exist, belongs to another customer or is not active is a 422 naming the
/// item (`product.unknown`, `product.other_customer`, `product.not_active`).
pub fn check_order_in(
    order: &Value,
    catalog: &Catalog,
    inventory: Option<&Inventory>,
) -> Result<(), ApiError> {
    let findings = errors(order, catalog, inventory);
    refuse(&problems_of(&findings, Class::Structure), ApiError::bad_request)?;
    refuse(&problems_of(&findings, Class::Catalog), ApiError::unprocessable)
}

/// Structure problems of an order (400), for callers that report them alone.
pub fn shape_problems(order: &Value, catalog: &Catalog) -> Vec<Problem> {
    problems_of(&errors(order, catalog, None), Class::Structure)
}

/// Catalog problems of an order (422).
pub fn catalog_problems(order: &Value, catalog: &Catalog) -> Vec<Problem> {
    problems_of(&errors(order, catalog, None), Class::Catalog)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn codes(ps: &[Problem]) -> Vec<&str> {
        ps.iter().map(|p| p.code.as_str()).collect()
    }

    #[test]
    fn structure_problems_name_fields() -> Result<(), crate::error::ServerError> {
        let cat = Catalog::demo()?;
        assert_eq!(codes(&shape_problems(&json!([]), &cat)), ["order.not_object"]);
        let ps = shape_problems(&json!({}), &cat);
        assert_eq!(ps[0].field, "/productOrderItem");
        let ps = shape_problems(
            &json!({"productOrderItem":[{"id":"1","action":"add","quantity":0},{"action":"add"}]}),
            &cat,
        );
        let fields: Vec<&str> = ps.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["/productOrderItem/0/quantity", "/productOrderItem/1/id"]);
        // A customer given as a party role (v5) is identified, whatever its shape.
        let role = json!({"productOrderItem":[{"id":"123","action":"add"}],
            "relatedParty":[{"role":"Customer","partyOrPartyRole":
                {"id":"CR-1","@type":"PartyRoleRef","@referredType":"CustomerAccount"}}]});
        assert!(shape_problems(&role, &cat).is_empty());
        Ok(())
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
