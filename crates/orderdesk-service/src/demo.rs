//! Demo mode: the reference server started in-process on 127.0.0.1, recorded as the active
//! `demo` server profile, with the bundled demo catalog cached under its digest.
//!
//! The demo server is the app's alone: it runs app-only (the `Host` must be the address it
//! bound, requests with an `Origin` and bodies that are not JSON are refused, so no web page
//! the agent opens can use it) and takes a random bearer token made for each start. The
//! token is the demo profile's secret: it lives in memory ([`DemoToken`]), answered for the
//! `demo` profile by the service's secret store ([`WithDemoToken`]), so the sync engine sends
//! it on every request; it never reaches SQLite or the OS keyring.

use std::sync::{Arc, Mutex, PoisonError};

use orderdesk_client::secret::Secret;
use orderdesk_client::ClientError;
use orderdesk_store::Queries;
use serde_json::Value;

use crate::error::{Result, ServiceError};
use crate::profiles::SecretStore;
use crate::records::SnapshotImport;
use crate::view::DemoStatus;
use crate::Service;

/// The name of the demo server's profile.
pub const DEMO_PROFILE: &str = "demo";
const DEMO_KEY: &str = "app.demo";
/// The source recorded with the bundled demo catalog when it is cached.
const DEMO_SOURCE: &str = "demo server";

/// The running demo server's token, for this run only.
#[derive(Debug, Default)]
pub(crate) struct DemoToken(Mutex<Option<Secret>>);

impl DemoToken {
    fn set(&self, token: Option<Secret>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = token;
    }

    fn get(&self) -> Option<Secret> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

/// A secret store whose `demo` profile's secret is the running demo server's token; every
/// other profile's is `inner`'s. The demo profile's secret is never filed anywhere.
pub(crate) struct WithDemoToken {
    token: Arc<DemoToken>,
    inner: Arc<dyn SecretStore>,
}

impl WithDemoToken {
    pub(crate) fn new(token: Arc<DemoToken>, inner: Arc<dyn SecretStore>) -> Self {
        Self { token, inner }
    }
}

impl SecretStore for WithDemoToken {
    fn put(&self, profile: &str, secret: &Secret) -> std::result::Result<(), ClientError> {
        if profile == DEMO_PROFILE {
            return Ok(());
        }
        self.inner.put(profile, secret)
    }

    fn get(&self, profile: &str) -> std::result::Result<Option<Secret>, ClientError> {
        if profile == DEMO_PROFILE {
            return Ok(self.token.get());
        }
        self.inner.get(profile)
    }

    fn delete(&self, profile: &str) {
        if profile != DEMO_PROFILE {
            self.inner.delete(profile);
        }
    }
}

/// The version the bundled demo catalog is cached under: `demo-` and the start of its
/// SHA-256, so a changed catalog in a new build is imported again and an unchanged one is not.
fn demo_catalog_version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| {
        use sha2::{Digest, Sha256};
        use std::fmt::Write;
        let digest = Sha256::digest(orderdesk_server::catalog::DEMO_CATALOG.as_bytes());
        digest.iter().take(8).fold(String::from("demo-"), |mut version, byte| {
            // Writing to a String cannot fail.
            let _ = write!(version, "{byte:02x}");
            version
        })
    })
}

impl Service {
    /// The demo server's status if it is running, with the cached catalog's `offerings`;
    /// never waits for a start or stop under way (during one, the state before it).
    pub(crate) fn demo_status(&self, offerings: u32) -> Option<DemoStatus> {
        let base_url = self.demo_url.lock().unwrap_or_else(PoisonError::into_inner).clone()?;
        let catalog = self.cached_catalog();
        Some(DemoStatus {
            base_url,
            catalog_version: catalog.version.unwrap_or_default(),
            offerings,
        })
    }

    /// Start the bundled reference server in-process on 127.0.0.1 (random port) with the
    /// demo catalog, import that catalog, and record the server as the `demo` profile.
    /// Idempotent: a running demo server is reused. Must run inside a tokio runtime.
    pub async fn start_demo(&self) -> Result<DemoStatus> {
        {
            let mut demo = self.demo.lock().await;
            if demo.is_none() {
                let token = orderdesk_server::auth::new_token();
                let server = orderdesk_server::start(orderdesk_server::ServerConfig {
                    lifecycle: self.demo_lifecycle.clone(),
                    auth: orderdesk_server::AuthMode::Bearer { token: token.clone() },
                    app_only: true,
                    ..orderdesk_server::ServerConfig::default()
                })
                .await
                .map_err(|e| ServiceError::Demo(e.to_string()))?;
                self.demo_token.set(Some(Secret::new(token)));
                // The demo server is an ordinary server profile for the sync engine, made the
                // active one; its port changes on every start, so the profile is rewritten.
                let profile = orderdesk_client::Profile {
                    catalog_url: Some(server.catalog_url_v4()),
                    version: orderdesk_client::VersionChoice::Fixed(orderdesk_wire::Version::V4),
                    auth: orderdesk_client::AuthConfig::Bearer,
                    ..orderdesk_client::Profile::new(DEMO_PROFILE, server.base_url_v4())
                };
                *demo = Some(server);
                self.write(move |s| {
                    orderdesk_sync::profiles::save(s, &profile)?;
                    orderdesk_sync::profiles::set_active(s, DEMO_PROFILE)?;
                    s.set_setting(DEMO_KEY, &Value::Bool(true))?;
                    Ok(())
                })
                .await?;
                // The next request builds its client with this start's token.
                self.engine.forget_client(DEMO_PROFILE);
            }
            // The bundled catalog is cached under its digest: a start that finds it cached
            // already (every start after the first) skips the import and its index rebuild.
            let version = demo_catalog_version();
            let cached = self.read(|r| Ok(r.catalog_version()?)).await?;
            if !cached.is_some_and(|c| c.version == version && c.source == DEMO_SOURCE) {
                self.import_snapshot(
                    orderdesk_server::catalog::DEMO_CATALOG.to_owned(),
                    SnapshotImport {
                        version: Some(version.to_owned()),
                        ..SnapshotImport::replacing(DEMO_SOURCE)
                    },
                )
                .await?;
            }
            let base_url = demo.as_ref().map(|server| server.base_url().to_owned());
            *self.demo_url.lock().unwrap_or_else(PoisonError::into_inner) = base_url;
        }
        let offerings = self.catalog_offerings().await?;
        self.demo_status(offerings).ok_or(ServiceError::Demo("the demo server stopped".into()))
    }

    /// Start the demo server again if the agent chose it before (called at app start).
    pub async fn resume_demo(&self) -> Result<Option<DemoStatus>> {
        let chosen = self.read(|r| Ok(r.setting(DEMO_KEY)?)).await?;
        if chosen == Some(Value::Bool(true)) {
            return self.start_demo().await.map(Some);
        }
        Ok(None)
    }

    /// Stop the demo server (the profile stays; the catalog stays cached).
    pub async fn stop_demo(&self) {
        if let Some(background) = self.background.lock().await.take() {
            background.stop(std::time::Duration::from_secs(2)).await;
        }
        let mut demo = self.demo.lock().await;
        *self.demo_url.lock().unwrap_or_else(PoisonError::into_inner) = None;
        if let Some(server) = demo.take() {
            server.shutdown().await;
        }
        // The token stays the demo profile's secret until the next start makes a new one: it
        // opens nothing once its server is gone, and the sync engine keeps finding the demo
        // server unreachable (offline), as an agent expects, rather than without a secret.
    }

    /// A client of the running demo server, with its token: for callers in this process that
    /// talk to it outside the sync engine. The token itself is never handed out.
    pub async fn demo_client(&self) -> Result<Arc<orderdesk_client::Client>> {
        if self.demo_url.lock().unwrap_or_else(PoisonError::into_inner).is_none() {
            return Err(ServiceError::Demo("the demo server is not running".into()));
        }
        Ok(self.engine.client(DEMO_PROFILE).await?)
    }
}
