// App-wide state: which screen is shown, the backend status (first start, demo server).
import {
  backend,
  errorText,
  onAppStatusChanged,
  stopListening,
  takeInitialStatus,
  type AppStatus,
} from "../backend/ipc";
import { m } from "../paraglide/messages.js";
import { navigated } from "../util/focus";

export type Screen = "orders" | "editor" | "catalog" | "settings" | "order" | "sync";

export class AppStore {
  screen = $state<Screen>("orders");
  status = $state<AppStatus | null>(null);
  startupError = $state<string | null>(null);
  demoStarting = $state(false);
  notice = $state<string | null>(null);

  /** The first status: the one the shell handed the page (no round trip before the first
   *  screen), else the backend's answer. Resolves true when it came from the shell. */
  async start(): Promise<boolean> {
    const initial = takeInitialStatus();
    if (initial) {
      this.status = initial;
      return true;
    }
    await this.refresh();
    return false;
  }

  async refresh() {
    try {
      this.status = await backend.appStatus();
      this.startupError = null;
    } catch (e) {
      this.startupError = errorText(e);
    }
  }

  /** Refresh whenever the backend says the status changed; returns a function that stops. */
  async follow(): Promise<() => void> {
    let stop: (() => void) | null = null;
    try {
      stop = await onAppStatusChanged(() => void this.refresh());
    } catch {
      // Without the event channel the status is as of the last refresh; screens still work.
    }
    return () => stopListening(stop);
  }

  async startDemo() {
    this.demoStarting = true;
    try {
      await backend.startDemo();
      await this.refresh();
      this.notice = m.demo_started();
    } catch (e) {
      this.startupError = errorText(e);
    } finally {
      this.demoStarting = false;
    }
  }

  /** Show another screen; its heading takes focus (lib/util/focus.ts). */
  go(screen: Screen) {
    if (screen !== this.screen) navigated();
    this.screen = screen;
  }
}
