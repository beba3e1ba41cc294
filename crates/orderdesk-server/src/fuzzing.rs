//! Fuzz harness: any request through the whole router (faults, auth, idempotency, handlers)
//! with `tower::ServiceExt::oneshot`, on a fresh in-memory server. `fuzz/` (cargo-fuzz) drives
//! it with libFuzzer; `tests/fuzz.rs` replays the committed corpus and every input that once
//! failed. It must never panic on any input: a panic is a bug in this crate.
//!
//! An input is a request written like HTTP: `METHOD TARGET [AUTH]` on the first line (`AUTH`
//! is `none`, the default, `oauth2` or `headers`: the server's authentication mode), then one
//! `name: value` header per line, an empty line and the body. A request HTTP could not carry
//! (a method, target or header hyper refuses) is left out: it never reaches the router.
//!
//! Each request meets a server of its own holding one order that can still be patched
//! (`fuzz-order`), one that is completed (`fuzz-done`), a cancellation (`fuzz-cancel`) and a
//! hub listener (`fuzz-listener`), so that reads, patches, deletes and cancellations of
//! existing resources are reached. The runtime ends with the request, so no simulated
//! lifecycle step or event delivery outlives it.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::body::Body;
use axum::http::{header, HeaderName, HeaderValue, Method, Request, Uri};
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::catalog::Catalog;
use crate::schema::Schemas;
use crate::state::AppState;
use crate::store::{Kind, Store};
use crate::{api, AuthMode, ServerConfig};

/// The client id and secret of the `oauth2` and `headers` modes.
pub const CLIENT_ID: &str = "fuzz";
/// See [`CLIENT_ID`].
pub const CLIENT_SECRET: &str = "fuzz-secret";
/// An access token the `oauth2` mode has issued.
pub const ACCESS_TOKEN: &str = "fuzz-token";

/// The compiled schemas and the demo catalog, shared by every request (building them is
/// what a server does once at start-up).
fn shared() -> &'static (Arc<Schemas>, Arc<Catalog>) {
    static SHARED: OnceLock<(Arc<Schemas>, Arc<Catalog>)> = OnceLock::new();
    SHARED.get_or_init(|| match (Schemas::load(), Catalog::demo()) {
        (Ok(s), Ok(c)) => (Arc::new(s), Arc::new(c)),
        // Both are embedded in the binary: a failure here is a build defect, not an input.
        (Err(e), _) => panic!("the embedded schemas do not compile: {e}"),
        (_, Err(e)) => panic!("the embedded demo catalog does not load: {e}"),
    })
}

/// Sends the request in `data` to a fresh server and reads the whole answer. Asserts that an
/// answer that says it is JSON is JSON.
pub fn serve_request(data: &[u8]) {
    let Some((auth, request)) = request(data) else { return };
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
        return;
    };
    runtime.block_on(async move {
        let (schemas, catalog) = shared();
        let store = Store::in_memory(crate::limits::IdempotencyBounds::default());
        seed(&store).await;
        let (_shutdown, shutdown_rx) = tokio::sync::watch::channel(false);
        let bound = std::net::SocketAddr::from(([127, 0, 0, 1], 1));
        let state = AppState::new(
            ServerConfig { auth, ..ServerConfig::default() },
            store,
            Arc::clone(catalog),
            Arc::clone(schemas),
            bound,
            format!("http://{bound}"),
            shutdown_rx,
        );
        if let Ok(mut tokens) = state.tokens.lock() {
            tokens.issue(ACCESS_TOKEN, Instant::now());
        }
        let Ok(response) = api::router(state).oneshot(request).await;
        let json = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("application/json"));
        let body = match axum::body::to_bytes(response.into_body(), usize::MAX).await {
            Ok(body) => body,
            Err(e) => panic!("the answer's body cannot be read: {e}"),
        };
        if json && !body.is_empty() {
            if let Err(e) = serde_json::from_slice::<Value>(&body) {
                panic!("an answer that says it is JSON is not: {e}");
            }
        }
    });
}

/// The authentication mode and the request `data` writes, if HTTP could carry it.
fn request(data: &[u8]) -> Option<(AuthMode, Request<Body>)> {
    let at = data.windows(2).position(|w| w == b"\n\n");
    let (head, body) = match at {
        Some(at) => {
            let (head, rest) = data.split_at(at);
            (head, rest.get(2..).unwrap_or_default())
        }
        None => (data, &[][..]),
    };
    let mut lines = head.split(|b| *b == b'\n');
    let first = std::str::from_utf8(lines.next()?).ok()?;
    let mut words = first.split(' ');
    let method = Method::from_bytes(words.next()?.as_bytes()).ok()?;
    let uri = words.next()?.parse::<Uri>().ok()?;
    let credentials = || (CLIENT_ID.to_owned(), CLIENT_SECRET.to_owned());
    let auth = match words.next() {
        None | Some("none") => AuthMode::None,
        Some("oauth2") => {
            let (client_id, client_secret) = credentials();
            AuthMode::OAuth2 { client_id, client_secret }
        }
        Some("headers") => {
            let (client_id, client_secret) = credentials();
            AuthMode::ClientHeaders { client_id, client_secret }
        }
        Some(_) => return None,
    };
    let mut builder = Request::builder().method(method).uri(uri);
    for line in lines {
        let colon = line.iter().position(|b| *b == b':')?;
        let (name, value) = line.split_at(colon);
        let name = HeaderName::from_bytes(name.trim_ascii()).ok()?;
        let value =
            HeaderValue::from_bytes(value.get(1..).unwrap_or_default().trim_ascii()).ok()?;
        builder = builder.header(name, value);
    }
    let request = builder.body(Body::from(body.to_vec())).ok()?;
    Some((auth, request))
}

/// The resources every request finds.
async fn seed(store: &Store) {
    let item = |id: &str, offering: &str, state: &str| {
        json!({"id": id, "action": "add", "quantity": 1, "state": state,
               "productOffering": {"id": offering}})
    };
    // Stored orders are in v4 shape.
    let order = |id: &str, state: &str| {
        let mut order = json!({"id": id, "state": state,
               "externalId": format!("PO-{id}"), "relatedParty": [], "@type": "ProductOrder",
               "productOrderItem": [item("1", "14277", state), item("2", "14305", state)]});
        if let Some(members) = order.as_object_mut() {
            members.insert(
                orderdesk_wire::Version::V4.order_date_member().to_owned(),
                json!("2025-01-01T00:00:00.000Z"),
            );
        }
        order
    };
    let resources = [
        (Kind::Order, "fuzz-order", order("fuzz-order", "acknowledged")),
        (Kind::Order, "fuzz-done", order("fuzz-done", "completed")),
        (
            Kind::Cancel,
            "fuzz-cancel",
            json!({"id": "fuzz-cancel", "state": "acknowledged", "@type": "CancelProductOrder",
                   "productOrder": {"id": "fuzz-done", "@referredType": "ProductOrder"}}),
        ),
        // The discard port: a delivery, should one start, goes nowhere.
        (
            Kind::Listener,
            "fuzz-listener",
            json!({"id": "fuzz-listener", "callback": "http://127.0.0.1:9/listener", "version": "v4"}),
        ),
    ];
    for (kind, id, value) in resources {
        // An in-memory store cannot fail to store.
        let _ = store.put(kind, id.to_owned(), value).await;
    }
}
