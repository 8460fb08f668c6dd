/**
 * The validated pipeline. Code after `config/` only ever sees these types: every default
 * filled, every duration and date parsed, every reference checked.
 */
import type { Day } from '../intervals/day.js';
import type { RangeMode } from '../intervals/interval.js';

/** Where the tables live. */
export type WarehouseConfig =
  /** The embedded default: one DuckDB file, opened by dagrun and (exclusively) by command targets. */
  | { readonly type: 'duckdb'; readonly path: string }
  /** Google BigQuery through the official client. */
  | {
      readonly type: 'bigquery';
      readonly project: string;
      readonly location: string | undefined;
      readonly maximumBytesBilled: string | undefined;
      readonly apiEndpoint: string | undefined;
      /** Dataset of dagrun's write records (undefined: `_dagrun`). */
      readonly stateDataset: string | undefined;
      /** Project of that dataset (undefined: `project`). */
      readonly stateProject: string | undefined;
      /** This pipeline's id in the write records (undefined: none). */
      readonly pipeline: string | undefined;
    };

/** The expected dates of a target. */
export type CalendarSpec =
  /** Distinct values of a date column of a table. */
  | { readonly kind: 'table'; readonly table: string; readonly dateColumn: string }
  /** A query returning one DATE column. */
  | { readonly kind: 'sql'; readonly sql: string }
  /** Every day of the window. */
  | { readonly kind: 'every-day' };

/** The end of the window: a fixed date or one relative to the clock. */
export type WindowEdge = { readonly kind: 'date'; readonly day: Day } | { readonly kind: 'today' | 'yesterday' };

/** The configured window, before the clock and the command line resolve it. */
export interface WindowSpec {
  readonly start: Day;
  readonly end: WindowEdge;
  /** IANA zone in which "today" is computed. */
  readonly timeZone: string;
}

/** A dependency edge: `target` feeds this one; date d reads the upstream's dates d-lookback..d. */
export interface Dependency {
  readonly target: string;
  readonly lookback: number;
}

/** A data-quality check: a query returning one number, compared with optional bounds. */
export interface Check {
  readonly name: string;
  readonly sql: string;
  /** The query returns (date, value) rows: each date is judged on its own. */
  readonly perDate: boolean;
  readonly min: number | undefined;
  readonly max: number | undefined;
}

/** The formats a command may hand its rows over in. */
export type OutputFormat = 'csv' | 'ndjson' | 'parquet';

/** What a build runs for one batch of dates. */
export type BuildAction =
  /** A program and its arguments (placeholders substituted per argv element; never a shell). */
  | {
      readonly kind: 'command';
      readonly argv: readonly string[];
      /** The command opens the warehouse itself (never with `output`). */
      readonly opensWarehouse: boolean;
      /** The command writes its rows to a file of this format and dagrun loads them. */
      readonly output: OutputFormat | undefined;
      /** With `output`: dates of the range with no rows do not fail it. */
      readonly allowEmptyDates: boolean;
    }
  /** A SQL script run in the warehouse in one transaction per batch. */
  | { readonly kind: 'sql'; readonly file: string; readonly sql: string };

/** How a target is built. */
export interface Build {
  readonly action: BuildAction;
  readonly ranges: RangeMode;
  readonly maxDays: number | undefined;
  readonly parallel: number;
  readonly timeoutMs: number | undefined;
  readonly retries: number;
  readonly retryBackoffMs: number;
  readonly env: Readonly<Record<string, string>>;
  /** Absolute working directory for commands. */
  readonly cwd: string;
}

/** One table of the pipeline. */
export interface Target {
  readonly name: string;
  /** Absolute path of the file that defines it. */
  readonly file: string;
  readonly table: string;
  readonly deps: readonly Dependency[];
  readonly group: string | undefined;
  readonly threshold: number;
  readonly dateColumn: string;
  /** This target's own calendar, or the pipeline's. */
  readonly calendar: CalendarSpec;
  readonly source: boolean;
  readonly onChange: 'rebuild' | 'warn';
  /** Undefined exactly when `source` is true. */
  readonly build: Build | undefined;
  readonly checks: readonly Check[];
}

/** A concurrency group (a ninja pool): at most `concurrency` ranges of its targets at once. */
export interface Group {
  readonly name: string;
  readonly concurrency: number;
}

/** The whole validated pipeline. */
export interface DagConfig {
  /** Absolute path of dag.json5. */
  readonly file: string;
  /** Its folder: every relative path is resolved against it. */
  readonly dir: string;
  readonly warehouse: WarehouseConfig;
  readonly window: WindowSpec;
  readonly calendar: CalendarSpec;
  readonly concurrency: number;
  readonly groups: ReadonlyMap<string, Group>;
  /** How much run history `.dagrun/runs/` keeps: at most `keepRuns` runs and `maxBytes` together. */
  readonly history: { readonly keepRuns: number; readonly maxBytes: number };
  /** Targets in a stable order (by name). */
  readonly targets: ReadonlyMap<string, Target>;
}
