//! The store's error type and its stable codes.

use std::path::PathBuf;

use rusqlite::ErrorCode;

/// Everything that can go wrong in the store.
///
/// Each variant has a stable [`StoreError::code`] so that the CLI's `--json` output and the
/// app's IPC layer can map it to `{code, message}` without matching on message text.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file could not be opened or created (missing directory, a path under a regular
    /// file, permissions).
    #[error("cannot open the database at {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    /// The file exists but is not an SQLite database at all.
    #[error("{path} is not an SQLite database (wrong file header); it was left untouched")]
    NotADatabase { path: PathBuf },
    /// The file is an SQLite database of some other application.
    #[error("{path} is an SQLite database of another application (application id {found:#010x}); it was left untouched")]
    ForeignDatabase { path: PathBuf, found: i32 },
    /// The file is damaged. It is never replaced silently: [`crate::move_aside`] moves it
    /// away only when the user has agreed to.
    #[error("the database is corrupt: {detail}. It was left untouched; it can be moved aside (with your consent) so that a fresh one is created")]
    Corrupt { detail: String },
    /// A newer Orderdesk wrote this database; this version must not touch it.
    #[error("{path} was written by a newer Orderdesk (schema version {found}); this version understands schema versions up to {supported}. Update Orderdesk to open it")]
    TooNew { path: PathBuf, found: i64, supported: i64 },
    /// A read-only open found a database that still needs migrating.
    #[error("{path} uses schema version {found} and needs an upgrade to {supported}, which a read-only open cannot do")]
    NeedsUpgrade { path: PathBuf, found: i64, supported: i64 },
    /// No space left on the device, or the database reached its configured size limit.
    #[error("the disk is full (or the database reached its size limit); the change was not saved")]
    DiskFull,
    /// The database (or its directory) cannot be written.
    #[error("the database is read-only: {0}")]
    ReadOnly(String),
    /// Another process held the write lock for longer than the busy timeout.
    #[error("the database is busy (another Orderdesk process is writing); try again")]
    Busy,
    /// A looked-up record does not exist.
    #[error("{kind} {id} not found")]
    NotFound { kind: &'static str, id: String },
    /// The caller handed the store something it cannot keep (not JSON, not an object, ...).
    #[error("invalid input: {0}")]
    Invalid(String),
    /// An optimistic-concurrency check failed (the draft changed since it was read).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The draft is submitted (queued, being sent or on the server): it is read-only until the
    /// submission is withdrawn.
    #[error("draft {draft_id} is submitted ({detail}) and read-only: withdraw it to edit it (orderdesk draft withdraw {draft_id}), or amend the order once it is on the server")]
    DraftSubmitted { draft_id: String, detail: String },
    /// The draft's submission can no longer be withdrawn: it is being sent or reached the
    /// server.
    #[error("draft {draft_id} can no longer be withdrawn: {detail}; amend the order instead")]
    DraftSent { draft_id: String, detail: String },
    /// A filesystem operation around the database (backup, moving aside) failed.
    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The writer thread is gone (the handle outlived it, or it panicked).
    #[error("the store's writer thread has stopped")]
    WriterGone,
    /// Any other SQLite error.
    #[error("database error: {0}")]
    Sqlite(#[source] rusqlite::Error),
}

impl StoreError {
    /// A stable, machine-readable code (`store.<kind>`), part of the `{code, message}` contract.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Open { .. } => "store.open_failed",
            StoreError::NotADatabase { .. } => "store.not_a_database",
            StoreError::ForeignDatabase { .. } => "store.foreign_database",
            StoreError::Corrupt { .. } => "store.corrupt",
            StoreError::TooNew { .. } => "store.too_new",
            StoreError::NeedsUpgrade { .. } => "store.needs_upgrade",
            StoreError::DiskFull => "store.disk_full",
            StoreError::ReadOnly(_) => "store.read_only",
            StoreError::Busy => "store.busy",
            StoreError::NotFound { .. } => "store.not_found",
            StoreError::Invalid(_) => "store.invalid_input",
            StoreError::Conflict(_) => "store.conflict",
            StoreError::DraftSubmitted { .. } => "store.draft_submitted",
            StoreError::DraftSent { .. } => "store.draft_sent",
            StoreError::Io { .. } => "store.io",
            StoreError::WriterGone => "store.writer_gone",
            StoreError::Sqlite(_) => "store.sqlite",
        }
    }

    pub(crate) fn not_found(kind: &'static str, id: impl Into<String>) -> Self {
        StoreError::NotFound { kind, id: id.into() }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        match err.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => StoreError::DiskFull,
            Some(ErrorCode::ReadOnly) => StoreError::ReadOnly(err.to_string()),
            Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => StoreError::Busy,
            Some(ErrorCode::DatabaseCorrupt) | Some(ErrorCode::NotADatabase) => {
                StoreError::Corrupt { detail: err.to_string() }
            }
            _ => StoreError::Sqlite(err),
        }
    }
}

/// The store's result type.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl orderdesk_error::ErrorCode for StoreError {
    fn code(&self) -> &'static str {
        StoreError::code(self)
    }
}
