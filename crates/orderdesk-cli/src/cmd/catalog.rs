//! `orderdesk catalog import SNAPSHOT [--merge] [--version V] | search TEXT | show ID | info | sync`:
//! the catalog cache in the local database.
//!
//! A snapshot is a TMF620 document with `productOffering`, `productOfferingPrice`,
//! `productSpecification` and `category` arrays (the same file `check --catalog` reads). It is
//! checked by the core's catalog indexer before anything is stored.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use orderdesk_store::{CatalogImport, CatalogItemInput, CatalogKind, Queries, SearchKind};
use serde_json::{json, Value};

use crate::cmd::db::open_store;
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

const ARRAYS: [(CatalogKind, &str); 4] = [
    (CatalogKind::Offering, "productOffering"),
    (CatalogKind::Price, "productOfferingPrice"),
    (CatalogKind::Specification, "productSpecification"),
    (CatalogKind::Category, "category"),
];

fn snapshot_time(snapshot: &Value) -> Option<DateTime<Utc>> {
    ["fetchedAt", "lastUpdate"]
        .iter()
        .filter_map(|key| snapshot.get(*key).and_then(Value::as_str))
        .find_map(|text| DateTime::parse_from_rfc3339(text).ok())
        .map(|at| at.with_timezone(&Utc))
}

/// Runs a `catalog` subcommand.
pub fn run(args: Args, ctx: &Ctx) -> Result<ExitCode, CliError> {
    match args.command {
        CatalogCommand::Import { snapshot, merge, version } => {
            let (name, value) = input::read_json(&snapshot)?;
            // The same check `check --catalog` applies: refuse what is not a snapshot.
            orderdesk_core::Catalog::from_json(&value)
                .map_err(|error| CliError::Core { source_name: name.clone(), error })?;
            let now = Utc::now();
            let version = version
                .or_else(|| value.get("version").and_then(Value::as_str).map(str::to_owned))
                .unwrap_or_else(|| format!("import {}", now.format("%Y-%m-%dT%H:%M:%SZ")));
            let mut items = Vec::new();
            for (kind, key) in ARRAYS {
                for body in value.get(key).and_then(Value::as_array).into_iter().flatten() {
                    items.push(CatalogItemInput { kind, body: body.clone() });
                }
            }
            let mut store = open_store(ctx)?;
            let report = store.import_catalog(CatalogImport {
                version,
                fetched_at: snapshot_time(&value).unwrap_or(now),
                source: name,
                items,
                replace: !merge,
            })?;
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
            let store = open_store(ctx)?;
            let kinds = ARRAYS.map(|(kind, _)| SearchKind::from(kind));
            let hits = store.search(&text, &kinds, limit)?;
            print_hits(&hits, ctx)?;
            Ok(ExitCode::SUCCESS)
        }
        CatalogCommand::Show { id } => {
            let store = open_store(ctx)?;
            let item = store.catalog_item_any(&id)?;
            let body = orderdesk_wire::parse_json(&item.body).map_err(|e| CliError::NotJson {
                source_name: format!("cached {} {}", item.kind, item.id),
                message: e.to_string(),
            })?;
            output::print_json(&body)?;
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
            let store = open_store(ctx)?;
            let version = store.catalog_version()?;
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
