//! Demo mode: the reference server started in-process on 127.0.0.1, recorded as the active
//! `demo` server profile, with the bundled demo catalog cached under its digest.

use std::sync::PoisonError;

use orderdesk_store::Queries;
use serde_json::Value;

use crate::error::{Result, ServiceError};
use crate::records::SnapshotImport;
use crate::view::DemoStatus;
use crate::Service;

/// The name of the demo server's profile.
pub const DEMO_PROFILE: &str = "demo";
const DEMO_KEY: &str = "app.demo";
/// The source recorded with the bundled demo catalog when it is cached.
const DEMO_SOURCE: &str = "demo server";

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
    /// The demo server's status if it is running; never waits for a start or stop under way
    /// (during one, the state before it).
    pub(crate) fn demo_status(&self) -> Option<DemoStatus> {
        let base_url = self.demo_url.lock().unwrap_or_else(PoisonError::into_inner).clone()?;
        let catalog = self.catalog();
        Some(DemoStatus {
            base_url,
            catalog_version: catalog.version.clone().unwrap_or_default(),
            offerings: u32::try_from(catalog.offerings.len()).unwrap_or(u32::MAX),
        })
    }

    /// Start the bundled reference server in-process on 127.0.0.1 (random port) with the
    /// demo catalog, import that catalog, and record the server as the `demo` profile.
    /// Idempotent: a running demo server is reused. Must run inside a tokio runtime.
    pub async fn start_demo(&self) -> Result<DemoStatus> {
        {
            let mut demo = self.demo.lock().await;
            if demo.is_none() {
                let server = orderdesk_server::start(orderdesk_server::ServerConfig {
                    lifecycle: self.demo_lifecycle.clone(),
                    ..orderdesk_server::ServerConfig::default()
                })
                .await
                .map_err(|e| ServiceError::Demo(e.to_string()))?;
                // The demo server is an ordinary server profile for the sync engine, made the
                // active one; its port changes on every start, so the profile is rewritten.
                let profile = orderdesk_client::Profile {
                    catalog_url: Some(server.catalog_url_v4()),
                    version: orderdesk_client::VersionChoice::Fixed(orderdesk_wire::Version::V4),
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
        self.demo_status().ok_or(ServiceError::Demo("the demo server stopped".into()))
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
    }
}
