//! The engine: delivers the outbox, refreshes tracked orders, pulls remote orders.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use orderdesk_client::{
    order_state, resource_id, Client, ClientError, Profile, RetryPolicy, Secret, VersionChoice,
};
use orderdesk_store::{
    AuditEvent, AuditSubject, NewOutboxEntry, OrderFilter, OrderSeen, OutboxEntry, OutboxOp,
    OutboxStatus, Queries, Store, StoreHandle, TmfVersion,
};
use orderdesk_wire::Version;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::error::{Result, SyncError};
use crate::payload::{self, Amendment};
use crate::profiles;
use crate::status::SyncStatus;

/// Order states from which nothing changes any more: such orders are no longer polled.
pub const FINAL_STATES: [&str; 5] = ["completed", "failed", "partial", "cancelled", "rejected"];

/// States in which TMF622 lets an order be amended.
pub const PATCHABLE_STATES: [&str; 4] = ["acknowledged", "pending", "held", "draft"];

/// The text shown for an order whose server did not report a state. The store keeps an
/// empty state for it: the engine never invents one.
pub const STATE_NOT_REPORTED: &str = "state not reported";

/// How the last error of an entry starts when no attempt so far can have reached the server
/// (no connection, throttled, credentials refused). Any other last error means an earlier
/// attempt may have been processed: the order is looked up before it is sent again.
pub const NOT_SENT: &str = "not sent: ";

const INTERRUPTED: &str =
    "interrupted while being sent; it will be looked up on the server before any resend";

/// Whether an entry must be looked up on the server before it is sent (again).
pub fn needs_lookup(entry: &OutboxEntry) -> bool {
    entry.attempts > 1 && !entry.last_error.as_deref().is_some_and(|e| e.starts_with(NOT_SENT))
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

pub(crate) struct Inner {
    pub(crate) store: StoreHandle,
    pub(crate) config: EngineConfig,
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

fn tmf_version(v: Version) -> TmfVersion {
    match v {
        Version::V4 => TmfVersion::V4,
        Version::V5 => TmfVersion::V5,
    }
}

fn wire_version(v: TmfVersion) -> Version {
    match v {
        TmfVersion::V4 => Version::V4,
        TmfVersion::V5 => Version::V5,
    }
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
                secrets,
                clients: Mutex::new(HashMap::new()),
                status,
                run_lock: tokio::sync::Mutex::new(()),
            }),
        }
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

    // ---- queueing ----------------------------------------------------------------------------

    /// Queues a draft for creation on `profile` (the active one when `None`), online or not.
    /// The draft gets a client order id, used as `externalId` and `Idempotency-Key`. A draft
    /// that is already queued or on the server is refused, so it can never reach it twice.
    pub async fn submit_draft(&self, draft_id: &str, profile: Option<&str>) -> Result<OutboxEntry> {
        let draft_id = draft_id.to_owned();
        let profile = profile.map(str::to_owned);
        let actor = self.inner.config.actor.clone();
        let entry =
            self.with_store(move |s| submit_in(s, &draft_id, profile.as_deref(), &actor)).await?;
        self.publish_counts().await;
        Ok(entry)
    }

    /// Queues a cancellation of a known order (local id). An order already cancelled is
    /// refused here; any other state is the server's to judge (the cached state may lag
    /// behind it), and a refusal comes back with the server's reason.
    pub async fn cancel_order(
        &self,
        order_id: i64,
        reason: &str,
        requested_date: Option<DateTime<Utc>>,
    ) -> Result<OutboxEntry> {
        let reason = reason.to_owned();
        let actor = self.inner.config.actor.clone();
        let entry = self
            .with_store(move |s| {
                let order = s.order(order_id)?;
                if order.row.state == "cancelled" {
                    return Err(SyncError::Refused(format!(
                        "order {order_id} is already cancelled"
                    )));
                }
                let date =
                    requested_date.map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
                let body = payload::cancel_payload(
                    &order.row.server_id,
                    order.row.href.as_deref(),
                    &reason,
                    date.as_deref(),
                );
                Ok(s.enqueue(NewOutboxEntry {
                    op: OutboxOp::Cancel,
                    profile: order.row.profile,
                    draft_id: None,
                    order_id: Some(order_id),
                    payload: Some(body.to_string()),
                    idempotency_key: None,
                    actor,
                })?)
            })
            .await?;
        self.publish_counts().await;
        Ok(entry)
    }

    /// Queues an amendment (a JSON merge patch) of a known order. The values the patched
    /// members have now are kept, so a conflicting remote change is detected, not overwritten.
    pub async fn amend_order(&self, order_id: i64, patch: Value) -> Result<OutboxEntry> {
        if !patch.is_object() {
            return Err(SyncError::Refused("an amendment must be a JSON object".into()));
        }
        let actor = self.inner.config.actor.clone();
        let entry = self
            .with_store(move |s| {
                let order = s.order(order_id)?;
                let state = order.row.state.as_str();
                if !state.is_empty() && !PATCHABLE_STATES.contains(&state) {
                    return Err(SyncError::Refused(format!(
                        "order {order_id} is {state}; only orders in {} can be amended",
                        PATCHABLE_STATES.join(", ")
                    )));
                }
                let current: Value = serde_json::from_str(&order.payload)
                    .map_err(|err| SyncError::Invalid(format!("order {order_id}: {err}")))?;
                let amendment = Amendment::new(&current, patch);
                let body = serde_json::to_string(&amendment)
                    .map_err(|err| SyncError::Invalid(err.to_string()))?;
                Ok(s.enqueue(NewOutboxEntry {
                    op: OutboxOp::Patch,
                    profile: order.row.profile,
                    draft_id: order.row.draft_id,
                    order_id: Some(order_id),
                    payload: Some(body),
                    idempotency_key: None,
                    actor,
                })?)
            })
            .await?;
        self.publish_counts().await;
        Ok(entry)
    }

    /// Tries a needs-attention or rejected entry again now.
    pub async fn retry_entry(&self, entry_id: i64) -> Result<()> {
        self.with_store(move |s| {
            let entry = s.outbox_entry(entry_id)?;
            if matches!(entry.status, OutboxStatus::Done | OutboxStatus::InFlight) {
                return Err(SyncError::Refused(format!(
                    "outbox entry {entry_id} is {}; only waiting entries can be retried",
                    entry.status
                )));
            }
            Ok(s.outbox_requeue(entry_id)?)
        })
        .await?;
        self.publish_counts().await;
        Ok(())
    }

    /// Gives up on an entry that never reached the server: it stays in the outbox as
    /// `rejected`, with who dropped it, and is never sent. An entry whose outcome may be
    /// unknown (tried before) is refused unless `force`: it may exist on the server.
    pub async fn drop_entry(&self, entry_id: i64, force: bool) -> Result<()> {
        let actor = self.inner.config.actor.clone();
        self.with_store(move |s| {
            let entry = s.outbox_entry(entry_id)?;
            match entry.status {
                OutboxStatus::Done | OutboxStatus::Rejected => {
                    return Err(SyncError::Refused(format!(
                        "outbox entry {entry_id} is already {}",
                        entry.status
                    )))
                }
                OutboxStatus::InFlight => {
                    return Err(SyncError::Refused(format!(
                        "outbox entry {entry_id} is being sent right now"
                    )))
                }
                OutboxStatus::Queued if entry.attempts > 0 && !force => {
                    return Err(SyncError::Refused(format!(
                        "outbox entry {entry_id} was sent before and may exist on the server; \
                         run `orderdesk sync` first, or drop it with --force"
                    )))
                }
                _ => {}
            }
            let why = match &entry.last_error {
                Some(e) => format!("dropped by {actor} (last error: {e})"),
                None => format!("dropped by {actor}"),
            };
            Ok(s.outbox_rejected(entry_id, &why)?)
        })
        .await?;
        self.publish_counts().await;
        Ok(())
    }

    // ---- running -----------------------------------------------------------------------------

    /// One full pass: entries left in flight by a crash go back to the queue, every due
    /// outbox entry is delivered (each on its own), tracked orders are refreshed and the
    /// agent's customers' orders are pulled. Runs never overlap.
    pub async fn run_once(&self) -> Result<SyncReport> {
        let _running = self.inner.run_lock.lock().await;
        self.inner.status.send_modify(|s| s.running = true);
        let result = self.run_inner().await;
        self.inner.status.send_modify(|s| {
            s.running = false;
            s.in_flight = 0;
            s.last_run_at = Some(Utc::now());
            match &result {
                Ok(report) => {
                    s.online = Some(report.offline.is_empty());
                    s.last_error = report.errors.first().cloned();
                    if !report.entries.is_empty()
                        || !report.state_changes.is_empty()
                        || report.imported > 0
                    {
                        s.changes = s.changes.wrapping_add(1);
                    }
                }
                Err(err) => s.last_error = Some(err.to_string()),
            }
        });
        self.publish_counts().await;
        result
    }

    async fn run_inner(&self) -> Result<SyncReport> {
        // Across processes too: another process's entries in flight must not look crashed.
        let _exclusive = crate::run_lock::try_acquire(self.inner.store.path())?;
        let mut report = SyncReport::default();
        // Runs do not overlap, in this process or any other (the run lock): anything in
        // flight now was left by a crash. Its idempotency key and the lookup before any resend keep it exactly once.
        // They are requeued with a message that is not `NOT_SENT`, so each is looked up on
        // the server before it is sent again.
        self.with_store(|s| {
            let now = Utc::now();
            for entry in s.outbox(Some(OutboxStatus::InFlight))? {
                s.outbox_retry(entry.id, INTERRUPTED, now)?;
            }
            Ok(())
        })
        .await?;
        self.deliver(&mut report).await?;
        self.refresh(&mut report).await?;
        self.pull_customers(&mut report).await?;
        Ok(report)
    }

    /// Delivers every entry due at the start of the run. Entries rescheduled during the run
    /// wait for the next one, so a dead server cannot keep a run going.
    async fn deliver(&self, report: &mut SyncReport) -> Result<()> {
        let started = Utc::now();
        let offline: Arc<Mutex<HashSet<String>>> = Arc::default();
        loop {
            let batch = self.inner.config.batch_size;
            let claimed = self.with_store(move |s| Ok(s.claim_due(started, batch)?)).await?;
            if claimed.is_empty() {
                break;
            }
            let count = claimed.len();
            self.inner.status.send_modify(|s| s.in_flight = count);
            let mut tasks = JoinSet::new();
            let mut pending = claimed.into_iter();
            let mut results = Vec::with_capacity(count);
            loop {
                while tasks.len() < self.inner.config.concurrency.max(1) {
                    let Some(entry) = pending.next() else { break };
                    let engine = self.clone();
                    let offline = Arc::clone(&offline);
                    tasks.spawn(async move { engine.deliver_one(entry, &offline).await });
                }
                match tasks.join_next().await {
                    Some(Ok(result)) => results.push(result?),
                    Some(Err(join)) => {
                        return Err(SyncError::Invalid(format!("a delivery task failed: {join}")))
                    }
                    None => break,
                }
                let left = pending.len() + tasks.len();
                self.inner.status.send_modify(|s| s.in_flight = left);
            }
            for (entry_report, recovered) in results {
                match &entry_report.outcome {
                    EntryOutcome::Done { .. } => report.delivered += 1,
                    EntryOutcome::Retry { .. } => report.retrying += 1,
                    EntryOutcome::Waiting { .. } => report.waiting += 1,
                    EntryOutcome::NeedsAttention { .. } => report.needs_attention += 1,
                }
                if recovered {
                    report.recovered_by_lookup += 1;
                }
                report.entries.push(entry_report);
            }
            self.publish_counts().await;
        }
        let mut offline: Vec<String> = lock(&offline).iter().cloned().collect();
        offline.sort();
        report.offline = offline;
        Ok(())
    }

    fn backoff(&self, attempts: i64, err: Option<&ClientError>) -> DateTime<Utc> {
        let config = &self.inner.config;
        let shift = u32::try_from(attempts.saturating_sub(1).clamp(0, 16)).unwrap_or(16);
        let base =
            config.outbox_backoff.saturating_mul(1u32 << shift).min(config.outbox_backoff_max);
        let jittered = base.mul_f64(1.0 + fastrand_jitter());
        let wait = err.and_then(ClientError::retry_after).map_or(jittered, |ra| ra.max(base));
        Utc::now() + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::seconds(60))
    }

    /// Delivers one entry and records the outcome. Returns the report and whether an
    /// unknown outcome was resolved by finding the order on the server.
    async fn deliver_one(
        &self,
        entry: OutboxEntry,
        offline: &Mutex<HashSet<String>>,
    ) -> Result<(EntryReport, bool)> {
        let mut recovered = false;
        let clean = !needs_lookup(&entry);
        let outcome = if lock(offline).contains(&entry.profile) {
            let error = format!("server {} unreachable in this run", entry.profile);
            EntryOutcome::Retry {
                at: self.backoff(entry.attempts, None),
                error: if clean { format!("{NOT_SENT}{error}") } else { error },
            }
        } else {
            match self.attempt(&entry, &mut recovered).await {
                Ok(outcome) => outcome,
                Err(SyncError::Client(err)) => {
                    if matches!(err, ClientError::Unreachable { .. }) {
                        lock(offline).insert(entry.profile.clone());
                    }
                    let mut outcome = self.classify(&entry, &err);
                    if let EntryOutcome::Retry { error, .. } = &mut outcome {
                        if clean && not_sent(&err) {
                            *error = format!("{NOT_SENT}{error}");
                        }
                    }
                    outcome
                }
                Err(SyncError::UnknownProfile(name)) => EntryOutcome::NeedsAttention {
                    error: format!("the server profile {name:?} no longer exists"),
                },
                Err(SyncError::Refused(why)) | Err(SyncError::Invalid(why)) => {
                    EntryOutcome::NeedsAttention { error: why }
                }
                Err(other) => return Err(other),
            }
        };
        let id = entry.id;
        let stored = outcome.clone();
        self.with_store(move |s| {
            match &stored {
                EntryOutcome::Done { .. } => s.outbox_done(id)?,
                EntryOutcome::Retry { at, error } => s.outbox_retry(id, error, *at)?,
                EntryOutcome::Waiting { at, detail } => s.outbox_retry(id, detail, *at)?,
                EntryOutcome::NeedsAttention { error } => s.outbox_needs_attention(id, error)?,
            }
            Ok(())
        })
        .await?;
        if let EntryOutcome::NeedsAttention { error } | EntryOutcome::Retry { error, .. } = &outcome
        {
            tracing::warn!(entry = entry.id, op = %entry.op, error, "outbox entry not delivered");
        }
        Ok((
            EntryReport { entry: entry.id, op: entry.op, draft_id: entry.draft_id, outcome },
            recovered,
        ))
    }

    fn classify(&self, entry: &OutboxEntry, err: &ClientError) -> EntryOutcome {
        if err.is_rejection() {
            EntryOutcome::NeedsAttention {
                error: format!("the server refused it: {}", describe(err)),
            }
        } else if err.is_transient() {
            EntryOutcome::Retry {
                at: self.backoff(entry.attempts, Some(err)),
                error: describe(err),
            }
        } else {
            EntryOutcome::NeedsAttention { error: describe(err) }
        }
    }

    async fn attempt(&self, entry: &OutboxEntry, recovered: &mut bool) -> Result<EntryOutcome> {
        let client = self.client(&entry.profile).await?;
        match entry.op {
            OutboxOp::Create => self.deliver_create(&client, entry, recovered).await,
            OutboxOp::Cancel => self.deliver_cancel(&client, entry).await,
            OutboxOp::Patch => self.deliver_patch(&client, entry).await,
            OutboxOp::Delete => self.deliver_delete(&client, entry).await,
        }
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
            tmf_version: tmf_version(orderdesk_wire::detect_version(&order).unwrap_or(version)),
            payload: order.to_string(),
            draft_id,
            seen_at: Utc::now(),
            actor: self.inner.config.actor.clone(),
        };
        self.with_store(move |s| Ok(s.record_order(seen)?)).await
    }

    async fn lookup_created(&self, client: &Client, key: &str) -> Result<Option<Value>> {
        let mut found = client.find_orders_by_external_id(key).await?;
        if found.len() > 1 {
            tracing::error!(external_id = key, count = found.len(), "server holds duplicates");
        }
        Ok(if found.is_empty() { None } else { Some(found.swap_remove(0)) })
    }

    async fn deliver_create(
        &self,
        client: &Client,
        entry: &OutboxEntry,
        recovered: &mut bool,
    ) -> Result<EntryOutcome> {
        let version = self.version(client).await?;
        let key = entry.idempotency_key.as_str();
        // Tried before: the order may exist although we never heard back. Look first.
        if needs_lookup(entry) {
            if let Some(order) = self.lookup_created(client, key).await? {
                *recovered = true;
                let id = self.record(client, order, entry.draft_id.clone(), version).await?;
                return Ok(EntryOutcome::Done { order: Some(id) });
            }
        }
        let body = entry
            .payload
            .as_deref()
            .and_then(|p| serde_json::from_str::<Value>(p).ok())
            .ok_or_else(|| SyncError::Invalid(format!("outbox entry {} has no order", entry.id)))?;
        let body = payload::for_version(body, version, key);
        let idempotency = self.inner.config.send_idempotency_key.then_some(key);
        match client.create_order(&body, idempotency).await {
            Ok(order) if resource_id(&order).is_some() => {
                let id = self.record(client, order, entry.draft_id.clone(), version).await?;
                Ok(EntryOutcome::Done { order: Some(id) })
            }
            Ok(_) => self.resolve_unknown(client, entry, version, key, recovered, None).await,
            Err(err) if err.outcome_unknown() => {
                self.resolve_unknown(client, entry, version, key, recovered, Some(err)).await
            }
            Err(err) => Err(err.into()),
        }
    }

    /// The create may or may not have happened: find out before anything is sent again.
    async fn resolve_unknown(
        &self,
        client: &Client,
        entry: &OutboxEntry,
        version: Version,
        key: &str,
        recovered: &mut bool,
        cause: Option<ClientError>,
    ) -> Result<EntryOutcome> {
        let cause_text = cause
            .as_ref()
            .map_or_else(|| "the server's answer had no order id".to_owned(), describe);
        match self.lookup_created(client, key).await {
            Ok(Some(order)) => {
                *recovered = true;
                let id = self.record(client, order, entry.draft_id.clone(), version).await?;
                Ok(EntryOutcome::Done { order: Some(id) })
            }
            Ok(None) => Ok(EntryOutcome::Retry {
                at: self.backoff(1, cause.as_ref()),
                error: format!("{cause_text}; not found on the server, will send again"),
            }),
            Err(lookup) => Ok(EntryOutcome::Retry {
                at: self.backoff(entry.attempts, None),
                error: format!(
                    "{cause_text}; looking the order up failed too ({lookup}); it will be looked \
                     up again before any resend"
                ),
            }),
        }
    }

    async fn order_of(&self, entry: &OutboxEntry) -> Result<orderdesk_store::Order> {
        let order_id = entry.order_id.ok_or_else(|| {
            SyncError::Invalid(format!("outbox entry {} names no order", entry.id))
        })?;
        self.with_store(move |s| Ok(s.order(order_id)?)).await
    }

    async fn deliver_cancel(&self, client: &Client, entry: &OutboxEntry) -> Result<EntryOutcome> {
        let order = self.order_of(entry).await?;
        let version = wire_version(order.row.tmf_version);
        let task_key = format!("sync.cancel-task.{}", entry.id);
        let lookup_key = task_key.clone();
        let mut task_id: Option<String> = self
            .with_store(move |s| {
                Ok(s.setting(&lookup_key)?.and_then(|v| v.as_str().map(str::to_owned)))
            })
            .await?;
        if task_id.is_none() && needs_lookup(entry) {
            // Sent before without a known answer: adopt a cancellation already there.
            let existing =
                client.list_cancels(&[("productOrder.id", order.row.server_id.as_str())]).await?;
            task_id = existing.iter().rev().find_map(resource_id);
        }
        let task = match task_id {
            Some(id) => client.get_cancel(&id).await?,
            None => {
                let body = entry.payload.as_deref().and_then(|p| serde_json::from_str(p).ok());
                let body: Value = body.ok_or_else(|| {
                    SyncError::Invalid(format!("outbox entry {} has no request", entry.id))
                })?;
                let task = client.create_cancel(&body, Some(&entry.idempotency_key)).await?;
                let id = resource_id(&task).ok_or_else(|| {
                    SyncError::Client(ClientError::Malformed {
                        status: 201,
                        detail: "the cancellation request has no id".into(),
                        correlation_id: String::new(),
                    })
                })?;
                let key = task_key.clone();
                self.with_store(move |s| Ok(s.set_setting(&key, &Value::String(id))?)).await?;
                task
            }
        };
        let state = order_state(&task).unwrap_or("").to_owned();
        self.note_cancellation(entry.id, &state, refusal_reason(&task)).await?;
        match state.as_str() {
            "done" => {
                self.forget_setting(task_key).await?;
                let fresh = client.get_order(&order.row.server_id).await?;
                let id = self.record(client, fresh, None, version).await?;
                Ok(EntryOutcome::Done { order: Some(id) })
            }
            "terminatedWithError" | "rejected" | "failed" => {
                self.forget_setting(task_key).await?;
                let reason = refusal_reason(&task).unwrap_or("no reason given");
                let fresh = client.get_order(&order.row.server_id).await;
                if let Ok(fresh) = fresh {
                    self.record(client, fresh, None, version).await?;
                }
                Ok(EntryOutcome::NeedsAttention {
                    error: format!("the server refused the cancellation: {reason}"),
                })
            }
            other => {
                let shown = if other.is_empty() { STATE_NOT_REPORTED } else { other };
                Ok(EntryOutcome::Waiting {
                    at: Utc::now()
                        + chrono::Duration::from_std(self.inner.config.cancel_poll)
                            .unwrap_or(chrono::Duration::seconds(1)),
                    detail: format!("cancellation accepted, the server is working on it ({shown})"),
                })
            }
        }
    }

    async fn deliver_patch(&self, client: &Client, entry: &OutboxEntry) -> Result<EntryOutcome> {
        let order = self.order_of(entry).await?;
        let version = wire_version(order.row.tmf_version);
        let amendment: Amendment =
            entry.payload.as_deref().and_then(|p| serde_json::from_str(p).ok()).ok_or_else(
                || SyncError::Invalid(format!("outbox entry {} has no amendment", entry.id)),
            )?;
        let remote = client.get_order(&order.row.server_id).await?;
        let conflicts = amendment.conflicts(&remote);
        let state = order_state(&remote).unwrap_or("").to_owned();
        self.record(client, remote, None, version).await?;
        if !conflicts.is_empty() {
            return Ok(EntryOutcome::NeedsAttention {
                error: format!(
                    "conflict: {} changed on the server since this amendment was made; review \
                     the order before sending it again",
                    conflicts.join(", ")
                ),
            });
        }
        if !state.is_empty() && !PATCHABLE_STATES.contains(&state.as_str()) {
            return Ok(EntryOutcome::NeedsAttention {
                error: format!("the order is now {state} and can no longer be amended"),
            });
        }
        // A merge patch applies the same way twice, so an unknown outcome is simply retried.
        let patched = client.patch_order(&order.row.server_id, &amendment.patch).await?;
        let id = self.record(client, patched, None, version).await?;
        Ok(EntryOutcome::Done { order: Some(id) })
    }

    async fn deliver_delete(&self, client: &Client, entry: &OutboxEntry) -> Result<EntryOutcome> {
        let order = self.order_of(entry).await?;
        match client.delete_order(&order.row.server_id).await {
            Ok(()) | Err(ClientError::Server { status: 404, .. }) => {
                Ok(EntryOutcome::Done { order: entry.order_id })
            }
            Err(err) => Err(err.into()),
        }
    }

    // ---- refresh and pull --------------------------------------------------------------------

    /// Every known order that is not in a final state, with its profile.
    async fn tracked_orders(&self) -> Result<Vec<orderdesk_store::OrderRow>> {
        self.with_store(|s| {
            let mut tracked = Vec::new();
            let mut offset = 0;
            loop {
                let page =
                    s.orders(&OrderFilter { limit: 1000, offset, ..OrderFilter::default() })?;
                let n = page.len();
                tracked
                    .extend(page.into_iter().filter(|o| !FINAL_STATES.contains(&o.state.as_str())));
                if n < 1000 {
                    break;
                }
                offset += 1000;
            }
            Ok(tracked)
        })
        .await
    }

    /// Refreshes the state of every tracked order. State changes land in the audit log
    /// (the store writes them); they are also listed in the report.
    pub async fn refresh(&self, report: &mut SyncReport) -> Result<()> {
        let tracked = self.tracked_orders().await?;
        let mut tasks = JoinSet::new();
        let mut pending = tracked.into_iter();
        let mut fetched = Vec::new();
        loop {
            while tasks.len() < self.inner.config.concurrency.max(1) {
                let Some(row) = pending.next() else { break };
                if report.offline.contains(&row.profile) {
                    continue;
                }
                let engine = self.clone();
                tasks.spawn(async move {
                    let result = match engine.client(&row.profile).await {
                        Ok(client) => client
                            .get_order(&row.server_id)
                            .await
                            .map(|o| (client, o))
                            .map_err(SyncError::from),
                        Err(err) => Err(err),
                    };
                    (row, result)
                });
            }
            match tasks.join_next().await {
                Some(Ok(done)) => fetched.push(done),
                Some(Err(join)) => report.errors.push(format!("a refresh task failed: {join}")),
                None => break,
            }
        }
        for (row, result) in fetched {
            match result {
                Ok((client, order)) => {
                    let version = wire_version(row.tmf_version);
                    let new_state = order_state(&order).unwrap_or("").to_owned();
                    self.record(&client, order, None, version).await?;
                    report.refreshed += 1;
                    if new_state != row.state {
                        report.state_changes.push(StateChange {
                            order: row.id,
                            server_id: row.server_id,
                            from: row.state,
                            to: new_state,
                        });
                    }
                }
                Err(SyncError::Client(err)) => {
                    if matches!(err, ClientError::Unreachable { .. })
                        && !report.offline.contains(&row.profile)
                    {
                        report.offline.push(row.profile.clone());
                    }
                    report.errors.push(format!("refreshing order {}: {err}", row.server_id));
                }
                Err(other) => {
                    report.errors.push(format!("refreshing order {}: {other}", row.server_id))
                }
            }
        }
        Ok(())
    }

    /// Pulls every order matching `filter` from `profile` into the cache, page by page (one
    /// store transaction per page).
    pub async fn pull_orders(&self, profile: &str, filter: &[(&str, &str)]) -> Result<PullReport> {
        let client = self.client(profile).await?;
        let version = self.version(&client).await?;
        let name = client.profile().name.clone();
        let actor = self.inner.config.actor.clone();
        let mut writes = Vec::new();
        let stats = client
            .for_each_order_page(filter, |page| {
                let batch: Vec<OrderSeen> = page
                    .into_iter()
                    .filter_map(|order| {
                        let server_id = resource_id(&order)?;
                        Some(OrderSeen {
                            profile: name.clone(),
                            server_id,
                            href: order.get("href").and_then(Value::as_str).map(str::to_owned),
                            state: order_state(&order).unwrap_or("").to_owned(),
                            item_states: item_states(&order),
                            tmf_version: tmf_version(
                                orderdesk_wire::detect_version(&order).unwrap_or(version),
                            ),
                            payload: order.to_string(),
                            draft_id: None,
                            seen_at: Utc::now(),
                            actor: actor.clone(),
                        })
                    })
                    .collect();
                // Queued on the writer thread while the next page downloads.
                writes.push(self.inner.store.write(move |s| s.record_orders(batch)));
                Ok(())
            })
            .await?;
        for write in writes {
            write.await?;
        }
        Ok(PullReport { orders: stats.items, pages: stats.pages })
    }

    /// Party ids whose orders are pulled on every run (the agent's customers).
    pub async fn set_customers(&self, party_ids: Vec<String>) -> Result<()> {
        self.with_store(move |s| {
            Ok(s.set_setting(
                "sync.customers",
                &Value::Array(party_ids.into_iter().map(Value::String).collect()),
            )?)
        })
        .await
    }

    async fn pull_customers(&self, report: &mut SyncReport) -> Result<()> {
        let (customers, profile) = self
            .with_store(|s| {
                let customers: Vec<String> = s
                    .setting("sync.customers")?
                    .and_then(|v| serde_json::from_value(v).ok())
                    .unwrap_or_default();
                Ok((customers, profiles::active_name(s)?))
            })
            .await?;
        let Some(profile) = profile else { return Ok(()) };
        if report.offline.contains(&profile) {
            return Ok(());
        }
        for party in customers {
            match self.pull_orders(&profile, &[("relatedParty.id", party.as_str())]).await {
                Ok(pulled) => report.imported += pulled.orders,
                Err(err) => {
                    report.errors.push(format!("pulling orders of customer {party}: {err}"))
                }
            }
        }
        Ok(())
    }

    /// Keeps the state the server last reported for a cancellation task (and its message), so
    /// the agent sees the cancellation's own progress and outcome after the task is finished.
    async fn note_cancellation(
        &self,
        entry_id: i64,
        state: &str,
        message: Option<&str>,
    ) -> Result<()> {
        let record = CancellationState {
            state: state.to_owned(),
            message: message.map(str::to_owned),
            at: Utc::now(),
        };
        let value = serde_json::to_value(&record).map_err(|e| SyncError::Invalid(e.to_string()))?;
        let key = cancellation_key(entry_id);
        self.with_store(move |s| Ok(s.set_setting(&key, &value)?)).await
    }

    async fn forget_setting(&self, key: String) -> Result<()> {
        self.with_store(move |s| Ok(s.delete_setting(&key)?)).await
    }
}

/// What the server said when it ended a cancellation task without cancelling.
fn refusal_reason(task: &Value) -> Option<&str> {
    ["errorMessage", "stateChangeReason", "statusChangeReason", "message"]
        .iter()
        .find_map(|k| task.get(*k).and_then(Value::as_str))
}

/// The state a server last reported for the cancellation task of an outbox entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancellationState {
    /// The task's TMF622 state (`acknowledged`, `inProgress`, `done`, `terminatedWithError`),
    /// empty when the server reported none.
    pub state: String,
    /// The server's explanation, when it gave one (a refusal's reason).
    pub message: Option<String>,
    /// When the engine saw this state.
    pub at: DateTime<Utc>,
}

/// The settings key under which [`CancellationState`] of outbox entry `entry_id` is kept.
pub fn cancellation_key(entry_id: i64) -> String {
    format!("sync.cancel-state.{entry_id}")
}

/// The last [`CancellationState`] recorded for outbox entry `entry_id`, if any.
pub fn cancellation_state(
    store: &impl Queries,
    entry_id: i64,
) -> Result<Option<CancellationState>> {
    match store.setting(&cancellation_key(entry_id))? {
        None => Ok(None),
        Some(value) => serde_json::from_value(value).map(Some).map_err(|e| {
            SyncError::Invalid(format!("cancellation state of entry {entry_id}: {e}"))
        }),
    }
}

fn fastrand_jitter() -> f64 {
    // Up to +25 %: entries rescheduled together do not all come back in the same instant.
    f64::from(u32::from(uuid::Uuid::new_v4().as_bytes()[0])) / 255.0 * 0.25
}

/// A create entry of `draft_id` that is queued, in flight or done. The draft's audit trail
/// names the outbox entry of every submission (written by the store in the same
/// transaction), which avoids reading the whole outbox; if an entry cannot be read from it,
/// the outbox is scanned.
fn live_submission(store: &Store, draft_id: &str) -> Result<Option<OutboxEntry>> {
    let live = |e: &OutboxEntry| {
        e.op == OutboxOp::Create
            && e.draft_id.as_deref() == Some(draft_id)
            && matches!(
                e.status,
                OutboxStatus::Queued | OutboxStatus::InFlight | OutboxStatus::Done
            )
    };
    let mut unreadable = false;
    for audit in store.audit(AuditSubject::Draft, draft_id)? {
        if audit.event != AuditEvent::Submitted {
            continue;
        }
        let id = audit
            .detail
            .as_deref()
            .and_then(|d| d.strip_prefix("outbox entry "))
            .and_then(|d| d.split_whitespace().next())
            .and_then(|n| n.parse::<i64>().ok());
        match id.map(|id| store.outbox_entry(id)) {
            Some(Ok(entry)) if live(&entry) => return Ok(Some(entry)),
            Some(Ok(_)) => {}
            _ => unreadable = true,
        }
    }
    if unreadable {
        for status in [OutboxStatus::Queued, OutboxStatus::InFlight, OutboxStatus::Done] {
            if let Some(entry) = store.outbox(Some(status))?.into_iter().find(live) {
                return Ok(Some(entry));
            }
        }
    }
    Ok(None)
}

/// Queues a draft (see [`SyncEngine::submit_draft`]); usable on a plain [`Store`] too.
pub fn submit_in(
    store: &mut Store,
    draft_id: &str,
    profile: Option<&str>,
    actor: &str,
) -> Result<OutboxEntry> {
    let profile = profiles::resolve(store, profile)?;
    let draft = store.draft(draft_id)?;
    let orders = store.orders(&OrderFilter {
        draft_id: Some(draft_id.to_owned()),
        limit: 1,
        ..OrderFilter::default()
    })?;
    if let Some(order) = orders.first() {
        return Err(SyncError::Refused(format!(
            "draft {draft_id} is already on the server as order {} ({})",
            order.server_id, order.profile
        )));
    }
    if let Some(entry) = live_submission(store, draft_id)? {
        return Err(SyncError::Refused(format!(
            "draft {draft_id} is already submitted (outbox entry {}, {})",
            entry.id, entry.status
        )));
    }
    let client_order_id = payload::new_client_order_id();
    let version = wire_version(draft.row.tmf_version);
    let body = payload::create_payload(&draft.body, version, &client_order_id)
        .ok_or_else(|| SyncError::Invalid(format!("draft {draft_id} is not a JSON object")))?;
    Ok(store.enqueue(NewOutboxEntry {
        op: OutboxOp::Create,
        profile: profile.name,
        draft_id: Some(draft_id.to_owned()),
        order_id: None,
        payload: Some(body.to_string()),
        idempotency_key: Some(client_order_id),
        actor: actor.to_owned(),
    })?)
}

impl SyncEngine {
    /// Registers `callback` (an endpoint the app serves, reachable by the server) for order
    /// events on `profile`; the listener id is kept so it can be removed later.
    pub async fn register_hub(&self, profile: &str, callback: &str) -> Result<String> {
        let client = self.client(profile).await?;
        let id = client.register_hub(callback, None).await?;
        let key = format!("sync.hub.{profile}");
        let value = Value::String(id.clone());
        self.with_store(move |s| Ok(s.set_setting(&key, &value)?)).await?;
        Ok(id)
    }

    /// Removes the listener registered with [`SyncEngine::register_hub`], if any.
    pub async fn unregister_hub(&self, profile: &str) -> Result<()> {
        let key = format!("sync.hub.{profile}");
        let lookup = key.clone();
        let id = self
            .with_store(move |s| {
                Ok(s.setting(&lookup)?.and_then(|v| v.as_str().map(str::to_owned)))
            })
            .await?;
        if let Some(id) = id {
            let client = self.client(profile).await?;
            match client.unregister_hub(&id).await {
                Ok(()) | Err(ClientError::Server { status: 404, .. }) => {}
                Err(err) => return Err(err.into()),
            }
            self.forget_setting(key).await?;
        }
        Ok(())
    }

    /// Applies a hub event (`{"eventType", "event": {"productOrder": {...}}}`) received from
    /// `profile`. Only orders the cache already knows are updated (an event is a hint, not an
    /// import); when the event carries no full order, the order is fetched. Returns the state
    /// change, if there was one (it is in the audit log too).
    pub async fn apply_hub_event(
        &self,
        profile: &str,
        event: &Value,
    ) -> Result<Option<StateChange>> {
        let Some(order) = event.get("event").and_then(|e| e.get("productOrder")) else {
            return Ok(None);
        };
        let Some(server_id) = resource_id(order) else { return Ok(None) };
        let (name, id) = (profile.to_owned(), server_id.clone());
        let known = self.with_store(move |s| Ok(s.order_id(&name, &id)?)).await?;
        let Some(local) = known else { return Ok(None) };
        let row = self.with_store(move |s| Ok(s.order(local)?)).await?;
        let client = self.client(profile).await?;
        let full = if order_state(order).is_some() && order.get("productOrderItem").is_some() {
            order.clone()
        } else {
            client.get_order(&server_id).await?
        };
        let new_state = order_state(&full).unwrap_or("").to_owned();
        self.record(&client, full, None, wire_version(row.row.tmf_version)).await?;
        if new_state != row.row.state {
            self.inner.status.send_modify(|s| s.changes = s.changes.wrapping_add(1));
        }
        self.publish_counts().await;
        Ok((new_state != row.row.state).then_some(StateChange {
            order: local,
            server_id,
            from: row.row.state,
            to: new_state,
        }))
    }
}
