/**
 * Date ranges. Users and reports see inclusive `[first, last]` ranges; this module is the
 * only place that builds them, from sorted day lists.
 */
import { type Day, formatDay } from './day.js';

/** An inclusive range of days, first <= last. */
export interface DayRange {
  readonly first: Day;
  readonly last: Day;
}

/** The inclusive window of days a run considers, and that warehouse queries are restricted to. */
export type DayWindow = DayRange;

/** A batch of work: an inclusive range and the days inside it that need building. */
export interface Batch extends DayRange {
  readonly days: readonly Day[];
}

/** How a target's days are handed to its build (SPEC `build.ranges`). */
export type RangeMode = 'contiguous' | 'per-date' | 'single';

// These functions run over every day of big plans: indexed loops, because for-of makes an
// iterator result per element until V8 has optimised the loop.

/**
 * Where the runs of `days` (sorted, a subset of `calendar`) start, as indexes into `days`. A
 * run is contiguous over the calendar: two days stay in one run when no calendar day between
 * them is left out, so the days between two consecutive games do not break a range.
 */
function runStarts(days: readonly Day[], calendar: readonly Day[]): number[] {
  const starts: number[] = [];
  let cal = 0;
  let previousIndex = -2;
  for (let k = 0; k < days.length; k++) {
    const day = days[k]!;
    cal = firstAtOrAfter(calendar, day, cal);
    const index = calendar[cal] === day ? cal : -1;
    const continues = k > 0 && index >= 0 && index === previousIndex + 1;
    if (!continues) starts.push(k);
    previousIndex = index;
  }
  return starts;
}

/**
 * Sorted `days` (days of `calendar`) as inclusive ranges contiguous over the calendar (see
 * `runStarts`), without building a list per run (reports describe every missing and outdated
 * day of big windows).
 */
export function rangesOverCalendar(days: readonly Day[], calendar: readonly Day[]): DayRange[] {
  const starts = runStarts(days, calendar);
  return starts.map((start, i) => ({ first: days[start]!, last: days[(starts[i + 1] ?? days.length) - 1]! }));
}

/** Inclusive ISO pairs for reports and JSON: `[["2022-01-03", "2022-01-09"]]`. */
export function rangesToIso(ranges: readonly DayRange[]): [string, string][] {
  return ranges.map((r) => [formatDay(r.first), formatDay(r.last)]);
}

/** A short human form: `2022-01-03..2022-01-09`, or one date when first = last. */
export function formatRange(range: DayRange): string {
  return range.first === range.last ? formatDay(range.first) : `${formatDay(range.first)}..${formatDay(range.last)}`;
}

/** Whether `days` ascend strictly (sorted, no duplicates). */
export function ascending(days: readonly number[]): boolean {
  for (let i = 1; i < days.length; i++) if (days[i]! <= days[i - 1]!) return false;
  return true;
}

/**
 * The first index from `from` on whose day is >= `day` in a sorted calendar (its length when
 * none). The next index is tried first (runs walk the calendar day by day), then a binary
 * search jumps over the days between scattered ones.
 */
export function firstAtOrAfter(calendar: readonly Day[], day: number, from: number): number {
  if (from >= calendar.length || calendar[from]! >= day) return from;
  if (from + 1 >= calendar.length || calendar[from + 1]! >= day) return from + 1;
  let low = from + 2;
  let high = calendar.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (calendar[mid]! < day) low = mid + 1;
    else high = mid;
  }
  return low;
}
