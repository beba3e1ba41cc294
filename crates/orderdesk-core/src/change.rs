//! Change orders: the operations that act on what a customer already has (Move / Add /
//! Change / Disconnect), what each change item was and will be, and the customer's monthly
//! charges before and after an order.
//!
//! The operations ([`crate::Op::ChangePlan`], [`crate::Op::AddOption`],
//! [`crate::Op::ModifyProduct`], [`crate::Op::Disconnect`]) carry the installed products they
//! act on, so `apply` stays pure and a stored revision replays without the cache:
//! - *change plan*: a `delete` item for the old product and an `add` item for the new offering
//!   that `replaces` it (relationship type [`REPLACES`]), inside a `modify` item of the
//!   bundle when the product is part of one;
//! - *add option*: a `modify` item of the bundle with an `add` child;
//! - *modify*: a `modify` item carrying the product's characteristics as installed (the
//!   characteristic operations then change them);
//! - *disconnect*: `delete` items for the product and everything it bundles.
//!
//! A bundle's `modify` item is made once and shared by every change inside the bundle.

use std::collections::{BTreeMap, HashSet};

use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::catalog::Catalog;
use crate::inventory::{InstalledProduct, Inventory};
use crate::model::{Item, Order, Relationship};
use crate::pricing::{price, PricingOptions};
use crate::CoreError;

/// The relationship type from a new plan's `add` item to the `delete` item of the plan it
/// replaces.
pub const REPLACES: &str = "replaces";

fn reference(id: &str, name: Option<&str>) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(id));
    if let Some(n) = name {
        m.insert("name".into(), json!(n));
    }
    Value::Object(m)
}

/// An item acting on an installed product.
fn product_item(id: String, action: &str, product: &InstalledProduct, with_chars: bool) -> Item {
    let mut p = Map::new();
    p.insert("id".into(), json!(product.id));
    if with_chars && !product.characteristics.is_empty() {
        p.insert("productCharacteristic".into(), Value::Array(product.characteristics.clone()));
    }
    let mut fields = Map::new();
    fields.insert("action".into(), json!(action));
    fields.insert("quantity".into(), json!(1));
    if let Some(o) = &product.offering_id {
        fields.insert("productOffering".into(), reference(o, product.offering_name.as_deref()));
    }
    fields.insert("product".into(), Value::Object(p));
    Item::new(id, fields)
}

/// The id of the order's item acting on `product_id`, if any.
fn item_for_product(order: &Order, product_id: &str) -> Option<String> {
    let mut found = None;
    order.walk(|item, _, _| {
        if found.is_none() && item.product_id() == Some(product_id) {
            found = Some(item.id.clone());
        }
    });
    found
}

/// The id of the `modify` item of `bundle`, made at the top level when the order has none. An
/// item already acting on the bundle in another way (a disconnect) is refused.
fn bundle_item(next: &mut Order, bundle: &InstalledProduct) -> Result<String, CoreError> {
    if let Some(id) = item_for_product(next, &bundle.id) {
        let item = crate::ops::find_mut(&mut next.items, &id)?;
        return match item.action() {
            Some("modify") => Ok(id),
            Some("noChange") => {
                item.fields.insert("action".into(), json!("modify"));
                Ok(id)
            }
            other => Err(busy(&bundle.id, other)),
        };
    }
    let id = crate::ops::IdGen::new(next).next();
    next.items.push(product_item(id.clone(), "modify", bundle, false));
    Ok(id)
}

fn busy(product: &str, action: Option<&str>) -> CoreError {
    CoreError::InvalidValue {
        field: "product".into(),
        message: format!(
            "the order already has a {} item for product {product:?}",
            action.unwrap_or("changing")
        ),
    }
}

/// The product is not yet acted on by the order.
fn not_in_order(order: &Order, product: &InstalledProduct) -> Result<(), CoreError> {
    match item_for_product(order, &product.id) {
        None => Ok(()),
        Some(id) => {
            let mut action = None;
            order.walk(|item, _, _| {
                if item.id == id {
                    action = item.action().map(str::to_owned);
                }
            });
            Err(busy(&product.id, action.as_deref()))
        }
    }
}

/// Puts `item` under `parent` (an item id) or at the top level.
fn place(next: &mut Order, parent: Option<&str>, item: Item) -> Result<(), CoreError> {
    match parent {
        Some(p) => crate::ops::find_mut(&mut next.items, p)?.children.push(item),
        None => next.items.push(item),
    }
    Ok(())
}

/// A new offering's item (a bundle with the children its catalog requires).
fn new_offering(
    next: &Order,
    offering_id: &str,
    catalog: Option<&Catalog>,
) -> Result<Item, CoreError> {
    let mut ids = crate::ops::IdGen::new(next);
    let mut visiting = HashSet::new();
    let mut budget = crate::ops::Budget {
        items: crate::limits::MAX_ITEMS.saturating_sub(next.item_count()),
        depth: crate::limits::MAX_BUNDLE_DEPTH,
    };
    crate::ops::offering_item(offering_id, 1, catalog, &mut ids, &mut visiting, &mut budget)
}

/// *Change plan*.
pub(crate) fn change_plan(
    next: &mut Order,
    product: &InstalledProduct,
    bundle: Option<&InstalledProduct>,
    offering_id: &str,
    catalog: Option<&Catalog>,
) -> Result<(), CoreError> {
    not_in_order(next, product)?;
    let parent = bundle.map(|b| bundle_item(next, b)).transpose()?;
    let delete_id = crate::ops::IdGen::new(next).next();
    place(next, parent.as_deref(), product_item(delete_id.clone(), "delete", product, false))?;
    let mut add = new_offering(next, offering_id, catalog)?;
    add.relationships.push(Relationship {
        target: delete_id,
        kind: REPLACES.into(),
        ..Relationship::default()
    });
    place(next, parent.as_deref(), add)
}

/// *Add option*.
pub(crate) fn add_option(
    next: &mut Order,
    bundle: &InstalledProduct,
    offering_id: &str,
    catalog: Option<&Catalog>,
) -> Result<(), CoreError> {
    let parent = bundle_item(next, bundle)?;
    let add = new_offering(next, offering_id, catalog)?;
    place(next, Some(&parent), add)
}

/// *Modify*.
pub(crate) fn modify_product(
    next: &mut Order,
    product: &InstalledProduct,
    bundle: Option<&InstalledProduct>,
) -> Result<(), CoreError> {
    not_in_order(next, product)?;
    let parent = bundle.map(|b| bundle_item(next, b)).transpose()?;
    let id = crate::ops::IdGen::new(next).next();
    place(next, parent.as_deref(), product_item(id, "modify", product, true))
}

/// *Disconnect*: `products` is the product first, then what it bundles; each is nested under
/// the first earlier product that lists it (the others under the first).
pub(crate) fn disconnect(
    next: &mut Order,
    products: &[InstalledProduct],
    bundle: Option<&InstalledProduct>,
) -> Result<(), CoreError> {
    if products.is_empty() {
        return Err(CoreError::InvalidValue {
            field: "products".into(),
            message: "name the product to disconnect".into(),
        });
    }
    if products.len() > crate::limits::MAX_ITEMS.saturating_sub(next.item_count()) {
        return Err(CoreError::Limit {
            code: crate::codes::LIMIT_ITEMS,
            path: String::new(),
            message: format!(
                "disconnecting {} products goes beyond {} items in one order",
                products.len(),
                crate::limits::MAX_ITEMS
            ),
        });
    }
    for p in products {
        not_in_order(next, p)?;
    }
    let parent = bundle.map(|b| bundle_item(next, b)).transpose()?;
    let mut ids = crate::ops::IdGen::new(next);
    let mut items: Vec<Option<Item>> =
        products.iter().map(|p| Some(product_item(ids.next(), "delete", p, false))).collect();
    // Each product's parent is an earlier product (the list is the product and its
    // descendants, parents first), so attaching from the last one moves only complete items.
    let parents: Vec<usize> = products
        .iter()
        .enumerate()
        .map(|(i, p)| {
            products
                .get(..i)
                .and_then(|before| before.iter().position(|q| q.children.contains(&p.id)))
                .unwrap_or(0)
        })
        .collect();
    for i in (1..items.len()).rev() {
        let child = items.get_mut(i).and_then(Option::take);
        let target = parents.get(i).copied().unwrap_or(0);
        if let (Some(child), Some(Some(parent))) = (child, items.get_mut(target)) {
            parent.children.insert(0, child);
        }
    }
    match items.into_iter().next().flatten() {
        Some(item) => place(next, parent.as_deref(), item),
        None => Ok(()),
    }
}

/// One change item as "was → will be".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeRow {
    /// The order item.
    pub item_id: String,
    /// Its action (`modify`, `delete`, or `add` for a new plan that replaces a product).
    pub action: String,
    /// The installed product it acts on (for a replacing `add`: the product replaced).
    pub product_id: String,
    /// What the customer has now (the product's or its offering's name).
    pub was: String,
    /// What they will have (`None`: nothing, the product is disconnected).
    pub will_be: Option<String>,
    /// Characteristics that change: name, value now, value after.
    pub characteristics: Vec<(String, String, String)>,
}

fn value_text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn item_name(item: &Item, catalog: Option<&Catalog>) -> String {
    let offering = item.offering_id();
    item.fields
        .get("productOffering")
        .and_then(|o| o.get("name"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| offering.and_then(|o| catalog?.offering(o)?.name.clone()))
        .or_else(|| offering.map(str::to_owned))
        .unwrap_or_else(|| item.id.clone())
}

/// The order's change items as "was → will be", in the order's walk order.
pub fn changes(order: &Order, inventory: &Inventory, catalog: Option<&Catalog>) -> Vec<ChangeRow> {
    let mut rows = Vec::new();
    let mut replacing: BTreeMap<String, (String, String)> = BTreeMap::new();
    order.walk(|item, _, _| {
        for r in item.relationships.iter().filter(|r| r.kind == REPLACES) {
            replacing.insert(r.target.clone(), (item.id.clone(), item_name(item, catalog)));
        }
    });
    order.walk(|item, _, _| {
        let Some(pid) = item.product_id() else { return };
        let action = item.action().unwrap_or_default();
        if !matches!(action, "modify" | "delete") {
            return;
        }
        let installed = inventory.get(pid);
        let was =
            installed.map_or_else(|| item_name(item, catalog), |p| p.display_name().to_owned());
        let (will_be, characteristics) = match action {
            "delete" => (replacing.get(&item.id).map(|(_, n)| n.clone()), Vec::new()),
            _ => {
                let changed = item
                    .characteristics()
                    .iter()
                    .filter_map(|c| {
                        let name = c.get("name")?.as_str()?;
                        let now = value_text(installed.and_then(|p| p.characteristic(name)));
                        let after = value_text(c.get("value"));
                        (now != after).then(|| (name.to_owned(), now, after))
                    })
                    .collect();
                (Some(was.clone()), changed)
            }
        };
        rows.push(ChangeRow {
            item_id: item.id.clone(),
            action: action.to_owned(),
            product_id: pid.to_owned(),
            was,
            will_be,
            characteristics,
        });
    });
    rows
}

/// One currency's monthly charges before and after an order, and its one-time charges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeTotals {
    /// ISO 4217 code (empty when a price names none).
    pub currency: String,
    /// What the customer pays each month now.
    #[serde(serialize_with = "crate::pricing::dec_str")]
    pub monthly_now: Decimal,
    /// What they will pay each month once the order is complete.
    #[serde(serialize_with = "crate::pricing::dec_str")]
    pub monthly_after: Decimal,
    /// One-time charges of the order (new products, change fees), tax included.
    #[serde(serialize_with = "crate::pricing::dec_str")]
    pub one_time: Decimal,
}

/// The customer's monthly total now and after the order, per currency: the installed
/// products still billed, less those the order disconnects, plus the monthly charges of what
/// it adds (the pricing engine's figures for its `add` items, tax included); and the order's
/// one-time charges. A `modify` item changes no price unless the catalog gives it one (a
/// change fee), which counts as one-time.
pub fn change_totals(
    order: &Order,
    inventory: &Inventory,
    catalog: Option<&Catalog>,
    options: PricingOptions,
) -> Vec<ChangeTotals> {
    let now = inventory.monthly_total();
    let mut after = now.clone();
    order.walk(|item, _, _| {
        if item.action() != Some("delete") {
            return;
        }
        if let Some(p) =
            item.product_id().and_then(|id| inventory.get(id)).filter(|p| p.is_billed())
        {
            for (c, amount) in &p.monthly {
                let e = after.entry(c.clone()).or_default();
                *e = e.saturating_sub(*amount);
            }
        }
    });
    // Only what is added is charged anew: the engine prices `add` items (and a `modify`
    // item's catalog one-time fee).
    let mut added = order.clone();
    fn keep_adds(items: &mut [Item]) {
        let mut stack: Vec<&mut Item> = items.iter_mut().collect();
        while let Some(item) = stack.pop() {
            if item.action() == Some("modify") {
                item.fields.insert("action".into(), json!("noChange"));
            }
            stack.extend(item.children.iter_mut());
        }
    }
    keep_adds(&mut added.items);
    let quote = price(&added, catalog, PricingOptions { periods: Some(1), ..options });
    let mut one_time: BTreeMap<String, Decimal> = BTreeMap::new();
    for c in &quote.currencies {
        for r in c.recurring.iter().filter(|r| r.period.to_ascii_lowercase().starts_with("month")) {
            let e = after.entry(c.currency.clone()).or_default();
            *e = e.saturating_add(r.amounts.tax_included);
        }
        let e = one_time.entry(c.currency.clone()).or_default();
        *e = e.saturating_add(c.one_time.tax_included);
    }
    let currencies: std::collections::BTreeSet<String> =
        now.keys().chain(after.keys()).chain(one_time.keys()).cloned().collect();
    currencies
        .into_iter()
        .map(|c| ChangeTotals {
            monthly_now: now.get(&c).copied().unwrap_or_default(),
            monthly_after: after.get(&c).copied().unwrap_or_default().max(Decimal::ZERO),
            one_time: one_time.get(&c).copied().unwrap_or_default(),
            currency: c,
        })
        .collect()
}
