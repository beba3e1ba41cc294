//! Measures request validation for the TMF25 example orders: the official schema (v4
//! `ProductOrder_Create`, v5 `ProductOrder_FVO`), the rules beyond it, and the catalog rules.
//!
//! `cargo run --release -p orderdesk-server --example validate -- [iterations]`

use std::time::Instant;

use orderdesk_server::schema::{RequestKind, Schemas};
use orderdesk_server::{validate, Catalog};
use orderdesk_wire::Version;
use serde_json::Value;

fn per_call(iterations: u32, mut f: impl FnMut() -> bool) -> Result<f64, String> {
    let start = Instant::now();
    for _ in 0..iterations {
        if !f() {
            return Err("a valid example order was refused".into());
        }
    }
    Ok(start.elapsed().as_secs_f64() * 1e6 / f64::from(iterations))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let iterations: u32 = std::env::args().nth(1).map(|a| a.parse()).transpose()?.unwrap_or(2000);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let started = Instant::now();
    let schemas = Schemas::load()?;
    println!("compile 4 validators: {:.1} ms", started.elapsed().as_secs_f64() * 1e3);
    let catalog = Catalog::demo()?;
    for (file, version) in [
        ("crates/orderdesk-core/tests/fixtures/tmf25.json", Version::V4),
        ("assets/orders/tmf25-bundle.v4.json", Version::V4),
        ("assets/orders/tmf25-bundle.v5.json", Version::V5),
    ] {
        let order: Value = serde_json::from_str(&std::fs::read_to_string(root.join(file))?)?;
        let v4 = orderdesk_wire::convert::order_between(order.clone(), version, Version::V4);
        let schema = per_call(iterations, || {
            schemas.check(RequestKind::ProductOrder, version, &order).is_ok()
        })?;
        let rules = per_call(iterations, || validate::check_order(&v4, &catalog).is_ok())?;
        println!(
            "{file} ({}): schema {schema:.1} µs, the core's rules with the catalog {rules:.1} µs per request",
            version.as_str()
        );
    }
    Ok(())
}
