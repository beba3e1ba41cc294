//! Catalog sync: a full snapshot the first time (or on request), then only what changed
//! (`lastUpdate.gt`), and a re-check of the drafts against what changed.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use orderdesk_client::{resource_id, CatalogResource};
use orderdesk_store::{CatalogImport, CatalogItemInput, CatalogKind, DraftFilter, Queries};
use serde::Serialize;
use serde_json::Value;

use crate::engine::SyncEngine;
use crate::error::{Result, SyncError};
use crate::payload::offering_ids;

/// Lifecycle statuses that mean an offering can no longer be ordered.
const RETIRED: [&str; 3] = ["retired", "obsolete", "rejected"];

/// How an offering changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OfferingChange {
    /// Retired, obsolete, or gone from the catalog.
    Retired,
    /// One of its prices changed.
    PriceChanged,
    /// The offering itself changed (name, characteristics, ...).
    Changed,
}

/// A draft that refers to an offering that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DraftImpact {
    pub draft_id: String,
    pub offering_id: String,
    pub change: OfferingChange,
    /// The catalog version the draft was composed against.
    pub draft_catalog_version: Option<String>,
}

/// What a catalog sync did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogSyncReport {
    /// `full` or `incremental`.
    pub mode: &'static str,
    pub version: String,
    pub offerings: usize,
    pub prices: usize,
    pub specifications: usize,
    pub categories: usize,
    /// Offering id → how it changed.
    pub changes: BTreeMap<String, OfferingChange>,
    pub affected_drafts: Vec<DraftImpact>,
}

fn kind_of(resource: CatalogResource) -> CatalogKind {
    match resource {
        CatalogResource::Offering => CatalogKind::Offering,
        CatalogResource::Price => CatalogKind::Price,
        CatalogResource::Specification => CatalogKind::Specification,
        CatalogResource::Category => CatalogKind::Category,
    }
}

fn is_retired(offering: &Value) -> bool {
    offering
        .get("lifecycleStatus")
        .and_then(Value::as_str)
        .is_some_and(|s| RETIRED.contains(&s.to_ascii_lowercase().as_str()))
}

fn last_update(item: &Value) -> Option<DateTime<Utc>> {
    orderdesk_wire::instant_of(item.get("lastUpdate"))
}

fn price_refs(offering: &Value) -> Vec<String> {
    match offering.get("productOfferingPrice") {
        Some(Value::Array(list)) => list.iter().filter_map(resource_id).collect(),
        _ => Vec::new(),
    }
}

impl SyncEngine {
    /// Syncs the catalog of `profile` (the active one when `None`): in full when `full`, when
    /// it was never synced, or when the server gives no `lastUpdate` to go on; else only
    /// records updated since the last sync. Then reports the drafts that use an offering that
    /// was retired or whose price changed.
    pub async fn sync_catalog(
        &self,
        profile: Option<&str>,
        full: bool,
    ) -> Result<CatalogSyncReport> {
        let wanted = profile.map(str::to_owned);
        let profile =
            self.with_store(move |s| crate::profiles::resolve(s, wanted.as_deref())).await?;
        let client = self.client(&profile.name).await?;
        let name = profile.name.clone();
        let since: Option<DateTime<Utc>> =
            self.with_store(move |s| Ok(s.catalog_since(&name)?)).await?;
        let incremental = !full && since.is_some();
        let fetched_at = Utc::now();
        let mut fetched: Vec<(CatalogResource, Vec<Value>)> = Vec::new();
        for resource in CatalogResource::ALL {
            let items = client.list_catalog(resource, since.filter(|_| incremental)).await?;
            fetched.push((resource, items));
        }
        let newest = fetched
            .iter()
            .flat_map(|(_, items)| items.iter().filter_map(last_update))
            .max()
            .into_iter()
            .chain(since)
            .max();
        let version = match newest {
            Some(at) => format!(
                "{}@{}",
                profile.name,
                at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            ),
            None => format!(
                "{}@{}",
                profile.name,
                fetched_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            ),
        };
        let source = profile.name.clone();
        let source_profile = profile.name.clone();
        let report_version = version.clone();
        let actor_version = version.clone();
        let (report, changes) = self
            .with_store(move |s| {
                // What changed, against the cache as it is before the import.
                let mut changes: BTreeMap<String, OfferingChange> = BTreeMap::new();
                let mut changed_prices = Vec::new();
                let mut new_offerings: HashMap<String, Value> = HashMap::new();
                for (resource, items) in &fetched {
                    for item in items {
                        let Some(id) = resource_id(item) else { continue };
                        let old = s.catalog_item(kind_of(*resource), &id).ok();
                        let differs = old
                            .as_ref()
                            .and_then(|o| serde_json::from_str::<Value>(&o.body).ok())
                            .is_none_or(|o| &o != item);
                        match resource {
                            CatalogResource::Offering => {
                                if is_retired(item) {
                                    changes.insert(id.clone(), OfferingChange::Retired);
                                } else if differs && old.is_some() {
                                    changes.entry(id.clone()).or_insert(OfferingChange::Changed);
                                }
                                new_offerings.insert(id, item.clone());
                            }
                            CatalogResource::Price if differs && old.is_some() => {
                                changed_prices.push(id)
                            }
                            _ => {}
                        }
                    }
                }
                if !incremental {
                    // Offerings missing from a full snapshot are gone.
                    if let Some(Value::Array(cached)) =
                        s.catalog_snapshot()?.get("productOffering").cloned()
                    {
                        for old in cached {
                            if let Some(id) = resource_id(&old) {
                                if !new_offerings.contains_key(&id) {
                                    changes.insert(id, OfferingChange::Retired);
                                }
                            }
                        }
                    }
                }
                let items: Vec<CatalogItemInput> = fetched
                    .into_iter()
                    .flat_map(|(resource, items)| {
                        items
                            .into_iter()
                            .filter(|i| resource_id(i).is_some())
                            .map(move |body| CatalogItemInput { kind: kind_of(resource), body })
                    })
                    .collect();
                let imported = s.import_catalog(CatalogImport {
                    version: actor_version,
                    fetched_at,
                    source,
                    items,
                    replace: !incremental,
                })?;
                if !changed_prices.is_empty() {
                    if let Some(Value::Array(offerings)) =
                        s.catalog_snapshot()?.get("productOffering").cloned()
                    {
                        for offering in offerings {
                            let Some(id) = resource_id(&offering) else { continue };
                            if price_refs(&offering).iter().any(|p| changed_prices.contains(p)) {
                                changes.entry(id).or_insert(OfferingChange::PriceChanged);
                            }
                        }
                    }
                }
                if let Some(at) = newest {
                    s.set_catalog_since(&source_profile, at)?;
                }
                Ok((imported, changes))
            })
            .await?;
        let affected_drafts = self.drafts_using(&changes).await?;
        Ok(CatalogSyncReport {
            mode: if incremental { "incremental" } else { "full" },
            version: report_version,
            offerings: report.offerings,
            prices: report.prices,
            specifications: report.specifications,
            categories: report.categories,
            changes,
            affected_drafts,
        })
    }

    /// Drafts that refer to one of the changed offerings.
    async fn drafts_using(
        &self,
        changes: &BTreeMap<String, OfferingChange>,
    ) -> Result<Vec<DraftImpact>> {
        if changes.is_empty() {
            return Ok(Vec::new());
        }
        let changes = changes.clone();
        self.with_store(move |s| {
            let mut impacts = Vec::new();
            let mut offset = 0;
            loop {
                let rows = s.drafts(&DraftFilter { customer_prefix: None, limit: 500, offset })?;
                let n = rows.len();
                for row in rows {
                    let draft = s.draft(&row.id)?;
                    let body: Value = serde_json::from_str(&draft.body)
                        .map_err(|err| SyncError::Invalid(format!("draft {}: {err}", row.id)))?;
                    for offering in offering_ids(&body) {
                        if let Some(change) = changes.get(&offering) {
                            impacts.push(DraftImpact {
                                draft_id: row.id.clone(),
                                offering_id: offering,
                                change: *change,
                                draft_catalog_version: row.catalog_version.clone(),
                            });
                        }
                    }
                }
                if n < 500 {
                    break;
                }
                offset = offset.saturating_add(500);
            }
            Ok(impacts)
        })
        .await
    }
}
