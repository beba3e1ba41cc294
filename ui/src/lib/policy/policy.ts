// What the editor and the order detail decide from a profile's policy. The rules themselves are
// the backend's (the core checks discounts, the service the cancellation reasons); this only
// picks what to show where.
import type { FindingView, ReasonOption } from "../backend/ipc";

/** The finding that asks for an approval of the discount at `itemPrice[price].priceAlteration[index]`
 *  of `item`, if there is one. */
export function approvalFinding(
  findings: readonly FindingView[],
  item: string,
  price: number,
  index: number,
): FindingView | null {
  const tail = `/itemPrice/${price}/priceAlteration/${index}`;
  return findings.find((f) => f.code === "discount.approval" && f.item === item && f.path.endsWith(tail)) ?? null;
}

/** The reason finding of that discount, if there is one. */
export function reasonFinding(
  findings: readonly FindingView[],
  item: string,
  price: number,
  index: number,
): FindingView | null {
  const tail = `/itemPrice/${price}/priceAlteration/${index}/description`;
  return findings.find((f) => f.code === "discount.reason" && f.item === item && f.path.endsWith(tail)) ?? null;
}

/** The code of the listed reason a discount's text names (its code or label, in any case), or
 *  null when it names none of them. */
export function reasonCode(reasons: readonly ReasonOption[], text: string | null): string | null {
  const t = (text ?? "").trim().toLowerCase();
  if (!t) return null;
  return reasons.find((r) => r.code.toLowerCase() === t || r.label.trim().toLowerCase() === t)?.code ?? null;
}

/** A reason's limits as numbers and units ("20 %", "50 EUR"), empty when it has none. */
export function limits(reason: ReasonOption): string[] {
  const out: string[] = [];
  if (reason.maxPercentage !== null) out.push(`${reason.maxPercentage} %`);
  if (reason.maxAmount !== null) out.push(`${reason.maxAmount} ${reason.currency ?? ""}`.trim());
  return out;
}
