/**
 * Which reads of a DuckDB file are answered by the file alone, or by the file and named local
 * files beside it, and so give the same answer for as long as their signatures are unchanged
 * (warehouse/read-cache.ts keeps those answers). A table is, unless it is a view (over files,
 * perhaps). A query is when DuckDB's own parser finds in it nothing but base tables of this
 * file (or its own CTEs), files named by a constant path (`read_csv('data/x.csv')`,
 * `FROM 'x.parquet'`: no globs, no URLs), and built-in functions and macros that are
 * consistent across queries: no other table functions (`duckdb_tables()`), no views, no
 * macros of the user's, nothing of the clock, of chance, of settings or of variables.
 * Anything unsure is not fixed: it is asked again next time.
 */
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { duckdb } from './duckdb-module.js';
import { rewriteNamedParameters } from './sql-text.js';
import type { FixedReads, QueryFixity } from './warehouse.js';


/**
 * Built-in functions DuckDB calls consistent whose answer still depends on more than their
 * arguments: settings, variables, the engine, and the clock (`age(ts)` counts from today,
 * `current_localtimestamp()`), by name or by prefix.
 */
const VARYING_FUNCTIONS = new Set(['current_setting', 'getvariable', 'getenv', 'version', 'pragma_version', 'stats', 'age', 'user_agent', 'pragma_user_agent']);
const VARYING_FUNCTION_PREFIX = /^(current_|get_current_|localtime|localtimestamp|transaction_|txid_)/;
const varies = (name: string) => VARYING_FUNCTIONS.has(name) || VARYING_FUNCTION_PREFIX.test(name);

/** Built-in macros that read the clock or the session (the others are pure rewrites: `nullif`, `date_add`, `list_sum`). */
const VARYING_MACRO = /^(pg_|has_|inet_|current_)|^(ago|session_user|user|obj_description|col_description|shobj_description|get_block_size|format_type|format_pg_type|map_to_pg_oid)$/;

/** Table functions that read the files they are given, and nothing else. */
const FILE_READERS = new Set([
  'read_csv',
  'read_csv_auto',
  'read_parquet',
  'parquet_scan',
  'read_json',
  'read_json_auto',
  'read_ndjson',
  'read_ndjson_auto',
  'read_json_objects',
  'read_json_objects_auto',
  'read_ndjson_objects',
  'read_text',
  'read_blob',
]);

/** File names DuckDB reads when they stand where a table would (`FROM 'x.csv'`). */
const SCANNED_FILE = /\.(csv|tsv|parquet|json|ndjson|jsonl)(\.gz|\.zst)?$/i;

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
type JsonObject = { [key: string]: Json };

const isObject = (node: Json | undefined): node is JsonObject => node !== null && typeof node === 'object' && !Array.isArray(node);

/** What one parsed query refers to. */
interface References {
  readonly tables: { schema: string; name: string; catalog: string }[];
  readonly ctes: Set<string>;
  readonly functions: Set<string>;
  /** Window function names (`row_number`, `lag`): built in, not all listed by `duckdb_functions()`. */
  readonly windows: Set<string>;
  readonly columns: Set<string>;
  /** Paths given to file readers, as written. */
  readonly files: string[];
  /** Table functions that are not file readers, file readers given anything but constant paths, and samples (chance). */
  unknownSources: number;
}

/** The constant path(s) a file reader was given first, or undefined when not constants. */
function constantPaths(argument: Json | undefined): string[] | undefined {
  if (!isObject(argument)) return undefined;
  if (argument.type === 'VALUE_CONSTANT' && isObject(argument.value) && argument.value.is_null === false && typeof argument.value.value === 'string') {
    return [argument.value.value];
  }
  if (argument.class === 'FUNCTION' && argument.function_name === 'list_value' && Array.isArray(argument.children)) {
    const all = argument.children.map((child) => constantPaths(child));
    return all.every((p) => p !== undefined && p.length === 1) ? all.flat() as string[] : undefined;
  }
  return undefined;
}

function collect(node: Json, into: References): void {
  if (Array.isArray(node)) {
    for (const item of node) collect(item, into);
    return;
  }
  if (!isObject(node)) return;
  // `USING SAMPLE`, `TABLESAMPLE`: chance
  if (Object.hasOwn(node, 'sample') && node.sample !== null) into.unknownSources++;
  const type = node.type;
  if (type === 'BASE_TABLE') {
    into.tables.push({ schema: String(node.schema_name ?? '').toLowerCase(), name: String(node.table_name ?? ''), catalog: String(node.catalog_name ?? '') });
  } else if (type === 'TABLE_FUNCTION') {
    const call = node.function;
    const name = isObject(call) && typeof call.function_name === 'string' ? call.function_name.toLowerCase() : '';
    const paths = FILE_READERS.has(name) && isObject(call) && Array.isArray(call.children) ? constantPaths(call.children[0]) : undefined;
    if (paths) into.files.push(...paths);
    else into.unknownSources++;
    // the reader's options (`header = true`) are expressions like any other; its own name is no function
    if (isObject(call)) collect(call.children ?? null, into);
    for (const [key, value] of Object.entries(node)) if (key !== 'function' && value !== null && typeof value === 'object') collect(value, into);
    return;
  }
  if (node.class === 'FUNCTION' && typeof node.function_name === 'string') into.functions.add(node.function_name.toLowerCase());
  if (node.class === 'WINDOW' && typeof node.function_name === 'string') into.windows.add(node.function_name.toLowerCase());
  if (node.class === 'COLUMN_REF' && Array.isArray(node.column_names)) {
    const last = node.column_names[node.column_names.length - 1];
    if (typeof last === 'string') into.columns.add(last.toLowerCase());
  }
  const map = isObject(node.cte_map) ? node.cte_map.map : undefined;
  if (Array.isArray(map)) for (const entry of map) if (isObject(entry) && typeof entry.key === 'string') into.ctes.add(entry.key.toLowerCase());
  for (const value of Object.values(node)) if (value !== null && typeof value === 'object') collect(value, into);
}

/** The file's catalog, as far as fixity goes. */
interface Catalog {
  readonly database: string;
  /** `schema.table`, lower case: tables of the file with no generated column (a virtual one is computed as it is read, perhaps from the clock). */
  readonly baseTables: Set<string>;
  readonly views: Set<string>;
  /** Views' names alone, any schema. */
  readonly viewNames: Set<string>;
  /** Function name → every overload built in and consistent: a scalar or aggregate function, or a macro that is a pure rewrite. */
  readonly functions: Map<string, boolean>;
}

async function readCatalog(connection: DuckDBConnection): Promise<Catalog> {
  const rows = async (sql: string) => (await connection.runAndReadAll(sql)).getRows();
  const [database] = (await rows('SELECT current_database()'))[0]!;
  const baseTables = new Set((await rows(`SELECT lower(schema_name || '.' || table_name) FROM duckdb_tables() WHERE database_name = current_database() AND NOT temporary AND sql NOT ILIKE '%GENERATED ALWAYS%'`)).map((r) => String(r[0])));
  // internal ones too: `pg_settings` shows settings, `duckdb_logs` the session
  const views = new Set((await rows(`SELECT lower(schema_name || '.' || view_name) FROM duckdb_views()`)).map((r) => String(r[0])));
  const viewNames = new Set([...views].map((v) => v.slice(v.indexOf('.') + 1)));
  const functions = new Map<string, boolean>();
  for (const [name, type, stability, internal] of await rows(`SELECT lower(function_name), function_type, stability, internal FROM duckdb_functions()`)) {
    const key = String(name);
    const pure = internal === true && !varies(key) && (type === 'macro' ? !VARYING_MACRO.test(key) : (type === 'scalar' || type === 'aggregate') && stability === 'CONSISTENT');
    functions.set(key, (functions.get(key) ?? true) && pure);
  }
  return { database: String(database), baseTables, views, viewNames, functions };
}

/** Where DuckDB may find a relative path: the working directory, then `file_search_path` (the pipeline's folder). Both are watched. */
function candidates(file: string, searchPath: string): string[] | undefined {
  if (file.includes('://') || /[*?[\]{}]/.test(file) || file.startsWith('~')) return undefined;
  if (path.isAbsolute(file)) return [file];
  return [...new Set([path.resolve(process.cwd(), file), path.resolve(searchPath, file)])];
}

function queryFixity(parsed: Json, catalog: Catalog, searchPath: string): QueryFixity {
  if (!isObject(parsed) || parsed.error !== false) return false;
  const statements = parsed.statements;
  if (!Array.isArray(statements) || statements.length !== 1) return false;
  const refs: References = { tables: [], ctes: new Set(), functions: new Set(), windows: new Set(), columns: new Set(), files: [], unknownSources: 0 };
  collect(statements, refs);
  if (refs.unknownSources > 0) return false;
  const files = [...refs.files];
  for (const t of refs.tables) {
    if (t.catalog !== '' && t.catalog !== catalog.database) return false;
    const name = t.name.toLowerCase();
    // a CTE's name is in scope only where it is defined: one that could name a file or a view elsewhere is not trusted
    if (t.schema === '' && refs.ctes.has(name) && !name.includes('.') && !catalog.viewNames.has(name)) continue;
    if (catalog.baseTables.has(`${t.schema || 'main'}.${name}`)) continue;
    if (t.schema === '' && SCANNED_FILE.test(t.name)) files.push(t.name);
    else return false;
  }
  for (const name of refs.functions) if (catalog.functions.get(name) !== true) return false;
  for (const name of refs.windows) if (varies(name) || catalog.functions.get(name) === false) return false;
  for (const column of refs.columns) if (VARYING_COLUMNS.has(column)) return false;
  const watched: string[] = [];
  for (const file of files) {
    const found = candidates(file, searchPath);
    if (!found) return false;
    watched.push(...found);
  }
  return { files: [...new Set(watched)] };
}

/**
 * Which of `tables` and `queries` are answered by the file alone, or with named files (see the
 * module comment); relative paths in queries resolve as DuckDB resolves them, against the
 * working directory and `searchPath`.
 */
export async function fixedReads(connection: DuckDBConnection, tables: readonly string[], queries: readonly string[], searchPath: string): Promise<FixedReads> {
  const catalog = await readCatalog(connection);
  // a table that does not exist is fixed too (it cannot appear without the file changing); a view or a table with a generated column is not
  const computed = new Set((await connection.runAndReadAll(`SELECT lower(schema_name || '.' || table_name) FROM duckdb_tables() WHERE sql ILIKE '%GENERATED ALWAYS%'`)).getRows().map((r) => String(r[0])));
  const fixedTables = new Set(tables.filter((t) => !catalog.views.has(t.toLowerCase()) && !computed.has(t.toLowerCase())));
  if (queries.length === 0) return { tables: fixedTables, queries: [] };
  const texts = queries.map((q) => rewriteNamedParameters(q, '$').sql);
  const reader = await connection.runAndReadAll('SELECT list_transform($queries::VARCHAR[], q -> json_serialize_sql(q))', { queries: duckdb.listValue(texts) });
  const list = reader.getRows()[0]?.[0];
  const parsed = list instanceof duckdb.DuckDBListValue ? list.items.map((item) => String(item)) : [];
  return {
    tables: fixedTables,
    queries: queries.map((_, i): QueryFixity => {
      try {
        return parsed[i] !== undefined ? queryFixity(JSON.parse(parsed[i]) as Json, catalog, searchPath) : false;
      } catch {
        return false;
      }
    }),
  };
}
