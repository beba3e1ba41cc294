//! The one error type of the core. Every variant has a stable `code()` so the CLI's `--json`
//! output and the UI can act on it without parsing the message.

use thiserror::Error;

/// Why an import or a composition operation was refused. Validation problems are not errors:
/// they are [`crate::Finding`]s, because an invalid draft is still a draft the agent can fix.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CoreError {
    /// The JSON handed to the importer is not a product order at all.
    #[error("not a product order at {path}: {message}")]
    Import { path: String, message: String },
    /// The JSON handed to the catalog indexer is not a catalog snapshot.
    #[error("not a catalog snapshot at {path}: {message}")]
    Catalog { path: String, message: String },
    /// An operation named an item id that the order does not contain.
    #[error("no item with id {0:?}")]
    UnknownItem(String),
    /// An operation named an offering that the catalog does not contain.
    #[error("offering {0:?} is not in the catalog")]
    UnknownOffering(String),
    /// The catalog's bundle definitions loop back on themselves.
    #[error("offering {0:?} bundles itself (directly or through its children)")]
    CatalogCycle(String),
    /// Moving an item below itself or one of its descendants.
    #[error("item {item:?} cannot be moved under {parent:?}, which is inside it")]
    MoveIntoItself { item: String, parent: String },
    /// Moving an item under an item that is not a bundle.
    #[error("item {item:?} cannot be moved under {parent:?}, which is not a bundle")]
    NotABundle { item: String, parent: String },
    /// An index (price, alteration, position) outside the list it points into.
    #[error("{what} index {index} is out of range (length {len})")]
    OutOfRange { what: &'static str, index: usize, len: usize },
    /// `modify`, `delete` and `noChange` act on an existing product and need its id.
    #[error("action {action:?} on item {item:?} needs the id of an existing product")]
    ProductIdRequired { item: String, action: String },
    /// A value handed to an operation that cannot be used (bad quantity, bad alteration, ...).
    #[error("invalid value for {field}: {message}")]
    InvalidValue { field: String, message: String },
    /// An order, a catalog or an operation goes beyond one of [`crate::limits`]; `code` is the
    /// finding code that names the limit (`limit.items`, `limit.depth`, ...).
    #[error("{message}")]
    Limit { code: &'static str, path: String, message: String },
}

impl orderdesk_error::ErrorCode for CoreError {
    /// Stable machine-readable code, e.g. `core.unknown_item`.
    fn code(&self) -> &'static str {
        match self {
            Self::Import { .. } => "core.import",
            Self::Catalog { .. } => "core.catalog",
            Self::UnknownItem(_) => "core.unknown_item",
            Self::UnknownOffering(_) => "core.unknown_offering",
            Self::CatalogCycle(_) => "core.catalog_cycle",
            Self::MoveIntoItself { .. } => "core.move_into_itself",
            Self::NotABundle { .. } => "core.not_a_bundle",
            Self::OutOfRange { .. } => "core.out_of_range",
            Self::ProductIdRequired { .. } => "core.product_id_required",
            Self::InvalidValue { .. } => "core.invalid_value",
            Self::Limit { code, .. } => code,
        }
    }
}
