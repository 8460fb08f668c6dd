/** Range durations: kept from this run's events, read back from earlier run records as estimates. */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dayOf } from '../intervals/day.js';
import { estimateFrom, RangeDurations, rangeDurationsFromHistory } from './durations.js';
import type { RunEvent } from './events.js';

let stateDir: string;
beforeEach(() => {
  stateDir = mkdtempSync(path.join(tmpdir(), 'dagrun-durations-'));
});
afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

/** Writes a run record; `age` orders runs with the same id prefix (older: larger). */
function writeRun(runId: string, outcomes: unknown[], age = 0): void {
  const dir = path.join(stateDir, 'runs', runId);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ runId, outcomes }));
  const when = new Date(Date.now() - age * 1000);
  utimesSync(dir, when, when);
}

const ranges = (...ms: number[]) => ms.map((durationMs, i) => ({ range: `2024-01-0${i + 1}`, dates: 1, durationMs }));

describe('rangeDurationsFromHistory', () => {
  it('is the median of a target\'s recorded ranges across runs', () => {
    writeRun('20240102T000000Z-aaaa', [{ target: 'orders', status: 'done', ranges: ranges(100, 120) }, { target: 'users', status: 'done', ranges: ranges(10) }]);
    writeRun('20240101T000000Z-bbbb', [{ target: 'orders', status: 'done', ranges: ranges(5000) }]);
    expect(Object.fromEntries(rangeDurationsFromHistory(stateDir))).toEqual({ orders: 120, users: 10 });
  });

  it('knows nothing without runs, or from records that kept no ranges', () => {
    expect(rangeDurationsFromHistory(undefined).size).toBe(0);
    expect(rangeDurationsFromHistory(stateDir).size).toBe(0);
    writeRun('20240101T000000Z-aaaa', [{ target: 'orders', status: 'done', durationMs: 500, dates: 3 }]);
    expect(rangeDurationsFromHistory(stateDir).size).toBe(0);
  });

  it('skips malformed entries of a hand-edited record', () => {
    writeRun('20240101T000000Z-aaaa', [{ target: 'orders', status: 'done', ranges: [null, { durationMs: 'slow' }, { durationMs: -1 }, { durationMs: 40 }] }, { target: 'x', ranges: 'none' }]);
    expect(Object.fromEntries(rangeDurationsFromHistory(stateDir))).toEqual({ orders: 40 });
  });

  it('looks back at the newest runs only', () => {
    writeRun('20240103T000000Z-cccc', [{ target: 'orders', ranges: ranges(30) }]);
    writeRun('20240102T000000Z-bbbb', [{ target: 'orders', ranges: ranges(20) }]);
    writeRun('20240101T000000Z-aaaa', [{ target: 'users', ranges: ranges(10) }]);
    expect(Object.fromEntries(rangeDurationsFromHistory(stateDir, 2))).toEqual({ orders: 25 });
  });

  it('does not count runs that built nothing: a week of no-op nightly runs keeps the estimates', () => {
    writeRun('20240101T000000Z-aaaa', [{ target: 'orders', status: 'done', ranges: ranges(40) }]);
    for (let day = 2; day <= 9; day++) writeRun(`2024010${day}T000000Z-noop`, [{ target: 'orders', status: 'fresh' }]);
    expect(Object.fromEntries(rangeDurationsFromHistory(stateDir, 2))).toEqual({ orders: 40 });
  });
});

describe('estimateFrom', () => {
  it('is undefined without history, and gives a target without history the typical duration', () => {
    expect(estimateFrom(new Map())).toBeUndefined();
    const estimate = estimateFrom(new Map([['a', 10], ['b', 30], ['c', 1000]]))!;
    expect([estimate('a'), estimate('c'), estimate('new')]).toEqual([10, 1000, 30]);
  });
});

describe('RangeDurations', () => {
  it('keeps the successful ranges of each target and passes every event on', () => {
    const seen: RunEvent['type'][] = [];
    const durations = new RangeDurations({ handle: (e) => seen.push(e.type) }, undefined);
    const batch = { first: dayOf('2024-01-01'), last: dayOf('2024-01-03'), days: [dayOf('2024-01-01'), dayOf('2024-01-02'), dayOf('2024-01-03')] };
    const finished = (ok: boolean, durationMs: number): RunEvent => ({ type: 'range-finished', target: 'orders', index: 0, batch, attempt: 1, ok, durationMs, error: undefined, tail: undefined, logFile: undefined });
    durations.handle({ type: 'range-started', target: 'orders', index: 0, batch, attempt: 1 });
    durations.handle(finished(false, 5));
    durations.handle(finished(true, 12.4));
    expect(seen).toEqual(['range-started', 'range-finished', 'range-finished']);
    expect(durations.rangesOf('orders')).toEqual([{ range: '2024-01-01..2024-01-03', dates: 3, durationMs: 12 }]);
    expect(durations.rangesOf('users')).toBeUndefined();
    expect(durations.estimate).toBeUndefined();
  });
});
