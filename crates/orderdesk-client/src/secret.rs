//! Profile secrets (bearer token, OAuth2 or header client secret): the OS keychain, or an
//! explicit environment variable on machines without one. Never the database, never a log.
//!
//! Lookup order for profile `lab-1`: the variable `ORDERDESK_SECRET_LAB_1` when it is set
//! (the documented headless fallback for CI and servers, where no keyring service runs), else
//! the OS keychain entry of service [`KEYRING_SERVICE`] and user `lab-1`.

use std::fmt;

use crate::error::ClientError;

/// The keychain service name every Orderdesk secret is filed under.
pub const KEYRING_SERVICE: &str = "orderdesk";

/// A secret value. Its `Debug` output is redacted so it cannot leak through logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself; only for putting it on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The environment variable that supplies a profile's secret without a keychain.
pub fn env_var_name(profile: &str) -> String {
    let upper: String = profile
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' })
        .collect();
    format!("ORDERDESK_SECRET_{upper}")
}

fn keyring_failure(profile: &str, err: &keyring::Error) -> ClientError {
    ClientError::Secret(format!(
        "no usable OS keychain for the secret of profile {profile:?} ({err}). On a machine without a \
         keyring service (CI, headless servers) set the environment variable {} instead",
        env_var_name(profile)
    ))
}

/// The secret of `profile` from its environment variable, when that is set and not empty.
pub fn from_env(profile: &str) -> Option<Secret> {
    std::env::var(env_var_name(profile)).ok().filter(|v| !v.is_empty()).map(Secret)
}

/// The secret of `profile` in the OS keychain only: `None` when no entry exists, an error
/// when there is no usable keychain.
pub fn stored(profile: &str) -> Result<Option<Secret>, ClientError> {
    let entry = keyring::Entry::new(KEYRING_SERVICE, profile)
        .map_err(|err| keyring_failure(profile, &err))?;
    match entry.get_password() {
        Ok(value) => Ok(Some(Secret(value))),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(err) => Err(keyring_failure(profile, &err)),
    }
}

/// The secret of `profile`: from its environment variable, else the OS keychain.
pub fn load(profile: &str) -> Result<Secret, ClientError> {
    if let Some(secret) = from_env(profile) {
        return Ok(secret);
    }
    stored(profile)?.ok_or_else(|| {
        ClientError::Secret(format!(
            "no secret stored for profile {profile:?}: enter it in the profile's settings \
             (or `orderdesk remote add --secret-stdin`), or set {}",
            env_var_name(profile)
        ))
    })
}

/// Files `secret` in the OS keychain for `profile`. Fails clearly where there is no keychain.
pub fn store(profile: &str, secret: &Secret) -> Result<(), ClientError> {
    keyring::Entry::new(KEYRING_SERVICE, profile)
        .and_then(|entry| entry.set_password(secret.expose()))
        .map_err(|err| keyring_failure(profile, &err))
}

/// Removes the keychain entry of `profile` (absent is fine; no keychain is fine too, since
/// then nothing can have been stored there).
pub fn forget(profile: &str) {
    if let Ok(entry) = keyring::Entry::new(KEYRING_SERVICE, profile) {
        if let Err(err) = entry.delete_credential() {
            tracing::debug!(profile, error = %err, "no keychain entry removed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_names_are_shell_safe() {
        assert_eq!(env_var_name("lab-1"), "ORDERDESK_SECRET_LAB_1");
        assert_eq!(env_var_name("prod"), "ORDERDESK_SECRET_PROD");
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let s = Secret::new("hunter2");
        assert!(!format!("{s:?}").contains("hunter2"));
        assert_eq!(s.expose(), "hunter2");
    }
}
