// The message catalogs' consistency check (run by `catalogs.test.ts`, so by the test command):
// every language has every key, with the same parameters, and every key is used by the code.
// Pure: the caller reads the catalogs and the sources.

/** A catalog as stored: `messages/<language>.json` (inlang message format). */
export type Catalog = Record<string, unknown>;

/** How code uses a message: `m.<key>(…)`, or `m.<key>` alone (a message function in a table). */
const USE = /\bm\.([A-Za-z_][A-Za-z0-9_]*)\b/g;

/** Keys the catalogs hold that are not messages. */
const META = new Set(["$schema"]);

function keys(catalog: Catalog): string[] {
  return Object.keys(catalog).filter((k) => !META.has(k));
}

/** The parameters a message takes: `{name}` in a plain text, `input name` declarations in a
 *  message with variants. */
export function parameters(message: unknown): string[] {
  const found = new Set<string>();
  if (typeof message === "string") {
    for (const match of message.matchAll(/\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}/g)) found.add(match[1] ?? "");
  } else if (Array.isArray(message)) {
    for (const variant of message) {
      const declarations = (variant as { declarations?: unknown }).declarations;
      if (!Array.isArray(declarations)) continue;
      for (const d of declarations) {
        const match = typeof d === "string" ? /^input\s+([A-Za-z_][A-Za-z0-9_]*)$/.exec(d.trim()) : null;
        if (match) found.add(match[1] ?? "");
      }
    }
  }
  return [...found].sort();
}

/** The message keys `sources` use. */
export function usedKeys(sources: readonly string[]): Set<string> {
  const used = new Set<string>();
  for (const source of sources) for (const match of source.matchAll(USE)) used.add(match[1] ?? "");
  return used;
}

/**
 * What is wrong with the catalogs, one line per problem (none: they are consistent):
 * a key missing in a language, a key no code uses, a key the code uses that no catalog has,
 * and a message whose parameters differ between languages.
 */
export function auditCatalogs(catalogs: Record<string, Catalog>, base: string, sources: readonly string[]): string[] {
  const problems: string[] = [];
  const languages = Object.keys(catalogs).sort();
  const all = new Set(languages.flatMap((l) => keys(catalogs[l] ?? {})));
  for (const language of languages) {
    const have = new Set(keys(catalogs[language] ?? {}));
    for (const key of [...all].sort()) {
      if (!have.has(key)) problems.push(`${language}: missing "${key}"`);
    }
  }
  const reference = catalogs[base] ?? {};
  for (const key of [...all].sort()) {
    const expected = parameters(reference[key]).join(", ");
    for (const language of languages) {
      const catalog = catalogs[language] ?? {};
      if (language === base || !(key in catalog) || !(key in reference)) continue;
      const actual = parameters(catalog[key]).join(", ");
      if (actual !== expected) {
        problems.push(`${language}: "${key}" takes {${actual}}, ${base} takes {${expected}}`);
      }
    }
  }
  const used = usedKeys(sources);
  for (const key of [...all].sort()) {
    if (!used.has(key)) problems.push(`unused: "${key}" is in a catalog but no code uses it`);
  }
  for (const key of [...used].sort()) {
    if (!all.has(key)) problems.push(`unknown: the code uses "${key}", which no catalog has`);
  }
  return problems;
}

/**
 * Words that may stand in markup as they are: names that are the same in every language. Any
 * other run of letters a component writes itself (a text node, or a literal `title`,
 * `aria-label`, `placeholder`, `alt` or `label`) must come from a message.
 */
export const UNTRANSLATED_WORDS: ReadonlySet<string> = new Set(["Orderdesk", "JSON"]);

/** Attributes people read (or hear from a screen reader). */
const READ_ATTRIBUTES = /\s(?:title|aria-label|aria-description|placeholder|alt|label)="([^"]*)"/g;

/** `source` without `{…}` expressions (nested braces and quoted strings inside them held
 *  together), so what remains is markup and literal text. */
function withoutExpressions(source: string): string {
  let out = "";
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < source.length; i++) {
    const c = source[i] ?? "";
    if (depth === 0) {
      if (c === "{") depth = 1;
      else out += c;
      continue;
    }
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === "{") depth++;
    else if (c === "}") depth--;
    // A newline keeps its place, so a finding's line number is the source's.
    if (c === "\n") out += c;
  }
  return out;
}

/**
 * The hard-coded text of a Svelte component's markup, one `line: text` per finding (none: every
 * word comes from a message). A pragmatic scan, not a parser: the script and style blocks and
 * comments are set aside, `{…}` expressions (where `m.*()` calls live) are removed, and what is
 * left between tags or in a read attribute must hold no word of two or more letters outside
 * `UNTRANSLATED_WORDS`. Symbols, numbers and punctuation (`×`, `·`, `…`, `→`) pass, and so do
 * codes with digits (`v4.0.0`, `TMF622`) and an example address (`https://host/…`).
 */
export function hardCodedText(source: string): string[] {
  const blank = (block: string) => block.replace(/[^\n]/g, " ");
  const markup = withoutExpressions(
    source
      .replace(/<script[\s\S]*?<\/script>/g, blank)
      .replace(/<style[\s\S]*?<\/style>/g, blank)
      .replace(/<!--[\s\S]*?-->/g, blank),
  );
  const found: string[] = [];
  const check = (text: string, at: number) => {
    if (/^\s*https?:\/\/\S*\s*$/.test(text)) return;
    const words = [...text.matchAll(/\p{L}[\p{L}\p{N}’']*/gu)].map((w) => w[0]);
    const word = (w: string) => w.length > 1 && !/\p{N}/u.test(w) && !UNTRANSLATED_WORDS.has(w);
    if (words.some(word)) {
      const line = markup.slice(0, at).split("\n").length;
      found.push(`${line}: ${text.trim().replace(/\s+/g, " ")}`);
    }
  };
  for (const tag of markup.matchAll(/<[A-Za-z][^>]*>/g)) {
    for (const attr of tag[0].matchAll(READ_ATTRIBUTES)) check(attr[1] ?? "", (tag.index ?? 0) + (attr.index ?? 0));
  }
  for (const text of markup.matchAll(/>([^<>]+)</g)) check(text[1] ?? "", text.index ?? 0);
  return found;
}
