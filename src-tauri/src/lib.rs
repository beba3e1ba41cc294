//! Orderdesk's desktop shell.
//!
//! This crate owns the Tauri window, the IPC command layer and nothing else: every command is a
//! thin adapter (parse the input, call one `orderdesk-service` method, map the error to the
//! shared `{code, message}` shape). Business rules never live here.
//!
//! The TypeScript side of the IPC contract (`ui/src/lib/backend/bindings.ts`) is generated from
//! [`specta_builder`] by the `bindings` test; the test fails when the committed file is stale.
//! Every command is also listed in `build.rs` (which generates its `allow-` permission) and
//! granted in `capabilities/default.json`; the `commands` test checks that the three agree.
//!
//! The data directory is the `--data-dir PATH` argument when given, else `ORDERDESK_DATA_DIR`
//! when set, else the platform's data directory (`~/.local/share/orderdesk` on Linux).

pub mod about;
mod commands;
mod error;
pub mod events;
mod state;
pub mod support;
pub mod updates;

pub use error::IpcError;
pub use state::AppState;

use orderdesk_error::ErrorBody;
use orderdesk_service::Service;
use std::path::PathBuf;
use tauri::{Listener, Manager};
use tauri_specta::{collect_commands, collect_events, Builder, Event};

/// The commands the web UI may call, in one place: used to serve IPC and to generate bindings.
pub fn specta_builder<R: tauri::Runtime>() -> Builder<R> {
    Builder::<R>::new()
        .commands(collect_commands![
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
            commands::duplicate_draft,
            commands::import_order,
            commands::export_draft,
            commands::save_export,
            commands::draft_summary,
            commands::draft_summary_pdf,
            commands::sync_customers,
            commands::search_customers,
            commands::create_customer,
            commands::customer_products,
            commands::change_installed,
            commands::catalog_categories,
            commands::search_offerings,
            commands::set_favourite_offering,
            commands::offering_shortcuts,
            commands::offering_detail,
            commands::import_catalog,
            commands::get_settings,
            commands::save_settings,
            commands::submit_draft,
            commands::draft_submission,
            commands::draft_refusal,
            commands::withdraw_draft,
            commands::sync_now,
            commands::list_profiles,
            commands::save_profile,
            commands::remove_profile,
            commands::set_active_profile,
            commands::set_profile_policy,
            commands::approve_discount,
            commands::test_connection,
            commands::refresh_catalog,
            commands::sync_status,
            commands::order_detail,
            commands::cancel_order,
            commands::check_amendment,
            commands::amend_order,
            commands::outbox,
            commands::retry_entry,
            commands::drop_entry,
            commands::fix_entry,
            commands::resolve_conflict,
            support::export_diagnostics,
            support::update_settings,
            support::save_update_settings,
            support::check_update,
            support::install_update,
            support::restart_app,
        ])
        .events(collect_events![
            events::SyncStatusChanged,
            events::AppStatusChanged,
            support::UpdateAvailable
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
        Ok(service) => {
            tracing::info!(data_dir = %service.data_dir().display(), "services opened");
            AppState::new(service)
        }
        Err(error) => {
            tracing::error!(%error, "the services did not start");
            AppState::failed(ErrorBody::from(error))
        }
    }
}

/// With this variable set to `1`, the page's ready event (the first screen painted with the
/// backend's first answer, see `ui/src/lib/backend/ready.ts`) becomes one line on stderr,
/// `orderdesk: ready {...}`: the "interactive" mark of start-up measurements (`scripts/perf.sh`).
pub const REPORT_READY_ENV: &str = "ORDERDESK_REPORT_READY";
const READY_EVENT: &str = "orderdesk://ready";

/// How the window draws. WebKitGTK composites pages with OpenGL. Where that GL is rendered in
/// software (no GPU: virtual desktops, thin clients), compiling its shaders delays the first
/// frame by a second or more, and drawing on the CPU is faster and needs less memory. So the
/// window draws on the CPU when the machine has no GPU render node (`/dev/dri/renderD*`), and
/// keeps WebKit's default otherwise; `ORDERDESK_RENDERING=cpu` or `gpu` decides instead.
mod rendering {
    /// `cpu` or `gpu`; unset (or `auto`): by the machine.
    pub const ENV: &str = "ORDERDESK_RENDERING";

    /// Whether to draw on the CPU, given the variable's value and whether a GPU is there. An
    /// unknown value is reported and treated as unset.
    pub fn draw_on_cpu(setting: Option<&str>, has_gpu: impl FnOnce() -> bool) -> bool {
        match setting {
            Some("cpu") => true,
            Some("gpu") => false,
            None | Some("auto" | "") => !has_gpu(),
            Some(other) => {
                eprintln!(
                    "orderdesk: {ENV}={other:?} is not cpu, gpu or auto; choosing by the machine"
                );
                !has_gpu()
            }
        }
    }

    /// A DRM render node means a GPU that WebKit's OpenGL can use; without one, Mesa renders
    /// GL in software.
    fn has_gpu() -> bool {
        std::fs::read_dir("/dev/dri").is_ok_and(|entries| {
            entries.flatten().any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
        })
    }

    /// Apply the rendering choice to a window's webview, before its first frame (the setup
    /// hook runs before the event loop draws anything).
    pub fn configure<R: tauri::Runtime>(window: &tauri::WebviewWindow<R>) {
        #[cfg(target_os = "linux")]
        {
            let setting = std::env::var(ENV).ok();
            if !draw_on_cpu(setting.as_deref(), has_gpu) {
                return;
            }
            let applied = window.with_webview(|webview| {
                use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
                if let Some(settings) = webview.inner().settings() {
                    settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
                }
            });
            if let Err(error) = applied {
                // The window still works, with WebKit's default rendering.
                eprintln!("orderdesk: could not set the window's rendering: {error}");
            }
        }
        #[cfg(not(target_os = "linux"))]
        let _ = (window, has_gpu);
    }
}

/// The label of the main window in `tauri.conf.json`.
const MAIN_WINDOW: &str = "main";

/// Opens the main window from its configuration (where `create` is false, so that it is made
/// here). The page gets the app's status with it, in an initialisation script: its first
/// screen needs no round trip to the backend.
fn open_main_window(app: &tauri::App) -> Result<(), Box<dyn std::error::Error>> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == MAIN_WINDOW)
        .ok_or("tauri.conf.json has no main window")?
        .clone();
    let mut builder = tauri::WebviewWindowBuilder::from_config(app.handle(), &config)?;
    if let Some(script) = initial_status_script(&app.state::<AppState>()) {
        builder = builder.initialization_script(script);
    }
    let window = builder.build()?;
    rendering::configure(&window);
    Ok(())
}

/// `window.__ORDERDESK_STATUS__ = {...};` with the status `app_status` would answer now, or
/// nothing when the services did not start or the status is slow to come (a profile's secret
/// is looked up in the OS keyring, which may wait for the agent): the page then asks itself.
fn initial_status_script(state: &AppState) -> Option<String> {
    let service = state.service().ok()?;
    let status = tauri::async_runtime::block_on(async {
        tokio::time::timeout(INITIAL_STATUS_WAIT, service.status()).await
    })
    .ok()?
    .ok()?;
    // JSON is a JavaScript expression; serde_json escapes what a string needs.
    let json = serde_json::to_string(&status).ok()?;
    Some(format!("window.{INITIAL_STATUS_GLOBAL} = {json};"))
}

/// How long the window's creation may wait for the status it carries.
const INITIAL_STATUS_WAIT: std::time::Duration = std::time::Duration::from_millis(300);

/// The global the page reads its first status from (`ui/src/lib/backend/ipc.ts`).
const INITIAL_STATUS_GLOBAL: &str = "__ORDERDESK_STATUS__";

/// How long the background work waits for the first screen before it starts anyway (a window
/// that is never painted, such as a minimised one, must not hold back the sync loop).
const FIRST_PAINT_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// Starts the demo server again if the agent chose it before (then tells the window, whose
/// first status did not have it yet), then the sync loop.
async fn start_background(handle: tauri::AppHandle) {
    let Ok(service) = handle.state::<AppState>().service() else {
        return;
    };
    match service.resume_demo().await {
        Ok(Some(_)) => {
            if let Err(error) = events::AppStatusChanged.emit(&handle) {
                eprintln!("orderdesk: the app status could not be sent to the window: {error}");
            }
        }
        Ok(None) => {}
        Err(error) => eprintln!("orderdesk: the demo server did not start again: {error}"),
    }
    service.start_sync().await;
    support::check_on_start(handle).await;
}

/// Asks for a file to save to in the native save dialog, starting in the Downloads folder.
fn save_prompt(app: tauri::AppHandle) -> state::SavePrompt {
    use tauri_plugin_dialog::DialogExt;
    Box::new(move |suggested| {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let filter = if suggested.ends_with(".zip") {
            ("Zip archive", ["zip"])
        } else if suggested.ends_with(".pdf") {
            ("PDF", ["pdf"])
        } else {
            ("TMF622 JSON", ["json"])
        };
        let mut dialog =
            app.dialog().file().set_file_name(suggested).add_filter(filter.0, &filter.1);
        if let Some(downloads) = dirs::download_dir() {
            dialog = dialog.set_directory(downloads);
        }
        dialog.save_file(move |chosen| {
            // The receiver is gone only if the command was dropped; nobody is left to tell.
            let _ = tx.send(chosen.and_then(|p| p.into_path().ok()));
        });
        rx
    })
}

/// Builds and runs the desktop app until its last window closes.
pub fn run() {
    if let Some(answer) = about::command_line_answer(std::env::args_os().skip(1)) {
        println!("{answer}");
        return;
    }
    // Logs go to a daily file in the platform's log directory; without one the app still runs.
    let logs = orderdesk_service::logs::log_dir()
        .and_then(|dir| orderdesk_service::logs::init(&dir))
        .map_err(|error| eprintln!("orderdesk: logs are not written to a file: {error}"))
        .ok();
    tracing::info!(version = about::VERSION, commit = about::COMMIT, "starting");
    let builder = specta_builder::<tauri::Wry>();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .manage(open_state())
        .invoke_handler(builder.invoke_handler())
        .setup(move |app| {
            if std::env::var_os(REPORT_READY_ENV).is_some_and(|v| v == "1") {
                app.listen_any(READY_EVENT, |event| {
                    eprintln!("orderdesk: ready {}", event.payload())
                });
            }
            app.manage(updates::Updates::new(app.handle()));
            open_main_window(app)?;
            app.state::<AppState>().set_save_prompt(save_prompt(app.handle().clone()));
            builder.mount_events(app);
            if let Ok(service) = app.state::<AppState>().service() {
                events::forward_sync_status(app.handle().clone(), &service);
            }
            // The demo server (if the agent chose it before) starts again, then the sync loop,
            // in the background. They wait for the first screen to be painted (or for
            // FIRST_PAINT_WAIT), so that they do not compete with it for the CPU.
            let (painted, first_paint) = tokio::sync::oneshot::channel::<()>();
            app.once_any(READY_EVENT, move |_| {
                // Only the first ready event counts; a closed receiver means it is past.
                let _ = painted.send(());
            });
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                // Either way the wait is over: painted, timed out, or the sender dropped.
                let _ = tokio::time::timeout(FIRST_PAINT_WAIT, first_paint).await;
                start_background(handle).await;
            });
            Ok(())
        })
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(error) = result {
        // Nothing is running yet that could lose data; report and exit non-zero.
        tracing::error!(%error, "the desktop app could not start");
        eprintln!("orderdesk: the desktop app could not start: {error}");
        // `exit` skips destructors: flush the log file first.
        drop(logs);
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::data_dir_argument;
    use super::rendering::draw_on_cpu;

    #[test]
    fn rendering_follows_the_variable_else_the_machine() {
        let no_gpu = || false;
        let gpu = || true;
        assert!(draw_on_cpu(Some("cpu"), gpu));
        assert!(!draw_on_cpu(Some("gpu"), no_gpu));
        assert!(draw_on_cpu(None, no_gpu));
        assert!(!draw_on_cpu(None, gpu));
        assert!(draw_on_cpu(Some("auto"), no_gpu));
        assert!(!draw_on_cpu(Some("fast"), gpu), "an unknown value chooses by the machine");
    }
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
