//! The states TMF622 defines, in one place: what an order, an order item and a task (a
//! cancellation) can be in, and what each state allows.
//!
//! Both versions share the names (v5 adds `draft` and `inProgress.accepted` for orders,
//! `rejected` and `cancelled` for tasks), so one enum serves both. Reading is tolerant: a state
//! a server spells in another case is recognised; a state no version defines is `None` from
//! [`OrderState::parse`], and callers keep the server's text for display.

use serde::{Deserialize, Serialize};

/// The state of a product order (`ProductOrderStateType`, v4 and v5) or of one of its items
/// (`ProductOrderItemStateType`, the same names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum OrderState {
    /// Received and checked; the server has not started on it.
    #[serde(rename = "acknowledged")]
    Acknowledged,
    /// Refused by the server; final.
    #[serde(rename = "rejected")]
    Rejected,
    /// Waiting for something (a payment, a decision) before work starts.
    #[serde(rename = "pending")]
    Pending,
    /// Stopped by the server until a problem is solved.
    #[serde(rename = "held")]
    Held,
    /// Being delivered.
    #[serde(rename = "inProgress")]
    InProgress,
    /// v5: delivery accepted by the provider.
    #[serde(rename = "inProgress.accepted")]
    InProgressAccepted,
    /// Cancelled; final.
    #[serde(rename = "cancelled")]
    Cancelled,
    /// Delivered; final.
    #[serde(rename = "completed")]
    Completed,
    /// Could not be delivered; final.
    #[serde(rename = "failed")]
    Failed,
    /// Some items delivered, others failed; final.
    #[serde(rename = "partial")]
    Partial,
    /// A cancellation was asked for and is being assessed.
    #[serde(rename = "assessingCancellation")]
    AssessingCancellation,
    /// A cancellation was accepted and is being carried out.
    #[serde(rename = "pendingCancellation")]
    PendingCancellation,
    /// v5: created as a draft (`requestedInitialState: draft`), not yet submitted.
    #[serde(rename = "draft")]
    Draft,
}

impl OrderState {
    /// Every state, in the order TMF622 lists them.
    pub const ALL: [OrderState; 13] = [
        OrderState::Acknowledged,
        OrderState::Rejected,
        OrderState::Pending,
        OrderState::Held,
        OrderState::InProgress,
        OrderState::InProgressAccepted,
        OrderState::Cancelled,
        OrderState::Completed,
        OrderState::Failed,
        OrderState::Partial,
        OrderState::AssessingCancellation,
        OrderState::PendingCancellation,
        OrderState::Draft,
    ];

    /// The name TMF622 writes.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderState::Acknowledged => "acknowledged",
            OrderState::Rejected => "rejected",
            OrderState::Pending => "pending",
            OrderState::Held => "held",
            OrderState::InProgress => "inProgress",
            OrderState::InProgressAccepted => "inProgress.accepted",
            OrderState::Cancelled => "cancelled",
            OrderState::Completed => "completed",
            OrderState::Failed => "failed",
            OrderState::Partial => "partial",
            OrderState::AssessingCancellation => "assessingCancellation",
            OrderState::PendingCancellation => "pendingCancellation",
            OrderState::Draft => "draft",
        }
    }

    /// Reads a state as servers write it: the TMF name in any case, with `_`, `-` or spaces
    /// between words (`IN_PROGRESS`, `in progress`). `None` for a name TMF622 does not define.
    pub fn parse(text: &str) -> Option<OrderState> {
        let key = normalise(text);
        OrderState::ALL.into_iter().find(|s| normalise(s.as_str()) == key)
    }

    /// The state of a payload's `state` member, if it is one TMF622 defines.
    pub fn of(payload: &serde_json::Value) -> Option<OrderState> {
        payload.get("state").and_then(serde_json::Value::as_str).and_then(OrderState::parse)
    }

    /// No step of the order's lifecycle leads anywhere from here.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            OrderState::Completed
                | OrderState::Failed
                | OrderState::Partial
                | OrderState::Cancelled
                | OrderState::Rejected
        )
    }

    /// The order may still be changed with a PATCH (delivery has not started).
    pub fn is_patchable(self) -> bool {
        matches!(
            self,
            OrderState::Acknowledged | OrderState::Pending | OrderState::Held | OrderState::Draft
        )
    }

    /// A cancellation may be asked for: the order was submitted and is neither final nor
    /// already being cancelled (a v5 `draft` is deleted, not cancelled).
    pub fn is_cancellable(self) -> bool {
        matches!(
            self,
            OrderState::Acknowledged
                | OrderState::Pending
                | OrderState::Held
                | OrderState::InProgress
                | OrderState::InProgressAccepted
        )
    }

    /// A cancellation of the order is being assessed or carried out.
    pub fn is_being_cancelled(self) -> bool {
        matches!(self, OrderState::AssessingCancellation | OrderState::PendingCancellation)
    }

    /// A failure the agent must look at (`failed`, `partial`, `rejected`).
    pub fn is_failure(self) -> bool {
        matches!(self, OrderState::Failed | OrderState::Partial | OrderState::Rejected)
    }
}

impl std::fmt::Display for OrderState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The state of a task resource such as a cancellation (`TaskStateType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum TaskState {
    /// Received; not started.
    #[serde(rename = "acknowledged")]
    Acknowledged,
    /// v5: refused before it started; final.
    #[serde(rename = "rejected")]
    Rejected,
    /// Under way.
    #[serde(rename = "inProgress")]
    InProgress,
    /// v5: withdrawn; final.
    #[serde(rename = "cancelled")]
    Cancelled,
    /// Carried out; final.
    #[serde(rename = "done")]
    Done,
    /// Ended without doing what was asked; final.
    #[serde(rename = "terminatedWithError")]
    TerminatedWithError,
}

impl TaskState {
    /// Every state.
    pub const ALL: [TaskState; 6] = [
        TaskState::Acknowledged,
        TaskState::Rejected,
        TaskState::InProgress,
        TaskState::Cancelled,
        TaskState::Done,
        TaskState::TerminatedWithError,
    ];

    /// The name TMF writes.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Acknowledged => "acknowledged",
            TaskState::Rejected => "rejected",
            TaskState::InProgress => "inProgress",
            TaskState::Cancelled => "cancelled",
            TaskState::Done => "done",
            TaskState::TerminatedWithError => "terminatedWithError",
        }
    }

    /// Reads a task state as servers write it (see [`OrderState::parse`]). Some servers end a
    /// task that did not do what was asked as `failed`, the order states' word: that is
    /// `terminatedWithError`.
    pub fn parse(text: &str) -> Option<TaskState> {
        let key = normalise(text);
        if key == normalise(OrderState::Failed.as_str()) {
            return Some(TaskState::TerminatedWithError);
        }
        TaskState::ALL.into_iter().find(|s| normalise(s.as_str()) == key)
    }

    /// The state of a payload's `state` member, if it is one TMF defines for tasks.
    pub fn of(payload: &serde_json::Value) -> Option<TaskState> {
        payload.get("state").and_then(serde_json::Value::as_str).and_then(TaskState::parse)
    }

    /// The task has ended, one way or the other.
    pub fn is_final(self) -> bool {
        !matches!(self, TaskState::Acknowledged | TaskState::InProgress)
    }

    /// The task ended without doing what was asked.
    pub fn is_refusal(self) -> bool {
        matches!(self, TaskState::Rejected | TaskState::TerminatedWithError | TaskState::Cancelled)
    }
}

impl std::fmt::Display for TaskState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Lower case without separators, for tolerant comparison (`.` stays: it is part of
/// `inProgress.accepted`).
pub(crate) fn normalise(text: &str) -> String {
    text.trim()
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_read_tolerantly() {
        for s in OrderState::ALL {
            assert_eq!(OrderState::parse(s.as_str()), Some(s));
            let json = serde_json::to_value(s).unwrap_or_default();
            assert_eq!(json.as_str(), Some(s.as_str()));
        }
        for s in TaskState::ALL {
            assert_eq!(TaskState::parse(s.as_str()), Some(s));
        }
        assert_eq!(OrderState::parse("IN_PROGRESS"), Some(OrderState::InProgress));
        assert_eq!(OrderState::parse(" Completed "), Some(OrderState::Completed));
        assert_eq!(OrderState::parse("shipped"), None);
        assert_eq!(TaskState::parse("terminated_with_error"), Some(TaskState::TerminatedWithError));
        assert_eq!(TaskState::parse("FAILED"), Some(TaskState::TerminatedWithError));
    }

    #[test]
    fn what_each_state_allows() {
        let finals: Vec<_> = OrderState::ALL.into_iter().filter(|s| s.is_final()).collect();
        assert_eq!(
            finals,
            [
                OrderState::Rejected,
                OrderState::Cancelled,
                OrderState::Completed,
                OrderState::Failed,
                OrderState::Partial
            ]
        );
        for s in OrderState::ALL {
            // Nothing final can be changed or cancelled.
            assert!(!(s.is_final() && (s.is_patchable() || s.is_cancellable())), "{s}");
        }
        assert!(OrderState::InProgress.is_cancellable() && !OrderState::InProgress.is_patchable());
        assert!(!OrderState::AssessingCancellation.is_cancellable());
        assert!(TaskState::Done.is_final() && !TaskState::Done.is_refusal());
        assert!(TaskState::TerminatedWithError.is_refusal());
    }
}
