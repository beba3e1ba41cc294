//! The discount policy of a server profile: which reasons an agent may give a discount for,
//! how large it may be for each reason, and that a larger one needs an approval.
//!
//! A discount here is a price alteration the agent wrote into an item's own price
//! (`itemPrice[].priceAlteration[]`) — one without a `productOfferingPrice`, which marks the
//! catalog's own alterations (a welcome discount the catalog gives is no agent's decision).
//! Its reason is the alteration's `description`, read as one of the policy's reason codes (or
//! their labels). A percentage is held against the reason's maximum percentage, an amount
//! against its maximum amount in the reason's currency.
//!
//! **How the client and a server agree.** The policy is the client's (it is passed to
//! [`crate::validate`] in `ValidateOptions::policy`): a server does not know it. Its findings
//! have the class [`Class::Policy`]: errors for whoever applies the policy, never reported by
//! a server. The approval that lifts
//! `discount.approval` travels with the order as a note ([`approval_note`]): its `id` names
//! the discount and the size approved (`discount-approval:<item>:<price>:<alteration>:<size>`,
//! so a discount changed afterwards needs a new approval), its `author` the approver, its
//! text the approval code. Anyone reading the order, the server included, sees who approved
//! what.
//!
//! [`Class::Policy`]: crate::codes::Class::Policy

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::catalog::decimal;
use crate::codes::{finding, DISCOUNT_APPROVAL, DISCOUNT_REASON};
use crate::finding::Finding;
use crate::limits;
use crate::model::{Item, Order};

/// The prefix of an approval note's id.
pub const APPROVAL_NOTE_PREFIX: &str = "discount-approval:";

/// A server profile's discount policy. No reasons: discounts are not governed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiscountPolicy {
    /// The reasons a discount may be given for, in the order the agent picks from.
    pub reasons: Vec<DiscountReason>,
}

/// One reason with its limits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiscountReason {
    /// What the order carries (`retention`).
    pub code: String,
    /// What the agent reads (`Customer retention`).
    pub label: String,
    /// The largest percentage without an approval (decimal text, `20` is 20 %); `None`:
    /// no limit.
    pub max_percentage: Option<Decimal>,
    /// The largest amount without an approval (decimal text), in `currency`; `None`: no
    /// limit.
    pub max_amount: Option<Decimal>,
    /// The currency of `max_amount` (ISO 4217).
    pub currency: Option<String>,
}

/// What a server profile rules for its agents: the discount policy and the reasons an order
/// may be cancelled for. Both are the client's (no server knows them), stored with the
/// profile and given to every check made for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfilePolicy {
    #[serde(default)]
    pub discount: DiscountPolicy,
    /// The reasons a cancellation is asked for with, in the order the agent picks from. Empty:
    /// the agent writes the reason (free text). Missing in a stored or given policy: the
    /// [`default_cancel_reasons`].
    #[serde(default = "default_cancel_reasons")]
    pub cancel_reasons: Vec<CancelReason>,
}

impl Default for ProfilePolicy {
    fn default() -> Self {
        ProfilePolicy {
            discount: DiscountPolicy::default(),
            cancel_reasons: default_cancel_reasons(),
        }
    }
}

/// One reason a cancellation may be asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelReason {
    /// What scripts name (`customer-request`).
    pub code: String,
    /// What the agent reads and the server receives (`Customer request`).
    pub label: String,
}

/// The cancellation reasons of a profile that names none.
pub fn default_cancel_reasons() -> Vec<CancelReason> {
    [
        ("customer-request", "Customer request"),
        ("duplicate", "Duplicate order"),
        ("wrong-items", "Wrong products or options"),
        ("price", "Price or offer changed"),
        ("credit", "Credit check failed"),
        ("other", "Other"),
    ]
    .into_iter()
    .map(|(code, label)| CancelReason { code: code.into(), label: label.into() })
    .collect()
}

impl ProfilePolicy {
    /// Checks the discount policy ([`DiscountPolicy::check`]) and the cancellation reasons
    /// (a code and a label each, each code once, within [`limits::MAX_POLICY_REASONS`]).
    pub fn check(&self) -> Result<(), PolicyError> {
        self.discount.check()?;
        if self.cancel_reasons.len() > limits::MAX_POLICY_REASONS {
            return Err(PolicyError(format!(
                "at most {} cancellation reasons",
                limits::MAX_POLICY_REASONS
            )));
        }
        let mut seen = std::collections::HashSet::new();
        for r in &self.cancel_reasons {
            let code = r.code.trim();
            if code.is_empty() || r.label.trim().is_empty() {
                return Err(PolicyError(
                    "every cancellation reason needs a code and a label".into(),
                ));
            }
            if code.chars().count() > limits::MAX_ID_CHARS
                || r.label.chars().count() > limits::MAX_ID_CHARS
            {
                return Err(PolicyError(format!(
                    "a cancellation reason's code and label are at most {} characters",
                    limits::MAX_ID_CHARS
                )));
            }
            if !seen.insert(code.to_lowercase()) {
                return Err(PolicyError(format!(
                    "the cancellation reason {code:?} is listed twice"
                )));
            }
        }
        Ok(())
    }

    /// The cancellation reason `text` names: a code or a label, in any case.
    pub fn cancel_reason(&self, text: &str) -> Option<&CancelReason> {
        let t = text.trim();
        self.cancel_reasons
            .iter()
            .find(|r| r.code.eq_ignore_ascii_case(t) || r.label.trim().eq_ignore_ascii_case(t))
    }

    /// The discount policy when it governs discounts (what [`crate::ValidateOptions::policy`]
    /// takes).
    pub fn governing(&self) -> Option<&DiscountPolicy> {
        self.discount.governs().then_some(&self.discount)
    }
}

/// Where a policy cannot be used as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PolicyError(pub String);

impl DiscountPolicy {
    /// Checks a policy an agent or a file gives: reasons with a code and a label, each code
    /// once, limits not negative, a percentage at most 100, an amount with its currency,
    /// within [`limits::MAX_POLICY_REASONS`].
    pub fn check(&self) -> Result<(), PolicyError> {
        if self.reasons.len() > limits::MAX_POLICY_REASONS {
            return Err(PolicyError(format!(
                "a policy has at most {} reasons",
                limits::MAX_POLICY_REASONS
            )));
        }
        let mut seen = std::collections::HashSet::new();
        for r in &self.reasons {
            let code = r.code.trim();
            if code.is_empty() || r.label.trim().is_empty() {
                return Err(PolicyError("every reason needs a code and a label".into()));
            }
            if code.chars().count() > limits::MAX_ID_CHARS
                || r.label.chars().count() > limits::MAX_ID_CHARS
            {
                return Err(PolicyError(format!(
                    "a reason's code and label are at most {} characters",
                    limits::MAX_ID_CHARS
                )));
            }
            if !seen.insert(code.to_lowercase()) {
                return Err(PolicyError(format!("the reason {code:?} is listed twice")));
            }
            if let Some(p) = r.max_percentage {
                if p.is_sign_negative() || p > Decimal::ONE_HUNDRED {
                    return Err(PolicyError(format!(
                        "{code}: the maximum percentage must be between 0 and 100"
                    )));
                }
            }
            if let Some(a) = r.max_amount {
                if a.is_sign_negative() {
                    return Err(PolicyError(format!("{code}: the maximum amount is negative")));
                }
                let iso = r
                    .currency
                    .as_deref()
                    .is_some_and(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()));
                if !iso {
                    return Err(PolicyError(format!(
                        "{code}: a maximum amount needs its currency (ISO 4217, e.g. EUR)"
                    )));
                }
            }
        }
        Ok(())
    }

    /// The reason a discount's text names: a code or a label, in any case.
    pub fn reason(&self, text: &str) -> Option<&DiscountReason> {
        let t = text.trim();
        self.reasons
            .iter()
            .find(|r| r.code.eq_ignore_ascii_case(t) || r.label.trim().eq_ignore_ascii_case(t))
    }

    /// Whether the policy governs discounts at all.
    pub fn governs(&self) -> bool {
        !self.reasons.is_empty()
    }
}

/// A discount's size as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiscountSize {
    Percentage(Decimal),
    Amount { value: Decimal, currency: Option<String> },
}

/// The size of an alteration, when it can be read (a price that cannot is `price.invalid`'s).
pub fn discount_size(alteration: &Value) -> Option<DiscountSize> {
    let price = alteration.get("price")?;
    if let Some(p) = price.get("percentage").and_then(decimal) {
        return Some(DiscountSize::Percentage(p));
    }
    let money = price.get("dutyFreeAmount").or_else(|| price.get("taxIncludedAmount"))?;
    Some(DiscountSize::Amount {
        value: money.get("value").and_then(decimal)?,
        currency: money.get("unit").and_then(Value::as_str).map(str::to_owned),
    })
}

/// An alteration is the agent's (governed by the policy), not the catalog's.
pub fn is_agents(alteration: &Value) -> bool {
    alteration.get("productOfferingPrice").is_none_or(Value::is_null)
}

/// Why a discount of `size` given for `reason` needs an approval, or `None` when it is
/// within the reason's limits.
pub fn over_limit(reason: &DiscountReason, size: &DiscountSize) -> Option<String> {
    match size {
        DiscountSize::Percentage(p) => reason
            .max_percentage
            .filter(|max| p > max)
            .map(|max| format!("{p} % is more than the {max} % allowed for {}", reason.label)),
        DiscountSize::Amount { value, currency } => {
            let max = reason.max_amount?;
            let unit = reason.currency.as_deref().unwrap_or_default();
            if currency.as_deref() != Some(unit) {
                Some(format!(
                    "an amount in {} cannot be held against the limit of {max} {unit} for {}",
                    currency.as_deref().unwrap_or("no currency"),
                    reason.label
                ))
            } else if *value > max {
                Some(format!(
                    "{value} {unit} is more than the {max} {unit} allowed for {}",
                    reason.label
                ))
            } else {
                None
            }
        }
    }
}

/// The id of the note that approves the alteration at `itemPrice[price].priceAlteration[index]`
/// of item `item`, of exactly that `size`: the approval names what was approved, so a
/// discount made larger (or smaller) after its approval needs a new one.
pub fn approval_note_id(item: &str, price: usize, index: usize, size: &DiscountSize) -> String {
    format!("{APPROVAL_NOTE_PREFIX}{item}:{price}:{index}:{}", size_token(size))
}

/// A size as the last part of an approval note's id: `50%`, `120EUR` (the number normalised,
/// so `50.0` and `50` are the same approval; the currency kept to its letters and digits, so
/// the part never holds the separator).
pub fn size_token(size: &DiscountSize) -> String {
    match size {
        DiscountSize::Percentage(p) => format!("{}%", p.normalize()),
        DiscountSize::Amount { value, currency } => {
            let unit: String = currency
                .as_deref()
                .unwrap_or_default()
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect();
            format!("{}{unit}", value.normalize())
        }
    }
}

/// An approval recorded in an order's notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub item: String,
    pub price: usize,
    pub index: usize,
    /// The size approved, as [`size_token`] writes it.
    pub size: String,
    /// Who approved (the note's `author`).
    pub approver: String,
    /// The note's text (it carries the approval code).
    pub text: String,
}

impl Approval {
    /// Whether this approves the alteration at `price`/`index` of `item` as it is now (`size`).
    pub fn approves(&self, item: &str, price: usize, index: usize, size: &DiscountSize) -> bool {
        self.item == item
            && self.price == price
            && self.index == index
            && self.size == size_token(size)
    }
}

/// The approval a note records, if it is one.
pub fn read_approval(note: &Value) -> Option<Approval> {
    let rest = note.get("id").and_then(Value::as_str)?.strip_prefix(APPROVAL_NOTE_PREFIX)?;
    // The item id may itself hold colons: the price, the alteration and the size are the last
    // three parts. A note without the size approves nothing (it cannot say what it approved).
    let mut parts = rest.rsplitn(4, ':');
    let size = parts.next()?.to_owned();
    if !(size.ends_with('%') || size.starts_with(|c: char| c.is_ascii_digit() || c == '-')) {
        return None;
    }
    let index = parts.next()?.parse().ok()?;
    let price = parts.next()?.parse().ok()?;
    let item = parts.next()?.to_owned();
    let approver = note.get("author").and_then(Value::as_str)?.trim().to_owned();
    let text = note.get("text").and_then(Value::as_str).unwrap_or_default().to_owned();
    (!approver.is_empty() && !item.is_empty()).then_some(Approval {
        item,
        price,
        index,
        size,
        approver,
        text,
    })
}

/// Every approval an order's notes record.
pub fn approvals(order: &Order) -> Vec<Approval> {
    order
        .fields
        .get("note")
        .and_then(Value::as_array)
        .map(|notes| notes.iter().filter_map(read_approval).collect())
        .unwrap_or_default()
}

/// The text of an approval note: who approved, the approval code, and what.
pub fn approval_text(approver: &str, code: &str, what: &str) -> String {
    format!("Discount approved by {approver}, approval code {code}: {what}")
}

/// The approval note's members (`id`, `author`, `date`, `text`); the caller adds what the
/// order's TMF version asks of a note (its `@type`).
pub fn approval_note(
    item: &str,
    price: usize,
    index: usize,
    size: &DiscountSize,
    approver: &str,
    date: &str,
    text: &str,
) -> Map<String, Value> {
    let mut note = Map::new();
    note.insert("id".into(), json!(approval_note_id(item, price, index, size)));
    note.insert("author".into(), json!(approver));
    note.insert("date".into(), json!(date));
    note.insert("text".into(), json!(text));
    note
}

/// The policy's findings on one item's own prices.
pub(crate) fn check_item(
    item: &Item,
    path: &str,
    policy: &DiscountPolicy,
    approved: &[Approval],
    out: &mut Vec<Finding>,
) {
    if !policy.governs() {
        return;
    }
    let Some(prices) = item.fields.get("itemPrice").and_then(Value::as_array) else { return };
    for (p, price) in prices.iter().enumerate() {
        let Some(alts) = price.get("priceAlteration").and_then(Value::as_array) else { continue };
        for (a, alt) in alts.iter().enumerate() {
            if !is_agents(alt) {
                continue;
            }
            let at = format!("{path}/itemPrice/{p}/priceAlteration/{a}");
            let name = alt.get("name").and_then(Value::as_str).unwrap_or("a discount");
            let given = alt.get("description").and_then(Value::as_str).unwrap_or_default();
            let Some(reason) = policy.reason(given) else {
                let listed: Vec<&str> = policy.reasons.iter().map(|r| r.label.as_str()).collect();
                let why = if given.trim().is_empty() {
                    format!("{name} has no reason")
                } else {
                    format!("{name} gives the reason {given:?}, which the policy does not list")
                };
                out.push(finding(
                    DISCOUNT_REASON,
                    format!("{at}/description"),
                    format!("{why}; choose one of: {}", listed.join(", ")),
                ));
                continue;
            };
            let Some(size) = discount_size(alt) else { continue };
            let Some(why) = over_limit(reason, &size) else { continue };
            let has_approval = approved.iter().any(|x| x.approves(&item.id, p, a, &size));
            if !has_approval {
                out.push(finding(
                    DISCOUNT_APPROVAL,
                    at,
                    format!("{name}: {why}; it needs an approval (approver and approval code)"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> DiscountPolicy {
        DiscountPolicy {
            reasons: vec![DiscountReason {
                code: "retention".into(),
                label: "Customer retention".into(),
                max_percentage: Some(Decimal::from(20)),
                max_amount: Some(Decimal::from(50)),
                currency: Some("EUR".into()),
            }],
        }
    }

    #[test]
    fn limits_by_kind() {
        let p = policy();
        let r = p.reason("Customer Retention");
        assert!(r.is_some());
        let Some(r) = r else { return };
        assert!(over_limit(r, &DiscountSize::Percentage(Decimal::from(20))).is_none());
        assert!(over_limit(r, &DiscountSize::Percentage(Decimal::from(50))).is_some());
        let eur =
            |v: i64| DiscountSize::Amount { value: Decimal::from(v), currency: Some("EUR".into()) };
        assert!(over_limit(r, &eur(50)).is_none());
        assert!(over_limit(r, &eur(51)).is_some());
        let usd = DiscountSize::Amount { value: Decimal::ONE, currency: Some("USD".into()) };
        assert!(over_limit(r, &usd).is_some(), "another currency cannot be compared");
    }

    #[test]
    fn approval_notes_round_trip() {
        let size = DiscountSize::Percentage(Decimal::new(500, 1));
        let note = Value::Object(approval_note(
            "a:b",
            0,
            2,
            &size,
            "Jane Doe",
            "2026-01-01T00:00:00Z",
            "x",
        ));
        assert_eq!(note.get("id"), Some(&json!("discount-approval:a:b:0:2:50%")));
        let read = read_approval(&note);
        assert_eq!(read.as_ref().map(|a| (a.item.as_str(), a.price, a.index)), Some(("a:b", 0, 2)));
        let read = read.unwrap_or_else(|| panic!("the note was not read back"));
        // The approval is of 50 %, written as 50 or 50.0; not of 60 %, nor of 50 EUR.
        assert!(read.approves("a:b", 0, 2, &DiscountSize::Percentage(Decimal::from(50))));
        assert!(!read.approves("a:b", 0, 2, &DiscountSize::Percentage(Decimal::from(60))));
        let amount =
            DiscountSize::Amount { value: Decimal::from(50), currency: Some("EUR".into()) };
        assert!(!read.approves("a:b", 0, 2, &amount));
        assert_eq!(size_token(&amount), "50EUR");
        assert!(read_approval(&json!({"id": "discount-approval:1:0:0:5%", "text": "no author"}))
            .is_none());
        assert!(read_approval(&json!({"id": "other", "author": "x"})).is_none());
        // A note without the size approves nothing.
        assert!(read_approval(&json!({"id": "discount-approval:a:0:1", "author": "x"})).is_none());
    }

    #[test]
    fn policies_are_checked() {
        assert!(policy().check().is_ok());
        let mut twice = policy();
        twice.reasons.push(twice.reasons[0].clone());
        assert!(twice.check().is_err());
        let mut no_currency = policy();
        no_currency.reasons[0].currency = None;
        assert!(no_currency.check().is_err());
        let mut too_much = policy();
        too_much.reasons[0].max_percentage = Some(Decimal::from(101));
        assert!(too_much.check().is_err());
    }

    #[test]
    fn profile_policies_default_their_cancel_reasons() {
        let read: Result<ProfilePolicy, _> = serde_json::from_value(json!({}));
        assert_eq!(read.ok(), Some(ProfilePolicy::default()));
        let none: Result<ProfilePolicy, _> = serde_json::from_value(json!({"cancelReasons": []}));
        assert_eq!(none.ok().map(|p| p.cancel_reasons.len()), Some(0));
        let p = ProfilePolicy::default();
        assert!(p.check().is_ok());
        assert_eq!(p.cancel_reason("DUPLICATE ORDER").map(|r| r.code.as_str()), Some("duplicate"));
        assert!(p.governing().is_none());
        let mut twice = p.clone();
        twice.cancel_reasons.push(twice.cancel_reasons[0].clone());
        assert!(twice.check().is_err());
    }
}
