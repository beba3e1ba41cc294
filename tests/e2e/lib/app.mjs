// Starts a WebDriver session on the real desktop app (through tauri-driver) and saves
// screenshots. Each spec gets a fresh app process and its own data directory.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { remote } from "webdriverio";

const need = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the specs through tests/e2e/run.sh`);
  return value;
};

// `launchApp(args)` starts the app on a fresh data directory; `launchApp({ dataDir, args })`
// starts it on an existing one (reopening after a crash or a restart).
export async function launchApp(options = []) {
  const { dataDir: given, args = [] } = Array.isArray(options) ? { args: options } : options;
  const dataDir = given ?? mkdtempSync(join(need("E2E_WORK"), "app-"));
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

// Ids of the running app processes that were started on `dataDir` (read from /proc: the
// suite runs on Linux). Only `orderdesk-app` processes count, not the drivers around them.
export function appPids(dataDir) {
  const pids = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let argv;
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
    } catch {
      continue; // the process ended while we looked
    }
    const at = argv.indexOf("--data-dir");
    if (basename(argv[0] ?? "") === "orderdesk-app" && at >= 0 && argv[at + 1] === dataDir) {
      pids.push(Number(entry));
    }
  }
  return pids;
}

// Ends a WebDriver session whose app may already be gone (killed on purpose): the driver's
// answer is not awaited for longer than `timeoutMs`, and an error from it is expected.
export async function endSession(browser, timeoutMs = 15_000) {
  let timer;
  const deadline = new Promise((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  try {
    await Promise.race([browser.deleteSession().catch(() => {}), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

// Resolves after the window has painted twice: WebKitGTK's screenshot is the last painted
// frame, which can lag behind the DOM a test just waited for.
export async function waitForPaint(browser) {
  await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
}
