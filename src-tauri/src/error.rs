//! The one error shape the UI receives: `{code, message}` (see `orderdesk-error`).

use orderdesk_error::ErrorBody;
use orderdesk_service::ServiceError;
use serde::Serialize;
use specta::Type;

/// A failed command. `code` is stable (`store.conflict`, `core.unknown_item`,
/// `service.invalid_input`...); `message` is for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct IpcError {
    pub code: String,
    pub message: String,
}

impl From<ErrorBody> for IpcError {
    fn from(body: ErrorBody) -> Self {
        IpcError { code: body.code, message: body.message }
    }
}

impl From<ServiceError> for IpcError {
    fn from(err: ServiceError) -> Self {
        ErrorBody::from(err).into()
    }
}
