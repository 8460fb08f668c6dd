/**
 * The BigQuery implementation of the warehouse seam, written against the `BigQueryPort`
 * (`bigquery.ts` builds the port over the official client): coverage, checks, SQL builds as
 * one job per range, loads, write records, estimates and the connection check, each in its
 * own module.
 */
import type { CalendarSpec } from '../config/types.js';
import type { Day } from '../intervals/day.js';
import type { StepEstimate } from './plan-estimate.js';
import { describeConnection } from './bigquery-connect.js';
import { dayOfCell, readExpectedDates, readPresentRanges } from './bigquery-coverage.js';
import { estimateBuild } from './bigquery-estimate.js';
import { type BuildJobOptions, KeyedLock, buildJobId, runBuildJob } from './bigquery-jobs.js';
import { loadRange } from './bigquery-load.js';
import { type BigQueryPort, mapConcurrent, sqlBuildQuery } from './bigquery-port.js';
import type { RetryEvent, RetryPolicy } from './bigquery-retry.js';
import { composeBuildScript } from './bigquery-script.js';
import { perDateOutcome } from './check-rows.js';
import { resolveTable } from './bigquery-sql.js';
import { toNumber } from './bigquery-values.js';
import { beginWrites, ensureWritesTable, readWriteRanges, readWrites, recordWrites, recordsStatement } from './bigquery-writes.js';
import {
  type CheckOutcome,
  type CheckProbe,
  type DayWindow,
  type LoadOutcome,
  type LoadRequest,
  type PresentDates,
  type PresentRanges,
  type SqlBuildOutcome,
  type SqlBuildRequest,
  type TableProbe,
  type Warehouse,
  type WriteBatch,
  type WriteRange,
  type WriteRecord,
  WarehouseError,
  expandPresent,
} from './warehouse.js';

/** How a run opens BigQuery. */
export interface BigQueryOpenOptions {
  /** The run's id, sent as the `run_id` label of every job. */
  readonly runId: string;
  /** Retry bounds for transient failures (tests pass zero delays). */
  readonly retry?: RetryPolicy;
  /** Called before each retry, so the engine can log it. */
  readonly onRetry?: (event: RetryEvent) => void;
}

/** The BigQuery implementation of the warehouse seam. */

export class BigQueryWarehouse implements Warehouse {
  readonly engine = 'bigquery' as const;
  /** Commands reach BigQuery through its API, which has no single-writer limit. */
  readonly commandsNeedExclusiveAccess = false;
  readonly #port: BigQueryPort;
  readonly #options: BigQueryOpenOptions;
  /**
   * The last job attempt of each range, and whether its end is known: a range run again (a
   * build retry) takes the next job id, or the same one when its job may still run.
   */
  readonly #attempts = new Map<string, { attempt: number; settled: boolean }>();
  /** Conflicting transactions of one table retry one at a time. */
  readonly #commits = new KeyedLock();
  /** Tables this run wrote (as named in the pipeline): measured by scan, not lagging partition metadata. */
  readonly #written = new Set<string>();
  /** Fully qualified table of each target seen, recorded with its write records. */
  readonly #tables = new Map<string, string>();

  /** Wraps a port; `openBigQuery` builds the real one. */
  constructor(port: BigQueryPort, options: BigQueryOpenOptions = { runId: 'run' }) {
    this.#port = port;
    this.#options = options;
  }

  expectedDates(calendars: readonly CalendarSpec[], window: DayWindow): Promise<Map<string, Day[]>> {
    return readExpectedDates(this.#port, calendars, window);
  }

  presentRanges(tables: readonly TableProbe[], window: DayWindow): Promise<Map<string, PresentRanges>> {
    return readPresentRanges(this.#port, tables, window, (table) => this.#written.has(table));
  }

  async presentDates(tables: readonly TableProbe[], window: DayWindow): Promise<Map<string, PresentDates>> {
    return expandPresent(await this.presentRanges(tables, window));
  }

  async checkValues(checks: readonly CheckProbe[], window: DayWindow): Promise<Map<string, CheckOutcome>> {
    const outcomes = await mapConcurrent(checks, 4, async (check): Promise<CheckOutcome> => {
      try {
        const rows = await this.#port.query({
          sql: check.sql,
          params: { start_date: { type: 'DATE', value: window.first }, end_date: { type: 'DATE', value: window.last } },
          purpose: 'check',
          // Keys are `target/check` by convention: label both, so costs add up per target.
          target: check.key.includes('/') ? check.key.slice(0, check.key.indexOf('/')) : undefined,
          labels: { check: check.key },
        });
        if (check.perDate) {
          return perDateOutcome(rows.map((row) => {
            const [date, value] = Object.values(row);
            return [date === undefined || date === null ? undefined : dayOfCell(date), toNumber(value ?? null)] as const;
          }));
        }
        const first = rows[0] === undefined ? null : (Object.values(rows[0])[0] ?? null);
        return { ok: true, value: toNumber(first) };
      } catch (error) {
        return { ok: false, error: error instanceof Error ? error.message : String(error) };
      }
    });
    return new Map(checks.map((check, i) => [check.key, outcomes[i]!]));
  }

  /**
   * Runs the build as one job per attempt (see bigquery-jobs.ts). Its write records commit
   * inside its transaction when it has one; otherwise the days are marked unfinished before
   * the job and recorded after it, so a run that dies in between leaves them outdated.
   */
  async runSql(request: SqlBuildRequest): Promise<SqlBuildOutcome> {
    const ref = resolveTable(request.table, this.#port.project);
    const table = `${ref.project}.${ref.dataset}.${ref.table}`;
    this.#tables.set(request.target, table);
    this.#written.add(request.table);
    await this.#port.ensureDataset(ref);
    const record = request.record && request.record.days.length > 0 ? request.record : undefined;
    if (record) await ensureWritesTable(this.#port);
    const records = record ? recordsStatement(this.#port, [{ batch: record, table }], 'dagrun_w') : undefined;
    const composed = composeBuildScript(request.sql, records ? [records.sql] : []);
    const base = sqlBuildQuery(request, composed.script);
    const query = composed.joined ? { ...base, params: { ...base.params, ...records!.params } } : base;
    if (record && !composed.joined) await beginWrites(this.#port, record, this.#tables);
    let bytesBilled: number | undefined;
    try {
      // build.timeout, when the request carries it, becomes the job's own limit (jobTimeoutMs):
      // BigQuery then stops the job itself, even if dagrun is gone.
      ({ bytesBilled } = await runBuildJob(this.#port, request, query, { ...this.#jobOptions(request, table), timeoutMs: request.timeoutMs }));
    } finally {
      // The build may have created or replaced the table: learn it afresh next time.
      this.#port.forgetTable(ref);
    }
    if (record && !composed.joined) await recordWrites(this.#port, [record], this.#tables);
    return bytesBilled === undefined ? {} : { bytesBilled };
  }

  /** A command's rows: a load job into a staging table, checked, then one transaction (see bigquery-load.ts). */
  loadRows(request: LoadRequest): Promise<LoadOutcome> {
    const ref = resolveTable(request.table, this.#port.project);
    this.#tables.set(request.target, `${ref.project}.${ref.dataset}.${ref.table}`);
    this.#written.add(request.table);
    const loadKey = buildJobId(this.#options.runId, { ...request, target: `${request.target}_load` }, 0);
    // A load job replaces its staging table, so running one again is harmless: always the next id.
    const loadAttempt = (this.#attempts.get(loadKey)?.attempt ?? 0) + 1;
    this.#attempts.set(loadKey, { attempt: loadAttempt, settled: true });
    return loadRange(this.#port, request, {
      loadJobId: buildJobId(this.#options.runId, { ...request, target: `${request.target}_load` }, loadAttempt),
      runReplace: async (query, table) => (await runBuildJob(this.#port, request, query, this.#jobOptions(request, table))).bytesBilled,
    });
  }

  /** The first attempt number of a new call for a range. */
  #nextAttempt(key: string): number {
    const last = this.#attempts.get(key);
    if (!last) return 1;
    return last.settled ? last.attempt + 1 : last.attempt;
  }

  /** How the jobs of a range are named, retried and queued: each call takes the next attempt numbers. */
  #jobOptions(request: Pick<SqlBuildRequest, 'target' | 'start' | 'end' | 'dates'>, table: string): BuildJobOptions {
    const key = buildJobId(this.#options.runId, request, 0);
    return {
      runId: this.#options.runId,
      firstAttempt: this.#nextAttempt(key),
      used: (attempt, settled) => this.#attempts.set(key, { attempt, settled }),
      table,
      lock: this.#commits,
      policy: this.#options.retry,
      onRetry: this.#options.onRetry,
    };
  }

  beginWrites(batch: WriteBatch): Promise<void> {
    return beginWrites(this.#port, batch, this.#tables);
  }

  /**
   * Bytes one job of the build would bill, by dry runs (free) of each statement; throws,
   * with the reason, when that cannot be known. For `dagrun -n` and `--max-bytes`.
   */
  async estimateSqlBytes(request: SqlBuildRequest): Promise<number> {
    const estimate = await estimateBuild(this.#port, request, 1);
    if (estimate.kind === 'unknown') throw new WarehouseError(estimate.reason, { transient: false });
    return estimate.bytes;
  }

  /** What a step of `ranges` jobs over the request's dates would bill: known, or unknown and why. */
  estimateBuild(request: SqlBuildRequest, ranges: number): Promise<StepEstimate> {
    return estimateBuild(this.#port, request, ranges);
  }

  /** What `dagrun check --connect` prints: project, datasets, tables, calendars, state table. */
  describeConnection(calendars: readonly CalendarSpec[], tables: readonly TableProbe[]): Promise<string[]> {
    return describeConnection(this.#port, calendars, tables);
  }

  readWrites(targets: readonly string[], window: DayWindow): Promise<WriteRecord[]> {
    return readWrites(this.#port, targets, window);
  }

  /** The write records as ranges made on the server (one query): no object per target-date. */
  readWriteRanges(targets: readonly string[], window: DayWindow): Promise<WriteRange[]> {
    return readWriteRanges(this.#port, targets, window);
  }

  recordWrites(batches: readonly WriteBatch[]): Promise<void> {
    return recordWrites(this.#port, batches, this.#tables);
  }

  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return work();
  }

  /** Cancels the jobs still running (jobs.cancel), so none commits after dagrun stopped. */
  async close(): Promise<void> {
    await this.#port.cancelRunning();
  }
}
