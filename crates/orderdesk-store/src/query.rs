//! Reads, shared by the writer ([`crate::Store`]) and the readers ([`crate::Reader`]).

use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::amendments::{self, Amendment};
use crate::cancellations::{self, Cancellation};
use crate::catalog;
use crate::customers::{self, CachedProducts, CustomerHit};
use crate::error::{Result, StoreError};
use crate::model::*;
use crate::profiles::{self, HubSubscription, ServerProfile};
use crate::search;

const DRAFT_ROW_COLUMNS: &str =
    "id, revision, tmf_version, customer, total, currency, item_count, \
                                 catalog_version, created_at, updated_at";
const ORDER_ROW_COLUMNS: &str =
    "id, profile, server_id, href, state, tmf_version, customer, total, \
                                 currency, item_count, draft_id, last_seen";
/// The columns [`outbox_entry`] reads, in its order.
pub(crate) const OUTBOX_COLUMNS: &str =
    "id, op, profile, draft_id, order_id, payload, idempotency_key, status, attempts, \
     next_attempt_at, last_error, created_at, updated_at, draft_revision, not_sent, refused";

fn draft_row(row: &Row<'_>) -> rusqlite::Result<DraftRow> {
    Ok(DraftRow {
        id: row.get(0)?,
        revision: row.get(1)?,
        tmf_version: row.get::<_, VersionColumn>(2)?.0,
        customer: row.get(3)?,
        total: money_parse(row.get(4)?, row.get(5)?)?,
        item_count: row.get(6)?,
        catalog_version: row.get(7)?,
        created_at: ts_parse(&row.get::<_, String>(8)?)?,
        updated_at: ts_parse(&row.get::<_, String>(9)?)?,
    })
}

fn order_row(row: &Row<'_>) -> rusqlite::Result<OrderRow> {
    Ok(OrderRow {
        id: row.get(0)?,
        profile: row.get(1)?,
        server_id: row.get(2)?,
        href: row.get(3)?,
        state: row.get(4)?,
        tmf_version: row.get::<_, VersionColumn>(5)?.0,
        customer: row.get(6)?,
        total: money_parse(row.get(7)?, row.get(8)?)?,
        item_count: row.get(9)?,
        draft_id: row.get(10)?,
        last_seen: ts_parse(&row.get::<_, String>(11)?)?,
    })
}

pub(crate) fn outbox_entry(row: &Row<'_>) -> rusqlite::Result<OutboxEntry> {
    Ok(OutboxEntry {
        id: row.get(0)?,
        op: row.get(1)?,
        profile: row.get(2)?,
        draft_id: row.get(3)?,
        order_id: row.get(4)?,
        payload: row.get(5)?,
        idempotency_key: row.get(6)?,
        status: row.get(7)?,
        attempts: row.get(8)?,
        next_attempt_at: ts_parse(&row.get::<_, String>(9)?)?,
        last_error: row.get(10)?,
        created_at: ts_parse(&row.get::<_, String>(11)?)?,
        updated_at: ts_parse(&row.get::<_, String>(12)?)?,
        draft_revision: row.get(13)?,
        not_sent: row.get(14)?,
        refused: row.get(15)?,
    })
}

fn json_value(text: &str) -> rusqlite::Result<serde_json::Value> {
    serde_json::from_str(text).map_err(|err| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(err))
    })
}

/// Escape `%`, `_` and the escape character itself for a `LIKE ... ESCAPE '\'` pattern.
fn like_prefix(prefix: &str) -> String {
    let mut pattern = String::with_capacity(prefix.len().saturating_add(1));
    for c in prefix.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Every read the store offers. Implemented by the writer and by each reader connection, so
/// the same query code serves the CLI (one [`crate::Store`]) and the app (many [`crate::Reader`]s).
pub trait Queries {
    /// The connection the reads run on.
    fn connection(&self) -> &Connection;

    /// The agent's favourite offering ids, the first marked first.
    fn favourite_offerings(&self) -> Result<Vec<String>> {
        crate::favourites::favourites(self.connection())
    }

    /// Up to `limit` offering ids most recently added to a draft, the latest first.
    fn recent_offerings(&self, limit: usize) -> Result<Vec<String>> {
        crate::favourites::recent(self.connection(), limit)
    }

    /// A draft with its current body.
    fn draft(&self, id: &str) -> Result<Draft> {
        let sql = format!("SELECT {DRAFT_ROW_COLUMNS}, body FROM drafts WHERE id = ?1");
        self.connection()
            .prepare_cached(&sql)?
            .query_row([id], |row| Ok(Draft { row: draft_row(row)?, body: row.get(10)? }))
            .optional()?
            .ok_or_else(|| StoreError::not_found("draft", id))
    }

    /// Drafts, most recently changed first.
    fn drafts(&self, filter: &DraftFilter) -> Result<Vec<DraftRow>> {
        let sql = format!(
            "SELECT {DRAFT_ROW_COLUMNS} FROM drafts
             WHERE (?1 IS NULL OR customer LIKE ?1 ESCAPE '\\')
             ORDER BY updated_at DESC, id LIMIT ?2 OFFSET ?3"
        );
        let prefix = filter.customer_prefix.as_deref().map(like_prefix);
        let rows = self
            .connection()
            .prepare_cached(&sql)?
            .query_map(params![prefix, filter.limit, filter.offset], draft_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// A draft's history, oldest first.
    fn draft_history(&self, id: &str) -> Result<Vec<DraftRevision>> {
        let rows = self
            .connection()
            .prepare_cached(
                "SELECT revision, action, actor, at, catalog_version FROM draft_revisions
                 WHERE draft_id = ?1 ORDER BY revision",
            )?
            .query_map([id], |row| {
                Ok(DraftRevision {
                    revision: row.get(0)?,
                    action: row.get(1)?,
                    actor: row.get(2)?,
                    at: ts_parse(&row.get::<_, String>(3)?)?,
                    catalog_version: row.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        if rows.is_empty() {
            return Err(StoreError::not_found("draft", id));
        }
        Ok(rows)
    }

    /// The body a draft had at one revision.
    fn draft_revision_body(&self, id: &str, revision: i64) -> Result<String> {
        self.connection()
            .prepare_cached(
                "SELECT body FROM draft_revisions WHERE draft_id = ?1 AND revision = ?2",
            )?
            .query_row(params![id, revision], |row| row.get(0))
            .optional()?
            .ok_or_else(|| StoreError::not_found("draft revision", format!("{id}@{revision}")))
    }

    /// An order by its local id.
    fn order(&self, id: i64) -> Result<Order> {
        let sql =
            format!("SELECT {ORDER_ROW_COLUMNS}, item_states, payload FROM orders WHERE id = ?1");
        self.connection()
            .prepare_cached(&sql)?
            .query_row([id], |row| {
                Ok(Order {
                    row: order_row(row)?,
                    item_states: json_value(&row.get::<_, String>(12)?)?,
                    payload: row.get(13)?,
                })
            })
            .optional()?
            .ok_or_else(|| StoreError::not_found("order", id.to_string()))
    }

    /// The local id of an order known by its server id.
    fn order_id(&self, profile: &str, server_id: &str) -> Result<Option<i64>> {
        Ok(self
            .connection()
            .prepare_cached("SELECT id FROM orders WHERE profile = ?1 AND server_id = ?2")?
            .query_row([profile, server_id], |row| row.get(0))
            .optional()?)
    }

    /// A page of orders, filtered and sorted.
    fn orders(&self, filter: &OrderFilter) -> Result<Vec<OrderRow>> {
        let order_by = match filter.sort {
            OrderSort::LastSeenDesc => "last_seen DESC, id DESC",
            OrderSort::CustomerAsc => "customer COLLATE NOCASE, last_seen DESC, id DESC",
        };
        // Only the filters in use become SQL: `(?1 IS NULL OR state = ?1)` would keep SQLite
        // from using the (state, last_seen) index.
        let mut conditions = Vec::new();
        let mut values: Vec<&dyn rusqlite::ToSql> = Vec::new();
        for (column, value) in [
            ("state", &filter.state),
            ("profile", &filter.profile),
            ("draft_id", &filter.draft_id),
            ("server_id", &filter.server_id),
        ] {
            if let Some(value) = value {
                values.push(value);
                conditions.push(format!("{column} = ?{}", values.len()));
            }
        }
        let where_clause = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        values.push(&filter.limit);
        values.push(&filter.offset);
        let sql = format!(
            "SELECT {ORDER_ROW_COLUMNS} FROM orders {where_clause}
             ORDER BY {order_by} LIMIT ?{} OFFSET ?{}",
            values.len().saturating_sub(1),
            values.len()
        );
        let rows = self
            .connection()
            .prepare_cached(&sql)?
            .query_map(values.as_slice(), order_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// One page of the orders list (drafts and orders known to a server, merged by the
    /// `order_list_rows` view), searched, filtered and sorted by SQLite, with the number of
    /// rows the whole list has. Offset paging: the list shows a position in the whole (a
    /// scroll bar, End), and every sort walks an index, so skipping rows to a deep page costs
    /// an index walk, no table reads. See [`crate::order_list`].
    fn order_list(&self, filter: &OrderListFilter) -> Result<OrderListPage> {
        crate::order_list::page(self.connection(), filter)
    }

    /// One outbox entry.
    fn outbox_entry(&self, id: i64) -> Result<OutboxEntry> {
        let sql = format!("SELECT {OUTBOX_COLUMNS} FROM outbox WHERE id = ?1");
        self.connection()
            .prepare_cached(&sql)?
            .query_row([id], outbox_entry)
            .optional()?
            .ok_or_else(|| StoreError::not_found("outbox entry", id.to_string()))
    }

    /// Outbox entries, optionally of one status, oldest first.
    fn outbox(&self, status: Option<OutboxStatus>) -> Result<Vec<OutboxEntry>> {
        let sql = format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox WHERE (?1 IS NULL OR status = ?1) ORDER BY id"
        );
        let rows = self
            .connection()
            .prepare_cached(&sql)?
            .query_map([status], outbox_entry)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The submission of a draft that is queued, in flight or done (the newest, should there
    /// be more): while there is one, the draft must not be queued again, and it is read-only.
    fn live_submission(&self, draft_id: &str) -> Result<Option<OutboxEntry>> {
        live_submission_in(self.connection(), draft_id)
    }

    /// The cancellation carried by outbox entry `entry_id`.
    fn cancellation(&self, entry_id: i64) -> Result<Option<Cancellation>> {
        cancellations::cancellation(self.connection(), entry_id)
    }

    /// Every cancellation of an order (local id) with its outbox entry, newest first.
    fn order_cancellations(&self, order_id: i64) -> Result<Vec<(OutboxEntry, Cancellation)>> {
        cancellations::order_cancellations(self.connection(), order_id)
    }

    /// The amendment carried by outbox entry `entry_id`.
    fn amendment(&self, entry_id: i64) -> Result<Option<Amendment>> {
        amendments::amendment(self.connection(), entry_id)
    }

    /// The catalog version the cache holds, if any catalog was imported.
    fn catalog_version(&self) -> Result<Option<CatalogVersion>> {
        self.connection()
            .prepare_cached(
                "SELECT version, fetched_at, source, imported_at FROM catalog_snapshots
                 ORDER BY id DESC LIMIT 1",
            )?
            .query_row([], |row| {
                Ok(CatalogVersion {
                    version: row.get(0)?,
                    fetched_at: ts_parse(&row.get::<_, String>(1)?)?,
                    source: row.get(2)?,
                    imported_at: ts_parse(&row.get::<_, String>(3)?)?,
                })
            })
            .optional()
            .map_err(StoreError::from)
    }

    /// A catalog record by kind and id.
    fn catalog_item(&self, kind: CatalogKind, id: &str) -> Result<CatalogItem> {
        self.connection()
            .prepare_cached(
                "SELECT i.kind, i.id, i.name, i.version, i.lifecycle_status, s.version, i.body
                 FROM catalog_items i JOIN catalog_snapshots s ON s.id = i.snapshot_id
                 WHERE i.kind = ?1 AND i.id = ?2",
            )?
            .query_row(params![kind, id], |row| {
                Ok(CatalogItem {
                    kind: row.get(0)?,
                    id: row.get(1)?,
                    name: row.get(2)?,
                    version: row.get(3)?,
                    lifecycle_status: row.get(4)?,
                    catalog_version: row.get(5)?,
                    body: row.get(6)?,
                })
            })
            .optional()?
            .ok_or_else(|| StoreError::not_found(catalog_noun(kind), id))
    }

    /// A catalog record by id, whatever its kind (offerings first).
    fn catalog_item_any(&self, id: &str) -> Result<CatalogItem> {
        for kind in CatalogKind::ALL {
            match self.catalog_item(*kind, id) {
                Err(StoreError::NotFound { .. }) => continue,
                other => return other,
            }
        }
        Err(StoreError::not_found("catalog record", id))
    }

    /// The cached catalog as one TMF620 snapshot document (`productOffering`,
    /// `productOfferingPrice`, `productSpecification`, `category` arrays), the shape the
    /// domain's catalog index reads. Empty arrays when nothing was imported.
    fn catalog_snapshot(&self) -> Result<serde_json::Value> {
        let mut snapshot = serde_json::Map::new();
        for (kind, key) in catalog::SNAPSHOT_ARRAYS {
            let bodies = self
                .connection()
                .prepare_cached("SELECT body FROM catalog_items WHERE kind = ?1 ORDER BY id")?
                .query_map([kind], |row| json_value(&row.get::<_, String>(0)?))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            snapshot.insert(key.to_owned(), serde_json::Value::Array(bodies));
        }
        Ok(serde_json::Value::Object(snapshot))
    }

    /// The closure of the catalog records `ids` name, as a TMF620 snapshot document: what
    /// validating, pricing or composing an order naming them reads (see
    /// [`orderdesk_core::catalog::order_refs`]). Empty arrays for ids the catalog lacks.
    fn catalog_closure(&self, ids: &[String]) -> Result<serde_json::Value> {
        catalog::closure(self.connection(), ids)
    }

    /// What a list of the offerings `ids` shows: them, their prices and what those prices
    /// name (not their bundled offerings nor specifications), as a TMF620 snapshot document.
    fn catalog_listing(&self, ids: &[String]) -> Result<serde_json::Value> {
        catalog::listing_closure(self.connection(), ids)
    }

    /// Offering ids in name order (case-folded, then id), at most `limit`; only those listed
    /// in one of `categories` when given.
    fn offerings_by_name(&self, categories: Option<&[String]>, limit: u32) -> Result<Vec<String>> {
        catalog::offerings_by_name(self.connection(), categories, limit)
    }

    /// Offering ids whose name starts with `prefix` (ASCII case folded), in name order, at
    /// most `limit`; only those listed in one of `categories` when it is not empty.
    fn offerings_named(
        &self,
        prefix: &str,
        categories: &[String],
        limit: u32,
    ) -> Result<Vec<String>> {
        catalog::offerings_named(self.connection(), prefix, categories, limit)
    }

    /// Every cached category record with the number of offerings listed in it.
    fn catalog_categories(&self) -> Result<Vec<(serde_json::Value, u32)>> {
        catalog::categories(self.connection())
    }

    /// Every cached category record, without counting their offerings.
    fn catalog_category_records(&self) -> Result<Vec<serde_json::Value>> {
        Ok(catalog::category_records(self.connection())?.into_iter().map(|(_, doc)| doc).collect())
    }

    /// How many offerings the cached catalog holds.
    fn offering_count(&self) -> Result<u32> {
        catalog::offering_count(self.connection())
    }

    /// How many records each table holds (for `db check` and diagnostics).
    fn counts(&self) -> Result<Vec<(&'static str, i64)>> {
        let tables = [
            "drafts",
            "draft_revisions",
            "orders",
            "outbox",
            "catalog_items",
            "cancellations",
            "amendments",
            "audit",
            "server_profiles",
            "hub_subscriptions",
            "settings",
        ];
        tables
            .into_iter()
            .map(|table| {
                let count = self.connection().query_row(
                    &format!("SELECT count(*) FROM {table}"),
                    [],
                    |row| row.get(0),
                )?;
                Ok((table, count))
            })
            .collect()
    }

    /// Full-text search over drafts, orders and the catalog. `kinds` empty means all kinds.
    /// Any text is accepted: see [`crate::search::fts_query`]. A word held by very many records
    /// must match but may not rank (`search::Ranking`).
    fn search(&self, text: &str, kinds: &[SearchKind], limit: u32) -> Result<Vec<SearchHit>> {
        self.search_listed_in(text, kinds, &[], limit)
    }

    /// [`Queries::search`] keeping only the offerings listed in one of `categories` (empty:
    /// no such filter). The filter is part of the query, so the best `limit` hits inside the
    /// categories are found however many hits lie outside them.
    fn search_listed_in(
        &self,
        text: &str,
        kinds: &[SearchKind],
        categories: &[String],
        limit: u32,
    ) -> Result<Vec<SearchHit>> {
        search::hits(self.connection(), text, kinds, categories, limit)
    }

    /// The cached customers of `profile` matching `text`, best first (at most `limit`, at
    /// most [`customers::MAX_CUSTOMER_HITS`]). Any text is accepted, as in [`Queries::search`].
    fn search_customers(&self, profile: &str, text: &str, limit: u32) -> Result<Vec<CustomerHit>> {
        customers::search(self.connection(), profile, text, limit)
    }

    /// One cached customer of `profile` with the JSON the server sent.
    fn cached_customer(
        &self,
        profile: &str,
        id: &str,
    ) -> Result<Option<(CustomerHit, serde_json::Value)>> {
        customers::customer(self.connection(), profile, id)
    }

    /// The ids of every cached customer of `profile`.
    fn cached_customer_ids(&self, profile: &str) -> Result<Vec<String>> {
        customers::customer_ids(self.connection(), profile)
    }

    /// Where the last customer sync of `profile` got to: `None` before the first one,
    /// `Some(None)` when the next one pulls everything, else the `lastUpdate` to ask after.
    fn customer_since(&self, profile: &str) -> Result<Option<Option<String>>> {
        customers::customer_since(self.connection(), profile)
    }

    /// The cached installed products of a customer of `profile`, `None` if never fetched.
    fn cached_products(&self, profile: &str, customer: &str) -> Result<Option<CachedProducts>> {
        customers::products(self.connection(), profile, customer)
    }

    /// The audit trail of one draft or order, oldest first.
    fn audit(&self, subject: AuditSubject, subject_id: &str) -> Result<Vec<AuditEntry>> {
        let rows = self
            .connection()
            .prepare_cached(
                "SELECT id, subject, subject_id, event, at, actor, detail, state FROM audit
                 WHERE subject = ?1 AND subject_id = ?2 ORDER BY id",
            )?
            .query_map(params![subject, subject_id], |row| {
                Ok(AuditEntry {
                    id: row.get(0)?,
                    subject: row.get(1)?,
                    subject_id: row.get(2)?,
                    event: row.get(3)?,
                    at: ts_parse(&row.get::<_, String>(4)?)?,
                    actor: row.get(5)?,
                    detail: row.get(6)?,
                    state: row.get(7)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// A setting's value.
    fn setting(&self, key: &str) -> Result<Option<serde_json::Value>> {
        let text: Option<String> = self
            .connection()
            .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
            .query_row([key], |row| row.get(0))
            .optional()?;
        text.map(|text| json_value(&text).map_err(StoreError::from)).transpose()
    }

    /// Every server profile, by name.
    fn profiles(&self) -> Result<Vec<ServerProfile>> {
        profiles::profiles(self.connection())
    }

    /// One server profile.
    fn profile(&self, name: &str) -> Result<Option<ServerProfile>> {
        profiles::profile(self.connection(), name)
    }

    /// The name of the active profile (the one used when none is named), if one is.
    fn active_profile(&self) -> Result<Option<String>> {
        profiles::active_profile(self.connection())
    }

    /// Where the last catalog sync of profile `name` got to (the newest `lastUpdate` it saw).
    fn catalog_since(&self, name: &str) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
        profiles::catalog_since(self.connection(), name)
    }

    /// What profile `name` rules (its discount policy and cancellation reasons); the defaults
    /// when none was set.
    fn profile_policy(&self, name: &str) -> Result<orderdesk_core::ProfilePolicy> {
        profiles::profile_policy(self.connection(), name)
    }

    /// The hub listener registered on a profile, if one is.
    fn hub_subscription(&self, profile: &str) -> Result<Option<HubSubscription>> {
        profiles::hub_subscription(self.connection(), profile)
    }

    /// `PRAGMA integrity_check`: `["ok"]` for a sound database, else SQLite's findings.
    fn integrity_check(&self) -> Result<Vec<String>> {
        let rows = self
            .connection()
            .prepare("PRAGMA integrity_check")?
            .query_map([], |row| row.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(rows)
    }
}

pub(crate) fn catalog_noun(kind: CatalogKind) -> &'static str {
    match kind {
        CatalogKind::Offering => "product offering",
        CatalogKind::Price => "product offering price",
        CatalogKind::Specification => "product specification",
        CatalogKind::Category => "category",
    }
}

/// [`Queries::live_submission`] on a connection (or inside a write transaction).
pub(crate) fn live_submission_in(conn: &Connection, draft_id: &str) -> Result<Option<OutboxEntry>> {
    let sql = format!(
        "SELECT {OUTBOX_COLUMNS} FROM outbox
         WHERE draft_id = ?1 AND op = 'create' AND status IN ('queued', 'in-flight', 'done')
         ORDER BY id DESC LIMIT 1"
    );
    Ok(conn.prepare_cached(&sql)?.query_row([draft_id], outbox_entry).optional()?)
}
