//! Catalog import and full-text search, including hostile search text.

use chrono::Utc;
use orderdesk_store::*;
use serde_json::json;

use crate::common::*;

fn offering(id: &str, name: &str, description: &str) -> CatalogItemInput {
    CatalogItemInput {
        kind: CatalogKind::Offering,
        body: json!({"id": id, "name": name, "description": description, "version": "1.0",
                     "lifecycleStatus": "Launched", "href": "http://example.invalid/x"}),
    }
}

fn import(version: &str, items: Vec<CatalogItemInput>, replace: bool) -> CatalogImport {
    CatalogImport {
        version: version.into(),
        fetched_at: Utc::now(),
        source: "snapshot.json".into(),
        items,
        replace,
    }
}

#[test]
fn catalog_snapshot_replaces_and_sync_merges() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    assert_eq!(store.catalog_version().expect("version"), None);
    let report = store
        .import_catalog(import(
            "v1",
            vec![
                offering("po-1", "Fibre 1000", "Gigabit home broadband"),
                offering("po-2", "Mobile Unlimited", "5G data"),
                CatalogItemInput {
                    kind: CatalogKind::Price,
                    // Parsed from text: a `json!` float literal would pass through f64.
                    body: serde_json::from_str(
                        r#"{"id": "pop-1", "name": "Fibre monthly", "price": {"unit": "EUR", "value": 39.90}}"#,
                    )
                    .expect("price json"),
                },
                CatalogItemInput {
                    kind: CatalogKind::Category,
                    body: json!({"id": "cat-1", "name": "Broadband"}),
                },
            ],
            true,
        ))
        .expect("import");
    assert_eq!((report.offerings, report.prices, report.categories), (2, 1, 1));
    let snapshot = store.catalog_snapshot().expect("snapshot");
    let ids = |key: &str| -> Vec<String> {
        snapshot[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|item| item["id"].as_str().map(str::to_owned))
            .collect()
    };
    assert_eq!(ids("productOffering"), ["po-1", "po-2"]);
    assert_eq!(ids("productOfferingPrice"), ["pop-1"]);
    assert_eq!(ids("category"), ["cat-1"]);
    assert!(ids("productSpecification").is_empty());
    // Exact numbers survive the cache.
    assert_eq!(snapshot["productOfferingPrice"][0]["price"]["value"].to_string(), "39.90");
    let item = store.catalog_item(CatalogKind::Offering, "po-1").expect("item");
    assert_eq!(item.name.as_deref(), Some("Fibre 1000"));
    assert_eq!(item.lifecycle_status.as_deref(), Some("Launched"));
    assert_eq!(item.catalog_version, "v1");
    assert_eq!(store.catalog_item_any("pop-1").expect("any").kind, CatalogKind::Price);

    // A sync adds and replaces without removing.
    store
        .import_catalog(import("v2", vec![offering("po-3", "TV Max", "200 channels")], false))
        .expect("sync");
    assert!(store.catalog_item(CatalogKind::Offering, "po-1").is_ok());
    assert_eq!(store.catalog_version().expect("version").map(|v| v.version), Some("v2".into()));

    // A full snapshot removes what it no longer lists, from the index too.
    store
        .import_catalog(import("v3", vec![offering("po-3", "TV Max", "250 channels")], true))
        .expect("snapshot");
    assert!(matches!(
        store.catalog_item(CatalogKind::Offering, "po-1"),
        Err(StoreError::NotFound { .. })
    ));
    assert!(store.search("Fibre", &[], 10).expect("search").is_empty());
    let hits = store.search("channels 250", &[SearchKind::Offering], 10).expect("search");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].title, "TV Max");
    assert!(hits[0].snippet.contains("[250]"), "{}", hits[0].snippet);

    // A record without an id is refused and the import leaves the catalog as it was.
    let bad = store.import_catalog(import(
        "v4",
        vec![
            offering("po-9", "Fine", ""),
            CatalogItemInput { kind: CatalogKind::Offering, body: json!({"name": "No id"}) },
        ],
        true,
    ));
    assert!(matches!(bad, Err(StoreError::Invalid(_))));
    assert_eq!(store.catalog_version().expect("version").map(|v| v.version), Some("v3".into()));
    assert!(store.catalog_item(CatalogKind::Offering, "po-3").is_ok());
}

#[test]
fn search_finds_ids_customers_characteristics_notes_and_offerings() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    let draft = store
        .create_draft(new_draft(order_json(
            "Renée O'Brien",
            "deliver after 5pm",
            "turquoise",
            "10",
        )))
        .expect("create");
    store
        .import_catalog(import("v1", vec![offering("po-fibre", "Fibre 1000", "fast")], true))
        .expect("import");

    let kinds_of = |text: &str| -> Vec<(SearchKind, String)> {
        store
            .search(text, &[], 20)
            .expect("search")
            .into_iter()
            .map(|hit| (hit.kind, hit.id))
            .collect()
    };
    let draft_hit = (SearchKind::Draft, draft.id.clone());
    assert_eq!(kinds_of("renee"), vec![draft_hit.clone()], "diacritics folded");
    assert_eq!(kinds_of("O'Brien"), vec![draft_hit.clone()]);
    assert_eq!(kinds_of("turquoise"), vec![draft_hit.clone()]);
    assert_eq!(kinds_of("deliver 5pm"), vec![draft_hit.clone()]);
    assert_eq!(kinds_of("turq"), vec![draft_hit.clone()], "prefix of the last word");
    assert_eq!(kinds_of(&draft.id), vec![draft_hit.clone()]);
    assert_eq!(kinds_of("EXT-1"), vec![draft_hit.clone()]);
    let fibre = kinds_of("fibre");
    assert_eq!(fibre.len(), 2, "offering name and the draft's item: {fibre:?}");
    assert_eq!(fibre[0], (SearchKind::Offering, "po-fibre".into()), "title match ranks first");
    assert!(kinds_of("example.invalid").is_empty(), "links are not indexed");
    let only_catalog =
        store.search("fibre", &[SearchKind::Offering, SearchKind::Price], 20).expect("search");
    assert_eq!(only_catalog.len(), 1);
}

#[test]
fn any_text_is_safe_to_search() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    create(&mut store, "Jane \"Quotes\" Doe");
    let hostile = [
        "",
        " ",
        "\"",
        "\"\"\"",
        "'",
        "\0",
        "jane\0doe",
        "*",
        "jane*",
        "^jane",
        "-jane",
        "+jane",
        "(",
        ")",
        "(jane",
        "jane OR",
        "OR",
        "AND AND",
        "NOT",
        "NEAR(jane doe, 2)",
        "title:jane",
        "{title body}: jane",
        "jane\"doe",
        "'; DROP TABLE drafts; --",
        "%_\\",
        "\u{202e}\u{200b}",
        "💥",
        &"x".repeat(10_000),
        &"jane ".repeat(500),
    ];
    for text in hostile {
        let result = store.search(text, &[], 10);
        assert!(result.is_ok(), "{text:?}: {result:?}");
    }
    assert_eq!(store.search("\"quotes\"", &[], 10).expect("search").len(), 1);
    assert_eq!(store.search("jane\0doe", &[], 10).expect("search").len(), 1);
    assert_eq!(store.search("(jane", &[], 10).expect("search").len(), 1);
    assert_eq!(store.search("NOT jane", &[], 10).expect("search").len(), 0, "NOT is a word here");
    // The store is intact afterwards.
    assert_eq!(store.drafts(&DraftFilter::default()).expect("list").len(), 1);
}

fn record(kind: CatalogKind, body: serde_json::Value) -> CatalogItemInput {
    CatalogItemInput { kind, body }
}

/// A bundle with a child, a relied-on offering, prices with a bundled price and an alteration
/// of it, a specification; and records no order below names.
fn closure_catalog() -> Vec<CatalogItemInput> {
    vec![
        record(
            CatalogKind::Offering,
            json!({"id": "bundle", "name": "bundle", "isBundle": true,
                   "category": [{"id": "cat-a"}, {"id": "cat-b"}],
                   "bundledProductOffering": [{"id": "child"}],
                   "productOfferingRelationship": [{"id": "base", "relationshipType": "reliesOn"}],
                   "productOfferingPrice": [{"id": "pop-bundle"}],
                   "productSpecification": {"id": "spec-1"}}),
        ),
        record(
            CatalogKind::Offering,
            json!({"id": "child", "name": "Child", "category": [{"id": "cat-a"}]}),
        ),
        record(CatalogKind::Offering, json!({"id": "base", "name": "Apple"})),
        record(
            CatalogKind::Offering,
            json!({"id": "other", "name": "zebra", "category": [{"id": "cat-b"}]}),
        ),
        record(
            CatalogKind::Price,
            json!({"id": "pop-bundle", "bundledPopRelationship": [{"id": "pop-a"}]}),
        ),
        record(CatalogKind::Price, json!({"id": "pop-a", "popRelationship": [{"id": "pop-b"}]})),
        record(CatalogKind::Price, json!({"id": "pop-b"})),
        record(CatalogKind::Price, json!({"id": "pop-other"})),
        record(CatalogKind::Specification, json!({"id": "spec-1"})),
        record(CatalogKind::Specification, json!({"id": "spec-other"})),
        record(CatalogKind::Category, json!({"id": "cat-a", "name": "A"})),
        record(CatalogKind::Category, json!({"id": "cat-b", "name": "B"})),
    ]
}

fn ids_of(snapshot: &serde_json::Value, key: &str) -> Vec<String> {
    let mut ids: Vec<String> = snapshot[key]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["id"].as_str().map(str::to_owned))
        .collect();
    ids.sort();
    ids
}

#[test]
fn the_closure_of_an_order_holds_what_it_names_and_nothing_else() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    store.import_catalog(import("v1", closure_catalog(), true)).expect("import");
    let closure = store.catalog_closure(&["bundle".into(), "unknown".into()]).expect("closure");
    assert_eq!(ids_of(&closure, "productOffering"), ["base", "bundle", "child"]);
    assert_eq!(ids_of(&closure, "productOfferingPrice"), ["pop-a", "pop-b", "pop-bundle"]);
    assert_eq!(ids_of(&closure, "productSpecification"), ["spec-1"]);
    // An id names a specification or a price as well as an offering.
    let closure = store.catalog_closure(&["spec-other".into(), "pop-other".into()]).expect("c");
    assert_eq!(ids_of(&closure, "productSpecification"), ["spec-other"]);
    assert_eq!(ids_of(&closure, "productOfferingPrice"), ["pop-other"]);
    assert!(ids_of(&closure, "productOffering").is_empty());
}

#[test]
fn offerings_browse_by_name_and_category_and_memberships_follow_imports() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    store.import_catalog(import("v1", closure_catalog(), true)).expect("import");
    assert_eq!(store.offering_count().expect("count"), 4);
    assert_eq!(
        store.offerings_by_name(None, 10).expect("all"),
        ["base", "bundle", "child", "other"],
        "by name regardless of case"
    );
    assert_eq!(store.offerings_by_name(None, 2).expect("limit"), ["base", "bundle"]);
    let a = ["cat-a".to_owned()];
    assert_eq!(store.offerings_by_name(Some(&a), 10).expect("cat-a"), ["bundle", "child"]);
    let counts: Vec<(String, u32)> = store
        .catalog_categories()
        .expect("categories")
        .into_iter()
        .map(|(c, n)| (c["id"].as_str().unwrap_or_default().to_owned(), n))
        .collect();
    assert_eq!(counts, [("cat-a".to_owned(), 2), ("cat-b".to_owned(), 2)]);
    // A search within categories keeps the offerings listed in one of them.
    let within = |text: &str, categories: &[String]| -> Vec<String> {
        store
            .search_listed_in(text, &[SearchKind::Offering], categories, 10)
            .expect("search")
            .into_iter()
            .map(|h| h.id)
            .collect()
    };
    assert_eq!(within("bundle", &a), ["bundle"]);
    // The bundle names the child among its contents: a mention, ranked after the name.
    assert_eq!(within("child", &a), ["child", "bundle"]);
    assert!(within("zebra", &a).is_empty(), "zebra is listed in cat-b only");
    assert_eq!(within("zebra", &[]), ["other"], "no categories: no filter");

    // A sync that moves an offering to another category moves its membership.
    let moved = record(
        CatalogKind::Offering,
        json!({"id": "child", "name": "Child", "category": [{"id": "cat-b"}]}),
    );
    store.import_catalog(import("v2", vec![moved], false)).expect("merge");
    assert_eq!(store.offerings_by_name(Some(&a), 10).expect("cat-a"), ["bundle"]);
    // A snapshot that replaces the catalog replaces the memberships.
    let only = record(CatalogKind::Offering, json!({"id": "new", "category": [{"id": "cat-a"}]}));
    store.import_catalog(import("v3", vec![only], true)).expect("replace");
    assert_eq!(store.offerings_by_name(Some(&a), 10).expect("cat-a"), ["new"]);
    assert_eq!(store.offering_count().expect("count"), 1);
}

#[test]
fn a_record_written_twice_is_the_later_one_everywhere() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    let ids = |hits: Vec<SearchHit>| -> Vec<String> { hits.into_iter().map(|h| h.id).collect() };
    let listed = |id: &str, category: &str, words: &str| {
        record(
            CatalogKind::Offering,
            json!({"id": id, "name": words, "category": [{"id": category}]}),
        )
    };
    // A snapshot that lists a record twice: the later one is the record, its index entry
    // and its memberships.
    store
        .import_catalog(import(
            "v1",
            vec![
                listed("po-1", "cat-a", "Walrus plan"),
                listed("po-2", "cat-a", "Heron plan"),
                listed("po-1", "cat-b", "Puffin plan"),
            ],
            true,
        ))
        .expect("import");
    let item = store.catalog_item(CatalogKind::Offering, "po-1").expect("po-1");
    assert_eq!(item.name.as_deref(), Some("Puffin plan"));
    assert_eq!(store.offering_count().expect("count"), 2);
    assert!(store.search("walrus", &[], 10).expect("search").is_empty());
    assert_eq!(ids(store.search("puffin", &[], 10).expect("search")), ["po-1"]);
    assert_eq!(ids(store.search("plan", &[], 10).expect("search")).len(), 2, "one entry each");
    let a = ["cat-a".to_owned()];
    let b = ["cat-b".to_owned()];
    assert_eq!(store.offerings_by_name(Some(&a), 10).expect("cat-a"), ["po-2"]);
    assert_eq!(store.offerings_by_name(Some(&b), 10).expect("cat-b"), ["po-1"]);

    // A merge that replaces a record replaces its entry and memberships, and keeps the rest.
    store
        .import_catalog(import("v2", vec![listed("po-2", "cat-b", "Gannet plan")], false))
        .expect("merge");
    assert!(store.search("heron", &[], 10).expect("search").is_empty());
    assert_eq!(ids(store.search("gannet", &[], 10).expect("search")), ["po-2"]);
    assert_eq!(ids(store.search("puffin", &[], 10).expect("search")), ["po-1"]);
    assert!(store.offerings_by_name(Some(&a), 10).expect("cat-a").is_empty());

    // A refused import leaves nothing set aside: the next one indexes only its own records.
    let refused = store.import_catalog(import(
        "v3",
        vec![
            listed("po-3", "cat-a", "Osprey plan"),
            CatalogItemInput { kind: CatalogKind::Offering, body: json!({"name": "No id"}) },
        ],
        false,
    ));
    assert!(matches!(refused, Err(StoreError::Invalid(_))));
    store
        .import_catalog(import("v4", vec![listed("po-4", "cat-a", "Tern plan")], false))
        .expect("merge");
    assert!(store.search("osprey", &[], 10).expect("search").is_empty());
    assert_eq!(ids(store.search("tern", &[], 10).expect("search")), ["po-4"]);
    assert_eq!(store.integrity_check().expect("check"), ["ok"]);
}
