//! The writer: every change to the database goes through a [`Store`], one transaction per call.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::backup::Progress;
use rusqlite::{params, Connection, OptionalExtension, MAIN_DB};
use serde_json::Value;

use crate::catalog::{CatalogImportMeta, CatalogWriter};
use crate::error::{Result, StoreError};
use crate::extract::{self, OrderSummary};
use crate::model::*;
use crate::open::{self, OpenOptions, Role};
use crate::query::{live_submission_in, outbox_entry, Queries, OUTBOX_COLUMNS};
use crate::search;

/// The database's single writer (it also reads). Synchronous: the CLI uses it directly; the app
/// moves it onto a writer thread with [`crate::StoreHandle`].
///
/// Invariant: every public method that changes data runs in one IMMEDIATE transaction and
/// returns only after it committed with `synchronous=FULL`, so a change that returned is on disk.
#[derive(Debug)]
pub struct Store {
    pub(crate) conn: Connection,
    path: PathBuf,
    options: OpenOptions,
}

impl Queries for Store {
    fn connection(&self) -> &Connection {
        &self.conn
    }
}

/// A read-only connection to a store's database, for readers running beside the writer.
#[derive(Debug)]
pub struct Reader {
    conn: Connection,
}

impl Reader {
    /// Open a reader on an existing, current-version database.
    pub fn open(path: &Path) -> Result<Reader> {
        let conn = open::open_connection(path, &OpenOptions::default(), Role::Reader)?;
        Ok(Reader { conn })
    }
}

impl Queries for Reader {
    fn connection(&self) -> &Connection {
        &self.conn
    }
}

fn parse_json_object(text: &str, what: &str) -> Result<Value> {
    let value: Value = serde_json::from_str(text)
        .map_err(|err| StoreError::Invalid(format!("{what} is not valid JSON: {err}")))?;
    if !value.is_object() {
        return Err(StoreError::Invalid(format!("{what} must be a JSON object")));
    }
    Ok(value)
}

fn money_columns(summary: &OrderSummary) -> (Option<String>, Option<String>) {
    match &summary.total {
        Some(money) => (Some(money.amount.to_string()), Some(money.currency.clone())),
        None => (None, None),
    }
}

fn draft_title(id: &str, summary: &OrderSummary) -> String {
    match &summary.customer {
        Some(customer) => format!("{customer} ({id})"),
        None => id.to_owned(),
    }
}

pub(crate) fn audit_in(conn: &Connection, entry: &NewAudit, at: DateTime<Utc>) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit (subject, subject_id, event, at, actor, detail, state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        entry.subject,
        entry.subject_id,
        entry.event,
        ts_text(at),
        entry.actor,
        entry.detail,
        entry.state
    ])?;
    Ok(())
}

/// [`Store::record_order`] inside the caller's transaction.
fn record_order_in(tx: &Connection, seen: OrderSeen) -> Result<i64> {
    let doc = parse_json_object(&seen.payload, "the order payload")?;
    if !seen.item_states.is_object() {
        return Err(StoreError::Invalid(
            "item states must be a JSON object (item id → state)".into(),
        ));
    }
    let summary = extract::summarize_order(&doc);
    let (total, currency) = money_columns(&summary);
    let item_states = seen.item_states.to_string();
    let previous: Option<(i64, String)> = tx
        .prepare_cached("SELECT id, state FROM orders WHERE profile = ?1 AND server_id = ?2")?
        .query_row(params![seen.profile, seen.server_id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    let id: i64 = tx
        .prepare_cached(
            "INSERT INTO orders (profile, server_id, href, state, item_states, tmf_version, payload,
                                 customer, total, currency, item_count, draft_id, last_seen)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
             ON CONFLICT (profile, server_id) DO UPDATE SET
                 href = excluded.href, state = excluded.state, item_states = excluded.item_states,
                 tmf_version = excluded.tmf_version, payload = excluded.payload,
                 customer = excluded.customer, total = excluded.total, currency = excluded.currency,
                 item_count = excluded.item_count,
                 draft_id = coalesce(excluded.draft_id, orders.draft_id),
                 last_seen = excluded.last_seen
             RETURNING id",
        )?
        .query_row(
            params![
                seen.profile,
                seen.server_id,
                seen.href,
                seen.state,
                item_states,
                VersionColumn(seen.tmf_version),
                seen.payload,
                summary.customer,
                total,
                currency,
                summary.item_count,
                seen.draft_id,
                ts_text(seen.seen_at)
            ],
            |row| row.get(0),
        )?;
    let title = match &summary.customer {
        Some(customer) => format!("{} {customer}", seen.server_id),
        None => seen.server_id.clone(),
    };
    search::index_record(
        tx,
        SearchKind::Order,
        &id.to_string(),
        &title,
        &extract::search_text(&doc),
    )?;
    let event = match &previous {
        None => Some((AuditEvent::Created, format!("state {}", seen.state))),
        Some((_, old)) if *old != seen.state => {
            Some((AuditEvent::StateChanged, format!("{old} → {}", seen.state)))
        }
        Some(_) => None,
    };
    if let Some((event, detail)) = event {
        audit_in(
            tx,
            &NewAudit {
                subject: AuditSubject::Order,
                subject_id: id.to_string(),
                event,
                actor: seen.actor,
                detail: Some(detail),
                state: Some(seen.state),
            },
            Utc::now(),
        )?;
    }
    Ok(id)
}

/// [`Store::enqueue`] inside the caller's transaction: the entry (a create of a draft with the
/// draft's current revision) and its audit record. Returns the stored entry.
pub(crate) fn enqueue_in(tx: &Connection, entry: NewOutboxEntry) -> Result<OutboxEntry> {
    if let Some(payload) = &entry.payload {
        parse_json_object(payload, "the outbox payload")?;
    }
    let key = entry.idempotency_key.clone().unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let now = ts_text(Utc::now());
    let id: i64 = tx
        .prepare_cached(
            "INSERT INTO outbox (op, profile, draft_id, order_id, payload, idempotency_key,
                                 status, next_attempt_at, created_at, updated_at, draft_revision)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', ?7, ?7, ?7,
                     (SELECT revision FROM drafts WHERE id = ?3 AND ?1 = 'create'))
             ON CONFLICT (idempotency_key) DO NOTHING
             RETURNING id",
        )?
        .query_row(
            params![
                entry.op,
                entry.profile,
                entry.draft_id,
                entry.order_id,
                entry.payload,
                key,
                now
            ],
            |row| row.get(0),
        )
        .optional()?
        .ok_or_else(|| {
            StoreError::Conflict(format!("an outbox entry with idempotency key {key} exists"))
        })?;
    let audit = match (entry.op, &entry.draft_id, entry.order_id) {
        (OutboxOp::Create, Some(draft), _) => {
            Some((AuditSubject::Draft, draft.clone(), AuditEvent::Submitted))
        }
        (OutboxOp::Cancel, _, Some(order)) => {
            Some((AuditSubject::Order, order.to_string(), AuditEvent::CancelRequested))
        }
        (OutboxOp::Patch, _, Some(order)) => {
            Some((AuditSubject::Order, order.to_string(), AuditEvent::AmendRequested))
        }
        _ => None,
    };
    if let Some((subject, subject_id, event)) = audit {
        audit_in(
            tx,
            &NewAudit {
                subject,
                subject_id,
                event,
                actor: entry.actor,
                detail: Some(format!("outbox entry {id} to {}", entry.profile)),
                state: None,
            },
            Utc::now(),
        )?;
    }
    let stored = tx
        .prepare_cached(&format!("SELECT {OUTBOX_COLUMNS} FROM outbox WHERE id = ?1"))?
        .query_row([id], outbox_entry)?;
    Ok(stored)
}

impl Store {
    /// Open (creating and migrating as needed) the database at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        Store::open_with(path, OpenOptions::default())
    }

    /// Open with explicit options (read-only, size cap).
    pub fn open_with(path: impl AsRef<Path>, options: OpenOptions) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        let conn = open::open_connection(&path, &options, Role::Writer)?;
        Ok(Store { conn, path, options })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A new reader connection on the same file.
    pub fn reader(&self) -> Result<Reader> {
        Reader::open(&self.path)
    }

    // ---- drafts ----------------------------------------------------------------------------

    /// Store a new draft (revision 1). Returns its listing row, with the new id.
    pub fn create_draft(&mut self, draft: NewDraft) -> Result<DraftRow> {
        let doc = parse_json_object(&draft.body, "the draft")?;
        let summary = draft.summary.unwrap_or_else(|| extract::summarize_order(&doc));
        let id = uuid::Uuid::new_v4().to_string();
        let now = Utc::now();
        let (total, currency) = money_columns(&summary);
        let tx = open::write_tx(&mut self.conn)?;
        tx.prepare_cached(
            "INSERT INTO drafts (id, revision, tmf_version, body, customer, total, currency,
                                 item_count, catalog_version, created_at, updated_at)
             VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
        )?
        .execute(params![
            id,
            VersionColumn(draft.tmf_version),
            draft.body,
            summary.customer,
            total,
            currency,
            summary.item_count,
            draft.catalog_version,
            ts_text(now)
        ])?;
        tx.prepare_cached(
            "INSERT INTO draft_revisions (draft_id, revision, body, catalog_version, action, actor, at)
             VALUES (?1, 1, ?2, ?3, 'create', ?4, ?5)",
        )?
        .execute(params![
            id,
            draft.body,
            draft.catalog_version,
            draft.actor,
            ts_text(now)
        ])?;
        search::index_record(
            &tx,
            SearchKind::Draft,
            &id,
            &draft_title(&id, &summary),
            &extract::search_text(&doc),
        )?;
        audit_in(
            &tx,
            &NewAudit {
                subject: AuditSubject::Draft,
                subject_id: id.clone(),
                event: AuditEvent::Created,
                actor: draft.actor,
                detail: None,
                state: None,
            },
            now,
        )?;
        tx.commit()?;
        Ok(DraftRow {
            id,
            revision: 1,
            tmf_version: draft.tmf_version,
            customer: summary.customer,
            total: summary.total,
            item_count: i64::from(summary.item_count),
            catalog_version: draft.catalog_version,
            created_at: now,
            updated_at: now,
        })
    }

    /// Replace a draft's body with a new revision (the old one stays in its history).
    pub fn update_draft(&mut self, id: &str, edit: DraftEdit) -> Result<DraftRow> {
        self.write_revision(id, edit, AuditEvent::Edited, &[])
    }

    /// [`Store::update_draft`] for a revision that added `offerings` to the draft: they
    /// become the most recently added ones (`Queries::recent_offerings`) in the same
    /// transaction.
    pub fn update_draft_adding(
        &mut self,
        id: &str,
        edit: DraftEdit,
        offerings: &[String],
    ) -> Result<DraftRow> {
        self.write_revision(id, edit, AuditEvent::Edited, offerings)
    }

    /// Save the revision that records a discount approval: like [`Store::update_draft`], but
    /// its audit entry is a `discount-approved` one (who approved, with which code, is in
    /// `edit.action`), written in the same transaction.
    pub fn approve_discount(&mut self, id: &str, edit: DraftEdit) -> Result<DraftRow> {
        self.write_revision(id, edit, AuditEvent::DiscountApproved, &[])
    }

    /// Make an earlier revision current again, as a new revision (history is never rewritten).
    pub fn restore_draft(&mut self, id: &str, revision: i64, actor: &str) -> Result<DraftRow> {
        let body = self.draft_revision_body(id, revision)?;
        let catalog_version: Option<String> = self.conn.query_row(
            "SELECT catalog_version FROM draft_revisions WHERE draft_id = ?1 AND revision = ?2",
            params![id, revision],
            |row| row.get(0),
        )?;
        self.write_revision(
            id,
            DraftEdit {
                body,
                catalog_version,
                actor: actor.to_owned(),
                action: format!("restore {revision}"),
                expected_revision: None,
                summary: None,
            },
            AuditEvent::Restored,
            &[],
        )
    }

    fn write_revision(
        &mut self,
        id: &str,
        edit: DraftEdit,
        event: AuditEvent,
        added: &[String],
    ) -> Result<DraftRow> {
        let doc = parse_json_object(&edit.body, "the draft")?;
        let summary = edit.summary.unwrap_or_else(|| extract::summarize_order(&doc));
        let (total, currency) = money_columns(&summary);
        let now = Utc::now();
        let tx = open::write_tx(&mut self.conn)?;
        let current: Option<(i64, Option<String>, VersionColumn, String)> = tx
            .prepare_cached(
                "SELECT revision, catalog_version, tmf_version, created_at FROM drafts WHERE id = ?1",
            )?
            .query_row([id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))
            .optional()?;
        let Some((revision, old_catalog, tmf_version, created_at)) = current else {
            return Err(StoreError::not_found("draft", id));
        };
        // Checked in the write itself: a submission queued a moment ago is never overwritten.
        if let Some(entry) = live_submission_in(&tx, id)? {
            return Err(StoreError::DraftSubmitted {
                draft_id: id.to_owned(),
                detail: submission_text(&entry),
            });
        }
        if let Some(expected) = edit.expected_revision {
            if expected != revision {
                return Err(StoreError::Conflict(format!(
                    "draft {id} is at revision {revision}, not {expected}; reload it and try again"
                )));
            }
        }
        let next = revision.saturating_add(1);
        let catalog_version = edit.catalog_version.or(old_catalog);
        tx.prepare_cached(
            "UPDATE drafts SET revision = ?2, body = ?3, customer = ?4, total = ?5, currency = ?6,
                               item_count = ?7, catalog_version = ?8, updated_at = ?9
             WHERE id = ?1",
        )?
        .execute(params![
            id,
            next,
            edit.body,
            summary.customer,
            total,
            currency,
            summary.item_count,
            catalog_version,
            ts_text(now)
        ])?;
        tx.prepare_cached(
            "INSERT INTO draft_revisions (draft_id, revision, body, catalog_version, action, actor, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![
            id,
            next,
            edit.body,
            catalog_version,
            edit.action,
            edit.actor,
            ts_text(now)
        ])?;
        search::index_record(
            &tx,
            SearchKind::Draft,
            id,
            &draft_title(id, &summary),
            &extract::search_text(&doc),
        )?;
        audit_in(
            &tx,
            &NewAudit {
                subject: AuditSubject::Draft,
                subject_id: id.to_owned(),
                event,
                actor: edit.actor,
                detail: Some(format!("revision {next}: {}", edit.action)),
                state: None,
            },
            now,
        )?;
        for offering in added {
            crate::favourites::record_added(&tx, offering, &ts_text(now))?;
        }
        let row = DraftRow {
            id: id.to_owned(),
            revision: next,
            tmf_version: tmf_version.0,
            customer: summary.customer,
            total: summary.total,
            item_count: i64::from(summary.item_count),
            catalog_version,
            created_at: ts_parse(&created_at)?,
            updated_at: now,
        };
        tx.commit()?;
        Ok(row)
    }

    /// Take a draft's submission back while it has not been sent, so the draft can be edited
    /// again: in one transaction its create entry is taken out of the outbox (so no retry can
    /// ever send the old revision) and the audit log records it. Refused
    /// ([`StoreError::DraftSent`]) once an attempt may have reached the server (in flight,
    /// done, or queued again after an attempt that may have arrived). Returns the entry as it
    /// was.
    pub fn withdraw_submission(&mut self, draft_id: &str, actor: &str) -> Result<OutboxEntry> {
        let tx = open::write_tx(&mut self.conn)?;
        let exists: Option<i64> = tx
            .prepare_cached("SELECT revision FROM drafts WHERE id = ?1")?
            .query_row([draft_id], |row| row.get(0))
            .optional()?;
        if exists.is_none() {
            return Err(StoreError::not_found("draft", draft_id));
        }
        let Some(entry) = live_submission_in(&tx, draft_id)? else {
            return Err(StoreError::Invalid(format!(
                "draft {draft_id} is not submitted; there is nothing to withdraw"
            )));
        };
        if !entry.withdrawable() {
            return Err(StoreError::DraftSent {
                draft_id: draft_id.to_owned(),
                detail: submission_text(&entry),
            });
        }
        tx.prepare_cached("DELETE FROM outbox WHERE id = ?1 AND status = 'queued'")?
            .execute([entry.id])?;
        audit_in(
            &tx,
            &NewAudit {
                subject: AuditSubject::Draft,
                subject_id: draft_id.to_owned(),
                event: AuditEvent::Edited,
                actor: actor.to_owned(),
                detail: Some(format!(
                    "submission withdrawn before it was sent (outbox entry {} for {}, revision {})",
                    entry.id,
                    entry.profile,
                    entry.draft_revision.unwrap_or_default()
                )),
                state: None,
            },
            Utc::now(),
        )?;
        tx.commit()?;
        Ok(entry)
    }

    /// Delete a draft and its history. The audit trail keeps a record that it existed. A
    /// submitted draft (queued, being sent or on the server) is refused
    /// (`store.draft_submitted`), checked in the same transaction: its outbox entry and the
    /// order it became name it.
    pub fn delete_draft(&mut self, id: &str, actor: &str) -> Result<()> {
        let tx = open::write_tx(&mut self.conn)?;
        if let Some(entry) = live_submission_in(&tx, id)? {
            return Err(StoreError::DraftSubmitted {
                draft_id: id.to_owned(),
                detail: submission_text(&entry),
            });
        }
        let deleted = tx.execute("DELETE FROM drafts WHERE id = ?1", [id])?;
        if deleted == 0 {
            return Err(StoreError::not_found("draft", id));
        }
        search::unindex_record(&tx, SearchKind::Draft, id)?;
        audit_in(
            &tx,
            &NewAudit {
                subject: AuditSubject::Draft,
                subject_id: id.to_owned(),
                event: AuditEvent::Deleted,
                actor: actor.to_owned(),
                detail: None,
                state: None,
            },
            Utc::now(),
        )?;
        tx.commit()?;
        Ok(())
    }

    // ---- orders ----------------------------------------------------------------------------

    /// Record what a server returned for an order; inserts it the first time, updates it
    /// after. A state change is written to the audit log. Returns the order's local id.
    pub fn record_order(&mut self, seen: OrderSeen) -> Result<i64> {
        let tx = open::write_tx(&mut self.conn)?;
        let id = record_order_in(&tx, seen)?;
        tx.commit()?;
        Ok(id)
    }

    /// Record a batch of orders (a sync's result) in one transaction: all or none.
    /// Returns their local ids in the same order.
    pub fn record_orders(&mut self, batch: Vec<OrderSeen>) -> Result<Vec<i64>> {
        let tx = open::write_tx(&mut self.conn)?;
        let ids =
            batch.into_iter().map(|seen| record_order_in(&tx, seen)).collect::<Result<Vec<_>>>()?;
        tx.commit()?;
        Ok(ids)
    }

    // ---- outbox ----------------------------------------------------------------------------

    /// Queue an operation for the server. Submitting a draft and requesting a cancellation
    /// are written to the audit log in the same transaction. A cancellation or an amendment
    /// is queued with [`Store::enqueue_cancellation`] or [`Store::enqueue_amendment`].
    pub fn enqueue(&mut self, entry: NewOutboxEntry) -> Result<OutboxEntry> {
        if matches!(entry.op, OutboxOp::Cancel | OutboxOp::Patch) {
            return Err(StoreError::Invalid(format!(
                "a {} is queued with what it asks for (enqueue_cancellation or enqueue_amendment)",
                entry.op
            )));
        }
        let tx = open::write_tx(&mut self.conn)?;
        let stored = enqueue_in(&tx, entry)?;
        tx.commit()?;
        Ok(stored)
    }

    /// Take up to `limit` queued entries that are due at `now`, mark them in-flight and count
    /// the attempt. Entries are taken by due time, not strictly in queue order, so an entry
    /// waiting out a back-off (or one the user must fix) never holds up the others.
    pub fn claim_due(&mut self, now: DateTime<Utc>, limit: u32) -> Result<Vec<OutboxEntry>> {
        let stamp = ts_text(now);
        let tx = open::write_tx(&mut self.conn)?;
        let claimed = tx
            .prepare_cached(&format!(
                "UPDATE outbox SET status = 'in-flight', attempts = attempts + 1, updated_at = ?1
                 WHERE id IN (SELECT id FROM outbox WHERE status = 'queued' AND next_attempt_at <= ?1
                              ORDER BY next_attempt_at, id LIMIT ?2)
                 RETURNING {OUTBOX_COLUMNS}"
            ))?
            .query_map(params![stamp, limit], outbox_entry)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        tx.commit()?;
        let mut claimed = claimed;
        claimed.sort_by_key(|entry| (entry.next_attempt_at, entry.id));
        Ok(claimed)
    }

    /// The server accepted the entry.
    pub fn outbox_done(&mut self, id: i64) -> Result<()> {
        self.set_outbox_status(id, OutboxStatus::Done, None, None, Some((false, false)))
    }

    /// A transient failure (timeout, 5xx) or a task still under way: try again at `retry_at`
    /// with the same idempotency key. `not_sent`: no attempt so far can have reached the
    /// server's processing (see [`OutboxEntry::not_sent`]).
    pub fn outbox_retry(
        &mut self,
        id: i64,
        error: &str,
        retry_at: DateTime<Utc>,
        not_sent: bool,
    ) -> Result<()> {
        self.set_outbox_status(
            id,
            OutboxStatus::Queued,
            Some(error),
            Some(retry_at),
            Some((not_sent, false)),
        )
    }

    /// The user gave up on the entry: it stays, never sent, for the user to see.
    pub fn outbox_rejected(&mut self, id: i64, error: &str) -> Result<()> {
        self.set_outbox_status(id, OutboxStatus::Rejected, Some(error), None, None)
    }

    /// The outcome is unknown or needs a decision (retries exhausted, a conflict); `refused`:
    /// the server refused it for good (a 4xx answer), so nothing was made there.
    pub fn outbox_needs_attention(&mut self, id: i64, error: &str, refused: bool) -> Result<()> {
        self.set_outbox_status(
            id,
            OutboxStatus::NeedsAttention,
            Some(error),
            None,
            Some((false, refused)),
        )
    }

    /// The user asked to try a rejected or needs-attention entry again, now.
    pub fn outbox_requeue(&mut self, id: i64) -> Result<()> {
        self.set_outbox_status(id, OutboxStatus::Queued, None, Some(Utc::now()), None)
    }

    /// The agent asked for a sync: queued entries waiting out a back-off are due at `now`, so
    /// the run attempts them. Returns how many were waiting.
    pub fn outbox_due_now(&mut self, now: DateTime<Utc>) -> Result<usize> {
        let stamp = ts_text(now);
        let tx = open::write_tx(&mut self.conn)?;
        let count = tx.execute(
            "UPDATE outbox SET next_attempt_at = ?1
             WHERE status = 'queued' AND next_attempt_at > ?1",
            [&stamp],
        )?;
        tx.commit()?;
        Ok(count)
    }

    /// After a crash, entries left in flight go back to the queue; their idempotency keys make
    /// the retry safe if the server had already committed them, and as their attempt may have
    /// reached the server they are no longer [`OutboxEntry::not_sent`]. Returns how many.
    pub fn recover_in_flight(&mut self) -> Result<usize> {
        let tx = open::write_tx(&mut self.conn)?;
        let count = tx.execute(
            "UPDATE outbox SET status = 'queued', not_sent = 0, updated_at = ?1
             WHERE status = 'in-flight'",
            [ts_text(Utc::now())],
        )?;
        tx.commit()?;
        Ok(count)
    }

    /// `flags`: the new (`not_sent`, `refused`), or `None` to keep them.
    fn set_outbox_status(
        &mut self,
        id: i64,
        status: OutboxStatus,
        error: Option<&str>,
        next_attempt: Option<DateTime<Utc>>,
        flags: Option<(bool, bool)>,
    ) -> Result<()> {
        let now = ts_text(Utc::now());
        let (not_sent, refused) = flags.unzip();
        let tx = open::write_tx(&mut self.conn)?;
        let changed = tx
            .prepare_cached(
                // A delivered entry has no error left to show: an earlier attempt's is cleared.
                "UPDATE outbox SET status = ?2,
                                   last_error = CASE WHEN ?2 = 'done' THEN NULL
                                                     ELSE coalesce(?3, last_error) END,
                                   next_attempt_at = coalesce(?4, next_attempt_at), updated_at = ?5,
                                   not_sent = coalesce(?6, not_sent), refused = coalesce(?7, refused)
                 WHERE id = ?1",
            )?
            .execute(params![
                id,
                status,
                error,
                next_attempt.map(ts_text),
                now,
                not_sent,
                refused
            ])?;
        if changed == 0 {
            return Err(StoreError::not_found("outbox entry", id.to_string()));
        }
        tx.commit()?;
        Ok(())
    }

    // ---- catalog ---------------------------------------------------------------------------

    /// Store a catalog snapshot (replacing the cached catalog) or a sync (merging into it),
    /// in one transaction: readers see the old catalog or the new one, never a mix.
    pub fn import_catalog(&mut self, import: CatalogImport) -> Result<CatalogImportReport> {
        let meta = CatalogImportMeta {
            version: import.version,
            fetched_at: import.fetched_at,
            source: import.source,
            replace: import.replace,
        };
        let mut writer = self.catalog_writer(&meta)?;
        for item in &import.items {
            writer.put(item.kind, &item.body)?;
        }
        let report = writer.finish(meta.version, meta.fetched_at)?;
        self.shrink_wal();
        Ok(report)
    }

    /// Start a catalog import written record by record (a snapshot streamed from a file):
    /// see [`CatalogWriter`].
    pub fn catalog_writer(&mut self, meta: &CatalogImportMeta) -> Result<CatalogWriter<'_>> {
        CatalogWriter::begin(open::write_tx(&mut self.conn)?, meta)
    }

    // ---- audit, settings ---------------------------------------------------------

    /// Append an entry to the audit log.
    pub fn append_audit(&mut self, entry: NewAudit) -> Result<()> {
        let tx = open::write_tx(&mut self.conn)?;
        audit_in(&tx, &entry, Utc::now())?;
        tx.commit()?;
        Ok(())
    }

    /// Set a setting to a JSON value.
    pub fn set_setting(&mut self, key: &str, value: &Value) -> Result<()> {
        let tx = open::write_tx(&mut self.conn)?;
        tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value.to_string()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Remove a setting (absent is not an error).
    pub fn delete_setting(&mut self, key: &str) -> Result<()> {
        let tx = open::write_tx(&mut self.conn)?;
        tx.execute("DELETE FROM settings WHERE key = ?1", [key])?;
        tx.commit()?;
        Ok(())
    }

    /// Backing up onto (or restoring from) the live file itself would destroy it.
    fn refuse_own_file(&self, other: &Path) -> Result<()> {
        let same = match (std::fs::canonicalize(&self.path), std::fs::canonicalize(other)) {
            (Ok(ours), Ok(theirs)) => ours == theirs,
            _ => false,
        };
        if same {
            return Err(StoreError::Invalid(format!(
                "{} is the live database itself; choose another file",
                other.display()
            )));
        }
        Ok(())
    }

    /// Copy committed WAL content into the database file without waiting for readers
    /// (`PRAGMA wal_checkpoint(PASSIVE)`). The writer thread runs this when idle; SQLite's
    /// automatic checkpoint remains as a backstop.
    pub fn checkpoint(&self) -> Result<()> {
        self.conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// After a bulk write (a catalog import writes hundreds of MiB): copy the WAL into the
    /// database file and truncate it (`PRAGMA wal_checkpoint(TRUNCATE)`). Left as it was, a
    /// WAL that large is read again by every later connection as it opens, which cost each
    /// CLI command over 100 ms. Best effort: the write is committed either way, and when
    /// readers hold the WAL (or the checkpoint fails) SQLite checkpoints it later on its own.
    pub fn shrink_wal(&self) {
        // The answer row says whether readers kept it from completing; either way is fine.
        let _busy =
            self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| row.get::<_, i64>(0));
    }

    // ---- backup ----------------------------------------------------------------------------

    /// Copy the live database to `target` with SQLite's online backup API (readers and this
    /// writer's callers see no interruption). The copy is written beside `target` and renamed
    /// into place, so `target` is either the old file or a complete backup.
    pub fn backup_to(&self, target: &Path) -> Result<()> {
        self.refuse_own_file(target)?;
        let partial = open::sibling(target, ".partial");
        let _ = std::fs::remove_file(&partial);
        // A backup holds what the database holds: private from the first byte.
        open::create_private(&partial)?;
        self.conn.backup(MAIN_DB, &partial, None::<fn(Progress)>).map_err(|err| {
            let _ = std::fs::remove_file(&partial);
            StoreError::from(err)
        })?;
        // The copy inherits WAL mode from page 1; a backup is a single self-contained file,
        // readable even where no -shm file can be created, so switch it to a rollback journal.
        Connection::open(&partial)
            .and_then(|copy| {
                copy.pragma_update_and_check(None, "journal_mode", "DELETE", |row| {
                    row.get::<_, String>(0)
                })
            })
            .map_err(|err| {
                let _ = std::fs::remove_file(&partial);
                StoreError::from(err)
            })?;
        std::fs::rename(&partial, target).map_err(|source| StoreError::Io {
            action: "cannot write the backup to",
            path: target.to_path_buf(),
            source,
        })
    }

    /// Replace the database's content with a backup made by [`Store::backup_to`].
    ///
    /// The backup is checked first (an Orderdesk database, not newer than this build, passing
    /// `integrity_check`); an older backup is migrated after the restore.
    pub fn restore_from(&mut self, source: &Path) -> Result<()> {
        self.refuse_own_file(source)?;
        {
            let check =
                Store::open_with(source, OpenOptions { read_only: true, ..OpenOptions::default() });
            let check = match check {
                Err(StoreError::NeedsUpgrade { .. }) => None, // older: migrated below
                other => Some(other?),
            };
            if let Some(check) = check {
                let findings = check.integrity_check()?;
                if findings != ["ok"] {
                    return Err(StoreError::Corrupt {
                        detail: format!("backup {}: {}", source.display(), findings.join("; ")),
                    });
                }
            }
        }
        self.conn.restore(MAIN_DB, source, None::<fn(Progress)>)?;
        // Re-open so the migrations and connection settings apply to the restored content.
        let reopened = Store::open_with(&self.path, self.options.clone())?;
        *self = reopened;
        Ok(())
    }
}

/// A submission as errors name it: its entry, where it stands and the server profile.
fn submission_text(entry: &OutboxEntry) -> String {
    let standing = match entry.status {
        OutboxStatus::Queued if entry.attempts == 0 || entry.not_sent => "queued, sent when online",
        OutboxStatus::Queued => "queued again after an attempt that may have reached the server",
        OutboxStatus::InFlight => "being sent",
        OutboxStatus::Done => "on the server",
        OutboxStatus::Rejected | OutboxStatus::NeedsAttention => "not live",
    };
    format!("outbox entry {} for {}: {standing}", entry.id, entry.profile)
}
