//! The local customer cache of each server profile: customers (TMF629) with full-text search
//! over name, id, phone, e-mail and billing account, where the last customer sync got to, and
//! the installed products (TMF637) of the customers the agent opened or prefetched.
//!
//! The store takes a customer as its listing columns and its raw JSON ([`CachedCustomer`]);
//! reading the TMF shapes is the wire crate's. Search goes through [`crate::search::fts_query`],
//! the one rule for turning typed text into an FTS5 query, and is ranked as every search is
//! (`search::Ranking`).

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row, ToSql};
use serde::Serialize;
use serde_json::Value;

use crate::error::{Result, StoreError};
use crate::model::{ts_parse, ts_text};
use crate::open;
use crate::search::{FtsTable, Ranking};
use crate::store::Store;

/// A customer as the cache keeps it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CachedCustomer {
    pub id: String,
    pub name: String,
    pub status: Option<String>,
    pub phones: Vec<String>,
    pub emails: Vec<String>,
    /// The ids of the customer's (billing) accounts.
    pub accounts: Vec<String>,
    /// `lastUpdate` as the server wrote it, when it keeps one.
    pub last_update: Option<String>,
    /// `version` as the server wrote it, when it keeps one.
    pub version: Option<String>,
    /// The customer as the server sent it.
    pub body: Value,
}

/// A customer found by [`crate::Queries::search_customers`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerHit {
    pub id: String,
    pub name: String,
    pub status: Option<String>,
    pub phones: Vec<String>,
    pub emails: Vec<String>,
    pub accounts: Vec<String>,
}

impl From<CachedCustomer> for CustomerHit {
    /// The listing columns of a cached customer (what a search finds of it).
    fn from(c: CachedCustomer) -> Self {
        CustomerHit {
            id: c.id,
            name: c.name,
            status: c.status,
            phones: c.phones,
            emails: c.emails,
            accounts: c.accounts,
        }
    }
}

/// How a customer sync ends: merge what came (an incremental pull), or make the cache exactly
/// what came (a full pull: customers the server no longer lists are removed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerPull {
    Incremental,
    Full,
}

/// What a customer sync changed in the cache.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerSyncCount {
    /// Customers written (new or changed).
    pub saved: usize,
    /// Customers removed because a full pull no longer listed them.
    pub removed: usize,
    /// Customers in the cache afterwards.
    pub cached: usize,
}

/// The installed products of one customer as last fetched.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedProducts {
    pub fetched_at: DateTime<Utc>,
    /// As the server sent them, in its order.
    pub products: Vec<Value>,
}

/// Most customers a search returns, whatever is asked.
pub const MAX_CUSTOMER_HITS: u32 = 200;

/// Each phone number's digits alone, space separated: `+49 (170) 123-45` is found by
/// `4917012345` as well as by its parts.
fn phone_digits(phones: &[String]) -> String {
    phones
        .iter()
        .map(|p| p.chars().filter(char::is_ascii_digit).collect::<String>())
        .filter(|d| !d.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn to_json<T: Serialize>(value: &T, what: &str) -> Result<String> {
    serde_json::to_string(value)
        .map_err(|err| StoreError::Invalid(format!("cannot encode {what}: {err}")))
}

fn text_list(text: &str) -> rusqlite::Result<Vec<String>> {
    serde_json::from_str(text).map_err(|err| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(err))
    })
}

const HIT_COLUMNS: &str = "c.customer_id, c.name, c.status, c.phones, c.emails, c.accounts";

fn hit_row(row: &Row<'_>) -> rusqlite::Result<CustomerHit> {
    Ok(CustomerHit {
        id: row.get(0)?,
        name: row.get(1)?,
        status: row.get(2)?,
        phones: text_list(&row.get::<_, String>(3)?)?,
        emails: text_list(&row.get::<_, String>(4)?)?,
        accounts: text_list(&row.get::<_, String>(5)?)?,
    })
}

/// The customers of `profile` matching `text` (any text: see [`crate::search::fts_query`]), best first,
/// ranked as [`Ranking`] says. A name match weighs most, then the id, then phone, e-mail and
/// account.
pub(crate) fn search(
    conn: &Connection,
    profile: &str,
    text: &str,
    limit: u32,
) -> Result<Vec<CustomerHit>> {
    let Some(ranking) = Ranking::new(conn, FtsTable::Customers, text)? else {
        return Ok(Vec::new());
    };
    let limit = limit.min(MAX_CUSTOMER_HITS);
    let mut params = ranking.params();
    params.extend([(":profile", &profile as &dyn ToSql), (":limit", &limit)]);
    let hits = conn
        .prepare_cached(&search_sql(&ranking.among_sql(FtsTable::Customers)))?
        .query_map(params.as_slice(), hit_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(hits)
}

/// The customer search statement, with `among` (see [`Ranking::among_sql`]). `CROSS JOIN`
/// keeps the full-text cursor the outer loop, as in [`crate::search`].
fn search_sql(among: &str) -> String {
    format!(
        "SELECT {HIT_COLUMNS}
         FROM customers_fts CROSS JOIN customers c ON c.rowid = customers_fts.rowid
         WHERE customers_fts MATCH :query {among} AND c.profile = :profile
         ORDER BY bm25(customers_fts, 10.0, 5.0, 2.0, 2.0, 2.0, 2.0), c.name
         LIMIT :limit"
    )
}

/// One cached customer with its raw JSON.
pub(crate) fn customer(
    conn: &Connection,
    profile: &str,
    id: &str,
) -> Result<Option<(CustomerHit, Value)>> {
    let found = conn
        .prepare_cached(&format!(
            "SELECT {HIT_COLUMNS}, c.body FROM customers c
             WHERE c.profile = ?1 AND c.customer_id = ?2"
        ))?
        .query_row([profile, id], |row| Ok((hit_row(row)?, row.get::<_, String>(6)?)))
        .optional()?;
    let Some((hit, body)) = found else { return Ok(None) };
    let body = serde_json::from_str(&body)
        .map_err(|err| StoreError::Invalid(format!("cached customer {id}: {err}")))?;
    Ok(Some((hit, body)))
}

/// The ids of the customers cached for `profile`, by id.
pub(crate) fn customer_ids(conn: &Connection, profile: &str) -> Result<Vec<String>> {
    let ids = conn
        .prepare_cached(
            "SELECT customer_id FROM customers WHERE profile = ?1 ORDER BY customer_id",
        )?
        .query_map([profile], |row| row.get(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(ids)
}

/// Where the last customer sync of `profile` got to: `None` when none ran; `Some(None)` when
/// the next one is a full pull.
pub(crate) fn customer_since(conn: &Connection, profile: &str) -> Result<Option<Option<String>>> {
    Ok(conn
        .prepare_cached("SELECT since FROM customer_sync WHERE profile = ?1")?
        .query_row([profile], |row| row.get(0))
        .optional()?)
}

/// The cached products of one customer, `None` when they were never fetched.
pub(crate) fn products(
    conn: &Connection,
    profile: &str,
    customer: &str,
) -> Result<Option<CachedProducts>> {
    let fetched: Option<String> = conn
        .prepare_cached(
            "SELECT fetched_at FROM customer_products_fetched
             WHERE profile = ?1 AND customer_id = ?2",
        )?
        .query_row([profile, customer], |row| row.get(0))
        .optional()?;
    let Some(fetched) = fetched else { return Ok(None) };
    let bodies = conn
        .prepare_cached(
            "SELECT body FROM customer_products WHERE profile = ?1 AND customer_id = ?2
             ORDER BY position",
        )?
        .query_map([profile, customer], |row| row.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let products = bodies
        .iter()
        .map(|text| serde_json::from_str(text))
        .collect::<std::result::Result<Vec<Value>, _>>()
        .map_err(|err| StoreError::Invalid(format!("cached product of {customer}: {err}")))?;
    Ok(Some(CachedProducts { fetched_at: ts_parse(&fetched)?, products }))
}

fn profile_exists(conn: &Connection, profile: &str) -> Result<()> {
    let exists: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM server_profiles WHERE name = ?1)")?
        .query_row([profile], |row| row.get(0))?;
    if exists {
        Ok(())
    } else {
        Err(StoreError::not_found("server profile", profile))
    }
}

impl Store {
    /// Writes what a customer sync of `profile` pulled, in one transaction, and where the
    /// sync got to (`since`: the newest `lastUpdate` when every customer had one, else `None`,
    /// which makes the next sync a full pull). A [`CustomerPull::Full`] pull also removes the
    /// customers it did not list (and their cached products).
    pub fn save_customers(
        &mut self,
        profile: &str,
        customers: &[CachedCustomer],
        pull: CustomerPull,
        since: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<CustomerSyncCount> {
        let tx = open::write_tx(&mut self.conn)?;
        profile_exists(&tx, profile)?;
        let at = ts_text(now);
        let mut count = CustomerSyncCount::default();
        {
            let mut upsert = tx.prepare_cached(
                "INSERT INTO customers (profile, customer_id, name, status, phones, emails,
                                        accounts, phone_digits, last_update, version, body,
                                        synced_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                 ON CONFLICT (profile, customer_id) DO UPDATE SET
                     name = excluded.name, status = excluded.status, phones = excluded.phones,
                     emails = excluded.emails, accounts = excluded.accounts,
                     phone_digits = excluded.phone_digits, last_update = excluded.last_update,
                     version = excluded.version, body = excluded.body,
                     synced_at = excluded.synced_at",
            )?;
            for c in customers {
                if c.id.is_empty() {
                    continue;
                }
                upsert.execute(params![
                    profile,
                    c.id,
                    c.name,
                    c.status,
                    to_json(&c.phones, "phones")?,
                    to_json(&c.emails, "e-mails")?,
                    to_json(&c.accounts, "accounts")?,
                    phone_digits(&c.phones),
                    c.last_update,
                    c.version,
                    to_json(&c.body, "a customer")?,
                    at
                ])?;
                count.saved = count.saved.saturating_add(1);
            }
        }
        if pull == CustomerPull::Full {
            // Every customer the pull listed was stamped with `at` above.
            let removed: Vec<String> = tx
                .prepare_cached(
                    "DELETE FROM customers WHERE profile = ?1 AND synced_at <> ?2
                     RETURNING customer_id",
                )?
                .query_map([profile, at.as_str()], |row| row.get(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            for id in &removed {
                tx.prepare_cached(
                    "DELETE FROM customer_products_fetched WHERE profile = ?1 AND customer_id = ?2",
                )?
                .execute([profile, id.as_str()])?;
            }
            count.removed = removed.len();
        }
        tx.prepare_cached(
            "INSERT INTO customer_sync (profile, since, synced_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (profile) DO UPDATE SET since = excluded.since,
                                                 synced_at = excluded.synced_at",
        )?
        .execute(params![profile, since, at])?;
        count.cached = tx
            .prepare_cached("SELECT count(*) FROM customers WHERE profile = ?1")?
            .query_row([profile], |row| row.get::<_, i64>(0))
            .map(|n| usize::try_from(n).unwrap_or(0))?;
        tx.commit()?;
        Ok(count)
    }

    /// Caches one customer read on its own (the agent opened it), leaving the sync point alone.
    pub fn save_customer(
        &mut self,
        profile: &str,
        customer: &CachedCustomer,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let since = customer_since(&self.conn, profile)?.flatten();
        // An incremental save of one keeps the sync point where it was.
        self.save_customers(
            profile,
            std::slice::from_ref(customer),
            CustomerPull::Incremental,
            since.as_deref(),
            now,
        )
        .map(|_| ())
    }

    /// Replaces the cached products of one customer with what the server listed.
    pub fn save_products(
        &mut self,
        profile: &str,
        customer: &str,
        products: &[Value],
        now: DateTime<Utc>,
    ) -> Result<()> {
        if customer.is_empty() {
            return Err(StoreError::Invalid("a customer id is needed".into()));
        }
        let tx = open::write_tx(&mut self.conn)?;
        profile_exists(&tx, profile)?;
        // Deleting the fetch record removes the products with it (foreign key cascade).
        tx.prepare_cached(
            "DELETE FROM customer_products_fetched WHERE profile = ?1 AND customer_id = ?2",
        )?
        .execute([profile, customer])?;
        tx.prepare_cached(
            "INSERT INTO customer_products_fetched (profile, customer_id, fetched_at)
             VALUES (?1, ?2, ?3)",
        )?
        .execute(params![profile, customer, ts_text(now)])?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO customer_products (profile, customer_id, position, product_id, body)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for (position, product) in products.iter().enumerate() {
                let id = match product.get("id") {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Number(n)) => n.to_string(),
                    _ => String::new(),
                };
                let position = i64::try_from(position)
                    .map_err(|_| StoreError::Invalid("too many products".into()))?;
                insert.execute(params![
                    profile,
                    customer,
                    position,
                    id,
                    to_json(product, "a product")?
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::ToSql;

    use super::{phone_digits, search_sql};
    use crate::query::Queries;
    use crate::search::{assert_fts_drives, Among, FtsTable, Ranking};
    use crate::Store;

    #[test]
    fn the_full_text_cursor_drives_the_customer_search() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path().join("customers.db")).expect("open");
        let narrowed = Ranking {
            query: "\"zebra\"*".into(),
            among: Some(Among { first: 3, last: 9, json: "[3,9]".into() }),
        };
        let one_step = Ranking { query: "\"plan\" \"zebra\"*".into(), among: None };
        for ranking in [&narrowed, &one_step] {
            let mut params = ranking.params();
            params.extend([(":profile", &"lab" as &dyn ToSql), (":limit", &20)]);
            let sql = search_sql(&ranking.among_sql(FtsTable::Customers));
            let conn = store.connection();
            assert_fts_drives(conn, &sql, &params, ranking, FtsTable::Customers, "c", "customers");
        }
    }

    #[test]
    fn phone_digits_keep_only_digits() {
        let phones = vec!["+49 (170) 123-45".to_owned(), "n/a".to_owned(), "0301".to_owned()];
        assert_eq!(phone_digits(&phones), "4917012345 0301");
    }
}
