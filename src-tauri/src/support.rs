//! The Help menu's commands: the diagnostics archive, update settings, checking for and
//! installing a signed update, restarting into it. Thin, like every command: the archive and
//! the settings are `orderdesk-service`'s, verifying and installing is `updates.rs` over the
//! updater plugin.

use orderdesk_service::{logs, DiagnosticsSaved, UpdateSettings, UpdateView};
use serde::Serialize;
use specta::Type;
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_specta::Event;

use crate::about;
use crate::error::IpcError;
use crate::state::AppState;
use crate::updates::{self, Updates};

type Result<T> = std::result::Result<T, IpcError>;

/// Sent to the window when the check at start-up found a newer version.
#[derive(Debug, Clone, Serialize, Type, tauri_specta::Event)]
#[serde(rename_all = "camelCase")]
pub struct UpdateAvailable {
    /// What is offered.
    pub update: UpdateView,
}

/// Ask where to save the diagnostics archive (native dialog) and write it there. Works even
/// when the services did not start (then the archive says why, beside the logs). `None` when
/// the agent closed the dialog.
#[tauri::command]
#[specta::specta]
pub async fn export_diagnostics(state: State<'_, AppState>) -> Result<Option<DiagnosticsSaved>> {
    let name = orderdesk_service::diagnostics::suggested_name();
    let Some(path) = state.ask_save_path(name).await? else {
        return Ok(None);
    };
    let log_dir = logs::log_dir().ok();
    Ok(Some(match state.service() {
        Ok(service) => service.export_diagnostics(path, about::build_info(), log_dir).await?,
        Err(failed) => {
            let failed = orderdesk_error::ErrorBody { code: failed.code, message: failed.message };
            orderdesk_service::diagnostics::export_startup_failure(
                path,
                about::build_info(),
                log_dir,
                &failed,
            )
            .await?
        }
    }))
}

/// The agent's update settings.
#[tauri::command]
#[specta::specta]
pub async fn update_settings(state: State<'_, AppState>) -> Result<UpdateSettings> {
    Ok(state.service()?.update_settings().await?)
}

/// Save the update settings (the feed is checked: https, or http on this machine).
#[tauri::command]
#[specta::specta]
pub async fn save_update_settings(
    state: State<'_, AppState>,
    settings: UpdateSettings,
) -> Result<UpdateSettings> {
    Ok(state.service()?.save_update_settings(settings).await?)
}

/// Look for a newer version on the feed; what is new comes with it.
#[tauri::command]
#[specta::specta]
pub async fn check_update(
    state: State<'_, AppState>,
    updates: State<'_, Updates>,
) -> Result<Option<UpdateView>> {
    let found = find_update(&state, &updates).await?;
    let view = found.as_ref().map(updates::view);
    updates.set_pending(found);
    Ok(view)
}

/// Download, verify and install the version the last check offered. The new version runs
/// from the next start ([`restart_app`]).
#[tauri::command]
#[specta::specta]
pub async fn install_update(updates: State<'_, Updates>, version: String) -> Result<()> {
    let update = updates.take_pending(&version).ok_or_else(|| IpcError {
        code: "update.not_checked".to_owned(),
        message: format!("version {version} is not on offer; check for updates again"),
    })?;
    updates::install(update).await
}

/// Start the app again (after an update is installed).
#[tauri::command]
#[specta::specta]
pub fn restart_app(updates: State<'_, Updates>) {
    tracing::info!("restarting");
    updates.restart();
}

/// The feed to check (the agent's, else the build's) and the check itself.
async fn find_update(
    state: &AppState,
    updates: &Updates,
) -> Result<Option<tauri_plugin_updater::Update>> {
    let default = updates.config().default_feed.as_ref();
    let feed = state.service()?.update_feed(default).await?.ok_or_else(|| IpcError {
        code: "update.no_feed".to_owned(),
        message: "no update feed is set: enter your IT department's feed address".to_owned(),
    })?;
    updates.check(feed).await
}

/// At start-up, when this build verifies updates and the agent has not turned it off: look
/// for one and tell the window when there is one. Failures are logged, never shown: the agent
/// did not ask.
pub async fn check_on_start<R: Runtime>(app: AppHandle<R>) {
    let updates = app.state::<Updates>();
    if !updates.config().enabled() {
        return;
    }
    let state = app.state::<AppState>();
    let Ok(service) = state.service() else { return };
    if !service.update_settings().await.is_ok_and(|s| s.check_on_start) {
        return;
    }
    match find_update(&state, &updates).await {
        Ok(Some(update)) => {
            let view = updates::view(&update);
            updates.set_pending(Some(update));
            if let Err(error) = (UpdateAvailable { update: view }).emit(&app) {
                tracing::warn!(%error, "the update notice could not be sent to the window");
            }
        }
        Ok(None) => {}
        Err(error) => {
            tracing::warn!(code = %error.code, message = %error.message, "update check at start failed")
        }
    }
}
