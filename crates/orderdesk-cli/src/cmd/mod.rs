//! Command groups: one module each, with `Args` and `run(args, &Ctx)`.

pub mod check;
pub mod convert;
pub mod price;
// Local-database groups: `draft`, `catalog`, `search` over orderdesk-service; `db` on the file.
pub mod catalog;
pub mod db;
pub mod draft;
pub mod search;
pub mod settings;
// Server-backed groups (profiles, outbox delivery, orders), over orderdesk-sync; customers
// and installed products over orderdesk-service.
pub mod customer;
pub mod order;
pub mod outbox;
pub mod remote;
pub mod sync;
