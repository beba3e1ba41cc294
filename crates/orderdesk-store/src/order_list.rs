//! The orders list's pages: drafts and orders merged by the `order_list_rows` view (schema 7,
//! kept in the `order_list` table), searched, filtered, sorted and paged by SQLite.
//!
//! Without search text, every sort walks its own index and a deep page skips index entries
//! only. With search text, the rows are those whose search entry (`doc`), or whose draft's
//! (`draft_doc`, schema 10), is a full-text hit; the hits join the list by integer rowid. The
//! count reads one covering index per hit; the page is found by whichever costs least for
//! the number of hits: walking the sort's index from the nearer end and testing each row, or
//! reading every hit and sorting them ([`SearchPage::choose`]).

use rusqlite::Connection;

use crate::error::Result;
use crate::model::*;
use crate::search::fts_query;

/// The full-text hits a list row can match: its own entry or its draft's. Entries of other
/// kinds (the catalog's) match no row's `doc` and fall away in the join.
const HITS: &str = "WITH hits(doc) AS (
        SELECT rowid FROM search_fts WHERE search_fts MATCH :text
        UNION ALL
        SELECT o.doc FROM search_fts JOIN order_list o ON o.draft_doc = search_fts.rowid
        WHERE search_fts MATCH :text)";

/// The columns an [`OrderListEntry`] is read from, in its order.
const COLUMNS: &str = "kind, ref, customer, total, currency, item_count, state, state_text, \
                       sync, revision, updated_at";

/// A sort: its order, the same order reversed, and the index that holds it.
fn sort_order(sort: OrderListSort) -> (&'static str, &'static str, &'static str) {
    match sort {
        OrderListSort::UpdatedDesc => (
            "updated_at DESC, kind DESC, ref DESC",
            "updated_at, kind, ref",
            "order_list_by_updated",
        ),
        OrderListSort::UpdatedAsc => (
            "updated_at, kind, ref",
            "updated_at DESC, kind DESC, ref DESC",
            "order_list_by_updated",
        ),
        OrderListSort::CustomerAsc => (
            "customer_key, updated_at DESC, kind DESC, ref DESC",
            "customer_key DESC, updated_at, kind, ref",
            "order_list_by_customer",
        ),
        OrderListSort::TotalDesc => {
            ("total_key DESC, kind DESC, ref DESC", "total_key, kind, ref", "order_list_by_total")
        }
    }
}

/// Reading a hit and sorting it costs about twice as much as stepping over one entry of a
/// sort's index and testing it (measured over 100,000 orders: 25,500 hits read and sorted in
/// 45–60 ms; 4,200 index entries walked in about 5 ms).
const SORT_COST_PER_HIT: u64 = 2;

/// How the page of a search is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SearchPage {
    /// Walk the sort's index from its start, testing each row, until the page is passed.
    Forward,
    /// Walk it from its end: a page near the end of many hits.
    Backward,
    /// Read every hit through `order_list_by_doc` and sort them: few hits.
    Sorted,
}

impl SearchPage {
    /// The cheapest way to the rows `offset..offset + rows` of `total` hits, in a list of
    /// `listed` rows (the hits lie spread over it, so a walk meets one every
    /// `listed / total` entries).
    pub(crate) fn choose(total: u64, listed: u64, offset: u64, rows: u64) -> SearchPage {
        let density = |walked: u64| walked.saturating_mul(listed).checked_div(total).unwrap_or(0);
        let forward = density(offset.saturating_add(rows));
        let backward = density(total.saturating_sub(offset));
        let sorted = total.saturating_mul(SORT_COST_PER_HIT);
        if sorted <= forward.min(backward) {
            SearchPage::Sorted
        } else if forward <= backward {
            SearchPage::Forward
        } else {
            SearchPage::Backward
        }
    }
}

/// One page of the list and the number of rows the whole (filtered) list has.
pub(crate) fn page(conn: &Connection, filter: &OrderListFilter) -> Result<OrderListPage> {
    let text = if filter.text.trim().is_empty() {
        None
    } else {
        // Text with no searchable word finds nothing, as [`crate::Queries::search`] does.
        let Some(query) = fts_query(&filter.text) else {
            return Ok(OrderListPage { rows: Vec::new(), total: 0 });
        };
        Some(query)
    };
    let mut conditions: Vec<&str> = Vec::new();
    let mut values: Vec<(&str, Box<dyn rusqlite::ToSql>)> = Vec::new();
    if let Some(state) = filter.state {
        conditions.push("state = :state");
        values.push((":state", Box::new(state.as_str())));
    }
    if let Some(sync) = filter.sync {
        conditions.push("sync = :sync");
        values.push((":sync", Box::new(sync)));
    }
    if let Some(customer) = filter.customer.as_deref().filter(|c| !c.is_empty()) {
        conditions.push("instr(customer_key, fold_case(:customer)) > 0");
        values.push((":customer", Box::new(customer.to_owned())));
    }
    if let Some(day) = filter.updated_from {
        conditions.push("updated_at >= :from");
        values.push((":from", Box::new(day.format("%Y-%m-%d").to_string())));
    }
    if let Some(day) = filter.updated_to {
        // Timestamps are fixed-format UTC text: the day ends before the next one starts.
        conditions.push("updated_at < date(:to, '+1 day')");
        values.push((":to", Box::new(day.format("%Y-%m-%d").to_string())));
    }
    let is_search = text.is_some();
    if let Some(query) = text {
        values.push((":text", Box::new(query)));
    }
    let where_with = |extra: Option<&str>| -> String {
        let all: Vec<&str> = extra.into_iter().chain(conditions.iter().copied()).collect();
        if all.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", all.join(" AND "))
        }
    };
    let params: Vec<(&str, &dyn rusqlite::ToSql)> =
        values.iter().map(|(name, value)| (*name, value.as_ref())).collect();
    // The count and the page read one snapshot, so the page's position agrees with the count.
    let _snapshot = if conn.is_autocommit() { Some(conn.unchecked_transaction()?) } else { None };
    let limit = u64::from(filter.limit.min(MAX_LIST_PAGE));
    let offset = u64::from(filter.offset);
    let (forward, backward, sort_index) = sort_order(filter.sort);

    // What the page statement selects from: (index, condition, order, limit, offset).
    let (total, inner) = if is_search {
        let (total, listed): (i64, i64) = conn
            .prepare_cached(&format!(
                "{HITS} SELECT count(*), (SELECT count(*) FROM order_list)
                 FROM order_list INDEXED BY order_list_by_doc {}",
                where_with(Some("doc IN hits"))
            ))?
            .query_row(params.as_slice(), |row| Ok((row.get(0)?, row.get(1)?)))?;
        let total = u64::try_from(total).unwrap_or(0);
        let listed = u64::try_from(listed).unwrap_or(0);
        let rows = limit.min(total.saturating_sub(offset));
        if rows == 0 {
            return Ok(OrderListPage { rows: Vec::new(), total });
        }
        let inner = match SearchPage::choose(total, listed, offset, rows) {
            // The unary plus keeps SQLite from answering `doc IN hits` by the doc index.
            SearchPage::Forward => (sort_index, "+doc IN hits", forward, rows, offset),
            SearchPage::Backward => {
                // `rows` is at most what lies after `offset`, so this stays exact.
                let from_end = total.saturating_sub(offset).saturating_sub(rows);
                (sort_index, "+doc IN hits", backward, rows, from_end)
            }
            SearchPage::Sorted => ("order_list_by_doc", "doc IN hits", forward, rows, offset),
        };
        (total, Some(inner))
    } else {
        let total: i64 = conn
            .prepare_cached(&format!("SELECT count(*) FROM order_list {}", where_with(None)))?
            .query_row(params.as_slice(), |row| row.get(0))?;
        (u64::try_from(total).unwrap_or(0), None)
    };

    let with = if is_search { HITS } else { "" };
    // The page's keys first, then its rows: skipping `offset` rows walks an index alone (it
    // holds the key, kind and ref), and only the rows shown are read whole. A deep page read
    // whole row by row cost twice as long.
    let keys = match inner {
        Some((index, condition, order, _, _)) => format!(
            "SELECT kind, ref FROM order_list INDEXED BY {index} {} ORDER BY {order}
             LIMIT :limit OFFSET :offset",
            where_with(Some(condition))
        ),
        None => format!(
            "SELECT kind, ref FROM order_list {} ORDER BY {forward} LIMIT :limit OFFSET :offset",
            where_with(None)
        ),
    };
    let (limit, offset) = match inner {
        Some((_, _, _, limit, offset)) => (limit, offset),
        None => (limit, offset),
    };
    // Both are at most the list's count, which SQLite gave as an i64.
    let (limit, offset) =
        (i64::try_from(limit).unwrap_or(i64::MAX), i64::try_from(offset).unwrap_or(i64::MAX));
    let mut page_params = params.clone();
    page_params.push((":limit", &limit));
    page_params.push((":offset", &offset));
    let sql = format!(
        "{with} SELECT {COLUMNS} FROM order_list WHERE (kind, ref) IN ({keys}) ORDER BY {forward}"
    );
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(page_params.as_slice(), |row| {
            Ok(OrderListEntry {
                kind: row.get(0)?,
                id: row.get(1)?,
                customer: row.get(2)?,
                total: money_parse(row.get(3)?, row.get(4)?)?,
                item_count: row.get(5)?,
                state: row
                    .get::<_, Option<String>>(6)?
                    .as_deref()
                    .and_then(orderdesk_wire::OrderState::parse),
                state_text: row.get(7)?,
                sync: row.get(8)?,
                revision: row.get(9)?,
                updated_at: ts_parse(&row.get::<_, String>(10)?)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(OrderListPage { rows, total })
}

#[cfg(test)]
mod tests {
    use super::SearchPage;

    #[test]
    fn a_page_is_found_by_the_cheapest_way_for_its_hits() {
        // 25,500 hits among 102,000 rows: an early page walks forward, a late one backward.
        assert_eq!(SearchPage::choose(25_500, 102_000, 1_000, 50), SearchPage::Forward);
        assert_eq!(SearchPage::choose(25_500, 102_000, 25_000, 50), SearchPage::Backward);
        // A page in the middle of sparse hits: walking half the list costs more than sorting.
        assert_eq!(SearchPage::choose(25_500, 204_000, 12_000, 50), SearchPage::Sorted);
        // Few hits are read and sorted, wherever the page lies.
        assert_eq!(SearchPage::choose(12, 102_000, 0, 50), SearchPage::Sorted);
        // Every row a hit: walking is reading.
        assert_eq!(SearchPage::choose(1_000, 1_000, 0, 50), SearchPage::Forward);
        // Nothing to overflow or divide by zero.
        assert_eq!(SearchPage::choose(0, 0, 0, 0), SearchPage::Sorted);
        assert_eq!(SearchPage::choose(u64::MAX, u64::MAX, u64::MAX, 1), SearchPage::Backward);
    }
}
