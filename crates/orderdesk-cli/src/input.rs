//! Reading command input: a file path or `-` for stdin, as JSON with exact numbers.

use std::io::Read;
use std::path::Path;

use serde_json::Value;

use crate::error::CliError;

/// The most an order file is read: the core's cap on an order.
pub const MAX_ORDER_INPUT: usize = orderdesk_core::limits::MAX_ORDER_BYTES;

/// The most a catalog snapshot is read: the core's cap on a catalog.
pub const MAX_CATALOG_INPUT: usize = orderdesk_core::limits::MAX_CATALOG_BYTES;

/// Reads `path` (or stdin for `-`) as UTF-8 text of at most `max` bytes. A larger input (a
/// huge file, an endless pipe) is refused after `max + 1` bytes, never read whole.
pub fn read_text(path: &Path, max: usize) -> Result<(String, String), CliError> {
    let (name, bytes) = if path.as_os_str() == "-" {
        ("stdin".to_owned(), read_at_most(std::io::stdin().lock(), "stdin", max)?)
    } else {
        let name = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|e| CliError::Unreadable {
            source_name: name.clone(),
            message: e.to_string(),
        })?;
        let bytes = read_at_most(file, &name, max)?;
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

fn read_at_most(source: impl Read, name: &str, max: usize) -> Result<Vec<u8>, CliError> {
    let mut buf = Vec::new();
    let cap = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    source.take(cap).read_to_end(&mut buf).map_err(|e| CliError::Unreadable {
        source_name: name.to_owned(),
        message: e.to_string(),
    })?;
    if buf.len() > max {
        return Err(CliError::TooLarge { source_name: name.to_owned(), max });
    }
    Ok(buf)
}

/// Reads `path` (or stdin) as JSON of at most `max` bytes. Returns the source name for
/// messages and the value.
pub fn read_json(path: &Path, max: usize) -> Result<(String, Value), CliError> {
    let (name, text) = read_text(path, max)?;
    // A UTF-8 byte order mark is not JSON but some editors write it.
    let body = text.strip_prefix('\u{feff}').unwrap_or(&text);
    match orderdesk_wire::parse_json(body) {
        Ok(v) => Ok((name, v)),
        Err(e) => Err(CliError::NotJson { source_name: name, message: e.to_string() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_source_is_refused_after_the_cap() {
        let err = read_at_most(std::io::repeat(b' '), "stdin", 1024).err();
        assert!(
            matches!(err, Some(CliError::TooLarge { ref source_name, max: 1024 }) if source_name == "stdin"),
            "{err:?}"
        );
        let exact = read_at_most(std::io::repeat(b' ').take(1024), "stdin", 1024);
        assert_eq!(exact.map(|b| b.len()).ok(), Some(1024));
    }
}
