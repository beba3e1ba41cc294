//! The app's status for the first screen and the agent's settings (rounding, default TMF622
//! version), kept in the store under one key.

use std::sync::PoisonError;

use crate::error::{self, Result};
use crate::view::{AppStatus, Settings};
use crate::Service;

pub(crate) const SETTINGS_KEY: &str = "app.settings";

impl Service {
    /// What the first screen needs: is this a first start, is the demo server running.
    pub async fn status(&self) -> Result<AppStatus> {
        let profiles = self.list_profiles().await?;
        let demo = self.demo_status();
        let catalog = self.catalog();
        Ok(AppStatus {
            data_dir: self.data_dir.display().to_string(),
            first_start: profiles.is_empty(),
            demo,
            catalog_version: catalog.version.clone(),
            offering_count: u32::try_from(catalog.offerings.len()).unwrap_or(u32::MAX),
            profiles,
        })
    }

    /// Save the settings (checked) and return them.
    pub async fn save_settings(&self, settings: Settings) -> Result<Settings> {
        let value = serde_json::to_value(&settings).map_err(|e| error::invalid(e.to_string()))?;
        self.write(move |s| Ok(s.set_setting(SETTINGS_KEY, &value)?)).await?;
        *self.settings.write().unwrap_or_else(PoisonError::into_inner) = settings.clone();
        Ok(settings)
    }
}
