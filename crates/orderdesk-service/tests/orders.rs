//! Submitted orders through the services: the detail's timeline and items, cancelling (done
//! and refused by the server), the outbox with retry and drop, and the sync status stream.
//! A real database in a temp dir and the real reference server in-process on 127.0.0.1.

mod common;

use std::time::{Duration, Instant};

use orderdesk_error::ErrorCode;
use orderdesk_server::LifecycleConfig;
use orderdesk_service::{
    Edit, EntryKind, EntryStatus, OrderDetailView, OrderListQuery, OrderState, RefInput, RowKind,
    Service, SyncBadge, TaskState, TimelineKind, Tuning,
};

fn timing(acknowledged: u64, in_progress: u64, cancel_step: u64) -> Tuning {
    Tuning {
        demo_lifecycle: LifecycleConfig {
            acknowledged_for: Duration::from_millis(acknowledged),
            in_progress_for: Duration::from_millis(in_progress),
            cancel_step: Duration::from_millis(cancel_step),
            ..LifecycleConfig::default()
        },
        ..Tuning::default()
    }
}

/// A valid draft for `customer`, submitted; returns the draft id.
async fn submit_one(service: &Service, customer: &str) -> String {
    let id = common::valid_draft(service, &format!("C-{customer}"), customer).await;
    service.submit(id.clone()).await.expect("submit");
    id
}

fn states(detail: &OrderDetailView) -> Vec<&str> {
    detail
        .timeline
        .iter()
        .filter(|s| s.kind == TimelineKind::State)
        .map(|s| s.state_text.as_str())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn detail_timeline_and_a_cancellation_that_is_done() {
    let (_dir, service) = common::demo_with(timing(300, 4000, 100)).await;
    let status = service.subscribe_sync();
    let draft = submit_one(&service, "Ada Berg").await;
    assert!(status.has_changed().unwrap_or(false), "queueing changes the sync status");
    assert_eq!(service.sync_status().queued, 1);

    let changes = service.sync_status().changes;
    service.sync_now().await.expect("sync");
    assert!(service.sync_status().changes != changes, "a delivered entry moves `changes`");
    assert_eq!(service.sync_status().online, Some(true));
    let id = common::order_of(&service, "Ada Berg").await;

    let detail =
        common::sync_until(&service, &id, |d| d.state == Some(OrderState::InProgress)).await;
    assert_eq!(detail.timeline.first().map(|s| s.kind), Some(TimelineKind::Submitted));
    assert_eq!(states(&detail), ["acknowledged", "inProgress"]);
    assert_eq!(detail.draft_id.as_deref(), Some(draft.as_str()));
    assert!(detail.client_order_id.as_deref().is_some_and(|c| !c.is_empty()));
    assert!(detail.payload.contains(&detail.server_id), "the server's payload");
    assert!(detail.total.is_some() && detail.currency.as_deref() == Some("EUR"), "{detail:?}");
    assert!(!detail.items.is_empty());
    assert!(detail.items.iter().all(|i| i.state.is_some()), "{:?}", detail.items);
    assert!(detail.items.iter().any(|i| i.depth == 0));
    assert!(detail.can_cancel && detail.cancellation.is_none());

    // The agent's input is checked before anything is queued.
    let none = service.cancel_order(id.clone(), None, "  ".into(), None).await;
    assert_eq!(none.err().map(|e| e.code()), Some("service.invalid_input"));
    let past = service
        .cancel_order(
            id.clone(),
            Some("duplicate".into()),
            "moved".into(),
            Some("2020-01-01".into()),
        )
        .await;
    assert_eq!(past.err().map(|e| e.code()), Some("service.invalid_input"));
    let bad = service
        .cancel_order(id.clone(), Some("duplicate".into()), "moved".into(), Some("soon".into()))
        .await;
    assert_eq!(bad.err().map(|e| e.code()), Some("service.invalid_input"));
    let unlisted = service.cancel_order(id.clone(), Some("whim".into()), String::new(), None).await;
    assert_eq!(unlisted.err().map(|e| e.code()), Some("service.invalid_input"));
    // An order is named by its local number or its server's id; neither is "x".
    let unknown =
        service.cancel_order("x".into(), Some("duplicate".into()), String::new(), None).await;
    assert_eq!(unknown.err().map(|e| e.code()), Some("store.not_found"));

    let day = (chrono::Utc::now() + chrono::Duration::days(2)).format("%Y-%m-%d").to_string();
    let detail = service
        .cancel_order(
            id.clone(),
            Some("Customer Request".into()),
            " customer moved abroad ".into(),
            Some(day.clone()),
        )
        .await
        .expect("cancel queued");
    let cancellation = detail.cancellation.clone().expect("cancellation");
    assert_eq!(cancellation.reason, "Customer request: customer moved abroad");
    assert!(cancellation.requested_date.as_deref().is_some_and(|d| d.starts_with(&day)));
    assert_eq!(cancellation.outbox_status, EntryStatus::Queued);
    assert!(!detail.can_cancel, "one cancellation at a time");
    let twice = service.cancel_order(id.clone(), Some("other".into()), String::new(), None).await;
    assert_eq!(twice.err().map(|e| e.code()), Some("service.invalid_input"));

    let detail = common::sync_until(&service, &id, |d| {
        d.state == Some(OrderState::Cancelled)
            && d.cancellation.as_ref().is_some_and(|c| c.server_state == Some(TaskState::Done))
    })
    .await;
    let cancellation = detail.cancellation.clone().expect("cancellation");
    assert_eq!(cancellation.server_state, Some(TaskState::Done));
    assert_eq!(cancellation.outbox_status, EntryStatus::Done);
    assert!(!cancellation.refused);
    let seen = states(&detail);
    assert_eq!(seen.last(), Some(&"cancelled"), "{seen:?}");
    assert!(detail.timeline.iter().any(|s| s.kind == TimelineKind::CancelRequested));
    assert!(!detail.can_cancel);
    service.stop_demo().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_an_order_the_server_completed_shows_its_refusal() {
    let (_dir, service) = common::demo_with(timing(50, 50, 50)).await;
    submit_one(&service, "Bo Lind").await;
    service.sync_now().await.expect("sync");
    let id = common::order_of(&service, "Bo Lind").await;
    let detail = service.order_detail(id.clone()).await.expect("detail");
    // The sync that created it may already have read the next state on a slow machine (the
    // demo server moves on after 50 ms); either way it is not completed yet.
    assert!(
        matches!(detail.state, Some(OrderState::Acknowledged | OrderState::InProgress)),
        "{:?}",
        detail.state
    );
    assert!(["acknowledged", "inProgress"].contains(&detail.state_text.as_str()));
    // The server completes the order before the cancellation reaches it: wait until the demo
    // server itself says so (asked through the app's own client).
    let server_id = detail.server_id.clone();
    let demo = service.demo_client().await.expect("the demo server's client");
    let start = Instant::now();
    loop {
        let order = demo.get_order(&server_id).await.expect("the server's order");
        if OrderState::of(&order) == Some(OrderState::Completed) {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(15), "never completed: {order}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    service
        .cancel_order(id.clone(), Some("other".into()), "too late".into(), None)
        .await
        .expect("queued");
    let detail =
        common::sync_until(&service, &id, |d| d.cancellation.as_ref().is_some_and(|c| c.refused))
            .await;
    let cancellation = detail.cancellation.clone().expect("cancellation");
    assert_eq!(cancellation.server_state, Some(TaskState::TerminatedWithError));
    assert!(
        cancellation.message.as_deref().is_some_and(|m| m.contains("can no longer be cancelled")),
        "{cancellation:?}"
    );
    assert_eq!(cancellation.reason, "Other: too late", "the agent's request is kept");
    assert_eq!(detail.state, Some(OrderState::Completed));
    // Known to be completed now: *Cancel* is not offered, and a cancellation is refused
    // before anything is queued, since the server's refusal is certain.
    assert!(!detail.can_cancel, "{detail:?}");
    let again = service.cancel_order(id.clone(), Some("other".into()), String::new(), None).await;
    assert_eq!(again.err().map(|e| e.code()), Some("sync.refused"));
    let entries = service.outbox().await.expect("outbox");
    assert_eq!(entries.iter().filter(|e| e.status == EntryStatus::NeedsAttention).count(), 1);
    service.stop_demo().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outbox_retry_and_drop_while_the_server_is_down() {
    let (_dir, service) = common::demo_with(Tuning::default()).await;
    service.stop_demo().await;
    let draft = submit_one(&service, "Cy Holm").await;
    service.sync_now().await.expect("sync");
    assert_eq!(service.sync_status().online, Some(false));

    let entries = service.outbox().await.expect("outbox");
    assert_eq!(entries.len(), 1);
    let entry = &entries[0];
    assert_eq!((entry.kind, entry.status), (EntryKind::Create, EntryStatus::Queued));
    assert_eq!(entry.draft_id.as_deref(), Some(draft.as_str()));
    assert_eq!(entry.label, "Cy Holm");
    assert_eq!(entry.attempts, 1);
    assert!(entry.last_error.is_some());
    assert!(entry.drop_needs_force && !entry.can_fix && entry.conflict.is_empty());

    let refused = service.drop_entry(entry.id.clone(), false).await;
    assert_eq!(refused.err().map(|e| e.code()), Some("sync.refused"));
    let bad = service.drop_entry("-3".into(), false).await;
    assert_eq!(bad.err().map(|e| e.code()), Some("service.invalid_input"));
    service.drop_entry(entry.id.clone(), true).await.expect("forced drop");
    let entries = service.outbox().await.expect("outbox");
    assert_eq!(entries[0].status, EntryStatus::Rejected);
    assert_eq!(service.sync_status().queued, 0);

    service.retry_entry(entries[0].id.clone()).await.expect("retry");
    let entries = service.outbox().await.expect("outbox");
    assert_eq!(entries[0].status, EntryStatus::Queued);
    assert_eq!(service.sync_status().queued, 1);
    let fix = service.fix_entry(entries[0].id.clone()).await;
    assert_eq!(fix.err().map(|e| e.code()), Some("service.invalid_input"), "not refused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_order_is_fixed_at_the_field_the_server_named() {
    let (_dir, service) = common::demo_with(Tuning::default()).await;
    // The local catalog knows an offering the server does not: the server refuses the order.
    let mut catalog: serde_json::Value =
        serde_json::from_str(orderdesk_server::catalog::DEMO_CATALOG).expect("demo catalog");
    let offerings = catalog["productOffering"].as_array_mut().expect("offerings");
    let mut local = offerings
        .iter()
        .find(|o| o["id"] == "20006")
        .cloned()
        .expect("the demo catalog has offering 20006");
    local["id"] = "99006".into();
    local["name"] = "Mobile M (local)".into();
    offerings.push(local);
    service.import_catalog(catalog.to_string(), "test".into()).await.expect("import");

    let state = service.new_draft().await.expect("draft");
    let draft = state.draft.id.clone();
    let state = service
        .edit(
            draft.clone(),
            state.draft.revision,
            Edit::AddOffering { offering_id: "99006".into(), parent: None, quantity: None },
        )
        .await
        .expect("add");
    let item = state.draft.items[0].id.clone();
    service
        .edit(
            draft.clone(),
            state.draft.revision,
            Edit::SetCustomer {
                customer: Some(RefInput { id: "C-9".into(), name: "Di Falk".into() }),
            },
        )
        .await
        .expect("customer");
    service.submit(draft.clone()).await.expect("submit");
    service.sync_now().await.expect("sync");

    let entries = service.outbox().await.expect("outbox");
    let entry =
        entries.iter().find(|e| e.draft_id.as_deref() == Some(draft.as_str())).expect("entry");
    assert_eq!(entry.status, EntryStatus::NeedsAttention, "{entry:?}");
    assert!(entry.can_fix, "{entry:?}");
    let field = entry.field.clone().expect("the server named a field");
    assert!(field.starts_with("/productOrderItem/0"), "{field}");
    assert_eq!(service.sync_status().needs_attention, 1);

    let target = service.fix_entry(entry.id.clone()).await.expect("fix");
    assert_eq!(target.draft_id, draft);
    assert_eq!(target.item.as_deref(), Some(item.as_str()), "{target:?}");
    assert!(target.message.as_deref().is_some_and(|m| m.contains("99006")), "{target:?}");
    // The refused entry is dropped, so the fixed draft can be submitted again.
    let entries = service.outbox().await.expect("outbox");
    assert_eq!(entries[0].status, EntryStatus::Rejected);
    assert_eq!(service.sync_status().needs_attention, 0);
    service.submit(draft).await.expect("submitted again after the fix");
    service.stop_demo().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_amendment_in_conflict_is_listed_and_settled() {
    let (dir, service) = common::demo_with(timing(60_000, 60_000, 100)).await;
    submit_one(&service, "Eva Nord").await;
    service.sync_now().await.expect("sync");
    let id = common::order_of(&service, "Eva Nord").await;
    let detail = service.order_detail(id.clone()).await.expect("detail");
    let order_id: i64 = id.parse().expect("numeric id");

    // An amendment queued by the sync engine (the CLI's `order amend` does the same), while
    // someone else changes the same member on the server.
    let store = orderdesk_store::StoreHandle::open(
        dir.path().join("data").join(orderdesk_service::DB_FILE),
    )
    .expect("second handle");
    let engine = orderdesk_sync::SyncEngine::new(store, orderdesk_sync::EngineConfig::default());
    engine
        .amend_order(order_id, serde_json::json!({"description": "mine"}))
        .await
        .expect("amendment queued");
    let client = service.demo_client().await.expect("a client of the demo server");
    client
        .patch_order(&detail.server_id, &serde_json::json!({"description": "theirs"}))
        .await
        .expect("the other change");
    service.sync_now().await.expect("sync");

    let entries = service.outbox().await.expect("outbox");
    let conflict = entries.iter().find(|e| !e.conflict.is_empty()).expect("a conflict");
    assert_eq!(conflict.kind, EntryKind::Patch);
    assert_eq!(conflict.status, EntryStatus::NeedsAttention);
    let member = &conflict.conflict[0];
    assert_eq!(
        (member.member.as_str(), member.mine.as_str(), member.remote.as_str()),
        ("description", "\"mine\"", "\"theirs\"")
    );
    let bad = service.fix_entry(conflict.id.clone()).await;
    assert_eq!(bad.err().map(|e| e.code()), Some("service.invalid_input"), "no draft to fix");

    // "Send mine again": a new amendment made on the server's current order goes through.
    service
        .resolve_conflict(conflict.id.clone(), orderdesk_service::ConflictChoice::KeepMine)
        .await
        .expect("resolved");
    service.sync_now().await.expect("sync");
    let entries = service.outbox().await.expect("outbox");
    assert!(entries.iter().all(|e| e.conflict.is_empty()), "{entries:?}");
    assert_eq!(
        entries.iter().filter(|e| e.status == EntryStatus::Rejected).count(),
        1,
        "the old one"
    );
    let detail = service.order_detail(id).await.expect("detail");
    assert!(detail.payload.contains("\"description\": \"mine\""), "{}", detail.payload);
    service.stop_demo().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_a_server_wrote_is_shown_without_control_characters() {
    let (_dir, service) = common::demo_service().await;
    // The customer's name goes to the server and comes back in what it answers, with a
    // window-title sequence, a colour and a bidi override in it.
    let forged = "\u{1b}]0;owned\u{7}Ada\u{1b}[31m Escape\u{202e}";
    submit_one(&service, forged).await;
    service.sync_now().await.expect("sync");
    let id = common::order_of(&service, "Ada Escape").await;
    let detail = service.order_detail(id).await.expect("detail");
    assert_eq!(detail.customer.as_deref(), Some("Ada Escape"));
    assert!(!detail.payload.contains('\u{202e}'), "{}", detail.payload);
    assert!(!detail.payload.contains('\u{1b}'), "{}", detail.payload);
}

/// A submitted draft is read-only for every edit; it is withdrawn while unsent (even after an
/// attempt that never reached the server), edited, submitted again, and the server's order
/// carries the edit; once it is on the server it can no longer be withdrawn.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submitted_draft_is_read_only_and_no_edit_is_lost() {
    let (_dir, service) = common::demo_with(Tuning::default()).await;
    service.stop_demo().await;
    let draft = submit_one(&service, "Fay Dahl").await;
    let notes = |text: &str| Edit::SetNotes { notes: vec![text.to_owned()] };

    let queued = service.submission(draft.clone()).await.expect("submission").expect("queued");
    assert_eq!(
        (queued.profile.as_str(), queued.sync, queued.can_withdraw),
        ("demo", SyncBadge::Queued, true)
    );
    let refused = service.edit_current(draft.clone(), notes("too late")).await;
    assert_eq!(refused.err().map(|e| e.code()), Some("store.draft_submitted"));
    let restore = service.restore_revision(draft.clone(), 1).await;
    assert_eq!(restore.err().map(|e| e.code()), Some("store.draft_submitted"));
    let revision = service.open_draft(draft.clone()).await.expect("open").draft.revision;

    // An attempt while the server is down never reached it: it may still be withdrawn.
    service.sync_now().await.expect("sync");
    let entries = service.outbox().await.expect("outbox");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].attempts, 1);
    let withdrawn = service.withdraw(draft.clone()).await.expect("withdraw");
    assert_eq!(withdrawn.revision, Some(revision));
    assert_eq!(service.submission(draft.clone()).await.expect("submission"), None);
    assert!(service.outbox().await.expect("outbox").is_empty(), "out of the outbox");
    let again = service.withdraw(draft.clone()).await;
    assert_eq!(again.err().map(|e| e.code()), Some("store.invalid_input"), "nothing to withdraw");

    let edited = service.edit_current(draft.clone(), notes("Deliver after 5 pm")).await;
    let edited = edited.expect("editable again");
    assert_eq!(edited.revision, i64::from(revision) + 1);
    service.submit(draft.clone()).await.expect("submit again");
    service.start_demo().await.expect("demo");
    let order = {
        let start = Instant::now();
        loop {
            service.sync_now().await.expect("sync");
            let rows = service.list_orders(OrderListQuery::default()).await.expect("list").rows;
            let found = rows
                .iter()
                .find(|r| r.kind == RowKind::Order && r.customer.as_deref() == Some("Fay Dahl"));
            if let Some(row) = found {
                break row.id.clone();
            }
            assert!(start.elapsed() < Duration::from_secs(15), "the order never arrived");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    let detail = service.order_detail(order).await.expect("detail");
    assert!(detail.payload.contains("Deliver after 5 pm"), "{}", detail.payload);

    let on_server = service.submission(draft.clone()).await.expect("submission").expect("sent");
    assert_eq!((on_server.sync, on_server.can_withdraw), (SyncBadge::Submitted, false));
    let sent = service.withdraw(draft.clone()).await;
    assert_eq!(sent.err().map(|e| e.code()), Some("store.draft_sent"));
    let sent = service.edit_current(draft, notes("after the fact")).await;
    assert_eq!(sent.err().map(|e| e.code()), Some("store.draft_submitted"));
    service.stop_demo().await;
}
