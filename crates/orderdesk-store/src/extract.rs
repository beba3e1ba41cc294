//! What the store reads out of TMF JSON to fill its listing and search columns.
//!
//! The store keeps the TMF document as text, exactly as given; these columns are derived from
//! it on every write and can always be rebuilt from the text. The rules are deliberately
//! shallow (the domain crate owns pricing): the customer is the related party whose role is
//! "customer", in any shape either TMF622 version writes it (`orderdesk-wire`'s
//! [`orderdesk_wire::parties::customer_name`]), the total
//! is the sum of `orderTotalPrice[].price` amounts (tax included when given) when they share
//! one currency, and the item count includes nested bundle items.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::Value;

/// A sum of money in one currency.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Money {
    pub amount: Decimal,
    pub currency: String,
}

/// The listing columns of an order or draft.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderSummary {
    pub customer: Option<String>,
    pub total: Option<Money>,
    pub item_count: u32,
}

/// Longest search text kept per record; beyond it a record is still found by its first words.
const MAX_SEARCH_TEXT: usize = 32 * 1024;

/// Derive the listing columns from a TMF622 order (v4 or v5).
pub fn summarize_order(order: &Value) -> OrderSummary {
    OrderSummary {
        customer: orderdesk_wire::parties::customer_name(order),
        total: order_total(order),
        item_count: count_items(order.get("productOrderItem")),
    }
}

fn order_total(order: &Value) -> Option<Money> {
    let prices = order.get("orderTotalPrice")?.as_array()?;
    let mut total: Option<Money> = None;
    for entry in prices {
        let Some(price) = entry.get("price") else {
            continue;
        };
        let Some(amount) = price.get("taxIncludedAmount").or_else(|| price.get("dutyFreeAmount"))
        else {
            continue;
        };
        let value = amount.get("value").and_then(decimal_of)?;
        let currency = amount.get("unit").and_then(Value::as_str).unwrap_or_default().to_owned();
        total = match total {
            None => Some(Money { amount: value, currency }),
            // Amounts in different currencies have no single total.
            Some(sum) if sum.currency != currency => return None,
            Some(sum) => Some(Money { amount: sum.amount.checked_add(value)?, currency }),
        };
    }
    total
}

/// An exact decimal from a JSON number or numeric string (never through f64: with
/// `arbitrary_precision` a number's `to_string` is its original text).
fn decimal_of(value: &Value) -> Option<Decimal> {
    match value {
        Value::Number(n) => {
            let text = n.to_string();
            Decimal::from_str(&text).or_else(|_| Decimal::from_scientific(&text)).ok()
        }
        Value::String(s) => Decimal::from_str(s.trim()).ok(),
        _ => None,
    }
}

fn count_items(items: Option<&Value>) -> u32 {
    let Some(items) = items.and_then(Value::as_array) else {
        return 0;
    };
    items.iter().fold(0u32, |count, item| {
        count.saturating_add(1).saturating_add(count_items(item.get("productOrderItem")))
    })
}

/// Keys whose values are plumbing rather than something a user would search for.
fn skipped(key: &str) -> bool {
    matches!(
        key,
        "href" | "@schemaLocation" | "@baseType" | "@referredType" | "validFor" | "version"
    )
}

/// All the words a user might search a record by: ids, names, characteristic values, notes,
/// descriptions: every string and number in the document except links and schema plumbing.
pub fn search_text(doc: &Value) -> String {
    let mut out = String::new();
    collect_text(doc, &mut out);
    out
}

fn collect_text(value: &Value, out: &mut String) {
    if out.len() >= MAX_SEARCH_TEXT {
        return;
    }
    match value {
        Value::String(s) => push_text(out, s),
        Value::Number(n) => push_text(out, &n.to_string()),
        Value::Array(items) => items.iter().for_each(|item| collect_text(item, out)),
        Value::Object(map) => map
            .iter()
            .filter(|(key, _)| !skipped(key))
            .for_each(|(_, item)| collect_text(item, out)),
        Value::Bool(_) | Value::Null => {}
    }
}

fn push_text(out: &mut String, text: &str) {
    if text.is_empty() {
        return;
    }
    if !out.is_empty() {
        out.push(' ');
    }
    let room = MAX_SEARCH_TEXT.saturating_sub(out.len());
    if text.len() <= room {
        out.push_str(text);
    } else {
        let mut cut = room;
        while !text.is_char_boundary(cut) {
            cut = cut.saturating_sub(1);
        }
        out.push_str(&text[..cut]);
    }
}

/// A string field of a JSON object.
pub(crate) fn str_field(doc: &Value, key: &str) -> Option<String> {
    doc.get(key).and_then(Value::as_str).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn summarizes_v4_order() {
        let order = json!({
            "relatedParty": [
                {"id": "1", "name": "Sales Agent", "role": "seller"},
                {"id": "2", "name": "Jane Doe", "role": "Customer"}
            ],
            "orderTotalPrice": [
                {"priceType": "recurring", "price": {"taxIncludedAmount": {"unit": "EUR", "value": 10.10}}},
                {"priceType": "oneTime", "price": {"dutyFreeAmount": {"unit": "EUR", "value": 0.20}}}
            ],
            "productOrderItem": [
                {"id": "1", "productOrderItem": [{"id": "1.1"}, {"id": "1.2"}]},
                {"id": "2"}
            ]
        });
        let summary = summarize_order(&order);
        assert_eq!(summary.customer.as_deref(), Some("Jane Doe"));
        assert_eq!(
            summary.total,
            Some(Money {
                amount: Decimal::from_str("10.30").unwrap_or_default(),
                currency: "EUR".into()
            })
        );
        assert_eq!(summary.item_count, 4);
    }

    #[test]
    fn summarizes_v5_party_and_refuses_mixed_currencies() {
        let order = json!({
            "relatedParty": [{"role": "customer", "partyOrPartyRole": {"name": "ACME"}}],
            "orderTotalPrice": [
                {"price": {"taxIncludedAmount": {"unit": "EUR", "value": 1}}},
                {"price": {"taxIncludedAmount": {"unit": "USD", "value": 1}}}
            ]
        });
        let summary = summarize_order(&order);
        assert_eq!(summary.customer.as_deref(), Some("ACME"));
        assert_eq!(summary.total, None);
        assert_eq!(summary.item_count, 0);
    }

    #[test]
    fn search_text_skips_links_and_keeps_values() {
        let doc = json!({"id": "42", "href": "http://x/42", "note": [{"text": "call after 5pm"}],
                         "productOrderItem": [{"product": {"productCharacteristic": [{"name": "colour", "value": "teal"}]}}],
                         "quantity": 3});
        assert_eq!(search_text(&doc), "42 call after 5pm colour teal 3");
    }
}
