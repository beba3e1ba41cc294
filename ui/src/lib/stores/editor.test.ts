import { afterEach, describe, expect, it } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { EditorStore } from "./editor.svelte";
import { editorState, item } from "../../test/fixtures";

afterEach(() => clearMocks());

describe("EditorStore", () => {
  it("makes each queued edit on the revision the previous one produced", async () => {
    const seen: number[] = [];
    let revision = 1;
    mockIPC((cmd, args) => {
      if (cmd === "open_draft") return editorState({ revision });
      if (cmd === "edit_draft") {
        const a = args as { revision: number };
        seen.push(a.revision);
        revision = a.revision + 1;
        return editorState({ revision, items: [item("1"), item(String(revision))] });
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
      if (cmd === "open_draft") return editorState({ revision: 5 });
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
      if (cmd === "open_draft") return editorState({ items: [item("1")] });
      if (cmd === "edit_draft") return editorState({ items: [item("1"), item("2")] });
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
});
