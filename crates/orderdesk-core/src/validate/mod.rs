//! The one list of order checks. The editor, `orderdesk check`, `orderdesk draft check`, the
//! submit gate and the reference server's 400/422 decision all call [`validate`] (or
//! [`validate_json`] for a document that may not even be an order), so they reach the same
//! decision on the same order.
//!
//! What is checked, in the order findings are listed:
//! 1. structure ([`structure`]): order-level members, then per item its id, action, quantity,
//!    relationships, product, characteristics and dates;
//! 2. money on item prices ([`money`]);
//! 3. the requested dates: completion not before start, neither past ([`dates`]);
//! 4. with a catalog, the catalog rules ([`catalog`]): characteristic values by the
//!    specification's type, allowed values, range and pattern, and the telecom formats
//!    ([`crate::formats`]); with an inventory, the installed products that change items name
//!    ([`crate::inventory`]);
//! 5. with a discount policy, the policy's rules on the agent's discounts ([`crate::policy`]);
//! 6. with a version, the official TMF622 create schema of that version on the payload
//!    Orderdesk would send (`orderdesk_wire::create_payload`): whatever a strict server would
//!    refuse and the rules above do not already name.
//!
//! Every code, its severity and how a server refuses it are in [`crate::codes`]. Findings carry
//! JSON pointers into the order as imported (an item created by an operation: its position in
//! the flat export).

mod catalog;
mod dates;
mod money;
mod structure;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use orderdesk_wire::schema::RequestKind;
use orderdesk_wire::Version;
use serde_json::Value;

use crate::catalog::Catalog;
use crate::codes::{
    finding, ITEM_DUPLICATE_ID, ORDER_ITEMS_INVALID, ORDER_NOT_OBJECT, ORDER_NO_ITEMS,
};
use crate::finding::Finding;
use crate::inventory::Inventory;
use crate::model::{Item, Layout, Order};
use crate::policy::DiscountPolicy;
use crate::CoreError;

pub use structure::ITEM_ACTIONS;

/// Validation context.
#[derive(Debug, Clone, Copy, Default)]
pub struct ValidateOptions<'a> {
    /// The instant `validFor` periods are checked against; `None` skips that check (the core
    /// has no clock — callers pass `Utc::now()`).
    pub now: Option<DateTime<Utc>>,
    /// The TMF622 version the order is sent in: the official create schema of that version is
    /// checked on the payload Orderdesk would send. `None` skips the schema check.
    pub version: Option<Version>,
    /// The discount policy of the server profile the order goes to (`None`: no policy; a
    /// server never has one). See [`crate::policy`].
    pub policy: Option<&'a DiscountPolicy>,
}

/// Every finding on an order, optionally against a catalog.
pub fn validate(
    order: &Order,
    catalog: Option<&Catalog>,
    options: ValidateOptions<'_>,
) -> Vec<Finding> {
    validate_with_inventory(order, catalog, None, options)
}

/// [`validate`], and with an inventory the checks of the installed products that `modify`,
/// `delete` and `noChange` items name (`product.unknown`, `product.other_customer`,
/// `product.not_active`).
pub fn validate_with_inventory(
    order: &Order,
    catalog: Option<&Catalog>,
    inventory: Option<&Inventory>,
    options: ValidateOptions,
) -> Vec<Finding> {
    let mut out = Vec::new();
    structure::order_level(order, &mut out);
    dates::requested_dates(order, options.now, &mut out);
    if order.items.is_empty() {
        out.push(finding(ORDER_NO_ITEMS, "/productOrderItem", "the order has no items"));
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
        if item.id.trim().is_empty() {
            continue;
        }
        match seen.get(item.id.as_str()) {
            Some(first) => out.push(finding(
                ITEM_DUPLICATE_ID,
                format!("{path}/id"),
                format!("item id {:?} is also used by the item at {first}", item.id),
            )),
            None => {
                seen.insert(item.id.as_str(), path.as_str());
            }
        }
    }

    let mut currencies: Vec<(String, String)> = Vec::new();
    let approvals = match options.policy {
        Some(_) => crate::policy::approvals(order),
        None => Vec::new(),
    };
    for (item, _, path) in &all {
        structure::item(item, path, &seen, &parent_of, &mut out);
        money::money(item, path, &mut currencies, &mut out);
        if let Some(catalog) = catalog {
            catalog::against_catalog(item, path, catalog, &offerings_in_order, options, &mut out);
        }
        if let Some(policy) = options.policy {
            crate::policy::check_item(item, path, policy, &approvals, &mut out);
        }
    }
    money::currencies(&currencies, &mut out);
    if let Some(inventory) = inventory {
        crate::inventory::check(order, inventory, &mut out);
    }
    if let Some(version) = options.version {
        let paths: Vec<&str> = all.iter().map(|(_, _, p)| p.as_str()).collect();
        schema(order, version, &paths, &mut out);
    }
    out
}

/// Every finding on a JSON document: a document that is not an order gets the finding that
/// says why; an order gets [`validate`]'s.
pub fn validate_json(
    doc: &Value,
    catalog: Option<&Catalog>,
    options: ValidateOptions<'_>,
) -> Vec<Finding> {
    validate_json_with_inventory(doc, catalog, None, options)
}

/// [`validate_json`] with the inventory checks of [`validate_with_inventory`].
pub fn validate_json_with_inventory(
    doc: &Value,
    catalog: Option<&Catalog>,
    inventory: Option<&Inventory>,
    options: ValidateOptions,
) -> Vec<Finding> {
    if !doc.is_object() {
        return vec![finding(
            ORDER_NOT_OBJECT,
            "",
            format!("a product order must be a JSON object, found {}", structure::kind(doc)),
        )];
    }
    match Order::from_json(doc.clone()) {
        Ok(order) => validate_with_inventory(&order, catalog, inventory, options),
        Err(CoreError::Import { path, message }) => {
            vec![finding(ORDER_ITEMS_INVALID, path, message)]
        }
        Err(CoreError::Limit { code, path, message }) => vec![finding(code, path, message)],
        Err(other) => vec![finding(ORDER_ITEMS_INVALID, "", other.to_string())],
    }
}

/// The official create schema on the payload that would be sent. A schema problem at a place
/// another finding already names is left out: one problem, one finding.
fn schema(order: &Order, version: Version, item_paths: &[&str], out: &mut Vec<Finding>) {
    let Ok(schemas) = orderdesk_wire::schema::schemas() else {
        // The embedded schemas compile (the wire crate's tests prove it); never fail here.
        return;
    };
    let payload =
        orderdesk_wire::create_payload(order.to_json(Layout::Flat), Some(version), version);
    // Structure errors name the place a schema problem may be about too; a catalog error does
    // not (a bundle short of a child and a misspelt member inside it are two problems).
    let named: HashSet<String> = out
        .iter()
        .filter(|f| f.is_error() && crate::codes::class_of(f) == crate::codes::Class::Structure)
        .map(|f| f.path.clone())
        .collect();
    for mut f in schemas.problems(RequestKind::ProductOrder, version, &payload.value) {
        f.path = draft_path(&f.path, item_paths);
        f.code = match f.code.as_str() {
            orderdesk_wire::schema::REQUIRED => crate::codes::SCHEMA_REQUIRED,
            orderdesk_wire::schema::TYPE => crate::codes::SCHEMA_TYPE,
            orderdesk_wire::schema::SHAPE => crate::codes::SCHEMA_SHAPE,
            _ => crate::codes::SCHEMA_VALUE,
        }
        .to_owned();
        let covered = named.iter().any(|p| f.path == *p || f.path.starts_with(&format!("{p}/")));
        if !covered {
            out.push(f);
        }
    }
}

/// A pointer into the flat payload as a pointer into the order as imported: the payload's
/// n-th item is the n-th item of the walk (both list parents before their children).
fn draft_path(payload_path: &str, item_paths: &[&str]) -> String {
    let Some(rest) = payload_path.strip_prefix("/productOrderItem/") else {
        return payload_path.to_owned();
    };
    let (index, tail) = rest.split_once('/').map_or((rest, ""), |(i, t)| (i, t));
    match index.parse::<usize>().ok().and_then(|n| item_paths.get(n)) {
        Some(item) if tail.is_empty() => (*item).to_owned(),
        Some(item) => format!("{item}/{tail}"),
        None => payload_path.to_owned(),
    }
}
