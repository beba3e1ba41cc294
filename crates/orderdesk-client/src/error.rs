//! One error type for everything a server (or the way to it) can do to a request, and the
//! normalisation of the many error-body shapes real TMF servers answer with.

use std::time::Duration;

use orderdesk_error::text::printable;
use serde_json::Value;

/// Longest server text kept in a message (plain-text error pages can be whole HTML documents).
const MAX_MESSAGE: usize = 500;

/// Why a request failed. Every variant that involved the network carries the request's
/// `X-Correlation-ID`, so an agent's report can be matched with the server's logs.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server answered with a non-success status. `message` is the server's own text,
    /// whatever shape its error body had.
    #[error("{message} (HTTP {status}, correlation id {correlation_id})")]
    Server {
        status: u16,
        /// The server's error code (`code` of a TMF Error), when it sent one.
        code: Option<String>,
        message: String,
        /// The field the server names as the problem, when it names one.
        field: Option<String>,
        /// What `Retry-After` asked for (429/503).
        retry_after: Option<Duration>,
        correlation_id: String,
    },
    /// No connection could be made: the request never left this machine.
    #[error("cannot reach {url}: {detail} (correlation id {correlation_id})")]
    Unreachable { url: String, detail: String, correlation_id: String },
    /// No answer within the timeout. The server may or may not have acted on the request.
    #[error("no answer from the server within {}s; it may or may not have processed the request (correlation id {correlation_id})", after.as_secs_f64())]
    Timeout { after: Duration, correlation_id: String },
    /// The connection broke after the request was sent. The server may have acted on it.
    #[error("the connection broke before the server answered: {detail}; it may or may not have processed the request (correlation id {correlation_id})")]
    NoAnswer { detail: String, correlation_id: String },
    /// The server does not offer the operation at all (it answered 404, 405 or 501 to it):
    /// e.g. a TMF629 server that lists customers but does not allow creating them.
    #[error(
        "this server does not allow {operation} (HTTP {status}, correlation id {correlation_id})"
    )]
    NotSupported { operation: &'static str, status: u16, correlation_id: String },
    /// A success status with a body that is not the JSON we expected.
    #[error("the server's answer (HTTP {status}) is not usable JSON: {detail} (correlation id {correlation_id})")]
    Malformed { status: u16, detail: String, correlation_id: String },
    /// The answer exceeded the size limit; it was not read further.
    #[error("the server's answer is larger than the {limit}-byte limit and was not read (correlation id {correlation_id})")]
    TooLarge { limit: usize, correlation_id: String },
    /// A list could not be read whole (see `ListLimits`): the server served a page twice,
    /// or the list was longer, larger or slower than the client reads. It is never handed
    /// back cut short.
    #[error("the server's list could not be read whole: {reason} ({items} entries read)")]
    ListIncomplete { reason: String, items: usize },
    /// Getting an OAuth2 access token failed.
    #[error("authentication failed: {message}")]
    Auth { message: String, correlation_id: Option<String> },
    /// The secret the profile's auth mode needs is not available.
    #[error("{0}")]
    Secret(String),
    /// The profile cannot be used as configured (bad URL, unreadable CA certificate, ...).
    #[error("invalid server profile: {0}")]
    Config(String),
}

impl ClientError {
    /// A stable, machine-readable code (`client.<kind>`), part of the `{code, message}` contract.
    pub fn code(&self) -> &'static str {
        match self {
            ClientError::Server { status: 401 | 403, .. } => "client.unauthorized",
            ClientError::Server { status: 404, .. } => "client.not_found",
            ClientError::Server { status: 429, .. } => "client.rate_limited",
            ClientError::Server { status, .. } if *status >= 500 => "client.server_unavailable",
            ClientError::Server { .. } => "client.rejected",
            ClientError::NotSupported { .. } => "client.not_supported",
            ClientError::Unreachable { .. } => "client.unreachable",
            ClientError::Timeout { .. } => "client.timeout",
            ClientError::NoAnswer { .. } => "client.no_answer",
            ClientError::Malformed { .. } => "client.malformed_answer",
            ClientError::TooLarge { .. } => "client.answer_too_large",
            ClientError::ListIncomplete { .. } => "client.list_incomplete",
            ClientError::Auth { .. } => "client.auth_failed",
            ClientError::Secret(_) => "client.secret_unavailable",
            ClientError::Config(_) => "client.bad_profile",
        }
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Server { status, .. }
            | ClientError::NotSupported { status, .. }
            | ClientError::Malformed { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The correlation id of the failed request, when one was sent.
    pub fn correlation_id(&self) -> Option<&str> {
        match self {
            ClientError::Server { correlation_id, .. }
            | ClientError::NotSupported { correlation_id, .. }
            | ClientError::Unreachable { correlation_id, .. }
            | ClientError::Timeout { correlation_id, .. }
            | ClientError::NoAnswer { correlation_id, .. }
            | ClientError::Malformed { correlation_id, .. }
            | ClientError::TooLarge { correlation_id, .. } => Some(correlation_id),
            ClientError::Auth { correlation_id, .. } => correlation_id.as_deref(),
            ClientError::ListIncomplete { .. }
            | ClientError::Secret(_)
            | ClientError::Config(_) => None,
        }
    }

    /// The field the server blamed, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            ClientError::Server { field, .. } => field.as_deref(),
            _ => None,
        }
    }

    /// What the server asked us to wait before trying again.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ClientError::Server { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The request may have been acted on although we got no usable answer: before sending
    /// it again, a caller must find out whether it was (see the sync engine's create path).
    pub fn outcome_unknown(&self) -> bool {
        matches!(
            self,
            ClientError::Timeout { .. }
                | ClientError::NoAnswer { .. }
                | ClientError::Malformed { .. }
                | ClientError::TooLarge { .. }
        ) || matches!(self, ClientError::Server { status: 500 | 502 | 504, .. })
    }

    /// Trying again later may succeed (network, overload, server trouble, expired auth).
    pub fn is_transient(&self) -> bool {
        match self {
            ClientError::Server { status, .. } => {
                matches!(status, 401 | 403 | 408 | 425 | 429) || *status >= 500
            }
            ClientError::Unreachable { .. }
            | ClientError::Timeout { .. }
            | ClientError::NoAnswer { .. }
            | ClientError::Malformed { .. }
            | ClientError::TooLarge { .. }
            | ClientError::Auth { .. } => true,
            ClientError::NotSupported { .. }
            | ClientError::ListIncomplete { .. }
            | ClientError::Secret(_)
            | ClientError::Config(_) => false,
        }
    }

    /// The server refused the request itself (4xx other than auth, throttling and timeouts):
    /// sending it again unchanged will fail again; a person has to fix it.
    pub fn is_rejection(&self) -> bool {
        matches!(self, ClientError::Server { status, .. }
            if (400..500).contains(status) && !matches!(status, 401 | 403 | 408 | 425 | 429))
    }
}

impl orderdesk_error::ErrorCode for ClientError {
    fn code(&self) -> &'static str {
        ClientError::code(self)
    }
}

/// What an error body says, whatever its shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ErrorDetail {
    pub code: Option<String>,
    pub message: String,
    pub field: Option<String>,
}

/// A text member of an error body, without what a terminal or a window would obey.
fn text_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => {
            let text = printable(s);
            let text = text.trim();
            (!text.is_empty()).then(|| text.to_owned())
        }
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn shorten(text: &str) -> String {
    let text = printable(text);
    let text = text.trim();
    if text.chars().count() <= MAX_MESSAGE {
        return text.to_owned();
    }
    let cut: String = text.chars().take(MAX_MESSAGE).collect();
    format!("{cut}…")
}

/// `"productOrderItem[0].quantity: must be positive"` names its field before the colon.
fn field_from_message(message: &str) -> Option<String> {
    let (head, _) = message.split_once(": ")?;
    let looks_like_path = !head.is_empty()
        && head.len() <= 200
        && head.chars().all(|c| c.is_ascii_alphanumeric() || "._[]/@-".contains(c));
    looks_like_path.then(|| head.to_owned())
}

fn explicit_field(obj: &serde_json::Map<String, Value>) -> Option<String> {
    ["field", "path", "pointer", "target", "parameter"].iter().find_map(|k| text_of(obj.get(*k)))
}

/// One entry of an `errors` member: a string, or an object with code/message/description.
fn error_entry(entry: &Value) -> Option<(Option<String>, String, Option<String>)> {
    match entry {
        Value::String(s) if !s.trim().is_empty() => Some((None, s.trim().to_owned(), None)),
        Value::Object(obj) => {
            let message = text_of(obj.get("message"));
            let description = text_of(obj.get("description")).or(text_of(obj.get("detail")));
            let text = match (message, description) {
                (Some(m), Some(d)) if m != d => format!("{m}: {d}"),
                (Some(m), _) => m,
                (None, Some(d)) => d,
                (None, None) => return None,
            };
            let field = explicit_field(obj).or_else(|| field_from_message(&text));
            Some((text_of(obj.get("code")), text, field))
        }
        _ => None,
    }
}

/// Reads any error body real servers send: a TMF `Error` (`code`, `reason`, `message`,
/// `status`), `{"errors": [...]}`, `{"message", "errors"}`, OAuth2's `{"error",
/// "error_description"}`, `{}`, or plain text. Falls back to the status line.
pub(crate) fn normalise_error(status: u16, reason: &str, body: &[u8]) -> ErrorDetail {
    let fallback = || format!("the server answered {status} {reason}");
    let text = String::from_utf8_lossy(body);
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let Some(value) = parsed else {
        let trimmed = text.trim();
        let message = if trimmed.is_empty() || trimmed.starts_with('<') {
            fallback()
        } else {
            shorten(trimmed)
        };
        return ErrorDetail { code: None, field: field_from_message(&message), message };
    };
    let Value::Object(obj) = &value else {
        let message = text_of(Some(&value)).map(|s| shorten(&s)).unwrap_or_else(fallback);
        return ErrorDetail { code: None, field: None, message };
    };
    let mut code = text_of(obj.get("code")).or(text_of(obj.get("error")));
    let mut parts: Vec<String> = Vec::new();
    let reason_text = text_of(obj.get("reason"));
    let message_text = text_of(obj.get("message"))
        .or(text_of(obj.get("error_description")))
        .or(text_of(obj.get("detail")))
        .or(text_of(obj.get("title")));
    let mut field = explicit_field(obj);
    if let Some(m) = &message_text {
        field = field.or_else(|| field_from_message(m));
    }
    match (&reason_text, &message_text) {
        (Some(r), Some(m)) if m.contains(r.as_str()) => parts.push(m.clone()),
        (Some(r), Some(m)) => parts.push(format!("{r}: {m}")),
        (Some(r), None) => parts.push(r.clone()),
        (None, Some(m)) => parts.push(m.clone()),
        (None, None) => {}
    }
    let entries: Vec<_> = match obj.get("errors") {
        Some(Value::Array(list)) => list.iter().filter_map(error_entry).collect(),
        // `{"errors": {"field": ["message", ...]}}` (Rails/Laravel style).
        Some(Value::Object(map)) => map
            .iter()
            .flat_map(|(name, msgs)| {
                let msgs: Vec<String> = match msgs {
                    Value::Array(list) => list.iter().filter_map(|m| text_of(Some(m))).collect(),
                    other => text_of(Some(other)).into_iter().collect(),
                };
                msgs.into_iter().map(move |m| (None, format!("{name}: {m}"), Some(name.clone())))
            })
            .collect(),
        Some(other) => error_entry(other).into_iter().collect(),
        None => Vec::new(),
    };
    for (entry_code, text, entry_field) in entries {
        code = code.or(entry_code);
        field = field.or(entry_field);
        if !parts.contains(&text) {
            parts.push(text);
        }
    }
    let message = if parts.is_empty() { fallback() } else { shorten(&parts.join("; ")) };
    ErrorDetail { code, message, field }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(body: &str, message: &str, code: Option<&str>, field: Option<&str>) {
        let detail = normalise_error(400, "Bad Request", body.as_bytes());
        assert_eq!(detail.message, message, "body {body}");
        assert_eq!(detail.code.as_deref(), code, "body {body}");
        assert_eq!(detail.field.as_deref(), field, "body {body}");
    }

    #[test]
    fn every_error_shape_reads_as_one_message() {
        check(
            r#"{"code":"field.required","reason":"Bad Request","message":"productOrderItem: is required","status":"400"}"#,
            "Bad Request: productOrderItem: is required",
            Some("field.required"),
            Some("productOrderItem"),
        );
        check(
            r#"{"errors":[{"code":"E1","message":"quantity invalid","description":"must be > 0","field":"productOrderItem[0].quantity"}]}"#,
            "quantity invalid: must be > 0",
            Some("E1"),
            Some("productOrderItem[0].quantity"),
        );
        check(
            r#"{"message":"Validation failed","errors":{"note":["too long"]}}"#,
            "Validation failed; note: too long",
            None,
            Some("note"),
        );
        check("{}", "the server answered 400 Bad Request", None, None);
        check("   ", "the server answered 400 Bad Request", None, None);
        check("<html><body>502</body></html>", "the server answered 400 Bad Request", None, None);
        check("quota exceeded", "quota exceeded", None, None);
        check(
            r#"{"error":"invalid_client","error_description":"bad secret"}"#,
            "bad secret",
            Some("invalid_client"),
            None,
        );
        check(r#"["odd"]"#, "the server answered 400 Bad Request", None, None);
    }

    #[test]
    fn server_text_loses_escape_sequences() {
        check(
            "{\"code\":\"E\\u001b[5m\",\"message\":\"\\u001b]0;owned\\u0007bad \\u001b[31mquantity\\r\"}",
            "bad quantity",
            Some("E"),
            None,
        );
        check("\u{1b}[2Jplain\u{7}", "plain", None, None);
    }

    #[test]
    fn long_text_is_shortened() {
        let body = "x".repeat(5000);
        let detail = normalise_error(500, "Internal Server Error", body.as_bytes());
        assert!(detail.message.chars().count() <= MAX_MESSAGE + 1);
    }

    #[test]
    fn classification() {
        let server = |status| ClientError::Server {
            status,
            code: None,
            message: String::new(),
            field: None,
            retry_after: None,
            correlation_id: "c".into(),
        };
        assert!(server(400).is_rejection());
        assert!(server(422).is_rejection());
        assert!(!server(429).is_rejection());
        assert!(server(429).is_transient());
        assert!(server(503).is_transient());
        assert!(!server(503).outcome_unknown());
        assert!(server(502).outcome_unknown());
        assert!(ClientError::Timeout { after: Duration::from_secs(1), correlation_id: "c".into() }
            .outcome_unknown());
        assert!(!ClientError::Unreachable {
            url: String::new(),
            detail: String::new(),
            correlation_id: "c".into()
        }
        .outcome_unknown());
    }
}
