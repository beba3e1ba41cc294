// A change of the editor's state as the backend sends it (`EditorChange`), applied to the
// state the editor holds. Rows outside a splice keep their identity, so the views that show
// them (the bundle tree, the checks panel) have nothing to repaint.
import type { EditorChange, EditorState, Splice } from "../backend/ipc";

/** `old` with `s` applied; `null` when the splice does not fit the list held. */
export function splice<T>(old: readonly T[], s: Splice<T>): T[] | null {
  if (s.start < 0 || s.removed < 0 || s.start + s.removed > old.length) return null;
  if (s.removed === 0 && s.inserted.length === 0) return old as T[];
  return [...old.slice(0, s.start), ...s.inserted, ...old.slice(s.start + s.removed)];
}

/** The state after `change`; `null` when it does not fit `state` (the draft is then read
 *  again whole). */
export function applyChange(state: EditorState, change: EditorChange): EditorState | null {
  if (change.id !== state.draft.id) return null;
  const items = splice(state.draft.items, change.items);
  const quoteItems = splice(state.quote.items, change.quoteItems);
  const findings = splice(state.quote.findings, change.findings);
  if (!items || !quoteItems || !findings) return null;
  return {
    draft: {
      ...state.draft,
      revision: change.revision,
      tmfVersion: change.tmfVersion,
      updatedAt: change.updatedAt,
      header: change.header ?? state.draft.header,
      canUndo: change.canUndo,
      canRedo: change.canRedo,
      items,
    },
    quote: {
      ...state.quote,
      items: quoteItems,
      findings,
      currencies: change.currencies,
      hasErrors: change.hasErrors,
      rounding: change.rounding,
    },
  };
}
