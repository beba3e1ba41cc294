import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, within } from "@testing-library/svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import ProfilesPanel from "./ProfilesPanel.svelte";
import { emptyForm, formFromProfile, secretMustBeReentered, secretText, toInput } from "./profiles";
import type { ProfileView } from "../backend/ipc";

afterEach(() => {
  cleanup();
  clearMocks();
});

function profile(over: Partial<ProfileView> = {}): ProfileView {
  return {
    name: "lab",
    baseUrl: "http://127.0.0.1:8622/tmf-api/productOrderingManagement/v4/",
    catalogUrl: "http://127.0.0.1:8622/tmf-api/productCatalogManagement/v4/",
    customerUrl: null,
    inventoryUrl: null,
    tmfVersion: "auto",
    authMode: "none",
    tokenUrl: null,
    clientId: null,
    scope: null,
    secret: "not-needed",
    secretEnv: "ORDERDESK_SECRET_LAB",
    secretOrigins: ["http://127.0.0.1:8622"],
    active: false,
    demo: false,
    policy: { json: "{}", discountReasons: [], cancelReasons: [] },
    ...over,
  };
}

describe("profile form logic", () => {
  it("sends only the fields the auth mode uses", () => {
    const form = { ...emptyForm(), name: " lab ", orderUrl: " http://h/v4/ ", authMode: "headers" as const, tokenUrl: "http://t", clientId: " agent ", scope: "x", secret: "s" };
    expect(toInput(form)).toEqual({
      editing: null,
      name: "lab",
      orderUrl: "http://h/v4/",
      catalogUrl: "",
      customerUrl: "",
      inventoryUrl: "",
      version: "auto",
      authMode: "headers",
      tokenUrl: "",
      clientId: "agent",
      scope: "",
      secret: "s",
    });
    expect(toInput({ ...form, authMode: "none" }).secret).toBe("");
  });

  it("edits a saved profile without its secret", () => {
    const form = formFromProfile(profile({ authMode: "oauth2", tokenUrl: "http://t/token", clientId: "c", scope: "s", secret: "keyring" }));
    expect(form).toMatchObject({ editing: "lab", authMode: "oauth2", tokenUrl: "http://t/token", clientId: "c", scope: "s", secret: "" });
  });

  it("names where a secret comes from, never the secret", () => {
    expect(secretText("keyring", "ORDERDESK_SECRET_LAB")).toBe("Stored in the OS keyring");
    expect(secretText("unavailable", "ORDERDESK_SECRET_LAB")).toContain("ORDERDESK_SECRET_LAB");
    expect(secretText("environment", "ORDERDESK_SECRET_LAB")).toBe("From ORDERDESK_SECRET_LAB");
    expect(secretText("missing", "X")).toBe("None stored");
    expect(secretText("app-session", "X")).toBe("App-only token for this run");
  });

  it("foresees that a new scheme, host or port asks for the secret again", () => {
    const saved = profile({ authMode: "bearer", secret: "keyring" });
    const form = formFromProfile(saved);
    expect(secretMustBeReentered(form, saved)).toBe(false);
    // Another path on the same origin (the default port written out) keeps it.
    expect(secretMustBeReentered({ ...form, orderUrl: "http://127.0.0.1:8622/other/v5/" }, saved)).toBe(false);
    for (const moved of ["http://127.0.0.1:9999/v4/", "https://127.0.0.1:8622/v4/", "http://evil.example:8622/v4/"]) {
      expect(secretMustBeReentered({ ...form, orderUrl: moved }, saved), moved).toBe(true);
      // A secret typed for the new server, a mode without one, or nothing stored: no note.
      expect(secretMustBeReentered({ ...form, orderUrl: moved, secret: "new" }, saved)).toBe(false);
      expect(secretMustBeReentered({ ...form, orderUrl: moved, authMode: "none" }, saved)).toBe(false);
      expect(secretMustBeReentered({ ...form, orderUrl: moved }, { ...saved, secret: "environment" })).toBe(false);
    }
    expect(secretMustBeReentered({ ...form, catalogUrl: "https://cdn.example/catalog/v4/" }, saved)).toBe(true);
    expect(secretMustBeReentered({ ...form, customerUrl: "https://crm.example/customerManagement/v4/" }, saved)).toBe(true);
    const https = profile({ baseUrl: "https://partner.example/v4/", catalogUrl: null, authMode: "bearer", secret: "keyring", secretOrigins: ["https://partner.example"] });
    expect(secretMustBeReentered({ ...formFromProfile(https), orderUrl: "https://PARTNER.example:443/x/" }, https)).toBe(false);
  });
});

describe("ProfilesPanel", () => {
  it("adds a profile, shows field errors next to their fields, then saves", async () => {
    const calls: { cmd: string; args: unknown }[] = [];
    let stored: ProfileView[] = [profile({ name: "demo", demo: true, active: true })];
    mockIPC((cmd, args) => {
      calls.push({ cmd, args });
      if (cmd === "list_profiles") return stored;
      if (cmd === "save_profile") {
        const input = (args as { input: { orderUrl: string; name: string } }).input;
        if (input.orderUrl.startsWith("ftp")) {
          return { errors: [{ field: "orderUrl", message: "use an http or https URL, not ftp:" }], profile: null, secretNotice: null, secretCleared: false, removedHeaders: [] };
        }
        const saved = profile({ name: input.name, authMode: "bearer", secret: "unavailable" });
        stored = [...stored, saved];
        return { errors: [], profile: saved, secretNotice: "no usable OS keychain; set ORDERDESK_SECRET_LAB instead", secretCleared: false, removedHeaders: [] };
      }
      throw new Error(cmd);
    });
    const onChanged = vi.fn();
    render(ProfilesPanel, { onChanged });
    expect(await screen.findByText("demo", { selector: ".badge" })).toBeTruthy();
    // The demo profile is not editable.
    expect(screen.queryByRole("button", { name: "Edit demo" })).toBeNull();

    await fireEvent.click(screen.getByRole("button", { name: "Add server profile" }));
    await fireEvent.input(screen.getByLabelText("Name"), { target: { value: "lab" } });
    await fireEvent.input(screen.getByLabelText("Order API URL (TMF622)"), { target: { value: "ftp://x" } });
    await fireEvent.change(screen.getByLabelText("Authentication"), { target: { value: "bearer" } });
    await fireEvent.input(screen.getByLabelText("Bearer token"), { target: { value: "t0ken" } });
    await fireEvent.click(screen.getByRole("button", { name: "Save profile" }));
    const url = screen.getByLabelText("Order API URL (TMF622)");
    await vi.waitFor(() => expect(url.getAttribute("aria-invalid")).toBe("true"));
    expect(document.getElementById(url.getAttribute("aria-describedby") ?? "")?.textContent).toContain("http or https");
    expect(onChanged).not.toHaveBeenCalled();

    await fireEvent.input(url, { target: { value: "http://127.0.0.1:8622/tmf-api/productOrderingManagement/v4/" } });
    await fireEvent.click(screen.getByRole("button", { name: "Save profile" }));
    expect(await screen.findByText(/set ORDERDESK_SECRET_LAB instead/)).toBeTruthy();
    await vi.waitFor(() => expect(onChanged).toHaveBeenCalledTimes(1));
    const saves = calls.filter((c) => c.cmd === "save_profile").map((c) => (c.args as { input: { secret: string; authMode: string } }).input);
    expect(saves.at(-1)).toMatchObject({ authMode: "bearer", secret: "t0ken" });
    const row = (await screen.findByText("lab", { selector: "td span" })).closest("tr") as HTMLElement;
    expect(within(row).getByText(/No keyring on this machine/)).toBeTruthy();
    expect(row.textContent).not.toContain("t0ken");
  });

  it("asks for the secret again when an origin changes and says what the save removed", async () => {
    let stored = [profile({ authMode: "bearer", secret: "keyring" })];
    const sent: { orderUrl: string; secret: string }[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "list_profiles") return stored;
      if (cmd === "save_profile") {
        const input = (args as { input: { orderUrl: string; secret: string } }).input;
        sent.push(input);
        stored = [profile({ baseUrl: input.orderUrl, authMode: "bearer", secret: "missing", secretOrigins: ["https://partner.example"] })];
        return { errors: [], profile: stored[0], secretNotice: null, secretCleared: true, removedHeaders: ["X-Api-Key"] };
      }
      throw new Error(cmd);
    });
    render(ProfilesPanel, {});
    await fireEvent.click(await screen.findByRole("button", { name: "Edit lab" }));
    const secret = screen.getByLabelText("Bearer token") as HTMLInputElement;
    expect(secret.placeholder).toBe("Leave empty to keep the stored one");
    expect(screen.queryByText(/enter the secret again/)).toBeNull();
    await fireEvent.input(screen.getByLabelText("Order API URL (TMF622)"), { target: { value: "https://partner.example/tmf/v4/" } });
    expect(await screen.findByText(/than the stored secret was entered for: enter the secret again/)).toBeTruthy();
    expect(secret.placeholder).toBe("");
    await fireEvent.click(screen.getByRole("button", { name: "Save profile" }));
    expect(await screen.findByText(/The stored secret of lab was removed/)).toBeTruthy();
    expect(screen.getByText(/Removed extra headers that carried a credential: X-Api-Key/)).toBeTruthy();
    expect(sent).toEqual([expect.objectContaining({ orderUrl: "https://partner.example/tmf/v4/", secret: "" })]);
    // The table reloads: the secret is gone.
    await vi.waitFor(() => {
      const row = screen.getByText("lab", { selector: "td span" }).closest("tr") as HTMLElement;
      expect(within(row).getByText("None stored")).toBeTruthy();
    });
  });

  it("tests a connection and reports what the server answered", async () => {
    mockIPC((cmd) => {
      if (cmd === "list_profiles") return [profile()];
      if (cmd === "test_connection") return { ok: false, lines: ["Order API: cannot reach http://127.0.0.1:8622/ (connection refused)"] };
      throw new Error(cmd);
    });
    render(ProfilesPanel, {});
    await fireEvent.click(await screen.findByRole("button", { name: "Edit lab" }));
    expect((screen.getByLabelText("Name") as HTMLInputElement).readOnly).toBe(true);
    await fireEvent.click(screen.getByRole("button", { name: "Test connection" }));
    const report = await screen.findByRole("status", { name: "Connection test" });
    expect(report.textContent).toContain("Connection failed");
    expect(report.textContent).toContain("cannot reach");
  });

  it("makes a profile active, refreshes its catalog and removes it after confirmation", async () => {
    const seen: string[] = [];
    let stored = [profile({ name: "demo", demo: true, active: true }), profile()];
    mockIPC((cmd, args) => {
      seen.push(cmd);
      const name = (args as { name?: string }).name;
      if (cmd === "list_profiles") return stored;
      if (cmd === "set_active_profile") {
        stored = stored.map((p) => ({ ...p, active: p.name === name }));
        return stored;
      }
      if (cmd === "refresh_catalog") return { profile: name, version: "lab@2026-11-23T10:00:00.000Z", offerings: 46, categories: 7 };
      if (cmd === "remove_profile") {
        stored = stored.filter((p) => p.name !== name);
        return stored;
      }
      throw new Error(cmd);
    });
    const onChanged = vi.fn();
    render(ProfilesPanel, { onChanged });
    await fireEvent.click(await screen.findByRole("button", { name: "Make active: lab" }));
    expect(await screen.findByText("New orders now go to lab.")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Make active: demo" })).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Refresh catalog from lab" }));
    expect(await screen.findByText(/46 offerings in 7 categories/)).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Remove lab" }));
    expect(seen).not.toContain("remove_profile");
    await fireEvent.click(screen.getByRole("button", { name: "Remove lab" }));
    await vi.waitFor(() => expect(seen).toContain("remove_profile"));
    expect(await screen.findByText("Profile lab removed.")).toBeTruthy();
    expect(onChanged).toHaveBeenCalledTimes(3);
  });
});
