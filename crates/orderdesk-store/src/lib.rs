//! Orderdesk's local cache: one SQLite file holding everything the app needs offline.
//!
//! # What it owns
//! - **Drafts**: the TMF622 order exactly as imported or edited (JSON text), listing columns
//!   derived from it (customer, total, item count, updated at), the catalog version it was
//!   composed against, and every revision, so a draft can be restored to any earlier one.
//! - **Orders** known to a server: server id, href, state, item states, last seen, last payload,
//!   and the draft they came from.
//! - **Outbox**: operations queued for a server with an idempotency key, attempts, next attempt
//!   time, last error and status, whether no attempt can have reached the server
//!   ([`OutboxEntry::not_sent`]) or the server refused it ([`OutboxEntry::refused`]), and for
//!   a create the draft revision it was made from ([`Queries::live_submission`] finds a
//!   draft's, and while there is one the draft is read-only; [`Store::withdraw_submission`]
//!   takes back one not yet sent); see [`Store::claim_due`] for why one bad entry never
//!   blocks the others.
//!   A cancellation ([`Cancellation`]: reason, requested date, the server's task and its TMF
//!   state) and an amendment ([`Amendment`]: base values, conflicting members, state) are
//!   queued with what they ask for, in one transaction.
//! - **Catalog**: TMF620 offerings, prices, specifications and categories with the snapshot
//!   version and fetch time.
//! - **Audit**: an append-only log (triggers refuse UPDATE and DELETE); an order's entries
//!   record the state it reached in a column of their own ([`AuditEntry::state`]).
//! - **Server profiles** (every field of a client profile, never a secret; at most one active,
//!   which the schema enforces), each with its catalog sync point and hub listener
//!   ([`HubSubscription`]).
//! - **Customers** of each profile's server (TMF629) with where the last customer sync got
//!   to, full-text search over name, id, phone, e-mail and billing account
//!   ([`Queries::search_customers`]), and the installed products (TMF637) of the customers
//!   fetched or prefetched, for offline days.
//! - **The orders list**: drafts and orders merged by one view (`order_list_rows`), kept in
//!   the `order_list` table by triggers and read a page at a time, sorted, filtered and
//!   searched by SQLite ([`Queries::order_list`]).
//! - **Settings**: the app's own key/value preferences (JSON values).
//! - **Full-text search** (FTS5) over all of the above; any user text is safe
//!   ([`search::fts_query`]).
//!
//! # Invariants
//! - One writer: a [`Store`] (CLI) or the thread behind a [`StoreHandle`] (app). Readers use
//!   their own [`Reader`] connections; WAL keeps them from blocking each other.
//! - Every change is one IMMEDIATE transaction, committed with `synchronous=FULL` before the
//!   call returns: a change that returned survives a crash or power cut.
//! - A database is never rewritten or replaced behind the user's back: a newer schema
//!   ([`StoreError::TooNew`]), another application's file, a non-SQLite file or a damaged one
//!   is refused untouched; [`move_aside`] exists for when the user agrees.
//! - Migrations are embedded and numbered (`PRAGMA user_version`), each in its own transaction;
//!   one that cannot move the data leaves the previous version intact. Every record has
//!   columns for what it holds: no state is kept in a settings key's name or in message text.
//!
//! # Boundaries
//! The store knows TMF JSON only as far as its listing and search columns need
//! ([`extract`]); parsing, validation, composition and pricing belong to the wire and core
//! crates. It does no network I/O.

// What this crate reads comes from outside (files, servers, the database): no arithmetic that
// can overflow and no indexing that can panic (checked, saturating or `get` instead).
#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects, clippy::indexing_slicing))]

mod amendments;
mod cancellations;
mod catalog;
mod customers;
mod error;
pub mod extract;
mod favourites;
mod functions;
mod handle;
mod model;
mod open;
mod order_list;
mod profiles;
mod query;
pub mod search;
mod store;

pub use amendments::{AmendedMember, Amendment, AmendmentState};
pub use cancellations::{Cancellation, NewCancellation};
pub use catalog::{CatalogImportMeta, CatalogRecord, CatalogWriter, SNAPSHOT_ARRAYS};
pub use customers::{
    CachedCustomer, CachedProducts, CustomerHit, CustomerPull, CustomerSyncCount, MAX_CUSTOMER_HITS,
};
pub use error::{Result, StoreError};
pub use extract::{Money, OrderSummary};
pub use favourites::{MAX_FAVOURITE_OFFERINGS, MAX_RECENT_OFFERINGS};
pub use functions::register as register_sql_functions;
pub use handle::{Reply, StoreHandle};
pub use model::*;
pub use open::{create_private_dir, move_aside, OpenOptions, APPLICATION_ID, SCHEMA_VERSION};
pub use orderdesk_wire::TaskState;
pub use profiles::{AuthMode, HubSubscription, ServerProfile};
pub use query::Queries;
pub use store::{Reader, Store};
