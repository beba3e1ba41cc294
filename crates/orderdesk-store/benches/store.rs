//! Store benchmarks on a realistic cache: 100,000 orders and 10,000 catalog offerings.
//!
//! Each operation is measured through the store's API and, beside it, as the same query on a
//! raw rusqlite connection (the floor the store's mapping and checks add to). Budgets: first
//! page of the order list (50 rows, filtered and sorted) ≤ 10 ms, full-text search ≤ 20 ms,
//! opening an order ≤ 2 ms, saving a draft change durably ≤ 5 ms. After criterion's own
//! report, a summary table prints medians against the budgets.
//!
//! The fixture is built once per run in a temp dir, in one transaction per table.

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{Duration as Span, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use orderdesk_store::*;
use rusqlite::Connection;
use serde_json::json;

const ORDERS: usize = 100_000;
const OFFERINGS: usize = 10_000;
const STATES: [&str; 6] =
    ["acknowledged", "inProgress", "completed", "failed", "cancelled", "held"];
const COLOURS: [&str; 3] = ["black", "white", "silver"];
const FAMILIES: [&str; 4] = ["Fibre", "Mobile", "TV", "Bundle"];
const SEGMENTS: [&str; 2] = ["home", "business"];
const FIRST: [&str; 20] = [
    "Anna", "Ben", "Carla", "David", "Emma", "Felix", "Greta", "Hugo", "Ida", "Jonas", "Klara",
    "Leon", "Mia", "Noah", "Olga", "Paul", "Quinn", "Rosa", "Sven", "Tara",
];
const LAST: [&str; 25] = [
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
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Hartmann",
    "Lange",
    "Krüger",
    "Werner",
    "Lehmann",
    "Köhler",
    "Walter",
];

struct Fixture {
    _dir: tempfile::TempDir,
    store: Store,
    raw: Connection,
    order_ids: Vec<i64>,
    draft_id: String,
    draft_body: String,
}

fn order_payload(i: usize, customer: &str) -> String {
    json!({
        "id": format!("ORD-{i:07}"),
        "@type": "ProductOrder",
        "externalId": format!("CRM-{}", i * 7 + 3),
        "note": [{"text": format!("contact {customer} before installation, ticket T{}", i % 9973)}],
        "relatedParty": [{"id": format!("cust-{}", i % 5000), "name": customer, "role": "Customer"}],
        "orderTotalPrice": [{"priceType": "recurring",
                             "price": {"taxIncludedAmount": {"unit": "EUR", "value": format!("{}.{:02}", 10 + i % 90, i % 100)}}}],
        "productOrderItem": [
            {"id": "1", "action": "add", "quantity": 1,
             "productOffering": {"id": format!("po-{}", i % OFFERINGS), "name": format!("Offer {}", i % OFFERINGS)},
             "product": {"productCharacteristic": [
                 {"name": "bandwidth", "value": format!("{}M", 100 * (1 + i % 10))},
                 {"name": "colour", "value": COLOURS[i % 3]}]}},
            {"id": "2", "action": "add", "quantity": 1,
             "productOffering": {"id": "po-router", "name": "Router"}}
        ]
    })
    .to_string()
}

fn build_fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bench.db");
    let mut store = Store::open(&path).expect("open");
    let started = Instant::now();
    let epoch = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().expect("epoch");
    let batch: Vec<OrderSeen> = (0..ORDERS)
        .map(|i| {
            let customer =
                format!("{} {}", FIRST[i % FIRST.len()], LAST[(i / FIRST.len()) % LAST.len()]);
            OrderSeen {
                profile: "prod".into(),
                server_id: format!("ORD-{i:07}"),
                href: Some(format!("https://tmf.example.invalid/productOrder/ORD-{i:07}")),
                state: STATES[i % STATES.len()].into(),
                item_states: json!({"1": "completed", "2": STATES[i % STATES.len()]}),
                tmf_version: Version::V4,
                payload: order_payload(i, &customer),
                draft_id: None,
                // Spread over ~300 days, not in insertion order.
                seen_at: epoch + Span::seconds(((i * 7919) % ORDERS) as i64 * 263),
                actor: "sync".into(),
            }
        })
        .collect();
    let order_ids = store.record_orders(batch).expect("orders");
    let items = (0..OFFERINGS)
        .map(|i| CatalogItemInput {
            kind: CatalogKind::Offering,
            body: json!({"id": format!("po-{i}"), "name": format!("Offer {i} {}", FAMILIES[i % 4]),
                         "description": format!("{} plan tier {}", SEGMENTS[i % 2], i % 37),
                         "lifecycleStatus": "Launched", "version": "1.0"}),
        })
        .collect();
    store
        .import_catalog(CatalogImport {
            version: "bench-1".into(),
            fetched_at: Utc::now(),
            source: "bench".into(),
            items,
            replace: true,
        })
        .expect("catalog");
    let draft_body = order_payload(42, "Draft Customer");
    let draft = store
        .create_draft(NewDraft {
            body: draft_body.clone(),
            tmf_version: Version::V4,
            catalog_version: Some("bench-1".into()),
            actor: "bench".into(),
            summary: None,
        })
        .expect("draft");
    eprintln!(
        "fixture: {ORDERS} orders, {OFFERINGS} offerings built in {:.1?} ({} MB)",
        started.elapsed(),
        std::fs::metadata(&path).map(|m| m.len() / 1_000_000).unwrap_or(0)
            + std::fs::metadata(dir.path().join("bench.db-wal"))
                .map(|m| m.len() / 1_000_000)
                .unwrap_or(0)
    );
    let raw = Connection::open(&path).expect("raw open");
    raw.pragma_update(None, "synchronous", "FULL").expect("sync");
    // The orders list's triggers call the store's SQL functions on every draft write.
    register_sql_functions(&raw).expect("functions");
    Fixture { _dir: dir, store, raw, order_ids, draft_id: draft.id, draft_body }
}

fn list_filter() -> OrderFilter {
    OrderFilter {
        state: Some("inProgress".into()),
        sort: OrderSort::LastSeenDesc,
        limit: 50,
        ..OrderFilter::default()
    }
}

const SEARCH_TEXT: &str = "Greta Köhler";

fn raw_list(raw: &Connection) -> usize {
    let mut stmt = raw
        .prepare_cached(
            "SELECT id, server_id, state, customer, total, currency, last_seen FROM orders
             WHERE state = ?1 ORDER BY last_seen DESC, id DESC LIMIT 50",
        )
        .expect("prepare");
    let rows = stmt
        .query_map(["inProgress"], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, Option<String>>(3)?,
                row.get::<_, Option<String>>(4)?,
                row.get::<_, Option<String>>(5)?,
                row.get::<_, String>(6)?,
            ))
        })
        .expect("query")
        .collect::<rusqlite::Result<Vec<_>>>()
        .expect("rows");
    rows.len()
}

fn raw_search(raw: &Connection) -> usize {
    let mut stmt = raw
        .prepare_cached(
            "SELECT d.kind, d.ref, search_fts.title FROM search_fts
             JOIN search_docs d ON d.rowid = search_fts.rowid
             WHERE search_fts MATCH ?1 ORDER BY bm25(search_fts, 10.0, 1.0) LIMIT 20",
        )
        .expect("prepare");
    let rows = stmt
        .query_map(["\"Greta\" \"Köhler\"*"], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?))
        })
        .expect("query")
        .collect::<rusqlite::Result<Vec<_>>>()
        .expect("rows");
    rows.len()
}

fn raw_open(raw: &Connection, id: i64) -> usize {
    let mut stmt = raw
        .prepare_cached("SELECT server_id, state, item_states, payload FROM orders WHERE id = ?1")
        .expect("prepare");
    let (a, b, c, d) = stmt
        .query_row([id], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
            ))
        })
        .expect("row");
    a.len() + b.len() + c.len() + d.len()
}

fn raw_save(raw: &mut Connection, id: &str, body: &str, revision: i64) {
    let tx = raw.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).expect("tx");
    tx.execute(
        "UPDATE drafts SET body = ?2, revision = ?3 WHERE id = ?1",
        rusqlite::params![id, body, revision],
    )
    .expect("update");
    tx.commit().expect("commit");
}

fn edit(body: &str, n: u64) -> DraftEdit {
    DraftEdit {
        body: body.replace("Draft Customer", &format!("Draft Customer {n}")),
        catalog_version: None,
        actor: "bench".into(),
        action: "edit".into(),
        expected_revision: None,
        summary: None,
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<F: FnMut()>(runs: usize, mut f: F) -> Duration {
    f(); // warm the page cache and statement cache
    median(
        (0..runs)
            .map(|_| {
                let started = Instant::now();
                f();
                started.elapsed()
            })
            .collect(),
    )
}

fn benches(c: &mut Criterion) {
    let mut fx = build_fixture();
    assert_eq!(fx.store.orders(&list_filter()).expect("list").len(), 50);
    let hits = fx.store.search(SEARCH_TEXT, &[], 20).expect("search");
    assert!(!hits.is_empty(), "the search text must match something");
    assert_eq!(raw_list(&fx.raw), 50);

    let mut group = c.benchmark_group("order_list_first_page");
    group.bench_function("store", |b| {
        b.iter(|| black_box(fx.store.orders(&list_filter()).expect("list")))
    });
    group.bench_function("raw_rusqlite", |b| b.iter(|| black_box(raw_list(&fx.raw))));
    group.finish();

    let mut group = c.benchmark_group("full_text_search");
    group.bench_function("store", |b| {
        b.iter(|| black_box(fx.store.search(SEARCH_TEXT, &[], 20).expect("search")))
    });
    group.bench_function("raw_rusqlite", |b| b.iter(|| black_box(raw_search(&fx.raw))));
    group.finish();

    let ids = fx.order_ids.clone();
    let mut group = c.benchmark_group("open_order");
    let mut k = 0usize;
    group.bench_function("store", |b| {
        b.iter(|| {
            k = (k + 7919) % ids.len();
            black_box(fx.store.order(ids[k]).expect("order"))
        })
    });
    group.bench_function("raw_rusqlite", |b| {
        b.iter(|| {
            k = (k + 7919) % ids.len();
            black_box(raw_open(&fx.raw, ids[k]))
        })
    });
    group.finish();

    let mut group = c.benchmark_group("save_draft_change_durable");
    group.sample_size(30);
    let mut n = 0u64;
    group.bench_function("store", |b| {
        b.iter(|| {
            n += 1;
            black_box(fx.store.update_draft(&fx.draft_id, edit(&fx.draft_body, n)).expect("save"))
        })
    });
    group.bench_function("raw_rusqlite", |b| {
        b.iter(|| {
            n += 1;
            raw_save(&mut fx.raw, &fx.draft_id, &fx.draft_body, 1_000_000 + n as i64)
        })
    });
    group.finish();

    // Summary: medians against the budgets.
    let rows = [
        (
            "order list, first page (50, filtered, sorted)",
            time(200, || {
                black_box(fx.store.orders(&list_filter()).expect("list"));
            }),
            time(200, || {
                black_box(raw_list(&fx.raw));
            }),
            Duration::from_millis(10),
        ),
        (
            "full-text search",
            time(200, || {
                black_box(fx.store.search(SEARCH_TEXT, &[], 20).expect("search"));
            }),
            time(200, || {
                black_box(raw_search(&fx.raw));
            }),
            Duration::from_millis(20),
        ),
        (
            "open an order",
            time(500, || {
                k = (k + 7919) % ids.len();
                black_box(fx.store.order(ids[k]).expect("order"));
            }),
            time(500, || {
                k = (k + 7919) % ids.len();
                black_box(raw_open(&fx.raw, ids[k]));
            }),
            Duration::from_millis(2),
        ),
        (
            "save a draft change (durable)",
            time(100, || {
                n += 1;
                black_box(
                    fx.store.update_draft(&fx.draft_id, edit(&fx.draft_body, n)).expect("save"),
                );
            }),
            time(100, || {
                n += 1;
                raw_save(&mut fx.raw, &fx.draft_id, &fx.draft_body, 1_000_000 + n as i64);
            }),
            Duration::from_millis(5),
        ),
    ];
    println!(
        "\n{:<48} {:>12} {:>14} {:>10}  result",
        "operation (median)", "store", "raw rusqlite", "budget"
    );
    for (name, store, raw, budget) in rows {
        println!(
            "{name:<48} {:>12.3?} {:>14.3?} {:>10.0?}  {}",
            store,
            raw,
            budget,
            if store <= budget { "within budget" } else { "OVER BUDGET" }
        );
    }
}

criterion_group!(store_benches, benches);
criterion_main!(store_benches);
