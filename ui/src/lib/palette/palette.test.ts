import { afterEach, describe, expect, it, vi } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { cleanup, fireEvent, render, screen, within } from "@testing-library/svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { palette, SCREEN_ACTIONS, SHELL_ACTIONS, type Screen } from "./registry.svelte";
import EditorView from "../views/EditorView.svelte";
import SyncView from "../views/SyncView.svelte";
import CatalogView from "../views/CatalogView.svelte";
import CommandPalette from "../components/CommandPalette.svelte";
import { EditorStore } from "../stores/editor.svelte";
import { editorState, item, opened } from "../../test/fixtures";

afterEach(() => {
  cleanup();
  clearMocks();
});

const LIB = join(__dirname, "..");
const SRC = join(LIB, "..");

function svelteFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".svelte"))
    .map((name) => join(dir, name));
}

/** The markup each screen is made of: its view and the parts only it uses. */
const SCREEN_FILES: Record<Screen, string[]> = {
  orders: [join(LIB, "views", "OrdersView.svelte")],
  editor: [join(LIB, "views", "EditorView.svelte"), ...svelteFiles(join(LIB, "editor"))],
  order: [join(LIB, "views", "OrderDetailView.svelte"), ...svelteFiles(join(LIB, "orders"))],
  sync: [join(LIB, "views", "SyncView.svelte")],
  catalog: [join(LIB, "views", "CatalogView.svelte")],
  settings: [join(LIB, "views", "SettingsView.svelte"), ...svelteFiles(join(LIB, "settings"))],
  help: [join(LIB, "support", "HelpMenu.svelte")],
};

/** Every `<button …>` and `<input type="file" …>` opening tag of a component (attributes may
 *  hold `{…}` expressions with `>` in them). */
function controls(source: string): string[] {
  const tags: string[] = [];
  for (const match of source.matchAll(/<(button|input\b[^>]*type="file")\b/g)) {
    let depth = 0;
    let end = match.index;
    for (; end < source.length; end++) {
      const c = source[end];
      if (c === "{") depth++;
      else if (c === "}") depth--;
      else if (c === ">" && depth === 0) break;
    }
    tags.push(source.slice(match.index, end));
  }
  return tags;
}

const actionOf = (tag: string) => /data-action="([^"]+)"/.exec(tag)?.[1] ?? null;

describe("command palette coverage", () => {
  for (const [screenName, files] of Object.entries(SCREEN_FILES) as [Screen, string[]][]) {
    it(`every button of the ${screenName} screen is a palette action, or says it has none`, () => {
      const offered = new Set<string>([...SCREEN_ACTIONS[screenName], ...SHELL_ACTIONS]);
      const problems: string[] = [];
      for (const path of files) {
        for (const tag of controls(readFileSync(path, "utf8"))) {
          const action = actionOf(tag);
          const where = `${relative(SRC, path)}: ${tag.replace(/\s+/g, " ").slice(0, 90)}`;
          if (action === null && !tag.includes('data-palette="none"')) problems.push(`no data-action: ${where}`);
          if (action !== null && !offered.has(action)) problems.push(`"${action}" is not a ${screenName} action: ${where}`);
        }
      }
      expect(problems).toEqual([]);
    });

    it(`the ${screenName} screen registers each of its actions`, () => {
      const view = readFileSync(files[0] ?? "", "utf8");
      const declared = SCREEN_ACTIONS[screenName] as readonly string[];
      if (declared.length > 0) expect(view).toContain(`registerActions("${screenName}"`);
      const missing = declared.filter((id) => !view.includes(`id: "${id}"`));
      expect(missing).toEqual([]);
    });
  }

  it("the shell registers its own actions and its navigation is theirs", () => {
    const app = readFileSync(join(SRC, "App.svelte"), "utf8");
    expect(SHELL_ACTIONS.filter((id) => !app.includes(`id: "${id}"`))).toEqual([]);
    const problems = controls(app).filter((tag) => {
      const action = actionOf(tag);
      return action === null ? !tag.includes('data-palette="none"') : !(SHELL_ACTIONS as readonly string[]).includes(action);
    });
    expect(problems).toEqual([]);
  });
});

describe("palette registry", () => {
  it("lists a shown screen's actions, each enabled only where it applies, and forgets them when it goes", async () => {
    mockIPC((cmd) => {
      if (cmd === "outbox") return [];
      throw new Error(cmd);
    });
    const view = render(SyncView, { onFix: vi.fn() });
    expect(palette.registered("sync")).toEqual([...SCREEN_ACTIONS.sync]);
    view.unmount();
    expect(palette.registered("sync")).toEqual([]);
  });

  it("offers the editor's actions for the open draft", async () => {
    const state = editorState({ items: [item("1", { offeringId: "14305" })] });
    mockIPC((cmd) => {
      if (cmd === "open_draft") return opened(state);
      if (cmd === "draft_submission" || cmd === "draft_refusal") return null;
      if (cmd === "list_profiles") return [];
      if (cmd === "catalog_categories" || cmd === "search_offerings") return [];
      if (cmd === "offering_shortcuts") return { favourites: [], recent: [] };
      throw new Error(cmd);
    });
    const editor = new EditorStore();
    await editor.open("d-1");
    editor.selected = "1";
    render(EditorView, { editor, onClose: vi.fn() });
    expect(palette.registered("editor").sort()).toEqual([...SCREEN_ACTIONS.editor].sort());
    const commands = palette.commands();
    const enabled = (id: string) => commands.find((c) => c.id === id)?.enabled !== false;
    expect(enabled("editor-duplicate")).toBe(true);
    expect(enabled("editor-delete")).toBe(true);
    expect(enabled("editor-favourite")).toBe(true);
    // Nothing is submitted: there is nothing to withdraw or amend.
    expect(enabled("editor-withdraw")).toBe(false);
    expect(enabled("editor-amend")).toBe(false);

    // The palette shows them; running *Delete the draft…* asks first.
    const onClose = vi.fn();
    render(CommandPalette, { commands, onClose });
    const list = screen.getByRole("listbox", { name: "Commands" });
    expect(within(list).queryByText("Withdraw and edit")).toBeNull();
    await fireEvent.mouseDown(within(list).getByText("Delete the draft…"));
    expect(await screen.findByRole("dialog", { name: "Delete this draft?" })).toBeTruthy();
  });

  it("stars the offering the catalog shows", async () => {
    const fibre = { id: "20059", name: "Fibre Home", description: null, isBundle: false, lifecycleStatus: "Active", categories: [], priceTags: [] };
    let favourites: (typeof fibre)[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "catalog_categories") return [];
      if (cmd === "search_offerings") return [fibre];
      if (cmd === "offering_detail") return { summary: fibre, prices: [], bundle: [], characteristics: [], reliesOn: [] };
      if (cmd === "offering_shortcuts") return { favourites, recent: [] };
      if (cmd === "set_favourite_offering") {
        const a = args as { offeringId: string; favourite: boolean };
        favourites = a.favourite && a.offeringId === fibre.id ? [fibre] : [];
        return null;
      }
      throw new Error(cmd);
    });
    render(CatalogView);
    const favourite = () => palette.commands().find((c) => c.id === "catalog-favourite");
    expect(favourite()?.enabled).toBe(false);
    await fireEvent.click(await screen.findByRole("button", { name: /Fibre Home/ }));
    const star = await screen.findByRole("button", { name: "Add Fibre Home to favourites" });
    expect(star.getAttribute("aria-pressed")).toBe("false");
    expect(favourite()?.enabled).toBe(true);
    favourite()?.run();
    const pressed = await screen.findByRole("button", { name: "Remove Fibre Home from favourites" });
    expect(pressed.getAttribute("aria-pressed")).toBe("true");
    expect(favourite()?.label).toBe("Remove Fibre Home from favourites");
  });
});
