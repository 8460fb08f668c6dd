/**
 * The narrow view of BigQuery that the adapter's logic needs: run a query, dry-run one,
 * look a table or dataset up. `bigquery.ts` implements it over the official client (the
 * only file that imports it); the coverage, writes and connection modules are written
 * against this interface alone.
 */
import type { OutputFormat } from '../config/types.js';
import type { Day } from '../intervals/day.js';
import type { TableRef } from './bigquery-sql.js';
import type { SqlBuildRequest } from './warehouse.js';

/** A typed query parameter. DATE values are days, so no caller can hit the client's string-date pitfall. */
export type QueryParam =
  | { readonly type: 'DATE'; readonly value: Day }
  | { readonly type: 'ARRAY<DATE>'; readonly value: readonly Day[] }
  | { readonly type: 'STRING'; readonly value: string }
  | { readonly type: 'ARRAY<STRING>'; readonly value: readonly string[] }
  | { readonly type: 'FLOAT64'; readonly value: number };

/** What a query is for; it becomes the `purpose` label and names the query in errors. */
export type QueryPurpose = 'coverage' | 'calendar' | 'check' | 'build' | 'writes' | 'connect';

/** One query to run. */
export interface QueryRequest {
  readonly sql: string;
  /** Parameters; only those the SQL mentions are sent. */
  readonly params?: Readonly<Record<string, QueryParam>>;
  readonly purpose: QueryPurpose;
  /** The target the query is for, labelled so costs can be traced. */
  readonly target?: string | undefined;
  /** More labels (the engine's, for builds). */
  readonly labels?: Readonly<Record<string, string>>;
}

/** A result cell: DATE/TIMESTAMP as their text, numbers as numbers. */
export type Cell = string | number | boolean | null;

/** A result row, keyed by column name. */
export type Row = Readonly<Record<string, Cell>>;

/** What a job returned: the rows of its (last) result, and what it billed when BigQuery said. */
export interface JobResult {
  readonly rows: Row[];
  /**
   * `statistics.query.totalBytesBilled` of the job (for a SCRIPT, the sum of its child
   * jobs'); undefined when jobs.get did not tell.
   */
  readonly bytesBilled: number | undefined;
}

/** What tables.get says about a table. */
export type TableInfo =
  /** The table (or its dataset) does not exist. */
  | { readonly exists: false }
  /** The table exists. */
  | {
      readonly exists: true;
      /** The column of DAY time partitioning, when the table has it. */
      readonly dayPartitionColumn: string | undefined;
      /** Column types by lower-cased name. */
      readonly columns: ReadonlyMap<string, string>;
      readonly numRows: number | undefined;
      readonly lastModifiedMs: number | undefined;
      /** `timePartitioning.expirationMs`: a partition is deleted that long after its day ends (UTC). */
      readonly partitionExpirationMs?: number | undefined;
      /** `expirationTime` (epoch ms): the whole table is deleted then. */
      readonly expirationTime?: number | undefined;
    };

/** What datasets.get says about a dataset. */
export type DatasetInfo = { readonly exists: false } | { readonly exists: true; readonly location: string | undefined };

/** Where dagrun keeps its write records, and under which pipeline id. */
export interface StateLocation {
  readonly project: string;
  /** `warehouse.stateDataset`, by default `_dagrun`. */
  readonly dataset: string;
  /**
   * Tells this pipeline's records from those of other pipelines in the same project that
   * use the same target names (`warehouse.pipeline`; empty by default).
   */
  readonly pipeline: string;
}

/** BigQuery as the adapter's logic sees it. Every call is labelled, capped and retried by the implementation. */
export interface BigQueryPort {
  /** The project that unqualified tables belong to. */
  readonly project: string;
  /** Where the write records live. */
  readonly state: StateLocation;
  /** The configured location, if any. */
  readonly location: string | undefined;
  /** Runs a query or script; rows of its (last) result. */
  query(request: QueryRequest): Promise<Row[]>;
  /**
   * Runs a query as the job `jobId` and waits for its end: a lost answer or a failed poll
   * is recovered by asking about the same job (never by starting another). Throws a
   * `BigQueryError` with `jobFailed` when the job itself failed.
   */
  runJob(request: QueryRequest, job: { readonly jobId: string; readonly timeoutMs?: number | undefined }): Promise<JobResult>;
  /**
   * Loads a local file into a table, replacing it (created from the file's columns), as the
   * load job `jobId`; the rows loaded. A lost answer is recovered as in `runJob`.
   */
  loadFile(ref: TableRef, file: string, format: OutputFormat, job: { readonly jobId: string; readonly target: string }): Promise<number>;
  /** Cancels every job `runJob` is waiting for (best effort). */
  cancelRunning(): Promise<void>;
  /** Dry-runs a query: the bytes it would process, without running it or paying for it. */
  dryRun(request: QueryRequest): Promise<number>;
  /**
   * The same, with the number of tables the query references when BigQuery says
   * (`statistics.query.referencedTables`): each is billed at least 10 MB per job.
   */
  dryRunStatistics(request: QueryRequest): Promise<{ readonly bytes: number; readonly tables: number | undefined }>;
  /** Looks a table up (cached per run while it exists). */
  table(ref: TableRef): Promise<TableInfo>;
  /** Forgets what `table` learnt, after a build may have created or replaced the table. */
  forgetTable(ref: TableRef): void;
  /** Looks a dataset up. */
  dataset(ref: { project: string; dataset: string }): Promise<DatasetInfo>;
  /** Creates a dataset unless it exists (cached per run). */
  ensureDataset(ref: { project: string; dataset: string }): Promise<void>;
}

/** A build's query: its script, the three SQL-build parameters, the engine's labels. */
export function sqlBuildQuery(request: SqlBuildRequest, sql: string): QueryRequest {
  return {
    sql,
    params: {
      start_date: { type: 'DATE', value: request.start },
      end_date: { type: 'DATE', value: request.end },
      dates: { type: 'ARRAY<DATE>', value: request.dates },
    },
    purpose: 'build',
    target: request.target,
    labels: request.labels,
  };
}

export { mapConcurrent } from '../core/concurrency.js';
