//! Signed updates end to end through the app's own commands (`tauri::test` IPC with the app's
//! configuration and capabilities) and the real updater plugin: a signing key made here, as
//! `tauri signer generate` makes one, and an update feed served here on 127.0.0.1.
//!
//! The installed program is an AppImage stand-in in a temporary directory (the updater
//! installs AppImage updates by swapping that file); what is checked is what the agent relies
//! on: what is new is shown, a tampered package or one signed for another version is refused
//! and nothing changes, a correctly signed one is installed, and the drafts are still there.

use std::io::Cursor;
use std::net::SocketAddr;
use std::path::PathBuf;

use base64::Engine;
use orderdesk_app::updates::Updates;
use orderdesk_app::{specta_builder, AppState};
use orderdesk_service::Service;
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindow};

/// A version above any this repository will have.
const OFFERED: &str = "1000.0.0";
const NOTES: &str = "Orders can be cloned.\nFaster catalog search.";
const INSTALLED: &[u8] = b"\x7fELF Orderdesk AppImage, the installed version";

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// A key pair as `tauri signer generate` makes it: the public key as base64 of minisign's
/// public key file, which is what `plugins.updater.pubkey` holds.
struct Signer {
    keys: minisign::KeyPair,
}

impl Signer {
    fn new() -> Self {
        Signer { keys: minisign::KeyPair::generate_unencrypted_keypair().expect("key pair") }
    }

    fn pubkey(&self) -> String {
        b64(&self.keys.pk.to_box().expect("public key box").to_string())
    }

    /// A signature as `tauri signer sign` writes it (base64 of the `.sig` file), recording in
    /// its trusted comment the version it was signed for.
    fn sign(&self, bytes: &[u8], version: &str) -> String {
        let trusted = format!("timestamp:1700000000\tfile:Orderdesk.AppImage\tversion:{version}");
        let signature = minisign::sign(
            Some(&self.keys.pk),
            &self.keys.sk,
            Cursor::new(bytes),
            Some(&trusted),
            Some("signature from tauri secret key"),
        )
        .expect("signature");
        b64(&signature.to_string())
    }
}

/// The feed: `/<name>.json` announces [`OFFERED`] with the package at `/<name>.pkg`.
async fn serve(feeds: Vec<(&'static str, Vec<u8>, String)>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let mut router = axum::Router::new();
    for (name, package, signature) in feeds {
        let manifest = json!({
            "version": OFFERED,
            "notes": NOTES,
            "pub_date": "2026-11-30T12:00:00Z",
            "platforms": {
                format!("linux-{}", std::env::consts::ARCH): {
                    "signature": signature,
                    "url": format!("http://{addr}/{name}.pkg"),
                }
            }
        });
        router = router
            .route(
                &format!("/{name}.json"),
                axum::routing::get(move || async move { axum::Json(manifest) }),
            )
            .route(&format!("/{name}.pkg"), axum::routing::get(move || async move { package }));
    }
    tokio::spawn(async move { axum::serve(listener, router).await });
    addr
}

struct Harness {
    _app: tauri::App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
}

impl Harness {
    /// The app with the updater plugin, verifying with `pubkey`, over `data`; AppImage
    /// updates go over `installed`.
    fn new(data: PathBuf, pubkey: &str, installed: PathBuf) -> Self {
        let mut context = tauri::generate_context!("../tauri.conf.json");
        context.config_mut().plugins.0.insert(
            "updater".into(),
            json!({ "pubkey": pubkey, "endpoints": [], "requireSignedVersion": true }),
        );
        let service = Service::open(data).expect("open service");
        let app = mock_builder()
            .plugin(tauri_plugin_updater::Builder::new().build())
            .manage(AppState::new(service))
            .invoke_handler(specta_builder::<MockRuntime>().invoke_handler())
            .build(context)
            .expect("build app");
        app.manage(Updates::new(app.handle()).installing_over(installed));
        let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("main window");
        Harness { _app: app, window }
    }

    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().expect("url"),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(&self.window, request)
            .map(|body| body.deserialize::<Value>().expect("JSON answer"))
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args).unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }

    fn use_feed(&self, addr: SocketAddr, name: &str) {
        let feed = format!("http://{addr}/{name}.json");
        let saved = self.ok(
            "save_update_settings",
            json!({ "settings": { "feed": feed, "checkOnStart": true } }),
        );
        assert_eq!(saved["feed"], feed);
    }

    fn drafts(&self) -> Vec<String> {
        let rows =
            self.ok("list_orders", json!({ "query": { "text": "", "sort": "updatedDesc" } }));
        let mut ids: Vec<String> = rows["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .filter(|r| r["kind"] == "draft")
            .map(|r| r["id"].as_str().expect("id").to_owned())
            .collect();
        ids.sort();
        ids
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_correctly_signed_update_is_installed_and_the_drafts_stay() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let installed = dir.path().join("Orderdesk.AppImage");
    std::fs::write(&installed, INSTALLED).expect("installed AppImage");

    let signer = Signer::new();
    // An ELF header is what the updater checks an AppImage for (and it wants a whole one).
    let mut package = b"\x7fELF Orderdesk AppImage, the new version".to_vec();
    package.resize(256, 0);
    let mut tampered = package.clone();
    if let Some(last) = tampered.last_mut() {
        *last ^= 0x01;
    }
    let addr = serve(vec![
        ("good", package.clone(), signer.sign(&package, OFFERED)),
        ("tampered", tampered, signer.sign(&package, OFFERED)),
        // A genuine package, signed for another version than the feed announces (an old
        // release passed off as new).
        ("relabelled", package.clone(), signer.sign(&package, "999.0.0")),
        ("stranger", package.clone(), Signer::new().sign(&package, OFFERED)),
    ])
    .await;

    let app = Harness::new(data.clone(), &signer.pubkey(), installed.clone());
    let order = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../assets/orders/tmf25-bundle.v4.json"
    ))
    .expect("sample order");
    app.ok("import_order", json!({ "text": order }));
    app.ok("new_draft", json!({}));
    let drafts = app.drafts();
    assert_eq!(drafts.len(), 2);

    for (feed, why) in [
        ("tampered", "a package changed after signing"),
        ("relabelled", "a package signed for another version"),
        ("stranger", "a package signed with another key"),
    ] {
        app.use_feed(addr, feed);
        let offered = app.ok("check_update", json!({}));
        assert_eq!(offered["version"], OFFERED, "{why}: the feed's offer is shown");
        let refused = app
            .call("install_update", json!({ "version": OFFERED }))
            .expect_err(&format!("{why} must be refused"));
        assert_eq!(refused["code"], "update.bad_signature", "{why}: {refused}");
        assert!(
            refused["message"].as_str().is_some_and(|m| m.contains("nothing was installed")),
            "{why}: {refused}"
        );
        assert_eq!(std::fs::read(&installed).expect("installed"), INSTALLED, "{why}: untouched");
    }

    app.use_feed(addr, "good");
    let offered = app.ok("check_update", json!({}));
    assert_eq!(offered["version"], OFFERED);
    assert_eq!(offered["currentVersion"], env!("CARGO_PKG_VERSION"));
    assert_eq!(offered["notes"], NOTES, "what is new is shown");
    assert_eq!(offered["date"], "2026-11-30T12:00:00Z");
    // Installing names the version the agent saw; another one is not on offer.
    let unknown =
        app.call("install_update", json!({ "version": "1.2.3" })).expect_err("not offered");
    assert_eq!(unknown["code"], "update.not_checked");
    app.ok("check_update", json!({}));
    app.ok("install_update", json!({ "version": OFFERED }));
    assert_eq!(std::fs::read(&installed).expect("installed"), package, "the update is in place");
    assert_eq!(app.drafts(), drafts, "the drafts are still there");
    drop(app);

    // The next start opens the same data directory and finds the same drafts.
    let restarted = Harness::new(data, &signer.pubkey(), installed);
    assert_eq!(restarted.drafts(), drafts);
}
