//! The order's requested dates: completion not before start, neither already past.
//!
//! A date is compared as the agent gave it: a bare day (`2026-11-23`) covers the whole day, so
//! a completion on the day work starts is not "before" it, and a day counts as today until it
//! is over ([`orderdesk_wire::DateInput::is_past`]). A date that cannot be read is
//! `date.invalid`'s ([`super::structure`]) and is not compared here.

use chrono::{DateTime, Duration, Utc};
use orderdesk_wire::{parse_date_input, DateInput};
use serde_json::Value;

use crate::codes::{finding, DATE_ORDER, DATE_PAST};
use crate::finding::Finding;
use crate::model::Order;

const START: &str = "requestedStartDate";
const COMPLETION: &str = "requestedCompletionDate";

fn read(order: &Order, member: &str) -> Option<(DateInput, String)> {
    let text = order.fields.get(member).and_then(Value::as_str)?;
    Some((parse_date_input(text)?, text.to_owned()))
}

/// The last instant a date stands for: its own, or the end of its day.
fn latest(date: &DateInput) -> DateTime<Utc> {
    if date.day_only {
        // The last day chrono represents has no end of day after it: the day's start stands.
        date.at
            .checked_add_signed(Duration::days(1))
            .and_then(|next| next.checked_sub_signed(Duration::nanoseconds(1)))
            .unwrap_or(date.at)
    } else {
        date.at
    }
}

pub(super) fn requested_dates(order: &Order, now: Option<DateTime<Utc>>, out: &mut Vec<Finding>) {
    let start = read(order, START);
    let completion = read(order, COMPLETION);
    if let (Some((start, start_text)), Some((completion, completion_text))) = (&start, &completion)
    {
        if latest(completion) < start.at {
            out.push(finding(
                DATE_ORDER,
                format!("/{COMPLETION}"),
                format!(
                    "the requested completion ({completion_text}) is before the requested start \
                     ({start_text})"
                ),
            ));
        }
    }
    let Some(now) = now else { return };
    for (member, date) in [(START, &start), (COMPLETION, &completion)] {
        if let Some((date, text)) = date {
            if date.is_past(now) {
                let what = if member == START { "start" } else { "completion" };
                out.push(finding(
                    DATE_PAST,
                    format!("/{member}"),
                    format!("the requested {what} ({text}) has already passed"),
                ));
            }
        }
    }
}
