// Scenario 2, offline drafting: the real reference server (`orderdesk-server`, its own
// process on 127.0.0.1) is added as a server profile through Settings and its catalog cached;
// then the server stops, the agent composes three orders and submits each (queued), closes
// the app and opens it again on the same data directory; the server comes back on the same
// port and database, and each order exists on it exactly once (one order per external id).
// run.sh sets ORDERDESK_SYNC_MAX_WAIT_MS so the sync loop notices the server within a second.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { mkdtempSync } from "node:fs";
import { appPids, endSession, launchApp, screenshot, waitForPaint } from "../lib/app.mjs";
import { freePort, startServer } from "../lib/server.mjs";
import { openReview } from "../lib/flows.mjs";

const CUSTOMERS = [
  { id: "OFF-1001", name: "Offline Alpha" },
  { id: "OFF-1002", name: "Offline Bravo" },
  { id: "OFF-1003", name: "Offline Charlie" },
];
const OFFERING = "Mobile M";

const text = (browser, selector) =>
  browser.execute((s) => document.querySelector(s)?.textContent?.replace(/\s+/g, " ").trim() ?? "", selector);

// The Orders list as shown: customer, state and sync badge of each row.
function listRows(browser) {
  return browser.execute(() =>
    [...document.querySelectorAll("section.orders tbody tr[data-kind]")].map((tr) => {
      const cells = [...tr.querySelectorAll("td")].map((td) => td.textContent.trim());
      return { customer: cells[0], state: tr.getAttribute("data-state"), sync: cells[4] };
    }),
  );
}

// The list is read when the Orders screen opens (the UI does not poll), so it is opened
// again to see what the sync loop did since.
async function reloadList(browser) {
  await (await browser.$("button=Catalog")).click();
  await (await browser.$("button=Orders")).click();
  await (await browser.$("h2=Orders")).waitForDisplayed({ timeout: 5_000 });
  await browser.waitUntil(async () => (await listRows(browser)).length > 0 || (await text(browser, "section.orders tbody td.empty")) !== "", {
    timeout: 5_000,
  });
}

// Reloads the list until `predicate(rows)` holds; the error names what the list showed last.
async function waitRows(browser, what, predicate, timeout) {
  let rows = [];
  try {
    await browser.waitUntil(
      async () => {
        await reloadList(browser);
        rows = await listRows(browser);
        return predicate(rows);
      },
      { timeout, interval: 300 },
    );
  } catch (error) {
    throw new Error(`${what}: ${JSON.stringify(rows)}`, { cause: error });
  }
  return rows;
}

async function addProfile(browser, server) {
  await (await browser.$("button=Settings")).click();
  const add = await browser.$("button=Add server profile");
  await add.waitForDisplayed({ timeout: 10_000, timeoutMsg: "Settings never offered 'Add server profile'" });
  await add.click();
  await (await browser.$("#profile-name")).addValue("lab");
  await (await browser.$("#profile-orderUrl")).addValue(server.orderUrl);
  await (await browser.$("#profile-catalogUrl")).addValue(server.catalogUrl);

  await (await browser.$("button=Test connection")).click();
  const report = await browser.$('[aria-label="Connection test"]');
  await report.waitForDisplayed({ timeout: 15_000, timeoutMsg: "Test connection never reported" });
  const answered = await report.getText();
  assert.match(answered, /Connection works/, answered);
  assert.match(answered, /Order API answered \(TMF622 v4/, answered);
  assert.match(answered, /Catalog answered/, answered);
  await waitForPaint(browser);
  await screenshot(browser, "scenario2-profile-form");

  await (await browser.$("button=Save profile")).click();
  await browser.waitUntil(async () => (await text(browser, ".profiles p.notice")) === "Profile lab saved.", {
    timeout: 15_000,
    timeoutMsg: "saving the profile never said so",
  });
  // The first profile becomes the active one.
  const row = await browser.$("td*=lab").parentElement();
  assert.match(await row.getText(), /active/);

  await (await browser.$('button[aria-label="Refresh catalog from lab"]')).click();
  await browser.waitUntil(async () => /^Catalog of lab cached: 47 offerings/.test(await text(browser, ".profiles p.notice")), {
    timeout: 30_000,
    timeoutMsg: "refreshing the catalog from the server never finished",
  });
  await waitForPaint(browser);
  await screenshot(browser, "scenario2-settings");
}

async function composeAndSubmit(browser, customer) {
  await (await browser.$("button=Orders")).click();
  await (await browser.$("button=New draft")).click();
  const customerId = await browser.$("#field-header-customer");
  await customerId.waitForDisplayed({ timeout: 15_000, timeoutMsg: "the new draft never opened" });
  await customerId.addValue(customer.id);
  await browser.keys("Tab");
  await (await browser.$('input[aria-label="Customer name"]')).addValue(customer.name);
  await browser.keys("Tab");
  await browser.waitUntil(async () => (await text(browser, ".editor .bar h2")).startsWith(customer.name), {
    timeout: 15_000,
    timeoutMsg: `the customer ${customer.name} was never saved`,
  });

  const search = await browser.$('input[aria-label="Search the catalog"]');
  await search.addValue(OFFERING);
  await browser.waitUntil(
    () =>
      browser.execute((name) => {
        const names = [...document.querySelectorAll('#picker-results [role="option"] .name')].map((n) => n.textContent.trim());
        // The search's own answer (every result a "Mobile …" offering), not the list shown
        // before it ran.
        return names.includes(name) && names.every((n) => n.startsWith("Mobile"));
      }, OFFERING),
    { timeout: 15_000, timeoutMsg: `the catalog picker never offered ${OFFERING}` },
  );
  await (await browser.$("#picker-results").$(`span.name=${OFFERING}`).parentElement()).click();
  await browser.waitUntil(
    async () =>
      (await text(browser, ".editor .bar .saving")) === "Saved" &&
      (await browser.execute(
        (name) => [...document.querySelectorAll('[role="tree"] .name')].some((n) => n.textContent.trim() === name),
        OFFERING,
      )) &&
      (await text(browser, 'section[aria-labelledby="validation-title"] .ok')) !== "",
    { timeout: 15_000, timeoutMsg: `${OFFERING} was never added as a valid order` },
  );

  await openReview(browser);
  await (await browser.$("dialog.review").$("button=Confirm and submit")).click();
  await browser.waitUntil(async () => (await text(browser, '.editor > p[role="status"]')).startsWith("Queued for lab"), {
    timeout: 15_000,
    timeoutMsg: `submitting ${customer.name}'s order never queued it for lab`,
  });
  // The queued draft is locked: every field read-only, "Withdraw and edit" offered.
  await (await browser.$("button=Withdraw and edit")).waitForDisplayed({
    timeout: 15_000,
    timeoutMsg: `${customer.name}'s queued draft never offered "Withdraw and edit"`,
  });
  if (customer === CUSTOMERS[0]) {
    await waitForPaint(browser);
    await screenshot(browser, "scenario2-locked");
  }
}

test("orders submitted while the server is down reach it exactly once after a restart", async () => {
  const port = await freePort();
  const serverDb = join(mkdtempSync(join(process.env.E2E_WORK ?? "/tmp", "server-")), "orders.db");
  let server = await startServer(port, serverDb);
  const first = await launchApp();
  const { dataDir } = first;
  let browser = first.browser;
  try {
    const welcome = await browser.$("h2=Welcome to Orderdesk");
    await welcome.waitForDisplayed({ timeout: 30_000, timeoutMsg: "the welcome screen never showed" });
    await (await browser.$("button=Not now")).click();
    await addProfile(browser, server);

    // The server goes away; the agent keeps working.
    await server.stop();
    server = null;
    for (const customer of CUSTOMERS) await composeAndSubmit(browser, customer);

    // Each is queued; a row may briefly show "Sending" while the sync loop tries the server.
    const rows = await waitRows(browser, "the list never showed three queued orders", (r) =>
      CUSTOMERS.every((c) => r.some((row) => row.customer === c.name && row.sync === "Queued")), 15_000);
    assert.equal(rows.filter((r) => r.sync === "Submitted").length, 0, JSON.stringify(rows));
    await waitForPaint(browser);
    await screenshot(browser, "scenario2-queued");
  } catch (error) {
    await screenshot(browser, "scenario2-failure").catch(() => {});
    await endSession(browser);
    await server?.stop();
    throw error;
  }
  // Closing the session closes the app.
  await endSession(browser);
  const deadline = Date.now() + 10_000;
  while (appPids(dataDir).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.equal(appPids(dataDir).length, 0, "the app was still running after its session ended");

  browser = (await launchApp({ dataDir })).browser;
  server = await startServer(port, serverDb);
  try {
    const started = Date.now();
    // No welcome screen: the data directory has a profile.
    const title = await browser.$("h2=Orders");
    await title.waitForDisplayed({ timeout: 30_000, timeoutMsg: "the app did not reopen on the Orders screen" });
    await waitRows(browser, "the list never showed the three orders submitted", (r) =>
      CUSTOMERS.every((c) => r.some((row) => row.customer === c.name && row.sync === "Submitted")), 30_000);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`scenario 2: the three queued orders were submitted ${seconds}s after the app reopened`);
    await waitForPaint(browser);
    await screenshot(browser, "scenario2-submitted");

    // On the server: exactly one order per customer, each with its own external id.
    const answer = await fetch(`${server.orderUrl}productOrder?limit=100`);
    assert.equal(answer.status, 200);
    const orders = await answer.json();
    const parties = (o) => (o.relatedParty ?? []).map((p) => p.name);
    for (const c of CUSTOMERS) {
      const theirs = orders.filter((o) => parties(o).includes(c.name));
      assert.equal(theirs.length, 1, `orders for ${c.name}: ${JSON.stringify(orders.map(parties))}`);
    }
    assert.equal(orders.length, CUSTOMERS.length, "no other order reached the server");
    const externalIds = orders.map((o) => o.externalId);
    assert.ok(externalIds.every((id) => typeof id === "string" && id.length > 0), JSON.stringify(externalIds));
    assert.equal(new Set(externalIds).size, CUSTOMERS.length, "each order has its own external id");
    // Looked up by its external id, each order is found once.
    for (const id of externalIds) {
      const found = await (await fetch(`${server.orderUrl}productOrder?externalId=${encodeURIComponent(id)}`)).json();
      assert.equal(found.length, 1, `orders with externalId ${id}`);
    }
  } catch (error) {
    await screenshot(browser, "scenario2-failure").catch(() => {});
    throw error;
  } finally {
    await endSession(browser);
    await server?.stop();
  }
});
