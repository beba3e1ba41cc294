//! The orders list: drafts and orders known to a server in one list, searched (full text),
//! filtered and sorted, with each row's sync badge.

use std::collections::HashMap;

use orderdesk_error::text::clean;
use orderdesk_store::{DraftFilter, DraftRow, OrderFilter, OutboxStatus, Queries, SearchKind};
use orderdesk_wire::OrderState;

use crate::error::{self, Result};
use crate::view::{OrderListQuery, OrderListRow, OrderSortKey, RowKind, SyncBadge};
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
                            row.sync = sync_badge(*status);
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
                    let state = OrderState::parse(&o.state);
                    OrderListRow {
                        kind: RowKind::Order,
                        id: o.id.to_string(),
                        customer: o.customer.clone().map(clean),
                        total: total.as_ref().map(|m| m.amount.to_string()),
                        currency: total.map(|m| m.currency),
                        item_count: u32::try_from(o.item_count).unwrap_or(0),
                        sync: if state.is_some_and(OrderState::is_failure) {
                            SyncBadge::NeedsAttention
                        } else {
                            SyncBadge::Submitted
                        },
                        state,
                        state_text: clean(o.state.clone()),
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
            query.state.is_none_or(|s| row.state == Some(s))
                && query.sync.is_none_or(|s| row.sync == s)
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
pub(crate) fn sync_badge(status: OutboxStatus) -> SyncBadge {
    match status {
        OutboxStatus::Queued => SyncBadge::Queued,
        OutboxStatus::InFlight => SyncBadge::Sending,
        OutboxStatus::Done => SyncBadge::Submitted,
        OutboxStatus::Rejected | OutboxStatus::NeedsAttention => SyncBadge::NeedsAttention,
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
        state: Some(OrderState::Draft),
        state_text: OrderState::Draft.as_str().to_owned(),
        sync: SyncBadge::Draft,
        revision: u32::try_from(d.revision).unwrap_or(u32::MAX),
        updated_at: d.updated_at.to_rfc3339(),
    }
}

/// A day filter: `YYYY-MM-DD` (the wire crate's date reader, a day and nothing more).
fn parse_day(text: Option<&str>) -> Result<Option<String>> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => orderdesk_wire::parse_date_input(t)
            .filter(|d| d.day_only)
            .map(|d| Some(d.at.format("%Y-%m-%d").to_string()))
            .ok_or_else(|| error::invalid(format!("{t:?} is not a date (YYYY-MM-DD)"))),
    }
}
