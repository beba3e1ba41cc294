// What the editor's customer field and customer panel decide, without a component: the
// type-ahead's keys, which changes an installed product offers, what a disconnect takes with
// it, the customer's recent orders and the change rows by item. The backend's views are taken
// as they come; nothing here computes money.
import type {
  CustomerProductsView,
  CustomerRow,
  InstalledProductView,
  ItemView,
  OrderListRow,
  SummaryChange,
} from "../backend/ipc";

/** The type-ahead's list: whether it shows and which match is highlighted (-1: none). */
export interface ListState {
  open: boolean;
  active: number;
}

/** What a key does in the type-ahead. */
export type KeyOutcome =
  | { kind: "move"; state: ListState }
  | { kind: "pick"; index: number }
  | { kind: "close"; state: ListState }
  | { kind: "none" };

/** ↓/↑ open the list and move through `count` matches (stopping at the ends), Enter picks the
 *  highlighted match, Escape closes the list; any other key is the input's. */
export function typeAheadKey(key: string, state: ListState, count: number): KeyOutcome {
  if (key === "ArrowDown" || key === "ArrowUp") {
    if (count === 0) return { kind: "none" };
    if (!state.open) return { kind: "move", state: { open: true, active: Math.max(0, state.active) } };
    const step = key === "ArrowDown" ? 1 : -1;
    const active = Math.min(count - 1, Math.max(0, state.active + step));
    return { kind: "move", state: { open: true, active } };
  }
  if (key === "Enter") {
    return state.open && state.active >= 0 && state.active < count ? { kind: "pick", index: state.active } : { kind: "none" };
  }
  if (key === "Escape") {
    return state.open ? { kind: "close", state: { open: false, active: state.active } } : { kind: "none" };
  }
  return { kind: "none" };
}

/** What a match shows besides the name: the first phone, e-mail and the id. */
export function matchDetail(row: CustomerRow): string {
  return [row.id, row.phone, row.email].filter((part): part is string => !!part).join(" · ");
}

/** The text searched: trimmed; nothing to search below one character. */
export function searchText(text: string): string | null {
  const trimmed = text.trim();
  return trimmed.length > 0 ? trimmed : null;
}

/** A field of the new-customer form. */
export type NewCustomerField = "name" | "phone" | "email";

/** The field of the new-customer form the backend's refusal `code` is about; `null` when it
 *  is about none (offline, the server refused). */
export function newCustomerField(code: string): NewCustomerField | null {
  if (code === "customer.bad_name") return "name";
  if (code === "customer.bad_phone") return "phone";
  if (code === "customer.bad_email") return "email";
  return null;
}

/** A change the customer panel offers on an installed product. */
export type ChangeKind = "changePlan" | "addOption" | "modify" | "disconnect";

/** The changes an installed product offers: none unless a change order may act on it; an
 *  option only on a bundle. */
export function changesOffered(product: InstalledProductView): ChangeKind[] {
  if (!product.changeable) return [];
  return product.bundle ? ["changePlan", "addOption", "modify", "disconnect"] : ["changePlan", "modify", "disconnect"];
}

/** `product` and every product it bundles, at any depth, in tree order (what a disconnect
 *  takes). The rows come in tree order, so a product's descendants follow it until a row no
 *  deeper than it. */
export function withDescendants(products: readonly InstalledProductView[], id: string): InstalledProductView[] {
  const start = products.findIndex((p) => p.id === id);
  const first = products[start];
  if (!first) return [];
  const out = [first];
  for (const p of products.slice(start + 1)) {
    if (p.depth <= first.depth) break;
    out.push(p);
  }
  return out;
}

/** The panel's products came from the cache (the server did not answer). */
export function fromCache(view: CustomerProductsView): boolean {
  return view.stale !== null;
}

/** The customer's orders and drafts but the one open, newest first, at most `limit`. Matched
 *  by the customer's name, as the orders list filters. */
export function recentOrders(rows: readonly OrderListRow[], customer: string, openDraft: string, limit = 5): OrderListRow[] {
  return rows
    .filter((r) => r.customer === customer && !(r.kind === "draft" && r.id === openDraft))
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
    .slice(0, limit);
}

/** The draft has items that act on installed products. */
export function hasChangeItems(items: readonly ItemView[]): boolean {
  return items.some((i) => i.action === "modify" || i.action === "delete");
}

/** The review's change rows by the item they describe. */
export function changesByItem(changes: readonly SummaryChange[]): Map<string, SummaryChange> {
  return new Map(changes.map((c) => [c.item, c]));
}
