//! Resource storage: an in-memory index that answers every read, written through to an
//! optional SQLite file so a restarted server keeps its orders, cancellations, hub
//! listeners and idempotency records.
//!
//! Invariant: the memory index and the file change under one lock, in the same order, so
//! the file never holds an older version of a resource than memory served. SQLite work
//! runs on tokio's blocking pool, never on the async workers.
//!
//! Reading a file back is tolerant: a row that cannot be served (not JSON, nested deeper than
//! [`MAX_ORDER_DEPTH`], an unknown kind) is reported and skipped, never a reason to refuse to
//! start; it stays in the file untouched. Idempotency answers are bounded
//! ([`crate::idempotency`]): those dropped from memory are deleted from the file too.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

use crate::error::ServerError;
pub use crate::idempotency::StoredResponse;
use crate::idempotency::{now_ms, Remembered};
use crate::limits::{deeper_than, IdempotencyBounds, MAX_ORDER_DEPTH};

/// Migrations, numbered from 1; applied in order, each in its own transaction.
const MIGRATIONS: [&str; 3] = [
    "CREATE TABLE resource (
        kind TEXT NOT NULL,
        id   TEXT NOT NULL,
        seq  INTEGER NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (kind, id)
    );
    CREATE TABLE idempotency (
        scope  TEXT PRIMARY KEY,
        status INTEGER NOT NULL,
        body   BLOB NOT NULL
    );",
    // 2: the fingerprint of the request, to refuse a key reused for a different request.
    "ALTER TABLE idempotency ADD COLUMN request_hash TEXT;",
    // 3: when the answer was made (ms since the epoch), so it expires across restarts;
    // answers from before have 0 and expire at once.
    "ALTER TABLE idempotency ADD COLUMN created_ms INTEGER NOT NULL DEFAULT 0;",
];

/// Kinds of stored resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `ProductOrder` (stored in TMF622 v4 shape).
    Order,
    /// `CancelProductOrder`.
    Cancel,
    /// A hub listener registration.
    Listener,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Order => "productOrder",
            Kind::Cancel => "cancelProductOrder",
            Kind::Listener => "hub",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "productOrder" => Some(Kind::Order),
            "cancelProductOrder" => Some(Kind::Cancel),
            "hub" => Some(Kind::Listener),
            _ => None,
        }
    }
}

struct Inner {
    next_seq: u64,
    resources: HashMap<Kind, HashMap<String, (u64, Value)>>,
    idempotency: Remembered,
    db: Option<Connection>,
}

impl Inner {
    fn new(bounds: IdempotencyBounds) -> Self {
        Self {
            next_seq: 0,
            resources: HashMap::new(),
            idempotency: Remembered::new(bounds),
            db: None,
        }
    }
}

/// Shared handle to the storage.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Mutex<Inner>>,
    persistent: bool,
    skipped: Arc<Vec<String>>,
}

fn lock(m: &Mutex<Inner>) -> MutexGuard<'_, Inner> {
    // A panic while holding the lock cannot leave the index half-updated (each mutation is
    // one insert), so recovering the guard is sound.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Store {
    /// Data in memory only, idempotency answers within `bounds`.
    pub fn in_memory(bounds: IdempotencyBounds) -> Self {
        Self {
            inner: Arc::new(Mutex::new(Inner::new(bounds))),
            persistent: false,
            skipped: Arc::new(Vec::new()),
        }
    }

    /// Opens (or creates) the SQLite file, migrates it and loads it into memory. Rows that
    /// cannot be served are skipped with a warning ([`Store::skipped`]).
    pub fn open(path: &Path, bounds: IdempotencyBounds) -> Result<Self, ServerError> {
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate(&mut conn)?;
        let mut inner = Inner::new(bounds);
        let mut skipped = Vec::new();
        {
            let mut stmt = conn.prepare("SELECT kind, id, seq, body FROM resource ORDER BY seq")?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })?;
            for row in rows {
                let (kind, id, seq, body) = row?;
                match decode_row(&kind, &id, seq, &body) {
                    Ok((kind, seq, value)) => {
                        inner.next_seq = inner.next_seq.max(seq.saturating_add(1));
                        inner.resources.entry(kind).or_default().insert(id, (seq, value));
                    }
                    Err(why) => {
                        tracing::warn!(kind, id, why, "stored resource skipped");
                        skipped.push(format!("{kind} {id}: {why}"));
                    }
                }
            }
            let now = now_ms();
            let mut stmt = conn.prepare(
                "SELECT scope, status, body, request_hash, created_ms FROM idempotency
                 ORDER BY created_ms",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Vec<u8>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            })?;
            let mut dropped = Vec::new();
            for row in rows {
                let (scope, status, body, request_hash, created_ms) = row?;
                let Ok(status) = u16::try_from(status) else {
                    tracing::warn!(scope, status, "stored idempotency answer skipped");
                    dropped.push(scope);
                    continue;
                };
                let response = StoredResponse { status, body, request_hash };
                dropped.extend(inner.idempotency.insert(scope, response, created_ms, now));
            }
            forget_answers(&conn, &dropped)?;
        }
        inner.db = Some(conn);
        Ok(Self {
            inner: Arc::new(Mutex::new(inner)),
            persistent: true,
            skipped: Arc::new(skipped),
        })
    }

    /// The rows of the file that were skipped when it was opened, each with the reason.
    pub fn skipped(&self) -> &[String] {
        &self.skipped
    }

    /// Runs `f` under the lock; on the blocking pool when a file is attached.
    async fn with<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Inner) -> Result<R, ServerError> + Send + 'static,
    ) -> Result<R, ServerError> {
        if self.persistent {
            let inner = Arc::clone(&self.inner);
            tokio::task::spawn_blocking(move || f(&mut lock(&inner)))
                .await
                .map_err(|e| ServerError::Task(e.to_string()))?
        } else {
            f(&mut lock(&self.inner))
        }
    }

    /// One resource by id.
    pub fn get(&self, kind: Kind, id: &str) -> Option<Value> {
        lock(&self.inner).resources.get(&kind).and_then(|m| m.get(id)).map(|(_, v)| v.clone())
    }

    /// Every resource of a kind, oldest first.
    pub fn all(&self, kind: Kind) -> Vec<Value> {
        let g = lock(&self.inner);
        let Some(m) = g.resources.get(&kind) else {
            return Vec::new();
        };
        let mut v: Vec<(u64, Value)> = m.values().cloned().collect();
        drop(g);
        v.sort_by_key(|(seq, _)| *seq);
        v.into_iter().map(|(_, v)| v).collect()
    }

    /// How many resources of a kind are stored.
    pub fn count(&self, kind: Kind) -> usize {
        lock(&self.inner).resources.get(&kind).map_or(0, HashMap::len)
    }

    /// Inserts a new resource (or replaces one with the same id).
    pub async fn put(&self, kind: Kind, id: String, value: Value) -> Result<(), ServerError> {
        self.with(move |inner| {
            let seq = inner
                .resources
                .get(&kind)
                .and_then(|m| m.get(&id))
                .map(|(s, _)| *s)
                .unwrap_or_else(|| {
                    let s = inner.next_seq;
                    inner.next_seq = s.saturating_add(1);
                    s
                });
            write_row(inner, kind, &id, seq, &value)?;
            inner.resources.entry(kind).or_default().insert(id, (seq, value));
            Ok(())
        })
        .await
    }

    /// Applies `f` to a resource atomically. `f` returns `Ok(Some(r))` to keep its change,
    /// `Ok(None)` to leave the resource as it was, or an error. `Ok(None)` overall means the
    /// resource does not exist.
    pub async fn update<R, E>(
        &self,
        kind: Kind,
        id: &str,
        f: impl FnOnce(&mut Value) -> Result<Option<R>, E> + Send + 'static,
    ) -> Result<Option<Result<Option<R>, E>>, ServerError>
    where
        R: Send + 'static,
        E: Send + 'static,
    {
        let id = id.to_owned();
        self.with(move |inner| {
            let Some((seq, current)) = inner.resources.get(&kind).and_then(|m| m.get(&id)) else {
                return Ok(None);
            };
            let seq = *seq;
            let mut next = current.clone();
            match f(&mut next) {
                Ok(Some(r)) => {
                    write_row(inner, kind, &id, seq, &next)?;
                    if let Some(m) = inner.resources.get_mut(&kind) {
                        m.insert(id, (seq, next));
                    }
                    Ok(Some(Ok(Some(r))))
                }
                other => Ok(Some(other)),
            }
        })
        .await
    }

    /// Removes a resource; returns whether it existed.
    pub async fn delete(&self, kind: Kind, id: &str) -> Result<bool, ServerError> {
        let id = id.to_owned();
        self.with(move |inner| {
            if let Some(db) = &inner.db {
                db.execute(
                    "DELETE FROM resource WHERE kind = ?1 AND id = ?2",
                    params![kind.as_str(), id],
                )?;
            }
            Ok(inner.resources.get_mut(&kind).and_then(|m| m.remove(&id)).is_some())
        })
        .await
    }

    /// The remembered response for an idempotency scope, unless it expired.
    pub fn idempotent(&self, scope: &str) -> Option<StoredResponse> {
        lock(&self.inner).idempotency.get(scope, now_ms()).cloned()
    }

    /// Remembers the response for an idempotency scope; the oldest and the expired answers
    /// make room (in memory and in the file).
    pub async fn remember(&self, scope: String, resp: StoredResponse) -> Result<(), ServerError> {
        self.with(move |inner| {
            let now = now_ms();
            if let Some(db) = &inner.db {
                db.execute(
                    "INSERT OR REPLACE INTO idempotency (scope, status, body, request_hash, created_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![scope, i64::from(resp.status), resp.body, resp.request_hash, now],
                )?;
            }
            let dropped = inner.idempotency.insert(scope, resp, now, now);
            if let Some(db) = &inner.db {
                forget_answers(db, &dropped)?;
            }
            Ok(())
        })
        .await
    }

    /// How many idempotency answers are kept, and their bytes.
    pub fn idempotency_usage(&self) -> (usize, usize) {
        let g = lock(&self.inner);
        (g.idempotency.len(), g.idempotency.bytes())
    }
}

/// A stored row as a resource, or why it cannot be served.
fn decode_row(kind: &str, id: &str, seq: i64, body: &str) -> Result<(Kind, u64, Value), String> {
    let kind = Kind::parse(kind).ok_or_else(|| format!("unknown kind '{kind}'"))?;
    let seq = u64::try_from(seq).map_err(|_| format!("negative sequence {seq}"))?;
    let value: Value = serde_json::from_str(body).map_err(|e| format!("not JSON: {e}"))?;
    if deeper_than(&value, MAX_ORDER_DEPTH) {
        return Err(format!("nested deeper than {MAX_ORDER_DEPTH} levels"));
    }
    if value.get("id").and_then(Value::as_str) != Some(id) {
        return Err("its body does not carry its id".into());
    }
    Ok((kind, seq, value))
}

/// Deletes dropped idempotency answers from the file.
fn forget_answers(db: &Connection, scopes: &[String]) -> Result<(), ServerError> {
    if scopes.is_empty() {
        return Ok(());
    }
    let mut stmt = db.prepare_cached("DELETE FROM idempotency WHERE scope = ?1")?;
    for scope in scopes {
        stmt.execute(params![scope])?;
    }
    Ok(())
}

fn write_row(
    inner: &Inner,
    kind: Kind,
    id: &str,
    seq: u64,
    value: &Value,
) -> Result<(), ServerError> {
    if let Some(db) = &inner.db {
        let seq =
            i64::try_from(seq).map_err(|_| ServerError::Corrupt("sequence overflow".into()))?;
        db.execute(
            "INSERT INTO resource (kind, id, seq, body) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body",
            params![kind.as_str(), id, seq, value.to_string()],
        )?;
    }
    Ok(())
}

fn migrate(conn: &mut Connection) -> Result<(), ServerError> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let supported = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
    if current > supported {
        return Err(ServerError::SchemaTooNew { found: current, supported });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(usize::try_from(current).unwrap_or(0)) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        let version = i64::try_from(i.saturating_add(1)).unwrap_or(i64::MAX);
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
    }
    // Fail early on a file that is not ours rather than on the first write.
    let _: Option<i64> =
        conn.query_row("SELECT count(*) FROM resource", [], |r| r.get(0)).optional()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[tokio::test]
    async fn survives_reopen_and_refuses_newer_schema() -> Result<(), ServerError> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("s.db");
        let s = Store::open(&path, IdempotencyBounds::default())?;
        s.put(Kind::Order, "1".into(), json!({"id":"1","state":"acknowledged"})).await?;
        s.put(Kind::Order, "2".into(), json!({"id":"2"})).await?;
        let changed = s
            .update(Kind::Order, "1", |v| {
                v["state"] = json!("completed");
                Ok::<_, ()>(Some(()))
            })
            .await?;
        assert_eq!(changed, Some(Ok(Some(()))));
        assert!(s.delete(Kind::Order, "2").await?);
        s.remember(
            "k".into(),
            StoredResponse { status: 201, body: b"{}".to_vec(), request_hash: Some("h".into()) },
        )
        .await?;
        drop(s);
        let s = Store::open(&path, IdempotencyBounds::default())?;
        assert_eq!(s.all(Kind::Order), vec![json!({"id":"1","state":"completed"})]);
        assert_eq!(s.idempotent("k").map(|r| r.status), Some(201));
        assert_eq!(s.idempotent("k").and_then(|r| r.request_hash).as_deref(), Some("h"));
        drop(s);
        let conn = Connection::open(&path)?;
        conn.pragma_update(None, "user_version", 99)?;
        drop(conn);
        assert!(matches!(
            Store::open(&path, IdempotencyBounds::default()),
            Err(ServerError::SchemaTooNew { .. })
        ));
        Ok(())
    }

    #[tokio::test]
    async fn bad_rows_are_skipped_not_fatal() -> Result<(), ServerError> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("s.db");
        let s = Store::open(&path, IdempotencyBounds::default())?;
        s.put(Kind::Order, "good".into(), json!({"id":"good"})).await?;
        drop(s);
        let conn = Connection::open(&path)?;
        let deep = format!("{{\"id\":\"deep\",\"x\":{}0{}}}", "[".repeat(100), "]".repeat(100));
        for (kind, id, body) in [
            ("productOrder", "broken", "{\"id\":\"broken\""),
            ("productOrder", "deep", deep.as_str()),
            ("somethingElse", "x", "{\"id\":\"x\"}"),
        ] {
            conn.execute(
                "INSERT INTO resource (kind, id, seq, body) VALUES (?1, ?2, 99, ?3)",
                params![kind, id, body],
            )?;
        }
        drop(conn);
        let s = Store::open(&path, IdempotencyBounds::default())?;
        assert_eq!(s.all(Kind::Order), vec![json!({"id":"good"})]);
        assert_eq!(s.skipped().len(), 3, "{:?}", s.skipped());
        assert!(s.skipped().iter().any(|w| w.contains("broken") && w.contains("not JSON")));
        assert!(s.skipped().iter().any(|w| w.contains("deep") && w.contains("deeper")));
        // The skipped rows stay in the file, untouched.
        drop(s);
        let conn = Connection::open(&path)?;
        let rows: i64 = conn.query_row("SELECT count(*) FROM resource", [], |r| r.get(0))?;
        assert_eq!(rows, 4);
        Ok(())
    }

    #[tokio::test]
    async fn idempotency_answers_are_bounded_in_the_file_too() -> Result<(), ServerError> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("s.db");
        let bounds = IdempotencyBounds { capacity: 2, ..IdempotencyBounds::default() };
        let s = Store::open(&path, bounds)?;
        for k in ["a", "b", "c"] {
            let resp = StoredResponse { status: 201, body: b"{}".to_vec(), request_hash: None };
            s.remember(k.into(), resp).await?;
        }
        assert!(s.idempotent("a").is_none());
        assert!(s.idempotent("c").is_some());
        drop(s);
        let conn = Connection::open(&path)?;
        let rows: i64 = conn.query_row("SELECT count(*) FROM idempotency", [], |r| r.get(0))?;
        assert_eq!(rows, 2);
        drop(conn);
        let s = Store::open(&path, bounds)?;
        assert_eq!(s.idempotency_usage().0, 2);
        assert!(s.idempotent("b").is_some());
        Ok(())
    }
}
