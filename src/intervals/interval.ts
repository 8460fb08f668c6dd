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
 * them is left out, so the days between two consecutive games do not break a range. With
 * `maxDays`, a run is also cut before it would span more than that many days.
 */
function runStarts(days: readonly Day[], calendar: readonly Day[], maxDays?: number): number[] {
  const starts: number[] = [];
  let cal = 0;
  let previousIndex = -2;
  let runFirst = 0;
  for (let k = 0; k < days.length; k++) {
    const day = days[k]!;
    cal = firstAtOrAfter(calendar, day, cal);
    const index = calendar[cal] === day ? cal : -1;
    const continues = k > 0 && index >= 0 && index === previousIndex + 1;
    const fits = maxDays === undefined || day - runFirst + 1 <= maxDays;
    if (!continues || !fits) {
      starts.push(k);
      runFirst = day;
    }
    previousIndex = index;
  }
  return starts;
}

/** The slices of `days` between consecutive run starts. */
function slicesAt(days: readonly Day[], starts: readonly number[]): Day[][] {
  return starts.map((start, i) => days.slice(start, starts[i + 1] ?? days.length));
}

/** Groups sorted `days` into runs that are contiguous over `calendar` (see `runStarts`). */
export function runsOverCalendar(days: readonly Day[], calendar: readonly Day[]): Day[][] {
  return slicesAt(days, runStarts(days, calendar));
}

/**
 * The runs of `runsOverCalendar` as inclusive ranges, without building a list per run
 * (reports describe every missing and outdated day of big windows).
 */
export function rangesOverCalendar(days: readonly Day[], calendar: readonly Day[]): DayRange[] {
  const starts = runStarts(days, calendar);
  return starts.map((start, i) => ({ first: days[start]!, last: days[(starts[i + 1] ?? days.length) - 1]! }));
}

/** Cuts a sorted run into pieces spanning at most `maxDays` calendar days each; no pieces for an empty run. */
export function splitByMaxDays(run: readonly Day[], maxDays: number | undefined): Day[][] {
  // An empty run must give no piece: an empty piece would become a batch with no dates.
  if (run.length === 0) return [];
  if (maxDays === undefined) return [run.slice()];
  const pieces: Day[][] = [];
  let current: Day[] = [];
  for (const day of run) {
    if (current.length > 0 && day - current[0]! + 1 > maxDays) {
      pieces.push(current);
      current = [];
    }
    current.push(day);
  }
  if (current.length > 0) pieces.push(current);
  return pieces;
}

/**
 * Turns the days a target needs into the batches its build receives: the definition by day
 * lists. The plan batches day sets held as ranges (batches.ts `batchRanges`), which a property
 * test holds to this.
 */
export function batchDays(
  days: readonly Day[],
  calendar: readonly Day[],
  mode: RangeMode,
  maxDays: number | undefined,
): Batch[] {
  if (days.length === 0) return [];
  let groups: Day[][];
  switch (mode) {
    case 'per-date':
      groups = days.map((d) => [d]);
      break;
    case 'single':
      groups = splitByMaxDays(days, maxDays);
      break;
    case 'contiguous':
      groups = slicesAt(days, runStarts(days, calendar, maxDays));
      break;
  }
  return groups.map((group) => ({ first: group[0]!, last: group[group.length - 1]!, days: group }));
}

/** Inclusive ISO pairs for reports and JSON: `[["2022-01-03", "2022-01-09"]]`. */
export function rangesToIso(ranges: readonly DayRange[]): [string, string][] {
  return ranges.map((r) => [formatDay(r.first), formatDay(r.last)]);
}

/** A short human form: `2022-01-03..2022-01-09`, or one date when first = last. */
export function formatRange(range: DayRange): string {
  return range.first === range.last ? formatDay(range.first) : `${formatDay(range.first)}..${formatDay(range.last)}`;
}

/** Merges sorted-or-not days into a sorted, duplicate-free list. */
export function unionDays(...lists: readonly (readonly Day[])[]): Day[] {
  // the plan's lists are sorted: merge them pairwise, without a Set and a sort
  if (lists.every(ascending)) return lists.reduce<Day[]>((union, list) => (union.length === 0 ? list.slice() : mergeAscending(union, list)), []);
  const all = new Set<number>();
  for (const list of lists) for (const d of list) all.add(d);
  return [...all].sort((a, b) => a - b) as Day[];
}

/** Whether `days` ascend strictly (sorted, no duplicates). */
export function ascending(days: readonly number[]): boolean {
  for (let i = 1; i < days.length; i++) if (days[i]! <= days[i - 1]!) return false;
  return true;
}

/**
 * The union of two strictly ascending lists, ascending. `a` is the caller's own copy: when
 * it already holds all of `b` (a plan's lists mostly nest: the whole window and a part of
 * it) it is returned as it is, so a union of big lists copies nothing.
 */
function mergeAscending(a: Day[], b: readonly Day[]): Day[] {
  let common = 0;
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    if (a[i]! < b[j]!) i++;
    else if (b[j]! < a[i]!) j++;
    else {
      common++;
      i++;
      j++;
    }
  }
  if (common === b.length) return a;
  if (common === a.length) return b.slice();
  const out: Day[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! < b[j]!)) out.push(a[i++]!);
    else if (i >= a.length || b[j]! < a[i]!) out.push(b[j++]!);
    else {
      out.push(a[i++]!);
      j++;
    }
  }
  return out;
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

/** Whether every day of `days` is in `within`: a binary search each when both ascend, else a Set. */
export function includesAll(within: readonly Day[], days: readonly Day[]): boolean {
  if (!ascending(within) || !ascending(days)) {
    const set = new Set<number>(within);
    return days.every((d) => set.has(d));
  }
  let j = 0;
  for (let k = 0; k < days.length; k++) {
    const day = days[k]!;
    j = firstAtOrAfter(within, day, j);
    if (within[j] !== day) return false;
  }
  return true;
}
