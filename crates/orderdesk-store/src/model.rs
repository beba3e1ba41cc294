//! The records the store keeps, as the API hands them out and takes them in.

use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::extract::Money;

/// Declares a string-backed enum with its SQL/JSON spelling in one place.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The spelling used in the database and in JSON.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::StoreError;
            fn from_str(text: &str) -> Result<Self, $crate::StoreError> {
                match text {
                    $($text => Ok($name::$variant),)+
                    other => Err($crate::StoreError::Invalid(format!(
                        concat!("unknown ", stringify!($name), " {:?}"),
                        other
                    ))),
                }
            }
        }

        impl rusqlite::types::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(self.as_str().into())
            }
        }

        impl rusqlite::types::FromSql for $name {
            fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                let text = value.as_str()?;
                text.parse()
                    .map_err(|err: $crate::StoreError| rusqlite::types::FromSqlError::Other(Box::new(err)))
            }
        }
    };
}
pub(crate) use text_enum;

/// Which TMF622 version a document follows: `orderdesk-wire`'s, stored as its name.
pub use orderdesk_wire::Version;

/// The column form of a [`Version`] (`v4`, `v5`): rusqlite's traits cannot be implemented on
/// the wire crate's type here, so reads and writes pass through this adapter.
#[derive(Debug, Clone, Copy)]
pub(crate) struct VersionColumn(pub Version);

impl rusqlite::types::ToSql for VersionColumn {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.0.as_str().into())
    }
}

impl rusqlite::types::FromSql for VersionColumn {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        value.as_str()?.parse().map(VersionColumn).map_err(|err: orderdesk_wire::WireError| {
            rusqlite::types::FromSqlError::Other(Box::new(err))
        })
    }
}

text_enum!(
    /// What a queued outbox entry asks the server to do.
    OutboxOp { Create => "create", Patch => "patch", Cancel => "cancel", Delete => "delete" }
);

text_enum!(
    /// Where an outbox entry stands. Only `queued` entries are picked up; `rejected` and
    /// `needs-attention` wait for the user, without holding up any other entry.
    OutboxStatus {
        Queued => "queued",
        InFlight => "in-flight",
        Done => "done",
        Rejected => "rejected",
        NeedsAttention => "needs-attention",
    }
);

text_enum!(
    /// The kinds of TMF620 catalog records the store keeps.
    CatalogKind {
        Offering => "offering",
        Price => "price",
        Specification => "specification",
        Category => "category",
    }
);

text_enum!(
    /// What an audit entry is about.
    AuditSubject { Draft => "draft", Order => "order" }
);

text_enum!(
    /// What happened.
    AuditEvent {
        Created => "created",
        Edited => "edited",
        Restored => "restored",
        Deleted => "deleted",
        Submitted => "submitted",
        StateChanged => "state-changed",
        CancelRequested => "cancel-requested",
        AmendRequested => "amend-requested",
        Amended => "amended",
        DiscountApproved => "discount-approved",
    }
);

text_enum!(
    /// The kinds of record full-text search covers.
    SearchKind {
        Draft => "draft",
        Order => "order",
        Offering => "offering",
        Price => "price",
        Specification => "specification",
        Category => "category",
    }
);

impl From<CatalogKind> for SearchKind {
    fn from(kind: CatalogKind) -> Self {
        match kind {
            CatalogKind::Offering => SearchKind::Offering,
            CatalogKind::Price => SearchKind::Price,
            CatalogKind::Specification => SearchKind::Specification,
            CatalogKind::Category => SearchKind::Category,
        }
    }
}

/// The one timestamp format in the database: fixed width, so text order is time order.
pub(crate) fn ts_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub(crate) fn ts_parse(text: &str) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).map(|at| at.with_timezone(&Utc)).map_err(|err| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(err))
    })
}

pub(crate) fn money_parse(
    amount: Option<String>,
    currency: Option<String>,
) -> rusqlite::Result<Option<Money>> {
    match amount {
        None => Ok(None),
        Some(text) => {
            let amount = Decimal::from_str(&text).map_err(|err| {
                rusqlite::Error::FromSqlConversionFailure(
                    0,
                    rusqlite::types::Type::Text,
                    Box::new(err),
                )
            })?;
            Ok(Some(Money { amount, currency: currency.unwrap_or_default() }))
        }
    }
}

/// A new draft, as imported or created.
#[derive(Debug, Clone)]
pub struct NewDraft {
    /// The TMF622 ProductOrder as JSON text; kept byte for byte.
    pub body: String,
    pub tmf_version: Version,
    /// The catalog version the draft was composed against, if any.
    pub catalog_version: Option<String>,
    pub actor: String,
    /// Listing columns computed by the caller (e.g. with the domain's pricing); when `None`
    /// they are derived from the body by [`crate::extract::summarize_order`].
    pub summary: Option<crate::extract::OrderSummary>,
}

/// A change to an existing draft: its new full body.
#[derive(Debug, Clone)]
pub struct DraftEdit {
    pub body: String,
    /// `None` keeps the catalog version the draft already records.
    pub catalog_version: Option<String>,
    pub actor: String,
    /// What produced the change, kept in the revision history (e.g. `set-char`).
    pub action: String,
    /// When given, the edit applies only if the draft is still at this revision.
    pub expected_revision: Option<i64>,
    /// See [`NewDraft::summary`].
    pub summary: Option<crate::extract::OrderSummary>,
}

/// A draft's listing columns (everything but the body).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DraftRow {
    pub id: String,
    pub revision: i64,
    pub tmf_version: Version,
    pub customer: Option<String>,
    pub total: Option<Money>,
    pub item_count: i64,
    pub catalog_version: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A draft with its TMF body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Draft {
    #[serde(flatten)]
    pub row: DraftRow,
    pub body: String,
}

/// One entry of a draft's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DraftRevision {
    pub revision: i64,
    pub action: String,
    pub actor: String,
    pub at: DateTime<Utc>,
    pub catalog_version: Option<String>,
}

/// Which drafts to list.
#[derive(Debug, Clone)]
pub struct DraftFilter {
    /// Case-insensitive prefix of the customer name.
    pub customer_prefix: Option<String>,
    pub limit: u32,
    pub offset: u32,
}

impl Default for DraftFilter {
    fn default() -> Self {
        DraftFilter { customer_prefix: None, limit: 50, offset: 0 }
    }
}

/// What the server told us about an order.
#[derive(Debug, Clone)]
pub struct OrderSeen {
    /// The server profile the order lives on.
    pub profile: String,
    pub server_id: String,
    pub href: Option<String>,
    pub state: String,
    /// Item id → item state, as a JSON object.
    pub item_states: serde_json::Value,
    pub tmf_version: Version,
    /// The last payload the server returned, as JSON text.
    pub payload: String,
    /// The draft the order came from, when known.
    pub draft_id: Option<String>,
    pub seen_at: DateTime<Utc>,
    pub actor: String,
}

/// An order's listing columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderRow {
    pub id: i64,
    pub profile: String,
    pub server_id: String,
    pub href: Option<String>,
    pub state: String,
    pub tmf_version: Version,
    pub customer: Option<String>,
    pub total: Option<Money>,
    pub item_count: i64,
    pub draft_id: Option<String>,
    pub last_seen: DateTime<Utc>,
}

/// An order with its item states and last payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    #[serde(flatten)]
    pub row: OrderRow,
    pub item_states: serde_json::Value,
    pub payload: String,
}

/// Sort order of the order list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OrderSort {
    /// Most recently seen first.
    #[default]
    LastSeenDesc,
    /// Customer name, then most recently seen.
    CustomerAsc,
}

/// Which orders to list.
#[derive(Debug, Clone)]
pub struct OrderFilter {
    pub state: Option<String>,
    pub profile: Option<String>,
    pub draft_id: Option<String>,
    /// The id the server gave the order.
    pub server_id: Option<String>,
    pub sort: OrderSort,
    pub limit: u32,
    pub offset: u32,
}

impl Default for OrderFilter {
    fn default() -> Self {
        OrderFilter {
            state: None,
            profile: None,
            draft_id: None,
            server_id: None,
            sort: OrderSort::default(),
            limit: 50,
            offset: 0,
        }
    }
}

/// An operation to queue for the server. A create of a draft records the draft's current
/// revision with it (its body is what the payload was made from).
#[derive(Debug, Clone)]
pub struct NewOutboxEntry {
    pub op: OutboxOp,
    pub profile: String,
    pub draft_id: Option<String>,
    pub order_id: Option<i64>,
    /// The request body, as JSON text (none for a delete).
    pub payload: Option<String>,
    /// Sent with every attempt so the server can recognise a retry; generated when `None`.
    pub idempotency_key: Option<String>,
    pub actor: String,
}

/// A queued operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxEntry {
    pub id: i64,
    pub op: OutboxOp,
    pub profile: String,
    pub draft_id: Option<String>,
    pub order_id: Option<i64>,
    pub payload: Option<String>,
    pub idempotency_key: String,
    pub status: OutboxStatus,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// For a create: the revision of the draft whose body was queued.
    pub draft_revision: Option<i64>,
    /// No attempt so far can have reached the server's processing (no connection, throttled,
    /// credentials refused), so it is sent again without being looked up first.
    pub not_sent: bool,
    /// The server refused the last attempt for good (a 4xx answer): nothing was made there.
    pub refused: bool,
}

impl OutboxEntry {
    /// A create that may still be taken back ([`crate::Store::withdraw_submission`]): queued,
    /// and no attempt so far can have reached the server.
    pub fn withdrawable(&self) -> bool {
        self.op == OutboxOp::Create
            && self.status == OutboxStatus::Queued
            && (self.attempts == 0 || self.not_sent)
    }
}

/// One record of a catalog import: its kind and TMF620 JSON (which must carry an `id`).
#[derive(Debug, Clone)]
pub struct CatalogItemInput {
    pub kind: CatalogKind,
    pub body: serde_json::Value,
}

/// A catalog snapshot or sync result to store.
#[derive(Debug, Clone)]
pub struct CatalogImport {
    /// The snapshot's version (as the catalog names it).
    pub version: String,
    pub fetched_at: DateTime<Utc>,
    /// Where it came from: a file path or a server profile.
    pub source: String,
    pub items: Vec<CatalogItemInput>,
    /// `true` for a full snapshot (records missing from it are removed); `false` for an
    /// incremental sync (records are added or replaced, nothing is removed).
    pub replace: bool,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogImportReport {
    pub version: String,
    pub offerings: usize,
    pub prices: usize,
    pub specifications: usize,
    pub categories: usize,
}

/// The catalog version the cache currently holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogVersion {
    pub version: String,
    pub fetched_at: DateTime<Utc>,
    pub source: String,
    pub imported_at: DateTime<Utc>,
}

/// A catalog record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogItem {
    pub kind: CatalogKind,
    pub id: String,
    pub name: Option<String>,
    pub version: Option<String>,
    pub lifecycle_status: Option<String>,
    /// The snapshot version this record came with.
    pub catalog_version: String,
    pub body: String,
}

/// An audit entry to append.
#[derive(Debug, Clone)]
pub struct NewAudit {
    pub subject: AuditSubject,
    pub subject_id: String,
    pub event: AuditEvent,
    pub actor: String,
    /// What happened, for people to read.
    pub detail: Option<String>,
    /// The order state the entry records (an order's `created` and `state-changed`; empty
    /// when the server reported none).
    pub state: Option<String>,
}

/// A recorded audit entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub id: i64,
    pub subject: AuditSubject,
    pub subject_id: String,
    pub event: AuditEvent,
    pub at: DateTime<Utc>,
    pub actor: String,
    /// What happened, for people to read.
    pub detail: Option<String>,
    /// The order state the entry records (an order's `created` and `state-changed`; empty
    /// when the server reported none).
    pub state: Option<String>,
}

/// One full-text search result.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchHit {
    pub kind: SearchKind,
    /// The record's id: draft id, order row id, or catalog id.
    pub id: String,
    pub title: String,
    /// Matching text with the matched words in `[brackets]`.
    pub snippet: String,
}

/// Most rows one page of the orders list may hold.
pub const MAX_LIST_PAGE: u32 = 500;

text_enum!(
    /// Whether an orders-list row is a draft or an order known to a server.
    ListKind { Draft => "draft", Order => "order" }
);

text_enum!(
    /// Where an orders-list row stands with its server: a draft by its latest outbox entry
    /// ([`ListSync::of_outbox`]), an order by its state (a failure needs attention).
    ListSync {
        Draft => "draft",
        Queued => "queued",
        Sending => "sending",
        Submitted => "submitted",
        NeedsAttention => "needs-attention",
    }
);

impl ListSync {
    /// The badge of a draft whose latest outbox entry has `status`. The list's view
    /// (`order_list_rows`) states the same mapping in SQL; a test holds the two together.
    pub fn of_outbox(status: OutboxStatus) -> ListSync {
        match status {
            OutboxStatus::Queued => ListSync::Queued,
            OutboxStatus::InFlight => ListSync::Sending,
            OutboxStatus::Done => ListSync::Submitted,
            OutboxStatus::Rejected | OutboxStatus::NeedsAttention => ListSync::NeedsAttention,
        }
    }
}

/// How the orders list is sorted; every sort ends in the row's kind and id, so pages never
/// overlap or skip a row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OrderListSort {
    /// Most recently changed (a draft) or seen (an order) first.
    #[default]
    UpdatedDesc,
    UpdatedAsc,
    /// Customer name (lower case; none first), then most recently changed.
    CustomerAsc,
    /// Largest total first, rows without a total last.
    TotalDesc,
}

/// Which page of the orders list to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderListFilter {
    /// Full-text search (any text, see [`crate::search::fts_query`]); empty for all rows. An
    /// order also matches through the draft it was submitted from.
    pub text: String,
    /// Only rows in this state ([`orderdesk_wire::OrderState::Draft`] for drafts).
    pub state: Option<orderdesk_wire::OrderState>,
    pub sync: Option<ListSync>,
    /// The customer's name contains this, in any case.
    pub customer: Option<String>,
    /// Changed on or after this day (UTC).
    pub updated_from: Option<chrono::NaiveDate>,
    /// Changed on or before this day (UTC).
    pub updated_to: Option<chrono::NaiveDate>,
    pub sort: OrderListSort,
    pub offset: u32,
    /// At most [`MAX_LIST_PAGE`]; more is read as that.
    pub limit: u32,
}

/// One row of the orders list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderListEntry {
    pub kind: ListKind,
    /// The draft's id, or the order's local id as text.
    pub id: String,
    pub customer: Option<String>,
    /// The order's total, else that of the draft it was submitted from.
    pub total: Option<Money>,
    pub item_count: i64,
    /// The TMF622 state (`draft` for a draft); `None` for a name TMF622 does not define.
    pub state: Option<orderdesk_wire::OrderState>,
    /// The state as the server wrote it (`draft` for a draft).
    pub state_text: String,
    pub sync: ListSync,
    /// The draft's revision; 0 for an order.
    pub revision: i64,
    /// When the draft last changed or the order was last seen.
    pub updated_at: DateTime<Utc>,
}

/// A page of the orders list and how many rows the whole list has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderListPage {
    pub rows: Vec<OrderListEntry>,
    /// Every row the filter keeps, on all pages.
    pub total: u64,
}
