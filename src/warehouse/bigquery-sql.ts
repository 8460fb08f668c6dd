/**
 * The text of the queries dagrun itself sends to BigQuery, and the small conversions around
 * them (table references, partition ids, labels, byte sizes). Kept apart from the client so
 * the SQL can be read, and tested, on its own.
 */
import type { Day } from '../intervals/day.js';
import { formatDay } from '../intervals/day.js';
import { tableParts } from './sql-text.js';

/** A fully qualified BigQuery table. */
export interface TableRef {
  readonly project: string;
  readonly dataset: string;
  readonly table: string;
}

/** The dataset that `_dagrun` state lives in, and its table of write records. */
export const STATE_DATASET = '_dagrun';
/** Name of the write-record table inside `STATE_DATASET`. */
export const WRITES_TABLE = 'writes';

/** Resolves `dataset.table` or `project.dataset.table` against the configured project. */
export function resolveTable(name: string, defaultProject: string): TableRef {
  const parts = tableParts(name);
  return { project: parts.project ?? defaultProject, dataset: parts.dataset, table: parts.name };
}

/** The backticked, fully qualified name (projects may hold dashes, so always backtick). */
export function quoteTable(ref: TableRef): string {
  return `\`${ref.project}.${ref.dataset}.${ref.table}\``;
}

/** A backticked column name. */
export function quoteColumn(name: string): string {
  return `\`${name.replaceAll('`', '')}\``;
}

/** `project.dataset`, the key that groups tables into one INFORMATION_SCHEMA query. */
export function datasetKey(ref: { project: string; dataset: string }): string {
  return `${ref.project}.${ref.dataset}`;
}

/** The id of a day's partition in a DAY-partitioned table: `YYYYMMDD`. */
export function partitionId(day: Day): string {
  return formatDay(day).replaceAll('-', '');
}

/**
 * Runs of consecutive days among rows `(key..., x)` of epoch days `x` distinct per key, as
 * `(key..., first_day, last_day)`: gaps-and-islands, a day minus its rank is constant along a run.
 */
function islands(keys: string, days: string): string {
  return `SELECT ${keys}, MIN(x) AS first_day, MAX(x) AS last_day FROM (
  SELECT ${keys}, x, x - ROW_NUMBER() OVER (PARTITION BY ${keys} ORDER BY x) AS island FROM (
${days}))
GROUP BY ${keys}, island`;
}

/**
 * One query for the present dates of every table of a dataset that is partitioned by its
 * date column: partition metadata, no table data read, as runs of consecutive days modified
 * at the same time (`table_name, modified_ms, first_day, last_day`, epoch days). Partition
 * ids compare as strings in date order, and the `__NULL__`/`__UNPARTITIONED__`
 * pseudo-partitions are excluded. SAFE.: BigQuery does not promise to filter before it
 * projects, and an id that is not a day (an hourly partition, `2024010112`) must drop out, not
 * fail the whole dataset's query.
 */
export function partitionsQuery(dataset: { project: string; dataset: string }): string {
  return islands(
    'table_name, modified_ms',
    `SELECT table_name, UNIX_MILLIS(last_modified_time) AS modified_ms, UNIX_DATE(SAFE.PARSE_DATE('%Y%m%d', partition_id)) AS x
FROM \`${dataset.project}.${dataset.dataset}.INFORMATION_SCHEMA.PARTITIONS\`
WHERE table_name IN UNNEST(@tables)
  AND partition_id NOT IN ('__NULL__', '__UNPARTITIONED__')
  AND partition_id BETWEEN @first_id AND @last_id
  AND SAFE.PARSE_DATE('%Y%m%d', partition_id) IS NOT NULL
  AND total_rows > 0`,
  );
}

/** A table to scan for its distinct dates, with how to read its date column as a DATE. */
export interface ScanProbe {
  readonly ref: TableRef;
  readonly dateColumn: string;
  /** The column's BigQuery type; anything but DATE is cast (TIMESTAMP gives its UTC day). */
  readonly columnType: string;
}

/**
 * One query for the distinct dates of several tables that metadata cannot answer, as runs
 * of consecutive days (`k, first_day, last_day`: probe index and epoch days). Each part
 * reads only the date column within the window, so the bytes billed are those of one
 * column over the pruned partitions.
 */
export function scanQuery(probes: readonly ScanProbe[]): string {
  const days = probes
    .map((probe, index) => {
      const column = quoteColumn(probe.dateColumn);
      const date = probe.columnType === 'DATE' ? column : `CAST(${column} AS DATE)`;
      return `SELECT ${index} AS k, UNIX_DATE(d) AS x FROM (SELECT DISTINCT ${date} AS d FROM ${quoteTable(probe.ref)} WHERE ${date} BETWEEN @first AND @last)`;
    })
    .join('\nUNION ALL\n');
  return islands('k', days);
}

/**
 * DDL of the write-record table (idempotent). Partitioned by day and clustered by target,
 * so reading a pipeline's records over a window reads neither years of history nor other
 * pipelines' targets.
 */
export function createWritesTable(ref: TableRef): string {
  return `CREATE TABLE IF NOT EXISTS ${quoteTable(ref)} (
  pipeline STRING NOT NULL, target STRING NOT NULL, table_name STRING, day DATE NOT NULL,
  written_at FLOAT64 NOT NULL, fingerprint STRING NOT NULL, run_id STRING NOT NULL
) PARTITION BY day CLUSTER BY target, pipeline`;
}

/** A write batch as the INSERT needs it: `table` when known, `at` undefined for the server's clock. */
export interface RecordRow {
  readonly table: string | undefined;
  readonly at: number | undefined;
}

/**
 * Appends write records. Records are only ever appended (INSERTs never conflict in
 * BigQuery, unlike MERGE, even inside concurrent transactions), and readers take the
 * latest per (target, day). A batch without a time gets the server's clock, so runners
 * whose clocks disagree still agree on which write came last. Parameters are named
 * `<prefix>_<field>_<i>`, so the INSERT can join a build script without clashing.
 */
export function insertWrites(ref: TableRef, rows: readonly RecordRow[], prefix: string): string {
  const parts = rows.map((row, i) => {
    const at = row.at === undefined ? 'UNIX_MICROS(CURRENT_TIMESTAMP()) / 1000' : `@${prefix}_at_${i}`;
    const table = row.table === undefined ? 'CAST(NULL AS STRING)' : `@${prefix}_table_${i}`;
    return `SELECT @${prefix}_pipeline AS pipeline, @${prefix}_target_${i} AS target, ${table} AS table_name, d AS day, ${at} AS written_at, @${prefix}_fingerprint_${i} AS fingerprint, @${prefix}_run_${i} AS run_id FROM UNNEST(@${prefix}_days_${i}) AS d`;
  });
  return `INSERT INTO ${quoteTable(ref)} (pipeline, target, table_name, day, written_at, fingerprint, run_id)\n${parts.join('\nUNION ALL\n')}`;
}

/**
 * The latest record of each (target, day) of this pipeline within the window
 * (`@pipeline`, `@targets`, `@first`, `@last`): the last written, ties broken by run id so
 * that every reader picks the same.
 */
function latestWrites(ref: TableRef): string {
  return `SELECT target, day, written_at, fingerprint, run_id FROM ${quoteTable(ref)}
  WHERE pipeline = @pipeline AND target IN UNNEST(@targets) AND day BETWEEN @first AND @last
  QUALIFY ROW_NUMBER() OVER (PARTITION BY target, day ORDER BY written_at DESC, run_id DESC) = 1`;
}

/**
 * `%.17g` prints every FLOAT64 exactly (17 significant digits read back to the same
 * double), which CAST to STRING does not promise.
 */
const EXACT = "'%.17g'";

/**
 * The latest write record of each (target, day) within the window as ranges, made on the
 * server: one row per run of consecutive days of a target with one time, definition and run
 * (`target, fingerprint, run_id, written_at, first_day, last_day`; epoch days, and the time
 * as exact text, which keys the runs and reads back to the same double). A target built in
 * one go is one row however many dates.
 */
export function readWriteRangesQuery(ref: TableRef): string {
  return `${islands(
    'target, fingerprint, run_id, written_at',
    `SELECT target, fingerprint, run_id, FORMAT(${EXACT}, written_at) AS written_at, UNIX_DATE(day) AS x FROM (
  ${latestWrites(ref)}
)`,
  )}
ORDER BY target, first_day`;
}

/**
 * The same records one row each, with the run that wrote them: the audit and fallback
 * path (`readWrites`). Days as epoch days, times as exact text, as in the grouped query.
 */
export function readWritesQuery(ref: TableRef): string {
  return `SELECT target, UNIX_DATE(day) AS day, FORMAT(${EXACT}, written_at) AS written_at, fingerprint, run_id
FROM (
  ${latestWrites(ref)}
)`;
}

/**
 * A BigQuery label value: lowercase letters, digits, `_` and `-`, at most 63 characters
 * (BigQuery rejects the whole job otherwise, so anything else is replaced, not refused).
 */
export function labelValue(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_-]/g, '_').slice(0, 63);
}

/** Labels for a job: dagrun's own, the caller's, all made valid. */
export function jobLabels(base: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) {
    if (value === undefined) continue;
    const k = labelValue(key).replace(/^[^a-z]+/, '');
    if (k !== '') out[k] = labelValue(value);
  }
  return out;
}

const BYTE_UNITS: Record<string, number> = { B: 0, KB: 1, KIB: 1, MB: 2, MIB: 2, GB: 3, GIB: 3, TB: 4, TIB: 4, PB: 5, PIB: 5 };

/**
 * Parses a byte size like `10GB`, `500 MiB` or `1048576` into the int64 string BigQuery
 * wants. Units are powers of 1024, as in BigQuery's own pricing ("10 MB minimum" is
 * 10485760 bytes). Undefined when the text is not a size.
 */
export function parseByteSize(text: string): string | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/.exec(text);
  if (!match) return undefined;
  const power = BYTE_UNITS[(match[2] || 'B').toUpperCase()];
  if (power === undefined) return undefined;
  const bytes = Number(match[1]) * 1024 ** power;
  if (!Number.isFinite(bytes) || bytes < 1) return undefined;
  return BigInt(Math.floor(bytes)).toString();
}

