-- Schema 6: the orders list, paged, sorted and filtered by SQLite.
--
-- `order_list_rows` is the one statement of what the list holds: every draft that did not
-- become an order, with the badge of its latest outbox entry, and every order known to a
-- server, keeping the total of the draft it was submitted from when the server gives none.
-- `order_list` keeps its rows, refreshed by the triggers below for exactly the records a
-- change touches, so that each sort and filter is an index walk over one table. The
-- functions (`order_state`, `order_failed`, `fold_case`, `money_key`) are the store's
-- (`functions.rs`), i.e. the wire crate's state reading and Rust's case and decimal order.

CREATE VIEW order_list_rows AS
SELECT 'draft' AS kind,
       d.id AS ref,
       NULL AS order_id,
       d.id AS draft_id,
       d.customer AS customer,
       fold_case(d.customer) AS customer_key,
       d.total AS total,
       d.currency AS currency,
       money_key(d.total) AS total_key,
       d.item_count AS item_count,
       'draft' AS state_text,
       'draft' AS state,
       coalesce((SELECT CASE x.status
                            WHEN 'queued' THEN 'queued'
                            WHEN 'in-flight' THEN 'sending'
                            WHEN 'done' THEN 'submitted'
                            ELSE 'needs-attention'
                        END
                 FROM outbox x WHERE x.draft_id = d.id ORDER BY x.id DESC LIMIT 1),
                'draft') AS sync,
       d.revision AS revision,
       d.updated_at AS updated_at
FROM drafts d
WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.draft_id = d.id)
UNION ALL
SELECT 'order',
       CAST(o.id AS TEXT),
       o.id,
       o.draft_id,
       o.customer,
       fold_case(o.customer),
       coalesce(o.total, d.total),
       CASE WHEN o.total IS NULL THEN d.currency ELSE o.currency END,
       money_key(coalesce(o.total, d.total)),
       o.item_count,
       o.state,
       order_state(o.state),
       CASE WHEN order_failed(o.state) THEN 'needs-attention' ELSE 'submitted' END,
       0,
       o.last_seen
FROM orders o LEFT JOIN drafts d ON d.id = o.draft_id;

CREATE TABLE order_list (
    kind         TEXT NOT NULL CHECK (kind IN ('draft', 'order')),
    -- The draft's id, or the order's local id as text.
    ref          TEXT NOT NULL,
    order_id     INTEGER,
    -- The draft itself, or the one the order was submitted from (search finds an order by it).
    draft_id     TEXT,
    customer     TEXT,
    customer_key TEXT,
    total        TEXT,
    currency     TEXT,
    total_key    TEXT,
    item_count   INTEGER NOT NULL,
    state_text   TEXT NOT NULL,
    -- The TMF622 state (`draft` for a draft), NULL for one TMF622 does not define.
    state        TEXT,
    sync         TEXT NOT NULL
                 CHECK (sync IN ('draft', 'queued', 'sending', 'submitted', 'needs-attention')),
    revision     INTEGER NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (kind, ref)
) STRICT, WITHOUT ROWID;

-- One index per sort, in the sort's direction, ending in the tiebreak (kind, ref); the filters
-- that narrow most lead their own.
CREATE INDEX order_list_by_updated ON order_list (updated_at, kind, ref);
CREATE INDEX order_list_by_customer
    ON order_list (customer_key, updated_at DESC, kind DESC, ref DESC);
CREATE INDEX order_list_by_total ON order_list (total_key, kind, ref);
CREATE INDEX order_list_by_state ON order_list (state, updated_at, kind, ref);
CREATE INDEX order_list_by_sync ON order_list (sync, updated_at, kind, ref);
CREATE INDEX order_list_by_draft ON order_list (draft_id) WHERE draft_id IS NOT NULL;
CREATE INDEX order_list_by_order ON order_list (order_id) WHERE order_id IS NOT NULL;

INSERT INTO order_list
SELECT kind, ref, order_id, draft_id, customer, customer_key, total, currency, total_key,
       item_count, state_text, state, sync, revision, updated_at
FROM order_list_rows;

-- A change to a draft touches its row and the rows of the orders submitted from it.
CREATE TRIGGER order_list_draft_insert AFTER INSERT ON drafts
BEGIN
    DELETE FROM order_list WHERE draft_id = NEW.id;
    INSERT INTO order_list SELECT * FROM order_list_rows WHERE draft_id = NEW.id;
END;
CREATE TRIGGER order_list_draft_update AFTER UPDATE ON drafts
BEGIN
    DELETE FROM order_list WHERE draft_id IN (OLD.id, NEW.id);
    INSERT INTO order_list SELECT * FROM order_list_rows WHERE draft_id IN (OLD.id, NEW.id);
END;
CREATE TRIGGER order_list_draft_delete AFTER DELETE ON drafts
BEGIN
    DELETE FROM order_list WHERE draft_id = OLD.id;
    INSERT INTO order_list SELECT * FROM order_list_rows WHERE draft_id = OLD.id;
END;

-- A change to an order touches its row and the draft it came from (hidden while it exists).
CREATE TRIGGER order_list_order_insert AFTER INSERT ON orders
BEGIN
    DELETE FROM order_list WHERE order_id = NEW.id OR draft_id = NEW.draft_id;
    INSERT INTO order_list SELECT * FROM order_list_rows
    WHERE order_id = NEW.id OR draft_id = NEW.draft_id;
END;
CREATE TRIGGER order_list_order_update
AFTER UPDATE OF state, customer, total, currency, item_count, draft_id, last_seen ON orders
BEGIN
    DELETE FROM order_list
    WHERE order_id = NEW.id OR draft_id IN (OLD.draft_id, NEW.draft_id);
    INSERT INTO order_list SELECT * FROM order_list_rows
    WHERE order_id = NEW.id OR draft_id IN (OLD.draft_id, NEW.draft_id);
END;
CREATE TRIGGER order_list_order_delete AFTER DELETE ON orders
BEGIN
    DELETE FROM order_list WHERE order_id = OLD.id OR draft_id = OLD.draft_id;
    INSERT INTO order_list SELECT * FROM order_list_rows WHERE draft_id = OLD.draft_id;
END;

-- A draft's badge is its latest outbox entry's status.
CREATE TRIGGER order_list_outbox_insert AFTER INSERT ON outbox WHEN NEW.draft_id IS NOT NULL
BEGIN
    DELETE FROM order_list WHERE draft_id = NEW.draft_id;
    INSERT INTO order_list SELECT * FROM order_list_rows WHERE draft_id = NEW.draft_id;
END;
CREATE TRIGGER order_list_outbox_update AFTER UPDATE OF status, draft_id ON outbox
WHEN OLD.draft_id IS NOT NULL OR NEW.draft_id IS NOT NULL
BEGIN
    DELETE FROM order_list WHERE draft_id IN (OLD.draft_id, NEW.draft_id);
    INSERT INTO order_list SELECT * FROM order_list_rows
    WHERE draft_id IN (OLD.draft_id, NEW.draft_id);
END;
CREATE TRIGGER order_list_outbox_delete AFTER DELETE ON outbox WHEN OLD.draft_id IS NOT NULL
BEGIN
    DELETE FROM order_list WHERE draft_id = OLD.draft_id;
    INSERT INTO order_list SELECT * FROM order_list_rows WHERE draft_id = OLD.draft_id;
END;
