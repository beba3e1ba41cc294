// Responsiveness with a 1,000-item draft in the real window (issue 7, bar c), measured inside
// the page with performance.now() and printed as one JSON line:
// - open: from the click on the draft's row in Orders to the painted bundle tree (the backend
//   opens and prices the draft, the editor renders the tree, the price panel and the checks);
// - edit: from the "+" key on a selected tree row (quantity + 1: the backend re-validates,
//   reprices and saves, the UI updates) to the painted row with the new quantity; repeated.
// "Painted" is two animation frames after the DOM changed, so each figure includes up to one
// frame of waiting. Not a spec (it measures, it does not pass or fail): `scripts/perf.sh`
// runs it with E2E_APP, E2E_DRIVER_PORT, E2E_WORK and E2E_PERF_DATA_DIR (a prepared data
// directory whose only draft has 1,000 items).
import { endSession, launchApp } from "../lib/app.mjs";

const EDITS = Number(process.env.E2E_PERF_EDITS ?? 9);
const dataDir = process.env.E2E_PERF_DATA_DIR;
if (!dataDir) throw new Error("E2E_PERF_DATA_DIR is not set: run scripts/perf.sh");

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const { browser } = await launchApp({ dataDir });
try {
  const row = await browser.$("table.grid tbody tr.clickable");
  await row.waitForDisplayed({ timeout: 60_000, timeoutMsg: "the draft never showed in Orders" });

  const open = await browser.executeAsync((done) => {
    const start = performance.now();
    const painted = () =>
      requestAnimationFrame(() => requestAnimationFrame(() => done({ ms: performance.now() - start, rows: document.querySelectorAll('[role="tree"] [role="treeitem"]').length })));
    const observer = new MutationObserver(() => {
      if (document.querySelector('[role="tree"] [role="treeitem"]')) {
        observer.disconnect();
        painted();
      }
    });
    observer.observe(document.body, { childList: true, subtree: true });
    document.querySelector("table.grid tbody tr.clickable").click();
  });
  const treeitems = await browser.execute(() => Number(document.querySelector('[role="tree"] .spacer')?.style.height.replace("px", "") ?? 0));

  const edits = [];
  for (let i = 0; i < EDITS; i += 1) {
    const result = await browser.executeAsync((done) => {
      const tree = document.querySelector('[role="tree"]');
      const row = tree.querySelector('[role="treeitem"]');
      row.click();
      const qty = () => row.querySelector(".qty")?.textContent ?? "";
      const before = qty();
      // Let the selection render before the key goes to the tree.
      requestAnimationFrame(() => {
        const start = performance.now();
        const timer = setTimeout(() => done({ error: `no repaint after +, quantity stayed ${before}` }), 20_000);
        const observer = new MutationObserver(() => {
          if (qty() === before) return;
          observer.disconnect();
          requestAnimationFrame(() =>
            requestAnimationFrame(() => {
              clearTimeout(timer);
              done({ ms: performance.now() - start, before, after: qty() });
            }),
          );
        });
        observer.observe(tree, { childList: true, subtree: true, characterData: true });
        tree.dispatchEvent(new KeyboardEvent("keydown", { key: "+", bubbles: true }));
      });
    });
    if (result.error) throw new Error(result.error);
    edits.push(result.ms);
    // The editor settles (save indicator, price panel) before the next edit.
    await browser.pause(300);
  }

  console.log(
    JSON.stringify({
      treeHeightRows: treeitems / 28,
      domRows: open.rows,
      openMs: Math.round(open.ms),
      editMedianMs: Math.round(median(edits)),
      editMaxMs: Math.round(Math.max(...edits)),
      edits: edits.map((ms) => Math.round(ms)),
    }),
  );
} finally {
  await endSession(browser);
}
