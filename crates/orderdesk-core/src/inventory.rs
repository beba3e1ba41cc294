//! What a customer already has: installed products (TMF637) as the change operations, the
//! inventory checks and the before → after prices need them.
//!
//! An [`Inventory`] is built from product JSON of either version (the client's cache, the
//! reference server's store); it never trusts the shape it is given: relationships may
//! point at missing products or form cycles, so the tree is built with an explicit stack and
//! a visited set, and no deeper than [`crate::limits::MAX_BUNDLE_DEPTH`].
//!
//! The inventory checks (codes `product.unknown`, `product.other_customer`,
//! `product.not_active`) are part of the one list of order checks: [`crate::validate`] runs
//! them when it is given an inventory, and the reference server refuses an order with them
//! (422), naming the item.

use std::collections::{BTreeMap, HashMap, HashSet};

use orderdesk_wire::inventory::{read_product, ProductStatus};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::catalog::decimal;
use crate::codes::{finding, PRODUCT_NOT_ACTIVE, PRODUCT_OTHER_CUSTOMER, PRODUCT_UNKNOWN};
use crate::finding::Finding;
use crate::limits::{MAX_BUNDLE_DEPTH, MAX_INVENTORY_PRODUCTS};
use crate::model::{Item, Order};

/// One installed product, as much of it as a change needs. Serialisable: the change
/// operations carry the products they act on, so a stored revision replays without the cache.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstalledProduct {
    /// The product's id.
    pub id: String,
    /// Its name (else its offering's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its status, when TMF637 defines it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ProductStatus>,
    /// Its status as the server wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_text: Option<String>,
    /// The offering it was ordered from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offering_id: Option<String>,
    /// That offering's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offering_name: Option<String>,
    /// The customers named on it.
    #[serde(default)]
    pub customers: Vec<String>,
    /// Its billing account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_account: Option<String>,
    /// `productCharacteristic` entries as written.
    #[serde(default)]
    pub characteristics: Vec<Value>,
    /// Its monthly recurring charge per currency (tax included where given, else duty free).
    #[serde(default)]
    pub monthly: BTreeMap<String, Decimal>,
    /// The products it bundles.
    #[serde(default)]
    pub children: Vec<String>,
}

impl InstalledProduct {
    /// Reads a product of either version; `None` without an id.
    pub fn from_json(v: &Value) -> Option<InstalledProduct> {
        let s = read_product(v)?;
        let mut monthly = BTreeMap::new();
        for p in s.prices.iter().take(crate::limits::MAX_PRICES) {
            if let Some((currency, amount)) = monthly_charge(p) {
                let e: &mut Decimal = monthly.entry(currency).or_default();
                *e = e.saturating_add(amount);
            }
        }
        Some(InstalledProduct {
            id: s.id,
            name: s.name,
            status: s.status,
            status_text: s.status_text,
            offering_name: s.offering.as_ref().and_then(|o| o.name.clone()),
            offering_id: s.offering.map(|o| o.id),
            customers: s.customers,
            billing_account: s.billing_account.map(|b| b.id),
            characteristics: s
                .characteristics
                .into_iter()
                .take(crate::limits::MAX_CHARACTERISTICS)
                .collect(),
            monthly,
            children: s.children.into_iter().take(crate::limits::MAX_CHILDREN).collect(),
        })
    }

    /// The name to show: the product's, else its offering's, else its id.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().or(self.offering_name.as_deref()).unwrap_or(&self.id)
    }

    /// Its charges count towards the customer's monthly total.
    pub fn is_billed(&self) -> bool {
        !self.status.is_some_and(ProductStatus::is_gone)
    }

    /// The value of a characteristic, by name.
    pub fn characteristic(&self, name: &str) -> Option<&Value> {
        self.characteristics
            .iter()
            .find(|c| c.get("name").and_then(Value::as_str) == Some(name))
            .and_then(|c| c.get("value"))
    }
}

/// A `productPrice` entry's monthly charge: recurring by the month (or with no period).
fn monthly_charge(p: &Value) -> Option<(String, Decimal)> {
    let kind = p.get("priceType").and_then(Value::as_str)?;
    if !kind.eq_ignore_ascii_case("recurring") {
        return None;
    }
    let period = p.get("recurringChargePeriod").and_then(Value::as_str).unwrap_or("month");
    if !period.to_ascii_lowercase().starts_with("month") {
        return None;
    }
    let price = p.get("price")?;
    let money = price.get("taxIncludedAmount").or_else(|| price.get("dutyFreeAmount"))?;
    let amount = decimal(money.get("value")?)?;
    let unit = money.get("unit").and_then(Value::as_str).unwrap_or("").to_owned();
    Some((unit, amount))
}

/// A product's place in the customer's tree.
#[derive(Debug, Clone, PartialEq)]
pub struct TreeEntry<'a> {
    /// The product.
    pub product: &'a InstalledProduct,
    /// 0 for a top-level product.
    pub depth: usize,
    /// The bundle it is part of.
    pub parent: Option<&'a str>,
}

/// The installed products known for an order: a customer's, or every cached product an
/// order names.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    products: HashMap<String, InstalledProduct>,
    order: Vec<String>,
}

impl Inventory {
    /// An inventory of the given products (at most [`MAX_INVENTORY_PRODUCTS`]; the rest are
    /// left out). A product listed twice keeps its last copy.
    pub fn new(products: impl IntoIterator<Item = InstalledProduct>) -> Inventory {
        let mut inv = Inventory::default();
        for p in products {
            if inv.products.len() >= MAX_INVENTORY_PRODUCTS && !inv.products.contains_key(&p.id) {
                break;
            }
            if !inv.products.contains_key(&p.id) {
                inv.order.push(p.id.clone());
            }
            inv.products.insert(p.id.clone(), p);
        }
        inv
    }

    /// An inventory read from product JSON of either version (entries without an id skipped).
    pub fn from_json<'a>(products: impl IntoIterator<Item = &'a Value>) -> Inventory {
        Inventory::new(products.into_iter().filter_map(InstalledProduct::from_json))
    }

    /// A product by id.
    pub fn get(&self, id: &str) -> Option<&InstalledProduct> {
        self.products.get(id)
    }

    /// How many products it holds.
    pub fn len(&self) -> usize {
        self.products.len()
    }

    /// It holds no product.
    pub fn is_empty(&self) -> bool {
        self.products.is_empty()
    }

    /// Every product, in the order they were given.
    pub fn products(&self) -> impl Iterator<Item = &InstalledProduct> {
        self.order.iter().filter_map(|id| self.products.get(id))
    }

    /// The bundle a product is part of (the first that lists it).
    pub fn parent_of(&self, id: &str) -> Option<&InstalledProduct> {
        self.products().find(|p| p.id != id && p.children.iter().any(|c| c == id))
    }

    /// The products as a tree, depth-first: every product once, children under the first
    /// bundle that lists them, products no bundle lists at the top. Relationships to unknown
    /// products are ignored, cycles are cut, and nothing nests deeper than
    /// [`MAX_BUNDLE_DEPTH`] (a deeper product is listed at that depth).
    pub fn tree(&self) -> Vec<TreeEntry<'_>> {
        let listed: HashSet<&str> = self
            .products()
            .flat_map(|p| p.children.iter().filter(|c| **c != p.id).map(String::as_str))
            .filter(|c| self.products.contains_key(*c))
            .collect();
        let mut out = Vec::with_capacity(self.products.len());
        let mut seen: HashSet<&str> = HashSet::new();
        let roots: Vec<&InstalledProduct> =
            self.products().filter(|p| !listed.contains(p.id.as_str())).collect();
        // Products only reachable through a cycle have no root: list them at the top too.
        let mut pending: Vec<&InstalledProduct> = roots;
        let mut rest = self.products();
        loop {
            let mut stack: Vec<(&InstalledProduct, usize, Option<&str>)> =
                pending.drain(..).rev().map(|p| (p, 0, None)).collect();
            while let Some((p, depth, parent)) = stack.pop() {
                if !seen.insert(p.id.as_str()) {
                    continue;
                }
                out.push(TreeEntry { product: p, depth, parent });
                let child_depth = depth.saturating_add(1).min(MAX_BUNDLE_DEPTH);
                for c in p.children.iter().rev() {
                    if let Some(child) = self.products.get(c) {
                        if !seen.contains(child.id.as_str()) {
                            stack.push((child, child_depth, Some(p.id.as_str())));
                        }
                    }
                }
            }
            match rest.by_ref().find(|p| !seen.contains(p.id.as_str())) {
                Some(p) => pending.push(p),
                None => break,
            }
        }
        out
    }

    /// A product and everything it bundles, the product first (each once, cycles cut, at
    /// most [`MAX_BUNDLE_DEPTH`] levels), with the parent of each.
    pub fn with_descendants(&self, id: &str) -> Vec<(&InstalledProduct, Option<&str>)> {
        let mut out = Vec::new();
        let Some(root) = self.products.get(id) else { return out };
        let mut seen: HashSet<&str> = HashSet::new();
        let mut stack = vec![(root, 0usize, None)];
        while let Some((p, depth, parent)) = stack.pop() {
            if !seen.insert(p.id.as_str()) {
                continue;
            }
            out.push((p, parent));
            if depth >= MAX_BUNDLE_DEPTH {
                continue;
            }
            for c in p.children.iter().rev() {
                if let Some(child) = self.products.get(c) {
                    stack.push((child, depth.saturating_add(1), Some(p.id.as_str())));
                }
            }
        }
        out
    }

    /// The monthly total of the products still billed, per currency.
    pub fn monthly_total(&self) -> BTreeMap<String, Decimal> {
        let mut total: BTreeMap<String, Decimal> = BTreeMap::new();
        for p in self.products().filter(|p| p.is_billed()) {
            for (currency, amount) in &p.monthly {
                let e = total.entry(currency.clone()).or_default();
                *e = e.saturating_add(*amount);
            }
        }
        total
    }
}

/// The inventory checks on every `modify`, `delete` and `noChange` item that names a
/// product: it exists, it is the order's customer's (when the order names one), it is active.
/// An item without a product is structure's `item.product_missing`.
pub(crate) fn check(order: &Order, inventory: &Inventory, out: &mut Vec<Finding>) {
    let customer = orderdesk_wire::parties::customer(&order.to_json(crate::Layout::Flat))
        .and_then(|p| p.id)
        .filter(|id| !id.trim().is_empty());
    order.walk(|item: &Item, _, path| {
        if !matches!(item.action(), Some("modify" | "delete" | "noChange")) {
            return;
        }
        let Some(id) = item.product_id() else { return };
        let at = format!("{path}/product/id");
        let Some(product) = inventory.get(id) else {
            out.push(finding(
                PRODUCT_UNKNOWN,
                at,
                format!("item {}: product {id:?} is not in the customer's inventory", item.id),
            ));
            return;
        };
        if let Some(c) = &customer {
            if !product.customers.is_empty() && !product.customers.iter().any(|p| p == c) {
                out.push(finding(
                    PRODUCT_OTHER_CUSTOMER,
                    at,
                    format!(
                        "item {}: product {id:?} belongs to another customer, not {c:?}",
                        item.id
                    ),
                ));
                return;
            }
        }
        if !product.status.is_some_and(ProductStatus::is_changeable) {
            let state = product.status_text.as_deref().unwrap_or("without a status");
            out.push(finding(
                PRODUCT_NOT_ACTIVE,
                at,
                format!(
                    "item {}: product {id:?} is {state}; only an active product can be changed",
                    item.id
                ),
            ));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(id: &str, children: &[&str]) -> Value {
        json!({"id": id, "status": "active", "relatedParty": [{"id": "C1", "role": "Customer"}],
            "productRelationship": children.iter().map(|c| json!({"relationshipType": "bundles", "product": {"id": c}})).collect::<Vec<_>>(),
            "productPrice": [{"priceType": "recurring", "recurringChargePeriod": "month",
                "price": {"taxIncludedAmount": {"unit": "EUR", "value": 10.50}}}]})
    }

    #[test]
    fn trees_survive_cycles_and_missing_children() {
        let list = [
            p("A", &["B", "X"]),
            p("B", &["C"]),
            p("C", &["A"]),
            p("D", &[]),
            p("E", &["F"]),
            p("F", &["E"]),
        ];
        let inv = Inventory::from_json(list.iter());
        let tree: Vec<(&str, usize)> =
            inv.tree().iter().map(|e| (e.product.id.as_str(), e.depth)).collect();
        // A–B–C form a cycle with no root: A (the first given) is put at the top.
        assert_eq!(tree, [("D", 0), ("A", 0), ("B", 1), ("C", 2), ("E", 0), ("F", 1)]);
        let with: Vec<&str> =
            inv.with_descendants("A").iter().map(|(p, _)| p.id.as_str()).collect();
        assert_eq!(with, ["A", "B", "C"]);
        assert_eq!(
            inv.monthly_total().get("EUR").map(ToString::to_string).as_deref(),
            Some("63.0")
        );
    }

    #[test]
    fn deep_chains_are_bounded() {
        let list: Vec<Value> =
            (0..100).map(|i| p(&i.to_string(), &[&(i + 1).to_string()])).collect();
        let inv = Inventory::from_json(list.iter());
        assert!(inv.tree().iter().all(|e| e.depth <= MAX_BUNDLE_DEPTH));
        assert_eq!(inv.tree().len(), 100);
        assert_eq!(inv.with_descendants("0").len(), MAX_BUNDLE_DEPTH + 1);
    }
}
