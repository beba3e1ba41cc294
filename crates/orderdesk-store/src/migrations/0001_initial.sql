-- Schema version 1. Every timestamp is UTC text in one fixed format
-- (YYYY-MM-DDTHH:MM:SS.ffffffZ) so that text order is time order.
-- Money is exact decimal text (never REAL).

CREATE TABLE drafts (
    id              TEXT PRIMARY KEY,
    revision        INTEGER NOT NULL CHECK (revision >= 1),
    tmf_version     TEXT NOT NULL CHECK (tmf_version IN ('v4', 'v5')),
    body            TEXT NOT NULL CHECK (json_valid(body)),
    customer        TEXT,
    total           TEXT,
    currency        TEXT,
    item_count      INTEGER NOT NULL CHECK (item_count >= 0),
    catalog_version TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
) STRICT;
CREATE INDEX drafts_by_updated ON drafts (updated_at DESC, id);

-- Every revision of every draft, including the current one, so a draft can be restored to any of them.
CREATE TABLE draft_revisions (
    draft_id        TEXT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    revision        INTEGER NOT NULL,
    body            TEXT NOT NULL,
    catalog_version TEXT,
    action          TEXT NOT NULL,
    actor           TEXT NOT NULL,
    at              TEXT NOT NULL,
    PRIMARY KEY (draft_id, revision)
) STRICT, WITHOUT ROWID;

CREATE TABLE orders (
    id          INTEGER PRIMARY KEY,
    profile     TEXT NOT NULL,
    server_id   TEXT NOT NULL,
    href        TEXT,
    state       TEXT NOT NULL,
    item_states TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(item_states)),
    tmf_version TEXT NOT NULL CHECK (tmf_version IN ('v4', 'v5')),
    payload     TEXT NOT NULL CHECK (json_valid(payload)),
    customer    TEXT,
    total       TEXT,
    currency    TEXT,
    item_count  INTEGER NOT NULL DEFAULT 0,
    draft_id    TEXT REFERENCES drafts (id) ON DELETE SET NULL,
    last_seen   TEXT NOT NULL,
    UNIQUE (profile, server_id)
) STRICT;
CREATE INDEX orders_by_state_seen ON orders (state, last_seen DESC);
CREATE INDEX orders_by_seen ON orders (last_seen DESC);
CREATE INDEX orders_by_draft ON orders (draft_id) WHERE draft_id IS NOT NULL;

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    op              TEXT NOT NULL CHECK (op IN ('create', 'patch', 'cancel', 'delete')),
    profile         TEXT NOT NULL,
    draft_id        TEXT REFERENCES drafts (id) ON DELETE SET NULL,
    order_id        INTEGER REFERENCES orders (id) ON DELETE SET NULL,
    payload         TEXT CHECK (payload IS NULL OR json_valid(payload)),
    idempotency_key TEXT NOT NULL UNIQUE,
    status          TEXT NOT NULL
                    CHECK (status IN ('queued', 'in-flight', 'done', 'rejected', 'needs-attention')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
) STRICT;
CREATE INDEX outbox_by_due ON outbox (status, next_attempt_at, id);

CREATE TABLE catalog_snapshots (
    id          INTEGER PRIMARY KEY,
    version     TEXT NOT NULL,
    fetched_at  TEXT NOT NULL,
    source      TEXT NOT NULL,
    imported_at TEXT NOT NULL
) STRICT;

CREATE TABLE catalog_items (
    kind             TEXT NOT NULL CHECK (kind IN ('offering', 'price', 'specification', 'category')),
    id               TEXT NOT NULL,
    name             TEXT,
    version          TEXT,
    lifecycle_status TEXT,
    body             TEXT NOT NULL CHECK (json_valid(body)),
    snapshot_id      INTEGER NOT NULL REFERENCES catalog_snapshots (id),
    PRIMARY KEY (kind, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX catalog_items_by_name ON catalog_items (kind, name);

-- Append-only: the triggers below refuse every UPDATE and DELETE.
CREATE TABLE audit (
    id         INTEGER PRIMARY KEY,
    subject    TEXT NOT NULL CHECK (subject IN ('draft', 'order')),
    subject_id TEXT NOT NULL,
    event      TEXT NOT NULL CHECK (event IN ('created', 'edited', 'restored', 'deleted', 'submitted',
                                              'state-changed', 'cancel-requested')),
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    detail     TEXT
) STRICT;
CREATE INDEX audit_by_subject ON audit (subject, subject_id, id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL CHECK (json_valid(value))
) STRICT, WITHOUT ROWID;

-- Connection details only: secrets live in the OS keychain, never here.
CREATE TABLE server_profiles (
    name        TEXT PRIMARY KEY,
    base_url    TEXT NOT NULL,
    tmf_version TEXT NOT NULL CHECK (tmf_version IN ('v4', 'v5')),
    auth_mode   TEXT NOT NULL CHECK (auth_mode IN ('none', 'basic', 'bearer', 'oauth2-client-credentials')),
    business_id TEXT,
    username    TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- Full-text search. `search_docs` maps a searchable record to the FTS rowid, so that a record's
-- entry is replaced by rowid (an FTS5 lookup by an unindexed column would scan the whole index).
CREATE TABLE search_docs (
    rowid INTEGER PRIMARY KEY,
    kind  TEXT NOT NULL CHECK (kind IN ('draft', 'order', 'offering', 'price', 'specification', 'category')),
    ref   TEXT NOT NULL,
    UNIQUE (kind, ref)
) STRICT;
CREATE VIRTUAL TABLE search_fts USING fts5 (title, body, tokenize = 'unicode61 remove_diacritics 2');
