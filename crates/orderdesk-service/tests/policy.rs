//! What a server profile rules, through the services: the discount policy stored with the
//! profile, held against the editor, `check_draft` and the submit gate alike; the approval of
//! a discount over the limit as an order note and an audit entry; the cancellation reasons
//! and the states a cancellation is offered in. A real database in a temp dir and the
//! reference server in-process on 127.0.0.1.

mod common;

use std::time::{Duration, Instant};

use orderdesk_error::ErrorCode;
use orderdesk_server::LifecycleConfig;
use orderdesk_service::{
    AlterationInput, ApprovalInput, Edit, EditorState, OrderListQuery, OrderState, RowKind,
    Service, Tuning, DEMO_PROFILE,
};
use orderdesk_store::{AuditEvent, AuditSubject, Queries, Store};

const POLICY: &str = r#"{
    "discount": {"reasons": [
        {"code": "retention", "label": "Customer retention", "maxPercentage": "20"}
    ]},
    "cancelReasons": [{"code": "duplicate", "label": "Duplicate order"}]
}"#;

fn quick(acknowledged: u64, in_progress: u64) -> Tuning {
    Tuning {
        demo_lifecycle: LifecycleConfig {
            acknowledged_for: Duration::from_millis(acknowledged),
            in_progress_for: Duration::from_millis(in_progress),
            cancel_step: Duration::from_millis(50),
            ..LifecycleConfig::default()
        },
        ..Tuning::default()
    }
}

/// A valid draft with a discount of `percent` % "for" `reason` on its first priced item's
/// recurring price; returns the state and (item, price).
async fn discounted(service: &Service, percent: &str, reason: &str) -> (EditorState, String, u32) {
    let id = common::valid_draft(service, "C-7", "Cleo Park").await;
    let mut state = service.open_draft(id.clone()).await.expect("open");
    let item = state.draft.items[0].id.clone();
    state = service
        .edit(id.clone(), state.draft.revision, Edit::PriceFromCatalog { item: item.clone() })
        .await
        .expect("price from catalog");
    let first = state.draft.items.iter().find(|i| i.id == item).expect("item");
    let price = first.prices.iter().find(|p| p.period.is_some()).expect("recurring").index;
    let state = service
        .edit(
            id,
            state.draft.revision,
            Edit::AddAlteration {
                item: item.clone(),
                price,
                alteration: AlterationInput {
                    name: "Loyalty".into(),
                    kind: "percentage".into(),
                    value: percent.into(),
                    currency: None,
                    duration: Some(3),
                    price_type: None,
                    reason: Some(reason.into()),
                },
            },
        )
        .await
        .expect("discount");
    (state, item, price)
}

fn codes(state: &EditorState) -> Vec<&str> {
    state.quote.findings.iter().map(|f| f.code.as_str()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_discount_over_the_limit_needs_an_approval_before_it_is_submitted() {
    let (dir, service) = common::demo_with(quick(60_000, 60_000)).await;
    // A policy that does not check is refused at the field, and nothing is saved.
    let bad = service.set_profile_policy(DEMO_PROFILE.into(), "{\"discount\": 5}".into()).await;
    assert_eq!(bad.err().map(|e| e.code()), Some("service.bad_policy"));
    let profiles = service.set_profile_policy(DEMO_PROFILE.into(), POLICY.into()).await;
    let demo = profiles.expect("saved").into_iter().find(|p| p.demo).expect("the demo profile");
    assert_eq!(demo.policy.discount_reasons[0].max_percentage.as_deref(), Some("20"));
    assert_eq!(demo.policy.cancel_reasons.len(), 1);

    // Within the limit: no finding.
    let (fine, _, _) = discounted(&service, "20", "retention").await;
    assert!(!codes(&fine).contains(&"discount.approval"), "{:?}", codes(&fine));
    // No reason the policy lists: the editor says so.
    let (unlisted, _, _) = discounted(&service, "5", "friend").await;
    assert!(codes(&unlisted).contains(&"discount.reason"), "{:?}", codes(&unlisted));

    // 50 % against a 20 % limit: an error in the editor, in `check_draft` and at the gate.
    let (state, item, price) = discounted(&service, "50", "Customer retention").await;
    let draft = state.draft.id.clone();
    assert!(codes(&state).contains(&"discount.approval"), "{:?}", codes(&state));
    let checked = service.check_draft(draft.clone()).await.expect("check");
    assert!(checked.iter().any(|f| f.code == "discount.approval"));
    let refused = service.submit(draft.clone()).await;
    assert_eq!(refused.err().map(|e| e.code()), Some("service.submit_blocked"));

    // An approval needs an approver and a code, and a discount of the agent's.
    let approval = |approver: &str, code: &str, alteration: u32| ApprovalInput {
        item: item.clone(),
        price,
        alteration,
        approver: approver.into(),
        code: code.into(),
    };
    let none = service.approve_discount(draft.clone(), approval(" ", "A-1", 0)).await;
    assert_eq!(none.err().map(|e| e.code()), Some("service.approval"));
    let nowhere = service.approve_discount(draft.clone(), approval("Jane Doe", "A-1", 9)).await;
    assert_eq!(nowhere.err().map(|e| e.code()), Some("service.approval"));
    let approved = service
        .approve_discount(draft.clone(), approval("Jane Doe", "A-77", 0))
        .await
        .expect("approved");
    assert!(!codes(&approved).contains(&"discount.approval"), "{:?}", codes(&approved));
    let shown = approved.draft.items.iter().find(|i| i.id == item).expect("item");
    let alteration = &shown.prices.iter().find(|p| p.index == price).expect("price").alterations[0];
    assert_eq!(alteration.reason.as_deref(), Some("Customer retention"));
    let by = alteration.approval.as_ref().expect("the approval is shown");
    assert_eq!(by.approver, "Jane Doe");
    assert!(by.text.contains("A-77"), "{}", by.text);

    // The audit log names the approver and the code.
    let store = Store::open(dir.path().join("data").join(orderdesk_service::DB_FILE));
    let audit = store.expect("store").audit(AuditSubject::Draft, &draft).expect("audit");
    let entry = audit.iter().find(|a| a.event == AuditEvent::DiscountApproved).expect("entry");
    let detail = entry.detail.clone().unwrap_or_default();
    assert!(detail.contains("Jane Doe") && detail.contains("A-77"), "{detail}");

    // Now it submits, and the server's order carries the approval note.
    service.submit(draft.clone()).await.expect("submitted");
    let start = Instant::now();
    let order = loop {
        service.sync_now().await.expect("sync");
        let rows = service.list_orders(OrderListQuery::default()).await.expect("list").rows;
        if let Some(row) = rows.iter().find(|r| r.kind == RowKind::Order) {
            break row.id.clone();
        }
        assert!(start.elapsed() < Duration::from_secs(15), "never delivered");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let detail = service.order_detail(order).await.expect("detail");
    let client = service.demo_client().await.expect("the demo server's client");
    let on_server = client.get_order(&detail.server_id).await.expect("the server's order");
    let notes = on_server["note"].as_array().cloned().unwrap_or_default();
    let note = notes
        .iter()
        .find(|n| n["id"].as_str().is_some_and(|id| id.starts_with("discount-approval:")))
        .unwrap_or_else(|| panic!("no approval note in {on_server}"));
    assert_eq!(note["author"], "Jane Doe");
    assert!(note["text"].as_str().is_some_and(|t| t.contains("A-77")), "{note}");
    service.stop_demo().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_is_offered_in_cancellable_states_only_with_the_profiles_reasons() {
    let (_dir, service) = common::demo_with(quick(50, 50)).await;
    service.set_profile_policy(DEMO_PROFILE.into(), POLICY.into()).await.expect("policy");
    let draft = common::valid_draft(&service, "C-8", "Dag Holm").await;
    service.submit(draft).await.expect("submit");
    let start = Instant::now();
    let detail = loop {
        service.sync_now().await.expect("sync");
        let rows = service.list_orders(OrderListQuery::default()).await.expect("list").rows;
        if let Some(row) = rows.iter().find(|r| r.kind == RowKind::Order) {
            let detail = service.order_detail(row.id.clone()).await.expect("detail");
            if detail.state == Some(OrderState::Completed) {
                break detail;
            }
        }
        assert!(start.elapsed() < Duration::from_secs(15), "never completed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(
        detail.cancel_reasons.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(),
        ["duplicate"]
    );
    assert!(!detail.can_cancel, "a completed order offers no cancel");
    let refused = service
        .cancel_order(detail.id.clone(), Some("duplicate".into()), String::new(), None)
        .await;
    assert_eq!(refused.err().map(|e| e.code()), Some("sync.refused"));
    service.stop_demo().await;
}
