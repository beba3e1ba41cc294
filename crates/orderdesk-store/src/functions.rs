//! SQL functions the schema calls, registered on every connection the store opens (before the
//! migrations run). They let the orders list's triggers and view use the rules that already
//! live in Rust instead of a second copy in SQL: the wire crate's tolerant reading of an order
//! state, Rust's Unicode lower case, and exact decimal order for money.
//!
//! A connection without them (a bare `sqlite3` shell) can read everything but cannot write
//! drafts, orders or outbox entries: their triggers call these functions
//! ([`crate::register_sql_functions`] registers them on a connection of one's own).

use std::str::FromStr;

use orderdesk_wire::OrderState;
use rusqlite::functions::FunctionFlags;
use rusqlite::Connection;
use rust_decimal::Decimal;

/// Digits kept before the point in a money sort key: `Decimal` holds at most 29.
const KEY_INTEGER_DIGITS: usize = 29;
/// Digits kept after the point: `Decimal`'s largest scale.
const KEY_FRACTION_DIGITS: usize = 28;

/// Registers every function on `conn`: a connection of its own (a tool, a benchmark) needs
/// them to write drafts, orders or outbox entries.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8
        | FunctionFlags::SQLITE_DETERMINISTIC
        | FunctionFlags::SQLITE_INNOCUOUS;
    // `order_state(text)`: the TMF622 state a server's spelling names, or NULL.
    conn.create_scalar_function("order_state", 1, flags, |ctx| {
        Ok(ctx.get::<Option<String>>(0)?.as_deref().and_then(OrderState::parse).map(|s| s.as_str()))
    })?;
    // `order_failed(text)`: 1 when the state is a failure the agent must look at.
    conn.create_scalar_function("order_failed", 1, flags, |ctx| {
        let state = ctx.get::<Option<String>>(0)?;
        Ok(state.as_deref().and_then(OrderState::parse).is_some_and(OrderState::is_failure))
    })?;
    // `fold_case(text)`: Unicode lower case, as the list sorts and filters customers.
    conn.create_scalar_function("fold_case", 1, flags, |ctx| {
        Ok(ctx.get::<Option<String>>(0)?.map(|text| text.to_lowercase()))
    })?;
    // `money_key(text)`: text whose byte order is the amount's numeric order, or NULL.
    conn.create_scalar_function("money_key", 1, flags, |ctx| {
        Ok(ctx.get::<Option<String>>(0)?.as_deref().and_then(money_key))
    })?;
    Ok(())
}

/// A fixed-width key for a decimal amount: `1` and the zero-padded digits for an amount of
/// zero or more, `0` and the nines' complement of the digits of the absolute value for a
/// negative one, so that comparing keys as text compares the amounts exactly.
pub(crate) fn money_key(text: &str) -> Option<String> {
    let amount = Decimal::from_str(text.trim()).ok()?;
    let negative = amount.is_sign_negative() && !amount.is_zero();
    let digits = amount.abs().normalize().to_string();
    let (integer, fraction) = digits.split_once('.').unwrap_or((digits.as_str(), ""));
    let padded = format!(
        "{integer:0>KEY_INTEGER_DIGITS$}{fraction:0<KEY_FRACTION_DIGITS$}",
        integer = integer,
        fraction = fraction
    );
    if negative {
        let complement: String = padded
            .chars()
            .map(|c| {
                c.to_digit(10)
                    .and_then(|d| char::from_digit(9_u32.saturating_sub(d), 10))
                    .unwrap_or(c)
            })
            .collect();
        Some(format!("0{complement}"))
    } else {
        Some(format!("1{padded}"))
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use rust_decimal::Decimal;

    use super::money_key;

    #[test]
    fn money_keys_order_as_the_amounts() {
        let amounts = [
            "-1000",
            "-99.5",
            "-99.05",
            "-1",
            "-0.001",
            "0",
            "0.00",
            "0.001",
            "1",
            "1.5",
            "9.99",
            "10",
            "99.05",
            "99.5",
            "1000",
            "79228162514264337593543950335",
        ];
        let keys: Vec<String> = amounts.iter().filter_map(|a| money_key(a)).collect();
        assert_eq!(keys.len(), amounts.len());
        for (pair, window) in amounts.windows(2).zip(keys.windows(2)) {
            let (a, b) = (Decimal::from_str(pair[0]), Decimal::from_str(pair[1]));
            let expected = a.ok().cmp(&b.ok());
            assert_eq!(window[0].cmp(&window[1]), expected, "{} vs {}", pair[0], pair[1]);
        }
        assert_eq!(money_key("twelve"), None);
    }
}
