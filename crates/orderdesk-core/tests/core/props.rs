//! Property tests: totals never go negative, item order in the file does not change prices,
//! flat and nested imports agree.

use orderdesk_core::{price, Layout, PricingOptions};
use proptest::prelude::*;
use serde_json::{json, Value};

use super::order;

fn amount() -> impl Strategy<Value = String> {
    (0u32..100_000).prop_map(|c| format!("{}.{:02}", c / 100, c % 100))
}

fn alteration() -> impl Strategy<Value = Value> {
    (prop::bool::ANY, 0u32..=100, amount(), prop::option::of(1u32..6), 0i64..4).prop_map(
        |(pct, p, a, d, prio)| {
            let price = if pct {
                json!({ "percentage": p })
            } else {
                json!({ "dutyFreeAmount": { "unit": "EUR", "value": a.parse::<serde_json::Number>().ok() } })
            };
            json!({ "name": "alt", "priceType": "recurring", "priority": prio,
                    "applicationDuration": d, "price": price })
        },
    )
}

fn item_price() -> impl Strategy<Value = Value> {
    (prop::bool::ANY, amount(), prop::collection::vec(alteration(), 0..4), 0u32..30).prop_map(
        |(recurring, a, alts, rate)| {
            let value = a.parse::<serde_json::Number>().ok();
            if recurring {
                json!({ "priceType": "recurring", "recurringChargePeriod": "month",
                        "price": { "taxRate": rate, "dutyFreeAmount": { "unit": "EUR", "value": value } },
                        "priceAlteration": alts })
            } else {
                json!({ "priceType": "oneTime",
                        "price": { "taxRate": rate, "taxIncludedAmount": { "unit": "EUR", "value": value } },
                        "priceAlteration": alts })
            }
        },
    )
}

/// A flat order: `n` items, each with prices, and a random parent (an earlier item) or none.
fn flat_order() -> impl Strategy<Value = Value> {
    prop::collection::vec(
        (prop::collection::vec(item_price(), 0..3), 1u32..4, prop::option::of(0usize..8)),
        1..8,
    )
    .prop_map(|items| {
        let mut out: Vec<Value> = items
            .iter()
            .enumerate()
            .map(|(i, (prices, q, _))| {
                json!({ "id": (i + 1).to_string(), "action": "add", "quantity": q, "itemPrice": prices })
            })
            .collect();
        for (i, (_, _, parent)) in items.iter().enumerate() {
            if let Some(p) = parent.filter(|p| *p < i) {
                let rel = json!({ "id": (i + 1).to_string(), "relationshipType": "bundles" });
                match out[p].get_mut("productOrderItemRelationship").and_then(Value::as_array_mut) {
                    Some(rels) => rels.push(rel),
                    None => out[p]["productOrderItemRelationship"] = json!([rel]),
                }
            }
        }
        json!({ "productOrderItem": out })
    })
}

fn figures(v: Value) -> Value {
    let q = price(&order(v), None, PricingOptions::default()).to_json();
    json!({ "currencies": q["currencies"], "orderTotalPrice": q["orderTotalPrice"] })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn totals_never_negative(v in flat_order()) {
        let q = price(&order(v), None, PricingOptions::default());
        for c in &q.currencies {
            prop_assert!(!c.total.amounts.duty_free.is_sign_negative() || c.total.amounts.duty_free.is_zero());
            prop_assert!(!c.total.amounts.tax_included.is_sign_negative() || c.total.amounts.tax_included.is_zero());
            for e in &c.schedule {
                prop_assert!(e.amounts.duty_free >= rust_decimal::Decimal::ZERO);
                prop_assert!(e.amounts.tax_included >= rust_decimal::Decimal::ZERO);
            }
        }
    }

    #[test]
    fn item_order_in_the_file_does_not_change_prices(v in flat_order(), seed in any::<u64>()) {
        let mut shuffled = v.clone();
        if let Some(items) = shuffled["productOrderItem"].as_array_mut() {
            // Deterministic shuffle from the seed (Fisher-Yates with an LCG).
            let mut s = seed;
            for i in (1..items.len()).rev() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let j = (s >> 33) as usize % (i + 1);
                items.swap(i, j);
            }
        }
        prop_assert_eq!(figures(v), figures(shuffled));
    }

    #[test]
    fn flat_and_nested_imports_agree(v in flat_order()) {
        let flat = order(v);
        let nested = order(flat.to_json(Layout::Nested));
        prop_assert_eq!(nested.without_origins(), flat.without_origins());
        let a = price(&flat, None, PricingOptions::default());
        let b = price(&nested, None, PricingOptions::default());
        prop_assert_eq!(a.currencies, b.currencies);
        prop_assert_eq!(a.order_total_price, b.order_total_price);
    }
}
