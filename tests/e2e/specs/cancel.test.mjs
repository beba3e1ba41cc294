// Scenario 3: an order in progress is cancelled with a reason from the profile's list and a
// note, after a confirmation, and reaches `cancelled`, the cancellation's own state shown on its
// detail; an order that is completed offers no cancel (the server's refusal would be certain).
// The demo server's lifecycle runs in seconds (run.sh sets ORDERDESK_DEMO_TIMING).
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
  waitOrderState,
} from "../lib/flows.mjs";

const EARLY = { id: "CUST-1001", name: "Cancel Early GmbH" };
const LATE = { id: "CUST-1002", name: "Cancel Late GmbH" };

async function submitOrderFor(browser, customer, msisdn) {
  await newDraftFor(browser, customer);
  await addTmf25(browser, msisdn);
  await submitDraft(browser);
  await (await browser.$("nav").$("button=Orders")).click();
}

function text(browser, selector) {
  return browser.execute((s) => document.querySelector(s)?.textContent?.replace(/\s+/g, " ").trim() ?? "", selector);
}

test("scenario 3: cancel an order in progress; a completed one offers no cancel", async () => {
  await withApp("scenario3", async (browser) => {
    await useDemoServer(browser);

    // An order in progress, cancelled with a reason.
    await submitOrderFor(browser, EARLY, "34600555666");
    await waitOrderState(browser, EARLY.name, "inProgress");
    await openOrder(browser, EARLY.name);
    await (await browser.$("#cancel-reason")).selectByAttribute("value", "customer-request");
    await (await browser.$("#cancel-note")).addValue("Customer moved abroad");
    await (await browser.$("button=Cancel order")).click();
    const confirm = await browser.$('[data-testid="cancel-confirm"]');
    await confirm.waitForDisplayed({ timeout: 5_000, timeoutMsg: "no confirmation was asked" });
    await confirm.click();
    await (await browser.$('[data-testid="cancellation"]')).waitForDisplayed({ timeout: 10_000 });
    await waitForPaint(browser);
    await screenshot(browser, "scenario3-cancel-requested");
    await browser.waitUntil(
      async () =>
        (await text(browser, '[data-testid="detail-state"]')) === "Cancelled" &&
        (await text(browser, '[data-testid="cancellation-state"]')) === "Done",
      {
        timeout: 20_000,
        timeoutMsg: "the order never showed Cancelled with its cancellation done",
      },
    );
    const states = await timelineStates(browser);
    assert.equal(states.at(-1), "cancelled", JSON.stringify(states));
    assert.ok(states.includes("cancel-requested") && states.includes("inProgress"), JSON.stringify(states));
    assert.match(await text(browser, '[data-testid="cancellation"]'), /Customer request: Customer moved abroad/);
    await waitForPaint(browser);
    await screenshot(browser, "scenario3-cancelled");
    await (await browser.$("button=← Orders")).click();
    await waitOrderState(browser, EARLY.name, "cancelled", 5_000);

    // A completed order: no cancel is offered, as the server would refuse it.
    await submitOrderFor(browser, LATE, "34600777888");
    await waitOrderState(browser, LATE.name, "completed");
    await openOrder(browser, LATE.name);
    await browser.waitUntil(async () => (await text(browser, '[data-testid="detail-state"]')) === "Completed", {
      timeout: 10_000,
      timeoutMsg: "the completed order's detail never showed",
    });
    assert.equal(await (await browser.$("#cancel-reason")).isExisting(), false, "no cancel form on a completed order");
    assert.equal(await (await browser.$("button=Cancel order")).isExisting(), false);
    await waitForPaint(browser);
    await screenshot(browser, "scenario3-completed");
  });
});
