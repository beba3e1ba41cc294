//! The one table of finding codes: every problem Orderdesk reports on an order has one code
//! here, with its severity, what refusing it means for a server, and what it means to an agent.
//!
//! Findings are made through [`finding`], which takes the severity from this table, so a code
//! cannot be an error in one place and a warning in another. `docs/findings.md` is generated
//! from [`CODES`] (a test fails when it is stale).

use crate::finding::{Finding, Severity};

/// What a server does with an order that has an error finding of this code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Class {
    /// The order is malformed: `400 Bad Request`.
    Structure,
    /// The order is well formed but the catalog does not allow it: `422 Unprocessable Entity`.
    Catalog,
    /// Advice only (warnings): never a reason to refuse.
    Advice,
    /// A discount policy the caller passes to the check ([`crate::policy`]): an error for
    /// whoever applies the policy; a server, which does not know it, never reports one. The
    /// approval that lifts such a finding travels with the order as a note.
    Policy,
}

/// One finding code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    /// The stable dotted code.
    pub code: &'static str,
    /// Error (the order cannot be submitted as it is) or warning.
    pub severity: Severity,
    /// How a server refuses it.
    pub class: Class,
    /// What it means, in a sentence an agent understands.
    pub meaning: &'static str,
}

macro_rules! codes {
    ($( $konst:ident = $code:literal, $sev:ident, $class:ident, $meaning:literal; )*) => {
        $(
            #[doc = $meaning]
            pub const $konst: &str = $code;
        )*
        /// Every finding code, grouped as the documentation lists them.
        pub const CODES: &[Code] = &[
            $( Code { code: $code, severity: Severity::$sev, class: Class::$class, meaning: $meaning }, )*
        ];
    };
}

codes! {
    // ---- the document ----
    ORDER_NOT_OBJECT = "order.not_object", Error, Structure,
        "The document is not a JSON object, so it is not a product order.";
    ORDER_ITEMS_INVALID = "order.items_invalid", Error, Structure,
        "`productOrderItem` (or an item's nested list or relationships) is not a list of objects.";
    ORDER_NO_ITEMS = "order.no_items", Error, Structure,
        "The order has no items.";
    TYPE_UNEXPECTED = "type.unexpected", Warning, Advice,
        "An `@type` is spelled differently from the TMF class name; it is read as that class.";
    FIELD_LENIENT = "field.lenient", Warning, Advice,
        "A member has the wrong JSON type but its value is clear (a number sent as text, a boolean as a string); it is read as meant and sent in its proper type.";
    DATE_INVALID = "date.invalid", Error, Structure,
        "A date is neither an RFC 3339 date-time nor a YYYY-MM-DD day.";
    DATE_ORDER = "date.order", Error, Structure,
        "The requested completion date lies before the requested start date.";
    DATE_PAST = "date.past", Warning, Advice,
        "A requested start or completion date has already passed; the server will treat it as as soon as possible, or refuse it.";
    PARTY_UNIDENTIFIED = "party.unidentified", Error, Structure,
        "A related party has neither an id nor a name, so no one can tell who it is.";
    // ---- items ----
    ITEM_ID_MISSING = "item.id_missing", Error, Structure,
        "An item has no id; every item needs one, unique in the order.";
    ITEM_DUPLICATE_ID = "item.duplicate_id", Error, Structure,
        "Two items have the same id.";
    ITEM_ACTION_MISSING = "item.action_missing", Error, Structure,
        "An item has no action (add, modify, delete or noChange).";
    ITEM_ACTION_UNKNOWN = "item.action_unknown", Error, Structure,
        "An item's action is not add, modify, delete or noChange.";
    ITEM_PRODUCT_MISSING = "item.product_missing", Error, Structure,
        "A modify, delete or noChange item does not name the existing product it acts on.";
    ITEM_QUANTITY = "item.quantity", Error, Structure,
        "An item's quantity is not a whole number of at least 1.";
    RELATIONSHIP_DANGLING = "relationship.dangling", Error, Structure,
        "An item relationship points to an item that is not in the order.";
    BUNDLE_CYCLE = "bundle.cycle", Error, Structure,
        "Bundles contain each other in a circle.";
    BUNDLE_MULTIPLE_PARENTS = "bundle.multiple_parents", Error, Structure,
        "An item is bundled by two different items.";
    CHARACTERISTIC_NAME_MISSING = "characteristic.name_missing", Error, Structure,
        "A characteristic has no name.";
    CHARACTERISTIC_TYPE_MISMATCH = "characteristic.type_mismatch", Error, Structure,
        "A typed characteristic's value does not have its type (a StringCharacteristic holding a number).";
    // ---- limits (crate::limits) ----
    LIMIT_ITEMS = "limit.items", Error, Structure,
        "The order has more items than Orderdesk accepts in one order.";
    LIMIT_DEPTH = "limit.depth", Error, Structure,
        "Bundles nest deeper than Orderdesk accepts.";
    LIMIT_CHILDREN = "limit.children", Error, Structure,
        "A bundle holds more items than Orderdesk accepts in one bundle.";
    LIMIT_CHARACTERISTICS = "limit.characteristics", Error, Structure,
        "An item has more characteristics than Orderdesk accepts.";
    LIMIT_PRICES = "limit.prices", Error, Structure,
        "An item has more prices, or a price more alterations, than Orderdesk accepts.";
    LIMIT_QUANTITY = "limit.quantity", Error, Structure,
        "A quantity is larger than Orderdesk accepts for one item.";
    LIMIT_TEXT = "limit.text", Error, Structure,
        "A text or an identifier is longer than Orderdesk accepts.";
    LIMIT_PERIODS = "limit.periods", Error, Structure,
        "A term is longer than a price schedule can show (a hundred years by the month); the schedule stops there.";
    // ---- money ----
    PRICE_INVALID = "price.invalid", Error, Structure,
        "A price cannot be read: no amount, an amount that is not a decimal number, or a negative one.";
    PRICE_ALTERATION_INVALID = "price.alteration_invalid", Error, Structure,
        "A price alteration (discount) cannot be read or is out of range.";
    PRICE_CURRENCY_MISMATCH = "price.currency_mismatch", Warning, Advice,
        "The order mixes currencies; each currency is totalled on its own.";
    PRICE_OVERFLOW = "price.overflow", Error, Structure,
        "An amount is too large to be computed exactly; the figures shown are not the order's.";
    PRICE_PERIOD_MIXED = "price.period_mixed", Warning, Advice,
        "Recurring charges of different periods (monthly and yearly) are added in one schedule.";
    MONEY_UNIT_INVALID = "money.unit_invalid", Warning, Advice,
        "A currency is not an ISO 4217 code.";
    // ---- the official schema ----
    SCHEMA_REQUIRED = "schema.required", Error, Structure,
        "The official TMF622 create schema requires a member that is missing.";
    SCHEMA_TYPE = "schema.type", Error, Structure,
        "The official TMF622 create schema expects another JSON type here.";
    SCHEMA_SHAPE = "schema.shape", Error, Structure,
        "A value matches none of the shapes the official TMF622 create schema allows here.";
    SCHEMA_VALUE = "schema.value", Error, Structure,
        "The official TMF622 create schema refuses this value (not one of the allowed names, not a date-time, ...).";
    CONVERT_NOT_CARRIED = "convert.not_carried", Warning, Advice,
        "The other TMF622 version has no room for this member; it is left out when the order is sent or written in that version.";
    // ---- the catalog ----
    OFFERING_UNKNOWN = "offering.unknown", Error, Catalog,
        "The offering is not in the catalog.";
    OFFERING_NOT_ORDERABLE = "offering.not_orderable", Error, Catalog,
        "The offering exists but cannot be ordered now (retired, not yet valid, not sellable).";
    BUNDLE_CARDINALITY = "bundle.cardinality", Error, Catalog,
        "A bundle has too few or too many of one of its child offerings.";
    BUNDLE_UNEXPECTED_CHILD = "bundle.unexpected_child", Warning, Advice,
        "An item sits in a bundle whose offering does not list it.";
    CHARACTERISTIC_MISSING = "characteristic.missing", Error, Catalog,
        "A characteristic the product specification requires has no value.";
    CHARACTERISTIC_VALUE = "characteristic.value", Error, Catalog,
        "A characteristic's value is not allowed by the product specification (type, list or range).";
    CHARACTERISTIC_PATTERN = "characteristic.pattern", Error, Catalog,
        "A characteristic's value does not have the form the product specification's pattern (`regex`) asks for.";
    CHARACTERISTIC_FORMAT = "characteristic.format", Warning, Advice,
        "A characteristic is by its name a well-known telecom number and its value is not one: a phone number (MSISDN) in international E.164 form, a SIM card number (ICCID) or a device IMEI with its check digit. The catalog does not declare the form (a `regex` it declares is `characteristic.pattern`), so this is advice.";
    CHARACTERISTIC_UNKNOWN = "characteristic.unknown", Warning, Advice,
        "A characteristic is not defined by the product specification.";
    RELATIONSHIP_TARGET_MISSING = "relationship.target_missing", Error, Catalog,
        "The offering relies on another offering that is neither in the order nor an existing product.";
    // ---- the discount policy of the server profile (crate::policy) ----
    DISCOUNT_REASON = "discount.reason", Error, Policy,
        "A discount the agent gave has no reason, or a reason the discount policy does not list.";
    DISCOUNT_APPROVAL = "discount.approval", Error, Policy,
        "A discount is larger than the discount policy allows for its reason and no approval (approver and approval code) is recorded.";
    // ---- the customer's inventory ----
    PRODUCT_UNKNOWN = "product.unknown", Error, Catalog,
        "A modify, delete or noChange item names an installed product the inventory does not hold.";
    PRODUCT_OTHER_CUSTOMER = "product.other_customer", Error, Catalog,
        "A modify, delete or noChange item names an installed product that belongs to another customer.";
    PRODUCT_NOT_ACTIVE = "product.not_active", Error, Catalog,
        "A modify, delete or noChange item names an installed product that is not active (suspended, terminated, still being provided).";
}

/// The table entry of `code`.
pub fn lookup(code: &str) -> Option<&'static Code> {
    CODES.iter().find(|c| c.code == code)
}

/// A finding with `code`'s severity. A code missing from [`CODES`] is a programming error the
/// tests catch; it is reported as an error so that it is never silently let through.
pub fn finding(code: &str, path: impl Into<String>, message: impl Into<String>) -> Finding {
    match lookup(code).map(|c| c.severity) {
        Some(Severity::Warning) => Finding::warning(code, path, message),
        _ => Finding::error(code, path, message),
    }
}

/// The class of a finding's code ([`Class::Structure`] for a code the table lacks).
pub fn class_of(f: &Finding) -> Class {
    match lookup(&f.code) {
        Some(c) => c.class,
        None => Class::Structure,
    }
}

/// The Markdown table `docs/findings.md` holds.
pub fn markdown() -> String {
    let mut out = String::from(
        "# Finding codes\n\n\
         Every problem Orderdesk reports on an order, with one code each. The editor, \
         `orderdesk check`, `orderdesk draft check`, the submit gate and the reference server \
         all report these codes from the same function (`orderdesk_core::validate`). An order \
         with an error cannot be submitted; a server refuses a structure error with \
         `400 Bad Request` and a catalog error with `422 Unprocessable Entity`. Warnings never \
         stop an order. A policy error comes from a discount policy the caller passes to the \
         check (`ValidateOptions::policy`); a server, which does not know the policy, never \
         reports one. The approval that lifts it is sent with the order as a note.\n\n\
         This file is generated from `crates/orderdesk-core/src/codes.rs` \
         (`ORDERDESK_WRITE_DOCS=1 cargo test -p orderdesk-core` rewrites it).\n\n\
         | Code | Severity | Refused as | Meaning |\n|---|---|---|---|\n",
    );
    for c in CODES {
        let severity = match c.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let class = match c.class {
            Class::Structure => "400",
            Class::Catalog => "422",
            Class::Advice => "—",
            Class::Policy => "policy",
        };
        out.push_str(&format!("| `{}` | {severity} | {class} | {} |\n", c.code, c.meaning));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_warnings_never_refuse() {
        let mut seen = std::collections::HashSet::new();
        for c in CODES {
            assert!(seen.insert(c.code), "{} is listed twice", c.code);
            assert_eq!(
                c.severity == Severity::Warning,
                c.class == Class::Advice,
                "{}: warnings are advice and advice is a warning",
                c.code
            );
        }
        assert!(finding(BUNDLE_UNEXPECTED_CHILD, "", "").severity == Severity::Warning);
        assert!(finding("no.such.code", "", "").is_error());
    }
}
