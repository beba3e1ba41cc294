//! # orderdesk-service
//!
//! The application services of Orderdesk: what the desktop app's commands and the CLI's
//! `draft`, `catalog` and `search` subcommands call. Each public method of [`Service`] is one
//! use case: list and search orders, create/open/edit/delete drafts, undo and redo, revision
//! history and restore, validate and price a draft against the cached catalog, browse and
//! search the catalog, import/export TMF622 JSON, settings, and demo mode. For callers without
//! an editor session (`drafts.rs`, `records.rs`): drafts listed, edited, restored, checked and
//! priced by id, catalog snapshots imported with a version or merged, cached records and
//! full-text search; customers and their installed products on the active profile's server
//! ([`customers`]); a draft's customer summary, for the review before submit and as PDF
//! ([`Service::draft_summary`], [`Service::save_summary_pdf`]). [`Service::open`] takes a data
//! directory, [`Service::open_db`] a database file. What a server profile rules (its discount
//! policy and cancellation reasons, [`policy`]) is read for every check made for the profile
//! and set per profile; a discount over its limit is approved on the draft
//! ([`Service::approve_discount`]). For shipping: the log file ([`logs`]), the support archive
//! ([`diagnostics`]) and the update feed setting ([`updates`]).
//!
//! ## Invariants
//! - **Every edit is saved.** [`Service::edit`] applies one [`Edit`] with the core and writes
//!   the result as a new draft revision before it returns; the editor never holds unsaved
//!   state. An edit names the revision it was made on and is refused (`store.conflict`) if the
//!   draft changed in between; an edit by id ([`Service::edit_current`], [`Service::apply_ops`])
//!   applies to the revision current when it is saved, in the same write.
//!   A submitted draft is read-only (`store.draft_submitted`) until [`Service::withdraw`]
//!   takes its unsent submission back; [`Service::submission`] says where it stands.
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

// What this crate reads comes from outside (files, servers, the database): no arithmetic that
// can overflow and no indexing that can panic (checked, saturating or `get` instead).
#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects, clippy::indexing_slicing))]

pub mod amend;
mod answer;
pub mod catalog;
pub mod customers;
mod demo;
pub mod diagnostics;
mod drafts;
pub mod edit;
mod error;
mod favourites;
mod list;
pub mod logs;
pub mod orders;
pub mod policy;
mod present;
pub mod profiles;
pub mod records;
pub mod sample;
mod session;
mod settings;
mod snapshot;
mod summary;
mod summary_pdf;
mod tuning;
pub mod updates;
pub mod view;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use orderdesk_store::{Queries, Reader, Store, StoreHandle};
use serde_json::Value;

/// The vocabulary the views carry, for callers that read them.
pub use orderdesk_client::{AuthMode, VersionChoice};
pub use orderdesk_core::Rounding;
pub use orderdesk_wire::{OrderState, Severity, TaskState, Version};

pub use amend::{AmendInput, CharacteristicChange, QuantityChange};
pub use answer::{apply_change, change_between, EditorAnswer, EditorChange, EditorOpened, Splice};
pub use catalog::{CatalogCache, CatalogInfo, Catalogs};
pub use demo::DEMO_PROFILE;
pub use diagnostics::{BuildInfo, DiagnosticsSaved};
pub use drafts::order_findings;
pub use edit::{AlterationInput, Edit, RefInput};
pub use error::{CustomerField, Result, ServiceError};
pub use orders::{
    CancellationView, ConflictChoice, ConflictMember, EntryKind, EntryStatus, FixTarget,
    OrderDetailView, OrderItemState, OutboxEntryView, RefusalView, StepTone, SyncStatusView,
    TimelineKind, TimelineStep,
};
pub use policy::{ApprovalInput, PolicyView, ReasonOption};
pub use profiles::{
    CatalogRefreshView, ConnectionReport, FieldError, OsKeyring, ProfileInput, ProfileSaved,
    ProfileView, SecretState, SecretStore,
};
pub use records::SnapshotImport;
pub use tuning::{Tuning, DEMO_TIMING_ENV, SYNC_MAX_WAIT_ENV, SYNC_POLL_ENV};
pub use updates::{UpdateSettings, UpdateView};
pub use view::*;

use session::Undo;
use settings::SETTINGS_KEY;

/// The environment variable that overrides the data directory (tests, manual runs).
pub const DATA_DIR_ENV: &str = "ORDERDESK_DATA_DIR";
/// The database file inside the data directory (the CLI's default too).
pub const DB_FILE: &str = "orderdesk.db";

/// Rows in a page of the orders list when the caller names no size.
pub const ORDERS_PAGE: u32 = 100;

/// The data directory: `explicit`, else `ORDERDESK_DATA_DIR`, else `<platform data>/orderdesk`.
pub fn data_dir(explicit: Option<PathBuf>) -> Result<PathBuf> {
    explicit
        .or_else(|| std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()).map(PathBuf::from))
        .or_else(|| dirs::data_dir().map(|d| d.join("orderdesk")))
        .ok_or(ServiceError::NoDataDir)
}
/// The application services over one local database. Cheap to share behind an `Arc`.
pub struct Service {
    store: StoreHandle,
    data_dir: PathBuf,
    readers: Arc<Mutex<Vec<Reader>>>,
    /// The cached catalog's version and the catalogs of the orders in use, shared with the
    /// sync engine's submit gate (see `open_at`).
    catalogs: Arc<Catalogs>,
    settings: RwLock<Settings>,
    undo: Mutex<HashMap<String, Undo>>,
    /// The last parsed order of each draft with its revision: an edit on that revision
    /// starts from it instead of parsing the stored JSON again.
    parsed: Mutex<HashMap<String, session::Parsed>>,
    /// What the editor found per item of the draft it last checked, so that a change checks
    /// and prices only the items it touched (`orderdesk_core::Recheck`).
    recheck: Mutex<Option<(String, orderdesk_core::Recheck)>>,
    /// The last answer given to the editor window (what a change is measured against).
    shown: Mutex<answer::Shown>,
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
    /// The running demo server's token (the demo profile's secret), for this run only.
    demo_token: Arc<demo::DemoToken>,
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
        orderdesk_store::create_private_dir(&data_dir)?;
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
        let catalogs = Arc::new(Catalogs::load(&store)?);
        let handle = StoreHandle::spawn(store)?;
        // The demo profile's secret is the running demo server's token, kept in memory.
        let demo_token = Arc::new(demo::DemoToken::default());
        let secrets: Arc<dyn SecretStore> =
            Arc::new(demo::WithDemoToken::new(Arc::clone(&demo_token), secrets));
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
                profiles::secret_for(profile, profiles::Saved::Itself, "", lookup.as_ref())
            }),
        );
        let shared = Arc::clone(&catalogs);
        // The submit gate checks a draft against the catalog the editor priced it with (the
        // same closure, kept), not a second copy read from the store.
        engine.set_catalog_source(Arc::new(move |store, order| {
            let cache = shared.for_order(store, order).map_err(|e| e.to_string())?;
            Ok(cache.version.is_some().then(|| Arc::clone(&cache.rules)))
        }));
        Ok(Service {
            store: handle,
            data_dir,
            readers: Arc::new(Mutex::new(Vec::new())),
            catalogs,
            settings: RwLock::new(settings),
            undo: Mutex::new(HashMap::new()),
            parsed: Mutex::new(HashMap::new()),
            recheck: Mutex::new(None),
            shown: Mutex::default(),
            demo: tokio::sync::Mutex::new(None),
            demo_url: Mutex::new(None),
            engine,
            background: tokio::sync::Mutex::new(None),
            secrets,
            demo_token,
            actor,
            demo_lifecycle: tuning.demo_lifecycle,
        })
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The cached catalog's version (the catalog itself stays in the store).
    pub fn cached_catalog(&self) -> CatalogInfo {
        self.catalogs.info()
    }

    /// How many offerings the cached catalog holds (counted when first asked for).
    pub async fn catalog_offerings(&self) -> Result<u32> {
        let catalogs = Arc::clone(&self.catalogs);
        self.read(move |r| catalogs.offerings(r)).await
    }

    /// The catalog holding what an order document names (see [`Catalogs::for_order`]).
    pub async fn order_catalog(&self, order: Value) -> Result<Arc<CatalogCache>> {
        let catalogs = Arc::clone(&self.catalogs);
        self.read(move |r| catalogs.for_order(r, &order)).await
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
}
