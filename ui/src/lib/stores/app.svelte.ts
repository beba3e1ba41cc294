// App-wide state: which screen is shown, the backend status (first start, demo server).
import { backend, errorText, type AppStatus } from "../backend/ipc";

export type Screen = "orders" | "editor" | "catalog" | "settings" | "order" | "sync";

export class AppStore {
  screen = $state<Screen>("orders");
  status = $state<AppStatus | null>(null);
  startupError = $state<string | null>(null);
  demoStarting = $state(false);
  notice = $state<string | null>(null);

  async refresh() {
    try {
      this.status = await backend.appStatus();
      this.startupError = null;
    } catch (e) {
      this.startupError = errorText(e);
    }
  }

  async startDemo() {
    this.demoStarting = true;
    try {
      await backend.startDemo();
      await this.refresh();
      this.notice = "Demo server started; its catalog is ready.";
    } catch (e) {
      this.startupError = errorText(e);
    } finally {
      this.demoStarting = false;
    }
  }

  go(screen: Screen) {
    this.screen = screen;
  }
}
