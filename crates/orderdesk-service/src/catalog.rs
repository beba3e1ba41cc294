//! The catalog as the service reads it. The catalog stays in SQLite: opening the service reads
//! its version and offering count only. Validating, pricing and composing an order read the
//! closure of what the order names ([`orderdesk_core::catalog::order_refs`], the store's
//! `catalog_closure`) indexed by the core's one parser, `Catalog::from_json`, into a
//! [`CatalogCache`]; the last few of those are kept ([`Catalogs`]) and dropped when a catalog
//! import or sync changes the catalog. The catalog screen's calls on [`Service`] (categories,
//! offering search and detail, import) read the store's indexed tables and build the summaries
//! they show from the closure of the offerings shown.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use hashlink::LruCache;
use orderdesk_core::catalog::{CharacteristicSpec, OfferingPrice};
use orderdesk_core::Catalog;
use serde_json::Value;

use orderdesk_store::{Queries, SearchKind};

use crate::error::{Result, ServiceError};
use crate::records::SnapshotImport;
use crate::view::{
    BundleOption, CatalogPriceView, CategoryView, CharacteristicField, OfferingDetail,
    OfferingSummary, PriceTag,
};
use crate::Service;

/// Order catalogs kept: a few drafts open in the editor, each with its closure.
const ORDER_CATALOGS_KEPT: usize = 32;

/// What the service knows of the cached catalog without loading it. Its size is counted only
/// when asked for ([`Catalogs::offerings`]): counting 100,000 offerings would cost every CLI
/// command a few milliseconds at open.
#[derive(Debug, Clone, Default)]
pub struct CatalogInfo {
    /// Version of the cached catalog; `None` before any import.
    pub version: Option<String>,
}

/// The cached catalog's version and the catalogs of the orders in use, shared by the service
/// and the sync engine's submit gate.
pub struct Catalogs {
    info: RwLock<(CatalogInfo, u64)>,
    /// The offering count of the catalog generation it was counted in.
    counted: Mutex<Option<(u64, u32)>>,
    /// Order catalogs by the ids the order names (sorted), least recently used dropped.
    kept: Mutex<LruCache<Vec<String>, Arc<CatalogCache>>>,
}

impl std::fmt::Debug for Catalogs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalogs").field("info", &self.info()).finish_non_exhaustive()
    }
}

impl Catalogs {
    /// The cached catalog's version (nothing else is read).
    pub(crate) fn load(r: &impl Queries) -> Result<Catalogs> {
        let catalogs = Catalogs {
            info: RwLock::new((CatalogInfo::default(), 0)),
            counted: Mutex::new(None),
            kept: Mutex::new(LruCache::new(ORDER_CATALOGS_KEPT)),
        };
        catalogs.reload(r)?;
        Ok(catalogs)
    }

    /// Read the version again and forget every order catalog and the count (after an import
    /// or a sync changed the catalog).
    pub(crate) fn reload(&self, r: &impl Queries) -> Result<()> {
        let version = r.catalog_version()?.map(|v| v.version);
        let mut info = self.info.write().unwrap_or_else(PoisonError::into_inner);
        *info = (CatalogInfo { version }, info.1.wrapping_add(1));
        self.kept.lock().unwrap_or_else(PoisonError::into_inner).clear();
        Ok(())
    }

    /// How many offerings the cached catalog holds: counted once per catalog (0 before any
    /// import).
    pub fn offerings(&self, r: &impl Queries) -> Result<u32> {
        let (info, generation) = self.info.read().unwrap_or_else(PoisonError::into_inner).clone();
        let mut counted = self.counted.lock().unwrap_or_else(PoisonError::into_inner);
        match *counted {
            Some((of, count)) if of == generation => Ok(count),
            _ => {
                let count = if info.version.is_some() { r.offering_count()? } else { 0 };
                *counted = Some((generation, count));
                Ok(count)
            }
        }
    }

    /// The cached catalog's version.
    pub fn info(&self) -> CatalogInfo {
        self.info.read().unwrap_or_else(PoisonError::into_inner).0.clone()
    }

    /// The catalog of an order document: the closure of what it names.
    pub fn for_order(&self, r: &impl Queries, order: &Value) -> Result<Arc<CatalogCache>> {
        self.scoped(r, orderdesk_core::catalog::order_refs(order))
    }

    /// The catalog holding what `ids` name (an order's [`orderdesk_core::catalog::order_refs`],
    /// with the offerings an edit adds), kept for the next call with the same ids.
    pub fn scoped(&self, r: &impl Queries, mut ids: Vec<String>) -> Result<Arc<CatalogCache>> {
        ids.sort_unstable();
        ids.dedup();
        let (info, generation) = self.info.read().unwrap_or_else(PoisonError::into_inner).clone();
        if info.version.is_none() {
            return Ok(Arc::new(CatalogCache::default()));
        }
        if let Some(hit) = self.kept.lock().unwrap_or_else(PoisonError::into_inner).get(&ids) {
            return Ok(Arc::clone(hit));
        }
        let cache = Arc::new(CatalogCache::build(info.version, &r.catalog_closure(&ids)?)?);
        // A catalog read while an import replaced the catalog is used once, never kept.
        let current = self.info.read().unwrap_or_else(PoisonError::into_inner).1;
        if current == generation {
            self.kept
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(ids, Arc::clone(&cache));
        }
        Ok(cache)
    }
}

/// A catalog snapshot indexed for the app: the core's index (for composing, validating and
/// pricing), the summaries of its offerings and its characteristics' descriptions. The
/// service builds one per order (the closure of what it names) and one per page of offerings
/// shown, never one of the whole catalog.
#[derive(Debug, Default)]
pub struct CatalogCache {
    /// Version of the cached catalog; `None` before any import.
    pub version: Option<String>,
    /// The core's index.
    pub rules: std::sync::Arc<Catalog>,
    /// Offerings in name order.
    pub offerings: Vec<OfferingSummary>,
    by_id: HashMap<String, usize>,
    /// Characteristic descriptions by specification id and name (the core keeps no text).
    descriptions: HashMap<(String, String), String>,
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn array<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

impl CatalogCache {
    /// Index a TMF620 snapshot (`productOffering`, `productOfferingPrice`,
    /// `productSpecification`, `category` arrays).
    pub fn build(version: Option<String>, snapshot: &Value) -> Result<CatalogCache> {
        let rules = Catalog::from_json(snapshot)?;
        let mut descriptions = HashMap::new();
        for spec in array(snapshot, "productSpecification") {
            let Some(id) = text(spec, "id") else { continue };
            for ch in array(spec, "productSpecCharacteristic") {
                if let (Some(name), Some(desc)) = (text(ch, "name"), text(ch, "description")) {
                    descriptions.insert((id.clone(), name), desc);
                }
            }
        }
        let mut offerings: Vec<OfferingSummary> = array(snapshot, "productOffering")
            .iter()
            .filter_map(|po| {
                let id = text(po, "id")?;
                let offering = rules.offerings.get(&id);
                Some(OfferingSummary {
                    name: text(po, "name").unwrap_or_else(|| id.clone()),
                    description: text(po, "description"),
                    is_bundle: offering.is_some_and(|o| o.is_bundle),
                    lifecycle_status: text(po, "lifecycleStatus"),
                    categories: array(po, "category")
                        .iter()
                        .filter_map(|c| text(c, "id"))
                        .collect(),
                    price_tags: offering
                        .map(|o| price_tags(&rules, &o.price_ids))
                        .unwrap_or_default(),
                    id,
                })
            })
            .collect();
        offerings.sort_by_key(|o| o.name.to_lowercase());
        let by_id = offerings.iter().enumerate().map(|(i, o)| (o.id.clone(), i)).collect();
        Ok(CatalogCache {
            version,
            rules: std::sync::Arc::new(rules),
            offerings,
            by_id,
            descriptions,
        })
    }

    /// An offering's summary.
    pub fn summary(&self, id: &str) -> Option<&OfferingSummary> {
        self.by_id.get(id).and_then(|&i| self.offerings.get(i))
    }

    /// The display name of an offering (its id when unknown).
    pub fn name(&self, id: &str) -> String {
        self.summary(id).map_or_else(|| id.to_owned(), |o| o.name.clone())
    }

    /// Everything the catalog screen shows about an offering.
    pub fn detail(&self, id: &str) -> Option<OfferingDetail> {
        let summary = self.summary(id)?.clone();
        let offering = self.rules.offerings.get(id)?;
        let prices = expand_prices(&self.rules, &offering.price_ids)
            .into_iter()
            .map(|p| CatalogPriceView {
                id: p.id.clone(),
                name: p.name.clone(),
                price_type: p.price_type.clone(),
                period: p.period.clone(),
                amount: p.amount.map(|a| a.to_string()),
                currency: p.currency.clone(),
                percentage: p.percentage.map(|a| a.to_string()),
                duration: p.duration,
            })
            .collect();
        let bundle = offering
            .bundled
            .iter()
            .map(|b| BundleOption {
                offering_id: b.id.clone(),
                name: self.name(&b.id),
                lower: b.lower.unwrap_or(0),
                upper: b.upper,
                count: b.default.unwrap_or(b.lower.unwrap_or(0)),
            })
            .collect();
        let characteristics = offering
            .specification_id
            .as_deref()
            .map(|spec| self.spec_fields(spec))
            .unwrap_or_default();
        let relies_on = offering.relies_on.iter().map(|r| self.name(r)).collect();
        Some(OfferingDetail { summary, prices, bundle, characteristics, relies_on })
    }

    /// The characteristics form of a specification, without values.
    pub fn spec_fields(&self, spec_id: &str) -> Vec<CharacteristicField> {
        self.rules
            .specifications
            .get(spec_id)
            .map(|s| s.characteristics.iter().map(|c| self.field(spec_id, c)).collect())
            .unwrap_or_default()
    }

    fn field(&self, spec_id: &str, c: &CharacteristicSpec) -> CharacteristicField {
        let (min, max) = c.range.unwrap_or((None, None));
        CharacteristicField {
            name: c.name.clone(),
            label: c.label(),
            description: self.descriptions.get(&(spec_id.to_owned(), c.name.clone())).cloned(),
            value_type: c.value_type.clone(),
            required: c.required,
            allowed: c.allowed.iter().map(value_text).collect(),
            min: min.map(|d| d.to_string()),
            max: max.map(|d| d.to_string()),
            value: None,
            specified: true,
        }
    }
}

/// A JSON value as the text the agent sees and types.
pub(crate) fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The offering's prices with bundled prices expanded (one level of nesting is what TMF620
/// catalogs use; deeper nesting is followed too, cycles are cut).
pub(crate) fn expand_prices<'a>(rules: &'a Catalog, ids: &[String]) -> Vec<&'a OfferingPrice> {
    let mut out = Vec::new();
    let mut stack: Vec<&String> = ids.iter().rev().collect();
    let mut seen = std::collections::HashSet::new();
    while let Some(id) = stack.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        if let Some(p) = rules.prices.get(id) {
            if p.bundled.is_empty() {
                out.push(p);
            } else {
                stack.extend(p.bundled.iter().rev());
            }
        }
    }
    out
}

/// The prices an offering's summary shows: its own with an amount, bundled prices expanded,
/// alterations left to the detail. Data, not text: the UI writes them in the agent's locale.
fn price_tags(rules: &Catalog, ids: &[String]) -> Vec<PriceTag> {
    expand_prices(rules, ids)
        .iter()
        .filter(|p| !p.is_alteration())
        .filter_map(|p| {
            Some(PriceTag {
                amount: p.amount?.to_string(),
                currency: p.currency.clone(),
                period: p.period.clone(),
            })
        })
        .collect()
}

/// The categories of the cached catalog with their parents and offering counts, by name.
fn category_views(r: &impl Queries) -> Result<Vec<CategoryView>> {
    let records = r.catalog_categories()?;
    let parents = parents_of(records.iter().map(|(c, _)| c));
    let mut categories: Vec<CategoryView> = records
        .iter()
        .filter_map(|(c, count)| {
            let id = text(c, "id")?;
            Some(CategoryView {
                name: text(c, "name").unwrap_or_else(|| id.clone()),
                parent: parents.get(&id).cloned(),
                offering_count: *count,
                id,
            })
        })
        .collect();
    categories.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(categories)
}

/// Each category's parent, by id: named by the parent's `subCategory` or the child's
/// `parentId` (the parent's list first).
fn parents_of<'a>(records: impl Iterator<Item = &'a Value>) -> HashMap<String, String> {
    let mut parents: HashMap<String, String> = HashMap::new();
    for c in records {
        let Some(id) = text(c, "id") else { continue };
        for sub in array(c, "subCategory") {
            if let Some(sub_id) = text(sub, "id") {
                parents.insert(sub_id, id.clone());
            }
        }
        if let Some(parent) = text(c, "parentId") {
            parents.entry(id).or_insert(parent);
        }
    }
    parents
}

/// The summaries of `ids` in that order, built from their closure (what the picker shows).
fn summaries_of(
    r: &impl Queries,
    version: Option<String>,
    ids: &[String],
) -> Result<Vec<OfferingSummary>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let shown = CatalogCache::build(version, &r.catalog_listing(ids)?)?;
    Ok(ids.iter().filter_map(|id| shown.summary(id).cloned()).collect())
}

impl Service {
    /// Categories of the cached catalog.
    pub async fn categories(&self) -> Result<Vec<CategoryView>> {
        self.read(category_views).await
    }

    /// Offerings matching `text` within `category` (and its subcategories): those whose name
    /// starts with it in name order, then the full-text hits (prefix on the last word) by
    /// relevance; all of them in name order when `text` is blank.
    pub async fn search_offerings(
        &self,
        text: String,
        category: Option<String>,
        limit: u32,
    ) -> Result<Vec<OfferingSummary>> {
        let version = self.cached_catalog().version;
        let category = category.filter(|c| !c.is_empty());
        self.read(move |r| {
            let wanted: Option<Vec<String>> = match category {
                None => None,
                Some(cat) => {
                    let parents = parents_of(r.catalog_category_records()?.iter());
                    let subs =
                        parents.into_iter().filter(|(_, parent)| *parent == cat).map(|(id, _)| id);
                    Some(std::iter::once(cat.clone()).chain(subs).collect())
                }
            };
            let ids: Vec<String> = if text.trim().is_empty() {
                r.offerings_by_name(wanted.as_deref(), limit)?
            } else {
                // As the agent types a name, the offerings whose name starts with it come
                // first, in name order (an index range, however large the catalog); the
                // full-text hits (any word, the description, the id) fill the page after them.
                let within = wanted.as_deref().unwrap_or_default();
                let mut ids = r.offerings_named(text.trim_start(), within, limit)?;
                if ids.len() < limit as usize {
                    let named: HashSet<String> = ids.iter().cloned().collect();
                    let hits = r.search_listed_in(&text, &[SearchKind::Offering], within, limit)?;
                    ids.extend(
                        hits.into_iter()
                            .map(|h| h.id)
                            .filter(|id| !named.contains(id))
                            .take((limit as usize).saturating_sub(named.len())),
                    );
                }
                ids
            };
            summaries_of(r, version, &ids)
        })
        .await
    }

    /// The summaries of the offerings `ids` names, in that order; an id the cached catalog
    /// does not have is left out.
    pub async fn offering_summaries(&self, ids: Vec<String>) -> Result<Vec<OfferingSummary>> {
        let version = self.cached_catalog().version;
        self.read(move |r| summaries_of(r, version, &ids)).await
    }

    /// One offering with prices, bundle structure and characteristics.
    pub async fn offering(&self, id: String) -> Result<OfferingDetail> {
        let catalogs = Arc::clone(&self.catalogs);
        self.read(move |r| {
            catalogs.scoped(r, vec![id.clone()])?.detail(&id).ok_or_else(|| {
                ServiceError::Store(orderdesk_store::StoreError::NotFound { kind: "offering", id })
            })
        })
        .await
    }

    /// The first `limit` offerings in name order with what they name, indexed (what a
    /// measurement composes sample orders from: [`crate::sample::order_of_size`]).
    pub async fn catalog_sample(&self, limit: u32) -> Result<CatalogCache> {
        let version = self.cached_catalog().version;
        self.read(move |r| {
            let ids = r.offerings_by_name(None, limit)?;
            CatalogCache::build(version, &r.catalog_closure(&ids)?)
        })
        .await
    }

    /// Replace the cached catalog with a TMF620 snapshot (checked by the core first).
    pub async fn import_catalog(&self, text: String, source: String) -> Result<u32> {
        let report = self.import_snapshot(text, SnapshotImport::replacing(source)).await?;
        Ok(u32::try_from(report.offerings).unwrap_or(u32::MAX))
    }
}
