//! TMF622 Product Ordering (v4.0.0 and v5.0.0) and TMF620 Product Catalog wire types.
//!
//! This crate owns the JSON that crosses the network and every word of its vocabulary: serde
//! types for orders, cancellations and catalog snapshots, conversion between the two TMF622
//! versions, version detection, the states an order and a task can be in ([`state`]), parties
//! and references in every shape ([`parties`]), external identifiers ([`external_id`]), the one
//! date reader ([`parse_date_input`]), what we send ([`create`]: payloads a strict server
//! accepts) and the official request schemas ([`schema`]). It does no I/O (no tokio, reqwest,
//! rusqlite in its tree); the domain model lives elsewhere and converts to and from these
//! types. No other crate knows a member name that only one version has.
//!
//! # Invariants
//! - **Lossless.** Every struct keeps members it does not model in `extra`, remembers the member
//!   order, and keeps the original text of members it read leniently. Reading then writing gives
//!   the same JSON value; numbers keep their exact decimal text (`20.00` stays `20.00`), dates
//!   keep the text the server sent ([`WireDateTime`]).
//! - **Exact money.** [`common::Money::value`] is a `rust_decimal::Decimal` parsed from the JSON
//!   number's text, never through f64.
//! - **Tolerant.** Reading never fails on content, only on a payload that is not JSON or not an
//!   object: `@type` spelled oddly, `state` missing, `priority` as a number, booleans as strings,
//!   values of unexpected type (kept verbatim in `extra`). The core's validation reports them.
//! - **Version differences live in this crate.** The mapping is [`convert`]'s; what differs
//!   for callers (party, channel and note shapes, external ids, member names, media types,
//!   required `@type`s) is a function here, so no other crate branches on a [`Version`] or
//!   names a member only one version has ([`VERSION_SPECIFIC_NAMES`], checked by a test).
//!
//! # Example
//! ```
//! use orderdesk_wire::{parse_order, Version};
//!
//! let text = r#"{"orderDate":"2024-05-02T08:13:59.506Z","externalId":"PO-1",
//!   "productOrderItem":[{"id":"1","action":"add","quantity":1,
//!     "itemPrice":[{"priceType":"recurring","price":{"taxIncludedAmount":{"unit":"EUR","value":20.00}}}]}],
//!   "x-vendor":{"rate":0.1234567890123456789}}"#;
//! let order = parse_order(text)?;
//! assert_eq!(order.version(), Version::V4);
//! let v5 = order.to_v5();
//! assert_eq!(v5.external_id.as_ref().map(Vec::len), Some(1));
//! let back = serde_json::to_string(&orderdesk_wire::AnyProductOrder::V5(v5).to_value(Version::V4))?;
//! assert!(back.contains(r#""value":20.00"#) && back.contains("0.1234567890123456789"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Code map
//! - [`field`]: the lossless codec (`WireField`, `RawRepr`, the `wire_struct!` macro) every type
//!   is declared with. Decoding goes through `serde_json::Value`, never serde's `Content`
//!   buffering (`flatten`/`untagged`), which would lose exact number text.
//! - [`common`]: types shared by both versions (Money, Price, PriceAlteration, OrderPrice,
//!   OrderTerm, Duration, Characteristic, Note, references...).
//! - [`v4`], [`v5`]: version-specific order, item, product, party, channel and cancellation types.
//! - [`catalog`]: TMF620 offerings, prices, specifications, categories, `CatalogSnapshot`.
//! - [`convert`]: v4 ↔ v5 on the JSON form; the only place that knows both versions.
//! - [`create`]: the strict conversion and create payloads, with `convert.not_carried`
//!   [`Finding`]s; [`schema`]: the official create schemas, compiled once.
//! - [`inventory`]: TMF629 customers and TMF637 installed products, read and written in either
//!   version, and `ProductStatus`.
//! - [`state`], [`parties`], [`external_id`]: the typed vocabulary other crates read orders
//!   with; `detect_version` in `detect.rs`, dates in `datetime.rs`.
//! - [`fuzzing`]: the fuzz harness (decode, convert, round-trip) that `fuzz/` drives.
//!
//! # API boundary
//! `v4::*`, `v5::*`, `catalog::*`, [`Version`], [`detect_version`], [`AnyProductOrder`],
//! [`parse_order`], [`parse_order_value`], [`convert::v4_to_v5`], [`convert::v5_to_v4`],
//! [`Finding`], [`Severity`], [`WireError`]. Types are plain structs with public `Option` members,
//! `extra` and `raw`; build them with `..Default::default()`.

// What this crate reads comes from outside (files, servers, the database): no arithmetic that
// can overflow and no indexing that can panic (checked, saturating or `get` instead).
#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects, clippy::indexing_slicing))]

pub mod catalog;
pub mod common;
pub mod convert;
pub mod create;
mod datetime;
mod detect;
pub mod external_id;
pub mod field;
mod finding;
pub mod fuzzing;
pub mod inventory;
pub mod items;
pub mod parties;
pub mod schema;
pub mod state;
pub mod v4;
pub mod v5;

use serde_json::Value;

pub use create::{create_payload, empty_order, to_version, Converted};
pub use datetime::{instant_of, parse_date_input, DateInput, WireDateTime, DATE_TIME_MEMBERS};
pub use detect::detect_version;
pub use finding::{json_pointer, Finding, Severity};
pub use orderdesk_error::{ErrorBody, ErrorCode};
pub use state::{OrderState, TaskState};

/// A TMF622 version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Version {
    /// TMF622 v4.0.0.
    #[serde(rename = "v4")]
    V4,
    /// TMF622 v5.0.0.
    #[serde(rename = "v5")]
    V5,
}

impl Version {
    /// Every version, oldest first.
    pub const ALL: [Version; 2] = [Version::V4, Version::V5];

    /// `"v4"` or `"v5"`: the name, and the path segment of the TMF API's base path.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V4 => "v4",
            Version::V5 => "v5",
        }
    }

    /// Exactly `v4` or `v5`, as a URL path segment names the version (no other spelling).
    pub fn from_segment(segment: &str) -> Option<Version> {
        match segment {
            "v4" => Some(Version::V4),
            "v5" => Some(Version::V5),
            _ => None,
        }
    }

    /// The version a path segment of someone else's TMF API root names, read tolerantly:
    /// `v4`, `V4`, `v4.0`, `v4.0.0` (and the same for v5). A segment without the `v` is not a
    /// version (it may be a business id).
    pub fn in_path_segment(segment: &str) -> Option<Version> {
        let s = segment.trim();
        if !s.starts_with(['v', 'V']) {
            return None;
        }
        s.parse().ok()
    }

    /// The member an order's creation date is written in: v4 `orderDate`, v5 `creationDate`.
    pub fn order_date_member(self) -> &'static str {
        match self {
            Version::V4 => "orderDate",
            Version::V5 => "creationDate",
        }
    }

    /// The media types a `PATCH` of an order may have: merge patch in both versions, JSON Patch
    /// in v5 only.
    pub fn patch_media_types(self) -> &'static [&'static str] {
        match self {
            Version::V4 => &["application/merge-patch+json", "application/json"],
            Version::V5 => {
                &["application/merge-patch+json", "application/json", "application/json-patch+json"]
            }
        }
    }

    /// Every object of this version names its class in `@type` (v5's polymorphism; v4 allows
    /// `@type` but does not ask for it).
    pub fn requires_type(self) -> bool {
        self == Version::V5
    }

    /// Gives `object` the `@type` `type_name` when this version requires one and it has none.
    pub fn fill_type(self, object: &mut serde_json::Map<String, Value>, type_name: &str) {
        if self.requires_type() {
            object.entry("@type").or_insert_with(|| Value::String(type_name.to_owned()));
        }
    }
}

/// Member and `@type` names that only one TMF622 version uses (or that the versions use for
/// different things). No crate but this one names them in its code: everything else reads and
/// writes them through the vocabulary ([`parties`], [`external_id`], [`convert`], [`create`],
/// [`Version`]). A test of this crate (`tests/tidy.rs`) fails when one appears in another
/// crate's sources.
pub const VERSION_SPECIFIC_NAMES: &[&str] = &[
    // The order's creation date.
    "orderDate",
    "creationDate",
    // External identifiers.
    "externalIdentifier",
    "externalIdentifierType",
    "ExternalIdentifier",
    // Related parties (v5 wraps a party or a party role).
    "partyOrPartyRole",
    "RelatedPartyRefOrPartyRoleRef",
    "PartyRef",
    "PartyRoleRef",
    "partyId",
    "partyName",
    // Channels.
    "ChannelRef",
    // Quote items and qualification items.
    "quoteItemId",
    "itemId",
    // Agreements.
    "agreementItem",
    "agreementId",
    "agreementHref",
    "agreementName",
    // Price alterations of a product.
    "productPriceAlteration",
    // Related order items.
    "RelatedOrderItem",
    "RelatedProductOrderItem",
    "orderId",
    "orderHref",
    "productOrderId",
    "productOrderHref",
    // v5-only order members.
    "requestedInitialState",
    "orderRelationship",
    // TMF629 contact media: v4 names the medium's kind and nests its values, v5 has a class
    // per medium.
    "mediumType",
    "PhoneContactMedium",
    "EmailContactMedium",
    "GeographicAddressContactMedium",
];

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Version {
    type Err = WireError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "v4" | "4" | "4.0" | "v4.0" | "4.0.0" | "v4.0.0" => Ok(Version::V4),
            "v5" | "5" | "5.0" | "v5.0" | "5.0.0" | "v5.0.0" => Ok(Version::V5),
            _ => Err(WireError::UnknownVersion(s.to_owned())),
        }
    }
}

/// Errors reading wire payloads. Content problems are [`Finding`]s, not errors.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    /// The text is not JSON (also: truncated, binary).
    #[error("not valid JSON at line {line}, column {column}: {message}")]
    NotJson {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser expected.
        message: String,
    },
    /// The JSON has the wrong shape at `path` (a JSON pointer, empty for the root).
    #[error("expected {expected} at '{path}', found {found}")]
    Shape {
        /// JSON pointer to the offending value.
        path: String,
        /// What was expected.
        expected: &'static str,
        /// The JSON type found.
        found: &'static str,
    },
    /// A version name that is neither v4 nor v5.
    #[error("unknown TMF622 version '{0}' (expected v4 or v5)")]
    UnknownVersion(String),
}

impl ErrorCode for WireError {
    fn code(&self) -> &'static str {
        match self {
            WireError::NotJson { .. } => orderdesk_error::codes::INPUT_NOT_JSON,
            WireError::Shape { .. } => orderdesk_error::codes::WIRE_SHAPE,
            WireError::UnknownVersion(_) => "wire.unknown_version",
        }
    }
}

/// Parses JSON text keeping exact numbers.
pub fn parse_json(text: &str) -> Result<Value, WireError> {
    serde_json::from_str::<Value>(text).map_err(|e| WireError::not_json(&e))
}

impl WireError {
    /// The refusal of text that is not JSON, where the parser stopped (a reader that streams
    /// a large document refuses with the same error).
    pub fn not_json(e: &serde_json::Error) -> WireError {
        WireError::NotJson { line: e.line(), column: e.column(), message: e.to_string() }
    }
}

/// A product order in either version.
#[derive(Debug, Clone, PartialEq)]
pub enum AnyProductOrder {
    /// A v4 order.
    V4(v4::ProductOrder),
    /// A v5 order.
    V5(v5::ProductOrder),
}

impl AnyProductOrder {
    /// The version this order was read as.
    pub fn version(&self) -> Version {
        match self {
            AnyProductOrder::V4(_) => Version::V4,
            AnyProductOrder::V5(_) => Version::V5,
        }
    }

    /// The order in v4 shape (converted when it is v5).
    pub fn to_v4(&self) -> v4::ProductOrder {
        match self {
            AnyProductOrder::V4(o) => o.clone(),
            AnyProductOrder::V5(o) => convert::v5_to_v4(o),
        }
    }

    /// The order in v5 shape (converted when it is v4).
    pub fn to_v5(&self) -> v5::ProductOrder {
        match self {
            AnyProductOrder::V4(o) => convert::v4_to_v5(o),
            AnyProductOrder::V5(o) => o.clone(),
        }
    }

    /// The order as JSON in the given version.
    pub fn to_value(&self, version: Version) -> Value {
        match (self, version) {
            (AnyProductOrder::V4(o), Version::V4) => o.to_value(),
            (AnyProductOrder::V5(o), Version::V5) => o.to_value(),
            (AnyProductOrder::V4(o), Version::V5) => convert::v4_to_v5(o).to_value(),
            (AnyProductOrder::V5(o), Version::V4) => convert::v5_to_v4(o).to_value(),
        }
    }
}

impl serde::Serialize for AnyProductOrder {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            AnyProductOrder::V4(o) => o.serialize(s),
            AnyProductOrder::V5(o) => o.serialize(s),
        }
    }
}

impl TryFrom<Value> for AnyProductOrder {
    type Error = WireError;
    fn try_from(v: Value) -> Result<Self, Self::Error> {
        parse_order_value(v)
    }
}

impl std::str::FromStr for AnyProductOrder {
    type Err = WireError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_order(text)
    }
}

/// Reads an order from JSON text; the version comes from [`detect_version`], v4 when the payload
/// is ambiguous (v4 accepts every shape both versions share, and v5 would demand `@type`s).
pub fn parse_order(text: &str) -> Result<AnyProductOrder, WireError> {
    parse_order_value(parse_json(text)?)
}

/// Reads an order from a JSON value (see [`parse_order`]).
pub fn parse_order_value(v: Value) -> Result<AnyProductOrder, WireError> {
    let version = detect_version(&v).unwrap_or(Version::V4);
    parse_order_as(v, version)
}

/// Reads an order from a JSON value as the given version, whatever its shape says.
pub fn parse_order_as(v: Value, version: Version) -> Result<AnyProductOrder, WireError> {
    Ok(match version {
        Version::V4 => AnyProductOrder::V4(v4::ProductOrder::from_value(v)?),
        Version::V5 => AnyProductOrder::V5(v5::ProductOrder::from_value(v)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_read_and_what_differs() {
        assert_eq!(Version::in_path_segment("v4.0"), Some(Version::V4));
        assert_eq!(Version::in_path_segment("V5"), Some(Version::V5));
        assert_eq!(Version::in_path_segment("4"), None);
        assert_eq!(Version::in_path_segment("biz"), None);
        assert_eq!(Version::from_segment("v4.0"), None);
        assert_eq!(Version::V4.order_date_member(), "orderDate");
        assert_eq!(Version::V5.order_date_member(), "creationDate");
        assert!(!Version::V4.patch_media_types().contains(&"application/json-patch+json"));
        assert!(Version::V5.patch_media_types().contains(&"application/json-patch+json"));
        let mut obj = serde_json::Map::new();
        Version::V4.fill_type(&mut obj, "Note");
        assert!(obj.is_empty());
        Version::V5.fill_type(&mut obj, "Note");
        assert_eq!(obj.get("@type").and_then(Value::as_str), Some("Note"));
        for name in [Version::V4.order_date_member(), Version::V5.order_date_member()] {
            assert!(VERSION_SPECIFIC_NAMES.contains(&name));
        }
    }
}
