//! TMF629 `customer` (list, read, create) and TMF637 `product` (list, read), under both `/v4/`
//! and `/v5/`, with the list conventions every collection has.
//!
//! Lists read and render only the page when they can (no filter, no sort); a filter is
//! answered by reading each stored document in turn and keeping the matches. A customer's products
//! (`relatedParty.id=…` in v4, `relatedParty.partyOrPartyRole.id=…` in v5) come from an index,
//! so a large inventory is not scanned for them.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use orderdesk_wire::inventory::{customer_between, customer_products_filter, product_between};
use orderdesk_wire::Version;
use serde_json::Value;

use super::{created, list_response, parse_json, version, with_fields, Pairs};
use crate::error::ApiError;
use crate::inventory::{parse_doc, Doc, STORED};
use crate::query::{ListQuery, Op, Page};
use crate::state::AppState;

/// The API roots of the two resources.
pub(super) const CUSTOMER_API: &str = "customerManagement";
/// The TMF637 root.
pub(super) const INVENTORY_API: &str = "productInventory";

fn with_href(mut v: Value, st: &AppState, api: &str, ver: Version, collection: &str) -> Value {
    if let Some(obj) = v.as_object_mut() {
        if let Some(id) = obj.get("id").and_then(Value::as_str).map(str::to_owned) {
            let href =
                format!("{}/tmf-api/{api}/{}/{collection}/{id}", st.public_base, ver.as_str());
            let rest = std::mem::take(obj);
            for (k, val) in rest {
                let is_id = k == "id";
                if k != "href" {
                    obj.insert(k, val);
                }
                if is_id {
                    obj.insert("href".into(), Value::String(href.clone()));
                }
            }
        }
    }
    v
}

fn render_customer(st: &AppState, v: &Value, ver: Version) -> Value {
    with_href(customer_between(v.clone(), STORED, ver), st, CUSTOMER_API, ver, "customer")
}

fn render_product(st: &AppState, v: &Value, ver: Version) -> Value {
    with_href(product_between(v.clone(), STORED, ver), st, INVENTORY_API, ver, "product")
}

/// A page of stored `items` as the request's version shows them. Without a filter or a sort
/// only the window is read and rendered. Otherwise each item is read in turn and only the
/// matches are kept ([`ListQuery::apply`] keeps only the window when it need not sort); asked
/// in the stored version, the filter runs on the stored documents and only the window is
/// rendered (rendering adds `href`, which field selection keeps).
fn page(lq: &ListQuery, ver: Version, items: &[Doc], render: impl Fn(&Value) -> Value) -> Page {
    if lq.filters.is_empty() && lq.sort.is_empty() {
        let window = items.iter().skip(lq.offset).take(lq.limit.unwrap_or(usize::MAX));
        let window = window.filter_map(|t| parse_doc(t)).map(|v| render(&v)).collect();
        return Page { items: lq.project_all(window), total: items.len() };
    }
    let stored = items.iter().filter_map(|t| parse_doc(t));
    if ver == STORED {
        let mut page = lq.apply(stored);
        page.items = page.items.iter().map(render).collect();
        page
    } else {
        lq.apply(stored.map(|v| render(&v)))
    }
}

pub(super) async fn list_customers(
    State(st): State<AppState>,
    Path(v): Path<String>,
    Query(q): Pairs,
) -> Result<Response, ApiError> {
    let ver = version(&v)?;
    let limits = &st.config.limits;
    let lq = ListQuery::parse(&q)?.paged(limits.default_page_size, limits.max_page_size);
    let page =
        st.inventory.with_customers(|all| page(&lq, ver, all, |c| render_customer(&st, c, ver)));
    Ok(list_response(page))
}

pub(super) async fn get_customer(
    State(st): State<AppState>,
    Path((v, id)): Path<(String, String)>,
    Query(q): Pairs,
) -> Result<Response, ApiError> {
    let ver = version(&v)?;
    let c = st.inventory.customer(&id).ok_or_else(|| ApiError::not_found("Customer", &id))?;
    Ok(Json(with_fields(render_customer(&st, &c, ver), &q)?).into_response())
}

/// `POST customer`: TMF629 requires a `name` and an `engagedParty`; the server gives the id,
/// the status when none is given, and `lastUpdate`.
pub(super) async fn create_customer(
    State(st): State<AppState>,
    Path(v): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let ver = version(&v)?;
    let input = parse_json(&body)?;
    let Some(obj) = input.as_object() else {
        return Err(ApiError::bad_request("body.notObject", "a customer must be a JSON object"));
    };
    crate::validate::check_bounds(&input)?;
    if obj.get("name").and_then(Value::as_str).is_none_or(|n| n.trim().is_empty()) {
        return Err(ApiError::bad_request("customer.name", "/name: a customer needs a name"));
    }
    if !obj.get("engagedParty").is_some_and(Value::is_object) {
        return Err(ApiError::bad_request(
            "customer.engagedParty",
            "/engagedParty: a customer needs the party that plays the role",
        ));
    }
    for k in ["id", "href"] {
        if obj.contains_key(k) {
            return Err(ApiError::bad_request(
                "field.readOnly",
                format!("/{k}: is set by the server"),
            ));
        }
    }
    let stored = st.inventory.create_customer(customer_between(input, ver, STORED));
    Ok(created(render_customer(&st, &stored, ver)))
}

pub(super) async fn list_products(
    State(st): State<AppState>,
    Path(v): Path<String>,
    Query(q): Pairs,
) -> Result<Response, ApiError> {
    let ver = version(&v)?;
    let limits = &st.config.limits;
    let lq = ListQuery::parse(&q)?.paged(limits.default_page_size, limits.max_page_size);
    let by_customer = lq
        .filters
        .iter()
        .find(|f| f.op == Op::Eq && f.path.join(".") == customer_products_filter(ver))
        .map(|f| f.value.split(',').map(str::to_owned).collect::<Vec<_>>());
    let page = match by_customer {
        Some(customers) => {
            let refs: Vec<&str> = customers.iter().map(String::as_str).collect();
            let mine = st.inventory.products_of(&refs);
            lq.apply(mine.iter().map(|p| render_product(&st, p, ver)))
        }
        None => {
            st.inventory.with_products(|all| page(&lq, ver, all, |p| render_product(&st, p, ver)))
        }
    };
    Ok(list_response(page))
}

pub(super) async fn get_product(
    State(st): State<AppState>,
    Path((v, id)): Path<(String, String)>,
    Query(q): Pairs,
) -> Result<Response, ApiError> {
    let ver = version(&v)?;
    let p = st.inventory.product(&id).ok_or_else(|| ApiError::not_found("Product", &id))?;
    Ok(Json(with_fields(render_product(&st, &p, ver), &q)?).into_response())
}
