//! Money on order items: every price and alteration readable, not negative, percentages in
//! range, one currency per order (each finding located on the price it is about).

use rust_decimal::Decimal;
use serde_json::Value;

use crate::catalog::uint;
use crate::codes::{finding, PRICE_ALTERATION_INVALID, PRICE_CURRENCY_MISMATCH, PRICE_INVALID};
use crate::finding::Finding;
use crate::model::Item;
use crate::pricing::parse_price;

pub(super) fn money(
    item: &Item,
    path: &str,
    currencies: &mut Vec<(String, String)>,
    out: &mut Vec<Finding>,
) {
    let Some(prices) = item.fields.get("itemPrice").and_then(Value::as_array) else { return };
    for (p, raw) in prices.iter().enumerate() {
        let at = format!("{path}/itemPrice/{p}");
        let Some(price_raw) = raw.get("price") else {
            out.push(finding(PRICE_INVALID, &at, "itemPrice entry has no price"));
            continue;
        };
        let price = match parse_price(price_raw) {
            Ok(p) => p,
            Err(m) => {
                out.push(finding(PRICE_INVALID, format!("{at}/price"), m));
                continue;
            }
        };
        let df_unit = price.duty_free.as_ref().and_then(|m| m.unit.clone());
        let ti_unit = price.tax_included.as_ref().and_then(|m| m.unit.clone());
        if let (Some(a), Some(b)) = (&df_unit, &ti_unit) {
            if a != b {
                out.push(finding(
                    PRICE_CURRENCY_MISMATCH,
                    format!("{at}/price/taxIncludedAmount/unit"),
                    format!("duty-free amount is in {a} but tax-included amount is in {b}"),
                ));
            }
        }
        let unit = df_unit.or(ti_unit);
        if let Some(u) = &unit {
            currencies.push((u.clone(), format!("{at}/price")));
        }
        for (n, m) in
            [("dutyFreeAmount", &price.duty_free), ("taxIncludedAmount", &price.tax_included)]
        {
            if m.as_ref().is_some_and(|m| m.value.is_sign_negative() && !m.value.is_zero()) {
                out.push(finding(
                    PRICE_INVALID,
                    format!("{at}/price/{n}/value"),
                    "a price must not be negative",
                ));
            }
        }
        let alts =
            raw.get("priceAlteration").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
        for (a, alt) in alts.iter().enumerate() {
            let alt_at = format!("{at}/priceAlteration/{a}");
            if let Some(d) = alt.get("applicationDuration") {
                if uint(d).is_none_or(|d| d < 1) {
                    out.push(finding(
                        PRICE_ALTERATION_INVALID,
                        format!("{alt_at}/applicationDuration"),
                        format!(
                            "applicationDuration must be a whole number of at least 1, found {d}"
                        ),
                    ));
                }
            }
            let Some(alt_price) = alt.get("price") else {
                out.push(finding(PRICE_ALTERATION_INVALID, &alt_at, "the alteration has no price"));
                continue;
            };
            let ap = match parse_price(alt_price) {
                Ok(p) => p,
                Err(m) => {
                    out.push(finding(PRICE_ALTERATION_INVALID, format!("{alt_at}/price"), m));
                    continue;
                }
            };
            if let Some(pct) = ap.percentage {
                if pct < Decimal::ZERO || pct > Decimal::ONE_HUNDRED {
                    out.push(finding(
                        PRICE_ALTERATION_INVALID,
                        format!("{alt_at}/price/percentage"),
                        format!("percentage must be between 0 and 100, found {pct}"),
                    ));
                }
            }
            for (n, m) in
                [("dutyFreeAmount", &ap.duty_free), ("taxIncludedAmount", &ap.tax_included)]
            {
                let Some(m) = m else { continue };
                if m.value.is_sign_negative() && !m.value.is_zero() {
                    out.push(finding(
                        PRICE_ALTERATION_INVALID,
                        format!("{alt_at}/price/{n}/value"),
                        format!("an alteration amount must not be negative, found {}", m.value),
                    ));
                }
                if let (Some(u), Some(line)) = (&m.unit, &unit) {
                    if u != line {
                        out.push(finding(
                            PRICE_CURRENCY_MISMATCH,
                            format!("{alt_at}/price/{n}/unit"),
                            format!("alteration is in {u} but the price is in {line}"),
                        ));
                    }
                }
            }
        }
    }
}

/// One currency per order: the first price that differs from the first currency seen.
pub(crate) fn currencies(currencies: &[(String, String)], out: &mut Vec<Finding>) {
    if let Some((first, _)) = currencies.first() {
        if let Some((unit, at)) = currencies.iter().skip(1).find(|(unit, _)| unit != first) {
            out.push(finding(
                PRICE_CURRENCY_MISMATCH,
                at,
                format!(
                    "the order mixes currencies: {unit} here, {first} elsewhere; they are priced separately"
                ),
            ));
        }
    }
}
