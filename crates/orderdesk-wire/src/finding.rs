//! Structured findings: the one shape the whole product uses for validation results.

use serde::{Deserialize, Serialize};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The order cannot be submitted as it is.
    Error,
    /// Suspicious but readable.
    Warning,
}

/// A problem found in a payload or an order, located by a JSON pointer.
///
/// Serialises as `{"severity":"error","code":"...","path":"/productOrderItem/0/quantity","message":"..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// Stable dotted code, e.g. `item.quantity_invalid`.
    pub code: String,
    /// JSON pointer (RFC 6901) to the offending value; empty for the whole document.
    pub path: String,
    /// Human-readable explanation.
    pub message: String,
}

impl Finding {
    /// An error finding.
    pub fn error(
        code: impl Into<String>,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity: Severity::Error,
            code: code.into(),
            path: path.into(),
            message: message.into(),
        }
    }

    /// A warning finding.
    pub fn warning(
        code: impl Into<String>,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity: Severity::Warning,
            code: code.into(),
            path: path.into(),
            message: message.into(),
        }
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let path = if self.path.is_empty() { "/" } else { &self.path };
        write!(f, "{sev}[{}] {path}: {}", self.code, self.message)
    }
}

/// Appends one segment to a JSON pointer, escaping `~` and `/` (RFC 6901).
pub fn json_pointer(base: &str, segment: impl std::fmt::Display) -> String {
    let seg = segment.to_string().replace('~', "~0").replace('/', "~1");
    format!("{base}/{seg}")
}
