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
//! - authentication modes ([`auth`]), `Idempotency-Key` replay ([`idempotency`]), and fault
//!   injection ([`fault`]) for client resilience tests;
//! - the catalog snapshot and the large-catalog generator ([`catalog`]); customers and
//!   installed products (TMF629, TMF637), their demo set, the large-set generator and the
//!   effect of a completed order on them ([`inventory`]);
//! - every bound on what clients send ([`limits`]), where hub events may go ([`callback`]),
//!   and the app-only guard of the app's demo server ([`guard`]);
//! - the fuzz harness ([`fuzzing`]: any request through the router) that `fuzz/` drives.
//!
//! Invariants: orders are stored in v4 shape; v5 is a rendering (`orderdesk_wire::convert`'s
//! mapping, see [`hub::render`]); what differs between the versions is asked of
//! `orderdesk-wire`, never decided here. Every state
//! change is a compare-and-set, so simulation, cancellation, PATCH and DELETE never
//! overwrite each other. The server binds loopback unless told otherwise. Nothing a client
//! sends can stop it: every request is bounded in size and time, every store in size, and a
//! stored document is always one the server can list and read back from its database.
//!
//! Boundaries: no knowledge of the app; it speaks only the TMF wire formats.

#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects, clippy::indexing_slicing))]

pub mod api;
pub mod auth;
pub mod callback;
pub mod catalog;
pub mod cli;
pub mod error;
pub mod fault;
pub mod fuzzing;
pub mod guard;
pub mod hub;
pub mod idempotency;
pub mod inventory;
pub mod lifecycle;
pub mod limits;
pub mod query;
pub mod schema;
pub mod state;
pub mod store;
pub mod validate;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify, Semaphore};
use tokio::task::JoinSet;
use tower::ServiceExt;

pub use auth::AuthMode;
pub use catalog::{generate_catalog, Catalog};
pub use error::{ApiError, ServerError};
pub use fault::FaultConfig;
pub use inventory::InventorySource;
pub use lifecycle::LifecycleConfig;
pub use limits::Limits;

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
    /// Bounds on what clients send ([`limits`]).
    pub limits: Limits,
    /// Whether hub callbacks may be loopback or private addresses (off: only public
    /// addresses get events; link-local and metadata addresses never do). See [`callback`].
    pub allow_private_callbacks: bool,
    /// Serve only the program that started the server, never a web page: the `Host` must be
    /// the bound address, a request with an `Origin` is refused, and bodies must be JSON
    /// ([`guard`]). Together with a [`AuthMode::Bearer`] token known only to that program,
    /// this is how the app's in-process demo server stays the app's alone.
    pub app_only: bool,
    /// The customers and installed products served (TMF629, TMF637).
    pub inventory: InventorySource,
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
            limits: Limits::default(),
            allow_private_callbacks: false,
            app_only: false,
            inventory: InventorySource::Demo,
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
    skipped: Vec<String>,
}

impl RunningServer {
    /// What the database held that could not be served (reported at start and skipped).
    pub fn skipped_at_start(&self) -> &[String] {
        &self.skipped
    }

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
    config.limits.validate().map_err(ServerError::Config)?;
    if config.app_only && !config.addr.ip().is_loopback() {
        return Err(ServerError::Config("an app-only server binds a loopback address".into()));
    }
    let bounds = config.limits.idempotency;
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
        None => store::Store::in_memory(bounds),
        Some(p) => {
            let p = p.clone();
            tokio::task::spawn_blocking(move || store::Store::open(&p, bounds))
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
    let skipped = store.skipped().to_vec();
    let conn_limits = ConnectionLimits {
        max: config.limits.max_connections,
        header_read_timeout: config.limits.header_read_timeout,
    };
    let st = state::AppState::new(
        config,
        store,
        catalog,
        schemas,
        addr,
        base.clone(),
        shutdown_rx.clone(),
    );
    lifecycle::resume(&st);
    let app = api::router(st);
    let task = tokio::spawn(serve(listener, app, conn_limits, shutdown_rx));
    Ok(RunningServer { addr, base, shutdown: shutdown_tx, task, skipped })
}

/// The connection loop's bounds.
#[derive(Debug, Clone, Copy)]
struct ConnectionLimits {
    max: usize,
    header_read_timeout: Duration,
}

/// What a connection over the cap is told before it is closed.
fn busy_answer() -> Vec<u8> {
    let body = ApiError::new(
        axum::http::StatusCode::SERVICE_UNAVAILABLE,
        "server.busy",
        "Service Unavailable",
        "the server has too many open connections; try again shortly",
    )
    .body()
    .to_string();
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The accept loop. Each connection is served by hyper directly (not `axum::serve`) so a
/// request can close its own connection without answering (fault injection), and so
/// shutdown can drain connections gracefully.
///
/// At most `limits.max` connections are served at once: one more is answered `503` with a
/// TMF Error and closed, so a flood of connections never takes memory or tasks without
/// bound, and the ones already open keep being served.
async fn serve(
    listener: TcpListener,
    app: axum::Router,
    limits: ConnectionLimits,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut conns = JoinSet::new();
    let slots = Arc::new(Semaphore::new(limits.max));
    let busy: Arc<[u8]> = busy_answer().into();
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => {
                let (mut stream, peer) = match accepted {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
                    let busy = Arc::clone(&busy);
                    // Bounded in time, and one at a time per refused connection.
                    conns.spawn(async move {
                        let answer = async {
                            let _ = stream.write_all(&busy).await;
                            let _ = stream.shutdown().await;
                        };
                        let _ = tokio::time::timeout(Duration::from_secs(1), answer).await;
                    });
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let serving = serve_connection(
                    stream,
                    peer,
                    app.clone(),
                    limits.header_read_timeout,
                    shutdown.clone(),
                );
                conns.spawn(async move {
                    serving.await;
                    drop(slot);
                });
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

/// Serves one connection. A client that takes longer than `header_read_timeout` to send a
/// request's headers (or stays idle that long between requests) is disconnected; the time
/// a request may take after its headers is the router's ([`api`]'s request timeout).
async fn serve_connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    app: axum::Router,
    header_read_timeout: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let kill = Arc::new(Notify::new());
    let k = Arc::clone(&kill);
    let svc = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
        req.extensions_mut().insert(fault::ConnectionKill(Arc::clone(&k)));
        req.extensions_mut().insert(state::PeerAddr(peer));
        app.clone().oneshot(req.map(axum::body::Body::new))
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout)
        .serve_connection(TokioIo::new(stream), svc);
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
