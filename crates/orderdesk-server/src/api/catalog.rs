//! TMF620 catalog resources (`productOffering`, `productOfferingPrice`,
//! `productSpecification`, `category`): list and read, with `href` and the v5 `@type` added.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use orderdesk_wire::Version;
use serde_json::{json, Value};

use super::{list_response, version, with_fields, Pairs};
use crate::catalog::CatalogKind;
use crate::error::ApiError;
use crate::query::{ListQuery, Page};
use crate::state::AppState;

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
                    ver.as_str(),
                    kind.collection()
                )),
            );
        }
        ver.fill_type(obj, kind.type_name());
    }
    out
}

pub(super) async fn list_catalog(
    State(st): State<AppState>,
    Path((v, collection)): Path<(String, String)>,
    Query(q): Pairs,
) -> Result<Response, ApiError> {
    let ver = version(&v)?;
    let kind = catalog_kind(&collection)?;
    let limits = &st.config.limits;
    let lq = ListQuery::parse(&q)?.paged(limits.default_page_size, limits.max_page_size);
    // Select on the stored form and render only the window: large catalogs are not copied.
    let (window, total) = lq.select(st.catalog.list(kind));
    let rendered = window.into_iter().map(|v| catalog_out(&st, kind, v, ver)).collect();
    Ok(list_response(Page { items: lq.project_all(rendered), total }))
}

pub(super) async fn get_catalog(
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
