//! Command groups: one module each, with `Args` and `run(args, &Ctx)`.

pub mod check;
pub mod convert;
pub mod price;
// Store-backed groups (local database).
pub mod catalog;
pub mod db;
pub mod draft;
pub mod search;
