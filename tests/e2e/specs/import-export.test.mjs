// Vendor extensions survive the agent's work: a TMF622 v4 order with fields no specification
// knows (on the order, a related party, an item, a product, a price, a term) is imported from a
// file through Settings, edited in the editor (a description and the tariff plan's quantity),
// and exported as v5, shown and saved to a file through the native save dialog. Every extension
// field is still there, numbers with their exact digits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { screenshot, waitForPaint, withApp } from "../lib/app.mjs";
import { answerSaveDialog } from "../lib/flows.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const ORDER_FILE = join(ROOT, "assets/orders/tmf25-vendor-extensions.v4.json");
const DESCRIPTION = "Upgrade agreed on the phone";

// The raw text of the export is checked, not a parsed copy: JSON.parse would round
// 0.1234567890123456789 and hide a lost digit.
const EXTENSIONS = [
  ["the order's @schemaLocation", /"@schemaLocation": "https:\/\/example\.com\/schemas\/tmf622\/v4\/ProductOrder\.orderdesk\.json"/],
  ["orderCharacteristics", /"orderCharacteristics": \[/],
  ["commissionRate with every digit", /"value": 0\.1234567890123456789\b/],
  ["serviceAddress with its exact geo", /"lat": 48\.86912345678901234\b/],
  ["the customer's loyaltyTier", /"loyaltyTier": "gold"/],
  ["the product's x-installation", /"x-installation": \{\s*"slot": "AM"\s*\}/],
  ["the item's x-agentNote (null)", /"x-agentNote": null/],
  ["the price's x-roundingMode", /"x-roundingMode": "HALF_EVEN"/],
  ["the price's x-exactRate with every digit", /"x-exactRate": 0\.1234567890123456789\b/],
  ["the term's x-penalty", /"x-penalty": \{\s*"unit": "EUR",\s*"value": 120\.00\s*\}/],
];

const saveStatus = (browser) =>
  browser.execute(() => document.querySelector(".editor .bar .saving")?.textContent?.trim() ?? "");

async function waitSaved(browser, what) {
  await browser.waitUntil(async () => (await saveStatus(browser)) === "Saved", {
    timeout: 15_000,
    timeoutMsg: `${what}: the editor never said "Saved"`,
  });
}

test("a v4 order with vendor extensions keeps them through an edit and a v5 export", async () => {
  await withApp("import-export", async (browser, dataDir) => {
    // No server is needed to import, edit and export: skip the demo offer.
    await (await browser.$("button=Not now")).waitForDisplayed({ timeout: 30_000 });
    await (await browser.$("button=Not now")).click();
    await (await browser.$('nav[aria-label="Main"]').$("button=Settings")).click();

    // Import from the file, as an agent choosing it in the file dialog.
    const file = await browser.$('input[type="file"]');
    await file.waitForExist({ timeout: 15_000 });
    // The input is hidden behind its label (which names it in the app's language): WebDriver
    // fills a file input whether or not it is seen, webdriverio's setValue would wait for it
    // to show.
    await browser.elementSendKeys(file.elementId, ORDER_FILE);
    const description = await browser.$("#field-header-description");
    await description.waitForDisplayed({ timeout: 15_000, timeoutMsg: "the imported order never opened in the editor" });
    await waitSaved(browser, "the imported draft");
    const title = await browser.execute(() => document.querySelector(".editor .bar h2")?.textContent ?? "");
    assert.match(title, /Jean Pontus/, "the editor shows the imported order's customer");
    await waitForPaint(browser);
    await screenshot(browser, "scenario5-imported");

    // Edit the header and an item.
    await description.addValue(DESCRIPTION);
    await browser.keys("Tab");
    await browser.waitUntil(
      async () => (await browser.$("#field-header-description").getValue()) === DESCRIPTION && (await saveStatus(browser)) === "Saved",
      { timeout: 15_000, timeoutMsg: "the description was never saved" },
    );
    await (await browser.$('[role="treeitem"]#tree-row-2')).click();
    const quantity = await browser.$("#field-2-quantity");
    await quantity.waitForDisplayed({ timeout: 15_000, timeoutMsg: "the tariff plan's details never opened" });
    await quantity.clearValue();
    await quantity.addValue("2");
    await browser.keys("Tab");
    await browser.waitUntil(
      async () => (await browser.$("#field-2-quantity").getValue()) === "2" && (await saveStatus(browser)) === "Saved",
      { timeout: 15_000, timeoutMsg: "the new quantity was never saved" },
    );

    // Export as v5.
    await (await browser.$(".editor .bar").$("button=Export")).click();
    await (await browser.$('dialog input[type="radio"][value="v5"]')).click();
    const exported = await browser.$('textarea[aria-label="Exported JSON"]');
    let text = "";
    await browser.waitUntil(
      async () => {
        text = await exported.getValue();
        return text.includes('"@type": "ExternalIdentifier"');
      },
      { timeout: 15_000, timeoutMsg: "the export dialog never showed the v5 order" },
    );
    await waitForPaint(browser);
    await screenshot(browser, "scenario5-exported-v5");

    for (const [what, pattern] of EXTENSIONS) {
      assert.match(text, pattern, `the v5 export lost ${what}`);
    }

    // Saved as a file, the same text reaches the disk.
    const target = join(dataDir, "..", `${dataDir.split("/").pop()}-export-v5.json`);
    await (await browser.$("dialog").$("button=Save as file…")).click();
    answerSaveDialog(target);
    const saved = await browser.$("dialog").$('p[role="status"]');
    await saved.waitForDisplayed({ timeout: 15_000, timeoutMsg: "the export dialog never said where the file was saved" });
    assert.match(await saved.getText(), /Saved to/);
    assert.ok(existsSync(target), `${target} was not written`);
    assert.equal(readFileSync(target, "utf8"), text, "the saved file holds the exported text");
    // The edits are in the export too, in v5's shape.
    const order = JSON.parse(text);
    assert.equal(order.description, DESCRIPTION);
    const tariff = order.productOrderItem.find((i) => i.id === "2");
    assert.equal(tariff.quantity, 2, "the tariff plan's new quantity");
    assert.ok(Array.isArray(order.externalId), "v5 carries externalId as a list");
    assert.equal(order.externalId[0].id, "AGENT-2024-000126");
    assert.equal(order.relatedParty[0].partyOrPartyRole.name, "Jean Pontus");
  });
});
