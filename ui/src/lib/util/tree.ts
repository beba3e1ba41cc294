// The bundle tree as the editor shows it: the backend sends items depth first with their
// depth; collapsing, keyboard movement and move targets are computed here, on that list.
import type { ItemView } from "../backend/ipc";

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
