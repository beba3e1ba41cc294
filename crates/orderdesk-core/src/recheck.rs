//! Validating and pricing an order again after an edit, doing only the work the edit causes.
//!
//! The editor checks and prices the whole order after every edit, and most edits change one
//! item. A [`Recheck`] keeps, for every item of the last order it saw, what that item's own
//! checks found, the create schema's problems inside the item and the item's price lines.
//! The next order reuses them for each item that did not change and computes them for the
//! others; what depends on every item (item ids used twice, one currency per order, the
//! totals and the schedule, the order's own members and the schema's order-level problems)
//! is derived again from the parts. The parts are made by the same functions
//! [`crate::validate`] and [`crate::price`] use, so the answer is always the same `Quote` as
//! [`crate::validate_and_price`]; a test applies random edits and compares the two after
//! each.
//!
//! What an item's parts depend on, and so what makes them be computed again:
//! - the item: its id, members, relationships, bundle link and place in the walk (path and
//!   index), and of its children the ids, links, actions and offerings (a bundle's checks
//!   count them);
//! - the catalog (the same `Arc`: the service keeps one per set of offerings), the discount
//!   policy, the TMF version and the rounding: a change of any of them recomputes every item;
//! - with a policy, the approvals the order's notes record: every item;
//! - the item ids and the bundle tree: the items with relationships (only they look other
//!   items up);
//! - the offerings in the order: the items whose offering relies on another.
//!
//! The one check that reads the clock (an offering can be ordered now) runs for every item
//! every time.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde_json::Value;

use crate::catalog::Catalog;
use crate::finding::Finding;
use crate::model::{flat_item, Item, Order};
use crate::policy::{Approval, DiscountPolicy};
use crate::pricing::{self, ItemPricing, PricingOptions, Quote};
use crate::validate::{self, ItemChecks, ValidateOptions, Walked};
use crate::Rounding;

/// The pointer prefix of the payload's items.
const ITEMS: &str = "/productOrderItem/";

/// What the last order's items were and what was found on each; see the module docs.
#[derive(Debug, Default)]
pub struct Recheck {
    around: Option<Around>,
    items: Vec<Kept>,
    /// How many items the last call computed (the others were kept).
    computed: usize,
}

/// Everything but the items that the kept parts were computed against.
#[derive(Debug)]
struct Around {
    catalog: Option<Arc<Catalog>>,
    policy: Option<DiscountPolicy>,
    version: Option<orderdesk_wire::Version>,
    rounding: Rounding,
    approvals: Vec<Approval>,
    ids: HashSet<String>,
    parent_of: HashMap<String, String>,
    offerings: HashSet<String>,
}

impl Around {
    fn of(
        walked: &Walked<'_>,
        catalog: Option<&Arc<Catalog>>,
        v: ValidateOptions<'_>,
        p: PricingOptions,
    ) -> Self {
        Around {
            catalog: catalog.cloned(),
            policy: v.policy.cloned(),
            version: v.version,
            rounding: p.rounding,
            approvals: walked.approvals.clone(),
            ids: walked.seen.keys().map(|k| (*k).to_owned()).collect(),
            parent_of: walked
                .parent_of
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            offerings: walked.offerings_in_order.iter().map(|o| (*o).to_owned()).collect(),
        }
    }

    /// Whether every item's parts were computed against the same catalog, policy, version,
    /// rounding and approvals.
    fn same_rules(&self, other: &Around) -> bool {
        let same_catalog = match (&self.catalog, &other.catalog) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        same_catalog
            && self.policy == other.policy
            && self.version == other.version
            && self.rounding == other.rounding
            && self.approvals == other.approvals
    }
}

/// One item as it was checked, and what was found.
#[derive(Debug)]
struct Kept {
    path: String,
    id: String,
    fields: serde_json::Map<String, Value>,
    relationships: Vec<crate::model::Relationship>,
    link: serde_json::Map<String, Value>,
    children: Vec<ChildKey>,
    checks: ItemChecks,
    pricing: ItemPricing,
    /// The schema's problems inside this item, named by pointers into the whole payload.
    schema: Vec<Finding>,
}

/// What a bundle's checks and its flat form read of a child.
#[derive(Debug, PartialEq)]
struct ChildKey {
    id: String,
    link: serde_json::Map<String, Value>,
    action: Option<Value>,
    offering: Option<Value>,
}

impl ChildKey {
    fn of(child: &Item) -> Self {
        ChildKey {
            id: child.id.clone(),
            link: child.link.clone(),
            action: child.fields.get("action").cloned(),
            offering: child.fields.get("productOffering").cloned(),
        }
    }

    fn is(&self, child: &Item) -> bool {
        self.id == child.id
            && self.link == child.link
            && self.action.as_ref() == child.fields.get("action")
            && self.offering.as_ref() == child.fields.get("productOffering")
    }
}

impl Kept {
    /// Whether `item` at `path` is the item these parts were computed for.
    fn is(&self, item: &Item, path: &str) -> bool {
        self.path == path
            && self.id == item.id
            && self.children.len() == item.children.len()
            && self.children.iter().zip(&item.children).all(|(k, c)| k.is(c))
            && self.relationships == item.relationships
            && self.link == item.link
            && self.fields == item.fields
    }
}

impl Recheck {
    /// A recheck that has seen no order yet: its first call computes every item.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many items the last call computed; the others were kept from the call before.
    pub fn computed(&self) -> usize {
        self.computed
    }

    /// [`crate::validate_and_price`] of `order`, computing only the parts of the items that
    /// differ from the last order this recheck saw (or whose surroundings differ).
    pub fn validate_and_price(
        &mut self,
        order: &Order,
        catalog: Option<&Arc<Catalog>>,
        validate_options: ValidateOptions<'_>,
        pricing_options: PricingOptions,
    ) -> Quote {
        let rules = catalog.map(|c| &**c);
        let walked = Walked::of(order, validate_options.policy.is_some());
        let around = Around::of(&walked, catalog, validate_options, pricing_options);
        let (same_rules, same_links, same_offerings) = match &self.around {
            Some(before) => (
                before.same_rules(&around),
                before.ids == around.ids && before.parent_of == around.parent_of,
                before.offerings == around.offerings,
            ),
            None => (false, false, false),
        };
        let relies = |item: &Item| {
            item.offering_id()
                .and_then(|id| rules?.offering(id))
                .is_some_and(|o| !o.relies_on.is_empty())
        };

        let before = std::mem::take(&mut self.items);
        let mut kept: Vec<Option<Kept>> = before.into_iter().map(Some).collect();
        let mut items: Vec<Kept> = Vec::with_capacity(walked.all.len());
        let mut fresh: Vec<usize> = Vec::new();
        for (index, (item, _, path)) in walked.all.iter().enumerate() {
            let reusable = same_rules
                && (same_links || item.relationships.is_empty())
                && (same_offerings || !relies(item));
            let old = kept.get_mut(index).and_then(Option::take).filter(|k| k.is(item, path));
            match old {
                Some(k) if reusable => items.push(k),
                _ => {
                    fresh.push(index);
                    items.push(Kept {
                        path: path.clone(),
                        id: item.id.clone(),
                        fields: item.fields.clone(),
                        relationships: item.relationships.clone(),
                        link: item.link.clone(),
                        children: item.children.iter().map(ChildKey::of).collect(),
                        checks: validate::item_checks(
                            item,
                            path,
                            rules,
                            validate_options.policy,
                            &walked,
                        ),
                        pricing: pricing::price_item(
                            index,
                            item,
                            path,
                            rules,
                            pricing_options.rounding,
                        ),
                        schema: Vec::new(),
                    });
                }
            }
        }
        self.computed = fresh.len();

        let mut findings = validate::order_checks(order, &walked, validate_options.now);
        let mut currencies: Vec<(String, String)> = Vec::new();
        for ((item, _, path), k) in walked.all.iter().zip(&items) {
            k.checks.emit(item, path, rules, validate_options.now, &mut currencies, &mut findings);
        }
        validate::money_currencies(&currencies, &mut findings);
        if let Some(version) = validate_options.version {
            let raw = schema(order, &walked, &mut items, &fresh, version);
            validate::schema_findings(raw, &walked.paths(), &mut findings);
        }

        let ids = items.iter().map(|k| k.id.clone()).collect();
        let parts = items.iter().map(|k| k.pricing.clone()).collect();
        let mut quote = pricing::assemble(ids, parts, pricing_options);
        findings.append(&mut quote.findings);
        quote.findings = findings;
        self.items = items;
        self.around = Some(around);
        quote
    }
}

/// The create schema's problems with the whole order, in document order, from a payload of
/// the order's own members and the `fresh` items only (the first item too when none is
/// fresh, so an order with items is never checked as one without). Each fresh item's problems
/// are kept with it; the others' come from the call that computed them.
fn schema(
    order: &Order,
    walked: &Walked<'_>,
    items: &mut [Kept],
    fresh: &[usize],
    version: orderdesk_wire::Version,
) -> Vec<Finding> {
    let checked: Vec<usize> = match (fresh.is_empty(), walked.all.is_empty()) {
        (true, false) => vec![0],
        _ => fresh.to_vec(),
    };
    let mut flat = order.fields.clone();
    let entries = checked
        .iter()
        .filter_map(|i| walked.all.get(*i))
        .map(|(item, _, _)| flat_item(item))
        .collect();
    flat.insert("productOrderItem".into(), Value::Array(entries));
    for i in &checked {
        if let Some(k) = items.get_mut(*i) {
            k.schema.clear();
        }
    }
    let mut raw = Vec::new();
    for mut f in validate::schema_problems(Value::Object(flat), version) {
        let at = f.path.strip_prefix(ITEMS).and_then(|rest| {
            let (n, tail) = rest.split_once('/').map_or((rest, None), |(n, t)| (n, Some(t)));
            Some((*checked.get(n.parse::<usize>().ok()?)?, tail))
        });
        match at {
            Some((index, tail)) => {
                f.path = match tail {
                    Some(tail) => format!("{ITEMS}{index}/{tail}"),
                    None => format!("{ITEMS}{index}"),
                };
                if let Some(k) = items.get_mut(index) {
                    k.schema.push(f);
                }
            }
            None => raw.push(f),
        }
    }
    raw.extend(items.iter().flat_map(|k| k.schema.iter().cloned()));
    raw.sort_by(|a, b| {
        orderdesk_wire::schema::compare_pointers(&a.path, &b.path).then(a.message.cmp(&b.message))
    });
    raw.dedup();
    raw
}
