/**
 * Which reads of a DuckDB file are answered by the file alone, and so give the same answer for
 * as long as its signature is unchanged (warehouse/read-cache.ts keeps those answers). A table
 * is, unless it is a view (over files, perhaps). A query is when DuckDB's own parser finds in
 * it nothing but base tables of this file (or its own CTEs) and built-in functions that are
 * consistent across queries: no table functions (`read_csv`, `duckdb_tables()`), no file
 * paths, no views, no macros, nothing of the clock, of chance, of settings or of variables.
 * Anything unsure is not fixed: it is asked again next time.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { duckdb } from './duckdb-module.js';
import { rewriteNamedParameters } from './sql-text.js';

/** What `fixedReads` found. */
export interface FixedReads {
  /** The given tables (`dataset.table`, as given) whose present dates are the file's alone. */
  readonly tables: ReadonlySet<string>;
  /** Per given query, in order: whether its answer is the file's alone. */
  readonly queries: readonly boolean[];
}

/** Built-in functions DuckDB calls consistent whose answer still depends on more than their arguments. */
const VARYING_FUNCTIONS = new Set(['current_setting', 'getvariable', 'version', 'pragma_version', 'stats', 'current_database', 'current_catalog']);

/** Keywords the parser reads as column references: the clock and the session. */
const VARYING_COLUMNS = new Set([
  'current_date',
  'current_time',
  'current_timestamp',
  'localtime',
  'localtimestamp',
  'current_user',
  'current_role',
  'session_user',
  'user',
  'current_schema',
  'current_catalog',
]);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** What one parsed query refers to. */
interface References {
  readonly tables: { schema: string; name: string; catalog: string }[];
  readonly ctes: Set<string>;
  readonly functions: Set<string>;
  /** Window function names (`row_number`, `lag`): built in, not all listed by `duckdb_functions()`. */
  readonly windows: Set<string>;
  readonly columns: Set<string>;
  tableFunctions: number;
}

function collect(node: Json, into: References): void {
  if (Array.isArray(node)) {
    for (const item of node) collect(item, into);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const type = node.type;
  if (type === 'BASE_TABLE') {
    into.tables.push({ schema: String(node.schema_name ?? '').toLowerCase(), name: String(node.table_name ?? '').toLowerCase(), catalog: String(node.catalog_name ?? '') });
  } else if (type === 'TABLE_FUNCTION') {
    into.tableFunctions++;
  }
  if (node.class === 'FUNCTION' && typeof node.function_name === 'string') into.functions.add(node.function_name.toLowerCase());
  if (node.class === 'WINDOW' && typeof node.function_name === 'string') into.windows.add(node.function_name.toLowerCase());
  if (node.class === 'COLUMN_REF' && Array.isArray(node.column_names)) {
    const last = node.column_names[node.column_names.length - 1];
    if (typeof last === 'string') into.columns.add(last.toLowerCase());
  }
  const map = (node.cte_map as { map?: Json } | undefined)?.map;
  if (Array.isArray(map)) for (const entry of map) if (entry && typeof entry === 'object' && !Array.isArray(entry) && typeof entry.key === 'string') into.ctes.add(entry.key.toLowerCase());
  for (const value of Object.values(node)) if (value !== null && typeof value === 'object') collect(value, into);
}

/** The file's catalog, as far as fixity goes. */
interface Catalog {
  readonly database: string;
  /** `schema.table`, lower case. */
  readonly baseTables: Set<string>;
  readonly views: Set<string>;
  /** Function name → every overload built in, scalar or aggregate, consistent. */
  readonly functions: Map<string, boolean>;
}

async function readCatalog(connection: DuckDBConnection): Promise<Catalog> {
  const rows = async (sql: string) => (await connection.runAndReadAll(sql)).getRows();
  const [database] = (await rows('SELECT current_database()'))[0]!;
  const baseTables = new Set((await rows(`SELECT lower(schema_name || '.' || table_name) FROM duckdb_tables() WHERE database_name = current_database() AND NOT temporary`)).map((r) => String(r[0])));
  const views = new Set((await rows(`SELECT lower(schema_name || '.' || view_name) FROM duckdb_views() WHERE NOT internal`)).map((r) => String(r[0])));
  const functions = new Map(
    (
      await rows(
        `SELECT lower(function_name), bool_and(internal AND function_type IN ('scalar', 'aggregate') AND stability = 'CONSISTENT')
         FROM duckdb_functions() GROUP BY 1`,
      )
    ).map((r) => [String(r[0]), r[1] === true] as const),
  );
  return { database: String(database), baseTables, views, functions };
}

function queryIsFixed(parsed: Json, catalog: Catalog): boolean {
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || parsed.error !== false) return false;
  const statements = parsed.statements;
  if (!Array.isArray(statements) || statements.length !== 1) return false;
  const refs: References = { tables: [], ctes: new Set(), functions: new Set(), windows: new Set(), columns: new Set(), tableFunctions: 0 };
  collect(statements, refs);
  if (refs.tableFunctions > 0) return false;
  for (const t of refs.tables) {
    if (t.catalog !== '' && t.catalog !== catalog.database) return false;
    if (t.schema === '' && refs.ctes.has(t.name)) continue;
    if (!catalog.baseTables.has(`${t.schema || 'main'}.${t.name}`)) return false;
  }
  for (const name of refs.functions) if (VARYING_FUNCTIONS.has(name) || catalog.functions.get(name) !== true) return false;
  for (const name of refs.windows) if (VARYING_FUNCTIONS.has(name) || catalog.functions.get(name) === false) return false;
  for (const column of refs.columns) if (VARYING_COLUMNS.has(column)) return false;
  return true;
}

/** Which of `tables` and `queries` are answered by the file alone (see the module comment). */
export async function fixedReads(connection: DuckDBConnection, tables: readonly string[], queries: readonly string[]): Promise<FixedReads> {
  const catalog = await readCatalog(connection);
  const fixedTables = new Set(tables.filter((t) => !catalog.views.has(t.toLowerCase())));
  if (queries.length === 0) return { tables: fixedTables, queries: [] };
  const texts = queries.map((q) => rewriteNamedParameters(q, '$').sql);
  const reader = await connection.runAndReadAll('SELECT list_transform($queries::VARCHAR[], q -> json_serialize_sql(q))', { queries: duckdb.listValue(texts) });
  const list = reader.getRows()[0]?.[0];
  const parsed = list instanceof duckdb.DuckDBListValue ? list.items.map((item) => String(item)) : [];
  return {
    tables: fixedTables,
    queries: queries.map((_, i) => {
      try {
        return parsed[i] !== undefined && queryIsFixed(JSON.parse(parsed[i]) as Json, catalog);
      } catch {
        return false;
      }
    }),
  };
}
