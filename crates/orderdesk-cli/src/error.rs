//! The CLI's error type: every failure has a stable code and an exit status.

use orderdesk_error::{codes, ErrorCode};
use orderdesk_wire::WireError;

/// A failure that stops a command.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The input file (or stdin) could not be read.
    #[error("cannot read {source_name}: {message}")]
    Unreadable {
        /// File name or `stdin`.
        source_name: String,
        /// Why.
        message: String,
    },
    /// The input is larger than what is read for its kind.
    #[error("{source_name} is larger than {max} bytes, the most read for it")]
    TooLarge {
        /// File name or `stdin`.
        source_name: String,
        /// The cap, in bytes.
        max: usize,
    },
    /// The input is not JSON (empty, truncated, binary, malformed).
    #[error("{source_name} is not valid JSON: {message}")]
    NotJson {
        /// File name or `stdin`.
        source_name: String,
        /// Parser message with line and column.
        message: String,
    },
    /// An error from the wire crate.
    #[error("{source_name}: {error}")]
    Wire {
        /// File name or `stdin`.
        source_name: String,
        /// The error.
        error: WireError,
    },
    /// The order or catalog was refused by the core (not shaped like an order / a snapshot).
    #[error("{source_name}: {error}")]
    Core {
        /// File name or `stdin`.
        source_name: String,
        /// The error.
        error: orderdesk_core::CoreError,
    },
    /// The local database refused or failed (see `orderdesk_store::StoreError`).
    #[error("{0}")]
    Store(#[from] orderdesk_store::StoreError),
    /// An application service refused or failed (see `orderdesk_service::ServiceError`).
    /// (Boxed: a service error is large and most commands never see one.)
    #[error("{0}")]
    Service(Box<orderdesk_service::ServiceError>),
    /// A service refused what was read from a file or stdin (not an order, not a snapshot).
    #[error("{source_name}: {error}")]
    Input {
        /// File name or `stdin`.
        source_name: String,
        /// The error.
        error: Box<orderdesk_service::ServiceError>,
    },
    /// A server, profile or sync failure (see `orderdesk_sync::SyncError`).
    #[error("{0}")]
    Sync(#[from] orderdesk_sync::SyncError),
    /// A command-line value that parsed but cannot be used (e.g. a bad JSON argument).
    #[error("{0}")]
    Usage(String),
    /// Writing the output failed (e.g. a closed pipe).
    #[error("cannot write output: {0}")]
    Output(String),
}

impl From<orderdesk_service::ServiceError> for CliError {
    fn from(error: orderdesk_service::ServiceError) -> Self {
        CliError::Service(Box::new(error))
    }
}

impl CliError {
    /// A service's refusal of what was read from `source_name`.
    pub fn input(source_name: String, error: orderdesk_service::ServiceError) -> CliError {
        CliError::Input { source_name, error: Box::new(error) }
    }
}

impl ErrorCode for CliError {
    fn code(&self) -> &'static str {
        match self {
            CliError::Unreadable { .. } => codes::INPUT_UNREADABLE,
            CliError::NotJson { .. } => codes::INPUT_NOT_JSON,
            CliError::TooLarge { .. } => codes::INPUT_TOO_LARGE,
            CliError::Wire { error, .. } => error.code(),
            CliError::Core { error, .. } => error.code(),
            CliError::Store(error) => error.code(),
            CliError::Service(error) | CliError::Input { error, .. } => error.code(),
            CliError::Sync(error) => error.code(),
            CliError::Usage(_) => "cli.usage",
            CliError::Output(_) => "output.failed",
        }
    }
}
