//! Selectable authentication: none; OAuth2 client credentials (token endpoint +
//! `Authorization: Bearer`); or `client_id`/`client_secret` headers together with an
//! `X-Correlation-ID` matching `^[a-zA-Z0-9-+/=_]{16,64}$`. Wrong or missing credentials
//! are a 401 TMF Error. The token endpoint itself is open.

use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::ApiError;
use crate::state::AppState;

/// Path of the OAuth2 token endpoint.
pub const TOKEN_PATH: &str = "/oauth/token";

/// How long an issued access token stays valid.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// Authentication mode.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AuthMode {
    /// Every request is accepted.
    #[default]
    None,
    /// OAuth2 client credentials; API calls carry `Authorization: Bearer <token>`.
    OAuth2 {
        /// Accepted client id.
        client_id: String,
        /// Accepted client secret.
        client_secret: String,
    },
    /// `client_id` + `client_secret` headers and an `X-Correlation-ID`.
    ClientHeaders {
        /// Accepted client id.
        client_id: String,
        /// Accepted client secret.
        client_secret: String,
    },
}

fn unauthorized(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "Unauthorized", message)
}

/// `^[a-zA-Z0-9-+/=_]{16,64}$`
pub fn valid_correlation_id(s: &str) -> bool {
    (16..=64).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-+/=_".contains(&b))
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// Checks a request's credentials against the configured mode.
pub fn check(st: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    match &st.config.auth {
        AuthMode::None => Ok(()),
        AuthMode::OAuth2 { .. } => {
            let token = header(headers, "authorization")
                .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
                .ok_or_else(|| {
                    unauthorized("missing 'Authorization: Bearer <token>' header")
                        .with_header("www-authenticate", "Bearer")
                })?;
            let mut tokens = st.tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let now = Instant::now();
            tokens.retain(|_, exp| *exp > now);
            if tokens.contains_key(token.trim()) {
                Ok(())
            } else {
                Err(unauthorized("the access token is unknown or expired")
                    .with_header("www-authenticate", "Bearer error=\"invalid_token\""))
            }
        }
        AuthMode::ClientHeaders { client_id, client_secret } => {
            let id = header(headers, "client_id");
            let secret = header(headers, "client_secret");
            if id != Some(client_id.as_str()) || secret != Some(client_secret.as_str()) {
                return Err(unauthorized("missing or wrong 'client_id'/'client_secret' headers"));
            }
            match header(headers, "x-correlation-id") {
                Some(c) if valid_correlation_id(c) => Ok(()),
                Some(_) => {
                    Err(unauthorized("'X-Correlation-ID' must match ^[a-zA-Z0-9-+/=_]{16,64}$"))
                }
                None => Err(unauthorized("missing 'X-Correlation-ID' header")),
            }
        }
    }
}

/// Middleware enforcing [`check`] on everything but the token endpoint.
pub async fn middleware(State(st): State<AppState>, req: Request, next: Next) -> Response {
    if req.uri().path() == TOKEN_PATH {
        return next.run(req).await;
    }
    match check(&st, req.headers()) {
        Ok(()) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

fn decode_base64(s: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let mut acc: u32 = 0;
    let mut bits = 0;
    for b in s.trim().bytes().filter(|b| *b != b'=') {
        let v = u32::try_from(ALPHABET.iter().position(|a| *a == b)?).ok()?;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).ok()?);
        }
    }
    Some(out)
}

fn form_value(body: &str, key: &str) -> Option<String> {
    form_pairs(body).into_iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn hex(b: u8) -> Option<u8> {
    char::from(b).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

/// Minimal `application/x-www-form-urlencoded` decoding (`+` is a space, `%XX` escapes).
fn form_pairs(body: &str) -> Vec<(String, String)> {
    fn decode(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match (
                bytes[i],
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            ) {
                (b'+', _, _) => out.push(b' '),
                (b'%', Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                (b, _, _) => out.push(b),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    body.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

/// `POST /oauth/token` (client credentials; credentials in the form body or HTTP Basic).
pub async fn token(State(st): State<AppState>, headers: HeaderMap, body: String) -> Response {
    let AuthMode::OAuth2 { client_id, client_secret } = &st.config.auth else {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            "notFound",
            "Not Found",
            "the server does not run with OAuth2 authentication",
        )
        .into_response();
    };
    let oauth_error = |status: StatusCode, error: &str, description: &str| {
        (status, axum::Json(json!({"error": error, "error_description": description})))
            .into_response()
    };
    if form_value(&body, "grant_type").as_deref() != Some("client_credentials") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant_type must be client_credentials",
        );
    }
    let basic = header(&headers, "authorization")
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(decode_base64)
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.split_once(':').map(|(a, b)| (a.to_owned(), b.to_owned())));
    let (id, secret) = match basic {
        Some(pair) => pair,
        None => (
            form_value(&body, "client_id").unwrap_or_default(),
            form_value(&body, "client_secret").unwrap_or_default(),
        ),
    };
    if &id != client_id || &secret != client_secret {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "unknown client or wrong secret",
        );
    }
    let token = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
    st.tokens
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(token.clone(), Instant::now() + TOKEN_LIFETIME);
    axum::Json(json!({
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME.as_secs(),
    }))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn correlation_id_pattern() {
        assert!(valid_correlation_id("0123456789abcdef"));
        assert!(valid_correlation_id("a-b+c/d=e_f0123456789"));
        assert!(!valid_correlation_id("short"));
        assert!(!valid_correlation_id("0123456789abcdef!"));
        assert!(!valid_correlation_id(&"a".repeat(65)));
    }

    #[test]
    fn decoding() {
        assert_eq!(decode_base64("dXNlcjpwYXNz").as_deref(), Some(&b"user:pass"[..]));
        assert_eq!(
            form_value("grant_type=client_credentials&client_id=a%2Bb+c", "client_id").as_deref(),
            Some("a+b c")
        );
    }
}
