//! A TMF620 catalog snapshot, indexed once for fast lookups during validation and pricing.
//!
//! The snapshot is a JSON object with arrays `productOffering`, `productOfferingPrice`,
//! `productSpecification` and `category`. Both the v4 and the v5 shapes are read: where the
//! versions name a field differently (e.g. `productSpecCharacteristicValue` in v4,
//! `characteristicValueSpecification` in v5) both names are accepted. Entries without an id are
//! skipped: nothing can refer to them.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::Value;
use std::collections::HashMap;
use std::str::FromStr;

use crate::CoreError;

/// The indexed catalog.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub offerings: HashMap<String, Offering>,
    pub prices: HashMap<String, OfferingPrice>,
    pub specifications: HashMap<String, Specification>,
    /// Category ids to names.
    pub categories: HashMap<String, String>,
}

/// What the core needs of a `ProductOffering`.
#[derive(Debug, Clone, Default)]
pub struct Offering {
    pub id: String,
    pub name: Option<String>,
    pub is_bundle: bool,
    pub is_sellable: Option<bool>,
    pub lifecycle_status: Option<String>,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_to: Option<DateTime<Utc>>,
    pub bundled: Vec<BundledOffering>,
    pub specification_id: Option<String>,
    pub price_ids: Vec<String>,
    /// Offering ids this offering `reliesOn` (`productOfferingRelationship`, v4.1 and v5).
    pub relies_on: Vec<String>,
    /// Commitment terms: (amount, unit).
    pub terms: Vec<(u32, String)>,
}

/// One `bundledProductOffering` entry with its cardinality.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BundledOffering {
    pub id: String,
    pub lower: Option<u32>,
    pub upper: Option<u32>,
    pub default: Option<u32>,
}

/// What the pricing engine needs of a `ProductOfferingPrice`.
#[derive(Debug, Clone, Default)]
pub struct OfferingPrice {
    pub id: String,
    pub name: Option<String>,
    pub price_type: Option<String>,
    pub period: Option<String>,
    pub amount: Option<Decimal>,
    pub currency: Option<String>,
    pub percentage: Option<Decimal>,
    pub tax_rate: Option<Decimal>,
    /// How many periods an alteration applies for (`applicationDuration`, else the duration of
    /// its first `productOfferingTerm`).
    pub duration: Option<u32>,
    pub priority: Option<i64>,
    /// Children of a bundled price (`bundledPopRelationship`).
    pub bundled: Vec<String>,
    /// Prices this alteration applies to (`popRelationship`); empty means "all prices of the
    /// same charge kind of the offering".
    pub applies_to: Vec<String>,
}

impl OfferingPrice {
    /// Discounts, allowances and other alterations, as opposed to list prices.
    pub fn is_alteration(&self) -> bool {
        let by_type = self.price_type.as_deref().is_some_and(|t| {
            let t = t.to_ascii_lowercase();
            t.contains("discount") || t.contains("allowance") || t.contains("alteration")
        });
        by_type || (self.percentage.is_some() && self.amount.is_none())
    }
}

/// What validation needs of a `ProductSpecification`.
#[derive(Debug, Clone, Default)]
pub struct Specification {
    pub id: String,
    /// What agents call it (`Mobile Telephony`).
    pub name: Option<String>,
    pub characteristics: Vec<CharacteristicSpec>,
}

impl Specification {
    /// The specification as messages name it: its name, else its id.
    pub fn label(&self) -> &str {
        self.name.as_deref().filter(|n| !n.trim().is_empty()).unwrap_or(&self.id)
    }
}

/// A characteristic specification.
#[derive(Debug, Clone, Default)]
pub struct CharacteristicSpec {
    pub name: String,
    pub value_type: Option<String>,
    /// `minCardinality >= 1`.
    pub required: bool,
    /// Fixed allowed values; empty means any value of the type.
    pub allowed: Vec<Value>,
    /// Numeric range from `valueFrom`/`valueTo` entries.
    pub range: Option<(Option<Decimal>, Option<Decimal>)>,
    /// The catalog's words for it (`description`).
    pub description: Option<String>,
    /// The form a value must have (TMF620 `regex` of a value specification).
    pub pattern: Option<Pattern>,
}

/// A catalog's `regex`, compiled once. Catalogs come from outside: the pattern is compiled
/// with a size limit (the `regex` crate runs in time linear in the input), and one that does
/// not compile is kept as text and not applied.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub text: String,
    /// `None`: the pattern does not compile (or is too large); it is not applied.
    pub regex: Option<regex::Regex>,
}

/// Bytes a compiled catalog pattern may take.
const PATTERN_SIZE_LIMIT: usize = 1 << 20;

impl Pattern {
    fn new(text: &str) -> Pattern {
        // A value matches when the whole of it does, as TMF620 means it.
        let anchored = format!("^(?:{text})$");
        let regex = regex::RegexBuilder::new(&anchored)
            .size_limit(PATTERN_SIZE_LIMIT)
            .dfa_size_limit(PATTERN_SIZE_LIMIT)
            .build()
            .ok();
        Pattern { text: text.to_owned(), regex }
    }
}

impl CharacteristicSpec {
    /// The telecom number format the characteristic holds, by its name.
    pub fn format(&self) -> Option<crate::formats::TelecomFormat> {
        crate::formats::TelecomFormat::of(&self.name)
    }

    /// What an agent reads for it: the kind of number it is (`Phone number`: an agent's word,
    /// where a catalog tends to write `MSISDN of the mobile line`), else the catalog's
    /// description, else its name in words (`DATA_ALLOWANCE` → `Data allowance`).
    pub fn label(&self) -> String {
        if let Some(f) = self.format() {
            let noun = f.noun();
            let mut chars = noun.chars();
            return chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default();
        }
        if let Some(d) = self.description.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            return d.to_owned();
        }
        words(&self.name)
    }
}

/// A code name in words: `DATA_ALLOWANCE` and `dataAllowance` become `Data allowance`; a
/// short all-capital word is an abbreviation and keeps its capitals (`DATA_GB`: `Data GB`).
pub fn words(name: &str) -> String {
    let mut tokens: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if c == '_' || c == '-' || c == ' ' {
            tokens.push(std::mem::take(&mut current));
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower {
            tokens.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase();
        current.push(c);
    }
    tokens.push(current);
    let words: Vec<String> = tokens
        .into_iter()
        .filter(|t| !t.is_empty())
        .map(|t| {
            let abbreviation =
                (2..=3).contains(&t.chars().count()) && t.chars().all(|c| c.is_ascii_uppercase());
            if abbreviation {
                t
            } else {
                t.to_lowercase()
            }
        })
        .collect();
    let text = words.join(" ");
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn id_of(v: &Value) -> Option<String> {
    match v.get("id")? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A JSON number or numeric string as an exact decimal (numbers keep their text thanks to
/// `arbitrary_precision`, so no float ever gets involved).
pub(crate) fn decimal(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => {
            let s = n.to_string();
            Decimal::from_str(&s).or_else(|_| Decimal::from_scientific(&s)).ok()
        }
        Value::String(s) => Decimal::from_str(s.trim()).ok(),
        _ => None,
    }
}

pub(crate) fn uint(v: &Value) -> Option<u32> {
    decimal(v)
        .filter(|d| d.fract().is_zero() && !d.is_sign_negative())
        .and_then(|d| u32::try_from(d).ok())
}

fn date(v: Option<&Value>) -> Option<DateTime<Utc>> {
    orderdesk_wire::instant_of(v)
}

fn array<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn ids(v: &Value, key: &str) -> Vec<String> {
    array(v, key).iter().filter_map(id_of).collect()
}

fn term(v: &Value) -> Option<(u32, String)> {
    let d = v.get("duration")?;
    Some((uint(d.get("amount")?)?, str_of(d, "units")?.to_string()))
}

/// The arrays of a snapshot document, in the order they are indexed.
pub const SNAPSHOT_KEYS: [&str; 4] =
    ["productOffering", "productOfferingPrice", "productSpecification", "category"];

impl Catalog {
    /// The refusal of a snapshot document that is not a JSON object (a reader that streams
    /// a snapshot refuses with the same error).
    pub fn not_a_snapshot() -> CoreError {
        CoreError::Catalog {
            path: String::new(),
            message: "expected a JSON object with productOffering, productOfferingPrice, \
                      productSpecification and category arrays"
                .into(),
        }
    }

    /// The refusal of a snapshot whose member `key` (one of [`SNAPSHOT_KEYS`]) is not an array.
    pub fn not_an_array(key: &str) -> CoreError {
        CoreError::Catalog { path: format!("/{key}"), message: "expected an array".into() }
    }

    /// Index a snapshot.
    pub fn from_json(snapshot: &Value) -> Result<Self, CoreError> {
        if !snapshot.is_object() {
            return Err(Catalog::not_a_snapshot());
        }
        for key in SNAPSHOT_KEYS {
            if let Some(v) = snapshot.get(key) {
                if !v.is_array() {
                    return Err(Catalog::not_an_array(key));
                }
            }
        }
        let mut cat = Catalog::default();
        for po in array(snapshot, "productOffering") {
            if let Some(offering) = Offering::from_json(po) {
                cat.offerings.insert(offering.id.clone(), offering);
            }
        }
        for pop in array(snapshot, "productOfferingPrice") {
            if let Some(price) = OfferingPrice::from_json(pop) {
                cat.prices.insert(price.id.clone(), price);
            }
        }
        for ps in array(snapshot, "productSpecification") {
            let Some(id) = id_of(ps) else { continue };
            let chars = if ps.get("productSpecCharacteristic").is_some() {
                array(ps, "productSpecCharacteristic")
            } else {
                array(ps, "characteristicSpecification")
            };
            let characteristics = chars
                .iter()
                .filter_map(|c| {
                    let name = str_of(c, "name")?.to_string();
                    let values = if c.get("productSpecCharacteristicValue").is_some() {
                        array(c, "productSpecCharacteristicValue")
                    } else {
                        array(c, "characteristicValueSpecification")
                    };
                    let allowed: Vec<Value> =
                        values.iter().filter_map(|v| v.get("value").cloned()).collect();
                    let lo = values.iter().find_map(|v| v.get("valueFrom").and_then(decimal));
                    let hi = values.iter().find_map(|v| v.get("valueTo").and_then(decimal));
                    let value_type = str_of(c, "valueType")
                        .or_else(|| values.iter().find_map(|v| str_of(v, "valueType")))
                        .map(str::to_string);
                    let pattern = str_of(c, "regex")
                        .or_else(|| values.iter().find_map(|v| str_of(v, "regex")))
                        .filter(|p| !p.is_empty())
                        .map(Pattern::new);
                    Some(CharacteristicSpec {
                        name,
                        value_type,
                        required: c.get("minCardinality").and_then(uint).is_some_and(|m| m >= 1),
                        allowed,
                        range: (lo.is_some() || hi.is_some()).then_some((lo, hi)),
                        description: str_of(c, "description").map(str::to_string),
                        pattern,
                    })
                })
                .collect();
            let name = str_of(ps, "name").map(str::to_string);
            cat.specifications.insert(id.clone(), Specification { id, name, characteristics });
        }
        for c in array(snapshot, "category") {
            let Some(id) = id_of(c) else { continue };
            cat.categories.insert(id, str_of(c, "name").unwrap_or_default().to_string());
        }
        Ok(cat)
    }

    pub fn offering(&self, id: &str) -> Option<&Offering> {
        self.offerings.get(id)
    }
}

impl Offering {
    /// Whether the offering can be ordered at `now`: lifecycle status (absent, `Active` or
    /// `Launched`), `isSellable` not false, and `now` inside `validFor`.
    pub fn orderable_at(&self, now: Option<DateTime<Utc>>) -> Result<(), String> {
        if let Some(status) = &self.lifecycle_status {
            let s = status.to_ascii_lowercase();
            if s != "active" && s != "launched" {
                return Err(format!("lifecycle status is {status:?}"));
            }
        }
        if self.is_sellable == Some(false) {
            return Err("it is not sellable".into());
        }
        if let Some(now) = now {
            if self.valid_from.is_some_and(|f| now < f) {
                return Err("its validity period has not started".into());
            }
            if self.valid_to.is_some_and(|t| now > t) {
                return Err("its validity period has ended".into());
            }
        }
        Ok(())
    }
}

impl Offering {
    /// Index one `ProductOffering` (`None` without an id).
    pub fn from_json(po: &Value) -> Option<Offering> {
        let id = id_of(po)?;
        Some(Offering {
            name: str_of(po, "name").map(str::to_string),
            is_bundle: po.get("isBundle").and_then(Value::as_bool).unwrap_or(false),
            is_sellable: po.get("isSellable").and_then(Value::as_bool),
            lifecycle_status: str_of(po, "lifecycleStatus").map(str::to_string),
            valid_from: po.get("validFor").and_then(|v| date(v.get("startDateTime"))),
            valid_to: po.get("validFor").and_then(|v| date(v.get("endDateTime"))),
            bundled: array(po, "bundledProductOffering")
                .iter()
                .filter_map(|b| {
                    let opt = b.get("bundledProductOfferingOption");
                    let get = |k: &str| opt.and_then(|o| o.get(k)).and_then(uint);
                    Some(BundledOffering {
                        id: id_of(b)?,
                        lower: get("numberRelOfferLowerLimit"),
                        upper: get("numberRelOfferUpperLimit"),
                        default: get("numberRelOfferDefault"),
                    })
                })
                .collect(),
            specification_id: po.get("productSpecification").and_then(id_of),
            price_ids: ids(po, "productOfferingPrice"),
            relies_on: array(po, "productOfferingRelationship")
                .iter()
                .filter(|r| {
                    str_of(r, "relationshipType")
                        .is_some_and(|t| t.eq_ignore_ascii_case("reliesOn"))
                })
                .filter_map(id_of)
                .collect(),
            terms: array(po, "productOfferingTerm").iter().filter_map(term).collect(),
            id: id.clone(),
        })
    }

    /// The records validating, pricing or composing an order item with this offering may
    /// look up besides it: its bundled and `reliesOn` offerings, its prices and its
    /// specification.
    pub fn refs(&self) -> Vec<CatalogRef> {
        let offerings = self.bundled.iter().map(|b| &b.id).chain(&self.relies_on);
        offerings
            .map(|id| CatalogRef::Offering(id.clone()))
            .chain(self.price_ids.iter().map(|id| CatalogRef::Price(id.clone())))
            .chain(self.specification_id.iter().map(|id| CatalogRef::Specification(id.clone())))
            .collect()
    }
}

impl OfferingPrice {
    /// Index one `ProductOfferingPrice` (`None` without an id).
    pub fn from_json(pop: &Value) -> Option<OfferingPrice> {
        let id = id_of(pop)?;
        let price = pop.get("price");
        let tax_rate = array(pop, "tax")
            .first()
            .and_then(|t| t.get("taxRate"))
            .or_else(|| pop.get("taxRate"))
            .and_then(decimal);
        Some(OfferingPrice {
            name: str_of(pop, "name").map(str::to_string),
            price_type: str_of(pop, "priceType").map(str::to_string),
            period: str_of(pop, "recurringChargePeriodType")
                .or_else(|| str_of(pop, "recurringChargePeriod"))
                .map(str::to_string),
            amount: price.and_then(|p| p.get("value")).and_then(decimal),
            currency: price.and_then(|p| str_of(p, "unit")).map(str::to_string),
            percentage: pop.get("percentage").and_then(decimal),
            tax_rate,
            // A number, or a `Duration`-like object `{amount, units}` as some catalogs write.
            duration: pop
                .get("applicationDuration")
                .and_then(|d| uint(d).or_else(|| d.get("amount").and_then(uint)))
                .or_else(|| array(pop, "productOfferingTerm").iter().find_map(term).map(|t| t.0)),
            priority: pop.get("priority").and_then(Value::as_i64),
            bundled: ids(pop, "bundledPopRelationship"),
            applies_to: ids(pop, "popRelationship"),
            id,
        })
    }

    /// The prices pricing with this one looks up: its bundled prices and those it alters.
    pub fn refs(&self) -> Vec<CatalogRef> {
        self.bundled
            .iter()
            .chain(&self.applies_to)
            .map(|id| CatalogRef::Price(id.clone()))
            .collect()
    }
}

/// A catalog record named by an order or by another record.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CatalogRef {
    Offering(String),
    Price(String),
    Specification(String),
}

/// Every id an order document names (each `id` member, at any depth). Validation, pricing
/// and the composition operations look the catalog up only by the offering, price and
/// specification ids an order names and by what those records name in turn
/// ([`Offering::refs`], [`OfferingPrice::refs`]) — never across the whole catalog — so a
/// catalog indexed from that closure gives the same findings and quote as the whole one.
/// Over-inclusive on purpose: an id that names nothing in the catalog costs one lookup.
/// Walks with an explicit stack (the document comes from outside).
pub fn order_refs(doc: &Value) -> Vec<String> {
    let mut out = std::collections::BTreeSet::new();
    let mut stack = vec![doc];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(map) => {
                if let Some(id) = id_of(v) {
                    out.insert(id);
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn alteration_duration_as_number_object_or_term() {
        let snapshot = json!({ "productOfferingPrice": [
            { "id": "a", "priceType": "discount", "percentage": 20, "applicationDuration": 3 },
            { "id": "b", "priceType": "discount", "percentage": 20,
              "applicationDuration": { "amount": 4, "units": "month" } },
            { "id": "c", "priceType": "discount", "percentage": 20,
              "productOfferingTerm": [ { "duration": { "amount": 5, "units": "month" } } ] },
            { "id": "d", "priceType": "recurring", "price": { "unit": "EUR", "value": 1 } },
            { "name": "no id is skipped" }
        ] });
        let cat = Catalog::from_json(&snapshot).unwrap_or_default();
        let d = |id: &str| cat.prices.get(id).and_then(|p| p.duration);
        assert_eq!((d("a"), d("b"), d("c"), d("d")), (Some(3), Some(4), Some(5), None));
        assert!(cat.prices.get("a").is_some_and(OfferingPrice::is_alteration));
        assert!(!cat.prices.get("d").is_some_and(OfferingPrice::is_alteration));
        assert_eq!(cat.prices.len(), 4);
    }

    #[test]
    fn characteristics_in_words_and_patterns() {
        let snapshot = json!({ "productSpecification": [{ "id": "s", "name": "Line",
            "productSpecCharacteristic": [
                { "name": "TEL_MSISDN", "valueType": "string" },
                { "name": "DATA_ALLOWANCE", "valueType": "string" },
                { "name": "ADDRESS", "description": "Installation address",
                  "productSpecCharacteristicValue": [{ "regex": "ADDR-[0-9]{4}" }] },
                { "name": "bad", "productSpecCharacteristicValue": [{ "regex": "(" }] }
            ] }] });
        let cat = Catalog::from_json(&snapshot).unwrap_or_default();
        let spec = cat.specifications.get("s");
        let chars = spec.map(|s| s.characteristics.as_slice()).unwrap_or_default();
        let labels: Vec<String> = chars.iter().map(CharacteristicSpec::label).collect();
        assert_eq!(labels, ["Phone number", "Data allowance", "Installation address", "Bad"]);
        assert_eq!(spec.map(Specification::label), Some("Line"));
        let regex = chars.get(2).and_then(|c| c.pattern.as_ref()).and_then(|p| p.regex.as_ref());
        assert!(regex.is_some_and(|r| r.is_match("ADDR-1234") && !r.is_match("xADDR-1234")));
        assert!(chars.get(3).and_then(|c| c.pattern.as_ref()).is_some_and(|p| p.regex.is_none()));
        assert_eq!(words("dataAllowance"), "Data allowance");
        assert_eq!(words("DATA_GB"), "Data GB");
        assert_eq!(words("SIM_TYPE"), "SIM type");
    }

    #[test]
    fn refuses_what_is_not_a_snapshot() {
        assert!(Catalog::from_json(&json!([])).is_err());
        assert!(Catalog::from_json(&json!({ "productOffering": {} })).is_err());
        assert!(Catalog::from_json(&json!({})).is_ok());
    }
}
