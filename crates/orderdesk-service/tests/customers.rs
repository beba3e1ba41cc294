//! The editor's customer part through the service, against the in-process demo server: the
//! customer cache searched as the type-ahead does, a customer's installed products as the
//! panel shows them, and the panel's changes as editor revisions the review reads back as
//! "was → will be"; a new customer created on a reference server of either version, in the
//! shape the official TMF629 schema of that version asks for, found by search at once, and
//! refused before anything is sent or while the server is away.

mod common;

use orderdesk_error::ErrorCode;
use orderdesk_server::{RunningServer, ServerConfig};
use orderdesk_service::customers::{new_customer_request, InstalledChange, NewCustomer};
use orderdesk_service::{Edit, ProfileInput, RefInput, Service, Version, VersionChoice};
use serde_json::Value;

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

fn evelyn() -> NewCustomer {
    NewCustomer {
        name: "  Evelyn Berezin ".into(),
        phone: Some("+1 202 555 0100".into()),
        email: Some("evelyn@example.org".into()),
    }
}

/// A service whose active profile is a reference server of `version` (no demo server).
async fn on_server(version: Version) -> (tempfile::TempDir, Service, RunningServer) {
    let server = orderdesk_server::start(ServerConfig::default()).await.expect("server");
    let dir = tempfile::tempdir().expect("temp dir");
    let service = Service::open(dir.path().to_path_buf()).expect("open");
    let (order_url, catalog_url) = match version {
        Version::V4 => (server.base_url_v4(), server.catalog_url_v4()),
        Version::V5 => (server.base_url_v5(), server.catalog_url_v5()),
    };
    let saved = service
        .save_profile(ProfileInput {
            name: "lab".into(),
            order_url,
            catalog_url,
            version: VersionChoice::Fixed(version),
            auth_mode: orderdesk_service::AuthMode::None,
            ..ProfileInput::default()
        })
        .await
        .expect("saved");
    assert!(saved.errors.is_empty(), "{:?}", saved.errors);
    service.set_active_profile("lab".into()).await.expect("active");
    (dir, service, server)
}

/// The customers named `name` on the server, as a client of the profile's version reads them.
async fn on_the_server(server: &RunningServer, version: Version, name: &str) -> Vec<Value> {
    let url = match version {
        Version::V4 => server.base_url_v4(),
        Version::V5 => server.base_url_v5(),
    };
    let client = orderdesk_client::Client::new(orderdesk_client::Profile::new("check", url), None)
        .expect("client");
    client.list_customers(&[("name", name)]).await.expect("customers")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_customer_is_created_on_the_server_and_found_by_search_at_once() {
    for version in [Version::V4, Version::V5] {
        let (_dir, service, server) = on_server(version).await;
        let made = service.create_customer(evelyn()).await.expect("created");
        assert_eq!(made.name, "Evelyn Berezin", "{version}: the name is trimmed");
        assert_eq!(made.phone.as_deref(), Some("+1 202 555 0100"), "{version}");
        assert_eq!(made.email.as_deref(), Some("evelyn@example.org"), "{version}");
        assert!(!made.id.is_empty());

        // Search reads only the cache: no customer sync ran, the creation cached her.
        let hits = service.search_customers("Berezin".into(), 20).await.expect("search");
        assert_eq!(hits, std::slice::from_ref(&made), "{version}");

        let listed = on_the_server(&server, version, "Evelyn Berezin").await;
        let ids: Vec<&str> = listed.iter().filter_map(|c| c["id"].as_str()).collect();
        assert_eq!(ids, [made.id.as_str()], "{version}: created once");
        server.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_field_is_refused_with_the_core_message_before_anything_is_sent() {
    let (_dir, service, server) = on_server(Version::V4).await;
    let bad = [
        (NewCustomer { name: "   ".into(), ..evelyn() }, "customer.bad_name", "needs a name"),
        (
            NewCustomer { phone: Some("0170 1234567".into()), ..evelyn() },
            "customer.bad_phone",
            "write it with the country code",
        ),
        (
            NewCustomer { email: Some("evelyn@localhost".into()), ..evelyn() },
            "customer.bad_email",
            "needs a dot",
        ),
    ];
    for (input, code, says) in bad {
        let err = service.create_customer(input).await.expect_err("refused");
        assert_eq!(err.code(), code, "{err}");
        assert!(err.to_string().contains(says), "{err}");
    }
    assert!(on_the_server(&server, Version::V4, "Evelyn Berezin").await.is_empty());
    // Empty optional fields are absent, not wrong.
    let made = service
        .create_customer(NewCustomer {
            name: "Evelyn Berezin".into(),
            phone: Some(" ".into()),
            email: Some(String::new()),
        })
        .await
        .expect("created");
    assert_eq!((made.phone, made.email), (None, None));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_server_a_customer_is_not_created_and_nothing_is_stored() {
    let (_dir, service, server) = on_server(Version::V5).await;
    server.shutdown().await;
    let err = service.create_customer(evelyn()).await.expect_err("offline");
    assert_eq!(err.code(), "customer.create_offline", "{err}");
    assert!(err.to_string().contains("only while the server is reachable"), "{err}");
    assert!(service.search_customers("Berezin".into(), 20).await.expect("search").is_empty());
}

fn tmf(name: &str) -> std::path::PathBuf {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/tmf");
    assert!(dir.is_dir(), "the official TMF specifications are expected in {}", dir.display());
    dir.join(name)
}

/// The official schema `name` of a specification, as draft 4 JSON Schema.
fn validator(spec: &str, name: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(tmf(spec)).unwrap_or_else(|e| panic!("{spec}: {e}"));
    let doc: Value = if spec.ends_with(".json") {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{spec}: {e}"))
    } else {
        serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{spec}: {e}"))
    };
    orderdesk_wire::schema::named_validator(&doc, name).unwrap_or_else(|e| panic!("{spec} {e}"))
}

#[test]
fn what_is_sent_validates_against_the_official_customer_create_schema() {
    let specs = [
        (Version::V4, "TMF629-CustomerManagement-v4.0.0.swagger.json", "Customer_Create"),
        (Version::V5, "TMF629-CustomerManagement-v5.0.1.oas.yaml", "Customer_FVO"),
    ];
    for (version, spec, schema) in specs {
        let check = validator(spec, schema);
        let body = new_customer_request(version, evelyn()).expect("a request");
        let errs: Vec<String> =
            check.iter_errors(&body).map(|e| format!("{e} at {}", e.instance_path())).collect();
        assert!(errs.is_empty(), "{version}: {errs:?}\n{body:#}");
        assert_eq!(body["name"], "Evelyn Berezin");
        assert!(body.get("id").is_none() && body.get("href").is_none(), "{body}");
        let media = body["contactMedium"].as_array().expect("contact media");
        assert_eq!(media.len(), 2, "{body}");
        match version {
            Version::V4 => {
                assert_eq!(media[0]["mediumType"], "phone");
                assert_eq!(media[1]["characteristic"]["emailAddress"], "evelyn@example.org");
            }
            Version::V5 => {
                assert_eq!(media[0]["@type"], "PhoneContactMedium");
                assert_eq!(media[1]["@type"], "EmailContactMedium");
                assert_eq!(body["engagedParty"]["@type"], "PartyRef");
            }
        }
        // Both versions require the engaged party: the schema is the one that checks it.
        let mut without = body.clone();
        without.as_object_mut().map(|m| m.remove("engagedParty"));
        assert!(!check.is_valid(&without), "{version}");
    }
}
