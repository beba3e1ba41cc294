//! IPC commands: thin adapters over the shared services.

use serde::Serialize;
use specta::Type;

/// What the UI shows about the running build.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    /// Product name.
    pub name: String,
    /// Semantic version of this build.
    pub version: String,
}

/// Name and version of the running app.
#[tauri::command]
#[specta::specta]
pub fn app_info() -> AppInfo {
    AppInfo { name: "Orderdesk".to_owned(), version: env!("CARGO_PKG_VERSION").to_owned() }
}
