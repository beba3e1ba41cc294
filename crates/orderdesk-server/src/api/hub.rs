//! TMF622 `hub`: register, read and remove the listeners that order events are sent to.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::{created, parse_json, version};
use crate::error::ApiError;
use crate::hub::render;
use crate::state::AppState;
use crate::store::Kind;

pub(super) async fn create_listener(
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
    let mut l = json!({"id": id, "callback": callback, "version": ver.as_str()});
    if let Some(q) = query {
        l["query"] = json!(q);
    }
    st.store.put(Kind::Listener, id, l.clone()).await?;
    Ok(created(render(&st.public_base, Kind::Listener, &l, ver)))
}

pub(super) async fn get_listener(
    State(st): State<AppState>,
    Path((v, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let ver = version(&v)?;
    let l = st.store.get(Kind::Listener, &id).ok_or_else(|| ApiError::not_found("Hub", &id))?;
    Ok(Json(render(&st.public_base, Kind::Listener, &l, ver)).into_response())
}

pub(super) async fn delete_listener(
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
