import { afterEach, describe, expect, it } from "vitest";
import { cleanup, render, screen } from "@testing-library/svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import App from "./App.svelte";

afterEach(() => {
  cleanup();
  clearMocks();
});

describe("App", () => {
  it("shows the version the backend reports", async () => {
    mockIPC((cmd) => {
      if (cmd === "app_info") return { name: "Orderdesk", version: "9.8.7" };
      throw new Error(`unexpected command ${cmd}`);
    });
    render(App);
    expect(await screen.findByTestId("app-version")).toHaveProperty("textContent", "v9.8.7");
  });

  it("says so when the backend does not answer", async () => {
    mockIPC(() => {
      throw new Error("backend down");
    });
    render(App);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("backend down");
  });
});
