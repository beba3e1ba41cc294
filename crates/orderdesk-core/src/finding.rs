//! Validation and pricing findings: `{severity, code, path, message}`.
//!
//! The type is the product-wide one from `orderdesk-wire`, so structural findings on the wire
//! payload and business findings from the core can be listed together.

pub use orderdesk_wire::{Finding, Severity};

/// True when at least one finding is an error.
pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}
