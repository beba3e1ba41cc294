// The bundle tree as the editor shows it: the backend sends items depth first with their
// depth; collapsing, keyboard movement and move targets are computed here, on that list.
import type { ItemView } from "../backend/ipc";
import { m } from "../paraglide/messages.js";

/** Items that are visible when the ids in `collapsed` are folded. */
export function visibleItems(items: readonly ItemView[], collapsed: ReadonlySet<string>): ItemView[] {
  const out: ItemView[] = [];
  let hideBelow: number | null = null;
  for (const item of items) {
    if (hideBelow !== null) {
      if (item.depth > hideBelow) continue;
      hideBelow = null;
    }
    out.push(item);
    if (collapsed.has(item.id) && item.childCount > 0) hideBelow = item.depth;
  }
  return out;
}

/** The siblings of an item (same parent), in order. */
export function siblings(items: readonly ItemView[], item: ItemView): ItemView[] {
  return items.filter((other) => other.parent === item.parent);
}

/** The `moveItem` arguments that move `item` one place up (-1) or down (+1) among its
 *  siblings, or `null` when it is already first or last. */
export function moveWithinSiblings(
  items: readonly ItemView[],
  item: ItemView,
  direction: -1 | 1,
): { parent: string | null; index: number } | null {
  const list = siblings(items, item);
  const at = list.findIndex((other) => other.id === item.id);
  const target = at + direction;
  if (at < 0 || target < 0 || target >= list.length) return null;
  // `moveItem` removes the item first, then inserts at `index` among the remaining siblings.
  return { parent: item.parent, index: target };
}

/** Which rows of a fixed-height list are on screen (with a little overscan). */
export function windowOf(
  total: number,
  scrollTop: number,
  viewport: number,
  rowHeight: number,
  overscan = 8,
): { start: number; end: number } {
  const first = Math.floor(scrollTop / rowHeight);
  const count = Math.ceil(viewport / rowHeight);
  const start = Math.max(0, first - overscan);
  const end = Math.min(total, first + count + overscan);
  return { start, end };
}

/** Where an item can go: a parent (`null` = the order's top level) and a position there. */
export interface MoveTarget {
  parent: string | null;
  index: number | null;
}

/** `id` and every item below it. */
function subtree(items: readonly ItemView[], id: string): Set<string> {
  const out = new Set([id]);
  // Items come depth first, so descendants follow their ancestor.
  for (const item of items) {
    if (item.parent !== null && out.has(item.parent)) out.add(item.id);
  }
  return out;
}

/** The parents `item` may be moved under, as the core accepts them: the top level and every
 *  bundle that is neither the item itself, inside it, nor its current parent. */
export function moveParents(
  items: readonly ItemView[],
  item: ItemView,
): { parent: ItemView | null; label: string }[] {
  const inside = subtree(items, item.id);
  const out: { parent: ItemView | null; label: string }[] = [];
  if (item.parent !== null) out.push({ parent: null, label: m.move_top_level() });
  for (const candidate of items) {
    if (!candidate.isBundle || inside.has(candidate.id) || candidate.id === item.parent) continue;
    out.push({ parent: candidate, label: m.move_into({ name: candidate.name, id: candidate.id }) });
  }
  return out;
}

/** Alt+Shift+←: out of its bundle, placed right after that bundle. */
export function moveOut(items: readonly ItemView[], item: ItemView): MoveTarget | null {
  if (item.parent === null) return null;
  const parent = items.find((i) => i.id === item.parent);
  if (!parent) return null;
  const at = siblings(items, parent).findIndex((s) => s.id === parent.id);
  return { parent: parent.parent, index: at + 1 };
}

/** Alt+Shift+→: into the nearest bundle above it among its siblings, as that bundle's last child. */
export function moveIn(items: readonly ItemView[], item: ItemView): MoveTarget | null {
  const list = siblings(items, item);
  const at = list.findIndex((s) => s.id === item.id);
  for (let i = at - 1; i >= 0; i--) {
    const candidate = list[i];
    if (candidate?.isBundle) return { parent: candidate.id, index: null };
  }
  return null;
}
