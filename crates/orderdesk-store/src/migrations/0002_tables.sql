-- Schema version 2: what schema 1 kept as naming conventions in `settings` (server profiles, the
-- active profile, hub listeners, cancellation tasks, catalog sync points) or as text (amendment
-- base values in outbox payloads, the "not sent: " prefix of `last_error`, the link between a
-- draft and its submission, the order state in audit details) gets tables and columns of its
-- own. The data is moved, then the
-- settings keys are deleted. Runs in one transaction with the `user_version` bump.
--
-- The SQL below that reads schema 1's keys and texts is a record of what schema 1 wrote; it
-- is never run on anything else.

-- ---- server profiles ------------------------------------------------------------------------

-- Schema 1's `server_profiles` was never written by the app (profiles lived in the setting
-- `remote.profiles`), and its columns cannot hold a profile: it is replaced.
DROP TABLE server_profiles;

-- How to reach one server: every field of a client profile. Connection details only; secrets
-- live in the OS keychain, never here. At most one profile is the active one (the unique
-- index below).
CREATE TABLE server_profiles (
    name               TEXT PRIMARY KEY CHECK (length(name) > 0),
    order_url          TEXT NOT NULL,
    catalog_url        TEXT,
    version            TEXT NOT NULL CHECK (version IN ('v4', 'v5', 'auto')),
    -- What `auto` detected on first contact (detection happens once).
    detected_version   TEXT CHECK (detected_version IN ('v4', 'v5')),
    business_id        TEXT,
    auth_mode          TEXT NOT NULL CHECK (auth_mode IN ('none', 'bearer', 'oauth2', 'headers')),
    auth_client_id     TEXT CHECK ((auth_client_id IS NOT NULL) = (auth_mode IN ('oauth2', 'headers'))),
    auth_token_url     TEXT CHECK ((auth_token_url IS NOT NULL) = (auth_mode = 'oauth2')),
    auth_scope         TEXT CHECK (auth_scope IS NULL OR auth_mode = 'oauth2'),
    timeout_ms         INTEGER NOT NULL CHECK (timeout_ms >= 0),
    connect_timeout_ms INTEGER NOT NULL CHECK (connect_timeout_ms >= 0),
    ca_cert            TEXT,
    page_size          INTEGER NOT NULL CHECK (page_size BETWEEN 1 AND 4294967295),
    active             INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
    -- The newest `lastUpdate` the last catalog sync saw: the next sync asks for changes since.
    catalog_since      TEXT
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX server_profiles_one_active ON server_profiles (active) WHERE active = 1;

-- Extra headers a profile sends with every request (never secrets).
CREATE TABLE server_profile_headers (
    profile TEXT NOT NULL REFERENCES server_profiles (name) ON DELETE CASCADE,
    name    TEXT NOT NULL CHECK (length(name) > 0),
    value   TEXT NOT NULL,
    PRIMARY KEY (profile, name)
) STRICT, WITHOUT ROWID;

-- The listener a server notifies of order events, one per profile.
CREATE TABLE hub_subscriptions (
    profile       TEXT PRIMARY KEY REFERENCES server_profiles (name) ON DELETE CASCADE,
    hub_id        TEXT NOT NULL CHECK (length(hub_id) > 0),
    -- NULL only for a listener registered under schema 1, which kept neither.
    callback      TEXT,
    registered_at TEXT
) STRICT, WITHOUT ROWID;

INSERT INTO server_profiles (name, order_url, catalog_url, version, detected_version, business_id,
                             auth_mode, auth_client_id, auth_token_url, auth_scope, timeout_ms,
                             connect_timeout_ms, ca_cert, page_size, active, catalog_since)
SELECT p.key,
       json_extract(p.value, '$.orderUrl'),
       json_extract(p.value, '$.catalogUrl'),
       coalesce(json_extract(p.value, '$.version'), 'auto'),
       json_extract(p.value, '$.detectedVersion'),
       json_extract(p.value, '$.businessId'),
       coalesce(json_extract(p.value, '$.auth.mode'), 'none'),
       json_extract(p.value, '$.auth.clientId'),
       json_extract(p.value, '$.auth.tokenUrl'),
       json_extract(p.value, '$.auth.scope'),
       coalesce(json_extract(p.value, '$.timeoutMs'), 30000),
       coalesce(json_extract(p.value, '$.connectTimeoutMs'), 5000),
       json_extract(p.value, '$.caCert'),
       coalesce(json_extract(p.value, '$.pageSize'), 100),
       p.key IS (SELECT json_extract(a.value, '$') FROM settings a WHERE a.key = 'remote.active'),
       (SELECT strftime('%Y-%m-%dT%H:%M:%f', json_extract(c.value, '$')) || '000Z'
        FROM settings c WHERE c.key = 'sync.catalog-since.' || p.key)
FROM settings s, json_each(s.value) p
WHERE s.key = 'remote.profiles';

INSERT INTO server_profile_headers (profile, name, value)
SELECT p.key, h.key, h.value
FROM settings s, json_each(s.value) p, json_each(p.value, '$.headers') h
WHERE s.key = 'remote.profiles';

-- `sync.hub.<profile>` held the listener id; a profile removed since has no listener to keep.
INSERT INTO hub_subscriptions (profile, hub_id)
SELECT substr(s.key, 10), json_extract(s.value, '$')
FROM settings s
WHERE s.key GLOB 'sync.hub.*'
  AND json_type(s.value) = 'text'
  AND substr(s.key, 10) IN (SELECT name FROM server_profiles);

-- ---- the outbox -----------------------------------------------------------------------------

-- The revision of the draft a create was made from.
ALTER TABLE outbox ADD COLUMN draft_revision INTEGER CHECK (draft_revision >= 1);
-- No attempt so far can have reached the server's processing (no connection, throttled,
-- credentials refused): it is sent again without looking it up first.
ALTER TABLE outbox ADD COLUMN not_sent INTEGER NOT NULL DEFAULT 0 CHECK (not_sent IN (0, 1));
-- The server refused the last attempt for good (a 4xx answer): nothing was made there.
ALTER TABLE outbox ADD COLUMN refused INTEGER NOT NULL DEFAULT 0
    CHECK (refused IN (0, 1) AND NOT (refused = 1 AND not_sent = 1));

-- Schema 1 wrote the draft's current revision's body into the create when it was queued.
UPDATE outbox
SET draft_revision = (SELECT max(r.revision) FROM draft_revisions r
                      WHERE r.draft_id = outbox.draft_id AND r.at <= outbox.created_at)
WHERE op = 'create' AND draft_id IS NOT NULL;

UPDATE outbox SET not_sent = 1, last_error = substr(last_error, 11)
WHERE last_error GLOB 'not sent: *';

UPDATE outbox SET refused = 1 WHERE last_error GLOB 'the server refused it: *';

-- A draft's submissions and an order's cancellations and amendments are found by query.
CREATE INDEX outbox_by_draft ON outbox (draft_id, op, status) WHERE draft_id IS NOT NULL;
CREATE INDEX outbox_by_order ON outbox (order_id, op) WHERE order_id IS NOT NULL;

-- ---- cancellations --------------------------------------------------------------------------

-- The agent's request to cancel an order (the outbox entry that carries it, which names the
-- order) and the cancellation task the server made for it.
CREATE TABLE cancellations (
    entry_id       INTEGER PRIMARY KEY REFERENCES outbox (id) ON DELETE CASCADE,
    reason         TEXT NOT NULL,
    requested_date TEXT,
    -- The server's cancellation task, once it made one.
    task_id        TEXT,
    -- The task's state as the server last reported it, by its TMF name; NULL until it reported
    -- one TMF defines.
    task_state     TEXT CHECK (task_state IN ('acknowledged', 'rejected', 'inProgress', 'cancelled',
                                              'done', 'terminatedWithError')),
    -- The server's explanation, when it gave one (a refusal's reason).
    refusal_reason TEXT,
    requested_at   TEXT NOT NULL,
    -- When the task's state was last looked at.
    state_at       TEXT
) STRICT;

INSERT INTO cancellations (entry_id, reason, requested_date, task_id, task_state, refusal_reason,
                           requested_at, state_at)
SELECT o.id,
       coalesce(json_extract(o.payload, '$.cancellationReason'), ''),
       strftime('%Y-%m-%dT%H:%M:%f', json_extract(o.payload, '$.requestedCancellationDate')) || '000Z',
       (SELECT json_extract(t.value, '$') FROM settings t
        WHERE t.key = 'sync.cancel-task.' || o.id AND json_type(t.value) = 'text'),
       CASE lower(replace(replace(replace(trim(json_extract(st.value, '$.state')), '_', ''), '-', ''), ' ', ''))
           WHEN 'acknowledged' THEN 'acknowledged'
           WHEN 'rejected' THEN 'rejected'
           WHEN 'inprogress' THEN 'inProgress'
           WHEN 'cancelled' THEN 'cancelled'
           WHEN 'done' THEN 'done'
           WHEN 'terminatedwitherror' THEN 'terminatedWithError'
       END,
       json_extract(st.value, '$.message'),
       o.created_at,
       strftime('%Y-%m-%dT%H:%M:%f', json_extract(st.value, '$.at')) || '000Z'
FROM outbox o LEFT JOIN settings st ON st.key = 'sync.cancel-state.' || o.id
WHERE o.op = 'cancel';

-- ---- amendments -----------------------------------------------------------------------------

-- An amendment of an order (the outbox entry carries the merge patch and names the order).
-- `conflict`: a member changed on the server since the agent's edit; the amendment waits for
-- the agent. `applied`: the server took it.
CREATE TABLE amendments (
    entry_id INTEGER PRIMARY KEY REFERENCES outbox (id) ON DELETE CASCADE,
    state    TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'conflict', 'applied'))
) STRICT;

-- Each patched member with its value when the agent edited (JSON; `null` when absent), and
-- whether the server changed it since.
CREATE TABLE amendment_members (
    entry_id INTEGER NOT NULL REFERENCES amendments (entry_id) ON DELETE CASCADE,
    member   TEXT NOT NULL,
    base     TEXT NOT NULL CHECK (json_valid(base)),
    conflict INTEGER NOT NULL DEFAULT 0 CHECK (conflict IN (0, 1)),
    PRIMARY KEY (entry_id, member)
) STRICT, WITHOUT ROWID;

-- Schema 1 queued `{"patch": {...}, "base": {...}}`. An amendment waiting for the agent is in
-- conflict where the order as last seen differs from the base value and from the agent's.
INSERT INTO amendments (entry_id, state)
SELECT id, CASE WHEN status = 'done' THEN 'applied' ELSE 'pending' END
FROM outbox WHERE op = 'patch';

INSERT INTO amendment_members (entry_id, member, base, conflict)
SELECT o.id,
       b.key,
       o.payload -> b.fullkey,
       o.status IN ('needs-attention', 'rejected')
           AND coalesce(ord.payload -> ('$' || substr(b.fullkey, 7)), 'null') IS NOT (o.payload -> b.fullkey)
           AND coalesce(ord.payload -> ('$' || substr(b.fullkey, 7)), 'null')
               IS NOT (o.payload -> ('$.patch' || substr(b.fullkey, 7)))
FROM outbox o
JOIN json_each(o.payload, '$.base') b
LEFT JOIN orders ord ON ord.id = o.order_id
WHERE o.op = 'patch' AND json_type(o.payload, '$.base') = 'object';

UPDATE amendments SET state = 'conflict'
WHERE state = 'pending'
  AND EXISTS (SELECT 1 FROM amendment_members m WHERE m.entry_id = amendments.entry_id AND m.conflict);

-- The outbox keeps what is sent: the merge patch.
UPDATE outbox SET payload = json_extract(payload, '$.patch')
WHERE op = 'patch' AND json_type(payload, '$.patch') = 'object';

-- ---- the audit log ----------------------------------------------------------------------------

-- The order state an entry records (an order's `created` and `state-changed`; empty when the
-- server reported none); `detail` stays the text for people.
ALTER TABLE audit ADD COLUMN state TEXT;

-- Schema 1 wrote the state into the detail only (`state X`, `A → B`). The log is append-only
-- for the app; only this upgrade fills in the new column of the entries already there.
DROP TRIGGER audit_no_update;
UPDATE audit
SET state = CASE event
    WHEN 'created' THEN substr(detail, length('state ') + 1)
    WHEN 'state-changed' THEN substr(detail, instr(detail, ' → ') + length(' → '))
END
WHERE subject = 'order'
  AND ((event = 'created' AND detail GLOB 'state *')
       OR (event = 'state-changed' AND instr(detail, ' → ') > 0));
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- ---- the keys moved above -------------------------------------------------------------------

DELETE FROM settings
WHERE key IN ('remote.profiles', 'remote.active')
   OR key GLOB 'sync.hub.*'
   OR key GLOB 'sync.cancel-task.*'
   OR key GLOB 'sync.cancel-state.*'
   OR key GLOB 'sync.catalog-since.*';
