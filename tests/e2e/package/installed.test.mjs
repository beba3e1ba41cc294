// The installed package's app (tests/package/run.sh installs the .deb and runs this through
// tests/e2e/run.sh with E2E_APP=/usr/bin/orderdesk-app): the window paints, the bundled demo
// server starts and serves its catalog, a draft is saved in the agent's data directory
// (E2E_PACKAGE_DATA_DIR, which the script checks is left alone when the package is removed),
// Help → About names the installed version and the commit it was built from, and the app logs
// to the platform's log directory ($XDG_STATE_HOME/orderdesk/logs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { launchApp, screenshot } from "../lib/app.mjs";
import { newDraftFor, useDemoServer } from "../lib/flows.mjs";

const dataDir = process.env.E2E_PACKAGE_DATA_DIR;
const version = process.env.E2E_PACKAGE_VERSION;

test("the installed app paints, runs the demo server, saves a draft and tells its version", async () => {
  assert.ok(dataDir && version, "run through tests/package/run.sh");
  const { browser } = await launchApp({ dataDir });
  try {
    assert.equal(await browser.getTitle(), "Orderdesk");
    await (await browser.$("h2=Welcome to Orderdesk")).waitForDisplayed({ timeout: 30_000 });
    await useDemoServer(browser);
    await newDraftFor(browser, { id: "C-PKG-1", name: "Package Test Customer" });

    await (await browser.$("button=Help")).click();
    await (await browser.$("button=About Orderdesk")).click();
    const shown = await browser.$('[data-testid="about-version"]');
    await shown.waitForDisplayed({ timeout: 10_000 });
    assert.equal(await shown.getText(), version);
    const commit = await (await browser.$('[data-testid="about-commit"]')).getText();
    assert.match(commit, /^([0-9a-f]{12}|unknown)$/);
    await screenshot(browser, "installed-about");

    const logDir = join(process.env.XDG_STATE_HOME ?? "", "orderdesk", "logs");
    let logged = "";
    await browser.waitUntil(
      async () => {
        try {
          logged = readdirSync(logDir).map((f) => readFileSync(join(logDir, f), "utf8")).join("");
        } catch {
          logged = "";
        }
        return logged.includes(`"version":"${version}"`);
      },
      { timeout: 10_000, timeoutMsg: `no start-up line in ${logDir}: ${logged.slice(0, 500)}` },
    );
    assert.ok(!logged.includes("Package Test Customer"), "no customer's name in the log");
  } catch (error) {
    await screenshot(browser, "installed-failure").catch(() => {});
    throw error;
  } finally {
    await browser.deleteSession();
  }
});
