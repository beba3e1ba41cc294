// Scenario 1: first start on an empty data directory → the demo server → one order with the
// TMF25 bundle (mobile line with an MSISDN, tariff plan with the 20 % WelcomeDiscount for 3
// months, coverage option) and a second TMF25 bundle → the price panel shows 16.00 per month
// for periods 1–3 and 20.00 after, and the one-time fees → submit → the order reaches
// `completed` in the Orders list → its detail shows the state timeline.
// The demo server's lifecycle runs in seconds: run.sh sets ORDERDESK_DEMO_TIMING and
// ORDERDESK_SYNC_POLL (see the README).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { screenshot, waitForPaint, withApp } from "../lib/app.mjs";
import {
  addTmf25,
  answerSaveDialog,
  editorState,
  newDraftFor,
  openOrder,
  confirmReview,
  openReview,
  timelineStates,
  useDemoServer,
  waitOrderState,
} from "../lib/flows.mjs";

const CUSTOMER = { id: "CUST-4711", name: "Order Flow AG" };

// The price panel of the selected item: each line's segments with the amount due per period,
// and the order's totals.
function pricePanel(browser) {
  return browser.execute(() => {
    const text = (el) => el?.textContent?.replace(/\s+/g, " ").trim() ?? "";
    const panel = document.querySelector('section[aria-labelledby="price-title"]');
    const totals = {};
    for (const row of panel?.querySelectorAll("table.totals tr") ?? []) {
      totals[text(row.querySelector("th"))] = text(row.querySelector("td"));
    }
    const lines = [...(panel?.querySelectorAll("details.line") ?? [])].map((d) => ({
      summary: text(d.querySelector("summary")),
      segments: [...d.querySelectorAll(".segment")].map((s) => {
        const amounts = [...s.querySelectorAll("li .num")].map(text);
        return { periods: text(s.querySelector(".muted")), due: amounts.at(-1) ?? "" };
      }),
    }));
    const chart = [...(panel?.querySelectorAll("figure.chart rect title") ?? [])].map(text);
    return { item: text(panel?.querySelector("h4")), totals, lines, chart };
  });
}

// The review's monthly schedule as shown: "Month N" → the amount due that month.
function reviewSchedule(browser) {
  return browser.execute(() => {
    const text = (el) => el?.textContent?.replace(/\s+/g, " ").trim() ?? "";
    const rows = document.querySelectorAll('dialog.review[open] table.schedule tbody tr');
    return [...rows].map((r) => [text(r.querySelector("th")), text(r.querySelector("td"))]);
  });
}

test("scenario 1: compose two bundles, see the discounted schedule, submit, reach completed", async () => {
  await withApp("scenario1", async (browser, dataDir) => {
    await (await browser.$("h2=Welcome to Orderdesk")).waitForDisplayed({ timeout: 30_000 });
    await waitForPaint(browser);
    await screenshot(browser, "scenario1-first-start");
    await useDemoServer(browser);

    await newDraftFor(browser, CUSTOMER);
    const first = await addTmf25(browser, "34600111222", "National");
    const second = await addTmf25(browser, "34600333444");
    let state = await editorState(browser);
    assert.equal(state.rows.filter((r) => r.name === "TMF25" && r.level === 1).length, 2, "two bundles in one order");
    assert.deepEqual(state.errors, [], "the order is complete");
    assert.ok(second.bundle !== first.bundle);

    // The first bundle's tariff plan: 20 % off 20.00 for 3 months.
    await (await browser.$(`#tree-row-${first.tariff} .name`)).click();
    let price;
    await browser.waitUntil(
      async () => {
        price = await pricePanel(browser);
        return price.item.startsWith("Tariff Plan") && price.lines.some((l) => l.segments.length > 1);
      },
      { timeout: 10_000, timeoutMsg: "the price panel never explained the tariff plan" },
    );
    const monthly = price.lines.find((l) => l.segments.length > 1);
    assert.deepEqual(
      monthly.segments,
      [
        { periods: "Periods 1–3", due: "€16.00" },
        { periods: "Periods 4+", due: "€20.00" },
      ],
      JSON.stringify(price),
    );
    // Two bundles: two access fees once, two tariff plans each month.
    assert.equal(price.totals["One-time"], "€1.98", JSON.stringify(price.totals));
    assert.ok(price.chart.length > 3, "the schedule chart has a bar per period");
    assert.equal(price.chart[1], "Period 2: €32.00", JSON.stringify(price.chart));
    assert.equal(price.chart[3], "Period 4: €40.00", JSON.stringify(price.chart));
    await (await browser.$('section[aria-labelledby="price-title"] details.line summary')).click();
    await waitForPaint(browser);
    await screenshot(browser, "scenario1-priced");

    // Submit opens the review: the customer, every item and the price panel's term total.
    const panelTotal = await browser.execute(() => document.querySelector('[data-testid="total-EUR"]')?.textContent?.trim() ?? "");
    const review = await openReview(browser);
    assert.equal(review.customer.startsWith(CUSTOMER.name), true, JSON.stringify(review));
    assert.equal(review.totals.EUR, panelTotal, JSON.stringify(review));
    assert.equal(review.items.filter((name) => name === "TMF25").length, 2, JSON.stringify(review));
    assert.ok(review.items.includes("Tariff Plan"), JSON.stringify(review));
    await waitForPaint(browser);
    await screenshot(browser, "scenario1-review");

    // The customer summary saved as PDF from the review holds, as text, what the review shows:
    // the customer, every item, each month of the schedule and the term total.
    const schedule = await reviewSchedule(browser);
    assert.ok(schedule.length >= 12, JSON.stringify(schedule));
    const pdf = join(dataDir, "..", `${dataDir.split("/").pop()}-summary.pdf`);
    await (await browser.$("dialog.review").$("button=Save summary as PDF…")).click();
    answerSaveDialog(pdf);
    const saved = await browser.$("dialog.review").$('p[role="status"]');
    await saved.waitForDisplayed({ timeout: 15_000, timeoutMsg: "the review never said where the summary was saved" });
    assert.ok(existsSync(pdf), `${pdf} was not written`);
    const pdfText = execFileSync("pdftotext", ["-layout", pdf, "-"], { timeout: 15_000 }).toString();
    const lines = pdfText.split("\n").map((l) => l.replace(/\s+/g, " ").trim());
    assert.ok(pdfText.includes(CUSTOMER.name), pdfText);
    for (const item of new Set(review.items)) assert.ok(pdfText.includes(item), `${item} is not in the PDF:\n${pdfText}`);
    for (const [month, amount] of schedule) {
      assert.ok(lines.some((l) => l.toLowerCase().startsWith(`${month.toLowerCase()} `) && l.endsWith(amount)), `${month}: ${amount} is not in the PDF:\n${pdfText}`);
    }
    assert.ok(lines.some((l) => l.startsWith("Total over") && l.endsWith(review.totals.EUR)), pdfText);
    await confirmReview(browser);
    await waitForPaint(browser);
    await screenshot(browser, "scenario1-submitted");

    await (await browser.$("nav").$("button=Orders")).click();
    const row = await waitOrderState(browser, CUSTOMER.name, "completed");
    assert.ok(row.id, "the order has a local id");
    await waitForPaint(browser);
    await screenshot(browser, "scenario1-completed");

    await openOrder(browser, CUSTOMER.name);
    await browser.waitUntil(async () => (await timelineStates(browser)).includes("completed"), {
      timeout: 10_000,
      timeoutMsg: "the timeline never showed completed",
    });
    const states = await timelineStates(browser);
    assert.deepEqual(states, ["submitted", "acknowledged", "inProgress", "completed"], JSON.stringify(states));
    const detailState = await (await browser.$('[data-testid="detail-state"]')).getText();
    assert.equal(detailState, "Completed");
    await waitForPaint(browser);
    await screenshot(browser, "scenario1-timeline");
  });
});
