// Amend an order the server is working on: the reference server (its own process, orders
// staying acknowledged for minutes) is added as a profile; an order is submitted, opened from
// the Orders list and amended (a note and a quantity) through the order's Amend form. The
// timeline shows the amendment asked for and then taken by the server, and the server's own
// order carries the change.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { mkdtempSync } from "node:fs";
import { screenshot, waitForPaint, withApp } from "../lib/app.mjs";
import { freePort, startServer } from "../lib/server.mjs";
import { newDraftFor, openOrder, submitDraft, timelineStates, waitOrderState } from "../lib/flows.mjs";

const CUSTOMER = { id: "AMD-1001", name: "Amend Early GmbH" };
const OFFERING = "Mobile M";
const NOTE = "Customer asked for two lines";

const text = (browser, selector) =>
  browser.execute((s) => document.querySelector(s)?.textContent?.replace(/\s+/g, " ").trim() ?? "", selector);

async function addProfile(browser, server) {
  await (await browser.$("button=Settings")).click();
  const add = await browser.$("button=Add server profile");
  await add.waitForDisplayed({ timeout: 10_000, timeoutMsg: "Settings never offered 'Add server profile'" });
  await add.click();
  await (await browser.$("#profile-name")).addValue("lab");
  await (await browser.$("#profile-orderUrl")).addValue(server.orderUrl);
  await (await browser.$("#profile-catalogUrl")).addValue(server.catalogUrl);
  await (await browser.$("button=Save profile")).click();
  await browser.waitUntil(async () => (await text(browser, ".profiles p.notice")) === "Profile lab saved.", {
    timeout: 15_000,
    timeoutMsg: "saving the profile never said so",
  });
  await (await browser.$('button[aria-label="Refresh catalog from lab"]')).click();
  await browser.waitUntil(async () => /^Catalog of lab cached/.test(await text(browser, ".profiles p.notice")), {
    timeout: 30_000,
    timeoutMsg: "refreshing the catalog from the server never finished",
  });
}

test("amend an order the server is working on and see it on the timeline", async () => {
  const work = mkdtempSync(join(process.env.E2E_WORK ?? "/tmp", "amend-"));
  const server = await startServer(await freePort(), join(work, "server.db"), ["--acknowledged-ms", "600000"]);
  try {
    await withApp("amend", async (browser) => {
      const welcome = await browser.$("h2=Welcome to Orderdesk");
      await welcome.waitForDisplayed({ timeout: 30_000, timeoutMsg: "the welcome screen never showed" });
      await (await browser.$("button=Not now")).click();
      await addProfile(browser, server);
      await (await browser.$("button=Orders")).click();
      await newDraftFor(browser, CUSTOMER);
      const search = await browser.$('input[aria-label="Search the catalog"]');
      await search.addValue(OFFERING);
      await browser.waitUntil(
        () =>
          browser.execute((name) => {
            const names = [...document.querySelectorAll('#picker-results [role="option"] .name')].map((n) => n.textContent.trim());
            return names.includes(name) && names.every((n) => n.startsWith("Mobile"));
          }, OFFERING),
        { timeout: 15_000, timeoutMsg: `the catalog picker never offered ${OFFERING}` },
      );
      await (await browser.$("#picker-results").$(`span.name=${OFFERING}`).parentElement()).click();
      await browser.waitUntil(async () => (await text(browser, 'section[aria-labelledby="validation-title"] .ok')) !== "", {
        timeout: 15_000,
        timeoutMsg: `${OFFERING} was never added as a valid order`,
      });
      await submitDraft(browser);
      assert.ok((await text(browser, '.editor > p[role="status"]')).startsWith("Queued for lab"), "queued for the lab server");
      await (await browser.$("nav").$("button=Orders")).click();
      await waitOrderState(browser, CUSTOMER.name, "acknowledged");
      await openOrder(browser, CUSTOMER.name);
      const serverId = await text(browser, '[data-testid="server-id"]');

      await (await browser.$('[data-testid="amend-open"]')).click();
      await (await browser.$("#amend-note")).addValue(NOTE);
      await (await browser.$("button=Change a quantity")).click();
      const quantity = await browser.$('input[id^="amend-qty-"]');
      await quantity.clearValue();
      await quantity.addValue("2");
      await waitForPaint(browser);
      await screenshot(browser, "amend-form");
      await (await browser.$("button=Send amendment")).click();
      await browser.waitUntil(async () => (await text(browser, 'p.notice[role="status"]')) === "Amendment queued for lab.", {
        timeout: 15_000,
        timeoutMsg: "the amendment was never queued",
      });
      let states = [];
      await browser.waitUntil(
        async () => {
          states = await timelineStates(browser);
          return states.includes("amended");
        },
        { timeout: 30_000, timeoutMsg: `the server never took the amendment; the timeline: ${JSON.stringify(states)}` },
      );
      assert.ok(states.indexOf("amend-requested") < states.indexOf("amended"), JSON.stringify(states));
      assert.equal(await text(browser, '[data-testid="detail-state"]'), "Acknowledged");
      await waitForPaint(browser);
      await screenshot(browser, "amend-timeline");

      const remote = await (await fetch(`${server.orderUrl}productOrder/${serverId}`)).json();
      assert.ok(remote.note?.some((n) => n.text === NOTE), JSON.stringify(remote.note));
      assert.equal(remote.productOrderItem?.[0]?.quantity, 2, JSON.stringify(remote.productOrderItem));
    });
  } finally {
    await server.stop();
  }
});
