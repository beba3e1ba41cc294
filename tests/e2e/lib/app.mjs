// Starts a WebDriver session on the real desktop app (through tauri-driver) and saves
// screenshots. Each spec gets a fresh app process and its own data directory.
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { remote } from "webdriverio";

const need = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the specs through tests/e2e/run.sh`);
  return value;
};

export async function launchApp(args = []) {
  const dataDir = mkdtempSync(join(need("E2E_WORK"), "app-"));
  const browser = await remote({
    hostname: "127.0.0.1",
    port: Number(need("E2E_DRIVER_PORT")),
    logLevel: "warn",
    capabilities: {
      "tauri:options": { application: need("E2E_APP"), args: ["--data-dir", dataDir, ...args] },
    },
  });
  return { browser, dataDir };
}

export async function screenshot(browser, name) {
  const path = join(need("E2E_ARTIFACTS"), `${name}.png`);
  await browser.saveScreenshot(path);
  return path;
}

// Runs `body` against a fresh app; on failure the window is saved as `<name>-failure.png`
// before the session ends, so the last thing the app showed is kept.
export async function withApp(name, body, args = []) {
  const { browser, dataDir } = await launchApp(args);
  try {
    await body(browser, dataDir);
  } catch (error) {
    await screenshot(browser, `${name}-failure`).catch(() => {});
    throw error;
  } finally {
    await browser.deleteSession();
  }
}
