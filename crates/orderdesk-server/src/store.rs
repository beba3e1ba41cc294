//! Resource storage: an in-memory index that answers every read, written through to an
//! optional SQLite file so a restarted server keeps its orders, cancellations, hub
//! listeners and idempotency records.
//!
//! Invariant: the memory index and the file change under one lock, in the same order, so
//! the file never holds an older version of a resource than memory served. SQLite work
//! runs on tokio's blocking pool, never on the async workers.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

use crate::error::ServerError;

/// Migrations, numbered from 1; applied in order, each in its own transaction.
const MIGRATIONS: [&str; 2] = [
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

/// A remembered response for an `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// HTTP status.
    pub status: u16,
    /// Response body bytes.
    pub body: Vec<u8>,
    /// Fingerprint of the request that produced it.
    pub request_hash: Option<String>,
}

#[derive(Default)]
struct Inner {
    next_seq: u64,
    resources: HashMap<Kind, HashMap<String, (u64, Value)>>,
    idempotency: HashMap<String, StoredResponse>,
    db: Option<Connection>,
}

/// Shared handle to the storage.
#[derive(Clone, Default)]
pub struct Store {
    inner: Arc<Mutex<Inner>>,
    persistent: bool,
}

fn lock(m: &Mutex<Inner>) -> MutexGuard<'_, Inner> {
    // A panic while holding the lock cannot leave the index half-updated (each mutation is
    // one insert), so recovering the guard is sound.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Store {
    /// Data in memory only.
    pub fn in_memory() -> Self {
        Self::default()
    }

    /// Opens (or creates) the SQLite file, migrates it and loads it into memory.
    pub fn open(path: &Path) -> Result<Self, ServerError> {
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate(&mut conn)?;
        let mut inner = Inner::default();
        {
            let mut stmt = conn.prepare("SELECT kind, id, seq, body FROM resource")?;
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
                let kind = Kind::parse(&kind)
                    .ok_or_else(|| ServerError::Corrupt(format!("unknown kind '{kind}'")))?;
                let value: Value = serde_json::from_str(&body)
                    .map_err(|e| ServerError::Corrupt(format!("{kind:?} {id}: {e}")))?;
                let seq = u64::try_from(seq)
                    .map_err(|_| ServerError::Corrupt(format!("negative seq for {id}")))?;
                inner.next_seq = inner.next_seq.max(seq + 1);
                inner.resources.entry(kind).or_default().insert(id, (seq, value));
            }
            let mut stmt =
                conn.prepare("SELECT scope, status, body, request_hash FROM idempotency")?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Vec<u8>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            })?;
            for row in rows {
                let (scope, status, body, request_hash) = row?;
                let status = u16::try_from(status)
                    .map_err(|_| ServerError::Corrupt(format!("bad status {status}")))?;
                inner.idempotency.insert(scope, StoredResponse { status, body, request_hash });
            }
        }
        inner.db = Some(conn);
        Ok(Self { inner: Arc::new(Mutex::new(inner)), persistent: true })
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
                    inner.next_seq += 1;
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

    /// The remembered response for an idempotency scope.
    pub fn idempotent(&self, scope: &str) -> Option<StoredResponse> {
        lock(&self.inner).idempotency.get(scope).cloned()
    }

    /// Remembers the response for an idempotency scope.
    pub async fn remember(&self, scope: String, resp: StoredResponse) -> Result<(), ServerError> {
        self.with(move |inner| {
            if let Some(db) = &inner.db {
                db.execute(
                    "INSERT OR REPLACE INTO idempotency (scope, status, body, request_hash)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![scope, i64::from(resp.status), resp.body, resp.request_hash],
                )?;
            }
            inner.idempotency.insert(scope, resp);
            Ok(())
        })
        .await
    }
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
        tx.pragma_update(None, "user_version", i64::try_from(i + 1).unwrap_or(i64::MAX))?;
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
        let s = Store::open(&path)?;
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
        let s = Store::open(&path)?;
        assert_eq!(s.all(Kind::Order), vec![json!({"id":"1","state":"completed"})]);
        assert_eq!(s.idempotent("k").map(|r| r.status), Some(201));
        assert_eq!(s.idempotent("k").and_then(|r| r.request_hash).as_deref(), Some("h"));
        drop(s);
        let conn = Connection::open(&path)?;
        conn.pragma_update(None, "user_version", 99)?;
        drop(conn);
        assert!(matches!(Store::open(&path), Err(ServerError::SchemaTooNew { .. })));
        Ok(())
    }
}
