/** Picks and opens the warehouse implementation a pipeline names. The CLI calls this; nothing else imports an adapter. */
import type { DagConfig } from '../config/types.js';
import { DuckDbWarehouse } from './duckdb.js';
import type { Warehouse } from './warehouse.js';

/** Options for opening a warehouse. */
export interface OpenOptions {
  readonly runId: string;
  /** Called when a transient warehouse error is retried. */
  readonly onRetry?: (message: string) => void;
}

/** Opens the pipeline's warehouse; throws a `warehouse-unavailable` DagrunError when it cannot. */
export async function openWarehouse(config: DagConfig, options: OpenOptions): Promise<Warehouse> {
  const settings = config.warehouse;
  switch (settings.type) {
    case 'duckdb': {
      const warehouse = new DuckDbWarehouse({ path: settings.path, searchPath: config.dir });
      await warehouse.open();
      return warehouse;
    }
    case 'bigquery': {
      // Loaded on demand: the Google client costs start-up time that DuckDB pipelines need not pay.
      const adapter = './bigquery.js';
      const { openBigQuery, describeRetry } = (await import(adapter)) as typeof import('./bigquery.js');
      const onRetry = options.onRetry;
      return openBigQuery(settings, { runId: options.runId, onRetry: onRetry && ((event) => onRetry(describeRetry(event))) });
    }
  }
}
