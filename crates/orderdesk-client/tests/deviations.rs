//! Customer (TMF629) and inventory (TMF637) servers that deviate from the specification the
//! way real ones do, each written here on 127.0.0.1: lists answered with `206 Partial
//! Content`, `X-Total-Count` that counts the page or ignores the filter, a page size capped in
//! silence, filter values that match only when quoted, `href`s with the wrong scheme and host,
//! and errors with numeric codes. Every list comes back complete and correct.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use orderdesk_client::{Client, ClientError, Profile, VersionChoice};
use orderdesk_wire::Version;
use serde_json::{json, Value};

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// The order root has no `productOrderingManagement` segment: the customer and inventory
/// roots can only come from the profile's own URLs.
fn profile(addr: SocketAddr) -> Profile {
    let mut p = Profile::new("deviant", format!("http://{addr}/orders/v4/"));
    p.customer_url = Some(format!("http://{addr}/crm/v4/"));
    p.inventory_url = Some(format!("http://{addr}/inv/v4/"));
    p.version = VersionChoice::Fixed(Version::V4);
    p.page_size = 100;
    p
}

async fn serve(router: Router) -> Result<SocketAddr, std::io::Error> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok(addr)
}

fn number(q: &HashMap<String, String>, key: &str, default: usize) -> usize {
    q.get(key).and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Ten customers; every other one `approved`. Each `href` points at another scheme and host.
fn customers() -> Vec<Value> {
    (1..=10)
        .map(|n| {
            json!({"id": format!("C-{n}"), "name": format!("Customer {n}"),
                   "href": format!("ftp://wrong.example/customer/C-{n}"),
                   "status": if n % 2 == 0 { "approved" } else { "initialized" }})
        })
        .collect()
}

/// How the double counts its lists.
#[derive(Clone, Copy)]
enum Total {
    /// The items on the page (servers that count what they send).
    Page,
    /// The whole collection, whatever the filter.
    Collection,
}

#[derive(Clone)]
struct Crm {
    total: Total,
    requests: Arc<AtomicUsize>,
}

/// `206 Partial Content` for every page, at most 3 customers a page whatever `limit` says.
async fn list_customers(
    State(crm): State<Crm>,
    Query(q): Query<HashMap<String, String>>,
) -> impl IntoResponse {
    crm.requests.fetch_add(1, Ordering::SeqCst);
    let all = customers();
    let matching: Vec<Value> = all
        .iter()
        .filter(|c| q.get("status").is_none_or(|s| c["status"] == s.as_str()))
        .cloned()
        .collect();
    let offset = number(&q, "offset", 0);
    let limit = number(&q, "limit", 100).min(3);
    let page: Vec<Value> = matching.into_iter().skip(offset).take(limit).collect();
    let total = match crm.total {
        Total::Page => page.len(),
        Total::Collection => all.len(),
    };
    (StatusCode::PARTIAL_CONTENT, [("x-total-count", total.to_string())], Json(page))
}

async fn get_customer(Path(id): Path<String>) -> impl IntoResponse {
    match customers().into_iter().find(|c| c["id"] == id.as_str()) {
        Some(c) => (StatusCode::OK, Json(c)),
        // TMF's `code` is a string; this server writes numbers.
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({"code": 60, "status": 404, "reason": "Not Found",
                        "message": format!("no customer {id}")})),
        ),
    }
}

fn crm(total: Total) -> (Router, Arc<AtomicUsize>) {
    let requests = Arc::new(AtomicUsize::new(0));
    let router = Router::new()
        .route("/crm/v4/customer", get(list_customers))
        .route("/crm/v4/customer/{id}", get(get_customer))
        .with_state(Crm { total, requests: Arc::clone(&requests) });
    (router, requests)
}

fn ids(list: &[Value]) -> Vec<String> {
    list.iter().filter_map(|c| c["id"].as_str().map(str::to_owned)).collect()
}

#[tokio::test]
async fn a_total_that_counts_the_page_does_not_cut_the_list_short() -> TestResult {
    let (router, requests) = crm(Total::Page);
    let client = Client::new(profile(serve(router).await?), None)?;
    let all = client.list_customers(&[]).await?;
    let expected: Vec<String> = (1..=10).map(|n| format!("C-{n}")).collect();
    assert_eq!(ids(&all), expected);
    // Four pages of at most 3, then the empty page that ends the list.
    assert_eq!(requests.load(Ordering::SeqCst), 5);
    Ok(())
}

#[tokio::test]
async fn a_total_that_ignores_the_filter_does_not_pad_or_stop_the_list() -> TestResult {
    let (router, _) = crm(Total::Collection);
    let client = Client::new(profile(serve(router).await?), None)?;
    let approved = client.list_customers(&[("status", "approved")]).await?;
    assert_eq!(ids(&approved), ["C-2", "C-4", "C-6", "C-8", "C-10"]);
    let since = client.customers_since(None).await?;
    assert_eq!(since.len(), 10);
    Ok(())
}

#[tokio::test]
async fn hrefs_are_never_followed_and_numeric_error_codes_are_read() -> TestResult {
    let (router, _) = crm(Total::Page);
    let client = Client::new(profile(serve(router).await?), None)?;
    // Every listed href says ftp://wrong.example; reading one goes to the profile's root.
    let listed = client.list_customers(&[]).await?;
    assert!(listed.iter().all(|c| c["href"].as_str().is_some_and(|h| h.starts_with("ftp:"))));
    let one = client.get_customer("C-7").await?;
    assert_eq!(one["name"], "Customer 7");
    match client.get_customer("C-404").await {
        Err(ClientError::Server { status: 404, code, message, .. }) => {
            assert_eq!(code.as_deref(), Some("60"));
            assert!(message.contains("no customer C-404"), "{message}");
        }
        other => return Err(format!("expected a 404, got {other:?}").into()),
    }
    Ok(())
}

/// Inventory whose `relatedParty.id` filter compares a number-like value as a number: the
/// customer `1001` (a text id) is found only as `"1001"`; then it answers loosely, with
/// another customer's product among them. Records every filter value it is asked.
#[derive(Clone, Default)]
struct Inventory {
    asked: Arc<Mutex<Vec<String>>>,
}

fn product(id: &str, customer: &str) -> Value {
    json!({"id": id, "name": id, "status": "active",
           "href": format!("gopher://wrong.example/product/{id}"),
           "relatedParty": [{"id": customer, "role": "Customer"}]})
}

async fn list_products(
    State(inv): State<Inventory>,
    Query(q): Query<HashMap<String, String>>,
) -> impl IntoResponse {
    let value = q.get("relatedParty.id").cloned().unwrap_or_default();
    if let Ok(mut asked) = inv.asked.lock() {
        asked.push(value.clone());
    }
    let offset = number(&q, "offset", 0);
    let all: Vec<Value> = match value.as_str() {
        "\"1001\"" => vec![product("P-1", "1001"), product("P-X", "2002"), product("P-2", "1001")],
        _ => Vec::new(),
    };
    let page: Vec<Value> = all.into_iter().skip(offset).take(2).collect();
    (StatusCode::PARTIAL_CONTENT, [("x-total-count", "99999")], Json(page))
}

#[tokio::test]
async fn a_number_like_id_is_asked_again_quoted_and_the_answer_is_checked() -> TestResult {
    let inv = Inventory::default();
    let router = Router::new().route("/inv/v4/product", get(list_products)).with_state(inv.clone());
    let client = Client::new(profile(serve(router).await?), None)?;
    let products = client.list_customer_products("1001").await?;
    assert_eq!(ids(&products), ["P-1", "P-2"]);
    let asked = inv.asked.lock().map(|a| a.clone()).unwrap_or_default();
    assert_eq!(asked.first().map(String::as_str), Some("1001"));
    assert!(asked.iter().skip(1).all(|v| v == "\"1001\""), "{asked:?}");

    // An id that does not look like a number is asked once: nothing is nothing.
    if let Ok(mut asked) = inv.asked.lock() {
        asked.clear();
    }
    assert!(client.list_customer_products("C-7").await?.is_empty());
    let asked = inv.asked.lock().map(|a| a.clone()).unwrap_or_default();
    assert_eq!(asked, ["C-7"]);
    Ok(())
}
