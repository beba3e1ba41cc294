//! What the UI shows about sync, and the background loop that keeps it current.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use orderdesk_store::{OutboxStatus, Queries};
use serde::Serialize;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

use crate::engine::SyncEngine;

/// The sync state as the UI shows it. Sent on every change through
/// [`SyncEngine::subscribe`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    /// `Some(true)` after a run reached every server, `Some(false)` when one was unreachable,
    /// `None` before the first run.
    pub online: Option<bool>,
    /// Entries waiting to be sent (including ones waiting out a back-off).
    pub queued: usize,
    /// Entries being sent right now.
    pub in_flight: usize,
    /// Entries the agent has to look at (refused, conflicting).
    pub needs_attention: usize,
    pub running: bool,
    pub last_run_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// Bumped whenever a run changed what the agent sees: an entry was sent, refused or
    /// rescheduled, an order changed state, orders were imported. Views that show orders
    /// reload when it moves.
    pub changes: u64,
}

impl SyncEngine {
    /// A receiver that sees every status change (`changed().await`, then `borrow()`).
    pub fn subscribe(&self) -> watch::Receiver<SyncStatus> {
        self.inner.status.subscribe()
    }

    /// The current status.
    pub fn status(&self) -> SyncStatus {
        self.inner.status.borrow().clone()
    }

    /// Recounts the outbox and publishes the counts.
    pub async fn publish_counts(&self) {
        let counts = self
            .with_store(|s| {
                let queued = s.outbox(Some(OutboxStatus::Queued))?.len();
                let attention = s.outbox(Some(OutboxStatus::NeedsAttention))?.len();
                Ok((queued, attention))
            })
            .await;
        match counts {
            Ok((queued, needs_attention)) => self.inner.status.send_if_modified(|s| {
                let changed = s.queued != queued || s.needs_attention != needs_attention;
                s.queued = queued;
                s.needs_attention = needs_attention;
                changed
            }),
            Err(err) => {
                tracing::warn!(error = %err, "cannot count the outbox");
                false
            }
        };
    }

    /// Starts the background loop on the current tokio runtime: a run, then a pause that
    /// doubles (from `poll_min` to `poll_max`) while runs find nothing to do and resets when
    /// they do; [`Background::wake`] (e.g. after a submit) starts a run at once.
    pub fn spawn_background(&self) -> Background {
        let wake = Arc::new(Notify::new());
        let (stop_tx, mut stop_rx) = watch::channel(false);
        let engine = self.clone();
        let notify = Arc::clone(&wake);
        let task = tokio::spawn(async move {
            let config = engine.config().clone();
            let mut pause = config.poll_min;
            loop {
                let busy = match engine.run_once().await {
                    Ok(report) => {
                        !report.entries.is_empty()
                            || !report.state_changes.is_empty()
                            || engine.status().queued > 0
                    }
                    Err(err) => {
                        tracing::warn!(error = %err, "sync run failed");
                        false
                    }
                };
                pause = if busy {
                    config.poll_min
                } else {
                    pause.saturating_mul(2).min(config.poll_max)
                };
                tokio::select! {
                    _ = stop_rx.changed() => break,
                    () = notify.notified() => pause = config.poll_min,
                    () = tokio::time::sleep(pause) => {}
                }
                if *stop_rx.borrow() {
                    break;
                }
            }
        });
        Background { wake, stop: stop_tx, task }
    }
}

/// The running background loop.
#[derive(Debug)]
pub struct Background {
    wake: Arc<Notify>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Background {
    /// Starts a run now (or right after the current one).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Stops after the current run; waits at most `grace` for it.
    pub async fn stop(self, grace: Duration) {
        let _ = self.stop.send(true);
        let mut task = self.task;
        if tokio::time::timeout(grace, &mut task).await.is_err() {
            task.abort();
        }
    }
}
