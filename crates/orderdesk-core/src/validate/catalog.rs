//! Catalog rules: the offering exists and can be ordered, bundles hold what their offering
//! allows, `reliesOn` targets are present, characteristics are defined, required and allowed.
//! They apply to items being added (`add`, or no action); value checks apply to every
//! characteristic written.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::catalog::{decimal, Catalog, CharacteristicSpec, Offering, Specification};
use crate::codes::{
    finding, BUNDLE_CARDINALITY, BUNDLE_UNEXPECTED_CHILD, CHARACTERISTIC_FORMAT,
    CHARACTERISTIC_MISSING, CHARACTERISTIC_PATTERN, CHARACTERISTIC_UNKNOWN, CHARACTERISTIC_VALUE,
    OFFERING_NOT_ORDERABLE, OFFERING_UNKNOWN, RELATIONSHIP_TARGET_MISSING,
};
use crate::finding::Finding;
use crate::model::Item;

/// An offering as agents know it: `"Tariff Plan" (14344)`, or `"14344"` when it has no name.
fn named(name: Option<&str>, id: &str) -> String {
    match name {
        Some(name) if name != id => format!("{name:?} ({id})"),
        _ => format!("{id:?}"),
    }
}

/// The offering an item names, and the finding when the catalog has no such offering.
pub(super) fn known<'c>(
    item: &Item,
    path: &str,
    catalog: &'c Catalog,
    out: &mut Vec<Finding>,
) -> Option<&'c Offering> {
    let id = item.offering_id()?;
    let offering = catalog.offering(id);
    if offering.is_none() {
        out.push(finding(
            OFFERING_UNKNOWN,
            format!("{path}/productOffering/id"),
            format!("offering {id:?} is not in the catalog"),
        ));
    }
    offering
}

fn adding(item: &Item) -> bool {
    matches!(item.action(), None | Some("add"))
}

/// Whether an item being added names an offering that can be ordered at `now`: the one
/// catalog rule that depends on the clock, so it is checked apart from the others (an item
/// kept from the last revision is checked again against the time of this one).
pub(super) fn orderable(
    item: &Item,
    path: &str,
    catalog: &Catalog,
    now: Option<chrono::DateTime<chrono::Utc>>,
    out: &mut Vec<Finding>,
) {
    let Some(o) = item.offering_id().and_then(|id| catalog.offering(id)) else { return };
    if !adding(item) {
        return;
    }
    if let Err(why) = o.orderable_at(now) {
        out.push(finding(
            OFFERING_NOT_ORDERABLE,
            format!("{path}/productOffering/id"),
            format!("offering {:?} cannot be ordered: {why}", o.id),
        ));
    }
}

/// The catalog rules on an item other than [`known`] and [`orderable`]: what a bundle holds,
/// `reliesOn` targets, characteristics.
pub(super) fn against_catalog(
    item: &Item,
    path: &str,
    catalog: &Catalog,
    offering: Option<&Offering>,
    offerings_in_order: &HashSet<&str>,
    out: &mut Vec<Finding>,
) {
    if let (Some(o), true) = (offering, adding(item)) {
        if !o.bundled.is_empty() || o.is_bundle {
            let mut counts: HashMap<&str, u32> = HashMap::new();
            for child in &item.children {
                if matches!(child.action(), Some("delete")) {
                    continue;
                }
                let id = child.offering_id().unwrap_or_default();
                if !o.bundled.iter().any(|b| b.id == id) {
                    out.push(finding(
                        BUNDLE_UNEXPECTED_CHILD,
                        format!("{path}/productOrderItemRelationship"),
                        format!(
                            "item {:?} (offering {id:?}) is not part of bundle {:?}",
                            child.id, o.id
                        ),
                    ));
                }
                let n: &mut u32 = counts.entry(id).or_default();
                *n = n.saturating_add(1);
            }
            for b in &o.bundled {
                let n = counts.get(b.id.as_str()).copied().unwrap_or(0);
                let low = b.lower.unwrap_or(0);
                if n < low || b.upper.is_some_and(|u| n > u) {
                    let range = match b.upper {
                        Some(u) => format!("{low}..{u}"),
                        None => format!("at least {low}"),
                    };
                    out.push(finding(
                        BUNDLE_CARDINALITY,
                        format!("{path}/productOrderItemRelationship"),
                        format!(
                            "bundle {} needs {range} of offering {}, has {n}",
                            named(o.name.as_deref(), &o.id),
                            named(catalog.offering(&b.id).and_then(|c| c.name.as_deref()), &b.id)
                        ),
                    ));
                }
            }
        }
        for target in &o.relies_on {
            let in_order = offerings_in_order.contains(target.as_str());
            let existing = item
                .fields
                .get("product")
                .and_then(|p| p.get("productRelationship"))
                .and_then(Value::as_array)
                .is_some_and(|rs| {
                    rs.iter().any(|r| {
                        r.get("relationshipType")
                            .and_then(Value::as_str)
                            .is_some_and(|t| t.eq_ignore_ascii_case("reliesOn"))
                    })
                });
            if !in_order && !existing {
                out.push(finding(RELATIONSHIP_TARGET_MISSING,
                    format!("{path}/productOffering/id"),
                    format!(
                        "offering {:?} relies on offering {target:?}, which is neither in the order \
                         nor an existing product",
                        o.id
                    ),
                ));
            }
        }
    }
    let spec_id = item.specification_id().or(offering.and_then(|o| o.specification_id.as_deref()));
    let Some(spec) = spec_id.and_then(|id| catalog.specifications.get(id)) else { return };
    let chars = item.characteristics();
    for (c, ch) in chars.iter().enumerate() {
        let Some(name) = ch.get("name").and_then(Value::as_str) else { continue };
        let at = format!("{path}/product/productCharacteristic/{c}");
        match spec.characteristics.iter().find(|s| s.name == name) {
            None => out.push(finding(
                CHARACTERISTIC_UNKNOWN,
                format!("{at}/name"),
                format!(
                    "{}: {name:?} is not a characteristic of this product (specification {})",
                    spec.label(),
                    spec.id
                ),
            )),
            Some(cs) => {
                if let Err((code, why)) =
                    check_value(spec, cs, ch.get("value").unwrap_or(&Value::Null))
                {
                    out.push(finding(code, format!("{at}/value"), why));
                }
            }
        }
    }
    if adding(item) {
        for cs in spec.characteristics.iter().filter(|c| c.required) {
            let present = chars.iter().any(|c| {
                c.get("name").and_then(Value::as_str) == Some(cs.name.as_str())
                    && !c.get("value").is_none_or(Value::is_null)
            });
            if !present {
                out.push(finding(
                    CHARACTERISTIC_MISSING,
                    format!("{path}/product/productCharacteristic"),
                    format!(
                        "{}: enter the {} ({} is required)",
                        spec.label(),
                        in_sentence(&cs.label()),
                        cs.name
                    ),
                ));
            }
        }
    }
}

/// A label inside a sentence: `Phone number` becomes `phone number`; `IMEI` and `SIM type`
/// keep their capitals.
fn in_sentence(label: &str) -> String {
    let mut chars = label.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && !second.is_uppercase() => {
            first.to_lowercase().chain(std::iter::once(second)).chain(chars).collect()
        }
        _ => label.to_owned(),
    }
}

/// A value as messages quote it: text in quotes, anything else as JSON.
fn quoted(value: &Value) -> String {
    match value {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

/// A value against its specification, in the order an agent fixes them: the type, the
/// allowed values, the range, the catalog's pattern, then the telecom format the
/// characteristic is. The message names the specification and the characteristic in words.
fn check_value(
    spec: &Specification,
    cs: &CharacteristicSpec,
    value: &Value,
) -> Result<(), (&'static str, String)> {
    let label = in_sentence(&cs.label());
    let at = spec.label();
    let ty = cs.value_type.as_deref().unwrap_or_default().to_ascii_lowercase();
    let (type_ok, wanted) = match ty.as_str() {
        "string" | "text" => (value.is_string(), "text"),
        "number" | "decimal" | "float" => (decimal(value).is_some(), "a number"),
        "integer" | "int" => {
            (decimal(value).is_some_and(|d| d.fract().is_zero()), "a whole number")
        }
        "boolean" | "bool" => (
            value.is_boolean() || matches!(value.as_str(), Some("true" | "false")),
            "yes or no (true or false)",
        ),
        "object" => (value.is_object(), "an object"),
        "array" | "stringarray" | "objectarray" => (value.is_array(), "a list"),
        _ => (true, ""),
    };
    if !type_ok {
        return Err((
            CHARACTERISTIC_VALUE,
            format!(
                "{at}: the {label} must be {wanted}, not {} ({} is {ty})",
                quoted(value),
                cs.name
            ),
        ));
    }
    if !cs.allowed.is_empty() && !cs.allowed.iter().any(|a| same_value(a, value)) {
        let allowed: Vec<String> = cs.allowed.iter().map(quoted).collect();
        return Err((
            CHARACTERISTIC_VALUE,
            format!(
                "{at}: {} is not one of the choices for the {label}: {}",
                quoted(value),
                allowed.join(", ")
            ),
        ));
    }
    if let Some((lo, hi)) = cs.range {
        if let Some(v) = decimal(value) {
            if lo.is_some_and(|l| v < l) || hi.is_some_and(|h| v > h) {
                let range = match (lo, hi) {
                    (Some(l), Some(h)) => format!("between {l} and {h}"),
                    (Some(l), None) => format!("at least {l}"),
                    (None, Some(h)) => format!("at most {h}"),
                    (None, None) => String::new(),
                };
                return Err((
                    CHARACTERISTIC_VALUE,
                    format!("{at}: the {label} must be {range}; {v} is not"),
                ));
            }
        }
    }
    let text = value.as_str();
    if let (Some(pattern), Some(text)) = (&cs.pattern, text) {
        if pattern.regex.as_ref().is_some_and(|r| !r.is_match(text)) {
            return Err((
                CHARACTERISTIC_PATTERN,
                format!(
                    "{at}: {text:?} is not written the way the {label} must be (pattern {})",
                    pattern.text
                ),
            ));
        }
    }
    if let (Some(format), Some(text)) = (cs.format(), text) {
        if let Err(why) = format.check(text) {
            return Err((
                CHARACTERISTIC_FORMAT,
                format!(
                    "{at}: {text:?} is not a {}: {why}. Enter it {}",
                    format.noun(),
                    format.hint()
                ),
            ));
        }
    }
    Ok(())
}

/// Allowed-value comparison: numbers by value (`10` equals `10.0`), everything else exactly.
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(_), _) | (_, Value::Number(_)) => {
            matches!((decimal(a), decimal(b)), (Some(x), Some(y)) if x == y)
        }
        _ => a == b,
    }
}
