//! `orderdesk sync [--catalog]`: drain the outbox and refresh known orders
//! (and optionally sync the catalog), then print a summary. Entries waiting out a back-off
//! are attempted now: the agent asked. Exit status 1 when an entry
//! needs attention (refused by the server, conflict), 0 otherwise; network trouble only
//! reschedules entries. Also the shared set-up every
//! server command uses: a tokio runtime and a [`SyncEngine`] over the local database.

use std::process::ExitCode;

use orderdesk_sync::{EngineConfig, EntryOutcome, SyncEngine};
use serde_json::json;

use crate::cmd::db::{open_store, runtime};
use crate::error::CliError;
use crate::{output, Ctx};

/// Arguments of `sync`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also sync the catalog of the active profile (incremental after the first time).
    #[arg(long)]
    pub catalog: bool,
}

/// A single-threaded runtime and an engine over the local database: the CLI's way into the
/// async sync engine.
pub fn engine(ctx: &Ctx) -> Result<(tokio::runtime::Runtime, SyncEngine), CliError> {
    let store = open_store(ctx)?;
    let handle = orderdesk_store::StoreHandle::spawn(store)?;
    let runtime = runtime()?;
    let engine =
        SyncEngine::new(handle, EngineConfig { actor: "cli".into(), ..EngineConfig::default() });
    Ok((runtime, engine))
}

/// Runs `sync`.
pub fn run(args: Args, ctx: &Ctx) -> Result<ExitCode, CliError> {
    let (runtime, engine) = engine(ctx)?;
    let (report, catalog) = runtime.block_on(async {
        let report = engine.run_now().await?;
        let catalog =
            if args.catalog { Some(engine.sync_catalog(None, false).await?) } else { None };
        Ok::<_, orderdesk_sync::SyncError>((report, catalog))
    })?;
    let status = engine.status();
    if ctx.json {
        output::print_json(&json!({
            "report": report,
            "catalog": catalog,
            "status": status,
        }))?;
    } else {
        let mut lines = vec![format!(
            "delivered {}, retrying {}, waiting {}, needs attention {}; refreshed {} orders, {} state changes, {} imported",
            report.delivered,
            report.retrying,
            report.waiting,
            report.needs_attention,
            report.refreshed,
            report.state_changes.len(),
            report.imported
        )];
        if report.recovered_by_lookup > 0 {
            lines.push(format!(
                "{} orders whose answer was lost were found on the server (not sent twice)",
                report.recovered_by_lookup
            ));
        }
        for entry in &report.entries {
            match &entry.outcome {
                EntryOutcome::NeedsAttention { error } => lines.push(format!(
                    "  outbox {} ({}): needs attention: {error}",
                    entry.entry, entry.op
                )),
                EntryOutcome::Retry { at, error } => lines.push(format!(
                    "  outbox {} ({}): retry at {}: {error}",
                    entry.entry,
                    entry.op,
                    at.format("%H:%M:%S")
                )),
                _ => {}
            }
        }
        for change in &report.state_changes {
            lines.push(format!(
                "  order {} ({}): {} → {}",
                change.order, change.server_id, change.from, change.to
            ));
        }
        for name in &report.offline {
            lines.push(format!("  server {name} unreachable: entries stay queued"));
        }
        for error in &report.errors {
            lines.push(format!("  {error}"));
        }
        if let Some(catalog) = &catalog {
            lines.push(format!(
                "catalog {} sync: {} offerings, {} prices; {} changed offerings, {} affected drafts",
                catalog.mode,
                catalog.offerings,
                catalog.prices,
                catalog.changes.len(),
                catalog.affected_drafts.len()
            ));
        }
        lines.push(format!(
            "outbox: {} queued, {} need attention",
            status.queued, status.needs_attention
        ));
        output::print_text(&lines.join("\n"))?;
    }
    Ok(if report.needs_attention > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
