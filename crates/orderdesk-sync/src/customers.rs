//! Customer sync (TMF629) into the store's customer cache, and the installed products (TMF637)
//! of the customers the agent opens or prefetches.
//!
//! A sync is incremental where the server allows: once a sync saw a `lastUpdate` on every
//! customer, the next one asks only for those changed after the newest (`lastUpdate.gt`) and
//! merges them. Otherwise (the first sync, a server without `lastUpdate`, or on request) it is
//! a full pull that makes the cache exactly what the server listed, removing customers it no
//! longer lists. Either reads the whole list or fails (the client's list reading, with its
//! bounds), so the cache is never replaced by a list cut short.
//!
//! Reading one customer or their products asks the server and refreshes the cache; when the
//! server cannot answer now ([`ClientError::is_transient`]) the cache answers, saying so.
//! Creating a customer needs the server; the one it made is cached at once.

use chrono::{DateTime, Utc};
use orderdesk_client::ClientError;
use orderdesk_store::{
    CachedCustomer, CustomerHit, CustomerPull, CustomerSyncCount, Queries, MAX_CUSTOMER_HITS,
};
use orderdesk_wire::Version;
use serde::Serialize;
use serde_json::Value;

use crate::engine::SyncEngine;
use crate::error::{Result, SyncError};
use crate::profiles;

/// What a customer sync did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerSyncReport {
    pub profile: String,
    /// `full` or `incremental`.
    pub mode: &'static str,
    /// Customers the server listed.
    pub received: usize,
    #[serde(flatten)]
    pub count: CustomerSyncCount,
    /// With `--products`: customers whose products were fetched, and the products cached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub products: Option<ProductPrefetch>,
}

/// What prefetching every cached customer's products did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductPrefetch {
    pub customers: usize,
    pub products: usize,
}

/// Something read from the server, or from the cache when the server could not answer now.
#[derive(Debug, Clone, PartialEq)]
pub struct Fetched<T> {
    pub value: T,
    /// Why the cache answered (the server's or the network's error); `None` when the server
    /// did.
    pub stale: Option<String>,
    /// When the cached answer was fetched from the server, when the cache knows it.
    pub cached_at: Option<DateTime<Utc>>,
}

/// A customer as the cache keeps it, read from a server's JSON of either version; `None`
/// without an id.
pub fn cached_customer(raw: &Value) -> Option<CachedCustomer> {
    let c = orderdesk_wire::inventory::read_customer(raw)?;
    let version = match raw.get("version") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    Some(CachedCustomer {
        id: c.id,
        name: c.name,
        status: c.status,
        phones: c.phones,
        emails: c.emails,
        accounts: c.accounts.into_iter().map(|a| a.id).collect(),
        last_update: c.last_update,
        version,
        body: raw.clone(),
    })
}

/// The `lastUpdate` the next sync asks after: the newest of `previous` and those listed, as
/// the server wrote it, or `None` (the next sync is a full one) when a customer carried no
/// `lastUpdate` that reads as an instant.
fn next_since(previous: Option<&str>, customers: &[CachedCustomer]) -> Option<String> {
    let instant = |text: &str| orderdesk_wire::instant_of(Some(&Value::String(text.to_owned())));
    let mut newest = previous.and_then(|p| Some((instant(p)?, p)));
    for c in customers {
        let text = c.last_update.as_deref()?;
        let at = instant(text)?;
        if newest.is_none_or(|(n, _)| at > n) {
            newest = Some((at, text));
        }
    }
    newest.map(|(_, text)| text.to_owned())
}

fn stale_or<T>(err: ClientError, cached: Option<(T, Option<DateTime<Utc>>)>) -> Result<Fetched<T>> {
    match cached {
        Some((value, cached_at)) if err.is_transient() => {
            Ok(Fetched { value, stale: Some(err.to_string()), cached_at })
        }
        _ => Err(err.into()),
    }
}

impl SyncEngine {
    /// The active profile's name.
    async fn active_name(&self) -> Result<String> {
        self.with_store(|s| profiles::active_name(s)?.ok_or(SyncError::NoProfile)).await
    }

    /// Syncs the active profile's customers into the cache (incremental where possible, see
    /// the module; `full` forces a full pull); with `products`, then fetches every cached
    /// customer's installed products too, for days without the server.
    pub async fn sync_customers(&self, full: bool, products: bool) -> Result<CustomerSyncReport> {
        let profile = self.active_name().await?;
        let client = self.client(&profile).await?;
        let name = profile.clone();
        let since = if full {
            None
        } else {
            self.with_store(move |s| Ok(s.customer_since(&name)?.flatten())).await?
        };
        let raw = client.customers_since(since.as_deref()).await?;
        let customers: Vec<CachedCustomer> = raw.iter().filter_map(cached_customer).collect();
        let pull = if since.is_some() { CustomerPull::Incremental } else { CustomerPull::Full };
        let next = next_since(since.as_deref(), &customers);
        let name = profile.clone();
        let received = customers.len();
        let count = self
            .with_store(move |s| {
                Ok(s.save_customers(&name, &customers, pull, next.as_deref(), Utc::now())?)
            })
            .await?;
        let mut report = CustomerSyncReport {
            profile: profile.clone(),
            mode: if pull == CustomerPull::Full { "full" } else { "incremental" },
            received,
            count,
            products: None,
        };
        if products {
            let name = profile.clone();
            let ids = self.with_store(move |s| Ok(s.cached_customer_ids(&name)?)).await?;
            let mut prefetch = ProductPrefetch::default();
            for id in ids {
                let list = self.fetch_products(&profile, &id).await?;
                prefetch.customers = prefetch.customers.saturating_add(1);
                prefetch.products = prefetch.products.saturating_add(list.len());
            }
            report.products = Some(prefetch);
        }
        Ok(report)
    }

    /// The active profile's cached customers matching `text` (name, id, phone, e-mail,
    /// account; any text), best first. Never asks the server.
    pub async fn search_customers(&self, text: String, limit: u32) -> Result<Vec<CustomerHit>> {
        let profile = self.active_name().await?;
        let limit = limit.min(MAX_CUSTOMER_HITS);
        self.with_store(move |s| Ok(s.search_customers(&profile, &text, limit)?)).await
    }

    /// A customer of the active profile's server, refreshed in the cache; the cached one when
    /// the server cannot answer now.
    pub async fn customer(&self, id: &str) -> Result<Fetched<CachedCustomer>> {
        let profile = self.active_name().await?;
        let (name, owned) = (profile.clone(), id.to_owned());
        let cached = self
            .with_store(move |s| Ok(s.cached_customer(&name, &owned)?))
            .await?
            .map(|(_, body)| body);
        let client = self.client(&profile).await?;
        let raw = match client.get_customer(id).await {
            Ok(raw) => raw,
            Err(err) => {
                return stale_or(err, cached.as_ref().and_then(cached_customer).map(|c| (c, None)));
            }
        };
        let customer = cached_customer(&raw)
            .ok_or_else(|| SyncError::Invalid(format!("the server's customer {id} has no id")))?;
        let saved = customer.clone();
        self.with_store(move |s| Ok(s.save_customer(&profile, &saved, Utc::now())?)).await?;
        Ok(Fetched { value: customer, stale: None, cached_at: None })
    }

    /// Creates a customer on the active profile's server from the body `make` builds in the
    /// server's version, and caches what the server answered (as [`SyncEngine::customer`]
    /// caches a customer it reads), so the cache's search finds the customer at once.
    /// `idempotency_key` goes with the request; when its outcome is unknown it is sent once
    /// more with the same key and body, which a server that honours the key answers with the
    /// customer it already made. Nothing is cached unless the server answered with one.
    pub async fn create_customer(
        &self,
        make: impl FnOnce(Version) -> Value,
        idempotency_key: &str,
    ) -> Result<CachedCustomer> {
        let profile = self.active_name().await?;
        let client = self.client(&profile).await?;
        let body = make(client.version().await?);
        let raw = match client.create_customer(&body, idempotency_key).await {
            Err(err) if err.outcome_unknown() => {
                client.create_customer(&body, idempotency_key).await?
            }
            other => other?,
        };
        let customer = cached_customer(&raw).ok_or_else(|| {
            SyncError::Invalid("the server's answer to creating a customer has no id".into())
        })?;
        let saved = customer.clone();
        self.with_store(move |s| Ok(s.save_customer(&profile, &saved, Utc::now())?)).await?;
        Ok(customer)
    }

    /// The installed products of a customer of the active profile's server, as the server
    /// lists them, refreshed in the cache; the cached ones when the server cannot answer now.
    pub async fn customer_products(&self, customer: &str) -> Result<Fetched<Vec<Value>>> {
        let profile = self.active_name().await?;
        match self.fetch_products(&profile, customer).await {
            Ok(value) => Ok(Fetched { value, stale: None, cached_at: None }),
            Err(SyncError::Client(err)) => {
                let (name, owned) = (profile, customer.to_owned());
                let cached = self
                    .with_store(move |s| Ok(s.cached_products(&name, &owned)?))
                    .await?
                    .map(|c| (c.products, Some(c.fetched_at)));
                stale_or(err, cached)
            }
            Err(other) => Err(other),
        }
    }

    /// Lists a customer's products on the server and caches them.
    async fn fetch_products(&self, profile: &str, customer: &str) -> Result<Vec<Value>> {
        let client = self.client(profile).await?;
        let list = client.list_customer_products(customer).await?;
        let (name, owned, saved) = (profile.to_owned(), customer.to_owned(), list.clone());
        self.with_store(move |s| Ok(s.save_products(&name, &owned, &saved, Utc::now())?)).await?;
        Ok(list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn with_update(at: Option<&str>) -> CachedCustomer {
        let mut raw = json!({"id": "C-1", "name": "Ada"});
        if let Some(at) = at {
            raw["lastUpdate"] = json!(at);
        }
        cached_customer(&raw).expect("a customer")
    }

    #[test]
    fn the_sync_point_is_the_newest_update_or_none() {
        let a = with_update(Some("2026-01-02T00:00:00Z"));
        let b = with_update(Some("2026-01-03T00:00:00.500+01:00"));
        assert_eq!(
            next_since(None, &[a.clone(), b]).as_deref(),
            Some("2026-01-03T00:00:00.500+01:00")
        );
        assert_eq!(
            next_since(Some("2026-05-01T00:00:00Z"), std::slice::from_ref(&a)).as_deref(),
            Some("2026-05-01T00:00:00Z")
        );
        assert_eq!(next_since(None, &[a, with_update(None)]), None);
        assert_eq!(next_since(None, &[with_update(Some("yesterday"))]), None);
        assert_eq!(
            next_since(Some("2026-05-01T00:00:00Z"), &[]).as_deref(),
            Some("2026-05-01T00:00:00Z")
        );
    }

    #[test]
    fn customers_without_an_id_are_not_cached() {
        assert!(cached_customer(&json!({"name": "nobody"})).is_none());
        let c = cached_customer(&json!({"id": 7, "name": "Num", "version": 3})).expect("c");
        assert_eq!((c.id.as_str(), c.version.as_deref()), ("7", Some("3")));
    }
}
