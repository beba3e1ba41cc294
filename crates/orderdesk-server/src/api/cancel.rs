//! TMF622 `cancelProductOrder`: a cancellation request is checked, stored and its simulated
//! lifecycle started; list and read.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use orderdesk_wire::create::{CANCEL_CREATION_DATE, SERVER_OWNED_CANCEL_MEMBERS};
use orderdesk_wire::TaskState;
use serde_json::{json, Map, Value};

use super::{created, list_response, parse_json, version, with_fields, Pairs};
use crate::error::ApiError;
use crate::hub::{render, EventKind};
use crate::lifecycle::{self, now};
use crate::query::ListQuery;
use crate::schema::RequestKind;
use crate::state::AppState;
use crate::store::Kind;

pub(super) async fn create_cancel(
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
        let date_time = d.as_str().and_then(orderdesk_wire::parse_date_input);
        if date_time.is_none_or(|d| d.day_only) {
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
    task.insert("state".into(), json!(TaskState::Acknowledged.as_str()));
    // Stored in v4 shape, where the creation date is an extension member v5 reads.
    task.insert(CANCEL_CREATION_DATE.into(), json!(now()));
    for (k, val) in obj {
        if !SERVER_OWNED_CANCEL_MEMBERS.contains(&k.as_str()) {
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

pub(super) async fn list_cancels(
    State(st): State<AppState>,
    Path(v): Path<String>,
    Query(q): Pairs,
) -> Result<Response, ApiError> {
    let ver = version(&v)?;
    let limits = &st.config.limits;
    let lq = ListQuery::parse(&q)?.paged(limits.default_page_size, limits.max_page_size);
    let items = st
        .store
        .all(Kind::Cancel)
        .into_iter()
        .map(|o| render(&st.public_base, Kind::Cancel, &o, ver));
    Ok(list_response(lq.apply(items)))
}

pub(super) async fn get_cancel(
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
