/** Days: parsing is strict, formatting round-trips, "today" depends on the zone. */
import { describe, expect, it } from 'vitest';
import { addDays, dayInZone, dayOf, dayOfInstant, daysBetween, formatDay, parseDay, type Day } from './day.js';

describe('parseDay', () => {
  const valid = ['1970-01-01', '2024-02-29', '2021-10-19', '2026-01-03', '2000-02-29', '9999-12-31'];
  for (const text of valid) it(`accepts ${text} and formats it back`, () => expect(formatDay(parseDay(text)!)).toBe(text));

  const invalid = ['2023-02-30', '2023-02-29', '1900-02-29', '2024-13-01', '2024-00-10', '2024-04-31', '2024-1-01', '2024-01-01T00:00:00Z', ' 2024-01-01', '', 'yesterday', '0050-01-01'];
  for (const text of invalid) it(`rejects ${JSON.stringify(text)}`, () => expect(parseDay(text)).toBeUndefined());

  it('counts days from the epoch', () => {
    expect(parseDay('1970-01-01')).toBe(0);
    expect(parseDay('1970-01-02')).toBe(1);
    expect(parseDay('1969-12-31')).toBe(-1);
  });
  it('dayOf throws on what parseDay rejects', () => {
    expect(() => dayOf('2023-02-30')).toThrow(/not a date/);
  });
});

describe('formatDay', () => {
  it('agrees with Date#toISOString on every day from 1900 to 2200 and around the ends of the 4-digit years', () => {
    const viaDate = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);
    const mismatches: string[] = [];
    const check = (day: number) => {
      if (formatDay(day as Day) !== viaDate(day)) mismatches.push(`${day}: ${formatDay(day as Day)} ≠ ${viaDate(day)}`);
    };
    for (let day = parseDay('1900-01-01')!; day <= parseDay('2200-12-31')!; day++) check(day);
    // 0000-01-01 and 9999-12-31 (parseDay takes neither year 0 nor beyond 9999), and the 400-year era edges
    for (const edge of [-719_528, 2_932_896, parseDay('1600-03-01')!, parseDay('2000-02-29')!]) for (let day = edge - 3; day <= edge + 3; day++) check(day);
    expect(mismatches).toEqual([]);
  });
});

describe('day arithmetic', () => {
  it('addDays crosses months and leap days', () => {
    expect(formatDay(addDays(dayOf('2024-02-28'), 1))).toBe('2024-02-29');
    expect(formatDay(addDays(dayOf('2024-03-01'), -1))).toBe('2024-02-29');
  });
  it('daysBetween includes both ends and is empty when reversed', () => {
    expect(daysBetween(dayOf('2024-01-30'), dayOf('2024-02-01')).map(formatDay)).toEqual(['2024-01-30', '2024-01-31', '2024-02-01']);
    expect(daysBetween(dayOf('2024-01-02'), dayOf('2024-01-01'))).toEqual([]);
  });
});

describe('dayInZone', () => {
  // 2024-03-10 03:30 UTC is still the evening of the 9th in New York and already the 10th in Tokyo.
  const instant = new Date('2024-03-10T03:30:00Z');
  const cases: [string, string][] = [
    ['UTC', '2024-03-10'],
    ['America/New_York', '2024-03-09'],
    ['America/Los_Angeles', '2024-03-09'],
    ['Asia/Tokyo', '2024-03-10'],
    ['Pacific/Kiritimati', '2024-03-10'],
  ];
  for (const [zone, expected] of cases) it(`${zone} → ${expected}`, () => expect(formatDay(dayInZone(instant, zone))).toBe(expected));

  it('an instant just before midnight UTC is the next day east of UTC', () => {
    const late = new Date('2023-12-31T23:59:59Z');
    expect(formatDay(dayOfInstant(late))).toBe('2023-12-31');
    expect(formatDay(dayInZone(late, 'Europe/Berlin'))).toBe('2024-01-01');
  });
});
