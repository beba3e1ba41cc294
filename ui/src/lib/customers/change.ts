// A change item as one line "was → will be", from the review's change rows (the backend's
// `SummaryChange`), in the review's words.
import type { SummaryChange } from "../backend/ipc";
import { m } from "../paraglide/messages.js";

/** `Tariff Plan → Mobile M`; a modify with changed characteristics lists each as
 *  `label: was → will be`. */
export function changeText(change: SummaryChange | undefined): string {
  if (!change) return "";
  if (change.characteristics.length > 0) {
    return change.characteristics
      .map((c) => `${c.label}: ${m.review_was_will_be({ was: c.was, willBe: c.willBe })}`)
      .join("; ");
  }
  return m.review_was_will_be({ was: change.was, willBe: change.willBe ?? m.review_disconnected() });
}
