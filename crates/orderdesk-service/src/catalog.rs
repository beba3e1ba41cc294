//! The cached catalog in memory: the core's index (for composing, validating and pricing)
//! and the browse index the catalog screen and the picker read (categories, offering
//! summaries). Rebuilt once per catalog import, then shared read-only behind an `Arc`.
//! The catalog screen's calls on [`Service`] (categories, offering search and detail, import)
//! read it.

use std::collections::HashMap;

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
use crate::{Service, LIST_LIMIT};

/// The catalog indexed for the app.
#[derive(Debug, Default)]
pub struct CatalogCache {
    /// Version of the cached snapshot; `None` before any import.
    pub version: Option<String>,
    /// The core's index.
    pub rules: std::sync::Arc<Catalog>,
    /// Offerings in name order.
    pub offerings: Vec<OfferingSummary>,
    by_id: HashMap<String, usize>,
    pub categories: Vec<CategoryView>,
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
        let mut parents: HashMap<String, String> = HashMap::new();
        for c in array(snapshot, "category") {
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
        let mut categories: Vec<CategoryView> = array(snapshot, "category")
            .iter()
            .filter_map(|c| {
                let id = text(c, "id")?;
                let count = offerings.iter().filter(|o| o.categories.contains(&id)).count();
                Some(CategoryView {
                    name: text(c, "name").unwrap_or_else(|| id.clone()),
                    parent: parents.get(&id).cloned(),
                    offering_count: u32::try_from(count).unwrap_or(u32::MAX),
                    id,
                })
            })
            .collect();
        categories.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(CatalogCache {
            version,
            rules: std::sync::Arc::new(rules),
            offerings,
            by_id,
            categories,
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

    /// Offerings in a category (and its subcategories), or all of them.
    pub fn in_category(&self, category: Option<&str>) -> Vec<OfferingSummary> {
        match category {
            None => self.offerings.clone(),
            Some(cat) => {
                let wanted: Vec<&str> = std::iter::once(cat)
                    .chain(
                        self.categories
                            .iter()
                            .filter(|c| c.parent.as_deref() == Some(cat))
                            .map(|c| c.id.as_str()),
                    )
                    .collect();
                self.offerings
                    .iter()
                    .filter(|o| o.categories.iter().any(|c| wanted.contains(&c.as_str())))
                    .cloned()
                    .collect()
            }
        }
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

impl Service {
    /// Categories of the cached catalog.
    pub fn categories(&self) -> Vec<CategoryView> {
        self.catalog().categories.clone()
    }

    /// Offerings matching `text` (full text, prefix on the last word) within `category`.
    pub async fn search_offerings(
        &self,
        text: String,
        category: Option<String>,
        limit: u32,
    ) -> Result<Vec<OfferingSummary>> {
        let catalog = self.catalog();
        let category = category.filter(|c| !c.is_empty());
        let mut found = if text.trim().is_empty() {
            catalog.in_category(category.as_deref())
        } else {
            let hits = self
                .read(move |r| Ok(r.search(&text, &[SearchKind::Offering], LIST_LIMIT)?))
                .await?;
            let allowed: Option<Vec<String>> = category
                .as_deref()
                .map(|c| catalog.in_category(Some(c)).into_iter().map(|o| o.id).collect());
            hits.iter()
                .filter(|h| allowed.as_ref().is_none_or(|a| a.contains(&h.id)))
                .filter_map(|h| catalog.summary(&h.id).cloned())
                .collect()
        };
        found.truncate(limit as usize);
        Ok(found)
    }

    /// One offering with prices, bundle structure and characteristics.
    pub fn offering(&self, id: &str) -> Result<OfferingDetail> {
        self.catalog().detail(id).ok_or_else(|| {
            ServiceError::Store(orderdesk_store::StoreError::NotFound {
                kind: "offering",
                id: id.to_owned(),
            })
        })
    }

    /// Replace the cached catalog with a TMF620 snapshot (checked by the core first).
    pub async fn import_catalog(&self, text: String, source: String) -> Result<u32> {
        let report = self.import_snapshot(text, SnapshotImport::replacing(source)).await?;
        Ok(u32::try_from(report.offerings).unwrap_or(u32::MAX))
    }
}
