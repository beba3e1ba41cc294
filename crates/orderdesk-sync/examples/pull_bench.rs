//! Pull 10,000 orders from the local reference server into the cache and compare with a
//! plain HTTP fetch of the same pages that stores nothing.
//!
//! ```sh
//! cargo run --release -p orderdesk-sync --example pull_bench -- [ORDERS] [PAGE_SIZE]
//! ```
//!
//! Prints the time of each and the ratio (target: at most 1.5x).

use std::sync::Arc;
use std::time::{Duration, Instant};

use orderdesk_client::{Client, Profile};
use orderdesk_server::{start, LifecycleConfig, ServerConfig};
use orderdesk_store::{Queries, Store, StoreHandle};
use orderdesk_sync::{profiles, EngineConfig, SyncEngine};
use serde_json::json;
use tokio::task::JoinSet;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn order(n: usize) -> serde_json::Value {
    json!({"externalId": format!("bench-{n}"),
        "relatedParty": [{"id": format!("cust-{}", n % 97), "name": format!("Customer {}", n % 97),
            "role": "Customer", "@referredType": "Individual"}],
        "productOrderItem": [{"id": "1", "action": "add", "quantity": 1,
        "productOffering": {"id": "14305", "name": "Mobile Telephony"},
        "product": {"productCharacteristic": [{"name": "TEL_MSISDN", "value": format!("49151{n:07}")}]}}]})
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let page_size: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(500);
    let lifecycle = LifecycleConfig {
        acknowledged_for: Duration::from_secs(3600),
        in_progress_for: Duration::from_secs(3600),
        ..LifecycleConfig::default()
    };
    let server = start(ServerConfig { lifecycle, ..ServerConfig::default() }).await?;
    let url = server.base_url_v4();

    let seeding = Instant::now();
    let seeder = Arc::new(Client::new(Profile::new("seed", url.clone()), None)?);
    let mut tasks = JoinSet::new();
    for worker in 0..8 {
        let client = Arc::clone(&seeder);
        tasks.spawn(async move {
            for n in (worker..count).step_by(8) {
                client.create_order(&order(n), None).await?;
            }
            Ok::<(), orderdesk_client::ClientError>(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    println!("seeded {count} orders in {:.2?}", seeding.elapsed());

    // Plain fetch: the same pages, bytes only.
    let http = reqwest::Client::new();
    let started = Instant::now();
    let mut offset = 0usize;
    let mut bytes = 0usize;
    loop {
        let page = http
            .get(format!("{url}productOrder?offset={offset}&limit={page_size}"))
            .send()
            .await?
            .bytes()
            .await?;
        if page.len() <= 2 {
            break;
        }
        bytes += page.len();
        offset += page_size as usize;
    }
    let plain = started.elapsed();
    println!("plain HTTP fetch: {plain:.2?} ({} MB)", bytes / 1_000_000);

    let dir = tempfile::tempdir()?;
    let mut store = Store::open(dir.path().join("bench.db"))?;
    let mut profile = Profile::new("bench", url);
    profile.page_size = page_size;
    profiles::save(&mut store, &profile)?;
    let handle = StoreHandle::spawn(store)?;
    let engine = SyncEngine::with_secrets(
        handle.clone(),
        EngineConfig::default(),
        Arc::new(|_: &Profile| Ok(None)),
    );
    let started = Instant::now();
    let pulled = engine.pull_orders("bench", &[]).await?;
    let cached = started.elapsed();
    let rows = handle.write(|s| s.counts()).await?;
    println!(
        "pull into the cache: {cached:.2?} ({} orders, {} pages; cache counts {rows:?})",
        pulled.orders, pulled.pages
    );
    println!(
        "ratio cache/plain: {:.2}x (target <= 1.5x)",
        cached.as_secs_f64() / plain.as_secs_f64()
    );
    server.shutdown().await;
    Ok(())
}
