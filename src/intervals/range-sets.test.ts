/**
 * The plan's day sets as ranges agree with the list definitions they replace, on random
 * calendars (dense, scattered, with seasons) and random sets of their days: batching in every
 * mode and `maxDays`, the days a lookback reads, unions, inclusion, counting and describing.
 */
import { batchDays, daysReading, includesAll, unionDays } from '../../test/helpers/day-lists.js';
import { describe, expect, it } from 'vitest';
import { random } from '../../test/helpers/random.js';
import { batchRanges } from './batches.js';

import type { Day } from './day.js';
import { countWithin, daysOfRanges, rangesOfDays } from './day-ranges.js';
import { describeDays, describeRanges } from './describe.js';
import { formatRange, rangesOverCalendar, type RangeMode } from './interval.js';
import { calendarRuns, rangesInclude, rangesReading, unionRanges } from './range-sets.js';

const ROUNDS = 300;

/** A random sorted subset of 19000..19000+span, each day kept with probability `density`. */
function subset(rand: () => number, span: number, density: number): Day[] {
  const out: Day[] = [];
  for (let d = 19_000; d < 19_000 + span; d++) if (rand() < density) out.push(d as Day);
  return out;
}

/** A calendar: every day, most days, or a few scattered ones; sometimes with an off-season. */
function calendar(rand: () => number): Day[] {
  const density = [1, 1, 0.8, 0.3][Math.floor(rand() * 4)]!;
  const days = subset(rand, 20 + Math.floor(rand() * 100), density);
  return rand() < 0.3 ? days.filter((d) => d < 19_030 || d > 19_060) : days;
}

/** A set of the calendar's days: all of it, most of it, or a few. */
const someOf = (rand: () => number, days: readonly Day[]): Day[] => {
  const keep = [1, 0.9, 0.5, 0.1][Math.floor(rand() * 4)]!;
  return days.filter(() => rand() < keep);
};

describe('range sets agree with the day lists they replace', () => {
  it('batchRanges gives the batches of batchDays, each listing the same days', () => {
    const rand = random(11);
    for (let round = 0; round < ROUNDS; round++) {
      const cal = calendar(rand);
      const days = someOf(rand, cal);
      const maxDays = rand() < 0.3 ? undefined : 1 + Math.floor(rand() * 12);
      for (const mode of ['contiguous', 'per-date', 'single'] as RangeMode[]) {
        const expected = batchDays(days, cal, mode, maxDays);
        const got = batchRanges(rangesOfDays(days), cal, mode, maxDays);
        expect(got.map((b) => ({ first: b.first, last: b.last, days: b.days }))).toEqual(expected);
      }
    }
  });

  it('rangesReading reads the days daysReading does; calendarRuns keeps the calendar days inside', () => {
    const rand = random(12);
    for (let round = 0; round < ROUNDS; round++) {
      const upstream = calendar(rand);
      const downstream = calendar(rand);
      const changed = someOf(rand, upstream);
      const lookback = rand() < 0.4 ? 0 : Math.floor(rand() * 10);
      const reading = rangesReading(rangesOfDays(changed), downstream, lookback);
      expect(daysOfRanges(reading)).toEqual(daysReading(changed, downstream, lookback));
      expect(reading).toEqual(rangesOfDays(daysOfRanges(reading)));
      const within = rangesOfDays(someOf(rand, subset(rand, 150, 1)));
      expect(daysOfRanges(calendarRuns(downstream, within))).toEqual(downstream.filter((d) => within.some((r) => d >= r.first && d <= r.last)));
    }
  });

  it('unionRanges, rangesInclude, and countWithin over the plan\'s sets', () => {
    const rand = random(13);
    for (let round = 0; round < ROUNDS; round++) {
      const cal = calendar(rand);
      const a = someOf(rand, cal);
      const b = rand() < 0.3 ? a.filter(() => rand() < 0.5) : someOf(rand, cal);
      const union = unionRanges(rangesOfDays(a), rangesOfDays(b));
      expect(union).toEqual(rangesOfDays(unionDays(a, b)));
      expect(rangesInclude(rangesOfDays(a), rangesOfDays(b))).toBe(includesAll(a, b));
      expect(countWithin(cal, rangesOfDays(b))).toBe(b.length);
      expect(countWithin(a, rangesOfDays(b))).toBe(a.filter((d) => b.includes(d)).length);
    }
  });

  it('describeRanges names the runs over the calendar that describeDays named before', () => {
    const rand = random(14);
    const before = (days: Day[], cal?: Day[]) => {
      const runs = cal ? rangesOverCalendar(days, cal) : rangesOfDays(days);
      const named = runs.slice(0, 4).map(formatRange).join(', ');
      return runs.length > 4 ? `${named} (+${runs.length - 4} more range${runs.length === 5 ? '' : 's'})` : named;
    };
    for (let round = 0; round < ROUNDS; round++) {
      const cal = calendar(rand);
      const days = someOf(rand, cal);
      expect(describeRanges(rangesOfDays(days), cal)).toBe(before(days, cal));
      expect(describeDays(days, cal)).toBe(before(days, cal));
      expect(describeDays(days)).toBe(before(days));
    }
  });
});
