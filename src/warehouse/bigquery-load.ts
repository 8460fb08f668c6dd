/**
 * Rows a command handed over, into BigQuery: a load job puts the file into a staging table
 * beside the target's (same dataset, so same location), its dates are checked against the
 * range, then one script replaces exactly the range's dates of the target with the staged
 * rows and appends the range's write records, in one transaction. A bad file changes
 * nothing; the staging table is dropped either way.
 */
import { statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { Day } from '../intervals/day.js';
import { describeDays } from '../intervals/describe.js';
import { messageOf } from '../core/errors.js';
import { dayOfCell } from './bigquery-coverage.js';
import type { BigQueryPort, QueryParam, QueryRequest } from './bigquery-port.js';
import { type TableRef, quoteColumn, quoteTable, resolveTable } from './bigquery-sql.js';
import { type TabledBatch, ensureWritesTable, recordsStatement } from './bigquery-writes.js';
import { type LoadRequest, WarehouseError } from './warehouse.js';

/** A permanent failure of the file, named as the DuckDB engine names it. */
function fail(request: LoadRequest, message: string): WarehouseError {
  return new WarehouseError(`${request.format.toUpperCase()} output of ${request.target}: ${message}`, { transient: false });
}

/** What the caller provides: how the load job is named and how the replacing job is run. */
export interface LoadContext {
  /** The load job's id (one per attempt of the range). */
  readonly loadJobId: string;
  /** Runs the replacing script as the range's build job (one job per attempt, retried on conflicts). */
  readonly runReplace: (query: QueryRequest, table: string) => Promise<number | undefined>;
}

/** Loads, checks and replaces one range's rows; the rows loaded, and what the replacing job billed when known. */
export async function loadRange(port: BigQueryPort, request: LoadRequest, context: LoadContext): Promise<{ rows: number; bytesBilled?: number }> {
  let size: number;
  try {
    size = statSync(request.file).size;
  } catch {
    throw fail(request, `the command exited 0 but wrote no file at ${request.file} (it must write its rows to {output} / DAGRUN_OUTPUT)`);
  }
  const ref = resolveTable(request.table, port.project);
  await port.ensureDataset(ref);
  await ensureWritesTable(port);
  const staging: TableRef = { ...ref, table: `_dagrun_load_${createHash('sha256').update(context.loadJobId).digest('hex').slice(0, 16)}` };
  let staged = false;
  try {
    let rows = 0;
    if (size > 0) {
      try {
        rows = await port.loadFile(staging, request.file, request.format, { jobId: context.loadJobId, target: request.target });
      } catch (error) {
        if (error instanceof WarehouseError && error.transient) throw error;
        throw fail(request, `${request.file} could not be loaded: ${messageOf(error)}`);
      }
      staged = true;
      port.forgetTable(staging);
    }
    const columns = rows > 0 ? await stagedColumns(port, request, staging) : undefined;
    const byDay = columns ? await countByDay(port, request, staging) : new Map<Day, number>();
    check(request, byDay);
    const table = `${ref.project}.${ref.dataset}.${ref.table}`;
    const bytesBilled = await context.runReplace(await replaceQuery(port, request, { ref, staging, columns }), table);
    port.forgetTable(ref);
    return bytesBilled === undefined ? { rows } : { rows, bytesBilled };
  } finally {
    if (staged) {
      await port.query({ sql: `DROP TABLE IF EXISTS ${quoteTable(staging)}`, purpose: 'build', target: request.target }).catch(() => undefined);
      port.forgetTable(staging);
    }
  }
}

/** The staged table's columns (name → type); fails naming them when the date column is not one. */
async function stagedColumns(port: BigQueryPort, request: LoadRequest, staging: TableRef): Promise<ReadonlyMap<string, string>> {
  const info = await port.table(staging);
  if (!info.exists) throw fail(request, 'the load job reported rows but left no table');
  if (!info.columns.has(request.dateColumn.toLowerCase())) {
    throw fail(request, `the rows have no date column "${request.dateColumn}" (columns: ${[...info.columns.keys()].join(', ')})`);
  }
  return info.columns;
}

/** Rows per date of the staged table; undated rows under -1. */
async function countByDay(port: BigQueryPort, request: LoadRequest, staging: TableRef): Promise<Map<Day, number>> {
  const column = quoteColumn(request.dateColumn);
  let rows;
  try {
    rows = await port.query({ sql: `SELECT CAST(${column} AS DATE) AS d, COUNT(*) AS n FROM ${quoteTable(staging)} GROUP BY 1`, purpose: 'build', target: request.target });
  } catch (error) {
    if (error instanceof WarehouseError && error.transient) throw error;
    throw fail(request, `column "${request.dateColumn}" does not hold dates: ${messageOf(error)}`);
  }
  const counts = new Map<Day, number>();
  for (const row of rows) counts.set(dayOfCell(row['d'] ?? null) ?? (-1 as Day), Number(row['n']));
  return counts;
}

/** Fails, naming them, on undated rows, rows outside the range's dates, and (unless allowed) dates with no rows. */
function check(request: LoadRequest, byDay: Map<Day, number>): void {
  const undated = byDay.get(-1 as Day) ?? 0;
  byDay.delete(-1 as Day);
  const asked = new Set<number>(request.dates);
  const outside = [...byDay.keys()].filter((d) => !asked.has(d)).sort((a, b) => a - b);
  const empty = request.allowEmptyDates ? [] : request.dates.filter((d) => !byDay.has(d));
  const problems: string[] = [];
  if (undated > 0) problems.push(`${undated} row${undated === 1 ? ' has' : 's have'} no ${request.dateColumn}`);
  if (outside.length > 0) problems.push(`rows dated outside the dates handed over: ${describeDays(outside)}`);
  if (empty.length > 0) problems.push(`no rows for ${describeDays(empty)} (set build.allowEmptyDates if a date may have none)`);
  if (problems.length > 0) throw fail(request, problems.join('; '));
}

/**
 * The script that replaces the range: the target is created from the staged columns
 * (partitioned by its date column when that is a DATE) if it does not exist, then, in one
 * transaction, the range's dates are deleted, the staged rows inserted and the records appended.
 */
async function replaceQuery(
  port: BigQueryPort,
  request: LoadRequest,
  tables: { ref: TableRef; staging: TableRef; columns: ReadonlyMap<string, string> | undefined },
): Promise<QueryRequest> {
  const { ref, staging, columns } = tables;
  const target = quoteTable(ref);
  const column = quoteColumn(request.dateColumn);
  const exists = (await port.table(ref)).exists;
  const records = recordsStatement(port, [{ batch: request.record, table: `${ref.project}.${ref.dataset}.${ref.table}` } satisfies TabledBatch], 'dagrun_w');
  const statements: string[] = [];
  if (!exists && columns) {
    const partition = columns.get(request.dateColumn.toLowerCase()) === 'DATE' ? ` PARTITION BY ${column}` : '';
    statements.push(`CREATE TABLE IF NOT EXISTS ${target}${partition} AS SELECT * FROM ${quoteTable(staging)} WHERE FALSE`);
  }
  statements.push('BEGIN TRANSACTION');
  if (exists || columns) statements.push(`DELETE FROM ${target} WHERE CAST(${column} AS DATE) IN UNNEST(@dates)`);
  if (columns) {
    const names = [...columns.keys()].map(quoteColumn).join(', ');
    statements.push(`INSERT INTO ${target} (${names}) SELECT ${names} FROM ${quoteTable(staging)}`);
  }
  statements.push(records.sql, 'COMMIT TRANSACTION');
  const params: Record<string, QueryParam> = { dates: { type: 'ARRAY<DATE>', value: request.dates }, ...records.params };
  return { sql: statements.map((s) => `${s};`).join('\n'), params, purpose: 'build', target: request.target, labels: request.labels };
}
