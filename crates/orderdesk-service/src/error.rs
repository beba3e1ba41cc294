//! The service layer's error type and its stable codes.

use orderdesk_core::CoreError;
use orderdesk_error::{ErrorBody, ErrorCode};
use orderdesk_store::StoreError;

/// Everything a service call can fail with. Store and core errors keep their own codes
/// (`store.*`, `core.*`); the service adds `service.*` codes for what it checks itself.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The local database refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A composition operation or an import was refused by the core.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// Server profiles (kept by the sync engine) could not be read or written.
    #[error(transparent)]
    Sync(#[from] orderdesk_sync::SyncError),
    /// The input from the UI cannot be used (bad date, bad number, unknown version...).
    #[error("{0}")]
    Invalid(String),
    /// Pasted or loaded text is not JSON.
    #[error("not JSON: {0}")]
    NotJson(String),
    /// The text is JSON but not a TMF622 product order.
    #[error("not a TMF622 product order: {0}")]
    NotAnOrder(String),
    /// Submit refused: the draft has error findings (all of them are carried).
    #[error("the order cannot be submitted: {} error(s) must be fixed first", count_errors(.0))]
    SubmitBlocked(Vec<orderdesk_core::Finding>),
    /// Amend refused: the agent's input or the amended order has problems (all of them are
    /// carried, each at its field).
    #[error("the amendment cannot be sent: {}", describe_problems(.0))]
    AmendBlocked(Vec<crate::view::FindingView>),
    /// A server profile's policy cannot be used as given (not JSON, or its checks refuse it).
    #[error("the policy: {0}")]
    Policy(String),
    /// A discount approval cannot be recorded (no approver or code, no such discount).
    #[error("{0}")]
    Approval(String),
    /// Nothing to undo or redo.
    #[error("{0}")]
    NothingToDo(&'static str),
    /// The platform has no data directory and none was configured.
    #[error("no data directory is known on this system; set ORDERDESK_DATA_DIR")]
    NoDataDir,
    /// An export could not be written to the file the agent chose.
    #[error("cannot write {path}: {source}")]
    Export {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The customer summary PDF could not be made.
    #[error("the summary PDF could not be made: {0}")]
    Pdf(String),
    /// A new customer's field cannot be used (the code names the field).
    #[error("{}: {message}", field.noun())]
    NewCustomer { field: CustomerField, message: String },
    /// A customer can be created only while the active profile's server answers.
    #[error("a customer can be created only while the server is reachable: {0}")]
    CustomerOffline(String),
    /// The in-process demo server could not start.
    #[error("the demo server could not start: {0}")]
    Demo(String),
    /// A background task ended without an answer (it panicked or the runtime is shutting down).
    #[error("a background task failed: {0}")]
    Task(String),
}

impl ErrorCode for ServiceError {
    fn code(&self) -> &'static str {
        match self {
            ServiceError::Store(e) => e.code(),
            ServiceError::Core(e) => ErrorCode::code(e),
            ServiceError::Sync(e) => e.code(),
            ServiceError::Invalid(_) => "service.invalid_input",
            ServiceError::NotJson(_) => orderdesk_error::codes::INPUT_NOT_JSON,
            ServiceError::NotAnOrder(_) => orderdesk_error::codes::WIRE_SHAPE,
            ServiceError::SubmitBlocked(_) => "service.submit_blocked",
            ServiceError::AmendBlocked(_) => "service.amend_blocked",
            ServiceError::Policy(_) => "service.bad_policy",
            ServiceError::Approval(_) => "service.approval",
            ServiceError::NothingToDo(_) => "service.nothing_to_do",
            ServiceError::NoDataDir => "service.no_data_dir",
            ServiceError::Export { .. } => "service.export_write",
            ServiceError::Pdf(_) => "service.summary_pdf",
            ServiceError::NewCustomer { field, .. } => field.code(),
            ServiceError::CustomerOffline(_) => "customer.create_offline",
            ServiceError::Demo(_) => "service.demo",
            ServiceError::Task(_) => orderdesk_error::codes::INTERNAL,
        }
    }
}

impl From<ServiceError> for ErrorBody {
    fn from(err: ServiceError) -> Self {
        ErrorBody::from_error(&err)
    }
}

/// The field of a new customer an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerField {
    Name,
    Phone,
    Email,
}

impl CustomerField {
    /// The stable code of an error about this field (the editor's form shows the message at
    /// the field the code names).
    pub fn code(self) -> &'static str {
        match self {
            CustomerField::Name => "customer.bad_name",
            CustomerField::Phone => "customer.bad_phone",
            CustomerField::Email => "customer.bad_email",
        }
    }

    /// What an agent calls it.
    pub fn noun(self) -> &'static str {
        match self {
            CustomerField::Name => "the name",
            CustomerField::Phone => "the phone number",
            CustomerField::Email => "the e-mail address",
        }
    }
}

fn count_errors(findings: &[orderdesk_core::Finding]) -> usize {
    findings.iter().filter(|f| f.is_error()).count()
}

/// `2 problems, the first: requestedStart: ...`.
fn describe_problems(problems: &[crate::view::FindingView]) -> String {
    let first = problems.first().map(|p| match (&p.item, &p.field) {
        (Some(item), Some(field)) => format!("item {item} {field}: {}", p.message),
        (None, Some(field)) => format!("{field}: {}", p.message),
        (Some(item), None) => format!("item {item}: {}", p.message),
        (None, None) => p.message.clone(),
    });
    match (problems.len(), first) {
        (1, Some(first)) => first,
        (n, Some(first)) => format!("{n} problems, the first: {first}"),
        (_, None) => "it has problems".to_owned(),
    }
}

/// The submit gate's refusal (the sync engine's) is the service's `service.submit_blocked`.
pub(crate) fn from_sync(err: orderdesk_sync::SyncError) -> ServiceError {
    match err {
        orderdesk_sync::SyncError::DraftHasErrors { findings, .. } => {
            ServiceError::SubmitBlocked(findings)
        }
        other => ServiceError::Sync(other),
    }
}

/// The service's result type.
pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

pub(crate) fn invalid(message: impl Into<String>) -> ServiceError {
    ServiceError::Invalid(message.into())
}
