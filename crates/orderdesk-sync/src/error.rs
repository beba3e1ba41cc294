//! The sync engine's error type.

use orderdesk_client::ClientError;
use orderdesk_store::StoreError;

/// What can stop a sync operation. Failures of single outbox entries are not errors of the
/// run: they are recorded on the entry (see [`crate::SyncReport`]).
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Client(#[from] ClientError),
    /// A server profile name that is not configured.
    #[error("no server profile named {0:?} (see `orderdesk remote list`)")]
    UnknownProfile(String),
    /// No profile given and none chosen with `remote use`.
    #[error("no server profile chosen: add one with `orderdesk remote add` and pick it with `orderdesk remote use`")]
    NoProfile,
    /// The draft has error findings: it cannot be submitted until they are fixed.
    #[error("draft {draft_id} cannot be submitted: {}", describe_findings(findings))]
    DraftHasErrors { draft_id: String, findings: Vec<orderdesk_core::Finding> },
    /// The request makes no sense in the current state (e.g. submitting a draft twice).
    #[error("{0}")]
    Refused(String),
    /// An amendment of an order in a state the server does not patch (`OrderState::is_patchable`).
    #[error("order {order_id} is {state}; only orders in {patchable} can be amended")]
    NotAmendable { order_id: i64, state: String, patchable: String },
    /// Another process (the app or the CLI) is running a sync on the same database.
    #[error("another Orderdesk process is syncing this database right now (lock {0}); try again in a moment")]
    Busy(std::path::PathBuf),
    /// The run lock beside the database could not be opened or taken.
    #[error("cannot use the sync lock file {path}: {source}")]
    LockFile {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Stored data the engine wrote cannot be read back (e.g. a damaged setting).
    #[error("invalid stored data: {0}")]
    Invalid(String),
}

impl SyncError {
    /// The refusal of an amendment of order `order_id`, last seen in `state`.
    pub fn not_amendable(order_id: i64, state: &str) -> SyncError {
        let patchable: Vec<&str> = orderdesk_wire::OrderState::ALL
            .into_iter()
            .filter(|s| s.is_patchable())
            .map(orderdesk_wire::OrderState::as_str)
            .collect();
        SyncError::NotAmendable {
            order_id,
            state: state.to_owned(),
            patchable: patchable.join(", "),
        }
    }

    /// A stable, machine-readable code, part of the `{code, message}` contract.
    pub fn code(&self) -> &'static str {
        match self {
            SyncError::Store(e) => e.code(),
            SyncError::Client(e) => e.code(),
            SyncError::UnknownProfile(_) => "sync.unknown_profile",
            SyncError::NoProfile => "sync.no_profile",
            SyncError::DraftHasErrors { .. } => "sync.draft_has_errors",
            SyncError::Refused(_) => "sync.refused",
            SyncError::NotAmendable { .. } => "sync.not_amendable",
            SyncError::Invalid(_) => "sync.invalid_data",
            SyncError::Busy(_) => "sync.busy",
            SyncError::LockFile { .. } => "sync.lock_file",
        }
    }
}

impl orderdesk_error::ErrorCode for SyncError {
    fn code(&self) -> &'static str {
        SyncError::code(self)
    }
}

/// `2 errors, the first: /productOrderItem/0/quantity: ...`.
fn describe_findings(findings: &[orderdesk_core::Finding]) -> String {
    let errors: Vec<&orderdesk_core::Finding> = findings.iter().filter(|f| f.is_error()).collect();
    match errors.as_slice() {
        [] => "it has errors".to_owned(),
        [only] => format!("1 error: {only}"),
        [first, ..] => format!("{} errors, the first: {first}", errors.len()),
    }
}

pub type Result<T, E = SyncError> = std::result::Result<T, E>;
