/** The compact write index answers as the records it was built from, however they were read. */
import { describe, expect, it } from 'vitest';
import { random } from '../../test/helpers/random.js';
import type { Day } from '../intervals/day.js';
import type { WriteGroup, WriteRecord } from '../warehouse/warehouse.js';
import {
  compactWrites,
  daysWrittenBefore,
  indexWriteGroups,
  indexWrites,
  latestWithin,
  NEVER,
  NO_TIMES,
  timeAt,
  timeRange,
  withFallback,
} from './write-times.js';

const record = (target: string, day: number, writtenAt: number, fingerprint = 'f1'): WriteRecord => ({ target, day: day as Day, writtenAt, fingerprint, runId: 'r' });

describe('indexWrites', () => {
  const records = [record('a', 10, 100), record('b', 12, 300, 'old'), record('a', 14, 200, 'f2'), record('b', 11, 50), record('a', 10, 150)];
  const index = indexWrites(records);

  it('keeps each target over its own span, the later record of a day winning', () => {
    const a = index.get('a')!;
    expect([a.first, a.times.length]).toEqual([10, 5]);
    expect([10, 11, 14, 15, 9].map((d) => timeAt(a, d as Day))).toEqual([150, NEVER, 200, NEVER, NEVER]);
    expect(timeAt(index.get('b')!, 12 as Day)).toBe(300);
  });

  it('reads the same from records, from groups and from a map by day', () => {
    const groups: WriteGroup[] = [
      { target: 'a', fingerprint: 'f1', days: [10 as Day], writtenAt: [150] },
      { target: 'a', fingerprint: 'f2', days: [14 as Day], writtenAt: [200] },
      { target: 'b', fingerprint: 'old', days: [12 as Day], writtenAt: [300] },
      { target: 'b', fingerprint: 'f1', days: [11 as Day], writtenAt: [50] },
    ];
    const fromGroups = indexWriteGroups(groups);
    const fromMap = compactWrites(new Map(records.filter((r) => r.target === 'a').map((r) => [r.day, r])));
    for (const a of [fromGroups.get('a')!, fromMap]) {
      expect([a.first, [...a.times]]).toEqual([index.get('a')!.first, [...index.get('a')!.times]]);
      expect(a.writtenUnderOther([10, 12, 14] as Day[], 'f1')).toEqual({ days: [14], before: ['f2'] });
    }
    expect(fromGroups.get('b')!.writtenUnderOther([11, 12] as Day[], 'f1')).toEqual({ days: [12], before: ['old'] });
  });

  it('finds no changed definition when every record has the current one, or when none is recorded', () => {
    const a = index.get('a')!;
    expect(a.writtenUnderOther([10] as Day[], 'f1')).toEqual({ days: [], before: [] });
    expect(a.writtenUnderOther([11, 99] as Day[], 'f9')).toEqual({ days: [], before: [] });
    expect(compactWrites(new Map()).writtenUnderOther([1] as Day[], 'f1')).toEqual({ days: [], before: [] });
  });

  it('timeRange spans the recorded times; empty spans nothing', () => {
    expect(timeRange(index.get('a')!)).toEqual({ earliest: 100, latest: 200 });
    expect(timeRange(NO_TIMES)).toEqual({ earliest: Number.POSITIVE_INFINITY, latest: NEVER });
  });
});

describe('daysWrittenBefore', () => {
  const times = (first: number, ...values: number[]) => ({ first: first as Day, times: Float64Array.from(values) });

  it('keeps the days whose own known time is earlier than the latest time read, and only those', () => {
    const own = times(10, 100, NEVER, 100, 100, 100);
    const latest = times(11, 150, 150, 100, 99);
    // day: 9 outside own, 10 outside latest, 11 own unknown, 12 later upstream, 13 same time, 14 earlier, 15 outside both
    expect(daysWrittenBefore([9, 10, 11, 12, 13, 14, 15] as Day[], own, latest)).toEqual([12]);
    expect(daysWrittenBefore([12] as Day[], own, NO_TIMES)).toEqual([]);
    expect(daysWrittenBefore([], own, latest)).toEqual([]);
  });

  it('agrees with a day-by-day comparison through timeAt on random spans', () => {
    const rand = random(7);
    for (let round = 0; round < 200; round++) {
      const span = () => times(Math.floor(rand() * 20), ...Array.from({ length: Math.floor(rand() * 30) }, () => (rand() < 0.2 ? NEVER : Math.floor(rand() * 10))));
      const [own, latest] = [span(), span()];
      const days = Array.from({ length: 50 }, (_, d) => d as Day).filter(() => rand() < 0.7);
      const naive = days.filter((d) => timeAt(own, d) !== NEVER && timeAt(latest, d) > timeAt(own, d));
      expect(daysWrittenBefore(days, own, latest)).toEqual(naive);
    }
  });
});

describe('withFallback', () => {
  it('takes the record where there is one and the fallback elsewhere, over both spans', () => {
    const recorded = indexWrites([record('a', 10, 100), record('a', 12, 120)]).get('a')!;
    const merged = withFallback(recorded, new Map([[8 as Day, 80], [10 as Day, 999], [11 as Day, 110]]));
    expect([8, 9, 10, 11, 12].map((d) => timeAt(merged, d as Day))).toEqual([80, NEVER, 100, 110, 120]);
    expect(timeRange(merged)).toEqual({ earliest: 80, latest: 120 });
    expect(timeAt(withFallback(NO_TIMES, new Map([[5 as Day, 1]])), 5 as Day)).toBe(1);
  });
});

describe('latestWithin', () => {
  it('is the latest time over day-lookback..day, past the end of the span too', () => {
    const rand = random(7);
    for (let round = 0; round < 200; round++) {
      const times = Float64Array.from({ length: Math.floor(rand() * 40) }, () => (rand() < 0.3 ? NEVER : Math.floor(rand() * 1000)));
      const source = { first: 500 as Day, times };
      const lookback = Math.floor(rand() * 12);
      const latest = latestWithin(source, lookback);
      for (let day = 495; day < 500 + times.length + lookback + 5; day++) {
        let naive = NEVER;
        for (let d = day - lookback; d <= day; d++) naive = Math.max(naive, timeAt(source, d as Day));
        expect(timeAt(latest, day as Day)).toBe(naive);
      }
    }
  });
});
