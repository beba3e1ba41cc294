//! Hub delivery with listeners that never answer: how long one good listener takes to get
//! each event, first alone (the baseline) and then with 1,000 listeners registered that
//! accept the connection and never answer. The server runs in a process of its own; the
//! listeners run here. Prints each event's delay (from the event's `eventTime` to its
//! arrival) and the medians and maxima of both runs with their ratio.
//!
//! `cargo run -p orderdesk-server --example hub_latency -- --silent 1000 --orders 10`

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use orderdesk_server::{start, LifecycleConfig, ServerConfig};
use serde_json::{json, Value};
use tokio::io::AsyncBufReadExt;
use tokio::sync::mpsc;

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

struct Args {
    silent: usize,
    orders: usize,
    serve: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args { silent: 1_000, orders: 10, serve: false };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--silent" => args.silent = value()?.parse().map_err(|e| format!("{a}: {e}"))?,
            "--orders" => args.orders = value()?.parse().map_err(|e| format!("{a}: {e}"))?,
            "--serve" => args.serve = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

/// The child: a server whose hub may call listeners on 127.0.0.1, default hub limits.
async fn serve() -> Res<()> {
    let step = Duration::from_millis(100);
    let server = start(ServerConfig {
        lifecycle: LifecycleConfig {
            acknowledged_for: step,
            in_progress_for: step,
            cancel_step: step,
            fail_value: "FAIL".into(),
        },
        allow_private_callbacks: true,
        ..ServerConfig::default()
    })
    .await?;
    println!("{}", server.addr());
    server.wait().await;
    Ok(())
}

/// The good listener: every event with its delay, in milliseconds.
async fn good_listener() -> Res<(String, mpsc::UnboundedReceiver<(Value, i64)>)> {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/good",
        axum::routing::post(move |axum::Json(event): axum::Json<Value>| {
            let tx = tx.clone();
            async move {
                let arrived = Utc::now();
                let sent = event["eventTime"]
                    .as_str()
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.with_timezone(&Utc));
                let delay = sent.map_or(-1, |s| (arrived - s).num_milliseconds());
                let _ = tx.send((event, delay));
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/good", l.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(l, app).await;
    });
    Ok((url, rx))
}

/// A listener that accepts connections and never answers; returns its URL.
async fn silent_listener() -> Res<String> {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/silent", l.local_addr()?);
    let held = Arc::new(Mutex::new(Vec::new()));
    tokio::spawn(async move {
        while let Ok((socket, _)) = l.accept().await {
            if let Ok(mut g) = held.lock() {
                g.push(socket);
            }
        }
    });
    Ok(url)
}

fn order() -> Value {
    json!({"productOrderItem": [{"id": "1", "action": "add", "productOffering": {"id": "14305"},
        "product": {"productCharacteristic": [{"name": "TEL_MSISDN", "value": "415 279 7439"}]}}]})
}

/// Creates `n` orders one after the other, each once the previous one completed; returns
/// every event's delay.
async fn run(
    http: &reqwest::Client,
    base: &str,
    events: &mut mpsc::UnboundedReceiver<(Value, i64)>,
    n: usize,
    label: &str,
) -> Res<Vec<i64>> {
    let mut delays = Vec::new();
    for _ in 0..n {
        let r = http.post(format!("{base}productOrder")).json(&order()).send().await?;
        let created: Value = r.json().await?;
        let id = created["id"].as_str().ok_or("no id")?.to_owned();
        loop {
            let (event, delay) = tokio::time::timeout(Duration::from_secs(120), events.recv())
                .await?
                .ok_or("listener gone")?;
            let order = &event["event"]["productOrder"];
            println!(
                "{label}: {} {} after {delay} ms",
                event["eventType"].as_str().unwrap_or("?"),
                order["state"].as_str().unwrap_or("?")
            );
            delays.push(delay);
            if order["id"] == id.as_str() && order["state"] == "completed" {
                break;
            }
        }
    }
    Ok(delays)
}

fn median_and_max(v: &mut [i64]) -> (i64, i64) {
    v.sort_unstable();
    let median = v.get(v.len() / 2).copied().unwrap_or(0);
    (median, v.last().copied().unwrap_or(0))
}

async fn measure(args: &Args) -> Res<()> {
    let mut child = tokio::process::Command::new(std::env::current_exe()?)
        .arg("--serve")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let addr = tokio::io::BufReader::new(stdout).lines().next_line().await?.ok_or("no address")?;
    let base = format!("http://{addr}/tmf-api/productOrderingManagement/v4/");
    let http = reqwest::Client::new();
    let (good, mut events) = good_listener().await?;
    let register = |callback: String| {
        http.post(format!("{base}hub")).json(&json!({"callback": callback})).send()
    };
    if !register(good).await?.status().is_success() {
        return Err("the good listener was refused".into());
    }
    let mut alone = run(&http, &base, &mut events, args.orders, "alone").await?;
    let silent = silent_listener().await?;
    for _ in 0..args.silent {
        if !register(silent.clone()).await?.status().is_success() {
            return Err("a silent listener was refused".into());
        }
    }
    let label = format!("with {} silent", args.silent);
    let mut crowded = run(&http, &base, &mut events, args.orders, &label).await?;
    let (a_med, a_max) = median_and_max(&mut alone);
    let (c_med, c_max) = median_and_max(&mut crowded);
    println!("good listener alone: median {a_med} ms, max {a_max} ms ({} events)", alone.len());
    println!(
        "good listener with {} listeners that never answer: median {c_med} ms, max {c_max} ms ({} events)",
        args.silent,
        crowded.len()
    );
    println!(
        "ratio of medians: {:.2}; ratio of maxima: {:.2}",
        c_med as f64 / a_med.max(1) as f64,
        c_max as f64 / a_max.max(1) as f64
    );
    child.kill().await?;
    Ok(())
}

fn main() -> std::process::ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("hub_latency: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("hub_latency: no runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let run = if args.serve { runtime.block_on(serve()) } else { runtime.block_on(measure(&args)) };
    match run {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hub_latency: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
