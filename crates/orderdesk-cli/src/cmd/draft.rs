//! `orderdesk draft ...`: drafts kept in the local database.
//!
//! Storage commands (`import`, `list`, `show`, `export`, `history`, `restore`, `delete`) call
//! the store; composition commands (`add-offering`, `remove-item`, `set-char`, `discount`, ...)
//! load the draft, run the core's [`orderdesk_core::apply`] with the cached catalog, and save
//! the result as a new revision (refused if the draft changed in between); `check` and
//! `price` work as they do for files, against the cached catalog.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use orderdesk_core::{
    apply, validate_and_price, Action, Catalog, Layout, Op, Order, PricingOptions, Rounding,
    Severity, ValidateOptions,
};
use orderdesk_store::{
    DraftEdit, DraftFilter, DraftRow, Money, NewDraft, OrderSummary, Queries, Store, TmfVersion,
};
use serde_json::{json, Value};

use crate::cmd::check::{collect_findings, Report};
use crate::cmd::convert::Target;
use crate::cmd::db::{actor, open_store};
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
        #[arg(long, value_enum)]
        to: Target,
    },
    /// List a draft's revisions.
    History { id: String },
    /// Make an earlier revision current again (as a new revision).
    Restore { id: String, revision: i64 },
    /// Delete a draft and its history (the audit log keeps a record).
    Delete { id: String },
    /// Add a catalog offering (bundles get their required children).
    AddOffering {
        id: String,
        offering: String,
        /// Add under this item instead of at the top level.
        #[arg(long)]
        parent: Option<String>,
        #[arg(long)]
        quantity: Option<u64>,
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
        index: Option<usize>,
    },
    /// Set an item's quantity.
    SetQuantity { id: String, item: String, quantity: u64 },
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
        price: usize,
        /// Periods the discount applies to (default: all).
        #[arg(long)]
        periods: Option<u64>,
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
            let store = open_store(ctx)?;
            let rows = store.drafts(&DraftFilter { customer_prefix: customer, limit, offset })?;
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
            let store = open_store(ctx)?;
            output::print_json(&body_of(&store, &id)?)?;
            Ok(ExitCode::SUCCESS)
        }
        C::Export { id, to } => {
            let store = open_store(ctx)?;
            let order = orderdesk_wire::parse_order_value(body_of(&store, &id)?)
                .map_err(|error| CliError::Wire { source_name: format!("draft {id}"), error })?;
            let version = match to {
                Target::V4 => orderdesk_wire::Version::V4,
                Target::V5 => orderdesk_wire::Version::V5,
            };
            output::print_json(&order.to_value(version))?;
            Ok(ExitCode::SUCCESS)
        }
        C::History { id } => {
            let store = open_store(ctx)?;
            let history = store.draft_history(&id)?;
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
            let mut store = open_store(ctx)?;
            let row = store.restore_draft(&id, revision, &actor())?;
            print_row(&row, ctx)
        }
        C::Delete { id } => {
            let mut store = open_store(ctx)?;
            store.delete_draft(&id, &actor())?;
            if ctx.json {
                output::print_json(&json!({"deleted": id}))?;
            } else {
                output::print_text(&format!("deleted draft {id}"))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        C::AddOffering { id, offering, parent, quantity } => {
            compose(ctx, &id, vec![Op::AddOffering { offering_id: offering, parent, quantity }])
        }
        C::RemoveItem { id, item } => compose(ctx, &id, vec![Op::RemoveItem { item }]),
        C::MoveItem { id, item, parent, index } => {
            compose(ctx, &id, vec![Op::MoveItem { item, parent, index }])
        }
        C::SetQuantity { id, item, quantity } => {
            compose(ctx, &id, vec![Op::SetQuantity { item, quantity }])
        }
        C::SetAction { id, item, action, product_id } => {
            let action = match action {
                ActionArg::Add => Action::Add,
                ActionArg::Modify => Action::Modify,
                ActionArg::Delete => Action::Delete,
                ActionArg::NoChange => Action::NoChange,
            };
            compose(ctx, &id, vec![Op::SetAction { item, action, product_id }])
        }
        C::SetChar { id, item, name, value, value_type } => {
            // `5`, `true`, `{"a":1}` keep their JSON type; anything else is text.
            let value = orderdesk_wire::parse_json(&value).unwrap_or(Value::String(value));
            compose(ctx, &id, vec![Op::SetCharacteristic { item, name, value, value_type }])
        }
        C::ClearChar { id, item, name } => {
            compose(ctx, &id, vec![Op::ClearCharacteristic { item, name }])
        }
        C::Discount { id, item, percent, amount, currency, price, periods, name } => {
            let number = |text: &str, what: &str| {
                orderdesk_wire::parse_json(text).ok().filter(Value::is_number).ok_or_else(|| {
                    CliError::Usage(format!("{what} must be a number, got {text:?}"))
                })
            };
            let price_value = match (percent, amount, currency) {
                (Some(p), _, _) => json!({ "percentage": number(&p, "--percent")? }),
                (None, Some(a), Some(c)) => {
                    json!({ "dutyFreeAmount": { "unit": c, "value": number(&a, "--amount")? } })
                }
                _ => {
                    return Err(CliError::Usage(
                        "give --percent, or --amount with --currency".into(),
                    ))
                }
            };
            let mut alteration =
                json!({ "name": name, "priceType": "discount", "price": price_value });
            if let (Some(periods), Some(obj)) = (periods, alteration.as_object_mut()) {
                obj.insert("applicationDuration".into(), json!(periods));
            }
            compose(ctx, &id, vec![Op::AddPriceAlteration { item, price, alteration }])
        }
        C::SetCustomer { id, party_id, name } => {
            let store = open_store(ctx)?;
            let version = store.draft(&id)?.row.tmf_version;
            drop(store);
            let party = match version {
                TmfVersion::V4 => {
                    json!({"id": party_id, "name": name, "role": "Customer", "@referredType": "Customer"})
                }
                TmfVersion::V5 => {
                    json!({"role": "Customer", "@type": "RelatedPartyRefOrPartyRoleRef",
                                          "partyOrPartyRole": {"id": party_id, "name": name, "@type": "PartyRef", "@referredType": "Customer"}})
                }
            };
            compose(ctx, &id, vec![Op::SetCustomer { party }])
        }
        C::SetNotes { id, notes } => {
            let notes = notes.into_iter().map(|text| json!({ "text": text })).collect();
            compose(ctx, &id, vec![Op::SetNotes { notes }])
        }
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
            if ops.is_empty() {
                return Err(CliError::Usage("no operations given".into()));
            }
            compose(ctx, &id, ops)
        }
        C::Check { id } => check(ctx, &id),
        C::Price { id, periods, rounding } => price(ctx, &id, periods, rounding),
        C::Submit { id, profile } => {
            let (runtime, engine) = crate::cmd::sync::engine(ctx)?;
            let entry = runtime.block_on(engine.submit_draft(&id, profile.as_deref()))?;
            if ctx.json {
                output::print_json(&entry)?;
            } else {
                output::print_text(&format!(
                    "draft {id} queued for {} as {} (outbox entry {}); run `orderdesk sync` to send it",
                    entry.profile, entry.idempotency_key, entry.id
                ))?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn import(file: &std::path::Path, ctx: &Ctx) -> Result<ExitCode, CliError> {
    let (name, text) = input::read_text(file)?;
    // Keep the text exactly as given (minus a byte order mark, which is not JSON).
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_owned();
    let value = orderdesk_wire::parse_json(&text)
        .map_err(|e| CliError::NotJson { source_name: name.clone(), message: e.to_string() })?;
    let order = orderdesk_wire::parse_order_value(value.clone())
        .map_err(|error| CliError::Wire { source_name: name.clone(), error })?;
    let model = Order::from_json(value.clone())
        .map_err(|error| CliError::Core { source_name: name.clone(), error })?;
    let tmf_version = match order.version() {
        orderdesk_wire::Version::V4 => TmfVersion::V4,
        orderdesk_wire::Version::V5 => TmfVersion::V5,
    };
    let mut store = open_store(ctx)?;
    let catalog = cached_catalog(&store)?;
    let summary = summary(&value, &model, catalog.as_ref().map(|(_, c)| c));
    let row = store.create_draft(NewDraft {
        body: text,
        tmf_version,
        catalog_version: catalog.map(|(version, _)| version),
        actor: actor(),
        summary: Some(summary),
    })?;
    if ctx.json {
        output::print_json(&json!({ "id": row.id }))?;
    } else {
        output::print_text(&row.id)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The listing columns of a draft: customer and item count as the store reads them, and as
/// total the core's price (tax included, over the pricing schedule, primary currency), so the
/// list shows the figure `draft price` shows.
fn summary(value: &Value, order: &Order, catalog: Option<&Catalog>) -> OrderSummary {
    let mut summary = orderdesk_store::extract::summarize_order(value);
    let quote = orderdesk_core::price(
        order,
        catalog,
        PricingOptions { rounding: Rounding::HalfUp, periods: None },
    );
    if let Some(primary) = quote.currencies.first() {
        summary.total = Some(Money {
            amount: primary.total.amounts.tax_included,
            currency: primary.currency.clone(),
        });
    }
    summary
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

/// A draft's body as JSON (exact numbers, field order kept).
fn body_of(store: &Store, id: &str) -> Result<Value, CliError> {
    let draft = store.draft(id)?;
    orderdesk_wire::parse_json(&draft.body).map_err(|e| CliError::NotJson {
        source_name: format!("draft {id}"),
        message: e.to_string(),
    })
}

/// The cached catalog indexed by the core, with its version; `None` when none was imported.
fn cached_catalog(store: &Store) -> Result<Option<(String, Catalog)>, CliError> {
    let Some(version) = store.catalog_version()? else {
        return Ok(None);
    };
    let snapshot = store.catalog_snapshot()?;
    let catalog = Catalog::from_json(&snapshot)
        .map_err(|error| CliError::Core { source_name: "cached catalog".into(), error })?;
    Ok(Some((version.version, catalog)))
}

/// Load a draft, apply `ops` in order with the cached catalog, save one new revision.
fn compose(ctx: &Ctx, id: &str, ops: Vec<Op>) -> Result<ExitCode, CliError> {
    let mut store = open_store(ctx)?;
    let draft = store.draft(id)?;
    let source_name = format!("draft {id}");
    let value = orderdesk_wire::parse_json(&draft.body).map_err(|e| CliError::NotJson {
        source_name: source_name.clone(),
        message: e.to_string(),
    })?;
    let mut order = Order::from_json(value)
        .map_err(|error| CliError::Core { source_name: source_name.clone(), error })?;
    let catalog = cached_catalog(&store)?;
    for op in &ops {
        order = apply(&order, op, catalog.as_ref().map(|(_, c)| c))
            .map_err(|error| CliError::Core { source_name: source_name.clone(), error })?;
    }
    let value = order.to_json(Layout::Flat);
    let summary = summary(&value, &order, catalog.as_ref().map(|(_, c)| c));
    let body = serde_json::to_string(&value).map_err(|e| CliError::Output(e.to_string()))?;
    // The revision history records the operations themselves, so it can be read or replayed.
    let action = serde_json::to_string(&ops).map_err(|e| CliError::Output(e.to_string()))?;
    let row = store.update_draft(
        id,
        DraftEdit {
            body,
            catalog_version: catalog.map(|(version, _)| version),
            actor: actor(),
            action,
            expected_revision: Some(draft.row.revision),
            summary: Some(summary),
        },
    )?;
    print_row(&row, ctx)
}

fn check(ctx: &Ctx, id: &str) -> Result<ExitCode, CliError> {
    let store = open_store(ctx)?;
    let value = body_of(&store, id)?;
    let catalog = cached_catalog(&store)?;
    let findings = collect_findings(&value, catalog.as_ref().map(|(_, c)| c), ctx);
    let errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
    if ctx.json {
        output::print_json(&Report { findings: &findings })?;
    } else {
        let mut text = String::new();
        for f in &findings {
            let _ = writeln!(text, "{f}");
        }
        let verdict = if errors == 0 { "ok" } else { "has errors" };
        let _ = write!(
            text,
            "draft {id}: {verdict} ({errors} errors, {} warnings)",
            findings.len() - errors
        );
        output::print_text(&text)?;
    }
    Ok(if errors == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn price(
    ctx: &Ctx,
    id: &str,
    periods: Option<u32>,
    rounding: RoundingArg,
) -> Result<ExitCode, CliError> {
    let store = open_store(ctx)?;
    let order = Order::from_json(body_of(&store, id)?)
        .map_err(|error| CliError::Core { source_name: format!("draft {id}"), error })?;
    let catalog = cached_catalog(&store)?;
    let rounding = rounding.into();
    let quote = validate_and_price(
        &order,
        catalog.as_ref().map(|(_, c)| c),
        ValidateOptions { now: Some(chrono::Utc::now()) },
        PricingOptions { rounding, periods },
    );
    print_quote(ctx, &format!("draft {id}"), &quote)
}
