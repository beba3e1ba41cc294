// The local customer cache is brought up to date from the active server once a session, when
// the customer field is first shown; every field shown meanwhile waits for the same run. A
// failure (offline, no profile) leaves the cache as it was: search reads it either way.
import { backend } from "../backend/ipc";

let run: Promise<void> | null = null;

/** Resolves once this session's customer sync has ended, however it ended. */
export function refreshCustomers(): Promise<void> {
  run ??= backend.syncCustomers().then(
    () => undefined,
    () => {
      // Tried again the next time a field asks.
      run = null;
    },
  );
  return run;
}
