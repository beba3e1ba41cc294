import { afterEach, describe, expect, it } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import { SyncStore, connectionText } from "./sync.svelte";
import { syncStatus } from "../../test/fixtures";

afterEach(() => clearMocks());

describe("SyncStore", () => {
  it("moves `changes` only when something the views show may differ", () => {
    const sync = new SyncStore();
    sync.apply(syncStatus());
    expect(sync.changes).toBe(0);
    sync.apply(syncStatus({ online: false, running: true }));
    expect(sync.changes).toBe(0);
    sync.apply(syncStatus({ queued: 1 }));
    expect(sync.changes).toBe(1);
    sync.apply(syncStatus({ queued: 0, inFlight: 1 }));
    expect(sync.changes).toBe(2);
    sync.apply(syncStatus({ inFlight: 1, changes: 4 }));
    expect(sync.changes).toBe(3);
    sync.apply(syncStatus({ inFlight: 1, changes: 4, needsAttention: 1 }));
    expect(sync.changes).toBe(4);
  });

  it("reads the status once, follows the backend's events, and stops", async () => {
    mockIPC((cmd) => {
      if (cmd === "sync_status") return syncStatus({ online: null });
      throw new Error(`unexpected command ${cmd}`);
    }, { shouldMockEvents: true });
    const sync = new SyncStore();
    const stop = await sync.start();
    expect(connectionText(sync.status)).toBe("Not synced yet");
    await emit("sync-status-changed", syncStatus({ online: false, queued: 2 }));
    expect(connectionText(sync.status)).toBe("Offline");
    expect(sync.status?.queued).toBe(2);
    expect(sync.changes).toBe(1);
    stop();
    await emit("sync-status-changed", syncStatus({ online: true }));
    expect(connectionText(sync.status)).toBe("Offline");
  });
});
