//! Server profiles, the active one, catalog sync points and hub listeners.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use orderdesk_store::*;

use crate::common::*;

fn profile(name: &str) -> ServerProfile {
    ServerProfile {
        name: name.into(),
        order_url: format!("http://127.0.0.1:8622/{name}/tmf-api/productOrderingManagement/v4/"),
        catalog_url: None,
        customer_url: None,
        inventory_url: None,
        version: Some(Version::V4),
        detected_version: None,
        business_id: None,
        headers: BTreeMap::new(),
        auth_mode: AuthMode::None,
        auth_client_id: None,
        auth_token_url: None,
        auth_scope: None,
        timeout_ms: 30_000,
        connect_timeout_ms: 5_000,
        ca_cert: None,
        page_size: 100,
    }
}

#[test]
fn profiles_round_trip_without_secrets() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    let full = ServerProfile {
        catalog_url: Some("https://partner.example/tmf-api/productCatalogManagement/v5/".into()),
        customer_url: Some("https://crm.partner.example/tmf-api/customerManagement/v4/".into()),
        inventory_url: Some("https://partner.example/inventory/v4/".into()),
        version: None,
        detected_version: Some(Version::V5),
        business_id: Some("ACME".into()),
        headers: BTreeMap::from([
            ("X-Channel".to_owned(), "shop-7".to_owned()),
            ("X-Tenant".to_owned(), "eu".to_owned()),
        ]),
        auth_mode: AuthMode::OAuth2,
        auth_client_id: Some("orderdesk".into()),
        auth_token_url: Some("https://partner.example/oauth/token".into()),
        auth_scope: Some("orders".into()),
        timeout_ms: 12_345,
        connect_timeout_ms: 678,
        ca_cert: Some("/etc/ssl/partner.pem".into()),
        page_size: 25,
        ..profile("partner")
    };
    store.save_profile(&full).expect("save");
    store.save_profile(&profile("lab")).expect("save");
    assert_eq!(store.profiles().expect("profiles"), vec![profile("lab"), full.clone()]);
    assert_eq!(store.profile("partner").expect("profile"), Some(full.clone()));
    assert_eq!(store.profile("nobody").expect("profile"), None);

    // Saving again replaces every field, headers included.
    let edited = ServerProfile {
        headers: BTreeMap::from([("X-Tenant".to_owned(), "us".to_owned())]),
        auth_mode: AuthMode::Headers,
        auth_token_url: None,
        auth_scope: None,
        ..full
    };
    store.save_profile(&edited).expect("update");
    assert_eq!(store.profile("partner").expect("profile"), Some(edited));

    // The schema refuses auth fields that do not belong to the mode.
    let broken = ServerProfile { auth_mode: AuthMode::Bearer, ..profile("broken") };
    let broken = ServerProfile { auth_client_id: Some("x".into()), ..broken };
    assert!(store.save_profile(&broken).is_err());
    assert_eq!(store.profile("broken").expect("profile"), None);

    store.delete_profile("partner").expect("delete");
    assert!(matches!(store.delete_profile("partner"), Err(StoreError::NotFound { .. })));
    assert_eq!(store.profiles().expect("profiles"), vec![profile("lab")]);
    let headers: i64 = store
        .connection()
        .query_row("SELECT count(*) FROM server_profile_headers", [], |row| row.get(0))
        .expect("count");
    assert_eq!(headers, 0, "a removed profile's headers go with it");
    drop(store);

    // No column could hold a secret.
    let conn = rusqlite::Connection::open(&db.path).expect("raw open");
    let columns: Vec<String> = conn
        .prepare(
            "SELECT p.name FROM sqlite_schema t, pragma_table_info(t.name) p
             WHERE t.name IN ('server_profiles', 'server_profile_headers', 'hub_subscriptions')",
        )
        .and_then(|mut stmt| {
            stmt.query_map([], |row| row.get(0))?.collect::<rusqlite::Result<Vec<String>>>()
        })
        .expect("columns");
    assert!(columns.len() > 20, "{columns:?}");
    assert!(columns.iter().all(|c| !["password", "secret", "token"].iter().any(|s| c == s)));
}

#[test]
fn at_most_one_profile_is_active() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    assert_eq!(store.active_profile().expect("active"), None);
    store.save_profile(&profile("lab")).expect("save");
    assert_eq!(store.active_profile().expect("active").as_deref(), Some("lab"), "the first one");
    store.save_profile(&profile("prod")).expect("save");
    store.save_profile(&profile("lab")).expect("save again");
    assert_eq!(store.active_profile().expect("active").as_deref(), Some("lab"));

    store.set_active_profile("prod").expect("use prod");
    assert_eq!(store.active_profile().expect("active").as_deref(), Some("prod"));
    assert!(matches!(store.set_active_profile("nobody"), Err(StoreError::NotFound { .. })));
    assert_eq!(store.active_profile().expect("active").as_deref(), Some("prod"), "unchanged");

    // The schema itself refuses a second active profile.
    let second =
        store.connection().execute("UPDATE server_profiles SET active = 1 WHERE name = 'lab'", []);
    let err = second.expect_err("a second active profile");
    assert!(err.to_string().contains("UNIQUE"), "{err}");

    // Removing the active profile leaves none active; the next saved one becomes active.
    store.delete_profile("prod").expect("delete");
    assert_eq!(store.active_profile().expect("active"), None);
    store.save_profile(&profile("lab")).expect("save");
    assert_eq!(store.active_profile().expect("active").as_deref(), Some("lab"));
}

#[test]
fn catalog_sync_points_and_hub_listeners_belong_to_a_profile() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    store.save_profile(&profile("lab")).expect("save");
    assert_eq!(store.catalog_since("lab").expect("since"), None);
    let at: DateTime<Utc> = "2026-01-15T09:00:00.123Z".parse().expect("time");
    store.set_catalog_since("lab", at).expect("set");
    assert_eq!(store.catalog_since("lab").expect("since"), Some(at));
    // Saving the profile again keeps its sync point.
    store.save_profile(&profile("lab")).expect("save again");
    assert_eq!(store.catalog_since("lab").expect("since"), Some(at));
    assert!(matches!(store.set_catalog_since("nobody", at), Err(StoreError::NotFound { .. })));

    let hub = HubSubscription {
        profile: "lab".into(),
        hub_id: "listener-1".into(),
        callback: Some("http://127.0.0.1:9/hub".into()),
        registered_at: Some(at),
    };
    store.save_hub_subscription(&hub).expect("save hub");
    assert_eq!(store.hub_subscription("lab").expect("hub"), Some(hub.clone()));
    let again = HubSubscription { hub_id: "listener-2".into(), ..hub.clone() };
    store.save_hub_subscription(&again).expect("replace hub");
    assert_eq!(store.hub_subscription("lab").expect("hub"), Some(again));
    let orphan = HubSubscription { profile: "nobody".into(), ..hub };
    assert!(matches!(store.save_hub_subscription(&orphan), Err(StoreError::NotFound { .. })));
    store.delete_hub_subscription("lab").expect("delete hub");
    assert_eq!(store.hub_subscription("lab").expect("hub"), None);
    store.delete_hub_subscription("lab").expect("nothing to delete is fine");
}

#[test]
fn a_profiles_policy_is_kept_apart_from_its_connection() {
    use orderdesk_core::policy::{CancelReason, DiscountReason};
    use orderdesk_core::{DiscountPolicy, ProfilePolicy};

    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    store.save_profile(&profile("lab")).expect("save");
    // None set: the defaults (no discount governed, the default cancellation reasons).
    assert_eq!(store.profile_policy("lab").expect("policy"), ProfilePolicy::default());
    let policy = ProfilePolicy {
        discount: DiscountPolicy {
            reasons: vec![DiscountReason {
                code: "retention".into(),
                label: "Customer retention".into(),
                max_percentage: Some(20.into()),
                max_amount: None,
                currency: None,
            }],
        },
        cancel_reasons: vec![CancelReason { code: "duplicate".into(), label: "Duplicate".into() }],
    };
    store.set_profile_policy("lab", &policy).expect("set");
    // Saving the connection again leaves the policy as it is.
    store.save_profile(&profile("lab")).expect("save again");
    let reopened = Store::open(&db.path).expect("reopen");
    assert_eq!(reopened.profile_policy("lab").expect("policy"), policy);

    // A policy its checks refuse is not stored; an unknown profile is named as such.
    let mut twice = policy.clone();
    twice.cancel_reasons.push(twice.cancel_reasons[0].clone());
    assert!(matches!(store.set_profile_policy("lab", &twice), Err(StoreError::Invalid(_))));
    assert!(matches!(
        store.set_profile_policy("nobody", &policy),
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(store.profile_policy("nobody"), Err(StoreError::NotFound { .. })));
    assert_eq!(store.profile_policy("lab").expect("policy"), policy);
}
