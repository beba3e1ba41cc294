//! The local database's catalog records and search index: import a TMF620 snapshot with its
//! provenance (replacing the cache or merging into it, under a given version), read one
//! cached record or the cache's version, and full-text search over drafts, orders and
//! catalog records.

use std::sync::{Arc, PoisonError};

use chrono::{DateTime, Utc};
use orderdesk_core::Catalog;
use orderdesk_store::{
    CatalogImport, CatalogImportReport, CatalogItemInput, CatalogKind, CatalogVersion, Queries,
    SearchHit, SearchKind,
};
use serde_json::Value;

use crate::error::{Result, ServiceError};
use crate::{load_catalog, Service};

/// The catalog arrays of a TMF620 snapshot and the kind of record each holds.
const CATALOG_ARRAYS: [(CatalogKind, &str); 4] = [
    (CatalogKind::Offering, "productOffering"),
    (CatalogKind::Price, "productOfferingPrice"),
    (CatalogKind::Specification, "productSpecification"),
    (CatalogKind::Category, "category"),
];

/// How a catalog snapshot is imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotImport {
    /// Where it came from (a file name, `demo server`...), kept with the version.
    pub source: String,
    /// The version to record; default the snapshot's `version`, else the import time.
    pub version: Option<String>,
    /// Add and replace records, keeping those the snapshot does not list (default: the
    /// snapshot replaces the cached catalog).
    pub merge: bool,
}

impl SnapshotImport {
    /// A full snapshot from `source` that replaces the cached catalog.
    pub fn replacing(source: impl Into<String>) -> SnapshotImport {
        SnapshotImport { source: source.into(), version: None, merge: false }
    }
}

/// When the snapshot says it was taken (`fetchedAt`, else `lastUpdate`).
fn snapshot_time(snapshot: &Value) -> Option<DateTime<Utc>> {
    ["fetchedAt", "lastUpdate"]
        .iter()
        .find_map(|key| orderdesk_wire::instant_of(snapshot.get(*key)))
}

impl Service {
    /// Store a TMF620 snapshot (checked by the core's catalog indexer before anything is
    /// stored) and rebuild the cached catalog.
    pub async fn import_snapshot(
        &self,
        text: String,
        how: SnapshotImport,
    ) -> Result<CatalogImportReport> {
        let value = orderdesk_wire::parse_json(text.strip_prefix('\u{feff}').unwrap_or(&text))
            .map_err(|e| ServiceError::NotJson(e.to_string()))?;
        Catalog::from_json(&value)?;
        let now = Utc::now();
        let version = how
            .version
            .or_else(|| value.get("version").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_else(|| format!("import {}", now.format("%Y-%m-%dT%H:%M:%SZ")));
        let mut items = Vec::new();
        for (kind, key) in CATALOG_ARRAYS {
            for body in value.get(key).and_then(Value::as_array).into_iter().flatten() {
                items.push(CatalogItemInput { kind, body: body.clone() });
            }
        }
        let import = CatalogImport {
            version,
            fetched_at: snapshot_time(&value).unwrap_or(now),
            source: how.source,
            items,
            replace: !how.merge,
        };
        let report = self.write(move |s| Ok(s.import_catalog(import)?)).await?;
        let cache = self.read(load_catalog).await?;
        *self.catalog.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(cache);
        Ok(report)
    }

    /// One cached catalog record (offering, price, specification or category) as TMF620 JSON.
    pub async fn catalog_record(&self, id: String) -> Result<Value> {
        let item = self.read(move |r| Ok(r.catalog_item_any(&id)?)).await?;
        orderdesk_wire::parse_json(&item.body)
            .map_err(|e| ServiceError::NotJson(format!("cached {} {}: {e}", item.kind, item.id)))
    }

    /// The cached catalog's version, fetch time and source; `None` before any import.
    pub async fn catalog_info(&self) -> Result<Option<CatalogVersion>> {
        self.read(|r| Ok(r.catalog_version()?)).await
    }

    /// Full-text search over the given kinds of record (all when empty). Any text is
    /// accepted; search operators in it are plain words.
    pub async fn search(
        &self,
        text: String,
        kinds: Vec<SearchKind>,
        limit: u32,
    ) -> Result<Vec<SearchHit>> {
        self.read(move |r| Ok(r.search(&text, &kinds, limit)?)).await
    }
}
