//! The orders list over 100,000 orders and 2,000 drafts: each page the Orders screen asks for
//! ([`Queries::order_list`]: first and deep pages in every sort, a search, the filters),
//! against a plain `SELECT … FROM orders LIMIT 50` on a raw rusqlite connection to the same
//! file in the same run. Budget: at most 50 ms per page at the 95th percentile. After
//! criterion's own report, a summary prints each case's median and 95th percentile, their
//! ratio to the plain query's and the verdicts.
//!
//! The fixture is built once per run in a temp dir through the store's own writes: orders in
//! batches (one transaction each) in six states with customers, totals and days spread over a
//! year; drafts, a quarter of them queued in the outbox, and of those some delivered (their
//! order, without a total of its own, takes the draft's) and some refused.

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use orderdesk_store::*;
use orderdesk_wire::OrderState;
use rusqlite::Connection;
use serde_json::json;

const ORDERS: usize = 100_000;
const DRAFTS: usize = 2_000;
const PAGE: u32 = 50;
const ROUNDS: usize = 40;
const BUDGET: Duration = Duration::from_millis(50);
const BATCH: usize = 5_000;
const FIRST: [&str; 12] = [
    "Anna", "Ben", "Carla", "David", "Emma", "Felix", "Greta", "Hugo", "Ida", "Jonas", "Klara",
    "Leon",
];
const LAST: [&str; 10] = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Hoffmann",
    "Lovelace",
];
const STATES: [&str; 6] =
    ["acknowledged", "inProgress", "completed", "completed", "failed", "cancelled"];
const OFFERINGS: [&str; 4] = ["Fibre 1000", "Mobile L", "TV Max", "Office Line"];

/// The plain query the pages are compared with.
const RAW_SQL: &str =
    "SELECT id, customer, total, currency, item_count, state, last_seen FROM orders LIMIT 50";

fn customer(i: usize) -> String {
    format!("{} {}", FIRST[i % FIRST.len()], LAST[(i / FIRST.len()) % LAST.len()])
}

fn order_body(i: usize, total: Option<String>) -> String {
    let mut order = json!({
        "@type": "ProductOrder",
        "note": [{"text": format!("order {i} for {}", customer(i))}],
        "relatedParty": [{"id": format!("C-{}", i % 5_000), "name": customer(i), "role": "Customer"}],
        "productOrderItem": [{
            "id": "1", "action": "add", "quantity": 1 + i % 3,
            "productOffering": {"id": format!("po-{}", i % 4), "name": OFFERINGS[i % 4]}
        }]
    });
    if let Some(total) = total {
        order["orderTotalPrice"] = json!([{"priceType": "recurring",
            "price": {"taxIncludedAmount": {"unit": "EUR", "value": total}}}]);
    }
    order.to_string()
}

fn seen(i: usize, draft_id: Option<String>) -> OrderSeen {
    let start = Utc.with_ymd_and_hms(2025, 12, 1, 0, 0, 0).single().expect("start");
    let total = draft_id.is_none().then(|| format!("{}.{:02}", 10 + i * 7 % 990, i % 100));
    OrderSeen {
        profile: "bench".into(),
        server_id: format!("SRV-{i:06}"),
        href: None,
        state: STATES[i % STATES.len()].into(),
        item_states: json!({}),
        tmf_version: Version::V4,
        payload: order_body(i, total),
        draft_id,
        // Spread over a year, several orders a minute apart.
        seen_at: start + chrono::Duration::seconds(i64::try_from(i * 313).expect("secs")),
        actor: "bench".into(),
    }
}

fn fixture(store: &mut Store) {
    let started = Instant::now();
    for from in (0..ORDERS).step_by(BATCH) {
        store.record_orders((from..from + BATCH).map(|i| seen(i, None)).collect()).expect("orders");
    }
    let mut drafts = Vec::with_capacity(DRAFTS);
    for i in 0..DRAFTS {
        let draft = store
            .create_draft(NewDraft {
                body: order_body(ORDERS + i, Some(format!("{}.50", 20 + i % 300))),
                tmf_version: Version::V4,
                catalog_version: None,
                actor: "bench".into(),
                summary: None,
            })
            .expect("draft");
        drafts.push(draft.id);
    }
    // A quarter queued; of those, a third delivered and a sixth refused.
    for (n, id) in drafts.iter().enumerate().filter(|(n, _)| n % 4 == 0) {
        let entry = store
            .enqueue(NewOutboxEntry {
                op: OutboxOp::Create,
                profile: "bench".into(),
                draft_id: Some(id.clone()),
                order_id: None,
                payload: Some("{}".into()),
                idempotency_key: None,
                actor: "bench".into(),
            })
            .expect("queue");
        if n % 12 == 0 {
            store.outbox_done(entry.id).expect("done");
            store.record_order(seen(ORDERS + DRAFTS + n, Some(id.clone()))).expect("delivered");
        } else if n % 24 == 4 {
            store.outbox_rejected(entry.id, "refused").expect("refused");
        }
    }
    eprintln!("fixture: {ORDERS} orders, {DRAFTS} drafts in {:.1?}", started.elapsed());
}

fn case(filter: OrderListFilter) -> OrderListFilter {
    OrderListFilter { limit: PAGE, ..filter }
}

/// The pages measured: (name, filter).
fn cases(total: u32) -> Vec<(String, OrderListFilter)> {
    let deep = total.saturating_sub(PAGE);
    let mut cases = Vec::new();
    for (name, sort) in [
        ("updated desc", OrderListSort::UpdatedDesc),
        ("updated asc", OrderListSort::UpdatedAsc),
        ("customer asc", OrderListSort::CustomerAsc),
        ("total desc", OrderListSort::TotalDesc),
    ] {
        cases.push((
            format!("{name}: first page"),
            case(OrderListFilter { sort, ..Default::default() }),
        ));
        cases.push((
            format!("{name}: middle page"),
            case(OrderListFilter { sort, offset: total / 2, ..Default::default() }),
        ));
        cases.push((
            format!("{name}: last page"),
            case(OrderListFilter { sort, offset: deep, ..Default::default() }),
        ));
    }
    let search = |text: &str| OrderListFilter { text: text.into(), ..Default::default() };
    cases.push(("search \"hoffmann\"".into(), case(search("hoffmann"))));
    cases.push(("search \"greta schm\"".into(), case(search("greta schm"))));
    cases.push(("search \"SRV-0421\" (prefix)".into(), case(search("SRV-0421"))));
    cases.push((
        "search \"fibre\", total desc, page 20".into(),
        case(OrderListFilter {
            sort: OrderListSort::TotalDesc,
            offset: 20 * PAGE,
            ..search("fibre")
        }),
    ));
    cases.push((
        "filter state inProgress".into(),
        case(OrderListFilter { state: Some(OrderState::InProgress), ..Default::default() }),
    ));
    cases.push((
        "filter sync needs-attention".into(),
        case(OrderListFilter { sync: Some(ListSync::NeedsAttention), ..Default::default() }),
    ));
    cases.push((
        "filter sync queued".into(),
        case(OrderListFilter { sync: Some(ListSync::Queued), ..Default::default() }),
    ));
    cases.push((
        "filter customer contains \"müll\"".into(),
        case(OrderListFilter { customer: Some("MÜLL".into()), ..Default::default() }),
    ));
    cases.push((
        "filter March 2026, customer asc".into(),
        case(OrderListFilter {
            sort: OrderListSort::CustomerAsc,
            updated_from: chrono::NaiveDate::from_ymd_opt(2026, 3, 1),
            updated_to: chrono::NaiveDate::from_ymd_opt(2026, 3, 31),
            ..Default::default()
        }),
    ));
    cases.push((
        "search + state + customer".into(),
        case(OrderListFilter {
            state: Some(OrderState::Completed),
            customer: Some("ida".into()),
            ..search("fibre")
        }),
    ));
    cases
}

fn raw_page(raw: &Connection) -> usize {
    let mut stmt = raw.prepare_cached(RAW_SQL).expect("prepare");
    let rows = stmt
        .query_map([], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, Option<String>>(1)?,
                row.get::<_, Option<String>>(2)?,
                row.get::<_, Option<String>>(3)?,
                row.get::<_, i64>(4)?,
                row.get::<_, String>(5)?,
                row.get::<_, String>(6)?,
            ))
        })
        .expect("query");
    rows.collect::<rusqlite::Result<Vec<_>>>().expect("rows").len()
}

/// Median and 95th percentile of `ROUNDS` runs (after one to warm the caches).
fn measure<F: FnMut()>(mut f: F) -> (Duration, Duration) {
    f();
    let mut samples: Vec<Duration> = (0..ROUNDS)
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed()
        })
        .collect();
    samples.sort();
    (samples[samples.len() / 2], samples[(samples.len() * 95 / 100).min(samples.len() - 1)])
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("orderdesk.db");
    let mut store = Store::open(&path).expect("open");
    fixture(&mut store);
    let reader = store.reader().expect("reader");
    let raw = Connection::open(&path).expect("raw connection");
    let whole = reader.order_list(&case(OrderListFilter::default())).expect("first page");
    let total = u32::try_from(whole.total).expect("total");
    assert!(whole.total > u64::try_from(ORDERS).expect("orders"), "every order is listed");
    assert_eq!(raw_page(&raw), 50);
    let cases = cases(total);
    for (name, filter) in &cases {
        let page = reader.order_list(filter).expect("page");
        assert!(!page.rows.is_empty(), "{name} must find rows");
    }

    let mut group = c.benchmark_group("orders_list");
    for (name, filter) in cases.iter().filter(|(name, _)| {
        ["updated desc: first page", "updated desc: last page", "search \"hoffmann\""]
            .contains(&name.as_str())
    }) {
        group.bench_function(name.as_str(), |b| {
            b.iter(|| black_box(reader.order_list(filter).expect("page")))
        });
    }
    group.bench_function("raw SELECT … LIMIT 50", |b| b.iter(|| black_box(raw_page(&raw))));
    group.finish();

    let (raw_median, raw_p95) = measure(|| {
        black_box(raw_page(&raw));
    });
    let floor = |d: Duration| d.as_secs_f64().max(1e-9);
    println!(
        "\norders list over {total} rows ({ORDERS} orders, {DRAFTS} drafts), pages of {PAGE}, {ROUNDS} rounds each"
    );
    println!(
        "  {:<40} {:>10} {:>10} {:>9} {:>9} {:>7}  budget {BUDGET:.0?} (p95)",
        "case", "median", "p95", "×raw med", "×raw p95", "rows"
    );
    let mut over = 0;
    for (name, filter) in &cases {
        let mut found = 0;
        let (median, p95) = measure(|| {
            found = black_box(reader.order_list(filter).expect("page")).total;
        });
        if p95 > BUDGET {
            over += 1;
        }
        println!(
            "  {name:<40} {median:>10.3?} {p95:>10.3?} {:>9.1} {:>9.1} {found:>7}  {}",
            floor(median) / floor(raw_median),
            floor(p95) / floor(raw_p95),
            if p95 <= BUDGET { "within budget" } else { "OVER BUDGET" }
        );
    }
    println!("  {:<40} {raw_median:>10.3?} {raw_p95:>10.3?}", "raw SELECT … FROM orders LIMIT 50");
    println!("  {} of {} cases over budget", over, cases.len());
}

criterion_group!(orders_list_benches, benches);
criterion_main!(orders_list_benches);
