//! `orderdesk-server`: the reference TMF622 Product Ordering (v4 and v5 at once) and TMF620
//! Product Catalog server that Orderdesk is developed and tested against, also used
//! in-process by the app's demo mode and by tests.
//!
//! What it owns:
//! - the HTTP API ([`api`]): orders, cancellations, hub listeners, catalog reads, with the TMF
//!   list conventions ([`query`]) and TMF `Error` bodies ([`error`]);
//! - storage ([`store`]): memory, written through to a SQLite file when one is given;
//! - the simulated order and cancellation lifecycles ([`lifecycle`]) and their events
//!   ([`hub`]);
//! - request validation against the official schema of the request's version ([`schema`],
//!   vendored and embedded, compiled once at start-up) and the catalog ([`validate`]);
//! - authentication modes ([`auth`]), `Idempotency-Key` replay, and fault injection
//!   ([`fault`]) for client resilience tests;
//! - the catalog snapshot and the large-catalog generator ([`catalog`]);
//! - the fuzz harness ([`fuzzing`]: any request through the router) that `fuzz/` drives.
//!
//! Invariants: orders are stored in v4 shape; v5 is a rendering ([`shape`]). Every state
//! change is a compare-and-set, so simulation, cancellation, PATCH and DELETE never
//! overwrite each other. The server binds loopback unless told otherwise.
//!
//! Boundaries: no knowledge of the app; it speaks only the TMF wire formats.

pub mod api;
pub mod auth;
pub mod catalog;
pub mod error;
pub mod fault;
pub mod fuzzing;
pub mod hub;
pub mod lifecycle;
pub mod query;
pub mod schema;
pub mod shape;
pub mod state;
pub mod store;
pub mod validate;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;
use tower::ServiceExt;

pub use auth::AuthMode;
pub use catalog::{generate_catalog, Catalog};
pub use error::{ApiError, ServerError};
pub use fault::FaultConfig;
pub use lifecycle::LifecycleConfig;

/// Where the catalog comes from.
#[derive(Debug, Clone, Default)]
pub enum CatalogSource {
    /// The embedded demo catalog.
    #[default]
    Demo,
    /// A snapshot file.
    File(PathBuf),
    /// An already loaded catalog.
    Loaded(Arc<Catalog>),
}

/// Everything the server can be told.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to bind; port 0 picks a free port.
    pub addr: SocketAddr,
    /// SQLite file; `None` keeps data in memory.
    pub db: Option<PathBuf>,
    /// The catalog to serve.
    pub catalog: CatalogSource,
    /// Lifecycle delays and outcome rules.
    pub lifecycle: LifecycleConfig,
    /// Authentication.
    pub auth: AuthMode,
    /// Fault injection.
    pub faults: FaultConfig,
    /// Base URL used in hrefs; defaults to `http://<bound address>`.
    pub public_base: Option<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            db: None,
            catalog: CatalogSource::Demo,
            lifecycle: LifecycleConfig::default(),
            auth: AuthMode::None,
            faults: FaultConfig::default(),
            public_base: None,
        }
    }
}

/// A started server. Dropping it without [`RunningServer::shutdown`] leaves it running
/// until the runtime ends.
pub struct RunningServer {
    addr: SocketAddr,
    base: String,
    shutdown: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl RunningServer {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://host:port`.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// TMF622 v4 base URL, ending in `/`.
    pub fn base_url_v4(&self) -> String {
        format!("{}/tmf-api/productOrderingManagement/v4/", self.base)
    }

    /// TMF622 v5 base URL, ending in `/`.
    pub fn base_url_v5(&self) -> String {
        format!("{}/tmf-api/productOrderingManagement/v5/", self.base)
    }

    /// TMF620 v4 base URL, ending in `/`.
    pub fn catalog_url_v4(&self) -> String {
        format!("{}/tmf-api/productCatalogManagement/v4/", self.base)
    }

    /// TMF620 v5 base URL, ending in `/`.
    pub fn catalog_url_v5(&self) -> String {
        format!("{}/tmf-api/productCatalogManagement/v5/", self.base)
    }

    /// OAuth2 token endpoint URL.
    pub fn token_url(&self) -> String {
        format!("{}{}", self.base, auth::TOKEN_PATH)
    }

    /// Stops accepting, lets open requests finish (up to 5 s), stops the simulation.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let _ = self.task.await;
    }

    /// Waits until the server stops (after a shutdown signal).
    pub async fn wait(self) {
        let _ = self.task.await;
    }

    /// A handle that can trigger shutdown from elsewhere (e.g. a signal handler).
    pub fn shutdown_handle(&self) -> watch::Sender<bool> {
        self.shutdown.clone()
    }
}

/// Starts the server on the current tokio runtime.
pub async fn start(config: ServerConfig) -> Result<RunningServer, ServerError> {
    config.faults.validate().map_err(ServerError::Config)?;
    let schemas = Arc::new(schema::Schemas::load()?);
    let catalog = match &config.catalog {
        CatalogSource::Demo => Arc::new(Catalog::demo()?),
        CatalogSource::File(p) => {
            let p = p.clone();
            Arc::new(
                tokio::task::spawn_blocking(move || Catalog::load(&p))
                    .await
                    .map_err(|e| ServerError::Task(e.to_string()))??,
            )
        }
        CatalogSource::Loaded(c) => Arc::clone(c),
    };
    let store = match &config.db {
        None => store::Store::in_memory(),
        Some(p) => {
            let p = p.clone();
            tokio::task::spawn_blocking(move || store::Store::open(&p))
                .await
                .map_err(|e| ServerError::Task(e.to_string()))??
        }
    };
    let listener = TcpListener::bind(config.addr)
        .await
        .map_err(|source| ServerError::Bind { addr: config.addr.to_string(), source })?;
    let addr = listener.local_addr()?;
    let base = config
        .public_base
        .clone()
        .map(|b| b.trim_end_matches('/').to_owned())
        .unwrap_or_else(|| format!("http://{addr}"));
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let hub = hub::Hub::start(store.clone(), base.clone());
    let st = state::AppState {
        store,
        catalog,
        schemas,
        config: Arc::new(config),
        public_base: base.clone(),
        hub,
        tokens: Arc::new(Mutex::new(HashMap::new())),
        idempotency_locks: Arc::new(Mutex::new(HashMap::new())),
        shutdown: shutdown_rx.clone(),
    };
    lifecycle::resume(&st);
    let app = api::router(st);
    let task = tokio::spawn(serve(listener, app, shutdown_rx));
    Ok(RunningServer { addr, base, shutdown: shutdown_tx, task })
}

/// The accept loop. Each connection is served by hyper directly (not `axum::serve`) so a
/// request can close its own connection without answering (fault injection), and so
/// shutdown can drain connections gracefully.
async fn serve(listener: TcpListener, app: axum::Router, mut shutdown: watch::Receiver<bool>) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((s, _)) => s,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                conns.spawn(serve_connection(stream, app.clone(), shutdown.clone()));
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    drop(listener);
    let drain = async { while conns.join_next().await.is_some() {} };
    if tokio::time::timeout(Duration::from_secs(5), drain).await.is_err() {
        conns.abort_all();
    }
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    app: axum::Router,
    mut shutdown: watch::Receiver<bool>,
) {
    let kill = Arc::new(Notify::new());
    let k = Arc::clone(&kill);
    let svc = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
        req.extensions_mut().insert(fault::ConnectionKill(Arc::clone(&k)));
        app.clone().oneshot(req.map(axum::body::Body::new))
    });
    let conn =
        hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), svc);
    tokio::pin!(conn);
    let mut draining = *shutdown.borrow();
    if draining {
        conn.as_mut().graceful_shutdown();
    }
    loop {
        tokio::select! {
            _ = conn.as_mut() => break,
            () = kill.notified() => break,
            changed = shutdown.changed(), if !draining => {
                draining = true;
                if changed.is_ok() {
                    conn.as_mut().graceful_shutdown();
                }
            }
        }
    }
}
