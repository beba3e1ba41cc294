//! IPC commands: thin adapters over `orderdesk-service`. Each one takes typed input (already
//! deserialised and checked by serde), calls one service method and maps the error to the
//! shared `{code, message}` shape. Service methods are async and do their SQLite work on the
//! store's writer thread or a blocking-pool reader, never on the thread serving IPC.

use orderdesk_service::customers::{
    CustomerProductsView, CustomerRow, InstalledChange, NewCustomer,
};
use orderdesk_service::{
    AmendInput, AppStatus, ApprovalInput, CatalogRefreshView, CategoryView, ConflictChoice,
    ConnectionReport, DemoStatus, DraftSummary, Edit, EditorAnswer, EditorOpened, FindingView,
    FixTarget, OfferingDetail, OfferingShortcuts, OfferingSummary, OrderDetailView, OrderListPage,
    OrderListQuery, OutboxEntryView, ProfileInput, ProfileSaved, ProfileView, RefusalView,
    RevisionView, Settings, SubmissionView, SubmitView, SyncStatusView, Version, WithdrawView,
};
use serde::Serialize;
use specta::Type;
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

type Result<T> = std::result::Result<T, IpcError>;

/// Most offerings one picker or catalog query returns.
const MAX_OFFERINGS: u32 = 500;

/// Most customers the customer field's type-ahead lists.
const MAX_CUSTOMER_HITS: u32 = 50;

/// What the UI shows about the running build.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    /// Product name.
    pub name: String,
    /// Semantic version of this build.
    pub version: String,
    /// The commit it was built from, or `unknown`.
    pub commit: String,
    /// Where the log files are, when the platform has a place for them.
    pub log_dir: Option<String>,
}

/// Name, version and commit of the running app, and where its logs are.
#[tauri::command]
#[specta::specta]
pub fn app_info() -> AppInfo {
    AppInfo {
        name: crate::about::PRODUCT.to_owned(),
        version: crate::about::VERSION.to_owned(),
        commit: crate::about::COMMIT.to_owned(),
        log_dir: orderdesk_service::logs::log_dir().ok().map(|d| d.display().to_string()),
    }
}

/// First-start state, demo server, cached catalog, server profiles.
#[tauri::command]
#[specta::specta]
pub async fn app_status(state: State<'_, AppState>) -> Result<AppStatus> {
    Ok(state.service()?.status().await?)
}

/// Start the in-process demo server and import its catalog.
#[tauri::command]
#[specta::specta]
pub async fn start_demo(state: State<'_, AppState>) -> Result<DemoStatus> {
    Ok(state.service()?.start_demo().await?)
}

/// A page of drafts and orders, searched, filtered and sorted, with the whole list's count.
#[tauri::command]
#[specta::specta]
pub async fn list_orders(
    state: State<'_, AppState>,
    query: OrderListQuery,
) -> Result<OrderListPage> {
    Ok(state.service()?.list_orders(query).await?)
}

/// A new empty draft.
#[tauri::command]
#[specta::specta]
pub async fn new_draft(state: State<'_, AppState>) -> Result<EditorOpened> {
    let svc = state.service()?;
    Ok(svc.show(svc.new_draft().await?))
}

/// Open a draft in the editor.
#[tauri::command]
#[specta::specta]
pub async fn open_draft(state: State<'_, AppState>, id: String) -> Result<EditorOpened> {
    let svc = state.service()?;
    Ok(svc.show(svc.open_draft(id).await?))
}

/// Apply one edit to the draft at `revision`; saved before the answer.
#[tauri::command]
#[specta::specta]
pub async fn edit_draft(
    state: State<'_, AppState>,
    id: String,
    revision: u32,
    edit: Edit,
) -> Result<EditorAnswer> {
    let svc = state.service()?;
    Ok(svc.show_change(svc.edit(id, revision, edit).await?))
}

/// Undo the last edit of this session.
#[tauri::command]
#[specta::specta]
pub async fn undo(state: State<'_, AppState>, id: String) -> Result<EditorAnswer> {
    let svc = state.service()?;
    Ok(svc.show_change(svc.undo(id).await?))
}

/// Redo the last undone edit.
#[tauri::command]
#[specta::specta]
pub async fn redo(state: State<'_, AppState>, id: String) -> Result<EditorAnswer> {
    let svc = state.service()?;
    Ok(svc.show_change(svc.redo(id).await?))
}

/// A draft's revisions, newest first.
#[tauri::command]
#[specta::specta]
pub async fn draft_history(state: State<'_, AppState>, id: String) -> Result<Vec<RevisionView>> {
    Ok(state.service()?.history(id).await?)
}

/// Make an earlier revision current again.
#[tauri::command]
#[specta::specta]
pub async fn restore_revision(
    state: State<'_, AppState>,
    id: String,
    revision: u32,
) -> Result<EditorAnswer> {
    let svc = state.service()?;
    Ok(svc.show_change(svc.restore(id, revision).await?))
}

/// Delete a draft.
#[tauri::command]
#[specta::specta]
pub async fn delete_draft(state: State<'_, AppState>, id: String) -> Result<()> {
    Ok(state.service()?.delete_draft(id).await?)
}

/// A new draft copied from a draft (its unique values left empty).
#[tauri::command]
#[specta::specta]
pub async fn duplicate_draft(state: State<'_, AppState>, id: String) -> Result<EditorOpened> {
    let svc = state.service()?;
    Ok(svc.show(svc.duplicate_draft(id).await?))
}

/// Mark an offering as a favourite, or unmark it.
#[tauri::command]
#[specta::specta]
pub async fn set_favourite_offering(
    state: State<'_, AppState>,
    offering_id: String,
    favourite: bool,
) -> Result<()> {
    Ok(state.service()?.set_favourite_offering(offering_id, favourite).await?)
}

/// The favourite and recently added offerings the catalog picker lists first.
#[tauri::command]
#[specta::specta]
pub async fn offering_shortcuts(state: State<'_, AppState>) -> Result<OfferingShortcuts> {
    Ok(state.service()?.offering_shortcuts().await?)
}

/// Store pasted or loaded TMF622 JSON (v4 or v5) as a new draft.
#[tauri::command]
#[specta::specta]
pub async fn import_order(state: State<'_, AppState>, text: String) -> Result<EditorOpened> {
    let svc = state.service()?;
    Ok(svc.show(svc.import_order(text).await?))
}

/// A draft as TMF622 JSON in `version`.
#[tauri::command]
#[specta::specta]
pub async fn export_draft(
    state: State<'_, AppState>,
    id: String,
    version: Version,
) -> Result<String> {
    Ok(state.service()?.export_draft(id, version).await?)
}

/// Ask the agent where to save a draft as TMF622 JSON in `version` and write it there.
/// Returns the path written, or `None` when the agent closed the dialog. The dialog is opened
/// from Rust, so the webview needs no file-system or dialog permission of its own.
#[tauri::command]
#[specta::specta]
pub async fn save_export(
    state: State<'_, AppState>,
    id: String,
    version: Version,
) -> Result<Option<String>> {
    let service = state.service()?;
    let name = format!("order-{}-{version}.json", id.chars().take(8).collect::<String>());
    match state.ask_save_path(name).await? {
        Some(path) => Ok(Some(service.save_export(id, version, path).await?)),
        None => Ok(None),
    }
}

/// A draft's customer summary: what the review before submit shows and the PDF carries.
#[tauri::command]
#[specta::specta]
pub async fn draft_summary(state: State<'_, AppState>, id: String) -> Result<DraftSummary> {
    Ok(state.service()?.draft_summary(id).await?)
}

/// Ask the agent where to save a draft's customer summary as PDF and write it there. Returns
/// the path written, or `None` when the agent closed the dialog (as [`save_export`]).
#[tauri::command]
#[specta::specta]
pub async fn draft_summary_pdf(state: State<'_, AppState>, id: String) -> Result<Option<String>> {
    let service = state.service()?;
    let name = format!("summary-{}.pdf", id.chars().take(8).collect::<String>());
    match state.ask_save_path(name).await? {
        Some(path) => Ok(Some(service.save_summary_pdf(id, path).await?)),
        None => Ok(None),
    }
}

/// Bring the active profile's customers into the local cache; how many the server listed.
#[tauri::command]
#[specta::specta]
pub async fn sync_customers(state: State<'_, AppState>) -> Result<u32> {
    let report = state.service()?.sync_customers().await?;
    Ok(u32::try_from(report.received).unwrap_or(u32::MAX))
}

/// The active profile's cached customers matching `text`, best first (offline).
#[tauri::command]
#[specta::specta]
pub async fn search_customers(
    state: State<'_, AppState>,
    text: String,
    limit: u32,
) -> Result<Vec<CustomerRow>> {
    Ok(state.service()?.search_customers(text, limit.min(MAX_CUSTOMER_HITS)).await?)
}

/// Create a customer on the active profile's server and cache it (the customer field's
/// inline form); the new customer's row.
#[tauri::command]
#[specta::specta]
pub async fn create_customer(
    state: State<'_, AppState>,
    customer: NewCustomer,
) -> Result<CustomerRow> {
    Ok(state.service()?.create_customer(customer).await?)
}

/// A customer's installed products (the cached ones, with their age, while offline).
#[tauri::command]
#[specta::specta]
pub async fn customer_products(
    state: State<'_, AppState>,
    customer: String,
) -> Result<CustomerProductsView> {
    Ok(state.service()?.customer_products(customer).await?)
}

/// Change an installed product on the draft at `revision`; saved before the answer.
#[tauri::command]
#[specta::specta]
pub async fn change_installed(
    state: State<'_, AppState>,
    id: String,
    revision: u32,
    change: InstalledChange,
) -> Result<EditorAnswer> {
    let svc = state.service()?;
    Ok(svc.show_change(svc.change_installed(id, revision, change).await?))
}

/// Categories of the cached catalog.
#[tauri::command]
#[specta::specta]
pub async fn catalog_categories(state: State<'_, AppState>) -> Result<Vec<CategoryView>> {
    Ok(state.service()?.categories().await?)
}

/// Offerings matching `text` in `category` (search-as-you-type).
#[tauri::command]
#[specta::specta]
pub async fn search_offerings(
    state: State<'_, AppState>,
    text: String,
    category: Option<String>,
    limit: u32,
) -> Result<Vec<OfferingSummary>> {
    Ok(state.service()?.search_offerings(text, category, limit.min(MAX_OFFERINGS)).await?)
}

/// One offering with prices, bundle structure and characteristics.
#[tauri::command]
#[specta::specta]
pub async fn offering_detail(state: State<'_, AppState>, id: String) -> Result<OfferingDetail> {
    Ok(state.service()?.offering(id).await?)
}

/// Replace the cached catalog with a TMF620 snapshot; returns the number of offerings.
#[tauri::command]
#[specta::specta]
pub async fn import_catalog(
    state: State<'_, AppState>,
    text: String,
    source: String,
) -> Result<u32> {
    Ok(state.service()?.import_catalog(text, source).await?)
}

/// The current settings.
#[tauri::command]
#[specta::specta]
pub async fn get_settings(state: State<'_, AppState>) -> Result<Settings> {
    Ok(state.service()?.settings())
}

/// Save the settings.
#[tauri::command]
#[specta::specta]
pub async fn save_settings(state: State<'_, AppState>, settings: Settings) -> Result<Settings> {
    Ok(state.service()?.save_settings(settings).await?)
}

/// Queue a valid draft for the active server; the background sync sends it.
#[tauri::command]
#[specta::specta]
pub async fn submit_draft(state: State<'_, AppState>, id: String) -> Result<SubmitView> {
    Ok(state.service()?.submit(id).await?)
}

/// Where a submitted draft stands (none: it is not submitted and may be edited).
#[tauri::command]
#[specta::specta]
pub async fn draft_submission(
    state: State<'_, AppState>,
    id: String,
) -> Result<Option<SubmissionView>> {
    Ok(state.service()?.submission(id).await?)
}

/// The server's refusal of a draft's order, while the draft was not submitted again.
#[tauri::command]
#[specta::specta]
pub async fn draft_refusal(state: State<'_, AppState>, id: String) -> Result<Option<RefusalView>> {
    Ok(state.service()?.draft_refusal(id).await?)
}

/// *Withdraw and edit*: take a queued draft back while it has not been sent.
#[tauri::command]
#[specta::specta]
pub async fn withdraw_draft(state: State<'_, AppState>, id: String) -> Result<WithdrawView> {
    Ok(state.service()?.withdraw(id).await?)
}

/// One sync run now (send what is due, refresh tracked orders).
#[tauri::command]
#[specta::specta]
pub async fn sync_now(state: State<'_, AppState>) -> Result<()> {
    Ok(state.service()?.sync_now().await?)
}

// ---- server profiles ------------------------------------------------------------------------

/// Every server profile (never a secret; only where the secret comes from).
#[tauri::command]
#[specta::specta]
pub async fn list_profiles(state: State<'_, AppState>) -> Result<Vec<ProfileView>> {
    Ok(state.service()?.list_profiles().await?)
}

/// Add or edit a profile; field errors come back per field, the secret goes to the keyring.
#[tauri::command]
#[specta::specta]
pub async fn save_profile(state: State<'_, AppState>, input: ProfileInput) -> Result<ProfileSaved> {
    Ok(state.service()?.save_profile(input).await?)
}

/// Remove a profile and its stored secret.
#[tauri::command]
#[specta::specta]
pub async fn remove_profile(state: State<'_, AppState>, name: String) -> Result<Vec<ProfileView>> {
    Ok(state.service()?.remove_profile(name).await?)
}

/// Make a profile the one new orders go to (effective at once).
#[tauri::command]
#[specta::specta]
pub async fn set_active_profile(
    state: State<'_, AppState>,
    name: String,
) -> Result<Vec<ProfileView>> {
    Ok(state.service()?.set_active_profile(name).await?)
}

/// Set what a profile rules (discount policy, cancellation reasons) from its JSON.
#[tauri::command]
#[specta::specta]
pub async fn set_profile_policy(
    state: State<'_, AppState>,
    name: String,
    json: String,
) -> Result<Vec<ProfileView>> {
    Ok(state.service()?.set_profile_policy(name, json).await?)
}

/// Record who approved a discount over its limit, with the approval code.
#[tauri::command]
#[specta::specta]
pub async fn approve_discount(
    state: State<'_, AppState>,
    draft: String,
    approval: ApprovalInput,
) -> Result<EditorAnswer> {
    let svc = state.service()?;
    Ok(svc.show_change(svc.approve_discount(draft, approval).await?))
}

/// Try a profile as the form holds it and report what the server answered.
#[tauri::command]
#[specta::specta]
pub async fn test_connection(
    state: State<'_, AppState>,
    input: ProfileInput,
) -> Result<ConnectionReport> {
    Ok(state.service()?.test_connection(input).await?)
}

/// Fetch a profile's whole catalog into the local cache.
#[tauri::command]
#[specta::specta]
pub async fn refresh_catalog(
    state: State<'_, AppState>,
    name: String,
) -> Result<CatalogRefreshView> {
    Ok(state.service()?.refresh_catalog(name).await?)
}

// ---- sync, orders, outbox -------------------------------------------------------------------

/// The sync status now (later changes arrive as `SyncStatusChanged` events).
#[tauri::command]
#[specta::specta]
pub async fn sync_status(state: State<'_, AppState>) -> Result<SyncStatusView> {
    Ok(state.service()?.sync_status())
}

/// A submitted order: state timeline, item states, the server's payload, its cancellation.
#[tauri::command]
#[specta::specta]
pub async fn order_detail(state: State<'_, AppState>, id: String) -> Result<OrderDetailView> {
    Ok(state.service()?.order_detail(id).await?)
}

/// Ask the server to cancel an order: a reason from the profile's list (its code), an
/// optional note (the reason itself when the profile lists none); date `YYYY-MM-DD` or
/// RFC 3339.
#[tauri::command]
#[specta::specta]
pub async fn cancel_order(
    state: State<'_, AppState>,
    id: String,
    reason: Option<String>,
    note: String,
    requested_date: Option<String>,
) -> Result<OrderDetailView> {
    Ok(state.service()?.cancel_order(id, reason, note, requested_date).await?)
}

/// The problems an amendment would have, each at its field (none: it may be sent).
#[tauri::command]
#[specta::specta]
pub async fn check_amendment(
    state: State<'_, AppState>,
    id: String,
    input: AmendInput,
) -> Result<Vec<FindingView>> {
    Ok(state.service()?.check_amendment(id, input).await?)
}

/// Amend a submitted order (dates, a note, characteristics, quantities); queued for its server.
#[tauri::command]
#[specta::specta]
pub async fn amend_order(
    state: State<'_, AppState>,
    id: String,
    input: AmendInput,
) -> Result<OrderDetailView> {
    Ok(state.service()?.amend_order(id, input).await?)
}

/// The outbox entries not delivered yet, and the dropped ones.
#[tauri::command]
#[specta::specta]
pub async fn outbox(state: State<'_, AppState>) -> Result<Vec<OutboxEntryView>> {
    Ok(state.service()?.outbox().await?)
}

/// Try a waiting outbox entry again now.
#[tauri::command]
#[specta::specta]
pub async fn retry_entry(state: State<'_, AppState>, id: String) -> Result<()> {
    Ok(state.service()?.retry_entry(id).await?)
}

/// Give up on an outbox entry; `force` for one that was sent before.
#[tauri::command]
#[specta::specta]
pub async fn drop_entry(state: State<'_, AppState>, id: String, force: bool) -> Result<()> {
    Ok(state.service()?.drop_entry(id, force).await?)
}

/// Where to fix an order the server refused: its draft, item and field.
#[tauri::command]
#[specta::specta]
pub async fn fix_entry(state: State<'_, AppState>, id: String) -> Result<FixTarget> {
    Ok(state.service()?.fix_entry(id).await?)
}

/// Settle an amendment conflict: keep the server's values or send the agent's again.
#[tauri::command]
#[specta::specta]
pub async fn resolve_conflict(
    state: State<'_, AppState>,
    id: String,
    choice: ConflictChoice,
) -> Result<()> {
    Ok(state.service()?.resolve_conflict(id, choice).await?)
}
