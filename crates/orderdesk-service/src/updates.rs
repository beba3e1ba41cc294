//! Where the app looks for updates, and what an update looks like to the agent.
//!
//! The build carries a default feed and the public key updates must be signed with (the
//! desktop app's configuration); the agent's installation may name another feed (a shop's own
//! mirror), kept here as a setting. Checking, verifying and installing are the desktop shell's
//! (`tauri-plugin-updater`); this module owns the setting, its checks and the views.

use orderdesk_store::Queries;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::{self, Result};
use crate::Service;

const UPDATES_KEY: &str = "app.updates";

/// The longest release note shown; a longer one is cut (a feed is outside input).
pub const MAX_NOTES_CHARS: usize = 20_000;
/// The longest feed address accepted.
pub const MAX_FEED_CHARS: usize = 2_000;

/// The agent's update settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct UpdateSettings {
    /// The feed to check (an `https` address, or `http` on this machine); empty: the build's
    /// default feed.
    pub feed: String,
    /// Look for an update each time the app starts.
    pub check_on_start: bool,
}

impl Default for UpdateSettings {
    fn default() -> Self {
        UpdateSettings { feed: String::new(), check_on_start: true }
    }
}

/// A newer version the feed offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct UpdateView {
    /// The running version.
    pub current_version: String,
    /// The version offered.
    pub version: String,
    /// When it was published (RFC 3339), when the feed says.
    pub date: Option<String>,
    /// What is new, as the feed words it (plain text), at most [`MAX_NOTES_CHARS`].
    pub notes: String,
}

impl UpdateView {
    /// The view of an offered update; notes beyond [`MAX_NOTES_CHARS`] are cut.
    pub fn new(current: &str, version: &str, date: Option<String>, notes: Option<&str>) -> Self {
        let notes = notes.unwrap_or_default();
        let notes = match notes.char_indices().nth(MAX_NOTES_CHARS) {
            Some((cut, _)) => format!("{}…", &notes[..cut]),
            None => notes.to_owned(),
        };
        UpdateView { current_version: current.to_owned(), version: version.to_owned(), date, notes }
    }
}

/// A feed address the updater may use: `https`, or `http` to this machine only (a local
/// mirror, tests). The updater fills in `{{target}}`, `{{arch}}` and `{{current_version}}`.
pub fn check_feed(text: &str) -> Result<Url> {
    let text = text.trim();
    if text.chars().count() > MAX_FEED_CHARS {
        return Err(error::invalid(format!(
            "the update feed address is longer than {MAX_FEED_CHARS} characters"
        )));
    }
    let url = Url::parse(text)
        .map_err(|e| error::invalid(format!("the update feed {text:?} is not an address: {e}")))?;
    let local = match url.host() {
        Some(url::Host::Domain(name)) => name == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => {}
        "http" if local => {}
        "http" => {
            return Err(error::invalid(format!(
                "the update feed {text:?} must use https (plain http only on this machine)"
            )))
        }
        other => {
            return Err(error::invalid(format!(
                "the update feed {text:?} uses {other:?}; use an https address"
            )))
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(error::invalid(
            "the update feed address must not carry a user name or password",
        ));
    }
    Ok(url)
}

impl Service {
    /// The agent's update settings (the defaults until saved).
    pub async fn update_settings(&self) -> Result<UpdateSettings> {
        let stored = self.read(|r| Ok(r.setting(UPDATES_KEY)?)).await?;
        // A stored value this version cannot read falls back to the defaults.
        Ok(stored.and_then(|v| serde_json::from_value(v).ok()).unwrap_or_default())
    }

    /// Save the update settings; the feed is checked ([`check_feed`]) unless empty.
    pub async fn save_update_settings(&self, settings: UpdateSettings) -> Result<UpdateSettings> {
        let feed = settings.feed.trim();
        let settings = UpdateSettings {
            feed: if feed.is_empty() { String::new() } else { check_feed(feed)?.to_string() },
            ..settings
        };
        let value = serde_json::to_value(&settings).map_err(|e| error::invalid(e.to_string()))?;
        self.write(move |s| Ok(s.set_setting(UPDATES_KEY, &value)?)).await?;
        tracing::info!(custom_feed = !settings.feed.is_empty(), "update settings saved");
        Ok(settings)
    }

    /// The feed to check: the agent's when set, else `default` (the build's); `None` when
    /// neither names one.
    pub async fn update_feed(&self, default: Option<&Url>) -> Result<Option<Url>> {
        let settings = self.update_settings().await?;
        if settings.feed.is_empty() {
            Ok(default.cloned())
        } else {
            check_feed(&settings.feed).map(Some)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feeds_are_https_or_local_http() {
        assert!(check_feed("https://updates.example.com/{{target}}/{{arch}}/{{current_version}}")
            .is_ok());
        assert!(check_feed("http://127.0.0.1:8080/latest.json").is_ok());
        assert!(check_feed("http://localhost/latest.json").is_ok());
        assert!(check_feed("http://[::1]:9/latest.json").is_ok());
        assert!(check_feed("http://updates.example.com/latest.json").is_err());
        assert!(check_feed("ftp://updates.example.com/latest.json").is_err());
        assert!(check_feed("https://me:pw@updates.example.com/").is_err());
        assert!(check_feed("not an address").is_err());
        assert!(check_feed(&format!("https://x.example/{}", "a".repeat(MAX_FEED_CHARS))).is_err());
    }

    #[test]
    fn long_notes_are_cut() {
        let view = UpdateView::new("0.1.0", "0.2.0", None, Some(&"é".repeat(MAX_NOTES_CHARS + 5)));
        assert_eq!(view.notes.chars().count(), MAX_NOTES_CHARS + 1);
        assert!(view.notes.ends_with('…'));
        assert_eq!(UpdateView::new("0.1.0", "0.2.0", None, None).notes, "");
    }
}
