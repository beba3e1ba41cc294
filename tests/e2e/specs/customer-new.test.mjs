// A customer the server does not have yet is created from a draft's customer field: the agent
// types her name, arrows down to "New customer…", adds her phone number in the form that
// opens in place and presses Enter. The draft then names her (the same edit a picked customer
// makes), and the server lists her.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { mkdtempSync } from "node:fs";
import { screenshot, waitForPaint, withApp } from "../lib/app.mjs";
import { assertAccessible } from "../lib/a11y.mjs";
import { freePort, startServer } from "../lib/server.mjs";
import { addLabProfile, waitEditor } from "../lib/flows.mjs";

const NAME = "Grace Hopper";
const PHONE = "+1 202 555 0199";
const SEARCH = "#field-header-customer-search";

/** The ids of the server's customers named `name`. */
async function onServer(server, name) {
  const url = `${server.base}/tmf-api/customerManagement/v4/customer?name=${encodeURIComponent(name)}`;
  const list = await (await fetch(url)).json();
  return list.map((c) => c.id);
}

test("a new customer is created inline from the draft's customer field", async () => {
  const work = mkdtempSync(join(process.env.E2E_WORK ?? "/tmp", "customer-new-"));
  const server = await startServer(await freePort(), join(work, "server.db"));
  try {
    // The demo data has a Grace Hopper already: the new one is another customer.
    const before = await onServer(server, NAME);

    await withApp("customer-new", async (browser) => {
      const welcome = await browser.$("h2=Welcome to Orderdesk");
      await welcome.waitForDisplayed({ timeout: 30_000, timeoutMsg: "the welcome screen never showed" });
      await (await browser.$("button=Not now")).click();
      await addLabProfile(browser, server);

      await (await browser.$("nav").$("button=Orders")).click();
      await (await browser.$("button=New draft")).click();
      const search = await browser.$(SEARCH);
      await search.waitForDisplayed({ timeout: 15_000, timeoutMsg: "the new draft never opened" });
      await waitEditor(browser, "the new draft never settled", () => true);
      await search.click();
      await search.addValue(NAME);
      await browser.waitUntil(
        () =>
          browser.execute(
            (s) => document.querySelector(s)?.getAttribute("aria-expanded") === "true" && !!document.querySelector(`${s}-opt-new`),
            SEARCH,
          ),
        { timeout: 30_000, timeoutMsg: "typing the name never opened the list with “New customer…”" },
      );
      // "New customer…" is the last option: the arrows reach it, Enter opens the form.
      const active = () => browser.execute((s) => document.querySelector(s)?.getAttribute("aria-activedescendant"), SEARCH);
      for (let i = 0; i < 30 && (await active()) !== "field-header-customer-search-opt-new"; i++) await browser.keys("ArrowDown");
      assert.equal(await active(), "field-header-customer-search-opt-new");
      await browser.keys("Enter");

      const name = await browser.$(`${SEARCH}-new-name`);
      await name.waitForDisplayed({ timeout: 10_000, timeoutMsg: "the new-customer form never opened" });
      assert.equal(await name.getValue(), NAME, "the name is what was typed");
      const phone = await browser.$(`${SEARCH}-new-phone`);
      await phone.click();
      await phone.addValue(PHONE);
      await waitForPaint(browser);
      await screenshot(browser, "customer-new-form");
      await assertAccessible(browser, "the new-customer form");
      await browser.keys("Enter");

      // The draft names her, by the id the server gave her.
      let id = "";
      await browser.waitUntil(
        async () => {
          id = await browser.execute(() => document.querySelector("#field-header-customer")?.value ?? "");
          const title = await browser.execute(() => document.querySelector(".editor .bar h2")?.textContent?.trim() ?? "");
          return id !== "" && !before.includes(id) && title.startsWith(NAME);
        },
        { timeout: 15_000, timeoutMsg: "the new customer was never taken into the draft" },
      );
      assert.equal(await browser.$(`${SEARCH}-new-name`).isExisting(), false, "the form closed");
      const after = await onServer(server, NAME);
      assert.ok(after.includes(id), `the server lists ${NAME} as ${id}: ${JSON.stringify(after)}`);
      assert.equal(after.length, before.length + 1, "created once");
    });
  } finally {
    await server.stop();
  }
});
