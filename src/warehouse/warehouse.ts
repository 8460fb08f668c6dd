/**
 * The warehouse seam: the only interface that knows an engine is behind it. Everything a
 * status run needs is asked in batches (all calendars, all tables, all checks at once), so
 * a run costs a few queries whatever the number of targets and dates.
 */
import type { CalendarSpec, OutputFormat } from '../config/types.js';
import type { Day } from '../intervals/day.js';
import { daysOfRanges } from '../intervals/day-ranges.js';
import type { DayRange, DayWindow } from '../intervals/interval.js';

/** The window queries are restricted to; re-exported for compatibility (import it from intervals/). */
export type { DayWindow };

/** A table whose present dates are asked for. */
export interface TableProbe {
  readonly table: string;
  readonly dateColumn: string;
}

/** A run of days with one time (a partition's last modification). */
export interface TimedRange extends DayRange {
  /** Epoch ms. */
  readonly at: number;
}

/**
 * The distinct dates a table holds within the window, as ranges: what engines return,
 * computed in SQL (gaps-and-islands), so a fully built table costs one row, not one per date.
 */
export interface PresentRanges {
  /** False when the table does not exist yet: coverage 0, not an error. */
  readonly exists: boolean;
  /** Sorted, disjoint, non-adjacent inclusive ranges. */
  readonly ranges: readonly DayRange[];
  /**
   * When the engine knows it (BigQuery partitions): when each day was last modified, as
   * sorted disjoint runs of days with one time, standing in for write records of tables
   * dagrun did not write.
   */
  readonly modified?: readonly TimedRange[];
  /**
   * When the engine deletes old partitions (BigQuery partition expiration): the first day
   * still kept, and the expiration. Earlier days are not expected: a rebuild would expire again.
   */
  readonly partitionExpiry?: { readonly firstKept: Day; readonly expirationMs: number };
}

/** The same one day each, for callers that look at a table or two (a gate, `check --connect`). */
export interface PresentDates {
  readonly exists: boolean;
  /** Sorted distinct days. */
  readonly days: readonly Day[];
  /** Epoch ms at which each day was last modified, when the engine knows (see `PresentRanges.modified`). */
  readonly modifiedAt?: ReadonlyMap<Day, number>;
  readonly partitionExpiry?: PresentRanges['partitionExpiry'];
}

/** A check query to evaluate; `@start_date`/`@end_date` are bound to the window. */
export interface CheckProbe {
  /** Unique key chosen by the caller, e.g. `target/check`. */
  readonly key: string;
  readonly sql: string;
  /** The query returns rows of (date, value), one per date, instead of one number. */
  readonly perDate?: boolean;
}

/** A per-date check's values: parallel lists, days sorted. */
export interface DayValues {
  readonly days: readonly Day[];
  readonly values: readonly (number | null)[];
}

/**
 * What a check query returned: one number (or NULL), or the error it raised. A per-date
 * check returns its rows in `perDay` (and `value` null).
 */
export type CheckOutcome =
  | { readonly ok: true; readonly value: number | null; readonly perDay?: DayValues }
  | { readonly ok: false; readonly error: string };

/** The last write dagrun recorded for one date of one target. */
export interface WriteRecord {
  readonly target: string;
  readonly day: Day;
  /** Epoch milliseconds (fractional) when the range holding this day finished. */
  readonly writtenAt: number;
  /** Fingerprint of the target's definition at that write. */
  readonly fingerprint: string;
  readonly runId: string;
}

/**
 * The latest write records of a run of consecutive days of one target that are alike (one
 * time, definition and run): what `readWriteRanges` returns, one per written range, so a
 * target built in one go costs one, not one per date.
 */
export interface WriteRange extends DayRange {
  readonly target: string;
  /** Epoch milliseconds (fractional) when the range holding these days finished. */
  readonly writtenAt: number;
  /**
   * Fingerprint of the target's definition at that write; `UNFINISHED` when these days were
   * handed to a command (of `runId`) that writes the table itself and whose end was never
   * recorded: they may hold old or half-written rows, so they are outdated whatever else is known.
   */
  readonly fingerprint: string;
  readonly runId: string;
}

/**
 * The fingerprint of a write record that marks its day unfinished (`beginWrites`): real
 * fingerprints are never empty, and the latest record of a day wins, so the mark lasts
 * exactly until the range's own records land.
 */
export const UNFINISHED = '';

/** The write records of one range. */
export interface WriteBatch {
  readonly target: string;
  readonly days: readonly Day[];
  /**
   * Recorded as given when set (tests, imports). Left out, the warehouse stamps the write
   * with its own clock, later than every record it holds: runners whose clocks disagree
   * still agree on which write came last.
   */
  readonly writtenAt?: number;
  readonly fingerprint: string;
  readonly runId: string;
}

/** One run of a SQL build for one batch of dates. */
export interface SqlBuildRequest {
  readonly target: string;
  /** The target's table, so the adapter can create its schema/dataset if needed. */
  readonly table: string;
  readonly sql: string;
  readonly start: Day;
  readonly end: Day;
  readonly dates: readonly Day[];
  /** Cost-tracing labels (BigQuery job labels): tool, target, run id. */
  readonly labels: Readonly<Record<string, string>>;
  /** The range's write records: durable no later than its data (the same transaction where the engine allows). */
  readonly record?: WriteBatch;
  /** `build.timeout`: engines that run jobs (BigQuery) end the job itself after it, too. */
  readonly timeoutMs?: number;
}

/** Rows a command handed over in a file, to replace the range's dates of the target's table. */
export interface LoadRequest {
  readonly target: string;
  readonly table: string;
  readonly dateColumn: string;
  /** Absolute path of the file the command wrote. */
  readonly file: string;
  readonly format: OutputFormat;
  readonly start: Day;
  readonly end: Day;
  /** The dates handed to the command: exactly these are replaced. */
  readonly dates: readonly Day[];
  /** Dates of the range with no rows are fine (else the load fails, naming them). */
  readonly allowEmptyDates: boolean;
  readonly labels: Readonly<Record<string, string>>;
  /** The range's write records, committed with its rows. */
  readonly record: WriteBatch;
}

/** What a SQL build's run knows of itself: engines that bill (BigQuery) say what it billed. */
export interface SqlBuildOutcome {
  /** Bytes billed by the range's job (a BigQuery SCRIPT: the sum of its statements); absent when unknown. */
  readonly bytesBilled?: number;
}

/** What a load wrote. */
export interface LoadOutcome {
  readonly rows: number;
  /** Bytes billed to put the rows in place, when the engine bills and said (BigQuery: the replacing job). */
  readonly bytesBilled?: number;
}

/** An engine's estimate of one SQL step (e.g. a BigQuery dry run), for `-n` and `--max-bytes`. */
export type StepEstimate =
  /** The dry run answered: the bytes the step's SQL would process over all its dates. */
  | { readonly kind: 'known'; readonly bytes: number }
  /** No estimate, and why (e.g. an upstream table is not built yet: `notFound`). */
  | { readonly kind: 'unknown'; readonly reason: string };

/** Estimates of a plan's SQL steps, by target, in plan order. Command steps have none: their cost is their own. */
export type TargetToEstimate = ReadonlyMap<string, StepEstimate>;

/** Whether a query's answer is fixed while the warehouse file is: not, or given the local files it reads (absolute paths). */
export type QueryFixity = false | { readonly files: readonly string[] };

/** What `Warehouse.fixedReads` found. */
export interface FixedReads {
  /** The given tables whose present dates are the file's alone (not views). */
  readonly tables: ReadonlySet<string>;
  /** Per given query, in order. */
  readonly queries: readonly QueryFixity[];
}

/** Why a warehouse call failed: transient errors may be retried, permanent ones not. */
export class WarehouseError extends Error {
  readonly transient: boolean;
  constructor(message: string, options: { transient: boolean }) {
    super(message);
    this.name = 'WarehouseError';
    this.transient = options.transient;
  }
}

/** The engine behind the pipeline. Implementations: `duckdb.ts`, `bigquery.ts`. */
export interface Warehouse {
  /** Engine name for messages. */
  readonly engine: 'duckdb' | 'bigquery';
  /** Expected days of each calendar within the window, keyed by `calendarKey(spec)`. */
  expectedDates(calendars: readonly CalendarSpec[], window: DayWindow): Promise<Map<string, Day[]>>;
  /** Present days of every table within the window as ranges, keyed by table name: what a status run reads. */
  presentRanges(tables: readonly TableProbe[], window: DayWindow): Promise<Map<string, PresentRanges>>;
  /** The same, one day each (`expandPresent` of `presentRanges`): for a table or two. */
  presentDates(tables: readonly TableProbe[], window: DayWindow): Promise<Map<string, PresentDates>>;
  /** Evaluates checks; a failing query is an outcome, not an exception. */
  checkValues(checks: readonly CheckProbe[], window: DayWindow): Promise<Map<string, CheckOutcome>>;
  /**
   * Runs a SQL build in one transaction, so a failure leaves the table as it was, and
   * records `request.record` no later than the data: a run that dies at any moment leaves
   * either nothing or the rows with their records. Engines that bill (BigQuery) return what
   * the build's job billed; others return nothing.
   */
  runSql(request: SqlBuildRequest): Promise<SqlBuildOutcome | void>;
  /**
   * Replaces the request's dates of the table with the rows of the file, and records the
   * writes, all at once. Fails (permanently, naming the dates) when a row is dated outside
   * the request's dates, or, unless allowed, a date of the request has no row; the table is
   * then untouched. Creates the table from the file's columns when it does not exist.
   */
  loadRows(request: LoadRequest): Promise<LoadOutcome>;
  /**
   * Before a command that writes the table itself starts: marks its days unfinished until
   * `recordWrites` records them, so a run that dies in between leaves them outdated.
   */
  beginWrites(batch: WriteBatch): Promise<void>;
  /** The latest write record of each (target, day) within the window. */
  readWrites(targets: readonly string[], window: DayWindow): Promise<WriteRecord[]>;
  /**
   * The same records as ranges: one per run of consecutive days of a target that one write
   * left alike (time, definition, run), sorted by target, then day. What a status run reads:
   * a target built in one go costs one range, however many dates.
   */
  readWriteRanges(targets: readonly string[], window: DayWindow): Promise<WriteRange[]>;
  /** Records writes in the warehouse's `_dagrun` schema/dataset, ending the days' unfinished marks. */
  recordWrites(batches: readonly WriteBatch[]): Promise<void>;
  /**
   * Runs `work` while this process holds no handle on the warehouse, for command targets
   * that open it themselves (DuckDB allows one writing process per file). Engines without
   * that limit just run `work`. Calls are serialised.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Runs `work` (a short measurement: a gate) with its reads ahead of a command that is waiting
   * for `exclusive`, so the gate does not wait for that command to run first. Engines without
   * exclusive access leave it out.
   */
  urgent?<T>(work: () => Promise<T>): Promise<T>;
  /** Whether a command target must be run inside `exclusive`. */
  readonly commandsNeedExclusiveAccess: boolean;
  /** Releases connections. */
  close(): Promise<void>;
  /** Engines that hold a file (DuckDB): opens it now, when it was opened lazily (`OpenOptions.lazy`). */
  open?(): Promise<void>;
  /**
   * Engines whose answers stay put while one file does (DuckDB): which of `tables` and of
   * `queries` (checks, calendars) are answered by that file alone, so that a cache of reads
   * keyed on the file's signature may keep their answers (read-cache.ts). Others leave it out.
   */
  fixedReads?(tables: readonly string[], queries: readonly string[]): Promise<FixedReads>;
  /**
   * Bytes a SQL build would process, estimated without running it (a BigQuery dry run is
   * free), for `dagrun -n` and a bytes budget. Engines that bill nothing leave it out.
   */
  estimateSqlBytes?(request: SqlBuildRequest): Promise<number>;
  /**
   * For `dagrun check --connect`: reaches the warehouse and describes, one line each, what
   * it found of the project, the datasets and tables, and the calendars. Throws a
   * `WarehouseError` when the warehouse cannot be reached at all.
   */
  describeConnection?(calendars: readonly CalendarSpec[], tables: readonly TableProbe[]): Promise<string[]>;
}

/** A stable key for a calendar, used to share one query between targets with the same calendar. */
export function calendarKey(spec: CalendarSpec): string {
  switch (spec.kind) {
    case 'table':
      return `table:${spec.table}:${spec.dateColumn}`;
    case 'sql':
      return `sql:${spec.sql}`;
    case 'every-day':
      return 'every-day';
  }
}

/** Present ranges one day each (`Warehouse.presentDates`). */
export function expandPresent(present: ReadonlyMap<string, PresentRanges>): Map<string, PresentDates> {
  const out = new Map<string, PresentDates>();
  for (const [table, { ranges, modified, ...rest }] of present) {
    const days = daysOfRanges(ranges);
    let modifiedAt: Map<Day, number> | undefined;
    if (modified) {
      modifiedAt = new Map();
      for (const { first, last, at } of modified) for (let d = first; d <= last; d++) modifiedAt.set(d as Day, at);
    }
    out.set(table, { ...rest, days, ...(modifiedAt && { modifiedAt }) });
  }
  return out;
}

/** Every day of the window: the `every: 'day'` calendar, computed without a query. */
export function everyDay(window: DayWindow): Day[] {
  const out: Day[] = [];
  for (let d = window.first; d <= window.last; d++) out.push(d as Day);
  return out;
}
