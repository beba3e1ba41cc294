//! Cancellations: the agent's request to cancel an order (carried by an outbox entry, which
//! names the order) and the cancellation task the server made for it, with the task's state
//! by its TMF name.

use chrono::{DateTime, Utc};
use orderdesk_wire::TaskState;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;

use crate::error::{Result, StoreError};
use crate::model::{ts_parse, ts_text, NewOutboxEntry, OutboxEntry, OutboxOp};
use crate::open;
use crate::query::{outbox_entry, OUTBOX_COLUMNS};
use crate::store::{enqueue_in, Store};

/// What the agent asked for when cancelling.
#[derive(Debug, Clone)]
pub struct NewCancellation {
    pub reason: String,
    pub requested_date: Option<DateTime<Utc>>,
}

/// A cancellation and where its task stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Cancellation {
    /// The outbox entry carrying it.
    pub entry_id: i64,
    pub reason: String,
    pub requested_date: Option<DateTime<Utc>>,
    /// The server's cancellation task, once it made one.
    pub task_id: Option<String>,
    /// The task's state as the server last reported it; `None` until it reported one TMF
    /// defines.
    pub task_state: Option<TaskState>,
    /// The server's explanation, when it gave one (a refusal's reason).
    pub refusal_reason: Option<String>,
    /// When the agent asked.
    pub requested_at: DateTime<Utc>,
    /// When the task's state was last looked at.
    pub state_at: Option<DateTime<Utc>>,
}

/// The column form of a [`TaskState`] (its TMF name).
#[derive(Debug, Clone, Copy)]
struct TaskStateColumn(TaskState);

impl rusqlite::types::ToSql for TaskStateColumn {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.0.as_str().into())
    }
}

impl rusqlite::types::FromSql for TaskStateColumn {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        let text = value.as_str()?;
        TaskState::ALL.into_iter().find(|s| s.as_str() == text).map(TaskStateColumn).ok_or_else(
            || {
                rusqlite::types::FromSqlError::Other(Box::new(StoreError::Invalid(format!(
                    "unknown task state {text:?}"
                ))))
            },
        )
    }
}

const CANCELLATION_COLUMNS: &str = "c.entry_id, c.reason, c.requested_date, c.task_id, \
     c.task_state, c.refusal_reason, c.requested_at, c.state_at";

fn optional_ts(text: Option<String>) -> rusqlite::Result<Option<DateTime<Utc>>> {
    text.map(|text| ts_parse(&text)).transpose()
}

/// A [`Cancellation`] from [`CANCELLATION_COLUMNS`] starting at column `at`.
fn cancellation_at(row: &Row<'_>, at: usize) -> rusqlite::Result<Cancellation> {
    Ok(Cancellation {
        entry_id: row.get(at)?,
        reason: row.get(at.saturating_add(1))?,
        requested_date: optional_ts(row.get(at.saturating_add(2))?)?,
        task_id: row.get(at.saturating_add(3))?,
        task_state: row.get::<_, Option<TaskStateColumn>>(at.saturating_add(4))?.map(|s| s.0),
        refusal_reason: row.get(at.saturating_add(5))?,
        requested_at: ts_parse(&row.get::<_, String>(at.saturating_add(6))?)?,
        state_at: optional_ts(row.get(at.saturating_add(7))?)?,
    })
}

/// The cancellation carried by outbox entry `entry_id`.
pub(crate) fn cancellation(conn: &Connection, entry_id: i64) -> Result<Option<Cancellation>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {CANCELLATION_COLUMNS} FROM cancellations c WHERE c.entry_id = ?1"
        ))?
        .query_row([entry_id], |row| cancellation_at(row, 0))
        .optional()?)
}

/// Every cancellation of an order (local id) with its outbox entry, newest first.
pub(crate) fn order_cancellations(
    conn: &Connection,
    order_id: i64,
) -> Result<Vec<(OutboxEntry, Cancellation)>> {
    // The outbox's columns come first; no name is shared with `cancellations`.
    let width = OUTBOX_COLUMNS.split(',').count();
    let rows = conn
        .prepare_cached(&format!(
            "SELECT {OUTBOX_COLUMNS}, {CANCELLATION_COLUMNS}
             FROM outbox JOIN cancellations c ON c.entry_id = outbox.id
             WHERE outbox.order_id = ?1 AND outbox.op = 'cancel' ORDER BY outbox.id DESC"
        ))?
        .query_map([order_id], |row| Ok((outbox_entry(row)?, cancellation_at(row, width)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

impl Store {
    /// Queue a cancellation: the outbox entry (op `cancel`, naming the order) and what the
    /// agent asked for, in one transaction (the audit log records the request).
    pub fn enqueue_cancellation(
        &mut self,
        entry: NewOutboxEntry,
        cancellation: NewCancellation,
    ) -> Result<OutboxEntry> {
        if entry.op != OutboxOp::Cancel || entry.order_id.is_none() {
            return Err(StoreError::Invalid(
                "a cancellation is queued as a cancel of an order".into(),
            ));
        }
        let tx = open::write_tx(&mut self.conn)?;
        let stored = enqueue_in(&tx, entry)?;
        tx.prepare_cached(
            "INSERT INTO cancellations (entry_id, reason, requested_date, requested_at)
             VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![
            stored.id,
            cancellation.reason,
            cancellation.requested_date.map(ts_text),
            ts_text(stored.created_at)
        ])?;
        tx.commit()?;
        Ok(stored)
    }

    /// Record the cancellation task the server made for outbox entry `entry_id`.
    pub fn set_cancellation_task(&mut self, entry_id: i64, task_id: &str) -> Result<()> {
        let tx = open::write_tx(&mut self.conn)?;
        let changed = tx.execute(
            "UPDATE cancellations SET task_id = ?2 WHERE entry_id = ?1",
            params![entry_id, task_id],
        )?;
        if changed == 0 {
            return Err(StoreError::not_found("cancellation", entry_id.to_string()));
        }
        tx.commit()?;
        Ok(())
    }

    /// Record the state the server reported for the task of outbox entry `entry_id`
    /// (`None`: a state TMF does not define, or none), with its explanation, seen at `at`.
    pub fn note_cancellation_state(
        &mut self,
        entry_id: i64,
        state: Option<TaskState>,
        refusal_reason: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let tx = open::write_tx(&mut self.conn)?;
        let changed = tx.execute(
            "UPDATE cancellations SET task_state = ?2, refusal_reason = ?3, state_at = ?4
             WHERE entry_id = ?1",
            params![entry_id, state.map(TaskStateColumn), refusal_reason, ts_text(at)],
        )?;
        if changed == 0 {
            return Err(StoreError::not_found("cancellation", entry_id.to_string()));
        }
        tx.commit()?;
        Ok(())
    }
}
