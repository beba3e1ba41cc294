//! Decode, convert, round-trip: `orderdesk_wire::fuzzing::order_round_trip`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| orderdesk_wire::fuzzing::order_round_trip(data));
