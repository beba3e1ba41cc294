// The agent's settings (Rust `Settings`, saved in SQLite): rounding, the version of new drafts,
// the locale and the theme. The first status carries them, so the first screen is painted in
// the agent's language and theme; Settings and the command palette change them through here.
import { backend, type Settings, type Theme } from "../backend/ipc";
import { applyLocale } from "../i18n/locale.svelte";

export type { Theme };

/** The themes Settings offers; `system` follows the system's light or dark preference. */
export const THEMES: readonly Theme[] = ["system", "light", "dark"];

/** Show `theme`: the tokens in app.css pick their light or dark value from `color-scheme`,
 *  which follows the system unless `data-theme` says otherwise. */
export function applyTheme(theme: Theme | null | undefined): void {
  if (typeof document === "undefined") return;
  const root = document.documentElement;
  if (theme === "light" || theme === "dark") root.dataset.theme = theme;
  else delete root.dataset.theme;
}

/** Show the locale and the theme of `settings`. */
export function applyLook(settings: Pick<Settings, "locale" | "theme"> | null | undefined): void {
  applyLocale(settings?.locale);
  applyTheme(settings?.theme);
}

export class SettingsStore {
  /** The saved settings, once known. */
  current = $state<Settings | null>(null);

  /** Take settings the backend sent (with a status or a save) and show them. */
  apply(settings: Settings | null | undefined) {
    if (!settings) return;
    this.current = settings;
    applyLook(settings);
  }

  async load(): Promise<Settings> {
    const settings = await backend.getSettings();
    this.apply(settings);
    return settings;
  }

  /** Save a change (the backend checks it); the new settings show at once. Throws the
   *  backend's error, and then nothing changed. */
  async save(patch: Partial<Settings>): Promise<Settings> {
    const base = this.current ?? (await backend.getSettings());
    const saved = await backend.saveSettings({ ...base, ...patch });
    this.apply(saved);
    return saved;
  }
}
