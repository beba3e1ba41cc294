// The order editor's state: one draft and its price. Opening a draft brings the whole state;
// every change after it (which the backend has already saved as a new revision) brings only
// what changed, applied here to the state held (`applyChange`). Edits are queued so that each
// is made on the revision the previous one produced.
import {
  backend,
  errorText,
  type ApprovalInput,
  type Edit,
  type EditorAnswer,
  type EditorOpened,
  type EditorState,
  type InstalledChange,
  type RevisionView,
} from "../backend/ipc";
import { m } from "../paraglide/messages.js";
import { applyChange } from "./answer";

/** Where the editor should move focus next (a finding was clicked, an item was added...). */
export interface FocusRequest {
  item: string | null;
  field: string | null;
  /** Changes on every request, so the same target can be asked for twice. */
  seq: number;
}

export class EditorStore {
  // Raw, not deeply proxied: every answer replaces the state as a whole and nothing mutates
  // it in place, so a deep proxy over a 1,000-item draft (about 1 MB) would only cost time.
  state = $state.raw<EditorState | null>(null);
  /** The sequence number of the backend's answer the state came from (a change names the
   *  answer it applies to). */
  private seq: number | null = null;
  error = $state<string | null>(null);
  errorCode = $state<string | null>(null);
  busy = $state(false);
  history = $state<RevisionView[]>([]);
  selected = $state<string | null>(null);
  focus = $state<FocusRequest>({ item: null, field: null, seq: 0 });
  /** Bumped after every saved change; views that list drafts refresh on it. */
  saved = $state(0);

  private queue: Promise<unknown> = Promise.resolve();

  get draft() {
    return this.state?.draft ?? null;
  }

  get quote() {
    return this.state?.quote ?? null;
  }

  get selectedItem() {
    const id = this.selected;
    return this.state?.draft.items.find((i) => i.id === id) ?? null;
  }

  private run(task: () => Promise<EditorAnswer | EditorOpened>): Promise<boolean> {
    const next = this.queue.then(async () => {
      this.busy = true;
      try {
        await this.take(await task());
        this.error = null;
        this.errorCode = null;
        return true;
      } catch (e) {
        this.error = errorText(e);
        this.errorCode = (e as { code?: string }).code ?? null;
        return false;
      } finally {
        this.busy = false;
      }
    });
    this.queue = next;
    return next;
  }

  /** Take a backend answer: a whole state, or a change of the state held. A change made on
   *  another state than the one held (which only a second window could cause) is not
   *  applied: the draft is read again whole. */
  private async take(answer: EditorAnswer | EditorOpened) {
    if (!("kind" in answer)) return this.accept(answer.state, answer.seq);
    if (answer.kind === "whole") return this.accept(answer.state, answer.seq);
    const held = this.state;
    const next = held && this.seq === answer.base ? applyChange(held, answer.change) : null;
    if (next) return this.accept(next, answer.seq);
    const opened = await backend.openDraft(answer.change.id);
    this.accept(opened.state, opened.seq);
  }

  private accept(result: EditorState, seq: number) {
    this.seq = seq;
    const before = new Set(this.state?.draft.items.map((i) => i.id) ?? []);
    this.state = result;
    this.saved += 1;
    const items = result.draft.items;
    const added = items.find((i) => !before.has(i.id));
    if (added && before.size + 1 <= items.length && this.state) {
      this.selected = added.id;
    } else if (!items.some((i) => i.id === this.selected)) {
      this.selected = items[0]?.id ?? null;
    }
  }

  open(id: string) {
    this.history = [];
    return this.run(() => backend.openDraft(id));
  }

  create() {
    this.history = [];
    return this.run(() => backend.newDraft());
  }

  import(text: string) {
    this.history = [];
    return this.run(() => backend.importOrder(text));
  }

  /** Open a copy of the current draft (a new draft; the backend leaves unique values empty). */
  duplicate() {
    const draft = this.state?.draft;
    if (!draft) return Promise.resolve(false);
    this.history = [];
    return this.run(() => backend.duplicateDraft(draft.id));
  }

  /** Delete the current draft and close it; rejects with the backend's refusal (a submitted
   *  draft is kept), after any edit still in flight. */
  remove(): Promise<void> {
    const next = this.queue.then(async () => {
      const draft = this.state?.draft;
      if (!draft) throw new Error(m.editor_no_draft());
      await backend.deleteDraft(draft.id);
      this.close();
      this.saved += 1;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Apply one edit to the current revision (queued behind any edit still in flight). */
  apply(edit: Edit) {
    return this.run(async () => {
      const draft = this.state?.draft;
      if (!draft) throw new Error(m.editor_no_draft());
      return backend.editDraft(draft.id, draft.revision, edit);
    });
  }

  /** Change an installed product of the draft's customer (the customer panel), as one edit
   *  queued like any other. */
  changeInstalled(change: InstalledChange) {
    return this.run(async () => {
      const draft = this.state?.draft;
      if (!draft) throw new Error(m.editor_no_draft());
      return backend.changeInstalled(draft.id, draft.revision, change);
    });
  }

  /** Record the approval of a discount over its limit; rejects with the backend's refusal
   *  (the approval form shows it). */
  approve(input: ApprovalInput): Promise<void> {
    // Behind any edit still in flight, like an edit; but the refusal goes to the caller.
    const next = this.queue.then(async () => {
      const draft = this.state?.draft;
      if (!draft) throw new Error(m.editor_no_draft());
      await this.take(await backend.approveDiscount(draft.id, input));
      this.error = null;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  undo() {
    return this.run(async () => {
      const draft = this.state?.draft;
      if (!draft) throw new Error(m.editor_no_draft());
      return backend.undo(draft.id);
    });
  }

  redo() {
    return this.run(async () => {
      const draft = this.state?.draft;
      if (!draft) throw new Error(m.editor_no_draft());
      return backend.redo(draft.id);
    });
  }

  restore(revision: number) {
    return this.run(async () => {
      const draft = this.state?.draft;
      if (!draft) throw new Error(m.editor_no_draft());
      return backend.restoreRevision(draft.id, revision);
    });
  }

  async loadHistory() {
    const draft = this.state?.draft;
    if (!draft) return;
    try {
      this.history = await backend.draftHistory(draft.id);
    } catch (e) {
      this.error = errorText(e);
    }
  }

  /** Ask the editor to focus a field of an item (or of the header when `item` is null). */
  focusField(item: string | null, field: string | null) {
    if (item) this.selected = item;
    this.focus = { item, field, seq: this.focus.seq + 1 };
  }

  close() {
    this.state = null;
    this.seq = null;
    this.selected = null;
    this.history = [];
    this.error = null;
  }
}
