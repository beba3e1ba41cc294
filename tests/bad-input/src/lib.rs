//! The bad-input suite: hostile input at every entry point of Orderdesk. Every case feeds one
//! input and asserts (1) the clear error (a stable code and a message naming what and where),
//! (2) that the process still answers (the next command, request or edit works), and (3) that
//! what was saved before (a draft, the catalog cache, the outbox, a server's stored order) is
//! intact. Waits are on events; time bounds are hang guards only.
//!
//! The cases, by entry point (51 here, plus the client's own hostile-server cases listed last):
//!
//! **CLI file commands** — `crates/orderdesk-cli/tests/bad_input.rs` (there because cargo
//! builds the `orderdesk` binary only for its own crate's tests); the real binary on a
//! database holding a draft and the demo catalog; exit 2 with `{code, message}` on stdout, or
//! exit 1 with findings; never 101/134, "panicked" or a terminal control:
//!
//! | case | input | outcome |
//! |---|---|---|
//! | `check_of_a_30000_item_bundle_chain_is_a_limit_finding` | 30,000 items, each bundling the one before | exit 1, `limit.items` |
//! | `price_of_a_term_of_u32_max_months_stops_at_the_period_cap_and_says_so` | `itemTerm` of 4294967295 months | 1,200 periods, `limit.periods` naming both |
//! | `convert_of_json_nested_100000_deep_is_not_json_naming_the_place` | arrays 100,000 deep | `input.not_json`, file, line and column |
//! | `check_of_a_file_over_the_size_limit_is_refused_unread` | sparse 17 MB file | `input.too_large` (16 MB cap) |
//! | `convert_of_an_endless_stdin_stream_stops_at_the_size_limit` | 64 MB of stdin | `input.too_large`, read no further |
//! | `draft_import_of_invalid_utf8_is_refused_and_stores_nothing` | bytes `FF FE` in a string | `input.not_json`, "not UTF-8", byte offset |
//! | `draft_import_of_an_empty_file_is_refused_and_stores_nothing` | empty file | `input.not_json`, line 1 column 0 |
//! | `catalog_import_of_a_non_json_file_keeps_the_cached_catalog` | a CSV file | `input.not_json`; catalog unchanged |
//! | `adding_a_bundle_whose_catalog_lower_limit_is_u32_max_hits_the_item_cap` | catalog bundle lower limit `u32::MAX`, then `draft add-offering` | `limit.items` naming the offering and the cap |
//! | `check_of_duplicate_item_ids_is_an_error_finding` | two items with id `1` | exit 1, `item.duplicate_id` at `/productOrderItem/1/id` |
//! | `price_of_numbers_beyond_decimal_range_is_a_finding_not_a_crash` | price values past `Decimal::MAX` and `1e400` | exit 1, `price.invalid` at the price, no figure made up |
//! | `draft_import_of_escape_characters_in_names_prints_none_of_them` | CSI, OSC, BEL, C1 CSI, CR, BS in ids and names | stored exactly; `draft show`/`list`/`check` print none of them |
//!
//! **CLI database and remote commands** (same file):
//!
//! | case | input | outcome |
//! |---|---|---|
//! | `a_database_file_that_is_not_sqlite_is_refused_and_left_as_it_was` | `--db` on a text file | `store.not_a_database`; file untouched |
//! | `a_database_locked_by_another_program_is_busy_and_works_once_free` | another connection holds `BEGIN EXCLUSIVE` | `store.busy`; the import works once freed |
//! | `a_data_directory_that_cannot_be_written_is_a_clear_error` | `ORDERDESK_DATA_DIR` under a regular file | `store.io` naming the directory |
//! | `remote_add_with_credentials_in_the_url_is_refused_and_stores_nothing` | `https://user:secret@…` | `client.bad_profile`; the secret not repeated |
//! | `remote_add_with_an_authorization_header_is_refused` | `--header "Authorization: …"` | `client.bad_profile` |
//! | `remote_add_of_plain_http_with_a_secret_to_another_host_is_refused` | `http://` to a non-loopback host with a bearer secret | `client.bad_profile`, "use https" |
//! | `order_show_of_an_unknown_id_is_not_found` | an id nobody has | `store.not_found` naming it |
//! | `order_cancel_of_an_unknown_id_queues_nothing` | 4294967296 | `store.not_found`; outbox unchanged |
//!
//! **The CLI's `sync` and `catalog sync` facing servers written to misbehave** (same file; the
//! sync engine and the client as the CLI runs them):
//!
//! | case | server | outcome |
//! |---|---|---|
//! | `sync_against_a_server_answering_garbage_keeps_the_entry_saying_why` | 201 with a non-JSON body | entry kept, its error says JSON |
//! | `sync_against_error_text_with_escape_sequences_prints_none_of_them` | 400 whose message is escape sequences | entry kept; neither output nor stored error holds a control |
//! | `sync_against_a_huge_retry_after_ends_and_keeps_the_entry` | 503 with `Retry-After: 99999999999999` | the command ends; entry kept, says 503 |
//! | `sync_against_an_answer_that_never_finishes_times_out_and_keeps_the_entry` | never answers | timeout named; entry kept, looked up before any resend |
//! | `catalog_sync_against_endless_pages_keeps_the_cached_catalog` | a new full page at every offset | `client.list_incomplete` naming the page cap; catalog unchanged |
//!
//! **The reference server over HTTP** — `tests/server.rs`; TMF `Error` bodies; the stored order
//! and the list read back the same afterwards:
//!
//! | case | request | outcome |
//! |---|---|---|
//! | `a_30000_item_bundle_chain_posted_without_credentials_is_refused` | the chain, no credentials | 400/422 `limit.items` |
//! | `a_body_over_the_limit_is_413` | 16 MB + 1 | 413 `body.tooLarge` |
//! | `json_nested_100000_deep_is_400` | arrays 100,000 deep | 400 `body.json`, "recursion limit" |
//! | `an_xml_body_is_400_not_json` | `application/xml` | 400 `body.json` |
//! | `a_patch_that_would_make_the_order_too_deep_is_422` | merge patch 100 levels deep | 422 `order.tooDeep` |
//! | `a_limit_of_99999999999_is_capped_to_the_largest_page` | `limit=99999999999` | 200, at most the page cap |
//! | `a_negative_offset_is_400` | `offset=-1` | 400 `query.offset` naming it |
//! | `an_offset_past_any_number_is_400` | `offset=` 24 nines | 400 `query.offset` naming it |
//! | `unknown_fields_and_an_offering_id_of_control_characters_are_refused_printably` | a member named and valued with escapes, such an offering id | 422 `offering.unknown`, message without controls |
//! | `the_demo_guard_refuses_text_plain_from_a_web_page` | app-only server: `text/plain` with an `Origin` | 403 `guard.origin` |
//! | `the_demo_guard_refuses_a_wrong_host` | app-only server: `Host: rebound.example` (DNS rebinding) | 403 `guard.host` |
//! | `the_demo_guard_refuses_any_origin_header` | app-only server: its own origin | 403 `guard.origin` |
//! | `the_demo_server_refuses_a_request_without_its_token` | app-only server: no token | 401 `unauthorized` |
//! | `a_hub_callback_to_the_metadata_address_is_refused` | `http://169.254.169.254/…` | 422 `callback.refused` |
//! | `a_hub_callback_to_a_private_address_is_refused` | `http://192.168.1.10:8080/…` | 422 `callback.refused` |
//!
//! **The app's import and edit commands** — `tests/app.rs`; the service functions the Tauri
//! commands are over, the IPC body `ErrorBody::from(ServiceError)`; the draft saved before, its
//! history and the catalog unchanged, the draft opens and a new one is saved afterwards:
//!
//! | case | input | outcome |
//! |---|---|---|
//! | `importing_a_30000_item_bundle_chain_is_refused` | the chain | `limit.items` |
//! | `importing_json_nested_100000_deep_is_not_json` | arrays 100,000 deep | `input.not_json` |
//! | `importing_text_that_is_not_json_is_refused` | CSV | `input.not_json` |
//! | `adding_a_bundle_whose_catalog_lower_limit_is_u32_max_hits_the_item_cap` | catalog lower limit `u32::MAX`, add the bundle | `limit.items` |
//! | `adding_an_offering_u32_max_times_is_refused` | quantity `u32::MAX` | `limit.quantity` |
//! | `a_characteristic_value_of_1_mb_is_refused` | 1 MB value | `limit.text` naming the member |
//! | `an_alteration_of_10_to_the_30_is_refused` | amount 10^30 | `service.invalid_input`, "beyond the largest number" |
//! | `a_quantity_of_0_is_refused` | 0 | `core.invalid_value`, "at least 1" |
//! | `a_negative_or_u64_max_quantity_is_refused_when_the_command_decodes_it` | -1, `u64::MAX`, 1e300, "1" in the IPC payload | not an `Edit` |
//! | `moving_an_item_under_its_own_child_is_refused` | bundle under its child | `core.move_into_itself` |
//! | `an_edit_of_a_stale_revision_is_refused` | a revision ahead of the draft's | `store.conflict` |
//!
//! **The client facing hostile servers** — `crates/orderdesk-client/tests/hostile.rs`, kept
//! there (its servers test the client alone; the sync cases above put the same kinds of server
//! behind the CLI): an endless list, a page served twice, a 2 GB body, a list over the list
//! cap, answers that never finish, waits and token lifetimes no date can hold, another resource
//! than the one asked for, server text that would steer a terminal.
//!
//! Cases of the same kinds that live with their crate and are not repeated here: the store's
//! full disk (`SQLITE_FULL` through `max_page_count`, which the CLI cannot set), truncated and
//! damaged databases (`crates/orderdesk-store/tests/store/bad_input.rs`), the server's abuse
//! tests (`crates/orderdesk-server/tests/abuse.rs`), the core's hostile sizes
//! (`crates/orderdesk-core/tests/core/limits.rs`) and the replayed fuzz regressions.
//!
//! This library holds the hostile inputs the cases share, made in code (nothing large is kept on
//! disk), so every entry point is fed the same bytes.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

/// How many items the flat bundle chain has (three times the core's item cap).
pub const CHAIN_ITEMS: usize = 30_000;

/// How deep the deeply nested JSON goes (far past every parser's depth cap).
pub const DEEP: usize = 100_000;

/// Text that would steer a terminal if printed raw: a colour change (CSI), a window title
/// (OSC ended by BEL), a C1 CSI, a carriage return that overwrites the line, and a backspace.
pub const ESCAPES: &str = "\u{1b}[31mred\u{1b}]0;pwned\u{7}\u{9b}2J\rover\u{8}";

/// Whether `bytes` hold a character that steers a terminal: ESC, BEL, BS, CR, or the C1 CSI
/// (U+009B, `C2 9B` in UTF-8).
pub fn has_escape(bytes: &[u8]) -> bool {
    bytes.iter().any(|b| matches!(b, 0x1b | 0x07 | 0x08 | b'\r'))
        || bytes.windows(2).any(|w| w == [0xc2, 0x9b])
}

/// A file of the repository (`assets/…`).
pub fn asset(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(relative)
}

/// The TMF25 bundle order every case saves before its bad input (v4, valid against the demo
/// catalog).
pub fn good_order() -> String {
    std::fs::read_to_string(asset("assets/orders/tmf25-bundle.v4.json")).unwrap_or_default()
}

/// The demo catalog snapshot.
pub fn good_catalog() -> String {
    std::fs::read_to_string(asset("assets/catalog/demo.json")).unwrap_or_default()
}

fn item(id: String, extra: Value) -> Value {
    let mut item = json!({"id": id, "action": "add", "quantity": 1,
        "productOffering": {"id": "14305", "name": "Mobile Telephony"}});
    if let (Some(item), Value::Object(extra)) = (item.as_object_mut(), extra) {
        item.extend(extra);
    }
    item
}

fn order_of(items: Vec<Value>) -> Value {
    json!({"description": "bad input", "productOrderItem": items})
}

/// [`CHAIN_ITEMS`] items, each bundling the one before it (`productOrderItemRelationship`
/// `bundles`): a chain as deep as it is long.
pub fn bundle_chain() -> String {
    let items = (0..CHAIN_ITEMS)
        .map(|i| {
            let rel = if i == 0 {
                json!({})
            } else {
                json!({"productOrderItemRelationship":
                    [{"id": (i - 1).to_string(), "relationshipType": "bundles"}]})
            };
            item(i.to_string(), rel)
        })
        .collect();
    order_of(items).to_string()
}

/// One item with a term of `u32::MAX` months.
pub fn endless_term() -> String {
    order_of(vec![item(
        "1".into(),
        json!({"itemTerm": [{"name": "forever", "duration": {"amount": u32::MAX, "units": "month"}}],
            "itemPrice": [{"name": "Monthly", "priceType": "recurring",
                "recurringChargePeriod": "month",
                "price": {"taxIncludedAmount": {"unit": "EUR", "value": 10}}}]}),
    )])
    .to_string()
}

/// An order whose first item carries a value nested [`DEEP`] arrays deep.
pub fn deep_json() -> String {
    let mut text = String::with_capacity(DEEP * 2 + 200);
    text.push_str(r#"{"productOrderItem": [{"id": "1", "action": "add", "deep": "#);
    text.push_str(&"[".repeat(DEEP));
    text.push_str(&"]".repeat(DEEP));
    text.push_str("}]}");
    text
}

/// An item whose price is beyond `rust_decimal`'s range (and one beyond f64's).
pub fn huge_price() -> String {
    let big = "7922816251426433759354395033500000000000";
    format!(
        r#"{{"productOrderItem": [{{"id": "1", "action": "add", "quantity": 1,
        "productOffering": {{"id": "14305"}},
        "itemPrice": [{{"name": "Fee", "priceType": "oneTime",
            "price": {{"taxIncludedAmount": {{"unit": "EUR", "value": {big}}},
                       "dutyFreeAmount": {{"unit": "EUR", "value": 1e400}}}}}}]}}]}}"#
    )
}

/// Two items with the same id.
pub fn duplicate_ids() -> String {
    order_of(vec![item("1".into(), json!({})), item("1".into(), json!({}))]).to_string()
}

/// Names and a description made of [`ESCAPES`].
pub fn escape_names() -> String {
    json!({"description": ESCAPES, "productOrderItem": [{"id": ESCAPES, "action": "add",
        "quantity": 1, "productOffering": {"id": ESCAPES, "name": ESCAPES}}]})
    .to_string()
}

/// Bytes that are not UTF-8 inside an otherwise plausible order.
pub const INVALID_UTF8: &[u8] =
    b"{\"productOrderItem\": [{\"id\": \"\xff\xfe\xc3\x28\", \"action\": \"add\"}]}";

/// Something that is not JSON at all.
pub const NOT_JSON: &[u8] = b"name,total\nJane,10\n";

/// The demo catalog with its bundle's first option asking for at least `u32::MAX` of an
/// offering.
pub fn catalog_huge_lower_limit() -> String {
    let mut catalog: Value = serde_json::from_str(&good_catalog()).unwrap_or(Value::Null);
    let bundle = catalog["productOffering"]
        .as_array_mut()
        .and_then(|all| all.iter_mut().find(|o| o["isBundle"] == true));
    if let Some(option) = bundle.and_then(|b| {
        b["bundledProductOffering"]
            .as_array_mut()?
            .first_mut()?
            .get_mut("bundledProductOfferingOption")
    }) {
        option["numberRelOfferLowerLimit"] = json!(u32::MAX);
        option["numberRelOfferUpperLimit"] = json!(u32::MAX);
        option["numberRelOfferDefault"] = json!(u32::MAX);
    }
    catalog.to_string()
}

/// Writes a sparse file of `len` bytes at `path` (a hole reads as zeros and takes no disk).
pub fn sparse_file(path: &Path, len: u64) -> std::io::Result<()> {
    let mut file = std::fs::File::create(path)?;
    file.write_all(b"{\"productOrderItem\": [")?;
    file.set_len(len)
}
