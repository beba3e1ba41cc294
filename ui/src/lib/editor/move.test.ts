import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import EditorView from "../views/EditorView.svelte";
import { EditorStore } from "../stores/editor.svelte";
import BundleTree from "./BundleTree.svelte";
import MoveDialog from "./MoveDialog.svelte";
import { editorState, item, opened, whole } from "../../test/fixtures";
import { moveIn, moveOut, moveParents } from "../util/tree";
import { actionFor, keysOf } from "../util/shortcuts";
import type { Edit } from "../backend/ipc";

afterEach(() => {
  cleanup();
  clearMocks();
});

// Two bundles (1 and 5, with 6 nested in 5), a leaf at the top level (4).
const items = [
  item("1", { name: "Fibre Home", childCount: 2, isBundle: true }),
  item("2", { parent: "1", depth: 1, name: "Fibre Access" }),
  item("3", { parent: "1", depth: 1, name: "Router" }),
  item("4", { name: "SIM" }),
  item("5", { name: "Mobile Bundle", childCount: 1, isBundle: true }),
  item("6", { parent: "5", depth: 1, name: "Inner Bundle", childCount: 1, isBundle: true }),
  item("7", { parent: "6", depth: 2, name: "Line" }),
];
const byId = (id: string) => items.find((i) => i.id === id)!;

describe("move targets", () => {
  it("lists the top level and bundles, never the item, what is inside it or its parent", () => {
    expect(moveParents(items, byId("2")).map((t) => t.parent?.id ?? "top")).toEqual(["top", "5", "6"]);
    expect(moveParents(items, byId("5")).map((t) => t.parent?.id ?? "top")).toEqual(["1"]);
    expect(moveParents(items, byId("4")).map((t) => t.parent?.id ?? "top")).toEqual(["1", "5", "6"]);
  });

  it("moves out of a bundle to just after it, and into the bundle above", () => {
    expect(moveOut(items, byId("3"))).toEqual({ parent: null, index: 1 });
    expect(moveOut(items, byId("7"))).toEqual({ parent: "5", index: 1 });
    expect(moveOut(items, byId("4"))).toBeNull();
    expect(moveIn(items, byId("4"))).toEqual({ parent: "1", index: null });
    expect(moveIn(items, byId("1"))).toBeNull();
    // The nearest bundle above among the siblings, skipping leaves.
    const withLeaf = [...items, item("8", { name: "Extra" })];
    expect(moveIn(withLeaf, withLeaf[7]!)).toEqual({ parent: "5", index: null });
  });
});

describe("BundleTree moves across parents", () => {
  it("Alt+Shift+arrows move out of and into bundles; M opens Move to…", async () => {
    const onEdit = vi.fn<(e: Edit) => void>();
    const onMoveTo = vi.fn<(id: string) => void>();
    const { rerender } = render(BundleTree, { items, selected: "3", findings: [], onEdit, onSelect: vi.fn(), onMoveTo });
    const tree = screen.getByRole("tree");
    await fireEvent.keyDown(tree, { key: "ArrowLeft", altKey: true, shiftKey: true });
    expect(onEdit).toHaveBeenLastCalledWith({ op: "moveItem", item: "3", parent: null, index: 1 });
    await rerender({ items, selected: "4", findings: [], onEdit, onSelect: vi.fn(), onMoveTo });
    await fireEvent.keyDown(tree, { key: "ArrowRight", altKey: true, shiftKey: true });
    expect(onEdit).toHaveBeenLastCalledWith({ op: "moveItem", item: "4", parent: "1", index: null });
    await fireEvent.keyDown(tree, { key: "m" });
    expect(onMoveTo).toHaveBeenCalledWith("4");
    // Without Shift, Alt+← is not a move.
    onEdit.mockClear();
    await fireEvent.keyDown(tree, { key: "ArrowLeft", altKey: true });
    expect(onEdit).not.toHaveBeenCalled();
  });
});

describe("MoveDialog", () => {
  it("offers valid parents and moves to the one chosen", async () => {
    const onMove = vi.fn<(parent: string | null) => void>();
    const onClose = vi.fn();
    render(MoveDialog, { items, item: byId("2"), onMove, onClose });
    // jsdom does not open <dialog> elements, so their content counts as hidden.
    const choices = screen.getAllByRole("button", { hidden: true }).filter((b) => b.closest("li"));
    expect(choices.map((b) => b.textContent)).toEqual([
      "Top level of the order",
      "Mobile Bundle (item 5)",
      "Inner Bundle (item 6)",
    ]);
    expect(document.activeElement).toBe(choices[0]);
    await fireEvent.keyDown(choices[0]!, { key: "ArrowDown" });
    expect(document.activeElement).toBe(choices[1]);
    await fireEvent.click(screen.getByRole("button", { name: "Inner Bundle (item 6)", hidden: true }));
    expect(onMove).toHaveBeenCalledWith("6");
    await fireEvent.click(screen.getByRole("button", { name: "Cancel", hidden: true }));
    expect(onClose).toHaveBeenCalled();
  });

  it("says so when there is nowhere to go", () => {
    const flat = [item("1", { name: "A" }), item("2", { name: "B" })];
    render(MoveDialog, { items: flat, item: flat[0]!, onMove: vi.fn(), onClose: vi.fn() });
    expect(screen.getByText("There is no other bundle to move it into.")).toBeTruthy();
  });
});

describe("Move to… shortcut", () => {
  it("is Ctrl+M, listed for the palette", () => {
    expect(actionFor({ key: "m", ctrlKey: true, metaKey: false, shiftKey: false, altKey: false })).toBe("moveItem");
    expect(keysOf("moveItem")).toBe("Ctrl+M");
  });
});

describe("EditorView Move to…", () => {
  it("M in the tree opens the dialog; the choice is saved as a moveItem edit", async () => {
    const edits: unknown[] = [];
    const tree = [
      item("1", { name: "Fibre Home", childCount: 1, isBundle: true }),
      item("2", { parent: "1", depth: 1, name: "Router" }),
      item("3", { name: "Mobile Bundle", isBundle: true }),
    ];
    const state = editorState({ items: tree });
    mockIPC((cmd, args) => {
      if (cmd === "open_draft") return opened(state);
      if (cmd === "edit_draft") {
        edits.push((args as { edit: unknown }).edit);
        return whole(state);
      }
      if (cmd === "catalog_categories" || cmd === "search_offerings") return [];
      throw new Error(cmd);
    });
    const editor = new EditorStore();
    await editor.open("d-1");
    editor.selected = "2";
    render(EditorView, { editor, onClose: vi.fn() });
    await fireEvent.keyDown(screen.getByRole("tree"), { key: "m" });
    const target = await screen.findByRole("button", { name: "Mobile Bundle (item 3)", hidden: true });
    await fireEvent.click(target);
    await vi.waitFor(() => expect(edits).toEqual([{ op: "moveItem", item: "2", parent: "3", index: null }]));
    expect(screen.queryByRole("button", { name: "Mobile Bundle (item 3)", hidden: true })).toBeNull();
  });
});
