/**
 * The limits past which a number in the configuration or on the command line cannot make
 * sense, and would otherwise cost hours, gigabytes or a silent overflow before failing.
 */
import { parseDay, type Day } from '../intervals/day.js';

/** The longest `lookback` (about 10 years): date d reading more than that is a typo, and each day of it costs memory per date. */
export const MAX_LOOKBACK_DAYS = 3660;

/**
 * The longest window dagrun plans, in days (about 27 years): BigQuery's limit on the
 * partitions of one table, and far more dates than any status or plan should hold.
 */
export const MAX_WINDOW_DAYS = 10_000;

/** The most retries of one range: with delays doubling from the first, more would wait for years. */
export const MAX_RETRIES = 100;

/** The longest timer Node keeps (2^31-1 ms, about 24.8 days): a longer one fires at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** The years dagrun plans: four-digit years, where every engine agrees on the calendar. */
export const YEARS = { first: 1000, last: 9999 } as const;

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Why a `YYYY-MM-DD` string is no date on the calendar: "there is no month 13", "February 2023 has 28 days". */
export function impossibleDate(text: string): string {
  const [year, month] = text.split('-').map(Number) as [number, number];
  if (month < 1 || month > 12) return `there is no month ${month}`;
  const days = new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !leapYear(year) ? 1 : 0);
  return `${MONTHS[month - 1]} ${year} has ${days} days`;
}

function leapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * A `YYYY-MM-DD` text as a day, or why it is not one dagrun can plan: a year outside
 * 1000..9999 (JavaScript reads years 0..99 as 1900..1999), or an impossible day or month.
 */
export function parseWindowDay(text: string): { day: Day } | { problem: string } {
  const year = Number(/^(\d{4})-\d{2}-\d{2}$/.exec(text)?.[1]);
  if (Number.isNaN(year)) return { problem: 'not a date YYYY-MM-DD' };
  if (year < YEARS.first || year > YEARS.last) return { problem: `in the year ${year}: dagrun plans years ${YEARS.first}..${YEARS.last}` };
  const day = parseDay(text);
  return day === undefined ? { problem: `not a real date: ${impossibleDate(text)}` } : { day };
}

/** "36,890 days" */
export function formatDays(days: number): string {
  return `${days.toLocaleString('en-US')} day${days === 1 ? '' : 's'}`;
}
