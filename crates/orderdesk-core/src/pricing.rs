//! The pricing engine: list prices, alterations, tax, rounding, totals and a payment schedule.
//!
//! Rules (the UI and the server must agree on them to the cent):
//! - A line is one `itemPrice` entry of an item, or — when the item has no `itemPrice` — one
//!   list price of its catalog offering (`productOfferingPrice`, bundled prices expanded), with
//!   the catalog's discounts/allowances attached as alterations.
//! - Items with action `delete` or `noChange` are not charged. Each item's own quantity
//!   multiplies its own lines (a bundle's quantity does not multiply its children's).
//! - Two tracks are computed side by side: duty-free and tax-included. When a price gives only
//!   one of them, the other is derived with `taxRate` (a percentage: 20 means 20 %); without
//!   a `taxRate` the rate is taken as 0.
//! - Alterations run on the **unit** price in `priority` order (lowest first, unspecified
//!   last, ties in document order), each on the result of the previous: a percentage takes
//!   that share off, an amount is subtracted; the result never goes below zero. An alteration
//!   with `applicationDuration` d applies to periods 1..=d only; a one-time alteration on a
//!   recurring price applies to period 1 only.
//! - Then the quantity multiplies, then the amount is **rounded per line and period** to the
//!   currency's minor units (half-up by default, half-even on request). All totals are sums of
//!   rounded line amounts, so a total always equals the sum of the lines shown.
//! - Currencies are never added together: every figure exists per currency.
//! - Schedule: periods 1..N in the finest recurring period unit of the currency (coarser units
//!   fall on their own boundaries, e.g. a yearly charge in months 1, 13, ...). Days and weeks
//!   do not divide months: when both kinds are charged, the schedule is by the finest
//!   month-based unit and each day or week charge is spread over it by the year (52 weeks,
//!   365 days: a weekly charge is 52/12 of itself per month), rounded per period, with a
//!   `price.period_mixed` warning that says so. One-time charges are due in period 1. N is the
//!   longest item term expressed in that unit, else 12, unless the caller asks for a number
//!   of periods; at most [`crate::limits::MAX_PERIODS`].

use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
use serde_json::{json, Map, Value};
use std::collections::{BTreeSet, HashSet};

use crate::catalog::{decimal, uint, Catalog, OfferingPrice};
use crate::finding::Finding;
use crate::model::{Item, Order};
use crate::money::{self, Rounding};

/// Caller's choices.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PricingOptions {
    pub rounding: Rounding,
    /// Length of the schedule; `None` derives it from the item terms.
    pub periods: Option<u32>,
}

/// A TMF `Money`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money {
    pub value: Decimal,
    pub unit: Option<String>,
}

/// A TMF `Price` as the engine reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PriceValue {
    pub duty_free: Option<Money>,
    pub tax_included: Option<Money>,
    pub tax_rate: Option<Decimal>,
    pub percentage: Option<Decimal>,
}

fn parse_money(v: &Value, field: &str) -> Result<Money, String> {
    let value = v
        .get("value")
        .and_then(decimal)
        .ok_or_else(|| format!("{field}.value is missing or not a number"))?;
    Ok(Money { value, unit: v.get("unit").and_then(Value::as_str).map(str::to_string) })
}

/// Read a TMF `Price` object.
pub fn parse_price(v: &Value) -> Result<PriceValue, String> {
    if !v.is_object() {
        return Err("price must be an object".into());
    }
    let num = |k: &str| -> Result<Option<Decimal>, String> {
        match v.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(x) => decimal(x).map(Some).ok_or_else(|| format!("{k} is not a number")),
        }
    };
    Ok(PriceValue {
        duty_free: v.get("dutyFreeAmount").map(|m| parse_money(m, "dutyFreeAmount")).transpose()?,
        tax_included: v
            .get("taxIncludedAmount")
            .map(|m| parse_money(m, "taxIncludedAmount"))
            .transpose()?,
        tax_rate: num("taxRate")?,
        percentage: num("percentage")?,
    })
}

/// Canonical period unit: `Monthly`, `months`, `month` -> `month`.
pub fn normalize_period(p: &str) -> String {
    let p = p.trim().to_ascii_lowercase();
    match p.as_str() {
        "day" | "days" | "daily" => "day".into(),
        "week" | "weeks" | "weekly" => "week".into(),
        "month" | "months" | "monthly" => "month".into(),
        "quarter" | "quarters" | "quarterly" => "quarter".into(),
        "year" | "years" | "yearly" | "annual" | "annually" => "year".into(),
        _ => p,
    }
}

/// How many `base` periods one `unit` period spans, when that is a whole number.
fn ratio(base: &str, unit: &str) -> Option<u32> {
    let months = |u: &str| match u {
        "month" => Some(1u32),
        "quarter" => Some(3),
        "year" => Some(12),
        _ => None,
    };
    let days = |u: &str| match u {
        "day" => Some(1u32),
        "week" => Some(7),
        _ => None,
    };
    for scale in [months, days] {
        if let (Some(b), Some(u)) = (scale(base), scale(unit)) {
            return u.checked_rem(b).filter(|r| *r == 0).and_then(|_| u.checked_div(b));
        }
    }
    (base == unit).then_some(1)
}

/// How many periods of `unit` a year has, for the units pricing knows (a year of 52 weeks
/// and 365 days, as tariffs count them).
fn per_year(unit: &str) -> Option<u32> {
    Some(match unit {
        "day" => 365,
        "week" => 52,
        "month" => 12,
        "quarter" => 4,
        "year" => 1,
        _ => return None,
    })
}

/// Fineness order used to pick the schedule unit.
fn fineness(unit: &str) -> u32 {
    match unit {
        "day" => 0,
        "week" => 1,
        "month" => 2,
        "quarter" => 3,
        "year" => 4,
        _ => 5,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Charge {
    OneTime,
    Recurring(String),
}

fn charge_of(price_type: Option<&str>, period: Option<&str>) -> Charge {
    let t = price_type.unwrap_or_default().to_ascii_lowercase();
    let one_time = t.contains("one") || t.contains("nonrecurring") || t.contains("non-recurring");
    match period {
        Some(p) if !one_time && !p.trim().is_empty() => Charge::Recurring(normalize_period(p)),
        _ if t == "recurring" => Charge::Recurring("month".into()),
        _ => Charge::OneTime,
    }
}

#[derive(Debug, Clone)]
enum AltKind {
    Percent(Decimal),
    Amount { df: Decimal, ti: Decimal },
}

#[derive(Debug, Clone)]
struct Alt {
    name: String,
    priority: Option<i64>,
    duration: Option<u32>,
    recurring: bool,
    kind: AltKind,
}

#[derive(Debug, Clone)]
struct Line {
    item: usize,
    name: String,
    price_type: String,
    charge: Charge,
    currency: String,
    /// JSON pointer of the price (or of the offering, for catalog prices).
    path: String,
    df: Decimal,
    ti: Decimal,
    quantity: Decimal,
    alts: Vec<Alt>,
}

/// One step of a price explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    pub step: String,
    #[serde(serialize_with = "dec_str")]
    pub duty_free: Decimal,
    #[serde(serialize_with = "dec_str")]
    pub tax_included: Decimal,
}

/// The amounts of a line over a run of periods.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Segment {
    /// First period (1-based) of the run.
    pub from: u32,
    /// Last period, `None` for "and every period after".
    pub to: Option<u32>,
    pub steps: Vec<Step>,
    /// Amount due per period in this run, rounded.
    #[serde(serialize_with = "dec_str")]
    pub duty_free: Decimal,
    #[serde(serialize_with = "dec_str")]
    pub tax_included: Decimal,
}

/// How one price line of an item was computed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    pub price: String,
    pub price_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recurring_charge_period: Option<String>,
    pub currency: String,
    #[serde(serialize_with = "dec_str")]
    pub quantity: Decimal,
    /// `order` (from the order's `itemPrice`) or `catalog`.
    pub source: String,
    pub segments: Vec<Segment>,
}

/// Pricing of one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemQuote {
    pub id: String,
    /// TMF `OrderPrice` entries, one per (priceType, period, currency).
    pub item_total_price: Vec<TotalPrice>,
    pub explanation: Vec<Explanation>,
}

/// A duty-free / tax-included pair.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Amounts {
    #[serde(serialize_with = "dec_str")]
    pub duty_free: Decimal,
    #[serde(serialize_with = "dec_str")]
    pub tax_included: Decimal,
}

impl Amounts {
    fn add(&mut self, df: Decimal, ti: Decimal) {
        // Saturating: absurd inputs give absurd figures, never a panic.
        self.duty_free = self.duty_free.saturating_add(df);
        self.tax_included = self.tax_included.saturating_add(ti);
    }
}

/// Recurring charge per period unit (once all time-limited alterations have ended).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Recurring {
    pub period: String,
    #[serde(flatten)]
    pub amounts: Amounts,
}

/// What is due in one period of the schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleEntry {
    pub index: u32,
    #[serde(flatten)]
    pub amounts: Amounts,
}

/// Sum of the schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Total {
    pub periods: u32,
    #[serde(flatten)]
    pub amounts: Amounts,
}

/// Every figure of one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CurrencyQuote {
    pub currency: String,
    pub one_time: Amounts,
    pub recurring: Vec<Recurring>,
    /// Unit of the schedule's periods.
    pub schedule_period: String,
    pub schedule: Vec<ScheduleEntry>,
    pub total: Total,
}

/// The priced order.
#[derive(Debug, Clone, PartialEq)]
pub struct Quote {
    /// One entry per currency: the primary currency (most price lines, ties alphabetical)
    /// first, then the others alphabetically.
    pub currencies: Vec<CurrencyQuote>,
    /// TMF `OrderPrice` entries per (priceType, period, currency).
    pub order_total_price: Vec<TotalPrice>,
    pub items: Vec<ItemQuote>,
    pub findings: Vec<Finding>,
}

pub(crate) fn dec_str<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&d.to_string())
}

impl Quote {
    /// The `orderdesk price --json` document: the primary currency's figures at top level
    /// (`currency`, `oneTime`, `recurring`, `schedulePeriod`, `schedule`, `total`), every
    /// currency in `currencies`, then `orderTotalPrice`, `items` and `findings`.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        match self.currencies.first().map(serde_json::to_value) {
            Some(Ok(Value::Object(primary))) => out.extend(primary),
            _ => {
                let zero = json!({"dutyFree": "0", "taxIncluded": "0"});
                out.insert("currency".into(), Value::Null);
                out.insert("oneTime".into(), zero.clone());
                out.insert("recurring".into(), json!([]));
                out.insert("schedule".into(), json!([]));
                out.insert(
                    "total".into(),
                    json!({"periods": 0, "dutyFree": "0", "taxIncluded": "0"}),
                );
            }
        }
        out.insert("currencies".into(), serde_json::to_value(&self.currencies).unwrap_or_default());
        out.insert(
            "orderTotalPrice".into(),
            serde_json::to_value(&self.order_total_price).unwrap_or_default(),
        );
        out.insert("items".into(), serde_json::to_value(&self.items).unwrap_or_default());
        out.insert("findings".into(), serde_json::to_value(&self.findings).unwrap_or_default());
        Value::Object(out)
    }
}

fn derive_tracks(df: Option<Decimal>, ti: Option<Decimal>, rate: Decimal) -> (Decimal, Decimal) {
    let factor =
        Decimal::ONE.saturating_add(rate.checked_div(Decimal::ONE_HUNDRED).unwrap_or_default());
    match (df, ti) {
        (Some(df), Some(ti)) => (df, ti),
        (Some(df), None) => (df, df.saturating_mul(factor)),
        (None, Some(ti)) if !factor.is_zero() => (ti.checked_div(factor).unwrap_or(ti), ti),
        (None, Some(ti)) => (ti, ti),
        (None, None) => (Decimal::ZERO, Decimal::ZERO),
    }
}

/// Price an order. Pure: the catalog is optional, the options choose rounding and horizon.
pub fn price(order: &Order, catalog: Option<&Catalog>, options: PricingOptions) -> Quote {
    let mut ids: Vec<String> = Vec::new();
    let mut parts: Vec<ItemPricing> = Vec::new();
    order.walk(|item, _, path| {
        parts.push(price_item(parts.len(), item, path, catalog, options.rounding));
        ids.push(item.id.clone());
    });
    assemble(ids, parts, options)
}

/// What one item contributes to a quote: its price lines with their segments and where each
/// came from, its commitment terms and the findings on its prices. It depends on the item
/// alone (with the catalog, the rounding and its place in the walk), so an item that did not
/// change keeps its contribution from one revision to the next ([`crate::recheck`]).
#[derive(Debug, Clone)]
pub(crate) struct ItemPricing {
    lines: Vec<Line>,
    segments: Vec<Vec<Segment>>,
    sources: Vec<&'static str>,
    terms: Vec<(u32, String)>,
    findings: Vec<Finding>,
}

/// The contribution of the `index`-th item of the walk, at `path`.
pub(crate) fn price_item(
    index: usize,
    item: &Item,
    path: &str,
    catalog: Option<&Catalog>,
    rounding: Rounding,
) -> ItemPricing {
    let mut part = ItemPricing {
        lines: Vec::new(),
        segments: Vec::new(),
        sources: Vec::new(),
        terms: Vec::new(),
        findings: Vec::new(),
    };
    collect_terms(item, catalog, &mut part.terms);
    if matches!(item.action(), Some("delete" | "noChange")) {
        return part;
    }
    let quantity = Decimal::from(item.quantity().unwrap_or(1));
    let own = item.fields.get("itemPrice").and_then(Value::as_array).filter(|a| !a.is_empty());
    match own {
        Some(prices) => {
            for (p, raw) in prices.iter().enumerate() {
                let at = format!("{path}/itemPrice/{p}");
                if let Some(line) = order_line(index, raw, quantity, &at, &mut part.findings) {
                    part.lines.push(line);
                    part.sources.push("order");
                }
            }
        }
        None => {
            let offering = item.offering_id().and_then(|id| catalog?.offering(id));
            if let (Some(catalog), Some(offering)) = (catalog, offering) {
                for line in catalog_lines(index, path, catalog, &offering.price_ids, quantity) {
                    part.lines.push(line);
                    part.sources.push("catalog");
                }
            }
        }
    }
    part.segments = part.lines.iter().map(|l| line_segments(l, rounding)).collect();
    part
}

/// The quote of the items `ids` (in walk order) from their contributions: the per-item
/// totals, the per-currency figures and the order's total prices.
pub(crate) fn assemble(
    ids: Vec<String>,
    parts: Vec<ItemPricing>,
    options: PricingOptions,
) -> Quote {
    let mut lines: Vec<Line> = Vec::new();
    let mut segments: Vec<Vec<Segment>> = Vec::new();
    let mut sources: Vec<&'static str> = Vec::new();
    let mut terms: Vec<(u32, String)> = Vec::new();
    let mut findings: Vec<Finding> = Vec::new();
    for part in parts {
        lines.extend(part.lines);
        segments.extend(part.segments);
        sources.extend(part.sources);
        terms.extend(part.terms);
        findings.extend(part.findings);
    }

    // Per-item totals (lines are in item order, so each item's lines are one run).
    let mut item_quotes: Vec<ItemQuote> = Vec::with_capacity(ids.len());
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); ids.len()];
    for (l, line) in lines.iter().enumerate() {
        if let Some(m) = members.get_mut(line.item) {
            m.push(l);
        }
    }
    for (id, members) in ids.into_iter().zip(&members) {
        item_quotes.push(ItemQuote {
            id,
            item_total_price: if members.is_empty() {
                Vec::new()
            } else {
                total_prices(&lines, &segments, members)
            },
            explanation: Vec::with_capacity(members.len()),
        });
    }

    // Per-currency figures. The primary currency is the one with the most price lines (ties:
    // alphabetical); the others follow alphabetically. Nothing depends on item order.
    let mut counts: Vec<(String, usize)> = Vec::new();
    for l in &lines {
        match counts.iter_mut().find(|(c, _)| c == &l.currency) {
            Some((_, n)) => *n = n.saturating_add(1),
            None => counts.push((l.currency.clone(), 1)),
        }
    }
    counts.sort_by(|a, b| a.0.cmp(&b.0));
    let primary = counts.iter().max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0))).cloned();
    let mut currencies: Vec<String> = Vec::new();
    if let Some((p, _)) = primary {
        currencies.push(p);
    }
    let rest: Vec<String> =
        counts.into_iter().map(|(c, _)| c).filter(|c| Some(c) != currencies.first()).collect();
    currencies.extend(rest);
    let all: Vec<usize> = (0..lines.len()).collect();
    let order_total_price = total_prices(&lines, &segments, &all);
    let currency_quotes = currencies
        .iter()
        .map(|c| currency_quote(c, &lines, &segments, &terms, options, &mut findings))
        .collect();

    // Explanations take the segments over: nothing needs them afterwards.
    for ((line, segs), source) in lines.into_iter().zip(segments).zip(sources) {
        let period = match line.charge {
            Charge::Recurring(p) => Some(p),
            Charge::OneTime => None,
        };
        if let Some(quote) = item_quotes.get_mut(line.item) {
            quote.explanation.push(Explanation {
                price: line.name,
                price_type: line.price_type,
                recurring_charge_period: period,
                currency: line.currency,
                quantity: line.quantity,
                source: source.to_string(),
                segments: segs,
            });
        }
    }

    Quote { currencies: currency_quotes, order_total_price, items: item_quotes, findings }
}

fn collect_terms(item: &Item, catalog: Option<&Catalog>, terms: &mut Vec<(u32, String)>) {
    let own: Vec<(u32, String)> = item
        .fields
        .get("itemTerm")
        .and_then(Value::as_array)
        .map(|ts| {
            ts.iter()
                .filter_map(|t| {
                    let d = t.get("duration")?;
                    Some((uint(d.get("amount")?)?, normalize_period(d.get("units")?.as_str()?)))
                })
                .collect()
        })
        .unwrap_or_default();
    if !own.is_empty() {
        terms.extend(own);
    } else if let Some(o) = item.offering_id().and_then(|id| catalog?.offering(id)) {
        terms.extend(o.terms.iter().map(|(a, u)| (*a, normalize_period(u))));
    }
}

fn order_line(
    item: usize,
    raw: &Value,
    quantity: Decimal,
    at: &str,
    findings: &mut Vec<Finding>,
) -> Option<Line> {
    let price = match raw.get("price").map(parse_price) {
        Some(Ok(p)) => p,
        Some(Err(m)) => {
            findings.push(Finding::error("price.invalid", format!("{at}/price"), m));
            return None;
        }
        None => {
            findings.push(Finding::error("price.invalid", at, "itemPrice entry has no price"));
            return None;
        }
    };
    let Some(currency) = price
        .duty_free
        .as_ref()
        .and_then(|m| m.unit.clone())
        .or_else(|| price.tax_included.as_ref().and_then(|m| m.unit.clone()))
    else {
        findings.push(Finding::error(
            "price.invalid",
            format!("{at}/price"),
            "price has no amount with a currency unit",
        ));
        return None;
    };
    let price_type = raw.get("priceType").and_then(Value::as_str);
    let period = raw.get("recurringChargePeriod").and_then(Value::as_str);
    let rate = price.tax_rate.unwrap_or_default();
    let (df, ti) = derive_tracks(
        price.duty_free.as_ref().map(|m| m.value),
        price.tax_included.as_ref().map(|m| m.value),
        rate,
    );
    let mut alts = Vec::new();
    for (a, alt) in raw
        .get("priceAlteration")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .enumerate()
    {
        let alt_at = format!("{at}/priceAlteration/{a}");
        let p = match alt.get("price").map(parse_price) {
            Some(Ok(p)) => p,
            Some(Err(m)) => {
                findings.push(Finding::error("price.invalid", format!("{alt_at}/price"), m));
                continue;
            }
            None => {
                findings.push(Finding::error("price.invalid", &alt_at, "alteration has no price"));
                continue;
            }
        };
        let unit = p.duty_free.as_ref().or(p.tax_included.as_ref()).and_then(|m| m.unit.as_deref());
        if unit.is_some_and(|u| u != currency) {
            // Validation reports the mismatch; subtracting another currency would be wrong.
            findings.push(Finding::warning(
                "price.currency_mismatch",
                format!("{alt_at}/price"),
                format!(
                    "alteration in {} on a price in {currency} was not applied",
                    unit.unwrap_or_default()
                ),
            ));
            continue;
        }
        let kind = match p.percentage {
            Some(pct) => AltKind::Percent(pct.clamp(Decimal::ZERO, Decimal::ONE_HUNDRED)),
            None => {
                let (adf, ati) = derive_tracks(
                    p.duty_free.as_ref().map(|m| m.value),
                    p.tax_included.as_ref().map(|m| m.value),
                    p.tax_rate.unwrap_or(rate),
                );
                AltKind::Amount { df: adf.max(Decimal::ZERO), ti: ati.max(Decimal::ZERO) }
            }
        };
        let alt_type = alt.get("priceType").and_then(Value::as_str);
        let alt_charge = charge_of(
            alt_type.or(price_type),
            alt.get("recurringChargePeriod").and_then(Value::as_str).or(period),
        );
        alts.push(Alt {
            name: alt.get("name").and_then(Value::as_str).unwrap_or("alteration").to_string(),
            priority: alt.get("priority").and_then(Value::as_i64),
            // Durations < 1 are invalid (validation says so); they are treated as "no limit".
            duration: alt.get("applicationDuration").and_then(uint).filter(|d| *d >= 1),
            recurring: alt_charge != Charge::OneTime,
            kind,
        });
    }
    Some(Line {
        item,
        name: raw.get("name").and_then(Value::as_str).unwrap_or("price").to_string(),
        price_type: price_type.unwrap_or("oneTime").to_string(),
        charge: charge_of(price_type, period),
        currency,
        path: at.to_string(),
        df,
        ti,
        quantity,
        alts,
    })
}

fn catalog_lines(
    item: usize,
    path: &str,
    catalog: &Catalog,
    price_ids: &[String],
    quantity: Decimal,
) -> Vec<Line> {
    // Expand bundled prices, each price once.
    let mut seen = HashSet::new();
    let mut pops: Vec<&OfferingPrice> = Vec::new();
    let mut stack: Vec<&str> = price_ids.iter().rev().map(String::as_str).collect();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        if let Some(pop) = catalog.prices.get(id) {
            pops.push(pop);
            stack.extend(pop.bundled.iter().rev().map(String::as_str));
        }
    }
    let bases: Vec<&OfferingPrice> =
        pops.iter().copied().filter(|p| !p.is_alteration() && p.amount.is_some()).collect();
    let alterations: Vec<&OfferingPrice> =
        pops.iter().copied().filter(|p| p.is_alteration()).collect();
    bases
        .into_iter()
        .map(|base| {
            let charge = charge_of(base.price_type.as_deref(), base.period.as_deref());
            let rate = base.tax_rate.unwrap_or_default();
            let (df, ti) = derive_tracks(base.amount, None, rate);
            let alts = alterations
                .iter()
                .filter(|a| {
                    if a.applies_to.is_empty() {
                        let a_charge = charge_of(
                            a.price_type.as_deref(),
                            a.period.as_deref().or(base.period.as_deref()),
                        );
                        (a_charge == Charge::OneTime) == (charge == Charge::OneTime)
                    } else {
                        a.applies_to.contains(&base.id)
                    }
                })
                .filter(|a| a.currency.as_ref().is_none_or(|c| Some(c) == base.currency.as_ref()))
                .map(|a| Alt {
                    name: a.name.clone().unwrap_or_else(|| a.id.clone()),
                    priority: a.priority,
                    duration: a.duration.filter(|d| *d >= 1),
                    recurring: charge != Charge::OneTime,
                    kind: match a.percentage {
                        Some(p) => AltKind::Percent(p.clamp(Decimal::ZERO, Decimal::ONE_HUNDRED)),
                        None => {
                            let (adf, ati) =
                                derive_tracks(a.amount, None, a.tax_rate.unwrap_or(rate));
                            AltKind::Amount {
                                df: adf.max(Decimal::ZERO),
                                ti: ati.max(Decimal::ZERO),
                            }
                        }
                    },
                })
                .collect();
            Line {
                item,
                name: base.name.clone().unwrap_or_else(|| base.id.clone()),
                price_type: base.price_type.clone().unwrap_or_else(|| "oneTime".into()),
                charge,
                currency: base.currency.clone().unwrap_or_default(),
                path: format!("{path}/productOffering"),
                df,
                ti,
                quantity,
                alts,
            }
        })
        .collect()
}

/// `p` percent of `amount`, saturating at the decimal type's range.
fn percent_of(amount: Decimal, p: Decimal) -> Decimal {
    amount.saturating_mul(p).checked_div(Decimal::ONE_HUNDRED).unwrap_or_default()
}

/// The segments of line `l` (none for an index out of range).
fn segments_of(segments: &[Vec<Segment>], l: usize) -> &[Segment] {
    segments.get(l).map_or(&[], Vec::as_slice)
}

fn active(alt: &Alt, k: u32) -> bool {
    alt.duration.is_none_or(|d| k <= d) && (alt.recurring || k == 1)
}

fn line_segments(line: &Line, rounding: Rounding) -> Vec<Segment> {
    let mut order: Vec<usize> = (0..line.alts.len()).collect();
    order.sort_by_key(|&i| line.alts.get(i).and_then(|a| a.priority).unwrap_or(i64::MAX));
    let starts: Vec<u32> = match line.charge {
        Charge::OneTime => vec![1],
        Charge::Recurring(_) => {
            let mut ends: BTreeSet<u32> = BTreeSet::new();
            for a in &line.alts {
                if let Some(d) = a.duration {
                    ends.insert(d);
                }
                if !a.recurring {
                    ends.insert(1);
                }
            }
            std::iter::once(1).chain(ends.into_iter().map(|e| e.saturating_add(1))).collect()
        }
    };
    let mut out = Vec::with_capacity(starts.len());
    for (s, &from) in starts.iter().enumerate() {
        let to = match line.charge {
            Charge::OneTime => Some(1),
            Charge::Recurring(_) => starts.get(s.saturating_add(1)).map(|n| n.saturating_sub(1)),
        };
        let (mut df, mut ti) = (line.df, line.ti);
        let mut steps = vec![Step { step: "list price".into(), duty_free: df, tax_included: ti }];
        for &i in &order {
            let Some(alt) = line.alts.get(i) else { continue };
            if !active(alt, from) {
                continue;
            }
            let label = match &alt.kind {
                AltKind::Percent(p) => {
                    // p is clamped to 0..=100, so this never grows the amount.
                    df = df.saturating_sub(percent_of(df, *p));
                    ti = ti.saturating_sub(percent_of(ti, *p));
                    format!("{} -{}%", alt.name, p.normalize())
                }
                AltKind::Amount { df: a, ti: b } => {
                    df = df.saturating_sub(*a);
                    ti = ti.saturating_sub(*b);
                    format!("{} -{}", alt.name, a.normalize())
                }
            };
            df = df.max(Decimal::ZERO);
            ti = ti.max(Decimal::ZERO);
            steps.push(Step {
                step: label,
                duty_free: df.normalize(),
                tax_included: ti.normalize(),
            });
        }
        df = df.saturating_mul(line.quantity);
        ti = ti.saturating_mul(line.quantity);
        steps.push(Step {
            step: format!("x quantity {}", line.quantity),
            duty_free: df.normalize(),
            tax_included: ti.normalize(),
        });
        let rdf = money::round(df, &line.currency, rounding);
        let rti = money::round(ti, &line.currency, rounding);
        steps.push(Step { step: "net (rounded)".into(), duty_free: rdf, tax_included: rti });
        out.push(Segment { from, to, steps, duty_free: rdf, tax_included: rti });
    }
    out
}

/// Amount of a line in period `k` (1-based, in the line's own period unit).
fn amount_at(segments: &[Segment], k: u32) -> (Decimal, Decimal) {
    segments
        .iter()
        .find(|s| s.from <= k && s.to.is_none_or(|t| k <= t))
        .map_or((Decimal::ZERO, Decimal::ZERO), |s| (s.duty_free, s.tax_included))
}

fn steady(segments: &[Segment]) -> (Decimal, Decimal) {
    segments.last().map_or((Decimal::ZERO, Decimal::ZERO), |s| (s.duty_free, s.tax_included))
}

/// A TMF `Money`, amounts already at the currency's minor units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TmfMoney {
    pub unit: String,
    /// Serialised as a JSON number with its exact text (`20.00`).
    #[serde(serialize_with = "dec_number")]
    pub value: Decimal,
}

/// A TMF `Price` with both amounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TmfPrice {
    pub duty_free_amount: TmfMoney,
    pub tax_included_amount: TmfMoney,
}

impl TmfPrice {
    fn new(amounts: Amounts, currency: &str) -> Self {
        Self {
            duty_free_amount: TmfMoney { unit: currency.to_string(), value: amounts.duty_free },
            tax_included_amount: TmfMoney {
                unit: currency.to_string(),
                value: amounts.tax_included,
            },
        }
    }
}

/// A TMF `PriceAlteration` of a total: the amount due per period up to `applicationDuration`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TotalAlteration {
    pub name: String,
    pub price_type: String,
    pub recurring_charge_period: String,
    pub application_duration: u32,
    pub price: TmfPrice,
}

/// A TMF `OrderPrice` as used in `itemTotalPrice` and `orderTotalPrice`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TotalPrice {
    pub price_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recurring_charge_period: Option<String>,
    pub price: TmfPrice,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub price_alteration: Vec<TotalAlteration>,
}

fn dec_number<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    // `arbitrary_precision` keeps the text, so `20.00` stays `20.00` on the wire.
    match d.to_string().parse::<serde_json::Number>() {
        Ok(n) => n.serialize(s),
        Err(_) => s.serialize_str(&d.to_string()),
    }
}

/// TMF `OrderPrice` entries for a set of lines, one per (priceType kind, period, currency):
/// `price` is the amount per period once every time-limited alteration has ended (for one-time
/// charges: the net charge); each `priceAlteration` entry gives the amount due per period up to
/// its `applicationDuration`.
fn total_prices(lines: &[Line], segments: &[Vec<Segment>], members: &[usize]) -> Vec<TotalPrice> {
    let mut groups: Vec<(Charge, String, String, Vec<usize>)> = Vec::new();
    for &l in members {
        let Some(line) = lines.get(l) else { continue };
        match groups.iter_mut().find(|g| g.0 == line.charge && g.1 == line.currency) {
            Some(g) => {
                // Spellings differ (`oneTime`, `nonRecurring`): pick one independent of order.
                if line.price_type < g.2 {
                    g.2.clone_from(&line.price_type);
                }
                g.3.push(l);
            }
            None => groups.push((
                line.charge.clone(),
                line.currency.clone(),
                line.price_type.clone(),
                vec![l],
            )),
        }
    }
    // Canonical order, independent of the order of items in the file: one-time first, then
    // recurring from the finest period, each by currency.
    groups.sort_by(|a, b| charge_key(&a.0).cmp(&charge_key(&b.0)).then_with(|| a.1.cmp(&b.1)));
    groups
        .into_iter()
        .map(|(charge, currency, price_type, ls)| {
            let mut total = Amounts::default();
            let mut ends: BTreeSet<u32> = BTreeSet::new();
            for &l in &ls {
                let (df, ti) = steady(segments_of(segments, l));
                total.add(df, ti);
                ends.extend(segments_of(segments, l).iter().filter_map(|s| s.to));
            }
            let period = match &charge {
                Charge::Recurring(p) => Some(p.clone()),
                Charge::OneTime => None,
            };
            let price_alteration = match &period {
                None => Vec::new(),
                Some(p) => ends
                    .iter()
                    .map(|&end| {
                        let mut at = Amounts::default();
                        let mut names: Vec<&str> = Vec::new();
                        for &l in &ls {
                            let (df, ti) = amount_at(segments_of(segments, l), end);
                            at.add(df, ti);
                            for a in lines
                                .get(l)
                                .into_iter()
                                .flat_map(|line| &line.alts)
                                .filter(|a| active(a, end) && a.duration.is_some())
                            {
                                if !names.contains(&a.name.as_str()) {
                                    names.push(&a.name);
                                }
                            }
                        }
                        TotalAlteration {
                            name: names.join(" + "),
                            price_type: price_type.clone(),
                            recurring_charge_period: p.clone(),
                            application_duration: end,
                            price: TmfPrice::new(at, &currency),
                        }
                    })
                    .collect(),
            };
            TotalPrice {
                price: TmfPrice::new(total, &currency),
                price_type,
                recurring_charge_period: period,
                price_alteration,
            }
        })
        .collect()
}

fn charge_key(c: &Charge) -> (u32, u32, String) {
    match c {
        Charge::OneTime => (0, 0, String::new()),
        Charge::Recurring(p) => (1, fineness(p), p.clone()),
    }
}

fn currency_quote(
    currency: &str,
    lines: &[Line],
    segments: &[Vec<Segment>],
    terms: &[(u32, String)],
    options: PricingOptions,
    findings: &mut Vec<Finding>,
) -> CurrencyQuote {
    let mine: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, line)| line.currency == currency)
        .map(|(l, _)| l)
        .collect();
    let mut one_time = Amounts::default();
    let mut recurring: Vec<Recurring> = Vec::new();
    let mut units: Vec<String> = Vec::new();
    for &l in &mine {
        let Some(line) = lines.get(l) else { continue };
        let (df, ti) = steady(segments_of(segments, l));
        match &line.charge {
            Charge::OneTime => one_time.add(df, ti),
            Charge::Recurring(p) => {
                match recurring.iter_mut().find(|r| &r.period == p) {
                    Some(r) => r.amounts.add(df, ti),
                    None => {
                        let mut amounts = Amounts::default();
                        amounts.add(df, ti);
                        recurring.push(Recurring { period: p.clone(), amounts });
                    }
                }
                if !units.contains(p) {
                    units.push(p.clone());
                }
            }
        }
    }
    // Days and weeks do not divide months: when both kinds are charged, the schedule is by the
    // finest month-based unit and day and week charges are spread over it by the year.
    let month_based = |u: &String| per_year(u).is_some() && ratio("month", u).is_some();
    let base = match units.iter().filter(|u| month_based(u)).min_by_key(|u| fineness(u)) {
        Some(coarse) if units.iter().any(|u| per_year(u).is_some() && !month_based(u)) => {
            coarse.clone()
        }
        _ => units.iter().min_by_key(|u| fineness(u)).cloned().unwrap_or_else(|| "month".into()),
    };
    let wanted = options.periods.unwrap_or_else(|| {
        terms
            .iter()
            .filter_map(|(amount, unit)| ratio(&base, unit).map(|r| amount.saturating_mul(r)))
            .max()
            .unwrap_or(12)
    });
    // A term from outside may be billions of periods long: the schedule stops at the limit.
    let periods = wanted.min(crate::limits::MAX_PERIODS);
    if wanted > periods {
        findings.push(crate::codes::finding(
            crate::codes::LIMIT_PERIODS,
            "",
            format!(
                "the term runs {wanted} {base}s; the schedule and its total show the first {periods}"
            ),
        ));
    }
    let mut schedule: Vec<ScheduleEntry> =
        (1..=periods).map(|index| ScheduleEntry { index, amounts: Amounts::default() }).collect();
    for &l in &mine {
        let Some(line) = lines.get(l) else { continue };
        match &line.charge {
            Charge::OneTime => {
                if let Some(first) = schedule.first_mut() {
                    let (df, ti) = steady(segments_of(segments, l));
                    first.amounts.add(df, ti);
                }
            }
            Charge::Recurring(p) => match ratio(&base, p) {
                Some(r) => {
                    for entry in &mut schedule {
                        let k = entry.index.saturating_sub(1);
                        if k.checked_rem(r) == Some(0) {
                            let own = k.checked_div(r).unwrap_or_default().saturating_add(1);
                            let (df, ti) = amount_at(segments_of(segments, l), own);
                            entry.amounts.add(df, ti);
                        }
                    }
                }
                None => match (per_year(p), per_year(&base)) {
                    (Some(fine), Some(coarse)) => {
                        // A weekly charge in a monthly schedule: 52 weeks a year make 52/12 of
                        // it per month, rounded per period like every line.
                        let factor = Decimal::from(fine)
                            .checked_div(Decimal::from(coarse))
                            .unwrap_or_default();
                        for entry in &mut schedule {
                            let k = entry.index.saturating_sub(1);
                            let own = Decimal::from(k).saturating_mul(factor);
                            let own = u32::try_from(own.trunc()).unwrap_or(u32::MAX);
                            let (df, ti) =
                                amount_at(segments_of(segments, l), own.saturating_add(1));
                            entry.amounts.add(
                                money::round(df.saturating_mul(factor), currency, options.rounding),
                                money::round(ti.saturating_mul(factor), currency, options.rounding),
                            );
                        }
                        findings.push(Finding::warning(
                            "price.period_mixed",
                            &line.path,
                            format!(
                                "{} ({currency} per {p}) is spread over a schedule by {base}: \
                                 {fine} a year make {} per {base}",
                                line.name,
                                factor.round_dp(4).normalize()
                            ),
                        ));
                    }
                    _ => findings.push(Finding::warning(
                        "price.period_mixed",
                        &line.path,
                        format!(
                            "{} ({currency} per {p}) cannot be placed in a schedule by {base}; it \
                             is left out of the schedule and the total",
                            line.name
                        ),
                    )),
                },
            },
        }
    }
    let mut total = Amounts::default();
    for e in &schedule {
        total.add(e.amounts.duty_free, e.amounts.tax_included);
    }
    let zero = money::round(Decimal::ZERO, currency, options.rounding);
    let fix = |a: &mut Amounts| {
        // Sums of rounded values already carry the minor units; this covers empty sums.
        a.duty_free = money::round(a.duty_free, currency, options.rounding).max(zero);
        a.tax_included = money::round(a.tax_included, currency, options.rounding).max(zero);
    };
    // Sums saturate rather than panic; a saturated figure is not the order's, so say so.
    let saturated = |a: &Amounts| {
        [a.duty_free, a.tax_included].iter().any(|d| *d == Decimal::MAX || *d == Decimal::MIN)
    };
    if saturated(&one_time)
        || saturated(&total)
        || recurring.iter().any(|r| saturated(&r.amounts))
        || schedule.iter().any(|e| saturated(&e.amounts))
    {
        findings.push(crate::codes::finding(
            crate::codes::PRICE_OVERFLOW,
            "",
            format!(
                "the {currency} amounts are too large to compute exactly (more than {}); \
                 check quantities and prices",
                Decimal::MAX
            ),
        ));
    }
    fix(&mut one_time);
    fix(&mut total);
    for r in &mut recurring {
        fix(&mut r.amounts);
    }
    for e in &mut schedule {
        fix(&mut e.amounts);
    }
    CurrencyQuote {
        currency: currency.to_string(),
        one_time,
        recurring,
        schedule_period: base,
        schedule,
        total: Total { periods, amounts: total },
    }
}
