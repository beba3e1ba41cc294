//! Drafts by id and the catalog records over a database file opened with `open_db`, on a
//! current-thread runtime as the command line runs them.

use std::path::PathBuf;

use orderdesk_core::{Op, PricingOptions, Rounding};
use orderdesk_error::ErrorCode;
use orderdesk_service::{order_findings, Edit, RefInput, Service, SnapshotImport};
use orderdesk_store::{DraftFilter, SearchKind};
use serde_json::{json, Value};

fn asset(relative: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets").join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn open(dir: &tempfile::TempDir) -> Service {
    Service::open_db(dir.path().join("cli.db"), "cli").expect("open the database file")
}

#[tokio::test]
async fn snapshots_import_with_version_and_merge_then_records_and_search() {
    let dir = tempfile::tempdir().expect("temp dir");
    let service = open(&dir);
    assert_eq!(service.catalog_info().await.expect("info"), None);
    assert_eq!(service.data_dir(), dir.path());

    let how = SnapshotImport { version: Some("demo-1".into()), ..SnapshotImport::replacing("f") };
    let report = service.import_snapshot(asset("catalog/demo.json"), how).await.expect("import");
    assert_eq!((report.version.as_str(), report.offerings), ("demo-1", 47));
    let info = service.catalog_info().await.expect("info").expect("a version");
    assert_eq!((info.version.as_str(), info.source.as_str()), ("demo-1", "f"));
    assert_eq!(service.cached_catalog().version.as_deref(), Some("demo-1"), "the version is read");
    assert_eq!(service.catalog_offerings().await.expect("count"), 47);

    // A merge keeps what the snapshot does not list; a replace drops it.
    let one = json!({"version": "demo-2", "productOffering": [{"id": "X1", "name": "Extra"}]});
    let merge = SnapshotImport { merge: true, ..SnapshotImport::replacing("g") };
    let report = service.import_snapshot(one.to_string(), merge).await.expect("merge");
    assert_eq!((report.version.as_str(), report.offerings), ("demo-2", 1));
    assert!(service.offering("14305".into()).await.is_ok());
    assert_eq!(service.offering("X1".into()).await.expect("merged").summary.name, "Extra");
    assert_eq!(service.catalog_offerings().await.expect("count"), 48, "counted again");
    let record = service.catalog_record("X1".into()).await.expect("record");
    assert_eq!(record["name"], "Extra");
    service
        .import_snapshot(one.to_string(), SnapshotImport::replacing("g"))
        .await
        .expect("replace");
    let err = service.catalog_record("14305".into()).await.expect_err("replaced away");
    assert_eq!(err.code(), "store.not_found");

    // Not a snapshot, not JSON: refused before anything is stored.
    let err = service.import_snapshot("{oops".into(), SnapshotImport::replacing("h")).await;
    assert_eq!(err.expect_err("not JSON").code(), "input.not_json");
    // Refused half-way through the records (one without an id): nothing of it is kept.
    let half = json!({"version": "demo-3", "productOffering": [{"id": "Y1"}, {"name": "no id"}]});
    let err = service.import_snapshot(half.to_string(), SnapshotImport::replacing("i")).await;
    assert_eq!(err.expect_err("no id").code(), "store.invalid_input");
    assert!(service.offering("X1".into()).await.is_ok());
    assert!(service.offering("Y1".into()).await.is_err());
    assert_eq!(service.cached_catalog().version.as_deref(), Some("demo-2"));

    let hits = service.search("Extra".into(), vec![SearchKind::Draft], 10).await.expect("search");
    assert!(hits.is_empty(), "{hits:?}");
    let hits = service.search("Extra".into(), vec![], 10).await.expect("search all");
    assert_eq!(hits.len(), 1);
    for hostile in ["\"", "NEAR(", "a OR", "*", "'; DROP TABLE drafts; --"] {
        service.search(hostile.into(), vec![], 10).await.expect("any text is a search");
    }
}

#[tokio::test]
async fn drafts_are_listed_edited_restored_checked_and_priced_by_id() {
    let dir = tempfile::tempdir().expect("temp dir");
    let service = open(&dir);
    let text = asset("orders/tmf25-bundle.v4.json");
    let original: Value = serde_json::from_str(&text).expect("fixture");

    // Without a cached catalog a draft is not checked against an empty one.
    let id = service.import_order(text.clone()).await.expect("import").draft.id;
    let findings = service.check_draft(id.clone()).await.expect("check");
    assert!(findings.iter().all(|f| f.code != "offering.unknown"), "{findings:?}");

    service
        .import_snapshot(asset("catalog/demo.json"), SnapshotImport::replacing("demo"))
        .await
        .expect("catalog");
    let other = service.import_order(text.clone()).await.expect("import").draft.id;
    let rows = service.list_drafts(DraftFilter::default()).await.expect("list");
    assert_eq!(rows.len(), 2);
    let rows = service
        .list_drafts(DraftFilter { customer_prefix: Some("jean".into()), limit: 1, offset: 1 })
        .await
        .expect("list a page");
    assert_eq!(rows.len(), 1);
    assert_eq!(service.draft_json(other.clone()).await.expect("json"), original);

    // Edits apply to the current revision, with no revision to name.
    let row = service
        .edit_current(
            id.clone(),
            Edit::AddOffering { offering_id: "14305".into(), parent: None, quantity: None },
        )
        .await
        .expect("add offering");
    assert_eq!((row.revision, row.item_count), (2, 5));
    let row = service
        .edit_current(
            id.clone(),
            Edit::SetCustomer { customer: Some(RefInput { id: "C9".into(), name: "Ada".into() }) },
        )
        .await
        .expect("customer");
    assert_eq!(row.customer.as_deref(), Some("Ada"));

    // Core operations: all or nothing, recorded as their JSON.
    let ops = vec![
        Op::SetQuantity { item: "1".into(), quantity: 3 },
        Op::RemoveItem { item: "no-such-item".into() },
    ];
    let err = service.apply_ops(id.clone(), ops).await.expect_err("one op is refused");
    assert_eq!(err.code(), "core.unknown_item");
    let err = service.apply_ops(id.clone(), Vec::new()).await.expect_err("nothing to apply");
    assert_eq!(err.code(), "service.invalid_input");
    let row = service
        .apply_ops(id.clone(), vec![Op::SetQuantity { item: "1".into(), quantity: 3 }])
        .await
        .expect("set quantity");
    assert_eq!(row.revision, 4);

    let revisions = service.revisions(id.clone()).await.expect("revisions");
    let actions: Vec<&str> = revisions.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions[..3], ["create", "add offering 14305", "customer"]);
    assert!(actions[3].contains("\"setQuantity\""), "{actions:?}");
    assert!(revisions.iter().all(|r| r.actor.starts_with("cli")), "{revisions:?}");
    let history = service.history(id.clone()).await.expect("history");
    assert_eq!(history.first().map(|r| r.revision), Some(4), "the app's history is newest first");

    // The added mobile line lacks its required MSISDN: check and price both say so.
    let findings = service.check_draft(id.clone()).await.expect("check");
    assert!(findings.iter().any(|f| f.code == "characteristic.missing"), "{findings:?}");
    let options = PricingOptions { rounding: Rounding::HalfEven, periods: Some(24) };
    let quote = service.price_draft(id.clone(), options).await.expect("price");
    assert_eq!(quote.currencies.first().map(|c| c.currency.as_str()), Some("EUR"));
    assert!(quote.findings.iter().any(|f| f.code == "characteristic.missing"));

    let row = service.restore_revision(id.clone(), 1).await.expect("restore");
    assert_eq!(row.revision, 5);
    assert_eq!(service.draft_json(id.clone()).await.expect("json"), original);
    let err = service.restore_revision(id.clone(), 99).await.expect_err("no such revision");
    assert_eq!(err.code(), "store.not_found");

    let err = service.draft_json("nope".into()).await.expect_err("unknown draft");
    assert_eq!(err.code(), "store.not_found");
}

#[tokio::test]
async fn imports_say_why_text_is_not_an_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    let service = open(&dir);
    let err = service.import_order("[1, 2, 3]".into()).await.expect_err("not an order");
    assert!(err.code().starts_with("wire."), "{}", err.code());
    let err = service.import_order("{oops".into()).await.expect_err("not JSON");
    assert_eq!(err.code(), "input.not_json");
    assert!(service.list_drafts(DraftFilter::default()).await.expect("list").is_empty());

    // Findings for any payload: the wire checks alone when it is not shaped like an order.
    assert!(!order_findings(&json!([1, 2, 3]), None, None).is_empty());
}
