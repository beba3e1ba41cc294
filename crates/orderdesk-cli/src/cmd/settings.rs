//! `orderdesk settings show|set`: the agent's settings (the same the app's Settings screen
//! saves: rounding, the TMF622 version of new drafts, locale, theme, the shop's name), checked
//! and stored by orderdesk-service.

use std::process::ExitCode;

use orderdesk_service::{Settings, Theme};

use crate::cmd::convert::version_arg;
use crate::cmd::db::service;
use crate::cmd::price::RoundingArg;
use crate::error::CliError;
use crate::{output, Ctx};

/// Arguments of `settings`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: SettingsCommand,
}

/// Themes on the command line.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ThemeArg {
    /// Follow the system's light or dark preference.
    System,
    Light,
    Dark,
}

impl From<ThemeArg> for Theme {
    fn from(arg: ThemeArg) -> Self {
        match arg {
            ThemeArg::System => Theme::System,
            ThemeArg::Light => Theme::Light,
            ThemeArg::Dark => Theme::Dark,
        }
    }
}

/// `settings` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum SettingsCommand {
    /// Print the settings.
    Show,
    /// Change the settings given; the others stay as they are.
    Set {
        /// Rounding to the currency's minor units.
        #[arg(long, value_enum)]
        rounding: Option<RoundingArg>,
        /// The TMF622 version of new drafts.
        #[arg(long, value_parser = version_arg())]
        default_version: Option<orderdesk_wire::Version>,
        /// A BCP 47 locale such as `de-DE` (the language of the app and of the customer
        /// summary, and how it writes money and dates); an empty text follows the system's.
        #[arg(long)]
        locale: Option<String>,
        /// The app's colours.
        #[arg(long, value_enum)]
        theme: Option<ThemeArg>,
        /// The shop's name, printed on the customer summary; an empty text prints none.
        #[arg(long)]
        shop_name: Option<String>,
    },
}

fn print(settings: &Settings, ctx: &Ctx) -> Result<(), CliError> {
    if ctx.json {
        return output::print_json(settings);
    }
    let value = serde_json::to_value(settings).map_err(|e| CliError::Output(e.to_string()))?;
    let lines: Vec<String> = value
        .as_object()
        .into_iter()
        .flatten()
        .map(|(key, v)| {
            format!("{key:<15} {}", v.as_str().map_or_else(|| v.to_string(), str::to_owned))
        })
        .collect();
    output::print_text(&lines.join("\n"))
}

/// Runs a `settings` subcommand.
pub fn run(args: Args, ctx: &Ctx) -> Result<ExitCode, CliError> {
    let (runtime, service) = service(ctx)?;
    match args.command {
        SettingsCommand::Show => print(&service.settings(), ctx)?,
        SettingsCommand::Set { rounding, default_version, locale, theme, shop_name } => {
            let current = service.settings();
            let next = Settings {
                rounding: rounding.map_or(current.rounding, Into::into),
                default_version: default_version.unwrap_or(current.default_version),
                locale: locale.unwrap_or(current.locale),
                theme: theme.map_or(current.theme, Into::into),
                shop_name: shop_name.unwrap_or(current.shop_name),
            };
            let saved = runtime.block_on(service.save_settings(next))?;
            print(&saved, ctx)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
