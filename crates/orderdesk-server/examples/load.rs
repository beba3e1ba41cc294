//! Bounded loopback load test: N concurrent clients create an order and read it back, for a
//! fixed time, against an in-process server (or `--url` of a running one). Prints
//! requests/s and latency percentiles; exits non-zero if any request failed.
//!
//! `cargo run --release -p orderdesk-server --example load -- --clients 50 --seconds 20`

use std::time::{Duration, Instant};

use orderdesk_server::{start, ServerConfig};
use serde_json::{json, Value};

struct Args {
    clients: usize,
    seconds: u64,
    url: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args { clients: 50, seconds: 20, url: None };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--clients" => {
                args.clients = value()?.parse().map_err(|e| format!("--clients: {e}"))?
            }
            "--seconds" => {
                args.seconds = value()?.parse().map_err(|e| format!("--seconds: {e}"))?
            }
            "--url" => args.url = Some(value()?),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

fn order() -> Value {
    json!({"relatedParty": [{"id": "456-dd-df45", "@referredType": "Individual"}],
        "productOrderItem": [
        {"id": "100", "action": "add", "productOffering": {"id": "14277"},
         "productOrderItemRelationship": [{"id": "110", "relationshipType": "bundles"},
            {"id": "120", "relationshipType": "bundles"}, {"id": "130", "relationshipType": "bundles"}]},
        {"id": "110", "action": "add", "productOffering": {"id": "14305"},
         "product": {"productCharacteristic": [{"name": "TEL_MSISDN", "value": "415 279 7439"}]}},
        {"id": "120", "action": "add", "productOffering": {"id": "14344"}},
        {"id": "130", "action": "add", "productOffering": {"id": "14354"},
         "product": {"productCharacteristic": [{"name": "CoverageOptions", "value": "National"}]}}]})
}

#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    errors: Vec<String>,
}

async fn client(base: String, until: Instant) -> Tally {
    let mut t = Tally::default();
    let http = reqwest::Client::new();
    let body = order();
    while Instant::now() < until {
        let start = Instant::now();
        let created = http.post(format!("{base}productOrder")).json(&body).send().await;
        let id = match created {
            Ok(r) if r.status().as_u16() == 201 => match r.json::<Value>().await {
                Ok(v) => v["id"].as_str().map(str::to_owned),
                Err(e) => {
                    t.errors.push(format!("create body: {e}"));
                    None
                }
            },
            Ok(r) => {
                t.errors.push(format!("create status {}", r.status()));
                None
            }
            Err(e) => {
                t.errors.push(format!("create: {e}"));
                None
            }
        };
        t.latencies.push(start.elapsed());
        let Some(id) = id else { continue };
        let start = Instant::now();
        match http.get(format!("{base}productOrder/{id}")).send().await {
            Ok(r) if r.status().is_success() => {
                if let Err(e) = r.bytes().await {
                    t.errors.push(format!("read body: {e}"));
                }
            }
            Ok(r) => t.errors.push(format!("read status {}", r.status())),
            Err(e) => t.errors.push(format!("read: {e}")),
        }
        t.latencies.push(start.elapsed());
    }
    t
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (p / 100.0 * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("load: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let (server, base) = match args.url {
        Some(u) => (None, u),
        None => match start(ServerConfig::default()).await {
            Ok(s) => {
                let b = s.base_url_v4();
                (Some(s), b)
            }
            Err(e) => {
                eprintln!("load: cannot start the server: {e}");
                return std::process::ExitCode::FAILURE;
            }
        },
    };
    let started = Instant::now();
    let until = started + Duration::from_secs(args.seconds);
    let tasks: Vec<_> =
        (0..args.clients).map(|_| tokio::spawn(client(base.clone(), until))).collect();
    let mut all = Tally::default();
    for t in tasks {
        match t.await {
            Ok(t) => {
                all.latencies.extend(t.latencies);
                all.errors.extend(t.errors);
            }
            Err(e) => all.errors.push(format!("client task: {e}")),
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.latencies.sort_unstable();
    let n = all.latencies.len();
    println!(
        "load: {} clients, {:.1} s, {n} requests, {:.0} requests/s, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, {} errors",
        args.clients,
        elapsed,
        n as f64 / elapsed,
        percentile(&all.latencies, 50.0).as_secs_f64() * 1e3,
        percentile(&all.latencies, 99.0).as_secs_f64() * 1e3,
        all.latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        all.errors.len()
    );
    for e in all.errors.iter().take(5) {
        eprintln!("load: error: {e}");
    }
    if let Some(s) = server {
        s.shutdown().await;
    }
    if all.errors.is_empty() && n > 0 {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
