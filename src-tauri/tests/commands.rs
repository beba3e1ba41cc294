//! The IPC commands are named in three places that must agree: `specta_builder` in
//! `src/lib.rs` (what the window can call and what the bindings offer), `COMMANDS` in
//! `build.rs` (each gets an `allow-` permission) and `capabilities/default.json` (which grants
//! them). A command missing from one of them fails here with its name and where to add it.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use tauri_specta::{BuilderConfiguration, LanguageExt};

/// An "exporter" that writes nothing and keeps the names of the builder's commands.
struct CommandNames<'a>(&'a RefCell<Vec<String>>);

impl LanguageExt for CommandNames<'_> {
    type Error = std::io::Error;

    fn export(self, cfg: &BuilderConfiguration, _path: &Path) -> Result<(), Self::Error> {
        self.0.borrow_mut().extend(cfg.commands.iter().map(|c| c.name().to_owned()));
        Ok(())
    }
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The commands `specta_builder` registers.
fn builder_commands() -> Vec<String> {
    let names = RefCell::new(Vec::new());
    orderdesk_app::specta_builder::<tauri::Wry>()
        .export(CommandNames(&names), Path::new("unused"))
        .expect("collect the builder's command names");
    names.into_inner()
}

/// The string literals of `const COMMANDS: &[&str] = &[ ... ];` in `build.rs`.
fn build_script_commands() -> Vec<String> {
    let path = manifest_dir().join("build.rs");
    let text = std::fs::read_to_string(&path).expect("read build.rs");
    let start = text.find("const COMMANDS").expect("build.rs declares `const COMMANDS`");
    let list = &text[start..];
    let open = list.find("= &[").expect("`COMMANDS` is a slice literal") + 4;
    let body = &list[open..];
    let close = body.find("];").expect("`COMMANDS` ends with `];`");
    body[..close]
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty() && !item.starts_with("//"))
        .map(|item| {
            item.strip_prefix('"')
                .and_then(|i| i.strip_suffix('"'))
                .unwrap_or_else(|| {
                    panic!("{}: `COMMANDS` holds {item}, not a string", path.display())
                })
                .to_owned()
        })
        .collect()
}

/// The app's own permissions `capabilities/default.json` grants (`allow-<command>`), as the
/// command names they allow (`allow-list-orders` → `list_orders`).
fn granted_commands() -> Vec<String> {
    let path = manifest_dir().join("capabilities/default.json");
    let text = std::fs::read_to_string(&path).expect("read capabilities/default.json");
    let json: serde_json::Value = serde_json::from_str(&text).expect("capabilities are JSON");
    let permissions = json["permissions"].as_array().expect("`permissions` is an array");
    permissions
        .iter()
        .filter_map(|p| p.as_str())
        // Plugin and core permissions carry a `prefix:`; the app's own have none.
        .filter(|p| !p.contains(':'))
        .map(|p| {
            p.strip_prefix("allow-")
                .unwrap_or_else(|| panic!("{}: {p:?} is not an `allow-` grant", path.display()))
                .replace('-', "_")
        })
        .collect()
}

fn duplicates(names: &[String]) -> Vec<&str> {
    let mut seen = BTreeSet::new();
    names.iter().filter(|n| !seen.insert(n.as_str())).map(String::as_str).collect()
}

#[test]
fn commands_are_listed_and_granted_alike() {
    let served = builder_commands();
    let declared = build_script_commands();
    let granted = granted_commands();
    assert!(!served.is_empty(), "specta_builder registers no command");

    let mut problems = Vec::new();
    for (place, names) in
        [("build.rs `COMMANDS`", &declared), ("capabilities/default.json", &granted)]
    {
        for name in duplicates(names) {
            problems.push(format!("{name} is listed twice in {place}"));
        }
    }
    let served_set: BTreeSet<&str> = served.iter().map(String::as_str).collect();
    let declared_set: BTreeSet<&str> = declared.iter().map(String::as_str).collect();
    let granted_set: BTreeSet<&str> = granted.iter().map(String::as_str).collect();
    for name in served_set.difference(&declared_set) {
        problems.push(format!(
            "{name} is in specta_builder (src/lib.rs) but missing from `COMMANDS` in build.rs"
        ));
    }
    for name in declared_set.difference(&served_set) {
        problems.push(format!(
            "{name} is in `COMMANDS` in build.rs but not registered in specta_builder (src/lib.rs)"
        ));
    }
    for name in served_set.difference(&granted_set) {
        problems.push(format!(
            "{name} is in specta_builder (src/lib.rs) but capabilities/default.json does not \
             grant allow-{}",
            name.replace('_', "-")
        ));
    }
    for name in granted_set.difference(&served_set) {
        problems.push(format!(
            "capabilities/default.json grants allow-{} but {name} is not registered in \
             specta_builder (src/lib.rs)",
            name.replace('_', "-")
        ));
    }
    assert!(problems.is_empty(), "the command lists disagree:\n{}", problems.join("\n"));
}
