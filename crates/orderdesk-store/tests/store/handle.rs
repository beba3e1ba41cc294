//! The writer thread handle: blocking waits, futures, readers beside the writer.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

use orderdesk_store::*;

use crate::common::*;

/// A minimal executor: park the thread until the future's waker unparks it.
fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(value) => return value,
            Poll::Pending => thread::park(),
        }
    }
}

#[test]
fn writes_run_on_the_writer_thread_and_readers_see_them() {
    let db = temp_db();
    let handle = StoreHandle::open(&db.path).expect("open");
    let reader = handle.reader().expect("reader");

    let row = handle
        .write(|store| store.create_draft(new_draft(order_json("Async", "n", "c", "1"))))
        .wait()
        .expect("write");
    assert_eq!(reader.draft(&row.id).expect("read").row.customer.as_deref(), Some("Async"));

    let awaited = block_on(
        handle.write(|store| store.create_draft(new_draft(order_json("Awaited", "n", "c", "2")))),
    )
    .expect("await");
    assert!(reader.draft(&awaited.id).is_ok());

    // Errors come back through the reply.
    let err =
        handle.write(|store| store.delete_draft("missing", "agent")).wait().expect_err("not found");
    assert_eq!(err.code(), "store.not_found");

    // Many threads, one writer: every write lands exactly once.
    let workers: Vec<_> = (0..4)
        .map(|t| {
            let handle = handle.clone();
            thread::spawn(move || {
                (0..10)
                    .map(|i| {
                        handle
                            .write(move |store| {
                                store.create_draft(new_draft(order_json(
                                    &format!("T{t}-{i}"),
                                    "",
                                    "",
                                    "1",
                                )))
                            })
                            .wait()
                            .map(|row| row.id)
                    })
                    .collect::<Result<Vec<_>>>()
            })
        })
        .collect();
    let mut ids = Vec::new();
    for worker in workers {
        ids.extend(worker.join().expect("worker thread").expect("writes"));
    }
    assert_eq!(ids.len(), 40);
    let all = reader.drafts(&DraftFilter { limit: 100, ..DraftFilter::default() }).expect("list");
    assert_eq!(all.len(), 42);
}

#[test]
fn a_reply_reports_a_writer_that_died() {
    let db = temp_db();
    let handle = StoreHandle::open(&db.path).expect("open");
    // A job that panics takes the writer thread down; its reply and later ones say so.
    let reply = handle.write(|_store| -> Result<()> { panic!("job failure for the test") });
    assert!(matches!(reply.wait(), Err(StoreError::WriterGone)));
    let later = handle.write(|store| store.set_setting("k", &serde_json::json!(1)));
    assert!(matches!(later.wait(), Err(StoreError::WriterGone)));
}

#[test]
fn readers_refuse_writes() {
    let db = temp_db();
    let handle = StoreHandle::open(&db.path).expect("open");
    let reader = handle.reader().expect("reader");
    let err = reader.connection().execute("DELETE FROM drafts", []).expect_err("query_only");
    assert!(err.to_string().contains("readonly") || err.to_string().contains("read"), "{err}");
}

#[test]
fn an_idle_writer_checkpoints_the_wal_into_the_database_file() {
    let db = temp_db();
    let handle = StoreHandle::open(&db.path).expect("open");
    let row = handle
        .write(|store| store.create_draft(new_draft(order_json("Checkpointed", "", "", "1"))))
        .wait()
        .expect("write");
    // A copy of the main file alone (no -wal) holds the draft once the writer has checkpointed.
    let copy = db.dir.path().join("main-file-only.db");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        std::fs::copy(&db.path, &copy).expect("copy");
        let found = Store::open(&copy).ok().is_some_and(|store| store.draft(&row.id).is_ok());
        let _ = std::fs::remove_file(db.dir.path().join("main-file-only.db-wal"));
        let _ = std::fs::remove_file(db.dir.path().join("main-file-only.db-shm"));
        if found {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the WAL was never checkpointed");
        thread::sleep(std::time::Duration::from_millis(100));
    }
}

#[test]
fn the_last_handle_closes_the_database_before_its_drop_returns() {
    let db = temp_db();
    let handle = StoreHandle::open(&db.path).expect("open");
    let copy = handle.clone();
    copy.write(|store| store.create_draft(new_draft(order_json("Closed", "n", "c", "1"))))
        .wait()
        .expect("write");
    drop(copy);
    let wal = db.path.with_extension("db-wal");
    assert!(wal.exists(), "a handle is still open: the write is in the WAL");
    drop(handle);
    // The writer's connection closed as the drop returned: the WAL was copied into the
    // database file and removed, so the file alone is the whole database.
    assert!(!wal.exists(), "{} is left behind", wal.display());
    let copied = db.path.with_extension("copy");
    std::fs::copy(&db.path, &copied).expect("copy");
    let store = orderdesk_store::Store::open(&copied).expect("the copy opens");
    let drafts = store.drafts(&Default::default()).expect("drafts");
    assert_eq!(drafts.len(), 1, "the copy holds the draft");
}
