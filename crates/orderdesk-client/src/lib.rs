//! `orderdesk-client`: Orderdesk's HTTP client for TMF622 Product Ordering (v4 and v5) and
//! TMF620 Product Catalog servers.
//!
//! # What it owns
//! - [`Profile`]s: the TMF622 root (and the TMF620, TMF629 and TMF637 roots), version v4 | v5 | auto (detected
//!   once, then remembered), an optional business-id path segment, extra headers, timeouts,
//!   a custom CA certificate.
//! - Authentication: none, bearer token, OAuth2 client credentials (token cached and renewed
//!   before it expires, and once more on a 401), `client_id`/`client_secret` headers. Secrets
//!   come from [`secret`] (OS keychain, or an explicit environment variable), never from the
//!   database, and are never logged.
//! - Every request carries an `X-Correlation-ID` ([`new_correlation_id`]), the same for all
//!   retries of one operation, also written to our logs and carried by every [`ClientError`].
//! - Every TMF operation: productOrder create/list/get/patch/delete, cancelProductOrder
//!   create/list/get, hub register/unregister, TMF620 list/get with `lastUpdate.gt`, TMF629
//!   customer list/get (all, or changed after a `lastUpdate`) and TMF637 product list (a
//!   customer's)/get, at the profile's own roots for them or, without those, roots derived
//!   from the order root (`productOrderingManagement` → `customerManagement`,
//!   `productInventory`).
//! - Paging, error normalisation and retries: see [`Client`] and [`ClientError`].
//! - [`fuzzing`]: the fuzz harness (any status, headers and body, read as an answer) that
//!   `fuzz/` drives.
//!
//! # Invariants
//! - A request that may have changed something (POST, PATCH, DELETE) is repeated only when
//!   the server certainly did not act on it: no connection was made, or a 429/503 said so.
//!   Any other failure is handed back with [`ClientError::outcome_unknown`] telling the
//!   caller to find out first (the sync engine looks the order up by its external id).
//! - Servers are not trusted. Answers are bounded ([`DEFAULT_MAX_BODY`]; a list by
//!   [`ListLimits`]: pages, bytes and time, the core's transport limits) and read as they
//!   stream, never buffered whole; a list is read whole or fails with
//!   [`ClientError::ListIncomplete`] (a page served twice, or a bound reached), never cut
//!   short in silence. `Retry-After` and token lifetimes are read as at most an hour
//!   (`orderdesk_core::limits`), and all time arithmetic on them is checked. A resource
//!   asked for by id must be that resource ([`Client::get_order`]), an order found by an
//!   external id must carry it. Server text in errors is made printable
//!   (`orderdesk_error::text`).
//! - A profile's secret goes only where it is safe: no credentials inside URLs or in extra
//!   headers (both would be kept in clear), https for every URL a secret is sent to unless it
//!   is this machine ([`check_url`]), and a secret filed for a profile stays bound to the
//!   origins it was entered for ([`Profile::keeps_secret_of`]).
//! - Bodies are kept as JSON values, so fields we do not know survive.
//! - Real-server deviations are tolerated, not corrected: an order without `state` stays
//!   without one ([`order_state`] is `None`); `href`s are never followed (URLs are always
//!   built from the profile); paging works without count headers and with silent page caps;
//!   PATCH falls back from merge-patch to plain JSON; filter values are always sent as text.
//!
//! # Boundaries
//! No storage, no queue: the sync engine (`orderdesk-sync`) decides what to send and when.
//! Payloads are passed through; version conversion belongs to `orderdesk-wire`.

// Everything here reads what servers send: no arithmetic that can overflow, no indexing that
// can panic.
#![deny(clippy::arithmetic_side_effects, clippy::indexing_slicing)]

mod client;
mod error;
pub mod fuzzing;
mod profile;
pub mod secret;

pub use client::{
    cancelled_order_id, new_correlation_id, order_state, resource_id, CatalogResource, Client,
    ListLimits, ListStats, RetryPolicy, DEFAULT_MAX_BODY,
};
pub use error::ClientError;
pub use profile::{
    check_url, credential_header_refusal, is_credential_header, version_in_url, AuthConfig,
    AuthMode, Profile, VersionChoice,
};
/// URLs as the client parses them (profiles are checked with the same parser).
pub use reqwest::Url;
pub use secret::Secret;
