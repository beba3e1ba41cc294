//! Delivery: a run ([`SyncEngine::run_once`]) sends every due outbox entry on its own,
//! resolves creates whose outcome is unknown by looking them up before any resend, follows
//! cancellation tasks, and reschedules what failed with back-off.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use orderdesk_client::{cancelled_order_id, order_state, resource_id, Client, ClientError};
use orderdesk_store::{AmendmentState, OutboxEntry, OutboxOp, OutboxStatus, Queries};
use orderdesk_wire::{TaskState, Version};
use serde_json::Value;
use tokio::task::JoinSet;

use super::{
    describe, lock, may_amend, needs_lookup, not_sent, EntryOutcome, EntryReport, SyncEngine,
    SyncReport, STATE_NOT_REPORTED,
};
use crate::error::{Result, SyncError};
use crate::payload::{self, Amendment, CreateRequest};

const INTERRUPTED: &str =
    "interrupted while being sent; it will be looked up on the server before any resend";
impl SyncEngine {
    /// One full pass: entries left in flight by a crash go back to the queue, every due
    /// outbox entry is delivered (each on its own), tracked orders are refreshed and the
    /// agent's customers' orders are pulled. Runs never overlap.
    pub async fn run_once(&self) -> Result<SyncReport> {
        let _running = self.inner.run_lock.lock().await;
        self.inner.status.send_modify(|s| s.running = true);
        let result = self.run_inner().await;
        self.inner.status.send_modify(|s| {
            s.running = false;
            s.in_flight = 0;
            s.last_run_at = Some(Utc::now());
            match &result {
                Ok(report) => {
                    s.online = Some(report.offline.is_empty());
                    s.last_error = report.errors.first().cloned();
                    if !report.entries.is_empty()
                        || !report.state_changes.is_empty()
                        || report.imported > 0
                    {
                        s.changes = s.changes.wrapping_add(1);
                    }
                }
                Err(err) => s.last_error = Some(err.to_string()),
            }
        });
        self.publish_counts().await;
        result
    }

    /// A run the agent asked for (`orderdesk sync`, *Sync now*): entries waiting out their
    /// back-off are attempted now too, as someone who asks for a sync expects. The background
    /// loop keeps to [`SyncEngine::run_once`] and the back-off.
    pub async fn run_now(&self) -> Result<SyncReport> {
        self.with_store(|s| Ok(s.outbox_due_now(Utc::now())?)).await?;
        self.run_once().await
    }

    async fn run_inner(&self) -> Result<SyncReport> {
        // Across processes too: another process's entries in flight must not look crashed.
        let _exclusive = crate::run_lock::try_acquire(self.inner.store.path())?;
        let mut report = SyncReport::default();
        // Runs do not overlap, in this process or any other (the run lock): anything in
        // flight now was left by a crash. Its idempotency key and the lookup before any resend keep it exactly once.
        // They are requeued as possibly sent (not `not_sent`), so each is looked up on the
        // server before it is sent again.
        self.with_store(|s| {
            let now = Utc::now();
            for entry in s.outbox(Some(OutboxStatus::InFlight))? {
                s.outbox_retry(entry.id, INTERRUPTED, now, false)?;
            }
            Ok(())
        })
        .await?;
        self.deliver(&mut report).await?;
        self.refresh(&mut report).await?;
        self.pull_customers(&mut report).await?;
        Ok(report)
    }

    /// Delivers every entry due at the start of the run. Entries rescheduled during the run
    /// wait for the next one, so a dead server cannot keep a run going.
    async fn deliver(&self, report: &mut SyncReport) -> Result<()> {
        let started = Utc::now();
        let offline: Arc<Mutex<HashSet<String>>> = Arc::default();
        loop {
            let batch = self.inner.config.batch_size;
            let claimed = self.with_store(move |s| Ok(s.claim_due(started, batch)?)).await?;
            if claimed.is_empty() {
                break;
            }
            let count = claimed.len();
            self.inner.status.send_modify(|s| s.in_flight = count);
            let mut tasks = JoinSet::new();
            let mut pending = claimed.into_iter();
            let mut results = Vec::with_capacity(count);
            loop {
                while tasks.len() < self.inner.config.concurrency.max(1) {
                    let Some(entry) = pending.next() else { break };
                    let engine = self.clone();
                    let offline = Arc::clone(&offline);
                    tasks.spawn(async move { engine.deliver_one(entry, &offline).await });
                }
                match tasks.join_next().await {
                    Some(Ok(result)) => results.push(result?),
                    Some(Err(join)) => {
                        return Err(SyncError::Invalid(format!("a delivery task failed: {join}")))
                    }
                    None => break,
                }
                let left = pending.len().saturating_add(tasks.len());
                self.inner.status.send_modify(|s| s.in_flight = left);
            }
            for (entry_report, recovered) in results {
                match &entry_report.outcome {
                    EntryOutcome::Done { .. } => {
                        report.delivered = report.delivered.saturating_add(1)
                    }
                    EntryOutcome::Retry { .. } => {
                        report.retrying = report.retrying.saturating_add(1)
                    }
                    EntryOutcome::Waiting { .. } => {
                        report.waiting = report.waiting.saturating_add(1)
                    }
                    EntryOutcome::NeedsAttention { .. } => {
                        report.needs_attention = report.needs_attention.saturating_add(1)
                    }
                }
                if recovered {
                    report.recovered_by_lookup = report.recovered_by_lookup.saturating_add(1);
                }
                report.entries.push(entry_report);
            }
            self.publish_counts().await;
        }
        let mut offline: Vec<String> = lock(&offline).iter().cloned().collect();
        offline.sort();
        report.offline = offline;
        Ok(())
    }

    fn backoff(&self, attempts: i64, err: Option<&ClientError>) -> DateTime<Utc> {
        let config = &self.inner.config;
        let shift = u32::try_from(attempts.saturating_sub(1).clamp(0, 16)).unwrap_or(16);
        let base =
            config.outbox_backoff.saturating_mul(1u32 << shift).min(config.outbox_backoff_max);
        let jittered = base.mul_f64(1.0 + fastrand_jitter());
        // The client reads a `Retry-After` as at most an hour; the sum is checked all the same.
        let wait = err.and_then(ClientError::retry_after).map_or(jittered, |ra| ra.max(base));
        after(wait)
    }

    /// Delivers one entry and records the outcome. Returns the report and whether an
    /// unknown outcome was resolved by finding the order on the server.
    async fn deliver_one(
        &self,
        entry: OutboxEntry,
        offline: &Mutex<HashSet<String>>,
    ) -> Result<(EntryReport, bool)> {
        let mut recovered = false;
        let clean = !needs_lookup(&entry);
        // Still no attempt can have reached the server (kept for a retry).
        let mut never_sent = false;
        // The server refused it for good (kept for needs-attention).
        let mut refused = false;
        let outcome = if lock(offline).contains(&entry.profile) {
            never_sent = clean;
            EntryOutcome::Retry {
                at: self.backoff(entry.attempts, None),
                error: format!("server {} unreachable in this run", entry.profile),
            }
        } else {
            match self.attempt(&entry, &mut recovered).await {
                Ok(outcome) => outcome,
                Err(SyncError::Client(err)) => {
                    if matches!(err, ClientError::Unreachable { .. }) {
                        lock(offline).insert(entry.profile.clone());
                    }
                    never_sent = clean && not_sent(&err);
                    refused = err.is_rejection();
                    self.classify(&entry, &err)
                }
                Err(SyncError::UnknownProfile(name)) => EntryOutcome::NeedsAttention {
                    error: format!("the server profile {name:?} no longer exists"),
                },
                Err(SyncError::Refused(why)) | Err(SyncError::Invalid(why)) => {
                    EntryOutcome::NeedsAttention { error: why }
                }
                Err(other) => return Err(other),
            }
        };
        let id = entry.id;
        let stored = outcome.clone();
        self.with_store(move |s| {
            match &stored {
                EntryOutcome::Done { .. } => s.outbox_done(id)?,
                EntryOutcome::Retry { at, error } => s.outbox_retry(id, error, *at, never_sent)?,
                EntryOutcome::Waiting { at, detail } => s.outbox_retry(id, detail, *at, false)?,
                EntryOutcome::NeedsAttention { error } => {
                    s.outbox_needs_attention(id, error, refused)?
                }
            }
            Ok(())
        })
        .await?;
        if let EntryOutcome::NeedsAttention { error } | EntryOutcome::Retry { error, .. } = &outcome
        {
            tracing::warn!(entry = entry.id, op = %entry.op, error, "outbox entry not delivered");
        }
        Ok((
            EntryReport { entry: entry.id, op: entry.op, draft_id: entry.draft_id, outcome },
            recovered,
        ))
    }

    fn classify(&self, entry: &OutboxEntry, err: &ClientError) -> EntryOutcome {
        if err.is_rejection() {
            EntryOutcome::NeedsAttention {
                error: format!("the server refused it: {}", describe(err)),
            }
        } else if err.is_transient() {
            EntryOutcome::Retry {
                at: self.backoff(entry.attempts, Some(err)),
                error: describe(err),
            }
        } else {
            EntryOutcome::NeedsAttention { error: describe(err) }
        }
    }

    async fn attempt(&self, entry: &OutboxEntry, recovered: &mut bool) -> Result<EntryOutcome> {
        let client = self.client(&entry.profile).await?;
        match entry.op {
            OutboxOp::Create => self.deliver_create(&client, entry, recovered).await,
            OutboxOp::Cancel => self.deliver_cancel(&client, entry).await,
            OutboxOp::Patch => self.deliver_patch(&client, entry).await,
            OutboxOp::Delete => self.deliver_delete(&client, entry).await,
        }
    }

    /// The order a create produced, found by the key it was sent with. An order found by a
    /// key that is not ours alone (a partner's `externalId`) is adopted only when it holds the
    /// items that were sent; the client checks that what it found carries the key.
    async fn lookup_created(&self, client: &Client, sent: &CreateRequest) -> Result<Option<Value>> {
        let key = sent.lookup_key.as_str();
        let ours = orderdesk_wire::external_id::client_order_id(&sent.body).as_deref() == Some(key);
        let found: Vec<Value> = client
            .find_orders_by_external_id(key)
            .await?
            .into_iter()
            .filter(|o| ours || orderdesk_wire::items::same_submission(&sent.body, o))
            .collect();
        if found.len() > 1 {
            tracing::error!(external_id = key, count = found.len(), "server holds duplicates");
        }
        Ok(found.into_iter().next())
    }

    async fn deliver_create(
        &self,
        client: &Client,
        entry: &OutboxEntry,
        recovered: &mut bool,
    ) -> Result<EntryOutcome> {
        let version = self.version(client).await?;
        let payload = entry
            .payload
            .as_deref()
            .and_then(|p| serde_json::from_str::<Value>(p).ok())
            .ok_or_else(|| SyncError::Invalid(format!("outbox entry {} has no order", entry.id)))?;
        // The same request on every attempt: the body and the key it is found by depend only
        // on the queued payload, the server's version and the entry's client order id.
        let sent = payload::create_request(payload, None, version, &entry.idempotency_key);
        for f in &sent.findings {
            tracing::warn!(entry = entry.id, path = %f.path, "{}", f.message);
        }
        // Tried before: the order may exist although we never heard back. Look first.
        if needs_lookup(entry) {
            if let Some(order) = self.lookup_created(client, &sent).await? {
                *recovered = true;
                let id = self.record(client, order, entry.draft_id.clone(), version).await?;
                return Ok(EntryOutcome::Done { order: Some(id) });
            }
        }
        let idempotency =
            self.inner.config.send_idempotency_key.then_some(entry.idempotency_key.as_str());
        match client.create_order(&sent.body, idempotency).await {
            Ok(order) if resource_id(&order).is_some() => {
                let id = self.record(client, order, entry.draft_id.clone(), version).await?;
                Ok(EntryOutcome::Done { order: Some(id) })
            }
            Ok(_) => self.resolve_unknown(client, entry, version, &sent, recovered, None).await,
            Err(err) if err.outcome_unknown() => {
                self.resolve_unknown(client, entry, version, &sent, recovered, Some(err)).await
            }
            Err(err) => Err(err.into()),
        }
    }

    /// The create may or may not have happened: find out before anything is sent again.
    async fn resolve_unknown(
        &self,
        client: &Client,
        entry: &OutboxEntry,
        version: Version,
        sent: &CreateRequest,
        recovered: &mut bool,
        cause: Option<ClientError>,
    ) -> Result<EntryOutcome> {
        let cause_text = cause
            .as_ref()
            .map_or_else(|| "the server's answer had no order id".to_owned(), describe);
        match self.lookup_created(client, sent).await {
            Ok(Some(order)) => {
                *recovered = true;
                let id = self.record(client, order, entry.draft_id.clone(), version).await?;
                Ok(EntryOutcome::Done { order: Some(id) })
            }
            Ok(None) => Ok(EntryOutcome::Retry {
                at: self.backoff(1, cause.as_ref()),
                error: format!("{cause_text}; not found on the server, will send again"),
            }),
            Err(lookup) => Ok(EntryOutcome::Retry {
                at: self.backoff(entry.attempts, None),
                error: format!(
                    "{cause_text}; looking the order up failed too ({lookup}); it will be looked \
                     up again before any resend"
                ),
            }),
        }
    }

    async fn order_of(&self, entry: &OutboxEntry) -> Result<orderdesk_store::Order> {
        let order_id = entry.order_id.ok_or_else(|| {
            SyncError::Invalid(format!("outbox entry {} names no order", entry.id))
        })?;
        self.with_store(move |s| Ok(s.order(order_id)?)).await
    }

    async fn deliver_cancel(&self, client: &Client, entry: &OutboxEntry) -> Result<EntryOutcome> {
        let order = self.order_of(entry).await?;
        let version = order.row.tmf_version;
        let entry_id = entry.id;
        let mut task_id: Option<String> =
            self.with_store(move |s| Ok(s.cancellation(entry_id)?.and_then(|c| c.task_id))).await?;
        let server_id = order.row.server_id.as_str();
        if task_id.is_none() && needs_lookup(entry) {
            // Sent before without a known answer: adopt a cancellation already there. Only
            // one of this order: a server may ignore the filter and list every order's.
            let existing = client.list_cancels(&[("productOrder.id", server_id)]).await?;
            task_id = existing
                .iter()
                .rev()
                .filter(|task| cancelled_order_id(task).as_deref() == Some(server_id))
                .find_map(resource_id);
        }
        let task = match task_id {
            Some(id) => client.get_cancel(&id).await?,
            None => {
                let body = entry.payload.as_deref().and_then(|p| serde_json::from_str(p).ok());
                let body: Value = body.ok_or_else(|| {
                    SyncError::Invalid(format!("outbox entry {} has no request", entry.id))
                })?;
                let task = client.create_cancel(&body, Some(&entry.idempotency_key)).await?;
                let id = resource_id(&task).ok_or_else(|| {
                    SyncError::Client(ClientError::Malformed {
                        status: 201,
                        detail: "the cancellation request has no id".into(),
                        correlation_id: String::new(),
                    })
                })?;
                self.with_store(move |s| Ok(s.set_cancellation_task(entry_id, &id)?)).await?;
                task
            }
        };
        // A task that names another order is not this order's cancellation, whatever it says.
        // A person looks at it: sending it again would meet the same task.
        if let Some(other) = cancelled_order_id(&task).filter(|id| id != server_id) {
            return Err(SyncError::Invalid(format!(
                "the server answered the cancellation of order {server_id} with a task of order \
                 {other:?}; it was not adopted"
            )));
        }
        let state = TaskState::of(&task);
        self.note_cancellation(entry.id, state, refusal_reason(&task)).await?;
        match state {
            Some(TaskState::Done) => {
                let fresh = client.get_order(&order.row.server_id).await?;
                let id = self.record(client, fresh, None, version).await?;
                Ok(EntryOutcome::Done { order: Some(id) })
            }
            Some(refusal) if refusal.is_refusal() => {
                let reason = refusal_reason(&task).unwrap_or("no reason given");
                let fresh = client.get_order(&order.row.server_id).await;
                if let Ok(fresh) = fresh {
                    self.record(client, fresh, None, version).await?;
                }
                Ok(EntryOutcome::NeedsAttention {
                    error: format!("the server refused the cancellation: {reason}"),
                })
            }
            _ => {
                let shown = order_state(&task).unwrap_or(STATE_NOT_REPORTED);
                Ok(EntryOutcome::Waiting {
                    at: after(self.inner.config.cancel_poll),
                    detail: format!("cancellation accepted, the server is working on it ({shown})"),
                })
            }
        }
    }

    async fn deliver_patch(&self, client: &Client, entry: &OutboxEntry) -> Result<EntryOutcome> {
        let order = self.order_of(entry).await?;
        let version = order.row.tmf_version;
        let entry_id = entry.id;
        let record = self.with_store(move |s| Ok(s.amendment(entry_id)?)).await?;
        let patch = entry.payload.as_deref().and_then(|p| serde_json::from_str(p).ok());
        let (Some(record), Some(patch)) = (record, patch) else {
            return Err(SyncError::Invalid(format!("outbox entry {} has no amendment", entry.id)));
        };
        let amendment = Amendment {
            patch,
            base: record.members.into_iter().map(|m| (m.member, m.base)).collect(),
        };
        let remote = client.get_order(&order.row.server_id).await?;
        let conflicts = amendment.conflicts(&remote);
        let state = order_state(&remote).unwrap_or("").to_owned();
        self.record(client, remote, None, version).await?;
        if !conflicts.is_empty() {
            let members = conflicts.clone();
            self.with_store(move |s| {
                Ok(s.set_amendment_state(entry_id, AmendmentState::Conflict, &members)?)
            })
            .await?;
            return Ok(EntryOutcome::NeedsAttention {
                error: format!(
                    "conflict: {} changed on the server since this amendment was made; review \
                     the order before sending it again",
                    conflicts.join(", ")
                ),
            });
        }
        if !may_amend(&state) {
            return Ok(EntryOutcome::NeedsAttention {
                error: format!("the order is now {state} and can no longer be amended"),
            });
        }
        // A merge patch applies the same way twice, so an unknown outcome is simply retried.
        let patched = client.patch_order(&order.row.server_id, &amendment.patch).await?;
        let id = self.record(client, patched, None, version).await?;
        self.with_store(move |s| {
            Ok(s.set_amendment_state(entry_id, AmendmentState::Applied, &[])?)
        })
        .await?;
        Ok(EntryOutcome::Done { order: Some(id) })
    }

    async fn deliver_delete(&self, client: &Client, entry: &OutboxEntry) -> Result<EntryOutcome> {
        let order = self.order_of(entry).await?;
        match client.delete_order(&order.row.server_id).await {
            Ok(()) | Err(ClientError::Server { status: 404, .. }) => {
                Ok(EntryOutcome::Done { order: entry.order_id })
            }
            Err(err) => Err(err.into()),
        }
    }

    /// Keeps the state the server last reported for a cancellation task (and its message), so
    /// the agent sees the cancellation's own progress and outcome after the task is finished.
    async fn note_cancellation(
        &self,
        entry_id: i64,
        state: Option<TaskState>,
        message: Option<&str>,
    ) -> Result<()> {
        let message = message.map(str::to_owned);
        self.with_store(move |s| {
            Ok(s.note_cancellation_state(entry_id, state, message.as_deref(), Utc::now())?)
        })
        .await
    }
}

/// `wait` from now, checked: a wait no date can hold is read as an hour (callers bound their
/// waits far below that).
fn after(wait: std::time::Duration) -> DateTime<Utc> {
    let now = Utc::now();
    chrono::TimeDelta::from_std(wait)
        .ok()
        .and_then(|wait| now.checked_add_signed(wait))
        .unwrap_or_else(|| now.checked_add_signed(chrono::TimeDelta::hours(1)).unwrap_or(now))
}

/// What the server said when it ended a cancellation task without cancelling.
fn refusal_reason(task: &Value) -> Option<&str> {
    ["errorMessage", "stateChangeReason", "statusChangeReason", "message"]
        .iter()
        .find_map(|k| task.get(*k).and_then(Value::as_str))
}

fn fastrand_jitter() -> f64 {
    // Up to +25 %: entries rescheduled together do not all come back in the same instant.
    f64::from(u32::from(uuid::Uuid::new_v4().as_bytes()[0])) / 255.0 * 0.25
}
