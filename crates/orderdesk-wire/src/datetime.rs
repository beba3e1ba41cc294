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
        parse_date_input(&self.0).map(|d| d.at)
    }
}

/// Members that hold a date-time wherever they appear on an order or a product, in either
/// version.
pub const DATE_TIME_MEMBERS: &[&str] = &[
    "orderDate",
    "creationDate",
    "cancellationDate",
    "completionDate",
    "expectedCompletionDate",
    "requestedCompletionDate",
    "requestedStartDate",
    "startDate",
    "terminationDate",
];

/// A date or date-time as a person or a server wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateInput {
    /// The instant in UTC: the time given, or the start of the day (UTC) for a bare date.
    pub at: DateTime<Utc>,
    /// Only a day was given (`2026-11-23`): compare it by day, not by instant.
    pub day_only: bool,
}

impl DateInput {
    /// The date lies before `now`; a bare date counts as today until the day is over.
    pub fn is_past(&self, now: DateTime<Utc>) -> bool {
        if self.day_only {
            self.at.date_naive() < now.date_naive()
        } else {
            self.at < now
        }
    }
}

/// The one reader of dates in Orderdesk: an RFC 3339 date-time (any offset, converted to UTC)
/// or a bare `YYYY-MM-DD` (midnight UTC, flagged `day_only`). Surrounding space is ignored;
/// anything else is `None`.
pub fn parse_date_input(text: &str) -> Option<DateInput> {
    let t = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(DateInput { at: dt.with_timezone(&Utc), day_only: false });
    }
    chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|n| DateInput { at: n.and_utc(), day_only: true })
}

/// The instant a JSON member holds, when it is a date text [`parse_date_input`] reads.
pub fn instant_of(v: Option<&Value>) -> Option<DateTime<Utc>> {
    v.and_then(Value::as_str).and_then(parse_date_input).map(|d| d.at)
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
