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
  await keepPainting(browser);
  await browser.saveScreenshot(path);
  return path;
}

// WebKitGTK answers a screenshot after the page's next paint. A page drawn on the CPU (the app's
// choice on machines without a GPU, such as CI) paints only when something changes, so a still
// page would never answer. For a moment, one pixel in the corner changes its (invisible)
// colour every 50 ms: paints keep coming while the screenshot is taken.
async function keepPainting(browser) {
  await browser.execute(() => {
    const dot = document.createElement("div");
    dot.setAttribute("aria-hidden", "true");
    dot.style.cssText =
      "position:fixed;right:0;bottom:0;width:1px;height:1px;pointer-events:none;z-index:2147483647";
    document.body.append(dot);
    let n = 0;
    const timer = setInterval(() => {
      n += 1;
      dot.style.backgroundColor = n % 2 ? "rgba(0,0,0,0.004)" : "rgba(0,0,0,0)";
      if (n >= 60) {
        clearInterval(timer);
        dot.remove();
      }
    }, 50);
  });
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
