//! What we send and write out: an order in a target version that the official schema of that
//! version accepts, and a create request without a member the server owns.
//!
//! [`crate::convert`] is lossless: whatever the other version cannot express stays in the
//! payload as an extension member, so a round trip gives back the same JSON. That is right for
//! storage and for reading, but a strict server refuses members its schema does not know. The
//! functions here start from the lossless conversion and take out what the target cannot
//! carry, each removal reported as a `convert.not_carried` warning that names the member, so
//! the agent learns what the other version loses before it is lost. Members no version knows
//! (a partner's vendor extensions) are kept: they are the order's own.
//!
//! Server-owned members (the order's `id`, `href`, `state`, dates the server sets, an item's
//! `state`, ...) are never sent in a create: neither v4's `ProductOrder_Create` nor v5's
//! `ProductOrder_FVO` has room for them, and a strict v4 server refuses the whole order for one
//! of them.

use serde_json::{Map, Value};

use crate::convert::{each, order_v4_to_v5, order_v5_to_v4, with_obj};
use crate::finding::{json_pointer, Finding};
use crate::{detect_version, Version};

/// The code of the warning that names a member the target version cannot carry.
pub const NOT_CARRIED: &str = "convert.not_carried";

/// Order members the server sets, in either version: never part of a create request.
pub const SERVER_OWNED_ORDER_MEMBERS: &[&str] = &[
    "id",
    "href",
    "state",
    "orderDate",
    "creationDate",
    "completionDate",
    "expectedCompletionDate",
    "cancellationDate",
    "cancellationReason",
    "productOrderErrorMessage",
    "productOrderJeopardyAlert",
    "productOrderMilestone",
];

/// Members of a cancellation request the server sets: never part of a create request.
pub const SERVER_OWNED_CANCEL_MEMBERS: &[&str] =
    &["id", "href", "state", CANCEL_CREATION_DATE, "effectiveCancellationDate"];

/// The member a server writes a cancellation's creation date in (v5 `creationDate`; v4 has
/// none and carries it as an extension member).
pub const CANCEL_CREATION_DATE: &str = "creationDate";

/// A new, empty order in the shape of `version`: no items yet, and the class names the
/// version asks for.
pub fn empty_order(version: Version) -> Value {
    let mut order = Map::new();
    order.insert("productOrderItem".into(), Value::Array(Vec::new()));
    order.insert("@type".into(), Value::String("ProductOrder".into()));
    if version.requires_type() {
        order.insert("@baseType".into(), Value::String("ProductOrder".into()));
    }
    Value::Object(order)
}

/// Item members the server sets.
const SERVER_OWNED_ITEM_MEMBERS: &[&str] = &["state"];

/// v5 order members v4 has no room for.
const V5_ONLY_ORDER_MEMBERS: &[&str] = &["orderRelationship", "requestedInitialState"];
/// v5 item members v4 has no room for.
const V5_ONLY_ITEM_MEMBERS: &[&str] = &["note"];
/// v5 product members v4 has no room for (`agreementItem` is converted to `agreement`).
const V5_ONLY_PRODUCT_MEMBERS: &[&str] = &["creationDate", "intent"];
/// v5 characteristic members v4 has no room for.
const V5_ONLY_CHARACTERISTIC_MEMBERS: &[&str] = &["id", "characteristicRelationship"];
/// Members of a v5 reference that v4's reference of the same kind lacks.
const V5_ONLY_REF_MEMBERS: &[(&str, &str)] =
    &[("productOffering", "version"), ("billingAccount", "ratingType")];
/// Members of v4's flat related party, lifted out of a v5 `partyOrPartyRole`.
const V4_PARTY_MEMBERS: &[&str] = &["id", "href", "name", "@referredType"];

/// A payload in a target version and what could not be carried into it.
#[derive(Debug, Clone, PartialEq)]
pub struct Converted {
    /// The payload.
    pub value: Value,
    /// `convert.not_carried` warnings, one per member left behind.
    pub findings: Vec<Finding>,
}

/// The order in `target`'s shape for sending or writing out. `source` is the version the order
/// is in (`None`: detected from its shape, `target` when the shape says nothing).
///
/// Members read leniently are written in their proper type (a quantity sent as `"2"` becomes
/// `2`, a priority sent as `1` becomes `"1"`), and a v5 payload gets every `@type` v5 requires.
pub fn to_version(order: Value, source: Option<Version>, target: Version) -> Converted {
    let source = source.or_else(|| detect_version(&order)).unwrap_or(target);
    let order = canonical(order, source);
    let mut findings = Vec::new();
    let value = match (source, target) {
        (Version::V5, Version::V4) => {
            let mut v = order_v5_to_v4(order);
            if let Some(m) = v.as_object_mut() {
                strip_v5_only(m, &mut findings);
                parties_without(m, "", "id", Version::V4, &mut findings);
            }
            v
        }
        // On a v5 payload the v4 → v5 mapping only adds the `@type`s v5 requires.
        (Version::V5, Version::V5) => order_v4_to_v5(order),
        (Version::V4, Version::V5) => {
            let mut v = order_v4_to_v5(order);
            if let Some(m) = v.as_object_mut() {
                parties_without(m, "", "role", Version::V5, &mut findings);
            }
            v
        }
        (Version::V4, Version::V4) => order,
    };
    Converted { value, findings }
}

/// The order written back through the wire types of its version: leniently read members in
/// their proper type. A payload that is not an order object is returned as it is.
fn canonical(order: Value, version: Version) -> Value {
    if !order.is_object() {
        return order;
    }
    match version {
        Version::V4 => match crate::v4::ProductOrder::from_value(order.clone()) {
            Ok(o) => o.to_canonical_value(),
            Err(_) => order,
        },
        Version::V5 => match crate::v5::ProductOrder::from_value(order.clone()) {
            Ok(o) => o.to_canonical_value(),
            Err(_) => order,
        },
    }
}

/// The body of a create request (`POST productOrder`) in `target`'s shape: [`to_version`],
/// then every server-owned member removed (order and items, nested items included).
pub fn create_payload(order: Value, source: Option<Version>, target: Version) -> Converted {
    let mut converted = to_version(order, source, target);
    if let Some(m) = converted.value.as_object_mut() {
        for key in SERVER_OWNED_ORDER_MEMBERS {
            m.shift_remove(*key);
        }
        let mut stack: Vec<&mut Map<String, Value>> = Vec::new();
        if let Some(Value::Array(items)) = m.get_mut("productOrderItem") {
            stack.extend(items.iter_mut().filter_map(Value::as_object_mut));
        }
        // Nested items are walked with an explicit stack: their depth comes from outside.
        while let Some(item) = stack.pop() {
            for key in SERVER_OWNED_ITEM_MEMBERS {
                item.shift_remove(*key);
            }
            if let Some(Value::Array(children)) = item.get_mut("productOrderItem") {
                stack.extend(children.iter_mut().filter_map(Value::as_object_mut));
            }
        }
        if target == Version::V4 {
            // v4 requires `@referredType` on a related party; `Party` is true of every party.
            each(m, "relatedParty", fill_referred_type);
        }
        // The schemas want date-times: a requested day is sent as the start of that day (UTC).
        for key in REQUESTED_DATES {
            let day = m
                .get(*key)
                .and_then(Value::as_str)
                .and_then(crate::parse_date_input)
                .filter(|d| d.day_only);
            if let Some(day) = day {
                m.insert(
                    (*key).into(),
                    Value::String(crate::WireDateTime::from_utc(day.at).to_string()),
                );
            }
        }
    }
    converted
}

/// Dates an agent requests, which may be given as a bare day.
const REQUESTED_DATES: &[&str] = &["requestedStartDate", "requestedCompletionDate"];

fn fill_referred_type(party: &mut Map<String, Value>) {
    if !party.contains_key("partyOrPartyRole") && !party.contains_key("@referredType") {
        party.insert("@referredType".into(), Value::String("Party".into()));
    }
}

fn not_carried(path: &str, member: &str, out: &mut Vec<Finding>) {
    out.push(Finding::warning(
        NOT_CARRIED,
        path,
        format!("TMF622 v4 has no room for '{member}'; it is left out of the v4 payload"),
    ));
}

/// Related parties (of the order and of its items' products) that lack a member `target`
/// requires (v5: a `role`; v4: an `id`) cannot be carried: they are left out, each named by a
/// warning. Items are walked with an explicit stack.
fn parties_without(
    order: &mut Map<String, Value>,
    path: &str,
    member: &str,
    target: Version,
    out: &mut Vec<Finding>,
) {
    drop_parties(order, path, member, target, out);
    let mut stack: Vec<(String, &mut Map<String, Value>)> = Vec::new();
    if let Some(Value::Array(items)) = order.get_mut("productOrderItem") {
        stack.extend(
            items.iter_mut().enumerate().filter_map(|(i, x)| {
                Some((json_pointer("/productOrderItem", i), x.as_object_mut()?))
            }),
        );
    }
    while let Some((p, item)) = stack.pop() {
        if let Some(Value::Object(product)) = item.get_mut("product") {
            drop_parties(product, &json_pointer(&p, "product"), member, target, out);
        }
        if let Some(Value::Array(children)) = item.get_mut("productOrderItem") {
            let base = json_pointer(&p, "productOrderItem");
            stack.extend(
                children
                    .iter_mut()
                    .enumerate()
                    .filter_map(|(i, x)| Some((json_pointer(&base, i), x.as_object_mut()?))),
            );
        }
    }
}

fn drop_parties(
    holder: &mut Map<String, Value>,
    path: &str,
    member: &str,
    target: Version,
    out: &mut Vec<Finding>,
) {
    let Some(Value::Array(parties)) = holder.get_mut("relatedParty") else { return };
    let base = json_pointer(path, "relatedParty");
    let mut index = 0usize;
    parties.retain(|party| {
        let at = json_pointer(&base, index);
        index = index.saturating_add(1);
        let has = crate::parties::text(party.get(member)).is_some_and(|t| !t.trim().is_empty());
        if !has {
            out.push(Finding::warning(
                NOT_CARRIED,
                at,
                format!(
                    "TMF622 {target} needs '{member}' on every related party; this one has none \
                     and is left out of the {target} payload"
                ),
            ));
        }
        has
    });
    if parties.is_empty() {
        holder.shift_remove("relatedParty");
    }
}

fn drop_members(m: &mut Map<String, Value>, path: &str, keys: &[&str], out: &mut Vec<Finding>) {
    for key in keys {
        if m.shift_remove(*key).is_some() {
            not_carried(&json_pointer(path, key), key, out);
        }
    }
}

/// Takes out of a (losslessly converted) v4 order what v4 cannot carry.
fn strip_v5_only(m: &mut Map<String, Value>, out: &mut Vec<Finding>) {
    drop_members(m, "", V5_ONLY_ORDER_MEMBERS, out);
    // Several external identifiers: v4 carries the first as `externalId`.
    if let Some(Value::Array(list)) = m.shift_remove("externalIdentifier") {
        for (i, x) in list.iter().enumerate().skip(1) {
            let id = x.get("id").and_then(Value::as_str).unwrap_or_default();
            out.push(Finding::warning(
                NOT_CARRIED,
                json_pointer("/externalId", i),
                format!("TMF622 v4 carries one external id; '{id}' is left out of the v4 payload"),
            ));
        }
    }
    if let Some(Value::Array(ids)) = m.get("externalId") {
        // Kept as a list only when the list could not be reduced to its first id.
        let first = ids.first().and_then(|x| x.get("id")).cloned();
        if let Some(first) = first {
            m.insert("externalId".into(), first);
        } else {
            m.shift_remove("externalId");
        }
    }
    parties_to_flat(m, "", out);
    if let Some(Value::Array(items)) = m.get_mut("productOrderItem") {
        let mut stack: Vec<(String, &mut Map<String, Value>)> = items
            .iter_mut()
            .enumerate()
            .filter_map(|(i, x)| Some((json_pointer("/productOrderItem", i), x.as_object_mut()?)))
            .collect();
        while let Some((path, item)) = stack.pop() {
            drop_members(item, &path, V5_ONLY_ITEM_MEMBERS, out);
            for (member, inner) in V5_ONLY_REF_MEMBERS {
                let at = json_pointer(&path, member);
                with_obj(item, member, |r| drop_members(r, &at, &[inner], out));
            }
            let product_path = json_pointer(&path, "product");
            with_obj(item, "product", |p| strip_product(p, &product_path, out));
            if let Some(Value::Array(children)) = item.get_mut("productOrderItem") {
                let base = json_pointer(&path, "productOrderItem");
                stack.extend(
                    children
                        .iter_mut()
                        .enumerate()
                        .filter_map(|(i, x)| Some((json_pointer(&base, i), x.as_object_mut()?))),
                );
            }
        }
    }
}

fn strip_product(p: &mut Map<String, Value>, path: &str, out: &mut Vec<Finding>) {
    let mut stack: Vec<(String, &mut Map<String, Value>)> = vec![(path.to_owned(), p)];
    while let Some((path, p)) = stack.pop() {
        drop_members(p, &path, V5_ONLY_PRODUCT_MEMBERS, out);
        for (member, inner) in V5_ONLY_REF_MEMBERS {
            let at = json_pointer(&path, member);
            with_obj(p, member, |r| drop_members(r, &at, &[inner], out));
        }
        if let Some(Value::Array(chars)) = p.get_mut("productCharacteristic") {
            let base = json_pointer(&path, "productCharacteristic");
            for (i, c) in chars.iter_mut().enumerate() {
                if let Some(c) = c.as_object_mut() {
                    drop_members(c, &json_pointer(&base, i), V5_ONLY_CHARACTERISTIC_MEMBERS, out);
                }
            }
        }
        parties_to_flat(p, &path, out);
        if let Some(Value::Array(children)) = p.get_mut("product") {
            let base = json_pointer(&path, "product");
            stack.extend(
                children
                    .iter_mut()
                    .enumerate()
                    .filter_map(|(i, x)| Some((json_pointer(&base, i), x.as_object_mut()?))),
            );
        }
    }
}

/// Related parties the lossless conversion left in v5's shape (a party role, a party given by
/// value) become v4's flat related party: the reference members are lifted out, the rest is
/// reported.
fn parties_to_flat(holder: &mut Map<String, Value>, path: &str, out: &mut Vec<Finding>) {
    let Some(Value::Array(parties)) = holder.get_mut("relatedParty") else { return };
    let base = json_pointer(path, "relatedParty");
    for (i, party) in parties.iter_mut().enumerate() {
        let Some(outer) = party.as_object_mut() else { continue };
        let Some(Value::Object(inner)) = outer.shift_remove("partyOrPartyRole") else { continue };
        let at = json_pointer(&json_pointer(&base, i), "partyOrPartyRole");
        let inner_type = inner.get("@type").and_then(Value::as_str).map(str::to_owned);
        for (k, v) in inner {
            if V4_PARTY_MEMBERS.contains(&k.as_str()) {
                outer.insert(k, v);
            } else if k != "@type" {
                not_carried(&json_pointer(&at, &k), &k, out);
            }
        }
        if !outer.contains_key("@referredType") {
            // A party role is referred to as one; a party given by value by its class.
            let referred = match inner_type.as_deref() {
                Some("PartyRoleRef") => "PartyRole",
                Some("PartyRef") | None => "Party",
                Some(other) => other,
            };
            outer.insert("@referredType".into(), Value::String(referred.to_owned()));
        }
        if outer.get("@type").and_then(Value::as_str) == Some("RelatedPartyRefOrPartyRoleRef") {
            outer.shift_remove("@type");
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_party_role_becomes_a_flat_v4_party_and_says_what_is_lost() {
        let v5 = json!({"@type": "ProductOrder", "productOrderItem": [
                {"id": "1", "action": "add", "@type": "ProductOrderItem"}],
            "relatedParty": [{"role": "Customer", "@type": "RelatedPartyRefOrPartyRoleRef",
                "partyOrPartyRole": {"id": "CR-1", "name": "Ada", "partyId": "P-9",
                    "@type": "PartyRoleRef", "@referredType": "CustomerAccount"}}]});
        let c = to_version(v5, None, Version::V4);
        assert_eq!(
            c.value["relatedParty"][0],
            json!({"role": "Customer", "id": "CR-1", "name": "Ada",
                   "@referredType": "CustomerAccount"})
        );
        let paths: Vec<&str> = c.findings.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["/relatedParty/0/partyOrPartyRole/partyId"]);
        assert!(c.findings.iter().all(|f| f.code == NOT_CARRIED));
    }

    #[test]
    fn empty_orders_per_version() {
        assert_eq!(
            empty_order(Version::V4),
            json!({"productOrderItem": [], "@type": "ProductOrder"})
        );
        assert_eq!(empty_order(Version::V5)["@baseType"], "ProductOrder");
        assert!(SERVER_OWNED_CANCEL_MEMBERS.contains(&CANCEL_CREATION_DATE));
    }

    #[test]
    fn create_requests_carry_no_server_owned_member() {
        let v4 = json!({"id": "9", "href": "/x", "state": "completed",
            "orderDate": "2024-01-01T00:00:00Z", "expectedCompletionDate": "2024-01-02T00:00:00Z",
            "externalId": "PO-456", "x-vendor": {"a": 1},
            "relatedParty": [{"id": "C1", "role": "Customer"}],
            "productOrderItem": [{"id": "1", "action": "add", "state": "completed",
                "productOrderItem": [{"id": "2", "action": "add", "state": "completed"}]}]});
        let c = create_payload(v4, Some(Version::V4), Version::V4);
        assert_eq!(
            c.value,
            json!({"externalId": "PO-456", "x-vendor": {"a": 1},
                "relatedParty": [{"id": "C1", "role": "Customer", "@referredType": "Party"}],
                "productOrderItem": [{"id": "1", "action": "add",
                    "productOrderItem": [{"id": "2", "action": "add"}]}]})
        );
        assert!(c.findings.is_empty());
    }

    #[test]
    fn v5_only_members_are_named() {
        let v5 = json!({"@type": "ProductOrder", "requestedInitialState": "acknowledged",
            "externalId": [{"id": "a", "@type": "ExternalIdentifier", "owner": "crm"},
                           {"id": "b", "@type": "ExternalIdentifier"}],
            "productOrderItem": [{"id": "1", "action": "add", "@type": "ProductOrderItem",
                "note": [{"text": "n", "@type": "Note"}],
                "productOffering": {"id": "O", "version": "2", "@type": "ProductOfferingRef"},
                "product": {"@type": "Product", "productCharacteristic": [
                    {"id": "c1", "name": "n", "value": "v", "@type": "StringCharacteristic"}]}}]});
        let c = create_payload(v5, None, Version::V4);
        let mut paths: Vec<&str> = c.findings.iter().map(|f| f.path.as_str()).collect();
        paths.sort_unstable();
        assert_eq!(
            paths,
            [
                "/externalId/1",
                "/productOrderItem/0/note",
                "/productOrderItem/0/product/productCharacteristic/0/id",
                "/productOrderItem/0/productOffering/version",
                "/requestedInitialState",
            ]
        );
        assert_eq!(c.value["externalId"], "a");
    }
}
