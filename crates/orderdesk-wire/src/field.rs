//! The lossless field codec behind every wire struct.
//!
//! Every wire struct is declared through [`wire_struct!`](crate::wire_struct). A struct keeps
//! - its modelled members as `Option<T>` where `T: WireField`,
//! - every member it does not model (or could not read) verbatim in `extra`,
//! - a [`RawRepr`]: the original member order and the original text of members that were read
//!   leniently (a boolean sent as `"true"`, a priority sent as `1`), so that writing an unchanged
//!   value back gives exactly what was read.
//!
//! Decoding goes through `serde_json::Value`, never through serde's internal buffering, because
//! `#[serde(flatten)]`/`untagged` would route numbers through serde's `Content` and lose the exact
//! decimal text. Decimals are parsed from the number's text (`arbitrary_precision`), never via f64.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::{Map, Number, Value};

/// A value that can be read leniently from, and written back to, a JSON value.
pub trait WireField: Sized + PartialEq {
    /// True when [`decode`](Self::decode) may accept a representation that [`encode`](Self::encode)
    /// would not reproduce (e.g. `"true"` read as a boolean). Such members keep their original text.
    const LENIENT: bool;
    /// Reads a value; gives the JSON back unchanged when it does not fit.
    fn decode(v: Value) -> Result<Self, Value>;
    /// True when `v` is already in the form [`encode`](Self::encode) writes, so no copy of the
    /// original needs keeping. Only a fast path: `false` is always safe.
    fn is_canonical(_v: &Value) -> bool {
        false
    }
    /// Writes the value, reusing the original text of leniently read members (lossless).
    fn encode(&self) -> Value;
    /// Writes the value in canonical form: leniently read members are written in their proper
    /// type (`"2"` read as an integer is written as `2`). Used when producing a new payload.
    fn encode_canonical(&self) -> Value {
        self.encode()
    }
    /// Serialises the value as [`encode`](Self::encode) would write it, without building a
    /// `Value` first (structs and arrays stream their members).
    fn serialize_wire<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(&self.encode(), s)
    }
}

/// Serialises one modelled member: its original text when unchanged, else its own form.
#[doc(hidden)]
pub struct MemberSer<'a, T>(pub &'a T, pub Option<&'a Value>);

impl<T: WireField> serde::Serialize for MemberSer<'_, T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.1 {
            Some(o) if T::decode(o.clone()).as_ref().ok() == Some(self.0) => o.serialize(s),
            _ => self.0.serialize_wire(s),
        }
    }
}

/// Serialises a sequence element by element.
struct SeqSer<'a, T>(&'a [T]);

impl<T: WireField> serde::Serialize for SeqSer<'_, T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for x in self.0 {
            seq.serialize_element(&MemberSer(x, None))?;
        }
        seq.end()
    }
}

impl RawRepr {
    /// Whether `key` was a member of the object as read.
    #[doc(hidden)]
    pub fn was_read(&self, key: &str) -> bool {
        self.order.iter().any(|k| k == key)
    }

    /// The member order as read.
    #[doc(hidden)]
    pub fn read_order(&self) -> &[String] {
        &self.order
    }

    /// The original text of a leniently read member.
    #[doc(hidden)]
    pub fn original(&self, key: &str) -> Option<&Value> {
        self.original.get(key)
    }
}

impl WireField for String {
    const LENIENT: bool = true;
    fn decode(v: Value) -> Result<Self, Value> {
        match v {
            Value::String(s) => Ok(s),
            // Some servers send priorities, versions and ids as numbers.
            Value::Number(n) => Ok(n.to_string()),
            Value::Bool(b) => Ok(b.to_string()),
            other => Err(other),
        }
    }
    fn is_canonical(v: &Value) -> bool {
        v.is_string()
    }
    fn encode(&self) -> Value {
        Value::String(self.clone())
    }
}

impl WireField for bool {
    const LENIENT: bool = true;
    fn decode(v: Value) -> Result<Self, Value> {
        match v {
            Value::Bool(b) => Ok(b),
            Value::String(ref s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(v),
            },
            other => Err(other),
        }
    }
    fn is_canonical(v: &Value) -> bool {
        v.is_boolean()
    }
    fn encode(&self) -> Value {
        Value::Bool(*self)
    }
}

impl WireField for i64 {
    const LENIENT: bool = true;
    fn decode(v: Value) -> Result<Self, Value> {
        let parsed = match &v {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse::<i64>().ok(),
            _ => None,
        };
        parsed.ok_or(v)
    }
    fn is_canonical(v: &Value) -> bool {
        // The text must be what `encode` writes: `-0` or `1.0` are not.
        matches!(v, Value::Number(n) if n.as_i64().is_some_and(|i| i.to_string() == n.as_str()))
    }
    fn encode(&self) -> Value {
        Value::Number(Number::from(*self))
    }
}

/// Parses a decimal from JSON number text (`20.00`, `1e3`, `-0.5`) without passing through f64.
pub fn decimal_from_text(text: &str) -> Option<Decimal> {
    let t = text.trim();
    if t.contains(['e', 'E']) {
        Decimal::from_scientific(t).ok()
    } else {
        Decimal::from_str_exact(t).ok()
    }
}

/// Writes a decimal as a JSON number keeping its scale (`20.00` stays `20.00`).
pub fn decimal_to_value(d: &Decimal) -> Value {
    match Number::from_str(&d.to_string()) {
        Ok(n) => Value::Number(n),
        // Decimal's Display output is always valid JSON number text; keep the text if not.
        Err(_) => Value::String(d.to_string()),
    }
}

impl WireField for Decimal {
    const LENIENT: bool = true;
    fn decode(v: Value) -> Result<Self, Value> {
        let parsed = match &v {
            Value::Number(n) => decimal_from_text(n.as_str()),
            Value::String(s) => decimal_from_text(s),
            _ => None,
        };
        parsed.ok_or(v)
    }
    fn encode(&self) -> Value {
        decimal_to_value(self)
    }
}

impl WireField for Value {
    const LENIENT: bool = false;
    fn decode(v: Value) -> Result<Self, Value> {
        Ok(v)
    }
    fn serialize_wire<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(self, s)
    }
    fn encode(&self) -> Value {
        self.clone()
    }
}

impl<T: WireField> WireField for Box<T> {
    const LENIENT: bool = T::LENIENT;
    fn decode(v: Value) -> Result<Self, Value> {
        T::decode(v).map(Box::new)
    }
    fn is_canonical(v: &Value) -> bool {
        T::is_canonical(v)
    }
    fn encode(&self) -> Value {
        (**self).encode()
    }
    fn encode_canonical(&self) -> Value {
        (**self).encode_canonical()
    }
    fn serialize_wire<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (**self).serialize_wire(s)
    }
}

impl<T: WireField> WireField for Vec<T> {
    const LENIENT: bool = T::LENIENT;
    fn decode(v: Value) -> Result<Self, Value> {
        let Value::Array(items) = v else { return Err(v) };
        let mut out = Vec::with_capacity(items.len());
        let mut rest = items.into_iter();
        while let Some(item) = rest.next() {
            match T::decode(item) {
                Ok(x) => out.push(x),
                Err(bad) => {
                    // Rebuild the array so nothing is lost; callers of lenient element types keep
                    // their own copy of the original anyway.
                    let mut back: Vec<Value> = out.iter().map(WireField::encode).collect();
                    back.push(bad);
                    back.extend(rest);
                    return Err(Value::Array(back));
                }
            }
        }
        Ok(out)
    }
    fn is_canonical(v: &Value) -> bool {
        matches!(v, Value::Array(items) if items.iter().all(T::is_canonical))
    }
    fn encode(&self) -> Value {
        Value::Array(self.iter().map(WireField::encode).collect())
    }
    fn encode_canonical(&self) -> Value {
        Value::Array(self.iter().map(WireField::encode_canonical).collect())
    }
    fn serialize_wire<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(&SeqSer(self), s)
    }
}

/// How a struct was written on the wire: member order and original text of leniently read members.
///
/// It never takes part in equality: two structs with the same content are equal however they
/// were spelled on the wire.
#[derive(Debug, Clone, Default)]
pub struct RawRepr {
    order: Vec<String>,
    original: Map<String, Value>,
}

impl PartialEq for RawRepr {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

impl RawRepr {
    /// Forgets the original spelling, so the struct is written in canonical form.
    pub fn clear(&mut self) {
        self.order.clear();
        self.original.clear();
    }
}

/// Reads one modelled member out of `map` (used by `wire_struct!`).
#[doc(hidden)]
pub fn take<T: WireField>(
    map: &mut Map<String, Value>,
    key: &str,
    raw: &mut RawRepr,
    extra: &mut Map<String, Value>,
) -> Option<T> {
    let v = map.remove(key)?;
    if v.is_null() {
        // `null` is not "absent": keep it verbatim so it is written back.
        extra.insert(key.to_owned(), v);
        return None;
    }
    let original = if T::LENIENT && !T::is_canonical(&v) { Some(v.clone()) } else { None };
    match T::decode(v) {
        Ok(x) => {
            if let Some(o) = original {
                if x.encode() != o {
                    raw.original.insert(key.to_owned(), o);
                }
            }
            Some(x)
        }
        Err(back) => {
            extra.insert(key.to_owned(), original.unwrap_or(back));
            None
        }
    }
}

/// Starts decoding a struct: checks it is an object and records its member order.
#[doc(hidden)]
pub fn begin(v: Value) -> Result<(Map<String, Value>, RawRepr), Value> {
    match v {
        Value::Object(map) => {
            let raw = RawRepr { order: map.keys().cloned().collect(), original: Map::new() };
            Ok((map, raw))
        }
        other => Err(other),
    }
}

/// Writes one modelled member, reusing its original text when the value is unchanged.
#[doc(hidden)]
pub fn put<T: WireField>(
    out: &mut Vec<(&'static str, Value)>,
    key: &'static str,
    value: &Option<T>,
    raw: &RawRepr,
    canonical: bool,
) {
    if let Some(x) = value {
        let v = match raw.original.get(key) {
            _ if canonical => x.encode_canonical(),
            Some(o) if T::decode(o.clone()).as_ref().ok() == Some(x) => o.clone(),
            _ => x.encode(),
        };
        out.push((key, v));
    }
}

/// Assembles the output object: original member order first, then new members, then extras.
#[doc(hidden)]
pub fn finish(
    mut modelled: Vec<(&'static str, Value)>,
    extra: &Map<String, Value>,
    raw: &RawRepr,
) -> Value {
    let mut out = Map::new();
    for key in &raw.order {
        if let Some(pos) = modelled.iter().position(|(k, _)| k == key) {
            let (k, v) = modelled.remove(pos);
            out.insert(k.to_owned(), v);
        } else if let Some(v) = extra.get(key) {
            out.insert(key.clone(), v.clone());
        }
    }
    for (k, v) in modelled {
        out.insert(k.to_owned(), v);
    }
    for (k, v) in extra {
        if !out.contains_key(k) {
            out.insert(k.clone(), v.clone());
        }
    }
    Value::Object(out)
}

/// Declares a lossless wire struct: modelled members as `Option<T>`, everything else in `extra`.
///
/// ```text
/// wire_struct! {
///     /// An amount of money.
///     pub struct Money {
///         /// ISO 4217 code.
///         unit: String = "unit",
///         value: Decimal = "value",
///     }
/// }
/// ```
#[macro_export]
macro_rules! wire_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty = $key:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: Option<$ty>, )*
            /// Members this type does not model (vendor extensions, `null`s, values of an
            /// unexpected type), kept verbatim so they are written back unchanged.
            pub extra: ::serde_json::Map<String, ::serde_json::Value>,
            /// How this value was spelled on the wire (member order, lenient originals).
            pub raw: $crate::field::RawRepr,
        }

        impl $name {
            /// The JSON member names this type models.
            pub const MEMBERS: &'static [&'static str] = &[$($key),*];

            /// Converts to a JSON value (lossless for values that were read).
            pub fn to_value(&self) -> ::serde_json::Value {
                $crate::field::WireField::encode(self)
            }

            /// Converts to a JSON value in canonical form (leniently read members in their proper
            /// type; unmodelled members unchanged).
            pub fn to_canonical_value(&self) -> ::serde_json::Value {
                $crate::field::WireField::encode_canonical(self)
            }

            fn encode_with(&self, canonical: bool) -> ::serde_json::Value {
                #[allow(unused_mut)]
                let mut out: Vec<(&'static str, ::serde_json::Value)> = Vec::new();
                $( $crate::field::put(&mut out, $key, &self.$field, &self.raw, canonical); )*
                $crate::field::finish(out, &self.extra, &self.raw)
            }

            /// Reads from a JSON value; fails only when the value is not an object.
            pub fn from_value(v: ::serde_json::Value) -> Result<Self, $crate::WireError> {
                <Self as $crate::field::WireField>::decode(v).map_err(|v| {
                    $crate::WireError::Shape {
                        path: String::new(),
                        expected: stringify!($name),
                        found: $crate::field::json_kind(&v),
                    }
                })
            }
        }

        impl $crate::field::WireField for $name {
            const LENIENT: bool = false;
            fn decode(v: ::serde_json::Value) -> Result<Self, ::serde_json::Value> {
                let (mut map, mut raw) = $crate::field::begin(v)?;
                let mut extra = ::serde_json::Map::new();
                $( let $field = $crate::field::take::<$ty>(&mut map, $key, &mut raw, &mut extra); )*
                for (k, v) in map {
                    extra.insert(k, v);
                }
                Ok(Self { $($field,)* extra, raw })
            }
            fn encode(&self) -> ::serde_json::Value {
                self.encode_with(false)
            }
            fn encode_canonical(&self) -> ::serde_json::Value {
                self.encode_with(true)
            }
            fn serialize_wire<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeMap;
                let raw = &self.raw;
                let mut map = s.serialize_map(None)?;
                // Same order as `finish`: members as read, then new modelled ones, then extras.
                for key in raw.read_order() {
                    let mut done = false;
                    $(
                        if !done && key == $key {
                            if let Some(x) = &self.$field {
                                map.serialize_entry(
                                    $key,
                                    &$crate::field::MemberSer(x, raw.original($key)),
                                )?;
                                done = true;
                            }
                        }
                    )*
                    if !done {
                        if let Some(v) = self.extra.get(key) {
                            map.serialize_entry(key, v)?;
                        }
                    }
                }
                $(
                    if let Some(x) = &self.$field {
                        if !raw.was_read($key) {
                            map.serialize_entry($key, &$crate::field::MemberSer(x, raw.original($key)))?;
                        }
                    }
                )*
                for (k, v) in &self.extra {
                    if raw.was_read(k) {
                        continue;
                    }
                    let shadowed = false $( || (k == $key && self.$field.is_some()) )*;
                    if !shadowed {
                        map.serialize_entry(k, v)?;
                    }
                }
                map.end()
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                $crate::field::WireField::serialize_wire(self, s)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let v = <::serde_json::Value as ::serde::Deserialize>::deserialize(d)?;
                <Self as $crate::field::WireField>::decode(v).map_err(|v| {
                    <D::Error as ::serde::de::Error>::custom(format_args!(
                        "expected a JSON object for {}, found {}",
                        stringify!($name),
                        $crate::field::json_kind(&v)
                    ))
                })
            }
        }
    };
}

/// A short name for the JSON type of a value, for messages.
pub fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn decimals_come_from_text() {
        assert_eq!(decimal_from_text("20.00").map(|d| d.to_string()), Some("20.00".into()));
        assert_eq!(decimal_from_text("1e3").map(|d| d.to_string()), Some("1000".into()));
        assert_eq!(decimal_from_text("-0.5").map(|d| d.to_string()), Some("-0.5".into()));
        assert_eq!(decimal_from_text("abc"), None);
        assert_eq!(decimal_from_text(""), None);
    }

    #[test]
    fn lenient_scalars() {
        assert_eq!(bool::decode(json!("TRUE")), Ok(true));
        assert_eq!(bool::decode(json!("yes")), Err(json!("yes")));
        assert_eq!(i64::decode(json!("12")), Ok(12));
        assert_eq!(i64::decode(json!(1.5)), Err(json!(1.5)));
        assert_eq!(String::decode(json!(3)), Ok("3".to_owned()));
        assert_eq!(String::decode(json!({"a": 1})), Err(json!({"a": 1})));
    }

    #[test]
    fn a_bad_element_gives_the_whole_array_back() {
        let v = json!([1, 2, {"x": 1}, 4]);
        assert_eq!(Vec::<i64>::decode(v.clone()), Err(v));
    }

    #[test]
    fn pointer_segments_are_escaped() {
        assert_eq!(crate::json_pointer("/a", "b/c~d"), "/a/b~1c~0d");
    }
}
