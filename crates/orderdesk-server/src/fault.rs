//! Fault injection for client tests; every fault is off by default.
//!
//! - latency: every request waits N ms first;
//! - error rate: that share of requests is answered 429, 500 or 503 with `Retry-After`
//!   before anything is done;
//! - drop after commit: that share of POSTs is fully processed (and stored), then the
//!   connection is closed without an answer — what a client sees when a server commits and
//!   the network fails, the cause of duplicate orders without idempotency keys;
//! - malformed: that share of answers carries a body that is not JSON.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::Notify;

use crate::error::ApiError;
use crate::state::AppState;

/// Fault settings; rates are shares between 0 and 1.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultConfig {
    /// Added latency per request.
    pub latency: Duration,
    /// Share of requests answered 429/500/503.
    pub error_rate: f64,
    /// Share of POSTs committed, then dropped without an answer.
    pub drop_after_commit: f64,
    /// Share of answers with a non-JSON body.
    pub malformed_rate: f64,
}

impl FaultConfig {
    /// Checks that every rate is a share.
    pub fn validate(&self) -> Result<(), String> {
        for (name, r) in [
            ("error rate", self.error_rate),
            ("drop-after-commit rate", self.drop_after_commit),
            ("malformed rate", self.malformed_rate),
        ] {
            if !(0.0..=1.0).contains(&r) {
                return Err(format!("{name} must be between 0 and 1, got {r}"));
            }
        }
        Ok(())
    }

    fn any(&self) -> bool {
        !self.latency.is_zero()
            || self.error_rate > 0.0
            || self.drop_after_commit > 0.0
            || self.malformed_rate > 0.0
    }
}

/// Put into each request's extensions by the connection loop: notifying it closes the
/// connection at once.
#[derive(Clone)]
pub struct ConnectionKill(pub Arc<Notify>);

fn roll(rate: f64) -> bool {
    rate > 0.0 && fastrand::f64() < rate
}

/// The fault middleware (outermost layer).
pub async fn middleware(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let faults = &st.config.faults;
    if !faults.any() {
        return next.run(req).await;
    }
    if !faults.latency.is_zero() {
        tokio::time::sleep(faults.latency).await;
    }
    if roll(faults.error_rate) {
        let status = match fastrand::u8(0..3) {
            0 => StatusCode::TOO_MANY_REQUESTS,
            1 => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::SERVICE_UNAVAILABLE,
        };
        return ApiError::new(
            status,
            "fault.injected",
            status.canonical_reason().unwrap_or("Error"),
            "fault injected by --fault-error-rate",
        )
        .with_header("retry-after", "1")
        .into_response();
    }
    let is_post = req.method() == Method::POST;
    let kill = req.extensions().get::<ConnectionKill>().cloned();
    let resp = next.run(req).await;
    if is_post && roll(faults.drop_after_commit) {
        if let Some(ConnectionKill(n)) = kill {
            n.notify_one();
            // The connection task drops this future together with the socket.
            return std::future::pending::<Response>().await;
        }
    }
    if roll(faults.malformed_rate) {
        let (mut parts, _) = resp.into_parts();
        parts.headers.remove(axum::http::header::CONTENT_LENGTH);
        parts
            .headers
            .insert(axum::http::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        return Response::from_parts(parts, Body::from("{\"id\": \"trunc<html>"));
    }
    resp
}
