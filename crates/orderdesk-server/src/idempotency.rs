//! The answers remembered for `Idempotency-Key` replay, bounded in count, bytes and time:
//! an answer expires after the TTL, and when the store is full the oldest answers go first.
//! The map never grows without bound, whatever keys clients send.
//!
//! Times are wall-clock milliseconds since the Unix epoch, so answers written to the
//! database keep expiring across restarts. Answers are kept in the order they were made, which
//! is the order they expire in.

use std::collections::{HashMap, VecDeque};

use crate::limits::IdempotencyBounds;

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

/// Bytes an entry is counted for besides its key and body (the map's and the queue's share).
const ENTRY_OVERHEAD: usize = 128;

#[derive(Debug)]
struct Entry {
    response: StoredResponse,
    created_ms: i64,
    size: usize,
}

/// The bounded map. Not synchronised: the store holds it under its lock.
#[derive(Debug)]
pub struct Remembered {
    bounds: IdempotencyBounds,
    entries: HashMap<String, Entry>,
    /// Scopes oldest first; every scope in `entries` is here exactly once.
    order: VecDeque<String>,
    bytes: usize,
}

fn size_of(scope: &str, response: &StoredResponse) -> usize {
    scope
        .len()
        .saturating_add(response.body.len())
        .saturating_add(response.request_hash.as_ref().map_or(0, String::len))
        .saturating_add(ENTRY_OVERHEAD)
}

impl Remembered {
    /// An empty store with these bounds.
    pub fn new(bounds: IdempotencyBounds) -> Self {
        Self { bounds, entries: HashMap::new(), order: VecDeque::new(), bytes: 0 }
    }

    fn ttl_ms(&self) -> i64 {
        i64::try_from(self.bounds.ttl.as_millis()).unwrap_or(i64::MAX)
    }

    fn expired(&self, created_ms: i64, now_ms: i64) -> bool {
        now_ms.saturating_sub(created_ms) >= self.ttl_ms()
    }

    /// The answer for `scope`, unless it expired.
    pub fn get(&self, scope: &str, now_ms: i64) -> Option<&StoredResponse> {
        self.entries.get(scope).filter(|e| !self.expired(e.created_ms, now_ms)).map(|e| &e.response)
    }

    /// Remembers an answer made at `created_ms`; returns the scopes that were dropped to make
    /// room (expired or oldest), so the caller can drop them from the database too. An answer
    /// larger than the whole byte budget is not kept (its scope is returned).
    pub fn insert(
        &mut self,
        scope: String,
        response: StoredResponse,
        created_ms: i64,
        now_ms: i64,
    ) -> Vec<String> {
        let mut dropped = Vec::new();
        if self.entries.contains_key(&scope) {
            self.remove(&scope);
        }
        let size = size_of(&scope, &response);
        if size > self.bounds.max_bytes || self.expired(created_ms, now_ms) {
            dropped.push(scope);
            dropped.extend(self.prune(now_ms, 0, 0));
            return dropped;
        }
        dropped.extend(self.prune(now_ms, 1, size));
        self.bytes = self.bytes.saturating_add(size);
        self.order.push_back(scope.clone());
        self.entries.insert(scope, Entry { response, created_ms, size });
        dropped
    }

    /// Drops expired answers, then the oldest until `room` more entries of `bytes` more bytes
    /// fit. Returns the dropped scopes.
    fn prune(&mut self, now_ms: i64, room: usize, bytes: usize) -> Vec<String> {
        let mut dropped = Vec::new();
        while let Some(oldest) = self.order.front() {
            let Some(entry) = self.entries.get(oldest) else {
                // Cannot happen (every queued scope has its entry); drop the stray scope.
                self.order.pop_front();
                continue;
            };
            let full = self.entries.len().saturating_add(room) > self.bounds.capacity
                || self.bytes.saturating_add(bytes) > self.bounds.max_bytes;
            if !full && !self.expired(entry.created_ms, now_ms) {
                break;
            }
            if let Some(scope) = self.order.pop_front() {
                if let Some(e) = self.entries.remove(&scope) {
                    self.bytes = self.bytes.saturating_sub(e.size);
                }
                dropped.push(scope);
            }
        }
        dropped
    }

    fn remove(&mut self, scope: &str) {
        if let Some(e) = self.entries.remove(scope) {
            self.bytes = self.bytes.saturating_sub(e.size);
            self.order.retain(|s| s != scope);
        }
    }

    /// Drops expired answers; returns their scopes.
    pub fn expire(&mut self, now_ms: i64) -> Vec<String> {
        self.prune(now_ms, 0, 0)
    }

    /// Answers kept.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no answer is kept.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Bytes counted for the answers kept.
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

/// Now, in milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn resp(body: &str) -> StoredResponse {
        StoredResponse { status: 201, body: body.as_bytes().to_vec(), request_hash: None }
    }

    fn bounds(capacity: usize, max_bytes: usize, ttl_ms: u64) -> IdempotencyBounds {
        IdempotencyBounds { capacity, max_bytes, ttl: Duration::from_millis(ttl_ms) }
    }

    #[test]
    fn oldest_go_first_when_full() {
        let mut r = Remembered::new(bounds(2, 1 << 20, 60_000));
        assert!(r.insert("a".into(), resp("1"), 0, 0).is_empty());
        assert!(r.insert("b".into(), resp("2"), 1, 1).is_empty());
        assert_eq!(r.insert("c".into(), resp("3"), 2, 2), ["a"]);
        assert_eq!(r.len(), 2);
        assert!(r.get("a", 2).is_none());
        assert_eq!(r.get("c", 2), Some(&resp("3")));
    }

    #[test]
    fn entries_expire() {
        let mut r = Remembered::new(bounds(10, 1 << 20, 100));
        r.insert("a".into(), resp("1"), 0, 0);
        r.insert("b".into(), resp("2"), 50, 50);
        assert!(r.get("a", 99).is_some());
        assert!(r.get("a", 100).is_none(), "expired answers are not replayed");
        assert_eq!(r.expire(120), ["a"]);
        assert_eq!(r.expire(150), ["b"]);
        assert!(r.is_empty());
        assert_eq!(r.bytes(), 0);
    }

    #[test]
    fn bytes_are_bounded() {
        let big = "x".repeat(1_000);
        let budget = 3 * (1_000 + 1 + ENTRY_OVERHEAD);
        let mut r = Remembered::new(bounds(100, budget, 60_000));
        for (i, k) in ["a", "b", "c", "d"].iter().enumerate() {
            let t = i64::try_from(i).unwrap_or_default();
            r.insert((*k).into(), resp(&big), t, t);
        }
        assert_eq!(r.len(), 3);
        assert!(r.bytes() <= budget);
        assert!(r.get("a", 4).is_none());
        let huge = "y".repeat(budget);
        assert_eq!(r.insert("e".into(), resp(&huge), 5, 5), ["e"], "too big to keep at all");
        assert_eq!(r.len(), 3);
    }

    #[test]
    fn a_replaced_scope_is_counted_once() {
        let mut r = Remembered::new(bounds(2, 1 << 20, 60_000));
        r.insert("a".into(), resp("1"), 0, 0);
        r.insert("a".into(), resp("2"), 1, 1);
        assert_eq!(r.len(), 1);
        assert_eq!(r.order.len(), 1);
        assert_eq!(r.get("a", 1), Some(&resp("2")));
    }
}
