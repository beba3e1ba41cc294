//! The customer summary through the service: its figures are the editor's price panel's, its
//! items carry their characteristics in words, the shop's name comes from the settings, and
//! the order's reference appears once the server has the order. A real database in a temp dir
//! and the reference server in-process on 127.0.0.1.

mod common;

use std::time::{Duration, Instant};

use orderdesk_error::ErrorCode;
use orderdesk_service::{Service, Settings, Tuning};

fn asset(relative: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_summary_has_the_price_panels_figures_and_the_characteristics_in_words() {
    let dir = tempfile::tempdir().expect("temp dir");
    let service = Service::open_tuned(dir.path().join("data"), Tuning::default()).expect("open");
    service
        .import_catalog(asset("assets/catalog/demo.json"), "demo-1".into())
        .await
        .expect("catalog");
    let editor =
        service.import_order(asset("assets/orders/tmf25-bundle.v4.json")).await.expect("import");
    service
        .save_settings(Settings { shop_name: "  Corner Shop Köln ".into(), ..service.settings() })
        .await
        .expect("settings");

    let summary = service.draft_summary(editor.draft.id.clone()).await.expect("summary");
    assert_eq!(summary.shop_name, "Corner Shop Köln", "saved trimmed");
    assert_eq!(summary.currencies, editor.quote.currencies, "the price panel's figures");
    let eur = summary.currencies.first().expect("a currency");
    assert_eq!((eur.total.tax_included.as_str(), eur.total_periods), ("228.99", 12));
    assert_eq!(summary.customer.as_ref().map(|c| c.name.as_str()), Some("Jean Pontus"));
    assert_eq!(summary.items.len(), editor.draft.items.len());
    let phone = summary
        .items
        .iter()
        .flat_map(|i| &i.characteristics)
        .find(|c| c.name == "TEL_MSISDN")
        .expect("the phone number");
    assert_eq!(phone.label, "Phone number");
    let discount = summary.discounts.first().expect("the welcome discount");
    assert!(discount.alteration.reason.is_some(), "{discount:?}");
    let one_time: Vec<&str> = summary
        .one_time
        .iter()
        .filter_map(|c| c.runs.first().map(|r| r.amounts.tax_included.as_str()))
        .collect();
    assert_eq!(one_time, [eur.one_time.tax_included.as_str()]);
    assert!(summary.reference.is_none(), "not sent");
    assert!(summary.changes.is_empty(), "no change items");

    let pdf = service.draft_summary_pdf(editor.draft.id.clone()).await.expect("pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    let relative = service.save_summary_pdf(editor.draft.id.clone(), "summary.pdf".into()).await;
    assert_eq!(relative.err().map(|e| e.code()), Some("service.invalid_input"));
    let path = dir.path().join("summary.pdf");
    service.save_summary_pdf(editor.draft.id, path.clone()).await.expect("saved");
    assert!(std::fs::read(&path).expect("written").starts_with(b"%PDF-"));

    // An item priced from the catalog: the offering's own discount, which the engine applies.
    let fresh = service.new_draft().await.expect("draft");
    let added = service
        .edit(
            fresh.draft.id.clone(),
            fresh.draft.revision,
            orderdesk_service::Edit::AddOffering {
                offering_id: "14344".into(),
                parent: None,
                quantity: None,
            },
        )
        .await
        .expect("tariff plan");
    let summary = service.draft_summary(added.draft.id).await.expect("summary");
    let welcome: Vec<(&str, &str, &str)> = summary
        .discounts
        .iter()
        .map(|d| (d.alteration.name.as_str(), d.alteration.value.as_str(), d.source.as_str()))
        .collect();
    assert_eq!(welcome, [("WelcomeDiscount", "20", "catalog")]);
    assert_eq!(summary.currencies, added.quote.currencies);

    let long = Settings { shop_name: "x".repeat(121), ..service.settings() };
    assert_eq!(
        service.save_settings(long).await.err().map(|e| e.code()),
        Some("service.invalid_input")
    );
    let two_lines = Settings { shop_name: "Corner\nShop".into(), ..service.settings() };
    assert_eq!(
        service.save_settings(two_lines).await.err().map(|e| e.code()),
        Some("service.invalid_input")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_summary_carries_the_order_reference_once_the_server_has_the_order() {
    let (_dir, service) = common::demo_service().await;
    let id = common::valid_draft(&service, "C-SUM", "Summary Customer").await;
    service.submit(id.clone()).await.expect("submit");
    let start = Instant::now();
    let reference = loop {
        service.sync_now().await.expect("sync");
        if let Some(r) = service.draft_summary(id.clone()).await.expect("summary").reference {
            break r;
        }
        assert!(start.elapsed() < Duration::from_secs(15), "the order never reached the server");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(reference.profile, "demo");
    assert!(!reference.server_id.is_empty());
    let detail_id = service
        .list_orders(orderdesk_service::OrderListQuery::default())
        .await
        .expect("list")
        .rows
        .into_iter()
        .find(|r| r.kind == orderdesk_service::RowKind::Order)
        .map(|r| r.id)
        .expect("the order is listed");
    let detail = service.order_detail(detail_id).await.expect("detail");
    assert_eq!(detail.server_id, reference.server_id, "the id the order detail shows");
    service.stop_demo().await;
}
