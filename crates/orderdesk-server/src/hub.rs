//! Notification hub: listener registrations (`POST/DELETE …/hub`) and event delivery.
//!
//! Each listener has its own bounded queue and its own delivery task, so it receives events in
//! the order they happened, and a listener that never answers delays only itself: its queue
//! fills up (then its new events are dropped, with one warning) while every other listener
//! is served at once. A listener registered through `/v4/hub` gets v4 payloads, one
//! registered through `/v5/hub` gets v5 payloads. A `query` limits which events a listener
//! gets: it is a list query over the event (`eventType=ProductOrderStateChangeEvent`, comma-
//! separated values allowed, `event.productOrder.state=completed`, the operators of
//! [`crate::query`]); an event goes only to listeners whose query it matches. Delivery is
//! best effort: a listener that fails or times out is logged and skipped, never retried.
//! Where events may go is [`crate::callback`]'s: redirects are not followed and no proxy is
//! used.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use orderdesk_wire::convert::{cancel_between, order_between};
use orderdesk_wire::Version;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::callback::{self, GuardedResolver};
use crate::lifecycle::now;
use crate::query::ListQuery;
use crate::store::{Kind, Store};

/// The events the server publishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// A product order was created.
    OrderCreate,
    /// A product order changed state.
    OrderStateChange,
    /// A client changed attributes of a product order.
    OrderAttributeValueChange,
    /// A product order was deleted.
    OrderDelete,
    /// A cancellation was requested.
    CancelCreate,
    /// A cancellation task changed state.
    CancelStateChange,
}

impl EventKind {
    /// The TMF event type name.
    pub fn name(self) -> &'static str {
        match self {
            EventKind::OrderCreate => "ProductOrderCreateEvent",
            EventKind::OrderStateChange => "ProductOrderStateChangeEvent",
            EventKind::OrderAttributeValueChange => "ProductOrderAttributeValueChangeEvent",
            EventKind::OrderDelete => "ProductOrderDeleteEvent",
            EventKind::CancelCreate => "CancelProductOrderCreateEvent",
            EventKind::CancelStateChange => "CancelProductOrderStateChangeEvent",
        }
    }

    fn is_order(self) -> bool {
        !matches!(self, EventKind::CancelCreate | EventKind::CancelStateChange)
    }
}

/// How the hub delivers.
#[derive(Debug, Clone, Copy)]
pub struct HubConfig {
    /// Whether callbacks may be loopback or private addresses.
    pub allow_private: bool,
    /// Events waiting per listener.
    pub queue: usize,
    /// Time for one delivery.
    pub delivery_timeout: Duration,
}

/// Which events a listener gets.
enum Interest {
    /// No query: every event.
    All,
    /// The events its query matches.
    Matching(ListQuery),
    /// Its query cannot be read (stored by an older server): none.
    Nothing,
}

impl Interest {
    fn accepts(&self, event: &Value) -> bool {
        match self {
            Interest::All => true,
            Interest::Matching(q) => q.matches(event),
            Interest::Nothing => false,
        }
    }
}

/// One listener's queue and delivery task.
struct Worker {
    tx: mpsc::Sender<Value>,
    task: tokio::task::JoinHandle<()>,
    interest: Interest,
    version: Version,
    /// Whether the last event was dropped (so a full queue is reported once, not per event).
    dropping: bool,
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Publishes events to registered listeners.
#[derive(Clone)]
pub struct Hub {
    store: Store,
    public_base: String,
    config: HubConfig,
    client: Option<reqwest::Client>,
    workers: Arc<Mutex<HashMap<String, Worker>>>,
}

/// Reads a listener's `query` (`a=b&c.gt=d`, percent-encoded as in a URL query).
pub fn parse_query(query: &str) -> Result<ListQuery, crate::error::ApiError> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .filter(|(k, _)| !k.is_empty())
        .collect();
    ListQuery::parse(&pairs)
}

/// Does a listener's `query` accept this event (the body as the listener receives it)? No
/// query accepts every event; a query that cannot be read accepts none.
pub fn query_accepts(query: Option<&str>, event: &Value) -> bool {
    match query.filter(|q| !q.trim().is_empty()) {
        None => true,
        Some(q) => parse_query(q).is_ok_and(|lq| lq.matches(event)),
    }
}

/// Renders a stored (v4) resource for a version, with its href.
pub fn render(public_base: &str, kind: Kind, v: &Value, version: Version) -> Value {
    let id = v.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
    let (collection, mut out) = match kind {
        Kind::Order => ("productOrder", order_between(v.clone(), Version::V4, version)),
        Kind::Cancel => ("cancelProductOrder", cancel_between(v.clone(), Version::V4, version)),
        Kind::Listener => ("hub", v.clone()),
    };
    let href = format!(
        "{public_base}/tmf-api/productOrderingManagement/{}/{collection}/{id}",
        version.as_str()
    );
    if let Some(obj) = out.as_object_mut() {
        // `href` right after `id`, as in the specification's examples.
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
        obj.entry("href").or_insert_with(|| Value::String(href.clone()));
        if kind == Kind::Cancel {
            if let Some(Value::Object(po)) = obj.get_mut("productOrder") {
                if let Some(oid) = po.get("id").and_then(Value::as_str).map(str::to_owned) {
                    po.insert(
                        "href".into(),
                        Value::String(format!(
                            "{public_base}/tmf-api/productOrderingManagement/{}/productOrder/{oid}",
                            version.as_str()
                        )),
                    );
                }
            }
        }
        if kind == Kind::Listener {
            obj.remove("version");
        }
    }
    out
}

impl Hub {
    /// Creates the hub (listeners get their delivery task with their first event).
    pub fn start(store: Store, public_base: String, config: HubConfig) -> Self {
        let client = reqwest::Client::builder()
            .timeout(config.delivery_timeout)
            .connect_timeout(config.delivery_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(Arc::new(GuardedResolver { allow_private: config.allow_private }))
            .build();
        let client = match client {
            Ok(c) => Some(c),
            Err(e) => {
                tracing::error!(error = %e, "no HTTP client for event delivery");
                None
            }
        };
        Self { store, public_base, config, client, workers: Arc::new(Mutex::new(HashMap::new())) }
    }

    /// Stops delivering to a listener (it was deleted); queued events are dropped.
    pub fn forget(&self, listener_id: &str) {
        self.workers.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(listener_id);
    }

    /// Queues an event about a stored resource for every listener whose query it matches.
    pub fn publish(&self, kind: EventKind, resource: &Value) {
        let listeners = self.store.all(Kind::Listener);
        if listeners.is_empty() {
            self.workers.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
            return;
        }
        let Some(client) = &self.client else { return };
        let event_id = uuid::Uuid::new_v4().to_string();
        let time = now();
        let (store_kind, key) = if kind.is_order() {
            (Kind::Order, "productOrder")
        } else {
            (Kind::Cancel, "cancelProductOrder")
        };
        let mut rendered: HashMap<Version, Value> = HashMap::new();
        let mut workers = self.workers.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // Workers of listeners that are gone (a delete that raced a publish) end here.
        let current: std::collections::HashSet<&str> =
            listeners.iter().filter_map(|l| l.get("id").and_then(Value::as_str)).collect();
        workers.retain(|id, _| current.contains(id.as_str()));
        for l in &listeners {
            let (Some(id), Some(callback)) =
                (l.get("id").and_then(Value::as_str), l.get("callback").and_then(Value::as_str))
            else {
                continue;
            };
            let worker = workers.entry(id.to_owned()).or_insert_with(|| {
                let query = l.get("query").and_then(Value::as_str).filter(|q| !q.trim().is_empty());
                spawn_worker(
                    client.clone(),
                    callback.to_owned(),
                    query.map(parse_query),
                    l.get("version").and_then(Value::as_str),
                    self.config,
                )
            });
            let body = rendered.entry(worker.version).or_insert_with(|| {
                let mut body = json!({
                    "eventId": event_id,
                    "eventTime": time,
                    "eventType": kind.name(),
                    "event": { key: render(&self.public_base, store_kind, resource, worker.version) },
                });
                if let Some(obj) = body.as_object_mut() {
                    worker.version.fill_type(obj, kind.name());
                }
                body
            });
            if !worker.interest.accepts(body) {
                continue;
            }
            match worker.tx.try_send(body.clone()) {
                Ok(()) => worker.dropping = false,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    if !worker.dropping {
                        tracing::warn!(
                            listener = id,
                            callback,
                            "listener is not keeping up; its new events are dropped"
                        );
                    }
                    worker.dropping = true;
                }
                // The task ended (the runtime is shutting down).
                Err(mpsc::error::TrySendError::Closed(_)) => {}
            }
        }
    }
}

/// Starts a listener's delivery task. A query that cannot be read (stored by an older
/// server) matches nothing.
fn spawn_worker(
    client: reqwest::Client,
    callback: String,
    query: Option<Result<ListQuery, crate::error::ApiError>>,
    version: Option<&str>,
    config: HubConfig,
) -> Worker {
    let (tx, mut rx) = mpsc::channel::<Value>(config.queue);
    let interest = match query {
        None => Interest::All,
        Some(Ok(q)) => Interest::Matching(q),
        Some(Err(e)) => {
            tracing::warn!(callback, error = %e.message, "listener query cannot be read; it gets no events");
            Interest::Nothing
        }
    };
    let task = tokio::spawn(async move {
        // Listeners stored by an older server were not checked when they were registered.
        let url = match callback::check_url(&callback, config.allow_private) {
            Ok(url) => url,
            Err(why) => {
                tracing::warn!(callback, why, "listener callback refused; it gets no events");
                while rx.recv().await.is_some() {}
                return;
            }
        };
        while let Some(body) = rx.recv().await {
            match client.post(url.clone()).json(&body).send().await {
                Ok(r) if r.status().is_success() => {}
                Ok(r) => {
                    tracing::warn!(callback, status = %r.status(), "listener refused event");
                }
                Err(e) => tracing::warn!(callback, error = %e, "event not delivered"),
            }
        }
    });
    let version = version.and_then(Version::from_segment).unwrap_or(Version::V4);
    Worker { tx, task, interest, version, dropping: false }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str, state: &str) -> Value {
        json!({"eventType": kind, "event": {"productOrder": {"id": "1", "state": state}}})
    }

    #[test]
    fn query_filters_events() {
        let created = event("ProductOrderCreateEvent", "acknowledged");
        let done = event("ProductOrderStateChangeEvent", "completed");
        assert!(query_accepts(None, &created));
        assert!(query_accepts(Some(""), &created));
        let both = Some("eventType=ProductOrderCreateEvent,ProductOrderStateChangeEvent");
        assert!(query_accepts(both, &done));
        assert!(!query_accepts(Some("eventType=ProductOrderCreateEvent"), &done));
        assert!(query_accepts(Some("eventType = ProductOrderStateChangeEvent"), &done));
        // Every part of the query counts, not only the event type.
        assert!(!query_accepts(Some("foo=bar"), &created));
        let completed =
            Some("eventType=ProductOrderStateChangeEvent&event.productOrder.state=completed");
        assert!(query_accepts(completed, &done));
        assert!(!query_accepts(completed, &event("ProductOrderStateChangeEvent", "inProgress")));
        assert!(query_accepts(Some("event.productOrder.id=1"), &created));
        assert!(!query_accepts(Some("event.productOrder.id=2"), &created));
    }
}
