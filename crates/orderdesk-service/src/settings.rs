//! The app's status for the first screen and the agent's settings (rounding, default TMF622
//! version, locale, theme, the shop's name), kept in the store under one key.

use std::sync::PoisonError;

use crate::error::{self, Result};
use crate::view::{AppStatus, Settings};
use crate::Service;

pub(crate) const SETTINGS_KEY: &str = "app.settings";

/// The longest shop name accepted: it is printed on one line of the customer summary.
const MAX_SHOP_NAME_LEN: usize = 120;

/// The longest locale setting accepted; real tags are a few characters long.
const MAX_LOCALE_LEN: usize = 64;

/// A locale setting in canonical form (`de-de` → `de-DE`); empty stays empty (the system's).
fn canonical_locale(tag: &str) -> Result<String> {
    let tag = tag.trim();
    if tag.is_empty() {
        return Ok(String::new());
    }
    if tag.len() > MAX_LOCALE_LEN {
        return Err(error::invalid(format!(
            "the locale is longer than {MAX_LOCALE_LEN} characters"
        )));
    }
    icu_locale_core::Locale::try_from_str(tag)
        .map(|locale| locale.to_string())
        .map_err(|e| error::invalid(format!("{tag:?} is not a BCP 47 locale such as de-DE: {e}")))
}

impl Service {
    /// What the first screen needs: is this a first start, is the demo server running.
    pub async fn status(&self) -> Result<AppStatus> {
        let profiles = self.list_profiles().await?;
        let offerings = self.catalog_offerings().await?;
        let demo = self.demo_status(offerings);
        let catalog = self.cached_catalog();
        Ok(AppStatus {
            data_dir: self.data_dir.display().to_string(),
            first_start: profiles.is_empty(),
            demo,
            catalog_version: catalog.version,
            offering_count: offerings,
            profiles,
            settings: self.settings(),
        })
    }

    /// Save the settings (checked) and return them.
    pub async fn save_settings(&self, settings: Settings) -> Result<Settings> {
        let shop_name = settings.shop_name.trim().to_owned();
        if shop_name.chars().count() > MAX_SHOP_NAME_LEN {
            return Err(error::invalid(format!(
                "the shop name is longer than {MAX_SHOP_NAME_LEN} characters"
            )));
        }
        if shop_name.chars().any(char::is_control) {
            return Err(error::invalid("the shop name must be one line of text"));
        }
        let settings =
            Settings { locale: canonical_locale(&settings.locale)?, shop_name, ..settings };
        let value = serde_json::to_value(&settings).map_err(|e| error::invalid(e.to_string()))?;
        self.write(move |s| Ok(s.set_setting(SETTINGS_KEY, &value)?)).await?;
        *self.settings.write().unwrap_or_else(PoisonError::into_inner) = settings.clone();
        Ok(settings)
    }
}
