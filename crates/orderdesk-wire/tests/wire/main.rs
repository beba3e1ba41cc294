//! Integration tests for `orderdesk-wire`, compiled as one binary.

mod catalog;
mod common;
mod examples;
mod fixtures;
mod lossless;
mod props;
mod schema;
