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

/** A batch of work: an inclusive range and the days inside it that need building. */
export interface Batch extends DayRange {
  readonly days: readonly Day[];
}

/** How a target's days are handed to its build (SPEC `build.ranges`). */
export type RangeMode = 'contiguous' | 'per-date' | 'single';

/**
 * Groups `days` (sorted, a subset of `calendar`) into runs that are contiguous over the
 * calendar: two days stay in one run when no calendar day between them is left out, so
 * the days between two consecutive games do not break a range.
 */
export function runsOverCalendar(days: readonly Day[], calendar: readonly Day[]): Day[][] {
  const runs: Day[][] = [];
  let current: Day[] = [];
  let cal = 0;
  let previousIndex = -2;
  for (const day of days) {
    while (cal < calendar.length && calendar[cal]! < day) cal++;
    const index = calendar[cal] === day ? cal : -1;
    const continues = index >= 0 && index === previousIndex + 1;
    if (!continues && current.length > 0) {
      runs.push(current);
      current = [];
    }
    current.push(day);
    previousIndex = index;
  }
  if (current.length > 0) runs.push(current);
  return runs;
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

/** Turns the days a target needs into the batches its build receives. */
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
      groups = runsOverCalendar(days, calendar).flatMap((run) => splitByMaxDays(run, maxDays));
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
  const all = new Set<number>();
  for (const list of lists) for (const d of list) all.add(d);
  return [...all].sort((a, b) => a - b) as Day[];
}
