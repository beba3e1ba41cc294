//! `orderdesk check FILE`: reports structural problems of an order.
//!
//! Exit 0 when there are no error findings (warnings allowed), 1 when there are, 2 when the file
//! (or the `--catalog` snapshot) cannot be read or is not JSON.
//!
//! Findings are [`orderdesk_service::order_findings`], the same `draft check` reports: the
//! core's validation (structural, money and — with `--catalog` — catalog rules) plus the wire
//! crate's payload checks that the core does not cover (dates, field types, ...); with
//! `--profile`, the discount policy of that server profile.

use std::path::PathBuf;
use std::process::ExitCode;

use orderdesk_wire::{Finding, Severity};
use serde::Serialize;

use crate::error::CliError;
use crate::{input, output, Ctx};

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Order file (JSON); `-` reads stdin.
    pub file: PathBuf,
    /// TMF620 catalog snapshot (`productOffering`, `productOfferingPrice`,
    /// `productSpecification`, `category` arrays) to validate offerings, bundles and
    /// characteristics against.
    #[arg(long, value_name = "SNAPSHOT")]
    pub catalog: Option<PathBuf>,
    /// Hold discounts against this server profile's policy (from the database), as the
    /// app and `draft submit` do for it.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
}

/// Reads an order file into the core model.
pub fn load_order(path: &std::path::Path) -> Result<(String, orderdesk_core::Order), CliError> {
    let (name, value) = input::read_json(path, input::MAX_ORDER_INPUT)?;
    let order = orderdesk_core::Order::from_json(value)
        .map_err(|error| CliError::Core { source_name: name.clone(), error })?;
    Ok((name, order))
}

/// Reads and indexes a catalog snapshot.
pub fn load_catalog(path: &std::path::Path) -> Result<orderdesk_core::Catalog, CliError> {
    let (name, value) = input::read_json(path, input::MAX_CATALOG_INPUT)?;
    orderdesk_core::Catalog::from_json(&value)
        .map_err(|error| CliError::Core { source_name: name, error })
}

/// The `--json` output: `{"findings": [...]}`.
#[derive(Debug, Serialize)]
pub struct Report<'a> {
    /// Every finding, errors and warnings.
    pub findings: &'a [Finding],
}

/// Runs the check and prints the report.
pub fn run(args: Args, ctx: &Ctx) -> Result<ExitCode, CliError> {
    let (name, value) = input::read_json(&args.file, input::MAX_ORDER_INPUT)?;
    let catalog = args.catalog.as_deref().map(load_catalog).transpose()?;
    let policy = match &args.profile {
        Some(name) => {
            Some(orderdesk_sync::profiles::policy(&crate::cmd::db::open_store(ctx)?, Some(name))?)
        }
        None => None,
    };
    let findings = orderdesk_service::order_findings(
        &value,
        catalog.as_ref(),
        policy.as_ref().and_then(orderdesk_core::ProfilePolicy::governing),
    );
    let errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
    let warnings = findings.len().saturating_sub(errors);
    if ctx.json {
        output::print_json(&Report { findings: &findings })?;
    } else {
        let mut text = String::new();
        for f in &findings {
            text.push_str(&f.to_string());
            text.push('\n');
        }
        let verdict = if errors == 0 { "ok" } else { "has errors" };
        text.push_str(&format!("{name}: {verdict} ({errors} errors, {warnings} warnings)"));
        output::print_text(&text)?;
    }
    Ok(if errors == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
