// jsdom lacks a few browser APIs the UI uses; these stand-ins make them inert in tests.
class NoResize {
  observe() {}
  unobserve() {}
  disconnect() {}
}
const scope = globalThis as unknown as Record<string, unknown>;
if (!("ResizeObserver" in scope)) scope.ResizeObserver = NoResize;
if (typeof HTMLElement !== "undefined" && !HTMLElement.prototype.scrollIntoView) {
  HTMLElement.prototype.scrollIntoView = () => {};
}
