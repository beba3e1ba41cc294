//! Parse + validate + price an order of 1,000 items against a catalog of 10,000 offerings,
//! compared with parsing the same JSON into `serde_json::Value`. Target: at most 3x.
//!
//! Then the editor's case: one item's quantity changed, the order validated (with the official
//! create schema) and priced again, whole (`validate_and_price`) and by a [`Recheck`] that
//! computes only the changed item; the ratio recheck/whole is printed.
//!
//! Run: `cargo bench -p orderdesk-core --bench pipeline`. Before the criterion groups it prints
//! `ratio core/serde_json_value = N.Nx` and `ratio recheck/whole = N.NNx` from its own median
//! timings.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use std::sync::Arc;

use orderdesk_core::{
    apply, price, validate, validate_and_price, Catalog, Op, Order, PricingOptions, Recheck,
    ValidateOptions,
};
use serde_json::{json, Value};

const OFFERINGS: usize = 10_000;
const BUNDLES: usize = 250; // each with 3 children: 1,000 items

fn catalog_json() -> Value {
    let mut offerings = Vec::with_capacity(OFFERINGS);
    let mut prices = Vec::with_capacity(OFFERINGS * 2);
    let mut specs = Vec::with_capacity(OFFERINGS);
    for i in 0..OFFERINGS {
        let bundle = i % 4 == 0;
        let mut po = json!({
            "id": format!("PO-{i}"), "name": format!("Offering {i}"), "lifecycleStatus": "Launched",
            "isBundle": bundle, "productSpecification": { "id": format!("PS-{i}") },
            "productOfferingPrice": [ { "id": format!("POP-{i}-m") }, { "id": format!("POP-{i}-d") } ],
            "validFor": { "startDateTime": "2020-01-01T00:00:00Z" },
        });
        if bundle {
            po["bundledProductOffering"] = json!((1..=3).map(|k| json!({
                "id": format!("PO-{}", i + k),
                "bundledProductOfferingOption": { "numberRelOfferLowerLimit": 1, "numberRelOfferUpperLimit": 1 }
            })).collect::<Vec<_>>());
        }
        offerings.push(po);
        prices.push(json!({ "id": format!("POP-{i}-m"), "name": "monthly", "priceType": "recurring",
            "recurringChargePeriodType": "month", "price": { "unit": "EUR", "value": 10 + i % 50 } }));
        prices
            .push(json!({ "id": format!("POP-{i}-d"), "name": "welcome", "priceType": "discount",
            "percentage": 10, "applicationDuration": 3 }));
        specs.push(json!({ "id": format!("PS-{i}"), "productSpecCharacteristic": [
            { "name": "TIER", "valueType": "string", "minCardinality": 1,
              "productSpecCharacteristicValue": [ { "value": "gold" }, { "value": "silver" } ] },
            { "name": "GB", "valueType": "integer", "minCardinality": 0 } ] }));
    }
    json!({ "productOffering": offerings, "productOfferingPrice": prices,
            "productSpecification": specs, "category": [] })
}

fn order_text() -> String {
    let mut items = Vec::with_capacity(BUNDLES * 4);
    let mut next = 1;
    for b in 0..BUNDLES {
        let base = (b * 4 * 7) % (OFFERINGS - 4) / 4 * 4; // a bundle offering id
        let parent = next;
        let children: Vec<usize> = (1..=3).map(|k| parent + k).collect();
        items.push(json!({
            "id": parent.to_string(), "action": "add", "quantity": 1,
            "productOffering": { "id": format!("PO-{base}") },
            "product": { "productCharacteristic": [ { "name": "TIER", "value": "gold" } ] },
            "productOrderItemRelationship": children.iter()
                .map(|c| json!({ "id": c.to_string(), "relationshipType": "bundles" })).collect::<Vec<_>>(),
        }));
        for (k, c) in children.iter().enumerate() {
            items.push(json!({
                "id": c.to_string(), "action": "add", "quantity": 1 + k,
                "productOffering": { "id": format!("PO-{}", base + k + 1) },
                "product": { "productCharacteristic": [
                    { "name": "TIER", "value": "silver" }, { "name": "GB", "value": 20 } ] },
                "itemPrice": [ {
                    "name": "fee", "priceType": "recurring", "recurringChargePeriod": "month",
                    "price": { "taxRate": 20, "dutyFreeAmount": { "unit": "EUR", "value": 19.99 } },
                    "priceAlteration": [ { "name": "promo", "priceType": "recurring", "priority": 1,
                        "applicationDuration": 3, "price": { "percentage": 25 } } ] } ],
                "itemTerm": [ { "duration": { "amount": 24, "units": "month" } } ],
            }));
        }
        next += 4;
    }
    json!({ "id": "bench", "productOrderItem": items }).to_string()
}

fn core_pipeline(text: &str, catalog: &Catalog) -> usize {
    let value: Value = serde_json::from_str(text).unwrap_or_default();
    let Ok(order) = Order::from_json(value) else { return 0 };
    let findings = validate(&order, Some(catalog), ValidateOptions::default());
    let quote = price(&order, Some(catalog), PricingOptions::default());
    findings.len() + quote.items.len()
}

fn median(mut f: impl FnMut(), runs: usize) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn main() {
    let catalog = Catalog::from_json(&catalog_json()).unwrap_or_default();
    let text = order_text();
    // The order must be realistic: valid against the catalog, 1,000 items, all priced. A
    // benchmark of an order that failed to import would time nothing and report a fine ratio.
    let value: Value = serde_json::from_str(&text).unwrap_or_default();
    let order = match Order::from_json(value) {
        Ok(order) => order,
        Err(e) => {
            eprintln!("the benchmark order does not import: {e}");
            std::process::exit(1);
        }
    };
    let findings = validate(&order, Some(&catalog), ValidateOptions::default());
    let quote = price(&order, Some(&catalog), PricingOptions::default());
    let errors = findings.iter().filter(|f| f.is_error()).count();
    if catalog.offerings.is_empty()
        || order.item_count() < 1_000
        || errors > 0
        || quote.items.len() < 1_000
    {
        eprintln!(
            "the benchmark is not measuring a real order: {} offerings, {} items, {errors} errors, {} priced",
            catalog.offerings.len(),
            order.item_count(),
            quote.items.len()
        );
        std::process::exit(1);
    }
    println!(
        "order: {} items, {} bytes, {} findings",
        order.item_count(),
        text.len(),
        findings.len()
    );

    let base = median(|| drop(black_box(serde_json::from_str::<Value>(black_box(&text)))), 41);
    let core = median(
        || {
            black_box(core_pipeline(black_box(&text), &catalog));
        },
        41,
    );
    println!(
        "serde_json::Value {:.2} ms, core (parse+import+validate+price) {:.2} ms",
        base.as_secs_f64() * 1e3,
        core.as_secs_f64() * 1e3
    );
    println!("ratio core/serde_json_value = {:.1}x", core.as_secs_f64() / base.as_secs_f64());

    // An edit: the quantity of an item in the middle toggles between 1 and 2.
    let catalog = Arc::new(catalog);
    let options = ValidateOptions {
        version: Some(orderdesk_wire::Version::V4),
        ..ValidateOptions::default()
    };
    let mut ids = Vec::new();
    order.walk(|item, _, _| ids.push(item.id.clone()));
    let middle = ids.get(ids.len() / 2).cloned().unwrap_or_default();
    let edited: Vec<Order> = [2, 1]
        .into_iter()
        .filter_map(|quantity| {
            let op = Op::SetQuantity { item: middle.clone(), quantity };
            apply(&order, &op, Some(&catalog)).ok()
        })
        .collect();
    let turn = std::cell::Cell::new(0usize);
    let next = || {
        turn.set(turn.get().wrapping_add(1));
        &edited[turn.get() % edited.len()]
    };
    let p = PricingOptions::default();
    let whole =
        median(|| drop(black_box(validate_and_price(next(), Some(&catalog), options, p))), 41);
    let mut recheck = Recheck::new();
    let first = next();
    let checked = recheck.validate_and_price(first, Some(&catalog), options, p);
    assert_eq!(checked, validate_and_price(first, Some(&catalog), options, p));
    let again = median(
        || drop(black_box(recheck.validate_and_price(next(), Some(&catalog), options, p))),
        41,
    );
    assert_eq!(recheck.computed(), 1, "the recheck computes the edited item only");
    println!(
        "after a quantity edit: validate and price whole {:.2} ms, recheck {:.2} ms",
        whole.as_secs_f64() * 1e3,
        again.as_secs_f64() * 1e3
    );
    println!("ratio recheck/whole = {:.2}x", again.as_secs_f64() / whole.as_secs_f64());

    let mut c = Criterion::default().configure_from_args().sample_size(20);
    c.bench_function("serde_json_value", |b| {
        b.iter(|| serde_json::from_str::<Value>(black_box(&text)))
    });
    c.bench_function("parse_validate_price", |b| {
        b.iter(|| core_pipeline(black_box(&text), &catalog))
    });
    c.bench_function("edit_validate_and_price_whole", |b| {
        b.iter(|| validate_and_price(next(), Some(&catalog), options, p))
    });
    c.bench_function("edit_recheck", |b| {
        b.iter(|| recheck.validate_and_price(next(), Some(&catalog), options, p))
    });
    c.final_summary();
}
