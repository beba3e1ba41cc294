//! `customer sync|search|show`, `product list` and `draft new --customer` as the built binary
//! against the reference server on 127.0.0.1: a full pull, incremental ones, search from the
//! cache, and the cache answering once the server is gone; `customer new` creating one.

use std::path::PathBuf;
use std::process::{Command, Output};

use orderdesk_server::{start, ServerConfig};
use serde_json::{json, Value};

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

struct Env {
    _dir: tempfile::TempDir,
    db: PathBuf,
}

impl Env {
    fn new() -> Result<Env, Box<dyn std::error::Error + Send + Sync>> {
        let dir = tempfile::tempdir()?;
        let db = dir.path().join("orderdesk.db");
        Ok(Env { _dir: dir, db })
    }

    async fn run(&self, args: &[&str]) -> Result<Output, std::io::Error> {
        let mut command =
            tokio::process::Command::from(Command::new(env!("CARGO_BIN_EXE_orderdesk")));
        command.env_remove("ORDERDESK_DB").arg("--db").arg(&self.db).args(args);
        command.output().await
    }

    /// Runs with `--json`, expects exit `code`, returns stdout as JSON and stderr.
    async fn json(
        &self,
        args: &[&str],
        code: i32,
    ) -> Result<(Value, String), Box<dyn std::error::Error + Send + Sync>> {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.run(&all).await?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(
            out.status.code(),
            Some(code),
            "orderdesk {args:?}\nstdout: {stdout}\nstderr: {stderr}"
        );
        Ok((serde_json::from_str(&stdout)?, stderr))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_sync_into_the_cache_are_searched_offline_and_start_drafts() -> TestResult {
    let server = start(ServerConfig::default()).await?;
    let env = Env::new()?;
    // The profile names its own customer and inventory roots.
    let customer_url = format!("{}/tmf-api/customerManagement/v4/", server.base_url());
    let inventory_url = format!("{}/tmf-api/productInventory/v4/", server.base_url());
    let (profile, _) = env
        .json(
            &[
                "remote",
                "add",
                "lab",
                "--url",
                &server.base_url_v4(),
                "--customer-url",
                &customer_url,
                "--inventory-url",
                &inventory_url,
            ],
            0,
        )
        .await?;
    assert_eq!(profile["customerUrl"], customer_url.as_str());
    assert_eq!(profile["inventoryUrl"], inventory_url.as_str());
    let (bad, _) = env
        .json(
            &["remote", "add", "bad", "--url", &server.base_url_v4(), "--customer-url", "ftp://x/"],
            2,
        )
        .await?;
    assert!(bad["message"].as_str().is_some_and(|m| m.contains("customer URL")), "{bad}");

    // Nothing cached yet: search finds nothing, offline or not.
    let (none, _) = env.json(&["customer", "search", "Lovelace"], 0).await?;
    assert_eq!(none, json!([]));

    let (first, _) = env.json(&["customer", "sync"], 0).await?;
    assert_eq!(first["mode"], "full", "{first}");
    assert_eq!((first["received"].as_u64(), first["cached"].as_u64()), (Some(300), Some(300)));
    // Every demo customer carries `lastUpdate`: the next sync asks only for changes.
    let (second, _) = env.json(&["customer", "sync"], 0).await?;
    assert_eq!(second["mode"], "incremental", "{second}");
    assert_eq!(second["received"], 0, "{second}");

    let created: Value = reqwest::Client::new()
        .post(format!("{customer_url}customer"))
        .json(&json!({"name": "Zeno Newcomer",
            "engagedParty": {"id": "IND-NEW", "name": "Zeno Newcomer", "@referredType": "Individual"},
            "contactMedium": [{"mediumType": "email",
                "characteristic": {"emailAddress": "zeno@example.org"}}]}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let zeno = created["id"].as_str().ok_or("no id")?.to_owned();
    let (third, _) = env.json(&["customer", "sync", "--products"], 0).await?;
    assert_eq!(third["mode"], "incremental", "{third}");
    assert_eq!((third["received"].as_u64(), third["cached"].as_u64()), (Some(1), Some(301)));
    assert_eq!(third["products"]["customers"], 301, "{third}");
    assert!(third["products"]["products"].as_u64().is_some_and(|n| n > 300), "{third}");

    let (ada, _) = env.json(&["customer", "search", "lovelace"], 0).await?;
    let first_hit = ada.as_array().and_then(|rows| rows.first()).ok_or("no hit")?;
    assert_eq!(first_hit["id"], "CUST-000001", "{ada}");
    assert_eq!(first_hit["account"], "BA-000001", "{ada}");
    let phone = first_hit["phone"].as_str().ok_or("no phone")?.to_owned();
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let (by_phone, _) = env.json(&["customer", "search", &digits], 0).await?;
    assert!(by_phone.as_array().into_iter().flatten().any(|r| r["id"] == "CUST-000001"));
    let (by_mail, _) = env.json(&["customer", "search", "zeno@example"], 0).await?;
    assert_eq!(by_mail[0]["id"], zeno.as_str(), "{by_mail}");
    let (by_account, _) = env.json(&["customer", "search", "BA-000001"], 0).await?;
    assert_eq!(by_account[0]["id"], "CUST-000001", "{by_account}");

    let (online, stderr) = env.json(&["product", "list", "--customer", "CUST-000001"], 0).await?;
    assert!(stderr.is_empty(), "{stderr}");
    let (shown, _) = env.json(&["customer", "show", "CUST-000001"], 0).await?;
    assert!(shown.get("stale").is_none(), "{shown}");

    // The server goes away: the cache answers, and says so.
    server.shutdown().await;
    let (cached, stderr) = env.json(&["customer", "show", "CUST-000001"], 0).await?;
    assert_eq!(cached["name"], "Ada Lovelace");
    assert!(cached["stale"].is_string(), "{cached}");
    assert!(stderr.contains("cached customer"), "{stderr}");
    let (offline, stderr) = env.json(&["product", "list", "--customer", "CUST-000001"], 0).await?;
    assert_eq!(offline, online, "the cached products are the ones the server listed");
    assert!(stderr.contains("cached products"), "{stderr}");
    let (still, _) = env.json(&["customer", "search", "Ada Love"], 0).await?;
    assert_eq!(still[0]["id"], "CUST-000001");
    // A customer never cached cannot be shown without the server.
    env.json(&["customer", "show", "CUST-999999"], 2).await?;

    // A draft for the customer, in v5 and in the default v4.
    let (draft, _) =
        env.json(&["draft", "new", "--customer", "CUST-000001", "--version", "v5"], 0).await?;
    let id = draft["id"].as_str().ok_or("no draft id")?;
    let (order, _) = env.json(&["draft", "show", id], 0).await?;
    let party = &order["relatedParty"][0];
    assert_eq!(party["role"], "Customer", "{order}");
    assert_eq!(party["partyOrPartyRole"]["id"], "CUST-000001", "{order}");
    assert_eq!(party["partyOrPartyRole"]["name"], "Ada Lovelace", "{order}");
    let (draft, _) = env.json(&["draft", "new", "--customer", &zeno], 0).await?;
    let (order, _) = env.json(&["draft", "show", draft["id"].as_str().ok_or("id")?], 0).await?;
    assert_eq!(order["relatedParty"][0]["id"], zeno.as_str(), "{order}");
    let out = env.run(&["draft", "new", "--customer", "CUST-000002"]).await?;
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!String::from_utf8_lossy(&out.stdout).trim().is_empty());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_customer_is_created_on_the_server_and_searched_from_the_cache() -> TestResult {
    let server = start(ServerConfig::default()).await?;
    let env = Env::new()?;
    env.json(&["remote", "add", "lab", "--url", &server.base_url_v5()], 0).await?;
    let (row, _) = env
        .json(
            &[
                "customer",
                "new",
                "--name",
                "Grace Hopper",
                "--phone",
                "+1 202 555 0100",
                "--email",
                "grace@navy.example.org",
            ],
            0,
        )
        .await?;
    let id = row["id"].as_str().ok_or("no id")?.to_owned();
    assert_eq!(row["name"], "Grace Hopper", "{row}");
    assert_eq!(row["phone"], "+1 202 555 0100", "{row}");
    // No sync ran: the creation cached her.
    let (found, _) = env.json(&["customer", "search", "Hopper"], 0).await?;
    assert_eq!(found, json!([row]));
    let on_server: Value = reqwest::Client::new()
        .get(format!("{}/tmf-api/customerManagement/v5/customer/{id}", server.base_url()))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    assert_eq!(on_server["name"], "Grace Hopper");

    // Without --json the id alone; a bad phone is refused with the core's words.
    let out = env.run(&["customer", "new", "--name", "Ada Two"]).await?;
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let second = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(!second.is_empty() && second != id, "{second}");
    let (bad, _) =
        env.json(&["customer", "new", "--name", "Ada", "--phone", "0170 1234567"], 2).await?;
    assert_eq!(bad["code"], "customer.bad_phone", "{bad}");
    assert!(bad["message"].as_str().is_some_and(|m| m.contains("country code")), "{bad}");

    server.shutdown().await;
    let (offline, _) = env.json(&["customer", "new", "--name", "Nobody"], 2).await?;
    assert_eq!(offline["code"], "customer.create_offline", "{offline}");
    Ok(())
}
