// The counter's everyday helpers: a starred offering leads the catalog picker, a draft is
// duplicated from the command palette with its phone number left empty, and the copy is
// deleted after a confirmation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { screenshot, waitForPaint, withApp } from "../lib/app.mjs";
import { addTmf25, newDraftFor, orderRows, paletteRun, useDemoServer, waitEditor } from "../lib/flows.mjs";

const CUSTOMER = { id: "CUST-4711", name: "Counter Helpers KG" };
const MSISDN = "+49 170 1234567";

/** The picker's options as listed: name and whether it is starred. */
function pickerOptions(browser) {
  return browser.execute(() =>
    [...document.querySelectorAll('#picker-results [role="option"]')].map((o) => ({
      name: o.querySelector(".name")?.textContent?.trim() ?? "",
      starred: o.querySelector(".star")?.getAttribute("data-starred") === "true",
    })),
  );
}

/** The open draft's short id, as the editor's heading shows it. */
function draftShortId(browser) {
  return browser.execute(() => document.querySelector(".editor .bar h2 .mono")?.textContent?.split("·")[0]?.trim() ?? "");
}

test("favourite first in the picker, duplicate without the phone number, delete after confirming", async () => {
  await withApp("counter-helpers", async (browser) => {
    await useDemoServer(browser);
    await newDraftFor(browser, CUSTOMER);

    // Star TMF25 from the picker with the keyboard (Ctrl+D on the highlighted offering).
    const search = await browser.$('input[aria-label="Search the catalog"]');
    await search.addValue("TMF25");
    await browser.waitUntil(
      async () => {
        const options = await pickerOptions(browser);
        return options[0]?.name === "TMF25" && options.every((o) => o.name.includes("TMF25"));
      },
      { timeout: 15_000, timeoutMsg: "the catalog picker never offered TMF25 first" },
    );
    await search.click();
    await browser.keys(["Control", "d"]);
    await browser.waitUntil(async () => (await pickerOptions(browser))[0]?.starred === true, {
      timeout: 10_000,
      timeoutMsg: "Ctrl+D never starred TMF25",
    });

    // With the search cleared, the favourite leads the catalog.
    // Cleared as an agent does it (select all, delete), so the picker hears the input.
    await search.click();
    await browser.keys(["Control", "a"]);
    await browser.keys("Backspace");
    let options;
    await browser.waitUntil(
      async () => {
        options = await pickerOptions(browser);
        return options.length > 1 && !options.every((o) => o.name.includes("TMF25"));
      },
      { timeout: 15_000, timeoutMsg: "the picker never listed the whole catalog again" },
    );
    assert.deepEqual(options[0], { name: "TMF25", starred: true }, JSON.stringify(options.slice(0, 3)));
    await waitForPaint(browser);
    await screenshot(browser, "counter-helpers-favourite");

    // The draft gets TMF25 with its line's phone number.
    const { line } = await addTmf25(browser, MSISDN);
    const original = await draftShortId(browser);
    assert.equal(await (await browser.$(`#field-${line}-TEL_MSISDN`)).getValue(), MSISDN);

    // Duplicate from the palette: a new draft, same customer and items, no phone number.
    assert.ok(await paletteRun(browser, "editor-duplicate"), "the palette offers Duplicate in the editor");
    await browser.waitUntil(async () => {
      const id = await draftShortId(browser);
      return id !== "" && id !== original;
    }, { timeout: 15_000, timeoutMsg: "the copy never opened" });
    const copy = await draftShortId(browser);
    const state = await waitEditor(browser, "the copy never settled", (s) => s.rows.some((r) => r.name === "Mobile Telephony"));
    assert.deepEqual(
      state.rows.map((r) => r.name).filter((n) => n === "TMF25" || n === "Mobile Telephony" || n === "Tariff Plan"),
      ["TMF25", "Mobile Telephony", "Tariff Plan"],
    );
    const heading = await browser.execute(() => document.querySelector(".editor .bar h2")?.textContent ?? "");
    assert.ok(heading.startsWith(CUSTOMER.name), `the copy keeps the customer: ${heading}`);
    const copiedLine = state.rows.find((r) => r.name === "Mobile Telephony");
    await (await browser.$(`#tree-row-${copiedLine.id} .name`)).click();
    const phone = await browser.$(`#field-${copiedLine.id}-TEL_MSISDN`);
    await phone.waitForDisplayed({ timeout: 10_000 });
    assert.equal(await phone.getValue(), "", "the copy's phone number is empty");
    assert.ok(state.findings.some((f) => f.error && f.field === "TEL_MSISDN"), "and required again");
    const note = await (await browser.$('[data-testid="editor-copy-note"]')).getText();
    assert.match(note, new RegExp(`^A copy of draft ${original}`));
    await waitForPaint(browser);
    await screenshot(browser, "counter-helpers-duplicate");

    // Delete the copy: asked first; keeping it changes nothing, confirming deletes it.
    await (await browser.$('[data-testid="editor-delete"]')).click();
    const dialog = await browser.$("dialog[open]");
    await dialog.waitForDisplayed({ timeout: 10_000, timeoutMsg: "Delete never asked" });
    assert.equal(await (await dialog.$("h2")).getText(), "Delete this draft?");
    await (await dialog.$("button=Keep it")).click();
    await dialog.waitForExist({ reverse: true, timeout: 10_000 });
    assert.equal(await draftShortId(browser), copy, "the copy is still open");
    await (await browser.$('[data-testid="editor-delete"]')).click();
    await (await browser.$('[data-testid="delete-confirm"]')).click();
    const notice = await browser.$("p.notice");
    await notice.waitForDisplayed({ timeout: 10_000, timeoutMsg: "no notice after deleting" });
    assert.match(await notice.getText(), /^Draft deleted\./);
    let rows;
    await browser.waitUntil(
      async () => {
        rows = await orderRows(browser);
        return rows.some((r) => r.id.startsWith(original));
      },
      { timeout: 15_000, timeoutMsg: "the Orders list never showed the original draft" },
    );
    assert.ok(!rows.some((r) => r.id.startsWith(copy)), `the copy is gone: ${JSON.stringify(rows)}`);
    await waitForPaint(browser);
    await screenshot(browser, "counter-helpers-deleted");
  });
});
