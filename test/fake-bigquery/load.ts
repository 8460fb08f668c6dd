/**
 * Load jobs through the upload endpoint, as the Node client sends them for
 * `table.createLoadJob(file)`: `POST /upload/bigquery/v2/projects/{p}/jobs?uploadType=multipart`
 * with a `multipart/related` body (the job's JSON, then the file's bytes). The file goes
 * through DuckDB's own readers (CSV with a header, newline-delimited JSON, Parquet) into the
 * destination table, replaced (`WRITE_TRUNCATE`) or appended to.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FakeError } from './engine.js';
import type { JobStore, StoredJob } from './routes.js';

/** The parts of a multipart/related body: headers and bytes of each. */
export function parseMultipart(body: Buffer, contentType: string): { headers: string; data: Buffer }[] {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) throw new FakeError(400, 'invalid', `the upload is not multipart (content-type ${contentType})`);
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: { headers: string; data: Buffer }[] = [];
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    const part = body.subarray(start, next === -1 ? body.length : next);
    const split = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, split).toString();
    let data = part.subarray(split + 4);
    if (data.subarray(-2).toString() === '\r\n') data = data.subarray(0, -2);
    parts.push({ headers, data });
    at = next;
  }
  return parts;
}

const READERS: Record<string, (file: string, skip: number) => string> = {
  CSV: (file, skip) => `read_csv('${file}', header = ${skip > 0})`,
  NEWLINE_DELIMITED_JSON: (file) => `read_json('${file}', format = 'newline_delimited')`,
  PARQUET: (file) => `read_parquet('${file}')`,
};

/** Runs a load job from an upload; the job is stored (a second upload of its id is a 409) and done at once. */
export async function uploadJob(store: JobStore, project: string, body: Buffer, contentType: string): Promise<object> {
  const [meta, file] = parseMultipart(body, contentType);
  if (!meta || !file) throw new FakeError(400, 'invalid', 'the upload needs the job and the file');
  const job = JSON.parse(meta.data.toString()) as {
    configuration?: { load?: Record<string, unknown>; labels?: Record<string, string> };
    jobReference?: { jobId?: string; location?: string };
  };
  const load = job.configuration?.load ?? {};
  const jobId = job.jobReference?.jobId ?? store.nextJobId();
  const reference = { projectId: project, jobId, location: job.jobReference?.location ?? store.location };
  if (store.jobs.has(jobId)) throw new FakeError(409, 'duplicate', `Already Exists: Job ${project}:${reference.location}.${jobId}`);
  const destination = load['destinationTable'] as { datasetId: string; tableId: string };
  const format = String(load['sourceFormat'] ?? 'CSV');
  const reader = READERS[format];
  const stored: StoredJob = { reference, configuration: { load, ...(job.configuration?.labels ? { labels: job.configuration.labels } : {}) }, snapshot: 0, state: 'DONE', pollsLeft: 0, run: async () => undefined };
  store.jobs.set(jobId, stored);
  const dir = mkdtempSync(path.join(tmpdir(), 'fake-bq-load-'));
  try {
    if (!reader) throw new FakeError(400, 'invalid', `the fake does not load ${format}`);
    const local = path.join(dir, `data.${format.toLowerCase()}`);
    writeFileSync(local, file.data);
    const rows = await store.engine.load(`${destination.datasetId}.${destination.tableId}`, reader(local, Number(load['skipLeadingRows'] ?? 0)), {
      truncate: load['writeDisposition'] === 'WRITE_TRUNCATE',
    });
    stored.result = { rows };
  } catch (error) {
    if (!(error instanceof FakeError)) throw error;
    stored.error = error;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const errorResult = stored.error ? { reason: stored.error.reason, message: stored.error.message } : undefined;
  const outputRows = String((stored.result as { rows?: number } | undefined)?.rows ?? 0);
  stored.resource = {
    kind: 'bigquery#job',
    id: `${project}:${reference.location}.${jobId}`,
    jobReference: reference,
    configuration: { ...stored.configuration, jobType: 'LOAD' },
    statistics: { creationTime: String(Date.now()), load: { outputRows } },
    status: errorResult ? { state: 'DONE', errorResult, errors: [errorResult] } : { state: 'DONE' },
  };
  return stored.resource;
}
