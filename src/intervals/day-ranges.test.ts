/**
 * Day sets as range lists: truth tables for the edges, then agreement with the plain
 * Set definitions on random sets and calendars.
 */
import { describe, expect, it } from 'vitest';
import { random } from '../../test/helpers/random.js';
import { computeCoverage, matchRanges, PresentExpected } from './coverage.js';
import { dayOf, formatDay, type Day } from './day.js';
import {
  clipRanges,
  countDays,
  countWithin,
  daysOfRanges,
  daysOutside,
  daysWithin,
  intersectRanges,
  normalizeRanges,
  overlayRanges,
  rangesOfDays,
} from './day-ranges.js';
import type { DayRange } from './interval.js';

const r = (first: number, last: number): DayRange => ({ first: first as Day, last: last as Day });
const days = (...list: number[]) => list as Day[];

describe('rangesOfDays and daysOfRanges', () => {
  const cases: { name: string; days: Day[]; ranges: DayRange[] }[] = [
    { name: 'nothing', days: [], ranges: [] },
    { name: 'one day', days: days(5), ranges: [r(5, 5)] },
    { name: 'a run', days: days(5, 6, 7), ranges: [r(5, 7)] },
    { name: 'a gap of one day splits', days: days(5, 6, 8, 9, 20), ranges: [r(5, 6), r(8, 9), r(20, 20)] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(rangesOfDays(c.days)).toEqual(c.ranges);
      expect(daysOfRanges(c.ranges)).toEqual(c.days);
      expect(countDays(c.ranges)).toBe(c.days.length);
    });
  }
});

describe('normalizeRanges', () => {
  it('keeps a list in normal form as it is', () => {
    const ranges = [r(1, 2), r(4, 4)];
    expect(normalizeRanges(ranges)).toBe(ranges);
  });
  it('sorts, and merges ranges that overlap or touch', () => {
    expect(normalizeRanges([r(10, 12), r(1, 3), r(4, 5), r(11, 20), r(30, 30)])).toEqual([r(1, 5), r(10, 20), r(30, 30)]);
  });
});

describe('clipRanges', () => {
  it('keeps the parts inside the window, and the list itself when all of it is', () => {
    const ranges = [r(1, 5), r(8, 9), r(12, 20)];
    expect(clipRanges(ranges, r(3, 13))).toEqual([r(3, 5), r(8, 9), r(12, 13)]);
    expect(clipRanges(ranges, r(0, 30))).toBe(ranges);
    expect(clipRanges(ranges, r(6, 7))).toEqual([]);
  });
});

describe('meeting a calendar', () => {
  // game days with gaps between games and an off-season
  const calendar = ['2024-01-01', '2024-01-03', '2024-01-04', '2024-01-07', '2024-06-01'].map(dayOf);
  const present = [r(dayOf('2024-01-02'), dayOf('2024-01-04')), r(dayOf('2024-05-01'), dayOf('2024-06-30'))];

  it('counts, keeps and leaves out the calendar days inside the ranges', () => {
    expect(countWithin(calendar, present)).toBe(3);
    expect(daysWithin(calendar, present).map(formatDay)).toEqual(['2024-01-03', '2024-01-04', '2024-06-01']);
    expect(daysOutside(calendar, present).map(formatDay)).toEqual(['2024-01-01', '2024-01-07']);
  });

  it('gives the calendar itself back when the ranges hold all of it', () => {
    expect(daysWithin(calendar, [r(0, 100_000)])).toBe(calendar);
    expect(daysOutside(calendar, [r(0, 100_000)])).toEqual([]);
  });

  it('PresentExpected: the calendar days present, and those inside other ranges', () => {
    const days = new PresentExpected(calendar, present);
    expect(days.days().map(formatDay)).toEqual(['2024-01-03', '2024-01-04', '2024-06-01']);
    expect(days.within([r(dayOf('2024-01-04'), dayOf('2024-06-01'))]).map(formatDay)).toEqual(['2024-01-04', '2024-06-01']);
    expect(days.within([])).toEqual([]);
  });

  it('matchRanges: coverage as computeCoverage gives it', () => {
    const coverage = matchRanges(calendar, present);
    expect(coverage).toEqual({ expected: 5, present: 3, missing: [calendar[0], calendar[3]], ratio: 0.6 });
    expect(matchRanges([], present).ratio).toBe(1);
  });
});

describe('overlayRanges', () => {
  const layer = (first: number, last: number, id: string) => ({ first: first as Day, last: last as Day, id });

  it('sorts ranges that do not overlap, and cuts the earlier ones where a later one lies', () => {
    expect(overlayRanges([layer(5, 6, 'b'), layer(1, 2, 'a')])).toEqual([layer(1, 2, 'a'), layer(5, 6, 'b')]);
    expect(overlayRanges([layer(1, 10, 'a'), layer(4, 5, 'b'), layer(5, 12, 'c'), layer(0, 1, 'd')])).toEqual([
      layer(0, 1, 'd'), layer(2, 3, 'a'), layer(4, 4, 'b'), layer(5, 12, 'c'),
    ]);
  });

  it('agrees with painting day by day on random layers', () => {
    const rand = random(23);
    for (let round = 0; round < 300; round++) {
      const layers = Array.from({ length: Math.floor(rand() * 8) }, (_, i) => {
        const first = Math.floor(rand() * 30);
        return layer(first, first + Math.floor(rand() * 10), `l${i}`);
      });
      const painted = new Map<number, string>();
      for (const l of layers) for (let d = l.first; d <= l.last; d++) painted.set(d, l.id);
      const visible = overlayRanges(layers);
      const days = visible.flatMap((v) => Array.from({ length: v.last - v.first + 1 }, (_, i) => [v.first + i, v.id] as const));
      expect(days).toEqual([...painted].sort((a, b) => a[0] - b[0]));
    }
  });
});

describe('range lists agree with their set definitions on random sets', () => {
  /** A random sorted subset of 19000..19000+span, each day kept with probability `density`. */
  const subset = (rand: () => number, span: number, density: number): Day[] => {
    const out: Day[] = [];
    for (let d = 19_000; d < 19_000 + span; d++) if (rand() < density) out.push(d as Day);
    return out;
  };

  it('intersect, count, within, outside, clip and coverage', () => {
    const rand = random(19);
    for (let round = 0; round < 300; round++) {
      const [span, density] = [Math.floor(rand() * 80), rand()];
      const a = subset(rand, span, density);
      const b = subset(rand, span, rand());
      const calendar = subset(rand, span, rand());
      const [ra, rb] = [rangesOfDays(a), rangesOfDays(b)];
      const inB = new Set<number>(b);
      expect(daysOfRanges(intersectRanges(ra, rb))).toEqual(a.filter((d) => inB.has(d)));
      const inA = new Set<number>(a);
      expect(countWithin(calendar, ra)).toBe(calendar.filter((d) => inA.has(d)).length);
      expect([...daysWithin(calendar, ra)]).toEqual(calendar.filter((d) => inA.has(d)));
      expect(daysOutside(calendar, ra)).toEqual(calendar.filter((d) => !inA.has(d)));
      const window = r(19_000 + Math.floor(rand() * span), 19_000 + Math.floor(rand() * span));
      expect(daysOfRanges(clipRanges(ra, window))).toEqual(a.filter((d) => d >= window.first && d <= window.last));
      expect(matchRanges(calendar, ra)).toEqual(computeCoverage(calendar, inA));
      // cut into pieces in any order, the ranges normalise back to the same list
      const pieces = ra.flatMap((x) => (x.last > x.first && rand() < 0.5 ? [r(x.first + 1, x.last), r(x.first, x.first)] : [x]));
      expect(normalizeRanges(pieces.sort(() => rand() - 0.5))).toEqual(ra);
    }
  });
});
