//! Import, validate, price, edit, export: `orderdesk_core::fuzzing::order_pipeline`, against
//! the demo catalog (the one the reference server serves).
#![no_main]

use std::sync::LazyLock;

use orderdesk_core::Catalog;

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    orderdesk_wire::parse_json(orderdesk_server::catalog::DEMO_CATALOG)
        .ok()
        .and_then(|snapshot| Catalog::from_json(&snapshot).ok())
        .unwrap_or_else(|| panic!("the embedded demo catalog does not load"))
});

libfuzzer_sys::fuzz_target!(|data: &[u8]| orderdesk_core::fuzzing::order_pipeline(data, &CATALOG));
