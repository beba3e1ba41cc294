// The demo profile's discount policy (Settings, as JSON): a 50 % discount against a 20 % limit
// is an error with an approval form beside it and blocks submit; once an approver and a code
// are recorded the draft submits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { screenshot, waitForPaint, withApp } from "../lib/app.mjs";
import { addTmf25, editorState, newDraftFor, submitDraft, useDemoServer, waitEditor } from "../lib/flows.mjs";

const CUSTOMER = { id: "CUST-1003", name: "Discount Policy AG" };
const POLICY = JSON.stringify({
  discount: { reasons: [{ code: "retention", label: "Customer retention", maxPercentage: "20" }] },
});

test("a discount over the policy's limit blocks submit until it is approved", async () => {
  await withApp("policy", async (browser) => {
    await useDemoServer(browser);

    await (await browser.$("nav").$("button=Settings")).click();
    const details = await browser.$('[data-testid="policy-demo"]');
    await details.waitForDisplayed({ timeout: 15_000, timeoutMsg: "the demo profile's policy is not offered" });
    await (await details.$("summary")).click();
    const field = await browser.$("#policy-demo");
    await field.clearValue();
    await field.addValue(POLICY);
    await (await details.$("button=Save policy")).click();
    await (await details.$("span=Policy saved.")).waitForDisplayed({ timeout: 10_000 });

    await (await browser.$("nav").$("button=Orders")).click();
    await newDraftFor(browser, CUSTOMER);
    const { tariff } = await addTmf25(browser, "34600999000");
    await (await browser.$(`#tree-row-${tariff} .name`)).click();
    // The tariff's own price, taken over from the catalog with its welcome discount: the
    // agent's now, so the policy governs it.
    await (await browser.$("button=Adjust price…")).click();
    const value = await browser.$(`#alt-${tariff}-0-0-value`);
    await value.waitForDisplayed({ timeout: 10_000 });
    await value.clearValue();
    await value.addValue("50");
    await browser.keys("Tab");
    await waitEditor(browser, "the discount was never saved", () => true);
    await (await browser.$(`#alt-${tariff}-0-0-reason`)).selectByAttribute("value", "retention");
    const state = await waitEditor(browser, "the approval finding never showed", (s) =>
      s.findings.some((f) => f.code === "discount.approval"),
    );
    assert.ok(state.errors.length > 0, JSON.stringify(state.findings));
    const form = await browser.$('[data-testid="approval-form"]');
    await form.waitForDisplayed({ timeout: 10_000, timeoutMsg: "no approval form beside the finding" });
    await (await browser.$("button=Submit")).click();
    await waitEditor(browser, "submit was not blocked", (s) => s.note === "" || !s.note.startsWith("Queued for"));
    await waitForPaint(browser);
    await screenshot(browser, "policy-approval-needed");

    await (await browser.$(`#approval-${tariff}-0-0-approver`)).addValue("Jane Doe");
    await (await browser.$(`#approval-${tariff}-0-0-code`)).addValue("A-77");
    await (await browser.$("button=Record approval")).click();
    await (await browser.$('[data-testid="discount-approval"]')).waitForDisplayed({ timeout: 10_000 });
    const approved = await editorState(browser);
    assert.ok(!approved.findings.some((f) => f.code === "discount.approval"), JSON.stringify(approved.findings));
    await waitForPaint(browser);
    await screenshot(browser, "policy-approved");
    await submitDraft(browser);
  });
});
