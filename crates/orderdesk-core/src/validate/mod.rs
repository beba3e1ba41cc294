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

pub(crate) use money::currencies as money_currencies;

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
    let walked = Walked::of(order, options.policy.is_some());
    let mut out = order_checks(order, &walked, options.now);
    let mut currencies: Vec<(String, String)> = Vec::new();
    for (item, _, path) in &walked.all {
        let checks = item_checks(item, path, catalog, options.policy, &walked);
        checks.emit(item, path, catalog, options.now, &mut currencies, &mut out);
    }
    money::currencies(&currencies, &mut out);
    if let Some(inventory) = inventory {
        crate::inventory::check(order, inventory, &mut out);
    }
    if let Some(version) = options.version {
        let payload = order.to_json(Layout::Flat);
        let raw = schema_problems(payload, version);
        schema_findings(raw, &walked.paths(), &mut out);
    }
    out
}

/// An order's items in walk order with what the checks of one item need of the others: the
/// item ids (each with the first item that has it), every bundled item's parent, the
/// offerings in the order and the approvals its notes record.
pub(crate) struct Walked<'a> {
    pub(crate) all: Vec<(&'a Item, Option<&'a Item>, String)>,
    /// Each item id with the walk index of the first item that has it.
    pub(crate) seen: HashMap<&'a str, usize>,
    pub(crate) parent_of: HashMap<&'a str, &'a str>,
    pub(crate) offerings_in_order: HashSet<&'a str>,
    pub(crate) approvals: Vec<crate::policy::Approval>,
    /// `item.duplicate_id` findings, in walk order.
    duplicates: Vec<Finding>,
}

impl<'a> Walked<'a> {
    pub(crate) fn of(order: &'a Order, with_approvals: bool) -> Self {
        let mut all: Vec<(&Item, Option<&Item>, String)> = Vec::with_capacity(order.items.len());
        order.walk(|item, parent, path| all.push((item, parent, path.to_string())));
        let mut walked = Walked {
            seen: HashMap::with_capacity(all.len()),
            parent_of: HashMap::with_capacity(all.len()),
            offerings_in_order: HashSet::new(),
            approvals: if with_approvals { crate::policy::approvals(order) } else { Vec::new() },
            duplicates: Vec::new(),
            all: Vec::new(),
        };
        for (index, (item, parent, path)) in all.iter().enumerate() {
            if let Some(p) = parent {
                walked.parent_of.entry(item.id.as_str()).or_insert(p.id.as_str());
            }
            if let Some(o) = item.offering_id() {
                walked.offerings_in_order.insert(o);
            }
            if item.id.trim().is_empty() {
                continue;
            }
            match walked.seen.get(item.id.as_str()).and_then(|first| all.get(*first)) {
                Some((_, _, first)) => walked.duplicates.push(finding(
                    ITEM_DUPLICATE_ID,
                    format!("{path}/id"),
                    format!("item id {:?} is also used by the item at {first}", item.id),
                )),
                None => {
                    walked.seen.insert(item.id.as_str(), index);
                }
            }
        }
        walked.all = all;
        walked
    }

    pub(crate) fn paths(&self) -> Vec<&str> {
        self.all.iter().map(|(_, _, p)| p.as_str()).collect()
    }
}

/// The checks of the order as a whole, in the order they are listed: order-level members,
/// the requested dates, an order without items, item ids used twice.
pub(crate) fn order_checks(
    order: &Order,
    walked: &Walked<'_>,
    now: Option<DateTime<Utc>>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    structure::order_level(order, &mut out);
    dates::requested_dates(order, now, &mut out);
    if order.items.is_empty() {
        out.push(finding(ORDER_NO_ITEMS, "/productOrderItem", "the order has no items"));
    }
    out.extend(walked.duplicates.iter().cloned());
    out
}

/// What the checks of one item found, apart from the one that depends on the clock
/// ([`catalog::orderable`], run by [`ItemChecks::emit`]): a function of the item, its children's
/// ids, actions and offerings, its path, the catalog, the policy and the order around it as
/// [`Walked`] describes it.
#[derive(Debug, Clone)]
pub(crate) struct ItemChecks {
    /// Structure, money and an unknown offering.
    head: Vec<Finding>,
    /// The other catalog rules and the discount policy.
    tail: Vec<Finding>,
    /// The currency of each item price, with the price's path.
    currencies: Vec<(String, String)>,
}

pub(crate) fn item_checks(
    item: &Item,
    path: &str,
    catalog: Option<&Catalog>,
    policy: Option<&DiscountPolicy>,
    walked: &Walked<'_>,
) -> ItemChecks {
    let mut checks = ItemChecks { head: Vec::new(), tail: Vec::new(), currencies: Vec::new() };
    structure::item(item, path, &walked.seen, &walked.parent_of, &mut checks.head);
    money::money(item, path, &mut checks.currencies, &mut checks.head);
    if let Some(catalog) = catalog {
        let offering = catalog::known(item, path, catalog, &mut checks.head);
        catalog::against_catalog(
            item,
            path,
            catalog,
            offering,
            &walked.offerings_in_order,
            &mut checks.tail,
        );
    }
    if let Some(policy) = policy {
        crate::policy::check_item(item, path, policy, &walked.approvals, &mut checks.tail);
    }
    checks
}

impl ItemChecks {
    /// The item's findings in their order, the clock's check among them at `now`.
    pub(crate) fn emit(
        &self,
        item: &Item,
        path: &str,
        catalog: Option<&Catalog>,
        now: Option<DateTime<Utc>>,
        currencies: &mut Vec<(String, String)>,
        out: &mut Vec<Finding>,
    ) {
        out.extend(self.head.iter().cloned());
        if let Some(catalog) = catalog {
            catalog::orderable(item, path, catalog, now, out);
        }
        out.extend(self.tail.iter().cloned());
        currencies.extend(self.currencies.iter().cloned());
    }
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

/// The official create schema's problems with the payload Orderdesk would send for the flat
/// order JSON `flat`, named by pointers into that payload, in document order.
pub(crate) fn schema_problems(flat: Value, version: Version) -> Vec<Finding> {
    let Ok(schemas) = orderdesk_wire::schema::schemas() else {
        // The embedded schemas compile (the wire crate's tests prove it); never fail here.
        return Vec::new();
    };
    let payload = orderdesk_wire::create_payload(flat, Some(version), version);
    schemas.problems(RequestKind::ProductOrder, version, &payload.value)
}

/// Schema problems (`raw`, from [`schema_problems`]) as findings on the order as imported. A
/// schema problem at a place another finding already names is left out: one problem, one
/// finding.
pub(crate) fn schema_findings(raw: Vec<Finding>, item_paths: &[&str], out: &mut Vec<Finding>) {
    // Structure errors name the place a schema problem may be about too; a catalog error does
    // not (a bundle short of a child and a misspelt member inside it are two problems).
    let named: HashSet<String> = out
        .iter()
        .filter(|f| f.is_error() && crate::codes::class_of(f) == crate::codes::Class::Structure)
        .map(|f| f.path.clone())
        .collect();
    for mut f in raw {
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
