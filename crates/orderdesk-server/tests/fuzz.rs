//! Every committed fuzz input through its harness, on the stable toolchain and without
//! libFuzzer: the corpus of each target (`fuzz/corpus/<target>/`) and every input that once
//! crashed Orderdesk (`fuzz/regressions/<target>/`). A crash once found stays fixed.
//!
//! The harnesses live in their crates (`<crate>::fuzzing`); this crate's tests replay them all
//! because it is the one that reaches every harness and the demo catalog the core target is
//! fuzzed against.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// The files of `fuzz/<kind>/<target>/`, sorted; none when the folder does not exist.
fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz").join(kind).join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> =
        entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_file()).collect();
    files.sort();
    files
}

/// Runs every input of `target` through `harness` and names each one that panics.
fn replay(target: &str, harness: impl Fn(&[u8])) {
    let corpus = inputs("corpus", target);
    assert!(!corpus.is_empty(), "fuzz/corpus/{target}/ is empty or missing");
    let mut failed = Vec::new();
    for path in corpus.iter().chain(&inputs("regressions", target)) {
        let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if catch_unwind(AssertUnwindSafe(|| harness(&data))).is_err() {
            failed.push(path.display().to_string());
        }
    }
    assert!(failed.is_empty(), "{target}: {} inputs fail:\n{}", failed.len(), failed.join("\n"));
}

#[test]
fn wire_round_trip_inputs_pass() {
    replay("wire_round_trip", orderdesk_wire::fuzzing::order_round_trip);
}

#[test]
fn core_pipeline_inputs_pass() {
    let catalog = orderdesk_wire::parse_json(orderdesk_server::catalog::DEMO_CATALOG)
        .ok()
        .and_then(|snapshot| orderdesk_core::Catalog::from_json(&snapshot).ok())
        .unwrap_or_else(|| panic!("the demo catalog does not load"));
    replay("core_pipeline", |data| orderdesk_core::fuzzing::order_pipeline(data, &catalog));
}

#[test]
fn server_router_inputs_pass() {
    replay("server_router", orderdesk_server::fuzzing::serve_request);
}

#[test]
fn client_answer_inputs_pass() {
    replay("client_answer", orderdesk_client::fuzzing::read_server_answer);
}
