//! The HTTP client proper: one [`Client`] per server profile.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use orderdesk_core::limits;
use orderdesk_wire::external_id::{carries_external_id, external_id_filter};
use orderdesk_wire::Version;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use reqwest::{Method, StatusCode, Url};
use serde_json::Value;

use crate::error::{normalise_error, ClientError};
use crate::profile::{AuthConfig, Profile};
use crate::secret::Secret;

/// The API segment of a TMF622 root, and those of its siblings on the same server.
const ORDER_API: &str = "productOrderingManagement";
/// TMF629.
const CUSTOMER_API: &str = "customerManagement";
/// TMF637.
const INVENTORY_API: &str = "productInventory";

/// Answers larger than this are refused unread (a misbehaving server must not fill memory):
/// as large as an order Orderdesk accepts. A list's pages have their own bounds
/// ([`ListLimits`]).
pub const DEFAULT_MAX_BODY: usize = limits::MAX_ORDER_BYTES;

/// How much of a list the client reads before it stops with
/// [`ClientError::ListIncomplete`]: a server that never ends a list, serves huge pages or
/// answers page after page slowly cannot hold a pull forever. The defaults are the core's
/// transport limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListLimits {
    /// Pages read.
    pub max_pages: usize,
    /// Bytes of one page.
    pub max_page_bytes: usize,
    /// Bytes of all pages together.
    pub max_bytes: usize,
    /// Time for all pages together.
    pub max_duration: Duration,
}

impl Default for ListLimits {
    fn default() -> Self {
        ListLimits {
            max_pages: limits::MAX_PAGES,
            max_page_bytes: limits::MAX_PAGE_BYTES,
            max_bytes: limits::MAX_LIST_BYTES,
            max_duration: limits::MAX_LIST_DURATION,
        }
    }
}

/// When to try a request again.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in total (1 = no retry).
    pub max_attempts: u32,
    /// First back-off; doubled each time, with up to 50 % jitter.
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// A `Retry-After` longer than this is not waited for: the error goes to the caller
    /// (the sync engine then schedules the entry for that time instead of blocking). What a
    /// server asks for is read as at most [`limits::MAX_RETRY_AFTER`] in any case.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The back-off before attempt `attempt + 1` (`attempt` counts from 1).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = self.base_delay.saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
        let capped = exp.min(self.max_delay);
        let jitter = capped.mul_f64(fastrand::f64() * 0.5);
        capped.saturating_add(jitter).min(self.max_delay)
    }
}

/// The TMF620 resources the client reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatalogResource {
    Offering,
    Price,
    Specification,
    Category,
}

impl CatalogResource {
    pub const ALL: [CatalogResource; 4] = [
        CatalogResource::Offering,
        CatalogResource::Price,
        CatalogResource::Specification,
        CatalogResource::Category,
    ];

    /// The collection's path segment.
    pub fn path(self) -> &'static str {
        match self {
            CatalogResource::Offering => "productOffering",
            CatalogResource::Price => "productOfferingPrice",
            CatalogResource::Specification => "productSpecification",
            CatalogResource::Category => "category",
        }
    }
}

/// What paging a list took.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListStats {
    pub items: usize,
    pub pages: usize,
    /// `X-Total-Count` as last reported, when the server sent it.
    pub total_reported: Option<usize>,
}

/// A successful answer.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Value,
    /// The body's length as read.
    pub(crate) bytes: usize,
    pub(crate) correlation_id: String,
}

/// How a request may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Safety {
    /// Reads: any transient failure may be retried.
    Idempotent,
    /// Creates and changes: retried only when the server certainly did not act (no
    /// connection, or 429/503 with the server saying so).
    Unsafe,
}

struct CachedToken {
    value: String,
    refresh_at: Instant,
}

/// A TMF622/TMF620 client for one server profile. Cheap to share behind an `Arc`; all
/// methods take `&self`.
pub struct Client {
    http: reqwest::Client,
    profile: Profile,
    secret: Option<Secret>,
    retry: RetryPolicy,
    max_body: usize,
    list_limits: ListLimits,
    timeout: Duration,
    version: Mutex<Option<Version>>,
    token: tokio::sync::Mutex<Option<CachedToken>>,
    /// The PATCH form this server takes ([`PatchForm`] as `u8`), learnt once per client (the
    /// sync engine keeps one client per server profile).
    patch_form: AtomicU8,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("profile", &self.profile.name).finish_non_exhaustive()
    }
}

/// A fresh `X-Correlation-ID`: 32 hex digits, inside `^[a-zA-Z0-9-+/=_]{16,64}$`.
pub fn new_correlation_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// `application/x-www-form-urlencoded` encoding of one value.
fn form_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// `Retry-After` as seconds or an HTTP date, at most [`limits::MAX_RETRY_AFTER`]: a server
/// asking for years (or for more seconds than a date can hold) is asked again within the hour.
fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    let wait = if text.bytes().all(|b| b.is_ascii_digit()) && !text.is_empty() {
        // Digits beyond u64 are a wait beyond any limit.
        text.parse::<u64>().map_or(limits::MAX_RETRY_AFTER, Duration::from_secs)
    } else {
        let at = DateTime::parse_from_rfc2822(text).ok()?.with_timezone(&Utc);
        at.signed_duration_since(Utc::now()).to_std().unwrap_or(Duration::ZERO)
    };
    Some(wait.min(limits::MAX_RETRY_AFTER))
}

/// How long an access token is used: the token endpoint's `expires_in` (seconds, as a number
/// or a string; 5 minutes when it gives none), at most [`limits::MAX_TOKEN_LIFETIME`].
fn token_lifetime(answer: &Value) -> Duration {
    let seconds = answer.get("expires_in").and_then(|v| match v {
        Value::Number(n) => n.as_u64().or_else(|| n.as_f64().map(|f| f.max(0.0) as u64)),
        Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    });
    seconds.map_or(Duration::from_secs(300), Duration::from_secs).min(limits::MAX_TOKEN_LIFETIME)
}

/// When a token with `lifetime` is fetched again: a tenth of its lifetime early, at most a
/// minute.
fn refresh_at(now: Instant, lifetime: Duration) -> Instant {
    let margin = lifetime.checked_div(10).unwrap_or_default().min(Duration::from_secs(60));
    now.checked_add(lifetime.saturating_sub(margin)).unwrap_or(now)
}

/// What an answer says, once its body is read: the JSON of a success (`null` for an empty
/// body), the normalised [`ClientError::Server`] of any other status, or `Malformed` for a
/// success whose body is not JSON. Pure, so the fuzz harness reads answers without a server.
pub(crate) fn read_answer(
    status: StatusCode,
    headers: HeaderMap,
    bytes: &[u8],
    correlation_id: &str,
) -> Result<Answer, ClientError> {
    if !status.is_success() {
        let detail =
            normalise_error(status.as_u16(), status.canonical_reason().unwrap_or(""), bytes);
        return Err(ClientError::Server {
            status: status.as_u16(),
            code: detail.code,
            message: detail.message,
            field: detail.field,
            retry_after: parse_retry_after(&headers),
            correlation_id: correlation_id.to_owned(),
        });
    }
    let body = if bytes.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        serde_json::from_slice(bytes).map_err(|err| ClientError::Malformed {
            status: status.as_u16(),
            detail: err.to_string(),
            correlation_id: correlation_id.to_owned(),
        })?
    };
    Ok(Answer {
        status,
        headers,
        body,
        bytes: bytes.len(),
        correlation_id: correlation_id.to_owned(),
    })
}

pub(crate) fn header_count(headers: &HeaderMap, name: &str) -> Option<usize> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// An order's id as text (numbers are accepted: some servers send them).
pub fn resource_id(value: &Value) -> Option<String> {
    match value.get("id")? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The id of the order a cancellation task (`cancelProductOrder`) is about: its
/// `productOrder` reference's `id`, in v4 and v5 alike.
pub fn cancelled_order_id(task: &Value) -> Option<String> {
    resource_id(task.get("productOrder")?)
}

/// An order's (or a task's) `state` as the server wrote it, or `None` when it reported none
/// (we never invent one). The text is what is kept and shown; what a state means is decided
/// with `orderdesk_wire::OrderState::parse` (or `TaskState::parse`), which also reads a state
/// spelled otherwise.
pub fn order_state(order: &Value) -> Option<&str> {
    order.get("state").and_then(Value::as_str).filter(|s| !s.is_empty())
}

impl Client {
    /// A client for `profile`. `secret` is required by every auth mode but `none`.
    pub fn new(profile: Profile, secret: Option<Secret>) -> Result<Client, ClientError> {
        profile.validate()?;
        if profile.auth.needs_secret() && secret.is_none() {
            return Err(ClientError::Secret(format!(
                "profile {:?} uses {} authentication but no secret was given",
                profile.name,
                profile.auth.mode()
            )));
        }
        let timeout = Duration::from_millis(profile.timeout_ms.max(1));
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_millis(profile.connect_timeout_ms.max(1)))
            .user_agent(concat!("orderdesk/", env!("CARGO_PKG_VERSION")))
            // An `href` or a redirect may point anywhere; we only ever call the profile's URLs.
            .redirect(reqwest::redirect::Policy::none());
        if let Some(path) = &profile.ca_cert {
            let pem = std::fs::read(path).map_err(|err| {
                ClientError::Config(format!("cannot read CA certificate {}: {err}", path.display()))
            })?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|err| {
                ClientError::Config(format!("{} is not a PEM certificate: {err}", path.display()))
            })?;
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http = builder
            .build()
            .map_err(|err| ClientError::Config(format!("cannot set up HTTP: {err}")))?;
        let version = profile.known_version();
        Ok(Client {
            http,
            profile,
            secret,
            retry: RetryPolicy::default(),
            max_body: DEFAULT_MAX_BODY,
            list_limits: ListLimits::default(),
            timeout,
            version: Mutex::new(version),
            token: tokio::sync::Mutex::new(None),
            patch_form: AtomicU8::new(PatchForm::Merge as u8),
        })
    }

    /// Replaces the retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Client {
        self.retry = retry;
        self
    }

    /// Replaces the size limit of an answer that is not a list page.
    pub fn with_max_body(mut self, bytes: usize) -> Client {
        self.max_body = bytes;
        self
    }

    /// Replaces the bounds of reading a list.
    pub fn with_list_limits(mut self, list_limits: ListLimits) -> Client {
        self.list_limits = list_limits;
        self
    }

    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// The TMF622 version in use, if known yet (see [`Client::version`]).
    pub fn known_version(&self) -> Option<Version> {
        *lock(&self.version)
    }

    // ---- URLs ------------------------------------------------------------------------------

    fn url(&self, root: &str, segments: &[&str]) -> Result<Url, ClientError> {
        let mut url = Url::parse(root)
            .map_err(|err| ClientError::Config(format!("{root:?} is not a URL: {err}")))?;
        {
            let mut path = url
                .path_segments_mut()
                .map_err(|()| ClientError::Config(format!("{root:?} cannot be a base URL")))?;
            path.pop_if_empty();
            if let Some(business) = &self.profile.business_id {
                path.push(business);
            }
            path.extend(segments);
        }
        Ok(url)
    }

    fn order_url(&self, segments: &[&str]) -> Result<Url, ClientError> {
        self.url(&self.profile.order_url, segments)
    }

    fn catalog_url(&self, segments: &[&str]) -> Result<Url, ClientError> {
        let root = self.profile.catalog_url.as_deref().ok_or_else(|| {
            ClientError::Config(format!(
                "profile {:?} has no catalog URL (set one with --catalog-url)",
                self.profile.name
            ))
        })?;
        self.url(root, segments)
    }

    // ---- auth ------------------------------------------------------------------------------

    async fn auth_headers(&self, headers: &mut HeaderMap) -> Result<(), ClientError> {
        let secret = || {
            self.secret.as_ref().map(Secret::expose).ok_or_else(|| {
                ClientError::Secret(format!("profile {:?} has no secret", self.profile.name))
            })
        };
        let value = |text: &str| {
            HeaderValue::from_str(text)
                .map_err(|_| ClientError::Secret("the secret cannot be sent in a header".into()))
        };
        match &self.profile.auth {
            AuthConfig::None => {}
            AuthConfig::Bearer => {
                let mut v = value(&format!("Bearer {}", secret()?))?;
                v.set_sensitive(true);
                headers.insert(reqwest::header::AUTHORIZATION, v);
            }
            AuthConfig::OAuth2 { .. } => {
                let token = self.access_token().await?;
                let mut v = value(&format!("Bearer {token}"))?;
                v.set_sensitive(true);
                headers.insert(reqwest::header::AUTHORIZATION, v);
            }
            AuthConfig::Headers { client_id } => {
                headers.insert("client_id", value(client_id)?);
                let mut v = value(secret()?)?;
                v.set_sensitive(true);
                headers.insert("client_secret", v);
            }
        }
        Ok(())
    }

    /// The cached OAuth2 token, fetched again shortly before it expires.
    async fn access_token(&self) -> Result<String, ClientError> {
        let mut cached = self.token.lock().await;
        if let Some(token) = cached.as_ref() {
            if Instant::now() < token.refresh_at {
                return Ok(token.value.clone());
            }
        }
        let AuthConfig::OAuth2 { token_url, client_id, scope } = &self.profile.auth else {
            return Err(ClientError::Config("not an OAuth2 profile".into()));
        };
        let secret = self
            .secret
            .as_ref()
            .ok_or_else(|| ClientError::Secret("no OAuth2 client secret".into()))?;
        let mut form = format!(
            "grant_type=client_credentials&client_id={}&client_secret={}",
            form_encode(client_id),
            form_encode(secret.expose())
        );
        if let Some(scope) = scope {
            form.push_str(&format!("&scope={}", form_encode(scope)));
        }
        let correlation_id = new_correlation_id();
        let response = self
            .http
            .post(token_url)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("X-Correlation-ID", &correlation_id)
            .body(form)
            .send()
            .await
            .map_err(|err| ClientError::Auth {
                message: format!("token endpoint {token_url}: {err}"),
                correlation_id: Some(correlation_id.clone()),
            })?;
        let status = response.status();
        let body = self.read_body(response, self.max_body, &correlation_id).await?;
        if !status.is_success() {
            let detail =
                normalise_error(status.as_u16(), status.canonical_reason().unwrap_or(""), &body);
            return Err(ClientError::Auth {
                message: format!("the token endpoint refused the client: {}", detail.message),
                correlation_id: Some(correlation_id),
            });
        }
        let parsed: Value = serde_json::from_slice(&body).map_err(|err| ClientError::Auth {
            message: format!("the token endpoint's answer is not JSON: {err}"),
            correlation_id: Some(correlation_id.clone()),
        })?;
        let value = parsed.get("access_token").and_then(Value::as_str).ok_or_else(|| {
            ClientError::Auth {
                message: "the token endpoint's answer has no access_token".into(),
                correlation_id: Some(correlation_id.clone()),
            }
        })?;
        *cached = Some(CachedToken {
            value: value.to_owned(),
            refresh_at: refresh_at(Instant::now(), token_lifetime(&parsed)),
        });
        Ok(value.to_owned())
    }

    async fn forget_token(&self) {
        *self.token.lock().await = None;
    }

    // ---- the request pipeline ----------------------------------------------------------------

    /// The body, read chunk by chunk and given up as soon as it passes `limit` (a body that
    /// announces more is not read at all).
    async fn read_body(
        &self,
        mut response: reqwest::Response,
        limit: usize,
        correlation_id: &str,
    ) -> Result<Vec<u8>, ClientError> {
        let too_large =
            || ClientError::TooLarge { limit, correlation_id: correlation_id.to_owned() };
        if response
            .content_length()
            .is_some_and(|len| usize::try_from(len).map_or(true, |len| len > limit))
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len().saturating_add(chunk.len()) > limit {
                        return Err(too_large());
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => return Ok(body),
                Err(err) => return Err(self.transport_error(&err, "", correlation_id)),
            }
        }
    }

    fn transport_error(
        &self,
        err: &reqwest::Error,
        url: &str,
        correlation_id: &str,
    ) -> ClientError {
        let correlation_id = correlation_id.to_owned();
        if err.is_timeout() {
            ClientError::Timeout { after: self.timeout, correlation_id }
        } else if err.is_connect() {
            let mut detail = err.to_string();
            let mut source = std::error::Error::source(err);
            while let Some(cause) = source {
                detail = format!("{detail}: {cause}");
                source = cause.source();
            }
            ClientError::Unreachable { url: url.to_owned(), detail, correlation_id }
        } else {
            let mut detail = err.to_string();
            if let Some(cause) = std::error::Error::source(err) {
                detail = format!("{detail}: {cause}");
            }
            ClientError::NoAnswer { detail, correlation_id }
        }
    }

    /// One attempt; an answer body longer than `limit` is given up.
    async fn attempt(
        &self,
        method: &Method,
        url: &Url,
        body: Option<(&'static str, &[u8])>,
        extra: &[(&'static str, &str)],
        limit: usize,
        correlation_id: &str,
    ) -> Result<Answer, ClientError> {
        let mut headers = HeaderMap::new();
        for (name, value) in &self.profile.headers {
            if let (Ok(n), Ok(v)) =
                (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value))
            {
                headers.insert(n, v);
            }
        }
        headers.insert(reqwest::header::ACCEPT, HeaderValue::from_static("application/json"));
        self.auth_headers(&mut headers).await?;
        let mut request = self.http.request(method.clone(), url.clone()).headers(headers);
        request = request.header("X-Correlation-ID", correlation_id);
        for (name, value) in extra {
            request = request.header(*name, *value);
        }
        if let Some((content_type, bytes)) = body {
            request = request.header(CONTENT_TYPE, content_type).body(bytes.to_vec());
        }
        let started = Instant::now();
        let response = request
            .send()
            .await
            .map_err(|err| self.transport_error(&err, url.as_str(), correlation_id))?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = self.read_body(response, limit, correlation_id).await?;
        tracing::debug!(
            %method, url = %url, status = status.as_u16(), correlation_id,
            bytes = bytes.len(), ms = started.elapsed().as_millis() as u64, "tmf request"
        );
        read_answer(status, headers, &bytes, correlation_id)
    }

    /// A request with retries where they are safe. One correlation id for all attempts, so
    /// the server's log shows them as one operation.
    async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<(&'static str, Vec<u8>)>,
        extra: &[(&'static str, &str)],
        safety: Safety,
    ) -> Result<Answer, ClientError> {
        self.send_limited(method, url, body, extra, safety, self.max_body).await
    }

    /// [`Client::send`] with the answer's size limit.
    async fn send_limited(
        &self,
        method: Method,
        url: Url,
        body: Option<(&'static str, Vec<u8>)>,
        extra: &[(&'static str, &str)],
        safety: Safety,
        limit: usize,
    ) -> Result<Answer, ClientError> {
        let correlation_id = new_correlation_id();
        let mut attempt = 1u32;
        let mut refreshed_auth = false;
        loop {
            let result = self
                .attempt(
                    &method,
                    &url,
                    body.as_ref().map(|(t, b)| (*t, b.as_slice())),
                    extra,
                    limit,
                    &correlation_id,
                )
                .await;
            let err = match result {
                Ok(answer) => return Ok(answer),
                Err(err) => err,
            };
            // An OAuth2 token the server no longer accepts: fetch a new one once.
            if err.status() == Some(401)
                && matches!(self.profile.auth, AuthConfig::OAuth2 { .. })
                && !refreshed_auth
            {
                refreshed_auth = true;
                self.forget_token().await;
                continue;
            }
            let wait = match (&err, safety) {
                (ClientError::Server { status: 429 | 503, retry_after, .. }, _) => {
                    match retry_after {
                        Some(after) if *after > self.retry.max_retry_after => return Err(err),
                        Some(after) => Some(*after),
                        None => Some(self.retry.backoff(attempt)),
                    }
                }
                (ClientError::Unreachable { .. }, _) => Some(self.retry.backoff(attempt)),
                (e, Safety::Idempotent) if e.is_transient() && e.status() != Some(401) => {
                    Some(self.retry.backoff(attempt))
                }
                _ => None,
            };
            match wait {
                Some(delay) if attempt < self.retry.max_attempts => {
                    tracing::info!(
                        correlation_id, attempt, delay_ms = delay.as_millis() as u64,
                        error = %err, "retrying"
                    );
                    tokio::time::sleep(delay).await;
                    attempt = attempt.saturating_add(1);
                }
                _ => return Err(err),
            }
        }
    }

    async fn get_json(&self, url: Url) -> Result<Value, ClientError> {
        Ok(self.send(Method::GET, url, None, &[], Safety::Idempotent).await?.body)
    }

    /// The answer's object, which must be resource `id` when it names one.
    fn expect_resource(answer: Answer, id: &str) -> Result<Value, ClientError> {
        match resource_id(&answer.body) {
            Some(found) if found != id => Err(ClientError::Malformed {
                status: answer.status.as_u16(),
                detail: format!("asked for {id:?}, the server answered with {found:?}"),
                correlation_id: answer.correlation_id,
            }),
            _ => Self::expect_object(answer),
        }
    }

    fn expect_object(answer: Answer) -> Result<Value, ClientError> {
        if answer.body.is_object() {
            Ok(answer.body)
        } else {
            Err(ClientError::Malformed {
                status: answer.status.as_u16(),
                detail: format!("expected a JSON object, got {}", kind_of(&answer.body)),
                correlation_id: answer.correlation_id,
            })
        }
    }

    // ---- version ---------------------------------------------------------------------------

    /// The TMF622 version to speak: fixed by the profile, remembered, read from the URL, or
    /// detected from an order the server returns. Remember the result in
    /// [`Profile::detected_version`] so detection happens once.
    pub async fn version(&self) -> Result<Version, ClientError> {
        if let Some(v) = self.known_version() {
            return Ok(v);
        }
        let mut url = self.order_url(&["productOrder"])?;
        url.query_pairs_mut().append_pair("limit", "1");
        let body = self.get_json(url).await?;
        let detected = body
            .as_array()
            .and_then(|list| list.first())
            .and_then(orderdesk_wire::detect_version)
            .ok_or_else(|| {
                ClientError::Config(format!(
                    "cannot tell whether {} speaks TMF622 v4 or v5 (no version in the URL and no \
                     order to look at); set the profile's version",
                    self.profile.order_url
                ))
            })?;
        *lock(&self.version) = Some(detected);
        Ok(detected)
    }

    // ---- productOrder ----------------------------------------------------------------------

    /// `POST productOrder`. With an idempotency key the server can recognise a resend; the
    /// key is not retried here on an unknown outcome: the caller must look the order up first.
    pub async fn create_order(
        &self,
        order: &Value,
        idempotency_key: Option<&str>,
    ) -> Result<Value, ClientError> {
        let url = self.order_url(&["productOrder"])?;
        let body = serde_json::to_vec(order)
            .map_err(|err| ClientError::Config(format!("cannot encode the order: {err}")))?;
        let extra: Vec<(&'static str, &str)> =
            idempotency_key.map(|k| vec![("Idempotency-Key", k)]).unwrap_or_default();
        let answer = self
            .send(Method::POST, url, Some(("application/json", body)), &extra, Safety::Unsafe)
            .await?;
        Self::expect_object(answer)
    }

    /// `GET productOrder/{id}`. An answer that is another order (its `id` is not `id`) is
    /// refused: what is adopted as order `id` must be it.
    pub async fn get_order(&self, id: &str) -> Result<Value, ClientError> {
        let answer = self
            .send(
                Method::GET,
                self.order_url(&["productOrder", id])?,
                None,
                &[],
                Safety::Idempotent,
            )
            .await?;
        Self::expect_resource(answer, id)
    }

    /// `DELETE productOrder/{id}`.
    pub async fn delete_order(&self, id: &str) -> Result<(), ClientError> {
        self.send(
            Method::DELETE,
            self.order_url(&["productOrder", id])?,
            None,
            &[],
            Safety::Unsafe,
        )
        .await?;
        Ok(())
    }

    /// `PATCH productOrder/{id}` with a JSON merge patch (RFC 7396), in the form the server
    /// takes: `application/merge-patch+json` first; a server that refuses that media type
    /// (415, or 400 naming the content type) gets the same change as a JSON Patch (RFC 6902,
    /// `application/json-patch+json`, see [`json_patch_of`]); one that refuses both, or
    /// silently ignores a merge patch, gets it as plain `application/json`. The form that
    /// worked is kept for the next patch.
    pub async fn patch_order(&self, id: &str, patch: &Value) -> Result<Value, ClientError> {
        let url = self.order_url(&["productOrder", id])?;
        let merge_body = serde_json::to_vec(patch)
            .map_err(|err| ClientError::Config(format!("cannot encode the patch: {err}")))?;
        let mut form = PatchForm::from_u8(self.patch_form.load(Ordering::Relaxed));
        if form == PatchForm::Merge {
            let result = self
                .send(
                    Method::PATCH,
                    url.clone(),
                    Some(("application/merge-patch+json", merge_body.clone())),
                    &[],
                    Safety::Unsafe,
                )
                .await;
            match result {
                Ok(answer) if patch_applied(patch, &answer.body) => {
                    return Self::expect_object(answer);
                }
                Ok(_) => {
                    tracing::info!(profile = %self.profile.name, "merge-patch ignored; using application/json");
                    form = PatchForm::Plain;
                }
                Err(err) if refuses_content_type(&err) => {
                    tracing::info!(profile = %self.profile.name, "merge-patch refused; trying JSON Patch");
                    form = PatchForm::JsonPatch;
                }
                Err(err) => return Err(err),
            }
            self.patch_form.store(form as u8, Ordering::Relaxed);
        }
        if form == PatchForm::JsonPatch {
            // Removing a member, or merging into an object, needs the order as it is now.
            let needs_current =
                patch.as_object().is_some_and(|p| p.values().any(|v| v.is_null() || v.is_object()));
            let current = if needs_current { self.get_order(id).await? } else { Value::Null };
            let ops = json_patch_of(patch, &current);
            let body = serde_json::to_vec(&ops)
                .map_err(|err| ClientError::Config(format!("cannot encode the patch: {err}")))?;
            let result = self
                .send(
                    Method::PATCH,
                    url.clone(),
                    Some(("application/json-patch+json", body)),
                    &[],
                    Safety::Unsafe,
                )
                .await;
            match result {
                Ok(answer) => return Self::expect_object(answer),
                Err(err) if refuses_content_type(&err) => {
                    tracing::info!(profile = %self.profile.name, "JSON Patch refused; using application/json");
                    self.patch_form.store(PatchForm::Plain as u8, Ordering::Relaxed);
                }
                Err(err) => return Err(err),
            }
        }
        let answer = self
            .send(Method::PATCH, url, Some(("application/json", merge_body)), &[], Safety::Unsafe)
            .await?;
        Self::expect_object(answer)
    }

    /// Every order matching `filter` (attribute filters, e.g. `state=completed`), page by page.
    pub async fn list_orders(&self, filter: &[(&str, &str)]) -> Result<Vec<Value>, ClientError> {
        let mut all = Vec::new();
        self.for_each_page(self.order_url(&["productOrder"])?, filter, |page| {
            all.extend(page);
            Ok(())
        })
        .await?;
        Ok(all)
    }

    /// Pages through `productOrder`, handing each page to `sink` as it arrives.
    pub async fn for_each_order_page<F>(
        &self,
        filter: &[(&str, &str)],
        sink: F,
    ) -> Result<ListStats, ClientError>
    where
        F: FnMut(Vec<Value>) -> Result<(), ClientError>,
    {
        self.for_each_page(self.order_url(&["productOrder"])?, filter, sink).await
    }

    /// Orders that carry `external_id` (v4 string or v5 identifier), filtered by the server
    /// and checked again here, since some servers ignore unknown filters.
    pub async fn find_orders_by_external_id(
        &self,
        external_id: &str,
    ) -> Result<Vec<Value>, ClientError> {
        let key = external_id_filter(self.version().await?);
        let found = self.list_orders(&[(key, external_id)]).await?;
        Ok(found.into_iter().filter(|o| carries_external_id(o, external_id)).collect())
    }

    // ---- cancelProductOrder -----------------------------------------------------------------

    /// `POST cancelProductOrder`.
    pub async fn create_cancel(
        &self,
        cancel: &Value,
        idempotency_key: Option<&str>,
    ) -> Result<Value, ClientError> {
        let url = self.order_url(&["cancelProductOrder"])?;
        let body = serde_json::to_vec(cancel)
            .map_err(|err| ClientError::Config(format!("cannot encode the request: {err}")))?;
        let extra: Vec<(&'static str, &str)> =
            idempotency_key.map(|k| vec![("Idempotency-Key", k)]).unwrap_or_default();
        let answer = self
            .send(Method::POST, url, Some(("application/json", body)), &extra, Safety::Unsafe)
            .await?;
        Self::expect_object(answer)
    }

    /// `GET cancelProductOrder/{id}`, refused when the answer is another task.
    pub async fn get_cancel(&self, id: &str) -> Result<Value, ClientError> {
        let answer = self
            .send(
                Method::GET,
                self.order_url(&["cancelProductOrder", id])?,
                None,
                &[],
                Safety::Idempotent,
            )
            .await?;
        Self::expect_resource(answer, id)
    }

    /// Every cancellation request matching `filter`.
    pub async fn list_cancels(&self, filter: &[(&str, &str)]) -> Result<Vec<Value>, ClientError> {
        let mut all = Vec::new();
        self.for_each_page(self.order_url(&["cancelProductOrder"])?, filter, |page| {
            all.extend(page);
            Ok(())
        })
        .await?;
        Ok(all)
    }

    // ---- hub -------------------------------------------------------------------------------

    /// Registers `callback` for order events (`POST hub`); returns the listener's id.
    pub async fn register_hub(
        &self,
        callback: &str,
        query: Option<&str>,
    ) -> Result<String, ClientError> {
        let mut body = serde_json::Map::new();
        body.insert("callback".into(), Value::String(callback.to_owned()));
        if let Some(q) = query {
            body.insert("query".into(), Value::String(q.to_owned()));
        }
        let bytes = serde_json::to_vec(&body)
            .map_err(|err| ClientError::Config(format!("cannot encode the listener: {err}")))?;
        let answer = self
            .send(
                Method::POST,
                self.order_url(&["hub"])?,
                Some(("application/json", bytes)),
                &[],
                Safety::Unsafe,
            )
            .await?;
        resource_id(&answer.body).ok_or_else(|| ClientError::Malformed {
            status: answer.status.as_u16(),
            detail: "the hub listener has no id".into(),
            correlation_id: answer.correlation_id.clone(),
        })
    }

    /// `DELETE hub/{id}`.
    pub async fn unregister_hub(&self, id: &str) -> Result<(), ClientError> {
        self.send(Method::DELETE, self.order_url(&["hub", id])?, None, &[], Safety::Idempotent)
            .await?;
        Ok(())
    }

    // ---- TMF629, TMF637 --------------------------------------------------------------------

    /// A URL under the root of a TMF API beside the order API: the profile's own root for it
    /// (`own`) when it names one, else the order root with its `productOrderingManagement`
    /// segment replaced by `api` (the version segment kept). Never an `href` a server sent:
    /// servers behind proxies write hrefs with the wrong scheme or host.
    fn sibling_url(
        &self,
        own: Option<&str>,
        api: &str,
        segments: &[&str],
    ) -> Result<Url, ClientError> {
        if let Some(root) = own {
            return self.url(root, segments);
        }
        let root = &self.profile.order_url;
        let mut url = Url::parse(root)
            .map_err(|err| ClientError::Config(format!("{root:?} is not a URL: {err}")))?;
        let mut found = false;
        let path: Vec<String> = url
            .path_segments()
            .into_iter()
            .flatten()
            .map(|seg| {
                found |= seg == ORDER_API;
                if seg == ORDER_API { api } else { seg }.to_owned()
            })
            .collect();
        if !found {
            return Err(ClientError::Config(format!(
                "profile {:?}: the {api} root cannot be derived from {root:?} (no {ORDER_API} \
                 segment; set it with --customer-url / --inventory-url)",
                self.profile.name
            )));
        }
        url.set_path(&path.join("/"));
        self.url(url.as_str(), segments)
    }

    fn customer_url(&self, segments: &[&str]) -> Result<Url, ClientError> {
        self.sibling_url(self.profile.customer_url.as_deref(), CUSTOMER_API, segments)
    }

    fn inventory_url(&self, segments: &[&str]) -> Result<Url, ClientError> {
        self.sibling_url(self.profile.inventory_url.as_deref(), INVENTORY_API, segments)
    }

    /// Every customer matching `filter` (TMF629 attribute filters, e.g. `name=Ada Lovelace`),
    /// page by page. `X-Total-Count` never ends this list (servers count without the filter,
    /// or count the page): only an empty page does.
    pub async fn list_customers(&self, filter: &[(&str, &str)]) -> Result<Vec<Value>, ClientError> {
        let mut all = Vec::new();
        self.page_through(self.customer_url(&["customer"])?, filter, TotalCount::Ignore, |page| {
            all.extend(page);
            Ok(())
        })
        .await?;
        Ok(all)
    }

    /// `POST customer` (TMF629): creates a customer from `body`, a `Customer_Create` (v4) or
    /// `Customer_FVO` (v5) the caller made in the server's version. `idempotency_key` is sent
    /// as `Idempotency-Key`: a caller that resends after an unknown outcome with the same key
    /// gets the first creation back from a server that honours it, not a second customer.
    /// Retried here only while the request certainly did not reach the server, as every
    /// create is. A server that answers 404, 405 or 501 does not allow creating customers
    /// ([`ClientError::NotSupported`]).
    pub async fn create_customer(
        &self,
        body: &Value,
        idempotency_key: &str,
    ) -> Result<Value, ClientError> {
        let url = self.customer_url(&["customer"])?;
        let body = serde_json::to_vec(body)
            .map_err(|err| ClientError::Config(format!("cannot encode the customer: {err}")))?;
        let extra = [("Idempotency-Key", idempotency_key)];
        let answer = self
            .send(Method::POST, url, Some(("application/json", body)), &extra, Safety::Unsafe)
            .await
            .map_err(|err| match err {
                ClientError::Server {
                    status: status @ (404 | 405 | 501), correlation_id, ..
                } => ClientError::NotSupported {
                    operation: "creating customers",
                    status,
                    correlation_id,
                },
                other => other,
            })?;
        Self::expect_object(answer)
    }

    /// Every customer, or with `updated_after` (a `lastUpdate` as a server wrote it) those
    /// changed after it (`lastUpdate.gt`). Entries without an id are left out.
    pub async fn customers_since(
        &self,
        updated_after: Option<&str>,
    ) -> Result<Vec<Value>, ClientError> {
        let filter: Vec<(&str, &str)> =
            updated_after.map(|at| vec![("lastUpdate.gt", at)]).unwrap_or_default();
        let mut all = self.list_customers(&filter).await?;
        all.retain(|c| resource_id(c).is_some());
        Ok(all)
    }

    /// One customer (TMF629).
    pub async fn get_customer(&self, id: &str) -> Result<Value, ClientError> {
        let url = self.customer_url(&["customer", id])?;
        let answer = self.send(Method::GET, url, None, &[], Safety::Idempotent).await?;
        Self::expect_object(answer)
    }

    /// Every installed product of a customer (TMF637), asked with the filter of the server's
    /// version and checked again here, since some servers ignore unknown filters.
    ///
    /// Some servers compare a filter value that looks like a number as a number and find
    /// nothing for a text id until it is quoted (`relatedParty.id="1001"`): when a numeric
    /// id finds nothing, it is asked once more quoted. What either answer holds is kept only
    /// when it names the customer, so a server that takes the quotes literally, or ignores
    /// the filter, still gives exactly the customer's products.
    pub async fn list_customer_products(&self, customer: &str) -> Result<Vec<Value>, ClientError> {
        let key = orderdesk_wire::inventory::customer_products_filter(self.version().await?);
        let found = self.customer_products_by(key, customer, customer).await?;
        if !found.is_empty() || !looks_numeric(customer) {
            return Ok(found);
        }
        self.customer_products_by(key, &format!("\"{customer}\""), customer).await
    }

    async fn customer_products_by(
        &self,
        key: &str,
        value: &str,
        customer: &str,
    ) -> Result<Vec<Value>, ClientError> {
        let mut all = Vec::new();
        self.page_through(
            self.inventory_url(&["product"])?,
            &[(key, value)],
            TotalCount::Ignore,
            |page| {
                all.extend(page.into_iter().filter(|p| {
                    orderdesk_wire::inventory::read_product(p)
                        .is_some_and(|p| p.customers.iter().any(|c| c == customer))
                }));
                Ok(())
            },
        )
        .await?;
        Ok(all)
    }

    /// One installed product (TMF637).
    pub async fn get_product(&self, id: &str) -> Result<Value, ClientError> {
        let url = self.inventory_url(&["product", id])?;
        let answer = self.send(Method::GET, url, None, &[], Safety::Idempotent).await?;
        Self::expect_object(answer)
    }

    // ---- TMF620 ----------------------------------------------------------------------------

    /// Every record of a catalog collection; with `updated_after`, only those whose
    /// `lastUpdate` is later (incremental sync).
    pub async fn list_catalog(
        &self,
        resource: CatalogResource,
        updated_after: Option<DateTime<Utc>>,
    ) -> Result<Vec<Value>, ClientError> {
        let since = updated_after.map(|at| at.to_rfc3339_opts(SecondsFormat::Millis, true));
        let filter: Vec<(&str, &str)> =
            since.as_deref().map(|s| vec![("lastUpdate.gt", s)]).unwrap_or_default();
        let mut all = Vec::new();
        self.for_each_page(self.catalog_url(&[resource.path()])?, &filter, |page| {
            all.extend(page);
            Ok(())
        })
        .await?;
        Ok(all)
    }

    /// One catalog record.
    pub async fn get_catalog(
        &self,
        resource: CatalogResource,
        id: &str,
    ) -> Result<Value, ClientError> {
        let answer = self
            .send(
                Method::GET,
                self.catalog_url(&[resource.path(), id])?,
                None,
                &[],
                Safety::Idempotent,
            )
            .await?;
        Self::expect_object(answer)
    }

    // ---- paging ----------------------------------------------------------------------------

    /// `offset`/`limit` paging until done, with or without `X-Total-Count`, on 200 or 206,
    /// whatever page size the server silently caps to: the next offset is always what was
    /// received so far, and without a total the list ends at the first empty page.
    ///
    /// A list is read whole or not at all: a page served twice (a server that ignores
    /// `offset`, or pages that go round in a cycle), more pages, bytes or time than
    /// [`ListLimits`] allow end it with [`ClientError::ListIncomplete`], never with a list
    /// silently cut short. What `sink` received before that stays received.
    async fn for_each_page<F>(
        &self,
        base: Url,
        filter: &[(&str, &str)],
        sink: F,
    ) -> Result<ListStats, ClientError>
    where
        F: FnMut(Vec<Value>) -> Result<(), ClientError>,
    {
        self.page_through(base, filter, TotalCount::EndsList, sink).await
    }

    /// [`Client::for_each_page`], with `X-Total-Count` ending the list or not.
    async fn page_through<F>(
        &self,
        base: Url,
        filter: &[(&str, &str)],
        total_count: TotalCount,
        mut sink: F,
    ) -> Result<ListStats, ClientError>
    where
        F: FnMut(Vec<Value>) -> Result<(), ClientError>,
    {
        let bounds = self.list_limits;
        let deadline = tokio::time::Instant::now().checked_add(bounds.max_duration);
        let mut stats = ListStats::default();
        let mut limit = usize::try_from(self.profile.page_size)
            .unwrap_or(limits::MAX_PAGE_SIZE)
            .clamp(1, limits::MAX_PAGE_SIZE);
        let mut pages_seen: HashSet<u64> = HashSet::new();
        let mut bytes = 0usize;
        loop {
            let incomplete = |reason: String, stats: &ListStats| ClientError::ListIncomplete {
                reason,
                items: stats.items,
            };
            if stats.pages >= bounds.max_pages {
                return Err(incomplete(
                    format!("the list did not end after {} pages", bounds.max_pages),
                    &stats,
                ));
            }
            let mut url = base.clone();
            {
                let mut query = url.query_pairs_mut();
                for (k, v) in filter {
                    query.append_pair(k, v);
                }
                query.append_pair("offset", &stats.items.to_string());
                query.append_pair("limit", &limit.to_string());
            }
            // The last page may use what the whole list has left.
            let left = bounds.max_bytes.saturating_sub(bytes);
            let page_limit = bounds.max_page_bytes.min(left);
            let request =
                self.send_limited(Method::GET, url, None, &[], Safety::Idempotent, page_limit);
            let result = match deadline {
                Some(deadline) => {
                    tokio::time::timeout_at(deadline, request).await.map_err(|_| {
                        incomplete(
                            format!(
                                "reading it took longer than {}s",
                                bounds.max_duration.as_secs()
                            ),
                            &stats,
                        )
                    })?
                }
                None => request.await,
            };
            let answer = match result {
                Err(ClientError::TooLarge { .. }) if page_limit < bounds.max_page_bytes => {
                    return Err(incomplete(
                        format!("it is larger than {} bytes", bounds.max_bytes),
                        &stats,
                    ));
                }
                other => other?,
            };
            bytes = bytes.saturating_add(answer.bytes);
            let total = header_count(&answer.headers, "x-total-count");
            let status = answer.status.as_u16();
            let correlation_id = answer.correlation_id;
            let items = match answer.body {
                Value::Array(items) => items,
                Value::Null => Vec::new(),
                other => {
                    return Err(ClientError::Malformed {
                        status,
                        detail: format!(
                            "a list answer must be a JSON array, got {}",
                            kind_of(&other)
                        ),
                        correlation_id,
                    })
                }
            };
            if total.is_some() {
                stats.total_reported = total;
            }
            let received = items.len();
            if received == 0 {
                break;
            }
            if !pages_seen.insert(page_fingerprint(&items)) {
                return Err(incomplete(
                    "the server served the same page twice (it ignores `offset`, or its pages \
                     go round in a cycle)"
                        .to_owned(),
                    &stats,
                ));
            }
            sink(items)?;
            stats.items = stats.items.saturating_add(received);
            stats.pages = stats.pages.saturating_add(1);
            if total_count == TotalCount::EndsList && total.is_some_and(|t| stats.items >= t) {
                break;
            }
            // A short page is either the end or the server's own cap: ask for that size from
            // now on; an empty page (or the total) then ends the list.
            limit = limit.min(received);
        }
        Ok(stats)
    }
}

/// Whether a list's `X-Total-Count` may end it. Order and catalog servers count what the
/// list holds; customer and inventory servers are known to count the whole collection
/// whatever the filter, or only the page, so their lists end at an empty page alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TotalCount {
    EndsList,
    Ignore,
}

/// Whether a filter value may be read as a number by a server (digits, maybe signed or with
/// a decimal point).
fn looks_numeric(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && digits.bytes().any(|b| b.is_ascii_digit())
}

/// What identifies a page: the ids of its entries in order (an entry without an id by its
/// whole text). Two pages with the same fingerprint are the same page served again.
fn page_fingerprint(items: &[Value]) -> u64 {
    let mut hasher = DefaultHasher::new();
    for item in items {
        match resource_id(item) {
            Some(id) => id.hash(&mut hasher),
            None => item.to_string().hash(&mut hasher),
        }
    }
    hasher.finish()
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The forms a PATCH of an order is sent in, in the order they are tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum PatchForm {
    /// `application/merge-patch+json`.
    Merge = 0,
    /// `application/json-patch+json`, made from the merge patch.
    JsonPatch = 1,
    /// The merge patch as `application/json`.
    Plain = 2,
}

impl PatchForm {
    fn from_u8(n: u8) -> PatchForm {
        match n {
            1 => PatchForm::JsonPatch,
            2 => PatchForm::Plain,
            _ => PatchForm::Merge,
        }
    }
}

/// The JSON Patch (RFC 6902) that makes the change a merge patch of an order makes, one
/// operation per top-level member: `add` (which replaces a member that exists) with the
/// member's value, merged into `current`'s when both are objects; `remove` for a `null` that
/// names a member `current` has (merge patch removes it; one it does not have is no change).
/// Arrays are replaced whole, as a merge patch replaces them. `current` is the order as the
/// server holds it; it is only read for `null` and object members.
fn json_patch_of(patch: &Value, current: &Value) -> Value {
    let Some(members) = patch.as_object() else { return Value::Array(Vec::new()) };
    let mut ops = Vec::new();
    for (key, value) in members {
        // RFC 6901: `~` and `/` are escaped in a pointer's reference tokens.
        let path = format!("/{}", key.replace('~', "~0").replace('/', "~1"));
        let now = current.get(key);
        match value {
            Value::Null if now.is_some() => {
                ops.push(serde_json::json!({"op": "remove", "path": path}));
            }
            Value::Null => {}
            Value::Object(_) => {
                let mut merged = match now {
                    Some(v @ Value::Object(_)) => v.clone(),
                    _ => Value::Object(serde_json::Map::new()),
                };
                json_merge(&mut merged, value);
                ops.push(serde_json::json!({"op": "add", "path": path, "value": merged}));
            }
            other => ops.push(serde_json::json!({"op": "add", "path": path, "value": other})),
        }
    }
    Value::Array(ops)
}

/// RFC 7396 applied to `target`. Recurses along the patch, which this client built (an
/// amendment's members are values the agent set), never along a server's document.
fn json_merge(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(serde_json::Map::new());
    }
    if let Value::Object(t) = target {
        for (k, v) in p {
            if v.is_null() {
                t.remove(k);
            } else {
                json_merge(t.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    }
}

/// A refusal of the merge-patch content type itself.
fn refuses_content_type(err: &ClientError) -> bool {
    match err {
        ClientError::Server { status: 415, .. } => true,
        ClientError::Server { status: 400, message, .. } => {
            let m = message.to_ascii_lowercase();
            m.contains("content-type") || m.contains("content type") || m.contains("media type")
        }
        _ => false,
    }
}

/// Did the answer take the patch's top-level scalar members? (Objects and arrays are not
/// compared: servers legitimately enrich them.)
fn patch_applied(patch: &Value, answer: &Value) -> bool {
    let (Some(patch), Some(answer)) = (patch.as_object(), answer.as_object()) else {
        return true;
    };
    patch.iter().all(|(key, value)| match value {
        Value::Object(_) | Value::Array(_) => true,
        Value::Null => !answer.contains_key(key) || answer.get(key) == Some(&Value::Null),
        scalar => answer.get(key) == Some(scalar),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn correlation_ids_match_the_tmf_pattern() {
        let id = new_correlation_id();
        assert!((16..=64).contains(&id.len()));
        assert!(id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-+/=_".contains(&b)));
        assert_ne!(id, new_correlation_id());
    }

    #[test]
    fn missing_state_is_not_invented() {
        assert_eq!(order_state(&json!({"state": "acknowledged"})), Some("acknowledged"));
        assert_eq!(order_state(&json!({"id": "1"})), None);
        assert_eq!(order_state(&json!({"state": ""})), None);
    }

    #[test]
    fn json_patch_of_a_merge_patch() {
        let current = json!({"note": [{"text": "a"}], "x": {"a": 1, "b": 2}, "gone": 1});
        let patch = json!({"note": [{"text": "b"}], "x": {"b": null, "c": 3}, "gone": null,
                           "absent": null, "a/b": "s"});
        let ops = json_patch_of(&patch, &current);
        let mut after = current.clone();
        let parsed: Vec<serde_json::Value> = ops.as_array().cloned().unwrap_or_default();
        assert_eq!(parsed.len(), 4, "{ops}");
        assert!(parsed.iter().any(|op| op["path"] == "/a~1b" && op["op"] == "add"));
        json_merge(&mut after, &patch);
        assert_eq!(after, json!({"note": [{"text": "b"}], "x": {"a": 1, "c": 3}, "a/b": "s"}));
        assert!(parsed.iter().any(|op| op["path"] == "/x" && op.get("value") == after.get("x")));
        assert!(parsed.iter().any(|op| op["path"] == "/gone" && op["op"] == "remove"));
    }

    #[test]
    fn patch_applied_compares_scalars_only() {
        assert!(patch_applied(&json!({"description": "x"}), &json!({"description": "x"})));
        assert!(!patch_applied(&json!({"description": "x"}), &json!({"description": "y"})));
        assert!(patch_applied(&json!({"note": [1]}), &json!({})));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(5),
        };
        assert!(policy.backoff(1) >= Duration::from_millis(100));
        assert!(policy.backoff(1) <= Duration::from_millis(150));
        assert!(policy.backoff(3) >= Duration::from_millis(400));
        assert!(policy.backoff(30) <= Duration::from_secs(1));
    }

    #[test]
    fn numeric_looking_filter_values() {
        for yes in ["1001", "-3", "+4.5", "007"] {
            assert!(looks_numeric(yes), "{yes}");
        }
        for no in ["", "C-1001", "1e5", ".", "+", "12 3"] {
            assert!(!looks_numeric(no), "{no}");
        }
    }

    #[test]
    fn form_encoding() {
        assert_eq!(form_encode("a b&c=d/é"), "a+b%26c%3Dd%2F%C3%A9");
    }

    #[test]
    fn retry_after_forms() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("3"));
        assert_eq!(parse_retry_after(&h), Some(Duration::from_secs(3)));
        h.insert("retry-after", HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"));
        assert_eq!(parse_retry_after(&h), Some(Duration::ZERO));
        h.insert("retry-after", HeaderValue::from_static("soon"));
        assert_eq!(parse_retry_after(&h), None);
    }
}
