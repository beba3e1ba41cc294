//! What a server profile rules for its agents ([`ProfilePolicy`]): the discount policy the
//! editor, `check`, `draft check` and the submit gate hold every discount against, and the
//! reasons an order may be cancelled for. Read from the store through
//! `orderdesk_sync::profiles::policy` (the profile named, else the active one), set here, and
//! the approval of a discount over its limit: a note the core's `approval_note` builds, saved
//! as a revision with a `discount-approved` audit entry naming the approver and the code.

use std::sync::Arc;

use chrono::{SecondsFormat, Utc};
use orderdesk_core::policy::{self as rules, DiscountSize};
use orderdesk_core::{limits, Layout, Op, Order, ProfilePolicy};
use orderdesk_store::{DraftEdit, Queries};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Result, ServiceError};
use crate::view::EditorState;
use crate::Service;

/// A reason an agent picks from (a discount's or a cancellation's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ReasonOption {
    pub code: String,
    pub label: String,
    /// A discount reason's largest percentage without an approval (decimal text).
    pub max_percentage: Option<String>,
    /// A discount reason's largest amount without an approval (decimal text) …
    pub max_amount: Option<String>,
    /// … in this currency.
    pub currency: Option<String>,
}

/// A profile's policy as Settings shows and edits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PolicyView {
    /// The policy as JSON (what Settings edits and `orderdesk remote policy --file` reads).
    pub json: String,
    /// The discount reasons; empty: discounts are not governed.
    pub discount_reasons: Vec<ReasonOption>,
    /// The cancellation reasons; empty: the agent writes the reason.
    pub cancel_reasons: Vec<ReasonOption>,
}

/// The view of a policy.
pub fn policy_view(policy: &ProfilePolicy) -> PolicyView {
    PolicyView {
        json: serde_json::to_string_pretty(policy).unwrap_or_default(),
        discount_reasons: policy
            .discount
            .reasons
            .iter()
            .map(|r| ReasonOption {
                code: r.code.clone(),
                label: r.label.clone(),
                max_percentage: r.max_percentage.map(|d| d.to_string()),
                max_amount: r.max_amount.map(|d| d.to_string()),
                currency: r.currency.clone(),
            })
            .collect(),
        cancel_reasons: policy
            .cancel_reasons
            .iter()
            .map(|r| ReasonOption {
                code: r.code.clone(),
                label: r.label.clone(),
                max_percentage: None,
                max_amount: None,
                currency: None,
            })
            .collect(),
    }
}

/// The most bytes of policy JSON read (a policy holds at most
/// [`limits::MAX_POLICY_REASONS`] reasons of each kind, each a few short texts).
pub const MAX_POLICY_BYTES: usize = 256 * 1024;

/// Reads a policy an agent typed or a file holds (a [`ProfilePolicy`] as a JSON object) and
/// checks it.
pub fn parse_policy(text: &str) -> Result<ProfilePolicy> {
    if text.len() > MAX_POLICY_BYTES {
        return Err(ServiceError::Policy(format!(
            "the policy is longer than {MAX_POLICY_BYTES} bytes"
        )));
    }
    let value = orderdesk_wire::parse_json(text)
        .map_err(|e| ServiceError::Policy(format!("not JSON: {e}")))?;
    if !value.is_object() {
        return Err(ServiceError::Policy("a policy is a JSON object".into()));
    }
    let policy: ProfilePolicy =
        serde_json::from_value(value).map_err(|e| ServiceError::Policy(e.to_string()))?;
    policy.check().map_err(|e| ServiceError::Policy(e.to_string()))?;
    Ok(policy)
}

/// Who approved a discount over its limit, and with which approval code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ApprovalInput {
    /// The item whose own price carries the discount.
    pub item: String,
    /// The index in the item's `itemPrice`.
    pub price: u32,
    /// The index in that price's `priceAlteration`.
    pub alteration: u32,
    pub approver: String,
    pub code: String,
}

/// A required piece of text: trimmed, not empty, no control characters, at most
/// [`limits::MAX_ID_CHARS`] characters.
fn approval_field(what: &str, text: &str) -> Result<String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(ServiceError::Approval(format!("the {what} is required")));
    }
    if t.chars().any(char::is_control) || t.chars().count() > limits::MAX_ID_CHARS {
        return Err(ServiceError::Approval(format!(
            "the {what} must be one line of at most {} characters",
            limits::MAX_ID_CHARS
        )));
    }
    Ok(t.to_owned())
}

/// The order with the approval's note added (replacing an earlier approval of the same
/// discount), and the words the audit entry and the note use for the discount.
fn with_approval(
    order: &Order,
    version: orderdesk_wire::Version,
    input: &ApprovalInput,
    approver: &str,
    code: &str,
    policy: &ProfilePolicy,
) -> Result<Order> {
    let mut found = None;
    order.walk(|item, _, _| {
        if item.id == input.item {
            found = Some(item.clone());
        }
    });
    let item = found
        .ok_or_else(|| ServiceError::Approval(format!("the order has no item {:?}", input.item)))?;
    let (p, a) = (input.price as usize, input.alteration as usize);
    let alteration = item
        .fields
        .get("itemPrice")
        .and_then(Value::as_array)
        .and_then(|prices| prices.get(p))
        .and_then(|price| price.get("priceAlteration"))
        .and_then(Value::as_array)
        .and_then(|alts| alts.get(a))
        .filter(|alt| rules::is_agents(alt))
        .ok_or_else(|| {
            ServiceError::Approval(format!(
                "item {:?} has no discount of its own at price {p}, alteration {a}",
                input.item
            ))
        })?;
    let name = alteration.get("name").and_then(Value::as_str).unwrap_or("discount");
    // The approval is of this size: the note names it, and a later change of the discount
    // needs a new approval.
    let approved = rules::discount_size(alteration).ok_or_else(|| {
        ServiceError::Approval(format!(
            "the discount at price {p}, alteration {a} of item {:?} has no size to approve",
            input.item
        ))
    })?;
    let size = match &approved {
        DiscountSize::Percentage(d) => format!("{d} %"),
        DiscountSize::Amount { value, currency } => {
            format!("{value} {}", currency.as_deref().unwrap_or_default()).trim_end().to_owned()
        }
    };
    let reason = alteration
        .get("description")
        .and_then(Value::as_str)
        .map(|d| policy.discount.reason(d).map_or(d, |r| r.label.as_str()))
        .unwrap_or_default();
    let what = format!("{name} {size} ({reason}) on item {}", input.item);
    let text = rules::approval_text(approver, code, what.trim());
    let date = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    let Value::Object(mut note) = orderdesk_wire::parties::note(version, &text) else {
        return Err(ServiceError::Task("a note is an object".into()));
    };
    note.extend(rules::approval_note(&input.item, p, a, &approved, approver, &date, &text));
    // An earlier approval of this discount (of another size) is replaced.
    let earlier = |n: &Value| {
        rules::read_approval(n)
            .is_some_and(|x| x.item == input.item && x.price == p && x.index == a)
    };
    let mut notes: Vec<Value> = order
        .fields
        .get("note")
        .and_then(Value::as_array)
        .map(|n| n.iter().filter(|n| !earlier(n)).cloned().collect())
        .unwrap_or_default();
    notes.push(Value::Object(note));
    Ok(orderdesk_core::apply(order, &Op::SetNotes { notes }, None)?)
}

impl Service {
    /// What profile `name` (else the active one) rules; the defaults when there is none.
    pub async fn profile_policy(&self, name: Option<String>) -> Result<ProfilePolicy> {
        self.read(move |r| Ok(orderdesk_sync::profiles::policy(r, name.as_deref())?)).await
    }

    /// Set what profile `name` rules from its JSON (`service.bad_policy` says what is wrong;
    /// nothing is saved then). The demo profile may have one too: the policy is the client's.
    pub async fn set_profile_policy(
        &self,
        name: String,
        json: String,
    ) -> Result<Vec<crate::ProfileView>> {
        let policy = parse_policy(&json)?;
        self.write(move |s| Ok(orderdesk_sync::profiles::set_policy(s, &name, &policy)?)).await?;
        self.list_profiles().await
    }

    /// Record the approval of a discount over its limit on a draft's current revision: the
    /// order gets the approval note (the core's `approval_note`, in the draft's version) and
    /// the revision's audit entry is `discount-approved`, naming the approver and the code.
    /// Refused (`service.approval`) without an approver or a code, or when the draft has no
    /// discount of its own there; a submitted draft is read-only (`store.draft_submitted`).
    pub async fn approve_discount(
        &self,
        draft: String,
        input: ApprovalInput,
    ) -> Result<EditorState> {
        let approver = approval_field("approver's name", &input.approver)?;
        let code = approval_field("approval code", &input.code)?;
        let rounding = self.settings().rounding;
        let actor = self.actor.clone();
        let catalogs = Arc::clone(&self.catalogs);
        let (row, order, quote, catalog) = self
            .write(move |s| {
                let current = s.draft(&draft)?;
                let version = current.row.tmf_version;
                let (current_value, order) = crate::session::parse_order_text(&current.body)?;
                // An approval is a note: the draft names the same catalog records after it.
                let cat = catalogs.for_order(s, &current_value)?;
                let policy = orderdesk_sync::profiles::policy(s, None)?;
                let next = with_approval(&order, version, &input, &approver, &code, &policy)?;
                let value = next.to_json(Layout::Flat);
                let (quote, summary) = crate::session::price_and_summarize(
                    &value, &next, version, &cat.rules, rounding, &policy, None,
                );
                let body =
                    serde_json::to_string(&value).map_err(|e| ServiceError::Task(e.to_string()))?;
                let row = s.approve_discount(
                    &draft,
                    DraftEdit {
                        body,
                        catalog_version: cat.version.clone(),
                        actor,
                        action: format!(
                            "approve-discount item {} price {} alteration {}: approved by \
                             {approver}, approval code {code}",
                            input.item, input.price, input.alteration
                        ),
                        expected_revision: Some(current.row.revision),
                        summary: Some(summary),
                    },
                )?;
                Ok((row, next, quote, cat))
            })
            .await?;
        Ok(self.opened(&row, order, &quote, &catalog))
    }

    /// The cancellation reason sent for order `order_id` (local id): with a list on the
    /// order's profile, `code` must name one of it (its code or label) and the text sent is
    /// its label, then the agent's note; without a list, the note is the reason.
    pub(crate) async fn cancellation_reason(
        &self,
        order_id: i64,
        code: Option<String>,
        note: String,
    ) -> Result<String> {
        let policy = self
            .read(move |r| {
                let profile = r.order(order_id)?.row.profile;
                Ok(orderdesk_sync::profiles::policy(r, Some(&profile))?)
            })
            .await?;
        let note = note.trim();
        let code = code.as_deref().map(str::trim).filter(|c| !c.is_empty());
        if policy.cancel_reasons.is_empty() {
            return crate::orders::check_reason(match (code, note.is_empty()) {
                (Some(code), true) => code,
                _ => note,
            });
        }
        let listed =
            || policy.cancel_reasons.iter().map(|r| r.code.as_str()).collect::<Vec<_>>().join(", ");
        let Some(code) = code else {
            return Err(ServiceError::Invalid(format!(
                "choose a cancellation reason: {}",
                listed()
            )));
        };
        let reason = policy.cancel_reason(code).ok_or_else(|| {
            ServiceError::Invalid(format!(
                "{code:?} is not a cancellation reason of this server; choose one of: {}",
                listed()
            ))
        })?;
        crate::orders::check_reason(&if note.is_empty() {
            reason.label.clone()
        } else {
            format!("{}: {note}", reason.label)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_are_read_and_checked() {
        let ok = parse_policy(
            r#"{"discount": {"reasons": [{"code": "retention", "label": "Retention",
                "maxPercentage": 20}]}}"#,
        );
        assert_eq!(ok.as_ref().map(|p| p.cancel_reasons.len()).ok(), Some(6));
        for bad in ["{", r#"{"discount": {"reasons": [{"code": "", "label": "x"}]}}"#, "[]"] {
            assert!(matches!(parse_policy(bad), Err(ServiceError::Policy(_))), "{bad}");
        }
        let view = policy_view(&ok.unwrap_or_default());
        assert_eq!(view.discount_reasons[0].max_percentage.as_deref(), Some("20"));
    }

    #[test]
    fn approval_fields_are_one_line() {
        assert_eq!(approval_field("code", " A-1 ").ok().as_deref(), Some("A-1"));
        assert!(approval_field("code", "  ").is_err());
        assert!(approval_field("code", "a\nb").is_err());
    }
}
