//! Prepare a data directory for `scripts/perf.sh`: the demo server chosen (so the app starts on
//! its main screen, as an agent's would after the first start) with its catalog cached, and
//! optionally one draft of a given size.
//!
//! Usage: `perf_fixture DATA_DIR [ITEMS]`; prints the new draft's id when ITEMS is given.

use std::path::PathBuf;
use std::process::ExitCode;

use orderdesk_service::{sample, Service};

async fn prepare(dir: PathBuf, items: Option<usize>) -> Result<Option<String>, String> {
    let service = Service::open(dir).map_err(|e| e.to_string())?;
    service.start_demo().await.map_err(|e| e.to_string())?;
    let id = match items {
        Some(items) => {
            let catalog = service.catalog_sample(2_000).await.map_err(|e| e.to_string())?;
            let text = sample::order_of_size(&catalog, items).map_err(|e| e.to_string())?;
            let state = service.import_order(text).await.map_err(|e| e.to_string())?;
            Some(state.draft.id)
        }
        None => None,
    };
    service.stop_demo().await;
    Ok(id)
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(dir) = args.next().map(PathBuf::from) else {
        eprintln!("usage: perf_fixture DATA_DIR [ITEMS]");
        return ExitCode::from(2);
    };
    let items = match args.next().map(|a| a.to_string_lossy().parse::<usize>()) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(e)) => {
            eprintln!("perf_fixture: ITEMS must be a number: {e}");
            return ExitCode::from(2);
        }
    };
    match prepare(dir, items).await {
        Ok(Some(id)) => {
            println!("{id}");
            ExitCode::SUCCESS
        }
        Ok(None) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("perf_fixture: {e}");
            ExitCode::FAILURE
        }
    }
}
