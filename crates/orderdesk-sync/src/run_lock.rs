//! One sync run per database at a time, across processes.
//!
//! The desktop app and the `orderdesk` CLI may work on the same database file. A run treats
//! entries it finds in flight as left by a crash and requeues them for a lookup and resend; if
//! another process were sending those entries at that moment, the lookup could miss an order
//! still on its way and send it a second time. An exclusive advisory lock on a file beside the
//! database, held for the whole run, rules that out: while one process runs, another's run is
//! refused (the background loop simply tries again later).

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use crate::error::{Result, SyncError};

/// Held for the duration of a run; the operating system releases it when the file closes,
/// also when the process is killed.
#[derive(Debug)]
pub(crate) struct RunLock {
    _file: File,
}

/// The lock file of the database at `db`: `<db>.sync-lock`.
pub(crate) fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".sync-lock");
    PathBuf::from(name)
}

/// Take the run lock of the database at `db`, or say that another process holds it.
pub(crate) fn try_acquire(db: &Path) -> Result<RunLock> {
    let path = lock_path(db);
    let file = OpenOptions::new()
        .create(true)
        .read(true)
        .write(true)
        .truncate(false)
        .open(&path)
        .map_err(|source| SyncError::LockFile { path: path.clone(), source })?;
    match file.try_lock() {
        Ok(()) => Ok(RunLock { _file: file }),
        Err(TryLockError::WouldBlock) => Err(SyncError::Busy(path)),
        Err(TryLockError::Error(source)) => Err(SyncError::LockFile { path, source }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_and_released_on_drop() {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("orderdesk.db");
        let held = try_acquire(&db).expect("first");
        let busy = try_acquire(&db).expect_err("second while held");
        assert_eq!(busy.code(), "sync.busy");
        assert!(busy.to_string().contains("orderdesk.db.sync-lock"), "{busy}");
        drop(held);
        try_acquire(&db).expect("free again after the holder let go");
    }

    #[test]
    fn an_unwritable_place_is_a_clear_error() {
        let err = try_acquire(Path::new("/no/such/dir/orderdesk.db")).expect_err("no dir");
        assert_eq!(err.code(), "sync.lock_file");
        assert!(err.to_string().contains("/no/such/dir/orderdesk.db.sync-lock"), "{err}");
    }
}
