//! The baseline of `scripts/perf.sh`'s catalog stage: read a TMF620 snapshot file and parse it
//! into one `serde_json::Value` (with the workspace's serde_json features), nothing else. The
//! streaming import's time and memory are compared with this.
//!
//! Usage: `parse_catalog FILE`; prints how many offerings the snapshot lists.

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args_os().nth(1) else {
        eprintln!("usage: parse_catalog FILE");
        return ExitCode::from(2);
    };
    let parsed = std::fs::read_to_string(&path).map_err(|e| e.to_string()).and_then(|text| {
        serde_json::from_str::<serde_json::Value>(&text).map_err(|e| e.to_string())
    });
    match parsed {
        Ok(doc) => {
            let offerings =
                doc.get("productOffering").and_then(|v| v.as_array()).map_or(0, Vec::len);
            println!("{offerings} offerings");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("parse_catalog: {e}");
            ExitCode::from(1)
        }
    }
}
