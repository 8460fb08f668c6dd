/**
 * The embedded warehouse: one DuckDB file. DuckDB lets one process write a file at a time,
 * so dagrun's own queries share one instance, and a command target that opens the file
 * itself gets it alone: `exclusive()` closes the instance and the next query reopens it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection, DuckDBInstance, DuckDBValue } from '@duckdb/node-api';
import { duckdb } from './duckdb-module.js';

const { dateValue, listValue } = duckdb;
import type { CalendarSpec } from '../config/types.js';
import { DagrunError, messageOf } from '../core/errors.js';
import { mapConcurrent } from '../core/concurrency.js';
import { ReadWriteLock } from '../core/rw-lock.js';
import type { Day } from '../intervals/day.js';
import { tableParts } from './sql-text.js';
import {
  dayList,
  EPOCH,
  presentRangesQuery,
  describeOpenFailure,
  firstLine,
  isConflict,
  quoteIdent,
  retryOnConflict,
  runScript,
} from './duckdb-sql.js';
import { decodeWriteRanges, insertWriteRecords, latestPerTarget, prepareWriteRanges, readRangesQuery, WRITES_TABLE, writesLayout, type WritesLayout } from './duckdb-writes.js';
import { createFromStaged, dropStaged, replaceRange, stageRows } from './duckdb-load.js';
import { calendarDays, existingTables, readCheckValues, runWindowed } from './duckdb-reads.js';
import { fixedReads } from './duckdb-fixed-reads.js';
import { rangesOfBits } from './duckdb-bits.js';
import {
  type CheckOutcome,
  type LoadOutcome,
  type LoadRequest,
  UNFINISHED,
  type CheckProbe,
  type DayWindow,
  type FixedReads,
  type PresentDates,
  type PresentRanges,
  type SqlBuildRequest,
  type TableProbe,
  type Warehouse,
  type WriteBatch,
  type WriteRange,
  type WriteRecord,
  WarehouseError,
  expandPresent,
} from './warehouse.js';

/** Tables per present-dates statement, and statements at once (see `presentDates`). */
const PRESENT_BATCH = 100;
const PRESENT_PARALLEL = 4;

/**
 * The buffer pool of a read-only run of `tables` tables: 256 MB, and 32 KB more per table. DuckDB
 * keeps each table it has read described in memory it cannot give back: at 10,000 tables 256 MB
 * was all taken, and 198 checks of a status failed with "Out of Memory" (512 MB: none).
 */
export function leanMemoryLimit(tables: number): string {
  return `${256 + Math.ceil((tables * 32) / 1024)}MB`;
}

/** Options for opening the embedded warehouse. */
export interface DuckDbOptions {
  /** Absolute path of the database file (created on first use). */
  readonly path: string;
  /** Folder that relative file paths inside SQL resolve against (the pipeline's folder). */
  readonly searchPath: string;
  /**
   * A run that only reads, of this many tables: one thread and a buffer pool of `leanMemoryLimit`
   * of them. Reading every table pulls its blocks in: 10,000 targets × 365 dates took 3.5 GB and
   * 16 s of CPU with DuckDB's defaults, 1.1 GB and 12.5 s with 256 MB, in about the same wall time
   * (bench g, docs/performance.md).
   */
  readonly leanFor?: number;
}

/** The DuckDB implementation of the warehouse seam. */
export class DuckDbWarehouse implements Warehouse {
  readonly engine = 'duckdb' as const;
  readonly commandsNeedExclusiveAccess = true;
  readonly #options: DuckDbOptions;
  readonly #lock = new ReadWriteLock();
  /** Set inside `urgent()`: this async context's reads pass a command waiting for the file. */
  readonly #urgency = new AsyncLocalStorage<boolean>();
  #instance: DuckDBInstance | undefined;
  #opening: Promise<DuckDBInstance> | undefined;
  readonly #schemas = new Map<string, Promise<void>>();
  #writesTable: Promise<void> | undefined;
  /**
   * The file's write records are known to be ranges (seen or made so while it is open): asking
   * again would scan the catalog, ~4 µs for every table in the file, on every gate.
   */
  #rangesLayout = false;
  /** The file's catalog (its name without the extension), to name a table in full when looking it up. */
  #catalog: string | undefined;
  /** Whether this process has folded hidden write rows yet (once, at its first write). */
  #folded = false;
  #queriesSent = 0;

  constructor(options: DuckDbOptions) {
    this.#options = options;
  }

  /** Opens the file now, so a locked or corrupt file is reported before any work starts. */
  async open(): Promise<void> {
    await this.#lock.shared(() => this.#instanceOrOpen());
  }

  /**
   * The open instance, opening it once however many operations ask at the same moment: two
   * instances of one file in one process would each believe they own it, and the later
   * checkpoint would silently drop the other's writes.
   */
  #instanceOrOpen(): Promise<DuckDBInstance> {
    this.#opening ??= this.#openInstance().catch((error: unknown) => {
      this.#opening = undefined;
      throw error;
    });
    return this.#opening;
  }

  async #openInstance(): Promise<DuckDBInstance> {
    mkdirSync(path.dirname(this.#options.path), { recursive: true });
    try {
      const instance = await duckdb.DuckDBInstance.create(this.#options.path, this.#options.leanFor !== undefined ? { threads: '1', memory_limit: leanMemoryLimit(this.#options.leanFor) } : undefined);
      const connection = await instance.connect();
      await connection.run(`SET GLOBAL file_search_path = '${this.#options.searchPath.replaceAll("'", "''")}'`);
      this.#catalog = String((await connection.runAndReadAll('SELECT current_database()')).getRows()[0]![0]);
      connection.closeSync();
      this.#instance = instance;
      return instance;
    } catch (error) {
      throw new DagrunError(
        'warehouse-unavailable',
        `cannot open the DuckDB warehouse ${this.#options.path}: ${describeOpenFailure(messageOf(error))}`,
      );
    }
  }


  #closeNow(): void {
    this.#instance?.closeSync();
    this.#instance = undefined;
    this.#opening = undefined;
    this.#schemas.clear();
    this.#writesTable = undefined;
    this.#rangesLayout = false;
  }

  /**
   * Runs `work` on a connection of its own: DuckDB runs connections of one instance in
   * parallel, each with its own transaction, so SQL builds of different targets overlap.
   */
  #query<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.#lock.shared(async () => {
      const connection = await (await this.#instanceOrOpen()).connect();
      try {
        return await work(this.#counting(connection));
      } finally {
        connection.closeSync();
      }
    }, { urgent: this.#urgency.getStore() === true });
  }

  /**
   * `#query` in a read-only transaction: user SQL that only reads (checks, calendars) cannot
   * write even if its text slips past `check` (a `nextval`, SQL inside a `query('…')` string).
   * The transaction's own BEGIN and ROLLBACK are not counted as requests.
   */
  #readOnlyQuery<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.#lock.shared(async () => {
      const connection = await (await this.#instanceOrOpen()).connect();
      try {
        await connection.run('BEGIN TRANSACTION READ ONLY');
        return await work(this.#counting(connection));
      } finally {
        await connection.run('ROLLBACK').catch(() => undefined);
        connection.closeSync();
      }
    }, { urgent: this.#urgency.getStore() === true });
  }

  /** How many SQL requests dagrun has sent (a multi-statement script or check counts once); for tests and benchmarks. */
  get queriesSent(): number {
    return this.#queriesSent;
  }

  /** The connection, with every request it is asked to run counted. */
  #counting(connection: DuckDBConnection): DuckDBConnection {
    const counted = new Set<PropertyKey>(['run', 'runAndReadAll', 'prepare', 'extractStatements']);
    return new Proxy(connection, {
      get: (target, property) => {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        if (!counted.has(property)) return value.bind(target);
        return (...args: unknown[]) => {
          this.#queriesSent++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  }

  urgent<T>(work: () => Promise<T>): Promise<T> {
    return this.#urgency.run(true, work);
  }

  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.#lock.exclusive(async () => {
      this.#closeNow();
      return work();
    });
  }

  async close(): Promise<void> {
    await this.#lock.exclusive(async () => this.#closeNow());
  }

  async expectedDates(calendars: readonly CalendarSpec[], window: DayWindow): Promise<Map<string, Day[]>> {
    const queried = calendars.filter((spec) => spec.kind !== 'every-day');
    if (queried.length === 0) return calendarDays(calendars, window, undefined);
    return this.#readOnlyQuery((connection) => calendarDays(calendars, window, connection));
  }

  async checkValues(checks: readonly CheckProbe[], window: DayWindow): Promise<Map<string, CheckOutcome>> {
    if (checks.length === 0) return new Map();
    return this.#readOnlyQuery((connection) => readCheckValues(connection, checks, window));
  }

  async fixedReads(tables: readonly string[], queries: readonly string[]): Promise<FixedReads> {
    return this.#readOnlyQuery((connection) => fixedReads(connection, tables, queries, this.#options.searchPath));
  }

  async presentDates(tables: readonly TableProbe[], window: DayWindow): Promise<Map<string, PresentDates>> {
    return expandPresent(await this.presentRanges(tables, window));
  }

  async presentRanges(tables: readonly TableProbe[], window: DayWindow): Promise<Map<string, PresentRanges>> {
    const result = new Map<string, PresentRanges>();
    if (tables.length === 0) return result;
    for (const t of tables) result.set(t.table, { exists: false, ranges: [] });
    const existing = await this.#query((connection) => existingTables(connection, tables.map((t) => t.table), { autocommit: true, catalog: this.#catalog }));
    const probes = tables.filter((t) => existing.has(t.table));
    // One UNION ALL of every table grows worse than linearly in DuckDB's planner (1000 branches:
    // 1.4–3.1 s, ten of 100: 0.75 s): batches of PRESENT_BATCH, each on its own connection, at once.
    const batches: TableProbe[][] = [];
    for (let i = 0; i < probes.length; i += PRESENT_BATCH) batches.push(probes.slice(i, i + PRESENT_BATCH));
    // a few at a time: every statement in flight holds its own connection and result
    await mapConcurrent(batches, PRESENT_PARALLEL, (batch) =>
      this.#query(async (connection) => {
        const rows = await runWindowed(connection, presentRangesQuery(batch, window), window, 'present-dates query');
        for (const [k, present] of rows) {
          const ranges = present instanceof duckdb.DuckDBBitValue ? rangesOfBits(present.data, window.first) : [];
          result.set(batch[Number(k)]!.table, { exists: true, ranges });
        }
      }),
    );
    return result;
  }

  async runSql(request: SqlBuildRequest): Promise<void> {
    await this.#query(async (connection) => {
      const { dataset } = tableParts(request.table);
      const params: Record<string, DuckDBValue> = {
        start_date: dateValue(request.start),
        end_date: dateValue(request.end),
        dates: dayList(request.dates),
      };
      await this.#ensureSchema(connection, dataset);
      if (request.record) await this.#ensureWritesTable(connection);
      await retryOnConflict(async () => {
        try {
          await connection.run('BEGIN TRANSACTION');
          await runScript(connection, request.sql, params);
          // the records commit with the rows: no moment at which one exists without the other
          if (request.record) await insertWriteRecords(connection, [request.record]);
          await connection.run('COMMIT');
        } catch (error) {
          await connection.run('ROLLBACK').catch(() => undefined);
          throw new WarehouseError(firstLine(messageOf(error)), { transient: isConflict(error) });
        }
      });
    });
  }

  /**
   * Creates a schema once per process: concurrent `CREATE SCHEMA IF NOT EXISTS` in two
   * transactions is a catalog write-write conflict in DuckDB.
   */
  #ensureSchema(connection: DuckDBConnection, schema: string): Promise<void> {
    const key = schema.toLowerCase();
    let ready = this.#schemas.get(key);
    if (!ready) {
      ready = retryOnConflict(() => connection.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`).then(() => undefined));
      ready.catch(() => this.#schemas.delete(key));
      this.#schemas.set(key, ready);
    }
    return ready;
  }

  async readWrites(targets: readonly string[], window: DayWindow): Promise<WriteRecord[]> {
    // One row per record, run id included: the audit path, not what status reads. The
    // per-date view of the ranges, or the per-date table of a file written before them.
    const rows = await this.#readWritesTable(
      targets,
      window,
      () =>
        `SELECT target, CAST(day - ${EPOCH} AS INTEGER), written_at, fingerprint, run_id FROM ${WRITES_TABLE}
       WHERE list_contains($targets, target) AND day BETWEEN $first AND $last`,
      async (connection, sql, params) => (await connection.runAndReadAll(sql, params)).getRows(),
      [],
    );
    return rows.map(([target, day, writtenAt, fingerprint, runId]) => ({
      target: String(target),
      day: Number(day) as Day,
      writtenAt: Number(writtenAt),
      fingerprint: String(fingerprint),
      runId: String(runId),
    }));
  }

  async readWriteRanges(targets: readonly string[], window: DayWindow): Promise<WriteRange[]> {
    return latestPerTarget(await this.#readWritesTable(targets, window, readRangesQuery, async (connection, sql, params) => decodeWriteRanges(await connection.run(sql, params)), []));
  }

  /**
   * What `read` makes of a query over the write records (made for the file's layout) with
   * `$targets`, `$first` and `$last` bound; `none` before the first write.
   */
  async #readWritesTable<T>(
    targets: readonly string[],
    window: DayWindow,
    sql: (layout: Exclude<WritesLayout, 'none'>) => string,
    read: (connection: DuckDBConnection, sql: string, params: Record<string, DuckDBValue>) => Promise<T>,
    none: T,
  ): Promise<T> {
    if (targets.length === 0) return none;
    return this.#query(async (connection) => {
      try {
        const layout = this.#rangesLayout ? 'ranges' : await writesLayout(connection);
        if (layout === 'none') return none;
        this.#rangesLayout = layout === 'ranges';
        return await read(connection, sql(layout), {
          targets: listValue([...targets]),
          first: dateValue(window.first),
          last: dateValue(window.last),
        });
      } catch (error) {
        // a file damaged past its header opens, then fails here: say so, as on opening
        throw new WarehouseError(`reading dagrun's write records in ${this.#options.path} failed: ${describeOpenFailure(messageOf(error))}`, { transient: false });
      }
    });
  }

  async recordWrites(batches: readonly WriteBatch[]): Promise<void> {
    if (batches.every((b) => b.days.length === 0)) return;
    await this.#query(async (connection) => {
      await this.#ensureWritesTable(connection);
      await this.#transaction(connection, 'recording writes', () => insertWriteRecords(connection, batches));
    });
  }

  async beginWrites(batch: WriteBatch): Promise<void> {
    await this.recordWrites([{ ...batch, fingerprint: UNFINISHED }]);
  }

  async loadRows(request: LoadRequest): Promise<LoadOutcome> {
    return this.#query(async (connection) => {
      await this.#ensureSchema(connection, tableParts(request.table).dataset);
      await this.#ensureWritesTable(connection);
      const existed = (await existingTables(connection, [request.table], { autocommit: true, catalog: this.#catalog })).size > 0;
      const staged = await stageRows(connection, request, existed);
      try {
        // created outside the transaction: concurrent CREATEs of one table conflict in the catalog
        if (staged.table && !existed) await retryOnConflict(() => createFromStaged(connection, request, staged));
        const exists = existed || (await existingTables(connection, [request.table], { autocommit: true, catalog: this.#catalog })).size > 0;
        await this.#transaction(connection, `loading the rows of ${request.target}`, async () => {
          await replaceRange(connection, request, staged, exists);
          await insertWriteRecords(connection, [request.record]);
        });
        return { rows: staged.rows };
      } finally {
        await dropStaged(connection, staged.table);
      }
    });
  }

  /** Runs `work` in one transaction, again when another of dagrun's connections committed first. */
  async #transaction(connection: DuckDBConnection, what: string, work: () => Promise<void>): Promise<void> {
    await retryOnConflict(async () => {
      await connection.run('BEGIN TRANSACTION');
      try {
        await work();
        await connection.run('COMMIT');
      } catch (error) {
        await connection.run('ROLLBACK').catch(() => undefined);
        throw new WarehouseError(`${what} failed: ${firstLine(messageOf(error))}`, { transient: isConflict(error) });
      }
    });
  }

  /**
   * `_dagrun.write_ranges`, created (or made from a file's per-date records) once per process,
   * before any transaction needs it.
   */
  async #ensureWritesTable(connection: DuckDBConnection): Promise<void> {
    await this.#ensureSchema(connection, '_dagrun');
    this.#writesTable ??= retryOnConflict(() => prepareWriteRanges(connection, { fold: !this.#folded })).then(
      () => void (this.#folded = this.#rangesLayout = true),
      (error: unknown) => {
        if (error instanceof WarehouseError) throw error;
        throw new WarehouseError(`preparing dagrun's write records (_dagrun.write_ranges) failed: ${firstLine(messageOf(error))}`, { transient: isConflict(error) });
      },
    );
    this.#writesTable.catch(() => (this.#writesTable = undefined));
    await this.#writesTable;
  }
}
