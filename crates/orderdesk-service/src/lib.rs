//! # orderdesk-service
//!
//! The application services of Orderdesk: what the desktop app's commands and the CLI's
//! `draft`, `catalog` and `search` subcommands call. Each public method of [`Service`] is one
//! use case: list and search orders, create/open/edit/delete drafts, undo and redo, revision
//! history and restore, validate and price a draft against the cached catalog, browse and
//! search the catalog, import/export TMF622 JSON, settings, and demo mode. For callers without
//! an editor session (`drafts.rs`, `records.rs`): drafts listed, edited, restored, checked and
//! priced by id, catalog snapshots imported with a version or merged, cached records and
//! full-text search. [`Service::open`] takes a data directory, [`Service::open_db`] a
//! database file. For shipping: the log file ([`logs`]), the support archive
//! ([`diagnostics`]) and the update feed setting ([`updates`]).
//!
//! ## Invariants
//! - **Every edit is saved.** [`Service::edit`] applies one [`Edit`] with the core and writes
//!   the result as a new draft revision before it returns; the editor never holds unsaved
//!   state. An edit names the revision it was made on and is refused (`store.conflict`) if the
//!   draft changed in between; an edit by id ([`Service::edit_current`], [`Service::apply_ops`])
//!   applies to the revision current when it is saved, in the same write.
//! - **Undo and redo are revisions.** Undo makes the previous revision current again as a new
//!   revision, so history is never rewritten and an undo survives a crash. The undo/redo
//!   stacks themselves live for the session.
//! - **Never on the caller's thread.** Writes run on the store's writer thread, reads on
//!   pooled reader connections inside `spawn_blocking`; every method is `async`.
//! - **One error contract.** [`ServiceError`] carries stable codes (`store.*`, `core.*`,
//!   `service.*`) and becomes an [`orderdesk_error::ErrorBody`] at the edge.
//! - **Rules live in the core.** Composition, validation and pricing are `orderdesk-core`'s;
//!   this crate translates typed UI input into core operations ([`edit`]) and core results
//!   into views ([`view`]).
//!
//! ## Boundaries
//! No Tauri, no UI. The network side (submitting, sync, outbox) belongs to `orderdesk-client`
//! and `orderdesk-sync`; demo mode only starts `orderdesk-server` in-process on 127.0.0.1 and
//! records it as a server profile.

mod build;
pub mod catalog;
pub mod diagnostics;
mod drafts;
pub mod edit;
mod error;
pub mod logs;
pub mod orders;
pub mod profiles;
pub mod records;
pub mod sample;
pub mod updates;
pub mod view;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use chrono::{NaiveDate, Utc};
use orderdesk_core::{
    validate_and_price, Catalog, Layout, Order, PricingOptions, Rounding, ValidateOptions,
};
use orderdesk_store::{
    CatalogKind, DraftEdit, DraftFilter, DraftRow, Money, NewDraft, OrderFilter, OrderSummary,
    OutboxStatus, Queries, Reader, SearchKind, Store, StoreHandle, TmfVersion,
};
use serde_json::Value;

pub use catalog::CatalogCache;
pub use diagnostics::{BuildInfo, DiagnosticsSaved};
pub use drafts::order_findings;
pub use edit::{AlterationInput, Edit, RefInput};
pub use error::{Result, ServiceError};
pub use orders::{
    CancellationView, ConflictChoice, ConflictMember, FixTarget, OrderDetailView, OrderItemState,
    OutboxEntryView, SyncStatusView, TimelineStep,
};
pub use profiles::{
    CatalogRefreshView, ConnectionReport, FieldError, OsKeyring, ProfileInput, ProfileSaved,
    ProfileView, SecretState, SecretStore,
};
pub use records::SnapshotImport;
pub use updates::{UpdateSettings, UpdateView};
pub use view::*;

/// The environment variable that overrides the data directory (tests, manual runs).
pub const DATA_DIR_ENV: &str = "ORDERDESK_DATA_DIR";
/// The database file inside the data directory (the CLI's default too).
pub const DB_FILE: &str = "orderdesk.db";
/// The name of the demo server's profile.
pub const DEMO_PROFILE: &str = "demo";

/// Timing of the in-process demo server's simulated lifecycle, in milliseconds:
/// `ACKNOWLEDGED,IN_PROGRESS,CANCEL_STEP` (e.g. `500,2000,300`). Unset: the reference
/// server's defaults (2 s acknowledged, 5 s in progress, 1 s per cancellation step).
pub const DEMO_TIMING_ENV: &str = "ORDERDESK_DEMO_TIMING";
/// The background sync loop's shortest and longest pause in milliseconds: `MIN,MAX`
/// (e.g. `300,2000`). Unset: 5 s and 120 s.
pub const SYNC_POLL_ENV: &str = "ORDERDESK_SYNC_POLL";

/// The environment variable that caps every wait of the sync loop, in milliseconds (the
/// pause between runs and an outbox entry's back-off). End-to-end tests set it so a server
/// that comes back is noticed within a second; unset, the engine's defaults apply.
pub const SYNC_MAX_WAIT_ENV: &str = "ORDERDESK_SYNC_MAX_WAIT_MS";

/// Timings an installation may tune (demos, the end-to-end suite); see [`Tuning::from_env`].
#[derive(Debug, Clone)]
pub struct Tuning {
    /// The demo server's simulated lifecycle.
    pub demo_lifecycle: orderdesk_server::LifecycleConfig,
    /// The sync loop's shortest and longest pause between runs.
    pub poll: (std::time::Duration, std::time::Duration),
    /// A cap on every wait of the sync loop: the pause between runs and an outbox entry's
    /// back-off ([`SYNC_MAX_WAIT_ENV`]).
    pub max_wait: Option<std::time::Duration>,
}

impl Default for Tuning {
    fn default() -> Self {
        let engine = orderdesk_sync::EngineConfig::default();
        Tuning {
            demo_lifecycle: orderdesk_server::LifecycleConfig::default(),
            poll: (engine.poll_min, engine.poll_max),
            max_wait: None,
        }
    }
}

/// Comma-separated millisecond values from `var`, exactly `n` of them.
fn millis_list(var: &str, text: &str, n: usize) -> Result<Vec<std::time::Duration>> {
    let values: Vec<u64> = text
        .split(',')
        .map(|v| v.trim().parse::<u64>())
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| {
            error::invalid(format!(
                "{var}={text:?}: expected {n} comma-separated numbers of milliseconds"
            ))
        })?;
    if values.len() != n {
        return Err(error::invalid(format!(
            "{var}={text:?}: expected {n} values, found {}",
            values.len()
        )));
    }
    Ok(values.into_iter().map(std::time::Duration::from_millis).collect())
}

impl Tuning {
    /// The defaults, changed by [`DEMO_TIMING_ENV`] and [`SYNC_POLL_ENV`] when set. A value
    /// that cannot be read is an error (the app shows it), never silently ignored.
    pub fn from_env() -> Result<Tuning> {
        let mut tuning = Tuning::default();
        if let Some(text) = std::env::var(DEMO_TIMING_ENV).ok().filter(|t| !t.trim().is_empty()) {
            let v = millis_list(DEMO_TIMING_ENV, &text, 3)?;
            tuning.demo_lifecycle.acknowledged_for = v[0];
            tuning.demo_lifecycle.in_progress_for = v[1];
            tuning.demo_lifecycle.cancel_step = v[2];
        }
        if let Some(text) = std::env::var(SYNC_POLL_ENV).ok().filter(|t| !t.trim().is_empty()) {
            let v = millis_list(SYNC_POLL_ENV, &text, 2)?;
            if v[0].is_zero() || v[0] > v[1] {
                return Err(error::invalid(format!(
                    "{SYNC_POLL_ENV}={text:?}: need 0 < MIN <= MAX"
                )));
            }
            tuning.poll = (v[0], v[1]);
        }
        if let Some(text) = std::env::var(SYNC_MAX_WAIT_ENV).ok().filter(|t| !t.trim().is_empty()) {
            let v = millis_list(SYNC_MAX_WAIT_ENV, &text, 1)?;
            if v[0].is_zero() {
                return Err(error::invalid(format!("{SYNC_MAX_WAIT_ENV}={text:?}: must be > 0")));
            }
            tuning.max_wait = Some(v[0]);
        }
        Ok(tuning)
    }

    /// The sync engine's configuration under these timings.
    fn engine_config(&self, actor: String) -> orderdesk_sync::EngineConfig {
        let mut config = orderdesk_sync::EngineConfig {
            actor,
            poll_min: self.poll.0,
            poll_max: self.poll.1,
            ..Default::default()
        };
        if let Some(cap) = self.max_wait {
            config.poll_min = config.poll_min.min(cap);
            config.poll_max = config.poll_max.min(cap);
            config.outbox_backoff = config.outbox_backoff.min(cap);
            config.outbox_backoff_max = config.outbox_backoff_max.min(cap);
        }
        config
    }
}

const SETTINGS_KEY: &str = "app.settings";
const DEMO_KEY: &str = "app.demo";
/// The source recorded with the bundled demo catalog when it is cached.
const DEMO_SOURCE: &str = "demo server";

/// The version the bundled demo catalog is cached under: `demo-` and the start of its
/// SHA-256, so a changed catalog in a new build is imported again and an unchanged one is not.
fn demo_catalog_version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| {
        use sha2::{Digest, Sha256};
        use std::fmt::Write;
        let digest = Sha256::digest(orderdesk_server::catalog::DEMO_CATALOG.as_bytes());
        digest.iter().take(8).fold(String::from("demo-"), |mut version, byte| {
            // Writing to a String cannot fail.
            let _ = write!(version, "{byte:02x}");
            version
        })
    })
}
const LIST_LIMIT: u32 = 2000;

/// The data directory: `explicit`, else `ORDERDESK_DATA_DIR`, else `<platform data>/orderdesk`.
pub fn data_dir(explicit: Option<PathBuf>) -> Result<PathBuf> {
    explicit
        .or_else(|| std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()).map(PathBuf::from))
        .or_else(|| dirs::data_dir().map(|d| d.join("orderdesk")))
        .ok_or(ServiceError::NoDataDir)
}

#[derive(Debug, Default)]
struct Undo {
    undo: Vec<i64>,
    redo: Vec<i64>,
}

/// The application services over one local database. Cheap to share behind an `Arc`.
pub struct Service {
    store: StoreHandle,
    data_dir: PathBuf,
    readers: Arc<Mutex<Vec<Reader>>>,
    catalog: RwLock<Arc<CatalogCache>>,
    settings: RwLock<Settings>,
    undo: Mutex<HashMap<String, Undo>>,
    /// The last parsed order of each draft with its revision: an edit on that revision
    /// starts from it instead of parsing the stored JSON again.
    parsed: Mutex<HashMap<String, (i64, Arc<Order>)>>,
    /// The running demo server; the lock also makes starts and stops take turns.
    demo: tokio::sync::Mutex<Option<orderdesk_server::RunningServer>>,
    /// The running demo server's base URL, readable without waiting for a start under way:
    /// the first screen asks for the status while the demo server may still be starting.
    demo_url: Mutex<Option<String>>,
    /// The outbox sync engine over the same store, and its background loop once started.
    engine: orderdesk_sync::SyncEngine,
    background: tokio::sync::Mutex<Option<orderdesk_sync::Background>>,
    /// Where profile secrets are filed (the OS keyring in the app).
    secrets: Arc<dyn SecretStore>,
    actor: String,
    demo_lifecycle: orderdesk_server::LifecycleConfig,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service").field("data_dir", &self.data_dir).finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn rounding_of(settings: &Settings) -> Rounding {
    if settings.rounding == "halfEven" {
        Rounding::HalfEven
    } else {
        Rounding::HalfUp
    }
}

/// Parse stored or pasted order text (exact numbers, field order kept).
fn parse_order_text(text: &str) -> Result<(Value, Order)> {
    let value = orderdesk_wire::parse_json(text.strip_prefix('\u{feff}').unwrap_or(text))
        .map_err(|e| ServiceError::NotJson(e.to_string()))?;
    let order = Order::from_json(value.clone())?;
    Ok((value, order))
}

/// Validate and price, and the listing columns the store keeps (total = tax included over
/// the schedule in the primary currency, the figure the price panel shows).
fn price_and_summarize(
    value: &Value,
    order: &Order,
    catalog: &Catalog,
    rounding: Rounding,
) -> (orderdesk_core::Quote, OrderSummary) {
    let quote = validate_and_price(
        order,
        Some(catalog),
        ValidateOptions { now: Some(Utc::now()) },
        PricingOptions { rounding, periods: None },
    );
    let mut summary = orderdesk_store::extract::summarize_order(value);
    if let Some(primary) = quote.currencies.first() {
        summary.total = Some(Money {
            amount: primary.total.amounts.tax_included,
            currency: primary.currency.clone(),
        });
    }
    (quote, summary)
}

/// The catalog arrays of a TMF620 snapshot and the kind of record each holds.
const CATALOG_ARRAYS: [(CatalogKind, &str); 4] = [
    (CatalogKind::Offering, "productOffering"),
    (CatalogKind::Price, "productOfferingPrice"),
    (CatalogKind::Specification, "productSpecification"),
    (CatalogKind::Category, "category"),
];

impl Service {
    /// Open (creating and migrating if needed) the database in the data directory and load
    /// the cached catalog and the settings. Blocking: call it before the UI starts or from
    /// `spawn_blocking`. Timings come from the environment ([`Tuning::from_env`]).
    pub fn open(data_dir: PathBuf) -> Result<Service> {
        Service::open_with(data_dir, Tuning::from_env()?, Arc::new(OsKeyring))
    }

    /// [`Service::open`] with profile secrets filed in `secrets` instead of the OS keyring.
    /// The sync engine looks secrets up there too (after the `ORDERDESK_SECRET_<PROFILE>`
    /// environment variable).
    pub fn open_with_secrets(data_dir: PathBuf, secrets: Arc<dyn SecretStore>) -> Result<Service> {
        Service::open_with(data_dir, Tuning::from_env()?, secrets)
    }

    /// [`Service::open`] with explicit timings.
    pub fn open_tuned(data_dir: PathBuf, tuning: Tuning) -> Result<Service> {
        Service::open_with(data_dir, tuning, Arc::new(OsKeyring))
    }

    fn open_with(
        data_dir: PathBuf,
        tuning: Tuning,
        secrets: Arc<dyn SecretStore>,
    ) -> Result<Service> {
        std::fs::create_dir_all(&data_dir)
            .map_err(|source| ServiceError::DataDir { path: data_dir.clone(), source })?;
        Service::open_at(data_dir.join(DB_FILE), data_dir, "app", tuning, secrets)
    }

    /// Open the database `db` (its directory must exist), `program` naming who edits in
    /// revisions and the audit log (`cli` records `cli:<user>`). The data directory is the
    /// file's directory. Default timings: callers of this run neither the demo server nor the
    /// background loop. Blocking, as [`Service::open`].
    pub fn open_db(db: PathBuf, program: &str) -> Result<Service> {
        let data_dir = db.parent().map(Path::to_path_buf).unwrap_or_default();
        Service::open_at(db, data_dir, program, Tuning::default(), Arc::new(OsKeyring))
    }

    fn open_at(
        db: PathBuf,
        data_dir: PathBuf,
        program: &str,
        tuning: Tuning,
        secrets: Arc<dyn SecretStore>,
    ) -> Result<Service> {
        let store = Store::open(db)?;
        let settings = match store.setting(SETTINGS_KEY)? {
            Some(v) => serde_json::from_value(v).unwrap_or_default(),
            None => Settings::default(),
        };
        let catalog = load_catalog(&store)?;
        let handle = StoreHandle::spawn(store)?;
        let actor = std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .ok()
            .filter(|u| !u.trim().is_empty())
            .map_or_else(|| program.to_owned(), |u| format!("{program}:{u}"));
        let lookup = Arc::clone(&secrets);
        let engine = orderdesk_sync::SyncEngine::with_secrets(
            handle.clone(),
            tuning.engine_config(actor.clone()),
            Arc::new(move |profile: &orderdesk_client::Profile| {
                profiles::secret_for(profile, "", lookup.as_ref())
            }),
        );
        Ok(Service {
            store: handle,
            data_dir,
            readers: Arc::new(Mutex::new(Vec::new())),
            catalog: RwLock::new(Arc::new(catalog)),
            settings: RwLock::new(settings),
            undo: Mutex::new(HashMap::new()),
            parsed: Mutex::new(HashMap::new()),
            demo: tokio::sync::Mutex::new(None),
            demo_url: Mutex::new(None),
            engine,
            background: tokio::sync::Mutex::new(None),
            secrets,
            actor,
            demo_lifecycle: tuning.demo_lifecycle,
        })
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The cached catalog.
    pub fn catalog(&self) -> Arc<CatalogCache> {
        Arc::clone(&self.catalog.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// The current settings.
    pub fn settings(&self) -> Settings {
        self.settings.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Run a read on a pooled reader connection, off the caller's thread.
    async fn read<T, F>(&self, job: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Reader) -> Result<T> + Send + 'static,
    {
        let pool = Arc::clone(&self.readers);
        let path = self.store.path().to_path_buf();
        tokio::task::spawn_blocking(move || {
            let pooled = lock(&pool).pop();
            let reader = match pooled {
                Some(r) => r,
                None => Reader::open(&path)?,
            };
            let out = job(&reader);
            lock(&pool).push(reader);
            out
        })
        .await
        .map_err(|e| ServiceError::Task(e.to_string()))?
    }

    /// Run a write on the store's writer thread.
    async fn write<T, F>(&self, job: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T> + Send + 'static,
    {
        self.store.write(move |store| Ok(job(store))).await?
    }

    // ---- status and settings ---------------------------------------------------------------

    /// What the first screen needs: is this a first start, is the demo server running.
    pub async fn status(&self) -> Result<AppStatus> {
        let profiles = self.list_profiles().await?;
        let demo = self.demo_status();
        let catalog = self.catalog();
        Ok(AppStatus {
            data_dir: self.data_dir.display().to_string(),
            first_start: profiles.is_empty(),
            demo,
            catalog_version: catalog.version.clone(),
            offering_count: u32::try_from(catalog.offerings.len()).unwrap_or(u32::MAX),
            profiles,
        })
    }

    /// Save the settings (checked) and return them.
    pub async fn save_settings(&self, settings: Settings) -> Result<Settings> {
        if !matches!(settings.rounding.as_str(), "halfUp" | "halfEven") {
            return Err(error::invalid(format!(
                "unknown rounding {:?} (halfUp or halfEven)",
                settings.rounding
            )));
        }
        if !matches!(settings.default_version.as_str(), "v4" | "v5") {
            return Err(error::invalid(format!(
                "unknown TMF622 version {:?} (v4 or v5)",
                settings.default_version
            )));
        }
        let value = serde_json::to_value(&settings).map_err(|e| error::invalid(e.to_string()))?;
        self.write(move |s| Ok(s.set_setting(SETTINGS_KEY, &value)?)).await?;
        *self.settings.write().unwrap_or_else(PoisonError::into_inner) = settings.clone();
        Ok(settings)
    }

    // ---- orders list -----------------------------------------------------------------------

    /// Drafts and known orders in one list, searched, filtered and sorted.
    pub async fn list_orders(&self, query: OrderListQuery) -> Result<Vec<OrderListRow>> {
        let from = parse_day(query.updated_from.as_deref())?;
        let to = parse_day(query.updated_to.as_deref())?;
        let q = query.clone();
        let mut rows = self
            .read(move |r| {
                let hits = if q.text.trim().is_empty() {
                    None
                } else {
                    let hits =
                        r.search(&q.text, &[SearchKind::Draft, SearchKind::Order], LIST_LIMIT)?;
                    Some(hits.into_iter().map(|h| (h.kind, h.id)).collect::<Vec<_>>())
                };
                let drafts =
                    r.drafts(&DraftFilter { customer_prefix: None, limit: LIST_LIMIT, offset: 0 })?;
                let orders =
                    r.orders(&OrderFilter { limit: LIST_LIMIT, ..OrderFilter::default() })?;
                // A draft queued for a server shows where its latest outbox entry stands.
                let mut queued: HashMap<String, OutboxStatus> = HashMap::new();
                for entry in r.outbox(None)? {
                    if let Some(draft) = entry.draft_id {
                        queued.insert(draft, entry.status);
                    }
                }
                // A draft that became an order is listed once, as that order; the order keeps
                // the draft's total when the server does not price it.
                let submitted: HashMap<&str, &DraftRow> = orders
                    .iter()
                    .filter_map(|o| o.draft_id.as_deref())
                    .filter_map(|id| drafts.iter().find(|d| d.id == id).map(|d| (id, d)))
                    .collect();
                let mut rows: Vec<OrderListRow> = drafts
                    .iter()
                    .filter(|d| !submitted.contains_key(d.id.as_str()))
                    .map(|d| {
                        let mut row = draft_row(d);
                        if let Some(status) = queued.get(&d.id) {
                            row.sync = sync_badge(*status).to_owned();
                        }
                        row
                    })
                    .collect();
                let mut order_drafts: HashMap<String, String> = HashMap::new();
                rows.extend(orders.iter().map(|o| {
                    let draft = o.draft_id.as_deref().and_then(|id| submitted.get(id));
                    if let Some(draft) = draft {
                        order_drafts.insert(o.id.to_string(), draft.id.clone());
                    }
                    let total = o.total.clone().or_else(|| draft.and_then(|d| d.total.clone()));
                    OrderListRow {
                        kind: RowKind::Order,
                        id: o.id.to_string(),
                        customer: o.customer.clone(),
                        total: total.as_ref().map(|m| m.amount.to_string()),
                        currency: total.map(|m| m.currency),
                        item_count: u32::try_from(o.item_count).unwrap_or(0),
                        sync: if o.state == "rejected" || o.state == "failed" {
                            "needs-attention".into()
                        } else {
                            "submitted".into()
                        },
                        state: o.state.clone(),
                        revision: 0,
                        updated_at: o.last_seen.to_rfc3339(),
                    }
                }));
                if let Some(hits) = hits {
                    rows.retain(|row| {
                        // An order also matches through the draft it was submitted from.
                        let draft = order_drafts.get(&row.id);
                        hits.iter().any(|(kind, id)| match (kind, row.kind) {
                            (SearchKind::Draft, RowKind::Draft) => id == &row.id,
                            (SearchKind::Order, RowKind::Order) => id == &row.id,
                            (SearchKind::Draft, RowKind::Order) => draft == Some(id),
                            _ => false,
                        })
                    });
                }
                Ok(rows)
            })
            .await?;
        let customer = query.customer.as_deref().map(str::to_lowercase).filter(|c| !c.is_empty());
        rows.retain(|row| {
            query.state.as_deref().is_none_or(|s| s.is_empty() || row.state == s)
                && query.sync.as_deref().is_none_or(|s| s.is_empty() || row.sync == s)
                && customer.as_deref().is_none_or(|c| {
                    row.customer.as_deref().is_some_and(|name| name.to_lowercase().contains(c))
                })
                && from.as_deref().is_none_or(|d| row.updated_at.as_str() >= d)
                && to
                    .as_deref()
                    .is_none_or(|d| row.updated_at.get(..10).is_some_and(|day| day <= d))
        });
        match query.sort {
            OrderSortKey::UpdatedDesc => rows.sort_by(|a, b| b.updated_at.cmp(&a.updated_at)),
            OrderSortKey::UpdatedAsc => rows.sort_by(|a, b| a.updated_at.cmp(&b.updated_at)),
            OrderSortKey::CustomerAsc => rows.sort_by(|a, b| {
                let key = |r: &OrderListRow| r.customer.clone().unwrap_or_default().to_lowercase();
                key(a).cmp(&key(b)).then_with(|| b.updated_at.cmp(&a.updated_at))
            }),
            OrderSortKey::TotalDesc => rows.sort_by(|a, b| {
                let key = |r: &OrderListRow| {
                    r.total.as_deref().and_then(|t| t.parse::<rust_decimal::Decimal>().ok())
                };
                key(b).cmp(&key(a))
            }),
        }
        Ok(rows)
    }

    // ---- drafts ----------------------------------------------------------------------------

    /// A new empty draft in the default TMF version.
    pub async fn new_draft(&self) -> Result<EditorState> {
        let version =
            if self.settings().default_version == "v5" { TmfVersion::V5 } else { TmfVersion::V4 };
        let body = match version {
            TmfVersion::V4 => r#"{"productOrderItem":[],"@type":"ProductOrder"}"#,
            TmfVersion::V5 => {
                r#"{"productOrderItem":[],"@type":"ProductOrder","@baseType":"ProductOrder"}"#
            }
        };
        self.create(body.to_owned(), version).await
    }

    /// Store a pasted or loaded TMF622 order (v4 or v5) as a new draft.
    pub async fn import_order(&self, text: String) -> Result<EditorState> {
        // The wire crate first: it says best why JSON is not a TMF622 order.
        let value = orderdesk_wire::parse_json(text.strip_prefix('\u{feff}').unwrap_or(&text))
            .map_err(|e| ServiceError::NotJson(e.to_string()))?;
        let wire = orderdesk_wire::parse_order_value(value)
            .map_err(|e| ServiceError::NotAnOrder(e.to_string()))?;
        let version = match wire.version() {
            orderdesk_wire::Version::V4 => TmfVersion::V4,
            orderdesk_wire::Version::V5 => TmfVersion::V5,
        };
        self.create(text.strip_prefix('\u{feff}').unwrap_or(&text).to_owned(), version).await
    }

    async fn create(&self, body: String, version: TmfVersion) -> Result<EditorState> {
        let catalog = self.catalog();
        let rounding = rounding_of(&self.settings());
        let actor = self.actor.clone();
        let cat = Arc::clone(&catalog);
        let (row, order, quote) = self
            .write(move |s| {
                let (value, order) = parse_order_text(&body)?;
                let (quote, summary) = price_and_summarize(&value, &order, &cat.rules, rounding);
                let row = s.create_draft(NewDraft {
                    body,
                    tmf_version: version,
                    catalog_version: cat.version.clone(),
                    actor,
                    summary: Some(summary),
                })?;
                Ok((row, order, quote))
            })
            .await?;
        Ok(self.editor_state(&row, &order, &quote, &catalog))
    }

    fn undo_flags(&self, id: &str) -> (bool, bool) {
        lock(&self.undo)
            .get(id)
            .map_or((false, false), |u| (!u.undo.is_empty(), !u.redo.is_empty()))
    }

    fn editor_state(
        &self,
        row: &DraftRow,
        order: &Order,
        quote: &orderdesk_core::Quote,
        catalog: &CatalogCache,
    ) -> EditorState {
        let draft = build::draft_view(row, order, catalog, self.undo_flags(&row.id));
        let quote = build::quote_view(quote, &draft.items, &self.settings().rounding);
        EditorState { draft, quote }
    }

    /// Open a draft: its view and its price.
    pub async fn open_draft(&self, id: String) -> Result<EditorState> {
        let catalog = self.catalog();
        let rounding = rounding_of(&self.settings());
        let cat = Arc::clone(&catalog);
        let (row, order, quote) = self
            .read(move |r| {
                let draft = r.draft(&id)?;
                let (value, order) = parse_order_text(&draft.body)?;
                let (quote, _) = price_and_summarize(&value, &order, &cat.rules, rounding);
                Ok((draft.row, order, quote))
            })
            .await?;
        self.remember(&row, order.clone());
        Ok(self.editor_state(&row, &order, &quote, &catalog))
    }

    /// Apply one edit to the draft at `revision` and save it as the next revision.
    pub async fn edit(&self, id: String, revision: u32, edit: Edit) -> Result<EditorState> {
        let (row, order, quote, catalog) = self
            .save_edit(id.clone(), Some(i64::from(revision)), drafts::Change::Edit(edit))
            .await?;
        {
            let mut undo = lock(&self.undo);
            let entry = undo.entry(id).or_default();
            entry.undo.push(i64::from(revision));
            entry.redo.clear();
        }
        Ok(self.editor_state(&row, &order, &quote, &catalog))
    }

    async fn save_edit(
        &self,
        id: String,
        expected: Option<i64>,
        edit: drafts::Change,
    ) -> Result<(DraftRow, Order, orderdesk_core::Quote, Arc<CatalogCache>)> {
        let catalog = self.catalog();
        let rounding = rounding_of(&self.settings());
        let actor = self.actor.clone();
        let cat = Arc::clone(&catalog);
        let cached = lock(&self.parsed).get(&id).cloned();
        let (row, order, quote) = self
            .write(move |s| {
                let draft = s.draft(&id)?;
                if let Some(expected) = expected {
                    if draft.row.revision != expected {
                        return Err(ServiceError::Store(orderdesk_store::StoreError::Conflict(
                            format!(
                                "draft {id} is at revision {}, the edit was made on revision {expected}; reload it",
                                draft.row.revision
                            ),
                        )));
                    }
                }
                let order = match cached {
                    Some((revision, order)) if revision == draft.row.revision => order,
                    _ => Arc::new(parse_order_text(&draft.body)?.1),
                };
                let next = edit.apply(&order, draft.row.tmf_version, &cat.rules)?;
                let value = next.to_json(Layout::Flat);
                let (quote, summary) = price_and_summarize(&value, &next, &cat.rules, rounding);
                let body = serde_json::to_string(&value).map_err(|e| error::invalid(e.to_string()))?;
                let row = s.update_draft(
                    &id,
                    DraftEdit {
                        body,
                        catalog_version: cat.version.clone(),
                        actor,
                        action: edit.describe(),
                        expected_revision: Some(draft.row.revision),
                        summary: Some(summary),
                    },
                )?;
                Ok((row, next, quote))
            })
            .await?;
        self.remember(&row, order.clone());
        Ok((row, order, quote, catalog))
    }

    /// Make `revision` current again (as a new revision).
    async fn restore_to(
        &self,
        id: String,
        revision: i64,
    ) -> Result<(DraftRow, Order, orderdesk_core::Quote, Arc<CatalogCache>)> {
        let catalog = self.catalog();
        let rounding = rounding_of(&self.settings());
        let actor = self.actor.clone();
        let cat = Arc::clone(&catalog);
        let (row, order, quote) = self
            .write(move |s| {
                let row = s.restore_draft(&id, revision, &actor)?;
                let draft = s.draft(&id)?;
                let (value, order) = parse_order_text(&draft.body)?;
                let (quote, _) = price_and_summarize(&value, &order, &cat.rules, rounding);
                Ok((row, order, quote))
            })
            .await?;
        self.remember(&row, order.clone());
        Ok((row, order, quote, catalog))
    }

    fn remember(&self, row: &DraftRow, order: Order) {
        lock(&self.parsed).insert(row.id.clone(), (row.revision, Arc::new(order)));
    }

    /// Undo the last edit of this session.
    pub async fn undo(&self, id: String) -> Result<EditorState> {
        self.step(id, true).await
    }

    /// Redo the last undone edit.
    pub async fn redo(&self, id: String) -> Result<EditorState> {
        self.step(id, false).await
    }

    async fn step(&self, id: String, back: bool) -> Result<EditorState> {
        let target = {
            let mut undo = lock(&self.undo);
            let entry = undo.entry(id.clone()).or_default();
            let stack = if back { &mut entry.undo } else { &mut entry.redo };
            stack.pop().ok_or(ServiceError::NothingToDo(if back {
                "nothing to undo"
            } else {
                "nothing to redo"
            }))?
        };
        let current = self.read({
            let id = id.clone();
            move |r| Ok(r.draft(&id)?.row.revision)
        });
        let current = match current.await {
            Ok(c) => c,
            Err(e) => {
                self.push_back(&id, back, target);
                return Err(e);
            }
        };
        match self.restore_to(id.clone(), target).await {
            Ok((row, order, quote, catalog)) => {
                {
                    let mut undo = lock(&self.undo);
                    let entry = undo.entry(id).or_default();
                    if back {
                        entry.redo.push(current);
                    } else {
                        entry.undo.push(current);
                    }
                }
                Ok(self.editor_state(&row, &order, &quote, &catalog))
            }
            Err(e) => {
                self.push_back(&id, back, target);
                Err(e)
            }
        }
    }

    fn push_back(&self, id: &str, back: bool, target: i64) {
        let mut undo = lock(&self.undo);
        let entry = undo.entry(id.to_owned()).or_default();
        if back {
            entry.undo.push(target);
        } else {
            entry.redo.push(target);
        }
    }

    /// A draft's revisions, newest first.
    pub async fn history(&self, id: String) -> Result<Vec<RevisionView>> {
        Ok(self
            .revisions(id)
            .await?
            .into_iter()
            .rev()
            .map(|r| RevisionView {
                revision: u32::try_from(r.revision).unwrap_or(u32::MAX),
                summary: r.action,
                actor: r.actor,
                at: r.at.to_rfc3339(),
            })
            .collect())
    }

    /// Make an earlier revision current again; undo returns to the revision before.
    pub async fn restore(&self, id: String, revision: u32) -> Result<EditorState> {
        let current = self.read({
            let id = id.clone();
            move |r| Ok(r.draft(&id)?.row.revision)
        });
        let current = current.await?;
        let (row, order, quote, catalog) = self.restore_to(id.clone(), i64::from(revision)).await?;
        {
            let mut undo = lock(&self.undo);
            let entry = undo.entry(id).or_default();
            entry.undo.push(current);
            entry.redo.clear();
        }
        Ok(self.editor_state(&row, &order, &quote, &catalog))
    }

    /// Delete a draft (the audit log keeps a record).
    pub async fn delete_draft(&self, id: String) -> Result<()> {
        let actor = self.actor.clone();
        let key = id.clone();
        self.write(move |s| Ok(s.delete_draft(&id, &actor)?)).await?;
        lock(&self.undo).remove(&key);
        lock(&self.parsed).remove(&key);
        Ok(())
    }

    /// A draft as TMF622 JSON in `version` (`v4` or `v5`), pretty-printed.
    pub async fn export_draft(&self, id: String, version: String) -> Result<String> {
        let target = match version.as_str() {
            "v4" => orderdesk_wire::Version::V4,
            "v5" => orderdesk_wire::Version::V5,
            other => {
                return Err(error::invalid(format!("unknown TMF622 version {other:?} (v4 or v5)")))
            }
        };
        let body = self.read(move |r| Ok(r.draft(&id)?.body)).await?;
        let (_, order) = parse_order_text(&body)?;
        let value = order.to_version(Layout::Flat, target)?;
        serde_json::to_string_pretty(&value).map_err(|e| error::invalid(e.to_string()))
    }

    /// Write a draft as TMF622 JSON (`version`) to `path` and return the path written. The
    /// text goes to a temporary file beside the target first and replaces it only once it is
    /// complete on disk, so a failed save never leaves half a file or spoils an older one.
    pub async fn save_export(&self, id: String, version: String, path: PathBuf) -> Result<String> {
        if !path.is_absolute() {
            return Err(error::invalid(format!("{} is not an absolute path", path.display())));
        }
        let text = self.export_draft(id, version).await?;
        tokio::task::spawn_blocking(move || write_whole(&path, text.as_bytes()))
            .await
            .map_err(|e| ServiceError::Task(e.to_string()))?
    }

    // ---- catalog ---------------------------------------------------------------------------

    /// Categories of the cached catalog.
    pub fn categories(&self) -> Vec<CategoryView> {
        self.catalog().categories.clone()
    }

    /// Offerings matching `text` (full text, prefix on the last word) within `category`.
    pub async fn search_offerings(
        &self,
        text: String,
        category: Option<String>,
        limit: u32,
    ) -> Result<Vec<OfferingSummary>> {
        let catalog = self.catalog();
        let category = category.filter(|c| !c.is_empty());
        let mut found = if text.trim().is_empty() {
            catalog.in_category(category.as_deref())
        } else {
            let hits = self
                .read(move |r| Ok(r.search(&text, &[SearchKind::Offering], LIST_LIMIT)?))
                .await?;
            let allowed: Option<Vec<String>> = category
                .as_deref()
                .map(|c| catalog.in_category(Some(c)).into_iter().map(|o| o.id).collect());
            hits.iter()
                .filter(|h| allowed.as_ref().is_none_or(|a| a.contains(&h.id)))
                .filter_map(|h| catalog.summary(&h.id).cloned())
                .collect()
        };
        found.truncate(limit as usize);
        Ok(found)
    }

    /// One offering with prices, bundle structure and characteristics.
    pub fn offering(&self, id: &str) -> Result<OfferingDetail> {
        self.catalog().detail(id).ok_or_else(|| {
            ServiceError::Store(orderdesk_store::StoreError::NotFound {
                kind: "offering",
                id: id.to_owned(),
            })
        })
    }

    /// Replace the cached catalog with a TMF620 snapshot (checked by the core first).
    pub async fn import_catalog(&self, text: String, source: String) -> Result<u32> {
        let report = self.import_snapshot(text, SnapshotImport::replacing(source)).await?;
        Ok(u32::try_from(report.offerings).unwrap_or(u32::MAX))
    }

    // ---- submit and sync ------------------------------------------------------------------

    /// Queue a draft for the active server profile and wake the sync loop. Refused while the
    /// draft has validation errors; the sync engine refuses a draft already queued or sent,
    /// so an order can never reach the server twice.
    pub async fn submit(&self, id: String) -> Result<SubmitView> {
        let state = self.open_draft(id.clone()).await?;
        let errors = state.quote.findings.iter().filter(|f| f.severity == "error").count();
        if errors > 0 {
            return Err(ServiceError::SubmitBlocked(errors));
        }
        let entry = self.engine.submit_draft(&id, None).await?;
        let background = self.background.lock().await;
        if let Some(running) = background.as_ref() {
            running.wake();
        }
        Ok(SubmitView {
            profile: entry.profile,
            sync: sync_badge(entry.status).to_owned(),
            sending: background.is_some(),
        })
    }

    /// Start a sync run soon, when the background loop runs.
    pub(crate) async fn wake_sync(&self) {
        if let Some(running) = self.background.lock().await.as_ref() {
            running.wake();
        }
    }

    /// Start the background sync loop (once). Must run inside a tokio runtime.
    pub async fn start_sync(&self) {
        let mut background = self.background.lock().await;
        if background.is_none() {
            *background = Some(self.engine.spawn_background());
        }
    }

    /// One sync run now: send what is due, refresh tracked orders.
    pub async fn sync_now(&self) -> Result<()> {
        self.engine.run_once().await?;
        Ok(())
    }

    // ---- demo mode -------------------------------------------------------------------------

    /// The demo server's status if it is running; never waits for a start or stop under way
    /// (during one, the state before it).
    fn demo_status(&self) -> Option<DemoStatus> {
        let base_url = self.demo_url.lock().unwrap_or_else(PoisonError::into_inner).clone()?;
        let catalog = self.catalog();
        Some(DemoStatus {
            base_url,
            catalog_version: catalog.version.clone().unwrap_or_default(),
            offerings: u32::try_from(catalog.offerings.len()).unwrap_or(u32::MAX),
        })
    }

    /// Start the bundled reference server in-process on 127.0.0.1 (random port) with the
    /// demo catalog, import that catalog, and record the server as the `demo` profile.
    /// Idempotent: a running demo server is reused. Must run inside a tokio runtime.
    pub async fn start_demo(&self) -> Result<DemoStatus> {
        {
            let mut demo = self.demo.lock().await;
            if demo.is_none() {
                let server = orderdesk_server::start(orderdesk_server::ServerConfig {
                    lifecycle: self.demo_lifecycle.clone(),
                    ..orderdesk_server::ServerConfig::default()
                })
                .await
                .map_err(|e| ServiceError::Demo(e.to_string()))?;
                // The demo server is an ordinary server profile for the sync engine, made the
                // active one; its port changes on every start, so the profile is rewritten.
                let profile = orderdesk_client::Profile {
                    catalog_url: Some(server.catalog_url_v4()),
                    version: orderdesk_client::VersionChoice::V4,
                    ..orderdesk_client::Profile::new(DEMO_PROFILE, server.base_url_v4())
                };
                *demo = Some(server);
                self.write(move |s| {
                    orderdesk_sync::profiles::save(s, &profile)?;
                    orderdesk_sync::profiles::set_active(s, DEMO_PROFILE)?;
                    s.set_setting(DEMO_KEY, &Value::Bool(true))?;
                    Ok(())
                })
                .await?;
            }
            // The bundled catalog is cached under its digest: a start that finds it cached
            // already (every start after the first) skips the import and its index rebuild.
            let version = demo_catalog_version();
            let cached = self.read(|r| Ok(r.catalog_version()?)).await?;
            if !cached.is_some_and(|c| c.version == version && c.source == DEMO_SOURCE) {
                self.import_snapshot(
                    orderdesk_server::catalog::DEMO_CATALOG.to_owned(),
                    SnapshotImport {
                        version: Some(version.to_owned()),
                        ..SnapshotImport::replacing(DEMO_SOURCE)
                    },
                )
                .await?;
            }
            let base_url = demo.as_ref().map(|server| server.base_url().to_owned());
            *self.demo_url.lock().unwrap_or_else(PoisonError::into_inner) = base_url;
        }
        self.demo_status().ok_or(ServiceError::Demo("the demo server stopped".into()))
    }

    /// Start the demo server again if the agent chose it before (called at app start).
    pub async fn resume_demo(&self) -> Result<Option<DemoStatus>> {
        let chosen = self.read(|r| Ok(r.setting(DEMO_KEY)?)).await?;
        if chosen == Some(Value::Bool(true)) {
            return self.start_demo().await.map(Some);
        }
        Ok(None)
    }

    /// Stop the demo server (the profile stays; the catalog stays cached).
    pub async fn stop_demo(&self) {
        if let Some(background) = self.background.lock().await.take() {
            background.stop(std::time::Duration::from_secs(2)).await;
        }
        let mut demo = self.demo.lock().await;
        *self.demo_url.lock().unwrap_or_else(PoisonError::into_inner) = None;
        if let Some(server) = demo.take() {
            server.shutdown().await;
        }
    }
}

/// The list's sync badge for a draft's latest outbox entry.
fn sync_badge(status: OutboxStatus) -> &'static str {
    match status {
        OutboxStatus::Queued => "queued",
        OutboxStatus::InFlight => "sending",
        OutboxStatus::Done => "submitted",
        OutboxStatus::Rejected | OutboxStatus::NeedsAttention => "needs-attention",
    }
}

fn draft_row(d: &DraftRow) -> OrderListRow {
    OrderListRow {
        kind: RowKind::Draft,
        id: d.id.clone(),
        customer: d.customer.clone(),
        total: d.total.as_ref().map(|m| m.amount.to_string()),
        currency: d.total.as_ref().map(|m| m.currency.clone()),
        item_count: u32::try_from(d.item_count).unwrap_or(0),
        state: "draft".into(),
        sync: "draft".into(),
        revision: u32::try_from(d.revision).unwrap_or(u32::MAX),
        updated_at: d.updated_at.to_rfc3339(),
    }
}

fn parse_day(text: Option<&str>) -> Result<Option<String>> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map(|d| Some(d.format("%Y-%m-%d").to_string()))
            .map_err(|_| error::invalid(format!("{t:?} is not a date (YYYY-MM-DD)"))),
    }
}

/// Write `bytes` to `path` through a synced temporary file in the same directory.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<String> {
    use std::io::Write;
    let fail = |source: std::io::Error| ServiceError::Export { path: path.to_path_buf(), source };
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
    file.write_all(bytes).map_err(fail)?;
    file.as_file().sync_all().map_err(fail)?;
    file.persist(path).map_err(|e| fail(e.error))?;
    Ok(path.display().to_string())
}

fn load_catalog(r: &impl Queries) -> Result<CatalogCache> {
    match r.catalog_version()? {
        None => Ok(CatalogCache::default()),
        Some(v) => CatalogCache::build(Some(v.version), &r.catalog_snapshot()?),
    }
}
