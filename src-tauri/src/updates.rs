//! Signed updates through `tauri-plugin-updater`.
//!
//! The feed is the agent's setting (`orderdesk-service`'s `UpdateSettings`), else the build's
//! default (`plugins.updater.endpoints` in `tauri.conf.json`). An update is installed only when
//! its package carries a minisign signature by the build's public key
//! (`plugins.updater.pubkey`) *and* that signature names the version the feed announced
//! (`requireSignedVersion`), so neither a tampered package nor an old, genuinely signed one
//! passed off as new is installed. A build without a public key does not look for updates.
//!
//! The plugin installs the package the way the app was installed: `dpkg -i` (through `pkexec`)
//! for the `.deb`, `rpm -U` for the `.rpm`, the file swapped for an AppImage, the installer on
//! Windows, the bundle on macOS. The agent's data directory is never touched: the new version
//! migrates the database when it opens it.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use orderdesk_service::UpdateView;
use tauri::{AppHandle, Runtime};
use tauri_plugin_updater::{Error as UpdaterError, Update, UpdaterBuilder, UpdaterExt};
use url::Url;

use crate::error::IpcError;

/// How long a check or a download may take before it is given up.
pub const UPDATE_TIMEOUT: Duration = Duration::from_secs(300);

/// The build's update configuration.
#[derive(Debug, Clone, Default)]
pub struct UpdateConfig {
    /// The public key updates must be signed with (as `tauri signer generate` prints it);
    /// empty: this build does not update itself.
    pub pubkey: String,
    /// The feed used when the agent has not named one.
    pub default_feed: Option<Url>,
}

impl UpdateConfig {
    /// `plugins.updater` of the app's configuration.
    pub fn of<R: Runtime>(app: &AppHandle<R>) -> Self {
        let Some(updater) = app.config().plugins.0.get("updater") else {
            return UpdateConfig::default();
        };
        UpdateConfig {
            pubkey: updater.get("pubkey").and_then(|k| k.as_str()).unwrap_or("").trim().to_owned(),
            default_feed: updater
                .get("endpoints")
                .and_then(|e| e.get(0))
                .and_then(|e| e.as_str())
                .and_then(|e| Url::parse(e).ok()),
        }
    }

    /// Whether this build can verify, and so install, updates.
    pub fn enabled(&self) -> bool {
        !self.pubkey.is_empty()
    }
}

/// The app's updater: the build's configuration, the plugin's updater for this app, and the
/// update found by the last check until it is installed. Managed as state; the commands need
/// no generic app handle.
pub struct Updates {
    config: UpdateConfig,
    builder: Box<dyn Fn() -> UpdaterBuilder + Send + Sync>,
    restart: Box<dyn Fn() + Send + Sync>,
    pending: Mutex<Option<Update>>,
    executable: Option<PathBuf>,
}

impl Updates {
    /// The updater of `app` (whose updater plugin is installed), configured as the app is.
    pub fn new<R: Runtime>(app: &AppHandle<R>) -> Self {
        let (for_builder, for_restart) = (app.clone(), app.clone());
        Updates {
            config: UpdateConfig::of(app),
            builder: Box::new(move || for_builder.updater_builder()),
            restart: Box::new(move || for_restart.restart()),
            pending: Mutex::new(None),
            executable: None,
        }
    }

    /// Install AppImage updates over `path` instead of the running program (tests).
    pub fn installing_over(mut self, path: PathBuf) -> Self {
        self.executable = Some(path);
        self
    }

    /// The build's update configuration.
    pub fn config(&self) -> &UpdateConfig {
        &self.config
    }

    /// Start the app again (into an installed update).
    pub fn restart(&self) {
        (self.restart)();
    }

    /// Remember `update` (or forget the last one).
    pub fn set_pending(&self, update: Option<Update>) {
        *self.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = update;
    }

    /// The pending update if it offers `version`.
    pub fn take_pending(&self, version: &str) -> Option<Update> {
        let mut pending = self.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match pending.as_ref() {
            Some(update) if update.version == version => pending.take(),
            _ => None,
        }
    }

    /// Whether `feed` offers a newer version than the running one.
    pub async fn check(&self, feed: Url) -> Result<Option<Update>, IpcError> {
        let pubkey = self.config.pubkey.as_str();
        if pubkey.is_empty() {
            return Err(failure(
                "update.not_configured",
                "this build has no update key, so it cannot verify updates; install new \
                 versions from your IT department's packages",
            ));
        }
        let mut builder = (self.builder)()
            .pubkey(pubkey)
            .timeout(UPDATE_TIMEOUT)
            .endpoints(vec![feed])
            .map_err(error)?;
        if let Some(path) = &self.executable {
            builder = builder.executable_path(path);
        }
        let found = builder.build().map_err(error)?.check().await.map_err(error)?;
        match &found {
            Some(update) => tracing::info!(
                current = %update.current_version,
                offered = %update.version,
                "an update is offered"
            ),
            None => tracing::info!("no update offered"),
        }
        Ok(found)
    }
}

fn failure(code: &str, message: impl Into<String>) -> IpcError {
    IpcError { code: code.to_owned(), message: message.into() }
}

/// The plugin's errors as the agent reads them, with stable codes.
fn error(error: UpdaterError) -> IpcError {
    match error {
        UpdaterError::Minisign(_)
        | UpdaterError::Base64(_)
        | UpdaterError::SignatureUtf8(_)
        | UpdaterError::MissingSignedVersion
        | UpdaterError::SignedVersionMismatch { .. } => failure(
            "update.bad_signature",
            format!(
                "the update was refused: its signature does not verify with this build's update \
                 key for the version offered ({error}); nothing was installed"
            ),
        ),
        UpdaterError::ReleaseNotFound
        | UpdaterError::Serialization(_)
        | UpdaterError::Semver(_)
        | UpdaterError::TargetNotFound(_)
        | UpdaterError::TargetsNotFound(_)
        | UpdaterError::UrlParse(_) => {
            failure("update.feed", format!("the update feed's answer cannot be used: {error}"))
        }
        UpdaterError::Reqwest(_) | UpdaterError::Network(_) => {
            failure("update.network", format!("the update feed could not be reached: {error}"))
        }
        UpdaterError::InsecureTransportProtocol => {
            failure("update.insecure", "the update feed must use https")
        }
        UpdaterError::UnsupportedOs | UpdaterError::UnsupportedArch => {
            failure("update.unsupported", format!("updates are not offered here: {error}"))
        }
        other => failure("update.install", format!("the update could not be installed: {other}")),
    }
}

/// What the agent is shown about `update`.
pub fn view(update: &Update) -> UpdateView {
    let date = update.raw_json.get("pub_date").and_then(|d| d.as_str()).map(str::to_owned);
    UpdateView::new(&update.current_version, &update.version, date, update.body.as_deref())
}

/// Download `update`, verify its signature and install it. A package whose signature does not
/// verify is refused before anything is installed (`update.bad_signature`). Installing may
/// wait for the agent (an administrator's password for a system package), so it runs off the
/// async threads.
pub async fn install(update: Update) -> Result<(), IpcError> {
    let bytes = update.download(|_, _| {}, || {}).await.map_err(|e| {
        let e = error(e);
        tracing::warn!(version = %update.version, code = %e.code, "update download refused");
        e
    })?;
    let version = update.version.clone();
    tokio::task::spawn_blocking(move || update.install(bytes))
        .await
        .map_err(|e| failure("update.install", format!("the installation stopped: {e}")))?
        .map_err(|e| {
            let e = error(e);
            tracing::warn!(%version, code = %e.code, "update not installed");
            e
        })?;
    tracing::info!(%version, "update installed; it runs from the next start");
    Ok(())
}
