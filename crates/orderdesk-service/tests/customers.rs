//! The editor's customer part through the service, against the in-process demo server: the
//! customer cache searched as the type-ahead does, a customer's installed products as the
//! panel shows them, and the panel's changes as editor revisions the review reads back as
//! "was → will be".

mod common;

use orderdesk_service::customers::InstalledChange;
use orderdesk_service::{Edit, RefInput};

const ADA: &str = "CUST-000001";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_found_in_the_cache_gets_a_plan_change_and_an_option_as_editor_revisions() {
    let (_dir, service) = common::demo_service().await;
    let report = service.sync_customers().await.expect("customer sync");
    assert!(report.received > 0, "{report:?}");
    let hits = service.search_customers("Lovel".into(), 20).await.expect("search");
    let ada = hits.iter().find(|h| h.id == ADA).expect("Ada is found by part of her name");
    assert_eq!(ada.name, "Ada Lovelace");

    let products = service.customer_products(ADA.into()).await.expect("products");
    assert_eq!(products.stale, None, "the server answered");
    let bundle = products
        .products
        .iter()
        .find(|p| p.offering_id.as_deref() == Some("14277"))
        .expect("a TMF25 bundle");
    assert!(bundle.bundle && bundle.changeable && bundle.depth == 0, "{bundle:?}");
    let plan = products
        .products
        .iter()
        .find(|p| p.offering_id.as_deref() == Some("14344"))
        .expect("its tariff plan");
    assert_eq!(plan.parent.as_deref(), Some(bundle.id.as_str()));
    assert_eq!(plan.depth, 1);

    let state = service.new_draft().await.expect("draft");
    let draft = state.draft.id.clone();
    let customer = Some(RefInput { id: ada.id.clone(), name: ada.name.clone() });
    let state = service
        .edit(draft.clone(), state.draft.revision, Edit::SetCustomer { customer })
        .await
        .expect("customer");
    let change = InstalledChange::ChangePlan { product: plan.id.clone(), offering: "20006".into() };
    let changed =
        service.change_installed(draft.clone(), state.draft.revision, change).await.expect("plan");
    assert_eq!(changed.draft.revision, state.draft.revision + 1);
    assert!(changed.draft.can_undo);
    let actions: Vec<&str> = changed.draft.items.iter().map(|i| i.action.as_str()).collect();
    assert!(actions.contains(&"modify") && actions.contains(&"delete"), "{actions:?}");

    // A change on a revision the editor no longer has is refused, like an edit.
    let stale = InstalledChange::AddOption { bundle: bundle.id.clone(), offering: "14354".into() };
    assert!(service.change_installed(draft.clone(), state.draft.revision, stale).await.is_err());
    let option = InstalledChange::AddOption { bundle: bundle.id.clone(), offering: "14354".into() };
    let with_option = service
        .change_installed(draft.clone(), changed.draft.revision, option)
        .await
        .expect("option");
    assert!(with_option.draft.items.iter().any(|i| i.offering_id.as_deref() == Some("14354")));

    let summary = service.draft_summary(draft.clone()).await.expect("summary");
    let row = summary.changes.iter().find(|c| c.product_id == plan.id).expect("the plan's row");
    assert_eq!((row.was.as_str(), row.will_be.as_deref()), ("Tariff Plan", Some("Mobile M")));

    // Undo takes the option back as one edit.
    let undone = service.undo(draft).await.expect("undo");
    assert!(!undone.draft.items.iter().any(|i| i.offering_id.as_deref() == Some("14354")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disconnect_takes_the_bundle_and_what_it_bundles() {
    let (_dir, service) = common::demo_service().await;
    let products = service.customer_products(ADA.into()).await.expect("products");
    let bundle = products
        .products
        .iter()
        .find(|p| p.offering_id.as_deref() == Some("14277"))
        .expect("a TMF25 bundle");
    let under = products
        .products
        .iter()
        .filter(|p| p.parent.as_deref() == Some(bundle.id.as_str()))
        .count();
    let state = service.new_draft().await.expect("draft");
    let change = InstalledChange::Disconnect { product: bundle.id.clone() };
    let state = service
        .change_installed(state.draft.id.clone(), state.draft.revision, change)
        .await
        .expect("disconnect");
    let deletes = state.draft.items.iter().filter(|i| i.action == "delete").count();
    assert_eq!(deletes, under + 1, "{:?}", state.draft.items);
}
