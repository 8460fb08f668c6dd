/**
 * Day sets as plain sorted lists: the definitions the plan's range functions
 * (src/intervals/range-sets.ts, batches.ts) are held to by property tests. The plan used these
 * until it planned on ranges; they live with the tests now.
 */
import type { Day } from '../../src/intervals/day.js';
import { ascending, firstAtOrAfter, rangesOverCalendar, type Batch, type RangeMode } from '../../src/intervals/interval.js';

/** Groups sorted `days` into runs that are contiguous over `calendar` (a day off the calendar stands alone). */
export function runsOverCalendar(days: readonly Day[], calendar: readonly Day[]): Day[][] {
  return rangesOverCalendar(days, calendar).map((range) => days.filter((d) => d >= range.first && d <= range.last));
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
      groups = runsOverCalendar(days, calendar).flatMap((run) => splitByMaxDays(run, maxDays));
      break;
  }
  return groups.map((group) => ({ first: group[0]!, last: group[group.length - 1]!, days: group }));
}

/** Merges sorted-or-not days into a sorted, duplicate-free list. */
export function unionDays(...lists: readonly (readonly Day[])[]): Day[] {
  // the plan's lists are sorted: merge them pairwise, without a Set and a sort
  if (lists.every(ascending)) return lists.reduce<Day[]>((union, list) => (union.length === 0 ? list.slice() : mergeAscending(union, list)), []);
  const all = new Set<number>();
  for (const list of lists) for (const d of list) all.add(d);
  return [...all].sort((a, b) => a - b) as Day[];
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

/**
 * Days of `calendar` that read any of `changed` through a lookback window: day d reads
 * d-lookback..d, so a change on c touches every calendar day in c..c+lookback.
 */
export function daysReading(changed: readonly Day[], calendar: readonly Day[], lookback: number): Day[] {
  if (changed.length === 0 || calendar.length === 0) return [];
  const sorted = ascending(changed) ? changed : [...changed].sort((a, b) => a - b);
  // per changed day c, the calendar days in c..c+lookback not taken yet: a binary search
  // jumps to them, so a few changes cost a few steps whatever the calendar's length. They
  // are noted as runs of calendar indexes [from, to) and copied a run at a time: a plan
  // asks this per edge over whole windows, and one slice costs far less than a push per day.
  const runs: number[] = [];
  let j = 0;
  for (let k = 0; k < sorted.length; k++) {
    const c = sorted[k]!;
    j = firstAtOrAfter(calendar, c, j);
    const from = j;
    while (j < calendar.length && calendar[j]! <= c + lookback) j++;
    if (j === from) continue;
    if (runs.length > 0 && runs[runs.length - 1] === from) runs[runs.length - 1] = j;
    else runs.push(from, j);
  }
  if (runs.length === 2) return calendar.slice(runs[0], runs[1]);
  let total = 0;
  for (let r = 0; r < runs.length; r += 2) total += runs[r + 1]! - runs[r]!;
  const out = new Array<Day>(total);
  let o = 0;
  for (let r = 0; r < runs.length; r += 2) for (let i = runs[r]!; i < runs[r + 1]!; i++) out[o++] = calendar[i]!;
  return out;
}
