/**
 * The day-list functions that walk sorted lists side by side (for big pipelines) agree with
 * the plain Set-and-sort definitions on random lists, sorted or not, with and without gaps.
 */
import { batchDays, daysReading, includesAll, runsOverCalendar, splitByMaxDays, unionDays } from '../../test/helpers/day-lists.js';
import { describe, expect, it } from 'vitest';
import { random } from '../../test/helpers/random.js';
import { computeCoverage, matchDays } from './coverage.js';
import type { Day } from './day.js';
import { firstAtOrAfter, rangesOverCalendar } from './interval.js';

const ROUNDS = 300;
const sortedSet = (days: Iterable<number>) => [...new Set(days)].sort((a, b) => a - b) as Day[];

/** A random sorted subset of 19000..19000+span, each day kept with probability `density`. */
function subset(rand: () => number, span: number, density: number): Day[] {
  const out: Day[] = [];
  for (let d = 19_000; d < 19_000 + span; d++) if (rand() < density) out.push(d as Day);
  return out;
}

/** Sometimes shuffled, sometimes with a duplicate: the inputs the fallbacks are for. */
function maybeUnsorted(rand: () => number, days: Day[]): Day[] {
  const copy = [...days];
  if (copy.length > 1 && rand() < 0.2) copy.push(copy[Math.floor(rand() * copy.length)]!);
  if (rand() < 0.2) copy.sort(() => rand() - 0.5);
  return copy;
}

describe('sorted-list walks agree with their set definitions', () => {
  it('unionDays', () => {
    const rand = random(1);
    for (let round = 0; round < ROUNDS; round++) {
      const lists = Array.from({ length: Math.floor(rand() * 5) }, () => maybeUnsorted(rand, subset(rand, 60, rand())));
      expect(unionDays(...lists)).toEqual(sortedSet(lists.flat()));
    }
  });

  it('unionDays of nested lists (a window and parts of it), and the union is the caller\'s own', () => {
    const rand = random(5);
    for (let round = 0; round < ROUNDS; round++) {
      const whole = subset(rand, 60, 0.3 + rand() * 0.7);
      const part = () => (rand() < 0.3 ? [] : whole.filter(() => rand() < rand()));
      const lists = [part(), whole, part(), part()].sort(() => rand() - 0.5);
      const before = JSON.stringify(lists);
      const union = unionDays(...lists);
      expect(union).toEqual(whole);
      union.push(1 as Day);
      union[0] = 2 as Day;
      expect(JSON.stringify(lists)).toBe(before);
    }
  });

  it('matchDays', () => {
    const rand = random(2);
    for (let round = 0; round < ROUNDS; round++) {
      const expected = subset(rand, 80, rand());
      const present = maybeUnsorted(rand, rand() < 0.3 ? [...expected] : subset(rand, 90, rand()));
      const { coverage, presentExpected } = matchDays(expected, present);
      expect(coverage).toEqual(computeCoverage(expected, new Set(present)));
      expect([...presentExpected]).toEqual(present.filter((d) => expected.includes(d)));
    }
  });

  it('daysReading', () => {
    const rand = random(3);
    for (let round = 0; round < ROUNDS; round++) {
      const calendar = subset(rand, 80, rand());
      // sparse changes, or (a third of the time) dense ones: one run over the calendar
      const changed = maybeUnsorted(rand, subset(rand, 90, rand() < 0.3 ? 0.7 + rand() * 0.3 : rand() * 0.3));
      const lookback = Math.floor(rand() * 10);
      const naive = calendar.filter((day) => changed.some((c) => c >= day - lookback && c <= day));
      const reading = daysReading(changed, calendar, lookback);
      expect(reading).toEqual(naive);
      expect(reading).not.toBe(calendar);
    }
  });

  it('rangesOverCalendar and batchDays contiguous', () => {
    const rand = random(4);
    for (let round = 0; round < ROUNDS; round++) {
      const calendar = subset(rand, 80, rand());
      const days = rand() < 0.7 ? calendar.filter(() => rand() < 0.6) : subset(rand, 80, rand());
      const runs = runsOverCalendar(days, calendar);
      expect(rangesOverCalendar(days, calendar)).toEqual(runs.map((run) => ({ first: run[0], last: run[run.length - 1] })));
      const maxDays = rand() < 0.3 ? undefined : 1 + Math.floor(rand() * 10);
      const pieces = runs.flatMap((run) => splitByMaxDays(run, maxDays));
      expect(batchDays(days, calendar, 'contiguous', maxDays)).toEqual(pieces.map((p) => ({ first: p[0], last: p[p.length - 1], days: p })));
    }
  });

  it('includesAll and firstAtOrAfter', () => {
    const rand = random(5);
    for (let round = 0; round < ROUNDS; round++) {
      const within = maybeUnsorted(rand, subset(rand, 50, rand()));
      const days = maybeUnsorted(rand, rand() < 0.5 ? within.filter(() => rand() < 0.5) : subset(rand, 50, rand() * 0.2));
      expect(includesAll(within, days)).toBe(days.every((d) => within.includes(d)));
      const sorted = sortedSet(within);
      const day = 19_000 + Math.floor(rand() * 55);
      const from = Math.floor(rand() * (sorted.length + 1));
      const naive = sorted.findIndex((d, i) => i >= from && d >= day);
      expect(firstAtOrAfter(sorted, day, from)).toBe(naive === -1 ? Math.max(from, sorted.length) : naive);
    }
  });
});
