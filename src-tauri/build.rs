//! Tauri's build step. The app's configuration lives at the repository root (`tauri.conf.json`),
//! beside the workspace manifest, so the build is pointed there explicitly.
//!
//! Every IPC command is declared here too: Tauri then generates an `allow-<command>` permission
//! for each, and the window may call only what `capabilities/` grants (least privilege).

/// The app's IPC commands; keep in step with `specta_builder` in `src/lib.rs` and
/// `capabilities/default.json` (`tests/commands.rs` checks that the three agree).
const COMMANDS: &[&str] = &[
    "app_info",
    "app_status",
    "start_demo",
    "list_orders",
    "new_draft",
    "open_draft",
    "edit_draft",
    "undo",
    "redo",
    "draft_history",
    "restore_revision",
    "delete_draft",
    "import_order",
    "export_draft",
    "save_export",
    "catalog_categories",
    "search_offerings",
    "offering_detail",
    "import_catalog",
    "get_settings",
    "save_settings",
    "submit_draft",
    "sync_now",
    "list_profiles",
    "save_profile",
    "remove_profile",
    "set_active_profile",
    "test_connection",
    "refresh_catalog",
    "sync_status",
    "order_detail",
    "cancel_order",
    "outbox",
    "retry_entry",
    "drop_entry",
    "fix_entry",
    "resolve_conflict",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(error) = tauri_build::try_build(attributes) {
        // A build script reports failure by panicking; the message names what is wrong.
        panic!("tauri build step failed: {error:#}");
    }
}
