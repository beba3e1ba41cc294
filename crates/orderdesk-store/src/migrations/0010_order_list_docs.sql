-- Schema 10: each row of the orders list names its search entries by their integer rowid:
-- `doc` its own (the draft's or the order's), `draft_doc` that of the draft an order was
-- submitted from (search finds an order by its draft's words too). A search of the list then
-- joins the full-text hits to the list by integers, without reading each hit's (kind, ref):
-- with 25,000 hits that lookup and the text-keyed membership cost 90 ms a page. The view
-- states the link; a record's first search entry is written after its row (an order's id is
-- known only once it is inserted), so `search::index_record` sets the link it then creates.

DROP VIEW order_list_rows;
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
       d.updated_at AS updated_at,
       (SELECT s.rowid FROM search_docs s WHERE s.kind = 'draft' AND s.ref = d.id) AS doc,
       NULL AS draft_doc
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
       o.last_seen,
       (SELECT s.rowid FROM search_docs s WHERE s.kind = 'order' AND s.ref = CAST(o.id AS TEXT)),
       (SELECT s.rowid FROM search_docs s WHERE s.kind = 'draft' AND s.ref = o.draft_id)
FROM orders o LEFT JOIN drafts d ON d.id = o.draft_id;

ALTER TABLE order_list ADD COLUMN doc INTEGER;
ALTER TABLE order_list ADD COLUMN draft_doc INTEGER;

UPDATE order_list
SET doc = (SELECT s.rowid FROM search_docs s WHERE s.kind = order_list.kind AND s.ref = order_list.ref),
    draft_doc = CASE WHEN kind = 'order' THEN
        (SELECT s.rowid FROM search_docs s WHERE s.kind = 'draft' AND s.ref = order_list.draft_id)
    END;

-- A search counts its rows on this index alone: it holds every column a filter reads.
CREATE INDEX order_list_by_doc ON order_list (doc, state, sync, updated_at, customer_key);
CREATE INDEX order_list_by_draft_doc ON order_list (draft_doc) WHERE draft_doc IS NOT NULL;
