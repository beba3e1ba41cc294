//! The one error shape Orderdesk shows outside a process: `{ "code": "...", "message": "..." }`.
//!
//! Inside crates, errors are `thiserror` enums. At the edges (Tauri IPC, the CLI's `--json`
//! output) they become an [`ErrorBody`]. Each enum implements [`ErrorCode`], giving every variant a
//! stable dotted code (`input.not_json`, `input.unreadable`, `wire.shape`, ...) that the UI and
//! scripts can act on; the message is for people and may change.
//!
//! Invariants: codes are lowercase, dot-separated, and never change meaning once released; this
//! crate depends on nothing but serde so every crate can use it. A message carries no control
//! character or escape sequence (it often quotes a server, see [`text::printable`]): what
//! reaches a terminal or a window is only text.
//!
//! ```
//! use orderdesk_error::{ErrorBody, ErrorCode};
//!
//! #[derive(Debug)]
//! struct Missing;
//! impl std::fmt::Display for Missing {
//!     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
//!         f.write_str("file not found")
//!     }
//! }
//! impl ErrorCode for Missing {
//!     fn code(&self) -> &'static str {
//!         "input.unreadable"
//!     }
//! }
//! let body = ErrorBody::from_error(&Missing);
//! assert_eq!(body.code, "input.unreadable");
//! assert_eq!(body.message, "file not found");
//! ```

use serde::{Deserialize, Serialize};

pub mod text;

/// Codes shared by several crates.
pub mod codes {
    /// The input could not be read (missing file, permission, I/O error).
    pub const INPUT_UNREADABLE: &str = "input.unreadable";
    /// The input is not valid JSON (including truncated JSON and binary data).
    pub const INPUT_NOT_JSON: &str = "input.not_json";
    /// The input is larger than what is read for its kind (an order, a catalog snapshot).
    pub const INPUT_TOO_LARGE: &str = "input.too_large";
    /// The JSON has the wrong shape (e.g. an array where an order object is expected).
    pub const WIRE_SHAPE: &str = "wire.shape";
    /// Anything without a more specific code.
    pub const INTERNAL: &str = "internal";
}

/// The `{code, message}` body sent across IPC and printed by `--json` commands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable dotted code, e.g. `input.not_json`.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
}

impl ErrorBody {
    /// Builds a body from a code and a message (made [`text::printable`]).
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { code: code.into(), message: text::clean(message.into()) }
    }

    /// Builds a body from any error that has a code; the message is its `Display` text.
    pub fn from_error<E: ErrorCode + std::fmt::Display + ?Sized>(err: &E) -> Self {
        Self::new(err.code(), err.to_string())
    }
}

impl std::fmt::Display for ErrorBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ErrorBody {}

/// Implemented by every crate error enum so it converts into an [`ErrorBody`].
pub trait ErrorCode {
    /// The stable dotted code of this error.
    fn code(&self) -> &'static str;

    /// The `{code, message}` body.
    fn to_body(&self) -> ErrorBody
    where
        Self: std::fmt::Display,
    {
        ErrorBody::from_error(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_serialises_as_code_and_message() {
        let body = ErrorBody::new(codes::INPUT_NOT_JSON, "expected value at line 1 column 1");
        let text = serde_json::to_string(&body).unwrap_or_default();
        assert_eq!(
            text,
            r#"{"code":"input.not_json","message":"expected value at line 1 column 1"}"#
        );
    }

    #[test]
    fn messages_carry_no_escape_sequences() {
        let body = ErrorBody::new("client.rejected", "\u{1b}]0;pwned\u{7}\u{1b}[31mrefused\r");
        assert_eq!(body.message, "refused");
    }
}
