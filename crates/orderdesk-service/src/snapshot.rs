//! Reading a TMF620 snapshot document one record at a time: a serde visitor over the
//! top-level object hands each element of the `productOffering`, `productOfferingPrice`,
//! `productSpecification` and `category` arrays to a sink as its own `Value` and skips every
//! other member but the few the import records (`version`, `fetchedAt`, `lastUpdate`), so
//! a snapshot of hundreds of megabytes is never held as one JSON tree. The document is refused
//! as the core's `Catalog::from_json` and the wire crate's `parse_json` refuse it (not JSON,
//! not an object, a catalog member that is not an array); serde_json's nesting limit applies
//! as in every other parse.

use std::fmt;

use orderdesk_core::Catalog;
use orderdesk_store::{CatalogKind, SNAPSHOT_ARRAYS};
use serde::de::{DeserializeSeed, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::error::{Result, ServiceError};

/// The members of the snapshot besides its records that an import records.
#[derive(Debug, Default)]
pub(crate) struct SnapshotHeader {
    pub(crate) version: Option<String>,
    pub(crate) fetched_at: Option<Value>,
    pub(crate) last_update: Option<Value>,
}

type Sink<'s> = dyn FnMut(CatalogKind, Value) -> Result<()> + 's;

struct Reading<'s, 'k> {
    sink: &'k mut Sink<'s>,
    header: SnapshotHeader,
    /// The catalog member being read, to name it when it is not an array.
    member: Option<&'static str>,
    /// Why the sink refused a record: the parse stops and this is the error.
    failed: Option<ServiceError>,
}

/// Read `text` as a snapshot, handing each record to `sink` in document order.
pub(crate) fn read(text: &str, sink: &mut Sink<'_>) -> Result<SnapshotHeader> {
    let mut reading =
        Reading { sink, header: SnapshotHeader::default(), member: None, failed: None };
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = (&mut reading).deserialize(&mut de).and_then(|()| de.end());
    match parsed {
        Ok(()) => Ok(reading.header),
        Err(e) => Err(match reading.failed.take() {
            Some(failed) => failed,
            // Type errors come only from the visitors below: the shape is wrong.
            None if e.classify() == serde_json::error::Category::Data => match reading.member {
                Some(key) => ServiceError::Core(Catalog::not_an_array(key)),
                None => ServiceError::Core(Catalog::not_a_snapshot()),
            },
            None => ServiceError::NotJson(orderdesk_wire::WireError::not_json(&e).to_string()),
        }),
    }
}

impl<'de> DeserializeSeed<'de> for &mut Reading<'_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for &mut Reading<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a TMF620 snapshot object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if let Some((kind, name)) = SNAPSHOT_ARRAYS.iter().find(|(_, name)| *name == key) {
                self.member = Some(name);
                map.next_value_seed(Records { reading: &mut *self, kind: *kind })?;
                self.member = None;
                continue;
            }
            match key.as_str() {
                "version" => {
                    self.header.version = map.next_value::<Value>()?.as_str().map(str::to_owned)
                }
                "fetchedAt" => self.header.fetched_at = Some(map.next_value()?),
                "lastUpdate" => self.header.last_update = Some(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct Records<'r, 's, 'k> {
    reading: &'r mut Reading<'s, 'k>,
    kind: CatalogKind,
}

impl<'de> DeserializeSeed<'de> for Records<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Records<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of catalog records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        while let Some(record) = seq.next_element::<Value>()? {
            if let Err(e) = (self.reading.sink)(self.kind, record) {
                self.reading.failed = Some(e);
                return Err(A::Error::custom("the record was refused"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &str) -> Result<(SnapshotHeader, Vec<(CatalogKind, Value)>)> {
        let mut seen = Vec::new();
        let header = read(text, &mut |kind, v| {
            seen.push((kind, v));
            Ok(())
        })?;
        Ok((header, seen))
    }

    #[test]
    fn reads_records_in_order_and_the_header() {
        let text = r#"{"version":"7","extra":{"deep":[1,2]},"productOffering":[{"id":"a"},{"id":"b"}],
            "category":[{"id":"c"}],"lastUpdate":"2026-01-01T00:00:00Z"}"#;
        let (header, seen) = records(text).expect("a snapshot");
        assert_eq!(header.version.as_deref(), Some("7"));
        assert!(header.last_update.is_some() && header.fetched_at.is_none());
        let ids: Vec<(CatalogKind, &str)> =
            seen.iter().map(|(k, v)| (*k, v["id"].as_str().unwrap_or_default())).collect();
        assert_eq!(
            ids,
            [
                (CatalogKind::Offering, "a"),
                (CatalogKind::Offering, "b"),
                (CatalogKind::Category, "c")
            ]
        );
    }

    #[test]
    fn refuses_as_the_core_and_the_wire_crate_do() {
        let code = |text: &str| {
            records(text)
                .map(|_| ())
                .map_err(|e| (orderdesk_error::ErrorCode::code(&e), e.to_string()))
        };
        for (text, whole) in [
            ("[]", serde_json::json!([])),
            ("\"x\"", serde_json::json!("x")),
            ("12", serde_json::json!(12)),
            (r#"{"productOffering":{}}"#, serde_json::json!({"productOffering":{}})),
            (r#"{"category":null}"#, serde_json::json!({"category":null})),
            (r#"{"productOfferingPrice":3}"#, serde_json::json!({"productOfferingPrice":3})),
        ] {
            let core = Catalog::from_json(&whole).map(|_| ()).map_err(|e| {
                let e = ServiceError::Core(e);
                (orderdesk_error::ErrorCode::code(&e), e.to_string())
            });
            assert_eq!(code(text), core, "{text}");
        }
        for text in ["", "{", r#"{"productOffering":[{"id":"a"}"#, "{} x", "\u{0}"] {
            let wire = orderdesk_wire::parse_json(text).map(|_| ()).map_err(|e| {
                let e = ServiceError::NotJson(e.to_string());
                (orderdesk_error::ErrorCode::code(&e), e.to_string())
            });
            assert!(wire.is_err(), "{text}");
            assert_eq!(code(text), wire, "{text}");
        }
        let deep = format!("{{\"productOffering\":[{}{}]}}", "[".repeat(200), "]".repeat(200));
        assert!(matches!(records(&deep), Err(ServiceError::NotJson(_))));
        let refused = read(r#"{"productOffering":[{"id":"a"}]}"#, &mut |_, _| {
            Err(ServiceError::NothingToDo("refused"))
        });
        assert!(matches!(refused, Err(ServiceError::NothingToDo("refused"))));
    }
}
