-- Schema 4: where a profile's customers and inventory are, and the local customer cache.

-- TMF629 and TMF637 roots of their own; NULL: derived from the order root.
ALTER TABLE server_profiles ADD COLUMN customer_url TEXT;
ALTER TABLE server_profiles ADD COLUMN inventory_url TEXT;

-- The customers of a profile's server as the last sync saw them. The lists (`phones`,
-- `emails`, `accounts`) are JSON arrays of text; `phone_digits` holds each phone number's
-- digits alone, so a number is found however it was written.
CREATE TABLE customers (
    rowid        INTEGER PRIMARY KEY,
    profile      TEXT NOT NULL REFERENCES server_profiles (name) ON DELETE CASCADE ON UPDATE CASCADE,
    customer_id  TEXT NOT NULL CHECK (length(customer_id) > 0),
    name         TEXT NOT NULL,
    status       TEXT,
    phones       TEXT NOT NULL CHECK (json_valid(phones)),
    emails       TEXT NOT NULL CHECK (json_valid(emails)),
    accounts     TEXT NOT NULL CHECK (json_valid(accounts)),
    phone_digits TEXT NOT NULL,
    last_update  TEXT,
    version      TEXT,
    body         TEXT NOT NULL,
    synced_at    TEXT NOT NULL,
    UNIQUE (profile, customer_id)
) STRICT;

-- Full text over name, id, phone, e-mail and billing account, kept in step by the triggers.
CREATE VIRTUAL TABLE customers_fts USING fts5 (
    name, customer_id, phones, emails, accounts, phone_digits,
    content = 'customers', content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER customers_ai AFTER INSERT ON customers BEGIN
    INSERT INTO customers_fts (rowid, name, customer_id, phones, emails, accounts, phone_digits)
    VALUES (new.rowid, new.name, new.customer_id, new.phones, new.emails, new.accounts, new.phone_digits);
END;
CREATE TRIGGER customers_ad AFTER DELETE ON customers BEGIN
    INSERT INTO customers_fts (customers_fts, rowid, name, customer_id, phones, emails, accounts, phone_digits)
    VALUES ('delete', old.rowid, old.name, old.customer_id, old.phones, old.emails, old.accounts, old.phone_digits);
END;
CREATE TRIGGER customers_au AFTER UPDATE ON customers BEGIN
    INSERT INTO customers_fts (customers_fts, rowid, name, customer_id, phones, emails, accounts, phone_digits)
    VALUES ('delete', old.rowid, old.name, old.customer_id, old.phones, old.emails, old.accounts, old.phone_digits);
    INSERT INTO customers_fts (rowid, name, customer_id, phones, emails, accounts, phone_digits)
    VALUES (new.rowid, new.name, new.customer_id, new.phones, new.emails, new.accounts, new.phone_digits);
END;

-- Where a profile's customer sync got to: `since` is the newest `lastUpdate` of a sync in
-- which every customer carried one (the next sync asks only for later changes); NULL makes
-- the next sync a full pull.
CREATE TABLE customer_sync (
    profile   TEXT PRIMARY KEY REFERENCES server_profiles (name) ON DELETE CASCADE ON UPDATE CASCADE,
    since     TEXT,
    synced_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- The installed products (TMF637) of a customer, as last fetched, in the server's order.
CREATE TABLE customer_products_fetched (
    profile     TEXT NOT NULL REFERENCES server_profiles (name) ON DELETE CASCADE ON UPDATE CASCADE,
    customer_id TEXT NOT NULL CHECK (length(customer_id) > 0),
    fetched_at  TEXT NOT NULL,
    PRIMARY KEY (profile, customer_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE customer_products (
    profile     TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    position    INTEGER NOT NULL CHECK (position >= 0),
    product_id  TEXT NOT NULL,
    body        TEXT NOT NULL,
    PRIMARY KEY (profile, customer_id, position),
    FOREIGN KEY (profile, customer_id) REFERENCES customer_products_fetched (profile, customer_id)
        ON DELETE CASCADE ON UPDATE CASCADE
) STRICT, WITHOUT ROWID;
