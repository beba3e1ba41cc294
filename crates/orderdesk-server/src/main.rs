//! `orderdesk-server` binary: parses flags, starts the server, prints the bound address as
//! the first line of output, runs until Ctrl-C / SIGTERM.
//!
//! Authenticated modes need credentials: `--client-id`/`--client-secret` (or their
//! environment variables), or `--demo-credentials` for the well-known demo pair, which prints
//! a warning at start.

#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects, clippy::indexing_slicing))]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use orderdesk_server::auth::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use orderdesk_server::{
    generate_catalog, start, AuthMode, CatalogSource, FaultConfig, LifecycleConfig, ServerConfig,
};

#[derive(Debug, Clone, Copy, ValueEnum)]
enum AuthKind {
    /// No authentication.
    None,
    /// OAuth2 client credentials (POST /oauth/token) and Bearer tokens.
    Oauth2,
    /// `client_id`/`client_secret` headers with an `X-Correlation-ID`.
    ClientHeaders,
}

/// Reference TMF622 (v4 + v5) and TMF620 server.
#[derive(Debug, Parser)]
#[command(name = "orderdesk-server", version)]
struct Args {
    /// Address to bind (port 0 picks a free one). Loopback unless told otherwise.
    #[arg(long, default_value = "127.0.0.1:8622")]
    addr: SocketAddr,
    /// SQLite file for orders; without it, data is kept in memory.
    #[arg(long)]
    db: Option<PathBuf>,
    /// TMF620 catalog snapshot; without it, the embedded demo catalog is served.
    #[arg(long)]
    catalog: Option<PathBuf>,
    /// Print a generated catalog snapshot with N offerings to stdout and exit.
    #[arg(long, value_name = "N")]
    generate_catalog: Option<usize>,
    /// Base URL used in hrefs (default: http://<bound address>).
    #[arg(long)]
    public_base: Option<String>,
    /// How long an order stays acknowledged, in ms.
    #[arg(long, default_value_t = 2000)]
    acknowledged_ms: u64,
    /// How long an order stays inProgress, in ms.
    #[arg(long, default_value_t = 5000)]
    in_progress_ms: u64,
    /// Duration of each cancellation step, in ms.
    #[arg(long, default_value_t = 1000)]
    cancel_step_ms: u64,
    /// Characteristic value that makes its order item fail.
    #[arg(long, default_value = "FAIL")]
    fail_value: String,
    /// Authentication mode.
    #[arg(long, value_enum, default_value_t = AuthKind::None)]
    auth: AuthKind,
    /// Accepted client id (oauth2, client-headers).
    #[arg(long, env = "ORDERDESK_CLIENT_ID", hide_env_values = true)]
    client_id: Option<String>,
    /// Accepted client secret (oauth2, client-headers).
    #[arg(long, env = "ORDERDESK_CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    /// Accept the well-known demo credentials (`orderdesk` / `orderdesk-secret`) when no
    /// --client-id/--client-secret are given. For trying the server out only.
    #[arg(long)]
    demo_credentials: bool,
    /// Let hub listeners have loopback and private callback addresses (link-local and
    /// cloud-metadata addresses stay refused).
    #[arg(long)]
    allow_private_callbacks: bool,
    /// Added latency per request, in ms.
    #[arg(long, default_value_t = 0)]
    fault_latency_ms: u64,
    /// Share of requests answered 429/500/503 with Retry-After.
    #[arg(long, default_value_t = 0.0)]
    fault_error_rate: f64,
    /// Share of POSTs committed, then dropped without an answer.
    #[arg(long, default_value_t = 0.0)]
    fault_drop_after_commit: f64,
    /// Share of answers whose body is not JSON.
    #[arg(long, default_value_t = 0.0)]
    fault_malformed_rate: f64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(n) = args.generate_catalog {
        println!("{}", generate_catalog(n));
        return ExitCode::SUCCESS;
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("orderdesk-server: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(args))
}

/// The credentials an authenticated mode accepts: given, or the demo pair when asked for.
fn credentials(args: &Args) -> Result<(String, String), String> {
    match (&args.client_id, &args.client_secret) {
        (Some(id), Some(secret)) if !id.is_empty() && !secret.is_empty() => {
            Ok((id.clone(), secret.clone()))
        }
        (None, None) if args.demo_credentials => {
            eprintln!(
                "orderdesk-server: warning: accepting the demo credentials \
                 {DEMO_CLIENT_ID}/{DEMO_CLIENT_SECRET}, which anyone can know; use \
                 --client-id and --client-secret for anything but a demo"
            );
            Ok((DEMO_CLIENT_ID.to_owned(), DEMO_CLIENT_SECRET.to_owned()))
        }
        _ => Err("--auth oauth2 and --auth client-headers need --client-id and --client-secret \
                  (or ORDERDESK_CLIENT_ID and ORDERDESK_CLIENT_SECRET), both non-empty; \
                  --demo-credentials accepts the well-known demo pair instead"
            .to_owned()),
    }
}

async fn run(args: Args) -> ExitCode {
    let auth = match args.auth {
        AuthKind::None => Ok(AuthMode::None),
        AuthKind::Oauth2 => credentials(&args)
            .map(|(client_id, client_secret)| AuthMode::OAuth2 { client_id, client_secret }),
        AuthKind::ClientHeaders => credentials(&args)
            .map(|(client_id, client_secret)| AuthMode::ClientHeaders { client_id, client_secret }),
    };
    let auth = match auth {
        Ok(a) => a,
        Err(e) => {
            eprintln!("orderdesk-server: {e}");
            return ExitCode::from(2);
        }
    };
    let config = ServerConfig {
        addr: args.addr,
        db: args.db,
        catalog: args.catalog.map_or(CatalogSource::Demo, CatalogSource::File),
        lifecycle: LifecycleConfig {
            acknowledged_for: Duration::from_millis(args.acknowledged_ms),
            in_progress_for: Duration::from_millis(args.in_progress_ms),
            cancel_step: Duration::from_millis(args.cancel_step_ms),
            fail_value: args.fail_value,
        },
        auth,
        faults: FaultConfig {
            latency: Duration::from_millis(args.fault_latency_ms),
            error_rate: args.fault_error_rate,
            drop_after_commit: args.fault_drop_after_commit,
            malformed_rate: args.fault_malformed_rate,
        },
        public_base: args.public_base,
        allow_private_callbacks: args.allow_private_callbacks,
        ..ServerConfig::default()
    };
    let server = match start(config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("orderdesk-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("{}", server.addr());
    let handle = server.shutdown_handle();
    tokio::spawn(async move {
        wait_for_signal().await;
        let _ = handle.send(true);
    });
    server.wait().await;
    ExitCode::SUCCESS
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
