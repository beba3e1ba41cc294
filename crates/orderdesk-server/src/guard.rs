//! The app-only guard ([`crate::ServerConfig::app_only`]): a server on the agent's own machine
//! that only the program which started it may use, never a web page the agent has open.
//!
//! What a page can do without the server's consent, and what refuses it:
//! - send a "simple" cross-origin request (GET, or a POST of `text/plain`,
//!   `application/x-www-form-urlencoded` or `multipart/form-data`, with no custom header):
//!   such a POST is refused `415` (bodies must be JSON), and every cross-origin request the
//!   browser makes carries an `Origin`, which is refused `403`;
//! - make its own host name resolve to 127.0.0.1 (DNS rebinding) and then read the server as
//!   "same origin": the `Host` header then names the page's host, and only the loopback
//!   address and port the server bound are accepted (`403`).
//!
//! Neither can a page send the bearer token the app holds (it does not know it, and a custom
//! `Authorization` header needs a preflight the server never grants), so the guard and the
//! token ([`crate::AuthMode::Bearer`]) each refuse a page on their own.

use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::AppState;

fn forbidden(code: &str, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, code, "Forbidden", message)
}

/// Whether a media type is JSON: `application/json` or `application/<anything>+json`.
pub fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json"
        || essence.strip_prefix("application/").is_some_and(|sub| sub.ends_with("+json"))
}

/// Checks one request against the guard; `Err` is the answer.
pub fn check(st: &AppState, req: &Request) -> Result<(), ApiError> {
    let headers = req.headers();
    if headers.contains_key(header::ORIGIN) {
        return Err(forbidden(
            "guard.origin",
            "requests from web pages (with an Origin header) are not served here",
        ));
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let bound = st.bound.to_string();
    if !host.eq_ignore_ascii_case(&bound) {
        return Err(forbidden(
            "guard.host",
            format!("this server answers only to the Host {bound}, not '{host}'"),
        ));
    }
    let content_type = headers.get(header::CONTENT_TYPE).map(|c| c.to_str().unwrap_or("?"));
    let sends_body = matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH);
    match content_type {
        Some(ct) if !is_json(ct) => Err(media_type(ct)),
        None if sends_body => Err(media_type("none")),
        _ => Ok(()),
    }
}

fn media_type(given: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "guard.mediaType",
        "Unsupported Media Type",
        format!("request bodies here are JSON only (application/json or application/*+json), not '{given}'"),
    )
}

/// The guard as a middleware; a no-op unless the server is app-only.
pub async fn middleware(State(st): State<AppState>, req: Request, next: Next) -> Response {
    if !st.config.app_only {
        return next.run(req).await;
    }
    match check(&st, &req) {
        Ok(()) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_media_types() {
        assert!(is_json("application/json"));
        assert!(is_json("Application/JSON; charset=utf-8"));
        assert!(is_json("application/merge-patch+json"));
        assert!(is_json("application/json-patch+json"));
        assert!(!is_json("text/plain"));
        assert!(!is_json("application/x-www-form-urlencoded"));
        assert!(!is_json("multipart/form-data; boundary=x"));
        assert!(!is_json("text/json+plain"));
    }
}
