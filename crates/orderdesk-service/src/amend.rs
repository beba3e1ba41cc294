//! Amending a submitted order: the agent's changes ([`AmendInput`]: requested dates, a note,
//! characteristics, quantities) are made with the editor's own operations on the order as the
//! server last sent it, the result is checked by the core's one list of checks as a submitted
//! order is (the sync engine's `submit_findings` on the create payload it would make), and
//! what changed is queued through the sync engine as a JSON merge patch.
//!
//! A merge patch replaces arrays whole: a characteristic or quantity change sends the whole
//! `productOrderItem` array. It is built from the server's copy the store keeps (the last
//! payload the sync engine read), in that copy's layout, so it carries the server's item ids,
//! states and members unchanged; the engine reads the order again before sending and, when
//! the server changed a member the amendment replaces, holds it as a conflict for the agent
//! (the Sync screen, with both values) instead of overwriting the server's change.

use orderdesk_core::{Layout, Op, Order};
use orderdesk_store::Queries;
use orderdesk_wire::{parties, Severity, Version};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::sync::Arc;

use crate::error::{invalid, Result, ServiceError};
use crate::present::{item_views, Locator};
use crate::view::FindingView;
use crate::{edit, CatalogCache, Edit, OrderDetailView, Service};

/// The members of an order an amendment may change.
const AMENDABLE_MEMBERS: [&str; 4] =
    ["note", "requestedStartDate", "requestedCompletionDate", "productOrderItem"];

/// What an amendment changes. Absent fields are left as the server has them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AmendInput {
    /// A note added to the order's notes.
    pub note: Option<String>,
    /// The requested start date: `YYYY-MM-DD` or RFC 3339 (the one date reader).
    pub requested_start: Option<String>,
    /// The requested completion date, as the start date.
    pub requested_completion: Option<String>,
    /// New characteristic values, by item id and characteristic name.
    #[serde(default)]
    pub characteristics: Vec<CharacteristicChange>,
    /// New quantities, by item id.
    #[serde(default)]
    pub quantities: Vec<QuantityChange>,
}

/// One characteristic's new value, as typed (converted to the specification's value type).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CharacteristicChange {
    pub item: String,
    pub name: String,
    pub value: String,
}

/// One item's new quantity.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct QuantityChange {
    pub item: String,
    pub quantity: u32,
}

/// The code of a problem with the agent's input itself (a date that is not one, an unknown
/// item), reported at the field like the core's findings.
const INPUT_PROBLEM: &str = "service.invalid_input";

fn input_problem(item: Option<&str>, field: &str, message: String) -> FindingView {
    FindingView {
        severity: Severity::Error,
        code: INPUT_PROBLEM.to_owned(),
        path: String::new(),
        message,
        item: item.map(str::to_owned),
        field: Some(field.to_owned()),
        field_label: None,
    }
}

/// The amendment of `payload` (the server's order, in `version`) by `input`: the merge patch
/// of the members that change, or every problem found, each at its field.
fn amendment(
    payload: &Value,
    version: Version,
    input: &AmendInput,
    cat: &CatalogCache,
    policy: &orderdesk_core::ProfilePolicy,
) -> Result<std::result::Result<Value, Vec<FindingView>>> {
    let catalog = crate::drafts::imported(cat);
    let mut order = Order::from_json(payload.clone())?;
    let mut problems = Vec::new();
    let mut members: Vec<&str> = Vec::new();

    if let Some(text) = input.note.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        if orderdesk_core::limits::text_too_long(text) {
            problems.push(input_problem(
                None,
                "notes",
                format!(
                    "the note is longer than {} characters",
                    orderdesk_core::limits::MAX_TEXT_CHARS
                ),
            ));
        } else {
            let mut notes: Vec<Value> =
                payload.get("note").and_then(Value::as_array).cloned().unwrap_or_default();
            notes.push(parties::note(version, text));
            order = orderdesk_core::apply(&order, &Op::SetNotes { notes }, catalog)?;
            members.push("note");
        }
    }

    let start = input.requested_start.as_deref().filter(|t| !t.trim().is_empty());
    let completion = input.requested_completion.as_deref().filter(|t| !t.trim().is_empty());
    if start.is_some() || completion.is_some() {
        let current = |key: &str| {
            payload
                .get(key)
                .and_then(Value::as_str)
                .and_then(orderdesk_wire::parse_date_input)
                .map(|d| d.at)
        };
        let mut read = |text: Option<&str>, what: &str, field: &str, key: &str| match text {
            None => Some(current(key)),
            Some(text) => match edit::parse_date(Some(text), what) {
                Ok(date) => Some(date),
                Err(err) => {
                    problems.push(input_problem(None, field, err.to_string()));
                    None
                }
            },
        };
        let start = read(start, "requested start date", "requestedStart", "requestedStartDate");
        let completion = read(
            completion,
            "requested completion date",
            "requestedCompletion",
            "requestedCompletionDate",
        );
        if let (Some(start), Some(completion)) = (start, completion) {
            order = orderdesk_core::apply(
                &order,
                &Op::SetRequestedDates { start, completion },
                catalog,
            )?;
            members.extend(["requestedStartDate", "requestedCompletionDate"]);
        }
    }

    let mut edits: Vec<(Edit, &str, String)> = Vec::new();
    for c in &input.characteristics {
        edits.push((
            Edit::SetCharacteristic {
                item: c.item.clone(),
                name: c.name.clone(),
                value: c.value.clone(),
            },
            &c.item,
            c.name.clone(),
        ));
    }
    for q in &input.quantities {
        edits.push((
            Edit::SetQuantity { item: q.item.clone(), quantity: q.quantity },
            &q.item,
            "quantity".to_owned(),
        ));
    }
    for (change, item, field) in &edits {
        match edit::apply_edit(&order, change, version, catalog) {
            Ok(next) => {
                order = next;
                members.push("productOrderItem");
            }
            Err(err @ (ServiceError::Invalid(_) | ServiceError::Core(_))) => {
                problems.push(input_problem(Some(item), field, err.to_string()));
            }
            Err(err) => return Err(err),
        }
    }

    if members.is_empty() && problems.is_empty() {
        return Err(invalid(
            "nothing to amend: give a note, a requested date, a characteristic or a quantity",
        ));
    }
    if !problems.is_empty() {
        return Ok(Err(problems));
    }

    // Written back in the server's own layout; checked as the create payload it would be.
    let amended = order.to_json(Layout::of(payload));
    let request = orderdesk_sync::payload::create_request(
        amended.clone(),
        Some(version),
        version,
        &orderdesk_sync::payload::new_client_order_id(),
    );
    let findings = orderdesk_sync::submit_findings(
        &request.body.to_string(),
        version,
        catalog,
        policy.governing(),
    );
    if orderdesk_core::has_errors(&findings) {
        let items = item_views(&Order::from_json(amended)?, cat);
        let at = Locator::new(&items);
        return Ok(Err(findings
            .iter()
            .filter(|f| f.is_error())
            .map(|f| at.finding_view(f))
            .collect()));
    }

    let mut patch = Map::new();
    for key in AMENDABLE_MEMBERS.into_iter().filter(|k| members.contains(k)) {
        let after = amended.get(key).cloned().unwrap_or(Value::Null);
        if payload.get(key).unwrap_or(&Value::Null) != &after {
            patch.insert(key.to_owned(), after);
        }
    }
    if patch.is_empty() {
        return Err(invalid("the amendment changes nothing: the order has these values already"));
    }
    Ok(Ok(Value::Object(patch)))
}

/// The policy an amended order is held to: its profile's, as at submit (a profile removed since
/// holds it to the defaults).
fn order_policy(r: &impl orderdesk_store::Queries, profile: &str) -> orderdesk_core::ProfilePolicy {
    orderdesk_sync::profiles::policy(r, Some(profile)).unwrap_or_default()
}

impl Service {
    /// The problems an amendment of an order would have, each at its field (the agent's input
    /// first, then the core's findings on the amended order); empty when it may be queued.
    pub async fn check_amendment(&self, id: String, input: AmendInput) -> Result<Vec<FindingView>> {
        let catalogs = Arc::clone(&self.catalogs);
        self.read(move |r| {
            let order_id = crate::orders::resolve_order(r, &id)?;
            let order = r.order(order_id)?;
            let payload = orderdesk_wire::parse_json(&order.payload)
                .map_err(|e| invalid(format!("order {order_id}: {e}")))?;
            // An amendment changes values and quantities, never the offerings.
            let cat = catalogs.for_order(r, &payload)?;
            let policy = order_policy(r, &order.row.profile);
            Ok(amendment(&payload, order.row.tmf_version, &input, &cat, &policy)?
                .err()
                .unwrap_or_default())
        })
        .await
    }

    /// Amend a submitted order (its local number or its server's id): the changes are made on
    /// the server's copy, checked as a submitted order is (`service.amend_blocked` with every
    /// problem), and queued through the sync engine, which refuses an order in a state the
    /// server does not patch (`sync.not_amendable`). Returns the order's detail.
    pub async fn amend_order(&self, id: String, input: AmendInput) -> Result<OrderDetailView> {
        let catalogs = Arc::clone(&self.catalogs);
        let (order_id, patch) = self
            .read(move |r| {
                let order_id = crate::orders::resolve_order(r, &id)?;
                let order = r.order(order_id)?;
                let payload = orderdesk_wire::parse_json(&order.payload)
                    .map_err(|e| invalid(format!("order {order_id}: {e}")))?;
                if !orderdesk_sync::may_amend(&order.row.state) {
                    // The engine's refusal (it decides again as it queues), before the
                    // changes are looked at: they cannot help.
                    return Err(orderdesk_sync::SyncError::not_amendable(
                        order_id,
                        &order.row.state,
                    )
                    .into());
                }
                let policy = order_policy(r, &order.row.profile);
                let cat = catalogs.for_order(r, &payload)?;
                match amendment(&payload, order.row.tmf_version, &input, &cat, &policy)? {
                    Ok(patch) => Ok((order_id, patch)),
                    Err(problems) => Err(ServiceError::AmendBlocked(problems)),
                }
            })
            .await?;
        self.engine.amend_order(order_id, patch).await?;
        self.wake_sync().await;
        self.order_detail(order_id.to_string()).await
    }
}
