import { describe, expect, it } from "vitest";
import { money, dateTime, dayOf, periodly } from "./format";
import { visibleItems, moveWithinSiblings, windowOf } from "./tree";
import { barChart, niceCeiling } from "./chart";
import { actionFor, keysOf } from "./shortcuts";
import type { ItemView } from "../backend/ipc";

function item(id: string, parent: string | null, depth: number, childCount = 0): ItemView {
  return {
    id,
    parent,
    depth,
    path: `/productOrderItem/${id}`,
    offeringId: null,
    name: id,
    action: "add",
    quantity: 1,
    productId: null,
    isBundle: childCount > 0,
    childCount,
    characteristics: [],
    relationships: [],
    prices: [],
    options: [],
  };
}

describe("money", () => {
  it("groups thousands and keeps every digit", () => {
    expect(money("1234567.5", "EUR")).toBe("1,234,567.50 EUR");
    expect(money("0.125")).toBe("0.125");
    expect(money("-12", "USD")).toBe("-12.00 USD");
    expect(money(null)).toBe("—");
  });
  it("formats dates and periods", () => {
    expect(dateTime("2026-11-23T14:05:09.123+00:00")).toBe("2026-11-23 14:05");
    expect(dayOf("2026-03-01T00:00:00Z")).toBe("2026-03-01");
    expect(dayOf(null)).toBe("");
    expect(periodly("month")).toBe("monthly");
  });
});

describe("tree", () => {
  const items = [item("1", null, 0, 2), item("2", "1", 1), item("3", "1", 1), item("4", null, 0)];
  it("hides the children of collapsed items", () => {
    expect(visibleItems(items, new Set(["1"])).map((i) => i.id)).toEqual(["1", "4"]);
    expect(visibleItems(items, new Set()).map((i) => i.id)).toEqual(["1", "2", "3", "4"]);
  });
  it("moves within siblings and stops at the ends", () => {
    expect(moveWithinSiblings(items, items[1]!, 1)).toEqual({ parent: "1", index: 1 });
    expect(moveWithinSiblings(items, items[1]!, -1)).toBeNull();
    expect(moveWithinSiblings(items, items[3]!, -1)).toEqual({ parent: null, index: 0 });
  });
  it("windows a long list", () => {
    expect(windowOf(1000, 0, 300, 30)).toEqual({ start: 0, end: 18 });
    expect(windowOf(1000, 3000, 300, 30)).toEqual({ start: 92, end: 118 });
    expect(windowOf(5, 0, 300, 30)).toEqual({ start: 0, end: 5 });
  });
});

describe("chart", () => {
  it("scales bars to a round maximum", () => {
    expect(niceCeiling(37)).toBe(50);
    expect(niceCeiling(0)).toBe(1);
    const chart = barChart(["10", "50", "oops"], 300, 100);
    expect(chart.max).toBe(50);
    expect(chart.bars).toHaveLength(3);
    expect(chart.bars[1]!.height).toBe(100);
    expect(chart.bars[0]!.height).toBe(20);
    expect(chart.bars[2]!.height).toBe(0);
  });
});

describe("shortcuts", () => {
  const key = (k: string, mods: Partial<{ ctrl: boolean; shift: boolean; alt: boolean }> = {}) => ({
    key: k,
    ctrlKey: mods.ctrl ?? false,
    metaKey: false,
    shiftKey: mods.shift ?? false,
    altKey: mods.alt ?? false,
  });
  it("maps keys to actions", () => {
    expect(actionFor(key("k", { ctrl: true }))).toBe("palette");
    expect(actionFor(key("Z", { ctrl: true, shift: true }))).toBe("redo");
    expect(actionFor(key("z", { ctrl: true }))).toBe("undo");
    expect(actionFor(key("z"))).toBeNull();
    expect(actionFor(key("2", { alt: true }))).toBe("goCatalog");
    expect(keysOf("submit")).toBe("Ctrl+Enter");
  });
});
