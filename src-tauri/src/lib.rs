//! Orderdesk's desktop shell.
//!
//! This crate owns the Tauri window, the IPC command layer and nothing else: every command is a
//! thin adapter (parse the input, call one `orderdesk-service` method, map the error to the
//! shared `{code, message}` shape). Business rules never live here.
//!
//! The TypeScript side of the IPC contract (`ui/src/lib/backend/bindings.ts`) is generated from
//! [`specta_builder`] by the `bindings` test; the test fails when the committed file is stale.
//! Every command is also listed in `build.rs` (which generates its `allow-` permission) and
//! granted in `capabilities/default.json`.
//!
//! The data directory is the `--data-dir PATH` argument when given, else `ORDERDESK_DATA_DIR`
//! when set, else the platform's data directory (`~/.local/share/orderdesk` on Linux).

mod commands;
mod error;
mod state;

pub use error::IpcError;
pub use state::AppState;

use orderdesk_error::ErrorBody;
use orderdesk_service::Service;
use std::path::PathBuf;
use tauri::{Listener, Manager};
use tauri_specta::{collect_commands, Builder};

/// The commands the web UI may call, in one place: used to serve IPC and to generate bindings.
pub fn specta_builder<R: tauri::Runtime>() -> Builder<R> {
    Builder::<R>::new().commands(collect_commands![
        commands::app_info,
        commands::app_status,
        commands::start_demo,
        commands::list_orders,
        commands::new_draft,
        commands::open_draft,
        commands::edit_draft,
        commands::undo,
        commands::redo,
        commands::draft_history,
        commands::restore_revision,
        commands::delete_draft,
        commands::import_order,
        commands::export_draft,
        commands::catalog_categories,
        commands::search_offerings,
        commands::offering_detail,
        commands::import_catalog,
        commands::get_settings,
        commands::save_settings,
        commands::submit_draft,
        commands::sync_now,
    ])
}

/// The `--data-dir PATH` (or `--data-dir=PATH`) argument, if the app was started with one.
fn data_dir_argument(args: impl IntoIterator<Item = std::ffi::OsString>) -> Option<PathBuf> {
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--data-dir" {
            return args.next().map(PathBuf::from);
        }
        if let Some(value) = arg.to_str().and_then(|a| a.strip_prefix("--data-dir=")) {
            return Some(PathBuf::from(value));
        }
    }
    None
}

/// Open the services in the data directory; a failure becomes state the UI can show.
pub fn open_state() -> AppState {
    let explicit = data_dir_argument(std::env::args_os().skip(1));
    match orderdesk_service::data_dir(explicit).and_then(Service::open) {
        Ok(service) => AppState::new(service),
        Err(error) => AppState::failed(ErrorBody::from(error)),
    }
}

/// With this variable set to `1`, the page's ready event (the first screen painted with the
/// backend's first answer, see `ui/src/lib/backend/ready.ts`) becomes one line on stderr,
/// `orderdesk: ready {...}`: the "interactive" mark of start-up measurements (`scripts/perf.sh`).
pub const REPORT_READY_ENV: &str = "ORDERDESK_REPORT_READY";
const READY_EVENT: &str = "orderdesk://ready";

/// Builds and runs the desktop app until its last window closes.
pub fn run() {
    let builder = specta_builder::<tauri::Wry>();
    let result = tauri::Builder::default()
        .manage(open_state())
        .invoke_handler(builder.invoke_handler())
        .setup(|app| {
            if std::env::var_os(REPORT_READY_ENV).is_some_and(|v| v == "1") {
                app.listen_any(READY_EVENT, |event| {
                    eprintln!("orderdesk: ready {}", event.payload())
                });
            }
            // The demo server (if the agent chose it before) starts again, then the sync loop,
            // in the background; the window does not wait for them.
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                if let Ok(service) = handle.state::<AppState>().service() {
                    if let Err(error) = service.resume_demo().await {
                        eprintln!("orderdesk: the demo server did not start again: {error}");
                    }
                    service.start_sync().await;
                }
            });
            Ok(())
        })
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(error) = result {
        // Nothing is running yet that could lose data; report and exit non-zero.
        eprintln!("orderdesk: the desktop app could not start: {error}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::data_dir_argument;
    use std::path::PathBuf;

    fn parse(args: &[&str]) -> Option<PathBuf> {
        data_dir_argument(args.iter().map(std::ffi::OsString::from))
    }

    #[test]
    fn data_dir_argument_in_both_spellings() {
        assert_eq!(parse(&["--data-dir", "/tmp/a"]), Some(PathBuf::from("/tmp/a")));
        assert_eq!(parse(&["-x", "--data-dir=/tmp/b"]), Some(PathBuf::from("/tmp/b")));
        assert_eq!(parse(&["--data-dir"]), None);
        assert_eq!(parse(&[]), None);
    }
}
