//! The router driven without a socket (`tower::ServiceExt::oneshot`), where a test can see
//! the server's state: request bodies share one budget, so endless large uploads cannot take
//! memory without bound.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use hyper::body::Frame;
use orderdesk_server::limits::IdempotencyBounds;
use orderdesk_server::schema::Schemas;
use orderdesk_server::state::AppState;
use orderdesk_server::store::Store;
use orderdesk_server::{api, Catalog, Limits, ServerConfig};
use serde_json::{json, Value};
use tokio::sync::{oneshot, watch};
use tower::ServiceExt;

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// A body that sends one chunk when told to, then ends.
struct Gate(Option<oneshot::Receiver<Bytes>>);

impl hyper::body::Body for Gate {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let Some(rx) = self.0.as_mut() else { return Poll::Ready(None) };
        match Pin::new(rx).poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(chunk) => {
                self.0 = None;
                Poll::Ready(chunk.ok().map(|b| Ok(Frame::data(b))))
            }
        }
    }
}

fn state(
    limits: Limits,
) -> Result<(AppState, watch::Sender<bool>), Box<dyn std::error::Error + Send + Sync>> {
    let (tx, rx) = watch::channel(false);
    let st = AppState::new(
        ServerConfig { limits, ..ServerConfig::default() },
        Store::in_memory(IdempotencyBounds::default()),
        Arc::new(Catalog::demo()?),
        Arc::new(Schemas::load()?),
        "127.0.0.1:1".parse()?,
        "http://127.0.0.1:1".into(),
        rx,
    );
    Ok((st, tx))
}

const ORDERS: &str = "/tmf-api/productOrderingManagement/v4/productOrder";

fn post(len: usize, body: Body) -> Result<Request<Body>, axum::http::Error> {
    Request::post(ORDERS)
        .header("content-type", "application/json")
        .header("content-length", len.to_string())
        .body(body)
}

async fn code(resp: axum::response::Response) -> Result<(StatusCode, Value), axum::Error> {
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await?;
    Ok((status, serde_json::from_slice(&bytes).unwrap_or(Value::Null)))
}

#[tokio::test(flavor = "current_thread")]
async fn request_bodies_share_one_budget() -> TestResult {
    let limits = Limits {
        max_body_bytes: 64 * 1024,
        max_body_bytes_in_flight: 64 * 1024,
        ..Limits::default()
    };
    let (st, _shutdown) = state(limits)?;
    let app = api::router(st.clone());
    assert_eq!(st.body_budget.available_permits(), 64, "KiB");

    // A slow upload of 60 KiB takes its room and keeps it while its body does not come.
    let (release, gate) = oneshot::channel();
    let slow = tokio::spawn(app.clone().oneshot(post(60 * 1024, Body::new(Gate(Some(gate))))?));
    for _ in 0..10_000 {
        if st.body_budget.available_permits() == 4 {
            break;
        }
        tokio::task::yield_now().await;
    }
    assert_eq!(st.body_budget.available_permits(), 4, "the slow upload holds 60 KiB");

    // A 10 KiB order does not fit beside it: it waits (on this one-threaded runtime it would
    // have run to its answer within these yields otherwise).
    let mut order = json!({"productOrderItem": [{"id": "1", "action": "add",
        "productOffering": {"id": "14305"},
        "product": {"productCharacteristic": [{"name": "TEL_MSISDN", "value": "415 279 7439"}]}}]});
    order["description"] = json!("x".repeat(9 * 1024));
    let text = order.to_string();
    let waiting = tokio::spawn(app.clone().oneshot(post(text.len(), Body::from(text))?));
    for _ in 0..1_000 {
        tokio::task::yield_now().await;
    }
    assert!(!waiting.is_finished(), "the order waits for room");

    // A body over the limit does not wait: it is refused at once.
    let (_never, gate) = oneshot::channel::<Bytes>();
    let resp = app.clone().oneshot(post(70 * 1024, Body::new(Gate(Some(gate))))?).await?;
    let (status, e) = code(resp).await?;
    assert_eq!(
        (status, e["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("body.tooLarge"))
    );

    // The slow upload ends (not JSON: refused); its room goes to the waiting order.
    let _ = release.send(Bytes::from(vec![b' '; 60 * 1024]));
    let (status, e) = code(slow.await??).await?;
    assert_eq!((status, e["code"].as_str()), (StatusCode::BAD_REQUEST, Some("body.json")));
    let (status, created) = code(waiting.await??).await?;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(st.body_budget.available_permits(), 64, "all room given back");
    assert_eq!(st.store.count(orderdesk_server::store::Kind::Order), 1);
    Ok(())
}
