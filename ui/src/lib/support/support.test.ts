import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import HelpMenu from "./HelpMenu.svelte";
import UpdateDialog from "./UpdateDialog.svelte";
import type { UpdateView } from "../backend/ipc";
import { applyLocale } from "../i18n/locale.svelte";
import { palette, SCREEN_ACTIONS } from "../palette/registry.svelte";

afterEach(() => {
  cleanup();
  clearMocks();
  applyLocale("en-US");
});

const offered: UpdateView = {
  currentVersion: "0.1.0",
  version: "0.2.0",
  date: "2026-11-30T12:00:00Z",
  notes: "Orders can be cloned.",
};
const updateSettings = { feed: "", checkOnStart: true };

describe("Help menu", () => {
  it("shows the version and the build in About", async () => {
    mockIPC((cmd) => {
      if (cmd === "app_info") return { name: "Orderdesk", version: "0.1.0", commit: "0123456789ab", logDir: "/home/a/.local/state/orderdesk/logs" };
      if (cmd === "app_status") return { dataDir: "/home/a/.local/share/orderdesk" };
      throw new Error(cmd);
    }, { shouldMockEvents: true });
    render(HelpMenu, {});
    await fireEvent.click(screen.getByRole("button", { name: "Help" }));
    await fireEvent.click(screen.getByRole("menuitem", { name: "About Orderdesk" }));
    expect((await screen.findByTestId("about-version")).textContent).toBe("0.1.0");
    expect(screen.getByTestId("about-commit").textContent).toBe("0123456789ab");
    expect(screen.getByText("/home/a/.local/state/orderdesk/logs")).toBeTruthy();
  });

  it("offers its items in the command palette", async () => {
    mockIPC((cmd) => {
      if (cmd === "app_info") return { name: "Orderdesk", version: "0.1.0", commit: "0123456789ab", logDir: "/logs" };
      if (cmd === "app_status") return { dataDir: "/data" };
      throw new Error(cmd);
    }, { shouldMockEvents: true });
    const view = render(HelpMenu, {});
    expect(palette.registered("help")).toEqual([...SCREEN_ACTIONS.help]);
    palette.commands().find((c) => c.id === "help-about")?.run();
    expect((await screen.findByTestId("about-version")).textContent).toBe("0.1.0");
    view.unmount();
    expect(palette.registered("help")).toEqual([]);
  });

  it("says where the diagnostics went, or why not", async () => {
    let fail = false;
    mockIPC((cmd) => {
      if (cmd === "export_diagnostics") {
        if (fail) throw { code: "service.export_write", message: "cannot write /x.zip: denied" };
        return { path: "/home/a/Downloads/orderdesk-diagnostics.zip", entries: ["versions.json"], databaseOk: true };
      }
      throw new Error(cmd);
    }, { shouldMockEvents: true });
    render(HelpMenu, {});
    await fireEvent.click(screen.getByRole("button", { name: "Help" }));
    await fireEvent.click(screen.getByRole("menuitem", { name: "Export diagnostics…" }));
    expect((await screen.findByRole("status")).textContent).toContain("/home/a/Downloads/orderdesk-diagnostics.zip");
    fail = true;
    await fireEvent.click(screen.getByRole("button", { name: "Help" }));
    await fireEvent.click(screen.getByRole("menuitem", { name: "Export diagnostics…" }));
    expect((await screen.findByRole("alert")).textContent).toContain("cannot write /x.zip");
  });

  it("opens the update dialog when the check at start-up found one", async () => {
    mockIPC((cmd) => {
      if (cmd === "update_settings") return updateSettings;
      throw new Error(cmd);
    }, { shouldMockEvents: true });
    render(HelpMenu, {});
    await emit("update-available", { update: offered });
    expect((await screen.findByTestId("update-offer")).textContent?.trim()).toBe(
      "Orderdesk 0.2.0 is available (this is 0.1.0), published 11/30/2026.",
    );
  });
});

describe("update dialog", () => {
  it("shows what is new, installs the offered version and offers a restart", async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === "update_settings") return updateSettings;
      if (cmd === "check_update") return offered;
      if (cmd === "install_update") return null;
      throw new Error(cmd);
    });
    applyLocale("en-US");
    render(UpdateDialog, { offered: null, onClose: () => {} });
    expect((await screen.findByTestId("update-notes")).textContent).toBe("Orders can be cloned.");
    await fireEvent.click(screen.getByRole("button", { name: "Install 0.2.0", hidden: true }));
    expect(await screen.findByRole("button", { name: "Restart now", hidden: true })).toBeTruthy();
    expect(calls).toContainEqual(["install_update", { version: "0.2.0" }]);
  });

  it("says so when a package is refused", async () => {
    mockIPC((cmd) => {
      if (cmd === "update_settings") return updateSettings;
      if (cmd === "install_update")
        throw { code: "update.bad_signature", message: "the update was refused: its signature does not match this build's update key; nothing was installed" };
      throw new Error(cmd);
    });
    render(UpdateDialog, { offered, onClose: () => {} });
    await fireEvent.click(await screen.findByRole("button", { name: "Install 0.2.0", hidden: true }));
    expect((await screen.findByRole("alert", { hidden: true })).textContent).toContain("nothing was installed");
    expect(screen.getByRole("button", { name: "Check again", hidden: true })).toBeTruthy();
  });

  it("checks the feed address before saving it", async () => {
    const saved: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "update_settings") return updateSettings;
      if (cmd === "check_update") return null;
      if (cmd === "save_update_settings") {
        const settings = (args as { settings: { feed: string } }).settings;
        if (settings.feed.startsWith("http:")) throw { code: "service.invalid_input", message: "the update feed must use https" };
        saved.push(settings);
        return settings;
      }
      throw new Error(cmd);
    });
    render(UpdateDialog, { offered: null, onClose: () => {} });
    expect(await screen.findByText("Orderdesk is up to date.")).toBeTruthy();
    const feed = screen.getByLabelText("Update feed") as HTMLInputElement;
    await fireEvent.input(feed, { target: { value: "http://mirror.example/latest.json" } });
    await fireEvent.click(screen.getByRole("button", { name: "Save", hidden: true }));
    expect((await screen.findByRole("alert", { hidden: true })).textContent).toContain("must use https");
    await fireEvent.input(feed, { target: { value: "https://mirror.example/latest.json" } });
    await fireEvent.click(screen.getByRole("button", { name: "Save", hidden: true }));
    expect(await screen.findByText("Saved.")).toBeTruthy();
    expect(saved).toEqual([{ feed: "https://mirror.example/latest.json", checkOnStart: true }]);
  });
});

describe("in German", () => {
  it("the menu, About and the update dialog speak German and write dates the German way", async () => {
    applyLocale("de-DE");
    let closed = 0;
    mockIPC((cmd) => {
      if (cmd === "app_info") return { name: "Orderdesk", version: "0.1.0", commit: "0123456789ab", logDir: null };
      if (cmd === "app_status") return { dataDir: "/home/a/.local/share/orderdesk" };
      if (cmd === "update_settings") return updateSettings;
      throw new Error(cmd);
    }, { shouldMockEvents: true });
    render(HelpMenu, {});
    await fireEvent.click(screen.getByRole("button", { name: "Hilfe" }));
    expect(screen.getByRole("menuitem", { name: "Nach Updates suchen…" })).toBeTruthy();
    expect(screen.getByRole("menuitem", { name: "Diagnosedaten exportieren…" })).toBeTruthy();
    await fireEvent.click(screen.getByRole("menuitem", { name: "Über Orderdesk" }));
    expect(await screen.findByRole("dialog", { name: "Über Orderdesk" })).toBeTruthy();
    expect(await screen.findByText("Daten")).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Schließen" }));
    expect(screen.queryByRole("dialog")).toBeNull();
    // Focus goes back to the menu's trigger (the chosen item left with the menu).
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Hilfe" }));
    cleanup();

    render(UpdateDialog, { offered, onClose: () => closed++ });
    expect((await screen.findByTestId("update-offer")).textContent?.trim()).toBe(
      "Orderdesk 0.2.0 ist verfügbar (installiert ist 0.1.0), veröffentlicht am 30.11.2026.",
    );
    expect(screen.getByRole("dialog", { name: "Updates", hidden: true })).toBeTruthy();
    expect(screen.getByRole("button", { name: "0.2.0 installieren", hidden: true })).toBeTruthy();
    expect(await screen.findByPlaceholderText("Quelle dieses Builds")).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Schließen", hidden: true }));
    expect(closed).toBe(1);
  });
});
