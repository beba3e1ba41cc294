//! TMF622 `productOrder`: create (server-owned fields refused, item states set), list, read,
//! patch (merge patch; JSON Patch on v5) within the patchable states, and delete.
//!
//! A patched order is checked as a created one is (bounds, the official schema of the
//! request's version, the core's validation) before it is stored, so a PATCH can never make
//! an order the server cannot list or read back from its database. A JSON Patch is applied
//! one operation at a time within a running bound on the order's size and depth, so a few
//! `copy` operations cannot blow it up before the final check.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use orderdesk_wire::convert::order_between;
use orderdesk_wire::create::SERVER_OWNED_ORDER_MEMBERS;
use orderdesk_wire::{OrderState, Version};
use serde_json::{json, Map, Value};

use super::{created, list_response, parse_json, version, with_fields, Pairs};
use crate::error::ApiError;
use crate::hub::{render, EventKind};
use crate::lifecycle::{self, now};
use crate::limits::{
    depth_capped, json_len_within, MAX_ORDER_BYTES, MAX_ORDER_DEPTH, MAX_PATCH_OPERATIONS,
};
use crate::query::ListQuery;
use crate::schema::RequestKind;
use crate::state::AppState;
use crate::store::Kind;
use crate::validate;

fn set_initial_item_states(items: &mut Value) {
    if let Some(list) = items.as_array_mut() {
        for it in list.iter_mut().filter_map(Value::as_object_mut) {
            it.insert("state".into(), json!(OrderState::Acknowledged.as_str()));
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

pub(super) async fn create_order(
    State(st): State<AppState>,
    Path(v): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let ver = version(&v)?;
    let input = parse_json(&body)?;
    validate::check_bounds(&input)?;
    st.schemas.check(RequestKind::ProductOrder, ver, &input)?;
    // Stored in v4 shape (see `hub::render`).
    let mut order = order_between(input, ver, Version::V4);
    validate::check_order_in(&order, &st.catalog, Some(&st.inventory.checked_by(&order)))?;
    let id = uuid::Uuid::new_v4().to_string();
    if let Some(obj) = order.as_object_mut() {
        // Members the server owns are its own to set: a client's values are dropped.
        for k in SERVER_OWNED_ORDER_MEMBERS {
            obj.remove(*k);
        }
        let mut out = Map::new();
        out.insert("id".into(), json!(id));
        out.insert("state".into(), json!(OrderState::Acknowledged.as_str()));
        out.insert(Version::V4.order_date_member().into(), json!(now()));
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

pub(super) async fn list_orders(
    State(st): State<AppState>,
    Path(v): Path<String>,
    Query(q): Pairs,
) -> Result<Response, ApiError> {
    let ver = version(&v)?;
    let limits = &st.config.limits;
    let lq = ListQuery::parse(&q)?.paged(limits.default_page_size, limits.max_page_size);
    let items = st
        .store
        .all(Kind::Order)
        .into_iter()
        .map(|o| render(&st.public_base, Kind::Order, &o, ver));
    Ok(list_response(lq.apply(items)))
}

pub(super) async fn get_order(
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

/// RFC 7396. Recurses along the patch, whose depth the JSON parser bounds.
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

fn too_deep() -> ApiError {
    ApiError::unprocessable(
        "order.tooDeep",
        format!("the patched order would nest deeper than {MAX_ORDER_DEPTH} levels"),
    )
}

fn too_large() -> ApiError {
    ApiError::unprocessable(
        "order.tooLarge",
        format!("the patched order would be larger than {MAX_ORDER_BYTES} bytes as JSON"),
    )
}

/// Applies a JSON Patch one operation at a time. Before each operation, a bound on the
/// order's size and depth afterwards is kept up to date (a `copy` adds its source's size, an
/// `add` its value's; the depth is at most the target path's plus the value's), and the patch
/// is refused as soon as a bound is passed: the order is never built past the limits. A
/// failed operation leaves `doc` half-patched; the caller patches a copy.
fn apply_json_patch(doc: &mut Value, ops: &[json_patch::PatchOperation]) -> Result<(), ApiError> {
    use json_patch::PatchOperation as P;
    if ops.len() > MAX_PATCH_OPERATIONS {
        return Err(ApiError::unprocessable(
            "patch.tooLong",
            format!("a JSON Patch may have at most {MAX_PATCH_OPERATIONS} operations"),
        ));
    }
    let mut size = json_len_within(doc, MAX_ORDER_BYTES).ok_or_else(too_large)?;
    let mut depth = depth_capped(doc, MAX_ORDER_DEPTH);
    for (i, op) in ops.iter().enumerate() {
        let (grows_by, deepest) = match op {
            P::Add(o) => (
                json_len_within(&o.value, MAX_ORDER_BYTES),
                o.path.count().saturating_add(depth_capped(&o.value, MAX_ORDER_DEPTH)),
            ),
            P::Replace(o) => (
                json_len_within(&o.value, MAX_ORDER_BYTES),
                o.path.count().saturating_add(depth_capped(&o.value, MAX_ORDER_DEPTH)),
            ),
            P::Copy(o) => {
                let left = MAX_ORDER_BYTES.saturating_sub(size);
                let source = doc.pointer(o.from.as_str());
                let grows = source.map_or(Some(0), |v| json_len_within(v, left));
                // The source lies `from.count()` levels down in a document `depth` deep.
                let source_depth = depth.saturating_sub(o.from.count());
                (grows, o.path.count().saturating_add(source_depth))
            }
            P::Move(o) => {
                (Some(0), o.path.count().saturating_add(depth.saturating_sub(o.from.count())))
            }
            P::Remove(_) | P::Test(_) => (Some(0), 0),
        };
        size = grows_by.map_or(usize::MAX, |g| size.saturating_add(g));
        depth = depth.max(deepest);
        if size > MAX_ORDER_BYTES {
            return Err(too_large());
        }
        if depth > MAX_ORDER_DEPTH {
            return Err(too_deep());
        }
        json_patch::patch_unsafe(doc, std::slice::from_ref(op)).map_err(|e| {
            ApiError::unprocessable(
                "patch.failed",
                format!("the JSON Patch does not apply: operation {i}: {}", e.kind),
            )
        })?;
    }
    Ok(())
}

pub(super) async fn patch_order(
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
    let accepted = ver.patch_media_types();
    let kind = match ctype.as_str() {
        "application/merge-patch+json" | "application/json" => PatchKind::Merge,
        "application/json-patch+json" if accepted.contains(&ctype.as_str()) => PatchKind::JsonPatch,
        other => {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "patch.mediaType",
                "Unsupported Media Type",
                format!(
                    "PATCH body type '{other}' is not accepted here; use {}",
                    accepted.join(", ")
                ),
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
    let inventory = Arc::clone(&st.inventory);
    let base = st.public_base.clone();
    let res = st
        .store
        .update(Kind::Order, &id, move |stored| {
            let state = stored.get("state").and_then(Value::as_str).unwrap_or_default().to_owned();
            let known = OrderState::parse(&state);
            if !known.is_some_and(OrderState::is_patchable) {
                let e = if known.is_some_and(OrderState::is_final) {
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
                Some(p) => apply_json_patch(&mut after, p)?,
            }
            // Bounds first: the schema and the core's checks walk the document.
            validate::check_bounds(&after)?;
            for k in SERVER_OWNED_ORDER_MEMBERS {
                if before.get(*k) != after.get(*k) {
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
            let mut next = order_between(after, ver, Version::V4);
            if let Some(obj) = next.as_object_mut() {
                obj.remove("href");
            }
            validate::check_bounds(&next)?;
            validate::check_order_in(&next, &catalog, Some(&inventory.checked_by(&next)))?;
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

pub(super) async fn delete_order(
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
