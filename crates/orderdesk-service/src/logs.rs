//! Log files: where they are kept and how they are written.
//!
//! The desktop app writes structured logs (one JSON object a line: time, level, target,
//! message, fields) to a file that rolls over every day, in the platform's log directory;
//! [`LOG_FILES_KEPT`] days are kept. Support reads them from the diagnostics archive
//! ([`crate::diagnostics`]).
//!
//! **What may be logged.** At `info` and above: ids, codes, counts, versions, paths and error
//! messages, never an order's contents, a customer's name or any other personal data; those
//! belong to `debug` and below, which is off unless [`LOG_FILTER_ENV`] asks for it. A secret is
//! never logged at any level (profiles carry where their secret comes from, never the secret).

use std::path::{Path, PathBuf};

use tracing_subscriber::EnvFilter;

use crate::error::{self, Result};

/// Overrides the log directory (tests, support sessions).
pub const LOG_DIR_ENV: &str = "ORDERDESK_LOG_DIR";
/// A `tracing` filter replacing [`DEFAULT_FILTER`], e.g. `debug` or `orderdesk_sync=debug`.
pub const LOG_FILTER_ENV: &str = "ORDERDESK_LOG";
/// What is logged by default: Orderdesk's own crates from `info`, everything else from `warn`
/// (HTTP and windowing libraries are chatty at `info`).
pub const DEFAULT_FILTER: &str = "warn,orderdesk=info,orderdesk_app=info,orderdesk_service=info,\
orderdesk_sync=info,orderdesk_client=info,orderdesk_store=info,orderdesk_server=info";
/// Log files are `orderdesk.<YYYY-MM-DD>.log`.
pub const LOG_FILE_PREFIX: &str = "orderdesk";
/// The log files' extension.
pub const LOG_FILE_SUFFIX: &str = "log";
/// How many daily files are kept; older ones are deleted as new days begin.
pub const LOG_FILES_KEPT: usize = 14;

/// The log directory: [`LOG_DIR_ENV`] when set, else the platform's place for logs:
/// `$XDG_STATE_HOME/orderdesk/logs` (`~/.local/state/orderdesk/logs`) on Linux,
/// `~/Library/Logs/Orderdesk` on macOS, `%LOCALAPPDATA%\Orderdesk\logs` on Windows.
pub fn log_dir() -> Result<PathBuf> {
    std::env::var_os(LOG_DIR_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(platform_log_dir)
        .ok_or_else(|| error::invalid(format!("no log directory is known here; set {LOG_DIR_ENV}")))
}

#[cfg(target_os = "macos")]
fn platform_log_dir() -> Option<PathBuf> {
    dirs::home_dir().map(|home| home.join("Library").join("Logs").join("Orderdesk"))
}

#[cfg(windows)]
fn platform_log_dir() -> Option<PathBuf> {
    dirs::data_local_dir().map(|d| d.join("Orderdesk").join("logs"))
}

#[cfg(not(any(target_os = "macos", windows)))]
fn platform_log_dir() -> Option<PathBuf> {
    // XDG puts logs with the state data; systems without a state directory get the local
    // data directory instead.
    dirs::state_dir().or_else(dirs::data_local_dir).map(|d| d.join("orderdesk").join("logs"))
}

/// Keeps the log writer running; logs written before it is dropped reach the file.
#[must_use = "logs stop reaching the file when the guard is dropped"]
pub struct LogGuard {
    _worker: tracing_appender::non_blocking::WorkerGuard,
}

impl std::fmt::Debug for LogGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LogGuard")
    }
}

/// The filter in force: [`LOG_FILTER_ENV`] when it is set and readable, else [`DEFAULT_FILTER`].
fn filter() -> EnvFilter {
    match std::env::var(LOG_FILTER_ENV) {
        Ok(text) if !text.trim().is_empty() => EnvFilter::try_new(&text).unwrap_or_else(|e| {
            eprintln!(
                "orderdesk: {LOG_FILTER_ENV}={text:?} is not a log filter ({e}); using the default"
            );
            EnvFilter::new(DEFAULT_FILTER)
        }),
        _ => EnvFilter::new(DEFAULT_FILTER),
    }
}

/// Send this process's `tracing` events to a daily file in `dir` (created if needed), as JSON
/// lines, written on a background thread so logging never waits on the disk. Call once, early;
/// keep the guard for the life of the process.
pub fn init(dir: &Path) -> Result<LogGuard> {
    // Logs can name what the agent did: private like the database.
    orderdesk_store::create_private_dir(dir)?;
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix(LOG_FILE_PREFIX)
        .filename_suffix(LOG_FILE_SUFFIX)
        .max_log_files(LOG_FILES_KEPT)
        .build(dir)
        .map_err(|e| error::invalid(format!("cannot write logs in {}: {e}", dir.display())))?;
    let (writer, worker) = tracing_appender::non_blocking(appender);
    tracing_subscriber::fmt()
        .json()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter())
        .try_init()
        .map_err(|e| error::invalid(format!("logging is already set up: {e}")))?;
    Ok(LogGuard { _worker: worker })
}

/// The log files in `dir`, newest first (by name: the date is in it). A missing directory has
/// none.
pub fn log_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            path.is_file()
                && path.file_name().and_then(|n| n.to_str()).is_some_and(|name| {
                    name.starts_with(LOG_FILE_PREFIX)
                        && name.ends_with(&format!(".{LOG_FILE_SUFFIX}"))
                })
        })
        .collect();
    files.sort();
    files.reverse();
    files
}
