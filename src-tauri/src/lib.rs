//! Orderdesk's desktop shell.
//!
//! This crate owns the Tauri window, the IPC command layer and nothing else: every command is a
//! thin adapter (parse the input, call one service function from the domain crates, map the error
//! to the shared `{code, message}` shape). Business rules never live here.
//!
//! The TypeScript side of the IPC contract (`ui/src/lib/backend/bindings.ts`) is generated from
//! [`specta_builder`] by the `bindings` test; the test fails when the committed file is stale.

mod commands;

use tauri_specta::{collect_commands, Builder};

/// The commands the web UI may call, in one place: used to serve IPC and to generate bindings.
pub fn specta_builder() -> Builder<tauri::Wry> {
    Builder::<tauri::Wry>::new().commands(collect_commands![commands::app_info])
}

/// Builds and runs the desktop app until its last window closes.
pub fn run() {
    let builder = specta_builder();
    let result = tauri::Builder::default()
        .invoke_handler(builder.invoke_handler())
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(error) = result {
        // Nothing is running yet that could lose data; report and exit non-zero.
        eprintln!("orderdesk: the desktop app could not start: {error}");
        std::process::exit(1);
    }
}
