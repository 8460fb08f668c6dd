/** A per-date check's rows as an outcome, whatever the engine that returned them. */
import type { Day } from '../intervals/day.js';
import type { CheckOutcome } from './warehouse.js';

/** Rows read as (day, value); a row whose day cannot be read (undefined) makes the outcome an error. */
export function perDateOutcome(rows: Iterable<readonly [Day | undefined, number | null]>): CheckOutcome {
  const byDay = new Map<Day, number | null>();
  for (const [day, value] of rows) {
    if (day === undefined) return { ok: false, error: 'a perDate check must return rows of (date, value)' };
    byDay.set(day, value);
  }
  const days = [...byDay.keys()].sort((a, b) => a - b);
  return { ok: true, value: null, perDay: { days, values: days.map((d) => byDay.get(d)!) } };
}
