//! The state shared by every request handler and background task.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::sync::{watch, Semaphore};

use crate::auth::{TokenLimiter, Tokens};
use crate::catalog::Catalog;
use crate::hub::{Hub, HubConfig};
use crate::inventory::Inventory;
use crate::schema::Schemas;
use crate::store::Store;
use crate::ServerConfig;

/// Cheap to clone; everything inside is shared.
#[derive(Clone)]
pub struct AppState {
    /// Orders, cancellations, listeners, idempotency records.
    pub store: Store,
    /// The catalog served and validated against.
    pub catalog: Arc<Catalog>,
    /// Customers and installed products (TMF629, TMF637).
    pub inventory: Arc<Inventory>,
    /// The request schemas of both versions, compiled.
    pub schemas: Arc<Schemas>,
    /// The configuration the server was started with.
    pub config: Arc<ServerConfig>,
    /// The address the server is bound to.
    pub bound: SocketAddr,
    /// `http://host:port` used in hrefs.
    pub public_base: String,
    /// Event publication.
    pub hub: Hub,
    /// Issued OAuth2 access tokens and their expiry.
    pub tokens: Arc<Mutex<Tokens>>,
    /// Token requests per client address.
    pub token_limiter: Arc<TokenLimiter>,
    /// One lock per idempotency key in use, so concurrent retries wait for the first; a key's
    /// lock is dropped when its last request ends.
    pub idempotency_locks: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
    /// Room for request bodies being received, in KiB ([`crate::Limits::max_body_bytes_in_flight`]).
    pub body_budget: Arc<Semaphore>,
    /// Becomes `true` when the server shuts down.
    pub shutdown: watch::Receiver<bool>,
}

impl AppState {
    /// The state of a server bound to `bound`, over its store, catalog and schemas. Starts the
    /// hub (needs a tokio runtime). [`crate::start`] builds it; so can a test that drives
    /// [`crate::api::router`] without a socket.
    pub fn new(
        config: ServerConfig,
        store: Store,
        catalog: Arc<Catalog>,
        schemas: Arc<Schemas>,
        bound: SocketAddr,
        public_base: String,
        shutdown: watch::Receiver<bool>,
    ) -> Self {
        let hub = Hub::start(
            store.clone(),
            public_base.clone(),
            HubConfig {
                allow_private: config.allow_private_callbacks,
                queue: config.limits.hub_queue,
                delivery_timeout: config.limits.hub_delivery_timeout,
            },
        );
        let budget_kib = config.limits.max_body_bytes_in_flight.div_ceil(1024);
        let inventory = Arc::new(Inventory::seeded(config.inventory, catalog.rules()));
        Self {
            store,
            inventory,
            catalog,
            schemas,
            body_budget: Arc::new(Semaphore::new(budget_kib.min(Semaphore::MAX_PERMITS))),
            token_limiter: Arc::new(TokenLimiter::new(&config.limits)),
            config: Arc::new(config),
            bound,
            public_base,
            hub,
            tokens: Arc::new(Mutex::new(Tokens::default())),
            idempotency_locks: Arc::new(Mutex::new(HashMap::new())),
            shutdown,
        }
    }
}

/// The client's address, put into each request's extensions by the connection loop.
#[derive(Debug, Clone, Copy)]
pub struct PeerAddr(pub SocketAddr);
