-- The catalog picker's shortcuts: the agent's favourite offerings, and the offerings most
-- recently added to a draft (recorded by the revision that added them, in its transaction).
-- Offerings are named by id: a catalog refresh replaces the catalog under them, and one that
-- left the catalog is simply not shown.
CREATE TABLE favourite_offerings (
    offering_id TEXT PRIMARY KEY NOT NULL,
    added_at    TEXT NOT NULL
);

CREATE TABLE recent_offerings (
    offering_id TEXT PRIMARY KEY NOT NULL,
    used_at     TEXT NOT NULL
);
CREATE INDEX recent_offerings_by_use ON recent_offerings (used_at DESC);
