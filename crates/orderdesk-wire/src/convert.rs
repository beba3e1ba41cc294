//! TMF622 v4 ↔ v5 conversion: the one place where version differences live.
//!
//! Conversion works on the JSON form, member by member, so everything it does not touch (vendor
//! extensions, `@schemaLocation`, unknown members) passes through unchanged. Mapping:
//!
//! | v4 | v5 |
//! |---|---|
//! | `orderDate` | `creationDate` |
//! | `externalId: "X"` | `externalId: [{id: "X", @type: ExternalIdentifier}]` |
//! | `relatedParty {id, href, name, role, @referredType}` | `{role, partyOrPartyRole: {id, href, name, @referredType, @type: PartyRef}, @type: RelatedPartyRefOrPartyRoleRef}` |
//! | `channel {id, href, name, role}` | `{role, channel: {id, href, name, @type: ChannelRef}, @type: RelatedChannel}` |
//! | `place {id, href, name, role}` | `{role, place: {id, href, name, @type: PlaceRef}, @type: RelatedPlaceRefOrValue}` |
//! | characteristic `{name, value, valueType?}` | typed: `@type` from `valueType`, else from the JSON type of `value` |
//! | `RelatedProductOrderItem {productOrderId, productOrderHref}` | `RelatedOrderItem {orderId, orderHref}` |
//! | `quoteItem.id` | `quoteItem.quoteItemId` |
//! | `productOfferingQualificationItem.id` | `.itemId` |
//! | product `agreement [{id, href, name}]` | `agreementItem [{agreementId, agreementHref, agreementName}]` |
//! | `productPriceAlteration` | `priceAlteration` |
//! | `productRelationship {relationshipType, product}` | `{relationshipType, id, href, name, @type: ProductRelationship}` |
//! | (no `@type`) | the `@type` v5 requires on every Extensible object |
//!
//! Lossless rules:
//! - v5 → v4 → v5 gives the same JSON value. Whatever v4 cannot express stays in the v4 object
//!   as an extension member (v5-only members keep their names; several external identifiers are
//!   kept whole in `externalIdentifier`, next to `externalId` holding the first one; a related
//!   party, channel or place that is not a plain reference stays in its v5 shape). A payload
//!   that is not all in v5 shape (a related party written v4's way, an `@type` v5 requires
//!   missing) comes back in its canonical v5 form: what `order_v4_to_v5` makes of it.
//! - v4 → v5 → v4 gives the same JSON value except that `@type` members v5 requires are added
//!   where the v4 payload had none (v4 accepts them; no other member is added, dropped or changed).
//!   A related party, channel or place that is a plain reference written v5's way comes back
//!   in v4's shape.
//!   Typed characteristics keep their v5 `@type` in v4 so the value type survives the trip.
//! - Conversion writes leniently read members in their proper type (a quantity sent as `"2"`
//!   becomes `2`, a priority sent as `1` becomes `"1"`): it produces a new payload.
//! - `@type` spellings that only differ from the canonical name (`productOrder`,
//!   `ProductOrder_V4`) are corrected, because v5 discriminators require the exact name.

use serde_json::{Map, Value};

use crate::field::WireField;
use crate::{v4, v5, Version};

/// Converts a v4 order to v5.
pub fn v4_to_v5(order: &v4::ProductOrder) -> v5::ProductOrder {
    v5::ProductOrder::decode(order_v4_to_v5(order.to_canonical_value())).unwrap_or_default()
}

/// Converts a v5 order to v4.
pub fn v5_to_v4(order: &v5::ProductOrder) -> v4::ProductOrder {
    v4::ProductOrder::decode(order_v5_to_v4(order.to_canonical_value())).unwrap_or_default()
}

/// Converts a v4 cancellation request to v5.
pub fn cancel_v4_to_v5(cancel: &v4::CancelProductOrder) -> v5::CancelProductOrder {
    let mut v = cancel.to_canonical_value();
    if let Some(m) = v.as_object_mut() {
        set_type(m, "CancelProductOrder", &["cancelproductorder"]);
        with_obj(m, "productOrder", |r| fill(r, "ProductOrderRef"));
    }
    v5::CancelProductOrder::decode(v).unwrap_or_default()
}

/// Converts a v5 cancellation request to v4 (`creationDate` stays as an extension member).
pub fn cancel_v5_to_v4(cancel: &v5::CancelProductOrder) -> v4::CancelProductOrder {
    v4::CancelProductOrder::decode(cancel.to_canonical_value()).unwrap_or_default()
}

/// Converts a v4 order's JSON to v5 JSON (non-objects are returned unchanged).
pub fn order_v4_to_v5(mut v: Value) -> Value {
    let Some(m) = v.as_object_mut() else { return v };
    set_type(m, "ProductOrder", &["productorder"]);
    rename(m, "orderDate", "creationDate");
    let ext_at = first_position(m, &["externalId", "externalIdentifier"]);
    // A scalar is read as the v4 type reads its `externalId` (a number or boolean as its text),
    // so converting a payload and converting what the v4 types read from it agree.
    let external_id = m.shift_remove("externalId").map(as_v4_text);
    match external_id {
        Some(Value::String(id)) => {
            let keep = match m.get("externalIdentifier") {
                Some(Value::Array(ids)) => {
                    ids.first().and_then(|x| x.get("id")).and_then(Value::as_str) == Some(&id)
                }
                _ => false,
            };
            let list = if keep {
                m.shift_remove("externalIdentifier").unwrap_or(Value::Null)
            } else {
                let mut x = Map::new();
                x.insert("id".into(), Value::String(id));
                x.insert("@type".into(), Value::String("ExternalIdentifier".into()));
                Value::Array(vec![Value::Object(x)])
            };
            m.shift_insert(ext_at.min(m.len()), "externalId".into(), list);
        }
        Some(other) => {
            m.shift_insert(ext_at.min(m.len()), "externalId".into(), other);
        }
        None => {
            if let Some(list) = take_array(m, "externalIdentifier") {
                m.shift_insert(ext_at.min(m.len()), "externalId".into(), Value::Array(list));
            }
        }
    }
    if let Some(Value::Array(ids)) = m.get_mut("externalId") {
        for x in ids.iter_mut().filter_map(Value::as_object_mut) {
            fill(x, "ExternalIdentifier");
        }
    }
    refs_4to5(m);
    each(m, "channel", channel_4to5);
    each(m, "relatedParty", party_4to5);
    each(m, "note", |x| fill(x, "Note"));
    each(m, "orderTotalPrice", order_price_4to5);
    each(m, "productOrderItem", item_4to5);
    v
}

/// Converts a v5 order's JSON to v4 JSON (non-objects are returned unchanged).
pub fn order_v5_to_v4(mut v: Value) -> Value {
    let Some(m) = v.as_object_mut() else { return v };
    rename(m, "creationDate", "orderDate");
    if let Some(Value::Array(ids)) = m.get("externalId") {
        let plain = ids.len() == 1
            && ids.iter().all(|x| {
                x.as_object().is_some_and(|o| {
                    o.get("id").is_some_and(Value::is_string)
                        && o.iter().all(|(k, v)| {
                            k == "id" || (k == "@type" && v.as_str() == Some("ExternalIdentifier"))
                        })
                })
            });
        let first =
            ids.first().and_then(|x| x.get("id")).and_then(Value::as_str).map(str::to_owned);
        if let (true, Some(id)) = (plain, first.clone()) {
            m.insert("externalId".into(), Value::String(id));
        } else if let Some(list) = m.shift_remove("externalId") {
            if !m.contains_key("externalIdentifier") {
                m.insert("externalIdentifier".into(), list);
                if let Some(id) = first {
                    m.insert("externalId".into(), Value::String(id));
                }
            } else {
                m.insert("externalId".into(), list);
            }
        }
    }
    each(m, "channel", channel_5to4);
    each(m, "relatedParty", party_5to4);
    each(m, "productOrderItem", item_5to4);
    v
}

/// An order's JSON in `from`'s shape brought to `to`'s (the lossless mapping above; on an
/// order already in `to`'s shape a v4 → v5 step only adds the `@type`s v5 requires, and
/// v4 → v4 changes nothing).
pub fn order_between(v: Value, from: Version, to: Version) -> Value {
    match (from, to) {
        (Version::V4, Version::V4) => v,
        (Version::V5, Version::V4) => order_v5_to_v4(v),
        (_, Version::V5) => order_v4_to_v5(v),
    }
}

/// A cancellation request's JSON in `from`'s shape brought to `to`'s. The shapes differ only
/// in the `@type`s v5 requires (a v5 `creationDate` stays as an extension member in v4).
pub fn cancel_between(mut v: Value, from: Version, to: Version) -> Value {
    if from == Version::V4 && to == Version::V5 {
        if let Some(m) = v.as_object_mut() {
            set_type(m, "CancelProductOrder", &["cancelproductorder"]);
            with_obj(m, "productOrder", |r| fill(r, "ProductOrderRef"));
        }
    }
    v
}

// ----- v4 → v5 pieces -------------------------------------------------------------------------

fn refs_4to5(m: &mut Map<String, Value>) {
    each(m, "agreement", |x| fill(x, "AgreementRef"));
    with_obj(m, "billingAccount", |x| fill(x, "BillingAccountRef"));
    each(m, "payment", |x| fill(x, "PaymentRef"));
    each(m, "quote", |x| fill(x, "QuoteRef"));
    each(m, "productOfferingQualification", |x| fill(x, "ProductOfferingQualificationRef"));
}

fn item_4to5(m: &mut Map<String, Value>) {
    set_type(m, "ProductOrderItem", &["productorderitem"]);
    refs_4to5(m);
    with_obj(m, "appointment", |x| fill(x, "AppointmentRef"));
    each(m, "itemPrice", order_price_4to5);
    each(m, "itemTotalPrice", order_price_4to5);
    each(m, "itemTerm", |x| fill(x, "OrderTerm"));
    each(m, "note", |x| fill(x, "Note"));
    each(m, "qualification", |x| fill(x, "ProductOfferingQualificationRef"));
    with_obj(m, "productOffering", |x| fill(x, "ProductOfferingRef"));
    with_obj(m, "productOfferingQualificationItem", |x| {
        rename(x, "id", "itemId");
        fill(x, "ProductOfferingQualificationItemRef");
    });
    with_obj(m, "quoteItem", |x| {
        rename(x, "id", "quoteItemId");
        fill(x, "QuoteItemRef");
    });
    each(m, "productOrderItemRelationship", |x| fill(x, "OrderItemRelationship"));
    with_obj(m, "product", product_4to5);
    each(m, "productOrderItem", item_4to5);
}

fn order_price_4to5(m: &mut Map<String, Value>) {
    fill(m, "OrderPrice");
    price_parts_4to5(m);
    each(m, "priceAlteration", alteration_4to5);
}

fn alteration_4to5(m: &mut Map<String, Value>) {
    fill(m, "PriceAlteration");
    price_parts_4to5(m);
}

fn price_parts_4to5(m: &mut Map<String, Value>) {
    with_obj(m, "price", |x| fill(x, "Price"));
    with_obj(m, "productOfferingPrice", |x| fill(x, "ProductOfferingPriceRef"));
    with_obj(m, "billingAccount", |x| fill(x, "BillingAccountRef"));
}

const REF_KEYS: &[&str] = &["id", "href", "name", "@referredType"];

pub(crate) fn product_4to5(m: &mut Map<String, Value>) {
    let is_ref = m.contains_key("id")
        && m.keys().all(|k| REF_KEYS.contains(&k.as_str()) || k.starts_with('@'));
    set_type(
        m,
        if is_ref { "ProductRef" } else { "Product" },
        &["productrefovalue", "productrefervalue", "productrefor value"],
    );
    if m.get("@type").and_then(Value::as_str) == Some("ProductRefOrValue") {
        m.insert(
            "@type".into(),
            Value::String(if is_ref { "ProductRef" } else { "Product" }.into()),
        );
    }
    if !m.contains_key("agreementItem") {
        if let Some(mut list) = take_array(m, "agreement") {
            for x in list.iter_mut().filter_map(Value::as_object_mut) {
                rename(x, "id", "agreementId");
                rename(x, "href", "agreementHref");
                rename(x, "name", "agreementName");
                fill(x, "AgreementItemRef");
            }
            m.insert("agreementItem".into(), Value::Array(list));
        }
    }
    with_obj(m, "billingAccount", |x| fill(x, "BillingAccountRef"));
    with_obj(m, "productOffering", |x| fill(x, "ProductOfferingRef"));
    with_obj(m, "productSpecification", |x| fill(x, "ProductSpecificationRef"));
    each(m, "productCharacteristic", characteristic_4to5);
    each(m, "productOrderItem", |x| {
        rename(x, "productOrderId", "orderId");
        rename(x, "productOrderHref", "orderHref");
        retype(x, "RelatedProductOrderItem", "RelatedOrderItem");
    });
    each(m, "product", product_4to5);
    each(m, "productPrice", |x| {
        fill(x, "ProductPrice");
        rename(x, "productPriceAlteration", "priceAlteration");
        price_parts_4to5(x);
        each(x, "priceAlteration", alteration_4to5);
    });
    each(m, "productRelationship", |x| {
        if let Some(Value::Object(p)) = x.get("product") {
            let plain = p.keys().all(|k| REF_KEYS.contains(&k.as_str()));
            let fields: Vec<(String, Value)> = p
                .iter()
                .filter(|(k, _)| REF_KEYS.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if plain && fields.iter().all(|(k, _)| !x.contains_key(k)) {
                x.shift_remove("product");
                for (k, v) in fields {
                    x.insert(k, v);
                }
            } else {
                with_obj(x, "product", product_4to5);
            }
        }
        fill(x, "ProductRelationship");
    });
    each(m, "productTerm", |x| fill(x, "ProductTerm"));
    each(m, "realizingResource", |x| fill(x, "ResourceRef"));
    each(m, "realizingService", |x| fill(x, "ServiceRef"));
    each(m, "relatedParty", party_4to5);
    each(m, "place", |x| wrap_4to5(x, "place", "PlaceRef", "RelatedPlaceRefOrValue"));
}

/// Characteristic `@type` for a declared v4 `valueType`.
fn typed_name_for_value_type(value_type: &str) -> Option<&'static str> {
    Some(match value_type.to_ascii_lowercase().as_str() {
        "string" | "text" | "date" | "datetime" | "date-time" => "StringCharacteristic",
        "number" | "decimal" | "double" => "NumberCharacteristic",
        "float" => "FloatCharacteristic",
        "integer" | "int" | "long" => "IntegerCharacteristic",
        "boolean" | "bool" => "BooleanCharacteristic",
        "object" => "ObjectCharacteristic",
        "stringarray" | "string[]" => "StringArrayCharacteristic",
        "numberarray" | "number[]" => "NumberArrayCharacteristic",
        "integerarray" | "integer[]" => "IntegerArrayCharacteristic",
        "objectarray" | "object[]" => "ObjectArrayCharacteristic",
        "booleanarray" | "boolean[]" => "BooleanArrayCharacteristic",
        _ => return None,
    })
}

/// Characteristic `@type` for a value's JSON type.
fn typed_name_for_value(value: Option<&Value>) -> &'static str {
    match value {
        Some(Value::String(_)) => "StringCharacteristic",
        Some(Value::Number(_)) => "NumberCharacteristic",
        Some(Value::Bool(_)) => "BooleanCharacteristic",
        Some(Value::Object(_)) => "ObjectCharacteristic",
        Some(Value::Array(items)) => {
            if items.iter().all(Value::is_string) {
                "StringArrayCharacteristic"
            } else if items.iter().all(Value::is_number) {
                "NumberArrayCharacteristic"
            } else if items.iter().all(Value::is_object) {
                "ObjectArrayCharacteristic"
            } else if items.iter().all(Value::is_boolean) {
                "BooleanArrayCharacteristic"
            } else {
                "Characteristic"
            }
        }
        Some(Value::Null) | None => "Characteristic",
    }
}

pub(crate) fn characteristic_4to5(m: &mut Map<String, Value>) {
    let current = m.get("@type").and_then(Value::as_str);
    let typed =
        matches!(current, Some(t) if t.ends_with("Characteristic") && t != "Characteristic");
    if typed {
        return;
    }
    let name = m
        .get("valueType")
        .and_then(Value::as_str)
        .and_then(typed_name_for_value_type)
        .unwrap_or_else(|| typed_name_for_value(m.get("value")));
    m.insert("@type".into(), Value::String(name.into()));
}

pub(crate) fn party_4to5(m: &mut Map<String, Value>) {
    refs_as_v4_reads_them(m);
    if m.contains_key("partyOrPartyRole") {
        fill(m, "RelatedPartyRefOrPartyRoleRef");
        with_obj(m, "partyOrPartyRole", |p| fill(p, "PartyRef"));
        return;
    }
    let at = first_position(m, REF_KEYS);
    let mut party = Map::new();
    for k in REF_KEYS {
        if let Some(v) = m.shift_remove(*k) {
            party.insert((*k).into(), v);
        }
    }
    party.insert("@type".into(), Value::String("PartyRef".into()));
    retype(m, "RelatedParty", "RelatedPartyRefOrPartyRoleRef");
    fill(m, "RelatedPartyRefOrPartyRoleRef");
    m.shift_insert(at.min(m.len()), "partyOrPartyRole".into(), Value::Object(party));
}

fn channel_4to5(m: &mut Map<String, Value>) {
    wrap_4to5(m, "channel", "ChannelRef", "RelatedChannel");
}

/// `{id, href, name, role, ...}` → `{role, <inner>: {id, href, name, @type: inner_type}, @type: outer_type, ...}`.
fn wrap_4to5(m: &mut Map<String, Value>, inner: &str, inner_type: &str, outer_type: &str) {
    refs_as_v4_reads_them(m);
    if m.contains_key(inner) {
        // Already wrapped: the reference gets the `@type` v5 requires, as a party's does.
        with_obj(m, inner, |r| fill(r, inner_type));
    } else {
        let at = first_position(m, REF_KEYS);
        let mut r = Map::new();
        for k in REF_KEYS {
            if let Some(v) = m.shift_remove(*k) {
                r.insert((*k).into(), v);
            }
        }
        if !r.is_empty() {
            r.insert("@type".into(), Value::String(inner_type.into()));
            m.shift_insert(at.min(m.len()), inner.into(), Value::Object(r));
        }
    }
    fill(m, outer_type);
}

// ----- v5 → v4 pieces -------------------------------------------------------------------------

fn item_5to4(m: &mut Map<String, Value>) {
    with_obj(m, "productOfferingQualificationItem", |x| rename(x, "itemId", "id"));
    with_obj(m, "quoteItem", |x| rename(x, "quoteItemId", "id"));
    with_obj(m, "product", product_5to4);
    each(m, "productOrderItem", item_5to4);
}

pub(crate) fn product_5to4(m: &mut Map<String, Value>) {
    if !m.contains_key("agreement") {
        if let Some(mut list) = take_array(m, "agreementItem") {
            for x in list.iter_mut().filter_map(Value::as_object_mut) {
                rename(x, "agreementId", "id");
                rename(x, "agreementHref", "href");
                rename(x, "agreementName", "name");
            }
            m.insert("agreement".into(), Value::Array(list));
        }
    }
    each(m, "productOrderItem", |x| {
        rename(x, "orderId", "productOrderId");
        rename(x, "orderHref", "productOrderHref");
        retype(x, "RelatedOrderItem", "RelatedProductOrderItem");
    });
    each(m, "product", product_5to4);
    each(m, "productPrice", |x| rename(x, "priceAlteration", "productPriceAlteration"));
    each(m, "productRelationship", |x| {
        if x.contains_key("product") {
            with_obj(x, "product", product_5to4);
        } else {
            let mut p = Map::new();
            for k in REF_KEYS {
                if let Some(v) = x.shift_remove(*k) {
                    p.insert((*k).into(), v);
                }
            }
            x.insert("product".into(), Value::Object(p));
        }
    });
    each(m, "relatedParty", party_5to4);
    each(m, "place", |x| unwrap_5to4(x, "place", "PlaceRef"));
}

pub(crate) fn party_5to4(m: &mut Map<String, Value>) {
    let flat = match m.get("partyOrPartyRole") {
        Some(Value::Object(p)) => {
            plain_ref(p, "PartyRef") && REF_KEYS.iter().all(|k| !m.contains_key(*k))
        }
        _ => false,
    };
    if !flat {
        return;
    }
    let mut at = first_position(m, &["partyOrPartyRole"]);
    if let Some(Value::Object(p)) = m.shift_remove("partyOrPartyRole") {
        for (k, v) in p {
            if k != "@type" {
                m.shift_insert(at.min(m.len()), k, v);
                at = at.saturating_add(1);
            }
        }
    }
    // v5's own type goes; any other `@type` is the party's own and came from v4, which
    // `party_4to5` leaves on the wrapper.
    if m.get("@type").and_then(Value::as_str) == Some("RelatedPartyRefOrPartyRoleRef") {
        m.shift_remove("@type");
    }
}

fn channel_5to4(m: &mut Map<String, Value>) {
    unwrap_5to4(m, "channel", "ChannelRef");
}

/// The inverse of [`wrap_4to5`], applied only when the inner object is a plain reference that
/// names something (v4 has no place for an empty one: `wrap_4to5` makes none).
fn unwrap_5to4(m: &mut Map<String, Value>, inner: &str, inner_type: &str) {
    let flat = match m.get(inner) {
        Some(Value::Object(r)) => {
            plain_ref(r, inner_type)
                && r.keys().any(|k| REF_KEYS.contains(&k.as_str()))
                && REF_KEYS.iter().all(|k| !m.contains_key(*k))
        }
        _ => false,
    };
    if !flat {
        return;
    }
    let mut at = first_position(m, &[inner]);
    if let Some(Value::Object(r)) = m.shift_remove(inner) {
        for (k, v) in r {
            if k != "@type" {
                m.shift_insert(at.min(m.len()), k, v);
                at = at.saturating_add(1);
            }
        }
    }
}

/// A reference holding only `{id, href, name, @referredType}` and the expected (or no) `@type`.
fn plain_ref(r: &Map<String, Value>, expected_type: &str) -> bool {
    r.iter().all(|(k, v)| {
        REF_KEYS.contains(&k.as_str()) || (k == "@type" && v.as_str() == Some(expected_type))
    })
}

// ----- helpers ----------------------------------------------------------------------------------

/// A scalar as a v4 type reads a text member: a number or boolean as its text, anything else
/// as it is. Conversion reads v4 members this way, so converting a payload and converting
/// what the v4 types read from it agree.
fn as_v4_text(v: Value) -> Value {
    match v {
        Value::Number(_) | Value::Bool(_) => {
            <String as WireField>::decode(v).map_or_else(|v| v, Value::String)
        }
        other => other,
    }
}

/// The reference members of a v4 related party, channel or place (`id`, `href`, `name`,
/// `@referredType`: text in the v4 types) read as [`as_v4_text`] reads them. A v5 entry
/// keeps such members beside its wrapped reference as extensions, which the v4 types read as
/// their own on the way through v4.
fn refs_as_v4_reads_them(m: &mut Map<String, Value>) {
    for k in REF_KEYS {
        if let Some(v) = m.get_mut(*k) {
            if v.is_number() || v.is_boolean() {
                *v = as_v4_text(v.take());
            }
        }
    }
}

/// Sets `@type` to `name` when it is missing.
pub(crate) fn fill(m: &mut Map<String, Value>, name: &str) {
    if !m.contains_key("@type") {
        m.insert("@type".into(), Value::String(name.into()));
    }
}

/// Sets `@type` to `name` when missing or a variant spelling (case-insensitive match of one of
/// `variants` after removing `_`, `-` and a version suffix like `_V4`).
pub(crate) fn set_type(m: &mut Map<String, Value>, name: &str, variants: &[&str]) {
    let fix = match m.get("@type").and_then(Value::as_str) {
        None => true,
        Some(t) if t == name => false,
        Some(t) => {
            let norm = canonical_type_key(t);
            norm == name.to_ascii_lowercase() || variants.contains(&norm.as_str())
        }
    };
    if fix {
        m.insert("@type".into(), Value::String(name.into()));
    }
}

/// Lowercases a type name and strips separators and version suffixes (`ProductOrder_V4` → `productorder`).
pub fn canonical_type_key(t: &str) -> String {
    let mut s: String = t
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | ' ' | '.'))
        .collect::<String>()
        .to_ascii_lowercase();
    for suffix in ["v4", "v5", "v400", "v500"] {
        if let Some(stripped) = s.strip_suffix(suffix) {
            s = stripped.to_owned();
            break;
        }
    }
    s
}

/// Replaces `@type == from` by `to`.
fn retype(m: &mut Map<String, Value>, from: &str, to: &str) {
    if m.get("@type").and_then(Value::as_str) == Some(from) {
        m.insert("@type".into(), Value::String(to.into()));
    }
}

/// Takes `key` out of `m` when it holds an array; a value of any other type stays (it is an
/// extension member, which conversion passes through).
fn take_array(m: &mut Map<String, Value>, key: &str) -> Option<Vec<Value>> {
    if !m.get(key).is_some_and(Value::is_array) {
        return None;
    }
    match m.shift_remove(key) {
        Some(Value::Array(list)) => Some(list),
        _ => None,
    }
}

/// Renames a member when the target name is free.
pub(crate) fn rename(m: &mut Map<String, Value>, from: &str, to: &str) {
    if m.contains_key(to) {
        return;
    }
    if let Some(idx) = m.keys().position(|k| k == from) {
        if let Some(v) = m.shift_remove(from) {
            m.shift_insert(idx, to.into(), v);
        }
    }
}

/// Position of the first of `keys` in `m` (where a replacement member should go).
fn first_position(m: &Map<String, Value>, keys: &[&str]) -> usize {
    m.keys().position(|k| keys.contains(&k.as_str())).unwrap_or(m.len())
}

pub(crate) fn with_obj(
    m: &mut Map<String, Value>,
    key: &str,
    f: impl FnOnce(&mut Map<String, Value>),
) {
    if let Some(Value::Object(x)) = m.get_mut(key) {
        f(x);
    }
}

pub(crate) fn each(
    m: &mut Map<String, Value>,
    key: &str,
    mut f: impl FnMut(&mut Map<String, Value>),
) {
    if let Some(Value::Array(items)) = m.get_mut(key) {
        for x in items.iter_mut().filter_map(Value::as_object_mut) {
            f(x);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn stored_and_rendered_orders_and_cancellations() {
        let v4 = json!({"id": "1", "orderDate": "2024-01-01T00:00:00Z", "x-extra": {"a": 1}});
        let v5 = order_between(v4.clone(), Version::V4, Version::V5);
        assert_eq!(v5["creationDate"], "2024-01-01T00:00:00Z");
        assert!(v5.get("orderDate").is_none());
        assert_eq!(v5["@type"], "ProductOrder");
        let back = order_between(v5, Version::V5, Version::V4);
        assert_eq!((&back["orderDate"], &back["x-extra"]), (&v4["orderDate"], &v4["x-extra"]));
        assert_eq!(order_between(v4.clone(), Version::V4, Version::V4), v4);
        let cancel = json!({"id": "c", "productOrder": {"id": "1"}});
        let out = cancel_between(cancel.clone(), Version::V4, Version::V5);
        assert_eq!(out["@type"], "CancelProductOrder");
        assert_eq!(out["productOrder"]["@type"], "ProductOrderRef");
        assert_eq!(cancel_between(cancel.clone(), Version::V4, Version::V4), cancel);
    }

    #[test]
    fn type_spellings_normalise() {
        assert_eq!(canonical_type_key("ProductOrder_V4"), "productorder");
        assert_eq!(canonical_type_key("productOrder"), "productorder");
        assert_eq!(canonical_type_key("Product-Order v5"), "productorder");
    }

    #[test]
    fn characteristic_type_from_value_type_then_value() {
        let mut m = json!({"name": "n", "value": "12", "valueType": "integer"});
        if let Some(m) = m.as_object_mut() {
            characteristic_4to5(m);
        }
        assert_eq!(m["@type"], "IntegerCharacteristic");
        let mut m = json!({"name": "n", "value": true});
        if let Some(m) = m.as_object_mut() {
            characteristic_4to5(m);
        }
        assert_eq!(m["@type"], "BooleanCharacteristic");
        let mut m = json!({"name": "n", "value": ["a"], "@type": "Characteristic"});
        if let Some(m) = m.as_object_mut() {
            characteristic_4to5(m);
        }
        assert_eq!(m["@type"], "StringArrayCharacteristic");
    }

    #[test]
    fn scalar_reference_members_convert_as_the_v4_types_read_them() {
        // Flat (v4's way): the number goes into the wrapped reference as its text.
        let v5 = order_v4_to_v5(json!({"channel": [{"id": 4, "role": "sales"}]}));
        assert_eq!(v5["channel"][0]["channel"]["id"], json!("4"));
        // Already wrapped: a member beside the reference is read as v4 reads it too, so a
        // trip through the v4 types changes nothing more.
        let entry = json!({"channel": {"id": "4"}, "role": "sales", "name": false});
        let v5 = order_v4_to_v5(json!({"channel": [entry], "relatedParty": [
            {"partyOrPartyRole": {"id": "1"}, "role": "customer", "@referredType": 7}]}));
        assert_eq!(v5["channel"][0]["name"], json!("false"));
        assert_eq!(v5["relatedParty"][0]["@referredType"], json!("7"));
        // Text and anything that is not a scalar stay as they are.
        let v5 = order_v4_to_v5(json!({"channel": [{"channel": {"id": "4"}, "name": {"x": 1}}]}));
        assert_eq!(v5["channel"][0]["name"], json!({"x": 1}));
    }

    #[test]
    fn a_scalar_v4_external_id_converts_as_the_v4_types_read_it() {
        for (given, id) in [(json!(456), "456"), (json!(true), "true")] {
            let v5 = order_v4_to_v5(json!({"externalId": given}));
            assert_eq!(v5["externalId"], json!([{"id": id, "@type": "ExternalIdentifier"}]));
        }
        // Neither a string nor a scalar: passed through as an extension.
        let v5 = order_v4_to_v5(json!({"externalId": {"id": "x"}}));
        assert_eq!(v5["externalId"], json!({"id": "x"}));
    }

    #[test]
    fn several_external_ids_survive_v4() {
        let v5 = json!({"externalId": [
            {"id": "a", "owner": "crm", "@type": "ExternalIdentifier"},
            {"id": "b", "@type": "ExternalIdentifier"}
        ], "@type": "ProductOrder"});
        let v4 = order_v5_to_v4(v5.clone());
        assert_eq!(v4["externalId"], "a");
        assert_eq!(order_v4_to_v5(v4), v5);
    }
}
