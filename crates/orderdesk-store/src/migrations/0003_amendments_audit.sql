-- Schema 3: an order's audit log records amendments (asked for by the agent, applied by the
-- server), so the order's timeline shows them, and a discount's approval (`discount-approved`:
-- who approved, with which code). SQLite cannot change a CHECK constraint in
-- place: the table is rebuilt with the same rows, index and append-only triggers.

CREATE TABLE audit_new (
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
INSERT INTO audit_new (id, subject, subject_id, event, at, actor, detail, state)
SELECT id, subject, subject_id, event, at, actor, detail, state FROM audit;
DROP TABLE audit;
ALTER TABLE audit_new RENAME TO audit;
CREATE INDEX audit_by_subject ON audit (subject, subject_id, id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
