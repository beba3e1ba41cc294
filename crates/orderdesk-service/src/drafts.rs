//! Drafts by id, outside an editor session: what scripts and the command line ask of stored
//! drafts. List them with filters, read the stored JSON and the revisions, change the current
//! revision with an [`Edit`] or with the core's [`Op`]s, restore a revision, and check or price
//! a draft against the cached catalog.
//!
//! Changes are saved exactly as [`Service::edit`] saves them (one new revision, refused with
//! `store.conflict` if the draft changed in between); they keep no undo stacks, since a
//! revision can always be restored.

use chrono::Utc;
use orderdesk_core::{
    validate_and_price, Catalog, DiscountPolicy, Finding, Op, Order, PricingOptions, Quote,
    ValidateOptions,
};
use orderdesk_store::{DraftFilter, DraftRevision, DraftRow, Queries, Version};
use serde_json::Value;

use crate::error::{invalid, Result, ServiceError};
use crate::{edit, CatalogCache, Edit, Service};

/// What a save applies to a draft: one editor [`Edit`], or core operations in order.
pub(crate) enum Change {
    Edit(Edit),
    Ops(Vec<Op>),
}

impl Change {
    pub(crate) fn apply(
        &self,
        order: &Order,
        version: Version,
        catalog: &Catalog,
    ) -> Result<Order> {
        match self {
            Change::Edit(e) => edit::apply_edit(order, e, version, Some(catalog)),
            Change::Ops(ops) => {
                let mut next = order.clone();
                for op in ops {
                    next = orderdesk_core::apply(&next, op, Some(catalog))?;
                }
                Ok(next)
            }
        }
    }

    /// The catalog ids the change brings into the draft (the offerings it adds, the
    /// installed products' references it writes), to be read with the draft's own.
    pub(crate) fn offering_ids(&self) -> Vec<String> {
        match self {
            Change::Edit(Edit::AddOffering { offering_id, .. }) => vec![offering_id.clone()],
            Change::Edit(_) => Vec::new(),
            Change::Ops(ops) => ops
                .iter()
                .flat_map(|op| {
                    let written = serde_json::to_value(op)
                        .map(|v| orderdesk_core::catalog::order_refs(&v))
                        .unwrap_or_default();
                    added(op).into_iter().chain(written)
                })
                .collect(),
        }
    }

    /// The offerings the change adds to the draft: they become the recently added ones
    /// (`Store::update_draft_adding`).
    pub(crate) fn added_offerings(&self) -> Vec<String> {
        match self {
            Change::Edit(Edit::AddOffering { offering_id, .. }) => vec![offering_id.clone()],
            Change::Edit(_) => Vec::new(),
            Change::Ops(ops) => ops.iter().filter_map(added).collect(),
        }
    }

    /// The revision history's entry. Operations are recorded as their JSON, so the history
    /// can be read or replayed.
    pub(crate) fn describe(&self) -> String {
        match self {
            Change::Edit(e) => e.describe(),
            Change::Ops(ops) => {
                serde_json::to_string(ops).unwrap_or_else(|_| format!("{} operations", ops.len()))
            }
        }
    }
}

/// The cached catalog's rules, or `None` before any import (so that an order is not checked
/// against an empty catalog, which would call every offering unknown).
pub(crate) fn imported(catalog: &CatalogCache) -> Option<&Catalog> {
    catalog.version.is_some().then_some(&*catalog.rules)
}

/// Every finding for a TMF622 order payload: `orderdesk-core`'s one list of checks, with the
/// official create schema of the version the payload's shape names (v4 when it names none),
/// and the discount policy of the profile it is checked for (`None`: no policy).
/// Text that is not shaped like an order gets the finding that says why.
pub fn order_findings(
    order: &Value,
    catalog: Option<&Catalog>,
    policy: Option<&DiscountPolicy>,
) -> Vec<Finding> {
    let version = orderdesk_wire::detect_version(order).unwrap_or(orderdesk_wire::Version::V4);
    orderdesk_core::validate_json(
        order,
        catalog,
        ValidateOptions { now: Some(Utc::now()), version: Some(version), policy },
    )
}

impl Service {
    /// Drafts, most recently changed first, with the listing columns the store keeps
    /// (customer, item count, total, catalog version).
    pub async fn list_drafts(&self, filter: DraftFilter) -> Result<Vec<DraftRow>> {
        self.read(move |r| Ok(r.drafts(&filter)?)).await
    }

    /// A draft's TMF622 JSON as stored (exact numbers, field order kept).
    pub async fn draft_json(&self, id: String) -> Result<Value> {
        let body = self.read(move |r| Ok(r.draft(&id)?.body)).await?;
        orderdesk_wire::parse_json(&body).map_err(|e| ServiceError::NotJson(e.to_string()))
    }

    /// A draft's revisions as stored, oldest first.
    pub async fn revisions(&self, id: String) -> Result<Vec<DraftRevision>> {
        self.read(move |r| Ok(r.draft_history(&id)?)).await
    }

    /// Apply one edit to the draft's current revision and save the next revision.
    pub async fn edit_current(&self, id: String, edit: Edit) -> Result<DraftRow> {
        Ok(self.save_edit(id, None, Change::Edit(edit)).await?.0)
    }

    /// Apply core composition operations in order to the draft's current revision and save
    /// them as one revision; if any is refused, nothing is saved.
    pub async fn apply_ops(&self, id: String, ops: Vec<Op>) -> Result<DraftRow> {
        if ops.is_empty() {
            return Err(invalid("no operations given"));
        }
        Ok(self.save_edit(id, None, Change::Ops(ops)).await?.0)
    }

    /// Make an earlier revision current again, as a new revision.
    pub async fn restore_revision(&self, id: String, revision: i64) -> Result<DraftRow> {
        Ok(self.restore_to(id, revision).await?.0)
    }

    /// Every finding for a stored draft ([`order_findings`]) against the cached catalog and
    /// the active profile's discount policy (the profile it would be submitted to).
    pub async fn check_draft(&self, id: String) -> Result<Vec<Finding>> {
        let value = self.draft_json(id).await?;
        let catalog = self.order_catalog(value.clone()).await?;
        let policy = self.profile_policy(None).await?;
        Ok(order_findings(&value, imported(&catalog), policy.governing()))
    }

    /// Validate and price a stored draft against the cached catalog.
    pub async fn price_draft(&self, id: String, options: PricingOptions) -> Result<Quote> {
        let value = self.draft_json(id).await?;
        let version = orderdesk_wire::detect_version(&value);
        let catalog = self.order_catalog(value.clone()).await?;
        let order = Order::from_json(value)?;
        let policy = self.profile_policy(None).await?;
        Ok(validate_and_price(
            &order,
            imported(&catalog),
            ValidateOptions { now: Some(Utc::now()), version, policy: policy.governing() },
            options,
        ))
    }
}

/// The offering an operation adds, if it adds one.
fn added(op: &Op) -> Option<String> {
    match op {
        Op::AddOffering { offering_id, .. }
        | Op::ChangePlan { offering_id, .. }
        | Op::AddOption { offering_id, .. } => Some(offering_id.clone()),
        _ => None,
    }
}
