//! `orderdesk-server` binary: parses flags, starts the server, prints the bound address as
//! the first line of output, runs until Ctrl-C / SIGTERM.
//!
//! Authenticated modes need credentials: `--client-id`/`--client-secret` (or their
//! environment variables), or `--demo-credentials` for the well-known demo pair, which prints
//! a warning at start.

#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects, clippy::indexing_slicing))]

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use orderdesk_server::auth::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use orderdesk_server::cli::{Args, AuthKind};
use orderdesk_server::{
    generate_catalog, start, AuthMode, CatalogSource, FaultConfig, LifecycleConfig, ServerConfig,
};

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
        inventory: match args.customers {
            Some(customers) => orderdesk_server::InventorySource::Generated {
                customers,
                products: args.products.unwrap_or(customers.saturating_mul(5)),
            },
            None => orderdesk_server::InventorySource::Demo,
        },
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
