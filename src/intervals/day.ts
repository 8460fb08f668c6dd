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
  return (ms / MS_PER_DAY) as Day;
}

/** Parses a date the caller has already validated; throws on anything else. */
export function dayOf(text: string): Day {
  const day = parseDay(text);
  if (day === undefined) throw new Error(`not a date: ${JSON.stringify(text)}`);
  return day;
}

/** Formats as `YYYY-MM-DD`. */
export function formatDay(day: Day): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
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
