//! TMF629 customers and TMF637 products over real HTTP: what the server answers in v4 and v5
//! validates against the official specifications, lists follow the conventions, and a
//! completed change order changes the inventory (and one acting on a product that does not
//! exist, is another customer's or is not active is refused with 422, naming the item).

use std::path::PathBuf;
use std::time::Duration;

use orderdesk_server::{start, LifecycleConfig, RunningServer, ServerConfig};
use orderdesk_wire::Version;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

fn tmf(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/tmf");
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

fn problems(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc).map(|e| format!("{e} at {}", e.instance_path())).collect()
}

const SPECS: [(Version, &str, &str); 2] = [
    (
        Version::V4,
        "TMF629-CustomerManagement-v4.0.0.swagger.json",
        "TMF637-ProductInventory-v4.0.0.swagger.json",
    ),
    (
        Version::V5,
        "TMF629-CustomerManagement-v5.0.1.oas.yaml",
        "TMF637-ProductInventory-v5.0.0.oas.yaml",
    ),
];

fn fast() -> LifecycleConfig {
    LifecycleConfig {
        acknowledged_for: Duration::from_millis(30),
        in_progress_for: Duration::from_millis(60),
        cancel_step: Duration::from_millis(30),
        fail_value: "FAIL".into(),
    }
}

async fn server() -> Result<RunningServer, orderdesk_server::ServerError> {
    start(ServerConfig { lifecycle: fast(), ..ServerConfig::default() }).await
}

async fn get(
    c: &Client,
    url: String,
) -> Result<(StatusCode, Value, reqwest::header::HeaderMap), reqwest::Error> {
    let r = c.get(url).send().await?;
    let status = r.status();
    let headers = r.headers().clone();
    Ok((status, r.json().await.unwrap_or(Value::Null), headers))
}

#[tokio::test]
async fn answers_validate_against_the_official_specifications() -> TestResult {
    let s = server().await?;
    let c = Client::new();
    for (v, customer_spec, product_spec) in SPECS {
        let ver = v.as_str();
        let customer = validator(customer_spec, "Customer");
        let product = validator(product_spec, "Product");
        let (status, list, h) =
            get(&c, format!("{}/tmf-api/customerManagement/{ver}/customer?limit=50", s.base_url()))
                .await?;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(h.get("x-total-count").and_then(|x| x.to_str().ok()), Some("300"));
        for c in list.as_array().into_iter().flatten() {
            let p = problems(&customer, c);
            assert!(p.is_empty(), "{ver} customer {}: {p:?}", c["id"]);
        }
        let (_, list, _) =
            get(&c, format!("{}/tmf-api/productInventory/{ver}/product?limit=200", s.base_url()))
                .await?;
        assert_eq!(list.as_array().map(Vec::len), Some(200));
        for p in list.as_array().into_iter().flatten() {
            let errs = problems(&product, p);
            assert!(errs.is_empty(), "{ver} product {}: {errs:?}", p["id"]);
        }
    }
    Ok(())
}

#[tokio::test]
async fn a_customers_products_come_by_filter_in_both_versions() -> TestResult {
    let s = server().await?;
    let c = Client::new();
    for (v, filter) in
        [(Version::V4, "relatedParty.id"), (Version::V5, "relatedParty.partyOrPartyRole.id")]
    {
        let url = format!(
            "{}/tmf-api/productInventory/{}/product?{filter}=CUST-000001",
            s.base_url(),
            v.as_str()
        );
        let (_, list, _) = get(&c, url).await?;
        let offerings: Vec<&str> = list
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["productOffering"]["id"].as_str())
            .collect();
        assert_eq!(offerings, ["14305", "14344", "14277"], "{v}");
        // A quoted value is the same value.
        let url = format!(
            "{}/tmf-api/productInventory/{}/product?{filter}=%22CUST-000001%22",
            s.base_url(),
            v.as_str()
        );
        assert_eq!(get(&c, url).await?.1.as_array().map(Vec::len), Some(3));
    }
    let (status, body, _) =
        get(&c, format!("{}/tmf-api/productInventory/v4/product/nope", s.base_url())).await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body["code"].is_string());
    let (_, one, _) =
        get(&c, format!("{}/tmf-api/customerManagement/v5/customer/CUST-000001", s.base_url()))
            .await?;
    assert_eq!(
        (one["name"].as_str(), one["@type"].as_str()),
        (Some("Ada Lovelace"), Some("Customer"))
    );
    Ok(())
}

#[tokio::test]
async fn customers_can_be_created_in_both_versions() -> TestResult {
    let s = server().await?;
    let c = Client::new();
    for (v, spec, _) in SPECS {
        let body = orderdesk_wire::inventory::customer_create_payload(
            v,
            "Grace Hopper",
            "P-GH",
            Some("+1 555 0100"),
            None,
        );
        let create = if v == Version::V4 { "Customer_Create" } else { "Customer_FVO" };
        let errs = problems(&validator(spec, create), &body);
        assert!(errs.is_empty(), "{v}: {errs:?}");
        let r = c
            .post(format!("{}/tmf-api/customerManagement/{}/customer", s.base_url(), v.as_str()))
            .json(&body)
            .send()
            .await?;
        assert_eq!(r.status(), StatusCode::CREATED);
        let made: Value = r.json().await?;
        let errs = problems(&validator(spec, "Customer"), &made);
        assert!(errs.is_empty(), "{v}: {errs:?}");
        let read = orderdesk_wire::inventory::read_customer(&made).unwrap_or_default();
        assert_eq!((read.name.as_str(), read.phones.len()), ("Grace Hopper", 1));
    }
    let r = c
        .post(format!("{}/tmf-api/customerManagement/v4/customer", s.base_url()))
        .json(&json!({"name": "No Party"}))
        .send()
        .await?;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    Ok(())
}

fn customer_party(id: &str) -> Value {
    json!([{"id": id, "name": "Ada Lovelace", "role": "Customer", "@referredType": "Customer"}])
}

async fn products(c: &Client, base: &str, customer: &str) -> Result<Vec<Value>, reqwest::Error> {
    let url =
        format!("{base}/tmf-api/productInventory/v4/product?relatedParty.id={customer}&limit=1000");
    Ok(get(c, url).await?.1.as_array().cloned().unwrap_or_default())
}

fn by_offering<'a>(list: &'a [Value], offering: &str) -> Vec<&'a Value> {
    list.iter().filter(|p| p["productOffering"]["id"] == offering).collect()
}

#[tokio::test]
async fn a_completed_change_order_changes_the_inventory() -> TestResult {
    let s = server().await?;
    let c = Client::new();
    let base = s.base_url().to_owned();
    let before = products(&c, &base, "CUST-000001").await?;
    let id_of = |o: &str| {
        by_offering(&before, o)
            .first()
            .and_then(|p| p["id"].as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let (bundle, plan) = (id_of("14277"), id_of("14344"));
    let order = json!({
    "relatedParty": customer_party("CUST-000001"),
    "productOrderItem": [
        {"id": "1", "action": "modify", "quantity": 1, "product": {"id": bundle}, "productOffering": {"id": "14277"},
         "productOrderItemRelationship": [{"id": "2", "relationshipType": "bundles"}, {"id": "3", "relationshipType": "bundles"}, {"id": "4", "relationshipType": "bundles"}]},
        {"id": "2", "action": "delete", "quantity": 1, "product": {"id": plan}, "productOffering": {"id": "14344"}},
        {"id": "3", "action": "add", "quantity": 1, "productOffering": {"id": "20006"},
         "productOrderItemRelationship": [{"id": "2", "relationshipType": "replaces"}]},
        {"id": "4", "action": "add", "quantity": 1, "productOffering": {"id": "14354"},
         "product": {"productCharacteristic": [{"name": "CoverageOptions", "value": "National"}]}}
    ]});
    let r = c
        .post(format!("{base}/tmf-api/productOrderingManagement/v4/productOrder"))
        .json(&order)
        .send()
        .await?;
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await?);
    // Wait for the inventory to show the change (the lifecycle takes ~90 ms here).
    let mut after = Vec::new();
    for _ in 0..200 {
        after = products(&c, &base, "CUST-000001").await?;
        if after.len() > before.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let old = by_offering(&after, "14344");
    assert_eq!(old.first().map(|p| &p["status"]), Some(&json!("terminated")));
    let new_plan = by_offering(&after, "20006");
    let coverage = by_offering(&after, "14354");
    assert_eq!(new_plan.first().map(|p| &p["status"]), Some(&json!("active")));
    assert_eq!(
        coverage.first().map(|p| &p["productCharacteristic"][0]["value"]),
        Some(&json!("National"))
    );
    let bundle_now = by_offering(&after, "14277");
    let children: Vec<&str> = bundle_now
        .first()
        .and_then(|b| b["productRelationship"].as_array())
        .into_iter()
        .flatten()
        .filter_map(|r| r["product"]["id"].as_str())
        .collect();
    for p in [&new_plan, &coverage] {
        let id = p.first().and_then(|x| x["id"].as_str()).unwrap_or_default();
        assert!(children.contains(&id), "{id} not in {children:?}");
    }
    // The terminated plan cannot be changed again: 422, naming the item.
    let again = json!({"relatedParty": customer_party("CUST-000001"), "productOrderItem": [
        {"id": "9", "action": "delete", "quantity": 1, "product": {"id": plan}, "productOffering": {"id": "14344"}}]});
    let r = c
        .post(format!("{base}/tmf-api/productOrderingManagement/v5/productOrder"))
        .json(&orderdesk_wire::convert::order_v4_to_v5(again))
        .send()
        .await?;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err: Value = r.json().await?;
    assert_eq!(err["code"], "product.not_active");
    assert!(
        err["message"]
            .as_str()
            .is_some_and(|m| m.contains("/productOrderItem/0") && m.contains("item 9")),
        "{err}"
    );
    Ok(())
}

#[tokio::test]
async fn change_items_on_unknown_or_foreign_products_are_refused() -> TestResult {
    let s = server().await?;
    let c = Client::new();
    let base = s.base_url().to_owned();
    let theirs = products(&c, &base, "CUST-000002").await?;
    let foreign = theirs.first().and_then(|p| p["id"].as_str()).unwrap_or_default().to_owned();
    for (product, code) in
        [("PRD-9999999", "product.unknown"), (foreign.as_str(), "product.other_customer")]
    {
        let order = json!({"relatedParty": customer_party("CUST-000001"), "productOrderItem": [
            {"id": "1", "action": "add", "quantity": 1, "productOffering": {"id": "20006"}},
            {"id": "2", "action": "delete", "quantity": 1, "product": {"id": product}}]});
        let r = c
            .post(format!("{base}/tmf-api/productOrderingManagement/v4/productOrder"))
            .json(&order)
            .send()
            .await?;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let err: Value = r.json().await?;
        assert_eq!(err["code"], code, "{err}");
        assert!(
            err["message"].as_str().is_some_and(|m| m.contains("/productOrderItem/1/product/id")),
            "{err}"
        );
    }
    Ok(())
}
