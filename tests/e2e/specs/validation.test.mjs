// A draft with errors cannot be submitted: the TMF25 bundle from the demo catalog with its
// Mobile Telephony line's required TEL_MSISDN left empty, and its required Tariff Plan child
// removed (the bundle needs exactly one). Submit says why it is blocked, the Checks panel lists
// both findings, clicking a finding focuses what it is about, a phone number with letters is
// answered in words at its field, and fixing both unblocks Submit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { screenshot, waitForPaint, withApp } from "../lib/app.mjs";
import { newDraftFor, submitDraft, useDemoServer, waitEditor } from "../lib/flows.mjs";

const CUSTOMER = { id: "CUST-0815", name: "Validation Test GmbH" };
const MSISDN = "34600123456";

function activeElement(browser) {
  return browser.execute(() => {
    const el = document.activeElement;
    return {
      tag: el?.tagName ?? "",
      id: el?.id ?? "",
      role: el?.getAttribute("role") ?? "",
      invalid: el?.getAttribute("aria-invalid") ?? "",
      activeRow: el?.getAttribute("aria-activedescendant") ?? "",
    };
  });
}

const isMsisdnFinding = (f) => f.error && f.field === "TEL_MSISDN";
const isTariffFinding = (f) => f.error && f.where.startsWith("TMF25") && f.message.includes("14344");

async function findingButton(browser, matches) {
  // The DOM's text (a line too long for the panel is cut visually, not in the DOM).
  const shown = await browser.execute(() =>
    [...document.querySelectorAll('section[aria-labelledby="validation-title"] button.finding')].map((b) => ({
      error: b.classList.contains("error"),
      field: b.getAttribute("data-field") ?? "",
      message: b.querySelector(".detail")?.textContent?.trim() ?? "",
      where: b.querySelector(".where")?.textContent?.trim() ?? "",
    })),
  );
  const index = shown.findIndex(matches);
  if (index < 0) throw new Error(`no such finding in the Checks panel: ${JSON.stringify(shown)}`);
  const buttons = await browser.$$('section[aria-labelledby="validation-title"] button.finding');
  return buttons[index];
}

test("submit is blocked by a draft's errors, the findings lead to the fields, fixing them unblocks", async () => {
  await withApp("validation", async (browser) => {
    await useDemoServer(browser);
    // The customer is set first so that the findings left are the items' own.
    await newDraftFor(browser, CUSTOMER);

    // Add the TMF25 bundle from the catalog picker: its required children come with it.
    const search = await browser.$('input[aria-label="Search the catalog"]');
    await search.addValue("TMF25");
    // Wait for the filtered answer (every result matches), not the unfiltered list shown
    // before the search ran, which may also hold TMF25 but is about to be replaced.
    await browser.waitUntil(
      () =>
        browser.execute(() => {
          const names = [...document.querySelectorAll('#picker-results [role="option"] .name')].map((n) => n.textContent.trim());
          return names.includes("TMF25") && names.every((n) => n.includes("TMF25"));
        }),
      { timeout: 15_000, timeoutMsg: "the catalog picker never offered TMF25 for the search 'TMF25'" },
    );
    const option = await browser.$("#picker-results").$("span.name=TMF25").parentElement();
    await option.click();
    let state = await waitEditor(browser, "the TMF25 bundle never appeared with its children", (s) =>
      ["TMF25", "Mobile Telephony", "Tariff Plan"].every((n) => s.rows.some((r) => r.name === n)),
    );
    assert.ok(state.findings.some(isMsisdnFinding), "an empty TEL_MSISDN is an error");

    // Remove the bundle's only Tariff Plan: the bundle needs exactly one.
    await (await browser.$('[role="tree"] button[aria-label="Remove Tariff Plan"]')).click();
    state = await waitEditor(
      browser,
      "removing the Tariff Plan never produced the cardinality error",
      (s) => !s.rows.some((r) => r.name === "Tariff Plan") && s.findings.some(isTariffFinding),
    );
    const bundle = state.rows.find((r) => r.name === "TMF25");
    const line = state.rows.find((r) => r.name === "Mobile Telephony");
    assert.equal(state.findings.filter((f) => f.error).length, 2, JSON.stringify(state.findings));
    assert.ok(state.submitBlocked, "the Submit button is marked as blocked");
    // The place reads in words, as the field is labelled; the code stays on the finding.
    assert.equal(state.findings.find(isMsisdnFinding).where, "Mobile Telephony › Phone number");
    assert.match(state.findings.find(isTariffFinding).message, /needs 1\.\.1 of offering .*\(14344\), has 0/);
    // Each finding explains its code in the UI's words, beside the backend's own message.
    assert.equal(state.findings.find(isMsisdnFinding).explanation, "A required characteristic has no value.");
    assert.equal(state.findings.find(isTariffFinding).explanation, "The bundle has too few or too many of an offering.");

    // Submit is refused and says why.
    await (await browser.$("button=Submit")).click();
    state = await waitEditor(browser, "Submit never said it is blocked", (s) => s.note !== "");
    assert.equal(state.note, "Submit is blocked: 2 errors must be fixed first (see Checks).");
    await waitForPaint(browser);
    await screenshot(browser, "validation-blocked");

    // The bundle's finding focuses the tree with the bundle selected.
    await (await findingButton(browser, isTariffFinding)).click();
    await browser.waitUntil(async () => (await activeElement(browser)).role === "tree", {
      timeout: 10_000,
      timeoutMsg: "clicking the bundle's finding did not focus the item tree",
    });
    assert.equal((await activeElement(browser)).activeRow, `tree-row-${bundle.id}`);

    // The MSISDN finding focuses the Mobile Telephony line's TEL_MSISDN field.
    const msisdnField = `field-${line.id}-TEL_MSISDN`;
    await (await findingButton(browser, isMsisdnFinding)).click();
    await browser.waitUntil(async () => (await activeElement(browser)).id === msisdnField, {
      timeout: 10_000,
      timeoutMsg: `clicking the TEL_MSISDN finding did not focus #${msisdnField}`,
    });
    const focused = await activeElement(browser);
    assert.equal(focused.tag, "INPUT");
    assert.equal(focused.invalid, "true");

    // A phone number with letters is answered in words at the field (not with the code).
    await (await browser.$(`#${msisdnField}`)).addValue("12ab");
    await browser.keys("Tab");
    const fieldError = await browser.$(`#${msisdnField}-error`);
    await browser.waitUntil(async () => (await fieldError.isExisting()) && (await fieldError.getText()).includes("only digits"), {
      timeout: 10_000,
      timeoutMsg: "the phone number 12ab was never answered at its field",
    });
    const said = await fieldError.getText();
    assert.match(said, /phone number/, said);
    assert.ok(!said.includes("TEL_MSISDN"), `the field's message speaks in words: ${said}`);
    assert.equal(await (await browser.$(`#${msisdnField}`)).getAttribute("aria-describedby"), `${msisdnField}-error`);
    await waitForPaint(browser);
    await screenshot(browser, "validation-phone-in-words");

    // Fix 1: type the MSISDN into the field; it is committed when the field is left.
    await (await browser.$(`#${msisdnField}`)).setValue(MSISDN);
    await browser.keys("Tab");
    state = await waitEditor(browser, "entering the MSISDN never cleared its finding", (s) => !s.findings.some(isMsisdnFinding));
    assert.equal(await (await browser.$(`#${msisdnField}`)).getValue(), MSISDN);

    // Fix 2: put a Tariff Plan back through the bundle's contents.
    await (await browser.$(`#tree-row-${bundle.id} .name`)).click();
    const addTariff = await browser.$('button[aria-label="Add Tariff Plan to this bundle"]');
    await addTariff.waitForEnabled({ timeout: 10_000, timeoutMsg: "the bundle's contents never offered Tariff Plan" });
    await addTariff.click();
    state = await waitEditor(browser, "restoring the Tariff Plan never cleared the checks", (s) => s.ok !== "");
    assert.equal(state.ok, "No problems found. The order can be submitted.");
    assert.deepEqual(state.findings, []);
    assert.ok(!state.submitBlocked, "the Submit button is no longer marked as blocked");
    assert.ok(state.rows.some((r) => r.name === "Tariff Plan" && r.level === 2));
    await waitForPaint(browser);
    await screenshot(browser, "validation-fixed");

    // Submit now goes through, past the review: the order is queued for the demo server.
    await submitDraft(browser);
    await waitForPaint(browser);
    await screenshot(browser, "validation-submitted");
  });
});
