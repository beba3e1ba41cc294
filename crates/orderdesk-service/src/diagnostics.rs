//! The diagnostics archive an agent sends to support (*Help → Export diagnostics*).
//!
//! One zip file holding:
//! - `versions.json`: the build (version, commit), the operating system, the database schema;
//! - `database.json`: SQLite's integrity check, the schema version, record counts per table;
//! - `settings.json`: the settings, the update settings and the server profiles, without
//!   secrets (profiles never hold one; user names and passwords in addresses are removed);
//! - `logs/`: the newest log files, at most [`MAX_LOG_BYTES`] in all.
//!
//! Never drafts or orders: they are the customers' personal data.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{json, Value};
use zip::write::SimpleFileOptions;

use crate::error::Result;
use orderdesk_store::Queries;

use crate::{logs, Service, ServiceError};

/// The most log bytes an archive carries (newest files first; an older file that does not fit
/// is left out, the newest is cut to its last [`MAX_LOG_BYTES`]).
pub const MAX_LOG_BYTES: u64 = 32 * 1024 * 1024;

/// What the running program is, as the archive reports it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildInfo {
    /// Product name.
    pub product: String,
    /// Semantic version.
    pub version: String,
    /// The commit it was built from, or `unknown`.
    pub commit: String,
}

/// An archive written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DiagnosticsSaved {
    /// Where it was written.
    pub path: String,
    /// The files inside, in order.
    pub entries: Vec<String>,
    /// Whether the database check found the database sound.
    pub database_ok: bool,
}

/// `https://user:pw@host/x` → `https://host/x`; text that is not an address stays as it is.
fn without_credentials(address: &str) -> String {
    match url::Url::parse(address) {
        Ok(mut url) if !url.username().is_empty() || url.password().is_some() => {
            // Only fails for addresses that cannot have credentials, which these then lack.
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.to_string()
        }
        _ => address.to_owned(),
    }
}

/// The operating system's own name for itself (`PRETTY_NAME` of os-release), where it has one.
fn os_name() -> Option<String> {
    let text = std::fs::read_to_string("/etc/os-release").ok()?;
    text.lines()
        .find_map(|line| line.strip_prefix("PRETTY_NAME="))
        .map(|v| v.trim_matches('"').to_owned())
}

/// The file name the save dialog suggests: `orderdesk-diagnostics-<UTC time>.zip`.
pub fn suggested_name() -> String {
    format!("orderdesk-diagnostics-{}.zip", chrono::Utc::now().format("%Y%m%d-%H%M%S"))
}

fn versions(build: &BuildInfo) -> Value {
    json!({
        "product": build.product,
        "version": build.version,
        "commit": build.commit,
        "os": std::env::consts::OS,
        "osName": os_name(),
        "arch": std::env::consts::ARCH,
        "schemaVersion": orderdesk_store::SCHEMA_VERSION,
        "createdAt": chrono::Utc::now().to_rfc3339(),
    })
}

/// The archive of an app whose services did not start (a damaged or too new database): the
/// versions, the start-up error (`startup-error.json`) and the logs.
pub async fn export_startup_failure(
    dest: PathBuf,
    build: BuildInfo,
    log_dir: Option<PathBuf>,
    failure: &orderdesk_error::ErrorBody,
) -> Result<DiagnosticsSaved> {
    let documents = vec![
        ("versions.json", versions(&build)),
        ("startup-error.json", json!({ "code": failure.code, "message": failure.message })),
    ];
    let entries = save(dest.clone(), documents, log_dir).await?;
    Ok(DiagnosticsSaved { path: dest.display().to_string(), entries, database_ok: false })
}

/// Write the archive off the async threads.
async fn save(
    dest: PathBuf,
    documents: Vec<(&'static str, Value)>,
    log_dir: Option<PathBuf>,
) -> Result<Vec<String>> {
    let path = dest.clone();
    let entries = tokio::task::spawn_blocking(move || {
        let logs = log_dir.as_deref().map(logs::log_files).unwrap_or_default();
        write_archive(&path, &documents, &logs)
    })
    .await
    .map_err(|e| ServiceError::Task(e.to_string()))?
    .map_err(|source| ServiceError::Export { path: dest.clone(), source })?;
    tracing::info!(path = %dest.display(), entries = entries.len(), "diagnostics exported");
    Ok(entries)
}

fn io_error(error: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(error.to_string())
}

impl Service {
    /// Write the diagnostics archive to `dest`, with the log files found in `log_dir`.
    pub async fn export_diagnostics(
        &self,
        dest: PathBuf,
        build: BuildInfo,
        log_dir: Option<PathBuf>,
    ) -> Result<DiagnosticsSaved> {
        let (findings, counts, catalog_version) =
            self.read(|r| Ok((r.integrity_check()?, r.counts()?, r.catalog_version()?))).await?;
        let database_ok = findings == ["ok"];
        let database = json!({
            "path": self.store.path().display().to_string(),
            "integrityCheck": findings,
            "ok": database_ok,
            "schemaVersion": orderdesk_store::SCHEMA_VERSION,
            "catalogVersion": catalog_version.map(|v| v.version),
            "counts": counts.iter().map(|(table, n)| ((*table).to_owned(), json!(n)))
                .collect::<serde_json::Map<String, Value>>(),
        });
        let profiles: Vec<Value> = self
            .list_profiles()
            .await?
            .into_iter()
            .map(|mut p| {
                p.base_url = without_credentials(&p.base_url);
                p.catalog_url = p.catalog_url.as_deref().map(without_credentials);
                p.customer_url = p.customer_url.as_deref().map(without_credentials);
                p.inventory_url = p.inventory_url.as_deref().map(without_credentials);
                p.token_url = p.token_url.as_deref().map(without_credentials);
                serde_json::to_value(p).unwrap_or(Value::Null)
            })
            .collect();
        let mut updates = self.update_settings().await?;
        updates.feed = without_credentials(&updates.feed);
        let settings = json!({
            "settings": self.settings(),
            "updates": updates,
            "profiles": profiles,
        });
        let documents = vec![
            ("versions.json", versions(&build)),
            ("database.json", database),
            ("settings.json", settings),
        ];
        let entries = save(dest.clone(), documents, log_dir).await?;
        Ok(DiagnosticsSaved { path: dest.display().to_string(), entries, database_ok })
    }
}

/// Write the archive: the JSON documents, then the log files (newest first, within
/// [`MAX_LOG_BYTES`]). Written beside `path` and renamed into place, so a failure leaves no
/// half archive.
fn write_archive(
    path: &Path,
    documents: &[(&str, Value)],
    logs: &[PathBuf],
) -> std::io::Result<Vec<String>> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let file = tempfile::NamedTempFile::new_in(dir)?;
    let mut zip = zip::ZipWriter::new(file);
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut entries = Vec::new();
    for (name, value) in documents {
        zip.start_file(*name, options).map_err(io_error)?;
        zip.write_all(serde_json::to_string_pretty(value).map_err(io_error)?.as_bytes())?;
        entries.push((*name).to_owned());
    }
    let mut budget = MAX_LOG_BYTES;
    for log in logs {
        let Some(name) = log.file_name().and_then(|n| n.to_str()) else { continue };
        let Ok(bytes) = std::fs::read(log) else { continue };
        let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        let kept = if len <= budget {
            bytes.as_slice()
        } else if entries.len() == documents.len() {
            // The newest file alone is too large: its end is what support needs.
            let skip = usize::try_from(len.saturating_sub(budget)).unwrap_or(usize::MAX);
            bytes.get(skip..).unwrap_or_default()
        } else {
            continue;
        };
        budget = budget.saturating_sub(u64::try_from(kept.len()).unwrap_or(u64::MAX));
        let entry = format!("logs/{name}");
        zip.start_file(entry.as_str(), options).map_err(io_error)?;
        zip.write_all(kept)?;
        entries.push(entry);
    }
    let file = zip.finish().map_err(io_error)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::without_credentials;

    #[test]
    fn addresses_lose_their_credentials() {
        assert_eq!(without_credentials("https://me:pw@host.example/x"), "https://host.example/x");
        assert_eq!(without_credentials("https://host.example/x"), "https://host.example/x");
        assert_eq!(without_credentials(""), "");
    }
}
