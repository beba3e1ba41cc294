//! What the service hands out: plain, serialisable views shaped for the UI. Money is always a
//! decimal string; counts and revisions are `u32` so they cross IPC as plain numbers. Closed
//! sets are enums (the generated TypeScript has unions): versions, severities, sync badges,
//! outbox statuses and the states TMF622 defines (`orderdesk-wire`'s [`OrderState`] and
//! `TaskState`).
//!
//! A state comes from a server, which may write one TMF622 does not define (or spell a defined
//! one otherwise). A view therefore carries a state twice: `state`, the [`OrderState`] it is
//! (`null` when TMF622 defines none of that name), which the UI decides with; and
//! `state_text`, the state as the server wrote it, which the UI shows. The UI never has to
//! parse a state, and never loses one.

use orderdesk_core::Rounding;
use orderdesk_wire::{OrderState, Severity, Version};
use serde::{Deserialize, Serialize};

/// A row of the orders screen: a draft or an order known to a server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct OrderListRow {
    /// `draft` or `order`.
    pub kind: RowKind,
    /// Draft id, or the local order id as text.
    pub id: String,
    pub customer: Option<String>,
    /// Total over the pricing schedule, tax included, as a decimal string.
    pub total: Option<String>,
    pub currency: Option<String>,
    pub item_count: u32,
    /// `draft` for drafts; the TMF state for orders (`null` for one TMF622 does not define).
    pub state: Option<OrderState>,
    /// The state as the server wrote it (`draft` for drafts), to show.
    pub state_text: String,
    pub sync: SyncBadge,
    pub revision: u32,
    /// RFC 3339, UTC.
    pub updated_at: String,
}

/// Where a draft or an order stands with its server, as the orders list shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum SyncBadge {
    /// Not submitted.
    Draft,
    /// Waiting in the outbox.
    Queued,
    /// Being sent.
    Sending,
    /// On the server.
    Submitted,
    /// Refused or failed: the agent must look at it.
    NeedsAttention,
    /// An amendment that collides with a change on the server.
    Conflict,
}

/// Whether a list row is a draft or a known order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum RowKind {
    Draft,
    Order,
}

/// How the orders list is sorted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum OrderSortKey {
    #[default]
    UpdatedDesc,
    UpdatedAsc,
    CustomerAsc,
    TotalDesc,
}

/// What the orders list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct OrderListQuery {
    /// Full-text search over drafts and orders; empty for all.
    pub text: String,
    /// Only this state (`draft`, or a TMF state).
    pub state: Option<OrderState>,
    /// Only this sync badge.
    pub sync: Option<SyncBadge>,
    /// Customer name contains this (case-insensitive).
    pub customer: Option<String>,
    /// Changed on or after this day (`YYYY-MM-DD`).
    pub updated_from: Option<String>,
    /// Changed on or before this day (`YYYY-MM-DD`).
    pub updated_to: Option<String>,
    pub sort: OrderSortKey,
    /// Rows of the whole list to skip (none when not given: the first page).
    #[serde(default)]
    pub offset: u32,
    /// Rows in the page: [`crate::ORDERS_PAGE`] when `None`, at most
    /// [`orderdesk_store::MAX_LIST_PAGE`].
    pub limit: Option<u32>,
}

/// A page of the orders list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct OrderListPage {
    pub rows: Vec<OrderListRow>,
    /// Rows the whole list holds, on every page.
    pub total: u32,
    /// Where the page starts in the whole list.
    pub offset: u32,
}

/// The order editor's whole state after every change: the draft and its price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct EditorState {
    pub draft: DraftView,
    pub quote: QuoteView,
}

/// A draft as the editor shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DraftView {
    pub id: String,
    pub revision: u32,
    pub tmf_version: Version,
    pub updated_at: String,
    pub header: HeaderView,
    /// Every item, depth first (parents before children), with its depth: the bundle tree
    /// flattened so the UI can virtualise it.
    pub items: Vec<ItemView>,
    pub can_undo: bool,
    pub can_redo: bool,
}

/// A reference shown as id and name (party, billing account, channel).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RefView {
    pub id: String,
    pub name: String,
}

/// The order-level fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct HeaderView {
    pub customer: Option<RefView>,
    pub billing_account: Option<RefView>,
    pub channel: Option<RefView>,
    pub priority: Option<String>,
    pub description: Option<String>,
    pub external_id: Option<String>,
    /// RFC 3339.
    pub requested_start: Option<String>,
    pub requested_completion: Option<String>,
    pub notes: Vec<String>,
}

/// One item of the bundle tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ItemView {
    pub id: String,
    pub parent: Option<String>,
    pub depth: u32,
    /// JSON pointer of the item in the stored order (what findings point into).
    pub path: String,
    pub offering_id: Option<String>,
    pub name: String,
    pub action: String,
    pub quantity: u32,
    pub product_id: Option<String>,
    pub is_bundle: bool,
    pub child_count: u32,
    /// The characteristics form: the specification's characteristics with the item's values,
    /// then any value the specification does not know.
    pub characteristics: Vec<CharacteristicField>,
    /// Relationships other than bundle membership (`reliesOn`...).
    pub relationships: Vec<RelationshipView>,
    /// The item's own `itemPrice` entries with their alterations.
    pub prices: Vec<ItemPriceView>,
    /// For a bundle: the offerings it may contain, with cardinality and how many it has.
    pub options: Vec<BundleOption>,
}

/// One field of a characteristics form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CharacteristicField {
    pub name: String,
    /// What an agent or a customer reads for it: the catalog's words, else the name in words
    /// (`orderdesk_core`'s `CharacteristicSpec::label`).
    pub label: String,
    pub description: Option<String>,
    /// `string`, `number`, `integer`, `boolean`, ... as the specification says.
    pub value_type: Option<String>,
    pub required: bool,
    /// Allowed values, as text; empty when free.
    pub allowed: Vec<String>,
    pub min: Option<String>,
    pub max: Option<String>,
    /// The current value as text (`None` when unset).
    pub value: Option<String>,
    /// In the specification (`false` for values the order carries on its own).
    pub specified: bool,
}

/// A non-bundle relationship of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RelationshipView {
    pub kind: String,
    pub target: String,
}

/// One `itemPrice` entry of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ItemPriceView {
    pub index: u32,
    pub name: Option<String>,
    pub price_type: Option<String>,
    pub period: Option<String>,
    pub alterations: Vec<AlterationView>,
}

/// A price alteration as the editor edits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AlterationView {
    pub name: String,
    /// `percentage` or `amount`.
    pub kind: String,
    /// Decimal text.
    pub value: String,
    /// In periods; `None` for the whole term.
    pub duration: Option<u32>,
    pub price_type: String,
    pub reason: Option<String>,
    /// The approval the order's notes record for this discount (`orderdesk_core::policy`).
    pub approval: Option<ApprovalView>,
}

/// Who approved a discount over its limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ApprovalView {
    pub approver: String,
    /// The approval note's text (it carries the approval code).
    pub text: String,
}

/// An offering a bundle may contain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct BundleOption {
    pub offering_id: String,
    pub name: String,
    pub lower: u32,
    pub upper: Option<u32>,
    pub count: u32,
}

/// A validation or pricing finding, with where the editor shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FindingView {
    pub severity: Severity,
    pub code: String,
    pub path: String,
    pub message: String,
    /// The item the finding is about, if any.
    pub item: Option<String>,
    /// The field: a characteristic name, `quantity`, `action`, or a header field
    /// (`customer`, `billingAccount`, `channel`, `requestedStart`, ...).
    pub field: Option<String>,
    /// A characteristic field in words, as its form field is labelled (the catalog's
    /// `CharacteristicSpec::label`); `None` for other fields.
    pub field_label: Option<String>,
}

/// The priced draft.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct QuoteView {
    /// Primary currency first.
    pub currencies: Vec<CurrencyView>,
    pub items: Vec<ItemQuoteView>,
    pub findings: Vec<FindingView>,
    /// Submit is blocked while this is true.
    pub has_errors: bool,
    /// Rounding used.
    pub rounding: Rounding,
}

/// A duty-free / tax-included pair of decimal strings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AmountsView {
    pub duty_free: String,
    pub tax_included: String,
}

/// Every figure of one currency.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CurrencyView {
    pub currency: String,
    pub one_time: AmountsView,
    pub recurring: Vec<PeriodAmounts>,
    pub schedule_period: String,
    /// What is due in each period, 1-based.
    pub schedule: Vec<AmountsView>,
    pub total_periods: u32,
    pub total: AmountsView,
}

/// Recurring charge per period unit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PeriodAmounts {
    pub period: String,
    pub amounts: AmountsView,
}

/// How one item was priced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ItemQuoteView {
    pub id: String,
    pub lines: Vec<PriceLineView>,
}

/// One price line of an item and how it was computed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PriceLineView {
    pub price: String,
    pub price_type: String,
    pub period: Option<String>,
    pub currency: String,
    pub quantity: String,
    /// `order` or `catalog`.
    pub source: String,
    pub segments: Vec<SegmentView>,
}

/// The amount of a line over a run of periods, with its steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SegmentView {
    pub from: u32,
    pub to: Option<u32>,
    pub steps: Vec<StepView>,
    pub amounts: AmountsView,
}

/// One step of a price explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct StepView {
    pub step: String,
    pub amounts: AmountsView,
}

/// One revision of a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RevisionView {
    pub revision: u32,
    /// What changed, in words.
    pub summary: String,
    pub actor: String,
    pub at: String,
}

/// A catalog category with how many offerings it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CategoryView {
    pub id: String,
    pub name: String,
    pub parent: Option<String>,
    pub offering_count: u32,
}

/// An offering in lists and pickers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct OfferingSummary {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub is_bundle: bool,
    pub lifecycle_status: Option<String>,
    pub categories: Vec<String>,
    /// The offering's own prices (not its alterations), in catalog order: the UI writes them in
    /// the agent's locale (`49,00 € + 29,99 €/Monat`).
    pub price_tags: Vec<PriceTag>,
}

/// What the catalog picker lists before any search: the agent's favourite offerings (the
/// first marked first) and the ones most recently added to a draft (the latest first, the
/// favourites left out).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct OfferingShortcuts {
    pub favourites: Vec<OfferingSummary>,
    pub recent: Vec<OfferingSummary>,
}

/// A price as lists and pickers show it: an exact decimal amount, its currency and, for a
/// recurring price, its period unit (`month`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PriceTag {
    pub amount: String,
    pub currency: Option<String>,
    pub period: Option<String>,
}

/// Everything the catalog browser shows about one offering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct OfferingDetail {
    pub summary: OfferingSummary,
    pub prices: Vec<CatalogPriceView>,
    pub bundle: Vec<BundleOption>,
    pub characteristics: Vec<CharacteristicField>,
    pub relies_on: Vec<String>,
}

/// A catalog price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CatalogPriceView {
    pub id: String,
    pub name: Option<String>,
    pub price_type: Option<String>,
    pub period: Option<String>,
    pub amount: Option<String>,
    pub currency: Option<String>,
    pub percentage: Option<String>,
    pub duration: Option<u32>,
}

/// The app's state at start: what the first screen needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    pub data_dir: String,
    /// No server profile yet: offer the demo server.
    pub first_start: bool,
    pub demo: Option<DemoStatus>,
    pub catalog_version: Option<String>,
    pub offering_count: u32,
    pub profiles: Vec<crate::profiles::ProfileView>,
    /// The first screen is drawn in the agent's language and theme.
    pub settings: Settings,
}

/// The running in-process demo server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DemoStatus {
    pub base_url: String,
    pub catalog_version: String,
    pub offerings: u32,
}

/// User settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub rounding: Rounding,
    /// TMF622 version of new drafts.
    pub default_version: Version,
    /// The UI's locale, a BCP 47 tag such as `de-DE`, or empty (default) to follow the
    /// system's: the language of the UI and how it shows money, numbers and dates.
    #[serde(default)]
    pub locale: String,
    /// Settings saved before the theme existed read as "follow the system".
    #[serde(default)]
    pub theme: Theme,
    /// The shop's name, printed on the customer summary (empty: none).
    #[serde(default)]
    pub shop_name: String,
}

/// The UI's colours.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    /// The system's light or dark preference.
    #[default]
    System,
    Light,
    Dark,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            rounding: Rounding::HalfUp,
            default_version: Version::V4,
            locale: String::new(),
            theme: Theme::System,
            shop_name: String::new(),
        }
    }
}

/// Where a submitted draft stands ([`crate::Service::submission`]): while there is one, the
/// draft is read-only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SubmissionView {
    /// The server profile it goes to.
    pub profile: String,
    /// `queued`, `sending` or `submitted`.
    pub sync: SyncBadge,
    /// It has not been sent: *Withdraw and edit* may take it back.
    pub can_withdraw: bool,
    /// The order it became on the server (its local number), once known.
    pub order: Option<String>,
    /// That order may be amended now (`orderdesk_sync::may_amend` on its last state).
    pub can_amend: bool,
}

/// A submission taken back ([`crate::Service::withdraw`]): the draft can be edited again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct WithdrawView {
    /// The outbox entry that no longer goes out.
    pub entry: String,
    /// The server profile it was queued for.
    pub profile: String,
    /// The draft revision it carried.
    pub revision: Option<u32>,
}

/// A draft queued for a server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SubmitView {
    /// The server profile it goes to.
    pub profile: String,
    /// The outbox entry that carries it.
    pub entry: String,
    /// Our client order id (the entry's idempotency key).
    pub client_order_id: String,
    /// The sync badge now (`queued`).
    pub sync: SyncBadge,
    /// Whether the background sync loop runs (else it is sent when it next starts).
    pub sending: bool,
}

/// What the customer takes home ([`crate::Service::draft_summary`]): the review before submit
/// and the summary PDF show it. Its figures are the price panel's ([`QuoteView`]), not
/// computed again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DraftSummary {
    /// The shop's name from the settings (empty when none is set).
    pub shop_name: String,
    pub draft_id: String,
    pub revision: u32,
    /// When the summary was made, RFC 3339 (UTC).
    pub made_at: String,
    pub customer: Option<RefView>,
    pub billing_account: Option<RefView>,
    /// RFC 3339.
    pub requested_start: Option<String>,
    pub requested_completion: Option<String>,
    pub notes: Vec<String>,
    /// Every item, depth first, with its depth (the bundle tree).
    pub items: Vec<SummaryItem>,
    /// Every price alteration the order's items carry, with its reason.
    pub discounts: Vec<SummaryDiscount>,
    /// The charges that are due once.
    pub one_time: Vec<SummaryCharge>,
    /// The price panel's figures per currency (primary first): one-time, recurring, the
    /// schedule period by period and the term total.
    pub currencies: Vec<CurrencyView>,
    /// Change items as "was → will be".
    pub changes: Vec<SummaryChange>,
    /// The order on the server, once the server gave it an id.
    pub reference: Option<OrderReference>,
    /// The draft has error findings (it cannot be submitted as it is).
    pub has_errors: bool,
}

/// One item of the summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SummaryItem {
    pub id: String,
    pub depth: u32,
    pub name: String,
    /// `add`, `modify`, `delete` or `noChange`.
    pub action: String,
    pub quantity: u32,
    /// The characteristics that have a value, labelled in words.
    pub characteristics: Vec<SummaryCharacteristic>,
    /// The item's price lines.
    pub charges: Vec<SummaryCharge>,
}

/// A characteristic with its label in words (the catalog's, else its name in words).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SummaryCharacteristic {
    pub name: String,
    pub label: String,
    pub value: String,
}

/// A price alteration of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SummaryDiscount {
    pub item: String,
    pub item_name: String,
    pub alteration: AlterationView,
    /// `order` (the item's own price carries it, with the agent's reason) or `catalog` (the
    /// offering's own discount, which the pricing engine applies).
    pub source: String,
}

/// One price line of an item: what is due, period by period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SummaryCharge {
    pub item: String,
    pub item_name: String,
    /// The price's name.
    pub price: String,
    /// The recurring period (`month`...), `None` for a one-time charge.
    pub period: Option<String>,
    pub currency: String,
    /// The amount per run of periods (one run for a one-time charge).
    pub runs: Vec<ChargeRun>,
}

/// The amount of a charge from one period to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ChargeRun {
    pub from: u32,
    /// `None`: every period after.
    pub to: Option<u32>,
    pub amounts: AmountsView,
}

/// A change item: what the customer has and what they will have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SummaryChange {
    pub item: String,
    /// `modify`, `delete`, or `add` for a new plan replacing a product.
    pub action: String,
    pub product_id: String,
    pub was: String,
    /// `None`: nothing (the product is disconnected).
    pub will_be: Option<String>,
    pub characteristics: Vec<CharacteristicDiff>,
}

/// A characteristic a change item changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CharacteristicDiff {
    pub label: String,
    pub was: String,
    pub will_be: String,
}

/// The order a draft became on a server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct OrderReference {
    /// The server profile.
    pub profile: String,
    /// The id the server gave the order.
    pub server_id: String,
    /// The state as the server wrote it.
    pub state_text: String,
}
