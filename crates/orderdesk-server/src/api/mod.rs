//! HTTP routes: TMF622 (`productOrder`, `cancelProductOrder`, `hub`) and TMF620
//! (`productOffering`, `productOfferingPrice`, `productSpecification`, `category`) under
//! both `/v4/` and `/v5/`, the OAuth2 token endpoint, and the middleware stack
//! (request timeout → app-only guard → faults → auth → body budget → TMF errors →
//! idempotency → handler).
//!
//! Every error is a TMF `Error` body, including what axum's extractors refuse (a body over
//! the limit is `413 body.tooLarge`); a request that takes longer than the request timeout
//! (a slow upload included) is `408 request.timeout`.
//!
//! This module holds the router, the helpers every resource shares (version and JSON parsing,
//! list responses, `201 Created`, field selection) and the idempotency middleware; each
//! resource's handlers have a module: `orders` (TMF622 `productOrder`, incl. patch and
//! delete), `cancel` (`cancelProductOrder`), `hub` (event listeners), `catalog` (TMF620),
//! `inventory` (TMF629 `customer`, TMF637 `product`).

mod cancel;
mod catalog;
mod hub;
mod inventory;
mod orders;

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use orderdesk_wire::Version;
use serde_json::Value;

use crate::error::ApiError;
use crate::limits::MAX_IDEMPOTENCY_KEY_CHARS;
use crate::query::{project, ListQuery, Page};
use crate::state::AppState;
use crate::store::StoredResponse;
use crate::{auth, fault, guard};
use cancel::{create_cancel, get_cancel, list_cancels};
use catalog::{get_catalog, list_catalog};
use hub::{create_listener, delete_listener, get_listener};
use inventory::{
    create_customer, get_customer, get_product, list_customers, list_products, CUSTOMER_API,
    INVENTORY_API,
};
use orders::{create_order, delete_order, get_order, list_orders, patch_order};

type Pairs = Query<Vec<(String, String)>>;

/// Builds the application router.
pub fn router(st: AppState) -> Router {
    let ordering = "/tmf-api/productOrderingManagement/{version}";
    let catalog = "/tmf-api/productCatalogManagement/{version}";
    Router::new()
        .route(&format!("{ordering}/productOrder"), post(create_order).get(list_orders))
        .route(
            &format!("{ordering}/productOrder/{{id}}"),
            get(get_order).patch(patch_order).delete(delete_order),
        )
        .route(&format!("{ordering}/cancelProductOrder"), post(create_cancel).get(list_cancels))
        .route(&format!("{ordering}/cancelProductOrder/{{id}}"), get(get_cancel))
        .route(&format!("{ordering}/hub"), post(create_listener))
        .route(&format!("{ordering}/hub/{{id}}"), get(get_listener).delete(delete_listener))
        .route(
            &format!("/tmf-api/{CUSTOMER_API}/{{version}}/customer"),
            post(create_customer).get(list_customers),
        )
        .route(&format!("/tmf-api/{CUSTOMER_API}/{{version}}/customer/{{id}}"), get(get_customer))
        .route(&format!("/tmf-api/{INVENTORY_API}/{{version}}/product"), get(list_products))
        .route(&format!("/tmf-api/{INVENTORY_API}/{{version}}/product/{{id}}"), get(get_product))
        .route(&format!("{catalog}/{{collection}}"), get(list_catalog))
        .route(&format!("{catalog}/{{collection}}/{{id}}"), get(get_catalog))
        .route(auth::TOKEN_PATH, post(auth::token))
        .fallback(|| async {
            ApiError::new(StatusCode::NOT_FOUND, "notFound", "Not Found", "no such resource path")
        })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "methodNotAllowed",
                "Method Not Allowed",
                "this resource does not support that HTTP method",
            )
        })
        .layer(middleware::from_fn_with_state(st.clone(), idempotency))
        .layer(middleware::from_fn(tmf_errors))
        .layer(middleware::from_fn_with_state(st.clone(), body_budget))
        .layer(middleware::from_fn_with_state(st.clone(), auth::middleware))
        .layer(middleware::from_fn_with_state(st.clone(), fault::middleware))
        .layer(middleware::from_fn_with_state(st.clone(), guard::middleware))
        .layer(middleware::from_fn_with_state(st.clone(), request_timeout))
        .layer(axum::extract::DefaultBodyLimit::max(st.config.limits.max_body_bytes))
        .with_state(st)
}

/// A request that is not answered within the request timeout (headers to answer, the body's
/// upload included) is answered `408` and its work dropped.
async fn request_timeout(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let limit = st.config.limits.request_timeout;
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "request.timeout",
            "Request Timeout",
            format!("the request took longer than {} s", limit.as_secs_f64()),
        )
        .with_header("connection", "close")
        .into_response(),
    }
}

/// A request with a body takes room for it among the bodies in flight before it is read: its
/// `Content-Length`, or the body limit when it does not say. It waits while there is no room
/// (the request timeout ends the wait with a `408`); a length over the body limit is refused
/// at once.
async fn body_budget(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let limit = st.config.limits.max_body_bytes;
    let headers = req.headers();
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .map(|v| v.to_str().ok().and_then(|v| v.trim().parse::<u64>().ok()));
    let bytes = match declared {
        Some(Some(0)) => return next.run(req).await,
        Some(Some(n)) => match usize::try_from(n) {
            Ok(n) if n <= limit => n,
            _ => return body_too_large(limit).into_response(),
        },
        Some(None) => {
            return ApiError::bad_request("body.length", "Content-Length is not a number")
                .into_response()
        }
        None if headers.contains_key(header::TRANSFER_ENCODING) => limit,
        None => return next.run(req).await,
    };
    let kib = u32::try_from(bytes.div_ceil(1024)).unwrap_or(u32::MAX);
    let Ok(_room) = Arc::clone(&st.body_budget).acquire_many_owned(kib).await else {
        return ApiError::internal("the body budget is closed").into_response();
    };
    next.run(req).await
}

fn body_too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body.tooLarge",
        "Payload Too Large",
        format!("the request body is larger than {limit} bytes"),
    )
}

/// The code of an error axum answered itself (an extractor's rejection), by status.
fn rejection_code(status: StatusCode) -> String {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => "body.tooLarge".into(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "request.mediaType".into(),
        StatusCode::NOT_FOUND => "notFound".into(),
        StatusCode::METHOD_NOT_ALLOWED => "methodNotAllowed".into(),
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => "request.invalid".into(),
        other => format!("http.{}", other.as_u16()),
    }
}

/// Error answers that are not JSON (axum's extractors answer in plain text) become TMF
/// `Error` bodies with the same status, the text as the message.
async fn tmf_errors(req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|c| c.to_str().ok())
        .is_some_and(guard::is_json);
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return resp;
    }
    // Rejection texts are short; a longer body is not read beyond this.
    const TEXT_LIMIT: usize = 4 * 1024;
    let text = match axum::body::to_bytes(resp.into_body(), TEXT_LIMIT).await {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(_) => String::new(),
    };
    let message = if text.trim().is_empty() {
        status.canonical_reason().unwrap_or("error").to_owned()
    } else {
        text.trim().to_owned()
    };
    let reason = status.canonical_reason().unwrap_or("Error");
    ApiError::new(status, rejection_code(status), reason, message).into_response()
}

fn version(v: &str) -> Result<Version, ApiError> {
    Version::from_segment(v).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "notFound",
            "Not Found",
            format!("API version '{v}' is not served (use v4 or v5)"),
        )
    })
}

fn parse_json(body: &Bytes) -> Result<Value, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request("body.json", format!("the body is not valid JSON: {e}")))
}

fn list_response(page: Page) -> Response {
    let count = page.items.len();
    let mut resp = Json(Value::Array(page.items)).into_response();
    let h = resp.headers_mut();
    h.insert("x-total-count", HeaderValue::from(page.total));
    h.insert("x-result-count", HeaderValue::from(count));
    resp
}

fn with_fields(v: Value, q: &[(String, String)]) -> Result<Value, ApiError> {
    let lq = ListQuery::parse(q)?;
    Ok(match lq.fields {
        Some(f) => project(&v, &f),
        None => v,
    })
}

fn created(v: Value) -> Response {
    let location = v.get("href").and_then(Value::as_str).map(str::to_owned);
    let mut resp = (StatusCode::CREATED, Json(v)).into_response();
    if let Some(l) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        resp.headers_mut().insert(header::LOCATION, l);
    }
    resp
}

// ---------- idempotency ----------

/// A POST repeated with the same `Idempotency-Key` (same path) gets the first answer and
/// creates nothing new. Concurrent repeats wait for the first to finish.
async fn idempotency(State(st): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let Some(key) = req.headers().get("idempotency-key").map(|v| v.to_str().map(str::to_owned))
    else {
        return next.run(req).await;
    };
    let key = match key {
        Ok(k) if !k.is_empty() && k.chars().count() <= MAX_IDEMPOTENCY_KEY_CHARS => k,
        _ => {
            return ApiError::bad_request(
                "idempotency.key",
                format!(
                "Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY_CHARS} visible ASCII characters"
            ),
            )
            .into_response()
        }
    };
    let scope = format!("{} {}", req.uri().path(), key);
    let limit = st.config.limits.max_body_bytes;
    let (parts, body) = req.into_parts();
    let body = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b,
        Err(e) => return body_error(&e, limit).into_response(),
    };
    let fingerprint = request_fingerprint(&body);
    let req = Request::from_parts(parts, Body::from(body));
    let lock = KeyLock::take(&st, scope.clone());
    let _guard = lock.lock.lock().await;
    if let Some(stored) = st.store.idempotent(&scope) {
        if stored.request_hash.as_ref().is_some_and(|h| *h != fingerprint) {
            return ApiError::unprocessable(
                "idempotency.keyReused",
                format!("Idempotency-Key '{key}' was already used for a different request body"),
            )
            .into_response();
        }
        let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
        let mut resp = (status, Body::from(stored.body)).into_response();
        let h = resp.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        h.insert("idempotency-replayed", HeaderValue::from_static("true"));
        return resp;
    }
    let resp = next.run(req).await;
    if !resp.status().is_success() {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(e) => return ApiError::internal(format!("response body: {e}")).into_response(),
    };
    let stored = StoredResponse {
        status: parts.status.as_u16(),
        body: bytes.to_vec(),
        request_hash: Some(fingerprint),
    };
    if let Err(e) = st.store.remember(scope, stored).await {
        return ApiError::from(e).into_response();
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The answer to a body that could not be read: too large, or cut off.
fn body_error(e: &axum::Error, limit: usize) -> ApiError {
    let too_large =
        std::error::Error::source(e).is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
    if too_large {
        body_too_large(limit)
    } else {
        ApiError::bad_request("body.unreadable", format!("the request body could not be read: {e}"))
    }
}

/// An idempotency key's lock, shared by the requests using the key at the moment; the last
/// one to finish removes it from the map, so the map holds only keys in use.
struct KeyLock {
    st: AppState,
    scope: String,
    lock: Arc<tokio::sync::Mutex<()>>,
}

impl KeyLock {
    fn take(st: &AppState, scope: String) -> Self {
        let mut locks =
            st.idempotency_locks.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let lock = Arc::clone(locks.entry(scope.clone()).or_default());
        Self { st: st.clone(), scope, lock }
    }
}

impl Drop for KeyLock {
    fn drop(&mut self) {
        let mut locks =
            self.st.idempotency_locks.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // The map's and this one: nobody else waits for the key.
        if Arc::strong_count(&self.lock) <= 2 {
            locks.remove(&self.scope);
        }
    }
}

/// FNV-1a of the request's compact JSON (or of its bytes when it is not JSON), so a retry
/// that only re-indents the body still counts as the same request. Stable across builds,
/// unlike `std`'s hasher, because it is stored.
fn request_fingerprint(body: &[u8]) -> String {
    let canonical = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| serde_json::to_vec(&v).ok())
        .unwrap_or_else(|| body.to_vec());
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in canonical {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}
