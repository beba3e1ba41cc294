//! The conformance matrix: over a corpus of orders, `orderdesk check`, the editor's service and
//! the reference server reach the same decision; what the client would send validates against
//! the official create schema of its version with the known members closed; and the conversion
//! to the other version is valid there too (what it cannot carry is named by a warning).
//!
//! The corpus: every sample order in `assets/orders/`, the TMF622 conformance kit's payloads,
//! and generated variants of the TMF25 bundle in v4 and v5: each party shape, with and without
//! the order's own external id, with vendor extensions, and one variant per finding code.

mod common;

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use orderdesk_core::codes::{Class, CODES};
use orderdesk_service::order_findings;
use orderdesk_wire::{detect_version, Severity, Version};
use serde_json::{json, Map, Value};

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The official specifications, in `shared/tmf` beside the repository.
fn spec_path(name: &str) -> PathBuf {
    repo().join("../shared/tmf").join(name)
}

// ---- the corpus --------------------------------------------------------------------------------

/// One order of the corpus: a name, the document, and the finding code it is made to show
/// (`None` for orders that are not variants of one code).
struct Case {
    name: String,
    doc: Value,
    expect: Option<&'static str>,
}

fn case(name: impl Into<String>, doc: Value, expect: Option<&'static str>) -> Case {
    Case { name: name.into(), doc, expect }
}

fn samples() -> Vec<Case> {
    let dir = repo().join("assets/orders");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|p| case(format!("sample {}", p.display()), read_json(&p), None))
        .collect()
}

/// The request bodies of the TMF622 v4 conformance kit (its POST payloads and its example).
fn kit_payloads() -> Vec<Case> {
    let dir = spec_path("ctk-tmf622-v4");
    let mut out =
        vec![case("ctk example", read_json(&dir.join("ProductOrder.example.json")), None)];
    let config = read_json(&dir.join("config.json"));
    if let Some(body) = config.pointer("/payloads/ProductOrder/POST/payload") {
        out.push(case("ctk config payload", body.clone(), None));
    }
    let collection =
        read_json(&dir.join("TMF622-ProductOrdering-v4.0.0.testkit.postman_collection.json"));
    let mut stack = vec![&collection];
    while let Some(node) = stack.pop() {
        if let Some(items) = node.get("item").and_then(Value::as_array) {
            stack.extend(items.iter());
        }
        let request = node.get("request");
        let is_post = request.and_then(|r| r.get("method")).and_then(Value::as_str) == Some("POST");
        let raw = request.and_then(|r| r.pointer("/body/raw")).and_then(Value::as_str);
        if let (true, Some(raw)) = (is_post, raw) {
            if let Ok(body) = serde_json::from_str::<Value>(raw) {
                let name = node.get("name").and_then(Value::as_str).unwrap_or("POST");
                out.push(case(format!("ctk request {name}"), body, None));
            }
        }
    }
    out
}

fn base(version: Version) -> Value {
    let file = match version {
        Version::V4 => "tmf25-bundle.v4.json",
        Version::V5 => "tmf25-bundle.v5.json",
    };
    read_json(&repo().join("assets/orders").join(file))
}

fn with(mut doc: Value, change: impl FnOnce(&mut Value)) -> Value {
    change(&mut doc);
    doc
}

fn push(doc: &mut Value, pointer: &str, value: Value) {
    if let Some(Value::Array(list)) = doc.pointer_mut(pointer) {
        list.push(value);
    }
}

/// Sets the member at `pointer`, adding it to its object when it is not there yet.
fn set(doc: &mut Value, pointer: &str, value: Value) {
    if let Some(slot) = doc.pointer_mut(pointer) {
        *slot = value;
        return;
    }
    let (parent, key) = pointer.rsplit_once('/').unwrap_or(("", pointer));
    match doc.pointer_mut(parent) {
        Some(Value::Object(m)) => {
            m.insert(key.to_owned(), value);
        }
        _ => panic!("no object at {parent:?} to set {key:?} in"),
    }
}

fn remove(doc: &mut Value, pointer: &str, key: &str) {
    if let Some(Value::Object(m)) = doc.pointer_mut(pointer) {
        m.shift_remove(key);
    }
}

/// The customer as each shape of both versions writes it.
fn party_shapes() -> Vec<Case> {
    let v4 = base(Version::V4);
    let v5 = base(Version::V5);
    let role = json!({"role": "customer", "@type": "RelatedPartyRefOrPartyRoleRef",
        "partyOrPartyRole": {"id": "CR-77", "name": "Jean Pontus", "partyId": "45hj-8888",
            "partyName": "Jean Pontus", "@type": "PartyRoleRef", "@referredType": "Customer"}});
    let value = json!({"role": "customer", "@type": "RelatedPartyRefOrPartyRoleRef",
        "partyOrPartyRole": {"givenName": "Jean", "familyName": "Pontus", "@type": "Individual"}});
    let plain = json!({"id": "45hj-8888", "name": "Jean Pontus", "role": "customer"});
    vec![
        case("v4 flat party", v4.clone(), None),
        case(
            "v4 flat party without @referredType",
            with(v4, |d| set(d, "/relatedParty/0", plain)),
            None,
        ),
        case("v5 PartyRef", v5.clone(), None),
        case("v5 PartyRoleRef", with(v5.clone(), |d| set(d, "/relatedParty/0", role)), None),
        case("v5 party value", with(v5, |d| set(d, "/relatedParty/0", value)), None),
    ]
}

fn external_ids_and_extensions() -> Vec<Case> {
    let mut out = Vec::new();
    for version in [Version::V4, Version::V5] {
        let doc = base(version);
        out.push(case(
            format!("{version} without its own external id"),
            with(doc.clone(), |d| remove(d, "", "externalId")),
            None,
        ));
        out.push(case(
            format!("{version} with vendor extensions"),
            with(doc.clone(), |d| {
                set(
                    d,
                    "/x-shop",
                    serde_json::from_str(r#"{"till": 4, "rate": 0.1234567890123456789}"#)
                        .unwrap_or(Value::Null),
                );
                set(d, "/productOrderItem/0/x-campaign", json!("winter"));
            }),
            None,
        ));
    }
    out.push(case(
        "v5 with several external ids",
        with(base(Version::V5), |d| {
            push(
                d,
                "/externalId",
                json!({"id": "CRM-1", "owner": "crm", "@type": "ExternalIdentifier"}),
            )
        }),
        None,
    ));
    out
}

/// One variant per finding code (a few codes come in both versions).
fn one_per_code() -> Vec<Case> {
    let v4 = || base(Version::V4);
    let v5 = || base(Version::V5);
    let item = |id: &str| {
        json!({"id": id, "action": "add", "quantity": 1, "productOffering": {"id": "14305"},
        "product": {"productCharacteristic": [{"name": "TEL_MSISDN", "value": "4915100009"}]}})
    };
    vec![
        case("order.not_object", json!([1, 2]), Some("order.not_object")),
        case(
            "order.items_invalid",
            with(v4(), |d| set(d, "/productOrderItem", json!({"id": "1"}))),
            Some("order.items_invalid"),
        ),
        case(
            "order.no_items",
            with(v4(), |d| set(d, "/productOrderItem", json!([]))),
            Some("order.no_items"),
        ),
        case(
            "type.unexpected",
            with(v4(), |d| set(d, "/productOrderItem/1/@type", json!("productOrderItem"))),
            Some("type.unexpected"),
        ),
        case("field.lenient", with(v4(), |d| set(d, "/priority", json!(1))), Some("field.lenient")),
        case(
            "date.invalid",
            with(v4(), |d| set(d, "/requestedStartDate", json!("tomorrow"))),
            Some("date.invalid"),
        ),
        case(
            "date.order",
            with(v4(), |d| {
                set(d, "/requestedStartDate", json!("2099-05-03"));
                set(d, "/requestedCompletionDate", json!("2099-05-02"));
            }),
            Some("date.order"),
        ),
        case(
            "date.past",
            with(v4(), |d| set(d, "/requestedStartDate", json!("2019-05-03"))),
            Some("date.past"),
        ),
        case(
            "party.unidentified v4",
            with(v4(), |d| set(d, "/relatedParty/0", json!({"role": "customer"}))),
            Some("party.unidentified"),
        ),
        case(
            "party.unidentified v5",
            with(v5(), |d| {
                set(d, "/relatedParty/0/partyOrPartyRole", json!({"@type": "PartyRoleRef"}))
            }),
            Some("party.unidentified"),
        ),
        case(
            "item.id_missing",
            with(v4(), |d| push(d, "/productOrderItem", json!({"action": "add"}))),
            Some("item.id_missing"),
        ),
        case(
            "item.duplicate_id",
            with(v4(), |d| push(d, "/productOrderItem", item("2"))),
            Some("item.duplicate_id"),
        ),
        case(
            "item.action_missing",
            with(v4(), |d| remove(d, "/productOrderItem/2", "action")),
            Some("item.action_missing"),
        ),
        case(
            "item.action_unknown",
            with(v4(), |d| set(d, "/productOrderItem/2/action", json!("explode"))),
            Some("item.action_unknown"),
        ),
        case(
            "item.product_missing",
            with(v4(), |d| set(d, "/productOrderItem/2/action", json!("modify"))),
            Some("item.product_missing"),
        ),
        case(
            "item.quantity",
            with(v4(), |d| set(d, "/productOrderItem/1/quantity", json!(0))),
            Some("item.quantity"),
        ),
        case(
            "relationship.dangling",
            with(v4(), |d| {
                set(
                    d,
                    "/productOrderItem/1/productOrderItemRelationship",
                    json!([{"id": "99", "relationshipType": "reliesOn"}]),
                )
            }),
            Some("relationship.dangling"),
        ),
        case(
            "bundle.cycle",
            with(v4(), |d| {
                set(
                    d,
                    "/productOrderItem/1/productOrderItemRelationship",
                    json!([{"id": "1", "relationshipType": "bundles"}]),
                )
            }),
            Some("bundle.cycle"),
        ),
        case(
            "bundle.multiple_parents",
            with(v4(), |d| {
                push(
                    d,
                    "/productOrderItem",
                    json!({"id": "9", "action": "add", "productOffering": {"id": "14277"}, "productOrderItemRelationship": [{"id": "2", "relationshipType": "bundles"}]}),
                )
            }),
            Some("bundle.multiple_parents"),
        ),
        case(
            "characteristic.name_missing",
            with(v4(), |d| {
                push(d, "/productOrderItem/1/product/productCharacteristic", json!({"value": "x"}))
            }),
            Some("characteristic.name_missing"),
        ),
        case(
            "characteristic.type_mismatch",
            with(v5(), |d| {
                set(
                    d,
                    "/productOrderItem/1/product/productCharacteristic/0/value",
                    json!(4152797439_u64),
                )
            }),
            Some("characteristic.type_mismatch"),
        ),
        case(
            "price.invalid",
            with(v4(), |d| {
                set(
                    d,
                    "/productOrderItem/1/itemPrice/0/price/taxIncludedAmount/value",
                    json!("abc"),
                )
            }),
            Some("price.invalid"),
        ),
        case(
            "price.alteration_invalid",
            with(v4(), |d| {
                set(
                    d,
                    "/productOrderItem/1/itemPrice/0/priceAlteration",
                    json!([{"priceType": "oneTime", "price": {"percentage": 150}}]),
                )
            }),
            Some("price.alteration_invalid"),
        ),
        case(
            "price.currency_mismatch",
            with(v4(), |d| {
                set(d, "/productOrderItem/1/itemPrice/0/price/taxIncludedAmount/unit", json!("USD"))
            }),
            Some("price.currency_mismatch"),
        ),
        case(
            "money.unit_invalid",
            with(v4(), |d| {
                set(
                    d,
                    "/orderTotalPrice",
                    json!([{"priceType": "recurring", "price": {"taxIncludedAmount": {"unit": "euro", "value": 20}}}]),
                )
            }),
            Some("money.unit_invalid"),
        ),
        case(
            "schema.required",
            with(v4(), |d| set(d, "/note/0", json!({"author": "Anna Agent"}))),
            Some("schema.required"),
        ),
        case(
            "schema.type",
            with(v4(), |d| set(d, "/note", json!("call before delivery"))),
            Some("schema.type"),
        ),
        case(
            "schema.value",
            with(v5(), |d| set(d, "/requestedInitialState", json!("later"))),
            Some("schema.value"),
        ),
        case(
            "schema.shape",
            with(v5(), |d| set(d, "/productOrderItem/3/product/isBundle", json!("perhaps"))),
            Some("schema.shape"),
        ),
        case(
            "convert.not_carried",
            with(v5(), |d| set(d, "/requestedInitialState", json!("acknowledged"))),
            Some("convert.not_carried"),
        ),
        case(
            "offering.unknown",
            with(v4(), |d| set(d, "/productOrderItem/2/productOffering/id", json!("nope"))),
            Some("offering.unknown"),
        ),
        case(
            "offering.not_orderable",
            with(v4(), |d| {
                push(
                    d,
                    "/productOrderItem",
                    json!({"id": "9", "action": "add", "productOffering": {"id": "20131"}}),
                )
            }),
            Some("offering.not_orderable"),
        ),
        case(
            "bundle.cardinality",
            with(v4(), |d| {
                set(
                    d,
                    "/productOrderItem/0/productOrderItemRelationship",
                    json!([{"id": "2", "relationshipType": "bundles"}, {"id": "4", "relationshipType": "bundles"}]),
                )
            }),
            Some("bundle.cardinality"),
        ),
        case(
            "bundle.unexpected_child",
            with(v4(), |d| {
                push(
                    d,
                    "/productOrderItem",
                    json!({"id": "9", "action": "add", "productOffering": {"id": "20006"}}),
                );
                push(
                    d,
                    "/productOrderItem/0/productOrderItemRelationship",
                    json!({"id": "9", "relationshipType": "bundles"}),
                );
            }),
            Some("bundle.unexpected_child"),
        ),
        case(
            "characteristic.missing",
            with(v4(), |d| set(d, "/productOrderItem/1/product/productCharacteristic", json!([]))),
            Some("characteristic.missing"),
        ),
        case(
            "characteristic.value",
            with(v4(), |d| {
                set(d, "/productOrderItem/3/product/productCharacteristic/0/value", json!("Mars"))
            }),
            Some("characteristic.value"),
        ),
        case(
            "characteristic.format",
            with(v4(), |d| {
                set(d, "/productOrderItem/1/product/productCharacteristic/0/value", json!("12ab"))
            }),
            Some("characteristic.format"),
        ),
        case(
            "characteristic.pattern",
            json!({"productOrderItem": [{"id": "1", "action": "add", "quantity": 1,
                "productOffering": {"id": "20019"}, "product": {"productCharacteristic": [
                    {"name": "INSTALLATION_ADDRESS_ID", "value": "12 Main St."}]}}]}),
            Some("characteristic.pattern"),
        ),
        case(
            "characteristic.unknown",
            with(v4(), |d| {
                push(
                    d,
                    "/productOrderItem/1/product/productCharacteristic",
                    json!({"name": "Colour", "value": "red"}),
                )
            }),
            Some("characteristic.unknown"),
        ),
        case(
            "relationship.target_missing",
            json!({"productOrderItem": [{"id": "1", "action": "add", "quantity": 1,
                "productOffering": {"id": "14380"}}]}),
            Some("relationship.target_missing"),
        ),
    ]
}

/// Variants beyond one of `orderdesk_core::limits`.
fn beyond_limits() -> Vec<Case> {
    use orderdesk_core::limits;
    let v4 = || base(Version::V4);
    let plain = |i: usize| json!({"id": format!("x{i}"), "action": "add", "quantity": 1});
    let chain: Vec<Value> = (0..=limits::MAX_BUNDLE_DEPTH)
        .map(|i| {
            json!({"id": format!("c{i}"), "action": "add", "product": {"isBundle": true},
                "productOrderItemRelationship": [{"id": format!("c{}", i + 1), "relationshipType": "bundles"}]})
        })
        .chain(std::iter::once(json!({"id": format!("c{}", limits::MAX_BUNDLE_DEPTH + 1), "action": "add"})))
        .collect();
    vec![
        case(
            "limit.items",
            json!({"productOrderItem": (0..=limits::MAX_ITEMS).map(plain).collect::<Vec<_>>()}),
            Some("limit.items"),
        ),
        case("limit.depth", json!({"productOrderItem": chain}), Some("limit.depth")),
        case(
            "limit.children",
            with(v4(), |d| {
                let children: Vec<Value> = (0..=limits::MAX_CHILDREN).map(plain).collect();
                set(d, "/productOrderItem/0/productOrderItem", Value::Array(children));
            }),
            Some("limit.children"),
        ),
        case(
            "limit.characteristics",
            with(v4(), |d| {
                let chars: Vec<Value> = (0..=limits::MAX_CHARACTERISTICS)
                    .map(|i| json!({"name": format!("extra{i}"), "value": "x"}))
                    .collect();
                set(d, "/productOrderItem/1/product/productCharacteristic", Value::Array(chars));
            }),
            Some("limit.characteristics"),
        ),
        case(
            "limit.prices",
            with(v4(), |d| {
                let alts: Vec<Value> = (0..=limits::MAX_ALTERATIONS)
                    .map(|_| json!({"priceType": "recurring", "price": {"percentage": 1}}))
                    .collect();
                set(d, "/productOrderItem/2/itemPrice/0/priceAlteration", Value::Array(alts));
            }),
            Some("limit.prices"),
        ),
        case(
            "limit.quantity",
            with(v4(), |d| set(d, "/productOrderItem/3/quantity", json!(limits::MAX_QUANTITY + 1))),
            Some("limit.quantity"),
        ),
        case(
            "limit.text",
            with(v4(), |d| set(d, "/description", json!("x".repeat(limits::MAX_TEXT_CHARS + 1)))),
            Some("limit.text"),
        ),
    ]
}

/// Codes no single document shows through `orderdesk check`, and why.
const NOT_FROM_A_DOCUMENT: &[(&str, &str)] = &[
    (
        "price.period_mixed",
        "a pricing finding: the editor's price panel shows it, `orderdesk price` too",
    ),
    ("limit.periods", "a pricing finding: the schedule stops at the limit and says so"),
    (
        "discount.reason",
        "a discount policy finding: it needs the policy of a server profile, which neither a \
         document nor the reference server has (the core's tests show it)",
    ),
    (
        "discount.approval",
        "a discount policy finding: it needs the policy of a server profile, which neither a \
         document nor the reference server has (the core's tests show it)",
    ),
    (
        "price.overflow",
        "a pricing finding: a total beyond the decimal type is named where it is shown",
    ),
    // The inventory findings judge an item against the customer's installed products, which
    // the document does not carry: the core's change tests and the reference server's
    // inventory tests (a 422 naming the item) show them.
    ("product.unknown", "an inventory finding: it needs the customer's installed products"),
    ("product.other_customer", "an inventory finding: it needs the customer's installed products"),
    ("product.not_active", "an inventory finding: it needs the customer's installed products"),
];

// ---- the official schemas, known members closed ------------------------------------------------

/// Every property name a specification defines anywhere.
fn known_names(schemas: &Map<String, Value>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack: Vec<&Value> = schemas.values().collect();
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(m) => {
                if let Some(Value::Object(props)) = m.get("properties") {
                    out.extend(props.keys().cloned());
                }
                stack.extend(m.values());
            }
            Value::Array(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
    out
}

/// The properties a named schema allows, through its `allOf` references.
fn allowed(name: &str, schemas: &Map<String, Value>, prefix: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut todo = vec![name.to_owned()];
    let mut seen = HashSet::new();
    while let Some(n) = todo.pop() {
        if !seen.insert(n.clone()) {
            continue;
        }
        let Some(schema) = schemas.get(&n) else { continue };
        let mut parts = vec![schema];
        if let Some(Value::Array(all)) = schema.get("allOf") {
            parts.extend(all.iter());
        }
        for part in parts {
            if let Some(Value::Object(props)) = part.get("properties") {
                out.extend(props.keys().cloned());
            }
            if let Some(r) = part.get("$ref").and_then(Value::as_str) {
                if let Some(target) = r.strip_prefix(prefix) {
                    todo.push(target.to_owned());
                }
            }
        }
    }
    out
}

/// Closes every named object schema: a member some TMF622 schema (of either version) knows,
/// but this one does not allow, is refused. Members no specification knows (vendor
/// extensions) stay allowed. Schemas others extend through `allOf` stay open (closing them
/// would refuse the members of the schemas built on them); the ones built on them are closed.
fn close(schemas: &mut Map<String, Value>, known: &BTreeSet<String>, prefix: &str) {
    let mut extended = HashSet::new();
    for schema in schemas.values() {
        if let Some(Value::Array(all)) = schema.get("allOf") {
            for part in all {
                if let Some(target) =
                    part.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix(prefix))
                {
                    extended.insert(target.to_owned());
                }
            }
        }
    }
    let names: Vec<String> = schemas.keys().cloned().collect();
    for name in names {
        let allows = allowed(&name, schemas, prefix);
        if allows.is_empty() || extended.contains(&name) {
            continue;
        }
        let forbidden: Vec<Value> = known
            .iter()
            .filter(|k| !allows.contains(*k))
            .map(|k| json!({"required": [k]}))
            .collect();
        if let Some(Value::Object(schema)) = schemas.get_mut(&name) {
            let closed = json!({"not": {"anyOf": forbidden}});
            match schema.get_mut("allOf") {
                Some(Value::Array(all)) => all.push(closed),
                _ => {
                    let original = Value::Object(std::mem::take(schema));
                    schema.insert("allOf".into(), json!([original, closed]));
                }
            }
        }
    }
}

struct Validators {
    v4: jsonschema::Validator,
    v5: jsonschema::Validator,
}

fn validators() -> Result<Validators, Box<dyn std::error::Error + Send + Sync>> {
    let swagger = read_json(&spec_path("TMF622-ProductOrdering-v4.0.0.swagger.json"));
    let oas: Value = serde_norway::from_str(&std::fs::read_to_string(spec_path(
        "TMF622-ProductOrdering-v5.0.0.oas.yaml",
    ))?)?;
    let mut v4 = swagger.get("definitions").and_then(Value::as_object).cloned().unwrap_or_default();
    let mut v5 =
        oas.pointer("/components/schemas").and_then(Value::as_object).cloned().unwrap_or_default();
    let mut v5_value = Value::Object(v5.clone());
    orderdesk_wire::schema::translate_oas(&mut v5_value);
    if let Value::Object(m) = v5_value {
        v5 = m;
    }
    let mut known = known_names(&v4);
    known.extend(known_names(&v5));
    close(&mut v4, &known, "#/definitions/");
    close(&mut v5, &known, "#/components/schemas/");
    let build = |doc: Value| {
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft4)
            .should_validate_formats(true)
            .build(&doc)
    };
    Ok(Validators {
        v4: build(
            json!({"definitions": v4, "allOf": [{"$ref": "#/definitions/ProductOrder_Create"}]}),
        )?,
        v5: build(json!({"components": {"schemas": v5},
            "allOf": [{"$ref": "#/components/schemas/ProductOrder_FVO"}]}))?,
    })
}

impl Validators {
    fn errors(&self, version: Version, doc: &Value) -> Vec<String> {
        let v = match version {
            Version::V4 => &self.v4,
            Version::V5 => &self.v5,
        };
        v.iter_errors(doc)
            .map(|e| format!("{} at {}", e.masked(), e.instance_path()))
            .take(5)
            .collect()
    }
}

// ---- the decisions -----------------------------------------------------------------------------

fn error_codes<'a>(codes: impl Iterator<Item = (&'a str, bool)>) -> BTreeSet<String> {
    codes.filter(|(_, error)| *error).map(|(c, _)| c.to_owned()).collect()
}

const CLIENT_ORDER_ID: &str = "od-0123456789abcdef0123456789abcdef";

/// The bundled demo catalog, indexed whole.
fn demo_catalog() -> Result<orderdesk_core::Catalog, orderdesk_core::CoreError> {
    orderdesk_core::Catalog::from_json(&read_json(&repo().join("assets/catalog/demo.json")))
}

/// Validation and pricing read only what an order names: against the closure the service
/// reads from the store, every order of the corpus gets exactly the findings and the quote it
/// gets against the whole catalog.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_closure_of_an_order_validates_and_prices_as_the_whole_catalog() -> TestResult {
    let (_dir, service) = common::demo_service().await;
    let whole = demo_catalog()?;
    let now = chrono::Utc::now();
    let mut corpus = samples();
    corpus.extend(kit_payloads());
    corpus.extend(party_shapes());
    corpus.extend(external_ids_and_extensions());
    corpus.extend(one_per_code());
    corpus.extend(beyond_limits());
    let mut compared = 0usize;
    for Case { name, doc, .. } in &corpus {
        let closure = service.order_catalog(doc.clone()).await?;
        assert!(
            closure.rules.offerings.len() < whole.offerings.len(),
            "{name}: the closure is not the whole catalog"
        );
        let options = orderdesk_core::ValidateOptions {
            now: Some(now),
            version: detect_version(doc),
            policy: None,
        };
        assert_eq!(
            orderdesk_core::validate_json(doc, Some(&closure.rules), options),
            orderdesk_core::validate_json(doc, Some(&whole), options),
            "{name}: findings"
        );
        let Ok(order) = orderdesk_core::Order::from_json(doc.clone()) else { continue };
        let pricing = orderdesk_core::PricingOptions::default();
        assert_eq!(
            orderdesk_core::price(&order, Some(&closure.rules), pricing),
            orderdesk_core::price(&order, Some(&whole), pricing),
            "{name}: quote"
        );
        compared += 1;
    }
    assert!(compared > 20, "only {compared} orders priced");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_editor_and_server_agree_on_every_order() -> TestResult {
    let (_dir, service) = common::demo_service().await;
    // A reference server of its own, with the same demo catalog: the demo server answers only
    // the app's own client.
    let reference = orderdesk_server::start(orderdesk_server::ServerConfig::default()).await?;
    let server = reference.base_url().to_owned();
    // `orderdesk check --catalog` indexes the whole catalog file; the editor reads the closure
    // of what each order names from the store.
    let whole = demo_catalog()?;
    let rules = Some(&whole);
    let schemas = validators()?;
    let http = reqwest::Client::new();

    let mut corpus = samples();
    corpus.extend(kit_payloads());
    corpus.extend(party_shapes());
    corpus.extend(external_ids_and_extensions());
    corpus.extend(one_per_code());
    corpus.extend(beyond_limits());
    let mut covered: BTreeSet<&str> = BTreeSet::new();
    let mut failures = Vec::new();

    for Case { name, doc, expect } in &corpus {
        let version = detect_version(doc).unwrap_or(Version::V4);
        // `orderdesk check` (the CLI calls exactly this).
        let check = order_findings(doc, rules, None);
        let check_errors = error_codes(check.iter().map(|f| (f.code.as_str(), f.is_error())));
        // The editor: the document imported as a draft.
        let editor_errors = match service.import_order(doc.to_string()).await {
            Ok(state) => error_codes(
                state
                    .quote
                    .findings
                    .iter()
                    .map(|f| (f.code.as_str(), f.severity == Severity::Error)),
            ),
            Err(e) => BTreeSet::from([e.to_string()]),
        };
        let blocked = !check_errors.is_empty();
        let editor_blocked = !editor_errors.is_empty();
        if blocked != editor_blocked
            || (blocked
                && editor_errors.iter().all(|c| c.contains('.'))
                && editor_errors != check_errors)
        {
            failures
                .push(format!("{name}: check {check_errors:?} but the editor {editor_errors:?}"));
        }
        // The code this variant is made for.
        if let Some(code) = expect {
            let converted = orderdesk_wire::to_version(doc.clone(), None, other(version));
            let seen = check.iter().any(|f| f.code == *code)
                || converted.findings.iter().any(|f| f.code == *code);
            if seen {
                covered.insert(code);
            } else {
                failures.push(format!("{name}: made to show {code}, found {:?}", codes(&check)));
            }
        }
        if !doc.is_object() {
            continue;
        }
        // The reference server, given what the client would send.
        let sent =
            orderdesk_sync::payload::create_request(doc.clone(), None, version, CLIENT_ORDER_ID);
        let answer = http
            .post(format!("{server}/tmf-api/productOrderingManagement/{version}/productOrder"))
            .json(&sent.body)
            .send()
            .await?;
        let status = answer.status().as_u16();
        let body: Value = answer.json().await.unwrap_or(Value::Null);
        let refused = matches!(status, 400 | 422);
        if !matches!(status, 201 | 400 | 422) {
            failures.push(format!("{name}: the server answered {status}: {body}"));
        } else if refused != blocked {
            failures.push(format!(
                "{name}: the client {} it, the server answered {status} {}",
                if blocked { "blocks" } else { "lets through" },
                body.get("message").and_then(Value::as_str).unwrap_or_default()
            ));
        } else if refused {
            // The server names a problem of the class the client found first.
            let code = body.get("code").and_then(Value::as_str).unwrap_or_default();
            let class = |c: &str| CODES.iter().find(|x| x.code == c).map(|x| x.class);
            let structural = check_errors.iter().any(|c| class(c) == Some(Class::Structure));
            let expected = if structural { 400 } else { 422 };
            if status != expected && !code.starts_with("schema.") {
                failures.push(format!("{name}: client {check_errors:?}, server {status} {code}"));
            }
        }
        if blocked {
            continue;
        }
        // What is sent validates against the create schema of its version, known members closed.
        let errors = schemas.errors(version, &sent.body);
        if !errors.is_empty() {
            failures.push(format!("{name}: the {version} create payload is invalid: {errors:?}"));
        }
        // The other version: valid there, whatever it could not carry named by a warning.
        let target = other(version);
        let converted =
            orderdesk_sync::payload::create_request(doc.clone(), None, target, CLIENT_ORDER_ID);
        let errors = schemas.errors(target, &converted.body);
        if !errors.is_empty() {
            failures.push(format!("{name}: converted to {target} it is invalid: {errors:?}"));
        }
        if converted.findings.iter().any(|f| f.is_error()) {
            failures.push(format!(
                "{name}: converting to {target} gave errors: {:?}",
                converted.findings
            ));
        }
    }

    let made: BTreeSet<&str> = covered.iter().copied().collect();
    for c in CODES {
        let exempt = NOT_FROM_A_DOCUMENT.iter().any(|(code, _)| *code == c.code);
        if !exempt && !made.contains(c.code) {
            failures.push(format!("no variant shows {}", c.code));
        }
    }
    reference.shutdown().await;
    assert!(failures.is_empty(), "{} orders disagree:\n{}", failures.len(), failures.join("\n"));
    assert!(corpus.len() > 50, "the corpus has {} orders", corpus.len());
    Ok(())
}

fn other(v: Version) -> Version {
    match v {
        Version::V4 => Version::V5,
        Version::V5 => Version::V4,
    }
}

fn codes(findings: &[orderdesk_core::Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.code.as_str()).collect()
}
