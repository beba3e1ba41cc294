//! Set-up shared by the service's integration tests: a service over a fresh database in a temp
//! dir with the demo server running, and a draft valid enough to submit.

// Each test binary includes this module and uses only part of it.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use orderdesk_service::{
    Edit, OrderDetailView, OrderListQuery, RefInput, RowKind, Service, Tuning,
};

/// A service on a fresh data dir with the in-process demo server started (`tuning` sets its
/// lifecycle and the sync loop's timings).
pub async fn demo_with(tuning: Tuning) -> (tempfile::TempDir, Service) {
    let dir = tempfile::tempdir().expect("temp dir");
    let service = Service::open_tuned(dir.path().join("data"), tuning).expect("open service");
    service.start_demo().await.expect("demo server starts");
    (dir, service)
}

/// [`demo_with`] the default timings.
pub async fn demo_service() -> (tempfile::TempDir, Service) {
    demo_with(Tuning::default()).await
}

/// A new draft with one demo offering (20006) and the customer `id`/`name`: no errors, ready
/// to submit. Returns the draft id.
pub async fn valid_draft(service: &Service, id: &str, name: &str) -> String {
    let state = service.new_draft().await.expect("draft");
    let draft = state.draft.id.clone();
    let state = service
        .edit(
            draft.clone(),
            state.draft.revision,
            Edit::AddOffering { offering_id: "20006".into(), parent: None, quantity: None },
        )
        .await
        .expect("add");
    let customer = Some(RefInput { id: id.into(), name: name.into() });
    let state = service
        .edit(draft.clone(), state.draft.revision, Edit::SetCustomer { customer })
        .await
        .expect("customer");
    let errors: Vec<_> = state
        .quote
        .findings
        .iter()
        .filter(|f| f.severity == orderdesk_service::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "the draft is valid: {errors:?}");
    draft
}

/// The local id of the order listed for `customer`.
pub async fn order_of(service: &Service, customer: &str) -> String {
    let rows = service.list_orders(OrderListQuery::default()).await.expect("list").rows;
    rows.iter()
        .find(|r| r.kind == RowKind::Order && r.customer.as_deref() == Some(customer))
        .map(|r| r.id.clone())
        .expect("the order is listed")
}

/// Sync until `done` holds for the order's detail (at most 15 s).
pub async fn sync_until(
    service: &Service,
    id: &str,
    done: impl Fn(&OrderDetailView) -> bool,
) -> OrderDetailView {
    let start = Instant::now();
    loop {
        service.sync_now().await.expect("sync");
        let detail = service.order_detail(id.to_owned()).await.expect("detail");
        if done(&detail) {
            return detail;
        }
        assert!(start.elapsed() < Duration::from_secs(15), "gave up waiting: {detail:#?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
