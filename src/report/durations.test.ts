/** Range durations: kept from this run's events, read back from earlier run records as estimates. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dayOf } from '../intervals/day.js';
import { recordRangeDurations } from '../state/durations-file.js';
import { durationsFile } from '../state/paths.js';
import { estimateFrom, RangeDurations, rangeDurationsFromHistory } from './durations.js';
import type { RunEvent } from '../executor/events.js';

let stateDir: string;
beforeEach(() => {
  stateDir = mkdtempSync(path.join(tmpdir(), 'dagrun-durations-'));
});
afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

const ranges = (...ms: number[]) => ms.map((durationMs, i) => ({ range: `2024-01-0${i + 1}`, dates: 1, durationMs }));

describe('rangeDurationsFromHistory and recordRangeDurations', () => {
  it('estimates each target by the median of its latest ranges, across runs, newest first', () => {
    recordRangeDurations(stateDir, new Map([['orders', ranges(5000)]]));
    recordRangeDurations(stateDir, new Map([['orders', ranges(100, 120)], ['users', ranges(10)]]));
    expect(Object.fromEntries(rangeDurationsFromHistory(stateDir))).toEqual({ orders: 120, users: 10 });
    expect(JSON.parse(readFileSync(durationsFile(stateDir), 'utf8'))).toEqual({ orders: [120, 100, 5000], users: [10] });
  });

  it('keeps the latest 25 ranges of a target', () => {
    recordRangeDurations(stateDir, new Map([['orders', ranges(...Array.from({ length: 20 }, () => 1000))]]));
    recordRangeDurations(stateDir, new Map([['orders', ranges(...Array.from({ length: 20 }, () => 10))]]));
    const kept = JSON.parse(readFileSync(durationsFile(stateDir), 'utf8')) as { orders: number[] };
    expect(kept.orders).toHaveLength(25);
    expect(rangeDurationsFromHistory(stateDir).get('orders')).toBe(10);
  });

  it('knows nothing without a state folder, without history, or from a run that built nothing', () => {
    expect(rangeDurationsFromHistory(undefined).size).toBe(0);
    expect(rangeDurationsFromHistory(stateDir).size).toBe(0);
    recordRangeDurations(stateDir, new Map());
    expect(existsSync(durationsFile(stateDir))).toBe(false);
  });

  it('reads the well-formed entries of a hand-edited or damaged file', () => {
    writeFileSync(durationsFile(stateDir), JSON.stringify({ orders: [null, 'slow', -1, 40], x: 'none' }));
    expect(Object.fromEntries(rangeDurationsFromHistory(stateDir))).toEqual({ orders: 40 });
    writeFileSync(durationsFile(stateDir), '{ not json');
    expect(rangeDurationsFromHistory(stateDir).size).toBe(0);
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
    const durations = new RangeDurations({ handle: (e) => seen.push(e.type) });
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

  it('plans with the kept durations and adds its own to them when saved', () => {
    recordRangeDurations(stateDir, new Map([['orders', ranges(300)], ['users', ranges(100)]]));
    const durations = RangeDurations.fromHistory(stateDir, { handle: () => undefined });
    expect([durations.estimate?.('orders'), durations.estimate?.('new')]).toEqual([300, 200]);
    const batch = { first: dayOf('2024-01-01'), last: dayOf('2024-01-01'), days: [dayOf('2024-01-01')] };
    durations.handle({ type: 'range-finished', target: 'orders', index: 0, batch, attempt: 1, ok: true, durationMs: 50, error: undefined, tail: undefined, logFile: undefined });
    durations.save(stateDir);
    expect(JSON.parse(readFileSync(durationsFile(stateDir), 'utf8'))).toEqual({ orders: [50, 300], users: [100] });
  });
});
