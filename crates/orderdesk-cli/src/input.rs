//! Reading command input: a file path or `-` for stdin, as JSON with exact numbers.

use std::io::Read;
use std::path::Path;

use serde_json::Value;

use crate::error::CliError;

/// Reads `path` (or stdin for `-`) as UTF-8 text.
pub fn read_text(path: &Path) -> Result<(String, String), CliError> {
    let (name, bytes) = if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf).map_err(|e| CliError::Unreadable {
            source_name: "stdin".into(),
            message: e.to_string(),
        })?;
        ("stdin".to_owned(), buf)
    } else {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| CliError::Unreadable {
            source_name: name.clone(),
            message: e.to_string(),
        })?;
        (name, bytes)
    };
    match String::from_utf8(bytes) {
        Ok(text) => Ok((name, text)),
        Err(e) => Err(CliError::NotJson {
            source_name: name,
            message: format!(
                "not UTF-8 text (binary data at byte {})",
                e.utf8_error().valid_up_to()
            ),
        }),
    }
}

/// Reads `path` (or stdin) as JSON. Returns the source name for messages and the value.
pub fn read_json(path: &Path) -> Result<(String, Value), CliError> {
    let (name, text) = read_text(path)?;
    // A UTF-8 byte order mark is not JSON but some editors write it.
    let body = text.strip_prefix('\u{feff}').unwrap_or(&text);
    match orderdesk_wire::parse_json(body) {
        Ok(v) => Ok((name, v)),
        Err(e) => Err(CliError::NotJson { source_name: name, message: e.to_string() }),
    }
}
