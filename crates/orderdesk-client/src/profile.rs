//! Server profiles: how to reach one TMF622 server (and its TMF620 catalog). A profile never
//! holds a secret; see [`crate::secret`].

use std::collections::{BTreeMap, BTreeSet};
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
    /// The TMF629 root; without it, the order root with its API segment replaced
    /// (`.../customerManagement/v4/`).
    #[serde(default)]
    pub customer_url: Option<String>,
    /// The TMF637 root; without it, derived from the order root like the customer root.
    #[serde(default)]
    pub inventory_url: Option<String>,
    #[serde(default)]
    pub version: VersionChoice,
    /// What `auto` found, so detection happens once.
    #[serde(default)]
    pub detected_version: Option<Version>,
    /// A path segment between the root and the resource
    /// (`.../productOrdering/v4/{businessId}/productOrder`).
    #[serde(default)]
    pub business_id: Option<String>,
    /// Extra headers sent with every request (never secrets: they are stored in clear, so a
    /// credential-like one is refused, see [`is_credential_header`]).
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
            customer_url: None,
            inventory_url: None,
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

    /// Checks what can be checked without the network: the name, every URL
    /// ([`check_url`]; the secret goes to the order, catalog, customer and inventory URLs and
    /// to the token URL),
    /// the page size and the extra headers (no credential among them, see
    /// [`is_credential_header`]). Messages never repeat a URL, which may hold a password.
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
        let authenticated = self.auth.needs_secret();
        for (what, url) in self.urls() {
            check_url(url, authenticated || what == "token URL")
                .map_err(|why| ClientError::Config(format!("the {what}: {why}")))?;
        }
        if self.page_size == 0 {
            return Err(ClientError::Config("page size must be at least 1".into()));
        }
        for (name, value) in &self.headers {
            reqwest::header::HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| ClientError::Config(format!("{name:?} is not a header name")))?;
            reqwest::header::HeaderValue::from_str(value)
                .map_err(|_| ClientError::Config(format!("header {name}: invalid value")))?;
            if is_credential_header(name) {
                return Err(ClientError::Config(credential_header_refusal(name)));
            }
        }
        Ok(())
    }

    /// Every URL the profile sends requests to, by what it is.
    fn urls(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let token_url = match &self.auth {
            AuthConfig::OAuth2 { token_url, .. } => Some(token_url.as_str()),
            _ => None,
        };
        std::iter::once(("order URL", self.order_url.as_str()))
            .chain(self.catalog_url.as_deref().map(|url| ("catalog URL", url)))
            .chain(self.customer_url.as_deref().map(|url| ("customer URL", url)))
            .chain(self.inventory_url.as_deref().map(|url| ("inventory URL", url)))
            .chain(token_url.map(|url| ("token URL", url)))
    }

    /// Where the profile's secret is sent: the origin (scheme, host and port) of every URL
    /// it calls (order, catalog, customer, inventory, token). A URL that does not parse stands for itself.
    pub fn secret_origins(&self) -> BTreeSet<String> {
        self.urls()
            .map(|(_, url)| {
                reqwest::Url::parse(url)
                    .map(|u| u.origin().ascii_serialization())
                    .unwrap_or_else(|_| url.to_owned())
            })
            .collect()
    }

    /// Whether the secret filed for `old` may be used by this profile (the same profile
    /// edited): only when every origin it would go to is one it went to before. A new
    /// scheme, host or port asks for the secret again.
    pub fn keeps_secret_of(&self, old: &Profile) -> bool {
        self.secret_origins().is_subset(&old.secret_origins())
    }

    /// The names of the extra headers that carry a credential (a profile saved before they
    /// were refused may hold some); such a profile is refused by [`Profile::validate`] until
    /// they are removed.
    pub fn credential_headers(&self) -> Vec<String> {
        self.headers.keys().filter(|name| is_credential_header(name)).cloned().collect()
    }

    /// The profile as it may be shown: without credentials inside its URLs and without the
    /// values of credential-like headers (a profile saved before both were refused).
    pub fn redacted(&self) -> Profile {
        let mut shown = self.clone();
        shown.order_url = redact_url(&self.order_url);
        shown.catalog_url = self.catalog_url.as_deref().map(redact_url);
        shown.customer_url = self.customer_url.as_deref().map(redact_url);
        shown.inventory_url = self.inventory_url.as_deref().map(redact_url);
        if let AuthConfig::OAuth2 { token_url, .. } = &mut shown.auth {
            *token_url = redact_url(token_url);
        }
        for (name, value) in &mut shown.headers {
            if is_credential_header(name) {
                *value = "(removed: a credential)".to_owned();
            }
        }
        shown
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

/// Why `text` cannot be one of a profile's URLs: not an absolute http(s) URL with a host,
/// credentials inside it (they would be kept in clear and sent with every request; the
/// authentication mode's secret belongs in the OS keychain), or, when a secret is sent
/// there (`authenticated`), plain http to another machine than this one.
pub fn check_url(text: &str, authenticated: bool) -> Result<reqwest::Url, String> {
    let url = reqwest::Url::parse(text).map_err(|err| format!("not a URL: {err}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("use an http or https URL, not {}:", url.scheme()));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the URL needs a host".to_owned());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("no credentials in the URL: choose an authentication mode, whose secret \
                    is kept in the OS keychain"
            .to_owned());
    }
    if authenticated && url.scheme() == "http" && !is_loopback(&url) {
        return Err("use https: a secret is sent in clear over plain http (http is accepted \
                    only for this machine: localhost, 127.0.0.1, [::1])"
            .to_owned());
    }
    Ok(url)
}

/// This machine: `localhost` or a loopback address.
fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        None => false,
    }
}

/// `text` without the user name and password inside it (unchanged when it is no URL).
fn redact_url(text: &str) -> String {
    match reqwest::Url::parse(text) {
        Ok(mut url) if !url.username().is_empty() || url.password().is_some() => {
            // Cannot fail on a URL that has a host, and only such a URL holds credentials.
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.to_string()
        }
        _ => text.to_owned(),
    }
}

/// Whether a header named `name` carries a credential: `Authorization`,
/// `Proxy-Authorization`, `Cookie`, and any name that speaks of a token, secret, password,
/// key, session, signature or auth. Such a header would be stored in clear in the database;
/// it is refused, and the profile's authentication mode carries the secret instead (bearer:
/// `Authorization: Bearer`, headers: `client_id`/`client_secret`, oauth2), kept in the OS
/// keychain and bound to the profile's origins.
pub fn is_credential_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["auth", "cookie", "token", "secret", "passw", "key", "session", "signature", "credential"]
        .iter()
        .any(|word| name.contains(word))
}

/// Why a credential-like header is refused, and what to do instead.
pub fn credential_header_refusal(name: &str) -> String {
    format!(
        "header {name}: a credential is never kept in the database; choose an authentication \
         mode (bearer, oauth2 or headers), whose secret is kept in the OS keychain"
    )
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

    fn refusal(p: &Profile) -> String {
        p.validate().err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn urls_hold_no_credentials_and_secrets_travel_over_https() {
        let mut p = Profile::new("lab", "https://agent:hunter2@partner.example/tmf/v4/");
        let why = refusal(&p);
        assert!(why.contains("no credentials in the URL"), "{why}");
        assert!(!why.contains("hunter2"), "the refusal repeats no password: {why}");
        assert_eq!(p.redacted().order_url, "https://partner.example/tmf/v4/");

        p.order_url = "http://partner.example/tmf/v4/".into();
        p.validate().unwrap();
        p.auth = AuthConfig::Bearer;
        assert!(refusal(&p).contains("use https"), "{}", refusal(&p));
        for local in ["http://127.0.0.1:8080/v4/", "http://localhost/v4/", "http://[::1]:1/v4/"] {
            p.order_url = local.into();
            p.validate().unwrap();
        }
        p.catalog_url = Some("http://catalog.example/v4/".into());
        assert!(refusal(&p).contains("the catalog URL: use https"), "{}", refusal(&p));
        p.catalog_url = None;
        p.customer_url = Some("http://crm.example/customerManagement/v4/".into());
        assert!(refusal(&p).contains("the customer URL: use https"), "{}", refusal(&p));
        p.customer_url = Some("https://crm.example/customerManagement/v4/".into());
        p.inventory_url = Some("https://u:pw@inventory.example/v4/".into());
        assert!(refusal(&p).contains("the inventory URL: no credentials"), "{}", refusal(&p));
        assert_eq!(p.redacted().inventory_url.as_deref(), Some("https://inventory.example/v4/"));
        p.inventory_url = None;
        assert!(p.secret_origins().contains("https://crm.example"));
        p.customer_url = None;
        // The client secret always goes to the token URL.
        p.auth = AuthConfig::OAuth2 {
            token_url: "http://idp.example/token".into(),
            client_id: "agent".into(),
            scope: None,
        };
        assert!(refusal(&p).contains("the token URL: use https"), "{}", refusal(&p));
    }

    #[test]
    fn credential_headers_are_refused() {
        for name in [
            "Authorization",
            "proxy-authorization",
            "Cookie",
            "X-API-Key",
            "X-Auth-Token",
            "Ocp-Apim-Subscription-Key",
            "client_secret",
            "X-Session",
        ] {
            assert!(is_credential_header(name), "{name}");
        }
        for name in ["X-Channel", "Accept-Language", "X-Tenant"] {
            assert!(!is_credential_header(name), "{name}");
        }
        let mut p = Profile::new("lab", "https://partner.example/tmf/v4/");
        p.headers.insert("X-Channel".into(), "shop".into());
        p.validate().unwrap();
        p.headers.insert("Authorization".into(), "Bearer abc".into());
        assert!(refusal(&p).contains("header Authorization: a credential"), "{}", refusal(&p));
        assert_eq!(p.credential_headers(), ["Authorization"]);
        assert!(!format!("{:?}", p.redacted().headers).contains("abc"));
    }

    #[test]
    fn a_secret_stays_with_its_origins() {
        let old = Profile {
            auth: AuthConfig::OAuth2 {
                token_url: "https://idp.example/token".into(),
                client_id: "agent".into(),
                scope: None,
            },
            catalog_url: Some("https://partner.example/catalog/v4/".into()),
            ..Profile::new("lab", "https://partner.example/tmf/v4/")
        };
        let same_origins = Profile {
            order_url: "https://PARTNER.example:443/other/path/v5/".into(),
            catalog_url: None,
            ..old.clone()
        };
        assert!(same_origins.keeps_secret_of(&old));
        for moved in [
            Profile { order_url: "https://evil.example/tmf/v4/".into(), ..old.clone() },
            Profile { order_url: "https://partner.example:8443/tmf/v4/".into(), ..old.clone() },
            Profile { order_url: "http://partner.example/tmf/v4/".into(), ..old.clone() },
            Profile { catalog_url: Some("https://cdn.example/c/".into()), ..old.clone() },
            Profile {
                auth: AuthConfig::OAuth2 {
                    token_url: "https://idp.evil.example/token".into(),
                    client_id: "agent".into(),
                    scope: None,
                },
                ..old.clone()
            },
        ] {
            assert!(!moved.keeps_secret_of(&old), "{moved:?}");
        }
    }
}
