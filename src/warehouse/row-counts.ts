/**
 * Rows per date of each table, for the validation document (`--status --report`): where it
 * is cheap. On DuckDB one grouped count per table, through the read-only check path, after
 * asking DuckDB's catalog how big each table is: a table over `maxRows` is skipped with a
 * note. On BigQuery a count would scan the tables; the partition metadata that holds the
 * counts for free is not offered through the warehouse interface yet, so it is skipped.
 */
import type { Day } from '../intervals/day.js';
import { tableParts } from './sql-text.js';
import type { DayWindow, TableProbe, Warehouse } from './warehouse.js';

/** The rows per date of one table, or why they were not counted. */
export type RowCounts =
  /** Counted: parallel lists, days sorted (only days with rows). */
  | { readonly kind: 'counted'; readonly days: readonly Day[]; readonly counts: readonly number[] }
  /** Not counted, and why (too big, the engine, a failed query). */
  | { readonly kind: 'skipped'; readonly why: string };

/** Row counts by table name. */
export type TableToRowCounts = Map<string, RowCounts>;

/** Tables bigger than this (DuckDB's estimate) are not counted: a validation document must stay quick. */
export const DEFAULT_MAX_ROWS = 50_000_000;

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** The catalog's row estimate of a DuckDB table (no scan). */
function sizeQuery(table: string): string {
  const { dataset, name } = tableParts(table);
  return `SELECT max(estimated_size) FROM duckdb_tables() WHERE schema_name = ${literal(dataset)} AND table_name = ${literal(name)}`;
}

/** One grouped count over the window: rows of (date, rows). */
function countQuery(probe: TableProbe): string {
  const { dataset, name } = tableParts(probe.table);
  const column = `CAST(${quote(probe.dateColumn)} AS DATE)`;
  return `SELECT ${column} AS d, count(*) AS n FROM ${quote(dataset)}.${quote(name)} WHERE ${column} BETWEEN @start_date AND @end_date GROUP BY 1`;
}

/**
 * Counts rows per date of `tables` (existing ones) within `window`; never throws for one
 * table: a failed count is a skipped one with the error.
 */
export async function countRowsPerDate(
  warehouse: Warehouse,
  tables: readonly TableProbe[],
  window: DayWindow,
  maxRows = DEFAULT_MAX_ROWS,
): Promise<TableToRowCounts> {
  const result: TableToRowCounts = new Map();
  if (warehouse.engine !== 'duckdb') {
    for (const t of tables) result.set(t.table, { kind: 'skipped', why: 'not counted on BigQuery (a count would scan the table; partition row counts are not offered by the adapter yet)' });
    return result;
  }
  const sizes = await warehouse.checkValues(tables.map((t) => ({ key: t.table, sql: sizeQuery(t.table) })), window);
  const counted: TableProbe[] = [];
  for (const t of tables) {
    const size = sizes.get(t.table);
    if (!size?.ok) {
      result.set(t.table, { kind: 'skipped', why: `not counted: ${size && !size.ok ? size.error : 'no answer'}` });
      continue;
    }
    const rows = size.value;
    // no catalog row: a view, whose count would run its query over everything it reads
    if (rows === null) result.set(t.table, { kind: 'skipped', why: 'not counted: not a table (a view: counting would run its query)' });
    else if (rows > maxRows) result.set(t.table, { kind: 'skipped', why: `not counted: about ${rows.toLocaleString('en-US')} rows, over the ${maxRows.toLocaleString('en-US')} a report counts` });
    else counted.push(t);
  }
  const counts = await warehouse.checkValues(counted.map((t) => ({ key: t.table, sql: countQuery(t), perDate: true })), window);
  for (const t of counted) {
    const outcome = counts.get(t.table);
    if (!outcome?.ok || !outcome.perDay) result.set(t.table, { kind: 'skipped', why: `not counted: ${outcome && !outcome.ok ? outcome.error : 'no answer'}` });
    else result.set(t.table, { kind: 'counted', days: outcome.perDay.days, counts: outcome.perDay.values.map((v) => v ?? 0) });
  }
  return result;
}
