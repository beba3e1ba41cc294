//! `orderdesk remote add|list|use|remove|policy`: server profiles and what each rules
//! (`policy`: discount reasons and limits, cancellation reasons). Connection details live in the
//! local database; secrets only in the OS keychain (or, on machines without one, in the
//! `ORDERDESK_SECRET_<PROFILE>` environment variable).

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use orderdesk_client::{secret, AuthConfig, Profile, VersionChoice};
use orderdesk_sync::{profiles, SyncError};
use serde_json::json;

use crate::cmd::db::{open_store, service};
use crate::error::CliError;
use crate::{output, Ctx};

/// Arguments of `remote`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: RemoteCommand,
}

/// How `remote add` authenticates.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum AuthArg {
    None,
    Bearer,
    Oauth2,
    Headers,
}

/// Arguments of `remote add`.
#[derive(Debug, clap::Args)]
pub struct AddArgs {
    name: String,
    /// The TMF622 root, e.g. https://host/tmf-api/productOrderingManagement/v4/
    #[arg(long)]
    url: String,
    /// The TMF620 root.
    #[arg(long)]
    catalog_url: Option<String>,
    /// The TMF629 root (default: the order root with `customerManagement` for its API).
    #[arg(long)]
    customer_url: Option<String>,
    /// The TMF637 root (default: the order root with `productInventory` for its API).
    #[arg(long)]
    inventory_url: Option<String>,
    /// v4, v5, or auto (detected once, then remembered).
    #[arg(long, default_value = "auto")]
    version: String,
    #[arg(long, value_enum, default_value = "none")]
    auth: AuthArg,
    /// OAuth2 / header client id.
    #[arg(long)]
    client_id: Option<String>,
    /// OAuth2 token endpoint.
    #[arg(long)]
    token_url: Option<String>,
    #[arg(long)]
    scope: Option<String>,
    /// A path segment after the root (`.../v4/{businessId}/productOrder`).
    #[arg(long)]
    business_id: Option<String>,
    /// Extra header sent with every request, `Name: value` (repeatable; never a secret).
    #[arg(long = "header")]
    headers: Vec<String>,
    #[arg(long)]
    timeout_ms: Option<u64>,
    /// PEM file with extra root certificates (company proxy).
    #[arg(long)]
    ca_cert: Option<PathBuf>,
    #[arg(long)]
    page_size: Option<u32>,
    /// Read the secret (token or client secret) from the first line of stdin and file it
    /// in the OS keychain.
    #[arg(long)]
    secret_stdin: bool,
}

/// `remote` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum RemoteCommand {
    /// Add (or replace) a server profile.
    Add(Box<AddArgs>),
    /// List profiles (the active one marked with `*`).
    List,
    /// Choose the profile used when none is named.
    Use { name: String },
    /// Remove a profile and its keychain secret.
    Remove { name: String },
    /// Show a profile's policy (discount reasons and limits, cancellation reasons), or set it
    /// from a JSON file (`-` reads stdin), e.g.
    /// `{"discount": {"reasons": [{"code": "retention", "label": "Customer retention",
    /// "maxPercentage": "20"}]}, "cancelReasons": [{"code": "duplicate", "label": "Duplicate order"}]}`.
    /// Without `cancelReasons` the default reasons apply; `[]` takes free text.
    Policy {
        name: String,
        #[arg(long)]
        file: Option<PathBuf>,
    },
}

/// Runs a `remote` subcommand.
pub fn run(args: Args, ctx: &Ctx) -> Result<ExitCode, CliError> {
    match args.command {
        RemoteCommand::Add(add) => {
            let AddArgs {
                name,
                url,
                catalog_url,
                customer_url,
                inventory_url,
                version,
                auth,
                client_id,
                token_url,
                scope,
                business_id,
                headers,
                timeout_ms,
                ca_cert,
                page_size,
                secret_stdin,
            } = *add;
            let mut profile = Profile::new(name.clone(), url);
            profile.catalog_url = catalog_url;
            profile.customer_url = customer_url;
            profile.inventory_url = inventory_url;
            profile.version = version.parse::<VersionChoice>().map_err(SyncError::from)?;
            profile.business_id = business_id;
            profile.ca_cert = ca_cert;
            if let Some(ms) = timeout_ms {
                profile.timeout_ms = ms;
            }
            if let Some(size) = page_size {
                profile.page_size = size;
            }
            for header in headers {
                let (k, v) = header.split_once(':').ok_or_else(|| {
                    CliError::Usage(format!("--header {header:?}: use 'Name: value'"))
                })?;
                profile.headers.insert(k.trim().to_owned(), v.trim().to_owned());
            }
            let need = |what: &str, value: Option<String>| {
                value.ok_or_else(|| {
                    CliError::Usage(format!(
                        "--auth {} needs --{what}",
                        match auth {
                            AuthArg::Oauth2 => "oauth2",
                            _ => "headers",
                        }
                    ))
                })
            };
            profile.auth = match auth {
                AuthArg::None => AuthConfig::None,
                AuthArg::Bearer => AuthConfig::Bearer,
                AuthArg::Oauth2 => AuthConfig::OAuth2 {
                    token_url: need("token-url", token_url)?,
                    client_id: need("client-id", client_id)?,
                    scope,
                },
                AuthArg::Headers => {
                    AuthConfig::Headers { client_id: need("client-id", client_id)? }
                }
            };
            let secret = if secret_stdin {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line).map_err(|e| {
                    CliError::Usage(format!("cannot read the secret from stdin: {e}"))
                })?;
                let value = line.trim_end_matches(['\r', '\n']).to_owned();
                if value.is_empty() {
                    return Err(CliError::Usage("the secret on stdin is empty".into()));
                }
                value
            } else {
                String::new()
            };
            // The app's own save: the client's checks (no credentials in URLs or headers,
            // https for a secret) and the secret bound to the origins it was entered for.
            let (runtime, service) = service(ctx)?;
            let saved = runtime.block_on(service.put_profile(profile.clone(), secret))?;
            if let Some(notice) = &saved.secret_notice {
                output::warn(notice);
            }
            if saved.secret_cleared {
                output::warn(&format!(
                    "profile {name} now calls another server (scheme, host or port) than its \
                     stored secret was entered for: the secret was removed; add it again with \
                     --secret-stdin"
                ));
            }
            if !saved.removed_headers.is_empty() {
                output::warn(&format!(
                    "removed headers that carried a credential: {}",
                    saved.removed_headers.join(", ")
                ));
            }
            if ctx.json {
                output::print_json(&profile)?;
            } else {
                let mut text = format!("profile {name} saved");
                let filed = secret_stdin && saved.secret_notice.is_none();
                if profile.auth.needs_secret() && !filed {
                    text.push_str(&format!(
                        "; its secret comes from the OS keychain (add it with --secret-stdin) or ${}",
                        secret::env_var_name(&name)
                    ));
                }
                output::print_text(&text)?;
            }
        }
        RemoteCommand::List => {
            let store = open_store(ctx)?;
            // Without credentials a URL of a profile saved before they were refused may hold.
            let all: std::collections::BTreeMap<_, _> =
                profiles::list(&store)?.into_iter().map(|(k, p)| (k, p.redacted())).collect();
            let active = profiles::active_name(&store)?;
            if ctx.json {
                // Each profile with its policy.
                let mut shown = serde_json::Map::new();
                for (name, p) in &all {
                    let mut value =
                        serde_json::to_value(p).map_err(|e| CliError::Output(e.to_string()))?;
                    if let serde_json::Value::Object(members) = &mut value {
                        let policy = profiles::policy(&store, Some(name))?;
                        members.insert(
                            "policy".into(),
                            serde_json::to_value(policy)
                                .map_err(|e| CliError::Output(e.to_string()))?,
                        );
                    }
                    shown.insert(name.clone(), value);
                }
                output::print_json(&json!({ "active": active, "profiles": shown }))?;
            } else if all.is_empty() {
                output::print_text("no server profiles; add one with `orderdesk remote add`")?;
            } else {
                let lines: Vec<String> = all
                    .values()
                    .map(|p| {
                        let mark =
                            if active.as_deref() == Some(p.name.as_str()) { "*" } else { " " };
                        let version = match (p.version, p.detected_version) {
                            (VersionChoice::Auto, Some(v)) => format!("auto ({v})"),
                            (choice, _) => choice.to_string(),
                        };
                        format!(
                            "{mark} {:<12} {:<10} {:<8} {}",
                            p.name,
                            version,
                            p.auth.mode(),
                            p.order_url
                        )
                    })
                    .collect();
                output::print_text(&lines.join("\n"))?;
            }
        }
        RemoteCommand::Use { name } => {
            profiles::set_active(&mut open_store(ctx)?, &name)?;
            if ctx.json {
                output::print_json(&json!({ "active": name }))?;
            } else {
                output::print_text(&format!("using profile {name}"))?;
            }
        }
        RemoteCommand::Policy { name, file } => {
            let (runtime, service) = service(ctx)?;
            if let Some(file) = file {
                let (source, value) =
                    crate::input::read_json(&file, orderdesk_service::policy::MAX_POLICY_BYTES)?;
                runtime
                    .block_on(service.set_profile_policy(name.clone(), value.to_string()))
                    .map_err(|e| CliError::input(source, e))?;
            }
            let policy = runtime.block_on(service.profile_policy(Some(name.clone())))?;
            if ctx.json {
                output::print_json(&json!({ "profile": name, "policy": policy }))?;
            } else {
                let view = orderdesk_service::policy::policy_view(&policy);
                let mut lines = vec![format!("profile {name}")];
                if view.discount_reasons.is_empty() {
                    lines.push("discounts: not governed".into());
                }
                for r in &view.discount_reasons {
                    let mut limits = Vec::new();
                    if let Some(p) = &r.max_percentage {
                        limits.push(format!("{p} %"));
                    }
                    if let (Some(a), Some(c)) = (&r.max_amount, &r.currency) {
                        limits.push(format!("{a} {c}"));
                    }
                    let limits =
                        if limits.is_empty() { "no limit".into() } else { limits.join(", ") };
                    lines.push(format!("discount {:<16} {} (up to {limits})", r.code, r.label));
                }
                if view.cancel_reasons.is_empty() {
                    lines.push("cancellation: free text".into());
                }
                for r in &view.cancel_reasons {
                    lines.push(format!("cancel   {:<16} {}", r.code, r.label));
                }
                output::print_text(&lines.join("\n"))?;
            }
        }
        RemoteCommand::Remove { name } => {
            profiles::remove(&mut open_store(ctx)?, &name)?;
            secret::forget(&name);
            if ctx.json {
                output::print_json(&json!({ "removed": name }))?;
            } else {
                output::print_text(&format!("profile {name} removed"))?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
