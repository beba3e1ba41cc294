//! Table-driven pricing tests. Each case asserts its key figures directly and snapshots the
//! full `price --json` document (explanations, TMF totals) so any change in it is reviewed.

use orderdesk_core::{price, Order, PricingOptions, Rounding};
use serde_json::{json, Value};

use super::{catalog, json, order, pretty, TMF25};

fn quote(input: Value, with_catalog: bool, options: PricingOptions) -> Value {
    let cat = catalog();
    price(&order(input), with_catalog.then_some(&cat), options).to_json()
}

/// Price `input` and compare: one-time duty-free, schedule duty-free per period, total.
fn check(
    name: &str,
    input: Value,
    with_catalog: bool,
    options: PricingOptions,
    expected: Expected,
) {
    let q = quote(input, with_catalog, options);
    assert_eq!(q["currency"], json!(expected.currency), "{name}: {}", pretty(&q));
    assert_eq!(q["oneTime"]["dutyFree"], json!(expected.one_time), "{name}: {}", pretty(&q));
    let schedule: Vec<&str> = q["schedule"]
        .as_array()
        .map_or(vec![], |s| s.iter().filter_map(|e| e["dutyFree"].as_str()).collect());
    assert_eq!(schedule, expected.schedule, "{name}: {}", pretty(&q));
    assert_eq!(q["total"]["dutyFree"], json!(expected.total), "{name}: {}", pretty(&q));
    insta::assert_snapshot!(format!("price_{name}"), pretty(&q));
}

struct Expected {
    currency: &'static str,
    one_time: &'static str,
    schedule: Vec<&'static str>,
    total: &'static str,
}

fn one(prices: Value) -> Value {
    json!({ "productOrderItem": [{ "id": "1", "quantity": 1, "action": "add", "itemPrice": prices }] })
}

fn monthly(amount: &str, alterations: Value) -> Value {
    one(json!([{
        "name": "fee", "priceType": "recurring", "recurringChargePeriod": "month",
        "price": { "taxRate": 0, "dutyFreeAmount": { "unit": "EUR", "value": json(amount) } },
        "priceAlteration": alterations
    }]))
}

fn periods(n: u32) -> PricingOptions {
    PricingOptions { periods: Some(n), ..PricingOptions::default() }
}

#[test]
fn tmf25_from_the_order() {
    let mut schedule = vec!["16.99", "16.00", "16.00"];
    schedule.extend(std::iter::repeat_n("20.00", 9));
    check(
        "tmf25",
        json(TMF25),
        false,
        PricingOptions::default(),
        Expected { currency: "EUR", one_time: "0.99", schedule, total: "228.99" },
    );
}

#[test]
fn tmf25_from_the_catalog_gives_the_same_figures() {
    let mut v = json(TMF25);
    if let Some(items) = v["productOrderItem"].as_array_mut() {
        for item in items {
            if let Some(o) = item.as_object_mut() {
                o.remove("itemPrice");
                o.remove("itemTerm");
            }
        }
    }
    let mut schedule = vec!["16.99", "16.00", "16.00"];
    schedule.extend(std::iter::repeat_n("20.00", 9));
    check(
        "tmf25_catalog",
        v,
        true,
        PricingOptions::default(),
        Expected { currency: "EUR", one_time: "0.99", schedule, total: "228.99" },
    );
}

#[test]
fn tmf25_item_and_order_totals_in_tmf_shape() {
    let q = quote(json(TMF25), false, PricingOptions::default());
    let recurring = q["orderTotalPrice"]
        .as_array()
        .and_then(|a| a.iter().find(|p| p["priceType"] == "recurring"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(recurring["recurringChargePeriod"], "month");
    assert_eq!(recurring["price"]["dutyFreeAmount"]["value"].to_string(), "20.00");
    assert_eq!(recurring["priceAlteration"][0]["applicationDuration"], 3);
    assert_eq!(
        recurring["priceAlteration"][0]["price"]["dutyFreeAmount"]["value"].to_string(),
        "16.00"
    );
    let item120 = q["items"].as_array().and_then(|a| a.iter().find(|i| i["id"] == "120")).cloned();
    let steps =
        item120.map(|i| i["explanation"][0]["segments"][0]["steps"].clone()).unwrap_or_default();
    assert_eq!(steps[1]["step"], "WelcomeDiscount -20%");
    assert_eq!(steps[1]["dutyFree"], "16");
}

#[test]
fn alteration_edge_cases() {
    let pct = |p: &str, d: Option<u32>| {
        json!({ "name": format!("{p}%"), "priceType": "recurring", "applicationDuration": d,
                "price": { "percentage": json(p) } })
    };
    check(
        "zero_percent",
        monthly("10", json!([pct("0", None)])),
        false,
        periods(2),
        Expected {
            currency: "EUR",
            one_time: "0.00",
            schedule: vec!["10.00", "10.00"],
            total: "20.00",
        },
    );
    check(
        "hundred_percent_two_months",
        monthly("10", json!([pct("100", Some(2))])),
        false,
        periods(4),
        Expected {
            currency: "EUR",
            one_time: "0.00",
            schedule: vec!["0.00", "0.00", "10.00", "10.00"],
            total: "20.00",
        },
    );
    check(
        "amount_larger_than_price",
        monthly(
            "10",
            json!([{ "name": "voucher", "priceType": "recurring", "applicationDuration": 1,
                     "price": { "dutyFreeAmount": { "unit": "EUR", "value": 25 } } }]),
        ),
        false,
        periods(2),
        Expected {
            currency: "EUR",
            one_time: "0.00",
            schedule: vec!["0.00", "10.00"],
            total: "10.00",
        },
    );
    // Priority decides: 10 - 5 = 5, then -50 % = 2.50 (the other way round would be 0.00).
    check(
        "priority_order",
        monthly(
            "10",
            json!([
                { "name": "half", "priority": 2, "priceType": "recurring", "price": { "percentage": 50 } },
                { "name": "five off", "priority": 1, "priceType": "recurring",
                  "price": { "dutyFreeAmount": { "unit": "EUR", "value": 5 } } },
            ]),
        ),
        false,
        periods(1),
        Expected { currency: "EUR", one_time: "0.00", schedule: vec!["2.50"], total: "2.50" },
    );
    // A one-time alteration on a recurring price applies to the first period only.
    check(
        "one_time_alteration_on_recurring",
        monthly(
            "10",
            json!([{ "name": "first free", "priceType": "oneTime", "price": { "percentage": 100 } }]),
        ),
        false,
        periods(3),
        Expected {
            currency: "EUR",
            one_time: "0.00",
            schedule: vec!["0.00", "10.00", "10.00"],
            total: "20.00",
        },
    );
}

#[test]
fn zero_priced_items_and_quantity() {
    check(
        "zero_price_and_quantity",
        json!({ "productOrderItem": [
            { "id": "1", "quantity": 3, "action": "add", "itemPrice": [
                { "priceType": "nonRecurring", "price": { "dutyFreeAmount": { "unit": "EUR", "value": 1.10 } } } ] },
            { "id": "2", "quantity": 1, "action": "add", "itemPrice": [
                { "priceType": "recurring", "recurringChargePeriod": "month",
                  "price": { "dutyFreeAmount": { "unit": "EUR", "value": 0 } } } ] },
            { "id": "3", "quantity": 5, "action": "delete", "product": { "id": "P" }, "itemPrice": [
                { "priceType": "nonRecurring", "price": { "dutyFreeAmount": { "unit": "EUR", "value": 99 } } } ] },
        ] }),
        false,
        periods(2),
        Expected {
            currency: "EUR",
            one_time: "3.30",
            schedule: vec!["3.30", "0.00"],
            total: "3.30",
        },
    );
}

#[test]
fn tax_is_derived_from_the_rate() {
    let input = one(json!([
        { "priceType": "oneTime", "price": { "taxRate": 20, "dutyFreeAmount": { "unit": "EUR", "value": 10 } } },
        { "priceType": "oneTime", "price": { "taxRate": 20, "taxIncludedAmount": { "unit": "EUR", "value": 12 } } },
    ]));
    let q = quote(input, false, periods(1));
    assert_eq!(q["oneTime"]["dutyFree"], "20.00", "{}", pretty(&q));
    assert_eq!(q["oneTime"]["taxIncluded"], "24.00", "{}", pretty(&q));
    insta::assert_snapshot!("price_tax_derived", pretty(&q));
}

#[test]
fn mixed_periods() {
    let input = json!({ "productOrderItem": [
        { "id": "1", "action": "add", "itemPrice": [
            { "name": "monthly", "priceType": "recurring", "recurringChargePeriod": "month",
              "price": { "dutyFreeAmount": { "unit": "EUR", "value": 5 } } },
            { "name": "yearly", "priceType": "recurring", "recurringChargePeriod": "year",
              "price": { "dutyFreeAmount": { "unit": "EUR", "value": 50 } } },
            { "name": "weekly", "priceType": "recurring", "recurringChargePeriod": "week",
              "price": { "dutyFreeAmount": { "unit": "EUR", "value": 1 } } } ],
          "itemTerm": [ { "duration": { "amount": 2, "units": "year" } } ] },
    ] });
    let q = quote(input, false, PricingOptions::default());
    // Weeks do not divide months: the schedule is by month and the weekly charge is spread
    // over it by the year (52 weeks make 4.33 a month, rounded per period). Every charge is in
    // the total: 24 x 5 + 2 x 50 + 24 x 4.33.
    assert_eq!(q["schedulePeriod"], "month", "{}", pretty(&q));
    assert_eq!(q["total"]["periods"], 24);
    assert_eq!(q["total"]["dutyFree"], "323.92", "{}", pretty(&q));
    assert_eq!(q["schedule"][0]["dutyFree"], "59.33");
    assert_eq!(q["schedule"][1]["dutyFree"], "9.33");
    assert_eq!(q["recurring"].as_array().map(Vec::len), Some(3));
    let warnings = q["findings"]
        .as_array()
        .map_or(0, |f| f.iter().filter(|f| f["code"] == "price.period_mixed").count());
    assert_eq!(warnings, 1, "the weekly charge says how it is spread");

    let input = json!({ "productOrderItem": [
        { "id": "1", "action": "add", "itemPrice": [
            { "name": "monthly", "priceType": "recurring", "recurringChargePeriod": "month",
              "price": { "dutyFreeAmount": { "unit": "EUR", "value": 5 } } },
            { "name": "yearly", "priceType": "recurring", "recurringChargePeriod": "year",
              "price": { "dutyFreeAmount": { "unit": "EUR", "value": 50 } } } ],
          "itemTerm": [ { "duration": { "amount": 2, "units": "year" } } ] },
    ] });
    let mut schedule = vec!["55.00"];
    schedule.extend(std::iter::repeat_n("5.00", 11));
    schedule.push("55.00");
    schedule.extend(std::iter::repeat_n("5.00", 11));
    check(
        "month_and_year",
        input,
        false,
        PricingOptions::default(),
        Expected { currency: "EUR", one_time: "0.00", schedule, total: "220.00" },
    );
}

#[test]
fn several_currencies_are_never_added() {
    let input = json!({ "productOrderItem": [
        { "id": "1", "action": "add", "itemPrice": [
            { "priceType": "recurring", "recurringChargePeriod": "month",
              "price": { "dutyFreeAmount": { "unit": "EUR", "value": 10 } } } ] },
        { "id": "2", "action": "add", "productOffering": { "id": "90003" } },
        { "id": "3", "action": "add", "itemPrice": [
            { "priceType": "oneTime", "price": { "dutyFreeAmount": { "unit": "JPY", "value": 1000.5 } } } ] },
    ] });
    let q = quote(input, true, periods(1));
    assert_eq!(q["currency"], "EUR");
    let currencies: Vec<(&str, &str, &str)> = q["currencies"].as_array().map_or(vec![], |c| {
        c.iter()
            .map(|c| {
                (
                    c["currency"].as_str().unwrap_or_default(),
                    c["total"]["dutyFree"].as_str().unwrap_or_default(),
                    c["total"]["taxIncluded"].as_str().unwrap_or_default(),
                )
            })
            .collect()
    });
    assert_eq!(
        currencies,
        vec![("EUR", "10.00", "10.00"), ("JPY", "1001", "1001"), ("USD", "9.99", "10.99")]
    );
    insta::assert_snapshot!("price_several_currencies", pretty(&q));
}

#[test]
fn rounding_at_half_a_cent() {
    let input = || {
        one(json!([
            { "priceType": "oneTime", "price": { "dutyFreeAmount": { "unit": "EUR", "value": 0.005 } } },
            { "priceType": "oneTime", "price": { "dutyFreeAmount": { "unit": "EUR", "value": 0.015 } } },
            { "priceType": "oneTime", "price": { "dutyFreeAmount": { "unit": "EUR", "value": 0.025 } } },
        ]))
    };
    let up = quote(input(), false, periods(1));
    assert_eq!(up["oneTime"]["dutyFree"], "0.06", "{}", pretty(&up));
    let even =
        quote(input(), false, PricingOptions { rounding: Rounding::HalfEven, periods: Some(1) });
    assert_eq!(even["oneTime"]["dutyFree"], "0.04", "{}", pretty(&even));
    insta::assert_snapshot!("price_rounding_half_up", pretty(&up));
}

#[test]
fn empty_order_prices_to_nothing() {
    let q = quote(json!({ "productOrderItem": [] }), false, PricingOptions::default());
    assert_eq!(q["currency"], Value::Null);
    assert_eq!(q["currencies"], json!([]));
    let _ = Order::default();
}

#[test]
fn absurd_amounts_do_not_panic() {
    // 10^19 units at 10^10 EUR overflows 96-bit decimals: figures saturate, nothing panics.
    let input = json!({ "productOrderItem": [
        { "id": "1", "action": "add", "quantity": 10_000_000_000_000_000_000u64, "itemPrice": [
            { "priceType": "oneTime",
              "price": { "taxRate": 20, "dutyFreeAmount": { "unit": "EUR", "value": 10_000_000_000u64 } } } ] },
        { "id": "2", "action": "add", "itemPrice": [
            { "priceType": "oneTime",
              "price": { "taxRate": -99.9999999, "taxIncludedAmount": { "unit": "EUR", "value": 79_000_000_000_000_000_000_000_000u128 } } } ] },
    ] });
    let q = quote(input, false, periods(1));
    assert_eq!(q["currency"], "EUR");
    assert!(q["oneTime"]["dutyFree"].as_str().is_some_and(|s| s.len() > 20), "{}", pretty(&q));
}
