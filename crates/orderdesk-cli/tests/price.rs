//! `orderdesk price` and `orderdesk check --catalog` on the core's TMF25 fixtures.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../orderdesk-core/tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_orderdesk"))
        .env_remove("ORDERDESK_DB")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run orderdesk: {e}"))
}

fn json_out(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!("stdout is not JSON ({e}): {}", String::from_utf8_lossy(&o.stdout))
    })
}

#[test]
fn price_json_gives_the_tmf25_figures() {
    let out = run(&["price", &fixture("tmf25.json"), "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let q = json_out(&out);
    assert_eq!(q["currency"], "EUR");
    assert_eq!(q["oneTime"]["dutyFree"], "0.99");
    let schedule: Vec<&str> = q["schedule"]
        .as_array()
        .map_or(vec![], |s| s.iter().filter_map(|e| e["dutyFree"].as_str()).collect());
    assert_eq!(schedule.len(), 12);
    assert_eq!(&schedule[..4], ["16.99", "16.00", "16.00", "20.00"]);
    assert_eq!(
        q["total"],
        serde_json::json!({"periods": 12, "dutyFree": "228.99", "taxIncluded": "228.99"})
    );
    assert_eq!(q["items"].as_array().map(Vec::len), Some(4));
    // Its only finding: the thread's order asked for a start in 2019.
    let codes: Vec<&str> = q["findings"]
        .as_array()
        .map_or(vec![], |f| f.iter().filter_map(|f| f["code"].as_str()).collect());
    assert_eq!(codes, ["date.past"], "{}", q["findings"]);

    let six = json_out(&run(&["price", &fixture("tmf25.json"), "--json", "--periods", "6"]));
    assert_eq!(six["total"]["dutyFree"], "108.99");
}

#[test]
fn check_with_catalog_reports_catalog_findings() {
    let ok =
        run(&["check", &fixture("tmf25.json"), "--catalog", &fixture("catalog.json"), "--json"]);
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stdout));

    let order = r#"{"productOrderItem":[{"id":"1","action":"add","quantity":0,
        "productOffering":{"id":"90001"}}]}"#;
    let dir = std::env::temp_dir().join(format!("orderdesk-price-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let file = dir.join("order.json");
    std::fs::write(&file, order).unwrap_or_else(|e| panic!("{e}"));
    let file = file.display().to_string();
    let out = run(&["check", &file, "--catalog", &fixture("catalog.json"), "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let codes: Vec<String> = json_out(&out)["findings"].as_array().map_or(vec![], |f| {
        f.iter().filter_map(|f| f["code"].as_str().map(String::from)).collect()
    });
    assert!(codes.contains(&"item.quantity".to_string()), "{codes:?}");
    assert!(codes.contains(&"offering.not_orderable".to_string()), "{codes:?}");
    // The wire's own name for the quantity problem is not reported twice.
    assert!(!codes.contains(&"item.quantity_invalid".to_string()), "{codes:?}");

    // An order file read as a catalog is an empty catalog: every offering is unknown.
    let wrong = run(&["check", &fixture("tmf25.json"), "--catalog", &file, "--json"]);
    assert_eq!(wrong.status.code(), Some(1));
    assert!(json_out(&wrong)["findings"].to_string().contains("offering.unknown"));
    let missing = run(&["price", &file, "--catalog", "/nonexistent/catalog.json", "--json"]);
    assert_eq!(missing.status.code(), Some(2));
    assert_eq!(json_out(&missing)["code"], "input.unreadable");
    let _ = std::fs::remove_dir_all(&dir);
}
