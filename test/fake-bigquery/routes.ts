/**
 * The fake's REST routes: request shapes in, response shapes out, as captured from the
 * Node client 8.x (see /work/shared/reference/bigquery-notes.md §3). Paths arrive without
 * the optional `/bigquery/v2` prefix.
 */
import type { ExecuteResult, FakeEngine } from './engine.js';
import { FakeError } from './engine.js';
import type { Fault, LoggedQuery } from './server.js';
import type { RestParameter } from './values.js';
import { uploadJob } from './load.js';

/** The REST methods the fake answers (BigQuery's own names for them). */
export type Route =
  | 'jobs.query'
  | 'jobs.getQueryResults'
  | 'jobs.insert'
  | 'jobs.get'
  | 'jobs.cancel'
  | 'jobs.upload'
  | 'tables.get'
  | 'datasets.get'
  | 'datasets.insert'
  | 'unknown';

/**
 * A stored job. It runs when it is created, or, when a test made it slow, after its polls
 * (so it can be cancelled, and can collide with jobs that commit meanwhile); it sees the
 * commits made before it was created (`snapshot`).
 */
export interface StoredJob {
  readonly reference: { projectId: string; jobId: string; location: string };
  readonly configuration: object;
  readonly snapshot: number;
  state: 'RUNNING' | 'DONE';
  result?: unknown;
  error?: FakeError;
  executed?: ExecuteResult;
  pollsLeft: number;
  /** The whole Job resource, for jobs that are not queries (loads). */
  resource?: object;
  /** Runs the job's work (once). */
  readonly run: () => Promise<void>;
}

/** What the routes need from the server. */
export interface JobStore {
  readonly project: string;
  readonly location: string;
  readonly engine: FakeEngine;
  readonly jobs: Map<string, StoredJob>;
  bytesProcessed: number;
  bytesBilled: number;
  nextJobId(): string;
  logQuery(query: LoggedQuery): void;
  takeSlow(labels: Readonly<Record<string, string>>): number;
  takeJobFault(labels: Readonly<Record<string, string>>): string | undefined;
}

/** How a route reports and answers. */
export interface RouteIo {
  count(route: Route): void;
  fault(route: Route): Fault | undefined;
  send(status: number, body: unknown): void;
  /** The answer is lost on its way back (the work was done): true when it was. */
  lose(route: Route): boolean;
}

const ROUTES: readonly [string, RegExp, Route][] = [
  ['POST', /^\/projects\/([^/]+)\/queries$/, 'jobs.query'],
  ['GET', /^\/projects\/([^/]+)\/queries\/([^/]+)$/, 'jobs.getQueryResults'],
  ['POST', /^\/projects\/([^/]+)\/jobs$/, 'jobs.insert'],
  ['POST', /^\/upload\/projects\/([^/]+)\/jobs$/, 'jobs.upload'],
  ['GET', /^\/projects\/([^/]+)\/jobs\/([^/]+)$/, 'jobs.get'],
  ['POST', /^\/projects\/([^/]+)\/jobs\/([^/]+)\/cancel$/, 'jobs.cancel'],
  ['GET', /^\/projects\/([^/]+)\/datasets\/([^/]+)\/tables\/([^/]+)$/, 'tables.get'],
  ['GET', /^\/projects\/([^/]+)\/datasets\/([^/]+)$/, 'datasets.get'],
  ['POST', /^\/projects\/([^/]+)\/datasets$/, 'datasets.insert'],
];

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 409: 'ALREADY_EXISTS',
  429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 503: 'UNAVAILABLE',
};

/** BigQuery's error envelope. */
export function errorBody(code: number, reason: string, message: string): object {
  return { error: { code, message, errors: [{ message, domain: 'global', reason }], status: STATUS_NAMES[code] ?? 'UNKNOWN' } };
}

/** Answers one API request. Throws `FakeError` for BigQuery-level failures. */
export async function handleApi(
  store: JobStore,
  request: { method: string; path: string; body: Record<string, unknown>; upload?: { bytes: Buffer; contentType: string } | undefined },
  io: RouteIo,
): Promise<void> {
  const found = ROUTES.map(([method, pattern, route]) => ({ route, match: method === request.method ? pattern.exec(request.path) : null }))
    .find((r) => r.match);
  const route = found?.route ?? 'unknown';
  io.count(route);
  const fault = io.fault(route);
  if (fault) return io.send(fault.status, errorBody(fault.status, fault.reason, fault.message ?? `fake ${fault.reason}`));
  const [, project = store.project, second = '', third = ''] = found?.match ?? [];
  const answer = await answerRoute(store, route, project, second, third, request);
  if (io.lose(route)) return;
  io.send(200, answer);
}

async function answerRoute(
  store: JobStore,
  route: Route,
  project: string,
  second: string,
  third: string,
  request: { method: string; path: string; body: Record<string, unknown>; upload?: { bytes: Buffer; contentType: string } | undefined },
): Promise<object> {
  switch (route) {
    case 'jobs.query':
      return jobsQuery(store, project, request.body);
    case 'jobs.insert':
      return jobsInsert(store, project, request.body);
    case 'jobs.upload':
      if (!request.upload) throw new FakeError(400, 'invalid', 'an upload needs a multipart body');
      return uploadJob(store, project, request.upload.bytes, request.upload.contentType);
    case 'jobs.getQueryResults':
      return getQueryResults(store, project, second);
    case 'jobs.get': {
      const job = storedJob(store, project, second);
      await advance(job);
      return jobResource(job);
    }
    case 'jobs.cancel':
      return cancelJob(store, project, second);
    case 'tables.get':
      return getTable(store, project, second, third);
    case 'datasets.get':
      return getDataset(store, project, second);
    case 'datasets.insert':
      return insertDataset(store, project, request.body);
    case 'unknown':
      throw new FakeError(404, 'notFound', `fake BigQuery: no route for ${request.method} ${request.path}`);
  }
}

/** BigQuery rejects a job whose labels are not lowercase letters, digits, `_` and `-`. */
function checkLabels(labels: Record<string, string>): void {
  for (const [key, value] of Object.entries(labels)) {
    if (!/^[a-z][a-z0-9_-]{0,62}$/.test(key) || !/^[a-z0-9_-]{0,63}$/.test(String(value))) {
      throw new FakeError(400, 'invalid', `Label ${key}: ${value} is not a valid label (lowercase letters, digits, _ and -, at most 63 characters)`);
    }
  }
}

async function jobsQuery(store: JobStore, project: string, body: Record<string, unknown>): Promise<object> {
  checkLabels((body['labels'] ?? {}) as Record<string, string>);
  const sql = String(body['query'] ?? '');
  const params = (body['queryParameters'] ?? []) as RestParameter[];
  const cap = body['maximumBytesBilled'] === undefined ? undefined : String(body['maximumBytesBilled']);
  const jobId = store.nextJobId();
  store.logQuery({ route: 'jobs.query', sql, labels: (body['labels'] ?? {}) as Record<string, string>, maximumBytesBilled: cap, params, dryRun: false, jobId });
  const reference = { projectId: project, jobId, location: String(body['location'] ?? store.location) };
  const labels = (body['labels'] ?? {}) as Record<string, string>;
  const stored = await createJob(store, reference, { sql, params, cap, labels, configuration: { query: body } });
  // A query that fails at once fails the call; a job-level failure shows when it is polled.
  if (stored.error && !stored.error.reason.startsWith('job')) throw stored.error;
  if (stored.error || stored.state !== 'DONE') return { kind: 'bigquery#queryResponse', jobReference: reference, jobComplete: false };
  return { ...(stored.result as object), kind: 'bigquery#queryResponse' };
}

async function jobsInsert(store: JobStore, project: string, body: Record<string, unknown>): Promise<object> {
  const configuration = (body['configuration'] ?? {}) as Record<string, unknown>;
  const query = (configuration['query'] ?? {}) as Record<string, unknown>;
  const sql = String(query['query'] ?? '');
  const params = (query['queryParameters'] ?? []) as RestParameter[];
  const cap = query['maximumBytesBilled'] === undefined ? undefined : String(query['maximumBytesBilled']);
  const dryRun = configuration['dryRun'] === true;
  const labels = (configuration['labels'] ?? {}) as Record<string, string>;
  checkLabels(labels);
  const given = (body['jobReference'] ?? {}) as { jobId?: string; location?: string };
  if (given.jobId !== undefined) checkJobId(given.jobId);
  const jobId = given.jobId ?? store.nextJobId();
  const timeout = configuration['jobTimeoutMs'] === undefined ? undefined : String(configuration['jobTimeoutMs']);
  store.logQuery({ route: 'jobs.insert', sql, labels, maximumBytesBilled: cap, params, dryRun, jobId, jobTimeoutMs: timeout });
  const reference = { projectId: project, jobId, location: given.location ?? store.location };
  if (dryRun) {
    const executed = await store.engine.execute(sql, { params, dryRun: true, maximumBytesBilled: cap });
    // Real BigQuery leaves the job id out of a dry run's reference.
    return dryRunResource({ projectId: project, location: reference.location }, configuration, executed);
  }
  // A job id names one job forever: inserting it again is refused, whatever became of the first.
  if (store.jobs.has(jobId)) throw new FakeError(409, 'duplicate', `Already Exists: Job ${project}:${reference.location}.${jobId}`);
  return jobResource(await createJob(store, reference, { sql, params, cap, labels, configuration }));
}

/** BigQuery's job-id rule: letters, digits, underscores and dashes, at most 1024 characters. */
function checkJobId(jobId: string): void {
  if (!/^[A-Za-z0-9_-]{1,1024}$/.test(jobId)) {
    throw new FakeError(400, 'invalid', `Invalid job ID "${jobId.slice(0, 80)}". Job IDs must be alphanumeric (plus underscores and dashes) and must be at most 1024 characters long.`);
  }
}

/** Creates and stores a job; it runs at once unless a test made it slow. */
async function createJob(
  store: JobStore,
  reference: { projectId: string; jobId: string; location: string },
  query: { sql: string; params: RestParameter[]; cap: string | undefined; labels: Readonly<Record<string, string>>; configuration: object },
): Promise<StoredJob> {
  const snapshot = store.engine.sequence;
  const jobFault = store.takeJobFault(query.labels);
  let ran = false;
  const stored: StoredJob = {
    reference,
    configuration: query.configuration,
    snapshot,
    state: 'RUNNING',
    pollsLeft: jobFault ? 0 : store.takeSlow(query.labels),
    run: async () => {
      // Once only; a job cancelled before its time never runs.
      if (ran || stored.state === 'DONE') return;
      ran = true;
      if (jobFault) {
        stored.error = new FakeError(400, jobFault, `fake job failure inside BigQuery: ${jobFault}`);
        stored.state = 'DONE';
        return;
      }
      try {
        const executed = await store.engine.execute(query.sql, { params: query.params, maximumBytesBilled: query.cap, job: { id: reference.jobId, snapshot } });
        store.bytesProcessed += executed.bytesProcessed;
        store.bytesBilled += executed.bytesBilled;
        const rows = executed.result?.rows ?? [];
        stored.executed = executed;
        stored.result = {
          jobReference: reference,
          ...(executed.result ? { schema: executed.result.schema, rows } : {}),
          totalRows: String(rows.length),
          totalBytesProcessed: String(executed.bytesProcessed),
          totalBytesBilled: String(executed.bytesBilled),
          jobComplete: true,
          cacheHit: false,
        };
      } catch (error) {
        if (!(error instanceof FakeError)) throw error;
        stored.error = error;
      }
      // A job cancelled while it ran keeps its cancellation.
      if (stored.state === 'RUNNING') stored.state = 'DONE';
    },
  };
  store.jobs.set(reference.jobId, stored);
  if (stored.pollsLeft === 0) await stored.run();
  return stored;
}

/** A poll of a running job: one poll closer to its end, and at its end it runs. */
async function advance(job: StoredJob): Promise<void> {
  if (job.state !== 'RUNNING') return;
  if (job.pollsLeft > 0) job.pollsLeft--;
  else await job.run();
}

function storedJob(store: JobStore, project: string, jobId: string): StoredJob {
  const job = store.jobs.get(decodeURIComponent(jobId));
  if (!job) throw new FakeError(404, 'notFound', `Not found: Job ${project}:${store.location}.${jobId}`);
  return job;
}

async function getQueryResults(store: JobStore, project: string, jobId: string): Promise<object> {
  const job = storedJob(store, project, jobId);
  await advance(job);
  if (job.error) throw job.error;
  if (job.state !== 'DONE') return { kind: 'bigquery#getQueryResultsResponse', jobReference: job.reference, jobComplete: false };
  // BigQuery's getQueryResults answer has no bytes billed: jobs.get's statistics tell them.
  const { totalBytesBilled: _, ...result } = job.result as Record<string, unknown>;
  return { ...result, kind: 'bigquery#getQueryResultsResponse' };
}

/** jobs.cancel: a running job stops before it commits anything; a finished one is left as it is. */
function cancelJob(store: JobStore, project: string, jobId: string): object {
  const job = storedJob(store, project, jobId);
  if (job.state === 'RUNNING') {
    job.state = 'DONE';
    job.error = new FakeError(400, 'stopped', 'Job execution was cancelled: User requested cancellation');
  }
  return { kind: 'bigquery#jobCancelResponse', job: jobResource(job) };
}

/** The Job resource of a stored job. */
function jobResource(job: StoredJob): object {
  if (job.resource) return job.resource;
  const errorResult = job.error ? { reason: job.error.reason, message: job.error.message } : undefined;
  return {
    ...dryRunResource(job.reference, job.configuration, job.executed),
    status: job.state === 'RUNNING' ? { state: 'RUNNING' } : errorResult ? { state: 'DONE', errorResult, errors: [errorResult] } : { state: 'DONE' },
  };
}

/** A Job resource with statistics (also the answer to a dry run). */
function dryRunResource(reference: { projectId: string; jobId?: string; location: string }, configuration: object, executed: ExecuteResult | undefined): object {
  const now = String(Date.now());
  const processed = String(executed?.bytesProcessed ?? 0);
  return {
    kind: 'bigquery#job',
    id: `${reference.projectId}:${reference.location}.${reference.jobId ?? 'dry_run'}`,
    jobReference: reference,
    configuration: { ...configuration, jobType: 'QUERY' },
    statistics: {
      creationTime: now, startTime: now, endTime: now, totalBytesProcessed: processed,
      // A SCRIPT job's totalBytesBilled is the sum of its child jobs' (one per statement).
      ...(executed?.childJobs !== undefined ? { numChildJobs: String(executed.childJobs) } : {}),
      query: {
        totalBytesProcessed: processed, totalBytesBilled: String(executed?.bytesBilled ?? 0), cacheHit: false, statementType: executed?.statementType ?? 'SELECT',
        ...(executed?.referencedTables
          ? { referencedTables: executed.referencedTables.map((t) => ({ projectId: reference.projectId, datasetId: t.split('.')[0], tableId: t.split('.')[1] })) }
          : {}),
      },
    },
    status: { state: 'DONE' },
  };
}

async function getTable(store: JobStore, project: string, dataset: string, table: string): Promise<object> {
  const catalog = store.engine.catalog;
  const resource = await store.engine.serial(() => catalog.tableResource(decodeURIComponent(dataset), decodeURIComponent(table)));
  if (resource) return resource;
  if (!(await store.engine.serial(() => catalog.datasetExists(dataset)))) {
    throw new FakeError(404, 'notFound', `Not found: Dataset ${project}:${dataset}`);
  }
  throw new FakeError(404, 'notFound', `Not found: Table ${project}:${dataset}.${table}`);
}

async function getDataset(store: JobStore, project: string, dataset: string): Promise<object> {
  const resource = await store.engine.serial(() => store.engine.catalog.datasetResource(decodeURIComponent(dataset)));
  if (!resource) throw new FakeError(404, 'notFound', `Not found: Dataset ${project}:${dataset}`);
  return resource;
}

async function insertDataset(store: JobStore, project: string, body: Record<string, unknown>): Promise<object> {
  const dataset = String((body['datasetReference'] as { datasetId?: string } | undefined)?.datasetId ?? '');
  const location = typeof body['location'] === 'string' ? body['location'] : undefined;
  const catalog = store.engine.catalog;
  const created = await store.engine.serial(() => catalog.createDataset(dataset, location));
  if (!created) throw new FakeError(409, 'duplicate', `Already Exists: Dataset ${project}:${dataset}`);
  return (await store.engine.serial(() => catalog.datasetResource(dataset)))!;
}
