/**
 * Estimates for the live progress view: milliseconds per date learnt from the ranges of
 * this run, else from earlier runs, and the time left from them. Pure arithmetic.
 */

/** Durations observed for one target: total time over total dates. */
export interface Pace {
  readonly ms: number;
  readonly dates: number;
}

/** Milliseconds per date, or undefined when nothing was observed yet. */
export function msPerDate(pace: Pace | undefined): number | undefined {
  return pace && pace.dates > 0 && pace.ms >= 0 ? pace.ms / pace.dates : undefined;
}

/** Adds one finished range to a pace. */
export function addRange(pace: Pace | undefined, ms: number, dates: number): Pace {
  return { ms: (pace?.ms ?? 0) + ms, dates: (pace?.dates ?? 0) + dates };
}

/** What is left of one target, for its ETA. */
export interface Remaining {
  /** Dates not yet built (running ranges included). */
  readonly dates: number;
  /** Milliseconds per date; undefined when unknown. */
  readonly msPerDate: number | undefined;
  /** Ranges of it running now: work left is shared between them. */
  readonly running: number;
  /** How long its running ranges have been going, on average. */
  readonly runningElapsedMs: number;
}

/** The expected time left, or undefined when there is no pace to go by. */
export function estimateLeftMs(left: Remaining): number | undefined {
  if (left.msPerDate === undefined) return undefined;
  if (left.dates <= 0) return 0;
  const lanes = Math.max(1, left.running);
  // Time already spent on the running ranges counts against what they still need.
  return Math.max(0, (left.dates * left.msPerDate) / lanes - left.runningElapsedMs);
}

/** The time left for the whole run: all work left spread over the lanes in use. */
export function estimateRunLeftMs(targets: readonly Remaining[], fallbackMsPerDate: number | undefined, lanes: number): number | undefined {
  let total = 0;
  for (const t of targets) {
    const pace = t.msPerDate ?? fallbackMsPerDate;
    if (pace === undefined) return undefined;
    total += t.dates * pace;
  }
  return total / Math.max(1, lanes);
}
