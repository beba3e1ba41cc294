//! Drafts: revisions, restore, concurrency check, delete; audit; settings.

use std::str::FromStr;

use orderdesk_store::*;
use rust_decimal::Decimal;

use crate::common::*;

#[test]
fn draft_lifecycle_keeps_every_revision() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    let created = create(&mut store, "Jane Doe");
    assert_eq!(created.revision, 1);
    assert_eq!(created.customer.as_deref(), Some("Jane Doe"));
    assert_eq!(
        created.total,
        Some(Money {
            amount: Decimal::from_str("19.99").expect("decimal"),
            currency: "EUR".into()
        })
    );
    assert_eq!(created.item_count, 1);

    let first_body = store.draft(&created.id).expect("draft").body;
    assert_eq!(first_body, order_json("Jane Doe", "call first", "teal", "19.99"));

    let second = order_json("Jane Roe", "call first", "red", "21.50");
    let edited = store
        .update_draft(
            &created.id,
            DraftEdit {
                body: second.clone(),
                catalog_version: None,
                actor: "agent-7".into(),
                action: "set-char colour".into(),
                expected_revision: Some(1),
                summary: None,
            },
        )
        .expect("edit");
    assert_eq!(edited.revision, 2);
    assert_eq!(edited.catalog_version.as_deref(), Some("2026.11"));
    assert_eq!(edited.customer.as_deref(), Some("Jane Roe"));

    // A stale edit is refused and changes nothing.
    let stale = store.update_draft(
        &created.id,
        DraftEdit {
            body: order_json("Nobody", "", "", "1"),
            catalog_version: None,
            actor: "agent-8".into(),
            action: "edit".into(),
            expected_revision: Some(1),
            summary: None,
        },
    );
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    assert_eq!(store.draft(&created.id).expect("draft").body, second);

    let restored = store.restore_draft(&created.id, 1, "agent-7").expect("restore");
    assert_eq!(restored.revision, 3);
    let now = store.draft(&created.id).expect("draft");
    assert_eq!(now.body, first_body);
    assert_eq!(now.row.customer.as_deref(), Some("Jane Doe"));

    let history = store.draft_history(&created.id).expect("history");
    let actions: Vec<_> = history.iter().map(|r| (r.revision, r.action.as_str())).collect();
    assert_eq!(actions, [(1, "create"), (2, "set-char colour"), (3, "restore 1")]);
    assert_eq!(store.draft_revision_body(&created.id, 2).expect("rev 2"), second);

    let listed = store.drafts(&DraftFilter::default()).expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].revision, 3);

    store.delete_draft(&created.id, "agent-7").expect("delete");
    assert!(matches!(store.draft(&created.id), Err(StoreError::NotFound { .. })));
    assert!(matches!(store.draft_history(&created.id), Err(StoreError::NotFound { .. })));
    assert!(store.search("Jane", &[SearchKind::Draft], 10).expect("search").is_empty());

    let events: Vec<_> = store
        .audit(AuditSubject::Draft, &created.id)
        .expect("audit")
        .into_iter()
        .map(|entry| entry.event)
        .collect();
    assert_eq!(
        events,
        [AuditEvent::Created, AuditEvent::Edited, AuditEvent::Restored, AuditEvent::Deleted]
    );
}

#[test]
fn draft_list_filters_by_customer_prefix_and_pages() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    for name in ["Alice", "Albert", "Bob", "100% Corp", "_under"] {
        create(&mut store, name);
    }
    let names = |filter: DraftFilter| -> Vec<String> {
        let mut names: Vec<String> = store
            .drafts(&filter)
            .expect("list")
            .into_iter()
            .filter_map(|row| row.customer)
            .collect();
        names.sort();
        names
    };
    let filter = |prefix: &str| DraftFilter {
        customer_prefix: Some(prefix.into()),
        ..DraftFilter::default()
    };
    assert_eq!(names(filter("al")), ["Albert", "Alice"]);
    // LIKE wildcards in the prefix are literal characters.
    assert_eq!(names(filter("100%")), ["100% Corp"]);
    assert_eq!(names(filter("_")), ["_under"]);
    assert!(names(filter("%")).is_empty());
    let page = DraftFilter { limit: 2, offset: 4, ..DraftFilter::default() };
    assert_eq!(store.drafts(&page).expect("page").len(), 1);
}

#[test]
fn invalid_draft_bodies_are_refused_and_nothing_is_stored() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    for body in ["", "not json", "[1,2]", "{\"a\":", "\"text\""] {
        let result = store.create_draft(new_draft(body.into()));
        assert!(matches!(result, Err(StoreError::Invalid(_))), "{body:?}: {result:?}");
    }
    assert!(store.drafts(&DraftFilter::default()).expect("list").is_empty());
    let missing = store.update_draft(
        "no-such-draft",
        DraftEdit {
            body: "{}".into(),
            catalog_version: None,
            actor: "a".into(),
            action: "edit".into(),
            expected_revision: None,
            summary: None,
        },
    );
    assert!(matches!(missing, Err(StoreError::NotFound { .. })));
}

#[test]
fn bodies_are_kept_byte_for_byte_with_exact_numbers() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    let body = r#"{"z":1,"a":0.1000000000000000055511151231257827,"big":123456789012345678901234567890,"unicode":"Zürich \u00e9"}"#;
    let row = store.create_draft(new_draft(body.into())).expect("create");
    assert_eq!(store.draft(&row.id).expect("draft").body, body);
}

#[test]
fn audit_log_is_append_only() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    let draft = create(&mut store, "Audit Person");
    drop(store);
    let conn = rusqlite::Connection::open(&db.path).expect("raw open");
    let update = conn.execute("UPDATE audit SET actor = 'someone else'", []);
    assert!(update.is_err(), "audit rows must not be updatable");
    let delete = conn.execute("DELETE FROM audit", []);
    assert!(delete.is_err(), "audit rows must not be deletable");
    let count: i64 = conn
        .query_row("SELECT count(*) FROM audit WHERE subject_id = ?1", [&draft.id], |row| {
            row.get(0)
        })
        .expect("count");
    assert_eq!(count, 1);
}

#[test]
fn settings_round_trip() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    let value = serde_json::json!({"theme": "dark", "pageSize": 50, "rate": 0.1});
    store.set_setting("ui", &value).expect("set");
    assert_eq!(store.setting("ui").expect("get"), Some(value));
    store.delete_setting("ui").expect("delete");
    assert_eq!(store.setting("ui").expect("get"), None);
}

#[test]
fn backup_and_restore() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    let kept = create(&mut store, "Before Backup");
    let backup = db.dir.path().join("backup.db");
    store.backup_to(&backup).expect("backup");
    let later = create(&mut store, "After Backup");
    store.delete_draft(&kept.id, "agent").expect("delete");

    // The backup is a self-contained database that opens on its own.
    {
        let copy = Store::open(&backup).expect("open backup");
        assert_eq!(copy.integrity_check().expect("check"), ["ok"]);
        assert!(copy.draft(&kept.id).is_ok());
    }
    store.restore_from(&backup).expect("restore");
    assert!(store.draft(&kept.id).is_ok());
    assert!(matches!(store.draft(&later.id), Err(StoreError::NotFound { .. })));
    assert_eq!(store.search("Before", &[], 10).expect("search").len(), 1);
    // The store keeps working after a restore.
    create(&mut store, "After Restore");
    assert_eq!(store.drafts(&DraftFilter::default()).expect("list").len(), 2);

    // The live file itself is neither a backup target nor a restore source.
    assert!(matches!(store.backup_to(&db.path), Err(StoreError::Invalid(_))));
    assert!(matches!(store.restore_from(&db.path), Err(StoreError::Invalid(_))));

    // A file that is not a database is refused before anything is overwritten.
    let junk = db.dir.path().join("junk.db");
    std::fs::write(&junk, b"definitely not sqlite").expect("write junk");
    assert!(matches!(store.restore_from(&junk), Err(StoreError::NotADatabase { .. })));
    assert_eq!(store.drafts(&DraftFilter::default()).expect("list").len(), 2);
}

#[test]
fn favourite_and_recently_added_offerings() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    store.set_favourite_offering("mobile", true).expect("star");
    store.set_favourite_offering("fibre", true).expect("star");
    store.set_favourite_offering("mobile", true).expect("starring twice is no change");
    assert_eq!(store.favourite_offerings().expect("list"), ["mobile", "fibre"]);
    store.set_favourite_offering("mobile", false).expect("unstar");
    assert_eq!(store.favourite_offerings().expect("list"), ["fibre"]);
    assert!(matches!(store.set_favourite_offering(" ", true), Err(StoreError::Invalid(_))));
    // "fibre" is one already.
    for n in 1..MAX_FAVOURITE_OFFERINGS {
        store.set_favourite_offering(&format!("o-{n}"), true).expect("star");
    }
    assert_eq!(store.favourite_offerings().expect("list").len(), MAX_FAVOURITE_OFFERINGS);
    assert!(matches!(store.set_favourite_offering("one-more", true), Err(StoreError::Invalid(_))));
    // Another reader sees them: they are the database's, not the connection's.
    assert_eq!(store.reader().expect("reader").favourite_offerings().expect("list")[0], "fibre");

    // Recent: recorded by the revision that adds an offering, the latest first.
    let draft = create(&mut store, "Jane Doe");
    let edit = |n: &str| DraftEdit {
        body: order_json("Jane Doe", n, "red", "1.00"),
        catalog_version: None,
        actor: "agent".into(),
        action: "add offering".into(),
        expected_revision: None,
        summary: None,
    };
    assert!(store.recent_offerings(10).expect("recent").is_empty());
    store.update_draft_adding(&draft.id, edit("a"), &["mobile".into()]).expect("add");
    store.update_draft_adding(&draft.id, edit("b"), &["fibre".into()]).expect("add");
    store.update_draft(&draft.id, edit("c")).expect("an edit adding nothing");
    store.update_draft_adding(&draft.id, edit("d"), &["mobile".into()]).expect("add again");
    assert_eq!(store.recent_offerings(10).expect("recent"), ["mobile", "fibre"]);
    assert_eq!(store.recent_offerings(1).expect("recent"), ["mobile"]);
    for n in 0..=MAX_RECENT_OFFERINGS {
        store.update_draft_adding(&draft.id, edit("e"), &[format!("r-{n}")]).expect("add");
    }
    let recent = store.recent_offerings(usize::MAX).expect("recent");
    assert_eq!(recent.len(), MAX_RECENT_OFFERINGS);
    assert_eq!(recent[0], format!("r-{MAX_RECENT_OFFERINGS}"));
    assert!(!recent.contains(&"fibre".to_owned()), "the oldest are forgotten");
}
