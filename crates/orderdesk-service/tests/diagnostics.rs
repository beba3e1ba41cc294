//! The log file and the diagnostics archive over a real database, the in-process demo server
//! and the sync engine: what support receives (the versions, a database check, the settings,
//! the logs) and what it must never receive (a secret, a customer's data).

mod common;

use std::io::Read;

use orderdesk_service::{
    logs, AuthMode, BuildInfo, ProfileInput, UpdateSettings, Version, VersionChoice,
};

const SECRET: &str = "tok-3f9a-never-logged";
const CUSTOMER_ID: &str = "C-PRIV-4711";
const CUSTOMER_NAME: &str = "Jane Privatperson";

fn unzip(path: &std::path::Path) -> Vec<(String, String)> {
    let file = std::fs::File::open(path).expect("archive");
    let mut archive = zip::ZipArchive::new(file).expect("a zip archive");
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).expect("entry");
            let mut text = String::new();
            entry.read_to_string(&mut text).expect("text");
            (entry.name().expect("entry name").to_string(), text)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_archive_holds_what_support_needs_and_no_secret_or_personal_data() {
    let log_dir = tempfile::tempdir().expect("log dir");
    let guard = logs::init(log_dir.path()).expect("logging starts");
    let (dir, service) = common::demo_service().await;

    // A profile with a secret, an order with a customer, sent through the sync engine.
    let saved = service
        .save_profile(ProfileInput {
            name: "lab".into(),
            order_url: "http://127.0.0.1:9/tmf-api/productOrderingManagement/v4/".into(),
            version: VersionChoice::Fixed(Version::V4),
            auth_mode: AuthMode::Bearer,
            secret: SECRET.into(),
            ..ProfileInput::default()
        })
        .await
        .expect("profile");
    assert!(saved.errors.is_empty(), "{:?}", saved.errors);
    service.set_active_profile("demo".into()).await.expect("demo active");
    let draft = common::valid_draft(&service, CUSTOMER_ID, CUSTOMER_NAME).await;
    service.submit(draft).await.expect("queued");
    service.sync_now().await.expect("sent");
    let feed = "https://updates.example.com/orderdesk/latest.json";
    service
        .save_update_settings(UpdateSettings { feed: feed.into(), check_on_start: false })
        .await
        .expect("update settings");
    // Everything logged so far reaches the file.
    drop(guard);

    let path = dir.path().join("diagnostics.zip");
    let build = BuildInfo {
        product: "Orderdesk".into(),
        version: "9.9.9".into(),
        commit: "0123456789ab".into(),
    };
    let saved = service
        .export_diagnostics(path.clone(), build, Some(log_dir.path().to_path_buf()))
        .await
        .expect("archive written");
    assert!(saved.database_ok);
    let entries = unzip(&path);
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names[..3], ["versions.json", "database.json", "settings.json"]);
    assert_eq!(names.len(), 4, "and today's log file: {names:?}");
    assert!(names[3].starts_with("logs/orderdesk.") && names[3].ends_with(".log"), "{names:?}");
    assert_eq!(saved.entries, names);

    let json = |name: &str| -> serde_json::Value {
        let text = &entries.iter().find(|(n, _)| n == name).expect(name).1;
        serde_json::from_str(text).expect("JSON")
    };
    let versions = json("versions.json");
    assert_eq!(versions["version"], "9.9.9");
    assert_eq!(versions["commit"], "0123456789ab");
    assert_eq!(versions["schemaVersion"], orderdesk_store::SCHEMA_VERSION);
    let database = json("database.json");
    assert_eq!(database["integrityCheck"], serde_json::json!(["ok"]));
    assert!(database["counts"].as_object().is_some_and(|c| !c.is_empty()));
    let settings = json("settings.json");
    assert_eq!(settings["updates"]["feed"], feed);
    let profiles: Vec<&str> = settings["profiles"]
        .as_array()
        .expect("profiles")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(profiles, ["demo", "lab"]);

    // The log: JSON lines, something at info, and never the secret or the customer.
    let log = &entries[3].1;
    let lines: Vec<serde_json::Value> =
        log.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
    assert!(lines.iter().any(|l| l["level"] == "INFO"), "{log}");
    for (name, text) in &entries {
        for private in [SECRET, CUSTOMER_ID, CUSTOMER_NAME] {
            assert!(!text.contains(private), "{name} holds {private:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_archive_is_written_when_the_services_did_not_start() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("diagnostics.zip");
    let failure = orderdesk_error::ErrorBody {
        code: "store.too_new".into(),
        message: "the database is from a newer version".into(),
    };
    let build = BuildInfo {
        product: "Orderdesk".into(),
        version: "9.9.9".into(),
        commit: "unknown".into(),
    };
    let saved =
        orderdesk_service::diagnostics::export_startup_failure(path.clone(), build, None, &failure)
            .await
            .expect("archive");
    assert!(!saved.database_ok);
    let entries = unzip(&path);
    assert_eq!(entries.len(), 2);
    assert!(entries[1].1.contains("store.too_new"));
}
