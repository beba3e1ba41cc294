// Geometry and wording of an order's state timeline (drawn as SVG by StateTimeline.svelte).
import type { StepTone, TimelineStep } from "../backend/ipc";
import { m } from "../paraglide/messages.js";
import { localDate, time } from "./format";

/** How a state reads for people (TMF622 order and item states, the app's own markers, and a
 *  cancellation task's states). A state not listed shows as the server sent it. */
const LABELS: Record<string, () => string> = {
  draft: m.state_draft,
  submitted: m.state_submitted,
  acknowledged: m.state_acknowledged,
  inProgress: m.state_in_progress,
  pending: m.state_pending,
  held: m.state_held,
  completed: m.state_completed,
  failed: m.state_failed,
  partial: m.state_partial,
  rejected: m.state_rejected,
  cancelled: m.state_cancelled,
  assessingCancellation: m.state_assessing_cancellation,
  pendingCancellation: m.state_pending_cancellation,
  "cancel-requested": m.state_cancel_requested,
  "amend-requested": m.state_amend_requested,
  amended: m.state_amended,
  done: m.state_done,
  terminatedWithError: m.state_terminated_with_error,
};

/** Timeline steps that mark something done to the order rather than a state it reached. */
const MARKERS: ReadonlySet<string> = new Set(["cancel-requested", "amend-requested", "amended"]);

export function stateLabel(state: string): string {
  return LABELS[state]?.() ?? state;
}

export interface TimelinePoint {
  step: TimelineStep;
  x: number;
  label: string;
  /** How the step is drawn (the backend decides it from the state). */
  tone: StepTone;
  /** The local time of the step. */
  time: string;
  /** The local day, shown when it differs from the previous step's. */
  day: string | null;
  /** The order's current state (the latest step that is a state). */
  last: boolean;
}

/** One point per step, `gap` apart, starting at `start`. */
export function timelinePoints(steps: readonly TimelineStep[], gap = 132, start = 16): TimelinePoint[] {
  let previousDay = "";
  // The order's current state is its latest state; a cancellation request and an amendment
  // are only markers.
  let current = steps.length - 1;
  while (current > 0 && MARKERS.has(steps[current]?.kind ?? "state")) current -= 1;
  return steps.map((step, i) => {
    const day = localDate(step.at);
    const shownDay = day !== previousDay ? day : null;
    previousDay = day;
    return {
      step,
      x: start + i * gap,
      label: stateLabel(step.state ?? step.stateText),
      tone: step.tone,
      time: time(step.at),
      day: shownDay,
      last: i === current,
    };
  });
}
