import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import App from "./App.svelte";

afterEach(() => {
  cleanup();
  clearMocks();
});

const firstStart = {
  dataDir: "/tmp/od",
  firstStart: true,
  demo: null,
  catalogVersion: null,
  offeringCount: 0,
  profiles: [],
};

describe("App", () => {
  it("offers the demo server on first start and starts it", async () => {
    const calls: string[] = [];
    let started = false;
    mockIPC((cmd) => {
      calls.push(cmd);
      if (cmd === "app_status")
        return started
          ? {
              ...firstStart,
              firstStart: false,
              demo: { baseUrl: "http://127.0.0.1:4321", catalogVersion: "1", offerings: 46 },
              profiles: [{ name: "demo", baseUrl: "http://127.0.0.1:4321", tmfVersion: "v4", authMode: "none" }],
            }
          : firstStart;
      if (cmd === "start_demo") {
        started = true;
        return { baseUrl: "http://127.0.0.1:4321", catalogVersion: "1", offerings: 46 };
      }
      if (cmd === "list_orders") return [];
      throw new Error(`unexpected command ${cmd}`);
    });
    render(App);
    const button = await screen.findByRole("button", { name: "Use the demo server" });
    await fireEvent.click(button);
    expect(await screen.findByText(/Demo server started/)).toBeTruthy();
    expect(calls).toContain("start_demo");
    expect(await screen.findByText("Demo server", { selector: ".conn .server" })).toBeTruthy();
  });

  it("shows the backend's error when the services could not start", async () => {
    mockIPC(() => {
      throw { code: "store.too_new", message: "written by a newer Orderdesk" };
    });
    render(App);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("newer Orderdesk");
  });

  it("opens the command palette with Ctrl+K and runs a command", async () => {
    mockIPC((cmd) => {
      if (cmd === "app_status") return { ...firstStart, firstStart: false };
      if (cmd === "list_orders") return [];
      if (cmd === "catalog_categories") return [];
      if (cmd === "search_offerings") return [];
      throw new Error(`unexpected command ${cmd}`);
    });
    render(App);
    await screen.findByRole("heading", { name: "Orders" });
    await fireEvent.keyDown(window, { key: "k", ctrlKey: true });
    const input = await screen.findByRole("combobox", { name: "Command" });
    await fireEvent.input(input, { target: { value: "catalog" } });
    await fireEvent.keyDown(input, { key: "Enter" });
    expect(await screen.findByRole("heading", { name: "Catalog" })).toBeTruthy();
  });
});
