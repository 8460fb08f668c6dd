/** Coverage of expected days by present days: the arithmetic behind freshness. */
import type { Day } from './day.js';
import { countWithin, daysOutside, daysWithin, intersectRanges } from './day-ranges.js';
import { ascending, firstAtOrAfter, rangesOverCalendar, type DayRange } from './interval.js';

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

/**
 * The coverage of `expected` by `present` and the present days that are expected, in the
 * order of `present`. Sorted lists (what the warehouse returns) are walked side by side;
 * anything else goes through a Set.
 */
export function matchDays(expected: readonly Day[], present: readonly Day[]): { coverage: Coverage; presentExpected: readonly Day[] } {
  if (!ascending(expected) || !ascending(present)) {
    const expectedSet = new Set<number>(expected);
    return { coverage: computeCoverage(expected, new Set(present)), presentExpected: present.filter((d) => expectedSet.has(d)) };
  }
  // full coverage is the common case: count first, and share `expected` when all are present
  let found = 0;
  for (let e = 0, p = 0; e < expected.length; e++) {
    p = firstAtOrAfter(present, expected[e]!, p);
    if (present[p] === expected[e]) found++;
  }
  if (found === expected.length) return { coverage: { expected: found, present: found, missing: [], ratio: 1 }, presentExpected: expected };
  const missing: Day[] = [];
  const presentExpected: Day[] = [];
  let p = 0;
  for (let e = 0; e < expected.length; e++) {
    const day = expected[e]!;
    while (p < present.length && present[p]! < day) p++;
    if (p < present.length && present[p] === day) presentExpected.push(day);
    else missing.push(day);
  }
  const have = expected.length - missing.length;
  return { coverage: { expected: expected.length, present: have, missing, ratio: expected.length === 0 ? 1 : have / expected.length }, presentExpected };
}

/**
 * The coverage of sorted `expected` days by present days given as ranges (normal form): a
 * binary search per range, so a fully built table costs one step whatever the window.
 */
export function matchRanges(expected: readonly Day[], present: readonly DayRange[]): Coverage {
  const have = countWithin(expected, present);
  const missing = have === expected.length ? [] : daysOutside(expected, present);
  return { expected: expected.length, present: have, missing, ratio: expected.length === 0 ? 1 : have / expected.length };
}

/**
 * The present days of a target that its calendar expects, asked about through ranges: a
 * fully built target is one range, so each question costs a few steps per range and per
 * day it returns, not a step per day of the window.
 */
export class PresentExpected {
  readonly #expected: readonly Day[];
  readonly #present: readonly DayRange[];
  #days: readonly Day[] | undefined;

  constructor(expected: readonly Day[], present: readonly DayRange[]) {
    this.#expected = expected;
    this.#present = present;
  }

  /** Every such day (for per-date checks). */
  days(): readonly Day[] {
    return (this.#days ??= daysWithin(this.#expected, this.#present));
  }

  /** Those inside `ranges` (sorted, disjoint), ascending. */
  within(ranges: readonly DayRange[]): readonly Day[] {
    return ranges.length === 0 ? [] : daysWithin(this.#expected, intersectRanges(ranges, this.#present));
  }
}

/** Missing days as inclusive ranges that run contiguously over the calendar. */
export function missingRanges(missing: readonly Day[], calendar: readonly Day[]): DayRange[] {
  return rangesOverCalendar(missing, calendar);
}
