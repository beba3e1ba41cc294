//! Amendments: a merge patch of an order (carried by an outbox entry, which names the order),
//! the value each patched member had when the agent edited, and whether the server changed
//! it since (a conflict: the amendment waits for the agent, nothing is overwritten).

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use serde_json::Value;

use crate::error::{Result, StoreError};
use crate::model::{
    text_enum, AuditEvent, AuditSubject, NewAudit, NewOutboxEntry, OutboxEntry, OutboxOp,
};
use crate::open;
use crate::store::{audit_in, enqueue_in, Store};

text_enum!(
    /// Where an amendment stands. `Conflict`: a patched member changed on the server since
    /// the agent's edit. `Applied`: the server took it.
    AmendmentState { Pending => "pending", Conflict => "conflict", Applied => "applied" }
);

/// One patched member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AmendedMember {
    pub member: String,
    /// Its value when the agent edited (`null` when absent).
    pub base: Value,
    /// The server changed it since (to something other than the agent's value).
    pub conflict: bool,
}

/// An amendment: its state and members (the merge patch is the outbox entry's payload).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Amendment {
    pub entry_id: i64,
    pub state: AmendmentState,
    /// By member name.
    pub members: Vec<AmendedMember>,
}

/// The amendment carried by outbox entry `entry_id`.
pub(crate) fn amendment(conn: &Connection, entry_id: i64) -> Result<Option<Amendment>> {
    let state: Option<AmendmentState> = conn
        .prepare_cached("SELECT state FROM amendments WHERE entry_id = ?1")?
        .query_row([entry_id], |row| row.get(0))
        .optional()?;
    let Some(state) = state else { return Ok(None) };
    let members = conn
        .prepare_cached(
            "SELECT member, base, conflict FROM amendment_members WHERE entry_id = ?1
             ORDER BY member",
        )?
        .query_map([entry_id], |row| {
            let base: String = row.get(1)?;
            Ok(AmendedMember {
                member: row.get(0)?,
                base: serde_json::from_str(&base).map_err(|err| {
                    rusqlite::Error::FromSqlConversionFailure(
                        1,
                        rusqlite::types::Type::Text,
                        Box::new(err),
                    )
                })?,
                conflict: row.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Some(Amendment { entry_id, state, members }))
}

impl Store {
    /// Queue an amendment: the outbox entry (op `patch`, naming the order, the merge patch as
    /// its payload) and the value each patched member has now (`base`), in one transaction.
    pub fn enqueue_amendment(
        &mut self,
        entry: NewOutboxEntry,
        base: &serde_json::Map<String, Value>,
    ) -> Result<OutboxEntry> {
        if entry.op != OutboxOp::Patch || entry.order_id.is_none() {
            return Err(StoreError::Invalid(
                "an amendment is queued as a patch of an order".into(),
            ));
        }
        let tx = open::write_tx(&mut self.conn)?;
        let stored = enqueue_in(&tx, entry)?;
        tx.prepare_cached("INSERT INTO amendments (entry_id) VALUES (?1)")?.execute([stored.id])?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO amendment_members (entry_id, member, base) VALUES (?1, ?2, ?3)",
            )?;
            for (member, value) in base {
                insert.execute(params![stored.id, member, value.to_string()])?;
            }
        }
        tx.commit()?;
        Ok(stored)
    }

    /// Record how the amendment of outbox entry `entry_id` stands: `conflicts` names the
    /// members the server changed (only meaningful with [`AmendmentState::Conflict`]).
    pub fn set_amendment_state(
        &mut self,
        entry_id: i64,
        state: AmendmentState,
        conflicts: &[String],
    ) -> Result<()> {
        let tx = open::write_tx(&mut self.conn)?;
        let changed = tx.execute(
            "UPDATE amendments SET state = ?2 WHERE entry_id = ?1",
            params![entry_id, state],
        )?;
        if changed == 0 {
            return Err(StoreError::not_found("amendment", entry_id.to_string()));
        }
        let names =
            serde_json::to_string(conflicts).map_err(|err| StoreError::Invalid(err.to_string()))?;
        tx.execute(
            "UPDATE amendment_members
             SET conflict = member IN (SELECT value FROM json_each(?2))
             WHERE entry_id = ?1",
            params![entry_id, names],
        )?;
        if state == AmendmentState::Applied {
            // The order's timeline shows the amendment where the server took it.
            let (order, profile): (Option<i64>, String) = tx.query_row(
                "SELECT order_id, profile FROM outbox WHERE id = ?1",
                [entry_id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?;
            if let Some(order) = order {
                audit_in(
                    &tx,
                    &NewAudit {
                        subject: AuditSubject::Order,
                        subject_id: order.to_string(),
                        event: AuditEvent::Amended,
                        actor: profile.clone(),
                        detail: Some(format!("outbox entry {entry_id} applied by {profile}")),
                        state: None,
                    },
                    chrono::Utc::now(),
                )?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}
