import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import ReviewDialog from "./ReviewDialog.svelte";
import PricePanel from "./PricePanel.svelte";
import { draftSummary, quote } from "../../test/fixtures";
import type { DraftSummary } from "../backend/ipc";

afterEach(() => {
  cleanup();
  clearMocks();
});

function backendWith(summary: DraftSummary, calls: string[]) {
  mockIPC((cmd, args) => {
    calls.push(cmd);
    if (cmd === "draft_summary") {
      expect((args as { id: string }).id).toBe("d-1234567890");
      return summary;
    }
    if (cmd === "draft_summary_pdf") return "/home/agent/Downloads/summary-d-123456.pdf";
    throw new Error(cmd);
  });
}

describe("ReviewDialog", () => {
  it("shows the customer, items in words, discounts with reasons, charges and the schedule", async () => {
    backendWith(draftSummary(), []);
    const onConfirm = vi.fn(() => Promise.resolve());
    render(ReviewDialog, { id: "d-1234567890", onConfirm, onClose: vi.fn() });
    const customer = await screen.findByTestId("review-customer");
    expect(customer.textContent).toContain("Ada Lovelace");
    expect(screen.getByText("Phone number")).toBeTruthy();
    expect(screen.getByText(/Reason: Loyal customer/)).toBeTruthy();
    expect(screen.getByText(/for 3 periods/)).toBeTruthy();
    expect(screen.getByRole("row", { name: /Mobile Line: Connection fee/ }).textContent).toContain("€47.60");
    expect(screen.getByRole("row", { name: /month 2/i }).textContent).toContain("€29.99");
    expect(screen.getByText(/order reference is given once/)).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Confirm and submit" }));
    expect(onConfirm).toHaveBeenCalledOnce();
  });

  it("has the price panel's term total", async () => {
    backendWith(draftSummary(), []);
    render(ReviewDialog, { id: "d-1234567890", onConfirm: vi.fn(), onClose: vi.fn() });
    const total = (await screen.findByTestId("review-total-EUR")).textContent;
    cleanup();
    render(PricePanel, { quote: quote(), item: null, onEdit: vi.fn() });
    expect(total).toBe(screen.getByTestId("total-EUR").textContent);
    expect(total).toBe("€137.57");
  });

  it("saves the summary as PDF through the backend and names the file", async () => {
    const calls: string[] = [];
    backendWith(draftSummary({ reference: { profile: "demo", serverId: "PO-42", stateText: "acknowledged" } }), calls);
    render(ReviewDialog, { id: "d-1234567890", onConfirm: vi.fn(), onClose: vi.fn() });
    expect(await screen.findByText(/Order reference PO-42/)).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Save summary as PDF…" }));
    expect(await screen.findByText("/home/agent/Downloads/summary-d-123456.pdf")).toBeTruthy();
    expect(calls).toContain("draft_summary_pdf");
  });

  it("cannot confirm a draft with errors", async () => {
    backendWith(draftSummary({ hasErrors: true }), []);
    const onConfirm = vi.fn(() => Promise.resolve());
    render(ReviewDialog, { id: "d-1234567890", onConfirm, onClose: vi.fn() });
    expect(await screen.findByText(/has errors and cannot be submitted/)).toBeTruthy();
    expect((screen.getByRole("button", { name: "Confirm and submit" }) as HTMLButtonElement).disabled).toBe(true);
  });
});
