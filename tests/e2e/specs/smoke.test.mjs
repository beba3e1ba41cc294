// First start on an empty data directory: the window paints, the UI reaches the Rust backend,
// and "Use the demo server" starts the bundled reference server in-process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { screenshot, withApp } from "../lib/app.mjs";

test("first start offers the demo server, which starts and fills the catalog", async () => {
  await withApp("smoke", async (browser) => {
    assert.equal(await browser.getTitle(), "Orderdesk");
    const welcome = await browser.$("h2=Welcome to Orderdesk");
    await welcome.waitForDisplayed({ timeout: 30_000 });
    await screenshot(browser, "first-start");

    await (await browser.$("button=Use the demo server")).click();
    const status = await browser.$('header [role="status"]');
    await browser.waitUntil(async () => (await status.getText()).includes("Demo server"), {
      timeout: 30_000,
      timeoutMsg: "the connection indicator never said 'Demo server'",
    });

    // The demo catalog reached the local cache: searching the catalog finds the TMF25 bundle.
    await (await browser.$("button=Catalog")).click();
    const search = await browser.$('input[placeholder^="Search offerings"]');
    await search.waitForDisplayed({ timeout: 10_000 });
    await search.setValue("TMF25");
    await browser.waitUntil(
      async () => {
        const shown = await browser.execute(() => document.querySelector("main")?.innerText ?? "");
        return /^TMF25\b/m.test(shown);
      },
      { timeout: 30_000, timeoutMsg: "the catalog search never listed TMF25" },
    );
    await screenshot(browser, "demo-catalog");
  });
});
