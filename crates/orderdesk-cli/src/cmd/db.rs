//! `orderdesk db backup FILE | restore FILE --yes | check [--move-aside --yes] | path`, and
//! how every store-backed command finds and opens the local database.
//!
//! The database is `--db PATH`, else `ORDERDESK_DB`, else `orderdesk.db` in the desktop app's
//! data directory (`ORDERDESK_DATA_DIR`, else the platform's, e.g. `~/.local/share/orderdesk/`
//! on Linux). Store-backed commands other than `db` go through `orderdesk-service`
//! ([`service`]). A damaged or foreign file is never
//! replaced: `db check` reports it, and moves it aside only with `--move-aside --yes`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use orderdesk_service::Service;
use orderdesk_store::{Queries, Store, StoreError, SCHEMA_VERSION};
use serde_json::json;

use crate::error::CliError;
use crate::{output, Ctx};

/// Arguments of `db`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: DbCommand,
}

/// `db` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum DbCommand {
    /// Copy the live database to FILE (SQLite online backup; safe while the app runs).
    Backup {
        /// Where to write the backup.
        file: PathBuf,
    },
    /// Replace the database's content with a backup made by `db backup`.
    Restore {
        /// The backup file.
        file: PathBuf,
        /// Confirm that the current content may be overwritten.
        #[arg(long)]
        yes: bool,
    },
    /// Check the database: integrity, schema version, record counts. Exit 1 when damaged.
    Check {
        /// When the file is damaged or unreadable, move it aside (needs `--yes`) so that a
        /// fresh database is created on next use.
        #[arg(long)]
        move_aside: bool,
        /// Confirm `--move-aside`.
        #[arg(long)]
        yes: bool,
    },
    /// Print the database path in use.
    Path,
}

/// The database path: `--db`/`ORDERDESK_DB`, else `orderdesk.db` in the data directory the
/// desktop app uses (`ORDERDESK_DATA_DIR`, else the platform's).
pub fn db_path(ctx: &Ctx) -> Result<PathBuf, CliError> {
    if let Some(path) = &ctx.db {
        return Ok(path.clone());
    }
    Ok(orderdesk_service::data_dir(None)?.join(orderdesk_service::DB_FILE))
}

/// Open (creating and migrating if needed) the local database, for the commands that work
/// on the file itself (`db`) and the sync engine.
pub fn open_store(ctx: &Ctx) -> Result<Store, CliError> {
    let path = db_path(ctx)?;
    ensure_parent(&path)?;
    Ok(Store::open(&path)?)
}

/// A single-threaded runtime: the CLI runs one async use case at a time on it.
pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Usage(format!("cannot start the async runtime: {e}")))
}

/// The application services over the local database, and a runtime to run them on: the
/// CLI's way into the use cases the desktop app runs. Revisions record `cli:<user>`.
pub fn service(ctx: &Ctx) -> Result<(tokio::runtime::Runtime, Service), CliError> {
    let path = db_path(ctx)?;
    ensure_parent(&path)?;
    let service = Service::open_db(path, "cli")?;
    Ok((runtime()?, service))
}

/// Create the database's directory on first use.
fn ensure_parent(path: &Path) -> Result<(), CliError> {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() && !parent.exists() => {
            Ok(orderdesk_store::create_private_dir(parent)?)
        }
        _ => Ok(()),
    }
}

/// Runs a `db` subcommand.
pub fn run(args: Args, ctx: &Ctx) -> Result<ExitCode, CliError> {
    match args.command {
        DbCommand::Backup { file } => {
            let store = open_store(ctx)?;
            store.backup_to(&file)?;
            if ctx.json {
                output::print_json(&json!({"backup": file.display().to_string()}))?;
            } else {
                output::print_text(&format!(
                    "backed up {} to {}",
                    store.path().display(),
                    file.display()
                ))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        DbCommand::Restore { file, yes } => {
            if !yes {
                return Err(CliError::Usage(
                    "restoring overwrites every draft, order and setting in the database; add --yes to confirm".into(),
                ));
            }
            let mut store = open_store(ctx)?;
            store.restore_from(&file)?;
            if ctx.json {
                output::print_json(&json!({"restored": file.display().to_string()}))?;
            } else {
                output::print_text(&format!(
                    "restored {} from {}",
                    store.path().display(),
                    file.display()
                ))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        DbCommand::Check { move_aside, yes } => check(ctx, move_aside, yes),
        DbCommand::Path => {
            let path = db_path(ctx)?;
            if ctx.json {
                output::print_json(&json!({"path": path.display().to_string()}))?;
            } else {
                output::print_text(&path.display().to_string())?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn check(ctx: &Ctx, move_aside: bool, yes: bool) -> Result<ExitCode, CliError> {
    let path = db_path(ctx)?;
    if !path.exists() {
        return Err(CliError::Unreadable {
            source_name: path.display().to_string(),
            message: "no database there yet".into(),
        });
    }
    let problem = match Store::open(&path) {
        Ok(store) => {
            let findings = store.integrity_check()?;
            if findings == ["ok"] {
                let counts = store.counts()?;
                if ctx.json {
                    let counts: serde_json::Map<String, serde_json::Value> =
                        counts.iter().map(|(table, n)| ((*table).to_owned(), json!(n))).collect();
                    output::print_json(&json!({
                        "path": path.display().to_string(),
                        "ok": true,
                        "schemaVersion": SCHEMA_VERSION,
                        "catalogVersion": store.catalog_version()?.map(|v| v.version),
                        "counts": counts,
                    }))?;
                } else {
                    let mut text =
                        format!("{}: ok (schema version {SCHEMA_VERSION})", path.display());
                    for (table, n) in counts {
                        text.push_str(&format!("\n  {table}: {n}"));
                    }
                    output::print_text(&text)?;
                }
                return Ok(ExitCode::SUCCESS);
            }
            StoreError::Corrupt { detail: findings.join("; ") }
        }
        Err(err @ (StoreError::Corrupt { .. } | StoreError::NotADatabase { .. })) => err,
        Err(other) => return Err(other.into()),
    };
    let moved = if move_aside {
        if !yes {
            return Err(CliError::Usage(format!(
                "{problem}\nadd --yes to move {} aside",
                path.display()
            )));
        }
        Some(orderdesk_store::move_aside(&path)?)
    } else {
        None
    };
    if ctx.json {
        output::print_json(&json!({
            "path": path.display().to_string(),
            "ok": false,
            "code": problem.code(),
            "message": problem.to_string(),
            "movedTo": moved.as_ref().map(|p| p.display().to_string()),
        }))?;
    } else {
        let mut text = format!("{}: {problem}", path.display());
        match &moved {
            Some(to) => text.push_str(&format!("\nmoved aside to {}", to.display())),
            None => {
                text.push_str("\n(run `orderdesk db check --move-aside --yes` to move it aside)")
            }
        }
        output::print_text(&text)?;
    }
    Ok(ExitCode::from(1))
}
