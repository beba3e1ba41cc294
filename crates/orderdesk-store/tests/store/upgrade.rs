//! Upgrading a database written by the release with schema version 1
//! (`tests/fixtures/schema-v1.db`, see the README beside it): nothing is lost, and what lived
//! in settings keys and in outbox text moves into its tables and columns.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use orderdesk_store::*;
use rusqlite::types::Value as Sql;
use rusqlite::{Connection, OpenFlags};
use serde_json::{json, Value};

use crate::common::*;

/// A copy of the fixture in a temporary directory (the committed file is never opened for
/// writing).
fn fixture_copy() -> TempDb {
    let db = temp_db();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema-v1.db");
    std::fs::copy(&fixture, &db.path).expect("copy the fixture");
    db
}

fn raw(path: &PathBuf) -> Connection {
    Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("raw open")
}

/// Every row of `table` (all columns, or `columns`), in `order`.
fn rows(conn: &Connection, table: &str, columns: &str, order: &str) -> Vec<Vec<Sql>> {
    let mut stmt =
        conn.prepare(&format!("SELECT {columns} FROM {table} ORDER BY {order}")).expect("prepare");
    let width = stmt.column_count();
    stmt.query_map([], |row| (0..width).map(|i| row.get::<_, Sql>(i)).collect())
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<Vec<Sql>>>>())
        .expect("rows")
}

fn settings(conn: &Connection) -> Vec<(String, Value)> {
    rows(conn, "settings", "key, value", "key")
        .into_iter()
        .map(|row| match (&row[0], &row[1]) {
            (Sql::Text(key), Sql::Text(value)) => {
                (key.clone(), serde_json::from_str(value).expect("setting JSON"))
            }
            other => panic!("a setting that is not text: {other:?}"),
        })
        .collect()
}

fn setting<'a>(all: &'a [(String, Value)], key: &str) -> &'a Value {
    &all.iter().find(|(k, _)| k == key).unwrap_or_else(|| panic!("no setting {key}")).1
}

fn time(value: &Value) -> DateTime<Utc> {
    value.as_str().and_then(|t| t.parse().ok()).unwrap_or_else(|| panic!("not a time: {value}"))
}

/// Tables schema 2 leaves as schema 1 wrote them, with the order to compare them in.
const KEPT: [(&str, &str); 7] = [
    ("drafts", "id"),
    ("draft_revisions", "draft_id, revision"),
    ("orders", "id"),
    ("catalog_snapshots", "id"),
    ("catalog_items", "kind, id"),
    ("search_docs", "rowid"),
    ("search_fts", "rowid"),
];

/// The audit columns schema 1 had.
const V1_AUDIT: &str = "id, subject, subject_id, event, at, actor, detail";

/// The outbox columns schema 1 had.
const V1_OUTBOX: &str = "id, op, profile, draft_id, order_id, payload, idempotency_key, status, \
     attempts, next_attempt_at, last_error, created_at, updated_at";

#[test]
fn the_schema_1_fixture_upgrades_without_losing_anything() {
    let db = fixture_copy();
    let before = raw(&db.path);
    let version: i64 = before.pragma_query_value(None, "user_version", |r| r.get(0)).expect("v");
    assert_eq!(version, 1, "the fixture is a schema 1 database");
    let kept: Vec<_> = KEPT.iter().map(|(t, order)| rows(&before, t, "*", order)).collect();
    let outbox_v1 = rows(&before, "outbox", V1_OUTBOX, "id");
    let audit_v1 = rows(&before, "audit", V1_AUDIT, "id");
    let old_settings = settings(&before);
    drop(before);

    let store = Store::open(&db.path).expect("the upgrade");
    assert_eq!(store.integrity_check().expect("check"), ["ok"]);
    // Schema 6 indexes the categories each cached offering lists.
    let mut listed = BTreeSet::new();
    for offering in store.catalog_snapshot().expect("snapshot")["productOffering"]
        .as_array()
        .into_iter()
        .flatten()
    {
        for category in offering["category"].as_array().into_iter().flatten() {
            if let (Some(c), Some(o)) = (category["id"].as_str(), offering["id"].as_str()) {
                listed.insert((c.to_owned(), o.to_owned()));
            }
        }
    }
    assert_eq!(listed.len(), 46, "the fixture's offerings list categories");
    let mut indexed = BTreeSet::new();
    for (category, count) in store.catalog_categories().expect("categories") {
        let id = category["id"].as_str().unwrap_or_default().to_owned();
        let members =
            store.offerings_by_name(Some(std::slice::from_ref(&id)), 1000).expect("members");
        assert_eq!(members.len(), count as usize, "{id}");
        indexed.extend(members.into_iter().map(|o| (id.clone(), o)));
    }
    assert_eq!(indexed, listed);
    let after = raw(&db.path);
    let version: i64 = after.pragma_query_value(None, "user_version", |r| r.get(0)).expect("v");
    assert_eq!(version, SCHEMA_VERSION);
    let dangling: Vec<Vec<Sql>> = rows(&after, "pragma_foreign_key_check", "*", "1");
    assert!(dangling.is_empty(), "{dangling:?}");

    // ---- drafts, revisions, orders, the catalog, the audit log and search: untouched ----
    assert_eq!(rows(&after, "audit", V1_AUDIT, "id"), audit_v1, "every audit entry is kept");
    assert_eq!(audit_v1.len(), 62);
    for ((table, order), old) in KEPT.iter().zip(&kept) {
        assert!(!old.is_empty(), "the fixture has {table}");
        assert_eq!(&rows(&after, table, "*", order), old, "{table} is kept as it was");
    }
    assert_eq!(
        store.drafts(&DraftFilter { limit: 100, ..DraftFilter::default() }).expect("d").len(),
        13
    );
    for row in store.drafts(&DraftFilter { limit: 100, ..DraftFilter::default() }).expect("drafts")
    {
        let history = store.draft_history(&row.id).expect("history");
        assert_eq!(history.len() as i64, row.revision, "every revision of {}", row.id);
        assert_eq!(store.draft(&row.id).expect("draft").row, row);
    }
    let orders = store.orders(&OrderFilter::default()).expect("orders");
    let mut states: Vec<_> = orders.iter().map(|o| o.state.as_str()).collect();
    states.sort_unstable();
    states.dedup();
    assert_eq!(states, ["acknowledged", "cancelled", "completed", "failed"]);
    assert_eq!(orders.len(), 10);
    // The state each order entry of the audit log records is a column now.
    for order in &orders {
        let trail = store.audit(AuditSubject::Order, &order.id.to_string()).expect("audit");
        let reached: Vec<_> = trail
            .iter()
            .filter(|a| matches!(a.event, AuditEvent::Created | AuditEvent::StateChanged))
            .map(|a| a.state.as_deref().expect("a state entry records its state"))
            .collect();
        assert_eq!(reached.first(), Some(&"acknowledged"), "order {}", order.id);
        assert_eq!(reached.last(), Some(&order.state.as_str()), "order {}", order.id);
        assert!(trail
            .iter()
            .filter(|a| !matches!(a.event, AuditEvent::Created | AuditEvent::StateChanged))
            .all(|a| a.state.is_none()));
    }
    let rewrite = store.connection().execute("UPDATE audit SET actor = 'x' WHERE id = 1", []);
    let err = rewrite.expect_err("the log stays append-only");
    assert!(err.to_string().contains("append-only"), "{err}");
    let completed = orders.iter().find(|o| o.state == "completed").expect("a completed order");
    let trail = store.audit(AuditSubject::Order, &completed.id.to_string()).expect("audit");
    let reached: Vec<_> = trail.iter().filter_map(|a| a.state.as_deref()).collect();
    assert_eq!(reached, ["acknowledged", "inProgress", "completed"]);

    // ---- the outbox: every entry, status, attempt count, link and time as it was ----
    let outbox = store.outbox(None).expect("outbox");
    assert_eq!(outbox.len(), outbox_v1.len());
    assert_eq!(outbox.len(), 17);
    for (entry, old) in outbox.iter().zip(&outbox_v1) {
        let text = |i: usize| match &old[i] {
            Sql::Text(t) => Some(t.clone()),
            _ => None,
        };
        assert_eq!(Sql::Integer(entry.id), old[0]);
        assert_eq!(Some(entry.op.to_string()), text(1));
        assert_eq!(Some(entry.profile.clone()), text(2));
        assert_eq!(entry.draft_id, text(3));
        assert_eq!(entry.order_id.map_or(Sql::Null, Sql::Integer), old[4]);
        assert_eq!(Some(entry.idempotency_key.clone()), text(6));
        assert_eq!(Some(entry.status.to_string()), text(7));
        assert_eq!(Sql::Integer(entry.attempts), old[8]);
        assert_eq!(Some(entry.next_attempt_at), text(9).map(|t| time(&json!(t))));
        assert_eq!(Some(entry.created_at), text(11).map(|t| time(&json!(t))));
        assert_eq!(Some(entry.updated_at), text(12).map(|t| time(&json!(t))));
        // The "not sent: " prefix became the flag.
        let old_error = text(10);
        let was_not_sent = old_error.as_deref().is_some_and(|e| e.starts_with("not sent: "));
        assert_eq!(entry.not_sent, was_not_sent, "entry {}", entry.id);
        assert_eq!(
            entry.last_error.as_deref(),
            old_error.as_deref().map(|e| e.strip_prefix("not sent: ").unwrap_or(e))
        );
        let was_refused =
            old_error.as_deref().is_some_and(|e| e.starts_with("the server refused it: "));
        assert_eq!(entry.refused, was_refused, "entry {}", entry.id);
        // The payload is kept; an amendment keeps the merge patch it sends.
        let old_payload: Option<Value> = text(5).map(|p| serde_json::from_str(&p).expect("json"));
        let payload: Option<Value> =
            entry.payload.as_deref().map(|p| serde_json::from_str(p).expect("json"));
        match entry.op {
            OutboxOp::Patch => {
                assert_eq!(payload.as_ref(), old_payload.as_ref().and_then(|p| p.get("patch")))
            }
            _ => assert_eq!(payload, old_payload),
        }
    }
    let by_id = |id: i64| outbox.iter().find(|e| e.id == id).expect("entry");
    let statuses: Vec<_> = outbox.iter().map(|e| e.status).collect();
    for status in OutboxStatus::ALL {
        assert!(statuses.contains(status), "the fixture has a {status} entry");
    }
    // The draft revision each create was made from.
    let revisions: Vec<_> = outbox
        .iter()
        .filter(|e| e.op == OutboxOp::Create)
        .map(|e| (e.id, e.draft_revision))
        .collect();
    assert_eq!(
        revisions,
        [
            (1, Some(3)),
            (2, Some(2)),
            (3, Some(1)),
            (4, Some(2)),
            (5, Some(2)),
            (6, Some(2)),
            (7, Some(2)),
            (8, Some(2)),
            (14, Some(3)),
            (15, Some(2)),
            (16, Some(1))
        ]
    );
    assert!(outbox.iter().filter(|e| e.op != OutboxOp::Create).all(|e| e.draft_revision.is_none()));
    let unreachable = by_id(14);
    assert!(unreachable.not_sent && unreachable.status == OutboxStatus::Queued);
    assert!(unreachable.last_error.as_deref().is_some_and(|e| e.starts_with("cannot reach")));
    assert!(by_id(5).refused && by_id(5).status == OutboxStatus::NeedsAttention);
    assert_eq!(by_id(16).status, OutboxStatus::InFlight);
    // A draft's live submission is found by query: the refused and the dropped ones are not.
    for entry in outbox.iter().filter(|e| e.op == OutboxOp::Create) {
        let draft = entry.draft_id.as_deref().expect("a create names its draft");
        let live = store.live_submission(draft).expect("live");
        let expected = matches!(
            entry.status,
            OutboxStatus::Queued | OutboxStatus::InFlight | OutboxStatus::Done
        );
        assert_eq!(live.map(|e| e.id), expected.then_some(entry.id), "draft {draft}");
    }

    // ---- server profiles, every field, and the active one ----
    let old_profiles = setting(&old_settings, "remote.profiles").as_object().expect("profiles");
    let profiles = store.profiles().expect("profiles");
    assert_eq!(profiles.len(), old_profiles.len());
    assert_eq!(profiles.len(), 4);
    for profile in &profiles {
        let old = &old_profiles[&profile.name];
        let moved = json!({
            "name": profile.name,
            "orderUrl": profile.order_url,
            "catalogUrl": profile.catalog_url,
            // Schema 1 wrote a profile that detects its version as `auto`.
            "version": profile.version.map_or("auto", Version::as_str),
            "detectedVersion": profile.detected_version,
            "businessId": profile.business_id,
            "headers": profile.headers,
            "auth": match profile.auth_mode {
                AuthMode::None => json!({"mode": "none"}),
                AuthMode::Bearer => json!({"mode": "bearer"}),
                AuthMode::Headers => json!({"mode": "headers", "clientId": profile.auth_client_id}),
                AuthMode::OAuth2 => json!({"mode": "oauth2", "tokenUrl": profile.auth_token_url,
                    "clientId": profile.auth_client_id, "scope": profile.auth_scope}),
            },
            "timeoutMs": profile.timeout_ms,
            "connectTimeoutMs": profile.connect_timeout_ms,
            "caCert": profile.ca_cert,
            "pageSize": profile.page_size,
        });
        assert_eq!(&moved, old, "profile {}", profile.name);
    }
    assert_eq!(store.active_profile().expect("active").as_deref(), Some("lab"));
    assert_eq!(setting(&old_settings, "remote.active"), &json!("lab"));
    assert_eq!(
        store.catalog_since("lab").expect("since"),
        Some(time(setting(&old_settings, "sync.catalog-since.lab")))
    );
    assert_eq!(store.catalog_since("lab-v5").expect("since"), None);

    // ---- the hub listener ----
    let hub = store.hub_subscription("lab").expect("hub").expect("lab has a listener");
    assert_eq!(json!(hub.hub_id), *setting(&old_settings, "sync.hub.lab"));
    assert_eq!((hub.callback, hub.registered_at), (None, None), "schema 1 kept neither");
    assert_eq!(store.hub_subscription("lab-v5").expect("hub"), None);

    // ---- cancellations: the request, the task and its state ----
    let cancels: Vec<_> = outbox.iter().filter(|e| e.op == OutboxOp::Cancel).collect();
    assert_eq!(cancels.iter().map(|e| e.id).collect::<Vec<_>>(), [9, 10, 13]);
    for entry in &cancels {
        let c = store.cancellation(entry.id).expect("read").expect("moved");
        let payload: Value =
            serde_json::from_str(entry.payload.as_deref().expect("request")).expect("json");
        assert_eq!(json!(c.reason), payload["cancellationReason"]);
        assert_eq!(
            c.requested_date,
            payload.get("requestedCancellationDate").map(time),
            "entry {}",
            entry.id
        );
        assert_eq!(c.requested_at, entry.created_at);
        let state = setting(&old_settings, &format!("sync.cancel-state.{}", entry.id));
        assert_eq!(c.task_state.map(|s| s.as_str()), state["state"].as_str());
        assert_eq!(c.refusal_reason.as_deref(), state["message"].as_str());
        // Kept to the millisecond.
        let seen = time(&state["at"]);
        let stored = c.state_at.expect("seen");
        assert!((seen - stored).num_milliseconds().abs() < 1, "{seen} vs {stored}");
        let order = entry.order_id.expect("a cancel names its order");
        assert!(store.order_cancellations(order).expect("list").iter().any(|(e, _)| e == *entry));
    }
    let pending = store.cancellation(13).expect("read").expect("moved");
    assert_eq!(pending.task_state, Some(TaskState::Acknowledged));
    assert_eq!(json!(pending.task_id), *setting(&old_settings, "sync.cancel-task.13"));
    assert_eq!(pending.requested_date, Some(time(&json!("2031-01-15T09:00:00Z"))));
    let refused = store.cancellation(10).expect("read").expect("moved");
    assert_eq!(refused.task_state, Some(TaskState::TerminatedWithError));
    assert!(refused.refusal_reason.is_some_and(|r| r.contains("can no longer be cancelled")));
    assert_eq!(
        store.cancellation(9).expect("read").and_then(|c| c.task_state),
        Some(TaskState::Done)
    );

    // ---- amendments: base values, conflicts, state ----
    let amendment = |id: i64| store.amendment(id).expect("read").expect("moved");
    let members = |a: &Amendment| -> Vec<(String, Value, bool)> {
        a.members.iter().map(|m| (m.member.clone(), m.base.clone(), m.conflict)).collect()
    };
    let applied = amendment(11);
    assert_eq!(applied.state, AmendmentState::Applied);
    assert_eq!(
        members(&applied),
        [("description".to_owned(), json!("line 491510000005 (edit 2)"), false)]
    );
    let conflict = amendment(12);
    assert_eq!(conflict.state, AmendmentState::Conflict);
    assert_eq!(members(&conflict), [("description".to_owned(), json!("line 491510000006"), true)]);
    let queued = amendment(17);
    assert_eq!(queued.state, AmendmentState::Pending);
    assert_eq!(members(&queued), [("priority".to_owned(), Value::Null, false)]);
    for (id, v1) in outbox_v1.iter().enumerate().filter(|(_, r)| r[1] == Sql::Text("patch".into()))
    {
        let Sql::Text(payload) = &v1[5] else { panic!("an amendment without payload") };
        let old: Value = serde_json::from_str(payload).expect("json");
        let moved = amendment(id as i64 + 1);
        let base: serde_json::Map<String, Value> =
            moved.members.iter().map(|m| (m.member.clone(), m.base.clone())).collect();
        assert_eq!(Value::Object(base), old["base"], "entry {}", id + 1);
    }

    // ---- settings: the moved keys are gone, the others kept ----
    let left = settings(&after);
    let expected: Vec<_> = old_settings
        .iter()
        .filter(|(k, _)| {
            ![
                "remote.",
                "sync.hub.",
                "sync.cancel-task.",
                "sync.cancel-state.",
                "sync.catalog-since.",
            ]
            .iter()
            .any(|moved| k.starts_with(moved))
        })
        .cloned()
        .collect();
    assert_eq!(left, expected);
    assert_eq!(
        left.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        ["app.demo", "app.settings", "sync.customers"]
    );
    for (key, value) in &left {
        assert_eq!(store.setting(key).expect("setting").as_ref(), Some(value));
    }

    // Opened again: nothing more to do, and readers see the same.
    drop(store);
    let reader = Reader::open(&db.path).expect("reader");
    assert_eq!(reader.outbox(None).expect("outbox").len(), 17);
    assert_eq!(reader.profiles().expect("profiles").len(), 4);
}

#[test]
fn an_upgraded_database_from_a_newer_version_is_still_refused() {
    let db = fixture_copy();
    drop(Store::open(&db.path).expect("the upgrade"));
    {
        let conn = Connection::open(&db.path).expect("raw open");
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).expect("bump");
    }
    let before = std::fs::read(&db.path).expect("read");
    match Store::open(&db.path) {
        Err(StoreError::TooNew { found, supported, .. }) => {
            assert_eq!((found, supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
        }
        other => panic!("expected TooNew, got {other:?}"),
    }
    assert_eq!(std::fs::read(&db.path).expect("read"), before, "left untouched");
}

#[test]
fn an_upgrade_that_cannot_move_the_data_leaves_schema_1_intact() {
    let db = fixture_copy();
    {
        // A profile without its TMF622 root cannot become a row.
        let conn = Connection::open(&db.path).expect("raw open");
        conn.execute(
            "UPDATE settings SET value = json_remove(value, '$.lab.orderUrl')
             WHERE key = 'remote.profiles'",
            [],
        )
        .expect("damage");
    }
    let before = settings(&raw(&db.path));
    let err = Store::open(&db.path).expect_err("refused");
    assert!(err.to_string().contains("order_url"), "{err}");
    let conn = raw(&db.path);
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).expect("v");
    assert_eq!(version, 1, "the migration rolled back");
    assert_eq!(settings(&conn), before);
    let tables: Vec<Vec<Sql>> = rows(&conn, "sqlite_schema", "name", "name")
        .into_iter()
        .filter(|r| {
            r[0] == Sql::Text("cancellations".into()) || r[0] == Sql::Text("amendments".into())
        })
        .collect();
    assert!(tables.is_empty(), "{tables:?}");
}
