// Steps several specs share: start the demo server from the welcome screen, compose a draft,
// read the editor, find an order in the list and open it.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";

/** First start: "Use the demo server", then wait until the header names it. */
export async function useDemoServer(browser) {
  const demo = await browser.$("button=Use the demo server");
  await demo.waitForDisplayed({ timeout: 30_000 });
  await demo.click();
  const status = await browser.$('header [role="status"]');
  await browser.waitUntil(async () => (await status.getText()).includes("Demo server"), {
    timeout: 30_000,
    timeoutMsg: "the connection indicator never said 'Demo server'",
  });
  await (await browser.$("button=Dismiss")).click();
}

/** The editor's tree rows, Checks (each finding, and the errors' text), save state, the
 * submit note and whether Submit is marked as blocked. */
export function editorState(browser) {
  return browser.execute(() => {
    const text = (el) => el?.textContent?.replace(/\s+/g, " ").trim() ?? "";
    const checks = document.querySelector('section[aria-labelledby="validation-title"]');
    const submit = [...document.querySelectorAll(".editor .bar button")].find((b) => text(b) === "Submit");
    return {
      saving: text(document.querySelector(".editor .bar .saving")),
      rows: [...document.querySelectorAll('[role="tree"] [role="treeitem"]')].map((r) => ({
        id: r.id.replace(/^tree-row-/, ""),
        name: text(r.querySelector(".name")),
        level: Number(r.getAttribute("aria-level")),
      })),
      errors: [...(checks?.querySelectorAll("button.finding.error") ?? [])].map((b) => text(b)),
      // Each finding: the explanation of its code (in the UI's language) and the backend's
      // own message.
      findings: [...(checks?.querySelectorAll("button.finding") ?? [])].map((b) => ({
        error: b.classList.contains("error"),
        code: b.getAttribute("data-code") ?? "",
        // The field's code (a characteristic's name); `where` names it in words.
        field: b.getAttribute("data-field") ?? "",
        explanation: text(b.querySelector(".msg")),
        message: text(b.querySelector(".detail") ?? b.querySelector(".msg")),
        where: text(b.querySelector(".where")),
      })),
      submitBlocked: submit?.getAttribute("aria-disabled") === "true",
      ok: text(checks?.querySelector(".ok")),
      note: text(document.querySelector('.editor > p[role="status"]')),
    };
  });
}

export async function waitEditor(browser, what, predicate, timeout = 15_000) {
  let last;
  await browser.waitUntil(
    async () => {
      last = await editorState(browser);
      return last.saving === "Saved" && predicate(last);
    },
    { timeout, timeoutMsg: `${what}; the editor showed ${JSON.stringify(last)}` },
  );
  return last;
}

/** A new draft with its customer set. */
export async function newDraftFor(browser, customer) {
  await (await browser.$("button=New draft")).click();
  const customerId = await browser.$("#field-header-customer");
  await customerId.waitForDisplayed({ timeout: 15_000, timeoutMsg: "the new draft never opened" });
  await waitEditor(browser, "the new draft never settled", () => true);
  await customerId.addValue(customer.id);
  await browser.keys("Tab");
  await (await browser.$('input[aria-label="Customer name"]')).addValue(customer.name);
  await browser.keys("Tab");
  await browser.waitUntil(
    async () => (await browser.execute(() => document.querySelector(".editor .bar h2")?.textContent ?? "")).startsWith(customer.name),
    { timeout: 15_000, timeoutMsg: "the customer was never saved" },
  );
}

/** Adds a TMF25 bundle from the picker and fills its line's MSISDN; `coverage` adds the
 * optional Coverage Options child with that value. Returns the new bundle's tree row ids. */
export async function addTmf25(browser, msisdn, coverage = null) {
  const before = (await editorState(browser)).rows.filter((r) => r.name === "TMF25").map((r) => r.id);
  const search = await browser.$('input[aria-label="Search the catalog"]');
  await search.clearValue();
  await search.addValue("TMF25");
  await browser.waitUntil(
    () =>
      browser.execute(() => {
        const names = [...document.querySelectorAll('#picker-results [role="option"] .name')].map((n) => n.textContent.trim());
        return names.includes("TMF25") && names.every((n) => n.includes("TMF25"));
      }),
    { timeout: 15_000, timeoutMsg: "the catalog picker never offered TMF25" },
  );
  await (await (await browser.$("#picker-results").$("span.name=TMF25")).parentElement()).click();
  let state = await waitEditor(browser, "the TMF25 bundle never appeared", (s) =>
    s.rows.filter((r) => r.name === "TMF25").length === before.length + 1,
  );
  const index = state.rows.findIndex((r) => r.name === "TMF25" && !before.includes(r.id));
  const bundle = state.rows[index];
  const children = [];
  for (const row of state.rows.slice(index + 1)) {
    if (row.level <= bundle.level) break;
    children.push(row);
  }
  const line = children.find((r) => r.name === "Mobile Telephony");
  const tariff = children.find((r) => r.name === "Tariff Plan");
  assert.ok(line && tariff, `the bundle came with its required children: ${JSON.stringify(children)}`);

  await (await browser.$(`#tree-row-${line.id} .name`)).click();
  const msisdnField = await browser.$(`#field-${line.id}-TEL_MSISDN`);
  await msisdnField.waitForDisplayed({ timeout: 10_000 });
  await msisdnField.addValue(msisdn);
  await browser.keys("Tab");
  await waitEditor(browser, "the MSISDN was never saved", () => true);

  let coverageRow = null;
  if (coverage) {
    await (await browser.$(`#tree-row-${bundle.id} .name`)).click();
    const add = await browser.$('button[aria-label="Add Coverage Options to this bundle"]');
    await add.waitForEnabled({ timeout: 10_000, timeoutMsg: "the bundle never offered Coverage Options" });
    await add.click();
    state = await waitEditor(browser, "Coverage Options never joined the bundle", (s) =>
      s.rows.filter((r) => r.name === "Coverage Options").length > 0 &&
      s.rows.some((r) => r.name === "Coverage Options" && !before.includes(r.id)),
    );
    coverageRow = state.rows.slice(index + 1).find((r) => r.name === "Coverage Options");
    await (await browser.$(`#tree-row-${coverageRow.id} .name`)).click();
    const select = await browser.$(`#field-${coverageRow.id}-CoverageOptions`);
    await select.waitForDisplayed({ timeout: 10_000 });
    await select.selectByVisibleText(coverage);
    await waitEditor(browser, "the coverage was never saved", () => true);
  }
  return { bundle: bundle.id, line: line.id, tariff: tariff.id, coverage: coverageRow?.id ?? null };
}

/** The review *Submit* opens, once it shows the draft's summary: the customer, the items and
 *  the term total of each currency as written there. */
export async function openReview(browser) {
  await (await browser.$("button=Submit")).click();
  let review;
  await browser.waitUntil(
    async () => {
      review = await browser.execute(() => {
        const dialog = document.querySelector("dialog.review[open]");
        if (!dialog) return null;
        const text = (e) => e?.textContent?.replace(/\s+/g, " ").trim() ?? "";
        return {
          customer: text(dialog.querySelector('[data-testid="review-customer"]')),
          items: [...dialog.querySelectorAll('[data-testid="review-item"] > strong')].map(text),
          totals: Object.fromEntries(
            [...dialog.querySelectorAll('[data-testid^="review-total-"]')].map((e) => [
              e.getAttribute("data-testid").slice("review-total-".length),
              text(e),
            ]),
          ),
        };
      });
      return review !== null && review.items.length > 0;
    },
    { timeout: 15_000, timeoutMsg: "Submit never opened the review" },
  );
  return review;
}

/** Confirms the open review, which submits the draft, and waits until it is queued. */
export async function confirmReview(browser) {
  await (await browser.$("dialog.review").$("button=Confirm and submit")).click();
  await waitEditor(browser, "Confirm never queued the order", (s) => s.note.startsWith("Queued for"));
}

/** Submits the open draft through the review and waits until it is queued. */
export async function submitDraft(browser) {
  const review = await openReview(browser);
  await confirmReview(browser);
  return review;
}

/** The Orders list as shown: kind, id, customer, state (the TMF622 value, not its label). */
export function orderRows(browser) {
  return browser.execute(() =>
    [...document.querySelectorAll("table.grid tbody tr[data-kind]")].map((tr) => ({
      kind: tr.getAttribute("data-kind"),
      id: tr.getAttribute("data-id"),
      customer: tr.querySelector('[data-testid="open-row"]')?.textContent?.trim() ?? "",
      state: tr.getAttribute("data-state") ?? "",
    })),
  );
}

/** Waits until the submitted order of `customer` shows `state` in the Orders list. */
export async function waitOrderState(browser, customer, state, timeout = 30_000) {
  let rows;
  await browser.waitUntil(
    async () => {
      rows = await orderRows(browser);
      return rows.some((r) => r.kind === "order" && r.customer === customer && r.state === state);
    },
    { timeout, timeoutMsg: `the order of ${customer} never showed ${state}; the list: ${JSON.stringify(rows)}` },
  );
  return rows.find((r) => r.kind === "order" && r.customer === customer);
}

/** Opens the submitted order of `customer` from the Orders list. */
export async function openOrder(browser, customer) {
  // The list loads when the Orders screen opens: wait for the order to show.
  const button = await browser.$(`//tr[@data-kind="order"]//button[@data-testid="open-row"][normalize-space()="${customer}"]`);
  await button.waitForDisplayed({ timeout: 10_000, timeoutMsg: `no order of ${customer} in the list` });
  await button.click();
  await (await browser.$('[data-testid="server-id"]')).waitForDisplayed({ timeout: 10_000 });
}

/** The states the open order's timeline lists, in order. */
export function timelineStates(browser) {
  return browser.execute(() =>
    [...document.querySelectorAll('[data-testid="state-timeline"] li[data-state]')].map((li) => li.getAttribute("data-state")),
  );
}

/** Runs a command of the palette (Ctrl+K) by its id (`theme-dark`, `locale-de-DE`...), which
 *  does not depend on the UI's language. A command the palette does not offer (the look it
 *  would set is the current one) is not run: the palette is closed and false returned. */
export async function paletteRun(browser, id) {
  await browser.keys(["Control", "k"]);
  const palette = await browser.$("dialog.palette");
  await (await palette.$("input")).waitForDisplayed({ timeout: 10_000, timeoutMsg: "the palette never opened" });
  const option = await browser.$(`#cmd-${id}`);
  const offered = await option.isExisting();
  if (offered) await option.click();
  else await browser.keys("Escape");
  await palette.waitForExist({ reverse: true, timeout: 10_000 });
  return offered;
}

/** Switches the theme (`system`, `light`, `dark`) and/or the locale (a tag, or "" for the
 *  system's) through the palette, and waits until the window shows them. */
export async function setLook(browser, { theme, locale }) {
  if (theme) {
    await paletteRun(browser, `theme-${theme}`);
    await browser.waitUntil(
      () => browser.execute((t) => (document.documentElement.dataset.theme ?? "system") === t, theme),
      { timeout: 10_000, timeoutMsg: `the window never showed the ${theme} theme` },
    );
  }
  if (locale !== undefined) {
    await paletteRun(browser, locale ? `locale-${locale}` : "locale-system");
    await browser.waitUntil(
      () =>
        browser.execute((l) => {
          const system = Intl.getCanonicalLocales(navigator.languages?.[0] ?? navigator.language)[0];
          return document.documentElement.lang === (l || system);
        }, locale),
      { timeout: 10_000, timeoutMsg: `the window never switched to ${locale || "the system's locale"}` },
    );
  }
}

/** Adds the server `server` (lib/server.mjs) as the profile `lab` in Settings, which becomes
 *  the active one when it is the first, and caches its catalog. */
export async function addLabProfile(browser, server) {
  const notice = () => browser.execute(() => document.querySelector(".profiles p.notice")?.textContent?.replace(/\s+/g, " ").trim() ?? "");
  await (await browser.$("button=Settings")).click();
  const add = await browser.$("button=Add server profile");
  await add.waitForDisplayed({ timeout: 10_000, timeoutMsg: "Settings never offered 'Add server profile'" });
  await add.click();
  await (await browser.$("#profile-name")).addValue("lab");
  await (await browser.$("#profile-orderUrl")).addValue(server.orderUrl);
  await (await browser.$("#profile-catalogUrl")).addValue(server.catalogUrl);
  await (await browser.$("button=Save profile")).click();
  await browser.waitUntil(async () => (await notice()) === "Profile lab saved.", {
    timeout: 15_000,
    timeoutMsg: "saving the profile never said so",
  });
  await (await browser.$('button[aria-label="Refresh catalog from lab"]')).click();
  await browser.waitUntil(async () => /^Catalog of lab cached/.test(await notice()), {
    timeout: 30_000,
    timeoutMsg: "refreshing the catalog from the server never finished",
  });
}

/** The native save dialog is not part of the web page: it is driven like a person would, with
 * key presses on the X display (xdotool), after waiting for the dialog's window to show. */
export function answerSaveDialog(path) {
  const found = execFileSync("xdotool", ["search", "--sync", "--onlyvisible", "--name", "^Save"], { timeout: 15_000 });
  const dialog = found.toString().trim().split("\n").pop();
  // No window manager runs under Xvfb: give the dialog the keyboard focus explicitly, and let
  // GTK settle before typing.
  execFileSync("xdotool", ["windowfocus", "--sync", dialog], { timeout: 5_000 });
  execFileSync("sleep", ["0.3"]);
  execFileSync("xdotool", ["key", "--clearmodifiers", "ctrl+a"]);
  execFileSync("xdotool", ["type", "--delay", "5", path]);
  execFileSync("xdotool", ["key", "Return"]);
}
