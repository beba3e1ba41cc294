//! The engine's shared core: [`SyncEngine`] and its [`EngineConfig`], the reports a run
//! gives, the texts the other parts agree on, the per-profile client cache and the
//! helpers every part uses (recording an order the server returned, version mapping).
//!
//! The engine's jobs each have a module: `queue` puts operations into the outbox,
//! `delivery` sends them ([`SyncEngine::run_once`]), `refresh` follows tracked orders and
//! pulls remote ones, `hub` applies the events a server pushes.

mod delivery;
mod hub;
mod queue;
mod refresh;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use orderdesk_client::{
    order_state, resource_id, Client, ClientError, Profile, RetryPolicy, Secret, VersionChoice,
};
use orderdesk_core::Catalog;
use orderdesk_store::{OrderSeen, OutboxEntry, OutboxOp, Store, StoreHandle};
use orderdesk_wire::{OrderState, Version};
use serde::Serialize;
use serde_json::Value;
use tokio::sync::watch;

use crate::error::{Result, SyncError};
use crate::profiles;
use crate::status::SyncStatus;

pub use queue::{submit_findings, submit_in};

/// Whether a cancellation of an order last seen in `state` (as the server wrote it) is
/// queued, and offered: only in the states a server accepts one in
/// ([`OrderState::is_cancellable`], the reference server's rule too). A finished order
/// (completed, failed, cancelled...), one whose cancellation is under way and a v5 draft
/// (deleted, not cancelled) are refused here, as the server's refusal is certain. A state
/// TMF622 does not define, or none, is the server's to judge.
pub fn may_cancel(state: &str) -> bool {
    OrderState::parse(state).is_none_or(OrderState::is_cancellable)
}

/// Whether an order last seen in `state` (as the server wrote it) may still be amended: its
/// state is [`OrderState::is_patchable`], or the server reported none (the server judges).
/// A state TMF622 does not define is not amended.
pub fn may_amend(state: &str) -> bool {
    state.is_empty() || OrderState::parse(state).is_some_and(OrderState::is_patchable)
}

/// The text shown for an order whose server did not report a state. The store keeps an
/// empty state for it: the engine never invents one.
pub const STATE_NOT_REPORTED: &str = "state not reported";

/// Whether an entry must be looked up on the server before it is sent (again): it was tried
/// before, and an earlier attempt may have been processed (the store's `not_sent` says none
/// can have been: no connection, throttled, credentials refused).
pub fn needs_lookup(entry: &OutboxEntry) -> bool {
    entry.attempts > 1 && !entry.not_sent
}

/// The request certainly did not reach the server's processing.
fn not_sent(err: &ClientError) -> bool {
    matches!(
        err,
        ClientError::Unreachable { .. }
            | ClientError::Secret(_)
            | ClientError::Config(_)
            | ClientError::Auth { .. }
            | ClientError::Server { status: 401 | 403 | 429, .. }
    )
}

/// Looks up the secret for a profile (see `orderdesk_client::secret::load`).
pub type SecretLookup =
    Arc<dyn Fn(&Profile) -> std::result::Result<Option<Secret>, ClientError> + Send + Sync>;

/// The secret lookup apps and the CLI use: the environment variable, else the OS keychain;
/// nothing for profiles without authentication.
pub fn default_secrets() -> SecretLookup {
    Arc::new(|profile: &Profile| {
        if profile.auth.needs_secret() {
            orderdesk_client::secret::load(&profile.name).map(Some)
        } else {
            Ok(None)
        }
    })
}

/// How the engine behaves.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Who the audit log names for the engine's changes.
    pub actor: String,
    /// Outbox entries claimed at a time.
    pub batch_size: u32,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Retries inside one request (429/503 with `Retry-After`, reads).
    pub request_retry: RetryPolicy,
    /// First delay before an outbox entry is tried again; doubled per attempt.
    pub outbox_backoff: Duration,
    pub outbox_backoff_max: Duration,
    /// How often a pending cancellation is looked at.
    pub cancel_poll: Duration,
    /// Send `Idempotency-Key` on creates. Exactly-once does not depend on it (the engine
    /// looks an order up by its external id before any resend).
    pub send_idempotency_key: bool,
    /// Background loop: the shortest and the longest pause between runs (the pause doubles
    /// while nothing changes).
    pub poll_min: Duration,
    pub poll_max: Duration,
    /// Per-request timeout override (`None` keeps each profile's own).
    pub request_timeout: Option<Duration>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            actor: "sync".into(),
            batch_size: 200,
            concurrency: 8,
            request_retry: RetryPolicy {
                max_attempts: 3,
                base_delay: Duration::from_millis(200),
                max_delay: Duration::from_secs(5),
                max_retry_after: Duration::from_secs(30),
            },
            outbox_backoff: Duration::from_secs(2),
            outbox_backoff_max: Duration::from_secs(600),
            cancel_poll: Duration::from_secs(1),
            send_idempotency_key: true,
            poll_min: Duration::from_secs(5),
            poll_max: Duration::from_secs(120),
            request_timeout: None,
        }
    }
}

/// What happened to one outbox entry in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "result")]
pub enum EntryOutcome {
    /// Delivered; `order` is the local order id.
    Done { order: Option<i64> },
    /// Will be tried again at `at`.
    Retry { at: DateTime<Utc>, error: String },
    /// Accepted by the server, waiting for it to finish (cancellation in progress).
    Waiting { at: DateTime<Utc>, detail: String },
    /// Refused or in conflict: waits for the agent.
    NeedsAttention { error: String },
}

/// One entry's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryReport {
    pub entry: i64,
    pub op: OutboxOp,
    pub draft_id: Option<String>,
    #[serde(flatten)]
    pub outcome: EntryOutcome,
}

/// A state change seen while refreshing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StateChange {
    pub order: i64,
    pub server_id: String,
    pub from: String,
    pub to: String,
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncReport {
    pub entries: Vec<EntryReport>,
    pub delivered: usize,
    pub retrying: usize,
    pub waiting: usize,
    pub needs_attention: usize,
    /// Entries whose create outcome was unknown and that were found on the server.
    pub recovered_by_lookup: usize,
    pub refreshed: usize,
    pub state_changes: Vec<StateChange>,
    pub imported: usize,
    /// Profiles that could not be reached in this run.
    pub offline: Vec<String>,
    /// Problems that did not stop the run (refresh or pull failures).
    pub errors: Vec<String>,
}

/// What a pull of remote orders did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PullReport {
    pub orders: usize,
    pub pages: usize,
}

/// Where the submit gate finds the catalog of a draft: given the store and the draft's
/// document, the caller's index of what the draft names (the service keeps the closures of the
/// orders in use), `None` when no catalog was imported; an error says why the cached catalog
/// cannot be read. Without a source the engine reads the draft's closure from the store
/// (`Queries::catalog_closure` over `orderdesk_core::catalog::order_refs`).
pub type CatalogSource = Arc<
    dyn Fn(
            &orderdesk_store::Store,
            &serde_json::Value,
        ) -> std::result::Result<Option<Arc<Catalog>>, String>
        + Send
        + Sync,
>;

pub(crate) struct Inner {
    pub(crate) store: StoreHandle,
    pub(crate) config: EngineConfig,
    pub(crate) catalog: std::sync::RwLock<Option<CatalogSource>>,
    secrets: SecretLookup,
    clients: Mutex<HashMap<String, (Profile, Arc<Client>)>>,
    pub(crate) status: watch::Sender<SyncStatus>,
    run_lock: tokio::sync::Mutex<()>,
}

/// The sync engine. Cheap to clone (one shared state), `Send + Sync`: the desktop shell
/// keeps one in its managed state; the CLI makes one per command.
#[derive(Clone)]
pub struct SyncEngine {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for SyncEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncEngine").field("config", &self.inner.config).finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Item id → item state of an order, as the store keeps them.
fn item_states(order: &Value) -> Value {
    let mut states = serde_json::Map::new();
    fn walk(items: Option<&Value>, out: &mut serde_json::Map<String, Value>) {
        let Some(Value::Array(items)) = items else { return };
        for item in items {
            if let (Some(id), Some(state)) = (
                item.get("id").and_then(|v| v.as_str().map(str::to_owned).or(Some(v.to_string()))),
                item.get("state").and_then(Value::as_str),
            ) {
                out.insert(id, Value::String(state.to_owned()));
            }
            walk(item.get("productOrderItem"), out);
        }
    }
    walk(order.get("productOrderItem"), &mut states);
    Value::Object(states)
}

/// An error message with the field the server named.
fn describe(err: &ClientError) -> String {
    match err.field() {
        Some(field) if !err.to_string().contains(field) => format!("{err} [field: {field}]"),
        _ => err.to_string(),
    }
}

impl SyncEngine {
    /// An engine over `store`, looking secrets up with [`default_secrets`].
    pub fn new(store: StoreHandle, config: EngineConfig) -> SyncEngine {
        SyncEngine::with_secrets(store, config, default_secrets())
    }

    /// An engine with a custom secret lookup (tests, or an app with its own secret prompt).
    pub fn with_secrets(
        store: StoreHandle,
        config: EngineConfig,
        secrets: SecretLookup,
    ) -> SyncEngine {
        let (status, _) = watch::channel(SyncStatus::default());
        SyncEngine {
            inner: Arc::new(Inner {
                store,
                config,
                catalog: std::sync::RwLock::new(None),
                secrets,
                clients: Mutex::new(HashMap::new()),
                status,
                run_lock: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// Where the submit gate finds the catalog from now on (see [`CatalogSource`]).
    pub fn set_catalog_source(&self, source: CatalogSource) {
        let mut slot =
            self.inner.catalog.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        *slot = Some(source);
    }

    pub fn store(&self) -> &StoreHandle {
        &self.inner.store
    }

    pub fn config(&self) -> &EngineConfig {
        &self.inner.config
    }

    /// Runs `job` on the store's writer thread.
    pub(crate) async fn with_store<T, F>(&self, job: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T> + Send + 'static,
    {
        self.inner.store.write(move |store| Ok(job(store))).await?
    }

    /// The client for a profile, built once and rebuilt when the profile changes.
    pub async fn client(&self, name: &str) -> Result<Arc<Client>> {
        let owned = name.to_owned();
        let profile = self.with_store(move |s| profiles::get(s, &owned)).await?;
        if let Some((cached, client)) = lock(&self.inner.clients).get(name) {
            if *cached == profile {
                return Ok(Arc::clone(client));
            }
        }
        let secret = (self.inner.secrets)(&profile)?;
        let mut effective = profile.clone();
        if let Some(timeout) = self.inner.config.request_timeout {
            effective.timeout_ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        }
        let client = Arc::new(
            Client::new(effective, secret)?.with_retry(self.inner.config.request_retry.clone()),
        );
        lock(&self.inner.clients).insert(name.to_owned(), (profile, Arc::clone(&client)));
        Ok(client)
    }

    /// The client for the active profile.
    pub async fn active_client(&self) -> Result<Arc<Client>> {
        let name =
            self.with_store(|s| profiles::active_name(s)?.ok_or(SyncError::NoProfile)).await?;
        self.client(&name).await
    }

    /// Drops the cached client of a profile, so the next request builds one with the
    /// profile's current secret (a changed secret leaves the profile itself unchanged).
    pub fn forget_client(&self, name: &str) {
        lock(&self.inner.clients).remove(name);
    }

    /// The server's version; an `auto` profile remembers what was detected.
    async fn version(&self, client: &Client) -> Result<Version> {
        let known = client.known_version();
        let version = client.version().await?;
        let profile = client.profile();
        if known.is_none()
            && profile.version == VersionChoice::Auto
            && profile.detected_version.is_none()
        {
            let name = profile.name.clone();
            self.with_store(move |s| {
                let mut p = profiles::get(s, &name)?;
                p.detected_version = Some(version);
                profiles::save(s, &p)
            })
            .await?;
        }
        Ok(version)
    }

    /// Records an order the server returned; returns its local id.
    async fn record(
        &self,
        client: &Client,
        order: Value,
        draft_id: Option<String>,
        version: Version,
    ) -> Result<i64> {
        let server_id = resource_id(&order).ok_or_else(|| {
            SyncError::Client(ClientError::Malformed {
                status: 200,
                detail: "the order has no id".into(),
                correlation_id: String::new(),
            })
        })?;
        let seen = OrderSeen {
            profile: client.profile().name.clone(),
            server_id,
            href: order.get("href").and_then(Value::as_str).map(str::to_owned),
            state: order_state(&order).unwrap_or("").to_owned(),
            item_states: item_states(&order),
            tmf_version: orderdesk_wire::detect_version(&order).unwrap_or(version),
            payload: order.to_string(),
            draft_id,
            seen_at: Utc::now(),
            actor: self.inner.config.actor.clone(),
        };
        self.with_store(move |s| Ok(s.record_order(seen)?)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_orders_may_be_cancelled_or_amended() {
        for state in ["acknowledged", "inProgress", "held", "", "awaitingCourier"] {
            assert!(may_cancel(state), "{state}");
        }
        for state in [
            "completed",
            "failed",
            "partial",
            "rejected",
            "cancelled",
            "assessingCancellation",
            "PENDING_CANCELLATION",
            "draft",
        ] {
            assert!(!may_cancel(state), "{state}");
        }
        for state in ["acknowledged", "Held", "pending", "draft", ""] {
            assert!(may_amend(state), "{state}");
        }
        for state in ["inProgress", "completed", "cancelled", "awaitingCourier"] {
            assert!(!may_amend(state), "{state}");
        }
    }
}
