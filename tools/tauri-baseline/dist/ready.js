// The same "interactive" signal as Orderdesk's (ui/src/lib/backend/ready.ts): after the first
// paint (two animation frames), emit the ready event through Tauri's event plugin. There is no
// backend answer to wait for, so the data mark is the script's start.
const scriptMs = Math.round(performance.now());
requestAnimationFrame(() =>
  requestAnimationFrame(() => {
    window.__TAURI_INTERNALS__
      .invoke("plugin:event|emit", {
        event: "orderdesk://ready",
        payload: { scriptMs, dataMs: scriptMs, pageMs: Math.round(performance.now()) },
      })
      .catch(() => {});
  }),
);
