//! The server-backed commands (`remote`, `draft submit`, `sync`, `order`, `outbox`,
//! `catalog sync`) run as the built binary against the reference server on 127.0.0.1.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Duration;

use orderdesk_server::{start, LifecycleConfig, ServerConfig};
use serde_json::{json, Value};

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

struct Env {
    _dir: tempfile::TempDir,
    db: PathBuf,
    order_file: PathBuf,
}

impl Env {
    fn new() -> Result<Env, Box<dyn std::error::Error + Send + Sync>> {
        let dir = tempfile::tempdir()?;
        let db = dir.path().join("orderdesk.db");
        let order_file = dir.path().join("order.json");
        let order = json!({"description": "CLI line",
            "productOrderItem": [{"id": "1", "action": "add", "quantity": 1,
            "productOffering": {"id": "14305", "name": "Mobile Telephony"},
            "product": {"productCharacteristic": [{"name": "TEL_MSISDN", "value": "4915100001"}]}}]});
        std::fs::write(&order_file, order.to_string())?;
        Ok(Env { _dir: dir, db, order_file })
    }

    async fn run(&self, args: &[&str]) -> Result<Output, std::io::Error> {
        let mut command =
            tokio::process::Command::from(Command::new(env!("CARGO_BIN_EXE_orderdesk")));
        command.env_remove("ORDERDESK_DB").arg("--db").arg(&self.db).args(args);
        command.output().await
    }

    /// Runs with `--json`, expects exit `code`, returns stdout as JSON.
    async fn json(
        &self,
        args: &[&str],
        code: i32,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.run(&all).await?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(code),
            "orderdesk {args:?}\nstdout: {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(serde_json::from_str(&stdout)?)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submit_sync_list_and_cancel_through_the_cli() -> TestResult {
    let server = start(ServerConfig {
        lifecycle: LifecycleConfig {
            acknowledged_for: Duration::from_secs(60),
            in_progress_for: Duration::from_secs(60),
            cancel_step: Duration::from_millis(20),
            fail_value: "FAIL".into(),
        },
        ..ServerConfig::default()
    })
    .await?;
    let env = Env::new()?;
    let url = server.base_url_v5();
    let catalog_url = server.catalog_url_v4();
    let profile = env
        .json(&["remote", "add", "lab", "--url", &url, "--catalog-url", &catalog_url], 0)
        .await?;
    assert_eq!(profile["version"], "auto");
    let listed = env.json(&["remote", "list"], 0).await?;
    assert_eq!(listed["active"], "lab");

    let catalog = env.json(&["catalog", "sync"], 0).await?;
    assert_eq!((catalog["mode"].as_str(), catalog["offerings"].as_u64()), (Some("full"), Some(47)));

    let file = env.order_file.to_string_lossy().into_owned();
    let imported = env.json(&["draft", "import", &file], 0).await?;
    let draft = imported["id"].as_str().ok_or("no draft id")?.to_owned();
    let entry = env.json(&["draft", "submit", &draft], 0).await?;
    assert_eq!(entry["sync"], "queued");
    assert!(entry["clientOrderId"].as_str().is_some_and(|k| k.starts_with("od-")));
    // A second submit is refused: a draft reaches the server once.
    let again = env.json(&["draft", "submit", &draft], 2).await?;
    assert_eq!(again["code"], "sync.refused");

    let synced = env.json(&["sync"], 0).await?;
    assert_eq!(synced["report"]["delivered"], 1);
    assert_eq!(synced["status"]["queued"], 0);
    assert_eq!(env.json(&["remote", "use", "lab"], 0).await?["active"], "lab");

    let orders = env.json(&["order", "list", "--state", "acknowledged"], 0).await?;
    let order_id = orders[0]["id"].as_i64().ok_or("no order")?.to_string();
    let server_id = orders[0]["serverId"].as_str().ok_or("no server id")?.to_owned();
    assert_eq!(orders[0]["draftId"], draft.as_str());
    // The server's id names the order as well as the local number.
    let shown = env.json(&["order", "show", &server_id], 0).await?;
    assert_eq!(shown["order"]["id"].as_i64().map(|n| n.to_string()), Some(order_id.clone()));
    // The app's checks apply: a reason from the profile's list is required.
    let no_reason = env.json(&["order", "cancel", &server_id, "--reason", " "], 2).await?;
    assert_eq!(no_reason["code"], "service.invalid_input");
    let unlisted = env.json(&["order", "cancel", &server_id, "--reason", "whim"], 2).await?;
    assert_eq!(unlisted["code"], "service.invalid_input");

    env.json(
        &[
            "order",
            "cancel",
            &server_id,
            "--reason",
            "customer-request",
            "--note",
            "customer changed mind",
            "--date",
            "2026-12-24",
        ],
        0,
    )
    .await?;
    let mut state = String::new();
    for _ in 0..40 {
        env.json(&["sync"], 0).await?;
        let shown = env.json(&["order", "show", &order_id], 0).await?;
        state = shown["state"].as_str().unwrap_or_default().to_owned();
        if state == "cancelled" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    assert_eq!(state, "cancelled");
    // The cancellation task itself finishes on the server a step later.
    let mut all_done = false;
    for _ in 0..40 {
        let outbox = env.json(&["outbox", "list"], 0).await?;
        all_done = outbox
            .as_array()
            .is_some_and(|l| l.len() == 2 && l.iter().all(|e| e["status"] == "done"));
        if all_done {
            break;
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
        env.json(&["sync"], 0).await?;
    }
    assert!(all_done, "create and cancel both delivered");
    let shown = env.json(&["order", "show", &order_id], 0).await?;
    let cancellation = &shown["cancellations"][0];
    assert_eq!(cancellation["reason"], "Customer request: customer changed mind");
    assert_eq!(cancellation["taskState"], "done");
    assert!(cancellation["requestedDate"].as_str().is_some_and(|d| d.starts_with("2026-12-24")));
    let dropped = env.json(&["outbox", "drop", "1"], 2).await?;
    assert_eq!(dropped["code"], "sync.refused");

    let removed = env.run(&["remote", "remove", "lab"]).await?;
    assert!(removed.status.success());
    let none = env.json(&["sync"], 0).await?;
    assert_eq!(none["report"]["delivered"], 0);
    server.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_in_urls_and_headers_and_clear_text_secrets_are_refused() -> TestResult {
    let env = Env::new()?;
    let in_url = env
        .json(&["remote", "add", "lab", "--url", "https://agent:hunter2@orders.example/tmf/v4/"], 2)
        .await?;
    assert_eq!(in_url["code"], "client.bad_profile", "{in_url}");
    let message = in_url["message"].as_str().unwrap_or_default();
    assert!(message.contains("no credentials in the URL"), "{in_url}");
    assert!(!message.contains("hunter2"), "the refusal repeats no password: {in_url}");
    let header = env
        .json(
            &[
                "remote",
                "add",
                "lab",
                "--url",
                "https://orders.example/tmf/v4/",
                "--header",
                "Authorization: Bearer abc",
            ],
            2,
        )
        .await?;
    assert_eq!(header["code"], "client.bad_profile", "{header}");
    assert!(header["message"].as_str().unwrap_or_default().contains("header Authorization"));
    let clear = env
        .json(
            &["remote", "add", "lab", "--url", "http://orders.example/tmf/v4/", "--auth", "bearer"],
            2,
        )
        .await?;
    assert_eq!(clear["code"], "client.bad_profile", "{clear}");
    assert!(clear["message"].as_str().unwrap_or_default().contains("use https"), "{clear}");
    let listed = env.json(&["remote", "list"], 0).await?;
    assert_eq!(listed["profiles"], json!({}), "nothing was saved");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_are_never_stored_and_missing_ones_are_clear() -> TestResult {
    let env = Env::new()?;
    let out = env
        .json(
            &["remote", "add", "secure", "--url", "http://127.0.0.1:9/tmf/v4/", "--auth", "bearer"],
            0,
        )
        .await?;
    assert_eq!(out["auth"]["mode"], "bearer");
    let bad = env
        .json(&["remote", "add", "x", "--url", "http://127.0.0.1:9/", "--auth", "oauth2"], 2)
        .await?;
    assert_eq!(bad["code"], "cli.usage");
    let file = env.order_file.to_string_lossy().into_owned();
    let draft = env.json(&["draft", "import", &file], 0).await?;
    env.json(&["draft", "submit", draft["id"].as_str().ok_or("id")?], 0).await?;
    // No keychain entry and no ORDERDESK_SECRET_SECURE: the entry waits with a clear message.
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_orderdesk"));
    command.env_remove("ORDERDESK_SECRET_SECURE").env_remove("ORDERDESK_DB");
    let out = command.arg("--db").arg(&env.db).args(["--json", "sync"]).output().await?;
    let report: Value = serde_json::from_slice(&out.stdout)?;
    let error = report["report"]["entries"][0]["error"].as_str().unwrap_or_default();
    assert!(error.contains("ORDERDESK_SECRET_SECURE"), "{report}");
    // With the documented headless fallback the secret is used, and never written down.
    env.json(&["outbox", "retry", "1"], 0).await?;
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_orderdesk"));
    command.env("ORDERDESK_SECRET_SECURE", "hunter2-secret").env_remove("ORDERDESK_DB");
    let out = command.arg("--db").arg(&env.db).args(["--json", "sync"]).output().await?;
    let report: Value = serde_json::from_slice(&out.stdout)?;
    let error = report["report"]["entries"][0]["error"].as_str().unwrap_or_default();
    assert!(error.contains("cannot reach"), "the secret was found, the server is down: {report}");
    let mut stored = std::fs::read(&env.db)?;
    for suffix in ["-wal", "-shm"] {
        let mut path = env.db.clone().into_os_string();
        path.push(suffix);
        if let Ok(more) = std::fs::read(&path) {
            stored.extend(more);
        }
    }
    assert!(!String::from_utf8_lossy(&stored).contains("hunter2-secret"));
    Ok(())
}

/// The submit gate is the sync engine's: the CLI cannot queue what the app would refuse.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_with_errors_is_not_submitted() -> TestResult {
    let env = Env::new()?;
    env.json(&["remote", "add", "lab", "--url", "http://127.0.0.1:9/tmf/v4/"], 0).await?;
    let bad = env.order_file.with_file_name("bad.json");
    std::fs::write(
        &bad,
        json!({"productOrderItem": [{"id": "1", "action": "add", "quantity": 0}]}).to_string(),
    )?;
    let draft = env.json(&["draft", "import", &bad.to_string_lossy()], 0).await?;
    let id = draft["id"].as_str().ok_or("id")?;
    let refused = env.json(&["draft", "submit", id], 1).await?;
    let codes: Vec<&str> = refused["findings"]
        .as_array()
        .map(|l| l.iter().filter_map(|f| f["code"].as_str()).collect())
        .unwrap_or_default();
    assert!(codes.contains(&"item.quantity"), "{refused}");
    let outbox = env.json(&["outbox", "list"], 0).await?;
    assert_eq!(outbox.as_array().map(Vec::len), Some(0), "nothing was queued: {outbox}");
    Ok(())
}

/// A v4 order with its own `externalId` (a partner's purchase-order number) keeps it on the
/// server, and reaches it exactly once although the server drops answers after committing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_reference_reaches_the_server_once() -> TestResult {
    let server = start(ServerConfig {
        lifecycle: LifecycleConfig {
            acknowledged_for: Duration::from_secs(60),
            in_progress_for: Duration::from_secs(60),
            cancel_step: Duration::from_millis(20),
            fail_value: "FAIL".into(),
        },
        faults: orderdesk_server::FaultConfig {
            drop_after_commit: 0.3,
            ..orderdesk_server::FaultConfig::default()
        },
        ..ServerConfig::default()
    })
    .await?;
    let env = Env::new()?;
    let url = server.base_url_v4();
    env.json(&["remote", "add", "lab", "--url", &url, "--version", "v4"], 0).await?;
    let references: Vec<String> = (0..8).map(|i| format!("PO-456-{i}")).collect();
    for reference in &references {
        let file = env.order_file.with_file_name(format!("{reference}.json"));
        std::fs::write(
            &file,
            json!({"externalId": reference, "description": "partner order",
                "productOrderItem": [{"id": "1", "action": "add", "quantity": 1,
                    "productOffering": {"id": "14305"},
                    "product": {"productCharacteristic":
                        [{"name": "TEL_MSISDN", "value": "4915100001"}]}}]})
            .to_string(),
        )?;
        let draft = env.json(&["draft", "import", &file.to_string_lossy()], 0).await?;
        env.json(&["draft", "submit", draft["id"].as_str().ok_or("id")?], 0).await?;
    }
    let mut delivered = 0;
    for _ in 0..60 {
        let synced = env.json(&["sync"], 0).await?;
        delivered += synced["report"]["delivered"].as_u64().unwrap_or(0);
        if synced["status"]["queued"] == 0 && delivered as usize >= references.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(delivered as usize, references.len());
    // On the server: each reference once, as the partner wrote it.
    let http = reqwest::Client::new();
    for reference in &references {
        let found: Value = http
            .get(format!("{url}productOrder?externalId={reference}"))
            .send()
            .await?
            .json()
            .await?;
        let found = found.as_array().ok_or("a list")?;
        assert_eq!(found.len(), 1, "{reference}: {found:?}");
        assert_eq!(found[0]["externalId"], reference.as_str());
    }
    server.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submitted_draft_is_withdrawn_to_edit_and_the_edit_reaches_the_server() -> TestResult {
    let server = start(ServerConfig::default()).await?;
    let env = Env::new()?;
    let url = server.base_url_v5();
    let catalog_url = server.catalog_url_v4();
    env.json(&["remote", "add", "lab", "--url", &url, "--catalog-url", &catalog_url], 0).await?;
    env.json(&["catalog", "sync"], 0).await?;
    let file = env.order_file.to_string_lossy().into_owned();
    let imported = env.json(&["draft", "import", &file], 0).await?;
    let draft = imported["id"].as_str().ok_or("no draft id")?.to_owned();
    env.json(&["draft", "submit", &draft], 0).await?;

    // Queued: read-only, whoever edits.
    let refused = env.json(&["draft", "set-notes", &draft, "call first"], 2).await?;
    assert_eq!(refused["code"], "store.draft_submitted");
    let withdrawn = env.json(&["draft", "withdraw", &draft], 0).await?;
    assert_eq!(
        (withdrawn["profile"].as_str(), withdrawn["revision"].as_u64()),
        (Some("lab"), Some(1))
    );
    env.json(&["draft", "set-notes", &draft, "call first"], 0).await?;
    env.json(&["draft", "submit", &draft], 0).await?;
    let synced = env.json(&["sync"], 0).await?;
    assert_eq!(synced["report"]["delivered"], 1);

    // On the server with the edit; too late to withdraw, and still read-only.
    let orders = env.json(&["order", "list"], 0).await?;
    let server_id = orders[0]["serverId"].as_str().ok_or("no server id")?.to_owned();
    let shown = env.json(&["order", "show", &server_id], 0).await?;
    assert!(shown.to_string().contains("call first"), "{shown}");
    let late = env.json(&["draft", "withdraw", &draft], 2).await?;
    assert_eq!(late["code"], "store.draft_sent");
    assert!(late["message"].as_str().is_some_and(|m| m.contains("amend")), "{late}");
    let edit = env.json(&["draft", "set-notes", &draft, "after the fact"], 2).await?;
    assert_eq!(edit["code"], "store.draft_submitted");
    server.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_and_their_installed_products_through_the_cli() -> TestResult {
    let server = start(ServerConfig::default()).await?;
    let env = Env::new()?;
    // Without a profile there is no server to ask.
    let none = env.json(&["customer", "show", "CUST-000001"], 2).await?;
    assert!(none["code"].is_string(), "{none}");
    let url = server.base_url_v5();
    env.json(&["remote", "add", "lab", "--url", &url], 0).await?;
    let ada = env.json(&["customer", "show", "CUST-000001"], 0).await?;
    assert_eq!(
        (ada["id"].as_str(), ada["name"].as_str()),
        (Some("CUST-000001"), Some("Ada Lovelace"))
    );
    assert_eq!(ada["accounts"], json!(["BA-000001"]));
    assert_eq!(ada["phones"].as_array().map(Vec::len), Some(1));
    let products = env.json(&["product", "list", "--customer", "CUST-000001"], 0).await?;
    let rows = products.as_array().ok_or("not a list")?;
    // The TMF25 bundle first, then its line and plan.
    let shape: Vec<(Option<&str>, Option<u64>)> =
        rows.iter().map(|r| (r["offeringId"].as_str(), r["depth"].as_u64())).collect();
    assert_eq!(shape.first(), Some(&(Some("14277"), Some(0))));
    assert_eq!(shape.len(), 3);
    assert!(shape.iter().skip(1).all(|(_, d)| *d == Some(1)), "{shape:?}");
    let bundle = rows.first().and_then(|r| r["id"].as_str()).ok_or("no bundle id")?;
    assert!(rows.iter().skip(1).all(|r| r["parent"] == bundle));
    let unknown = env.json(&["customer", "show", "CUST-999999"], 2).await?;
    assert!(unknown["code"].as_str().is_some_and(|c| !c.is_empty()), "{unknown}");
    let text = env.run(&["product", "list", "--customer", "CUST-000001"]).await?;
    assert!(String::from_utf8_lossy(&text.stdout).contains("active"));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_by_hand_attempts_entries_waiting_out_their_back_off() -> TestResult {
    let env = Env::new()?;
    // Nothing listens there: every attempt fails to connect and backs off (2 s, then 4 s).
    let closed = std::net::TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}/tmf-api/productOrderingManagement/v4", closed.local_addr()?);
    drop(closed);
    env.json(&["remote", "add", "down", "--url", &url, "--version", "v4"], 0).await?;
    let file = env.order_file.to_string_lossy().into_owned();
    let imported = env.json(&["draft", "import", &file], 0).await?;
    env.json(&["draft", "submit", imported["id"].as_str().ok_or("id")?], 0).await?;
    for _ in 0..3 {
        env.json(&["sync"], 0).await?;
    }
    let entries = env.json(&["outbox", "list"], 0).await?;
    assert_eq!(entries[0]["attempts"], 3, "{entries}");
    assert_eq!(entries[0]["status"], "queued", "{entries}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn change_plan_add_option_and_disconnect_through_the_cli() -> TestResult {
    let server = start(ServerConfig::default()).await?;
    let env = Env::new()?;
    let (url, catalog_url) = (server.base_url_v4(), server.catalog_url_v4());
    env.json(&["remote", "add", "lab", "--url", &url, "--catalog-url", &catalog_url], 0).await?;
    // The change operations read offerings from the cached catalog.
    env.json(&["catalog", "sync"], 0).await?;
    let products = env.json(&["product", "list", "--customer", "CUST-000001"], 0).await?;
    let rows = products.as_array().ok_or("not a list")?;
    let id_of = |offering: &str| {
        rows.iter()
            .find(|r| r["offeringId"] == offering)
            .and_then(|r| r["id"].as_str())
            .map(str::to_owned)
            .ok_or(format!("no {offering} product"))
    };
    let (bundle, plan) = (id_of("14277")?, id_of("14344")?);
    let order = json!({"relatedParty": [{"id": "CUST-000001", "name": "Ada Lovelace",
        "role": "Customer", "@referredType": "Customer"}],
        "productOrderItem": [{"id": "1", "action": "add", "quantity": 1,
        "productOffering": {"id": "20006"}}]});
    let file = env.order_file.to_string_lossy().into_owned();
    std::fs::write(&env.order_file, order.to_string())?;
    let draft = env.json(&["draft", "import", &file], 0).await?["id"]
        .as_str()
        .ok_or("no draft id")?
        .to_owned();
    env.json(&["draft", "change-plan", &draft, "--product", &plan, "--offering", "20006"], 0)
        .await?;
    env.json(&["draft", "add-option", &draft, "--product", &bundle, "--offering", "14354"], 0)
        .await?;
    let shown = env.json(&["draft", "show", &draft], 0).await?;
    let items = shown["productOrderItem"].as_array().ok_or("no items")?;
    let actions = |product: &str| -> Vec<&str> {
        items
            .iter()
            .filter(|i| i["product"]["id"] == product)
            .filter_map(|i| i["action"].as_str())
            .collect()
    };
    // One modify of the bundle carries both the plan change and the option.
    assert_eq!(actions(&bundle), ["modify"], "{shown}");
    assert_eq!(actions(&plan), ["delete"], "{shown}");
    let adds: Vec<&str> = items
        .iter()
        .filter(|i| i["action"] == "add")
        .filter_map(|i| i["productOffering"]["id"].as_str())
        .collect();
    assert!(
        adds.contains(&"14354") && adds.iter().filter(|o| **o == "20006").count() == 2,
        "{adds:?}"
    );
    let option = items
        .iter()
        .find(|i| i["productOffering"]["id"] == "14354")
        .and_then(|i| i["id"].as_str())
        .ok_or("no option item")?;
    env.json(&["draft", "set-char", &draft, option, "CoverageOptions", "National"], 0).await?;
    // The server takes it: the products are the customer's and active.
    assert_eq!(env.json(&["draft", "submit", &draft], 0).await?["sync"], "queued");
    let synced = env.json(&["sync"], 0).await?;
    assert_eq!(synced["report"]["delivered"], 1, "{synced}");

    // A disconnect of the bundle deletes it and what it bundles.
    let other = env.json(&["draft", "import", &file], 0).await?["id"]
        .as_str()
        .ok_or("no draft id")?
        .to_owned();
    env.json(&["draft", "disconnect", &other, "--product", &bundle], 0).await?;
    let shown = env.json(&["draft", "show", &other], 0).await?;
    let deleted = shown["productOrderItem"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["action"] == "delete")
        .count();
    assert_eq!(deleted, 3, "{shown}");
    // An id the server does not know is refused before the draft changes.
    let unknown = env.json(&["draft", "disconnect", &other, "--product", "PRD-9999999"], 2).await?;
    assert!(unknown["code"].is_string(), "{unknown}");

    // Offline, a change is composed on the customer's cached products.
    server.shutdown().await;
    let offline = env.json(&["draft", "import", &file], 0).await?["id"]
        .as_str()
        .ok_or("no draft id")?
        .to_owned();
    env.json(&["draft", "change-plan", &offline, "--product", &plan, "--offering", "20006"], 0)
        .await?;
    let shown = env.json(&["draft", "show", &offline], 0).await?;
    let items = shown["productOrderItem"].as_array().ok_or("no items")?;
    assert!(
        items.iter().any(|i| i["product"]["id"] == plan.as_str() && i["action"] == "delete"),
        "{shown}"
    );
    let unknown =
        env.json(&["draft", "disconnect", &offline, "--product", "PRD-9999999"], 2).await?;
    assert!(unknown["message"].as_str().is_some_and(|m| m.contains("PRD-9999999")), "{unknown}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_is_amended_through_the_cli() -> TestResult {
    let server = start(ServerConfig {
        lifecycle: LifecycleConfig {
            acknowledged_for: Duration::from_secs(60),
            in_progress_for: Duration::from_secs(60),
            ..LifecycleConfig::default()
        },
        ..ServerConfig::default()
    })
    .await?;
    let env = Env::new()?;
    let url = server.base_url_v4();
    let catalog_url = server.catalog_url_v4();
    env.json(&["remote", "add", "lab", "--url", &url, "--catalog-url", &catalog_url], 0).await?;
    env.json(&["catalog", "sync"], 0).await?;
    let file = env.order_file.to_string_lossy().into_owned();
    let imported = env.json(&["draft", "import", &file], 0).await?;
    let draft = imported["id"].as_str().ok_or("no draft id")?.to_owned();
    env.json(&["draft", "submit", &draft], 0).await?;
    env.json(&["sync"], 0).await?;
    let orders = env.json(&["order", "list"], 0).await?;
    let order_id = orders[0]["id"].as_i64().ok_or("no order")?.to_string();

    // Mistakes come back at their fields, with exit 1, and nothing is queued.
    let bad = env.json(&["order", "amend", &order_id, "--start", "soon"], 1).await?;
    assert_eq!(bad["code"], "service.amend_blocked");
    assert_eq!(bad["problems"][0]["field"], "requestedStart", "{bad}");
    let bad = env.json(&["order", "amend", &order_id, "--quantity", "1", "many"], 2).await?;
    assert_eq!(bad["code"], "cli.usage", "{bad}");

    let start = (chrono::Utc::now() + chrono::Duration::days(7)).format("%Y-%m-%d").to_string();
    let detail = env
        .json(
            &[
                "order",
                "amend",
                &order_id,
                "--note",
                "second line wanted",
                "--start",
                &start,
                "--quantity",
                "1",
                "2",
                "--char",
                "1",
                "TEL_MSISDN",
                "4915100002",
            ],
            0,
        )
        .await?;
    let kinds: Vec<&str> = detail["timeline"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"amend-requested"), "{detail}");
    let synced = env.json(&["sync"], 0).await?;
    assert_eq!(synced["report"]["delivered"], 1, "{synced}");

    let shown = env.json(&["order", "show", &order_id], 0).await?;
    let events: Vec<&str> = shown["audit"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["event"].as_str())
        .collect();
    assert!(events.contains(&"amended"), "{shown}");
    let payload = &shown["payload"];
    assert!(payload["requestedStartDate"].as_str().is_some_and(|d| d.starts_with(&start)));
    assert_eq!(payload["productOrderItem"][0]["quantity"], 2, "{payload}");
    assert_eq!(
        payload["productOrderItem"][0]["product"]["productCharacteristic"][0]["value"],
        "4915100002",
        "{payload}"
    );
    assert!(payload["note"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|n| n["text"] == "second line wanted"));
    Ok(())
}
