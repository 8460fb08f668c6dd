/**
 * The compact write index answers as the records it was built from, however they were read;
 * its run-list walks agree with day-by-day definitions on random inputs.
 */
import { describe, expect, it } from 'vitest';
import { random } from '../../test/helpers/random.js';
import type { Day } from '../intervals/day.js';
import { daysOfRanges } from '../intervals/day-ranges.js';
import type { TimedRange, WriteRange, WriteRecord } from '../warehouse/warehouse.js';
import {
  compactWrites,
  indexWriteRanges,
  indexWrites,
  latestWithin,
  NEVER,
  NO_TIMES,
  rangesWrittenBefore,
  timeAt,
  timeRange,
  withFallback,
  type DayTimes,
} from './write-times.js';

const record = (target: string, day: number, writtenAt: number, fingerprint = 'f1'): WriteRecord => ({ target, day: day as Day, writtenAt, fingerprint, runId: 'r' });
const range = (target: string, first: number, last: number, writtenAt: number, fingerprint = 'f1'): WriteRange => ({
  target, first: first as Day, last: last as Day, writtenAt, fingerprint, runId: 'r',
});

/** Times given day by day from `first` on (NEVER: no write), as runs of equal times. */
function timesOf(first: number, values: readonly number[]): DayTimes {
  const runs: TimedRange[] = [];
  values.forEach((at, i) => {
    const day = (first + i) as Day;
    const previous = runs[runs.length - 1];
    if (at === NEVER) return;
    if (previous && previous.last === day - 1 && previous.at === at) runs[runs.length - 1] = { ...previous, last: day };
    else runs.push({ first: day, last: day, at });
  });
  return { firsts: Int32Array.from(runs.map((r) => r.first)), lasts: Int32Array.from(runs.map((r) => r.last)), times: Float64Array.from(runs.map((r) => r.at)) };
}

/** The time of each day of first..last. */
const timesFrom = (times: DayTimes, first: number, last: number) => Array.from({ length: last - first + 1 }, (_, i) => timeAt(times, (first + i) as Day));

describe('indexWrites', () => {
  const records = [record('a', 10, 100), record('b', 12, 300, 'old'), record('a', 14, 200, 'f2'), record('b', 11, 50), record('a', 10, 150)];
  const index = indexWrites(records);

  it('keeps each target its own runs, the later record of a day winning', () => {
    const a = index.get('a')!;
    expect([[...a.firsts], [...a.lasts]]).toEqual([[10, 14], [10, 14]]);
    expect([10, 11, 14, 15, 9].map((d) => timeAt(a, d as Day))).toEqual([150, NEVER, 200, NEVER, NEVER]);
    expect(timeAt(index.get('b')!, 12 as Day)).toBe(300);
  });

  it('reads the same from records, from ranges and from a map by day', () => {
    const ranges = [range('a', 10, 10, 150), range('a', 14, 14, 200, 'f2'), range('b', 11, 11, 50), range('b', 12, 12, 300, 'old')];
    const fromRanges = indexWriteRanges(ranges);
    const fromMap = compactWrites(new Map(records.filter((r) => r.target === 'a').map((r) => [r.day, r])));
    for (const a of [fromRanges.get('a')!, fromMap]) {
      expect(timesFrom(a, 8, 16)).toEqual(timesFrom(index.get('a')!, 8, 16));
      expect(a.writtenUnderOther('f1')).toEqual([{ range: { first: 14, last: 14 }, fingerprint: 'f2' }]);
    }
    expect(fromRanges.get('b')!.writtenUnderOther('f1')).toEqual([{ range: { first: 12, last: 12 }, fingerprint: 'old' }]);
  });

  it('finds no changed definition when every record has the current one, or when none is recorded', () => {
    expect(indexWrites([record('c', 10, 1), record('c', 11, 2)]).get('c')!.writtenUnderOther('f1')).toEqual([]);
    expect(compactWrites(new Map()).writtenUnderOther('f1')).toEqual([]);
  });

  it('merges consecutive days written at one time under one definition into one run', () => {
    const c = indexWrites([10, 11, 12, 14].map((d) => record('c', d, 7)).concat([record('c', 13, 7, 'f2')])).get('c')!;
    expect([[...c.firsts], [...c.lasts]]).toEqual([[10, 13, 14], [12, 13, 14]]);
  });

  it('timeRange spans the recorded times; empty spans nothing', () => {
    // day 10's record of 100 was replaced by 150 (the per-day index once kept its time in the span)
    expect(timeRange(index.get('a')!)).toEqual({ earliest: 150, latest: 200 });
    expect(timeRange(NO_TIMES)).toEqual({ earliest: Number.POSITIVE_INFINITY, latest: NEVER });
  });
});

describe('indexWriteRanges', () => {
  it('puts a target\'s ranges in day order, and tells unfinished days and the runs that left them', () => {
    const marks = { target: 'a', first: 20 as Day, last: 21 as Day, writtenAt: 5, fingerprint: '', runId: 'r9' };
    const a = indexWriteRanges([range('a', 30, 31, 3), marks, range('a', 10, 15, 1)]).get('a')!;
    expect(timesFrom(a, 9, 32)).toEqual([NEVER, ...Array(6).fill(1), ...Array(4).fill(NEVER), 5, 5, ...Array(8).fill(NEVER), 3, 3, NEVER]);
    expect(a.unfinished()).toEqual([{ first: 20, last: 21 }]);
    expect(a.unfinishedRuns).toEqual(['r9']);
    expect(a.writtenUnderOther('f1')).toEqual([]);
  });
});

describe('rangesWrittenBefore', () => {
  it('keeps the days whose own known time is earlier than the latest time read, and only those', () => {
    const own = timesOf(10, [100, NEVER, 100, 100, 100]);
    const latest = timesOf(11, [150, 150, 100, 99]);
    // day: 9 outside own, 10 outside latest, 11 own unknown, 12 later upstream, 13 same time, 14 earlier, 15 outside both
    expect(daysOfRanges(rangesWrittenBefore(own, latest))).toEqual([12]);
    expect(rangesWrittenBefore(own, NO_TIMES)).toEqual([]);
  });

  it('agrees with a day-by-day comparison through timeAt on random spans', () => {
    const rand = random(7);
    for (let round = 0; round < 200; round++) {
      const span = () => timesOf(Math.floor(rand() * 20), Array.from({ length: Math.floor(rand() * 30) }, () => (rand() < 0.2 ? NEVER : Math.floor(rand() * 4))));
      const [own, latest] = [span(), span()];
      const naive = Array.from({ length: 60 }, (_, d) => d as Day).filter((d) => timeAt(own, d) !== NEVER && timeAt(latest, d) > timeAt(own, d));
      expect(daysOfRanges(rangesWrittenBefore(own, latest))).toEqual(naive);
    }
  });
});

describe('withFallback', () => {
  it('takes the record where there is one and the fallback elsewhere, over both spans', () => {
    const recorded = indexWrites([record('a', 10, 100), record('a', 12, 120)]).get('a')!;
    const merged = withFallback(recorded, [{ first: 8 as Day, last: 8 as Day, at: 80 }, { first: 10 as Day, last: 10 as Day, at: 999 }, { first: 11 as Day, last: 11 as Day, at: 110 }]);
    expect(timesFrom(merged, 8, 12)).toEqual([80, NEVER, 100, 110, 120]);
    expect(timeRange(merged)).toEqual({ earliest: 80, latest: 120 });
    expect(timeAt(withFallback(NO_TIMES, [{ first: 5 as Day, last: 5 as Day, at: 1 }]), 5 as Day)).toBe(1);
  });

  it('agrees with a day-by-day definition on random runs', () => {
    const rand = random(11);
    for (let round = 0; round < 200; round++) {
      const values = () => Array.from({ length: Math.floor(rand() * 30) }, () => (rand() < 0.3 ? NEVER : Math.floor(rand() * 3)));
      const recorded = timesOf(Math.floor(rand() * 10), values());
      const fallback = timesOf(Math.floor(rand() * 10), values());
      const runs: TimedRange[] = Array.from(fallback.firsts, (first, i) => ({ first: first as Day, last: fallback.lasts[i]! as Day, at: fallback.times[i]! }));
      const merged = withFallback(recorded, runs);
      expect(timesFrom(merged, 0, 45)).toEqual(timesFrom(recorded, 0, 45).map((t, d) => (t !== NEVER ? t : timeAt(fallback, d as Day))));
      expect(Array.from(merged.firsts).every((f, i) => i === 0 || f > merged.lasts[i - 1]!)).toBe(true);
    }
  });
});

describe('latestWithin', () => {
  it('is the latest time over day-lookback..day, past the end of the span too', () => {
    const rand = random(7);
    for (let round = 0; round < 200; round++) {
      const values = Array.from({ length: Math.floor(rand() * 40) }, () => (rand() < 0.3 ? NEVER : Math.floor(rand() * (rand() < 0.5 ? 3 : 1000))));
      const source = timesOf(500, values);
      const lookback = Math.floor(rand() * 12);
      const latest = latestWithin(source, lookback);
      for (let day = 495; day < 500 + values.length + lookback + 5; day++) {
        let naive = NEVER;
        for (let d = day - lookback; d <= day; d++) naive = Math.max(naive, timeAt(source, d as Day));
        expect(timeAt(latest, day as Day)).toBe(naive);
      }
    }
  });
});
