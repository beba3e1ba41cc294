//! `orderdesk customer sync|search|show|new` and `orderdesk product list --customer ID`: the
//! active profile's customers (TMF629) in the local cache, a customer and their installed
//! products (TMF637) from the server or, while it cannot be reached, the cache, and a new
//! customer created on the server (and cached); through `orderdesk_service::customers`.

use std::process::ExitCode;

use orderdesk_service::customers;

use crate::cmd::sync::engine;
use crate::error::CliError;
use crate::{output, Ctx};

/// Arguments of `customer`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: CustomerCommand,
}

/// `customer` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum CustomerCommand {
    /// Copy the active profile's customers into the local cache (only the changes when the
    /// server dates them).
    Sync {
        /// Fetch every cached customer's installed products too, for days without the server.
        #[arg(long)]
        products: bool,
        /// Pull every customer again (and drop those the server no longer lists).
        #[arg(long)]
        full: bool,
    },
    /// Find cached customers by name, id, phone, e-mail or billing account (offline).
    Search {
        text: String,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// A customer of the active profile's server: name, status, contacts, accounts.
    Show { id: String },
    /// Create a customer on the active profile's server (it must be reachable) and cache it;
    /// prints the new customer's id.
    New {
        #[arg(long)]
        name: String,
        /// A phone number in international format, e.g. +49 170 1234567.
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        email: Option<String>,
    },
}

/// Arguments of `product`.
#[derive(Debug, clap::Args)]
pub struct ProductArgs {
    #[command(subcommand)]
    pub command: ProductCommand,
}

/// `product` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum ProductCommand {
    /// A customer's installed products on the active profile's server, bundles before what
    /// they bundle.
    List {
        #[arg(long)]
        customer: String,
    },
}

/// Runs a `customer` subcommand.
pub fn run(args: Args, ctx: &Ctx) -> Result<ExitCode, CliError> {
    let (runtime, engine) = engine(ctx)?;
    match args.command {
        CustomerCommand::Sync { products, full } => {
            let report = runtime.block_on(customers::sync(&engine, full, products))?;
            if ctx.json {
                output::print_json(&report)?;
            } else {
                let mut text = format!(
                    "{}: {} sync, {} received, {} saved, {} removed, {} cached",
                    report.profile,
                    report.mode,
                    report.received,
                    report.count.saved,
                    report.count.removed,
                    report.count.cached
                );
                if let Some(p) = report.products {
                    text.push_str(&format!(
                        "; {} products of {} customers cached",
                        p.products, p.customers
                    ));
                }
                output::print_text(&text)?;
            }
        }
        CustomerCommand::Search { text, limit } => {
            let rows = runtime.block_on(customers::search(&engine, &text, limit))?;
            if ctx.json {
                output::print_json(&rows)?;
            } else if rows.is_empty() {
                output::print_text("no cached customer matches (run `orderdesk customer sync`)")?;
            } else {
                let lines: Vec<String> = rows
                    .iter()
                    .map(|r| {
                        let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
                        format!(
                            "{}  {}  {}  {}  {}",
                            r.id,
                            r.name,
                            or_dash(&r.phone),
                            or_dash(&r.email),
                            or_dash(&r.account)
                        )
                    })
                    .collect();
                output::print_text(&lines.join("\n"))?;
            }
        }
        CustomerCommand::New { name, phone, email } => {
            let input = customers::NewCustomer { name, phone, email };
            let row = runtime.block_on(customers::create(&engine, input))?;
            if ctx.json {
                output::print_json(&row)?;
            } else {
                output::print_text(&row.id)?;
            }
        }
        CustomerCommand::Show { id } => {
            let c = runtime.block_on(customers::customer(&engine, &id))?;
            if let Some(why) = &c.stale {
                output::warn(&format!("the server cannot be reached ({why}): cached customer"));
            }
            if ctx.json {
                output::print_json(&c)?;
            } else {
                let mut lines =
                    vec![format!("{}  {}  {}", c.id, c.name, c.status.as_deref().unwrap_or("-"))];
                lines.extend(c.phones.iter().map(|p| format!("  phone    {p}")));
                lines.extend(c.emails.iter().map(|e| format!("  e-mail   {e}")));
                lines.extend(c.accounts.iter().map(|a| format!("  account  {a}")));
                output::print_text(&lines.join("\n"))?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs a `product` subcommand.
pub fn run_product(args: ProductArgs, ctx: &Ctx) -> Result<ExitCode, CliError> {
    let (runtime, engine) = engine(ctx)?;
    match args.command {
        ProductCommand::List { customer } => {
            let installed = runtime.block_on(customers::installed_products(&engine, &customer))?;
            if let Some(why) = &installed.stale {
                output::warn(&format!("the server cannot be reached ({why}): cached products"));
            }
            let rows = installed.rows;
            if ctx.json {
                output::print_json(&rows)?;
            } else {
                let lines: Vec<String> = rows
                    .iter()
                    .map(|r| {
                        let p = &r.product;
                        let monthly: Vec<String> = p
                            .monthly
                            .iter()
                            .map(|(cur, amount)| format!("{amount} {cur}"))
                            .collect();
                        format!(
                            "{}{}  {}  {}  {}",
                            "  ".repeat(r.depth.min(orderdesk_core::limits::MAX_BUNDLE_DEPTH)),
                            p.id,
                            p.display_name(),
                            p.status_text.as_deref().unwrap_or("-"),
                            monthly.join(", ")
                        )
                    })
                    .collect();
                output::print_text(&lines.join("\n"))?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
