//! `orderdesk customer show ID` and `orderdesk product list --customer ID`: a customer
//! (TMF629) and their installed products (TMF637) on the active profile's server, through
//! `orderdesk_service::customers`.

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
    /// A customer of the active profile's server: name, status, contacts, accounts.
    Show { id: String },
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
        CustomerCommand::Show { id } => {
            let c = runtime.block_on(customers::customer(&engine, &id))?;
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
            let rows = runtime.block_on(customers::installed_products(&engine, &customer))?;
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
