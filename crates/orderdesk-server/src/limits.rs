//! Every bound the server puts on what clients send it, in one place: the transport (body
//! size, header and request timeouts, open connections), lists (page size), documents (how
//! deep and how large a stored order may become), the idempotency store, the hub and the
//! token endpoint. Each is a named constant; [`Limits`] carries the ones a deployment (or a
//! test) may change, with these constants as defaults.
//!
//! Beyond a bound a request gets a TMF `Error` with a clear code: `413 body.tooLarge`,
//! `408 request.timeout` (also for a body that waited too long for room among the bodies in
//! flight), `503 server.busy` (then the connection is closed), `422
//! order.tooDeep` / `order.tooLarge`, `429 token.rateLimited`, `422 hub.tooMany`. Lists are
//! cut to the page size rather than refused (`X-Total-Count` tells the client there is more).
//!
//! Limits on what an order holds (items, bundle depth, characteristics, …) belong to
//! `orderdesk-core`'s validation, which every created or patched order goes through
//! ([`crate::validate::check_order`]); the bounds here are the transport's and the store's.

use std::time::Duration;

use serde_json::Value;

/// Bytes of one request body: the size of the largest order Orderdesk accepts.
pub const MAX_BODY_BYTES: usize = orderdesk_core::limits::MAX_ORDER_BYTES;
/// Bytes of request bodies being received at once, all connections together: with the
/// connection cap and the body limit alone, 512 uploads of 16 MiB could take 8 GiB. A request
/// whose body does not fit waits for room (within the request timeout).
pub const MAX_BODY_BYTES_IN_FLIGHT: usize = 256 * 1024 * 1024;
/// How long a client may take to send a request's headers. Also how long an idle keep-alive
/// connection is kept: hyper starts this clock whenever it waits for the next request.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// How long one request may take from its headers to its answer, body upload included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Connections served at once; one more is answered `503` and closed.
pub const MAX_CONNECTIONS: usize = 512;
/// Entries a list answers when the request gives no `limit`.
pub const DEFAULT_PAGE_SIZE: usize = orderdesk_core::limits::DEFAULT_PAGE_SIZE;
/// The largest `limit` honoured; a larger one is served this many entries.
pub const MAX_PAGE_SIZE: usize = orderdesk_core::limits::MAX_PAGE_SIZE;
/// Query parameters of one list request (filters, `sort`, `fields`, …).
pub const MAX_QUERY_PARAMS: usize = 32;
/// Comma-separated values of one filter or `sort`/`fields` parameter.
pub const MAX_QUERY_VALUES: usize = 100;
/// Segments of one dotted attribute path in a filter or a sort key.
pub const MAX_PATH_SEGMENTS: usize = 16;
/// How deep a stored order may nest. Far below `serde_json`'s parser limit of 128, so the
/// stored v4 form and its v5 rendering (which adds a level or two) always parse again: in a
/// client's list and when the server restarts from its database.
pub const MAX_ORDER_DEPTH: usize = 64;
/// Bytes of one stored order, as JSON.
pub const MAX_ORDER_BYTES: usize = MAX_BODY_BYTES;
/// Operations in one JSON Patch document.
pub const MAX_PATCH_OPERATIONS: usize = 1_000;
/// Answers remembered for `Idempotency-Key` replay; the oldest go first.
pub const IDEMPOTENCY_CAPACITY: usize = 10_000;
/// Bytes of remembered answers (bodies and keys) at most; the oldest go first.
pub const IDEMPOTENCY_MAX_BYTES: usize = 64 * 1024 * 1024;
/// How long an answer is replayed for its `Idempotency-Key`.
pub const IDEMPOTENCY_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// Characters of one `Idempotency-Key`.
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 255;
/// Hub listeners registered at once.
pub const MAX_LISTENERS: usize = 10_000;
/// Events waiting for one listener; beyond it, new events for that listener are dropped.
pub const HUB_QUEUE_PER_LISTENER: usize = 256;
/// How long one event delivery (connect, send, answer) may take.
pub const HUB_DELIVERY_TIMEOUT: Duration = Duration::from_secs(3);
/// Characters of a listener's callback URL and of its query.
pub const MAX_CALLBACK_CHARS: usize = 2_048;
/// Token requests one client address may make in a burst.
pub const TOKEN_BURST: u32 = 10;
/// Token requests one client address may make per minute, after the burst.
pub const TOKEN_REQUESTS_PER_MINUTE: u32 = 30;
/// OAuth2 access tokens valid at once; the one closest to expiry goes first.
pub const MAX_TOKENS: usize = 10_000;

/// The bounds of the idempotency store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdempotencyBounds {
    /// Answers kept at most.
    pub capacity: usize,
    /// Bytes kept at most.
    pub max_bytes: usize,
    /// How long an answer is kept.
    pub ttl: Duration,
}

impl Default for IdempotencyBounds {
    fn default() -> Self {
        Self {
            capacity: IDEMPOTENCY_CAPACITY,
            max_bytes: IDEMPOTENCY_MAX_BYTES,
            ttl: IDEMPOTENCY_TTL,
        }
    }
}

/// The limits a server runs with; `Default` gives the constants above.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// [`MAX_BODY_BYTES`].
    pub max_body_bytes: usize,
    /// [`MAX_BODY_BYTES_IN_FLIGHT`].
    pub max_body_bytes_in_flight: usize,
    /// [`HEADER_READ_TIMEOUT`].
    pub header_read_timeout: Duration,
    /// [`REQUEST_TIMEOUT`].
    pub request_timeout: Duration,
    /// [`MAX_CONNECTIONS`].
    pub max_connections: usize,
    /// [`DEFAULT_PAGE_SIZE`].
    pub default_page_size: usize,
    /// [`MAX_PAGE_SIZE`].
    pub max_page_size: usize,
    /// [`IDEMPOTENCY_CAPACITY`], [`IDEMPOTENCY_MAX_BYTES`], [`IDEMPOTENCY_TTL`].
    pub idempotency: IdempotencyBounds,
    /// [`MAX_LISTENERS`].
    pub max_listeners: usize,
    /// [`HUB_QUEUE_PER_LISTENER`].
    pub hub_queue: usize,
    /// [`HUB_DELIVERY_TIMEOUT`].
    pub hub_delivery_timeout: Duration,
    /// [`TOKEN_BURST`].
    pub token_burst: u32,
    /// [`TOKEN_REQUESTS_PER_MINUTE`].
    pub token_requests_per_minute: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: MAX_BODY_BYTES,
            max_body_bytes_in_flight: MAX_BODY_BYTES_IN_FLIGHT,
            header_read_timeout: HEADER_READ_TIMEOUT,
            request_timeout: REQUEST_TIMEOUT,
            max_connections: MAX_CONNECTIONS,
            default_page_size: DEFAULT_PAGE_SIZE,
            max_page_size: MAX_PAGE_SIZE,
            idempotency: IdempotencyBounds::default(),
            max_listeners: MAX_LISTENERS,
            hub_queue: HUB_QUEUE_PER_LISTENER,
            hub_delivery_timeout: HUB_DELIVERY_TIMEOUT,
            token_burst: TOKEN_BURST,
            token_requests_per_minute: TOKEN_REQUESTS_PER_MINUTE,
        }
    }
}

impl Limits {
    /// Checks that every limit lets something through.
    pub fn validate(&self) -> Result<(), String> {
        let zero = [
            ("max_body_bytes", self.max_body_bytes == 0),
            ("max_body_bytes_in_flight", self.max_body_bytes_in_flight < self.max_body_bytes),
            ("header_read_timeout", self.header_read_timeout.is_zero()),
            ("request_timeout", self.request_timeout.is_zero()),
            ("max_connections", self.max_connections == 0),
            ("default_page_size", self.default_page_size == 0),
            ("max_page_size", self.max_page_size < self.default_page_size),
            ("idempotency.capacity", self.idempotency.capacity == 0),
            ("idempotency.max_bytes", self.idempotency.max_bytes == 0),
            ("max_listeners", self.max_listeners == 0),
            ("hub_queue", self.hub_queue == 0),
            ("hub_delivery_timeout", self.hub_delivery_timeout.is_zero()),
            ("token_burst", self.token_burst == 0),
            ("token_requests_per_minute", self.token_requests_per_minute == 0),
        ];
        match zero.iter().find(|(_, bad)| *bad) {
            Some((name, _)) => Err(format!("limit {name} would refuse everything")),
            None => Ok(()),
        }
    }
}

/// Whether `value` nests deeper than `max` (a scalar is depth 0, `[]` and `{}` depth 1).
/// Walks without recursion and stops at the first value past `max`, so any depth is safe.
pub fn deeper_than(value: &Value, max: usize) -> bool {
    let mut stack: Vec<(&Value, usize)> = vec![(value, 0)];
    while let Some((v, depth)) = stack.pop() {
        let here = depth.saturating_add(1);
        match v {
            Value::Array(items) => {
                if here > max {
                    return true;
                }
                stack.extend(items.iter().map(|c| (c, here)));
            }
            Value::Object(members) => {
                if here > max {
                    return true;
                }
                stack.extend(members.values().map(|c| (c, here)));
            }
            _ => {}
        }
    }
    false
}

/// How deep `value` nests, counted without recursion; any depth past `cap` is `cap + 1`.
pub use orderdesk_core::limits::json_depth_capped as depth_capped;

/// The length of `value` as compact JSON, or `None` when it is longer than `max` (counting
/// stops there). `value` must be within [`MAX_ORDER_DEPTH`]-ish depth: the serialiser recurses.
pub fn json_len_within(value: &Value, max: usize) -> Option<usize> {
    struct Counter {
        len: usize,
        max: usize,
    }
    impl std::io::Write for Counter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.len = self.len.saturating_add(buf.len());
            if self.len > self.max {
                return Err(std::io::Error::other("too long"));
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter { len: 0, max };
    serde_json::to_writer(&mut counter, value).ok().map(|()| counter.len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn depth_is_counted_without_recursion() {
        assert!(!deeper_than(&json!(1), 0));
        assert!(!deeper_than(&json!([]), 1));
        assert!(deeper_than(&json!([]), 0));
        assert!(!deeper_than(&json!({"a": [{"b": 1}]}), 3));
        assert!(deeper_than(&json!({"a": [{"b": 1}]}), 2));
        let mut deep = json!(0);
        for _ in 0..100_000 {
            deep = Value::Array(vec![deep]);
        }
        assert!(deeper_than(&deep, MAX_ORDER_DEPTH));
        // Dropping a value this deep recurses; leak it instead (a test-only value).
        std::mem::forget(deep);
    }

    #[test]
    fn capped_depth() {
        assert_eq!(depth_capped(&json!(1), 5), 0);
        assert_eq!(depth_capped(&json!({"a": [{"b": 1}]}), 5), 3);
        assert_eq!(depth_capped(&json!({"a": [{"b": [[]]}]}), 2), 3);
    }

    #[test]
    fn length_stops_at_the_limit() {
        assert_eq!(json_len_within(&json!({"a": 1}), 100), Some(7));
        assert_eq!(json_len_within(&json!({"a": 1}), 6), None);
        assert_eq!(json_len_within(&json!("x".repeat(1000)), 10), None);
    }

    #[test]
    fn defaults_are_valid_and_zero_is_not() {
        assert_eq!(Limits::default().validate(), Ok(()));
        let bad = Limits { max_connections: 0, ..Limits::default() };
        assert!(bad.validate().is_err_and(|e| e.contains("max_connections")));
    }
}
