/** `dagrun runs`: wall time rather than build time, no-op runs folded, part-built targets named. */
import { describe, expect, it } from 'vitest';
import type { FoundRunRecord } from '../state/run-record.js';
import { counts, groupNoOps, renderRunList, wallTime } from './run-list.js';

const strip = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');
let n = 0;
const run = (over: Partial<FoundRunRecord>): FoundRunRecord => ({
  runId: `r${++n}`, dir: `/x/r${n}`, startedAt: '2024-02-01T12:00:00.000Z', finished: true, ok: true, interrupted: false, durationMs: 2, outcomes: [], commandLine: 'dagrun', ...over,
});

describe('wallTime', () => {
  it('prefers the recorded wall time, then the record file written at the end, then the build time', () => {
    expect(wallTime(run({ wallMs: 3400, durationMs: 2 }))).toBe(3400);
    expect(wallTime(run({ durationMs: 2 }), Date.parse('2024-02-01T12:00:02.500Z'))).toBe(2500);
    // a file written long after (copied, touched) or before the start says nothing
    expect(wallTime(run({ durationMs: 2 }), Date.parse('2025-02-01T12:00:00Z'))).toBe(2);
    expect(wallTime(run({ durationMs: 2 }), Date.parse('2024-01-01T12:00:00Z'))).toBe(2);
    expect(wallTime(run({ durationMs: 2, finished: false }), Date.parse('2024-02-01T12:00:02.500Z'))).toBe(2);
  });
});

describe('counts', () => {
  it('names targets an interrupted run left part-built, and calls the rest not started', () => {
    const interrupted = run({
      ok: false, interrupted: true,
      outcomes: [
        { target: 't', status: 'done', batches: 1, batchesDone: 1 },
        { target: 'u', status: 'active', batches: 10, batchesDone: 4 },
        { target: 'g', status: 'gating', batches: 2, batchesDone: 2 },
        { target: 'v', status: 'skipped', batches: 3, batchesDone: 0 },
        { target: 'w', status: 'skipped', batches: 1, batchesDone: 0 },
      ],
    });
    expect(strip(counts(interrupted))).toBe('1 built, u: 4 of 10 ranges, g: built, not measured, 2 not started');
    expect(strip(counts(run({ ok: false, outcomes: [{ target: 'x', status: 'failed' }, { target: 'y', status: 'skipped' }] })))).toBe('0 built, 1 failed, 1 skipped');
  });
});

describe('a run still going', () => {
  it('shows how long it has been going', () => {
    const going = run({ finished: false, pid: process.pid, durationMs: undefined, startedAt: '2024-02-01T12:00:00.000Z' });
    expect(strip(renderRunList([going], () => undefined, Date.parse('2024-02-01T12:01:05Z')))).toMatch(/1m 05s so far\s+running/);
  });
});

describe('the run list', () => {
  it('folds consecutive no-op runs into one line with their wall times, and keeps real runs apart', () => {
    const runs = [
      run({ wallMs: 2100 }), run({ wallMs: 3900 }), run({ wallMs: 2500 }),
      run({ wallMs: 61_000, durationMs: 58_000, outcomes: [{ target: 't', status: 'done' }] }),
      run({ wallMs: 2000 }),
    ];
    expect(groupNoOps(runs).map((e) => (Array.isArray(e) ? e.length : 1))).toEqual([3, 1, 1]);
    const lines = strip(renderRunList(runs)).split('\n');
    expect(lines.find((l) => l.includes('3 no-op runs'))).toMatch(/… 3 no-op runs\s+2024-02-01 12:00:00 … 2024-02-01 12:00:00\s+2\.1s–3\.9s each\s+ok\s+nothing to do/);
    expect(lines.find((l) => l.includes('1 built'))).toMatch(/1m 01s\s+ok\s+1 built/);
    // a lone no-op run stays a line of its own
    expect(lines.some((l) => /^r\d+\s.*2\.0s\s+ok\s+nothing to do/.test(l))).toBe(true);
  });
});
