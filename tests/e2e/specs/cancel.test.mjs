// Scenario 3: an order in progress is cancelled with a reason and reaches `cancelled`, the
// cancellation's own state shown on its detail; cancelling an order that is completed is
// refused by the server, and its refusal is shown next to the cancel form with the agent's
// input kept.
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

test("scenario 3: cancel an order in progress; a completed one is refused", async () => {
  await withApp("scenario3", async (browser) => {
    await useDemoServer(browser);

    // An order in progress, cancelled with a reason.
    await submitOrderFor(browser, EARLY, "34600555666");
    await waitOrderState(browser, EARLY.name, "inProgress");
    await openOrder(browser, EARLY.name);
    await (await browser.$("#cancel-reason")).addValue("Customer moved abroad");
    await (await browser.$("button=Cancel order")).click();
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
    assert.match(await text(browser, '[data-testid="cancellation"]'), /Customer moved abroad/);
    await waitForPaint(browser);
    await screenshot(browser, "scenario3-cancelled");
    await (await browser.$("button=← Orders")).click();
    await waitOrderState(browser, EARLY.name, "cancelled", 5_000);

    // A completed order: the request goes to the server, which refuses it; the refusal is
    // shown next to the cancel form and the agent's reason is still there.
    await submitOrderFor(browser, LATE, "34600777888");
    await waitOrderState(browser, LATE.name, "completed");
    await openOrder(browser, LATE.name);
    await (await browser.$("#cancel-reason")).addValue("Too late");
    await (await browser.$("button=Cancel order")).click();
    const refusal = await browser.$('[data-testid="cancel-refusal"]');
    await refusal.waitForDisplayed({ timeout: 15_000, timeoutMsg: "the server's refusal was never shown" });
    assert.match(await refusal.getText(), /server refused the cancellation: the order is completed and can no longer be cancelled/);
    assert.equal(await text(browser, '[data-testid="cancellation-state"]'), "Terminated with error");
    assert.equal(await (await browser.$("#cancel-reason")).getValue(), "Too late", "the agent's reason is kept");
    assert.equal(await text(browser, '[data-testid="detail-state"]'), "Completed");
    const counts = await (await browser.$('[data-testid="sync-counts"]')).getText();
    assert.match(counts, /1 needs attention/, "the refused request waits in the outbox for the agent");
    await waitForPaint(browser);
    await screenshot(browser, "scenario3-refused");

    // The Sync screen lists the refused request with the server's reason.
    await (await browser.$('[data-testid="sync-counts"]')).click();
    const entry = await browser.$('tr[data-status="needs-attention"]');
    await entry.waitForDisplayed({ timeout: 10_000, timeoutMsg: "the refused cancellation is not in the outbox" });
    assert.match(await entry.getText(), /Cancel[\s\S]*Cancel Late GmbH[\s\S]*can no longer be cancelled/);
    await waitForPaint(browser);
    await screenshot(browser, "scenario3-sync");
  });
});
