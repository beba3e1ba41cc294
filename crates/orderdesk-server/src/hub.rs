//! Notification hub: listener registrations (`POST/DELETE …/hub`) and event delivery.
//!
//! Events are queued and POSTed by one background worker, so each listener receives them in
//! the order they happened. A listener registered through `/v4/hub` gets v4 payloads, one
//! registered through `/v5/hub` gets v5 payloads. A `query` such as
//! `eventType=ProductOrderStateChangeEvent` (comma-separated values allowed) limits which
//! events a listener gets. Delivery is best effort: a listener that fails or times out is
//! logged and skipped, never retried.

use std::time::Duration;

use orderdesk_wire::convert::{cancel_between, order_between};
use orderdesk_wire::Version;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::lifecycle::now;
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

struct Delivery {
    callback: String,
    body: Value,
}

/// Publishes events to registered listeners.
#[derive(Clone)]
pub struct Hub {
    store: Store,
    public_base: String,
    tx: mpsc::UnboundedSender<Delivery>,
}

/// Does a listener's `query` accept this event type?
pub fn query_accepts(query: Option<&str>, event_type: &str) -> bool {
    let Some(q) = query.filter(|q| !q.trim().is_empty()) else {
        return true;
    };
    let mut constrained = false;
    for part in q.split('&') {
        if let Some((k, v)) = part.split_once('=') {
            if k.trim() == "eventType" {
                constrained = true;
                if v.split(',').any(|t| t.trim() == event_type) {
                    return true;
                }
            }
        }
    }
    !constrained
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
    /// Creates the hub and starts its delivery worker.
    pub fn start(store: Store, public_base: String) -> Self {
        let (tx, mut rx) = mpsc::unbounded_channel::<Delivery>();
        tokio::spawn(async move {
            let client = match reqwest::Client::builder().timeout(Duration::from_secs(3)).build() {
                Ok(c) => c,
                Err(e) => {
                    tracing::error!(error = %e, "no HTTP client for event delivery");
                    return;
                }
            };
            while let Some(d) = rx.recv().await {
                match client.post(&d.callback).json(&d.body).send().await {
                    Ok(r) if r.status().is_success() => {}
                    Ok(r) => {
                        tracing::warn!(callback = %d.callback, status = %r.status(), "listener refused event")
                    }
                    Err(e) => {
                        tracing::warn!(callback = %d.callback, error = %e, "event not delivered")
                    }
                }
            }
        });
        Self { store, public_base, tx }
    }

    /// Queues an event about a stored resource for every interested listener.
    pub fn publish(&self, kind: EventKind, resource: &Value) {
        let listeners = self.store.all(Kind::Listener);
        if listeners.is_empty() {
            return;
        }
        let event_id = uuid::Uuid::new_v4().to_string();
        let time = now();
        for l in listeners {
            let Some(callback) = l.get("callback").and_then(Value::as_str) else {
                continue;
            };
            if !query_accepts(l.get("query").and_then(Value::as_str), kind.name()) {
                continue;
            }
            let version = l
                .get("version")
                .and_then(Value::as_str)
                .and_then(Version::from_segment)
                .unwrap_or(Version::V4);
            let (store_kind, key) = if kind.is_order() {
                (Kind::Order, "productOrder")
            } else {
                (Kind::Cancel, "cancelProductOrder")
            };
            let rendered = render(&self.public_base, store_kind, resource, version);
            let mut body = json!({
                "eventId": event_id,
                "eventTime": time,
                "eventType": kind.name(),
                "event": { key: rendered },
            });
            if let Some(obj) = body.as_object_mut() {
                version.fill_type(obj, kind.name());
            }
            // The receiver lives as long as the runtime; a send error only means shutdown.
            let _ = self.tx.send(Delivery { callback: callback.to_owned(), body });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_filters_event_types() {
        assert!(query_accepts(None, "ProductOrderCreateEvent"));
        assert!(query_accepts(Some(""), "ProductOrderCreateEvent"));
        assert!(query_accepts(
            Some("eventType=ProductOrderCreateEvent,ProductOrderStateChangeEvent"),
            "ProductOrderStateChangeEvent"
        ));
        assert!(!query_accepts(
            Some("eventType=ProductOrderCreateEvent"),
            "CancelProductOrderCreateEvent"
        ));
        assert!(query_accepts(Some("foo=bar"), "ProductOrderCreateEvent"));
    }
}
