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
import { fileStamp } from '../core/file-stamp.js';
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

/** A local file a kept query read, and its stamp when the answer was kept (`fileStamp`). */
export type FileStampEntry = readonly [path: string, stamp: string];

/**
 * A target's write ranges as kept, column by column: its distinct fingerprints and runs, then
 * four numbers a range (first day, days after it, fingerprint index, run index) and its time.
 * A range per date (per-date builds) made one array and three strings a range for JSON to
 * build: 84 MB and 0.7 s of garbage collection for 1.5 million ranges.
 */
export interface KeptWrites {
  readonly fingerprints: readonly string[];
  readonly runs: readonly string[];
  readonly ranges: readonly number[];
  readonly times: readonly number[];
}

/** Answers kept for one signature of the warehouse file, as JSON can hold them. */
export interface ReadCacheEntries {
  /** Present dates by `presentKey`: `[exists ? 1 : 0, first, last, first, last, …]`. */
  readonly present: Readonly<Record<string, readonly number[]>>;
  /** A target's write ranges by `writesKey`. */
  readonly writes: Readonly<Record<string, KeptWrites>>;
  /**
   * Check outcomes by `checkKey`, with the stamps of the local files the query reads and, when
   * it reads any, the working directory (DuckDB looks for a relative path there first).
   */
  readonly checks: Readonly<Record<string, { readonly outcome: CheckOutcome; readonly files: readonly FileStampEntry[]; readonly cwd?: string }>>;
  /** A calendar's days by `calendarEntryKey`, with the stamps of the local files its query reads, as checks have them. */
  readonly calendars: Readonly<Record<string, { readonly days: readonly number[]; readonly files: readonly FileStampEntry[]; readonly cwd?: string }>>;
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
function keptEntry<T>(entries: Readonly<Record<string, unknown>>, key: string, valid: (value: unknown) => boolean, stale: Set<string>): T | undefined {
  if (!Object.hasOwn(entries, key)) return undefined;
  const value = entries[key];
  if (valid(value)) return value as T;
  stale.add(key);
  return undefined;
}

const isDayList = (value: unknown): boolean => Array.isArray(value) && value.every((v) => Number.isInteger(v));
const isPacked = (value: unknown): boolean => isDayList(value) && (value as number[]).length % 2 === 1;
const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');
const isIndexInto = (value: unknown, list: readonly unknown[]): boolean => Number.isInteger(value) && (value as number) >= 0 && (value as number) < list.length;
const isKeptWrites = (value: unknown): boolean => {
  if (typeof value !== 'object' || value === null) return false;
  const { fingerprints, runs, ranges, times } = value as Partial<Record<keyof KeptWrites, unknown>>;
  if (!isStringList(fingerprints) || !isStringList(runs) || !Array.isArray(ranges) || !Array.isArray(times) || ranges.length !== times.length * 4) return false;
  for (let i = 0; i < ranges.length; i += 4) {
    if (!Number.isInteger(ranges[i]) || !Number.isInteger(ranges[i + 1]) || ranges[i + 1] < 0) return false;
    if (!isIndexInto(ranges[i + 2], fingerprints) || !isIndexInto(ranges[i + 3], runs)) return false;
  }
  return times.every((t) => Number.isFinite(t));
};

/** One target's write ranges, kept column by column. */
function packWrites(ranges: readonly WriteRange[]): KeptWrites {
  const fingerprints = new Map<string, number>();
  const runs = new Map<string, number>();
  const indexOf = (map: Map<string, number>, key: string): number => {
    let index = map.get(key);
    if (index === undefined) map.set(key, (index = map.size));
    return index;
  };
  const packed: number[] = [];
  const times: number[] = [];
  for (const r of ranges) {
    packed.push(r.first, r.last - r.first, indexOf(fingerprints, r.fingerprint), indexOf(runs, r.runId));
    times.push(r.writtenAt);
  }
  return { fingerprints: [...fingerprints.keys()], runs: [...runs.keys()], ranges: packed, times };
}

function unpackWrites(target: string, kept: KeptWrites): WriteRange[] {
  const out: WriteRange[] = [];
  const { ranges, times, fingerprints, runs } = kept;
  for (let i = 0, r = 0; i < ranges.length; i += 4, r++) {
    const first = ranges[i]!;
    out.push({ target, first: first as Day, last: (first + ranges[i + 1]!) as Day, writtenAt: times[r]!, fingerprint: fingerprints[ranges[i + 2]!]!, runId: runs[ranges[i + 3]!]! });
  }
  return out;
}
const isOutcome = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && ((value as { ok?: unknown }).ok === true || ((value as { ok?: unknown }).ok === false && typeof (value as { error?: unknown }).error === 'string'));
/**
 * Whether the files a kept query read are as they were, each stamp as it is now, and looked for
 * from the same working directory (a relative path may name another file from another).
 */
const filesUnchanged = (entry: { files?: unknown; cwd?: unknown }): boolean =>
  Array.isArray(entry.files) &&
  (entry.files.length === 0 || entry.cwd === process.cwd()) &&
  entry.files.every((f) => Array.isArray(f) && f.length === 2 && typeof f[0] === 'string' && fileStamp(f[0]).key === f[1]);
const isCheckEntry = (value: unknown): boolean => typeof value === 'object' && value !== null && isOutcome((value as { outcome?: unknown }).outcome) && filesUnchanged(value);
const isCalendarEntry = (value: unknown): boolean => typeof value === 'object' && value !== null && isDayList((value as { days?: unknown }).days) && filesUnchanged(value);
/** The working directory, for entries whose query reads files. */
const cwdOf = (files: readonly FileStampEntry[]) => (files.length > 0 ? { cwd: process.cwd() } : {});

/**
 * Whether an outcome may be kept: not an error (a query that failed on this instance, out of
 * memory say, may pass on the next, with other limits), and nothing JSON cannot hold (NaN and
 * infinities would come back as null).
 */
function keepsInJson(outcome: CheckOutcome): boolean {
  if (!outcome.ok) return false;
  const finite = (v: number | null) => v === null || Number.isFinite(v);
  return finite(outcome.value) && (outcome.perDay?.values.every(finite) ?? true);
}

/** What a read asked of the real warehouse, to keep if the engine says the file alone answers it. */
interface Learnt {
  readonly present: Map<string, { readonly table: string; readonly value: readonly number[] }>;
  readonly writes: Map<string, KeptWrites>;
  /** `askedAt`: when the query went out; a file it reads must have been settled by then. */
  readonly checks: Map<string, { readonly sql: string; readonly outcome: CheckOutcome; readonly askedAt: number }>;
  readonly calendars: Map<string, { readonly spec: CalendarSpec; readonly days: readonly number[]; readonly askedAt: number }>;
}

/**
 * The warehouse file was found changed when it was opened for a read that was not kept, after
 * kept answers had already been served for it as it was: the reads must start again on the
 * file alone, or one answer would mix two states (run/read-cache.ts does).
 */
export class KeptReadsOutdated extends Error {
  constructor() {
    super('the warehouse file changed after kept reads were served for it');
    this.name = 'KeptReadsOutdated';
  }
}

/**
 * Runs `read` (reads only: nothing printed, nothing written) so that its answers are of one
 * state of the warehouse: when kept answers it was served turn out outdated (`CachedReads`),
 * it runs again on the file alone, whether that came out as `KeptReadsOutdated` or was caught
 * inside `read` and turned into something else (a note, a blamed target). Other warehouses
 * just run it.
 */
export async function readConsistently<T>(warehouse: Warehouse, read: () => Promise<T>): Promise<T> {
  if (!(warehouse instanceof CachedReads)) return read();
  for (;;) {
    try {
      const result = await read();
      if (!warehouse.outdated) return result;
    } catch (error) {
      if (!warehouse.outdated) throw error;
    }
    warehouse.restart();
  }
}

/** What opening the real warehouse gives: it, and whether the kept answers still hold for its file as now opened. */
export interface OpenedForReads {
  readonly warehouse: Warehouse;
  readonly keptStillHold: boolean;
}

/** A read-only `Warehouse` over kept answers and, for the rest, a real one opened on first need. */
export class CachedReads implements Warehouse {
  readonly engine: Warehouse['engine'];
  readonly commandsNeedExclusiveAccess = true;
  readonly #open: () => Promise<OpenedForReads>;
  #kept: ReadCacheEntries;
  #inner: Promise<Warehouse> | undefined;
  readonly #learnt: Learnt = { present: new Map(), writes: new Map(), checks: new Map(), calendars: new Map() };
  #served = 0;
  /** Set when kept answers were served for a file that had changed by the time it was opened. */
  #outdated = false;
  /** Keys of kept entries found out of shape or out of date: not kept again. */
  readonly #stale = new Set<string>();

  /**
   * `kept`: answers that hold for the file as it looked a moment ago; `open`: the real
   * warehouse, saying whether they still hold for the file it opened. When they do not, none is
   * served from then on, and if some were already, the read that opened it throws
   * `KeptReadsOutdated`.
   */
  constructor(engine: Warehouse['engine'], kept: ReadCacheEntries, open: () => Promise<OpenedForReads>) {
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

  /** Whether kept answers were served for a file that had changed by the time it was opened. */
  get outdated(): boolean {
    return this.#outdated;
  }

  /**
   * After `outdated`: forgets the kept answers and what was served, so that reads start again,
   * all from the real warehouse now open (what it answered so far is still learnt: it is the file).
   */
  restart(): void {
    this.#kept = noEntries();
    this.#stale.clear();
    this.#served = 0;
    this.#outdated = false;
  }

  #real(): Promise<Warehouse> {
    this.#inner ??= this.#open().then(({ warehouse, keptStillHold }) => {
      if (!keptStillHold) {
        this.#kept = noEntries();
        this.#stale.clear();
        if (this.#served > 0) this.#outdated = true;
      }
      return warehouse;
    });
    return this.#inner.then((warehouse) => {
      if (this.#outdated) throw new KeptReadsOutdated();
      return warehouse;
    });
  }

  /** The kept answer of each item that has one (counted as served), and the items that have none. */
  #split<I, T>(items: readonly I[], entries: Readonly<Record<string, unknown>>, keyOf: (item: I) => string, valid: (value: unknown) => boolean): { kept: [I, T][]; missing: I[] } {
    const kept: [I, T][] = [];
    const missing: I[] = [];
    for (const item of items) {
      const answer = keptEntry<T>(entries, keyOf(item), valid, this.#stale);
      if (answer === undefined) missing.push(item);
      else kept.push([item, answer]);
    }
    this.#served += kept.length;
    return { kept, missing };
  }

  async presentRanges(tables: readonly TableProbe[], window: DayWindow): Promise<Map<string, PresentRanges>> {
    const { kept, missing } = this.#split<TableProbe, number[]>(tables, this.#kept.present, (probe) => presentKey(probe, window), isPacked);
    const result = new Map(kept.map(([probe, packed]) => [probe.table, unpackPresent(packed)]));
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
    const { kept, missing } = this.#split<string, KeptWrites>(targets, this.#kept.writes, (target) => writesKey(target, window), isKeptWrites);
    const result: WriteRange[] = kept.flatMap(([target, ranges]) => unpackWrites(target, ranges));
    if (missing.length === 0) return result;
    const read = await (await this.#real()).readWriteRanges(missing, window);
    const byTarget = new Map<string, WriteRange[]>(missing.map((t) => [t, []]));
    for (const r of read) byTarget.get(r.target)?.push(r);
    for (const [target, ranges] of byTarget) this.#learnt.writes.set(writesKey(target, window), packWrites(ranges));
    return [...result, ...read];
  }

  async checkValues(checks: readonly CheckProbe[], window: DayWindow): Promise<Map<string, CheckOutcome>> {
    const { kept, missing } = this.#split<CheckProbe, { outcome: CheckOutcome }>(checks, this.#kept.checks, (probe) => checkEntryKey(probe, window), isCheckEntry);
    const result = new Map(kept.map(([probe, entry]) => [probe.key, entry.outcome]));
    if (missing.length === 0) return result;
    const real = await this.#real();
    const askedAt = Date.now();
    const read = await real.checkValues(missing, window);
    for (const probe of missing) {
      const outcome = read.get(probe.key);
      if (!outcome) continue;
      result.set(probe.key, outcome);
      this.#learnt.checks.set(checkEntryKey(probe, window), { sql: probe.sql, outcome, askedAt });
    }
    return result;
  }

  async expectedDates(calendars: readonly CalendarSpec[], window: DayWindow): Promise<Map<string, Day[]>> {
    const queried = calendars.filter((spec) => spec.kind !== 'every-day');
    const { kept, missing } = this.#split<CalendarSpec, { days: Day[] }>(queried, this.#kept.calendars, (spec) => calendarEntryKey(spec, window), isCalendarEntry);
    const result = new Map<string, Day[]>([
      ...calendars.filter((spec) => spec.kind === 'every-day').map((spec): [string, Day[]] => [calendarKey(spec), everyDay(window)]),
      ...kept.map(([spec, entry]): [string, Day[]] => [calendarKey(spec), entry.days]),
    ]);
    if (missing.length === 0) return result;
    const real = await this.#real();
    const askedAt = Date.now();
    const read = await real.expectedDates(missing, window);
    for (const spec of missing) {
      const days = read.get(calendarKey(spec));
      if (!days) continue;
      result.set(calendarKey(spec), days);
      this.#learnt.calendars.set(calendarEntryKey(spec, window), { spec, days, askedAt });
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
   * nothing new was asked of it, or it cannot say.
   */
  async entriesToKeep(): Promise<ReadCacheEntries | undefined> {
    const real = await this.#inner?.catch(() => undefined);
    const learnt = this.#learnt;
    // nothing asked of the file (only `describeConnection`, say): the kept answers stand as they are
    if (!real?.fixedReads || this.#outdated || Object.values(learnt).every((m: Map<string, unknown>) => m.size === 0)) return undefined;
    const checks = [...learnt.checks.values()];
    const calendars = [...learnt.calendars.values()];
    const tables = [...new Set([...[...learnt.present.values()].map((p) => p.table), ...calendars.flatMap((c) => (c.spec.kind === 'table' ? [c.spec.table] : []))])];
    const queries = [...checks.map((c) => c.sql), ...calendars.flatMap((c) => (c.spec.kind === 'sql' ? [c.spec.sql] : []))];
    const fixed = await real.fixedReads(tables, queries);
    // A query is kept with the stamps of the files it reads, taken now, and only if each file was
    // settled when the query went out: a change after that would show in its times.
    const fixity = new Map(queries.map((query, i) => [query, fixed.queries[i]]));
    const stampsOf = (query: string, askedAt: number): FileStampEntry[] | undefined => {
      const found = fixity.get(query);
      if (!found) return undefined;
      const stamps = found.files.map((file) => ({ file, ...fileStamp(file, askedAt) }));
      return stamps.every((s) => s.settled) ? stamps.map((s) => [s.file, s.key] as const) : undefined;
    };
    const calendarFiles = (spec: CalendarSpec, askedAt: number): readonly FileStampEntry[] | undefined =>
      spec.kind === 'table' ? (fixed.tables.has(spec.table) ? [] : undefined) : spec.kind === 'sql' ? stampsOf(spec.sql, askedAt) : undefined;

    const keptOf = <T>(entries: Readonly<Record<string, T>>): Record<string, T> => {
      const out = { ...entries };
      for (const key of this.#stale) delete out[key];
      return out;
    };
    const present = keptOf(this.#kept.present);
    for (const [key, { table, value }] of learnt.present) if (fixed.tables.has(table)) present[key] = value;
    const writes = keptOf(this.#kept.writes);
    // dagrun's own records: tables of the file
    for (const [key, ranges] of learnt.writes) writes[key] = ranges;
    const checkEntries = keptOf(this.#kept.checks);
    for (const [key, { sql, outcome, askedAt }] of learnt.checks) {
      const files = stampsOf(sql, askedAt);
      if (files && keepsInJson(outcome)) checkEntries[key] = { outcome, files, ...cwdOf(files) };
    }
    const calendarEntries = keptOf(this.#kept.calendars);
    for (const [key, { spec, days, askedAt }] of learnt.calendars) {
      const files = calendarFiles(spec, askedAt);
      if (files) calendarEntries[key] = { days, files, ...cwdOf(files) };
    }
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
