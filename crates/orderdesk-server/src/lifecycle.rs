//! The simulated order lifecycle and the TMF state machines.
//!
//! Order: acknowledged → inProgress → completed | partial | failed, after configurable
//! delays; items move with the order. An item whose characteristic value equals the
//! configured failure value fails: all items failed makes the order `failed`, some makes it
//! `partial`. Cancellation: the task goes acknowledged → inProgress → done, and the order
//! assessingCancellation → pendingCancellation → cancelled; if the order had already reached
//! a final state, the task ends terminatedWithError and the order is untouched.
//!
//! A finished order (completed or partial) is applied to the inventory: its completed items
//! create, change or terminate the customer's products ([`crate::inventory`]).
//!
//! Every transition is a compare-and-set on the stored state, so the simulation and a
//! concurrent cancellation or delete never overwrite each other. What each state allows (final,
//! patchable, cancellable) is `orderdesk_wire::state`'s.
//!
//! The orders and tasks changed here are the server's stored documents, JSON objects by
//! construction (created and patched orders pass the schema and the bounds checks), so their
//! top-level members are set by index; items inside an order are set only when they are
//! objects.
#![allow(clippy::indexing_slicing)]

use std::time::Duration;

use orderdesk_wire::{OrderState, TaskState};
use serde_json::{json, Value};

use crate::hub::EventKind;
use crate::state::AppState;
use crate::store::Kind;

/// Delays and rules of the simulation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifecycleConfig {
    /// Time an order stays `acknowledged`.
    pub acknowledged_for: Duration,
    /// Time an order stays `inProgress`.
    pub in_progress_for: Duration,
    /// Time of each cancellation step.
    pub cancel_step: Duration,
    /// A characteristic value that makes its item fail.
    pub fail_value: String,
}

impl Default for LifecycleConfig {
    fn default() -> Self {
        Self {
            acknowledged_for: Duration::from_secs(2),
            in_progress_for: Duration::from_secs(5),
            cancel_step: Duration::from_secs(1),
            fail_value: "FAIL".into(),
        }
    }
}

/// UTC now with millisecond precision and a `Z` suffix (safe in query strings).
pub fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The state text as stored, for messages.
fn state_text(v: &Value) -> &str {
    v.get("state").and_then(Value::as_str).unwrap_or_default()
}

/// Sets `state` on every item, nested ones too.
fn set_item_states(items: &mut Value, f: &dyn Fn(&Value) -> OrderState) {
    if let Some(list) = items.as_array_mut() {
        for it in list {
            let s = f(it);
            let Some(obj) = it.as_object_mut() else { continue };
            obj.insert("state".into(), json!(s.as_str()));
            if let Some(nested) = it.get_mut("productOrderItem") {
                set_item_states(nested, f);
            }
        }
    }
}

fn item_fails(item: &Value, fail_value: &str) -> bool {
    item.get("product")
        .and_then(|p| p.get("productCharacteristic"))
        .and_then(Value::as_array)
        .is_some_and(|l| {
            l.iter().any(|c| c.get("value").and_then(Value::as_str) == Some(fail_value))
        })
}

fn count_items(items: &Value, fail_value: &str, total: &mut usize, failed: &mut usize) {
    if let Some(list) = items.as_array() {
        for it in list {
            *total = total.saturating_add(1);
            if item_fails(it, fail_value) {
                *failed = failed.saturating_add(1);
            }
            if let Some(nested) = it.get("productOrderItem") {
                count_items(nested, fail_value, total, failed);
            }
        }
    }
}

/// Moves an order from `from` to `to` if it is still in `from`; publishes the change.
async fn transition(
    st: &AppState,
    id: &str,
    from: OrderState,
    apply: impl FnOnce(&mut Value) + Send + 'static,
) -> bool {
    let res = st
        .store
        .update(Kind::Order, id, move |v| {
            if OrderState::of(v) != Some(from) {
                return Ok::<_, ()>(None);
            }
            apply(v);
            Ok(Some(v.clone()))
        })
        .await;
    match res {
        Ok(Some(Ok(Some(order)))) => {
            st.hub.publish(EventKind::OrderStateChange, &order);
            true
        }
        Ok(_) => false,
        Err(e) => {
            tracing::warn!(order = id, error = %e, "lifecycle step not stored");
            false
        }
    }
}

/// Sleeps unless the server shuts down first; returns false on shutdown.
async fn pause(st: &AppState, d: Duration) -> bool {
    let mut rx = st.shutdown.clone();
    if *rx.borrow() {
        return false;
    }
    tokio::select! {
        () = tokio::time::sleep(d) => true,
        _ = rx.changed() => false,
    }
}

/// Runs an order through its lifecycle in the background, from the state it is in now
/// (`acknowledged` for a new order; `inProgress` too when resuming after a restart).
pub fn simulate_order(st: AppState, id: String) {
    tokio::spawn(async move {
        let cfg = st.config.lifecycle.clone();
        let current = st.store.get(Kind::Order, &id);
        let in_progress =
            current.as_ref().is_some_and(|v| OrderState::of(v) == Some(OrderState::InProgress));
        if !in_progress {
            if !pause(&st, cfg.acknowledged_for).await {
                return;
            }
            let moved = transition(&st, &id, OrderState::Acknowledged, |v| {
                v["state"] = json!(OrderState::InProgress.as_str());
                if let Some(items) = v.get_mut("productOrderItem") {
                    set_item_states(items, &|_| OrderState::InProgress);
                }
            })
            .await;
            if !moved {
                return;
            }
        }
        if !pause(&st, cfg.in_progress_for).await {
            return;
        }
        let fail = cfg.fail_value.clone();
        let finished = transition(&st, &id, OrderState::InProgress, move |v| {
            let (mut total, mut failed) = (0, 0);
            if let Some(items) = v.get("productOrderItem") {
                count_items(items, &fail, &mut total, &mut failed);
            }
            let state = if failed == 0 {
                OrderState::Completed
            } else if failed == total {
                OrderState::Failed
            } else {
                OrderState::Partial
            };
            v["state"] = json!(state.as_str());
            v["completionDate"] = json!(now());
            if let Some(items) = v.get_mut("productOrderItem") {
                let fail = fail.clone();
                set_item_states(items, &move |it| {
                    if item_fails(it, &fail) {
                        OrderState::Failed
                    } else {
                        OrderState::Completed
                    }
                });
            }
        })
        .await;
        // What the order completed is now the customer's (TMF637).
        if finished {
            if let Some(order) = st.store.get(Kind::Order, &id) {
                st.inventory.apply_order(&order, st.catalog.rules());
            }
        }
    });
}

async fn task_step(st: &AppState, id: &str, apply: impl FnOnce(&mut Value) + Send + 'static) {
    let res = st
        .store
        .update(Kind::Cancel, id, move |v| {
            apply(v);
            Ok::<_, ()>(Some(v.clone()))
        })
        .await;
    match res {
        Ok(Some(Ok(Some(task)))) => st.hub.publish(EventKind::CancelStateChange, &task),
        Ok(_) => {}
        Err(e) => tracing::warn!(task = id, error = %e, "cancellation step not stored"),
    }
}

/// Where a cancellation task picks up: from the start, or (after a restart) from the order's
/// state at the time the server stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum CancelPhase {
    /// Not yet assessed: decide whether the order can still be cancelled.
    Start,
    /// The order is `assessingCancellation`.
    Assessing,
    /// The order is `pendingCancellation`.
    Pending,
    /// The order is `cancelled`; only the task's own `done` is missing.
    Finished,
}

/// Runs a cancellation task in the background.
pub fn simulate_cancel(st: AppState, task_id: String, order_id: String, reason: Option<String>) {
    run_cancel(st, task_id, order_id, reason, CancelPhase::Start);
}

fn run_cancel(
    st: AppState,
    task_id: String,
    order_id: String,
    reason: Option<String>,
    from: CancelPhase,
) {
    tokio::spawn(async move {
        let step = st.config.lifecycle.cancel_step;
        if from == CancelPhase::Start {
            if !pause(&st, step).await {
                return;
            }
            task_step(&st, &task_id, |t| t["state"] = json!(TaskState::InProgress.as_str())).await;
            // Atomically decide: either the order enters assessingCancellation or it can no
            // longer be cancelled (final, or already being cancelled).
            let res = st
                .store
                .update(Kind::Order, &order_id, |v| {
                    if !OrderState::of(v).is_some_and(OrderState::is_cancellable) {
                        return Err(state_text(v).to_owned());
                    }
                    v["state"] = json!(OrderState::AssessingCancellation.as_str());
                    Ok(Some(v.clone()))
                })
                .await;
            let order = match res {
                Ok(Some(Ok(Some(order)))) => order,
                Ok(Some(Err(state))) => {
                    task_step(&st, &task_id, move |t| {
                        t["state"] = json!(TaskState::TerminatedWithError.as_str());
                        t["errorMessage"] =
                            json!(format!("the order is {state} and can no longer be cancelled"));
                    })
                    .await;
                    return;
                }
                _ => {
                    task_step(&st, &task_id, |t| {
                        t["state"] = json!(TaskState::TerminatedWithError.as_str());
                        t["errorMessage"] = json!("the order no longer exists");
                    })
                    .await;
                    return;
                }
            };
            st.hub.publish(EventKind::OrderStateChange, &order);
        }
        if from <= CancelPhase::Assessing {
            if !pause(&st, step).await {
                return;
            }
            transition(&st, &order_id, OrderState::AssessingCancellation, |v| {
                v["state"] = json!(OrderState::PendingCancellation.as_str());
                if let Some(items) = v.get_mut("productOrderItem") {
                    set_item_states(items, &|_| OrderState::PendingCancellation);
                }
            })
            .await;
        }
        let mut when = now();
        if from <= CancelPhase::Pending {
            if !pause(&st, step).await {
                return;
            }
            let w2 = when.clone();
            transition(&st, &order_id, OrderState::PendingCancellation, move |v| {
                v["state"] = json!(OrderState::Cancelled.as_str());
                v["cancellationDate"] = json!(w2);
                if let Some(r) = reason {
                    v["cancellationReason"] = json!(r);
                }
                if let Some(items) = v.get_mut("productOrderItem") {
                    set_item_states(items, &|_| OrderState::Cancelled);
                }
            })
            .await;
        } else if let Some(date) = st
            .store
            .get(Kind::Order, &order_id)
            .and_then(|o| o.get("cancellationDate").and_then(Value::as_str).map(str::to_owned))
        {
            // The order was cancelled before the stop: the task ends on the same date.
            when = date;
        }
        task_step(&st, &task_id, move |t| {
            t["state"] = json!(TaskState::Done.as_str());
            t["effectiveCancellationDate"] = json!(when);
        })
        .await;
    });
}

/// Restarts the simulation of stored orders that had not reached a final state, and of the
/// cancellations that were under way, each from where it stopped.
pub fn resume(st: &AppState) {
    for order in st.store.all(Kind::Order) {
        // The simulation moves an order on from these two; elsewhere it waits for a client.
        if matches!(OrderState::of(&order), Some(OrderState::Acknowledged | OrderState::InProgress))
        {
            if let Some(id) = order.get("id").and_then(Value::as_str) {
                simulate_order(st.clone(), id.to_owned());
            }
        }
    }
    for task in st.store.all(Kind::Cancel) {
        if TaskState::of(&task).is_none_or(TaskState::is_final) {
            continue;
        }
        let (Some(task_id), Some(order_id)) = (
            task.get("id").and_then(Value::as_str),
            task.pointer("/productOrder/id").and_then(Value::as_str),
        ) else {
            continue;
        };
        let order_state = st.store.get(Kind::Order, order_id).and_then(|o| OrderState::of(&o));
        let from = match order_state {
            Some(OrderState::AssessingCancellation) => CancelPhase::Assessing,
            Some(OrderState::PendingCancellation) => CancelPhase::Pending,
            Some(OrderState::Cancelled) => CancelPhase::Finished,
            _ => CancelPhase::Start,
        };
        let reason = task.get("cancellationReason").and_then(Value::as_str).map(str::to_owned);
        run_cancel(st.clone(), task_id.to_owned(), order_id.to_owned(), reason, from);
    }
}
