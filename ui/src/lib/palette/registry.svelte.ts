// The command palette's actions, by screen. The shell lists its own (navigation, new draft,
// theme, language); each screen registers the actions it offers while it is shown, so the
// palette lists exactly what applies where the agent is, each enabled only when it applies.
//
// Every button of a screen says which palette action it is (`data-action="<id>"`), or that it
// belongs to one row, field or open dialog and so has none of its own (`data-palette="none"`);
// `palette.test.ts` reads every screen's markup and fails when a button says neither, or names
// an action its screen does not register.
import { untrack } from "svelte";
import type { PaletteCommand } from "../components/CommandPalette.svelte";

/** The shell's own actions (App.svelte). */
export const SHELL_ACTIONS = [
  "new",
  "orders",
  "sync",
  "catalog",
  "settings",
  "search",
  "add",
  "undo",
  "redo",
  "submit",
  "move",
  "demo",
] as const;

/** Every action each screen registers. */
export const SCREEN_ACTIONS = {
  // The shell's *New draft* and *Search* are the Orders screen's.
  orders: ["orders-page-first", "orders-page-previous", "orders-page-next", "orders-page-last"],
  editor: [
    "editor-history",
    "editor-export",
    "editor-duplicate",
    "editor-delete",
    "editor-withdraw",
    "editor-amend",
    "editor-favourite",
    "editor-priceFromCatalog",
  ],
  order: ["order-amend", "order-cancel"],
  sync: ["sync-now"],
  catalog: ["catalog-search", "catalog-favourite"],
  settings: ["settings-addProfile", "settings-import", "settings-importFile"],
  // The header's Help menu, on every screen.
  help: ["help-updates", "help-diagnostics", "help-about"],
} as const;

export type Screen = keyof typeof SCREEN_ACTIONS;
export type ScreenActionId<S extends Screen> = (typeof SCREEN_ACTIONS)[S][number];

export interface ScreenCommand<S extends Screen> extends Omit<PaletteCommand, "id"> {
  id: ScreenActionId<S>;
}

class PaletteRegistry {
  // Raw: replaced as a whole on every registration, never mutated.
  private screens = $state.raw<Partial<Record<Screen, () => PaletteCommand[]>>>({});

  /** Offer `commands` (read again whenever the palette is drawn, so `enabled` and labels
   *  follow the screen's state) until the returned function is called. */
  register<S extends Screen>(screen: S, commands: () => ScreenCommand<S>[]): () => void {
    const mine = () => commands();
    this.screens = { ...this.screens, [screen]: mine };
    return () => {
      if (this.screens[screen] !== mine) return;
      const rest = { ...this.screens };
      delete rest[screen];
      this.screens = rest;
    };
  }

  /** The registered screens' commands. */
  commands(): PaletteCommand[] {
    return Object.values(this.screens).flatMap((list) => list?.() ?? []);
  }

  /** The ids a screen registered (for tests). */
  registered(screen: Screen): string[] {
    return this.screens[screen]?.().map((c) => c.id) ?? [];
  }
}

export const palette = new PaletteRegistry();

/** A screen's palette actions, while the component calling this (during its set-up) is shown. */
export function registerActions<S extends Screen>(screen: S, commands: () => ScreenCommand<S>[]) {
  // Registering reads and replaces the registry: untracked, so it does not re-run itself.
  $effect(() => untrack(() => palette.register(screen, commands)));
}
