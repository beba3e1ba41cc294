//! The official TMF622 request schemas of each version: v4 `ProductOrder_Create` /
//! `CancelProductOrder_Create` (Swagger 2.0 definitions) and v5 `ProductOrder_FVO` /
//! `CancelProductOrder_FVO` (OpenAPI 3.0 component schemas). What Orderdesk sends is checked
//! against them (the core's findings), and the reference server checks what it receives.
//!
//! The schemas are vendored under `schemas/` (only the definitions those four reach through
//! `$ref`, see `schemas/LICENSE-NOTE.md`) and embedded in the binary, so nothing reads the
//! specification files at run time. A test re-derives the vendored files from the official
//! specifications with [`vendored_closure`] and fails when they differ, so they cannot drift.
//!
//! OpenAPI 3.0 is not JSON Schema: [`translate_oas`] is the one place that bridges the two, used
//! when the validators are compiled at start-up. Validation runs as draft 4 with `format`
//! asserted (`date-time`, `uri`); unknown OAS formats (`float`, `int32`, …) are ignored.
//!
//! Problems become [`Finding`]s (codes `schema.required`, `schema.type`, `schema.shape`,
//! `schema.value`) named by the JSON pointer (RFC 6901) of the offending field, in a
//! deterministic order (document order, then message).

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashSet};
use std::sync::OnceLock;

use jsonschema::error::ValidationErrorKind;
use jsonschema::{ValidationError, Validator};
use serde_json::{json, Map, Value};

use crate::finding::Finding;
use crate::Version;

/// A required member is missing.
pub const REQUIRED: &str = "schema.required";
/// A member has the wrong JSON type.
pub const TYPE: &str = "schema.type";
/// A value matches none of the shapes the schema allows there.
pub const SHAPE: &str = "schema.shape";
/// A value the schema refuses otherwise (an enum, a format, a bound).
pub const VALUE: &str = "schema.value";

/// The vendored v4 definitions: `{"definitions": {...}}`, a subset of the official Swagger file.
pub const V4_VENDORED: &str = include_str!("../schemas/tmf622-v4.0.0.definitions.json");
/// The vendored v5 schemas: `{"components": {"schemas": {...}}}`, a subset of the official OAS
/// file converted from YAML to JSON, not yet translated (see [`translate_oas`]).
pub const V5_VENDORED: &str = include_str!("../schemas/tmf622-v5.0.0.schemas.json");

/// The request definitions of v4 whose `$ref` closure is vendored.
pub const V4_ROOTS: [&str; 2] = ["ProductOrder_Create", "CancelProductOrder_Create"];
/// The request schemas of v5 whose `$ref` closure is vendored.
pub const V5_ROOTS: [&str; 2] = ["ProductOrder_FVO", "CancelProductOrder_FVO"];

/// Values whose JSON is longer than this are not echoed in messages.
const MAX_ECHO: usize = 60;

/// Why the schemas could not be prepared.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// A vendored or specification document is not valid JSON.
    #[error("{what} is not valid JSON: {source}")]
    Json {
        /// Which document.
        what: &'static str,
        /// The parser's error.
        source: serde_json::Error,
    },
    /// A document lacks the container of definitions (`definitions` / `components.schemas`).
    #[error("{what} has no {container}")]
    NoContainer {
        /// Which document.
        what: &'static str,
        /// The JSON pointer that was expected.
        container: &'static str,
    },
    /// A `$ref` points at a definition the document does not have, or outside it.
    #[error("{what}: unresolvable $ref '{reference}'")]
    Unresolved {
        /// Which document.
        what: &'static str,
        /// The reference.
        reference: String,
    },
    /// The JSON Schema library refused a schema.
    #[error("schema {root} does not compile: {message}")]
    Compile {
        /// The root definition.
        root: &'static str,
        /// The library's message.
        message: String,
    },
}

/// Which request a body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    /// `POST productOrder` (and the result of a `PATCH`).
    ProductOrder,
    /// `POST cancelProductOrder`.
    CancelProductOrder,
}

/// Where a specification keeps its named schemas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecKind {
    /// Swagger 2.0: `/definitions`, refs `#/definitions/NAME`.
    Swagger2,
    /// OpenAPI 3.0: `/components/schemas`, refs `#/components/schemas/NAME`.
    OpenApi3,
}

impl SpecKind {
    fn pointer(self) -> &'static str {
        match self {
            SpecKind::Swagger2 => "/definitions",
            SpecKind::OpenApi3 => "/components/schemas",
        }
    }

    fn ref_prefix(self) -> &'static str {
        match self {
            SpecKind::Swagger2 => "#/definitions/",
            SpecKind::OpenApi3 => "#/components/schemas/",
        }
    }

    /// Wraps a map of named schemas in the container this kind of document uses.
    fn wrap(self, schemas: Map<String, Value>) -> Value {
        match self {
            SpecKind::Swagger2 => json!({ "definitions": schemas }),
            SpecKind::OpenApi3 => json!({ "components": { "schemas": schemas } }),
        }
    }
}

/// Translates an OpenAPI 3.0 schema object (recursively) into JSON Schema:
/// - `nullable: true` adds `"null"` to `type`;
/// - a `oneOf` that carries a `discriminator` becomes `anyOf`: OAS picks the branch by
///   `@type`, whereas plain JSON Schema would reject a value that matches several of the
///   open-ended branches; `discriminator` itself is dropped (JSON Schema has no such keyword).
///
/// These are the rules `orderdesk-wire`'s schema tests apply to the same specification.
pub fn translate_oas(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if m.remove("discriminator").is_some() {
                if let Some(one_of) = m.remove("oneOf") {
                    m.insert("anyOf".into(), one_of);
                }
            }
            if m.get("nullable") == Some(&Value::Bool(true)) {
                m.remove("nullable");
                if let Some(Value::String(t)) = m.get("type").cloned() {
                    m.insert("type".into(), json!([t, "null"]));
                }
            }
            m.values_mut().for_each(translate_oas);
        }
        Value::Array(items) => items.iter_mut().for_each(translate_oas),
        _ => {}
    }
}

/// One named schema of an official specification document (already parsed) as a JSON Schema
/// (draft 4) document to build a validator from: a Swagger 2 document by its `definitions`, an
/// OpenAPI 3 document by its `components/schemas` translated by [`translate_oas`]. For tests
/// that check what Orderdesk sends or answers against the specifications beside the checkout.
pub fn named_schema(doc: &Value, name: &str) -> Value {
    if let Some(definitions) = doc.get("definitions") {
        return json!({
            "definitions": definitions,
            "allOf": [{"$ref": format!("#/definitions/{name}")}],
        });
    }
    let mut schemas = doc.pointer("/components/schemas").cloned().unwrap_or_else(|| json!({}));
    translate_oas(&mut schemas);
    json!({
        "components": {"schemas": schemas},
        "allOf": [{"$ref": format!("#/components/schemas/{name}")}],
    })
}

/// A validator of [`named_schema`] (draft 4, as the specifications are written); `Err` says why
/// the schema does not compile.
pub fn named_validator(doc: &Value, name: &str) -> Result<jsonschema::Validator, String> {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&named_schema(doc, name))
        .map_err(|e| format!("{name}: {e}"))
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => collect_refs(x, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|x| collect_refs(x, out)),
        _ => {}
    }
}

/// The named schemas `roots` reach through `$ref` in a specification document, in the
/// document's own order, wrapped in the document's container. This is what `schemas/` holds:
/// the drift test compares the vendored files with this function's answer on the official
/// specifications.
pub fn vendored_closure(
    spec: &Value,
    kind: SpecKind,
    roots: &[&str],
    what: &'static str,
) -> Result<Value, SchemaError> {
    let all = spec
        .pointer(kind.pointer())
        .and_then(Value::as_object)
        .ok_or(SchemaError::NoContainer { what, container: kind.pointer() })?;
    let mut reached = HashSet::new();
    let mut todo: Vec<String> = roots.iter().map(|r| (*r).to_owned()).collect();
    while let Some(name) = todo.pop() {
        if reached.contains(&name) {
            continue;
        }
        let schema = all.get(&name).ok_or_else(|| SchemaError::Unresolved {
            what,
            reference: format!("{}{name}", kind.ref_prefix()),
        })?;
        let mut refs = Vec::new();
        collect_refs(schema, &mut refs);
        for r in refs {
            let target = r
                .strip_prefix(kind.ref_prefix())
                .ok_or_else(|| SchemaError::Unresolved { what, reference: r.clone() })?;
            todo.push(target.to_owned());
        }
        reached.insert(name);
    }
    let picked: Map<String, Value> = all
        .iter()
        .filter(|(k, _)| reached.contains(*k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Ok(kind.wrap(picked))
}

/// The text a vendored file holds for a closure: pretty JSON and a final newline.
pub fn vendored_text(closure: &Value) -> String {
    let mut s = serde_json::to_string_pretty(closure).unwrap_or_default();
    s.push('\n');
    s
}

/// The four request validators, compiled once and shared by every caller ([`schemas`]).
pub struct Schemas {
    order_v4: Validator,
    cancel_v4: Validator,
    order_v5: Validator,
    cancel_v5: Validator,
}

impl std::fmt::Debug for Schemas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Schemas { v4: [ProductOrder_Create, CancelProductOrder_Create], v5: [ProductOrder_FVO, CancelProductOrder_FVO] }")
    }
}

fn compile(doc: &Value, kind: SpecKind, root: &'static str) -> Result<Validator, SchemaError> {
    let mut schema = doc.clone();
    if let Some(m) = schema.as_object_mut() {
        m.insert("allOf".into(), json!([{ "$ref": format!("{}{root}", kind.ref_prefix()) }]));
    }
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .map_err(|e| SchemaError::Compile { root, message: e.to_string() })
}

impl Schemas {
    /// Compiles the embedded schemas.
    pub fn load() -> Result<Self, SchemaError> {
        Self::from_documents(V4_VENDORED, V5_VENDORED)
    }

    /// Compiles validators from the texts of a v4 definitions document and an (untranslated)
    /// v5 schemas document, in the vendored files' form.
    pub fn from_documents(v4: &str, v5: &str) -> Result<Self, SchemaError> {
        let v4: Value = serde_json::from_str(v4)
            .map_err(|source| SchemaError::Json { what: "the v4 definitions", source })?;
        let mut v5: Value = serde_json::from_str(v5)
            .map_err(|source| SchemaError::Json { what: "the v5 schemas", source })?;
        translate_oas(&mut v5);
        let [order4, cancel4] = V4_ROOTS;
        let [order5, cancel5] = V5_ROOTS;
        Ok(Self {
            order_v4: compile(&v4, SpecKind::Swagger2, order4)?,
            cancel_v4: compile(&v4, SpecKind::Swagger2, cancel4)?,
            order_v5: compile(&v5, SpecKind::OpenApi3, order5)?,
            cancel_v5: compile(&v5, SpecKind::OpenApi3, cancel5)?,
        })
    }

    fn validator(&self, kind: RequestKind, version: Version) -> &Validator {
        match (kind, version) {
            (RequestKind::ProductOrder, Version::V4) => &self.order_v4,
            (RequestKind::CancelProductOrder, Version::V4) => &self.cancel_v4,
            (RequestKind::ProductOrder, Version::V5) => &self.order_v5,
            (RequestKind::CancelProductOrder, Version::V5) => &self.cancel_v5,
        }
    }

    /// Every schema finding for a request body (all errors), in document order.
    pub fn problems(&self, kind: RequestKind, version: Version, body: &Value) -> Vec<Finding> {
        let mut out: Vec<Finding> =
            self.validator(kind, version).iter_errors(body).map(|e| to_finding(&e)).collect();
        out.sort_by(|a, b| compare_pointers(&a.path, &b.path).then(a.message.cmp(&b.message)));
        out.dedup();
        out
    }
}

/// The embedded schemas, compiled on first use and kept for the life of the process.
///
/// # Errors
/// Only if the embedded documents do not compile, which the tests of this crate rule out.
pub fn schemas() -> Result<&'static Schemas, &'static SchemaError> {
    static SCHEMAS: OnceLock<Result<Schemas, SchemaError>> = OnceLock::new();
    SCHEMAS.get_or_init(Schemas::load).as_ref()
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// The pointer of the field a finding is about: for a missing property, the property itself.
fn field_of(e: &ValidationError<'_>) -> String {
    let at = e.instance_path().as_str().to_owned();
    match e.kind() {
        ValidationErrorKind::Required { property } => match property.as_str() {
            Some(p) => format!("{at}/{}", escape(p)),
            None => at,
        },
        _ => at,
    }
}

fn code_of(kind: &ValidationErrorKind) -> &'static str {
    match kind {
        ValidationErrorKind::Required { .. } => REQUIRED,
        ValidationErrorKind::Type { .. } => TYPE,
        ValidationErrorKind::AnyOf { .. } | ValidationErrorKind::OneOfNotValid { .. } => SHAPE,
        _ => VALUE,
    }
}

fn message_of(e: &ValidationError<'_>) -> String {
    match e.kind() {
        ValidationErrorKind::Required { .. } => "is required".to_owned(),
        ValidationErrorKind::AnyOf { context } => {
            let closest = context
                .iter()
                .filter(|branch| !branch.is_empty())
                .min_by_key(|branch| branch.len())
                .and_then(|branch| {
                    branch.iter().map(to_finding).min_by(|a, b| {
                        compare_pointers(&a.path, &b.path).then(a.message.cmp(&b.message))
                    })
                });
            match closest {
                Some(p) => format!(
                    "matches none of the shapes the schema allows here (closest: {}: {})",
                    p.path, p.message
                ),
                None => "matches none of the shapes the schema allows here".to_owned(),
            }
        }
        _ => {
            let short = serde_json::to_string(e.instance().as_ref())
                .is_ok_and(|s| s.chars().count() <= MAX_ECHO);
            if short {
                e.to_string()
            } else {
                e.masked_with("the value").to_string()
            }
        }
    }
}

fn to_finding(e: &ValidationError<'_>) -> Finding {
    Finding::error(code_of(e.kind()), field_of(e), message_of(e))
}

/// Orders pointers in document order: segment by segment, array indices numerically.
pub fn compare_pointers(a: &str, b: &str) -> Ordering {
    let mut xs = a.split('/');
    let mut ys = b.split('/');
    loop {
        match (xs.next(), ys.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let o = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(m), Ok(n)) => m.cmp(&n),
                    _ => x.cmp(y),
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

/// The definition names a vendored document holds (for reports and tests).
pub fn definition_names(doc: &Value, kind: SpecKind) -> BTreeSet<String> {
    doc.pointer(kind.pointer())
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn crate_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    /// The official specifications, in `shared/tmf` beside the repository.
    fn spec(name: &str) -> Result<String, Box<dyn std::error::Error>> {
        let path = crate_dir().join("../../../shared/tmf").join(name);
        std::fs::read_to_string(&path)
            .map_err(|e| format!("official specification {}: {e}", path.display()).into())
    }

    /// Re-derives each vendored file from the official specification and compares it byte for
    /// byte. `ORDERDESK_WRITE_SCHEMAS=1` rewrites the files instead (after a specification
    /// update or a change of roots).
    #[test]
    fn vendored_schemas_are_the_official_definitions() -> TestResult {
        let swagger: Value =
            serde_json::from_str(&spec("TMF622-ProductOrdering-v4.0.0.swagger.json")?)?;
        let oas: Value = serde_norway::from_str(&spec("TMF622-ProductOrdering-v5.0.0.oas.yaml")?)?;
        let v4 = vendored_closure(&swagger, SpecKind::Swagger2, &V4_ROOTS, "v4 swagger")?;
        let v5 = vendored_closure(&oas, SpecKind::OpenApi3, &V5_ROOTS, "v5 OAS")?;
        let write = std::env::var_os("ORDERDESK_WRITE_SCHEMAS").is_some();
        for (derived, vendored, file) in [
            (&v4, V4_VENDORED, "tmf622-v4.0.0.definitions.json"),
            (&v5, V5_VENDORED, "tmf622-v5.0.0.schemas.json"),
        ] {
            let text = vendored_text(derived);
            if write {
                std::fs::write(crate_dir().join("schemas").join(file), &text)?;
            } else {
                assert!(
                    text == vendored,
                    "schemas/{file} differs from the definitions derived from the official \
                     specification; rerun with ORDERDESK_WRITE_SCHEMAS=1 and review the diff"
                );
            }
        }
        // Every root is there, and nothing a root does not reach.
        let names = definition_names(&v4, SpecKind::Swagger2);
        assert!(V4_ROOTS.iter().all(|r| names.contains(*r)));
        assert!(!names.contains("ProductOrder") && !names.contains("ProductOrder_Update"));
        let names = definition_names(&v5, SpecKind::OpenApi3);
        assert!(V5_ROOTS.iter().all(|r| names.contains(*r)));
        assert!(!names.contains("ProductOrder") && !names.contains("ProductOrder_MVO"));
        Ok(())
    }

    #[test]
    fn oas_translation() {
        let mut v = json!({
            "oneOf": [{"$ref": "#/a"}], "discriminator": {"propertyName": "@type"},
            "properties": {"x": {"type": "string", "nullable": true}, "y": {"oneOf": [{}]}}
        });
        translate_oas(&mut v);
        assert_eq!(
            v,
            json!({"properties": {"x": {"type": ["string", "null"]}, "y": {"oneOf": [{}]}},
                   "anyOf": [{"$ref": "#/a"}]})
        );
    }

    #[test]
    fn closure_follows_refs_and_refuses_dangling_ones() -> TestResult {
        let spec = json!({"definitions": {
            "A": {"properties": {"b": {"$ref": "#/definitions/B"}}},
            "Unused": {},
            "B": {"items": {"$ref": "#/definitions/A"}}
        }});
        let c = vendored_closure(&spec, SpecKind::Swagger2, &["A"], "t")?;
        assert_eq!(
            definition_names(&c, SpecKind::Swagger2).into_iter().collect::<Vec<_>>(),
            ["A", "B"]
        );
        let dangling = json!({"definitions": {"A": {"$ref": "#/definitions/Z"}}});
        assert!(matches!(
            vendored_closure(&dangling, SpecKind::Swagger2, &["A"], "t"),
            Err(SchemaError::Unresolved { .. })
        ));
        Ok(())
    }

    #[test]
    fn findings_name_pointers_in_document_order() -> TestResult {
        let s = Schemas::load()?;
        let order = json!({"productOrderItem": [
            {"id": "1", "action": "add"}, {"id": "2", "action": "add"}, {"id": "3", "action": "add"},
            {"id": "4", "action": "add"}, {"id": "5", "action": "add"}, {"id": "6", "action": "add"},
            {"id": "7", "action": "add"}, {"id": "8", "action": "add"}, {"id": "9", "action": "add"},
            {"id": "10", "action": "buy", "quantity": "2"},
            {"action": "add", "productOffering": {"name": "x"}}
        ], "requestedStartDate": "tomorrow"});
        let ps = s.problems(RequestKind::ProductOrder, Version::V4, &order);
        let fields: Vec<&str> = ps.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            fields,
            [
                "/productOrderItem/9/action",
                "/productOrderItem/9/quantity",
                "/productOrderItem/10/id",
                "/productOrderItem/10/productOffering/id",
                "/requestedStartDate"
            ]
        );
        let codes: Vec<&str> = ps.iter().map(|p| p.code.as_str()).collect();
        assert_eq!(codes, [VALUE, TYPE, REQUIRED, REQUIRED, VALUE]);
        assert!(s
            .problems(RequestKind::ProductOrder, Version::V4, &json!({}))
            .iter()
            .any(|p| p.path == "/productOrderItem"));
        // v5 requires @type on the order and its items.
        let v5 = json!({"productOrderItem": [{"id": "1", "action": "add"}]});
        let fields: Vec<String> = s
            .problems(RequestKind::ProductOrder, Version::V5, &v5)
            .into_iter()
            .map(|p| p.path)
            .collect();
        assert_eq!(fields, ["/@type", "/productOrderItem/0/@type"]);
        let cancel = json!({"@type": "CancelProductOrder", "productOrder": {"@type": "ProductOrderRef", "id": "o-1"}});
        assert!(s.problems(RequestKind::CancelProductOrder, Version::V5, &cancel).is_empty());
        assert_eq!(
            s.problems(RequestKind::CancelProductOrder, Version::V4, &json!({"productOrder": {}}))
                .into_iter()
                .map(|p| p.path)
                .collect::<Vec<_>>(),
            ["/productOrder/id"]
        );
        Ok(())
    }

    #[test]
    fn pointer_order_is_numeric_for_indices() {
        assert_eq!(compare_pointers("/a/10", "/a/9"), Ordering::Greater);
        assert_eq!(compare_pointers("/a", "/a/0"), Ordering::Less);
        assert_eq!(compare_pointers("/a/b", "/a/c"), Ordering::Less);
    }
}
