//! Build a realistic Orderdesk database the way the app fills one, for upgrade tests.
//!
//! ```sh
//! cargo run -p orderdesk-sync --example schema_fixture -- OUT.db
//! ```
//!
//! Two reference servers run in-process on 127.0.0.1: `lab` (v4, slow lifecycle: its orders
//! stay acknowledged and its cancellations stay pending) and `lab-v5` (v5, fast lifecycle:
//! orders complete or fail, cancellations finish). The store and the sync engine of this
//! checkout then do what an agent does: drafts in v4 and v5 with several revisions (one
//! restored, one deleted), submissions delivered, refused, dropped, queued for a server that
//! cannot be reached and caught in flight, orders in several states (also pulled for a
//! customer), a cancellation that is done, one the server refused and one in progress,
//! amendments (delivered, in conflict, queued), a hub listener, a catalog sync, four server
//! profiles (one active, with every kind of profile field) and the app's settings. The
//! database is written to OUT as one self-contained file.
//!
//! `crates/orderdesk-store/tests/fixtures/schema-v1.db` is this program's output on the
//! release that wrote schema version 1; the store's upgrade test opens a copy of it. Run on a
//! later checkout, the program writes that checkout's schema instead.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use orderdesk_client::{AuthConfig, Client, Profile, Secret, VersionChoice};
use orderdesk_server::{start, LifecycleConfig, ServerConfig};
use orderdesk_store::{
    DraftEdit, NewDraft, OutboxEntry, OutboxStatus, Queries, Store, StoreHandle, Version,
};
use orderdesk_sync::{profiles, EngineConfig, EntryOutcome, SecretLookup, SyncEngine};
use serde_json::{json, Value};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

const ACTOR: &str = "agent";

fn v4_order(msisdn: &str, customer: &str) -> Value {
    json!({"description": format!("line {msisdn}"),
        "relatedParty": [{"id": customer, "name": format!("Customer {customer}"),
            "role": "Customer", "@referredType": "Individual"}],
        "productOrderItem": [{"id": "1", "action": "add", "quantity": 1,
        "productOffering": {"id": "14305", "name": "Mobile Telephony"},
        "product": {"productCharacteristic": [{"name": "TEL_MSISDN", "value": msisdn}]}}]})
}

fn v5_order(msisdn: &str, customer: &str) -> Value {
    json!({"description": format!("v5 line {msisdn}"),
        "@type": "ProductOrder",
        "relatedParty": [{"role": "customer", "@type": "RelatedPartyRefOrPartyRoleRef",
            "partyOrPartyRole": {"id": customer, "name": format!("Customer {customer}"),
                "@referredType": "Individual", "@type": "PartyRef"}}],
        "productOrderItem": [{"id": "1", "action": "add", "quantity": 1,
            "@type": "ProductOrderItem",
            "productOffering": {"id": "14305", "name": "Mobile Telephony",
                "@type": "ProductOfferingRef"},
            "product": {"@type": "ProductRefOrValue", "productCharacteristic": [
                {"name": "TEL_MSISDN", "value": msisdn, "valueType": "string",
                 "@type": "StringCharacteristic"}]}}]})
}

/// A draft with `revisions` revisions (each edit changes the description).
fn draft(
    store: &mut Store,
    body: Value,
    version: Version,
    revisions: u32,
) -> Result<String, BoxError> {
    let row = store.create_draft(NewDraft {
        body: body.to_string(),
        tmf_version: version,
        catalog_version: Some("demo-1".into()),
        actor: ACTOR.into(),
        summary: None,
    })?;
    let mut body = body;
    for n in 2..=revisions {
        body["description"] =
            json!(format!("{} (edit {n})", body["description"].as_str().unwrap_or("")));
        store.update_draft(
            &row.id,
            DraftEdit {
                body: body.to_string(),
                catalog_version: None,
                actor: ACTOR.into(),
                action: "set-description".into(),
                expected_revision: Some(i64::from(n) - 1),
                summary: None,
            },
        )?;
    }
    Ok(row.id)
}

fn config() -> EngineConfig {
    EngineConfig {
        actor: "sync".into(),
        // Entries that failed stay queued past the end of this program.
        outbox_backoff: Duration::from_secs(600),
        outbox_backoff_max: Duration::from_secs(3600),
        cancel_poll: Duration::from_millis(10),
        ..EngineConfig::default()
    }
}

fn secrets() -> SecretLookup {
    Arc::new(|profile: &Profile| {
        Ok(profile.auth.needs_secret().then(|| Secret::new("fixture-secret")))
    })
}

async fn write<T: Send + 'static>(
    handle: &StoreHandle,
    job: impl FnOnce(&mut Store) -> Result<T, BoxError> + Send + 'static,
) -> Result<T, BoxError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    handle
        .write(move |s| {
            let _ = tx.send(job(s));
            Ok(())
        })
        .await?;
    rx.await?
}

async fn entry(handle: &StoreHandle, id: i64) -> Result<OutboxEntry, BoxError> {
    Ok(handle.write(move |s| s.outbox_entry(id)).await?)
}

/// Runs the engine until `done` holds for outbox entry `id`.
async fn run_until(
    engine: &SyncEngine,
    id: i64,
    done: impl Fn(&OutboxEntry) -> bool,
) -> Result<OutboxEntry, BoxError> {
    for _ in 0..400 {
        engine.run_once().await?;
        let now = entry(engine.store(), id).await?;
        if done(&now) {
            return Ok(now);
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    Err(format!("outbox entry {id} never settled").into())
}

/// The local id of the order delivered for `id`.
async fn order_of(engine: &SyncEngine, id: i64) -> Result<i64, BoxError> {
    let report = engine.run_once().await?;
    for e in report.entries {
        if let (true, EntryOutcome::Done { order: Some(order) }) = (e.entry == id, e.outcome) {
            return Ok(order);
        }
    }
    Err(format!("outbox entry {id} was not delivered").into())
}

async fn order_state(engine: &SyncEngine, order: i64) -> Result<String, BoxError> {
    Ok(engine.store().write(move |s| s.order(order)).await?.row.state)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), BoxError> {
    let out: PathBuf =
        std::env::args_os().nth(1).map(PathBuf::from).ok_or("usage: schema_fixture OUT.db")?;
    let slow = start(ServerConfig {
        lifecycle: LifecycleConfig {
            acknowledged_for: Duration::from_secs(3600),
            in_progress_for: Duration::from_secs(3600),
            cancel_step: Duration::from_secs(3600),
            fail_value: "FAIL".into(),
        },
        ..ServerConfig::default()
    })
    .await?;
    let fast = start(ServerConfig {
        lifecycle: LifecycleConfig {
            acknowledged_for: Duration::from_millis(1500),
            in_progress_for: Duration::from_millis(500),
            cancel_step: Duration::from_millis(20),
            fail_value: "FAIL".into(),
        },
        ..ServerConfig::default()
    })
    .await?;

    let dir = tempfile::tempdir()?;
    let mut store = Store::open(dir.path().join("orderdesk.db"))?;

    // ---- server profiles: every field a profile has, `lab` active ----
    let lab = Profile {
        catalog_url: Some(slow.catalog_url_v4()),
        version: VersionChoice::Fixed(Version::V4),
        ..Profile::new("lab", slow.base_url_v4())
    };
    let lab_v5 = Profile {
        catalog_url: Some(fast.catalog_url_v5()),
        // `auto`, with the version a first contact detected remembered in the profile.
        version: VersionChoice::Auto,
        detected_version: Some(Version::V5),
        timeout_ms: 20_000,
        page_size: 50,
        ..Profile::new("lab-v5", fast.base_url_v5())
    };
    let offline = Profile {
        version: VersionChoice::Fixed(Version::V4),
        business_id: Some("biz-42".into()),
        headers: BTreeMap::from([("X-Channel".to_owned(), "shop-7".to_owned())]),
        auth: AuthConfig::Headers { client_id: "agent-app".into() },
        timeout_ms: 2_000,
        connect_timeout_ms: 500,
        ..Profile::new("offline", "http://127.0.0.1:9/tmf-api/productOrderingManagement/v4/")
    };
    let partner = Profile {
        catalog_url: Some("https://partner.example/tmf-api/productCatalogManagement/v5/".into()),
        version: VersionChoice::Fixed(Version::V5),
        auth: AuthConfig::OAuth2 {
            token_url: "https://partner.example/oauth/token".into(),
            client_id: "orderdesk".into(),
            scope: Some("orders catalog".into()),
        },
        ca_cert: Some(PathBuf::from("/etc/ssl/partner-root.pem")),
        ..Profile::new("partner", "https://partner.example/tmf-api/productOrderingManagement/v5/")
    };
    for profile in [&lab, &lab_v5, &offline, &partner] {
        profiles::save(&mut store, profile)?;
    }
    profiles::set_active(&mut store, "lab")?;

    // ---- drafts: v4 and v5, several revisions each ----
    let acknowledged = draft(&mut store, v4_order("491510000001", "cust-1"), Version::V4, 3)?;
    let to_complete = draft(&mut store, v5_order("491510000002", "cust-2"), Version::V5, 2)?;
    let to_fail = draft(&mut store, v4_order("FAIL", "cust-3"), Version::V4, 2)?;
    let to_cancel = draft(&mut store, v4_order("491510000004", "cust-4"), Version::V4, 2)?;
    let amended = draft(&mut store, v4_order("491510000005", "cust-5"), Version::V4, 2)?;
    let conflicting = draft(&mut store, v4_order("491510000006", "cust-6"), Version::V4, 1)?;
    let cancelling = draft(&mut store, v4_order("491510000007", "cust-7"), Version::V4, 2)?;
    let refused = draft(
        &mut store,
        json!({"description": "no items yet",
            "relatedParty": [{"id": "cust-8", "name": "Customer cust-8", "role": "Customer"}]}),
        Version::V4,
        2,
    )?;
    let unreachable = draft(&mut store, v5_order("491510000009", "cust-9"), Version::V5, 3)?;
    let dropped = draft(&mut store, v4_order("491510000010", "cust-10"), Version::V4, 2)?;
    let crashed = draft(&mut store, v4_order("491510000011", "cust-11"), Version::V4, 1)?;
    let open_v4 = draft(&mut store, v4_order("491510000012", "cust-12"), Version::V4, 4)?;
    store.restore_draft(&open_v4, 2, ACTOR)?;
    let _open_v5 = draft(&mut store, v5_order("491510000013", "cust-13"), Version::V5, 3)?;
    let gone = draft(&mut store, v4_order("491510000014", "cust-14"), Version::V4, 2)?;
    store.delete_draft(&gone, ACTOR)?;

    // ---- the app's settings ----
    store.set_setting("app.settings", &json!({"rounding": "halfEven", "defaultVersion": "v5"}))?;
    store.set_setting("app.demo", &json!(false))?;

    let handle = StoreHandle::spawn(store)?;
    let engine = SyncEngine::with_secrets(handle.clone(), config(), secrets());
    let submit = |draft: String, profile: &'static str| {
        let engine = engine.clone();
        async move { engine.submit_draft(&draft, Some(profile)).await }
    };

    // ---- catalog from the server (also records the sync point) ----
    engine.sync_catalog(Some("lab"), true).await?;

    // ---- deliveries on `lab` (orders stay acknowledged) ----
    let e_ack = submit(acknowledged, "lab").await?;
    let o_ack = order_of(&engine, e_ack.id).await?;
    let e_amended = submit(amended, "lab").await?;
    let o_amended = order_of(&engine, e_amended.id).await?;
    let e_conflicting = submit(conflicting, "lab").await?;
    let o_conflicting = order_of(&engine, e_conflicting.id).await?;
    let e_cancelling = submit(cancelling, "lab").await?;
    let o_cancelling = order_of(&engine, e_cancelling.id).await?;
    let e_refused = submit(refused, "lab").await?;
    let refused_entry =
        run_until(&engine, e_refused.id, |e| e.status == OutboxStatus::NeedsAttention).await?;
    println!("refused: {:?}", refused_entry.last_error);

    // ---- deliveries on `lab-v5` (orders complete, fail, get cancelled) ----
    let e_complete = submit(to_complete, "lab-v5").await?;
    let o_complete = order_of(&engine, e_complete.id).await?;
    let e_fail = submit(to_fail, "lab-v5").await?;
    let o_fail = order_of(&engine, e_fail.id).await?;
    let e_cancel = submit(to_cancel, "lab-v5").await?;
    let o_cancel = order_of(&engine, e_cancel.id).await?;
    let cancel_done = engine.cancel_order(o_cancel, "customer moved abroad", None).await?;
    run_until(&engine, cancel_done.id, |e| e.status == OutboxStatus::Done).await?;
    for order in [o_complete, o_fail] {
        for _ in 0..200 {
            engine.run_once().await?;
            let state = order_state(&engine, order).await?;
            if ["completed", "failed"].contains(&state.as_str()) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    // Too late: the server refuses to cancel a completed order.
    let cancel_refused = engine.cancel_order(o_complete, "changed mind", None).await?;
    run_until(&engine, cancel_refused.id, |e| e.status == OutboxStatus::NeedsAttention).await?;

    // ---- amendments on `lab`: one delivered, one in conflict, one queued ----
    let amend_done = engine.amend_order(o_amended, json!({"description": "new text"})).await?;
    run_until(&engine, amend_done.id, |e| e.status == OutboxStatus::Done).await?;
    let amend_conflict = engine.amend_order(o_conflicting, json!({"description": "mine"})).await?;
    let other = Client::new(Profile::new("other", slow.base_url_v4()), None)?;
    let server_id = handle.write(move |s| s.order(o_conflicting)).await?.row.server_id;
    other.patch_order(&server_id, &json!({"description": "theirs"})).await?;
    run_until(&engine, amend_conflict.id, |e| e.status == OutboxStatus::NeedsAttention).await?;

    // ---- a customer's orders pulled from `lab` (not made here) ----
    for n in 0..3 {
        let mut order = v4_order(&format!("49160000000{n}"), "cust-pulled");
        order["externalId"] = json!(format!("crm-{n}"));
        other.create_order(&order, None).await?;
    }
    engine.set_customers(vec!["cust-pulled".into()]).await?;
    engine.run_once().await?;

    // ---- a hub listener on `lab` ----
    engine.register_hub("lab", "http://127.0.0.1:9/orderdesk/hub").await?;

    // ---- a cancellation in progress on `lab`: its task stays acknowledged, and an engine
    // that looks at pending cancellations rarely leaves it waiting past the end ----
    let patient = SyncEngine::with_secrets(
        handle.clone(),
        EngineConfig { cancel_poll: Duration::from_secs(600), ..config() },
        secrets(),
    );
    let date = "2031-01-15T09:00:00Z".parse()?;
    let cancel_pending = patient.cancel_order(o_cancelling, "duplicate order", Some(date)).await?;
    run_until(&patient, cancel_pending.id, |e| e.attempts > 0 && e.status == OutboxStatus::Queued)
        .await?;

    // ---- entries that never reached a server ----
    let e_unreachable = submit(unreachable, "offline").await?;
    patient.run_once().await?;
    let e_dropped = submit(dropped, "offline").await?;
    engine.drop_entry(e_dropped.id, false).await?;
    // A crash while sending: the entry stays in flight until the next run.
    let e_crashed = submit(crashed, "offline").await?;
    let crashed_id = e_crashed.id;
    let claimed = write(&handle, move |s| {
        let due = s.claim_due(chrono::Utc::now(), 10)?;
        Ok(due.into_iter().map(|e| e.id).collect::<Vec<_>>())
    })
    .await?;
    if claimed != vec![crashed_id] {
        return Err(
            format!("expected only entry {crashed_id} to be claimed, got {claimed:?}").into()
        );
    }
    let amend_queued = engine.amend_order(o_ack, json!({"priority": "2"})).await?;

    // ---- what was made ----
    let summary = write(&handle, move |s| {
        let mut lines = Vec::new();
        for (table, count) in s.counts()? {
            lines.push(format!("{table}: {count}"));
        }
        for e in s.outbox(None)? {
            lines.push(format!(
                "entry {} {} {} {} attempts {} draft {:?} order {:?}: {:?}",
                e.id, e.op, e.profile, e.status, e.attempts, e.draft_id, e.order_id, e.last_error
            ));
        }
        for o in s.orders(&orderdesk_store::OrderFilter::default())? {
            lines.push(format!("order {} {} {} {:?}", o.id, o.profile, o.state, o.draft_id));
        }
        let keys: Vec<String> = s
            .connection()
            .prepare("SELECT key FROM settings ORDER BY key")?
            .query_map([], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        lines.push(format!("settings: {}", keys.join(", ")));
        s.backup_to(&out)?;
        Ok(lines)
    })
    .await?;
    println!("{}", summary.join("\n"));
    println!(
        "orders: acknowledged {o_ack}, completed {o_complete}, failed {o_fail}, cancelled \
         {o_cancel}; entries: unreachable {}, queued amendment {}",
        e_unreachable.id, amend_queued.id
    );
    drop(engine);
    drop(patient);
    drop(handle);
    slow.shutdown().await;
    fast.shutdown().await;
    Ok(())
}
