//! Drafts of a chosen size composed from the cached catalog, for measurements: the benchmark of
//! the edit path through the app's command layer and `scripts/perf.sh` (a 1,000-item draft in
//! the real window). Every item is added the way the editor adds it ([`Edit::AddOffering`]), so
//! bundles carry their required children and the order is as valid as an agent's would be.

use orderdesk_core::{Layout, Order};
use orderdesk_store::Version;
use serde_json::json;

use crate::edit::{apply_edit, Edit};
use crate::error::{invalid, Result};
use crate::CatalogCache;

/// TMF622 JSON (v4) of an order with exactly `items` items: the catalog's orderable offerings
/// added in turn (name order), bundles with their required children. An offering whose
/// addition would overshoot the size is skipped; the catalog must offer at least one
/// single-item offering, or the size could not be met.
pub fn order_of_size(catalog: &CatalogCache, items: usize) -> Result<String> {
    let orderable: Vec<&str> = catalog
        .offerings
        .iter()
        .filter(|o| {
            o.lifecycle_status.as_deref().is_none_or(|s| !s.eq_ignore_ascii_case("retired"))
        })
        .map(|o| o.id.as_str())
        .collect();
    let mut order = Order::from_json(json!({"productOrderItem": [], "@type": "ProductOrder"}))?;
    let mut next = 0usize;
    let mut misses = 0usize;
    while order.item_count() < items {
        if orderable.is_empty() || misses > orderable.len() {
            return Err(invalid(format!(
                "the catalog cannot fill an order of exactly {items} items"
            )));
        }
        let Some(offering_id) = next
            .checked_rem(orderable.len())
            .and_then(|i| orderable.get(i))
            .map(|o| (*o).to_owned())
        else {
            return Err(invalid(format!(
                "the catalog cannot fill an order of exactly {items} items"
            )));
        };
        next = next.saturating_add(1);
        let edit = Edit::AddOffering { offering_id, parent: None, quantity: None };
        match apply_edit(&order, &edit, Version::V4, Some(&*catalog.rules)) {
            Ok(bigger) if bigger.item_count() <= items => {
                order = bigger;
                misses = 0;
            }
            _ => misses = misses.saturating_add(1),
        }
    }
    serde_json::to_string(&order.to_json(Layout::Flat)).map_err(|e| invalid(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::order_of_size;
    use crate::CatalogCache;
    use orderdesk_core::Order;

    fn demo() -> CatalogCache {
        let snapshot = orderdesk_wire::parse_json(orderdesk_server::catalog::DEMO_CATALOG)
            .expect("demo catalog is JSON");
        CatalogCache::build(Some("demo".into()), &snapshot).expect("demo catalog indexes")
    }

    fn count(text: &str) -> usize {
        let value = orderdesk_wire::parse_json(text).expect("JSON");
        Order::from_json(value).expect("order").item_count()
    }

    #[test]
    fn exact_sizes_with_bundles_and_their_children() {
        let catalog = demo();
        for size in [1, 7, 200] {
            assert_eq!(count(&order_of_size(&catalog, size).expect("order")), size);
        }
        let text = order_of_size(&catalog, 200).expect("order");
        assert!(text.contains("productOrderItemRelationship"), "bundles have children");
    }

    #[test]
    fn an_empty_catalog_is_an_error_not_a_hang() {
        assert!(order_of_size(&CatalogCache::default(), 3).is_err());
        assert_eq!(count(&order_of_size(&CatalogCache::default(), 0).expect("empty")), 0);
    }
}
