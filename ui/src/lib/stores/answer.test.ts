import { describe, expect, it } from "vitest";
import { applyChange, splice } from "./answer";
import { editorState, item } from "../../test/fixtures";
import type { EditorChange } from "../backend/ipc";

describe("splice", () => {
  it("replaces the run it names and keeps the rest", () => {
    expect(splice(["a", "b", "c"], { start: 1, removed: 1, inserted: ["X", "Y"] })).toEqual(["a", "X", "Y", "c"]);
    expect(splice(["a", "b"], { start: 2, removed: 0, inserted: ["c"] })).toEqual(["a", "b", "c"]);
    expect(splice(["a", "b"], { start: 0, removed: 2, inserted: [] })).toEqual([]);
  });

  it("keeps the very list when nothing changed", () => {
    const list = ["a", "b"];
    expect(splice(list, { start: 2, removed: 0, inserted: [] })).toBe(list);
  });

  it("refuses a run outside the list", () => {
    expect(splice(["a"], { start: 1, removed: 1, inserted: [] })).toBeNull();
    expect(splice(["a"], { start: -1, removed: 0, inserted: [] })).toBeNull();
  });
});

describe("applyChange", () => {
  const held = editorState({ id: "d-1", items: [item("1"), item("2")] });
  const change = (c: Partial<EditorChange>): EditorChange => ({
    id: "d-1", revision: 2, tmfVersion: "v4", updatedAt: "2026-12-05T10:00:00Z", header: null,
    canUndo: true, canRedo: false,
    items: { start: 2, removed: 0, inserted: [] },
    quoteItems: { start: 0, removed: 0, inserted: [] },
    findings: { start: 0, removed: 0, inserted: [] },
    currencies: [], hasErrors: false, rounding: "halfUp",
    ...c,
  });

  it("keeps the header when the change does not carry one", () => {
    const next = applyChange(held, change({}));
    expect(next?.draft.header).toBe(held.draft.header);
    expect(next?.draft.items).toBe(held.draft.items);
    expect(next?.draft.revision).toBe(2);
  });

  it("does not apply another draft's change or a splice that does not fit", () => {
    expect(applyChange(held, change({ id: "d-2" }))).toBeNull();
    expect(applyChange(held, change({ items: { start: 5, removed: 0, inserted: [] } }))).toBeNull();
  });
});
