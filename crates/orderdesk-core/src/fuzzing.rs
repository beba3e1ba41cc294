//! Fuzz harness: an order from outside through import, validation, pricing, a sequence of
//! edits and export, as the app and the CLI take it. After every edit, the editor's recheck
//! ([`crate::Recheck`], which computes only the items that changed) must give exactly what
//! validating and pricing the whole order gives. `fuzz/` (cargo-fuzz) drives it with
//! libFuzzer; `crates/orderdesk-server/tests/fuzz.rs` replays the committed corpus and every
//! input that once failed. It must never panic on any input: a panic is a bug in this crate.
//!
//! An input is a JSON document, then optionally a NUL byte and the bytes that choose the
//! edits. Without the NUL byte the whole input chooses the edits too, so every document in a
//! corpus is also edited.

use arbitrary::{Result as Chosen, Unstructured};
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Number, Value};

use crate::policy::{DiscountPolicy, DiscountReason};
use crate::{
    apply, validate_and_price, validate_json, Action, Catalog, ErrorCode, Layout, Op, Order,
    PricingOptions, Recheck, Rounding, ValidateOptions,
};
use orderdesk_wire::Version;
use std::sync::Arc;

/// Edits applied to one input at most.
const MAX_OPS: usize = 32;

/// Imports the document of `data` (the catalog when it is a snapshot with offerings, else
/// `catalog`), validates and prices it, applies the edits `data` chooses and exports the
/// result in both layouts and both versions. Asserts that every edit leaves the order within
/// the limits, that an edit made replays from the JSON it is stored as to the same order, and
/// that an order the edits produced is saved as JSON that reads back and imports again.
pub fn order_pipeline(data: &[u8], catalog: &Catalog) {
    let (doc, choices) = match data.iter().position(|b| *b == 0) {
        Some(at) => {
            let (doc, rest) = data.split_at(at);
            (doc, rest.get(1..).unwrap_or_default())
        }
        None => (data, data),
    };
    let mut u = Unstructured::new(choices);
    let version = if u.arbitrary().unwrap_or(false) { Version::V5 } else { Version::V4 };
    let policy = u.arbitrary::<bool>().unwrap_or(false).then(policy);
    let mut validate_options = ValidateOptions {
        now: DateTime::from_timestamp(1_767_225_600, 0),
        version: Some(version),
        policy: policy.as_ref(),
    };
    let pricing_options = PricingOptions {
        rounding: if u.arbitrary().unwrap_or(false) {
            Rounding::HalfEven
        } else {
            Rounding::HalfUp
        },
        periods: u.arbitrary::<Option<u32>>().unwrap_or(None),
    };

    let doc: Option<Value> = serde_json::from_slice(doc).ok();
    let own = doc.as_ref().and_then(|d| Catalog::from_json(d).ok());
    let catalog = own.as_ref().filter(|c| !c.offerings.is_empty()).unwrap_or(catalog);
    let mut order = match doc {
        Some(doc) => {
            let _ = validate_json(&doc, Some(catalog), validate_options);
            match Order::from_json(doc) {
                Ok(order) => {
                    assert!(
                        order.check_limits().is_ok(),
                        "import let an order beyond the limits in"
                    );
                    order
                }
                Err(e) => {
                    let _ = (e.code(), e.to_string());
                    Order::default()
                }
            }
        }
        None => Order::default(),
    };
    let _ = validate_and_price(&order, Some(catalog), validate_options, pricing_options).to_json();
    let shared = Arc::new(catalog.clone());
    let mut recheck = Recheck::new();
    let first =
        recheck.validate_and_price(&order, Some(&shared), validate_options, pricing_options);
    assert_eq!(
        first,
        validate_and_price(&order, Some(&shared), validate_options, pricing_options),
        "the first recheck differs"
    );

    let mut offerings: Vec<&str> = catalog.offerings.keys().map(String::as_str).collect();
    offerings.sort_unstable();
    for _ in 0..MAX_OPS {
        if u.is_empty() {
            break;
        }
        let Ok(op) = next_op(&mut u, &order, &offerings) else { break };
        match apply(&order, &op, Some(catalog)) {
            Ok(next) => {
                assert!(next.check_limits().is_ok(), "{op:?} left the order beyond the limits");
                // An edit is stored as JSON with its revision and replayed from it.
                let stored = serde_json::to_string(&op).unwrap_or_default();
                match serde_json::from_str::<Op>(&stored) {
                    Ok(replayed) => assert_eq!(
                        apply(&order, &replayed, Some(catalog)).as_ref(),
                        Ok(&next),
                        "{stored} replays otherwise"
                    ),
                    Err(e) => panic!("{stored} does not read back: {e}"),
                }
                order = next;
                // A later edit may come a day later: the clock's check is never kept.
                if u.ratio(1, 8).unwrap_or(false) {
                    validate_options.now = validate_options
                        .now
                        .and_then(|t| t.checked_add_signed(chrono::TimeDelta::days(400)));
                }
                let again = recheck.validate_and_price(
                    &order,
                    Some(&shared),
                    validate_options,
                    pricing_options,
                );
                let whole =
                    validate_and_price(&order, Some(&shared), validate_options, pricing_options);
                assert_eq!(again, whole, "the recheck after {stored} differs");
            }
            Err(e) => {
                let _ = (e.code(), e.to_string());
            }
        }
    }
    let _ = validate_and_price(&order, Some(catalog), validate_options, pricing_options).to_json();

    // The flat layout is what a draft is saved as: it must read and import again.
    let text = serde_json::to_string(&order.to_json(Layout::Flat)).unwrap_or_default();
    match serde_json::from_str::<Value>(&text) {
        Ok(value) => {
            if let Err(e) = Order::from_json(value) {
                panic!("an edited order does not import again: {e}");
            }
        }
        Err(e) => panic!("an edited order is saved as JSON that does not read: {e}"),
    }
    for layout in [Layout::Flat, Layout::Nested] {
        for target in [Version::V4, Version::V5] {
            let converted = order.to_version(layout, None, target);
            assert!(
                orderdesk_wire::parse_order_value(converted.value).is_ok(),
                "an edited order converted to {target} is not an order"
            );
        }
    }
}

/// A discount policy with a limit, so that discounts and approvals are checked.
fn policy() -> DiscountPolicy {
    DiscountPolicy {
        reasons: vec![DiscountReason {
            code: "retention".into(),
            label: "Retention".into(),
            max_percentage: Some(rust_decimal::Decimal::from(10)),
            max_amount: None,
            currency: None,
        }],
    }
}

/// One edit, its targets mostly taken from the order and the catalog so that most edits
/// reach the code behind the lookups.
fn next_op(u: &mut Unstructured, order: &Order, offerings: &[&str]) -> Chosen<Op> {
    let mut ids: Vec<&str> = Vec::new();
    order.walk(|item, _, _| ids.push(item.id.as_str()));
    Ok(match u.int_in_range(0u8..=17)? {
        0 => Op::NewDraft,
        1 => Op::AddOffering {
            offering_id: pick(u, offerings)?,
            parent: maybe_item(u, &ids)?,
            quantity: if u.arbitrary()? { Some(quantity(u)?) } else { None },
        },
        2 => Op::RemoveItem { item: pick(u, &ids)? },
        3 => Op::MoveItem {
            item: pick(u, &ids)?,
            parent: maybe_item(u, &ids)?,
            index: if u.arbitrary()? { Some(index(u)?) } else { None },
        },
        4 => Op::SetQuantity { item: pick(u, &ids)?, quantity: quantity(u)? },
        5 => Op::SetAction {
            item: pick(u, &ids)?,
            action: *u.choose(&[Action::Add, Action::Modify, Action::Delete, Action::NoChange])?,
            product_id: if u.arbitrary()? { Some(text(u)?) } else { None },
        },
        6 => Op::SetCharacteristic {
            item: pick(u, &ids)?,
            name: text(u)?,
            value: value(u)?,
            value_type: if u.arbitrary()? { Some(text(u)?) } else { None },
        },
        7 => Op::ClearCharacteristic { item: pick(u, &ids)?, name: text(u)? },
        8 => Op::AddRelationship {
            item: pick(u, &ids)?,
            target: pick(u, &ids)?,
            kind: pick(u, &["reliesOn", "bundles", "Bundles", "replaces"])?,
        },
        9 => Op::RemoveRelationship {
            item: pick(u, &ids)?,
            target: pick(u, &ids)?,
            kind: pick(u, &["reliesOn", "bundles"])?,
        },
        10 => Op::AddPriceAlteration {
            item: pick(u, &ids)?,
            price: index(u)?,
            alteration: alteration(u)?,
        },
        11 => Op::EditPriceAlteration {
            item: pick(u, &ids)?,
            price: index(u)?,
            index: index(u)?,
            alteration: alteration(u)?,
        },
        12 => {
            Op::RemovePriceAlteration { item: pick(u, &ids)?, price: index(u)?, index: index(u)? }
        }
        13 => Op::SetCustomer {
            party: if u.ratio(1, 4)? {
                value(u)?
            } else {
                json!({"id": text(u)?, "name": text(u)?, "role": pick(u, &["Customer", "customer", "Seller"])?,
                       "@referredType": "Individual"})
            },
        },
        14 => {
            Op::SetBillingAccount { account: if u.arbitrary()? { Some(value(u)?) } else { None } }
        }
        15 => Op::SetChannel { channel: if u.arbitrary()? { Some(value(u)?) } else { None } },
        16 => {
            let n = u.int_in_range(0..=3)?;
            let mut notes = Vec::with_capacity(n);
            for _ in 0..n {
                notes.push(value(u)?);
            }
            Op::SetNotes { notes }
        }
        _ => Op::SetRequestedDates { start: date(u)?, completion: date(u)? },
    })
}

/// One of `known` (an item id, an offering id, a word of the vocabulary), or any text.
fn pick(u: &mut Unstructured, known: &[&str]) -> Chosen<String> {
    if known.is_empty() || u.ratio(1, 8)? {
        return text(u);
    }
    Ok((*u.choose(known)?).to_owned())
}

fn maybe_item(u: &mut Unstructured, ids: &[&str]) -> Chosen<Option<String>> {
    Ok(if u.arbitrary()? { Some(pick(u, ids)?) } else { None })
}

fn quantity(u: &mut Unstructured) -> Chosen<u64> {
    let limit = crate::limits::MAX_QUANTITY;
    Ok(match u.int_in_range(0u8..=3)? {
        0 => u.int_in_range(0..=5)?,
        1 => *u.choose(&[limit, limit.saturating_add(1), u64::MAX])?,
        _ => u.arbitrary()?,
    })
}

fn index(u: &mut Unstructured) -> Chosen<usize> {
    if u.ratio(1, 8)? {
        u.arbitrary()
    } else {
        u.int_in_range(0..=3)
    }
}

/// Short text mostly; now and then longer than any limit allows, or made of control
/// characters.
fn text(u: &mut Unstructured) -> Chosen<String> {
    Ok(match u.int_in_range(0u8..=9)? {
        0 => "x".repeat(u.int_in_range(0..=crate::limits::MAX_TEXT_CHARS.saturating_mul(2))?),
        1 => "\u{1b}[31m\u{0}\u{7f}\u{202e}".to_owned(),
        _ => u.arbitrary::<&str>()?.chars().take(64).collect(),
    })
}

/// A JSON number as text: any length of digits, a fraction, an exponent far beyond `f64`.
fn number(u: &mut Unstructured) -> Chosen<Value> {
    let mut t = String::new();
    if u.arbitrary()? {
        t.push('-');
    }
    let digits = u.int_in_range(1..=40)?;
    for i in 0..digits {
        let d: u8 = u.int_in_range(if i == 0 && digits > 1 { 1 } else { 0 }..=9)?;
        t.push(char::from(b'0'.saturating_add(d)));
    }
    if u.arbitrary()? {
        t.push('.');
        for _ in 0..u.int_in_range(1..=30)? {
            t.push(char::from(b'0'.saturating_add(u.int_in_range(0..=9)?)));
        }
    }
    if u.ratio(1, 4)? {
        t.push_str(&format!("e{}", u.int_in_range(-500i32..=500)?));
    }
    Ok(t.parse::<Number>().map_or(Value::Null, Value::Number))
}

/// Any JSON value, now and then nested deeper than the JSON reader accepts.
fn value(u: &mut Unstructured) -> Chosen<Value> {
    let mut v = match u.int_in_range(0u8..=4)? {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => number(u)?,
        _ => Value::String(text(u)?),
    };
    let wraps = if u.ratio(1, 16)? {
        u.int_in_range(0..=crate::limits::MAX_JSON_DEPTH.saturating_add(12))?
    } else {
        u.int_in_range(0..=2)?
    };
    for _ in 0..wraps {
        v = if u.arbitrary()? {
            Value::Array(vec![v])
        } else {
            let mut m = Map::new();
            m.insert(text(u)?, v);
            Value::Object(m)
        };
    }
    Ok(v)
}

/// A TMF `PriceAlteration`: mostly well-formed, with any numbers in it.
fn alteration(u: &mut Unstructured) -> Chosen<Value> {
    if u.ratio(1, 8)? {
        return value(u);
    }
    let price = match u.int_in_range(0u8..=2)? {
        0 => json!({"percentage": number(u)?}),
        1 => {
            json!({"taxIncludedAmount": {"unit": pick(u, &["EUR", "JPY", "KWD"])?, "value": number(u)?}})
        }
        _ => json!({"dutyFreeAmount": {"unit": "EUR", "value": number(u)?}, "taxRate": number(u)?}),
    };
    let mut alt = json!({
        "name": text(u)?,
        "priceType": pick(u, &["recurring", "oneTime", "usage"])?,
        "price": price,
    });
    for member in ["applicationDuration", "priority"] {
        if u.arbitrary()? {
            let n = number(u)?;
            if let Some(m) = alt.as_object_mut() {
                m.insert(member.into(), n);
            }
        }
    }
    Ok(alt)
}

/// An instant in the years 0 to 9999 (what RFC 3339 text can say), or none.
fn date(u: &mut Unstructured) -> Chosen<Option<DateTime<Utc>>> {
    if u.arbitrary()? {
        return Ok(None);
    }
    let secs = u.int_in_range(-62_167_219_200i64..=253_402_300_799)?;
    Ok(DateTime::from_timestamp(secs, 0))
}
