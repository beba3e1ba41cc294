//! Any request through the reference server's router: `orderdesk_server::fuzzing::serve_request`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| orderdesk_server::fuzzing::serve_request(data));
