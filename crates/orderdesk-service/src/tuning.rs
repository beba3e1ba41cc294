//! Timings an installation may tune from the environment (the demo server's simulated
//! lifecycle, the sync loop's pauses and a cap on its waits), and the sync engine's
//! configuration they give.

use crate::error::{self, Result};

/// Timing of the in-process demo server's simulated lifecycle, in milliseconds:
/// `ACKNOWLEDGED,IN_PROGRESS,CANCEL_STEP` (e.g. `500,2000,300`). Unset: the reference
/// server's defaults (2 s acknowledged, 5 s in progress, 1 s per cancellation step).
pub const DEMO_TIMING_ENV: &str = "ORDERDESK_DEMO_TIMING";
/// The background sync loop's shortest and longest pause in milliseconds: `MIN,MAX`
/// (e.g. `300,2000`). Unset: 5 s and 120 s.
pub const SYNC_POLL_ENV: &str = "ORDERDESK_SYNC_POLL";

/// The environment variable that caps every wait of the sync loop, in milliseconds (the
/// pause between runs and an outbox entry's back-off). End-to-end tests set it so a server
/// that comes back is noticed within a second; unset, the engine's defaults apply.
pub const SYNC_MAX_WAIT_ENV: &str = "ORDERDESK_SYNC_MAX_WAIT_MS";

/// Timings an installation may tune (demos, the end-to-end suite); see [`Tuning::from_env`].
#[derive(Debug, Clone)]
pub struct Tuning {
    /// The demo server's simulated lifecycle.
    pub demo_lifecycle: orderdesk_server::LifecycleConfig,
    /// The sync loop's shortest and longest pause between runs.
    pub poll: (std::time::Duration, std::time::Duration),
    /// A cap on every wait of the sync loop: the pause between runs and an outbox entry's
    /// back-off ([`SYNC_MAX_WAIT_ENV`]).
    pub max_wait: Option<std::time::Duration>,
}

impl Default for Tuning {
    fn default() -> Self {
        let engine = orderdesk_sync::EngineConfig::default();
        Tuning {
            demo_lifecycle: orderdesk_server::LifecycleConfig::default(),
            poll: (engine.poll_min, engine.poll_max),
            max_wait: None,
        }
    }
}

/// Comma-separated millisecond values from `var`, exactly `N` of them.
fn millis_list<const N: usize>(var: &str, text: &str) -> Result<[std::time::Duration; N]> {
    let n = N;
    let values: Vec<u64> = text
        .split(',')
        .map(|v| v.trim().parse::<u64>())
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| {
            error::invalid(format!(
                "{var}={text:?}: expected {n} comma-separated numbers of milliseconds"
            ))
        })?;
    let found = values.len();
    let values: [u64; N] = values.try_into().map_err(|_| {
        error::invalid(format!("{var}={text:?}: expected {n} values, found {found}"))
    })?;
    Ok(values.map(std::time::Duration::from_millis))
}

impl Tuning {
    /// The defaults, changed by [`DEMO_TIMING_ENV`] and [`SYNC_POLL_ENV`] when set. A value
    /// that cannot be read is an error (the app shows it), never silently ignored.
    pub fn from_env() -> Result<Tuning> {
        let mut tuning = Tuning::default();
        if let Some(text) = std::env::var(DEMO_TIMING_ENV).ok().filter(|t| !t.trim().is_empty()) {
            let [acknowledged, in_progress, cancel_step] = millis_list(DEMO_TIMING_ENV, &text)?;
            tuning.demo_lifecycle.acknowledged_for = acknowledged;
            tuning.demo_lifecycle.in_progress_for = in_progress;
            tuning.demo_lifecycle.cancel_step = cancel_step;
        }
        if let Some(text) = std::env::var(SYNC_POLL_ENV).ok().filter(|t| !t.trim().is_empty()) {
            let [min, max] = millis_list(SYNC_POLL_ENV, &text)?;
            if min.is_zero() || min > max {
                return Err(error::invalid(format!(
                    "{SYNC_POLL_ENV}={text:?}: need 0 < MIN <= MAX"
                )));
            }
            tuning.poll = (min, max);
        }
        if let Some(text) = std::env::var(SYNC_MAX_WAIT_ENV).ok().filter(|t| !t.trim().is_empty()) {
            let [wait] = millis_list(SYNC_MAX_WAIT_ENV, &text)?;
            if wait.is_zero() {
                return Err(error::invalid(format!("{SYNC_MAX_WAIT_ENV}={text:?}: must be > 0")));
            }
            tuning.max_wait = Some(wait);
        }
        Ok(tuning)
    }

    /// The sync engine's configuration under these timings.
    pub(crate) fn engine_config(&self, actor: String) -> orderdesk_sync::EngineConfig {
        let mut config = orderdesk_sync::EngineConfig {
            actor,
            poll_min: self.poll.0,
            poll_max: self.poll.1,
            ..Default::default()
        };
        if let Some(cap) = self.max_wait {
            config.poll_min = config.poll_min.min(cap);
            config.poll_max = config.poll_max.min(cap);
            config.outbox_backoff = config.outbox_backoff.min(cap);
            config.outbox_backoff_max = config.outbox_backoff_max.min(cap);
        }
        config
    }
}
