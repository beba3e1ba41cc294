//! The command-line entry points of the bad-input suite (the suite's table of cases is the
//! `orderdesk-bad-input` crate's documentation; the cases that run the `orderdesk` binary live
//! here, where cargo builds it for the tests). Every case runs the real binary on a database in
//! a temp dir holding a draft and the demo catalog, feeds it one hostile input, and asserts the
//! documented exit code with a `{code, message}` that names what was wrong (never a panic),
//! that the next command works, and that the draft and catalog saved before are unchanged.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use orderdesk_bad_input as bad;
use serde_json::Value;

/// A database in a temp dir with one draft and the demo catalog saved.
struct Env {
    dir: tempfile::TempDir,
    db: PathBuf,
    draft: String,
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
        let db = dir.path().join("orderdesk.db");
        let mut env = Env { dir, db, draft: String::new() };
        let order = env.file("saved.json", bad::good_order().as_bytes());
        let imported = env.ok(&["draft", "import", &order]);
        env.draft = imported["id"].as_str().unwrap_or_default().to_owned();
        let catalog = env.file("catalog.json", bad::good_catalog().as_bytes());
        env.ok(&["catalog", "import", &catalog]);
        env
    }

    fn file(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        path.to_string_lossy().into_owned()
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_orderdesk"));
        c.env_remove("ORDERDESK_DB").arg("--db").arg(&self.db).arg("--json").args(args);
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap_or_else(|e| panic!("cannot run orderdesk: {e}"))
    }

    fn run_stdin(&self, args: &[&str], input: impl FnOnce(&mut dyn Write)) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run orderdesk: {e}"));
        if let Some(mut stdin) = child.stdin.take() {
            input(&mut stdin);
        }
        child.wait_with_output().unwrap_or_else(|e| panic!("orderdesk did not finish: {e}"))
    }

    /// Runs a command that must succeed; its JSON.
    fn ok(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", describe(&out));
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}"))
    }

    /// What was saved: the draft as stored, the list of drafts, the cached catalog.
    fn saved(&self) -> (Value, Value, Value) {
        (
            self.ok(&["draft", "show", &self.draft]),
            self.ok(&["draft", "list"]),
            self.ok(&["catalog", "show", "14277"]),
        )
    }
}

fn describe(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The failure contract: the documented exit code (never a panic's 101 or an abort's 134),
/// nothing on stderr about a panic or an overflow, no byte that steers a terminal, and a
/// `{code, message}` on stdout whose code is `code` and whose message contains each of
/// `names`. Returns the message.
fn refused(out: &Output, exit: i32, code: &str, names: &[&str]) -> String {
    let all = describe(out);
    assert_eq!(out.status.code(), Some(exit), "{all}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked") && !stderr.contains("overflow"), "{all}");
    assert!(!bad::has_escape(&out.stdout) && !bad::has_escape(&out.stderr), "{all}");
    let body: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {all}"));
    assert_eq!(body["code"].as_str(), Some(code), "{all}");
    let message = body["message"].as_str().unwrap_or_default().to_owned();
    for name in names {
        assert!(message.contains(name), "message names {name:?}: {all}");
    }
    message
}

/// Runs `bad`, checks it with `check`, then that the next command works and nothing saved
/// before changed.
fn case(bad_args: &[&str], check: impl FnOnce(&Output)) {
    let env = Env::new();
    case_in(&env, bad_args, check);
}

fn case_in(env: &Env, bad_args: &[&str], check: impl FnOnce(&Output)) {
    let before = env.saved();
    let out = env.run(bad_args);
    check(&out);
    assert_eq!(env.saved(), before, "what was saved before is intact");
}

fn path_of(env: &Env, name: &str, bytes: &[u8]) -> String {
    env.file(name, bytes)
}

// ---------------------------------------------------------------------------------------------
// File commands

#[test]
fn check_of_a_30000_item_bundle_chain_is_a_limit_finding() {
    let env = Env::new();
    let file = path_of(&env, "chain.json", bad::bundle_chain().as_bytes());
    let before = env.saved();
    let out = env.run(&["check", &file]);
    let all = describe(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    let findings: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let codes: Vec<&str> = findings["findings"]
        .as_array()
        .map(|f| f.iter().filter_map(|f| f["code"].as_str()).collect())
        .unwrap_or_default();
    assert!(codes.contains(&"limit.items"), "{all}");
    assert_eq!(env.saved(), before);
}

#[test]
fn price_of_a_term_of_u32_max_months_stops_at_the_period_cap_and_says_so() {
    let env = Env::new();
    let file = path_of(&env, "term.json", bad::endless_term().as_bytes());
    case_in(&env, &["price", &file], |out| {
        let all = describe(out);
        assert_eq!(out.status.code(), Some(1), "{all}");
        let quote: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        assert_eq!(quote["schedule"].as_array().map(Vec::len), Some(1_200), "{all}");
        assert_eq!(quote["total"]["periods"], 1_200);
        let finding = quote["findings"]
            .as_array()
            .and_then(|f| f.iter().find(|f| f["code"] == "limit.periods"))
            .unwrap_or_else(|| panic!("limit.periods: {all}"));
        let message = finding["message"].as_str().unwrap_or_default();
        assert!(message.contains("4294967295 months") && message.contains("first 1200"), "{all}");
    });
}

#[test]
fn convert_of_json_nested_100000_deep_is_not_json_naming_the_place() {
    let env = Env::new();
    let file = path_of(&env, "deep.json", bad::deep_json().as_bytes());
    case_in(&env, &["convert", &file, "--to", "v5"], |out| {
        refused(out, 2, "input.not_json", &["deep.json", "recursion limit", "line 1"]);
    });
}

#[test]
fn check_of_a_file_over_the_size_limit_is_refused_unread() {
    let env = Env::new();
    let path = env.dir.path().join("huge.json");
    bad::sparse_file(&path, 17 * 1024 * 1024).unwrap_or_else(|e| panic!("{e}"));
    let file = path.to_string_lossy().into_owned();
    case_in(&env, &["check", &file], |out| {
        refused(out, 2, "input.too_large", &["huge.json", "16777216 bytes"]);
    });
}

#[test]
fn convert_of_an_endless_stdin_stream_stops_at_the_size_limit() {
    let env = Env::new();
    let before = env.saved();
    let out = env.run_stdin(&["convert", "-", "--to", "v5"], |stdin| {
        // Whitespace forever: stopped being read at the limit, the pipe then closes.
        let chunk = vec![b' '; 1024 * 1024];
        for _ in 0..64 {
            if stdin.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    refused(&out, 2, "input.too_large", &["stdin", "16777216 bytes"]);
    assert_eq!(env.saved(), before);
}

#[test]
fn draft_import_of_invalid_utf8_is_refused_and_stores_nothing() {
    let env = Env::new();
    let file = path_of(&env, "latin1.json", bad::INVALID_UTF8);
    case_in(&env, &["draft", "import", &file], |out| {
        refused(out, 2, "input.not_json", &["latin1.json", "not UTF-8", "byte 30"]);
    });
}

#[test]
fn draft_import_of_an_empty_file_is_refused_and_stores_nothing() {
    let env = Env::new();
    let file = path_of(&env, "empty.json", b"");
    case_in(&env, &["draft", "import", &file], |out| {
        refused(out, 2, "input.not_json", &["empty.json", "line 1, column 0"]);
    });
}

#[test]
fn catalog_import_of_a_non_json_file_keeps_the_cached_catalog() {
    let env = Env::new();
    let file = path_of(&env, "prices.csv", bad::NOT_JSON);
    case_in(&env, &["catalog", "import", &file], |out| {
        refused(out, 2, "input.not_json", &["prices.csv", "line 1, column 2"]);
    });
}

/// A catalog is read tolerantly (a bundle asking for `u32::MAX` of an offering is a catalog,
/// and drafts that cannot meet it get a finding); adding that bundle is refused at the item cap.
#[test]
fn adding_a_bundle_whose_catalog_lower_limit_is_u32_max_hits_the_item_cap() {
    let env = Env::new();
    let file = path_of(&env, "greedy.json", bad::catalog_huge_lower_limit().as_bytes());
    env.ok(&["catalog", "import", &file]);
    case_in(&env, &["draft", "add-offering", &env.draft, "14277"], |out| {
        refused(out, 2, "limit.items", &["14305", "10000"]);
    });
}

#[test]
fn check_of_duplicate_item_ids_is_an_error_finding() {
    let env = Env::new();
    let file = path_of(&env, "dupes.json", bad::duplicate_ids().as_bytes());
    case_in(&env, &["check", &file], |out| {
        let all = describe(out);
        assert_eq!(out.status.code(), Some(1), "{all}");
        let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        let finding = report["findings"]
            .as_array()
            .and_then(|f| f.iter().find(|f| f["code"] == "item.duplicate_id"))
            .unwrap_or_else(|| panic!("item.duplicate_id: {all}"));
        assert_eq!(finding["path"], "/productOrderItem/1/id", "{all}");
    });
}

#[test]
fn price_of_numbers_beyond_decimal_range_is_a_finding_not_a_crash() {
    let env = Env::new();
    let file = path_of(&env, "huge-price.json", bad::huge_price().as_bytes());
    case_in(&env, &["price", &file], |out| {
        let all = describe(out);
        assert_eq!(out.status.code(), Some(1), "{all}");
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"), "{all}");
        let quote: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        let finding = quote["findings"]
            .as_array()
            .and_then(|f| f.iter().find(|f| f["code"] == "price.invalid"))
            .unwrap_or_else(|| panic!("price.invalid: {all}"));
        assert_eq!(finding["path"], "/productOrderItem/0/itemPrice/0/price", "{all}");
        assert_eq!(quote["total"]["taxIncluded"], "0", "no figure is made up: {all}");
    });
}

#[test]
fn draft_import_of_escape_characters_in_names_prints_none_of_them() {
    let env = Env::new();
    let file = path_of(&env, "escapes.json", bad::escape_names().as_bytes());
    let before = env.saved();
    // Stored as data (it is an order), then shown in both outputs and checked: a terminal
    // is given none of the controls.
    let imported = env.ok(&["draft", "import", &file]);
    let id = imported["id"].as_str().unwrap_or_default().to_owned();
    let human = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_orderdesk"))
            .env_remove("ORDERDESK_DB")
            .arg("--db")
            .arg(&env.db)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    for out in [
        human(&["draft", "show", &id]),
        human(&["draft", "list"]),
        human(&["check", &file]),
        env.run(&["draft", "show", &id]),
    ] {
        let all = describe(&out);
        assert_eq!(out.status.code(), Some(0), "{all}");
        assert!(!bad::has_escape(&out.stdout) && !bad::has_escape(&out.stderr), "{all}");
    }
    let shown = env.ok(&["draft", "show", &id]);
    assert_eq!(shown["description"].as_str(), Some(bad::ESCAPES), "kept as data, exactly");
    assert_eq!(env.saved().0, before.0, "the draft saved before is intact");
}

// ---------------------------------------------------------------------------------------------
// Database and remote commands

#[test]
fn a_database_file_that_is_not_sqlite_is_refused_and_left_as_it_was() {
    let env = Env::new();
    let other = env.dir.path().join("notes.db");
    std::fs::write(&other, bad::NOT_JSON).unwrap_or_else(|e| panic!("{e}"));
    let out = Command::new(env!("CARGO_BIN_EXE_orderdesk"))
        .args(["--json", "--db"])
        .arg(&other)
        .args(["draft", "list"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    refused(&out, 2, "store.not_a_database", &["notes.db"]);
    // What was there is still there, byte for byte, and the real database still answers.
    assert_eq!(std::fs::read(&other).unwrap_or_default(), bad::NOT_JSON);
    env.saved();
}

#[test]
fn a_database_locked_by_another_program_is_busy_and_works_once_free() {
    let env = Env::new();
    let before = env.saved();
    let file = path_of(&env, "order.json", bad::good_order().as_bytes());
    // Another program holds SQLite's write lock while the CLI runs, and lets go once the CLI
    // has answered.
    let lock = exclusive_lock(&env.db);
    let out = env.run(&["draft", "import", &file]);
    refused(&out, 2, "store.busy", &["busy", "try again"]);
    drop(lock);
    assert_eq!(env.saved(), before);
    env.ok(&["draft", "import", &file]);
}

/// Holds an exclusive lock on the database through SQLite itself.
fn exclusive_lock(db: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(db).unwrap_or_else(|e| panic!("{e}"));
    conn.execute_batch("BEGIN EXCLUSIVE").unwrap_or_else(|e| panic!("{e}"));
    conn
}

#[test]
fn a_data_directory_that_cannot_be_written_is_a_clear_error() {
    let env = Env::new();
    let before = env.saved();
    // No user, root included, can create a directory inside a regular file.
    let blocked = env.dir.path().join("saved.json").join("data");
    let out = Command::new(env!("CARGO_BIN_EXE_orderdesk"))
        .env_remove("ORDERDESK_DB")
        .env("ORDERDESK_DATA_DIR", &blocked)
        .args(["--json", "draft", "list"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    refused(&out, 2, "store.io", &["data"]);
    assert_eq!(env.saved(), before);
}

#[test]
fn remote_add_with_credentials_in_the_url_is_refused_and_stores_nothing() {
    let env = Env::new();
    let profiles = env.ok(&["remote", "list"]);
    case_in(
        &env,
        &["remote", "add", "leak", "--url", "https://ada:hunter2@tmf.example/v4/"],
        |out| {
            let message = refused(out, 2, "client.bad_profile", &["no credentials in the URL"]);
            assert!(!message.contains("hunter2"), "the secret is not repeated: {message}");
        },
    );
    assert_eq!(env.ok(&["remote", "list"]), profiles);
}

#[test]
fn remote_add_with_an_authorization_header_is_refused() {
    let env = Env::new();
    let profiles = env.ok(&["remote", "list"]);
    let args = [
        "remote",
        "add",
        "leak",
        "--url",
        "https://tmf.example/v4/",
        "--header",
        "Authorization: Bearer hunter2",
    ];
    case_in(&env, &args, |out| {
        let message = refused(out, 2, "client.bad_profile", &["header Authorization"]);
        assert!(!message.contains("hunter2"), "the secret is not repeated: {message}");
    });
    assert_eq!(env.ok(&["remote", "list"]), profiles);
}

#[test]
fn remote_add_of_plain_http_with_a_secret_to_another_host_is_refused() {
    let env = Env::new();
    let profiles = env.ok(&["remote", "list"]);
    let before = env.saved();
    let out = env.run_stdin(
        &[
            "remote",
            "add",
            "plain",
            "--url",
            "http://tmf.example/v4/",
            "--auth",
            "bearer",
            "--secret-stdin",
        ],
        |stdin| {
            let _ = stdin.write_all(b"hunter2\n");
        },
    );
    refused(&out, 2, "client.bad_profile", &["use https"]);
    assert_eq!(env.ok(&["remote", "list"]), profiles);
    assert_eq!(env.saved(), before);
}

#[test]
fn order_show_of_an_unknown_id_is_not_found() {
    case(&["order", "show", "no-such-order"], |out| {
        refused(out, 2, "store.not_found", &["no-such-order"]);
    });
}

#[test]
fn order_cancel_of_an_unknown_id_queues_nothing() {
    let env = Env::new();
    let outbox = env.ok(&["outbox", "list"]);
    case_in(&env, &["order", "cancel", "4294967296", "--reason", "gone"], |out| {
        refused(out, 2, "store.not_found", &["4294967296"]);
    });
    assert_eq!(env.ok(&["outbox", "list"]), outbox);
}

// ---------------------------------------------------------------------------------------------
// The CLI's sync facing servers written here to misbehave

/// A server on 127.0.0.1 that reads each request and answers with what `answer` makes of
/// its first line; when `answer` gives `None` it keeps the connection open and never answers.
fn hostile(answer: fn(&str) -> Option<Vec<u8>>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            let line = read_request(&stream);
            match answer(&line) {
                Some(bytes) => {
                    let mut stream = stream;
                    let _ = stream.write_all(&bytes);
                }
                None => held.push(stream),
            }
        }
    });
    addr
}

/// Reads a request's head and body; its first line.
fn read_request(stream: &TcpStream) -> String {
    let mut reader = BufReader::new(stream);
    let mut first = String::new();
    let _ = reader.read_line(&mut first);
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    first
}

fn http(status: &str, headers: &str, body: &str) -> Option<Vec<u8>> {
    Some(
        format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\n{headers}content-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
}

/// A profile on `addr` (v4, a short timeout, pages of one), the saved draft submitted; the
/// outbox entry.
fn queued(env: &Env, addr: SocketAddr) -> Value {
    let url = format!("http://{addr}/tmf-api/productOrderingManagement/v4/");
    let catalog = format!("http://{addr}/tmf-api/productCatalogManagement/v4/");
    env.ok(&[
        "remote",
        "add",
        "bad",
        "--url",
        &url,
        "--catalog-url",
        &catalog,
        "--version",
        "v4",
        "--timeout-ms",
        "1000",
        "--page-size",
        "1",
    ]);
    env.ok(&["draft", "submit", &env.draft])
}

/// `sync` ran into the server's misbehaviour: it ends with `exit` (0: delivery is retried
/// later; 1: an entry waits for the agent), the entry is still in the outbox and says why
/// (`why`), and nothing printed or stored steers a terminal.
fn sync_survives(answer: fn(&str) -> Option<Vec<u8>>, exit: i32, why: &[&str]) {
    let env = Env::new();
    let addr = hostile(answer);
    queued(&env, addr);
    let before = env.saved();
    let out = env.run(&["sync"]);
    let all = describe(&out);
    assert_eq!(out.status.code(), Some(exit), "{all}");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"), "{all}");
    assert!(!bad::has_escape(&out.stdout) && !bad::has_escape(&out.stderr), "{all}");
    let outbox = env.ok(&["outbox", "list"]);
    let kept = outbox
        .as_array()
        .and_then(|l| l.iter().find(|e| e["draftId"].as_str() == Some(env.draft.as_str())))
        .unwrap_or_else(|| panic!("the entry survives: {all}"));
    assert_ne!(kept["status"], "done", "{kept}");
    let reason = kept["lastError"].as_str().unwrap_or_default();
    for w in why {
        assert!(reason.contains(w), "the entry says why ({w:?}): {reason}\n{all}");
    }
    assert!(!bad::has_escape(reason.as_bytes()), "{reason}");
    assert_eq!(env.saved().0, before.0, "the draft is intact");
}

#[test]
fn sync_against_a_server_answering_garbage_keeps_the_entry_saying_why() {
    sync_survives(|_| http("201 Created", "", "\u{0}\u{1}<html>not json"), 0, &["JSON"]);
}

#[test]
fn sync_against_error_text_with_escape_sequences_prints_none_of_them() {
    sync_survives(
        |_| {
            let body = serde_json::json!({"code": "42", "reason": bad::ESCAPES,
                "message": bad::ESCAPES})
            .to_string();
            http("400 Bad Request", "", &body)
        },
        1,
        &["red"],
    );
}

#[test]
fn sync_against_a_huge_retry_after_ends_and_keeps_the_entry() {
    sync_survives(
        |_| http("503 Service Unavailable", "retry-after: 99999999999999\r\n", "{}"),
        0,
        &["503"],
    );
}

#[test]
fn sync_against_an_answer_that_never_finishes_times_out_and_keeps_the_entry() {
    sync_survives(|_| None, 0, &["no answer from the server within 1s"]);
}

#[test]
fn catalog_sync_against_endless_pages_keeps_the_cached_catalog() {
    let env = Env::new();
    let addr = hostile(|line| {
        // A full page of a new offering whatever the offset: the list never ends.
        let at =
            line.split("offset=").nth(1).and_then(|r| r.split(['&', ' ']).next()).unwrap_or("0");
        let page = serde_json::json!([
            {"id": format!("x{at}"), "name": "endless", "lifecycleStatus": "Active"}]);
        http("200 OK", "", &page.to_string())
    });
    queued(&env, addr);
    case_in(&env, &["catalog", "sync", "--full"], |out| {
        refused(out, 2, "client.list_incomplete", &["pages"]);
    });
}
