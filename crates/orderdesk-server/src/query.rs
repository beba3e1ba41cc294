//! TMF list conventions shared by every collection: `fields=` selection, attribute filters
//! with dotted paths and `.gt/.gte/.lt/.lte` (and `.eq`/`.ne`) operators, `sort`, and
//! `offset`/`limit` paging. Pure functions over JSON values, so every resource kind (orders,
//! cancellations, catalog entities) behaves the same way.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::error::ApiError;

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

fn split_path(s: &str) -> Vec<String> {
    s.split('.').map(str::to_owned).collect()
}

impl ListQuery {
    /// Parses decoded query pairs. Unknown parameters become equality filters.
    pub fn parse(pairs: &[(String, String)]) -> Result<Self, ApiError> {
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
                        q.sort.push((split_path(name), desc));
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
                    q.filters.push(Filter { path: split_path(name), op, value: value.clone() });
                }
            }
        }
        Ok(q)
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
        let mut matched: Vec<&Value> = items.into_iter().filter(|v| self.matches(v)).collect();
        if !self.sort.is_empty() {
            matched.sort_by(|a, b| self.compare(a, b));
        }
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

    fn compare(&self, a: &Value, b: &Value) -> Ordering {
        for (path, desc) in &self.sort {
            let ord = compare_opt(first_scalar(a, path), first_scalar(b, path));
            let ord = if *desc { ord.reverse() } else { ord };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    }

    /// Filters, sorts, pages and projects `items`.
    pub fn apply(&self, items: impl IntoIterator<Item = Value>) -> Page {
        let mut matched: Vec<Value> = items.into_iter().filter(|v| self.matches(v)).collect();
        if !self.sort.is_empty() {
            matched.sort_by(|a, b| self.compare(a, b));
        }
        let total = matched.len();
        let window = matched.into_iter().skip(self.offset).take(self.limit.unwrap_or(usize::MAX));
        let items = match &self.fields {
            None => window.collect(),
            Some(fields) => window.map(|v| project(&v, fields)).collect(),
        };
        Page { items, total }
    }
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

fn compare_opt(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) => compare_text(&scalar_text(x), &scalar_text(y)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
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
    fn bad_paging_is_rejected() {
        let bad = ListQuery::parse(&[("limit".to_owned(), "x".to_owned())]);
        assert!(bad.is_err());
    }
}
