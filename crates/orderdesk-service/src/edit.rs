//! The edits the UI asks for, and how each becomes a core [`Op`].
//!
//! The UI never sends TMF JSON: it sends typed values (text, numbers as text, ISO dates), and
//! this module checks them; the JSON in the shape the order's TMF version expects comes from
//! `orderdesk-wire` (parties, references, channels, notes). Everything the
//! core models is done by [`orderdesk_core::apply`]; only `priority`, `description` and
//! `externalId`, which are plain order fields the core has no operation for, are set here.

use chrono::{DateTime, Utc};
use orderdesk_core::catalog::OfferingPrice;
use orderdesk_core::{Action, Catalog, Item, Op, Order};
use orderdesk_store::Version;
use orderdesk_wire::parties::{self, customer_party, is_customer_entry, sales_channel};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::str::FromStr;

use crate::error::{invalid, Result};

/// One change of a draft, as the UI sends it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "op", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Edit {
    AddOffering {
        offering_id: String,
        parent: Option<String>,
        quantity: Option<u32>,
    },
    RemoveItem {
        item: String,
    },
    MoveItem {
        item: String,
        parent: Option<String>,
        index: Option<u32>,
    },
    SetQuantity {
        item: String,
        quantity: u32,
    },
    /// `add`, `modify`, `delete` or `noChange`.
    SetAction {
        item: String,
        action: String,
        product_id: Option<String>,
    },
    /// `value` as typed; converted to the specification's value type.
    SetCharacteristic {
        item: String,
        name: String,
        value: String,
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
    AddAlteration {
        item: String,
        price: u32,
        alteration: AlterationInput,
    },
    EditAlteration {
        item: String,
        price: u32,
        index: u32,
        alteration: AlterationInput,
    },
    RemoveAlteration {
        item: String,
        price: u32,
        index: u32,
    },
    /// `None` clears the customer.
    SetCustomer {
        customer: Option<RefInput>,
    },
    SetBillingAccount {
        account: Option<RefInput>,
    },
    SetChannel {
        channel: Option<RefInput>,
    },
    SetNotes {
        notes: Vec<String>,
    },
    /// ISO dates (`YYYY-MM-DD`) or RFC 3339 timestamps; empty clears.
    SetRequestedDates {
        start: Option<String>,
        completion: Option<String>,
    },
    SetPriority {
        priority: Option<String>,
    },
    SetDescription {
        description: Option<String>,
    },
    /// Write the offering's catalog prices (with the catalog's alterations) into the item's
    /// `itemPrice`, so the agent can alter them. Refused if that would change any figure.
    PriceFromCatalog {
        item: String,
    },
}

/// An id and a display name typed by the agent.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RefInput {
    pub id: String,
    pub name: String,
}

/// A price alteration as the editor fills it in.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AlterationInput {
    pub name: String,
    /// `percentage` or `amount`.
    pub kind: String,
    /// Decimal text: a percentage (0–100) or an amount in the price's currency.
    pub value: String,
    /// Currency of an amount.
    pub currency: Option<String>,
    /// In periods; `None` for the whole term.
    pub duration: Option<u32>,
    /// `discount` (default) or `allowance`...
    pub price_type: Option<String>,
    pub reason: Option<String>,
}

impl Edit {
    /// A short description for the revision history.
    pub fn describe(&self) -> String {
        match self {
            Edit::AddOffering { offering_id, .. } => format!("add offering {offering_id}"),
            Edit::RemoveItem { item } => format!("remove item {item}"),
            Edit::MoveItem { item, .. } => format!("move item {item}"),
            Edit::SetQuantity { item, quantity } => format!("item {item}: quantity {quantity}"),
            Edit::SetAction { item, action, .. } => format!("item {item}: action {action}"),
            Edit::SetCharacteristic { item, name, value } => {
                format!("item {item}: {name} = {value}")
            }
            Edit::ClearCharacteristic { item, name } => format!("item {item}: clear {name}"),
            Edit::AddRelationship { item, target, kind } => {
                format!("item {item}: {kind} {target}")
            }
            Edit::RemoveRelationship { item, target, kind } => {
                format!("item {item}: remove {kind} {target}")
            }
            Edit::AddAlteration { item, alteration, .. } => {
                format!("item {item}: add {}", alteration.name)
            }
            Edit::EditAlteration { item, alteration, .. } => {
                format!("item {item}: edit {}", alteration.name)
            }
            Edit::RemoveAlteration { item, .. } => format!("item {item}: remove price alteration"),
            Edit::SetCustomer { .. } => "customer".into(),
            Edit::SetBillingAccount { .. } => "billing account".into(),
            Edit::SetChannel { .. } => "channel".into(),
            Edit::SetNotes { .. } => "notes".into(),
            Edit::SetRequestedDates { .. } => "requested dates".into(),
            Edit::SetPriority { .. } => "priority".into(),
            Edit::SetDescription { .. } => "description".into(),
            Edit::PriceFromCatalog { item } => format!("item {item}: prices from the catalog"),
        }
    }
}

/// Apply one edit to an order.
pub fn apply_edit(
    order: &Order,
    edit: &Edit,
    version: Version,
    catalog: Option<&Catalog>,
) -> Result<Order> {
    let op = match edit {
        Edit::SetPriority { priority } => {
            return set_field(order, "priority", text_value(priority.as_deref()))
        }
        Edit::SetDescription { description } => {
            return set_field(order, "description", text_value(description.as_deref()))
        }
        Edit::PriceFromCatalog { item } => return price_from_catalog(order, item, catalog),
        Edit::SetCustomer { customer: None } => {
            let mut next = order.clone();
            if let Some(Value::Array(parties)) = next.fields.get_mut("relatedParty") {
                parties.retain(|p| !is_customer_entry(p));
                if parties.is_empty() {
                    next.fields.shift_remove("relatedParty");
                }
            }
            return Ok(next);
        }
        other => to_op(other, order, version, catalog)?,
    };
    Ok(orderdesk_core::apply(order, &op, catalog)?)
}

fn text_value(text: Option<&str>) -> Option<Value> {
    text.map(str::trim).filter(|t| !t.is_empty()).map(|t| Value::String(t.to_owned()))
}

fn set_field(order: &Order, key: &str, value: Option<Value>) -> Result<Order> {
    let mut next = order.clone();
    match value {
        Some(v) => {
            next.fields.insert(key.into(), v);
        }
        None => {
            next.fields.shift_remove(key);
        }
    }
    Ok(next)
}

/// What the customer an agent types in is referred to as (TMF's `@referredType`).
const CUSTOMER_TYPE: &str = "Individual";

fn reference(input: &RefInput, what: &str) -> Result<(String, String)> {
    let id = input.id.trim();
    if id.is_empty() {
        return Err(invalid(format!("the {what} needs an id")));
    }
    Ok((id.to_owned(), input.name.trim().to_owned()))
}

fn to_op(edit: &Edit, order: &Order, version: Version, catalog: Option<&Catalog>) -> Result<Op> {
    Ok(match edit {
        Edit::AddOffering { offering_id, parent, quantity } => Op::AddOffering {
            offering_id: offering_id.clone(),
            parent: parent.clone(),
            quantity: quantity.map(u64::from),
        },
        Edit::RemoveItem { item } => Op::RemoveItem { item: item.clone() },
        Edit::MoveItem { item, parent, index } => Op::MoveItem {
            item: item.clone(),
            parent: parent.clone(),
            index: index.map(|i| i as usize),
        },
        Edit::SetQuantity { item, quantity } => {
            Op::SetQuantity { item: item.clone(), quantity: u64::from(*quantity) }
        }
        Edit::SetAction { item, action, product_id } => Op::SetAction {
            item: item.clone(),
            action: parse_action(action)?,
            product_id: product_id.clone().filter(|p| !p.trim().is_empty()),
        },
        Edit::SetCharacteristic { item, name, value } => {
            let value_type = characteristic_type(order, item, name, catalog);
            let value = characteristic_value(value, value_type.as_deref(), name)?;
            Op::SetCharacteristic { item: item.clone(), name: name.clone(), value, value_type }
        }
        Edit::ClearCharacteristic { item, name } => {
            Op::ClearCharacteristic { item: item.clone(), name: name.clone() }
        }
        Edit::AddRelationship { item, target, kind } => {
            Op::AddRelationship { item: item.clone(), target: target.clone(), kind: kind.clone() }
        }
        Edit::RemoveRelationship { item, target, kind } => Op::RemoveRelationship {
            item: item.clone(),
            target: target.clone(),
            kind: kind.clone(),
        },
        Edit::AddAlteration { item, price, alteration } => Op::AddPriceAlteration {
            item: item.clone(),
            price: *price as usize,
            alteration: alteration_json(alteration)?,
        },
        Edit::EditAlteration { item, price, index, alteration } => Op::EditPriceAlteration {
            item: item.clone(),
            price: *price as usize,
            index: *index as usize,
            alteration: alteration_json(alteration)?,
        },
        Edit::RemoveAlteration { item, price, index } => Op::RemovePriceAlteration {
            item: item.clone(),
            price: *price as usize,
            index: *index as usize,
        },
        Edit::SetCustomer { customer: Some(c) } => {
            let (id, name) = reference(c, "customer")?;
            Op::SetCustomer { party: customer_party(version, &id, &name, CUSTOMER_TYPE) }
        }
        Edit::SetBillingAccount { account } => {
            let account = match account {
                None => None,
                Some(a) => {
                    let (id, name) = reference(a, "billing account")?;
                    Some(parties::reference(version, "BillingAccountRef", &id, &name))
                }
            };
            Op::SetBillingAccount { account }
        }
        Edit::SetChannel { channel } => {
            let channel = match channel {
                None => None,
                Some(c) => {
                    let (id, name) = reference(c, "channel")?;
                    Some(sales_channel(version, &id, &name))
                }
            };
            Op::SetChannel { channel }
        }
        Edit::SetNotes { notes } => Op::SetNotes {
            notes: notes
                .iter()
                .map(|n| n.trim())
                .filter(|n| !n.is_empty())
                .map(|text| parties::note(version, text))
                .collect(),
        },
        Edit::SetRequestedDates { start, completion } => Op::SetRequestedDates {
            start: parse_date(start.as_deref(), "requested start date")?,
            completion: parse_date(completion.as_deref(), "requested completion date")?,
        },
        Edit::SetPriority { .. }
        | Edit::SetDescription { .. }
        | Edit::SetCustomer { .. }
        | Edit::PriceFromCatalog { .. } => {
            return Err(invalid("this edit is not a core operation"))
        }
    })
}

fn find_item_mut<'a>(items: &'a mut [Item], id: &str) -> Option<&'a mut Item> {
    for item in items {
        if item.id == id {
            return Some(item);
        }
        if let Some(found) = find_item_mut(&mut item.children, id) {
            return Some(found);
        }
    }
    None
}

/// Whether a catalog price is charged once (the pricing engine's reading of
/// `priceType` and `recurringChargePeriodType`).
fn is_one_time(price_type: Option<&str>, period: Option<&str>) -> bool {
    let t = price_type.unwrap_or_default().to_ascii_lowercase();
    let one_time = t.contains("one") || t.contains("nonrecurring") || t.contains("non-recurring");
    let recurring_period = period.is_some_and(|p| !p.trim().is_empty()) && !one_time;
    !(recurring_period || t == "recurring")
}

fn decimal_json(d: Decimal) -> Value {
    serde_json::from_str(&d.to_string()).unwrap_or(Value::Null)
}

fn catalog_alteration(a: &OfferingPrice, currency: &str) -> Value {
    let mut price = Map::new();
    match (a.percentage, a.amount) {
        (Some(p), _) => {
            price.insert("percentage".into(), decimal_json(p));
        }
        (None, amount) => {
            let unit = a.currency.as_deref().unwrap_or(currency);
            price.insert(
                "dutyFreeAmount".into(),
                json!({"unit": unit, "value": decimal_json(amount.unwrap_or_default())}),
            );
            if let Some(rate) = a.tax_rate {
                price.insert("taxRate".into(), decimal_json(rate));
            }
        }
    }
    let mut alt = Map::new();
    alt.insert("name".into(), json!(a.name.clone().unwrap_or_else(|| a.id.clone())));
    alt.insert("priceType".into(), json!(a.price_type.as_deref().unwrap_or("discount")));
    if let Some(priority) = a.priority {
        alt.insert("priority".into(), json!(priority));
    }
    if let Some(d) = a.duration.filter(|d| *d >= 1) {
        alt.insert("applicationDuration".into(), json!(d));
    }
    alt.insert("price".into(), Value::Object(price));
    alt.insert("productOfferingPrice".into(), json!({ "id": a.id }));
    Value::Object(alt)
}

/// The item's catalog prices as TMF `OrderPrice` entries, checked to price exactly as before.
fn price_from_catalog(order: &Order, item: &str, catalog: Option<&Catalog>) -> Result<Order> {
    let catalog = catalog.ok_or_else(|| invalid("no catalog is cached"))?;
    let mut next = order.clone();
    let it = find_item_mut(&mut next.items, item)
        .ok_or_else(|| orderdesk_core::CoreError::UnknownItem(item.to_owned()))?;
    if it.fields.get("itemPrice").and_then(Value::as_array).is_some_and(|p| !p.is_empty()) {
        return Err(invalid("this item already has its own prices"));
    }
    let offering_id = it.offering_id().ok_or_else(|| invalid("the item names no offering"))?;
    let offering = catalog
        .offering(offering_id)
        .ok_or_else(|| orderdesk_core::CoreError::UnknownOffering(offering_id.to_owned()))?;
    let prices = crate::catalog::expand_prices(catalog, &offering.price_ids);
    let alterations: Vec<&OfferingPrice> =
        prices.iter().copied().filter(|p| p.is_alteration()).collect();
    let mut entries = Vec::new();
    for base in prices.iter().filter(|p| !p.is_alteration()) {
        let Some(amount) = base.amount else { continue };
        let currency = base.currency.clone().unwrap_or_default();
        let base_once = is_one_time(base.price_type.as_deref(), base.period.as_deref());
        let alts: Vec<Value> = alterations
            .iter()
            .filter(|a| {
                if a.applies_to.is_empty() {
                    let period = a.period.as_deref().or(base.period.as_deref());
                    is_one_time(a.price_type.as_deref(), period) == base_once
                } else {
                    a.applies_to.contains(&base.id)
                }
            })
            .filter(|a| a.currency.as_ref().is_none_or(|c| *c == currency))
            .map(|a| catalog_alteration(a, &currency))
            .collect();
        let mut price = Map::new();
        price.insert(
            "dutyFreeAmount".into(),
            json!({"unit": currency, "value": decimal_json(amount)}),
        );
        if let Some(rate) = base.tax_rate {
            price.insert("taxRate".into(), decimal_json(rate));
        }
        let mut entry = Map::new();
        entry.insert("name".into(), json!(base.name.clone().unwrap_or_else(|| base.id.clone())));
        entry.insert("priceType".into(), json!(base.price_type.as_deref().unwrap_or("oneTime")));
        if let Some(period) = &base.period {
            entry.insert("recurringChargePeriod".into(), json!(period));
        }
        entry.insert("price".into(), Value::Object(price));
        if !alts.is_empty() {
            entry.insert("priceAlteration".into(), Value::Array(alts));
        }
        entry.insert("productOfferingPrice".into(), json!({ "id": base.id }));
        entries.push(Value::Object(entry));
    }
    if entries.is_empty() {
        return Err(invalid("the offering has no catalog price to take over"));
    }
    it.fields.insert("itemPrice".into(), Value::Array(entries));
    // The agreed price must start out as exactly the catalog price: never change a figure
    // behind the agent's back.
    let options = orderdesk_core::PricingOptions::default();
    let before = orderdesk_core::price(order, Some(catalog), options);
    let after = orderdesk_core::price(&next, Some(catalog), options);
    if before.currencies != after.currencies {
        return Err(invalid(
            "the catalog price of this item cannot be written as an item price without changing the total",
        ));
    }
    Ok(next)
}

fn parse_action(text: &str) -> Result<Action> {
    match text {
        "add" => Ok(Action::Add),
        "modify" => Ok(Action::Modify),
        "delete" => Ok(Action::Delete),
        "noChange" => Ok(Action::NoChange),
        other => Err(invalid(format!(
            "unknown action {other:?} (expected add, modify, delete or noChange)"
        ))),
    }
}

/// A date typed as `YYYY-MM-DD` (midnight UTC) or a full RFC 3339 timestamp
/// (`orderdesk_wire::parse_date_input`, the one date reader).
pub fn parse_date(text: Option<&str>, what: &str) -> Result<Option<DateTime<Utc>>> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    orderdesk_wire::parse_date_input(text)
        .map(|d| Some(d.at))
        .ok_or_else(|| invalid(format!("the {what} {text:?} is not a date (YYYY-MM-DD)")))
}

fn characteristic_type(
    order: &Order,
    item: &str,
    name: &str,
    catalog: Option<&Catalog>,
) -> Option<String> {
    let mut found = None;
    order.walk(|it, _, _| {
        if it.id == item {
            found = Some(it);
        }
    });
    let it = found?;
    let from_spec = catalog.and_then(|c| {
        let spec_id = it
            .specification_id()
            .map(str::to_owned)
            .or_else(|| c.offering(it.offering_id()?)?.specification_id.clone())?;
        let spec = c.specifications.get(&spec_id)?;
        spec.characteristics.iter().find(|ch| ch.name == name)?.value_type.clone()
    });
    from_spec.or_else(|| {
        it.characteristics()
            .iter()
            .find(|c| c.get("name").and_then(Value::as_str) == Some(name))
            .and_then(|c| c.get("valueType"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    })
}

/// Typed decimal text (`what` prefixes the message): a number, or why not. Digits beyond
/// what a decimal holds are said to be too large, not "not a number".
fn decimal_input(text: &str, what: &str) -> Result<Decimal> {
    Decimal::from_str(text).map_err(|_| {
        let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
        let plain = digits.chars().any(|c| c.is_ascii_digit())
            && digits.chars().all(|c| c.is_ascii_digit() || c == '.');
        if plain {
            invalid(format!(
                "{what}{text:?} is beyond the largest number Orderdesk handles ({})",
                Decimal::MAX
            ))
        } else {
            invalid(format!("{what}{text:?} is not a number"))
        }
    })
}

/// Typed text to the JSON value its type calls for. Numbers keep their exact text.
fn characteristic_value(text: &str, value_type: Option<&str>, name: &str) -> Result<Value> {
    let trimmed = text.trim();
    match value_type.map(str::to_ascii_lowercase).as_deref() {
        Some("number" | "decimal" | "float" | "integer" | "int") => {
            let number = decimal_input(trimmed, &format!("{name}: "))?;
            if matches!(value_type, Some("integer" | "int")) && !number.fract().is_zero() {
                return Err(invalid(format!("{name}: {trimmed:?} is not a whole number")));
            }
            serde_json::from_str(&number.normalize().to_string())
                .map_err(|_| invalid(format!("{name}: {trimmed:?} is not a number")))
        }
        Some("boolean" | "bool") => match trimmed.to_ascii_lowercase().as_str() {
            "true" | "yes" => Ok(Value::Bool(true)),
            "false" | "no" => Ok(Value::Bool(false)),
            _ => Err(invalid(format!("{name}: {trimmed:?} is not true or false"))),
        },
        _ => Ok(Value::String(text.to_owned())),
    }
}

fn alteration_json(input: &AlterationInput) -> Result<Value> {
    let name = input.name.trim();
    if name.is_empty() {
        return Err(invalid("a price alteration needs a name"));
    }
    let value = decimal_input(input.value.trim(), "")?;
    let number: Value = serde_json::from_str(&value.to_string())
        .map_err(|_| invalid(format!("{:?} is not a number", input.value)))?;
    let price = match input.kind.as_str() {
        "percentage" => json!({ "percentage": number }),
        "amount" => {
            let currency = input.currency.as_deref().map(str::trim).filter(|c| !c.is_empty());
            let Some(currency) = currency else {
                return Err(invalid("an amount alteration needs a currency"));
            };
            json!({ "dutyFreeAmount": { "unit": currency, "value": number } })
        }
        other => {
            return Err(invalid(format!(
                "unknown alteration kind {other:?} (percentage or amount)"
            )))
        }
    };
    let mut obj = Map::new();
    obj.insert("name".into(), json!(name));
    obj.insert("priceType".into(), json!(input.price_type.as_deref().unwrap_or("discount")));
    if let Some(d) = input.duration {
        if d == 0 {
            return Err(invalid("the duration must be at least one period"));
        }
        obj.insert("applicationDuration".into(), json!(d));
    }
    obj.insert("price".into(), price);
    if let Some(reason) = input.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        obj.insert("description".into(), json!(reason));
    }
    Ok(Value::Object(obj))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_accept_days_and_timestamps() {
        let day = parse_date(Some("2026-03-01"), "d").ok().flatten();
        assert_eq!(day.map(|d| d.to_rfc3339()), Some("2026-03-01T00:00:00+00:00".into()));
        assert!(parse_date(Some(""), "d").is_ok_and(|d| d.is_none()));
        assert!(parse_date(Some("1 March"), "d").is_err());
    }

    #[test]
    fn numbers_beyond_a_decimal_are_called_too_large() {
        let huge = format!("1{}", "0".repeat(30));
        let err = decimal_input(&huge, "amount: ").err().map(|e| e.to_string());
        assert!(
            err.as_deref().is_some_and(|m| m.contains("is beyond the largest number")
                && m.contains("79228162514264337593543950335")),
            "{err:?}"
        );
        let err = decimal_input("ten", "").err().map(|e| e.to_string());
        assert!(err.as_deref().is_some_and(|m| m.contains("is not a number")), "{err:?}");
        assert_eq!(decimal_input("-12.5", "").ok(), Decimal::from_str("-12.5").ok());
    }

    #[test]
    fn characteristic_values_follow_the_type() {
        assert_eq!(characteristic_value("12.50", Some("number"), "n").ok(), Some(json!(12.5)));
        assert!(characteristic_value("1.5", Some("integer"), "n").is_err());
        assert!(characteristic_value("abc", Some("number"), "n").is_err());
        assert_eq!(characteristic_value("yes", Some("boolean"), "b").ok(), Some(json!(true)));
        assert_eq!(characteristic_value(" x ", None, "s").ok(), Some(json!(" x ")));
    }

    #[test]
    fn alterations_are_checked() {
        let mut input = AlterationInput {
            name: "Welcome".into(),
            kind: "percentage".into(),
            value: "10".into(),
            currency: None,
            duration: Some(3),
            price_type: None,
            reason: Some("new customer".into()),
        };
        let json = alteration_json(&input).ok();
        assert_eq!(json.as_ref().and_then(|j| j.get("applicationDuration")), Some(&json!(3)));
        input.kind = "amount".into();
        assert!(alteration_json(&input).is_err(), "amount without currency");
        input.currency = Some("EUR".into());
        assert!(alteration_json(&input).is_ok());
        input.value = "ten".into();
        assert!(alteration_json(&input).is_err());
    }
}
