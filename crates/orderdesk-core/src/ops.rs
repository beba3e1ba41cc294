//! Composition operations: every edit of an order is an [`Op`] value applied by [`apply`].
//!
//! Architecture invariant: `apply` is pure — it never mutates its input and either returns
//! the whole new order or an error. Undo/redo is a list of orders (or of ops replayed from a
//! base), and the store persists ops as JSON.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::HashSet;

use crate::catalog::Catalog;
use crate::inventory::InstalledProduct;
use crate::model::{Item, Order, Relationship, BUNDLES};
use crate::CoreError;

/// `action` of an order item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    Add,
    Modify,
    Delete,
    NoChange,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Add => "add",
            Self::Modify => "modify",
            Self::Delete => "delete",
            Self::NoChange => "noChange",
        }
    }
}

/// One edit of an order. Serialised as `{"op": "setQuantity", "item": "2", "quantity": 3}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Op {
    /// Replace the order with an empty draft.
    NewDraft,
    /// Add an offering (top level, or under `parent`); a bundle offering also gets the
    /// children its `bundledProductOffering` cardinality requires.
    AddOffering {
        offering_id: String,
        parent: Option<String>,
        quantity: Option<u64>,
    },
    /// Remove an item and all its children (and relationships that point to them).
    RemoveItem {
        item: String,
    },
    /// Move an item (with its children) under another parent, or to the top level. The new
    /// parent must be a bundle and must not be inside the moving item.
    MoveItem {
        item: String,
        parent: Option<String>,
        index: Option<usize>,
    },
    SetQuantity {
        item: String,
        quantity: u64,
    },
    /// `modify`, `delete` and `noChange` need an existing product id: given here or already
    /// on the item.
    SetAction {
        item: String,
        action: Action,
        product_id: Option<String>,
    },
    SetCharacteristic {
        item: String,
        name: String,
        value: Value,
        value_type: Option<String>,
    },
    ClearCharacteristic {
        item: String,
        name: String,
    },
    AddRelationship {
        item: String,
        target: String,
        kind: String,
    },
    RemoveRelationship {
        item: String,
        target: String,
        kind: String,
    },
    /// Add a TMF `PriceAlteration` object to `itemPrice[price]`.
    AddPriceAlteration {
        item: String,
        price: usize,
        alteration: Value,
    },
    EditPriceAlteration {
        item: String,
        price: usize,
        index: usize,
        alteration: Value,
    },
    RemovePriceAlteration {
        item: String,
        price: usize,
        index: usize,
    },
    /// Set the related party with role `Customer` (replacing any previous one). `party` is
    /// the whole related-party entry in the order's TMF version.
    SetCustomer {
        party: Value,
    },
    /// Set the billing account; `None` or `null` clears it.
    SetBillingAccount {
        account: Option<Value>,
    },
    /// Set the sales channel; `None` or `null` clears it.
    SetChannel {
        channel: Option<Value>,
    },
    /// Replace the order's notes.
    SetNotes {
        notes: Vec<Value>,
    },
    SetRequestedDates {
        start: Option<DateTime<Utc>>,
        completion: Option<DateTime<Utc>>,
    },
    /// Change an installed product's plan: a `delete` item for `product` and an `add` item for
    /// `offering_id` that replaces it, inside a `modify` item of `bundle` when the product is
    /// part of one ([`crate::change`]).
    ChangePlan {
        product: InstalledProduct,
        bundle: Option<InstalledProduct>,
        offering_id: String,
    },
    /// Add an option to an installed bundle: a `modify` item for `bundle` with an `add` child.
    AddOption {
        bundle: InstalledProduct,
        offering_id: String,
    },
    /// Modify an installed product: a `modify` item with its characteristics as installed,
    /// which `setCharacteristic` then changes.
    ModifyProduct {
        product: InstalledProduct,
        bundle: Option<InstalledProduct>,
    },
    /// Disconnect an installed product and what it bundles: `products` is the product first,
    /// then its descendants, parents before children.
    Disconnect {
        products: Vec<InstalledProduct>,
        bundle: Option<InstalledProduct>,
    },
}

/// Whether `item` may take children: its offering is a bundle in the catalog, or (when the
/// catalog does not know the offering, e.g. an imported order) it already has children.
fn holds_children(item: &Item, catalog: Option<&Catalog>) -> bool {
    match item.offering_id().and_then(|id| catalog.and_then(|c| c.offering(id))) {
        Some(offering) => offering.is_bundle,
        None => !item.children.is_empty(),
    }
}

/// Apply one operation. The catalog is needed by `addOffering` (names, bundle children).
pub fn apply(order: &Order, op: &Op, catalog: Option<&Catalog>) -> Result<Order, CoreError> {
    // No edit brings a text past the limit (an imported order may hold one; its finding
    // says so), so a draft does not grow by megabytes a keystroke at a time.
    if let Some(path) =
        serde_json::to_value(op).ok().and_then(|v| crate::limits::long_text_in(&v, ""))
    {
        return Err(CoreError::Limit {
            code: crate::codes::LIMIT_TEXT,
            message: format!(
                "{} is longer than {} characters",
                path.trim_start_matches('/'),
                crate::limits::MAX_TEXT_CHARS
            ),
            path,
        });
    }
    let mut next = order.clone();
    match op {
        Op::NewDraft => next = Order::default(),
        Op::AddOffering { offering_id, parent, quantity } => {
            check_quantity(quantity.unwrap_or(1))?;
            let mut ids = IdGen::new(&next);
            let mut visiting = HashSet::new();
            // The catalog decides how many items an offering brings (its bundle's lower
            // limits): what the order still has room for bounds the expansion.
            let mut budget = Budget {
                items: crate::limits::MAX_ITEMS.saturating_sub(next.item_count()),
                depth: crate::limits::MAX_BUNDLE_DEPTH,
            };
            let item = offering_item(
                offering_id,
                quantity.unwrap_or(1),
                catalog,
                &mut ids,
                &mut visiting,
                &mut budget,
            )?;
            match parent {
                None => next.items.push(item),
                Some(p) => find_mut(&mut next.items, p)?.children.push(item),
            }
        }
        Op::RemoveItem { item } => {
            let removed = take(&mut next.items, item)?;
            let mut gone = HashSet::new();
            collect_ids(&removed, &mut gone);
            drop_relationships_to(&mut next.items, &gone);
        }
        Op::MoveItem { item, parent, index } => {
            let moving = take(&mut next.items, item)?;
            let siblings = match parent {
                None => &mut next.items,
                Some(p) => {
                    if contains(&moving, p) {
                        return Err(CoreError::MoveIntoItself {
                            item: item.clone(),
                            parent: p.clone(),
                        });
                    }
                    let target = find_mut(&mut next.items, p)?;
                    if !holds_children(target, catalog) {
                        return Err(CoreError::NotABundle {
                            item: item.clone(),
                            parent: p.clone(),
                        });
                    }
                    &mut target.children
                }
            };
            let at = index.unwrap_or(siblings.len());
            if at > siblings.len() {
                return Err(CoreError::OutOfRange {
                    what: "position",
                    index: at,
                    len: siblings.len(),
                });
            }
            siblings.insert(at, moving);
        }
        Op::SetQuantity { item, quantity } => {
            check_quantity(*quantity)?;
            find_mut(&mut next.items, item)?.fields.insert("quantity".into(), json!(quantity));
        }
        Op::SetAction { item, action, product_id } => {
            let it = find_mut(&mut next.items, item)?;
            if let Some(pid) = product_id {
                object_at(&mut it.fields, "product")?.insert("id".into(), json!(pid));
            }
            if *action != Action::Add && it.product_id().is_none() {
                return Err(CoreError::ProductIdRequired {
                    item: item.clone(),
                    action: action.as_str().into(),
                });
            }
            it.fields.insert("action".into(), json!(action.as_str()));
        }
        Op::SetCharacteristic { item, name, value, value_type } => {
            let it = find_mut(&mut next.items, item)?;
            let chars = array_at(object_at(&mut it.fields, "product")?, "productCharacteristic")?;
            let existing =
                chars.iter_mut().find(|c| c.get("name").and_then(Value::as_str) == Some(name));
            match existing.and_then(Value::as_object_mut) {
                Some(c) => {
                    c.insert("value".into(), value.clone());
                    if let Some(t) = value_type {
                        c.insert("valueType".into(), json!(t));
                    }
                }
                None => {
                    let mut c = Map::new();
                    c.insert("name".into(), json!(name));
                    if let Some(t) = value_type {
                        c.insert("valueType".into(), json!(t));
                    }
                    c.insert("value".into(), value.clone());
                    chars.push(Value::Object(c));
                }
            }
        }
        Op::ClearCharacteristic { item, name } => {
            let it = find_mut(&mut next.items, item)?;
            if let Some(chars) = it
                .fields
                .get_mut("product")
                .and_then(|p| p.get_mut("productCharacteristic"))
                .and_then(Value::as_array_mut)
            {
                chars.retain(|c| c.get("name").and_then(Value::as_str) != Some(name));
            }
        }
        Op::AddRelationship { item, target, kind } => {
            if kind.eq_ignore_ascii_case(BUNDLES) {
                return Err(invalid("kind", "bundle children are set with moveItem"));
            }
            find_mut(&mut next.items, target)?;
            let it = find_mut(&mut next.items, item)?;
            if !it.relationships.iter().any(|r| &r.target == target && &r.kind == kind) {
                it.relationships.push(Relationship {
                    target: target.clone(),
                    kind: kind.clone(),
                    extra: Map::new(),
                    origin: None,
                });
            }
        }
        Op::RemoveRelationship { item, target, kind } => {
            find_mut(&mut next.items, item)?
                .relationships
                .retain(|r| !(&r.target == target && &r.kind == kind));
        }
        Op::AddPriceAlteration { item, price, alteration } => {
            check_alteration(alteration)?;
            alterations(&mut next.items, item, *price)?.push(alteration.clone());
        }
        Op::EditPriceAlteration { item, price, index, alteration } => {
            check_alteration(alteration)?;
            let list = alterations(&mut next.items, item, *price)?;
            let len = list.len();
            let slot = list.get_mut(*index).ok_or(CoreError::OutOfRange {
                what: "price alteration",
                index: *index,
                len,
            })?;
            *slot = alteration.clone();
        }
        Op::RemovePriceAlteration { item, price, index } => {
            let list = alterations(&mut next.items, item, *price)?;
            if *index >= list.len() {
                return Err(CoreError::OutOfRange {
                    what: "price alteration",
                    index: *index,
                    len: list.len(),
                });
            }
            list.remove(*index);
        }
        Op::SetCustomer { party } => {
            if !party.is_object() {
                return Err(invalid("party", "expected a related-party object"));
            }
            let parties = array_at(&mut next.fields, "relatedParty")?;
            parties.retain(|p| {
                !p.get("role")
                    .and_then(Value::as_str)
                    .is_some_and(|r| r.eq_ignore_ascii_case("customer"))
            });
            let mut party = party.clone();
            if let Some(obj) = party.as_object_mut() {
                obj.entry("role").or_insert_with(|| json!("Customer"));
            }
            parties.push(party);
        }
        // `Some(null)` clears like `None`: both are stored as `null`, and a revision replayed
        // from its stored op must give the same order.
        Op::SetBillingAccount { account } => {
            let value = account.as_ref().filter(|a| !a.is_null()).cloned();
            set_or_clear(&mut next.fields, "billingAccount", &value)
        }
        Op::SetChannel { channel } => {
            let value = channel.as_ref().filter(|c| !c.is_null()).map(|c| {
                if c.is_array() {
                    c.clone()
                } else {
                    json!([c])
                }
            });
            set_or_clear(&mut next.fields, "channel", &value);
        }
        Op::SetNotes { notes } => {
            let value = (!notes.is_empty()).then(|| Value::Array(notes.clone()));
            set_or_clear(&mut next.fields, "note", &value);
        }
        Op::SetRequestedDates { start, completion } => {
            let fmt = |d: &Option<DateTime<Utc>>| {
                d.map(|d| Value::String(d.to_rfc3339_opts(SecondsFormat::Millis, true)))
            };
            set_or_clear(&mut next.fields, "requestedStartDate", &fmt(start));
            set_or_clear(&mut next.fields, "requestedCompletionDate", &fmt(completion));
        }
        Op::ChangePlan { product, bundle, offering_id } => {
            crate::change::change_plan(&mut next, product, bundle.as_ref(), offering_id, catalog)?;
        }
        Op::AddOption { bundle, offering_id } => {
            crate::change::add_option(&mut next, bundle, offering_id, catalog)?;
        }
        Op::ModifyProduct { product, bundle } => {
            crate::change::modify_product(&mut next, product, bundle.as_ref())?;
        }
        Op::Disconnect { products, bundle } => {
            crate::change::disconnect(&mut next, products, bundle.as_ref())?;
        }
    }
    // No operation leaves an order beyond the limits (a move can deepen a bundle).
    next.check_limits()?;
    // Nor makes its stored JSON deeper than MAX_ORDER_DEPTH (a value handed to an operation may
    // be nested deep itself), so what is saved reads again; an order imported deeper may stay
    // as deep as it came.
    let depth = next.flat_json_depth();
    if depth > crate::limits::MAX_ORDER_DEPTH && depth > order.flat_json_depth() {
        return Err(invalid(
            "value",
            &format!(
                "the order would nest {depth} levels deep; at most {} are accepted",
                crate::limits::MAX_ORDER_DEPTH
            ),
        ));
    }
    Ok(next)
}

fn invalid(field: &str, message: &str) -> CoreError {
    CoreError::InvalidValue { field: field.into(), message: message.into() }
}

fn set_or_clear(fields: &mut Map<String, Value>, key: &str, value: &Option<Value>) {
    match value {
        Some(v) => {
            fields.insert(key.into(), v.clone());
        }
        None => {
            fields.remove(key);
        }
    }
}

/// The object at `key`, created (or replacing a non-object) when needed. Always `Ok`; the
/// `Result` only spares a panic path.
fn object_at<'a>(
    fields: &'a mut Map<String, Value>,
    key: &str,
) -> Result<&'a mut Map<String, Value>, CoreError> {
    let slot = fields.entry(key).or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    slot.as_object_mut().ok_or_else(|| invalid(key, "expected an object"))
}

/// The array at `key`, created (or replacing a non-array) when needed. Always `Ok`.
fn array_at<'a>(
    fields: &'a mut Map<String, Value>,
    key: &str,
) -> Result<&'a mut Vec<Value>, CoreError> {
    let slot = fields.entry(key).or_insert_with(|| Value::Array(Vec::new()));
    if !slot.is_array() {
        *slot = Value::Array(Vec::new());
    }
    slot.as_array_mut().ok_or_else(|| invalid(key, "expected an array"))
}

fn alterations<'a>(
    items: &'a mut [Item],
    item: &str,
    price: usize,
) -> Result<&'a mut Vec<Value>, CoreError> {
    let it = find_mut(items, item)?;
    let prices = it.fields.get_mut("itemPrice").and_then(Value::as_array_mut);
    let len = prices.as_ref().map_or(0, |p| p.len());
    let entry = prices
        .and_then(|p| p.get_mut(price))
        .and_then(Value::as_object_mut)
        .ok_or(CoreError::OutOfRange { what: "item price", index: price, len })?;
    array_at(entry, "priceAlteration")
}

/// An alteration must be an object with a `price` holding a percentage in 0..=100 or a
/// non-negative amount, and an `applicationDuration` >= 1 when given.
fn check_alteration(alt: &Value) -> Result<(), CoreError> {
    let price = alt.get("price").ok_or_else(|| invalid("alteration", "needs a price"))?;
    let alt_price =
        crate::pricing::parse_price(price).map_err(|m| invalid("alteration.price", &m))?;
    if let Some(p) = alt_price.percentage {
        if p.is_sign_negative() || p > rust_decimal::Decimal::ONE_HUNDRED {
            return Err(invalid("alteration.price.percentage", "must be between 0 and 100"));
        }
    }
    for m in [&alt_price.duty_free, &alt_price.tax_included].into_iter().flatten() {
        if m.value.is_sign_negative() && !m.value.is_zero() {
            return Err(invalid("alteration.price", "amounts must not be negative"));
        }
    }
    if let Some(d) = alt.get("applicationDuration") {
        if crate::catalog::uint(d).is_none_or(|d| d < 1) {
            return Err(invalid("alteration.applicationDuration", "must be a whole number >= 1"));
        }
    }
    Ok(())
}

pub(crate) fn find_mut<'a>(items: &'a mut [Item], id: &str) -> Result<&'a mut Item, CoreError> {
    fn go<'a>(items: &'a mut [Item], id: &str) -> Option<&'a mut Item> {
        for item in items {
            if item.id == id {
                return Some(item);
            }
            if let Some(found) = go(&mut item.children, id) {
                return Some(found);
            }
        }
        None
    }
    go(items, id).ok_or_else(|| CoreError::UnknownItem(id.into()))
}

fn take(items: &mut Vec<Item>, id: &str) -> Result<Item, CoreError> {
    fn go(items: &mut Vec<Item>, id: &str) -> Option<Item> {
        if let Some(pos) = items.iter().position(|i| i.id == id) {
            return Some(items.remove(pos));
        }
        items.iter_mut().find_map(|i| go(&mut i.children, id))
    }
    go(items, id).ok_or_else(|| CoreError::UnknownItem(id.into()))
}

fn contains(item: &Item, id: &str) -> bool {
    item.id == id || item.children.iter().any(|c| contains(c, id))
}

fn collect_ids(item: &Item, out: &mut HashSet<String>) {
    out.insert(item.id.clone());
    for c in &item.children {
        collect_ids(c, out);
    }
}

fn drop_relationships_to(items: &mut [Item], gone: &HashSet<String>) {
    for item in items {
        item.relationships.retain(|r| !gone.contains(&r.target));
        drop_relationships_to(&mut item.children, gone);
    }
}

/// New item ids: the next free integer, as a string, so ids stay short and deterministic.
pub(crate) struct IdGen {
    next: u64,
}

impl IdGen {
    pub(crate) fn new(order: &Order) -> Self {
        let mut max = 0u64;
        order.walk(|item, _, _| {
            if let Ok(n) = item.id.parse::<u64>() {
                max = max.max(n);
            }
        });
        Self { next: max.saturating_add(1) }
    }

    pub(crate) fn next(&mut self) -> String {
        let id = self.next.to_string();
        self.next = self.next.saturating_add(1);
        id
    }
}

/// A quantity an operation may set: at least 1, at most [`crate::limits::MAX_QUANTITY`].
fn check_quantity(quantity: u64) -> Result<(), CoreError> {
    if quantity == 0 {
        return Err(invalid("quantity", "must be at least 1"));
    }
    if quantity > crate::limits::MAX_QUANTITY {
        return Err(CoreError::Limit {
            code: crate::codes::LIMIT_QUANTITY,
            path: String::new(),
            message: format!(
                "a quantity of {quantity} is more than {} for one item",
                crate::limits::MAX_QUANTITY
            ),
        });
    }
    Ok(())
}

/// What an offering's expansion may still use: items left in the order, levels of nesting.
pub(crate) struct Budget {
    pub(crate) items: usize,
    pub(crate) depth: usize,
}

pub(crate) fn offering_item(
    offering_id: &str,
    quantity: u64,
    catalog: Option<&Catalog>,
    ids: &mut IdGen,
    visiting: &mut HashSet<String>,
    budget: &mut Budget,
) -> Result<Item, CoreError> {
    if budget.items == 0 {
        return Err(CoreError::Limit {
            code: crate::codes::LIMIT_ITEMS,
            path: String::new(),
            message: format!(
                "offering {offering_id:?} brings more items than the order has room for \
                 (at most {} items in one order)",
                crate::limits::MAX_ITEMS
            ),
        });
    }
    if budget.depth == 0 {
        return Err(CoreError::Limit {
            code: crate::codes::LIMIT_DEPTH,
            path: String::new(),
            message: format!(
                "offering {offering_id:?} nests bundles deeper than {} levels",
                crate::limits::MAX_BUNDLE_DEPTH
            ),
        });
    }
    budget.items = budget.items.saturating_sub(1);
    let mut offering_ref = Map::new();
    offering_ref.insert("id".into(), json!(offering_id));
    let mut fields = Map::new();
    fields.insert("quantity".into(), json!(quantity));
    fields.insert("action".into(), json!("add"));
    let mut item = Item::new(ids.next(), Map::new());
    let Some(catalog) = catalog else {
        fields.insert("productOffering".into(), Value::Object(offering_ref));
        item.fields = fields;
        return Ok(item);
    };
    let offering = catalog
        .offering(offering_id)
        .ok_or_else(|| CoreError::UnknownOffering(offering_id.into()))?;
    if !visiting.insert(offering_id.to_string()) {
        return Err(CoreError::CatalogCycle(offering_id.into()));
    }
    if let Some(name) = &offering.name {
        offering_ref.insert("name".into(), json!(name));
    }
    fields.insert("productOffering".into(), Value::Object(offering_ref));
    if let Some(spec) = &offering.specification_id {
        fields.insert("product".into(), json!({ "productSpecification": { "id": spec } }));
    }
    item.fields = fields;
    for bundled in &offering.bundled {
        let lower = bundled.lower.unwrap_or(0);
        let mut count = bundled.default.unwrap_or(lower).max(lower);
        if let Some(upper) = bundled.upper {
            count = count.min(upper.max(lower));
        }
        // Each child costs at least one item of the budget, so a lower limit of millions
        // stops at the budget, not after allocating millions.
        budget.depth = budget.depth.saturating_sub(1);
        for _ in 0..count {
            let child = offering_item(&bundled.id, 1, Some(catalog), ids, visiting, budget)?;
            item.children.push(child);
        }
        budget.depth = budget.depth.saturating_add(1);
    }
    visiting.remove(offering_id);
    Ok(item)
}
