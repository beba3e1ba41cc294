//! `orderdesk draft ...`: drafts kept in the local database.
//!
//! Every subcommand but `submit` is one `orderdesk-service` use case, the same the desktop app
//! runs: storage (`import`, `list`, `show`, `export`, `history`, `restore`, `delete`,
//! `duplicate`),
//! composition (`add-offering`, `remove-item`, `set-char`, `discount`, ... become one editor
//! [`Edit`] or, for `set-char` and `apply`, core operations, saved as a new revision and
//! refused if the draft changed in between), and `check` and `price`, which work as they do
//! for files, against the cached catalog; `summary` is the customer summary (`--pdf FILE`).
//! `submit` queues the draft with the sync engine.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use orderdesk_core::{Op, PricingOptions, Severity};
use orderdesk_service::{AlterationInput, ApprovalInput, Edit, RefInput};
use orderdesk_store::{DraftFilter, DraftRow};
use serde_json::{json, Value};

use crate::cmd::check::Report;
use crate::cmd::convert::version_arg;
use crate::cmd::db::service;
use crate::cmd::price::{print_quote, RoundingArg};
use crate::error::CliError;
use crate::{input, output, Ctx};

/// Arguments of `draft`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: DraftCommand,
}

/// Item actions on the command line.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ActionArg {
    Add,
    Modify,
    Delete,
    NoChange,
}

/// `draft` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum DraftCommand {
    /// Start a draft for a customer of the active profile's server (the cached customer when
    /// the server cannot be reached); prints its id.
    New {
        /// The customer's id (see `orderdesk customer search`).
        #[arg(long)]
        customer: String,
        /// The TMF622 version of the draft (default: the setting for new drafts).
        #[arg(long, value_parser = version_arg())]
        version: Option<orderdesk_wire::Version>,
    },
    /// Change an installed product's plan (from the active profile's server): a `delete` item
    /// for it and an `add` item for OFFERING, inside a `modify` item of its bundle.
    ChangePlan {
        id: String,
        #[arg(long)]
        product: String,
        #[arg(long)]
        offering: String,
    },
    /// Add OFFERING as an option to an installed bundle: a `modify` item for the bundle with
    /// an `add` child.
    AddOption {
        id: String,
        #[arg(long)]
        product: String,
        #[arg(long)]
        offering: String,
    },
    /// Disconnect an installed product and what it bundles (`delete` items).
    Disconnect {
        id: String,
        #[arg(long)]
        product: String,
    },
    /// Store a TMF622 order file (v4 or v5) as a new draft; prints its id.
    Import {
        /// Order file (JSON); `-` reads stdin.
        file: PathBuf,
    },
    /// List drafts, most recently changed first.
    List {
        /// Only customers whose name starts with this (case-insensitive).
        #[arg(long)]
        customer: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long, default_value_t = 0)]
        offset: u32,
    },
    /// Print a draft's TMF622 JSON as stored.
    Show { id: String },
    /// Print a draft converted to a TMF622 version.
    Export {
        id: String,
        #[arg(long, value_parser = version_arg())]
        to: orderdesk_wire::Version,
    },
    /// List a draft's revisions.
    History { id: String },
    /// Make an earlier revision current again (as a new revision).
    Restore { id: String, revision: i64 },
    /// Delete a draft and its history (the audit log keeps a record); a submitted draft is
    /// refused.
    Delete { id: String },
    /// A new draft with the same items, customer and characteristics (from a submitted draft
    /// too); phone numbers, ICCIDs and IMEIs are left empty. Prints the new draft's id.
    Duplicate { id: String },
    /// Add a catalog offering (bundles get their required children).
    AddOffering {
        id: String,
        offering: String,
        /// Add under this item instead of at the top level.
        #[arg(long)]
        parent: Option<String>,
        #[arg(long)]
        quantity: Option<u32>,
    },
    /// Remove an item and its children.
    RemoveItem { id: String, item: String },
    /// Move an item (with its children) under another item, or to the top level.
    MoveItem {
        id: String,
        item: String,
        #[arg(long)]
        parent: Option<String>,
        #[arg(long)]
        index: Option<u32>,
    },
    /// Set an item's quantity.
    SetQuantity { id: String, item: String, quantity: u32 },
    /// Set an item's action (modify/delete/no-change need an existing product id).
    SetAction {
        id: String,
        item: String,
        #[arg(value_enum)]
        action: ActionArg,
        #[arg(long)]
        product_id: Option<String>,
    },
    /// Set a characteristic; VALUE is read as JSON when it is valid JSON, else as text.
    SetChar {
        id: String,
        item: String,
        name: String,
        value: String,
        #[arg(long)]
        value_type: Option<String>,
    },
    /// Remove a characteristic.
    ClearChar { id: String, item: String, name: String },
    /// Add a discount (a TMF PriceAlteration) to one of an item's prices.
    Discount {
        id: String,
        item: String,
        /// Percentage off (e.g. 10 for 10 %).
        #[arg(long, conflicts_with = "amount", required_unless_present = "amount")]
        percent: Option<String>,
        /// Amount off, duty free, in `--currency`.
        #[arg(long, requires = "currency")]
        amount: Option<String>,
        #[arg(long)]
        currency: Option<String>,
        /// Which of the item's `itemPrice` entries (0-based).
        #[arg(long, default_value_t = 0)]
        price: u32,
        /// Periods the discount applies to (default: all).
        #[arg(long)]
        periods: Option<u32>,
        #[arg(long, default_value = "Discount")]
        name: String,
    },
    /// Set the customer (the related party with role Customer).
    SetCustomer {
        id: String,
        /// Party id.
        #[arg(long)]
        party_id: String,
        /// Party name.
        #[arg(long)]
        name: String,
    },
    /// Replace the order's notes.
    SetNotes { id: String, notes: Vec<String> },
    /// Apply composition operations given as JSON: one `{"op": ...}` object or an array.
    Apply { id: String, ops: String },
    /// Report problems in a draft (as `check` does for a file), against the cached catalog.
    Check { id: String },
    /// Queue a draft for the server (sent by `orderdesk sync`, online or not). A draft goes
    /// to the server at most once.
    Submit {
        id: String,
        /// Server profile (default: the active one).
        #[arg(long)]
        profile: Option<String>,
    },
    /// Record who approved a discount over the active profile's limit, with the approval
    /// code: the order carries it as a note, the audit log names both.
    Approve {
        id: String,
        /// The item whose own price carries the discount.
        #[arg(long)]
        item: String,
        /// The index of the price in the item's `itemPrice`.
        #[arg(long, default_value_t = 0)]
        price: u32,
        /// The index of the discount in that price's `priceAlteration`.
        #[arg(long, default_value_t = 0)]
        alteration: u32,
        #[arg(long)]
        approver: String,
        /// The approval code the approver gave.
        #[arg(long)]
        code: String,
    },
    /// Take a submitted draft back to edit it, while it has not been sent. A submitted draft
    /// is read-only; once it is being sent or on the server, amend the order instead.
    Withdraw { id: String },
    /// The customer summary of a draft: customer, items, discounts, one-time charges, the
    /// schedule and the term total (the editor's price panel's figures); `--pdf` writes it as
    /// the PDF the customer takes home, `--json` prints it.
    Summary {
        id: String,
        /// Write the summary as PDF to this file.
        #[arg(long, value_name = "FILE")]
        pdf: Option<PathBuf>,
    },
    /// Price a draft (as `price` does for a file), against the cached catalog.
    Price {
        id: String,
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1200))]
        periods: Option<u32>,
        #[arg(long, value_enum, default_value = "half-up")]
        rounding: RoundingArg,
    },
}

/// Runs a `draft` subcommand.
pub fn run(args: Args, ctx: &Ctx) -> Result<ExitCode, CliError> {
    use DraftCommand as C;
    match args.command {
        C::Import { file } => import(&file, ctx),
        C::List { customer, limit, offset } => {
            let (runtime, service) = service(ctx)?;
            let filter = DraftFilter { customer_prefix: customer, limit, offset };
            let rows = runtime.block_on(service.list_drafts(filter))?;
            if ctx.json {
                output::print_json(&rows)?;
            } else if rows.is_empty() {
                output::print_text("no drafts")?;
            } else {
                let lines: Vec<String> = rows.iter().map(describe).collect();
                output::print_text(&lines.join("\n"))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        C::Show { id } => {
            let (runtime, service) = service(ctx)?;
            output::print_json(&runtime.block_on(service.draft_json(id))?)?;
            Ok(ExitCode::SUCCESS)
        }
        C::Export { id, to } => {
            let (runtime, service) = service(ctx)?;
            let (text, warnings) = runtime.block_on(service.export(id.clone(), to))?;
            for f in &warnings {
                output::warn(&format!("draft {id}: {f}"));
            }
            output::print_text(&text)?;
            Ok(ExitCode::SUCCESS)
        }
        C::History { id } => {
            let (runtime, service) = service(ctx)?;
            let history = runtime.block_on(service.revisions(id))?;
            if ctx.json {
                output::print_json(&history)?;
            } else {
                let lines: Vec<String> = history
                    .iter()
                    .map(|r| {
                        format!(
                            "{:>4}  {}  {:<16} {}",
                            r.revision,
                            r.at.format("%Y-%m-%d %H:%M:%S"),
                            r.actor,
                            r.action
                        )
                    })
                    .collect();
                output::print_text(&lines.join("\n"))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        C::Restore { id, revision } => {
            let (runtime, service) = service(ctx)?;
            print_row(&runtime.block_on(service.restore_revision(id, revision))?, ctx)
        }
        C::Delete { id } => {
            let (runtime, service) = service(ctx)?;
            runtime.block_on(service.delete_draft(id.clone()))?;
            if ctx.json {
                output::print_json(&json!({"deleted": id}))?;
            } else {
                output::print_text(&format!("deleted draft {id}"))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        C::Duplicate { id } => {
            let (runtime, service) = service(ctx)?;
            let copy = runtime.block_on(service.duplicate_draft(id.clone()))?;
            if ctx.json {
                output::print_json(&json!({ "id": copy.draft.id, "copyOf": id }))?;
            } else {
                output::print_text(&copy.draft.id)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        C::AddOffering { id, offering, parent, quantity } => {
            edit(ctx, id, Edit::AddOffering { offering_id: offering, parent, quantity })
        }
        C::New { customer, version } => {
            let (runtime, service) = service(ctx)?;
            let row = runtime.block_on(service.new_draft_for_customer(customer, version))?;
            if ctx.json {
                output::print_json(&json!({ "id": row.id }))?;
            } else {
                output::print_text(&row.id)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        C::ChangePlan { id, product, offering } => {
            let (runtime, service) = service(ctx)?;
            print_row(&runtime.block_on(service.change_plan(id, product, offering))?, ctx)
        }
        C::AddOption { id, product, offering } => {
            let (runtime, service) = service(ctx)?;
            print_row(&runtime.block_on(service.add_option(id, product, offering))?, ctx)
        }
        C::Disconnect { id, product } => {
            let (runtime, service) = service(ctx)?;
            print_row(&runtime.block_on(service.disconnect(id, product))?, ctx)
        }
        C::RemoveItem { id, item } => edit(ctx, id, Edit::RemoveItem { item }),
        C::MoveItem { id, item, parent, index } => {
            edit(ctx, id, Edit::MoveItem { item, parent, index })
        }
        C::SetQuantity { id, item, quantity } => {
            edit(ctx, id, Edit::SetQuantity { item, quantity })
        }
        C::SetAction { id, item, action, product_id } => {
            let action = match action {
                ActionArg::Add => "add",
                ActionArg::Modify => "modify",
                ActionArg::Delete => "delete",
                ActionArg::NoChange => "noChange",
            };
            edit(ctx, id, Edit::SetAction { item, action: action.to_owned(), product_id })
        }
        C::SetChar { id, item, name, value, value_type } => {
            // `5`, `true`, `{"a":1}` keep their JSON type; anything else is text. (The
            // editor's edit reads the value by the specification's type instead.)
            let value = orderdesk_wire::parse_json(&value).unwrap_or(Value::String(value));
            apply(ctx, id, vec![Op::SetCharacteristic { item, name, value, value_type }])
        }
        C::ClearChar { id, item, name } => edit(ctx, id, Edit::ClearCharacteristic { item, name }),
        C::Discount { id, item, percent, amount, currency, price, periods, name } => {
            let (kind, value) = match (percent, amount) {
                (Some(p), _) => ("percentage", p),
                (None, Some(a)) => ("amount", a),
                (None, None) => {
                    return Err(CliError::Usage(
                        "give --percent, or --amount with --currency".into(),
                    ))
                }
            };
            let alteration = AlterationInput {
                name,
                kind: kind.to_owned(),
                value,
                currency,
                duration: periods,
                price_type: None,
                reason: None,
            };
            edit(ctx, id, Edit::AddAlteration { item, price, alteration })
        }
        C::SetCustomer { id, party_id, name } => {
            edit(ctx, id, Edit::SetCustomer { customer: Some(RefInput { id: party_id, name }) })
        }
        C::SetNotes { id, notes } => edit(ctx, id, Edit::SetNotes { notes }),
        C::Apply { id, ops } => {
            let value = orderdesk_wire::parse_json(&ops)
                .map_err(|e| CliError::Usage(format!("OPS is not valid JSON: {e}")))?;
            let items = match value {
                Value::Array(items) => items,
                single => vec![single],
            };
            let ops = items
                .into_iter()
                .map(serde_json::from_value::<Op>)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| CliError::Usage(format!("not a composition operation: {e}")))?;
            apply(ctx, id, ops)
        }
        C::Check { id } => {
            let (runtime, service) = service(ctx)?;
            let findings = runtime.block_on(service.check_draft(id.clone()))?;
            print_findings(ctx, &id, &findings)
        }
        C::Price { id, periods, rounding } => {
            let (runtime, service) = service(ctx)?;
            let options = PricingOptions { rounding: rounding.into(), periods };
            let quote = runtime.block_on(service.price_draft(id.clone(), options))?;
            print_quote(ctx, &format!("draft {id}"), &quote)
        }
        C::Approve { id, item, price, alteration, approver, code } => {
            let (runtime, service) = service(ctx)?;
            let input = ApprovalInput { item, price, alteration, approver, code };
            let state = runtime.block_on(service.approve_discount(id.clone(), input))?;
            if ctx.json {
                output::print_json(&state.draft)?;
            } else {
                output::print_text(&format!(
                    "draft {id}: approval recorded (revision {})",
                    state.draft.revision
                ))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        C::Summary { id, pdf } => summary(ctx, id, pdf),
        C::Withdraw { id } => {
            let (runtime, service) = service(ctx)?;
            let view = runtime.block_on(service.withdraw(id.clone()))?;
            if ctx.json {
                output::print_json(&view)?;
            } else {
                output::print_text(&format!(
                    "draft {id} withdrawn (outbox entry {} for {} will not be sent); it can be edited again",
                    view.entry, view.profile
                ))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        C::Submit { id, profile } => {
            // Through the service, as the app submits: the sync engine's gate refuses a draft
            // with errors, whoever asks.
            let (runtime, service) = service(ctx)?;
            match runtime.block_on(service.submit_to(id.clone(), profile)) {
                Ok(view) => {
                    if ctx.json {
                        output::print_json(&view)?;
                    } else {
                        output::print_text(&format!(
                            "draft {id} queued for {} as {} (outbox entry {}); run `orderdesk sync` to send it",
                            view.profile, view.client_order_id, view.entry
                        ))?;
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(orderdesk_service::ServiceError::SubmitBlocked(findings)) => {
                    if !ctx.json {
                        output::print_text(&format!(
                            "draft {id} cannot be submitted until its errors are fixed:"
                        ))?;
                    }
                    print_findings(ctx, &id, &findings)?;
                    Ok(ExitCode::from(1))
                }
                Err(other) => Err(other.into()),
            }
        }
    }
}

/// `draft summary`: the view as JSON or text, and the PDF when asked for.
fn summary(ctx: &Ctx, id: String, pdf: Option<PathBuf>) -> Result<ExitCode, CliError> {
    let (runtime, service) = service(ctx)?;
    let written = match pdf {
        Some(path) => {
            let path = std::path::absolute(&path)
                .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?;
            Some(runtime.block_on(service.save_summary_pdf(id.clone(), path))?)
        }
        None => None,
    };
    if ctx.json {
        output::print_json(&runtime.block_on(service.draft_summary(id))?)?;
    } else if let Some(path) = written {
        output::print_text(&format!("draft {id}: summary written to {path}"))?;
    } else {
        output::print_text(&summary_text(&runtime.block_on(service.draft_summary(id))?))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The summary as plain text lines.
fn summary_text(s: &orderdesk_service::DraftSummary) -> String {
    let mut text = String::new();
    if !s.shop_name.is_empty() {
        let _ = writeln!(text, "{}", s.shop_name);
    }
    let _ = writeln!(text, "draft {} (revision {})", s.draft_id, s.revision);
    if let Some(r) = &s.reference {
        let _ = writeln!(text, "order {} on {} ({})", r.server_id, r.profile, r.state_text);
    }
    if let Some(c) = &s.customer {
        let _ = writeln!(text, "customer: {} ({})", c.name, c.id);
    }
    for item in &s.items {
        let indent = "  ".repeat(usize::try_from(item.depth).unwrap_or(0).saturating_add(1));
        let _ = writeln!(text, "{indent}{} x{} [{}]", item.name, item.quantity, item.action);
        for c in &item.characteristics {
            let _ = writeln!(text, "{indent}  {}: {}", c.label, c.value);
        }
    }
    for c in &s.changes {
        let will = c.will_be.as_deref().unwrap_or("nothing");
        let _ = writeln!(text, "change: {} -> {will}", c.was);
    }
    for d in &s.discounts {
        let a = &d.alteration;
        let reason = a.reason.as_deref().unwrap_or("no reason given");
        let _ = writeln!(
            text,
            "discount on {}: {} {} {} ({reason})",
            d.item_name, a.name, a.kind, a.value
        );
    }
    for c in &s.currencies {
        let _ = writeln!(text, "one-time ({}): {}", c.currency, c.one_time.tax_included);
        let schedule: Vec<&str> = c.schedule.iter().map(|a| a.tax_included.as_str()).collect();
        let _ =
            writeln!(text, "per {} ({}): {}", c.schedule_period, c.currency, schedule.join(" "));
        let _ = writeln!(
            text,
            "total over {} {}s: {} {}",
            c.total_periods, c.schedule_period, c.total.tax_included, c.currency
        );
    }
    text.trim_end().to_owned()
}

fn import(file: &std::path::Path, ctx: &Ctx) -> Result<ExitCode, CliError> {
    let (name, text) = input::read_text(file, input::MAX_ORDER_INPUT)?;
    let (runtime, service) = service(ctx)?;
    let state = runtime
        .block_on(service.import_order(text))
        .map_err(|error| CliError::input(name, error))?;
    if ctx.json {
        output::print_json(&json!({ "id": state.draft.id }))?;
    } else {
        output::print_text(&state.draft.id)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// One editor edit on the draft's current revision, saved as the next revision.
fn edit(ctx: &Ctx, id: String, edit: Edit) -> Result<ExitCode, CliError> {
    let (runtime, service) = service(ctx)?;
    print_row(&runtime.block_on(service.edit_current(id, edit))?, ctx)
}

/// Core operations on the draft's current revision, saved as one revision.
fn apply(ctx: &Ctx, id: String, ops: Vec<Op>) -> Result<ExitCode, CliError> {
    let (runtime, service) = service(ctx)?;
    print_row(&runtime.block_on(service.apply_ops(id, ops))?, ctx)
}

fn describe(row: &DraftRow) -> String {
    let total = row
        .total
        .as_ref()
        .map_or_else(|| "-".to_owned(), |m| format!("{} {}", m.amount, m.currency));
    format!(
        "{}  r{:<3} {:<28} {:>4} items  {:>14}  {}",
        row.id,
        row.revision,
        row.customer.as_deref().unwrap_or("(no customer)"),
        row.item_count,
        total,
        row.updated_at.format("%Y-%m-%d %H:%M")
    )
}

fn print_row(row: &DraftRow, ctx: &Ctx) -> Result<ExitCode, CliError> {
    if ctx.json {
        output::print_json(row)?;
    } else {
        output::print_text(&format!("draft {} is at revision {}", row.id, row.revision))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_findings(
    ctx: &Ctx,
    id: &str,
    findings: &[orderdesk_core::Finding],
) -> Result<ExitCode, CliError> {
    let errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
    if ctx.json {
        output::print_json(&Report { findings })?;
    } else {
        let mut text = String::new();
        for f in findings {
            let _ = writeln!(text, "{f}");
        }
        let verdict = if errors == 0 { "ok" } else { "has errors" };
        let _ = write!(
            text,
            "draft {id}: {verdict} ({errors} errors, {} warnings)",
            findings.len().saturating_sub(errors)
        );
        output::print_text(&text)?;
    }
    Ok(if errors == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
