/** Picks and opens the warehouse implementation a pipeline names. The CLI calls this; nothing else imports an adapter. */
import type { DagConfig } from '../config/types.js';
import { DagrunError } from '../core/errors.js';
import type { RetryPolicy } from './bigquery-retry.js';
import { DeferredWarehouse } from './deferred.js';
import type { Warehouse } from './warehouse.js';

/** Options for opening a warehouse. */
export interface OpenOptions {
  readonly runId: string;
  /** Called when a transient warehouse error is retried. */
  readonly onRetry?: (message: string) => void;
  /** Only reads (`--status`, `-n`, reports): engines may open leaner. */
  readonly readOnly?: boolean;
  /**
   * Load the engine and open the file on first need rather than now (a build planned from kept
   * reads may need neither). Without it a locked or damaged file is reported before any work starts.
   */
  readonly lazy?: boolean;
}

/**
 * Tuning knobs for BigQuery's retries of transient errors, read from the environment so
 * that tests (and impatient users) need no config change: attempts in all, the first delay
 * in ms (doubled per retry, with jitter), and the cap on one delay. Unset: the adapter's
 * defaults (5 attempts, 1 s, 32 s).
 */
export const RETRY_ENV = {
  attempts: 'DAGRUN_BIGQUERY_RETRY_ATTEMPTS',
  baseDelayMs: 'DAGRUN_BIGQUERY_RETRY_BASE_MS',
  maxDelayMs: 'DAGRUN_BIGQUERY_RETRY_MAX_MS',
} as const;

/** The retry policy the environment asks for; throws a usage error naming a variable that is not a whole number. */
export function retryPolicyFromEnv(env: NodeJS.ProcessEnv): RetryPolicy {
  const read = (name: string, min: number): number | undefined => {
    const text = env[name];
    if (text === undefined || text.trim() === '') return undefined;
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) {
      throw new DagrunError('usage', `environment variable ${name}: must be a whole number of at least ${min}, got ${JSON.stringify(text)}`);
    }
    return value;
  };
  const attempts = read(RETRY_ENV.attempts, 1);
  const baseDelayMs = read(RETRY_ENV.baseDelayMs, 0);
  const maxDelayMs = read(RETRY_ENV.maxDelayMs, 0);
  return {
    ...(attempts !== undefined && { attempts }),
    ...(baseDelayMs !== undefined && { baseDelayMs }),
    ...(maxDelayMs !== undefined && { maxDelayMs }),
  };
}

/** Opens the pipeline's warehouse; throws a `warehouse-unavailable` DagrunError when it cannot. */
export async function openWarehouse(config: DagConfig, options: OpenOptions): Promise<Warehouse> {
  const settings = config.warehouse;
  switch (settings.type) {
    case 'duckdb': {
      const load = async () => {
        const { DuckDbWarehouse } = await import('./duckdb.js');
        return new DuckDbWarehouse({ path: settings.path, searchPath: config.dir, ...(options.readOnly && { leanFor: config.targets.size }) });
      };
      // lazy: not even DuckDB's library is loaded until something is asked (the file opens at the first query)
      if (options.lazy) return new DeferredWarehouse('duckdb', true, load);
      const warehouse = await load();
      await warehouse.open();
      return warehouse;
    }
    case 'bigquery': {
      const retry = retryPolicyFromEnv(process.env);
      // Loaded on demand: the Google client costs start-up time that DuckDB pipelines need not pay.
      const adapter = './bigquery.js';
      const { openBigQuery, describeRetry } = (await import(adapter)) as typeof import('./bigquery.js');
      const onRetry = options.onRetry;
      return openBigQuery(settings, { runId: options.runId, retry, onRetry: onRetry && ((event) => onRetry(describeRetry(event))) });
    }
  }
}
