//! Customers (TMF629) and what they have installed (TMF637) for callers without an editor
//! session (the CLI's `customer sync|search|show`, `product list` and `draft new
//! --customer`): read from the active profile's server through the sync engine, which keeps
//! them in the store's customer cache and answers from it while the server cannot (the view
//! says so, [`CustomerView::stale`]). Search reads only the cache. The products come as the
//! core's [`InstalledProduct`]s in tree order, the shape the change operations take. The
//! change operations on a draft ([`Service::change_plan`], [`Service::add_option`],
//! [`Service::disconnect`]) read the installed product and its bundle live and apply the
//! core's `Op`s. A new customer ([`Service::create_customer`]) is made on the server, in its
//! version's TMF629 shape, checked first with the core's phone and e-mail rules, and cached at
//! once; it needs the server (`customer.create_offline` without it).

use orderdesk_client::ClientError;
use orderdesk_core::formats::{self, TelecomFormat};
use orderdesk_core::limits::MAX_TEXT_CHARS;
use orderdesk_core::{InstalledProduct, Inventory, Op};
use orderdesk_store::{CachedCustomer, CustomerHit, DraftRow};
use orderdesk_sync::{CustomerSyncReport, SyncEngine, SyncError};
use orderdesk_wire::inventory::ProductStatus;
use orderdesk_wire::Version;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::edit::{Edit, RefInput};
use crate::error::{invalid, CustomerField, Result, ServiceError};
use crate::{EditorState, Service};

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
    /// Why the cache answered instead of the server; absent when the server did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stale: Option<String>,
}

/// A customer found by `customer search`: the first phone, e-mail and account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CustomerRow {
    pub id: String,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub account: Option<String>,
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

/// One currency's monthly charge of an installed product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct MonthlyView {
    pub currency: String,
    /// A decimal string.
    pub amount: String,
}

/// An installed product as the editor's customer panel shows it, in tree order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct InstalledProductView {
    pub id: String,
    /// Its name, else its offering's, else its id.
    pub name: String,
    /// 0 for a top-level product.
    pub depth: u32,
    /// The bundle it is part of.
    pub parent: Option<String>,
    pub status: Option<ProductStatus>,
    /// The status as the server wrote it.
    pub status_text: Option<String>,
    pub offering_id: Option<String>,
    /// It bundles other products (an option may be added to it).
    pub bundle: bool,
    /// A change order may act on it (it is active).
    pub changeable: bool,
    pub monthly: Vec<MonthlyView>,
}

/// A customer's installed products for the editor's customer panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CustomerProductsView {
    pub products: Vec<InstalledProductView>,
    /// Why the cache answered instead of the server; absent when the server did.
    pub stale: Option<String>,
    /// When the cached products were fetched (RFC 3339), when the cache answered.
    pub cached_at: Option<String>,
}

/// A customer's installed products, and why the cache answered when it did.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstalledProducts {
    pub rows: Vec<InstalledRow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stale: Option<String>,
}

fn view(c: CachedCustomer, stale: Option<String>) -> CustomerView {
    CustomerView {
        id: c.id,
        name: c.name,
        status: c.status,
        phones: c.phones,
        emails: c.emails,
        accounts: c.accounts,
        stale,
    }
}

/// A new customer as the editor's inline form and `customer new` give it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewCustomer {
    pub name: String,
    /// A phone number in international format; empty or absent: none.
    #[serde(default)]
    pub phone: Option<String>,
    /// An e-mail address; empty or absent: none.
    #[serde(default)]
    pub email: Option<String>,
}

/// A new customer's fields, trimmed and checked: the name, the phone, the e-mail.
type CheckedCustomer = (String, Option<String>, Option<String>);

fn refuse(field: CustomerField, message: impl Into<String>) -> ServiceError {
    ServiceError::NewCustomer { field, message: message.into() }
}

/// Trims a new customer's fields (empty optional ones are absent) and checks them with the
/// core's rules: a name, a phone number as [`TelecomFormat::Msisdn`] checks one, an e-mail
/// address as [`formats::check_email`] does.
fn checked(input: NewCustomer) -> Result<CheckedCustomer> {
    let name = input.name.trim().to_owned();
    if name.is_empty() {
        return Err(refuse(CustomerField::Name, "a customer needs a name"));
    }
    if name.chars().count() > MAX_TEXT_CHARS {
        return Err(refuse(
            CustomerField::Name,
            format!("it is longer than {MAX_TEXT_CHARS} characters"),
        ));
    }
    let given = |v: Option<String>| v.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let phone = given(input.phone);
    if let Some(p) = &phone {
        TelecomFormat::Msisdn.check(p).map_err(|why| refuse(CustomerField::Phone, why))?;
    }
    let email = given(input.email);
    if let Some(e) = &email {
        formats::check_email(e).map_err(|why| refuse(CustomerField::Email, why))?;
    }
    Ok((name, phone, email))
}

/// The TMF629 creation request for a checked new customer in `version`: `name`, the
/// individual it is as `engagedParty` (a new party id, as no party management is asked) and
/// the contact media given, in the version's shape.
fn create_request(version: Version, customer: &CheckedCustomer, party: &str) -> Value {
    let (name, phone, email) = customer;
    orderdesk_wire::inventory::customer_create_payload(
        version,
        name,
        party,
        phone.as_deref(),
        email.as_deref(),
    )
}

/// The creation request [`Service::create_customer`] would send for `input` in `version`
/// (with a fresh party id), after the same checks.
pub fn new_customer_request(version: Version, input: NewCustomer) -> Result<Value> {
    Ok(create_request(version, &checked(input)?, &uuid::Uuid::new_v4().to_string()))
}

/// Creating a customer failed because the server could not be reached or did not answer.
fn offline(err: SyncError) -> ServiceError {
    match err {
        SyncError::Client(
            e @ (ClientError::Unreachable { .. }
            | ClientError::Timeout { .. }
            | ClientError::NoAnswer { .. }),
        ) => ServiceError::CustomerOffline(e.to_string()),
        other => ServiceError::Sync(other),
    }
}

fn row(hit: CustomerHit) -> CustomerRow {
    CustomerRow {
        phone: hit.phones.into_iter().next(),
        email: hit.emails.into_iter().next(),
        account: hit.accounts.into_iter().next(),
        id: hit.id,
        name: hit.name,
    }
}

/// Syncs the active profile's customers into the cache (and with `products` every cached
/// customer's installed products).
pub async fn sync(engine: &SyncEngine, full: bool, products: bool) -> Result<CustomerSyncReport> {
    Ok(engine.sync_customers(full, products).await?)
}

/// The active profile's cached customers matching `text`, best first; offline.
pub async fn search(engine: &SyncEngine, text: &str, limit: u32) -> Result<Vec<CustomerRow>> {
    let hits = engine.search_customers(text.to_owned(), limit).await?;
    Ok(hits.into_iter().map(row).collect())
}

/// Creates a customer on the active profile's server and caches it: see
/// [`Service::create_customer`].
pub async fn create(engine: &SyncEngine, input: NewCustomer) -> Result<CustomerRow> {
    let customer = checked(input)?;
    // One key per creation: the engine's resend after an unknown outcome reuses it.
    let key = uuid::Uuid::new_v4().to_string();
    let party = uuid::Uuid::new_v4().to_string();
    let made = engine
        .create_customer(|version| create_request(version, &customer, &party), &key)
        .await
        .map_err(offline)?;
    Ok(row(made.into()))
}

/// A customer of the active profile's server, by id (the cached one while the server cannot
/// answer).
pub async fn customer(engine: &SyncEngine, id: &str) -> Result<CustomerView> {
    let fetched = engine.customer(id).await?;
    Ok(view(fetched.value, fetched.stale))
}

/// The installed products of a customer of the active profile's server, in tree order (the
/// cached ones while the server cannot answer).
pub async fn installed_products(engine: &SyncEngine, customer: &str) -> Result<InstalledProducts> {
    let fetched = engine.customer_products(customer).await?;
    let inventory = Inventory::from_json(fetched.value.iter());
    let rows = inventory
        .tree()
        .into_iter()
        .map(|e| InstalledRow {
            depth: e.depth,
            parent: e.parent.map(str::to_owned),
            product: e.product.clone(),
        })
        .collect();
    Ok(InstalledProducts { rows, stale: fetched.stale })
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

impl Service {
    /// The installed products a change of `product` on draft `draft` works on: those of the
    /// draft's customer, as [`installed_products`] reads them (the cached ones while the
    /// server cannot answer, so a change order can be composed offline; the server checks
    /// the products again when the order reaches it); for a draft without a customer, those
    /// of the product's owner, read from the server.
    async fn inventory_for(&self, draft: &str, product: &str) -> Result<Inventory> {
        let order = self.draft_json(draft.to_owned()).await?;
        let customer = orderdesk_wire::parties::customer(&order)
            .and_then(|p| p.id)
            .filter(|id| !id.trim().is_empty());
        let Some(customer) = customer else {
            return inventory_of_product(&self.engine, product).await;
        };
        let fetched = self.engine.customer_products(&customer).await?;
        let inventory = Inventory::from_json(fetched.value.iter());
        if inventory.get(product).is_none() {
            return Err(invalid(format!(
                "product {product} is not one of customer {customer}'s installed products"
            )));
        }
        Ok(inventory)
    }
}

fn installed(inventory: &Inventory, product: &str) -> Result<InstalledProduct> {
    inventory
        .get(product)
        .cloned()
        .ok_or_else(|| invalid(format!("product {product} is not an installed product")))
}

impl Service {
    /// A new draft for customer `customer` of the active profile's server (read as
    /// [`customer`] does) in `version`, or the default version of new drafts: the customer
    /// becomes the order's related party with role `Customer`, as the editor's customer field
    /// sets it.
    pub async fn new_draft_for_customer(
        &self,
        customer: String,
        version: Option<Version>,
    ) -> Result<DraftRow> {
        let found = self.engine.customer(&customer).await?.value;
        let version = version.unwrap_or(self.settings().default_version);
        let state = self.new_draft_in(version).await?;
        self.edit_current(
            state.draft.id,
            Edit::SetCustomer { customer: Some(RefInput { id: found.id, name: found.name }) },
        )
        .await
    }

    /// Replaces installed `product` by `offering` on draft `draft`: a `delete` item for the
    /// product and an `add` item for the offering, inside a `modify` item of its bundle.
    pub async fn change_plan(
        &self,
        draft: String,
        product: String,
        offering: String,
    ) -> Result<DraftRow> {
        let op = self.change_op(&draft, InstalledChange::ChangePlan { product, offering }).await?;
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
        let op = self.change_op(&draft, InstalledChange::AddOption { bundle, offering }).await?;
        self.apply_ops(draft, vec![op]).await
    }

    /// Disconnects installed `product` and what it bundles on draft `draft` (`delete` items).
    pub async fn disconnect(&self, draft: String, product: String) -> Result<DraftRow> {
        let op = self.change_op(&draft, InstalledChange::Disconnect { product }).await?;
        self.apply_ops(draft, vec![op]).await
    }

    /// The editor's change of an installed product on draft `id` at `revision`, as one
    /// revision the editor's undo takes back like any edit.
    pub async fn change_installed(
        &self,
        id: String,
        revision: u32,
        change: InstalledChange,
    ) -> Result<EditorState> {
        let op = self.change_op(&id, change).await?;
        self.edit_ops(id, revision, vec![op]).await
    }

    /// Syncs the active profile's customers into the cache (the editor's customer field asks
    /// once a session, so that its search, which reads only the cache, finds them).
    pub async fn sync_customers(&self) -> Result<CustomerSyncReport> {
        sync(&self.engine, false, false).await
    }

    /// Creates a customer on the active profile's server (the editor's inline form, `customer
    /// new`): checked first (`customer.bad_name|bad_phone|bad_email`, nothing sent), sent in
    /// the server's version under one idempotency key for this creation (its resend after an
    /// unknown outcome uses the same), and cached as the server made it, so the customer
    /// search finds it at once. Without the server: `customer.create_offline`, nothing stored;
    /// a server that does not allow creating customers: `client.not_supported`.
    pub async fn create_customer(&self, input: NewCustomer) -> Result<CustomerRow> {
        create(&self.engine, input).await
    }

    /// Customers of the active profile's cache matching `text`, best first (the editor's
    /// customer field); offline.
    pub async fn search_customers(&self, text: String, limit: u32) -> Result<Vec<CustomerRow>> {
        search(&self.engine, &text, limit).await
    }

    /// A customer's installed products as the editor's customer panel shows them (the cached
    /// ones, with their age, while the server cannot answer).
    pub async fn customer_products(&self, customer: String) -> Result<CustomerProductsView> {
        let fetched = self.engine.customer_products(&customer).await?;
        let inventory = Inventory::from_json(fetched.value.iter());
        let products = inventory
            .tree()
            .into_iter()
            .map(|e| InstalledProductView {
                id: e.product.id.clone(),
                name: e.product.display_name().to_owned(),
                depth: u32::try_from(e.depth).unwrap_or(u32::MAX),
                parent: e.parent.map(str::to_owned),
                status: e.product.status,
                status_text: e.product.status_text.clone(),
                offering_id: e.product.offering_id.clone(),
                bundle: !e.product.children.is_empty(),
                changeable: e.product.status.is_some_and(ProductStatus::is_changeable),
                monthly: e
                    .product
                    .monthly
                    .iter()
                    .map(|(currency, amount)| MonthlyView {
                        currency: currency.clone(),
                        amount: amount.to_string(),
                    })
                    .collect(),
            })
            .collect();
        Ok(CustomerProductsView {
            products,
            stale: fetched.stale,
            cached_at: fetched.cached_at.map(|t| t.to_rfc3339()),
        })
    }
}

/// A change of an installed product, as the editor's customer panel asks for it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "op", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum InstalledChange {
    /// Replace `product` by `offering` (a `delete` and a replacing `add`).
    ChangePlan { product: String, offering: String },
    /// Add `offering` to installed bundle `bundle`.
    AddOption { bundle: String, offering: String },
    /// A `modify` item for `product` with its characteristics as installed.
    Modify { product: String },
    /// Disconnect `product` and what it bundles.
    Disconnect { product: String },
}

impl Service {
    /// The core operation for `change` on draft `draft`, with the installed products it names
    /// read as [`Service::inventory_for`] reads them (the draft's customer's, cached offline).
    async fn change_op(&self, draft: &str, change: InstalledChange) -> Result<Op> {
        Ok(match change {
            InstalledChange::ChangePlan { product, offering } => {
                let inventory = self.inventory_for(draft, &product).await?;
                Op::ChangePlan {
                    product: installed(&inventory, &product)?,
                    bundle: inventory.parent_of(&product).cloned(),
                    offering_id: offering,
                }
            }
            InstalledChange::AddOption { bundle, offering } => {
                let inventory = self.inventory_for(draft, &bundle).await?;
                Op::AddOption { bundle: installed(&inventory, &bundle)?, offering_id: offering }
            }
            InstalledChange::Modify { product } => {
                let inventory = self.inventory_for(draft, &product).await?;
                Op::ModifyProduct {
                    product: installed(&inventory, &product)?,
                    bundle: inventory.parent_of(&product).cloned(),
                }
            }
            InstalledChange::Disconnect { product } => {
                let inventory = self.inventory_for(draft, &product).await?;
                // The product first, then what it bundles, parents before children.
                let products: Vec<InstalledProduct> = inventory
                    .with_descendants(&product)
                    .into_iter()
                    .map(|(p, _)| p.clone())
                    .collect();
                if products.is_empty() {
                    installed(&inventory, &product)?;
                }
                Op::Disconnect { products, bundle: inventory.parent_of(&product).cloned() }
            }
        })
    }
}
