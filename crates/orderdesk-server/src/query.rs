//! TMF list conventions shared by every collection: `fields=` selection, attribute filters
//! with dotted paths and `.gt/.gte/.lt/.lte` (and `.eq`/`.ne`) operators, `sort`, and
//! `offset`/`limit` paging. Pure functions over JSON values, so every resource kind (orders,
//! cancellations, catalog entities) behaves the same way.
//!
//! Bounds ([`crate::limits`]): a list answers [`ListQuery::paged`]'s page (a default when no
//! `limit` is given, never more than the maximum); a query with too many parameters, values
//! or path segments is a 400. The sort is a total order on any mix of member types (numbers,
//! then instants, then other text, then missing), so sorting never panics or misorders.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::limits::{MAX_PATH_SEGMENTS, MAX_QUERY_PARAMS, MAX_QUERY_VALUES};

/// Query parameters that are conventions rather than attribute filters.
const RESERVED: [&str; 5] = ["fields", "sort", "offset", "limit", "depth"];

/// A comparison operator in a filter (`attr.gt=…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Equality; a comma-separated value means "any of".
    Eq,
    /// Inequality.
    Ne,
    /// Strictly greater.
    Gt,
    /// Greater or equal.
    Gte,
    /// Strictly less.
    Lt,
    /// Less or equal.
    Lte,
}

/// One attribute filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// Dotted path, e.g. `productOrderItem.productOffering.id`.
    pub path: Vec<String>,
    /// Operator.
    pub op: Op,
    /// The value as given.
    pub value: String,
}

/// A parsed list request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// Selected top-level attributes; `None` means all.
    pub fields: Option<Vec<String>>,
    /// Filters, all of which must hold.
    pub filters: Vec<Filter>,
    /// Sort keys: path and descending flag.
    pub sort: Vec<(Vec<String>, bool)>,
    /// Items to skip.
    pub offset: usize,
    /// Maximum items to return.
    pub limit: Option<usize>,
}

/// The result of applying a [`ListQuery`].
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Matching items in the requested window, projected.
    pub items: Vec<Value>,
    /// How many items matched before paging.
    pub total: usize,
}

fn split_path(s: &str) -> Result<Vec<String>, ApiError> {
    let path: Vec<String> = s.split('.').map(str::to_owned).collect();
    if path.len() > MAX_PATH_SEGMENTS {
        return Err(ApiError::bad_request(
            "query.tooLong",
            format!("'{s}' has more than {MAX_PATH_SEGMENTS} segments"),
        ));
    }
    Ok(path)
}

fn too_many(what: &str, max: usize) -> ApiError {
    ApiError::bad_request("query.tooLong", format!("a list query takes at most {max} {what}"))
}

impl ListQuery {
    /// Parses decoded query pairs. Unknown parameters become equality filters.
    pub fn parse(pairs: &[(String, String)]) -> Result<Self, ApiError> {
        if pairs.len() > MAX_QUERY_PARAMS {
            return Err(too_many("parameters", MAX_QUERY_PARAMS));
        }
        if pairs.iter().any(|(_, v)| v.split(',').nth(MAX_QUERY_VALUES).is_some()) {
            return Err(too_many("comma-separated values per parameter", MAX_QUERY_VALUES));
        }
        let mut q = ListQuery::default();
        for (key, value) in pairs {
            match key.as_str() {
                "fields" => {
                    let f: Vec<String> = value
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect();
                    if !f.is_empty() && f.iter().all(|s| s != "none") {
                        q.fields = Some(f);
                    } else if f.iter().any(|s| s == "none") {
                        q.fields = Some(Vec::new());
                    }
                }
                "sort" => {
                    for part in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                        let (desc, name) = match part.strip_prefix('-') {
                            Some(rest) => (true, rest),
                            None => (false, part.strip_prefix('+').unwrap_or(part)),
                        };
                        q.sort.push((split_path(name)?, desc));
                    }
                }
                "offset" => {
                    q.offset = value.parse().map_err(|_| {
                        ApiError::bad_request(
                            "query.offset",
                            format!("offset must be a non-negative integer, got '{value}'"),
                        )
                    })?;
                }
                "limit" => {
                    q.limit = Some(value.parse().map_err(|_| {
                        ApiError::bad_request(
                            "query.limit",
                            format!("limit must be a non-negative integer, got '{value}'"),
                        )
                    })?);
                }
                k if RESERVED.contains(&k) => {}
                k => {
                    let (name, op) = match k.rsplit_once('.') {
                        Some((n, "gt")) => (n, Op::Gt),
                        Some((n, "gte")) => (n, Op::Gte),
                        Some((n, "lt")) => (n, Op::Lt),
                        Some((n, "lte")) => (n, Op::Lte),
                        Some((n, "eq")) => (n, Op::Eq),
                        Some((n, "ne")) => (n, Op::Ne),
                        _ => (k, Op::Eq),
                    };
                    q.filters.push(Filter { path: split_path(name)?, op, value: unquote(value) });
                }
            }
        }
        Ok(q)
    }

    /// The page to answer: `limit` as asked, `default` when it was not, never more than `max`.
    #[must_use]
    pub fn paged(mut self, default: usize, max: usize) -> Self {
        self.limit = Some(self.limit.unwrap_or(default).min(max));
        self
    }

    /// Does `item` satisfy every filter?
    pub fn matches(&self, item: &Value) -> bool {
        self.filters.iter().all(|f| filter_matches(f, item))
    }

    /// Filters, sorts and pages borrowed items without copying them; returns the window
    /// and the number of matches. The caller renders and [`ListQuery::project_all`]s only
    /// the window, which keeps large catalogs cheap to page through.
    pub fn select<'a>(
        &self,
        items: impl IntoIterator<Item = &'a Value>,
    ) -> (Vec<&'a Value>, usize) {
        let matched: Vec<&Value> = items.into_iter().filter(|v| self.matches(v)).collect();
        let matched = self.sorted(matched, |v| v);
        let total = matched.len();
        let window =
            matched.into_iter().skip(self.offset).take(self.limit.unwrap_or(usize::MAX)).collect();
        (window, total)
    }

    /// Applies the `fields` selection to rendered items.
    pub fn project_all(&self, items: Vec<Value>) -> Vec<Value> {
        match &self.fields {
            None => items,
            Some(fields) => items.iter().map(|v| project(v, fields)).collect(),
        }
    }

    /// `items` in sort order (stable: equal items keep their order). Each item's keys are read
    /// once, then compared with [`compare_keys`], a total order.
    fn sorted<T>(&self, items: Vec<T>, value: impl Fn(&T) -> &Value) -> Vec<T> {
        if self.sort.is_empty() {
            return items;
        }
        let mut keyed: Vec<(Vec<Option<SortKey>>, T)> = items
            .into_iter()
            .map(|it| {
                let keys =
                    self.sort.iter().map(|(path, _)| first_scalar(value(&it), path).map(sort_key));
                (keys.collect(), it)
            })
            .collect();
        keyed.sort_by(|(a, _), (b, _)| {
            for ((x, y), (_, desc)) in a.iter().zip(b).zip(&self.sort) {
                let ord = compare_keys(x.as_ref(), y.as_ref());
                let ord = if *desc { ord.reverse() } else { ord };
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            Ordering::Equal
        });
        keyed.into_iter().map(|(_, it)| it).collect()
    }

    /// Filters, sorts, pages and projects `items`. Without a sort the window is known as the
    /// matches go by, and only it is kept: a filter matching most of a large collection does
    /// not hold all of it at once.
    pub fn apply(&self, items: impl IntoIterator<Item = Value>) -> Page {
        let limit = self.limit.unwrap_or(usize::MAX);
        let matches = items.into_iter().filter(|v| self.matches(v));
        let (window, total) = if self.sort.is_empty() {
            let (mut window, mut total) = (Vec::new(), 0usize);
            for v in matches {
                if total >= self.offset && window.len() < limit {
                    window.push(v);
                }
                total = total.saturating_add(1);
            }
            (window, total)
        } else {
            let matched = self.sorted(matches.collect(), |v| v);
            let total = matched.len();
            (matched.into_iter().skip(self.offset).take(limit).collect(), total)
        };
        let window = window.into_iter();
        let items = match &self.fields {
            None => window.collect(),
            Some(fields) => window.map(|v| project(&v, fields)).collect(),
        };
        Page { items, total }
    }
}

/// A filter value some clients quote (`id="123"`, so that a number-like id is compared as
/// text): the quotes are not part of the value.
fn unquote(value: &str) -> String {
    value
        .split(',')
        .map(|v| {
            let t = v.trim();
            t.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(v).to_owned()
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Keeps the selected attributes plus `id`, `href` and `@type`, which identify the resource.
pub fn project(item: &Value, fields: &[String]) -> Value {
    let Some(obj) = item.as_object() else {
        return item.clone();
    };
    let mut out = Map::new();
    for (k, v) in obj {
        let keep = k == "id"
            || k == "href"
            || k == "@type"
            || fields.iter().any(|f| f == k || f.split('.').next() == Some(k.as_str()));
        if keep {
            out.insert(k.clone(), v.clone());
        }
    }
    Value::Object(out)
}

/// All scalar values reachable by `path`, descending through arrays.
fn collect_scalars<'a>(v: &'a Value, path: &[String], out: &mut Vec<&'a Value>) {
    match v {
        Value::Array(items) => {
            for it in items {
                collect_scalars(it, path, out);
            }
        }
        Value::Object(map) => {
            if let Some((head, rest)) = path.split_first() {
                if let Some(next) = map.get(head) {
                    collect_scalars(next, rest, out);
                }
            }
        }
        scalar => {
            if path.is_empty() {
                out.push(scalar);
            }
        }
    }
}

fn first_scalar<'a>(v: &'a Value, path: &[String]) -> Option<&'a Value> {
    let mut out = Vec::new();
    collect_scalars(v, path, &mut out);
    out.into_iter().next()
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Orders two texts: as numbers if both are numbers, as instants if both are date-times,
/// else as strings.
pub fn compare_text(a: &str, b: &str) -> Ordering {
    if let (Ok(x), Ok(y)) = (a.parse::<f64>(), b.parse::<f64>()) {
        if let Some(o) = x.partial_cmp(&y) {
            return o;
        }
    }
    if let (Some(x), Some(y)) = (parse_instant(a), parse_instant(b)) {
        return x.cmp(&y);
    }
    a.cmp(b)
}

/// A date-time or a day, as `orderdesk-wire` reads dates (a day is its start, UTC).
fn parse_instant(s: &str) -> Option<DateTime<Utc>> {
    orderdesk_wire::parse_date_input(s).map(|d| d.at)
}

/// A sort key: what a member's text reads as, in the order [`compare_text`] tries them.
#[derive(Debug, Clone, PartialEq)]
enum SortKey {
    /// A finite number.
    Number(f64),
    /// A date-time (or a day).
    Instant(i64, u32),
    /// Anything else, as text.
    Text(String),
}

fn sort_key(v: &Value) -> SortKey {
    let text = scalar_text(v);
    if let Some(n) = text.parse::<f64>().ok().filter(|n| n.is_finite()) {
        return SortKey::Number(n);
    }
    if let Some(t) = parse_instant(&text) {
        return SortKey::Instant(t.timestamp(), t.timestamp_subsec_nanos());
    }
    SortKey::Text(text)
}

/// A total order on sort keys: numbers (by value), then instants (by time), then text (by
/// code point), then missing members. Unlike [`compare_text`], which compares two texts by
/// what they both are, this never depends on the other side, so it is transitive on any
/// mix (`compare_text` orders "10" < "1a" < "9" < "10": fine for a filter, not for a sort).
fn compare_keys(a: Option<&SortKey>, b: Option<&SortKey>) -> Ordering {
    fn rank(k: Option<&SortKey>) -> u8 {
        match k {
            Some(SortKey::Number(_)) => 0,
            Some(SortKey::Instant(..)) => 1,
            Some(SortKey::Text(_)) => 2,
            None => 3,
        }
    }
    match (a, b) {
        (Some(SortKey::Number(x)), Some(SortKey::Number(y))) => x.total_cmp(y),
        (Some(SortKey::Instant(xs, xn)), Some(SortKey::Instant(ys, yn))) => (xs, xn).cmp(&(ys, yn)),
        (Some(SortKey::Text(x)), Some(SortKey::Text(y))) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

fn filter_matches(f: &Filter, item: &Value) -> bool {
    let mut values = Vec::new();
    collect_scalars(item, &f.path, &mut values);
    let texts: Vec<String> = values.into_iter().map(scalar_text).collect();
    match f.op {
        Op::Eq => {
            let wanted: Vec<&str> = f.value.split(',').collect();
            texts
                .iter()
                .any(|t| wanted.iter().any(|w| t == w || compare_text(t, w) == Ordering::Equal))
        }
        Op::Ne => texts.iter().all(|t| t != &f.value),
        Op::Gt => texts.iter().any(|t| compare_text(t, &f.value) == Ordering::Greater),
        Op::Gte => texts.iter().any(|t| compare_text(t, &f.value) != Ordering::Less),
        Op::Lt => texts.iter().any(|t| compare_text(t, &f.value) == Ordering::Less),
        Op::Lte => texts.iter().any(|t| compare_text(t, &f.value) != Ordering::Greater),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn q(pairs: &[(&str, &str)]) -> ListQuery {
        let owned: Vec<(String, String)> =
            pairs.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect();
        match ListQuery::parse(&owned) {
            Ok(q) => q,
            Err(e) => panic!("parse failed: {e:?}"),
        }
    }

    fn items() -> Vec<Value> {
        vec![
            json!({"id":"a","state":"completed","n":10,"d":"2024-01-01T00:00:00Z","it":[{"po":{"id":"1"}}]}),
            json!({"id":"b","state":"acknowledged","n":2,"d":"2024-03-01T00:00:00Z","it":[{"po":{"id":"2"}},{"po":{"id":"3"}}]}),
            json!({"id":"c","state":"completed","n":7,"d":"2024-02-01T00:00:00+01:00"}),
        ]
    }

    fn ids(p: &Page) -> Vec<String> {
        p.items.iter().map(|v| v["id"].as_str().unwrap_or_default().to_owned()).collect()
    }

    #[test]
    fn filters_sort_and_page() {
        let p = q(&[("state", "completed"), ("sort", "-n")]).apply(items());
        assert_eq!(ids(&p), ["a", "c"]);
        assert_eq!(p.total, 2);
        let p = q(&[("n.gt", "2"), ("sort", "n")]).apply(items());
        assert_eq!(ids(&p), ["c", "a"]);
        let p = q(&[("n.lte", "7"), ("sort", "id")]).apply(items());
        assert_eq!(ids(&p), ["b", "c"]);
        let p = q(&[("d.gt", "2024-01-15T00:00:00Z"), ("sort", "d")]).apply(items());
        assert_eq!(ids(&p), ["c", "b"]);
        let p = q(&[("it.po.id", "3")]).apply(items());
        assert_eq!(ids(&p), ["b"]);
        let p = q(&[("sort", "id"), ("offset", "1"), ("limit", "1")]).apply(items());
        assert_eq!(ids(&p), ["b"]);
        assert_eq!(p.total, 3);
        let p = q(&[("state", "completed,acknowledged")]).apply(items());
        assert_eq!(p.total, 3);
        let p = q(&[("state.ne", "completed")]).apply(items());
        assert_eq!(ids(&p), ["b"]);
    }

    #[test]
    fn fields_keep_identity() {
        let p = q(&[("fields", "state"), ("id", "a")]).apply(items());
        assert_eq!(p.items, vec![json!({"id":"a","state":"completed"})]);
    }

    #[test]
    fn sort_is_a_total_order_on_mixed_members() {
        // Under `compare_text`, "10" > "9" (numbers), "9" > "1a" and "1a" > "10" (text): a
        // cycle. The sort keys put numbers before text and never cycle.
        let mixed: Vec<Value> = ["10", "1a", "9", "2024-01-01T00:00:00Z", "NaN", "b"]
            .iter()
            .enumerate()
            .map(|(i, v)| json!({"id": i.to_string(), "v": v}))
            .chain([json!({"id":"n1","v":3}), json!({"id":"n2","v":true}), json!({"id":"none"})])
            .collect();
        let p = q(&[("sort", "v")]).apply(mixed.clone());
        assert_eq!(ids(&p), ["n1", "2", "0", "3", "1", "4", "5", "n2", "none"]);
        let p = q(&[("sort", "-v")]).apply(mixed.clone());
        assert_eq!(ids(&p), ["none", "n2", "5", "4", "1", "3", "0", "2", "n1"]);
        // Every order of the input sorts the same way.
        let first = ids(&q(&[("sort", "v,id")]).apply(mixed.clone()));
        let mut rotated = mixed;
        for _ in 0..9 {
            rotated.rotate_left(1);
            assert_eq!(ids(&q(&[("sort", "v,id")]).apply(rotated.clone())), first);
        }
    }

    #[test]
    fn pages_have_a_default_and_a_maximum() {
        let many: Vec<Value> = (0..50).map(|i| json!({"id": i.to_string()})).collect();
        let p = q(&[]).paged(10, 20).apply(many.clone());
        assert_eq!((p.items.len(), p.total), (10, 50));
        let p = q(&[("limit", "5000")]).paged(10, 20).apply(many.clone());
        assert_eq!((p.items.len(), p.total), (20, 50));
        let p = q(&[("limit", "3"), ("offset", "48")]).paged(10, 20).apply(many);
        assert_eq!(ids(&p), ["48", "49"]);
    }

    #[test]
    fn oversized_queries_are_refused() {
        let pairs: Vec<(String, String)> =
            (0..=MAX_QUERY_PARAMS).map(|i| (format!("a{i}"), "x".to_owned())).collect();
        assert!(ListQuery::parse(&pairs).is_err_and(|e| e.code == "query.tooLong"));
        let values = vec!["x"; MAX_QUERY_VALUES + 1].join(",");
        assert!(ListQuery::parse(&[("state".into(), values)]).is_err());
        let path = vec!["a"; MAX_PATH_SEGMENTS + 1].join(".");
        assert!(ListQuery::parse(&[("sort".into(), path)]).is_err());
    }

    #[test]
    fn bad_paging_is_rejected() {
        let bad = ListQuery::parse(&[("limit".to_owned(), "x".to_owned())]);
        assert!(bad.is_err());
    }
}
