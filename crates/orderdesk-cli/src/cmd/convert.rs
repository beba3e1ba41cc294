//! `orderdesk convert FILE --to v4|v5`: prints the order converted to the requested version.

use std::path::PathBuf;
use std::process::ExitCode;

use orderdesk_wire::Version;

use crate::error::CliError;
use crate::{input, output, Ctx};

/// Target version names accepted by `--to`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Target {
    /// TMF622 v4.0.0.
    V4,
    /// TMF622 v5.0.0.
    V5,
}

/// Arguments of `convert`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Order file (JSON); `-` reads stdin.
    pub file: PathBuf,
    /// Version to convert to.
    #[arg(long, value_enum)]
    pub to: Target,
}

/// Reads the order, converts it and prints pretty JSON (same output with or without `--json`).
pub fn run(args: Args, _ctx: &Ctx) -> Result<ExitCode, CliError> {
    let (name, value) = input::read_json(&args.file)?;
    let order = orderdesk_wire::parse_order_value(value)
        .map_err(|error| CliError::Wire { source_name: name, error })?;
    let version = match args.to {
        Target::V4 => Version::V4,
        Target::V5 => Version::V5,
    };
    output::print_json(&order.to_value(version))?;
    Ok(ExitCode::SUCCESS)
}
