/**
 * The BigQuery warehouse, on the official client (`@google-cloud/bigquery` 8.x; 9.x needs
 * Node 22). This is the only file that imports the client or google-auth-library: it turns
 * the client into the small `BigQueryPort` (labelled, capped, retried calls) that the
 * coverage, writes and connection modules are written against.
 */
import { BigQuery, type Query } from '@google-cloud/bigquery';
import { PassThroughClient } from 'google-auth-library';
import type { CalendarSpec, WarehouseConfig } from '../config/types.js';
import { DagrunError } from '../core/errors.js';
import type { Day } from '../intervals/day.js';
import { formatDay } from '../intervals/day.js';
import { describeConnection } from './bigquery-connect.js';
import { readExpectedDates, readPresentDates } from './bigquery-coverage.js';
import {
  type BigQueryPort,
  type DatasetInfo,
  type QueryParam,
  type QueryRequest,
  type Row,
  type TableInfo,
  mapConcurrent,
  sqlBuildQuery,
} from './bigquery-port.js';
import { BigQueryError, type RetryEvent, type RetryPolicy, withRetry } from './bigquery-retry.js';
import { composeBuildScript } from './bigquery-script.js';
import { type TableRef, datasetKey, jobLabels, parseByteSize, quoteTable, resolveTable } from './bigquery-sql.js';
import { isLoopbackEndpoint, isNotFound, paramType, toNumber, toRow, toTableInfo } from './bigquery-values.js';
import { beginWrites, readWriteGroups, readWrites, recordWrites } from './bigquery-writes.js';
import { rewriteNamedParameters } from './sql-text.js';
import type {
  CheckOutcome,
  CheckProbe,
  DayWindow,
  PresentDates,
  SqlBuildRequest,
  TableProbe,
  Warehouse,
  WriteBatch,
  LoadRequest,
  LoadOutcome,
  WriteGroup,
  WriteRecord,
} from './warehouse.js';
import { WarehouseError } from './warehouse.js';

export { describeRetry, type RetryEvent, type RetryPolicy } from './bigquery-retry.js';
export { isLoopbackEndpoint } from './bigquery-values.js';

/** How a run opens BigQuery. */
export interface BigQueryOpenOptions {
  /** The run's id, sent as the `run_id` label of every job. */
  readonly runId: string;
  /** Retry bounds for transient failures (tests pass zero delays). */
  readonly retry?: RetryPolicy;
  /** Called before each retry, so the engine can log it. */
  readonly onRetry?: (event: RetryEvent) => void;
}

/**
 * Opens the BigQuery warehouse. Nothing is sent yet: credentials are Application Default
 * Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud, the metadata server), except for a
 * loopback `apiEndpoint`, which gets none, so tests never touch a credential or the network.
 */
export async function openBigQuery(
  config: Extract<WarehouseConfig, { type: 'bigquery' }>,
  options: BigQueryOpenOptions,
): Promise<BigQueryWarehouse> {
  const cap = config.maximumBytesBilled === undefined ? undefined : parseByteSize(config.maximumBytesBilled);
  if (config.maximumBytesBilled !== undefined && cap === undefined) {
    throw new DagrunError(
      'warehouse-unavailable',
      `warehouse.maximumBytesBilled: ${JSON.stringify(config.maximumBytesBilled)} is not a byte size (like "10GB" or "1048576")`,
    );
  }
  const loopback = isLoopbackEndpoint(config.apiEndpoint ?? process.env['BIGQUERY_EMULATOR_HOST']);
  const client = new BigQuery({
    projectId: config.project,
    ...(config.location ? { location: config.location } : {}),
    ...(config.apiEndpoint ? { apiEndpoint: config.apiEndpoint } : {}),
    ...(loopback ? { authClient: new PassThroughClient() } : {}),
    // One retry policy, ours: bounded, reported through onRetry.
    retryOptions: { autoRetry: false },
  });
  const port = new ClientPort(client, { ...options, project: config.project, location: config.location, cap });
  return new BigQueryWarehouse(port);
}

/** The BigQuery implementation of the warehouse seam. */
export class BigQueryWarehouse implements Warehouse {
  readonly engine = 'bigquery' as const;
  /** Commands reach BigQuery through its API, which has no single-writer limit. */
  readonly commandsNeedExclusiveAccess = false;
  readonly #port: BigQueryPort;

  /** Wraps a port; `openBigQuery` builds the real one. */
  constructor(port: BigQueryPort) {
    this.#port = port;
  }

  expectedDates(calendars: readonly CalendarSpec[], window: DayWindow): Promise<Map<string, Day[]>> {
    return readExpectedDates(this.#port, calendars, window);
  }

  presentDates(tables: readonly TableProbe[], window: DayWindow): Promise<Map<string, PresentDates>> {
    return readPresentDates(this.#port, tables, window);
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
        const first = rows[0] === undefined ? null : (Object.values(rows[0])[0] ?? null);
        return { ok: true, value: toNumber(first) };
      } catch (error) {
        return { ok: false, error: error instanceof Error ? error.message : String(error) };
      }
    });
    return new Map(checks.map((check, i) => [check.key, outcomes[i]!]));
  }

  async runSql(request: SqlBuildRequest): Promise<void> {
    const ref = resolveTable(request.table, this.#port.project);
    await this.#port.ensureDataset(ref);
    // The records table is append-only (no transaction conflicts between parallel ranges):
    // the days are marked unfinished before the script and recorded after it.
    if (request.record) await beginWrites(this.#port, request.record);
    try {
      await this.#port.query(sqlBuildQuery(request, composeBuildScript(request.sql).script));
    } finally {
      // The build may have created or replaced the table: learn it afresh next time.
      this.#port.forgetTable(ref);
    }
    if (request.record) await recordWrites(this.#port, [request.record]);
  }

  loadRows(request: LoadRequest): Promise<LoadOutcome> {
    return Promise.reject(new WarehouseError(`target ${request.target}: build.output is not supported on BigQuery yet`, { transient: false }));
  }

  beginWrites(batch: WriteBatch): Promise<void> {
    return beginWrites(this.#port, batch);
  }

  /** Bytes the build would process, by dry run (free); for `dagrun -n` and `--max-bytes`. */
  estimateSqlBytes(request: SqlBuildRequest): Promise<number> {
    return this.#port.dryRun(sqlBuildQuery(request, request.sql));
  }

  /** What `dagrun check --connect` prints: project, datasets, tables, calendars, state table. */
  describeConnection(calendars: readonly CalendarSpec[], tables: readonly TableProbe[]): Promise<string[]> {
    return describeConnection(this.#port, calendars, tables);
  }

  readWrites(targets: readonly string[], window: DayWindow): Promise<WriteRecord[]> {
    return readWrites(this.#port, targets, window);
  }

  /** The write records grouped on the server (one query): no object per target-date. */
  readWriteGroups(targets: readonly string[], window: DayWindow): Promise<WriteGroup[]> {
    return readWriteGroups(this.#port, targets, window);
  }

  recordWrites(batches: readonly WriteBatch[]): Promise<void> {
    return recordWrites(this.#port, batches);
  }

  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return work();
  }

  async close(): Promise<void> {
    // The client keeps no connection that needs closing.
  }
}

/** Settings of the client port. */
interface PortSettings extends BigQueryOpenOptions {
  readonly project: string;
  readonly location: string | undefined;
  /** `maximumBytesBilled` as an int64 string. */
  readonly cap: string | undefined;
}

/** The port over the official client: every call labelled, capped and retried. */
class ClientPort implements BigQueryPort {
  readonly project: string;
  readonly location: string | undefined;
  readonly #client: BigQuery;
  readonly #settings: PortSettings;
  readonly #tables = new Map<string, Promise<TableInfo>>();
  readonly #datasets = new Map<string, Promise<void>>();

  constructor(client: BigQuery, settings: PortSettings) {
    this.#client = client;
    this.#settings = settings;
    this.project = settings.project;
    this.location = settings.location;
  }

  #retry<T>(operation: string, target: string | undefined, work: () => Promise<T>): Promise<T> {
    return withRetry(work, { operation, target, policy: this.#settings.retry, onRetry: this.#settings.onRetry });
  }

  #query(request: QueryRequest): Query {
    const used = rewriteNamedParameters(request.sql, '@').names;
    const params: Record<string, unknown> = {};
    const types: Record<string, string | string[]> = {};
    for (const [name, param] of Object.entries(request.params ?? {})) {
      if (!used.has(name)) continue;
      params[name] = paramValue(param);
      types[name] = paramType(param);
    }
    const labels = jobLabels({
      ...request.labels,
      tool: 'dagrun',
      run_id: this.#settings.runId,
      purpose: request.purpose,
      target: request.target ?? request.labels?.['target'],
    });
    return {
      query: request.sql,
      ...(Object.keys(params).length > 0 ? { params, types } : {}),
      labels,
      ...(this.location ? { location: this.location } : {}),
      ...(this.#settings.cap ? { maximumBytesBilled: this.#settings.cap } : {}),
      wrapIntegers: true,
    };
  }

  async query(request: QueryRequest): Promise<Row[]> {
    const query = this.#query(request);
    const [rows] = await this.#retry('query', request.target, () => this.#client.query(query));
    return (rows as Record<string, unknown>[]).map(toRow);
  }

  async dryRun(request: QueryRequest): Promise<number> {
    const query = { ...this.#query(request), dryRun: true };
    const [job] = await this.#retry('dry-run', request.target, () => this.#client.createQueryJob(query));
    return Number(job.metadata?.statistics?.totalBytesProcessed ?? 0);
  }

  table(ref: TableRef): Promise<TableInfo> {
    const key = quoteTable(ref);
    const cached = this.#tables.get(key);
    if (cached) return cached;
    const lookup = this.#retry('tables.get', undefined, async () => {
      const [metadata] = await this.#client.dataset(ref.dataset, { projectId: ref.project }).table(ref.table).getMetadata();
      return toTableInfo(metadata);
    }).catch((error: unknown) => {
      if (isNotFound(error)) return { exists: false } as const;
      throw error;
    });
    this.#tables.set(key, lookup);
    // Only a table that exists is remembered: a missing one may be built later in the run.
    lookup.then((info) => info.exists || this.#tables.delete(key), () => this.#tables.delete(key));
    return lookup;
  }

  forgetTable(ref: TableRef): void {
    this.#tables.delete(quoteTable(ref));
  }

  async dataset(ref: { project: string; dataset: string }): Promise<DatasetInfo> {
    try {
      const [metadata] = await this.#retry('datasets.get', undefined, () =>
        this.#client.dataset(ref.dataset, { projectId: ref.project }).getMetadata(),
      );
      return { exists: true, location: typeof metadata.location === 'string' ? metadata.location : undefined };
    } catch (error) {
      if (isNotFound(error)) return { exists: false };
      throw error;
    }
  }

  ensureDataset(ref: { project: string; dataset: string }): Promise<void> {
    const key = datasetKey(ref);
    const known = this.#datasets.get(key);
    if (known) return known;
    const ensured = (async () => {
      if ((await this.dataset(ref)).exists) return;
      try {
        await this.#retry('datasets.insert', undefined, () =>
          this.#client.createDataset(ref.dataset, { projectId: ref.project, ...(this.location ? { location: this.location } : {}) }),
        );
      } catch (error) {
        // Another range of the same run (or another run) created it first.
        if (!(error instanceof BigQueryError && (error.reason === 'duplicate' || error.reason === 'http-409'))) throw error;
      }
    })();
    this.#datasets.set(key, ensured);
    ensured.catch(() => this.#datasets.delete(key));
    return ensured;
  }
}

/** The client's value for a parameter; DATEs go through `BigQuery.date`, or the client drops them. */
function paramValue(param: QueryParam): unknown {
  switch (param.type) {
    case 'DATE':
      return BigQuery.date(formatDay(param.value));
    case 'ARRAY<DATE>':
      return param.value.map((day) => BigQuery.date(formatDay(day)));
    case 'ARRAY<STRING>':
      return [...param.value];
    case 'STRING':
    case 'FLOAT64':
      return param.value;
  }
}

