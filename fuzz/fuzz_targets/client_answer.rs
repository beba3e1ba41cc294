//! Any answer read by the client: `orderdesk_client::fuzzing::read_server_answer`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| orderdesk_client::fuzzing::read_server_answer(data));
