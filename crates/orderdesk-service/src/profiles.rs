//! Server profiles as the Settings screen edits them: checked field by field, saved in the
//! store's profile table (through `orderdesk-sync::profiles`), their secret filed in a
//! [`SecretStore`] and never in SQLite, never in a log, never sent back to the UI.
//!
//! The UI only learns where a secret comes from ([`SecretState`]). When there is no usable
//! keyring (CI, Xvfb, headless machines) the rest of the profile is still saved and the agent
//! is told to set the profile's `ORDERDESK_SECRET_<PROFILE>` variable instead.

use orderdesk_client::secret::{self, Secret};
use orderdesk_client::{AuthConfig, AuthMode, ClientError, Profile, VersionChoice};
use serde::{Deserialize, Serialize};

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
    pub version: VersionChoice,
    pub auth_mode: AuthMode,
    /// OAuth2 only.
    pub token_url: String,
    /// OAuth2 and `headers`.
    pub client_id: String,
    /// OAuth2 only, optional.
    pub scope: String,
    /// A new token or client secret; empty keeps the stored one.
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
    pub tmf_version: VersionChoice,
    pub auth_mode: AuthMode,
    pub token_url: Option<String>,
    pub client_id: Option<String>,
    pub scope: Option<String>,
    pub secret: SecretState,
    /// The environment variable that can supply the secret.
    pub secret_env: String,
    /// The profile new orders are submitted to.
    pub active: bool,
    /// The in-process demo server's profile (rewritten by demo mode, not editable).
    pub demo: bool,
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

fn check_url(errors: &mut Vec<FieldError>, name: &str, text: &str) {
    if let Err(message) = http_url(text) {
        field(errors, name, message);
    }
}

/// An absolute http(s) URL with a host.
fn http_url(text: &str) -> Result<(), String> {
    let url = url_parse(text)?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("use an http or https URL, not {}:", url.scheme()));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the URL needs a host".to_owned());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("no credentials in the URL: choose an authentication mode".to_owned());
    }
    Ok(())
}

fn url_parse(text: &str) -> Result<orderdesk_client::Url, String> {
    orderdesk_client::Url::parse(text.trim()).map_err(|err| format!("not a URL: {err}"))
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
    if input.order_url.trim().is_empty() {
        field(&mut errors, "orderUrl", "the TMF622 order API URL is required");
    } else {
        check_url(&mut errors, "orderUrl", &input.order_url);
    }
    if !input.catalog_url.trim().is_empty() {
        check_url(&mut errors, "catalogUrl", &input.catalog_url);
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
                check_url(&mut errors, "tokenUrl", &input.token_url);
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
    if !input.secret.is_empty() {
        if !auth.needs_secret() {
            field(&mut errors, "secret", "this authentication mode uses no secret");
        } else if input.secret.chars().any(char::is_control) {
            field(&mut errors, "secret", "no control characters (pasted line breaks?)");
        }
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
    profile.catalog_url = Some(input.catalog_url.trim().to_owned()).filter(|url| !url.is_empty());
    profile.version = version;
    profile.auth = auth;
    // The client's own checks (headers, page size...) catch what the form cannot show.
    if let Err(err) = profile.validate() {
        field(&mut errors, "orderUrl", err.to_string());
        return Err(errors);
    }
    Ok(profile)
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

/// The view of one profile.
pub fn view(profile: &Profile, active: bool, demo: bool, state: SecretState) -> ProfileView {
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
        tmf_version: profile.version,
        auth_mode: profile.auth.mode(),
        token_url,
        client_id,
        scope,
        secret: state,
        secret_env: secret::env_var_name(&profile.name),
        active,
        demo,
    }
}

/// The secret to use for `profile`: the one just typed, else the environment variable,
/// else the store.
pub fn secret_for(
    profile: &Profile,
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
    secrets.get(&profile.name)?.map(Some).ok_or_else(|| {
        ClientError::Secret(format!(
            "no secret is stored for profile {:?}: enter one, or set {}",
            profile.name,
            secret::env_var_name(&profile.name)
        ))
    })
}

// ---- the service's profile use cases ---------------------------------------------------------

use std::sync::Arc;

use orderdesk_client::{CatalogResource, Client};
use orderdesk_store::{OutboxStatus, Queries};

use crate::error::{self, Result, ServiceError};
use crate::{load_catalog, Service, DEMO_PROFILE};

/// A probe value no real order carries, so "Test connection" reads an empty page.
const PROBE_EXTERNAL_ID: &str = "orderdesk-connection-test";

impl Service {
    /// Every server profile with where its secret comes from and which one is active.
    pub async fn list_profiles(&self) -> Result<Vec<ProfileView>> {
        let (all, active) = self
            .read(|r| {
                Ok((orderdesk_sync::profiles::list(r)?, orderdesk_sync::profiles::active_name(r)?))
            })
            .await?;
        let secrets = Arc::clone(&self.secrets);
        // The keyring may answer over D-Bus: never on the caller's thread.
        tokio::task::spawn_blocking(move || {
            all.values()
                .map(|p| {
                    let state = secret_state(p, secrets.as_ref());
                    view(p, active.as_deref() == Some(&p.name), p.name == DEMO_PROFILE, state)
                })
                .collect()
        })
        .await
        .map_err(|e| ServiceError::Task(e.to_string()))
    }

    /// Add or edit a profile. Field errors save nothing. The secret (when one is typed) goes
    /// to the secret store; when that fails the profile is saved anyway and the notice says
    /// how to supply the secret instead. Never logs or returns the secret.
    pub async fn save_profile(&self, input: ProfileInput) -> Result<ProfileSaved> {
        let name = input.name.trim().to_owned();
        let lookup = name.clone();
        let existing =
            self.read(move |r| Ok(orderdesk_sync::profiles::list(r)?.remove(&lookup))).await?;
        let profile = match build_profile(&input, existing.as_ref(), DEMO_PROFILE) {
            Ok(p) => p,
            Err(errors) => return Ok(ProfileSaved { errors, profile: None, secret_notice: None }),
        };
        let saved = profile.clone();
        self.write(move |s| Ok(orderdesk_sync::profiles::save(s, &saved)?)).await?;
        let secrets = Arc::clone(&self.secrets);
        let typed = input.secret;
        let needs_secret = profile.auth.needs_secret();
        let owner = profile.name.clone();
        let secret_notice = tokio::task::spawn_blocking(move || {
            if !needs_secret {
                // A mode without a secret leaves nothing behind in the keyring.
                secrets.delete(&owner);
                None
            } else if typed.is_empty() {
                None
            } else {
                secrets.put(&owner, &Secret::new(typed)).err().map(|err| {
                    format!(
                        "The profile was saved, but its secret was not: {err}. The secret is \
                         never written to the local database."
                    )
                })
            }
        })
        .await
        .map_err(|e| ServiceError::Task(e.to_string()))?;
        // The next request builds its client with the current secret.
        self.engine.forget_client(&profile.name);
        self.wake_sync().await;
        let view = self
            .list_profiles()
            .await?
            .into_iter()
            .find(|v| v.name == profile.name)
            .ok_or_else(|| error::invalid(format!("profile {:?} vanished", profile.name)))?;
        Ok(ProfileSaved { errors: Vec::new(), profile: Some(view), secret_notice })
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
        let secret =
            tokio::task::spawn_blocking(move || secret_for(&checked, &typed, secrets.as_ref()))
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

    /// Fetch the whole catalog of profile `name` and make it the cached catalog the editor
    /// and the catalog browser use.
    pub async fn refresh_catalog(&self, name: String) -> Result<CatalogRefreshView> {
        let report = self.engine.sync_catalog(Some(&name), true).await?;
        let cache = self.read(load_catalog).await?;
        *self.catalog.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(cache);
        Ok(CatalogRefreshView {
            profile: name,
            version: report.version,
            offerings: u32::try_from(report.offerings).unwrap_or(u32::MAX),
            categories: u32::try_from(report.categories).unwrap_or(u32::MAX),
        })
    }
}
