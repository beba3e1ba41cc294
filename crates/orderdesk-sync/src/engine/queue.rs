//! Queueing: submit, cancel and amend go into the store's outbox, online or not; an entry
//! waiting for the agent is retried or dropped from here. A draft reaches the outbox at most
//! once while an earlier submission of it is live ([`submit_in`]).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use orderdesk_core::{Catalog, DiscountPolicy, Finding, ValidateOptions};
use orderdesk_store::{
    NewCancellation, NewOutboxEntry, OrderFilter, OutboxEntry, OutboxOp, OutboxStatus, Queries,
    Store,
};
use orderdesk_wire::Version;
use serde_json::Value;

use super::{may_amend, may_cancel, SyncEngine};
use crate::error::{Result, SyncError};
use crate::payload::{self, Amendment};
use crate::profiles;

impl SyncEngine {
    /// Queues a draft for creation on `profile` (the active one when `None`), online or not.
    /// The draft gets a client order id, used as `externalId` and `Idempotency-Key`. A draft
    /// that is already queued or on the server is refused, so it can never reach it twice.
    pub async fn submit_draft(&self, draft_id: &str, profile: Option<&str>) -> Result<OutboxEntry> {
        let draft_id = draft_id.to_owned();
        let profile = profile.map(str::to_owned);
        let actor = self.inner.config.actor.clone();
        let source =
            self.inner.catalog.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        let entry = self
            .with_store(move |s| {
                // A draft that is missing or not JSON is refused by the gate, which says so.
                let doc =
                    s.draft(&draft_id).ok().and_then(|d| orderdesk_wire::parse_json(&d.body).ok());
                let catalog = match (source, doc) {
                    (_, None) => None,
                    (Some(source), Some(doc)) => source(s, &doc).map_err(|e| {
                        SyncError::Invalid(format!("the cached catalog cannot be read: {e}"))
                    })?,
                    (None, Some(doc)) => stored_catalog(s, &doc)?,
                };
                submit_in(s, &draft_id, profile.as_deref(), &actor, catalog.as_deref())
            })
            .await?;
        self.publish_counts().await;
        Ok(entry)
    }

    /// Queues a cancellation of a known order (local id). An order cancelled already, or
    /// whose cancellation is under way, is refused here ([`super::may_cancel`]); any other
    /// state is the server's to judge (the cached state may lag behind it), and a refusal
    /// comes back with the server's reason.
    pub async fn cancel_order(
        &self,
        order_id: i64,
        reason: &str,
        requested_date: Option<DateTime<Utc>>,
    ) -> Result<OutboxEntry> {
        let reason = reason.to_owned();
        let actor = self.inner.config.actor.clone();
        let entry = self
            .with_store(move |s| {
                let order = s.order(order_id)?;
                if !may_cancel(&order.row.state) {
                    return Err(SyncError::Refused(format!(
                        "order {order_id} is {}; a cancellation cannot change that",
                        order.row.state
                    )));
                }
                let date =
                    requested_date.map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
                let body = payload::cancel_payload(
                    &order.row.server_id,
                    order.row.href.as_deref(),
                    &reason,
                    date.as_deref(),
                );
                Ok(s.enqueue_cancellation(
                    NewOutboxEntry {
                        op: OutboxOp::Cancel,
                        profile: order.row.profile,
                        draft_id: None,
                        order_id: Some(order_id),
                        payload: Some(body.to_string()),
                        idempotency_key: None,
                        actor,
                    },
                    NewCancellation { reason, requested_date },
                )?)
            })
            .await?;
        self.publish_counts().await;
        Ok(entry)
    }

    /// Queues an amendment (a JSON merge patch) of a known order. The values the patched
    /// members have now are kept, so a conflicting remote change is detected, not overwritten.
    pub async fn amend_order(&self, order_id: i64, patch: Value) -> Result<OutboxEntry> {
        if !patch.is_object() {
            return Err(SyncError::Refused("an amendment must be a JSON object".into()));
        }
        let actor = self.inner.config.actor.clone();
        let entry = self
            .with_store(move |s| {
                let order = s.order(order_id)?;
                if !may_amend(&order.row.state) {
                    return Err(SyncError::not_amendable(order_id, &order.row.state));
                }
                let current: Value = serde_json::from_str(&order.payload)
                    .map_err(|err| SyncError::Invalid(format!("order {order_id}: {err}")))?;
                let amendment = Amendment::new(&current, patch);
                Ok(s.enqueue_amendment(
                    NewOutboxEntry {
                        op: OutboxOp::Patch,
                        profile: order.row.profile,
                        draft_id: order.row.draft_id,
                        order_id: Some(order_id),
                        payload: Some(amendment.patch.to_string()),
                        idempotency_key: None,
                        actor,
                    },
                    &amendment.base,
                )?)
            })
            .await?;
        self.publish_counts().await;
        Ok(entry)
    }

    /// Tries a needs-attention or rejected entry again now.
    pub async fn retry_entry(&self, entry_id: i64) -> Result<()> {
        self.with_store(move |s| {
            let entry = s.outbox_entry(entry_id)?;
            if matches!(entry.status, OutboxStatus::Done | OutboxStatus::InFlight) {
                return Err(SyncError::Refused(format!(
                    "outbox entry {entry_id} is {}; only waiting entries can be retried",
                    entry.status
                )));
            }
            Ok(s.outbox_requeue(entry_id)?)
        })
        .await?;
        self.publish_counts().await;
        Ok(())
    }

    /// Gives up on an entry that never reached the server: it stays in the outbox as
    /// `rejected`, with who dropped it, and is never sent. An entry whose outcome may be
    /// unknown (tried before) is refused unless `force`: it may exist on the server.
    pub async fn drop_entry(&self, entry_id: i64, force: bool) -> Result<()> {
        let actor = self.inner.config.actor.clone();
        self.with_store(move |s| {
            let entry = s.outbox_entry(entry_id)?;
            match entry.status {
                OutboxStatus::Done | OutboxStatus::Rejected => {
                    return Err(SyncError::Refused(format!(
                        "outbox entry {entry_id} is already {}",
                        entry.status
                    )))
                }
                OutboxStatus::InFlight => {
                    return Err(SyncError::Refused(format!(
                        "outbox entry {entry_id} is being sent right now"
                    )))
                }
                OutboxStatus::Queued if entry.attempts > 0 && !force => {
                    return Err(SyncError::Refused(format!(
                        "outbox entry {entry_id} was sent before and may exist on the server; \
                         run `orderdesk sync` first, or drop it with --force"
                    )))
                }
                _ => {}
            }
            let why = match &entry.last_error {
                // The server's refusal stays the entry's error as the server wrote it: the
                // draft's editor shows it until the draft is submitted again.
                Some(e) if entry.refused => e.clone(),
                Some(e) => format!("dropped by {actor} (last error: {e})"),
                None => format!("dropped by {actor}"),
            };
            Ok(s.outbox_rejected(entry_id, &why)?)
        })
        .await?;
        self.publish_counts().await;
        Ok(())
    }
}

/// What the cached catalog holds of what `order` names, indexed (`None` before any import).
fn stored_catalog(store: &Store, order: &serde_json::Value) -> Result<Option<Arc<Catalog>>> {
    if store.catalog_version()?.is_none() {
        return Ok(None);
    }
    let snapshot = store.catalog_closure(&orderdesk_core::catalog::order_refs(order))?;
    let catalog = Catalog::from_json(&snapshot)
        .map_err(|e| SyncError::Invalid(format!("the cached catalog cannot be read: {e}")))?;
    Ok(Some(Arc::new(catalog)))
}

/// The findings that decide whether a draft may be submitted: `orderdesk-core`'s one list of
/// checks on the draft as stored, with the official create schema of its version and the
/// catalog (`None` when none was imported, so offerings are not all called unknown), and the
/// discount policy of the profile it goes to ([`profiles::policy`]).
pub fn submit_findings(
    body: &str,
    version: Version,
    catalog: Option<&Catalog>,
    policy: Option<&DiscountPolicy>,
) -> Vec<Finding> {
    match orderdesk_wire::parse_json(body) {
        Ok(doc) => orderdesk_core::validate_json(
            &doc,
            catalog,
            ValidateOptions { now: Some(Utc::now()), version: Some(version), policy },
        ),
        Err(e) => vec![orderdesk_core::codes::finding(
            orderdesk_core::codes::ORDER_NOT_OBJECT,
            "",
            e.to_string(),
        )],
    }
}

/// Queues a draft (see [`SyncEngine::submit_draft`]); usable on a plain [`Store`] too. This is
/// the submit gate every caller goes through: a draft with an error finding is refused
/// ([`SyncError::DraftHasErrors`], with the findings), whoever asks.
pub fn submit_in(
    store: &mut Store,
    draft_id: &str,
    profile: Option<&str>,
    actor: &str,
    catalog: Option<&Catalog>,
) -> Result<OutboxEntry> {
    let profile = profiles::resolve(store, profile)?;
    let policy = profiles::policy(store, Some(&profile.name))?;
    let draft = store.draft(draft_id)?;
    let findings = submit_findings(&draft.body, draft.row.tmf_version, catalog, policy.governing());
    if orderdesk_core::has_errors(&findings) {
        return Err(SyncError::DraftHasErrors { draft_id: draft_id.to_owned(), findings });
    }
    let orders = store.orders(&OrderFilter {
        draft_id: Some(draft_id.to_owned()),
        limit: 1,
        ..OrderFilter::default()
    })?;
    if let Some(order) = orders.first() {
        return Err(SyncError::Refused(format!(
            "draft {draft_id} is already on the server as order {} ({})",
            order.server_id, order.profile
        )));
    }
    if let Some(entry) = store.live_submission(draft_id)? {
        return Err(SyncError::Refused(format!(
            "draft {draft_id} is already submitted (outbox entry {}, {})",
            entry.id, entry.status
        )));
    }
    let client_order_id = payload::new_client_order_id();
    let version = draft.row.tmf_version;
    let doc = orderdesk_wire::parse_json(&draft.body)
        .map_err(|e| SyncError::Invalid(format!("draft {draft_id}: {e}")))?;
    // Queued in the draft's own version; converted to the server's when it is sent.
    let body = payload::create_request(doc, Some(version), version, &client_order_id).body;
    Ok(store.enqueue(NewOutboxEntry {
        op: OutboxOp::Create,
        profile: profile.name,
        draft_id: Some(draft_id.to_owned()),
        order_id: None,
        payload: Some(body.to_string()),
        idempotency_key: Some(client_order_id),
        actor: actor.to_owned(),
    })?)
}
