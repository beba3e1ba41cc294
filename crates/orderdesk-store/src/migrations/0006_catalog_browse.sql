-- Schema 6: what browsing the catalog needs, indexed, so nothing has to load the whole
-- catalog: which categories each offering is listed in (an offering's `category` references,
-- kept in step with `catalog_items` by every import and sync) and the offerings in name order.
CREATE TABLE catalog_offering_categories (
    category_id TEXT NOT NULL,
    offering_id TEXT NOT NULL,
    PRIMARY KEY (category_id, offering_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX catalog_offering_categories_by_offering
    ON catalog_offering_categories (offering_id);

-- The order the catalog screen lists offerings in: by name regardless of (ASCII) case, the
-- id for an offering without a name.
CREATE INDEX catalog_items_by_folded_name ON catalog_items (kind, lower(coalesce(name, id)), id);

-- The memberships of the offerings already cached.
INSERT OR IGNORE INTO catalog_offering_categories (category_id, offering_id)
SELECT json_extract(c.value, '$.id'), i.id
  FROM catalog_items i, json_each(i.body, '$.category') c
 WHERE i.kind = 'offering'
   AND json_type(i.body, '$.category') = 'array'
   AND c.type = 'object'
   AND json_type(c.value, '$.id') = 'text';
