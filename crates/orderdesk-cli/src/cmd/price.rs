//! `orderdesk price FILE [--catalog SNAPSHOT] [--periods N] [--rounding half-up|half-even]`:
//! prices an order with the core's pricing engine.
//!
//! `--json` prints the quote document of `orderdesk_core::Quote::to_json`: the primary
//! currency's `currency`, `oneTime`, `recurring`, `schedulePeriod`, `schedule`, `total` at top
//! level, every currency in `currencies`, then `orderTotalPrice`, `items` (`id`,
//! `itemTotalPrice`, `explanation`) and `findings` (validation, then pricing). Amounts are
//! decimal strings at the currency's minor units.
//!
//! Exit 0 when there are no error findings, 1 when there are (the figures are still printed),
//! 2 when the order or the catalog cannot be read.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use orderdesk_core::{
    has_errors, validate_and_price, PricingOptions, Quote, Rounding, ValidateOptions,
};

use crate::cmd::check::{load_catalog, load_order};
use crate::error::CliError;
use crate::{output, Ctx};

/// Rounding mode names on the command line.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum RoundingArg {
    /// 0.005 -> 0.01 (default).
    HalfUp,
    /// 0.005 -> 0.00, 0.015 -> 0.02.
    HalfEven,
}

/// Arguments of `price`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Order file (JSON); `-` reads stdin.
    pub file: PathBuf,
    /// TMF620 catalog snapshot: prices items that carry no `itemPrice`.
    #[arg(long, value_name = "SNAPSHOT")]
    pub catalog: Option<PathBuf>,
    /// Length of the schedule (default: longest item term, else 12).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1200))]
    pub periods: Option<u32>,
    /// Rounding to the currency's minor units.
    #[arg(long, value_enum, default_value = "half-up")]
    pub rounding: RoundingArg,
}

/// Prices the order and prints the quote.
pub fn run(args: Args, ctx: &Ctx) -> Result<ExitCode, CliError> {
    let (name, order) = load_order(&args.file)?;
    let catalog = args.catalog.as_deref().map(load_catalog).transpose()?;
    let rounding = args.rounding.into();
    let quote = validate_and_price(
        &order,
        catalog.as_ref(),
        ValidateOptions { now: Some(chrono::Utc::now()), version: None, policy: None },
        PricingOptions { rounding, periods: args.periods },
    );
    print_quote(ctx, &name, &quote)
}

impl From<RoundingArg> for Rounding {
    fn from(arg: RoundingArg) -> Self {
        match arg {
            RoundingArg::HalfUp => Rounding::HalfUp,
            RoundingArg::HalfEven => Rounding::HalfEven,
        }
    }
}

/// Prints a quote (the `--json` document, or per currency: one-time, recurring, the schedule
/// with equal periods on one line, the total, then the findings) for `subject` (a file name or
/// `draft ID`). Exit 1 when the findings hold an error, else 0.
pub(crate) fn print_quote(ctx: &Ctx, subject: &str, quote: &Quote) -> Result<ExitCode, CliError> {
    if ctx.json {
        output::print_json(&quote.to_json())?;
    } else {
        let mut text = String::new();
        if quote.currencies.is_empty() {
            let _ = writeln!(text, "{subject}: nothing to price");
        }
        for c in &quote.currencies {
            let cur = &c.currency;
            let _ = writeln!(
                text,
                "{cur}: one-time {} (tax incl. {})",
                c.one_time.duty_free, c.one_time.tax_included
            );
            for r in &c.recurring {
                let _ = writeln!(
                    text,
                    "{cur}: per {} {} (tax incl. {})",
                    r.period, r.amounts.duty_free, r.amounts.tax_included
                );
            }
            // Runs of equal periods on one line: "periods 4-12: 20.00".
            for run in c.schedule.chunk_by(|a, b| a.amounts == b.amounts) {
                let (Some(first), Some(last)) = (run.first(), run.last()) else { continue };
                let range = if run.len() == 1 {
                    format!("{} {}", c.schedule_period, first.index)
                } else {
                    format!("{} {}-{}", c.schedule_period, first.index, last.index)
                };
                let _ = writeln!(
                    text,
                    "{cur}:   {range}: {} (tax incl. {})",
                    first.amounts.duty_free, first.amounts.tax_included
                );
            }
            let _ = writeln!(
                text,
                "{cur}: total over {} {}s: {} (tax incl. {})",
                c.total.periods,
                c.schedule_period,
                c.total.amounts.duty_free,
                c.total.amounts.tax_included
            );
        }
        for f in &quote.findings {
            let _ = writeln!(text, "{f}");
        }
        output::print_text(text.trim_end())?;
    }
    Ok(if has_errors(&quote.findings) { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
