import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import BundleTree from "./BundleTree.svelte";
import ItemDetails from "./ItemDetails.svelte";
import PricePanel from "./PricePanel.svelte";
import ValidationPanel from "./ValidationPanel.svelte";
import HistoryPanel from "./HistoryPanel.svelte";
import HeaderForm from "./HeaderForm.svelte";
import CatalogPicker from "./CatalogPicker.svelte";
import { draft, field, finding, item, quote } from "../../test/fixtures";
import { BackendError, type Edit } from "../backend/ipc";
import { applyLocale } from "../i18n/locale.svelte";
import { tick } from "svelte";

afterEach(() => {
  cleanup();
  clearMocks();
});

const bundle = [
  item("1", { name: "Fibre Home", childCount: 2, isBundle: true }),
  item("2", { parent: "1", depth: 1, name: "Fibre Access" }),
  item("3", { parent: "1", depth: 1, name: "Router" }),
  item("4", { name: "SIM" }),
];

describe("BundleTree", () => {
  function setup(selected: string | null = "2") {
    const onEdit = vi.fn<(e: Edit) => void>();
    const onSelect = vi.fn<(id: string) => void>();
    render(BundleTree, { items: bundle, selected, findings: [finding({ item: "3" })], onEdit, onSelect });
    return { onEdit, onSelect, tree: screen.getByRole("tree") };
  }

  it("is operable by keyboard", async () => {
    const { onEdit, onSelect, tree } = setup();
    await fireEvent.keyDown(tree, { key: "ArrowDown" });
    expect(onSelect).toHaveBeenLastCalledWith("3");
    await fireEvent.keyDown(tree, { key: "ArrowLeft" });
    expect(onSelect).toHaveBeenLastCalledWith("1");
    await fireEvent.keyDown(tree, { key: "+" });
    expect(onEdit).toHaveBeenLastCalledWith({ op: "setQuantity", item: "2", quantity: 2 });
    await fireEvent.keyDown(tree, { key: "ArrowDown", altKey: true });
    expect(onEdit).toHaveBeenLastCalledWith({ op: "moveItem", item: "2", parent: "1", index: 1 });
    await fireEvent.keyDown(tree, { key: "Delete" });
    expect(onEdit).toHaveBeenLastCalledWith({ op: "removeItem", item: "2" });
  });

  it("folds a bundle and marks items with errors", async () => {
    const { tree } = setup("1");
    expect(screen.getAllByRole("treeitem")).toHaveLength(4);
    expect(screen.getByText("Has errors", { selector: ".sr-only" })).toBeTruthy();
    await fireEvent.keyDown(tree, { key: "ArrowLeft" });
    expect(screen.getAllByRole("treeitem").map((r) => r.textContent)).toEqual([
      expect.stringContaining("Fibre Home"),
      expect.stringContaining("SIM"),
    ]);
    expect(screen.getAllByRole("treeitem")[0]?.getAttribute("aria-expanded")).toBe("false");
  });

  it("renders only a window of a 1,000-item order", () => {
    const many = Array.from({ length: 1000 }, (_, i) => item(String(i + 1)));
    render(BundleTree, { items: many, selected: null, findings: [], onEdit: vi.fn(), onSelect: vi.fn() });
    const rows = screen.getAllByRole("treeitem");
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(60);
  });
});

describe("ItemDetails", () => {
  const withChars = item("1", {
    characteristics: [
      field("TEL_MSISDN", { required: true, label: "Phone number", description: "The line's number, with its country code." }),
      field("Speed", { allowed: ["100", "500"], value: "100" }),
      field("Roaming", { valueType: "boolean" }),
    ],
  });

  it("generates the form from the specification and sends typed values", async () => {
    const onEdit = vi.fn<(e: Edit) => void>();
    render(ItemDetails, {
      item: withChars,
      items: [withChars],
      findings: [finding()],
      focus: { item: null, field: null, seq: 0 },
      onEdit,
    });
    // Labelled in the catalog's words; the specification's code is there on demand (the
    // label's tooltip).
    const msisdn = screen.getByLabelText(/Phone number/) as HTMLInputElement;
    expect(document.querySelector(`label[for="${msisdn.id}"]`)?.getAttribute("title")).toBe("TEL_MSISDN");
    expect(msisdn.getAttribute("aria-required")).toBe("true");
    expect(msisdn.getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByText("TEL_MSISDN is required")).toBeTruthy();
    await fireEvent.change(msisdn, { target: { value: "+4917000" } });
    expect(onEdit).toHaveBeenLastCalledWith({ op: "setCharacteristic", item: "1", name: "TEL_MSISDN", value: "+4917000" });
    const speed = screen.getByLabelText(/Speed/) as HTMLSelectElement;
    expect(Array.from(speed.options).map((o) => o.value)).toEqual(["", "100", "500"]);
    await fireEvent.change(speed, { target: { value: "" } });
    expect(onEdit).toHaveBeenLastCalledWith({ op: "clearCharacteristic", item: "1", name: "Speed" });
  });

  it("offers optional bundle children within their cardinality", async () => {
    const onEdit = vi.fn<(e: Edit) => void>();
    const b = item("1", {
      options: [
        { offeringId: "R", name: "Router", lower: 0, upper: 1, count: 1 },
        { offeringId: "S", name: "Static IP", lower: 0, upper: 2, count: 0 },
      ],
    });
    render(ItemDetails, { item: b, items: [b], findings: [], focus: { item: null, field: null, seq: 0 }, onEdit });
    expect((screen.getByRole("button", { name: "Add Router to this bundle" }) as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.click(screen.getByRole("button", { name: "Add Static IP to this bundle" }));
    expect(onEdit).toHaveBeenLastCalledWith({ op: "addOffering", offeringId: "S", parent: "1", quantity: null });
  });
});

describe("PricePanel", () => {
  it("shows the engine's totals and a bar per period", () => {
    const { container } = render(PricePanel, { quote: quote(), item: null, onEdit: vi.fn() });
    expect(screen.getByTestId("total-EUR").textContent).toBe("€137.57");
    expect(screen.getByText("Recurring monthly")).toBeTruthy();
    expect(container.querySelectorAll("rect.bar")).toHaveLength(3);
  });

  it("edits a price alteration", async () => {
    const onEdit = vi.fn<(e: Edit) => void>();
    const priced = item("1", {
      prices: [
        {
          index: 0,
          name: "Monthly fee",
          priceType: "recurring",
          period: "month",
          alterations: [{ name: "Welcome", kind: "percentage", value: "10", duration: 3, priceType: "discount", reason: null, approval: null }],
        },
      ],
    });
    render(PricePanel, { quote: quote(), item: priced, onEdit });
    await fireEvent.change(screen.getByLabelText("Value"), { target: { value: "15" } });
    expect(onEdit).toHaveBeenLastCalledWith({
      op: "editAlteration",
      item: "1",
      price: 0,
      index: 0,
      alteration: { name: "Welcome", kind: "percentage", value: "15", currency: "EUR", duration: 3, priceType: "discount", reason: null },
    });
    await fireEvent.click(screen.getByRole("button", { name: "Remove Welcome" }));
    expect(onEdit).toHaveBeenLastCalledWith({ op: "removeAlteration", item: "1", price: 0, index: 0 });
  });
});

describe("PricePanel under a discount policy", () => {
  const reasons = [
    { code: "retention", label: "Customer retention", maxPercentage: "20", maxAmount: null, currency: null },
  ];
  function discounted(approval: { approver: string; text: string } | null) {
    return item("1", {
      prices: [
        {
          index: 0,
          name: "Monthly fee",
          priceType: "recurring",
          period: "month",
          alterations: [{ name: "Loyalty", kind: "percentage", value: "50", duration: null, priceType: "discount", reason: "retention", approval }],
        },
      ],
    });
  }
  const over = finding({
    code: "discount.approval",
    path: "/productOrderItem/0/itemPrice/0/priceAlteration/0",
    message: "Loyalty: 50 % is more than the 20 % allowed for Customer retention",
    field: null,
  });

  it("picks the reason from the policy and asks for an approval next to the finding", async () => {
    const onEdit = vi.fn<(e: Edit) => void>();
    const onApprove = vi.fn(() => Promise.resolve());
    render(PricePanel, { quote: quote({ findings: [over] }), item: discounted(null), onEdit, reasons, onApprove });
    const picker = screen.getByLabelText("Reason") as HTMLSelectElement;
    expect(picker.value).toBe("retention");
    expect(screen.getByRole("option", { name: "Customer retention (up to 20 % without approval)" })).toBeTruthy();
    expect(screen.getByTestId("discount-why").textContent).toContain("Reason: Customer retention");
    await fireEvent.input(screen.getByLabelText(/Approver/), { target: { value: "Jane Doe" } });
    await fireEvent.input(screen.getByLabelText(/Approval code/), { target: { value: "A-77" } });
    await fireEvent.click(screen.getByRole("button", { name: "Record approval" }));
    expect(onApprove).toHaveBeenCalledWith({ item: "1", price: 0, alteration: 0, approver: "Jane Doe", code: "A-77" });
    await fireEvent.change(picker, { target: { value: "" } });
    expect(onEdit).toHaveBeenLastCalledWith(expect.objectContaining({ op: "editAlteration", alteration: expect.objectContaining({ reason: null }) }));
  });

  it("shows the approval instead of the form once it is recorded", () => {
    render(PricePanel, {
      quote: quote(),
      item: discounted({ approver: "Jane Doe", text: "Discount approved by Jane Doe, approval code A-77" }),
      onEdit: vi.fn(),
      reasons,
      onApprove: vi.fn(),
    });
    expect(screen.getByTestId("discount-approval").textContent).toContain("Approved by Jane Doe");
    expect(screen.queryByTestId("approval-form")).toBeNull();
  });

  it("shows the backend's refusal in the approval form", async () => {
    const onApprove = vi.fn(() =>
      Promise.reject(new BackendError({ code: "service.approval", message: "the approval code is required" })),
    );
    render(PricePanel, { quote: quote({ findings: [over] }), item: discounted(null), onEdit: vi.fn(), reasons, onApprove });
    await fireEvent.click(screen.getByRole("button", { name: "Record approval" }));
    expect((await screen.findByTestId("approval-error")).textContent).toContain("approval code is required");
  });
});

describe("PricePanel on catalog prices", () => {
  it("offers to take over the catalog price so it can be altered", async () => {
    const onEdit = vi.fn<(e: Edit) => void>();
    const q = quote({
      items: [
        {
          id: "1",
          lines: [
            {
              price: "Fibre Monthly Fee",
              priceType: "recurring",
              period: "month",
              currency: "EUR",
              quantity: "1",
              source: "catalog",
              segments: [{ from: 1, to: null, steps: [{ step: "list price", amounts: { dutyFree: "29.99", taxIncluded: "29.99" } }], amounts: { dutyFree: "29.99", taxIncluded: "29.99" } }],
            },
          ],
        },
      ],
    });
    render(PricePanel, { quote: q, item: item("1"), onEdit });
    expect(screen.getByText("list price")).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Adjust price…" }));
    expect(onEdit).toHaveBeenCalledWith({ op: "priceFromCatalog", item: "1" });
  });
});

describe("ValidationPanel", () => {
  it("focuses the field a finding is about", async () => {
    const onFocus = vi.fn();
    render(ValidationPanel, {
      findings: [finding(), finding({ severity: "warning", item: null, field: "customer", message: "no customer" })],
      items: [item("1")],
      onFocus,
    });
    expect(screen.getByText("1 error")).toBeTruthy();
    expect(screen.getByText("1 warning")).toBeTruthy();
    await fireEvent.click(screen.getByText("TEL_MSISDN is required"));
    expect(onFocus).toHaveBeenLastCalledWith("1", "TEL_MSISDN");
    await fireEvent.click(screen.getByText("no customer"));
    expect(onFocus).toHaveBeenLastCalledWith(null, "customer");
  });

  it("renders only a window of thousands of findings, and the keys reach every one", async () => {
    const items = Array.from({ length: 1000 }, (_, i) => item(String(i + 1), { name: `Line ${i + 1}` }));
    const findings = Array.from({ length: 3000 }, (_, i) =>
      finding({ item: String((i % 1000) + 1), message: `finding ${i + 1}` }),
    );
    const onFocus = vi.fn();
    render(ValidationPanel, { findings, items, onFocus });
    expect(screen.getByText("3,000 errors")).toBeTruthy();
    const buttons = screen.getAllByRole("button");
    expect(buttons.length).toBeGreaterThan(0);
    expect(buttons.length).toBeLessThan(60);
    // Each row knows its place in the whole list.
    expect(screen.getAllByRole("listitem")[0]?.getAttribute("aria-setsize")).toBe("3000");
    buttons[0]?.focus();
    await fireEvent.keyDown(buttons[0] as HTMLElement, { key: "End" });
    await tick();
    const last = document.activeElement as HTMLElement;
    expect(last.textContent).toContain("finding 3000");
    expect(last.closest("li")?.getAttribute("aria-posinset")).toBe("3000");
    await fireEvent.keyDown(last, { key: "ArrowUp" });
    await tick();
    expect((document.activeElement as HTMLElement).textContent).toContain("finding 2999");
    await fireEvent.click(document.activeElement as HTMLElement);
    expect(onFocus).toHaveBeenLastCalledWith("999", "TEL_MSISDN");
  });
});

describe("HistoryPanel", () => {
  it("restores an earlier revision", async () => {
    const onRestore = vi.fn();
    render(HistoryPanel, {
      revisions: [
        { revision: 2, summary: "customer", actor: "app", at: "2026-11-23T10:00:00Z" },
        { revision: 1, summary: "create", actor: "app", at: "2026-11-23T09:00:00Z" },
      ],
      current: 2,
      onRestore,
    });
    expect(screen.queryByRole("button", { name: "Restore revision 2" })).toBeNull();
    await fireEvent.click(screen.getByRole("button", { name: "Restore revision 1" }));
    expect(onRestore).toHaveBeenCalledWith(1);
  });
});

describe("HeaderForm", () => {
  it("sends the customer when the group loses focus and the priority on change", async () => {
    const onEdit = vi.fn<(e: Edit) => void>();
    render(HeaderForm, { draft: draft(), findings: [], onEdit });
    const name = screen.getByLabelText("Customer name") as HTMLInputElement;
    name.value = "Ada King";
    await fireEvent.focusOut(name, { relatedTarget: document.body });
    expect(onEdit).toHaveBeenLastCalledWith({ op: "setCustomer", customer: { id: "C-1", name: "Ada King" } });
    await fireEvent.change(screen.getByLabelText("Priority"), { target: { value: "1" } });
    expect(onEdit).toHaveBeenLastCalledWith({ op: "setPriority", priority: "1" });
    // Days are typed in the locale's order (en-US here); the backend gets YYYY-MM-DD.
    const start = screen.getByLabelText("Requested start") as HTMLInputElement;
    expect(start.placeholder).toBe("MM/DD/YYYY");
    await fireEvent.change(start, { target: { value: "12/1/2026" } });
    expect(onEdit).toHaveBeenLastCalledWith({ op: "setRequestedDates", start: "2026-12-01", completion: null });
    expect(start.value).toBe("12/01/2026");
    // Text that is not a day is kept and explained next to the field; nothing is sent.
    onEdit.mockClear();
    const completion = screen.getByLabelText("Requested completion") as HTMLInputElement;
    await fireEvent.change(completion, { target: { value: "31/12/2026" } });
    expect(onEdit).not.toHaveBeenCalled();
    expect(completion.getAttribute("aria-invalid")).toBe("true");
    const error = document.getElementById(completion.getAttribute("aria-describedby") ?? "");
    expect(error?.textContent).toContain("MM/DD/YYYY");
  });
});

describe("CatalogPicker", () => {
  it("searches as you type and adds with Enter", async () => {
    const searches: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "catalog_categories") return [{ id: "c1", name: "Mobile", parent: null, offeringCount: 3 }];
      if (cmd === "search_offerings") {
        searches.push(args);
        return [
          {
            id: "20059",
            name: "Fibre Home",
            description: null,
            isBundle: true,
            lifecycleStatus: "Active",
            categories: [],
            priceTags: [
              { amount: "49", currency: "EUR", period: null },
              { amount: "39.99", currency: "EUR", period: "month" },
            ],
          },
        ];
      }
      throw new Error(cmd);
    });
    const onAdd = vi.fn();
    render(CatalogPicker, { onAdd });
    const input = screen.getByRole("combobox", { name: "Search the catalog" });
    await fireEvent.input(input, { target: { value: "fib" } });
    await screen.findByText("Fibre Home");
    await vi.waitFor(() => expect(searches).toContainEqual({ text: "fib", category: null, limit: 50 }));
    // The prices come as data and are written in the locale's way, and follow a change of it.
    const price = () => document.querySelector(".price")?.textContent?.replace(/\s/g, " ");
    applyLocale("en-US");
    await tick();
    expect(price()).toBe("€49.00 + €39.99/month");
    applyLocale("de-DE");
    await tick();
    expect(price()).toBe("49,00 € + 39,99 €/Monat");
    applyLocale("");
    await fireEvent.keyDown(input, { key: "Enter" });
    expect(onAdd).toHaveBeenCalledWith("20059");
  });
});
