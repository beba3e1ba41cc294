//! The orders list: drafts and orders known to a server in one list, searched (full text),
//! filtered and sorted, with each row's sync badge.

use std::collections::HashMap;

use chrono::NaiveDate;
use orderdesk_store::{DraftFilter, DraftRow, OrderFilter, OutboxStatus, Queries, SearchKind};

use crate::error::{self, Result};
use crate::view::{OrderListQuery, OrderListRow, OrderSortKey, RowKind};
use crate::{Service, LIST_LIMIT};

impl Service {
    /// Drafts and known orders in one list, searched, filtered and sorted.
    pub async fn list_orders(&self, query: OrderListQuery) -> Result<Vec<OrderListRow>> {
        let from = parse_day(query.updated_from.as_deref())?;
        let to = parse_day(query.updated_to.as_deref())?;
        let q = query.clone();
        let mut rows = self
            .read(move |r| {
                let hits = if q.text.trim().is_empty() {
                    None
                } else {
                    let hits =
                        r.search(&q.text, &[SearchKind::Draft, SearchKind::Order], LIST_LIMIT)?;
                    Some(hits.into_iter().map(|h| (h.kind, h.id)).collect::<Vec<_>>())
                };
                let drafts =
                    r.drafts(&DraftFilter { customer_prefix: None, limit: LIST_LIMIT, offset: 0 })?;
                let orders =
                    r.orders(&OrderFilter { limit: LIST_LIMIT, ..OrderFilter::default() })?;
                // A draft queued for a server shows where its latest outbox entry stands.
                let mut queued: HashMap<String, OutboxStatus> = HashMap::new();
                for entry in r.outbox(None)? {
                    if let Some(draft) = entry.draft_id {
                        queued.insert(draft, entry.status);
                    }
                }
                // A draft that became an order is listed once, as that order; the order keeps
                // the draft's total when the server does not price it.
                let submitted: HashMap<&str, &DraftRow> = orders
                    .iter()
                    .filter_map(|o| o.draft_id.as_deref())
                    .filter_map(|id| drafts.iter().find(|d| d.id == id).map(|d| (id, d)))
                    .collect();
                let mut rows: Vec<OrderListRow> = drafts
                    .iter()
                    .filter(|d| !submitted.contains_key(d.id.as_str()))
                    .map(|d| {
                        let mut row = draft_row(d);
                        if let Some(status) = queued.get(&d.id) {
                            row.sync = sync_badge(*status).to_owned();
                        }
                        row
                    })
                    .collect();
                let mut order_drafts: HashMap<String, String> = HashMap::new();
                rows.extend(orders.iter().map(|o| {
                    let draft = o.draft_id.as_deref().and_then(|id| submitted.get(id));
                    if let Some(draft) = draft {
                        order_drafts.insert(o.id.to_string(), draft.id.clone());
                    }
                    let total = o.total.clone().or_else(|| draft.and_then(|d| d.total.clone()));
                    OrderListRow {
                        kind: RowKind::Order,
                        id: o.id.to_string(),
                        customer: o.customer.clone(),
                        total: total.as_ref().map(|m| m.amount.to_string()),
                        currency: total.map(|m| m.currency),
                        item_count: u32::try_from(o.item_count).unwrap_or(0),
                        sync: if o.state == "rejected" || o.state == "failed" {
                            "needs-attention".into()
                        } else {
                            "submitted".into()
                        },
                        state: o.state.clone(),
                        revision: 0,
                        updated_at: o.last_seen.to_rfc3339(),
                    }
                }));
                if let Some(hits) = hits {
                    rows.retain(|row| {
                        // An order also matches through the draft it was submitted from.
                        let draft = order_drafts.get(&row.id);
                        hits.iter().any(|(kind, id)| match (kind, row.kind) {
                            (SearchKind::Draft, RowKind::Draft) => id == &row.id,
                            (SearchKind::Order, RowKind::Order) => id == &row.id,
                            (SearchKind::Draft, RowKind::Order) => draft == Some(id),
                            _ => false,
                        })
                    });
                }
                Ok(rows)
            })
            .await?;
        let customer = query.customer.as_deref().map(str::to_lowercase).filter(|c| !c.is_empty());
        rows.retain(|row| {
            query.state.as_deref().is_none_or(|s| s.is_empty() || row.state == s)
                && query.sync.as_deref().is_none_or(|s| s.is_empty() || row.sync == s)
                && customer.as_deref().is_none_or(|c| {
                    row.customer.as_deref().is_some_and(|name| name.to_lowercase().contains(c))
                })
                && from.as_deref().is_none_or(|d| row.updated_at.as_str() >= d)
                && to
                    .as_deref()
                    .is_none_or(|d| row.updated_at.get(..10).is_some_and(|day| day <= d))
        });
        match query.sort {
            OrderSortKey::UpdatedDesc => rows.sort_by(|a, b| b.updated_at.cmp(&a.updated_at)),
            OrderSortKey::UpdatedAsc => rows.sort_by(|a, b| a.updated_at.cmp(&b.updated_at)),
            OrderSortKey::CustomerAsc => rows.sort_by(|a, b| {
                let key = |r: &OrderListRow| r.customer.clone().unwrap_or_default().to_lowercase();
                key(a).cmp(&key(b)).then_with(|| b.updated_at.cmp(&a.updated_at))
            }),
            OrderSortKey::TotalDesc => rows.sort_by(|a, b| {
                let key = |r: &OrderListRow| {
                    r.total.as_deref().and_then(|t| t.parse::<rust_decimal::Decimal>().ok())
                };
                key(b).cmp(&key(a))
            }),
        }
        Ok(rows)
    }
}

/// The list's sync badge for a draft's latest outbox entry.
pub(crate) fn sync_badge(status: OutboxStatus) -> &'static str {
    match status {
        OutboxStatus::Queued => "queued",
        OutboxStatus::InFlight => "sending",
        OutboxStatus::Done => "submitted",
        OutboxStatus::Rejected | OutboxStatus::NeedsAttention => "needs-attention",
    }
}

fn draft_row(d: &DraftRow) -> OrderListRow {
    OrderListRow {
        kind: RowKind::Draft,
        id: d.id.clone(),
        customer: d.customer.clone(),
        total: d.total.as_ref().map(|m| m.amount.to_string()),
        currency: d.total.as_ref().map(|m| m.currency.clone()),
        item_count: u32::try_from(d.item_count).unwrap_or(0),
        state: "draft".into(),
        sync: "draft".into(),
        revision: u32::try_from(d.revision).unwrap_or(u32::MAX),
        updated_at: d.updated_at.to_rfc3339(),
    }
}

fn parse_day(text: Option<&str>) -> Result<Option<String>> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map(|d| Some(d.format("%Y-%m-%d").to_string()))
            .map_err(|_| error::invalid(format!("{t:?} is not a date (YYYY-MM-DD)"))),
    }
}
