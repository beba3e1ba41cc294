// The app's locale, in one place. A locale is a BCP 47 tag (`de-AT`): its language picks the
// message catalog (`messages/<language>.json`, compiled by Paraglide JS into `lib/paraglide`),
// and the whole tag is what `Intl` formats money, numbers and dates with. The setting (Rust
// `Settings.locale`) is a tag, or empty to follow the system's.
//
// Paraglide's message functions ask `getLocale()` for the language on every call; here it
// reads reactive state, so every message and every formatted value on screen follows a
// change of the setting without reloading the page.
import { baseLocale, locales, overwriteGetLocale } from "../paraglide/runtime.js";

/** A language with a complete message catalog. */
export type Language = (typeof locales)[number];

/** The locales Settings offers, each in a language with a catalog. Any other well-formed tag
 *  still works: its language falls back to English, its formats stay its own. */
export const LOCALES: readonly string[] = ["en-US", "en-GB", "de-DE", "de-AT", "de-CH"];

/** `tag` in canonical form, or null when it is not a locale `Intl` knows. */
export function canonicalLocale(tag: string | null | undefined): string | null {
  if (!tag) return null;
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? null;
  } catch {
    return null;
  }
}

/** The system's locale, as the webview reports it. */
export function systemLocale(): string {
  const nav = typeof navigator === "undefined" ? undefined : navigator;
  for (const tag of [...(nav?.languages ?? []), nav?.language]) {
    const known = canonicalLocale(tag);
    if (known) return known;
  }
  return "en-US";
}

/** The catalog language for a locale: its own when there is a catalog, else English. */
export function languageOf(tag: string): Language {
  const language = tag.split("-")[0]?.toLowerCase() ?? "";
  return locales.find((l) => l === language) ?? baseLocale;
}

/** The locale a setting stands for: the tag, or the system's when the setting is empty (or
 *  not a locale). */
export function resolveLocale(setting: string | null | undefined): string {
  return canonicalLocale(setting?.trim()) ?? systemLocale();
}

class LocaleState {
  /** The tag `Intl` formats with. */
  tag = $state(systemLocale());
  /** The catalog messages come from. */
  language = $derived(languageOf(this.tag));
}

/** The app's current locale (reactive). */
export const locale = new LocaleState();

overwriteGetLocale(() => locale.language);

/** Make `setting` the app's locale (empty: the system's). */
export function applyLocale(setting: string | null | undefined): void {
  const tag = resolveLocale(setting);
  locale.tag = tag;
  if (typeof document !== "undefined") document.documentElement.lang = tag;
}

/** A locale's name in its own language (`Deutsch (Österreich)`), as language pickers show it. */
export function localeName(tag: string): string {
  try {
    return new Intl.DisplayNames([tag], { type: "language", languageDisplay: "standard" }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}
