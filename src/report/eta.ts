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

/**
 * What the view says about the time left: an estimate, or by how much the running work is
 * past it (a range slower than the ranges before it) — never "0ms" while work is left.
 */
export type Estimate =
  /** About `ms` left. */
  | { readonly kind: 'left'; readonly ms: number }
  /** The work left should have been done `ms` ago by the pace so far. */
  | { readonly kind: 'overdue'; readonly ms: number };

/** Lane-milliseconds still needed by one target: negative when its running ranges are past their estimate. */
function workLeftMs(left: Remaining, pace: number): number {
  // Time already spent on the running ranges counts against what they still need.
  return left.dates * pace - left.running * left.runningElapsedMs;
}

/** A target's estimate, or undefined when there is no pace to go by. */
export function estimateTarget(left: Remaining): Estimate | undefined {
  if (left.msPerDate === undefined) return undefined;
  if (left.dates <= 0) return { kind: 'left', ms: 0 };
  const ms = workLeftMs(left, left.msPerDate) / Math.max(1, left.running);
  return ms >= 0 ? { kind: 'left', ms } : { kind: 'overdue', ms: -ms };
}

/** The expected time left (0 once overdue), or undefined when there is no pace to go by. */
export function estimateLeftMs(left: Remaining): number | undefined {
  const estimate = estimateTarget(left);
  return estimate === undefined ? undefined : estimate.kind === 'left' ? estimate.ms : 0;
}

/**
 * The whole run's estimate: all work left spread over the lanes in use, less the time the
 * running ranges have already had, so it counts down between range ends instead of
 * standing still. Overdue when every target's running work is past its estimate.
 */
export function estimateRun(targets: readonly Remaining[], fallbackMsPerDate: number | undefined, lanes: number): Estimate | undefined {
  let ahead = 0;
  let behind = 0;
  for (const t of targets) {
    const pace = t.msPerDate ?? fallbackMsPerDate;
    if (pace === undefined) return undefined;
    const work = workLeftMs(t, pace);
    if (work >= 0) ahead += work;
    else behind -= work;
  }
  const width = Math.max(1, lanes);
  if (ahead === 0 && behind > 0) return { kind: 'overdue', ms: behind / width };
  return { kind: 'left', ms: ahead / width };
}

/** The time left for the whole run (0 once overdue), or undefined when unknown. */
export function estimateRunLeftMs(targets: readonly Remaining[], fallbackMsPerDate: number | undefined, lanes: number): number | undefined {
  const estimate = estimateRun(targets, fallbackMsPerDate, lanes);
  return estimate === undefined ? undefined : estimate.kind === 'left' ? estimate.ms : 0;
}
