//! The `orderdesk-server` command line: its flags, here in the library so that
//! `orderdesk-dist` can generate the man page and shell completions from them.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{CommandFactory, Parser, ValueEnum};

/// How clients authenticate.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AuthKind {
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
pub struct Args {
    /// Address to bind (port 0 picks a free one). Loopback unless told otherwise.
    #[arg(long, default_value = "127.0.0.1:8622")]
    pub addr: SocketAddr,
    /// SQLite file for orders; without it, data is kept in memory.
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// TMF620 catalog snapshot; without it, the embedded demo catalog is served.
    #[arg(long)]
    pub catalog: Option<PathBuf>,
    /// Print a generated catalog snapshot with N offerings to stdout and exit.
    #[arg(long, value_name = "N")]
    pub generate_catalog: Option<usize>,
    /// Serve this many generated customers (TMF629) instead of the demo set.
    #[arg(long, value_name = "N")]
    pub customers: Option<usize>,
    /// With --customers: about this many installed products (TMF637), spread over them.
    #[arg(long, value_name = "N", requires = "customers")]
    pub products: Option<usize>,
    /// Base URL used in hrefs (default: http://<bound address>).
    #[arg(long)]
    pub public_base: Option<String>,
    /// How long an order stays acknowledged, in ms.
    #[arg(long, default_value_t = 2000)]
    pub acknowledged_ms: u64,
    /// How long an order stays inProgress, in ms.
    #[arg(long, default_value_t = 5000)]
    pub in_progress_ms: u64,
    /// Duration of each cancellation step, in ms.
    #[arg(long, default_value_t = 1000)]
    pub cancel_step_ms: u64,
    /// Characteristic value that makes its order item fail.
    #[arg(long, default_value = "FAIL")]
    pub fail_value: String,
    /// Authentication mode.
    #[arg(long, value_enum, default_value_t = AuthKind::None)]
    pub auth: AuthKind,
    /// Accepted client id (oauth2, client-headers).
    #[arg(long, env = "ORDERDESK_CLIENT_ID", hide_env_values = true)]
    pub client_id: Option<String>,
    /// Accepted client secret (oauth2, client-headers).
    #[arg(long, env = "ORDERDESK_CLIENT_SECRET", hide_env_values = true)]
    pub client_secret: Option<String>,
    /// Accept the well-known demo credentials (`orderdesk` / `orderdesk-secret`) when no
    /// --client-id/--client-secret are given. For trying the server out only.
    #[arg(long)]
    pub demo_credentials: bool,
    /// Let hub listeners have loopback and private callback addresses (link-local and
    /// cloud-metadata addresses stay refused).
    #[arg(long)]
    pub allow_private_callbacks: bool,
    /// Added latency per request, in ms.
    #[arg(long, default_value_t = 0)]
    pub fault_latency_ms: u64,
    /// Share of requests answered 429/500/503 with Retry-After.
    #[arg(long, default_value_t = 0.0)]
    pub fault_error_rate: f64,
    /// Share of POSTs committed, then dropped without an answer.
    #[arg(long, default_value_t = 0.0)]
    pub fault_drop_after_commit: f64,
    /// Share of answers whose body is not JSON.
    #[arg(long, default_value_t = 0.0)]
    pub fault_malformed_rate: f64,
}

/// The command line's definition (for man pages and completions).
pub fn command() -> clap::Command {
    Args::command()
}
