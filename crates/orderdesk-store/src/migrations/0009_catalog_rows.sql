-- Schema 9: catalog records in a rowid table. A record's body is hundreds of bytes; in a
-- WITHOUT ROWID table every record lived in the (kind, id) key's b-tree, so an import written
-- in document order (ids in no particular key order, a UUID catalog in none at all) split pages
-- all over a table of hundreds of megabytes. Now the bodies are appended in the order they
-- are written and only the small (kind, id) index is kept in key order. Same columns and
-- constraints; of the indexes, only the one the catalog screen lists by (schema 6): no query
-- reads the plain (kind, name) index, which every import still had to keep in order.
CREATE TABLE catalog_items_rows (
    kind             TEXT NOT NULL CHECK (kind IN ('offering', 'price', 'specification', 'category')),
    id               TEXT NOT NULL,
    name             TEXT,
    version          TEXT,
    lifecycle_status TEXT,
    body             TEXT NOT NULL CHECK (json_valid(body)),
    snapshot_id      INTEGER NOT NULL REFERENCES catalog_snapshots (id),
    UNIQUE (kind, id)
) STRICT;

INSERT INTO catalog_items_rows (kind, id, name, version, lifecycle_status, body, snapshot_id)
SELECT kind, id, name, version, lifecycle_status, body, snapshot_id FROM catalog_items;

DROP TABLE catalog_items;
ALTER TABLE catalog_items_rows RENAME TO catalog_items;
CREATE INDEX catalog_items_by_folded_name ON catalog_items (kind, lower(coalesce(name, id)), id);
