//! The order model: a forest of items that keeps every field it does not interpret.
//!
//! Architecture invariant: an [`Item`] stores the TMF fields it does not model in `fields`
//! untouched (vendor extensions included), so import -> edit -> export loses nothing. Only
//! three things are lifted out of the JSON: the item `id`, its children (from either way TMF
//! writes a bundle) and its non-bundle relationships.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;

use crate::{limits, CoreError};

/// Relationship type that TMF622 uses to make one item the parent of another.
pub const BUNDLES: &str = "bundles";

/// A product order: order-level fields (kept verbatim) and the item forest.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Order {
    /// Every order-level field except `productOrderItem`, in input order.
    pub fields: Map<String, Value>,
    /// Top-level items: bundles (with their children) and standalone items.
    pub items: Vec<Item>,
}

/// One order item and the items it bundles.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub id: String,
    /// Every item field except `id`, `productOrderItem` and `productOrderItemRelationship`.
    pub fields: Map<String, Value>,
    /// Relationships other than the parent -> child `bundles` links that became the tree
    /// (`reliesOn`, `dependsOn`, ... and `bundles` links that could not become a tree edge,
    /// e.g. because they would close a cycle; validation reports those).
    pub relationships: Vec<Relationship>,
    pub children: Vec<Item>,
    /// Extra fields (e.g. `@type`, `href`) of the `bundles` relationship that attached this
    /// item to its parent, re-emitted on export.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub link: Map<String, Value>,
    /// JSON pointer of this item in the document it was imported from; `None` for items
    /// created by an operation. Not part of the item's identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

/// A non-tree relationship from one item to another item (by id).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Relationship {
    /// Id of the target item.
    pub target: String,
    /// `relationshipType`, e.g. `reliesOn`.
    pub kind: String,
    /// Any other field of the relationship object.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
    /// JSON pointer of the relationship as imported; `None` when created by an operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

/// How [`Order::to_json`] writes bundles.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Layout {
    /// All items in one flat `productOrderItem` array, parents naming their children with
    /// `bundles` relationships (the TMF622 user guide's form; the canonical export).
    #[default]
    Flat,
    /// Children nested in their parent's `productOrderItem` array.
    Nested,
}

impl Layout {
    /// The layout an order's JSON is written in: nested when a top-level item holds items
    /// of its own, else flat. A change written back in the order's own layout (an amendment
    /// of a server's order) leaves the rest of it as it was.
    pub fn of(order: &Value) -> Layout {
        let nested = order.get("productOrderItem").and_then(Value::as_array).is_some_and(|items| {
            items.iter().any(|item| {
                item.get("productOrderItem")
                    .and_then(Value::as_array)
                    .is_some_and(|children| !children.is_empty())
            })
        });
        if nested {
            Layout::Nested
        } else {
            Layout::Flat
        }
    }
}

impl Item {
    /// A fresh item with the given id and fields.
    pub fn new(id: impl Into<String>, fields: Map<String, Value>) -> Self {
        Self { id: id.into(), fields, ..Self::default() }
    }

    /// `action` as written, if it is a string.
    pub fn action(&self) -> Option<&str> {
        self.fields.get("action").and_then(Value::as_str)
    }

    /// `productOffering.id`, if present.
    pub fn offering_id(&self) -> Option<&str> {
        self.fields.get("productOffering")?.get("id")?.as_str()
    }

    /// `product.id` (the existing product an action acts on), if present.
    pub fn product_id(&self) -> Option<&str> {
        self.fields.get("product")?.get("id")?.as_str()
    }

    /// `product.productSpecification.id`, if present.
    pub fn specification_id(&self) -> Option<&str> {
        self.fields.get("product")?.get("productSpecification")?.get("id")?.as_str()
    }

    /// `product.productCharacteristic` entries, if any.
    pub fn characteristics(&self) -> &[Value] {
        self.fields
            .get("product")
            .and_then(|p| p.get("productCharacteristic"))
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }

    /// Quantity when it is a whole number >= 1; `None` when absent. `Err` carries the raw
    /// value when it is present but unusable. A missing quantity means 1 (TMF default); a
    /// whole number written as text (`"2"`) is read as that number.
    pub fn quantity(&self) -> Result<u64, &Value> {
        match self.fields.get("quantity") {
            None | Some(Value::Null) => Ok(1),
            Some(v @ Value::String(s)) => match s.trim().parse::<u64>() {
                Ok(q) if q >= 1 => Ok(q),
                _ => Err(v),
            },
            Some(v) => match v.as_u64() {
                Some(q) if q >= 1 => Ok(q),
                _ => {
                    // Accept `2.0`, which some systems write for integers.
                    let text = v.to_string();
                    match text.strip_suffix(".0").and_then(|t| t.parse::<u64>().ok()) {
                        Some(q) if q >= 1 => Ok(q),
                        _ => Err(v),
                    }
                }
            },
        }
    }
}

impl Order {
    /// Import a TMF622 product order (v4 or v5) from JSON, accepting bundles written flat
    /// (`bundles` relationships) or nested (`productOrderItem` inside an item), or both.
    ///
    /// Import never rejects an order for a business problem: duplicate ids, dangling or cyclic
    /// relationships are kept and reported by [`crate::validate`]. It only refuses JSON whose
    /// shape is not an order (not an object, items that are not objects).
    pub fn from_json(value: Value) -> Result<Self, CoreError> {
        let Value::Object(mut fields) = value else {
            return Err(CoreError::Import {
                path: String::new(),
                message: "expected a JSON object".into(),
            });
        };
        let raw_items = match fields.shift_remove("productOrderItem") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) => a,
            Some(_) => {
                return Err(CoreError::Import {
                    path: "/productOrderItem".into(),
                    message: "expected an array".into(),
                })
            }
        };
        if raw_items.len() > limits::MAX_ITEMS {
            return Err(too_many_items(raw_items.len()));
        }
        let mut arena = Arena::default();
        let mut roots = Vec::with_capacity(raw_items.len());
        for (i, raw) in raw_items.into_iter().enumerate() {
            roots.push(arena.push(raw, format!("/productOrderItem/{i}"), None, 1)?);
        }
        let order = Self { fields, items: arena.into_forest(&roots)? };
        order.check_limits()?;
        Ok(order)
    }

    /// Export as TMF622 JSON. Unknown fields come back as they were imported.
    pub fn to_json(&self, layout: Layout) -> Value {
        let mut out = self.fields.clone();
        let mut items = Vec::new();
        match layout {
            Layout::Flat => {
                for item in &self.items {
                    flat_export(item, &mut items);
                }
            }
            Layout::Nested => items.extend(self.items.iter().map(nested_export)),
        }
        out.insert("productOrderItem".into(), Value::Array(items));
        Value::Object(out)
    }

    /// Export in a given TMF622 version: the layout's JSON converted by `orderdesk-wire`
    /// (v4 <-> v5 differences live there), from `source` (the version the order is written
    /// in; `None`: read from its shape). Vendor fields survive the conversion; what the target
    /// has no room for is left out and named by `convert.not_carried` warnings.
    pub fn to_version(
        &self,
        layout: Layout,
        source: Option<orderdesk_wire::Version>,
        target: orderdesk_wire::Version,
    ) -> orderdesk_wire::Converted {
        orderdesk_wire::to_version(self.to_json(layout), source, target)
    }

    /// Visit every item depth-first (parents before children, in order), with its JSON
    /// pointer: the imported one, or for new items its position in the flat export.
    pub fn walk<'a>(&'a self, mut visit: impl FnMut(&'a Item, Option<&'a Item>, &str)) {
        fn go<'a>(
            item: &'a Item,
            parent: Option<&'a Item>,
            counter: &mut usize,
            visit: &mut impl FnMut(&'a Item, Option<&'a Item>, &str),
        ) {
            let path = match &item.origin {
                Some(p) => p.clone(),
                None => format!("/productOrderItem/{counter}"),
            };
            *counter = counter.saturating_add(1);
            visit(item, parent, &path);
            for child in &item.children {
                go(child, Some(item), counter, visit);
            }
        }
        let mut counter = 0;
        for item in &self.items {
            go(item, None, &mut counter, &mut visit);
        }
    }

    /// Number of items in the whole forest.
    pub fn item_count(&self) -> usize {
        let mut count = 0usize;
        let mut stack: Vec<&Item> = self.items.iter().collect();
        while let Some(item) = stack.pop() {
            count = count.saturating_add(1);
            stack.extend(item.children.iter());
        }
        count
    }

    /// The order keeps within [`limits`]: items, bundle depth, children per bundle. Checked
    /// with an explicit stack after every operation, so no order an operation produces can
    /// make a later walk go deeper than [`limits::MAX_BUNDLE_DEPTH`].
    pub fn check_limits(&self) -> Result<(), CoreError> {
        let mut count = 0usize;
        let mut stack: Vec<(&Item, usize)> = self.items.iter().map(|i| (i, 1)).collect();
        while let Some((item, depth)) = stack.pop() {
            count = count.saturating_add(1);
            if count > limits::MAX_ITEMS {
                return Err(too_many_items(count));
            }
            if depth > limits::MAX_BUNDLE_DEPTH {
                return Err(too_deep(item.origin.as_deref().unwrap_or_default()));
            }
            if item.children.len() > limits::MAX_CHILDREN {
                return Err(CoreError::Limit {
                    code: crate::codes::LIMIT_CHILDREN,
                    path: item.origin.clone().unwrap_or_default(),
                    message: format!(
                        "bundle {:?} holds {} items; at most {} are accepted",
                        item.id,
                        item.children.len(),
                        limits::MAX_CHILDREN
                    ),
                });
            }
            stack.extend(item.children.iter().map(|c| (c, depth.saturating_add(1))));
        }
        Ok(())
    }

    /// How deep the order's stored form (the flat layout's JSON) nests, counted without
    /// building it; a value deeper than [`limits::MAX_JSON_DEPTH`] counts as one level more.
    pub fn flat_json_depth(&self) -> usize {
        // The order object is level 1, `productOrderItem` 2, an item 3, its
        // `productOrderItemRelationship` 4 and one relationship 5.
        fn under(level: usize, values: &Map<String, Value>, deepest: usize) -> usize {
            values
                .values()
                .map(|v| level.saturating_add(limits::json_depth(v)))
                .fold(deepest, usize::max)
        }
        let mut deepest = under(1, &self.fields, 2);
        let mut stack: Vec<&Item> = self.items.iter().collect();
        while let Some(item) = stack.pop() {
            deepest = under(3, &item.fields, deepest.max(3));
            let links = item.children.iter().map(|c| &c.link);
            for extra in links.chain(item.relationships.iter().map(|r| &r.extra)) {
                deepest = under(5, extra, deepest.max(5));
            }
            stack.extend(item.children.iter());
        }
        deepest
    }

    /// The same order with every `origin` and bundle `link` cleared: what two imports of the
    /// same order in different layouts must agree on (the nested layout writes no `bundles`
    /// relationship objects, so it has no place for their extra fields).
    pub fn without_origins(&self) -> Self {
        fn strip(items: &mut [Item]) {
            for item in items {
                item.origin = None;
                item.link.clear();
                for rel in &mut item.relationships {
                    rel.origin = None;
                }
                strip(&mut item.children);
            }
        }
        let mut order = self.clone();
        strip(&mut order.items);
        order
    }
}

fn too_many_items(count: usize) -> CoreError {
    CoreError::Limit {
        code: crate::codes::LIMIT_ITEMS,
        path: "/productOrderItem".into(),
        message: format!(
            "the order has {count} items or more; at most {} are accepted",
            limits::MAX_ITEMS
        ),
    }
}

fn too_deep(path: &str) -> CoreError {
    CoreError::Limit {
        code: crate::codes::LIMIT_DEPTH,
        path: path.to_owned(),
        message: format!("bundles nest deeper than {} levels here", limits::MAX_BUNDLE_DEPTH),
    }
}

fn relationship_json(target: &str, kind: &str, extra: &Map<String, Value>) -> Value {
    let mut obj = Map::new();
    obj.insert("id".into(), Value::String(target.into()));
    obj.insert("relationshipType".into(), Value::String(kind.into()));
    for (k, v) in extra {
        obj.insert(k.clone(), v.clone());
    }
    Value::Object(obj)
}

fn item_head(item: &Item) -> Map<String, Value> {
    let mut obj = Map::with_capacity(item.fields.len().saturating_add(2));
    obj.insert("id".into(), Value::String(item.id.clone()));
    for (k, v) in &item.fields {
        obj.insert(k.clone(), v.clone());
    }
    obj
}

fn flat_export(item: &Item, out: &mut Vec<Value>) {
    out.push(flat_item(item));
    for child in &item.children {
        flat_export(child, out);
    }
}

/// One item as the flat layout writes it: its own members and its relationships, the
/// `bundles` links to its children first (its children are entries of their own).
pub(crate) fn flat_item(item: &Item) -> Value {
    let mut obj = item_head(item);
    let mut rels: Vec<Value> =
        item.children.iter().map(|c| relationship_json(&c.id, BUNDLES, &c.link)).collect();
    rels.extend(item.relationships.iter().map(|r| relationship_json(&r.target, &r.kind, &r.extra)));
    if !rels.is_empty() {
        obj.insert("productOrderItemRelationship".into(), Value::Array(rels));
    }
    Value::Object(obj)
}

fn nested_export(item: &Item) -> Value {
    let mut obj = item_head(item);
    let rels: Vec<Value> = item
        .relationships
        .iter()
        .map(|r| relationship_json(&r.target, &r.kind, &r.extra))
        .collect();
    if !rels.is_empty() {
        obj.insert("productOrderItemRelationship".into(), Value::Array(rels));
    }
    if !item.children.is_empty() {
        obj.insert(
            "productOrderItem".into(),
            Value::Array(item.children.iter().map(nested_export).collect()),
        );
    }
    Value::Object(obj)
}

/// An unresolved `bundles` link: target id, extra fields, pointer of the relationship.
type Link = (String, Map<String, Value>, Option<String>);

/// Import scratch space: items by index, so `bundles` links can be resolved before the tree
/// is built.
#[derive(Default)]
struct Arena {
    items: Vec<Item>,
    parent: Vec<Option<usize>>,
    /// Children in final order: nested ones first, then those named by `bundles` links.
    children: Vec<Vec<usize>>,
    /// Unresolved `bundles` links per item: (target id, extra fields).
    links: Vec<Vec<Link>>,
    by_id: HashMap<String, usize>,
}

impl Arena {
    /// Adds an item (and the items nested in it) at `depth` (1 for a top-level item).
    /// Nesting comes from outside: deeper than [`limits::MAX_BUNDLE_DEPTH`] is refused before
    /// the next level is read, and so is an item beyond [`limits::MAX_ITEMS`].
    fn push(
        &mut self,
        raw: Value,
        path: String,
        parent: Option<usize>,
        depth: usize,
    ) -> Result<usize, CoreError> {
        if depth > limits::MAX_BUNDLE_DEPTH {
            return Err(too_deep(&path));
        }
        if self.items.len() >= limits::MAX_ITEMS {
            return Err(too_many_items(self.items.len().saturating_add(1)));
        }
        let Value::Object(mut fields) = raw else {
            return Err(CoreError::Import {
                path,
                message: "an order item must be an object".into(),
            });
        };
        let id = match fields.shift_remove("id") {
            Some(Value::String(s)) => s,
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        let nested = match fields.shift_remove("productOrderItem") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) => a,
            Some(_) => {
                return Err(CoreError::Import {
                    path: format!("{path}/productOrderItem"),
                    message: "expected an array".into(),
                })
            }
        };
        let mut relationships = Vec::new();
        let mut links = Vec::new();
        match fields.shift_remove("productOrderItemRelationship") {
            None | Some(Value::Null) => {}
            Some(Value::Array(rels)) => {
                for (r, rel) in rels.into_iter().enumerate() {
                    let Value::Object(mut rel) = rel else {
                        return Err(CoreError::Import {
                            path: format!("{path}/productOrderItemRelationship/{r}"),
                            message: "a relationship must be an object".into(),
                        });
                    };
                    let target = match rel.shift_remove("id") {
                        Some(Value::String(s)) => s,
                        Some(Value::Number(n)) => n.to_string(),
                        _ => String::new(),
                    };
                    let kind = match rel.shift_remove("relationshipType") {
                        Some(Value::String(s)) => s,
                        _ => String::new(),
                    };
                    let origin = Some(format!("{path}/productOrderItemRelationship/{r}"));
                    if kind.eq_ignore_ascii_case(BUNDLES) {
                        links.push((target, rel, origin));
                    } else {
                        relationships.push(Relationship { target, kind, extra: rel, origin });
                    }
                }
            }
            Some(_) => {
                return Err(CoreError::Import {
                    path: format!("{path}/productOrderItemRelationship"),
                    message: "expected an array".into(),
                })
            }
        }
        let index = self.items.len();
        // Duplicate ids: the first occurrence is the one links resolve to.
        self.by_id.entry(id.clone()).or_insert(index);
        self.items.push(Item {
            id,
            fields,
            relationships,
            children: Vec::new(),
            link: Map::new(),
            origin: Some(path.clone()),
        });
        self.parent.push(parent);
        self.children.push(Vec::new());
        self.links.push(links);
        for (n, child) in nested.into_iter().enumerate() {
            let c = self.push(
                child,
                format!("{path}/productOrderItem/{n}"),
                Some(index),
                depth.saturating_add(1),
            )?;
            if let Some(children) = self.children.get_mut(index) {
                children.push(c);
            }
        }
        Ok(index)
    }

    /// Whether `candidate` is `of` or one of its ancestors. The walk up stops after
    /// [`limits::MAX_BUNDLE_DEPTH`] steps: an item that deep cannot take another child, so
    /// the order is refused rather than walked further.
    fn is_ancestor_or_self(&self, candidate: usize, mut of: usize) -> Result<bool, CoreError> {
        for _ in 0..=limits::MAX_BUNDLE_DEPTH {
            if of == candidate {
                return Ok(true);
            }
            match self.parent.get(of).copied().flatten() {
                Some(p) => of = p,
                None => return Ok(false),
            }
        }
        let path = self.items.get(of).and_then(|it| it.origin.clone()).unwrap_or_default();
        Err(too_deep(&path))
    }

    /// The depth of every item (1 for a top-level one), from the parent links, iteratively.
    fn depths(&self) -> Vec<usize> {
        let mut depth = vec![0usize; self.parent.len()];
        for start in 0..self.parent.len() {
            // Walk up to an item whose depth is known (or a root), then come back down.
            let mut chain = Vec::new();
            let mut at = Some(start);
            while let Some(i) = at {
                if depth.get(i).copied().unwrap_or(0) > 0 || chain.len() > self.parent.len() {
                    break;
                }
                chain.push(i);
                at = self.parent.get(i).copied().flatten();
            }
            let mut d = at.and_then(|i| depth.get(i).copied()).unwrap_or(0);
            for i in chain.into_iter().rev() {
                d = d.saturating_add(1);
                if let Some(slot) = depth.get_mut(i) {
                    *slot = d;
                }
            }
        }
        depth
    }

    fn into_forest(mut self, top: &[usize]) -> Result<Vec<Item>, CoreError> {
        for p in 0..self.items.len() {
            let links = self.links.get_mut(p).map(std::mem::take).unwrap_or_default();
            for (target, extra, origin) in links {
                let child = self.by_id.get(&target).copied();
                // The child's current parent: `Some(None)` for a top-level item.
                let its_parent = child.and_then(|c| self.parent.get(c).copied());
                match (child, its_parent) {
                    // Already nested under this parent: the link only repeats the nesting.
                    (Some(c), Some(Some(q))) if q == p => {
                        if let Some(item) = self.items.get_mut(c) {
                            item.link = extra;
                        }
                    }
                    (Some(c), Some(None)) if !self.is_ancestor_or_self(c, p)? => {
                        if let Some(parent) = self.parent.get_mut(c) {
                            *parent = Some(p);
                        }
                        if let Some(children) = self.children.get_mut(p) {
                            children.push(c);
                        }
                        if let Some(item) = self.items.get_mut(c) {
                            item.link = extra;
                        }
                    }
                    // Dangling, a second parent, or a cycle: keep it for validation.
                    _ => {
                        if let Some(item) = self.items.get_mut(p) {
                            item.relationships.push(Relationship {
                                target,
                                kind: BUNDLES.into(),
                                extra,
                                origin,
                            });
                        }
                    }
                }
            }
        }
        // `bundles` links may chain top-level items into a deep tree: refuse one deeper than
        // the limit before anything walks it.
        let depths = self.depths();
        if let Some(i) = depths.iter().position(|d| *d > limits::MAX_BUNDLE_DEPTH) {
            let path = self.items.get(i).and_then(|it| it.origin.clone()).unwrap_or_default();
            return Err(too_deep(&path));
        }
        let mut slots: Vec<Option<Item>> = self.items.into_iter().map(Some).collect();
        let children = self.children;
        fn build(i: usize, slots: &mut [Option<Item>], children: &[Vec<usize>]) -> Option<Item> {
            let mut item = slots.get_mut(i)?.take()?;
            item.children = children
                .get(i)
                .into_iter()
                .flatten()
                .filter_map(|&c| build(c, slots, children))
                .collect();
            Some(item)
        }
        // Top-level items that became someone's child are built under that parent instead.
        // `build` recurses at most `MAX_BUNDLE_DEPTH` deep (checked above).
        Ok(top
            .iter()
            .filter(|&&i| self.parent.get(i).is_some_and(Option::is_none))
            .filter_map(|&i| build(i, &mut slots, &children))
            .collect())
    }
}
