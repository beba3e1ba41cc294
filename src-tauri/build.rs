//! Tauri's build step. The app's configuration lives at the repository root (`tauri.conf.json`),
//! beside the workspace manifest, so the build is pointed there explicitly.
//!
//! Every IPC command is declared here too: Tauri then generates an `allow-<command>` permission
//! for each, and the window may call only what `capabilities/` grants (least privilege).
//!
//! The commit the app is built from is embedded as `ORDERDESK_BUILD_COMMIT` (the About dialog,
//! `--version`, diagnostics): the variable of that name when the build sets it (a source
//! tarball has no git), else `git rev-parse`, else `unknown`.

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
    "duplicate_draft",
    "import_order",
    "export_draft",
    "save_export",
    "draft_summary",
    "draft_summary_pdf",
    "sync_customers",
    "search_customers",
    "create_customer",
    "customer_products",
    "change_installed",
    "catalog_categories",
    "search_offerings",
    "set_favourite_offering",
    "offering_shortcuts",
    "offering_detail",
    "import_catalog",
    "get_settings",
    "save_settings",
    "submit_draft",
    "draft_submission",
    "draft_refusal",
    "withdraw_draft",
    "sync_now",
    "list_profiles",
    "save_profile",
    "remove_profile",
    "set_active_profile",
    "set_profile_policy",
    "approve_discount",
    "test_connection",
    "refresh_catalog",
    "sync_status",
    "order_detail",
    "cancel_order",
    "check_amendment",
    "amend_order",
    "outbox",
    "retry_entry",
    "drop_entry",
    "fix_entry",
    "resolve_conflict",
    "export_diagnostics",
    "update_settings",
    "save_update_settings",
    "check_update",
    "install_update",
    "restart_app",
];

/// The commit this build comes from, and the files whose change means another commit.
fn build_commit() -> String {
    const VAR: &str = "ORDERDESK_BUILD_COMMIT";
    println!("cargo:rerun-if-env-changed={VAR}");
    if let Some(commit) = std::env::var(VAR).ok().filter(|c| !c.trim().is_empty()) {
        return commit.trim().to_owned();
    }
    let git = |args: &[&str]| -> Option<String> {
        let out = std::process::Command::new("git").args(args).output().ok()?;
        let text = String::from_utf8(out.stdout).ok()?;
        out.status.success().then(|| text.trim().to_owned()).filter(|t| !t.is_empty())
    };
    let Some(commit) = git(&["rev-parse", "--short=12", "HEAD"]) else {
        return "unknown".to_owned();
    };
    // A new commit moves HEAD or the branch it names (loose or packed); rebuild then.
    let mut watched = vec!["HEAD".to_owned(), "packed-refs".to_owned()];
    watched.extend(git(&["symbolic-ref", "-q", "HEAD"]));
    for name in watched {
        if let Some(path) = git(&["rev-parse", "--path-format=absolute", "--git-path", &name]) {
            if std::path::Path::new(&path).exists() {
                println!("cargo:rerun-if-changed={path}");
            }
        }
    }
    commit
}

fn main() {
    println!("cargo:rustc-env=ORDERDESK_BUILD_COMMIT={}", build_commit());
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(error) = tauri_build::try_build(attributes) {
        // A build script reports failure by panicking; the message names what is wrong.
        panic!("tauri build step failed: {error:#}");
    }
}
