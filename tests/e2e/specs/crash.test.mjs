// Crash safety: every edit is saved as a revision before the editor shows it, so killing the
// app (SIGKILL: no shutdown hook runs) right after an edit loses nothing. The app is reopened
// on the same data directory and the draft still has the edit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appPids, endSession, launchApp, screenshot, waitForPaint } from "../lib/app.mjs";

const CUSTOMER = { id: "CUST-4711", name: "Crash Test Ltd" };
const NOTE = "Call before delivery: the gate code is 2468";

// The first start (no server profile) shows the welcome screen; "Not now" leads to Orders.
async function toOrders(browser) {
  const welcome = await browser.$("h2=Welcome to Orderdesk");
  await welcome.waitForDisplayed({ timeout: 30_000, timeoutMsg: "the welcome screen never showed" });
  await (await browser.$("button=Not now")).click();
  const title = await browser.$("h2=Orders");
  await title.waitForDisplayed({ timeout: 10_000, timeoutMsg: "the Orders screen never showed" });
}

// The editor's heading ("<customer> <id> · r<revision> · TMF622 …") and its save indicator.
async function editorHeading(browser) {
  return browser.execute(() => ({
    heading: document.querySelector(".editor .bar h2")?.textContent ?? "",
    saving: document.querySelector(".editor .bar .saving")?.textContent?.trim() ?? "",
  }));
}

function revisionOf(heading) {
  const m = /· r(\d+) ·/.exec(heading);
  return m ? Number(m[1]) : -1;
}

async function waitSaved(browser, what, predicate) {
  await browser.waitUntil(
    async () => {
      const { heading, saving } = await editorHeading(browser);
      return saving === "Saved" && predicate(heading);
    },
    { timeout: 15_000, timeoutMsg: `the editor never showed ${what} as saved` },
  );
}

test("an edit survives SIGKILL right after it was saved", async () => {
  const first = await launchApp();
  const { dataDir } = first;
  let browser = first.browser;
  let killed = false;
  let lastSaved = -1;
  try {
    await toOrders(browser);
    await (await browser.$("button=New draft")).click();
    const customerId = await browser.$("#field-header-customer");
    await customerId.waitForDisplayed({ timeout: 15_000, timeoutMsg: "the new draft never opened" });
    await browser.waitUntil(async () => revisionOf((await editorHeading(browser)).heading) >= 0, {
      timeout: 10_000,
      timeoutMsg: "the editor heading never showed the draft's revision",
    });
    const start = revisionOf((await editorHeading(browser)).heading);

    // Typed the way an agent does: id, Tab, name, Tab; the customer is committed once, when
    // focus leaves its id/name pair. Text goes in with addValue (element send keys) into the
    // focused field: WebKitWebDriver's key actions (browser.keys) drop a repeated character.
    await customerId.addValue(CUSTOMER.id);
    await browser.keys("Tab");
    await (await browser.$('input[aria-label="Customer name"]')).addValue(CUSTOMER.name);
    await browser.keys("Tab");
    await waitSaved(browser, "the customer", (h) => h.startsWith(CUSTOMER.name) && revisionOf(h) > start);
    const afterCustomer = revisionOf((await editorHeading(browser)).heading);

    // The notes are committed on change, when the field loses focus; this is the last edit.
    await (await browser.$("#field-header-notes")).addValue(NOTE);
    await browser.keys("Tab");
    await waitSaved(browser, "the notes", (h) => revisionOf(h) > afterCustomer);
    lastSaved = revisionOf((await editorHeading(browser)).heading);

    const pids = appPids(dataDir);
    assert.equal(pids.length, 1, `expected one orderdesk-app process on ${dataDir}, found ${pids.join(", ") || "none"}`);
    process.kill(pids[0], "SIGKILL");
    killed = true;
    await browser.waitUntil(async () => appPids(dataDir).length === 0, {
      timeout: 10_000,
      timeoutMsg: "the app process was still running after SIGKILL",
    });
  } catch (error) {
    if (!killed) await screenshot(browser, "crash-failure").catch(() => {});
    await endSession(browser);
    throw error;
  }
  // The app is gone, so ending its session may fail: that is expected.
  await endSession(browser);

  browser = (await launchApp({ dataDir })).browser;
  try {
    await toOrders(browser);
    const row = await browser.$(`//tr[@data-kind="draft"][.//button[normalize-space()="${CUSTOMER.name}"]]`);
    await row.waitForDisplayed({ timeout: 15_000, timeoutMsg: "the Orders list never showed the edited draft" });
    // WebKitWebDriver does not click a <tr> itself ("not interactable"); its first cell works
    // and the click reaches the row's handler.
    await (await row.$("td")).click();

    const customerId = await browser.$("#field-header-customer");
    await customerId.waitForDisplayed({ timeout: 15_000, timeoutMsg: "the draft never opened after the restart" });
    assert.equal(await customerId.getValue(), CUSTOMER.id);
    assert.equal(await (await browser.$('input[aria-label="Customer name"]')).getValue(), CUSTOMER.name);
    assert.equal(await (await browser.$("#field-header-notes")).getValue(), NOTE);
    const { heading } = await editorHeading(browser);
    assert.ok(heading.startsWith(CUSTOMER.name), `heading: ${heading}`);
    assert.equal(revisionOf(heading), lastSaved, "the draft reopened at the last revision saved before the kill");
    await waitForPaint(browser);
    await screenshot(browser, "crash-reopened");
  } catch (error) {
    await screenshot(browser, "crash-failure").catch(() => {});
    throw error;
  } finally {
    await endSession(browser);
  }
});
