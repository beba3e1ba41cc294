//! Fuzz harness: any answer a server can give, read as the client reads it. `fuzz/`
//! (cargo-fuzz) drives it with libFuzzer; `crates/orderdesk-server/tests/fuzz.rs` replays the
//! committed corpus and every input that once failed. It must never panic on any input: a
//! panic is a bug in this crate.
//!
//! An input is an answer written like HTTP: the status on the first line, then one
//! `name: value` header per line, an empty line and the body. Header lines that HTTP could not
//! carry are left out (the HTTP library refuses them before the client sees them).

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::StatusCode;
use serde_json::Value;

use crate::client::{header_count, order_state, read_answer, resource_id};
use orderdesk_wire::external_id::external_ids;

/// Reads the answer in `data`, then what callers read from it: ids, states and external ids
/// of the resource or of each listed one, the list counts; or the error's code, status,
/// field, `Retry-After` and classification. Asserts that a failure's message stays short.
pub fn read_server_answer(data: &[u8]) {
    let (head, body) = split_head(data);
    let mut lines = head.split(|b| *b == b'\n');
    let status = lines
        .next()
        .and_then(|l| std::str::from_utf8(l).ok())
        .and_then(|l| l.trim().parse::<u16>().ok())
        .and_then(|s| StatusCode::from_u16(s).ok());
    let Some(status) = status else { return };
    let mut headers = HeaderMap::new();
    for line in lines {
        let Some(colon) = line.iter().position(|b| *b == b':') else { continue };
        let (name, value) = line.split_at(colon);
        let value = value.get(1..).unwrap_or_default().trim_ascii();
        if let (Ok(n), Ok(v)) =
            (HeaderName::from_bytes(name.trim_ascii()), HeaderValue::from_bytes(value))
        {
            headers.append(n, v);
        }
    }
    match read_answer(status, headers, body, "0123456789abcdef0123456789abcdef") {
        Ok(answer) => {
            let _ = header_count(&answer.headers, "x-total-count");
            let _ = header_count(&answer.headers, "x-result-count");
            let resources = match &answer.body {
                Value::Array(list) => list.iter().collect(),
                other => vec![other],
            };
            for r in resources {
                let _ = (resource_id(r), order_state(r), external_ids(r));
            }
        }
        Err(e) => {
            let message = e.to_string();
            let _ = (e.code(), e.status(), e.field(), e.retry_after(), e.correlation_id());
            let _ = (e.is_transient(), e.outcome_unknown(), e.is_rejection());
            // The message is shortened to 500 characters; the rest is the status and the
            // correlation id around it.
            assert!(message.chars().count() < 1_000, "an error message of {} chars", message.len());
        }
    }
}

/// The head (status and headers) and the body, split at the first empty line.
fn split_head(data: &[u8]) -> (&[u8], &[u8]) {
    let at = data.windows(2).position(|w| w == b"\n\n");
    match at {
        Some(at) => {
            let (head, rest) = data.split_at(at);
            (head, rest.get(2..).unwrap_or_default())
        }
        None => (data, &[]),
    }
}
