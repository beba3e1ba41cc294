//! `orderdesk catalog import SNAPSHOT [--merge] [--version V] | search TEXT | show ID | info | sync
//! | favourite add|remove ID | favourite list`: the catalog cache in the local database, and the
//! agent's favourite offerings (which the editor's picker lists first).
//!
//! A snapshot is a TMF620 document with `productOffering`, `productOfferingPrice`,
//! `productSpecification` and `category` arrays (the same file `check --catalog` reads). It is
//! checked by the core's catalog indexer before anything is stored. `import`, `search`, `show`
//! and `info` are `orderdesk-service` use cases; `sync` runs the sync engine.

use std::path::PathBuf;
use std::process::ExitCode;

use orderdesk_service::SnapshotImport;
use orderdesk_store::SearchKind;
use serde_json::json;

use crate::cmd::db::service;
use crate::cmd::search::print_hits;
use crate::error::CliError;
use crate::{input, output, Ctx};

/// Arguments of `catalog`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: CatalogCommand,
}

/// `catalog` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum CatalogCommand {
    /// Store a TMF620 snapshot (replacing the cached catalog, or merging with `--merge`).
    Import {
        /// Snapshot file (JSON); `-` reads stdin.
        snapshot: PathBuf,
        /// Add and replace records, keep the ones the snapshot does not list.
        #[arg(long)]
        merge: bool,
        /// The catalog version to record (default: the snapshot's `version`, else the import time).
        #[arg(long)]
        version: Option<String>,
    },
    /// Full-text search over the cached catalog.
    Search {
        /// Words to look for.
        text: String,
        /// Most results to show.
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Print a cached catalog record (TMF620 JSON).
    Show {
        /// Offering, price, specification or category id.
        id: String,
    },
    /// The cached catalog's version, fetch time and source.
    Info,
    /// The agent's favourite offerings, which the editor's catalog picker lists first.
    Favourite {
        #[command(subcommand)]
        command: FavouriteCommand,
    },
    /// Fetch the catalog from the server (full the first time, then what changed) and report
    /// the drafts whose offerings were retired or re-priced.
    Sync {
        /// Server profile (default: the active one).
        #[arg(long)]
        profile: Option<String>,
        /// Fetch everything even when an incremental sync is possible.
        #[arg(long)]
        full: bool,
    },
}

/// `catalog favourite` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum FavouriteCommand {
    /// Mark an offering of the cached catalog as a favourite.
    Add {
        /// Offering id.
        id: String,
    },
    /// Unmark a favourite offering.
    Remove {
        /// Offering id.
        id: String,
    },
    /// The favourite offerings (the first marked first) the cached catalog has.
    List,
}

/// What `catalog search` looks through.
const CATALOG_KINDS: [SearchKind; 4] =
    [SearchKind::Offering, SearchKind::Price, SearchKind::Specification, SearchKind::Category];

/// Runs a `catalog` subcommand.
pub fn run(args: Args, ctx: &Ctx) -> Result<ExitCode, CliError> {
    match args.command {
        CatalogCommand::Import { snapshot, merge, version } => {
            let (name, text) = input::read_text(&snapshot, input::MAX_CATALOG_INPUT)?;
            let (runtime, service) = service(ctx)?;
            let how = SnapshotImport { source: name.clone(), version, merge };
            let report = runtime
                .block_on(service.import_snapshot(text, how))
                .map_err(|error| CliError::input(name, error))?;
            if ctx.json {
                output::print_json(&report)?;
            } else {
                output::print_text(&format!(
                    "catalog {}: {} offerings, {} prices, {} specifications, {} categories",
                    report.version,
                    report.offerings,
                    report.prices,
                    report.specifications,
                    report.categories
                ))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        CatalogCommand::Search { text, limit } => {
            let (runtime, service) = service(ctx)?;
            let hits = runtime.block_on(service.search(text, CATALOG_KINDS.to_vec(), limit))?;
            print_hits(&hits, ctx)?;
            Ok(ExitCode::SUCCESS)
        }
        CatalogCommand::Favourite { command } => favourite(command, ctx),
        CatalogCommand::Show { id } => {
            let (runtime, service) = service(ctx)?;
            output::print_json(&runtime.block_on(service.catalog_record(id))?)?;
            Ok(ExitCode::SUCCESS)
        }
        CatalogCommand::Sync { profile, full } => {
            let (runtime, engine) = crate::cmd::sync::engine(ctx)?;
            let report = runtime.block_on(engine.sync_catalog(profile.as_deref(), full))?;
            if ctx.json {
                output::print_json(&report)?;
            } else {
                let mut lines = vec![format!(
                    "{} catalog sync, version {}: {} offerings, {} prices, {} specifications, {} categories",
                    report.mode,
                    report.version,
                    report.offerings,
                    report.prices,
                    report.specifications,
                    report.categories
                )];
                for impact in &report.affected_drafts {
                    lines.push(format!(
                        "  draft {}: offering {} {}",
                        impact.draft_id,
                        impact.offering_id,
                        match impact.change {
                            orderdesk_sync::OfferingChange::Retired => "was retired",
                            orderdesk_sync::OfferingChange::PriceChanged => "changed its price",
                            orderdesk_sync::OfferingChange::Changed => "changed",
                        }
                    ));
                }
                output::print_text(&lines.join("\n"))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        CatalogCommand::Info => {
            let (runtime, service) = service(ctx)?;
            let version = runtime.block_on(service.catalog_info())?;
            if ctx.json {
                output::print_json(&json!({ "catalog": version }))?;
            } else {
                match version {
                    Some(v) => output::print_text(&format!(
                        "catalog {} (fetched {}, from {}, imported {})",
                        v.version, v.fetched_at, v.source, v.imported_at
                    ))?,
                    None => output::print_text("no catalog imported")?,
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Runs a `catalog favourite` subcommand.
fn favourite(command: FavouriteCommand, ctx: &Ctx) -> Result<ExitCode, CliError> {
    let (runtime, service) = service(ctx)?;
    let (id, on) = match command {
        FavouriteCommand::Add { id } => (id, true),
        FavouriteCommand::Remove { id } => (id, false),
        FavouriteCommand::List => {
            let favourites = runtime.block_on(service.offering_shortcuts())?.favourites;
            if ctx.json {
                output::print_json(&favourites)?;
            } else {
                for o in &favourites {
                    output::print_text(&format!("{}\t{}", o.id, o.name))?;
                }
            }
            return Ok(ExitCode::SUCCESS);
        }
    };
    runtime.block_on(service.set_favourite_offering(id.clone(), on))?;
    if ctx.json {
        output::print_json(&json!({ "offering": id, "favourite": on }))?;
    } else {
        output::print_text(&if on {
            format!("{id} is a favourite")
        } else {
            format!("{id} is no longer a favourite")
        })?;
    }
    Ok(ExitCode::SUCCESS)
}
