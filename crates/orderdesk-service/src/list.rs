//! The orders list: a page of drafts and orders known to a server in one list, searched (full
//! text), filtered and sorted by the store (`Queries::order_list`, which also holds the rule
//! that merges a submitted draft into its order), with each row's sync badge. This module
//! only maps the query in and the rows out.

use orderdesk_error::text::clean;
use orderdesk_store::{
    ListKind, ListSync, OrderListEntry, OrderListFilter, OrderListSort, OutboxStatus, Queries,
};

use crate::error::{self, Result};
use crate::view::{OrderListPage, OrderListQuery, OrderListRow, OrderSortKey, RowKind, SyncBadge};
use crate::{Service, ORDERS_PAGE};

impl Service {
    /// A page of drafts and known orders in one list, searched, filtered and sorted, with the
    /// number of rows the whole list holds.
    pub async fn list_orders(&self, query: OrderListQuery) -> Result<OrderListPage> {
        let filter = OrderListFilter {
            updated_from: parse_day(query.updated_from.as_deref())?,
            updated_to: parse_day(query.updated_to.as_deref())?,
            text: query.text,
            state: query.state,
            sync: match query.sync {
                None => None,
                Some(badge) => match list_sync(badge) {
                    Some(sync) => Some(sync),
                    // No row of the list carries this badge (conflicts are amendments').
                    None => return Ok(OrderListPage { rows: Vec::new(), total: 0, offset: 0 }),
                },
            },
            customer: query.customer.filter(|c| !c.is_empty()),
            sort: match query.sort {
                OrderSortKey::UpdatedDesc => OrderListSort::UpdatedDesc,
                OrderSortKey::UpdatedAsc => OrderListSort::UpdatedAsc,
                OrderSortKey::CustomerAsc => OrderListSort::CustomerAsc,
                OrderSortKey::TotalDesc => OrderListSort::TotalDesc,
            },
            offset: query.offset,
            limit: query.limit.unwrap_or(ORDERS_PAGE),
        };
        let offset = filter.offset;
        let page = self.read(move |r| Ok(r.order_list(&filter)?)).await?;
        Ok(OrderListPage {
            rows: page.rows.into_iter().map(list_row).collect(),
            total: u32::try_from(page.total).unwrap_or(u32::MAX),
            offset,
        })
    }
}

fn list_row(entry: OrderListEntry) -> OrderListRow {
    OrderListRow {
        kind: match entry.kind {
            ListKind::Draft => RowKind::Draft,
            ListKind::Order => RowKind::Order,
        },
        id: entry.id,
        customer: entry.customer.map(clean),
        total: entry.total.as_ref().map(|m| m.amount.to_string()),
        currency: entry.total.map(|m| m.currency),
        item_count: u32::try_from(entry.item_count).unwrap_or(0),
        state: entry.state,
        state_text: clean(entry.state_text),
        sync: badge(entry.sync),
        revision: u32::try_from(entry.revision).unwrap_or(u32::MAX),
        updated_at: entry.updated_at.to_rfc3339(),
    }
}

fn badge(sync: ListSync) -> SyncBadge {
    match sync {
        ListSync::Draft => SyncBadge::Draft,
        ListSync::Queued => SyncBadge::Queued,
        ListSync::Sending => SyncBadge::Sending,
        ListSync::Submitted => SyncBadge::Submitted,
        ListSync::NeedsAttention => SyncBadge::NeedsAttention,
    }
}

fn list_sync(badge: SyncBadge) -> Option<ListSync> {
    match badge {
        SyncBadge::Draft => Some(ListSync::Draft),
        SyncBadge::Queued => Some(ListSync::Queued),
        SyncBadge::Sending => Some(ListSync::Sending),
        SyncBadge::Submitted => Some(ListSync::Submitted),
        SyncBadge::NeedsAttention => Some(ListSync::NeedsAttention),
        SyncBadge::Conflict => None,
    }
}

/// The list's sync badge for a draft's latest outbox entry.
pub(crate) fn sync_badge(status: OutboxStatus) -> SyncBadge {
    badge(ListSync::of_outbox(status))
}

/// A day filter: `YYYY-MM-DD` (the wire crate's date reader, a day and nothing more).
fn parse_day(text: Option<&str>) -> Result<Option<chrono::NaiveDate>> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => orderdesk_wire::parse_date_input(t)
            .filter(|d| d.day_only)
            .map(|d| Some(d.at.date_naive()))
            .ok_or_else(|| error::invalid(format!("{t:?} is not a date (YYYY-MM-DD)"))),
    }
}
