//! # orderdesk-core
//!
//! The pure heart of Orderdesk: the order model, composition operations, catalog-driven
//! validation and the pricing engine. It owns the business rules; the CLI, the store and the
//! Tauri shell call into it and own everything else.
//!
//! - [`model`]: an order is a forest of items ([`Order`], [`Item`]). Import accepts both ways
//!   TMF622 writes a bundle (flat items linked by `bundles` relationships, or items nested in
//!   `productOrderItem`) and yields the same tree; export writes the flat form (or nested on
//!   request).
//! - [`ops`]: every edit is an [`Op`] value applied by [`apply`], returning the new order or
//!   a [`CoreError`]. Ops serialise, so revisions can be stored and replayed.
//! - [`inventory`], [`change`]: what a customer already has (installed products, TMF637), the
//!   change operations on it, the inventory checks and the monthly charges before → after.
//! - [`catalog`]: a TMF620 snapshot indexed by id once ([`Catalog`]).
//! - [`validate`]: the one list of order checks, findings with stable codes and JSON pointers
//!   ([`Finding`]); [`codes`] is the table of every code with its severity and meaning.
//! - [`policy`]: a server profile's discount policy (reasons, limits, approvals as notes),
//!   which [`validate`] applies when the caller gives one.
//! - [`formats`]: the telecom numbers a characteristic may hold (MSISDN, ICCID, IMEI).
//! - [`pricing`]: decimal pricing with alterations, tax, rounding and a schedule ([`Quote`]);
//!   rounding is per line and period, then sums (see the module docs for every rule).
//!   [`Quote::to_json`] is the `orderdesk price --json` document; [`validate_and_price`] adds
//!   the validation findings to it.
//! - [`recheck`]: validating and pricing again after an edit, computing only the items that
//!   changed ([`Recheck`]); always the same answer as [`validate_and_price`].
//! - [`fuzzing`]: the fuzz harness (import, validate, price, edits, export) that `fuzz/` drives.
//!
//! ## Example
//! ```
//! use orderdesk_core::{apply, price, validate, Catalog, Op, Order, PricingOptions, ValidateOptions};
//! use serde_json::json;
//!
//! let catalog = Catalog::from_json(&json!({
//!     "productOffering": [{ "id": "P1", "name": "Line", "productOfferingPrice": [{ "id": "M" }] }],
//!     "productOfferingPrice": [{ "id": "M", "priceType": "recurring",
//!         "recurringChargePeriodType": "month", "price": { "unit": "EUR", "value": 9.99 } }],
//! }))?;
//! let draft = apply(&Order::default(), &Op::NewDraft, None)?;
//! let order = apply(&draft, &Op::AddOffering { offering_id: "P1".into(), parent: None, quantity: Some(2) }, Some(&catalog))?;
//! assert!(validate(&order, Some(&catalog), ValidateOptions::default()).is_empty());
//! let quote = price(&order, Some(&catalog), PricingOptions { periods: Some(3), ..Default::default() });
//! let json = quote.to_json();
//! assert_eq!(json["recurring"][0]["dutyFree"], "19.98");
//! assert_eq!(json["total"]["dutyFree"], "59.94");
//! # Ok::<(), orderdesk_core::CoreError>(())
//! ```
//!
//! ## Invariants
//! - **Lossless.** Fields the core does not interpret (vendor extensions included) are kept
//!   verbatim on orders and items and come back on export.
//! - **No I/O, no clock.** Inputs are `serde_json::Value`s and options; "now" for `validFor`
//!   checks is passed in. Nothing here reads files, talks to the network or a database.
//! - **Money is `rust_decimal::Decimal`.** JSON numbers are read from their exact text
//!   (`arbitrary_precision`); no amount ever passes through a float.
//! - **Bad input is a value, not a panic.** Import refuses only JSON that is not shaped like an
//!   order; every business problem is a finding.
//!
//! ## Boundary
//! The TMF wire types and v4 <-> v5 conversion live in `orderdesk-wire`; this crate reads the
//! order JSON of either version directly and leaves version-specific shapes untouched.

// What this crate reads comes from outside (files, servers, the database): no arithmetic that
// can overflow and no indexing that can panic (checked, saturating or `get` instead).
#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects, clippy::indexing_slicing))]

pub mod catalog;
pub mod change;
pub mod codes;
pub mod copy;
mod error;
pub mod finding;
pub mod formats;
pub mod fuzzing;
pub mod inventory;
pub mod limits;
pub mod model;
pub mod money;
pub mod ops;
pub mod policy;
pub mod pricing;
pub mod recheck;
pub mod validate;

pub use catalog::Catalog;
pub use error::CoreError;
pub use finding::{has_errors, Finding, Severity};
pub use inventory::{InstalledProduct, Inventory};
pub use model::{Item, Layout, Order, Relationship};
pub use money::Rounding;
pub use ops::{apply, Action, Op};
pub use orderdesk_error::ErrorCode;
pub use policy::{CancelReason, DiscountPolicy, ProfilePolicy};
pub use pricing::{price, PricingOptions, Quote};
pub use recheck::Recheck;
pub use validate::{
    validate, validate_json, validate_json_with_inventory, validate_with_inventory, ValidateOptions,
};

/// Validate and price in one call: the quote's findings are the validation findings followed
/// by the pricing ones. This is what `orderdesk price` and the UI's price panel show.
pub fn validate_and_price(
    order: &Order,
    catalog: Option<&Catalog>,
    validate_options: ValidateOptions<'_>,
    pricing_options: PricingOptions,
) -> Quote {
    let mut quote = price(order, catalog, pricing_options);
    let mut findings = validate(order, catalog, validate_options);
    findings.append(&mut quote.findings);
    quote.findings = findings;
    quote
}
