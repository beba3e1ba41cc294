//! Customer search over 100,000 cached customers: the store's
//! [`Queries::search_customers`] against the same FTS5 query on a raw rusqlite connection.
//! Budgets: at most 20 ms at the 95th percentile, and within 1.5× the raw query. After
//! criterion's own report, a summary prints the 95th percentiles, their ratio and the
//! verdicts.
//!
//! The fixture (names, phones, e-mails, billing accounts) is built once per run in a temp
//! dir, through the store's own sync write (one transaction).

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::Utc;
use criterion::{criterion_group, criterion_main, Criterion};
use orderdesk_store::*;
use rusqlite::{params, Connection};
use serde_json::json;

const CUSTOMERS: usize = 100_000;
const PROFILE: &str = "bench";
const LIMIT: u32 = 20;
const FIRST: [&str; 20] = [
    "Anna", "Ben", "Carla", "David", "Emma", "Felix", "Greta", "Hugo", "Ida", "Jonas", "Klara",
    "Leon", "Mia", "Noah", "Olga", "Paul", "Quinn", "Rosa", "Sven", "Tara",
];
const LAST: [&str; 16] = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Neumann",
    "Lovelace",
];
/// What agents type: a name, a name prefix, two words, a phone, an e-mail, an account, an id.
const QUERIES: [&str; 8] = [
    "Hoffmann",
    "schn",
    "greta wolf",
    "4917012345",
    "tara.koch19",
    "BA-0042",
    "CUST-0099",
    "Lovelace Ida",
];

/// The search statement ranking by every word (the store's one-step statement, see
/// `search::Ranking`), as a raw connection runs it.
const RAW_SQL: &str = "SELECT c.customer_id, c.name, c.status, c.phones, c.emails, c.accounts
     FROM customers_fts JOIN customers c ON c.rowid = customers_fts.rowid
     WHERE customers_fts MATCH ?1 AND c.profile = ?2
     ORDER BY bm25(customers_fts, 10.0, 5.0, 2.0, 2.0, 2.0, 2.0), c.name
     LIMIT ?3";

fn customer(i: usize) -> CachedCustomer {
    let (first, last) = (FIRST[i % FIRST.len()], LAST[(i / FIRST.len()) % LAST.len()]);
    let id = format!("CUST-{i:06}");
    CachedCustomer {
        name: format!("{first} {last}"),
        status: Some("approved".into()),
        phones: vec![format!("+49 170 {:07}", i * 37 % 10_000_000)],
        emails: vec![format!(
            "{}.{}{}@example.org",
            first.to_lowercase(),
            last.to_lowercase(),
            i % 100
        )],
        accounts: vec![format!("BA-{i:06}")],
        last_update: Some("2026-01-01T00:00:00Z".into()),
        version: None,
        body: json!({"id": id, "name": format!("{first} {last}")}),
        id,
    }
}

fn profile() -> ServerProfile {
    ServerProfile {
        name: PROFILE.into(),
        order_url: "http://127.0.0.1:1/tmf-api/productOrderingManagement/v4/".into(),
        catalog_url: None,
        customer_url: None,
        inventory_url: None,
        version: Some(Version::V4),
        detected_version: None,
        business_id: None,
        headers: Default::default(),
        auth_mode: AuthMode::None,
        auth_client_id: None,
        auth_token_url: None,
        auth_scope: None,
        timeout_ms: 1000,
        connect_timeout_ms: 1000,
        ca_cert: None,
        page_size: 100,
    }
}

fn raw_search(raw: &Connection, text: &str) -> usize {
    let Some(query) = search::fts_query(text) else { return 0 };
    let mut stmt = raw.prepare_cached(RAW_SQL).expect("prepare");
    let rows = stmt
        .query_map(params![query, PROFILE, LIMIT], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, Option<String>>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, String>(5)?,
            ))
        })
        .expect("query");
    rows.collect::<rusqlite::Result<Vec<_>>>().expect("rows").len()
}

/// The 95th percentile of `runs` rounds over every query.
fn p95<F: FnMut(&str)>(runs: usize, mut f: F) -> Duration {
    for q in QUERIES {
        f(q); // warm the page and statement caches
    }
    let mut samples = Vec::with_capacity(runs * QUERIES.len());
    for _ in 0..runs {
        for q in QUERIES {
            let started = Instant::now();
            f(q);
            samples.push(started.elapsed());
        }
    }
    samples.sort();
    samples[(samples.len() * 95 / 100).min(samples.len() - 1)]
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("orderdesk.db");
    let mut store = Store::open(&path).expect("open");
    store.save_profile(&profile()).expect("profile");
    let started = Instant::now();
    let all: Vec<CachedCustomer> = (0..CUSTOMERS).map(customer).collect();
    let count =
        store.save_customers(PROFILE, &all, CustomerPull::Full, None, Utc::now()).expect("fixture");
    assert_eq!(count.cached, CUSTOMERS);
    eprintln!("fixture: {CUSTOMERS} customers in {:.1?}", started.elapsed());
    let raw = Connection::open(&path).expect("raw connection");
    for q in QUERIES {
        let hits = store.search_customers(PROFILE, q, LIMIT).expect("search");
        assert!(!hits.is_empty(), "{q:?} must find someone");
        assert_eq!(hits.len(), raw_search(&raw, q), "{q:?}: store and raw agree");
    }

    let mut group = c.benchmark_group("customer_search");
    let mut k = 0usize;
    group.bench_function("store", |b| {
        b.iter(|| {
            k = (k + 1) % QUERIES.len();
            black_box(store.search_customers(PROFILE, QUERIES[k], LIMIT).expect("search"))
        })
    });
    group.bench_function("raw_rusqlite", |b| {
        b.iter(|| {
            k = (k + 1) % QUERIES.len();
            black_box(raw_search(&raw, QUERIES[k]))
        })
    });
    group.finish();

    let store_p95 = p95(100, |q| {
        black_box(store.search_customers(PROFILE, q, LIMIT).expect("search"));
    });
    let raw_p95 = p95(100, |q| {
        black_box(raw_search(&raw, q));
    });
    let ratio = store_p95.as_secs_f64() / raw_p95.as_secs_f64().max(f64::MIN_POSITIVE);
    let budget = Duration::from_millis(20);
    println!(
        "\ncustomer search over {CUSTOMERS} cached customers ({} queries × 100 rounds)",
        QUERIES.len()
    );
    println!(
        "  p95 store         {store_p95:>10.3?}  budget {budget:.0?}: {}",
        if store_p95 <= budget { "within budget" } else { "OVER BUDGET" }
    );
    println!("  p95 raw rusqlite  {raw_p95:>10.3?}");
    println!(
        "  ratio store/raw   {ratio:>10.2}  budget 1.50: {}",
        if ratio <= 1.5 { "within budget" } else { "OVER BUDGET" }
    );
}

criterion_group!(customer_benches, benches);
criterion_main!(customer_benches);
