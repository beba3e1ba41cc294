//! The cached catalog: writing an import record by record inside one transaction
//! ([`CatalogWriter`]), and the reads that never load the whole catalog — the closure of the
//! records an order names ([`closure`]), the offerings in name order or in categories, the
//! category counts.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};
use orderdesk_core::catalog::{CatalogRef, Offering, OfferingPrice};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde_json::Value;

use crate::error::{Result, StoreError};
use crate::extract;
use crate::model::{ts_text, CatalogImportReport, CatalogKind, SearchKind};
use crate::query::catalog_noun;
use crate::search;

/// The arrays of a TMF620 snapshot document (the core's `SNAPSHOT_KEYS`) and the kind of
/// record each holds.
pub const SNAPSHOT_ARRAYS: [(CatalogKind, &str); 4] = [
    (CatalogKind::Offering, "productOffering"),
    (CatalogKind::Price, "productOfferingPrice"),
    (CatalogKind::Specification, "productSpecification"),
    (CatalogKind::Category, "category"),
];

/// Where a catalog import comes from and what it does to the cached catalog.
#[derive(Debug, Clone)]
pub struct CatalogImportMeta {
    /// The snapshot's version (as the catalog names it).
    pub version: String,
    pub fetched_at: DateTime<Utc>,
    /// Where it came from: a file path or a server profile.
    pub source: String,
    /// `true`: the import replaces the cached catalog; `false`: records are added or replaced.
    pub replace: bool,
}

/// One catalog record read into the columns [`CatalogWriter::put_record`] writes: all of the
/// work of writing a record that does not touch the database.
#[derive(Debug, Clone)]
pub struct CatalogRecord {
    kind: CatalogKind,
    id: String,
    name: Option<String>,
    version: Option<String>,
    status: Option<String>,
    /// The record's JSON as stored.
    body: String,
    search_text: String,
    /// For an offering, the categories it is listed in.
    categories: BTreeSet<String>,
}

impl CatalogRecord {
    /// Read `doc`, a record of `kind`; it must carry an `id`.
    pub fn new(kind: CatalogKind, doc: &Value) -> Result<Self> {
        let id = extract::str_field(doc, "id").ok_or_else(|| {
            StoreError::Invalid(format!("a {} without an \"id\"", catalog_noun(kind)))
        })?;
        let body =
            serde_json::to_string(doc).map_err(|err| StoreError::Invalid(err.to_string()))?;
        let categories = match kind {
            CatalogKind::Offering => offering_categories(doc),
            _ => BTreeSet::new(),
        };
        Ok(CatalogRecord {
            kind,
            id,
            name: extract::str_field(doc, "name"),
            version: extract::str_field(doc, "version"),
            status: extract::str_field(doc, "lifecycleStatus"),
            body,
            search_text: extract::search_text(doc),
            categories,
        })
    }
}

/// One catalog import in progress: every record is written as it is handed over, inside one
/// IMMEDIATE transaction that [`CatalogWriter::finish`] commits; the records' search entries
/// are set aside and indexed once, by `finish` (see [`search::begin_pending`] for why).
/// Dropped without finishing (an error on the way), nothing is written: readers keep seeing
/// the previous catalog.
pub struct CatalogWriter<'a> {
    tx: Transaction<'a>,
    snapshot: i64,
    /// The import replaces the cached catalog (which `begin` emptied).
    replace: bool,
    report: CatalogImportReport,
}

impl std::fmt::Debug for CatalogWriter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CatalogWriter").field("report", &self.report).finish_non_exhaustive()
    }
}

impl<'a> CatalogWriter<'a> {
    pub(crate) fn begin(tx: Transaction<'a>, meta: &CatalogImportMeta) -> Result<Self> {
        let snapshot: i64 = tx.query_row(
            "INSERT INTO catalog_snapshots (version, fetched_at, source, imported_at)
             VALUES (?1, ?2, ?3, ?4) RETURNING id",
            params![meta.version, ts_text(meta.fetched_at), meta.source, ts_text(Utc::now())],
            |row| row.get(0),
        )?;
        if meta.replace {
            tx.execute("DELETE FROM catalog_items", [])?;
            tx.execute("DELETE FROM catalog_offering_categories", [])?;
            for kind in CatalogKind::ALL {
                search::unindex_kind(&tx, SearchKind::from(*kind))?;
            }
        }
        search::begin_pending(&tx)?;
        let report = CatalogImportReport {
            version: meta.version.clone(),
            offerings: 0,
            prices: 0,
            specifications: 0,
            categories: 0,
        };
        Ok(CatalogWriter { tx, snapshot, replace: meta.replace, report })
    }

    /// Write one record (it must carry an `id`) and, for an offering, its category
    /// memberships, and set its search entry aside for [`CatalogWriter::finish`].
    pub fn put(&mut self, kind: CatalogKind, doc: &Value) -> Result<()> {
        self.put_record(CatalogRecord::new(kind, doc)?)
    }

    /// [`CatalogWriter::put`] for a record already read into its columns (which can be done
    /// on another thread while this one writes).
    pub fn put_record(&mut self, record: CatalogRecord) -> Result<()> {
        let CatalogRecord { kind, id, name, version, status, body, search_text, categories } =
            record;
        let row = params![kind, id, name, version, status, body, self.snapshot];
        // A plain one-row insert, and a record written before (a merge, or one listed twice)
        // deleted and inserted again, rather than `INSERT OR REPLACE`: SQLite gives a
        // statement that may both write several rows and abort (a REPLACE on a table with
        // indexes and CHECK constraints) a statement journal, which copies every page the
        // statement touches. A one-row insert that hits the unique key fails before it
        // writes anything.
        let insert = "INSERT INTO catalog_items
                          (kind, id, name, version, lifecycle_status, body, snapshot_id)
                      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
        let replaced = match self.tx.prepare_cached(insert)?.execute(row) {
            Ok(_) => false,
            Err(rusqlite::Error::SqliteFailure(err, _))
                if err.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE =>
            {
                self.tx
                    .prepare_cached("DELETE FROM catalog_items WHERE kind = ?1 AND id = ?2")?
                    .execute(params![kind, id])?;
                self.tx.prepare_cached(insert)?.execute(row)?;
                true
            }
            Err(err) => return Err(err.into()),
        };
        search::add_pending(
            &self.tx,
            SearchKind::from(kind),
            &id,
            name.as_deref().unwrap_or(&id),
            &search_text,
        )?;
        let count = match kind {
            CatalogKind::Offering => {
                if replaced {
                    self.tx
                        .prepare_cached(
                            "DELETE FROM catalog_offering_categories WHERE offering_id = ?1",
                        )?
                        .execute([&id])?;
                }
                let mut insert = self.tx.prepare_cached(
                    "INSERT OR IGNORE INTO catalog_offering_categories (category_id, offering_id)
                     VALUES (?1, ?2)",
                )?;
                for category in categories {
                    insert.execute(params![category, id])?;
                }
                &mut self.report.offerings
            }
            CatalogKind::Price => &mut self.report.prices,
            CatalogKind::Specification => &mut self.report.specifications,
            CatalogKind::Category => &mut self.report.categories,
        };
        *count = count.saturating_add(1);
        Ok(())
    }

    /// Commit the import under `version` (a streamed snapshot may name it after its records)
    /// and its fetch time.
    pub fn finish(self, version: String, fetched_at: DateTime<Utc>) -> Result<CatalogImportReport> {
        search::index_pending(&self.tx, !self.replace)?;
        self.tx.execute(
            "UPDATE catalog_snapshots SET version = ?1, fetched_at = ?2 WHERE id = ?3",
            params![version, ts_text(fetched_at), self.snapshot],
        )?;
        self.tx.commit()?;
        Ok(CatalogImportReport { version, ..self.report })
    }
}

/// The categories an offering is listed in (`category[].id`, as the catalog screen reads them).
fn offering_categories(doc: &Value) -> BTreeSet<String> {
    doc.get("category")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| extract::str_field(c, "id"))
        .collect()
}

fn body_of(conn: &Connection, kind: CatalogKind, id: &str) -> Result<Option<Value>> {
    let body: Option<String> = conn
        .prepare_cached("SELECT body FROM catalog_items WHERE kind = ?1 AND id = ?2")?
        .query_row(params![kind, id], |row| row.get(0))
        .optional()?;
    body.map(|text| {
        serde_json::from_str(&text).map_err(|err| StoreError::Corrupt {
            detail: format!("cached {} {id}: {err}", catalog_noun(kind)),
        })
    })
    .transpose()
}

/// The closure of the catalog records `ids` name, as a TMF620 snapshot document: each id is
/// looked up as an offering, a price and a specification, then what each record found names
/// in turn ([`Offering::refs`], [`OfferingPrice::refs`]), each record once. Validating,
/// pricing or composing an order whose [`orderdesk_core::catalog::order_refs`] are `ids`
/// against this snapshot gives what it gives against the whole catalog.
pub(crate) fn closure(conn: &Connection, ids: &[String]) -> Result<Value> {
    let queue = ids
        .iter()
        .flat_map(|id| {
            [
                CatalogRef::Specification(id.clone()),
                CatalogRef::Price(id.clone()),
                CatalogRef::Offering(id.clone()),
            ]
        })
        .collect();
    closure_from(conn, queue, true)
}

/// What a list of offerings shows (name, whether a bundle, price tags), as a TMF620 snapshot
/// document: the offerings `ids`, their prices and what those prices name, but not their
/// bundled offerings or specifications. A page of 50 bundles is 50 offerings and their
/// prices, not every child of every bundle.
pub(crate) fn listing_closure(conn: &Connection, ids: &[String]) -> Result<Value> {
    closure_from(conn, ids.iter().map(|id| CatalogRef::Offering(id.clone())).collect(), false)
}

/// The records `queue` names and what they name in turn, each once; an offering's own
/// references (bundled and `reliesOn` offerings, its specification) only with
/// `whole_offerings`, its prices always.
fn closure_from(
    conn: &Connection,
    mut queue: Vec<CatalogRef>,
    whole_offerings: bool,
) -> Result<Value> {
    let mut seen = HashSet::new();
    let (mut offerings, mut prices, mut specifications) = (Vec::new(), Vec::new(), Vec::new());
    while let Some(next) = queue.pop() {
        if seen.contains(&next) {
            continue;
        }
        let (kind, id) = match &next {
            CatalogRef::Offering(id) => (CatalogKind::Offering, id),
            CatalogRef::Price(id) => (CatalogKind::Price, id),
            CatalogRef::Specification(id) => (CatalogKind::Specification, id),
        };
        if let Some(doc) = body_of(conn, kind, id)? {
            match kind {
                CatalogKind::Offering => {
                    let refs = Offering::from_json(&doc).map(|o| o.refs()).unwrap_or_default();
                    queue.extend(
                        refs.into_iter()
                            .filter(|r| whole_offerings || matches!(r, CatalogRef::Price(_))),
                    );
                    offerings.push(doc);
                }
                CatalogKind::Price => {
                    queue.extend(
                        OfferingPrice::from_json(&doc).map(|p| p.refs()).unwrap_or_default(),
                    );
                    prices.push(doc);
                }
                CatalogKind::Specification | CatalogKind::Category => specifications.push(doc),
            }
        }
        seen.insert(next);
    }
    Ok(serde_json::json!({
        "productOffering": offerings,
        "productOfferingPrice": prices,
        "productSpecification": specifications,
        "category": [],
    }))
}

/// Offering ids in name order (case-folded, then id), at most `limit` of them;
/// only those listed in one of `categories` when it is given.
pub(crate) fn offerings_by_name(
    conn: &Connection,
    categories: Option<&[String]>,
    limit: u32,
) -> Result<Vec<String>> {
    let rows = match categories {
        None => conn
            .prepare_cached(
                "SELECT id FROM catalog_items WHERE kind = 'offering'
                 ORDER BY lower(coalesce(name, id)), id LIMIT ?1",
            )?
            .query_map([limit], |row| row.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?,
        Some(categories) => {
            let wanted = serde_json::to_string(categories)
                .map_err(|err| StoreError::Invalid(err.to_string()))?;
            // Walks the name index and keeps the listed offerings until the page is full,
            // rather than sorting every offering of a large category for one page.
            conn.prepare_cached(
                "SELECT i.id FROM catalog_items i
                 WHERE i.kind = 'offering' AND EXISTS (
                     SELECT 1 FROM catalog_offering_categories c
                     WHERE c.offering_id = i.id
                       AND c.category_id IN (SELECT value FROM json_each(?1)))
                 ORDER BY lower(coalesce(i.name, i.id)), i.id LIMIT ?2",
            )?
            .query_map(params![wanted, limit], |row| row.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?
        }
    };
    Ok(rows)
}

/// Offering ids whose name (case-folded as [`offerings_by_name`] sorts, or the id when
/// unnamed) starts with `prefix`, in name order, at most `limit`; only those listed in one of
/// `categories` when it is not empty. A range of the name index: as fast at 100,000
/// offerings as at 100, however many names share the prefix.
pub(crate) fn offerings_named(
    conn: &Connection,
    prefix: &str,
    categories: &[String],
    limit: u32,
) -> Result<Vec<String>> {
    // SQLite's lower() folds ASCII letters only: fold the prefix the same way. Every name
    // that starts with it sorts between it and it followed by the last code point.
    let low = prefix.to_ascii_lowercase();
    let high = format!("{low}\u{10FFFF}");
    let wanted =
        serde_json::to_string(categories).map_err(|err| StoreError::Invalid(err.to_string()))?;
    let rows = conn
        .prepare_cached(
            "SELECT i.id FROM catalog_items i
             WHERE i.kind = 'offering'
               AND lower(coalesce(i.name, i.id)) >= ?1 AND lower(coalesce(i.name, i.id)) < ?2
               AND (?3 = '[]' OR EXISTS (
                   SELECT 1 FROM catalog_offering_categories c
                   WHERE c.offering_id = i.id
                     AND c.category_id IN (SELECT value FROM json_each(?3))))
             ORDER BY lower(coalesce(i.name, i.id)), i.id LIMIT ?4",
        )?
        .query_map(params![low, high, wanted, limit], |row| row.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(rows)
}

/// Every cached category record with the number of offerings listed in it.
pub(crate) fn categories(conn: &Connection) -> Result<Vec<(Value, u32)>> {
    let counts: HashMap<String, u32> = conn
        .prepare_cached(
            "SELECT category_id, count(*) FROM catalog_offering_categories GROUP BY category_id",
        )?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(category_records(conn)?
        .into_iter()
        .map(|(id, doc)| {
            let count = counts.get(&id).copied().unwrap_or(0);
            (doc, count)
        })
        .collect())
}

/// Every cached category record by id (without counting their offerings).
pub(crate) fn category_records(conn: &Connection) -> Result<Vec<(String, Value)>> {
    let bodies = conn
        .prepare_cached("SELECT id, body FROM catalog_items WHERE kind = 'category' ORDER BY id")?
        .query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    bodies
        .into_iter()
        .map(|(id, text)| {
            let doc = serde_json::from_str(&text).map_err(|err| StoreError::Corrupt {
                detail: format!("cached category {id}: {err}"),
            })?;
            Ok((id, doc))
        })
        .collect()
}

/// How many offerings the cached catalog holds.
pub(crate) fn offering_count(conn: &Connection) -> Result<u32> {
    let count: i64 = conn
        .prepare_cached("SELECT count(*) FROM catalog_items WHERE kind = 'offering'")?
        .query_row([], |row| row.get(0))?;
    Ok(u32::try_from(count).unwrap_or(u32::MAX))
}
