//! Crash safety: a child process saving drafts is killed with SIGKILL at random points; after
//! each kill the database opens, passes `integrity_check`, and holds every save that had
//! returned.
//!
//! The child is this test binary itself, re-run with `--ignored --exact` on
//! [`crash_child_saves_drafts_forever`] and the database path in an environment variable. It
//! prints `saved <id> <n>` (or `edited <id> <revision> <n>`) only after the store call returned.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use orderdesk_store::*;

use crate::common::*;

const CHILD_ENV: &str = "ORDERDESK_STORE_CRASH_CHILD_DB";
const KILLS: usize = 50;

/// Runs only as the child of [`killed_writers_lose_nothing_that_returned`].
#[test]
#[ignore = "child process of killed_writers_lose_nothing_that_returned"]
fn crash_child_saves_drafts_forever() {
    let Some(path) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let mut store = Store::open(&path).expect("child open");
    println!("ready");
    let mut last: Option<String> = None;
    for n in 0u64.. {
        let body = order_json(&format!("Crash {n}"), &format!("save {n}"), "red", "1.00");
        match (&last, n % 3) {
            (Some(id), 2) => {
                let row = store
                    .update_draft(
                        id,
                        DraftEdit {
                            body,
                            catalog_version: None,
                            actor: "child".into(),
                            action: format!("edit {n}"),
                            expected_revision: None,
                            summary: None,
                        },
                    )
                    .expect("child edit");
                println!("edited {} {} {n}", row.id, row.revision);
            }
            _ => {
                let row = store.create_draft(new_draft(body)).expect("child save");
                println!("saved {} {n}", row.id);
                last = Some(row.id);
            }
        }
    }
}

/// A small xorshift generator: the kill points only need to vary, not be cryptographic.
struct Rng(u64);

impl Rng {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % bound
    }
}

#[test]
fn killed_writers_lose_nothing_that_returned() {
    let db = temp_db();
    let exe = std::env::current_exe().expect("test binary");
    let seed =
        SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(1) | 1;
    println!("crash test seed {seed}");
    let mut rng = Rng(seed);
    // draft id → (highest confirmed revision, n of that revision's body)
    let mut confirmed: HashMap<String, (i64, u64)> = HashMap::new();
    let started = Instant::now();
    let mut total_saves = 0usize;

    for round in 0..KILLS {
        let mut child = Command::new(&exe)
            .args([
                "--ignored",
                "--exact",
                "crash::crash_child_saves_drafts_forever",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &db.path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn child");
        let stdout = child.stdout.take().expect("child stdout");
        let (lines_tx, lines_rx) = mpsc::channel();
        let reader = thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(|line| line.ok()) {
                if lines_tx.send(line).is_err() {
                    break;
                }
            }
        });
        // Wait until the child has its store open, then let it save for a random while; every
        // few rounds kill it right away instead, to hit opening and migration too.
        if round % 5 != 0 {
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                match lines_rx.recv_timeout(Duration::from_millis(50)) {
                    // libtest may print "test <name> ... " on the same line first.
                    Ok(line) if line.ends_with("ready") => break,
                    Ok(_) | Err(mpsc::RecvTimeoutError::Timeout) => {}
                    Err(mpsc::RecvTimeoutError::Disconnected) => break,
                }
            }
        }
        thread::sleep(Duration::from_micros(rng.below(100_000)));
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");
        reader.join().expect("reader thread");

        for line in lines_rx.try_iter() {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                ["saved", id, n] => {
                    let n: u64 = n.parse().expect("n");
                    confirmed.insert(id.to_string(), (1, n));
                    total_saves += 1;
                }
                ["edited", id, revision, n] => {
                    let revision: i64 = revision.parse().expect("revision");
                    let n: u64 = n.parse().expect("n");
                    confirmed.insert(id.to_string(), (revision, n));
                    total_saves += 1;
                }
                _ => {}
            }
        }

        let store = Store::open(&db.path)
            .unwrap_or_else(|err| panic!("round {round}: reopen failed: {err}"));
        assert_eq!(store.integrity_check().expect("check"), ["ok"], "round {round}");
        for (id, (revision, n)) in &confirmed {
            let draft = store
                .draft(id)
                .unwrap_or_else(|err| panic!("round {round}: lost draft {id}: {err}"));
            // The child may have committed one more change after its last printed line.
            assert!(draft.row.revision >= *revision, "round {round}: {id} went back in time");
            let kept = store.draft_revision_body(id, *revision).expect("revision body");
            assert!(
                kept.contains(&format!("save {n}\"")),
                "round {round}: {id}@{revision} lost its content"
            );
        }
    }
    println!(
        "crash test: {KILLS} kills, {total_saves} confirmed saves, {} drafts, {:?}",
        confirmed.len(),
        started.elapsed()
    );
    assert!(total_saves >= KILLS / 2, "the child saved too little to prove anything");
}
