//! Server profiles kept in the store's settings (connection details only, never a secret):
//! `remote.profiles` holds every profile by name, `remote.active` the one in use.
//!
//! The store's own `server_profiles` table predates auth modes such as `headers`, catalog
//! URLs and version detection; the settings hold the full [`Profile`] instead.

use std::collections::BTreeMap;

use orderdesk_client::Profile;
use orderdesk_store::{Queries, Store};
use serde_json::Value;

use crate::error::{Result, SyncError};

const PROFILES_KEY: &str = "remote.profiles";
const ACTIVE_KEY: &str = "remote.active";

/// Every configured profile, by name.
pub fn list(store: &impl Queries) -> Result<BTreeMap<String, Profile>> {
    match store.setting(PROFILES_KEY)? {
        None => Ok(BTreeMap::new()),
        Some(value) => serde_json::from_value(value)
            .map_err(|err| SyncError::Invalid(format!("setting {PROFILES_KEY}: {err}"))),
    }
}

/// One profile.
pub fn get(store: &impl Queries, name: &str) -> Result<Profile> {
    list(store)?.remove(name).ok_or_else(|| SyncError::UnknownProfile(name.to_owned()))
}

/// The profile chosen with [`set_active`], if any.
pub fn active_name(store: &impl Queries) -> Result<Option<String>> {
    Ok(store.setting(ACTIVE_KEY)?.and_then(|v| v.as_str().map(str::to_owned)))
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

/// Adds or replaces a profile. The first profile becomes the active one.
pub fn save(store: &mut Store, profile: &Profile) -> Result<()> {
    profile.validate()?;
    let mut all = list(store)?;
    all.insert(profile.name.clone(), profile.clone());
    write_all(store, &all)?;
    if active_name(store)?.is_none() {
        set_active(store, &profile.name)?;
    }
    Ok(())
}

/// Removes a profile (and the active choice, if it was the active one).
pub fn remove(store: &mut Store, name: &str) -> Result<()> {
    let mut all = list(store)?;
    if all.remove(name).is_none() {
        return Err(SyncError::UnknownProfile(name.to_owned()));
    }
    write_all(store, &all)?;
    if active_name(store)?.as_deref() == Some(name) {
        store.delete_setting(ACTIVE_KEY)?;
    }
    Ok(())
}

/// Chooses the profile used when none is named.
pub fn set_active(store: &mut Store, name: &str) -> Result<()> {
    if !list(store)?.contains_key(name) {
        return Err(SyncError::UnknownProfile(name.to_owned()));
    }
    store.set_setting(ACTIVE_KEY, &Value::String(name.to_owned()))?;
    Ok(())
}

fn write_all(store: &mut Store, all: &BTreeMap<String, Profile>) -> Result<()> {
    let value = serde_json::to_value(all)
        .map_err(|err| SyncError::Invalid(format!("cannot encode profiles: {err}")))?;
    store.set_setting(PROFILES_KEY, &value)?;
    Ok(())
}
