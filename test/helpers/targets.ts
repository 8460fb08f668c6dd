/** A validated `Target` for in-memory tests: a SQL target on an every-day calendar, threshold 1. */
import { unionDays } from './day-lists.js';
import type { Dependency, Target } from '../../src/config/types.js';
import type { Day } from '../../src/intervals/day.js';
import { countDays, rangesOfDays } from '../../src/intervals/day-ranges.js';
import { type DayRange } from '../../src/intervals/interval.js';

/** Builds a target named `name` reading `deps` (names are same-date dependencies); `extra` overrides any field. */
export function testTarget(name: string, deps: (string | Dependency)[] = [], extra: Partial<Target> = {}): Target {
  return {
    name, file: `/p/targets/${name}.json5`, table: `s.${name}`, group: undefined, threshold: 1, dateColumn: 'd',
    deps: deps.map((dep) => (typeof dep === 'string' ? { target: dep, lookback: 0 } : dep)),
    calendar: { kind: 'every-day' }, source: false, onChange: 'rebuild', checks: [],
    build: { action: { kind: 'sql', file: `/p/targets/${name}.sql`, sql: 'SELECT 1' }, ranges: 'contiguous', maxDays: undefined, parallel: 1, timeoutMs: undefined, retries: 0, retryBackoffMs: 0, env: {}, cwd: '/p' },
    ...extra,
  };
}

/** A step's day fields (`ranges`, `dates`) from a list of days in any order, duplicates allowed. */
export function plannedDays(days: readonly Day[]): { ranges: DayRange[]; dates: number } {
  const ranges = rangesOfDays(unionDays(days));
  return { ranges, dates: countDays(ranges) };
}
