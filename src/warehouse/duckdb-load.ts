/**
 * Loading the rows a command handed over: stage the file, check its dates against the range,
 * then (in the caller's transaction) replace exactly the range's dates with the staged rows.
 */
import { statSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { OutputFormat } from '../config/types.js';
import type { Day } from '../intervals/day.js';
import { loadProblems, UNDATED } from './load-check.js';
import { dayList, firstLine, quoteIdent, quoteTable, toDay } from './duckdb-sql.js';
import { messageOf } from '../core/errors.js';
import { WarehouseError, type LoadRequest } from './warehouse.js';

/**
 * The table function that reads a file of each format (the path is bound, never spliced).
 * CSV into an existing table is read as text, so that the table's own types apply on insert:
 * sniffing each file anew would read an id like 0022100001 as a number in one range.
 */
function reader(format: OutputFormat, intoExistingTable: boolean): string {
  switch (format) {
    case 'csv':
      return `read_csv($file, header = true${intoExistingTable ? ', all_varchar = true' : ''})`;
    case 'ndjson':
      return "read_json($file, format = 'newline_delimited')";
    case 'parquet':
      return 'read_parquet($file)';
  }
}

/** Rows staged from a file, with how many each date holds. */
export interface Staged {
  /** A temporary table of the connection; undefined when the file holds no row at all. */
  readonly table: string | undefined;
  readonly rows: number;
}

function fail(request: LoadRequest, message: string): WarehouseError {
  return new WarehouseError(`${request.format.toUpperCase()} output of ${request.target}: ${message}`, { transient: false });
}

let staging = 0;

/**
 * Reads the file into a temporary table and checks it: it has the date column, every row is
 * dated, within the range's dates, and (unless allowed) every date of the range has rows.
 * Throws a permanent WarehouseError naming the file's problem; nothing is written then.
 */
export async function stageRows(connection: DuckDBConnection, request: LoadRequest, tableExists: boolean): Promise<Staged> {
  let size: number;
  try {
    size = statSync(request.file).size;
  } catch {
    throw fail(request, `the command exited 0 but wrote no file at ${request.file} (it must write its rows to {output} / DAGRUN_OUTPUT)`);
  }
  let table: string | undefined;
  let byDay = new Map<Day, number>();
  let rows = 0;
  if (size > 0) {
    table = `_dagrun_staged_${process.pid}_${++staging}`;
    try {
      await connection.run(`CREATE TEMP TABLE ${quoteIdent(table)} AS SELECT * FROM ${reader(request.format, tableExists)}`, { file: request.file });
    } catch (error) {
      throw fail(request, `${request.file} could not be read: ${firstLine(messageOf(error))}`);
    }
    const columns = (await connection.runAndReadAll(`SELECT column_name FROM (DESCRIBE ${quoteIdent(table)})`)).getRows().map((r) => String(r[0]));
    rows = Number((await connection.runAndReadAll(`SELECT count(*) FROM ${quoteIdent(table)}`)).getRows()[0]![0]);
    if (rows === 0) {
      await dropStaged(connection, table);
      table = undefined;
    } else if (!columns.includes(request.dateColumn)) {
      await dropStaged(connection, table);
      throw fail(request, `the rows have no date column "${request.dateColumn}" (columns: ${columns.join(', ')})`);
    } else {
      byDay = await countByDay(connection, request, table);
    }
  }
  const problems = loadProblems(request, byDay);
  if (problems.length > 0) {
    if (table) await dropStaged(connection, table);
    throw fail(request, problems.join('; '));
  }
  return { table, rows };
}

/** Rows per date of the staged table; undated rows under UNDATED. */
async function countByDay(connection: DuckDBConnection, request: LoadRequest, table: string): Promise<Map<Day, number>> {
  const column = quoteIdent(request.dateColumn);
  let result;
  try {
    result = await connection.runAndReadAll(`SELECT CAST(${column} AS DATE), count(*) FROM ${quoteIdent(table)} GROUP BY 1`);
  } catch (error) {
    await dropStaged(connection, table);
    throw new WarehouseError(
      `${request.format.toUpperCase()} output of ${request.target}: column "${request.dateColumn}" does not hold dates: ${firstLine(messageOf(error))}`,
      { transient: false },
    );
  }
  const counts = new Map<Day, number>();
  for (const [value, count] of result.getRows()) counts.set(value === null || value === undefined ? UNDATED : toDay(value)!, Number(count));
  return counts;
}

/**
 * Replaces the range's dates of the target's table with the staged rows. Run inside the
 * caller's transaction; the table exists (see `createFromStaged`) or no rows were staged.
 */
export async function replaceRange(connection: DuckDBConnection, request: LoadRequest, staged: Staged, tableExists: boolean): Promise<void> {
  const target = quoteTable(request.table);
  if (tableExists) {
    await connection.run(`DELETE FROM ${target} WHERE CAST(${quoteIdent(request.dateColumn)} AS DATE) IN (SELECT unnest($dates))`, {
      dates: dayList(request.dates),
    });
  }
  if (staged.table) await connection.run(`INSERT INTO ${target} BY NAME SELECT * FROM ${quoteIdent(staged.table)}`);
}

/** The target's table with the staged rows' columns and no rows: the first load creates it. */
export function createFromStaged(connection: DuckDBConnection, request: LoadRequest, staged: Staged): Promise<unknown> {
  return connection.run(`CREATE TABLE IF NOT EXISTS ${quoteTable(request.table)} AS SELECT * FROM ${quoteIdent(staged.table!)} WITH NO DATA`);
}

export async function dropStaged(connection: DuckDBConnection, table: string | undefined): Promise<void> {
  if (table) await connection.run(`DROP TABLE IF EXISTS ${quoteIdent(table)}`).catch(() => undefined);
}
