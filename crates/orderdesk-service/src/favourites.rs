//! The catalog picker's shortcuts: the agent's favourite offerings and the ones most
//! recently added to a draft (both kept by the store, per database), as the cached catalog
//! describes them. An offering the catalog no longer has is left out, not an error.

use orderdesk_store::{Queries, StoreError};

use crate::error::{Result, ServiceError};
use crate::view::OfferingShortcuts;
use crate::Service;

/// Recently added offerings the picker lists (favourites are not repeated among them).
pub const RECENT_SHOWN: usize = 5;

impl Service {
    /// Mark an offering of the cached catalog as a favourite, or unmark it (any id may be
    /// unmarked, so one that left the catalog can still be removed).
    pub async fn set_favourite_offering(&self, offering_id: String, favourite: bool) -> Result<()> {
        let id = offering_id.trim().to_owned();
        if favourite && self.offering_summaries(vec![id.clone()]).await?.is_empty() {
            return Err(ServiceError::Store(StoreError::NotFound { kind: "offering", id }));
        }
        self.write(move |s| Ok(s.set_favourite_offering(&id, favourite)?)).await
    }

    /// The favourite offerings and the recently added ones, as the picker lists them first.
    pub async fn offering_shortcuts(&self) -> Result<OfferingShortcuts> {
        let (favourites, recent) = self
            .read(|r| {
                Ok((
                    r.favourite_offerings()?,
                    r.recent_offerings(orderdesk_store::MAX_RECENT_OFFERINGS)?,
                ))
            })
            .await?;
        let favourites = self.offering_summaries(favourites).await?;
        let recent: Vec<String> =
            recent.into_iter().filter(|id| !favourites.iter().any(|f| &f.id == id)).collect();
        let mut recent = self.offering_summaries(recent).await?;
        recent.truncate(RECENT_SHOWN);
        Ok(OfferingShortcuts { favourites, recent })
    }
}
