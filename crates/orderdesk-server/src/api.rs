//! HTTP routes: TMF622 (`productOrder`, `cancelProductOrder`, `hub`) and TMF620
//! (`productOffering`, `productOfferingPrice`, `productSpecification`, `category`) under
//! both `/v4/` and `/v5/`, the OAuth2 token endpoint, and the middleware stack
//! (faults → auth → idempotency → handler).

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use crate::catalog::CatalogKind;
use crate::error::ApiError;
use crate::hub::{render, EventKind};
use crate::lifecycle::{self, now, FINAL_ORDER_STATES, PATCHABLE_STATES};
use crate::query::{project, ListQuery, Page};
use crate::schema::RequestKind;
use crate::shape::{self, Version};
use crate::state::AppState;
use crate::store::{Kind, StoredResponse};
use crate::validate;
use crate::{auth, fault};

type Pairs = Query<Vec<(String, String)>>;

/// Largest request body accepted (orders with hundreds of items fit easily).
const BODY_LIMIT: usize = 4 * 1024 * 1024;

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
        .layer(middleware::from_fn_with_state(st.clone(), auth::middleware))
        .layer(middleware::from_fn_with_state(st.clone(), fault::middleware))
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(st)
}

fn version(v: &str) -> Result<Version, ApiError> {
    Version::parse(v).ok_or_else(|| {
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
    let Some(key) =
        req.headers().get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_owned)
    else {
        return next.run(req).await;
    };
    let scope = format!("{} {}", req.uri().path(), key);
    let (parts, body) = req.into_parts();
    let body = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(b) => b,
        Err(e) => {
            return ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body.tooLarge",
                "Payload Too Large",
                format!("the request body could not be read: {e}"),
            )
            .into_response()
        }
    };
    let fingerprint = request_fingerprint(&body);
    let req = Request::from_parts(parts, Body::from(body));
    let lock = {
        let mut locks =
            st.idempotency_locks.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(locks.entry(scope.clone()).or_default())
    };
    let _guard = lock.lock().await;
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
    let bytes = match axum::body::to_bytes(body, BODY_LIMIT).await {
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

// ---------- productOrder ----------

fn set_initial_item_states(items: &mut Value) {
    if let Some(list) = items.as_array_mut() {
        for it in list {
            it["state"] = json!("acknowledged");
            if let Some(nested) = it.get_mut("productOrderItem") {
                set_initial_item_states(nested);
            }
        }
    }
}

fn fill_item_states(items: &mut Value, state: &str) {
    if let Some(list) = items.as_array_mut() {
        for it in list {
            if let Some(obj) = it.as_object_mut() {
                obj.entry("state").or_insert_with(|| json!(state));
            }
            if let Some(nested) = it.get_mut("productOrderItem") {
                fill_item_states(nested, state);
            }
        }
    }
}

/// Fields the server owns; a client may not set or change them.
const READ_ONLY: [&str; 7] =
    ["id", "href", "state", "orderDate", "creationDate", "completionDate", "cancellationDate"];

async fn create_order(
    State(st): State<AppState>,
    Path(v): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let ver = version(&v)?;
    let input = parse_json(&body)?;
    st.schemas.check(RequestKind::ProductOrder, ver, &input)?;
    let mut order = match ver {
        Version::V4 => input,
        Version::V5 => shape::order_v5_to_v4(input),
    };
    validate::check_order(&order, &st.catalog)?;
    let id = uuid::Uuid::new_v4().to_string();
    if let Some(obj) = order.as_object_mut() {
        for k in READ_ONLY {
            obj.remove(k);
        }
        let mut out = Map::new();
        out.insert("id".into(), json!(id));
        out.insert("state".into(), json!("acknowledged"));
        out.insert("orderDate".into(), json!(now()));
        out.insert("relatedParty".into(), json!([]));
        out.insert("@type".into(), json!("ProductOrder"));
        for (k, val) in std::mem::take(obj) {
            out.insert(k, val);
        }
        if let Some(items) = out.get_mut("productOrderItem") {
            set_initial_item_states(items);
        }
        *obj = out;
    }
    st.store.put(Kind::Order, id.clone(), order.clone()).await?;
    st.hub.publish(EventKind::OrderCreate, &order);
    lifecycle::simulate_order(st.clone(), id);
    Ok(created(render(&st.public_base, Kind::Order, &order, ver)))
}

async fn list_orders(
    State(st): State<AppState>,
    Path(v): Path<String>,
    Query(q): Pairs,
) -> Result<Response, ApiError> {
    let ver = version(&v)?;
    let lq = ListQuery::parse(&q)?;
    let items = st
        .store
        .all(Kind::Order)
        .into_iter()
        .map(|o| render(&st.public_base, Kind::Order, &o, ver));
    Ok(list_response(lq.apply(items)))
}

async fn get_order(
    State(st): State<AppState>,
    Path((v, id)): Path<(String, String)>,
    Query(q): Pairs,
) -> Result<Response, ApiError> {
    let ver = version(&v)?;
    let order =
        st.store.get(Kind::Order, &id).ok_or_else(|| ApiError::not_found("ProductOrder", &id))?;
    Ok(Json(with_fields(render(&st.public_base, Kind::Order, &order, ver), &q)?).into_response())
}

#[derive(Clone, Copy)]
enum PatchKind {
    Merge,
    JsonPatch,
}

fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(t) = target {
        for (k, v) in p {
            if v.is_null() {
                t.remove(k);
            } else {
                merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    }
}

async fn patch_order(
    State(st): State<AppState>,
    Path((v, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let ver = version(&v)?;
    let ctype = headers
        .get(header::CONTENT_TYPE)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.split(';').next())
        .map(|h| h.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let kind = match (ctype.as_str(), ver) {
        ("application/merge-patch+json" | "application/json", _) => PatchKind::Merge,
        ("application/json-patch+json", Version::V5) => PatchKind::JsonPatch,
        (other, _) => {
            let accepted = match ver {
                Version::V4 => "application/merge-patch+json, application/json",
                Version::V5 => {
                    "application/merge-patch+json, application/json, application/json-patch+json"
                }
            };
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "patch.mediaType",
                "Unsupported Media Type",
                format!("PATCH body type '{other}' is not accepted here; use {accepted}"),
            ));
        }
    };
    let patch = parse_json(&body)?;
    let json_patch: Option<json_patch::Patch> = match kind {
        PatchKind::Merge => {
            if !patch.is_object() {
                return Err(ApiError::bad_request(
                    "body.notObject",
                    "a merge patch must be a JSON object",
                ));
            }
            None
        }
        PatchKind::JsonPatch => Some(serde_json::from_value(patch.clone()).map_err(|e| {
            ApiError::bad_request("patch.invalid", format!("not a JSON Patch document: {e}"))
        })?),
    };
    let catalog = Arc::clone(&st.catalog);
    let schemas = Arc::clone(&st.schemas);
    let base = st.public_base.clone();
    let res = st
        .store
        .update(Kind::Order, &id, move |stored| {
            let state = stored.get("state").and_then(Value::as_str).unwrap_or_default().to_owned();
            if !PATCHABLE_STATES.contains(&state.as_str()) {
                let e = if FINAL_ORDER_STATES.contains(&state.as_str()) {
                    ApiError::conflict(
                        "state.notPatchable",
                        format!("the order is {state}; a finished order cannot be changed"),
                    )
                } else {
                    ApiError::conflict(
                        "state.notPatchable",
                        format!("the order is {state}; it can only be changed while acknowledged, pending or held"),
                    )
                };
                return Err(e);
            }
            let before = render(&base, Kind::Order, stored, ver);
            let mut after = before.clone();
            match &json_patch {
                None => merge_patch(&mut after, &patch),
                Some(p) => json_patch::patch(&mut after, p).map_err(|e| {
                    ApiError::unprocessable("patch.failed", format!("the JSON Patch does not apply: {e}"))
                })?,
            }
            for k in READ_ONLY {
                if before.get(k) != after.get(k) {
                    return Err(ApiError::unprocessable(
                        "field.readOnly",
                        format!("{k}: is set by the server and cannot be changed"),
                    ));
                }
            }
            // The patched order, in the request's version, must still be a valid order of
            // that version (the creation schema: the server-owned members it carries are
            // open-ended there).
            schemas.check(RequestKind::ProductOrder, ver, &after)?;
            let mut next = match ver {
                Version::V4 => after,
                Version::V5 => shape::order_v5_to_v4(after),
            };
            if let Some(obj) = next.as_object_mut() {
                obj.remove("href");
            }
            validate::check_order(&next, &catalog)?;
            // Items added by the patch join the order in its current state.
            if let Some(items) = next.get_mut("productOrderItem") {
                fill_item_states(items, &state);
            }
            *stored = next.clone();
            Ok(Some(next))
        })
        .await?;
    match res {
        None => Err(ApiError::not_found("ProductOrder", &id)),
        Some(Err(e)) => Err(e),
        Some(Ok(None)) => Err(ApiError::internal("patch produced no change record")),
        Some(Ok(Some(order))) => {
            st.hub.publish(EventKind::OrderAttributeValueChange, &order);
            Ok(Json(render(&st.public_base, Kind::Order, &order, ver)).into_response())
        }
    }
}

async fn delete_order(
    State(st): State<AppState>,
    Path((v, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    version(&v)?;
    let order =
        st.store.get(Kind::Order, &id).ok_or_else(|| ApiError::not_found("ProductOrder", &id))?;
    if !st.store.delete(Kind::Order, &id).await? {
        return Err(ApiError::not_found("ProductOrder", &id));
    }
    st.hub.publish(EventKind::OrderDelete, &order);
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ---------- cancelProductOrder ----------

async fn create_cancel(
    State(st): State<AppState>,
    Path(v): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let ver = version(&v)?;
    let input = parse_json(&body)?;
    st.schemas.check(RequestKind::CancelProductOrder, ver, &input)?;
    let Some(obj) = input.as_object() else {
        return Err(ApiError::bad_request(
            "body.notObject",
            "the request body must be a JSON object",
        ));
    };
    let order_id = obj
        .get("productOrder")
        .and_then(|p| p.get("id"))
        .and_then(Value::as_str)
        .ok_or_else(|| {
            ApiError::bad_request(
                "field.missing",
                "productOrder.id: is required (the order to cancel)",
            )
        })?
        .to_owned();
    let reason = match obj.get("cancellationReason") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            return Err(ApiError::bad_request("field.type", "cancellationReason: must be a string"))
        }
    };
    if let Some(d) = obj.get("requestedCancellationDate") {
        if d.as_str().is_none_or(|s| chrono::DateTime::parse_from_rfc3339(s).is_err()) {
            return Err(ApiError::bad_request(
                "field.type",
                "requestedCancellationDate: must be an RFC 3339 date-time string",
            ));
        }
    }
    if st.store.get(Kind::Order, &order_id).is_none() {
        return Err(ApiError::unprocessable(
            "productOrder.unknown",
            format!("productOrder.id: order '{order_id}' does not exist"),
        ));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let mut task = Map::new();
    task.insert("id".into(), json!(id));
    task.insert("state".into(), json!("acknowledged"));
    task.insert("creationDate".into(), json!(now()));
    for (k, val) in obj {
        if !["id", "href", "state", "creationDate", "effectiveCancellationDate"]
            .contains(&k.as_str())
        {
            task.insert(k.clone(), val.clone());
        }
    }
    task.insert("productOrder".into(), json!({"id": order_id, "@referredType": "ProductOrder"}));
    task.entry("@type").or_insert(json!("CancelProductOrder"));
    let task = Value::Object(task);
    st.store.put(Kind::Cancel, id.clone(), task.clone()).await?;
    st.hub.publish(EventKind::CancelCreate, &task);
    lifecycle::simulate_cancel(st.clone(), id, order_id, reason);
    Ok(created(render(&st.public_base, Kind::Cancel, &task, ver)))
}

async fn list_cancels(
    State(st): State<AppState>,
    Path(v): Path<String>,
    Query(q): Pairs,
) -> Result<Response, ApiError> {
    let ver = version(&v)?;
    let lq = ListQuery::parse(&q)?;
    let items = st
        .store
        .all(Kind::Cancel)
        .into_iter()
        .map(|o| render(&st.public_base, Kind::Cancel, &o, ver));
    Ok(list_response(lq.apply(items)))
}

async fn get_cancel(
    State(st): State<AppState>,
    Path((v, id)): Path<(String, String)>,
    Query(q): Pairs,
) -> Result<Response, ApiError> {
    let ver = version(&v)?;
    let task = st
        .store
        .get(Kind::Cancel, &id)
        .ok_or_else(|| ApiError::not_found("CancelProductOrder", &id))?;
    Ok(Json(with_fields(render(&st.public_base, Kind::Cancel, &task, ver), &q)?).into_response())
}

// ---------- hub ----------

async fn create_listener(
    State(st): State<AppState>,
    Path(v): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let ver = version(&v)?;
    let input = parse_json(&body)?;
    let callback = input
        .get("callback")
        .and_then(Value::as_str)
        .filter(|c| c.starts_with("http://") || c.starts_with("https://"))
        .ok_or_else(|| {
            ApiError::bad_request("field.missing", "callback: is required (an http(s) URL)")
        })?
        .to_owned();
    let query = match input.get("query") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(ApiError::bad_request("field.type", "query: must be a string")),
    };
    let id = uuid::Uuid::new_v4().to_string();
    let mut l = json!({"id": id, "callback": callback, "version": ver.segment()});
    if let Some(q) = query {
        l["query"] = json!(q);
    }
    st.store.put(Kind::Listener, id, l.clone()).await?;
    Ok(created(render(&st.public_base, Kind::Listener, &l, ver)))
}

async fn get_listener(
    State(st): State<AppState>,
    Path((v, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let ver = version(&v)?;
    let l = st.store.get(Kind::Listener, &id).ok_or_else(|| ApiError::not_found("Hub", &id))?;
    Ok(Json(render(&st.public_base, Kind::Listener, &l, ver)).into_response())
}

async fn delete_listener(
    State(st): State<AppState>,
    Path((v, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    version(&v)?;
    if st.store.delete(Kind::Listener, &id).await? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::not_found("Hub", &id))
    }
}

// ---------- TMF620 ----------

fn catalog_kind(collection: &str) -> Result<CatalogKind, ApiError> {
    CatalogKind::ALL.into_iter().find(|k| k.collection() == collection).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "notFound",
            "Not Found",
            format!("'{collection}' is not a served catalog resource"),
        )
    })
}

fn catalog_out(st: &AppState, kind: CatalogKind, v: &Value, ver: Version) -> Value {
    let mut out = v.clone();
    if let Some(obj) = out.as_object_mut() {
        if let Some(id) = obj.get("id").and_then(Value::as_str).map(str::to_owned) {
            obj.insert(
                "href".into(),
                json!(format!(
                    "{}/tmf-api/productCatalogManagement/{}/{}/{id}",
                    st.public_base,
                    ver.segment(),
                    kind.collection()
                )),
            );
        }
        if ver == Version::V5 {
            obj.entry("@type").or_insert(json!(kind.type_name()));
        }
    }
    out
}

async fn list_catalog(
    State(st): State<AppState>,
    Path((v, collection)): Path<(String, String)>,
    Query(q): Pairs,
) -> Result<Response, ApiError> {
    let ver = version(&v)?;
    let kind = catalog_kind(&collection)?;
    let lq = ListQuery::parse(&q)?;
    // Select on the stored form and render only the window: large catalogs are not copied.
    let (window, total) = lq.select(st.catalog.list(kind));
    let rendered = window.into_iter().map(|v| catalog_out(&st, kind, v, ver)).collect();
    Ok(list_response(Page { items: lq.project_all(rendered), total }))
}

async fn get_catalog(
    State(st): State<AppState>,
    Path((v, collection, id)): Path<(String, String, String)>,
    Query(q): Pairs,
) -> Result<Response, ApiError> {
    let ver = version(&v)?;
    let kind = catalog_kind(&collection)?;
    let item =
        st.catalog.get(kind, &id).ok_or_else(|| ApiError::not_found(kind.type_name(), &id))?;
    Ok(Json(with_fields(catalog_out(&st, kind, item, ver), &q)?).into_response())
}
