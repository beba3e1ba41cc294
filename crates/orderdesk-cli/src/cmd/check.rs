//! `orderdesk check FILE`: reports structural problems of an order.
//!
//! Exit 0 when there are no error findings (warnings allowed), 1 when there are, 2 when the file
//! cannot be read or is not JSON. Catalog-aware and pricing checks from the core plug in at
//! [`collect_findings`] with the same `Finding` type.

use std::path::PathBuf;
use std::process::ExitCode;

use orderdesk_wire::{Finding, Severity};
use serde::Serialize;
use serde_json::Value;

use crate::error::CliError;
use crate::{input, output, Ctx};

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Order file (JSON); `-` reads stdin.
    pub file: PathBuf,
}

/// The `--json` output: `{"findings": [...]}`.
#[derive(Debug, Serialize)]
pub struct Report<'a> {
    /// Every finding, errors and warnings.
    pub findings: &'a [Finding],
}

/// All findings for an order payload. Further checks (catalog, pricing) are added here.
pub fn collect_findings(order: &Value, _args: &Args, _ctx: &Ctx) -> Vec<Finding> {
    orderdesk_wire::check::findings(order)
}

/// Runs the check and prints the report.
pub fn run(args: Args, ctx: &Ctx) -> Result<ExitCode, CliError> {
    let (name, value) = input::read_json(&args.file)?;
    let findings = collect_findings(&value, &args, ctx);
    let errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
    let warnings = findings.len() - errors;
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
