//! The store-backed commands (`draft`, `catalog`, `search`, `db`) run as the built binary
//! against a database in a temporary directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

struct Env {
    dir: PathBuf,
    db: PathBuf,
}

impl Env {
    fn new(name: &str) -> Env {
        let dir =
            std::env::temp_dir().join(format!("orderdesk-cli-store-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let db = dir.join("orderdesk.db");
        Env { dir, db }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_orderdesk"))
            .env_remove("ORDERDESK_DB")
            .arg("--db")
            .arg(&self.db)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run orderdesk: {e}"))
    }

    /// Run with `--json`, expect `code`, return the parsed stdout.
    fn json(&self, args: &[&str], code: i32) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.run(&all);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}: stdout {} stderr {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!("{args:?}: stdout is not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout))
        })
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn asset(relative: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
        .to_string_lossy()
        .into_owned()
}

fn order_fixture() -> String {
    asset("assets/orders/tmf25-bundle.v4.json")
}

fn catalog_fixture() -> String {
    asset("assets/catalog/demo.json")
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or_else(|| panic!("no {key} in {v}"))
}

#[test]
fn draft_import_compose_history_restore_delete() {
    let env = Env::new("draft");
    env.json(&["catalog", "import", &catalog_fixture(), "--version", "demo-1"], 0);
    let imported = env.json(&["draft", "import", &order_fixture()], 0);
    let id = str_of(&imported, "id").to_owned();

    let listed = env.json(&["draft", "list"], 0);
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    assert_eq!(str_of(&listed[0], "catalogVersion"), "demo-1");
    let items_before = listed[0]["itemCount"].as_i64().unwrap_or_default();

    // `show` prints the body as imported (same JSON as the file).
    let shown = env.json(&["draft", "show", &id], 0);
    let original: Value = serde_json::from_str(
        &std::fs::read_to_string(order_fixture()).unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(shown, original);

    let row = env.json(&["draft", "add-offering", &id, "14305"], 0);
    assert_eq!(row["revision"], 2);
    assert_eq!(row["itemCount"].as_i64(), Some(items_before + 1));
    let row = env.json(&["draft", "set-quantity", &id, "1", "2"], 0);
    assert_eq!(row["revision"], 3);
    // Composition errors come from the core with their code; nothing is saved.
    let err = env.json(&["draft", "remove-item", &id, "no-such-item"], 2);
    assert_eq!(str_of(&err, "code"), "core.unknown_item", "{err}");

    let history = env.json(&["draft", "history", &id], 0);
    let actions: Vec<&str> =
        history.as_array().into_iter().flatten().map(|r| str_of(r, "action")).collect();
    assert_eq!(actions.len(), 3);
    assert_eq!(actions[0], "create");
    assert_eq!(actions[1], "add offering 14305", "{actions:?}");

    // The added mobile line lacks its required MSISDN: check and price report it (exit 1).
    let checked = env.json(&["draft", "check", &id], 1);
    assert!(checked["findings"].as_array().is_some_and(|f| !f.is_empty()));
    let priced = env.json(&["draft", "price", &id], 1);
    assert!(priced.get("currency").is_some(), "{priced}");

    let restored = env.json(&["draft", "restore", &id, "1"], 0);
    assert_eq!(restored["revision"], 4);
    assert_eq!(env.json(&["draft", "show", &id], 0), original);

    let v5 = env.json(&["draft", "export", &id, "--to", "v5"], 0);
    assert!(v5.get("productOrderItem").is_some());

    env.json(&["draft", "delete", &id], 0);
    let err = env.json(&["draft", "show", &id], 2);
    assert_eq!(str_of(&err, "code"), "store.not_found");
}

#[test]
fn search_and_catalog_commands() {
    let env = Env::new("search");
    let report = env.json(&["catalog", "import", &catalog_fixture()], 0);
    assert!(report["offerings"].as_u64().is_some_and(|n| n > 0));
    env.json(&["draft", "import", &order_fixture()], 0);

    let hits = env.json(&["catalog", "search", "telephony"], 0);
    let kinds: Vec<&str> =
        hits.as_array().into_iter().flatten().map(|h| str_of(h, "kind")).collect();
    assert!(kinds.contains(&"offering"), "{hits}");
    assert!(!kinds.contains(&"draft"), "catalog search stays in the catalog: {hits}");
    let offering = env.json(&["catalog", "show", "14305"], 0);
    assert_eq!(str_of(&offering, "id"), "14305");

    let all = env.json(&["search", "Pontus"], 0);
    assert_eq!(all.as_array().map(Vec::len), Some(1), "{all}");
    assert_eq!(str_of(&all[0], "kind"), "draft");
    // (A NUL cannot be passed in argv; the store's own tests cover it.)
    for hostile in ["\"", "NEAR(", "a OR", "*", "'; DROP TABLE drafts; --"] {
        env.json(&["search", hostile], 0);
    }
    let only_orders = env.json(&["search", "Pontus", "--kind", "order"], 0);
    assert_eq!(only_orders.as_array().map(Vec::len), Some(0));
}

#[test]
fn db_backup_check_and_refusals() {
    let env = Env::new("db");
    env.json(&["draft", "import", &order_fixture()], 0);
    let backup = env.dir.join("backup.db");
    let backup_arg = backup.to_string_lossy().into_owned();
    env.json(&["db", "backup", &backup_arg], 0);
    let check = env.json(&["db", "check"], 0);
    assert_eq!(check["ok"], true);
    assert_eq!(check["counts"]["drafts"], 1);

    env.json(&["draft", "import", &order_fixture()], 0);
    let err = env.json(&["db", "restore", &backup_arg], 2);
    assert_eq!(str_of(&err, "code"), "cli.usage", "restore needs --yes");
    env.json(&["db", "restore", &backup_arg, "--yes"], 0);
    assert_eq!(env.json(&["draft", "list"], 0).as_array().map(Vec::len), Some(1));

    // A damaged file is reported, kept, and moved aside only with --move-aside --yes.
    std::fs::write(&env.db, b"this is not a database").unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_file(env.dir.join("orderdesk.db-wal"));
    let _ = std::fs::remove_file(env.dir.join("orderdesk.db-shm"));
    let err = env.json(&["draft", "list"], 2);
    assert_eq!(str_of(&err, "code"), "store.not_a_database");
    let report = env.json(&["db", "check"], 1);
    assert_eq!(report["ok"], false);
    assert!(env.db.exists());
    let err = env.json(&["db", "check", "--move-aside"], 2);
    assert_eq!(str_of(&err, "code"), "cli.usage");
    let moved = env.json(&["db", "check", "--move-aside", "--yes"], 1);
    assert!(moved["movedTo"].as_str().is_some_and(|p| Path::new(p).exists()));
    assert_eq!(env.json(&["draft", "list"], 0).as_array().map(Vec::len), Some(0));

    // Not an order: refused before anything is stored.
    let junk = env.dir.join("junk.json");
    std::fs::write(&junk, b"[1, 2, 3]").unwrap_or_else(|e| panic!("{e}"));
    let err = env.json(&["draft", "import", &junk.to_string_lossy()], 2);
    assert!(str_of(&err, "code").starts_with("wire."), "{err}");
}
