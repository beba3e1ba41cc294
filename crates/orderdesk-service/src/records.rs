//! The local database's catalog records and search index: import a TMF620 snapshot with its
//! provenance (replacing the cache or merging into it, under a given version), read one
//! cached record or the cache's version, and full-text search over drafts, orders and
//! catalog records.

use chrono::Utc;
use orderdesk_store::{
    CatalogImportMeta, CatalogImportReport, CatalogVersion, Queries, SearchHit, SearchKind,
};
use serde_json::Value;

use crate::error::{Result, ServiceError};
use crate::{snapshot, Service};

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

impl Service {
    /// Store a TMF620 snapshot, read record by record into one transaction (refused as the
    /// core's catalog indexer refuses it, and then nothing is stored), and forget the order
    /// catalogs built from the previous one.
    pub async fn import_snapshot(
        &self,
        text: String,
        how: SnapshotImport,
    ) -> Result<CatalogImportReport> {
        let now = Utc::now();
        let report = self
            .write(move |s| {
                let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
                let meta = CatalogImportMeta {
                    version: how.version.clone().unwrap_or_default(),
                    fetched_at: now,
                    source: how.source,
                    replace: !how.merge,
                };
                // Streamed into one transaction: a refusal half-way leaves the previous
                // catalog as it was.
                let mut writer = s.catalog_writer(&meta)?;
                let header = snapshot::read_into(text, &mut writer)?;
                let version = how
                    .version
                    .or(header.version)
                    .unwrap_or_else(|| format!("import {}", now.format("%Y-%m-%dT%H:%M:%SZ")));
                let fetched_at = [header.fetched_at, header.last_update]
                    .iter()
                    .find_map(|v| orderdesk_wire::instant_of(v.as_ref()))
                    .unwrap_or(now);
                let report = writer.finish(version, fetched_at)?;
                s.shrink_wal();
                Ok(report)
            })
            .await?;
        self.catalog_changed().await?;
        Ok(report)
    }

    /// One cached catalog record (offering, price, specification or category) as TMF620 JSON.
    pub async fn catalog_record(&self, id: String) -> Result<Value> {
        let item = self.read(move |r| Ok(r.catalog_item_any(&id)?)).await?;
        orderdesk_wire::parse_json(&item.body)
            .map_err(|e| ServiceError::NotJson(format!("cached {} {}: {e}", item.kind, item.id)))
    }

    /// Read the catalog's version again and forget the order catalogs kept: an import or a
    /// sync changed the catalog.
    pub(crate) async fn catalog_changed(&self) -> Result<()> {
        let catalogs = std::sync::Arc::clone(&self.catalogs);
        self.read(move |r| catalogs.reload(r)).await
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
