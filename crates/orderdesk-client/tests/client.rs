//! The client over real HTTP on 127.0.0.1: the reference server for the happy paths and
//! auth modes, small local servers for the misbehaviour real servers show.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use orderdesk_client::{
    order_state, AuthConfig, CatalogResource, Client, ClientError, Profile, RetryPolicy, Secret,
    VersionChoice,
};
use orderdesk_server::{start, AuthMode, LifecycleConfig, RunningServer, ServerConfig};
use orderdesk_wire::Version;
use serde_json::{json, Value};

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

fn order(msisdn: &str) -> Value {
    json!({"productOrderItem": [{"id": "1", "action": "add", "productOffering": {"id": "14305"},
        "product": {"productCharacteristic": [{"name": "TEL_MSISDN", "value": msisdn}]}}]})
}

/// The order in the shape `version` requires (v5 wants `@type` everywhere).
fn order_in(version: Version, msisdn: &str) -> Value {
    match version {
        Version::V4 => order(msisdn),
        Version::V5 => orderdesk_wire::convert::order_v4_to_v5(order(msisdn)),
    }
}

fn slow_lifecycle() -> LifecycleConfig {
    LifecycleConfig {
        acknowledged_for: Duration::from_secs(60),
        in_progress_for: Duration::from_secs(60),
        cancel_step: Duration::from_millis(20),
        fail_value: "FAIL".into(),
    }
}

/// The reference server; its hub may call back listeners on 127.0.0.1 (the tests' own).
async fn reference(auth: AuthMode) -> Result<RunningServer, orderdesk_server::ServerError> {
    start(ServerConfig {
        auth,
        lifecycle: slow_lifecycle(),
        allow_private_callbacks: true,
        ..ServerConfig::default()
    })
    .await
}

fn quick_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
        max_retry_after: Duration::from_secs(5),
    }
}

fn profile(url: String) -> Profile {
    let mut p = Profile::new("test", url);
    p.timeout_ms = 5_000;
    p
}

/// Serves `router` on a random loopback port.
async fn serve(router: Router) -> Result<SocketAddr, std::io::Error> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok(addr)
}

#[tokio::test]
async fn every_order_operation_in_v4_and_v5() -> TestResult {
    let server = reference(AuthMode::None).await?;
    for (url, version) in [(server.base_url_v4(), Version::V4), (server.base_url_v5(), Version::V5)]
    {
        let mut p = profile(url);
        p.catalog_url = Some(server.catalog_url_v4());
        p.page_size = 3;
        let client = Client::new(p, None)?;
        assert_eq!(client.version().await?, version);
        // Both versions share one order store on the reference server.
        let before = client.list_orders(&[]).await?.len();
        let ext = format!("ext-{version}");
        let mut body = order_in(version, "111");
        body["externalId"] = match version {
            Version::V4 => json!(ext),
            Version::V5 => {
                json!([{"id": ext, "owner": "orderdesk", "@type": "ExternalIdentifier"}])
            }
        };
        let created = client.create_order(&body, Some(&format!("key-{version}"))).await?;
        let id = created["id"].as_str().ok_or("no id")?.to_owned();
        assert_eq!(order_state(&created), Some("acknowledged"));
        let fetched = client.get_order(&id).await?;
        assert_eq!(fetched["id"], created["id"]);
        for n in 0..7 {
            client.create_order(&order_in(version, &format!("2{n}")), None).await?;
        }
        let all = client.list_orders(&[]).await?;
        assert_eq!(all.len(), before + 8, "paged through 3 at a time");
        let found = client.find_orders_by_external_id(&ext).await?;
        assert_eq!(found.len(), 1);
        assert!(client.find_orders_by_external_id("ext-none").await?.is_empty());
        let patched = client.patch_order(&id, &json!({"description": "amended"})).await?;
        assert_eq!(patched["description"], "amended");
        let cancel = client
            .create_cancel(
                &json!({"@type": "CancelProductOrder", "cancellationReason": "test",
                    "productOrder": {"id": id, "@type": "ProductOrderRef"}}),
                None,
            )
            .await?;
        let cancel_id = cancel["id"].as_str().ok_or("no cancel id")?.to_owned();
        assert_eq!(client.get_cancel(&cancel_id).await?["id"], cancel_id.as_str());
        assert_eq!(client.list_cancels(&[("productOrder.id", id.as_str())]).await?.len(), 1);
        let hub = client.register_hub("http://127.0.0.1:9/listener", None).await?;
        client.unregister_hub(&hub).await?;
        let other = all.iter().find(|o| o["id"] != created["id"]).ok_or("no other order")?;
        client.delete_order(other["id"].as_str().ok_or("id")?).await?;
        assert!(matches!(
            client.get_order(other["id"].as_str().ok_or("id")?).await,
            Err(ClientError::Server { status: 404, .. })
        ));
    }
    server.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn catalog_lists_and_incremental_filter() -> TestResult {
    let server = reference(AuthMode::None).await?;
    let mut p = profile(server.base_url_v4());
    p.catalog_url = Some(server.catalog_url_v4());
    p.page_size = 10;
    let client = Client::new(p, None)?;
    let offerings = client.list_catalog(CatalogResource::Offering, None).await?;
    assert_eq!(offerings.len(), 47);
    let one = client.get_catalog(CatalogResource::Offering, "14305").await?;
    assert_eq!(one["name"], "Mobile Telephony");
    let later = "2030-01-01T00:00:00Z".parse()?;
    assert!(client.list_catalog(CatalogResource::Offering, Some(later)).await?.is_empty());
    let no_catalog = Client::new(profile(server.base_url_v4()), None)?;
    assert!(matches!(
        no_catalog.list_catalog(CatalogResource::Category, None).await,
        Err(ClientError::Config(_))
    ));
    server.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn oauth2_and_header_auth_and_401() -> TestResult {
    let creds = || ("agent".to_owned(), "s3cret".to_owned());
    let (id, secret) = creds();
    let server =
        reference(AuthMode::OAuth2 { client_id: id.clone(), client_secret: secret.clone() })
            .await?;
    let mut p = profile(server.base_url_v4());
    p.auth = AuthConfig::OAuth2 { token_url: server.token_url(), client_id: id, scope: None };
    let client = Client::new(p.clone(), Some(Secret::new(secret)))?;
    client.create_order(&order("1"), None).await?;
    assert_eq!(client.list_orders(&[]).await?.len(), 1);

    let wrong = Client::new(p, Some(Secret::new("nope")))?;
    let err = wrong.list_orders(&[]).await.err().ok_or("wrong secret accepted")?;
    assert!(matches!(err, ClientError::Auth { .. }), "{err:?}");
    assert!(err.to_string().contains("refused"), "{err}");

    let mut bearer = profile(server.base_url_v4());
    bearer.auth = AuthConfig::Bearer;
    let client = Client::new(bearer, Some(Secret::new("not-a-token")))?;
    let err = client.list_orders(&[]).await.err().ok_or("bad token accepted")?;
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.code(), "client.unauthorized");
    assert!(err.correlation_id().is_some_and(|c| c.len() >= 16));
    assert!(!err.is_rejection());
    server.shutdown().await;

    let (id, secret) = creds();
    let server =
        reference(AuthMode::ClientHeaders { client_id: id.clone(), client_secret: secret.clone() })
            .await?;
    let mut p = profile(server.base_url_v5());
    p.auth = AuthConfig::Headers { client_id: id };
    let client = Client::new(p.clone(), Some(Secret::new(secret)))?;
    client.create_order(&order_in(Version::V5, "2"), None).await?;
    assert!(Client::new(p, None).is_err(), "a secret is required");
    server.shutdown().await;
    Ok(())
}

#[derive(Clone, Default)]
struct Counter(Arc<AtomicUsize>);

#[tokio::test]
async fn retry_after_is_honoured_on_429_and_503() -> TestResult {
    let hits = Counter::default();
    let router = Router::new()
        .route(
            "/tmf/v4/productOrder",
            get(|State(c): State<Counter>| async move {
                match c.0.fetch_add(1, Ordering::SeqCst) {
                    0 => (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "1")], "slow down")
                        .into_response(),
                    1 => (StatusCode::SERVICE_UNAVAILABLE, [("retry-after", "1")], "{}")
                        .into_response(),
                    _ => axum::Json(json!([])).into_response(),
                }
            }),
        )
        .route(
            "/tmf/v4/productOrder/{id}",
            get(|State(c): State<Counter>| async move {
                c.0.fetch_add(100, Ordering::SeqCst);
                (StatusCode::SERVICE_UNAVAILABLE, [("retry-after", "3600")], "maintenance")
            }),
        )
        .with_state(hits.clone());
    let addr = serve(router).await?;
    let client =
        Client::new(profile(format!("http://{addr}/tmf/v4/")), None)?.with_retry(quick_retry());
    let started = Instant::now();
    assert!(client.list_orders(&[]).await?.is_empty());
    assert!(started.elapsed() >= Duration::from_secs(2), "waited {:?}", started.elapsed());
    assert_eq!(hits.0.load(Ordering::SeqCst), 3);

    // A wait longer than the policy allows is handed to the caller, not slept through: the
    // request was made once (the route counts in hundreds) and not tried again.
    let err = client.get_order("x").await.err().ok_or("no error")?;
    assert_eq!(hits.0.load(Ordering::SeqCst), 103, "one request, no retry");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert!(err.is_transient());
    assert_eq!(err.to_string().split(" (").next(), Some("maintenance"));
    Ok(())
}

#[tokio::test]
async fn malformed_huge_and_silent_answers_are_clear_errors() -> TestResult {
    let router = Router::new()
        .route("/t/v4/productOrder/bad", get(|| async { ([("content-type", "application/json")], "{\"id\": \"trunc<html>") }))
        .route("/t/v4/productOrder/huge", get(|| async { "x".repeat(orderdesk_client::DEFAULT_MAX_BODY + 1) }))
        .route("/t/v4/productOrder/list", get(|| async { axum::Json(json!({"not": "a list"})) }))
        .route(
            "/t/v4/productOrder/text",
            get(|| async { (StatusCode::BAD_REQUEST, "quantity must be positive") }),
        )
        .route(
            "/t/v4/productOrder/errors",
            get(|| async {
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    axum::Json(json!({"errors": [{"code": "Q1", "message": "bad quantity",
                        "description": "must be positive", "field": "productOrderItem[0].quantity"}]})),
                )
            }),
        );
    let addr = serve(router).await?;
    let client = Client::new(profile(format!("http://{addr}/t/v4/")), None)?;

    let err = client.get_order("bad").await.err().ok_or("accepted")?;
    assert!(matches!(err, ClientError::Malformed { status: 200, .. }), "{err:?}");
    assert!(err.outcome_unknown());

    let err = client.get_order("huge").await.err().ok_or("accepted")?;
    assert!(matches!(err, ClientError::TooLarge { .. }), "{err:?}");

    let err = client.get_order("text").await.err().ok_or("accepted")?;
    assert_eq!(err.to_string().split(" (HTTP").next(), Some("quantity must be positive"));
    assert!(err.is_rejection());

    let err = client.get_order("errors").await.err().ok_or("accepted")?;
    assert_eq!(err.field(), Some("productOrderItem[0].quantity"));
    assert!(err.to_string().starts_with("bad quantity: must be positive"), "{err}");

    // A server that accepts and never answers; it counts the connections it was offered.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let silent_addr = silent.local_addr()?;
    let accepted = Counter::default();
    let seen = accepted.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            seen.0.fetch_add(1, Ordering::SeqCst);
            held.push(socket);
        }
    });
    let mut p = profile(format!("http://{silent_addr}/t/v4/"));
    p.timeout_ms = 300;
    let client = Client::new(p, None)?.with_retry(quick_retry());
    let err = client.create_order(&order("1"), Some("k")).await.err().ok_or("answered")?;
    assert!(matches!(err, ClientError::Timeout { .. }), "{err:?}");
    assert!(err.outcome_unknown(), "a POST that timed out may have been processed");
    assert_eq!(accepted.0.load(Ordering::SeqCst), 1, "an unsafe request is not retried");

    // Nothing listening: the request never left.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let closed_addr = closed.local_addr()?;
    drop(closed);
    let client = Client::new(profile(format!("http://{closed_addr}/t/v4/")), None)?
        .with_retry(quick_retry());
    let err = client.create_order(&order("1"), None).await.err().ok_or("answered")?;
    assert!(matches!(err, ClientError::Unreachable { .. }), "{err:?}");
    assert!(!err.outcome_unknown());
    Ok(())
}

/// A server with the deviations seen in the wild: no `state` on orders, no count headers,
/// pages silently capped to 7, 206 answers, merge-patch refused, numeric-looking ids.
#[derive(Clone, Default)]
struct Deviant {
    orders: Arc<Mutex<Vec<Value>>>,
    patch_types: Arc<Mutex<Vec<String>>>,
}

/// The deviant server's ids are numbers; paths and filters carry them as text.
fn same_number(value: &Value, text: &str) -> bool {
    value.as_u64().is_some_and(|n| text.parse::<u64>().is_ok_and(|t| t == n))
}

async fn deviant_list(
    State(d): State<Deviant>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let orders = d.orders.lock().map(|o| o.clone()).unwrap_or_default();
    let offset: usize = q.get("offset").and_then(|v| v.parse().ok()).unwrap_or(0);
    let limit: usize = q.get("limit").and_then(|v| v.parse().ok()).unwrap_or(100).min(7);
    let matching: Vec<Value> = orders
        .into_iter()
        .filter(|o| q.get("externalId").is_none_or(|x| same_number(&o["externalId"], x)))
        .skip(offset)
        .take(limit)
        .collect();
    (StatusCode::PARTIAL_CONTENT, axum::Json(matching)).into_response()
}

async fn deviant_patch(
    State(d): State<Deviant>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let content_type =
        headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    if let Ok(mut seen) = d.patch_types.lock() {
        seen.push(content_type.clone());
    }
    if content_type != "application/json" {
        return (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported media type").into_response();
    }
    let Ok(patch) = serde_json::from_str::<Value>(&body) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let Ok(mut orders) = d.orders.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let Some(order) = orders.iter_mut().find(|o| same_number(&o["id"], &id)) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if let (Some(target), Some(changes)) = (order.as_object_mut(), patch.as_object()) {
        for (k, v) in changes {
            target.insert(k.clone(), v.clone());
        }
    }
    axum::Json(order.clone()).into_response()
}

#[tokio::test]
async fn deviations_of_real_servers_are_tolerated() -> TestResult {
    let deviant = Deviant::default();
    if let Ok(mut orders) = deviant.orders.lock() {
        for n in 0..50u32 {
            // Numeric ids and external ids, and no `state` at all.
            orders.push(json!({"id": 1000 + n, "externalId": 12345 + n,
                "href": "https://elsewhere.example/orders/x", "orderDate": "2026-01-01T00:00:00Z",
                "x-vendor-field": {"kept": true}}));
        }
    }
    let router = Router::new()
        .route("/api/v4/biz-7/productOrder", get(deviant_list))
        .route(
            "/api/v4/biz-7/productOrder/{id}",
            get(|State(d): State<Deviant>, Path(id): Path<String>| async move {
                let orders = d.orders.lock().map(|o| o.clone()).unwrap_or_default();
                match orders.into_iter().find(|o| same_number(&o["id"], &id)) {
                    Some(o) => axum::Json(o).into_response(),
                    None => StatusCode::NOT_FOUND.into_response(),
                }
            })
            .patch(deviant_patch),
        )
        .with_state(deviant.clone());
    let addr = serve(router).await?;
    let mut p = profile(format!("http://{addr}/api/v4/"));
    p.business_id = Some("biz-7".into());
    p.version = VersionChoice::Auto;
    p.page_size = 20;
    let client = Client::new(p, None)?;
    assert_eq!(client.version().await?, Version::V4, "from the URL");

    let all = client.list_orders(&[]).await?;
    assert_eq!(all.len(), 50, "paged to the end without counts, through the silent cap of 7");
    assert!(all.iter().all(|o| order_state(o).is_none()), "no state is invented");
    assert_eq!(all[0]["x-vendor-field"]["kept"], true, "extra fields are kept");

    let found = client.find_orders_by_external_id("12349").await?;
    assert_eq!(found.len(), 1, "numeric-looking filter values match");
    assert_eq!(found[0]["id"], 1004);

    let patched = client.patch_order("1004", &json!({"description": "new"})).await?;
    assert_eq!(patched["description"], "new");
    client.patch_order("1005", &json!({"description": "newer"})).await?;
    let types = deviant.patch_types.lock().map(|t| t.clone()).unwrap_or_default();
    assert_eq!(
        types,
        vec![
            "application/merge-patch+json",
            "application/json-patch+json",
            "application/json",
            "application/json"
        ],
        "fell back through JSON Patch once, then stayed with plain JSON"
    );
    Ok(())
}

#[tokio::test]
async fn customers_and_their_products_in_v4_and_v5() -> TestResult {
    let server = reference(AuthMode::None).await?;
    for url in [server.base_url_v4(), server.base_url_v5()] {
        let mut p = profile(url);
        // Paging too: the customer's products come in pages of two.
        p.page_size = 2;
        let client = Client::new(p, None)?;
        let ada = client.get_customer("CUST-000001").await?;
        assert_eq!(ada["name"], "Ada Lovelace");
        let found = client.list_customers(&[("name", "Ada Lovelace")]).await?;
        assert!(found.iter().all(|c| c["name"] == "Ada Lovelace"));
        assert!(found.iter().any(|c| c["id"] == "CUST-000001"));
        let products = client.list_customer_products("CUST-000001").await?;
        let mut offerings: Vec<&str> =
            products.iter().filter_map(|p| p["productOffering"]["id"].as_str()).collect();
        offerings.sort_unstable();
        assert_eq!(offerings, ["14277", "14305", "14344"]);
        let id = products.first().and_then(|p| p["id"].as_str()).ok_or("no product id")?;
        assert_eq!(client.get_product(id).await?["id"], id);
        match client.get_customer("CUST-999999").await {
            Err(e) => assert_eq!(e.status(), Some(404), "{e}"),
            Ok(c) => panic!("an unknown customer was found: {c}"),
        }
    }
    // Without a TMF622 segment to replace, the sibling roots cannot be derived.
    let client = Client::new(profile("http://127.0.0.1:9/api/orders/".into()), None)?;
    assert!(matches!(client.get_customer("x").await, Err(ClientError::Config(_))));
    Ok(())
}

#[tokio::test]
async fn a_customer_sent_twice_with_one_key_is_created_once() -> TestResult {
    let server = reference(AuthMode::None).await?;
    for (version, url) in [(Version::V4, server.base_url_v4()), (Version::V5, server.base_url_v5())]
    {
        let client = Client::new(profile(url), None)?;
        // Both versions share the server's customers: one name each.
        let name = format!("Grace Hopper {}", version.as_str());
        let body = orderdesk_wire::inventory::customer_create_payload(
            version,
            &name,
            "P-GH",
            Some("+1 202 555 0100"),
            None,
        );
        let key = format!("create-grace-{}", version.as_str());
        let first = client.create_customer(&body, &key).await?;
        let again = client.create_customer(&body, &key).await?;
        assert_eq!(first["id"], again["id"], "{version}: the resend is answered with the first");
        let listed = client.list_customers(&[("name", name.as_str())]).await?;
        assert_eq!(listed.len(), 1, "{version}: {listed:?}");
        // Another key is another creation.
        let other = client.create_customer(&body, &format!("{key}-2")).await?;
        assert_ne!(other["id"], first["id"]);
    }
    server.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_server_that_does_not_allow_creating_customers_says_so() -> TestResult {
    // Customers can be listed here, not created: POST is 405, and another root 404.
    let router = Router::new()
        .route("/tmf-api/customerManagement/v4/customer", get(|| async { axum::Json(json!([])) }));
    let addr = serve(router).await?;
    let body = orderdesk_wire::inventory::customer_create_payload(
        Version::V4,
        "Grace Hopper",
        "P-GH",
        None,
        None,
    );
    for (root, status) in
        [("productOrderingManagement", 405), ("elsewhere/productOrderingManagement", 404)]
    {
        let url = format!("http://{addr}/tmf-api/{root}/v4/");
        let client = Client::new(profile(url), None)?;
        let err = client.create_customer(&body, "k-1").await.err().ok_or("created")?;
        assert!(
            matches!(&err, ClientError::NotSupported { status: s, .. } if *s == status),
            "{err:?}"
        );
        assert_eq!(err.code(), "client.not_supported");
        assert!(err.to_string().starts_with("this server does not allow creating customers"));
    }
    Ok(())
}
