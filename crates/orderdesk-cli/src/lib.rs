//! `orderdesk`: every Orderdesk capability from the command line, human text or JSON out.
//!
//! The binary (`src/main.rs`) only calls [`main`]; the library also gives the command line's
//! definition ([`command`]), from which `orderdesk-dist` generates the man pages and shell
//! completions the packages ship.
//!
//! Layout (add a command group without touching the others):
//! - this file: the clap top level (global `--json`, `--db`), one [`Command`] variant per group;
//! - `cmd/<group>.rs`: the group's `Args` and `run(args, &Ctx) -> Result<ExitCode, CliError>`;
//!   a command parses input, calls one library function, prints through [`output`]. Local
//!   drafts, the catalog cache and search are `orderdesk-service` use cases, the ones the
//!   desktop app runs, opened on the `--db` file and run on a current-thread runtime
//!   (`cmd::db::service`); server work goes through `orderdesk-sync`, customers and installed
//!   products through `orderdesk_service::customers`;
//! - [`output`]: human text or JSON, and the error contract;
//! - [`error`]: [`error::CliError`], which maps every failure to an `ErrorBody` `{code, message}`.
//!
//! Exit codes: 0 success, 1 the input was read but has errors (e.g. `check` found error
//! findings), 2 the input could not be used at all (unreadable, not JSON, wrong shape) or the
//! command line was wrong. In `--json` mode a failure prints an `ErrorBody` on stdout.

// What this crate reads comes from outside (files, servers, the database): no arithmetic that
// can overflow and no indexing that can panic (checked, saturating or `get` instead).
#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects, clippy::indexing_slicing))]

mod cmd;
mod error;
mod input;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

/// Orderdesk order capture, headless.
#[derive(Debug, Parser)]
#[command(name = "orderdesk", version, about)]
struct Cli {
    /// Print machine-readable JSON instead of human text.
    #[arg(long, global = true)]
    json: bool,

    /// Local database file (drafts, outbox, catalog cache); default `orderdesk.db` in the
    /// desktop app's data directory (`ORDERDESK_DATA_DIR`, else the platform's).
    #[arg(long, global = true, env = "ORDERDESK_DB", value_name = "PATH")]
    db: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

/// One variant per command group; each holds its module's `Args`.
#[derive(Debug, Subcommand)]
enum Command {
    /// Convert a TMF622 order between v4 and v5.
    Convert(cmd::convert::Args),
    /// Report structural problems in a TMF622 order.
    Check(cmd::check::Args),
    /// Price a TMF622 order: totals per currency, a schedule and an explanation per item.
    Price(cmd::price::Args),
    /// Drafts in the local database: import, list, show, export, history, restore, compose.
    Draft(cmd::draft::Args),
    /// The catalog cache in the local database: import a snapshot, search, show.
    Catalog(cmd::catalog::Args),
    /// Full-text search over local drafts, orders and catalog.
    Search(cmd::search::Args),
    /// The local database itself: backup, restore, integrity check, path.
    Db(cmd::db::Args),
    /// The agent's settings: rounding, version of new drafts, locale, theme, shop name.
    Settings(cmd::settings::Args),
    /// Server profiles: add, list, use, remove.
    Remote(cmd::remote::Args),
    /// Send queued operations and refresh known orders (`--catalog`: the catalog too).
    Sync(cmd::sync::Args),
    /// Orders known to a server: list, show, cancel.
    Order(cmd::order::Args),
    /// Operations waiting for a server: list, retry, drop.
    Outbox(cmd::outbox::Args),
    /// Customers on the active profile's server (TMF629): show.
    Customer(cmd::customer::Args),
    /// Installed products on the active profile's server (TMF637): list a customer's.
    Product(cmd::customer::ProductArgs),
}

/// What every command receives besides its own arguments.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// `--json` was given.
    pub json: bool,
    /// `--db` / `ORDERDESK_DB`, when given.
    pub db: Option<PathBuf>,
}

/// The command line's definition (for man pages and completions).
pub fn command() -> clap::Command {
    Cli::command()
}

/// Run the `orderdesk` command line on the process's arguments.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version itself and decides the stream; usage errors exit 2.
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    let ctx = Ctx { json: cli.json, db: cli.db };
    let result = match cli.command {
        Command::Convert(args) => cmd::convert::run(args, &ctx),
        Command::Check(args) => cmd::check::run(args, &ctx),
        Command::Price(args) => cmd::price::run(args, &ctx),
        Command::Draft(args) => cmd::draft::run(args, &ctx),
        Command::Catalog(args) => cmd::catalog::run(args, &ctx),
        Command::Search(args) => cmd::search::run(args, &ctx),
        Command::Db(args) => cmd::db::run(args, &ctx),
        Command::Settings(args) => cmd::settings::run(args, &ctx),
        Command::Remote(args) => cmd::remote::run(args, &ctx),
        Command::Sync(args) => cmd::sync::run(args, &ctx),
        Command::Order(args) => cmd::order::run(args, &ctx),
        Command::Outbox(args) => cmd::outbox::run(args, &ctx),
        Command::Customer(args) => cmd::customer::run(args, &ctx),
        Command::Product(args) => cmd::customer::run_product(args, &ctx),
    };
    match result {
        Ok(code) => code,
        Err(err) => output::fail(&ctx, &err),
    }
}
