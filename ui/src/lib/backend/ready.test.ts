import { afterEach, describe, expect, it, vi } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";

afterEach(() => {
  clearMocks();
  vi.resetModules();
});

describe("reportReady", () => {
  it("emits the ready event once, after a painted frame", async () => {
    const emitted: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "plugin:event|emit") emitted.push(args);
      return null;
    });
    const frames: string[] = [];
    const raf = vi.spyOn(globalThis, "requestAnimationFrame").mockImplementation((cb) => {
      frames.push("frame");
      queueMicrotask(() => cb(0));
      return frames.length;
    });
    const { reportReady, READY_EVENT } = await import("./ready");
    await reportReady();
    await reportReady();
    expect(frames).toEqual(["frame", "frame"]);
    expect(emitted).toHaveLength(1);
    expect(emitted[0]).toMatchObject({ event: READY_EVENT });
    const { payload } = emitted[0] as { payload: { scriptMs: number; dataMs: number; pageMs: number } };
    expect(payload.scriptMs).toBeLessThanOrEqual(payload.dataMs);
    expect(payload.dataMs).toBeLessThanOrEqual(payload.pageMs);
    raf.mockRestore();
  });

  it("never throws when nobody can receive the event", async () => {
    mockIPC(() => {
      throw new Error("no backend");
    });
    const { reportReady } = await import("./ready");
    await expect(reportReady()).resolves.toBeUndefined();
  });
});
