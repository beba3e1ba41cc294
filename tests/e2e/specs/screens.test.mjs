// A tour of every screen with realistic content, as an agent sees it: the welcome screen, the
// Orders list with drafts and submitted orders, the editor (bundle tree, characteristics, price
// panel and chart, checks), its revision history, the export dialog, an order's detail with its
// timeline, the Sync screen, the catalog browser, Settings with the server profiles and the
// command palette. The tour goes round three times: in German, in English (the README's
// pictures) and in the dark theme. On every screen axe-core must find no serious or critical
// violation, no text may be smaller than 12 px and no string of the other language may show;
// navigation moves focus to the new screen's heading, dialogs keep it and give it back. Each screen is saved as
// `screen-<name>.png` (`screen-de-<name>.png`, `screen-dark-<name>.png`);
// `E2E_UPDATE_DOCS=1 run.sh` copies them to docs/screenshots/ for the README.
import { test } from "node:test";
import assert from "node:assert/strict";
import { screenshot, waitForPaint, withApp } from "../lib/app.mjs";
import { assertAccessible, assertSpeaks, assertTextSize } from "../lib/a11y.mjs";
import {
  addTmf25,
  newDraftFor,
  openOrder,
  orderRows,
  setLook,
  submitDraft,
  timelineStates,
  useDemoServer,
  waitEditor,
  waitOrderState,
} from "../lib/flows.mjs";

const SUBMITTED = { id: "CUST-2201", name: "Harbour Logistics Ltd" };
const DRAFTED = { id: "CUST-2202", name: "Nadia Kowalski" };

/** One round of the tour: the look it is shown in and the language that must not show. */
const ROUNDS = [
  { prefix: "de-", look: { locale: "de-DE", theme: "light" }, other: "en" },
  { prefix: "", look: { locale: "", theme: "system" }, other: "de" },
  { prefix: "dark-", look: { theme: "dark" }, other: "de" },
];

/** Checks the screen (axe-core, text size, its language) and, unless `shot` is false, saves
 *  it as `screen-<prefix><name>.png`. */
async function check(browser, round, name, { shot = true } = {}) {
  await waitForPaint(browser);
  const where = `${round.prefix}${name}`;
  await assertAccessible(browser, where);
  await assertTextSize(browser, where);
  await assertSpeaks(browser, where, round.other);
  if (shot) await screenshot(browser, `screen-${where}`);
}

/** The element that has focus: its tag, id and text. */
function focused(browser) {
  return browser.execute(() => {
    const el = document.activeElement;
    return { tag: el?.tagName ?? "", id: el?.id ?? "", text: el?.textContent?.trim() ?? "", inDialog: !!el?.closest("dialog") };
  });
}

/** Goes to a screen by the main navigation (its position, not its words); when the screen
 *  changed, focus must have moved to its heading. */
async function go(browser, index, heading) {
  const title = await browser.$(heading);
  const there = await title.isDisplayed();
  const buttons = await browser.$$("header nav button");
  await buttons[index].click();
  await title.waitForDisplayed({ timeout: 10_000 });
  if (there) return;
  await browser.waitUntil(async () => (await focused(browser)).tag === "H2", {
    timeout: 5_000,
    timeoutMsg: `focus did not move to the heading of ${heading}: ${JSON.stringify(await focused(browser))}`,
  });
}
const ORDERS = 0;
const SYNC = 1;
const CATALOG = 2;
const SETTINGS = 3;

async function tour(browser, round, ids) {
  // Orders: the draft and the completed order.
  await go(browser, ORDERS, "#orders-title");
  await browser.waitUntil(async () => (await orderRows(browser)).length >= 2, { timeout: 10_000 });
  if (round.prefix === "de-") {
    // Dates are typed and read in the locale's order; times are local, with no "(UTC)".
    const from = await browser.$("#orders-from");
    await from.setValue("23.11.2026");
    await browser.keys("Tab");
    await browser.waitUntil(async () => (await from.getValue()) === "23.11.2026", {
      timeout: 5_000,
      timeoutMsg: "the From filter did not keep 23.11.2026",
    });
    assert.equal(await from.getAttribute("aria-invalid"), null, "23.11.2026 is a day");
    const changed = await browser.execute(() =>
      [...document.querySelectorAll("tr[data-kind] td:nth-child(6)")].map((td) => td.textContent.trim()),
    );
    const today = new Intl.DateTimeFormat("de-DE", { year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
    assert.ok(changed.length >= 2 && changed.every((c) => c.startsWith(`${today}, `)), JSON.stringify(changed));
  }
  await check(browser, round, "orders");

  // The editor, as the README shows it: one TMF25 bundle, its tariff plan selected.
  const draftRow = await browser.$(`//tr[@data-kind="draft"]//button[normalize-space()="${DRAFTED.name}"]`);
  await draftRow.click();
  await (await browser.$(`#tree-row-${ids.tariff} .name`)).waitForDisplayed({ timeout: 15_000 });
  await (await browser.$(`#tree-row-${ids.tariff} .name`)).click();
  await (await browser.$('section[aria-labelledby="price-title"] h4')).waitForDisplayed({ timeout: 10_000 });
  if (round.prefix === "de-") {
    // The one-bundle TMF25 order over 12 months, the German way.
    const total = await (await browser.$('[data-testid="total-EUR"]')).getText();
    assert.equal(total, "228,99 €");
  }
  await check(browser, round, "editor");

  // "Move to…" from the tree (M): a dialog that keeps focus, then gives it back to the tree.
  await (await browser.$('[role="tree"]')).click();
  await browser.keys("m");
  await (await browser.$("dialog #move-title")).waitForDisplayed({ timeout: 10_000 });
  assert.ok((await focused(browser)).inDialog, "the move dialog holds focus");
  await check(browser, round, "move", { shot: false });
  await browser.keys("Escape");
  await (await browser.$("dialog")).waitForExist({ reverse: true, timeout: 5_000 });
  await browser.waitUntil(() => browser.execute(() => document.activeElement?.getAttribute("role") === "tree"), {
    timeout: 5_000,
    timeoutMsg: "focus did not go back to the tree",
  });

  const bar = await browser.$(".editor .bar");
  const buttons = await bar.$$("button");
  // The bar's buttons: back, undo, redo, history, export, submit.
  await buttons[3].click();
  await (await browser.$('section[aria-labelledby="history-title"]')).waitForDisplayed({ timeout: 10_000 });
  await check(browser, round, "editor-history");
  await buttons[3].click();

  await buttons[4].click();
  const exported = await browser.$('dialog textarea');
  await browser.waitUntil(async () => (await exported.getValue()).includes('"productOrderItem"'), {
    timeout: 10_000,
    timeoutMsg: "the export never showed the order",
  });
  assert.ok((await focused(browser)).inDialog, "the export dialog holds focus");
  await check(browser, round, "export");
  await browser.keys("Escape");
  await (await browser.$("dialog")).waitForExist({ reverse: true, timeout: 5_000 });
  const back = await focused(browser);
  assert.equal(back.tag, "BUTTON", "focus went back to the Export button");
  assert.ok(!back.inDialog);

  // The completed order's detail with its timeline.
  await buttons[0].click();
  await openOrder(browser, SUBMITTED.name);
  await browser.waitUntil(async () => (await timelineStates(browser)).includes("completed"), {
    timeout: 15_000,
    timeoutMsg: "the timeline never reached completed",
  });
  await check(browser, round, "order-detail");

  await go(browser, SYNC, "#sync-title");
  await check(browser, round, "sync");

  await go(browser, CATALOG, "nav.cats h2");
  const search = await browser.$('section.list input[type="search"]');
  await search.addValue("TMF25");
  // Wait for the search's own answer (every name matches), not the full list shown before it.
  await browser.waitUntil(
    () =>
      browser.execute(() => {
        const names = [...document.querySelectorAll("section.list li .name")].map((n) => n.textContent.trim());
        return names.includes("TMF25") && names.every((n) => n.includes("TMF25"));
      }),
    { timeout: 15_000, timeoutMsg: "the catalog search never listed only TMF25 offerings" },
  );
  await (await browser.$("section.list").$("span.name=TMF25")).click();
  await (await browser.$("section.detail").$("h2*=TMF25")).waitForDisplayed({ timeout: 10_000 });
  await check(browser, round, "catalog");

  await go(browser, SETTINGS, "#s-servers");
  const page = await browser.execute(() => document.querySelector("main")?.innerText ?? "");
  assert.match(page, /demo/i, "the demo profile is listed");
  await check(browser, round, "settings");

  // The profile form, with the backend's errors next to its fields.
  await (await browser.$(".profiles button.add")).click();
  const form = await browser.$("form.form");
  await form.waitForDisplayed({ timeout: 10_000 });
  await (await form.$('button[type="submit"]')).click();
  await (await form.$('[aria-invalid="true"]')).waitForExist({ timeout: 10_000, timeoutMsg: "saving an empty profile showed no field error" });
  await check(browser, round, "profile-form", { shot: false });
  await (await form.$$(".buttons button"))[2].click();
  await form.waitForExist({ reverse: true, timeout: 5_000 });
  const heading = await browser.$(".settings h2");
  await heading.click();

  // The palette keeps focus while open and gives it back when it closes.
  const before = await focused(browser);
  await browser.keys(["Control", "k"]);
  const input = await browser.$("dialog.palette input");
  await input.waitForDisplayed({ timeout: 10_000 });
  await browser.keys("Tab");
  await browser.keys(["Shift", "Tab"]);
  assert.ok((await focused(browser)).inDialog, "Tab stays in the palette");
  await check(browser, round, "command-palette");
  await browser.keys("Escape");
  await (await browser.$("dialog.palette")).waitForExist({ reverse: true, timeout: 5_000 });
  assert.deepEqual(await focused(browser), before, "focus went back to where it was");
}

test("every screen, with content, in German, English and the dark theme, accessible, for the README", async () => {
  await withApp("screens", async (browser) => {
    await (await browser.$("#welcome-title")).waitForDisplayed({ timeout: 30_000 });
    // The first screen in each look (the palette switches the look before any server is set up).
    for (const round of ROUNDS) {
      await setLook(browser, round.look);
      await check(browser, round, "welcome");
    }
    await setLook(browser, { theme: "system" });
    await useDemoServer(browser);

    // An order that goes all the way: two bundles, submitted, completed.
    await newDraftFor(browser, SUBMITTED);
    await addTmf25(browser, "34600111222", "National");
    await addTmf25(browser, "34600333444");
    await submitDraft(browser);

    // A draft with one bundle, left for the editor's picture.
    await (await browser.$(".editor .bar").$('button[aria-label="Back to Orders"]')).click();
    await newDraftFor(browser, DRAFTED);
    const ids = await addTmf25(browser, "34600555666", "International");
    await waitEditor(browser, "the draft never settled", () => true);
    await (await browser.$(".editor .bar").$('button[aria-label="Back to Orders"]')).click();
    await waitOrderState(browser, SUBMITTED.name, "completed", 60_000);

    for (const round of ROUNDS) {
      await setLook(browser, round.look);
      await tour(browser, round, ids);
    }
  });
});
