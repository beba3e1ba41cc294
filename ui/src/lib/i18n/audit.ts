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
