import { afterEach, describe, expect, it } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { EditorStore } from "./editor.svelte";
import { editorState, item, opened, whole } from "../../test/fixtures";
import type { EditorChange, EditorState } from "../backend/ipc";

/** The change answer that turns `from` into `to` at the rows `start`..`start + removed`. */
function change(to: EditorState, start: number, removed: number, inserted: EditorState["draft"]["items"]): EditorChange {
  const d = to.draft;
  const q = to.quote;
  return {
    id: d.id, revision: d.revision, tmfVersion: d.tmfVersion, updatedAt: d.updatedAt, header: null,
    canUndo: d.canUndo, canRedo: d.canRedo,
    items: { start, removed, inserted },
    quoteItems: { start: 0, removed: 0, inserted: [] },
    findings: { start: 0, removed: q.findings.length, inserted: q.findings },
    currencies: q.currencies, hasErrors: q.hasErrors, rounding: q.rounding,
  };
}

afterEach(() => clearMocks());

describe("EditorStore", () => {
  it("makes each queued edit on the revision the previous one produced", async () => {
    const seen: number[] = [];
    let revision = 1;
    mockIPC((cmd, args) => {
      if (cmd === "open_draft") return opened(editorState({ revision }));
      if (cmd === "edit_draft") {
        const a = args as { revision: number };
        seen.push(a.revision);
        revision = a.revision + 1;
        return whole(editorState({ revision, items: [item("1"), item(String(revision))] }), revision);
      }
      throw new Error(cmd);
    });
    const store = new EditorStore();
    await store.open("d-1");
    const first = store.apply({ op: "setPriority", priority: "1" });
    const second = store.apply({ op: "setPriority", priority: "2" });
    expect(await first).toBe(true);
    expect(await second).toBe(true);
    expect(seen).toEqual([1, 2]);
    expect(store.draft?.revision).toBe(3);
    expect(store.saved).toBe(3);
  });

  it("keeps the last good state and reports the backend's code on failure", async () => {
    mockIPC((cmd) => {
      if (cmd === "open_draft") return opened(editorState({ revision: 5 }));
      throw { code: "store.conflict", message: "the draft changed" };
    });
    const store = new EditorStore();
    await store.open("d-1");
    expect(await store.apply({ op: "removeItem", item: "1" })).toBe(false);
    expect(store.errorCode).toBe("store.conflict");
    expect(store.error).toContain("changed");
    expect(store.draft?.revision).toBe(5);
  });

  it("selects a newly added item and moves focus on request", async () => {
    mockIPC((cmd) => {
      if (cmd === "open_draft") return opened(editorState({ items: [item("1")] }));
      if (cmd === "edit_draft") return whole(editorState({ items: [item("1"), item("2")] }));
      throw new Error(cmd);
    });
    const store = new EditorStore();
    await store.open("d-1");
    expect(store.selected).toBe("1");
    await store.apply({ op: "addOffering", offeringId: "O-2", parent: null, quantity: null });
    expect(store.selected).toBe("2");
    store.focusField("1", "TEL_MSISDN");
    expect(store.selected).toBe("1");
    expect(store.focus).toMatchObject({ item: "1", field: "TEL_MSISDN", seq: 1 });
  });

  it("applies a change to the state held: rows outside it keep their identity", async () => {
    const [one, two, three] = [item("1", { name: "Fibre" }), item("2", { name: "Router" }), item("3", { name: "TV" })];
    const rows = [one, two, three];
    const modem = item("2", { name: "Modem" });
    const edited = editorState({ revision: 2, items: [one, modem, three] }, { hasErrors: true });
    mockIPC((cmd) => {
      if (cmd === "open_draft") return opened(editorState({ items: rows }), 7);
      if (cmd === "edit_draft") return { kind: "change", seq: 8, base: 7, change: change(edited, 1, 1, [modem]) };
      throw new Error(cmd);
    });
    const store = new EditorStore();
    await store.open("d-1");
    const before = store.draft!.items;
    expect(await store.apply({ op: "setPriority", priority: "1" })).toBe(true);
    const after = store.draft!.items;
    expect(after.map((i) => i.name)).toEqual(["Fibre", "Modem", "TV"]);
    expect(after[0]).toBe(before[0]);
    expect(after[2]).toBe(before[2]);
    expect(store.draft?.revision).toBe(2);
    expect(store.quote?.hasErrors).toBe(true);
  });

  it("reads the draft again whole when a change was made on another state than the one held", async () => {
    const opens: number[] = [];
    const fresh = editorState({ revision: 4, items: [item("9")] });
    mockIPC((cmd) => {
      if (cmd === "open_draft") {
        opens.push(opens.length);
        return opens.length === 1 ? opened(editorState({ items: [item("1")] }), 1) : opened(fresh, 6);
      }
      if (cmd === "edit_draft") return { kind: "change", seq: 5, base: 4, change: change(fresh, 0, 1, fresh.draft.items) };
      throw new Error(cmd);
    });
    const store = new EditorStore();
    await store.open("d-1");
    expect(await store.apply({ op: "setPriority", priority: "1" })).toBe(true);
    expect(opens.length).toBe(2);
    expect(store.draft?.revision).toBe(4);
    expect(store.draft?.items.map((i) => i.id)).toEqual(["9"]);
  });
});
