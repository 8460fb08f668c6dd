/** The measured state of the warehouse, as plain data: what the pure assessment and the planner read. */
import type { Day } from '../intervals/day.js';
import { rangesOfDays } from '../intervals/day-ranges.js';
import { ascending } from '../intervals/interval.js';
import type { CheckOutcome, DayWindow, PresentDates, PresentRanges, TimedRange, WriteRecord } from '../warehouse/warehouse.js';
import type { TargetWrites } from './write-times.js';

/**
 * The latest write of each day of one target: the compact form `measureState` builds, or
 * a map of records by day (small states put together by hand, as in tests).
 */
export type DayWrites = TargetWrites | ReadonlyMap<Day, WriteRecord>;

/**
 * A table's present days: ranges, as `measureState` reads them, or one day each (small
 * states put together by hand, as in tests; see `presentRangesOf`).
 */
export type Presence = PresentRanges | PresentDates;

/** Everything measured for one status or build decision. */
export interface MeasuredState {
  readonly window: DayWindow;
  /** Expected days per target (its calendar within the window). */
  readonly expected: ReadonlyMap<string, readonly Day[]>;
  /** Targets whose calendar table is built by a target and does not exist yet: the reason. */
  readonly calendarPending: ReadonlyMap<string, string>;
  /** Present days per target. */
  readonly present: ReadonlyMap<string, Presence>;
  /** Write records per target. */
  readonly writes: ReadonlyMap<string, DayWrites>;
  /** Check outcomes, keyed `target/check`. */
  readonly checks: ReadonlyMap<string, CheckOutcome>;
  /** The current definition fingerprint of each target. */
  readonly fingerprints: ReadonlyMap<string, string>;
}

/** The key of a check outcome. */
export function checkKey(target: string, check: string): string {
  return `${target}/${check}`;
}

/** Presences given one day each, as ranges: converted once per object. */
const converted = new WeakMap<PresentDates, PresentRanges>();

/** A presence as ranges (the form `measureState` reads already; days are converted). */
export function presentRangesOf(presence: Presence): PresentRanges {
  if ('ranges' in presence) return presence;
  let ranges = converted.get(presence);
  if (!ranges) {
    const { days, modifiedAt, ...rest } = presence;
    const sorted = ascending(days) ? days : [...new Set(days)].sort((a, b) => a - b);
    ranges = { ...rest, ranges: rangesOfDays(sorted), ...(modifiedAt && { modified: timedRuns(modifiedAt) }) };
    converted.set(presence, ranges);
  }
  return ranges;
}

/** Times by day as runs of consecutive days with one time. */
function timedRuns(byDay: ReadonlyMap<Day, number>): TimedRange[] {
  const runs: { first: Day; last: Day; at: number }[] = [];
  for (const day of [...byDay.keys()].sort((a, b) => a - b)) {
    const at = byDay.get(day)!;
    const previous = runs[runs.length - 1];
    if (previous && previous.last === day - 1 && previous.at === at) previous.last = day;
    else runs.push({ first: day, last: day, at });
  }
  return runs;
}
