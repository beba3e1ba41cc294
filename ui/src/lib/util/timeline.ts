// Geometry and wording of an order's state timeline (drawn as SVG by StateTimeline.svelte).
import type { TimelineStep } from "../backend/ipc";

/** How a state reads for people. */
const LABELS: Record<string, string> = {
  submitted: "Submitted",
  acknowledged: "Acknowledged",
  inProgress: "In progress",
  pending: "Pending",
  held: "Held",
  completed: "Completed",
  failed: "Failed",
  partial: "Partial",
  rejected: "Rejected",
  cancelled: "Cancelled",
  assessingCancellation: "Assessing cancellation",
  pendingCancellation: "Pending cancellation",
  "cancel-requested": "Cancel requested",
  // A cancellation task's own states.
  done: "Done",
  terminatedWithError: "Terminated with error",
};

export function stateLabel(state: string): string {
  return LABELS[state] ?? state;
}

/** The tone a state is drawn in. */
export function stateTone(state: string): "ok" | "bad" | "warn" | "neutral" {
  if (state === "completed" || state === "cancelled") return "ok";
  if (state === "failed" || state === "rejected" || state === "partial") return "bad";
  if (state === "cancel-requested" || state.includes("ancellation")) return "warn";
  return "neutral";
}

export interface TimelinePoint {
  step: TimelineStep;
  x: number;
  label: string;
  tone: "ok" | "bad" | "warn" | "neutral";
  /** `HH:MM:SS` UTC of the step. */
  time: string;
  /** The day, shown when it differs from the previous step's. */
  day: string | null;
  /** The order's current state (the latest step that is a state). */
  last: boolean;
}

/** One point per step, `gap` apart, starting at `start`. */
export function timelinePoints(steps: readonly TimelineStep[], gap = 132, start = 16): TimelinePoint[] {
  let previousDay = "";
  // The order's current state is its latest state; a cancellation request is only a marker.
  let current = steps.length - 1;
  while (current > 0 && steps[current]?.kind === "cancel-requested") current -= 1;
  return steps.map((step, i) => {
    const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(step.at);
    const day = match?.[1] ?? "";
    const time = match?.[2] ?? step.at;
    const shownDay = day !== previousDay ? day : null;
    previousDay = day;
    return {
      step,
      x: start + i * gap,
      label: stateLabel(step.state ?? step.stateText),
      tone: stateTone(step.state ?? step.stateText),
      time,
      day: shownDay,
      last: i === current,
    };
  });
}
