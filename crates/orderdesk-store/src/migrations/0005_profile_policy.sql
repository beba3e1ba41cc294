-- Schema 5: what a server profile rules for its agents (the discount policy and the
-- cancellation reasons, `orderdesk_core::ProfilePolicy` as JSON). NULL: none set, the defaults
-- apply. Kept apart from the connection columns: saving a profile's connection never
-- changes its policy.
ALTER TABLE server_profiles ADD COLUMN policy TEXT;

-- The audit log records a discount's approval (`discount-approved`: who approved, with which
-- code). SQLite cannot change a CHECK constraint, so the table is rebuilt with the same rows,
-- ids, index and append-only triggers.
DROP TRIGGER audit_no_update;
DROP TRIGGER audit_no_delete;
CREATE TABLE audit_next (
    id         INTEGER PRIMARY KEY,
    subject    TEXT NOT NULL CHECK (subject IN ('draft', 'order')),
    subject_id TEXT NOT NULL,
    event      TEXT NOT NULL CHECK (event IN ('created', 'edited', 'restored', 'deleted', 'submitted',
                                              'state-changed', 'cancel-requested',
                                              'amend-requested', 'amended', 'discount-approved')),
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    detail     TEXT,
    state      TEXT
) STRICT;
INSERT INTO audit_next (id, subject, subject_id, event, at, actor, detail, state)
SELECT id, subject, subject_id, event, at, actor, detail, state FROM audit;
DROP TABLE audit;
ALTER TABLE audit_next RENAME TO audit;
CREATE INDEX audit_by_subject ON audit (subject, subject_id, id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
