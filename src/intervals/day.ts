/**
 * A calendar date as a whole number of days since 1970-01-01 (UTC). Numbers keep a
 * million target-dates cheap to compare and store; ISO strings exist only at the edges.
 */
export type Day = number & { readonly __brand: 'Day' };

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses `YYYY-MM-DD`; undefined for anything else, including impossible dates like 2023-02-30. */
export function parseDay(text: string): Day | undefined {
  const match = ISO_DATE.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) {
    return undefined;
  }
  // Math.round gives a small integer where the division gives a boxed float: V8 then keeps
  // every list of days derived from it as packed integers, not doubles boxed on every read
  return Math.round(ms / MS_PER_DAY) as Day;
}

/** Parses a date the caller has already validated; throws on anything else. */
export function dayOf(text: string): Day {
  const day = parseDay(text);
  if (day === undefined) throw new Error(`not a date: ${JSON.stringify(text)}`);
  return day;
}

/** Formatted days: a big plan formats the same few thousand days over and over. */
const formatted = new Map<number, string>();
const FORMATTED_KEPT = 100_000;

/**
 * Formats as `YYYY-MM-DD`. Reports format every date of big windows, so years 0..9999 are
 * computed with integer arithmetic (civil-from-days, H. Hinnant) instead of building a Date
 * per day, once per day; other years keep `toISOString`'s extended form.
 */
export function formatDay(day: Day): string {
  let text = formatted.get(day);
  if (text === undefined) {
    if (formatted.size >= FORMATTED_KEPT) formatted.clear();
    formatted.set(day, (text = civilDate(day)));
  }
  return text;
}

function civilDate(day: number): string {
  // shift the epoch to 0000-03-01 so that leap days end each 400-year era
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const dayOfMonth = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 0 || year > 9999) return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
  return `${String(year).padStart(4, '0')}-${month < 10 ? '0' : ''}${month}-${dayOfMonth < 10 ? '0' : ''}${dayOfMonth}`;
}

/** The day `n` days after (or before, when negative) `day`. */
export function addDays(day: Day, n: number): Day {
  return (day + n) as Day;
}

/** The UTC calendar day of an instant. */
export function dayOfInstant(instant: Date): Day {
  return Math.floor(instant.getTime() / MS_PER_DAY) as Day;
}

/** The calendar day of an instant in an IANA time zone (the pipeline's "today"). */
export function dayInZone(instant: Date, timeZone: string): Day {
  // UTC, the default, needs no time zone data: the first Intl formatter costs ~15 ms of start-up.
  if (timeZone === 'UTC') return dayOfInstant(instant);
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(instant);
  return dayOf(parts);
}

/** Every day from `start` to `end`, both included. */
export function daysBetween(start: Day, end: Day): Day[] {
  const out: Day[] = [];
  for (let d = start; d <= end; d++) out.push(d as Day);
  return out;
}
