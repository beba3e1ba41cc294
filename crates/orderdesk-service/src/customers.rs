//! Customers (TMF629) and what they have installed (TMF637), read from the active profile's
//! server: for callers without an editor session (the CLI's `customer show` and
//! `product list`). The products come as the core's [`InstalledProduct`]s in tree order, the
//! shape the change operations take. The change operations on a draft
//! ([`Service::change_plan`], [`Service::add_option`], [`Service::disconnect`]) read the
//! installed product and its bundle the same way and apply the core's `Op`s.

use orderdesk_core::{InstalledProduct, Inventory, Op};
use orderdesk_store::DraftRow;
use orderdesk_sync::{SyncEngine, SyncError};
use serde::Serialize;

use crate::error::{invalid, Result};
use crate::Service;

/// A customer as `customer show` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerView {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    pub phones: Vec<String>,
    pub emails: Vec<String>,
    /// The ids of the customer's (billing) accounts.
    pub accounts: Vec<String>,
}

/// One installed product in tree order: bundles before what they bundle.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstalledRow {
    /// 0 for a top-level product.
    pub depth: usize,
    /// The bundle it is part of.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(flatten)]
    pub product: InstalledProduct,
}

/// A customer of the active profile's server, by id.
pub async fn customer(engine: &SyncEngine, id: &str) -> Result<CustomerView> {
    let client = engine.active_client().await?;
    let raw = client.get_customer(id).await.map_err(SyncError::from)?;
    let c = orderdesk_wire::inventory::read_customer(&raw).unwrap_or_default();
    Ok(CustomerView {
        id: if c.id.is_empty() { id.to_owned() } else { c.id },
        name: c.name,
        status: c.status,
        phones: c.phones,
        emails: c.emails,
        accounts: c.accounts.into_iter().map(|a| a.id).collect(),
    })
}

/// The installed products of a customer of the active profile's server, in tree order.
pub async fn installed_products(engine: &SyncEngine, customer: &str) -> Result<Vec<InstalledRow>> {
    let client = engine.active_client().await?;
    let raw = client.list_customer_products(customer).await.map_err(SyncError::from)?;
    let inventory = Inventory::from_json(raw.iter());
    Ok(inventory
        .tree()
        .into_iter()
        .map(|e| InstalledRow {
            depth: e.depth,
            parent: e.parent.map(str::to_owned),
            product: e.product.clone(),
        })
        .collect())
}

/// The installed products of the customer `product` belongs to, from the active profile's
/// server (only `product` itself when it names no customer).
async fn inventory_of_product(engine: &SyncEngine, product: &str) -> Result<Inventory> {
    let client = engine.active_client().await?;
    let raw = client.get_product(product).await.map_err(SyncError::from)?;
    let owner =
        orderdesk_wire::inventory::read_product(&raw).and_then(|p| p.customers.into_iter().next());
    let all = match owner {
        Some(customer) => {
            client.list_customer_products(&customer).await.map_err(SyncError::from)?
        }
        None => vec![raw],
    };
    Ok(Inventory::from_json(all.iter()))
}

fn installed(inventory: &Inventory, product: &str) -> Result<InstalledProduct> {
    inventory
        .get(product)
        .cloned()
        .ok_or_else(|| invalid(format!("product {product} is not an installed product")))
}

impl Service {
    /// Replaces installed `product` by `offering` on draft `draft`: a `delete` item for the
    /// product and an `add` item for the offering, inside a `modify` item of its bundle.
    pub async fn change_plan(
        &self,
        draft: String,
        product: String,
        offering: String,
    ) -> Result<DraftRow> {
        let inventory = inventory_of_product(&self.engine, &product).await?;
        let op = Op::ChangePlan {
            product: installed(&inventory, &product)?,
            bundle: inventory.parent_of(&product).cloned(),
            offering_id: offering,
        };
        self.apply_ops(draft, vec![op]).await
    }

    /// Adds `offering` to installed bundle `bundle` on draft `draft`: a `modify` item for the
    /// bundle with an `add` child.
    pub async fn add_option(
        &self,
        draft: String,
        bundle: String,
        offering: String,
    ) -> Result<DraftRow> {
        let inventory = inventory_of_product(&self.engine, &bundle).await?;
        let op = Op::AddOption { bundle: installed(&inventory, &bundle)?, offering_id: offering };
        self.apply_ops(draft, vec![op]).await
    }

    /// Disconnects installed `product` and what it bundles on draft `draft` (`delete` items).
    pub async fn disconnect(&self, draft: String, product: String) -> Result<DraftRow> {
        let inventory = inventory_of_product(&self.engine, &product).await?;
        // The product first, then what it bundles, parents before children.
        let products: Vec<InstalledProduct> =
            inventory.with_descendants(&product).into_iter().map(|(p, _)| p.clone()).collect();
        if products.is_empty() {
            installed(&inventory, &product)?;
        }
        let op = Op::Disconnect { products, bundle: inventory.parent_of(&product).cloned() };
        self.apply_ops(draft, vec![op]).await
    }
}
