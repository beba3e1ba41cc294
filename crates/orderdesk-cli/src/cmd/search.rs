//! `orderdesk search TEXT [--kind K]... [--limit N]`: full-text search over the local drafts,
//! orders and catalog. Any text is accepted; FTS operators in it are plain words.

use std::process::ExitCode;

use orderdesk_store::{SearchHit, SearchKind};

use crate::cmd::db::service;
use crate::error::CliError;
use crate::{output, Ctx};

/// Record kinds on the command line.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum KindArg {
    Draft,
    Order,
    Offering,
    Price,
    Specification,
    Category,
}

impl From<KindArg> for SearchKind {
    fn from(kind: KindArg) -> Self {
        match kind {
            KindArg::Draft => SearchKind::Draft,
            KindArg::Order => SearchKind::Order,
            KindArg::Offering => SearchKind::Offering,
            KindArg::Price => SearchKind::Price,
            KindArg::Specification => SearchKind::Specification,
            KindArg::Category => SearchKind::Category,
        }
    }
}

/// Arguments of `search`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Words to look for (all must match; the last one also as a prefix).
    pub text: String,
    /// Only these kinds of record (repeatable); default all.
    #[arg(long = "kind", value_enum)]
    pub kinds: Vec<KindArg>,
    /// Most results to show.
    #[arg(long, default_value_t = 20)]
    pub limit: u32,
}

/// Prints hits as a JSON array or one line each.
pub fn print_hits(hits: &[SearchHit], ctx: &Ctx) -> Result<(), CliError> {
    if ctx.json {
        return output::print_json(hits);
    }
    if hits.is_empty() {
        return output::print_text("no matches");
    }
    let lines: Vec<String> = hits
        .iter()
        .map(|hit| {
            format!(
                "{:<13} {:<38} {}\n{:13} {:38} {}",
                hit.kind, hit.id, hit.title, "", "", hit.snippet
            )
        })
        .collect();
    output::print_text(&lines.join("\n"))
}

/// Runs the search.
pub fn run(args: Args, ctx: &Ctx) -> Result<ExitCode, CliError> {
    let (runtime, service) = service(ctx)?;
    let kinds: Vec<SearchKind> = args.kinds.into_iter().map(SearchKind::from).collect();
    let hits = runtime.block_on(service.search(args.text, kinds, args.limit))?;
    print_hits(&hits, ctx)?;
    Ok(ExitCode::SUCCESS)
}
