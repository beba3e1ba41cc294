//! The reference server over real HTTP on 127.0.0.1 (started in-process, as its own tests do).
//! Each case stores an order first, sends one hostile request, and asserts the TMF `Error`
//! answer (status, `code`, a message), that the server still answers, and that the stored
//! order is as it was.

use std::net::SocketAddr;
use std::time::Duration;

use orderdesk_bad_input as bad;
use orderdesk_server::{start, AuthMode, LifecycleConfig, RunningServer, ServerConfig};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;
type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

const TOKEN: &str = "bad-input-suite-token-0123456789";

/// A server whose orders stay `acknowledged` for the whole case, and the order stored
/// before the hostile request.
struct Fixture {
    server: RunningServer,
    client: Client,
    id: String,
    before: Value,
    token: Option<&'static str>,
}

fn lifecycle() -> LifecycleConfig {
    LifecycleConfig {
        acknowledged_for: Duration::from_secs(600),
        in_progress_for: Duration::from_secs(600),
        cancel_step: Duration::from_secs(600),
        fail_value: "FAIL".into(),
    }
}

fn order() -> Value {
    json!({"productOrderItem": [{"id": "1", "action": "add", "productOffering": {"id": "14305"},
        "product": {"productCharacteristic": [{"name": "TEL_MSISDN", "value": "4915100001"}]}}]})
}

impl Fixture {
    async fn new() -> Res<Fixture> {
        Fixture::with(ServerConfig { lifecycle: lifecycle(), ..ServerConfig::default() }, None)
            .await
    }

    /// The app's own demo server: app-only, with a token only the app knows.
    async fn app_only() -> Res<Fixture> {
        let config = ServerConfig {
            lifecycle: lifecycle(),
            auth: AuthMode::Bearer { token: TOKEN.into() },
            app_only: true,
            ..ServerConfig::default()
        };
        Fixture::with(config, Some(TOKEN)).await
    }

    async fn with(config: ServerConfig, token: Option<&'static str>) -> Res<Fixture> {
        let server = start(config).await?;
        let client = Client::new();
        let mut f = Fixture { server, client, id: String::new(), before: Value::Null, token };
        let r = f.authed(f.client.post(f.orders())).json(&order()).send().await?;
        assert_eq!(r.status(), StatusCode::CREATED);
        f.id = r.json::<Value>().await?["id"].as_str().ok_or("no id")?.to_owned();
        f.before = f.stored().await?;
        Ok(f)
    }

    fn authed(&self, r: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self.token {
            Some(t) => r.bearer_auth(t),
            None => r,
        }
    }

    fn orders(&self) -> String {
        format!("{}productOrder", self.server.base_url_v4())
    }

    fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// Every stored order (a list the server answers, so it is up), with the one saved
    /// before read on its own.
    async fn stored(&self) -> Res<Value> {
        let r =
            self.authed(self.client.get(format!("{}?limit=1000", self.orders()))).send().await?;
        assert_eq!(r.status(), StatusCode::OK, "the server still answers a list");
        let list: Value = r.json().await?;
        let r =
            self.authed(self.client.get(format!("{}/{}", self.orders(), self.id))).send().await?;
        assert_eq!(r.status(), StatusCode::OK, "the server still answers a read");
        Ok(json!({"list": list, "order": r.json::<Value>().await?}))
    }

    /// The server is up and what it stored before is as it was; then it stops.
    async fn intact(self) -> TestResult {
        assert_eq!(self.stored().await?, self.before, "what was stored before is intact");
        self.server.shutdown().await;
        Ok(())
    }
}

/// A TMF `Error` answer with one of `statuses` and `code`; its message.
async fn tmf_error(r: reqwest::Response, statuses: &[u16], code: &str) -> Res<String> {
    let status = r.status().as_u16();
    let body: Value = r.json().await?;
    assert!(statuses.contains(&status), "status {status}, expected one of {statuses:?}: {body}");
    assert_eq!(body["@type"], "Error", "{body}");
    assert_eq!(body["code"].as_str(), Some(code), "{body}");
    let message = body["message"].as_str().unwrap_or_default().to_owned();
    assert!(!message.is_empty(), "{body}");
    assert!(!bad::has_escape(message.as_bytes()), "{body}");
    Ok(message)
}

/// Raw bytes on a new connection; the status and JSON body of the answer.
async fn raw(addr: SocketAddr, request: String) -> Res<(u16, Value)> {
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    stream.write_all(request.as_bytes()).await?;
    let mut buf = Vec::new();
    // A hang guard only: the server closes the connection after its answer.
    tokio::time::timeout(Duration::from_secs(120), stream.read_to_end(&mut buf)).await??;
    let text = String::from_utf8_lossy(&buf);
    let status = text.get(9..12).ok_or("no status line")?.parse()?;
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
    Ok((status, serde_json::from_str(body).unwrap_or(Value::Null)))
}

/// A POST of an order as raw bytes with `headers` (the bound `Host` unless one is given).
fn post(f: &Fixture, headers: &[(&str, &str)]) -> String {
    let body = order().to_string();
    let mut text =
        "POST /tmf-api/productOrderingManagement/v4/productOrder HTTP/1.1\r\n".to_owned();
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        text.push_str(&format!("Host: {}\r\n", f.addr()));
    }
    for (k, v) in headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str(&format!("Content-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()));
    text
}

#[tokio::test]
async fn a_30000_item_bundle_chain_posted_without_credentials_is_refused() -> TestResult {
    let f = Fixture::new().await?;
    let r = f
        .client
        .post(f.orders())
        .header("content-type", "application/json")
        .body(bad::bundle_chain())
        .send()
        .await?;
    tmf_error(r, &[400, 422], "limit.items").await?;
    f.intact().await
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() -> TestResult {
    let f = Fixture::new().await?;
    let too_big = orderdesk_server::limits::MAX_BODY_BYTES + 1;
    let mut big = order();
    big["description"] = json!("x".repeat(too_big));
    let r = f.client.post(f.orders()).json(&big).send().await?;
    tmf_error(r, &[413], "body.tooLarge").await?;
    f.intact().await
}

#[tokio::test]
async fn json_nested_100000_deep_is_400() -> TestResult {
    let f = Fixture::new().await?;
    let r = f
        .client
        .post(f.orders())
        .header("content-type", "application/json")
        .body(bad::deep_json())
        .send()
        .await?;
    let message = tmf_error(r, &[400], "body.json").await?;
    assert!(message.contains("recursion limit"), "{message}");
    f.intact().await
}

#[tokio::test]
/// The reference server reads any declared type as JSON (tolerant in what it reads); what is
/// not JSON is 400. (The app's own demo server refuses the type itself: the guard cases.)
async fn an_xml_body_is_400_not_json() -> TestResult {
    let f = Fixture::new().await?;
    let r = f
        .client
        .post(f.orders())
        .header("content-type", "application/xml")
        .body("<productOrder/>")
        .send()
        .await?;
    let message = tmf_error(r, &[400], "body.json").await?;
    assert!(message.contains("not valid JSON"), "{message}");
    f.intact().await
}

#[tokio::test]
async fn a_patch_that_would_make_the_order_too_deep_is_422() -> TestResult {
    let f = Fixture::new().await?;
    let deep = (0..100).fold(json!(1), |inner, _| json!([inner]));
    let r = f
        .client
        .patch(format!("{}/{}", f.orders(), f.id))
        .header("content-type", "application/merge-patch+json")
        .body(json!({"x-deep": deep}).to_string())
        .send()
        .await?;
    tmf_error(r, &[422], "order.tooDeep").await?;
    f.intact().await
}

#[tokio::test]
async fn a_limit_of_99999999999_is_capped_to_the_largest_page() -> TestResult {
    let f = Fixture::new().await?;
    let r = f.client.get(format!("{}?limit=99999999999", f.orders())).send().await?;
    assert_eq!(r.status(), StatusCode::OK);
    let page: Vec<Value> = r.json().await?;
    assert!(page.len() <= orderdesk_server::limits::MAX_PAGE_SIZE, "{}", page.len());
    assert_eq!(page.first().and_then(|o| o["id"].as_str()), Some(f.id.as_str()));
    f.intact().await
}

#[tokio::test]
async fn a_negative_offset_is_400() -> TestResult {
    let f = Fixture::new().await?;
    let r = f.client.get(format!("{}?offset=-1", f.orders())).send().await?;
    let message = tmf_error(r, &[400], "query.offset").await?;
    assert!(message.contains("non-negative integer, got '-1'"), "{message}");
    f.intact().await
}

#[tokio::test]
async fn an_offset_past_any_number_is_400() -> TestResult {
    let f = Fixture::new().await?;
    let huge = "999999999999999999999999";
    let r = f.client.get(format!("{}?offset={huge}", f.orders())).send().await?;
    let message = tmf_error(r, &[400], "query.offset").await?;
    assert!(message.contains(huge), "{message}");
    f.intact().await
}

#[tokio::test]
async fn unknown_fields_and_an_offering_id_of_control_characters_are_refused_printably(
) -> TestResult {
    let f = Fixture::new().await?;
    let mut hostile = order();
    hostile[bad::ESCAPES] = json!(bad::ESCAPES);
    hostile["productOrderItem"][0]["productOffering"]["id"] = json!(bad::ESCAPES);
    let r = f.client.post(f.orders()).json(&hostile).send().await?;
    let message = tmf_error(r, &[400, 422], "offering.unknown").await?;
    assert!(message.contains("red"), "the message names the offering: {message}");
    f.intact().await
}

#[tokio::test]
async fn the_demo_guard_refuses_text_plain_from_a_web_page() -> TestResult {
    let f = Fixture::app_only().await?;
    let bearer = format!("Bearer {TOKEN}");
    let request = post(
        &f,
        &[
            ("Authorization", &bearer),
            ("Origin", "https://evil.example"),
            ("Content-Type", "text/plain"),
        ],
    );
    let (status, body) = raw(f.addr(), request).await?;
    assert_eq!((status, body["code"].as_str()), (403, Some("guard.origin")), "{body}");
    f.intact().await
}

#[tokio::test]
async fn the_demo_guard_refuses_a_wrong_host() -> TestResult {
    let f = Fixture::app_only().await?;
    let bearer = format!("Bearer {TOKEN}");
    let host = format!("rebound.example:{}", f.addr().port());
    let request = post(
        &f,
        &[("Authorization", &bearer), ("Host", &host), ("Content-Type", "application/json")],
    );
    let (status, body) = raw(f.addr(), request).await?;
    assert_eq!((status, body["code"].as_str()), (403, Some("guard.host")), "{body}");
    f.intact().await
}

#[tokio::test]
async fn the_demo_guard_refuses_any_origin_header() -> TestResult {
    let f = Fixture::app_only().await?;
    let bearer = format!("Bearer {TOKEN}");
    let origin = format!("http://{}", f.addr());
    let request = post(
        &f,
        &[("Authorization", &bearer), ("Origin", &origin), ("Content-Type", "application/json")],
    );
    let (status, body) = raw(f.addr(), request).await?;
    assert_eq!((status, body["code"].as_str()), (403, Some("guard.origin")), "{body}");
    f.intact().await
}

#[tokio::test]
async fn the_demo_server_refuses_a_request_without_its_token() -> TestResult {
    let f = Fixture::app_only().await?;
    let r = f.client.post(f.orders()).json(&order()).send().await?;
    tmf_error(r, &[401], "unauthorized").await?;
    f.intact().await
}

async fn register(f: &Fixture, callback: &str) -> Res<reqwest::Response> {
    let url = format!("{}hub", f.server.base_url_v4());
    Ok(f.client.post(url).json(&json!({"callback": callback})).send().await?)
}

#[tokio::test]
async fn a_hub_callback_to_the_metadata_address_is_refused() -> TestResult {
    let f = Fixture::new().await?;
    let r = register(&f, "http://169.254.169.254/latest/meta-data/").await?;
    tmf_error(r, &[422], "callback.refused").await?;
    f.intact().await
}

#[tokio::test]
async fn a_hub_callback_to_a_private_address_is_refused() -> TestResult {
    let f = Fixture::new().await?;
    let r = register(&f, "http://192.168.1.10:8080/listener").await?;
    tmf_error(r, &[422], "callback.refused").await?;
    f.intact().await
}
