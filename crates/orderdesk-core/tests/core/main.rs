//! The integration tests of orderdesk-core, compiled as one binary.

mod change;
mod copy;
mod findings;
mod limits;
mod model_ops;
mod pricing;
mod props;
mod recheck;
mod validation;

use orderdesk_core::{Catalog, Order};
use serde_json::Value;

pub const TMF25: &str = include_str!("../fixtures/tmf25.json");
pub const CATALOG: &str = include_str!("../fixtures/catalog.json");

pub fn json(text: &str) -> Value {
    match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => panic!("test fixture is not JSON: {e}"),
    }
}

pub fn order(v: Value) -> Order {
    match Order::from_json(v) {
        Ok(o) => o,
        Err(e) => panic!("test order does not import: {e}"),
    }
}

pub fn catalog() -> Catalog {
    match Catalog::from_json(&json(CATALOG)) {
        Ok(c) => c,
        Err(e) => panic!("test catalog does not index: {e}"),
    }
}

pub fn pretty(v: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|e| format!("<unserialisable: {e}>"))
}
