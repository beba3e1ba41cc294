import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import OrderDetailView from "./OrderDetailView.svelte";
import SyncView from "./SyncView.svelte";
import SyncIndicator from "../components/SyncIndicator.svelte";
import StateTimeline from "../orders/StateTimeline.svelte";
import { SyncStore, connectionText } from "../stores/sync.svelte";
import { timelinePoints, stateLabel } from "../util/timeline";
import type { OrderDetailView as Detail, OutboxEntryView, TimelineStep } from "../backend/ipc";
import { syncStatus } from "../../test/fixtures";

afterEach(() => {
  cleanup();
  clearMocks();
});

const status = syncStatus();

const timeline: TimelineStep[] = [
  { state: null, stateText: "submitted", kind: "submitted", tone: "neutral", at: "2026-11-23T10:00:00+00:00", actor: "app" },
  { state: "acknowledged", stateText: "acknowledged", kind: "state", tone: "neutral", at: "2026-11-23T10:00:01+00:00", actor: "app" },
  { state: "inProgress", stateText: "inProgress", kind: "state", tone: "neutral", at: "2026-11-24T09:00:00+00:00", actor: "app" },
];

const detail: Detail = {
  id: "3",
  serverId: "PO-77",
  clientOrderId: "od-123",
  profile: "demo",
  state: "inProgress",
  stateText: "inProgress",
  tmfVersion: "v4",
  customer: "Ada Berg",
  total: "20",
  currency: "EUR",
  draftId: "d1",
  lastSeen: "2026-11-24T09:00:00+00:00",
  timeline,
  items: [
    { id: "1", name: "TMF25", offeringId: "20125", action: "add", state: "inProgress", stateText: "inProgress", depth: 0 },
    { id: "2", name: "Mobile Line", offeringId: "14305", action: "add", state: "inProgress", stateText: "inProgress", depth: 1 },
  ],
  payload: '{\n  "id": "PO-77"\n}',
  cancellation: null,
  canCancel: true,
  canAmend: false,
  cancelReasons: [
    { code: "duplicate", label: "Duplicate order", maxPercentage: null, maxAmount: null, currency: null },
    { code: "other", label: "Other", maxPercentage: null, maxAmount: null, currency: null },
  ],
};

describe("timeline helpers", () => {
  it("places one point per step and shows a day only when it changes", () => {
    const points = timelinePoints(timeline, 100, 10);
    expect(points.map((p) => p.x)).toEqual([10, 110, 210]);
    // Local time (the tests run in Europe/Berlin), in the locale's way (en-US here).
    expect(points.map((p) => p.day)).toEqual(["11/23/2026", null, "11/24/2026"]);
    expect(points.map((p) => p.time)).toEqual(["11:00:00 AM", "11:00:01 AM", "10:00:00 AM"]);
    expect(points.at(-1)?.last).toBe(true);
    const withMarker = timelinePoints([...timeline, { state: null, stateText: "cancel-requested", kind: "cancel-requested", tone: "warn", at: "2026-11-24T09:05:00+00:00", actor: "app" }]);
    expect(withMarker.map((p) => p.last)).toEqual([false, false, true, false]);
    expect(stateLabel("inProgress")).toBe("In progress");
    expect(stateLabel("somethingNew")).toBe("somethingNew");
    expect(withMarker.map((p) => p.tone)).toEqual(["neutral", "neutral", "neutral", "warn"]);
  });

  it("draws the steps and lists them for screen readers", () => {
    render(StateTimeline, { steps: timeline });
    const items = screen.getAllByRole("listitem");
    expect(items.map((i) => i.getAttribute("data-state"))).toEqual(["submitted", "acknowledged", "inProgress"]);
    expect(items.at(-1)?.textContent).toContain("(current)");
    expect(document.querySelectorAll("svg circle")).toHaveLength(3);
  });
});

describe("SyncStore and SyncIndicator", () => {
  it("reads the status once, then follows the backend's events", async () => {
    const calls: string[] = [];
    mockIPC(
      (cmd) => {
        calls.push(cmd);
        if (cmd === "sync_status") return status;
        throw new Error(cmd);
      },
      { shouldMockEvents: true },
    );
    const store = new SyncStore();
    const stop = await store.start();
    expect(store.status?.online).toBe(true);
    const before = store.changes;
    await emit("sync-status-changed", { ...status, queued: 2 });
    await waitFor(() => expect(store.status?.queued).toBe(2));
    expect(store.changes).toBe(before + 1);
    await emit("sync-status-changed", { ...status, queued: 2, running: true });
    await waitFor(() => expect(store.status?.running).toBe(true));
    expect(store.changes).toBe(before + 1);
    await emit("sync-status-changed", { ...status, queued: 2, changes: 5 });
    await waitFor(() => expect(store.changes).toBe(before + 2));
    expect(calls.filter((c) => c === "sync_status")).toHaveLength(1);
    stop();
    expect(connectionText(null)).toBe("Not synced yet");
    expect(connectionText({ ...status, online: false })).toBe("Offline");
  });

  it("shows the server, the connection and the outbox counts, and opens the sync screen", async () => {
    const onOpen = vi.fn();
    render(SyncIndicator, {
      server: "Demo server",
      status: { ...status, online: false, queued: 3, inFlight: 1, needsAttention: 2 },
      onOpen,
    });
    const conn = screen.getByRole("status");
    expect(conn.textContent).toContain("Demo server");
    expect(conn.textContent).toContain("Offline");
    expect(conn.getAttribute("data-state")).toBe("offline");
    const button = screen.getByRole("button", { name: "Sync: 3 queued, 1 sending, 2 need attention" });
    await fireEvent.click(button);
    expect(onOpen).toHaveBeenCalled();
  });

  it("says so when no server is set up", () => {
    render(SyncIndicator, { server: null, status: null, onOpen: vi.fn() });
    expect(screen.getByRole("status").textContent).toContain("No server");
    expect(screen.getByRole("button", { name: "Sync: nothing waiting" })).toBeTruthy();
  });
});

describe("OrderDetailView", () => {
  it("shows the timeline, items, ids and payload, and cancels with a reason after a confirmation", async () => {
    const cancels: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "order_detail") return detail;
      if (cmd === "cancel_order") {
        const a = args as { reason: string | null; note: string; requestedDate: string | null };
        cancels.push(a);
        if (a.requestedDate === "2026-01-01") throw { code: "service.invalid_input", message: "the requested date is in the past" };
        return {
          ...detail,
          canCancel: false,
          cancellation: {
            entryId: "9",
            reason: `Duplicate order: ${a.note}`,
            requestedDate: a.requestedDate,
            outboxStatus: "queued",
            serverState: null,
            message: null,
            refused: false,
            requestedAt: "2026-11-24T09:01:00+00:00",
          },
        };
      }
      throw new Error(cmd);
    });
    render(OrderDetailView, { id: "3", onBack: vi.fn() });
    expect(await screen.findByText("PO-77")).toBeTruthy();
    expect(screen.getByText("od-123")).toBeTruthy();
    expect(screen.getByTestId("detail-state").textContent).toBe("In progress");
    expect(screen.getByText("Mobile Line")).toBeTruthy();
    expect((screen.getByLabelText("Server payload") as HTMLTextAreaElement).value).toContain("PO-77");
    expect(screen.getAllByRole("listitem")).toHaveLength(3);

    // No reason chosen: said at the field, nothing is asked.
    await fireEvent.click(screen.getByRole("button", { name: "Cancel order" }));
    const reason = screen.getByLabelText(/Reason/);
    await vi.waitFor(() => expect(reason.getAttribute("aria-invalid")).toBe("true"));
    expect(cancels).toHaveLength(0);

    await fireEvent.change(reason, { target: { value: "duplicate" } });
    await fireEvent.input(screen.getByLabelText(/Note/), { target: { value: "entered twice" } });
    await fireEvent.change(screen.getByLabelText(/Requested date/), { target: { value: "12/01/2026" } });
    await fireEvent.click(screen.getByRole("button", { name: "Cancel order" }));
    // A confirmation first; keeping the order asks nothing.
    expect(screen.getByRole("dialog").textContent).toContain("Duplicate order");
    await fireEvent.click(screen.getByRole("button", { name: "Keep the order" }));
    expect(cancels).toHaveLength(0);
    await fireEvent.click(screen.getByRole("button", { name: "Cancel order" }));
    await fireEvent.click(screen.getByRole("button", { name: "Ask to cancel" }));
    expect(await screen.findByText("Waiting to be sent")).toBeTruthy();
    expect(cancels.at(-1)).toMatchObject({ id: "3", reason: "duplicate", note: "entered twice", requestedDate: "2026-12-01" });
    expect(screen.queryByRole("button", { name: "Cancel order" })).toBeNull();
  });

  it("offers no cancel where the backend says the state does not allow it, and shows the last refusal", async () => {
    mockIPC((cmd) => {
      if (cmd === "order_detail")
        return {
          ...detail,
          state: "completed",
          stateText: "completed",
          canCancel: false,
          cancellation: {
            entryId: "4",
            reason: "too late",
            requestedDate: null,
            outboxStatus: "needs-attention",
            serverState: "terminatedWithError",
            message: "the order is completed and can no longer be cancelled",
            refused: true,
            requestedAt: "2026-11-24T09:01:00+00:00",
          },
        };
      throw new Error(cmd);
    });
    render(OrderDetailView, { id: "3", onBack: vi.fn() });
    const refusal = await screen.findByTestId("cancel-refusal");
    expect(refusal.textContent).toContain("can no longer be cancelled");
    expect(screen.getByTestId("cancellation-state").textContent).toContain("Terminated with error");
    expect(screen.queryByRole("button", { name: "Cancel order" })).toBeNull();
  });

  it("takes the reason in words when the profile lists none, and keeps it on a refusal", async () => {
    mockIPC((cmd) => {
      if (cmd === "order_detail") return { ...detail, cancelReasons: [] };
      if (cmd === "cancel_order") throw { code: "sync.refused", message: "order 3 is completed and can no longer be cancelled" };
      throw new Error(cmd);
    });
    render(OrderDetailView, { id: "3", onBack: vi.fn() });
    await screen.findByText("PO-77");
    await fireEvent.input(screen.getByLabelText(/Reason/), { target: { value: "again" } });
    await fireEvent.click(screen.getByRole("button", { name: "Cancel order" }));
    await fireEvent.click(screen.getByRole("button", { name: "Ask to cancel" }));
    expect((await screen.findByTestId("cancel-error")).textContent).toContain("completed");
    expect((screen.getByLabelText(/Reason/) as HTMLInputElement).value).toBe("again");
  });

  it("amends an order the server still works on, with problems at their fields", async () => {
    const checked: unknown[] = [];
    const amended: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "order_detail") return { ...detail, state: "acknowledged", stateText: "acknowledged", canAmend: true };
      if (cmd === "check_amendment") {
        checked.push((args as { input: unknown }).input);
        return checked.length === 1
          ? [{ severity: "error", code: "service.invalid_input", path: "", message: "the requested start date \"soon\" is not a date", item: null, field: "requestedStart" }]
          : [];
      }
      if (cmd === "amend_order") {
        amended.push((args as { input: unknown }).input);
        return {
          ...detail,
          state: "acknowledged",
          stateText: "acknowledged",
          canAmend: true,
          timeline: [...timeline, { state: null, stateText: "amend-requested", kind: "amend-requested", tone: "neutral", at: "2026-11-24T09:05:00+00:00", actor: "app" }],
        };
      }
      throw new Error(cmd);
    });
    render(OrderDetailView, { id: "3", onBack: vi.fn() });
    await fireEvent.click(await screen.findByRole("button", { name: "Amend" }));
    await fireEvent.input(screen.getByLabelText("Note to add"), { target: { value: "later start" } });
    await fireEvent.click(screen.getByRole("button", { name: "Change a quantity" }));
    await fireEvent.input(screen.getByLabelText("Quantity"), { target: { value: "3" } });
    await fireEvent.click(screen.getByRole("button", { name: "Send amendment" }));
    const start = screen.getByLabelText("Requested start");
    await waitFor(() => expect(start.getAttribute("aria-invalid")).toBe("true"));
    expect(document.getElementById(start.getAttribute("aria-describedby") ?? "")?.textContent).toContain("is not a date");
    expect(amended).toEqual([]);
    await fireEvent.click(screen.getByRole("button", { name: "Send amendment" }));
    expect(await screen.findByText("Amendment queued for demo.")).toBeTruthy();
    expect(amended).toEqual([
      { note: "later start", requestedStart: null, requestedCompletion: null, characteristics: [], quantities: [{ item: "1", quantity: 3 }] },
    ]);
    expect(screen.queryByTestId("amend-form")).toBeNull();
    expect(screen.getAllByRole("listitem").map((i) => i.getAttribute("data-state"))).toContain("amend-requested");
  });

  it("offers no amendment where the server would refuse it", async () => {
    mockIPC((cmd) => {
      if (cmd === "order_detail") return { ...detail, state: "completed", stateText: "completed", canAmend: false };
      throw new Error(cmd);
    });
    render(OrderDetailView, { id: "3", onBack: vi.fn() });
    await screen.findByTestId("detail-state");
    expect(screen.queryByRole("button", { name: "Amend" })).toBeNull();
  });

  it("shows a state TMF622 does not define as the server wrote it", async () => {
    mockIPC((cmd) => {
      if (cmd === "order_detail") return { ...detail, state: null, stateText: "awaitingCourier" };
      throw new Error(cmd);
    });
    render(OrderDetailView, { id: "3", onBack: vi.fn() });
    await waitFor(() => expect(screen.getByTestId("detail-state").textContent).toBe("awaitingCourier"));
  });

  it("reloads when the sync status says something changed", async () => {
    let calls = 0;
    mockIPC((cmd) => {
      if (cmd === "order_detail") {
        calls += 1;
        return calls === 1 ? detail : { ...detail, state: "completed", stateText: "completed" };
      }
      throw new Error(cmd);
    });
    const view = render(OrderDetailView, { id: "3", onBack: vi.fn(), refreshKey: 0 });
    await screen.findByText("PO-77");
    await view.rerender({ id: "3", onBack: vi.fn(), refreshKey: 1 });
    await waitFor(() => expect(screen.getByTestId("detail-state").textContent).toBe("Completed"));
  });
});

const entry: OutboxEntryView = {
  id: "5",
  kind: "create",
  profile: "demo",
  draftId: "d1",
  orderId: null,
  label: "Ada Berg",
  status: "needs-attention",
  attempts: 1,
  lastError: "the server refused it: bad value [field: /productOrderItem/0/quantity]",
  nextAttemptAt: "2026-11-24T09:00:00+00:00",
  field: "/productOrderItem/0/quantity",
  canFix: true,
  dropNeedsForce: false,
  conflict: [],
};

describe("SyncView", () => {
  it("lists the outbox and retries, fixes and drops with confirmation", async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === "outbox")
        return [
          entry,
          { ...entry, id: "6", kind: "cancel", status: "queued", attempts: 2, canFix: false, dropNeedsForce: true, field: null, lastError: "not sent: unreachable" },
        ];
      if (cmd === "retry_entry" || cmd === "drop_entry") return null;
      if (cmd === "fix_entry") return { draftId: "d1", item: "1", field: "quantity", message: entry.lastError };
      throw new Error(cmd);
    });
    const onFix = vi.fn();
    render(SyncView, { onFix });
    expect(await screen.findByText("/productOrderItem/0/quantity")).toBeTruthy();
    expect(screen.getByText("Needs attention", { selector: ".badge" })).toBeTruthy();
    const retries = screen.getAllByRole("button", { name: "Retry" });
    await fireEvent.click(retries[0]!);
    await waitFor(() => expect(calls.some(([c, a]) => c === "retry_entry" && (a as { id: string }).id === "5")).toBe(true));

    await fireEvent.click(screen.getByRole("button", { name: "Fix" }));
    await waitFor(() => expect(onFix).toHaveBeenCalledWith(expect.objectContaining({ draftId: "d1", field: "quantity" })));

    // An entry sent before needs "drop anyway".
    const drops = screen.getAllByRole("button", { name: "Drop…" });
    await fireEvent.click(drops[1]!);
    expect(await screen.findByText(/may already exist on the server/)).toBeTruthy();
    await fireEvent.click(screen.getByText("Keep it"));
    expect(calls.some(([c]) => c === "drop_entry")).toBe(false);
    await fireEvent.click(screen.getAllByRole("button", { name: "Drop…" })[1]!);
    await fireEvent.click(await screen.findByText("Drop anyway"));
    await waitFor(() => expect(calls.find(([c]) => c === "drop_entry")?.[1]).toMatchObject({ id: "6", force: true }));
  });

  it("shows a refused action next to its entry", async () => {
    mockIPC((cmd) => {
      if (cmd === "outbox") return [{ ...entry, status: "queued", canFix: false }];
      if (cmd === "drop_entry") throw { code: "sync.refused", message: "outbox entry 5 is being sent right now" };
      throw new Error(cmd);
    });
    render(SyncView, { onFix: vi.fn() });
    await fireEvent.click(await screen.findByRole("button", { name: "Drop…" }));
    await fireEvent.click(await screen.findByText("Drop"));
    expect((await screen.findByRole("alert")).textContent).toContain("being sent right now");
  });

  it("lists conflicts with both values and settles them", async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === "outbox")
        return [
          {
            ...entry,
            id: "8",
            kind: "patch",
            canFix: false,
            field: null,
            lastError: "conflict: description changed on the server",
            conflict: [{ member: "description", base: '"a"', mine: '"mine"', remote: '"theirs"' }],
          },
        ];
      if (cmd === "resolve_conflict") return null;
      throw new Error(cmd);
    });
    render(SyncView, { onFix: vi.fn() });
    expect(await screen.findByText('"theirs"')).toBeTruthy();
    expect(screen.getByText('"mine"')).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Retry" })).toBeNull();
    await fireEvent.click(screen.getByRole("button", { name: "Keep the server's values" }));
    await waitFor(() => expect(calls.find(([c]) => c === "resolve_conflict")?.[1]).toMatchObject({ id: "8", choice: "keepServer" }));
  });
});

describe("OrdersView open targets", () => {
  it("opens drafts in the editor and orders in their detail, from a focusable button", async () => {
    const { default: OrdersView } = await import("./OrdersView.svelte");
    const base = { total: null, currency: null, itemCount: 1, revision: 0, updatedAt: "2026-11-23T10:00:00+00:00" };
    mockIPC((cmd) => {
      if (cmd === "list_orders")
        return {
          rows: [
            { ...base, kind: "draft", id: "d1", customer: "Ada", state: "draft", stateText: "draft", sync: "draft" },
            { ...base, kind: "order", id: "7", customer: "Bob", state: "completed", stateText: "completed", sync: "submitted" },
          ],
          total: 2,
          offset: 0,
        };
      throw new Error(cmd);
    });
    const onOpen = vi.fn();
    const onOpenOrder = vi.fn();
    render(OrdersView, { onOpen, onOpenOrder, onNew: vi.fn() });
    const bob = await screen.findByRole("button", { name: "Bob" });
    bob.focus();
    expect(document.activeElement).toBe(bob);
    await fireEvent.click(bob);
    expect(onOpenOrder).toHaveBeenCalledWith("7");
    expect(onOpen).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByRole("button", { name: "Ada" }));
    expect(onOpen).toHaveBeenCalledWith("d1");
    expect(screen.getAllByTestId("open-row")).toHaveLength(2);
  });
});
