//! One window with a tiny static page and nothing else: what Orderdesk's start-up time and idle
//! memory are compared with (`scripts/perf.sh`). It has the same "interactive" signal as the
//! app: the page emits `orderdesk://ready` after its first paint and, with
//! `ORDERDESK_REPORT_READY=1`, that becomes the line `orderdesk: ready {...}` on stderr.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use tauri::Listener;

fn main() {
    let result = tauri::Builder::default()
        .setup(|app| {
            if std::env::var_os("ORDERDESK_REPORT_READY").is_some_and(|v| v == "1") {
                app.listen_any("orderdesk://ready", |event| {
                    eprintln!("orderdesk: ready {}", event.payload())
                });
            }
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(error) = result {
        eprintln!("tauri-baseline: could not start: {error}");
        std::process::exit(1);
    }
}
