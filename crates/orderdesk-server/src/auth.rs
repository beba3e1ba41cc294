//! Selectable authentication: none; a fixed bearer token (the app's demo server uses a random
//! one per run); OAuth2 client credentials (token endpoint + `Authorization: Bearer`); or
//! `client_id`/`client_secret` headers together with an `X-Correlation-ID` matching
//! `^[a-zA-Z0-9-+/=_]{16,64}$`. Wrong or missing credentials are a 401 TMF Error. The token
//! endpoint itself is open, and rate-limited per client address.
//!
//! Credentials are compared in constant time (SHA-256 of both sides, compared with `subtle`),
//! so the time an answer takes tells nothing about how much of a guess was right. Issued
//! access tokens are kept only as their SHA-256, at most [`crate::limits::MAX_TOKENS`] at
//! once.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde_json::json;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::limits::{Limits, MAX_TOKENS};
use crate::state::{AppState, PeerAddr};

/// Path of the OAuth2 token endpoint.
pub const TOKEN_PATH: &str = "/oauth/token";

/// How long an issued access token stays valid.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// The client id of `orderdesk-server --demo-credentials`: for trying the server out only.
pub const DEMO_CLIENT_ID: &str = "orderdesk";
/// The client secret of `orderdesk-server --demo-credentials`: for trying the server out only.
pub const DEMO_CLIENT_SECRET: &str = "orderdesk-secret";

/// Authentication mode.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum AuthMode {
    /// Every request is accepted.
    #[default]
    None,
    /// Every request carries `Authorization: Bearer <token>` with this token.
    Bearer {
        /// The accepted token.
        token: String,
    },
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

impl std::fmt::Debug for AuthMode {
    // Never prints a secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuthMode::None => f.write_str("None"),
            AuthMode::Bearer { .. } => f.write_str("Bearer { token: *** }"),
            AuthMode::OAuth2 { client_id, .. } => {
                write!(f, "OAuth2 {{ client_id: {client_id:?}, client_secret: *** }}")
            }
            AuthMode::ClientHeaders { client_id, .. } => {
                write!(f, "ClientHeaders {{ client_id: {client_id:?}, client_secret: *** }}")
            }
        }
    }
}

/// A new random token (256 bits, hex): access tokens, and the demo server's token.
pub fn new_token() -> String {
    format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple())
}

fn digest(s: &str) -> [u8; 32] {
    Sha256::digest(s.as_bytes()).into()
}

/// Whether two secrets are equal, in time that depends on neither.
pub fn same_secret(given: &str, expected: &str) -> bool {
    bool::from(digest(given).ct_eq(&digest(expected)))
}

/// Issued OAuth2 access tokens (by their SHA-256) and when each expires, at most
/// [`MAX_TOKENS`].
#[derive(Debug)]
pub struct Tokens {
    issued: HashMap<[u8; 32], Instant>,
    capacity: usize,
}

impl Default for Tokens {
    fn default() -> Self {
        Self::with_capacity(MAX_TOKENS)
    }
}

impl Tokens {
    /// At most `capacity` tokens at once.
    pub fn with_capacity(capacity: usize) -> Self {
        Self { issued: HashMap::new(), capacity }
    }

    pub(crate) fn issue(&mut self, token: &str, now: Instant) {
        self.issued.retain(|_, exp| *exp > now);
        if self.issued.len() >= self.capacity {
            // The token closest to expiry goes first.
            let oldest = self.issued.iter().min_by_key(|(_, exp)| **exp).map(|(k, _)| *k);
            if let Some(oldest) = oldest {
                self.issued.remove(&oldest);
            }
        }
        self.issued.insert(digest(token), now.checked_add(TOKEN_LIFETIME).unwrap_or(now));
    }

    fn valid(&self, token: &str, now: Instant) -> bool {
        self.issued.get(&digest(token)).is_some_and(|exp| *exp > now)
    }

    /// Tokens issued and not yet dropped (some may have expired).
    pub fn len(&self) -> usize {
        self.issued.len()
    }

    /// Whether no token is kept.
    pub fn is_empty(&self) -> bool {
        self.issued.is_empty()
    }
}

/// Token requests per client address: IPv4 addresses one by one, IPv6 by their /64 (one
/// host's share).
pub struct TokenLimiter(DefaultKeyedRateLimiter<IpAddr>);

impl TokenLimiter {
    /// A limiter with the limits' burst and rate.
    pub fn new(limits: &Limits) -> Self {
        let per_minute =
            NonZeroU32::new(limits.token_requests_per_minute).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(limits.token_burst).unwrap_or(NonZeroU32::MIN);
        Self(RateLimiter::keyed(Quota::per_minute(per_minute).allow_burst(burst)))
    }

    /// `Err(wait)` when `peer` must wait before asking again.
    fn check(&self, peer: Option<IpAddr>) -> Result<(), Duration> {
        let key = match peer {
            Some(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
                let mut o = v6.octets();
                o.iter_mut().skip(8).for_each(|b| *b = 0);
                IpAddr::V6(o.into())
            }
            Some(IpAddr::V6(v6)) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
            Some(v4) => v4,
            None => IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
        };
        // Addresses whose allowance is full again are forgotten, so the map stays small.
        if self.0.len() > 1_000 {
            self.0.retain_recent();
        }
        self.0.check_key(&key).map_err(|not_until| {
            not_until.wait_time_from(governor::clock::Clock::now(
                &governor::clock::DefaultClock::default(),
            ))
        })
    }
}

impl std::fmt::Debug for TokenLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenLimiter").field("addresses", &self.0.len()).finish()
    }
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
    let bearer = || {
        header(headers, "authorization")
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .ok_or_else(|| {
                unauthorized("missing 'Authorization: Bearer <token>' header")
                    .with_header("www-authenticate", "Bearer")
            })
    };
    let invalid = || {
        unauthorized("the access token is unknown or expired")
            .with_header("www-authenticate", "Bearer error=\"invalid_token\"")
    };
    match &st.config.auth {
        AuthMode::None => Ok(()),
        AuthMode::Bearer { token } => {
            if same_secret(bearer()?, token) {
                Ok(())
            } else {
                Err(invalid())
            }
        }
        AuthMode::OAuth2 { .. } => {
            let token = bearer()?;
            let tokens = st.tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if tokens.valid(token, Instant::now()) {
                Ok(())
            } else {
                Err(invalid())
            }
        }
        AuthMode::ClientHeaders { client_id, client_secret } => {
            let id = header(headers, "client_id").unwrap_or_default();
            let secret = header(headers, "client_secret").unwrap_or_default();
            // Both compared, always: which one was wrong does not show in the time taken.
            let id_ok = same_secret(id, client_id);
            let secret_ok = same_secret(secret, client_secret);
            if !(id_ok & secret_ok) {
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

fn form_value(body: &str, key: &str) -> Option<String> {
    form_urlencoded::parse(body.as_bytes()).find(|(k, _)| k == key).map(|(_, v)| v.into_owned())
}

/// `POST /oauth/token` (client credentials; credentials in the form body or HTTP Basic).
/// Each client address gets a burst of requests, then a few per minute: beyond that, `429`
/// with `Retry-After`.
pub async fn token(
    State(st): State<AppState>,
    peer: Option<axum::Extension<PeerAddr>>,
    headers: HeaderMap,
    body: String,
) -> Response {
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
    if let Err(wait) = st.token_limiter.check(peer.map(|axum::Extension(PeerAddr(a))| a.ip())) {
        let seconds = wait.as_secs().saturating_add(1);
        let mut resp = oauth_error(
            StatusCode::TOO_MANY_REQUESTS,
            "temporarily_unavailable",
            &format!("too many token requests from this address; try again in {seconds} s"),
        );
        resp.headers_mut().insert("retry-after", axum::http::HeaderValue::from(seconds));
        return resp;
    }
    if form_value(&body, "grant_type").as_deref() != Some("client_credentials") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant_type must be client_credentials",
        );
    }
    let basic = header(&headers, "authorization")
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.split_once(':').map(|(a, b)| (a.to_owned(), b.to_owned())));
    let (id, secret) = match basic {
        Some(pair) => pair,
        None => (
            form_value(&body, "client_id").unwrap_or_default(),
            form_value(&body, "client_secret").unwrap_or_default(),
        ),
    };
    let id_ok = same_secret(&id, client_id);
    let secret_ok = same_secret(&secret, client_secret);
    if !(id_ok & secret_ok) {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "unknown client or wrong secret",
        );
    }
    let token = new_token();
    st.tokens
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .issue(&token, Instant::now());
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
    fn secrets_compare_whole() {
        assert!(same_secret("orderdesk-secret", "orderdesk-secret"));
        assert!(!same_secret("orderdesk-secre", "orderdesk-secret"));
        assert!(!same_secret("", "orderdesk-secret"));
        assert!(!format!("{:?}", AuthMode::Bearer { token: "hunter2".into() }).contains("hunter2"));
    }

    #[test]
    fn tokens_are_bounded() {
        let mut t = Tokens::with_capacity(3);
        let start = Instant::now();
        for i in 0..5u64 {
            t.issue(&i.to_string(), start.checked_add(Duration::from_secs(i)).unwrap_or(start));
        }
        assert_eq!(t.len(), 3);
        assert!(!t.valid("0", start), "the oldest went first");
        assert!(t.valid("4", start));
        let later = start.checked_add(TOKEN_LIFETIME + Duration::from_secs(5)).unwrap_or(start);
        assert!(!t.valid("4", later), "expired");
        t.issue("5", later);
        assert_eq!(t.len(), 1, "expired tokens are dropped");
    }

    #[test]
    fn decoding() {
        assert_eq!(
            form_value("grant_type=client_credentials&client_id=a%2Bb+c", "client_id").as_deref(),
            Some("a+b c")
        );
    }
}
