/** Truth tables for coverage, missing ranges and lookback propagation. */
import { daysReading } from '../../test/helpers/day-lists.js';
import { describe, expect, it } from 'vitest';
import { computeCoverage, missingRanges } from './coverage.js';
import { dayOf, daysBetween, formatDay, type Day } from './day.js';
import { rangesToIso } from './interval.js';

const days = (...isos: string[]): Day[] => isos.map(dayOf);
const CALENDAR = days('2024-01-01', '2024-01-03', '2024-01-04', '2024-01-07', '2024-01-08', '2024-06-01', '2024-06-02');

describe('computeCoverage', () => {
  const cases: { name: string; expected: Day[]; present: Day[]; ratio: number; missing: string[]; have: number }[] = [
    { name: 'an empty calendar is fully covered', expected: [], present: days('2024-01-01'), ratio: 1, missing: [], have: 0 },
    { name: 'nothing present', expected: CALENDAR, present: [], ratio: 0, missing: CALENDAR.map(formatDay), have: 0 },
    { name: 'everything present', expected: CALENDAR, present: CALENDAR, ratio: 1, missing: [], have: 7 },
    {
      name: 'present days outside the calendar do not count',
      expected: days('2024-01-01', '2024-01-03'),
      present: days('2024-01-01', '2024-01-02'),
      ratio: 0.5,
      missing: ['2024-01-03'],
      have: 1,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const coverage = computeCoverage(c.expected, new Set(c.present));
      expect(coverage.ratio).toBe(c.ratio);
      expect(coverage.missing.map(formatDay)).toEqual(c.missing);
      expect(coverage.present).toBe(c.have);
      expect(coverage.expected).toBe(c.expected.length);
    });
  }
});

describe('missingRanges', () => {
  const cases: { name: string; missing: string[]; ranges: [string, string][] }[] = [
    { name: 'none', missing: [], ranges: [] },
    { name: 'one date', missing: ['2024-01-04'], ranges: [['2024-01-04', '2024-01-04']] },
    { name: 'non-game days inside a hole are part of it', missing: ['2024-01-04', '2024-01-07', '2024-01-08'], ranges: [['2024-01-04', '2024-01-08']] },
    { name: 'a present game splits two holes', missing: ['2024-01-01', '2024-01-04'], ranges: [['2024-01-01', '2024-01-01'], ['2024-01-04', '2024-01-04']] },
    { name: 'holes at both window edges', missing: ['2024-01-01', '2024-06-02'], ranges: [['2024-01-01', '2024-01-01'], ['2024-06-02', '2024-06-02']] },
    { name: 'a hole across the season break', missing: ['2024-01-08', '2024-06-01', '2024-06-02'], ranges: [['2024-01-08', '2024-06-02']] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(rangesToIso(missingRanges(days(...c.missing), CALENDAR))).toEqual(c.ranges);
    });
  }
});

describe('daysReading', () => {
  const window = daysBetween(dayOf('2024-01-01'), dayOf('2024-01-10'));
  const cases: { name: string; changed: string[]; calendar?: Day[]; lookback: number; reading: string[] }[] = [
    { name: 'nothing changed', changed: [], lookback: 3, reading: [] },
    { name: 'same date only without lookback', changed: ['2024-01-05'], lookback: 0, reading: ['2024-01-05'] },
    { name: 'a change reaches lookback days forward', changed: ['2024-01-05'], lookback: 2, reading: ['2024-01-05', '2024-01-06', '2024-01-07'] },
    { name: 'cut at the end of the window', changed: ['2024-01-09'], lookback: 5, reading: ['2024-01-09', '2024-01-10'] },
    { name: 'a change before the window reaches into it', changed: ['2023-12-30'], lookback: 3, reading: ['2024-01-01', '2024-01-02'] },
    { name: 'a change too early reaches nothing', changed: ['2023-12-20'], lookback: 3, reading: [] },
    { name: 'overlapping reaches are merged', changed: ['2024-01-03', '2024-01-02'], lookback: 1, reading: ['2024-01-02', '2024-01-03', '2024-01-04'] },
    { name: 'only calendar days are returned', changed: ['2024-01-02'], calendar: CALENDAR, lookback: 5, reading: ['2024-01-03', '2024-01-04', '2024-01-07'] },
    { name: 'an empty calendar reads nothing', changed: ['2024-01-02'], calendar: [], lookback: 5, reading: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(daysReading(days(...c.changed), c.calendar ?? window, c.lookback).map(formatDay)).toEqual(c.reading);
    });
  }
});
