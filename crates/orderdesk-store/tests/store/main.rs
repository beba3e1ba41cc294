//! Integration tests of the store, compiled as one binary.

mod bad_input;
mod catalog_search;
mod common;
mod crash;
mod customers;
mod drafts;
mod handle;
mod orders_list;
mod orders_outbox;
mod profiles;
mod upgrade;
