//! TMF622 `hub`: register, read and remove the listeners that order events are sent to.
//! A callback is checked when it is registered ([`crate::callback`]: http(s), no metadata,
//! link-local or, unless allowed, private address), its query must read as a list query, and
//! at most [`crate::Limits::max_listeners`] listeners are registered at once.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::{created, parse_json, version};
use crate::callback;
use crate::error::ApiError;
use crate::hub::{parse_query, render};
use crate::limits::MAX_CALLBACK_CHARS;
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
        .ok_or_else(|| {
            ApiError::bad_request("field.missing", "callback: is required (an http(s) URL)")
        })?
        .to_owned();
    callback::check_url(&callback, st.config.allow_private_callbacks)
        .map_err(|why| ApiError::unprocessable("callback.refused", format!("callback: {why}")))?;
    let query = match input.get("query") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.chars().count() > MAX_CALLBACK_CHARS => {
            return Err(ApiError::bad_request(
                "field.tooLong",
                format!("query: at most {MAX_CALLBACK_CHARS} characters"),
            ))
        }
        Some(Value::String(s)) => {
            parse_query(s)
                .map_err(|e| ApiError::bad_request(e.code, format!("query: {}", e.message)))?;
            Some(s.clone())
        }
        Some(_) => return Err(ApiError::bad_request("field.type", "query: must be a string")),
    };
    let max = st.config.limits.max_listeners;
    if st.store.count(Kind::Listener) >= max {
        return Err(ApiError::unprocessable(
            "hub.tooMany",
            format!("this server takes at most {max} listeners; remove one first"),
        ));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let mut l = json!({"id": id, "callback": callback, "version": ver.as_str()});
    if let (Some(q), Some(obj)) = (query, l.as_object_mut()) {
        obj.insert("query".into(), json!(q));
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
        st.hub.forget(&id);
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::not_found("Hub", &id))
    }
}
