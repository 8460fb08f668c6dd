/**
 * One BigQuery job per range, whatever happens on the way. A build's job gets an id made
 * of the run, the target, the range and the attempt, so a lost answer or a 503 while
 * polling is recovered by asking for the same job again (a second insert of the id is a
 * 409: the job exists, poll it), never by starting a second one beside it. A new job (the
 * next attempt's id) starts only when the job itself failed with a reason worth another
 * try: BigQuery's job-level backend errors, and the concurrent-update aborts of
 * transactions that write one table in parallel, which are retried with backoff and jitter
 * and, after a first conflict, one at a time per table.
 */
import { createHash } from 'node:crypto';
import { formatDay } from '../intervals/day.js';
import type { BigQueryPort, JobResult, QueryRequest } from './bigquery-port.js';
import { BigQueryError, CONCURRENT_UPDATE_REASON, type RetryEvent, type RetryPolicy } from './bigquery-retry.js';
import type { SqlBuildRequest } from './warehouse.js';

/** BigQuery's bound on a job id (letters, digits, `_` and `-`). */
const MAX_JOB_ID = 1024;

/** Attempts a range gets against concurrent-update aborts, whatever the retry policy says. */
const CONFLICT_ATTEMPTS = 12;

/**
 * The job id of one attempt of one range: readable (run, target, range), unique per range
 * (a hash of the dates, which a `single` range may scatter), valid whatever the names hold.
 */
export function buildJobId(runId: string, request: Pick<SqlBuildRequest, 'target' | 'start' | 'end' | 'dates'>, attempt: number): string {
  const hash = createHash('sha256').update(`${runId}\n${request.target}\n${request.dates.join(',')}`).digest('hex').slice(0, 12);
  const range = `${formatDay(request.start)}_${formatDay(request.end)}`.replaceAll('-', '');
  const readable = `dagrun_${runId}_${request.target}`.replace(/[^A-Za-z0-9_-]/g, '_');
  const tail = `_${range}_${hash}_a${attempt}`;
  return `${readable.slice(0, MAX_JOB_ID - tail.length)}${tail}`;
}

/** A mutex per key: the retries of one table's conflicting transactions run one at a time. */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<unknown>>();

  /** Runs `work` after every earlier call with the same key has finished. */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => this.#tails.get(key) === tail && this.#tails.delete(key));
    return next;
  }
}

/** How a build job is run and retried. */
export interface BuildJobOptions {
  readonly runId: string;
  /**
   * The first attempt number to use: after the ones earlier calls for the same range used,
   * or the last of them again when its job's end is unknown (then its insert is a 409, and
   * that job is awaited instead of a second one started).
   */
  readonly firstAttempt: number;
  /** Called with each attempt number used, and whether its job's end is known (settled). */
  readonly used: (attempt: number, settled: boolean) => void;
  /** The table the build writes: the key its conflicting retries queue on. */
  readonly table: string;
  readonly lock: KeyedLock;
  readonly policy: RetryPolicy | undefined;
  readonly onRetry: ((event: RetryEvent) => void) | undefined;
  /** The build's time limit, sent as `jobTimeoutMs`. */
  readonly timeoutMs?: number | undefined;
  readonly random?: () => number;
}

/**
 * Runs a build's query as one job per attempt and waits for it. Throws the `BigQueryError`
 * of the last attempt: permanent failures at once, retryable ones when attempts run out.
 */
export async function runBuildJob(
  port: BigQueryPort,
  build: Pick<SqlBuildRequest, 'target' | 'start' | 'end' | 'dates'>,
  query: QueryRequest,
  options: BuildJobOptions,
): Promise<JobResult> {
  const attempts = Math.max(1, options.policy?.attempts ?? 5);
  const base = Math.max(0, options.policy?.baseDelayMs ?? 1000);
  const cap = Math.max(base, options.policy?.maxDelayMs ?? 32_000);
  const random = options.random ?? Math.random;
  let conflicted = false;
  for (let n = 1; ; n++) {
    const attempt = options.firstAttempt + n - 1;
    options.used(attempt, false);
    const jobId = buildJobId(options.runId, build, attempt);
    const run = () => port.runJob(query, { jobId, timeoutMs: options.timeoutMs });
    try {
      // After a conflict, this table's retries commit one at a time.
      const result = await (conflicted ? options.lock.run(options.table, run) : run());
      options.used(attempt, true);
      return result;
    } catch (error) {
      // Only a job that ended is settled: one whose answers were lost may still run.
      if (error instanceof BigQueryError && error.jobFailed) options.used(attempt, true);
      if (!(error instanceof BigQueryError) || !error.jobFailed || !error.transient) throw error;
      const conflict = error.reason === CONCURRENT_UPDATE_REASON;
      conflicted ||= conflict;
      const bound = conflict ? Math.max(attempts, CONFLICT_ATTEMPTS) : attempts;
      if (n >= bound) {
        throw new BigQueryError(`${error.message} (gave up after ${bound} jobs)`, { transient: true, reason: error.reason, jobFailed: true });
      }
      const step = Math.min(cap, base * 2 ** (n - 1));
      const delayMs = Math.round(step / 2 + (random() * step) / 2);
      options.onRetry?.({
        operation: 'build job', target: build.target, attempt: n, attempts: bound, delayMs, reason: error.reason, message: error.message,
      });
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
