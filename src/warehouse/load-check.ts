/**
 * What is checked of the rows a command handed over, whatever the engine: every row dated,
 * within the dates handed over, and (unless allowed) every date handed over with rows.
 */
import type { Day } from '../intervals/day.js';
import { describeDays } from '../intervals/describe.js';
import type { LoadRequest } from './warehouse.js';

/** The key under which rows without a date are counted. */
export const UNDATED = -1 as Day;

/** The problems of rows counted per date (undated rows under UNDATED), in words; empty when none. */
export function loadProblems(request: LoadRequest, rowsByDay: ReadonlyMap<Day, number>): string[] {
  const undated = rowsByDay.get(UNDATED) ?? 0;
  const dated = [...rowsByDay.keys()].filter((d) => d !== UNDATED);
  const asked = new Set<number>(request.dates);
  const outside = dated.filter((d) => !asked.has(d)).sort((a, b) => a - b);
  const empty = request.allowEmptyDates ? [] : request.dates.filter((d) => !rowsByDay.has(d));
  const problems: string[] = [];
  if (undated > 0) problems.push(`${undated} row${undated === 1 ? ' has' : 's have'} no ${request.dateColumn}`);
  if (outside.length > 0) problems.push(`rows dated outside the dates handed over: ${describeDays(outside)}`);
  if (empty.length > 0) problems.push(`no rows for ${describeDays(empty)} (set build.allowEmptyDates if a date may have none)`);
  return problems;
}
