/**
 * The fake's REST routes: request shapes in, response shapes out, as captured from the
 * Node client 8.x (see /work/shared/reference/bigquery-notes.md §3). Paths arrive without
 * the optional `/bigquery/v2` prefix.
 */
import type { ExecuteResult, FakeEngine } from './engine.js';
import { FakeError } from './engine.js';
import type { Fault, LoggedQuery } from './server.js';
import type { RestParameter } from './values.js';

/** The REST methods the fake answers (BigQuery's own names for them). */
export type Route =
  | 'jobs.query'
  | 'jobs.getQueryResults'
  | 'jobs.insert'
  | 'jobs.get'
  | 'tables.get'
  | 'datasets.get'
  | 'datasets.insert'
  | 'unknown';

/** A stored job: its results (or job-level error), polls left before it completes, its resource. */
export interface StoredJob {
  result?: unknown;
  error?: FakeError;
  pollsLeft: number;
  job: object;
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
  takeSlow(): number;
  takeJobFault(): string | undefined;
}

/** How a route reports and answers. */
export interface RouteIo {
  count(route: Route): void;
  fault(route: Route): Fault | undefined;
  send(status: number, body: unknown): void;
}

const ROUTES: readonly [string, RegExp, Route][] = [
  ['POST', /^\/projects\/([^/]+)\/queries$/, 'jobs.query'],
  ['GET', /^\/projects\/([^/]+)\/queries\/([^/]+)$/, 'jobs.getQueryResults'],
  ['POST', /^\/projects\/([^/]+)\/jobs$/, 'jobs.insert'],
  ['GET', /^\/projects\/([^/]+)\/jobs\/([^/]+)$/, 'jobs.get'],
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
  request: { method: string; path: string; body: Record<string, unknown> },
  io: RouteIo,
): Promise<void> {
  const found = ROUTES.map(([method, pattern, route]) => ({ route, match: method === request.method ? pattern.exec(request.path) : null }))
    .find((r) => r.match);
  const route = found?.route ?? 'unknown';
  io.count(route);
  const fault = io.fault(route);
  if (fault) return io.send(fault.status, errorBody(fault.status, fault.reason, fault.message ?? `fake ${fault.reason}`));
  const [, project = store.project, second = '', third = ''] = found?.match ?? [];
  switch (route) {
    case 'jobs.query':
      return io.send(200, await jobsQuery(store, project, request.body));
    case 'jobs.insert':
      return io.send(200, await jobsInsert(store, project, request.body));
    case 'jobs.getQueryResults':
      return io.send(200, getQueryResults(store, project, second));
    case 'jobs.get':
      return io.send(200, storedJob(store, project, second).job);
    case 'tables.get':
      return io.send(200, await getTable(store, project, second, third));
    case 'datasets.get':
      return io.send(200, await getDataset(store, project, second));
    case 'datasets.insert':
      return io.send(200, await insertDataset(store, project, request.body));
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
  store.logQuery({ route: 'jobs.query', sql, labels: (body['labels'] ?? {}) as Record<string, string>, maximumBytesBilled: cap, params, dryRun: false });
  const reference = { projectId: project, jobId: store.nextJobId(), location: String(body['location'] ?? store.location) };
  const stored = await runJob(store, reference, { sql, params, cap, configuration: { query: body } });
  if (stored.error || stored.pollsLeft > 0) return { kind: 'bigquery#queryResponse', jobReference: reference, jobComplete: false };
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
  store.logQuery({ route: 'jobs.insert', sql, labels, maximumBytesBilled: cap, params, dryRun });
  const given = (body['jobReference'] ?? {}) as { jobId?: string; location?: string };
  const reference = { projectId: project, jobId: given.jobId ?? store.nextJobId(), location: given.location ?? store.location };
  if (dryRun) {
    const executed = await store.engine.execute(sql, { params, dryRun: true, maximumBytesBilled: cap });
    // Real BigQuery leaves the job id out of a dry run's reference.
    return jobResource({ projectId: project, location: reference.location }, configuration, executed);
  }
  return (await runJob(store, reference, { sql, params, cap, configuration })).job;
}

/** Runs a query as a stored job (or stores the job-level failure a test asked for). */
async function runJob(
  store: JobStore,
  reference: { projectId: string; jobId: string; location: string },
  query: { sql: string; params: RestParameter[]; cap: string | undefined; configuration: object },
): Promise<StoredJob> {
  const jobFault = store.takeJobFault();
  if (jobFault) {
    const error = new FakeError(400, jobFault, `fake job failure inside BigQuery: ${jobFault}`);
    const stored = { error, pollsLeft: 0, job: jobResource(reference, query.configuration, undefined, error) };
    store.jobs.set(reference.jobId, stored);
    return stored;
  }
  const executed = await store.engine.execute(query.sql, { params: query.params, maximumBytesBilled: query.cap });
  store.bytesProcessed += executed.bytesProcessed;
  store.bytesBilled += executed.bytesBilled;
  const rows = executed.result?.rows ?? [];
  const result = {
    jobReference: reference,
    ...(executed.result ? { schema: executed.result.schema, rows } : {}),
    totalRows: String(rows.length),
    totalBytesProcessed: String(executed.bytesProcessed),
    totalBytesBilled: String(executed.bytesBilled),
    jobComplete: true,
    cacheHit: false,
  };
  const stored = { result, pollsLeft: store.takeSlow(), job: jobResource(reference, query.configuration, executed) };
  store.jobs.set(reference.jobId, stored);
  return stored;
}

function storedJob(store: JobStore, project: string, jobId: string): StoredJob {
  const job = store.jobs.get(jobId);
  if (!job) throw new FakeError(404, 'notFound', `Not found: Job ${project}:${store.location}.${jobId}`);
  return job;
}

function getQueryResults(store: JobStore, project: string, jobId: string): object {
  const job = storedJob(store, project, jobId);
  if (job.error) throw job.error;
  if (job.pollsLeft > 0) {
    job.pollsLeft--;
    const reference = (job.job as { jobReference: object }).jobReference;
    return { kind: 'bigquery#getQueryResultsResponse', jobReference: reference, jobComplete: false };
  }
  return { ...(job.result as object), kind: 'bigquery#getQueryResultsResponse' };
}

function jobResource(
  reference: { projectId: string; jobId?: string; location: string },
  configuration: object,
  executed: ExecuteResult | undefined,
  error?: FakeError,
): object {
  const now = String(Date.now());
  const processed = String(executed?.bytesProcessed ?? 0);
  const errorResult = error ? { reason: error.reason, message: error.message } : undefined;
  return {
    kind: 'bigquery#job',
    id: `${reference.projectId}:${reference.location}.${reference.jobId ?? 'dry_run'}`,
    jobReference: reference,
    configuration: { ...configuration, jobType: 'QUERY' },
    statistics: {
      creationTime: now, startTime: now, endTime: now, totalBytesProcessed: processed,
      query: { totalBytesProcessed: processed, totalBytesBilled: String(executed?.bytesBilled ?? 0), cacheHit: false, statementType: executed?.statementType ?? 'SELECT' },
    },
    status: errorResult ? { state: 'DONE', errorResult, errors: [errorResult] } : { state: 'DONE' },
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
  const catalog = store.engine.catalog;
  const created = await store.engine.serial(() => catalog.createDataset(dataset));
  if (!created) throw new FakeError(409, 'duplicate', `Already Exists: Dataset ${project}:${dataset}`);
  return (await store.engine.serial(() => catalog.datasetResource(dataset)))!;
}
