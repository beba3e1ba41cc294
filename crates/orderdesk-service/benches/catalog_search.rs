//! The offering picker's query (`Service::search_offerings`: full text, then the summaries
//! of the offerings shown) over a 100,000-offering catalog, reporting the 95th percentile
//! besides criterion's estimates. `CATALOG_BENCH_DB` names a database that holds such a
//! catalog (`scripts/perf.sh` passes the one its catalog stage imported); without it one is
//! generated and imported into a temporary directory first.

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use orderdesk_service::Service;

const OFFERINGS: usize = 100_000;
const LIMIT: u32 = 50;
/// What an agent types, a letter at a time, and a category pick (the generated catalog names
/// its offerings "Offering N", every 50th a bundle "Bundle N", and its categories "Category N").
const QUERIES: [(&str, Option<&str>); 8] = [
    ("Of", None),
    ("Offering", None),
    ("Offering 4", None),
    ("Offering 4711", None),
    ("Bundle 4749", None),
    ("", None),
    ("", Some("gen-cat-3")),
    ("Offering 10", Some("gen-cat-7")),
];

fn service(rt: &tokio::runtime::Runtime) -> (Option<tempfile::TempDir>, Service) {
    if let Some(db) = std::env::var_os("CATALOG_BENCH_DB") {
        let service = Service::open_db(db.into(), "bench").expect("open the database");
        return (None, service);
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let service = Service::open(dir.path().to_path_buf()).expect("open");
    let snapshot = orderdesk_server::generate_catalog(OFFERINGS).to_string();
    rt.block_on(service.import_catalog(snapshot, "generated".into())).expect("import");
    (Some(dir), service)
}

fn search(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let (_dir, service) = service(&rt);
    let offerings = rt.block_on(service.catalog_offerings()).expect("count");
    assert!(offerings >= 1000, "a large catalog");
    let mut times: Vec<Duration> = Vec::new();
    let mut per_query: Vec<Vec<Duration>> = vec![Vec::new(); QUERIES.len()];
    c.bench_function("search_offerings 100k", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for i in 0..iters {
                let q = (i as usize) % QUERIES.len();
                let (text, category) = QUERIES[q];
                let started = Instant::now();
                let found = rt
                    .block_on(service.search_offerings(
                        text.to_owned(),
                        category.map(str::to_owned),
                        LIMIT,
                    ))
                    .expect("search");
                let took = started.elapsed();
                assert!(!found.is_empty(), "{text:?} finds offerings");
                times.push(took);
                if let Some(t) = per_query.get_mut(q) {
                    t.push(took);
                }
                total += took;
            }
            total
        });
    });
    times.sort();
    let at = |q: f64| times.get(((times.len() as f64) * q) as usize).copied().unwrap_or_default();
    for ((text, category), t) in QUERIES.iter().zip(per_query.iter_mut()) {
        t.sort();
        let p95 = t.get(t.len() * 95 / 100).copied().unwrap_or_default();
        println!(
            "  {text:?} in {}: p95 {:.2} ms",
            category.unwrap_or("every category"),
            p95.as_secs_f64() * 1e3
        );
    }
    println!(
        "search_offerings 100k: {} searches, median {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        times.len(),
        at(0.5).as_secs_f64() * 1e3,
        at(0.95).as_secs_f64() * 1e3,
        times.last().copied().unwrap_or_default().as_secs_f64() * 1e3
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(10));
    targets = search
}
criterion_main!(benches);
