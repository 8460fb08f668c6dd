/**
 * The written shapes of dag.json5 and of a target file: what a user may write, before
 * defaults and references are resolved. `WrittenDag`/`WrittenTarget` mirror the shapes.
 */
import { MAX_LOOKBACK_DAYS, MAX_RETRIES } from './bounds.js';
import type { Shape } from './shape.js';

const DATE = '^\\d{4}-\\d{2}-\\d{2}$';
const DURATION = '^\\d+(\\.\\d+)?\\s*(ms|s|m|h|d)$';
const str = (description: string, extra: Partial<Extract<Shape, { kind: 'string' }>> = {}): Shape => ({ kind: 'string', description, ...extra });
const num = (description: string, extra: Partial<Extract<Shape, { kind: 'number' }>> = {}): Shape => ({ kind: 'number', description, ...extra });
const bool = (description: string): Shape => ({ kind: 'boolean', description });

const threshold = num('Minimum coverage (0..1) of the expected dates for the table to be fresh.', { min: 0, max: 1 });
const duration = (what: string) => str(`${what}, like "90s", "15m", "2h".`, { pattern: DURATION, patternName: 'a duration like "90s", "15m" or "2h"' });
const date = (description: string) => str(description, { pattern: DATE, patternName: 'a date YYYY-MM-DD' });

/** `calendar`: where the expected dates come from. */
export const calendarShape: Shape = {
  kind: 'object',
  description: 'Expected dates: exactly one of `table`, `sql` or `every`.',
  fields: {
    table: { shape: str('A table (dataset.table) whose date column lists the expected dates.') },
    dateColumn: { shape: str('The date column of `table` (default: defaults.dateColumn).', { minLength: 1 }) },
    sql: { shape: str('A query returning one DATE column of expected dates.', { minLength: 1 }) },
    every: { shape: str('Every day of the window.', { enum: ['day'] }) },
  },
};

const warehouseShape: Shape = {
  kind: 'object',
  description: 'Where the tables live.',
  fields: {
    type: { shape: str('The engine.', { enum: ['duckdb', 'bigquery'] }), required: true },
    path: { shape: str('DuckDB: the database file, relative to dag.json5.', { minLength: 1 }) },
    project: { shape: str('BigQuery: the project id.', { minLength: 1 }) },
    location: { shape: str('BigQuery: the location, e.g. "US".') },
    maximumBytesBilled: { shape: str('BigQuery: a cap on bytes billed per query, e.g. "10GB".', { pattern: '^\\d+(\\.\\d+)?\\s*(B|KB|MB|GB|TB|PB)?$', patternName: 'a size like "10GB"' }) },
    apiEndpoint: { shape: str('BigQuery: an alternative endpoint (emulators, tests), e.g. "http://127.0.0.1:9050".') },
    stateDataset: { shape: str('BigQuery: the dataset that holds dagrun\'s write records (default "_dagrun").', { pattern: '^[A-Za-z0-9_]{1,1024}$', patternName: 'a dataset id (letters, digits, underscores)' }) },
    stateProject: { shape: str('BigQuery: the project of stateDataset (default: project).', { minLength: 1 }) },
    pipeline: { shape: str('BigQuery: this pipeline\'s id in the write records, so that pipelines of one project with the same target names keep apart (default: none).', { pattern: '^[A-Za-z0-9_.-]{1,128}$', patternName: 'an id (letters, digits, _ . -)' }) },
  },
};

const windowShape: Shape = {
  kind: 'object',
  description: 'The dates the pipeline covers.',
  fields: {
    start: { shape: date('First date, YYYY-MM-DD.'), required: true },
    end: {
      shape: { kind: 'either', options: [date('Last date, YYYY-MM-DD.'), str('Relative end.', { enum: ['today', 'yesterday'] })] },
      required: true,
    },
    timeZone: { shape: str('IANA time zone in which "today" is computed (default UTC).') },
  },
};

const defaultsShape: Shape = {
  kind: 'object',
  description: 'Defaults for every target.',
  fields: {
    dateColumn: { shape: str('The date column of every table.', { minLength: 1 }) },
    threshold: { shape: threshold },
    timeout: { shape: duration('Build timeout per range') },
    retries: { shape: num('Retries per failed range (at most 100).', { min: 0, max: MAX_RETRIES, integer: true }) },
    retryBackoff: { shape: duration('First retry delay (doubles each attempt, with jitter)') },
    onChange: { shape: str('What a changed definition does.', { enum: ['rebuild', 'warn'] }) },
  },
};

/** dag.json5 */
export const dagShape: Shape = {
  kind: 'object',
  description: 'A dagrun pipeline.',
  fields: {
    $schema: { shape: str('JSON Schema for editors.') },
    warehouse: { shape: warehouseShape, required: true },
    window: { shape: windowShape, required: true },
    calendar: { shape: calendarShape, required: true },
    defaults: { shape: defaultsShape },
    concurrency: { shape: num('Global limit on ranges running at once (like make -j).', { min: 1, integer: true }) },
    groups: {
      shape: {
        kind: 'object',
        description: 'Concurrency groups.',
        values: { kind: 'object', fields: { concurrency: { shape: num('Ranges of this group running at once.', { min: 1, integer: true }), required: true } } },
      },
    },
    targets: { shape: { kind: 'array', description: 'Globs of target files.', items: str('A glob, relative to dag.json5.', { minLength: 1 }), minItems: 1 }, required: true },
    history: {
      shape: {
        kind: 'object',
        description: 'How much run history (.dagrun/runs/: records, logs, reports) to keep; the oldest runs go first after each build.',
        fields: {
          keepRuns: { shape: num('At most this many runs (default 50).', { min: 1, integer: true }) },
          maxMB: { shape: num('At most this many megabytes of runs together (default 500); the latest run is kept even if bigger.', { min: 1 }) },
        },
      },
    },
  },
};

const depShape: Shape = {
  kind: 'either',
  options: [
    str('A target this one reads (same dates).', { minLength: 1 }),
    {
      kind: 'object',
      fields: {
        target: { shape: str('The upstream target.', { minLength: 1 }), required: true },
        lookback: { shape: num('Date d reads the upstream dates d-lookback..d (at most 3660 days).', { min: 0, max: MAX_LOOKBACK_DAYS, integer: true }) },
      },
    },
  ],
};

const buildShape: Shape = {
  kind: 'object',
  description: 'How the table is built: exactly one of `command` or `sql`.',
  fields: {
    command: { shape: { kind: 'array', description: 'Program and arguments (no shell). Placeholders: {start} {end} {dates} {target} {table} {run_id} {output}; {{ and }} stand for literal braces (awk \'{{print $1}}\').', items: { kind: 'string' }, minItems: 1 } },
    sql: { shape: str('A .sql file, relative to the target file, run once per range in one transaction.', { minLength: 1 }) },
    ranges: { shape: str('How dates are handed over.', { enum: ['contiguous', 'per-date', 'single'] }) },
    maxDays: { shape: num('Split ranges longer than this many days.', { min: 1, integer: true }) },
    parallel: { shape: num('Ranges of this target that may run at once.', { min: 1, integer: true }) },
    timeout: { shape: duration('Timeout per range') },
    retries: { shape: num('Retries per failed range (at most 100).', { min: 0, max: MAX_RETRIES, integer: true }) },
    retryBackoff: { shape: duration('First retry delay') },
    env: { shape: { kind: 'object', description: 'Extra environment variables.', values: { kind: 'string' } } },
    cwd: { shape: str('Working directory, relative to dag.json5.') },
    opensWarehouse: { shape: bool('DuckDB: the command opens the warehouse file itself, so it runs with the file to itself (default true; false with `output`).') },
    output: { shape: str('The command hands its rows to dagrun in a file ({output} / DAGRUN_OUTPUT) instead of writing the table; dagrun replaces the range\'s dates with them in one transaction.', { enum: ['csv', 'ndjson', 'parquet'] }) },
    allowEmptyDates: { shape: bool('With `output`: a date of the range that comes back with no rows is fine (default false: the range fails, naming the dates).') },
  },
};

const checkShapeDecl: Shape = {
  kind: 'object',
  fields: {
    name: { shape: str('Check name.', { pattern: '^[A-Za-z0-9_-]+$', patternName: 'a name of letters, digits, "_" and "-"' }), required: true },
    sql: { shape: str('A query returning one number (with perDate: a date and a number per row).', { minLength: 1 }), required: true },
    perDate: { shape: bool('The query returns rows of (date, value): only the dates whose value fails are stale and rebuilt.') },
    min: { shape: num('Lowest passing value.') },
    max: { shape: num('Highest passing value.') },
  },
};

/** A target file. */
export const targetShape: Shape = {
  kind: 'object',
  description: 'A dagrun target: one table.',
  fields: {
    $schema: { shape: str('JSON Schema for editors.') },
    description: { shape: str('What this table is.') },
    table: { shape: str('dataset.table or project.dataset.table.', { minLength: 1 }), required: true },
    deps: { shape: { kind: 'array', description: 'Upstream targets.', items: depShape } },
    group: { shape: str('A group declared in dag.json5.') },
    threshold: { shape: threshold },
    dateColumn: { shape: str('The date column (default: defaults.dateColumn).', { minLength: 1 }) },
    calendar: { shape: calendarShape },
    source: { shape: bool('Never built by dagrun, only checked.') },
    onChange: { shape: str('What a changed definition does.', { enum: ['rebuild', 'warn'] }) },
    build: { shape: buildShape },
    checks: { shape: { kind: 'array', items: checkShapeDecl } },
  },
};

/** calendar as written. */
export interface WrittenCalendar {
  table?: string;
  dateColumn?: string;
  sql?: string;
  every?: 'day';
}

/** dag.json5 as written (after the shape check). */
export interface WrittenDag {
  warehouse: { type: 'duckdb' | 'bigquery'; path?: string; project?: string; location?: string; maximumBytesBilled?: string; apiEndpoint?: string; stateDataset?: string; stateProject?: string; pipeline?: string };
  window: { start: string; end: string; timeZone?: string };
  calendar: WrittenCalendar;
  defaults?: { dateColumn?: string; threshold?: number; timeout?: string; retries?: number; retryBackoff?: string; onChange?: 'rebuild' | 'warn' };
  concurrency?: number;
  groups?: Record<string, { concurrency: number }>;
  targets: string[];
  history?: { keepRuns?: number; maxMB?: number };
}

/** A target file as written (after the shape check). */
export interface WrittenTarget {
  table: string;
  deps?: (string | { target: string; lookback?: number })[];
  group?: string;
  threshold?: number;
  dateColumn?: string;
  calendar?: WrittenCalendar;
  source?: boolean;
  onChange?: 'rebuild' | 'warn';
  build?: {
    command?: string[];
    sql?: string;
    ranges?: 'contiguous' | 'per-date' | 'single';
    maxDays?: number;
    parallel?: number;
    timeout?: string;
    retries?: number;
    retryBackoff?: string;
    env?: Record<string, string>;
    cwd?: string;
    opensWarehouse?: boolean;
    output?: 'csv' | 'ndjson' | 'parquet';
    allowEmptyDates?: boolean;
  };
  checks?: { name: string; sql: string; perDate?: boolean; min?: number; max?: number }[];
}
