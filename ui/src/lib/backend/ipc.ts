// Every call to the Rust backend goes through this module, so the rest of the UI depends on one
// typed surface. The command wrappers and IPC types come from the generated `bindings.ts`; here
// each command's `{status, data | error}` result becomes a value or a thrown `BackendError`
// carrying the backend's stable `{code, message}`.
import { commands, events } from "./bindings";
import type {
  AlterationInput_Deserialize,
  AppStatus_Serialize,
  CategoryView_Serialize,
  CharacteristicField_Serialize,
  DraftView_Serialize,
  DraftSummary_Serialize,
  SummaryCharge_Serialize,
  Edit_Deserialize,
  EditorAnswer_Serialize,
  EditorChange_Serialize,
  EditorOpened_Serialize,
  EditorState_Serialize,
  FindingView_Serialize,
  ItemView_Serialize,
  OfferingDetail_Serialize,
  OfferingSummary_Serialize,
  OfferingShortcuts_Serialize,
  PriceTag_Serialize,
  OrderListQuery_Deserialize,
  OrderListRow_Serialize,
  OrderListPage_Serialize,
  QuoteView_Serialize,
  CurrencyView,
  ItemQuoteView_Serialize,
  RevisionView,
  Settings_Serialize,
  DemoStatus,
  IpcError,
  AppInfo,
  BundleOption_Serialize,
  AlterationView_Serialize,
  SubmitView,
  ProfileInput_Deserialize,
  ProfileView_Serialize,
  ProfileSaved_Serialize,
  FieldError,
  SecretState,
  ConnectionReport,
  CatalogRefreshView,
  SyncStatusView_Serialize,
  OrderDetailView_Serialize,
  OutboxEntryView_Serialize,
  FixTarget_Serialize,
  CancellationView_Serialize,
  OrderItemState_Serialize,
  TimelineStep_Serialize,
  ConflictMember,
  ConflictChoice,
  AuthMode,
  EntryKind,
  EntryStatus,
  OrderState,
  Rounding,
  Severity,
  StepTone,
  SyncBadge,
  TaskState,
  Theme,
  TimelineKind,
  Version,
  VersionChoice,
  UpdateSettings,
  UpdateView,
  DiagnosticsSaved,
  AmendInput_Deserialize,
  RefusalView_Serialize,
  ReasonOption_Serialize,
  PolicyView_Serialize,
  ApprovalInput,
  ApprovalView,
  CustomerRow_Serialize,
  CustomerProductsView_Serialize,
  InstalledProductView_Serialize,
  InstalledChange,
  NewCustomer_Deserialize,
  MonthlyView,
  ProductStatus,
  SummaryChange_Serialize,
} from "./bindings";

export type {
  ApprovalInput,
  ApprovalView,
  DemoStatus,
  IpcError,
  AppInfo,
  RevisionView,
  CurrencyView,
  SubmitView,
  FieldError,
  SecretState,
  ConnectionReport,
  CatalogRefreshView,
  AuthMode,
  EntryKind,
  EntryStatus,
  OrderState,
  Rounding,
  Severity,
  StepTone,
  SyncBadge,
  TaskState,
  Theme,
  TimelineKind,
  Version,
  VersionChoice,
};
/** The settings as the backend sends them (every field present; saving takes the same). */
export type Settings = Settings_Serialize;
export type ProfileInput = ProfileInput_Deserialize;
export type NewCustomer = NewCustomer_Deserialize;
export type ProfileView = ProfileView_Serialize;
export type ReasonOption = ReasonOption_Serialize;
export type PolicyView = PolicyView_Serialize;
export type ProfileSaved = ProfileSaved_Serialize;
export type AppStatus = AppStatus_Serialize;
export type CategoryView = CategoryView_Serialize;
export type CharacteristicField = CharacteristicField_Serialize;
export type DraftView = DraftView_Serialize;
/** A draft's customer summary: the review before submit and the summary PDF's content. */
export type DraftSummary = DraftSummary_Serialize;
export type SummaryCharge = SummaryCharge_Serialize;
export type Edit = Edit_Deserialize;
export type EditorState = EditorState_Serialize;
/** An opened draft: its whole state and the answer's sequence number. */
export type EditorOpened = EditorOpened_Serialize;
/** The answer to a change: the whole state, or what changed since the answer it names. */
export type EditorAnswer = EditorAnswer_Serialize;
export type EditorChange = EditorChange_Serialize;
export type { Splice } from "./bindings";
export type FindingView = FindingView_Serialize;
export type ItemView = ItemView_Serialize;
export type OfferingDetail = OfferingDetail_Serialize;
export type OfferingSummary = OfferingSummary_Serialize;
export type OfferingShortcuts = OfferingShortcuts_Serialize;
export type PriceTag = PriceTag_Serialize;
export type OrderListQuery = OrderListQuery_Deserialize;
export type OrderListRow = OrderListRow_Serialize;
export type OrderListPage = OrderListPage_Serialize;
export type QuoteView = QuoteView_Serialize;
export type ItemQuoteView = ItemQuoteView_Serialize;
export type AlterationInput = AlterationInput_Deserialize;
export type AlterationView = AlterationView_Serialize;
export type BundleOption = BundleOption_Serialize;
export type SyncStatusView = SyncStatusView_Serialize;
export type OrderDetailView = OrderDetailView_Serialize;
export type OutboxEntryView = OutboxEntryView_Serialize;
export type FixTarget = FixTarget_Serialize;
export type CancellationView = CancellationView_Serialize;
export type OrderItemState = OrderItemState_Serialize;
export type TimelineStep = TimelineStep_Serialize;
export type { ConflictMember, ConflictChoice };
/** What an amendment changes (absent fields stay as the server has them). */
export type AmendInput = AmendInput_Deserialize;
export type RefusalView = RefusalView_Serialize;
/** A customer found in the local customer cache. */
export type CustomerRow = CustomerRow_Serialize;
/** A customer's installed products for the editor's customer panel. */
export type CustomerProductsView = CustomerProductsView_Serialize;
export type InstalledProductView = InstalledProductView_Serialize;
/** A change item as "was → will be" (the review's rows). */
export type SummaryChange = SummaryChange_Serialize;
export type { InstalledChange, MonthlyView, ProductStatus };

/** A command failed; `code` is the backend's stable error code. */
export class BackendError extends Error {
  readonly code: string;
  constructor(error: IpcError) {
    super(error.message);
    this.name = "BackendError";
    this.code = error.code;
  }
}

type Outcome<T> = { status: "ok"; data: T } | { status: "error"; error: IpcError };

async function unwrap<T>(result: Promise<Outcome<T>>): Promise<T> {
  const outcome = await result;
  if (outcome.status === "error") {
    throw new BackendError(outcome.error);
  }
  return outcome.data;
}

/** The backend, one function per command. */
export const backend = {
  appInfo: (): Promise<AppInfo> => commands.appInfo(),
  appStatus: () => unwrap(commands.appStatus()),
  startDemo: () => unwrap(commands.startDemo()),
  listOrders: (query: OrderListQuery) => unwrap(commands.listOrders(query)),
  newDraft: () => unwrap(commands.newDraft()),
  openDraft: (id: string) => unwrap(commands.openDraft(id)),
  editDraft: (id: string, revision: number, edit: Edit) =>
    unwrap(commands.editDraft(id, revision, edit)),
  undo: (id: string) => unwrap(commands.undo(id)),
  redo: (id: string) => unwrap(commands.redo(id)),
  draftHistory: (id: string) => unwrap(commands.draftHistory(id)),
  restoreRevision: (id: string, revision: number) =>
    unwrap(commands.restoreRevision(id, revision)),
  /** Refused with `store.draft_submitted` while the draft is queued, being sent or sent. */
  deleteDraft: (id: string) => unwrap(commands.deleteDraft(id)),
  /** A new draft from a draft (submitted or not), its phone numbers, ICCIDs and IMEIs empty. */
  duplicateDraft: (id: string) => unwrap(commands.duplicateDraft(id)),
  importOrder: (text: string) => unwrap(commands.importOrder(text)),
  exportDraft: (id: string, version: Version) => unwrap(commands.exportDraft(id, version)),
  /** Asks where in the native save dialog; `null` when the agent cancels. */
  saveExport: (id: string, version: Version) => unwrap(commands.saveExport(id, version)),
  draftSummary: (id: string) => unwrap(commands.draftSummary(id)),
  /** Asks where to save the customer summary PDF (the native dialog) and writes it there. */
  draftSummaryPdf: (id: string) => unwrap(commands.draftSummaryPdf(id)),
  /** Brings the active profile's customers into the local cache; how many the server listed. */
  syncCustomers: () => unwrap(commands.syncCustomers()),
  /** The cached customers matching `text` (offline). */
  searchCustomers: (text: string, limit: number) => unwrap(commands.searchCustomers(text, limit)),
  createCustomer: (customer: NewCustomer) => unwrap(commands.createCustomer(customer)),
  customerProducts: (customer: string) => unwrap(commands.customerProducts(customer)),
  changeInstalled: (id: string, revision: number, change: InstalledChange) =>
    unwrap(commands.changeInstalled(id, revision, change)),
  catalogCategories: () => unwrap(commands.catalogCategories()),
  searchOfferings: (text: string, category: string | null, limit: number) =>
    unwrap(commands.searchOfferings(text, category, limit)),
  offeringDetail: (id: string) => unwrap(commands.offeringDetail(id)),
  setFavouriteOffering: (id: string, favourite: boolean) =>
    unwrap(commands.setFavouriteOffering(id, favourite)),
  /** The favourite and recently added offerings the picker lists first. */
  offeringShortcuts: () => unwrap(commands.offeringShortcuts()),
  importCatalog: (text: string, source: string) => unwrap(commands.importCatalog(text, source)),
  getSettings: () => unwrap(commands.getSettings()),
  saveSettings: (settings: Settings) => unwrap(commands.saveSettings(settings)),
  submitDraft: (id: string) => unwrap(commands.submitDraft(id)),
  draftSubmission: (id: string) => unwrap(commands.draftSubmission(id)),
  withdrawDraft: (id: string) => unwrap(commands.withdrawDraft(id)),
  /** The server's refusal of the draft's order, until it is submitted again; `null` if none. */
  draftRefusal: (id: string) => unwrap(commands.draftRefusal(id)),
  syncNow: () => unwrap(commands.syncNow()),
  listProfiles: () => unwrap(commands.listProfiles()),
  saveProfile: (input: ProfileInput) => unwrap(commands.saveProfile(input)),
  removeProfile: (name: string) => unwrap(commands.removeProfile(name)),
  setActiveProfile: (name: string) => unwrap(commands.setActiveProfile(name)),
  testConnection: (input: ProfileInput) => unwrap(commands.testConnection(input)),
  refreshCatalog: (name: string) => unwrap(commands.refreshCatalog(name)),
  syncStatus: () => unwrap(commands.syncStatus()),
  orderDetail: (id: string) => unwrap(commands.orderDetail(id)),
  /** The problems an amendment would have, each at its field; empty when it may be sent. */
  checkAmendment: (id: string, input: AmendInput) => unwrap(commands.checkAmendment(id, input)),
  amendOrder: (id: string, input: AmendInput) => unwrap(commands.amendOrder(id, input)),
  cancelOrder: (id: string, reason: string | null, note: string, requestedDate: string | null) =>
    unwrap(commands.cancelOrder(id, reason, note, requestedDate)),
  setProfilePolicy: (name: string, json: string) => unwrap(commands.setProfilePolicy(name, json)),
  approveDiscount: (draft: string, approval: ApprovalInput) =>
    unwrap(commands.approveDiscount(draft, approval)),
  outbox: () => unwrap(commands.outbox()),
  retryEntry: (id: string) => unwrap(commands.retryEntry(id)),
  dropEntry: (id: string, force: boolean) => unwrap(commands.dropEntry(id, force)),
  fixEntry: (id: string) => unwrap(commands.fixEntry(id)),
  resolveConflict: (id: string, choice: ConflictChoice) =>
    unwrap(commands.resolveConflict(id, choice)),
  /** Asks where in the native save dialog; `null` when the agent cancels. */
  exportDiagnostics: () => unwrap(commands.exportDiagnostics()),
  updateSettings: () => unwrap(commands.updateSettings()),
  saveUpdateSettings: (settings: UpdateSettings) => unwrap(commands.saveUpdateSettings(settings)),
  /** The newer version the feed offers, or `null`. */
  checkUpdate: () => unwrap(commands.checkUpdate()),
  /** Downloads, verifies the signature and installs; the new version runs after a restart. */
  installUpdate: (version: string) => unwrap(commands.installUpdate(version)),
  restartApp: () => commands.restartApp(),
};

export type { UpdateSettings, UpdateView, DiagnosticsSaved };

/** Calls `listener` when the check at start-up found a newer version; resolves to an
 *  unsubscribe. */
export function onUpdateAvailable(listener: (update: UpdateView) => void): Promise<() => void> {
  return events.updateAvailable.listen((event) => listener(event.payload.update));
}

/** Calls `listener` with every sync status the backend sends; resolves to an unsubscribe. */
export function onSyncStatus(listener: (status: SyncStatusView) => void): Promise<() => void> {
  return events.syncStatusChanged.listen((event) => listener(event.payload as SyncStatusView));
}

/** The status the desktop shell handed the page with its first load (see `open_main_window` in
 *  src-tauri), taken once: null after that, and outside the shell. */
export function takeInitialStatus(): AppStatus | null {
  const holder = globalThis as { __ORDERDESK_STATUS__?: AppStatus };
  const status = holder.__ORDERDESK_STATUS__ ?? null;
  delete holder.__ORDERDESK_STATUS__;
  return status;
}

/** The settings in the status the shell handed the page, without taking the status: the page
 *  applies the agent's locale and theme before its first paint. */
export function peekInitialSettings(): Settings | null {
  const holder = globalThis as { __ORDERDESK_STATUS__?: AppStatus };
  return holder.__ORDERDESK_STATUS__?.settings ?? null;
}

/** Calls `listener` whenever the app's status changed behind the UI (the demo server came up
 *  again after start-up); resolves to a function that stops listening. */
export function onAppStatusChanged(listener: () => void): Promise<() => void> {
  return events.appStatusChanged.listen(() => listener());
}

/** Stop listening. When the window is going away with its event channel, unsubscribing can
 *  fail (at once or later); nothing is left to unsubscribe then, so that is not an error. */
export function stopListening(stop: (() => void) | null): void {
  try {
    const done: unknown = stop?.();
    if (done instanceof Promise) done.catch(() => {});
  } catch {
    // See above.
  }
}

/** A message for people from anything a backend call threw. */
export function errorText(error: unknown): string {
  if (error instanceof BackendError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
