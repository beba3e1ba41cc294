//! The one state object handed to `.manage()`.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use orderdesk_error::ErrorBody;
use orderdesk_service::Service;

use crate::error::IpcError;

/// Asks the agent where to save a file (given a suggested name); answers `None` when the
/// agent cancels. Installed by the running app over its native dialog; absent without a window.
pub type SavePrompt =
    Box<dyn Fn(String) -> tokio::sync::oneshot::Receiver<Option<PathBuf>> + Send + Sync>;

/// The services, or why they could not start (a damaged or too new database, no data
/// directory). The window still opens in that case and shows the reason.
pub struct AppState {
    service: Result<Arc<Service>, ErrorBody>,
    save_prompt: OnceLock<SavePrompt>,
}

impl AppState {
    /// State over an opened service.
    pub fn new(service: Service) -> Self {
        AppState { service: Ok(Arc::new(service)), save_prompt: OnceLock::new() }
    }

    /// State that answers every command with the start-up error.
    pub fn failed(error: ErrorBody) -> Self {
        AppState { service: Err(error), save_prompt: OnceLock::new() }
    }

    /// The services, or the start-up error.
    pub fn service(&self) -> Result<Arc<Service>, IpcError> {
        self.service.as_ref().map(Arc::clone).map_err(|e| IpcError::from(e.clone()))
    }

    /// Install how the app asks for a file to save to (once, when the window exists).
    pub fn set_save_prompt(&self, prompt: SavePrompt) {
        // A second call would come from a second setup, which Tauri does not run.
        let _ = self.save_prompt.set(prompt);
    }

    /// Ask where to save `suggested`; `None` when the agent cancels.
    pub async fn ask_save_path(&self, suggested: String) -> Result<Option<PathBuf>, IpcError> {
        let prompt = self.save_prompt.get().ok_or_else(|| IpcError {
            code: "app.no_window".to_owned(),
            message: "there is no window to ask for a file in".to_owned(),
        })?;
        Ok(prompt(suggested).await.ok().flatten())
    }
}
