// The same "interactive" signal as Orderdesk's (ui/src/lib/backend/ready.ts): after the first
// paint (two animation frames), emit the ready event through Tauri's event plugin.
requestAnimationFrame(() =>
  requestAnimationFrame(() => {
    window.__TAURI_INTERNALS__
      .invoke("plugin:event|emit", {
        event: "orderdesk://ready",
        payload: { pageMs: Math.round(performance.now()) },
      })
      .catch(() => {});
  }),
);
