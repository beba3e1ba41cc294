//! The orders list: drafts and orders merged, filtered, searched, sorted and paged by SQLite.

use std::collections::HashSet;

use chrono::{Duration, TimeZone, Utc};
use orderdesk_store::*;
use orderdesk_wire::OrderState;
use serde_json::json;

use crate::common::*;

fn seen(server_id: &str, state: &str, payload: String, at: chrono::DateTime<Utc>) -> OrderSeen {
    OrderSeen {
        profile: "lab".into(),
        server_id: server_id.into(),
        href: None,
        state: state.into(),
        item_states: json!({}),
        tmf_version: Version::V4,
        payload,
        draft_id: None,
        seen_at: at,
        actor: "sync".into(),
    }
}

/// An order payload without a total: the list takes the draft's.
fn unpriced(customer: &str) -> String {
    json!({
        "@type": "ProductOrder",
        "relatedParty": [{"id": "c-1", "name": customer, "role": "Customer"}],
        "productOrderItem": [{"id": "1", "action": "add", "productOffering": {"id": "po-1"}}]
    })
    .to_string()
}

fn create_entry(draft: &str, key: &str) -> NewOutboxEntry {
    NewOutboxEntry {
        op: OutboxOp::Create,
        profile: "lab".into(),
        draft_id: Some(draft.into()),
        order_id: None,
        payload: Some("{}".into()),
        idempotency_key: Some(key.into()),
        actor: "agent".into(),
    }
}

fn all(filter: OrderListFilter) -> OrderListFilter {
    OrderListFilter { limit: MAX_LIST_PAGE, ..filter }
}

fn list(store: &Store, filter: OrderListFilter) -> OrderListPage {
    store.order_list(&filter).expect("order list")
}

/// The kept rows are exactly what the view says the list holds.
fn assert_in_step(store: &Store) {
    let differ: i64 = store
        .connection()
        .query_row(
            "SELECT (SELECT count(*) FROM (SELECT * FROM order_list EXCEPT SELECT * FROM order_list_rows))
                  + (SELECT count(*) FROM (SELECT * FROM order_list_rows EXCEPT SELECT * FROM order_list))",
            [],
            |row| row.get(0),
        )
        .expect("compare");
    assert_eq!(differ, 0, "order_list differs from order_list_rows");
}

#[test]
fn a_submitted_draft_is_listed_once_as_its_order_with_the_badge_of_its_outbox_entry() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    let ada = create(&mut store, "Ada Lovelace");
    let bob = create(&mut store, "Bob Builder");
    store.enqueue(create_entry(&bob.id, "k-bob")).expect("queue");
    assert_in_step(&store);
    let page = list(&store, all(OrderListFilter::default()));
    assert_eq!(page.total, 2);
    let badges: Vec<_> = page.rows.iter().map(|r| (r.id.as_str(), r.sync)).collect();
    assert_eq!(badges, [(bob.id.as_str(), ListSync::Queued), (ada.id.as_str(), ListSync::Draft)]);

    // The server's copy without a total: the order keeps the draft's, and the draft goes.
    let order = store
        .record_order(OrderSeen {
            draft_id: Some(bob.id.clone()),
            ..seen("S-1", "REJECTED", unpriced("Bob Builder"), Utc::now())
        })
        .expect("record");
    assert_in_step(&store);
    let page = list(&store, all(OrderListFilter::default()));
    assert_eq!(page.total, 2);
    let row = page.rows.iter().find(|r| r.kind == ListKind::Order).expect("order row");
    assert_eq!(row.id, order.to_string());
    assert_eq!(row.total.as_ref().map(|m| m.amount.to_string()), Some("19.99".into()));
    assert_eq!(row.state, Some(OrderState::Rejected));
    assert_eq!(row.state_text, "REJECTED");
    assert_eq!(row.sync, ListSync::NeedsAttention);
    assert!(page.rows.iter().all(|r| r.id != bob.id), "the submitted draft is listed once");

    // An order in a state TMF622 does not define is listed with its text and no state.
    store.record_order(seen("S-2", "Provisioning", unpriced("Cy"), Utc::now())).expect("rec");
    let odd = list(&store, all(OrderListFilter::default()));
    assert!(odd.rows.iter().any(|r| r.state.is_none() && r.state_text == "Provisioning"));

    // Deleting the draft: the order loses the total it borrowed; deleting the order would
    // bring a draft back, which the view decides too.
    store.delete_draft(&ada.id, "agent").expect("delete");
    assert_in_step(&store);
    assert_eq!(list(&store, all(OrderListFilter::default())).total, 2);
}

#[test]
fn every_outbox_status_gives_the_badge_the_store_names_for_it() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    for status in OutboxStatus::ALL {
        let draft = create(&mut store, &format!("Badge {status}"));
        let entry = store.enqueue(create_entry(&draft.id, status.as_str())).expect("queue");
        match status {
            OutboxStatus::Queued => {}
            OutboxStatus::InFlight => {
                let claimed = store.claim_due(Utc::now() + Duration::hours(1), 1).expect("claim");
                assert_eq!(claimed.first().map(|e| e.id), Some(entry.id));
            }
            OutboxStatus::Done => store.outbox_done(entry.id).expect("done"),
            OutboxStatus::Rejected => store.outbox_rejected(entry.id, "no").expect("rejected"),
            OutboxStatus::NeedsAttention => {
                store.outbox_needs_attention(entry.id, "look", false).expect("attention")
            }
        }
        let page = list(
            &store,
            all(OrderListFilter {
                customer: Some(format!("badge {status}")),
                ..Default::default()
            }),
        );
        let badges: Vec<_> = page.rows.iter().map(|r| r.sync).collect();
        assert_eq!(badges, [ListSync::of_outbox(*status)], "{status}");
        // The entry leaves with the badge.
        if *status == OutboxStatus::Queued {
            store.withdraw_submission(&draft.id, "agent").expect("withdraw");
            let page = list(
                &store,
                all(OrderListFilter {
                    customer: Some("badge queued".into()),
                    ..Default::default()
                }),
            );
            assert_eq!(page.rows.iter().map(|r| r.sync).collect::<Vec<_>>(), [ListSync::Draft]);
        }
    }
    assert_in_step(&store);
}

/// Ten orders seen at the same instant (same customer, same total) and five drafts.
fn ties(store: &mut Store) {
    let at = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).single().expect("instant");
    let batch = (0..10)
        .map(|n| seen(&format!("T-{n}"), "acknowledged", order_json("Same", "n", "red", "5"), at))
        .collect();
    store.record_orders(batch).expect("record");
    for n in 0..5 {
        create(store, &format!("Draft {n}"));
    }
}

#[test]
fn pages_split_the_list_exactly_at_their_boundaries() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    ties(&mut store);
    let whole = list(&store, all(OrderListFilter::default()));
    assert_eq!((whole.total, whole.rows.len()), (15, 15));
    for (offset, expected) in [(0, 4), (4, 4), (12, 3), (14, 1), (15, 0), (1_000, 0)] {
        let page = list(&store, OrderListFilter { offset, limit: 4, ..Default::default() });
        assert_eq!(page.rows.len(), expected, "offset {offset}");
        assert_eq!(page.total, 15, "the total counts every page");
        let start = usize::try_from(offset).expect("offset").min(whole.rows.len());
        assert_eq!(page.rows[..], whole.rows[start..start + expected]);
    }
    assert!(list(&store, OrderListFilter { limit: 0, ..Default::default() }).rows.is_empty());
    let most = list(&store, OrderListFilter { limit: u32::MAX, ..Default::default() });
    assert_eq!(most.rows.len(), 15, "a limit past the page cap reads as the cap");
}

#[test]
fn every_sort_is_stable_across_pages() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    ties(&mut store);
    for sort in [
        OrderListSort::UpdatedDesc,
        OrderListSort::UpdatedAsc,
        OrderListSort::CustomerAsc,
        OrderListSort::TotalDesc,
    ] {
        let whole = list(&store, all(OrderListFilter { sort, ..Default::default() }));
        let mut paged = Vec::new();
        for offset in (0..15).step_by(2) {
            let page =
                list(&store, OrderListFilter { sort, offset, limit: 2, ..Default::default() });
            paged.extend(page.rows);
        }
        assert_eq!(paged, whole.rows, "{sort:?}");
        let ids: HashSet<_> = paged.iter().map(|r| (r.kind, r.id.clone())).collect();
        assert_eq!(ids.len(), 15, "{sort:?}: no row twice, none skipped");
        // Asking again gives the same order.
        assert_eq!(list(&store, all(OrderListFilter { sort, ..Default::default() })), whole);
    }
    let by_total =
        list(&store, all(OrderListFilter { sort: OrderListSort::TotalDesc, ..Default::default() }));
    let totals: Vec<_> = by_total.rows.iter().map(|r| r.total.as_ref().map(|m| m.amount)).collect();
    let mut sorted = totals.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(totals, sorted, "largest total first");
    let by_customer = list(
        &store,
        all(OrderListFilter { sort: OrderListSort::CustomerAsc, ..Default::default() }),
    );
    let names: Vec<_> = by_customer.rows.iter().filter_map(|r| r.customer.clone()).collect();
    assert_eq!(names.first().map(String::as_str), Some("Draft 0"));
    assert_eq!(names.last().map(String::as_str), Some("Same"));
}

#[test]
fn search_and_filters_combine() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    let day = |d: u32| Utc.with_ymd_and_hms(2026, 3, d, 23, 59, 59).single().expect("instant");
    let submitted = create(&mut store, "Grace Hopper");
    store
        .record_orders(vec![
            OrderSeen {
                draft_id: Some(submitted.id.clone()),
                ..seen("G-1", "inProgress", unpriced("Grace Hopper"), day(2))
            },
            seen("G-2", "completed", order_json("Grace Kelly", "x", "blue", "7"), day(3)),
            seen("G-3", "inProgress", order_json("Linus", "x", "blue", "7"), day(4)),
        ])
        .expect("record");
    create(&mut store, "Grace Jones");
    let ids = |filter: OrderListFilter| -> Vec<String> {
        list(&store, all(filter)).rows.into_iter().filter_map(|r| r.customer).collect()
    };
    // The order G-1 matches "teal" through the draft it came from (the server's copy has no
    // such word); G-2 and G-3 do not.
    let teal = OrderListFilter { text: "teal".into(), ..Default::default() };
    assert_eq!(ids(teal.clone()), ["Grace Jones", "Grace Hopper"]);
    assert_eq!(
        ids(OrderListFilter { state: Some(OrderState::InProgress), ..teal.clone() }),
        ["Grace Hopper"]
    );
    assert_eq!(
        ids(OrderListFilter { sync: Some(ListSync::Draft), ..teal.clone() }),
        ["Grace Jones"]
    );
    let grace = OrderListFilter { text: "grace".into(), ..Default::default() };
    assert_eq!(
        ids(OrderListFilter { customer: Some("KEL".into()), ..grace.clone() }),
        ["Grace Kelly"]
    );
    let days = OrderListFilter {
        updated_from: chrono::NaiveDate::from_ymd_opt(2026, 3, 2),
        updated_to: chrono::NaiveDate::from_ymd_opt(2026, 3, 3),
        ..grace.clone()
    };
    assert_eq!(ids(days.clone()), ["Grace Kelly", "Grace Hopper"], "both days whole");
    let page = list(&store, OrderListFilter { limit: 1, offset: 1, ..days });
    assert_eq!((page.total, page.rows.len()), (2, 1));
    // Text without a searchable word finds nothing; hostile text is plain words.
    assert_eq!(
        list(&store, OrderListFilter { text: "*:()".into(), ..Default::default() }).total,
        0
    );
    assert_eq!(
        list(&store, OrderListFilter { text: "\"OR".into(), ..Default::default() }).total,
        0
    );
}

/// A search's pages are the matching slice of the whole list in every sort, whichever way
/// each is found: walking the sort's index from its start or its end, or sorting the hits.
#[test]
fn a_search_pages_as_the_matching_slice_of_the_whole_list() {
    let db = temp_db();
    let mut store = Store::open(&db.path).expect("open");
    let start = Utc.with_ymd_and_hms(2026, 2, 1, 8, 0, 0).single().expect("start");
    // Every third order is amber and its customer a "Mara"; pairs share an instant, and
    // totals repeat, so every sort meets ties. Four of the amber ones are also urgent.
    let batch = (0..150_i64)
        .map(|n| {
            let (customer, colour) = if n % 3 == 0 {
                (format!("Mara {n}"), "amber")
            } else {
                (format!("Nils {n}"), "slate")
            };
            let note = if n % 39 == 0 { "urgent" } else { "routine" };
            let state = if n % 2 == 0 { "completed" } else { "acknowledged" };
            let amount = (n % 11).to_string();
            let at = start + Duration::minutes(n / 2);
            seen(&format!("P-{n}"), state, order_json(&customer, note, colour, &amount), at)
        })
        .collect();
    store.record_orders(batch).expect("record");
    for n in 0..12 {
        let (customer, colour) = if n % 2 == 0 {
            (format!("Mara D{n}"), "amber")
        } else {
            (format!("Nils D{n}"), "slate")
        };
        store
            .create_draft(new_draft(order_json(&customer, "routine", colour, "3")))
            .expect("draft");
    }
    // Submitted drafts: an amber one whose order lacks the word (found through the draft),
    // and a slate one whose order has none either (not found).
    for (customer, colour, server_id) in [("Mara S", "amber", "S-1"), ("Nils S", "slate", "S-2")] {
        let draft = store
            .create_draft(new_draft(order_json(customer, "routine", colour, "4")))
            .expect("draft");
        store
            .record_order(OrderSeen {
                draft_id: Some(draft.id.clone()),
                ..seen(server_id, "inProgress", unpriced(customer), start)
            })
            .expect("record");
    }
    assert_in_step(&store);

    let matching = |filter: OrderListFilter, prefix: &str| -> Vec<OrderListEntry> {
        let whole = list(&store, all(OrderListFilter { text: String::new(), ..filter }));
        assert!(whole.rows.len() < usize::try_from(MAX_LIST_PAGE).expect("cap"));
        let mut rows = whole.rows;
        rows.retain(|row| row.customer.as_deref().is_some_and(|c| c.starts_with(prefix)));
        rows
    };
    let sorts = [
        OrderListSort::UpdatedDesc,
        OrderListSort::UpdatedAsc,
        OrderListSort::CustomerAsc,
        OrderListSort::TotalDesc,
    ];
    for sort in sorts {
        for (text, prefix, state) in [
            ("amber", "Mara", None),
            ("AMB", "Mara", None),
            ("urgent", "Mara", None),
            ("amber", "Mara", Some(OrderState::Completed)),
        ] {
            let filter = OrderListFilter { text: text.into(), sort, state, ..Default::default() };
            let expected = if text == "urgent" {
                let mut rows = matching(filter.clone(), prefix);
                rows.retain(|row| {
                    row.customer
                        .as_deref()
                        .and_then(|c| c.strip_prefix("Mara "))
                        .and_then(|n| n.parse::<i64>().ok())
                        .is_some_and(|n| n % 39 == 0)
                });
                rows
            } else {
                matching(filter.clone(), prefix)
            };
            assert!(!expected.is_empty(), "{text}: the fixture has matches");
            for offset in 0..=expected.len() + 1 {
                let page = list(
                    &store,
                    OrderListFilter {
                        offset: u32::try_from(offset).expect("offset"),
                        limit: 7,
                        ..filter.clone()
                    },
                );
                let from = offset.min(expected.len());
                let to = (offset + 7).min(expected.len());
                assert_eq!(page.total, u64::try_from(expected.len()).expect("len"));
                assert_eq!(
                    page.rows,
                    expected[from..to],
                    "{sort:?} {text:?} {state:?} at {offset}"
                );
            }
        }
    }

    // Deleting a matching draft takes it out of the hits; the rows stay in step. The last word
    // of a search is a prefix, and "d0" begins one word in 256 of a draft's random hex id:
    // "d0" comes first, so it must be a whole word.
    let gone = list(&store, all(OrderListFilter { text: "d0 mara".into(), ..Default::default() }));
    assert_eq!(gone.total, 1);
    store.delete_draft(&gone.rows[0].id, "agent").expect("delete");
    assert_in_step(&store);
    let after = list(&store, all(OrderListFilter { text: "d0 mara".into(), ..Default::default() }));
    assert_eq!(after.total, 0);
}
