//! The server under abuse, over real HTTP on 127.0.0.1: oversized and slow requests, too many
//! connections, endless idempotency keys, patches that would make an order unreadable, mixed
//! sort keys, hostile hub callbacks, credential guessing, and the requests a web page can make
//! to the app's demo server. Each case checks the clear error, that the server still answers,
//! and that the orders stored before are intact.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use orderdesk_server::{start, AuthMode, LifecycleConfig, Limits, RunningServer, ServerConfig};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;
type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// An order stays `acknowledged` (patchable) for the whole test.
fn slow() -> LifecycleConfig {
    LifecycleConfig {
        acknowledged_for: Duration::from_secs(300),
        in_progress_for: Duration::from_secs(300),
        cancel_step: Duration::from_secs(300),
        fail_value: "FAIL".into(),
    }
}

fn fast() -> LifecycleConfig {
    LifecycleConfig {
        acknowledged_for: Duration::from_millis(30),
        in_progress_for: Duration::from_millis(30),
        cancel_step: Duration::from_millis(30),
        fail_value: "FAIL".into(),
    }
}

fn config(limits: Limits) -> ServerConfig {
    ServerConfig { lifecycle: slow(), limits, ..ServerConfig::default() }
}

fn order(msisdn: &str) -> Value {
    json!({"productOrderItem": [{"id": "1", "action": "add", "productOffering": {"id": "14305"},
        "product": {"productCharacteristic": [{"name": "TEL_MSISDN", "value": msisdn}]}}]})
}

fn orders_url(s: &RunningServer) -> String {
    format!("{}productOrder", s.base_url_v4())
}

/// Creates an order; returns its id.
async fn create(c: &Client, s: &RunningServer, msisdn: &str) -> Res<String> {
    let r = c.post(orders_url(s)).json(&order(msisdn)).send().await?;
    assert_eq!(r.status(), StatusCode::CREATED);
    let o: Value = r.json().await?;
    Ok(o["id"].as_str().ok_or("no id")?.to_owned())
}

/// The ids of every stored order (the server answers a list, so it is alive and can read
/// them all).
async fn stored_ids(c: &Client, s: &RunningServer) -> Res<Vec<String>> {
    let r = c.get(format!("{}?limit=1000&fields=id", orders_url(s))).send().await?;
    assert_eq!(r.status(), StatusCode::OK);
    let list: Vec<Value> = r.json().await?;
    Ok(list.iter().filter_map(|o| o["id"].as_str().map(str::to_owned)).collect())
}

/// Asserts a TMF Error answer: status, `code`, and that its message is there.
async fn assert_error(r: reqwest::Response, status: StatusCode, code: &str) -> Res<Value> {
    assert_eq!(r.status(), status, "expected {status} {code}");
    let e: Value = r.json().await?;
    assert_eq!(e["code"], code, "{e}");
    assert_eq!(e["@type"], "Error");
    assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{e}");
    Ok(e)
}

/// Sends raw bytes on a new connection and reads until the server closes it. `None` when the
/// server closed without answering.
async fn raw(addr: std::net::SocketAddr, request: &[u8]) -> Res<Option<(u16, Value)>> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(request).await?;
    read_answer(&mut stream).await
}

async fn read_answer(stream: &mut TcpStream) -> Res<Option<(u16, Value)>> {
    let mut buf = Vec::new();
    // A guard against a server that never answers: the test fails instead of hanging.
    tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut buf)).await??;
    if buf.is_empty() {
        return Ok(None);
    }
    let text = String::from_utf8_lossy(&buf);
    let status: u16 = text.get(9..12).ok_or("no status line")?.parse()?;
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
    Ok(Some((status, serde_json::from_str(body).unwrap_or(Value::Null))))
}

// ---- transport -------------------------------------------------------------------------

#[tokio::test]
async fn an_oversized_body_is_413_with_a_tmf_error() -> TestResult {
    let s = start(config(Limits { max_body_bytes: 64 * 1024, ..Limits::default() })).await?;
    let c = Client::new();
    let before = create(&c, &s, "1").await?;
    let mut big = order("2");
    big["description"] = json!("x".repeat(100 * 1024));
    let r = c.post(orders_url(&s)).json(&big).send().await?;
    assert_error(r, StatusCode::PAYLOAD_TOO_LARGE, "body.tooLarge").await?;
    // The same through the idempotency layer, which reads the body itself.
    let r = c.post(orders_url(&s)).header("idempotency-key", "k").json(&big).send().await?;
    assert_error(r, StatusCode::PAYLOAD_TOO_LARGE, "body.tooLarge").await?;
    // And without a length up front: one chunk just over the limit (all of it read by the
    // server before it answers, so the connection closes cleanly).
    let mut chunked = format!(
        "PATCH /tmf-api/productOrderingManagement/v4/productOrder/{before} HTTP/1.1\r\n\
         Host: {}\r\nContent-Type: application/merge-patch+json\r\n\
         Transfer-Encoding: chunked\r\n\r\n{:x}\r\n",
        s.addr(),
        64 * 1024 + 1
    )
    .into_bytes();
    chunked.extend(std::iter::repeat_n(b' ', 64 * 1024 + 1));
    let (status, body) = raw(s.addr(), &chunked).await?.ok_or("no answer")?;
    assert_eq!((status, body["code"].as_str()), (413, Some("body.tooLarge")), "{body}");
    // The same through the idempotency layer.
    let mut chunked = format!(
        "POST /tmf-api/productOrderingManagement/v4/productOrder HTTP/1.1\r\n\
         Host: {}\r\nContent-Type: application/json\r\nIdempotency-Key: big\r\n\
         Transfer-Encoding: chunked\r\n\r\n{:x}\r\n",
        s.addr(),
        64 * 1024 + 1
    )
    .into_bytes();
    chunked.extend(std::iter::repeat_n(b' ', 64 * 1024 + 1));
    let (status, body) = raw(s.addr(), &chunked).await?.ok_or("no answer")?;
    assert_eq!((status, body["code"].as_str()), (413, Some("body.tooLarge")), "{body}");
    assert_eq!(stored_ids(&c, &s).await?, [before]);
    s.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn headers_that_never_end_are_cut_off() -> TestResult {
    let limits = Limits { header_read_timeout: Duration::from_millis(200), ..Limits::default() };
    let s = start(config(limits)).await?;
    let c = Client::new();
    let before = create(&c, &s, "1").await?;
    let answer = raw(
        s.addr(),
        b"GET /tmf-api/productOrderingManagement/v4/productOrder HTTP/1.1\r\nHost: x\r\n",
    )
    .await?;
    // The server hangs up on the slow client (hyper answers nothing or a 408).
    assert!(answer.as_ref().is_none_or(|(status, _)| *status == 408), "{answer:?}");
    assert_eq!(stored_ids(&c, &s).await?, [before]);
    s.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_body_that_never_ends_is_408() -> TestResult {
    let limits = Limits { request_timeout: Duration::from_millis(300), ..Limits::default() };
    let s = start(config(limits)).await?;
    let c = Client::new();
    let before = create(&c, &s, "1").await?;
    let head = format!(
        "POST /tmf-api/productOrderingManagement/v4/productOrder HTTP/1.1\r\nHost: {}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"productOrderItem\":",
        s.addr()
    );
    let (status, body) = raw(s.addr(), head.as_bytes()).await?.ok_or("no answer")?;
    assert_eq!(status, 408);
    assert_eq!(body["code"], "request.timeout");
    assert_eq!(stored_ids(&c, &s).await?, [before]);
    s.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn connections_over_the_cap_get_503_and_the_rest_are_served() -> TestResult {
    let s = start(config(Limits { max_connections: 4, ..Limits::default() })).await?;
    // One connection at a time for the checks, closed after each answer.
    let c = Client::builder().pool_max_idle_per_host(0).build()?;
    let before = create(&c, &s, "1").await?;
    // Four idle connections take every slot ...
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(TcpStream::connect(s.addr()).await?);
    }
    // ... so a fifth is told the server is busy, and closed.
    let mut fifth = TcpStream::connect(s.addr()).await?;
    let (status, body) = read_answer(&mut fifth).await?.ok_or("no answer")?;
    assert_eq!(status, 503);
    assert_eq!(body["code"], "server.busy");
    // A held connection is still served.
    let mut first = held.remove(0);
    first
        .write_all(
            format!(
                "GET /tmf-api/productOrderingManagement/v4/productOrder/{before} HTTP/1.1\r\n\
                 Host: {}\r\nConnection: close\r\n\r\n",
                s.addr()
            )
            .as_bytes(),
        )
        .await?;
    let (status, body) = read_answer(&mut first).await?.ok_or("no answer")?;
    assert_eq!((status, body["id"].as_str()), (200, Some(before.as_str())));
    // Once the others close, new clients are served again.
    drop(held);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match c.get(orders_url(&s)).send().await {
            Ok(r) if r.status() == StatusCode::OK => break,
            _ if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(20)).await,
            other => return Err(format!("still refused: {other:?}").into()),
        }
    }
    assert_eq!(stored_ids(&c, &s).await?, [before]);
    s.shutdown().await;
    Ok(())
}

// ---- lists -------------------------------------------------------------------------------

#[tokio::test]
async fn lists_have_a_default_and_a_maximum_page() -> TestResult {
    let limits = Limits { default_page_size: 3, max_page_size: 5, ..Limits::default() };
    let s = start(config(limits)).await?;
    let c = Client::new();
    let mut ids = Vec::new();
    for i in 0..7 {
        ids.push(create(&c, &s, &format!("415 000 000{i}")).await?);
    }
    let page = |q: &'static str| c.get(format!("{}?{q}", orders_url(&s))).send();
    let count = |r: &reqwest::Response, h: &str| -> Option<usize> {
        r.headers().get(h)?.to_str().ok()?.parse().ok()
    };
    let r = page("fields=id").await?;
    assert_eq!((count(&r, "x-result-count"), count(&r, "x-total-count")), (Some(3), Some(7)));
    let r = page("fields=id&limit=1000").await?;
    assert_eq!((count(&r, "x-result-count"), count(&r, "x-total-count")), (Some(5), Some(7)));
    let r = page("fields=id&limit=5&offset=5").await?;
    assert_eq!(count(&r, "x-result-count"), Some(2));
    let r = page("fields=id&offset=18446744073709551615").await?;
    assert_eq!(count(&r, "x-result-count"), Some(0));
    let r = page("offset=18446744073709551616").await?;
    assert_error(r, StatusCode::BAD_REQUEST, "query.offset").await?;
    let many: String = (0..40).map(|i| format!("a{i}=1&")).collect();
    let r = c.get(format!("{}?{many}", orders_url(&s))).send().await?;
    assert_error(r, StatusCode::BAD_REQUEST, "query.tooLong").await?;
    let r = c.get(format!("{}?sort={}", orders_url(&s), vec!["a"; 40].join("."))).send().await?;
    assert_error(r, StatusCode::BAD_REQUEST, "query.tooLong").await?;
    let mut all = Vec::new();
    for offset in [0, 5] {
        let r =
            c.get(format!("{}?fields=id&limit=5&offset={offset}", orders_url(&s))).send().await?;
        let list: Vec<Value> = r.json().await?;
        all.extend(list.iter().filter_map(|o| o["id"].as_str().map(str::to_owned)));
    }
    assert_eq!(all, ids);
    s.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn sorting_on_a_member_of_mixed_types_is_a_total_order() -> TestResult {
    let s = start(config(Limits::default())).await?;
    let c = Client::new();
    // Under a text-or-number comparison these make a cycle: 10 > 9 (numbers), "9" > "1a" and
    // "1a" > "10" (text).
    let mut ids = Vec::new();
    for (i, ext) in ["10", "1a", "9", "2026-01-01T00:00:00Z", ""].iter().enumerate() {
        let mut o = order(&format!("415 000 000{i}"));
        if !ext.is_empty() {
            o["externalId"] = json!(ext);
        }
        let r = c.post(orders_url(&s)).json(&o).send().await?;
        assert_eq!(r.status(), StatusCode::CREATED);
        let o: Value = r.json().await?;
        ids.push(o["id"].as_str().unwrap_or_default().to_owned());
    }
    let url = orders_url(&s);
    // Numbers, then instants, then text, then missing; descending is the exact reverse.
    let up = external_ids(&c, &format!("{url}?fields=externalId&sort=externalId")).await?;
    assert_eq!(up, ["9", "10", "2026-01-01T00:00:00Z", "1a", "-"]);
    let down = external_ids(&c, &format!("{url}?fields=externalId&sort=-externalId")).await?;
    assert_eq!(down, ["-", "1a", "2026-01-01T00:00:00Z", "10", "9"]);
    let mut stored = stored_ids(&c, &s).await?;
    stored.sort();
    ids.sort();
    assert_eq!(stored, ids);
    s.shutdown().await;
    Ok(())
}

async fn external_ids(c: &Client, url: &str) -> Res<Vec<String>> {
    let r = c.get(url).send().await?;
    assert_eq!(r.status(), StatusCode::OK);
    let list: Vec<Value> = r.json().await?;
    Ok(list.iter().map(|o| o["externalId"].as_str().unwrap_or("-").to_owned()).collect())
}

// ---- idempotency ---------------------------------------------------------------------------

#[tokio::test]
async fn the_idempotency_store_forgets_the_oldest_and_the_expired() -> TestResult {
    let bounds = orderdesk_server::limits::IdempotencyBounds {
        capacity: 3,
        ttl: Duration::from_secs(3600),
        ..Default::default()
    };
    let s = start(config(Limits { idempotency: bounds, ..Limits::default() })).await?;
    let c = Client::new();
    let post = |key: String, msisdn: &'static str| {
        c.post(orders_url(&s)).header("idempotency-key", key).json(&order(msisdn)).send()
    };
    let mut first = Vec::new();
    for i in 0..5 {
        let r = post(format!("k{i}"), "1").await?;
        assert_eq!(r.status(), StatusCode::CREATED);
        first.push(r.json::<Value>().await?["id"].clone());
    }
    // The newest three are replayed ...
    for (i, id) in first.iter().enumerate().skip(2) {
        let r = post(format!("k{i}"), "1").await?;
        assert_eq!(
            r.headers().get("idempotency-replayed").and_then(|v| v.to_str().ok()),
            Some("true")
        );
        assert_eq!(&r.json::<Value>().await?["id"], id);
    }
    // ... the oldest were forgotten: its key makes a new order.
    let r = post("k0".into(), "1").await?;
    assert!(r.headers().get("idempotency-replayed").is_none());
    assert_ne!(r.json::<Value>().await?["id"], first[0]);
    assert_eq!(stored_ids(&c, &s).await?.len(), 6);
    // A key that is not one is refused.
    let r = post("k".repeat(300), "1").await?;
    assert_error(r, StatusCode::BAD_REQUEST, "idempotency.key").await?;
    s.shutdown().await;

    // Answers expire.
    let bounds = orderdesk_server::limits::IdempotencyBounds {
        ttl: Duration::from_millis(200),
        ..Default::default()
    };
    let s = start(config(Limits { idempotency: bounds, ..Limits::default() })).await?;
    let url = orders_url(&s);
    let send = || c.post(&url).header("idempotency-key", "once").json(&order("1")).send();
    let a: Value = send().await?.json().await?;
    // Past the TTL (a lower bound: it cannot flake).
    tokio::time::sleep(Duration::from_millis(400)).await;
    let b = send().await?;
    assert!(b.headers().get("idempotency-replayed").is_none());
    assert_ne!(b.json::<Value>().await?["id"], a["id"]);
    assert_eq!(stored_ids(&c, &s).await?.len(), 2);
    s.shutdown().await;
    Ok(())
}

// ---- documents -----------------------------------------------------------------------------

/// A value `depth` levels deep.
fn nested(depth: usize) -> Value {
    (0..depth).fold(json!(1), |inner, _| json!([inner]))
}

#[tokio::test]
async fn a_patch_never_makes_an_order_the_server_cannot_read_back() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("server.db");
    let cfg =
        || ServerConfig { db: Some(db.clone()), lifecycle: slow(), ..ServerConfig::default() };
    let s = start(cfg()).await?;
    let c = Client::new();
    let id = create(&c, &s, "1").await?;
    let v5 = format!("{}productOrder/{id}", s.base_url_v5());
    let v4 = format!("{}/{id}", orders_url(&s));
    let before: Value = c.get(&v4).send().await?.json().await?;
    let json_patch = |ops: Value| {
        c.patch(&v5)
            .header("content-type", "application/json-patch+json")
            .body(ops.to_string())
            .send()
    };
    let merge = |doc: Value| {
        c.patch(&v4)
            .header("content-type", "application/merge-patch+json")
            .body(doc.to_string())
            .send()
    };

    // A value the parser accepts (100 levels) but deeper than a stored order may be.
    let r = json_patch(json!([{"op": "add", "path": "/x-deep", "value": nested(100)}])).await?;
    assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "order.tooDeep").await?;
    let r = merge(json!({"x-deep": nested(100)})).await?;
    assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "order.tooDeep").await?;
    // Values that are each fine, added one inside the other: refused before it gets deep.
    let zeros = "/0".repeat(29);
    let mut at = "/x-deep".to_owned();
    let mut ops = vec![json!({"op": "add", "path": at, "value": nested(30)})];
    for _ in 0..3 {
        let innermost = format!("{at}{zeros}");
        ops.push(json!({"op": "add", "path": format!("{innermost}/-"), "value": nested(30)}));
        at = format!("{innermost}/1");
    }
    let r = json_patch(Value::Array(ops)).await?;
    assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "order.tooDeep").await?;
    // Copies that double the order each time: refused before it gets large.
    let mut ops = vec![json!({"op": "add", "path": "/x-big", "value": ["x".repeat(1000)]})];
    for _ in 0..40 {
        ops.push(json!({"op": "copy", "from": "/x-big", "path": "/x-big/-"}));
    }
    let r = json_patch(Value::Array(ops)).await?;
    assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "order.tooLarge").await?;
    let ops: Vec<Value> =
        (0..1001).map(|_| json!({"op": "test", "path": "/id", "value": id})).collect();
    let r = json_patch(Value::Array(ops)).await?;
    assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "patch.tooLong").await?;
    // The official schema and the core's validation, after a merge patch and a JSON Patch.
    let r = merge(json!({"productOrderItem": [{"id": "1", "action": "add", "quantity": 0,
        "productOffering": {"id": "14305"}}]}))
    .await?;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = json_patch(json!([{"op": "replace", "path": "/productOrderItem/0/productOffering/id", "value": "nope"}])).await?;
    assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "offering.unknown").await?;
    let r = json_patch(json!([{"op": "replace", "path": "/productOrderItem", "value": "none"}]))
        .await?;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // Nothing was stored: the order is as it was, lists read, and the server restarts.
    let after: Value = c.get(&v4).send().await?.json().await?;
    assert_eq!(after, before);
    assert_eq!(stored_ids(&c, &s).await?, std::slice::from_ref(&id));
    s.shutdown().await;
    let s = start(cfg()).await?;
    assert!(s.skipped_at_start().is_empty());
    let again: Value = c.get(format!("{}/{id}", orders_url(&s))).send().await?.json().await?;
    assert_eq!(again["productOrderItem"], before["productOrderItem"]);
    s.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn one_bad_stored_document_is_skipped_at_start() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("server.db");
    let cfg =
        || ServerConfig { db: Some(db.clone()), lifecycle: slow(), ..ServerConfig::default() };
    let s = start(cfg()).await?;
    let c = Client::new();
    let good = create(&c, &s, "1").await?;
    let bad = create(&c, &s, "2").await?;
    s.shutdown().await;
    // What an older server could write: an order deeper than the JSON parser reads.
    let conn = rusqlite::Connection::open(&db)?;
    let deep = format!("{{\"id\":\"{bad}\",\"x\":{}1{}}}", "[".repeat(200), "]".repeat(200));
    conn.execute("UPDATE resource SET body = ?1 WHERE id = ?2", rusqlite::params![deep, bad])?;
    drop(conn);

    let s = start(cfg()).await?;
    assert_eq!(s.skipped_at_start().len(), 1, "{:?}", s.skipped_at_start());
    assert!(s.skipped_at_start()[0].contains(&bad));
    assert_eq!(stored_ids(&c, &s).await?, std::slice::from_ref(&good));
    let r = c.get(format!("{}/{bad}", orders_url(&s))).send().await?;
    assert_error(r, StatusCode::NOT_FOUND, "notFound").await?;
    create(&c, &s, "3").await?;
    assert_eq!(stored_ids(&c, &s).await?.len(), 2);
    s.shutdown().await;
    Ok(())
}

// ---- hub -----------------------------------------------------------------------------------

/// A listener that records the events it gets; `answer` is its reply.
async fn listener(answer: axum::response::Response) -> Res<(String, Arc<Mutex<Vec<Value>>>)> {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let (parts, _) = answer.into_parts();
    let status = parts.status;
    let location = parts.headers.get("location").cloned();
    let app = axum::Router::new().route(
        "/listener",
        axum::routing::post(move |axum::Json(v): axum::Json<Value>| {
            let sink = Arc::clone(&sink);
            let location = location.clone();
            async move {
                if let Ok(mut g) = sink.lock() {
                    g.push(v);
                }
                let mut resp = axum::response::IntoResponse::into_response(status);
                if let Some(l) = location {
                    resp.headers_mut().insert("location", l);
                }
                resp
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

fn ok_answer() -> axum::response::Response {
    axum::response::IntoResponse::into_response(axum::http::StatusCode::CREATED)
}

fn events_of(events: &Arc<Mutex<Vec<Value>>>) -> Vec<Value> {
    events.lock().map(|g| g.clone()).unwrap_or_default()
}

/// Waits until `events` holds one whose order is `completed`; a guard turns a hang into a
/// failure.
async fn until_completed(events: &Arc<Mutex<Vec<Value>>>) -> Res<Vec<Value>> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let evs = events_of(events);
        if evs.iter().any(|e| e["event"]["productOrder"]["state"] == "completed") {
            return Ok(evs);
        }
        if Instant::now() > deadline {
            return Err(format!("no completed event, got {evs:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn register(c: &Client, s: &RunningServer, body: Value) -> Res<reqwest::Response> {
    Ok(c.post(format!("{}hub", s.base_url_v4())).json(&body).send().await?)
}

#[tokio::test]
async fn hub_callbacks_are_checked() -> TestResult {
    let s = start(config(Limits { max_listeners: 2, ..Limits::default() })).await?;
    let c = Client::new();
    let before = create(&c, &s, "1").await?;
    for callback in [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/",
        "http://[::ffff:169.254.169.254]/",
        "http://127.0.0.1:9/listener",
        "http://localhost:9/listener",
        "http://10.0.0.1/listener",
        "ftp://listener.example/",
        "http://user:secret@listener.example/",
        "file:///etc/passwd",
    ] {
        let r = register(&c, &s, json!({"callback": callback})).await?;
        let e = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "callback.refused").await?;
        assert!(e["message"].as_str().is_some_and(|m| m.starts_with("callback: ")), "{e}");
    }
    let r = register(&c, &s, json!({"callback": "http://listener.example/", "query": "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q=1"})).await?;
    assert_error(r, StatusCode::BAD_REQUEST, "query.tooLong").await?;
    // A public callback is fine; the number of listeners is bounded.
    let mut ids = Vec::new();
    for _ in 0..2 {
        let r = register(&c, &s, json!({"callback": "http://listener.example/"})).await?;
        assert_eq!(r.status(), StatusCode::CREATED);
        ids.push(r.json::<Value>().await?["id"].as_str().unwrap_or_default().to_owned());
    }
    let r = register(&c, &s, json!({"callback": "http://listener.example/"})).await?;
    assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "hub.tooMany").await?;
    let r = c.delete(format!("{}hub/{}", s.base_url_v4(), ids[0])).send().await?;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = register(&c, &s, json!({"callback": "http://listener.example/"})).await?;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(stored_ids(&c, &s).await?, [before]);
    s.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn the_hub_follows_no_redirect_and_sends_only_what_a_query_matches() -> TestResult {
    let s = start(ServerConfig {
        lifecycle: fast(),
        allow_private_callbacks: true,
        ..ServerConfig::default()
    })
    .await?;
    let c = Client::new();
    let (target, redirected) = listener(ok_answer()).await?;
    let mut redirect =
        axum::response::IntoResponse::into_response(axum::http::StatusCode::TEMPORARY_REDIRECT);
    redirect.headers_mut().insert("location", target.parse()?);
    let (redirector, asked) = listener(redirect).await?;
    let (all, every) = listener(ok_answer()).await?;
    let (done_only, done) = listener(ok_answer()).await?;
    let (other_order, other) = listener(ok_answer()).await?;
    for (callback, query) in [
        (redirector.as_str(), None),
        (all.as_str(), None),
        (
            done_only.as_str(),
            Some("eventType=ProductOrderStateChangeEvent&event.productOrder.state=completed"),
        ),
        (other_order.as_str(), Some("event.productOrder.id=someone-else")),
    ] {
        let mut body = json!({"callback": callback});
        if let Some(q) = query {
            body["query"] = json!(q);
        }
        assert_eq!(register(&c, &s, body).await?.status(), StatusCode::CREATED);
    }
    let id = create(&c, &s, "1").await?;
    let all_events = until_completed(&every).await?;
    assert_eq!(all_events.len(), 3, "created, inProgress, completed");
    // Each listener gets events in order, one delivery at a time: once the completed one
    // arrived, every earlier one had been delivered (and any redirect followed).
    let done_events = until_completed(&done).await?;
    assert_eq!(done_events.len(), 1, "{done_events:?}");
    assert_eq!(done_events[0]["event"]["productOrder"]["id"], id.as_str());
    until_completed(&asked).await?;
    assert!(events_of(&redirected).is_empty(), "a redirect was followed");
    assert!(events_of(&other).is_empty(), "an event its query does not match");
    assert_eq!(stored_ids(&c, &s).await?, [id]);
    s.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn listeners_that_never_answer_do_not_hold_up_the_others() -> TestResult {
    // Deliveries to the stuck listeners would wait an hour: a shared queue would hold every
    // event behind them, and this test would fail on its guard.
    let limits = Limits { hub_delivery_timeout: Duration::from_secs(3600), ..Limits::default() };
    let s = start(ServerConfig {
        lifecycle: fast(),
        allow_private_callbacks: true,
        limits,
        ..ServerConfig::default()
    })
    .await?;
    let c = Client::new();
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let silent_url = format!("http://{}/listener", silent.local_addr()?);
    let held = Arc::new(Mutex::new(Vec::new()));
    let keep = Arc::clone(&held);
    tokio::spawn(async move {
        while let Ok((socket, _)) = silent.accept().await {
            if let Ok(mut g) = keep.lock() {
                g.push(socket);
            }
        }
    });
    for _ in 0..50 {
        let r = register(&c, &s, json!({"callback": silent_url})).await?;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let (good, events) = listener(ok_answer()).await?;
    assert_eq!(register(&c, &s, json!({"callback": good})).await?.status(), StatusCode::CREATED);
    let id = create(&c, &s, "1").await?;
    let evs = until_completed(&events).await?;
    assert_eq!(evs.len(), 3);
    // Every stuck listener was called and is still waiting for its first answer.
    let deadline = Instant::now() + Duration::from_secs(60);
    while held.lock().map(|g| g.len()).unwrap_or(0) < 50 {
        assert!(Instant::now() < deadline, "the stuck listeners were not all called");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(stored_ids(&c, &s).await?, [id]);
    s.shutdown().await;
    Ok(())
}

// ---- credentials ---------------------------------------------------------------------------

#[tokio::test]
async fn the_token_endpoint_is_rate_limited() -> TestResult {
    let s = start(ServerConfig {
        lifecycle: slow(),
        auth: AuthMode::OAuth2 { client_id: "app".into(), client_secret: "s3cret-value".into() },
        limits: Limits { token_burst: 3, token_requests_per_minute: 1, ..Limits::default() },
        ..ServerConfig::default()
    })
    .await?;
    let c = Client::new();
    let ask = |secret: &'static str| {
        c.post(s.token_url())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("grant_type=client_credentials&client_id=app&client_secret={secret}"))
            .send()
    };
    let r = ask("s3cret-value").await?;
    assert_eq!(r.status(), StatusCode::OK);
    let token = r.json::<Value>().await?["access_token"].as_str().unwrap_or_default().to_owned();
    let r = ask("s3cret-valuX").await?;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = ask("s3cret-value-and-more").await?;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // The burst is spent: even the right secret waits now.
    let r = ask("s3cret-value").await?;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = r
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok()?.parse().ok())
        .ok_or("no retry-after")?;
    assert!((1..=61).contains(&wait), "{wait}");
    let e: Value = r.json().await?;
    assert_eq!(e["error"], "temporarily_unavailable");
    // The API still answers the token issued before.
    let r = c.post(orders_url(&s)).bearer_auth(&token).json(&order("1")).send().await?;
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = c.get(orders_url(&s)).bearer_auth(&token).send().await?;
    assert_eq!(r.json::<Vec<Value>>().await?.len(), 1);
    let r = c.get(orders_url(&s)).bearer_auth("guess").send().await?;
    assert_error(r, StatusCode::UNAUTHORIZED, "unauthorized").await?;
    s.shutdown().await;
    Ok(())
}

/// Starts the binary; returns the child, its first stdout line and its stderr so far.
async fn binary(args: &[&str]) -> Res<std::process::Output> {
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_orderdesk-server"))
        .args(args)
        .env_remove("ORDERDESK_CLIENT_ID")
        .env_remove("ORDERDESK_CLIENT_SECRET")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .output();
    Ok(tokio::time::timeout(Duration::from_secs(30), child).await??)
}

#[tokio::test]
async fn default_credentials_only_in_demo_mode_with_a_warning() -> TestResult {
    use tokio::io::AsyncBufReadExt;
    let out = binary(&["--addr", "127.0.0.1:0", "--auth", "oauth2"]).await?;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--client-id"));
    let out =
        binary(&["--addr", "127.0.0.1:0", "--auth", "client-headers", "--client-id", "a"]).await?;
    assert_eq!(out.status.code(), Some(2));

    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_orderdesk-server"))
        .args(["--addr", "127.0.0.1:0", "--auth", "oauth2", "--demo-credentials"])
        .env_remove("ORDERDESK_CLIENT_ID")
        .env_remove("ORDERDESK_CLIENT_SECRET")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let stderr = child.stderr.take().ok_or("no stderr")?;
    let first = tokio::time::timeout(
        Duration::from_secs(30),
        tokio::io::BufReader::new(stdout).lines().next_line(),
    )
    .await??
    .ok_or("no address")?;
    let warning = tokio::time::timeout(
        Duration::from_secs(30),
        tokio::io::BufReader::new(stderr).lines().next_line(),
    )
    .await??
    .ok_or("no warning")?;
    assert!(warning.contains("warning") && warning.contains("demo credentials"), "{warning}");
    let addr: std::net::SocketAddr = first.trim().parse()?;
    let r = Client::new()
        .post(format!("http://{addr}/oauth/token"))
        .basic_auth("orderdesk", Some("orderdesk-secret"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await?;
    assert_eq!(r.status(), StatusCode::OK);
    child.kill().await?;
    Ok(())
}

// ---- the app's own server ------------------------------------------------------------------

const TOKEN: &str = "a-random-token-only-the-app-knows";

async fn app_only() -> Res<RunningServer> {
    Ok(start(ServerConfig {
        lifecycle: slow(),
        auth: AuthMode::Bearer { token: TOKEN.into() },
        app_only: true,
        ..ServerConfig::default()
    })
    .await?)
}

/// A request as raw bytes, closing the connection after the answer.
fn request(s: &RunningServer, head: &str, headers: &[(&str, &str)], body: &str) -> Vec<u8> {
    let mut text = format!("{head} HTTP/1.1\r\n");
    let host = s.addr().to_string();
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        text.push_str(&format!("Host: {host}\r\n"));
    }
    for (k, v) in headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str(&format!("Content-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()));
    text.into_bytes()
}

#[tokio::test]
async fn what_a_web_page_can_send_is_refused_by_the_app_only_server() -> TestResult {
    let s = app_only().await?;
    let c = Client::new();
    // The app's own requests: JSON, the token, the bound Host.
    let r = c.post(orders_url(&s)).bearer_auth(TOKEN).json(&order("1")).send().await?;
    assert_eq!(r.status(), StatusCode::CREATED);
    let mine = r.json::<Value>().await?["id"].as_str().unwrap_or_default().to_owned();

    let path = "/tmf-api/productOrderingManagement/v4/productOrder";
    let post = format!("POST {path}");
    let body = order("2").to_string();
    let bearer = format!("Bearer {TOKEN}");
    let evil_host = format!("evil.example:{}", s.addr().port());
    let form = "productOrderItem=1";
    let multipart = "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--\r\n";
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        // Simple requests a page sends cross-origin without a preflight: they carry an Origin.
        (
            "text/plain from a page",
            request(
                &s,
                &post,
                &[("Origin", "https://evil.example"), ("Content-Type", "text/plain")],
                &body,
            ),
            403,
            "guard.origin",
        ),
        (
            "form from a page",
            request(
                &s,
                &post,
                &[("Origin", "null"), ("Content-Type", "application/x-www-form-urlencoded")],
                form,
            ),
            403,
            "guard.origin",
        ),
        (
            "multipart from a page",
            request(
                &s,
                &post,
                &[
                    ("Origin", "https://evil.example"),
                    ("Content-Type", "multipart/form-data; boundary=b"),
                ],
                multipart,
            ),
            403,
            "guard.origin",
        ),
        (
            "GET from a page",
            request(&s, &format!("GET {path}"), &[("Origin", "https://evil.example")], ""),
            403,
            "guard.origin",
        ),
        // The same without an Origin (a client that leaves it out): refused by type.
        (
            "text/plain",
            request(&s, &post, &[("Content-Type", "text/plain")], &body),
            415,
            "guard.mediaType",
        ),
        (
            "form",
            request(&s, &post, &[("Content-Type", "application/x-www-form-urlencoded")], form),
            415,
            "guard.mediaType",
        ),
        (
            "multipart",
            request(&s, &post, &[("Content-Type", "multipart/form-data; boundary=b")], multipart),
            415,
            "guard.mediaType",
        ),
        ("no type", request(&s, &post, &[], &body), 415, "guard.mediaType"),
        // DNS rebinding: the page's own host name, now resolving to 127.0.0.1.
        (
            "rebinding GET",
            request(&s, &format!("GET {path}"), &[("Host", &evil_host)], ""),
            403,
            "guard.host",
        ),
        (
            "rebinding POST",
            request(
                &s,
                &post,
                &[("Host", &evil_host), ("Content-Type", "application/json")],
                &body,
            ),
            403,
            "guard.host",
        ),
        (
            "localhost",
            request(
                &s,
                &format!("GET {path}"),
                &[("Host", &format!("localhost:{}", s.addr().port()))],
                "",
            ),
            403,
            "guard.host",
        ),
        // Each guard holds even with the token.
        (
            "token and text/plain",
            request(
                &s,
                &post,
                &[("Authorization", &bearer), ("Content-Type", "text/plain")],
                &body,
            ),
            415,
            "guard.mediaType",
        ),
        (
            "token and Origin",
            request(
                &s,
                &post,
                &[
                    ("Authorization", &bearer),
                    ("Origin", "http://127.0.0.1"),
                    ("Content-Type", "application/json"),
                ],
                &body,
            ),
            403,
            "guard.origin",
        ),
        (
            "token and rebinding",
            request(
                &s,
                &format!("GET {path}"),
                &[("Authorization", &bearer), ("Host", &evil_host)],
                "",
            ),
            403,
            "guard.host",
        ),
        // And the token holds without them.
        (
            "JSON without the token",
            request(&s, &post, &[("Content-Type", "application/json")], &body),
            401,
            "unauthorized",
        ),
        (
            "a wrong token",
            request(
                &s,
                &format!("GET {path}"),
                &[("Authorization", "Bearer a-random-token-only-the-app-know")],
                "",
            ),
            401,
            "unauthorized",
        ),
    ];
    for (name, bytes, status, code) in cases {
        let (got, body) = raw(s.addr(), &bytes).await?.ok_or(format!("{name}: no answer"))?;
        assert_eq!((got, body["code"].as_str()), (status, Some(code)), "{name}: {body}");
    }
    // The app's client still works, and only its order is stored.
    let r = c.get(orders_url(&s)).bearer_auth(TOKEN).send().await?;
    assert_eq!(r.status(), StatusCode::OK);
    let list: Vec<Value> = r.json().await?;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["id"], mine.as_str());
    let r = c
        .patch(format!("{}/{mine}", orders_url(&s)))
        .bearer_auth(TOKEN)
        .header("content-type", "application/merge-patch+json")
        .body(json!({"description": "still mine"}).to_string())
        .send()
        .await?;
    assert_eq!(r.status(), StatusCode::OK);
    let r = c.delete(format!("{}/{mine}", orders_url(&s))).bearer_auth(TOKEN).send().await?;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    s.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn an_app_only_server_binds_loopback_only() -> TestResult {
    let refused = start(ServerConfig {
        addr: "0.0.0.0:0".parse()?,
        app_only: true,
        ..ServerConfig::default()
    })
    .await;
    assert!(refused.is_err_and(|e| e.to_string().contains("loopback")));
    Ok(())
}
