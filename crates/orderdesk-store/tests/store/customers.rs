//! The customer cache: search over name, id, phone, e-mail and account; full and incremental
//! pulls; a customer's products.

use std::collections::BTreeMap;

use chrono::Utc;
use orderdesk_store::*;
use serde_json::json;

use crate::common::*;

fn profile(name: &str) -> ServerProfile {
    ServerProfile {
        name: name.into(),
        order_url: "http://127.0.0.1:8622/tmf-api/productOrderingManagement/v4/".into(),
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

fn customer(id: &str, name: &str, phone: &str, email: &str, account: &str) -> CachedCustomer {
    CachedCustomer {
        id: id.into(),
        name: name.into(),
        status: Some("approved".into()),
        phones: vec![phone.into()],
        emails: vec![email.into()],
        accounts: vec![account.into()],
        last_update: Some("2026-01-01T00:00:00Z".into()),
        version: None,
        body: json!({"id": id, "name": name}),
    }
}

/// A full pull of `customers` into `profile`'s cache.
fn pull_all(store: &mut Store, profile: &str, customers: &[CachedCustomer]) -> CustomerSyncCount {
    store.save_customers(profile, customers, CustomerPull::Full, None, Utc::now()).expect("save")
}

fn ids(hits: &[CustomerHit]) -> Vec<&str> {
    hits.iter().map(|h| h.id.as_str()).collect()
}

#[test]
fn customers_are_found_by_name_id_phone_email_and_account() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    store.save_profile(&profile("lab")).expect("profile");
    store.save_profile(&profile("other")).expect("profile");
    let all = vec![
        customer("C-100", "Ada Lovelace", "+49 170 1234567", "ada@example.com", "BA-9"),
        customer("C-200", "Grace Hopper", "+1 (555) 010-2000", "grace@navy.example", "BA-77"),
        customer("C-300", "Jürgen Müller", "0301 555", "jm@example.de", "BA-300"),
    ];
    let count = pull_all(&mut store, "lab", &all);
    assert_eq!(count, CustomerSyncCount { saved: 3, removed: 0, cached: 3 });
    pull_all(&mut store, "other", &[customer("X-1", "Ada Other", "1", "x@x.example", "BA-1")]);
    let reader = store.reader().expect("reader");
    let find = |text: &str| reader.search_customers("lab", text, 20).expect("search");
    assert_eq!(ids(&find("lovel")), ["C-100"], "a name prefix");
    assert_eq!(ids(&find("ada")), ["C-100"], "another profile's customers stay out");
    assert_eq!(ids(&find("C-200")), ["C-200"], "the id");
    assert_eq!(ids(&find("4917012")), ["C-100"], "the phone's digits");
    assert_eq!(ids(&find("555 010")), ["C-200"], "the phone as written");
    assert_eq!(ids(&find("grace@navy")), ["C-200"], "the e-mail");
    assert_eq!(ids(&find("BA-77")), ["C-200"], "the account");
    assert_eq!(ids(&find("jurgen muller")), ["C-300"], "without diacritics");
    assert!(find("\"* OR (").is_empty(), "FTS syntax is plain text");
    let hit = &find("hopper")[0];
    assert_eq!(hit.phones, ["+1 (555) 010-2000"]);
    assert_eq!(hit.accounts, ["BA-77"]);
    let (cached, body) = reader.cached_customer("lab", "C-300").expect("read").expect("found");
    assert_eq!(cached.name, "Jürgen Müller");
    assert_eq!(body, json!({"id": "C-300", "name": "Jürgen Müller"}));
}

#[test]
fn a_full_pull_removes_what_vanished_and_an_incremental_one_merges() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    store.save_profile(&profile("lab")).expect("profile");
    let a = customer("A", "Anna Alpha", "1", "a@x.example", "BA-A");
    let b = customer("B", "Bert Beta", "2", "b@x.example", "BA-B");
    store
        .save_customers("lab", &[a.clone(), b.clone()], CustomerPull::Full, None, Utc::now())
        .expect("first");
    store.save_products("lab", "B", &[json!({"id": "P-1"})], Utc::now()).expect("products");
    assert_eq!(store.customer_since("lab").expect("since"), Some(None));

    let renamed = CachedCustomer { name: "Anna Omega".into(), ..a.clone() };
    let count = store
        .save_customers(
            "lab",
            &[renamed],
            CustomerPull::Full,
            Some("2026-02-01T00:00:00Z"),
            Utc::now(),
        )
        .expect("full");
    assert_eq!(count, CustomerSyncCount { saved: 1, removed: 1, cached: 1 });
    assert_eq!(store.cached_customer_ids("lab").expect("ids"), ["A"]);
    assert!(
        store.search_customers("lab", "alpha", 10).expect("search").is_empty(),
        "old name gone"
    );
    assert_eq!(ids(&store.search_customers("lab", "omega", 10).expect("search")), ["A"]);
    assert_eq!(
        store.cached_products("lab", "B").expect("products"),
        None,
        "B's products went with B"
    );
    assert_eq!(
        store.customer_since("lab").expect("since"),
        Some(Some("2026-02-01T00:00:00Z".to_owned()))
    );

    let count = store
        .save_customers(
            "lab",
            &[b],
            CustomerPull::Incremental,
            Some("2026-03-01T00:00:00Z"),
            Utc::now(),
        )
        .expect("incremental");
    assert_eq!(count, CustomerSyncCount { saved: 1, removed: 0, cached: 2 });
    assert_eq!(store.cached_customer_ids("lab").expect("ids"), ["A", "B"]);
}

#[test]
fn a_customers_products_are_replaced_whole() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    store.save_profile(&profile("lab")).expect("profile");
    assert_eq!(store.cached_products("lab", "C").expect("none"), None);
    store
        .save_products("lab", "C", &[json!({"id": "P-1"}), json!({"id": 2})], Utc::now())
        .expect("save");
    store.save_products("lab", "C", &[json!({"id": "P-3"})], Utc::now()).expect("again");
    let cached = store.cached_products("lab", "C").expect("read").expect("fetched");
    assert_eq!(cached.products, [json!({"id": "P-3"})]);
    store.save_products("lab", "C", &[], Utc::now()).expect("empty");
    let cached = store.cached_products("lab", "C").expect("read").expect("fetched, none");
    assert!(cached.products.is_empty());
    assert!(matches!(
        store.save_products("nobody", "C", &[], Utc::now()),
        Err(StoreError::NotFound { .. })
    ));
}

#[test]
fn a_word_most_customers_hold_must_match_and_the_rarer_words_rank() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    store.save_profile(&profile("lab")).expect("profile");
    store.save_profile(&profile("other")).expect("profile");
    // "plan" is in more names than a word may be and still rank.
    let common = orderdesk_store::search::COMMON_WORD_RECORDS + 1;
    let mut all: Vec<CachedCustomer> = (0..common)
        .map(|n| {
            customer(&format!("P-{n}"), &format!("Plan Customer {n}"), "1", "p@x.example", "BA")
        })
        .collect();
    all.push(customer("Z-1", "Zebra Plan", "2", "z@x.example", "BA-Z"));
    all.push(customer("Z-2", "Plan Longname", "3", "zebra@x.example", "BA-Y"));
    pull_all(&mut store, "lab", &all);
    pull_all(&mut store, "other", &[customer("Z-9", "Zebra Plan", "9", "z@o.example", "BA-O")]);
    let reader = store.reader().expect("reader");
    let find = |text: &str| reader.search_customers("lab", text, 20).expect("search");
    // A name match ranks before an e-mail match; the other profile's customer stays out.
    assert_eq!(ids(&find("plan zebra")), ["Z-1", "Z-2"]);
    assert_eq!(ids(&find("plan customer 1999")), ["P-1999"]);
    assert!(find("plan giraffe").is_empty(), "every word must match");
}
