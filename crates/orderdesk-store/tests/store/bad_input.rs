//! Files and environments the store must refuse cleanly, never panicking or replacing data.
//!
//! Tests run as root in CI, where directory permissions do not stop writes. So "read-only" is
//! tested with SQLite's own read-only open (which binds root too) and an unwritable location
//! with a path *under a regular file* (no user can create a file inside a file). A full disk
//! is simulated with `PRAGMA max_page_count`, which makes SQLite report `SQLITE_FULL` exactly
//! as a full file system would, without mounting anything.

use std::fs;

use orderdesk_store::*;

use crate::common::*;

#[test]
fn a_file_that_is_not_sqlite_is_refused_untouched() {
    let db = temp_db();
    let content = b"name,total\nJane,10\n".repeat(100);
    fs::write(&db.path, &content).expect("write");
    let err = Store::open(&db.path).expect_err("must refuse");
    assert!(matches!(err, StoreError::NotADatabase { .. }), "{err:?}");
    assert_eq!(err.code(), "store.not_a_database");
    assert_eq!(fs::read(&db.path).expect("read"), content, "left untouched");
}

#[test]
fn a_truncated_database_is_reported_and_moved_aside_only_on_request() {
    let db = temp_db();
    {
        let mut store = Store::open(&db.path).expect("open");
        for i in 0..200 {
            create(&mut store, &format!("Customer {i}"));
        }
    } // closing checkpoints the WAL into the main file
    let full = fs::read(&db.path).expect("read");
    assert!(full.len() > 64 * 1024, "fixture is {} bytes", full.len());
    fs::write(&db.path, &full[..full.len() / 2]).expect("truncate");

    let err = Store::open(&db.path).expect_err("must refuse");
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains("truncated"), "{err}");
    // Still there, still truncated: nothing was replaced.
    assert_eq!(fs::read(&db.path).expect("read").len(), full.len() / 2);

    // With the user's consent: moved aside, and a fresh database opens in its place.
    let aside = move_aside(&db.path).expect("move aside");
    assert!(aside.exists());
    assert!(!db.path.exists());
    let store = Store::open(&db.path).expect("fresh");
    assert!(store.drafts(&DraftFilter::default()).expect("list").is_empty());

    // A file cut inside its header.
    let short = db.dir.path().join("short.db");
    fs::write(&short, &full[..50]).expect("write");
    let err = Store::open(&short).expect_err("must refuse");
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
}

#[test]
fn damaged_pages_are_reported_not_panicked_on() {
    let db = temp_db();
    {
        let mut store = Store::open(&db.path).expect("open");
        for i in 0..200 {
            create(&mut store, &format!("Customer {i}"));
        }
    }
    // Scribble over everything after the first two pages, keeping the file size.
    let mut bytes = fs::read(&db.path).expect("read");
    for (i, byte) in bytes.iter_mut().enumerate().skip(8192) {
        *byte = (i % 251) as u8;
    }
    fs::write(&db.path, &bytes).expect("write");
    match Store::open(&db.path) {
        Err(err) => {
            assert!(matches!(err, StoreError::Corrupt { .. } | StoreError::Open { .. }), "{err:?}")
        }
        Ok(store) => {
            let check = store.integrity_check();
            let listed = store.drafts(&DraftFilter::default());
            assert!(
                check.map(|c| c != ["ok"]).unwrap_or(true) || listed.is_err(),
                "damage went unnoticed"
            );
        }
    }
}

#[test]
fn a_database_from_a_newer_version_is_refused_with_both_versions() {
    let db = temp_db();
    drop(Store::open(&db.path).expect("open"));
    {
        let conn = rusqlite::Connection::open(&db.path).expect("raw");
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 41).expect("bump");
    }
    let err = Store::open(&db.path).expect_err("must refuse");
    match &err {
        StoreError::TooNew { found, supported, .. } => {
            assert_eq!((*found, *supported), (SCHEMA_VERSION + 41, SCHEMA_VERSION));
        }
        other => panic!("expected TooNew, got {other:?}"),
    }
    let message = err.to_string();
    assert!(message.contains(&format!("schema version {}", SCHEMA_VERSION + 41)), "{message}");
    assert!(message.contains(&format!("up to {SCHEMA_VERSION}")), "{message}");
    // The file is still at the newer version: never rewritten.
    let conn = rusqlite::Connection::open(&db.path).expect("raw");
    let version: i64 =
        conn.pragma_query_value(None, "user_version", |row| row.get(0)).expect("version");
    assert_eq!(version, SCHEMA_VERSION + 41);
}

#[test]
fn another_applications_database_is_refused() {
    let db = temp_db();
    {
        let conn = rusqlite::Connection::open(&db.path).expect("raw");
        conn.execute_batch("CREATE TABLE songs (title TEXT); INSERT INTO songs VALUES ('x');")
            .expect("create");
    }
    let err = Store::open(&db.path).expect_err("must refuse");
    assert!(matches!(err, StoreError::ForeignDatabase { .. }), "{err:?}");
}

#[test]
fn an_unwritable_location_is_an_error_not_a_panic() {
    let db = temp_db();
    let file = db.dir.path().join("plain-file");
    fs::write(&file, b"x").expect("write");
    // A path under a regular file cannot be created, even by root.
    let err = Store::open(file.join("orderdesk.db")).expect_err("must fail");
    assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
    assert_eq!(err.code(), "store.open_failed");
    let err =
        Store::open(db.dir.path().join("missing-dir").join("orderdesk.db")).expect_err("must fail");
    assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
}

#[test]
fn a_read_only_open_refuses_writes() {
    let db = temp_db();
    let kept = {
        let mut store = Store::open(&db.path).expect("open");
        create(&mut store, "Kept")
    };
    let mut store =
        Store::open_with(&db.path, OpenOptions { read_only: true, ..OpenOptions::default() })
            .expect("read-only open");
    assert!(store.draft(&kept.id).is_ok(), "reads work");
    let err =
        store.create_draft(new_draft(order_json("New", "", "", "1"))).expect_err("write must fail");
    assert!(matches!(err, StoreError::ReadOnly(_)), "{err:?}");
    assert_eq!(store.drafts(&DraftFilter::default()).expect("list").len(), 1);
}

#[test]
fn a_full_disk_fails_the_change_and_keeps_everything_saved_before() {
    let db = temp_db();
    drop(Store::open(&db.path).expect("create"));
    let pages: u32 = {
        let conn = rusqlite::Connection::open(&db.path).expect("raw");
        conn.pragma_query_value(None, "page_count", |row| row.get(0)).expect("page count")
    };
    let mut store = Store::open_with(
        &db.path,
        OpenOptions { max_page_count: Some(pages + 12), ..OpenOptions::default() },
    )
    .expect("open capped");
    let big_note = "lorem ipsum ".repeat(400);
    let mut saved = Vec::new();
    let err = loop {
        match store.create_draft(new_draft(order_json("Filler", &big_note, "grey", "1"))) {
            Ok(row) => saved.push(row.id),
            Err(err) => break err,
        }
        assert!(saved.len() < 1000, "the size cap never triggered");
    };
    assert!(matches!(err, StoreError::DiskFull), "{err:?}");
    assert_eq!(err.code(), "store.disk_full");
    assert!(!saved.is_empty());
    // Everything that returned Ok is there, the failed change left nothing behind, and the
    // store still works (reads, and deletes that free space).
    assert_eq!(
        store.drafts(&DraftFilter { limit: 1000, ..DraftFilter::default() }).expect("list").len(),
        saved.len()
    );
    for id in &saved {
        assert!(store.draft(id).is_ok());
    }
    assert_eq!(store.integrity_check().expect("check"), ["ok"]);
    drop(store);
    let store = Store::open(&db.path).expect("reopen without cap");
    assert_eq!(store.integrity_check().expect("check"), ["ok"]);
    assert_eq!(
        store.drafts(&DraftFilter { limit: 1000, ..DraftFilter::default() }).expect("list").len(),
        saved.len()
    );
}

/// The database, its WAL files, its backups and the data directory are the user's alone:
/// orders carry customers' names and numbers.
#[cfg(unix)]
#[test]
fn the_database_and_its_backups_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let mode =
        |p: &std::path::Path| fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
    let db = temp_db();
    let dir = db.dir.path().join("data").join("orderdesk");
    orderdesk_store::create_private_dir(&dir).expect("data dir");
    assert_eq!(mode(&dir), 0o700);
    let path = dir.join("orderdesk.db");
    let mut store = Store::open(&path).expect("create");
    create(&mut store, "Private");
    assert_eq!(mode(&path), 0o600);
    let wal = dir.join("orderdesk.db-wal");
    assert!(wal.exists(), "WAL mode keeps a -wal file while open");
    assert_eq!(mode(&wal), 0o600);
    let backup = dir.join("backup.db");
    store.backup_to(&backup).expect("backup");
    assert_eq!(mode(&backup), 0o600);
    drop(store);
    // A database an older version left readable by everyone is made private on open.
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).expect("chmod");
    drop(Store::open(&path).expect("reopen"));
    assert_eq!(mode(&path), 0o600);
}

/// Another program holding the write lock makes a change fail with `store.busy` after the
/// busy timeout; nothing saved before is lost and the store works once the lock is gone.
#[test]
fn a_database_locked_by_another_program_is_busy_not_broken() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("create");
    let kept = create(&mut store, "Kept");
    let other = rusqlite::Connection::open(&db.path).expect("second connection");
    other.execute_batch("BEGIN EXCLUSIVE").expect("lock");
    let err = store.create_draft(new_draft(order_json("Blocked", "", "", "1"))).expect_err("busy");
    assert!(matches!(err, StoreError::Busy), "{err:?}");
    assert_eq!(err.code(), "store.busy");
    other.execute_batch("ROLLBACK").expect("unlock");
    drop(other);
    assert!(store.draft(&kept.id).is_ok());
    store.create_draft(new_draft(order_json("After", "", "", "1"))).expect("works again");
    assert_eq!(store.drafts(&DraftFilter::default()).expect("list").len(), 2);
}
