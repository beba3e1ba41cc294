//! The catalog picker's shortcuts: the agent's favourite offerings (local to this database)
//! and the offerings most recently added to a draft, recorded by the revision that added
//! them ([`Store::update_draft_adding`]), so "recent" has one home.

use chrono::Utc;
use rusqlite::{params, Connection};

use crate::error::{Result, StoreError};
use crate::model::ts_text;
use crate::open;
use crate::store::Store;

/// Favourites an agent may keep: a picker's worth, not a second catalog.
pub const MAX_FAVOURITE_OFFERINGS: usize = 200;
/// Recently added offerings remembered; older ones are forgotten as new ones are added.
pub const MAX_RECENT_OFFERINGS: usize = 50;

impl Store {
    /// Mark an offering as a favourite (`true`) or not. Marking one twice is no change.
    pub fn set_favourite_offering(&mut self, offering_id: &str, favourite: bool) -> Result<()> {
        let id = offering_id.trim();
        if id.is_empty() {
            return Err(StoreError::Invalid("an offering id is needed".into()));
        }
        let tx = open::write_tx(&mut self.conn)?;
        if favourite {
            let count: i64 =
                tx.query_row("SELECT count(*) FROM favourite_offerings", [], |r| r.get(0))?;
            let known: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM favourite_offerings WHERE offering_id = ?1)",
                [id],
                |r| r.get(0),
            )?;
            if !known && usize::try_from(count).unwrap_or(usize::MAX) >= MAX_FAVOURITE_OFFERINGS {
                return Err(StoreError::Invalid(format!(
                    "at most {MAX_FAVOURITE_OFFERINGS} favourite offerings; remove one first"
                )));
            }
            tx.prepare_cached(
                "INSERT INTO favourite_offerings (offering_id, added_at) VALUES (?1, ?2)
                 ON CONFLICT (offering_id) DO NOTHING",
            )?
            .execute(params![id, ts_text(Utc::now())])?;
        } else {
            tx.prepare_cached("DELETE FROM favourite_offerings WHERE offering_id = ?1")?
                .execute([id])?;
        }
        tx.commit()?;
        Ok(())
    }
}

/// Favourite offering ids, the first marked first.
pub(crate) fn favourites(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT offering_id FROM favourite_offerings ORDER BY added_at, offering_id",
    )?;
    let ids = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(ids)
}

/// Offering ids most recently added to a draft, the latest first.
pub(crate) fn recent(conn: &Connection, limit: usize) -> Result<Vec<String>> {
    let limit = i64::try_from(limit.min(MAX_RECENT_OFFERINGS)).unwrap_or(0);
    let mut stmt = conn.prepare_cached(
        "SELECT offering_id FROM recent_offerings ORDER BY used_at DESC, rowid DESC LIMIT ?1",
    )?;
    let ids = stmt.query_map([limit], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(ids)
}

/// Record that `offering_id` was added to a draft, in the transaction that adds it, keeping
/// the newest [`MAX_RECENT_OFFERINGS`].
pub(crate) fn record_added(conn: &Connection, offering_id: &str, at: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO recent_offerings (offering_id, used_at) VALUES (?1, ?2)
         ON CONFLICT (offering_id) DO UPDATE SET used_at = excluded.used_at",
    )?
    .execute(params![offering_id, at])?;
    conn.prepare_cached(
        "DELETE FROM recent_offerings WHERE offering_id NOT IN
           (SELECT offering_id FROM recent_offerings ORDER BY used_at DESC LIMIT ?1)",
    )?
    .execute([i64::try_from(MAX_RECENT_OFFERINGS).unwrap_or(i64::MAX)])?;
    Ok(())
}
