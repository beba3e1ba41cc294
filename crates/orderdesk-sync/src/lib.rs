//! `orderdesk-sync`: the offline-first sync engine. Agents draft offline; when the link is
//! back every queued order reaches the server exactly once, and the agent sees each order's
//! real state.
//!
//! # What it owns
//! - Queueing ([`SyncEngine::submit_draft`], [`SyncEngine::cancel_order`],
//!   [`SyncEngine::amend_order`]): operations go into the store's outbox, online or not. A
//!   submitted draft gets a client order id, sent as `externalId` (v5: an
//!   `ExternalIdentifier` with owner `orderdesk` and type `clientOrderId`; v4: the string) and
//!   as `Idempotency-Key`.
//! - Delivery ([`SyncEngine::run_once`]): every due entry moves on its own; a refused entry
//!   (4xx) goes to needs-attention with the server's message and field, the others carry on.
//! - Refresh and pull: tracked orders are polled, state changes land in the audit log;
//!   the agent's customers' orders are imported ([`SyncEngine::pull_orders`]). When the
//!   server can reach the app, hub events ([`SyncEngine::register_hub`],
//!   [`SyncEngine::apply_hub_event`]) update known orders without waiting for a poll; the
//!   app serves the callback endpoint.
//! - Catalog sync ([`SyncEngine::sync_catalog`]): full, then incremental, with a report of the
//!   drafts whose offerings were retired or re-priced.
//! - Customer sync ([`SyncEngine::sync_customers`], [`customers`]): TMF629 customers into the
//!   store's cache, incremental by `lastUpdate` where the server keeps it, else a full pull
//!   that removes what vanished; installed products (TMF637) of the customers opened or
//!   prefetched; reads that fall back to the cache while the server cannot answer.
//! - Status for the UI ([`SyncEngine::subscribe`]) and a background loop
//!   ([`SyncEngine::spawn_background`]).
//! - Server profiles as the client knows them, kept in the store's profile table
//!   ([`profiles`]).
//!
//! # Invariants
//! - **Exactly once.** A create whose outcome is unknown (timeout, connection dropped after
//!   sending, unreadable answer, crash while in flight) is never sent again before the order
//!   was looked up on the server by its external id; only when it is not there is it resent.
//!   This holds for servers that ignore `Idempotency-Key`, and for several processes on one
//!   database (the app and the CLI): a run holds an exclusive lock on `<db>.sync-lock`, and a
//!   run that finds it taken is refused with `sync.busy` before it touches anything.
//! - Nothing is lost: an entry leaves the queue only as `done`, or to wait for the agent
//!   (`needs-attention`, or `rejected` when the agent drops it). Network trouble, 429/503,
//!   401, malformed or oversized answers only reschedule it.
//! - A remote change to a member the agent is amending is a conflict: the amendment waits for
//!   the agent, the remote value is never overwritten silently.
//! - An order whose server reports no state is stored with an empty state and shown as
//!   [`STATE_NOT_REPORTED`]; no state is invented.
//!
//! # Boundaries
//! HTTP belongs to `orderdesk-client`, storage to `orderdesk-store` (through its
//! [`orderdesk_store::StoreHandle`], so no SQLite work runs on the async threads). The engine
//! is `Clone + Send + Sync` and holds no UI types: the desktop shell keeps one in its state.

// What this crate reads comes from outside (files, servers, the database): no arithmetic that
// can overflow and no indexing that can panic (checked, saturating or `get` instead).
#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects, clippy::indexing_slicing))]

mod catalog;
pub mod customers;
mod engine;
mod error;
pub mod payload;
pub mod profiles;
mod run_lock;
mod status;

pub use catalog::{CatalogSyncReport, DraftImpact, OfferingChange};
pub use customers::{CustomerSyncReport, Fetched, ProductPrefetch};
pub use engine::{
    default_secrets, may_amend, may_cancel, needs_lookup, submit_findings, submit_in,
    CatalogSource, EngineConfig, EntryOutcome, EntryReport, PullReport, SecretLookup, StateChange,
    SyncEngine, SyncReport, STATE_NOT_REPORTED,
};
pub use error::{Result, SyncError};
pub use status::{Background, SyncStatus};
