//! Errors: the crate-level [`ServerError`] (start-up, storage) and the per-request
//! [`ApiError`], which always renders as a TMF `Error` body.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Failures while starting or running the server outside of a single request.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The listening socket could not be bound.
    #[error("cannot bind {addr}: {source}")]
    Bind {
        /// The address that was asked for.
        addr: String,
        /// The operating-system error.
        source: std::io::Error,
    },
    /// The catalog snapshot could not be read or parsed.
    #[error("catalog: {0}")]
    Catalog(String),
    /// The SQLite database failed.
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    /// The database was written by a newer version of this server.
    #[error("database schema version {found} is newer than this server supports ({supported}); refusing to touch it")]
    SchemaTooNew {
        /// The version found in the file.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
    /// Stored data could not be decoded.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// A blocking storage task did not finish.
    #[error("storage task failed: {0}")]
    Task(String),
    /// The embedded request schemas could not be compiled.
    #[error("request schemas: {0}")]
    Schema(#[from] crate::schema::SchemaError),
    /// Invalid configuration.
    #[error("configuration: {0}")]
    Config(String),
    /// Any other I/O failure.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
}

/// An error answered to an HTTP client as a TMF `Error` resource.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable application code (e.g. `offering.unknown`, `notFound`).
    pub code: String,
    /// Short reason shown to a user.
    pub reason: String,
    /// Detail: which field, which value, what to do.
    pub message: String,
    /// Extra headers (e.g. `Retry-After`, `WWW-Authenticate`).
    pub headers: Vec<(&'static str, String)>,
}

impl ApiError {
    /// Builds an error with the given status, code, reason and message.
    pub fn new(
        status: StatusCode,
        code: impl Into<String>,
        reason: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code: code.into(),
            reason: reason.into(),
            message: message.into(),
            headers: Vec::new(),
        }
    }

    /// 400: the request does not follow the schema.
    pub fn bad_request(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, "Bad Request", message)
    }

    /// 404 for a resource kind and id.
    pub fn not_found(kind: &str, id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "notFound",
            "Not Found",
            format!("{kind} with id '{id}' does not exist"),
        )
    }

    /// 422: well-formed but not acceptable (catalog, state rules).
    pub fn unprocessable(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, "Unprocessable Entity", message)
    }

    /// 409: the resource's state forbids the operation.
    pub fn conflict(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, "Conflict", message)
    }

    /// 500 with a message that names what failed.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal Server Error", message)
    }

    /// Adds a response header.
    #[must_use]
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// The TMF `Error` body.
    pub fn body(&self) -> serde_json::Value {
        json!({
            "code": self.code,
            "reason": self.reason,
            "message": self.message,
            "status": self.status.as_u16().to_string(),
            "@type": "Error",
        })
    }
}

impl From<ServerError> for ApiError {
    fn from(e: ServerError) -> Self {
        ApiError::internal(e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (self.status, axum::Json(self.body())).into_response();
        for (name, value) in &self.headers {
            if let Ok(v) = HeaderValue::from_str(value) {
                resp.headers_mut().insert(*name, v);
            }
        }
        resp
    }
}
