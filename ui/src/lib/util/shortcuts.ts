// Keyboard shortcuts in one table, so the command palette can list them and tests can check
// that a key event maps to the right action.
import { m } from "../paraglide/messages.js";

export type ActionId =
  | "palette"
  | "search"
  | "newDraft"
  | "addItem"
  | "undo"
  | "redo"
  | "submit"
  | "moveItem"
  | "goOrders"
  | "goCatalog"
  | "goSettings";

export interface Shortcut {
  action: ActionId;
  /** The keys, e.g. `Ctrl+K` (shown to people through `keysText`). */
  keys: string;
  ctrl: boolean;
  shift: boolean;
  alt: boolean;
  key: string;
}

function def(action: ActionId, keys: string): Shortcut {
  const parts = keys.split("+");
  const key = (parts[parts.length - 1] ?? "").toLowerCase();
  return {
    action,
    keys,
    ctrl: parts.includes("Ctrl"),
    shift: parts.includes("Shift"),
    alt: parts.includes("Alt"),
    key,
  };
}

export const SHORTCUTS: readonly Shortcut[] = [
  def("palette", "Ctrl+K"),
  def("search", "Ctrl+F"),
  def("newDraft", "Ctrl+N"),
  def("addItem", "Ctrl+I"),
  def("undo", "Ctrl+Z"),
  def("redo", "Ctrl+Shift+Z"),
  def("redo", "Ctrl+Y"),
  def("submit", "Ctrl+Enter"),
  def("moveItem", "Ctrl+M"),
  def("goOrders", "Alt+1"),
  def("goCatalog", "Alt+2"),
  def("goSettings", "Alt+3"),
];

interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/** The action a key event triggers, if any. Cmd counts as Ctrl (macOS). */
export function actionFor(event: KeyLike): ActionId | null {
  const ctrl = event.ctrlKey || event.metaKey;
  const key = event.key.toLowerCase();
  const hit = SHORTCUTS.find(
    (s) => s.key === key && s.ctrl === ctrl && s.shift === event.shiftKey && s.alt === event.altKey,
  );
  return hit?.action ?? null;
}

/** Keys as the agent's keyboard labels them: `Ctrl+Shift+Z` is `Strg+Umschalt+Z` in German. */
export function keysText(keys: string): string {
  const names: Record<string, () => string> = {
    Ctrl: m.key_ctrl,
    Shift: m.key_shift,
    Alt: m.key_alt,
    Enter: m.key_enter,
  };
  return keys
    .split("+")
    .map((part) => names[part]?.() ?? part)
    .join("+");
}

/** The first shortcut of an action as shown to people, for menus and tooltips. */
export function keysOf(action: ActionId): string {
  const keys = SHORTCUTS.find((s) => s.action === action)?.keys;
  return keys ? keysText(keys) : "";
}
