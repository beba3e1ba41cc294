import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import CustomerSearch from "./CustomerSearch.svelte";
import CustomerPanel from "./CustomerPanel.svelte";
import { EditorStore } from "../stores/editor.svelte";
import { changeText } from "./change";
import {
  changesByItem,
  changesOffered,
  hasChangeItems,
  matchDetail,
  newCustomerField,
  recentOrders,
  typeAheadKey,
  withDescendants,
} from "./customers";
import type { CustomerRow, InstalledProductView, ItemView, OrderListRow, SummaryChange } from "../backend/ipc";

afterEach(() => {
  cleanup();
  clearMocks();
});

const ada: CustomerRow = { id: "CUST-000001", name: "Ada Lovelace", phone: "+49 30 0000 0000", email: "ada@example.org", account: "BA-000001" };
const alan: CustomerRow = { id: "CUST-000002", name: "Alan Turing", phone: null, email: "alan@example.org", account: null };

function product(id: string, over: Partial<InstalledProductView> = {}): InstalledProductView {
  return {
    id,
    name: id,
    depth: 0,
    parent: null,
    status: "active",
    statusText: "active",
    offeringId: null,
    bundle: false,
    changeable: true,
    monthly: [],
    ...over,
  };
}

const tree: InstalledProductView[] = [
  product("B", { name: "TMF25", bundle: true, offeringId: "14277", monthly: [{ currency: "EUR", amount: "5.00" }] }),
  product("L", { name: "Mobile Telephony", depth: 1, parent: "B" }),
  product("T", { name: "Tariff Plan", depth: 1, parent: "B", monthly: [{ currency: "EUR", amount: "19.99" }] }),
  product("X", { name: "Old line", status: "terminated", statusText: "terminated", changeable: false }),
];

describe("the type-ahead's keys", () => {
  const closed = { open: false, active: -1 };
  it("opens with ↓ and moves, stopping at the ends", () => {
    expect(typeAheadKey("ArrowDown", closed, 3)).toEqual({ kind: "move", state: { open: true, active: 0 } });
    expect(typeAheadKey("ArrowDown", { open: true, active: 0 }, 3)).toEqual({ kind: "move", state: { open: true, active: 1 } });
    expect(typeAheadKey("ArrowDown", { open: true, active: 2 }, 3)).toEqual({ kind: "move", state: { open: true, active: 2 } });
    expect(typeAheadKey("ArrowUp", { open: true, active: 0 }, 3)).toEqual({ kind: "move", state: { open: true, active: 0 } });
    expect(typeAheadKey("ArrowDown", closed, 0)).toEqual({ kind: "none" });
  });
  it("picks the highlighted match with Enter only while the list is open", () => {
    expect(typeAheadKey("Enter", { open: true, active: 1 }, 3)).toEqual({ kind: "pick", index: 1 });
    expect(typeAheadKey("Enter", { open: false, active: 1 }, 3)).toEqual({ kind: "none" });
    expect(typeAheadKey("Enter", { open: true, active: 5 }, 3)).toEqual({ kind: "none" });
  });
  it("closes with Escape and leaves other keys to the input", () => {
    expect(typeAheadKey("Escape", { open: true, active: 1 }, 3)).toEqual({ kind: "close", state: { open: false, active: 1 } });
    expect(typeAheadKey("Escape", closed, 3)).toEqual({ kind: "none" });
    expect(typeAheadKey("a", { open: true, active: 0 }, 3)).toEqual({ kind: "none" });
  });
  it("describes a match by id, phone and e-mail", () => {
    expect(matchDetail(ada)).toBe("CUST-000001 · +49 30 0000 0000 · ada@example.org");
    expect(matchDetail(alan)).toBe("CUST-000002 · alan@example.org");
  });
});

describe("the customer panel's rules", () => {
  it("offers changes on active products only, an option only on a bundle", () => {
    expect(changesOffered(tree[0]!)).toEqual(["changePlan", "addOption", "modify", "disconnect"]);
    expect(changesOffered(tree[2]!)).toEqual(["changePlan", "modify", "disconnect"]);
    expect(changesOffered(tree[3]!)).toEqual([]);
  });
  it("disconnects a bundle with what it bundles", () => {
    expect(withDescendants(tree, "B").map((p) => p.id)).toEqual(["B", "L", "T"]);
    expect(withDescendants(tree, "T").map((p) => p.id)).toEqual(["T"]);
    expect(withDescendants(tree, "nope")).toEqual([]);
  });
  it("lists the customer's other orders, newest first", () => {
    const row = (id: string, kind: "draft" | "order", customer: string, updatedAt: string): OrderListRow =>
      ({ id, kind, customer, updatedAt, total: null, currency: null, itemCount: 1, state: null, stateText: "draft", sync: "draft", revision: 1 }) as OrderListRow;
    const rows = [
      row("d1", "draft", "Ada Lovelace", "2026-12-01T10:00:00Z"),
      row("7", "order", "Ada Lovelace", "2026-12-03T10:00:00Z"),
      row("8", "order", "Ada Lovelace Ltd", "2026-12-04T10:00:00Z"),
      row("open", "draft", "Ada Lovelace", "2026-12-04T11:00:00Z"),
    ];
    expect(recentOrders(rows, "Ada Lovelace", "open").map((r) => r.id)).toEqual(["7", "d1"]);
  });
  it("reads change rows as was → will be", () => {
    const plan: SummaryChange = { item: "3", action: "delete", productId: "T", was: "Tariff Plan", willBe: "Mobile M", characteristics: [] };
    const gone: SummaryChange = { ...plan, item: "4", willBe: null };
    const modify: SummaryChange = { ...plan, item: "5", action: "modify", characteristics: [{ label: "Coverage", was: "National", willBe: "EU" }] };
    expect(changeText(plan)).toBe("Tariff Plan → Mobile M");
    expect(changeText(gone)).toBe("Tariff Plan → nothing (disconnected)");
    expect(changeText(modify)).toBe("Coverage: National → EU");
    expect(changesByItem([plan, gone]).get("4")).toBe(gone);
    expect(hasChangeItems([{ action: "add" }, { action: "delete" }] as ItemView[])).toBe(true);
    expect(hasChangeItems([{ action: "add" }] as ItemView[])).toBe(false);
  });
});

describe("CustomerSearch", () => {
  it("lists matches from the cache, moves with the arrows and takes one with Enter", async () => {
    const searched: string[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "sync_customers") return 2;
      if (cmd === "search_customers") {
        const text = (args as { text: string }).text;
        searched.push(text);
        return [ada, alan].filter((c) => c.name.toLowerCase().includes(text.toLowerCase()) || c.id.includes(text));
      }
      throw new Error(cmd);
    });
    const onPick = vi.fn();
    render(CustomerSearch, { id: "cs", onPick });
    const input = screen.getByRole("combobox", { name: "Find a customer" });
    input.focus();
    await fireEvent.input(input, { target: { value: "a" } });
    const options = await screen.findAllByRole("option");
    expect(options.map((o) => o.textContent)).toEqual([
      expect.stringContaining("Ada Lovelace"),
      expect.stringContaining("Alan Turing"),
      expect.stringContaining("New customer…"),
    ]);
    expect(input.getAttribute("aria-expanded")).toBe("true");
    expect(input.getAttribute("aria-activedescendant")).toBe("cs-opt-0");
    await fireEvent.keyDown(input, { key: "ArrowDown" });
    expect(input.getAttribute("aria-activedescendant")).toBe("cs-opt-1");
    await fireEvent.keyDown(input, { key: "Enter" });
    expect(onPick).toHaveBeenCalledWith(alan);
    expect(searched).toContain("a");
  });

  it("closes the list with Escape and says when nothing matches", async () => {
    mockIPC((cmd, args) => {
      if (cmd === "sync_customers") return 0;
      if (cmd === "search_customers") return (args as { text: string }).text === "zz" ? [] : [ada];
      throw new Error(cmd);
    });
    render(CustomerSearch, { id: "cs", onPick: vi.fn() });
    const input = screen.getByRole("combobox");
    input.focus();
    await fireEvent.input(input, { target: { value: "ad" } });
    await screen.findByRole("option", { name: /Ada Lovelace/ });
    await fireEvent.keyDown(input, { key: "Escape" });
    expect(input.getAttribute("aria-expanded")).toBe("false");
    await fireEvent.input(input, { target: { value: "zz" } });
    expect(await screen.findByText(/No customer in the local list matches “zz”/)).toBeTruthy();
  });
});

describe("CustomerSearch's new customer", () => {
  const grace: CustomerRow = { id: "CUST-000301", name: "Grace Hopper", phone: "+1 202 555 0100", email: null, account: null };

  it("names the field a refusal is about", () => {
    expect(newCustomerField("customer.bad_name")).toBe("name");
    expect(newCustomerField("customer.bad_phone")).toBe("phone");
    expect(newCustomerField("customer.bad_email")).toBe("email");
    expect(newCustomerField("customer.create_offline")).toBeNull();
  });

  it("is the list's last option by keyboard, even without matches; the form shows a refusal at its field and Enter creates and takes the customer", async () => {
    const sent: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "sync_customers") return 0;
      if (cmd === "search_customers") return [];
      if (cmd === "create_customer") {
        const customer = (args as { customer: { phone: string | null } }).customer;
        sent.push(customer);
        if (customer.phone?.startsWith("0")) {
          throw { code: "customer.bad_phone", message: "the phone number: it starts with 0: write it with the country code instead of the leading 0" };
        }
        return grace;
      }
      throw new Error(cmd);
    });
    const onPick = vi.fn();
    render(CustomerSearch, { id: "cs", onPick, online: true });
    const input = screen.getByRole("combobox", { name: "Find a customer" });
    input.focus();
    await fireEvent.input(input, { target: { value: "Grace Hopper" } });
    const option = await screen.findByRole("option", { name: /New customer…/ });
    expect(screen.getAllByRole("option")).toEqual([option]);
    await fireEvent.keyDown(input, { key: "ArrowDown" });
    expect(input.getAttribute("aria-activedescendant")).toBe(option.id);
    await fireEvent.keyDown(input, { key: "Enter" });

    screen.getByRole("group", { name: "New customer" });
    const name = screen.getByRole("textbox", { name: /Name/ }) as HTMLInputElement;
    expect(name.value).toBe("Grace Hopper");
    expect(document.activeElement).toBe(name);
    const phone = screen.getByLabelText(/Phone/) as HTMLInputElement;
    await fireEvent.input(phone, { target: { value: "0170 1234567" } });
    await fireEvent.keyDown(phone, { key: "Enter" });
    await vi.waitFor(() => expect(phone.getAttribute("aria-invalid")).toBe("true"));
    const why = document.getElementById(phone.getAttribute("aria-describedby") ?? "");
    expect(why?.textContent).toContain("write it with the country code");
    expect(name.getAttribute("aria-invalid")).toBeNull();
    expect(onPick).not.toHaveBeenCalled();

    await fireEvent.input(phone, { target: { value: "+1 202 555 0100" } });
    await fireEvent.keyDown(phone, { key: "Enter" });
    await vi.waitFor(() => expect(onPick).toHaveBeenCalledWith(grace));
    expect(onPick).toHaveBeenCalledTimes(1);
    expect(sent.at(-1)).toEqual({ name: "Grace Hopper", phone: "+1 202 555 0100", email: null });
    expect(screen.queryByTestId("new-customer-form")).toBeNull();
  });

  it("Escape goes back to the search; a refusal about no field shows under the form", async () => {
    mockIPC((cmd) => {
      if (cmd === "sync_customers") return 0;
      if (cmd === "search_customers") return [ada];
      if (cmd === "create_customer") throw { code: "customer.create_offline", message: "a customer can be created only while the server is reachable" };
      throw new Error(cmd);
    });
    const onPick = vi.fn();
    render(CustomerSearch, { id: "cs", onPick });
    const input = screen.getByRole("combobox");
    input.focus();
    await fireEvent.input(input, { target: { value: "Ad" } });
    await fireEvent.mouseDown(await screen.findByRole("option", { name: /New customer…/ }));
    const name = screen.getByRole("textbox", { name: /Name/ });
    await fireEvent.keyDown(name, { key: "Enter" });
    expect((await screen.findByTestId("new-customer-error")).textContent).toContain("only while the server is reachable");
    await fireEvent.keyDown(name, { key: "Escape" });
    expect(screen.queryByTestId("new-customer-form")).toBeNull();
    await vi.waitFor(() => expect(document.activeElement).toBe(input));
    expect(onPick).not.toHaveBeenCalled();
  });

  it("is disabled offline, with the reason", async () => {
    mockIPC((cmd) => {
      if (cmd === "sync_customers") return 0;
      if (cmd === "search_customers") return [];
      throw new Error(cmd);
    });
    render(CustomerSearch, { id: "cs", onPick: vi.fn(), online: false });
    const input = screen.getByRole("combobox");
    input.focus();
    await fireEvent.keyDown(input, { key: "ArrowDown" });
    const option = screen.getByRole("option", { name: /New customer…/ });
    expect(option.getAttribute("aria-disabled")).toBe("true");
    expect(document.getElementById(option.getAttribute("aria-describedby") ?? "")?.textContent).toContain("only while the server is reachable");
    await fireEvent.keyDown(input, { key: "Enter" });
    expect(screen.queryByTestId("new-customer-form")).toBeNull();
  });
});

describe("CustomerPanel", () => {
  it("shows the tree with states and prices, and a disconnect takes the bundle's children after a confirmation", async () => {
    const changes: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "customer_products") return { products: tree, stale: "offline", cachedAt: "2026-12-01T09:30:00Z" };
      if (cmd === "list_orders") return { rows: [], total: 0, offset: 0 };
      if (cmd === "change_installed") {
        changes.push((args as { change: unknown }).change);
        throw new Error("not in this test");
      }
      throw new Error(cmd);
    });
    const editor = new EditorStore();
    render(CustomerPanel, { editor, customerId: ada.id, customerName: ada.name });
    expect(await screen.findByText("TMF25")).toBeTruthy();
    expect(screen.getByText("€5.00 monthly")).toBeTruthy();
    expect(screen.getByText("Terminated")).toBeTruthy();
    expect(screen.getByText(/^Offline: installed products as of/)).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Change plan: Old line" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Add option: Tariff Plan" })).toBeNull();
    await fireEvent.click(screen.getByRole("button", { name: "Disconnect: TMF25" }));
    const dialog = await screen.findByRole("dialog", { name: "Disconnect TMF25?" });
    expect([...dialog.querySelectorAll("li")].map((li) => li.textContent)).toEqual(["TMF25", "Mobile Telephony", "Tariff Plan"]);
    expect(changes).toEqual([]);
  });
});
