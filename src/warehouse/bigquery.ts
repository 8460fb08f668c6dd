/**
 * The BigQuery warehouse, on the official client (`@google-cloud/bigquery` 8.x; 9.x needs
 * Node 22). This is the only file that imports the client or google-auth-library: it turns
 * the client into the small `BigQueryPort` (labelled, capped, retried calls; jobs inserted
 * and awaited under ids of dagrun's choosing) that `BigQueryWarehouse` and its modules are
 * written against.
 */
import { BigQuery, type Job, type Query } from '@google-cloud/bigquery';
import { PassThroughClient } from 'google-auth-library';
import type { OutputFormat, WarehouseConfig } from '../config/types.js';
import { DagrunError } from '../core/errors.js';
import { formatDay } from '../intervals/day.js';
import { RunningJobs } from './bigquery-cancel.js';
import { MINIMUM_BILLED_PER_TABLE } from './bigquery-estimate.js';
import type { BigQueryPort, DatasetInfo, JobResult, QueryParam, QueryRequest, Row, StateLocation, TableInfo } from './bigquery-port.js';
import { BigQueryError, classifyBigQueryError, withRetry } from './bigquery-retry.js';
import { STATE_DATASET, type TableRef, datasetKey, jobLabels, parseByteSize, quoteTable } from './bigquery-sql.js';
import { isLoopbackEndpoint, isNotFound, paramType, toRow, toTableInfo } from './bigquery-values.js';
import { type BigQueryOpenOptions, BigQueryWarehouse } from './bigquery-warehouse.js';
import { rewriteNamedParameters } from './sql-text.js';

export { describeRetry, type RetryEvent, type RetryPolicy } from './bigquery-retry.js';
export { BigQueryWarehouse, type BigQueryOpenOptions } from './bigquery-warehouse.js';
export { isLoopbackEndpoint } from './bigquery-values.js';

/**
 * The BigQuery settings the adapter reads: dag.json5's `warehouse`, with the optional state
 * location and pipeline id.
 */
export type BigQuerySettings = Omit<Extract<WarehouseConfig, { type: 'bigquery' }>, 'stateDataset' | 'stateProject' | 'pipeline'> & {
  /** Dataset of the write records (default `_dagrun`). */
  readonly stateDataset?: string | undefined;
  /** Project of the write records (default: `project`). */
  readonly stateProject?: string | undefined;
  /** This pipeline's id among those sharing the state dataset (default: empty). */
  readonly pipeline?: string | undefined;
};


/**
 * Opens the BigQuery warehouse. Nothing is sent yet: credentials are Application Default
 * Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud, the metadata server), except for a
 * loopback `apiEndpoint` or any `BIGQUERY_EMULATOR_HOST`, which get none, so tests and
 * emulators never see a credential. A cap below BigQuery's 10 MB minimum is refused.
 */
export async function openBigQuery(config: BigQuerySettings, options: BigQueryOpenOptions): Promise<BigQueryWarehouse> {
  return new BigQueryWarehouse(openBigQueryPort(config, options), options);
}

/**
 * The port alone, built as `openBigQuery` builds it (the same credentials, endpoint, labels
 * and retries), for reading a project outside a pipeline: `dagrun init --from bigquery:…`.
 */
export function openBigQueryPort(config: BigQuerySettings, options: BigQueryOpenOptions): BigQueryPort {
  const cap = config.maximumBytesBilled === undefined ? undefined : parseByteSize(config.maximumBytesBilled);
  if (config.maximumBytesBilled !== undefined && cap === undefined) {
    throw new DagrunError(
      'warehouse-unavailable',
      `warehouse.maximumBytesBilled: ${JSON.stringify(config.maximumBytesBilled)} is not a byte size (like "10GB" or "1048576")`,
    );
  }
  if (cap !== undefined && Number(cap) < MINIMUM_BILLED_PER_TABLE) {
    throw new DagrunError(
      'warehouse-unavailable',
      `warehouse.maximumBytesBilled: ${JSON.stringify(config.maximumBytesBilled)} is below the 10 MB that BigQuery bills at least for any query that reads a table: every such query would be refused (use at least "10MB")`,
    );
  }
  // The client sends every request to BIGQUERY_EMULATOR_HOST when it is set, whatever
  // apiEndpoint says: an emulator never gets credentials, nor does a loopback endpoint.
  const emulator = process.env['BIGQUERY_EMULATOR_HOST'];
  const noCredentials = (emulator !== undefined && emulator !== '') || isLoopbackEndpoint(config.apiEndpoint);
  const client = new BigQuery({
    projectId: config.project,
    ...(config.location ? { location: config.location } : {}),
    ...(config.apiEndpoint ? { apiEndpoint: config.apiEndpoint } : {}),
    ...(noCredentials ? { authClient: new PassThroughClient() } : {}),
    // One retry policy, ours: bounded, reported through onRetry.
    retryOptions: { autoRetry: false },
  });
  const state = { project: config.stateProject ?? config.project, dataset: config.stateDataset ?? STATE_DATASET, pipeline: config.pipeline ?? '' };
  return new ClientPort(client, { ...options, project: config.project, location: config.location, cap, state });
}


/** Settings of the client port. */
interface PortSettings extends BigQueryOpenOptions {
  readonly project: string;
  readonly location: string | undefined;
  /** `maximumBytesBilled` as an int64 string. */
  readonly cap: string | undefined;
  readonly state: StateLocation;
}

/** The port over the official client: every call labelled, capped and retried. */
class ClientPort implements BigQueryPort {
  readonly project: string;
  readonly location: string | undefined;
  readonly state: StateLocation;
  readonly #client: BigQuery;
  readonly #settings: PortSettings;
  readonly #tables = new Map<string, Promise<TableInfo>>();
  readonly #datasets = new Map<string, Promise<void>>();
  readonly #jobs = new RunningJobs();
  /** Locations of the datasets looked up so far, by `project.dataset`. */
  readonly #locations = new Map<string, string>();

  constructor(client: BigQuery, settings: PortSettings) {
    this.#client = client;
    this.#settings = settings;
    this.project = settings.project;
    this.location = settings.location;
    this.state = settings.state;
  }

  #retry<T>(operation: string, target: string | undefined, work: () => Promise<T>): Promise<T> {
    return withRetry(work, { operation, target, policy: this.#settings.retry, onRetry: this.#settings.onRetry });
  }

  #query(request: QueryRequest): Query {
    const used = rewriteNamedParameters(request.sql, '@', 'bigquery').names;
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

  async runJob(request: QueryRequest, spec: { jobId: string; timeoutMs?: number | undefined }): Promise<JobResult> {
    const { wrapIntegers: _, ...query } = this.#query(request);
    const job = this.#client.job(spec.jobId, this.location ? { location: this.location } : {});
    this.#jobs.started(spec.jobId, job);
    try {
      const inserted: Query = { ...query, jobId: spec.jobId, ...(spec.timeoutMs ? { jobTimeoutMs: spec.timeoutMs } : {}) };
      await this.#insertJob(() => this.#client.createQueryJob(inserted), job, request.target);
      const rows = await this.#awaitJob(job, request.target);
      return { rows, bytesBilled: await this.#bytesBilled(job, request.target) };
    } finally {
      this.#jobs.ended(spec.jobId);
    }
  }

  /**
   * What a finished job billed: `statistics.query.totalBytesBilled` from jobs.get (the
   * results' answer does not carry it; for a SCRIPT job it is the sum of its child jobs').
   * Undefined when jobs.get fails: the job committed, only its bill is unknown.
   */
  async #bytesBilled(job: Job, target: string | undefined): Promise<number | undefined> {
    try {
      const [metadata] = await this.#retry('jobs.get', target, () => job.getMetadata());
      const billed = (metadata as { statistics?: { query?: { totalBytesBilled?: unknown } } }).statistics?.query?.totalBytesBilled;
      const bytes = billed === undefined || billed === null ? NaN : Number(billed);
      return Number.isFinite(bytes) && bytes >= 0 ? bytes : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Inserts the job. An answer that never came (a 5xx, a dropped connection) leaves it
   * unknown whether the job exists: jobs.get says, and only a job that does not exist is
   * inserted again, under the same id. A 409 means it exists: it is then polled.
   */
  async #insertJob(insert: () => Promise<unknown>, job: Job, target: string | undefined): Promise<void> {
    const attempts = Math.max(1, this.#settings.retry?.attempts ?? 5);
    for (let attempt = 1; ; attempt++) {
      try {
        await insert();
        return;
      } catch (error) {
        // The job was created and failed at once (status.errors): its end is read when awaited.
        if ((error as { response?: { jobReference?: unknown } }).response?.jobReference !== undefined) return;
        const failure = classifyBigQueryError(error);
        if (failure.reason === 'duplicate' || (error as { code?: unknown }).code === 409) return;
        if (!failure.transient) throw new BigQueryError(`${failure.message} (${failure.reason})`, { transient: false, reason: failure.reason });
        if (await this.#jobExists(job, target)) return;
        if (attempt >= attempts) {
          throw new BigQueryError(`${failure.message} (${failure.reason}; gave up after ${attempts} attempts)`, { transient: true, reason: failure.reason });
        }
        await this.#pause('jobs.insert', target, attempt, attempts, failure);
      }
    }
  }

  async loadFile(ref: TableRef, file: string, format: OutputFormat, spec: { jobId: string; target: string }): Promise<number> {
    const table = this.#client.dataset(ref.dataset, { projectId: ref.project }).table(ref.table);
    const metadata = {
      sourceFormat: LOAD_FORMATS[format],
      ...(format === 'csv' ? { skipLeadingRows: 1 } : {}),
      autodetect: true,
      writeDisposition: 'WRITE_TRUNCATE',
      createDisposition: 'CREATE_IF_NEEDED',
      jobId: spec.jobId,
    };
    const job = this.#client.job(spec.jobId, this.location ? { location: this.location } : {});
    this.#jobs.started(spec.jobId, job);
    try {
      await this.#insertJob(() => table.createLoadJob(file, { ...metadata }), job, spec.target);
      for (let wait = 100; ; wait = Math.min(wait * 2, 5000)) {
        const [resource] = await this.#retry('jobs.get', spec.target, () => job.getMetadata());
        const { status, statistics } = resource as { status?: { state?: string; errorResult?: { reason?: string; message?: string } }; statistics?: { load?: { outputRows?: string } } };
        if (status?.errorResult) {
          const failure = classifyBigQueryError({ errors: [status.errorResult] });
          throw new BigQueryError(`${failure.message} (${failure.reason})`, { transient: failure.transient, reason: failure.reason, jobFailed: true });
        }
        if (status?.state === 'DONE') return Number(statistics?.load?.outputRows ?? 0);
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    } finally {
      this.#jobs.ended(spec.jobId);
    }
  }

  /** Whether a job exists (after its insert's answer was lost). */
  async #jobExists(job: Job, target: string | undefined): Promise<boolean> {
    try {
      await this.#retry('jobs.get', target, () => job.getMetadata());
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /**
   * Waits for the job's end and reads its rows. Whatever a poll fails with, the job itself
   * is asked (jobs.get): failed, it throws with `jobFailed`; running or done, it is polled again.
   */
  async #awaitJob(job: Job, target: string | undefined): Promise<Row[]> {
    const attempts = Math.max(1, this.#settings.retry?.attempts ?? 5);
    for (let attempt = 1; ; attempt++) {
      try {
        const [rows] = await job.getQueryResults({ wrapIntegers: true });
        return (rows as Record<string, unknown>[]).map(toRow);
      } catch (error) {
        const [metadata] = await this.#retry('jobs.get', target, () => job.getMetadata());
        const status = (metadata as { status?: { state?: string; errorResult?: { reason?: string; message?: string } } }).status;
        if (status?.errorResult) {
          const failure = classifyBigQueryError({ errors: [status.errorResult] });
          throw new BigQueryError(`${failure.message} (${failure.reason})`, { transient: failure.transient, reason: failure.reason, jobFailed: true });
        }
        const failure = classifyBigQueryError(error);
        if (!failure.transient || attempt >= attempts) {
          throw new BigQueryError(`${failure.message} (${failure.reason}; job ${job.id} ${status?.state?.toLowerCase() ?? 'unknown'})`, {
            transient: failure.transient,
            reason: failure.reason,
          });
        }
        await this.#pause('jobs.getQueryResults', target, attempt, attempts, failure);
      }
    }
  }

  /** Waits before the next try of a call, with the policy's backoff and jitter, and reports it. */
  async #pause(operation: string, target: string | undefined, attempt: number, attempts: number, failure: { reason: string; message: string }): Promise<void> {
    const base = Math.max(0, this.#settings.retry?.baseDelayMs ?? 1000);
    const step = Math.min(Math.max(base, this.#settings.retry?.maxDelayMs ?? 32_000), base * 2 ** (attempt - 1));
    const delayMs = Math.round(step / 2 + (Math.random() * step) / 2);
    this.#settings.onRetry?.({ operation, target, attempt, attempts, delayMs, reason: failure.reason, message: failure.message });
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
  }

  /** Cancels every job still running (interrupt, close): none commits after dagrun stopped. */
  cancelRunning(): Promise<void> {
    return this.#jobs.cancelAll();
  }

  async dryRun(request: QueryRequest): Promise<number> {
    return (await this.dryRunStatistics(request)).bytes;
  }

  async dryRunStatistics(request: QueryRequest): Promise<{ bytes: number; tables: number | undefined }> {
    const { wrapIntegers: _, ...plain } = this.#query(request);
    const query = { ...plain, dryRun: true };
    const [job] = await this.#retry('dry-run', request.target, () => this.#client.createQueryJob(query));
    const statistics = job.metadata?.statistics as { totalBytesProcessed?: string; query?: { referencedTables?: unknown[] } } | undefined;
    const tables = statistics?.query?.referencedTables;
    return { bytes: Number(statistics?.totalBytesProcessed ?? 0), tables: Array.isArray(tables) ? tables.length : undefined };
  }

  table(ref: TableRef): Promise<TableInfo> {
    const key = quoteTable(ref);
    const cached = this.#tables.get(key);
    if (cached) return cached;
    const lookup = this.#retry('tables.get', undefined, async () => {
      const [metadata] = await this.#client.dataset(ref.dataset, { projectId: ref.project }).table(ref.table).getMetadata();
      this.#seen(ref, metadata.location);
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

  /** Notes the location of a dataset looked up: where a dataset to create goes when `location` is not set. */
  #seen(ref: { project: string; dataset: string }, location: unknown): void {
    if (typeof location === 'string' && location !== '') this.#locations.set(datasetKey(ref), location);
  }

  /**
   * Without `warehouse.location`, a dataset is created where the pipeline's other datasets
   * are (BigQuery cannot read across locations in one query); refused when they are in
   * several, or none has been seen.
   */
  #inferLocation(ref: { project: string; dataset: string }): string {
    const found = [...new Set(this.#locations.values())].sort();
    if (found.length === 1) return found[0]!;
    const why = found.length === 0
      ? 'no dataset of the pipeline exists yet to infer it from'
      : `the pipeline's datasets are in several locations (${found.join(', ')})`;
    throw new BigQueryError(
      `cannot create dataset ${datasetKey(ref)}: warehouse.location is not set and ${why}; set warehouse.location (e.g. "US", "EU" or "europe-west1")`,
      { transient: false, reason: 'location-unknown' },
    );
  }

  forgetTable(ref: TableRef): void {
    this.#tables.delete(quoteTable(ref));
  }

  async dataset(ref: { project: string; dataset: string }): Promise<DatasetInfo> {
    try {
      const [metadata] = await this.#retry('datasets.get', undefined, () =>
        this.#client.dataset(ref.dataset, { projectId: ref.project }).getMetadata(),
      );
      const location = typeof metadata.location === 'string' ? metadata.location : undefined;
      this.#seen(ref, location);
      return { exists: true, location };
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
      const location = this.location ?? this.#inferLocation(ref);
      try {
        await this.#retry('datasets.insert', undefined, () => this.#client.createDataset(ref.dataset, { projectId: ref.project, location }));
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

/** BigQuery's names of the formats a command may hand rows over in. */
const LOAD_FORMATS: Record<OutputFormat, string> = { csv: 'CSV', ndjson: 'NEWLINE_DELIMITED_JSON', parquet: 'PARQUET' };

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

