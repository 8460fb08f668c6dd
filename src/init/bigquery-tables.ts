/** What BigQuery datasets hold, for `dagrun init --from bigquery:PROJECT.DATASET[,DATASET…]`. */
import { DagrunError } from '../core/errors.js';
import type { TableFinding } from './from-tables.js';

/** Options of `readBigQueryTables`. */
export interface BigQueryTablesOptions {
  readonly project: string;
  readonly datasets: readonly string[];
  readonly apiEndpoint?: string;
}

/** The tables of the datasets, and the datasets' location. */
export async function readBigQueryTables(options: BigQueryTablesOptions): Promise<{ tables: TableFinding[]; location: string }> {
  throw new DagrunError('usage', `init --from bigquery:${options.project}.${options.datasets.join(',')}: not supported yet`);
}
