//! Currency minor units (ISO 4217) and rounding.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// How amounts are rounded to the currency's minor unit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum Rounding {
    /// 0.005 -> 0.01 (commercial rounding; the default).
    #[default]
    HalfUp,
    /// 0.005 -> 0.00, 0.015 -> 0.02 (banker's rounding).
    HalfEven,
}

/// Number of decimal places of an ISO 4217 currency. Currencies not listed use 2, which is
/// what the vast majority of active codes use.
pub fn minor_units(currency: &str) -> u32 {
    match currency.to_ascii_uppercase().as_str() {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        "CLF" | "UYW" => 4,
        _ => 2,
    }
}

/// Round `amount` to the minor units of `currency`, always with exactly that many decimals
/// (so `20` prints as `20.00` for EUR).
pub fn round(amount: Decimal, currency: &str, rounding: Rounding) -> Decimal {
    let dp = minor_units(currency);
    let strategy = match rounding {
        Rounding::HalfUp => RoundingStrategy::MidpointAwayFromZero,
        Rounding::HalfEven => RoundingStrategy::MidpointNearestEven,
    };
    let mut r = amount.round_dp_with_strategy(dp, strategy);
    r.rescale(dp);
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    #[test]
    fn half_up_and_half_even_differ_at_midpoint() {
        assert_eq!(round(d("0.005"), "EUR", Rounding::HalfUp).to_string(), "0.01");
        assert_eq!(round(d("0.005"), "EUR", Rounding::HalfEven).to_string(), "0.00");
        assert_eq!(round(d("0.015"), "EUR", Rounding::HalfEven).to_string(), "0.02");
        assert_eq!(round(d("20"), "EUR", Rounding::HalfUp).to_string(), "20.00");
        assert_eq!(round(d("1.5"), "JPY", Rounding::HalfUp).to_string(), "2");
        assert_eq!(round(d("1.0005"), "KWD", Rounding::HalfUp).to_string(), "1.001");
    }
}
