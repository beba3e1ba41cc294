//! `orderdesk outbox list [--status S] | retry ID | drop ID [--force]`: the queue of
//! operations waiting for a server.

use std::process::ExitCode;

use orderdesk_store::{OutboxEntry, OutboxStatus, Queries};
use serde_json::json;

use crate::cmd::db::open_store;
use crate::cmd::sync::engine;
use crate::error::CliError;
use crate::{output, Ctx};

/// Arguments of `outbox`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: OutboxCommand,
}

/// `outbox` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum OutboxCommand {
    /// List outbox entries, oldest first.
    List {
        /// Only entries in this status (queued, in-flight, done, rejected, needs-attention).
        #[arg(long)]
        status: Option<String>,
    },
    /// Send an entry that needs attention (or was rejected) again at the next sync.
    Retry { id: i64 },
    /// Give up on an entry: it is kept as `rejected` and never sent.
    Drop {
        id: i64,
        /// Also drop an entry that was sent before and may exist on the server.
        #[arg(long)]
        force: bool,
    },
}

fn describe(e: &OutboxEntry) -> String {
    let target = match (&e.draft_id, e.order_id) {
        (Some(d), _) => format!("draft {d}"),
        (None, Some(o)) => format!("order {o}"),
        _ => String::new(),
    };
    let mut line = format!(
        "{:>5}  {:<7} {:<16} {:<6} attempts {}  {target}",
        e.id, e.op, e.status, e.profile, e.attempts
    );
    if let Some(err) = &e.last_error {
        // Whether a retry must look the order up first depends on it.
        let reached = if e.not_sent {
            " (never reached the server)"
        } else if e.refused {
            " (refused by the server)"
        } else {
            ""
        };
        line.push_str(&format!("\n       {err}{reached}"));
    }
    line
}

/// Runs an `outbox` subcommand.
pub fn run(args: Args, ctx: &Ctx) -> Result<ExitCode, CliError> {
    match args.command {
        OutboxCommand::List { status } => {
            let status = status
                .map(|s| s.parse::<OutboxStatus>())
                .transpose()
                .map_err(|e| CliError::Usage(e.to_string()))?;
            let entries = open_store(ctx)?.outbox(status)?;
            if ctx.json {
                output::print_json(&entries)?;
            } else if entries.is_empty() {
                output::print_text("the outbox is empty")?;
            } else {
                let lines: Vec<String> = entries.iter().map(describe).collect();
                output::print_text(&lines.join("\n"))?;
            }
        }
        OutboxCommand::Retry { id } => {
            let (runtime, engine) = engine(ctx)?;
            runtime.block_on(engine.retry_entry(id))?;
            if ctx.json {
                output::print_json(&json!({ "id": id, "status": "queued" }))?;
            } else {
                output::print_text(&format!(
                    "outbox entry {id} queued; run `orderdesk sync` to send it"
                ))?;
            }
        }
        OutboxCommand::Drop { id, force } => {
            let (runtime, engine) = engine(ctx)?;
            runtime.block_on(engine.drop_entry(id, force))?;
            if ctx.json {
                output::print_json(&json!({ "id": id, "status": "rejected" }))?;
            } else {
                output::print_text(&format!("outbox entry {id} dropped"))?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
