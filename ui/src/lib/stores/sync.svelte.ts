// The live sync status: read once, then kept current by the backend's `SyncStatusChanged`
// events (never polled). `changes` moves when something the agent sees changed; views that
// show orders reload on it.
import {
  backend,
  errorText,
  onSyncStatus,
  stopListening,
  type SyncStatusView,
} from "../backend/ipc";
import { m } from "../paraglide/messages.js";

export class SyncStore {
  status = $state<SyncStatusView | null>(null);
  /** Bumped when orders or outbox entries may look different now. */
  changes = $state(0);
  /** Why live updates are not available, if they are not. */
  error = $state<string | null>(null);
  private stop: (() => void) | null = null;

  /** Start listening (idempotent); returns a function that stops it. */
  async start(): Promise<() => void> {
    if (!this.stop) {
      try {
        this.stop = await onSyncStatus((status) => this.apply(status));
      } catch (e) {
        // Without the event channel the header cannot stay current; say so, keep working.
        this.error = errorText(e);
      }
      try {
        this.apply(await backend.syncStatus());
      } catch {
        // The window still works without the initial status; the next event brings it.
      }
    }
    return () => {
      const stop = this.stop;
      this.stop = null;
      stopListening(stop);
    };
  }

  /** Take a new status; views reload when something they show may have changed. */
  apply(next: SyncStatusView) {
    const previous = this.status;
    this.status = next;
    // The first status changes nothing shown: the views loaded their own data.
    if (
      previous !== null &&
      (previous.changes !== next.changes ||
        previous.queued !== next.queued ||
        previous.inFlight !== next.inFlight ||
        previous.needsAttention !== next.needsAttention)
    ) {
      this.changes += 1;
    }
  }
}

/** The header's words for a status. */
export function connectionText(status: SyncStatusView | null): string {
  if (!status || status.online === null) return m.sync_not_yet();
  return status.online ? m.sync_online() : m.sync_offline();
}
