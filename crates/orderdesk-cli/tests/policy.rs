//! A server profile's discount policy through the built binary, against the reference server
//! on 127.0.0.1: set with `remote policy`, shown by `remote list`, held against `check
//! --profile`, `draft check` and `draft submit` alike, lifted by `draft approve`, whose note
//! reaches the server's order.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use orderdesk_server::{start, LifecycleConfig, ServerConfig};
use serde_json::{json, Value};

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// Runs `orderdesk --json --db DB ARGS`, expects exit `code`, returns stdout as JSON.
async fn json(
    db: &PathBuf,
    args: &[&str],
    code: i32,
) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
    let mut command = tokio::process::Command::from(Command::new(env!("CARGO_BIN_EXE_orderdesk")));
    command.env_remove("ORDERDESK_DB").arg("--json").arg("--db").arg(db).args(args);
    let out = command.output().await?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(code),
        "orderdesk {args:?}\nstdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(serde_json::from_str(&stdout)?)
}

fn codes(findings: &Value) -> Vec<String> {
    findings
        .as_array()
        .map(|all| all.iter().filter_map(|f| f["code"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_discount_over_the_limit_is_refused_until_it_is_approved() -> TestResult {
    let server = start(ServerConfig {
        lifecycle: LifecycleConfig {
            acknowledged_for: Duration::from_secs(60),
            in_progress_for: Duration::from_secs(60),
            ..LifecycleConfig::default()
        },
        ..ServerConfig::default()
    })
    .await?;
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("orderdesk.db");
    let (url, catalog_url) = (server.base_url_v4(), server.catalog_url_v4());
    json(&db, &["remote", "add", "lab", "--url", &url, "--catalog-url", &catalog_url], 0).await?;

    // A policy that does not check is refused, naming why; nothing is saved.
    let bad_file = dir.path().join("bad.json");
    std::fs::write(
        &bad_file,
        json!({"discount": {"reasons": [{"code": "x", "label": "X",
        "maxPercentage": "120"}]}})
        .to_string(),
    )?;
    let bad =
        json(&db, &["remote", "policy", "lab", "--file", &bad_file.to_string_lossy()], 2).await?;
    assert_eq!(bad["code"], "service.bad_policy");
    let policy_file = dir.path().join("policy.json");
    std::fs::write(
        &policy_file,
        json!({"discount": {"reasons": [{"code": "retention",
        "label": "Customer retention", "maxPercentage": "20"}]}})
        .to_string(),
    )?;
    let set = json(&db, &["remote", "policy", "lab", "--file", &policy_file.to_string_lossy()], 0)
        .await?;
    assert_eq!(set["policy"]["discount"]["reasons"][0]["code"], "retention");
    let listed = json(&db, &["remote", "list"], 0).await?;
    let shown = &listed["profiles"]["lab"]["policy"];
    assert_eq!(shown["discount"]["reasons"][0]["maxPercentage"], "20");
    assert!(shown["cancelReasons"].as_array().is_some_and(|r| !r.is_empty()), "{shown}");

    // An order with a 50 % discount against the 20 % limit.
    let order = json!({"description": "CLI policy", "relatedParty": [{"id": "C-9",
        "name": "Ida Moe", "role": "Customer"}],
        "productOrderItem": [{"id": "1", "action": "add", "quantity": 1,
        "productOffering": {"id": "20006", "name": "Mobile M"},
        "itemPrice": [{"priceType": "recurring", "recurringChargePeriod": "month",
            "price": {"dutyFreeAmount": {"unit": "EUR", "value": 20}},
            "priceAlteration": [{"name": "Loyalty", "priceType": "recurring",
                "description": "retention", "price": {"percentage": 50}}]}]}]});
    let order_file = dir.path().join("order.json");
    std::fs::write(&order_file, order.to_string())?;
    let file = order_file.to_string_lossy().into_owned();
    // `check` holds it against the profile's policy when asked to, and only then.
    let checked = json(&db, &["check", &file, "--profile", "lab"], 1).await?;
    assert!(codes(&checked["findings"]).contains(&"discount.approval".into()), "{checked}");
    let unchecked = json(&db, &["check", &file], 0).await?;
    assert!(!codes(&unchecked["findings"]).contains(&"discount.approval".into()));

    let imported = json(&db, &["draft", "import", &file], 0).await?;
    let draft = imported["id"].as_str().ok_or("no draft id")?.to_owned();
    let findings = json(&db, &["draft", "check", &draft], 1).await?;
    assert!(codes(&findings["findings"]).contains(&"discount.approval".into()), "{findings}");
    let refused = json(&db, &["draft", "submit", &draft], 1).await?;
    assert!(codes(&refused["findings"]).contains(&"discount.approval".into()), "{refused}");

    let no_code =
        ["draft", "approve", &draft, "--item", "1", "--approver", "Jane Doe", "--code", " "];
    assert_eq!(json(&db, &no_code, 2).await?["code"], "service.approval");
    let approve =
        ["draft", "approve", &draft, "--item", "1", "--approver", "Jane Doe", "--code", "A-77"];
    json(&db, &approve, 0).await?;
    let findings = json(&db, &["draft", "check", &draft], 0).await?;
    assert!(!codes(&findings["findings"]).contains(&"discount.approval".into()));
    json(&db, &["draft", "submit", &draft], 0).await?;
    let synced = json(&db, &["sync"], 0).await?;
    assert_eq!(synced["report"]["delivered"], 1, "{synced}");

    let orders = json(&db, &["order", "list"], 0).await?;
    let order_id = orders[0]["id"].as_i64().ok_or("no order")?.to_string();
    let shown = json(&db, &["order", "show", &order_id], 0).await?;
    let notes = shown["payload"]["note"].as_array().cloned().unwrap_or_default();
    let note = notes
        .iter()
        .find(|n| n["id"] == "discount-approval:1:0:0:50%")
        .ok_or_else(|| format!("no approval note in {}", shown["payload"]))?;
    assert_eq!(note["author"], "Jane Doe");
    assert!(note["text"].as_str().is_some_and(|t| t.contains("A-77")));
    // The audit trail of the draft names the approver and the code.
    let history = json(&db, &["draft", "history", &draft], 0).await?;
    assert!(history.to_string().contains("approved by Jane Doe, approval code A-77"), "{history}");
    server.shutdown().await;
    Ok(())
}
