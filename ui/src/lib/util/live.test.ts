import { describe, expect, it } from "vitest";
import { liveQuery } from "./live";

/** A backend whose answers the test releases one by one. */
function backend() {
  const sent: { query: string; resolve: (r: string) => void; reject: (e: unknown) => void }[] = [];
  const run = (query: string) =>
    new Promise<string>((resolve, reject) => {
      sent.push({ query, resolve, reject });
    });
  return { sent, run };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe("liveQuery", () => {
  it("sends the first question at once and only the newest of those asked meanwhile", async () => {
    const { sent, run } = backend();
    const applied: string[] = [];
    const pending: boolean[] = [];
    const live = liveQuery({
      run,
      apply: (r) => void applied.push(r),
      fail: () => {},
      onPending: (p) => pending.push(p),
    });
    live.ask("O");
    expect(sent.map((s) => s.query)).toEqual(["O"]);
    live.ask("Of");
    live.ask("Off");
    // One in flight: the others wait, and "Of" is replaced before it is sent.
    expect(sent.map((s) => s.query)).toEqual(["O"]);
    expect(live.pending).toBe(true);
    sent[0]!.resolve("answer O");
    await settle();
    // The answer to "O" is stale: not applied; "Off" goes out.
    expect(applied).toEqual([]);
    expect(sent.map((s) => s.query)).toEqual(["O", "Off"]);
    sent[1]!.resolve("answer Off");
    await settle();
    expect(applied).toEqual(["answer Off"]);
    expect(live.pending).toBe(false);
    expect(pending).toEqual([true, false]);
  });

  it("reports only the newest question's failure", async () => {
    const { sent, run } = backend();
    const failed: string[] = [];
    const live = liveQuery({ run, apply: () => {}, fail: (_e, q) => void failed.push(q) });
    live.ask("a");
    live.ask("ab");
    sent[0]!.reject(new Error("old"));
    await settle();
    expect(failed).toEqual([]);
    sent[1]!.reject(new Error("new"));
    await settle();
    expect(failed).toEqual(["ab"]);
    expect(live.pending).toBe(false);
  });

  it("applies nothing after cancel and sends nothing that waited", async () => {
    const { sent, run } = backend();
    const applied: string[] = [];
    const live = liveQuery({ run, apply: (r) => void applied.push(r), fail: () => {} });
    live.ask("x");
    live.ask("xy");
    live.cancel();
    expect(live.pending).toBe(false);
    sent[0]!.resolve("answer x");
    await settle();
    expect(applied).toEqual([]);
    expect(sent.map((s) => s.query)).toEqual(["x"]);
    // Asking again afterwards works as before.
    live.ask("z");
    sent[1]!.resolve("answer z");
    await settle();
    expect(applied).toEqual(["answer z"]);
  });

  it("turns a throwing sender or applier into the newest question's failure", async () => {
    const failed: unknown[] = [];
    const thrower = liveQuery<string, string>({
      run: () => {
        throw new Error("no backend");
      },
      apply: () => {},
      fail: (e) => void failed.push(e),
    });
    thrower.ask("q");
    await settle();
    expect(failed).toHaveLength(1);
    expect(thrower.pending).toBe(false);
    const badApply = liveQuery<string, string>({
      run: async (q) => q,
      apply: () => {
        throw new Error("cannot show");
      },
      fail: (e) => void failed.push(e),
    });
    badApply.ask("r");
    await settle();
    expect(failed).toHaveLength(2);
    expect(badApply.pending).toBe(false);
  });
});
