//! Events the shell sends to the web UI. Their TypeScript types are generated with the
//! commands (`events` in `bindings.ts`), so the UI listens with typed payloads.

use std::sync::Arc;

use orderdesk_service::{Service, SyncStatusView};
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri_specta::Event;

/// The sync status changed: counts, online state, or something the agent sees (an entry
/// was sent or refused, an order changed state; then `changes` moved).
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct SyncStatusChanged(pub SyncStatusView);

/// The app's status ([`orderdesk_service::AppStatus`]) changed behind the UI's back: the demo
/// server came up again after start-up. The UI asks for the status again.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct AppStatusChanged;

/// Forwards every change of the sync engine's status to the UI as [`SyncStatusChanged`], for
/// as long as the app runs; the UI never has to poll.
pub fn forward_sync_status<R: tauri::Runtime>(handle: tauri::AppHandle<R>, service: &Arc<Service>) {
    let mut status = service.subscribe_sync();
    tauri::async_runtime::spawn(async move {
        loop {
            let current: SyncStatusView = status.borrow_and_update().clone().into();
            if let Err(error) = SyncStatusChanged(current).emit(&handle) {
                eprintln!("orderdesk: the sync status could not be sent to the window: {error}");
            }
            if status.changed().await.is_err() {
                // The engine is gone: the app is shutting down.
                break;
            }
        }
    });
}
