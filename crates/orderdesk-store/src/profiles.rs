//! Server profiles (how to reach a server; never a secret), which one is active, the catalog
//! sync point of each, and the hub listener registered on each.
//!
//! At most one profile is active: the schema's unique index on the `active` flag refuses a
//! second one, and [`Store::set_active_profile`] moves the flag in one transaction.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use orderdesk_core::ProfilePolicy;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;

use crate::error::{Result, StoreError};
use crate::model::{text_enum, ts_parse, ts_text, Version, VersionColumn};
use crate::open;
use crate::store::Store;

/// The column form of a profile's version: the wire crate's [`Version`] by its name, or
/// `auto` for a version detected on first contact.
#[derive(Debug, Clone, Copy)]
struct ProfileVersionColumn(Option<Version>);

const AUTO_VERSION: &str = "auto";

impl rusqlite::types::ToSql for ProfileVersionColumn {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.0.map_or(AUTO_VERSION, Version::as_str).into())
    }
}

impl rusqlite::types::FromSql for ProfileVersionColumn {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        if value.as_str()? == AUTO_VERSION {
            return Ok(ProfileVersionColumn(None));
        }
        VersionColumn::column_result(value).map(|v| ProfileVersionColumn(Some(v.0)))
    }
}

text_enum!(
    /// How requests to a server are authenticated. The secret itself is never stored here.
    AuthMode { None => "none", Bearer => "bearer", OAuth2 => "oauth2", Headers => "headers" }
);

/// How to reach one TMF622 server (and its TMF620 catalog). Never holds a secret: tokens and
/// client secrets belong in the OS keychain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerProfile {
    pub name: String,
    pub order_url: String,
    pub catalog_url: Option<String>,
    /// The TMF629 root; `None`: derived from the order root.
    pub customer_url: Option<String>,
    /// The TMF637 root; `None`: derived from the order root.
    pub inventory_url: Option<String>,
    /// The TMF622 version the profile speaks; `None` when it is detected on first contact
    /// (`auto`).
    pub version: Option<Version>,
    /// What `auto` detected on first contact.
    pub detected_version: Option<Version>,
    pub business_id: Option<String>,
    /// Extra headers sent with every request (never secrets).
    pub headers: BTreeMap<String, String>,
    pub auth_mode: AuthMode,
    /// OAuth2 and `headers` modes only (and required there).
    pub auth_client_id: Option<String>,
    /// OAuth2 only (and required there).
    pub auth_token_url: Option<String>,
    /// OAuth2 only.
    pub auth_scope: Option<String>,
    pub timeout_ms: u64,
    pub connect_timeout_ms: u64,
    /// A PEM file with extra root certificates.
    pub ca_cert: Option<String>,
    pub page_size: u32,
}

/// The listener a server notifies of order events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HubSubscription {
    pub profile: String,
    /// The listener's id on the server.
    pub hub_id: String,
    /// Where the server sends events; `None` for a listener registered before the store kept it.
    pub callback: Option<String>,
    /// `None` likewise.
    pub registered_at: Option<DateTime<Utc>>,
}

const PROFILE_COLUMNS: &str = "name, order_url, catalog_url, version, detected_version, \
     business_id, auth_mode, auth_client_id, auth_token_url, auth_scope, timeout_ms, \
     connect_timeout_ms, ca_cert, page_size, customer_url, inventory_url";

fn column_error(
    index: usize,
    err: impl std::error::Error + Send + Sync + 'static,
) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Integer, Box::new(err))
}

fn profile_row(row: &Row<'_>) -> rusqlite::Result<ServerProfile> {
    Ok(ServerProfile {
        name: row.get(0)?,
        order_url: row.get(1)?,
        catalog_url: row.get(2)?,
        version: row.get::<_, ProfileVersionColumn>(3)?.0,
        detected_version: row.get::<_, Option<VersionColumn>>(4)?.map(|v| v.0),
        business_id: row.get(5)?,
        headers: BTreeMap::new(),
        auth_mode: row.get(6)?,
        auth_client_id: row.get(7)?,
        auth_token_url: row.get(8)?,
        auth_scope: row.get(9)?,
        timeout_ms: u64::try_from(row.get::<_, i64>(10)?).map_err(|e| column_error(10, e))?,
        connect_timeout_ms: u64::try_from(row.get::<_, i64>(11)?)
            .map_err(|e| column_error(11, e))?,
        ca_cert: row.get(12)?,
        page_size: u32::try_from(row.get::<_, i64>(13)?).map_err(|e| column_error(13, e))?,
        customer_url: row.get(14)?,
        inventory_url: row.get(15)?,
    })
}

/// The headers of one profile (`Some(name)`) or of all, as (profile, name, value).
fn headers(conn: &Connection, profile: Option<&str>) -> Result<Vec<(String, String, String)>> {
    let rows = conn
        .prepare_cached(
            "SELECT profile, name, value FROM server_profile_headers
             WHERE ?1 IS NULL OR profile = ?1 ORDER BY profile, name",
        )?
        .query_map([profile], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Every server profile, by name.
pub(crate) fn profiles(conn: &Connection) -> Result<Vec<ServerProfile>> {
    let mut all = conn
        .prepare_cached(&format!("SELECT {PROFILE_COLUMNS} FROM server_profiles ORDER BY name"))?
        .query_map([], profile_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (profile, name, value) in headers(conn, None)? {
        if let Some(p) = all.iter_mut().find(|p| p.name == profile) {
            p.headers.insert(name, value);
        }
    }
    Ok(all)
}

/// One server profile.
pub(crate) fn profile(conn: &Connection, name: &str) -> Result<Option<ServerProfile>> {
    let found = conn
        .prepare_cached(&format!("SELECT {PROFILE_COLUMNS} FROM server_profiles WHERE name = ?1"))?
        .query_row([name], profile_row)
        .optional()?;
    let Some(mut found) = found else { return Ok(None) };
    found.headers = headers(conn, Some(name))?.into_iter().map(|(_, k, v)| (k, v)).collect();
    Ok(Some(found))
}

/// The name of the active profile.
pub(crate) fn active_profile(conn: &Connection) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT name FROM server_profiles WHERE active = 1")?
        .query_row([], |row| row.get(0))
        .optional()?)
}

/// Where the last catalog sync of a profile got to.
pub(crate) fn catalog_since(conn: &Connection, name: &str) -> Result<Option<DateTime<Utc>>> {
    let text: Option<Option<String>> = conn
        .prepare_cached("SELECT catalog_since FROM server_profiles WHERE name = ?1")?
        .query_row([name], |row| row.get(0))
        .optional()?;
    match text {
        None => Err(StoreError::not_found("server profile", name)),
        Some(None) => Ok(None),
        Some(Some(text)) => Ok(Some(ts_parse(&text)?)),
    }
}

/// What profile `name` rules ([`ProfilePolicy`]); the defaults when none was set.
pub(crate) fn profile_policy(conn: &Connection, name: &str) -> Result<ProfilePolicy> {
    let text: Option<Option<String>> = conn
        .prepare_cached("SELECT policy FROM server_profiles WHERE name = ?1")?
        .query_row([name], |row| row.get(0))
        .optional()?;
    match text {
        None => Err(StoreError::not_found("server profile", name)),
        Some(None) => Ok(ProfilePolicy::default()),
        Some(Some(text)) => serde_json::from_str(&text).map_err(|e| {
            StoreError::Invalid(format!(
                "the policy stored for profile {name:?} cannot be read: {e}"
            ))
        }),
    }
}

/// The hub listener registered on a profile.
pub(crate) fn hub_subscription(
    conn: &Connection,
    profile: &str,
) -> Result<Option<HubSubscription>> {
    let found = conn
        .prepare_cached(
            "SELECT profile, hub_id, callback, registered_at FROM hub_subscriptions
             WHERE profile = ?1",
        )?
        .query_row([profile], |row| {
            Ok(HubSubscription {
                profile: row.get(0)?,
                hub_id: row.get(1)?,
                callback: row.get(2)?,
                registered_at: row
                    .get::<_, Option<String>>(3)?
                    .map(|text| ts_parse(&text))
                    .transpose()?,
            })
        })
        .optional()?;
    Ok(found)
}

fn to_column(value: u64, what: &str) -> Result<i64> {
    i64::try_from(value).map_err(|_| StoreError::Invalid(format!("{what} {value} is too large")))
}

impl Store {
    /// Create or replace a server profile (its headers included). Whether it is the active
    /// one does not change, except that a profile saved while none is active becomes active.
    pub fn save_profile(&mut self, profile: &ServerProfile) -> Result<()> {
        if profile.name.trim().is_empty() {
            return Err(StoreError::Invalid("a server profile needs a name".into()));
        }
        let timeout = to_column(profile.timeout_ms, "the timeout")?;
        let connect_timeout = to_column(profile.connect_timeout_ms, "the connect timeout")?;
        let tx = open::write_tx(&mut self.conn)?;
        tx.prepare_cached(
            "INSERT INTO server_profiles (name, order_url, catalog_url, version, detected_version,
                                          business_id, auth_mode, auth_client_id, auth_token_url,
                                          auth_scope, timeout_ms, connect_timeout_ms, ca_cert,
                                          page_size, customer_url, inventory_url, active)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                     NOT EXISTS (SELECT 1 FROM server_profiles WHERE active = 1))
             ON CONFLICT (name) DO UPDATE SET
                 order_url = excluded.order_url, catalog_url = excluded.catalog_url,
                 version = excluded.version, detected_version = excluded.detected_version,
                 business_id = excluded.business_id, auth_mode = excluded.auth_mode,
                 auth_client_id = excluded.auth_client_id, auth_token_url = excluded.auth_token_url,
                 auth_scope = excluded.auth_scope, timeout_ms = excluded.timeout_ms,
                 connect_timeout_ms = excluded.connect_timeout_ms, ca_cert = excluded.ca_cert,
                 page_size = excluded.page_size, customer_url = excluded.customer_url,
                 inventory_url = excluded.inventory_url,
                 active = active OR NOT EXISTS (SELECT 1 FROM server_profiles WHERE active = 1)",
        )?
        .execute(params![
            profile.name,
            profile.order_url,
            profile.catalog_url,
            ProfileVersionColumn(profile.version),
            profile.detected_version.map(VersionColumn),
            profile.business_id,
            profile.auth_mode,
            profile.auth_client_id,
            profile.auth_token_url,
            profile.auth_scope,
            timeout,
            connect_timeout,
            profile.ca_cert,
            profile.page_size,
            profile.customer_url,
            profile.inventory_url
        ])?;
        tx.execute("DELETE FROM server_profile_headers WHERE profile = ?1", [&profile.name])?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO server_profile_headers (profile, name, value) VALUES (?1, ?2, ?3)",
            )?;
            for (name, value) in &profile.headers {
                insert.execute(params![profile.name, name, value])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Remove a server profile, with its headers and hub listener record. Orders and outbox
    /// entries keep naming it.
    pub fn delete_profile(&mut self, name: &str) -> Result<()> {
        let tx = open::write_tx(&mut self.conn)?;
        if tx.execute("DELETE FROM server_profiles WHERE name = ?1", [name])? == 0 {
            return Err(StoreError::not_found("server profile", name));
        }
        tx.commit()?;
        Ok(())
    }

    /// Make `name` the active profile (the one used when none is named).
    pub fn set_active_profile(&mut self, name: &str) -> Result<()> {
        let tx = open::write_tx(&mut self.conn)?;
        // Cleared first: the unique index is checked row by row, not at the end.
        tx.execute(
            "UPDATE server_profiles SET active = 0 WHERE active = 1 AND name <> ?1",
            [name],
        )?;
        if tx.execute("UPDATE server_profiles SET active = 1 WHERE name = ?1", [name])? == 0 {
            return Err(StoreError::not_found("server profile", name));
        }
        tx.commit()?;
        Ok(())
    }

    /// Set what profile `name` rules (checked with [`ProfilePolicy::check`] first). Saving the
    /// profile's connection ([`Store::save_profile`]) leaves it as it is.
    pub fn set_profile_policy(&mut self, name: &str, policy: &ProfilePolicy) -> Result<()> {
        policy.check().map_err(|e| StoreError::Invalid(format!("the policy: {e}")))?;
        let text = serde_json::to_string(policy)
            .map_err(|e| StoreError::Invalid(format!("the policy: {e}")))?;
        let tx = open::write_tx(&mut self.conn)?;
        if tx.execute(
            "UPDATE server_profiles SET policy = ?2 WHERE name = ?1",
            params![name, text],
        )? == 0
        {
            return Err(StoreError::not_found("server profile", name));
        }
        tx.commit()?;
        Ok(())
    }

    /// Record where a catalog sync of profile `name` got to.
    pub fn set_catalog_since(&mut self, name: &str, since: DateTime<Utc>) -> Result<()> {
        let tx = open::write_tx(&mut self.conn)?;
        let changed = tx.execute(
            "UPDATE server_profiles SET catalog_since = ?2 WHERE name = ?1",
            params![name, ts_text(since)],
        )?;
        if changed == 0 {
            return Err(StoreError::not_found("server profile", name));
        }
        tx.commit()?;
        Ok(())
    }

    /// Record the hub listener registered on a profile (replacing an earlier one).
    pub fn save_hub_subscription(&mut self, subscription: &HubSubscription) -> Result<()> {
        let tx = open::write_tx(&mut self.conn)?;
        let saved = tx.execute(
            "INSERT INTO hub_subscriptions (profile, hub_id, callback, registered_at)
             SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM server_profiles WHERE name = ?1)
             ON CONFLICT (profile) DO UPDATE SET
                 hub_id = excluded.hub_id, callback = excluded.callback,
                 registered_at = excluded.registered_at",
            params![
                subscription.profile,
                subscription.hub_id,
                subscription.callback,
                subscription.registered_at.map(ts_text)
            ],
        )?;
        if saved == 0 {
            return Err(StoreError::not_found("server profile", subscription.profile.clone()));
        }
        tx.commit()?;
        Ok(())
    }

    /// Forget the hub listener of a profile (none recorded is fine).
    pub fn delete_hub_subscription(&mut self, profile: &str) -> Result<()> {
        let tx = open::write_tx(&mut self.conn)?;
        tx.execute("DELETE FROM hub_subscriptions WHERE profile = ?1", [profile])?;
        tx.commit()?;
        Ok(())
    }
}
