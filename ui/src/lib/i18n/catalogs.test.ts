import { describe, expect, it } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { auditCatalogs, hardCodedText, parameters } from "./audit";
import { baseLocale, locales } from "../paraglide/runtime.js";

const UI = join(__dirname, "..", "..", "..");
const SRC = join(UI, "src");

/** The paths of every source file of the app (not the generated messages, not the tests). */
function sourcePaths(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (relative(SRC, path) !== join("lib", "paraglide")) out.push(...sourcePaths(path));
    } else if (/\.(ts|svelte)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name)) {
      out.push(path);
    }
  }
  return out;
}

/** Every source file of the app, read. */
function sources(dir: string): string[] {
  return sourcePaths(dir).map((path) => readFileSync(path, "utf8"));
}

function catalog(language: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(UI, "messages", `${language}.json`), "utf8")) as Record<string, unknown>;
}

describe("the message catalogs", () => {
  it("are complete in every language, with the same parameters, and every key is used", () => {
    const catalogs = Object.fromEntries(locales.map((l) => [l, catalog(l)]));
    expect(auditCatalogs(catalogs, baseLocale, sources(SRC))).toEqual([]);
  });
});

describe("the components", () => {
  it("write no text of their own: every word on screen comes from a message", () => {
    const components = sourcePaths(SRC).filter((path) => path.endsWith(".svelte"));
    expect(components.length).toBeGreaterThan(30);
    const found = components.flatMap((path) => hardCodedText(readFileSync(path, "utf8")).map((f) => `${relative(SRC, path)}:${f}`));
    expect(found).toEqual([]);
  });
});

describe("the hard-coded text scan", () => {
  it("finds text nodes and read attributes with words, not messages, symbols or names", () => {
    const source = [
      "<script>const a = \"Not markup\";</script>",
      "<h2>{m.title()}</h2>",
      "<p>Saved to {path}.</p>",
      '<button title="Close" aria-label={m.close()}>×</button>',
      '<input placeholder="https://host/v4/" alt="Photo" />',
      "{#if x}<span>{a} · {b} → {c}</span>{/if}",
      "<!-- a comment -->",
      "<dd>Orderdesk {version}</dd><option>v4.0.0</option><b>TMF622</b>",
      "<em>{`${a} {b}`} und</em>",
      "<style>p { color: red; }</style>",
    ].join("\n");
    expect(hardCodedText(source)).toEqual(["4: Close", "5: Photo", "3: Saved to .", "9: und"]);
  });
});

describe("the catalog check", () => {
  const plural = (input: string) => [
    {
      declarations: [`input ${input}`, `local p = ${input}: plural`],
      selectors: ["p"],
      match: { "p=one": `{${input}} item`, "p=other": `{${input}} items` },
    },
  ];

  it("reads the parameters of plain and plural messages", () => {
    expect(parameters("Queued for {server}; {count} left")).toEqual(["count", "server"]);
    expect(parameters(plural("count"))).toEqual(["count"]);
    expect(parameters("No parameters")).toEqual([]);
  });

  it("finds a missing key, an unused key, an unknown key and different parameters", () => {
    const catalogs = {
      en: { $schema: "x", title: "Orders", shown: plural("count"), spare: "Spare", greet: "Hi {name}" },
      de: { $schema: "x", title: "Aufträge", shown: plural("n"), greet: "Hallo {who}" },
    };
    const code = ["m.title()", "{m.shown({ count: 2 })}", "m.greet({ name })", "const t = m.gone;"];
    expect(auditCatalogs(catalogs, "en", code)).toEqual([
      'de: missing "spare"',
      'de: "greet" takes {who}, en takes {name}',
      'de: "shown" takes {n}, en takes {count}',
      'unused: "spare" is in a catalog but no code uses it',
      'unknown: the code uses "gone", which no catalog has',
    ]);
  });

  it("passes consistent catalogs", () => {
    const catalogs = { en: { a: "A {x}" }, de: { a: "Ä {x}" } };
    expect(auditCatalogs(catalogs, "en", ["m.a({ x: 1 })"])).toEqual([]);
  });
});

describe("the finding explanations", () => {
  it("cover exactly the codes of docs/findings.md, the core's one table", async () => {
    const { EXPLAINED_CODES } = await import("./findings");
    const table = readFileSync(join(UI, "..", "docs", "findings.md"), "utf8");
    const documented = [...table.matchAll(/^\| `([a-z_.]+)` \|/gm)].map((m) => m[1]).sort();
    expect(documented.length).toBeGreaterThan(30);
    expect([...EXPLAINED_CODES].sort()).toEqual(documented);
  });
});
