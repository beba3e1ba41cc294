//! The services end to end over a real database in a temp dir, with the demo catalog.

mod common;

use orderdesk_error::ErrorCode;
use orderdesk_service::{
    Edit, OrderListQuery, OrderState, RefInput, Rounding, Service, Settings, Severity, SyncBadge,
    Theme, Tuning, Version,
};
use orderdesk_store::Queries as _;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_start_then_demo_mode() {
    let dir = tempfile::tempdir().expect("temp dir");
    let service = Service::open(dir.path().to_path_buf()).expect("open");
    let status = service.status().await.expect("status");
    assert!(status.first_start);
    assert!(status.demo.is_none());
    let demo = service.start_demo().await.expect("demo");
    assert!(demo.base_url.starts_with("http://127.0.0.1:"), "{}", demo.base_url);
    assert_eq!(demo.offerings, 47);
    let status = service.status().await.expect("status");
    assert!(!status.first_start);
    let profile = status.profiles.first().expect("the demo server is a server profile");
    assert_eq!(profile.name, "demo");
    assert_eq!(
        profile.tmf_version,
        orderdesk_service::VersionChoice::Fixed(orderdesk_service::Version::V4)
    );
    assert!(
        profile.base_url.ends_with("/tmf-api/productOrderingManagement/v4/"),
        "{}",
        profile.base_url
    );
    assert!(profile.base_url.starts_with(&demo.base_url));
    service.stop_demo().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_server_resumes_on_its_cached_catalog() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().to_path_buf();
    let first = {
        let service = Service::open(path.clone()).expect("open");
        service.start_demo().await.expect("demo");
        let info = service.catalog_info().await.expect("info").expect("the demo catalog");
        assert!(info.version.starts_with("demo-"), "{}", info.version);
        assert_eq!(info.source, "demo server");
        service.stop_demo().await;
        assert!(service.status().await.expect("status").demo.is_none(), "stopped");
        info
    };

    // The next start finds the same catalog cached and does not import it again.
    let service = Service::open(path.clone()).expect("reopen");
    assert!(service.status().await.expect("status").demo.is_none(), "not resumed yet");
    let resumed = service.resume_demo().await.expect("resume").expect("chosen before");
    assert_eq!(resumed.offerings, 47);
    assert_eq!(resumed.catalog_version, first.version);
    let again = service.catalog_info().await.expect("info").expect("cached");
    assert_eq!(again.imported_at, first.imported_at, "not imported again");
    let status = service.status().await.expect("status");
    assert_eq!(status.demo.as_ref().map(|d| d.base_url.as_str()), Some(resumed.base_url.as_str()));
    service.stop_demo().await;

    // Another catalog imported in between is replaced by the demo's on the next start.
    let service = Service::open(path).expect("reopen");
    let one = r#"{"productOffering":[{"id":"x1","name":"Only one","isBundle":false}]}"#;
    service.import_catalog(one.to_owned(), "a file".to_owned()).await.expect("import");
    let resumed = service.resume_demo().await.expect("resume").expect("chosen before");
    assert_eq!(resumed.offerings, 47);
    let info = service.catalog_info().await.expect("info").expect("cached");
    assert_eq!(
        (info.version.as_str(), info.source.as_str()),
        (first.version.as_str(), "demo server")
    );
    service.stop_demo().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_undo_redo_and_restore() {
    let (_dir, service) = common::demo_service().await;
    let state = service.new_draft().await.expect("new draft");
    let id = state.draft.id.clone();
    assert!(state.draft.items.is_empty());
    assert!(state.quote.has_errors, "an empty order is not submittable");

    // Fibre Home is a bundle: its required children come with it.
    let state = service
        .edit(
            id.clone(),
            state.draft.revision,
            Edit::AddOffering { offering_id: "20059".into(), parent: None, quantity: None },
        )
        .await
        .expect("add bundle");
    let bundle = state.draft.items.first().expect("bundle item");
    assert!(bundle.is_bundle);
    assert!(state.draft.items.len() > 1, "required children were added");
    assert!(state.draft.items.iter().skip(1).all(|i| i.depth == 1));
    assert!(state.draft.can_undo && !state.draft.can_redo);
    let currency = state.quote.currencies.first().expect("priced");
    assert_eq!(currency.currency, "EUR");
    assert!(!currency.schedule.is_empty());

    let state = service
        .edit(
            id.clone(),
            state.draft.revision,
            Edit::SetCustomer {
                customer: Some(RefInput { id: "C-17".into(), name: "Ada Lovelace".into() }),
            },
        )
        .await
        .expect("customer");
    assert_eq!(state.draft.header.customer.as_ref().map(|c| c.name.as_str()), Some("Ada Lovelace"));
    let customer_revision = state.draft.revision;

    // A stale revision is refused, not merged.
    let stale = service
        .edit(id.clone(), customer_revision - 1, Edit::SetPriority { priority: Some("1".into()) })
        .await;
    assert_eq!(stale.err().map(|e| e.code()), Some("store.conflict"));

    let undone = service.undo(id.clone()).await.expect("undo");
    assert!(undone.draft.header.customer.is_none());
    assert!(undone.draft.can_redo);
    let redone = service.redo(id.clone()).await.expect("redo");
    assert_eq!(redone.draft.header.customer.as_ref().map(|c| c.id.as_str()), Some("C-17"));
    assert!(
        service.redo(id.clone()).await.err().map(|e| e.code()) == Some("service.nothing_to_do")
    );

    let history = service.history(id.clone()).await.expect("history");
    assert_eq!(history.first().map(|r| r.revision), Some(redone.draft.revision));
    assert_eq!(history.last().map(|r| r.revision), Some(1));
    let restored = service.restore(id.clone(), 1).await.expect("restore");
    assert!(restored.draft.items.is_empty());
    assert!(restored.draft.revision > redone.draft.revision, "restore adds a revision");
    service.stop_demo().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn characteristics_findings_and_list() {
    let (_dir, service) = common::demo_service().await;
    let state = service.new_draft().await.expect("new draft");
    let id = state.draft.id.clone();
    let state = service
        .edit(
            id.clone(),
            state.draft.revision,
            Edit::AddOffering { offering_id: "14305".into(), parent: None, quantity: Some(2) },
        )
        .await
        .expect("add mobile");
    let item = state.draft.items.first().expect("item").clone();
    let msisdn = item.characteristics.iter().find(|c| c.name == "TEL_MSISDN").expect("spec field");
    assert!(msisdn.required && msisdn.value.is_none());
    let finding = state.quote.findings.iter().find(|f| {
        f.item.as_deref() == Some(item.id.as_str()) && f.field.as_deref() == Some("TEL_MSISDN")
    });
    assert!(
        finding.is_some(),
        "missing required characteristic is located: {:?}",
        state.quote.findings
    );
    // Its place reads in words, as the form field is labelled; the code stays in `field`.
    assert_eq!(finding.and_then(|f| f.field_label.as_deref()), Some(msisdn.label.as_str()));
    assert_eq!(msisdn.label, "Phone number");

    let state = service
        .edit(
            id.clone(),
            state.draft.revision,
            Edit::SetCharacteristic {
                item: item.id.clone(),
                name: "TEL_MSISDN".into(),
                value: "+4917012345".into(),
            },
        )
        .await
        .expect("set characteristic");
    let field = state
        .draft
        .items
        .first()
        .and_then(|i| i.characteristics.iter().find(|c| c.name == "TEL_MSISDN"));
    assert_eq!(field.and_then(|f| f.value.as_deref()), Some("+4917012345"));

    let bad = service
        .edit(
            id.clone(),
            state.draft.revision,
            Edit::SetQuantity { item: "nope".into(), quantity: 1 },
        )
        .await;
    assert_eq!(bad.err().map(|e| e.code()), Some("core.unknown_item"));
    let bad_date = service
        .edit(
            id.clone(),
            state.draft.revision,
            Edit::SetRequestedDates { start: Some("tomorrow".into()), completion: None },
        )
        .await;
    assert_eq!(bad_date.err().map(|e| e.code()), Some("service.invalid_input"));

    let state = service
        .edit(
            id.clone(),
            state.draft.revision,
            Edit::SetCustomer {
                customer: Some(RefInput { id: "C-9".into(), name: "Grace Hopper".into() }),
            },
        )
        .await
        .expect("customer");
    let rows = service
        .list_orders(OrderListQuery { text: "Grace".into(), ..OrderListQuery::default() })
        .await
        .expect("list")
        .rows;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows.first().and_then(|r| r.customer.as_deref()), Some("Grace Hopper"));
    assert_eq!(rows.first().map(|r| r.item_count), Some(1));
    let none = service
        .list_orders(OrderListQuery {
            customer: Some("nobody".into()),
            ..OrderListQuery::default()
        })
        .await
        .expect("list")
        .rows;
    assert!(none.is_empty());

    let v5 = service.export_draft(id.clone(), Version::V5).await.expect("export v5");
    assert!(v5.contains("partyOrPartyRole"), "{v5}");
    let imported = service.import_order(v5).await.expect("import v5");
    assert_eq!(imported.draft.tmf_version, Version::V5);
    assert_eq!(imported.draft.header.customer.map(|c| c.name), Some("Grace Hopper".into()));
    assert_eq!(
        imported.quote.currencies, state.quote.currencies,
        "same price after a v4 -> v5 round trip"
    );
    let not_json = service.import_order("{oops".into()).await;
    assert_eq!(not_json.err().map(|e| e.code()), Some("input.not_json"));
    service.stop_demo().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalog_search_and_settings() {
    let (_dir, service) = common::demo_service().await;
    let hits = service.search_offerings("fibr".into(), None, 50).await.expect("search");
    assert!(hits.iter().any(|o| o.id == "20059"), "prefix search finds Fibre Home");
    let devices = service
        .search_offerings(String::new(), Some("cat-device".into()), 100)
        .await
        .expect("category");
    assert!(
        !devices.is_empty()
            && devices.iter().all(|o| o.categories.iter().any(|c| c == "cat-device"))
    );
    let detail = service.offering("20059".into()).await.expect("detail");
    assert!(!detail.bundle.is_empty());
    // Prices travel as data (the UI writes them in the agent's locale), alterations left out.
    let tag = |amount: &str, period: Option<&str>| orderdesk_service::PriceTag {
        amount: amount.into(),
        currency: Some("EUR".into()),
        period: period.map(Into::into),
    };
    let access = service.offering("20019".into()).await.expect("Fibre Access");
    assert_eq!(access.summary.price_tags, vec![tag("49", None), tag("29.99", Some("month"))]);
    let plan = service.offering("14344".into()).await.expect("Tariff Plan, with a discount");
    assert_eq!(plan.summary.price_tags, vec![tag("20", Some("month"))]);
    assert!(service.offering("missing".into()).await.is_err());

    let saved = service
        .save_settings(Settings {
            rounding: Rounding::HalfEven,
            default_version: Version::V5,
            ..Settings::default()
        })
        .await
        .expect("settings");
    assert_eq!(saved.rounding, Rounding::HalfEven);
    let draft = service.new_draft().await.expect("draft");
    assert_eq!(draft.draft.tmf_version, Version::V5);
    assert_eq!(draft.quote.rounding, Rounding::HalfEven);
    // Stored in the form earlier releases wrote, with the locale, the theme and the shop's name
    // beside.
    let store = orderdesk_store::Store::open(service.data_dir().join(orderdesk_service::DB_FILE))
        .expect("store");
    assert_eq!(
        store.setting("app.settings").expect("setting"),
        Some(serde_json::json!({
            "rounding": "halfEven",
            "defaultVersion": "v5",
            "locale": "",
            "theme": "system",
            "shopName": ""
        }))
    );
    service.stop_demo().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_locale_and_theme_are_saved_checked_and_reach_the_first_screen() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let service = Service::open_tuned(data.clone(), Tuning::default()).expect("open");
    let defaults = service.settings();
    assert_eq!((defaults.locale.as_str(), defaults.theme), ("", Theme::System));

    // A tag in any case is kept in its canonical form.
    let saved = service
        .save_settings(Settings {
            locale: " de-de ".into(),
            theme: Theme::Dark,
            ..Settings::default()
        })
        .await
        .expect("save");
    assert_eq!((saved.locale.as_str(), saved.theme), ("de-DE", Theme::Dark));
    let status = service.status().await.expect("status");
    assert_eq!(status.settings, saved, "the first screen's status carries them");

    for bad in [
        Settings { locale: "Deutsch (Deutschland)".into(), ..Settings::default() },
        Settings { locale: "de_DE!".into(), ..Settings::default() },
        Settings { locale: "a".repeat(100), ..Settings::default() },
    ] {
        let refused = service.save_settings(bad.clone()).await;
        assert_eq!(refused.err().map(|e| e.code()), Some("service.invalid_input"), "{bad:?}");
    }
    drop(service);

    let reopened = Service::open_tuned(data, Tuning::default()).expect("reopen");
    assert_eq!(reopened.settings(), saved, "kept across restarts; refusals changed nothing");
}

#[test]
fn settings_saved_before_the_locale_existed_keep_their_values() {
    let old = serde_json::json!({ "rounding": "halfEven", "defaultVersion": "v5" });
    let settings: Settings = serde_json::from_value(old).expect("old settings read");
    assert_eq!(
        settings,
        Settings {
            rounding: Rounding::HalfEven,
            default_version: Version::V5,
            locale: String::new(),
            theme: Theme::System,
            shop_name: String::new(),
        }
    );
    let unknown =
        serde_json::json!({ "rounding": "halfUp", "defaultVersion": "v4", "theme": "sepia" });
    assert!(serde_json::from_value::<Settings>(unknown).is_err(), "a theme is one of three");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalog_prices_become_editable_without_changing_the_total() {
    let (_dir, service) = common::demo_service().await;
    let mut state = service.new_draft().await.expect("new draft");
    let id = state.draft.id.clone();
    for offering in ["20059", "20125", "20105", "14277"] {
        state = service
            .edit(
                id.clone(),
                state.draft.revision,
                Edit::AddOffering { offering_id: offering.into(), parent: None, quantity: None },
            )
            .await
            .expect("add");
    }
    let before = state.quote.currencies.clone();
    let priced: Vec<String> =
        state.quote.items.iter().filter(|i| !i.lines.is_empty()).map(|i| i.id.clone()).collect();
    assert!(!priced.is_empty());
    for item in &priced {
        state = service
            .edit(id.clone(), state.draft.revision, Edit::PriceFromCatalog { item: item.clone() })
            .await
            .expect("price from catalog");
    }
    assert_eq!(state.quote.currencies, before, "taking over catalog prices changes no figure");
    let first = state.draft.items.iter().find(|i| i.id == priced[0]).expect("item");
    assert!(!first.prices.is_empty());

    // Now a 10 % discount for 3 months changes the schedule's first three periods only.
    let recurring = first.prices.iter().find(|p| p.period.is_some()).expect("a recurring price");
    let state = service
        .edit(
            id.clone(),
            state.draft.revision,
            Edit::AddAlteration {
                item: first.id.clone(),
                price: recurring.index,
                alteration: orderdesk_service::AlterationInput {
                    name: "Welcome".into(),
                    kind: "percentage".into(),
                    value: "10".into(),
                    currency: None,
                    duration: Some(3),
                    price_type: None,
                    reason: Some("new customer".into()),
                },
            },
        )
        .await
        .expect("discount");
    let (old, new) = (&before[0], &state.quote.currencies[0]);
    assert_ne!(old.schedule[0], new.schedule[0]);
    assert_eq!(old.schedule[5], new.schedule[5]);
    let again = service
        .edit(id.clone(), state.draft.revision, Edit::PriceFromCatalog { item: first.id.clone() })
        .await;
    assert_eq!(again.err().map(|e| e.code()), Some("service.invalid_input"));
    service.stop_demo().await;
}

/// Repricing after one edit of a 200-item order: load, apply, validate, price, save a revision,
/// build the views and encode them as the IPC layer does. Prints the figures; run with
/// `cargo test -p orderdesk-service --release --test service -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark; run explicitly"]
async fn reprice_200_items() {
    use std::time::{Duration, Instant};
    let (_dir, service) = common::demo_service().await;
    let items: Vec<serde_json::Value> = (1..=200)
        .map(|i| {
            serde_json::json!({"id": i.to_string(), "action": "add", "quantity": 1,
                "productOffering": {"id": "14305", "name": "Mobile Telephony"},
                "product": {"productSpecification": {"id": "14307"},
                    "productCharacteristic": [{"name": "TEL_MSISDN", "valueType": "string", "value": format!("+49170{i:07}")}]}})
        })
        .collect();
    let text = serde_json::json!({"@type": "ProductOrder", "productOrderItem": items}).to_string();
    let mut state = service.import_order(text).await.expect("import");
    let id = state.draft.id.clone();
    let mut times = Vec::new();
    for round in 0..60u32 {
        let started = Instant::now();
        state = service
            .edit(
                id.clone(),
                state.draft.revision,
                Edit::SetQuantity { item: "17".into(), quantity: 1 + round % 5 },
            )
            .await
            .expect("edit");
        let encoded = serde_json::to_string(&state).expect("encode");
        assert!(!encoded.is_empty());
        times.push(started.elapsed());
    }
    times.sort();
    let median = times.get(times.len() / 2).copied().unwrap_or(Duration::ZERO);
    let p90 = times.get(times.len() * 9 / 10).copied().unwrap_or(Duration::ZERO);
    println!("reprice 200 items (service + encoding): median {median:?}, p90 {p90:?}");
    service.stop_demo().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_drafts_show_their_outbox_state() {
    let dir = tempfile::tempdir().expect("temp dir");
    let service = Service::open(dir.path().to_path_buf()).expect("open");
    let draft = service.new_draft().await.expect("draft");
    let rows = service.list_orders(OrderListQuery::default()).await.expect("list").rows;
    assert_eq!(rows.first().map(|r| r.sync), Some(SyncBadge::Draft));
    assert_eq!(rows.first().and_then(|r| r.state), Some(OrderState::Draft));

    // The sync engine queues through the same database; the list reads the outbox.
    let mut store =
        orderdesk_store::Store::open(dir.path().join(orderdesk_service::DB_FILE)).expect("store");
    store
        .enqueue(orderdesk_store::NewOutboxEntry {
            op: orderdesk_store::OutboxOp::Create,
            profile: "demo".into(),
            draft_id: Some(draft.draft.id.clone()),
            order_id: None,
            payload: None,
            idempotency_key: None,
            actor: "test".into(),
        })
        .expect("enqueue");
    let rows = service
        .list_orders(OrderListQuery { sync: Some(SyncBadge::Queued), ..OrderListQuery::default() })
        .await
        .expect("list")
        .rows;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows.first().map(|r| r.id.as_str()), Some(draft.draft.id.as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submit_is_blocked_by_errors_then_reaches_the_demo_server_once() {
    let (_dir, service) = common::demo_service().await;
    let state = service.new_draft().await.expect("draft");
    let id = state.draft.id.clone();
    let blocked = service.submit(id.clone()).await;
    assert_eq!(blocked.err().map(|e| e.code()), Some("service.submit_blocked"));

    let state = service
        .edit(
            id.clone(),
            state.draft.revision,
            Edit::AddOffering { offering_id: "20006".into(), parent: None, quantity: None },
        )
        .await
        .expect("add");
    let state = service
        .edit(
            id.clone(),
            state.draft.revision,
            Edit::SetCustomer {
                customer: Some(RefInput { id: "C-5".into(), name: "Lin Wu".into() }),
            },
        )
        .await
        .expect("customer");
    let errors: Vec<_> =
        state.quote.findings.iter().filter(|f| f.severity == Severity::Error).collect();
    assert!(errors.is_empty(), "{errors:?}");

    let queued = service.submit(id.clone()).await.expect("submit");
    assert_eq!((queued.profile.as_str(), queued.sync), ("demo", SyncBadge::Queued));
    let twice = service.submit(id.clone()).await;
    assert!(twice.is_err(), "a queued draft is not queued again");

    service.sync_now().await.expect("sync");
    // On the demo server: exactly one order carries the client order id the submit gave.
    let demo = service.demo_client().await.expect("the app's client of its demo server");
    let on_server = demo
        .list_orders(&[("externalId", queued.client_order_id.as_str())])
        .await
        .expect("list the server's orders");
    let carrying = on_server
        .iter()
        .filter(|o| orderdesk_wire::external_id::carries_external_id(o, &queued.client_order_id))
        .count();
    assert_eq!(carrying, 1, "{on_server:?}");
    // Once it is an order, the draft is listed as that order: one row, with a total.
    let rows = service.list_orders(OrderListQuery::default()).await.expect("list").rows;
    let lin: Vec<_> = rows.iter().filter(|r| r.customer.as_deref() == Some("Lin Wu")).collect();
    assert_eq!(lin.len(), 1, "{rows:?}");
    assert_eq!(lin[0].kind, orderdesk_service::RowKind::Order);
    assert_eq!(lin[0].sync, SyncBadge::Submitted);
    assert!(lin[0].total.is_some(), "{:?}", lin[0]);
    assert!(rows.iter().all(|r| r.id != id), "the draft has no row of its own");
    // Searching finds the order through what the draft held too.
    let query = OrderListQuery { text: "Lin".into(), ..OrderListQuery::default() };
    let found = service.list_orders(query).await.expect("search");
    assert_eq!(
        found.rows.iter().map(|r| r.kind).collect::<Vec<_>>(),
        [orderdesk_service::RowKind::Order]
    );
    service.stop_demo().await;
}

/// Every run of 64 hex digits in `bytes` (the shape of the demo server's token).
fn hex_runs(bytes: &[u8]) -> usize {
    bytes.split(|b| !b.is_ascii_hexdigit()).filter(|run| run.len() >= 64).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_server_is_the_apps_alone() {
    let (dir, service) = common::demo_service().await;
    let status = service.status().await.expect("status");
    let order_url = status.profiles.first().map(|p| p.base_url.clone()).expect("demo profile");
    let orders = format!("{order_url}productOrder");
    let body = serde_json::json!({"productOrderItem": [{"id": "1", "action": "add",
        "productOffering": {"id": "20006"}}]})
    .to_string();
    let http = reqwest::Client::new();
    let code = |r: reqwest::Response| async move {
        let status = r.status().as_u16();
        let e: serde_json::Value = r.json().await.expect("a TMF error");
        (status, e["code"].as_str().unwrap_or_default().to_owned())
    };

    // What another program or a web page on the agent's machine can send is refused.
    let r = http.get(&orders).send().await.expect("answer");
    assert_eq!(code(r).await, (401, "unauthorized".to_owned()), "no token");
    let r = http
        .post(&orders)
        .header("origin", "https://evil.example")
        .header("content-type", "text/plain")
        .body(body.clone())
        .send()
        .await
        .expect("answer");
    assert_eq!(code(r).await, (403, "guard.origin".to_owned()), "a page's simple request");
    let r = http
        .post(&orders)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("a=1")
        .send()
        .await
        .expect("answer");
    assert_eq!(code(r).await, (415, "guard.mediaType".to_owned()), "a form");
    let r = http
        .post(&orders)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("answer");
    assert_eq!(code(r).await, (401, "unauthorized".to_owned()), "JSON without the token");

    // The app's own client works: a submitted draft reaches the server, the catalog refreshes.
    let draft = common::valid_draft(&service, "C-7", "Ada Berg").await;
    service.submit(draft).await.expect("submit");
    service.sync_now().await.expect("sync");
    let client = service.demo_client().await.expect("the demo server's client");
    let on_server = client.list_orders(&[]).await.expect("the app's client lists");
    assert_eq!(on_server.len(), 1, "only the app's order: {on_server:?}");
    let refreshed =
        service.refresh_catalog("demo".into()).await.expect("catalog through the token");
    assert_eq!(refreshed.offerings, 47);

    // The token is the demo profile's secret, kept in memory: not in the database.
    let data = dir.path().join("data");
    for file in std::fs::read_dir(&data).expect("data dir") {
        let path = file.expect("entry").path();
        let bytes = std::fs::read(&path).unwrap_or_default();
        assert_eq!(hex_runs(&bytes), 0, "a token-like value in {}", path.display());
    }
    service.stop_demo().await;
    assert!(service.demo_client().await.is_err(), "no client once the demo server stopped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_saves_a_whole_file_or_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let service = Service::open(dir.path().join("data")).expect("open");
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/orders/tmf25-vendor-extensions.v4.json"
    ))
    .expect("sample order");
    let id = service.import_order(text).await.expect("import").draft.id;

    // A new file, then the same file again: replaced whole, exactly what export_draft says.
    let target = dir.path().join("out").join("order.json");
    std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
    let written =
        service.save_export(id.clone(), Version::V5, target.clone()).await.expect("save v5");
    assert_eq!(written, target.display().to_string());
    let on_disk = std::fs::read_to_string(&target).expect("read back");
    assert_eq!(on_disk, service.export_draft(id.clone(), Version::V5).await.expect("export"));
    assert!(on_disk.contains("\"x-exactRate\": 0.1234567890123456789"), "{on_disk}");
    service.save_export(id.clone(), Version::V4, target.clone()).await.expect("save v4");
    let v4 = std::fs::read_to_string(&target).expect("read back");
    assert!(v4.contains("\"externalId\": \"AGENT-2024-000126\""), "{v4}");

    // Failures name the problem and leave the earlier file as it was.
    let relative = service.save_export(id.clone(), Version::V5, "order.json".into()).await;
    assert_eq!(relative.err().map(|e| e.code()), Some("service.invalid_input"));
    let missing_dir = dir.path().join("no-such-dir").join("order.json");
    let err = service.save_export(id.clone(), Version::V5, missing_dir).await.expect_err("no dir");
    assert_eq!(err.code(), "service.export_write");
    assert!(err.to_string().contains("no-such-dir"), "{err}");
    assert_eq!(std::fs::read_to_string(&target).expect("read back"), v4);
    let leftovers = std::fs::read_dir(target.parent().expect("parent")).expect("ls").count();
    assert_eq!(leftovers, 1, "no temporary files are left behind");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn favourites_recent_duplicate_and_delete() {
    let (_dir, service) = common::demo_service().await;
    let state = service.new_draft().await.expect("new draft");
    let id = state.draft.id.clone();
    let state = service
        .edit(
            id.clone(),
            state.draft.revision,
            Edit::AddOffering { offering_id: "14305".into(), parent: None, quantity: None },
        )
        .await
        .expect("add mobile");
    let line = state.draft.items.first().expect("item").id.clone();
    let state = service
        .edit(
            id.clone(),
            state.draft.revision,
            Edit::SetCharacteristic {
                item: line.clone(),
                name: "TEL_MSISDN".into(),
                value: "+491701234567".into(),
            },
        )
        .await
        .expect("phone number");
    let state = service
        .edit(
            id.clone(),
            state.draft.revision,
            Edit::SetCustomer {
                customer: Some(RefInput { id: "C-9".into(), name: "Grace".into() }),
            },
        )
        .await
        .expect("customer");

    // Recent: what was added to a draft; favourites: what the agent marked, listed apart.
    let shortcuts = service.offering_shortcuts().await.expect("shortcuts");
    assert!(shortcuts.favourites.is_empty());
    assert_eq!(shortcuts.recent.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(), ["14305"]);
    service.set_favourite_offering("20059".into(), true).await.expect("star");
    service.set_favourite_offering("14305".into(), true).await.expect("star");
    let shortcuts = service.offering_shortcuts().await.expect("shortcuts");
    let ids: Vec<_> = shortcuts.favourites.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, ["20059", "14305"]);
    assert!(shortcuts.recent.is_empty(), "a favourite is not repeated among the recent");
    let unknown = service.set_favourite_offering("no-such-offering".into(), true).await;
    assert_eq!(unknown.err().map(|e| e.code()), Some("store.not_found"));
    service.set_favourite_offering("14305".into(), false).await.expect("unstar");
    let shortcuts = service.offering_shortcuts().await.expect("shortcuts");
    assert_eq!(shortcuts.favourites.len(), 1);
    assert_eq!(shortcuts.recent.first().map(|o| o.id.as_str()), Some("14305"));

    // A copy: same items, customer and characteristics, the phone number left empty.
    let copy = service.duplicate_draft(id.clone()).await.expect("duplicate");
    assert_ne!(copy.draft.id, id);
    assert_eq!(copy.draft.revision, 1);
    assert_eq!(copy.draft.header.customer, state.draft.header.customer);
    assert_eq!(copy.draft.items.len(), state.draft.items.len());
    let copied = copy.draft.items.first().expect("item");
    assert_eq!(copied.offering_id, state.draft.items.first().expect("item").offering_id);
    let phone = copied.characteristics.iter().find(|c| c.name == "TEL_MSISDN").expect("field");
    assert_eq!(phone.value, None);
    let history = service.history(copy.draft.id.clone()).await.expect("history");
    assert_eq!(history.len(), 1, "a copy starts its own history");
    let original = service.open_draft(id.clone()).await.expect("original");
    let kept = original.draft.items.first().and_then(|i| {
        i.characteristics.iter().find(|c| c.name == "TEL_MSISDN").and_then(|c| c.value.clone())
    });
    assert_eq!(kept.as_deref(), Some("+491701234567"), "the original keeps its number");

    // A submitted draft is not deleted, and may still be copied.
    let submitted = common::valid_draft(&service, "C-10", "Linus").await;
    service.submit(submitted.clone()).await.expect("submit");
    let refused = service.delete_draft(submitted.clone()).await;
    assert_eq!(refused.err().map(|e| e.code()), Some("store.draft_submitted"));
    let from_submitted = service.duplicate_draft(submitted.clone()).await.expect("duplicate");
    assert_eq!(from_submitted.draft.header.customer.as_ref().map(|c| c.id.as_str()), Some("C-10"));
    service.delete_draft(from_submitted.draft.id.clone()).await.expect("a fresh copy deletes");
    let gone = service.open_draft(from_submitted.draft.id).await;
    assert_eq!(gone.err().map(|e| e.code()), Some("store.not_found"));
    service.stop_demo().await;
}
