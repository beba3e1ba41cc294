//! Date-times as the server wrote them.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::field::WireField;

/// A date-time member exactly as it was written on the wire.
///
/// Servers differ in precision and offset spelling (`2019-05-02T08:13:59.506Z`,
/// `2019-05-02T10:13:59+02:00`); keeping the text makes re-serialisation byte-identical.
/// [`WireDateTime::parse`] gives the instant in UTC when the text is RFC 3339. Values created by
/// Orderdesk are written in UTC with a `Z` suffix.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WireDateTime(String);

impl WireDateTime {
    /// Wraps text received from a server (it need not parse).
    pub fn from_text(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// An instant we create, written as UTC RFC 3339 with millisecond precision.
    pub fn from_utc(at: DateTime<Utc>) -> Self {
        Self(at.to_rfc3339_opts(SecondsFormat::Millis, true))
    }

    /// The current instant.
    pub fn now() -> Self {
        Self::from_utc(Utc::now())
    }

    /// The text as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The instant in UTC, when the text is RFC 3339 (a bare date `2024-01-31` is read as midnight UTC).
    pub fn parse(&self) -> Option<DateTime<Utc>> {
        let t = self.0.trim();
        if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
            return Some(dt.with_timezone(&Utc));
        }
        chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|n| n.and_utc())
    }
}

impl std::fmt::Display for WireDateTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<DateTime<Utc>> for WireDateTime {
    fn from(at: DateTime<Utc>) -> Self {
        Self::from_utc(at)
    }
}

impl Serialize for WireDateTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for WireDateTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Self)
    }
}

impl WireField for WireDateTime {
    const LENIENT: bool = false;
    fn decode(v: Value) -> Result<Self, Value> {
        match v {
            Value::String(s) => Ok(Self(s)),
            other => Err(other),
        }
    }
    fn encode(&self) -> Value {
        Value::String(self.0.clone())
    }
}
