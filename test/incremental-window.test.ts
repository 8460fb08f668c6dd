/** The window a nightly run looks at: `--since`, `window.end: 'today' | 'yesterday'`, the pipeline's time zone, and `--start/--end` winning. */
import { describe, expect, it } from 'vitest';
import type { DagConfig, WindowEdge } from '../src/config/types.js';
import { resolveWindow } from '../src/run/session.js';
import { DagrunError } from '../src/core/errors.js';
import { dayOf, formatDay } from '../src/intervals/day.js';

function config(end: WindowEdge, timeZone = 'UTC'): DagConfig {
  return {
    file: '/p/dag.json5', dir: '/p', warehouse: { type: 'duckdb', path: '/p/w.duckdb' }, window: { start: dayOf('2021-10-19'), end, timeZone },
    calendar: { kind: 'every-day' }, concurrency: 1, groups: new Map(), targets: new Map(), history: { keepRuns: 50, maxBytes: 500e6 },
  };
}

const FIXED: WindowEdge = { kind: 'date', day: dayOf('2026-01-03') };
// 02:30 UTC on Jan 10 is still Jan 9 in New York
const NOW = new Date('2026-01-10T02:30:00Z');

function window(end: WindowEdge, options: { since?: string; start?: string; end?: string }, timeZone?: string): [string, string] {
  const w = resolveWindow(config(end, timeZone), options, NOW);
  return [formatDay(w.first), formatDay(w.last)];
}

describe('resolveWindow', () => {
  const cases: { name: string; end: WindowEdge; zone?: string; options: { since?: string; start?: string; end?: string }; expected: [string, string] }[] = [
    { name: 'dag.json5 alone', end: FIXED, options: {}, expected: ['2021-10-19', '2026-01-03'] },
    { name: "end: 'today' (UTC by default)", end: { kind: 'today' }, options: {}, expected: ['2021-10-19', '2026-01-10'] },
    { name: "end: 'today' in New York", end: { kind: 'today' }, zone: 'America/New_York', options: {}, expected: ['2021-10-19', '2026-01-09'] },
    { name: "end: 'yesterday'", end: { kind: 'yesterday' }, options: {}, expected: ['2021-10-19', '2026-01-09'] },
    { name: '--since 3d: the last 3 days, today included', end: FIXED, options: { since: '3d' }, expected: ['2026-01-08', '2026-01-10'] },
    { name: '--since 3d in New York', end: { kind: 'today' }, zone: 'America/New_York', options: { since: '3d' }, expected: ['2026-01-07', '2026-01-09'] },
    { name: "--since 3d with end: 'yesterday' stops at yesterday", end: { kind: 'yesterday' }, options: { since: '3d' }, expected: ['2026-01-07', '2026-01-09'] },
    { name: '--since 72h is 3 days', end: FIXED, options: { since: '72h' }, expected: ['2026-01-08', '2026-01-10'] },
    { name: '--since 1d is today', end: FIXED, options: { since: '1d' }, expected: ['2026-01-10', '2026-01-10'] },
    { name: '--start wins over --since', end: FIXED, options: { since: '3d', start: '2026-01-01' }, expected: ['2026-01-01', '2026-01-10'] },
    { name: '--start/--end win over everything', end: { kind: 'today' }, options: { since: '3d', start: '2025-01-01', end: '2025-01-31' }, expected: ['2025-01-01', '2025-01-31'] },
  ];
  for (const c of cases) {
    it(c.name, () => expect(window(c.end, c.options, c.zone)).toEqual(c.expected));
  }

  it('rejects bad --since values and windows that end before they start, as usage errors', () => {
    for (const since of ['0d', '1.5d', '36h', 'week', '-3d']) {
      expect(() => window(FIXED, { since }), since).toThrow(DagrunError);
    }
    expect(() => window(FIXED, { since: '3d', end: '2020-01-01' })).toThrow(/the window ends before it starts/);
    expect(() => window(FIXED, { start: '2026-02-30' })).toThrow(/--start: "2026-02-30" is not a real date/);
  });
});
