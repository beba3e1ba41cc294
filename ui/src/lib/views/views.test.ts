import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import OrdersView from "./OrdersView.svelte";
import SettingsView from "./SettingsView.svelte";
import CatalogView from "./CatalogView.svelte";
import CommandPalette from "../components/CommandPalette.svelte";
import ExportDialog from "../editor/ExportDialog.svelte";
import Welcome from "./Welcome.svelte";
import EditorView from "./EditorView.svelte";
import { EditorStore } from "../stores/editor.svelte";
import { SettingsStore } from "../stores/settings.svelte";
import { applyLocale } from "../i18n/locale.svelte";
import { draftSummary, editorState, finding, opened } from "../../test/fixtures";
import type { Settings } from "../backend/ipc";

afterEach(() => {
  cleanup();
  clearMocks();
});

const row = {
  kind: "draft",
  id: "abcdef123456",
  customer: "Ada Lovelace",
  total: "1234.5",
  currency: "EUR",
  itemCount: 4,
  state: "draft",
  stateText: "draft",
  sync: "draft",
  revision: 2,
  updatedAt: "2026-11-23T10:00:00+00:00",
};

describe("OrdersView", () => {
  it("lists, searches and opens drafts", async () => {
    const queries: { text: string; sort: string }[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "list_orders") {
        const q = (args as { query: { text: string; sort: string } }).query;
        queries.push(q);
        const rows = q.text === "zzz" ? [] : [row, { ...row, kind: "order", id: "7", state: "completed", stateText: "completed", sync: "submitted", customer: "Bob" }];
        return { rows, total: rows.length, offset: 0 };
      }
      throw new Error(cmd);
    });
    const onOpen = vi.fn();
    render(OrdersView, { onOpen, onNew: vi.fn() });
    expect(await screen.findByText("Ada Lovelace")).toBeTruthy();
    expect(screen.getAllByText("€1,234.50")).toHaveLength(2);
    expect(screen.getByText("Submitted", { selector: ".badge" })).toBeTruthy();
    await fireEvent.click(screen.getByText("Ada Lovelace"));
    expect(onOpen).toHaveBeenCalledWith("abcdef123456");
    await fireEvent.change(screen.getByLabelText("Sort"), { target: { value: "customerAsc" } });
    await vi.waitFor(() => expect(queries.at(-1)?.sort).toBe("customerAsc"));
    await fireEvent.input(screen.getByLabelText("Search orders"), { target: { value: "zzz" } });
    expect(await screen.findByText("Nothing matches.")).toBeTruthy();
  });
});

describe("OrdersView pages", () => {
  it("shows the total, turns pages with the page keys and keeps the selection and sort", async () => {
    const TOTAL = 250;
    const queries: { offset: number; limit: number | null; sort: string }[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "list_orders") {
        const q = (args as { query: { offset: number; limit: number | null; sort: string } }).query;
        queries.push(q);
        const size = Math.max(0, Math.min(q.limit ?? 100, TOTAL - q.offset));
        const rows = Array.from({ length: size }, (_, n) => ({
          ...row,
          id: `d${q.offset + n}`,
          customer: `Customer ${q.offset + n}`,
        }));
        return { rows, total: TOTAL, offset: q.offset };
      }
      throw new Error(cmd);
    });
    render(OrdersView, { onOpen: vi.fn(), onNew: vi.fn() });
    const range = () => screen.getByTestId("orders-range").textContent?.trim();
    await screen.findByText("Customer 0");
    await vi.waitFor(() => expect(range()).toBe("1–100 of 250"));
    // Never more rows than a page.
    expect(screen.getAllByTestId("open-row")).toHaveLength(100);
    expect(queries.at(-1)?.limit).toBe(100);

    await fireEvent.change(screen.getByLabelText("Sort"), { target: { value: "totalDesc" } });
    await vi.waitFor(() => expect(queries.at(-1)?.sort).toBe("totalDesc"));
    // Opening a row selects it.
    const fifth = await screen.findByRole("button", { name: "Customer 4" });
    await fireEvent.click(fifth);
    fifth.focus();
    await fireEvent.keyDown(fifth, { key: "PageDown" });
    await screen.findByText("Customer 100");
    expect(queries.at(-1)).toMatchObject({ offset: 100, sort: "totalDesc" });
    await vi.waitFor(() => expect(range()).toBe("101–200 of 250"));
    await vi.waitFor(() => expect(document.activeElement?.textContent).toBe("Customer 100"));

    await fireEvent.keyDown(document.activeElement as Element, { key: "End" });
    await screen.findByText("Customer 249");
    await vi.waitFor(() => expect(range()).toBe("201–250 of 250"));
    expect(screen.getAllByTestId("open-row")).toHaveLength(50);
    await vi.waitFor(() => expect(document.activeElement?.textContent).toBe("Customer 249"));
    // Past the last page nothing is asked.
    const asked = queries.length;
    await fireEvent.keyDown(document.activeElement as Element, { key: "PageDown" });
    expect(queries.length).toBe(asked);

    await fireEvent.keyDown(document.activeElement as Element, { key: "Home" });
    const back = await screen.findByRole("button", { name: "Customer 4" });
    expect(queries.at(-1)).toMatchObject({ offset: 0, sort: "totalDesc" });
    // The row opened before the page turns is still the selected one.
    expect(back.closest("tr")?.getAttribute("aria-current")).toBe("true");
    expect(screen.getAllByRole("row").filter((r) => r.getAttribute("aria-current"))).toHaveLength(1);

    // Another search starts at the first page.
    await fireEvent.click(screen.getByRole("button", { name: "Next page" }));
    await screen.findByText("Customer 100");
    await fireEvent.input(screen.getByLabelText("Search orders"), { target: { value: "cust" } });
    await vi.waitFor(() => expect(queries.at(-1)).toMatchObject({ offset: 0 }));
  });
});

describe("SettingsView", () => {
  it("saves rounding and imports pasted orders", async () => {
    const saved: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "list_profiles") return [];
      if (cmd === "get_settings") return { rounding: "halfUp", defaultVersion: "v4", locale: "", theme: "system", shopName: "" };
      if (cmd === "save_settings") {
        saved.push(args);
        return (args as { settings: unknown }).settings;
      }
      if (cmd === "import_order") return opened(editorState({ id: "imported-1", tmfVersion: "v5" }));
      throw new Error(cmd);
    });
    const onImported = vi.fn();
    render(SettingsView, { status: null, settings: new SettingsStore(), onImported, onStartDemo: vi.fn() });
    const rounding = await screen.findByLabelText(/Rounding/);
    await fireEvent.change(rounding, { target: { value: "halfEven" } });
    await vi.waitFor(() =>
      expect(saved).toEqual([{ settings: { rounding: "halfEven", defaultVersion: "v4", locale: "", theme: "system", shopName: "" } }]),
    );
    await fireEvent.input(screen.getByLabelText("JSON to import"), { target: { value: '{"productOrderItem":[]}' } });
    await fireEvent.click(screen.getByRole("button", { name: "Import pasted JSON" }));
    await vi.waitFor(() => expect(onImported).toHaveBeenCalledWith("imported-1"));
    expect(screen.getByRole("status").textContent).toContain("TMF622 v5");
  });

  it("switches the language, the formats and the theme at once, and keeps them in the backend", async () => {
    let stored: Settings = { rounding: "halfUp", defaultVersion: "v4", locale: "", theme: "system", shopName: "" };
    mockIPC((cmd, args) => {
      if (cmd === "list_profiles") return [];
      if (cmd === "get_settings") return stored;
      if (cmd === "save_settings") {
        stored = (args as { settings: typeof stored }).settings;
        return stored;
      }
      throw new Error(cmd);
    });
    try {
      render(SettingsView, {
        status: { dataDir: "/d", firstStart: false, demo: null, catalogVersion: "7", offeringCount: 1234, profiles: [], settings: stored },
        settings: new SettingsStore(),
        onImported: vi.fn(),
        onStartDemo: vi.fn(),
      });
      expect(await screen.findByText(/Catalog 7 \(1,234 offerings\)/)).toBeTruthy();
      await fireEvent.change(await screen.findByLabelText("Language and region"), { target: { value: "de-DE" } });
      // Every string on the screen is German now, numbers are written the German way.
      expect(await screen.findByRole("heading", { name: "Einstellungen" })).toBeTruthy();
      expect(screen.getByText(/Katalog 7 \(1\.234 Angebote\)/)).toBeTruthy();
      expect(document.documentElement.lang).toBe("de-DE");
      expect(stored.locale).toBe("de-DE");

      await fireEvent.change(screen.getByLabelText("Design"), { target: { value: "dark" } });
      await vi.waitFor(() => expect(document.documentElement.dataset.theme).toBe("dark"));
      await fireEvent.change(screen.getByLabelText("Design"), { target: { value: "system" } });
      await vi.waitFor(() => expect(document.documentElement.dataset.theme).toBeUndefined());
      expect(stored.theme).toBe("system");

      await fireEvent.change(screen.getByLabelText("Sprache und Region"), { target: { value: "" } });
      expect(await screen.findByRole("heading", { name: "Settings" })).toBeTruthy();
    } finally {
      applyLocale("");
    }
  });

  it("shows why an import was refused", async () => {
    mockIPC((cmd) => {
      if (cmd === "list_profiles") return [];
      if (cmd === "get_settings") return { rounding: "halfUp", defaultVersion: "v4", locale: "", theme: "system", shopName: "" };
      if (cmd === "import_order") throw { code: "input.not_json", message: "not JSON: expected value" };
      throw new Error(cmd);
    });
    render(SettingsView, { status: null, settings: new SettingsStore(), onImported: vi.fn(), onStartDemo: vi.fn() });
    await fireEvent.input(screen.getByLabelText("JSON to import"), { target: { value: "{oops" } });
    await fireEvent.click(screen.getByRole("button", { name: "Import pasted JSON" }));
    expect((await screen.findByRole("alert")).textContent).toContain("not JSON");
  });
});

describe("CatalogView", () => {
  it("browses by category and shows an offering", async () => {
    const asked: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "catalog_categories")
        return [
          { id: "cat-fibre", name: "Fibre", parent: null, offeringCount: 1 },
          { id: "cat-dev", name: "Devices", parent: null, offeringCount: 0 },
        ];
      if (cmd === "search_offerings") {
        asked.push(args);
        return [{ id: "20059", name: "Fibre Home", description: "Home internet", isBundle: true, lifecycleStatus: "Active", categories: ["cat-fibre"], priceTags: [] }];
      }
      if (cmd === "offering_detail")
        return {
          summary: { id: "20059", name: "Fibre Home", description: "Home internet", isBundle: true, lifecycleStatus: "Active", categories: [], priceTags: [] },
          prices: [{ id: "p1", name: "Monthly", priceType: "recurring", period: "month", amount: "39.99", currency: "EUR", percentage: null, duration: null }],
          bundle: [{ offeringId: "20019", name: "Fibre Access", lower: 1, upper: 1, count: 1 }],
          characteristics: [],
          reliesOn: [],
        };
      if (cmd === "offering_shortcuts") return { favourites: [], recent: [] };
      throw new Error(cmd);
    });
    render(CatalogView);
    await fireEvent.click(await screen.findByRole("button", { name: /Fibre 1/ }));
    await vi.waitFor(() => expect(asked).toContainEqual({ text: "", category: "cat-fibre", limit: 500 }));
    await fireEvent.click(await screen.findByRole("button", { name: /Fibre Home/ }));
    expect(await screen.findByText("€39.99")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Fibre Access" })).toBeTruthy();
  });
});

describe("CommandPalette", () => {
  it("filters commands and runs the highlighted one", async () => {
    const run = vi.fn();
    const onClose = vi.fn();
    render(CommandPalette, {
      commands: [
        { id: "a", label: "New draft", keys: "Ctrl+N", run: vi.fn() },
        { id: "b", label: "Go to catalog", run },
        { id: "c", label: "Undo", enabled: false, run: vi.fn() },
      ],
      onClose,
    });
    expect(screen.queryByText("Undo")).toBeNull();
    const input = screen.getByRole("combobox", { name: "Command" });
    await fireEvent.input(input, { target: { value: "cat" } });
    expect(screen.getAllByRole("option")).toHaveLength(1);
    await fireEvent.keyDown(input, { key: "Enter" });
    expect(run).toHaveBeenCalled();
    expect(onClose).toHaveBeenCalled();
  });
});


describe("ExportDialog", () => {
  it("exports in the chosen TMF622 version", async () => {
    mockIPC((cmd, args) => {
      if (cmd === "export_draft") {
        const a = args as { id: string; version: string };
        return `{"version": "${a.version}", "id": "${a.id}"}`;
      }
      throw new Error(cmd);
    });
    render(ExportDialog, { id: "d-1", onClose: vi.fn() });
    const text = screen.getByLabelText("Exported JSON") as HTMLTextAreaElement;
    await vi.waitFor(() => expect(text.value).toContain('"v4"'));
    await fireEvent.click(screen.getByLabelText("v5"));
    await vi.waitFor(() => expect(text.value).toContain('"v5"'));
  });
});

describe("ExportDialog save", () => {
  function backend(answer: () => string | null) {
    const saves: { id: string; version: string }[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "export_draft") return "{}";
      if (cmd === "save_export") {
        saves.push(args as { id: string; version: string });
        return answer();
      }
      throw new Error(cmd);
    });
    return saves;
  }

  it("saves the chosen version and says where", async () => {
    const saves = backend(() => "/home/agent/Downloads/order-d-1-v5.json");
    render(ExportDialog, { id: "d-1", onClose: vi.fn() });
    await fireEvent.click(screen.getByLabelText("v5"));
    const button = screen.getByRole("button", { name: "Save as file…", hidden: true }) as HTMLButtonElement;
    await vi.waitFor(() => expect(button.disabled).toBe(false));
    await fireEvent.click(button);
    await screen.findByText("/home/agent/Downloads/order-d-1-v5.json");
    expect(saves).toEqual([{ id: "d-1", version: "v5" }]);
  });

  it("says nothing when the agent cancels, and shows a failure", async () => {
    let answer: () => string | null = () => null;
    backend(() => answer());
    render(ExportDialog, { id: "d-1", onClose: vi.fn() });
    const button = screen.getByRole("button", { name: "Save as file…", hidden: true }) as HTMLButtonElement;
    await vi.waitFor(() => expect(button.disabled).toBe(false));
    await fireEvent.click(button);
    await vi.waitFor(() => expect(button.disabled).toBe(false));
    expect(screen.queryByText(/Saved to/)).toBeNull();
    expect(screen.queryByRole("alert", { hidden: true })).toBeNull();
    answer = () => {
      throw { code: "service.export_write", message: "cannot write /ro/order.json: Permission denied" };
    };
    await fireEvent.click(button);
    expect((await screen.findByRole("alert", { hidden: true })).textContent).toContain("Permission denied");
  });
});

describe("Welcome", () => {
  it("offers the demo server and can be dismissed", async () => {
    const onDemo = vi.fn();
    const onSkip = vi.fn();
    render(Welcome, { starting: false, onDemo, onSkip });
    await fireEvent.click(screen.getByRole("button", { name: "Use the demo server" }));
    await fireEvent.click(screen.getByRole("button", { name: "Not now" }));
    expect(onDemo).toHaveBeenCalledOnce();
    expect(onSkip).toHaveBeenCalledOnce();
  });
});


describe("EditorView submit", () => {
  function backendWith(
    state: ReturnType<typeof editorState>,
    submitted: string[],
    submission: { profile: string; sync: string; canWithdraw: boolean; order?: string; canAmend?: boolean } | null = null,
    withdrawn: string[] = [],
  ) {
    let live = submission;
    mockIPC((cmd, args) => {
      if (cmd === "open_draft") return opened(state);
      if (cmd === "draft_submission") return live;
      if (cmd === "withdraw_draft") {
        withdrawn.push((args as { id: string }).id);
        live = null;
        return { entry: "1", profile: "demo", revision: 1 };
      }
      if (cmd === "submit_draft") {
        submitted.push((args as { id: string }).id);
        live = { profile: "demo", sync: "queued", canWithdraw: true };
        return { profile: "demo", sync: "queued", sending: true };
      }
      if (cmd === "draft_summary") return draftSummary();
      if (cmd === "catalog_categories" || cmd === "search_offerings") return [];
      if (cmd === "offering_shortcuts") return { favourites: [], recent: [] };
      throw new Error(cmd);
    });
  }

  it("is blocked by errors and says why", async () => {
    const submitted: string[] = [];
    backendWith(editorState({}, { hasErrors: true, findings: [finding()] }), submitted);
    const editor = new EditorStore();
    await editor.open("d-1");
    render(EditorView, { editor, onClose: vi.fn() });
    await fireEvent.click(screen.getByRole("button", { name: "Submit" }));
    expect((await screen.findByText(/Submit is blocked: 1 error/)).className).toContain("error");
    expect(submitted).toEqual([]);
  });

  it("drops the blocked note once the errors are fixed", async () => {
    backendWith(editorState({}, { hasErrors: true, findings: [finding()] }), []);
    const editor = new EditorStore();
    await editor.open("d-1");
    render(EditorView, { editor, onClose: vi.fn() });
    await fireEvent.click(screen.getByRole("button", { name: "Submit" }));
    await screen.findByText(/Submit is blocked: 1 error/);
    editor.state = editorState();
    await waitFor(() => expect(screen.queryByText(/Submit is blocked/)).toBeNull());
  });

  it("reviews a valid draft, and Confirm queues it for the server", async () => {
    const submitted: string[] = [];
    backendWith(editorState(), submitted);
    const editor = new EditorStore();
    await editor.open("d-1");
    render(EditorView, { editor, onClose: vi.fn() });
    await fireEvent.click(screen.getByRole("button", { name: "Submit" }));
    const review = await screen.findByRole("dialog", { name: "Corner Shop — review the order" });
    // The review's total is the price panel's.
    expect(within(review).getByTestId("review-total-EUR").textContent).toBe(screen.getByTestId("total-EUR").textContent);
    expect(submitted).toEqual([]);
    await fireEvent.click(within(review).getByRole("button", { name: "Confirm and submit" }));
    expect(await screen.findByText(/Queued for demo/)).toBeTruthy();
    expect(submitted).toEqual(["d-1234567890"]);
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("shows a queued draft as read-only and withdraws it to edit", async () => {
    const withdrawn: string[] = [];
    backendWith(editorState(), [], { profile: "lab", sync: "queued", canWithdraw: true }, withdrawn);
    const editor = new EditorStore();
    await editor.open("d-1");
    render(EditorView, { editor, onClose: vi.fn() });
    expect(await screen.findByText(/Queued for lab — sent when online/)).toBeTruthy();
    // Locked: nothing can be typed, undone or submitted again.
    const customer = screen.getByRole("textbox", { name: "Customer name" }) as HTMLInputElement;
    expect(customer.matches(":disabled")).toBe(true);
    expect((screen.getByRole("button", { name: "Submit" }) as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.click(screen.getByRole("button", { name: "Withdraw and edit" }));
    await waitFor(() => expect(screen.queryByText(/Queued for lab — sent when online/)).toBeNull());
    expect(withdrawn).toEqual(["d-1234567890"]);
    expect(customer.matches(":disabled")).toBe(false);
    expect((screen.getByRole("button", { name: "Submit" }) as HTMLButtonElement).disabled).toBe(false);
  });

  it("offers no withdrawal once the draft is on the server", async () => {
    backendWith(editorState(), [], { profile: "lab", sync: "submitted", canWithdraw: false });
    const editor = new EditorStore();
    await editor.open("d-1");
    render(EditorView, { editor, onClose: vi.fn() });
    expect(await screen.findByText(/On lab: this draft is read-only/)).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Withdraw and edit" })).toBeNull();
  });

  it("offers Amend once the draft is on the server, for the order it became", async () => {
    backendWith(editorState(), [], { profile: "lab", sync: "submitted", canWithdraw: false, order: "7", canAmend: true });
    const editor = new EditorStore();
    await editor.open("d-1");
    const onAmend = vi.fn();
    render(EditorView, { editor, onClose: vi.fn(), onAmend });
    await fireEvent.click(await screen.findByRole("button", { name: "Amend the order" }));
    expect(onAmend).toHaveBeenCalledWith("7");
  });

  it("shows the server's refusal as a banner and at the field it names", async () => {
    mockIPC((cmd) => {
      if (cmd === "open_draft") return opened(editorState());
      if (cmd === "draft_submission") return null;
      if (cmd === "draft_refusal")
        return { profile: "lab", message: "/requestedStartDate: must not be in the past", item: null, field: "requestedStart" };
      if (cmd === "catalog_categories" || cmd === "search_offerings") return [];
      if (cmd === "offering_shortcuts") return { favourites: [], recent: [] };
      throw new Error(cmd);
    });
    const editor = new EditorStore();
    await editor.open("d-1");
    render(EditorView, { editor, onClose: vi.fn() });
    const banner = await screen.findByTestId("editor-refusal");
    expect(banner.textContent).toContain("lab refused this order: /requestedStartDate: must not be in the past");
    expect(screen.getByText("Refused by the server: /requestedStartDate: must not be in the past")).toBeTruthy();
  });
});
