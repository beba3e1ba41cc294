// Focus on navigation: when the agent goes to another screen, its heading takes focus, so the
// keyboard starts at the top of what was opened and a screen reader announces its name.
// `AppStore.go` marks a navigation; the heading of the screen that appears (with the
// `screenHeading` action) takes it, unless something on that screen has already been focused
// on purpose (a field a finding or a refused order leads to, the search box of Ctrl+F).

let pending = false;

/** A navigation happened: the next screen heading to appear takes focus. */
export function navigated(): void {
  pending = true;
}

/** Svelte action for a screen's main heading. */
export function screenHeading(node: HTMLElement): void {
  node.tabIndex = -1;
  node.dataset.screenHeading = "";
  if (!pending) return;
  pending = false;
  const active = document.activeElement;
  const screen = node.closest("main") ?? document.body;
  if (active && active !== document.body && active !== node && screen.contains(active)) return;
  node.focus({ preventScroll: true });
}
