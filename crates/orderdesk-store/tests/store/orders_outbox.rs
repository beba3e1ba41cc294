//! Orders seen on a server, and the outbox.

use chrono::{Duration, Utc};
use orderdesk_store::*;
use serde_json::json;

use crate::common::*;

fn seen(server_id: &str, state: &str, customer: &str, minutes_ago: i64) -> OrderSeen {
    OrderSeen {
        profile: "lab".into(),
        server_id: server_id.into(),
        href: Some(format!("http://127.0.0.1/productOrder/{server_id}")),
        state: state.into(),
        item_states: json!({"1": state}),
        tmf_version: Version::V4,
        payload: order_json(customer, "note", "blue", "5.00"),
        draft_id: None,
        seen_at: Utc::now() - Duration::minutes(minutes_ago),
        actor: "sync".into(),
    }
}

#[test]
fn orders_are_upserted_listed_and_audited() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    let draft = create(&mut store, "Linked");
    let first = store
        .record_order(OrderSeen {
            draft_id: Some(draft.id.clone()),
            ..seen("ORD-1", "acknowledged", "Zed", 30)
        })
        .expect("record");
    let second = store.record_order(seen("ORD-2", "inProgress", "Amy", 20)).expect("record");
    let third = store.record_order(seen("ORD-3", "acknowledged", "Bea", 10)).expect("record");
    // Seen again with a new state: same row, state updated, the draft link kept.
    let again = store.record_order(seen("ORD-1", "inProgress", "Zed", 0)).expect("record");
    assert_eq!(again, first);
    let order = store.order(first).expect("order");
    assert_eq!(order.row.state, "inProgress");
    assert_eq!(order.row.draft_id.as_deref(), Some(draft.id.as_str()));
    assert_eq!(order.item_states, json!({"1": "inProgress"}));
    assert_eq!(store.order_id("lab", "ORD-2").expect("lookup"), Some(second));

    let page = |filter: OrderFilter| -> Vec<String> {
        store.orders(&filter).expect("orders").into_iter().map(|row| row.server_id).collect()
    };
    assert_eq!(page(OrderFilter::default()), ["ORD-1", "ORD-3", "ORD-2"]);
    assert_eq!(
        page(OrderFilter { state: Some("inProgress".into()), ..OrderFilter::default() }),
        ["ORD-1", "ORD-2"]
    );
    assert_eq!(
        page(OrderFilter { sort: OrderSort::CustomerAsc, ..OrderFilter::default() }),
        ["ORD-2", "ORD-3", "ORD-1"]
    );
    assert_eq!(
        page(OrderFilter { draft_id: Some(draft.id.clone()), ..OrderFilter::default() }),
        ["ORD-1"]
    );
    assert_eq!(page(OrderFilter { limit: 1, offset: 2, ..OrderFilter::default() }), ["ORD-2"]);

    let trail: Vec<_> = store
        .audit(AuditSubject::Order, &first.to_string())
        .expect("audit")
        .into_iter()
        .map(|entry| (entry.event, entry.detail.unwrap_or_default(), entry.state))
        .collect();
    assert_eq!(
        trail,
        [
            (AuditEvent::Created, "state acknowledged".to_string(), Some("acknowledged".into())),
            (
                AuditEvent::StateChanged,
                "acknowledged → inProgress".to_string(),
                Some("inProgress".into())
            )
        ]
    );
    assert!(store.order(third + 100).is_err());
    let hits = store.search("Bea", &[SearchKind::Order], 10).expect("search");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].id, third.to_string());
}

fn entry(op: OutboxOp, key: &str) -> NewOutboxEntry {
    NewOutboxEntry {
        op,
        profile: "lab".into(),
        draft_id: None,
        order_id: None,
        payload: Some("{\"x\":1}".into()),
        idempotency_key: Some(key.into()),
        actor: "agent".into(),
    }
}

#[test]
fn one_bad_outbox_entry_never_blocks_the_others() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    let bad = store.enqueue(entry(OutboxOp::Create, "k-bad")).expect("enqueue");
    let good = store.enqueue(entry(OutboxOp::Create, "k-good")).expect("enqueue");
    let duplicate = store.enqueue(entry(OutboxOp::Delete, "k-good"));
    assert!(matches!(duplicate, Err(StoreError::Conflict(_))), "{duplicate:?}");

    let now = Utc::now() + Duration::seconds(1);
    let claimed = store.claim_due(now, 1).expect("claim");
    assert_eq!(claimed.iter().map(|e| e.id).collect::<Vec<_>>(), [bad.id]);
    assert_eq!(claimed[0].status, OutboxStatus::InFlight);
    assert_eq!(claimed[0].attempts, 1);
    // The head of the queue fails and backs off: the next claim takes the entry behind it.
    store
        .outbox_retry(bad.id, "503 from server", now + Duration::minutes(5), false)
        .expect("retry");
    let claimed = store.claim_due(now, 10).expect("claim");
    assert_eq!(claimed.iter().map(|e| e.id).collect::<Vec<_>>(), [good.id]);
    store.outbox_done(good.id).expect("done");
    // The failing entry comes back when due, with its attempt count and error, same key.
    let later = store.claim_due(now + Duration::minutes(6), 10).expect("claim");
    assert_eq!(later.len(), 1);
    assert_eq!(later[0].attempts, 2);
    assert_eq!(later[0].idempotency_key, "k-bad");
    assert_eq!(later[0].last_error.as_deref(), Some("503 from server"));
    store.outbox_rejected(bad.id, "400 invalid order").expect("reject");

    // Rejected waits for the user; new entries still flow.
    let third = store.enqueue(entry(OutboxOp::Delete, "k-3")).expect("enqueue");
    let claimed = store.claim_due(Utc::now() + Duration::seconds(1), 10).expect("claim");
    assert_eq!(claimed.iter().map(|e| e.id).collect::<Vec<_>>(), [third.id]);

    // A crash leaves `third` in flight; recovery puts it back in the queue.
    assert_eq!(store.recover_in_flight().expect("recover"), 1);
    assert_eq!(store.outbox_entry(third.id).expect("entry").status, OutboxStatus::Queued);
    store.outbox_needs_attention(third.id, "outcome unknown", false).expect("attention");
    store.outbox_requeue(bad.id).expect("requeue");
    let statuses: Vec<_> = store
        .outbox(None)
        .expect("outbox")
        .into_iter()
        .map(|e| (e.idempotency_key, e.status))
        .collect();
    assert_eq!(
        statuses,
        [
            ("k-bad".to_string(), OutboxStatus::Queued),
            ("k-good".to_string(), OutboxStatus::Done),
            ("k-3".to_string(), OutboxStatus::NeedsAttention)
        ]
    );
    assert!(matches!(store.outbox_done(9999), Err(StoreError::NotFound { .. })));
    let not_json = store.enqueue(NewOutboxEntry {
        payload: Some("{oops".into()),
        ..entry(OutboxOp::Create, "k-4")
    });
    assert!(matches!(not_json, Err(StoreError::Invalid(_))));
}

#[test]
fn submitting_and_cancelling_are_audited() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    let draft = create(&mut store, "Submitter");
    let order = store.record_order(seen("ORD-9", "acknowledged", "Submitter", 0)).expect("order");
    store
        .enqueue(NewOutboxEntry {
            draft_id: Some(draft.id.clone()),
            idempotency_key: None,
            ..entry(OutboxOp::Create, "")
        })
        .expect("enqueue create");
    store
        .enqueue_cancellation(
            NewOutboxEntry {
                order_id: Some(order),
                idempotency_key: None,
                payload: None,
                ..entry(OutboxOp::Cancel, "")
            },
            NewCancellation { reason: "moved".into(), requested_date: None },
        )
        .expect("enqueue cancel");
    let draft_events: Vec<_> = store
        .audit(AuditSubject::Draft, &draft.id)
        .expect("audit")
        .into_iter()
        .map(|e| e.event)
        .collect();
    assert_eq!(draft_events, [AuditEvent::Created, AuditEvent::Submitted]);
    let order_events: Vec<_> = store
        .audit(AuditSubject::Order, &order.to_string())
        .expect("audit")
        .into_iter()
        .map(|e| e.event)
        .collect();
    assert_eq!(order_events, [AuditEvent::Created, AuditEvent::CancelRequested]);
    let keys: Vec<_> =
        store.outbox(None).expect("outbox").into_iter().map(|e| e.idempotency_key).collect();
    assert_eq!(keys.len(), 2);
    assert_ne!(keys[0], keys[1], "generated idempotency keys are unique");
}

#[test]
fn a_batch_of_orders_is_all_or_nothing() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    let bad = OrderSeen { payload: "{not json".into(), ..seen("ORD-B", "acknowledged", "Bad", 0) };
    let result = store.record_orders(vec![seen("ORD-A", "acknowledged", "Good", 0), bad]);
    assert!(matches!(result, Err(StoreError::Invalid(_))), "{result:?}");
    assert!(store.orders(&OrderFilter::default()).expect("orders").is_empty());
    assert!(store.search("Good", &[], 10).expect("search").is_empty());

    let ids = store
        .record_orders(vec![
            seen("ORD-A", "acknowledged", "Good", 1),
            seen("ORD-C", "completed", "Also Good", 0),
        ])
        .expect("batch");
    assert_eq!(ids.len(), 2);
    let counts = store.counts().expect("counts");
    assert!(counts.contains(&("orders", 2)), "{counts:?}");
    assert!(counts.contains(&("audit", 2)), "{counts:?}");
}

#[test]
fn a_create_records_the_revision_it_was_made_from_and_is_found_by_its_draft() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    let draft = create(&mut store, "Linked");
    store
        .update_draft(
            &draft.id,
            DraftEdit {
                body: order_json("Linked", "second", "red", "1.00"),
                catalog_version: None,
                actor: "agent".into(),
                action: "set-note".into(),
                expected_revision: Some(1),
                summary: None,
            },
        )
        .expect("edit");
    assert_eq!(store.live_submission(&draft.id).expect("live"), None);
    let created = store
        .enqueue(NewOutboxEntry {
            draft_id: Some(draft.id.clone()),
            ..entry(OutboxOp::Create, "c")
        })
        .expect("enqueue");
    assert_eq!(created.draft_revision, Some(2));
    assert!(!created.not_sent && !created.refused);
    assert_eq!(store.live_submission(&draft.id).expect("live"), Some(created.clone()));

    // Not sent: the flag, not the message, says so; a refusal clears it.
    store.claim_due(Utc::now() + Duration::seconds(1), 10).expect("claim");
    store.outbox_retry(created.id, "no connection", Utc::now(), true).expect("retry");
    let retried = store.outbox_entry(created.id).expect("entry");
    assert!(retried.not_sent && !retried.refused);
    assert_eq!(retried.last_error.as_deref(), Some("no connection"));
    store.outbox_requeue(created.id).expect("requeue");
    assert!(store.outbox_entry(created.id).expect("entry").not_sent, "a requeue keeps it");
    store.outbox_needs_attention(created.id, "400: no items", true).expect("refused");
    let refused = store.outbox_entry(created.id).expect("entry");
    assert!(refused.refused && !refused.not_sent);
    // Refused: no longer live, the draft may be queued again.
    assert_eq!(store.live_submission(&draft.id).expect("live"), None);
    store.outbox_retry(created.id, "503", Utc::now(), false).expect("retry");
    assert!(!store.outbox_entry(created.id).expect("entry").refused);
    assert_eq!(store.outbox_entry(created.id).expect("entry").last_error.as_deref(), Some("503"));
    store.outbox_done(created.id).expect("done");
    let done = store.outbox_entry(created.id).expect("entry");
    assert_eq!(done.last_error, None, "a delivered entry no longer shows its old error");
    assert_eq!(store.live_submission(&draft.id).expect("live").map(|e| e.id), Some(created.id));

    // Other operations record no revision; cancels and amendments go with what they ask.
    let delete = store.enqueue(entry(OutboxOp::Delete, "d")).expect("enqueue delete");
    assert_eq!(delete.draft_revision, None);
    for op in [OutboxOp::Cancel, OutboxOp::Patch] {
        assert!(matches!(store.enqueue(entry(op, "x")), Err(StoreError::Invalid(_))));
    }
}

#[test]
fn cancellations_keep_the_request_and_the_task() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    let order = store.record_order(seen("ORD-C", "acknowledged", "Canceller", 0)).expect("order");
    let date: chrono::DateTime<Utc> = "2031-01-15T09:00:00Z".parse().expect("date");
    let request =
        |reason: &str| NewCancellation { reason: reason.into(), requested_date: Some(date) };
    let first = store
        .enqueue_cancellation(
            NewOutboxEntry { order_id: Some(order), ..entry(OutboxOp::Cancel, "c-1") },
            request("moved abroad"),
        )
        .expect("enqueue");
    let without_order = store.enqueue_cancellation(entry(OutboxOp::Cancel, "c-x"), request("x"));
    assert!(matches!(without_order, Err(StoreError::Invalid(_))));

    let fresh = store.cancellation(first.id).expect("read").expect("cancellation");
    assert_eq!(fresh.reason, "moved abroad");
    assert_eq!(fresh.requested_date, Some(date));
    assert_eq!(fresh.requested_at, first.created_at);
    assert_eq!((fresh.task_id, fresh.task_state, fresh.state_at), (None, None, None));

    let seen_at = Utc::now();
    store.set_cancellation_task(first.id, "task-9").expect("task");
    store.note_cancellation_state(first.id, Some(TaskState::InProgress), None, seen_at).expect("s");
    store
        .note_cancellation_state(
            first.id,
            Some(TaskState::TerminatedWithError),
            Some("the order is completed"),
            seen_at,
        )
        .expect("state");
    let refused = store.cancellation(first.id).expect("read").expect("cancellation");
    assert_eq!(refused.task_id.as_deref(), Some("task-9"));
    assert_eq!(refused.task_state, Some(TaskState::TerminatedWithError));
    assert_eq!(refused.refusal_reason.as_deref(), Some("the order is completed"));
    assert!(refused.state_at.is_some());
    assert!(matches!(store.set_cancellation_task(9999, "t"), Err(StoreError::NotFound { .. })));

    let second = store
        .enqueue_cancellation(
            NewOutboxEntry { order_id: Some(order), ..entry(OutboxOp::Cancel, "c-2") },
            NewCancellation { reason: "again".into(), requested_date: None },
        )
        .expect("enqueue");
    let all = store.order_cancellations(order).expect("list");
    assert_eq!(
        all.iter().map(|(e, c)| (e.id, c.entry_id)).collect::<Vec<_>>(),
        [(second.id, second.id), (first.id, first.id)]
    );
    assert_eq!(all[0].0, second);
    assert_eq!(all[0].1.requested_date, None);
}

#[test]
fn amendments_keep_base_values_and_conflicts() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    let order = store.record_order(seen("ORD-A", "acknowledged", "Amender", 0)).expect("order");
    let base = json!({"description": "old", "priority": null, "note": [{"text": "n"}]});
    let base = base.as_object().cloned().expect("object");
    let queued = store
        .enqueue_amendment(
            NewOutboxEntry {
                order_id: Some(order),
                payload: Some(json!({"description": "new", "priority": "1"}).to_string()),
                ..entry(OutboxOp::Patch, "a-1")
            },
            &base,
        )
        .expect("enqueue");
    let fresh = store.amendment(queued.id).expect("read").expect("amendment");
    assert_eq!(fresh.state, AmendmentState::Pending);
    let members: Vec<_> =
        fresh.members.iter().map(|m| (m.member.as_str(), m.base.clone(), m.conflict)).collect();
    assert_eq!(
        members,
        [
            ("description", json!("old"), false),
            ("note", json!([{"text": "n"}]), false),
            ("priority", json!(null), false)
        ]
    );

    store
        .set_amendment_state(queued.id, AmendmentState::Conflict, &["description".into()])
        .expect("conflict");
    let conflict = store.amendment(queued.id).expect("read").expect("amendment");
    assert_eq!(conflict.state, AmendmentState::Conflict);
    let flagged: Vec<_> =
        conflict.members.iter().filter(|m| m.conflict).map(|m| m.member.as_str()).collect();
    assert_eq!(flagged, ["description"]);
    store.set_amendment_state(queued.id, AmendmentState::Applied, &[]).expect("applied");
    let applied = store.amendment(queued.id).expect("read").expect("amendment");
    assert!(
        applied.state == AmendmentState::Applied && applied.members.iter().all(|m| !m.conflict)
    );
    assert_eq!(store.amendment(9999).expect("read"), None);
    assert!(matches!(
        store.set_amendment_state(9999, AmendmentState::Applied, &[]),
        Err(StoreError::NotFound { .. })
    ));
}

#[test]
fn a_submitted_draft_is_read_only_and_withdrawn_only_while_unsent() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    let draft = create(&mut store, "Locked");
    let edit = |note: &str| DraftEdit {
        body: order_json("Locked", note, "red", "1.00"),
        catalog_version: None,
        actor: "agent".into(),
        action: "set-note".into(),
        expected_revision: None,
        summary: None,
    };
    let submit = |store: &mut Store, key: &str| {
        store
            .enqueue(NewOutboxEntry {
                draft_id: Some(draft.id.clone()),
                ..entry(OutboxOp::Create, key)
            })
            .expect("enqueue")
    };

    // Queued, never attempted: every change is refused; the withdrawal takes it out.
    let first = submit(&mut store, "w-1");
    let refused = store.update_draft(&draft.id, edit("second"));
    assert!(matches!(refused, Err(StoreError::DraftSubmitted { .. })), "{refused:?}");
    assert_eq!(refused.err().map(|e| e.code()), Some("store.draft_submitted"));
    let restore = store.restore_draft(&draft.id, 1, "agent");
    assert!(matches!(restore, Err(StoreError::DraftSubmitted { .. })));
    let delete = store.delete_draft(&draft.id, "agent");
    assert!(matches!(delete, Err(StoreError::DraftSubmitted { .. })), "{delete:?}");
    assert!(store.draft(&draft.id).is_ok(), "a refused delete keeps the draft");
    let withdrawn = store.withdraw_submission(&draft.id, "agent").expect("withdraw");
    assert_eq!((withdrawn.id, withdrawn.draft_revision), (first.id, Some(1)));
    assert!(matches!(store.outbox_entry(first.id), Err(StoreError::NotFound { .. })));
    assert_eq!(store.live_submission(&draft.id).expect("live"), None);
    let audit = store.audit(AuditSubject::Draft, &draft.id).expect("audit");
    assert!(audit.iter().any(|a| a.detail.as_deref().is_some_and(|d| d.contains("withdrawn"))));
    assert_eq!(store.update_draft(&draft.id, edit("second")).expect("edit").revision, 2);

    // In flight, or queued again after an attempt that may have arrived: too late.
    let second = submit(&mut store, "w-2");
    assert_eq!(second.draft_revision, Some(2));
    store.claim_due(Utc::now() + Duration::seconds(1), 10).expect("claim");
    let sent = store.withdraw_submission(&draft.id, "agent");
    assert!(matches!(sent, Err(StoreError::DraftSent { .. })), "{sent:?}");
    assert_eq!(sent.err().map(|e| e.code()), Some("store.draft_sent"));
    store.outbox_retry(second.id, "timeout", Utc::now(), false).expect("retry");
    assert!(matches!(
        store.withdraw_submission(&draft.id, "agent"),
        Err(StoreError::DraftSent { .. })
    ));

    // Done: read-only for good.
    store.outbox_done(second.id).expect("done");
    assert!(matches!(
        store.delete_draft(&draft.id, "agent"),
        Err(StoreError::DraftSubmitted { .. })
    ));
    assert!(matches!(
        store.update_draft(&draft.id, edit("third")),
        Err(StoreError::DraftSubmitted { .. })
    ));
    assert!(matches!(
        store.withdraw_submission(&draft.id, "agent"),
        Err(StoreError::DraftSent { .. })
    ));
    assert!(matches!(store.withdraw_submission("nope", "agent"), Err(StoreError::NotFound { .. })));
}

#[test]
fn a_sync_asked_for_makes_entries_waiting_out_a_back_off_due() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    let waiting = store.enqueue(entry(OutboxOp::Create, "b-1")).expect("enqueue");
    let now = Utc::now();
    store.claim_due(now + Duration::seconds(1), 10).expect("claim");
    store.outbox_retry(waiting.id, "no connection", now + Duration::hours(1), true).expect("retry");
    let dropped = store.enqueue(entry(OutboxOp::Create, "b-2")).expect("enqueue");
    store.outbox_rejected(dropped.id, "dropped").expect("drop");
    assert!(store.claim_due(now + Duration::seconds(1), 10).expect("claim").is_empty());

    assert_eq!(store.outbox_due_now(now + Duration::seconds(1)).expect("due now"), 1);
    let claimed = store.claim_due(now + Duration::seconds(1), 10).expect("claim");
    assert_eq!(
        claimed.iter().map(|e| e.id).collect::<Vec<_>>(),
        [waiting.id],
        "not the dropped one"
    );
}
