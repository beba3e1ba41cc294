//! Memory under endless idempotency keys: 100,000 POSTs, each with a new `Idempotency-Key`
//! (each order deleted again, so only the idempotency store could grow), against the server
//! in a process of its own. Prints the server's resident memory at the start (after a
//! warm-up), once the idempotency store is full, and at the end, with the ratios. Linux only
//! (reads `/proc/<pid>/status`).
//!
//! `cargo run -p orderdesk-server --example memory -- --requests 100000 --clients 8`
//! (add `--release` for speed; the figures hold in both).

use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use orderdesk_server::limits::IDEMPOTENCY_CAPACITY;
use orderdesk_server::{start, LifecycleConfig, ServerConfig};
use serde_json::{json, Value};
use tokio::io::AsyncBufReadExt;

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

struct Args {
    requests: usize,
    clients: usize,
    serve: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args { requests: 100_000, clients: 8, serve: false };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--requests" => args.requests = value()?.parse().map_err(|e| format!("{a}: {e}"))?,
            "--clients" => args.clients = value()?.parse().map_err(|e| format!("{a}: {e}"))?,
            "--serve" => args.serve = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

/// The child: a server with orders that finish at once, printing its address.
async fn serve() -> Res<()> {
    let quick = Duration::from_millis(1);
    let server = start(ServerConfig {
        lifecycle: LifecycleConfig {
            acknowledged_for: quick,
            in_progress_for: quick,
            cancel_step: quick,
            fail_value: "FAIL".into(),
        },
        ..ServerConfig::default()
    })
    .await?;
    println!("{}", server.addr());
    server.wait().await;
    Ok(())
}

/// Resident memory of `pid`, in KiB.
fn rss_kib(pid: u32) -> Res<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).ok_or("no VmRSS")?;
    Ok(line.split_whitespace().nth(1).ok_or("no value")?.parse()?)
}

fn order() -> Value {
    json!({"productOrderItem": [{"id": "1", "action": "add", "productOffering": {"id": "14305"},
        "product": {"productCharacteristic": [{"name": "TEL_MSISDN", "value": "415 279 7439"}]}}]})
}

/// Sends requests `from..to`: each a POST with its own key, then a DELETE of the order made.
async fn send(base: &str, from: usize, to: usize, clients: usize) -> Res<()> {
    let next = Arc::new(AtomicUsize::new(from));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..clients {
        let next = Arc::clone(&next);
        let base = base.to_owned();
        tasks.spawn(async move {
            let http = reqwest::Client::new();
            let body = order();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= to {
                    return Res::Ok(());
                }
                let r = http
                    .post(format!("{base}productOrder"))
                    .header("idempotency-key", format!("memory-{i:08}"))
                    .json(&body)
                    .send()
                    .await?;
                if r.status() != reqwest::StatusCode::CREATED {
                    return Err(format!("request {i}: {}", r.status()).into());
                }
                let created: Value = r.json().await?;
                let id = created["id"].as_str().ok_or("no id")?;
                http.delete(format!("{base}productOrder/{id}")).send().await?;
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    Ok(())
}

async fn measure(args: &Args) -> Res<()> {
    let exe = std::env::current_exe()?;
    let mut child = tokio::process::Command::new(exe)
        .arg("--serve")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let pid = child.id().ok_or("no pid")?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let addr = tokio::io::BufReader::new(stdout).lines().next_line().await?.ok_or("no address")?;
    let base = format!("http://{addr}/tmf-api/productOrderingManagement/v4/");

    let warm_up = 1_000.min(args.requests);
    let full = IDEMPOTENCY_CAPACITY.saturating_add(warm_up).min(args.requests);
    let started = Instant::now();
    send(&base, 0, warm_up, args.clients).await?;
    let at_start = rss_kib(pid)?;
    send(&base, warm_up, full, args.clients).await?;
    let at_full = rss_kib(pid)?;
    send(&base, full, args.requests, args.clients).await?;
    let at_end = rss_kib(pid)?;
    let secs = started.elapsed().as_secs_f64();
    let ratio = |a: u64, b: u64| a as f64 / b.max(1) as f64;
    println!(
        "requests with unique idempotency keys: {} ({:.0}/s)",
        args.requests,
        args.requests as f64 / secs
    );
    println!("server RSS after {warm_up} requests: {at_start} KiB");
    println!("server RSS after {full} requests (idempotency store full at {IDEMPOTENCY_CAPACITY}): {at_full} KiB");
    println!("server RSS after {} requests: {at_end} KiB", args.requests);
    println!("ratio end/start: {:.2}", ratio(at_end, at_start));
    println!("ratio end/store-full: {:.2}", ratio(at_end, at_full));
    child.kill().await?;
    Ok(())
}

fn main() -> std::process::ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("memory: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("memory: no runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let run = if args.serve { runtime.block_on(serve()) } else { runtime.block_on(measure(&args)) };
    match run {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("memory: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
