//! Submitted orders and the sync screen: an order's detail (state timeline from the audit
//! log, item states, the server's payload, its cancellation), cancelling, the outbox with
//! retry / fix / drop, amendment conflicts, and the live sync status; submitting a draft and
//! running the sync engine (its background loop, or one run now).
//!
//! Everything here reads the store and asks the sync engine to act; the engine decides what
//! may be sent (it refuses cancelling an order it knows to be final, dropping an entry that
//! may exist on the server, ...). The service checks the agent's input first.

use chrono::{DateTime, SecondsFormat, Utc};
use orderdesk_error::text::clean;
use orderdesk_store::{
    Amendment, AmendmentState, AuditEvent, AuditSubject, Cancellation, OrderFilter, OrderRow,
    OutboxEntry, OutboxOp, OutboxStatus, Queries,
};
use orderdesk_wire::{OrderState, TaskState, Version};
use serde::Serialize;
use serde_json::Value;
use std::sync::Arc;

use crate::error::{invalid, Result};
use crate::list::sync_badge;
use crate::view::{SubmissionView, SubmitView, WithdrawView};
use crate::{Service, ServiceError};

/// Longest cancellation reason accepted (TMF622 servers commonly cap free text).
pub const MAX_REASON_CHARS: usize = 500;

/// The sync status as the header shows it; sent to the UI on every change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SyncStatusView {
    /// `true` after a run reached every server, `false` when one was unreachable, `null`
    /// before the first run.
    pub online: Option<bool>,
    pub queued: u32,
    pub in_flight: u32,
    pub needs_attention: u32,
    /// A sync run is going on.
    pub running: bool,
    /// RFC 3339, UTC.
    pub last_run_at: Option<String>,
    pub last_error: Option<String>,
    /// Moves whenever what the agent sees changed (an entry sent or refused, an order's
    /// state); views showing orders reload when it does.
    pub changes: u32,
}

impl From<orderdesk_sync::SyncStatus> for SyncStatusView {
    fn from(s: orderdesk_sync::SyncStatus) -> Self {
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        SyncStatusView {
            online: s.online,
            queued: count(s.queued),
            in_flight: count(s.in_flight),
            needs_attention: count(s.needs_attention),
            running: s.running,
            last_run_at: s.last_run_at.map(|t| t.to_rfc3339()),
            last_error: s.last_error.map(clean),
            // Only change matters to the UI; the low 32 bits carry it.
            changes: (s.changes & u64::from(u32::MAX)) as u32,
        }
    }
}

/// What a step of an order's timeline records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum TimelineKind {
    /// The draft was submitted.
    Submitted,
    /// The order reached a state.
    State,
    /// The agent asked for a cancellation.
    CancelRequested,
    /// The agent amended the order (queued for its server).
    AmendRequested,
    /// The server took an amendment.
    Amended,
}

/// One step of an order's state timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TimelineStep {
    /// The TMF state the order reached (a `state` step of a state TMF622 defines).
    pub state: Option<OrderState>,
    /// `submitted`, `cancel-requested`, `amend-requested`, `amended`, or the state as the
    /// server wrote it.
    pub state_text: String,
    pub kind: TimelineKind,
    /// How the step is drawn.
    pub tone: StepTone,
    /// RFC 3339, UTC.
    pub at: String,
    pub actor: String,
}

/// How a timeline step is drawn, decided by the wire crate's [`OrderState`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum StepTone {
    /// Finished as asked (completed, cancelled).
    Ok,
    /// A failure the agent must look at ([`OrderState::is_failure`]).
    Bad,
    /// A cancellation asked for or under way.
    Warn,
    /// Anything else, and a state TMF622 does not define.
    Neutral,
}

impl StepTone {
    fn of(kind: TimelineKind, state: Option<OrderState>) -> StepTone {
        match (kind, state) {
            (TimelineKind::CancelRequested, _) => StepTone::Warn,
            (_, Some(s)) if s.is_failure() => StepTone::Bad,
            (_, Some(s)) if s.is_final() => StepTone::Ok,
            (_, Some(s)) if s.is_being_cancelled() => StepTone::Warn,
            _ => StepTone::Neutral,
        }
    }
}

/// Where an outbox entry stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum EntryStatus {
    /// Waiting to be sent.
    Queued,
    /// Being sent.
    InFlight,
    /// Waiting for the agent (refused, or its outcome needs a decision).
    NeedsAttention,
    /// Dropped by the agent; never sent again.
    Rejected,
    /// Delivered.
    Done,
}

impl From<OutboxStatus> for EntryStatus {
    fn from(s: OutboxStatus) -> Self {
        match s {
            OutboxStatus::Queued => EntryStatus::Queued,
            OutboxStatus::InFlight => EntryStatus::InFlight,
            OutboxStatus::NeedsAttention => EntryStatus::NeedsAttention,
            OutboxStatus::Rejected => EntryStatus::Rejected,
            OutboxStatus::Done => EntryStatus::Done,
        }
    }
}

/// What an outbox entry asks of its server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum EntryKind {
    /// Create an order.
    Create,
    /// Cancel an order.
    Cancel,
    /// Amend an order.
    Patch,
    /// Delete an order.
    Delete,
}

impl From<OutboxOp> for EntryKind {
    fn from(op: OutboxOp) -> Self {
        match op {
            OutboxOp::Create => EntryKind::Create,
            OutboxOp::Cancel => EntryKind::Cancel,
            OutboxOp::Patch => EntryKind::Patch,
            OutboxOp::Delete => EntryKind::Delete,
        }
    }
}

/// One item of a submitted order, with the state the server reports for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct OrderItemState {
    pub id: String,
    /// The offering's name (from the order, else the cached catalog), else its id.
    pub name: String,
    pub offering_id: Option<String>,
    pub action: Option<String>,
    /// The item's state, when the server reports one TMF622 defines.
    pub state: Option<OrderState>,
    /// The item's state as the server wrote it, if it reports one.
    pub state_text: Option<String>,
    /// 0 for top-level items, 1 for their children...
    pub depth: u32,
}

/// The agent's cancellation of an order and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CancellationView {
    /// The outbox entry carrying it.
    pub entry_id: String,
    pub reason: String,
    pub requested_date: Option<String>,
    /// The outbox entry's status.
    pub outbox_status: EntryStatus,
    /// The cancellation task's own state as the server last reported it, when TMF defines
    /// it; `null` until the server has it.
    pub server_state: Option<TaskState>,
    /// The server's explanation (a refusal's reason) or the last delivery problem.
    pub message: Option<String>,
    /// The server refused the cancellation.
    pub refused: bool,
    /// RFC 3339, UTC.
    pub requested_at: String,
}

/// A submitted order as the detail screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct OrderDetailView {
    /// The local order id.
    pub id: String,
    pub server_id: String,
    /// Our client order id (sent as `externalId` and `Idempotency-Key`), when we created it.
    pub client_order_id: Option<String>,
    pub profile: String,
    /// The order's state, when it is one TMF622 defines.
    pub state: Option<OrderState>,
    /// The state as the server wrote it (or that it reported none).
    pub state_text: String,
    pub tmf_version: Version,
    pub customer: Option<String>,
    /// The server's total, else the total the draft was submitted with (decimal string).
    pub total: Option<String>,
    pub currency: Option<String>,
    pub draft_id: Option<String>,
    /// RFC 3339, UTC.
    pub last_seen: String,
    pub timeline: Vec<TimelineStep>,
    pub items: Vec<OrderItemState>,
    /// The server's last payload, pretty-printed.
    pub payload: String,
    /// The latest cancellation, if the agent asked for one.
    pub cancellation: Option<CancellationView>,
    /// A cancellation may be asked for now: none is pending and the order is in a state
    /// the server cancels in (`orderdesk_sync::may_cancel`; a finished order is not).
    pub can_cancel: bool,
    /// An amendment may be queued now: the server patches orders in this state
    /// (`orderdesk_sync::may_amend`).
    pub can_amend: bool,
    /// The reasons the order's profile lists for a cancellation; empty: the agent writes
    /// the reason.
    pub cancel_reasons: Vec<crate::ReasonOption>,
}

/// One amended member of an order in conflict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ConflictMember {
    pub member: String,
    /// JSON text of the value when the agent made the change.
    pub base: String,
    /// JSON text of the agent's value.
    pub mine: String,
    /// JSON text of the value the server holds now.
    pub remote: String,
}

/// An outbox entry as the sync screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct OutboxEntryView {
    pub id: String,
    pub kind: EntryKind,
    pub profile: String,
    pub draft_id: Option<String>,
    pub order_id: Option<String>,
    /// The customer, else the server id, else the draft id.
    pub label: String,
    pub status: EntryStatus,
    pub attempts: u32,
    pub last_error: Option<String>,
    /// RFC 3339, UTC; only meaningful while queued.
    pub next_attempt_at: String,
    /// The field the server named in its refusal (a JSON pointer or a member name).
    pub field: Option<String>,
    /// A fix in the editor is possible (a refused create of a draft).
    pub can_fix: bool,
    /// Dropping needs `force`: the entry was sent before and may exist on the server.
    pub drop_needs_force: bool,
    /// The amended members in conflict, for an amendment waiting for the agent.
    pub conflict: Vec<ConflictMember>,
}

/// Where the fix of a refused entry takes the agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FixTarget {
    pub draft_id: String,
    /// The item the server's field is on, if it is on one.
    pub item: Option<String>,
    /// A characteristic name, `quantity`, `action` or a header field.
    pub field: Option<String>,
    /// What the server said.
    pub message: Option<String>,
}

/// The server's refusal of a draft's order, shown in the editor as a banner and at the field
/// it names, until the draft is submitted again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RefusalView {
    /// The server profile that refused it.
    pub profile: String,
    /// What the server said.
    pub message: String,
    /// The item the server's field is on, if it is on one.
    pub item: Option<String>,
    /// A characteristic name, `quantity`, `action` or a header field.
    pub field: Option<String>,
}

/// The item and field a server's refusal names (`named_field`), located in the draft's items.
fn refusal_target(
    message: &str,
    items: &[crate::view::ItemView],
) -> (Option<String>, Option<String>) {
    match named_field(message) {
        Some(pointer) if pointer.starts_with('/') => {
            crate::present::locate(&pointer, message, items)
        }
        Some(name) => (None, Some(name)),
        None => (None, None),
    }
}

/// How the agent settles an amendment conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum ConflictChoice {
    /// Keep what the server holds: the amendment is dropped.
    KeepServer,
    /// Send the agent's values again over what the server holds now (a new amendment made
    /// on the current remote order; the old one is dropped).
    KeepMine,
}

/// An order named by the agent: its local number, or the id its server gave it (which must
/// name one order: two servers may use the same id).
pub(crate) fn resolve_order(r: &impl Queries, id: &str) -> Result<i64> {
    let text = id.trim();
    if let Some(local) = text.parse::<i64>().ok().filter(|n| *n > 0) {
        if r.order(local).is_ok() {
            return Ok(local);
        }
    }
    let found = r.orders(&OrderFilter {
        server_id: Some(text.to_owned()),
        limit: 2,
        ..OrderFilter::default()
    })?;
    match found.as_slice() {
        [one] => Ok(one.id),
        [] => Err(ServiceError::Store(orderdesk_store::StoreError::NotFound {
            kind: "order",
            id: text.to_owned(),
        })),
        [a, b, ..] => Err(invalid(format!(
            "{text:?} names orders on two servers ({} as {}, {} as {}); use the local number",
            a.profile, a.id, b.profile, b.id
        ))),
    }
}

fn parse_entity_id(kind: &str, id: &str) -> Result<i64> {
    id.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| invalid(format!("{id:?} is not a valid {kind} id")))
}

/// A requested cancellation date: `YYYY-MM-DD` (start of that day, UTC) or RFC 3339
/// (`orderdesk_wire::parse_date_input`); not in the past (a day counts as today until it is
/// over).
pub fn parse_requested_date(text: &str, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let Some(date) = orderdesk_wire::parse_date_input(text) else {
        return Err(invalid(format!(
            "the requested date {text:?} is not a date (YYYY-MM-DD or an RFC 3339 time)"
        )));
    };
    if date.is_past(now) {
        return Err(invalid(format!("the requested date {text} is in the past")));
    }
    Ok(Some(date.at))
}

/// The cancellation reason, trimmed; required and at most [`MAX_REASON_CHARS`] characters.
pub fn check_reason(reason: &str) -> Result<String> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(invalid("a cancellation reason is required"));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(invalid(format!(
            "the cancellation reason is longer than {MAX_REASON_CHARS} characters"
        )));
    }
    Ok(reason.to_owned())
}

/// The field a server named in an error message: `[field: X]` (what the sync engine writes),
/// else the first JSON pointer into the order (`/productOrderItem/1/...`).
pub fn named_field(message: &str) -> Option<String> {
    if let Some(start) = message.find("[field: ") {
        let rest = message.get(start.saturating_add("[field: ".len())..).unwrap_or_default();
        if let Some(end) = rest.find(']') {
            return Some(rest[..end].trim().to_owned()).filter(|f| !f.is_empty());
        }
    }
    message
        .split(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == ',')
        .map(|word| word.trim_end_matches([':', '.', ';', ')']))
        .find(|word| word.len() > 1 && word.starts_with('/') && !word.starts_with("//"))
        .map(str::to_owned)
}

fn items_of(payload: &Value, catalog: &crate::CatalogCache, states: &Value) -> Vec<OrderItemState> {
    fn walk(
        items: Option<&Value>,
        depth: u32,
        catalog: &crate::CatalogCache,
        states: &Value,
        out: &mut Vec<OrderItemState>,
    ) {
        let Some(Value::Array(items)) = items else { return };
        for item in items {
            let id = match item.get("id") {
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => String::new(),
            };
            let offering = item.get("productOffering");
            let offering_id =
                offering.and_then(|o| o.get("id")).and_then(Value::as_str).map(str::to_owned);
            let name = offering
                .and_then(|o| o.get("name"))
                .and_then(Value::as_str)
                .map(str::to_owned)
                .or_else(|| {
                    offering_id.as_deref().and_then(|o| catalog.summary(o)).map(|s| s.name.clone())
                })
                .or_else(|| offering_id.clone())
                .unwrap_or_else(|| format!("item {id}"));
            let state_text = item
                .get("state")
                .and_then(Value::as_str)
                .or_else(|| states.get(&id).and_then(Value::as_str))
                .map(str::to_owned);
            out.push(OrderItemState {
                id: clean(id),
                name: clean(name),
                offering_id: offering_id.map(clean),
                action: item.get("action").and_then(Value::as_str).map(|a| clean(a.to_owned())),
                state: state_text.as_deref().and_then(OrderState::parse),
                state_text: state_text.map(clean),
                depth,
            });
            walk(item.get("productOrderItem"), depth.saturating_add(1), catalog, states, out);
        }
    }
    let mut out = Vec::new();
    walk(payload.get("productOrderItem"), 0, catalog, states, &mut out);
    out
}

fn cancellation_of(entry: &OutboxEntry, cancellation: &Cancellation) -> CancellationView {
    let refused = cancellation.task_state.is_some_and(TaskState::is_refusal);
    let message = match (&cancellation.refusal_reason, entry.status) {
        (Some(reason), _) => Some(clean(reason.clone())),
        (None, OutboxStatus::Done) => None,
        (None, _) => entry.last_error.clone().map(clean),
    };
    CancellationView {
        entry_id: entry.id.to_string(),
        reason: cancellation.reason.clone(),
        requested_date: cancellation
            .requested_date
            .map(|d| d.to_rfc3339_opts(SecondsFormat::Millis, true)),
        outbox_status: entry.status.into(),
        server_state: cancellation.task_state,
        message,
        refused,
        requested_at: cancellation.requested_at.to_rfc3339(),
    }
}

fn pending(status: OutboxStatus) -> bool {
    matches!(status, OutboxStatus::Queued | OutboxStatus::InFlight)
}

fn label_of(
    entry: &OutboxEntry,
    orders: &[OrderRow],
    drafts: &[(String, Option<String>)],
) -> String {
    if let Some(order) = entry.order_id.and_then(|id| orders.iter().find(|o| o.id == id)) {
        return clean(order.customer.clone().unwrap_or_else(|| order.server_id.clone()));
    }
    if let Some(draft) = &entry.draft_id {
        if let Some((_, Some(customer))) = drafts.iter().find(|(id, _)| id == draft) {
            return customer.clone();
        }
        return format!("draft {draft}");
    }
    format!("entry {}", entry.id)
}

fn json_text(v: Option<&Value>) -> String {
    v.map_or_else(|| "null".to_owned(), Value::to_string)
}

/// The members of an amendment waiting for the agent because the server changed them.
fn conflict_of(
    entry: &OutboxEntry,
    amendment: Option<Amendment>,
    remote: Option<&Value>,
) -> Vec<ConflictMember> {
    let Some(amendment) = amendment else { return Vec::new() };
    if entry.status != OutboxStatus::NeedsAttention || amendment.state != AmendmentState::Conflict {
        return Vec::new();
    }
    let patch: Value =
        entry.payload.as_deref().and_then(|p| serde_json::from_str(p).ok()).unwrap_or(Value::Null);
    amendment
        .members
        .into_iter()
        .filter(|m| m.conflict)
        .map(|m| ConflictMember {
            base: m.base.to_string(),
            mine: json_text(patch.get(&m.member)),
            remote: clean(json_text(remote.and_then(|r| r.get(&m.member)))),
            member: m.member,
        })
        .collect()
}

impl Service {
    /// The live sync status (also sent to the UI on every change, see
    /// [`Service::subscribe_sync`]).
    pub fn sync_status(&self) -> SyncStatusView {
        self.engine.status().into()
    }

    /// A receiver that sees every change of the sync status.
    pub fn subscribe_sync(&self) -> tokio::sync::watch::Receiver<orderdesk_sync::SyncStatus> {
        self.engine.subscribe()
    }

    /// The local number of an order named by its local number or by its server's id.
    pub async fn order_number(&self, id: String) -> Result<i64> {
        self.read(move |r| resolve_order(r, &id)).await
    }

    /// A submitted order (its local number or its server's id): timeline, item states,
    /// payload, cancellation.
    pub async fn order_detail(&self, id: String) -> Result<OrderDetailView> {
        let catalogs = Arc::clone(&self.catalogs);
        self.read(move |r| {
            let order_id = resolve_order(r, &id)?;
            let order = r.order(order_id)?;
            let row = &order.row;
            let payload: Value = serde_json::from_str(&order.payload).unwrap_or(Value::Null);
            let catalog = catalogs.for_order(r, &payload)?;
            let mut timeline = Vec::new();
            if let Some(draft) = &row.draft_id {
                for a in r.audit(AuditSubject::Draft, draft)? {
                    if a.event == AuditEvent::Submitted {
                        timeline.push(TimelineStep {
                            state: None,
                            state_text: "submitted".into(),
                            kind: TimelineKind::Submitted,
                            tone: StepTone::Neutral,
                            at: a.at.to_rfc3339(),
                            actor: a.actor,
                        });
                    }
                }
            }
            for a in r.audit(AuditSubject::Order, &order_id.to_string())? {
                let (kind, text) = match a.event {
                    AuditEvent::Created | AuditEvent::StateChanged => {
                        (TimelineKind::State, a.state.unwrap_or_default())
                    }
                    AuditEvent::CancelRequested => {
                        (TimelineKind::CancelRequested, "cancel-requested".into())
                    }
                    AuditEvent::AmendRequested => {
                        (TimelineKind::AmendRequested, "amend-requested".into())
                    }
                    AuditEvent::Amended => (TimelineKind::Amended, "amended".into()),
                    _ => continue,
                };
                let state = match kind {
                    TimelineKind::State => OrderState::parse(&text),
                    _ => None,
                };
                let state_text = if text.is_empty() {
                    orderdesk_sync::STATE_NOT_REPORTED.to_owned()
                } else {
                    clean(text)
                };
                timeline.push(TimelineStep {
                    state,
                    state_text,
                    kind,
                    tone: StepTone::of(kind, state),
                    at: a.at.to_rfc3339(),
                    actor: a.actor,
                });
            }
            let client_order_id = match &row.draft_id {
                Some(draft) => r.live_submission(draft)?.map(|e| e.idempotency_key),
                None => None,
            }
            .or_else(|| orderdesk_wire::external_id::client_order_id(&payload));
            let latest = r.order_cancellations(order_id)?.into_iter().next();
            let cancellation = latest.as_ref().map(|(e, c)| cancellation_of(e, c));
            let cancel_pending = latest.as_ref().is_some_and(|(e, _)| pending(e.status));
            let items = items_of(&payload, &catalog, &order.item_states);
            // A profile removed since (its orders keep naming it) lists the default reasons.
            let policy =
                orderdesk_sync::profiles::policy(r, Some(&row.profile)).unwrap_or_default();
            // Servers rarely price an order; the total is then the one the draft was
            // submitted with (the Rust pricing engine's figure).
            let total = match &row.total {
                Some(money) => Some(money.clone()),
                None => match &row.draft_id {
                    Some(draft) => r.draft(draft).ok().and_then(|d| d.row.total),
                    None => None,
                },
            };
            Ok(OrderDetailView {
                id: order_id.to_string(),
                server_id: clean(row.server_id.clone()),
                client_order_id: client_order_id.map(clean),
                profile: row.profile.clone(),
                state: OrderState::parse(&row.state),
                state_text: if row.state.is_empty() {
                    orderdesk_sync::STATE_NOT_REPORTED.to_owned()
                } else {
                    clean(row.state.clone())
                },
                tmf_version: row.tmf_version,
                customer: row.customer.clone().map(clean),
                total: total.as_ref().map(|m| m.amount.to_string()),
                currency: total.as_ref().map(|m| m.currency.clone()),
                draft_id: row.draft_id.clone(),
                last_seen: row.last_seen.to_rfc3339(),
                timeline,
                items,
                payload: clean(
                    serde_json::to_string_pretty(&payload)
                        .unwrap_or_else(|_| order.payload.clone()),
                ),
                cancellation,
                // The sync engine's rule, the server's states.
                can_cancel: !cancel_pending && orderdesk_sync::may_cancel(&row.state),
                can_amend: orderdesk_sync::may_amend(&row.state),
                cancel_reasons: crate::policy::policy_view(&policy).cancel_reasons,
            })
        })
        .await
    }

    /// Ask the server to cancel an order, for a reason from its profile's list (`reason`,
    /// its code or label) with the agent's optional `note`, or, when the profile lists none,
    /// for the `note` as the reason (required then); the requested date (if any) must not be
    /// in the past. Refused in a state the server does not cancel in
    /// (`orderdesk_sync::may_cancel`). Queued like every change and sent by the sync loop,
    /// which follows the cancellation until the server finishes it. Returns the detail.
    pub async fn cancel_order(
        &self,
        id: String,
        reason: Option<String>,
        note: String,
        requested_date: Option<String>,
    ) -> Result<OrderDetailView> {
        let order_id = self.read(move |r| resolve_order(r, &id)).await?;
        let reason = self.cancellation_reason(order_id, reason, note).await?;
        let date = match requested_date {
            Some(text) => parse_requested_date(&text, Utc::now())?,
            None => None,
        };
        let pending_cancel = self
            .read(move |r| {
                Ok(r.outbox(None)?.into_iter().any(|e| {
                    e.op == OutboxOp::Cancel && e.order_id == Some(order_id) && pending(e.status)
                }))
            })
            .await?;
        if pending_cancel {
            return Err(invalid("a cancellation of this order is already on its way"));
        }
        self.engine.cancel_order(order_id, &reason, date).await?;
        self.wake_sync().await;
        self.order_detail(order_id.to_string()).await
    }

    /// The outbox, newest first: everything not delivered yet, and what the agent dropped.
    pub async fn outbox(&self) -> Result<Vec<OutboxEntryView>> {
        self.read(|r| {
            let mut entries: Vec<OutboxEntry> =
                r.outbox(None)?.into_iter().filter(|e| e.status != OutboxStatus::Done).collect();
            entries.sort_by_key(|e| std::cmp::Reverse(e.id));
            let mut orders: Vec<OrderRow> = Vec::new();
            let mut remotes: Vec<(i64, Value)> = Vec::new();
            for order_id in entries.iter().filter_map(|e| e.order_id) {
                if orders.iter().any(|o| o.id == order_id) {
                    continue;
                }
                if let Ok(order) = r.order(order_id) {
                    remotes.push((
                        order_id,
                        serde_json::from_str(&order.payload).unwrap_or(Value::Null),
                    ));
                    orders.push(order.row);
                }
            }
            let mut drafts: Vec<(String, Option<String>)> = Vec::new();
            for draft in entries.iter().filter_map(|e| e.draft_id.clone()) {
                if drafts.iter().any(|(id, _)| *id == draft) {
                    continue;
                }
                let customer = r.draft(&draft).ok().and_then(|d| d.row.customer);
                drafts.push((draft, customer));
            }
            let amendments = entries
                .iter()
                .filter(|e| e.op == OutboxOp::Patch && e.status == OutboxStatus::NeedsAttention)
                .map(|e| Ok((e.id, r.amendment(e.id)?)))
                .collect::<Result<Vec<_>>>()?;
            Ok(entries
                .iter()
                .map(|e| {
                    let remote = e
                        .order_id
                        .and_then(|id| remotes.iter().find(|(o, _)| *o == id).map(|(_, v)| v));
                    let draft_exists =
                        e.draft_id.as_ref().is_some_and(|d| drafts.iter().any(|(id, _)| id == d));
                    OutboxEntryView {
                        id: e.id.to_string(),
                        kind: e.op.into(),
                        profile: e.profile.clone(),
                        draft_id: e.draft_id.clone(),
                        order_id: e.order_id.map(|o| o.to_string()),
                        label: label_of(e, &orders, &drafts),
                        status: e.status.into(),
                        attempts: u32::try_from(e.attempts).unwrap_or(u32::MAX),
                        last_error: e.last_error.clone().map(clean),
                        next_attempt_at: e.next_attempt_at.to_rfc3339(),
                        field: e.last_error.as_deref().and_then(named_field),
                        can_fix: e.op == OutboxOp::Create
                            && draft_exists
                            && matches!(
                                e.status,
                                OutboxStatus::NeedsAttention | OutboxStatus::Rejected
                            ),
                        drop_needs_force: e.status == OutboxStatus::Queued && e.attempts > 0,
                        conflict: conflict_of(
                            e,
                            amendments
                                .iter()
                                .find(|(id, _)| *id == e.id)
                                .and_then(|(_, a)| a.clone()),
                            remote,
                        ),
                    }
                })
                .collect())
        })
        .await
    }

    /// Try a waiting entry again now.
    pub async fn retry_entry(&self, id: String) -> Result<()> {
        let entry_id = parse_entity_id("outbox entry", &id)?;
        self.engine.retry_entry(entry_id).await?;
        self.wake_sync().await;
        Ok(())
    }

    /// Give up on an entry (kept as `rejected`). The engine refuses an entry being sent, and
    /// one sent before unless `force` (it may exist on the server).
    pub async fn drop_entry(&self, id: String, force: bool) -> Result<()> {
        let entry_id = parse_entity_id("outbox entry", &id)?;
        self.engine.drop_entry(entry_id, force).await?;
        Ok(())
    }

    /// Where to fix a refused create: its draft, and the item and field the server named.
    /// A refused draft goes back to being editable: its entry is dropped (it never reached
    /// the server) so that the fixed draft can be submitted again.
    pub async fn fix_entry(&self, id: String) -> Result<FixTarget> {
        let entry_id = parse_entity_id("outbox entry", &id)?;
        let entry = self.read(move |r| Ok(r.outbox_entry(entry_id)?)).await?;
        let draft_id = match (&entry.draft_id, entry.op) {
            (Some(draft), OutboxOp::Create) => draft.clone(),
            _ => return Err(invalid(format!("outbox entry {entry_id} has no draft to fix"))),
        };
        if entry.status == OutboxStatus::NeedsAttention && entry.refused {
            // Refused by the server: the order does not exist there, so the entry can go.
            self.engine.drop_entry(entry_id, false).await?;
        } else if entry.status != OutboxStatus::Rejected {
            return Err(invalid(format!(
                "outbox entry {entry_id} is {}; only a refused order is fixed in the editor",
                entry.status
            )));
        }
        let message = entry.last_error.clone().map(clean);
        let state = self.open_draft(draft_id.clone()).await?;
        let (item, field) = match &message {
            Some(text) => refusal_target(text, &state.draft.items),
            None => (None, None),
        };
        Ok(FixTarget { draft_id, item, field, message })
    }

    /// The server's refusal of a draft's latest submission, if the server refused it (the
    /// entry waits for the agent, or was dropped to fix the draft) and the draft has not been
    /// submitted again since: the editor shows it whether it was opened from Sync or Orders.
    pub async fn draft_refusal(&self, id: String) -> Result<Option<RefusalView>> {
        let catalogs = Arc::clone(&self.catalogs);
        self.read(move |r| {
            let latest = r
                .outbox(None)?
                .into_iter()
                .filter(|e| e.op == OutboxOp::Create && e.draft_id.as_deref() == Some(id.as_str()))
                .max_by_key(|e| e.id);
            let Some(entry) = latest else { return Ok(None) };
            let refused = entry.refused
                && matches!(entry.status, OutboxStatus::NeedsAttention | OutboxStatus::Rejected);
            let Some(message) = entry.last_error.filter(|_| refused).map(clean) else {
                return Ok(None);
            };
            let draft = r.draft(&id)?;
            let items = match orderdesk_wire::parse_json(&draft.body).ok() {
                Some(v) => {
                    let cat = catalogs.for_order(r, &v)?;
                    match orderdesk_core::Order::from_json(v) {
                        Ok(order) => crate::present::item_views(&order, &cat),
                        Err(_) => Vec::new(),
                    }
                }
                None => Vec::new(),
            };
            let (item, field) = refusal_target(&message, &items);
            Ok(Some(RefusalView { profile: entry.profile, message, item, field }))
        })
        .await
    }

    /// Settle an amendment conflict (see [`ConflictChoice`]).
    pub async fn resolve_conflict(&self, id: String, choice: ConflictChoice) -> Result<()> {
        let entry_id = parse_entity_id("outbox entry", &id)?;
        let entry = self.read(move |r| Ok(r.outbox_entry(entry_id)?)).await?;
        let (OutboxOp::Patch, Some(order_id)) = (entry.op, entry.order_id) else {
            return Err(invalid(format!("outbox entry {entry_id} is not an amendment")));
        };
        let patch: Value = entry
            .payload
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok())
            .ok_or_else(|| invalid(format!("outbox entry {entry_id} has no amendment")))?;
        if choice == ConflictChoice::KeepMine {
            // A new amendment made on the order as the server holds it now; queued before the
            // old one is dropped, so the agent's values are never lost in between.
            self.engine.amend_order(order_id, patch).await?;
        }
        self.engine.drop_entry(entry_id, true).await?;
        self.wake_sync().await;
        Ok(())
    }
}

impl Service {
    /// Queue a draft for the active server profile and wake the sync loop (see
    /// [`Service::submit_to`]).
    pub async fn submit(&self, id: String) -> Result<SubmitView> {
        self.submit_to(id, None).await
    }

    /// Queue a draft for `profile` (the active one when `None`) and wake the sync loop. The
    /// sync engine's gate refuses a draft with error findings (`service.submit_blocked`, with
    /// the findings) and a draft already queued or sent, so an order can never reach the
    /// server twice, whoever submits it.
    pub async fn submit_to(&self, id: String, profile: Option<String>) -> Result<SubmitView> {
        let entry = self
            .engine
            .submit_draft(&id, profile.as_deref())
            .await
            .map_err(crate::error::from_sync)?;
        let background = self.background.lock().await;
        if let Some(running) = background.as_ref() {
            running.wake();
        }
        Ok(SubmitView {
            entry: entry.id.to_string(),
            client_order_id: entry.idempotency_key,
            profile: entry.profile,
            sync: sync_badge(entry.status),
            sending: background.is_some(),
        })
    }

    /// The live submission of a draft (queued, being sent or on the server), if any.
    pub async fn submission(&self, id: String) -> Result<Option<SubmissionView>> {
        self.read(move |r| {
            let Some(e) = r.live_submission(&id)? else { return Ok(None) };
            let order = r
                .orders(&OrderFilter {
                    draft_id: Some(id.clone()),
                    limit: 1,
                    ..OrderFilter::default()
                })?
                .into_iter()
                .next();
            Ok(Some(SubmissionView {
                can_withdraw: e.withdrawable(),
                sync: sync_badge(e.status),
                profile: e.profile,
                can_amend: order.as_ref().is_some_and(|o| orderdesk_sync::may_amend(&o.state)),
                order: order.map(|o| o.id.to_string()),
            }))
        })
        .await
    }

    /// Take a submitted draft back to edit it, while it has not been sent: its outbox entry
    /// leaves the queue in the same transaction that checks it (`orderdesk_store`'s
    /// `withdraw_submission`), so the sync engine either sends it or never does. Refused with
    /// `store.draft_sent` once it is being sent or reached the server (amend the order then).
    pub async fn withdraw(&self, id: String) -> Result<WithdrawView> {
        let actor = self.actor.clone();
        let entry = self.write(move |s| Ok(s.withdraw_submission(&id, &actor)?)).await?;
        Ok(WithdrawView {
            entry: entry.id.to_string(),
            profile: entry.profile,
            revision: entry.draft_revision.and_then(|r| u32::try_from(r).ok()),
        })
    }

    /// Start a sync run soon, when the background loop runs.
    pub(crate) async fn wake_sync(&self) {
        if let Some(running) = self.background.lock().await.as_ref() {
            running.wake();
        }
    }

    /// Start the background sync loop (once). Must run inside a tokio runtime.
    pub async fn start_sync(&self) {
        let mut background = self.background.lock().await;
        if background.is_none() {
            *background = Some(self.engine.spawn_background());
        }
    }

    /// One sync run now, as the agent asked: send what is queued (also what waits out a
    /// back-off), refresh tracked orders.
    pub async fn sync_now(&self) -> Result<()> {
        self.engine.run_now().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeline_tones() {
        let tone = |kind, state: &str| StepTone::of(kind, OrderState::parse(state));
        assert_eq!(tone(TimelineKind::State, "completed"), StepTone::Ok);
        assert_eq!(tone(TimelineKind::State, "cancelled"), StepTone::Ok);
        for bad in ["failed", "rejected", "partial"] {
            assert_eq!(tone(TimelineKind::State, bad), StepTone::Bad, "{bad}");
        }
        assert_eq!(tone(TimelineKind::State, "pendingCancellation"), StepTone::Warn);
        assert_eq!(tone(TimelineKind::CancelRequested, ""), StepTone::Warn);
        assert_eq!(tone(TimelineKind::State, "inProgress"), StepTone::Neutral);
        assert_eq!(tone(TimelineKind::State, "awaitingCourier"), StepTone::Neutral);
    }

    #[test]
    fn requested_dates() {
        let now: DateTime<Utc> = "2026-11-23T12:00:00Z".parse().unwrap_or_default();
        assert_eq!(parse_requested_date("  ", now).ok(), Some(None));
        assert!(parse_requested_date("2026-11-23", now).is_ok_and(|d| d.is_some()));
        assert!(parse_requested_date("2026-11-22", now).is_err());
        assert!(parse_requested_date("2026-11-23T11:00:00Z", now).is_err());
        assert!(parse_requested_date("2026-12-01T09:30:00+01:00", now).is_ok());
        assert!(parse_requested_date("tomorrow", now).is_err());
    }

    #[test]
    fn reasons() {
        assert_eq!(check_reason("  moved abroad ").ok().as_deref(), Some("moved abroad"));
        assert!(check_reason("   ").is_err());
        assert!(check_reason(&"x".repeat(MAX_REASON_CHARS + 1)).is_err());
    }

    #[test]
    fn fields_named_by_servers() {
        assert_eq!(
            named_field("the server refused it: bad [field: relatedParty]").as_deref(),
            Some("relatedParty")
        );
        assert_eq!(
            named_field(
                "400: /productOrderItem/1/product/productCharacteristic/0/value: is required"
            )
            .as_deref(),
            Some("/productOrderItem/1/product/productCharacteristic/0/value")
        );
        assert_eq!(named_field("timed out after 10s"), None);
        assert_eq!(named_field("see http://x/y"), None);
    }
}
