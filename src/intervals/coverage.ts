/** Coverage of expected days by present days: the arithmetic behind freshness. */
import type { Day } from './day.js';
import { runsOverCalendar, type DayRange } from './interval.js';

/** What a target has against what its calendar expects. */
export interface Coverage {
  readonly expected: number;
  readonly present: number;
  readonly missing: readonly Day[];
  /** present / expected within the calendar; 1 when nothing is expected. */
  readonly ratio: number;
}

/** Compares sorted expected days with the set of present days. */
export function computeCoverage(expected: readonly Day[], present: ReadonlySet<number>): Coverage {
  const missing: Day[] = [];
  for (const day of expected) if (!present.has(day)) missing.push(day);
  const have = expected.length - missing.length;
  return {
    expected: expected.length,
    present: have,
    missing,
    ratio: expected.length === 0 ? 1 : have / expected.length,
  };
}

/** Missing days as inclusive ranges that run contiguously over the calendar. */
export function missingRanges(missing: readonly Day[], calendar: readonly Day[]): DayRange[] {
  return runsOverCalendar(missing, calendar).map((run) => ({ first: run[0]!, last: run[run.length - 1]! }));
}

/**
 * Days of `calendar` that read any of `changed` through a lookback window: day d reads
 * d-lookback..d, so a change on c touches every calendar day in c..c+lookback.
 */
export function daysReading(changed: readonly Day[], calendar: readonly Day[], lookback: number): Day[] {
  if (changed.length === 0 || calendar.length === 0) return [];
  const sorted = [...changed].sort((a, b) => a - b);
  const out: Day[] = [];
  let j = 0;
  for (const day of calendar) {
    // advance to the first changed day >= day - lookback
    while (j < sorted.length && sorted[j]! < day - lookback) j++;
    if (j < sorted.length && sorted[j]! <= day) out.push(day);
  }
  return out;
}
