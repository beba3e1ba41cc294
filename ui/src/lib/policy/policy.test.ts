import { describe, expect, it } from "vitest";
import { approvalFinding, limits, reasonCode, reasonFinding } from "./policy";
import type { FindingView, ReasonOption } from "../backend/ipc";

const reasons: ReasonOption[] = [
  { code: "retention", label: "Customer retention", maxPercentage: "20", maxAmount: "50", currency: "EUR" },
  { code: "goodwill", label: "Goodwill", maxPercentage: null, maxAmount: null, currency: null },
];

function finding(code: string, path: string, item = "1"): FindingView {
  return { severity: "error", code, path, message: "m", item, field: null, fieldLabel: null };
}

describe("policy", () => {
  it("finds the finding of one discount only", () => {
    const all = [
      finding("discount.approval", "/productOrderItem/0/itemPrice/0/priceAlteration/1"),
      finding("discount.reason", "/productOrderItem/0/itemPrice/1/priceAlteration/0/description"),
    ];
    expect(approvalFinding(all, "1", 0, 1)).toBe(all[0]);
    expect(approvalFinding(all, "1", 0, 0)).toBeNull();
    expect(approvalFinding(all, "2", 0, 1)).toBeNull();
    expect(reasonFinding(all, "1", 1, 0)).toBe(all[1]);
    expect(reasonFinding(all, "1", 0, 1)).toBeNull();
  });

  it("reads a reason by its code or label", () => {
    expect(reasonCode(reasons, " customer RETENTION ")).toBe("retention");
    expect(reasonCode(reasons, "goodwill")).toBe("goodwill");
    expect(reasonCode(reasons, "friend")).toBeNull();
    expect(reasonCode(reasons, null)).toBeNull();
  });

  it("writes limits with their units", () => {
    expect(limits(reasons[0]!)).toEqual(["20 %", "50 EUR"]);
    expect(limits(reasons[1]!)).toEqual([]);
  });
});
