// Accessibility checks in the real window: axe-core (the npm package, injected through
// WebDriver) on what the window shows, and the checks of the UI's language.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const MESSAGES = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "ui", "messages");

/** Impacts that fail the suite. */
const BLOCKING = new Set(["serious", "critical"]);

/**
 * Runs axe-core on the whole page and fails on any violation of serious or critical impact,
 * naming the rule, the elements and what axe says about each. `where` names the screen.
 */
export async function assertAccessible(browser, where) {
  const loaded = await browser.execute(() => typeof window.axe === "object");
  if (!loaded) await browser.execute(`${AXE_SOURCE}\nreturn true;`);
  const violations = await browser.executeAsync((done) => {
    window.axe
      .run(document, { resultTypes: ["violations"] })
      .then((results) =>
        done(
          results.violations.map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
          })),
        ),
      )
      .catch((error) => done([{ id: "axe-error", impact: "critical", help: String(error), nodes: [] }]));
  });
  const blocking = violations.filter((v) => BLOCKING.has(v.impact));
  assert.deepEqual(blocking, [], `${where}: axe-core found serious or critical violations:\n${JSON.stringify(blocking, null, 2)}`);
  return violations;
}

/** Fails when text on screen is smaller than `min` pixels (the computed size of the element
 *  that holds it), naming the smallest. */
export async function assertTextSize(browser, where, min = 12) {
  const small = await browser.execute((least) => {
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el || !node.textContent.trim() || el.getClientRects().length === 0) continue;
      if (el.closest(".sr-only, script, style")) continue;
      const size = Number.parseFloat(getComputedStyle(el).fontSize);
      if (size < least) out.push(`${size}px: ${node.textContent.trim().slice(0, 40)}`);
    }
    return out.slice(0, 10);
  }, min);
  assert.deepEqual(small, [], `${where}: text smaller than ${min} px`);
}

/** Every text of a catalog message: the text itself, or each variant of a plural message. */
function texts(message) {
  if (typeof message === "string") return [message];
  if (Array.isArray(message)) return message.flatMap((v) => Object.values(v.match ?? {}));
  return [];
}

/** The words of a message text between its parameters, as they show on screen. */
function fragments(text) {
  return text
    .split(/\{[^}]*\}/)
    .map((f) => f.replace(/^[\s.,:;·()“”„"'…–-]+|[\s.,:;·()“”„"'…–-]+$/g, ""))
    .filter((f) => /\p{L}/u.test(f));
}

function catalogs() {
  return Object.fromEntries(
    ["en", "de"].map((l) => [l, JSON.parse(readFileSync(join(MESSAGES, `${l}.json`), "utf8"))]),
  );
}

/**
 * What shows on screen when a string of `language`'s catalog was left untranslated while the
 * UI speaks another language: the whole text of a message without parameters, and the longer
 * pieces of text between the parameters of the others; none that another catalog has too.
 */
export function signsOf(language) {
  const all = catalogs();
  const messages = (c) => Object.entries(c).filter(([k]) => k !== "$schema").map(([, m]) => texts(m));
  const othersText = Object.entries(all)
    .filter(([l]) => l !== language)
    .flatMap(([, c]) => messages(c).flat())
    .join("\n");
  const whole = new Set();
  const pieces = new Set();
  for (const variants of messages(all[language])) {
    for (const text of variants) {
      if (!/\{/.test(text)) whole.add(text.trim());
      else for (const f of fragments(text)) if (f.length >= 8) pieces.add(f);
    }
  }
  const own = (t) => !othersText.includes(t);
  return { whole: [...whole].filter(own), pieces: [...pieces].filter(own) };
}

/**
 * What the UI says on screen, string by string: visible text, option labels, and the names and
 * hints it gives controls (`aria-label`, `placeholder`, `title`, `alt`); without what is marked
 * as another language (`lang` on the backend's and the server's own messages) or as data not to
 * translate (`translate="no"`), and without form values.
 */
export function uiStrings(browser) {
  return browser.execute(() => {
    const out = [];
    const root = document.documentElement;
    const own = root.lang.split("-")[0];
    const skipped = (el) => {
      const marked = el.closest("[lang]");
      if (marked && marked !== root && marked.lang.split("-")[0] !== own) return true;
      return el.closest('[translate="no"], script, style, textarea, [hidden]') !== null;
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el || skipped(el)) continue;
      const text = node.textContent.trim();
      if (text && (el.getClientRects().length > 0 || el.closest("option"))) out.push(text);
    }
    for (const el of document.querySelectorAll("[aria-label], [placeholder], [title], [alt]")) {
      if (skipped(el)) continue;
      for (const name of ["aria-label", "placeholder", "title", "alt"]) {
        const value = el.getAttribute(name)?.trim();
        if (value) out.push(value);
      }
    }
    return out;
  });
}

/** Fails when a string of `other`'s catalog shows on screen (the UI speaks another language),
 *  or when the UI still labels a time "(UTC)". */
export async function assertSpeaks(browser, where, other) {
  const strings = await uiStrings(browser);
  const { whole, pieces } = signsOf(other);
  const left = [
    ...whole.filter((w) => strings.includes(w)).map((w) => `"${w}"`),
    ...pieces.flatMap((p) => strings.filter((s) => s.includes(p)).map((s) => `"${p}" in "${s}"`)),
  ];
  assert.deepEqual(left, [], `${where}: strings of the ${other} catalog still on screen`);
  const utc = strings.filter((s) => s.includes("(UTC)"));
  assert.deepEqual(utc, [], `${where}: a time is still labelled (UTC)`);
}
