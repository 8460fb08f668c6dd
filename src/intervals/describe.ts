/** Short human forms of day sets for reasons: "2024-01-03..2024-01-05, 2024-01-09 (+2 more ranges)". */
import type { Day } from './day.js';
import { rangesOfDays } from './day-ranges.js';
import { ascending, firstAtOrAfter, formatRange, rangesOverCalendar, type DayRange } from './interval.js';

/** How many ranges a reason names before it says "+N more". */
const RANGES_NAMED = 4;

/**
 * Sorted `days` as inclusive ranges: runs over `calendar` when given (days between two
 * games do not break a range), else runs of consecutive days.
 */
export function dayRanges(days: readonly Day[], calendar?: readonly Day[]): DayRange[] {
  const sorted = ascending(days) ? days : [...days].sort((a, b) => a - b);
  return calendar ? rangesOverCalendar(sorted, calendar) : rangesOfDays(sorted);
}

/** The ranges of `days`, the first few named and the rest counted. */
export function describeDays(days: readonly Day[], calendar?: readonly Day[]): string {
  return nameSome(dayRanges(days, calendar).map(formatRange));
}

/** The first few of `named`, and how many more. */
function nameSome(named: readonly string[], count = named.length): string {
  const rest = count - RANGES_NAMED;
  const shown = named.slice(0, RANGES_NAMED).join(', ');
  return rest > 0 ? `${shown} (+${rest} more range${rest === 1 ? '' : 's'})` : shown;
}

/**
 * A day set given as ranges of consecutive days (normal form), described as `describeDays`
 * does: with `calendar`, ranges with no calendar day between them read as one. Only the named
 * ranges are built; the rest are counted.
 */
export function describeRanges(ranges: readonly DayRange[], calendar?: readonly Day[]): string {
  const named: string[] = [];
  let count = 0;
  let first: Day | undefined;
  let last = 0 as Day;
  let pastLast = 0;
  for (let r = 0; r < ranges.length; r++) {
    const range = ranges[r]!;
    if (first !== undefined && calendar) {
      // no calendar day between the run so far and this range: it goes on
      pastLast = firstAtOrAfter(calendar, last + 1, pastLast);
      if (!(pastLast < calendar.length && calendar[pastLast]! < range.first)) {
        last = range.last;
        continue;
      }
    }
    if (first !== undefined && count++ < RANGES_NAMED) named.push(formatRange({ first, last }));
    first = range.first;
    last = range.last;
  }
  if (first !== undefined && count++ < RANGES_NAMED) named.push(formatRange({ first, last }));
  return nameSome(named, count);
}

/** "1 date" / "3 dates". */
export function countDates(n: number): string {
  return `${n} date${n === 1 ? '' : 's'}`;
}
