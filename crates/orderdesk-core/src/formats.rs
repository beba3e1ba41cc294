//! The well-known telecom numbers a characteristic can hold, recognised by the
//! characteristic's name, and what a valid one looks like:
//!
//! - **MSISDN** (a mobile phone number): ITU-T E.164, the country code first, at most 15
//!   digits, never starting with 0. Agents type numbers with spaces, hyphens, dots or
//!   parentheses between the digits and a leading `+` or `00`; those are accepted.
//! - **ICCID** (the number printed on a SIM card): ITU-T E.118, 19 or 20 digits starting with
//!   the telecom industry identifier `89`, the last one a Luhn check digit.
//! - **IMEI** (a device's identity): 15 digits, the last one a Luhn check digit.
//!
//! These values name one line, one card or one device: a copy of an order must not carry them
//! ([`TelecomFormat::is_unique`]).
//!
//! A customer's e-mail address is checked here too ([`check_email`]), beside the phone number
//! the same customer form takes.

use serde::Serialize;

/// A telecom number format a characteristic may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum TelecomFormat {
    Msisdn,
    Iccid,
    Imei,
}

/// The shortest MSISDN accepted (a country code and a subscriber number).
const MSISDN_MIN_DIGITS: usize = 8;
/// E.164's longest number.
const MSISDN_MAX_DIGITS: usize = 15;

impl TelecomFormat {
    /// Every format.
    pub const ALL: [TelecomFormat; 3] =
        [TelecomFormat::Msisdn, TelecomFormat::Iccid, TelecomFormat::Imei];

    /// The format a characteristic of this name holds (`TEL_MSISDN`, `PORTED_MSISDN`,
    /// `SIM_ICCID`, `DEVICE_IMEI`, `imei`...), if it is one of them.
    pub fn of(name: &str) -> Option<TelecomFormat> {
        let upper = name.to_ascii_uppercase();
        if upper.contains("MSISDN") {
            Some(TelecomFormat::Msisdn)
        } else if upper.contains("ICCID") {
            Some(TelecomFormat::Iccid)
        } else if upper.contains("IMEI") {
            Some(TelecomFormat::Imei)
        } else {
            None
        }
    }

    /// What an agent calls it.
    pub fn noun(self) -> &'static str {
        match self {
            TelecomFormat::Msisdn => "phone number",
            TelecomFormat::Iccid => "SIM card number (ICCID)",
            TelecomFormat::Imei => "IMEI",
        }
    }

    /// How to write one, for help texts and messages.
    pub fn hint(self) -> &'static str {
        match self {
            TelecomFormat::Msisdn => {
                "in international format, the country code first, e.g. +49 170 1234567"
            }
            TelecomFormat::Iccid => "19 or 20 digits starting with 89, as printed on the SIM card",
            TelecomFormat::Imei => "15 digits, as shown when dialling *#06#",
        }
    }

    /// The value names one line, card or device: a copy of an order leaves it out.
    pub fn is_unique(self) -> bool {
        true
    }
}

/// Whether a characteristic of this name holds a value that names one line, card or device
/// (a phone number, an ICCID, an IMEI), so that no two orders may carry it: the one answer
/// `copy::duplicate` asks. Decided by the name, as [`TelecomFormat::of`] (and the catalog
/// specification's `CharacteristicSpec::format`) recognises the kind of number.
pub fn must_be_unique(name: &str) -> bool {
    TelecomFormat::of(name).is_some_and(TelecomFormat::is_unique)
}

impl TelecomFormat {
    /// Checks a value; the error says what is wrong, in words.
    pub fn check(self, value: &str) -> Result<(), String> {
        match self {
            TelecomFormat::Msisdn => msisdn(value),
            TelecomFormat::Iccid => luhn_number(value, 19..=20, Some("89")),
            TelecomFormat::Imei => luhn_number(value, 15..=15, None),
        }
    }
}

/// How to write an e-mail address, for help texts and messages.
pub const EMAIL_HINT: &str = "e.g. ada@example.org";

/// Checks an e-mail address as an agent types it for a customer: one address (no display
/// name, no `<...>`), a domain with a dot; the error says what is wrong, in words.
pub fn check_email(value: &str) -> Result<(), String> {
    use email_address::{EmailAddress, Error, Options};
    let options =
        Options::default().with_required_tld().without_display_text().without_domain_literal();
    EmailAddress::parse_with_options(value.trim(), options).map(drop).map_err(|err| match err {
        Error::MissingSeparator | Error::LocalPartEmpty => {
            format!("it needs a name, an @ and a domain ({EMAIL_HINT})")
        }
        Error::DomainEmpty | Error::DomainTooFew | Error::SubDomainEmpty => {
            format!("its domain after the @ needs a dot ({EMAIL_HINT})")
        }
        Error::InvalidCharacter => {
            format!("it holds a character an e-mail address cannot have ({EMAIL_HINT})")
        }
        _ => format!("it is not an e-mail address ({EMAIL_HINT})"),
    })
}

/// The digits of a value, or `None` when it holds anything but digits (after the separators
/// an agent may type).
fn digits(value: &str, separators: &[char]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(value.len());
    for c in value.chars() {
        if let Some(d) = c.to_digit(10) {
            out.push(u8::try_from(d).ok()?);
        } else if !separators.contains(&c) {
            return None;
        }
    }
    Some(out)
}

fn msisdn(value: &str) -> Result<(), String> {
    let trimmed = value.trim();
    let (rest, international) = match trimmed.strip_prefix('+') {
        Some(rest) => (rest, true),
        None => match trimmed.strip_prefix("00") {
            Some(rest) => (rest, true),
            None => (trimmed, false),
        },
    };
    let Some(ds) = digits(rest, &[' ', '-', '.', '(', ')', '/']) else {
        return Err("it may hold only digits (and spaces between them)".into());
    };
    if ds.len() < MSISDN_MIN_DIGITS {
        return Err(format!("it has {} digits; a phone number has at least {MSISDN_MIN_DIGITS} with the country code", ds.len()));
    }
    if ds.len() > MSISDN_MAX_DIGITS {
        return Err(format!(
            "it has {} digits; a phone number has at most {MSISDN_MAX_DIGITS}",
            ds.len()
        ));
    }
    if ds.first() == Some(&0) {
        return Err(if international {
            "a country code never starts with 0".into()
        } else {
            "it starts with 0: write it with the country code instead of the leading 0".into()
        });
    }
    Ok(())
}

fn luhn_number(
    value: &str,
    lengths: std::ops::RangeInclusive<usize>,
    prefix: Option<&str>,
) -> Result<(), String> {
    let Some(ds) = digits(value.trim(), &[' ', '-']) else {
        return Err("it may hold only digits".into());
    };
    if !lengths.contains(&ds.len()) {
        let want = if lengths.start() == lengths.end() {
            lengths.start().to_string()
        } else {
            format!("{} or {}", lengths.start(), lengths.end())
        };
        return Err(format!("it has {} digits, not {want}", ds.len()));
    }
    if let Some(prefix) = prefix {
        let starts: String = ds
            .iter()
            .take(prefix.len())
            .filter_map(|d| char::from_digit(u32::from(*d), 10))
            .collect();
        if starts != prefix {
            return Err(format!("it must start with {prefix}"));
        }
    }
    if !luhn(&ds) {
        return Err("its check digit is wrong: a digit is mistyped or two are swapped".into());
    }
    Ok(())
}

/// What a doubled digit adds to the Luhn sum: the sum of its digits (7 → 14 → 5).
const DOUBLED: [u32; 10] = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9];

/// The Luhn (mod 10) check over digits whose last one is the check digit.
fn luhn(ds: &[u8]) -> bool {
    let sum = ds.iter().rev().enumerate().try_fold(0u32, |sum, (i, &d)| {
        let d = if i % 2 == 1 { DOUBLED.get(usize::from(d)).copied()? } else { u32::from(d) };
        sum.checked_add(d)
    });
    sum.is_some_and(|s| s.is_multiple_of(10))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_name() {
        assert_eq!(TelecomFormat::of("TEL_MSISDN"), Some(TelecomFormat::Msisdn));
        assert_eq!(TelecomFormat::of("ported_msisdn"), Some(TelecomFormat::Msisdn));
        assert_eq!(TelecomFormat::of("SIM_ICCID"), Some(TelecomFormat::Iccid));
        assert_eq!(TelecomFormat::of("DEVICE_IMEI"), Some(TelecomFormat::Imei));
        assert_eq!(TelecomFormat::of("COLOUR"), None);
    }

    #[test]
    fn email_addresses() {
        for good in ["ada@example.org", " grace.hopper+navy@mail.example.com "] {
            assert_eq!(check_email(good), Ok(()), "{good}");
        }
        for (bad, says) in [
            ("ada", "an @"),
            ("@example.org", "an @"),
            ("ada@localhost", "a dot"),
            ("ada@", "a dot"),
            ("ada lovelace@example.org", "character"),
            ("Ada <ada@example.org>", "not an e-mail address"),
        ] {
            let err = check_email(bad).expect_err(bad);
            assert!(err.contains(says), "{bad}: {err}");
        }
    }

    #[test]
    fn phone_numbers() {
        let ok = |v: &str| TelecomFormat::Msisdn.check(v).is_ok();
        for good in
            ["+49 170 1234567", "4917012345678", "0049-170-1234567", "415 279 7439", "34600555666"]
        {
            assert!(ok(good), "{good}");
        }
        for bad in ["12ab", "+49", "0170 1234567", "+0 170 1234567", "1234567890123456", ""] {
            assert!(!ok(bad), "{bad}");
        }
    }

    #[test]
    fn iccid_and_imei_check_digits() {
        // IMEI 49015420323751 with its Luhn digit 8.
        assert!(TelecomFormat::Imei.check("490154203237518").is_ok());
        assert!(TelecomFormat::Imei.check("49-015420-323751-8").is_ok());
        assert!(TelecomFormat::Imei.check("490154203237519").is_err());
        assert!(TelecomFormat::Imei.check("49015420323751").is_err());
        // An ICCID of 19 digits whose last is the Luhn digit.
        assert!(TelecomFormat::Iccid.check("8949110000000000007").is_ok());
        assert!(TelecomFormat::Iccid.check("8949110000000000006").is_err());
        assert!(TelecomFormat::Iccid.check("7949110000000000007").is_err());
        assert!(TelecomFormat::Iccid.check("89491100000000000x7").is_err());
    }
}
