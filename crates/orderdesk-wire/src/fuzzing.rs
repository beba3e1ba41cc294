//! Fuzz harness: arbitrary bytes through decoding, both versions, the strict conversion and a
//! second reading, asserting the crate's invariants on the way. `fuzz/` (cargo-fuzz) drives it
//! with libFuzzer; `crates/orderdesk-server/tests/fuzz.rs` replays the committed corpus and
//! every input that once failed. It must never panic on any input: a panic is a bug in this
//! crate.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::catalog::CatalogSnapshot;
use crate::{
    create_payload, parse_json, parse_order_as, parse_order_value, to_version, AnyProductOrder,
    Version,
};

/// Reads `data` as an order and as a catalog snapshot and checks, for every JSON object:
/// - reading never fails on content (only on text that is not JSON or not an object);
/// - reading then writing gives the same JSON, member order included, through `to_value` and
///   through serde alike;
/// - converting to the other version and back: for v5 gives exactly the order's canonical v5
///   form; for v4 keeps every value of the canonical form (members read leniently in their
///   proper type), and a second trip adds at most `@type`s to the first one's result;
/// - the strict conversion and the create payload of either version read back as orders that
///   write the same JSON, and say nothing but `convert.not_carried`.
pub fn order_round_trip(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(value) = parse_json(text) else { return };
    if !value.is_object() {
        assert!(parse_order_value(value).is_err(), "a non-object read as an order");
        return;
    }
    let order = match parse_order_value(value.clone()) {
        Ok(order) => order,
        Err(e) => panic!("an object was refused as an order: {e}"),
    };
    let version = order.version();
    assert_eq!(order.to_value(version), value, "reading then writing changed the order");
    assert_eq!(
        serde_json::to_string(&order).ok(),
        serde_json::to_string(&value).ok(),
        "serialising the order wrote other text than the value it was read from"
    );

    // Conversion starts from the canonical form: leniently read members in their proper type.
    let back = round_trip(value.clone(), version);
    match &order {
        AnyProductOrder::V4(o) => {
            // A v4 payload may carry v5's member names as extensions, which conversion cannot
            // tell from its own: the first trip keeps every value, and from its own output on
            // the trip is exact.
            if let Some(lost) = lost_value(&o.to_canonical_value(), &back) {
                panic!("v4 -> v5 -> v4 lost the value {lost}");
            }
            if let Err(at) = contained_except_types(&back, &round_trip(back.clone(), version)) {
                panic!("a second v4 -> v5 -> v4 lost or changed {at}");
            }
        }
        AnyProductOrder::V5(o) => {
            // Both read through the v5 types: members written v4's way in a v5 payload are
            // read leniently by the v4 types on the way.
            let v5 = |v: Value| match crate::v5::ProductOrder::from_value(v) {
                Ok(o) => o.to_canonical_value(),
                Err(e) => panic!("a converted order is not a v5 order: {e}"),
            };
            let canonical = v5(crate::convert::order_v4_to_v5(o.to_canonical_value()));
            if let Some(at) = first_difference(&canonical, &v5(back)) {
                panic!("v5 -> v4 -> v5 is not the order's canonical v5 form at {at}");
            }
        }
    }

    for target in [Version::V4, Version::V5] {
        for converted in
            [to_version(value.clone(), None, target), create_payload(value.clone(), None, target)]
        {
            if let Some(f) =
                converted.findings.iter().find(|f| f.code != crate::create::NOT_CARRIED)
            {
                panic!("the strict conversion reported {}", f.code);
            }
            match parse_order_as(converted.value.clone(), target) {
                Ok(again) => assert_eq!(
                    again.to_value(target),
                    converted.value,
                    "a converted order does not read back as itself"
                ),
                Err(e) => panic!("a converted order cannot be read as {target}: {e}"),
            }
        }
    }

    match CatalogSnapshot::from_json(text) {
        Ok(snapshot) => {
            assert_eq!(snapshot.to_value(), value, "reading then writing changed the catalog")
        }
        Err(e) => panic!("an object was refused as a catalog snapshot: {e}"),
    }
}

/// `value`, read as an order of `version`, converted to the other version and back, each
/// form read through the wire types of its version.
fn round_trip(value: Value, version: Version) -> Value {
    let other = match version {
        Version::V4 => Version::V5,
        Version::V5 => Version::V4,
    };
    let there = match parse_order_as(value, version) {
        Ok(o) => o.to_value(other),
        Err(e) => panic!("an order cannot be read as {version}: {e}"),
    };
    match parse_order_as(there, other) {
        Ok(o) => o.to_value(version),
        Err(e) => panic!("the {other} form of an order cannot be read: {e}"),
    }
}

/// A scalar of `before` (`@type` values aside) that `after` holds fewer times, if any: what a
/// conversion that renames, wraps and retypes members must never do is lose a value.
fn lost_value(before: &Value, after: &Value) -> Option<String> {
    fn scalars(v: &Value) -> HashMap<String, usize> {
        let mut counts = HashMap::new();
        let mut stack = vec![v];
        while let Some(v) = stack.pop() {
            match v {
                Value::Object(m) => {
                    stack.extend(m.iter().filter(|(k, _)| *k != "@type").map(|(_, v)| v))
                }
                Value::Array(items) => stack.extend(items),
                scalar => {
                    let n = counts.entry(scalar.to_string()).or_insert(0usize);
                    *n = n.saturating_add(1);
                }
            }
        }
        counts
    }
    let kept = scalars(after);
    scalars(before)
        .into_iter()
        .find(|(s, n)| kept.get(s).copied().unwrap_or(0) < *n)
        .map(|(s, _)| s)
}

/// The JSON pointer of the first place where `a` and `b` differ, if they do.
fn first_difference(a: &Value, b: &Value) -> Option<String> {
    let mut stack: Vec<(&Value, &Value, String)> = vec![(a, b, String::new())];
    while let Some((a, b, path)) = stack.pop() {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                if let Some(k) = y.keys().find(|k| !x.contains_key(*k)) {
                    return Some(format!("{} (added)", crate::json_pointer(&path, k)));
                }
                for (k, v) in x {
                    let p = crate::json_pointer(&path, k);
                    match y.get(k) {
                        Some(w) => stack.push((v, w, p)),
                        None => return Some(format!("{p} (lost)")),
                    }
                }
            }
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => stack.extend(
                x.iter().zip(y).enumerate().map(|(i, (v, w))| (v, w, format!("{path}/{i}"))),
            ),
            (x, y) if x == y => {}
            (x, y) => return Some(format!("{path} ({x} became {y})")),
        }
    }
    None
}

/// The members v5 wraps a related party, channel or place reference in.
const WRAPPERS: &[&str] = &["partyOrPartyRole", "channel", "place"];

/// Whether `small` is in `big`, `big` being allowed extra `@type` members, other `@type` values
/// and plain references unwrapped (see [`WRAPPERS`]) only; the JSON pointer of the first
/// difference otherwise. Walked with a stack, not
/// recursion.
fn contained_except_types(small: &Value, big: &Value) -> Result<(), String> {
    let mut stack: Vec<(&Value, &Value, String)> = vec![(small, big, String::new())];
    while let Some((a, b, path)) = stack.pop() {
        match (a, b) {
            (Value::Object(a), Value::Object(b)) => {
                // A reference wrapped v5's way in a v4 payload comes back in v4's shape: its
                // members are compared one level up.
                let wrapped = WRAPPERS.iter().find_map(|w| {
                    let r = a.get(*w)?.as_object()?;
                    (!b.contains_key(*w)).then_some((*w, r))
                });
                let own = a.iter().filter(|(k, _)| wrapped.is_none_or(|(w, _)| k.as_str() != w));
                let lifted = wrapped.into_iter().flat_map(|(_, r)| r.iter());
                let mut seen = HashSet::new();
                for (k, v) in own.chain(lifted.filter(|(k, _)| *k != "@type")) {
                    seen.insert(k.as_str());
                    let p = crate::json_pointer(&path, k);
                    match b.get(k) {
                        // v5 requires its own `@type` names; conversion sets them.
                        Some(_) if k == "@type" => {}
                        Some(w) => stack.push((v, w, p)),
                        None => return Err(format!("{p} (lost)")),
                    }
                }
                if let Some(k) = b.keys().find(|k| !seen.contains(k.as_str()) && *k != "@type") {
                    return Err(format!("{} (added)", crate::json_pointer(&path, k)));
                }
            }
            (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
                stack.extend(
                    a.iter().zip(b).enumerate().map(|(i, (v, w))| (v, w, format!("{path}/{i}"))),
                );
            }
            (a, b) if a == b => {}
            _ => return Err(path),
        }
    }
    Ok(())
}
