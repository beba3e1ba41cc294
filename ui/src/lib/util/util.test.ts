import { describe, expect, it } from "vitest";
import {
  dateTime,
  day,
  dayOf,
  dayPlaceholder,
  decimal,
  localDate,
  money,
  parseDay,
  percent,
  time,
} from "./format";
import { periodly, periods } from "../i18n/labels";
import { applyLocale, languageOf, resolveLocale, systemLocale } from "../i18n/locale.svelte";
import { findingLine, findingText } from "../i18n/findings";
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

/** Run `body` with the app's locale set to `tag`, then go back to the system's. */
function inLocale(tag: string, body: () => void) {
  applyLocale(tag);
  try {
    body();
  } finally {
    applyLocale("");
  }
}

describe("money", () => {
  it("is written the locale's way, with every digit of the decimal string", () => {
    inLocale("de-DE", () => {
      expect(money("228.99", "EUR")).toBe("228,99\u00a0€");
      expect(money("1234567.5", "EUR")).toBe("1.234.567,50\u00a0€");
      // Beyond what a float holds: the string is formatted, never converted.
      expect(money("12345678901234567.891", "EUR")).toBe("12.345.678.901.234.567,891\u00a0€");
      expect(money("0.1000000000000000000000000001", "EUR")).toBe("0,1000000000000000000000000001\u00a0€");
    });
    inLocale("en-US", () => {
      expect(money("1234567.5", "EUR")).toBe("€1,234,567.50");
      expect(money("-0.5", "USD")).toBe("-$0.50");
      expect(money("1234", "JPY")).toBe("¥1,234");
      expect(money("0.125")).toBe("0.125");
    });
    // Where a float holds the amount, the result is what Intl writes for it, in any locale.
    for (const tag of ["de-CH", "de-AT", "en-GB", "fr-FR", "hi-IN", "ar-EG"]) {
      inLocale(tag, () => {
        const intl = (n: number, currency: string) =>
          new Intl.NumberFormat(tag, { style: "currency", currency }).format(n);
        expect(money("1234567.5", "CHF")).toBe(intl(1234567.5, "CHF"));
        expect(money("-0.25", "EUR")).toBe(intl(-0.25, "EUR"));
        expect(money("7", "JPY")).toBe(intl(7, "JPY"));
      });
    }
  });

  it("shows what it cannot format as it came", () => {
    inLocale("de-DE", () => {
      expect(money(null)).toBe("—");
      expect(money("", "EUR")).toBe("—");
      expect(money("12.5", "E1")).toBe("12,50 E1");
      expect(money("1e3", "EUR")).toBe("1e3 EUR");
    });
  });
});

describe("numbers and dates", () => {
  it("formats numbers and percentages", () => {
    inLocale("de-DE", () => {
      expect(decimal(1234.5)).toBe("1.234,5");
      expect(decimal("1000.250")).toBe("1.000,250");
      expect(percent("10")).toBe("10\u00a0%");
    });
    inLocale("en-US", () => expect(percent("12.5")).toBe("12.5%"));
  });

  it("shows instants in the local time zone and days as they are", () => {
    // The tests run in Europe/Berlin (vite.config.ts): 10:05 UTC is 11:05 there in November.
    inLocale("de-DE", () => {
      expect(dateTime("2026-11-23T10:05:09.123456789+00:00")).toBe("23.11.2026, 11:05");
      expect(time("2026-11-23T10:05:09Z")).toBe("11:05:09");
      expect(localDate("2026-11-23T23:30:00Z")).toBe("24.11.2026");
      expect(day("2026-11-23")).toBe("23.11.2026");
      // A requested day is sent as midnight UTC; it stays that day everywhere.
      expect(day("2026-03-01T00:00:00Z")).toBe("01.03.2026");
    });
    inLocale("en-US", () => {
      expect(dateTime("2026-11-23T10:05:00Z")).toBe("11/23/2026, 11:05 AM");
      expect(day("2026-11-23")).toBe("11/23/2026");
    });
    inLocale("en-GB", () => expect(day("2026-11-23")).toBe("23/11/2026"));
    expect(dateTime(null)).toBe("—");
    expect(dateTime("yesterday")).toBe("yesterday");
    expect(dayOf("2026-03-01T00:00:00Z")).toBe("2026-03-01");
    expect(dayOf(null)).toBe("");
  });

  it("reads days typed in the locale's order", () => {
    inLocale("de-DE", () => {
      expect(dayPlaceholder()).toBe("TT.MM.JJJJ");
      expect(parseDay("23.11.2026")).toBe("2026-11-23");
      expect(parseDay(" 1.2.2026 ")).toBe("2026-02-01");
      expect(parseDay("2026-11-23")).toBe("2026-11-23");
      expect(parseDay("31.02.2026")).toBeNull();
      expect(parseDay("23.11.26")).toBeNull();
      expect(parseDay("23.11.2026 10:00")).toBeNull();
      expect(parseDay("morgen")).toBeNull();
    });
    inLocale("en-US", () => {
      expect(dayPlaceholder()).toBe("MM/DD/YYYY");
      expect(parseDay("11/23/2026")).toBe("2026-11-23");
      expect(parseDay("23/11/2026")).toBeNull();
    });
  });

  it("says periods in the UI's language", () => {
    expect(periodly("month")).toBe("monthly");
    expect(periods(1, "month")).toBe("1 month");
    expect(periods(12, "month")).toBe("12 months");
    inLocale("de-AT", () => {
      expect(periodly("month")).toBe("monatlich");
      expect(periods(12, "month")).toBe("12 Monate");
      expect(periods(1200, "day")).toBe("1.200 Tage");
    });
    expect(periodly("fortnight")).toBe("fortnight");
  });
});

describe("locale", () => {
  it("follows the system unless set, and speaks the locale's language when it has a catalog", () => {
    expect(resolveLocale("")).toBe(systemLocale());
    expect(resolveLocale("de-at")).toBe("de-AT");
    expect(resolveLocale("not a locale")).toBe(systemLocale());
    expect(languageOf("de-CH")).toBe("de");
    expect(languageOf("fr-FR")).toBe("en");
    inLocale("fr-FR", () => {
      // French formats, English words.
      expect(money("1234.5", "EUR")).toBe("1\u202f234,50\u00a0€");
      expect(periodly("week")).toBe("weekly");
      expect(document.documentElement.lang).toBe("fr-FR");
    });
  });

  it("explains findings by code and keeps the backend's message", () => {
    const finding = { code: "characteristic.missing", message: "TEL_MSISDN is required" };
    expect(findingText(finding)).toEqual({ text: "A required characteristic has no value.", detail: "TEL_MSISDN is required" });
    inLocale("de-DE", () => {
      expect(findingText(finding).text).toBe("Einem Pflichtmerkmal fehlt der Wert.");
      expect(findingLine(finding)).toBe("Einem Pflichtmerkmal fehlt der Wert. (TEL_MSISDN is required)");
    });
    // A code the table does not know: the backend's message alone.
    expect(findingText({ code: "order.something_new", message: "something new" })).toEqual({ text: "something new", detail: null });
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
    inLocale("de-DE", () => expect(keysOf("redo")).toBe("Strg+Umschalt+Z"));
  });
});
