//! Server profiles: how to reach one TMF622 server (and its TMF620 catalog). A profile never
//! holds a secret; see [`crate::secret`].

use std::collections::BTreeMap;
use std::path::PathBuf;

use orderdesk_wire::Version;
use serde::{Deserialize, Serialize};

use crate::error::ClientError;

/// Which TMF622 version to speak. Written `"v4"`, `"v5"` or `"auto"` (in stored profiles too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum VersionChoice {
    /// Detected once (from the URL, else from an order the server returns) and remembered in
    /// [`Profile::detected_version`].
    #[default]
    #[serde(rename = "auto")]
    Auto,
    /// Always this version.
    #[serde(untagged)]
    Fixed(Version),
}

impl VersionChoice {
    /// `v4`, `v5` or `auto`.
    pub fn as_str(self) -> &'static str {
        match self {
            VersionChoice::Auto => "auto",
            VersionChoice::Fixed(v) => v.as_str(),
        }
    }
}

impl std::fmt::Display for VersionChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl std::str::FromStr for VersionChoice {
    type Err = ClientError;
    fn from_str(text: &str) -> Result<Self, ClientError> {
        if text.trim().eq_ignore_ascii_case("auto") {
            return Ok(VersionChoice::Auto);
        }
        text.parse::<Version>().map(VersionChoice::Fixed).map_err(|_| {
            ClientError::Config(format!("unknown version {:?} (v4, v5 or auto)", text.trim()))
        })
    }
}

/// How requests are authenticated, by name (what [`AuthConfig`] holds beside the mode is its
/// own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum AuthMode {
    /// No authentication.
    #[default]
    None,
    /// A bearer token.
    Bearer,
    /// OAuth2 client credentials.
    #[serde(rename = "oauth2")]
    OAuth2,
    /// `client_id` / `client_secret` headers.
    Headers,
}

impl AuthMode {
    /// The mode's name as the CLI spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMode::None => "none",
            AuthMode::Bearer => "bearer",
            AuthMode::OAuth2 => "oauth2",
            AuthMode::Headers => "headers",
        }
    }

    /// Whether requests in this mode need a secret.
    pub fn needs_secret(self) -> bool {
        self != AuthMode::None
    }
}

impl std::fmt::Display for AuthMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// How requests are authenticated. Secrets (token, client secret) are looked up separately.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "kebab-case")]
pub enum AuthConfig {
    #[default]
    None,
    /// `Authorization: Bearer <secret>`.
    Bearer,
    /// OAuth2 client credentials: a token from `token_url` (cached, refreshed before it expires).
    #[serde(rename = "oauth2", rename_all = "camelCase")]
    OAuth2 { token_url: String, client_id: String, scope: Option<String> },
    /// `client_id` / `client_secret` request headers.
    #[serde(rename_all = "camelCase")]
    Headers { client_id: String },
}

impl AuthConfig {
    /// The mode.
    pub fn mode(&self) -> AuthMode {
        match self {
            AuthConfig::None => AuthMode::None,
            AuthConfig::Bearer => AuthMode::Bearer,
            AuthConfig::OAuth2 { .. } => AuthMode::OAuth2,
            AuthConfig::Headers { .. } => AuthMode::Headers,
        }
    }

    /// Whether requests need a secret.
    pub fn needs_secret(&self) -> bool {
        self.mode().needs_secret()
    }
}

/// Everything needed to talk to one server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub name: String,
    /// The TMF622 root, e.g. `https://host/tmf-api/productOrderingManagement/v4/`.
    pub order_url: String,
    /// The TMF620 root; without it catalog operations are refused.
    #[serde(default)]
    pub catalog_url: Option<String>,
    #[serde(default)]
    pub version: VersionChoice,
    /// What `auto` found, so detection happens once.
    #[serde(default)]
    pub detected_version: Option<Version>,
    /// A path segment between the root and the resource
    /// (`.../productOrdering/v4/{businessId}/productOrder`).
    #[serde(default)]
    pub business_id: Option<String>,
    /// Extra headers sent with every request (never secrets: they are stored in clear).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub auth: AuthConfig,
    /// Whole-request timeout.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    #[serde(default = "default_connect_timeout_ms")]
    pub connect_timeout_ms: u64,
    /// A PEM file with extra root certificates (company TLS proxies).
    #[serde(default)]
    pub ca_cert: Option<PathBuf>,
    /// Items asked for per list page (servers may silently return fewer).
    #[serde(default = "default_page_size")]
    pub page_size: u32,
}

fn default_timeout_ms() -> u64 {
    30_000
}

fn default_connect_timeout_ms() -> u64 {
    5_000
}

fn default_page_size() -> u32 {
    100
}

impl Profile {
    /// A profile with defaults for everything but the name and the TMF622 root.
    pub fn new(name: impl Into<String>, order_url: impl Into<String>) -> Profile {
        Profile {
            name: name.into(),
            order_url: order_url.into(),
            catalog_url: None,
            version: VersionChoice::Auto,
            detected_version: None,
            business_id: None,
            headers: BTreeMap::new(),
            auth: AuthConfig::None,
            timeout_ms: default_timeout_ms(),
            connect_timeout_ms: default_connect_timeout_ms(),
            ca_cert: None,
            page_size: default_page_size(),
        }
    }

    /// Checks what can be checked without the network.
    pub fn validate(&self) -> Result<(), ClientError> {
        if self.name.trim().is_empty() {
            return Err(ClientError::Config("a profile needs a name".into()));
        }
        if !self.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err(ClientError::Config(format!(
                "profile name {:?}: use letters, digits, '-' and '_' only",
                self.name
            )));
        }
        for url in std::iter::once(&self.order_url).chain(self.catalog_url.iter()) {
            let parsed = reqwest::Url::parse(url)
                .map_err(|err| ClientError::Config(format!("{url:?} is not a URL: {err}")))?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(ClientError::Config(format!("{url:?}: only http and https")));
            }
        }
        if let AuthConfig::OAuth2 { token_url, .. } = &self.auth {
            reqwest::Url::parse(token_url).map_err(|err| {
                ClientError::Config(format!("token URL {token_url:?} is not a URL: {err}"))
            })?;
        }
        if self.page_size == 0 {
            return Err(ClientError::Config("page size must be at least 1".into()));
        }
        for (name, value) in &self.headers {
            reqwest::header::HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| ClientError::Config(format!("{name:?} is not a header name")))?;
            reqwest::header::HeaderValue::from_str(value)
                .map_err(|_| ClientError::Config(format!("header {name}: invalid value")))?;
        }
        Ok(())
    }

    /// The version fixed by the profile or remembered from detection.
    pub fn known_version(&self) -> Option<Version> {
        match self.version {
            VersionChoice::Fixed(v) => Some(v),
            VersionChoice::Auto => {
                self.detected_version.or_else(|| version_in_url(&self.order_url))
            }
        }
    }
}

/// A `/v4` or `/v5` path segment in a TMF root (the last one wins).
pub fn version_in_url(url: &str) -> Option<Version> {
    let parsed = reqwest::Url::parse(url).ok()?;
    let segments: Vec<&str> = parsed.path_segments()?.collect();
    segments.into_iter().rev().find_map(Version::in_path_segment)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_from_url() {
        assert_eq!(
            version_in_url("http://h/tmf-api/productOrderingManagement/v5/"),
            Some(Version::V5)
        );
        assert_eq!(version_in_url("http://h/tmf-api/productOrdering/v4/biz"), Some(Version::V4));
        assert_eq!(version_in_url("http://h/orders"), None);
        assert_eq!(version_in_url("http://h/tmf-api/x/V4.0.0/4"), Some(Version::V4));
    }

    #[test]
    fn version_choices_keep_their_stored_form() {
        for (choice, text) in [
            (VersionChoice::Fixed(Version::V4), "\"v4\""),
            (VersionChoice::Fixed(Version::V5), "\"v5\""),
            (VersionChoice::Auto, "\"auto\""),
        ] {
            assert_eq!(serde_json::to_string(&choice).unwrap(), text);
            assert_eq!(serde_json::from_str::<VersionChoice>(text).unwrap(), choice);
            assert_eq!(text.trim_matches('"').parse::<VersionChoice>().unwrap(), choice);
        }
        assert!(serde_json::from_str::<VersionChoice>("\"v6\"").is_err());
        assert!("v6".parse::<VersionChoice>().is_err());
        assert_eq!(serde_json::to_string(&AuthMode::OAuth2).unwrap(), "\"oauth2\"");
    }

    #[test]
    fn profile_round_trips_and_validates() {
        let mut p = Profile::new("lab", "http://127.0.0.1:1/tmf-api/productOrderingManagement/v4/");
        p.auth = AuthConfig::OAuth2 {
            token_url: "http://127.0.0.1:1/oauth/token".into(),
            client_id: "agent".into(),
            scope: None,
        };
        p.validate().unwrap();
        let text = serde_json::to_string(&p).unwrap();
        assert!(text.contains("\"mode\":\"oauth2\""));
        let back: Profile = serde_json::from_str(&text).unwrap();
        assert_eq!(back, p);
        p.name = "bad name".into();
        assert!(p.validate().is_err());
        p.name = "ok".into();
        p.order_url = "ftp://x".into();
        assert!(p.validate().is_err());
    }
}
