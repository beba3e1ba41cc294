//! Reading a TMF620 snapshot document one record at a time: a serde visitor over the
//! top-level object hands each element of the `productOffering`, `productOfferingPrice`,
//! `productSpecification` and `category` arrays to a sink as its own `Value` and skips every
//! other member but the few the import records (`version`, `fetchedAt`, `lastUpdate`), so
//! a snapshot of hundreds of megabytes is never held as one JSON tree. The document is refused
//! as the core's `Catalog::from_json` and the wire crate's `parse_json` refuse it (not JSON,
//! not an object, a catalog member that is not an array); serde_json's nesting limit applies
//! as in every other parse. An import reads the records on a second thread while its own
//! thread writes them ([`read_into`]).

use std::fmt;
use std::sync::mpsc;

use orderdesk_core::Catalog;
use orderdesk_store::{CatalogKind, CatalogRecord, CatalogWriter, SNAPSHOT_ARRAYS};
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

/// Records handed from the reader to the writer at a time: one wake-up per batch rather than
/// per record.
const BATCH: usize = 64;

/// Batches read ahead of the writer at most: enough to keep both threads busy, few enough
/// that the import's memory does not grow with the snapshot.
const BATCHES_AHEAD: usize = 4;

/// Read `text` as a snapshot into `writer`: the records are parsed and read into their columns
/// ([`CatalogRecord`]) on a second thread while this one writes them, in document order, so
/// the import takes about as long as the longer of the two rather than their sum. The first
/// error stops both and is the answer (then the caller drops `writer`, which writes nothing).
pub(crate) fn read_into(text: &str, writer: &mut CatalogWriter<'_>) -> Result<SnapshotHeader> {
    std::thread::scope(|scope| {
        let (batches, received) = mpsc::sync_channel::<Vec<CatalogRecord>>(BATCHES_AHEAD);
        let reader = std::thread::Builder::new().name("orderdesk-catalog-reader".into());
        let reader = reader.spawn_scoped(scope, move || {
            // The writer only hangs up after an error of its own, which is the answer.
            let hung_up = |_| ServiceError::Task("the import stopped".into());
            let mut batch = Vec::with_capacity(BATCH);
            let header = read(text, &mut |kind, doc| {
                batch.push(CatalogRecord::new(kind, &doc)?);
                if batch.len() == BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    batches.send(full).map_err(hung_up)?;
                }
                Ok(())
            })?;
            if !batch.is_empty() {
                batches.send(batch).map_err(hung_up)?;
            }
            Ok(header)
        });
        // Without a second thread (the system refuses one) the import is refused, not aborted.
        let reader = reader.map_err(|e| {
            ServiceError::Task(format!("could not start reading the snapshot: {e}"))
        })?;
        let mut written = Ok(());
        'batches: for batch in received {
            for record in batch {
                written = writer.put_record(record);
                if written.is_err() {
                    break 'batches; // `received` is dropped: the reader stops at its next batch
                }
            }
        }
        let header = reader
            .join()
            .map_err(|_| ServiceError::Task("reading the snapshot failed unexpectedly".into()))?;
        written?;
        header
    })
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

    /// A snapshot of `offerings` offerings, each with a description of `filler` bytes.
    fn snapshot(offerings: usize, filler: usize) -> String {
        let offerings: Vec<Value> = (0..offerings)
            .map(|n| {
                serde_json::json!({"id": format!("po-{n}"), "name": format!("Offering {n}"),
                                   "description": "x".repeat(filler),
                                   "category": [{"id": format!("cat-{}", n % 3)}]})
            })
            .collect();
        serde_json::json!({"version": "v9", "productOffering": offerings,
                           "category": [{"id": "cat-0", "name": "Zero"}]})
        .to_string()
    }

    fn meta() -> orderdesk_store::CatalogImportMeta {
        orderdesk_store::CatalogImportMeta {
            version: String::new(),
            fetched_at: chrono::Utc::now(),
            source: "test".into(),
            replace: true,
        }
    }

    #[test]
    fn read_into_writes_every_record_in_document_order() {
        use orderdesk_store::{CatalogKind, Queries, Store};
        let dir = tempfile::tempdir().expect("dir");
        let mut store = Store::open(dir.path().join("x.db")).expect("open");
        // Many times what the reader may read ahead, and one id listed twice: the later wins.
        let mut text = snapshot(3 * BATCH * BATCHES_AHEAD, 10);
        let zero = r#""category":[{"id":"cat-0","name":"Zero"}"#;
        let again = r#""category":[{"id":"cat-0","name":"Zero"},{"id":"cat-0","name":"Again"}"#;
        text = text.replacen(zero, again, 1);
        let mut writer = store.catalog_writer(&meta()).expect("writer");
        let header = read_into(&text, &mut writer).expect("import");
        assert_eq!(header.version.as_deref(), Some("v9"));
        let report = writer.finish("v9".into(), chrono::Utc::now()).expect("finish");
        assert_eq!((report.offerings as usize, report.categories), (3 * BATCH * BATCHES_AHEAD, 2));
        assert_eq!(store.offering_count().expect("count") as usize, 3 * BATCH * BATCHES_AHEAD);
        let category = store.catalog_item(CatalogKind::Category, "cat-0").expect("category");
        assert_eq!(category.name.as_deref(), Some("Again"), "the later record is kept");
        let last = format!("Offering {}", 3 * BATCH * BATCHES_AHEAD - 1);
        assert_eq!(store.search(&last, &[], 1).expect("search")[0].title, last);
    }

    #[test]
    fn a_record_or_a_write_refused_stops_the_import_with_its_own_error() {
        use orderdesk_store::{OpenOptions, Queries, Store};
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("x.db");
        {
            let mut store = Store::open(&path).expect("open");
            let mut writer = store.catalog_writer(&meta()).expect("writer");
            read_into(&snapshot(10, 10), &mut writer).expect("first import");
            writer.finish("v1".into(), chrono::Utc::now()).expect("finish");
        }
        // The store is closed, so its file holds every page (of SQLite's default 4 KiB).
        let pages = u32::try_from(std::fs::metadata(&path).expect("size").len() / 4096)
            .expect("a small file");
        let options = OpenOptions { max_page_count: Some(pages + 50), ..OpenOptions::default() };
        let mut store = Store::open_with(&path, options).expect("open capped");

        // The reader refuses a record half-way (no id), after many were written.
        let mut text = snapshot(2 * BATCH * BATCHES_AHEAD, 10);
        text = text.replacen("\"id\":\"po-300\",", "", 1);
        let mut writer = store.catalog_writer(&meta()).expect("writer");
        let err = read_into(&text, &mut writer).expect_err("no id");
        assert_eq!(orderdesk_error::ErrorCode::code(&err), "store.invalid_input", "{err}");
        drop(writer);
        assert_eq!(store.offering_count().expect("count"), 10, "the first import is kept");

        // The writer fails (the disk fills up) while the reader is far ahead of it.
        let mut writer = store.catalog_writer(&meta()).expect("writer");
        let err =
            read_into(&snapshot(4 * BATCH * BATCHES_AHEAD, 4000), &mut writer).expect_err("full");
        assert_eq!(orderdesk_error::ErrorCode::code(&err), "store.disk_full", "{err}");
        drop(writer);
        assert_eq!(store.offering_count().expect("count"), 10, "the first import is kept");
        assert_eq!(store.integrity_check().expect("check"), ["ok"]);
    }
}
