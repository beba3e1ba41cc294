//! Integration tests for `orderdesk-wire`, compiled as one binary.

mod common;
mod examples;
mod fixtures;
mod lossless;
mod props;
mod schema;
