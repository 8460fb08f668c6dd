/** Short human forms of day sets for reasons: "2024-01-03..2024-01-05, 2024-01-09 (+2 more ranges)". */
import type { Day } from './day.js';
import { rangesOfDays } from './day-ranges.js';
import { ascending, formatRange, rangesOverCalendar, type DayRange } from './interval.js';

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
  const ranges = dayRanges(days, calendar);
  const named = ranges.slice(0, RANGES_NAMED).map(formatRange).join(', ');
  const rest = ranges.length - RANGES_NAMED;
  return rest > 0 ? `${named} (+${rest} more range${rest === 1 ? '' : 's'})` : named;
}

/** "1 date" / "3 dates". */
export function countDates(n: number): string {
  return `${n} date${n === 1 ? '' : 's'}`;
}
