//! Validation: structural, money and catalog rules, each finding with a stable code and a
//! JSON pointer into the order as imported.
//!
//! Codes (severity): `order.no_items` (error), `item.duplicate_id` (error), `item.quantity`
//! (error), `item.missing_action` (error), `item.action` (unknown action, error),
//! `item.product_missing` (modify/delete/noChange without a product id, error),
//! `relationship.dangling` (error), `bundle.cycle` (error), `bundle.multiple_parents` (error),
//! `price.invalid` (unreadable price, error), `price.currency_mismatch` (warning),
//! `price.alteration_invalid` (error), `offering.unknown` (error), `offering.not_orderable`
//! (error), `bundle.cardinality` (error), `bundle.unexpected_child` (warning),
//! `characteristic.missing` (error), `characteristic.value` (error), `characteristic.unknown`
//! (warning), `relationship.target_missing` (error).
//!
//! Catalog rules (offering, cardinality, required characteristics, `reliesOn`) apply to items
//! being added (`add`, or no action); value checks apply to every characteristic written.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

use crate::catalog::{decimal, uint, Catalog, CharacteristicSpec};
use crate::finding::Finding;
use crate::model::{Item, Order, BUNDLES};
use crate::pricing::parse_price;

/// Validation context.
#[derive(Debug, Clone, Copy, Default)]
pub struct ValidateOptions {
    /// The instant `validFor` periods are checked against; `None` skips that check (the core
    /// has no clock — callers pass `Utc::now()`).
    pub now: Option<DateTime<Utc>>,
}

/// Validate an order, optionally against a catalog.
pub fn validate(
    order: &Order,
    catalog: Option<&Catalog>,
    options: ValidateOptions,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if order.items.is_empty() {
        out.push(Finding::error("order.no_items", "/productOrderItem", "the order has no items"));
    }
    let mut all: Vec<(&Item, Option<&Item>, String)> = Vec::with_capacity(order.items.len());
    order.walk(|item, parent, path| all.push((item, parent, path.to_string())));

    let mut seen: HashMap<&str, &str> = HashMap::with_capacity(all.len());
    let mut parent_of: HashMap<&str, &str> = HashMap::with_capacity(all.len());
    let mut offerings_in_order: HashSet<&str> = HashSet::new();
    for (item, parent, path) in &all {
        if let Some(p) = parent {
            parent_of.entry(item.id.as_str()).or_insert(p.id.as_str());
        }
        if let Some(o) = item.offering_id() {
            offerings_in_order.insert(o);
        }
        match seen.get(item.id.as_str()) {
            Some(first) => out.push(Finding::error(
                "item.duplicate_id",
                format!("{path}/id"),
                format!("item id {:?} is also used by the item at {first}", item.id),
            )),
            None => {
                seen.insert(item.id.as_str(), path.as_str());
            }
        }
    }

    let mut currencies: Vec<(String, String)> = Vec::new();
    for (item, _, path) in &all {
        structural(item, path, &seen, &parent_of, &mut out);
        money(item, path, &mut currencies, &mut out);
        if let Some(catalog) = catalog {
            against_catalog(item, path, catalog, &offerings_in_order, options, &mut out);
        }
    }
    if let Some((first, _)) = currencies.first() {
        for (unit, at) in currencies.iter().skip(1) {
            if unit != first {
                out.push(Finding::warning(
                    "price.currency_mismatch",
                    at,
                    format!("the order mixes currencies: {unit} here, {first} elsewhere; they are priced separately"),
                ));
                break;
            }
        }
    }
    out
}

fn structural(
    item: &Item,
    path: &str,
    ids: &HashMap<&str, &str>,
    parent_of: &HashMap<&str, &str>,
    out: &mut Vec<Finding>,
) {
    if let Err(q) = item.quantity() {
        out.push(Finding::error(
            "item.quantity",
            format!("{path}/quantity"),
            format!("quantity must be a whole number of at least 1, found {q}"),
        ));
    }
    match item.fields.get("action") {
        None | Some(Value::Null) => out.push(Finding::error(
            "item.missing_action",
            format!("{path}/action"),
            "the item has no action (add, modify, delete or noChange)",
        )),
        Some(Value::String(a))
            if matches!(a.as_str(), "add" | "modify" | "delete" | "noChange") =>
        {
            if a != "add" && item.product_id().is_none() {
                out.push(Finding::error(
                    "item.product_missing",
                    format!("{path}/product/id"),
                    format!("action {a} needs the id of an existing product"),
                ));
            }
        }
        Some(other) => out.push(Finding::error(
            "item.action",
            format!("{path}/action"),
            format!("unknown action {other}; expected add, modify, delete or noChange"),
        )),
    }
    for (r, rel) in item.relationships.iter().enumerate() {
        // New relationships sit after the `bundles` links of the children in the flat export.
        let at = rel.origin.clone().unwrap_or_else(|| {
            format!("{path}/productOrderItemRelationship/{}", item.children.len() + r)
        });
        if !ids.contains_key(rel.target.as_str()) {
            out.push(Finding::error(
                "relationship.dangling",
                format!("{at}/id"),
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
            // the target already has a parent.
            let mut cursor = Some(item.id.as_str());
            let mut cycle = false;
            while let Some(c) = cursor {
                if c == rel.target {
                    cycle = true;
                    break;
                }
                cursor = parent_of.get(c).copied();
            }
            if cycle {
                out.push(Finding::error(
                    "bundle.cycle",
                    format!("{at}/id"),
                    format!(
                        "item {:?} bundles {:?}, which contains it: bundles form a cycle",
                        item.id, rel.target
                    ),
                ));
            } else {
                out.push(Finding::error(
                    "bundle.multiple_parents",
                    format!("{at}/id"),
                    format!("item {:?} is already bundled by another item", rel.target),
                ));
            }
        }
    }
}

fn money(item: &Item, path: &str, currencies: &mut Vec<(String, String)>, out: &mut Vec<Finding>) {
    let Some(prices) = item.fields.get("itemPrice").and_then(Value::as_array) else { return };
    for (p, raw) in prices.iter().enumerate() {
        let at = format!("{path}/itemPrice/{p}");
        let Some(price_raw) = raw.get("price") else {
            out.push(Finding::error("price.invalid", &at, "itemPrice entry has no price"));
            continue;
        };
        let price = match parse_price(price_raw) {
            Ok(p) => p,
            Err(m) => {
                out.push(Finding::error("price.invalid", format!("{at}/price"), m));
                continue;
            }
        };
        let df_unit = price.duty_free.as_ref().and_then(|m| m.unit.clone());
        let ti_unit = price.tax_included.as_ref().and_then(|m| m.unit.clone());
        if let (Some(a), Some(b)) = (&df_unit, &ti_unit) {
            if a != b {
                out.push(Finding::warning(
                    "price.currency_mismatch",
                    format!("{at}/price/taxIncludedAmount/unit"),
                    format!("duty-free amount is in {a} but tax-included amount is in {b}"),
                ));
            }
        }
        let unit = df_unit.or(ti_unit);
        if let Some(u) = &unit {
            currencies.push((u.clone(), format!("{at}/price")));
        }
        for (n, m) in
            [("dutyFreeAmount", &price.duty_free), ("taxIncludedAmount", &price.tax_included)]
        {
            if m.as_ref().is_some_and(|m| m.value.is_sign_negative() && !m.value.is_zero()) {
                out.push(Finding::error(
                    "price.invalid",
                    format!("{at}/price/{n}/value"),
                    "a price must not be negative",
                ));
            }
        }
        let alts =
            raw.get("priceAlteration").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
        for (a, alt) in alts.iter().enumerate() {
            let alt_at = format!("{at}/priceAlteration/{a}");
            if let Some(d) = alt.get("applicationDuration") {
                if uint(d).is_none_or(|d| d < 1) {
                    out.push(Finding::error(
                        "price.alteration_invalid",
                        format!("{alt_at}/applicationDuration"),
                        format!(
                            "applicationDuration must be a whole number of at least 1, found {d}"
                        ),
                    ));
                }
            }
            let Some(alt_price) = alt.get("price") else {
                out.push(Finding::error(
                    "price.alteration_invalid",
                    &alt_at,
                    "the alteration has no price",
                ));
                continue;
            };
            let ap = match parse_price(alt_price) {
                Ok(p) => p,
                Err(m) => {
                    out.push(Finding::error(
                        "price.alteration_invalid",
                        format!("{alt_at}/price"),
                        m,
                    ));
                    continue;
                }
            };
            if let Some(pct) = ap.percentage {
                if pct < Decimal::ZERO || pct > Decimal::ONE_HUNDRED {
                    out.push(Finding::error(
                        "price.alteration_invalid",
                        format!("{alt_at}/price/percentage"),
                        format!("percentage must be between 0 and 100, found {pct}"),
                    ));
                }
            }
            for (n, m) in
                [("dutyFreeAmount", &ap.duty_free), ("taxIncludedAmount", &ap.tax_included)]
            {
                let Some(m) = m else { continue };
                if m.value.is_sign_negative() && !m.value.is_zero() {
                    out.push(Finding::error(
                        "price.alteration_invalid",
                        format!("{alt_at}/price/{n}/value"),
                        format!("an alteration amount must not be negative, found {}", m.value),
                    ));
                }
                if let (Some(u), Some(line)) = (&m.unit, &unit) {
                    if u != line {
                        out.push(Finding::warning(
                            "price.currency_mismatch",
                            format!("{alt_at}/price/{n}/unit"),
                            format!("alteration is in {u} but the price is in {line}"),
                        ));
                    }
                }
            }
        }
    }
}

/// An offering as agents know it: `"Tariff Plan" (14344)`, or `"14344"` when it has no name.
fn named(name: Option<&str>, id: &str) -> String {
    match name {
        Some(name) if name != id => format!("{name:?} ({id})"),
        _ => format!("{id:?}"),
    }
}

fn against_catalog(
    item: &Item,
    path: &str,
    catalog: &Catalog,
    offerings_in_order: &HashSet<&str>,
    options: ValidateOptions,
    out: &mut Vec<Finding>,
) {
    let adding = matches!(item.action(), None | Some("add"));
    let offering = match item.offering_id() {
        Some(id) => match catalog.offering(id) {
            Some(o) => Some(o),
            None => {
                out.push(Finding::error(
                    "offering.unknown",
                    format!("{path}/productOffering/id"),
                    format!("offering {id:?} is not in the catalog"),
                ));
                None
            }
        },
        None => None,
    };
    if let (Some(o), true) = (offering, adding) {
        if let Err(why) = o.orderable_at(options.now) {
            out.push(Finding::error(
                "offering.not_orderable",
                format!("{path}/productOffering/id"),
                format!("offering {:?} cannot be ordered: {why}", o.id),
            ));
        }
        if !o.bundled.is_empty() || o.is_bundle {
            let mut counts: HashMap<&str, u32> = HashMap::new();
            for child in &item.children {
                if matches!(child.action(), Some("delete")) {
                    continue;
                }
                let id = child.offering_id().unwrap_or_default();
                if !o.bundled.iter().any(|b| b.id == id) {
                    out.push(Finding::warning(
                        "bundle.unexpected_child",
                        format!("{path}/productOrderItemRelationship"),
                        format!(
                            "item {:?} (offering {id:?}) is not part of bundle {:?}",
                            child.id, o.id
                        ),
                    ));
                }
                *counts.entry(id).or_default() += 1;
            }
            for b in &o.bundled {
                let n = counts.get(b.id.as_str()).copied().unwrap_or(0);
                let low = b.lower.unwrap_or(0);
                if n < low || b.upper.is_some_and(|u| n > u) {
                    let range = match b.upper {
                        Some(u) => format!("{low}..{u}"),
                        None => format!("at least {low}"),
                    };
                    out.push(Finding::error(
                        "bundle.cardinality",
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
                out.push(Finding::error(
                    "relationship.target_missing",
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
            None => out.push(Finding::warning(
                "characteristic.unknown",
                format!("{at}/name"),
                format!("characteristic {name:?} is not defined by specification {:?}", spec.id),
            )),
            Some(cs) => {
                if let Err(why) = check_value(cs, ch.get("value").unwrap_or(&Value::Null)) {
                    out.push(Finding::error("characteristic.value", format!("{at}/value"), why));
                }
            }
        }
    }
    if adding {
        for cs in spec.characteristics.iter().filter(|c| c.required) {
            let present = chars.iter().any(|c| {
                c.get("name").and_then(Value::as_str) == Some(cs.name.as_str())
                    && !c.get("value").is_none_or(Value::is_null)
            });
            if !present {
                out.push(Finding::error(
                    "characteristic.missing",
                    format!("{path}/product/productCharacteristic"),
                    format!(
                        "characteristic {:?} is required by specification {:?}",
                        cs.name, spec.id
                    ),
                ));
            }
        }
    }
}

fn check_value(spec: &CharacteristicSpec, value: &Value) -> Result<(), String> {
    let ty = spec.value_type.as_deref().unwrap_or_default().to_ascii_lowercase();
    let type_ok = match ty.as_str() {
        "string" | "text" => value.is_string(),
        "number" | "decimal" | "float" => decimal(value).is_some(),
        "integer" | "int" => decimal(value).is_some_and(|d| d.fract().is_zero()),
        "boolean" | "bool" => {
            value.is_boolean() || matches!(value.as_str(), Some("true" | "false"))
        }
        "object" => value.is_object(),
        "array" | "stringarray" | "objectarray" => value.is_array(),
        _ => true,
    };
    if !type_ok {
        return Err(format!("{:?} expects a value of type {ty}, found {value}", spec.name));
    }
    if !spec.allowed.is_empty() && !spec.allowed.iter().any(|a| same_value(a, value)) {
        let allowed: Vec<String> = spec.allowed.iter().map(Value::to_string).collect();
        return Err(format!(
            "{value} is not an allowed value of {:?} ({})",
            spec.name,
            allowed.join(", ")
        ));
    }
    if let Some((lo, hi)) = spec.range {
        if let Some(v) = decimal(value) {
            if lo.is_some_and(|l| v < l) || hi.is_some_and(|h| v > h) {
                return Err(format!("{v} is outside the range allowed for {:?}", spec.name));
            }
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
