/** The `--status` view of a build's live state: the selection, the exit code and the "what runs" line. */
import { describe, expect, it } from 'vitest';
import type { Freshness } from '../freshness/assess.js';
import { dayOf } from '../intervals/day.js';
import type { LiveRange, LiveView } from '../state/live-file.js';
import { describeRunning, liveExitCode, selectLive } from './status-live.js';

const NOW = new Date('2024-01-07T10:00:10Z');
const row = (name: string, state: Freshness['state']) => ({ freshness: { name, state } as Freshness, expected: [] });
const range = (target: string, first: string, since: string, waitingFor?: string): LiveRange => ({
  target, first: dayOf(first), last: dayOf(first), dates: 1, attempt: 1, since: `2024-01-07T10:00:${since}Z`, waitingFor,
});
const view = (running: LiveRange[]): LiveView => ({
  runId: 'r1', pid: 1, host: 'h', commandLine: 'dagrun', startedAt: NOW.toISOString(), asOf: NOW.toISOString(),
  window: { first: dayOf('2024-01-01'), last: dayOf('2024-01-06') }, rangesDone: 0, rangesPlanned: 9,
  targets: new Map([['a', row('a', 'fresh')], ['b', row('b', 'stale')]]), running,
});

describe('selectLive and liveExitCode', () => {
  it('keeps the selection order; a selected target the build does not know is listed apart and is not fresh', () => {
    const v = view([]);
    expect(selectLive(v, ['a']).rows.map((r) => r.name)).toEqual(['a']);
    expect(liveExitCode(selectLive(v, ['a']))).toBe(0);
    expect(liveExitCode(selectLive(v, ['a', 'b']))).toBe(1);
    const outside = selectLive(v, ['a', 'c']);
    expect(outside.notInBuild).toEqual(['c']);
    expect(liveExitCode(outside)).toBe(1);
  });
});

describe('describeRunning', () => {
  it('names the first two ranges per target and counts the rest; queued ranges say what they wait for', () => {
    const line = describeRunning(
      view([
        range('a', '2024-01-01', '07'), range('a', '2024-01-02', '08'), range('a', '2024-01-03', '09'), range('a', '2024-01-04', '09'),
        range('b', '2024-01-01', '05', 'the warehouse'),
      ]),
      NOW,
    );
    expect(line).toBe('Running: a 2024-01-01 (for 3.0s), 2024-01-02 (for 2.0s) +2 more. Queued: b 2024-01-01 (waiting for the warehouse)');
  });

  it('says when nothing runs', () => {
    expect(describeRunning(view([]), NOW)).toBe('Running: nothing at this moment (measuring, or between ranges)');
  });
});
