//! The one state object handed to `.manage()`.

use std::sync::Arc;

use orderdesk_error::ErrorBody;
use orderdesk_service::Service;

use crate::error::IpcError;

/// The services, or why they could not start (a damaged or too new database, no data
/// directory). The window still opens in that case and shows the reason.
pub struct AppState {
    service: Result<Arc<Service>, ErrorBody>,
}

impl AppState {
    /// State over an opened service.
    pub fn new(service: Service) -> Self {
        AppState { service: Ok(Arc::new(service)) }
    }

    /// State that answers every command with the start-up error.
    pub fn failed(error: ErrorBody) -> Self {
        AppState { service: Err(error) }
    }

    /// The services, or the start-up error.
    pub fn service(&self) -> Result<Arc<Service>, IpcError> {
        self.service.as_ref().map(Arc::clone).map_err(|e| IpcError::from(e.clone()))
    }
}
