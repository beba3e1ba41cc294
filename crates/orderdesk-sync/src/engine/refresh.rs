//! Refresh and pull: tracked orders are polled and their state changes land in the audit
//! log; the agent's customers' orders are imported from the server.

use chrono::Utc;
use orderdesk_client::{order_state, resource_id, ClientError};
use orderdesk_store::{OrderFilter, OrderSeen, Queries};
use orderdesk_wire::OrderState;
use serde_json::Value;
use tokio::task::JoinSet;

use super::{item_states, PullReport, StateChange, SyncEngine, SyncReport};
use crate::error::{Result, SyncError};
use crate::profiles;

impl SyncEngine {
    /// Every known order that is not in a final state, with its profile (an order in a state
    /// TMF622 does not define is followed: it may still move).
    async fn tracked_orders(&self) -> Result<Vec<orderdesk_store::OrderRow>> {
        self.with_store(|s| {
            let mut tracked = Vec::new();
            let mut offset = 0;
            loop {
                let page =
                    s.orders(&OrderFilter { limit: 1000, offset, ..OrderFilter::default() })?;
                let n = page.len();
                tracked
                    .extend(page.into_iter().filter(|o| {
                        !OrderState::parse(&o.state).is_some_and(OrderState::is_final)
                    }));
                if n < 1000 {
                    break;
                }
                offset = offset.saturating_add(1000);
            }
            Ok(tracked)
        })
        .await
    }

    /// Refreshes the state of every tracked order. State changes land in the audit log
    /// (the store writes them); they are also listed in the report.
    pub async fn refresh(&self, report: &mut SyncReport) -> Result<()> {
        let tracked = self.tracked_orders().await?;
        let mut tasks = JoinSet::new();
        let mut pending = tracked.into_iter();
        let mut fetched = Vec::new();
        loop {
            while tasks.len() < self.inner.config.concurrency.max(1) {
                let Some(row) = pending.next() else { break };
                if report.offline.contains(&row.profile) {
                    continue;
                }
                let engine = self.clone();
                tasks.spawn(async move {
                    let result = match engine.client(&row.profile).await {
                        Ok(client) => client
                            .get_order(&row.server_id)
                            .await
                            .map(|o| (client, o))
                            .map_err(SyncError::from),
                        Err(err) => Err(err),
                    };
                    (row, result)
                });
            }
            match tasks.join_next().await {
                Some(Ok(done)) => fetched.push(done),
                Some(Err(join)) => report.errors.push(format!("a refresh task failed: {join}")),
                None => break,
            }
        }
        for (row, result) in fetched {
            match result {
                Ok((client, order)) => {
                    let version = row.tmf_version;
                    let new_state = order_state(&order).unwrap_or("").to_owned();
                    self.record(&client, order, None, version).await?;
                    report.refreshed = report.refreshed.saturating_add(1);
                    if new_state != row.state {
                        report.state_changes.push(StateChange {
                            order: row.id,
                            server_id: row.server_id,
                            from: row.state,
                            to: new_state,
                        });
                    }
                }
                Err(SyncError::Client(err)) => {
                    if matches!(err, ClientError::Unreachable { .. })
                        && !report.offline.contains(&row.profile)
                    {
                        report.offline.push(row.profile.clone());
                    }
                    report.errors.push(format!("refreshing order {}: {err}", row.server_id));
                }
                Err(other) => {
                    report.errors.push(format!("refreshing order {}: {other}", row.server_id))
                }
            }
        }
        Ok(())
    }

    /// Pulls every order matching `filter` from `profile` into the cache, page by page (one
    /// store transaction per page).
    pub async fn pull_orders(&self, profile: &str, filter: &[(&str, &str)]) -> Result<PullReport> {
        let client = self.client(profile).await?;
        let version = self.version(&client).await?;
        let name = client.profile().name.clone();
        let actor = self.inner.config.actor.clone();
        let mut writes = Vec::new();
        let stats = client
            .for_each_order_page(filter, |page| {
                let batch: Vec<OrderSeen> = page
                    .into_iter()
                    .filter_map(|order| {
                        let server_id = resource_id(&order)?;
                        Some(OrderSeen {
                            profile: name.clone(),
                            server_id,
                            href: order.get("href").and_then(Value::as_str).map(str::to_owned),
                            state: order_state(&order).unwrap_or("").to_owned(),
                            item_states: item_states(&order),
                            tmf_version: orderdesk_wire::detect_version(&order).unwrap_or(version),
                            payload: order.to_string(),
                            draft_id: None,
                            seen_at: Utc::now(),
                            actor: actor.clone(),
                        })
                    })
                    .collect();
                // Queued on the writer thread while the next page downloads.
                writes.push(self.inner.store.write(move |s| s.record_orders(batch)));
                Ok(())
            })
            .await?;
        for write in writes {
            write.await?;
        }
        Ok(PullReport { orders: stats.items, pages: stats.pages })
    }

    /// Party ids whose orders are pulled on every run (the agent's customers).
    pub async fn set_customers(&self, party_ids: Vec<String>) -> Result<()> {
        self.with_store(move |s| {
            Ok(s.set_setting(
                "sync.customers",
                &Value::Array(party_ids.into_iter().map(Value::String).collect()),
            )?)
        })
        .await
    }

    pub(super) async fn pull_customers(&self, report: &mut SyncReport) -> Result<()> {
        let (customers, profile) = self
            .with_store(|s| {
                let customers: Vec<String> = s
                    .setting("sync.customers")?
                    .and_then(|v| serde_json::from_value(v).ok())
                    .unwrap_or_default();
                Ok((customers, profiles::active_name(s)?))
            })
            .await?;
        let Some(profile) = profile else { return Ok(()) };
        if report.offline.contains(&profile) {
            return Ok(());
        }
        for party in customers {
            match self.pull_orders(&profile, &[("relatedParty.id", party.as_str())]).await {
                Ok(pulled) => report.imported = report.imported.saturating_add(pulled.orders),
                Err(err) => {
                    report.errors.push(format!("pulling orders of customer {party}: {err}"))
                }
            }
        }
        Ok(())
    }
}
