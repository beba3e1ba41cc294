//! Amending submitted orders through the services: an order the server still works on is
//! amended (the change on the server's order and on the timeline), the agent's mistakes and
//! the core's findings come back at their fields, an order the server finished is refused
//! with its code (at once when known, on the Sync screen when the server finished it in
//! between), and a server that refuses merge patch gets JSON Patch. A server's refusal of a
//! draft is shown wherever the draft is opened. A real database in a temp dir and the real
//! reference server in-process on 127.0.0.1 (behind a small proxy that refuses merge patch,
//! for the fallback).

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use orderdesk_error::ErrorCode;
use orderdesk_server::LifecycleConfig;
use orderdesk_service::{
    AmendInput, CharacteristicChange, EntryStatus, OrderDetailView, OrderState, ProfileInput,
    QuantityChange, Service, ServiceError, TimelineKind, Tuning, VersionChoice,
};
use serde_json::Value;

fn timing(acknowledged: u64, in_progress: u64) -> Tuning {
    Tuning {
        demo_lifecycle: LifecycleConfig {
            acknowledged_for: Duration::from_millis(acknowledged),
            in_progress_for: Duration::from_millis(in_progress),
            ..LifecycleConfig::default()
        },
        ..Tuning::default()
    }
}

/// A valid draft for `customer`, submitted and sent; returns the order's local number.
async fn sent_order(service: &Service, customer: &str) -> String {
    let draft = common::valid_draft(service, &format!("C-{customer}"), customer).await;
    service.submit(draft).await.expect("submit");
    service.sync_now().await.expect("sync");
    common::order_of(service, customer).await
}

fn kinds(detail: &OrderDetailView) -> Vec<TimelineKind> {
    detail.timeline.iter().map(|s| s.kind).collect()
}

fn day_in(days: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days)).format("%Y-%m-%d").to_string()
}

fn first_item(detail: &OrderDetailView) -> String {
    detail.items.first().map(|i| i.id.clone()).expect("an item")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_the_server_works_on_is_amended_and_the_timeline_shows_it() {
    // The order stays acknowledged (the server patches acknowledged, pending and held orders).
    let (_dir, service) = common::demo_with(timing(60_000, 60_000)).await;
    let id = sent_order(&service, "Ada Berg").await;
    let detail = service.order_detail(id.clone()).await.expect("detail");
    assert_eq!(detail.state, Some(OrderState::Acknowledged));
    assert!(detail.can_amend);
    let item = first_item(&detail);

    // The agent's mistakes and the core's findings come back at their fields, nothing queued.
    let bad = AmendInput {
        requested_start: Some("soon".into()),
        characteristics: vec![CharacteristicChange {
            item: item.clone(),
            name: "DATA_ALLOWANCE".into(),
            value: "50 GB".into(),
        }],
        ..AmendInput::default()
    };
    let problems = service.check_amendment(id.clone(), bad.clone()).await.expect("checked");
    assert!(problems.iter().any(|p| p.field.as_deref() == Some("requestedStart")), "{problems:?}");
    let err = service.amend_order(id.clone(), bad).await.expect_err("blocked");
    assert_eq!(err.code(), "service.amend_blocked");
    let not_allowed = AmendInput {
        characteristics: vec![CharacteristicChange {
            item: item.clone(),
            name: "DATA_ALLOWANCE".into(),
            value: "50 GB".into(),
        }],
        ..AmendInput::default()
    };
    match service.amend_order(id.clone(), not_allowed).await {
        Err(ServiceError::AmendBlocked(problems)) => {
            let at = problems
                .iter()
                .find(|p| p.item.as_deref() == Some(item.as_str()))
                .unwrap_or_else(|| panic!("a problem at the item: {problems:?}"));
            assert_eq!(at.field.as_deref(), Some("DATA_ALLOWANCE"), "{problems:?}");
        }
        other => panic!("the catalog's allowed values are checked: {other:?}"),
    }
    let nothing = service.amend_order(id.clone(), AmendInput::default()).await;
    assert_eq!(nothing.err().map(|e| e.code()), Some("service.invalid_input"));
    assert!(service.outbox().await.expect("outbox").is_empty(), "nothing was queued");

    let start = day_in(10);
    let detail = service
        .amend_order(
            id.clone(),
            AmendInput {
                note: Some(" Customer asked for a later start ".into()),
                requested_start: Some(start.clone()),
                quantities: vec![QuantityChange { item: item.clone(), quantity: 2 }],
                ..AmendInput::default()
            },
        )
        .await
        .expect("amendment queued");
    assert!(kinds(&detail).contains(&TimelineKind::AmendRequested), "{:?}", detail.timeline);

    let detail =
        common::sync_until(&service, &id, |d| kinds(d).contains(&TimelineKind::Amended)).await;
    let client = service.demo_client().await.expect("a client of the demo server");
    let remote = client.get_order(&detail.server_id).await.expect("the server's order");
    assert!(
        remote["requestedStartDate"].as_str().is_some_and(|d| d.starts_with(&start)),
        "{remote}"
    );
    let notes = remote["note"].as_array().cloned().unwrap_or_default();
    assert!(notes.iter().any(|n| n["text"] == "Customer asked for a later start"), "{remote}");
    let items = remote["productOrderItem"].as_array().cloned().unwrap_or_default();
    let amended = items.iter().find(|i| i["id"] == item.as_str()).expect("the item");
    assert_eq!(amended["quantity"], 2, "{remote}");
    assert!(detail.payload.contains("Customer asked for a later start"), "the local copy too");
    let entries = service.outbox().await.expect("outbox");
    assert!(entries.is_empty(), "delivered: {entries:?}");
    service.stop_demo().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_the_server_finished_is_not_amended() {
    let (_dir, service) = common::demo_with(timing(50, 50)).await;
    let id = sent_order(&service, "Bo Lind").await;
    let detail =
        common::sync_until(&service, &id, |d| d.state == Some(OrderState::Completed)).await;
    assert!(!detail.can_amend);
    let note = AmendInput { note: Some("too late".into()), ..AmendInput::default() };
    let err = service.amend_order(id.clone(), note).await.expect_err("refused");
    assert_eq!(err.code(), "sync.not_amendable");
    assert!(err.to_string().contains("completed"), "{err}");
    assert!(service.outbox().await.expect("outbox").is_empty());
    service.stop_demo().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_finished_after_the_amendment_was_queued_goes_to_the_sync_screen() {
    let (_dir, service) = common::demo_with(timing(3_000, 50)).await;
    let id = sent_order(&service, "Cy Holm").await;
    let detail = service.order_detail(id.clone()).await.expect("detail");
    assert_eq!(detail.state, Some(OrderState::Acknowledged), "seen as the server made it");
    service
        .amend_order(id.clone(), AmendInput { note: Some("later".into()), ..AmendInput::default() })
        .await
        .expect("queued while the local copy says acknowledged");
    // Wait, on the server itself, until it finished the order.
    let client = service.demo_client().await.expect("client");
    let started = Instant::now();
    loop {
        let remote = client.get_order(&detail.server_id).await.expect("order");
        if remote["state"] == "completed" {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(15), "{remote}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    service.sync_now().await.expect("sync");
    let entries = service.outbox().await.expect("outbox");
    let entry = entries.first().expect("the amendment waits for the agent");
    assert_eq!(entry.status, EntryStatus::NeedsAttention, "{entry:?}");
    assert!(entry.last_error.as_deref().is_some_and(|e| e.contains("completed")), "{entry:?}");
    service.stop_demo().await;
}

/// What the proxy in front of the reference server saw and refuses.
#[derive(Clone)]
struct Proxy {
    upstream: String,
    http: reqwest::Client,
    patch_types: Arc<Mutex<Vec<String>>>,
}

/// Forwards every request to the reference server, but refuses a PATCH that is not a JSON
/// Patch with 415, as a server that does not support merge patch does.
async fn proxy(
    State(p): State<Proxy>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type =
        headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    if method == Method::PATCH {
        if let Ok(mut seen) = p.patch_types.lock() {
            seen.push(content_type.clone());
        }
        if content_type != "application/json-patch+json" {
            return (StatusCode::UNSUPPORTED_MEDIA_TYPE, "merge patch is not supported")
                .into_response();
        }
    }
    let target = format!("{}{}", p.upstream, uri.path_and_query().map_or("", |q| q.as_str()));
    let Ok(method) = reqwest::Method::from_bytes(method.as_str().as_bytes()) else {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    };
    let mut request = p.http.request(method, target).body(body.to_vec());
    for (name, value) in &headers {
        if name.as_str() != "host" && name.as_str() != "content-length" {
            if let Ok(value) = value.to_str() {
                request = request.header(name.as_str(), value);
            }
        }
    }
    let Ok(answer) = request.send().await else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let status = StatusCode::from_u16(answer.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let kind = answer
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .to_owned();
    let bytes = answer.bytes().await.unwrap_or_default();
    (status, [("content-type", kind)], bytes.to_vec()).into_response()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_refuses_merge_patch_gets_json_patch() {
    let server = orderdesk_server::start(orderdesk_server::ServerConfig {
        lifecycle: LifecycleConfig {
            acknowledged_for: Duration::from_secs(60),
            in_progress_for: Duration::from_secs(60),
            ..LifecycleConfig::default()
        },
        ..orderdesk_server::ServerConfig::default()
    })
    .await
    .expect("reference server");
    let upstream = format!("http://{}", server.addr());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let state = Proxy {
        upstream: upstream.clone(),
        http: reqwest::Client::new(),
        patch_types: seen.clone(),
    };
    let router = axum::Router::new().fallback(proxy).with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, router).await });

    let dir = tempfile::tempdir().expect("temp dir");
    let service = Service::open(dir.path().to_path_buf()).expect("open");
    let order_url = server.base_url_v5().replace(&upstream, &format!("http://{addr}"));
    let saved = service
        .save_profile(ProfileInput {
            name: "strict".into(),
            order_url,
            catalog_url: server.catalog_url_v5(),
            version: VersionChoice::Auto,
            auth_mode: orderdesk_service::AuthMode::None,
            ..ProfileInput::default()
        })
        .await
        .expect("saved");
    assert!(saved.errors.is_empty(), "{:?}", saved.errors);
    service.refresh_catalog("strict".into()).await.expect("catalog");
    service.set_active_profile("strict".into()).await.expect("active");

    let id = sent_order(&service, "Di Falk").await;
    for (round, text) in ["first change", "second change"].into_iter().enumerate() {
        service
            .amend_order(
                id.clone(),
                AmendInput { note: Some(text.into()), ..AmendInput::default() },
            )
            .await
            .expect("queued");
        let detail = common::sync_until(&service, &id, |d| {
            d.timeline.iter().filter(|s| s.kind == TimelineKind::Amended).count() > round
        })
        .await;
        assert!(detail.payload.contains(text), "{}", detail.payload);
    }
    let types = seen.lock().map(|t| t.clone()).unwrap_or_default();
    assert_eq!(
        types,
        [
            "application/merge-patch+json",
            "application/json-patch+json",
            "application/json-patch+json"
        ],
        "merge patch refused once, JSON Patch kept for the profile"
    );
    let direct = orderdesk_client::Client::new(
        orderdesk_client::Profile::new("direct", server.base_url_v5()),
        None,
    )
    .expect("client");
    let detail = service.order_detail(id).await.expect("detail");
    let remote = direct.get_order(&detail.server_id).await.expect("order");
    let notes: Vec<&str> = remote["note"]
        .as_array()
        .map(|n| n.iter().filter_map(|n| n["text"].as_str()).collect())
        .unwrap_or_default();
    assert!(notes.contains(&"first change") && notes.contains(&"second change"), "{remote}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_draft_shows_the_servers_message_wherever_it_is_opened() {
    let (_dir, service) = common::demo_with(Tuning::default()).await;
    // The local catalog knows an offering the server does not: the server refuses the order.
    let mut catalog: Value =
        serde_json::from_str(orderdesk_server::catalog::DEMO_CATALOG).expect("demo catalog");
    let offerings = catalog["productOffering"].as_array_mut().expect("offerings");
    let mut local = offerings.iter().find(|o| o["id"] == "20006").cloned().expect("offering 20006");
    local["id"] = "99006".into();
    offerings.push(local);
    service.import_catalog(catalog.to_string(), "test".into()).await.expect("import");
    let state = service.new_draft().await.expect("draft");
    let draft = state.draft.id.clone();
    let state = service
        .edit(
            draft.clone(),
            state.draft.revision,
            orderdesk_service::Edit::AddOffering {
                offering_id: "99006".into(),
                parent: None,
                quantity: None,
            },
        )
        .await
        .expect("add");
    let item = state.draft.items[0].id.clone();
    service
        .edit(
            draft.clone(),
            state.draft.revision,
            orderdesk_service::Edit::SetCustomer {
                customer: Some(orderdesk_service::RefInput { id: "C-9".into(), name: "Di".into() }),
            },
        )
        .await
        .expect("customer");
    assert!(service.draft_refusal(draft.clone()).await.expect("none yet").is_none());
    service.submit(draft.clone()).await.expect("submit");
    service.sync_now().await.expect("sync");

    // Opened from Orders: the refusal is there, at the item the server named.
    let refusal = service.draft_refusal(draft.clone()).await.expect("read").expect("refused");
    assert!(refusal.message.contains("99006"), "{refusal:?}");
    assert_eq!(refusal.item.as_deref(), Some(item.as_str()), "{refusal:?}");
    // Opened with Fix from Sync: the same message, and still there afterwards.
    let entry = service.outbox().await.expect("outbox").remove(0);
    let target = service.fix_entry(entry.id).await.expect("fix");
    assert_eq!(target.message.as_deref(), Some(refusal.message.as_str()));
    assert_eq!(target.item, refusal.item);
    let again = service.draft_refusal(draft.clone()).await.expect("read").expect("still shown");
    assert_eq!(again.message, refusal.message);
    // Submitted again, the old refusal is no longer the draft's.
    service.submit(draft.clone()).await.expect("submit again");
    assert!(service.draft_refusal(draft).await.expect("read").is_none());
    service.stop_demo().await;
}
