/**
 * The DuckDB warehouse's reads that need no state of the instance: which tables exist, the
 * expected dates of calendars, and check values, each on a connection the caller holds (a
 * read-only transaction for calendars and checks, so that they cannot write).
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { CalendarSpec } from '../config/types.js';
import { messageOf } from '../core/errors.js';
import type { Day } from '../intervals/day.js';
import { perDateOutcome } from './check-rows.js';
import { duckdb } from './duckdb-module.js';
import { checksInOneRow, describeOpenFailure, EPOCH, firstLine, quoteIdent, quoteTable, runStatement, toDay, toNumber } from './duckdb-sql.js';
import { calendarKey, everyDay, WarehouseError, type CheckOutcome, type CheckProbe, type DayWindow } from './warehouse.js';

/** Scalar checks per statement: DuckDB refuses ~1000 subqueries in one expression. */
const CHECKS_PER_STATEMENT = 100;

/**
 * Up to this many tables are looked up by name, a statement each; more are found in one scan
 * of the catalog, which costs ~4 µs for every table in the file (information_schema describes
 * each one: 13 ms at 3,000 tables) where a lookup costs ~0.5 ms. A gate asks for its target and
 * the tables it reads: it paid a scan of every table before.
 */
const LOOKED_UP_BY_NAME = 8;

/**
 * Which of `tables` (`dataset.table`, any case) exist, as tables or views. A few are looked up
 * by name when the caller gives the file's `catalog` (`"ds"."t"` alone means catalog `ds` when the
 * file is `ds.duckdb`) and the connection is in no transaction (`autocommit`: a lookup that fails
 * would end the caller's transaction).
 */
export async function existingTables(
  connection: DuckDBConnection,
  tables: readonly string[],
  { autocommit = false, catalog }: { autocommit?: boolean; catalog?: string } = {},
): Promise<Set<string>> {
  if (tables.length === 0) return new Set();
  if (autocommit && catalog !== undefined && tables.length <= LOOKED_UP_BY_NAME) {
    const found = new Set<string>();
    for (const table of tables) if (await resolves(connection, catalog, table)) found.add(table);
    return found;
  }
  const reader = await connection.runAndReadAll(
    `SELECT table_schema || '.' || table_name FROM information_schema.tables
     WHERE list_contains($names, lower(table_schema || '.' || table_name))`,
    { names: duckdb.listValue(tables.map((t) => t.toLowerCase())) },
  );
  const found = new Set(reader.getRows().map((row) => String(row[0]).toLowerCase()));
  return new Set(tables.filter((t) => found.has(t.toLowerCase())));
}

/**
 * Whether `table` of `catalog` is a table or view, by the catalog's answer to a statement that
 * reads nothing. A view over a dropped table exists (its error is for the read that follows, as
 * after a catalog scan): when the lookup says no, the file's views are asked, which costs little.
 */
async function resolves(connection: DuckDBConnection, catalog: string, table: string): Promise<boolean> {
  try {
    await connection.run(`SELECT NULL FROM ${quoteIdent(catalog)}.${quoteTable(table)} LIMIT 0`);
    return true;
  } catch (error) {
    if (!/^Catalog Error: Table with name .* does not exist/.test(messageOf(error))) return true;
    const views = await connection.runAndReadAll(
      `SELECT 1 FROM duckdb_views() WHERE database_name = $catalog AND NOT internal AND lower(schema_name || '.' || view_name) = $name`,
      { catalog, name: table.toLowerCase() },
    );
    return views.getRows().length > 0;
  }
}

/** Runs `sql` with the window bound as `$first`/`$last`; a failure names `what`. */
export async function runWindowed(connection: DuckDBConnection, sql: string, window: DayWindow, what: string): Promise<DuckDBValue[][]> {
  try {
    const reader = await connection.runAndReadAll(sql, { first: duckdb.dateValue(window.first), last: duckdb.dateValue(window.last) });
    return reader.getRows();
  } catch (error) {
    throw new WarehouseError(`${what} failed: ${describeOpenFailure(messageOf(error))}`, { transient: false });
  }
}

function daysOf(value: DuckDBValue): Day[] {
  if (!(value instanceof duckdb.DuckDBListValue)) return [];
  return value.items.map((item) => Number(item) as Day);
}

/**
 * The expected dates of each calendar in the window, by `calendarKey`: every-day calendars
 * without a query, the others in one statement (`connection` is needed only for those).
 */
export async function calendarDays(calendars: readonly CalendarSpec[], window: DayWindow, connection: DuckDBConnection | undefined): Promise<Map<string, Day[]>> {
  const result = new Map<string, Day[]>();
  const queried = new Map<string, Exclude<CalendarSpec, { kind: 'every-day' }>>();
  for (const spec of calendars) {
    const key = calendarKey(spec);
    if (spec.kind === 'every-day') result.set(key, everyDay(window));
    else queried.set(key, spec);
  }
  if (queried.size === 0 || !connection) return result;
  const tables = [...queried.values()].flatMap((s) => (s.kind === 'table' ? [s.table] : []));
  const existing = await existingTables(connection, tables);
  const parts: string[] = [];
  const keys: string[] = [];
  for (const [key, spec] of queried) {
    result.set(key, []);
    if (spec.kind === 'table' && !existing.has(spec.table)) continue;
    const source =
      spec.kind === 'table'
        ? `SELECT CAST(${quoteIdent(spec.dateColumn)} AS DATE) AS d FROM ${quoteTable(spec.table)}`
        : `SELECT CAST(#1 AS DATE) AS d FROM (${spec.sql}) AS calendar_query`;
    parts.push(`SELECT ${keys.length} AS k, list(DISTINCT CAST(d - ${EPOCH} AS INTEGER) ORDER BY CAST(d - ${EPOCH} AS INTEGER)) AS days
      FROM (${source}) WHERE d BETWEEN $first AND $last`);
    keys.push(key);
  }
  if (parts.length === 0) return result;
  const rows = await runWindowed(connection, parts.join('\nUNION ALL\n'), window, 'calendar query');
  for (const row of rows) result.set(keys[Number(row[0])]!, daysOf(row[1]!));
  return result;
}

/**
 * Every check's value. Scalar checks go in statements of `CHECKS_PER_STATEMENT`, one column
 * each, so a status run costs the same number of statements however many checks there are;
 * when one fails, its checks run one by one, so each failing check gets its own error and a
 * check that is not a scalar query its first value. Per-date checks return a row per date: a
 * statement each.
 */
export async function readCheckValues(connection: DuckDBConnection, checks: readonly CheckProbe[], window: DayWindow): Promise<Map<string, CheckOutcome>> {
  const params = { start_date: duckdb.dateValue(window.first), end_date: duckdb.dateValue(window.last) };
  // a failed statement can leave the read-only transaction aborted: start a fresh one
  const afresh = async () => {
    await connection.run('ROLLBACK').catch(() => undefined);
    await connection.run('BEGIN TRANSACTION READ ONLY');
  };
  const outcomes = new Map<string, CheckOutcome>();
  const scalar = checks.filter((c) => !c.perDate);
  const alone: CheckProbe[] = checks.filter((c) => c.perDate);
  for (let from = 0; from < scalar.length; from += CHECKS_PER_STATEMENT) {
    const chunk = scalar.slice(from, from + CHECKS_PER_STATEMENT);
    const row =
      chunk.length > 1
        ? await runStatement(connection, checksInOneRow(chunk.map((c) => c.sql)), params).then(
            (rows) => rows[0],
            () => afresh().then(() => undefined),
          )
        : undefined;
    if (row !== undefined) chunk.forEach((check, i) => outcomes.set(check.key, { ok: true, value: toNumber(row[i] ?? null) }));
    else alone.push(...chunk);
  }
  for (const check of alone) {
    try {
      const rows = await runStatement(connection, check.sql, params);
      outcomes.set(check.key, check.perDate ? perDateOutcome(rows.map((row) => [row.length >= 2 && row[0] !== null ? toDay(row[0]!) : undefined, toNumber(row[1] ?? null)] as const)) : { ok: true, value: toNumber(rows[0]?.[0] ?? null) });
    } catch (error) {
      outcomes.set(check.key, { ok: false, error: firstLine(messageOf(error)) });
      await afresh();
    }
  }
  return outcomes;
}
