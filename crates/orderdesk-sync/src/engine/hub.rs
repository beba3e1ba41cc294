//! Hub: the listener a server notifies of order events ([`SyncEngine::register_hub`]) and
//! the events it sends, which update known orders without waiting for a poll.

use chrono::Utc;
use orderdesk_client::{order_state, resource_id, ClientError};
use orderdesk_store::{HubSubscription, Queries};
use serde_json::Value;

use super::{StateChange, SyncEngine};
use crate::error::Result;

impl SyncEngine {
    /// Registers `callback` (an endpoint the app serves, reachable by the server) for order
    /// events on `profile`; the listener is recorded with the profile so it can be removed later.
    pub async fn register_hub(&self, profile: &str, callback: &str) -> Result<String> {
        let client = self.client(profile).await?;
        let id = client.register_hub(callback, None).await?;
        let subscription = HubSubscription {
            profile: profile.to_owned(),
            hub_id: id.clone(),
            callback: Some(callback.to_owned()),
            registered_at: Some(Utc::now()),
        };
        self.with_store(move |s| Ok(s.save_hub_subscription(&subscription)?)).await?;
        Ok(id)
    }

    /// Removes the listener registered with [`SyncEngine::register_hub`], if any.
    pub async fn unregister_hub(&self, profile: &str) -> Result<()> {
        let name = profile.to_owned();
        let subscription = self.with_store(move |s| Ok(s.hub_subscription(&name)?)).await?;
        if let Some(subscription) = subscription {
            let client = self.client(profile).await?;
            match client.unregister_hub(&subscription.hub_id).await {
                Ok(()) | Err(ClientError::Server { status: 404, .. }) => {}
                Err(err) => return Err(err.into()),
            }
            let name = profile.to_owned();
            self.with_store(move |s| Ok(s.delete_hub_subscription(&name)?)).await?;
        }
        Ok(())
    }

    /// Applies a hub event (`{"eventType", "event": {"productOrder": {...}}}`) received from
    /// `profile`. Only orders the cache already knows are updated (an event is a hint, not an
    /// import); when the event carries no full order, the order is fetched. Returns the state
    /// change, if there was one (it is in the audit log too).
    pub async fn apply_hub_event(
        &self,
        profile: &str,
        event: &Value,
    ) -> Result<Option<StateChange>> {
        let Some(order) = event.get("event").and_then(|e| e.get("productOrder")) else {
            return Ok(None);
        };
        let Some(server_id) = resource_id(order) else { return Ok(None) };
        let (name, id) = (profile.to_owned(), server_id.clone());
        let known = self.with_store(move |s| Ok(s.order_id(&name, &id)?)).await?;
        let Some(local) = known else { return Ok(None) };
        let row = self.with_store(move |s| Ok(s.order(local)?)).await?;
        let client = self.client(profile).await?;
        let full = if order_state(order).is_some() && order.get("productOrderItem").is_some() {
            order.clone()
        } else {
            client.get_order(&server_id).await?
        };
        let new_state = order_state(&full).unwrap_or("").to_owned();
        self.record(&client, full, None, row.row.tmf_version).await?;
        if new_state != row.row.state {
            self.inner.status.send_modify(|s| s.changes = s.changes.wrapping_add(1));
        }
        self.publish_counts().await;
        Ok((new_state != row.row.state).then_some(StateChange {
            order: local,
            server_id,
            from: row.row.state,
            to: new_state,
        }))
    }
}
