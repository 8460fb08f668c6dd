/** Short human forms of day sets for reasons: "2024-01-03..2024-01-05, 2024-01-09 (+2 more ranges)". */
import type { Day } from '../intervals/day.js';
import { formatRange, runsOverCalendar, type DayRange } from '../intervals/interval.js';

/** How many ranges a reason names before it says "+N more". */
const RANGES_NAMED = 4;

/** Runs of consecutive day numbers (for days with no calendar to run over). */
function consecutiveRuns(days: readonly Day[]): Day[][] {
  const runs: Day[][] = [];
  for (const day of days) {
    const last = runs[runs.length - 1];
    if (last && day === last[last.length - 1]! + 1) last.push(day);
    else runs.push([day]);
  }
  return runs;
}

/**
 * Sorted `days` as inclusive ranges: runs over `calendar` when given (days between two
 * games do not break a range), else runs of consecutive days.
 */
export function dayRanges(days: readonly Day[], calendar?: readonly Day[]): DayRange[] {
  const sorted = [...days].sort((a, b) => a - b);
  const runs = calendar ? runsOverCalendar(sorted, calendar) : consecutiveRuns(sorted);
  return runs.map((run) => ({ first: run[0]!, last: run[run.length - 1]! }));
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
