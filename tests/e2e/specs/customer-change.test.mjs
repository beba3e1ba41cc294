// A change order for a customer with a completed TMF25 bundle (the reference server's first
// demo customer, Ada Lovelace: a mobile line and its tariff plan): the agent finds her by
// typing part of her name, changes the tariff plan and adds coverage from the customer panel,
// reviews "was → will be" and submits. Once the order is completed, the server's inventory
// (TMF637) has the old plan terminated and the new plan and the coverage active, and the
// customer panel shows the same.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { mkdtempSync } from "node:fs";
import { screenshot, waitForPaint, withApp } from "../lib/app.mjs";
import { assertAccessible } from "../lib/a11y.mjs";
import { freePort, startServer } from "../lib/server.mjs";
import { addLabProfile, openReview, confirmReview, waitEditor, waitOrderState } from "../lib/flows.mjs";

const CUSTOMER = { id: "CUST-000001", name: "Ada Lovelace" };
const BUNDLE = "14277";
const TARIFF = "14344";
const NEW_PLAN = { id: "20006", name: "Mobile M" };
const COVERAGE = { id: "14354", name: "Coverage Options" };

const text = (browser, selector) =>
  browser.execute((s) => document.querySelector(s)?.textContent?.replace(/\s+/g, " ").trim() ?? "", selector);

/** The customer panel's products: offering, status and whether each offers a change. */
function panelProducts(browser) {
  return browser.execute(() =>
    [...document.querySelectorAll('[data-testid="customer-panel"] li[data-product]')].map((li) => ({
      id: li.getAttribute("data-product"),
      offering: li.getAttribute("data-offering"),
      status: li.getAttribute("data-status"),
    })),
  );
}

/** A new draft whose customer is taken from the type-ahead after typing `part`. */
async function newDraftFinding(browser, part) {
  await (await browser.$("nav").$("button=Orders")).click();
  await (await browser.$("button=New draft")).click();
  const search = await browser.$("#field-header-customer-search");
  await search.waitForDisplayed({ timeout: 15_000, timeoutMsg: "the new draft never opened" });
  await waitEditor(browser, "the new draft never settled", () => true);
  await search.click();
  await search.addValue(part);
  await browser.waitUntil(
    () =>
      browser.execute(
        (name) =>
          document.querySelector("#field-header-customer-search")?.getAttribute("aria-expanded") === "true" &&
          [...document.querySelectorAll('#field-header-customer-search-results [role="option"] .name')].some((n) => n.textContent.trim() === name),
        CUSTOMER.name,
      ),
    { timeout: 30_000, timeoutMsg: `typing “${part}” never listed ${CUSTOMER.name}` },
  );
  // The first match is highlighted; the arrows move, Enter takes.
  const names = await browser.execute(() =>
    [...document.querySelectorAll('#field-header-customer-search-results [role="option"] .name')].map((n) => n.textContent.trim()),
  );
  for (let i = 0; i < names.indexOf(CUSTOMER.name); i++) await browser.keys("ArrowDown");
  await browser.keys("Enter");
  await browser.waitUntil(async () => (await text(browser, ".editor .bar h2")).startsWith(CUSTOMER.name), {
    timeout: 15_000,
    timeoutMsg: "the customer was never taken into the draft",
  });
  assert.equal(await browser.execute(() => document.querySelector("#field-header-customer")?.value), CUSTOMER.id);
}

async function waitPanel(browser, what, predicate) {
  let products = [];
  await browser.waitUntil(
    async () => {
      products = await panelProducts(browser);
      return predicate(products);
    },
    { timeout: 30_000, timeoutMsg: `${what}; the panel showed ${JSON.stringify(products)}` },
  );
  return products;
}

/** Opens a change of the panel's product `product` and picks `offering` from the picker. */
async function changeWith(browser, product, change, offering) {
  await (await browser.$(`[data-testid="customer-panel"] li[data-product="${product}"] > .actions button[data-change="${change}"]`)).click();
  const dialog = await browser.$("dialog.customer-pick");
  await dialog.waitForDisplayed({ timeout: 10_000, timeoutMsg: `${change} never opened the picker` });
  const search = await dialog.$('input[aria-label="Search the catalog"]');
  await search.addValue(offering.name);
  await browser.waitUntil(
    () =>
      browser.execute(
        (name) => [...document.querySelectorAll('dialog.customer-pick #picker-results [role="option"] .name')].some((n) => n.textContent.trim() === name),
        offering.name,
      ),
    { timeout: 15_000, timeoutMsg: `the picker never offered ${offering.name}` },
  );
  return dialog;
}

test("change the tariff plan and add coverage for a customer found by name", async () => {
  const work = mkdtempSync(join(process.env.E2E_WORK ?? "/tmp", "customer-change-"));
  const server = await startServer(await freePort(), join(work, "server.db"));
  const inventory = `${server.base}/tmf-api/productInventory/v4/product?relatedParty.id=${CUSTOMER.id}`;
  try {
    // The demo customer's TMF25 bundle, as the server has it installed.
    const before = await (await fetch(inventory)).json();
    const bundle = before.find((p) => p.productOffering?.id === BUNDLE && p.status === "active");
    const tariff = before.find((p) => p.productOffering?.id === TARIFF && p.status === "active");
    assert.ok(bundle && tariff, `${CUSTOMER.name} has an active TMF25 with a tariff plan: ${JSON.stringify(before)}`);

    await withApp("customer-change", async (browser) => {
      const welcome = await browser.$("h2=Welcome to Orderdesk");
      await welcome.waitForDisplayed({ timeout: 30_000, timeoutMsg: "the welcome screen never showed" });
      await (await browser.$("button=Not now")).click();
      await addLabProfile(browser, server);

      await newDraftFinding(browser, "Lovel");
      await waitPanel(browser, "the panel never showed the installed TMF25", (ps) =>
        ps.some((p) => p.id === bundle.id && p.status === "active") && ps.some((p) => p.id === tariff.id),
      );
      await waitForPaint(browser);
      await screenshot(browser, "customer-panel");
      await assertAccessible(browser, "editor with the customer panel");

      // Change the tariff plan.
      const planDialog = await changeWith(browser, tariff.id, "changePlan", NEW_PLAN);
      await assertAccessible(browser, "the change-plan picker");
      await (await planDialog.$("#picker-results").$(`span.name=${NEW_PLAN.name}`).parentElement()).click();
      let state = await waitEditor(browser, "the plan change never reached the draft", (s) => s.rows.some((r) => r.name === NEW_PLAN.name));
      await browser.waitUntil(
        async () => (await browser.execute(() => [...document.querySelectorAll('[data-testid^="change-"]')].map((e) => e.textContent.replace(/\s+/g, " ").trim()))).some((t) => t.includes(`Tariff Plan → ${NEW_PLAN.name}`)),
        { timeout: 15_000, timeoutMsg: "the tree never showed the plan change as was → will be" },
      );

      // Add coverage to the bundle, then choose its value.
      const dialog = await changeWith(browser, bundle.id, "addOption", COVERAGE);
      await (await dialog.$("#picker-results").$(`span.name=${COVERAGE.name}`).parentElement()).click();
      state = await waitEditor(browser, "the coverage never joined the draft", (s) => s.rows.some((r) => r.name === COVERAGE.name));
      const coverageRow = state.rows.find((r) => r.name === COVERAGE.name);
      await (await browser.$(`#tree-row-${coverageRow.id} .name`)).click();
      const select = await browser.$(`#field-${coverageRow.id}-CoverageOptions`);
      await select.waitForDisplayed({ timeout: 10_000 });
      await select.selectByVisibleText("National");
      state = await waitEditor(browser, "the draft never became valid", (s) => s.errors.length === 0 && !s.submitBlocked);
      await waitForPaint(browser);
      await screenshot(browser, "customer-change-draft");

      // The review shows before → after; Confirm submits.
      await openReview(browser);
      const changes = await browser.execute(() =>
        [...document.querySelectorAll('dialog.review section[aria-labelledby="review-changes"] li')].map((li) => li.textContent.replace(/\s+/g, " ").trim()),
      );
      assert.ok(changes.some((c) => c.includes(`Tariff Plan → ${NEW_PLAN.name}`)), JSON.stringify(changes));
      await waitForPaint(browser);
      await screenshot(browser, "customer-change-review");
      await confirmReview(browser);

      await (await browser.$("nav").$("button=Orders")).click();
      await waitOrderState(browser, CUSTOMER.name, "completed", 60_000);

      // The server's inventory: the old plan terminated, the new plan and the coverage active.
      const after = await (await fetch(inventory)).json();
      const status = (pred) => after.filter(pred).map((p) => p.status);
      assert.deepEqual(status((p) => p.id === tariff.id), ["terminated"], JSON.stringify(after));
      assert.ok(status((p) => p.productOffering?.id === NEW_PLAN.id).includes("active"), JSON.stringify(after));
      assert.ok(status((p) => p.productOffering?.id === COVERAGE.id).includes("active"), JSON.stringify(after));

      // The customer panel shows the same.
      await newDraftFinding(browser, "Ada Love");
      await waitPanel(
        browser,
        "the panel never showed the change",
        (ps) =>
          ps.some((p) => p.id === tariff.id && p.status === "terminated") &&
          ps.some((p) => p.offering === NEW_PLAN.id && p.status === "active") &&
          ps.some((p) => p.offering === COVERAGE.id && p.status === "active"),
      );
      await waitForPaint(browser);
      await screenshot(browser, "customer-panel-after");
    });
  } finally {
    await server.stop();
  }
});
