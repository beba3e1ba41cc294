//! Request bodies against the official TMF622 schemas of their version (`orderdesk-wire`'s
//! [`orderdesk_wire::schema`], the one place the schemas live): a body the schema refuses is a
//! `400 Bad Request` naming the first few fields.

use orderdesk_wire::Version;
use serde_json::Value;

pub use orderdesk_wire::schema::{RequestKind, SchemaError};

use crate::error::ApiError;
use crate::validate::{err_from, Problem};

/// At most this many findings are spelled out in one error message.
const MAX_REPORTED: usize = 5;

/// The request validators of both versions, compiled once at start-up.
#[derive(Debug)]
pub struct Schemas(orderdesk_wire::schema::Schemas);

impl Schemas {
    /// Compiles the embedded schemas.
    pub fn load() -> Result<Self, SchemaError> {
        orderdesk_wire::schema::Schemas::load().map(Schemas)
    }

    /// Every schema problem of a request body, in document order.
    pub fn problems(&self, kind: RequestKind, version: Version, body: &Value) -> Vec<Problem> {
        self.0
            .problems(kind, version, body)
            .into_iter()
            .map(|f| Problem { code: f.code, field: f.path, message: f.message })
            .collect()
    }

    /// Checks a request body; `Err` is a 400 TMF Error naming the first few fields.
    pub fn check(&self, kind: RequestKind, version: Version, body: &Value) -> Result<(), ApiError> {
        let problems = self.problems(kind, version, body);
        let shown = problems.get(..problems.len().min(MAX_REPORTED)).unwrap_or(&problems);
        err_from(shown, problems.len(), ApiError::bad_request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn messages_are_capped_and_counted() -> TestResult {
        let s = Schemas::load()?;
        let items: Vec<Value> = (0..8).map(|i| json!({"id": i.to_string()})).collect();
        let e = s
            .check(RequestKind::ProductOrder, Version::V4, &json!({"productOrderItem": items}))
            .err()
            .ok_or("eight items without an action must be refused")?;
        assert_eq!(e.status, axum::http::StatusCode::BAD_REQUEST);
        assert_eq!(e.code, "schema.required");
        assert!(
            e.message.starts_with("/productOrderItem/0/action: is required; "),
            "{}",
            e.message
        );
        assert!(e.message.ends_with(" (and 3 more)"), "{}", e.message);
        Ok(())
    }
}
