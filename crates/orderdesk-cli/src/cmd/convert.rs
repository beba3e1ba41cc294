//! `orderdesk convert FILE --to v4|v5`: prints the order converted to the requested version.

use std::path::PathBuf;
use std::process::ExitCode;

use orderdesk_wire::Version;

use crate::error::CliError;
use crate::{input, output, Ctx};

/// The parser of `--to`: a TMF622 version, `v4` or `v5` (`orderdesk-wire`'s [`Version`]).
pub fn version_arg() -> impl clap::builder::TypedValueParser<Value = Version> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(Version::ALL.map(Version::as_str))
        .try_map(|s| s.parse::<Version>())
}

/// Arguments of `convert`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Order file (JSON); `-` reads stdin.
    pub file: PathBuf,
    /// Version to convert to.
    #[arg(long, value_parser = version_arg())]
    pub to: Version,
}

/// Reads the order, converts it and prints pretty JSON (same output with or without `--json`):
/// what the target version has no room for is left out, and each such member is named in a
/// warning on standard error.
pub fn run(args: Args, _ctx: &Ctx) -> Result<ExitCode, CliError> {
    let (name, value) = input::read_json(&args.file, input::MAX_ORDER_INPUT)?;
    let order = orderdesk_wire::parse_order_value(value.clone())
        .map_err(|error| CliError::Wire { source_name: name.clone(), error })?;
    let converted = orderdesk_wire::to_version(value, Some(order.version()), args.to);
    for f in &converted.findings {
        output::warn(&format!("{name}: {f}"));
    }
    output::print_json(&converted.value)?;
    Ok(ExitCode::SUCCESS)
}
