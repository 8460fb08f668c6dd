/**
 * The plan's day sets as range lists: each set is sorted, disjoint, non-touching inclusive
 * ranges of consecutive days (the normal form of day-ranges.ts), every day of which is in the
 * set. A target rebuilt over a ten-year window is one range, not 3,650 numbers, so planning
 * costs a few steps per range and per edge whatever the window; lists of days exist only where
 * a command or a warehouse statement is handed its dates.
 */
import type { Day } from './day.js';
import { normalizeRanges } from './day-ranges.js';
import { firstAtOrAfter, type DayRange } from './interval.js';

/** Merges range lists in normal form into one; a list that holds all the others is returned as it is. */
export function unionRanges(...lists: readonly (readonly DayRange[])[]): readonly DayRange[] {
  let union: readonly DayRange[] = [];
  for (const list of lists) {
    // the plan's lists mostly nest (a whole window and a part of it): no new list then
    if (rangesInclude(union, list)) continue;
    union = rangesInclude(list, union) ? list : mergeTwo(union, list);
  }
  return union;
}

/** The union of two lists in normal form: a walk of both. */
function mergeTwo(a: readonly DayRange[], b: readonly DayRange[]): DayRange[] {
  const out: { first: Day; last: Day }[] = [];
  for (let i = 0, j = 0; i < a.length || j < b.length; ) {
    const next = j >= b.length || (i < a.length && a[i]!.first <= b[j]!.first) ? a[i++]! : b[j++]!;
    const previous = out[out.length - 1];
    if (previous && next.first <= previous.last + 1) {
      if (next.last > previous.last) previous.last = next.last;
    } else out.push({ first: next.first, last: next.last });
  }
  return out;
}

/** Whether every day of `inner` is in `outer` (both in normal form). */
export function rangesInclude(outer: readonly DayRange[], inner: readonly DayRange[]): boolean {
  let o = 0;
  for (let i = 0; i < inner.length; i++) {
    const range = inner[i]!;
    while (o < outer.length && outer[o]!.last < range.first) o++;
    // in normal form a range of consecutive days lies within one range of the other list, or is not held
    if (o >= outer.length || outer[o]!.first > range.first || outer[o]!.last < range.last) return false;
  }
  return true;
}

/**
 * The days of sorted `calendar` inside `ranges` (any sorted, disjoint list), as ranges of
 * consecutive days. Where the calendar is dense (every day), a range costs two binary
 * searches; elsewhere it costs a step per calendar day inside it.
 */
export function calendarRuns(calendar: readonly Day[], ranges: readonly DayRange[]): DayRange[] {
  const out: DayRange[] = [];
  let at = 0;
  let open: { first: Day; last: Day } | undefined;
  const add = (first: Day, last: Day) => {
    if (open && first === open.last + 1) open.last = last;
    else out.push((open = { first, last }));
  };
  for (let r = 0; r < ranges.length; r++) {
    const from = firstAtOrAfter(calendar, ranges[r]!.first, at);
    const to = firstAtOrAfter(calendar, ranges[r]!.last + 1, from);
    at = to;
    if (to === from) continue;
    // dense: as many days as the span holds
    if (calendar[to - 1]! - calendar[from]! === to - 1 - from) {
      add(calendar[from]!, calendar[to - 1]!);
      continue;
    }
    for (let i = from; i < to; i++) add(calendar[i]!, calendar[i]!);
  }
  return out;
}

/**
 * Days of `calendar` that read any day of `changed` through a lookback window, as ranges: day d
 * reads d-lookback..d, so a change on c touches every calendar day in c..c+lookback.
 */
export function rangesReading(changed: readonly DayRange[], calendar: readonly Day[], lookback: number): DayRange[] {
  if (changed.length === 0 || calendar.length === 0) return [];
  if (lookback === 0) return calendarRuns(calendar, changed);
  return calendarRuns(calendar, normalizeRanges(changed.map((r) => ({ first: r.first, last: (r.last + lookback) as Day }))));
}
