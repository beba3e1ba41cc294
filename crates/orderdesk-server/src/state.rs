//! The state shared by every request handler and background task.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::sync::watch;

use crate::auth::{TokenLimiter, Tokens};
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
    /// Becomes `true` when the server shuts down.
    pub shutdown: watch::Receiver<bool>,
}

/// The client's address, put into each request's extensions by the connection loop.
#[derive(Debug, Clone, Copy)]
pub struct PeerAddr(pub SocketAddr);
