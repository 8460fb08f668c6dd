/**
 * What a failed BigQuery call means, and the one retry policy for it. The client's own
 * retry is turned off (`autoRetry: false`) so that every retry goes through here: bounded,
 * with backoff and jitter, and reported to the engine through `onRetry`.
 */
import { WarehouseError } from './warehouse.js';

/** How transient failures are retried. */
export interface RetryPolicy {
  /** Attempts in all, the first one included (default 5). */
  readonly attempts?: number;
  /** Delay before the first retry, doubled for each further one (default 1000 ms). */
  readonly baseDelayMs?: number;
  /** Upper bound of a single delay (default 32000 ms). */
  readonly maxDelayMs?: number;
}

/** A retry about to happen, for the engine to log. */
export interface RetryEvent {
  /** The API call that failed: `query`, `dry-run`, `tables.get`, `datasets.get`, `datasets.insert`. */
  readonly operation: string;
  /** The target the call was for, when there is one. */
  readonly target: string | undefined;
  /** The attempt that just failed (1-based). */
  readonly attempt: number;
  /** The bound on attempts. */
  readonly attempts: number;
  /** How long the adapter waits before the next attempt. */
  readonly delayMs: number;
  /** BigQuery's reason (`backendError`, `rateLimitExceeded`, …) or `http-<status>`. */
  readonly reason: string;
  /** BigQuery's message. */
  readonly message: string;
}

/** A BigQuery failure with its reason, so callers can tell a missing table from a broken query. */
export class BigQueryError extends WarehouseError {
  /** BigQuery's reason (`notFound`, `invalidQuery`, …), `http-<status>` or a network error code. */
  readonly reason: string;
  /**
   * True when the job itself ended in failure (its `status.errorResult`), as opposed to a
   * call about it that failed on the way: only then may a new job be started in its place.
   */
  readonly jobFailed: boolean;
  constructor(message: string, options: { transient: boolean; reason: string; jobFailed?: boolean }) {
    super(message, { transient: options.transient });
    this.name = 'BigQueryError';
    this.reason = options.reason;
    this.jobFailed = options.jobFailed ?? false;
  }
}

/**
 * BigQuery aborts a transaction (or a script's DML statement) that mutates a table another
 * one mutated meanwhile, as `invalidQuery`; trying again later succeeds, so it is transient.
 */
const CONCURRENT_UPDATE = /Transaction is aborted due to concurrent update|Could not serialize access to table .* due to concurrent update/i;

/** A `quotaExceeded` whose limit clears within minutes (BigQuery's error guide: retry with backoff). */
const SHORT_QUOTA = /concurrent|table update operations|too many (DML|queries|jobs|table)|per (second|minute)|rate limit/i;

/** The reason dagrun gives a concurrent-update abort (BigQuery says `invalidQuery`). */
export const CONCURRENT_UPDATE_REASON = 'concurrentUpdate';

/** The meaning of one failed call. */
export interface ClassifiedError {
  readonly transient: boolean;
  readonly reason: string;
  readonly message: string;
}

// BigQuery's error guide: these reasons never succeed on retry, whatever the HTTP status
// (a 403 is a rate limit or a permission problem depending on the reason alone).
const PERMANENT_REASONS = new Set([
  'invalidQuery', 'invalid', 'notFound', 'accessDenied', 'quotaExceeded', 'bytesBilledLimitExceeded',
  'billingTierLimitExceeded', 'duplicate', 'responseTooLarge', 'resourcesExceeded', 'stopped',
  'notImplemented', 'invalidUser', 'billingNotEnabled',
]);
// Reasons that say "try again later", including the job-level ones that arrive in
// `status.errorResult` when a job was accepted but then failed inside BigQuery.
const TRANSIENT_REASONS = new Set([
  'backendError', 'internalError', 'rateLimitExceeded', 'userRateLimitExceeded',
  'jobRateLimitExceeded', 'jobBackendError', 'jobInternalError',
]);
const TRANSIENT_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const TRANSIENT_NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED']);

interface ApiErrorShape {
  code?: unknown;
  message?: unknown;
  errors?: { reason?: string; message?: string }[];
  errorResult?: { reason?: string; message?: string };
  response?: { status?: { errorResult?: { reason?: string; message?: string } } };
}

/** Reads what the client's `ApiError` (or a network error) says about a failure. */
export function classifyBigQueryError(error: unknown): ClassifiedError {
  if (error instanceof BigQueryError) return { transient: error.transient, reason: error.reason, message: error.message };
  const shape = (typeof error === 'object' && error !== null ? error : {}) as ApiErrorShape;
  const details = [
    ...(Array.isArray(shape.errors) ? shape.errors : []),
    shape.errorResult,
    shape.response?.status?.errorResult,
  ].filter((e): e is { reason?: string; message?: string } => e !== undefined && e !== null);
  const reasons = details.map((e) => e.reason).filter((r): r is string => typeof r === 'string');
  const message = firstLine(details.find((e) => e.message)?.message ?? String(shape.message ?? error));
  const status = typeof shape.code === 'number' ? shape.code : undefined;
  if (details.some((e) => CONCURRENT_UPDATE.test(e.message ?? '')) || CONCURRENT_UPDATE.test(String(shape.message ?? ''))) {
    return { transient: true, reason: CONCURRENT_UPDATE_REASON, message };
  }
  // Most quotas are daily, but some clear within minutes: those are worth waiting for.
  if (reasons.includes('quotaExceeded') && SHORT_QUOTA.test(message)) return { transient: true, reason: 'quotaExceeded', message };
  const permanent = reasons.find((r) => PERMANENT_REASONS.has(r));
  if (permanent) return { transient: false, reason: permanent, message };
  const transient = reasons.find((r) => TRANSIENT_REASONS.has(r));
  if (transient) return { transient: true, reason: transient, message };
  if (status === 401) {
    // The client sends a request without credentials when it finds none; say where they come from.
    const hint = 'set up Application Default Credentials (gcloud auth application-default login, or GOOGLE_APPLICATION_CREDENTIALS)';
    return { transient: false, reason: reasons[0] ?? 'http-401', message: `${message}; ${hint}` };
  }
  if (status !== undefined) {
    return { transient: TRANSIENT_STATUS.has(status), reason: reasons[0] ?? `http-${status}`, message };
  }
  if (typeof shape.code === 'string' && TRANSIENT_NETWORK.has(shape.code)) {
    return { transient: true, reason: shape.code, message };
  }
  return { transient: false, reason: reasons[0] ?? 'unknown', message };
}

/** How `withRetry` names the call and reports retries. */
export interface RetryContext {
  readonly operation: string;
  readonly target?: string | undefined;
  readonly policy: RetryPolicy | undefined;
  readonly onRetry: ((event: RetryEvent) => void) | undefined;
  /** Source of jitter; tests pin it. */
  readonly random?: () => number;
}

/**
 * Runs `work`, retrying transient failures with exponential backoff and jitter. Throws a
 * `BigQueryError`: permanent failures at once with BigQuery's message, transient ones once
 * the attempts are used up.
 */
export async function withRetry<T>(work: () => Promise<T>, context: RetryContext): Promise<T> {
  const attempts = Math.max(1, context.policy?.attempts ?? 5);
  const base = Math.max(0, context.policy?.baseDelayMs ?? 1000);
  const cap = Math.max(base, context.policy?.maxDelayMs ?? 32_000);
  const random = context.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const failure = classifyBigQueryError(error);
      if (!failure.transient) {
        throw new BigQueryError(`${failure.message} (${failure.reason})`, { transient: false, reason: failure.reason });
      }
      if (attempt >= attempts) {
        const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
        throw new BigQueryError(`${failure.message} (${failure.reason}; gave up after ${tries})`, {
          transient: true,
          reason: failure.reason,
        });
      }
      // Full exponential step, then jitter into its upper half so that parallel callers
      // hit by the same rate limit do not come back in lockstep.
      const step = Math.min(cap, base * 2 ** (attempt - 1));
      const delayMs = Math.round(step / 2 + (random() * step) / 2);
      context.onRetry?.({
        operation: context.operation,
        target: context.target,
        attempt,
        attempts,
        delayMs,
        reason: failure.reason,
        message: failure.message,
      });
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/** One line for the run log: what failed, why, and when the next attempt comes. */
export function describeRetry(event: RetryEvent): string {
  const what = event.target ? `BigQuery ${event.operation} for ${event.target}` : `BigQuery ${event.operation}`;
  const wait = event.delayMs >= 1000 ? `${(event.delayMs / 1000).toFixed(1)}s` : `${event.delayMs}ms`;
  return `${what} failed (${event.reason}: ${event.message}); attempt ${event.attempt + 1} of ${event.attempts} in ${wait}`;
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}
