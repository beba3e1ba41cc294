/**
 * Asking the backend as the user types (a search, a filtered page): the first question goes
 * at once, at most one is in flight, and while it is, only the newest question waits (those
 * it replaces are never sent). Only the answer to the newest question is applied, so a slow
 * answer to an old one cannot overwrite a newer one.
 *
 * No timer: a search answers in a few milliseconds, so waiting a fixed time after each key
 * would be most of the delay the user sees, while one question in flight at a time already
 * bounds the load a fast typist puts on the backend.
 */
export interface LiveQuery<Q> {
  /** Ask `query`: sent now if nothing is in flight, else after the question in flight. */
  ask(query: Q): void;
  /** Forget the questions asked: a waiting one is not sent, no answer is applied. */
  cancel(): void;
  /** Whether an answer to the newest question is still to come. */
  readonly pending: boolean;
}

export interface LiveHandlers<Q, R> {
  /** Send one question. */
  run(query: Q): Promise<R>;
  /** The answer to the newest question. */
  apply(result: R, query: Q): void | Promise<void>;
  /** The newest question failed. */
  fail(error: unknown, query: Q): void;
  /** Called whenever `pending` changes. */
  onPending?(pending: boolean): void;
}

export function liveQuery<Q, R>(handlers: LiveHandlers<Q, R>): LiveQuery<Q> {
  /** The generation of the newest question; an answer to any other is dropped. */
  let newest = 0;
  let inFlight = false;
  let waiting: { query: Q; generation: number } | null = null;
  let pending = false;

  const setPending = (value: boolean) => {
    if (value === pending) return;
    pending = value;
    handlers.onPending?.(value);
  };

  const send = (query: Q, generation: number) => {
    inFlight = true;
    let answer: Promise<R>;
    try {
      answer = handlers.run(query);
    } catch (e) {
      answer = Promise.reject(e);
    }
    answer
      .then(
        async (result) => {
          if (generation !== newest) return;
          try {
            await handlers.apply(result, query);
          } catch (e) {
            if (generation === newest) handlers.fail(e, query);
          }
          if (generation === newest) setPending(false);
        },
        (error: unknown) => {
          if (generation !== newest) return;
          handlers.fail(error, query);
          setPending(false);
        },
      )
      .finally(() => {
        inFlight = false;
        const next = waiting;
        waiting = null;
        if (next && next.generation === newest) send(next.query, next.generation);
      });
  };

  return {
    ask(query: Q) {
      newest += 1;
      setPending(true);
      if (inFlight) waiting = { query, generation: newest };
      else send(query, newest);
    },
    cancel() {
      newest += 1;
      waiting = null;
      setPending(false);
    },
    get pending() {
      return pending;
    },
  };
}
