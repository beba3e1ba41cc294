// The "interactive" signal for start-up measurements (`scripts/perf.sh`): once the first screen
// has been painted with the backend's first answer, the page emits one event. The desktop shell
// prints it on stderr only when started with ORDERDESK_REPORT_READY=1; otherwise nobody listens.
import { emit } from "@tauri-apps/api/event";

/** The event the shell listens for; `tools/tauri-baseline` emits the same one. */
export const READY_EVENT = "orderdesk://ready";

let reported = false;
// When the bundle started running (ms since navigation start): splits the page's time into
// loading the script, waiting for the backend's first answer and painting.
const scriptMs = typeof performance === "undefined" ? 0 : performance.now();

/** Resolves after the next frame has been painted (two animation frames). */
export function afterPaint(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof requestAnimationFrame !== "function") return resolve();
    requestAnimationFrame(() => requestAnimationFrame(() => resolve()));
  });
}

/** Emit the ready event once per page, after the next paint; never throws. The payload has
 *  the script's start, the call (the data has arrived) and the paint, in ms since navigation. */
export async function reportReady(): Promise<void> {
  if (reported) return;
  reported = true;
  const dataMs = performance.now();
  await afterPaint();
  try {
    await emit(READY_EVENT, {
      scriptMs: Math.round(scriptMs),
      dataMs: Math.round(dataMs),
      pageMs: Math.round(performance.now()),
    });
  } catch {
    // Outside the desktop shell (tests, a plain browser) there is no one to tell.
  }
}
