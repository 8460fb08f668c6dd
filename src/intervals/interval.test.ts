/** Truth tables for the date-range math: runs over a calendar, maxDays splitting, batching. */
import { batchDays, runsOverCalendar, splitByMaxDays, unionDays } from '../../test/helpers/day-lists.js';
import { describe, expect, it } from 'vitest';
import { dayOf, formatDay, type Day } from './day.js';
import { formatRange, rangesToIso, type RangeMode } from './interval.js';

const d = (iso: string): Day => dayOf(iso);
const days = (...isos: string[]): Day[] => isos.map(d);
const iso = (runs: readonly (readonly Day[])[]): string[][] => runs.map((run) => run.map(formatDay));

/** Game days of two short seasons, with a gap between games and an off-season between seasons. */
const CALENDAR = days('2024-01-01', '2024-01-03', '2024-01-04', '2024-01-07', '2024-01-08', '2024-06-01', '2024-06-02');

describe('runsOverCalendar', () => {
  const cases: { name: string; days: string[]; calendar?: Day[]; runs: string[][] }[] = [
    { name: 'nothing', days: [], runs: [] },
    { name: 'a single date', days: ['2024-01-03'], runs: [['2024-01-03']] },
    {
      name: 'days between consecutive games do not break a range',
      days: ['2024-01-01', '2024-01-03', '2024-01-04', '2024-01-07'],
      runs: [['2024-01-01', '2024-01-03', '2024-01-04', '2024-01-07']],
    },
    {
      name: 'a present game between two missing ones breaks the range',
      days: ['2024-01-01', '2024-01-04'],
      runs: [['2024-01-01'], ['2024-01-04']],
    },
    {
      name: 'the season break does not, when no game between is present',
      days: ['2024-01-08', '2024-06-01'],
      runs: [['2024-01-08', '2024-06-01']],
    },
    {
      name: 'a season break with the last game present splits',
      days: ['2024-01-07', '2024-06-01', '2024-06-02'],
      runs: [['2024-01-07'], ['2024-06-01', '2024-06-02']],
    },
    { name: 'the whole calendar is one run', days: CALENDAR.map(formatDay), runs: [CALENDAR.map(formatDay)] },
    {
      name: 'days outside the calendar stand alone',
      days: ['2024-01-02', '2024-01-03', '2024-01-05'],
      runs: [['2024-01-02'], ['2024-01-03'], ['2024-01-05']],
    },
    { name: 'an empty calendar: every day alone', days: ['2024-01-01', '2024-01-02'], calendar: [], runs: [['2024-01-01'], ['2024-01-02']] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(iso(runsOverCalendar(days(...c.days), c.calendar ?? CALENDAR))).toEqual(c.runs);
    });
  }
});

describe('splitByMaxDays', () => {
  const run = days('2024-01-01', '2024-01-02', '2024-01-03', '2024-01-05', '2024-01-09');
  const cases: { name: string; maxDays: number | undefined; pieces: string[][] }[] = [
    { name: 'no limit keeps the run', maxDays: undefined, pieces: [run.map(formatDay)] },
    { name: 'a limit wider than the run keeps it', maxDays: 9, pieces: [run.map(formatDay)] },
    {
      name: 'maxDays counts calendar days, not list entries',
      maxDays: 3,
      pieces: [['2024-01-01', '2024-01-02', '2024-01-03'], ['2024-01-05'], ['2024-01-09']],
    },
    {
      name: 'maxDays 5 cuts at the sixth calendar day',
      maxDays: 5,
      pieces: [['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-05'], ['2024-01-09']],
    },
    { name: 'maxDays 1 is per date', maxDays: 1, pieces: run.map((x) => [formatDay(x)]) },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(iso(splitByMaxDays(run, c.maxDays))).toEqual(c.pieces);
    });
  }
  it('an empty run gives no piece, with or without a limit', () => {
    expect(splitByMaxDays([], undefined)).toEqual([]);
    expect(splitByMaxDays([], 3)).toEqual([]);
  });
});

describe('batchDays', () => {
  const missing = days('2024-01-01', '2024-01-03', '2024-01-07', '2024-01-08', '2024-06-02');
  const cases: { mode: RangeMode; maxDays: number | undefined; batches: [string, string, number][] }[] = [
    {
      mode: 'contiguous',
      maxDays: undefined,
      // 2024-01-04 is a present game: it breaks 01-03 from 01-07; 06-01 is present too.
      batches: [['2024-01-01', '2024-01-03', 2], ['2024-01-07', '2024-01-08', 2], ['2024-06-02', '2024-06-02', 1]],
    },
    {
      mode: 'contiguous',
      maxDays: 1,
      batches: [['2024-01-01', '2024-01-01', 1], ['2024-01-03', '2024-01-03', 1], ['2024-01-07', '2024-01-07', 1], ['2024-01-08', '2024-01-08', 1], ['2024-06-02', '2024-06-02', 1]],
    },
    {
      mode: 'per-date',
      maxDays: 31,
      batches: missing.map((x): [string, string, number] => [formatDay(x), formatDay(x), 1]),
    },
    { mode: 'single', maxDays: undefined, batches: [['2024-01-01', '2024-06-02', 5]] },
    { mode: 'single', maxDays: 7, batches: [['2024-01-01', '2024-01-07', 3], ['2024-01-08', '2024-01-08', 1], ['2024-06-02', '2024-06-02', 1]] },
  ];
  for (const c of cases) {
    it(`${c.mode} with maxDays ${c.maxDays ?? 'unset'}`, () => {
      const batches = batchDays(missing, CALENDAR, c.mode, c.maxDays);
      expect(batches.map((b): [string, string, number] => [formatDay(b.first), formatDay(b.last), b.days.length])).toEqual(c.batches);
      // Every missing day is handed over exactly once, inside its batch's range.
      expect(batches.flatMap((b) => b.days)).toEqual(missing);
      for (const b of batches) for (const x of b.days) expect(x >= b.first && x <= b.last).toBe(true);
    });
  }
  it('nothing to build gives no batch in every mode', () => {
    for (const mode of ['contiguous', 'per-date', 'single'] as const) expect(batchDays([], CALENDAR, mode, 3)).toEqual([]);
  });
  it('a single date gives one one-day batch', () => {
    expect(batchDays(days('2024-01-04'), CALENDAR, 'contiguous', 31)).toEqual([{ first: d('2024-01-04'), last: d('2024-01-04'), days: days('2024-01-04') }]);
  });
});

describe('formatting and merging', () => {
  it('rangesToIso gives inclusive ISO pairs', () => {
    expect(rangesToIso([{ first: d('2022-01-03'), last: d('2022-01-09') }])).toEqual([['2022-01-03', '2022-01-09']]);
  });
  it('formatRange shows one date for a one-day range', () => {
    expect(formatRange({ first: d('2024-02-29'), last: d('2024-02-29') })).toBe('2024-02-29');
    expect(formatRange({ first: d('2024-02-28'), last: d('2024-03-01') })).toBe('2024-02-28..2024-03-01');
  });
  it('unionDays sorts and removes duplicates', () => {
    expect(unionDays(days('2024-01-05', '2024-01-01'), [], days('2024-01-01', '2024-01-03')).map(formatDay)).toEqual(['2024-01-01', '2024-01-03', '2024-01-05']);
  });
});
