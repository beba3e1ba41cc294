// A tour of every screen with realistic content, as an agent sees it: the welcome screen, the
// Orders list with drafts and submitted orders, the editor (bundle tree, characteristics, price
// panel and chart, checks), its revision history, the export dialog, an order's detail with its
// timeline, the Sync screen, the catalog browser, Settings with the server profiles and the
// command palette. Each screen is saved as `screen-<name>.png`; `E2E_UPDATE_DOCS=1 run.sh`
// copies them to docs/screenshots/ for the README.
import { test } from "node:test";
import assert from "node:assert/strict";
import { screenshot, waitForPaint, withApp } from "../lib/app.mjs";
import {
  addTmf25,
  newDraftFor,
  openOrder,
  submitDraft,
  timelineStates,
  useDemoServer,
  waitEditor,
  waitOrderState,
} from "../lib/flows.mjs";

const SUBMITTED = { id: "CUST-2201", name: "Harbour Logistics Ltd" };
const DRAFTED = { id: "CUST-2202", name: "Nadia Kowalski" };

async function shot(browser, name) {
  await waitForPaint(browser);
  await screenshot(browser, `screen-${name}`);
}

async function go(browser, screen) {
  await (await browser.$('nav[aria-label="Main"]').$(`button=${screen}`)).click();
}

test("every screen, with content, for the README", async () => {
  await withApp("screens", async (browser) => {
    await (await browser.$("h2=Welcome to Orderdesk")).waitForDisplayed({ timeout: 30_000 });
    await shot(browser, "welcome");
    await useDemoServer(browser);

    // An order that goes all the way: two bundles, submitted, completed.
    await newDraftFor(browser, SUBMITTED);
    await addTmf25(browser, "34600111222", "National");
    await addTmf25(browser, "34600333444");
    await submitDraft(browser);

    // A draft left open in the editor, with its tariff plan selected (prices and chart).
    await (await browser.$(".editor .bar").$('button[aria-label="Back to orders"]')).click();
    await newDraftFor(browser, DRAFTED);
    const ids = await addTmf25(browser, "34600555666", "International");
    await (await browser.$(`#tree-row-${ids.tariff} .name`)).click();
    await waitEditor(browser, "the tariff plan never showed", () => true);
    await (await browser.$('section[aria-labelledby="price-title"]')).waitForDisplayed({ timeout: 10_000 });
    await shot(browser, "editor");

    await (await browser.$(".editor .bar").$("button=History")).click();
    await (await browser.$('section[aria-labelledby="history-title"]')).waitForDisplayed({ timeout: 10_000 });
    await shot(browser, "editor-history");
    await (await browser.$(".editor .bar").$("button=History")).click();

    await (await browser.$(".editor .bar").$("button=Export")).click();
    const exported = await browser.$('textarea[aria-label="Exported JSON"]');
    await browser.waitUntil(async () => (await exported.getValue()).includes('"productOrderItem"'), {
      timeout: 10_000,
      timeoutMsg: "the export never showed the order",
    });
    await shot(browser, "export");
    await (await browser.$("dialog").$("button=Close")).click();

    // The list with the draft and the completed order; then the order's detail.
    await (await browser.$(".editor .bar").$('button[aria-label="Back to orders"]')).click();
    await waitOrderState(browser, SUBMITTED.name, "completed", 60_000);
    await shot(browser, "orders");
    await openOrder(browser, SUBMITTED.name);
    await browser.waitUntil(async () => (await timelineStates(browser)).includes("completed"), {
      timeout: 15_000,
      timeoutMsg: "the timeline never reached completed",
    });
    await shot(browser, "order-detail");

    await go(browser, "Sync");
    await (await browser.$("h2=Sync")).waitForDisplayed({ timeout: 10_000 });
    await shot(browser, "sync");

    await go(browser, "Catalog");
    const search = await browser.$('input[placeholder^="Search offerings"]');
    await search.waitForDisplayed({ timeout: 10_000 });
    await search.addValue("TMF25");
    // Wait for the search's own answer (every name matches), not the full list shown before it.
    await browser.waitUntil(
      () =>
        browser.execute(() => {
          const names = [...document.querySelectorAll('ul[aria-label="Offerings"] .name')].map((n) => n.textContent.trim());
          return names.includes("TMF25") && names.every((n) => n.includes("TMF25"));
        }),
      { timeout: 15_000, timeoutMsg: "the catalog search never listed only TMF25 offerings" },
    );
    await (await browser.$('ul[aria-label="Offerings"]').$("span.name=TMF25")).click();
    await (await browser.$('section[aria-label="Offering detail"]').$("h2*=TMF25")).waitForDisplayed({ timeout: 10_000 });
    await shot(browser, "catalog");

    await go(browser, "Settings");
    await (await browser.$("h3=Servers")).waitForDisplayed({ timeout: 10_000 });
    const page = await browser.execute(() => document.querySelector("main")?.innerText ?? "");
    assert.match(page, /demo/, "the demo profile is listed");
    await shot(browser, "settings");

    await browser.keys(["Control", "k"]);
    await (await browser.$('[aria-label="Command palette"] input')).waitForDisplayed({ timeout: 10_000 });
    await shot(browser, "command-palette");
    await browser.keys("Escape");
  });
});
