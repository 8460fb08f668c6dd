/**
 * A read-only warehouse that answers what it can from reads kept for the warehouse file as it
 * is now (a status of 10,000 tables need not scan them again while none has changed), and opens
 * the real warehouse only for the rest. Kept answers are plain data (`ReadCacheEntries`), keyed
 * by everything their answer depends on besides the file: table and date column, target,
 * check or calendar text, and the window. What the real warehouse answered is offered for
 * keeping only where the engine says the file alone answers it (`Warehouse.fixedReads`).
 *
 * Whether kept answers still hold (the file's signature), where they are kept, and when a
 * signature may be trusted, are the caller's (run/read-cache.ts): this class only keeps apart
 * what it served from what it asked.
 */
import type { CalendarSpec } from '../config/types.js';
import type { Day } from '../intervals/day.js';
import type { DayRange } from '../intervals/interval.js';
import {
  calendarKey,
  everyDay,
  expandPresent,
  type CheckOutcome,
  type CheckProbe,
  type DayWindow,
  type PresentDates,
  type PresentRanges,
  type TableProbe,
  type Warehouse,
  type WriteRange,
  type WriteRecord,
} from './warehouse.js';

/** A written range as kept: first day, last day, written at, fingerprint, run id. */
export type KeptWriteRange = readonly [number, number, number, string, string];

/** Answers kept for one signature of the warehouse file, as JSON can hold them. */
export interface ReadCacheEntries {
  /** Present dates by `presentKey`: `[exists ? 1 : 0, first, last, first, last, …]`. */
  readonly present: Readonly<Record<string, readonly number[]>>;
  /** A target's write ranges by `writesKey`. */
  readonly writes: Readonly<Record<string, readonly KeptWriteRange[]>>;
  /** Check outcomes by `checkKey`. */
  readonly checks: Readonly<Record<string, CheckOutcome>>;
  /** A calendar's days by `calendarEntryKey`. */
  readonly calendars: Readonly<Record<string, readonly number[]>>;
}

/** No answers kept. */
export function noEntries(): ReadCacheEntries {
  return { present: {}, writes: {}, checks: {}, calendars: {} };
}

const SEP = '\u0000';
const windowPart = (window: DayWindow) => `${window.first}${SEP}${window.last}`;
const presentKey = (probe: TableProbe, window: DayWindow) => `${probe.table}${SEP}${probe.dateColumn}${SEP}${windowPart(window)}`;
const writesKey = (target: string, window: DayWindow) => `${target}${SEP}${windowPart(window)}`;
const checkEntryKey = (probe: CheckProbe, window: DayWindow) => `${probe.perDate ? 'per-date' : 'scalar'}${SEP}${windowPart(window)}${SEP}${probe.sql}`;
const calendarEntryKey = (spec: CalendarSpec, window: DayWindow) => `${calendarKey(spec)}${SEP}${windowPart(window)}`;

function packPresent(present: PresentRanges): number[] {
  const out = [present.exists ? 1 : 0];
  for (const r of present.ranges) out.push(r.first, r.last);
  return out;
}

function unpackPresent(packed: readonly number[]): PresentRanges {
  const ranges: DayRange[] = [];
  for (let i = 1; i + 1 < packed.length; i += 2) ranges.push({ first: packed[i] as Day, last: packed[i + 1] as Day });
  return { exists: packed[0] === 1, ranges };
}

/**
 * A kept answer by key, if it has the shape it was kept in: the file is JSON that anyone may
 * edit or cut, and an entry that is not what dagrun wrote is asked again.
 */
function keptEntry<T>(entries: Readonly<Record<string, unknown>>, key: string, valid: (value: unknown) => boolean): T | undefined {
  if (!Object.hasOwn(entries, key)) return undefined;
  const value = entries[key];
  return valid(value) ? (value as T) : undefined;
}

const isDayList = (value: unknown): boolean => Array.isArray(value) && value.every((v) => Number.isInteger(v));
const isPacked = (value: unknown): boolean => isDayList(value) && (value as number[]).length % 2 === 1;
const isWriteRanges = (value: unknown): boolean =>
  Array.isArray(value) &&
  value.every(
    (r) =>
      Array.isArray(r) && r.length === 5 && Number.isInteger(r[0]) && Number.isInteger(r[1]) && Number.isFinite(r[2]) && typeof r[3] === 'string' && typeof r[4] === 'string',
  );
const isOutcome = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && ((value as { ok?: unknown }).ok === true || ((value as { ok?: unknown }).ok === false && typeof (value as { error?: unknown }).error === 'string'));

/** JSON turns NaN and infinities into null: an outcome holding one is not kept, so it is never read back changed. */
function keepsInJson(outcome: CheckOutcome): boolean {
  if (!outcome.ok) return true;
  const finite = (v: number | null) => v === null || Number.isFinite(v);
  return finite(outcome.value) && (outcome.perDay?.values.every(finite) ?? true);
}

/** What a read asked of the real warehouse, to keep if the engine says the file alone answers it. */
interface Learnt {
  readonly present: Map<string, { readonly table: string; readonly value: readonly number[] }>;
  readonly writes: Map<string, readonly KeptWriteRange[]>;
  readonly checks: Map<string, { readonly sql: string; readonly outcome: CheckOutcome }>;
  readonly calendars: Map<string, { readonly spec: CalendarSpec; readonly days: readonly number[] }>;
}

/** A read-only `Warehouse` over kept answers and, for the rest, a real one opened on first need. */
export class CachedReads implements Warehouse {
  readonly engine: Warehouse['engine'];
  readonly commandsNeedExclusiveAccess = true;
  readonly #open: () => Promise<Warehouse>;
  readonly #kept: ReadCacheEntries;
  #inner: Promise<Warehouse> | undefined;
  readonly #learnt: Learnt = { present: new Map(), writes: new Map(), checks: new Map(), calendars: new Map() };
  #served = 0;

  /** `kept`: answers that hold for the file as it is now; `open`: the real warehouse, read-only. */
  constructor(engine: Warehouse['engine'], kept: ReadCacheEntries, open: () => Promise<Warehouse>) {
    this.engine = engine;
    this.#kept = kept;
    this.#open = open;
  }

  /** How many answers came from the kept ones. */
  get served(): number {
    return this.#served;
  }

  /** Whether the real warehouse was opened. */
  get opened(): boolean {
    return this.#inner !== undefined;
  }

  #real(): Promise<Warehouse> {
    this.#inner ??= this.#open();
    return this.#inner;
  }

  async presentRanges(tables: readonly TableProbe[], window: DayWindow): Promise<Map<string, PresentRanges>> {
    const result = new Map<string, PresentRanges>();
    const missing: TableProbe[] = [];
    for (const probe of tables) {
      const kept = keptEntry<number[]>(this.#kept.present, presentKey(probe, window), isPacked);
      if (kept) {
        result.set(probe.table, unpackPresent(kept));
        this.#served++;
      } else missing.push(probe);
    }
    if (missing.length === 0) return result;
    const read = await (await this.#real()).presentRanges(missing, window);
    for (const probe of missing) {
      const present = read.get(probe.table) ?? { exists: false, ranges: [] };
      result.set(probe.table, present);
      // engines that know more than the dates (BigQuery's partition times) are not kept
      if (!present.modified && !present.partitionExpiry) this.#learnt.present.set(presentKey(probe, window), { table: probe.table, value: packPresent(present) });
    }
    return result;
  }

  async presentDates(tables: readonly TableProbe[], window: DayWindow): Promise<Map<string, PresentDates>> {
    return expandPresent(await this.presentRanges(tables, window));
  }

  async readWriteRanges(targets: readonly string[], window: DayWindow): Promise<WriteRange[]> {
    const result: WriteRange[] = [];
    const missing: string[] = [];
    for (const target of targets) {
      const kept = keptEntry<KeptWriteRange[]>(this.#kept.writes, writesKey(target, window), isWriteRanges);
      if (!kept) {
        missing.push(target);
        continue;
      }
      for (const [first, last, writtenAt, fingerprint, runId] of kept) result.push({ target, first: first as Day, last: last as Day, writtenAt, fingerprint, runId });
      this.#served++;
    }
    if (missing.length === 0) return result;
    const read = await (await this.#real()).readWriteRanges(missing, window);
    const byTarget = new Map<string, KeptWriteRange[]>(missing.map((t) => [t, []]));
    for (const r of read) byTarget.get(r.target)?.push([r.first, r.last, r.writtenAt, r.fingerprint, r.runId]);
    for (const [target, ranges] of byTarget) this.#learnt.writes.set(writesKey(target, window), ranges);
    return [...result, ...read];
  }

  async checkValues(checks: readonly CheckProbe[], window: DayWindow): Promise<Map<string, CheckOutcome>> {
    const result = new Map<string, CheckOutcome>();
    const missing: CheckProbe[] = [];
    for (const probe of checks) {
      const kept = keptEntry<CheckOutcome>(this.#kept.checks, checkEntryKey(probe, window), isOutcome);
      if (kept) {
        result.set(probe.key, kept);
        this.#served++;
      } else missing.push(probe);
    }
    if (missing.length === 0) return result;
    const read = await (await this.#real()).checkValues(missing, window);
    for (const probe of missing) {
      const outcome = read.get(probe.key);
      if (!outcome) continue;
      result.set(probe.key, outcome);
      this.#learnt.checks.set(checkEntryKey(probe, window), { sql: probe.sql, outcome });
    }
    return result;
  }

  async expectedDates(calendars: readonly CalendarSpec[], window: DayWindow): Promise<Map<string, Day[]>> {
    const result = new Map<string, Day[]>();
    const missing: CalendarSpec[] = [];
    for (const spec of calendars) {
      if (spec.kind === 'every-day') {
        result.set(calendarKey(spec), everyDay(window));
        continue;
      }
      const kept = keptEntry<Day[]>(this.#kept.calendars, calendarEntryKey(spec, window), isDayList);
      if (kept) {
        result.set(calendarKey(spec), kept);
        this.#served++;
      } else missing.push(spec);
    }
    if (missing.length === 0) return result;
    const read = await (await this.#real()).expectedDates(missing, window);
    for (const spec of missing) {
      const days = read.get(calendarKey(spec));
      if (!days) continue;
      result.set(calendarKey(spec), days);
      this.#learnt.calendars.set(calendarEntryKey(spec, window), { spec, days });
    }
    return result;
  }

  async readWrites(targets: readonly string[], window: DayWindow): Promise<WriteRecord[]> {
    return (await this.#real()).readWrites(targets, window);
  }

  async describeConnection(calendars: readonly CalendarSpec[], tables: readonly TableProbe[]): Promise<string[]> {
    const real = await this.#real();
    return real.describeConnection ? real.describeConnection(calendars, tables) : [];
  }

  /**
   * The answers to keep now: the kept ones and what the real warehouse answered that the file
   * alone answers. Asks the engine which those are, so call it before `close`. Undefined when
   * the real warehouse was not opened (nothing new) or cannot say.
   */
  async entriesToKeep(): Promise<ReadCacheEntries | undefined> {
    const real = await this.#inner?.catch(() => undefined);
    if (!real?.fixedReads) return undefined;
    const learnt = this.#learnt;
    const checks = [...learnt.checks.values()];
    const calendars = [...learnt.calendars.values()];
    const tables = [...new Set([...[...learnt.present.values()].map((p) => p.table), ...calendars.flatMap((c) => (c.spec.kind === 'table' ? [c.spec.table] : []))])];
    const queries = [...checks.map((c) => c.sql), ...calendars.flatMap((c) => (c.spec.kind === 'sql' ? [c.spec.sql] : []))];
    const fixed = await real.fixedReads(tables, queries);
    let next = 0;
    const queryFixed = new Map<string, boolean>(queries.map((q) => [q, fixed.queries[next++] === true]));
    const calendarFixed = (spec: CalendarSpec) => (spec.kind === 'table' ? fixed.tables.has(spec.table) : spec.kind === 'sql' && queryFixed.get(spec.sql) === true);

    const present = { ...this.#kept.present };
    for (const [key, { table, value }] of learnt.present) if (fixed.tables.has(table)) present[key] = value;
    const writes = { ...this.#kept.writes };
    // dagrun's own records: tables of the file
    for (const [key, ranges] of learnt.writes) writes[key] = ranges;
    const checkEntries = { ...this.#kept.checks };
    for (const [key, { sql, outcome }] of learnt.checks) if (queryFixed.get(sql) === true && keepsInJson(outcome)) checkEntries[key] = outcome;
    const calendarEntries = { ...this.#kept.calendars };
    for (const [key, { spec, days }] of learnt.calendars) if (calendarFixed(spec)) calendarEntries[key] = days;
    return { present, writes, checks: checkEntries, calendars: calendarEntries };
  }

  async close(): Promise<void> {
    // one that failed to open has nothing to close (its error went to the read that opened it)
    const real = await this.#inner?.catch(() => undefined);
    await real?.close();
  }

  runSql(): never {
    return readOnly('runSql');
  }
  loadRows(): never {
    return readOnly('loadRows');
  }
  beginWrites(): never {
    return readOnly('beginWrites');
  }
  recordWrites(): never {
    return readOnly('recordWrites');
  }
  exclusive(): never {
    return readOnly('exclusive');
  }
}

function readOnly(method: string): never {
  throw new Error(`internal: ${method} called on the read-only cached warehouse`);
}
