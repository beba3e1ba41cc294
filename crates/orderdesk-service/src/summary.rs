//! The customer summary of a draft: the review the agent confirms before submit, and the PDF
//! the customer takes home (`summary_pdf.rs`).
//!
//! It is made from the editor's own views (`present::draft_view` and `present::quote_view`,
//! priced by the same call the editor's price panel makes), so every figure is the panel's.
//! Change items read as "was → will be" with the installed products of the customer from the
//! active profile's server when it answers; without it, what the order itself says.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::Utc;
use orderdesk_core::{Inventory, Order};
use orderdesk_store::{OrderFilter, Queries};

use crate::error::{self, Result, ServiceError};
use crate::view::{
    AlterationView, CharacteristicDiff, ChargeRun, DraftSummary, DraftView, OrderReference,
    QuoteView, SummaryChange, SummaryCharacteristic, SummaryCharge, SummaryDiscount, SummaryItem,
};
use crate::{present, session, CatalogCache, Service};

/// The item's price lines as the price panel explains them, with the amount of each run of
/// periods.
fn charges(item: &crate::view::ItemView, quote: &QuoteView) -> Vec<SummaryCharge> {
    quote
        .items
        .iter()
        .filter(|q| q.id == item.id)
        .flat_map(|q| &q.lines)
        .map(|line| SummaryCharge {
            item: item.id.clone(),
            item_name: item.name.clone(),
            price: line.price.clone(),
            period: line.period.clone(),
            currency: line.currency.clone(),
            runs: line
                .segments
                .iter()
                .map(|s| ChargeRun { from: s.from, to: s.to, amounts: s.amounts.clone() })
                .collect(),
        })
        .collect()
}

/// The discounts of an item's offering in the catalog (its alteration prices).
fn catalog_discounts(item: &crate::view::ItemView, catalog: &CatalogCache) -> Vec<SummaryDiscount> {
    let Some(offering) = item.offering_id.as_deref().and_then(|id| catalog.rules.offering(id))
    else {
        return Vec::new();
    };
    crate::catalog::expand_prices(&catalog.rules, &offering.price_ids)
        .into_iter()
        .filter(|p| p.is_alteration())
        .map(|p| {
            let (kind, value) = match (p.percentage, p.amount) {
                (Some(pct), _) => ("percentage", pct.normalize().to_string()),
                (None, amount) => ("amount", amount.unwrap_or_default().to_string()),
            };
            SummaryDiscount {
                item: item.id.clone(),
                item_name: item.name.clone(),
                alteration: AlterationView {
                    name: p.name.clone().unwrap_or_else(|| p.id.clone()),
                    kind: kind.to_owned(),
                    value,
                    duration: p.duration,
                    price_type: p.price_type.clone().unwrap_or_else(|| "discount".to_owned()),
                    reason: None,
                    approval: None,
                },
                source: "catalog".to_owned(),
            }
        })
        .collect()
}

/// The summary's parts that come from the draft and its quote.
pub(crate) fn assemble(
    draft: &DraftView,
    quote: &QuoteView,
    catalog: &CatalogCache,
    shop_name: String,
    changes: Vec<SummaryChange>,
    reference: Option<OrderReference>,
) -> DraftSummary {
    let items: Vec<SummaryItem> = draft
        .items
        .iter()
        .map(|i| SummaryItem {
            id: i.id.clone(),
            depth: i.depth,
            name: i.name.clone(),
            action: i.action.clone(),
            quantity: i.quantity,
            characteristics: i
                .characteristics
                .iter()
                .filter_map(|c| {
                    let value = c.value.clone().filter(|v| !v.is_empty())?;
                    Some(SummaryCharacteristic {
                        name: c.name.clone(),
                        label: c.label.clone(),
                        value,
                    })
                })
                .collect(),
            charges: charges(i, quote),
        })
        .collect();
    let mut discounts = Vec::new();
    for i in &draft.items {
        discounts.extend(i.prices.iter().flat_map(|p| {
            p.alterations.iter().map(|a| SummaryDiscount {
                item: i.id.clone(),
                item_name: i.name.clone(),
                alteration: a.clone(),
                source: "order".to_owned(),
            })
        }));
        // An item priced from the catalog gets the offering's discounts from the engine.
        let from_catalog = quote
            .items
            .iter()
            .filter(|q| q.id == i.id)
            .flat_map(|q| &q.lines)
            .any(|l| l.source == "catalog");
        if from_catalog {
            discounts.extend(catalog_discounts(i, catalog));
        }
    }
    let one_time = items
        .iter()
        .flat_map(|i| i.charges.iter().filter(|c| c.period.is_none()).cloned())
        .collect();
    DraftSummary {
        shop_name,
        draft_id: draft.id.clone(),
        revision: draft.revision,
        made_at: Utc::now().to_rfc3339(),
        customer: draft.header.customer.clone(),
        billing_account: draft.header.billing_account.clone(),
        requested_start: draft.header.requested_start.clone(),
        requested_completion: draft.header.requested_completion.clone(),
        notes: draft.header.notes.clone(),
        items,
        discounts,
        one_time,
        currencies: quote.currencies.clone(),
        changes,
        reference,
        has_errors: quote.has_errors,
    }
}

/// Whether the order changes what a customer has (a `modify` or `delete` item).
fn has_change_items(order: &Order) -> bool {
    let mut found = false;
    order.walk(|item, _, _| {
        found |= matches!(item.action(), Some("modify" | "delete"));
    });
    found
}

impl Service {
    /// The installed products of `customer` from the active profile's server, or none when
    /// there is no such server or it does not answer: the summary is made all the same, with
    /// what the order says.
    async fn inventory_for_summary(&self, customer: Option<&str>) -> Inventory {
        let Some(customer) = customer else { return Inventory::default() };
        let Ok(client) = self.engine.active_client().await else { return Inventory::default() };
        match client.list_customer_products(customer).await {
            Ok(raw) => Inventory::from_json(raw.iter()),
            Err(e) => {
                tracing::info!(code = %orderdesk_error::ErrorCode::code(&e), "summary without the installed products");
                Inventory::default()
            }
        }
    }

    /// A draft's customer summary: the review before submit and the PDF's content.
    pub async fn draft_summary(&self, id: String) -> Result<DraftSummary> {
        let settings = self.settings();
        let catalogs = Arc::clone(&self.catalogs);
        let (row, order, quote, reference, catalog) = self
            .read(move |r| {
                let draft = r.draft(&id)?;
                let (value, order) = session::parse_order_text(&draft.body)?;
                let cat = catalogs.for_order(r, &value)?;
                // The policy the editor checks with (the active profile's), so the review's
                // findings are the editor's.
                let policy = orderdesk_sync::profiles::policy(r, None)?;
                let (quote, _) = session::price_and_summarize(
                    &value,
                    &order,
                    draft.row.tmf_version,
                    &cat.rules,
                    settings.rounding,
                    &policy,
                    None,
                );
                let filter = OrderFilter { draft_id: Some(id), limit: 1, ..OrderFilter::default() };
                let reference = r.orders(&filter)?.into_iter().next().map(|o| OrderReference {
                    profile: o.profile,
                    server_id: orderdesk_error::text::printable(&o.server_id).into_owned(),
                    state_text: orderdesk_error::text::printable(&o.state).into_owned(),
                });
                Ok((draft.row, order, quote, reference, cat))
            })
            .await?;
        let draft = present::draft_view(&row, &order, &catalog, (false, false));
        let quote = present::quote_view(&quote, &draft.items, settings.rounding);
        let changes = if has_change_items(&order) {
            let customer = draft.header.customer.as_ref().map(|c| c.id.as_str());
            let inventory = self.inventory_for_summary(customer).await;
            let labels = |name: &str| {
                draft
                    .items
                    .iter()
                    .flat_map(|i| &i.characteristics)
                    .find(|c| c.name == name)
                    .map_or_else(|| orderdesk_core::catalog::words(name), |c| c.label.clone())
            };
            orderdesk_core::change::changes(&order, &inventory, Some(&catalog.rules))
                .into_iter()
                .map(|c| SummaryChange {
                    item: c.item_id,
                    action: c.action,
                    product_id: c.product_id,
                    was: c.was,
                    will_be: c.will_be,
                    characteristics: c
                        .characteristics
                        .into_iter()
                        .map(|(name, was, will_be)| CharacteristicDiff {
                            label: labels(&name),
                            was,
                            will_be,
                        })
                        .collect(),
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok(assemble(&draft, &quote, &catalog, settings.shop_name, changes, reference))
    }

    /// A draft's customer summary as PDF, in the agent's language (the locale setting).
    pub async fn draft_summary_pdf(&self, id: String) -> Result<Vec<u8>> {
        let summary = self.draft_summary(id).await?;
        let locale = self.settings().locale;
        tokio::task::spawn_blocking(move || crate::summary_pdf::render(&summary, &locale))
            .await
            .map_err(|e| ServiceError::Task(e.to_string()))?
    }

    /// Write a draft's customer summary PDF to `path` (absolute) and return the path written;
    /// as [`Service::save_export`] does, through a temporary file beside it.
    pub async fn save_summary_pdf(&self, id: String, path: PathBuf) -> Result<String> {
        if !path.is_absolute() {
            return Err(error::invalid(format!("{} is not an absolute path", path.display())));
        }
        let bytes = self.draft_summary_pdf(id).await?;
        tokio::task::spawn_blocking(move || session::write_whole(&path, &bytes))
            .await
            .map_err(|e| ServiceError::Task(e.to_string()))?
    }
}
