//! `orderdesk order list [--state S] | show ID | cancel ID --reason TEXT [--date D] | amend ID
//! [--note TEXT] [--start D] [--completion D] [--char ITEM NAME VALUE]... [--quantity ITEM N]...`:
//! orders known to a server, as last seen by `orderdesk sync`.

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
    /// Queue an amendment (sent by the next `orderdesk sync` as a PATCH), checked as a
    /// submitted order is. Only orders the server still patches (acknowledged, pending, held)
    /// can be amended. ID is the local number or the server's order id.
    Amend {
        id: String,
        /// A note added to the order's notes.
        #[arg(long)]
        note: Option<String>,
        /// Requested start date (RFC 3339 or YYYY-MM-DD).
        #[arg(long)]
        start: Option<String>,
        /// Requested completion date (RFC 3339 or YYYY-MM-DD).
        #[arg(long)]
        completion: Option<String>,
        /// A characteristic's new value: item id, characteristic name, value (repeatable).
        #[arg(long = "char", num_args = 3, value_names = ["ITEM", "NAME", "VALUE"], action = clap::ArgAction::Append)]
        characteristic: Vec<String>,
        /// An item's new quantity: item id, quantity (repeatable).
        #[arg(long, num_args = 2, value_names = ["ITEM", "N"], action = clap::ArgAction::Append)]
        quantity: Vec<String>,
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
        OrderCommand::Amend { id, note, start, completion, characteristic, quantity } => {
            let characteristics = characteristic
                .chunks(3)
                .map(|c| match c {
                    [item, name, value] => Ok(orderdesk_service::CharacteristicChange {
                        item: item.clone(),
                        name: name.clone(),
                        value: value.clone(),
                    }),
                    _ => Err(usage("--char takes ITEM NAME VALUE")),
                })
                .collect::<Result<Vec<_>, _>>()?;
            let quantities = quantity
                .chunks(2)
                .map(|q| match q {
                    [item, n] => n
                        .trim()
                        .parse::<u32>()
                        .map(|quantity| orderdesk_service::QuantityChange {
                            item: item.clone(),
                            quantity,
                        })
                        .map_err(|_| {
                            usage(&format!("--quantity {item} {n:?}: not a whole number"))
                        }),
                    _ => Err(usage("--quantity takes ITEM N")),
                })
                .collect::<Result<Vec<_>, _>>()?;
            let input = orderdesk_service::AmendInput {
                note,
                requested_start: start,
                requested_completion: completion,
                characteristics,
                quantities,
            };
            let (runtime, service) = crate::cmd::db::service(ctx)?;
            match runtime.block_on(service.amend_order(id.clone(), input)) {
                Ok(detail) => {
                    if ctx.json {
                        output::print_json(&detail)?;
                    } else {
                        output::print_text(&format!(
                            "amendment of order {} ({} on {}) queued; run `orderdesk sync` to send it",
                            detail.id, detail.server_id, detail.profile
                        ))?;
                    }
                }
                Err(orderdesk_service::ServiceError::AmendBlocked(problems)) => {
                    if ctx.json {
                        // The `{code, message}` of every error, with each problem at its field.
                        let err = orderdesk_service::ServiceError::AmendBlocked(problems.clone());
                        output::print_json(&json!({
                            "code": orderdesk_error::ErrorCode::code(&err),
                            "message": err.to_string(),
                            "problems": problems,
                        }))?;
                    } else {
                        let mut lines = vec![format!("order {id} cannot be amended like this:")];
                        for p in &problems {
                            let at = match (&p.item, &p.field) {
                                (Some(item), Some(field)) => format!("item {item} {field}"),
                                (Some(item), None) => format!("item {item}"),
                                (None, Some(field)) => field.clone(),
                                (None, None) => "order".to_owned(),
                            };
                            lines.push(format!("  {at}: {}", p.message));
                        }
                        output::print_text(&lines.join("\n"))?;
                    }
                    return Ok(ExitCode::from(1));
                }
                Err(other) => return Err(other.into()),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn usage(message: &str) -> CliError {
    CliError::Usage(message.to_owned())
}
