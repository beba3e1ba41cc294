//! The state shared by every request handler and background task.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::watch;

use crate::catalog::Catalog;
use crate::hub::Hub;
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
    /// The request schemas of both versions, compiled.
    pub schemas: Arc<Schemas>,
    /// The configuration the server was started with.
    pub config: Arc<ServerConfig>,
    /// `http://host:port` used in hrefs.
    pub public_base: String,
    /// Event publication.
    pub hub: Hub,
    /// Issued OAuth2 access tokens and their expiry.
    pub tokens: Arc<Mutex<HashMap<String, Instant>>>,
    /// One lock per idempotency key, so concurrent retries wait for the first.
    pub idempotency_locks: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
    /// Becomes `true` when the server shuts down.
    pub shutdown: watch::Receiver<bool>,
}
