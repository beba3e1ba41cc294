//! Server profiles as the Settings screen edits them: checked field by field, saved in the
//! store's profile table (through `orderdesk-sync::profiles`), their secret filed in a
//! [`SecretStore`] and never in SQLite, never in a log, never sent back to the UI.
//!
//! The UI only learns where a secret comes from ([`SecretState`]). When there is no usable
//! keyring (CI, Xvfb, headless machines) the rest of the profile is still saved and the agent
//! is told to set the profile's `ORDERDESK_SECRET_<PROFILE>` variable instead.

use orderdesk_client::secret::{self, Secret};
use orderdesk_client::{
    check_url, is_credential_header, AuthConfig, AuthMode, ClientError, Profile, VersionChoice,
};
use orderdesk_core::ProfilePolicy;
use serde::{Deserialize, Serialize};

use crate::policy::{policy_view, PolicyView};

/// Where profile secrets are filed. The app uses [`OsKeyring`]; the trait lets a caller
/// choose another store (a platform prompt, a managed vault) without touching the service.
pub trait SecretStore: Send + Sync + 'static {
    /// Files `secret` for `profile`; an error says why it could not be kept.
    fn put(&self, profile: &str, secret: &Secret) -> Result<(), ClientError>;
    /// The stored secret, `None` when there is none; an error when the store is unusable.
    fn get(&self, profile: &str) -> Result<Option<Secret>, ClientError>;
    /// Removes what is stored for `profile` (nothing stored is fine).
    fn delete(&self, profile: &str);
}

/// The OS keychain (Secret Service on Linux, Keychain on macOS, Credential Manager on
/// Windows) through the `keyring` crate, under the service name `orderdesk`.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsKeyring;

impl SecretStore for OsKeyring {
    fn put(&self, profile: &str, secret: &Secret) -> Result<(), ClientError> {
        secret::store(profile, secret)
    }

    fn get(&self, profile: &str) -> Result<Option<Secret>, ClientError> {
        secret::stored(profile)
    }

    fn delete(&self, profile: &str) {
        secret::forget(profile);
    }
}

/// A profile as the Settings form sends it. Empty strings mean "not set".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ProfileInput {
    /// The profile being edited; `None` adds a new one. Names cannot change (orders and
    /// queued entries refer to their profile by name).
    pub editing: Option<String>,
    pub name: String,
    pub order_url: String,
    pub catalog_url: String,
    /// The TMF629 root; empty: derived from the order URL.
    #[serde(default)]
    pub customer_url: String,
    /// The TMF637 root; empty: derived from the order URL.
    #[serde(default)]
    pub inventory_url: String,
    pub version: VersionChoice,
    pub auth_mode: AuthMode,
    /// OAuth2 only.
    pub token_url: String,
    /// OAuth2 and `headers`.
    pub client_id: String,
    /// OAuth2 only, optional.
    pub scope: String,
    /// A new token or client secret; empty keeps the stored one while the profile's origins
    /// stay the same (see [`ProfileView::secret_origins`]).
    pub secret: String,
}

/// One rejected field of a [`ProfileInput`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FieldError {
    /// The input's field name (`name`, `orderUrl`, `tokenUrl`...).
    pub field: String,
    pub message: String,
}

/// Where the secret of a profile comes from, as far as the UI may know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum SecretState {
    /// The auth mode needs no secret.
    NotNeeded,
    /// Filed in the OS keyring.
    Keyring,
    /// Supplied by the `ORDERDESK_SECRET_<PROFILE>` environment variable.
    Environment,
    /// Needed but nowhere to be found.
    Missing,
    /// Needed, and the keyring cannot be read on this machine.
    Unavailable,
    /// The demo server's token: made for this run of the app and held in memory only.
    AppSession,
}

/// A profile as the Settings screen shows it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ProfileView {
    pub name: String,
    /// The TMF622 root.
    pub base_url: String,
    pub catalog_url: Option<String>,
    /// The TMF629 root the profile names (`None`: derived from the order root).
    pub customer_url: Option<String>,
    /// The TMF637 root the profile names (`None`: derived from the order root).
    pub inventory_url: Option<String>,
    pub tmf_version: VersionChoice,
    pub auth_mode: AuthMode,
    pub token_url: Option<String>,
    pub client_id: Option<String>,
    pub scope: Option<String>,
    pub secret: SecretState,
    /// The environment variable that can supply the secret.
    pub secret_env: String,
    /// Where the stored secret may be sent: the origins (`scheme://host[:port]`, as the URL
    /// Standard writes them) of the order, catalog, customer, inventory and token URLs. An edit that sends the
    /// secret anywhere else clears it, so the form offers to keep it only while the URLs'
    /// origins stay among these.
    pub secret_origins: Vec<String>,
    /// The profile new orders are submitted to.
    pub active: bool,
    /// The in-process demo server's profile (rewritten by demo mode, not editable).
    pub demo: bool,
    /// What the profile rules for its agents: discount reasons and limits, cancellation
    /// reasons (editable for every profile, the demo's included).
    pub policy: PolicyView,
}

/// The answer to a save: the field errors (nothing saved), or the saved profile and, when
/// the secret could not be filed, why and what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ProfileSaved {
    pub errors: Vec<FieldError>,
    pub profile: Option<ProfileView>,
    pub secret_notice: Option<String>,
    /// The profile now sends requests to another origin and no secret was entered: the one
    /// stored was removed and must be entered again.
    pub secret_cleared: bool,
    /// Extra headers removed because they carried a credential (a profile saved before
    /// such headers were refused); the authentication mode's secret replaces them.
    pub removed_headers: Vec<String>,
}

/// What "Test connection" found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ConnectionReport {
    /// Both the order API and (when configured) the catalog answered.
    pub ok: bool,
    /// One line per check, as the server answered.
    pub lines: Vec<String>,
}

/// What "Refresh catalog" imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CatalogRefreshView {
    pub profile: String,
    pub version: String,
    pub offerings: u32,
    pub categories: u32,
}

fn field(errors: &mut Vec<FieldError>, name: &str, message: impl Into<String>) {
    errors.push(FieldError { field: name.to_owned(), message: message.into() });
}

/// The client's URL rules ([`check_url`]), as a field error.
fn check_field_url(errors: &mut Vec<FieldError>, name: &str, text: &str, authenticated: bool) {
    if let Err(message) = check_url(text.trim(), authenticated) {
        field(errors, name, message);
    }
}

/// The most characters a profile name may have (it becomes a keyring user and an
/// environment variable name).
const NAME_MAX: usize = 40;

/// Checks `input` field by field and builds the profile from it, keeping what the form does
/// not show (headers, timeouts, certificates, detected version) from `existing`.
pub fn build_profile(
    input: &ProfileInput,
    existing: Option<&Profile>,
    demo_name: &str,
) -> Result<Profile, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = input.name.trim();
    if name.is_empty() {
        field(&mut errors, "name", "a profile needs a name");
    } else if name.len() > NAME_MAX {
        field(&mut errors, "name", format!("at most {NAME_MAX} characters"));
    } else if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        field(&mut errors, "name", "use letters, digits, '-' and '_' only");
    } else if name == demo_name {
        field(&mut errors, "name", "the demo server's profile is managed by demo mode");
    } else if let Some(editing) = input.editing.as_deref() {
        if editing != name {
            field(&mut errors, "name", "a profile cannot be renamed; add a new one instead");
        }
    } else if existing.is_some() {
        field(&mut errors, "name", format!("a profile named {name:?} exists already"));
    }
    // The secret goes to every URL the profile calls.
    let authenticated = input.auth_mode.needs_secret();
    if input.order_url.trim().is_empty() {
        field(&mut errors, "orderUrl", "the TMF622 order API URL is required");
    } else {
        check_field_url(&mut errors, "orderUrl", &input.order_url, authenticated);
    }
    for (name, url) in [
        ("catalogUrl", &input.catalog_url),
        ("customerUrl", &input.customer_url),
        ("inventoryUrl", &input.inventory_url),
    ] {
        if !url.trim().is_empty() {
            check_field_url(&mut errors, name, url, authenticated);
        }
    }
    let version = input.version;
    let client_id = input.client_id.trim();
    let auth = match input.auth_mode {
        AuthMode::None => AuthConfig::None,
        AuthMode::Bearer => AuthConfig::Bearer,
        AuthMode::OAuth2 => {
            if input.token_url.trim().is_empty() {
                field(&mut errors, "tokenUrl", "OAuth2 needs the token URL");
            } else {
                check_field_url(&mut errors, "tokenUrl", &input.token_url, true);
            }
            check_client_id(&mut errors, client_id);
            let scope = input.scope.trim();
            if scope.chars().any(char::is_control) {
                field(&mut errors, "scope", "no control characters");
            }
            AuthConfig::OAuth2 {
                token_url: input.token_url.trim().to_owned(),
                client_id: client_id.to_owned(),
                scope: Some(scope.to_owned()).filter(|s| !s.is_empty()),
            }
        }
        AuthMode::Headers => {
            check_client_id(&mut errors, client_id);
            AuthConfig::Headers { client_id: client_id.to_owned() }
        }
    };
    if let Some(why) = secret_refusal(&auth, &input.secret) {
        field(&mut errors, "secret", why);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let order_url = input.order_url.trim().to_owned();
    let mut profile = match existing {
        Some(old) => Profile {
            // A different server may speak another version: detect again.
            detected_version: old.detected_version.filter(|_| old.order_url == order_url),
            ..old.clone()
        },
        None => Profile::new(name, order_url.clone()),
    };
    profile.order_url = order_url;
    let optional = |url: &str| Some(url.trim().to_owned()).filter(|url| !url.is_empty());
    profile.catalog_url = optional(&input.catalog_url);
    profile.customer_url = optional(&input.customer_url);
    profile.inventory_url = optional(&input.inventory_url);
    profile.version = version;
    profile.auth = auth;
    // A credential among the headers a stored profile kept (from before they were refused)
    // goes: the form cannot show it, and the database must not keep it.
    profile.headers.retain(|name, _| !is_credential_header(name));
    // The client's own checks (headers, page size...) catch what the form cannot show.
    if let Err(err) = profile.validate() {
        field(&mut errors, "orderUrl", err.to_string());
        return Err(errors);
    }
    Ok(profile)
}

/// Why `secret` cannot be filed for a profile authenticating with `auth` (empty is fine: it
/// files nothing).
fn secret_refusal(auth: &AuthConfig, secret: &str) -> Option<&'static str> {
    if secret.is_empty() {
        None
    } else if !auth.needs_secret() {
        Some("this authentication mode uses no secret")
    } else if secret.chars().any(char::is_control) {
        Some("no control characters (pasted line breaks?)")
    } else {
        None
    }
}

/// Removes the secret stored for `owner`; whether there was one. An error when it is still
/// there afterwards (a store that cannot delete): the caller must not point the profile
/// anywhere new.
fn forget_secret(secrets: &dyn SecretStore, owner: &str) -> Result<bool> {
    let had = matches!(secrets.get(owner), Ok(Some(_)));
    secrets.delete(owner);
    if had && matches!(secrets.get(owner), Ok(Some(_))) {
        return Err(error::invalid(format!(
            "the stored secret of profile {owner:?} could not be removed, so the profile was \
             not changed: it would go to the new server"
        )));
    }
    Ok(had)
}

fn check_client_id(errors: &mut Vec<FieldError>, client_id: &str) {
    if client_id.is_empty() {
        field(errors, "clientId", "a client id is required for this authentication");
    } else if client_id.chars().any(|c| c.is_control()) {
        field(errors, "clientId", "no control characters");
    }
}

/// Where the secret of `profile` comes from (reads the store, never returns the secret).
pub fn secret_state(profile: &Profile, secrets: &dyn SecretStore) -> SecretState {
    if !profile.auth.needs_secret() {
        return SecretState::NotNeeded;
    }
    if secret::from_env(&profile.name).is_some() {
        return SecretState::Environment;
    }
    match secrets.get(&profile.name) {
        Ok(Some(_)) => SecretState::Keyring,
        Ok(None) => SecretState::Missing,
        Err(_) => SecretState::Unavailable,
    }
}

/// The view of one profile (without credentials a URL of a profile saved before they were
/// refused may hold).
pub fn view(
    profile: &Profile,
    active: bool,
    demo: bool,
    state: SecretState,
    policy: &ProfilePolicy,
) -> ProfileView {
    let secret_origins = profile.secret_origins().into_iter().collect();
    let profile = &profile.redacted();
    let (token_url, client_id, scope) = match &profile.auth {
        AuthConfig::OAuth2 { token_url, client_id, scope } => {
            (Some(token_url.clone()), Some(client_id.clone()), scope.clone())
        }
        AuthConfig::Headers { client_id } => (None, Some(client_id.clone()), None),
        AuthConfig::None | AuthConfig::Bearer => (None, None, None),
    };
    ProfileView {
        name: profile.name.clone(),
        base_url: profile.order_url.clone(),
        catalog_url: profile.catalog_url.clone(),
        customer_url: profile.customer_url.clone(),
        inventory_url: profile.inventory_url.clone(),
        tmf_version: profile.version,
        auth_mode: profile.auth.mode(),
        token_url,
        client_id,
        scope,
        secret: state,
        secret_env: secret::env_var_name(&profile.name),
        secret_origins,
        active,
        demo,
        policy: policy_view(policy),
    }
}

/// Which stored secret may go with a profile.
#[derive(Debug, Clone, Copy)]
pub enum Saved<'a> {
    /// The profile is the one saved (the sync engine's requests): its stored secret.
    Itself,
    /// The profile is an edit of this saved one (the form's "Test connection"): the stored
    /// secret only where [`Profile::keeps_secret_of`] the saved one.
    EditOf(&'a Profile),
    /// The profile is not saved yet: nothing stored is its own.
    Unsaved,
}

/// The secret to use for `profile`: the one just typed, else the environment variable,
/// else the store, as far as `saved` lets it be used.
pub fn secret_for(
    profile: &Profile,
    saved: Saved<'_>,
    typed: &str,
    secrets: &dyn SecretStore,
) -> Result<Option<Secret>, ClientError> {
    if !profile.auth.needs_secret() {
        return Ok(None);
    }
    if !typed.is_empty() {
        return Ok(Some(Secret::new(typed)));
    }
    if let Some(from_env) = secret::from_env(&profile.name) {
        return Ok(Some(from_env));
    }
    let missing = || {
        ClientError::Secret(format!(
            "no secret is stored for profile {:?}: enter one, or set {}",
            profile.name,
            secret::env_var_name(&profile.name)
        ))
    };
    match saved {
        Saved::Itself => {}
        Saved::EditOf(old) if profile.keeps_secret_of(old) => {}
        Saved::EditOf(_) => {
            return Err(ClientError::Secret(format!(
                "profile {:?} now calls another server (scheme, host or port) than the one its \
                 secret was entered for: enter the secret again",
                profile.name
            )))
        }
        Saved::Unsaved => return Err(missing()),
    }
    secrets.get(&profile.name)?.map(Some).ok_or_else(missing)
}

// ---- the service's profile use cases ---------------------------------------------------------

use std::sync::Arc;

use orderdesk_client::{CatalogResource, Client};
use orderdesk_store::{OutboxStatus, Queries};

use crate::error::{self, Result, ServiceError};
use crate::{Service, DEMO_PROFILE};

/// A probe value no real order carries, so "Test connection" reads an empty page.
const PROBE_EXTERNAL_ID: &str = "orderdesk-connection-test";

impl Service {
    /// Every server profile with where its secret comes from and which one is active.
    pub async fn list_profiles(&self) -> Result<Vec<ProfileView>> {
        let (all, active, policies) = self
            .read(|r| {
                let all = orderdesk_sync::profiles::list(r)?;
                let policies = all
                    .keys()
                    .map(|name| {
                        Ok((name.clone(), orderdesk_sync::profiles::policy(r, Some(name))?))
                    })
                    .collect::<Result<std::collections::HashMap<_, _>>>()?;
                Ok((all, orderdesk_sync::profiles::active_name(r)?, policies))
            })
            .await?;
        let secrets = Arc::clone(&self.secrets);
        // The keyring may answer over D-Bus: never on the caller's thread.
        tokio::task::spawn_blocking(move || {
            all.values()
                .map(|p| {
                    let demo = p.name == DEMO_PROFILE;
                    let state = match secret_state(p, secrets.as_ref()) {
                        // The store answers the demo profile with the running demo server's
                        // token (see `demo::WithDemoToken`), never from the keyring.
                        SecretState::Keyring if demo => SecretState::AppSession,
                        state => state,
                    };
                    let policy = policies.get(&p.name).cloned().unwrap_or_default();
                    view(p, active.as_deref() == Some(&p.name), demo, state, &policy)
                })
                .collect()
        })
        .await
        .map_err(|e| ServiceError::Task(e.to_string()))
    }

    /// Add or edit a profile. Field errors save nothing. The secret (when one is typed) goes
    /// to the secret store; when that fails the profile is saved anyway and the notice says
    /// how to supply the secret instead. A stored secret stays with the origins it was
    /// entered for (see [`Service::put_profile`]). Never logs or returns the secret.
    pub async fn save_profile(&self, input: ProfileInput) -> Result<ProfileSaved> {
        let existing = self.saved_profile(input.name.trim()).await?;
        match build_profile(&input, existing.as_ref(), DEMO_PROFILE) {
            Ok(profile) => self.file_profile(profile, existing, input.secret).await,
            Err(errors) => Ok(ProfileSaved {
                errors,
                profile: None,
                secret_notice: None,
                secret_cleared: false,
                removed_headers: Vec::new(),
            }),
        }
    }

    /// Add a whole profile, or replace the one of its name: the CLI's `orderdesk remote add`,
    /// which also sets what the form does not show (business id, extra headers, timeouts,
    /// certificates). Refused (`client.bad_profile`) when the client's rules refuse it
    /// ([`Profile::validate`]: credentials in a URL or among the headers, plain http to
    /// another machine for a secret), refused for the demo profile. `secret` is filed as
    /// [`Service::save_profile`] files a typed one; empty keeps the stored secret only while
    /// every URL's origin (scheme, host and port) is one it was entered for, else the stored
    /// secret is removed (`secret_cleared`) before the profile points anywhere new.
    pub async fn put_profile(&self, profile: Profile, secret: String) -> Result<ProfileSaved> {
        if profile.name == DEMO_PROFILE {
            return Err(error::invalid("the demo server's profile is managed by demo mode"));
        }
        profile.validate().map_err(orderdesk_sync::SyncError::from)?;
        if let Some(why) = secret_refusal(&profile.auth, &secret) {
            return Err(error::invalid(format!("the secret: {why}")));
        }
        let existing = self.saved_profile(&profile.name).await?;
        self.file_profile(profile, existing, secret).await
    }

    /// The saved profile named `name`, if any.
    async fn saved_profile(&self, name: &str) -> Result<Option<Profile>> {
        let name = name.to_owned();
        self.read(move |r| Ok(orderdesk_sync::profiles::list(r)?.remove(&name))).await
    }

    /// Saves a checked `profile` (replacing `existing`) and files its secret. The stored
    /// secret is removed before the profile is saved when it may no longer be used (a mode
    /// without one, or new origins and none typed): from the save on, the sync engine may
    /// call the new URLs with whatever the store holds. A typed secret is filed after the
    /// save, so it never goes to the URLs it was not typed for.
    async fn file_profile(
        &self,
        profile: Profile,
        existing: Option<Profile>,
        typed: String,
    ) -> Result<ProfileSaved> {
        let removed_headers =
            existing.as_ref().map(Profile::credential_headers).unwrap_or_default();
        let needs_secret = profile.auth.needs_secret();
        // A new profile has no secret of its own yet: whatever the store holds under its
        // name was entered for another.
        let keeps_secret =
            needs_secret && existing.as_ref().is_some_and(|old| profile.keeps_secret_of(old));
        let owner = profile.name.clone();
        let had_secret = if keeps_secret {
            false
        } else {
            let secrets = Arc::clone(&self.secrets);
            tokio::task::spawn_blocking(move || forget_secret(secrets.as_ref(), &owner))
                .await
                .map_err(|e| ServiceError::Task(e.to_string()))??
        };
        let secret_cleared = had_secret && needs_secret && typed.is_empty() && existing.is_some();
        let saved = profile.clone();
        self.write(move |s| Ok(orderdesk_sync::profiles::save(s, &saved)?)).await?;
        let secret_notice = if needs_secret && !typed.is_empty() {
            let secrets = Arc::clone(&self.secrets);
            let owner = profile.name.clone();
            tokio::task::spawn_blocking(move || {
                secrets.put(&owner, &Secret::new(typed)).err().map(|err| {
                    format!(
                        "The profile was saved, but its secret was not: {err}. The secret is \
                         never written to the local database."
                    )
                })
            })
            .await
            .map_err(|e| ServiceError::Task(e.to_string()))?
        } else {
            None
        };
        // The next request builds its client with the current profile and secret.
        self.engine.forget_client(&profile.name);
        self.wake_sync().await;
        let view = self
            .list_profiles()
            .await?
            .into_iter()
            .find(|v| v.name == profile.name)
            .ok_or_else(|| error::invalid(format!("profile {:?} vanished", profile.name)))?;
        Ok(ProfileSaved {
            errors: Vec::new(),
            profile: Some(view),
            secret_notice,
            secret_cleared,
            removed_headers,
        })
    }

    /// Remove a profile and its stored secret. Refused for the demo profile and while
    /// entries for the profile wait in the outbox (they would have nowhere to go).
    pub async fn remove_profile(&self, name: String) -> Result<Vec<ProfileView>> {
        if name == DEMO_PROFILE {
            return Err(error::invalid("the demo server's profile is managed by demo mode"));
        }
        let key = name.clone();
        self.write(move |s| {
            let waiting = s
                .outbox(None)?
                .iter()
                .filter(|e| {
                    e.profile == key
                        && matches!(
                            e.status,
                            OutboxStatus::Queued
                                | OutboxStatus::InFlight
                                | OutboxStatus::NeedsAttention
                        )
                })
                .count();
            if waiting > 0 {
                return Err(error::invalid(format!(
                    "profile {key:?} still has {waiting} outbox entr{} waiting; send or drop \
                     them first",
                    if waiting == 1 { "y" } else { "ies" }
                )));
            }
            Ok(orderdesk_sync::profiles::remove(s, &key)?)
        })
        .await?;
        let secrets = Arc::clone(&self.secrets);
        let owner = name.clone();
        tokio::task::spawn_blocking(move || secrets.delete(&owner))
            .await
            .map_err(|e| ServiceError::Task(e.to_string()))?;
        self.engine.forget_client(&name);
        self.list_profiles().await
    }

    /// Make `name` the profile new orders are submitted to. Takes effect for the next
    /// submit and sync run; nothing restarts.
    pub async fn set_active_profile(&self, name: String) -> Result<Vec<ProfileView>> {
        self.write(move |s| Ok(orderdesk_sync::profiles::set_active(s, &name)?)).await?;
        self.wake_sync().await;
        self.list_profiles().await
    }

    /// Try the profile as the form holds it (saved or not): one read of the order API and,
    /// when a catalog URL is set, of the catalog's categories. Reports what the server
    /// answered; field errors come back as lines too.
    pub async fn test_connection(&self, input: ProfileInput) -> Result<ConnectionReport> {
        let name = input.name.trim().to_owned();
        let lookup = name.clone();
        let existing =
            self.read(move |r| Ok(orderdesk_sync::profiles::list(r)?.remove(&lookup))).await?;
        // Testing an unsaved profile whose name is taken is still a fair question.
        let probe_input = ProfileInput { editing: Some(name.clone()), ..input.clone() };
        let demo_safe = if name == DEMO_PROFILE { "demo-test" } else { DEMO_PROFILE };
        let profile = match build_profile(&probe_input, existing.as_ref(), demo_safe) {
            Ok(p) => p,
            Err(errors) => {
                return Ok(ConnectionReport {
                    ok: false,
                    lines: errors
                        .into_iter()
                        .map(|e| format!("{}: {}", e.field, e.message))
                        .collect(),
                })
            }
        };
        let secrets = Arc::clone(&self.secrets);
        let typed = input.secret;
        let checked = profile.clone();
        let secret = tokio::task::spawn_blocking(move || {
            let saved = existing.as_ref().map_or(Saved::Unsaved, Saved::EditOf);
            secret_for(&checked, saved, &typed, secrets.as_ref())
        })
        .await
        .map_err(|e| ServiceError::Task(e.to_string()))?;
        let secret = match secret {
            Ok(s) => s,
            Err(err) => return Ok(ConnectionReport { ok: false, lines: vec![err.to_string()] }),
        };
        let mut quick = profile.clone();
        quick.timeout_ms = quick.timeout_ms.min(10_000);
        let client = match Client::new(quick, secret) {
            Ok(c) => c,
            Err(err) => return Ok(ConnectionReport { ok: false, lines: vec![err.to_string()] }),
        };
        let mut lines = Vec::new();
        let mut ok = true;
        match client.find_orders_by_external_id(PROBE_EXTERNAL_ID).await {
            Ok(found) => {
                let version = client
                    .known_version()
                    .map_or_else(|| "version unknown".to_owned(), |v| format!("TMF622 {v}"));
                lines.push(format!(
                    "Order API answered ({version}, {} order(s) for a probe search)",
                    found.len()
                ));
            }
            Err(err) => {
                ok = false;
                lines.push(format!("Order API: {err}"));
            }
        }
        if profile.catalog_url.is_some() {
            match client.list_catalog(CatalogResource::Category, None).await {
                Ok(categories) => {
                    lines.push(format!("Catalog answered ({} categories)", categories.len()))
                }
                Err(err) => {
                    ok = false;
                    lines.push(format!("Catalog: {err}"));
                }
            }
        } else {
            lines.push("No catalog URL: catalog refresh is not possible".to_owned());
        }
        Ok(ConnectionReport { ok, lines })
    }

    /// Bring the cached catalog up to date with profile `name`'s: only the records changed
    /// since the last refresh when the server dates its records (`lastUpdate`), else the whole
    /// catalog (see `SyncEngine::sync_catalog`). The figures are the cached catalog's after it.
    /// A catalog another source (a file, another profile) replaced since is fetched whole.
    pub async fn refresh_catalog(&self, name: String) -> Result<CatalogRefreshView> {
        let cached = self.catalog_info().await?;
        let ours = cached.is_some_and(|c| c.source == name);
        self.sync_catalog_of(name, !ours).await
    }

    /// [`Service::refresh_catalog`] fetching the whole catalog, removing what the server no
    /// longer lists.
    pub async fn refresh_catalog_full(&self, name: String) -> Result<CatalogRefreshView> {
        self.sync_catalog_of(name, true).await
    }

    async fn sync_catalog_of(&self, name: String, full: bool) -> Result<CatalogRefreshView> {
        let report = self.engine.sync_catalog(Some(&name), full).await?;
        self.catalog_changed().await?;
        let categories = self.categories().await?.len();
        Ok(CatalogRefreshView {
            profile: name,
            version: report.version,
            offerings: self.catalog_offerings().await?,
            categories: u32::try_from(categories).unwrap_or(u32::MAX),
        })
    }
}
