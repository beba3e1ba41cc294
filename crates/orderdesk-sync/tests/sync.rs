//! The engine over real HTTP against the reference server on 127.0.0.1 (random ports), and
//! small local servers for answers the reference server never gives.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use orderdesk_client::{
    AuthConfig, Client, ClientError, Profile, RetryPolicy, Secret, VersionChoice,
};
use orderdesk_server::{
    start, AuthMode, CatalogSource, FaultConfig, LifecycleConfig, ServerConfig,
};
use orderdesk_store::{
    AmendmentState, AuditSubject, NewDraft, OrderFilter, OutboxStatus, Queries, Store, StoreHandle,
    TaskState, Version,
};
use orderdesk_sync::{
    profiles, submit_in, EngineConfig, EntryOutcome, OfferingChange, SecretLookup, SyncEngine,
    SyncError,
};
use serde_json::{json, Value};

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

const PROFILE: &str = "lab";

fn draft_body(msisdn: &str) -> String {
    json!({"description": format!("line {msisdn}"),
        "relatedParty": [{"id": "cust-1", "name": "Ada Agent", "role": "Customer",
            "@referredType": "Individual"}],
        "productOrderItem": [{"id": "1", "action": "add", "quantity": 1,
        "productOffering": {"id": "14305", "name": "Mobile Telephony"},
        "product": {"productCharacteristic": [{"name": "TEL_MSISDN", "value": msisdn}]}}]})
    .to_string()
}

fn config() -> EngineConfig {
    EngineConfig {
        actor: "test".into(),
        request_retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(100),
            max_retry_after: Duration::from_secs(5),
        },
        outbox_backoff: Duration::from_millis(10),
        outbox_backoff_max: Duration::from_millis(50),
        cancel_poll: Duration::from_millis(10),
        ..EngineConfig::default()
    }
}

fn lifecycle(acknowledged_ms: u64, in_progress_ms: u64) -> LifecycleConfig {
    LifecycleConfig {
        acknowledged_for: Duration::from_millis(acknowledged_ms),
        in_progress_for: Duration::from_millis(in_progress_ms),
        cancel_step: Duration::from_millis(20),
        fail_value: "FAIL".into(),
    }
}

fn v4_url(addr: SocketAddr) -> String {
    format!("http://{addr}/tmf-api/productOrderingManagement/v4/")
}

fn no_secrets() -> SecretLookup {
    Arc::new(|_: &Profile| Ok(None))
}

/// A scratch directory in memory where the machine has one: the store commits with a full
/// fsync per change, which on a slow shared disk would dominate these tests' run time
/// without testing anything more.
fn scratch_dir() -> std::io::Result<tempfile::TempDir> {
    let shm = std::path::Path::new("/dev/shm");
    if shm.is_dir() {
        if let Ok(dir) = tempfile::tempdir_in(shm) {
            return Ok(dir);
        }
    }
    tempfile::tempdir()
}

struct Env {
    dir: tempfile::TempDir,
    handle: StoreHandle,
    engine: SyncEngine,
}

/// A fresh store with `profile` active; `prepare` runs on the plain store first (to queue
/// many drafts quickly), then the engine takes it over.
fn env_with(
    profile: &Profile,
    config: EngineConfig,
    secrets: SecretLookup,
    prepare: impl FnOnce(&mut Store) -> TestResult,
) -> Result<Env, Box<dyn std::error::Error + Send + Sync>> {
    let dir = scratch_dir()?;
    let mut store = Store::open(dir.path().join("orderdesk.db"))?;
    profiles::save(&mut store, profile)?;
    prepare(&mut store)?;
    let handle = StoreHandle::spawn(store)?;
    let engine = SyncEngine::with_secrets(handle.clone(), config, secrets);
    Ok(Env { dir, handle, engine })
}

fn add_drafts(
    store: &mut Store,
    n: usize,
    submit: bool,
) -> Result<Vec<String>, Box<dyn std::error::Error + Send + Sync>> {
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let draft = store.create_draft(NewDraft {
            body: draft_body(&format!("4915{i:07}")),
            tmf_version: Version::V4,
            catalog_version: Some("demo-1".into()),
            actor: "agent".into(),
            summary: None,
        })?;
        if submit {
            submit_in(store, &draft.id, None, "agent", None)?;
        }
        ids.push(draft.id);
    }
    Ok(ids)
}

/// Every order on the server, counted by external id.
async fn server_orders_by_external_id(
    url: String,
) -> Result<HashMap<String, usize>, Box<dyn std::error::Error + Send + Sync>> {
    let mut p = Profile::new("check", url);
    p.page_size = 1000;
    let client = Client::new(p, None)?;
    let mut counts = HashMap::new();
    for order in client.list_orders(&[]).await? {
        for id in orderdesk_wire::external_id::external_ids(&order) {
            *counts.entry(id.id).or_insert(0) += 1;
        }
    }
    Ok(counts)
}

async fn outbox(
    handle: &StoreHandle,
    status: OutboxStatus,
) -> Result<Vec<orderdesk_store::OutboxEntry>, orderdesk_store::StoreError> {
    handle.write(move |s| s.outbox(Some(status))).await
}

/// Asserts that every create entry is done and every draft is on the server exactly once.
async fn assert_exactly_once(env: &Env, url: String, drafts: &[String]) -> TestResult {
    let done = outbox(&env.handle, OutboxStatus::Done).await?;
    assert_eq!(done.len(), drafts.len(), "every entry delivered");
    let counts = server_orders_by_external_id(url).await?;
    for entry in &done {
        assert_eq!(
            counts.get(&entry.idempotency_key),
            Some(&1),
            "draft {:?} is on the server exactly once",
            entry.draft_id
        );
    }
    let orders = env
        .handle
        .write(|s| s.orders(&OrderFilter { limit: 100_000, ..OrderFilter::default() }))
        .await?;
    let mut with_draft: Vec<_> = orders.iter().filter_map(|o| o.draft_id.clone()).collect();
    with_draft.sort();
    let mut expected = drafts.to_vec();
    expected.sort();
    assert_eq!(with_draft, expected, "each draft has its order in the cache");
    Ok(())
}

async fn free_addr() -> Result<SocketAddr, std::io::Error> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    listener.local_addr()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_drafts_queued_offline_arrive_exactly_once() -> TestResult {
    let addr = free_addr().await?;
    let profile = Profile::new(PROFILE, v4_url(addr));
    let mut drafts = Vec::new();
    let env = env_with(&profile, config(), no_secrets(), |s| {
        drafts = add_drafts(s, 1000, true)?;
        Ok(())
    })?;
    let mut status = env.engine.subscribe();

    // The server is down: nothing is lost, everything stays queued.
    let report = env.engine.run_once().await?;
    assert_eq!(report.offline, vec![PROFILE.to_owned()]);
    assert_eq!(report.delivered, 0);
    let queued = outbox(&env.handle, OutboxStatus::Queued).await?;
    assert_eq!(queued.len(), 1000);
    // Known not to have reached the server: sent again without a lookup first.
    assert!(queued.iter().all(|e| e.not_sent && e.attempts == 1), "{:?}", queued.first());
    assert!(queued.iter().all(|e| e.last_error.as_deref().is_some_and(|m| m.contains("reach"))));
    assert_eq!(env.engine.status().online, Some(false));
    assert_eq!(status.borrow_and_update().queued, 1000);

    let server = start(ServerConfig {
        addr,
        lifecycle: lifecycle(60_000, 60_000),
        ..ServerConfig::default()
    })
    .await?;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let report = env.engine.run_once().await?;
    assert_eq!(report.delivered, 1000, "errors: {:?} {:?}", report.errors, report.entries.first());
    assert!(report.offline.is_empty());
    assert_exactly_once(&env, server.base_url_v4(), &drafts).await?;
    let now = env.engine.status();
    assert_eq!((now.queued, now.in_flight, now.needs_attention, now.online), (0, 0, 0, Some(true)));

    // Submitting a delivered draft again is refused.
    let again = env.engine.submit_draft(&drafts[0], None).await;
    assert!(again.is_err());
    server.shutdown().await;
    drop(env.dir);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drop_after_commit_still_gives_one_order_per_draft() -> TestResult {
    let server = start(ServerConfig {
        lifecycle: lifecycle(60_000, 60_000),
        faults: FaultConfig { drop_after_commit: 0.3, ..FaultConfig::default() },
        ..ServerConfig::default()
    })
    .await?;
    let profile = Profile::new(PROFILE, server.base_url_v4());
    // Without Idempotency-Key the server cannot help: only the lookup prevents duplicates.
    let cfg = EngineConfig { send_idempotency_key: false, ..config() };
    let mut drafts = Vec::new();
    let env = env_with(&profile, cfg, no_secrets(), |s| {
        drafts = add_drafts(s, 200, true)?;
        Ok(())
    })?;
    let mut recovered = 0;
    for _ in 0..5 {
        let report = env.engine.run_once().await?;
        recovered += report.recovered_by_lookup;
        if outbox(&env.handle, OutboxStatus::Queued).await?.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
    assert!(recovered > 20, "about 30 % of creates were dropped, {recovered} found by lookup");
    assert_exactly_once(&env, server.base_url_v4(), &drafts).await?;
    server.shutdown().await;
    Ok(())
}

/// A v4 draft with its own `externalId` (a partner's purchase-order number) keeps it: the
/// create carries the partner's reference, and a create whose answer was lost is found by it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partner_references_are_kept_and_found_exactly_once() -> TestResult {
    let server = start(ServerConfig {
        lifecycle: lifecycle(60_000, 60_000),
        faults: FaultConfig { drop_after_commit: 0.3, ..FaultConfig::default() },
        ..ServerConfig::default()
    })
    .await?;
    let profile = Profile::new(PROFILE, server.base_url_v4());
    let cfg = EngineConfig { send_idempotency_key: false, ..config() };
    let mut references = Vec::new();
    let env = env_with(&profile, cfg, no_secrets(), |s| {
        for i in 0..100 {
            let mut body: Value = serde_json::from_str(&draft_body(&format!("4916{i:07}")))?;
            body["externalId"] = json!(format!("PO-{i:04}"));
            let draft = s.create_draft(NewDraft {
                body: body.to_string(),
                tmf_version: Version::V4,
                catalog_version: None,
                actor: "agent".into(),
                summary: None,
            })?;
            submit_in(s, &draft.id, None, "agent", None)?;
            references.push(format!("PO-{i:04}"));
        }
        Ok(())
    })?;
    let mut recovered = 0;
    for _ in 0..6 {
        let report = env.engine.run_once().await?;
        recovered += report.recovered_by_lookup;
        if outbox(&env.handle, OutboxStatus::Queued).await?.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
    assert!(recovered > 10, "about 30 % of creates were dropped, {recovered} found by lookup");
    assert_eq!(outbox(&env.handle, OutboxStatus::Done).await?.len(), references.len());
    let counts = server_orders_by_external_id(server.base_url_v4()).await?;
    for reference in &references {
        assert_eq!(counts.get(reference), Some(&1), "{reference} is on the server exactly once");
    }
    assert_eq!(counts.len(), references.len(), "no order carries anything but its reference");
    server.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_and_server_errors_are_retried_without_duplicates() -> TestResult {
    // The server keeps its orders in a file, so they can be counted afterwards on the same data
    // without the injected faults getting in the way of the count.
    let data = scratch_dir()?;
    let db = data.path().join("server.db");
    let server = start(ServerConfig {
        lifecycle: lifecycle(60_000, 60_000),
        faults: FaultConfig { error_rate: 0.3, ..FaultConfig::default() },
        db: Some(db.clone()),
        ..ServerConfig::default()
    })
    .await?;
    let profile = Profile::new(PROFILE, server.base_url_v5());
    let mut drafts = Vec::new();
    let env = env_with(&profile, config(), no_secrets(), |s| {
        drafts = add_drafts(s, 20, true)?;
        Ok(())
    })?;
    for _ in 0..20 {
        env.engine.run_once().await?;
        if outbox(&env.handle, OutboxStatus::Queued).await?.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
    assert!(outbox(&env.handle, OutboxStatus::NeedsAttention).await?.is_empty());
    server.shutdown().await;
    let counting = start(ServerConfig {
        lifecycle: lifecycle(60_000, 60_000),
        db: Some(db),
        ..ServerConfig::default()
    })
    .await?;
    assert_exactly_once(&env, counting.base_url_v5(), &drafts).await?;
    counting.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unauthorized_keeps_the_entry_until_the_secret_is_fixed() -> TestResult {
    let server = start(ServerConfig {
        auth: AuthMode::OAuth2 { client_id: "agent".into(), client_secret: "right".into() },
        lifecycle: lifecycle(60_000, 60_000),
        ..ServerConfig::default()
    })
    .await?;
    let mut profile = Profile::new(PROFILE, server.base_url_v4());
    profile.auth = AuthConfig::OAuth2 {
        token_url: server.token_url(),
        client_id: "agent".into(),
        scope: None,
    };
    let wrong: SecretLookup = Arc::new(|_: &Profile| Ok(Some(Secret::new("wrong"))));
    let mut drafts = Vec::new();
    let env = env_with(&profile, config(), wrong, |s| {
        drafts = add_drafts(s, 1, true)?;
        Ok(())
    })?;
    let report = env.engine.run_once().await?;
    let EntryOutcome::Retry { error, .. } = &report.entries[0].outcome else {
        return Err(format!("expected a retry, got {:?}", report.entries[0]).into());
    };
    assert!(error.contains("authentication failed"), "{error}");
    let queued = outbox(&env.handle, OutboxStatus::Queued).await?;
    assert_eq!(queued.len(), 1);
    assert!(queued[0].not_sent, "credentials refused: the order cannot exist");

    let right: SecretLookup = Arc::new(|_: &Profile| Ok(Some(Secret::new("right"))));
    let fixed = SyncEngine::with_secrets(env.handle.clone(), config(), right);
    tokio::time::sleep(Duration::from_millis(60)).await;
    let report = fixed.run_once().await?;
    assert_eq!((report.delivered, report.recovered_by_lookup), (1, 0), "{report:?}");

    // A missing secret is a clear error, and the entry waits.
    let missing: SecretLookup =
        Arc::new(|p: &Profile| Err(ClientError::Secret(format!("no secret for {}", p.name))));
    let engine = SyncEngine::with_secrets(env.handle.clone(), config(), missing);
    let id = env
        .handle
        .write(|s| {
            add_drafts(s, 1, false).map_err(|e| orderdesk_store::StoreError::Invalid(e.to_string()))
        })
        .await?;
    engine.submit_draft(&id[0], None).await?;
    let report = engine.run_once().await?;
    assert!(
        matches!(&report.entries[0].outcome, EntryOutcome::NeedsAttention { error } if error.contains("no secret")),
        "{report:?}"
    );
    server.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_answers_then_recovery_by_lookup() -> TestResult {
    let db_dir = tempfile::tempdir()?;
    let server_db: PathBuf = db_dir.path().join("server.db");
    let server = start(ServerConfig {
        db: Some(server_db.clone()),
        lifecycle: lifecycle(60_000, 60_000),
        faults: FaultConfig { malformed_rate: 1.0, ..FaultConfig::default() },
        ..ServerConfig::default()
    })
    .await?;
    let addr = server.addr();
    let profile = Profile::new(PROFILE, server.base_url_v4());
    let mut drafts = Vec::new();
    let env = env_with(&profile, config(), no_secrets(), |s| {
        drafts = add_drafts(s, 1, true)?;
        Ok(())
    })?;
    let report = env.engine.run_once().await?;
    let EntryOutcome::Retry { error, .. } = &report.entries[0].outcome else {
        return Err(format!("expected a retry, got {:?}", report.entries[0]).into());
    };
    assert!(error.contains("not usable JSON"), "{error}");
    server.shutdown().await;

    // The server had committed the order; back without the fault, the lookup finds it.
    let server = start(ServerConfig {
        addr,
        db: Some(server_db),
        lifecycle: lifecycle(60_000, 60_000),
        ..ServerConfig::default()
    })
    .await?;
    tokio::time::sleep(Duration::from_millis(60)).await;
    let report = env.engine.run_once().await?;
    assert_eq!((report.delivered, report.recovered_by_lookup), (1, 1), "{report:?}");
    assert_exactly_once(&env, server.base_url_v4(), &drafts).await?;
    server.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_and_silent_servers_keep_the_entry() -> TestResult {
    // A server whose create answer is larger than any order, and which does not know the
    // order afterwards.
    let router = Router::new().route(
        "/t/v4/productOrder",
        get(|| async { axum::Json(json!([])) })
            .post(|| async { "x".repeat(orderdesk_client::DEFAULT_MAX_BODY + 1) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let huge = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    let profile = Profile::new(PROFILE, format!("http://{huge}/t/v4/"));
    let env = env_with(&profile, config(), no_secrets(), |s| {
        add_drafts(s, 1, true)?;
        Ok(())
    })?;
    let report = env.engine.run_once().await?;
    let EntryOutcome::Retry { error, .. } = &report.entries[0].outcome else {
        return Err(format!("expected a retry, got {:?}", report.entries[0]).into());
    };
    assert!(error.contains("larger than"), "{error}");
    assert!(error.contains("not found on the server"), "{error}");

    // A server that accepts the connection and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let silent_addr = silent.local_addr()?;
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });
    let mut profile = Profile::new(PROFILE, format!("http://{silent_addr}/t/v4/"));
    profile.version = VersionChoice::Fixed(orderdesk_wire::Version::V4);
    let cfg = EngineConfig { request_timeout: Some(Duration::from_millis(300)), ..config() };
    let env = env_with(&profile, cfg, no_secrets(), |s| {
        add_drafts(s, 1, true)?;
        Ok(())
    })?;
    let report = env.engine.run_once().await?;
    let EntryOutcome::Retry { error, .. } = &report.entries[0].outcome else {
        return Err(format!("expected a retry, got {:?}", report.entries[0]).into());
    };
    assert!(error.contains("no answer from the server"), "{error}");
    let queued = outbox(&env.handle, OutboxStatus::Queued).await?;
    assert_eq!(queued.len(), 1, "nothing lost");
    assert!(queued[0].last_error.as_deref().is_some_and(|e| e.contains("correlation id")));
    Ok(())
}

async fn run_until<F>(
    engine: &SyncEngine,
    handle: &StoreHandle,
    entry: i64,
    done: F,
) -> Result<orderdesk_store::OutboxEntry, Box<dyn std::error::Error + Send + Sync>>
where
    F: Fn(&orderdesk_store::OutboxEntry) -> bool,
{
    for _ in 0..100 {
        engine.run_once().await?;
        let now = handle.write(move |s| s.outbox_entry(entry)).await?;
        if done(&now) {
            return Ok(now);
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    Err(format!("outbox entry {entry} never settled").into())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_flow_and_refused_cancel() -> TestResult {
    let server =
        start(ServerConfig { lifecycle: lifecycle(60_000, 60_000), ..ServerConfig::default() })
            .await?;
    let profile = Profile::new(PROFILE, server.base_url_v5());
    let env = env_with(&profile, config(), no_secrets(), |s| {
        add_drafts(s, 1, true)?;
        Ok(())
    })?;
    let report = env.engine.run_once().await?;
    let EntryOutcome::Done { order: Some(order) } = report.entries[0].outcome else {
        return Err(format!("not delivered: {report:?}").into());
    };
    let date = "2026-12-24T10:00:00Z".parse()?;
    let entry = env.engine.cancel_order(order, "customer changed mind", Some(date)).await?;
    let settled =
        run_until(&env.engine, &env.handle, entry.id, |e| e.status != OutboxStatus::Queued).await?;
    assert_eq!(settled.status, OutboxStatus::Done, "{settled:?}");
    let cached = env.handle.write(move |s| s.order(order)).await?;
    assert_eq!(cached.row.state, "cancelled");
    let audit = env.handle.write(move |s| s.audit(AuditSubject::Order, &order.to_string())).await?;
    assert!(audit.iter().any(|a| a.event == orderdesk_store::AuditEvent::CancelRequested));
    assert!(audit.iter().any(|a| a.detail.as_deref().is_some_and(|d| d.contains("cancelled"))));
    server.shutdown().await;

    // The order completes on the server before the cancellation arrives.
    let server =
        start(ServerConfig { lifecycle: lifecycle(30, 30), ..ServerConfig::default() }).await?;
    let profile = Profile::new(PROFILE, server.base_url_v4());
    let env = env_with(&profile, config(), no_secrets(), |s| {
        add_drafts(s, 1, true)?;
        Ok(())
    })?;
    let report = env.engine.run_once().await?;
    let EntryOutcome::Done { order: Some(order) } = report.entries[0].outcome else {
        return Err(format!("not delivered: {report:?}").into());
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let entry = env.engine.cancel_order(order, "too late", None).await?;
    let settled =
        run_until(&env.engine, &env.handle, entry.id, |e| e.status != OutboxStatus::Queued).await?;
    assert_eq!(settled.status, OutboxStatus::NeedsAttention);
    let error = settled.last_error.unwrap_or_default();
    assert!(error.contains("completed and can no longer be cancelled"), "{error}");
    let cached = env.handle.write(move |s| s.order(order)).await?;
    assert_eq!(cached.row.state, "completed");
    // The cancellation the server refused is kept with its task and reason.
    let refused_id = entry.id;
    let cancellation = env.handle.write(move |s| s.cancellation(refused_id)).await?;
    let cancellation = cancellation.ok_or("the cancellation is kept")?;
    assert_eq!(cancellation.task_state, Some(TaskState::TerminatedWithError));
    assert_eq!(cancellation.reason, "too late");
    assert!(cancellation.task_id.is_some());
    assert!(cancellation
        .refusal_reason
        .is_some_and(|r| r.contains("completed and can no longer be cancelled")));
    // Known to be completed now: the server's refusal is certain, so no cancellation is
    // queued.
    let again = env.engine.cancel_order(order, "again", None).await;
    assert!(matches!(again, Err(SyncError::Refused(_))), "{again:?}");
    server.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amendments_and_conflicts() -> TestResult {
    let server =
        start(ServerConfig { lifecycle: lifecycle(60_000, 60_000), ..ServerConfig::default() })
            .await?;
    let profile = Profile::new(PROFILE, server.base_url_v4());
    let env = env_with(&profile, config(), no_secrets(), |s| {
        add_drafts(s, 2, true)?;
        Ok(())
    })?;
    let report = env.engine.run_once().await?;
    let orders: Vec<i64> = report
        .entries
        .iter()
        .filter_map(|e| match e.outcome {
            EntryOutcome::Done { order } => order,
            _ => None,
        })
        .collect();
    assert_eq!(orders.len(), 2);
    let clean = env.engine.amend_order(orders[0], json!({"description": "new text"})).await?;
    let conflicting = env.engine.amend_order(orders[1], json!({"description": "mine"})).await?;
    // Someone else changes the second order on the server meanwhile.
    let other = Client::new(Profile::new("other", server.base_url_v4()), None)?;
    let server_id = env
        .handle
        .write({
            let id = orders[1];
            move |s| s.order(id)
        })
        .await?
        .row
        .server_id;
    other.patch_order(&server_id, &json!({"description": "theirs"})).await?;

    env.engine.run_once().await?;
    let clean = env.handle.write(move |s| s.outbox_entry(clean.id)).await?;
    assert_eq!(clean.status, OutboxStatus::Done);
    let conflicting_id = conflicting.id;
    let conflicting = env.handle.write(move |s| s.outbox_entry(conflicting_id)).await?;
    assert_eq!(conflicting.status, OutboxStatus::NeedsAttention);
    assert!(conflicting.last_error.unwrap_or_default().contains("conflict: description"));
    // The conflict is recorded with the amendment, member by member.
    let amendment = env.handle.write(move |s| s.amendment(conflicting_id)).await?;
    let amendment = amendment.ok_or("the amendment is kept")?;
    assert_eq!(amendment.state, AmendmentState::Conflict);
    let members: Vec<_> =
        amendment.members.iter().map(|m| (m.member.as_str(), m.conflict)).collect();
    assert_eq!(members, [("description", true)]);
    let clean_id = clean.id;
    let applied = env.handle.write(move |s| s.amendment(clean_id)).await?;
    assert_eq!(applied.map(|a| a.state), Some(AmendmentState::Applied));
    assert_eq!(other.get_order(&server_id).await?["description"], "theirs", "never overwritten");
    server.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalog_full_then_incremental_reports_affected_drafts() -> TestResult {
    let server = start(ServerConfig::default()).await?;
    let mut profile = Profile::new(PROFILE, server.base_url_v4());
    profile.catalog_url = Some(server.catalog_url_v4());
    profile.page_size = 20;
    let mut drafts = Vec::new();
    let env = env_with(&profile, config(), no_secrets(), |s| {
        drafts = add_drafts(s, 1, false)?;
        let body = json!({"productOrderItem": [{"id": "1", "action": "add",
            "productOffering": {"id": "14344"}}]});
        drafts.push(
            s.create_draft(NewDraft {
                body: body.to_string(),
                tmf_version: Version::V4,
                catalog_version: None,
                actor: "agent".into(),
                summary: None,
            })?
            .id,
        );
        Ok(())
    })?;
    let full = env.engine.sync_catalog(None, false).await?;
    assert_eq!((full.mode, full.offerings, full.prices), ("full", 47, 52));
    assert!(full.affected_drafts.is_empty());
    server.shutdown().await;

    // The catalog moves on: 14305 retired, a price of 14344 changed.
    let mut snapshot: Value = serde_json::from_str(orderdesk_server::catalog::DEMO_CATALOG)?;
    for offering in snapshot["productOffering"].as_array_mut().ok_or("offerings")? {
        if offering["id"] == "14305" {
            offering["lifecycleStatus"] = json!("Retired");
            offering["lastUpdate"] = json!("2026-06-01T00:00:00Z");
        }
    }
    for price in snapshot["productOfferingPrice"].as_array_mut().ok_or("prices")? {
        if price["id"] == "14345" {
            price["price"]["value"] = json!(99);
            price["lastUpdate"] = json!("2026-06-01T00:00:00Z");
        }
    }
    let catalog = orderdesk_server::Catalog::from_value(snapshot)?;
    let server = start(ServerConfig {
        catalog: CatalogSource::Loaded(Arc::new(catalog)),
        ..ServerConfig::default()
    })
    .await?;
    profile.order_url = server.base_url_v4();
    profile.catalog_url = Some(server.catalog_url_v4());
    let saved = profile.clone();
    env.handle
        .write(move |s| {
            Ok(profiles::save(s, &saved)
                .map_err(|e| orderdesk_store::StoreError::Invalid(e.to_string())))
        })
        .await??;
    let inc = env.engine.sync_catalog(None, false).await?;
    assert_eq!(inc.mode, "incremental");
    assert_eq!((inc.offerings, inc.prices), (1, 1), "only what changed was fetched");
    assert_eq!(inc.changes.get("14305"), Some(&OfferingChange::Retired));
    assert_eq!(inc.changes.get("14344"), Some(&OfferingChange::PriceChanged));
    let impacted: Vec<(&str, OfferingChange)> =
        inc.affected_drafts.iter().map(|d| (d.draft_id.as_str(), d.change)).collect();
    assert!(impacted.contains(&(drafts[0].as_str(), OfferingChange::Retired)), "{impacted:?}");
    assert!(impacted.contains(&(drafts[1].as_str(), OfferingChange::PriceChanged)), "{impacted:?}");
    let again = env.engine.sync_catalog(None, false).await?;
    assert_eq!((again.offerings, again.prices), (0, 0));
    server.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn background_loop_delivers_and_reports_status() -> TestResult {
    let server =
        start(ServerConfig { lifecycle: lifecycle(50, 50), ..ServerConfig::default() }).await?;
    let profile = Profile::new(PROFILE, server.base_url_v4());
    let mut drafts = Vec::new();
    let cfg = EngineConfig {
        poll_min: Duration::from_millis(20),
        poll_max: Duration::from_millis(100),
        ..config()
    };
    let env = env_with(&profile, cfg, no_secrets(), |s| {
        drafts = add_drafts(s, 3, false)?;
        Ok(())
    })?;
    let mut status = env.engine.subscribe();
    let background = env.engine.spawn_background();
    for id in &drafts {
        env.engine.submit_draft(id, None).await?;
    }
    background.wake();
    // The orders are delivered, then polled until the server completes them.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let completed = env
            .handle
            .write(|s| {
                s.orders(&OrderFilter { state: Some("completed".into()), ..OrderFilter::default() })
            })
            .await?;
        if completed.len() == 3 {
            break;
        }
        if tokio::time::Instant::now() > deadline {
            return Err(format!("orders not completed: {completed:?}").into());
        }
        tokio::time::timeout(Duration::from_millis(200), status.changed()).await.ok();
    }
    background.stop(Duration::from_secs(5)).await;
    let now = env.engine.status();
    assert_eq!((now.queued, now.needs_attention, now.online), (0, 0, Some(true)));
    server.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hub_events_update_known_orders() -> TestResult {
    // The listener is the test's own, on 127.0.0.1.
    let server = start(ServerConfig {
        lifecycle: lifecycle(100, 100),
        allow_private_callbacks: true,
        ..ServerConfig::default()
    })
    .await?;
    let profile = Profile::new(PROFILE, server.base_url_v4());
    let env = env_with(&profile, config(), no_secrets(), |s| {
        add_drafts(s, 1, true)?;
        Ok(())
    })?;
    // The app's callback endpoint: hands each event to the engine.
    let engine = env.engine.clone();
    let (changes_tx, mut changes) = tokio::sync::mpsc::unbounded_channel();
    let router = Router::new().route(
        "/listener",
        axum::routing::post(move |axum::Json(event): axum::Json<Value>| {
            let engine = engine.clone();
            let changes_tx = changes_tx.clone();
            async move {
                if let Ok(Some(change)) = engine.apply_hub_event(PROFILE, &event).await {
                    let _ = changes_tx.send(change);
                }
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let callback = format!("http://{}/listener", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    let hub_id = env.engine.register_hub(PROFILE, &callback).await?;
    let recorded = env.handle.write(|s| s.hub_subscription(PROFILE)).await?;
    let recorded = recorded.ok_or("the listener is recorded")?;
    assert_eq!(
        (recorded.hub_id.as_str(), recorded.callback.as_deref()),
        (hub_id.as_str(), Some(callback.as_str()))
    );
    let report = env.engine.run_once().await?;
    let EntryOutcome::Done { order: Some(order) } = report.entries[0].outcome else {
        return Err(format!("not delivered: {report:?}").into());
    };
    // No further sync run: the events alone bring the order to its final state.
    let mut seen = Vec::new();
    while let Ok(Some(change)) = tokio::time::timeout(Duration::from_secs(5), changes.recv()).await
    {
        seen.push(change.to.clone());
        if change.to == "completed" {
            break;
        }
    }
    assert_eq!(seen.last().map(String::as_str), Some("completed"), "{seen:?}");
    let cached = env.handle.write(move |s| s.order(order)).await?;
    assert_eq!(cached.row.state, "completed");
    env.engine.unregister_hub(PROFILE).await?;
    assert_eq!(env.handle.write(|s| s.hub_subscription(PROFILE)).await?, None);
    server.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_without_state_are_kept_without_one() -> TestResult {
    // A server that reports no `state`, sends no count headers and caps pages at 2.
    let orders: Vec<Value> = (0..5)
        .map(|n| {
            json!({"id": format!("r-{n}"), "orderDate": "2026-01-01T00:00:00Z",
                "relatedParty": [{"id": "cust-9", "name": "Zoe", "role": "Customer"}],
                "productOrderItem": [{"id": "1", "action": "add"}]})
        })
        .collect();
    let list = orders.clone();
    let router = Router::new()
        .route(
            "/t/v4/productOrder",
            get(move |axum::extract::Query(q): axum::extract::Query<HashMap<String, String>>| {
                let list = list.clone();
                async move {
                    let offset: usize = q.get("offset").and_then(|v| v.parse().ok()).unwrap_or(0);
                    axum::Json(list.into_iter().skip(offset).take(2).collect::<Vec<_>>())
                }
            }),
        )
        .route(
            "/t/v4/productOrder/{id}",
            get(move |axum::extract::Path(id): axum::extract::Path<String>| {
                let found = orders.iter().find(|o| o["id"] == id.as_str()).cloned();
                async move { axum::Json(found.unwrap_or(Value::Null)) }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    let mut profile = Profile::new(PROFILE, format!("http://{addr}/t/v4/"));
    profile.page_size = 50;
    let env = env_with(&profile, config(), no_secrets(), |_| Ok(()))?;
    env.engine.set_customers(vec!["cust-9".into()]).await?;
    let report = env.engine.run_once().await?;
    assert_eq!(report.imported, 5, "{report:?}");
    let cached = env
        .handle
        .write(|s| {
            s.orders(&OrderFilter { profile: Some(PROFILE.into()), ..OrderFilter::default() })
        })
        .await?;
    assert_eq!(cached.len(), 5);
    assert!(cached.iter().all(|o| o.state.is_empty()), "no state invented: {cached:?}");
    // Still tracked (not final): the next run refreshes them, still without a state.
    let report = env.engine.run_once().await?;
    assert_eq!(report.refreshed, 5, "{report:?}");
    assert!(report.state_changes.is_empty());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_database_send_each_order_once() -> TestResult {
    // The desktop app and the CLI on the same database file: two stores, two engines. Their
    // runs take turns (the run lock); the one refused says why and touches nothing.
    let server =
        start(ServerConfig { lifecycle: lifecycle(60_000, 60_000), ..ServerConfig::default() })
            .await?;
    let profile = Profile::new(PROFILE, server.base_url_v4());
    let mut drafts = Vec::new();
    let env = env_with(&profile, config(), no_secrets(), |s| {
        drafts = add_drafts(s, 200, true)?;
        Ok(())
    })?;
    let db = env.dir.path().join("orderdesk.db");
    let other_store = StoreHandle::open(db.clone())?;
    let other = SyncEngine::with_secrets(other_store, config(), no_secrets());

    // While another process holds the run lock (here: the test, on the lock file beside the
    // database), neither engine runs: each is refused with the reason, and nothing is sent.
    let mut lock_path = db.clone().into_os_string();
    lock_path.push(".sync-lock");
    let held =
        std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&lock_path)?;
    held.lock()?;
    for engine in [&env.engine, &other] {
        let err = engine.run_once().await.err().ok_or("ran while the lock was held")?;
        assert_eq!(err.code(), "sync.busy", "{err}");
        assert!(err.to_string().contains("another Orderdesk process"), "{err}");
    }
    assert!(outbox(&env.handle, OutboxStatus::Done).await?.is_empty(), "nothing was sent");
    held.unlock()?;
    drop(held);

    // Both at once: whichever gets the lock runs, the other is refused or finds nothing left.
    for _ in 0..20 {
        let (a, b) = tokio::join!(env.engine.run_once(), other.run_once());
        for result in [a, b] {
            if let Err(err) = result {
                assert_eq!(err.code(), "sync.busy", "{err}");
            }
        }
        if outbox(&env.handle, OutboxStatus::Done).await?.len() == drafts.len() {
            break;
        }
    }
    assert_exactly_once(&env, server.base_url_v4(), &drafts).await?;
    server.shutdown().await;
    drop(env.dir);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_create_is_flagged_and_no_longer_holds_its_draft() -> TestResult {
    let server =
        start(ServerConfig { lifecycle: lifecycle(60_000, 60_000), ..ServerConfig::default() })
            .await?;
    let profile = Profile::new(PROFILE, server.base_url_v4());
    let mut draft = String::new();
    let env = env_with(&profile, config(), no_secrets(), |s| {
        // The gate passes it (no catalog is cached here); the server knows no such offering.
        let row = s.create_draft(NewDraft {
            body: json!({"description": "an offering the server does not sell",
                "productOrderItem": [{"id": "1", "action": "add",
                    "productOffering": {"id": "no-such-offering"}}]})
            .to_string(),
            tmf_version: Version::V4,
            catalog_version: None,
            actor: "agent".into(),
            summary: None,
        })?;
        draft = row.id.clone();
        let entry = submit_in(s, &row.id, None, "agent", None)?;
        assert_eq!(entry.draft_revision, Some(1));
        Ok(())
    })?;
    let report = env.engine.run_once().await?;
    assert_eq!(report.needs_attention, 1, "{report:?}");
    let refused = outbox(&env.handle, OutboxStatus::NeedsAttention).await?;
    assert!(refused[0].refused && !refused[0].not_sent, "{:?}", refused[0]);
    let lookup = draft.clone();
    assert_eq!(env.handle.write(move |s| s.live_submission(&lookup)).await?, None);
    server.shutdown().await;
    Ok(())
}

/// A database written by schema 1 (the store's fixture), upgraded: the profiles read back as
/// the client profiles they were, and the engine carries on with the entries it left.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upgraded_schema_1_database_keeps_profiles_and_entries_going() -> TestResult {
    let dir = scratch_dir()?;
    let path = dir.path().join("orderdesk.db");
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../orderdesk-store/tests/fixtures/schema-v1.db");
    std::fs::copy(&fixture, &path)?;
    let old: std::collections::BTreeMap<String, Profile> = {
        let raw = orderdesk_store::Reader::open(&path);
        assert!(raw.is_err(), "a reader does not upgrade");
        let conn =
            rusqlite_value(&path, "SELECT value FROM settings WHERE key = 'remote.profiles'")?;
        serde_json::from_str(&conn)?
    };
    let mut store = Store::open(&path)?;
    assert_eq!(profiles::list(&store)?, old);
    assert_eq!(profiles::active_name(&store)?.as_deref(), Some("lab"));
    // Nothing listens there any more: every server is down now.
    let down = v4_url(free_addr().await?);
    for mut profile in old.into_values() {
        profile.order_url = down.clone();
        profile.catalog_url = None;
        profiles::save(&mut store, &profile)?;
    }
    let handle = StoreHandle::spawn(store)?;
    let secrets: SecretLookup = Arc::new(|_: &Profile| Ok(Some(Secret::new("fixture"))));
    let engine = SyncEngine::with_secrets(handle.clone(), config(), secrets);
    engine.run_once().await?;
    let entries = handle.write(|s| s.outbox(None)).await?;
    assert_eq!(entries.len(), 17, "nothing lost");
    let entry = |id: i64| entries.iter().find(|e| e.id == id).ok_or(format!("entry {id}"));
    // Never sent before, still not sent: no lookup needed before sending it.
    let unreachable = entry(14)?;
    assert_eq!(
        (unreachable.status, unreachable.attempts, unreachable.not_sent),
        (OutboxStatus::Queued, 2, true)
    );
    // Caught in flight by the crash: it may have arrived, so it will be looked up first.
    let crashed = entry(16)?;
    assert_eq!(
        (crashed.status, crashed.attempts, crashed.not_sent),
        (OutboxStatus::Queued, 2, false)
    );
    assert!(orderdesk_sync::needs_lookup(crashed));
    // The cancellation in progress keeps its task while the server is away.
    let pending = handle.write(|s| s.cancellation(13)).await?.ok_or("cancellation 13")?;
    assert_eq!(pending.task_state, Some(TaskState::Acknowledged));
    assert!(pending.task_id.is_some());
    Ok(())
}

/// One text value read straight from an SQLite file (a schema the store would migrate).
fn rusqlite_value(
    path: &std::path::Path,
    sql: &str,
) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    Ok(conn.query_row(sql, [], |row| row.get(0))?)
}

/// A server that holds one order, `A`, and is hostile about its cancellation: the first
/// request fails with a 500 (its outcome unknown), the list of cancellations ignores its
/// filter and holds another order's finished one, and the second request is accepted.
#[derive(Clone, Default)]
struct CancelServer {
    posts: Arc<std::sync::atomic::AtomicUsize>,
}

async fn cancel_server() -> Result<(SocketAddr, CancelServer), std::io::Error> {
    let state = CancelServer::default();
    let order = json!({"id": "A", "state": "acknowledged", "externalId": "x",
        "productOrderItem": [{"id": "1", "action": "add"}]});
    let found = order.clone();
    let router = Router::new()
        .route(
            "/t/v4/productOrder",
            get(|| async { axum::Json(json!([])) })
                .post(move || async move { (axum::http::StatusCode::CREATED, axum::Json(order)) }),
        )
        .route("/t/v4/productOrder/{id}", get(move || async move { axum::Json(found) }))
        .route(
            "/t/v4/cancelProductOrder",
            get(|axum::extract::Query(q): axum::extract::Query<HashMap<String, String>>| async move {
                if q.get("offset").is_some_and(|o| o != "0") {
                    return axum::Json(json!([]));
                }
                axum::Json(json!([{"id": "c-of-B", "state": "done",
                    "productOrder": {"id": "B", "@referredType": "ProductOrder"}}]))
            })
            .post(
                |axum::extract::State(s): axum::extract::State<CancelServer>| async move {
                    if s.posts.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                        return (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "lost")
                            .into_response();
                    }
                    (
                        axum::http::StatusCode::CREATED,
                        axum::Json(json!({"id": "c-of-A", "state": "acknowledged",
                        "productOrder": {"id": "A", "@referredType": "ProductOrder"}})),
                    )
                        .into_response()
                },
            ),
        )
        .route(
            "/t/v4/cancelProductOrder/{id}",
            get(|axum::extract::Path(id): axum::extract::Path<String>| async move {
                let of = id.trim_start_matches("c-of-").to_owned();
                let state = if of == "B" { "done" } else { "acknowledged" };
                axum::Json(json!({"id": id, "state": state,
                    "productOrder": {"id": of, "@referredType": "ProductOrder"}}))
            }),
        )
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok((addr, state))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_orders_cancellation_is_never_adopted() -> TestResult {
    let (addr, server) = cancel_server().await?;
    let profile = Profile::new(PROFILE, format!("http://{addr}/t/v4/"));
    let env = env_with(&profile, config(), no_secrets(), |s| {
        add_drafts(s, 1, true)?;
        Ok(())
    })?;
    let report = env.engine.run_once().await?;
    let EntryOutcome::Done { order: Some(order) } = report.entries[0].outcome else {
        return Err(format!("not delivered: {report:?}").into());
    };
    let entry = env.engine.cancel_order(order, "changed mind", None).await?;
    let report = env.engine.run_once().await?;
    assert!(
        matches!(report.entries[0].outcome, EntryOutcome::Retry { .. }),
        "the 500 leaves the outcome unknown: {report:?}"
    );
    let settled = run_until(&env.engine, &env.handle, entry.id, |e| e.attempts >= 2).await?;
    assert_ne!(settled.status, OutboxStatus::Done, "B's finished cancellation was adopted");
    let entry_id = entry.id;
    let cancellation = env.handle.write(move |s| s.cancellation(entry_id)).await?;
    let cancellation = cancellation.ok_or("the cancellation is kept")?;
    assert_eq!(cancellation.task_id.as_deref(), Some("c-of-A"), "A's own task, sent anew");
    assert_eq!(server.posts.load(std::sync::atomic::Ordering::SeqCst), 2);
    let cached = env.handle.write(move |s| s.order(order)).await?;
    assert_eq!(cached.row.state, "acknowledged", "A is not taken for cancelled");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_of_ages_parks_an_entry_for_an_hour_at_most() -> TestResult {
    // 100,000,000,000,000 seconds, and a date in the year 9999.
    for after in ["100000000000000", "Fri, 31 Dec 9999 23:59:59 GMT"] {
        let router = Router::new().route(
            "/t/v4/productOrder",
            get(|| async { axum::Json(json!([])) }).post(move || async move {
                (axum::http::StatusCode::SERVICE_UNAVAILABLE, [("retry-after", after)], "later")
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        let profile = Profile::new(PROFILE, format!("http://{addr}/t/v4/"));
        let env = env_with(&profile, config(), no_secrets(), |s| {
            add_drafts(s, 1, true)?;
            Ok(())
        })?;
        let before = chrono::Utc::now();
        let report = env.engine.run_once().await?;
        let EntryOutcome::Retry { at, .. } = &report.entries[0].outcome else {
            return Err(format!("expected a retry, got {:?}", report.entries[0]).into());
        };
        let latest = before + chrono::TimeDelta::hours(1) + chrono::TimeDelta::minutes(1);
        assert!(*at > before && *at <= latest, "{after}: parked until {at}");
        let queued = outbox(&env.handle, OutboxStatus::Queued).await?;
        assert_eq!(queued.len(), 1, "nothing lost");
    }
    Ok(())
}
