// The built app starts, its window paints the UI, and the UI reaches the Rust backend over IPC.
import { test } from "node:test";
import assert from "node:assert/strict";
import { launchApp, screenshot } from "../lib/app.mjs";

test("the app opens a window whose UI talks to the backend", async () => {
  const { browser } = await launchApp();
  try {
    const version = await browser.$('[data-testid="app-version"]');
    await version.waitForDisplayed({ timeout: 20_000 });
    assert.match(await version.getText(), /^v\d+\.\d+\.\d+/);
    assert.equal(await browser.getTitle(), "Orderdesk");
    await screenshot(browser, "smoke");
  } finally {
    await browser.deleteSession();
  }
});
