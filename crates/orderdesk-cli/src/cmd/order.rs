//! `orderdesk order list [--state S] | show ID | cancel ID --reason TEXT [--date D]`: orders
//! known to a server, as last seen by `orderdesk sync`.

use std::process::ExitCode;

use orderdesk_store::{AuditSubject, OrderFilter, OrderRow, Queries};
use orderdesk_sync::STATE_NOT_REPORTED;
use serde_json::{json, Value};

use crate::cmd::db::open_store;
use crate::error::CliError;
use crate::{output, Ctx};

/// Arguments of `order`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: OrderCommand,
}

/// `order` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum OrderCommand {
    /// List known orders, most recently seen first.
    List {
        /// Only orders in this state (e.g. acknowledged, completed).
        #[arg(long)]
        state: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long, default_value_t = 0)]
        offset: u32,
    },
    /// An order's last payload, item states, audit trail and cancellations. ID is the local number or the
    /// id the server gave the order.
    Show { id: String },
    /// Queue a cancellation (sent by the next `orderdesk sync`), with the same checks as the
    /// app. ID is the local number or the server's order id.
    ///
    /// The reason is one of the profile's cancellation reasons (its code or label; see
    /// `orderdesk remote policy NAME`), with an optional `--note`. A profile that lists no
    /// reasons takes free text as the reason (`--reason` or `--note`).
    Cancel {
        id: String,
        #[arg(long)]
        reason: Option<String>,
        /// Free text sent after the reason.
        #[arg(long, default_value = "")]
        note: String,
        /// Requested cancellation date (RFC 3339 or YYYY-MM-DD).
        #[arg(long)]
        date: Option<String>,
    },
}

fn state_text(state: &str) -> &str {
    if state.is_empty() {
        STATE_NOT_REPORTED
    } else {
        state
    }
}

fn describe(o: &OrderRow) -> String {
    let total =
        o.total.as_ref().map(|m| format!("{} {}", m.amount, m.currency)).unwrap_or_default();
    format!(
        "{:>5}  {:<20} {:<10} {}  {}  {total}",
        o.id,
        state_text(&o.state),
        o.profile,
        o.server_id,
        o.customer.as_deref().unwrap_or("-")
    )
}

/// Runs an `order` subcommand.
pub fn run(args: Args, ctx: &Ctx) -> Result<ExitCode, CliError> {
    match args.command {
        OrderCommand::List { state, limit, offset } => {
            let rows = open_store(ctx)?.orders(&OrderFilter {
                state,
                limit,
                offset,
                ..OrderFilter::default()
            })?;
            if ctx.json {
                output::print_json(&rows)?;
            } else if rows.is_empty() {
                output::print_text("no orders")?;
            } else {
                let lines: Vec<String> = rows.iter().map(describe).collect();
                output::print_text(&lines.join("\n"))?;
            }
        }
        OrderCommand::Show { id } => {
            let (runtime, service) = crate::cmd::db::service(ctx)?;
            let id = runtime.block_on(service.order_number(id))?;
            let store = open_store(ctx)?;
            let order = store.order(id)?;
            let audit = store.audit(AuditSubject::Order, &id.to_string())?;
            let cancellations: Vec<_> =
                store.order_cancellations(id)?.into_iter().map(|(_, c)| c).collect();
            let payload: Value = serde_json::from_str(&order.payload).unwrap_or(Value::Null);
            if ctx.json {
                output::print_json(&json!({
                    "order": order.row,
                    "state": state_text(&order.row.state),
                    "itemStates": order.item_states,
                    "payload": payload,
                    "audit": audit,
                    "cancellations": cancellations,
                }))?;
            } else {
                let mut lines =
                    vec![describe(&order.row), format!("item states: {}", order.item_states)];
                for a in audit {
                    lines.push(format!(
                        "  {} {} {} {}",
                        a.at.format("%Y-%m-%d %H:%M:%S"),
                        a.event,
                        a.actor,
                        a.detail.unwrap_or_default()
                    ));
                }
                for c in cancellations {
                    let task = c.task_state.map_or("not reported yet", |s| s.as_str());
                    let mut line = format!(
                        "  cancellation (outbox entry {}): {} — task {task}",
                        c.entry_id, c.reason
                    );
                    if let Some(why) = c.refusal_reason {
                        line.push_str(&format!(" ({why})"));
                    }
                    lines.push(line);
                }
                output::print_text(&lines.join("\n"))?;
            }
        }
        OrderCommand::Cancel { id, reason, note, date } => {
            let (runtime, service) = crate::cmd::db::service(ctx)?;
            let detail = runtime.block_on(service.cancel_order(id, reason, note, date))?;
            if ctx.json {
                output::print_json(&detail)?;
            } else {
                output::print_text(&format!(
                    "cancellation of order {} ({} on {}) queued; run `orderdesk sync` to send it",
                    detail.id, detail.server_id, detail.profile
                ))?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
