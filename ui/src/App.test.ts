import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import App from "./App.svelte";
import { editorState, item, opened } from "./test/fixtures";
import { applyLook } from "./lib/stores/settings.svelte";

afterEach(() => {
  cleanup();
  clearMocks();
});

const firstStart = {
  dataDir: "/tmp/od",
  firstStart: true,
  demo: null,
  catalogVersion: null,
  offeringCount: 0,
  profiles: [],
};

const profile = (name: string, extra: { active?: boolean; demo?: boolean } = {}) => ({
  name,
  baseUrl: `http://127.0.0.1:4321/${name}/`,
  catalogUrl: null,
  customerUrl: null,
  inventoryUrl: null,
  tmfVersion: "v4",
  authMode: "none",
  tokenUrl: null,
  clientId: null,
  scope: null,
  secret: "not-needed",
  secretEnv: `ORDERDESK_SECRET_${name.toUpperCase()}`,
  secretOrigins: [],
  active: false,
  demo: false,
  policy: { json: "{}", discountReasons: [], cancelReasons: [] },
  ...extra,
});

describe("App", () => {
  it("offers the demo server on first start and starts it", async () => {
    const calls: string[] = [];
    let started = false;
    mockIPC((cmd) => {
      calls.push(cmd);
      if (cmd === "app_status")
        return started
          ? {
              ...firstStart,
              firstStart: false,
              demo: { baseUrl: "http://127.0.0.1:4321", catalogVersion: "1", offerings: 46 },
              profiles: [profile("demo", { active: true, demo: true })],
            }
          : firstStart;
      if (cmd === "start_demo") {
        started = true;
        return { baseUrl: "http://127.0.0.1:4321", catalogVersion: "1", offerings: 46 };
      }
      if (cmd === "list_orders") return { rows: [], total: 0, offset: 0 };
      throw new Error(`unexpected command ${cmd}`);
    });
    render(App);
    const button = await screen.findByRole("button", { name: "Use the demo server" });
    await fireEvent.click(button);
    expect(await screen.findByText(/Demo server started/)).toBeTruthy();
    expect(calls).toContain("start_demo");
    expect(await screen.findByText("Demo server", { selector: ".conn .server" })).toBeTruthy();
  });

  it("names the active profile in the header, not the first one", async () => {
    mockIPC((cmd) => {
      if (cmd === "app_status")
        return {
          ...firstStart,
          firstStart: false,
          demo: { baseUrl: "http://127.0.0.1:4321", catalogVersion: "1", offerings: 46 },
          profiles: [profile("demo", { demo: true }), profile("lab", { active: true })],
        };
      if (cmd === "list_orders") return { rows: [], total: 0, offset: 0 };
      if (cmd === "sync_status") return null;
      throw new Error(`unexpected command ${cmd}`);
    });
    render(App);
    expect(await screen.findByText("lab", { selector: ".conn .server" })).toBeTruthy();
  });

  it("follows the demo server that comes up again after the first screen", async () => {
    let up = false;
    mockIPC((cmd) => {
      if (cmd === "app_status")
        return {
          ...firstStart,
          firstStart: false,
          demo: up ? { baseUrl: "http://127.0.0.1:4321", catalogVersion: "1", offerings: 46 } : null,
          profiles: [profile("demo", { active: true, demo: true })],
        };
      if (cmd === "list_orders") return { rows: [], total: 0, offset: 0 };
      if (cmd === "sync_status") return null;
      throw new Error(`unexpected command ${cmd}`);
    }, { shouldMockEvents: true });
    render(App);
    await screen.findByRole("heading", { name: "Orders" });
    const paletteOffers = async () => {
      await fireEvent.keyDown(window, { key: "k", ctrlKey: true });
      const input = await screen.findByRole("combobox", { name: "Command" });
      await fireEvent.input(input, { target: { value: "demo server" } });
      const offered = screen.queryByRole("option", { name: /Use the demo server/ }) !== null;
      await fireEvent.keyDown(input, { key: "Escape" });
      return offered;
    };
    expect(await paletteOffers()).toBe(true);
    up = true;
    await emit("app-status-changed", null);
    await vi.waitFor(async () => expect(await paletteOffers()).toBe(false));
  });

  it("paints the first screen with the status the shell handed over, then asks again", async () => {
    const calls: string[] = [];
    (globalThis as { __ORDERDESK_STATUS__?: unknown }).__ORDERDESK_STATUS__ = {
      ...firstStart,
      firstStart: false,
      profiles: [profile("lab", { active: true })],
    };
    let answer: (value: unknown) => void = () => {};
    mockIPC((cmd) => {
      calls.push(cmd);
      // The backend's own answer names another server, and only arrives when released.
      if (cmd === "app_status")
        return new Promise((resolve) => (answer = resolve)).then(() => ({
          ...firstStart,
          firstStart: false,
          profiles: [profile("field", { active: true })],
        }));
      if (cmd === "list_orders") return { rows: [], total: 0, offset: 0 };
      if (cmd === "sync_status") return null;
      throw new Error(`unexpected command ${cmd}`);
    });
    render(App);
    expect(await screen.findByText("lab", { selector: ".conn .server" })).toBeTruthy();
    expect((globalThis as { __ORDERDESK_STATUS__?: unknown }).__ORDERDESK_STATUS__).toBeUndefined();
    await vi.waitFor(() => expect(calls).toContain("app_status"));
    answer(null);
    expect(await screen.findByText("field", { selector: ".conn .server" })).toBeTruthy();
  });

  it("shows the backend's error when the services could not start", async () => {
    mockIPC(() => {
      throw { code: "store.too_new", message: "written by a newer Orderdesk" };
    });
    render(App);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("newer Orderdesk");
  });

  it("opens the command palette with Ctrl+K and runs a command", async () => {
    mockIPC((cmd) => {
      if (cmd === "app_status") return { ...firstStart, firstStart: false };
      if (cmd === "list_orders") return { rows: [], total: 0, offset: 0 };
      if (cmd === "catalog_categories") return [];
      if (cmd === "search_offerings") return [];
      throw new Error(`unexpected command ${cmd}`);
    });
    render(App);
    await screen.findByRole("heading", { name: "Orders" });
    await fireEvent.keyDown(window, { key: "k", ctrlKey: true });
    const input = await screen.findByRole("combobox", { name: "Command" });
    await fireEvent.input(input, { target: { value: "catalog" } });
    await fireEvent.keyDown(input, { key: "Enter" });
    // The catalog screen is in the lazily loaded chunk; its first load under Vitest is slow.
    expect(await screen.findByRole("heading", { name: "Catalog" }, { timeout: 10_000 })).toBeTruthy();
  });

  it("moves focus to the new screen's heading, and the palette gives focus back", async () => {
    mockIPC((cmd) => {
      if (cmd === "app_status") return { ...firstStart, firstStart: false };
      if (cmd === "list_orders") return { rows: [], total: 0, offset: 0 };
      if (cmd === "outbox") return [];
      if (cmd === "sync_status") return null;
      throw new Error(`unexpected command ${cmd}`);
    });
    render(App);
    const orders = await screen.findByRole("heading", { name: "Orders" });
    await fireEvent.click(screen.getByRole("button", { name: "Sync" }));
    const sync = await screen.findByRole("heading", { name: "Sync" }, { timeout: 10_000 });
    await vi.waitFor(() => expect(document.activeElement).toBe(sync));
    expect(orders.isConnected).toBe(false);

    await fireEvent.keyDown(window, { key: "k", ctrlKey: true });
    const input = await screen.findByRole("combobox", { name: "Command" });
    await vi.waitFor(() => expect(document.activeElement).toBe(input));
    await fireEvent.keyDown(input, { key: "Escape" });
    await vi.waitFor(() => expect(screen.queryByRole("combobox", { name: "Command" })).toBeNull());
    expect(document.activeElement).toBe(sync);
  });

  it("paints in the locale and theme the shell's status carries", async () => {
    (globalThis as { __ORDERDESK_STATUS__?: unknown }).__ORDERDESK_STATUS__ = {
      ...firstStart,
      firstStart: false,
      settings: { rounding: "halfUp", defaultVersion: "v4", locale: "de-DE", theme: "dark", shopName: "" },
    };
    mockIPC((cmd) => {
      if (cmd === "app_status") return { ...firstStart, firstStart: false };
      if (cmd === "list_orders") return { rows: [], total: 0, offset: 0 };
      if (cmd === "sync_status") return null;
      throw new Error(`unexpected command ${cmd}`);
    });
    try {
      render(App);
      expect(await screen.findByRole("heading", { name: "Aufträge" })).toBeTruthy();
      expect(document.documentElement.dataset.theme).toBe("dark");
      expect(document.documentElement.lang).toBe("de-DE");
    } finally {
      applyLook(null);
    }
  });

  it("opens an order's detail from the list and fixes a refused order from the Sync screen", async () => {
    const calls: [string, unknown][] = [];
    const base = { total: null, currency: null, itemCount: 1, revision: 0, updatedAt: "2026-11-23T10:00:00+00:00" };
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === "app_status") return { ...firstStart, firstStart: false };
      if (cmd === "sync_status")
        return { online: true, queued: 0, inFlight: 0, needsAttention: 1, running: false, lastRunAt: null, lastError: null, changes: 0 };
      if (cmd === "list_orders")
        return { rows: [{ ...base, kind: "order", id: "7", customer: "Bob", state: "completed", stateText: "completed", sync: "submitted" }], total: 1, offset: 0 };
      if (cmd === "order_detail")
        return {
          id: "7", serverId: "PO-7", clientOrderId: null, profile: "demo", state: "completed", stateText: "completed", tmfVersion: "v4",
          customer: "Bob", total: null, currency: null, draftId: null, lastSeen: "2026-11-23T10:00:00+00:00",
          timeline: [], items: [], payload: "{}", cancellation: null, canCancel: true, cancelReasons: [],
        };
      if (cmd === "outbox")
        return [{
          id: "5", kind: "create", profile: "demo", draftId: "d1", orderId: null, label: "Ada", status: "needs-attention",
          attempts: 1, lastError: "the server refused it: x", nextAttemptAt: "2026-11-23T10:00:00+00:00", field: null,
          canFix: true, dropNeedsForce: false, conflict: [],
        }];
      if (cmd === "fix_entry") return { draftId: "d1", item: "1", field: null, message: "x" };
      if (cmd === "open_draft") return opened(editorState({ id: "d1", items: [item("1")] }));
      if (cmd === "catalog_categories" || cmd === "search_offerings") return [];
      if (cmd === "draft_history") return [];
      throw new Error(`unexpected command ${cmd}`);
    }, { shouldMockEvents: true });
    render(App);
    expect(await screen.findByRole("button", { name: "Sync: 1 needs attention" })).toBeTruthy();
    await fireEvent.click(await screen.findByRole("button", { name: "Bob" }));
    expect(await screen.findByText("PO-7")).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Sync: 1 needs attention" }));
    await fireEvent.click(await screen.findByRole("button", { name: "Fix" }));
    await vi.waitFor(() => expect(calls.some(([c, a]) => c === "open_draft" && (a as { id: string }).id === "d1")).toBe(true));
    expect(calls.some(([c]) => c === "fix_entry")).toBe(true);
  });
});
