// Backend answers shaped exactly like the generated IPC types, for component tests.
import type {
  CharacteristicField,
  DraftSummary,
  DraftView,
  EditorAnswer,
  EditorOpened,
  EditorState,
  FindingView,
  ItemView,
  QuoteView,
  SyncStatusView,
} from "../lib/backend/ipc";

export function field(name: string, extra: Partial<CharacteristicField> = {}): CharacteristicField {
  return {
    name,
    label: name,
    description: null,
    valueType: "string",
    required: false,
    allowed: [],
    min: null,
    max: null,
    value: null,
    specified: true,
    ...extra,
  };
}

export function item(id: string, extra: Partial<ItemView> = {}): ItemView {
  return {
    id,
    parent: null,
    depth: 0,
    path: `/productOrderItem/${Number(id) - 1}`,
    offeringId: `O-${id}`,
    name: `Item ${id}`,
    action: "add",
    quantity: 1,
    productId: null,
    isBundle: false,
    childCount: 0,
    characteristics: [],
    relationships: [],
    prices: [],
    options: [],
    ...extra,
  };
}

export function finding(extra: Partial<FindingView> = {}): FindingView {
  return {
    severity: "error",
    code: "item.characteristic_missing",
    path: "/productOrderItem/0/product",
    message: "TEL_MSISDN is required",
    item: "1",
    field: "TEL_MSISDN",
    fieldLabel: "Phone number",
    ...extra,
  };
}

export function quote(extra: Partial<QuoteView> = {}): QuoteView {
  return {
    currencies: [
      {
        currency: "EUR",
        oneTime: { dutyFree: "40.00", taxIncluded: "47.60" },
        recurring: [{ period: "month", amounts: { dutyFree: "25.20", taxIncluded: "29.99" } }],
        schedulePeriod: "month",
        schedule: [
          { dutyFree: "65.20", taxIncluded: "77.59" },
          { dutyFree: "25.20", taxIncluded: "29.99" },
          { dutyFree: "25.20", taxIncluded: "29.99" },
        ],
        totalPeriods: 3,
        total: { dutyFree: "115.60", taxIncluded: "137.57" },
      },
    ],
    items: [],
    findings: [],
    hasErrors: false,
    rounding: "halfUp",
    ...extra,
  };
}

export function draft(extra: Partial<DraftView> = {}): DraftView {
  return {
    id: "d-1234567890",
    revision: 3,
    tmfVersion: "v4",
    updatedAt: "2026-11-23T10:00:00+00:00",
    header: {
      customer: { id: "C-1", name: "Ada Lovelace" },
      billingAccount: null,
      channel: null,
      priority: null,
      description: null,
      externalId: null,
      requestedStart: null,
      requestedCompletion: null,
      notes: [],
    },
    items: [item("1")],
    canUndo: false,
    canRedo: false,
    ...extra,
  };
}

/** The customer summary of `draft()` priced as `quote()`: the same currency figures. */
export function draftSummary(extra: Partial<DraftSummary> = {}): DraftSummary {
  return {
    shopName: "Corner Shop",
    draftId: "d-1234567890",
    revision: 3,
    madeAt: "2026-11-23T10:00:00+00:00",
    customer: { id: "C-1", name: "Ada Lovelace" },
    billingAccount: null,
    requestedStart: null,
    requestedCompletion: null,
    notes: [],
    items: [
      {
        id: "1",
        depth: 0,
        name: "Mobile Line",
        action: "add",
        quantity: 1,
        characteristics: [{ name: "TEL_MSISDN", label: "Phone number", value: "+34600111222" }],
        charges: [
          {
            item: "1",
            itemName: "Mobile Line",
            price: "Connection fee",
            period: null,
            currency: "EUR",
            runs: [{ from: 1, to: 1, amounts: { dutyFree: "40.00", taxIncluded: "47.60" } }],
          },
        ],
      },
    ],
    discounts: [
      {
        item: "1",
        itemName: "Mobile Line",
        alteration: {
          name: "Welcome",
          kind: "percentage",
          value: "20",
          duration: 3,
          priceType: "discount",
          reason: "Loyal customer",
          approval: null,
        },
        source: "order",
      },
    ],
    oneTime: [
      {
        item: "1",
        itemName: "Mobile Line",
        price: "Connection fee",
        period: null,
        currency: "EUR",
        runs: [{ from: 1, to: 1, amounts: { dutyFree: "40.00", taxIncluded: "47.60" } }],
      },
    ],
    currencies: quote().currencies,
    changes: [],
    reference: null,
    hasErrors: false,
    ...extra,
  };
}

export function editorState(d: Partial<DraftView> = {}, q: Partial<QuoteView> = {}): EditorState {
  return { draft: draft(d), quote: quote(q) };
}

/** The backend's answer when a draft is opened (`seq`: the answer's sequence number). */
export function opened(state: EditorState, seq = 1): EditorOpened {
  return { seq, state };
}

/** The backend's answer to a change, sent whole. */
export function whole(state: EditorState, seq = 2): EditorAnswer {
  return { kind: "whole", seq, state };
}

/** A sync status: online, nothing waiting. */
export function syncStatus(extra: Partial<SyncStatusView> = {}): SyncStatusView {
  return {
    online: true,
    queued: 0,
    inFlight: 0,
    needsAttention: 0,
    running: false,
    lastRunAt: null,
    lastError: null,
    changes: 0,
    ...extra,
  };
}
