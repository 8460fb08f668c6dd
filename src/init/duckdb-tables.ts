/**
 * What a DuckDB file holds, for `dagrun init --from duckdb:FILE`: every table and view with its
 * columns, and for each one with a date or timestamp column, its first and last dates and how
 * many distinct dates it has. The file is opened read-only; nothing is written to it.
 *
 * This reads the catalog rather than going through the `Warehouse` interface, which measures
 * the targets of a pipeline and cannot list tables: there is no pipeline yet.
 */
import { existsSync } from 'node:fs';
import { DagrunError, messageOf } from '../core/errors.js';
import { duckdb } from '../warehouse/duckdb-module.js';
import { quoteIdent } from '../warehouse/duckdb-sql.js';
import { chooseDateColumn, type ColumnInfo, type TableFinding } from './from-tables.js';

/** Schemas of the engine and of dagrun itself, never a pipeline's tables. */
const INTERNAL_SCHEMAS = ['information_schema', 'pg_catalog', '_dagrun'];

/** The tables of the DuckDB file at `file` (`shown` in messages), in schema and name order. */
export async function readDuckDbTables(file: string, shown: string = file): Promise<TableFinding[]> {
  if (!existsSync(file)) throw new DagrunError('usage', `--from duckdb:${shown}: no such file`);
  let instance;
  try {
    instance = await duckdb.DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  } catch (error) {
    throw new DagrunError('warehouse-unavailable', `cannot open the DuckDB file ${shown}: ${messageOf(error).split('\n')[0]}`);
  }
  const connection = await instance.connect();
  try {
    const rows = (await connection.runAndReadAll(
      `SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns
       WHERE table_catalog = current_database() AND table_schema NOT IN (${INTERNAL_SCHEMAS.map((s) => `'${s}'`).join(', ')})
       ORDER BY table_schema, table_name, ordinal_position`,
    )).getRows();
    const tables = new Map<string, ColumnInfo[]>();
    for (const [schema, name, column, type] of rows) {
      const key = `${String(schema)}.${String(name)}`;
      if (!tables.has(key)) tables.set(key, []);
      tables.get(key)!.push({ name: String(column), type: String(type) });
    }
    const findings: TableFinding[] = [];
    for (const [table, columns] of tables) {
      const chosen = chooseDateColumn(columns);
      if (!chosen) {
        findings.push({ table });
        continue;
      }
      const day = `CAST(${quoteIdent(chosen.column)} AS DATE)`;
      const [schema, name] = [table.slice(0, table.indexOf('.')), table.slice(table.indexOf('.') + 1)];
      const [row] = (await connection.runAndReadAll(
        `SELECT CAST(min(${day}) AS VARCHAR), CAST(max(${day}) AS VARCHAR), count(DISTINCT ${day}) FROM ${quoteIdent(schema)}.${quoteIdent(name)}`,
      )).getRows();
      const [first, last, count] = row ?? [];
      findings.push({
        table, dateColumn: chosen.column, why: chosen.why,
        ...(first != null && last != null && { dates: { first: String(first), last: String(last), count: Number(count) } }),
      });
    }
    return findings;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
