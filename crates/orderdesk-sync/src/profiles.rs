//! Server profiles as the client knows them ([`Profile`]), kept in the store's
//! `server_profiles` table (connection details only, never a secret), and the active one.

use std::collections::BTreeMap;
use std::path::PathBuf;

use orderdesk_client::{AuthConfig, Profile, VersionChoice};
use orderdesk_core::ProfilePolicy;
use orderdesk_store::{AuthMode, Queries, ServerProfile, Store, StoreError};

use crate::error::{Result, SyncError};

/// The store's record of a profile.
fn record(profile: &Profile) -> Result<ServerProfile> {
    let (auth_mode, auth_client_id, auth_token_url, auth_scope) = match &profile.auth {
        AuthConfig::None => (AuthMode::None, None, None, None),
        AuthConfig::Bearer => (AuthMode::Bearer, None, None, None),
        AuthConfig::OAuth2 { token_url, client_id, scope } => {
            (AuthMode::OAuth2, Some(client_id.clone()), Some(token_url.clone()), scope.clone())
        }
        AuthConfig::Headers { client_id } => {
            (AuthMode::Headers, Some(client_id.clone()), None, None)
        }
    };
    let ca_cert = profile
        .ca_cert
        .as_ref()
        .map(|path| {
            path.to_str().map(str::to_owned).ok_or_else(|| {
                SyncError::Invalid(format!(
                    "the CA certificate path {} is not valid UTF-8",
                    path.display()
                ))
            })
        })
        .transpose()?;
    Ok(ServerProfile {
        name: profile.name.clone(),
        order_url: profile.order_url.clone(),
        catalog_url: profile.catalog_url.clone(),
        customer_url: profile.customer_url.clone(),
        inventory_url: profile.inventory_url.clone(),
        version: match profile.version {
            VersionChoice::Fixed(version) => Some(version),
            VersionChoice::Auto => None,
        },
        detected_version: profile.detected_version,
        business_id: profile.business_id.clone(),
        headers: profile.headers.clone(),
        auth_mode,
        auth_client_id,
        auth_token_url,
        auth_scope,
        timeout_ms: profile.timeout_ms,
        connect_timeout_ms: profile.connect_timeout_ms,
        ca_cert,
        page_size: profile.page_size,
    })
}

/// The client's profile from the store's record.
fn profile(record: ServerProfile) -> Result<Profile> {
    let missing = |what: &str| {
        SyncError::Invalid(format!(
            "profile {}: its {} auth has no {what}",
            record.name, record.auth_mode
        ))
    };
    let auth = match record.auth_mode {
        AuthMode::None => AuthConfig::None,
        AuthMode::Bearer => AuthConfig::Bearer,
        AuthMode::OAuth2 => AuthConfig::OAuth2 {
            token_url: record.auth_token_url.clone().ok_or_else(|| missing("token URL"))?,
            client_id: record.auth_client_id.clone().ok_or_else(|| missing("client id"))?,
            scope: record.auth_scope.clone(),
        },
        AuthMode::Headers => AuthConfig::Headers {
            client_id: record.auth_client_id.clone().ok_or_else(|| missing("client id"))?,
        },
    };
    Ok(Profile {
        name: record.name,
        order_url: record.order_url,
        catalog_url: record.catalog_url,
        customer_url: record.customer_url,
        inventory_url: record.inventory_url,
        version: record.version.map_or(VersionChoice::Auto, VersionChoice::Fixed),
        detected_version: record.detected_version,
        business_id: record.business_id,
        headers: record.headers,
        auth,
        timeout_ms: record.timeout_ms,
        connect_timeout_ms: record.connect_timeout_ms,
        ca_cert: record.ca_cert.map(PathBuf::from),
        page_size: record.page_size,
    })
}

/// A missing profile is named as such.
fn unknown(name: &str) -> impl FnOnce(StoreError) -> SyncError + '_ {
    move |err| match err {
        StoreError::NotFound { .. } => SyncError::UnknownProfile(name.to_owned()),
        other => other.into(),
    }
}

/// Every configured profile, by name.
pub fn list(store: &impl Queries) -> Result<BTreeMap<String, Profile>> {
    store.profiles()?.into_iter().map(|r| Ok((r.name.clone(), profile(r)?))).collect()
}

/// One profile.
pub fn get(store: &impl Queries, name: &str) -> Result<Profile> {
    profile(store.profile(name)?.ok_or_else(|| SyncError::UnknownProfile(name.to_owned()))?)
}

/// The profile chosen with [`set_active`], if any.
pub fn active_name(store: &impl Queries) -> Result<Option<String>> {
    Ok(store.active_profile()?)
}

/// `name` when given, else the active profile.
pub fn resolve(store: &impl Queries, name: Option<&str>) -> Result<Profile> {
    match name {
        Some(name) => get(store, name),
        None => {
            let active = active_name(store)?.ok_or(SyncError::NoProfile)?;
            get(store, &active)
        }
    }
}

/// What the profile `name` (else the active one) rules: its discount policy and cancellation
/// reasons. Every check made for a profile takes its policy from here. No profile at all (none
/// named, none active): the defaults, which govern no discount.
pub fn policy(store: &impl Queries, name: Option<&str>) -> Result<ProfilePolicy> {
    let name = match name {
        Some(name) => name.to_owned(),
        None => match active_name(store)? {
            Some(active) => active,
            None => return Ok(ProfilePolicy::default()),
        },
    };
    store.profile_policy(&name).map_err(unknown(&name))
}

/// Sets what profile `name` rules (checked first: `sync.invalid` names what is wrong).
pub fn set_policy(store: &mut Store, name: &str, policy: &ProfilePolicy) -> Result<()> {
    policy.check().map_err(|e| SyncError::Invalid(format!("the policy: {e}")))?;
    store.set_profile_policy(name, policy).map_err(unknown(name))
}

/// Adds or replaces a profile. The first profile becomes the active one.
pub fn save(store: &mut Store, profile: &Profile) -> Result<()> {
    profile.validate()?;
    Ok(store.save_profile(&record(profile)?)?)
}

/// Removes a profile (and the active choice, if it was the active one).
pub fn remove(store: &mut Store, name: &str) -> Result<()> {
    store.delete_profile(name).map_err(unknown(name))
}

/// Chooses the profile used when none is named.
pub fn set_active(store: &mut Store, name: &str) -> Result<()> {
    store.set_active_profile(name).map_err(unknown(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_survives_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("p.db")).unwrap();
        let mut full = Profile::new("partner", "https://partner.example/tmf/v5/");
        full.catalog_url = Some("https://partner.example/catalog/v5/".into());
        full.customer_url = Some("https://crm.partner.example/customerManagement/v5/".into());
        full.inventory_url = Some("https://partner.example/inventory/v5/".into());
        full.detected_version = Some(orderdesk_wire::Version::V5);
        full.business_id = Some("acme".into());
        full.headers.insert("X-Channel".into(), "shop".into());
        full.auth = AuthConfig::OAuth2 {
            token_url: "https://partner.example/token".into(),
            client_id: "od".into(),
            scope: Some("orders".into()),
        };
        full.timeout_ms = 1234;
        full.connect_timeout_ms = 56;
        full.ca_cert = Some(PathBuf::from("/etc/ssl/partner.pem"));
        full.page_size = 7;
        let headers = Profile {
            auth: AuthConfig::Headers { client_id: "app".into() },
            version: VersionChoice::Fixed(orderdesk_wire::Version::V4),
            ..Profile::new("headers", "http://127.0.0.1:9/v4/")
        };
        let bearer = Profile { auth: AuthConfig::Bearer, ..Profile::new("bearer", "https://h/") };
        for p in [&full, &headers, &bearer] {
            save(&mut store, p).unwrap();
        }
        let all = list(&store).unwrap();
        assert_eq!(all.values().collect::<Vec<_>>(), [&bearer, &headers, &full]);
        assert_eq!(active_name(&store).ok().flatten().as_deref(), Some("partner"));
        assert!(matches!(set_active(&mut store, "nobody"), Err(SyncError::UnknownProfile(_))));
        assert!(matches!(remove(&mut store, "nobody"), Err(SyncError::UnknownProfile(_))));
        assert!(matches!(get(&store, "nobody"), Err(SyncError::UnknownProfile(_))));
        remove(&mut store, "partner").unwrap();
        assert!(matches!(resolve(&store, None), Err(SyncError::NoProfile)));
    }
}
