//! The editor session: new, imported, duplicated and opened drafts, typed edits saved as revisions,
//! undo/redo (the session's stacks of revisions), history and restore, delete, and export as
//! TMF622 JSON. Every change is priced and validated against the cached catalog before it
//! returns as the editor's state; the service keeps what was found per item for the draft the
//! editor last checked (`orderdesk_core::Recheck`), so a change computes only the items it
//! touched.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Utc;
use orderdesk_core::{
    Catalog, Layout, Order, PricingOptions, ProfilePolicy, Recheck, Rounding, ValidateOptions,
};
use orderdesk_store::{DraftEdit, DraftRow, Money, NewDraft, OrderSummary, Queries, Version};
use serde_json::Value;

use crate::error::{self, Result, ServiceError};
use crate::view::{EditorState, RevisionView};
use crate::{drafts, lock, present, CatalogCache, Edit, Service};

/// A draft's last parsed revision: an edit on that revision starts from it instead of parsing
/// the stored JSON again.
#[derive(Debug, Clone)]
pub(crate) struct Parsed {
    revision: i64,
    order: Arc<Order>,
    /// The catalog records the order names, when the save that made it found them.
    names: Option<Arc<Vec<String>>>,
}

#[derive(Debug, Default)]
pub(crate) struct Undo {
    undo: Vec<i64>,
    redo: Vec<i64>,
}

/// Parse stored or pasted order text (exact numbers, field order kept).
pub(crate) fn parse_order_text(text: &str) -> Result<(Value, Order)> {
    let value = orderdesk_wire::parse_json(text.strip_prefix('\u{feff}').unwrap_or(text))
        .map_err(|e| ServiceError::NotJson(e.to_string()))?;
    let order = Order::from_json(value.clone())?;
    Ok((value, order))
}

/// Validate and price, and the listing columns the store keeps (total = tax included over
/// the schedule in the primary currency, the figure the price panel shows). `recheck` keeps
/// what it found per item: given the one that checked the draft's last revision, only the
/// items the change touched are checked and priced again (`orderdesk_core::recheck`); `None`
/// for a one-off check, which keeps nothing.
pub(crate) fn price_and_summarize(
    value: &Value,
    order: &Order,
    version: Version,
    catalog: &Arc<Catalog>,
    rounding: Rounding,
    policy: &ProfilePolicy,
    recheck: Option<&mut Recheck>,
) -> (orderdesk_core::Quote, OrderSummary) {
    let validate_options = ValidateOptions {
        now: Some(Utc::now()),
        version: Some(version),
        policy: policy.governing(),
    };
    let pricing_options = PricingOptions { rounding, periods: None };
    let quote = match recheck {
        Some(recheck) => {
            recheck.validate_and_price(order, Some(catalog), validate_options, pricing_options)
        }
        None => orderdesk_core::validate_and_price(
            order,
            Some(catalog),
            validate_options,
            pricing_options,
        ),
    };
    let mut summary = orderdesk_store::extract::summarize_order(value);
    if let Some(primary) = quote.currencies.first() {
        summary.total = Some(Money {
            amount: primary.total.amounts.tax_included,
            currency: primary.currency.clone(),
        });
    }
    (quote, summary)
}
impl Service {
    /// A new empty draft in the default TMF version.
    pub async fn new_draft(&self) -> Result<EditorState> {
        self.new_draft_in(self.settings().default_version).await
    }

    /// A new empty draft in `version`.
    pub async fn new_draft_in(&self, version: Version) -> Result<EditorState> {
        self.create(orderdesk_wire::empty_order(version).to_string(), version).await
    }

    /// Store a pasted or loaded TMF622 order (v4 or v5) as a new draft.
    pub async fn import_order(&self, text: String) -> Result<EditorState> {
        // The wire crate first: it says best why JSON is not a TMF622 order.
        let value = orderdesk_wire::parse_json(text.strip_prefix('\u{feff}').unwrap_or(&text))
            .map_err(|e| ServiceError::NotJson(e.to_string()))?;
        let wire = orderdesk_wire::parse_order_value(value)
            .map_err(|e| ServiceError::NotAnOrder(e.to_string()))?;
        let version = wire.version();
        self.create(text.strip_prefix('\u{feff}').unwrap_or(&text).to_owned(), version).await
    }

    /// A new draft copied from draft `id` (submitted or not: the copy is a fresh draft): the
    /// same items, customer and characteristics in the same version, without the values that
    /// must be unique, the server's members or external identifiers (`orderdesk_core::copy`).
    pub async fn duplicate_draft(&self, id: String) -> Result<EditorState> {
        let draft = self.read(move |r| Ok(r.draft(&id)?)).await?;
        let (value, order) = parse_order_text(&draft.body)?;
        let (copy, _cleared) = orderdesk_core::copy::duplicate(&order);
        let body = serde_json::to_string(&copy.to_json(Layout::of(&value)))
            .map_err(|e| error::invalid(e.to_string()))?;
        self.create(body, draft.row.tmf_version).await
    }

    async fn create(&self, body: String, version: Version) -> Result<EditorState> {
        let rounding = self.settings().rounding;
        let actor = self.actor.clone();
        let catalogs = Arc::clone(&self.catalogs);
        let (row, order, quote, catalog, recheck) = self
            .write(move |s| {
                let (value, order) = parse_order_text(&body)?;
                let cat = catalogs.for_order(s, &value)?;
                let policy = orderdesk_sync::profiles::policy(s, None)?;
                let mut recheck = Recheck::new();
                let (quote, summary) = price_and_summarize(
                    &value,
                    &order,
                    version,
                    &cat.rules,
                    rounding,
                    &policy,
                    Some(&mut recheck),
                );
                let row = s.create_draft(NewDraft {
                    body,
                    tmf_version: version,
                    catalog_version: cat.version.clone(),
                    actor,
                    summary: Some(summary),
                })?;
                Ok((row, order, quote, cat, recheck))
            })
            .await?;
        self.keep_recheck(&row.id, recheck);
        Ok(self.editor_state(&row, &order, &quote, &catalog))
    }

    fn undo_flags(&self, id: &str) -> (bool, bool) {
        lock(&self.undo)
            .get(id)
            .map_or((false, false), |u| (!u.undo.is_empty(), !u.redo.is_empty()))
    }

    fn editor_state(
        &self,
        row: &DraftRow,
        order: &Order,
        quote: &orderdesk_core::Quote,
        catalog: &CatalogCache,
    ) -> EditorState {
        let draft = present::draft_view(row, order, catalog, self.undo_flags(&row.id));
        let quote = present::quote_view(quote, &draft.items, self.settings().rounding);
        EditorState { draft, quote }
    }

    /// Open a draft: its view and its price.
    pub async fn open_draft(&self, id: String) -> Result<EditorState> {
        let rounding = self.settings().rounding;
        let catalogs = Arc::clone(&self.catalogs);
        let mut recheck = self.take_recheck(&id);
        let (row, order, quote, catalog, recheck) = self
            .read(move |r| {
                let draft = r.draft(&id)?;
                let (value, order) = parse_order_text(&draft.body)?;
                let cat = catalogs.for_order(r, &value)?;
                let policy = orderdesk_sync::profiles::policy(r, None)?;
                let (quote, _) = price_and_summarize(
                    &value,
                    &order,
                    draft.row.tmf_version,
                    &cat.rules,
                    rounding,
                    &policy,
                    Some(&mut recheck),
                );
                Ok((draft.row, order, quote, cat, recheck))
            })
            .await?;
        self.keep_recheck(&row.id, recheck);
        let order = Arc::new(order);
        self.remember(&row, Arc::clone(&order), None);
        Ok(self.editor_state(&row, &order, &quote, &catalog))
    }

    /// Apply one edit to the draft at `revision` and save it as the next revision.
    pub async fn edit(&self, id: String, revision: u32, edit: Edit) -> Result<EditorState> {
        self.edit_change(id, revision, drafts::Change::Edit(edit)).await
    }

    /// Apply core operations to the draft at `revision` as the next revision, undone as one
    /// edit (the customer panel's changes of installed products).
    pub(crate) async fn edit_ops(
        &self,
        id: String,
        revision: u32,
        ops: Vec<orderdesk_core::Op>,
    ) -> Result<EditorState> {
        self.edit_change(id, revision, drafts::Change::Ops(ops)).await
    }

    async fn edit_change(
        &self,
        id: String,
        revision: u32,
        change: drafts::Change,
    ) -> Result<EditorState> {
        let (row, order, quote, catalog) =
            self.save_edit(id.clone(), Some(i64::from(revision)), change).await?;
        {
            let mut undo = lock(&self.undo);
            let entry = undo.entry(id).or_default();
            entry.undo.push(i64::from(revision));
            entry.redo.clear();
        }
        Ok(self.editor_state(&row, &order, &quote, &catalog))
    }

    pub(crate) async fn save_edit(
        &self,
        id: String,
        expected: Option<i64>,
        edit: drafts::Change,
    ) -> Result<(DraftRow, Arc<Order>, orderdesk_core::Quote, Arc<CatalogCache>)> {
        let rounding = self.settings().rounding;
        let actor = self.actor.clone();
        let catalogs = Arc::clone(&self.catalogs);
        let cached = lock(&self.parsed).get(&id).cloned();
        let mut recheck = self.take_recheck(&id);
        let (row, order, quote, catalog, recheck, names) = self
            .write(move |s| {
                let draft = s.draft(&id)?;
                if let Some(expected) = expected {
                    if draft.row.revision != expected {
                        return Err(ServiceError::Store(orderdesk_store::StoreError::Conflict(
                            format!(
                                "draft {id} is at revision {}, the edit was made on revision {expected}; reload it",
                                draft.row.revision
                            ),
                        )));
                    }
                }
                let (order, known) = match cached {
                    Some(kept) if kept.revision == draft.row.revision => (kept.order, kept.names),
                    _ => (Arc::new(parse_order_text(&draft.body)?.1), None),
                };
                // What the draft names and what the edit brings in: the edited order's
                // closure, so the editor's views after it have every name and field.
                let mut names = match known {
                    Some(names) => names.as_ref().clone(),
                    None => orderdesk_core::catalog::order_refs(&order.to_json(Layout::Flat)),
                };
                names.extend(edit.offering_ids());
                let cat = catalogs.scoped(s, names)?;
                let next = edit.apply(&order, draft.row.tmf_version, &cat.rules)?;
                let value = next.to_json(Layout::Flat);
                // What the next edit starts from names these records (the same walk as above).
                let next_names = orderdesk_core::catalog::order_refs(&value);
                let policy = orderdesk_sync::profiles::policy(s, None)?;
                let (quote, summary) = price_and_summarize(
                    &value,
                    &next,
                    draft.row.tmf_version,
                    &cat.rules,
                    rounding,
                    &policy,
                    Some(&mut recheck),
                );
                let body = serde_json::to_string(&value).map_err(|e| error::invalid(e.to_string()))?;
                let row = s.update_draft_adding(
                    &id,
                    DraftEdit {
                        body,
                        catalog_version: cat.version.clone(),
                        actor,
                        action: edit.describe(),
                        expected_revision: Some(draft.row.revision),
                        summary: Some(summary),
                    },
                    &edit.added_offerings(),
                )?;
                Ok((row, next, quote, cat, recheck, next_names))
            })
            .await?;
        self.keep_recheck(&row.id, recheck);
        let order = Arc::new(order);
        self.remember(&row, Arc::clone(&order), Some(Arc::new(names)));
        Ok((row, order, quote, catalog))
    }

    /// Make `revision` current again (as a new revision).
    pub(crate) async fn restore_to(
        &self,
        id: String,
        revision: i64,
    ) -> Result<(DraftRow, Arc<Order>, orderdesk_core::Quote, Arc<CatalogCache>)> {
        let rounding = self.settings().rounding;
        let actor = self.actor.clone();
        let catalogs = Arc::clone(&self.catalogs);
        let mut recheck = self.take_recheck(&id);
        let (row, order, quote, catalog, recheck) = self
            .write(move |s| {
                let row = s.restore_draft(&id, revision, &actor)?;
                let draft = s.draft(&id)?;
                let (value, order) = parse_order_text(&draft.body)?;
                let cat = catalogs.for_order(s, &value)?;
                let policy = orderdesk_sync::profiles::policy(s, None)?;
                let (quote, _) = price_and_summarize(
                    &value,
                    &order,
                    draft.row.tmf_version,
                    &cat.rules,
                    rounding,
                    &policy,
                    Some(&mut recheck),
                );
                Ok((row, order, quote, cat, recheck))
            })
            .await?;
        self.keep_recheck(&row.id, recheck);
        let order = Arc::new(order);
        self.remember(&row, Arc::clone(&order), None);
        Ok((row, order, quote, catalog))
    }

    /// The editor's state of a draft just saved, remembered as the session's parsed order.
    pub(crate) fn opened(
        &self,
        row: &DraftRow,
        order: Order,
        quote: &orderdesk_core::Quote,
        catalog: &CatalogCache,
    ) -> EditorState {
        let order = Arc::new(order);
        self.remember(row, Arc::clone(&order), None);
        self.editor_state(row, &order, quote, catalog)
    }

    /// What the editor found per item when it last checked draft `id` (a fresh recheck when
    /// it last checked another draft, or a change of that draft is under way).
    fn take_recheck(&self, id: &str) -> Recheck {
        match lock(&self.recheck).take() {
            Some((last, recheck)) if last == id => recheck,
            _ => Recheck::new(),
        }
    }

    /// Keep `recheck` as the editor's, for draft `id`. One is kept: the editor window edits
    /// one draft at a time.
    fn keep_recheck(&self, id: &str, recheck: Recheck) {
        *lock(&self.recheck) = Some((id.to_owned(), recheck));
    }

    /// Keep `order` as the draft's parsed revision, with the catalog records it names when
    /// they are known (the ids `order_refs` finds in its flat JSON).
    fn remember(&self, row: &DraftRow, order: Arc<Order>, names: Option<Arc<Vec<String>>>) {
        lock(&self.parsed).insert(row.id.clone(), Parsed { revision: row.revision, order, names });
    }

    /// Undo the last edit of this session.
    pub async fn undo(&self, id: String) -> Result<EditorState> {
        self.step(id, true).await
    }

    /// Redo the last undone edit.
    pub async fn redo(&self, id: String) -> Result<EditorState> {
        self.step(id, false).await
    }

    async fn step(&self, id: String, back: bool) -> Result<EditorState> {
        let target = {
            let mut undo = lock(&self.undo);
            let entry = undo.entry(id.clone()).or_default();
            let stack = if back { &mut entry.undo } else { &mut entry.redo };
            stack.pop().ok_or(ServiceError::NothingToDo(if back {
                "nothing to undo"
            } else {
                "nothing to redo"
            }))?
        };
        let current = self.read({
            let id = id.clone();
            move |r| Ok(r.draft(&id)?.row.revision)
        });
        let current = match current.await {
            Ok(c) => c,
            Err(e) => {
                self.push_back(&id, back, target);
                return Err(e);
            }
        };
        match self.restore_to(id.clone(), target).await {
            Ok((row, order, quote, catalog)) => {
                {
                    let mut undo = lock(&self.undo);
                    let entry = undo.entry(id).or_default();
                    if back {
                        entry.redo.push(current);
                    } else {
                        entry.undo.push(current);
                    }
                }
                Ok(self.editor_state(&row, &order, &quote, &catalog))
            }
            Err(e) => {
                self.push_back(&id, back, target);
                Err(e)
            }
        }
    }

    fn push_back(&self, id: &str, back: bool, target: i64) {
        let mut undo = lock(&self.undo);
        let entry = undo.entry(id.to_owned()).or_default();
        if back {
            entry.undo.push(target);
        } else {
            entry.redo.push(target);
        }
    }

    /// A draft's revisions, newest first.
    pub async fn history(&self, id: String) -> Result<Vec<RevisionView>> {
        Ok(self
            .revisions(id)
            .await?
            .into_iter()
            .rev()
            .map(|r| RevisionView {
                revision: u32::try_from(r.revision).unwrap_or(u32::MAX),
                summary: r.action,
                actor: r.actor,
                at: r.at.to_rfc3339(),
            })
            .collect())
    }

    /// Make an earlier revision current again; undo returns to the revision before.
    pub async fn restore(&self, id: String, revision: u32) -> Result<EditorState> {
        let current = self.read({
            let id = id.clone();
            move |r| Ok(r.draft(&id)?.row.revision)
        });
        let current = current.await?;
        let (row, order, quote, catalog) = self.restore_to(id.clone(), i64::from(revision)).await?;
        {
            let mut undo = lock(&self.undo);
            let entry = undo.entry(id).or_default();
            entry.undo.push(current);
            entry.redo.clear();
        }
        Ok(self.editor_state(&row, &order, &quote, &catalog))
    }

    /// Delete a draft (the audit log keeps a record).
    pub async fn delete_draft(&self, id: String) -> Result<()> {
        let actor = self.actor.clone();
        let key = id.clone();
        self.write(move |s| Ok(s.delete_draft(&id, &actor)?)).await?;
        lock(&self.undo).remove(&key);
        lock(&self.parsed).remove(&key);
        Ok(())
    }

    /// A draft as TMF622 JSON in `target`, pretty-printed.
    pub async fn export_draft(&self, id: String, target: Version) -> Result<String> {
        Ok(self.export(id, target).await?.0)
    }

    /// A draft as TMF622 JSON in `target`, pretty-printed, and what that version has no room
    /// for (`convert.not_carried` warnings: those members are left out).
    pub async fn export(
        &self,
        id: String,
        target: Version,
    ) -> Result<(String, Vec<orderdesk_core::Finding>)> {
        let draft = self.read(move |r| Ok(r.draft(&id)?)).await?;
        let (_, order) = parse_order_text(&draft.body)?;
        let converted = order.to_version(Layout::Flat, Some(draft.row.tmf_version), target);
        let text = serde_json::to_string_pretty(&converted.value)
            .map_err(|e| error::invalid(e.to_string()))?;
        Ok((text, converted.findings))
    }

    /// Write a draft as TMF622 JSON (`version`) to `path` and return the path written. The
    /// text goes to a temporary file beside the target first and replaces it only once it is
    /// complete on disk, so a failed save never leaves half a file or spoils an older one.
    pub async fn save_export(&self, id: String, version: Version, path: PathBuf) -> Result<String> {
        if !path.is_absolute() {
            return Err(error::invalid(format!("{} is not an absolute path", path.display())));
        }
        let text = self.export_draft(id, version).await?;
        tokio::task::spawn_blocking(move || write_whole(&path, text.as_bytes()))
            .await
            .map_err(|e| ServiceError::Task(e.to_string()))?
    }
}

/// Write `bytes` to `path` through a synced temporary file in the same directory.
pub(crate) fn write_whole(path: &Path, bytes: &[u8]) -> Result<String> {
    use std::io::Write;
    let fail = |source: std::io::Error| ServiceError::Export { path: path.to_path_buf(), source };
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
    file.write_all(bytes).map_err(fail)?;
    file.as_file().sync_all().map_err(fail)?;
    file.persist(path).map_err(|e| fail(e.error))?;
    Ok(path.display().to_string())
}
