//! Commands through Tauri's real IPC layer (`tauri::test`), with the app's own configuration
//! and capabilities: what the window may call, argument decoding, and the `{code, message}`
//! error shape.

use std::cell::RefCell;
use std::time::{Duration, Instant};

use orderdesk_app::{specta_builder, AppState};
use orderdesk_service::Service;
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindow;

struct Harness {
    _dir: tempfile::TempDir,
    _app: tauri::App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
    /// The editor state the window holds and the answer it came from (see [`Harness::editor`]).
    held: RefCell<Option<(u64, Value)>>,
}

fn harness() -> Harness {
    harness_for("main")
}

/// The app (with the dialog plugin it installs) and one window labelled `label`.
fn harness_for(label: &str) -> Harness {
    let dir = tempfile::tempdir().expect("temp dir");
    let service = Service::open(dir.path().to_path_buf()).expect("open service");
    let app = mock_builder()
        .plugin(tauri_plugin_dialog::init())
        .manage(AppState::new(service))
        .invoke_handler(specta_builder::<MockRuntime>().invoke_handler())
        .build(tauri::generate_context!("../tauri.conf.json"))
        .expect("build app");
    let window =
        tauri::WebviewWindowBuilder::new(&app, label, Default::default()).build().expect("window");
    Harness { _dir: dir, _app: app, window, held: RefCell::new(None) }
}

impl Harness {
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
        match self.call(cmd, args) {
            Ok(v) => v,
            Err(e) => panic!("{cmd} failed: {e}"),
        }
    }

    /// An editor command taken as the window takes it: an opened draft's whole state, then
    /// each change applied to the state held. Returns the state after the answer.
    fn editor(&self, cmd: &str, args: Value) -> Value {
        let answer = self.ok(cmd, args);
        let mut held = self.held.borrow_mut();
        let state = match answer["kind"].as_str() {
            None | Some("whole") => answer["state"].clone(),
            Some("change") => {
                let (base, state) = held.take().expect("a change follows an opened draft");
                assert_eq!(answer["base"].as_u64(), Some(base), "made on the state held");
                apply_change(state, &answer["change"])
            }
            Some(other) => panic!("an unknown answer: {other}"),
        };
        *held = Some((answer["seq"].as_u64().expect("seq"), state.clone()));
        state
    }
}

/// `list` with a splice (`{start, removed, inserted}`) applied.
fn splice(list: &Value, splice: &Value) -> Value {
    let list = list.as_array().expect("a list");
    let at = |key: &str| splice[key].as_u64().and_then(|n| usize::try_from(n).ok()).expect(key);
    let (start, end) = (at("start"), at("start") + at("removed"));
    let inserted = splice["inserted"].as_array().expect("inserted");
    Value::Array(list[..start].iter().chain(inserted).chain(&list[end..]).cloned().collect())
}

/// The editor state after a change, as the window builds it.
fn apply_change(mut state: Value, change: &Value) -> Value {
    for key in ["id", "revision", "tmfVersion", "updatedAt", "canUndo", "canRedo"] {
        state["draft"][key] = change[key].clone();
    }
    if !change["header"].is_null() {
        state["draft"]["header"] = change["header"].clone();
    }
    state["draft"]["items"] = splice(&state["draft"]["items"], &change["items"]);
    state["quote"]["items"] = splice(&state["quote"]["items"], &change["quoteItems"]);
    state["quote"]["findings"] = splice(&state["quote"]["findings"], &change["findings"]);
    for key in ["currencies", "hasErrors", "rounding"] {
        state["quote"][key] = change[key].clone();
    }
    state
}

fn revision(state: &Value) -> u64 {
    state["draft"]["revision"].as_u64().expect("revision")
}

#[test]
fn first_start_demo_and_editing_through_ipc() {
    let h = harness();
    let status = h.ok("app_status", json!({}));
    assert_eq!(status["firstStart"], json!(true));

    let demo = h.ok("start_demo", json!({}));
    assert!(demo["baseUrl"].as_str().is_some_and(|u| u.starts_with("http://127.0.0.1:")));

    let state = h.editor("new_draft", json!({}));
    let id = state["draft"]["id"].as_str().expect("id").to_owned();
    let state = h.editor(
        "edit_draft",
        json!({"id": id, "revision": revision(&state),
               "edit": {"op": "addOffering", "offeringId": "20125", "parent": null, "quantity": null}}),
    );
    let items = state["draft"]["items"].as_array().expect("items");
    assert!(items.len() > 1, "bundle with its required children");
    assert!(state["quote"]["currencies"][0]["total"]["taxIncluded"].is_string(), "money is text");

    // Errors cross IPC as {code, message}.
    let stale = h
        .call(
            "edit_draft",
            json!({"id": id, "revision": 1, "edit": {"op": "setPriority", "priority": "1"}}),
        )
        .expect_err("stale revision");
    assert_eq!(stale["code"], json!("store.conflict"));
    assert!(stale["message"].as_str().is_some_and(|m| m.contains("revision")));
    let missing = h.call("open_draft", json!({"id": "no-such-draft"})).expect_err("missing");
    assert_eq!(missing["code"], json!("store.not_found"));

    let blocked = h.call("submit_draft", json!({"id": id})).expect_err("errors block submit");
    assert_eq!(blocked["code"], json!("service.submit_blocked"));

    let undone = h.editor("undo", json!({"id": id}));
    assert_eq!(undone["draft"]["items"], json!([]));
    let rows = h.ok(
        "list_orders",
        json!({"query": {"text": "", "state": null, "sync": null,
        "customer": null, "updatedFrom": null, "updatedTo": null, "sort": "updatedDesc"}}),
    );
    // A page of the list: its rows and the whole list's count.
    assert_eq!(rows["rows"].as_array().map(Vec::len), Some(1));
    assert_eq!(rows["total"], json!(1));
    assert_eq!(rows["offset"], json!(0));
    let offerings =
        h.ok("search_offerings", json!({"text": "smart", "category": null, "limit": 10}));
    assert!(offerings.as_array().is_some_and(|o| !o.is_empty()));
}

#[test]
fn malformed_input_is_refused_in_rust() {
    let h = harness();
    let state = h.editor("new_draft", json!({}));
    let id = state["draft"]["id"].as_str().expect("id").to_owned();
    // An unknown edit never reaches the service.
    let bad = h.call("edit_draft", json!({"id": id, "revision": 1, "edit": {"op": "dropTables"}}));
    assert!(bad.is_err());
    // A negative revision does not fit the declared type.
    let bad = h.call("undo", json!({"id": 7}));
    assert!(bad.is_err());
    let not_order = h.call("import_order", json!({"text": "[1, 2]"})).expect_err("array");
    assert!(not_order["code"]
        .as_str()
        .is_some_and(|c| c.starts_with("core.") || c == "wire.shape"));
}

#[test]
fn saving_an_export_needs_a_window_to_ask_in() {
    let h = harness();
    let state = h.editor("new_draft", json!({}));
    let id = state["draft"]["id"].as_str().expect("id").to_owned();
    // Without the app's window there is no dialog to ask where; the answer says so plainly.
    let err = h.call("save_export", json!({"id": id, "version": "v5"})).expect_err("no window");
    assert_eq!(err["code"], "app.no_window", "{err}");
}

#[test]
fn commands_outside_the_capability_are_refused() {
    let h = harness();
    // The dialog plugin is installed (the shell opens the save dialog from Rust), so only the
    // capability file stands between the webview and the plugin's commands.
    let refused = h.call("plugin:dialog|save", json!({"options": {}})).expect_err("refused");
    assert!(refused.to_string().contains("not allowed"), "refused by the capability: {refused}");
    // The app's own commands are granted to the main window only: the same call is answered
    // there and refused in any other window.
    assert_eq!(h.ok("app_status", json!({}))["firstStart"], json!(true));
    let other = harness_for("other");
    let refused = other.call("app_status", json!({})).expect_err("another window");
    assert!(refused.to_string().contains("not allowed"), "{refused}");
    // A command nobody registered is refused too.
    assert!(h.call("drop_database", json!({})).is_err());
}

/// An order of `n` mobile lines, each with its required characteristic.
fn order_with(n: usize) -> String {
    let items: Vec<Value> = (1..=n)
        .map(|i| {
            json!({"id": i.to_string(), "action": "add", "quantity": 1,
                   "productOffering": {"id": "14305", "name": "Mobile Telephony"},
                   "product": {"productSpecification": {"id": "14307"},
                               "productCharacteristic": [{"name": "TEL_MSISDN", "valueType": "string",
                                                          "value": format!("+49170{i:07}")}]}})
        })
        .collect();
    json!({"@type": "ProductOrder", "productOrderItem": items}).to_string()
}

/// Repricing after one edit of a 200-item order, measured end to end through the command
/// layer (IPC decoding, load, apply, validate, price, save a revision, views, IPC encoding).
/// Prints the figures; `cargo test -p orderdesk-app --release --test ipc -- --ignored --nocapture`.
#[test]
#[ignore = "benchmark; run explicitly"]
fn reprice_200_items_through_ipc() {
    let h = harness();
    h.ok("start_demo", json!({}));
    let mut state = h.editor("import_order", json!({"text": order_with(200)}));
    let id = state["draft"]["id"].as_str().expect("id").to_owned();
    let mut times = Vec::new();
    for round in 0..40u32 {
        let started = Instant::now();
        state = h.editor(
            "edit_draft",
            json!({"id": id, "revision": revision(&state),
                   "edit": {"op": "setQuantity", "item": "17", "quantity": 1 + round % 5}}),
        );
        times.push(started.elapsed());
    }
    times.sort();
    let median = times.get(times.len() / 2).copied().unwrap_or(Duration::ZERO);
    let p90 = times.get(times.len() * 9 / 10).copied().unwrap_or(Duration::ZERO);
    println!("reprice 200 items via IPC: median {median:?}, p90 {p90:?}");
}

fn profile_input(name: &str, order_url: &str, catalog_url: &str) -> Value {
    json!({"input": {"editing": null, "name": name, "orderUrl": order_url,
        "catalogUrl": catalog_url, "version": "auto", "authMode": "none", "tokenUrl": "",
        "clientId": "", "scope": "", "secret": ""}})
}

#[test]
fn server_profiles_through_ipc() {
    let h = harness();
    h.ok("start_demo", json!({}));
    // The demo server answers the app's own client only: a profile of the agent's points at a
    // reference server of its own, running on a runtime of this test's.
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let lab = runtime
        .block_on(orderdesk_server::start(orderdesk_server::ServerConfig::default()))
        .expect("a reference server");
    let order_url = lab.base_url_v4();
    let catalog_url = lab.catalog_url_v4();

    // Field errors come back per field and save nothing.
    let bad = h.ok("save_profile", profile_input("no spaces", "file:///etc/passwd", ""));
    let fields: Vec<&str> = bad["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["name", "orderUrl"]);
    assert_eq!(bad["profile"], Value::Null);

    let tested = h.ok("test_connection", profile_input("lab", &order_url, &catalog_url));
    assert_eq!(tested["ok"], json!(true), "{tested}");

    let saved = h.ok("save_profile", profile_input("lab", &order_url, &catalog_url));
    assert_eq!(saved["errors"], json!([]));
    assert_eq!(saved["profile"]["secret"], json!("not-needed"));
    assert_eq!(saved["profile"]["active"], json!(false));

    let refreshed = h.ok("refresh_catalog", json!({"name": "lab"}));
    assert_eq!(refreshed["offerings"], json!(47));

    let listed = h.ok("set_active_profile", json!({"name": "lab"}));
    let active: Vec<&str> = listed
        .as_array()
        .expect("profiles")
        .iter()
        .filter(|p| p["active"] == json!(true))
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(active, ["lab"]);

    let unknown = h.call("set_active_profile", json!({"name": "nope"})).expect_err("unknown");
    assert_eq!(unknown["code"], json!("sync.unknown_profile"));
    let demo_gone = h.call("remove_profile", json!({"name": "demo"})).expect_err("demo stays");
    assert_eq!(demo_gone["code"], json!("service.invalid_input"));
    let left = h.ok("remove_profile", json!({"name": "lab"}));
    assert_eq!(left.as_array().map(Vec::len), Some(1));
    // A typed input that does not decode never reaches the service.
    assert!(h.call("save_profile", json!({"input": {"name": 5}})).is_err());
    runtime.block_on(lab.shutdown());
}

#[test]
fn moving_an_item_into_a_leaf_is_refused_through_ipc() {
    let h = harness();
    h.ok("start_demo", json!({}));
    let state = h.editor("new_draft", json!({}));
    let id = state["draft"]["id"].as_str().expect("id").to_owned();
    let state = h.editor(
        "edit_draft",
        json!({"id": id, "revision": revision(&state),
               "edit": {"op": "addOffering", "offeringId": "20125", "parent": null, "quantity": null}}),
    );
    let items = state["draft"]["items"].as_array().expect("items");
    let leaves: Vec<&str> =
        items.iter().filter(|i| i["depth"] == json!(1)).filter_map(|i| i["id"].as_str()).collect();
    assert!(leaves.len() >= 2, "{items:?}");
    let refused = h
        .call(
            "edit_draft",
            json!({"id": id, "revision": revision(&state),
                   "edit": {"op": "moveItem", "item": leaves[0], "parent": leaves[1], "index": null}}),
        )
        .expect_err("a leaf is not a bundle");
    assert_eq!(refused["code"], json!("core.not_a_bundle"));
    // To the top level is fine, and undo brings it back.
    let moved = h.editor(
        "edit_draft",
        json!({"id": id, "revision": revision(&state),
               "edit": {"op": "moveItem", "item": leaves[0], "parent": null, "index": null}}),
    );
    let last = moved["draft"]["items"].as_array().and_then(|i| i.last()).expect("items");
    assert_eq!((last["id"].as_str(), last["depth"].as_u64()), (Some(leaves[0]), Some(0)));
    let undone = h.editor("undo", json!({"id": id}));
    assert_eq!(undone["draft"]["items"], state["draft"]["items"]);
}

/// A valid draft for `customer` (a mobile line with its MSISDN), made through IPC.
fn valid_draft(h: &Harness, customer: &str) -> String {
    let state = h.editor("import_order", json!({"text": order_with(1)}));
    let id = state["draft"]["id"].as_str().expect("id").to_owned();
    h.editor(
        "edit_draft",
        json!({"id": id, "revision": revision(&state),
               "edit": {"op": "setCustomer", "customer": {"id": "C-1", "name": customer}}}),
    );
    id
}

#[test]
fn order_detail_cancel_and_outbox_through_ipc() {
    let h = harness();
    h.ok("start_demo", json!({}));
    let draft = valid_draft(&h, "Dana Voss");
    h.ok("submit_draft", json!({"id": draft}));
    let submission = h.ok("draft_submission", json!({"id": draft}));
    assert_eq!(
        (submission["sync"].clone(), submission["canWithdraw"].clone()),
        (json!("queued"), json!(true))
    );
    // Withdraw and edit, then submit again: the draft goes out once, with the edit.
    h.ok("withdraw_draft", json!({"id": draft}));
    assert_eq!(h.ok("draft_submission", json!({"id": draft})), Value::Null);
    h.ok("submit_draft", json!({"id": draft}));
    let status = h.ok("sync_status", json!({}));
    assert_eq!(status["queued"], json!(1));
    let entries = h.ok("outbox", json!({}));
    assert_eq!(entries[0]["kind"], json!("create"));
    assert_eq!(entries[0]["status"], json!("queued"));
    assert_eq!(entries[0]["dropNeedsForce"], json!(false));

    h.ok("sync_now", json!({}));
    let status = h.ok("sync_status", json!({}));
    assert_eq!((status["queued"].clone(), status["online"].clone()), (json!(0), json!(true)));
    let late = h.call("withdraw_draft", json!({"id": draft})).expect_err("sent");
    assert_eq!(late["code"], json!("store.draft_sent"));
    assert!(status["changes"].as_u64().is_some_and(|c| c > 0));
    let rows = h.ok(
        "list_orders",
        json!({"query": {"text": "", "state": null, "sync": null,
        "customer": null, "updatedFrom": null, "updatedTo": null, "sort": "updatedDesc"}}),
    );
    let order = rows["rows"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["kind"] == json!("order")))
        .and_then(|r| r["id"].as_str())
        .expect("the order is listed")
        .to_owned();
    let detail = h.ok("order_detail", json!({"id": order}));
    assert_eq!(detail["state"], json!("acknowledged"));
    assert_eq!(detail["timeline"][0]["kind"], json!("submitted"));
    assert!(detail["payload"].as_str().is_some_and(|p| p.contains("productOrderItem")));
    assert_eq!(detail["canCancel"], json!(true));

    // Input is checked in Rust; errors keep the {code, message} shape.
    let no_reason = h
        .call(
            "cancel_order",
            json!({"id": order, "reason": null, "note": " ", "requestedDate": null}),
        )
        .expect_err("reason required");
    assert_eq!(no_reason["code"], json!("service.invalid_input"));
    let past = h
        .call(
            "cancel_order",
            json!({"id": order, "reason": "other", "note": "x", "requestedDate": "1999-01-01"}),
        )
        .expect_err("past date");
    assert!(past["message"].as_str().is_some_and(|m| m.contains("past")));
    let detail = h.ok(
        "cancel_order",
        json!({"id": order, "reason": "customer-request", "note": "customer moved",
               "requestedDate": null}),
    );
    assert_eq!(detail["cancellation"]["reason"], json!("Customer request: customer moved"));
    assert_eq!(detail["canCancel"], json!(false));
    // A profile's policy is checked in Rust too.
    let profile = detail["profile"].clone();
    let bad_policy = h
        .call("set_profile_policy", json!({"name": profile, "json": "{\"discount\": 1}"}))
        .expect_err("not a policy");
    assert_eq!(bad_policy["code"], json!("service.bad_policy"));
    let entries = h.ok("outbox", json!({}));
    assert_eq!(entries[0]["kind"], json!("cancel"));
    assert_eq!(entries[0]["label"], json!("Dana Voss"));
    let bad = h.call("drop_entry", json!({"id": "abc", "force": false})).expect_err("bad id");
    assert_eq!(bad["code"], json!("service.invalid_input"));
    let choice = h.call("resolve_conflict", json!({"id": "1", "choice": "mine"}));
    assert!(choice.is_err(), "only the declared choices are accepted");
    let not_amendment = h
        .call("resolve_conflict", json!({"id": "1", "choice": "keepServer"}))
        .expect_err("a create is no amendment");
    assert_eq!(not_amendment["code"], json!("service.invalid_input"));
}

#[test]
fn sync_status_changes_arrive_as_typed_events() {
    use tauri::Manager;
    use tauri_specta::Event;

    let dir = tempfile::tempdir().expect("temp dir");
    let service = Service::open(dir.path().to_path_buf()).expect("open service");
    let builder = specta_builder::<MockRuntime>();
    let app = mock_builder()
        .manage(AppState::new(service))
        .invoke_handler(builder.invoke_handler())
        .build(tauri::generate_context!("../tauri.conf.json"))
        .expect("build app");
    builder.mount_events(&app);
    let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("main window");
    let h = Harness { _dir: dir, _app: app, window, held: RefCell::new(None) };

    let (tx, rx) = std::sync::mpsc::channel();
    orderdesk_app::events::SyncStatusChanged::listen(h._app.handle(), move |event| {
        let _ = tx.send(event.payload.0);
    });
    let service = h._app.state::<AppState>().service().expect("service");
    orderdesk_app::events::forward_sync_status(h._app.handle().clone(), &service);
    let first = rx.recv_timeout(Duration::from_secs(5)).expect("the current status first");
    assert_eq!(first.queued, 0);

    h.ok("start_demo", json!({}));
    let draft = valid_draft(&h, "Eli Park");
    h.ok("submit_draft", json!({"id": draft}));
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut queued = false;
    while Instant::now() < deadline && !queued {
        if let Ok(status) = rx.recv_timeout(Duration::from_millis(200)) {
            queued = status.queued == 1;
        }
    }
    assert!(queued, "the queued entry was announced without polling");
}

#[test]
fn the_locale_and_theme_are_settings_the_first_status_carries() {
    let h = harness();
    let saved = h.ok(
        "save_settings",
        json!({"settings": {"rounding": "halfUp", "defaultVersion": "v4", "locale": "de-at", "theme": "dark"}}),
    );
    assert_eq!((&saved["locale"], &saved["theme"]), (&json!("de-AT"), &json!("dark")));
    assert_eq!(h.ok("app_status", json!({}))["settings"], saved);
    let refused = h
        .call(
            "save_settings",
            json!({"settings": {"rounding": "halfUp", "defaultVersion": "v4", "locale": "", "theme": "sepia"}}),
        )
        .expect_err("a theme is one of three");
    assert!(refused.to_string().contains("sepia"), "{refused}");
    assert_eq!(h.ok("get_settings", json!({})), saved, "a refused save changes nothing");
}
