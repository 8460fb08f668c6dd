/**
 * Sets of days as sorted lists of disjoint inclusive ranges: what warehouses return for present
 * dates (gaps-and-islands in SQL), so that a fully built table costs one range, not a value per
 * date. Calendars stay sorted day lists (their dates are scattered); these functions meet the
 * two with a binary search per range, so their cost grows with the number of ranges and of the
 * days they return, not with the length of the window.
 */
import type { Day } from './day.js';
import { firstAtOrAfter, type DayRange } from './interval.js';

/**
 * Runs of consecutive days of a sorted, duplicate-free list, as ranges. Adjacent ranges
 * are merged, so the result is the normal form every function here expects.
 */
export function rangesOfDays(days: readonly Day[]): DayRange[] {
  const ranges: { first: Day; last: Day }[] = [];
  let current: { first: Day; last: Day } | undefined;
  for (let i = 0; i < days.length; i++) {
    const day = days[i]!;
    if (current && day === current.last + 1) current.last = day;
    else ranges.push((current = { first: day, last: day }));
  }
  return ranges;
}

/** Every day of the ranges, ascending. */
export function daysOfRanges(ranges: readonly DayRange[]): Day[] {
  const out = new Array<Day>(countDays(ranges));
  let o = 0;
  for (let r = 0; r < ranges.length; r++) for (let d = ranges[r]!.first; d <= ranges[r]!.last; d++) out[o++] = d as Day;
  return out;
}

/** How many days the ranges hold. */
export function countDays(ranges: readonly DayRange[]): number {
  let n = 0;
  for (let r = 0; r < ranges.length; r++) n += ranges[r]!.last - ranges[r]!.first + 1;
  return n;
}

/**
 * Sorts ranges and merges those that overlap or touch: the normal form, from ranges in any
 * order (an engine's rows). Returns `ranges` itself when it is in normal form already.
 */
export function normalizeRanges(ranges: readonly DayRange[]): readonly DayRange[] {
  let normal = true;
  for (let r = 0; r < ranges.length && normal; r++) {
    const range = ranges[r]!;
    normal = range.first <= range.last && (r === 0 || range.first > ranges[r - 1]!.last + 1);
  }
  if (normal) return ranges;
  const sorted = ranges.filter((r) => r.first <= r.last).sort((a, b) => a.first - b.first);
  const out: { first: Day; last: Day }[] = [];
  for (const { first, last } of sorted) {
    const previous = out[out.length - 1];
    if (previous && first <= previous.last + 1) previous.last = Math.max(previous.last, last) as Day;
    else out.push({ first, last });
  }
  return out;
}

/** The parts of the ranges within `window`; `ranges` itself when all of it is inside. */
export function clipRanges(ranges: readonly DayRange[], window: DayRange): readonly DayRange[] {
  if (ranges.length === 0 || (ranges[0]!.first >= window.first && ranges[ranges.length - 1]!.last <= window.last)) return ranges;
  const out: DayRange[] = [];
  for (const range of ranges) {
    const first = Math.max(range.first, window.first) as Day;
    const last = Math.min(range.last, window.last) as Day;
    if (first <= last) out.push(first === range.first && last === range.last ? range : { first, last });
  }
  return out;
}

/** The days in both lists of ranges (both in normal form), as ranges: a walk of the two side by side. */
export function intersectRanges(a: readonly DayRange[], b: readonly DayRange[]): DayRange[] {
  const out: DayRange[] = [];
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    const first = Math.max(a[i]!.first, b[j]!.first) as Day;
    const last = Math.min(a[i]!.last, b[j]!.last) as Day;
    if (first <= last) out.push({ first, last });
    if (a[i]!.last < b[j]!.last) i++;
    else j++;
  }
  return out;
}

/**
 * Index bounds `[from, to)` of the days of sorted `days` inside `range`, searched from index
 * `start` on (ranges walked in order search forward only).
 */
function boundsOf(days: readonly Day[], range: DayRange, start: number): [number, number] {
  const from = firstAtOrAfter(days, range.first, start);
  return [from, firstAtOrAfter(days, range.last + 1, from)];
}

/** How many days of sorted `days` (a calendar) are inside the ranges. */
export function countWithin(days: readonly Day[], ranges: readonly DayRange[]): number {
  let n = 0;
  let at = 0;
  for (let r = 0; r < ranges.length; r++) {
    const [from, to] = boundsOf(days, ranges[r]!, at);
    n += to - from;
    at = to;
  }
  return n;
}

/** The days of sorted `days` (a calendar) inside the ranges; `days` itself when all are. */
export function daysWithin(days: readonly Day[], ranges: readonly DayRange[]): readonly Day[] {
  if (countWithin(days, ranges) === days.length) return days;
  const out: Day[] = [];
  let at = 0;
  for (let r = 0; r < ranges.length; r++) {
    const [from, to] = boundsOf(days, ranges[r]!, at);
    for (let i = from; i < to; i++) out.push(days[i]!);
    at = to;
  }
  return out;
}

/** The days of sorted `days` (a calendar) outside the ranges: the slices between them. */
export function daysOutside(days: readonly Day[], ranges: readonly DayRange[]): Day[] {
  const out: Day[] = [];
  let at = 0;
  for (let r = 0; r < ranges.length && at < days.length; r++) {
    const [from, to] = boundsOf(days, ranges[r]!, at);
    for (let i = at; i < from; i++) out.push(days[i]!);
    at = to;
  }
  for (let i = at; i < days.length; i++) out.push(days[i]!);
  return out;
}

/**
 * Ranges laid one over another in the given order, each hiding what it covers of those laid
 * before (the latest write of a day wins): the visible parts, sorted and disjoint, each cut
 * range keeping its other fields. Ranges that do not overlap (the common case) are only sorted.
 */
export function overlayRanges<T extends DayRange>(layers: readonly T[]): T[] {
  const sorted = [...layers].sort((a, b) => a.first - b.first);
  if (sorted.every((r, i) => i === 0 || r.first > sorted[i - 1]!.last)) return sorted;
  const visible: T[] = [];
  for (const layer of layers) {
    // visible[from..to) are the ranges the layer touches: their last at or after its first, their first at or before its last
    let from = 0;
    for (let high = visible.length; from < high; ) {
      const mid = (from + high) >>> 1;
      if (visible[mid]!.last < layer.first) from = mid + 1;
      else high = mid;
    }
    let to = from;
    while (to < visible.length && visible[to]!.first <= layer.last) to++;
    const pieces: T[] = [];
    const left = visible[from];
    if (to > from && left!.first < layer.first) pieces.push({ ...left!, last: (layer.first - 1) as Day });
    pieces.push(layer);
    const right = visible[to - 1];
    if (to > from && right!.last > layer.last) pieces.push({ ...right!, first: (layer.last + 1) as Day });
    visible.splice(from, to - from, ...pieces);
  }
  return visible;
}
