//! Integration tests over real HTTP against the server started in-process on 127.0.0.1:0.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use orderdesk_server::{
    start, AuthMode, CatalogSource, FaultConfig, LifecycleConfig, RunningServer, ServerConfig,
};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

fn fast() -> LifecycleConfig {
    LifecycleConfig {
        acknowledged_for: Duration::from_millis(40),
        in_progress_for: Duration::from_millis(80),
        cancel_step: Duration::from_millis(40),
        fail_value: "FAIL".into(),
    }
}

/// Slow enough that an order is still `acknowledged` when the test acts on it.
fn slow() -> LifecycleConfig {
    LifecycleConfig {
        acknowledged_for: Duration::from_secs(30),
        in_progress_for: Duration::from_secs(30),
        cancel_step: Duration::from_millis(40),
        fail_value: "FAIL".into(),
    }
}

async fn server(
    lifecycle: LifecycleConfig,
) -> Result<RunningServer, orderdesk_server::ServerError> {
    start(ServerConfig { lifecycle, ..ServerConfig::default() }).await
}

/// A server whose hub may call back listeners on 127.0.0.1 (the tests' listeners).
async fn hub_server(
    lifecycle: LifecycleConfig,
) -> Result<RunningServer, orderdesk_server::ServerError> {
    start(ServerConfig { lifecycle, allow_private_callbacks: true, ..ServerConfig::default() })
        .await
}

/// The TMF622 user guide's TMF25 order.
/// The guide's order as a v5 client sends it (`@type` on every entity, as `ProductOrder_FVO`
/// requires).
fn guide_order_v5() -> Value {
    orderdesk_wire::convert::order_v4_to_v5(guide_order())
}

fn guide_order() -> Value {
    json!({
        "externalId": "PO-456",
        "priority": "1",
        "description": "TMF25 mobile bundle",
        "category": "B2C product order",
        "requestedStartDate": "2026-12-01T09:00:00Z",
        "requestedCompletionDate": "2026-12-05T09:00:00Z",
        "relatedParty": [{"id": "456-dd-df45", "name": "Joe Doe", "role": "Seller", "@referredType": "Individual"}],
        "productOrderItem": [
            {"id": "100", "quantity": 1, "action": "add",
             "productOffering": {"id": "14277", "name": "TMF25"},
             "productOrderItemRelationship": [
                {"id": "110", "relationshipType": "bundles"},
                {"id": "120", "relationshipType": "bundles"},
                {"id": "130", "relationshipType": "bundles"}]},
            {"id": "110", "quantity": 1, "action": "add",
             "productOffering": {"id": "14305", "name": "Mobile Telephony"},
             "product": {"productCharacteristic": [{"name": "TEL_MSISDN", "value": "415 279 7439"}]}},
            {"id": "120", "quantity": 1, "action": "add",
             "productOffering": {"id": "14344", "name": "Tariff Plan"}},
            {"id": "130", "quantity": 1, "action": "add",
             "productOffering": {"id": "14354", "name": "Coverage Options"},
             "product": {"productCharacteristic": [{"name": "CoverageOptions", "value": "National"}]}}
        ]
    })
}

fn simple_order(value: &str) -> Value {
    json!({"productOrderItem": [{"id": "1", "action": "add", "productOffering": {"id": "14305"},
        "product": {"productCharacteristic": [{"name": "TEL_MSISDN", "value": value}]}}]})
}

async fn poll<F, Fut>(
    what: &str,
    mut f: F,
) -> Result<Value, Box<dyn std::error::Error + Send + Sync>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<Value>, Box<dyn std::error::Error + Send + Sync>>>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(v) = f().await? {
            return Ok(v);
        }
        if Instant::now() > deadline {
            return Err(format!("timed out waiting for {what}").into());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn wait_state(
    c: &Client,
    url: &str,
    state: &str,
) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
    poll(state, || async {
        let v: Value = c.get(url).send().await?.json().await?;
        Ok((v["state"] == state).then_some(v))
    })
    .await
}

async fn post(
    c: &Client,
    url: &str,
    body: &Value,
) -> Result<(StatusCode, Value), Box<dyn std::error::Error + Send + Sync>> {
    let r = c.post(url).json(body).send().await?;
    let status = r.status();
    Ok((status, r.json().await?))
}

fn count_header(r: &reqwest::Response, name: &str) -> Option<u64> {
    r.headers().get(name)?.to_str().ok()?.parse().ok()
}

#[tokio::test]
async fn order_crud_v4() -> TestResult {
    let s = server(slow()).await?;
    let c = Client::new();
    let base = s.base_url_v4();
    let r = c.post(format!("{base}productOrder")).json(&guide_order()).send().await?;
    assert_eq!(r.status(), StatusCode::CREATED);
    let location = r.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let o: Value = r.json().await?;
    let id = o["id"].as_str().ok_or("no id")?.to_owned();
    assert_eq!(o["state"], "acknowledged");
    assert_eq!(o["href"], format!("{base}productOrder/{id}"));
    assert_eq!(location.as_deref(), o["href"].as_str());
    assert!(o["orderDate"].as_str().is_some_and(|d| d.ends_with('Z')));
    assert!(o.get("creationDate").is_none());
    assert_eq!(o["productOrderItem"][1]["state"], "acknowledged");
    assert_eq!(o["externalId"], "PO-456");

    let got: Value = c.get(format!("{base}productOrder/{id}")).send().await?.json().await?;
    assert_eq!(got, o);

    let r = c.get(format!("{base}productOrder")).send().await?;
    assert_eq!(count_header(&r, "x-total-count"), Some(1));
    assert_eq!(count_header(&r, "x-result-count"), Some(1));
    let list: Value = r.json().await?;
    assert_eq!(list[0]["id"], id.as_str());

    let r = c.delete(format!("{base}productOrder/{id}")).send().await?;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = c.get(format!("{base}productOrder/{id}")).send().await?;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let e: Value = r.json().await?;
    assert_eq!(e["@type"], "Error");
    assert_eq!(e["code"], "notFound");
    assert_eq!(e["status"], "404");
    assert!(e["reason"].is_string());
    let r = c.delete(format!("{base}productOrder/{id}")).send().await?;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = c.put(format!("{base}productOrder/{id}")).json(&guide_order()).send().await?;
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.json::<Value>().await?["@type"], "Error");
    let r = c.get(format!("{base}productOrder")).send().await?;
    assert_eq!(count_header(&r, "x-total-count"), Some(0));
    assert_eq!(count_header(&r, "x-result-count"), Some(0));
    s.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn v5_shapes_and_shared_storage() -> TestResult {
    let s = server(slow()).await?;
    let c = Client::new();
    let mut order = guide_order_v5();
    order["relatedParty"] = json!([{"role": "customer", "@type": "RelatedPartyRefOrPartyRoleRef",
        "partyOrPartyRole": {"id": "p-1", "name": "Jane", "@referredType": "Individual", "@type": "PartyRef"}}]);
    let (status, o) = post(&c, &format!("{}productOrder", s.base_url_v5()), &order).await?;
    assert_eq!(status, StatusCode::CREATED);
    assert!(o["creationDate"].is_string());
    assert!(o.get("orderDate").is_none());
    assert_eq!(o["@type"], "ProductOrder");
    assert_eq!(o["relatedParty"][0]["partyOrPartyRole"]["id"], "p-1");
    let id = o["id"].as_str().ok_or("no id")?;
    assert!(o["href"].as_str().is_some_and(|h| h.contains("/v5/productOrder/")));
    let v4: Value =
        c.get(format!("{}productOrder/{id}", s.base_url_v4())).send().await?.json().await?;
    assert_eq!(v4["orderDate"], o["creationDate"]);
    assert_eq!(v4["relatedParty"][0]["id"], "p-1");
    assert_eq!(v4["relatedParty"][0]["role"], "customer");
    let r = c
        .get(format!(
            "{}productOrder?creationDate.gte={}",
            s.base_url_v5(),
            o["creationDate"].as_str().unwrap_or_default()
        ))
        .send()
        .await?;
    assert_eq!(count_header(&r, "x-total-count"), Some(1));
    s.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn validation_errors_name_the_field() -> TestResult {
    let s = server(slow()).await?;
    let c = Client::new();
    let url = format!("{}productOrder", s.base_url_v4());
    let (st, e) = post(&c, &url, &json!({"relatedParty": []})).await?;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(e["message"].as_str().is_some_and(|m| m.contains("productOrderItem")));
    let (st, e) =
        post(&c, &url, &json!({"productOrderItem": [{"id": "1", "action": "buy"}]})).await?;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(e["message"].as_str().is_some_and(|m| m.contains("/productOrderItem/0/action")));
    let r =
        c.post(&url).header("content-type", "application/json").body("{not json").send().await?;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let e: Value = r.json().await?;
    assert_eq!(e["code"], "body.json");

    let mut unknown = guide_order();
    unknown["productOrderItem"][2]["productOffering"]["id"] = json!("999999");
    let (st, e) = post(&c, &url, &unknown).await?;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["code"], "offering.unknown");
    assert!(e["message"]
        .as_str()
        .is_some_and(|m| m.contains("/productOrderItem/2/productOffering/id")));

    let mut missing = guide_order();
    missing["productOrderItem"][1]["product"] = json!({"productCharacteristic": []});
    let (st, e) = post(&c, &url, &missing).await?;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["code"], "characteristic.missing");
    assert!(e["message"].as_str().is_some_and(|m| m.contains("TEL_MSISDN")));

    let mut value = guide_order();
    value["productOrderItem"][3]["product"]["productCharacteristic"][0]["value"] =
        json!("Galactic");
    let (st, e) = post(&c, &url, &value).await?;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["code"], "characteristic.value");

    let mut card = guide_order();
    card["productOrderItem"][0]["productOrderItemRelationship"] =
        json!([{"id": "110", "relationshipType": "bundles"}]);
    let (st, e) = post(&c, &url, &card).await?;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["code"], "bundle.cardinality");

    // Nothing was stored by the refused requests.
    let r = c.get(&url).send().await?;
    assert_eq!(count_header(&r, "x-total-count"), Some(0));
    s.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn lifecycle_completes_fails_and_goes_partial() -> TestResult {
    let s = server(fast()).await?;
    let c = Client::new();
    let url = format!("{}productOrder", s.base_url_v4());
    let (_, ok) = post(&c, &url, &guide_order()).await?;
    let (_, bad) = post(&c, &url, &simple_order("FAIL")).await?;
    let mut mixed = guide_order();
    mixed["productOrderItem"][1]["product"]["productCharacteristic"][0]["value"] = json!("FAIL");
    let (_, part) = post(&c, &url, &mixed).await?;
    let href = |v: &Value| v["href"].as_str().unwrap_or_default().to_owned();
    let done = wait_state(&c, &href(&ok), "completed").await?;
    assert!(done["completionDate"].is_string());
    assert!(done["productOrderItem"]
        .as_array()
        .is_some_and(|l| l.iter().all(|i| i["state"] == "completed")));
    let failed = wait_state(&c, &href(&bad), "failed").await?;
    assert_eq!(failed["productOrderItem"][0]["state"], "failed");
    let partial = wait_state(&c, &href(&part), "partial").await?;
    assert_eq!(partial["productOrderItem"][1]["state"], "failed");
    assert_eq!(partial["productOrderItem"][2]["state"], "completed");
    s.shutdown().await;
    Ok(())
}

/// A listener endpoint that records every event it receives.
async fn listener(
) -> Result<(String, Arc<Mutex<Vec<Value>>>), Box<dyn std::error::Error + Send + Sync>> {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let app = axum::Router::new().route(
        "/listener",
        axum::routing::post(move |axum::Json(v): axum::Json<Value>| {
            let sink = Arc::clone(&sink);
            async move {
                if let Ok(mut g) = sink.lock() {
                    g.push(v);
                }
                axum::http::StatusCode::CREATED
            }
        }),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = l.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(l, app).await;
    });
    Ok((format!("http://{addr}/listener"), events))
}

fn events_of(events: &Arc<Mutex<Vec<Value>>>) -> Vec<Value> {
    events.lock().map(|g| g.clone()).unwrap_or_default()
}

#[tokio::test]
async fn cancellation_state_machine_and_hub_events() -> TestResult {
    let s = hub_server(slow()).await?;
    let c = Client::new();
    let (callback, events) = listener().await?;
    let r = c
        .post(format!("{}hub", s.base_url_v4()))
        .json(&json!({"callback": callback}))
        .send()
        .await?;
    assert_eq!(r.status(), StatusCode::CREATED);
    let hub: Value = r.json().await?;
    assert_eq!(hub["callback"], callback.as_str());

    let (_, o) = post(&c, &format!("{}productOrder", s.base_url_v4()), &guide_order()).await?;
    let oid = o["id"].as_str().ok_or("no id")?;
    let (st, task) = post(
        &c,
        &format!("{}cancelProductOrder", s.base_url_v4()),
        &json!({"productOrder": {"id": oid}, "cancellationReason": "customer changed mind"}),
    )
    .await?;
    assert_eq!(st, StatusCode::CREATED);
    assert_eq!(task["state"], "acknowledged");
    let task_url = task["href"].as_str().ok_or("no href")?;
    let done = wait_state(&c, task_url, "done").await?;
    assert!(done["effectiveCancellationDate"].is_string());
    let order = wait_state(&c, o["href"].as_str().unwrap_or_default(), "cancelled").await?;
    assert_eq!(order["cancellationReason"], "customer changed mind");
    assert!(order["productOrderItem"]
        .as_array()
        .is_some_and(|l| l.iter().all(|i| i["state"] == "cancelled")));

    let r = c.get(format!("{}cancelProductOrder", s.base_url_v4())).send().await?;
    assert_eq!(count_header(&r, "x-total-count"), Some(1));

    // Events arrive in order: the order's states and the task's states.
    let evs = poll("events", || {
        let events = Arc::clone(&events);
        async move {
            let evs = events_of(&events);
            let task_done = evs.iter().any(|e| {
                e["eventType"] == "CancelProductOrderStateChangeEvent"
                    && e["event"]["cancelProductOrder"]["state"] == "done"
            });
            Ok(task_done.then(|| Value::Array(evs)))
        }
    })
    .await?;
    let evs = evs.as_array().cloned().unwrap_or_default();
    assert_eq!(evs[0]["eventType"], "ProductOrderCreateEvent");
    assert!(evs[0]["eventId"].is_string() && evs[0]["eventTime"].is_string());
    let order_states: Vec<&str> = evs
        .iter()
        .filter(|e| e["eventType"] == "ProductOrderStateChangeEvent")
        .filter_map(|e| e["event"]["productOrder"]["state"].as_str())
        .collect();
    assert_eq!(order_states, ["assessingCancellation", "pendingCancellation", "cancelled"]);
    let task_states: Vec<&str> = evs
        .iter()
        .filter(|e| e["eventType"].as_str().is_some_and(|t| t.starts_with("CancelProductOrder")))
        .filter_map(|e| e["event"]["cancelProductOrder"]["state"].as_str())
        .collect();
    assert_eq!(task_states, ["acknowledged", "inProgress", "done"]);

    // After unregistering, nothing more arrives.
    let hub_id = hub["id"].as_str().ok_or("no hub id")?;
    let r = c.delete(format!("{}hub/{hub_id}", s.base_url_v4())).send().await?;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let before = events_of(&events).len();
    post(&c, &format!("{}productOrder", s.base_url_v4()), &guide_order()).await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(events_of(&events).len(), before);
    s.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn cancelling_a_completed_order_terminates_with_error() -> TestResult {
    let s = server(fast()).await?;
    let c = Client::new();
    let (_, o) = post(&c, &format!("{}productOrder", s.base_url_v5()), &guide_order_v5()).await?;
    wait_state(&c, o["href"].as_str().unwrap_or_default(), "completed").await?;
    let (st, task) = post(
        &c,
        &format!("{}cancelProductOrder", s.base_url_v5()),
        &json!({"@type": "CancelProductOrder",
                "productOrder": {"id": o["id"], "@type": "ProductOrderRef"}}),
    )
    .await?;
    assert_eq!(st, StatusCode::CREATED);
    assert_eq!(task["@type"], "CancelProductOrder");
    let t =
        wait_state(&c, task["href"].as_str().unwrap_or_default(), "terminatedWithError").await?;
    assert!(t["errorMessage"].as_str().is_some_and(|m| m.contains("completed")));
    let order: Value = c.get(o["href"].as_str().unwrap_or_default()).send().await?.json().await?;
    assert_eq!(order["state"], "completed");
    let (st, e) = post(
        &c,
        &format!("{}cancelProductOrder", s.base_url_v5()),
        &json!({"@type": "CancelProductOrder",
                "productOrder": {"id": "nope", "@type": "ProductOrderRef"}}),
    )
    .await?;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["message"].as_str().is_some_and(|m| m.contains("productOrder.id")));
    let (st, _) = post(&c, &format!("{}cancelProductOrder", s.base_url_v5()), &json!({})).await?;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let r = c.get(format!("{}cancelProductOrder/nope", s.base_url_v5())).send().await?;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    s.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn list_conventions() -> TestResult {
    let s = server(slow()).await?;
    let c = Client::new();
    let url = format!("{}productOrder", s.base_url_v4());
    let mut dates = Vec::new();
    for p in ["3", "1", "2", "1", "4"] {
        let mut o = guide_order();
        o["priority"] = json!(p);
        o["description"] = json!(format!("priority {p}"));
        let (_, created) = post(&c, &url, &o).await?;
        dates.push(created["orderDate"].as_str().unwrap_or_default().to_owned());
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    let get = |q: &str| c.get(format!("{url}?{q}")).send();
    let r = get("priority=1").await?;
    assert_eq!(count_header(&r, "x-total-count"), Some(2));
    let r = get("sort=-priority&limit=2").await?;
    assert_eq!(count_header(&r, "x-total-count"), Some(5));
    assert_eq!(count_header(&r, "x-result-count"), Some(2));
    let v: Value = r.json().await?;
    assert_eq!(v[0]["priority"], "4");
    assert_eq!(v[1]["priority"], "3");
    let r = get("sort=priority,-description&offset=1&limit=3").await?;
    let v: Value = r.json().await?;
    let prios: Vec<&str> = v
        .as_array()
        .map(|l| l.iter().filter_map(|o| o["priority"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(prios, ["1", "2", "3"]);
    let r = get(&format!("orderDate.gt={}", dates[1])).await?;
    assert_eq!(count_header(&r, "x-total-count"), Some(3));
    let r = get(&format!("orderDate.lte={}&priority.gte=3", dates[2])).await?;
    assert_eq!(count_header(&r, "x-total-count"), Some(1));
    let r = get("productOrderItem.productOffering.id=14305&priority.lt=2").await?;
    assert_eq!(count_header(&r, "x-total-count"), Some(2));
    let r = get("fields=priority&priority=2").await?;
    let v: Value = r.json().await?;
    let keys: Vec<&String> = v[0].as_object().map(|o| o.keys().collect()).unwrap_or_default();
    assert_eq!(keys, ["id", "href", "@type", "priority"]);
    let r = get("priority=9").await?;
    assert_eq!(count_header(&r, "x-total-count"), Some(0));
    assert_eq!(count_header(&r, "x-result-count"), Some(0));
    assert_eq!(r.json::<Value>().await?, json!([]));
    let r = get("limit=abc").await?;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    s.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn patch_media_types_and_states() -> TestResult {
    let s = server(slow()).await?;
    let c = Client::new();
    let (_, o) = post(&c, &format!("{}productOrder", s.base_url_v4()), &guide_order()).await?;
    let v4 = o["href"].as_str().unwrap_or_default().to_owned();
    let id = o["id"].as_str().unwrap_or_default();
    let v5 = format!("{}productOrder/{id}", s.base_url_v5());
    let patch = |url: &str, ctype: &str, body: Value| {
        c.patch(url).header("content-type", ctype).body(body.to_string()).send()
    };

    let r = patch(
        &v4,
        "application/merge-patch+json",
        json!({"description": "merged", "category": null}),
    )
    .await?;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await?;
    assert_eq!(v["description"], "merged");
    assert!(v.get("category").is_none());
    let r = patch(&v4, "application/json", json!({"priority": "2"})).await?;
    assert_eq!(r.status(), StatusCode::OK);
    let mut items = o["productOrderItem"].clone();
    if let Some(list) = items.as_array_mut() {
        list.push(json!({"id": "200", "action": "add", "productOffering": {"id": "14305"},
            "product": {"productCharacteristic": [{"name": "TEL_MSISDN", "value": "415 279 0000"}]}}));
    }
    let r = patch(&v4, "application/merge-patch+json", json!({"productOrderItem": items})).await?;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await?;
    assert_eq!(v["productOrderItem"][4]["state"], "acknowledged");
    let r = patch(
        &v4,
        "application/json-patch+json",
        json!([{"op": "replace", "path": "/priority", "value": "3"}]),
    )
    .await?;
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let r = patch(&v5, "application/json-patch+json", json!([{"op": "replace", "path": "/priority", "value": "3"}, {"op": "add", "path": "/note", "value": [{"text": "call first", "@type": "Note"}]}])).await?;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await?;
    assert_eq!(v["priority"], "3");
    assert_eq!(v["creationDate"], o["orderDate"]);
    let r =
        patch(&v5, "application/json-patch+json", json!([{"op": "remove", "path": "/nothing"}]))
            .await?;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = patch(&v4, "text/plain", json!({})).await?;
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let r = patch(&v4, "application/merge-patch+json", json!({"state": "completed"})).await?;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await?;
    assert_eq!(e["code"], "field.readOnly");
    let r = patch(&v4, "application/merge-patch+json", json!({"productOrderItem": [{"id": "1", "action": "add", "productOffering": {"id": "nope"}}]})).await?;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = patch(&format!("{}productOrder/nope", s.base_url_v4()), "application/json", json!({}))
        .await?;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    s.shutdown().await;

    // Once the order has moved on, PATCH is refused with the reason.
    let s = server(fast()).await?;
    let (_, o) = post(&c, &format!("{}productOrder", s.base_url_v4()), &guide_order()).await?;
    let url = o["href"].as_str().unwrap_or_default().to_owned();
    wait_state(&c, &url, "completed").await?;
    let r = patch(&url, "application/merge-patch+json", json!({"description": "late"})).await?;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let e: Value = r.json().await?;
    assert!(e["message"].as_str().is_some_and(|m| m.contains("completed")));
    s.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn idempotency_key_replays_the_first_answer() -> TestResult {
    let s = server(slow()).await?;
    let c = Client::new();
    let url = format!("{}productOrder", s.base_url_v4());
    let send = || c.post(&url).header("idempotency-key", "k-123").json(&guide_order()).send();
    let (a, b) = tokio::join!(send(), send());
    let (a, b): (Value, Value) = (a?.json().await?, b?.json().await?);
    let third = send().await?;
    assert_eq!(third.status(), StatusCode::CREATED);
    let c3: Value = third.json().await?;
    assert_eq!(a["id"], b["id"]);
    assert_eq!(a, c3);
    let other = c.post(&url).header("idempotency-key", "k-456").json(&guide_order()).send().await?;
    let other: Value = other.json().await?;
    assert_ne!(other["id"], a["id"]);
    let r = c.get(&url).send().await?;
    assert_eq!(count_header(&r, "x-total-count"), Some(2));
    // The same key with a different request is refused, not replayed.
    let mut changed = guide_order();
    changed["description"] = json!("something else");
    let r = c.post(&url).header("idempotency-key", "k-123").json(&changed).send().await?;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await?;
    assert_eq!(e["code"], "idempotency.keyReused");
    // Re-indenting the same request is still the same request.
    let pretty = serde_json::to_string_pretty(&guide_order())?;
    let r = c
        .post(&url)
        .header("idempotency-key", "k-123")
        .header("content-type", "application/json")
        .body(pretty)
        .send()
        .await?;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(r.headers().get("idempotency-replayed").and_then(|v| v.to_str().ok()), Some("true"));
    s.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn oauth2_client_credentials() -> TestResult {
    let s = start(ServerConfig {
        auth: AuthMode::OAuth2 { client_id: "app".into(), client_secret: "s3cret".into() },
        lifecycle: slow(),
        ..ServerConfig::default()
    })
    .await?;
    let c = Client::new();
    let url = format!("{}productOrder", s.base_url_v4());
    let r = c.get(&url).send().await?;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let e: Value = r.json().await?;
    assert_eq!(e["@type"], "Error");
    let r = c.get(&url).bearer_auth("made-up").send().await?;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let form = |secret: &str| {
        format!("grant_type=client_credentials&client_id=app&client_secret={secret}")
    };
    let r = c
        .post(s.token_url())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form("wrong"))
        .send()
        .await?;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = c
        .post(s.token_url())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form("s3cret"))
        .send()
        .await?;
    assert_eq!(r.status(), StatusCode::OK);
    let t: Value = r.json().await?;
    assert_eq!(t["token_type"], "Bearer");
    let token = t["access_token"].as_str().ok_or("no token")?;
    let r = c.get(&url).bearer_auth(token).send().await?;
    assert_eq!(r.status(), StatusCode::OK);
    // HTTP Basic client authentication works too.
    let r = c
        .post(s.token_url())
        .basic_auth("app", Some("s3cret"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await?;
    assert_eq!(r.status(), StatusCode::OK);
    s.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn client_id_headers_with_correlation_id() -> TestResult {
    let s = start(ServerConfig {
        auth: AuthMode::ClientHeaders { client_id: "app".into(), client_secret: "s3cret".into() },
        lifecycle: slow(),
        ..ServerConfig::default()
    })
    .await?;
    let c = Client::new();
    let url = format!("{}productOffering", s.catalog_url_v4());
    let req = |id: &str, secret: &str, corr: Option<&str>| {
        let mut b = c.get(&url).header("client_id", id).header("client_secret", secret);
        if let Some(corr) = corr {
            b = b.header("x-correlation-id", corr);
        }
        b.send()
    };
    assert_eq!(req("app", "s3cret", Some("0123456789abcdef-+/=_")).await?.status(), StatusCode::OK);
    assert_eq!(req("app", "s3cret", None).await?.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(req("app", "s3cret", Some("too-short")).await?.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        req("app", "s3cret", Some("0123456789abcdef!!")).await?.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        req("app", "wrong", Some("0123456789abcdef")).await?.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(c.get(&url).send().await?.status(), StatusCode::UNAUTHORIZED);
    s.shutdown().await;
    Ok(())
}

async fn faulty(faults: FaultConfig) -> Result<RunningServer, orderdesk_server::ServerError> {
    start(ServerConfig { faults, lifecycle: slow(), ..ServerConfig::default() }).await
}

#[tokio::test]
async fn fault_error_rate_and_latency() -> TestResult {
    let c = Client::new();
    let s = faulty(FaultConfig { error_rate: 1.0, ..FaultConfig::default() }).await?;
    for _ in 0..10 {
        let r = c.get(format!("{}productOrder", s.base_url_v4())).send().await?;
        assert!([429, 500, 503].contains(&r.status().as_u16()), "status {}", r.status());
        assert_eq!(r.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("1"));
        let e: Value = r.json().await?;
        assert_eq!(e["@type"], "Error");
    }
    s.shutdown().await;

    let s = faulty(FaultConfig { latency: Duration::from_millis(150), ..FaultConfig::default() })
        .await?;
    let t = Instant::now();
    let r = c.get(format!("{}category", s.catalog_url_v4())).send().await?;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(t.elapsed() >= Duration::from_millis(150));
    s.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn fault_drop_after_commit_and_malformed() -> TestResult {
    let c = Client::new();
    let s = faulty(FaultConfig { drop_after_commit: 1.0, ..FaultConfig::default() }).await?;
    let url = format!("{}productOrder", s.base_url_v4());
    let first =
        c.post(&url).header("idempotency-key", "retry-me").json(&guide_order()).send().await;
    assert!(first.is_err(), "the connection should close without an answer");
    // The order was committed all the same, exactly once, even after a retry.
    let again =
        c.post(&url).header("idempotency-key", "retry-me").json(&guide_order()).send().await;
    assert!(again.is_err());
    let r = c.get(&url).send().await?;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(count_header(&r, "x-total-count"), Some(1));
    s.shutdown().await;

    let s = faulty(FaultConfig { malformed_rate: 1.0, ..FaultConfig::default() }).await?;
    let r = c.get(format!("{}productOffering", s.catalog_url_v4())).send().await?;
    assert_eq!(r.status(), StatusCode::OK);
    let text = r.text().await?;
    assert!(serde_json::from_str::<Value>(&text).is_err());
    s.shutdown().await;

    assert!(faulty(FaultConfig { error_rate: 1.5, ..FaultConfig::default() }).await.is_err());
    Ok(())
}

#[tokio::test]
async fn catalog_endpoints() -> TestResult {
    let s = server(slow()).await?;
    let c = Client::new();
    for coll in ["productOffering", "productOfferingPrice", "productSpecification", "category"] {
        let r = c.get(format!("{}{coll}", s.catalog_url_v4())).send().await?;
        assert_eq!(r.status(), StatusCode::OK, "{coll}");
        let total = count_header(&r, "x-total-count").ok_or("no total")?;
        assert!(total > 0);
        let v: Value = r.json().await?;
        assert_eq!(v.as_array().map(Vec::len), usize::try_from(total).ok());
    }
    let r = c.get(format!("{}productOffering/14277", s.catalog_url_v4())).send().await?;
    let tmf25: Value = r.json().await?;
    assert_eq!(tmf25["name"], "TMF25");
    assert_eq!(tmf25["href"], format!("{}productOffering/14277", s.catalog_url_v4()));
    let r = c.get(format!("{}productOfferingPrice/14346", s.catalog_url_v5())).send().await?;
    let discount: Value = r.json().await?;
    assert_eq!(discount["name"], "WelcomeDiscount");
    assert_eq!(discount["@type"], "ProductOfferingPrice");
    let r = c
        .get(format!("{}productOffering?lastUpdate.gt=2026-01-15T09:00:00Z", s.catalog_url_v4()))
        .send()
        .await?;
    assert_eq!(count_header(&r, "x-total-count"), Some(0));
    let r = c
        .get(format!(
            "{}productOffering?lastUpdate.gt=2025-12-31T00:00:00Z&isBundle=true&fields=name",
            s.catalog_url_v4()
        ))
        .send()
        .await?;
    let bundles: Value = r.json().await?;
    assert!(bundles
        .as_array()
        .is_some_and(|l| l.len() >= 4 && l.iter().all(|b| b.get("isBundle").is_none())));
    let r = c
        .get(format!(
            "{}productOffering?category.id=cat-tv-packs&sort=name&limit=2",
            s.catalog_url_v4()
        ))
        .send()
        .await?;
    assert_eq!(count_header(&r, "x-total-count"), Some(6));
    let v: Value = r.json().await?;
    assert_eq!(v[0]["name"], "TV Basic");
    let r = c.get(format!("{}productOffering/nope", s.catalog_url_v4())).send().await?;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = c.get(format!("{}resource", s.catalog_url_v4())).send().await?;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = c
        .get(format!("{}/tmf-api/productCatalogManagement/v3/category", s.base_url()))
        .send()
        .await?;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    s.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn sqlite_file_survives_a_restart() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("server.db");
    let config =
        || ServerConfig { db: Some(db.clone()), lifecycle: slow(), ..ServerConfig::default() };
    let s = start(config()).await?;
    let c = Client::new();
    let (_, o) = post(&c, &format!("{}productOrder", s.base_url_v4()), &guide_order()).await?;
    s.shutdown().await;
    let s = start(config()).await?;
    let r = c
        .get(format!("{}productOrder/{}", s.base_url_v4(), o["id"].as_str().unwrap_or_default()))
        .send()
        .await?;
    assert_eq!(r.status(), StatusCode::OK);
    let again: Value = r.json().await?;
    assert_eq!(again["orderDate"], o["orderDate"]);
    s.shutdown().await;
    // An order left acknowledged by the stopped server moves on after a restart.
    let s =
        start(ServerConfig { db: Some(db.clone()), lifecycle: fast(), ..ServerConfig::default() })
            .await?;
    let url = format!("{}productOrder/{}", s.base_url_v4(), o["id"].as_str().unwrap_or_default());
    wait_state(&c, &url, "completed").await?;
    s.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn catalog_file_and_generated_catalog() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("big.json");
    std::fs::write(&path, orderdesk_server::generate_catalog(2_000).to_string())?;
    let s = start(ServerConfig {
        catalog: CatalogSource::File(path),
        lifecycle: slow(),
        ..ServerConfig::default()
    })
    .await?;
    let c = Client::new();
    let r =
        c.get(format!("{}productOffering?limit=10&offset=1990", s.catalog_url_v4())).send().await?;
    assert_eq!(count_header(&r, "x-total-count"), Some(2_000));
    assert_eq!(count_header(&r, "x-result-count"), Some(10));
    let order = json!({"productOrderItem": [{"id": "1", "action": "add", "productOffering": {"id": "gen-po-3"},
        "product": {"productCharacteristic": [{"name": "SPEED", "value": "Fast"}]}}]});
    let (st, _) = post(&c, &format!("{}productOrder", s.base_url_v4()), &order).await?;
    assert_eq!(st, StatusCode::CREATED);
    s.shutdown().await;
    let missing = start(ServerConfig {
        catalog: CatalogSource::File(dir.path().join("none.json")),
        ..ServerConfig::default()
    })
    .await;
    assert!(missing.is_err());
    Ok(())
}

#[tokio::test]
async fn binary_prints_its_address_first() -> TestResult {
    use tokio::io::AsyncBufReadExt;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_orderdesk-server"))
        .args(["--addr", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let first = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
        .await??
        .ok_or("no output")?;
    let addr: std::net::SocketAddr = first.trim().parse()?;
    assert!(addr.ip().is_loopback());
    let r = Client::new()
        .get(format!("http://{addr}/tmf-api/productCatalogManagement/v4/productOffering/14277"))
        .send()
        .await?;
    assert_eq!(r.status(), StatusCode::OK);
    child.kill().await?;
    Ok(())
}

/// The TMF25 example orders kept by the wire and core crates are accepted as they are, in
/// their own version.
#[tokio::test]
async fn guide_example_orders_are_accepted() -> TestResult {
    let s = server(slow()).await?;
    let c = Client::new();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for (file, base) in [
        ("../assets/orders/tmf25-bundle.v4.json", s.base_url_v4()),
        ("../assets/orders/tmf25-bundle.v5.json", s.base_url_v5()),
        ("orderdesk-core/tests/fixtures/tmf25.json", s.base_url_v4()),
    ] {
        let text = std::fs::read_to_string(root.join(file))
            .map_err(|e| format!("example order {file}: {e}"))?;
        let r = c
            .post(format!("{base}productOrder"))
            .header("content-type", "application/json")
            .body(text)
            .send()
            .await?;
        let status = r.status();
        let body = r.text().await?;
        assert_eq!(status, StatusCode::CREATED, "{file}: {body}");
    }
    s.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn v5_listeners_get_v5_events_filtered_by_query() -> TestResult {
    let s = hub_server(fast()).await?;
    let c = Client::new();
    let (callback, events) = listener().await?;
    let r = c
        .post(format!("{}hub", s.base_url_v5()))
        .json(&json!({"callback": callback, "query": "eventType=ProductOrderStateChangeEvent"}))
        .send()
        .await?;
    assert_eq!(r.status(), StatusCode::CREATED);
    let (_, o) = post(&c, &format!("{}productOrder", s.base_url_v4()), &guide_order()).await?;
    let evs = poll("completed event", || {
        let events = Arc::clone(&events);
        async move {
            let evs = events_of(&events);
            let done = evs.iter().any(|e| e["event"]["productOrder"]["state"] == "completed");
            Ok(done.then(|| Value::Array(evs)))
        }
    })
    .await?;
    let evs = evs.as_array().cloned().unwrap_or_default();
    assert!(evs.iter().all(|e| e["eventType"] == "ProductOrderStateChangeEvent"
        && e["@type"] == "ProductOrderStateChangeEvent"));
    let states: Vec<&str> =
        evs.iter().filter_map(|e| e["event"]["productOrder"]["state"].as_str()).collect();
    assert_eq!(states, ["inProgress", "completed"]);
    let order = &evs[0]["event"]["productOrder"];
    assert_eq!(order["id"], o["id"]);
    assert!(order["creationDate"].is_string() && order.get("orderDate").is_none());
    assert!(order["href"].as_str().is_some_and(|h| h.contains("/v5/")));
    s.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn binary_generates_a_deterministic_catalog() -> TestResult {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_orderdesk-server"))
        .args(["--generate-catalog", "120"])
        .output()
        .await?;
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout)?;
    assert_eq!(v, orderdesk_server::generate_catalog(120));
    assert_eq!(v["productOffering"].as_array().map(Vec::len), Some(120));
    Ok(())
}

/// Requests are checked against the official schema of their version (v4
/// `ProductOrder_Create` / `CancelProductOrder_Create`, v5 `ProductOrder_FVO` /
/// `CancelProductOrder_FVO`): a violation deep in the body is a 400 naming its JSON pointer.
#[tokio::test]
async fn official_schema_violations_name_the_pointer() -> TestResult {
    let s = server(slow()).await?;
    let c = Client::new();
    let (v4, v5) = (s.base_url_v4(), s.base_url_v5());

    let mut bad = guide_order();
    bad["productOrderItem"][1]["product"]["productCharacteristic"][0]
        .as_object_mut()
        .ok_or("characteristic")?
        .remove("value");
    let (st, e) = post(&c, &format!("{v4}productOrder"), &bad).await?;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(e["@type"], "Error");
    assert_eq!(e["code"], "schema.required");
    assert_eq!(
        e["message"],
        "/productOrderItem/1/product/productCharacteristic/0/value: is required"
    );

    let mut bad = guide_order_v5();
    bad["productOrderItem"][2]["quantity"] = json!("two");
    bad["productOrderItem"][3]["productOffering"].as_object_mut().ok_or("offering")?.remove("id");
    let (st, e) = post(&c, &format!("{v5}productOrder"), &bad).await?;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(e["code"], "schema.type");
    let message = e["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with(
            "/productOrderItem/2/quantity: \"two\" is not of type \"integer\"; \
             /productOrderItem/3/productOffering/id: is required"
        ),
        "{message}"
    );
    // The v4 shape is not a v5 request: v5 entities carry @type.
    let (st, e) = post(&c, &format!("{v5}productOrder"), &guide_order()).await?;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(e["message"].as_str().is_some_and(|m| m.starts_with("/@type: is required")), "{e}");

    // Valid requests of each version are created.
    let (st, o4) = post(&c, &format!("{v4}productOrder"), &guide_order()).await?;
    assert_eq!(st, StatusCode::CREATED, "{o4}");
    let (st, o5) = post(&c, &format!("{v5}productOrder"), &guide_order_v5()).await?;
    assert_eq!(st, StatusCode::CREATED, "{o5}");

    // Cancellations too.
    let (st, e) = post(
        &c,
        &format!("{v4}cancelProductOrder"),
        &json!({"productOrder": {"id": o4["id"]}, "requestedCancellationDate": "soon"}),
    )
    .await?;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(e["message"].as_str().is_some_and(
        |m| m.starts_with("/requestedCancellationDate: \"soon\" is not a \"date-time\"")
    ));
    let (st, e) = post(
        &c,
        &format!("{v5}cancelProductOrder"),
        &json!({"@type": "CancelProductOrder", "productOrder": {"id": o5["id"]}}),
    )
    .await?;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(e["message"], "/productOrder/@type: is required");
    let (st, t) = post(
        &c,
        &format!("{v5}cancelProductOrder"),
        &json!({"@type": "CancelProductOrder",
                "productOrder": {"id": o5["id"], "@type": "ProductOrderRef"}}),
    )
    .await?;
    assert_eq!(st, StatusCode::CREATED, "{t}");

    // A PATCH whose result breaks the schema is refused and changes nothing.
    let href = o4["href"].as_str().ok_or("href")?;
    let r = c
        .patch(href)
        .header("content-type", "application/merge-patch+json")
        .body(json!({"priority": 2}).to_string())
        .send()
        .await?;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let e: Value = r.json().await?;
    assert_eq!(e["message"], "/priority: 2 is not of type \"string\"");
    let now: Value = c.get(href).send().await?.json().await?;
    assert_eq!(now["priority"], "1");
    s.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn cancellations_under_way_finish_after_a_restart() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("server.db");
    let with_step = |cancel_step| ServerConfig {
        db: Some(db.clone()),
        lifecycle: LifecycleConfig { cancel_step, ..slow() },
        ..ServerConfig::default()
    };
    let c = Client::new();
    let cancel = |base: &str, oid: &str, reason: &str| {
        let url = format!("{base}cancelProductOrder");
        let body = json!({"productOrder": {"id": oid}, "cancellationReason": reason});
        let c = c.clone();
        async move { post(&c, &url, &body).await }
    };

    // Stopped twice: once before the task started, once with the order being assessed.
    let s = start(with_step(Duration::from_millis(400))).await?;
    let base = s.base_url_v4();
    let (_, early) = post(&c, &format!("{base}productOrder"), &guide_order()).await?;
    let (_, assessed) = post(&c, &format!("{base}productOrder"), &guide_order()).await?;
    let early_id = early["id"].as_str().ok_or("no id")?.to_owned();
    let assessed_id = assessed["id"].as_str().ok_or("no id")?.to_owned();
    let (_, task_b) = cancel(&base, &assessed_id, "moved abroad").await?;
    wait_state(&c, &format!("{base}productOrder/{assessed_id}"), "assessingCancellation").await?;
    let (_, task_a) = cancel(&base, &early_id, "duplicate order").await?;
    assert_eq!(task_a["state"], "acknowledged");
    s.shutdown().await;

    let s = start(with_step(Duration::from_millis(40))).await?;
    let base = s.base_url_v4();
    for (oid, task, reason) in
        [(&early_id, &task_a, "duplicate order"), (&assessed_id, &task_b, "moved abroad")]
    {
        let tid = task["id"].as_str().ok_or("no task id")?;
        let order = wait_state(&c, &format!("{base}productOrder/{oid}"), "cancelled").await?;
        assert_eq!(order["cancellationReason"], reason);
        let done = wait_state(&c, &format!("{base}cancelProductOrder/{tid}"), "done").await?;
        assert_eq!(done["effectiveCancellationDate"], order["cancellationDate"]);
    }
    s.shutdown().await;
    Ok(())
}
