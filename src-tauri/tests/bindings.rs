//! The committed TypeScript bindings must match what the Rust commands generate.
//!
//! Run with `UPDATE_BINDINGS=1` to rewrite `ui/src/lib/backend/bindings.ts` after changing a
//! command or an IPC type.

use std::path::PathBuf;

fn bindings_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/backend/bindings.ts")
}

fn generate() -> String {
    let dir = tempfile::tempdir().expect("temp dir for generated bindings");
    let path = dir.path().join("bindings.ts");
    orderdesk_app::specta_builder::<tauri::Wry>()
        .export(
            specta_typescript::Typescript::default()
                .header("// Generated from the Rust commands by `src-tauri/tests/bindings.rs`. Do not edit.\n"),
            &path,
        )
        .expect("export TypeScript bindings");
    std::fs::read_to_string(&path).expect("read generated bindings")
}

#[test]
fn typescript_bindings_are_fresh() {
    let generated = generate();
    let path = bindings_path();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &generated).expect("write bindings");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is stale: run `UPDATE_BINDINGS=1 cargo test -p orderdesk-app --test bindings` and commit it",
        path.display()
    );
}
